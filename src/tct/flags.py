"""Case flags: crowd (đông người), repeat, escalated (vượt cấp), complex (phức tạp), hotspot (điểm nóng).

Automatic flags follow a case's non-void visits and are recomputed in the same transaction as
every visit added, edited or voided: voiding the only delegation visit clears `crowd`.
- crowd: a visit of the case is a delegation;
- repeat: `repeat.min_visits` visits within `repeat.window_days` days (last − first ≤ window);
- escalated: a visit was marked --escalated (or set by hand);
- hotspot: the case is one of `hotspot.min_cases` crowd cases of one locality whose delegation
  visits fall within `hotspot.window_days` days.
`complex` is set by hand only, with a reason, and gives the longer legal deadline.
A flag an officer cleared by hand is not set again automatically until a new visit triggers it.
Flags are cleared, never deleted, so the case's history keeps who set and cleared what, and why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from tct import audit
from tct.errors import ValidationError
from tct.i18n import label, said

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.models import Case, CaseFlag, Visit
    from tct.settings import Settings

KINDS = ("crowd", "repeat", "escalated", "complex", "hotspot")
AUTO_KINDS = ("crowd", "repeat", "escalated", "hotspot")
SYSTEM = "tct"  # who clears an automatic flag when its condition no longer holds


def to_utc_aware(stamp: datetime) -> datetime:
    """A stored stamp, aware (UTC), to compare with a new one."""
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def flags_of(session: Session, case_id: int) -> list[CaseFlag]:
    """Every flag of the case, cleared ones too, in the order they were set."""
    from sqlmodel import col, select

    from tct.models import CaseFlag

    return list(session.exec(select(CaseFlag).where(col(CaseFlag.case_id) == case_id)
                             .order_by(col(CaseFlag.id))).all())


def active_kinds(session: Session, case_id: int) -> set[str]:
    return {f.kind for f in flags_of(session, case_id) if f.cleared_at is None}


def active_flags_by_case(source: Session | Driver, case_ids: list[int]) -> dict[int, list[str]]:
    from tct.db import Driver

    result: dict[int, list[str]] = defaultdict(list)
    if not case_ids:
        return result
    rows = Driver.of(source).rows_in(
        "SELECT case_id, kind FROM case_flag WHERE cleared_at IS NULL AND case_id IN ({ids})", case_ids)
    for case_id, kind in rows:
        if kind not in result[case_id]:
            result[case_id].append(kind)
    for kinds in result.values():
        kinds.sort(key=KINDS.index)
    return result


def _set(session: Session, case: Case, kind: str, *, source: str, reason: str | None, actor: str,
         at: datetime | None = None, on: date | None = None) -> None:
    from tct.dates import utc_now
    from tct.models import CaseFlag

    actor = audit.actor_name(session, actor)  # (the flag names who set it as the trail does)
    session.add(CaseFlag(case_id=case.id, kind=kind, source=source, reason=reason, set_by=actor,
                         set_at=at or utc_now()))
    after: dict[str, Any] = {"flag": kind, "source": source}
    if on is not None:
        after["decided_on"] = on
    audit.record(session, actor=actor, entity="case", code=case.code, action="flag", after=after, reason=reason)


def _clear(session: Session, case: Case, flag: CaseFlag, *, by: str, reason: str, actor: str,
           at: datetime | None = None, on: date | None = None) -> None:
    from tct.dates import utc_now

    flag.cleared_at, flag.cleared_by, flag.clear_reason = at or utc_now(), by, reason
    session.add(flag)
    audit.record(session, actor=actor, entity="case", code=case.code, action="unflag",
                 before={"flag": flag.kind}, after={"decided_on": on} if on is not None else None, reason=reason)


def _verdict(flags: list[Any], trigger_times: list[Any]) -> tuple[bool, list[Any]]:
    """The rule of an automatic flag, for one kind on one case: (set a new one?, the flags to clear).
    `flags`: the case's flags of that kind (anything with source, cleared_at, cleared_by);
    `trigger_times`: when the visits that call for it were created."""
    active = [f for f in flags if f.cleared_at is None]
    if trigger_times:
        if active:
            return False, []
        cleared_by_hand = [f.cleared_at for f in flags if f.cleared_by != SYSTEM and f.cleared_at]
        if cleared_by_hand and not any(at > max(cleared_by_hand) for at in trigger_times):
            return False, []
        return True, []
    return False, [f for f in active if f.source == "auto"]


def _sync_auto(session: Session, case: Case, kind: str, trigger_times: list[Any], reason: str, *,
               actor: str, known: list[CaseFlag] | None = None) -> None:
    """Make the automatic flag `kind` agree with its triggering visits, given by when they were
    created (`known`: the case's flags, when the caller already loaded them)."""
    flags = [f for f in (known if known is not None else flags_of(session, case.id)) if f.kind == kind]
    new, stale = _verdict(flags, trigger_times)
    if new:
        _set(session, case, kind, source="auto", reason=reason, actor=actor)
    for flag in stale:
        _clear(session, case, flag, by=SYSTEM, reason=label("reason_not_called", flag=kind), actor=actor)


def _visits(session: Session, case_id: int) -> list[Visit]:
    from sqlmodel import col, select

    from tct.models import Visit

    return list(session.exec(select(Visit).where(col(Visit.case_id) == case_id, col(Visit.void).is_(False))
                             .order_by(col(Visit.visit_date), col(Visit.id))).all())


def within(days: list[date], count: int, window: int) -> bool:
    """Whether `count` of the sorted days fall within `window` days (last − first ≤ window)."""
    return any((days[i + count - 1] - days[i]).days <= window for i in range(len(days) - count + 1))


def refresh(session: Session, case: Case, settings: Settings, *, actor: str) -> None:
    """Recompute the automatic flags of a case (and the hotspots of its locality)."""
    _refresh_case(session, case, _visits(session, case.id), settings, actor=actor)
    session.flush()
    if case.locality_folded:
        refresh_hotspots(session, case.locality_folded, settings, actor=actor)


def calling_for(visits: list[Any], settings: Settings) -> dict[str, list[Any]]:
    """The visits that call for each flag that follows a case's own visits (crowd, escalated,
    repeat; the rules of the module's docstring): `visits` are the case's non-void visits in date
    order, anything with `delegation`, `escalated` and `visit_date`."""
    count, window = int(settings["repeat.min_visits"]), int(settings["repeat.window_days"])
    return {"crowd": [v for v in visits if v.delegation], "escalated": [v for v in visits if v.escalated],
            "repeat": visits if within([v.visit_date for v in visits], count, window) else []}


def _reasons(called: dict[str, list[Any]], settings: Settings) -> dict[str, str]:
    count, window = int(settings["repeat.min_visits"]), int(settings["repeat.window_days"])
    return {"crowd": label("reason_crowd", code=called["crowd"][0].code) if called["crowd"] else "",
            "escalated": label("reason_escalated", code=called["escalated"][0].code) if called["escalated"] else "",
            "repeat": label("reason_repeat", count=count, days=window)}


def _refresh_case(session: Session, case: Case, visits: list[Visit], settings: Settings, *, actor: str,
                  known: list[CaseFlag] | None = None) -> None:
    called = calling_for(visits, settings)
    for kind, reason in _reasons(called, settings).items():
        _sync_auto(session, case, kind, [v.created_at for v in called[kind]], reason, actor=actor, known=known)


class _Flag(NamedTuple):
    id: int
    case_id: int
    kind: str
    source: str
    cleared_at: Any
    cleared_by: str | None


class _BulkVisit(NamedTuple):
    code: str
    visit_date: date
    delegation: bool
    escalated: bool
    created_at: Any


class _Changes:
    """Flags set and cleared by refresh_many, and their audit events, in the order `refresh` would
    make them; written at the end with one executemany per table."""

    def __init__(self, db: Any, actor: str) -> None:
        from tct.dates import utc_now

        self.db, self.actor = db, actor
        self.stamp = db.stamp(utc_now())
        self.new: list[tuple[Any, ...]] = []
        self.cleared: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.texts: dict[tuple[str, str], str | None] = {}  # the changes of a flag or unflag event, by kind

    def sync(self, case_id: int, code: str, kind: str, flags: list[_Flag], trigger_times: list[Any],
             reason: str) -> None:
        """_sync_auto on plain rows."""
        new, stale = _verdict(flags, trigger_times)
        if new:
            self.new.append((case_id, kind, "auto", reason, self.stamp, self.actor))
            self.events.append(self._event(code, "flag", kind, reason=reason))
        for flag in stale:
            why = label("reason_not_called", flag=kind)
            self.cleared.append((self.stamp, SYSTEM, why, flag.id))
            self.events.append(self._event(code, "unflag", kind, reason=why))

    def _event(self, code: str, action: str, kind: str, *, reason: str | None) -> tuple[Any, ...]:
        """The event audit.record writes for setting (`flag`) or clearing (`unflag`) an automatic
        flag of `kind`, at the one moment of the whole refresh (as its flags)."""
        changes = self.texts.get((action, kind))
        if changes is None:  # (the same few texts for thousands of events)
            changes = self.texts[(action, kind)] = audit.changes_text(
                {"flag": kind} if action == "unflag" else None,
                {"flag": kind, "source": "auto"} if action == "flag" else None)
        return (self.stamp, self.actor, "case", code, action, changes, reason)

    def write(self) -> None:
        self.db.many("INSERT INTO case_flag (case_id, kind, source, reason, set_at, set_by) "
                     "VALUES (?, ?, ?, ?, ?, ?)", self.new)
        self.db.many("UPDATE case_flag SET cleared_at = ?, cleared_by = ?, clear_reason = ? WHERE id = ?",
                     self.cleared)
        self.db.many(audit.INSERT_ROW, self.events)


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def refresh_many(session: Session, case_ids: list[int], settings: Settings, *, actor: str,
                 delegation_days: tuple[date, date] | None) -> None:
    """`refresh` for many cases at once (a bulk import), with the same rules (_verdict), flags and
    audit events in the same order as case by case, but set-based: three queries per 500 cases and
    a few for the hotspots of every locality involved, plain rows instead of ORM objects, and the
    changes written with executemany.

    `delegation_days`: the first and last day of the delegation visits the import added (None: it
    added none). An import only adds visits, and every write before it left each hotspot flag as
    its visits called for it, so only the hotspots around those days can change (_hotspots_many)."""
    from tct.db import Driver

    session.flush()
    db = Driver(session)
    changes = _Changes(db, audit.actor_name(db, actor))  # (flags name who set them as the trail does)
    count = int(settings["repeat.min_visits"])
    localities: set[str] = set()
    for part in _chunks(sorted(case_ids)):
        visits: dict[int, list[_BulkVisit]] = defaultdict(list)
        for case_id, code, day, delegation, escalated, created_at in db.rows(
                "SELECT case_id, code, visit_date, delegation, escalated, created_at FROM visit "
                f"WHERE case_id IN ({_marks(part)}) AND void = ? ORDER BY visit_date, id", [*part, False]):
            visits[case_id].append(_BulkVisit(code, db.read_day(day), bool(delegation), bool(escalated),
                                              db.read_stamp(created_at)))
        known: dict[int, list[_Flag]] = defaultdict(list)
        for row in db.rows("SELECT id, case_id, kind, source, cleared_at, cleared_by FROM case_flag "
                           f"WHERE case_id IN ({_marks(part)}) ORDER BY id", part):
            known[row[1]].append(_Flag(row[0], row[1], row[2], row[3], db.read_stamp(row[4]), row[5]))
        # A case with no flag and no visit that could set one (no delegation, nothing escalated,
        # fewer visits than a repeat needs) has nothing to change.
        busy = [case_id for case_id in part if case_id in known or len(visits.get(case_id, ())) >= count
                or any(v.delegation or v.escalated for v in visits.get(case_id, ()))]
        if not busy:
            continue
        cases = {row[0]: row for row in db.rows(
            f"SELECT id, code, locality_folded FROM cases WHERE id IN ({_marks(busy)})", busy)}
        for case_id in busy:
            if case_id not in cases:
                continue
            _, code, locality_folded = cases[case_id]
            seen, flags = visits.get(case_id, []), known.get(case_id, [])
            called = calling_for(seen, settings)
            for kind, reason in _reasons(called, settings).items():
                changes.sync(case_id, code, kind, [f for f in flags if f.kind == kind],
                             [v.created_at for v in called[kind]], reason)
            if locality_folded and called["crowd"]:
                localities.add(locality_folded)
    if delegation_days is not None:
        _hotspots_many(db, changes, sorted(localities), settings, delegation_days)
    changes.write()
    # The flags were written as rows, past the session: what it had loaded of them (a case's flags,
    # a flag) is read again when next used. (Nothing of the session's was pending: flushed above.)
    session.expire_all()


# Up to this many localities, their delegation visits are found through the cases of each; past it,
# one scan of the visits is cheaper than the index lookups (a large import touches most localities).
HOTSPOT_LOOKUP_LIMIT = 20


def _hotspots_many(db: Any, changes: _Changes, localities: list[str], settings: Settings,
                   added: tuple[date, date] | None) -> None:
    """refresh_hotspots for every locality, on plain rows: the same windows, flags and events. With
    `added`, for an import that added delegation visits from day `added[0]` to `added[1]`; without,
    over the localities' whole history (after the hotspot settings changed).

    After an import, only the delegation visits within a window of an added one can have become hot
    (a window holds visits at most `hotspot.window_days` apart), and whether they are depends on the
    visits within a window of them: so the visits read are those within two windows of the added
    days, not the locality's whole history, which grows with the register. Reading fewer visits can
    only find fewer hot ones, never one that is not. A case none of whose visits became hot keeps its
    flag as it was; visits only added make no hot visit cold, so no hotspot flag is cleared. This
    holds because every write before the import left each hotspot flag as its visits called for it,
    a change of the hotspot settings included (refresh_hotspots_everywhere)."""
    from datetime import timedelta

    if not localities:
        return
    count, window = int(settings["hotspot.min_cases"]), int(settings["hotspot.window_days"])
    wanted = set(localities)
    rows: dict[str, list[tuple[date, int, Any]]] = defaultdict(list)
    base = ("SELECT c.locality_folded, v.case_id, v.visit_date, v.created_at FROM visit v "
            "JOIN cases c ON c.id = v.case_id WHERE v.delegation = ? AND v.void = ?")
    params = [db.flag(True), db.flag(False)]
    if added is not None:
        base += " AND v.visit_date >= ? AND v.visit_date <= ?"
        params += [db.day(added[0] - timedelta(days=2 * window)), db.day(added[1] + timedelta(days=2 * window))]
    if len(localities) <= HOTSPOT_LOOKUP_LIMIT:
        found = db.rows(f"{base} AND c.locality_folded IN ({_marks(localities)})", [*params, *localities])
    else:
        found = db.rows(base, params)
    for locality, case_id, day, created_at in found:
        if locality in wanted:
            rows[locality].append((db.read_day(day), case_id, created_at))
    flagged: dict[str, set[int]] = defaultdict(set)  # (whose flag may have to be cleared: not after an import)
    for part in _chunks(localities if added is None else []):
        for locality, case_id in db.rows(
                "SELECT c.locality_folded, f.case_id FROM case_flag f JOIN cases c ON c.id = f.case_id "
                f"WHERE c.locality_folded IN ({_marks(part)}) AND f.kind = ? AND f.cleared_at IS NULL",
                [*part, "hotspot"]):
            flagged[locality].add(case_id)
    hot_by_place: dict[str, dict[int, list[Any]]] = {}
    for locality in localities:
        hot_by_place[locality] = hot_cases(rows.get(locality, []), count, window)
    involved = sorted({case_id for locality in localities
                       for case_id in set(hot_by_place[locality]) | flagged.get(locality, set())})
    known: dict[int, list[_Flag]] = defaultdict(list)
    names: dict[int, tuple[str, str | None]] = {}
    for part in _chunks(involved):
        for row in db.rows("SELECT id, case_id, kind, source, cleared_at, cleared_by FROM case_flag "
                           f"WHERE case_id IN ({_marks(part)}) AND kind = ? ORDER BY id", [*part, "hotspot"]):
            known[row[1]].append(_Flag(row[0], row[1], row[2], row[3], db.read_stamp(row[4]), row[5]))
        for case_id, code, locality in db.rows(
                f"SELECT id, code, locality FROM cases WHERE id IN ({_marks(part)})", part):
            names[case_id] = (code, locality)
    for locality in localities:
        hot = hot_by_place[locality]
        for case_id in sorted(set(hot) | flagged.get(locality, set())):
            code, shown = names[case_id]
            changes.sync(case_id, code, "hotspot", known.get(case_id, []),
                         [db.read_stamp(at) for at in hot.get(case_id, [])],
                         label("reason_hotspot", count=count, place=shown, days=window))


def refresh_hotspots_everywhere(session: Session, settings: Settings, *, actor: str) -> None:
    """Every locality's hotspot flags judged again over its whole history, as `settings` (new
    hotspot settings) call for them: set where a window now qualifies, cleared where none does any
    more, each with its event, so that the register's hotspots agree with the settings in force."""
    from tct.db import Driver

    session.flush()
    db = Driver(session)
    localities = sorted({locality for locality, in db.rows(
        "SELECT DISTINCT c.locality_folded FROM cases c WHERE c.locality_folded IS NOT NULL AND (EXISTS ("
        "SELECT v.id FROM visit v WHERE v.case_id = c.id AND v.delegation = ? AND v.void = ?) OR EXISTS ("
        "SELECT f.id FROM case_flag f WHERE f.case_id = c.id AND f.kind = 'hotspot' AND f.cleared_at IS NULL))",
        [db.flag(True), db.flag(False)])})
    changes = _Changes(db, audit.actor_name(db, actor))  # (flags name who set them as the trail does)
    _hotspots_many(db, changes, localities, settings, None)
    changes.write()


def refresh_repeats_everywhere(session: Session, settings: Settings, *, actor: str) -> None:
    """Every case's automatic flags judged again, as `settings` (a new repeat rule) call for them:
    a repeat flag set on each case whose visits now qualify (unless an officer cleared it by hand
    since its last such visit) and cleared where they no longer do, each with its event. Only the
    cases with enough visits for the rule, or with a repeat flag standing, can change."""
    from tct.db import Driver

    session.flush()
    db = Driver(session)
    case_ids = sorted({case_id for case_id, in db.rows(
        "SELECT visit.case_id FROM visit WHERE visit.void = ? AND visit.case_id IS NOT NULL "
        "GROUP BY visit.case_id HAVING count(*) >= ? UNION SELECT case_flag.case_id FROM case_flag "
        "WHERE case_flag.kind = 'repeat' AND case_flag.cleared_at IS NULL",
        [db.flag(False), int(settings["repeat.min_visits"])])})
    refresh_many(session, case_ids, settings, actor=actor, delegation_days=None)


def hot_cases(rows: list[tuple[date, int, Any]], count: int, window: int) -> dict[int, list[Any]]:
    """The delegation visits (day, case, created_at) of a locality that fall in a window of `window`
    days holding `count` or more cases: {case: created_at of its visits in such windows}."""
    rows = sorted(rows, key=lambda row: row[0])
    cover = [0] * (len(rows) + 1)  # windows [i, j] that qualify, as a difference array
    end = 0
    cases: dict[int, int] = defaultdict(int)  # visits per case in rows[i:end]
    for i, (first, _, _) in enumerate(rows):
        while end < len(rows) and (rows[end][0] - first).days <= window:
            cases[rows[end][1]] += 1
            end += 1
        if len(cases) >= count:
            cover[i] += 1
            cover[end] -= 1
        cases[rows[i][1]] -= 1
        if not cases[rows[i][1]]:
            del cases[rows[i][1]]
    hot: dict[int, list[Any]] = defaultdict(list)
    depth = 0
    for i, (_, case_id, created_at) in enumerate(rows):
        depth += cover[i]
        if depth > 0:
            hot[case_id].append(created_at)
    return hot


def refresh_hotspots(session: Session, locality_folded: str, settings: Settings, *, actor: str) -> None:
    """The hotspot flags of one locality (after a visit is added, edited or voided there), by the
    windows of hot_cases over its delegation visits read as plain rows. The locality's hotspot flags are
    found through its cases (ix_cases_locality_folded, then ix_case_flag_case_kind), not among the
    hotspot flags of the whole register, which grow with it."""
    from sqlmodel import col, select

    from tct.db import Driver
    from tct.models import Case, CaseFlag

    db = Driver(session)
    count, window = int(settings["hotspot.min_cases"]), int(settings["hotspot.window_days"])
    rows = [(db.read_day(day), case_id, db.read_stamp(created_at)) for case_id, day, created_at in db.rows(
        "SELECT visit.case_id, visit.visit_date, visit.created_at FROM cases JOIN visit ON visit.case_id = cases.id "
        "WHERE cases.locality_folded = ? AND visit.delegation = ? AND visit.void = ?",
        [locality_folded, db.flag(True), db.flag(False)])]
    hot = hot_cases(rows, count, window)
    # (CROSS JOIN: SQLite then reads cases first, whatever it guesses of the two indexes)
    flagged = [case_id for case_id, in db.rows(
        "SELECT case_flag.case_id FROM cases CROSS JOIN case_flag WHERE case_flag.case_id = cases.id "
        "AND cases.locality_folded = ? AND case_flag.kind = 'hotspot' AND case_flag.cleared_at IS NULL",
        [locality_folded])]
    involved = set(hot) | set(flagged)
    if not involved:
        return
    known: dict[int, list[CaseFlag]] = defaultdict(list)
    for flag_row in session.exec(select(CaseFlag).where(col(CaseFlag.case_id).in_(involved),
                                                        col(CaseFlag.kind) == "hotspot")).all():
        known[flag_row.case_id].append(flag_row)
    for case in session.exec(select(Case).where(col(Case.id).in_(involved))).all():
        _sync_auto(session, case, "hotspot", hot.get(case.id, []),
                   label("reason_hotspot", count=count, place=case.locality, days=window), actor=actor,
                   known=known[case.id])
    session.flush()


def _kind(kind: str) -> str:
    from tct import vocab

    return vocab.choose(kind, {k: () for k in KINDS}, label="flag", kind="flag")


def _decision_day(which: str, on: date | None) -> None:
    from tct.errors import UsageError

    if on is not None and which != "complex":
        raise UsageError.said_as("err_date_complex_only")


def flag(session: Session, code: str, kind: str, *, reason: str | None, settings: Settings, actor: str,
         on: date | None = None) -> Case:
    """Set a flag by hand; a reason is required. A complex case gets the longer deadline; `on`, the
    day complexity was decided when it is entered later, makes the backlog of that day count it."""
    from tct import cases
    from tct.text import MAX_TEXT, clean

    case = cases.get(session, code)
    which = _kind(kind)
    _decision_day(which, on)
    why = clean(reason, label="--reason", max_len=MAX_TEXT)
    if not why:
        raise ValidationError.said_as("err_flag_needs_reason", coded={"which": "flag"}, which=which)
    if which in active_kinds(session, case.id):
        raise ValidationError.said_as("err_already_flagged", coded={"which": "flag"}, code=case.code, which=which)
    at = cases.decision_moment(on, settings, not_before=case.opened_on, since=said("since_opened", code=case.code))
    _set(session, case, which, source="manual", reason=why, actor=actor, at=at, on=on)
    session.flush()
    if which == "complex":
        cases.refresh_deadline(session, case, settings)
        session.add(case)
    return case


def unflag(session: Session, code: str, kind: str, *, reason: str | None, settings: Settings, actor: str,
           on: date | None = None) -> Case:
    from tct import cases
    from tct.dates import day_text, to_local
    from tct.text import MAX_TEXT, clean

    case = cases.get(session, code)
    which = _kind(kind)
    _decision_day(which, on)
    why = clean(reason, label="--reason", max_len=MAX_TEXT)
    if not why:
        raise ValidationError.said_as("err_unflag_needs_reason")
    active = [f for f in flags_of(session, case.id) if f.kind == which and f.cleared_at is None]
    if not active:
        raise ValidationError.said_as("err_not_flagged", coded={"which": "flag"}, code=case.code, which=which)
    at = cases.decision_moment(on, settings, not_before=None, since="")
    if on is not None:
        # Cleared on the day it was set (even entered that day after midnight) is allowed: stamped as
        # it was set, the flag never counts for a day's backlog. A later day's flag cannot be.
        set_at = max(to_utc_aware(f.set_at) for f in active)
        if set_at >= cases.day_end(on, settings):
            raise ValidationError.said_as("err_unflag_before_set", coded={"which": "flag"}, code=case.code,
                                          which=which, day=day_text(on))
        at = max(at, set_at)
    if which == "complex":
        # An extension is granted to a complex case only (cases.extend): its complexity cannot end
        # before an extension granted while it stood.
        later = [extension for extension in cases.extensions(session, case.id) if to_utc_aware(extension.at) > at]
        if later:
            extended = to_local(max(extension.at for extension in later), settings["timezone"]).date()
            raise ValidationError.said_as("err_unflag_before_extension", code=case.code, extended=day_text(extended),
                                          day=day_text(on or extended))
    for current in active:
        _clear(session, case, current, by=actor, reason=why, actor=actor, at=at, on=on)
    session.flush()
    if which == "complex":
        cases.refresh_deadline(session, case, settings)
        session.add(case)
    return case


def hotspots(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    """Localities ranked by crowd, repeat and escalated cases visited between start and end.

    Counted in one statement (a span of years of a large register is millions of visits, which
    Python never holds): the span's visits per case, then per locality (its folded name), each case
    with its active flags. A case counts as crowd when a visit of the span is a delegation or an
    officer flagged it so by hand (a matter of many whose citizens came one by one; the flag tct
    sets follows the delegations, whichever span they fell in), as
    escalated when one is marked escalated or the case has the flag, as repeat when it has the flag;
    a locality is a hotspot when a case of it has the flag. Its name is the spelling most of those
    cases have (on a tie, the one with more accents: "Xã Tân Phú" over "xa tan phu")."""
    from tct.db import Driver, sql_words

    db = Driver(session)

    def has(kind: str) -> str:
        return f"max(CASE WHEN case_flag.kind = '{kind}' THEN 1 ELSE 0 END) AS {kind}_"

    rows = db.rows(
        "SELECT cases.locality_folded, cases.locality, "
        "sum(CASE WHEN per_case.crowd = 1 OR flagged.crowd_ = 1 THEN 1 ELSE 0 END), sum(coalesce(flagged.repeat_, 0)), "
        "sum(CASE WHEN per_case.escalated = 1 OR flagged.escalated_ = 1 THEN 1 ELSE 0 END), "
        "count(*), sum(per_case.visits), sum(per_case.people), max(coalesce(flagged.hotspot_, 0)) "
        "FROM (SELECT visit.case_id AS case_id, count(*) AS visits, sum(visit.people) AS people, "
        "max(CASE WHEN visit.delegation = :yes THEN 1 ELSE 0 END) AS crowd, "
        "max(CASE WHEN visit.escalated = :yes THEN 1 ELSE 0 END) AS escalated FROM visit "
        "WHERE visit.visit_date >= :start AND visit.visit_date <= :end AND visit.void = :no "
        "GROUP BY visit.case_id) AS per_case "
        "JOIN cases ON cases.id = per_case.case_id "
        "LEFT JOIN (SELECT case_flag.case_id AS case_id, "
        "max(CASE WHEN case_flag.kind = 'crowd' AND case_flag.source <> 'auto' THEN 1 ELSE 0 END) AS crowd_, "
        f"{has('repeat')}, {has('escalated')}, "
        f"{has('hotspot')} FROM case_flag WHERE case_flag.cleared_at IS NULL "
        f"AND case_flag.kind IN ({sql_words(('crowd', 'repeat', 'escalated', 'hotspot'))}) "
        "GROUP BY case_flag.case_id) AS flagged ON flagged.case_id = per_case.case_id "
        "WHERE cases.locality_folded IS NOT NULL GROUP BY cases.locality_folded, cases.locality",
        {"start": db.day(start), "end": db.day(end), "yes": db.flag(True), "no": db.flag(False)})
    places: dict[str, dict[str, Any]] = {}
    spellings: dict[str, list[tuple[int, int, str]]] = {}
    for folded, locality, crowd, repeat, escalated, cases, visits, people, hotspot in rows:
        place = places.setdefault(folded, {"locality": locality, "crowd_cases": 0, "repeat_cases": 0,
                                           "escalated_cases": 0, "cases": 0, "visits": 0, "people": 0,
                                           "hotspot": False})
        for key, value in (("crowd_cases", crowd), ("repeat_cases", repeat), ("escalated_cases", escalated),
                           ("cases", cases), ("visits", visits), ("people", people)):
            place[key] += int(value)
        place["hotspot"] = place["hotspot"] or bool(hotspot)
        spellings.setdefault(folded, []).append((int(cases), sum(ord(c) > 127 for c in locality), locality))
    for folded, place in places.items():
        place["locality"] = max(spellings[folded])[2]
    result = list(places.values())
    result.sort(key=lambda p: (-p["crowd_cases"], -p["repeat_cases"], -p["escalated_cases"], -p["visits"],
                               p["locality"] or ""))
    return result
