"""What the desk reads each morning (`tct alerts`): flagged open cases, deadlines, recent
delegations and citizens who keep coming back. `--check` turns it into a cron/monitoring probe."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.settings import Settings

ALERT_FLAGS = ("crowd", "complex", "escalated", "hotspot")


def morning(source: Session | Driver, settings: Settings, on: date) -> dict[str, Any]:
    """The alerts of day `on`. Every list is read as plain columns (no model instances) and cases
    are reached through ix_cases_status_deadline, flags per open case through ix_case_flag_case_kind,
    and visits through their day, so the cost follows what is due, not the register's size."""
    from tct import citizens
    from tct.cases import OPEN_STATUSES
    from tct.db import Driver, sql_words
    from tct.flags import KINDS
    from tct.text import initials

    db = Driver.of(source)
    day = db.read_day
    open_then = f"cases.status IN ({sql_words(OPEN_STATUSES)}) AND cases.opened_on <= ?"
    case_columns = ("SELECT cases.id, cases.code, cases.type, cases.status, cases.locality, cases.deadline, "
                    "cases.citizen_id FROM cases ")
    flagged_cases = db.rows(
        f"{case_columns}WHERE {open_then} AND EXISTS (SELECT case_flag.id FROM case_flag "
        f"WHERE case_flag.case_id = cases.id AND case_flag.kind IN ({sql_words(ALERT_FLAGS)}) "
        "AND case_flag.cleared_at IS NULL) ORDER BY cases.deadline, cases.id", [db.day(on)])
    horizon = on + timedelta(days=int(settings["alerts.due_within_days"]))
    due_cases = db.rows(f"{case_columns}WHERE {open_then} AND cases.deadline IS NOT NULL AND cases.deadline <= ? "
                        "ORDER BY cases.deadline, cases.id", [db.day(on), db.day(horizon)])
    # The active flags of the open cases listed above, in one statement (no list of ids to send).
    kinds: dict[int, list[str]] = defaultdict(list)
    listed = {row[0] for row in flagged_cases} | {row[0] for row in due_cases}
    if listed:
        active = db.rows(f"SELECT case_flag.case_id, case_flag.kind FROM case_flag JOIN cases "
                         f"ON cases.id = case_flag.case_id WHERE {open_then} AND case_flag.cleared_at IS NULL "
                         f"AND case_flag.kind IN ({sql_words(KINDS)})", [db.day(on)])
        for case_id, kind in active:
            if case_id in listed and kind not in kinds[case_id]:
                kinds[case_id].append(kind)
        for found in kinds.values():
            found.sort(key=KINDS.index)
    since = on - timedelta(days=int(settings["alerts.delegation_days"]) - 1)
    delegations = db.rows(
        "SELECT visit.code, cases.code, visit.visit_date, visit.people, cases.locality, cases.type, "
        "cases.citizen_id FROM visit "
        "JOIN cases ON cases.id = visit.case_id WHERE visit.delegation = ? AND visit.void = ? "
        "AND visit.visit_date >= ? AND visit.visit_date <= ? ORDER BY visit.visited_at",
        [db.flag(True), db.flag(False), db.day(since), db.day(on)])
    # The repeat flag's window (flags.within: last − first ≤ window days), so that the citizen of a
    # case flagged repeat, which the flagged list leaves to this one, is listed here on that day.
    window = int(settings["repeat.window_days"])
    needed = int(settings["repeat.min_visits"])
    recent = db.rows("SELECT visit.citizen_id, visit.visit_date FROM visit WHERE visit.void = ? "
                     "AND visit.visit_date >= ? AND visit.visit_date <= ?",
                     [db.flag(False), db.day(on - timedelta(days=window)), db.day(on)])
    days: dict[int, set[Any]] = defaultdict(set)
    for citizen_id, seen_on in recent:
        days[citizen_id].add(seen_on)
    often = sorted(citizen_id for citizen_id, seen in days.items() if len(seen) >= needed)
    names = dict(db.rows_in("SELECT citizen.id, citizen.name FROM citizen WHERE citizen.id IN ({ids})", often))
    masked = citizens.denouncers(db, often)
    repeaters = [{"citizen": initials(names[citizen_id]) if citizen_id in masked else names[citizen_id],
                  "citizen_id": citizen_id, "days": len(days[citizen_id]),
                  "last_visit": day(max(days[citizen_id])).isoformat()} for citizen_id in often]
    # The locality of a denunciation case or of a denouncer's case is the one typed at the desk, theirs:
    # left out, as the report and the export leave it out (the case's code says where to look).
    protected = citizens.denouncers(db, [row[6] for row in flagged_cases] + [row[6] for row in delegations])

    # Thousands of overdue cases on a big register share a few hundred deadlines: each said once.
    said: dict[Any, tuple[str, int]] = {}

    def due_on(deadline: Any) -> tuple[str, int]:
        shown = said.get(deadline)
        if shown is None:
            due = day(deadline)
            shown = said[deadline] = (due.isoformat(), (due - on).days)
        return shown

    def place(type_: str, citizen_id: int | None, locality: str | None) -> str | None:
        return None if type_ == "denunciation" or citizen_id in protected else locality

    result = {
        "on": on.isoformat(),
        # (rows unpacked as tuples: a row's attributes cost ten times more, over tens of thousands of deadlines)
        "flagged": [{"code": code, "type": type_, "status": status, "flags": kinds.get(case_id, []),
                     "locality": place(type_, citizen_id, locality),
                     "deadline": day(deadline).isoformat() if deadline else None}
                    for case_id, code, type_, status, locality, deadline, citizen_id in flagged_cases],
        "deadlines": [{"code": code, "type": type_, "status": status, "deadline": due[0], "days_left": due[1]}
                      for _, code, type_, status, _, deadline, _ in due_cases for due in (due_on(deadline),)],
        "delegations": [{"code": code, "case": case, "visit_date": day(seen_on).isoformat(), "people": people,
                         "locality": place(type_, citizen_id, locality)}
                        for code, case, seen_on, people, locality, type_, citizen_id in delegations],
        "repeat_citizens": repeaters,
    }
    result["count"] = sum(len(result[k]) for k in ("flagged", "deadlines", "delegations", "repeat_citizens"))
    return result
