"""`tct roster` and `tct duty`: who is on the reception desk, every day of a holiday period."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tct.cli.common import FormatOption, OutputFormat, lang, notice, output_file, reading, state

if TYPE_CHECKING:
    from datetime import date

    from sqlmodel import Session

    from tct.db import Driver

app = typer.Typer(help="Duty rosters: who receives citizens on each day and shift.", no_args_is_help=True)

OfficerArg = Annotated[str, typer.Argument(metavar="OFFICER", help="The officer's name (accents optional).")]
PeriodArg = Annotated[str | None, typer.Argument(metavar="[PERIOD]",
                                                 help="A period name, e.g. tet-2021 (or use --from/--to).")]
FromOption = Annotated[str | None, typer.Option("--from", metavar="DATE", help="First day (e.g. 03/02/2021).")]
ToOption = Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last day [default: the first day].")]

_GRID_COLUMNS = [("day", "roster_day"), ("day_off", "roster_day_off"), ("morning", "roster_morning"),
                 ("afternoon", "roster_afternoon")]
_GRID_CSV_COLUMNS = [("date", "roster_date"), ("weekday", "roster_day"), ("day_off", "roster_day_off"),
                     ("morning", "roster_morning"), ("afternoon", "roster_afternoon")]
_CHECK_COLUMNS = [("date", "roster_date"), ("problem", "roster_problem"), ("detail", "roster_detail")]
_DUTY_COLUMNS = [("officer", "roster_officer"), ("role", "roster_role"), ("shift", "roster_shift"),
                 ("hours", "roster_hours"), ("location", "roster_location")]


def _tz(session: Session | Driver) -> str:
    from tct import settings

    return str(settings.load(session)["timezone"])


def _day(text: str | None, session: Session | Driver, label: str) -> date | None:
    from tct.dates import parse_date

    # An empty value typed (`--date ""`) is an error to name, not a missing option.
    return parse_date(text, tz=_tz(session), label=label) if text is not None else None


def _range(session: Session | Driver, period: str | None, since: str | None, until: str | None
           ) -> tuple[date, date]:
    """The days a command covers: a named PERIOD, or --from [--to]."""
    from importlib.util import find_spec

    from tct.errors import UsageError
    from tct.i18n import label

    if period and (since or until):
        raise UsageError(label("period_or_range", lang()))
    if period:
        if find_spec("tct.periods") is None:
            raise UsageError(f"named periods such as {period!r} are not available in this tct; use --from D --to D2")
        from tct.periods import resolve

        resolved = resolve(session, period)
        return resolved.start, resolved.end
    if not since:
        raise UsageError(label("period_or_from", lang()))
    start = _day(since, session, "--from")
    end = _day(until, session, "--to") or start
    assert start is not None and end is not None
    return start, end


def _span(start: date, end: date) -> str:
    return f"{start:%d/%m/%Y}" if start == end else f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"


def _shift_label(name: str) -> str:
    from tct.i18n import label

    return label(f"roster_{name}", lang())


def _role_label(role: str) -> str:
    from tct.i18n import label

    return label(f"roster_role_{role}", lang())


@app.command("add")
def add(officer: OfficerArg,
        on: Annotated[str, typer.Option("--date", metavar="DATE", help="The (first) day, e.g. 03/02/2021.")],
        until: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last day of a range.")] = None,
        shift: Annotated[str | None, typer.Option("--shift", metavar="morning|afternoon|full|custom",
                                                  help="The shift, or sáng|chiều|cả ngày [default: full, or "
                                                       "custom with --start].")] = None,
        role: Annotated[str, typer.Option("--role", metavar="main|backup|leader",
                                          help="Role on the shift, or chính|dự bị|lãnh đạo.")] = "main",
        weekdays_only: Annotated[bool, typer.Option("--weekdays-only", help="Skip Saturdays and Sundays.")] = False,
        start: Annotated[str | None, typer.Option("--start", metavar="HH:MM", help="Start of a custom shift.")] = None,
        end: Annotated[str | None, typer.Option("--end", metavar="HH:MM", help="End of a custom shift.")] = None,
        location: Annotated[str | None, typer.Option("--location", help="Where the officer sits.")] = None,
        note: Annotated[str | None, typer.Option("--note", help="A note on the shift.")] = None) -> None:
    """Put an officer on one shift on each day from --date to --to."""
    from tct import audit, rosters
    from tct.db import write_session
    from tct.i18n import label

    with write_session(state().db()) as session:
        first = _day(on, session, "--date")
        last = _day(until, session, "--to") or first
        assert first is not None and last is not None
        created = rosters.add(session, officer, start=first, end=last, shift=shift, role=role,
                              weekdays_only=weekdays_only, start_time=start, end_time=end, location=location,
                              note=note, actor=audit.current_actor())
        person = rosters.resolve_officer(session, officer)
        sample = created[0]
        message = label("roster_added", lang(), count=len(created), name=person.name,
                        shift=_shift_label(sample.shift),
                        hours=rosters.hours_text(sample.start_time, sample.end_time), span=_span(first, last))
    notice(message)


@app.command("remove")
def remove(officer: OfficerArg,
           on: Annotated[str, typer.Option("--date", metavar="DATE", help="The (first) day.")],
           until: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last day of a range.")] = None,
           shift: Annotated[str | None, typer.Option("--shift", metavar="morning|afternoon|full|custom",
                                                     help="Only this shift (or sáng|chiều|cả ngày) [default: every "
                                                          "shift].")] = None,
           reason: Annotated[str | None, typer.Option("--reason", help="Why (a swap, leave); kept in tct log.")]
           = None) -> None:
    """Take an officer off the roster on those days (audited)."""
    from tct import audit, rosters
    from tct.db import write_session
    from tct.i18n import label

    with write_session(state().db()) as session:
        first = _day(on, session, "--date")
        last = _day(until, session, "--to") or first
        assert first is not None and last is not None
        removed = rosters.remove(session, officer, start=first, end=last, shift=shift, actor=audit.current_actor(),
                                 reason=reason)
    notice(label("roster_removed", lang(), count=len(removed), name=removed[0]["officer"]))


def _person(item: dict[str, Any], *, with_hours: bool) -> str:
    """An officer as the grid shows them: name, then role, custom hours, retirement when they matter."""
    from tct.i18n import label

    extras = []
    if item["role"] != "main":
        extras.append(_role_label(item["role"]))
    if with_hours:
        extras.append(f"{item['start']}-{item['end']}")
    if item["retired"]:
        extras.append(label("roster_retired", lang()))
    return item["officer"] + (f" ({', '.join(extras)})" if extras else "")


def _grid_cell(items: list[dict[str, Any]], fmt: str) -> str:
    names = [_person(item, with_hours=item["shift"] == "custom") for item in items]
    if fmt in ("table", "md") and not names:
        return "—"
    return ("\n" if fmt == "table" else "; ").join(names)


@app.command("list")
def list_(period: PeriodArg = None, since: FromOption = None, until: ToOption = None,
          fmt: FormatOption = OutputFormat.table) -> None:
    """The roster as a grid of days × morning/afternoon, with weekends and days off marked."""
    from tct import render, rosters
    from tct.i18n import label

    with reading() as source:
        start, end = _range(source, period, since, until)
        days = rosters.grid(source, start, end, lang=lang())
    if fmt.value == "json":
        keep = ("officer", "shift", "start", "end", "role", "location", "note", "retired")
        render.rows([{"date": day["date"], "weekend": day["weekend"], "holiday": day["holiday"],
                      **{half: [{key: item[key] for key in keep} for item in day[half]] for half in rosters.HALF_DAYS}}
                     for day in days], [], "json")
        return
    data = []
    for day in days:
        weekday = label(f"roster_wd_{day['date'].weekday()}", lang())
        day_off = day["holiday"] or (label("roster_weekend", lang()) if day["weekend"] else "")
        first = {"date": day["date"], "weekday": weekday} if fmt.value == "csv" else \
            {"day": f"{weekday} {day['date']:%d/%m/%Y}"}
        data.append({**first, "day_off": day_off, "morning": _grid_cell(day["morning"], fmt.value),
                     "afternoon": _grid_cell(day["afternoon"], fmt.value)})
    columns = _GRID_CSV_COLUMNS if fmt.value == "csv" else _GRID_COLUMNS
    render.rows(data, columns, fmt.value, lang=lang(),
                title=label("roster_title", lang(), start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}"))


_PROBLEMS = {"gaps": "roster_gap", "double_booked": "roster_double_booked", "retired": "roster_retired_rostered"}


def _check_rows(report: dict[str, list[dict[str, Any]]], fmt: str) -> list[dict[str, Any]]:
    """One row per problem, by day; CSV names the problem by its JSON key, for spreadsheets and scripts."""
    from tct.i18n import label

    held = {item["date"]: item for item in report["backup_only"]}
    rows = []
    for item in report["gaps"]:
        detail = ", ".join(_shift_label(half) for half in item["shifts"])
        backup = held.get(item["date"])
        if backup is not None:  # every backup-only half-day is also a gap: one row says both
            halves = ", ".join(_shift_label(half) for half in backup["shifts"])
            detail += f"; {label('roster_backup_only', lang())}: {halves} ({', '.join(backup['officers'])})"
        rows.append((item["date"], "gaps", detail))
    for item in report["double_booked"]:
        pairs = zip(item["shifts"], item["hours"], strict=True)
        rows.append((item["date"], "double_booked",
                     f"{item['officer']}: {', '.join(f'{_shift_label(name)} {hours}' for name, hours in pairs)}"))
    for item in report["retired"]:
        rows.append((item["date"], "retired",
                     f"{item['officer']}: {', '.join(_shift_label(name) for name in item['shifts'])}"))
    order = list(_PROBLEMS)
    rows.sort(key=lambda row: (row[0], order.index(row[1])))
    return [{"date": day, "problem": kind if fmt == "csv" else label(_PROBLEMS[kind], lang()), "detail": detail}
            for day, kind, detail in rows]


@app.command("check")
def check(period: PeriodArg = None, since: FromOption = None, until: ToOption = None,
          strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any half-day is uncovered.")] = False,
          fmt: FormatOption = OutputFormat.table) -> None:
    """Every day needs a main officer morning and afternoon: list gaps, double bookings, retired
    officers still rostered and half-days held only by a backup."""
    from tct import render, rosters
    from tct.errors import CheckFailed
    from tct.i18n import label

    with reading() as source:
        start, end = _range(source, period, since, until)
        report = rosters.check(source, start, end)
    gaps = sum(len(item["shifts"]) for item in report["gaps"])
    others = len(report["double_booked"]) + len(report["retired"])
    rows = _check_rows(report, fmt.value)
    if fmt.value == "json":
        render.record(report, None, "json")
    elif rows or fmt.value != "table":
        render.rows(rows, _CHECK_COLUMNS, fmt.value, lang=lang())
    span = {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
    summary = label("roster_summary", lang(), gaps=gaps, **span)
    if others:
        summary += "; " + label("roster_other_problems", lang(), count=others)
    if strict and gaps:
        raise CheckFailed(label("check_exit", lang(), summary=summary))
    notice(summary if gaps or others else label("roster_ok", lang(), **span))


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="officer,date,shift,role,location,note",
                                                 dir_okay=False)]) -> None:
    """Add the shifts of a CSV file: all of them, or none when any row is bad.

    Dates day-first (13/02/2021) or ISO; shift morning, afternoon, full (the default) or custom
    hours such as 08:00-10:00; role main (the default), backup or leader. `roster export` writes
    this format.
    """
    from tct import audit, rosters
    from tct.db import write_session
    from tct.errors import ValidationError
    from tct.i18n import in_language, label

    text = _read_text(file)
    with write_session(state().db()) as session:
        try:
            created = rosters.import_csv(session, text, actor=audit.current_actor(), source=file.name)
        except rosters.ImportRejected as exc:
            for line, problem in exc.problems:
                notice(label("roster_bad_row", lang(), file=file.name, line=line,
                             problem=in_language(problem, lang())))
            raise ValidationError(exc.message if lang() == "en" else label(
                "roster_rows_rejected", lang(), count=len(exc.problems), file=file.name)) from None
    notice(label("roster_imported", lang(), count=len(created), file=file.name))


def _read_text(file: Path) -> str:
    from tct.errors import ValidationError
    from tct.i18n import label

    limit = 20 * 1024 * 1024
    try:
        if file.stat().st_size > limit:
            raise ValidationError(label("file_too_large", lang(), path=file, mb=limit // (1024 * 1024)))
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(label("file_not_utf8", lang(), path=file)) from None
    except OSError as exc:
        raise ValidationError(label("cannot_read", lang(), path=file, reason=exc.strerror or exc)) from None


@app.command("export")
def export(period: PeriodArg = None,
           output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", dir_okay=False,
                                                       help="Write to FILE (mode 0600) instead of stdout.")] = None,
           since: Annotated[str | None, typer.Option("--from", metavar="DATE", help="From this day.")] = None,
           until: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Up to this day.")] = None,
           force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False) -> None:
    """The roster as CSV in the import format (officer,date,shift,role,location,note): all of it, a
    named PERIOD's days (as `roster list PERIOD`), or from --from up to --to."""
    from tct import render, rosters
    from tct.db import read_session
    from tct.i18n import label

    with read_session(state().db()) as session:
        if period:
            first, last = _range(session, period, since, until)
            data = rosters.export_rows(session, first, last)
        else:
            data = rosters.export_rows(session, _day(since, session, "--from"), _day(until, session, "--to"))
    text = render.csv_string(data, [(column, column) for column in rosters.CSV_COLUMNS])
    output = output_file(output)
    if output is None:
        render.text_block(text)
        return
    render.write_private(output, text.encode("utf-8"), force=force)
    notice(label("roster_exported", lang(), count=len(data), file=output))


def duty(at: Annotated[str | None, typer.Option("--at", metavar="DATETIME",
                                                help="When, e.g. '10/02/2021 09:00' [default: now].")] = None,
         fmt: FormatOption = OutputFormat.table) -> None:
    """Who is on duty at the reception desk now (or at --at)."""
    from tct import dates, render, rosters
    from tct.db import read_session
    from tct.i18n import label

    with read_session(state().db()) as session:
        tz = _tz(session)
        moment = dates.parse_datetime(at, tz=tz, label="--at") if at else dates.now_local(tz)
        people = rosters.on_duty(session, moment)
    when = moment.strftime("%d/%m/%Y %H:%M")
    if fmt.value == "json":
        render.rows(people, [], "json")
        return
    if not people:
        notice(label("duty_nobody", lang(), at=when))
        if fmt.value == "table":
            return
    readable = fmt.value != "csv"
    data = [{**item, "role": _role_label(item["role"]) if readable else item["role"],
             "shift": _shift_label(item["shift"]) if readable else item["shift"],
             "hours": f"{item['start']}-{item['end']}"} for item in people]
    render.rows(data, _DUTY_COLUMNS, fmt.value, lang=lang(), title=label("duty_title", lang(), at=when))
