"""What every command shares: the invocation's state, the database, output options, notices."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from tct.db import Database


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.",
                                                    case_sensitive=False)]


@dataclass
class AppState:
    db_location: str | None = None
    lang: str = "en"
    _db: Database | None = field(default=None, repr=False)

    def db(self, *, allow_old: bool = False, create: bool = True) -> Database:
        """The register; `create=False` for the commands that must not start an empty one: backup, and
        those whose answer someone acts on (a report, alerts, an export, a check), which of a mistyped
        TCT_DB would be an empty register's: all zeros, and exit 0."""
        if self._db is None:
            from tct.db import open_database

            self._db = open_database(self.db_location, allow_old=allow_old, create=create)
        return self._db

    @property
    def opened(self) -> bool:
        """Whether this invocation has opened the register (and so holds connections to it)."""
        return self._db is not None

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


_state = AppState()


def set_state(state: AppState) -> None:
    global _state
    _state = state


def state() -> AppState:
    return _state


def lang() -> str:
    return _state.lang


def session_for(*, reveal: bool, create: bool = True):  # type: ignore[no-untyped-def]
    """A read session, or a write session when identities are revealed (the reveal is audited)."""
    from tct.db import read_session, write_session

    return (write_session if reveal else read_session)(state().db(create=create))


def started(source: Any) -> None:
    """An answer someone acts on (a report, the morning's alerts, the hotspots) is not read from a
    register nobody has started, with no officer: the empty one that any other command made at a
    mistyped TCT_DB (a `visit list` there, or a `visit add` refused for want of an officer) would
    answer all zeros and "no alerts", exit 0, as the register missing would (AppState.db)."""
    from tct.db import Driver, display_url, resolve_url
    from tct.errors import DatabaseError

    if not Driver.of(source).rows("SELECT id FROM officer LIMIT 1"):
        raise DatabaseError.said_as("err_db_not_started", path=display_url(resolve_url(state().db_location)))


@contextmanager
def reading(*, reveal: bool = False, create: bool = True) -> Iterator[Any]:
    """What a command that only reads reads through: a plain SQLite register at this tct's schema
    with the sqlite3 module alone (a tct.db.Driver: no SQLAlchemy to import, over half a second of
    a report), anything else through `session_for` (a write session when identities are revealed,
    since the reveal is audited). `create=False` for an answer someone acts on (a report, the
    morning's alerts): of a register that does not exist (a mistyped TCT_DB) it would be all zeros.

    What the process holds by then (its imported modules: a few hundred thousand objects, alive
    until it ends) is left out of the cycle collector's sweeps while the command reads, which the
    rows of a large register would otherwise trigger again and again (about 30 ms of a report's
    backlog at 1,000,000 visits)."""
    import gc

    from tct.db import plain_reading, sqlite_register

    path = None if reveal or state().opened else sqlite_register(state().db_location)
    freezing = gc.get_freeze_count() == 0  # (a program running tct may have frozen objects of its own)
    if freezing:
        gc.freeze()
    try:
        with plain_reading(path) if path is not None else session_for(reveal=reveal, create=create) as source:
            if not create:
                started(source)
            yield source
    finally:
        if freezing:
            gc.unfreeze()


@contextmanager
def terminate_cleanly() -> Iterator[None]:
    """SIGTERM (systemd stopping the unit, `kill`) unwinds like Ctrl-C: temporary files are removed,
    a transaction is rolled back, and the command says "interrupted" in one line (exit 130) instead
    of vanishing without a word."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def notice(message: str) -> None:
    """A message for the person, never part of the data: stderr."""
    typer.echo(message, err=True)


_YES, _NO = {"y", "yes", "c", "co", "d", "dong y"}, {"n", "no", "k", "khong"}


def confirm(question: str, *, default: bool, abort: bool = False) -> bool:
    """A yes/no question at the terminal. In Vietnamese the officer answers c (có) or k (không), as
    the prompt says, and y/n are taken too; click's own question said [y/N] and answered `c` with
    "Error: invalid input". Ctrl-C or the end of input aborts, as click's does."""
    from tct.i18n import label
    from tct.text import fold

    language = lang()
    if language == "en":
        return typer.confirm(question, default=default, abort=abort, err=True)
    while True:
        answer = typer.prompt(f"{question} [{'C/k' if default else 'c/K'}]", default="", show_default=False,
                              err=True)
        said = fold(answer).strip()
        if not said or said in _YES | _NO:
            chosen = default if not said else said in _YES
            if abort and not chosen:
                raise typer.Abort()
            return chosen
        notice(label("error_line", language, text=label("answer_yes_no", language)))


def output_file(value: Any) -> Any:
    """An `--output` value, None for stdout: not given, or `-` as commands usually spell stdout."""
    return None if value is None or str(value) == "-" else value


def at_most(rows: list[Any], limit: int) -> list[Any]:
    """The first `limit` of rows asked for with one more, and a notice when there were more: a list
    sent to a file (`-f csv > cases.csv`) is never cut short without a word."""
    if len(rows) <= limit:
        return rows
    from tct.i18n import label

    notice(label("list_limited", lang(), limit=limit))
    return rows[:limit]


def words_of(vocabulary: str) -> Any:
    """Tab completion of an option taking a word of `tct.vocab`'s `vocabulary`: its keys and the
    Vietnamese words typed without accents (`khieu-nai`), as they are taken as input. (Typer keeps
    the words that start with what is typed, as typed: `khi` offers `khieu-nai`, `Khiếu` nothing.)
    Imports no database layer."""

    def complete(incomplete: str) -> list[str]:
        from tct import vocab

        return [word for key, aliases in getattr(vocab, vocabulary).items() for word in (key, *aliases)
                if word.startswith(incomplete)]

    return complete


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
