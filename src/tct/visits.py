"""Visits (lượt tiếp): what the desk logs many times a day.

A visit belongs to a citizen, an officer and a case (an existing one with `--case`, else a new
case opened from the visit). Codes are numbered per year of the visit's local date without gaps
(TCD-2021-0001). A visit of `delegation.min_people` or more people is a delegation (đoàn đông
người). Nothing deletes a visit: it is voided with a reason and kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tct import audit, citizens, flags, vocab
from tct.errors import NotFoundError, TctError, UsageError, ValidationError
from tct.i18n import said
from tct.text import MAX_LINE, MAX_NAME, MAX_TEXT, clean, fold

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.models import Case, Citizen, Officer, Visit
    from tct.settings import Settings

MAX_PEOPLE = 500
MAX_REPRESENTATIVES = 20


@dataclass(slots=True)  # (a bulk import makes one a row)
class VisitInput:
    """The values typed for `visit add`/`visit edit`; None means not given."""

    citizen: str | None = None
    id_number: str | None = None
    address: str | None = None
    phone: str | None = None
    locality: str | None = None
    people: int | None = None
    representatives: str | None = None
    type: str | None = None
    field: str | None = None
    content: str | None = None
    at: str | None = None
    officer: str | None = None
    case: str | None = None
    handling: str | None = None
    kind: str | None = None
    escalated: bool | None = None
    note: str | None = None
    same_as: int | None = None

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass
class AddedVisit:
    visit: Visit
    case: Case
    citizen: Citizen
    officer: Officer
    new_case: bool
    warnings: list[str] = field(default_factory=list)


def missing_for_add(typed: VisitInput, *, officer_known: bool) -> list[str]:
    """The options `visit add` still needs (asked at a terminal, a usage error without one)."""
    missing = []
    if not (typed.citizen or "").strip():
        missing.append("--citizen")
    if typed.case is None:
        if not typed.type:
            missing.append("--type")
        if not typed.field:
            missing.append("--field")
    if not typed.officer and not officer_known:
        missing.append("--officer")
    return missing


def parse_people(value: int | None) -> int:
    people = 1 if value is None else value
    if not 1 <= people <= MAX_PEOPLE:
        raise ValidationError.said_as("err_people_out_of_range", label="--people", most=MAX_PEOPLE, people=people)
    return people


def parse_representatives(typed: str | None) -> list[str]:
    text = clean(typed, label="--representatives", max_len=1000)
    if not text:
        return []
    names = [clean(part, label="--representatives", max_len=200) for part in text.split(";")]
    result = [name for name in names if name]
    if len(result) > MAX_REPRESENTATIVES:
        raise ValidationError.said_as("err_too_many_representatives", label="--representatives", count=len(result),
                                      most=MAX_REPRESENTATIVES)
    return result


# Art. 30 of the Law on Citizen Reception 2013 counts representatives from 5 people on, whatever
# the setting delegation.min_people makes a delegation.
LAW_DELEGATION_PEOPLE = 5


def representatives_warning(people: int, representatives: list[str]) -> str | None:
    """Law on Citizen Reception 2013, art. 30: 5–10 people choose 1–2 representatives, more than 10 at most 5
    (whatever delegation.min_people makes a delegation). More representatives than people is a slip."""
    if len(representatives) > people:
        return said("warn_more_representatives", people=people, named=len(representatives))
    if people < LAW_DELEGATION_PEOPLE:
        return None
    low, high = (1, 2) if people <= 10 else (1, 5)
    if low <= len(representatives) <= high:
        return None
    return said("warn_representatives", people=people, low=low, high=high, named=len(representatives))


def parse_moment(typed: str | None, *, tz: str, now: datetime, on: date | None = None,
                 in_file: bool = False) -> datetime:
    """`--at` as typed; a time alone is that time on the day `on` (the visit's own, at `visit edit`),
    else today; in a file's row (`in_file`) it is refused: a column of times whose dates a
    spreadsheet lost would otherwise all land on the day of the import."""
    from tct.dates import is_time_alone, parse_datetime

    if typed is None:
        return now.replace(microsecond=0)
    if in_file and is_time_alone(typed):
        raise ValidationError.said_as("err_time_without_day", label="--at", raw=typed)
    moment = parse_datetime(typed, tz=tz, now=now, label="--at", on=on)
    if on is None and moment > now + FUTURE_SLACK and is_time_alone(typed):
        # (14g typed at 11:48 is no visit of today: most likely yesterday's, entered late)
        raise ValidationError.said_as("err_time_alone_to_come", label="--at", typed=typed)
    if moment > now + FUTURE_SLACK or moment.date() > now.date():  # (nor into a day not begun)
        # (a visit is logged after it began: `hôm nay 23h` typed at 01:29, or tomorrow's date, is a slip;
        # a few minutes ahead are a clock of another desk a little fast)
        raise ValidationError.said_as("err_at_in_future", label="--at", typed=typed)
    return moment


FUTURE_SLACK = timedelta(minutes=5)


def _nobody_on_duty(session: Session, moment: datetime, tz: str, cache: dict[str, Any]) -> bool:
    """resolve_officer's check that someone is on the desk, for the rows of a file that name their
    officer: the roster is read once a day of the file, not once a row."""
    from tct import rosters
    from tct.dates import to_local

    if "has_roster" not in cache:
        cache["has_roster"] = rosters.has_roster(session)
    if not cache["has_roster"]:
        return False
    local = to_local(moment, tz)
    key = ("duty", local.date())
    hours = cache.get(key)
    if hours is None:
        hours = cache[key] = [(row.start_time, row.end_time) for row, who
                              in rosters.shifts_between(session, local.date(), local.date())
                              if rosters.serving(who, local.date(), tz)]
    at = local.time().replace(tzinfo=None)
    return not any(start <= at < end for start, end in hours)


def resolve_officer(session: Session, typed: str | None, moment: datetime, fallback: str | None,
                    warnings: list[str]) -> Officer:
    """`--officer`, else the one main officer rostered at that moment, else TCT_OFFICER (the fallback).

    A visit logged when nobody is on duty gets a warning, in registers that keep a roster at all.
    """
    from tct import officers, rosters

    on_duty = rosters.on_duty(session, moment)
    if not on_duty and rosters.has_roster(session):
        warnings.append(said("warn_nobody_rostered"))
    if typed:
        return serving_then(officer_named(session, typed), moment.date(), str(moment.tzinfo))
    rostered = rosters.main_on_duty(session, moment)
    if len(rostered) == 1:
        return rostered[0]
    if fallback:
        try:
            return officers.resolve(session, fallback)
        except TctError as exc:  # say where the name came from: it was not typed on this command
            raise type(exc).said_as("err_env_officer", error=exc.message) from None
    if len(rostered) > 1:
        names = ", ".join(o.name for o in rostered)
        raise UsageError.said_as("err_officer_ambiguous_on_duty", label="--officer", names=names)
    raise UsageError.said_as("err_missing_officer", label="--officer")


def officer_named(session: Session, typed: str) -> Officer:
    """The officer a typed name means, retired ones too (see serving_then): a visit entered late,
    or a past year's imported, is the officer's who received it."""
    from tct import officers

    try:
        return officers.resolve(session, typed)
    except NotFoundError as refused:
        try:
            return officers.resolve(session, typed, include_retired=True)
        except TctError:
            raise refused from None


def serving_then(officer: Officer, day: date, tz: str) -> Officer:
    """`officer`, who must still have received citizens on `day`: one retired by then is refused."""
    from tct.rosters import serving

    if not serving(officer, day, tz):
        raise NotFoundError.said_as("err_officer_retired", names=officer.name)
    return officer


def rostered_main(session: Session, moment: datetime) -> list[Officer]:
    from tct.rosters import main_on_duty

    return main_on_duty(session, moment)


def _visit_year_and_code(session: Session, day_year: int) -> tuple[int, str]:
    from tct.db import next_number

    seq = next_number(session, "visit", day_year)
    return seq, f"TCD-{day_year}-{seq:04d}"


def search_key(visit_type: str, citizen: Citizen, content: str | None, case_type: str | None = None) -> str:
    """What `visit list --search` looks through. A denouncer's name and address are left out of it:
    on a visit typed denunciation, and on any visit to a denunciation case (citizens.denouncers)."""
    secret = "denunciation" in (visit_type, case_type)
    parts = [content] if secret else [citizen.name, citizen.address, content]
    return fold(" ".join(part for part in parts if part))


@dataclass(slots=True)  # (a bulk import makes one a row)
class PreparedVisit:
    """A visit that passed every check, ready to be written (nothing written yet)."""

    details: citizens.CitizenDetails
    people: int
    delegation: bool
    representatives: list[str]
    case: Case | None
    type: str
    field: str
    handling: str
    kind: str
    content: str | None
    note: str | None
    escalated: bool
    moment: datetime
    officer: Officer
    same_as: int | None
    warnings: list[str]


MEMO_LIMIT = 20_000  # values of a column a bulk import's prepare remembers; forgotten past this (bounded memory)


class _Checked(dict):  # type: ignore[type-arg]
    """One column's typed texts and their checked values, each text checked when first met: the
    type, field, date, locality and names in a spreadsheet repeat, and a lookup costs far less
    than the check. A bad value raises (with the same message each time) and is not kept."""

    def __init__(self, check: Callable[[Any], Any]) -> None:
        super().__init__()
        self.check = check

    def __missing__(self, typed: Any) -> Any:
        value = self.check(typed)
        if len(self) >= MEMO_LIMIT:
            self.clear()
        self[typed] = value
        return value


class _Checks:
    """The checks of `prepare` that depend on one typed value alone (and on the settings and the
    moment of the import), one _Checked per column."""

    def __init__(self, settings: Settings, now: datetime, *, in_file: bool = False) -> None:
        tz, fields = settings["timezone"], settings["visit.fields"]
        self.settings, self.now, self.in_file = settings, now, in_file
        self.citizen = _Checked(lambda text: clean(text, label="--citizen", max_len=MAX_NAME, required=True))
        self.id_number = _Checked(citizens.normalise_id_number)
        self.address = _Checked(lambda text: clean(text, label="--address", max_len=MAX_LINE))
        self.phone = _Checked(citizens.normalise_phone)
        self.locality = _Checked(lambda text: clean(text, label="--locality", max_len=MAX_NAME))
        self.representatives = _Checked(parse_representatives)
        self.type = _Checked(lambda text: vocab.choose(text, vocab.VISIT_TYPES, label="--type", kind="type"))
        self.field = _Checked(lambda text: vocab.choose(text, fields, label="--field", kind="field"))
        self.handling = _Checked(lambda text: vocab.choose(text or "guided", vocab.HANDLINGS, label="--handling",
                                                           kind="handling"))
        self.kind = _Checked(lambda text: vocab.choose(text or "regular", vocab.RECEPTION_KINDS, label="--kind",
                                                       kind="kind"))
        self.content = _Checked(lambda text: clean(text, label="--content", max_len=MAX_TEXT, multiline=True))
        self.note = _Checked(lambda text: clean(text, label="--note", max_len=MAX_TEXT, multiline=True))
        self.moment = _Checked(lambda text: parse_moment(text, tz=tz, now=now, in_file=in_file))  # one `now` an import
        self.min_people = int(settings["delegation.min_people"])
        self.nobody_on_duty: _Checked | None = None  # moments, whether nobody is rostered then (prepare)


def prepare(session: Session, typed: VisitInput, *, settings: Settings, now: datetime,
            officer_fallback: str | None = None, lookups: dict[str, Any] | None = None) -> PreparedVisit:
    """Every check `visit add` makes, without writing. `lookups` caches officers and cases by the
    text typed, and the checked values of each column (_Checks), for a bulk import."""
    cache = lookups if lookups is not None else {}
    checks = cache.get("checks")
    if checks is None or checks.settings is not settings or checks.now != now:
        checks = cache["checks"] = _Checks(settings, now, in_file=lookups is not None)
    warnings: list[str] = []
    details = citizens.CitizenDetails(  # the checks in the order of CitizenDetails.from_typed
        name=checks.citizen[typed.citizen], id_number=checks.id_number[typed.id_number],
        address=checks.address[typed.address], phone=checks.phone[typed.phone],
        locality=checks.locality[typed.locality])
    people = parse_people(typed.people)
    representatives = checks.representatives[typed.representatives]
    existing_case = None
    if typed.case:
        from tct import cases

        key = ("case", cases.code_key(typed.case))
        existing_case = cache.get(key) or cases.get(session, typed.case)
        cache[key] = existing_case
    visit_type = checks.type[typed.type] if typed.type else None
    visit_field = checks.field[typed.field] if typed.field else None
    if existing_case is None and (visit_type is None or visit_field is None):
        raise UsageError.said_as("err_missing_options", options=", ".join(
            n for n, v in (("--type", visit_type), ("--field", visit_field)) if v is None))
    visit_type = visit_type or existing_case.type  # type: ignore[union-attr]
    visit_field = visit_field or existing_case.field  # type: ignore[union-attr]
    handling = checks.handling[typed.handling]
    kind = checks.kind[typed.kind]
    content = checks.content[typed.content]
    note = checks.note[typed.note]
    moment = checks.moment[typed.at]
    if typed.officer and lookups is not None:
        key = ("officer", typed.officer)
        officer = cache.get(key)
        if officer is None:
            officer = officer_named(session, typed.officer)
        cache[key] = officer
        if not officer.active:
            serving_then(officer, moment.date(), settings["timezone"])
        if checks.nobody_on_duty is None:  # (by moment: a file's rows share them)
            tz = settings["timezone"]
            checks.nobody_on_duty = _Checked(lambda at: _nobody_on_duty(session, at, tz, cache))
        if checks.nobody_on_duty[moment]:  # (as resolve_officer warns)
            warnings.append(said("warn_nobody_rostered"))
    else:
        officer = resolve_officer(session, typed.officer, moment, officer_fallback, warnings)
    if existing_case is not None and existing_case.type != visit_type:
        warnings.append(said("warn_other_type", coded={"case_type": "type", "visit_type": "type"},
                             code=existing_case.code, case_type=existing_case.type, visit_type=visit_type))
    min_people = checks.min_people
    warning = representatives_warning(people, representatives)
    if warning:
        warnings.append(warning)
    return PreparedVisit(details=details, people=people, delegation=people >= min_people,
                         representatives=representatives, case=existing_case, type=visit_type, field=visit_field,
                         handling=handling, kind=kind, content=content, note=note, escalated=bool(typed.escalated),
                         moment=moment, officer=officer, same_as=typed.same_as, warnings=warnings)


def add(session: Session, typed: VisitInput, *, settings: Settings, actor: str, now: datetime | None = None,
        officer_fallback: str | None = None) -> AddedVisit:
    """Validate everything, then write the visit, its citizen, its case (if new), the automatic
    flags and the audit events in the caller's transaction."""
    from tct import cases
    from tct.dates import now_local, to_utc
    from tct.models import Visit

    ready = prepare(session, typed, settings=settings, now=now or now_local(settings["timezone"]),
                    officer_fallback=officer_fallback)
    warnings = list(ready.warnings)
    if typed.officer:
        actor = ready.officer.name
    same_as = ready.same_as
    if same_as is None and ready.case is not None and ready.case.citizen_id and not ready.details.id_number:
        # Back about their case (`--case`), under the name the case was opened with: the same person,
        # not a new record each time (which would hide a repeat visitor from `tct alerts`).
        from tct.models import Citizen

        theirs = session.get(Citizen, ready.case.citizen_id)
        if theirs is not None and citizens.same_name(ready.details.name, theirs.name):
            same_as = theirs.id
    match = citizens.record_for(session, ready.details, actor=actor, same_as=same_as)
    warnings.extend(match.warnings)
    warnings.extend(_entered_before(session, ready, match.citizen))
    if "address" in match.completed:  # their earlier visits are found by it from now on
        refresh_search_keys(session, match.citizen)
    day = ready.moment.date()
    case = ready.case or cases.open_case(
        session, type_=ready.type, field=ready.field, locality=ready.details.locality or match.citizen.locality,
        summary=ready.content, opened_on=day, citizen_id=match.citizen.id, settings=settings, actor=actor)
    seq, code = _visit_year_and_code(session, day.year)
    visit = Visit(code=code, year=day.year, seq=seq, case_id=case.id, citizen_id=match.citizen.id,
                  officer_id=ready.officer.id, visited_at=to_utc(ready.moment), visit_date=day, people=ready.people,
                  delegation=ready.delegation, representatives="; ".join(ready.representatives) or None,
                  type=ready.type, field=ready.field, content=ready.content, handling=ready.handling,
                  kind=ready.kind, escalated=ready.escalated, note=ready.note,
                  search_folded=search_key(ready.type, match.citizen, ready.content, case.type))
    session.add(visit)
    session.flush()
    audit.record(session, actor=actor, entity="visit", code=code, action="create",
                 after=_audited(visit, case, ready.officer))
    # A visit entered late, before the case's first (opened_on is never later), or one to a case all void till now
    if ready.case is not None and (case.first_visit_on is None or day < case.first_visit_on):
        cases.follow_first_visit(session, case, settings, actor=actor)
    if ready.case is None and ready.handling == "answered" and case.type in cases.SETTLED_AT_THE_DESK:
        cases.close_answered_at_the_desk(session, case, code, settings=settings, actor=actor)
    flags.refresh(session, case, settings, actor=actor)
    return AddedVisit(visit, case, match.citizen, ready.officer, ready.case is None, warnings)


def _entered_before(session: Session, ready: PreparedVisit, citizen: Any) -> list[str]:
    """A warning when this visit seems entered already: one of the same citizen (their record, or
    their name as typed) at the very same minute, a slip saved twice, which every report would count
    twice (the check `tct import` makes of its rows, read the same way: the visits of the day through
    its index, each one's minute as minute_of and minute_key say it, whatever form its time is stored
    in). Of a denouncer's visit, whose name the officer may have guessed from its initials, only one
    received by the same officer is warned of, without saying whose it is (the import's rule)."""
    from tct.citizens import denouncer_sql
    from tct.dates import to_utc
    from tct.db import Driver

    db = Driver(session)
    wanted = db.minute_key(to_utc(ready.moment))
    folded = fold(ready.details.name)
    for minute, code, citizen_id, name_folded, officer_id, secret in db.rows(
            f"SELECT {db.minute_of('seen.visited_at')}, seen.code, seen.citizen_id, citizen.name_folded, "
            f"seen.officer_id, CASE WHEN seen.type = 'denunciation' OR {denouncer_sql('citizen.id')} THEN 1 ELSE 0 END "
            "FROM visit AS seen JOIN citizen ON citizen.id = seen.citizen_id "
            "WHERE seen.visit_date = ? AND seen.void = ? ORDER BY seen.year, seen.seq",
            [db.day(ready.moment.date()), db.flag(False)]):
        if db.minute_key(minute) != wanted:
            continue
        if not secret and (citizen_id == citizen.id or name_folded == folded) \
                and citizens.protected_names(db, [name_folded]):  # (a denouncer's namesake: masked as they are)
            secret = True
        if secret:
            if officer_id == ready.officer.id:
                return [said("warn_visit_entered_at_that_minute", code=code)]
        elif citizen_id == citizen.id or name_folded == folded:
            return [said("warn_visit_entered_twice", code=code)]
    return []


def _audited(visit: Visit, case: Case, officer: Officer) -> dict[str, Any]:
    """A visit's fields for the audit trail: no personal data of the citizen, only the record number,
    and a delegation's representatives (people too, a denouncer among them maybe) by their initials."""
    from tct.audit import representatives_initials

    return {"case": case.code, "citizen": f"CD-{visit.citizen_id}", "officer": officer.name,
            "visited_at": visit.visited_at, "people": visit.people, "delegation": visit.delegation,
            "representatives": (representatives_initials(visit.representatives)
                                if visit.type != "denunciation" else None),
            "type": visit.type, "field": visit.field, "handling": visit.handling, "kind": visit.kind,
            "escalated": visit.escalated}


def get(session: Session, code: str) -> Visit:
    from sqlmodel import col, select

    from tct.cases import code_key
    from tct.models import Visit

    visit = session.exec(select(Visit).where(col(Visit.code) == code_key(code))).first()
    if visit is None:
        raise NotFoundError.said_as("err_no_visit", code=code)
    return visit


def as_dict(visit: Visit, *, case: Case, citizen: Citizen, officer: Officer, tz: str,
            masked: bool = False, denouncer: bool = False, protected: frozenset[str] = frozenset()
            ) -> dict[str, Any]:
    """The whole record of a visit, flat, JSON-ready; `masked` hides a denouncer's identity, on a
    denunciation and (`denouncer`: the citizen ever came to denounce) on any other visit of theirs,
    and a representative whose name (folded) is in `protected` (citizens.protected_names): a
    denouncer may speak for a delegation."""
    from tct.dates import local_iso
    from tct.text import initials

    hide = masked and (visit.type == "denunciation" or denouncer)
    representatives = _representatives(visit.representatives)
    if masked and not hide and protected:
        representatives = [initials(r) if fold(r) in protected else r for r in representatives]
    return {
        "code": visit.code, "case": case.code, "visited_at": local_iso(visit.visited_at, tz),
        "visit_date": visit.visit_date.isoformat(), "citizen": initials(citizen.name) if hide else citizen.name,
        "citizen_id": citizen.id, "id_number": None if hide else citizen.id_number,
        "address": None if hide else citizen.address, "phone": None if hide else citizen.phone,
        "locality": None if hide else case.locality or citizen.locality, "people": visit.people,
        "delegation": visit.delegation,
        "representatives": [initials(r) for r in representatives] if hide else representatives,
        "type": visit.type, "field": visit.field, "content": visit.content, "handling": visit.handling,
        "kind": visit.kind, "escalated": visit.escalated, "officer": officer.name, "note": visit.note,
        "void": visit.void, "void_reason": visit.void_reason,
        "voided_at": local_iso(visit.voided_at, tz), "masked": hide,
    }


def record(session: Session, visit: Visit, *, tz: str, masked: bool = False) -> dict[str, Any]:
    from tct.models import Case, Citizen, Officer

    denouncer = masked and citizens.is_denouncer(session, visit.citizen_id)
    protected = frozenset(citizens.protected_names(session, map(fold, _representatives(visit.representatives)))
                          if masked else ())
    return as_dict(visit, case=session.get(Case, visit.case_id), citizen=session.get(Citizen, visit.citizen_id),
                   officer=session.get(Officer, visit.officer_id), tz=tz, masked=masked, denouncer=denouncer,
                   protected=protected)


def _representatives(stored: str | None) -> list[str]:
    return stored.split("; ") if stored else []


@dataclass
class VisitFilter:
    since: str | None = None
    until: str | None = None
    period: str | None = None
    type: str | None = None
    delegation: bool | None = None
    officer: str | None = None
    case: str | None = None
    search: str | None = None
    include_void: bool = False
    limit: int = 100
    kind: str | None = None
    handling: str | None = None


_LISTED = ("SELECT visit.code, visit.visited_at, visit.visit_date, visit.people, visit.delegation, "
           "visit.representatives, visit.type, visit.field, visit.content, visit.handling, visit.kind, "
           "visit.escalated, visit.note, visit.void, visit.void_reason, visit.voided_at, cases.code, cases.locality, "
           "citizen.id, citizen.name, citizen.id_number, citizen.address, citizen.phone, citizen.locality, "
           "officer.name FROM visit JOIN cases ON cases.id = visit.case_id "
           "JOIN citizen ON citizen.id = visit.citizen_id JOIN officer ON officer.id = visit.officer_id")


def listing(source: Session | Driver, wanted: VisitFilter, *, settings: Settings, reveal: bool = False
            ) -> list[dict[str, Any]]:
    """Visits newest first; denouncers masked unless `reveal`. Read as plain columns (the desk's
    search need not load the models: see tct.db.plain_reading)."""
    from tct import cases, officers
    from tct.dates import parse_date
    from tct.db import Driver
    from tct.text import like_pattern

    db = Driver.of(source)
    tz = settings["timezone"]
    start = parse_date(wanted.since, tz=tz, label="--from") if wanted.since else None
    end = parse_date(wanted.until, tz=tz, label="--to") if wanted.until else None
    if wanted.period:
        from tct.periods import resolve

        span = resolve(db, wanted.period)
        start, end = max(start or span.start, span.start), min(end or span.end, span.end)
    if start and end and end < start:
        raise ValidationError.said_as("err_to_before_from_bare")
    conditions: list[str] = []
    params: list[Any] = []

    def where(condition: str, value: Any) -> None:
        conditions.append(condition)
        params.append(value)

    # The days are the visits' office-local days; the same span of `visited_at` widened by a day on
    # each side (any office's offset from UTC is less) lets the index that gives the newest-first
    # order find them too, instead of sorting every visit of a long span to show the newest 100.
    if start:
        where("visit.visit_date >= ?", db.day(start))
        where("visit.visited_at >= ?", db.stamp(datetime.combine(start - timedelta(days=1), time(), UTC)))
    if end:
        where("visit.visit_date <= ?", db.day(end))
        where("visit.visited_at < ?", db.stamp(datetime.combine(end + timedelta(days=2), time(), UTC)))
    if not wanted.include_void:
        where("visit.void = ?", db.flag(False))
    if wanted.type:
        where("visit.type = ?", vocab.choose(wanted.type, vocab.VISIT_TYPES, label="--type", kind="type"))
    if wanted.delegation is not None:
        where("visit.delegation = ?", db.flag(wanted.delegation))
    if wanted.kind:  # (the report's 1a and 1b, and its 3, are checked against these)
        where("visit.kind = ?", vocab.choose(wanted.kind, vocab.RECEPTION_KINDS, label="--kind", kind="kind"))
    if wanted.handling:
        where("visit.handling = ?", vocab.choose(wanted.handling, vocab.HANDLINGS, label="--handling",
                                                 kind="handling"))
    if wanted.officer:
        where("visit.officer_id = ?", officers.resolve_id(db, wanted.officer, include_retired=True))
    if wanted.case:
        where("visit.case_id = ?", cases.id_of(db, wanted.case))
    if wanted.search:
        pattern = like_pattern(wanted.search)
        if reveal:  # (a denunciation's key leaves its denouncer out: revealed, they are found by name and address)
            conditions.append("(visit.search_folded LIKE ? ESCAPE '\\' OR citizen.name_folded LIKE ? ESCAPE '\\' "
                              "OR coalesce(citizen.address_folded, '') LIKE ? ESCAPE '\\')")
            params.extend([pattern, pattern, pattern])
        else:
            where("visit.search_folded LIKE ? ESCAPE '\\'", pattern)
        if not reveal:
            # Denouncers are masked, and their visits to other cases keep their name and address in their
            # keys: one found by the name or address typed would say that person denounced, and one left out
            # only then would say which words are in them (a denunciation often names the hamlet its
            # denouncer lives in). So without --reveal a search finds a denouncer's visits only where the key
            # holds no identity: a denunciation's, or one to a denunciation case (its content alone).
            conditions.append("(visit.type = 'denunciation' OR cases.type = 'denunciation' "
                              f"OR NOT {citizens.denouncer_sql('citizen.id')})")
    rows = db.rows(_LISTED + (" WHERE " + " AND ".join(conditions) if conditions else "")
                   + " ORDER BY visit.visited_at DESC, visit.id DESC LIMIT ?", [*params, wanted.limit])
    protected = set() if reveal else citizens.denouncers(db, [row[18] for row in rows])
    speaking = frozenset() if reveal else frozenset(citizens.protected_names(
        db, [fold(name) for row in rows for name in _representatives(row[5])]))
    found = []
    for (code, visited_at, visit_date, people, delegation, representatives, type_, field_, content, handling, kind,
         escalated, note, void, void_reason, voided_at, case_code, case_locality, citizen_id, name, id_number,
         address, phone, locality, officer) in rows:
        visit = SimpleNamespace(code=code, visited_at=db.read_stamp(visited_at), visit_date=db.read_day(visit_date),
                                people=people, delegation=bool(delegation), representatives=representatives,
                                type=type_, field=field_, content=content, handling=handling, kind=kind,
                                escalated=bool(escalated), note=note, void=bool(void), void_reason=void_reason,
                                voided_at=db.read_stamp(voided_at))
        found.append(as_dict(visit, case=SimpleNamespace(code=case_code, locality=case_locality),  # type: ignore[arg-type]
                             citizen=SimpleNamespace(id=citizen_id, name=name, id_number=id_number,  # type: ignore[arg-type]
                                                     address=address, phone=phone, locality=locality),
                             officer=SimpleNamespace(name=officer), tz=tz, masked=not reveal,  # type: ignore[arg-type]
                             denouncer=citizen_id in protected, protected=speaking))
    return found


def edit(session: Session, code: str, typed: VisitInput, *, settings: Settings, actor: str,
         now: datetime | None = None) -> tuple[Visit, list[str]]:
    """Change the given fields of a visit (and of its citizen's record); audited before → after."""
    from tct import cases
    from tct.dates import now_local, to_utc
    from tct.models import Case, Citizen, Officer

    visit = get(session, code)
    if visit.void:
        raise ValidationError.said_as("err_edit_void_visit", code=visit.code)
    given = typed.given()
    if not given:
        raise UsageError.said_as("err_nothing_to_change")
    tz = settings["timezone"]
    warnings: list[str] = []
    case = session.get(Case, visit.case_id)
    officer = session.get(Officer, visit.officer_id)
    before, representatives_before = _audited(visit, case, officer), visit.representatives
    texts_before = {"content": visit.content, "note": visit.note}
    citizen = session.get(Citizen, visit.citizen_id)
    citizen_before = {k: getattr(citizen, k) for k in ("name", "id_number", "address", "phone", "locality")}

    if typed.citizen is not None:
        citizen.name = clean(typed.citizen, label="--citizen", max_len=200, required=True)  # type: ignore[assignment]
        citizen.name_folded = fold(citizen.name)
    if typed.id_number is not None:
        number = citizens.normalise_id_number(typed.id_number)
        other = citizens.by_id_number(session, number) if number else None
        if other is not None and other.id != citizen.id:
            raise ValidationError.said_as("err_id_number_taken", number=number, id=other.id)
        citizen.id_number = number
    if typed.address is not None:
        citizen.address = clean(typed.address, label="--address", max_len=MAX_LINE)
        citizen.address_folded = fold(citizen.address) or None
    if typed.phone is not None:
        citizen.phone = citizens.normalise_phone(typed.phone)
    if typed.locality is not None:
        citizen.locality = clean(typed.locality, label="--locality", max_len=200)
    if typed.people is not None:
        visit.people = parse_people(typed.people)
        visit.delegation = visit.people >= int(settings["delegation.min_people"])
    if typed.representatives is not None:
        visit.representatives = "; ".join(parse_representatives(typed.representatives)) or None
    if typed.type is not None:
        visit.type = vocab.choose(typed.type, vocab.VISIT_TYPES, label="--type", kind="type")
    if typed.field is not None:
        visit.field = vocab.choose(typed.field, settings["visit.fields"], label="--field", kind="field")
    if typed.content is not None:
        visit.content = clean(typed.content, label="--content", max_len=MAX_TEXT, multiline=True)
    if typed.note is not None:
        visit.note = clean(typed.note, label="--note", max_len=MAX_TEXT, multiline=True)
    if typed.handling is not None:
        visit.handling = vocab.choose(typed.handling, vocab.HANDLINGS, label="--handling", kind="handling")
    if typed.kind is not None:
        visit.kind = vocab.choose(typed.kind, vocab.RECEPTION_KINDS, label="--kind", kind="kind")
    if typed.escalated is not None:
        visit.escalated = typed.escalated
    if typed.at is not None:
        # (`--at 9h` corrects the hour of the visit's own day: a past visit is not moved to today)
        moment = parse_moment(typed.at, tz=tz, now=now or now_local(tz), on=visit.visit_date)
        visit.visited_at, visit.visit_date = to_utc(moment), moment.date()
    if typed.officer is not None:
        officer = serving_then(officer_named(session, typed.officer), visit.visit_date, tz)
        visit.officer_id = officer.id
    previous_case = case
    if typed.case is not None:
        case = cases.get(session, typed.case)
        visit.case_id = case.id
    warning = representatives_warning(visit.people, visit.representatives.split("; ") if visit.representatives
                                      else [])
    if warning and (typed.people is not None or typed.representatives is not None):
        warnings.append(warning)
    if typed.case is None and case.type in cases.SETTLED_AT_THE_DESK:
        warnings.extend(_follow_desk_answer(session, case, visit, typed, settings, actor))
    place_before = case.locality_folded
    if typed.locality is not None and typed.case is None and not cases.follow_only_visit_locality(
            session, case, visit, citizen.locality, actor=actor):
        warnings.append(said("warn_case_keeps_locality", code=case.code))
    if place_before and case.locality_folded != place_before:  # (the place it left may be a hotspot no more)
        flags.refresh_hotspots(session, place_before, settings, actor=actor)
    if ((typed.type is not None or typed.field is not None) and typed.case is None
            and not cases.follow_only_visit(session, case, visit, settings, actor=actor) and case.type != visit.type) \
            or (typed.case is not None and case.type != visit.type):  # (moved to a case of another type: as visit add)
        warnings.append(said("warn_other_type", coded={"case_type": "type", "visit_type": "type"},
                             code=case.code, case_type=case.type, visit_type=visit.type))
    visit.search_folded = search_key(visit.type, citizen, visit.content, case.type)
    visit.updated_at = _now_utc()
    session.add(visit)
    citizen_after = {k: getattr(citizen, k) for k in citizen_before}
    if any(citizen_after[k] != citizen_before[k] for k in ("name", "address")):
        refresh_search_keys(session, citizen, but=visit.id)
    if citizen_after != citizen_before:
        citizen.updated_at = _now_utc()
        session.add(citizen)
        changed = sorted(k for k in citizen_before if citizen_before[k] != citizen_after[k])
        audit.record(session, actor=actor, entity="citizen", code=f"CD-{citizen.id}", action="edit",
                     after={"fields": changed})
    after = _audited(visit, case, officer)
    old, new = audit.diff(before, after)
    # The texts (what the citizen asked, the officer's note) are not in the trail, which keeps no
    # personal data, but that they were changed is: otherwise a request could be rewritten unseen.
    texts = sorted(name for name, was in texts_before.items() if getattr(visit, name) != was)
    if visit.representatives != representatives_before and "representatives" not in new:
        if after["representatives"] is not None:
            # (a name corrected to one with the same initials is still a change the trail records)
            old["representatives"], new["representatives"] = before["representatives"], after["representatives"]
        else:  # (a denunciation's: not even their initials)
            texts.append("representatives")
    if texts:
        new["fields"] = texts
    if old or new:
        audit.record(session, actor=actor, entity="visit", code=visit.code, action="edit", before=old, after=new)
    session.flush()
    for touched in {c.id: c for c in (previous_case, case)}.values():
        if typed.at is not None or typed.case is not None:
            cases.follow_first_visit(session, touched, settings, actor=actor)
        flags.refresh(session, touched, settings, actor=actor)
    return visit, warnings


def _follow_desk_answer(session: Session, case: Case, visit: Visit, typed: VisitInput, settings: Settings,
                        actor: str) -> list[str]:
    """A petition or feedback its only visit answered at the desk is closed by it (visit add): the
    handling corrected to `answered` closes it so; corrected away, or the visit moved to another day,
    the step stays (the history is not rewritten) and a warning says what to do."""
    from tct import cases
    from tct.dates import day_text

    if typed.handling is None and typed.at is None:
        return []
    by_it = cases.closed_at_the_desk_by(session, case, visit.code)
    if by_it:
        if typed.handling is not None and visit.handling != "answered":
            return [said("warn_case_stays_closed", code=case.code)]
        if typed.at is not None and case.closed_on != visit.visit_date:
            return [said("warn_case_keeps_closing_day", code=case.code, day=day_text(case.closed_on))]
        return []
    if visit.handling == "answered" and case.status == "new" and case.status_changed_on is None and not visit.void \
            and case.opened_on == visit.visit_date and not cases.has_other_visit(session, case.id, visit.id):
        cases.close_answered_at_the_desk(session, case, visit.code, settings=settings, actor=actor)
    return []


def refresh_search_keys(session: Session, citizen: Citizen, *, but: int | None = None) -> None:
    """Give every visit of the citizen the search key of their record as it now stands: a name or
    address corrected (`visit edit`) or completed (a later visit with the same ID number) must find
    all their visits, and the old spelling none of them."""
    from sqlmodel import col, select

    from tct.models import Case, Visit

    rows = session.exec(select(Visit, Case.type).join(Case, col(Case.id) == col(Visit.case_id))
                        .where(col(Visit.citizen_id) == citizen.id)).all()
    for other, case_type in rows:
        if other.id == but:
            continue
        key = search_key(other.type, citizen, other.content, case_type)
        if key != other.search_folded:
            other.search_folded = key
            session.add(other)


def _now_utc() -> datetime:
    from tct.dates import utc_now

    return utc_now()


def void(session: Session, code: str, *, reason: str, settings: Settings, actor: str) -> Visit:
    """Void a visit: kept in the register and the audit trail, left out of lists and reports."""
    visit = get(session, code)
    why = clean(reason, label="--reason", max_len=MAX_TEXT, required=True)
    if visit.void:
        raise ValidationError.said_as("err_visit_already_void", code=visit.code)
    visit.void, visit.void_reason, visit.voided_at = True, why, _now_utc()
    visit.updated_at = visit.voided_at
    session.add(visit)
    audit.record(session, actor=actor, entity="visit", code=visit.code, action="void",
                 before={"void": False}, after={"void": True}, reason=why)
    session.flush()
    from tct import cases
    from tct.models import Case

    case = session.get(Case, visit.case_id)
    cases.follow_first_visit(session, case, settings, actor=actor)
    flags.refresh(session, case, settings, actor=actor)
    return visit


def last_field(session: Session) -> str | None:
    """The field of the most recently logged visit: the desk's default at the prompt."""
    from sqlmodel import col, select

    from tct.models import Visit

    return session.exec(select(Visit.field).order_by(col(Visit.id).desc()).limit(1)).first()
