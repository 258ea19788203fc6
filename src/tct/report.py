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
- content counts the period's visits and the distinct cases they concern under the case's type and
  field, so a case counts once (even when one of its visits was typed otherwise) and each content
  table adds up to the period's visits and cases; `cases_by_type_field` counts those cases by type and field.
Every statement reads the period's visits through their day (and cases, flags and status history
per case through indexes), so the cost follows the period, not the size of the register; the
backlog of the period's last day also follows the cases opened by then. A denouncer's identity
never appears in a report.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.periods import ResolvedPeriod
    from tct.settings import Settings

RECEPTION_KEYS = ("visits", "people", "cases_old", "cases_new", "delegations", "delegation_people",
                  "delegation_cases_old", "delegation_cases_new", "leader_visits")
KINDS = ("regular", "leader")
TYPES = ("complaint", "denunciation", "petition", "feedback")
HANDLINGS = ("accepted", "guided", "transferred", "answered", "refused")
FLAG_KINDS = ("crowd", "repeat", "complex", "escalated", "hotspot")


# The period's non-void visits, by day (ix_visit_date_void); `?`s: void (false), start, end.
_IN_PERIOD = "visit.void = ? AND visit.visit_date >= ? AND visit.visit_date <= ?"


def _in_period(db: Driver, start: date, end: date) -> list[Any]:
    return [db.flag(False), db.day(start), db.day(end)]


def _reception(db: Driver, windows: list[tuple[str, date, date]], period_start: date, period_end: date
               ) -> dict[str, dict[str, dict[str, int]]]:
    """The reception counts of each window (name, start, end), for all visits and for each kind of
    reception. The database reads the period's visits once, each with the day of its case's first
    non-void visit ever; counting them here costs less than one conditional aggregate per window,
    kind and count."""
    rows = db.rows(
        "SELECT visit.case_id, visit.visit_date, visit.kind, visit.delegation, visit.people, first_visit.first_date "
        "FROM visit JOIN (SELECT visit.case_id AS case_id, min(visit.visit_date) AS first_date FROM visit "
        "WHERE visit.void = ? AND visit.case_id IN (SELECT visit.case_id FROM visit WHERE " + _IN_PERIOD + ") "
        "GROUP BY visit.case_id) AS first_visit ON first_visit.case_id = visit.case_id "
        "WHERE " + _IN_PERIOD,
        [db.flag(False), *_in_period(db, period_start, period_end), *_in_period(db, period_start, period_end)])
    result = {}
    for name, window_start, window_end in windows:
        # (days compared in the driver's own form: ISO text on SQLite, dates on PostgreSQL)
        start, end = db.day(window_start), db.day(window_end)
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


def _content(db: Driver, start: date, end: date, fields: list[str]) -> dict[str, Any]:
    """Visits and cases by content, each under its case's type and field: the official form counts
    cases (vụ việc) by content, so a case is counted once even when one of its visits was typed
    otherwise (a denunciation visit to a complaint case), and the rows add up to the cases visited.
    One statement, by (type, field): a case has one of each, so the distinct cases of the pairs add
    up to those of a type or of a field."""
    by_type: dict[str, dict[str, int]] = {}
    by_field: dict[str, dict[str, int]] = {}
    crossed: dict[tuple[str, str], int] = {}
    for type_, field, visits, cases in db.rows(
            "SELECT cases.type, cases.field, count(*), count(DISTINCT visit.case_id) FROM visit "
            f"JOIN cases ON cases.id = visit.case_id WHERE {_IN_PERIOD} GROUP BY cases.type, cases.field",
            _in_period(db, start, end)):
        crossed[(type_, field)] = int(cases)
        for totals, key in ((by_type, type_), (by_field, field)):
            counted = totals.setdefault(key, {"visits": 0, "cases": 0})
            counted["visits"] += int(visits)
            counted["cases"] += int(cases)
    empty = {"visits": 0, "cases": 0}
    all_fields = list(fields) + sorted(set(by_field) - set(fields))
    return {"by_type": {t: by_type.get(t, dict(empty)) for t in TYPES},
            "by_field": {f: by_field.get(f, dict(empty)) for f in all_fields},
            "cases_by_type_field": {t: {f: crossed.get((t, f), 0) for f in all_fields} for t in TYPES}}


def _handling(db: Driver, start: date, end: date) -> dict[str, int]:
    counts = dict(db.rows(f"SELECT visit.handling, count(*) FROM visit WHERE {_IN_PERIOD} GROUP BY visit.handling",
                          _in_period(db, start, end)))
    return {h: int(counts.get(h, 0)) for h in HANDLINGS}




def _last_step(column: str, case_id: str, condition: str = "") -> str:
    """The case's last status change by the day `:day` (in (changed_on, id) order), as one value:
    how the backlog and the state of resolution read a case's status on a past day."""
    return (f"(SELECT case_status_change.{column} FROM case_status_change "
            f"WHERE case_status_change.case_id = {case_id} AND case_status_change.changed_on <= :day{condition} "
            "ORDER BY case_status_change.changed_on DESC, case_status_change.id DESC LIMIT 1)")


# The states a case can be in, in the order of the official form's results: not yet settled, then settled.
CASE_STATES = ("new", "accepted", "resolved", "closed", "guided", "transferred")


def _resolution(db: Driver, start: date, end: date) -> dict[str, int]:
    """The cases visited in the period by their state of resolution on its last day (from the
    status history, as the backlog judges it): what the official form counts by state, so a report
    made later says what an on-time one said."""
    rows = db.rows(
        f"SELECT coalesce({_last_step('to_status', 'visited.case_id')}, 'new') AS state, count(*) "
        "FROM (SELECT DISTINCT visit.case_id AS case_id FROM visit WHERE "
        "visit.void = :no AND visit.visit_date >= :start AND visit.visit_date <= :day) AS visited GROUP BY state",
        {"day": db.day(end), "no": db.flag(False), "start": db.day(start)})
    counts = {state: int(count) for state, count in rows}
    return {state: counts.pop(state, 0) for state in CASE_STATES} | counts  # (a state of a newer tct: kept)


def _flagged(db: Driver, start: date, end: date, settings: Settings, *, reveal: bool) -> list[dict[str, Any]]:
    """Cases visited in the period that were open on its last day and carried a crowd, repeat,
    complex, escalated or hotspot flag then (_flags_then), with their status and deadline of that
    day, as the backlog and the state of resolution judge them: a report made after such a case was
    settled lists it as an on-time one did."""
    from tct.cases import day_end
    from tct.citizens import denouncers
    from tct.flags import KINDS
    from tct.text import initials

    cutoff = db.stamp(day_end(end, settings))
    # Asked per case visited in the period (index ix_case_flag_case_kind), not as the list of every
    # flagged case of the register.
    candidates = _standing(
        db, end, settings,
        "cases.id IN (SELECT visit.case_id FROM visit "
        "WHERE visit.void = :false AND visit.visit_date >= :start AND visit.visit_date <= :day) "
        f"AND EXISTS (SELECT case_flag.id FROM case_flag WHERE case_flag.case_id = cases.id AND {_may_have_stood()})",
        {"start": db.day(start), "cutoff": cutoff})
    kinds = _flags_then(db, [case.id for case in candidates], end, cutoff, settings)
    standing = [case for case in candidates if kinds.get(case.id)]
    details = {case_id: (locality, name, citizen_id) for case_id, locality, name, citizen_id in db.rows_in(
        "SELECT cases.id, cases.locality, citizen.name, citizen.id FROM cases "
        "LEFT OUTER JOIN citizen ON citizen.id = cases.citizen_id WHERE cases.id IN ({ids})",
        [case.id for case in standing])}
    # Whoever ever came to denounce is named nowhere in a report, not even on a complaint of theirs:
    # a citizen with a denunciation visit, or with any visit to a denunciation case (export's rule).
    protected = denouncers(db, [citizen_id for _, _, citizen_id in details.values()])
    result = []
    for case in standing:
        locality, citizen, citizen_id = details[case.id]
        name = None
        secret = case.type == "denunciation" or citizen_id in protected
        if citizen is not None and not secret:
            name = citizen if reveal else initials(citizen)
        # A case's locality is its citizen's, as typed at the desk: part of a denouncer's address.
        result.append({"code": case.code, "type": case.type,
                       "flags": sorted(kinds[case.id], key=KINDS.index), "status": case.status,
                       "deadline": case.deadline.isoformat() if case.deadline else None, "citizen": name,
                       "locality": None if secret else locality})
    return result


# Flags tct sets that follow a case's own visits (flags.refresh), and a hotspot, which follows the
# delegation visits of the case's locality (flags.refresh_hotspots): judged from the visits up to the day.
_FROM_VISITS = ("crowd", "repeat", "escalated")
_JUDGED = (*_FROM_VISITS, "hotspot")


def _may_have_stood() -> str:
    """A flag of the report's kinds that may have stood at the end of the day `:cutoff` ends: set by
    hand before it and not cleared by then; or one tct sets from the visits that no officer had
    cleared by hand by then (_flags_then judges it)."""
    from tct.db import sql_words
    from tct.flags import SYSTEM

    by_visits = f"case_flag.source = 'auto' AND case_flag.kind IN ({sql_words(_JUDGED)})"
    return (f"case_flag.kind IN ({sql_words(FLAG_KINDS)}) AND ((NOT ({by_visits}) AND case_flag.set_at < :cutoff "
            "AND (case_flag.cleared_at IS NULL OR case_flag.cleared_at >= :cutoff)) "
            f"OR ({by_visits} AND (case_flag.cleared_at IS NULL OR case_flag.cleared_at >= :cutoff "
            f"OR case_flag.cleared_by = {sql_words([SYSTEM])})))")


def _flags_then(db: Driver, case_ids: list[int], day: date, cutoff: Any, settings: Settings) -> dict[int, set[str]]:
    """The flags each case carried at the end of `day`. One set by hand (complexity, or any flag an
    officer sets) counts from the moment it took effect until it was cleared. One tct set counts
    when the visits up to `day` called for it: a crowd, repeat or escalated flag the case's own (a
    delegation, `repeat.min_visits` visits within `repeat.window_days` days, an escalated visit), a
    hotspot the delegation visits of its locality (`hotspot.min_cases` cases within
    `hotspot.window_days` days, one of them the case's). tct sets these when a visit is entered,
    which may be long after (an import of past years), and clears them when the visits no longer call
    for them (one voided), so neither moment says what the case carried on `day`; one an officer
    cleared by hand by then does not count."""
    from tct.flags import calling_for

    if not case_ids:
        return {}
    may = _may_have_stood().replace(":cutoff", "?")
    flags: dict[int, list[tuple[str, bool]]] = {}
    for case_id, kind, source in db.rows_in(
            "SELECT case_flag.case_id, case_flag.kind, case_flag.source "
            f"FROM case_flag WHERE {may} AND case_flag.case_id IN ({{ids}})", case_ids, [cutoff] * may.count("?")):
        flags.setdefault(case_id, []).append((kind, source == "auto" and kind in _JUDGED))
    visits: dict[int, list[SimpleNamespace]] = {}
    for case_id, visit_date, delegation, escalated in db.rows_in(
            "SELECT visit.case_id, visit.visit_date, visit.delegation, visit.escalated FROM visit "
            "WHERE visit.void = ? AND visit.visit_date <= ? AND visit.case_id IN ({ids}) "
            "ORDER BY visit.case_id, visit.visit_date",
            [case_id for case_id, kinds in flags.items() if any(judged for kind, judged in kinds if kind != "hotspot")],
            [db.flag(False), db.day(day)]):
        visits.setdefault(case_id, []).append(SimpleNamespace(visit_date=db.read_day(visit_date),
                                                              delegation=bool(delegation), escalated=bool(escalated)))
    hot = _hot_then(db, [case_id for case_id, kinds in flags.items() if ("hotspot", True) in kinds], day, settings)
    held = _cleared_by_hand_then(db, [case_id for case_id, kinds in flags.items() if any(j for _, j in kinds)],
                                 cutoff, settings["timezone"])
    result: dict[int, set[str]] = {}
    for case_id, kinds in flags.items():
        called = {kind: [v.visit_date for v in seen] for kind, seen in
                  calling_for(visits.get(case_id, []), settings).items()}
        called["hotspot"] = hot.get(case_id, [])
        result[case_id] = {kind for kind, judged in kinds if not judged or (
            called[kind] and ((case_id, kind) not in held or max(called[kind]) > held[(case_id, kind)]))}
    return result


def _cleared_by_hand_then(db: Driver, case_ids: list[int], cutoff: Any, tz: str) -> dict[tuple[int, str], date]:
    """The day an officer last cleared by hand, by the end of the day `cutoff` ends, a flag tct sets,
    by (case, kind): after it only a visit of a later day calls for the flag again (flags._verdict: a
    visit entered after the clearing), whenever that visit was entered."""
    from tct.dates import to_local
    from tct.db import sql_words
    from tct.flags import SYSTEM

    end = db.read_stamp(cutoff)
    cleared: dict[tuple[int, str], Any] = {}
    for case_id, kind, cleared_on, cleared_by in db.rows_in(
            "SELECT case_flag.case_id, case_flag.kind, case_flag.cleared_at, case_flag.cleared_by FROM case_flag "
            f"WHERE case_flag.source = 'auto' AND case_flag.kind IN ({sql_words(_JUDGED)}) "
            "AND case_flag.cleared_at IS NOT NULL AND case_flag.case_id IN ({ids})", case_ids):
        moment = db.read_stamp(cleared_on)
        key = (case_id, kind)
        if cleared_by != SYSTEM and moment < end and (key not in cleared or moment > cleared[key]):
            cleared[key] = moment
    return {key: to_local(moment, tz).date() for key, moment in cleared.items()}


def _hot_then(db: Driver, case_ids: list[int], day: date, settings: Settings) -> dict[int, list[date]]:
    """Which of the cases were hotspots by the end of `day`, with the days of their visits that made
    them so: the rule of flags.refresh_hotspots over the delegation visits of their localities up to
    that day. A window that holds a case's delegation visit lies within `hotspot.window_days` of it,
    so only the delegation visits that near one of the cases' own are read (index
    ix_visit_delegation_date: the delegation visits alone), not a locality's whole history."""
    from datetime import timedelta

    from tct.flags import hot_cases

    if not case_ids:
        return {}
    count, window = int(settings["hotspot.min_cases"]), int(settings["hotspot.window_days"])
    spans: list[tuple[date, date]] = []
    places = set()
    for visit_date, folded in db.rows_in(
            "SELECT visit.visit_date, cases.locality_folded FROM visit JOIN cases ON cases.id = visit.case_id "
            "WHERE visit.delegation = ? AND visit.void = ? AND visit.visit_date <= ? "
            "AND cases.locality_folded IS NOT NULL AND visit.case_id IN ({ids})",
            case_ids, [db.flag(True), db.flag(False), db.day(day)]):
        seen = db.read_day(visit_date)
        spans.append((seen - timedelta(days=window), min(seen + timedelta(days=window), day)))
        places.add(folded)
    merged: list[list[date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    by_place: dict[str, list[tuple[date, int, Any]]] = {}
    for first, last in merged:
        for folded, case_id, visit_date in db.rows(
                "SELECT cases.locality_folded, visit.case_id, visit.visit_date FROM visit "
                "JOIN cases ON cases.id = visit.case_id WHERE visit.delegation AND NOT visit.void "
                "AND visit.visit_date >= ? AND visit.visit_date <= ?", [db.day(first), db.day(last)]):
            if folded in places:
                seen = db.read_day(visit_date)
                by_place.setdefault(folded, []).append((seen, case_id, seen))
    wanted = set(case_ids)
    return {case_id: days for rows in by_place.values() for case_id, days in hot_cases(rows, count, window).items()
            if case_id in wanted}


class _Standing(NamedTuple):
    """A case as it stood on a past day: its status then and the deadline it had then."""

    id: int
    code: str
    type: str
    status: str
    deadline: date | None


def _standing(db: Driver, day: date, settings: Settings, candidates: str, params: dict[str, Any]
              ) -> list[_Standing]:
    """The cases that meet `candidates` (a condition on `cases`; it may use :day, :false and
    :cutoff, the end of `day`, besides its own `params`) and were open on `day`, in code order,
    each with its status and deadline of that day, from the status history.

    The database judges each case's status on `day` (its last status change by then, index
    ix_case_status_change_case_day); Python only computes the deadline of the cases open then.
    Complexity and extensions count as they stood on `day`: a complex flag or an extension entered
    after it (they carry the moment they took effect, in UTC: when entered, or the start of the day
    given with `--date`) did not move that day's deadline, so a report made later says what an
    on-time one said.
    """
    from tct.cases import day_end

    cutoff = db.stamp(day_end(day, settings))
    rows = db.rows(f"SELECT cases.id, cases.code, cases.type, cases.opened_on, {_step_then(db)} FROM cases "
                   f"WHERE {candidates} ORDER BY cases.code",
                   {"day": db.day(day), "false": db.flag(False), "cutoff": cutoff, **params})
    return [_Standing(*case) for case in _as_they_stood(db, rows, cutoff, settings)]


def _step_then(db: Driver) -> str:
    """The case's last step by `:day` as one value, "<status> <day>" (one probe of the index per
    case): the status then, and, when it is "accepted", the day the deadline runs from (that of the
    last acceptance, or of a reopening, which the history records as a step to "accepted"). Even a
    case unchanged since `day` is probed here: in a register an older tct kept, its steps may not be
    in date order, and then its status now is not the one its history gives (tct db check)."""
    return _last_step(f"to_status || ' ' || {db.day_text('case_status_change.changed_on')}", "cases.id")


def _as_they_stood(db: Driver, rows: list[Any], cutoff: Any, settings: Settings
                   ) -> list[tuple[int, str, str, str, date | None]]:
    """The cases of `rows` (id, code, type, opened_on, their step then as _step_then gives it) that
    were open then, each as (id, code, type, status then, deadline then). Thousands of cases on a
    large register's backlog: read in one pass, each deadline computed once per what it depends on."""
    from tct.cases import Deadlines, day_start

    deadlines = Deadlines(settings)
    read_day = db.read_day
    # A case new then is owed its acceptance from the day it was received (a case back at `new` was
    # reopened: received again that day, cases.deadline_for); many share one.
    to_accept: dict[tuple[str, Any], date] = {}
    result: list[Any] = []
    accepted: list[tuple[int, int, str, str, Any]] = []  # (place in result, id, code, type, day accepted)
    owed, keep = to_accept.get, result.append  # (bound once: thousands of rows)
    for case_id, code, type_, opened_on, step in rows:
        status, _, since = (step or "new ").partition(" ")
        if status == "new":
            key = (type_, since or opened_on)
            deadline = owed(key)
            if deadline is None:
                deadline = to_accept[key] = deadlines.to_accept(type_, read_day(key[1]))
            keep((case_id, code, type_, status, deadline))
        elif status == "accepted":
            accepted.append((len(result), case_id, code, type_, since))
            keep(None)
    # Complexity and extensions move only the deadline of an accepted case (complexity: a complaint's).
    complex_ = {case_id for case_id, in db.rows_in(
        "SELECT DISTINCT case_flag.case_id FROM case_flag WHERE case_flag.kind = 'complex' "
        "AND case_flag.set_at < ? AND (case_flag.cleared_at IS NULL OR case_flag.cleared_at >= ?) "
        "AND case_flag.case_id IN ({ids})",
        [case_id for _, case_id, _, type_, _ in accepted if type_ == "complaint"], [cutoff, cutoff])}
    # Extensions granted by then within the resolution time then running (since its acceptance or
    # reopening, cases.spell_extensions): those of an earlier time, before a reopening, count for nothing.
    accepted_since = {case_id: since for _, case_id, _, _, since in accepted}
    spell_starts: dict[Any, datetime] = {}
    extended: dict[int, int] = {}
    for case_id, days, at in db.rows_in(
            "SELECT case_extension.case_id, case_extension.days, case_extension.at FROM case_extension "
            "WHERE case_extension.at < ? AND case_extension.case_id IN ({ids})", list(accepted_since), [cutoff]):
        since = accepted_since[case_id]
        start = spell_starts.get(since)
        if start is None:
            start = spell_starts[since] = day_start(read_day(since), settings)
        if db.read_stamp(at) >= start:
            extended[case_id] = extended.get(case_id, 0) + int(days)
    to_settle: dict[tuple[Any, ...], date] = {}
    for place, case_id, code, type_, since in accepted:
        key = (type_, since, case_id in complex_, extended.get(case_id, 0))
        deadline = to_settle.get(key)
        if deadline is None:
            deadline = to_settle[key] = deadlines.to_settle(type_, read_day(since), key[3], complex_=key[2])
        result[place] = (case_id, code, type_, "accepted", deadline)
    return result


def _backlog(db: Driver, day: date, settings: Settings) -> list[dict[str, Any]]:
    """Cases that were open and past their deadline on `day`, as they stood then (_as_they_stood).

    Candidates are the cases received by `day` that are open now or changed status after it (the
    stored day of their latest change, migration 0005), each a range of an index rather than a
    probe of every case opened by `day`; the second range ends the longest span of any case after
    `day` (migration 0009), as no case open on `day` changed later than that. A third range holds
    the few cases settled since `day` or before whose history is out of date order (migration 0013).
    A case whose every visit was voided was entered in error: it is nobody's backlog.
    """
    import math
    from datetime import timedelta
    from operator import itemgetter

    from tct.cases import OPEN_STATUSES, day_end
    from tct.db import sql_words

    # A case open on `day` and changed since changed at most the longest span of any case after `day`
    # (index ix_cases_open_span): the range of their latest changes ends there, not today.
    longest = db.rows(f"SELECT max({db.case_open_span}) FROM cases")[0][0]
    horizon = day + timedelta(days=math.ceil(longest)) if longest is not None and longest > 0 else day
    # The two ranges, each read from its index alone (migration 0012): the cases open now and unchanged
    # since `day`, whose status and day of it are those of `day` (unless their history is out of date
    # order: then it is read), and those changed after `day`, whose history says how they stood then.
    # A case counts once a non-void visit came by `day` (first_visit_on).
    received = "cases.opened_on <= :day AND cases.first_visit_on <= :day"
    as_stored = f"cases.status || ' ' || {db.day_text('cases.status_changed_on')}"
    rows = db.rows(
        "SELECT id, code, type, opened_on, step FROM ("
        "SELECT cases.id AS id, cases.code AS code, cases.type AS type, cases.opened_on AS opened_on, "
        f"CASE WHEN cases.history_in_order THEN {as_stored} ELSE {_step_then(db)} END AS step FROM cases "
        f"WHERE cases.status IN ({sql_words(OPEN_STATUSES)}) AND {received} "
        "AND (cases.status_changed_on IS NULL OR cases.status_changed_on <= :day) "
        "UNION ALL SELECT cases.id, cases.code, cases.type, cases.opened_on, "
        f"{_step_then(db)} FROM cases WHERE cases.status_changed_on > :day "
        f"AND cases.status_changed_on <= :horizon AND {received} "
        # ...and the few settled now and unchanged since, whose history is out of date order (index
        # ix_cases_history_out_of_order): that history may have them open on `day`. (A settled case
        # always has the day of its latest step, but by a write around tct: db check --repair gives it.)
        "UNION ALL SELECT cases.id, cases.code, cases.type, cases.opened_on, "
        f"{_step_then(db)} FROM cases WHERE NOT cases.history_in_order "
        f"AND cases.status NOT IN ({sql_words(OPEN_STATUSES)}) "
        f"AND cases.status_changed_on <= :day AND {received}"
        ") AS candidates",
        {"day": db.day(day), "horizon": db.day(horizon)})
    # Many share a deadline; only the overdue are sorted, in code order (codes compare as text in SQL too).
    said: dict[date, tuple[str, int]] = {}
    overdue = []
    for _, code, type_, status, deadline in _as_they_stood(db, rows, db.stamp(day_end(day, settings)), settings):
        if deadline is not None and deadline < day:
            shown = said.get(deadline)
            if shown is None:
                shown = said[deadline] = (deadline.isoformat(), (day - deadline).days)
            overdue.append({"code": code, "type": type_, "deadline": shown[0], "days_overdue": shown[1],
                            "status": status})
    overdue.sort(key=itemgetter("code"))
    return overdue


def _duty(db: Driver, start: date, end: date) -> dict[str, Any]:
    from tct import rosters

    days = []
    for entry in rosters.grid(db, start, end):
        names: list[str] = []
        for item in entry["shifts"]:
            if item["officer"] not in names:
                names.append(item["officer"])
        days.append({"date": entry["date"].isoformat(), "officers": names})
    gaps = [{"date": g["date"].isoformat(), "shifts": g["shifts"]} for g in rosters.check(db, start, end)["gaps"]]
    return {"days": days, "gaps": gaps}


def _referrals(db: Driver, start: date, end: date) -> list[dict[str, Any]]:
    rows = db.rows("SELECT cases.code, referral.to_agency, referral.sent_on FROM referral "
                   "JOIN cases ON cases.id = referral.case_id "
                   "WHERE referral.sent_on >= ? AND referral.sent_on <= ? ORDER BY referral.sent_on, referral.id",
                   [db.day(start), db.day(end)])
    return [{"case": code, "to": to, "date": db.read_day(day).isoformat()} for code, to, day in rows]


def build(source: Session | Driver, period: ResolvedPeriod, settings: Settings, *, reveal: bool = False,
          made_at: str | None = None) -> dict[str, Any]:
    """The whole report as data: the JSON shape of README's "Reports" section."""
    from tct.dates import now_local
    from tct.db import Driver

    db = Driver.of(source)

    start, end = period.start, period.end
    made = now_local(settings["timezone"]).replace(microsecond=0)
    # A period not over yet (an interim report): its backlog is judged today, not on a day to come
    # (when every case not settled by then would count as overdue).
    backlog_on = min(end, made.date())
    windows = [(phase.name, phase.start, phase.end) for phase in period.phases] + [("total", start, end)]
    reception: dict[str, Any] = {}
    for name, counts in _reception(db, windows, start, end).items():
        reception[name] = {**counts["all"], "regular": counts["regular"], "leader": counts["leader"]}
    return {
        "agency": settings["agency.name"],
        "made_at": made_at or made.isoformat(),
        "period": {"name": period.name, "title": period.title, "start": start.isoformat(), "end": end.isoformat(),
                   "phases": [{"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()}
                              for p in period.phases]},
        "reception": reception,
        "content": _content(db, start, end, settings["visit.fields"]),
        "handling": _handling(db, start, end),
        "resolution": _resolution(db, start, end),
        "flagged_cases": _flagged(db, start, end, settings, reveal=reveal),
        "backlog": _backlog(db, backlog_on, settings),
        "backlog_on": backlog_on.isoformat(),
        "duty": _duty(db, start, end),
        "referrals": _referrals(db, start, end),
    }
