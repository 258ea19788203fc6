"""What the desk reads each morning (`tct alerts`): flagged open cases, deadlines, recent
delegations and citizens who keep coming back. `--check` turns it into a cron/monitoring probe."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.settings import Settings

ALERT_FLAGS = ("crowd", "complex", "escalated", "hotspot")


def morning(session: Session, settings: Settings, on: date) -> dict[str, Any]:
    """The alerts of day `on`. Every list is read as plain columns (no model instances) and cases
    are reached through ix_cases_status_deadline, flags per open case through ix_case_flag_case_kind,
    and visits through their day, so the cost follows what is due, not the register's size."""
    from sqlmodel import col, select

    from tct import citizens
    from tct.cases import OPEN_STATUSES
    from tct.flags import KINDS
    from tct.models import Case, CaseFlag, Citizen, Visit
    from tct.text import initials

    open_then = (col(Case.status).in_(OPEN_STATUSES), col(Case.opened_on) <= on)
    case_columns = (col(Case.id), col(Case.code), col(Case.type), col(Case.status), col(Case.locality),
                    col(Case.deadline))
    flagged = select(CaseFlag.id).where(col(CaseFlag.case_id) == col(Case.id), col(CaseFlag.kind).in_(ALERT_FLAGS),
                                        col(CaseFlag.cleared_at).is_(None)).exists()
    flagged_cases = session.execute(select(*case_columns).where(*open_then, flagged)
                                    .order_by(col(Case.deadline), col(Case.id))).all()
    horizon = on + timedelta(days=int(settings["alerts.due_within_days"]))
    due_cases = session.execute(select(*case_columns).where(*open_then, col(Case.deadline).is_not(None),
                                                            col(Case.deadline) <= horizon)
                                .order_by(col(Case.deadline), col(Case.id))).all()
    # The active flags of the open cases listed above, in one statement (no list of ids to send).
    kinds: dict[int, list[str]] = defaultdict(list)
    listed = {row.id for row in flagged_cases} | {row.id for row in due_cases}
    if listed:
        active = session.execute(select(col(CaseFlag.case_id), col(CaseFlag.kind)).join(
            Case, col(Case.id) == col(CaseFlag.case_id)).where(*open_then, col(CaseFlag.cleared_at).is_(None),
                                                               col(CaseFlag.kind).in_(KINDS))).all()
        for case_id, kind in active:
            if case_id in listed and kind not in kinds[case_id]:
                kinds[case_id].append(kind)
        for found in kinds.values():
            found.sort(key=KINDS.index)
    since = on - timedelta(days=int(settings["alerts.delegation_days"]) - 1)
    delegations = session.execute(select(col(Visit.code), col(Case.code), col(Visit.visit_date), col(Visit.people),
                                         col(Case.locality)).join(Case, col(Case.id) == col(Visit.case_id)).where(
        col(Visit.delegation).is_(True), col(Visit.void).is_(False), col(Visit.visit_date) >= since,
        col(Visit.visit_date) <= on).order_by(col(Visit.visited_at))).all()
    window = int(settings["repeat.window_days"])
    needed = int(settings["repeat.min_visits"])
    recent = session.exec(select(Visit.citizen_id, Visit.visit_date).where(
        col(Visit.void).is_(False), col(Visit.visit_date) > on - timedelta(days=window),
        col(Visit.visit_date) <= on)).all()
    days: dict[int, set[date]] = defaultdict(set)
    for citizen_id, day in recent:
        days[citizen_id].add(day)
    often = sorted(citizen_id for citizen_id, seen in days.items() if len(seen) >= needed)
    names = dict(session.execute(select(col(Citizen.id), col(Citizen.name)).where(col(Citizen.id).in_(often))).all()
                 ) if often else {}
    masked = citizens.denouncers(session, often)
    repeaters = [{"citizen": initials(names[citizen_id]) if citizen_id in masked else names[citizen_id],
                  "citizen_id": citizen_id, "days": len(days[citizen_id]),
                  "last_visit": max(days[citizen_id]).isoformat()} for citizen_id in often]
    result = {
        "on": on.isoformat(),
        # (rows unpacked as tuples: a row's attributes cost ten times more, over tens of thousands of deadlines)
        "flagged": [{"code": code, "type": type_, "status": status, "flags": kinds.get(case_id, []),
                     "locality": locality, "deadline": deadline.isoformat() if deadline else None}
                    for case_id, code, type_, status, locality, deadline in flagged_cases],
        "deadlines": [{"code": code, "type": type_, "status": status, "deadline": deadline.isoformat(),
                       "days_left": (deadline - on).days}
                      for _, code, type_, status, _, deadline in due_cases],
        "delegations": [{"code": code, "case": case, "visit_date": day.isoformat(), "people": people,
                         "locality": locality} for code, case, day, people, locality in delegations],
        "repeat_citizens": repeaters,
    }
    result["count"] = sum(len(result[k]) for k in ("flagged", "deadlines", "delegations", "repeat_citizens"))
    return result
