"""Duty rosters: adding and removing shifts, the coverage check, the grid, CSV import/export, `duty`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from conftest import assert_one_line_error, file_mode

TET = ("--from", "03/02/2021", "--to", "23/02/2021")
OFFICERS = ("Nguyễn Văn Đức", "Trần Thị Bình", "Lê Hoàng Minh Nguyệt")


@pytest.fixture
def staff(tct):
    for name in OFFICERS:
        assert tct("officer", "add", name).exit_code == 0
    return tct


def shifts(tct) -> list[dict]:
    """The whole roster, read back through export."""
    run = tct("roster", "export")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "officer,date,shift,role,location,note"
    import csv

    return list(csv.DictReader(lines))


def duty_events(tct) -> list[dict]:
    return [e for e in tct("log", "-f", "json").json() if e["entity"] == "duty_shift"]


# --- the coverage check ----------------------------------------------------------------------------

def test_full_range_with_one_missing_day_reports_exactly_that_day(staff):
    assert staff("roster", "add", "duc", "--date", "03/02/2021", "--to", "12/02/2021").exit_code == 0
    assert staff("roster", "add", "tran thi binh", "--date", "14/02/2021", "--to", "23/02/2021").exit_code == 0
    run = staff("roster", "check", *TET, "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json() == {"gaps": [{"date": "2021-02-13", "shifts": ["morning", "afternoon"]}],
                          "double_booked": [], "retired": [], "backup_only": []}
    table = staff("roster", "check", *TET)
    assert table.exit_code == 0
    assert "13/02/2021" in table.stdout and "12/02/2021" not in table.stdout
    assert "2 uncovered half-day(s)" in table.stderr


def test_strict_exits_1_only_when_a_gap_exists(staff):
    assert staff("roster", "add", "duc", "--date", "03/02/2021", "--to", "22/02/2021").exit_code == 0
    strict = staff("roster", "check", *TET, "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.strip().splitlines()[-1] == \
        "2 uncovered half-day(s) from 03/02/2021 to 23/02/2021 (exit code 1)"  # what was found, not "Error:"
    vi = staff("roster", "check", *TET, "--strict", env={"TCT_LANG": "vi"})
    assert (vi.exit_code, vi.stderr.strip().splitlines()[-1]) == (
        1, "2 buổi chưa có người trực chính từ 03/02/2021 đến 23/02/2021 (mã thoát 1)")
    assert "23/02/2021" in strict.stdout
    assert staff("roster", "check", *TET, "--strict", "-f", "json").json()["gaps"] == [
        {"date": "2021-02-23", "shifts": ["morning", "afternoon"]}]
    assert staff("roster", "add", "duc", "--date", "23/02/2021").exit_code == 0
    clean = staff("roster", "check", *TET, "--strict")
    assert clean.exit_code == 0, clean.stderr
    assert clean.stdout == ""
    assert "Every day from 03/02/2021 to 23/02/2021 has a main officer" in clean.stderr


def test_morning_only_day_reports_the_afternoon_gap(staff):
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    report = staff("roster", "check", "--from", "10/02/2021", "-f", "json").json()
    assert report["gaps"] == [{"date": "2021-02-10", "shifts": ["afternoon"]}]


def test_custom_shifts_cover_a_half_day_together_and_leaders_do_not_count(staff):
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--start", "07:30", "--end", "09:30").exit_code == 0
    assert staff("roster", "add", "binh", "--date", "10/02/2021", "--start", "9h30", "--end", "12:00").exit_code == 0
    assert staff("roster", "add", "nguyet", "--date", "10/02/2021", "--shift", "afternoon",
                 "--role", "leader").exit_code == 0
    report = staff("roster", "check", "--from", "10/02/2021", "-f", "json").json()
    assert report["gaps"] == [{"date": "2021-02-10", "shifts": ["afternoon"]}]
    assert report["backup_only"] == []


def test_days_held_only_by_a_backup_are_reported_and_still_gaps(staff):
    assert staff("roster", "add", "duc", "--date", "13/02/2021", "--shift", "morning").exit_code == 0
    assert staff("roster", "add", "nguyet", "--date", "13/02/2021", "--shift", "afternoon",
                 "--role", "backup").exit_code == 0
    assert staff("roster", "add", "binh", "--date", "14/02/2021", "--role", "backup").exit_code == 0
    run = staff("roster", "check", "--from", "13/02/2021", "--to", "14/02/2021", "-f", "json", "--strict")
    assert run.exit_code == 1
    report = run.json()
    assert report["gaps"] == [{"date": "2021-02-13", "shifts": ["afternoon"]},
                              {"date": "2021-02-14", "shifts": ["morning", "afternoon"]}]
    assert report["backup_only"] == [
        {"date": "2021-02-13", "shifts": ["afternoon"], "officers": ["Lê Hoàng Minh Nguyệt"]},
        {"date": "2021-02-14", "shifts": ["morning", "afternoon"], "officers": ["Trần Thị Bình"]}]
    md = staff("roster", "check", "--from", "13/02/2021", "--to", "14/02/2021", "-f", "md").stdout
    assert "| 14/02/2021 | uncovered | morning, afternoon; backup only: morning, afternoon (Trần Thị Bình) |" in md


def test_retired_officers_still_on_the_roster_are_reported_and_cover_nothing(staff):
    from tct.dates import today_local

    today = today_local()  # the office's day, whatever the machine's time zone
    first, last = today + timedelta(days=1), today + timedelta(days=3)
    assert staff("roster", "add", "nguyet", "--date", first.isoformat(), "--to", last.isoformat()).exit_code == 0
    assert staff("roster", "add", "nguyet", "--date", "10/02/2021").exit_code == 0  # history, before retiring
    assert staff("officer", "retire", "nguyet").exit_code == 0
    report = staff("roster", "check", "--from", first.isoformat(), "--to", last.isoformat(), "-f", "json").json()
    assert report["retired"] == [{"date": (first + timedelta(days=n)).isoformat(), "officer": "Lê Hoàng Minh Nguyệt",
                                  "shifts": ["full"]} for n in range(3)]
    assert len(report["gaps"]) == 3
    past = staff("roster", "check", "--from", "10/02/2021", "-f", "json").json()
    assert past == {"gaps": [], "double_booked": [], "retired": [], "backup_only": []}  # she served then
    assert staff("roster", "list", "--from", "10/02/2021", "-f", "json").json()[0]["morning"][0]["retired"] is False
    grid = staff("roster", "list", "--from", first.isoformat(), "-f", "md")
    assert "Lê Hoàng Minh Nguyệt (retired)" in grid.stdout
    # a retired officer can still be taken off the roster, but not put on it
    assert staff("roster", "remove", "nguyet", "--date", first.isoformat(), "--to", last.isoformat()).exit_code == 0
    assert_one_line_error(staff("roster", "add", "nguyet", "--date", first.isoformat()), 1,
                          "Lê Hoàng Minh Nguyệt", "retired")


def test_retiring_says_the_shifts_still_held_and_the_command_that_removes_them(staff):
    """An office head retiring an officer learns which of their shifts remain (those roster check
    would list as a retired officer rostered) and the command that takes them off; their past
    shifts are history and are not counted; nothing is removed without being asked."""
    import shlex

    from tct.dates import today_local

    first, last = today_local() + timedelta(days=2), today_local() + timedelta(days=6)
    assert staff("roster", "add", "nguyet", "--date", first.isoformat(), "--to", last.isoformat()).exit_code == 0
    assert staff("roster", "add", "nguyet", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    assert staff("roster", "add", "binh", "--date", "10/02/2021").exit_code == 0
    run = staff("officer", "retire", "nguyet", env={"TCT_LANG": "vi"})
    assert run.exit_code == 0
    span = f"{first:%d/%m/%Y}–{last:%d/%m/%Y}"
    command = f"tct roster remove 'Lê Hoàng Minh Nguyệt' --date {first:%d/%m/%Y} --to {last:%d/%m/%Y}"
    assert run.stderr.splitlines() == [
        "Lê Hoàng Minh Nguyệt đã thôi tiếp công dân",
        f"Lưu ý: Lê Hoàng Minh Nguyệt vẫn còn 5 ca trực trong lịch, {span}; bỏ các ca đó bằng lệnh: {command}"]
    assert len(shifts(staff)) == 7  # said, not done
    removed = staff(*shlex.split(command)[1:])
    assert removed.exit_code == 0 and "5" in removed.stderr
    assert [(s["officer"], s["date"]) for s in shifts(staff)] == [("Lê Hoàng Minh Nguyệt", "2021-02-10"),
                                                                   ("Trần Thị Bình", "2021-02-10")]
    report = staff("roster", "check", "--from", first.isoformat(), "--to", last.isoformat(), "-f", "json").json()
    assert report["retired"] == []
    # one shift left: its day alone; none left: the retirement alone
    assert staff("roster", "add", "binh", "--date", first.isoformat(), "--shift", "afternoon").exit_code == 0
    run = staff("officer", "retire", "binh")
    assert run.stderr.splitlines()[1] == (f"Warning: Trần Thị Bình still holds 1 shift(s) on the roster, "
                                          f"{first:%d/%m/%Y}; remove them with: tct roster remove "
                                          f"'Trần Thị Bình' --date {first:%d/%m/%Y}")
    assert staff("officer", "retire", "duc").stderr.splitlines() == ["Nguyễn Văn Đức no longer receives citizens"]


def test_double_booking_in_the_register_is_reported(staff, database):
    from sqlmodel import select

    from tct.db import write_session
    from tct.models import DutyShift, Officer

    # add refuses overlaps; rows written otherwise (an older tct, two desks on PostgreSQL) are found by check
    with write_session(database) as session:
        officer = session.exec(select(Officer).where(Officer.name_folded == "tran thi binh")).one()
        for shift, start, end in (("full", time(7, 30), time(17)), ("morning", time(7, 30), time(11, 30))):
            session.add(DutyShift(officer_id=officer.id, shift_date=date(2021, 2, 12), shift=shift,
                                  start_time=start, end_time=end))
    report = staff("roster", "check", "--from", "12/02/2021", "-f", "json").json()
    assert report["double_booked"] == [{"date": "2021-02-12", "officer": "Trần Thị Bình",
                                        "shifts": ["morning", "full"], "hours": ["07:30-11:30", "07:30-17:00"]}]
    assert report["gaps"] == []
    table = staff("roster", "check", "--from", "12/02/2021", "--strict")
    assert table.exit_code == 0  # --strict fails on gaps only
    assert "booked twice" in table.stdout and "1 other problem(s)" in table.stderr
    csv_lines = staff("roster", "check", "--from", "12/02/2021", "-f", "csv").stdout.splitlines()
    assert csv_lines == ["date,problem,detail",
                         "2021-02-12,double_booked,\"Trần Thị Bình: morning 07:30-11:30, full day 07:30-17:00\""]


# --- adding and removing ----------------------------------------------------------------------------

def test_add_takes_shift_hours_from_settings_and_is_audited(staff):
    assert staff("config", "set", "shift.morning", "08:00-11:30").exit_code == 0
    run = staff("roster", "add", "duc", "--date", "10/02/2021", "--to", "12/02/2021", "--shift", "morning",
                "--location", "Phòng tiếp dân", "--note", "Trực Tết")
    assert run.exit_code == 0, run.stderr
    assert "Added 3 shift(s) for Nguyễn Văn Đức: morning 08:00-11:30, 10/02/2021–12/02/2021" in run.stderr
    assert staff("roster", "add", "duc", "--date", "13/02/2021").exit_code == 0  # full: morning start to afternoon end
    grid = staff("roster", "list", "--from", "10/02/2021", "--to", "13/02/2021", "-f", "json").json()
    assert [d["morning"][0]["start"] for d in grid] == ["08:00"] * 4
    assert grid[3]["morning"][0]["end"] == "17:00" and grid[3]["afternoon"][0]["shift"] == "full"
    assert grid[0]["morning"][0]["location"] == "Phòng tiếp dân"
    events = duty_events(staff)
    assert [(e["code"], e["action"]) for e in events] == [("Nguyễn Văn Đức", "create")] * 4
    assert events[0]["changes"]["after"] == {"date": "2021-02-10", "shift": "morning", "start": "08:00",
                                             "end": "11:30", "role": "main", "location": "Phòng tiếp dân",
                                             "note": "Trực Tết"}


def test_shifts_and_roles_are_typed_in_vietnamese_too(staff, tmp_path):
    """As `--type khiếu-nại` is, `--shift sáng` and `--role dự bị` are taken (stored as their keys), on
    the command line and in an imported roster; a word that is neither is refused in the language."""
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "sáng", "--role", "dự bị").exit_code == 0
    assert staff("roster", "add", "duc", "--date", "11/02/2021", "--shift", "Cả ngày").exit_code == 0
    plan = tmp_path / "plan.csv"
    plan.write_text("officer,date,shift,role\nduc,12/02/2021,chiều,lãnh đạo\n", encoding="utf-8")
    assert staff("roster", "import", str(plan)).exit_code == 0
    assert [(s["date"], s["shift"], s["role"]) for s in shifts(staff)] == [
        ("2021-02-10", "morning", "backup"), ("2021-02-11", "full", "main"), ("2021-02-12", "afternoon", "leader")]
    refused = staff("roster", "add", "duc", "--date", "13/02/2021", "--shift", "tối", env={"TCT_LANG": "vi"})
    assert refused.exit_code == 1 and "Lỗi: --shift 'tối' không phải ca trực" in refused.stderr
    assert "--role 'boss' is not a role; choose main, backup, leader" in staff(
        "roster", "add", "duc", "--date", "13/02/2021", "--role", "boss").stderr


def test_overlapping_shifts_of_one_officer_are_refused_and_nothing_is_written(staff):
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    run = staff("roster", "add", "duc", "--date", "08/02/2021", "--to", "12/02/2021")
    assert_one_line_error(run, 1, "Nguyễn Văn Đức is already on the morning 07:30-11:30 shift on 10/02/2021",
                          "nothing was added")
    assert_one_line_error(staff("roster", "add", "duc", "--date", "10/02/2021", "--start", "11:00", "--end", "14:00"),
                          1, "overlaps")
    assert_one_line_error(staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "morning",
                                "--role", "backup"), 1, "already")
    assert len(shifts(staff)) == 1 and len(duty_events(staff)) == 1
    # touching is not overlapping, and two officers on one shift is normal
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--start", "11:30", "--end", "13:30").exit_code == 0
    assert staff("roster", "add", "binh", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    assert len(shifts(staff)) == 3


def test_weekdays_only_skips_saturdays_and_sundays(staff):
    run = staff("roster", "add", "binh", "--date", "01/02/2021", "--to", "14/02/2021", "--weekdays-only")
    assert run.exit_code == 0, run.stderr
    days = [row["date"] for row in shifts(staff)]
    assert len(days) == 10 and all(date.fromisoformat(d).weekday() < 5 for d in days)
    assert_one_line_error(staff("roster", "add", "binh", "--date", "13/02/2021", "--to", "14/02/2021",
                                "--weekdays-only"), 1, "no weekday")


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (("pham", "--date", "10/02/2021"), 1, "no officer matches"),
    (("duc", "--date", "31/02/2021"), 1, "not a real date"),
    (("duc", "--date", "10/02/2021", "--to", "09/02/2021"), 1, "before it starts"),
    (("duc", "--date", "01/01/2021", "--to", "02/01/2022"), 1, "367 days"),
    (("duc", "--date", "10/02/2021", "--shift", "night"), 1, "--shift 'night' is not a shift"),
    (("duc", "--date", "10/02/2021", "--role", "boss"), 1, "--role 'boss' is not a role"),
    (("duc", "--date", "10/02/2021", "--start", "9:00", "--end", "8:00"), 1, "--end 08:00 is not after --start 09:00"),
    (("duc", "--date", "10/02/2021", "--start", "25:00", "--end", "26:00"), 1, "--start"),
    (("duc", "--date", "10/02/2021", "--start", "9:00"), 2, "both --start"),
    (("duc", "--date", "10/02/2021", "--shift", "morning", "--end", "12:00"), 2, "custom"),
    (("duc",), 2, "--date"),
])
def test_bad_input_is_one_line_and_writes_nothing(staff, args, code, fragment):
    assert_one_line_error(staff("roster", "add", *args), code, fragment)
    assert shifts(staff) == []
    assert duty_events(staff) == []


def test_remove_is_audited_and_by_shift(staff):
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--to", "12/02/2021",
                 "--shift", "morning").exit_code == 0
    assert staff("roster", "add", "duc", "--date", "11/02/2021", "--shift", "afternoon").exit_code == 0
    run = staff("roster", "remove", "nguyen van duc", "--date", "11/02/2021", "--shift", "afternoon")
    assert run.exit_code == 0 and "Removed 1 shift(s) of Nguyễn Văn Đức" in run.stderr
    assert staff("roster", "remove", "duc", "--date", "10/02/2021", "--to", "11/02/2021").exit_code == 0
    assert [(r["date"], r["shift"]) for r in shifts(staff)] == [("2021-02-12", "morning")]
    removed = [e for e in duty_events(staff) if e["action"] == "remove"]
    assert len(removed) == 3
    assert removed[0]["changes"]["before"]["shift"] == "afternoon" and removed[0]["code"] == "Nguyễn Văn Đức"
    assert_one_line_error(staff("roster", "remove", "duc", "--date", "12/02/2021", "--shift", "afternoon"), 1,
                          "no afternoon shift", "nothing was removed")
    assert_one_line_error(staff("roster", "remove", "duc", "--date", "12/02/2021", "--shift", "noon"), 1, "--shift")
    assert len(shifts(staff)) == 1


def test_remove_keeps_its_reason_in_the_log(staff):
    """A swap or a sick day takes an officer off the roster: why is asked later, in `tct log`."""
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    run = staff("roster", "remove", "duc", "--date", "10/02/2021", "--reason", "Đổi ca với  đ/c Nguyệt")
    assert run.exit_code == 0, run.stderr
    removed = [e for e in duty_events(staff) if e["action"] == "remove"]
    assert [e["reason"] for e in removed] == ["Đổi ca với đ/c Nguyệt"]
    assert staff("roster", "add", "duc", "--date", "11/02/2021").exit_code == 0
    assert_one_line_error(staff("roster", "remove", "duc", "--date", "11/02/2021", "--reason", "x" * 20_000), 1,
                          "--reason")
    assert len(shifts(staff)) == 1  # nothing removed by the refused command


# --- the grid --------------------------------------------------------------------------------------

def test_grid_fits_80_columns_and_marks_weekends_and_holidays(staff):
    assert staff("officer", "add", "Tôn Nữ Thị Phương Thảo Nguyên").exit_code == 0
    assert staff("roster", "add", "duc", "--date", "03/02/2021", "--to", "23/02/2021",
                 "--shift", "morning").exit_code == 0
    assert staff("roster", "add", "thao nguyen", "--date", "03/02/2021", "--to", "23/02/2021",
                 "--shift", "afternoon").exit_code == 0
    assert staff("roster", "add", "nguyet", "--date", "03/02/2021", "--to", "23/02/2021",
                 "--role", "backup").exit_code == 0
    assert staff("roster", "add", "binh", "--date", "12/02/2021", "--start", "08:00", "--end", "10:00",
                 "--role", "leader").exit_code == 0
    run = staff("roster", "list", *TET)
    assert run.exit_code == 0, run.stderr
    assert max(len(line) for line in run.stdout.splitlines()) <= 80
    text = run.stdout
    for expected in ("Duty roster 03/02/2021–23/02/2021", "Sat 06/02/2021", "weekend", "Lunar New Year",
                     "Nguyễn Văn Đức", "Lê Hoàng Minh Nguyệt", "(backup)", "08:00-10:00"):
        assert expected in text, expected
    days = staff("roster", "list", *TET, "-f", "json").json()
    assert len(days) == 21 and days[0]["date"] == "2021-02-03" and days[-1]["date"] == "2021-02-23"
    assert days[3]["weekend"] is True and days[3]["holiday"] is None
    assert days[9]["holiday"] == "Lunar New Year" and days[9]["weekend"] is False
    assert [p["officer"] for p in days[9]["morning"]] == ["Nguyễn Văn Đức", "Trần Thị Bình", "Lê Hoàng Minh Nguyệt"]
    assert [p["role"] for p in days[9]["morning"]] == ["main", "leader", "backup"]
    assert [p["officer"] for p in days[9]["afternoon"]] == ["Tôn Nữ Thị Phương Thảo Nguyên", "Lê Hoàng Minh Nguyệt"]
    csv_lines = staff("roster", "list", *TET, "-f", "csv").stdout.splitlines()
    assert csv_lines[0] == "date,weekday,day_off,morning,afternoon"
    assert csv_lines[10] == ('2021-02-12,Fri,Lunar New Year,"Nguyễn Văn Đức; Trần Thị Bình (leader, 08:00-10:00); '
                             'Lê Hoàng Minh Nguyệt (backup)",'
                             'Tôn Nữ Thị Phương Thảo Nguyên; Lê Hoàng Minh Nguyệt (backup)')
    md = staff("roster", "list", *TET, "-f", "md").stdout
    assert "| Thu 11/02/2021 | Lunar New Year's Eve |" in md
    vi = staff("--lang", "vi", "roster", "list", *TET)
    assert "T7 13/02/2021" in vi.stdout and "cuối tuần" in vi.stdout and "(dự bị)" in vi.stdout
    assert max(len(line) for line in vi.stdout.splitlines()) <= 80


def test_an_empty_half_day_shows_a_dash(staff):
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    md = staff("roster", "list", "--from", "10/02/2021", "-f", "md").stdout
    assert "| Wed 10/02/2021 | 29 of Lunar New Year | Nguyễn Văn Đức | — |" in md


def test_period_and_dates_are_one_or_the_other(staff):
    assert_one_line_error(staff("roster", "list"), 2, "PERIOD")
    assert_one_line_error(staff("roster", "check", "--to", "10/02/2021"), 2, "--from")
    assert_one_line_error(staff("roster", "list", "tet-2021", "--from", "10/02/2021"), 2, "not both")
    assert_one_line_error(staff("roster", "check", "--from", "10/02/2021", "--to", "zz"), 1, "--to")


def test_a_named_period_gives_the_range(staff):
    pytest.importorskip("tct.periods")
    assert staff("roster", "add", "duc", "--date", "03/02/2021", "--to", "12/02/2021").exit_code == 0
    assert staff("roster", "add", "binh", "--date", "14/02/2021", "--to", "23/02/2021").exit_code == 0
    days = staff("roster", "list", "tet-2021", "-f", "json").json()
    assert (days[0]["date"], days[-1]["date"], len(days)) == ("2021-02-03", "2021-02-23", 21)
    assert staff("roster", "check", "tet-2021", "-f", "json").json()["gaps"] == [
        {"date": "2021-02-13", "shifts": ["morning", "afternoon"]}]


# --- import and export -------------------------------------------------------------------------------

GOOD_CSV = """officer,date,shift,role,location,note
Nguyễn Văn Đức,10/02/2021,full,main,Phòng tiếp dân,Trực Tết
tran thi binh,11-02-2021,morning,,,
Lê Hoàng Minh Nguyệt,2021-02-11,13:30-16:00,backup,,"ghi chú, có dấu phẩy"
"""


def test_import_adds_every_row(staff, tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_text("\ufeff" + GOOD_CSV, encoding="utf-8")
    run = staff("roster", "import", str(path))
    assert run.exit_code == 0, run.stderr
    assert "Imported 3 shift(s) from roster.csv" in run.stderr
    assert shifts(staff) == [
        {"officer": "Nguyễn Văn Đức", "date": "2021-02-10", "shift": "full", "role": "main",
         "location": "Phòng tiếp dân", "note": "Trực Tết"},
        {"officer": "Trần Thị Bình", "date": "2021-02-11", "shift": "morning", "role": "main", "location": "",
         "note": ""},
        {"officer": "Lê Hoàng Minh Nguyệt", "date": "2021-02-11", "shift": "13:30-16:00", "role": "backup",
         "location": "", "note": "ghi chú, có dấu phẩy"}]
    assert [e["action"] for e in duty_events(staff)] == ["import"] * 3


def test_import_rejects_a_file_with_one_bad_row_names_its_line_and_writes_none_of_it(staff, tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_text(GOOD_CSV + "Nguyễn Văn Đức,30/02/2021,morning,main,,\n", encoding="utf-8")
    run = staff("roster", "import", str(path))
    assert run.exit_code == 1
    lines = run.stderr.strip().splitlines()
    assert lines == ["roster.csv line 5: date: '30/02/2021' is not a real date; use YYYY-MM-DD, DD/MM/YYYY, "
                     "DD-MM-YYYY, 'today', 'yesterday', 'hôm nay', 'hôm qua'",
                     "Error: 1 bad row in roster.csv; nothing was imported"]
    assert "Traceback" not in run.stdout + run.stderr
    assert shifts(staff) == [] and duty_events(staff) == []


def test_import_bad_rows_are_said_in_vietnamese(staff, tmp_path: Path):
    """A roster import's bad rows are said in the person's language, as the command line's errors are."""
    path = tmp_path / "roster.csv"
    path.write_text("officer,date,shift,role\nduc,10/02/2021,tối,main\nduc,30/02/2021,sáng,main\n"
                    "Ai Đó,11/02/2021,sáng,main\n", encoding="utf-8")
    lines = staff("roster", "import", str(path), env={"TCT_LANG": "vi"}).stderr.strip().splitlines()
    assert lines[0] == "roster.csv dòng 2: shift 'tối' không phải ca trực; chọn sáng; chiều; cả ngày; theo giờ"
    assert lines[1].startswith("roster.csv dòng 3: date: '30/02/2021' không phải là ngày có thật; hãy dùng DD/MM/YYYY")
    assert lines[2].startswith("roster.csv dòng 4: không có cán bộ nào khớp với 'Ai Đó'")


def test_import_names_the_files_columns_not_the_desks_options(staff, tmp_path: Path):
    """A roster file has the columns shift and role, not --shift, --role, --start or --end: its bad
    rows are said by column, as its dates are (and as import --visits says its rows)."""
    path = tmp_path / "roster.csv"
    path.write_text("officer,date,shift,role\nduc,01/03/2021,evening,main\nduc,02/03/2021,11:00-08:00,main\n"
                    "duc,03/03/2021,25:00-26:00,main\nduc,04/03/2021,full,boss\n", encoding="utf-8")
    run = staff("roster", "import", str(path))
    assert run.exit_code == 1
    lines = run.stderr.strip().splitlines()
    assert lines[:4] == [
        "roster.csv line 2: shift 'evening' is not a shift; choose morning, afternoon, full, custom",
        "roster.csv line 3: shift '11:00-08:00': the end is not after the start",
        "roster.csv line 4: shift: cannot read '25:00' as a time; use HH:MM, e.g. 07:30",
        "roster.csv line 5: role 'boss' is not a role; choose main, backup, leader"]
    assert "--" not in run.stderr
    # the desk's options keep their names
    assert_one_line_error(staff("roster", "add", "duc", "--date", "01/03/2021", "--role", "boss"), 1, "--role 'boss'")
    assert_one_line_error(staff("roster", "add", "duc", "--date", "01/03/2021", "--start", "11:00", "--end", "08:00"),
                          1, "--end 08:00 is not after --start 11:00")


def test_import_reports_every_bad_row_and_overlaps(staff, tmp_path: Path):
    assert staff("roster", "add", "binh", "--date", "12/02/2021", "--shift", "afternoon").exit_code == 0
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([
        "officer,date,shift,role,location,note",
        "Phạm Văn Khải,10/02/2021,full,main,,",        # 2: unknown officer
        "duc,10/02/2021,morning,main,,",                # 3: fine
        "duc,10/02/2021,07:00-08:00,main,,",            # 4: overlaps line 3
        "binh,12/02/2021,full,main,,",                  # 5: overlaps the register
        "nguyet,13/02/2021,evening,main,,",             # 6: bad shift
        "nguyet,14/02/2021,full,chief,,",               # 7: bad role
        "nguyet,15/02/2021,18:00-17:00,main,,",         # 8: end before start
        ",16/02/2021,full,main,,",                      # 9: no officer
        "nguyet,16/02/2021,full,main,,,extra",          # 10: too many cells
        "nguyet,17/02/2021,full,main,,",                # 11: fine
    ]) + "\n", encoding="utf-8")
    run = staff("roster", "import", str(path))
    assert run.exit_code == 1
    lines = run.stderr.strip().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"roster.csv line {n}" for n in (2, 4, 5, 6, 7, 8, 9, 10)]
    assert "overlaps line 3" in lines[1] and "already rostered" in lines[2]
    assert lines[-1] == "Error: 8 bad rows in roster.csv; nothing was imported"
    assert len(shifts(staff)) == 1


@pytest.mark.parametrize(("content", "fragment"), [
    ("", "empty"),
    ("officer,date,shift\n", "no rows"),
    ("name,date\nduc,10/02/2021\n", "unknown column(s) name"),
    ("officer,shift\nduc,full\n", "missing column(s) date"),
])
def test_import_refuses_a_file_without_the_columns(staff, tmp_path: Path, content, fragment):
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    run = staff("roster", "import", str(path))
    assert run.exit_code == 1 and fragment in run.stderr, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert shifts(staff) == []


@pytest.mark.parametrize(("args", "code", "vietnamese", "english"), [
    (["add", "duc", "--date", "10/02/2021", "--shift", "sáng", "--start", "08:00", "--end", "09:00"], 2,
     "--start/--end là giờ của ca trực theo giờ; hãy bỏ --shift morning",
     "--start/--end give a custom shift's hours; leave out --shift morning"),
    (["add", "duc", "--date", "08/02/2021", "--to", "12/02/2021"], 1,
     "Nguyễn Văn Đức đã có ca sáng 07:30-11:30 ngày 09/02/2021, trùng giờ với ca cả ngày 07:30-17:00 "
     "(và 1 ngày khác); không thêm gì",
     "Nguyễn Văn Đức is already on the morning 07:30-11:30 shift on 09/02/2021, which overlaps full 07:30-17:00 "
     "(and 1 more day(s)); nothing was added"),
    (["add", "duc", "--date", "10/02/2021", "--start", "11:00", "--end", "14:00"], 1,
     "Nguyễn Văn Đức đã có ca chiều 13:30-17:00 ngày 10/02/2021, trùng giờ với ca theo giờ 11:00-14:00; "
     "không thêm gì",
     "Nguyễn Văn Đức is already on the afternoon 13:30-17:00 shift on 10/02/2021, which overlaps custom "
     "11:00-14:00; nothing was added"),
    (["export", "--from", "10/02/2021", "--to", "01/02/2021"], 1,
     "khoảng ngày kết thúc (01/02/2021) trước khi bắt đầu (10/02/2021)",
     "the range ends (01/02/2021) before it starts (10/02/2021)"),
])
def test_roster_errors_are_said_in_vietnamese(staff, args, code, vietnamese, english):
    assert staff("roster", "add", "duc", "--date", "09/02/2021", "--shift", "morning").exit_code == 0
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "afternoon").exit_code == 0
    run = staff("--lang", "vi", "roster", *args)
    assert run.exit_code == code and run.stderr.splitlines() == [f"Lỗi: {vietnamese}"], run.stderr
    run = staff("roster", *args)
    assert run.exit_code == code and run.stderr.splitlines() == [f"Error: {english}"], run.stderr
    assert len(shifts(staff)) == 2


@pytest.mark.parametrize(("content", "vietnamese", "english"), [
    ("", ["Lỗi: roster.csv trống; tệp cần có dòng tiêu đề: officer,date,shift,role,location,note"],
     ["Error: roster.csv is empty; it needs a header: officer,date,shift,role,location,note"]),
    ("officer,date,shift\n", ["Lỗi: roster.csv chỉ có dòng tiêu đề, không có dòng dữ liệu; chưa nhập gì"],
     ["Error: roster.csv has a header but no rows; nothing was imported"]),
    ("name,date,date\nduc,10/02/2021,x\n",
     ["roster.csv dòng 1: cột không xác định: name; thiếu cột officer; có cột bị lặp lại; các cột hợp lệ là "
      "officer,date,shift,role,location,note", "Lỗi: 1 dòng lỗi trong roster.csv; chưa nhập gì"],
     ["roster.csv line 1: unknown column(s) name; missing column(s) officer; a column appears twice; the columns "
      "are officer,date,shift,role,location,note", "Error: 1 bad row in roster.csv; nothing was imported"]),
    ("officer,date,shift\nduc,10/02/2021,07:00-08:00\nduc,11/02/2021,full\nduc,11/02/2021,sáng\n"
     ",12/02/2021,full\nduc,13/02/2021,full,main,,,x\n",
     ["roster.csv dòng 2: ca theo giờ 07:00-08:00 của Nguyễn Văn Đức ngày 10/02/2021 trùng giờ với ca sáng "
      "07:30-11:30 đã có trong lịch trực",
      "roster.csv dòng 4: ca sáng 07:30-11:30 của Nguyễn Văn Đức ngày 11/02/2021 trùng giờ với dòng 3",
      "roster.csv dòng 5: officer (cán bộ) đang để trống",
      "roster.csv dòng 6: 7 ô, trong khi dòng tiêu đề có 3 cột",
      "Lỗi: 4 dòng lỗi trong roster.csv; chưa nhập gì"],
     ["roster.csv line 2: Nguyễn Văn Đức's custom 07:00-08:00 shift on 10/02/2021 overlaps the morning 07:30-11:30 "
      "shift already rostered",
      "roster.csv line 4: Nguyễn Văn Đức's morning 07:30-11:30 shift on 11/02/2021 overlaps line 3",
      "roster.csv line 5: officer is empty",
      "roster.csv line 6: 7 cells, the header has 3",
      "Error: 4 bad rows in roster.csv; nothing was imported"]),
])
def test_a_roster_files_errors_are_said_in_vietnamese(staff, tmp_path: Path, content, vietnamese, english):
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    run = staff("--lang", "vi", "roster", "import", str(path))
    assert run.exit_code == 1 and run.stderr.splitlines() == vietnamese, run.stderr
    run = staff("roster", "import", str(path))
    assert run.exit_code == 1 and run.stderr.splitlines() == english, run.stderr
    assert len(shifts(staff)) == 1


def test_import_of_a_missing_or_binary_file_is_one_line(staff, tmp_path: Path):
    assert_one_line_error(staff("roster", "import", str(tmp_path / "nope.csv")), 1, "cannot read")
    binary = tmp_path / "roster.csv"
    binary.write_bytes(b"\xff\xfe\x00officer")
    assert_one_line_error(staff("roster", "import", str(binary)), 1, "UTF-8")


def test_export_then_import_round_trips_and_the_file_is_private(staff, tmp_path: Path):
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--to", "12/02/2021", "--location", "Phòng 1",
                 "--note", "=HYPERLINK(\"x\")").exit_code == 0
    assert staff("roster", "add", "nguyet", "--date", "11/02/2021", "--start", "07:00", "--end", "09:00",
                 "--role", "leader", "--note", "-họp giao ban").exit_code == 0
    out = tmp_path / "export.csv"
    run = staff("roster", "export", "--output", str(out))
    assert run.exit_code == 0 and "Exported 4 shift(s)" in run.stderr
    assert file_mode(out) == 0o600
    first = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in first and "07:00-09:00" in first
    assert_one_line_error(staff("roster", "export", "--output", str(out)), 1, "already exists")
    assert staff("roster", "remove", "duc", "--date", "10/02/2021", "--to", "12/02/2021").exit_code == 0
    assert staff("roster", "remove", "nguyet", "--date", "11/02/2021").exit_code == 0
    assert shifts(staff) == []
    assert staff("roster", "import", str(out)).exit_code == 0
    again = staff("roster", "export", "-o", str(out), "--force")
    assert again.exit_code == 0 and file_mode(out) == 0o600
    assert out.read_text(encoding="utf-8") == first
    grid = staff("roster", "list", "--from", "10/02/2021", "-f", "json").json()
    assert grid[0]["morning"][0]["note"] == "=HYPERLINK(\"x\")"
    assert staff("roster", "export", "--from", "11/02/2021", "--to", "11/02/2021").stdout.count("2021-02-11") == 2



def test_export_takes_a_named_period_as_roster_list_does(staff):
    """`roster list tet-2021` shows a period's roster: `roster export tet-2021` hands it over."""
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--to", "12/02/2021").exit_code == 0
    assert staff("roster", "add", "duc", "--date", "01/06/2021").exit_code == 0
    run = staff("roster", "export", "tet-2021")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.count("2021-02-1") == 3 and "2021-06-01" not in run.stdout
    assert_one_line_error(staff("roster", "export", "tet-2021", "--from", "10/02/2021"), 2)
    assert_one_line_error(staff("roster", "export", "hè-2021"), 1, "hè-2021")


def test_the_example_roster_leaves_exactly_one_day_uncovered(staff, tmp_path: Path):
    example = Path(__file__).resolve().parents[1] / "examples" / "tet-2021" / "roster.csv"
    if not example.exists():
        pytest.skip("no example roster")
    for name in ("Trần Thị Bình", "Lê Minh Tuấn", "Phạm Thị Hồng Nhung", "Võ Quốc Huy"):
        staff("officer", "add", name)
    assert staff("roster", "import", str(example)).exit_code == 0
    gaps = staff("roster", "check", *TET, "-f", "json").json()["gaps"]
    assert len(gaps) == 1 and gaps[0]["shifts"] == ["morning", "afternoon"]


# --- who is on duty ----------------------------------------------------------------------------------

@pytest.fixture
def desk(staff):
    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "morning",
                 "--location", "Phòng 1").exit_code == 0
    assert staff("roster", "add", "binh", "--date", "10/02/2021", "--role", "backup").exit_code == 0
    assert staff("roster", "add", "nguyet", "--date", "10/02/2021", "--start", "09:00", "--end", "10:00",
                 "--role", "leader").exit_code == 0
    return staff


def test_duty_shows_who_is_on_the_desk_then(desk):
    run = desk("duty", "--at", "10/02/2021 09:15", "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert [(p["officer"], p["role"], p["shift"]) for p in run.json()] == [
        ("Nguyễn Văn Đức", "main", "morning"), ("Lê Hoàng Minh Nguyệt", "leader", "custom"),
        ("Trần Thị Bình", "backup", "full")]
    table = desk("duty", "--at", "10/02/2021 8h00")
    assert "On duty at 10/02/2021 08:00" in table.stdout and "Phòng 1" in table.stdout
    assert "Lê Hoàng Minh Nguyệt" not in table.stdout
    nobody = desk("duty", "--at", "10/02/2021 17:00")
    assert nobody.exit_code == 0 and nobody.stdout == ""
    assert "Nobody is rostered at 10/02/2021 17:00" in nobody.stderr
    assert desk("duty", "--at", "11/02/2021 09:00", "-f", "json").json() == []
    assert_one_line_error(desk("duty", "--at", "sáng mai"), 1, "--at")
    assert desk("duty").exit_code == 0


def test_duty_at_a_past_moment_shows_an_officer_who_has_retired_since(desk):
    # their past duty stays the record of who held the desk, as roster list and check count it
    assert desk("officer", "retire", "duc").exit_code == 0
    assert desk("officer", "retire", "binh").exit_code == 0
    run = desk("duty", "--at", "10/02/2021 09:15", "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert [(p["officer"], p["role"], p["retired"]) for p in run.json()] == [
        ("Nguyễn Văn Đức", "main", False), ("Lê Hoàng Minh Nguyệt", "leader", False),
        ("Trần Thị Bình", "backup", False)]
    # a visit entered late for that moment is not told that nobody was rostered
    visit = desk("visit", "add", "--citizen", "Phan Văn Tèo", "--type", "petition", "--field", "land",
                 "--content", "Hỏi quy hoạch", "--at", "10/02/2021 08:00", "--officer", "nguyet")
    assert visit.exit_code == 0, visit.stderr
    assert "nobody is rostered" not in visit.stderr


def test_a_visit_entered_late_is_the_retired_officers_who_received_it(desk, tmp_path):
    """An officer retired since received a citizen before: the late entry names them (typed, in a
    correction, in a file imported); a moment after they retired is refused as before."""
    assert desk("officer", "retire", "duc").exit_code == 0
    args = ["--citizen", "Phan Văn Tèo", "--type", "petition", "--field", "land", "--content", "Hỏi quy hoạch"]
    visit = desk("visit", "add", *args, "--at", "10/02/2021 08:00", "--officer", "Đức", "-f", "json")
    assert visit.exit_code == 0, visit.stderr
    assert visit.json()["officer"] == "Nguyễn Văn Đức"
    other = desk("visit", "add", *args, "--at", "10/02/2021 09:00", "--officer", "binh", "-f", "json").json()
    assert desk("visit", "edit", other["code"], "--officer", "duc").exit_code == 0
    assert desk("visit", "show", other["code"], "-f", "json").json()["officer"] == "Nguyễn Văn Đức"
    now = desk("visit", "add", *args, "--officer", "Đức")
    assert now.exit_code == 1 and "has retired" in now.stderr, now.stderr
    header = "citizen,type,field,content,at,officer\n"
    (tmp_path / "late.csv").write_text(header + "Lê Thị Hoa,petition,land,Hỏi,11/02/2021 08:30,duc\n", encoding="utf-8")
    imported = desk("import", "--visits", str(tmp_path / "late.csv"))
    assert imported.exit_code == 0, imported.stderr
    assert len(desk("visit", "list", "--officer", "duc", "-f", "json").json()) == 3


def test_main_on_duty_reads_the_moment_in_the_office_time_zone(desk, database):
    from tct import rosters
    from tct.db import read_session

    with read_session(database) as session:
        def names(at: datetime) -> list[str]:
            return [o.name for o in rosters.main_on_duty(session, at)]

        assert names(datetime(2021, 2, 10, 2, 0, tzinfo=UTC)) == ["Nguyễn Văn Đức"]  # 09:00 in Hà Nội
        assert names(datetime(2021, 2, 10, 7, 0, tzinfo=UTC)) == []  # 14:00: only the backup
        assert names(datetime(2021, 2, 10, 4, 30, tzinfo=UTC)) == []  # 11:30: the morning shift has ended
        assert names(datetime(2021, 2, 10, 0, 30, tzinfo=UTC)) == ["Nguyễn Văn Đức"]  # 07:30: it has begun
        assert names(datetime(2021, 2, 9, 20, 0, tzinfo=UTC)) == []  # 03:00 local on the 10th
        people = rosters.on_duty(session, datetime(2021, 2, 10, 7, 0, tzinfo=UTC))
        assert [(p["officer"], p["role"]) for p in people] == [("Trần Thị Bình", "backup")]


def test_main_on_duty_leaves_out_retired_officers_and_names_each_once(staff, database):
    from tct import rosters
    from tct.db import read_session

    assert staff("roster", "add", "duc", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    assert staff("roster", "add", "binh", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    at = datetime(2021, 2, 10, 9, 0, tzinfo=UTC) - timedelta(hours=7) + timedelta(hours=1)  # 10:00 local
    with read_session(database) as session:
        assert [o.name for o in rosters.main_on_duty(session, at)] == ["Nguyễn Văn Đức", "Trần Thị Bình"]
    assert staff("officer", "retire", "binh").exit_code == 0
    with read_session(database) as session:
        assert [o.name for o in rosters.main_on_duty(session, at)] == ["Nguyễn Văn Đức"]


# --- the library on its own ------------------------------------------------------------------------

def test_library_add_refuses_overlaps_within_the_write_session(database):
    from tct import officers, rosters
    from tct.db import read_session, write_session
    from tct.errors import ValidationError

    with write_session(database) as session:
        officers.add(session, "Võ Quốc Huy", actor="t")
    with write_session(database) as session:
        made = rosters.add(session, "huy", start=date(2021, 2, 1), end=date(2021, 2, 7), shift="afternoon",
                           weekdays_only=True, actor="t")
        assert [s.shift_date.day for s in made] == [1, 2, 3, 4, 5]
    with pytest.raises(ValidationError, match="overlaps"), write_session(database) as session:
        rosters.add(session, "huy", start=date(2021, 2, 5), end=date(2021, 2, 6), actor="t")
    with read_session(database) as session:
        assert len(rosters.shifts_between(session, date(2021, 2, 1), date(2021, 2, 28))) == 5
        report = rosters.check(session, date(2021, 2, 1), date(2021, 2, 2))
    assert json.loads(json.dumps(report, default=str))["gaps"][0] == {"date": "2021-02-01", "shifts": ["morning"]}
