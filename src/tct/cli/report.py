"""`tct report PERIOD`: the holiday-period report for the agency's leadership and the provincial inspectorate."""

from __future__ import annotations

import io
import os
from enum import StrEnum
from typing import Annotated, Any

import typer

from tct.cli.common import lang as global_lang
from tct.cli.common import notice, output_file, reading


class ReportFormat(StrEnum):
    table = "table"
    md = "md"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def report(period: Annotated[str, typer.Argument(help="tet-2021, new-year-2021, a custom period, or "
                                                      "2021-02-01..2021-02-28.")],
           fmt: Annotated[ReportFormat | None, typer.Option(
               "--format", "-f", case_sensitive=False, show_default=False,
               help="Output format [default: the --output file's suffix (.xlsx, .csv, .json, .md), else table]."
           )] = None,
           output: Annotated[str | None, typer.Option("--output", "-o", help="Write to this file (mode 0600).")
                             ] = None,
           force: Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")] = False,
           lang: Annotated[str | None, typer.Option("--lang", metavar="vi|en", help="Language of the labels.")
                           ] = None,
           reveal: Annotated[bool, typer.Option("--reveal", help="Full names in flagged cases (never a "
                                                                 "denouncer's).")] = False) -> None:
    """The reception results of a period: before, during and after the holiday."""
    from tct import audit, periods, settings
    from tct import report as library
    from tct.errors import UsageError

    language = _language(lang)
    output = output_file(output)
    if fmt is None:  # (`-o bao-cao.xlsx` means a workbook: a table's text in it would not open)
        fmt = _SUFFIXES.get(os.path.splitext(output)[1].lower(), ReportFormat.table) if output else ReportFormat.table
    if fmt.value == "xlsx" and not output:
        from tct.i18n import label

        raise UsageError(label("xlsx_needs_output", global_lang()))
    with reading(reveal=reveal, create=False) as source:
        current = settings.load(source)
        resolved = periods.resolve(source, period)
        data = library.build(source, resolved, current, reveal=reveal)
        if reveal:
            audit.reveal(source, entity="report", code=resolved.name,
                         after={"cases": [c["code"] for c in data["flagged_cases"]]})
        # (delivered before the reveal is committed: a file that cannot be written revealed nothing)
        _deliver(data, resolved, fmt, language, output, force=force)


def _deliver(data: dict[str, Any], resolved: Any, fmt: ReportFormat, language: str, output: str | None, *,
             force: bool) -> None:
    """The report printed or written to `output`, in `fmt`."""
    from tct import render

    if not data["reception"]["total"]["visits"]:  # (a period mistyped, or a register not the office's)
        from tct.dates import day_text

        notice(render.label("report_no_visits", language, start=day_text(resolved.start),
                            end=day_text(resolved.end)))
    if fmt.value == "json":
        content = render.to_json(data) + "\n"
    else:
        title, header, sections = layout(data, language, screen=fmt.value == "table")
        if fmt.value == "xlsx":
            assert output is not None
            render.write_private(output, render.xlsx_bytes(sections, title=title, header=header, lang=language),
                                 force=force)
            notice(render.label("report_written", language, path=output))
            return
        if output is None:
            render.document(sections, fmt.value, title=title, header=header, lang=language)
            return
        buffer = io.StringIO()
        render.document(sections, fmt.value, title=title, header=header, lang=language, stream=buffer)
        content = buffer.getvalue()
    if output is None:
        typer.echo(content, nl=False)
        return
    render.write_private(output, content.encode("utf-8"), force=force)
    notice(render.label("report_written", language, path=output))


_SUFFIXES = {".xlsx": ReportFormat.xlsx, ".csv": ReportFormat.csv, ".json": ReportFormat.json,
             ".md": ReportFormat.md}


def _language(option: str | None) -> str:
    from tct.errors import UsageError
    from tct.i18n import LANGUAGES

    if option is None:
        return global_lang()
    if option.lower() not in LANGUAGES:
        from tct.i18n import label

        raise UsageError(label("report_lang_choice", global_lang()))
    return option.lower()


def layout(data: dict[str, Any], lang: str, *, screen: bool = False) -> tuple[str, list[str], list]:  # type: ignore[type-arg]
    """The report as titled tables with the official terms in the reader's language.

    On screen the reception tables are turned (measures down, phases across) to fit 80 columns;
    documents keep the official form's layout, one row per phase.
    """
    from tct.dates import iso_text
    from tct.i18n import label, value_label
    from tct.render import Section, display

    def lab(key: str, **values: Any) -> str:
        return label(key, lang, **values)

    period = data["period"]
    title = lab("report_title", title=period["title"])
    header = [data["agency"] or lab("report_no_agency"),
              lab("report_dates", start=display(period["start"], lang), end=display(period["end"], lang)),
              lab("report_made", at=iso_text(data["made_at"]))]
    # A period of one phase spanning it (a range of dates, a custom period without days before or
    # after) is shown by its total alone: a "during the holiday" column beside an equal total would
    # call any range a holiday.
    parts = [p for p in period["phases"] if (p["start"], p["end"]) != (period["start"], period["end"])
             or len(period["phases"]) > 1]
    phases = [p["name"] for p in parts] + ["total"]
    dates = {p["name"]: f"{display(p['start'], lang)}–{display(p['end'], lang)}" for p in parts}
    reception_columns = [("phase", lab("report_phase"))] + [(k, lab(f"rc_{k}")) for k in (
        "visits", "people", "cases_old", "cases_new", "delegations", "delegation_people",
        "delegation_cases_old", "delegation_cases_new")]
    header += [f"{lab(f'phase_{p}')}: {dates[p]}" for p in phases if p in dates]
    if data.get("backlog_on", period["end"]) < period["end"]:
        header.append(lab("report_not_over", on=display(data["backlog_on"], lang)))
    sections = []
    for kind in ("all", "regular", "leader"):
        def counts(phase: str, kind: str = kind) -> dict[str, int]:
            return data["reception"][phase] if kind == "all" else data["reception"][phase][kind]

        if screen:
            columns = [("measure", "")] + [(p, lab(f"phase_{p}")) for p in phases]
            rows = [{"measure": name, **{p: counts(p)[key] for p in phases}} for key, name in reception_columns[1:]]
        else:
            columns = reception_columns
            rows = [{"phase": lab(f"phase_{p}"), **{k: counts(p)[k] for k, _ in reception_columns[1:]}}
                    for p in phases]
        sections.append(Section(f"reception_{kind}", lab(f"report_reception_{kind}"), columns, rows))
    content = data["content"]
    sections.append(Section("content_type", lab("report_content_type"),
                            [("name", lab("visit_type")), ("visits", lab("rc_visits")), ("cases", lab("cases"))],
                            [{"name": value_label("type", k, lang), **v} for k, v in content["by_type"].items()]))
    sections.append(Section("content_field", lab("report_content_field"),
                            [("name", lab("field")), ("visits", lab("rc_visits")), ("cases", lab("cases"))],
                            [{"name": value_label("field", k, lang), **v} for k, v in content["by_field"].items()]))
    types = list(content["cases_by_type_field"])
    sections.append(Section("content_type_field", lab("report_content_type_field"),
                            [("name", lab("field"))] + [(t, value_label("type", t, lang)) for t in types],
                            [{"name": value_label("field", f, lang),
                              **{t: content["cases_by_type_field"][t][f] for t in types}}
                             for f in content["by_field"]]))
    sections.append(Section("handling", lab("report_handling"),
                            [("name", lab("handling")), ("visits", lab("rc_visits"))],
                            [{"name": value_label("handling", k, lang), "visits": v}
                             for k, v in data["handling"].items()]))
    sections.append(Section("resolution", lab("report_resolution"),
                            [("name", lab("status")), ("cases", lab("cases"))],
                            [{"name": value_label("status", k, lang), "cases": v}
                             for k, v in data["resolution"].items()]))
    sections.append(Section("flagged_cases", lab("report_flagged"),
                            [("code", lab("code")), ("type", lab("visit_type")), ("flags", lab("flags")),
                             ("status", lab("status")), ("deadline", lab("deadline")), ("citizen", lab("citizen"))],
                            [{**c, "type": value_label("type", c["type"], lang),
                              "flags": [value_label("flag", f, lang) for f in c["flags"]],
                              "status": value_label("status", c["status"], lang)} for c in data["flagged_cases"]]))
    sections.append(Section("backlog", lab("report_backlog"),
                            [("code", lab("code")), ("type", lab("visit_type")), ("deadline", lab("deadline")),
                             ("days_overdue", lab("days_overdue"))],
                            [{**c, "type": value_label("type", c["type"], lang)} for c in data["backlog"]]))
    sections.append(Section("duty", lab("report_duty"), [("date", lab("date")), ("officers", lab("officer"))],
                            data["duty"]["days"]))
    sections.append(Section("duty_gaps", lab("report_duty_gaps"), [("date", lab("date")), ("shifts", lab("shifts"))],
                            [{"date": g["date"], "shifts": [value_label("shift", s, lang) for s in g["shifts"]]}
                             for g in data["duty"]["gaps"]]))
    sections.append(Section("referrals", lab("report_referrals"),
                            [("date", lab("date")), ("case", lab("case")), ("to", lab("report_to"))],
                            data["referrals"]))
    return title, header, sections
