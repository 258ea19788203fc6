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
Every statement reads the period's visits through their day (and cases, flags and status history
per case through indexes), so the cost follows the period, not the size of the register; the
backlog of the period's last day also follows the cases opened by then. A denouncer's identity
never appears in a report.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

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


def _reception(session: Session, windows: list[tuple[str, date, date]], period_start: date, period_end: date
               ) -> dict[str, dict[str, dict[str, int]]]:
    """The reception counts of each window (name, start, end), for all visits and for each kind of
    reception. The database reads the period's visits once, each with the day of its case's first
    visit; counting them here costs less than one conditional aggregate per window, kind and count."""
    from sqlalchemy import select
    from sqlmodel import col

    from tct.models import Visit

    first = _first_visits(period_start, period_end)
    query = (select(col(Visit.case_id), col(Visit.visit_date), col(Visit.kind), col(Visit.delegation),
                    col(Visit.people), first.c.first_date)
             .join(first, first.c.case_id == col(Visit.case_id))
             .where(col(Visit.void).is_(False), col(Visit.visit_date) >= period_start,
                    col(Visit.visit_date) <= period_end))
    rows = session.execute(query).all()
    result = {}
    for name, start, end in windows:
        counts = {kind: dict.fromkeys(RECEPTION_KEYS, 0) for kind in ("all", *KINDS)}
        cases: dict[tuple[str, str], set[int]] = {(kind, key): set() for kind in counts for key in RECEPTION_KEYS}
        for case_id, day, kind, delegation, people, first_date in rows:
            if not start <= day <= end:
                continue
            age = "cases_new" if first_date >= start else "cases_old"
            for group in ("all", kind) if kind in counts else ("all",):
                tally = counts[group]
                tally["visits"] += 1
                tally["people"] += people
                cases[group, age].add(case_id)
                if delegation:
                    tally["delegations"] += 1
                    tally["delegation_people"] += people
                    cases[group, "delegation_" + age].add(case_id)
                if kind == "leader":
                    tally["leader_visits"] += 1
        for (group, key), ids in cases.items():
            if ids:
                counts[group][key] = len(ids)
        result[name] = counts
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
    # Asked per case visited in the period (index ix_case_flag_case_kind), not as the list of every
    # flagged case of the register.
    flagged = select(CaseFlag.id).where(col(CaseFlag.case_id) == col(Case.id), col(CaseFlag.kind).in_(FLAG_KINDS),
                                        col(CaseFlag.cleared_at).is_(None)).exists()
    rows = session.exec(select(Case, Citizen).join(Citizen, col(Citizen.id) == col(Case.citizen_id), isouter=True)
                        .where(col(Case.status).in_(OPEN_STATUSES), col(Case.id).in_(visited),
                               flagged).order_by(col(Case.code))).all()
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
    """Cases that were open and past their deadline on `day`, from the status history.

    The database judges each case's status on `day` (its last status change by then, index
    ix_case_status_change_case_day); Python only computes the deadline of the cases open then.
    Candidates are the cases opened by `day` that are open now or changed status after it, found
    per case through indexes rather than by listing every status change after `day` (which grows
    with all the history after the period).
    """
    from sqlalchemy import func, select, union_all

    from tct.cases import OPEN_STATUSES, deadline_for
    from tct.models import Case, CaseExtension, CaseFlag, CaseStatusChange, Visit

    def last_step(column, *conditions):  # type: ignore[no-untyped-def]
        """The case's last status change by `day` (in (changed_on, id) order), as one value."""
        return (select(column).where(CaseStatusChange.case_id == Case.id, CaseStatusChange.changed_on <= day,
                                     *conditions)
                .order_by(CaseStatusChange.changed_on.desc(), CaseStatusChange.id.desc())
                .limit(1).correlate(Case).scalar_subquery())

    open_now = select(Case.id).where(Case.status.in_(OPEN_STATUSES), Case.opened_on <= day)
    changed_later = select(Case.id).where(Case.opened_on <= day, select(CaseStatusChange.id).where(
        CaseStatusChange.case_id == Case.id, CaseStatusChange.changed_on > day).exists())
    candidates = union_all(open_now, changed_later).subquery("candidate")
    # A case whose every visit was voided was entered in error: it is nobody's backlog.
    visited = select(Visit.id).where(Visit.case_id == Case.id, Visit.void.is_(False),
                                     Visit.visit_date <= day).exists()
    status_then = func.coalesce(last_step(CaseStatusChange.to_status), "new")
    accepted_then = last_step(CaseStatusChange.changed_on, CaseStatusChange.to_status == "accepted")
    complex_ = select(CaseFlag.id).where(CaseFlag.case_id == Case.id, CaseFlag.kind == "complex",
                                         CaseFlag.cleared_at.is_(None)).exists()
    extended = (select(func.coalesce(func.sum(CaseExtension.days), 0)).where(CaseExtension.case_id == Case.id)
                .correlate(Case).scalar_subquery())
    then = (select(Case.code, Case.type, Case.opened_on, status_then.label("status"),
                   accepted_then.label("accepted_on"), complex_.label("complex"), extended.label("extended"))
            .where(Case.id.in_(select(candidates.c.id)), visited).subquery("then"))
    rows = session.execute(select(then).where(then.c.status.in_(OPEN_STATUSES)).order_by(then.c.code)).all()
    result = []
    deadlines: dict[tuple[Any, ...], date | None] = {}
    for code, type_, opened_on, status, accepted_on, complex_flag, extension in rows:
        # What deadline_for reads: the day of receipt before acceptance, else acceptance and extensions.
        if status == "new" or accepted_on is None:
            key: tuple[Any, ...] = (type_, status, opened_on)
        else:
            key = (type_, status, accepted_on, bool(complex_flag), int(extension))
        if key not in deadlines:
            # The case as it stood on `day`: only what deadline_for reads (a model instance costs ~0.2 ms).
            as_then = SimpleNamespace(type=type_, status=status, opened_on=opened_on, accepted_on=accepted_on,
                                      extension_days=int(extension))
            deadlines[key] = deadline_for(cast("Case", as_then), settings, complex_=bool(complex_flag))
        deadline = deadlines[key]
        if deadline is not None and deadline < day:
            result.append({"code": code, "type": type_, "deadline": deadline.isoformat(),
                           "days_overdue": (day - deadline).days, "status": status})
    return result


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

    rows = session.execute(select(col(Case.code), col(Referral.to_agency), col(Referral.sent_on))
                           .join(Case, col(Case.id) == col(Referral.case_id))
                           .where(col(Referral.sent_on) >= start, col(Referral.sent_on) <= end)
                           .order_by(col(Referral.sent_on), col(Referral.id))).all()
    return [{"case": code, "to": to, "date": day.isoformat()} for code, to, day in rows]


def build(session: Session, period: ResolvedPeriod, settings: Settings, *, reveal: bool = False,
          made_at: str | None = None) -> dict[str, Any]:
    """The whole report as data: the JSON shape of README's "Reports" section."""
    from tct.dates import now_local

    start, end = period.start, period.end
    windows = [(phase.name, phase.start, phase.end) for phase in period.phases] + [("total", start, end)]
    reception: dict[str, Any] = {}
    for name, counts in _reception(session, windows, start, end).items():
        reception[name] = {**counts["all"], "regular": counts["regular"], "leader": counts["leader"]}
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


