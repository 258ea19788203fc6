import os
import time as systime
from datetime import UTC, date, datetime

import pytest

from tct.dates import local_iso, local_text, parse_date, parse_datetime, to_utc
from tct.errors import ValidationError

NOW = datetime(2021, 2, 10, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["2021-02-10", "10/02/2021", "10-02-2021", "10/2/2021", "10.02.2021"])
def test_day_first_and_iso_forms(typed):
    assert parse_date(typed) == date(2021, 2, 10)


def test_ten_slash_two_is_february_not_october():
    assert parse_date("10/02/2021").month == 2
    assert parse_date("04/02/2021") == date(2021, 2, 4)


@pytest.mark.parametrize("typed,expected", [
    ("today", date(2021, 2, 10)), ("hôm nay", date(2021, 2, 10)), ("hom nay", date(2021, 2, 10)),
    ("yesterday", date(2021, 2, 9)), ("Hôm qua", date(2021, 2, 9)),
])
def test_words(typed, expected):
    assert parse_date(typed, now=NOW) == expected


@pytest.mark.parametrize("typed,expected", [
    ("2021-02-10 08:30", datetime(2021, 2, 10, 8, 30)),
    ("2021-02-10T8:30", datetime(2021, 2, 10, 8, 30)),  # one digit of hour, as the day-first forms take it
    ("2021-02-10 8:30:15", datetime(2021, 2, 10, 8, 30, 15)),
    ("10/2/2021 8:30", datetime(2021, 2, 10, 8, 30)),
    ("10/02/2021 8h30", datetime(2021, 2, 10, 8, 30)),
    ("10/02/2021 8H30", datetime(2021, 2, 10, 8, 30)),  # as 'hôm nay 8H30' is: Caps Lock, or a habit
    ("hôm qua 14:00", datetime(2021, 2, 9, 14, 0)),
])
def test_datetimes_are_wall_clock_in_the_office(typed, expected):
    moment = parse_datetime(typed, now=NOW)
    assert moment.replace(tzinfo=None) == expected
    assert moment.utcoffset().total_seconds() == 7 * 3600


@pytest.mark.parametrize("typed", ["now", "bây giờ", "Bay gio", "hôm nay", "today"])
def test_now_is_the_office_clock_to_the_second(typed):
    """`--at "bây giờ"` (or `"hôm nay"` alone, as the desk says it): this very moment, in office
    time (16:15 in Hanoi for 09:15 UTC), not midnight."""
    moment = parse_datetime(typed, now=NOW.replace(second=42, microsecond=5))
    assert moment.replace(tzinfo=None) == datetime(2021, 2, 10, 16, 15, 42)


def test_another_day_without_a_time_is_its_midnight():
    assert parse_datetime("hôm qua", now=NOW).replace(tzinfo=None) == datetime(2021, 2, 9, 0, 0)
    assert parse_datetime("10/02/2021", now=NOW).replace(tzinfo=None) == datetime(2021, 2, 10, 0, 0)


@pytest.mark.parametrize("typed", ["10-2-21", "10/02/21", "10.2.21"])
def test_a_two_digit_year_is_this_centurys_as_the_desk_writes_it(typed):
    """`10-2-21` was refused ("cannot read"): the desk writes the year short, and means 2021."""
    assert parse_date(typed) == date(2021, 2, 10)
    assert parse_datetime(f"{typed} 8h30", now=NOW).replace(tzinfo=None) == datetime(2021, 2, 10, 8, 30)


@pytest.mark.parametrize("typed,expected", [
    ("8h30", datetime(2021, 2, 10, 8, 30)), ("14g", datetime(2021, 2, 10, 14, 0)),
    ("14:00", datetime(2021, 2, 10, 14, 0)), ("hôm nay 14g", datetime(2021, 2, 10, 14, 0)),
    ("hom qua 14g30", datetime(2021, 2, 9, 14, 30)), ("10/02/2021 14G", datetime(2021, 2, 10, 14, 0)),
])
def test_a_time_alone_or_in_gio_is_today_at_that_time(typed, expected):
    """`--at 8h30` and `--at "hôm nay 14g"` (g for giờ) were refused; they are that time of today."""
    assert parse_datetime(typed, now=NOW).replace(tzinfo=None) == expected


def test_a_time_alone_is_not_a_date_nor_is_a_bare_number_a_moment():
    for typed in ("8h30", "14:00"):
        with pytest.raises(ValidationError):
            parse_date(typed, now=NOW)
    with pytest.raises(ValidationError):
        parse_datetime("14", now=NOW)
    with pytest.raises(ValidationError):
        parse_datetime("25g", now=NOW)


@pytest.mark.parametrize("bad", ["31/02/2021", "2021-13-01", "10/02/123", "abc", "", "25/12/2021 25:00"])
def test_bad_dates_name_the_accepted_forms(bad):
    with pytest.raises(ValidationError) as error:
        parse_datetime(bad)
    assert "DD/MM/YYYY" in error.value.message


@pytest.mark.parametrize("typed", ["hôm nay 25:00", "Hôm qua 8h75", "10/02/2021 25:00"])
def test_an_impossible_time_is_quoted_as_typed(typed):
    """The error quotes what the officer typed, not the folded text the words are matched on."""
    with pytest.raises(ValidationError) as error:
        parse_datetime(typed, now=NOW)
    assert repr(typed) in error.value.message


@pytest.mark.parametrize("typed", ["2021-02-10 24:00", "2021-02-10T24:00:00", "10/02/2021 24:00"])
def test_midnight_typed_as_24_00_is_refused_in_every_form(typed):
    """ISO's end of the day would be the next day's 00:00, a visit logged on the wrong day: the
    ISO form is refused as the day-first one is."""
    with pytest.raises(ValidationError) as error:
        parse_datetime(typed, now=NOW)
    assert repr(typed) in error.value.message


def test_late_evening_belongs_to_its_local_day_whatever_the_machine_tz(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    systime.tzset()
    try:
        moment = parse_datetime("09/02/2021 23:30")
        stored = to_utc(moment)
        assert stored == datetime(2021, 2, 9, 16, 30, tzinfo=UTC)
        assert moment.date() == date(2021, 2, 9)
        assert local_iso(stored) == "2021-02-09T23:30:00+07:00"
        assert local_text(stored) == "09/02/2021 23:30"
    finally:
        monkeypatch.delenv("TZ")
        systime.tzset()
    assert os.environ.get("TZ") is None


def test_iso_with_offset_is_converted_to_office_time():
    assert parse_datetime("2021-02-09T16:30:00Z").replace(tzinfo=None) == datetime(2021, 2, 9, 23, 30)


def test_other_office_time_zone():
    moment = parse_datetime("09/02/2021 23:30", tz="Europe/Paris")
    assert to_utc(moment) == datetime(2021, 2, 9, 22, 30, tzinfo=UTC)


def test_a_time_alone_still_to_come_today_is_refused_at_the_desk():
    """`--at 14g` typed at 11:48 would have been a visit in the future: the desk meant a past day."""
    from datetime import datetime

    from tct.dates import office_tz
    from tct.errors import ValidationError
    from tct.visits import parse_moment

    now = datetime(2021, 2, 10, 11, 48, tzinfo=office_tz("Asia/Ho_Chi_Minh"))
    assert parse_moment("8h30", tz="Asia/Ho_Chi_Minh", now=now) == now.replace(hour=8, minute=30)
    assert parse_moment("11:50", tz="Asia/Ho_Chi_Minh", now=now).hour == 11  # a clock a minute or two off
    with pytest.raises(ValidationError, match="still to come"):
        parse_moment("14g", tz="Asia/Ho_Chi_Minh", now=now)
    assert parse_moment("hôm qua 14g", tz="Asia/Ho_Chi_Minh", now=now).day == 9
    # (at `visit edit`, a time alone is on the visit's own day, which may be any past day; on today's
    # a time still to come is refused as every moment still to come is)
    assert parse_moment("14g", tz="Asia/Ho_Chi_Minh", now=now, on=date(2021, 2, 8)).hour == 14
    with pytest.raises(ValidationError, match="in the future"):
        parse_moment("14g", tz="Asia/Ho_Chi_Minh", now=now, on=now.date())


def test_a_visit_is_never_dated_a_day_not_begun_even_within_the_slack():
    """Five minutes ahead are taken for a desk whose clock is a little fast, but 00:01 typed at
    23:57 would open (and date every step of) a case on a day that has not begun."""
    from datetime import datetime

    from tct.dates import office_tz
    from tct.errors import ValidationError
    from tct.visits import parse_moment

    tz = "Asia/Ho_Chi_Minh"
    now = datetime(2026, 12, 4, 23, 57, tzinfo=office_tz(tz))
    assert parse_moment("04/12/2026 23:59", tz=tz, now=now).minute == 59
    with pytest.raises(ValidationError, match="in the future"):
        parse_moment("05/12/2026 00:01", tz=tz, now=now)
    with pytest.raises(ValidationError, match="in the future"):
        parse_moment("hôm nay 23h", tz=tz, now=datetime(2026, 12, 4, 1, 29, tzinfo=office_tz(tz)))
