"""The holiday-period report (`tct report PERIOD`): what the inspector sends up to the agency's
leadership and the provincial inspectorate, in the column groups of the official form
(Circular 02/2021/TT-TTCP), split into before, during and after the holiday.

Counting rules (pinned by tests/test_report.py, written in README):
- only non-void visits count, each on the office-local day of its `visited_at` (`visit_date`);
- a case is *new* in a window when its first non-void visit ever falls in that window, *old* when
  that first visit came before the window; `cases_new`/`cases_old` count distinct cases visited in
  the window;
- `delegations` are delegation visits in the window, `delegation_people` the people in them, and
  `delegation_cases_old/new` the same old/new split over the distinct cases of those visits;
- content counts visits per type and field, and `cases` = distinct cases visited in the window.
All counting is done by the database over the period's visits, so its cost follows the period,
not the size of the register. A denouncer's identity never appears in a report.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.periods import ResolvedPeriod
    from tct.settings import Settings

RECEPTION_KEYS = ("visits", "people", "cases_old", "cases_new", "delegations", "delegation_people",
                  "delegation_cases_old", "delegation_cases_new", "leader_visits")
KINDS = ("regular", "leader")
TYPES = ("complaint", "denunciation", "petition", "feedback")
HANDLINGS = ("accepted", "guided", "transferred", "answered", "refused")
FLAG_KINDS = ("crowd", "repeat", "complex", "escalated", "hotspot")


def _first_visits(start: date, end: date):  # type: ignore[no-untyped-def]
    """Each case visited in [start, end] with the day of its first non-void visit ever."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from tct.models import Visit

    visited = select(col(Visit.case_id)).where(col(Visit.void).is_(False), col(Visit.visit_date) >= start,
                                               col(Visit.visit_date) <= end)
    return (select(col(Visit.case_id).label("case_id"), func.min(Visit.visit_date).label("first_date"))
            .where(col(Visit.void).is_(False), col(Visit.case_id).in_(visited))
            .group_by(col(Visit.case_id)).subquery("first_visit"))


def _reception(session: Session, start: date, end: date, period_start: date, period_end: date
               ) -> dict[str, dict[str, int]]:
    """The reception counts of one window, for all visits and for each kind of reception."""
    from sqlalchemy import case, func, select
    from sqlmodel import col

    from tct.models import Visit

    first = _first_visits(period_start, period_end)
    new = first.c.first_date >= start
    old = first.c.first_date < start
    is_delegation = col(Visit.delegation).is_(True)

    def distinct_cases(condition):  # type: ignore[no-untyped-def]
        return func.count(func.distinct(case((condition, col(Visit.case_id)), else_=None)))

    columns = [
        func.count().label("visits"),
        func.coalesce(func.sum(Visit.people), 0).label("people"),
        distinct_cases(old).label("cases_old"),
        distinct_cases(new).label("cases_new"),
        func.coalesce(func.sum(case((is_delegation, 1), else_=0)), 0).label("delegations"),
        func.coalesce(func.sum(case((is_delegation, col(Visit.people)), else_=0)), 0).label("delegation_people"),
        distinct_cases(is_delegation & old).label("delegation_cases_old"),
        distinct_cases(is_delegation & new).label("delegation_cases_new"),
        func.coalesce(func.sum(case((col(Visit.kind) == "leader", 1), else_=0)), 0).label("leader_visits"),
    ]
    base = (select(*columns).select_from(Visit).join(first, first.c.case_id == col(Visit.case_id))
            .where(col(Visit.void).is_(False), col(Visit.visit_date) >= start, col(Visit.visit_date) <= end))
    result = {"all": dict(zip(RECEPTION_KEYS, (int(x) for x in session.execute(base).one()), strict=True))}
    for kind in KINDS:
        row = session.execute(base.where(col(Visit.kind) == kind)).one()
        result[kind] = dict(zip(RECEPTION_KEYS, (int(x) for x in row), strict=True))
    return result


def _content(session: Session, start: date, end: date, fields: list[str]) -> dict[str, Any]:
    from sqlalchemy import func, select
    from sqlmodel import col

    from tct.models import Visit

    def grouped(column):  # type: ignore[no-untyped-def]
        query = (select(column, func.count(), func.count(func.distinct(col(Visit.case_id))))
                 .where(col(Visit.void).is_(False), col(Visit.visit_date) >= start, col(Visit.visit_date) <= end)
                 .group_by(column))
        return {key: {"visits": int(visits), "cases": int(cases)} for key, visits, cases in session.execute(query)}

    by_type, by_field = grouped(col(Visit.type)), grouped(col(Visit.field))
    empty = {"visits": 0, "cases": 0}
    return {"by_type": {t: by_type.get(t, dict(empty)) for t in TYPES},
            "by_field": {f: by_field.get(f, dict(empty)) for f in list(fields) + sorted(set(by_field) - set(fields))}}


def _handling(session: Session, start: date, end: date) -> dict[str, int]:
    from sqlalchemy import func, select
    from sqlmodel import col

    from tct.models import Visit

    counts = dict(session.execute(select(col(Visit.handling), func.count()).where(
        col(Visit.void).is_(False), col(Visit.visit_date) >= start, col(Visit.visit_date) <= end)
        .group_by(col(Visit.handling))).all())
    return {h: int(counts.get(h, 0)) for h in HANDLINGS}


def _flagged(session: Session, start: date, end: date, *, reveal: bool) -> list[dict[str, Any]]:
    """Open cases visited in the period that carry a crowd, repeat, complex, escalated or hotspot flag."""
    from sqlmodel import col, select

    from tct.cases import OPEN_STATUSES
    from tct.flags import active_flags_by_case
    from tct.models import Case, CaseFlag, Citizen, Visit
    from tct.text import initials

    visited = select(Visit.case_id).where(col(Visit.void).is_(False), col(Visit.visit_date) >= start,
                                          col(Visit.visit_date) <= end)
    flagged = select(CaseFlag.case_id).where(col(CaseFlag.kind).in_(FLAG_KINDS), col(CaseFlag.cleared_at).is_(None))
    rows = session.exec(select(Case, Citizen).join(Citizen, col(Citizen.id) == col(Case.citizen_id), isouter=True)
                        .where(col(Case.status).in_(OPEN_STATUSES), col(Case.id).in_(visited),
                               col(Case.id).in_(flagged)).order_by(col(Case.code))).all()
    kinds = active_flags_by_case(session, [c.id for c, _ in rows])
    result = []
    for case, citizen in rows:
        name = None
        if citizen is not None and case.type != "denunciation":
            name = citizen.name if reveal else initials(citizen.name)
        result.append({"code": case.code, "type": case.type,
                       "flags": [k for k in kinds.get(case.id, []) if k in FLAG_KINDS], "status": case.status,
                       "deadline": case.deadline.isoformat() if case.deadline else None, "citizen": name,
                       "locality": case.locality})
    return result


def _backlog(session: Session, day: date, settings: Settings) -> list[dict[str, Any]]:
    """Cases that were open and past their deadline on `day`, from the status history."""
    from sqlalchemy import or_
    from sqlmodel import col, select

    from tct.cases import OPEN_STATUSES, deadline_for
    from tct.models import Case, CaseExtension, CaseStatusChange, Visit

    changed_later = select(CaseStatusChange.case_id).where(col(CaseStatusChange.changed_on) > day)
    # A case whose every visit was voided was entered in error: it is nobody's backlog. Asked per
    # candidate case (index ix_visit_case_void_date), not as the list of every case visited before
    # the day, which grows with the register's history.
    visited = select(Visit.id).where(col(Visit.case_id) == col(Case.id), col(Visit.void).is_(False),
                                     col(Visit.visit_date) <= day).exists()
    candidates = session.exec(select(Case).where(col(Case.opened_on) <= day, visited, or_(
        col(Case.status).in_(OPEN_STATUSES), col(Case.id).in_(changed_later))).order_by(col(Case.code))).all()
    if not candidates:
        return []
    ids = [c.id for c in candidates]
    history: dict[int, list[CaseStatusChange]] = {}
    for change in session.exec(select(CaseStatusChange).where(col(CaseStatusChange.case_id).in_(ids),
                                                              col(CaseStatusChange.changed_on) <= day)
                               .order_by(col(CaseStatusChange.changed_on), col(CaseStatusChange.id))).all():
        history.setdefault(change.case_id, []).append(change)
    complex_ids = _complex_on(session, ids)
    extended: dict[int, int] = {}
    for extension in session.exec(select(CaseExtension).where(col(CaseExtension.case_id).in_(ids))).all():
        extended[extension.case_id] = extended.get(extension.case_id, 0) + extension.days
    result = []
    for case in candidates:
        steps = history.get(case.id, [])
        status = steps[-1].to_status if steps else "new"
        if status not in OPEN_STATUSES:
            continue
        accepted = [s.changed_on for s in steps if s.to_status == "accepted"]
        as_then = Case(code=case.code, year=case.year, seq=case.seq, type=case.type, field=case.field,
                       status=status, opened_on=case.opened_on, accepted_on=accepted[-1] if accepted else None,
                       extension_days=extended.get(case.id, 0))
        deadline = deadline_for(as_then, settings, complex_=case.id in complex_ids)
        if deadline is not None and deadline < day:
            result.append({"code": case.code, "type": case.type, "deadline": deadline.isoformat(),
                           "days_overdue": (day - deadline).days, "status": status})
    return result


def _complex_on(session: Session, ids: list[int]) -> set[int]:
    from sqlmodel import col, select

    from tct.models import CaseFlag

    return set(session.exec(select(CaseFlag.case_id).where(col(CaseFlag.case_id).in_(ids),
                                                           col(CaseFlag.kind) == "complex",
                                                           col(CaseFlag.cleared_at).is_(None))).all())


def _duty(session: Session, start: date, end: date) -> dict[str, Any]:
    from tct import rosters

    days = []
    for entry in rosters.grid(session, start, end):
        names: list[str] = []
        for item in entry["shifts"]:
            if item["officer"] not in names:
                names.append(item["officer"])
        days.append({"date": entry["date"].isoformat(), "officers": names})
    gaps = [{"date": g["date"].isoformat(), "shifts": g["shifts"]} for g in rosters.check(session, start, end)["gaps"]]
    return {"days": days, "gaps": gaps}


def _referrals(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    from sqlmodel import col, select

    from tct.models import Case, Referral

    rows = session.exec(select(Referral, Case).join(Case, col(Case.id) == col(Referral.case_id)).where(
        col(Referral.sent_on) >= start, col(Referral.sent_on) <= end)
        .order_by(col(Referral.sent_on), col(Referral.id))).all()
    return [{"case": c.code, "to": r.to_agency, "date": r.sent_on.isoformat()} for r, c in rows]


def build(session: Session, period: ResolvedPeriod, settings: Settings, *, reveal: bool = False,
          made_at: str | None = None) -> dict[str, Any]:
    """The whole report as data: the JSON shape of README's "Reports" section."""
    from tct.dates import now_local

    start, end = period.start, period.end
    reception: dict[str, Any] = {}
    for phase in period.phases:
        counts = _reception(session, phase.start, phase.end, start, end)
        reception[phase.name] = {**counts["all"], "regular": counts["regular"], "leader": counts["leader"]}
    counts = _reception(session, start, end, start, end)
    reception["total"] = {**counts["all"], "regular": counts["regular"], "leader": counts["leader"]}
    return {
        "agency": settings["agency.name"],
        "made_at": made_at or now_local(settings["timezone"]).replace(microsecond=0).isoformat(),
        "period": {"name": period.name, "title": period.title, "start": start.isoformat(), "end": end.isoformat(),
                   "phases": [{"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()}
                              for p in period.phases]},
        "reception": reception,
        "content": _content(session, start, end, settings["visit.fields"]),
        "handling": _handling(session, start, end),
        "flagged_cases": _flagged(session, start, end, reveal=reveal),
        "backlog": _backlog(session, end, settings),
        "duty": _duty(session, start, end),
        "referrals": _referrals(session, start, end),
    }


