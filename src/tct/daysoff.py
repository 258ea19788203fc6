"""Vietnam's official days off, from the `holidays` package (never a hand-written calendar)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tct.errors import ValidationError

if TYPE_CHECKING:
    from holidays import HolidayBase


@lru_cache(maxsize=1)
def _vietnam() -> type[HolidayBase]:
    """The package's Vietnam calendar class, loaded from its own module file.

    `holidays.country_holidays("VN")` (and any `import holidays.countries.vietnam`) first runs
    `holidays/countries/__init__.py`, which imports the calendars of all ~250 countries: 0.12 s of
    every report's 0.2 s of holiday work. The Vietnam module needs none of them. Should the package
    ever lay its files out differently, the ordinary lookup is used.
    """
    import holidays

    try:
        name = "holidays.countries.vietnam"
        module = sys.modules.get(name)
        if module is None:
            path = Path(holidays.__file__).parent / "countries" / "vietnam.py"
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(name)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # as an import would: one module object for everyone after
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
        calendar = module.Vietnam
        if not issubclass(calendar, holidays.HolidayBase):
            raise ImportError(name)
        return calendar  # type: ignore[no-any-return]
    except (ImportError, OSError, AttributeError, SyntaxError):
        return type(holidays.country_holidays("VN"))


@lru_cache(maxsize=64)
def _year(year: int, language: str) -> dict[date, str]:
    calendar = _vietnam()(years=year, language=language)
    return dict(calendar.items())


@lru_cache(maxsize=64)
def _workdays(year: int) -> frozenset[date]:
    calendar = _vietnam()(years=year)
    return frozenset(day for day in getattr(calendar, "weekend_workdays", ()) if day.year == year)


@lru_cache(maxsize=1)
def covered_years() -> range:
    """The years the holiday calendar knows (cached: building the calendar costs ~0.5 ms a call)."""
    vn = _vietnam()()
    return range(vn.start_year, vn.end_year + 1)


def official_days_off(start: date, end: date, *, lang: str = "en") -> dict[date, str]:
    """Public holidays (and their substitute days) between start and end inclusive, with names."""
    language = "vi" if lang == "vi" else "en_US"
    years = covered_years()
    result: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        if year not in years:
            raise ValidationError.said_as("err_calendar_years", first=years.start, last=years.stop - 1, year=year)
        result.update({day: name for day, name in _year(year, language).items() if start <= day <= end})
    return dict(sorted(result.items()))


def weekend_workdays(start: date, end: date) -> set[date]:
    """Saturdays and Sundays that were working days, swapped for a day off elsewhere (e.g. 14 Feb 2015)."""
    return {day for year in range(start.year, end.year + 1) for day in _workdays(year) if start <= day <= end}


def is_working_day(day: date) -> bool:
    """A day the office is open: not an official day off, and not a weekend unless it was made a
    working day. Each year's calendar is built once: a denunciation's deadline counts working days
    one by one, for every case of a report's backlog."""
    off, workdays = _office_year(day.year)
    return day not in off and (not is_weekend(day) or day in workdays)


@lru_cache(maxsize=64)
def _office_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    years = covered_years()
    if year not in years:
        raise ValidationError.said_as("err_calendar_years", first=years.start, last=years.stop - 1, year=year)
    return frozenset(_year(year, "en_US")), _workdays(year)


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5

