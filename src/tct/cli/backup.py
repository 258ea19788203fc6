"""`tct backup`, `tct restore`, `tct export`, `tct import`: copies of the register and their way back."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from tct import bulk

from tct.cli.common import (
    FormatOption,
    OutputFormat,
    confirm,
    lang,
    notice,
    output_file,
    state,
    stdin_is_terminal,
    terminate_cleanly,
)


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


OfficerOption = Annotated[str | None, typer.Option("--officer", metavar="NAME",
                                                   help="Who does this, for the audit trail "
                                                        "[default: TCT_OFFICER, login name].")]


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr at a terminal; nothing at all from cron or a pipe."""
    if not _stderr_is_terminal():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def backup(
    to: Annotated[Path | None, typer.Option("--to", metavar="DIR|FILE",
                                            help="Folder (or new file) for the backup [default: backups/ beside "
                                                 "the database].")] = None,
    keep: Annotated[int | None, typer.Option("--keep", min=1, metavar="N",
                                             help="Then delete all but the newest N tct backups in that folder.")
                    ] = None,
    compress: Annotated[bool, typer.Option("--gzip", help="Compress the backup (.db.gz).")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Take a verified, consistent backup while other desks go on writing; prints its path."""
    from tct import backup as library
    from tct import render
    from tct.db import sqlite_register
    from tct.i18n import label

    # A plain SQLite register at this tct's schema is backed up with the sqlite3 module alone;
    # anything else is opened as every command opens it (same checks, same messages), but never
    # created: a mistyped TCT_DB in a cron job must fail, not back up a new empty register nightly.
    # An older schema is backed up as it is: the backup before `tct db upgrade` is the one that matters.
    register = sqlite_register(state().db_location) or state().db(create=False, allow_old=True)
    with terminate_cleanly(), _progress(label("backing_up", lang())) as progress:
        result = library.backup(register, to, keep=keep, compress=compress, progress=progress)
    if fmt.value == "json":
        render.record(result.as_dict(), None, "json")
        return
    if fmt.value == "table":
        render.text_block(str(result.path))
    else:
        render.record({k: v for k, v in result.as_dict().items() if k != "counts"}, None, fmt.value, lang=lang())
    if _stderr_is_terminal():  # from cron, success is silent: no mail for a good night
        for old in result.removed:
            notice(label("backup_removed", lang(), path=old))


def restore(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A backup (.db or .db.gz) of a tct register.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the register without asking.")] = False,
    officer: OfficerOption = None,
) -> None:
    """Replace the register with a backup, after checking it and backing up the current one."""
    from tct import backup as library

    with terminate_cleanly():
        _restore(library.prepare_restore(state().db_location, file), force=force, officer=officer)


def _restore(plan, *, force: bool, officer: str | None) -> None:  # type: ignore[no-untyped-def]
    from tct import audit
    from tct import backup as library
    from tct.errors import UsageError
    from tct.i18n import label

    try:
        if not force:
            if not stdin_is_terminal():
                raise UsageError(label("restore_needs_force", lang()))
            _show_plan(plan)
            confirm(label("restore_confirm", lang(), path=plan.target), default=False, abort=True)
        result = library.restore(plan, actor=audit.current_actor(officer))
    finally:
        plan.discard()
    notice(label("restored", lang(), path=result.target, source=result.source,
                 backup=result.pre_restore_backup or "-"))
    if result.upgraded_from:
        notice(label("restore_upgraded", lang(), old=result.upgraded_from))


def _show_plan(plan) -> None:  # type: ignore[no-untyped-def]
    from tct import render
    from tct.i18n import label

    current = plan.current.counts if plan.current else {}
    rows = [{"table": name, "current": current.get(name), "incoming": count}
            for name, count in plan.incoming.counts.items()]
    rows.append({"table": label("newest_visit", lang()),
                 "current": _newest(plan.current.newest_visit, plan.current.timezone) if plan.current else None,
                 "incoming": _newest(plan.incoming.newest_visit, plan.incoming.timezone)})
    render.rows(rows, [("table", "table"), ("current", "restore_current"), ("incoming", "restore_incoming")],
                "table", lang=lang(), stream=sys.stderr)


def _newest(visit: str | None, timezone: str | None) -> str | None:
    """"TCD-2021-0034 at 2021-03-01T02:00:00" (stored in UTC) as the desk reads a visit's time:
    TCD-2021-0034 01/03/2021 09:00, in the office's time zone (that register's setting)."""
    from datetime import datetime

    from tct.dates import DEFAULT_TIMEZONE, local_text
    from tct.errors import TctError

    code, _, stamp = (visit or "").partition(" at ")
    try:
        return f"{code} {local_text(datetime.fromisoformat(stamp), timezone or DEFAULT_TIMEZONE)}"
    except (ValueError, TctError):  # (a zone this machine does not know: the stored form)
        return visit


def export(
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="PATH",
                                                help="File (JSON), folder or .zip (CSV) [default: stdout for JSON].")
                      ] = None,
    fmt: Annotated[ExportFormat | None, typer.Option(
        "--format", "-f", case_sensitive=False, show_default=False,
        help="json: one lossless document; csv: one file per table [default: csv for an --output .zip, else json]."
    )] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Include denouncers' identities (audited).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --output file (or the tables' "
                                                        "files in a CSV folder); never a database.")] = False,
    officer: OfficerOption = None,
) -> None:
    """Export every table; denouncers' identities are withheld unless --reveal."""
    from tct import audit, exchange
    from tct.db import sqlite_register
    from tct.i18n import label

    # A JSON export of a plain SQLite register at this tct's schema reads it (and writes --reveal's
    # audit event) with the sqlite3 module alone; CSV and PostgreSQL open it as every command does.
    output = output_file(output)
    if fmt is None:  # (`-o register.zip` means the tables' CSV files in a zip, not JSON under that name)
        fmt = ExportFormat.csv if output is not None and output.suffix.lower() == ".zip" else ExportFormat.json
    plain = fmt.value == "json"
    database = (sqlite_register(state().db_location) if plain else None) or state().db(create=False)
    # JSON without --output goes straight to stdout as it is read: the exact bytes of the document
    # (UTF-8, '\n'), whatever the console's encoding.
    stream = sys.stdout.buffer if output is None and fmt.value == "json" else None
    if stream is not None:
        sys.stdout.flush()
    # SIGTERM unwinds like Ctrl-C: the file being written under a temporary name is removed.
    with terminate_cleanly(), _progress(label("exporting", lang())) as progress:
        result = exchange.export(database, fmt=fmt.value, output=output, reveal=reveal,
                                 actor=audit.current_actor(officer), progress=progress, stream=stream,
                                 force=force)
    if stream is not None:
        stream.flush()
    else:
        notice(label("exported", lang(), path=result.path, rows=sum(result.counts.values())))
    if result.protected_citizens:
        notice(label("identities_withheld", lang(), count=result.protected_citizens))


def import_(
    file: Annotated[Path | None, typer.Argument(metavar="FILE", help="A JSON export of `tct export`.")] = None,
    visits: Annotated[Path | None, typer.Option("--visits", metavar="FILE.csv",
                                                help="Bulk-load visits from a spreadsheet (see README).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Validate only; write nothing.")] = False,
    officer: OfficerOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Fill an empty register from a JSON export, or add visits from a spreadsheet (all rows or none)."""
    from tct.errors import UsageError

    if (file is None) == (visits is None):
        from tct.i18n import label

        raise UsageError(label("import_file_or_visits", lang()))
    with terminate_cleanly():  # (SIGTERM: the transaction is rolled back, the reading process stopped)
        if visits is not None:
            with ExitStack() as saving:
                _import_visits(visits, check=check, officer=officer, fmt=fmt, saving=saving)
            return
        assert file is not None
        _import_register(file, check=check, fmt=fmt)


def _import_visits(path: Path, *, check: bool, officer: str | None, fmt: OutputFormat, saving: ExitStack) -> None:
    """`tct import --visits`: rows from a spreadsheet, with the checks of `tct visit add`. Once every
    row is written, `saving` holds Ctrl-C back until the caller is done (tct.interrupts)."""
    import os
    from contextlib import nullcontext

    from tct import audit, bulk, interrupts, render, settings
    from tct.db import write_session
    from tct.errors import ValidationError
    from tct.i18n import in_language, label

    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ValidationError(label("cannot_read", lang(), path=path, reason=exc.strerror)) from exc

    class _Rollback(Exception):
        pass

    summary = None
    fallback = os.environ.get("TCT_OFFICER") or None
    # A big file is read and checked by a second process while this one writes (bulk.ReaderProcess),
    # forked before this process opens the register.
    reader = (bulk.ReaderProcess(path, lambda: state().db(), officer_fallback=fallback)
              if not state().opened and bulk.ReaderProcess.worth_it(path) else None)
    try:
        with handle, reader or nullcontext(), _progress(label("importing", lang())) as progress:
            try:
                with write_session(state().db()) as session:
                    summary = bulk.load(session, handle, settings=settings.load(session),
                                        actor=audit.current_actor(officer), check=check, source=path.name,
                                        officer_fallback=fallback,
                                        progress=(lambda rows: progress(rows, None)) if progress else None,
                                        batches=reader.batches() if reader is not None else None)
                    if check:
                        raise _Rollback
                    saving.enter_context(interrupts.held_back())  # (the commit, then the summary)
            except _Rollback:
                pass
    except UnicodeDecodeError as exc:
        raise ValidationError(label("visits_file_not_utf8", lang(), path=path)) from exc
    except bulk.VisitsRejected as rejected:
        problems = bulk.problems_table(rejected)
        if fmt.value in ("table", "md"):  # (JSON and CSV keep the English, as they keep codes)
            problems = [{**row, "problem": in_language(row["problem"], lang())} for row in problems]
        render.rows(problems, [("line", "line"), ("problem", "problem")],
                    "json" if fmt.value == "json" else fmt.value, lang=lang(), stream=sys.stderr)
        if lang() == "en":
            raise
        raise ValidationError(label("visits_rows_rejected", lang(), count=len(rejected.problems) + rejected.more,
                                    total=rejected.total)) from None
    assert summary is not None
    _say_warnings(summary)
    data = {"rows": summary.rows, "visits": len(summary.visits), "new_cases": summary.new_cases,
            "first": summary.visits[0] if summary.visits else None,
            "last": summary.visits[-1] if summary.visits else None, "checked_only": check}
    if fmt.value != "table":
        render.record(data, None, fmt.value, lang=lang())
    notice(label("visits_checked" if check else "visits_imported", lang(), path=path, rows=summary.rows,
                 codes=_code_ranges(summary.visits, lang())))


def _say_warnings(summary: bulk.ImportSummary) -> None:
    from tct.i18n import in_language, label

    for line, warning in summary.warnings:
        notice(label("warning_at_line", lang(), line=line, text=in_language(warning, lang())))
    for _, count, first in summary.warnings_beyond():
        notice(label("more_warnings_of_a_kind", lang(), count=count, line=first))


def _code_ranges(codes: list[str], language: str) -> str:
    """The codes given, as one range per year (each year's are consecutive: the import holds the write
    lock), in year order: a file of 2020 and 2021 visits is not 'TCD-2021-0001 to TCD-2020-0001'."""
    from tct.i18n import label

    by_year: dict[str, list[str]] = {}
    for code in codes:
        by_year.setdefault(code.split("-")[1], []).append(code)
    ranges = []
    for _, year_codes in sorted(by_year.items()):
        year_codes.sort(key=lambda code: int(code.rsplit("-", 1)[1]))
        first, last = year_codes[0], year_codes[-1]
        ranges.append(first if first == last else label("code_range", language, first=first, last=last))
    return ", ".join(ranges) or "-"


def _import_register(file: Path, *, check: bool, fmt: OutputFormat) -> None:
    from tct import exchange, render
    from tct.i18n import label

    document = exchange.load(file)
    database = state().db()
    with _progress(label("importing", lang())) as progress:
        result = exchange.import_document(database, document, check=check, progress=progress)
    if fmt.value == "json":
        render.record(result.as_dict(), None, "json")
    elif fmt.value != "table":
        render.rows([{"table": name, "rows": count} for name, count in result.counts.items()],
                    [("table", "table"), ("rows", "rows")], fmt.value, lang=lang())
    total = sum(result.counts.values())
    notice(label("import_checked" if check else "imported", lang(), path=file, rows=total))
    if result.withheld_citizens:
        notice(label("import_withheld", lang(), count=result.withheld_citizens))
