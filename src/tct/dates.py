"""Dates as the desk types them, and times in the office's time zone.

Accepted input (one parser for the whole program):
  ISO         2021-02-10   2021-02-10 08:30   2021-02-10T08:30:00+07:00
  day-first   10/02/2021   10-02-2021   10.2.2021   10-2-21 (20YY)   10/2/2021 8:30   10/2/2021 8h30   10/2/2021 14g
  a time      8h30, 14g, 14:00 alone: that time today (where a moment is asked)
  words       today, yesterday, now, hôm nay, hôm qua, bây giờ (optionally followed by a time;
              a moment typed `today`/`hôm nay` alone is now, as the desk means it)
`10/02/2021` is always 10 February. Wall-clock times are in the office time zone
(setting `timezone`, default Asia/Ho_Chi_Minh), whatever the machine's TZ is.
Timestamps are aware UTC datetimes (SQLModel stores them as UTC); a visit also stores its local
date, so reports bucket by day with a plain indexed column on every database.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tct.errors import ValidationError
from tct.text import fold

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

# The forms a date or a moment may be typed in, as errors list them (the i18n labels of that name)
ACCEPTED_FORMS = "forms_date"
ACCEPTED_DATETIME_FORMS = "forms_datetime"

# 8:30, 8h30, 8h, 14g (giờ), 14g30, 14:05:10
_TIME = r"(?P<h>\d{1,2})(?:[:hHgG](?P<m>\d{2})?)?(?::(?P<s>\d{2}))?"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_ONE_DIGIT_HOUR = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ])(\d:)")
_DAY_FIRST = re.compile(r"^(?P<d>\d{1,2})(?P<sep>[/.-])(?P<mo>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?:\s+" + _TIME
                        + r")?$")
_WORD = re.compile(r"^(?P<word>[a-z ]+?)(?:\s+" + _TIME + r")?$")
# A moment typed as a time alone (8h30, 14g, 14:00: today at that time, as the desk says it); a bare
# number is not one (an hour or a day?).
_TIME_ALONE = re.compile(r"^(?P<h>\d{1,2})(?:[:hHgG](?P<m>\d{2})?)(?::(?P<s>\d{2}))?$")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
_WORDS = {"today": 0, "hom nay": 0, "now": 0, "bay gio": 0, "yesterday": -1, "hom qua": -1}
# The words that, without a time, mean this moment (a visit `--at "hôm nay"` is one being received now).
_NOW_WORDS = {"now", "bay gio", "today", "hom nay"}


@lru_cache(maxsize=8)
def office_tz(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError.said_as("err_unknown_time_zone", name=name) from exc


def now_local(tz: str = DEFAULT_TIMEZONE) -> datetime:
    return datetime.now(office_tz(tz))


def today_local(tz: str = DEFAULT_TIMEZONE) -> date:
    return now_local(tz).date()


def _time_of(match: re.Match[str], label: str, forms: str, raw: str) -> time | None:
    if match.group("h") is None:
        return None
    try:
        return time(int(match.group("h")), int(match.group("m") or 0), int(match.group("s") or 0))
    except ValueError as exc:
        raise ValidationError.said_as("err_impossible_time", coded={"forms": "label"}, label=label,
                                      text=raw, forms=forms) from exc


def _parse(text: str, *, tz: str, now: datetime | None, label: str, forms: str,
           on: date | None = None) -> tuple[date, time | None]:
    from dateutil import parser as du_parser

    raw = (text or "").strip()
    if not raw:
        raise ValidationError.said_as("err_date_empty", coded={"forms": "label"}, label=label, forms=forms)
    zone = office_tz(tz)
    if _ISO.match(raw):
        if raw[11:13] == "24":  # ISO's end of the day, which isoparse makes the next day's 00:00: refused
            raise ValidationError.said_as("err_impossible_time", coded={"forms": "label"}, label=label,
                                          text=raw, forms=forms)  # as 10/02/2021 24:00 is
        try:  # (isoparse wants two digits of hour: 2021-02-10T8:30 is 08:30, as 10/02/2021 8:30 is)
            parsed = du_parser.isoparse(_ONE_DIGIT_HOUR.sub(r"\g<1>0\g<2>", raw))
        except ValueError as exc:
            raise ValidationError.said_as("err_not_real_date", coded={"forms": "label"}, label=label, raw=raw,
                                          forms=forms) from exc
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(zone).replace(tzinfo=None)
        has_time = len(raw) > 10
        return parsed.date(), (parsed.time() if has_time else None)
    match = _DAY_FIRST.match(raw)
    if match:
        year = int(match.group("y"))
        if len(match.group("y")) == 2:  # 10-2-21, as the desk writes it: this century's year
            year += 2000
        try:  # the shape is checked above, so the parts are exactly day, month, year
            day = date(year, int(match.group("mo")), int(match.group("d")))
        except ValueError as exc:
            raise ValidationError.said_as("err_not_real_date", coded={"forms": "label"}, label=label, raw=raw,
                                          forms=forms) from exc
        return day, _time_of(match, label, forms, raw)
    match = _TIME_ALONE.match(raw)
    if match and forms == ACCEPTED_DATETIME_FORMS:
        return on or (now or datetime.now(zone)).astimezone(zone).date(), _time_of(match, label, forms, raw)
    match = _WORD.match(fold(raw))
    if match and match.group("word").strip() in _WORDS:
        word = match.group("word").strip()
        current = (now or datetime.now(zone)).astimezone(zone)
        day = current.date() + timedelta(days=_WORDS[word])
        at = _time_of(match, label, forms, raw)
        if at is None and word in _NOW_WORDS:
            at = current.time().replace(microsecond=0)
        return day, at
    raise ValidationError.said_as("err_unreadable_date", coded={"forms": "label"}, label=label, raw=raw, forms=forms)


def _bounded(day: date, raw: str, label: str) -> date:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValidationError.said_as("err_outside_years", label=label, raw=raw, first=EARLIEST_YEAR,
                                      last=LATEST_YEAR)
    return day


def is_time_alone(text: str) -> bool:
    """A moment typed as a time without its day (8h30, 14g): the desk's today, a file's nothing."""
    return bool(_TIME_ALONE.match(text.strip()))


def parse_date(text: str, *, tz: str = DEFAULT_TIMEZONE, now: datetime | None = None, label: str = "date") -> date:
    """A calendar date typed by the user (a time, if given, is ignored)."""
    day, _ = _parse(text, tz=tz, now=now, label=label, forms=ACCEPTED_FORMS)
    return _bounded(day, text, label)


def parse_datetime(text: str, *, tz: str = DEFAULT_TIMEZONE, now: datetime | None = None,
                   label: str = "date and time", on: date | None = None) -> datetime:
    """A wall-clock moment in the office time zone, returned aware. A bare date means 00:00 (a
    paper record's visit whose hour nobody wrote down), but today alone means now. A time alone is
    that time on the day `on` (a visit's own, when its hour is corrected), else today."""
    day, at = _parse(text, tz=tz, now=now, label=label, forms=ACCEPTED_DATETIME_FORMS, on=on)
    _bounded(day, text, label)
    return datetime.combine(day, at or time(0, 0), tzinfo=office_tz(tz))


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is required")
    return moment.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_local(stored: datetime, tz: str = DEFAULT_TIMEZONE) -> datetime:
    """A stored timestamp in the office time zone (naive values are read as UTC)."""
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=UTC)
    return stored.astimezone(office_tz(tz))


def local_iso(stored: datetime | None, tz: str = DEFAULT_TIMEZONE) -> str | None:
    """A stored timestamp as ISO 8601 with the office offset, e.g. 2021-02-09T23:30:00+07:00."""
    if stored is None:
        return None
    return to_local(stored, tz).isoformat()


def local_text(stored: datetime | None, tz: str = DEFAULT_TIMEZONE) -> str:
    """A stored timestamp as the desk reads it: 09/02/2021 23:30."""
    if stored is None:
        return ""
    return to_local(stored, tz).strftime("%d/%m/%Y %H:%M")


def iso_text(iso: str) -> str:
    """An ISO 8601 time that already carries the office offset (as tct prints them), as the desk
    reads it: 09/02/2021 23:30; anything else as it is."""
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def day_text(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
