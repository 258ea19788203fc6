"""`tct case`: the lifecycle, deadlines, flags and referrals of cases; `tct alerts`, `tct hotspots`."""

from __future__ import annotations

from typing import Annotated

import typer

from tct.cli.common import FormatOption, OutputFormat, at_most, lang, notice, reading, session_for, started, state

app = typer.Typer(help="Cases (vụ việc): lifecycle, deadlines, flags, referrals.", no_args_is_help=True)

Code = Annotated[str, typer.Argument(help="Case code, e.g. VV-2021-0001.")]
Day = Annotated[str | None, typer.Option("--date", help="When it happened [default: today].")]
Note = Annotated[str | None, typer.Option("--note", help="A note kept with the step.")]
Decided = Annotated[str | None, typer.Option("--date", help="Day of the decision, when entered later: the backlog "
                                                            "of that day counts it [default: today].")]

_LIST_COLUMNS = [("code", "code"), ("type", "visit_type"), ("status", "status"), ("deadline", "deadline"),
                 ("flags", "flags"), ("locality", "locality")]
_SHOW_FIELDS = [("code", "code"), ("type", "visit_type"), ("field", "field"), ("locality", "locality"),
                ("summary", "content"), ("citizen", "citizen"), ("within_authority", "within_authority"),
                ("status", "status"), ("result", "result"), ("transferred_to", "transferred_to"),
                ("opened_on", "opened_on"), ("accepted_on", "accepted_on"), ("resolved_on", "resolved_on"),
                ("closed_on", "closed_on"), ("deadline", "deadline"), ("days_overdue", "days_overdue"),
                ("extension_days", "extension_days"), ("flags", "flags"), ("visits", "visits")]


def _parse_day(text: str | None, session, label: str = "--date"):  # type: ignore[no-untyped-def]
    from tct import settings
    from tct.dates import parse_date

    if text is None:
        return None
    return parse_date(text, tz=settings.load(session)["timezone"], label=label)


@app.command("list")
def list_(status: Annotated[str | None, typer.Option("--status", help="new|accepted|resolved|closed|guided|"
                                                                       "transferred|open.")] = None,
          type_: Annotated[str | None, typer.Option("--type", help="complaint|denunciation|petition|feedback.")
                           ] = None,
          flag: Annotated[str | None, typer.Option("--flag", help="crowd|repeat|escalated|complex|hotspot.")] = None,
          locality: Annotated[str | None, typer.Option("--locality", help="Locality (accents optional).")] = None,
          search: Annotated[str | None, typer.Option("--search", help="Text in the summary or locality.")] = None,
          overdue: Annotated[bool, typer.Option("--overdue", help="Open cases past their deadline.")] = False,
          # (max: tct.cases.MAX_DUE_WITHIN_DAYS, written out so `tct case --help` loads no library module)
          due_within: Annotated[int | None, typer.Option("--due-within", min=0, max=3650,
                                                         help="Open cases due within N days.")] = None,
          on: Annotated[str | None, typer.Option("--on", help="Judge deadlines on this day [default: today].")
                        ] = None,
          limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 200,
          reveal: Annotated[bool, typer.Option("--reveal", help="Show denouncers' names (audited).")] = False,
          fmt: FormatOption = OutputFormat.table) -> None:
    """Cases, the most urgent deadline first."""
    from tct import audit, cases, render, settings

    with session_for(reveal=reveal) as session:
        wanted = cases.CaseFilter(status=status, type=type_, flag=flag, locality=locality, search=search,
                                  overdue=overdue, due_within=due_within, on=_parse_day(on, session, "--on"),
                                  limit=limit + 1)
        data = at_most(cases.listing(session, wanted, settings=settings.load(session), reveal=reveal), limit)
        if reveal:
            denunciations = [c["code"] for c in data if c["type"] == "denunciation"]
            audit.reveal(session, entity="case", after={"cases": denunciations})
    render.rows(data, _LIST_COLUMNS, fmt.value, lang=lang(), fields=_LIST_FIELDS)


# The keys of a listed case (cases.as_dict): the CSV header of an empty list too.
_LIST_FIELDS = ("code", "type", "field", "locality", "summary", "within_authority", "status", "result",
                "transferred_to", "opened_on", "accepted_on", "resolved_on", "closed_on", "deadline", "days_overdue",
                "extension_days", "flags", "visits", "citizen")


@app.command("show")
def show(code: Code, reveal: Annotated[bool, typer.Option("--reveal", help="Show a denouncer's name (audited).")
                                       ] = False,
         fmt: FormatOption = OutputFormat.table) -> None:
    """A case and its timeline: visits, status changes, flags, referrals, deadline — in time order."""
    from tct import audit, cases, render, settings

    with session_for(reveal=reveal) as session:  # (a write, which waits for other desks, only to audit a reveal)
        current = settings.load(session)
        case = cases.get(session, code)
        data = _one(session, case, current, reveal)
        data["timeline"] = cases.timeline(session, case, tz=current["timezone"])
        if cases.protects_citizen(session, case):
            if reveal:
                audit.reveal(session, entity="case", code=case.code)
            else:  # (its locality, left out above, is also the place a hotspot's reason names)
                from tct.i18n import reason_without_place

                data["timeline"] = [{**event, "reason": reason_without_place(event["reason"])}
                                    if event["event"] == "flag" and event.get("source") == "auto" else event
                                    for event in data["timeline"]]
    if fmt.value == "json":
        render.record(data, None, "json")
        return
    render.record(data, _SHOW_FIELDS, fmt.value, lang=lang(), title=data["code"])
    # (CSV keeps the event's own text, as JSON: the codes, whatever the language)
    said = [{**event, "why": event.get("reason") or event.get("note")} if fmt.value == "csv" else
            {**event, "text": timeline_text(event, lang()), "why": _why(event, lang())}
            for event in data["timeline"]]
    render.rows(said, [("date", "date"), ("event", "event"), ("text", "text"), ("why", "tl_why")], fmt.value,
                lang=lang(), follows=True)


def _why(event: dict, language: str) -> str | None:  # type: ignore[type-arg]
    """The event's reason or note; tct's own (an automatic flag's reason, the note of a petition
    closed as answered at the desk: stored in English) in `language`."""
    from tct.i18n import reason_label

    why = event.get("reason") or event.get("note")
    tcts = (event["event"] == "flag" and event.get("source") == "auto") or (
        event["event"] == "status" and (event.get("from_status"), event.get("to_status")) == ("new", "closed"))
    return reason_label(why, language) if tcts else why


def timeline_text(event: dict, language: str) -> str:  # type: ignore[type-arg]
    """An event of cases.timeline said in `language`, from its data."""
    from tct.i18n import label, value_label

    kind = event["event"]
    if kind == "visit":
        return label("tl_visit_one" if event["people"] == 1 else "tl_visit", language, code=event["code"],
                     people=event["people"],
                     handling=value_label("handling", event["handling"], language)) + (
            label("tl_void", language) if event["void"] else "")
    if kind == "status":
        text = label("tl_status", language, before=value_label("status", event["from_status"], language),
                     after=value_label("status", event["to_status"], language))
        if event["result"]:
            return text + label("tl_result", language, result=value_label("result", event["result"], language))
        return text + (label("tl_agency", language, agency=event["agency"]) if event["agency"] else "")
    if kind == "flag":
        flag = value_label("flag", event["flag"], language)
        if event["cleared"]:
            return label("tl_flag_cleared", language, flag=flag)
        return label("tl_flag_set", language, flag=flag, source=value_label("source", event["source"], language))
    if kind == "referral":
        return label("tl_referral", language, to=event["to"])
    if kind == "extension":
        return label("tl_extension", language, days=event["days"])
    return str(event["text"])  # (an event of a newer tct)


def _one(session, case, current, reveal: bool) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from sqlalchemy import func
    from sqlmodel import col, select

    from tct import cases
    from tct.dates import today_local
    from tct.flags import active_flags_by_case
    from tct.models import Citizen, Visit
    from tct.text import initials

    visits = session.exec(select(func.count()).where(col(Visit.case_id) == case.id,
                                                     col(Visit.void).is_(False))).one()
    person = session.get(Citizen, case.citizen_id) if case.citizen_id else None
    name = person.name if person else None
    hidden = not reveal and cases.protects_citizen(session, case)
    if name and hidden:
        name = initials(name)
    return cases.as_dict(case, flags=active_flags_by_case(session, [case.id]).get(case.id, []), visits=visits,
                         citizen=name, today=today_local(current["timezone"]), masked=hidden)


def _step(code: str, action: str, **values) -> None:  # type: ignore[no-untyped-def]
    from tct import audit, cases, settings
    from tct.dates import day_text
    from tct.db import write_session
    from tct.i18n import label, value_label

    with write_session(state().db()) as session:
        day = _parse_day(values.pop("day", None), session)
        case = cases.transition(session, code, action, settings=settings.load(session), actor=audit.current_actor(),
                                on=day, **values)
    notice(label("case_step" if case.deadline else "case_step_no_deadline", lang(), code=case.code,  # (not "hạn -")
                 status=value_label("status", case.status, lang()), deadline=day_text(case.deadline)))


@app.command("accept")
def accept(code: Code, day: Day = None, note: Note = None) -> None:
    """Accept the case for resolution (thụ lý); the resolution deadline runs from this date."""
    _step(code, "accept", day=day, note=note)


@app.command("resolve")
def resolve(code: Code, result: Annotated[str, typer.Option("--result", help="upheld|partly-upheld|rejected|"
                                                                             "withdrawn.")],
            day: Day = None, note: Note = None) -> None:
    """Record the resolution and its result."""
    _step(code, "resolve", day=day, note=note, result=result)


@app.command("close")
def close(code: Code, day: Day = None, note: Note = None) -> None:
    """Close a resolved, guided or transferred case."""
    _step(code, "close", day=day, note=note)


@app.command("transfer")
def transfer(code: Code, to: Annotated[str, typer.Option("--to", help="The competent agency.")],
             day: Day = None, note: Note = None) -> None:
    """Forward the case to the competent agency (chuyển đơn)."""
    _step(code, "transfer", day=day, note=note, agency=to)


@app.command("guide")
def guide(code: Code, day: Day = None, note: Note = None) -> None:
    """Outside this agency's authority: the citizen was shown where to go (hướng dẫn)."""
    _step(code, "guide", day=day, note=note)


@app.command("reopen")
def reopen(code: Code, reason: Annotated[str, typer.Option("--reason", help="Why it is reopened.")],
           day: Day = None) -> None:
    """Reopen a finished case."""
    _step(code, "reopen", day=day, note=reason)


@app.command("extend")
def extend(code: Code, days: Annotated[int, typer.Option("--days", help="Days added to the deadline.")],
           reason: Annotated[str, typer.Option("--reason", help="Why (kept in the case's history).")],
           particularly_complex: Annotated[bool, typer.Option("--particularly-complex",
                                                              help="Allows a second extension.")] = False,
           day: Decided = None) -> None:
    """Extend a complex denunciation's deadline (Law on Denunciations 2018)."""
    from tct import audit, cases, settings
    from tct.dates import day_text
    from tct.db import write_session
    from tct.i18n import label, value_label

    with write_session(state().db()) as session:
        case = cases.extend(session, code, days=days, reason=reason, settings=settings.load(session),
                            actor=audit.current_actor(), particularly_complex=particularly_complex,
                            on=_parse_day(day, session))
    notice(label("case_step", lang(), code=case.code, status=value_label("status", case.status, lang()),
                 deadline=day_text(case.deadline)))


def _flag_kind(crowd: bool, repeat: bool, escalated: bool, complex_: bool, hotspot: bool) -> str:
    from tct.errors import UsageError
    from tct.i18n import label

    chosen = [k for k, on in (("crowd", crowd), ("repeat", repeat), ("escalated", escalated),
                              ("complex", complex_), ("hotspot", hotspot)) if on]
    if len(chosen) != 1:
        raise UsageError(label("one_flag_kind", lang()))
    return chosen[0]


Crowd = Annotated[bool, typer.Option("--crowd", help="Crowd (đông người).")]
Repeat = Annotated[bool, typer.Option("--repeat", help="Repeat visits.")]
Escalated = Annotated[bool, typer.Option("--escalated", help="Escalated (vượt cấp).")]
Complex = Annotated[bool, typer.Option("--complex", help="Complex (phức tạp): longer legal deadline.")]
Hotspot = Annotated[bool, typer.Option("--hotspot", help="Hotspot (điểm nóng).")]
Reason = Annotated[str | None, typer.Option("--reason", help="Why (required).")]


@app.command("flag")
def flag(code: Code, crowd: Crowd = False, repeat: Repeat = False, escalated: Escalated = False,
         complex_: Complex = False, hotspot: Hotspot = False, reason: Reason = None, day: Decided = None) -> None:
    """Flag a case by hand, with a reason."""
    _flag("flag", code, _flag_kind(crowd, repeat, escalated, complex_, hotspot), reason, day)


@app.command("unflag")
def unflag(code: Code, crowd: Crowd = False, repeat: Repeat = False, escalated: Escalated = False,
           complex_: Complex = False, hotspot: Hotspot = False, reason: Reason = None, day: Decided = None) -> None:
    """Clear a flag, with a reason (kept in the case's history)."""
    _flag("unflag", code, _flag_kind(crowd, repeat, escalated, complex_, hotspot), reason, day)


def _flag(action: str, code: str, kind: str, reason: str | None, day: str | None) -> None:
    from tct import audit, flags, settings
    from tct.db import write_session
    from tct.i18n import label, value_label

    with write_session(state().db()) as session:
        operation = flags.flag if action == "flag" else flags.unflag
        case = operation(session, code, kind, reason=reason, settings=settings.load(session),
                         actor=audit.current_actor(), on=_parse_day(day, session))
    notice(label(f"case_{action}ged", lang(), code=case.code, kind=value_label("flag", kind, lang())))


@app.command("refer")
def refer(code: Code, to: Annotated[str, typer.Option("--to", help="Agency (setting referral.agencies, or any).")],
          day: Day = None, note: Note = None) -> None:
    """Record that information on the case was sent to another agency."""
    from tct import audit, cases, settings
    from tct.db import write_session
    from tct.i18n import label

    with write_session(state().db()) as session:
        referral = cases.refer(session, code, to=to, on=_parse_day(day, session), note=note,
                               settings=settings.load(session), actor=audit.current_actor())
    notice(label("case_referred", lang(), code=code.upper(), to=referral.to_agency))


def alerts(check: Annotated[bool, typer.Option("--check", help="Exit 1 when there is any alert, 0 when none.")
                            ] = False,
           on: Annotated[str | None, typer.Option("--on", help="As of this day [default: today].")] = None,
           fmt: FormatOption = OutputFormat.table) -> None:
    """What the desk reads each morning: flagged cases, deadlines, delegations, repeat visitors."""
    from tct import alerts as library
    from tct import render, settings
    from tct.dates import today_local
    from tct.errors import CheckFailed
    from tct.i18n import label
    from tct.render import display

    with reading(create=False) as source:
        current = settings.load(source)
        day = _parse_day(on, source, "--on") or today_local(current["timezone"])
        data = library.morning(source, current, day)
    if fmt.value == "json":
        render.record(data, None, "json")
    else:
        sections = [("flagged", [("code", "code"), ("type", "visit_type"), ("status", "status"),
                                 ("flags", "flags"), ("deadline", "deadline")]),
                    ("deadlines", [("code", "code"), ("type", "visit_type"), ("status", "status"),
                                   ("deadline", "deadline"), ("days_left", "days_left")]),
                    ("delegations", [("code", "code"), ("case", "case"), ("visit_date", "date"),
                                     ("people", "people"), ("locality", "locality")]),
                    ("repeat_citizens", [("citizen", "citizen"), ("days", "days"), ("last_visit", "last_visit")])]
        for key, columns in sections:
            if data[key]:
                render.rows(data[key], columns, fmt.value, lang=lang(), title=label(f"alerts_{key}", lang()))
        if not data["count"]:
            notice(label("alerts_none", lang(), on=display(data["on"], lang())))
    if check and data["count"]:
        raise CheckFailed(label("alerts_found", lang(), count=data["count"]))


def hotspots(named: Annotated[str | None, typer.Argument(metavar="[PERIOD]", help="A period name, e.g. tet-2021 "
                                                                               "(as --period).")] = None,
             since: Annotated[str | None, typer.Option("--from", help="From this day [default: the hotspot "
                                                                       "window before today].")] = None,
             until: Annotated[str | None, typer.Option("--to", help="Up to this day [default: today].")] = None,
             period: Annotated[str | None, typer.Option("--period", help="A period name, e.g. tet-2021 (as "
                                                                         "`visit list --period`).")] = None,
             fmt: FormatOption = OutputFormat.table) -> None:
    """Localities ranked by crowd, repeat and escalated cases."""
    from datetime import timedelta

    from tct import flags, render, settings
    from tct.dates import today_local
    from tct.db import read_session
    from tct.errors import ValidationError

    if named and period and named != period:  # (`tct hotspots tet-2021`, as `tct report tet-2021`)
        from tct.errors import UsageError
        from tct.i18n import label

        raise UsageError(label("one_period", lang(), named=named, option=period))
    period = period or named
    with read_session(state().db(create=False)) as session:
        current = settings.load(session)
        end = _parse_day(until, session, "--to")
        start = _parse_day(since, session, "--from")
        if period:  # (the period's days, narrowed by --from/--to if given, as `visit list --period`)
            from tct.periods import resolve

            span = resolve(session, period)
            start, end = max(start or span.start, span.start), min(end or span.end, span.end)
        end = end or today_local(current["timezone"])
        start = start or end - timedelta(days=int(current["hotspot.window_days"]))
        if end < start:
            from tct.i18n import label

            raise ValidationError(label("to_before_from", lang()))
        started(session)
        data = flags.hotspots(session, start, end)
    render.rows(data, [("locality", "locality"), ("crowd_cases", "crowd_cases"), ("repeat_cases", "repeat_cases"),
                       ("escalated_cases", "escalated_cases"), ("visits", "visits"), ("hotspot", "hotspot")],
                fmt.value, lang=lang(), fields=("locality", "crowd_cases", "repeat_cases", "escalated_cases", "cases",
                                                "visits", "people", "hotspot"))
