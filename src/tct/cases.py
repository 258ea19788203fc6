"""Cases (vụ việc): the matter one or more visits bring, its lifecycle, deadlines and flags.

Deadlines (domain.md; the numbers are settings whose defaults are the legal values):
- before acceptance: a complaint must be accepted within 10 days of receipt (Law on Complaints 2011),
  a denunciation within 7 working days (Law on Denunciations 2018); petitions and feedback are
  processed within `deadline.petition_days` days of receipt;
- after acceptance (thụ lý): complaints 30 days, 45 for a complex case; denunciations 30 days,
  extendable (once, twice for a particularly complex case) by up to 30 days each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from tct.errors import NotFoundError
from tct.i18n import label, said
from tct.text import fold

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.models import Case, Referral, Visit
    from tct.settings import Settings

OPEN_STATUSES = ("new", "accepted")
# `case list --due-within N`: ten years is past any legal deadline (even an extended one), and keeps
# today + N days a date Python and the database can hold.
MAX_DUE_WITHIN_DAYS = 3650
COMPLAINT_ACCEPT_DAYS = 10
DENUNCIATION_ACCEPT_WORKDAYS = 7


def code_key(typed: str) -> str:
    """A visit or case code as stored, however typed: `vv-2026-1`, `VV-2026-0001 ` and `vv-2026-001`
    are VV-2026-0001 (the desk reads the number off a paper slip, leading zeros and all or not)."""
    key = (typed or "").strip().upper()
    match = _CODE.fullmatch(key)
    if match is None:
        citizen = _CITIZEN_CODE.fullmatch(key)  # (a citizen's, CD-12, as the trail names them)
        return f"CD-{int(citizen.group(1))}" if citizen else key
    return f"{match.group(1)}-{match.group(2)}-{int(match.group(3)):04d}"


_CODE = re.compile(r"(TCD|VV)-(\d{4})-(\d{1,9})")
_CITIZEN_CODE = re.compile(r"CD-(\d{1,9})")


def get(session: Session, code: str) -> Case:
    from sqlmodel import col, select

    from tct.models import Case

    case = session.exec(select(Case).where(col(Case.code) == code_key(code))).first()
    if case is None:
        raise NotFoundError.said_as("err_no_case", code=code)
    return case


def id_of(source: Session | Driver, code: str) -> int:
    """The id of the case a typed code means (see get), read as a plain column."""
    from tct.db import Driver

    for case_id, in Driver.of(source).rows("SELECT id FROM cases WHERE code = ?", [code_key(code)]):
        return int(case_id)
    raise NotFoundError.said_as("err_no_case", code=code)


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start`, skipping weekends and official days off."""
    from tct.daysoff import is_working_day

    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def deadline_for(case: Case, settings: Settings, *, complex_: bool = False) -> date | None:
    """The next legal deadline of an open case; None once it is no longer open."""
    if case.status not in OPEN_STATUSES:
        return None
    if case.status == "new" or case.accepted_on is None:
        # A case reopened before it was accepted (guided, transferred) is received again that day
        # (the only step back to `new`): its acceptance deadline runs from it, not from the first visit.
        reopened = case.status_changed_on if case.status == "new" else None
        received = max(case.opened_on, reopened) if reopened is not None else case.opened_on
        return Deadlines(settings).to_accept(case.type, received)
    return Deadlines(settings).to_settle(case.type, case.accepted_on, case.extension_days, complex_=complex_)


class Deadlines:
    """The legal deadlines under one register's settings (read once): deadline_for's arithmetic,
    for the paths that compute thousands of them (a past day's backlog)."""

    def __init__(self, settings: Settings) -> None:
        self.petition_days = int(settings["deadline.petition_days"])
        self.settle_days = {"complaint": int(settings["deadline.complaint_days"]),
                            "denunciation": int(settings["deadline.denunciation_days"])}
        self.complex_complaint_days = int(settings["deadline.complaint_complex_days"])

    def to_accept(self, type_: str, received: date) -> date:
        """The day by which a case received on `received` must be accepted (or answered)."""
        if type_ == "complaint":
            return received + timedelta(days=COMPLAINT_ACCEPT_DAYS)
        if type_ == "denunciation":
            return add_working_days(received, DENUNCIATION_ACCEPT_WORKDAYS)
        return received + timedelta(days=self.petition_days)

    def to_settle(self, type_: str, accepted_on: date, extension_days: int, *, complex_: bool = False) -> date:
        """The day by which a case accepted on `accepted_on` must be settled."""
        if complex_ and type_ == "complaint":
            days = self.complex_complaint_days
        else:
            days = self.settle_days.get(type_, self.petition_days)
        return accepted_on + timedelta(days=days + extension_days)


def deadline_of(type_: str, status: str, opened_on: date, accepted_on: date | None, extension_days: int,
                settings: Settings, *, complex_: bool = False, status_changed_on: date | None = None
                ) -> date | None:
    """deadline_for a case read as plain columns (as it stands, or stood on a past day), for the
    set-based paths: a model instance costs ~0.2 ms."""
    as_read = SimpleNamespace(type=type_, status=status, opened_on=opened_on, accepted_on=accepted_on,
                              extension_days=extension_days, status_changed_on=status_changed_on)
    return deadline_for(cast("Case", as_read), settings, complex_=complex_)


def open_case(session: Session, *, type_: str, field: str, locality: str | None, summary: str | None,
              opened_on: date, citizen_id: int | None, settings: Settings, actor: str) -> Case:
    """A new case from the visit that brings it; numbered VV-YYYY-NNNN without gaps."""
    from tct import audit
    from tct.db import next_number
    from tct.models import Case

    seq = next_number(session, "case", opened_on.year)
    case = Case(code=f"VV-{opened_on.year}-{seq:04d}", year=opened_on.year, seq=seq, type=type_, field=field,
                locality=locality, locality_folded=fold(locality) or None, summary=summary,
                search_folded=fold(" ".join(filter(None, [summary, locality]))), opened_on=opened_on,
                first_visit_on=opened_on, citizen_id=citizen_id)
    case.deadline = deadline_for(case, settings)
    session.add(case)
    session.flush()
    audit.record(session, actor=actor, entity="case", code=case.code, action="create",
                 after={"type": type_, "field": field, "locality": locality, "status": case.status,
                        "opened_on": opened_on, "deadline": case.deadline})
    return case


def close_answered_at_the_desk(session: Session, case: Case, visit_code: str, *, settings: Settings,
                               actor: str) -> None:
    """A petition or feedback the desk answered on the spot at the visit that opened it (handling
    `answered`) is settled there: closed on the day it was received, as `case close` would close
    it, in its history and the trail. Left `new`, it stood in the report's backlog, "overdue", ten
    days later (a complaint or a denunciation keeps its formal steps: acceptance, a decision)."""
    from tct import audit
    from tct.dates import utc_now
    from tct.models import CaseStatusChange

    day = case.opened_on
    note = label("note_answered_at_the_desk", code=visit_code)
    before = {"status": case.status, "deadline": case.deadline}
    case.status, case.closed_on, case.status_changed_on = "closed", day, day
    refresh_deadline(session, case, settings)
    case.updated_at = utc_now()
    session.add(case)
    session.add(CaseStatusChange(case_id=case.id, changed_on=day, from_status="new", to_status="closed",
                                 note=note, actor=actor))
    old, new = audit.diff(before, {"status": case.status, "deadline": case.deadline})
    audit.record(session, actor=actor, entity="case", code=case.code, action="close", before=old, after=new,
                 reason=note)
    session.flush()


def closed_at_the_desk_by(session: Session, case: Case, visit_code: str) -> bool:
    """Whether the case stands closed by close_answered_at_the_desk at that visit (its last step)."""
    from sqlmodel import col, select

    from tct.models import CaseStatusChange

    last = session.exec(select(CaseStatusChange).where(col(CaseStatusChange.case_id) == case.id)
                        .order_by(col(CaseStatusChange.changed_on).desc(), col(CaseStatusChange.id).desc())
                        .limit(1)).first()
    return (case.status == "closed" and last is not None and (last.from_status, last.to_status) == ("new", "closed")
            and last.note == label("note_answered_at_the_desk", code=visit_code))


# --- lifecycle ------------------------------------------------------------------------------

RESULTS = ("upheld", "partly-upheld", "rejected", "withdrawn")
RESULT_ALIASES = {"upheld": ("dung", "dung-toan-bo"), "partly-upheld": ("dung-mot-phan", "partly"),
                  "rejected": ("sai", "sai-toan-bo", "khong-dung"), "withdrawn": ("rut", "rut-don")}
TERMINAL = ("resolved", "closed", "guided", "transferred")
# A petition or feedback answered at the desk (handling `answered`) is settled there: it is closed
# without being accepted and resolved, which are a complaint's and a denunciation's formal steps.
SETTLED_AT_THE_DESK = ("petition", "feedback")
# Which statuses each action may start from (an impossible transition is a clear error).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": (("new",), "accepted"),
    "resolve": (("accepted",), "resolved"),
    "close": (("resolved", "guided", "transferred"), "closed"),
    "transfer": (("new", "accepted"), "transferred"),
    "guide": (("new",), "guided"),
    "reopen": (("resolved", "closed", "guided", "transferred"), "reopened"),
}


def follow_first_visit(session: Session, case: Case, settings: Settings, *, actor: str) -> None:
    """A case is received on the day of its first visit: when a visit's day is corrected, an
    earlier visit is added or the first one is voided, its opening day and deadline follow (audited),
    but never past the first step of its history (a case accepted on a day had been received by then).
    A case whose every visit is void keeps its day, and loses its deadline (refresh_deadline) until
    a visit comes again."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from tct import audit
    from tct.dates import utc_now
    from tct.models import CaseStatusChange, Visit

    first = session.exec(select(func.min(Visit.visit_date)).where(col(Visit.case_id) == case.id,
                                                                  col(Visit.void).is_(False))).one()
    day = case.opened_on
    if first is not None:
        step = session.exec(select(func.min(CaseStatusChange.changed_on))
                            .where(col(CaseStatusChange.case_id) == case.id)).one()
        day = min(first, step) if step is not None else first
    before = {"opened_on": case.opened_on, "deadline": case.deadline}
    case.opened_on = day
    refresh_deadline(session, case, settings)
    if (case.opened_on, case.deadline) == (before["opened_on"], before["deadline"]):
        if case.first_visit_on != first:  # (derived, like the search keys: not an edit of the trail's)
            case.first_visit_on = first
            session.add(case)
            session.flush()
        return
    case.first_visit_on = first
    case.updated_at = utc_now()
    session.add(case)
    after = {"opened_on": case.opened_on, "deadline": case.deadline}
    audit.record(session, actor=actor, entity="case", code=case.code, action="edit",  # (what changed, only)
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v})
    session.flush()


def follow_only_visit(session: Session, case: Case, visit: Visit, settings: Settings, *, actor: str) -> bool:
    """A case is opened from its first visit's type and field: when the desk corrects that visit's
    type or field (`visit edit --type`), the case takes them too, with the deadline of its corrected
    type (a denunciation's 7 working days, not a complaint's 10 days) and its place in the report,
    as long as that visit is its only one and the case has taken no step. Otherwise the case keeps its
    own, and False says the two now disagree (the caller warns, as `visit add` does)."""

    from tct import audit
    from tct.dates import utc_now

    if (case.type, case.field) == (visit.type, visit.field):
        return True
    if case.status != "new" or case.status_changed_on is not None or has_other_visit(session, case.id, visit.id) \
            or _has_status_change(session, case.id):
        return False
    before = {"type": case.type, "field": case.field, "deadline": case.deadline}
    case.type, case.field = visit.type, visit.field
    refresh_deadline(session, case, settings)
    after = {"type": case.type, "field": case.field, "deadline": case.deadline}
    case.updated_at = utc_now()
    session.add(case)
    audit.record(session, actor=actor, entity="case", code=case.code, action="edit",
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v})
    session.flush()
    return True


def follow_only_visit_locality(session: Session, case: Case, visit: Visit, locality: str | None, *,
                               actor: str) -> bool:
    """A case takes the locality its only visit gives it (open_case): when the desk corrects it
    (`visit edit --locality`, which corrects the citizen's record), the case, which `case list
    --locality` and the hotspots read, takes the corrected one too, audited. Otherwise (other
    visits came) it keeps its own, and False says the two now disagree (the caller warns)."""

    from tct import audit
    from tct.dates import utc_now

    if fold(case.locality) == fold(locality):
        return True
    if has_other_visit(session, case.id, visit.id):
        return False
    before = case.locality
    case.locality, case.locality_folded = locality, fold(locality) or None
    case.search_folded = fold(" ".join(filter(None, [case.summary, locality])))
    case.updated_at = utc_now()
    session.add(case)
    audit.record(session, actor=actor, entity="case", code=case.code, action="edit", before={"locality": before},
                 after={"locality": locality})
    session.flush()
    return True


def has_other_visit(session: Session, case_id: int, visit_id: int) -> bool:
    """Whether the case has a non-void visit besides that one (whose corrections it follows only alone)."""
    from sqlmodel import col, select

    from tct.models import Visit

    return session.exec(select(Visit.id).where(col(Visit.case_id) == case_id, col(Visit.id) != visit_id,
                                               col(Visit.void).is_(False)).limit(1)).first() is not None


def _has_status_change(session: Session, case_id: int) -> bool:
    from sqlmodel import col, select

    from tct.models import CaseStatusChange

    return session.exec(select(CaseStatusChange.id).where(col(CaseStatusChange.case_id) == case_id)
                        .limit(1)).first() is not None


def _complex_at(session: Session, case_id: int, end: datetime) -> datetime | None:
    """When the complex flag in effect at the moment `end` took effect, as the report's backlog reads
    it (set before `end`, not cleared by then); None when the case was not complex at `end`."""
    from tct.flags import flags_of, to_utc_aware

    moments = [to_utc_aware(f.set_at) for f in flags_of(session, case_id) if f.kind == "complex"
               and to_utc_aware(f.set_at) < end and (f.cleared_at is None or to_utc_aware(f.cleared_at) >= end)]
    return min(moments, default=None)


def is_complex(session: Session, case: Case) -> bool:
    from tct.flags import active_kinds

    return "complex" in active_kinds(session, case.id)


def checked_day(on: date | None, settings: Settings, *, not_before: date | None, since: str) -> date:
    """The day a step or decision is dated (today when not given): never in the future, nor before
    `not_before` (what `since` names, e.g. i18n.said("since_opened", code=…))."""
    from tct.dates import day_text, today_local
    from tct.errors import ValidationError

    today = today_local(settings["timezone"])
    day = on or today
    if day > today:
        raise ValidationError.said_as("err_day_in_future", day=day_text(day))
    if not_before is not None and day < not_before:
        raise ValidationError.said_as("err_day_before", day=day_text(day), since=since, before=day_text(not_before))
    return day


def decision_moment(on: date | None, settings: Settings, *, not_before: date | None, since: str) -> datetime:
    """When a decision about a case took effect, as the moment it is stamped with: now, or the start
    (office time) of the day `on` it was made when it is entered later, so the backlog of that day
    and every day after counts it while one of an earlier day does not. The audit trail keeps when
    it was entered."""
    from tct.dates import today_local, utc_now

    day = checked_day(on, settings, not_before=not_before, since=since)
    return utc_now() if day == today_local(settings["timezone"]) else day_start(day, settings)


def day_start(on: date, settings: Settings) -> datetime:
    """The start of the office-local day `on`, in UTC (as flags and extensions are stamped)."""
    from tct.dates import office_tz

    return datetime.combine(on, time(), office_tz(settings["timezone"])).astimezone(UTC)


def day_end(on: date, settings: Settings) -> datetime:
    """The end of the office-local day `on` (the start of the next), in UTC: the report's cutoff."""
    return day_start(on + timedelta(days=1), settings)


def refresh_deadline(session: Session, case: Case, settings: Settings) -> None:
    """The case's stored deadline, which `case list --overdue` and `alerts` read. A case whose every
    visit is void was entered in error: nothing is owed on it, so it has none (nobody's backlog, as
    the report judges it) until a visit comes again."""
    case.deadline = (deadline_for(case, settings, complex_=is_complex(session, case))
                     if _has_visit(session, case.id) else None)


def _has_visit(session: Session, case_id: int) -> bool:
    from sqlmodel import col, select

    from tct.models import Visit

    return session.exec(select(Visit.id).where(col(Visit.case_id) == case_id, col(Visit.void).is_(False))
                        .limit(1)).first() is not None


def refresh_open_deadlines(session: Session, settings: Settings, *, actor: str, reason: str) -> int:
    """The deadline of every open case computed again under `settings` (new `deadline.*` values),
    each one that moves in the audit trail as an edit (`reason`: the setting changed), set-based:
    `case list --overdue`/`--due-within` and `tct alerts` read the stored deadline, which must
    follow the rule in force as the report's backlog does. Returns how many moved."""
    from tct import audit
    from tct.dates import utc_now
    from tct.db import Driver, sql_words

    session.flush()
    db = Driver(session)
    complex_ = {case_id for case_id, in db.rows(
        "SELECT DISTINCT case_flag.case_id FROM case_flag WHERE case_flag.kind = 'complex' "
        "AND case_flag.cleared_at IS NULL")}
    moved, events, stamp = [], [], db.stamp(utc_now())
    for case_id, code, type_, status, opened_on, accepted_on, extension_days, stored, changed_on in db.rows(
            "SELECT id, code, type, status, opened_on, accepted_on, extension_days, deadline, status_changed_on "
            "FROM cases "
            f"WHERE status IN ({sql_words(OPEN_STATUSES)}) AND EXISTS (SELECT visit.id FROM visit "
            "WHERE visit.case_id = cases.id AND visit.void = ?) ORDER BY id", [db.flag(False)]):
        deadline = deadline_of(type_, status, db.read_day(opened_on),
                               db.read_day(accepted_on) if accepted_on is not None else None,
                               int(extension_days or 0), settings, complex_=case_id in complex_,
                               status_changed_on=db.read_day(changed_on) if changed_on is not None else None)
        before = db.read_day(stored) if stored is not None else None
        if deadline != before:
            moved.append((db.day(deadline), stamp, case_id))
            events.append(audit.event_row(db, actor=actor, entity="case", code=code, action="edit",
                                          before={"deadline": before}, after={"deadline": deadline},
                                          reason=reason))
    db.many("UPDATE cases SET deadline = ?, updated_at = ? WHERE id = ?", moved)
    db.many(audit.INSERT_ROW, events)
    session.expire_all()  # (a case the session had loaded reads its new deadline)
    return len(moved)


def transition(session: Session, code: str, action: str, *, settings: Settings, actor: str,
               on: date | None = None, result: str | None = None, agency: str | None = None,
               note: str | None = None) -> Case:
    """Move a case through its lifecycle: new → accepted → resolved → closed, or guided/transferred."""
    from tct import audit, vocab
    from tct.dates import utc_now
    from tct.errors import ValidationError
    from tct.models import CaseStatusChange
    from tct.text import MAX_TEXT, clean

    case = get(session, code)
    allowed, target = TRANSITIONS[action]
    if case.type in SETTLED_AT_THE_DESK:
        if action == "accept":
            # Acceptance (thụ lý) is a complaint's and a denunciation's formal step, from which their
            # resolution time runs: a petition's 10 days run from its receipt, which accepting it restarted.
            raise ValidationError.said_as("err_no_acceptance", coded={"type": "type"}, code=case.code,
                                          type=case.type, days=int(settings["deadline.petition_days"]))
        if action == "close":
            allowed = ("new", *allowed)
    if case.status not in allowed:
        raise ValidationError.said_as("err_step_needs", coded={"status": "status", "allowed": "status"},
                                      code=case.code, status=case.status, action=action, allowed=list(allowed))
    # Steps are entered in the order they happened (entered late, or several the same day: yes): a
    # history stepping back in time would give the report's past days a status the case never had.
    if case.status_changed_on is not None:
        day = checked_day(on, settings, not_before=case.status_changed_on,
                          since=said("since_last_step", coded={"status": "status"}, code=case.code,
                                     status=case.status))
    else:
        day = checked_day(on, settings, not_before=case.opened_on, since=said("since_opened", code=case.code))
    note = clean(note, label="--note", max_len=MAX_TEXT, multiline=True)
    before = {"status": case.status, "result": case.result, "transferred_to": case.transferred_to,
              "within_authority": case.within_authority, "deadline": case.deadline,
              "extension_days": case.extension_days}
    if action == "accept":
        case.accepted_on = day
    elif action == "resolve":
        case.result = vocab.choose(result, {r: RESULT_ALIASES[r] for r in RESULTS}, label="--result", kind="result")
        case.resolved_on = day
    elif action == "close":
        case.closed_on = day
    elif action == "transfer":
        case.transferred_to = known_agency(clean(agency, label="--to", max_len=300, required=True), settings)
        case.within_authority = False
    elif action == "guide":
        case.within_authority = False
    elif action == "reopen":
        if not note:
            raise ValidationError.said_as("err_reopen_needs_reason")
        target = "accepted" if case.accepted_on else "new"
        if case.accepted_on:
            # Taken up again on the day it is reopened: its resolution deadline runs from that day, as the
            # report's backlog reads it from the status history (the first acceptance stays in the history).
            # Extensions granted before were of the time that ended: the new one has its own (spell_extensions).
            case.accepted_on = day
            case.extension_days = 0
        case.result, case.resolved_on, case.closed_on = None, None, None
        case.within_authority = True
        case.transferred_to = None  # (the history keeps where it went)
    previous = case.status
    case.status = target
    case.status_changed_on = max(day, case.status_changed_on or day)  # changes may be entered late
    refresh_deadline(session, case, settings)
    case.updated_at = utc_now()
    session.add(case)
    session.add(CaseStatusChange(case_id=case.id, changed_on=day, from_status=previous, to_status=target,
                                 result=case.result if action == "resolve" else None,
                                 agency=case.transferred_to if action == "transfer" else None,
                                 note=note, actor=actor))
    after = {"status": case.status, "result": case.result, "transferred_to": case.transferred_to,
             "within_authority": case.within_authority, "deadline": case.deadline,
             "extension_days": case.extension_days}
    old, new = audit.diff(before, after)
    audit.record(session, actor=actor, entity="case", code=case.code, action=action, before=old, after=new,
                 reason=note)
    session.flush()
    return case


def repair_derived(session: Session, *, actor: str) -> list[str]:
    """Give every case that tct db check finds with a stored first-visit day or history-order mark
    other than its visits and history say (tct.db.DERIVED_MISMATCHES) what they say, each in the
    audit trail; returns their codes. Run after repair_status_days, whose days the mark reads."""
    from tct import audit
    from tct.db import DERIVED_MISMATCHES, Driver
    from tct.models import Case

    db = Driver.of(session)
    repaired = []
    for case_id, code, _, first_day, _, in_order in db.rows(DERIVED_MISMATCHES):
        case = session.get(Case, case_id)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        first = db.read_day(first_day) if first_day is not None else None
        if case.first_visit_on != first:
            before["first_visit_on"], after["first_visit_on"] = case.first_visit_on, first
            case.first_visit_on = first
        if bool(case.history_in_order) != bool(in_order):
            before["history_in_order"], after["history_in_order"] = case.history_in_order, bool(in_order)
            case.history_in_order = bool(in_order)
        audit.record(session, actor=actor, entity="case", code=code, action="repair", before=before, after=after,
                     reason=label("reason_derived"))
        session.add(case)
        repaired.append(code)
    session.flush()
    return repaired


def extension_mismatches(source: Session | Driver) -> list[tuple[int, str, int, int]]:
    """(id, code, stored extension days, the days of the extensions granted since its acceptance or
    reopening) of each accepted case whose two differ. Reopening keeps none of an earlier time's
    (transition): a case an older tct reopened kept them, its stored deadline (read by `case list
    --overdue` and `alerts`) as late as them, and `extend` granted the new time's on top. The
    report reads the extensions themselves, so it was right; `tct db check` lists the others,
    repair_extension_days mends them."""
    from tct import settings as config
    from tct.db import Driver

    db = Driver.of(source)
    accepted = {case_id: (code, db.read_day(accepted_on), int(stored or 0)) for case_id, code, accepted_on, stored
                in db.rows("SELECT cases.id, cases.code, cases.accepted_on, cases.extension_days FROM cases "
                           "WHERE cases.status = 'accepted' AND cases.accepted_on IS NOT NULL AND "
                           "(cases.extension_days <> 0 OR EXISTS (SELECT case_extension.id FROM case_extension "
                           "WHERE case_extension.case_id = cases.id))")}
    current = config.load(source)
    granted = dict.fromkeys(accepted, 0)
    undecided = set()
    for case_id, days, at in db.rows_in("SELECT case_extension.case_id, case_extension.days, case_extension.at "
                                        "FROM case_extension WHERE case_extension.case_id IN ({ids})", list(accepted)):
        since = accepted[case_id][1]
        moment = db.read_stamp(at)
        if moment >= day_start(since, current):  # (spell_extensions' rule)
            granted[case_id] += int(days)
            if moment < day_end(since, current):
                # Granted on the day of the acceptance or reopening: of the time that ended that day, or of
                # the new one? The day does not say (a case reopened the day it was extended): not judged.
                undecided.add(case_id)
    return sorted(((case_id, code, stored, granted[case_id]) for case_id, (code, _, stored) in accepted.items()
                   if stored != granted[case_id] and case_id not in undecided), key=lambda mismatch: mismatch[1])


def repair_extension_days(session: Session, *, actor: str) -> list[str]:
    """Give every case extension_mismatches finds the days of the extensions of its time now
    running, and the deadline they make, each in the audit trail; returns their codes."""
    from tct import audit
    from tct import settings as config
    from tct.models import Case

    current = config.load(session)
    repaired = []
    for case_id, code, stored, granted in extension_mismatches(session):
        case = session.get(Case, case_id)
        deadline = case.deadline
        case.extension_days = granted
        refresh_deadline(session, case, current)
        before: dict[str, Any] = {"extension_days": stored}
        after: dict[str, Any] = {"extension_days": granted}
        if case.deadline != deadline:
            before["deadline"], after["deadline"] = deadline, case.deadline
        audit.record(session, actor=actor, entity="case", code=code, action="repair", before=before, after=after,
                     reason=label("reason_extension_days"))
        session.add(case)
        repaired.append(code)
    session.flush()
    return repaired


def repair_status_days(session: Session, *, actor: str) -> list[str]:
    """Give every case that tct db check finds with a stored day of its latest status change other
    than its history's (tct.db.STATUS_DAY_MISMATCHES) its history's day again, each in the audit
    trail; returns their codes."""
    from tct import audit
    from tct import settings as config
    from tct.db import STATUS_DAY_MISMATCHES, Driver
    from tct.models import Case

    db = Driver.of(session)
    current = config.load(session)
    repaired = []
    for case_id, code, _, last in db.rows(STATUS_DAY_MISMATCHES):
        case = session.get(Case, case_id)
        day = db.read_day(last) if last is not None else None
        before: dict[str, Any] = {"status_changed_on": case.status_changed_on}
        after: dict[str, Any] = {"status_changed_on": day}
        case.status_changed_on, deadline = day, case.deadline
        refresh_deadline(session, case, current)  # (a reopened new case's deadline runs from that day)
        if case.deadline != deadline:
            before["deadline"], after["deadline"] = deadline, case.deadline
        audit.record(session, actor=actor, entity="case", code=code, action="repair", before=before, after=after,
                     reason=label("reason_status_day"))
        session.add(case)
        repaired.append(code)
    session.flush()
    return repaired


def extend(session: Session, code: str, *, days: int, reason: str, settings: Settings, actor: str,
           particularly_complex: bool = False, on: date | None = None) -> Case:
    """Extend a denunciation's resolution deadline (Law on Denunciations 2018): a complex case once,
    a particularly complex one twice, each by at most `deadline.denunciation_extension_days` days.
    `on`: the day of the decision, when it is entered later (see decision_moment)."""
    from tct import audit
    from tct.dates import day_text
    from tct.errors import ValidationError
    from tct.models import CaseExtension
    from tct.text import MAX_TEXT, clean

    case = get(session, code)
    why = clean(reason, label="--reason", max_len=MAX_TEXT, required=True)
    limit = int(settings["deadline.denunciation_extension_days"])
    if days <= 0:
        raise ValidationError.said_as("err_days_positive")
    if case.type != "denunciation":
        raise ValidationError.said_as("err_no_extension_complaint" if case.type == "complaint" else "err_no_extension",
                                      coded={"type": "type"}, type=case.type)
    if case.status != "accepted":
        raise ValidationError.said_as("err_extend_needs_accepted", coded={"status": "status"}, code=case.code,
                                      status=case.status)
    if not is_complex(session, case):
        raise ValidationError.said_as("err_extend_needs_complex", code=case.code)
    if days > limit:
        raise ValidationError.said_as("err_extension_at_most", limit=limit)
    moment = decision_moment(on, settings, not_before=case.accepted_on, since=said("since_accepted", code=case.code))
    if on is not None:
        # Complex on that day as the backlog reads it (by its end): complexity decided the same day, even
        # entered that day after midnight, counts; the extension is stamped no earlier than it.
        became = _complex_at(session, case.id, day_end(on, settings))
        if became is None:
            raise ValidationError.said_as("err_not_complex_on", code=case.code, day=day_text(on))
        moment = max(moment, became)
    spell = spell_extensions(session, case, settings)
    done = len(spell)
    allowed = 2 if particularly_complex else 1
    if done >= allowed:
        raise ValidationError.said_as("err_already_extended_twice" if allowed == 2 else "err_already_extended",
                                      code=case.code, done=done)
    before = case.deadline
    # (those of the time now running and this one: not `+=`, which kept the days of an earlier time
    # in a register whose case an older tct reopened, repair_extension_days)
    case.extension_days = sum(int(e.days) for e in spell) + days
    refresh_deadline(session, case, settings)
    session.add(case)
    session.add(CaseExtension(case_id=case.id, days=days, reason=why, actor=actor, at=moment))
    after: dict[str, Any] = {"deadline": case.deadline, "days": days}
    if on is not None:
        after["decided_on"] = on
    audit.record(session, actor=actor, entity="case", code=case.code, action="extend",
                 before={"deadline": before}, after=after, reason=why)
    session.flush()
    return case


def extensions(session: Session, case_id: int) -> list:  # type: ignore[type-arg]
    from sqlmodel import col, select

    from tct.models import CaseExtension

    return list(session.exec(select(CaseExtension).where(col(CaseExtension.case_id) == case_id)
                             .order_by(col(CaseExtension.id))).all())


def spell_extensions(session: Session, case: Case, settings: Settings) -> list:  # type: ignore[type-arg]
    """The extensions of the case's resolution time now running: those granted since it was last
    accepted (or reopened, which restarts that time, transition). The law's one or two extensions
    are of one resolution; those of a time that ended stay in the history, counting for nothing."""
    from tct.flags import to_utc_aware

    if case.accepted_on is None:
        return []
    since = day_start(case.accepted_on, settings)
    return [e for e in extensions(session, case.id) if to_utc_aware(e.at) >= since]


def known_agency(typed: str | None, settings: Settings) -> str:
    """An agency typed as the desk types it ("thanh tra tinh") is the one of `referral.agencies` it
    names ("Thanh tra tỉnh"), so a report counts one agency once; any other as typed."""
    assert typed is not None
    return {fold(agency): agency for agency in settings["referral.agencies"]}.get(fold(typed), typed)


def refer(session: Session, code: str, *, to: str, on: date | None, note: str | None, settings: Settings,
          actor: str) -> Referral:
    """Record that information on the case was sent to another agency (plan II.3, II.6)."""
    from tct import audit
    from tct.models import Referral
    from tct.text import MAX_TEXT, clean

    case = get(session, code)
    day = checked_day(on, settings, not_before=case.opened_on, since=said("since_opened", code=case.code))
    agency = known_agency(clean(to, label="--to", max_len=300, required=True), settings)
    referral = Referral(case_id=case.id, to_agency=agency, sent_on=day,
                        note=clean(note, label="--note", max_len=MAX_TEXT, multiline=True), actor=actor)
    session.add(referral)
    session.flush()
    audit.record(session, actor=actor, entity="case", code=case.code, action="refer",
                 after={"to": agency, "sent_on": referral.sent_on}, reason=referral.note)  # (as a status change's)
    return referral


# --- reading ----------------------------------------------------------------------------------

def overdue_on(case: Case, day: date) -> int | None:
    """Days past the deadline on `day` for an open case; None when not overdue."""
    if case.status in OPEN_STATUSES and case.deadline is not None and case.deadline < day:
        return (day - case.deadline).days
    return None


def as_dict(case: Case, *, flags: list[str], visits: int, citizen: str | None, today: date,
            masked: bool = False) -> dict:  # type: ignore[type-arg]
    """A case as shown; `masked` (its citizen a denouncer, shown by initials) leaves out its locality
    too, the one typed at the desk with the denouncer's, as the report and the export know."""
    return {"code": case.code, "type": case.type, "field": case.field,
            "locality": None if masked else case.locality,
            "summary": case.summary, "within_authority": case.within_authority, "status": case.status,
            "result": case.result, "transferred_to": case.transferred_to,
            "opened_on": case.opened_on.isoformat(),
            "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
            "resolved_on": case.resolved_on.isoformat() if case.resolved_on else None,
            "closed_on": case.closed_on.isoformat() if case.closed_on else None,
            "deadline": case.deadline.isoformat() if case.deadline else None,
            "days_overdue": overdue_on(case, today), "extension_days": case.extension_days,
            "flags": flags, "visits": visits, "citizen": citizen}


@dataclass
class CaseFilter:
    status: str | None = None
    type: str | None = None
    flag: str | None = None
    locality: str | None = None
    search: str | None = None
    overdue: bool = False
    due_within: int | None = None
    on: date | None = None
    limit: int = 200


def listing(session: Session, wanted: CaseFilter, *, settings: Settings, reveal: bool = False) -> list[dict]:  # type: ignore[type-arg]
    """Cases matching the filters, most urgent deadline first. Denouncers are masked unless `reveal`."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from tct import vocab
    from tct.dates import today_local
    from tct.errors import ValidationError
    from tct.flags import KINDS, active_flags_by_case
    from tct.models import Case, CaseFlag, Citizen, Visit
    from tct.text import initials, like_pattern

    today = wanted.on or today_local(settings["timezone"])
    query = select(Case)
    if wanted.status:
        statuses = ("new", "accepted", "resolved", "closed", "guided", "transferred")
        status = vocab.choose(wanted.status, {s: () for s in statuses + ("open",)}, label="--status", kind="status")
        query = query.where(col(Case.status).in_(OPEN_STATUSES) if status == "open" else col(Case.status) == status)
    if wanted.type:
        query = query.where(col(Case.type) == vocab.choose(wanted.type, vocab.VISIT_TYPES, label="--type", kind="type"))
    if wanted.flag:
        kind = vocab.choose(wanted.flag, {k: () for k in KINDS}, label="--flag", kind="flag")
        flagged = select(CaseFlag.case_id).where(col(CaseFlag.kind) == kind, col(CaseFlag.cleared_at).is_(None))
        query = query.where(col(Case.id).in_(flagged))
    if wanted.locality:
        query = query.where(col(Case.locality_folded).like(like_pattern(wanted.locality), escape="\\"))
    if wanted.search:
        query = query.where(col(Case.search_folded).like(like_pattern(wanted.search), escape="\\"))
    if wanted.overdue or wanted.due_within is not None:
        query = query.where(col(Case.status).in_(OPEN_STATUSES), col(Case.deadline).is_not(None))
        if wanted.due_within is not None:
            if not 0 <= wanted.due_within <= MAX_DUE_WITHIN_DAYS:
                raise ValidationError.said_as("err_due_within", most=MAX_DUE_WITHIN_DAYS)
            horizon = today + timedelta(days=wanted.due_within)
            query = query.where(col(Case.deadline) <= horizon)
            if not wanted.overdue:
                query = query.where(col(Case.deadline) >= today)
        else:
            query = query.where(col(Case.deadline) < today)
    # Most urgent first: the cases with a deadline in its order, then the others in the order they
    # were opened, each part read in order from an index (ix_cases_deadline) and cut at the limit.
    rows = list(session.exec(query.where(col(Case.deadline).is_not(None))
                             .order_by(col(Case.deadline), col(Case.id)).limit(wanted.limit)).all())
    if len(rows) < wanted.limit and not (wanted.overdue or wanted.due_within is not None):  # (those need one)
        rows += session.exec(query.where(col(Case.deadline).is_(None)).order_by(col(Case.id))
                             .limit(wanted.limit - len(rows))).all()
    ids = [c.id for c in rows]
    flags = active_flags_by_case(session, ids)
    counts = dict(session.exec(select(Visit.case_id, func.count()).where(col(Visit.case_id).in_(ids),
                                                                          col(Visit.void).is_(False))
                               .group_by(col(Visit.case_id))).all()) if ids else {}
    people = {c.id: c.name for c in session.exec(select(Citizen).where(
        col(Citizen.id).in_([r.citizen_id for r in rows if r.citizen_id]))).all()} if ids else {}
    from tct.citizens import denouncers

    protected = set() if reveal else denouncers(session, list(people))
    result = []
    for case in rows:
        name = people.get(case.citizen_id)
        hidden = (case.type == "denunciation" or case.citizen_id in protected) and not reveal
        if name and hidden:
            name = initials(name)
        result.append(as_dict(case, flags=flags.get(case.id, []), visits=counts.get(case.id, 0), citizen=name,
                              today=today, masked=hidden))
    return result


def protects_citizen(session: Session, case: Case) -> bool:
    """Whether showing the case's citizen reveals a denouncer: a denunciation, or any case of a denouncer."""
    from tct.citizens import is_denouncer

    return case.type == "denunciation" or (case.citizen_id is not None and is_denouncer(session, case.citizen_id))


def timeline(session: Session, case: Case, *, tz: str) -> list[dict]:  # type: ignore[type-arg]
    """Everything that happened to a case, in time order: visits, status changes, flags, referrals.
    Each event's `text` says it in English; its other keys say it as data (what a table in another
    language is written from)."""
    from sqlmodel import col, select

    from tct.dates import local_iso, to_local
    from tct.models import CaseFlag, CaseStatusChange, Referral, Visit

    events: list[tuple[tuple, dict]] = []  # type: ignore[type-arg]

    def add(day: date, at, kind: str, text: str, *, decided: bool = False, **extra) -> None:  # type: ignore[no-untyped-def]
        # A decision entered later with its day (`--date`) is stamped at the start of that day
        # (day_start): it has a day and no time, as a referral has. Those come after the day's
        # timed events: a complexity decided the day a case opened follows the visit that opened it.
        if decided and at is not None and to_local(at, tz).time() == time():
            at = None
        events.append(((day, at is None, at.isoformat() if at else "", len(events)),
                       {"date": day.isoformat(), "at": local_iso(at, tz) if at else None, "event": kind,
                        "text": text, **extra}))

    for v in session.exec(select(Visit).where(col(Visit.case_id) == case.id)).all():
        people = "1 person" if v.people == 1 else f"{v.people} people"
        add(v.visit_date, v.visited_at, "visit", f"{v.code}: {people}, {v.handling}"
            + (" (void)" if v.void else ""), code=v.code, void=v.void, people=v.people, handling=v.handling)
    for s in session.exec(select(CaseStatusChange).where(col(CaseStatusChange.case_id) == case.id)).all():
        detail = f" ({s.result})" if s.result else f" to {s.agency}" if s.agency else ""
        add(s.changed_on, s.at, "status", f"{s.from_status} → {s.to_status}{detail}", note=s.note,
            from_status=s.from_status, to_status=s.to_status, result=s.result, agency=s.agency)
    for f in session.exec(select(CaseFlag).where(col(CaseFlag.case_id) == case.id)).all():
        add(to_local(f.set_at, tz).date(), f.set_at, "flag", f"{f.kind} set ({f.source})", reason=f.reason,
            flag=f.kind, source=f.source, cleared=False, decided=True)
        if f.cleared_at:
            add(to_local(f.cleared_at, tz).date(), f.cleared_at, "flag", f"{f.kind} cleared", reason=f.clear_reason,
                flag=f.kind, source=f.source, cleared=True, decided=True)
    for r in session.exec(select(Referral).where(col(Referral.case_id) == case.id)).all():
        add(r.sent_on, None, "referral", f"information sent to {r.to_agency}", note=r.note, to=r.to_agency)
    for e in extensions(session, case.id):
        add(to_local(e.at, tz).date(), e.at, "extension", f"deadline extended by {e.days} days", reason=e.reason,
            days=e.days, decided=True)
    return [event for _, event in sorted(events, key=lambda item: item[0])]
