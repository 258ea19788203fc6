"""Cases (vụ việc): the matter one or more visits bring, its lifecycle, deadlines and flags.

Deadlines (domain.md; the numbers are settings whose defaults are the legal values):
- before acceptance: a complaint must be accepted within 10 days of receipt (Law on Complaints 2011),
  a denunciation within 7 working days (Law on Denunciations 2018); petitions and feedback are
  processed within `deadline.petition_days` days of receipt;
- after acceptance (thụ lý): complaints 30 days, 45 for a complex case; denunciations 30 days,
  extendable (once, twice for a particularly complex case) by up to 30 days each.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from tct.errors import NotFoundError
from tct.text import fold

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.models import Case
    from tct.settings import Settings

OPEN_STATUSES = ("new", "accepted")
COMPLAINT_ACCEPT_DAYS = 10
DENUNCIATION_ACCEPT_WORKDAYS = 7


def code_key(typed: str) -> str:
    return (typed or "").strip().upper()


def get(session: Session, code: str) -> Case:
    from sqlmodel import col, select

    from tct.models import Case

    case = session.exec(select(Case).where(col(Case.code) == code_key(code))).first()
    if case is None:
        raise NotFoundError(f"no case {code!r}")
    return case


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start`, skipping weekends and official days off."""
    from tct.daysoff import is_working_day, official_days_off, weekend_workdays

    horizon = start + timedelta(days=days * 3 + 30)
    off, workdays = official_days_off(start, horizon), weekend_workdays(start, horizon)
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current, off, workdays):
            left -= 1
    return current


def deadline_for(case: Case, settings: Settings, *, complex_: bool = False) -> date | None:
    """The next legal deadline of an open case; None once it is no longer open."""
    if case.status not in OPEN_STATUSES:
        return None
    if case.status == "new" or case.accepted_on is None:
        received = case.opened_on
        if case.type == "complaint":
            return received + timedelta(days=COMPLAINT_ACCEPT_DAYS)
        if case.type == "denunciation":
            return add_working_days(received, DENUNCIATION_ACCEPT_WORKDAYS)
        return received + timedelta(days=int(settings["deadline.petition_days"]))
    if case.type == "complaint":
        key = "deadline.complaint_complex_days" if complex_ else "deadline.complaint_days"
        days = int(settings[key])
    elif case.type == "denunciation":
        days = int(settings["deadline.denunciation_days"])
    else:
        days = int(settings["deadline.petition_days"])
    return case.accepted_on + timedelta(days=days + case.extension_days)


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
                citizen_id=citizen_id)
    case.deadline = deadline_for(case, settings)
    session.add(case)
    session.flush()
    audit.record(session, actor=actor, entity="case", code=case.code, action="create",
                 after={"type": type_, "field": field, "locality": locality, "status": case.status,
                        "opened_on": opened_on, "deadline": case.deadline})
    return case
