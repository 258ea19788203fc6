"""`tct visit`: logging visits at the desk, and finding, correcting and voiding them."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from tct.cli.common import (
    FormatOption,
    OutputFormat,
    at_most,
    confirm,
    lang,
    notice,
    reading,
    state,
    stdin_is_terminal,
    words_of,
)

app = typer.Typer(help="Visits (lượt tiếp): log, list, show, edit, void.", no_args_is_help=True)

_LIST_COLUMNS = [("code", "code"), ("visited", "visited_at"), ("citizen", "citizen"), ("type", "visit_type"),
                 ("people", "people"), ("case", "case")]
_SHOW_FIELDS = [("code", "code"), ("case", "case"), ("visited", "visited_at"), ("citizen", "citizen"),
                ("id_number", "id_number"), ("address", "address"), ("phone", "phone"), ("locality", "locality"),
                ("people", "people"), ("delegation", "delegation"), ("representatives", "representatives"),
                ("type", "visit_type"), ("field", "field"), ("content", "content"), ("handling", "handling"),
                ("kind", "reception_kind"), ("escalated", "escalated"), ("officer", "officer"), ("note", "note"),
                ("void", "void"), ("void_reason", "reason")]

# Tab offers the words of the fixed lists (the fields are the office's own: a setting)
_TYPES, _HANDLINGS, _KINDS = words_of("VISIT_TYPES"), words_of("HANDLINGS"), words_of("RECEPTION_KINDS")
Citizen = Annotated[str | None, typer.Option("--citizen", help="The citizen's full name (required).")]
IdNumber = Annotated[str | None, typer.Option("--id-number", help="CCCD (12 digits) or CMND (9 digits).")]
Address = Annotated[str | None, typer.Option("--address", help="The citizen's address.")]
Phone = Annotated[str | None, typer.Option("--phone", help="The citizen's phone.")]
Locality = Annotated[str | None, typer.Option("--locality", help="Commune/ward, district (for hotspots).")]
People = Annotated[int | None, typer.Option("--people", help="People who came (1–500) [default: 1].")]
Representatives = Annotated[str | None, typer.Option("--representatives",
                                                     help="A delegation's representatives: 'A; B'.")]
VisitType = Annotated[str | None, typer.Option("--type", autocompletion=_TYPES,
                                               help="complaint|denunciation|petition|feedback "
                                                    "(khieu-nai, to-cao, kien-nghi, phan-anh).")]
Field = Annotated[str | None, typer.Option("--field", help="Field (setting visit.fields), e.g. land.")]
Content = Annotated[str | None, typer.Option("--content", help="What the citizen asks or reports.")]
At = Annotated[str | None, typer.Option("--at", help="When: 10/02/2021 08:30, 2021-02-10 08:30, hôm nay 8:30 "
                                                     "[default: now].")]
OfficerOpt = Annotated[str | None, typer.Option("--officer", help="Receiving officer [default: the main officer "
                                                                  "rostered then, else TCT_OFFICER].")]
CaseOpt = Annotated[str | None, typer.Option("--case", help="Attach to this existing case (VV-YYYY-NNNN).")]
Handling = Annotated[str | None, typer.Option("--handling", autocompletion=_HANDLINGS,
                                              help="accepted|guided|transferred|answered|refused [default: guided].")]
Kind = Annotated[str | None, typer.Option("--kind", autocompletion=_KINDS, help="regular|leader [default: regular].")]
Note = Annotated[str | None, typer.Option("--note", help="A note for the register.")]
# `visit edit` changes only the options it is given: no option of its is required or has a default.
NewCitizen = Annotated[str | None, typer.Option("--citizen", help="The citizen's full name.")]
NewPeople = Annotated[int | None, typer.Option("--people", help="People who came (1–500).")]
NewAt = Annotated[str | None, typer.Option("--at", help="When: 10/02/2021 08:30, 2021-02-10 08:30, hôm nay 8:30.")]
NewOfficer = Annotated[str | None, typer.Option("--officer", help="Receiving officer.")]
NewHandling = Annotated[str | None, typer.Option("--handling", autocompletion=_HANDLINGS,
                                                 help="accepted|guided|transferred|answered|refused")]
NewKind = Annotated[str | None, typer.Option("--kind", autocompletion=_KINDS, help="regular|leader.")]


def _warn(lines: list[str]) -> None:
    from tct.i18n import in_language, label

    for line in lines:
        notice(label("warning_line", lang(), text=in_language(line, lang())))


@app.command("add")
def add(citizen: Citizen = None, id_number: IdNumber = None, address: Address = None, phone: Phone = None,
        locality: Locality = None, people: People = None, representatives: Representatives = None,
        type_: VisitType = None, field: Field = None, content: Content = None, at: At = None,
        officer: OfficerOpt = None, case: CaseOpt = None, handling: Handling = None, kind: Kind = None,
        escalated: Annotated[bool, typer.Option("--escalated", help="The citizen went above this level "
                                                                    "(vượt cấp).")] = False,
        note: Note = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation at a terminal.")] = False,
        fmt: FormatOption = OutputFormat.table) -> None:
    """Log a visit; prints its code and its case's code."""
    from tct import audit, settings, visits
    from tct.db import read_session, write_session

    typed = visits.VisitInput(citizen=citizen, id_number=id_number, address=address, phone=phone,
                              locality=locality, people=people, representatives=representatives, type=type_,
                              field=field, content=content, at=at, officer=officer, case=case, handling=handling,
                              kind=kind, escalated=escalated, note=note)
    fallback = os.environ.get("TCT_OFFICER") or None
    missing = visits.missing_for_add(typed, officer_known=True)
    database = state().db()
    if missing or (stdin_is_terminal() and not yes and not _complete(typed)):
        if not stdin_is_terminal():
            from tct.errors import UsageError
            from tct.i18n import label

            raise UsageError(label("missing_no_terminal", lang(), options=", ".join(missing)))
        with read_session(database) as session:
            _ask(session, typed, settings.load(session), fallback)
    with write_session(database) as session:
        current = settings.load(session)
        added = visits.add(session, typed, settings=current, actor=audit.current_actor(),
                           officer_fallback=fallback)
        # masked as `visit edit` and every list are: a citizen matched by identity number may be a
        # denouncer whose stored name, address and phone the officer did not type
        data = visits.record(session, added.visit, tz=current["timezone"], masked=True)
    _warn(added.warnings)
    if fmt.value == "table":
        typer.echo(f"{data['code']} {data['case']}")
    else:
        from tct import render

        render.record(data, None, fmt.value, lang=lang())


def _complete(typed) -> bool:  # type: ignore[no-untyped-def]
    return bool(typed.citizen and (typed.case or (typed.type and typed.field)))


def _asked(question: str, check, default: str | None = None, *, optional: bool = False) -> str:  # type: ignore[no-untyped-def]
    """A prompt's answer checked as it is typed, as the option would be: a wrong one is said, on the
    one `Lỗi: …` line every error has in the desk's language (click's own prompt says `Error: …`),
    and asked again, instead of failing the whole visit after every other answer was given.
    `optional`: Enter leaves it empty."""
    from tct.errors import TctError
    from tct.i18n import label

    while True:
        answer = (typer.prompt(question, default="", show_default=False, err=True) if optional else
                  typer.prompt(question, default=default, err=True))
        try:
            check(answer)
        except TctError as exc:
            notice(label("error_line", lang(), text=exc.said(lang())))
            continue
        return answer


def _ask(session, typed, current, fallback) -> None:  # type: ignore[no-untyped-def]
    """The desk's dialogue: ask what is missing, offer defaults, show a summary, confirm."""
    from tct import citizens, officers, visits, vocab
    from tct.dates import now_local
    from tct.i18n import label, value_label
    from tct.text import MAX_LINE, MAX_NAME, MAX_TEXT, clean

    language = lang()
    tz = current["timezone"]
    if not typed.citizen:
        typed.citizen = _asked(label("ask_citizen", language), lambda text: clean(
            text, label=label("citizen", language), max_len=MAX_NAME, required=True))
    if typed.address is None and not typed.id_number:
        # (by name and address a returning citizen is offered below: by name alone, only a record with none)
        typed.address = _asked(label("ask_address", language), lambda text: clean(
            text, label=label("address", language), max_len=MAX_LINE), optional=True) or None
    if typed.case is None:
        if not typed.type:
            typed.type = _asked(label("ask_type", language), lambda text: vocab.choose(
                text, vocab.VISIT_TYPES, label=label("visit_type", language), kind="type"))
        if not typed.field:
            typed.field = _asked(label("ask_field", language), lambda text: vocab.choose(
                text, current["visit.fields"], label=label("field", language), kind="field"),
                default=value_label("field", visits.last_field(session) or current["visit.fields"][0], language))
        # A new case takes its locality (the hotspots count cases by it) and summary from the visit.
        if typed.locality is None:
            typed.locality = _asked(label("ask_locality", language), lambda text: clean(
                text, label=label("locality", language), max_len=MAX_NAME), optional=True) or None
        if typed.content is None:
            typed.content = _asked(label("ask_content", language), lambda text: clean(
                text, label=label("content", language), max_len=MAX_TEXT), optional=True) or None
    if typed.at is None:
        typed.at = _asked(label("ask_when", language), lambda text: visits.parse_moment(text, tz=tz, now=now_local(tz)),
                          default=now_local(tz).strftime("%d/%m/%Y %H:%M"))
    if not typed.officer:
        moment = visits.parse_moment(typed.at, tz=tz, now=now_local(tz))
        rostered = visits.rostered_main(session, moment)
        default = rostered[0].name if len(rostered) == 1 else fallback
        typed.officer = _asked(label("ask_officer", language), lambda text: officers.resolve(session, text),
                               default=default)
    if not typed.id_number:
        details = citizens.CitizenDetails.from_typed(typed.citizen, address=typed.address)
        for match in citizens.similar(session, details):
            if confirm(label("ask_same_person" if match.address else "ask_same_person_no_address", language,
                             id=match.id, name=match.name, address=match.address), default=False):
                typed.same_as = match.id
                break
    notice(_summary(typed, language, _resolver(session, current)))
    if not confirm(label("ask_save_visit", language), default=True):
        raise typer.Abort()


# A typed option's name in `visit add`'s summary → its label (the others are labels by the same name).
_SUMMARY_LABELS = {"type": "visit_type", "at": "visited_at", "kind": "reception_kind"}


def _resolver(session, current):  # type: ignore[no-untyped-def]
    """What a typed value will be saved as, for the summary the officer confirms: `14g` is read as
    the day and hour it means, `binh` as the officer's name, `kien nghi` or `land` as the register's
    word (in the desk's language). A value that cannot be read is shown as typed (saving says why)."""
    from tct import officers, visits, vocab
    from tct.dates import now_local
    from tct.errors import TctError
    from tct.i18n import value_label

    tz = current["timezone"]
    words = {"type": (vocab.VISIT_TYPES, "type"), "field": (current["visit.fields"], "field"),
             "handling": (vocab.HANDLINGS, "handling"), "kind": (vocab.RECEPTION_KINDS, "kind")}

    def resolve(key: str, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            if key in words:
                vocabulary, kind = words[key]
                return value_label(kind, vocab.choose(value, vocabulary, label=key, kind=kind), lang())
            if key == "at":
                return visits.parse_moment(value, tz=tz, now=now_local(tz)).strftime("%d/%m/%Y %H:%M")
            if key == "officer":
                return officers.resolve(session, value).name
        except TctError:
            pass
        return value

    return resolve


def _summary(typed, language: str, resolve=lambda key, value: value) -> str:  # type: ignore[no-untyped-def]
    """What is about to be saved, `name=value`: the options' names in English, the register's words
    in Vietnamese; each value as it will be saved (`resolve`), so the officer confirms what is meant."""
    from tct.i18n import label

    parts = []
    for key, value in typed.given().items():
        if key == "same_as" or value is False:  # (no "escalated=False")
            continue
        value = resolve(key, value)
        if language != "en":
            key = label(_SUMMARY_LABELS.get(key, key), language)
            value = label("yes", language) if value is True else value
        parts.append(f"{key}={value}")
    return ", ".join(parts)


@app.command("list")
def list_(since: Annotated[str | None, typer.Option("--from", help="From this day.")] = None,
          until: Annotated[str | None, typer.Option("--to", help="Up to this day.")] = None,
          period: Annotated[str | None, typer.Option("--period", help="A period name, e.g. tet-2021.")] = None,
          type_: VisitType = None,
          delegation: Annotated[bool | None, typer.Option("--delegation/--no-delegation",
                                                          help="Only delegations (or only not).")] = None,
          kind: Annotated[str | None, typer.Option("--kind", autocompletion=_KINDS,
                                                   help="Only this reception: regular|leader.")] = None,
          handling: Annotated[str | None, typer.Option(
              "--handling", autocompletion=_HANDLINGS,
              help="Only visits handled so: accepted|guided|transferred|answered|refused.")] = None,
          officer: Annotated[str | None, typer.Option("--officer", help="Received by this officer.")] = None,
          case: Annotated[str | None, typer.Option("--case", help="Visits of this case.")] = None,
          search: Annotated[str | None, typer.Option("--search", help="Text in the citizen's name, address or "
                                                                      "content (accents optional); a denouncer's "
                                                                      "name finds them only with --reveal.")] = None,
          include_void: Annotated[bool, typer.Option("--include-void", help="Show void visits too.")] = False,
          limit: Annotated[int, typer.Option("--limit", min=1, max=100000, help="At most N visits.")] = 100,
          reveal: Annotated[bool, typer.Option("--reveal", help="Show denouncers' identities (audited).")] = False,
          fmt: FormatOption = OutputFormat.table) -> None:
    """Visits, newest first. Denouncers are masked to initials unless --reveal."""
    from tct import audit, citizens, render, settings, visits
    from tct.dates import iso_text

    wanted = visits.VisitFilter(since=since, until=until, period=period, type=type_, delegation=delegation,
                                officer=officer, case=case, search=search, include_void=include_void,
                                limit=limit + 1, kind=kind, handling=handling)
    with reading(reveal=reveal) as source:
        current = settings.load(source)
        data = at_most(visits.listing(source, wanted, settings=current, reveal=reveal), limit)
        protected = citizens.denouncers(source, [item["citizen_id"] for item in data]) if reveal else set()
        revealed = [item["code"] for item in data if item["type"] == "denunciation" or item["citizen_id"] in protected]
        if reveal and revealed:
            audit.reveal(source, entity="visit", after={"visits": revealed})
    if fmt.value in ("table", "md"):  # (JSON and CSV keep `visited_at` alone, ISO with its offset)
        for item in data:
            item["visited"] = iso_text(item["visited_at"])
    # with void visits in the list, the screen says which they are (JSON and CSV carry `void` anyway)
    render.rows(data, [*_LIST_COLUMNS, ("void", "void")] if include_void else _LIST_COLUMNS, fmt.value, lang=lang(),
                fields=_LIST_FIELDS)


# The keys of a listed visit (visits.listing): the CSV header of an empty list too.
_LIST_FIELDS = ("code", "case", "visited_at", "visit_date", "citizen", "citizen_id", "id_number", "address", "phone",
                "locality", "people", "delegation", "representatives", "type", "field", "content", "handling", "kind",
                "escalated", "officer", "note", "void", "void_reason", "voided_at", "masked")


@app.command("show")
def show(code: Annotated[str, typer.Argument(help="Visit code, e.g. TCD-2021-0001.")],
         fmt: FormatOption = OutputFormat.table) -> None:
    """One visit in full. Showing a denunciation reveals the denouncer and is audited."""
    from tct import audit, citizens, render, settings, visits
    from tct.dates import iso_text
    from tct.db import read_session, write_session
    from tct.text import fold

    database = state().db()
    # Read without the write lock, so a desk can look at a visit while another writes at length (an
    # import); only the audit of a reveal waits for it, and the visit is shown once that is written.
    with read_session(database) as session:
        current = settings.load(session)
        visit = visits.get(session, code)
        data = visits.record(session, visit, tz=current["timezone"])
        reveals = (visit.type == "denunciation" or citizens.is_denouncer(session, visit.citizen_id)
                   or bool(citizens.protected_names(session, map(fold, data["representatives"]))))
    if reveals:  # (a denouncer named among a delegation's representatives too)
        with write_session(database) as session:
            audit.reveal(session, entity="visit", code=visit.code)
    if fmt.value != "json":
        data["visited"] = iso_text(data["visited_at"]) if fmt.value in ("table", "md") else data["visited_at"]
    render.record(data, None if fmt.value == "json" else _SHOW_FIELDS, fmt.value, lang=lang(),
                  title=data["code"])


@app.command("edit")
def edit(code: Annotated[str, typer.Argument(help="Visit code.")],
         citizen: NewCitizen = None, id_number: IdNumber = None, address: Address = None, phone: Phone = None,
         locality: Locality = None, people: NewPeople = None, representatives: Representatives = None,
         type_: VisitType = None, field: Field = None, content: Content = None, at: NewAt = None,
         officer: NewOfficer = None, case: CaseOpt = None, handling: NewHandling = None, kind: NewKind = None,
         escalated: Annotated[bool | None, typer.Option("--escalated/--not-escalated",
                                                        help="Mark or unmark as escalated.")] = None,
         note: Note = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Correct a visit; every change is audited with its before and after values."""
    from tct import audit, render, settings, visits
    from tct.db import write_session

    typed = visits.VisitInput(citizen=citizen, id_number=id_number, address=address, phone=phone,
                              locality=locality, people=people, representatives=representatives, type=type_,
                              field=field, content=content, at=at, officer=officer, case=case, handling=handling,
                              kind=kind, escalated=escalated, note=note)
    with write_session(state().db()) as session:
        current = settings.load(session)
        visit, warnings = visits.edit(session, code, typed, settings=current, actor=audit.current_actor())
        data = visits.record(session, visit, tz=current["timezone"], masked=True)
    _warn(warnings)
    if fmt.value == "table":
        notice(render.label("visit_edited", lang(), code=data["code"]))
    else:
        render.record(data, None, fmt.value, lang=lang())


@app.command("void")
def void(code: Annotated[str, typer.Argument(help="Visit code.")],
         reason: Annotated[str, typer.Option("--reason", help="Why the entry is void (required).")]) -> None:
    """Void a visit: kept in the register and the audit log, left out of lists and reports."""
    from tct import audit, render, settings, visits
    from tct.db import write_session

    with write_session(state().db()) as session:
        visit = visits.void(session, code, reason=reason, settings=settings.load(session),
                            actor=audit.current_actor())
    notice(render.label("visit_voided", lang(), code=visit.code))
