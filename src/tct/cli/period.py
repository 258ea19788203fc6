"""`tct period`: holiday periods (tet-YYYY, new-year-YYYY), custom periods and date ranges."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tct.cli.common import FormatOption, OutputFormat, lang, notice, state

if TYPE_CHECKING:
    from tct.periods import Phase, ResolvedPeriod

app = typer.Typer(help="Holiday periods: tet-YYYY, new-year-YYYY, custom periods, FROM..TO ranges.",
                  no_args_is_help=True)

_LIST_COLUMNS = [("name", "period_name"), ("title", "period_title"), ("start", "period_start"),
                 ("end", "period_end"), ("during", "period_during_column")]
_PHASE_COLUMNS = [("phase", "period_phase"), ("start", "period_start"), ("end", "period_end"),
                  ("days", "period_days")]


def _span(phase: Phase | None, readable: bool) -> str | None:
    """A phase as a person reads it (`03/02/2021 – 09/02/2021`) or as tct reads it back (ISO `..`)."""
    if phase is None:
        return None
    if not readable:
        return f"{phase.start.isoformat()}..{phase.end.isoformat()}"
    from tct.dates import day_text

    if phase.start == phase.end:
        return day_text(phase.start)
    return f"{day_text(phase.start)} – {day_text(phase.end)}"


def _list_row(period: ResolvedPeriod, readable: bool) -> dict[str, Any]:
    return {"name": period.name, "title": period.title, "kind": period.kind, "start": period.start,
            "end": period.end, "during": _span(period.phase("during"), readable)}


def _phase_rows(period: ResolvedPeriod, language: str) -> list[dict[str, Any]]:
    """The phases as rows for a person, and for Tết the lunar new year's day as a last row."""
    from tct.i18n import label

    data: list[dict[str, Any]] = [{"phase": label(f"period_phase_{p.name}", language), "start": p.start,
                                   "end": p.end, "days": p.days} for p in period.phases]
    if period.lunar_new_year is not None:
        data.append({"phase": label("period_lunar_new_year", language), "start": period.lunar_new_year,
                     "end": None, "days": None})
    return data


def _print_period(period: ResolvedPeriod, fmt: str) -> None:
    """JSON: the period's as_dict(); CSV: field,value pairs with ISO `FROM..TO` phases; else a phase table."""
    from tct import render

    if fmt == "json":
        render.record(period.as_dict(), None, "json")
    elif fmt == "csv":
        data = {"name": period.name, "title": period.title, "kind": period.kind, "start": period.start,
                "end": period.end}
        data.update({p.name: _span(p, False) for p in period.phases})
        data["lunar_new_year"] = period.lunar_new_year
        render.record(data, None, "csv")
    else:
        render.rows(_phase_rows(period, lang()), _PHASE_COLUMNS, fmt, lang=lang(),
                    title=f"{period.title} ({period.name})")


@app.command("list")
def list_(year: Annotated[int | None, typer.Option("--year", help="Calendar year [default: this year].")] = None,
          fmt: FormatOption = OutputFormat.table) -> None:
    """The holiday periods of a year and the custom periods overlapping it."""
    from tct import dates, periods, render, settings
    from tct.db import read_session

    with read_session(state().db()) as session:
        if year is None:
            year = dates.today_local(settings.load(session)["timezone"]).year
        found = periods.listing(session, year)
    if fmt.value == "json":
        render.rows([p.as_dict() for p in found], _LIST_COLUMNS, "json")
        return
    readable = fmt.value in ("table", "md")
    columns = _LIST_COLUMNS if readable else [*_LIST_COLUMNS[:2], ("kind", "period_kind"), *_LIST_COLUMNS[2:]]
    render.rows([_list_row(p, readable) for p in found], columns, fmt.value, lang=lang(),
                title=render.label("periods_of_year", lang(), year=year))


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="tet-2021, new-year-2021, a custom name, or FROM..TO.")],
         fmt: FormatOption = OutputFormat.table) -> None:
    """A period's phases with their dates (and, for Tết, the lunar new year's day)."""
    from tct import periods
    from tct.db import read_session

    with read_session(state().db()) as session:
        period = periods.resolve(session, name)
    _print_period(period, fmt.value)


@app.command("add")
def add(name: Annotated[str, typer.Argument(help="Lowercase letters, digits and dashes, e.g. plan-tet-2021.")],
        start: Annotated[str, typer.Option("--from", help="First day of 'during' (2021-02-01 or 01/02/2021).")],
        end: Annotated[str, typer.Option("--to", help="Last day of 'during'.")],
        title: Annotated[str, typer.Option("--title", help="Title printed on reports.")],
        before_days: Annotated[int, typer.Option("--before-days", help="Days in the 'before' phase.")] = 0,
        after_days: Annotated[int, typer.Option("--after-days", help="Days in the 'after' phase.")] = 0,
        fmt: FormatOption = OutputFormat.table) -> None:
    """Add a custom period (for example one plan spanning New Year and Tết)."""
    from tct import audit, periods, render
    from tct.db import write_session

    with write_session(state().db()) as session:
        period = periods.add(session, name, start=start, end=end, title=title, before_days=before_days,
                             after_days=after_days, actor=audit.current_actor())
    if fmt.value == "table":
        notice(render.label("period_added", lang(), name=period.name, title=period.title,
                            during=_span(period.phase("during"), True)))
    else:
        _print_period(period, fmt.value)


@app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="A custom period's name.")]) -> None:
    """Remove a custom period (built-in periods cannot be removed)."""
    from tct import audit, periods, render
    from tct.db import write_session

    with write_session(state().db()) as session:
        period = periods.remove(session, name, actor=audit.current_actor())
    notice(render.label("period_removed", lang(), name=period.name))
