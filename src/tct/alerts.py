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
    from sqlmodel import col, select

    from tct import citizens
    from tct.cases import OPEN_STATUSES
    from tct.flags import active_flags_by_case
    from tct.models import Case, CaseFlag, Citizen, Visit
    from tct.text import initials

    flagged_ids = select(CaseFlag.case_id).where(col(CaseFlag.kind).in_(ALERT_FLAGS),
                                                 col(CaseFlag.cleared_at).is_(None))
    flagged_cases = list(session.exec(select(Case).where(col(Case.status).in_(OPEN_STATUSES),
                                                         col(Case.opened_on) <= on, col(Case.id).in_(flagged_ids))
                                      .order_by(col(Case.deadline), col(Case.id))).all())
    horizon = on + timedelta(days=int(settings["alerts.due_within_days"]))
    due_cases = list(session.exec(select(Case).where(col(Case.status).in_(OPEN_STATUSES), col(Case.opened_on) <= on,
                                                     col(Case.deadline).is_not(None), col(Case.deadline) <= horizon)
                                  .order_by(col(Case.deadline), col(Case.id))).all())
    kinds = active_flags_by_case(session, [c.id for c in flagged_cases + due_cases])
    since = on - timedelta(days=int(settings["alerts.delegation_days"]) - 1)
    delegations = session.exec(select(Visit, Case).join(Case, col(Case.id) == col(Visit.case_id)).where(
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
    repeaters = []
    for citizen_id, seen in sorted(days.items()):
        if len(seen) >= needed:
            person = session.get(Citizen, citizen_id)
            masked = citizens.is_denouncer(session, citizen_id)
            repeaters.append({"citizen": initials(person.name) if masked else person.name,
                              "citizen_id": citizen_id, "days": len(seen), "last_visit": max(seen).isoformat()})
    result = {
        "on": on.isoformat(),
        "flagged": [{"code": c.code, "type": c.type, "status": c.status, "flags": kinds.get(c.id, []),
                     "locality": c.locality, "deadline": c.deadline.isoformat() if c.deadline else None}
                    for c in flagged_cases],
        "deadlines": [{"code": c.code, "type": c.type, "status": c.status, "deadline": c.deadline.isoformat(),
                       "days_left": (c.deadline - on).days} for c in due_cases],
        "delegations": [{"code": v.code, "case": c.code, "visit_date": v.visit_date.isoformat(),
                         "people": v.people, "locality": c.locality} for v, c in delegations],
        "repeat_citizens": repeaters,
    }
    result["count"] = sum(len(result[k]) for k in ("flagged", "deadlines", "delegations", "repeat_citizens"))
    return result
