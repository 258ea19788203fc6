"""Export and import: lossless JSON round trip, denouncers withheld, CSV for spreadsheets, refusals."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import zipfile
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from conftest import assert_one_line_error, file_mode
from tct import exchange
from tct.db import open_database

DENOUNCER = {"name": "Nguyễn Văn Đức", "name_folded": "nguyen van duc", "id_number": "001085012345",
             "address": "12 Lê Lợi, phường Bến Thành", "address_folded": "12 le loi, phuong ben thanh",
             "phone": "0987 654 321"}
OTHER_NAME = "Lê Thị Hoa"


def fill_register(db) -> None:  # type: ignore[no-untyped-def]
    """One row or more in every table, written through the library and the models as tct writes them,
    with a citizen who denounced and also brought a complaint."""
    from tct import audit, settings
    from tct.db import next_number, write_session
    from tct.models import (
        Case,
        CaseExtension,
        CaseFlag,
        CaseStatusChange,
        Citizen,
        DutyShift,
        Officer,
        Period,
        Referral,
        Visit,
    )

    at = datetime(2021, 2, 9, 16, 30, 0, 123456, tzinfo=UTC)
    with write_session(db) as s:
        settings.set_value(s, "agency.name", "Thanh tra Sở Thông tin và Truyền thông", actor="tester")
        settings.set_value(s, "visit.fields", "land; =cmd|' /C calc'!A0; other", actor="tester")
        officer = Officer(name="Trần Thị Bình", name_folded="tran thi binh", title="Thanh tra viên",
                          unit="Thanh tra Sở", phone="0912 345 678", created_at=at)
        retired = Officer(name="Phạm Văn An", name_folded="pham van an", unit="=1+1", active=False, created_at=at,
                          retired_at=at)
        denouncer = Citizen(**DENOUNCER, locality="Quận 1", created_at=at, updated_at=at)
        other = Citizen(name=OTHER_NAME, name_folded="le thi hoa", id_number="079190000001", created_at=at,
                        updated_at=at)
        s.add_all([officer, retired, denouncer, other])
        s.flush()
        audit.record(s, actor="tester", entity="citizen", code=denouncer.id_number, action="create",
                     after={"name": denouncer.name, "id_number": denouncer.id_number, "phone": denouncer.phone})
        cases = []
        for kind, who, summary in (("complaint", other, "Tranh chấp ranh giới đất"),
                                   ("denunciation", denouncer, "Tố cáo cán bộ địa chính nhận tiền"),
                                   ("complaint", denouncer, "Khiếu nại quyết định thu hồi đất")):
            seq = next_number(s, "case", 2021)
            case = Case(code=f"VV-2021-{seq:04d}", year=2021, seq=seq, type=kind, field="land", locality="Quận 1",
                        locality_folded="quan 1", summary=summary, search_folded=f"{summary} {who.name_folded}",
                        opened_on=date(2021, 2, 9), first_visit_on=date(2021, 2, 9),  # (as open_case keeps it)
                        deadline=date(2021, 3, 11), citizen_id=who.id,
                        created_at=at, updated_at=at)
            s.add(case)
            cases.append(case)
        s.flush()
        s.add(CaseStatusChange(case_id=cases[0].id, changed_on=date(2021, 2, 10), at=at, from_status="new",
                               to_status="accepted", actor="tester"))
        cases[0].status, cases[0].accepted_on = "accepted", date(2021, 2, 10)  # as cases.transition keeps them
        cases[0].status_changed_on = date(2021, 2, 10)
        s.add(CaseExtension(case_id=cases[1].id, days=30, reason="vụ việc phức tạp", at=at, actor="tester"))
        s.add(CaseFlag(case_id=cases[0].id, kind="crowd", source="auto", set_at=at, set_by="tct",
                       cleared_at=at, cleared_by="tester", clear_reason="nhầm"))
        s.add(Referral(case_id=cases[1].id, to_agency="Thanh tra tỉnh", sent_on=date(2021, 2, 11), at=at,
                       actor="tester"))
        for case, who, kind, representatives in ((cases[0], other, "complaint", None),
                                                 (cases[1], denouncer, "denunciation", "Nguyễn Văn Đức, Bùi Văn F"),
                                                 (cases[2], denouncer, "complaint", None)):
            seq = next_number(s, "visit", 2021)
            s.add(Visit(code=f"TCD-2021-{seq:04d}", year=2021, seq=seq, case_id=case.id, citizen_id=who.id,
                        officer_id=officer.id, visited_at=at, visit_date=date(2021, 2, 9), people=6 if
                        representatives else 1, delegation=bool(representatives), representatives=representatives,
                        type=kind, field="land", content=f"Công dân {who.name} trình bày", note=None,
                        search_folded=f"{who.name_folded} {who.id_number}", created_at=at, updated_at=at))
        s.add(DutyShift(officer_id=officer.id, shift_date=date(2021, 2, 10), shift="morning", start_time=time(7, 30),
                        end_time=time(11, 30), location="Phòng tiếp công dân", created_at=at))
        s.add(Period(name="tet-2021", title="Tết Tân Sửu 2021", start=date(2021, 2, 10), end=date(2021, 2, 16),
                     before_days=7, after_days=7, created_at=at))


@pytest.fixture
def filled(database):  # type: ignore[no-untyped-def]
    fill_register(database)
    return database


def _export(tct, *args: str) -> bytes:  # type: ignore[no-untyped-def]
    run = tct("export", *args)
    assert run.exit_code == 0, run.stderr
    return run.stdout.encode("utf-8")


def test_every_table_is_filled_by_the_test_data(filled):
    from tct.models import ALL_TABLES

    document, _ = exchange.snapshot(filled, reveal=True)
    assert set(document["tables"]) == set(ALL_TABLES)
    assert all(document["tables"][name] for name in ALL_TABLES), {k: len(v) for k, v in document["tables"].items()}


# (A warning of SQLAlchemy's while the import reads its scratch schema would reach the user's terminal.)
@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_export_import_export_is_byte_identical_with_reveal(tct, filled, tmp_path):
    first = tmp_path / "first.json"
    assert tct("export", "--reveal", "--output", str(first)).exit_code == 0
    before = exchange.load(first)
    target = tmp_path / "copy" / "tct.db"
    run = tct("--db", str(target), "import", str(first), db=False)
    assert run.exit_code == 0, run.stderr
    second = tmp_path / "second.json"
    # The copy now holds the first file's data verbatim (ids, audit events, counters); its own reveal export
    # adds an event only after reading, so this second file is the first one byte for byte.
    assert tct("--db", str(target), "export", "--reveal", "-o", str(second), db=False).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    # Import itself recorded nothing: the copy's audit trail is the original's plus the one reveal above.
    copy = open_database(str(target))
    try:
        after, _ = exchange.snapshot(copy, reveal=True)
    finally:
        copy.dispose()
    events = after["tables"]["audit_event"]
    assert events[:-1] == before["tables"]["audit_event"]
    assert events[-1]["action"] == "export-reveal"
    assert tct("--db", str(target), "db", "check", db=False).exit_code == 0


def test_export_is_deterministic_and_ordered_by_primary_key(tct, filled):
    from tct.db import SCHEMA_HEAD

    one, two = _export(tct, "--reveal"), _export(tct, "--reveal")
    # Each reveal adds an audit event after its snapshot: the later file has one more event, nothing else.
    first, second = json.loads(one), json.loads(two)
    assert len(second["tables"]["audit_event"]) == len(first["tables"]["audit_event"]) + 1
    second["tables"]["audit_event"].pop()
    assert first == second
    assert _export(tct) == _export(tct)  # without --reveal nothing is recorded: the same bytes
    document = json.loads(one)
    assert document["format_version"] == exchange.FORMAT_VERSION and document["schema"] == SCHEMA_HEAD
    for rows in document["tables"].values():
        if rows and "id" in rows[0]:
            assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    visit = document["tables"]["visit"][0]
    assert visit["visited_at"] == "2021-02-09T16:30:00.123456+00:00" and visit["visit_date"] == "2021-02-09"
    assert document["tables"]["duty_shift"][0]["start_time"] == "07:30:00"


def test_denouncer_identity_is_withheld_everywhere_unless_reveal(tct, filled):
    data = _export(tct).decode("utf-8")
    for key, value in DENOUNCER.items():
        assert value not in data, (key, value)
    document = json.loads(data)
    assert document["identities"] == "withheld"
    citizens = {row["id_number"]: row for row in document["tables"]["citizen"] if row["id_number"]}
    assert OTHER_NAME in data and "079190000001" in citizens  # a complainant alone is not withheld
    protected = [row for row in document["tables"]["citizen"] if row["name"] == exchange.PLACEHOLDER]
    assert len(protected) == 1
    assert protected[0]["id_number"] is None and protected[0]["address"] is None and protected[0]["phone"] is None
    # The denouncer's complaint visit (not a denunciation) is protected too: it would name them.
    visits = document["tables"]["visit"]
    assert [v["citizen_id"] for v in visits].count(protected[0]["id"]) == 2
    assert all(exchange.PLACEHOLDER in v["content"] for v in visits if v["citizen_id"] == protected[0]["id"])
    assert visits[1]["representatives"] == exchange.PLACEHOLDER
    assert "Thanh tra tỉnh" in data  # everything else is there


def test_reveal_includes_identities_and_is_audited_after_the_snapshot(tct, filled):
    run = tct("export", "--reveal", "--officer", "Trần Thị Bình")
    assert run.exit_code == 0, run.stderr
    document = run.json()
    assert document["identities"] == "revealed"
    assert all(value in run.stdout for value in DENOUNCER.values())
    assert not [e for e in document["tables"]["audit_event"] if e["action"] == "export-reveal"]
    log = tct("log", "--format", "json").json()
    assert log[-1]["action"] == "export-reveal" and log[-1]["actor"] == "Trần Thị Bình"
    assert log[-1]["changes"]["after"]["output"] == "stdout"


def test_a_reveal_to_stdout_that_cannot_be_recorded_shows_nobody(tct, filled, db_path, monkeypatch):
    """The document goes out as it is read, so its reveal is recorded before the first byte: were it
    recorded after, a register locked past the timeout would have shown every identity with no
    trace of who saw them."""
    filled.dispose()
    events = len(tct("log", "-f", "json").json())
    monkeypatch.setenv("TCT_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another desk's write, longer than the timeout
    try:
        run = tct("export", "--reveal")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.exit_code == 3, run.stderr
    assert run.stdout == ""
    assert len(tct("log", "-f", "json").json()) == events
    assert tct("export").exit_code == 0  # withheld, nothing to record: the lock does not stop it


def test_a_reveal_to_stdout_of_a_register_in_rollback_journal_mode_is_recorded_first(tct, filled, db_path):
    """Such a file (a backup opened as the register) takes no write while it is read: the reveal is
    recorded before the snapshot, which then holds it."""
    filled.dispose()
    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    con.close()
    run = tct("export", "--reveal", "--officer", "Trần Thị Bình")
    assert run.exit_code == 0, run.stderr
    assert all(value in run.stdout for value in DENOUNCER.values())
    own = [e for e in run.json()["tables"]["audit_event"] if e["action"] == "export-reveal"]
    assert [e["actor"] for e in own] == ["Trần Thị Bình"]
    assert tct("log", "-f", "json").json()[-1]["action"] == "export-reveal"


def test_withheld_export_round_trips_and_stays_withheld(tct, filled, tmp_path):
    first = tmp_path / "masked.json"
    assert tct("export", "-o", str(first)).exit_code == 0
    target = tmp_path / "copy.db"
    run = tct("--db", str(target), "import", str(first), db=False)
    assert run.exit_code == 0, run.stderr
    assert "withheld" in run.stderr
    second = tmp_path / "again.json"
    assert tct("--db", str(target), "export", "-o", str(second), db=False).exit_code == 0
    assert second.read_bytes() == first.read_bytes()


def test_import_counts_the_denouncers_an_export_withheld_as_the_export_did(tct, tmp_path):
    """A namesake of a denouncer carries the placeholder too (a value is withheld wherever it
    appears), but is no denouncer: import says what export said, one."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    for args in (("--id-number", "079123456780", "--type", "denunciation"), ("--type", "complaint")):
        run = tct("visit", "add", "--citizen", "Phạm Văn Tố", *args, "--field", "land", "--officer", "binh",
                  "--at", "04/02/2021 09:00")
        assert run.exit_code == 0, run.stderr
    exported = tct("export", "-o", str(tmp_path / "masked.json"))
    assert exported.exit_code == 0 and " 1 denouncer(s)" in exported.stderr
    for extra in (["--check"], []):
        run = tct("--db", str(tmp_path / "copy.db"), "import", str(tmp_path / "masked.json"), *extra, db=False)
        assert run.exit_code == 0, run.stderr
        assert " 1 denouncer(s)" in run.stderr and " 2 denouncer(s)" not in run.stderr


def test_import_into_a_non_empty_register_is_refused_and_changes_nothing(tct, filled, tmp_path):
    exported = tmp_path / "e.json"
    assert tct("export", "--reveal", "-o", str(exported)).exit_code == 0
    before = _export(tct, "--reveal")
    run = tct("import", str(exported))
    assert_one_line_error(run, 1, "not empty")
    assert json.loads(_export(tct, "--reveal"))["tables"]["visit"] == json.loads(before)["tables"]["visit"]


def test_import_check_validates_without_writing(tct, filled, tmp_path):
    exported = tmp_path / "e.json"
    assert tct("export", "--reveal", "-o", str(exported)).exit_code == 0
    target = tmp_path / "empty.db"
    run = tct("--db", str(target), "import", "--check", str(exported), "--format", "json", db=False)
    assert run.exit_code == 0, run.stderr
    assert run.json()["checked_only"] is True and run.json()["counts"]["visit"] == 3
    con = sqlite3.connect(target)
    assert con.execute("SELECT count(*) FROM visit").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM audit_event").fetchone()[0] == 0
    con.close()


def _broken_copy(source: Path, target: Path, change) -> Path:  # type: ignore[no-untyped-def]
    document = json.loads(source.read_text(encoding="utf-8"))
    change(document["tables"])
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return target


def test_bad_rows_are_named_and_nothing_is_imported(tct, filled, tmp_path):
    exported = tmp_path / "e.json"
    assert tct("export", "--reveal", "-o", str(exported)).exit_code == 0

    def bad_values(tables):  # type: ignore[no-untyped-def]
        tables["visit"][1]["visit_date"] = "10/02/2021"
        tables["officer"][0]["active"] = "yes"

    bad = _broken_copy(exported, tmp_path / "bad.json", bad_values)
    target = tmp_path / "new.db"
    for args in (("import", "--check", str(bad)), ("import", str(bad))):
        run = tct("--db", str(target), *args, db=False)
        assert_one_line_error(run, 1, "visit row 2: visit_date", "officer row 1: active", "nothing was imported")

    def dangling(tables):  # type: ignore[no-untyped-def]
        tables["visit"][0]["officer_id"] = 999

    orphan = _broken_copy(exported, tmp_path / "orphan.json", dangling)
    for args in (("import", "--check", str(orphan)), ("import", str(orphan))):  # named by table, row and column
        run = tct("--db", str(target), *args, db=False)
        assert_one_line_error(run, 1, "visit row 1: officer_id 999 points to no officer row", "nothing was imported")

    def twice(tables):  # type: ignore[no-untyped-def]
        tables["visit"][1]["id"] = tables["visit"][0]["id"]

    doubled = _broken_copy(exported, tmp_path / "twice.json", twice)
    run = tct("--db", str(target), "import", str(doubled), db=False)
    assert_one_line_error(run, 1, f"visit row 2: id {json.loads(doubled.read_text())['tables']['visit'][0]['id']} "
                                  "is row 1's too", "nothing was imported")
    con = sqlite3.connect(target)
    tables = ("visit", "officer", "audit_event")
    assert sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables) == 0
    con.close()


@pytest.mark.parametrize("counters", ["emptied", "behind"])
def test_code_counters_behind_the_codes_are_refused_naming_the_table(tct, filled, tmp_path, counters):
    """An export whose code_counter is empty (or behind a year's codes) would leave a register whose
    next visit takes a code already used: refused, by --check too, naming code_counter; nothing is
    imported. (Mending it on the way would import rows the export does not hold.)"""
    exported = tmp_path / "e.json"
    assert tct("export", "--reveal", "-o", str(exported)).exit_code == 0
    codes = json.loads(exported.read_text(encoding="utf-8"))["tables"]
    highest = max(row["seq"] for row in codes["visit"] if row["year"] == codes["visit"][-1]["year"])
    year = codes["visit"][-1]["year"]

    def change(tables):  # type: ignore[no-untyped-def]
        if counters == "emptied":
            tables["code_counter"] = []
        else:
            for row in tables["code_counter"]:
                if row["kind"] == "visit" and row["year"] == year:
                    row["last"] = highest - 1

    bad = _broken_copy(exported, tmp_path / "bad.json", change)
    target = tmp_path / "new.db"
    for args in (("import", "--check", str(bad)), ("import", str(bad))):
        run = tct("--db", str(target), *args, db=False)
        expected = (f"code_counter: no visit counter for {year}" if counters == "emptied"
                    else f"code_counter: the visit counter of {year} is at {highest - 1}")
        assert_one_line_error(run, 1, expected, f"go up to {highest}", "nothing was imported")
    con = sqlite3.connect(target)
    assert con.execute("SELECT count(*) FROM visit").fetchone()[0] == 0
    con.close()
    # The export as tct wrote it still imports, and the next visit takes the next code.
    assert tct("--db", str(target), "import", str(exported), db=False).exit_code == 0
    added = tct("--db", str(target), "visit", "add", "--citizen", "Đỗ Thị Mới", "--type", "complaint", "--field",
                "land", "--officer", codes["officer"][0]["name"], "--at", f"11/02/{year} 09:00", db=False)
    assert added.exit_code == 0, added.stderr


def test_values_tct_never_writes_are_refused_before_they_break_later_commands(tct, filled, tmp_path):
    """Types allow them, tct never writes them, and a register holding them fails at every command."""
    exported = tmp_path / "e.json"
    assert tct("export", "--reveal", "-o", str(exported)).exit_code == 0
    import datetime as dt

    def nonsense(tables):  # type: ignore[no-untyped-def]
        stamp = dt.datetime(2021, 1, 6).isoformat() + "+00:00"
        tables["setting"] = [row for row in tables["setting"]
                             if row["key"] not in ("visit.fields", "delegation.min_people", "timezone")]
        tables["setting"] += [{"key": "visit.fields", "value": "5", "updated_at": stamp},
                              {"key": "delegation.min_people", "value": '"abc"', "updated_at": stamp},
                              {"key": "timezone", "value": '"Mars/Base"', "updated_at": stamp}]
        tables["visit"][0]["people"] = -1
        tables["visit"][1]["type"] = "bogus"
        tables["cases"][0]["status"] = "bogus"

    bad = _broken_copy(exported, tmp_path / "bad.json", nonsense)
    target = tmp_path / "new.db"
    for args in (("import", "--check", str(bad)), ("import", str(bad))):
        run = tct("--db", str(target), *args, db=False)
        assert_one_line_error(run, 1, "visit.fields", "delegation.min_people", "timezone", "visit row 1: people",
                              "visit row 2: type 'bogus'", "cases row 1: status 'bogus'", "nothing was imported")
    assert tct("--db", str(target), "import", str(exported), db=False).exit_code == 0  # the good one still goes in


def test_a_file_that_is_not_an_export_is_refused(tct, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "tct-export",\n "tables": {,}}\n')
    assert_one_line_error(tct("import", str(broken)), 1, "not valid JSON", "line 2")
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    assert_one_line_error(tct("import", str(other)), 1, "not a tct export")
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"format": "tct-export", "format_version": 1, "schema": "9999",
                                 "identities": "revealed", "tables": {}}))
    assert_one_line_error(tct("import", str(newer)), 1, "newer")
    for schema in (5, "0000", None):  # not a schema at all: not called newer
        odd = tmp_path / "odd.json"
        odd.write_text(json.dumps({"format": "tct-export", "format_version": 1, "schema": schema,
                                   "identities": "revealed", "tables": {}}))
        assert_one_line_error(tct("import", str(odd)), 1, "is not a tct schema")
    assert_one_line_error(tct("import", str(tmp_path / "missing.json")), 1, "no file")
    assert_one_line_error(tct("import"), 2, "FILE")
    # in the desk's language too
    said = tct("--lang", "vi", "import", str(other))
    assert said.exit_code == 1
    assert said.stderr == f'Lỗi: {other} không phải bản xuất của tct (không có "format": "tct-export")\n'
    said = tct("--lang", "vi", "import", str(broken))
    assert said.exit_code == 1 and said.stderr.startswith(f"Lỗi: {broken} không phải JSON hợp lệ (dòng 2, cột ")


def test_an_export_of_an_older_schema_is_upgraded_on_the_way_in(tct, tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps({
        "format": "tct-export", "format_version": 1, "schema": "0001", "identities": "revealed",
        "tables": {"setting": [{"key": "agency.name", "value": "\"Thanh tra Sở\"",
                                "updated_at": "2021-01-06T00:00:00+00:00"}],
                   "audit_event": [{"id": 7, "at": "2021-01-06T00:00:00+00:00", "actor": "a", "entity": "setting",
                                    "code": "agency.name", "action": "set", "changes": None, "reason": None}],
                   "code_counter": []}}, ensure_ascii=False))
    run = tct("import", str(old))
    assert run.exit_code == 0, run.stderr
    assert tct("config", "get", "agency.name").stdout.strip() == "Thanh tra Sở"
    assert tct("log", "-f", "json").json()[0]["id"] == 7


def test_export_files_are_private_whatever_the_umask(tct, filled, tmp_path):
    old = os.umask(0)
    try:
        json_file = tmp_path / "out" / "register.json"
        assert tct("export", "-o", str(json_file)).exit_code == 0
        folder = tmp_path / "csv"
        assert tct("export", "-f", "csv", "-o", str(folder)).exit_code == 0
        archive = tmp_path / "register.zip"
        assert tct("export", "-f", "csv", "-o", str(archive)).exit_code == 0
    finally:
        os.umask(old)
    assert file_mode(json_file) == 0o600 and file_mode(json_file.parent) == 0o700
    assert file_mode(folder) == 0o700 and file_mode(archive) == 0o600
    assert all(file_mode(path) == 0o600 for path in folder.iterdir())
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_what_a_killed_export_left_beside_its_file_is_swept_by_the_next(tct, filled, tmp_path):
    """`kill -9` (or a power cut) mid-export leaves its temporary file, part file or CSV staging
    folder: rows of personal data (with --reveal, denouncers' identities no audit event records).
    The next export to that name removes those of a process that is gone, and nothing else."""
    import subprocess
    import sys

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    out = tmp_path / "out"
    out.mkdir()
    left = [out / f".register.json.{dead}.tmp", out / f".register.json.{dead}.part"]
    for path in left:
        path.write_bytes(b'{"format": "tct-export", "tables": {"citizen": [')
    staging = out / f".csv.{dead}.tmp"
    staging.mkdir()
    (staging / "citizen.csv").write_text("id,name\n1,Nguyễn Văn A\n", encoding="utf-8")
    alive = out / f".register.json.{os.getppid()}.tmp"  # (a process still running: never touched)
    others = [alive, out / f".other.json.{dead}.tmp", out / "notes.txt"]
    for path in others:
        path.write_bytes(b"x")
    assert tct("export", "-o", str(out / "register.json")).exit_code == 0
    assert tct("export", "-f", "csv", "-o", str(out / "csv")).exit_code == 0
    assert not [path for path in [*left, staging] if path.exists()]
    assert all(path.exists() for path in others)


def test_csv_export_is_one_file_per_table_in_a_folder_or_zip(tct, filled, tmp_path):
    from tct.models import ALL_TABLES

    folder = tmp_path / "csv"
    assert tct("export", "-f", "csv", "-o", str(folder)).exit_code == 0
    assert {p.name for p in folder.iterdir()} == {f"{t}.csv" for t in ALL_TABLES} | {exchange.META_FILE}
    visits = list(csv.DictReader(io.StringIO((folder / "visit.csv").read_text(encoding="utf-8"))))
    assert [v["code"] for v in visits] == ["TCD-2021-0001", "TCD-2021-0002", "TCD-2021-0003"]
    assert DENOUNCER["name"] not in (folder / "citizen.csv").read_text(encoding="utf-8")
    assert ",'=1+1," in (folder / "officer.csv").read_text(encoding="utf-8")  # a spreadsheet shows it as text
    archive = tmp_path / "register.zip"
    assert tct("export", "-f", "csv", "-o", str(archive)).exit_code == 0
    with zipfile.ZipFile(archive) as opened:
        assert set(opened.namelist()) == {p.name for p in folder.iterdir()}
        assert opened.read("visit.csv") == (folder / "visit.csv").read_bytes()
    first = archive.read_bytes()
    assert_one_line_error(tct("export", "-f", "csv", "-o", str(archive)), 1, "--force")
    assert tct("export", "-f", "csv", "-o", str(archive), "--force").exit_code == 0
    assert archive.read_bytes() == first
    assert_one_line_error(tct("export", "-f", "csv"), 2, "--output")
    # Without --format, a .zip is the CSV files zipped (not JSON under that name); anything else JSON.
    assert tct("export", "-o", str(tmp_path / "again.ZIP")).exit_code == 0
    assert (tmp_path / "again.ZIP").read_bytes() == first
    assert tct("export", "-o", str(tmp_path / "e.txt")).exit_code == 0
    assert json.loads((tmp_path / "e.txt").read_text(encoding="utf-8"))["format"] == "tct-export"


# --- streaming: the same bytes as the whole-document export, in bounded memory ---------------------

def _reference_export(db, reveal: bool) -> bytes:  # type: ignore[no-untyped-def]
    """The export as tct wrote it before it streamed (the whole document in memory), kept here as
    the reference the streamed files must equal byte for byte."""
    import re

    from sqlalchemy import select

    def plain(value):  # type: ignore[no-untyped-def]
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
        return value.isoformat() if isinstance(value, date | time) else value

    with exchange._snapshot_connection(db) as conn:
        data = {table.name: [{k: plain(v) for k, v in row._mapping.items()}
                             for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
                for table in exchange._tables()}
        schema = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if not reveal:
        protected = exchange.protected_citizens(data)
        secrets: set[str] = set()
        for row in data["citizen"]:
            if row["id"] in protected:
                for key in ("name", "name_folded", "id_number", "address", "address_folded", "phone"):
                    value = row[key]
                    if isinstance(value, str) and len(value.strip()) >= 3:
                        secrets |= {value, json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1]}
                for key in ("name", "name_folded", "id_number", "address", "address_folded", "phone", "locality"):
                    row[key] = exchange.PLACEHOLDER if key in ("name", "name_folded") else None
        ordered = sorted(secrets, key=lambda s: (-len(s), s))
        finder = re.compile("|".join(map(re.escape, ordered))).search if ordered else lambda _text: None
        cases = {row["id"] for row in data["cases"] if row["type"] == "denunciation"}
        for table, rows in data.items():
            for row in rows:
                if table == "visit" and row["representatives"] and (row["type"] == "denunciation"
                                                                    or row["case_id"] in cases):
                    row["representatives"] = exchange.PLACEHOLDER
                if not finder("\x00".join(v for v in row.values() if isinstance(v, str))):
                    continue
                for key, value in row.items():
                    if isinstance(value, str) and value != exchange.PLACEHOLDER:
                        for secret in ordered:
                            if secret in value:
                                value = value.replace(secret, exchange.PLACEHOLDER)
                        row[key] = value
    document = {"format": "tct-export", "format_version": 1, "schema": str(schema),
                "identities": "revealed" if reveal else "withheld", "tables": data}
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def _add_lookalikes(db, date_like: bool) -> None:  # type: ignore[no-untyped-def]
    """Text that holds the denouncer's values inside other words, beside each other, escaped as in
    JSON, cells that are exactly one of their values, and a citizen whose name starts with the
    denouncer's: the cases a search must get exactly right. With `date_like`, a second denouncer
    whose values could be part of a date or time, so dates and times must be searched too."""
    from tct.db import write_session
    from tct.models import AuditEvent, Case, Citizen

    at = datetime(2021, 2, 9, 16, 30, tzinfo=UTC)
    texts = [f"x{DENOUNCER['name']}y and {DENOUNCER['phone']}{DENOUNCER['id_number']}",
             json.dumps({"name": DENOUNCER["name"], "address": DENOUNCER["address"]}),
             f"{DENOUNCER['name_folded']}s, {DENOUNCER['address_folded'].upper()} {DENOUNCER['address_folded']}",
             "Nguyễn Văn Đứ and Nguyễn Văn", f"[withheld]{DENOUNCER['id_number'][:6]}", DENOUNCER["phone"],
             DENOUNCER["address_folded"]]
    with write_session(db) as s:
        s.add(Citizen(name=DENOUNCER["name"] + " Anh", name_folded=DENOUNCER["name_folded"] + " anh",
                      created_at=at, updated_at=at))
        # someone else of the same name and address: withheld too (the value, wherever it is)
        s.add(Citizen(name=DENOUNCER["name"], name_folded=DENOUNCER["name_folded"], address=DENOUNCER["address"],
                      created_at=at, updated_at=at))
        for text in texts:
            s.add(AuditEvent(at=at, actor="tester", entity="citizen", action="note", changes=text, reason=text))
        if date_like:
            odd = Citizen(name="16:30", name_folded="16:30", address="2021-02-09", phone="x\\u0041y",
                          address_folded='Đa"b kho', created_at=at, updated_at=at)
            s.add(odd)
            nested = json.dumps(json.dumps({"a": 'Đa"b kho'}, ensure_ascii=False))  # JSON in JSON: not a form
            s.add(AuditEvent(at=at, actor="tester", entity="citizen", action="note", changes=nested, reason=None))
            s.add(AuditEvent(at=at, actor="tester", entity="citizen", action="note", changes="phone x\\u0041y",
                             reason=json.dumps("x\\u0041y")))
            s.flush()
            s.add(Case(code="VV-2021-0099", year=2021, seq=99, type="denunciation", field="land", summary="x",
                       opened_on=date(2021, 2, 9), deadline=date(2021, 3, 11), citizen_id=odd.id,
                       created_at=at, updated_at=at))


@pytest.mark.parametrize("date_like", [False, True])
@pytest.mark.parametrize("reveal", [False, True])
def test_streamed_export_equals_the_whole_document_export(filled, tmp_path, reveal, date_like, monkeypatch):
    monkeypatch.setattr(exchange, "_BATCH", 3)  # batches of a few rows: cells found across many batches
    _add_lookalikes(filled, date_like)
    expected = _reference_export(filled, reveal)
    if not reveal:  # the reference itself withholds what it must
        assert DENOUNCER["name"].encode() not in expected and DENOUNCER["phone"].encode() not in expected
        assert (b"16:30" in expected) is not date_like and b"u0041" not in expected
    document, protected = exchange.snapshot(filled, reveal=reveal)
    assert exchange.to_bytes(document) == expected and protected == (0 if reveal else 1 + date_like)
    target = tmp_path / "e.json"
    result = exchange.export(filled, output=target, reveal=reveal, actor="tester")
    assert target.read_bytes() == expected
    if filled.is_sqlite and not reveal:  # read with the sqlite3 module alone (tct export's plain path)
        assert exchange.export(filled.path, reveal=False, actor="tester").data == expected
    assert result.counts == {name: len(rows) for name, rows in json.loads(expected)["tables"].items()}
    assert result.protected_citizens == protected
    if not reveal:  # a reveal export adds its audit event: the next export differs by it
        assert exchange.export(filled, reveal=reveal, actor="tester").data == expected
        archive = tmp_path / "e.zip"
        exchange.export(filled, fmt="csv", output=archive, reveal=reveal, actor="tester")
        with zipfile.ZipFile(archive) as opened:
            visits = list(csv.DictReader(io.StringIO(opened.read("visit.csv").decode("utf-8"))))
            events = list(csv.DictReader(io.StringIO(opened.read("audit_event.csv").decode("utf-8"))))
        assert [v["content"] for v in visits] == [v["content"] for v in document["tables"]["visit"]]
        assert [e["changes"] for e in events] == [e["changes"] or "" for e in document["tables"]["audit_event"]]


def test_export_streams_in_memory_far_below_its_size(database, tmp_path, monkeypatch):
    """Memory must not grow with the register: export holds a batch of rows, not the document."""
    import tracemalloc

    from tct.db import write_session
    from tct.models import Case, Citizen, Officer, Visit

    at = datetime(2021, 2, 9, 16, 30, tzinfo=UTC)
    with write_session(database) as s:
        officer = Officer(name="Trần Thị Bình", name_folded="tran thi binh", created_at=at)
        citizens = [Citizen(name=f"Nguyễn Văn {i}", name_folded=f"nguyen van {i}", created_at=at, updated_at=at)
                    for i in range(2)]
        s.add_all([officer, *citizens])
        s.flush()
        case = Case(code="VV-2021-0001", year=2021, seq=1, type="denunciation", field="land", summary="x",
                    opened_on=date(2021, 2, 9), deadline=date(2021, 3, 11), citizen_id=citizens[0].id,
                    created_at=at, updated_at=at)
        s.add(case)
        s.flush()
        s.add_all([Visit(code=f"TCD-2021-{i:05d}", year=2021, seq=i, case_id=case.id, citizen_id=citizens[i % 2].id,
                         officer_id=officer.id, visited_at=at, visit_date=date(2021, 2, 9), type="complaint",
                         field="land", content=f"Công dân Nguyễn Văn {i % 2} trình bày " + "nội dung " * 20,
                         search_folded=f"nguyen van {i % 2}", created_at=at, updated_at=at)
                   for i in range(1, 6001)])
    monkeypatch.setattr(exchange, "_BATCH", 100)
    target = tmp_path / "big.json"
    exchange.export(database, output=target, actor="tester")  # modules and caches loaded first
    tracemalloc.start()
    try:
        exchange.export(database, output=target, actor="tester", force=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = target.stat().st_size
    assert size > 5_000_000
    assert peak < size / 3, (peak, size)  # the whole document in memory takes several times its size


_PIECES = list("ab[]wihtdel \x00\\u\"Nguyễn𝕏😀e\u0301Đ0123:-T.+") + ["\\u0110", "None", exchange.PLACEHOLDER, "\n"]


@pytest.mark.parametrize("anchor", [exchange._ANCHOR, 3])  # 3: many values share an anchor
def test_withholding_a_batch_replaces_every_value_as_one_by_one_replacement_does(anchor, monkeypatch):
    """The automaton's search, the whole-cell shortcut, the columns remembered clean and the lazily
    built escaped forms give what replacing each value in turn (longest first) in each cell gives:
    values inside, beside and across each other, the placeholder, NUL, "None", astral and combining
    characters, values longer than an anchor that begin alike."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    monkeypatch.setattr(exchange, "_ANCHOR", anchor)
    table = exchange._described(next(table for table in exchange._tables() if table.name == "audit_event"))
    columns = table.columns
    textual = [index for index, name in enumerate(columns) if name not in ("id", "at")]
    piece = st.sampled_from(_PIECES)
    fragment = st.lists(piece, max_size=8).map("".join)
    value = st.lists(piece, min_size=3, max_size=8).map("".join).filter(lambda v: len(v.strip()) >= 3)

    @st.composite
    def batches(draw):  # type: ignore[no-untyped-def]
        raws = draw(st.lists(value, min_size=1, max_size=5))
        if draw(st.booleans()):  # longer than an anchor, beginning alike
            stem = draw(st.text(alphabet="xyzĐ𝕏", min_size=22, max_size=26))
            raws += [stem + draw(fragment) for _ in range(draw(st.integers(1, 3)))]
        secrets = {form for raw in raws for form in (raw, json.dumps(raw, ensure_ascii=False)[1:-1],
                                                     json.dumps(raw)[1:-1])}
        pool = sorted(secrets) + [exchange.PLACEHOLDER, "None", "\x00"]
        cell = st.one_of(st.none(), st.lists(st.one_of(fragment, st.sampled_from(pool)), max_size=5).map("".join),
                         st.sampled_from(pool))
        rows = draw(st.lists(st.lists(cell, min_size=len(textual), max_size=len(textual)), min_size=1, max_size=6))
        return secrets, rows

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(batches())
    def check(case):  # type: ignore[no-untyped-def]
        secrets, rows = case
        batch: list = []
        for row in rows * 4:  # values that repeat: columns found clean are remembered across batches
            batch += [1, "2021-02-09T16:30:00+00:00", *row]
        ordered = sorted(secrets, key=lambda secret: (-len(secret), secret))
        expected = []
        for value in batch:
            # (a timestamp too: "30:" could be part of one, as _reference_export replaces it there)
            if isinstance(value, str) and value != exchange.PLACEHOLDER:
                for secret in ordered:
                    if secret in value:
                        value = value.replace(secret, exchange.PLACEHOLDER)
            expected.append(value)
        withholding = exchange._Withholding(protected=set(), denunciation_cases=set(),
                                            secrets=exchange._Secrets(secrets))
        mask = withholding.masker(table, columns)
        half = len(rows) * 2 * len(columns)
        first, second = batch[:half], batch[half:]
        mask(first)
        mask(second)
        assert first + second == expected

    check()


def test_a_plain_sqlite_read_writes_values_off_the_fast_paths_as_sqlalchemy_reads_them(filled, tmp_path):
    """Timestamps without microseconds, a day as an ISO week date, a time with a fraction, a
    boolean stored as 2: the sqlite3 path falls back to SQLAlchemy's own reading of each."""
    if not filled.is_sqlite:
        pytest.skip("the plain path reads SQLite registers")
    with sqlite3.connect(filled.path) as con:
        con.execute("UPDATE visit SET visited_at = '2021-02-09 16:30:00', visit_date = '2021-W06-2', "
                    "delegation = 2 WHERE id = (SELECT min(id) FROM visit)")
        con.execute("UPDATE duty_shift SET start_time = '07:30:00.250000'")
    expected = _reference_export(filled, reveal=False)
    assert b'"visit_date": "2021-02-09"' in expected and b'"start_time": "07:30:00.250000"' in expected
    assert exchange.export(filled.path, actor="tester").data == expected
    assert exchange.export(filled, actor="tester").data == expected


def test_sqlite_declares_each_column_of_the_kind_the_models_give_it(database):
    from tct.db import TABLE_NAMES

    with exchange._snapshot(database) as snap:
        modelled = {table.name: table for table in snap.tables()}
    if not database.is_sqlite:
        pytest.skip("declared types are SQLite's")
    with sqlite3.connect(database.path) as con:
        for name in TABLE_NAMES:
            declared = exchange._sqlite_described(con, name)
            assert (set(declared.columns), declared.key, declared.kinds) == (
                set(modelled[name].columns), modelled[name].key, modelled[name].kinds), name


@pytest.mark.parametrize("kind", ["timestamp", "time", "date", "bool"])
def test_a_column_converted_at_once_equals_its_values_converted_one_by_one(kind):
    """The whole-column paths for SQLite's text forms either decline (None) or give exactly what the
    value-by-value paths give, whatever mix of forms, NULLs and other values a column holds."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    def exact(value):  # type: ignore[no-untyped-def]
        return ("exact", value)  # what SQLAlchemy would read: never produced by a fast path

    digits = st.integers(0, 9).map(str)
    forms = {
        "timestamp": (exchange._sqlite_timestamp(exact), exchange._timestamp_column,
                      st.one_of(st.builds(lambda d, f: f"2021-02-0{d} 16:3{d}:00{f}", digits,
                                          st.sampled_from([".000000", ".123456", ""])),
                                st.sampled_from(["2021-02-09T16:30:00", "2021-02-09 16:30:00.1", "x" * 26]))),
        "time": (exchange._sqlite_time(exact), exchange._time_column,
                 st.one_of(st.builds(lambda d: f"07:3{d}:00.000000", digits),
                           st.sampled_from(["07:30:00.250000", "07:30:00", "07:30"]))),
        "date": (exchange._sqlite_date(exact), exchange._date_column,
                 st.one_of(st.builds(lambda d: f"2021-02-0{d}", digits),
                           st.sampled_from(["2021-W06-2", "2021/02/09"]))),
        "bool": (lambda value: None if value is None else bool(value), exchange._bool_column,
                 st.sampled_from([0, 1, 2, "1", True])),
    }
    one, whole, value = forms[kind]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.one_of(value, st.none(), st.integers(0, 1)), min_size=1, max_size=8))
    def check(column):  # type: ignore[no-untyped-def]
        expected = [one(item) for item in column]
        converted = whole(list(column))
        assert converted is None or converted == expected

    check()


def test_a_batch_written_by_orjson_is_the_text_json_writes(monkeypatch):
    """Each batch of rows is the text json.dumps(indent=2, ensure_ascii=False) gives those rows in the
    document, whatever text (any character but a lone surrogate, which no driver stores), numbers,
    NULLs and booleans they hold; a float (only written around tct) or an integer orjson refuses goes
    through json itself."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    columns = ["a", "b", "c"]
    keys = [f"{exchange._KEY_BREAK if index else exchange._ROW_END + ',' + exchange._ROW_START}"
            f"{json.dumps(name)}: " for index, name in enumerate(columns)]
    text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
    value = st.one_of(text, st.none(), st.booleans(), st.integers(-(2**63), 2**64 + 5),
                      st.floats(allow_nan=False, allow_infinity=False))

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.tuples(value, value, value), min_size=1, max_size=5))
    def check(rows):  # type: ignore[no-untyped-def]
        document = json.dumps({"t": [dict(zip(columns, row, strict=True)) for row in rows]},
                              ensure_ascii=False, indent=2)
        body = document[len('{\n  "t": ['):-len("\n  ]\n}")].replace("\n", "\n  ")  # (rows at 6 spaces)
        values = [item for row in rows for item in row]
        assert exchange._batch_json(values, columns, keys) == body.encode()

    check()


def test_a_float_written_around_tct_is_exported_as_json_writes_it(filled):
    """No column of tct is REAL, but SQLite keeps whatever a write around tct stores: such a row
    is written as the reference document writes it (1e-05, not orjson's 0.00001)."""
    if not filled.is_sqlite:
        pytest.skip("only SQLite keeps a float in an integer column")
    with sqlite3.connect(filled.path) as con:
        con.execute("UPDATE visit SET people = 1e-05, note = 'tab\tnew line\n\x01 \"quoted\" \\' "
                    "WHERE id = (SELECT min(id) FROM visit)")
    expected = _reference_export(filled, reveal=False)
    assert b'"people": 1e-05' in expected and b'"note": "tab\\tnew line\\n\\u0001 \\"quoted\\" \\\\"' in expected
    assert exchange.export(filled.path, actor="tester").data == expected
    assert exchange.export(filled, actor="tester").data == expected


def test_settings_an_earlier_tct_stored_or_a_newer_one_added_still_import(tct, filled, tmp_path):
    """Text kept as an earlier tct stored it (a soft hyphen pasted from a word processor) and a setting
    this tct does not know go in: the export → import round trip holds."""
    exported = tmp_path / "e.json"
    assert tct("export", "--reveal", "-o", str(exported)).exit_code == 0

    def older_and_newer(tables):  # type: ignore[no-untyped-def]
        tables["setting"] = [row for row in tables["setting"] if row["key"] != "agency.name"]
        tables["setting"] += [{"key": "agency.name", "value": json.dumps("Thanh tra t\u00adỉnh"),
                               "updated_at": "2021-01-06T00:00:00+00:00"},
                              {"key": "some.future_setting", "value": "1", "updated_at": "2021-01-06T00:00:00+00:00"}]

    document = _broken_copy(exported, tmp_path / "mixed.json", older_and_newer)
    run = tct("--db", str(tmp_path / "new.db"), "import", str(document), db=False)
    assert run.exit_code == 0, run.stderr
