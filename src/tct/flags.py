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
from datetime import date
from typing import TYPE_CHECKING, Any

from tct import audit
from tct.errors import ValidationError

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.models import Case, CaseFlag, Visit
    from tct.settings import Settings

KINDS = ("crowd", "repeat", "escalated", "complex", "hotspot")
AUTO_KINDS = ("crowd", "repeat", "escalated", "hotspot")
SYSTEM = "tct"  # who clears an automatic flag when its condition no longer holds


def _flags(session: Session, case_id: int) -> list[CaseFlag]:
    from sqlmodel import col, select

    from tct.models import CaseFlag

    return list(session.exec(select(CaseFlag).where(col(CaseFlag.case_id) == case_id)
                             .order_by(col(CaseFlag.id))).all())


def active_kinds(session: Session, case_id: int) -> set[str]:
    return {f.kind for f in _flags(session, case_id) if f.cleared_at is None}


def active_flags_by_case(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    from sqlmodel import col, select

    from tct.models import CaseFlag

    result: dict[int, list[str]] = defaultdict(list)
    if not case_ids:
        return result
    rows = session.exec(select(CaseFlag.case_id, CaseFlag.kind).where(
        col(CaseFlag.case_id).in_(case_ids), col(CaseFlag.cleared_at).is_(None))).all()
    for case_id, kind in rows:
        if kind not in result[case_id]:
            result[case_id].append(kind)
    for kinds in result.values():
        kinds.sort(key=KINDS.index)
    return result


def _set(session: Session, case: Case, kind: str, *, source: str, reason: str | None, actor: str) -> None:
    from tct.models import CaseFlag

    session.add(CaseFlag(case_id=case.id, kind=kind, source=source, reason=reason, set_by=actor))
    audit.record(session, actor=actor, entity="case", code=case.code, action="flag",
                 after={"flag": kind, "source": source}, reason=reason)


def _clear(session: Session, case: Case, flag: CaseFlag, *, by: str, reason: str, actor: str) -> None:
    from tct.dates import utc_now

    flag.cleared_at, flag.cleared_by, flag.clear_reason = utc_now(), by, reason
    session.add(flag)
    audit.record(session, actor=actor, entity="case", code=case.code, action="unflag",
                 before={"flag": flag.kind}, reason=reason)


def _sync_auto(session: Session, case: Case, kind: str, triggers: list[Visit], reason: str, *,
               actor: str, known: list[CaseFlag] | None = None) -> None:
    """Make the automatic flag `kind` agree with its triggering visits (`known`: the case's flags,
    when the caller already loaded them)."""
    flags = [f for f in (known if known is not None else _flags(session, case.id)) if f.kind == kind]
    active = [f for f in flags if f.cleared_at is None]
    if triggers:
        if active:
            return
        cleared_by_hand = [f.cleared_at for f in flags if f.cleared_by != SYSTEM and f.cleared_at]
        if cleared_by_hand and not any(v.created_at > max(cleared_by_hand) for v in triggers):
            return
        _set(session, case, kind, source="auto", reason=reason, actor=actor)
    else:
        for flag in active:
            if flag.source == "auto":
                _clear(session, case, flag, by=SYSTEM, reason=f"no visit calls for {kind} any more", actor=actor)


def _visits(session: Session, case_id: int) -> list[Visit]:
    from sqlmodel import col, select

    from tct.models import Visit

    return list(session.exec(select(Visit).where(col(Visit.case_id) == case_id, col(Visit.void).is_(False))
                             .order_by(col(Visit.visit_date), col(Visit.id))).all())


def _within(days: list[date], count: int, window: int) -> bool:
    """Whether `count` of the sorted days fall within `window` days (last − first ≤ window)."""
    return any((days[i + count - 1] - days[i]).days <= window for i in range(len(days) - count + 1))


def refresh(session: Session, case: Case, settings: Settings, *, actor: str) -> None:
    """Recompute the automatic flags of a case (and the hotspots of its locality)."""
    _refresh_case(session, case, _visits(session, case.id), settings, actor=actor)
    session.flush()
    if case.locality_folded:
        refresh_hotspots(session, case.locality_folded, settings, actor=actor)


def _refresh_case(session: Session, case: Case, visits: list[Visit], settings: Settings, *, actor: str,
                  known: list[CaseFlag] | None = None) -> None:
    delegations = [v for v in visits if v.delegation]
    _sync_auto(session, case, "crowd", delegations, f"delegation visit {delegations[0].code}" if delegations
               else "", actor=actor, known=known)
    escalated = [v for v in visits if v.escalated]
    _sync_auto(session, case, "escalated", escalated, f"escalated visit {escalated[0].code}" if escalated else "",
               actor=actor, known=known)
    count, window = int(settings["repeat.min_visits"]), int(settings["repeat.window_days"])
    repeated = visits if _within([v.visit_date for v in visits], count, window) else []
    _sync_auto(session, case, "repeat", repeated, f"{count} or more visits within {window} days", actor=actor,
               known=known)


def refresh_many(session: Session, case_ids: list[int], settings: Settings, *, actor: str) -> None:
    """`refresh` for many cases at once (a bulk import): a few queries per 500 cases, not per case."""
    from sqlmodel import col, select

    from tct.models import Case, CaseFlag, Visit

    localities: set[str] = set()
    for start in range(0, len(case_ids), 500):
        part = case_ids[start:start + 500]
        # Only the columns the rules read (plain rows, not ORM objects: an import touches many cases).
        visits: dict[int, list[Any]] = defaultdict(list)
        for visit in session.execute(select(Visit.case_id, Visit.code, Visit.visit_date, Visit.delegation,
                                            Visit.escalated, Visit.created_at)
                                     .where(col(Visit.case_id).in_(part), col(Visit.void).is_(False))
                                     .order_by(col(Visit.visit_date), col(Visit.id))).all():
            visits[visit.case_id].append(visit)
        known: dict[int, list[CaseFlag]] = defaultdict(list)
        for flag_row in session.exec(select(CaseFlag).where(col(CaseFlag.case_id).in_(part))).all():
            known[flag_row.case_id].append(flag_row)
        # A case with no flag and no visit that could set one (no delegation, nothing escalated,
        # fewer visits than a repeat needs) has nothing to change: most cases of an import.
        count = int(settings["repeat.min_visits"])
        busy = [case_id for case_id in part if case_id in known or len(visits.get(case_id, ())) >= count
                or any(v.delegation or v.escalated for v in visits.get(case_id, ()))]
        if not busy:
            continue
        for case in session.exec(select(Case).where(col(Case.id).in_(busy))).all():
            _refresh_case(session, case, visits.get(case.id, []), settings, actor=actor, known=known[case.id])
            if case.locality_folded and any(v.delegation for v in visits.get(case.id, [])):
                localities.add(case.locality_folded)
        session.flush()
        session.expunge_all()
    for locality in sorted(localities):
        refresh_hotspots(session, locality, settings, actor=actor)


def refresh_hotspots(session: Session, locality_folded: str, settings: Settings, *, actor: str) -> None:
    from sqlmodel import col, select

    from tct.models import Case, CaseFlag, Visit

    rows = session.exec(select(Visit, Case).join(Case, col(Case.id) == col(Visit.case_id)).where(
        col(Case.locality_folded) == locality_folded, col(Visit.delegation).is_(True),
        col(Visit.void).is_(False)).order_by(col(Visit.visit_date))).all()
    count, window = int(settings["hotspot.min_cases"]), int(settings["hotspot.window_days"])
    hot: dict[int, list[Visit]] = defaultdict(list)
    for i, (first, _) in enumerate(rows):
        inside = [(v, c) for v, c in rows[i:] if (v.visit_date - first.visit_date).days <= window]
        if len({c.id for _, c in inside}) >= count:
            for v, c in inside:
                hot[c.id].append(v)
    flagged = session.exec(select(CaseFlag.case_id).join(Case, col(Case.id) == col(CaseFlag.case_id)).where(
        col(Case.locality_folded) == locality_folded, col(CaseFlag.kind) == "hotspot",
        col(CaseFlag.cleared_at).is_(None))).all()
    involved = set(hot) | set(flagged)
    known: dict[int, list[CaseFlag]] = defaultdict(list)
    for flag_row in session.exec(select(CaseFlag).where(col(CaseFlag.case_id).in_(involved),
                                                        col(CaseFlag.kind) == "hotspot")).all():
        known[flag_row.case_id].append(flag_row)
    for case in session.exec(select(Case).where(col(Case.id).in_(involved))).all():
        _sync_auto(session, case, "hotspot", hot.get(case.id, []),
                   f"{count} or more crowd cases in {case.locality} within {window} days", actor=actor,
                   known=known[case.id])
    session.flush()


def _kind(kind: str) -> str:
    from tct import vocab

    return vocab.choose(kind, {k: () for k in KINDS}, label="flag")


def flag(session: Session, code: str, kind: str, *, reason: str | None, settings: Settings, actor: str) -> Case:
    """Set a flag by hand; a reason is required. A complex case gets the longer deadline."""
    from tct import cases
    from tct.text import MAX_TEXT, clean

    case = cases.get(session, code)
    which = _kind(kind)
    why = clean(reason, label="--reason", max_len=MAX_TEXT)
    if not why:
        raise ValidationError(f"a {which} flag set by hand needs --reason")
    if which in active_kinds(session, case.id):
        raise ValidationError(f"case {case.code} is already flagged {which}")
    _set(session, case, which, source="manual", reason=why, actor=actor)
    session.flush()
    if which == "complex":
        cases.refresh_deadline(session, case, settings)
        session.add(case)
    return case


def unflag(session: Session, code: str, kind: str, *, reason: str | None, settings: Settings, actor: str) -> Case:
    from tct import cases
    from tct.text import MAX_TEXT, clean

    case = cases.get(session, code)
    which = _kind(kind)
    why = clean(reason, label="--reason", max_len=MAX_TEXT)
    if not why:
        raise ValidationError("clearing a flag needs --reason")
    active = [f for f in _flags(session, case.id) if f.kind == which and f.cleared_at is None]
    if not active:
        raise ValidationError(f"case {case.code} is not flagged {which}")
    for current in active:
        _clear(session, case, current, by=actor, reason=why, actor=actor)
    session.flush()
    if which == "complex":
        cases.refresh_deadline(session, case, settings)
        session.add(case)
    return case


def hotspots(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    """Localities ranked by crowd, repeat and escalated cases visited between start and end."""
    from sqlmodel import col, select

    from tct.models import Case, Visit

    rows = session.exec(select(Visit, Case).join(Case, col(Case.id) == col(Visit.case_id)).where(
        col(Visit.visit_date) >= start, col(Visit.visit_date) <= end, col(Visit.void).is_(False),
        col(Case.locality_folded).is_not(None))).all()
    active = active_flags_by_case(session, list({c.id for _, c in rows}))
    places: dict[str, dict[str, Any]] = {}
    for visit, case in rows:
        place = places.setdefault(case.locality_folded, {
            "locality": case.locality, "crowd": set(), "repeat": set(), "escalated": set(), "hotspot": False,
            "visits": 0, "people": 0, "cases": set()})
        place["visits"] += 1
        place["people"] += visit.people
        place["cases"].add(case.code)
        kinds = active.get(case.id, [])
        if visit.delegation:
            place["crowd"].add(case.code)
        if "repeat" in kinds:
            place["repeat"].add(case.code)
        if visit.escalated or "escalated" in kinds:
            place["escalated"].add(case.code)
        place["hotspot"] = place["hotspot"] or "hotspot" in kinds
    result = [{"locality": p["locality"], "crowd_cases": len(p["crowd"]), "repeat_cases": len(p["repeat"]),
               "escalated_cases": len(p["escalated"]), "cases": len(p["cases"]), "visits": p["visits"],
               "people": p["people"], "hotspot": p["hotspot"]} for p in places.values()]
    result.sort(key=lambda p: (-p["crowd_cases"], -p["repeat_cases"], -p["escalated_cases"], -p["visits"],
                               p["locality"] or ""))
    return result
