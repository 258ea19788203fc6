"""Duty rosters (lịch trực tiếp công dân): who is on the desk each day, before, during and after
the holidays (Plan 02/KH-STTTT, II.4: bố trí công chức trực tiếp công dân).

A duty shift is one officer on one day: `morning` and `afternoon` take their hours from the
settings `shift.morning` / `shift.afternoon` when the shift is added, `full` runs from the start of
the morning to the end of the afternoon, `custom` has its own hours. Times are wall-clock times in
the office time zone; a shift covers [start, end), so shifts that only touch do not overlap.

Rules:
- one officer is never on two overlapping shifts of the same day (two officers on one shift is
  normal); a command that would break this writes nothing;
- every day of a checked range needs an active `main` officer both morning and afternoon (a `full`
  shift covers both; custom shifts cover a half-day when together they span its hours); backups
  and leaders do not fill a gap, but a half-day held only by a backup is reported as such;
- every write leaves an audit event (entity `duty_shift`, code: the officer's name).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tct import audit, vocab
from tct.dates import parse_date
from tct.daysoff import is_weekend
from tct.errors import NotFoundError, UsageError, ValidationError
from tct.i18n import Said, said
from tct.text import MAX_LINE, MAX_TEXT, clean, fold, nfc

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.models import DutyShift, Officer

SHIFTS = ("morning", "afternoon", "full", "custom")
HALF_DAYS = ("morning", "afternoon")
ROLES = ("main", "backup", "leader")
MAX_DAYS = 366
MAX_IMPORT_ROWS = 20_000
CSV_COLUMNS = ("officer", "date", "shift", "role", "location", "note")
REQUIRED_COLUMNS = ("officer", "date")

_HHMM = re.compile(r"^(\d{1,2})(?:[:h](\d{2})|h)$")  # 07:30, 7h30, 7h
_HOURS = re.compile(r"^\s*(\d{1,2}(?:[:h]\d{2}|h))\s*[-–]\s*(\d{1,2}(?:[:h]\d{2}|h))\s*$")
_ROLE_ORDER = {"main": 0, "leader": 1, "backup": 2}  # who the desk looks for first


# --- values ------------------------------------------------------------------------------------

def parse_hhmm(text: str, *, label: str) -> time:
    """A wall-clock time typed HH:MM (or 8h30, 8h), as times are typed for visits."""
    match = _HHMM.match((text or "").strip().lower())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValidationError.said_as("err_not_a_time", label=label, text=text)


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def hours_text(start: time, end: time) -> str:
    return f"{hhmm(start)}-{hhmm(end)}"


def half_day_hours(source: Session | Driver) -> dict[str, tuple[time, time]]:
    """The hours of the morning and afternoon shifts, from the settings."""
    from tct import settings

    current = settings.load(source)
    result = {}
    for name in HALF_DAYS:
        match = _HOURS.match(str(current[f"shift.{name}"]))
        if match is None:  # settings are validated when set; a hand-edited row is our problem to report
            raise ValidationError.said_as("err_setting_not_hours", name=name)
        result[name] = (parse_hhmm(match.group(1), label=f"shift.{name}"),
                        parse_hhmm(match.group(2), label=f"shift.{name}"))
    return result


def shift_hours(halves: dict[str, tuple[time, time]], shift: str | None, start: str | None = None,
                end: str | None = None, *, in_file: bool = False) -> tuple[str, time, time]:
    """(shift name, start, end) of a shift typed as a name, or as custom --start/--end hours.

    `in_file`: read from a roster file's `shift` cell (a name, or the hours HH:MM-HH:MM), whose
    problems are said by that column, not by options the file does not have."""
    name = vocab.lookup(shift, vocab.SHIFTS) if (shift or "").strip() else ("custom" if start or end else "full")
    if name is None:
        raise ValidationError.said_as("err_not_a_shift", coded={"choices": "list:shift"}, typed=shift,
                                      choices=list(SHIFTS), label="shift" if in_file else "--shift")
    if name != "custom":
        if start or end:
            raise UsageError.said_as("err_hours_and_shift", name=name)
        if name == "full":
            return name, halves["morning"][0], halves["afternoon"][1]
        return name, halves[name][0], halves[name][1]
    if not start or not end:
        raise UsageError.said_as("err_custom_shift_hours")
    begin = parse_hhmm(start, label="shift" if in_file else "--start")
    finish = parse_hhmm(end, label="shift" if in_file else "--end")
    if finish <= begin:
        if in_file:
            raise ValidationError.said_as("err_file_shift_backwards", text=f"{start}-{end}")
        raise ValidationError.said_as("err_end_not_after_start", end=hhmm(finish), start=hhmm(begin))
    return name, begin, finish


def check_role(role: str | None, *, label: str = "--role") -> str:
    """The role typed (`label`: the option or the file's column it came from); main when empty."""
    value = vocab.lookup(role, vocab.ROLES) if (role or "").strip() else "main"
    if value is None:
        raise ValidationError.said_as("err_not_a_role", coded={"choices": "list:role"}, typed=role,
                                      choices=list(ROLES), label=label)
    return value


def days(start: date, end: date | None = None) -> list[date]:
    """Every day from start to end inclusive; at most MAX_DAYS of them."""
    last = end or start
    if last < start:
        raise ValidationError.said_as("err_range_backwards", last=f"{last:%d/%m/%Y}", first=f"{start:%d/%m/%Y}")
    count = (last - start).days + 1
    if count > MAX_DAYS:
        raise ValidationError.said_as("err_range_too_long", count=count, most=MAX_DAYS)
    return [start + timedelta(days=offset) for offset in range(count)]


def overlaps(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    return a_start < b_end and b_start < a_end


def as_dict(shift: DutyShift, officer: Officer, *, retired: bool | None = None) -> dict[str, Any]:
    """A shift as data; `retired`: the officer no longer served on that day (default: is retired now)."""
    return {"id": shift.id, "date": shift.shift_date, "officer": officer.name, "shift": shift.shift,
            "start": hhmm(shift.start_time), "end": hhmm(shift.end_time), "role": shift.role,
            "location": shift.location, "note": shift.note,
            "retired": (not officer.active) if retired is None else retired}


def serving(officer: Officer, day: date, tz: str) -> bool:
    """Whether an officer still received citizens on a day: active, or retired only after it."""
    from tct.dates import to_local

    if officer.active:
        return True
    return officer.retired_at is not None and day < to_local(officer.retired_at, tz).date()


def _audit_fields(shift: DutyShift) -> dict[str, Any]:
    values = {"date": shift.shift_date, "shift": shift.shift, "start": hhmm(shift.start_time),
              "end": hhmm(shift.end_time), "role": shift.role, "location": shift.location, "note": shift.note}
    return {key: value for key, value in values.items() if value is not None}


# --- reading -----------------------------------------------------------------------------------

def shifts_between(session: Session, start: date | None, end: date | None, *,
                   officer_id: int | None = None) -> list[tuple[DutyShift, Officer]]:
    """The shifts from start to end inclusive (None: unbounded) with their officers, by day, time, name."""
    from sqlmodel import col, select

    from tct.models import DutyShift, Officer

    query = select(DutyShift, Officer).join(Officer, col(DutyShift.officer_id) == col(Officer.id))
    if start is not None:
        query = query.where(col(DutyShift.shift_date) >= start)
    if end is not None:
        query = query.where(col(DutyShift.shift_date) <= end)
    if officer_id is not None:
        query = query.where(col(DutyShift.officer_id) == officer_id)
    query = query.order_by(col(DutyShift.shift_date), col(DutyShift.start_time), col(DutyShift.end_time),
                           col(Officer.name_folded), col(DutyShift.id))
    return [(shift, officer) for shift, officer in session.exec(query).all()]


def held_after_retiring(session: Session, officer: Officer) -> list[DutyShift]:
    """The shifts a retired officer still holds on or after the day they retired: those `roster
    check` lists as a retired officer rostered and counts as gaps, which `roster remove` takes off."""
    from tct import settings
    from tct.dates import to_local

    if officer.active or officer.retired_at is None:
        return []
    day = to_local(officer.retired_at, settings.load(session)["timezone"]).date()
    return [row for row, _ in shifts_between(session, day, None, officer_id=officer.id)]


def _rostered(source: Session | Driver, start: date, end: date) -> list[tuple[Any, Any]]:
    """What shifts_between gives for reading only, as plain objects with the models' attributes
    (the roster grid and check of a report, which need not load the models)."""
    from tct.db import Driver

    db = Driver.of(source)
    rows = db.rows(
        "SELECT duty_shift.id, duty_shift.shift_date, duty_shift.shift, duty_shift.start_time, "
        "duty_shift.end_time, duty_shift.role, duty_shift.location, duty_shift.note, "
        "officer.id, officer.name, officer.active, officer.retired_at "
        "FROM duty_shift JOIN officer ON officer.id = duty_shift.officer_id "
        "WHERE duty_shift.shift_date >= ? AND duty_shift.shift_date <= ? "
        "ORDER BY duty_shift.shift_date, duty_shift.start_time, duty_shift.end_time, officer.name_folded, "
        "duty_shift.id", [db.day(start), db.day(end)])
    officers: dict[int, SimpleNamespace] = {}
    result = []
    for (id_, day, shift, begin, finish, role, location, note, officer_id, name, active, retired_at) in rows:
        who = officers.get(officer_id)
        if who is None:
            who = officers[officer_id] = SimpleNamespace(id=officer_id, name=name, active=bool(active),
                                                         retired_at=db.read_stamp(retired_at))
        result.append((SimpleNamespace(id=id_, shift_date=db.read_day(day), shift=shift,
                                       start_time=db.read_time(begin), end_time=db.read_time(finish), role=role,
                                       location=location, note=note, officer_id=officer_id), who))
    return result


def _lock_officer(session: Session, officer: Officer) -> None:
    """Serialise writers of one officer's roster on PostgreSQL (SQLite's write lock already does)."""
    from sqlmodel import col, select

    from tct.models import Officer

    session.exec(select(Officer.id).where(col(Officer.id) == officer.id).with_for_update()).all()


# --- writing -----------------------------------------------------------------------------------

@dataclass
class _Planned:
    officer: Officer
    day: date
    shift: str
    start: time
    end: time
    role: str
    location: str | None
    note: str | None
    line: int | None = None


def _clash(planned: _Planned, existing: list[tuple[DutyShift, Officer]]) -> DutyShift | None:
    for shift, _ in existing:
        if shift.officer_id == planned.officer.id and shift.shift_date == planned.day and \
                overlaps(shift.start_time, shift.end_time, planned.start, planned.end):
            return shift
    return None


def _describe(shift: str, start: time, end: time) -> Said:
    return said("shift_and_hours", coded={"shift": "shift"}, shift=shift, hours=hours_text(start, end))


def _insert(session: Session, planned: list[_Planned], *, actor: str, action: str) -> list[DutyShift]:
    from tct.models import DutyShift

    created = []
    for item in planned:
        row = DutyShift(officer_id=item.officer.id, shift_date=item.day, shift=item.shift, start_time=item.start,
                        end_time=item.end, role=item.role, location=item.location, note=item.note)
        session.add(row)
        created.append(row)
    session.flush()
    for item, row in zip(planned, created, strict=True):
        audit.record(session, actor=actor, entity="duty_shift", code=item.officer.name, action=action,
                     after=_audit_fields(row))
    return created


def add(session: Session, officer: str, *, start: date, end: date | None = None, shift: str | None = None,
        role: str | None = None, weekdays_only: bool = False, start_time: str | None = None,
        end_time: str | None = None, location: str | None = None, note: str | None = None,
        actor: str) -> list[DutyShift]:
    """Put an officer on one shift on every day from start to end (weekdays only if asked).

    Refused as a whole (nothing written) when any of those shifts overlaps another shift of the
    same officer.
    """
    person = resolve_officer(session, officer)
    name, begin, finish = shift_hours(half_day_hours(session), shift, start_time, end_time)
    chosen_role = check_role(role)
    place = clean(location, label="--location", max_len=300)
    remark = clean(note, label="--note", max_len=MAX_TEXT, multiline=True)
    wanted = [day for day in days(start, end) if not (weekdays_only and is_weekend(day))]
    if not wanted:
        raise ValidationError.said_as("err_no_weekday")
    _lock_officer(session, person)
    existing = shifts_between(session, wanted[0], wanted[-1], officer_id=person.id)
    planned = [_Planned(person, day, name, begin, finish, chosen_role, place, remark) for day in wanted]
    clashes = [(item, other) for item in planned if (other := _clash(item, existing)) is not None]
    if clashes:
        item, other = clashes[0]
        more = said("and_more_days", count=len(clashes) - 1) if len(clashes) > 1 else ""
        raise ValidationError.said_as("err_shift_taken", officer=person.name,
                                      taken=_describe(other.shift, other.start_time, other.end_time),
                                      day=f"{item.day:%d/%m/%Y}", planned=_describe(name, begin, finish), more=more)
    return _insert(session, planned, actor=actor, action="create")


def resolve_officer(session: Session, typed: str, *, include_retired: bool = False) -> Officer:
    from tct import officers

    return officers.resolve(session, typed, include_retired=include_retired)


def remove(session: Session, officer: str, *, start: date, end: date | None = None, shift: str | None = None,
           actor: str, reason: str | None = None) -> list[dict[str, Any]]:
    """Take an officer off the roster from start to end (only the named shift if given); audited,
    with the reason when one is given (a swap, sick leave): `tct log` is where a roster's changes
    are explained afterwards.

    A retired officer may be removed too: that is how a roster is cleaned after a retirement.
    """
    from tct.text import MAX_TEXT, clean

    why = clean(reason, label="--reason", max_len=MAX_TEXT) if reason is not None else None
    person = resolve_officer(session, officer, include_retired=True)
    wanted = days(start, end)
    name = None
    if shift:
        name = vocab.lookup(shift, vocab.SHIFTS)
        if name is None:
            raise ValidationError.said_as("err_not_a_shift", coded={"choices": "list:shift"}, typed=shift,
                                      choices=list(SHIFTS), label="--shift")
    found = [(row, who) for row, who in shifts_between(session, wanted[0], wanted[-1], officer_id=person.id)
             if name is None or row.shift == name]
    if not found:
        span = f"{wanted[0]:%d/%m/%Y}" + (f"–{wanted[-1]:%d/%m/%Y}" if len(wanted) > 1 else "")
        if name:
            raise NotFoundError.said_as("err_no_such_shift", coded={"shift": "shift"}, officer=person.name,
                                        shift=name, span=span)
        raise NotFoundError.said_as("err_no_shift", officer=person.name, span=span)
    removed = []
    for row, who in found:
        removed.append(as_dict(row, who))
        audit.record(session, actor=actor, entity="duty_shift", code=person.name, action="remove",
                     before=_audit_fields(row), reason=why or None)
        session.delete(row)
    session.flush()
    return removed


# --- the grid ------------------------------------------------------------------------------------

def _column_of(shift: DutyShift, halves: dict[str, tuple[time, time]]) -> list[str]:
    """The half-day columns of the grid a shift shows in."""
    if shift.shift == "full":
        return list(HALF_DAYS)
    if shift.shift in HALF_DAYS:
        return [shift.shift]
    columns = [half for half in HALF_DAYS if overlaps(shift.start_time, shift.end_time, *halves[half])]
    if columns:
        return columns
    return ["morning" if shift.start_time < halves["afternoon"][0] else "afternoon"]


def grid(source: Session | Driver, start: date, end: date, *, lang: str = "en") -> list[dict[str, Any]]:
    """One entry per day: weekend, official day off, and the shifts under morning and afternoon."""
    from tct import settings
    from tct.daysoff import official_days_off

    span = days(start, end)
    halves = half_day_hours(source)
    tz = settings.load(source)["timezone"]
    holidays = official_days_off(span[0], span[-1], lang=lang)
    by_day: dict[date, list[tuple[DutyShift, Officer]]] = defaultdict(list)
    for row, who in _rostered(source, span[0], span[-1]):
        by_day[row.shift_date].append((row, who))
    result = []
    for day in span:
        entry: dict[str, Any] = {"date": day, "weekend": is_weekend(day), "holiday": holidays.get(day),
                                 "morning": [], "afternoon": [], "shifts": []}
        for row, who in by_day.get(day, []):
            item = as_dict(row, who, retired=not serving(who, day, tz))
            entry["shifts"].append(item)
            for column in _column_of(row, halves):
                entry[column].append(item)
        for half in HALF_DAYS:  # main officers first, then leaders, then backups
            entry[half].sort(key=lambda item: (_ROLE_ORDER.get(item["role"], 9), item["start"], fold(item["officer"])))
        result.append(entry)
    return result


# --- the check ---------------------------------------------------------------------------------

def _covered(intervals: list[tuple[time, time]], start: time, end: time) -> bool:
    """Whether the union of the intervals contains [start, end)."""
    reach = start
    for begin, finish in sorted(intervals):
        if begin > reach:
            break
        reach = max(reach, finish)
        if reach >= end:
            return True
    return reach >= end


def _holds(rows: list[DutyShift], half: str, hours: tuple[time, time]) -> bool:
    if any(row.shift == half or row.shift == "full" for row in rows):
        return True
    return _covered([(row.start_time, row.end_time) for row in rows], *hours)


def check(source: Session | Driver, start: date, end: date) -> dict[str, list[dict[str, Any]]]:
    """What stops the roster from covering every day from start to end.

    - gaps: each day and half-day (morning, afternoon) without a `main` officer serving that day
      (a retired officer's shifts count only before the day they retired);
    - double_booked: an officer on overlapping shifts of one day;
    - retired: retired officers still rostered on or after the day they retired;
    - backup_only: the half-days among the gaps that a backup holds (they are gaps all the same).
    """
    from tct import settings

    span = days(start, end)
    halves = half_day_hours(source)
    tz = settings.load(source)["timezone"]
    by_day: dict[date, list[tuple[DutyShift, Officer]]] = defaultdict(list)
    for row, who in _rostered(source, span[0], span[-1]):
        by_day[row.shift_date].append((row, who))
    report: dict[str, list[dict[str, Any]]] = {"gaps": [], "double_booked": [], "retired": [], "backup_only": []}
    for day in span:
        rostered = by_day.get(day, [])
        active = [(row, who) for row, who in rostered if serving(who, day, tz)]
        mains = [row for row, _ in active if row.role == "main"]
        backups = [(row, who) for row, who in active if row.role == "backup"]
        missing = [half for half in HALF_DAYS if not _holds(mains, half, halves[half])]
        if missing:
            report["gaps"].append({"date": day, "shifts": missing})
            held = [half for half in missing if _holds([row for row, _ in backups], half, halves[half])]
            if held:
                names = sorted({who.name for row, who in backups
                                if any(half in _column_of(row, halves) for half in held)}, key=fold)
                report["backup_only"].append({"date": day, "shifts": held, "officers": names})
        per_officer: dict[int, list[tuple[DutyShift, Officer]]] = defaultdict(list)
        for row, who in rostered:
            per_officer[who.id or 0].append((row, who))
        for pairs in sorted(per_officer.values(), key=lambda items: fold(items[0][1].name)):
            clashing = [row for row, _ in pairs if any(other is not row and overlaps(
                row.start_time, row.end_time, other.start_time, other.end_time) for other, _ in pairs)]
            if clashing:
                report["double_booked"].append({
                    "date": day, "officer": pairs[0][1].name, "shifts": [row.shift for row in clashing],
                    "hours": [hours_text(row.start_time, row.end_time) for row in clashing]})
            who = pairs[0][1]
            if not serving(who, day, tz):
                report["retired"].append({"date": day, "officer": who.name,
                                          "shifts": [row.shift for row, _ in pairs]})
    return report


# --- who is on duty ------------------------------------------------------------------------------

def _local(session: Session, at: datetime) -> datetime:
    """`at` on the office's clock; a naive value is read as office wall-clock time."""
    from tct import settings
    from tct.dates import office_tz

    zone = office_tz(settings.load(session)["timezone"])
    return at.replace(tzinfo=zone) if at.tzinfo is None else at.astimezone(zone)


def _duty_rows(session: Session, at: datetime, *, active_only: bool) -> list[tuple[DutyShift, Officer]]:
    """The shifts running at `at` with their officers; `active_only` leaves out retired officers even
    on days they still served (otherwise those days count, as in `roster list` and `roster check`)."""
    from tct import settings

    local = _local(session, at)
    moment = local.time().replace(tzinfo=None)
    tz = settings.load(session)["timezone"]
    rows = [(row, who) for row, who in shifts_between(session, local.date(), local.date())
            if (who.active if active_only else serving(who, local.date(), tz))
            and row.start_time <= moment < row.end_time]
    return sorted(rows, key=lambda pair: (_ROLE_ORDER.get(pair[0].role, 9), pair[1].name_folded, pair[0].id or 0))


def on_duty(session: Session, at: datetime) -> list[dict[str, Any]]:
    """The officers on a shift at `at` (aware, or office wall-clock time): main, leader, backup.

    A retired officer is among them on the days before they retired: their past duty stays the
    record of who held the desk then (`tct duty --at` a past moment, as `roster list` shows it).
    """
    return [as_dict(row, who, retired=False) for row, who in _duty_rows(session, at, active_only=False)]


def has_roster(session: Session) -> bool:
    """Whether this register keeps a duty roster at all."""
    from sqlmodel import select

    from tct.models import DutyShift

    return session.exec(select(DutyShift.id).limit(1)).first() is not None


def main_on_duty(session: Session, at: datetime) -> list[Officer]:
    """The active officers holding a `main` shift at `at`, each once, by name."""
    seen: dict[int, Officer] = {}
    for row, who in _duty_rows(session, at, active_only=True):
        if row.role == "main" and who.id is not None:
            seen.setdefault(who.id, who)
    return sorted(seen.values(), key=lambda officer: officer.name_folded)


# --- import and export -------------------------------------------------------------------------

class ImportRejected(ValidationError):
    """A roster file with bad rows: every problem with its line number; nothing was imported."""

    def __init__(self, problems: list[tuple[int, str]], source: str = "the file") -> None:
        count = len(problems)
        super().__init__(f"{count} bad row{'s' if count != 1 else ''} in {source}; nothing was imported")
        self.problems = problems


def _unquote(cell: str | None) -> str:
    """Undo the apostrophe export puts before a cell a spreadsheet would run as a formula."""
    value = cell or ""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def import_csv(session: Session, text: str, *, actor: str, source: str = "the file") -> list[DutyShift]:
    """Add every shift of a roster CSV (columns officer, date, shift, role, location, note), or none.

    Dates may be day-first (13/02/2021) or ISO; `shift` is morning, afternoon, full (the default)
    or custom hours HH:MM-HH:MM; `role` defaults to main. Every bad row, and every row that
    overlaps another shift of its officer (in the register or earlier in the file), is reported
    with its line number in one ImportRejected.
    """
    from tct import settings

    tz = settings.load(session)["timezone"]
    halves = half_day_hours(session)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError.said_as("err_file_empty", source=source, columns=",".join(CSV_COLUMNS)) from None
    except csv.Error as exc:
        raise ImportRejected([(1, said("err_unreadable_csv", error=str(exc)))], source) from None
    names = [fold(cell).replace(" ", "_") for cell in header]
    unknown = [cell for cell, key in zip(header, names, strict=True) if key not in CSV_COLUMNS]
    missing = [key for key in REQUIRED_COLUMNS if key not in names]
    if unknown or missing or len(set(names)) != len(names):
        parts = [said("err_unknown_columns", columns=", ".join(unknown)) if unknown else None,
                 said("err_missing_columns", columns=", ".join(missing)) if missing else None,
                 said("err_column_twice") if len(set(names)) != len(names) else None]
        problem = None
        for part in filter(None, parts):
            problem = part if problem is None else said("err_joined", first=problem, then=part)
        raise ImportRejected([(1, said("err_bad_header", problem=problem, columns=",".join(CSV_COLUMNS)))], source)
    problems: list[tuple[int, str]] = []
    planned: list[_Planned] = []
    officers_by_key: dict[str, Officer | str] = {}
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(planned) + len(problems) >= MAX_IMPORT_ROWS:
                raise ValidationError.said_as("err_file_too_many_rows", source=source, most=MAX_IMPORT_ROWS)
            if len(cells) > len(names):
                problems.append((line, said("err_too_many_cells", cells=len(cells), columns=len(names))))
                continue
            row = {key: _unquote(cells[index]) if index < len(cells) else "" for index, key in enumerate(names)}
            try:
                planned.append(_planned_row(session, row, halves, tz, officers_by_key, line))
            except (ValidationError, NotFoundError, UsageError) as exc:
                problems.append((line, exc.message))
    except csv.Error as exc:
        problems.append((line + 1, said("err_unreadable_csv", error=str(exc))))
    if not planned and not problems:
        raise ValidationError.said_as("err_file_no_rows", source=source)
    problems.extend(_file_clashes(session, planned))
    if problems:
        raise ImportRejected(sorted(problems), source)
    return _insert(session, planned, actor=actor, action="import")


def _planned_row(session: Session, row: dict[str, str], halves: dict[str, tuple[time, time]], tz: str,
                 officers_by_key: dict[str, Officer | str], line: int) -> _Planned:
    typed = row.get("officer", "").strip()
    if not typed:
        raise ValidationError.said_as("err_officer_cell_empty")
    key = nfc(typed)  # as typed, accents and all: Nguyễn Thị Hà and Nguyễn Thị Hạ are two officers
    if key not in officers_by_key:
        try:
            officers_by_key[key] = resolve_officer(session, typed)
        except (NotFoundError, ValidationError) as exc:
            officers_by_key[key] = exc.message
    person = officers_by_key[key]
    if isinstance(person, str):
        raise NotFoundError(person)
    day = parse_date(row.get("date", ""), tz=tz, label="date")
    shift_cell = row.get("shift", "").strip()
    hours = _HOURS.match(shift_cell.lower())
    if hours:
        name, begin, finish = shift_hours(halves, "custom", hours.group(1), hours.group(2), in_file=True)
    elif shift_cell and vocab.lookup(shift_cell, vocab.SHIFTS) == "custom":
        raise ValidationError.said_as("err_custom_shift_in_file")
    else:
        name, begin, finish = shift_hours(halves, shift_cell or None, in_file=True)
    role = check_role(row.get("role"), label="role")
    place = clean(row.get("location"), label="location", max_len=300)
    remark = clean(row.get("note"), label="note", max_len=MAX_LINE * 4, multiline=True)
    return _Planned(person, day, name, begin, finish, role, place, remark, line)


def _file_clashes(session: Session, planned: list[_Planned]) -> list[tuple[int, str]]:
    """Rows that overlap a shift already in the register or an earlier row of the same file."""
    if not planned:
        return []
    for officer in {item.officer.id: item.officer for item in planned}.values():
        _lock_officer(session, officer)
    first, last = min(item.day for item in planned), max(item.day for item in planned)
    existing: dict[tuple[int, date], list[DutyShift]] = defaultdict(list)
    for row, _ in shifts_between(session, first, last):
        existing[(row.officer_id, row.shift_date)].append(row)
    earlier: dict[tuple[int, date], list[_Planned]] = defaultdict(list)
    problems = []
    for item in planned:
        key = (item.officer.id or 0, item.day)
        stored = next((row for row in existing[key] if overlaps(row.start_time, row.end_time, item.start, item.end)),
                      None)
        previous = next((other for other in earlier[key] if overlaps(other.start, other.end, item.start, item.end)),
                        None)
        what = {"officer": item.officer.name, "shift": _describe(item.shift, item.start, item.end),
                "day": f"{item.day:%d/%m/%Y}"}
        if stored is not None:
            problems.append((item.line or 0, said("err_overlaps_rostered", **what,
                                                  taken=_describe(stored.shift, stored.start_time, stored.end_time))))
        elif previous is not None:
            problems.append((item.line or 0, said("err_overlaps_line", **what, line=previous.line)))
        earlier[key].append(item)
    return problems


def export_rows(session: Session, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
    """The roster as rows of the import format (custom shifts as their hours), by day and time."""
    if start and end and end < start:
        raise ValidationError.said_as("err_range_backwards", last=f"{end:%d/%m/%Y}", first=f"{start:%d/%m/%Y}")
    result = []
    for row, who in shifts_between(session, start, end):
        result.append({"officer": who.name, "date": row.shift_date,
                       "shift": hours_text(row.start_time, row.end_time) if row.shift == "custom" else row.shift,
                       "role": row.role, "location": row.location, "note": row.note})
    return result
