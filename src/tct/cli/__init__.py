"""The `tct` command: the root group, global options, and the one place that decides exit codes.

Command modules are thin: they parse options, call the library, and hand the result to
tct.render. Heavy imports (SQLModel, SQLAlchemy, Alembic) happen inside commands so that
`tct --help` and Tab completion stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from tct import __version__
from tct.cli import common
from tct.errors import EXIT_DATABASE, EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, CheckFailed, TctError


def _error_line(message: str) -> None:
    from tct.i18n import label

    text = " ".join(str(message).split())
    sys.stderr.write(label("error_line", common.lang(), text=text) + "\n")
    sys.stderr.flush()


_GLOBAL_OPTIONS = ("--lang", "--db")


def _global_option_misplaced(exc: Any, language: str) -> str:
    """`tct visit list --lang vi`: a global option typed after the command, where click knows it
    not ("No such option '--lang'", which sends the officer to the command's help, where it is not
    either). Said with where it goes instead."""
    from tct.i18n import label

    command = exc.ctx.command_path.split(" ", 1)
    example = " ".join([command[0], exc.option_name, language if exc.option_name == "--lang" else "FILE",
                        *command[1:]])
    return label("global_option_first", language, name=exc.option_name, example=example)


def misplaced_language(args: list[str]) -> str | None:
    """The language a `--lang vi` typed after the command asks for, so the mistake is said in it."""
    for index, arg in enumerate(args[1:], start=1):
        if arg == "--lang" and index + 1 < len(args) and args[index + 1].lower() in ("vi", "en"):
            return args[index + 1].lower()
        if arg.startswith("--lang=") and arg[7:].lower() in ("vi", "en"):
            return arg[7:].lower()
    return None


def _usage_message(exc: Any, language: str) -> str:
    """A mistake on the command line (click's UsageError) as the person reads it: click's own
    English, or the same said in Vietnamese for the mistakes people make (an unknown or missing
    option, a value of the wrong kind, an unknown command, a word too many)."""
    import re

    from click import exceptions as click_exc

    from tct.i18n import label

    hint = label("see_help", language, command=exc.ctx.command_path) if exc.ctx is not None else ""
    if language == "en" and not (isinstance(exc, click_exc.NoSuchOption) and exc.option_name in _GLOBAL_OPTIONS
                                 and exc.ctx is not None):
        return exc.format_message() + hint

    def names(possible: list[str] | None) -> str:
        return (" " + label("did_you_mean", language, names=", ".join(repr(p) for p in possible))) if possible else ""

    if isinstance(exc, click_exc.NoSuchOption) and exc.option_name in _GLOBAL_OPTIONS and exc.ctx is not None:
        return _global_option_misplaced(exc, language)
    if isinstance(exc, click_exc.NoSuchOption):
        text = label("no_such_option", language, name=exc.option_name) + names(exc.possibilities)
    elif isinstance(exc, click_exc.NoSuchCommand):
        text = label("no_such_command", language, name=exc.command_name) + names(exc.possibilities)
    elif isinstance(exc, click_exc.MissingParameter) and not exc.message:
        param = exc.param
        hint_text = exc.param_hint or (param.get_error_hint(exc.ctx) if param is not None else "")
        if not isinstance(hint_text, str):
            hint_text = " / ".join(hint_text)
        kind = exc.param_type or (param.param_type_name if param is not None else "option")
        text = label("missing_argument" if kind == "argument" else "missing_option", language, name=hint_text)
    elif isinstance(exc, click_exc.BadParameter) and (exc.param is not None or exc.param_hint is not None):
        hint_text = exc.param_hint or exc.param.get_error_hint(exc.ctx)
        if not isinstance(hint_text, str):
            hint_text = " / ".join(hint_text)
        inner = str(exc.message)
        for pattern, key, fields in ((r"'(.*)' is not a valid integer(?: range)?\.", "not_an_integer", ("value",)),
                                     (r"(.*) is not in the range (.*)\.", "not_in_range", ("value", "range")),
                                     (r"'(.*)' is not one of (.*)\.", "not_a_choice", ("value", "choices"))):
            found = re.fullmatch(pattern, inner)
            if found:
                inner = label(key, language, **dict(zip(fields, found.groups(), strict=True)))
                break
        text = label("invalid_value_for", language, name=hint_text, text=inner)
    elif found := re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", str(exc.message)):
        text = label("extra_arguments", language, args=found.group(1))
    elif found := re.fullmatch(r"Option '(.*)' requires an argument\.", str(exc.message)):
        text = label("needs_value", language, name=found.group(1))
    else:
        text = exc.format_message()
    return text + hint


class LazyGroup(TyperGroup):
    """A group that turns a command into its click form only when it is run or completed.

    Typer does that by evaluating every annotation of the command's signature (~0.5 ms per
    option), for every command of the tree, before anything runs; `tct --help`, Tab completion
    and each command need only one of them. `lazy` maps a name to a function building the command
    and to its help text (for the list in `--help`), in the order the list shows them."""

    lazy: dict[str, tuple[Callable[[], Any], Callable[[], str]]]

    def list_commands(self, ctx: Any) -> list[str]:
        lazy = getattr(self, "lazy", {})
        return [*lazy, *(name for name in super().list_commands(ctx) if name not in lazy)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        lazy = getattr(self, "lazy", {})
        if cmd_name in lazy and cmd_name not in self.commands:
            self.commands[cmd_name] = lazy[cmd_name][0]()
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        from click import Command

        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, (self.commands.get(name) or Command(name, help=self.lazy[name][1]())).get_short_help_str(limit))
                for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class TctGroup(LazyGroup):
    """Runs a command and turns every failure into one line on stderr and a documented exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = {name: (partial(_build, name), partial(_help_text, name)) for name in COMMANDS}

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        code = self._run(args, prog_name, complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Any, prog_name: str | None, complete_var: str | None, **extra: Any) -> int:
        from click import exceptions as click_exc

        from tct import i18n
        from tct.errors import debugging

        debug = debugging()
        _output_that_cannot_fail()
        # the language of a mistake found before the root's --lang is read: TCT_LANG, the locale
        common.set_state(common.AppState(lang=i18n.resolve(None)))
        try:
            _refuse_undecodable(sys.argv[1:] if args is None else args)
            result = super().main(args=args, prog_name=prog_name or "tct", complete_var=complete_var,
                                  standalone_mode=False, **extra)
            if result == EXIT_INTERRUPTED:  # (how Typer, outside standalone mode, says a command got Ctrl-C)
                return _interrupted()
            return result if isinstance(result, int) else 0
        except click_exc.NoArgsIsHelpError as exc:
            if exc.ctx is not None:
                sys.stdout.write(exc.ctx.get_help() + "\n")
            return 0
        except click_exc.UsageError as exc:
            if isinstance(exc, click_exc.NoSuchOption) and exc.option_name == "--lang":
                language = misplaced_language(list(sys.argv[1:] if args is None else args))
                if language is not None:
                    common.state().lang = language
            _error_line(_usage_message(exc, common.lang()))
            return EXIT_USAGE
        except click_exc.ClickException as exc:
            _error_line(exc.format_message())
            return exc.exit_code
        except CheckFailed as exc:  # (what a check found, said as such: not "Error: 7 alerts")
            sys.stderr.write(" ".join(exc.said(common.lang()).split()) + "\n")
            sys.stderr.flush()
            return exc.exit_code
        except TctError as exc:
            if debug:
                raise
            _error_line(exc.said(common.lang()))
            return exc.exit_code
        except typer.Abort as exc:
            from tct.i18n import label

            sys.stderr.write(label("aborted", common.lang()) + "\n")
            # Ctrl-C at a prompt reaches us as click's Abort: still an interruption (130), as
            # everywhere else; "no" at a confirmation or Ctrl-D is the person declining (1).
            return EXIT_INTERRUPTED if isinstance(exc.__context__, KeyboardInterrupt) else EXIT_ERROR
        except typer.Exit as exc:
            return exc.exit_code
        except KeyboardInterrupt:
            return _interrupted()
        except BrokenPipeError:
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 — nothing left to read our output
            return EXIT_ERROR
        except Exception as exc:  # noqa: BLE001 — the last line of defence: never a traceback
            if debug:
                raise
            return _unexpected(exc)
        finally:
            common.state().close()


def _interrupted() -> int:
    """Ctrl-C, or SIGTERM where a command turns it into one: one line, as every failure says (cron
    mails it, systemd logs it), after the "^C" a terminal echoes with no newline of its own."""
    from tct.i18n import label

    if sys.stderr.isatty():
        sys.stderr.write("\n")
    _error_line(label("interrupted", common.lang()))
    return EXIT_INTERRUPTED


# Vietnamese and an emoji: what a register's text needs from the terminal.
_PROBE = "Nguyễn Văn Đức 👍"


def _output_that_cannot_fail() -> None:
    """Where stdout or stderr cannot show the register's text (PYTHONIOENCODING=ascii, a latin-1
    locale), a character it cannot show is written as a \\uXXXX escape rather than stopping the
    command half-way through a list; a UTF-8 terminal is left as it is."""
    for stream in (sys.stdout, sys.stderr):
        try:
            _PROBE.encode(getattr(stream, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            if getattr(stream, "errors", None) in ("strict", "surrogateescape") and hasattr(stream, "reconfigure"):
                import codecs

                codecs.register_error("tct-escape", _json_escape)
                stream.reconfigure(errors="tct-escape")


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    """\\uXXXX (a UTF-16 pair beyond the first plane): JSON's own escape, so `--format json` stays
    valid JSON that reads back as the same text, where Python's \\xNN would not."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    units = error.object[error.start:error.end].encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)), error.end


def _refuse_undecodable(args: Any) -> None:
    """Bytes that are not UTF-8 (a terminal in another encoding) reach Python as lone surrogates,
    which can be neither stored nor printed: refuse them up front, naming the option."""
    from tct.errors import UsageError
    from tct.i18n import label

    language = common.lang()
    previous = ""
    for arg in args or ():
        if isinstance(arg, str) and any("\ud800" <= ch <= "\udfff" for ch in arg):
            if arg.startswith("--") and "=" in arg:
                where = label("not_utf8_value_of", language, option=arg.split("=", 1)[0])
            elif previous.startswith("-"):
                where = label("not_utf8_value_of", language, option=previous)
            else:
                where = label("not_utf8_an_argument", language)
            raise UsageError(label("not_utf8_argument", language, where=where))
        previous = arg if isinstance(arg, str) else ""


def _unexpected(exc: Exception) -> int:
    """Database driver errors get exit 3 and advice; anything else is a bug in tct (exit 4)."""
    from tct.i18n import label

    try:
        from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
    except ImportError:  # pragma: no cover
        SQLAlchemyError = OperationalError = IntegrityError = ()  # type: ignore[misc,assignment]
    if isinstance(exc, SQLAlchemyError):
        from tct.db import value_refused

        refused = value_refused(exc)
        if refused is not None:
            _error_line(refused.said(common.lang()))
            return refused.exit_code
    if isinstance(exc, IntegrityError):
        _error_line(label("db_conflict", common.lang(), detail=str(exc.orig).strip()))
        return EXIT_ERROR
    if isinstance(exc, OperationalError | SQLAlchemyError):
        from tct.db import translate_db_error

        location = common.state().db_location or "the register"
        error = translate_db_error(exc, location)
        _error_line(error.said(common.lang()))
        return EXIT_DATABASE
    if isinstance(exc, OSError) and exc.strerror:
        _error_line(f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror)
        return EXIT_ERROR
    _error_line(label("internal_error", common.lang(), detail=f"{type(exc).__name__}: {exc}"))
    return EXIT_INTERNAL


app = typer.Typer(
    cls=TctGroup,
    name="tct",
    help="tct — the citizen-reception register (sổ tiếp công dân).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tct {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    db: Annotated[str | None, typer.Option("--db", envvar="TCT_DB", metavar="PATH|URL",
                                           help="Database file or SQLAlchemy URL [default: the user's data folder].")
                  ] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="vi|en",
                                             help="Language of labels and messages [default: TCT_LANG, locale].")
                    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    from tct import i18n

    if lang is not None and lang.lower() not in i18n.LANGUAGES:
        raise typer.BadParameter(i18n.label("lang_choice", common.lang()), param_hint="'--lang'")
    common.set_state(common.AppState(db_location=db, lang=i18n.resolve(lang)))
    if os.environ.get("TCT_BUSY_TIMEOUT", "").strip():
        from tct.db import busy_timeout_problem

        problem = busy_timeout_problem()
        if problem:
            common.notice(i18n.label("warning_line", common.lang(), text=problem))


# Every command, in the order `tct --help` lists them: name -> (module, attribute). A module's
# `app` is a group of commands; anything else is a single command function. Typer turns a command
# into its click form by evaluating every annotation of its signature (~0.5 ms per option), so
# TctGroup does that only for the command being run: `tct --help`, Tab completion and every
# command start without building the other forty.
COMMANDS: dict[str, tuple[str, str]] = {
    "officer": ("tct.cli.officer", "app"),
    # --- visits, citizens, cases ---
    "visit": ("tct.cli.visit", "app"),
    "citizen": ("tct.cli.citizen", "app"),
    "case": ("tct.cli.case", "app"),
    "alerts": ("tct.cli.case", "alerts"),
    "hotspots": ("tct.cli.case", "hotspots"),
    # --- rosters ---
    "roster": ("tct.cli.roster", "app"),
    "duty": ("tct.cli.roster", "duty"),
    # --- periods ---
    "period": ("tct.cli.period", "app"),
    # --- reports ---
    "report": ("tct.cli.report", "report"),
    # --- backup, restore, export, import ---
    "backup": ("tct.cli.backup", "backup"),
    "restore": ("tct.cli.backup", "restore"),
    "export": ("tct.cli.backup", "export"),
    "import": ("tct.cli.backup", "import_"),
    "db": ("tct.cli.db", "app"),
    "config": ("tct.cli.config", "app"),
    "log": ("tct.cli.log", "log"),
}


def _target(name: str) -> Any:
    import importlib

    module, attribute = COMMANDS[name]
    return getattr(importlib.import_module(module), attribute)


def _build(name: str) -> Any:
    """The click command for `name`, made as `app.add_typer` / `app.command` would have made it."""
    from typer.main import get_command_from_info, get_group_from_info
    from typer.models import CommandInfo, TyperInfo

    target = _target(name)
    style = {"pretty_exceptions_short": app.pretty_exceptions_short, "rich_markup_mode": app.rich_markup_mode}
    if not isinstance(target, typer.Typer):
        return get_command_from_info(CommandInfo(name=name, callback=target), **style)
    # The group alone (its commands set aside while Typer makes it), then its commands, lazily.
    commands, target.registered_commands = target.registered_commands, []
    try:
        group = get_group_from_info(TyperInfo(target, name=name, cls=LazyGroup), suggest_commands=app.suggest_commands,
                                    **style)
    finally:
        target.registered_commands = commands
    group.lazy = {_command_name(info): (partial(get_command_from_info, info, **style), partial(_command_help, info))
                  for info in commands}
    return group


def _command_name(info: Any) -> str:
    from typer.main import get_command_name

    return info.name or get_command_name(info.callback.__name__)


def _command_help(info: Any) -> str:
    import inspect

    return inspect.cleandoc(info.help) if info.help is not None else inspect.getdoc(info.callback) or ""


def _help_text(name: str) -> str:
    import inspect

    from typer.main import solve_typer_info_help
    from typer.models import TyperInfo

    target = _target(name)
    if isinstance(target, typer.Typer):
        return solve_typer_info_help(TyperInfo(target, name=name))
    return inspect.getdoc(target) or ""


def run(args: list[str] | None = None) -> int:
    """Run tct as the command line does (the arguments of this process by default) and return its
    exit code, leaving the interpreter to the caller."""
    try:
        return int(app(args=args, standalone_mode=False) or 0)
    except SystemExit as exc:  # Tab completion ends with sys.exit inside click
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        raise


def main() -> None:
    """The `tct` console script. Once a command is done its database is closed and its files are
    synced, so the process ends there and then: Python's orderly teardown would free SQLAlchemy's,
    pydantic's and Typer's objects one by one, about 0.1 s after every command (a third of what
    `tct visit add` adds to its imports) with nothing left to do."""
    code = run()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a reader that went away (`| head`): nothing more to say
        code = code or EXIT_ERROR
    os._exit(code)
