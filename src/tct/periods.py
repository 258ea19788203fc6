"""Holiday periods (đợt Tết): the before / during / after windows the inspector reports on.

Three kinds of name are accepted wherever a period is taken:

- built-in, for every year the `holidays` package covers: `tet-YYYY` (Tết Nguyên đán of the lunar
  year that starts in YYYY, so the Tết falling in January or February of YYYY) and
  `new-year-YYYY` (Tết Dương lịch, 1 January). Computed, never stored.
- custom, stored in the `period` table (`tct period add`), e.g. one plan spanning both holidays.
- a literal range `2021-02-01..2021-02-28` or `01/02/2021..28/02/2021`: one phase, "during".

"during" of a built-in period is the holiday's run of official days off, taken only from
tct.daysoff (the `holidays` package), extended over adjoining Saturdays and Sundays; "before"
and "after" are the N days on each side (settings `period.before_days` / `period.after_days`,
default 7). So `tet-2021` is before 3–9 Feb 2021, during 10–16 Feb, after 17–23 Feb, lunar new
year's day 12 Feb. A custom period's "during" is its --from..--to, with its own before/after
days (default 0). A phase of 0 days is left out.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tct.errors import NotFoundError, ValidationError
from tct.i18n import said

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.models import Period

PHASES = ("before", "during", "after")
KINDS = ("tet", "new-year", "custom", "range")
MAX_NAME = 100
MAX_TITLE = 300
MAX_SIDE_DAYS = 366

_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_BUILTIN = re.compile(r"^(?P<kind>tet|new-year)-(?P<year>\d{1,6})$")
_BUILTIN_LOOKALIKE = re.compile(r"^(?:tet|new-year)(?:-|$)")

# The holidays package's en_US names of the anchor days.
_LUNAR_NEW_YEAR = "Lunar New Year"
_NEW_YEARS_DAY = "New Year's Day"

# Can-chi (sexagenary) year names: 10 heavenly stems × 12 earthly branches; 4 CE was Giáp Tý.
_STEMS = ("Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý")
_BRANCHES = ("Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi")

# The forms a range may be typed in, as errors list them (the i18n label of that name)
RANGE_FORMS = "forms_range"


@dataclass(frozen=True)
class Phase:
    """One window of a period: "before", "during" or "after", both ends inclusive."""

    name: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class ResolvedPeriod:
    """A period with its dates worked out. `start`/`end` span all its phases."""

    name: str
    title: str
    kind: str  # "tet" | "new-year" | "custom" | "range"
    start: date
    end: date
    phases: tuple[Phase, ...]
    lunar_new_year: date | None = None

    def phase(self, name: str) -> Phase | None:
        return next((p for p in self.phases if p.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "phases": [p.as_dict() for p in self.phases],
                "kind": self.kind,
                "lunar_new_year": self.lunar_new_year.isoformat() if self.lunar_new_year else None}


def can_chi(year: int) -> str:
    """The Vietnamese name of a lunar year, e.g. 2021 → Tân Sửu, 2024 → Giáp Thìn."""
    return f"{_STEMS[(year - 4) % 10]} {_BRANCHES[(year - 4) % 12]}"


def _shift(day: date, days: int, what: str) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise ValidationError(f"{what} goes beyond the calendar (years 1–9999)") from None


def _phases(during_start: date, during_end: date, before_days: int, after_days: int) -> tuple[Phase, ...]:
    phases = []
    if before_days > 0:
        phases.append(Phase("before", _shift(during_start, -before_days, "the 'before' phase"),
                            _shift(during_start, -1, "the 'before' phase")))
    phases.append(Phase("during", during_start, during_end))
    if after_days > 0:
        phases.append(Phase("after", _shift(during_end, 1, "the 'after' phase"),
                            _shift(during_end, after_days, "the 'after' phase")))
    return tuple(phases)


def _period(name: str, title: str, kind: str, during_start: date, during_end: date, before_days: int,
            after_days: int, lunar_new_year: date | None = None) -> ResolvedPeriod:
    phases = _phases(during_start, during_end, before_days, after_days)
    return ResolvedPeriod(name=name, title=title, kind=kind, start=phases[0].start, end=phases[-1].end,
                          phases=phases, lunar_new_year=lunar_new_year)


# --- built-in periods -----------------------------------------------------------------------

def covered_years() -> range:
    from tct import daysoff

    return daysoff.covered_years()


def _check_year(year: int, name: str) -> None:
    years = covered_years()
    if year not in years:
        raise ValidationError.said_as("err_year_not_covered", name=name, first=years.start, last=years.stop - 1,
                                      year=year)


def _days_off_around(anchor: date) -> tuple[dict[date, str], set[date]]:
    """Official days off, and weekend days made working days, within a month of `anchor`."""
    from tct import daysoff

    years = covered_years()
    start = max(anchor - timedelta(days=31), date(years.start, 1, 1))
    end = min(anchor + timedelta(days=31), date(years.stop - 1, 12, 31))
    return daysoff.official_days_off(start, end, lang="en"), daysoff.weekend_workdays(start, end)


def holiday_run(anchor: date, days_off: Collection[date],
                weekend_workdays: Collection[date] = ()) -> tuple[date, date]:
    """The run of consecutive days off containing `anchor`, extended over adjoining weekends.

    Weekends inside the run join it too, so a holiday that ends on a Friday with a substitute
    day on the Monday is one run. A Saturday or Sunday in `weekend_workdays` (a working day
    swapped for a substitute day off) is not a day off and ends the run.
    """
    from tct.daysoff import is_weekend

    def off(day: date) -> bool:
        return day in days_off or (is_weekend(day) and day not in weekend_workdays)

    start = end = anchor
    while off(start - timedelta(days=1)):
        start -= timedelta(days=1)
    while off(end + timedelta(days=1)):
        end += timedelta(days=1)
    return start, end


def builtin(kind: str, year: int, *, before_days: int = 7, after_days: int = 7) -> ResolvedPeriod:
    """`tet-YYYY` or `new-year-YYYY`, from the official days off of the `holidays` package."""
    name = f"{kind}-{year}"
    _check_year(year, name)
    if kind == "tet":
        days_off, workdays = _days_off_around(date(year, 2, 1))
        anchors = [day for day, label in days_off.items() if label == _LUNAR_NEW_YEAR and day.year == year]
        if not anchors:
            raise NotFoundError.said_as("err_no_lunar_new_year", year=year)
        lunar_new_year = anchors[0]
        start, end = holiday_run(lunar_new_year, days_off, workdays)
        return _period(name, f"Tết Nguyên đán {can_chi(year)} {year}", "tet", start, end, before_days,
                       after_days, lunar_new_year)
    if kind == "new-year":
        anchor = date(year, 1, 1)
        days_off, workdays = _days_off_around(anchor)
        if days_off.get(anchor) != _NEW_YEARS_DAY:
            raise NotFoundError.said_as("err_no_new_years_day", year=year)
        start, end = holiday_run(anchor, days_off, workdays)
        return _period(name, f"Tết Dương lịch {year}", "new-year", start, end, before_days, after_days)
    raise ValueError(f"unknown built-in period kind {kind!r}")


def _side_days(source: Session | Driver) -> tuple[int, int]:
    from tct import settings

    current = settings.load(source)
    return int(current["period.before_days"]), int(current["period.after_days"])


# --- literal ranges -------------------------------------------------------------------------

def parse_range(text: str, *, tz: str = "Asia/Ho_Chi_Minh") -> ResolvedPeriod:
    """`FROM..TO` (ISO or day-first dates, as tct.dates reads them): one "during" phase."""
    from tct.dates import day_text, parse_date

    parts = text.split("..")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise ValidationError.said_as("err_unreadable_range", coded={"forms": "label"}, text=text, forms=RANGE_FORMS)
    start = parse_date(parts[0], tz=tz, label=said("range_start"))
    end = parse_date(parts[1], tz=tz, label=said("range_end"))
    if end < start:
        raise ValidationError.said_as("err_period_range_backwards", text=text.strip())
    return _period(f"{start.isoformat()}..{end.isoformat()}", f"{day_text(start)} – {day_text(end)}", "range",
                   start, end, 0, 0)


# --- custom periods -------------------------------------------------------------------------

def _from_row(row: Period) -> ResolvedPeriod:
    return _period(row.name, row.title, "custom", row.start, row.end, row.before_days, row.after_days)


def _row_dict(row: Period) -> dict[str, Any]:
    return {"name": row.name, "title": row.title, "start": row.start, "end": row.end,
            "before_days": row.before_days, "after_days": row.after_days}


def validate_name(name: str) -> str:
    """A custom period's name: lowercase letters, digits and dashes, not like a built-in name."""
    value = (name or "").strip().lower()
    if not value:
        raise ValidationError.said_as("err_period_name_empty")
    if ".." in value:
        raise ValidationError.said_as("err_period_name_dots", name=value)
    if len(value) > MAX_NAME:
        raise ValidationError.said_as("err_period_name_long", length=len(value), most=MAX_NAME)
    if not _NAME.match(value):
        raise ValidationError.said_as("err_period_name_letters", name=name)
    if _BUILTIN_LOOKALIKE.match(value):
        raise ValidationError.said_as("err_period_name_builtin", name=value)
    return value


def _days(value: int, option: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.said_as("err_days_not_whole", option=option)
    if value < 0 or value > MAX_SIDE_DAYS:
        raise ValidationError.said_as("err_days_out_of_range", option=option, most=MAX_SIDE_DAYS, value=value)
    return value


def _custom(session: Session, name: str) -> Period | None:
    from sqlmodel import col, select

    from tct.models import Period

    return session.exec(select(Period).where(col(Period.name) == name)).first()


def add(session: Session, name: str, *, start: date | str, end: date | str, title: str, before_days: int = 0,
        after_days: int = 0, actor: str) -> ResolvedPeriod:
    """Store a custom period (with an audit event) and return it resolved."""
    from tct import audit, settings
    from tct.dates import day_text, parse_date
    from tct.models import Period
    from tct.text import clean

    clean_name = validate_name(name)
    clean_title = clean(title, label="--title", max_len=MAX_TITLE, required=True)
    assert clean_title is not None
    tz = settings.load(session)["timezone"]
    first = start if isinstance(start, date) else parse_date(start, tz=tz, label="--from")
    last = end if isinstance(end, date) else parse_date(end, tz=tz, label="--to")
    if last < first:
        raise ValidationError.said_as("err_to_before_from", last=day_text(last), first=day_text(first))
    before = _days(before_days, "--before-days")
    after = _days(after_days, "--after-days")
    if _custom(session, clean_name) is not None:
        raise ValidationError.said_as("err_period_exists", name=clean_name)
    resolved = _period(clean_name, clean_title, "custom", first, last, before, after)
    row = Period(name=clean_name, title=clean_title, start=first, end=last, before_days=before, after_days=after)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, entity="period", code=clean_name, action="create", after=_row_dict(row))
    return resolved


def remove(session: Session, name: str, *, actor: str) -> ResolvedPeriod:
    """Delete a custom period (with an audit event holding what it was). Built-in ones are refused."""
    from tct import audit

    key = (name or "").strip().lower()
    if _BUILTIN.match(key):
        raise ValidationError.said_as("err_remove_builtin_period", name=key)
    if ".." in key:
        raise ValidationError.said_as("err_remove_range", name=name.strip())
    row = _custom(session, key)
    if row is None:
        raise NotFoundError.said_as("err_no_custom_period", name=name.strip(), names=_custom_names(session))
    resolved = _from_row(row)
    audit.record(session, actor=actor, entity="period", code=row.name, action="remove", before=_row_dict(row))
    session.delete(row)
    session.flush()
    return resolved


def _custom_names(source: Session | Driver) -> str:
    from tct.db import Driver

    names = [name for name, in Driver.of(source).rows("SELECT name FROM period ORDER BY name")]
    return ", ".join(names) if names else said("no_custom_periods")


def _stored(source: Session | Driver, name: str) -> ResolvedPeriod | None:
    """The custom period of that name, read as plain columns (a report need not load the models)."""
    from tct.db import Driver

    db = Driver.of(source)
    for name_, title, start, end, before_days, after_days in db.rows(
            "SELECT name, title, start, \"end\", before_days, after_days FROM period WHERE name = ?", [name]):
        return _period(name_, title, "custom", db.read_day(start), db.read_day(end), before_days, after_days)
    return None


# --- lookup ---------------------------------------------------------------------------------

def resolve(source: Session | Driver, text: str) -> ResolvedPeriod:
    """The period a typed name means: built-in, custom, or a literal range."""
    from tct import settings
    from tct.text import fold

    raw = (text or "").strip()
    if ".." in raw:
        return parse_range(raw, tz=settings.load(source)["timezone"])
    key = fold(raw).replace(" ", "-")
    match = _BUILTIN.match(key)
    if match:
        before, after = _side_days(source)
        return builtin(match.group("kind"), int(match.group("year")), before_days=before, after_days=after)
    found = _stored(source, key) if key else None
    if found is not None:
        return found
    years = covered_years()
    raise NotFoundError.said_as("err_no_period", coded={"forms": "label"}, name=raw, first=years.start,
                                last=years.stop - 1, names=_custom_names(source), forms=RANGE_FORMS)


def listing(session: Session, year: int) -> list[ResolvedPeriod]:
    """The built-in periods of `year` and the custom ones overlapping it, in date order."""
    from sqlmodel import select

    from tct.models import Period

    _check_year(year, f"--year {year}")
    before, after = _side_days(session)
    found = [builtin("new-year", year, before_days=before, after_days=after),
             builtin("tet", year, before_days=before, after_days=after)]
    first, last = date(year, 1, 1), date(year, 12, 31)
    for row in session.exec(select(Period)).all():
        period = _from_row(row)
        if period.start <= last and period.end >= first:
            found.append(period)
    return sorted(found, key=lambda p: (p.start, p.end, p.name))
