"""Holiday periods: built-in tet-YYYY / new-year-YYYY from the holidays package, custom periods,
literal FROM..TO ranges, and the errors for everything else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import assert_one_line_error
from tct.errors import NotFoundError
from tct.periods import Phase, ResolvedPeriod

TET_2021 = {
    "name": "tet-2021",
    "title": "Tết Nguyên đán Tân Sửu 2021",
    "start": "2021-02-03",
    "end": "2021-02-23",
    "phases": [{"name": "before", "start": "2021-02-03", "end": "2021-02-09"},
               {"name": "during", "start": "2021-02-10", "end": "2021-02-16"},
               {"name": "after", "start": "2021-02-17", "end": "2021-02-23"}],
    "kind": "tet",
    "lunar_new_year": "2021-02-12",
}
NEW_YEAR_2021 = {
    "name": "new-year-2021",
    "title": "Tết Dương lịch 2021",
    "start": "2020-12-25",
    "end": "2021-01-10",
    "phases": [{"name": "before", "start": "2020-12-25", "end": "2020-12-31"},
               {"name": "during", "start": "2021-01-01", "end": "2021-01-03"},
               {"name": "after", "start": "2021-01-04", "end": "2021-01-10"}],
    "kind": "new-year",
    "lunar_new_year": None,
}
PERIOD_KEYS = {"name", "title", "start", "end", "phases", "kind", "lunar_new_year"}


def _written(tct, database) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    """What the register holds that a period command could have written: audit events, period rows."""
    from sqlmodel import select

    from tct.db import read_session
    from tct.models import Period

    with read_session(database) as session:
        rows = [(p.name, p.start, p.end) for p in session.exec(select(Period)).all()]
    return tct("log", "-f", "json").json(), rows


# --- built-in periods ---------------------------------------------------------------------------

def test_tet_and_new_year_2021_through_the_cli(tct):
    assert tct("period", "show", "tet-2021", "-f", "json").json() == TET_2021
    assert tct("period", "show", "new-year-2021", "-f", "json").json() == NEW_YEAR_2021


def test_tet_2021_through_the_library(database):
    from tct import periods
    from tct.db import read_session

    with read_session(database) as session:
        tet = periods.resolve(session, "tet-2021")
    assert tet == ResolvedPeriod(
        name="tet-2021", title="Tết Nguyên đán Tân Sửu 2021", kind="tet",
        start=date(2021, 2, 3), end=date(2021, 2, 23),
        phases=(Phase("before", date(2021, 2, 3), date(2021, 2, 9)),
                Phase("during", date(2021, 2, 10), date(2021, 2, 16)),
                Phase("after", date(2021, 2, 17), date(2021, 2, 23))),
        lunar_new_year=date(2021, 2, 12))
    assert tet.as_dict() == TET_2021


def _vn_calendar(year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays("VN", years=[year - 1, year, year + 1], language="en_US").items())


def _assert_holiday_run(period: ResolvedPeriod, holiday_days: list[date], calendar: dict[date, str]) -> None:
    """`during` covers the holiday, is made only of days off and weekends, and is bounded by working days."""
    during = period.phases[1]
    assert during.name == "during"
    assert during.start <= min(holiday_days) and max(holiday_days) <= during.end
    day = during.start
    while day <= during.end:
        assert day in calendar or day.weekday() >= 5, day
        day += timedelta(days=1)
    for edge in (during.start - timedelta(days=1), during.end + timedelta(days=1)):
        assert edge not in calendar and edge.weekday() < 5, edge
    assert period.phases[0] == Phase("before", during.start - timedelta(days=7), during.start - timedelta(days=1))
    assert period.phases[2] == Phase("after", during.end + timedelta(days=1), during.end + timedelta(days=7))
    assert (period.start, period.end) == (period.phases[0].start, period.phases[2].end)


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025, 2026])
def test_tet_of_other_years_follows_the_holidays_package(tct, year):
    calendar = _vn_calendar(year)
    lunar_new_year = next(day for day, name in calendar.items() if name == "Lunar New Year" and day.year == year)
    tet_days = [day for day, name in calendar.items() if "Lunar New Year" in name and day.year == year]
    data = tct("period", "show", f"tet-{year}", "-f", "json").json()
    assert data["lunar_new_year"] == lunar_new_year.isoformat()
    period = ResolvedPeriod(name=data["name"], title=data["title"], kind=data["kind"],
                            start=date.fromisoformat(data["start"]), end=date.fromisoformat(data["end"]),
                            phases=tuple(Phase(p["name"], date.fromisoformat(p["start"]),
                                               date.fromisoformat(p["end"])) for p in data["phases"]),
                            lunar_new_year=lunar_new_year)
    _assert_holiday_run(period, tet_days, calendar)
    assert data["kind"] == "tet" and data["name"] == f"tet-{year}"


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025, 2026])
def test_new_year_of_other_years_follows_the_holidays_package(database, year):
    from tct import periods
    from tct.db import read_session

    calendar = _vn_calendar(year)
    with read_session(database) as session:
        period = periods.resolve(session, f"new-year-{year}")
    assert period.title == f"Tết Dương lịch {year}" and period.lunar_new_year is None
    _assert_holiday_run(period, [date(year, 1, 1)], calendar)


def test_new_year_2023_starts_on_the_saturday_before(database):
    # 1 January 2023 was a Sunday, observed on Monday 2 January; Saturday 31 December adjoins it.
    from tct import periods
    from tct.db import read_session

    with read_session(database) as session:
        during = periods.resolve(session, "new-year-2023").phase("during")
    assert during == Phase("during", date(2022, 12, 31), date(2023, 1, 2))


def test_can_chi_names_of_years():
    from tct.periods import can_chi

    assert can_chi(2021) == "Tân Sửu"
    assert can_chi(2024) == "Giáp Thìn"
    assert can_chi(2025) == "Ất Tỵ"
    assert can_chi(1984) == "Giáp Tý"
    assert can_chi(2026) == "Bính Ngọ"


def test_before_and_after_days_come_from_the_settings(tct):
    assert tct("config", "set", "period.before_days", "3").exit_code == 0
    assert tct("config", "set", "period.after_days", "0").exit_code == 0
    data = tct("period", "show", "tet-2021", "-f", "json").json()
    assert data["phases"] == [{"name": "before", "start": "2021-02-07", "end": "2021-02-09"},
                              {"name": "during", "start": "2021-02-10", "end": "2021-02-16"}]
    assert (data["start"], data["end"]) == ("2021-02-07", "2021-02-16")


def test_a_weekend_working_day_ends_the_run():
    from tct.periods import holiday_run

    # Monday 16 February 2015 off, in exchange for working on Saturday 14 February.
    days_off = {date(2015, 2, 16), date(2015, 2, 17)}
    assert holiday_run(date(2015, 2, 16), days_off) == (date(2015, 2, 14), date(2015, 2, 17))
    assert holiday_run(date(2015, 2, 16), days_off, {date(2015, 2, 14)}) == (date(2015, 2, 15), date(2015, 2, 17))


def test_names_are_read_without_case_or_accents(tct):
    assert tct("period", "show", "TẾT-2021", "-f", "json").json() == TET_2021
    assert tct("period", "show", "new year 2021", "-f", "json").json() == NEW_YEAR_2021


# --- output -------------------------------------------------------------------------------------

def test_show_table_and_languages(tct):
    run = tct("period", "show", "tet-2021")
    assert run.exit_code == 0, run.stderr
    assert "Tết Nguyên đán Tân Sửu 2021" in run.stdout
    for text in ("before", "03/02/2021", "09/02/2021", "during", "10/02/2021", "16/02/2021", "after",
                 "23/02/2021", "lunar new year's day", "12/02/2021"):
        assert text in run.stdout, text
    vi = tct("--lang", "vi", "period", "show", "tet-2021", "-f", "md").stdout
    assert "## Tết Nguyên đán Tân Sửu 2021 (tet-2021)" in vi
    assert "| trước | 03/02/2021 | 09/02/2021 | 7 |" in vi
    assert "| mùng một Tết | 12/02/2021 |" in vi


def test_show_csv_phases_read_back_as_ranges(tct):
    import csv
    import io

    rows = dict(csv.reader(io.StringIO(tct("period", "show", "tet-2021", "-f", "csv").stdout)))
    assert rows["during"] == "2021-02-10..2021-02-16"
    assert rows["lunar_new_year"] == "2021-02-12"
    again = tct("period", "show", rows["during"], "-f", "json").json()
    assert again["phases"] == [{"name": "during", "start": "2021-02-10", "end": "2021-02-16"}]


def test_list_of_a_year_in_every_format(tct):
    data = tct("period", "list", "--year", "2021", "-f", "json").json()
    assert [p["name"] for p in data] == ["new-year-2021", "tet-2021"]
    assert data == [NEW_YEAR_2021, TET_2021]
    assert all(set(p) == PERIOD_KEYS for p in data)
    csv_text = tct("period", "list", "--year", "2021", "-f", "csv").stdout.splitlines()
    assert csv_text[0] == "name,title,kind,start,end,during"
    assert csv_text[2] == "tet-2021,Tết Nguyên đán Tân Sửu 2021,tet,2021-02-03,2021-02-23,2021-02-10..2021-02-16"
    md = tct("--lang", "vi", "period", "list", "--year", "2021", "-f", "md").stdout
    assert "## Các đợt năm 2021" in md and "10/02/2021 – 16/02/2021" in md
    table = tct("period", "list", "--year", "2021")
    assert table.exit_code == 0 and "tet-2021" in table.stdout


def test_list_defaults_to_this_year_in_the_office_time_zone(tct):
    from tct.dates import today_local

    year = today_local().year
    names = [p["name"] for p in tct("period", "list", "-f", "json").json()]
    assert names == [f"new-year-{year}", f"tet-{year}"]


# --- custom periods -----------------------------------------------------------------------------

def test_custom_period_add_list_show_remove_with_audit(tct):
    run = tct("period", "add", "plan-02-2021", "--from", "25/12/2020", "--to", "2021-02-28",
              "--before-days", "3", "--after-days", "5", "--title", "Kế hoạch 02/KH-STTTT")
    assert run.exit_code == 0, run.stderr
    assert "plan-02-2021" in run.stderr and run.stdout == ""
    shown = tct("period", "show", "plan-02-2021", "-f", "json").json()
    assert shown == {"name": "plan-02-2021", "title": "Kế hoạch 02/KH-STTTT", "start": "2020-12-22",
                     "end": "2021-03-05", "kind": "custom", "lunar_new_year": None,
                     "phases": [{"name": "before", "start": "2020-12-22", "end": "2020-12-24"},
                                {"name": "during", "start": "2020-12-25", "end": "2021-02-28"},
                                {"name": "after", "start": "2021-03-01", "end": "2021-03-05"}]}
    # It overlaps 2020 and 2021, not 2022; listed in date order among the built-in periods.
    assert [p["name"] for p in tct("period", "list", "--year", "2021", "-f", "json").json()] == \
        ["plan-02-2021", "new-year-2021", "tet-2021"]
    assert "plan-02-2021" in [p["name"] for p in tct("period", "list", "--year", "2020", "-f", "json").json()]
    assert "plan-02-2021" not in [p["name"] for p in tct("period", "list", "--year", "2022", "-f", "json").json()]

    run = tct("period", "remove", "plan-02-2021")
    assert run.exit_code == 0, run.stderr
    assert_one_line_error(tct("period", "show", "plan-02-2021"), 1, "no period named")
    events = tct("log", "-f", "json").json()
    assert [(e["entity"], e["code"], e["action"], e["actor"]) for e in events] == [
        ("period", "plan-02-2021", "create", "tester"), ("period", "plan-02-2021", "remove", "tester")]
    what = {"name": "plan-02-2021", "title": "Kế hoạch 02/KH-STTTT", "start": "2020-12-25", "end": "2021-02-28",
            "before_days": 3, "after_days": 5}
    assert events[0]["changes"]["after"] == what
    assert events[1]["changes"]["before"] == what


def test_custom_period_without_side_days_has_only_during(tct):
    run = tct("period", "add", "dot-kiem-tra", "--from", "1/3/2021", "--to", "31/3/2021", "--title", "Đợt kiểm tra",
              "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["phases"] == [{"name": "during", "start": "2021-03-01", "end": "2021-03-31"}]
    assert tct("period", "show", "dot-kiem-tra", "-f", "json").json() == run.json()


def test_custom_period_through_the_library(database):
    from tct import periods
    from tct.db import read_session, write_session

    with write_session(database) as session:
        added = periods.add(session, "plan", start=date(2021, 1, 1), end=date(2021, 1, 31), title="Plan",
                            after_days=2, actor="t")
    assert added.phases == (Phase("during", date(2021, 1, 1), date(2021, 1, 31)),
                            Phase("after", date(2021, 2, 1), date(2021, 2, 2)))
    with read_session(database) as session:
        assert periods.resolve(session, "plan") == added
        assert [p.name for p in periods.listing(session, 2021)] == ["new-year-2021", "plan", "tet-2021"]
    with write_session(database) as session:
        assert periods.remove(session, "plan", actor="t") == added
    with read_session(database) as session, pytest.raises(NotFoundError):
        periods.resolve(session, "plan")


def test_library_functions_never_print(database, capsys):
    from tct import periods
    from tct.db import read_session, write_session

    with write_session(database) as session:
        periods.add(session, "quiet", start="01/02/2021", end="02/02/2021", title="Q", actor="t")
    with read_session(database) as session:
        periods.resolve(session, "tet-2021")
        periods.resolve(session, "01/02/2021..28/02/2021")
        periods.listing(session, 2021)
    assert capsys.readouterr() == ("", "")


# --- literal ranges -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2021-02-01..2021-02-28", "01/02/2021..28/02/2021", "1/2/2021 .. 28.02.2021"])
def test_literal_ranges_are_one_during_phase(tct, text):
    data = tct("period", "show", text, "-f", "json").json()
    assert data == {"name": "2021-02-01..2021-02-28", "title": "01/02/2021 – 28/02/2021", "kind": "range",
                    "start": "2021-02-01", "end": "2021-02-28", "lunar_new_year": None,
                    "phases": [{"name": "during", "start": "2021-02-01", "end": "2021-02-28"}]}


def test_literal_range_through_the_library(database):
    from tct import periods
    from tct.db import read_session

    with read_session(database) as session:
        one_day = periods.resolve(session, "10/02/2021..10/02/2021")
    assert one_day.kind == "range"
    assert one_day.phases == (Phase("during", date(2021, 2, 10), date(2021, 2, 10)),)


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "fragment"), [
    (["show", "xyz"], "no period named 'xyz'"),
    (["show", "tet-1800"], "1901–2100"),
    (["show", "new-year-2101"], "1901–2100"),
    (["list", "--year", "1800"], "1901–2100"),
    (["show", "2021-02-28..2021-02-01"], "ends before it starts"),
    (["show", "2021-02-30..2021-03-01"], "not a real date"),
    (["show", "2021-02-01..2021-02-10..2021-02-20"], "FROM..TO"),
    (["show", "2021-02-01.."], "FROM..TO"),
    (["remove", "tet-2021"], "built-in"),
    (["remove", "new-year-2021"], "built-in"),
    (["remove", "nothing-here"], "no custom period"),
    (["remove", "2021-02-01..2021-02-28"], "range"),
    (["add", "p", "--from", "2021-02-10", "--to", "2021-02-01", "--title", "T"], "before --from"),
    (["add", "p", "--from", "10/02/2021", "--to", "01/02/2021", "--title", "T"], "--to 01/02/2021 is before --from "
                                                                                   "10/02/2021"),
    (["add", "p", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "T", "--before-days", "-1"],
     "--before-days"),
    (["add", "p", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "T", "--after-days", "-3"],
     "--after-days"),
    (["add", "p", "--from", "hôm kia", "--to", "2021-02-10", "--title", "T"], "--from"),
    (["add", "p", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "  "], "--title"),
    (["add", "tet-plan", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "T"], "built-in"),
    (["add", "new-year-2030", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "T"], "built-in"),
    (["add", "a..b", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "T"], ".."),
    (["add", "kế-hoạch", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "T"], "lowercase"),
    (["add", "plan_2021", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "T"], "lowercase"),
    (["add", "-plan", "--from", "2021-02-01", "--to", "2021-02-10", "--title", "T"], None),
])
def test_bad_input_is_one_line_exit_1_and_writes_nothing(tct, database, args, fragment):
    assert tct("period", "add", "kept", "--from", "2021-01-01", "--to", "2021-01-02", "--title", "K").exit_code == 0
    before = _written(tct, database)
    run = tct("period", *args)
    if fragment is None:  # a name starting with '-' is read as an unknown option: a usage error
        assert_one_line_error(run, 2)
    else:
        assert_one_line_error(run, 1, fragment)
    assert _written(tct, database) == before


_ADD = ["--from", "2021-02-01", "--to", "2021-02-10", "--title", "T"]


@pytest.mark.parametrize(("args", "vietnamese", "english"), [
    (["show", "xyz"],
     "không có đợt nào tên 'xyz'; hãy dùng tet-YYYY hoặc new-year-YYYY (1901–2100), một đợt tự đặt (kept) hoặc "
     "khoảng ngày dạng TỪ..ĐẾN, ví dụ 01/02/2021..28/02/2021 hoặc 2021-02-01..2021-02-28",
     "no period named 'xyz'; use tet-YYYY or new-year-YYYY (1901–2100), a custom period (kept), or a range "
     "FROM..TO such as 2021-02-01..2021-02-28 or 01/02/2021..28/02/2021"),
    (["show", "tet-1800"], "tet-1800: lịch nghỉ lễ chỉ có các năm 1901–2100, không có năm 1800",
     "tet-1800: the holiday calendar covers 1901–2100, not 1800"),
    (["list", "--year", "1800"], "--year 1800: lịch nghỉ lễ chỉ có các năm 1901–2100, không có năm 1800",
     "--year 1800: the holiday calendar covers 1901–2100, not 1800"),
    (["show", "2021-02-01.."],
     "không hiểu '2021-02-01..' là khoảng ngày nào; hãy dùng khoảng ngày dạng TỪ..ĐẾN, ví dụ "
     "01/02/2021..28/02/2021 hoặc 2021-02-01..2021-02-28",
     "cannot read '2021-02-01..' as a period range; use a range FROM..TO such as 2021-02-01..2021-02-28 or "
     "01/02/2021..28/02/2021"),
    (["show", "01/02/2021..30/02/2021"],
     "ngày cuối của khoảng: '30/02/2021' không phải là ngày có thật; hãy dùng DD/MM/YYYY, DD-MM-YYYY, DD/MM/YY, "
     "YYYY-MM-DD, 'hôm nay', 'hôm qua', 'today', 'yesterday'",
     "end of the range: '30/02/2021' is not a real date; use YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, 'today', "
     "'yesterday', 'hôm nay', 'hôm qua'"),
    (["remove", "tet-2021"], "tet-2021 là đợt có sẵn, không xóa được; chỉ xóa được đợt tự đặt",
     "tet-2021 is a built-in period and cannot be removed; only custom periods can"),
    (["remove", "2021-02-01..2021-02-28"],
     "'2021-02-01..2021-02-28' là khoảng ngày, không phải đợt đã lưu; không có gì để xóa",
     "'2021-02-01..2021-02-28' is a date range, not a stored period; nothing to remove"),
    (["remove", "nothing-here"], "không có đợt tự đặt nào tên 'nothing-here'; các đợt tự đặt: kept",
     "no custom period named 'nothing-here'; custom periods: kept"),
    (["add", " ", *_ADD], "đợt cần có tên, ví dụ plan-tet-2021", "a period needs a name, e.g. plan-tet-2021"),
    (["add", "a..b", *_ADD], "tên đợt 'a..b' không được chứa '..' (dấu này dùng để viết khoảng ngày)",
     "period name 'a..b' may not contain '..' (that is how ranges are written)"),
    (["add", "p" * 101, *_ADD], "tên đợt quá dài (101 ký tự, tối đa 100)",
     "period name is too long (101 characters, at most 100)"),
    (["add", "kế-hoạch", *_ADD],
     "tên đợt 'kế-hoạch' chỉ được gồm chữ thường không dấu a–z, chữ số và dấu gạch ngang, ví dụ plan-tet-2021",
     "period name 'kế-hoạch' may only have lowercase letters a–z, digits and dashes, e.g. plan-tet-2021"),
    (["add", "tet-plan", *_ADD],
     "tên đợt 'tet-plan' dễ nhầm với đợt có sẵn (tet-YYYY, new-year-YYYY); hãy chọn tên khác, ví dụ plan-tet-2021",
     "period name 'tet-plan' looks like a built-in one (tet-YYYY, new-year-YYYY); choose another, "
     "e.g. plan-tet-2021"),
    (["add", "p", *_ADD, "--after-days", "400"], "--after-days phải từ 0 đến 366 ngày, không phải 400",
     "--after-days must be between 0 and 366 days, not 400"),
    (["add", "kept", *_ADD], "đã có đợt tên 'kept'; xem bằng `tct period show kept`",
     "a period named 'kept' already exists; `tct period show kept`"),
])
def test_period_errors_are_said_in_vietnamese(tct, database, args, vietnamese, english):
    """The library's period errors read in the desk's language, and still write nothing."""
    assert tct("period", "add", "kept", "--from", "2021-01-01", "--to", "2021-01-02", "--title", "K").exit_code == 0
    before = _written(tct, database)
    run = tct("--lang", "vi", "period", *args)
    assert run.exit_code == 1, run.stderr
    assert run.stderr.splitlines() == [f"Lỗi: {vietnamese}"]
    run = tct("period", *args)
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Error: {english}"]
    assert _written(tct, database) == before


def test_no_custom_period_yet_is_said_in_vietnamese(tct):
    run = tct("--lang", "vi", "period", "remove", "plan")
    assert run.exit_code == 1
    assert run.stderr.splitlines() == ["Lỗi: không có đợt tự đặt nào tên 'plan'; các đợt tự đặt: chưa có "
                                       "(tct period add)"]
    assert "custom periods: none yet (tct period add)" in tct("period", "remove", "plan").stderr


def test_duplicate_name_is_refused_and_nothing_written(tct, database):
    assert tct("period", "add", "plan", "--from", "2021-01-01", "--to", "2021-01-02", "--title", "A").exit_code == 0
    before = _written(tct, database)
    assert_one_line_error(tct("period", "add", "plan", "--from", "2021-03-01", "--to", "2021-03-02",
                              "--title", "B"), 1, "already exists")
    assert_one_line_error(tct("period", "add", "PLAN", "--from", "2021-03-01", "--to", "2021-03-02",
                              "--title", "B"), 1, "already exists")
    assert _written(tct, database) == before
    assert tct("period", "show", "plan", "-f", "json").json()["title"] == "A"


def test_unknown_period_lists_what_exists(tct):
    assert tct("period", "add", "plan-a", "--from", "2021-01-01", "--to", "2021-01-02", "--title", "A").exit_code == 0
    assert_one_line_error(tct("period", "show", "tet2021"), 1, "tet-YYYY", "new-year-YYYY", "plan-a",
                          "2021-02-01..2021-02-28", "01/02/2021..28/02/2021")


def test_missing_title_is_a_usage_error(tct, database):
    assert_one_line_error(tct("period", "add", "p", "--from", "2021-01-01", "--to", "2021-01-02"), 2, "--title")
    assert _written(tct, database) == ([], [])


def test_tet_2015_stops_at_the_saturday_that_was_a_working_day(database):
    """14 Feb 2015 was worked in exchange for a day off: the holiday starts on Sunday the 15th."""
    from tct.periods import builtin

    during = builtin("tet", 2015).phase("during")
    assert (during.start, during.end) == (date(2015, 2, 15), date(2015, 2, 23))


def test_the_calendar_is_the_packages_own_without_every_other_country() -> None:
    """daysoff loads the Vietnam calendar from its module file (the package's lookup first imports
    ~250 countries: a tenth of a second of every report); the days off must be the lookup's."""
    import subprocess
    import sys

    import holidays

    from tct import daysoff

    for language in ("en_US", "vi"):
        official = dict(holidays.country_holidays("VN", years=range(1990, 2041), language=language).items())
        ours = {day: name for year in range(1990, 2041) for day, name in daysoff._year(year, language).items()}
        assert ours == official
    lookup = holidays.country_holidays("VN", years=2015)
    swapped = {day for day in lookup.weekend_workdays if day.year == 2015}
    assert daysoff.weekend_workdays(date(2015, 1, 1), date(2015, 12, 31)) == swapped
    assert daysoff.covered_years() == range(lookup.start_year, lookup.end_year + 1)

    probe = ("import sys\nfrom tct import periods\nperiods.builtin('tet', 2021)\n"
             "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['holidays.countries.vietnam']"


def test_the_calendar_falls_back_to_the_packages_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    import holidays

    from tct import daysoff

    monkeypatch.setattr(holidays, "__file__", "/nonexistent/holidays/__init__.py")
    monkeypatch.delitem(__import__("sys").modules, "holidays.countries.vietnam", raising=False)
    daysoff._vietnam.cache_clear()
    try:
        assert daysoff._vietnam()(years=2021).get(date(2021, 2, 12)) is not None
    finally:
        daysoff._vietnam.cache_clear()


def test_period_list_and_add_say_the_during_phase_plainly_in_vietnamese(tct):
    """`period list` headed its last column "trong" ("in") and `period add` said "…, trong 01/12 – 05/12":
    the phase is "giai đoạn trong", as `period show` and the report name it."""
    added = tct("--lang", "vi", "period", "add", "dot-1", "--from", "01/12/2026", "--to", "05/12/2026",
                "--title", "Đợt cao điểm")
    assert added.exit_code == 0, added.stderr
    assert "Đợt cao điểm, giai đoạn trong 01/12/2026" in added.stderr
    header = tct("--lang", "vi", "period", "list", "--year", "2026", "-f", "md").stdout.splitlines()[2]
    assert header.endswith("| giai đoạn trong |"), header
