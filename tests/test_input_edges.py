"""Input at the edges: numbers too big for SQLite or a date, environment variables set wrongly,
a terminal that cannot show Vietnamese, invisible characters, digits that are not ASCII, and a
register file someone else's umask made readable to all. Each gives an answer or one clean
refusal, never a traceback."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from conftest import assert_one_line_error, file_mode

VISIT = ("visit", "add", "--type", "complaint", "--field", "land", "--officer", "binh", "--at", "04/02/2021 09:00")


@pytest.fixture
def desk(tct):  # type: ignore[no-untyped-def]
    """A register with one officer and one visit (VV-2021-0001)."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct(*VISIT, "--citizen", "Nguyễn Văn Đức").exit_code == 0
    return tct


def _events(tct) -> int:  # type: ignore[no-untyped-def]
    return len(tct("log", "-f", "json").json())


def _process(db: Path | str, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """`tct --db DB ARGS…` in a process of its own, as a terminal or cron would run it."""
    environment = {**os.environ, "TCT_DB": str(db), **env}
    return subprocess.run([sys.executable, "-m", "tct", *args], capture_output=True, env=environment, timeout=120)


# --- 1. tct log --limit --------------------------------------------------------------------------

@pytest.mark.parametrize("limit", ["99999999999999999999", "100001", "0"])
def test_log_limit_out_of_range_is_a_usage_error(desk, limit):
    assert_one_line_error(desk("log", "--limit", limit), 2, "--limit")


def test_log_limit_within_range_answers(desk):
    assert len(desk("log", "--limit", "100000", "-f", "json").json()) == _events(desk)


# --- 2. tct case list --due-within ---------------------------------------------------------------

@pytest.mark.parametrize("days", ["3000000", "2147483647", "99999999999999999999", "3651", "-1"])
def test_case_list_due_within_out_of_range_is_a_usage_error(desk, days):
    assert_one_line_error(desk("case", "list", "--due-within", days), 2, "--due-within")


def test_case_list_due_within_ten_years_answers(desk):
    listed = desk("case", "list", "--due-within", "3650", "--on", "04/02/2021", "-f", "json")
    assert [case["code"] for case in listed.json()] == ["VV-2021-0001"]


# --- 3. TCT_BUSY_TIMEOUT -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["abc", "-5", "nan", "inf", "1e400", "99999999999", "10s"])
def test_bad_busy_timeout_falls_back_to_the_default_with_one_warning(desk, value):
    """A cron job's typo in a tuning knob must not cost the night's work: the command runs with the
    default timeout and says so on stderr (which cron mails)."""
    run = desk("visit", "list", "-f", "json", env={"TCT_BUSY_TIMEOUT": value})
    assert run.exit_code == 0, run.stderr
    assert [visit["code"] for visit in run.json()] == ["TCD-2021-0001"]
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Warning: ") and "TCT_BUSY_TIMEOUT" in lines[0], run.stderr
    written = desk(*VISIT, "--citizen", "Lê Thị Mai", env={"TCT_BUSY_TIMEOUT": value})
    assert written.exit_code == 0, written.stderr


def test_bad_busy_timeout_does_not_stop_a_backup(desk, tmp_path):
    run = desk("backup", "--to", str(tmp_path / "copy.db"), env={"TCT_BUSY_TIMEOUT": "abc"})
    assert run.exit_code == 0, run.stderr
    assert (tmp_path / "copy.db").exists()
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("value", ["2.5", "0", " 30 ", "", " "])
def test_good_or_blank_busy_timeout_gives_no_warning(desk, value):
    """Blank is unset, as TCT_DB and TCT_OFFICER are."""
    run = desk("visit", "list", env={"TCT_BUSY_TIMEOUT": value})
    assert run.exit_code == 0 and run.stderr == ""


# --- 4. a terminal that cannot show Vietnamese ---------------------------------------------------

@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_output_to_a_non_utf8_terminal_does_not_crash(desk, db_url, encoding):
    run = _process(db_url, "visit", "list", PYTHONIOENCODING=encoding)
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    assert b"TCD-2021-0001" in run.stdout
    assert b"Traceback" not in run.stderr
    refused = _process(db_url, "officer", "add", "Trần Thị Bình", PYTHONIOENCODING=encoding)
    assert refused.returncode == 1 and refused.stderr.startswith(b"Error: "), refused.stderr
    as_json = _process(db_url, "visit", "list", "-f", "json", PYTHONIOENCODING=encoding)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout.decode(encoding))[0]["citizen"] == "Nguyễn Văn Đức"  # escaped, still JSON


def test_utf8_output_is_unchanged(desk, db_url):
    run = _process(db_url, "visit", "list", "-f", "json", PYTHONIOENCODING="utf-8")
    assert run.returncode == 0
    assert "Nguyễn Văn Đức".encode() in run.stdout


# --- 5. TCT_DEBUG --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
def test_tct_debug_off_values_show_no_traceback(db_path, value):
    from typer.testing import CliRunner

    from tct.cli import app

    result = CliRunner().invoke(app, ["--db", str(db_path), "config", "set", "delegation.min_people", "abc"],
                                env={"TCT_DEBUG": value})
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: ")


@pytest.mark.parametrize("value", ["1", "true", "YES", "On"])
def test_tct_debug_on_values_raise(db_path, value):
    from typer.testing import CliRunner

    from tct.cli import app
    from tct.errors import ValidationError

    result = CliRunner().invoke(app, ["--db", str(db_path), "config", "set", "delegation.min_people", "abc"],
                                env={"TCT_DEBUG": value})
    assert isinstance(result.exception, ValidationError)


# --- 6. invisible characters ---------------------------------------------------------------------

INVISIBLE = ["\u200b", "\u200b\u200c\u200d", "\ufeff", "\u00ad", "\u2060 \u200e", "\u200f\u202e\u202c"]


@pytest.mark.parametrize("name", INVISIBLE)
def test_an_invisible_citizen_name_is_refused_like_an_empty_one(desk, name):
    before = _events(desk)
    assert_one_line_error(desk(*VISIT, "--citizen", name), 1, "--citizen")
    assert _events(desk) == before


@pytest.mark.parametrize("name", INVISIBLE)
def test_an_invisible_officer_name_is_refused(desk, name):
    before = _events(desk)
    assert_one_line_error(desk("officer", "add", name), 1, "officer name")
    assert _events(desk) == before


def test_invisible_characters_inside_a_name_are_dropped_and_it_is_found_without_them(desk):
    run = desk(*VISIT, "--citizen", "Lê\u200b Thị\u00ad Mai\ufeff", "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["citizen"] == "Lê Thị Mai"
    found = desk("citizen", "list", "--search", "le thi mai", "-f", "json").json()
    assert [citizen["name"] for citizen in found] == ["Lê Thị Mai"]
    typed_with_one = desk("citizen", "list", "--search", "Mai\u200b", "-f", "json").json()
    assert [citizen["name"] for citizen in typed_with_one] == ["Lê Thị Mai"]


def test_direction_marks_in_visible_text_are_kept_but_not_searched(desk):
    """Right-to-left marks are stored verbatim (README, "Data safety"); a search need not type them."""
    name = "\u200fشارع\u200f Lê"
    run = desk(*VISIT, "--citizen", name, "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["citizen"] == name
    found = desk("citizen", "list", "--search", "شارع le", "-f", "json").json()
    assert [citizen["name"] for citizen in found] == [name]


def test_an_invisible_tct_officer_is_not_the_audit_actor(desk):
    assert desk("config", "set", "agency.name", "Sở A", env={"TCT_OFFICER": "\u200b"}).exit_code == 0
    actor = desk("log", "-f", "json").json()[-1]["actor"]
    assert actor.strip() and "\u200b" not in actor


def test_the_audit_actor_is_stored_nfc_without_invisible_characters(desk):
    import unicodedata

    typed = unicodedata.normalize("NFD", "Trần\u200b Thị Bình")
    assert desk("config", "set", "agency.name", "Sở B", env={"TCT_OFFICER": typed}).exit_code == 0
    assert desk("log", "-f", "json").json()[-1]["actor"] == "Trần Thị Bình"


# --- 7. identity numbers in other digits ---------------------------------------------------------

def test_full_width_id_number_is_the_same_citizen_as_ascii(desk):
    first = desk(*VISIT, "--citizen", "Phạm Văn Hùng", "--id-number", "０９１０７８００１２３４")
    assert first.exit_code == 0, first.stderr
    shown = desk("citizen", "show", "091078001234", "-f", "json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["name"] == "Phạm Văn Hùng"
    assert desk("citizen", "show", "０９１０７８００１２３４").exit_code == 0
    second = desk(*VISIT, "--citizen", "Phạm Văn Hùng", "--id-number", "091078001234")
    assert second.exit_code == 0, second.stderr
    people = [c for c in desk("citizen", "list", "-f", "json").json() if c["name"] == "Phạm Văn Hùng"]
    assert len(people) == 1 and people[0]["visits"] == 2


def test_arabic_indic_digits_are_read_as_digits(desk):
    run = desk(*VISIT, "--citizen", "X", "--id-number", "٠٩١٠٧٨٠٠١٢٣٤", "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert desk("citizen", "show", "091078001234", "-f", "json").json()["name"] == "X"


@pytest.mark.parametrize("typed", ["²²²", "¹²³⁴⁵⁶⁷⁸⁹", "①②③④⑤⑥⑦⑧⑨"])
def test_digit_like_signs_are_not_a_citizen_number(desk, typed):
    run = desk("citizen", "show", "--", typed)
    assert_one_line_error(run, 1, "no citizen")
    before = _events(desk)
    assert_one_line_error(desk(*VISIT, "--citizen", "Y", "--id-number", typed), 1, "--id-number")
    assert _events(desk) == before


# --- 8. a register file readable by others -------------------------------------------------------

def test_an_empty_world_readable_file_given_as_the_register_becomes_private(tct, db_path):
    db_path.parent.mkdir(mode=0o700)
    db_path.touch()
    os.chmod(db_path, 0o644)
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert file_mode(db_path) == 0o600


def test_an_existing_world_readable_register_and_its_wal_become_private(tct, db_path):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    os.chmod(db_path, 0o644)
    reader = sqlite3.connect(db_path)  # keeps the -wal and -shm files after tct closes its connections
    try:
        reader.execute("SELECT count(*) FROM officer").fetchone()
        assert tct("officer", "add", "Lê Văn An").exit_code == 0
        for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            assert path.exists() and file_mode(path) == 0o600, (path, oct(file_mode(path)))
    finally:
        reader.close()


def test_a_world_readable_register_only_read_becomes_private(tct, db_path):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    os.chmod(db_path, 0o640)
    assert tct("visit", "list").exit_code == 0
    assert file_mode(db_path) == 0o600


def test_a_read_only_register_stays_read_only(tct, db_path):
    """Only group and other lose their bits: an owner's 0444 is a choice, kept as 0400."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    os.chmod(db_path, 0o444)
    try:
        tct("visit", "list")
        assert file_mode(db_path) == 0o400
    finally:
        os.chmod(db_path, 0o600)


def test_log_to_before_from_is_refused_as_visit_list_refuses_it(tct):
    assert tct("log", "--from", "01/03/2021", "--to", "01/03/2021").exit_code == 0  # one day: fine
    assert_one_line_error(tct("log", "--from", "01/03/2021", "--to", "01/01/2021"), 1, "--to is before --from")


def test_output_dash_is_stdout_not_a_file_named_dash(tct, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    report = tct("report", "2021-02-01..2021-02-28", "-f", "json", "-o", "-")
    assert report.exit_code == 0 and report.json()["period"]["start"] == "2021-02-01"
    export = tct("export", "-o", "-")
    assert export.exit_code == 0 and export.json()["format"] == "tct-export"
    roster = tct("roster", "export", "-o", "-")
    assert roster.exit_code == 0 and roster.stdout.startswith("officer,date,shift")
    assert not (tmp_path / "-").exists()


def test_a_roster_time_typed_8h_is_eight_oclock_as_for_visits(tct):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    run = tct("roster", "add", "binh", "--date", "10/02/2021", "--start", "8h", "--end", "11H30")
    assert run.exit_code == 0, run.stderr
    shifts = tct("roster", "list", "--from", "10/02/2021", "-f", "json").json()
    assert "08:00" in json.dumps(shifts) and "11:30" in json.dumps(shifts)
    assert_one_line_error(tct("roster", "add", "binh", "--date", "11/02/2021", "--start", "25h", "--end", "26h"),
                          1, "--start")


def test_the_report_header_gives_its_making_time_day_first(tct):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    run = tct("report", "2021-02-01..2021-02-28", "-f", "md")
    assert run.exit_code == 0, run.stderr
    made = re.search(r"(?:Made on|Lập lúc) (\S+ \S+)", run.stdout)
    assert made and re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", made.group(1)), run.stdout[:300]


def test_a_tct_officer_that_names_nobody_is_named_as_the_source(tct):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    base = ["visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "01/02/2021 08:00"]
    for value in ("\u200b", "nobody"):
        assert_one_line_error(tct(*base, env={"TCT_OFFICER": value}), 1, "TCT_OFFICER")


def test_the_case_commands_bound_is_the_librarys():
    """`case list --due-within` writes its bound out (`tct case --help` stays light): the library's."""
    from tct import cases
    from tct.cli import case as case_cli

    option = next(p for p in typer.main.get_command(case_cli.app).commands["list"].params if p.name == "due_within")
    assert option.type.max == cases.MAX_DUE_WITHIN_DAYS
