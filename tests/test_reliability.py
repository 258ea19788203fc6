"""Reliability and personal data (issue 8): many desks at once, one transaction per write,
SQL-looking names, spreadsheet safety, private files and denouncers' identities.

The concurrency test runs real `tct` processes (the console script installed next to the Python
running the tests, so CI's virtualenv is used); the others drive the CLI in-process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import file_mode

BASE = ["--type", "complaint", "--field", "land", "--officer", "binh"]


def _tct_command() -> list[str]:
    """The installed console script beside the running interpreter, else `python -m tct`."""
    script = Path(sys.executable).with_name("tct")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tct"]


def _env(db: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TCT_")}
    env.update({"TCT_DB": str(db), "TCT_OFFICER": "tester", "LANG": "C.UTF-8"})
    return env


def _counts(tct) -> dict[str, int]:  # type: ignore[no-untyped-def]
    run = tct("db", "info", "-f", "json")
    assert run.exit_code == 0, run.stderr
    return run.json()["tables"]


@pytest.fixture
def desk(tct):  # type: ignore[no-untyped-def]
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("officer", "add", "Lê Văn An").exit_code == 0
    return tct


# --- many desks at once ---------------------------------------------------------------------

SHARED_ID_NUMBERS = [f"0791000000{n:02d}" for n in range(5)]


def _desk_run(command: list[str], env: dict[str, str], desk_no: int, runs: int) -> list[tuple[int, str, str]]:
    """One desk: `runs` visits in a row, each its own `tct visit add` process."""
    results = []
    officer = ("binh", "an")[desk_no % 2]
    for i in range(runs):
        name = f"Người {desk_no}-{i}"
        if i % 10 == 0:  # some citizens come back to several desks: found, not duplicated, by ID number
            number = SHARED_ID_NUMBERS[(desk_no + i) % len(SHARED_ID_NUMBERS)]
            name = f"Người quay lại {number[-2:]}"
        args = ["visit", "add", "--citizen", name, "--type", ("complaint", "petition")[i % 2],
                "--field", "land", "--officer", officer, "--at", f"{1 + i % 28:02d}/0{1 + desk_no % 9}/2021 "
                f"{8 + i % 9}:{i % 60:02d}", "--content", f"bàn {desk_no} lượt {i}", "-f", "json"]
        if i % 10 == 0:
            args += ["--id-number", number]
        done = subprocess.run(command + args, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=120)
        results.append((done.returncode, done.stdout, done.stderr))
    return results


def _many_desks(tmp_path: Path, desks: int, runs: int) -> float:
    db = tmp_path / "shared" / "tct.db"
    env, command = _env(db), _tct_command()
    for name in ("Trần Thị Bình", "Lê Văn An"):
        subprocess.run(command + ["officer", "add", name], env=env, stdin=subprocess.DEVNULL, check=True,
                       capture_output=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=desks) as pool:
        outcomes = list(pool.map(lambda n: _desk_run(command, env, n, runs), range(desks)))
    seconds = time.monotonic() - started
    results = [item for desk_results in outcomes for item in desk_results]
    failures = [(code, err) for code, _, err in results if code != 0]
    assert not failures, failures[:5]
    assert not [err for _, _, err in results if err.strip()], "a visit add wrote to stderr"
    assert not any("locked" in err for _, _, err in results)
    total = desks * runs
    records = [json.loads(out) for _, out, _ in results]

    # Codes: unique and gapless within the year, both for visits and for the cases they open.
    assert sorted(r["code"] for r in records) == [f"TCD-2021-{n:04d}" for n in range(1, total + 1)]
    assert sorted(r["case"] for r in records) == [f"VV-2021-{n:04d}" for n in range(1, total + 1)]

    check = subprocess.run(command + ["db", "check"], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    info = json.loads(subprocess.run(command + ["db", "info", "-f", "json"], env=env, stdin=subprocess.DEVNULL,
                                     capture_output=True, text=True, check=True).stdout)["tables"]
    assert info["visit"] == total and info["cases"] == total

    with sqlite3.connect(db) as conn:
        # Returning citizens (same ID number) were found by every desk, never created twice.
        numbers = [n for (n,) in conn.execute("SELECT id_number FROM citizen WHERE id_number IS NOT NULL")]
        assert sorted(numbers) == sorted({n for n in numbers}) and set(numbers) <= set(SHARED_ID_NUMBERS)
        assert info["citizen"] == total - sum(1 for i in range(runs) if i % 10 == 0) * desks + len(numbers)
        creates = dict(conn.execute("SELECT entity, count(*) FROM audit_event WHERE action = 'create' "
                                    "GROUP BY entity").fetchall())
        assert creates == {"officer": 2, "visit": total, "case": total, "citizen": info["citizen"]}
        assert conn.execute("SELECT count(DISTINCT code) FROM audit_event WHERE action = 'create' "
                            "AND entity = 'visit'").fetchone()[0] == total
        assert conn.execute("SELECT kind, year, last FROM code_counter ORDER BY kind").fetchall() == \
            [("case", 2021, total), ("visit", 2021, total)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    return seconds


@pytest.mark.slow
def test_eight_desks_each_logging_a_hundred_visits_lose_nothing(tmp_path):
    """8 desks × 100 `tct visit add` processes on one SQLite file (issue 8). About 0.5 s of CPU per
    process start, so a few minutes on a 2-core machine."""
    seconds = _many_desks(tmp_path, desks=8, runs=100)
    print(f"\n8 × 100 visit add processes: {seconds:.0f} s")


def test_a_few_desks_at_once_lose_nothing(tmp_path):
    """The same guarantees at a size that fits the quick suite (`make test-fast`)."""
    _many_desks(tmp_path, desks=4, runs=3)


# --- one transaction per write --------------------------------------------------------------

def _fail_on(monkeypatch, entity: str, action: str) -> None:  # type: ignore[no-untyped-def]
    """Make the audit insert of (entity, action) fail, after the rows before it were flushed."""
    from tct import audit

    real = audit.record

    def failing(session, **values):  # type: ignore[no-untyped-def]
        if values["entity"] == entity and values["action"] == action:
            session.flush()
            raise RuntimeError("disk on fire")
        return real(session, **values)

    monkeypatch.setattr(audit, "record", failing)


def _counter(db_path: Path) -> list[tuple[str, int, int]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT kind, year, last FROM code_counter ORDER BY kind, year").fetchall()


@pytest.mark.parametrize("entity,action", [("citizen", "create"), ("case", "create"), ("visit", "create"),
                                           ("case", "flag")])
def test_visit_case_citizen_flags_and_audit_are_one_transaction(desk, db_path, monkeypatch, entity, action):
    first = desk("visit", "add", "--citizen", "Trước", *BASE, "--at", "04/02/2021 08:00", "-f", "json").json()
    before, counter = _counts(desk), _counter(db_path)
    log_before = desk("log", "-f", "json").json()
    _fail_on(monkeypatch, entity, action)
    # A delegation that comes back: crowd flag on a new case, with a new citizen.
    run = desk("visit", "add", "--citizen", "Đoàn Xã Hòa", *BASE, "--people", "7", "--representatives", "A; B",
               "--locality", "Xã Hòa", "--id-number", "079123450001", "--at", "05/02/2021 09:00")
    assert run.exit_code == 4, (run.exit_code, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr and run.stderr.startswith("Error: internal error")
    monkeypatch.undo()
    monkeypatch.setenv("TCT_OFFICER", "tester")
    assert _counts(desk) == before
    assert _counter(db_path) == counter
    assert desk("log", "-f", "json").json() == log_before
    assert desk("db", "check").exit_code == 0
    # The numbers were given back: the next visit and case follow the first without a gap.
    nxt = desk("visit", "add", "--citizen", "Sau", *BASE, "--at", "05/02/2021 10:00", "-f", "json").json()
    assert (nxt["code"], nxt["case"]) == ("TCD-2021-0002", "VV-2021-0002")
    assert first["code"] == "TCD-2021-0001"


def test_a_failed_edit_leaves_the_visit_as_it_was(desk, monkeypatch):
    data = desk("visit", "add", "--citizen", "A", *BASE, "--people", "2", "-f", "json").json()
    before = _counts(desk)
    _fail_on(monkeypatch, "case", "flag")
    assert desk("visit", "edit", data["code"], "--people", "9").exit_code == 4
    monkeypatch.undo()
    assert _counts(desk) == before
    assert desk("visit", "show", data["code"], "-f", "json").json()["people"] == 2


# --- SQL-looking names ------------------------------------------------------------------------

HOSTILE_NAMES = ["Robert'); DROP TABLE visit;--", "x' OR '1'='1", "\"; DELETE FROM citizen; --",
                 "Nguyễn %_\\ Văn", "O'Brien ‮Đức"]


def test_sql_looking_names_are_stored_and_shown_verbatim(desk):
    codes = {}
    for name in HOSTILE_NAMES:
        codes[name] = desk("visit", "add", "--citizen", name, *BASE, "--address", name, "-f", "json").json()["code"]
    counts = _counts(desk)
    assert counts["visit"] == len(HOSTILE_NAMES) and counts["citizen"] == len(HOSTILE_NAMES)
    for name, code in codes.items():
        shown = desk("visit", "show", code, "-f", "json").json()
        assert shown["citizen"] == name and shown["address"] == name
        table = desk("visit", "show", code).stdout
        assert name in table, table
    listed = desk("visit", "list", "-f", "json").json()
    assert sorted(v["citizen"] for v in listed) == sorted(HOSTILE_NAMES)
    people = desk("citizen", "list", "-f", "json").json()
    assert sorted(c["name"] for c in people) == sorted(HOSTILE_NAMES)
    citizen_table = desk("citizen", "list").stdout
    visit_table = desk("visit", "list").stdout
    for name in HOSTILE_NAMES:
        assert name in citizen_table, citizen_table
        # The 80-column list folds a long name over two lines: the name is there, cut at spaces.
        assert all(word in visit_table for word in name.split()), visit_table
    # Searching for an SQL fragment or a LIKE wildcard finds exactly what contains it.
    assert [v["citizen"] for v in desk("visit", "list", "--search", "%_\\", "-f", "json").json()] == \
        ["Nguyễn %_\\ Văn"]
    assert [v["citizen"] for v in desk("visit", "list", "--search", "' OR '1'='1", "-f", "json").json()] == \
        ["x' OR '1'='1"]
    assert desk("db", "check").exit_code == 0


# --- spreadsheet safety -------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","bấm")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_neutralised(text: str, planted: list[str]) -> None:
    cells = _cells(text)
    risky = [cell for cell in cells if cell.startswith(_DANGEROUS)]
    assert not risky, risky
    joined = "\n".join(cells)
    for value in planted:
        assert "'" + value in joined, (value, joined)


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(desk, tmp_path):
    for n, formula in enumerate(FORMULAS):
        added = desk("visit", "add", "--citizen", formula, *BASE, "--address", formula, "--locality", formula,
                     "--content", formula, "--note", formula, "--people", "6", "--representatives", f"{formula}; B",
                     "--at", f"0{n + 1}/02/2021 09:00")
        assert added.exit_code == 0, added.stderr
        # `--` lets a positional argument start with a dash, as in any Unix command.
        assert desk("officer", "add", "--", f"{formula} {n}").exit_code == 0
        assert desk("roster", "add", "--date", f"0{n + 1}/02/2021", "--location", formula, "--note", formula,
                    "--", f"{formula} {n}").exit_code == 0
    visits = desk("visit", "list", "-f", "csv")
    assert visits.exit_code == 0
    _assert_neutralised(visits.stdout, FORMULAS)
    rows = list(csv.DictReader(io.StringIO(visits.stdout)))
    assert len(rows) == len(FORMULAS)
    assert sorted(row["citizen"] for row in rows) == sorted("'" + f for f in FORMULAS)
    cases = desk("case", "list", "-f", "csv")
    assert cases.exit_code == 0
    _assert_neutralised(cases.stdout, FORMULAS)
    assert len(list(csv.DictReader(io.StringIO(cases.stdout)))) == len(FORMULAS)
    exported = desk("roster", "export")
    assert exported.exit_code == 0
    _assert_neutralised(exported.stdout, FORMULAS)
    target = tmp_path / "roster.csv"
    assert desk("roster", "export", "--output", str(target)).exit_code == 0
    with target.open(newline="", encoding="utf-8") as handle:
        _assert_neutralised(handle.read(), FORMULAS)


def test_tab_and_carriage_return_at_the_start_of_a_cell_are_neutralised():
    """The CLI trims leading whitespace from what is typed, so these reach the renderer only from
    stored data; the renderer must still neutralise them, and a bare CR must not split the row."""
    from tct import render

    values = ["\t=1+1", "\r=1+1", "=1", "+1", "-1", "@A1", "plain", "'quoted", "a\rb", "c\r\nd"]
    text = render.csv_string([{"value": v} for v in values], [("value", "value")])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [len(row) for row in rows] == [1] * (len(values) + 1)
    assert [row[0] for row in rows[1:]] == ["'\t=1+1", "'\n=1+1", "'=1", "'+1", "'-1", "'@A1", "plain", "'quoted",
                                            "a\nb", "c\nd"]


# --- personal data --------------------------------------------------------------------------------

def test_register_file_and_folders_are_private_under_a_permissive_umask(tmp_path, tct, monkeypatch):
    target = tmp_path / "a" / "b" / "tct.db"
    old = os.umask(0)
    try:
        run = tct("--db", str(target), "officer", "add", "Trần Thị Bình", db=False)
        assert run.exit_code == 0, run.stderr
        assert tct("--db", str(target), "visit", "add", "--citizen", "A", *BASE, db=False).exit_code == 0
        export = tmp_path / "a" / "roster.csv"
        assert tct("--db", str(target), "roster", "add", "binh", "--date", "04/02/2021", db=False).exit_code == 0
        assert tct("--db", str(target), "roster", "export", "-o", str(export), db=False).exit_code == 0
    finally:
        os.umask(old)
    assert file_mode(target) == 0o600
    assert file_mode(target.parent) == 0o700 and file_mode(target.parent.parent) == 0o700
    for extra in (target.with_name("tct.db-wal"), target.with_name("tct.db-shm")):
        if extra.exists():
            assert file_mode(extra) & 0o077 == 0, oct(file_mode(extra))
    assert file_mode(export) == 0o600


@pytest.mark.parametrize("command", ["backup", "export", "restore"])
def test_a_register_others_may_read_is_made_private_by_backup_export_and_restore(tmp_path, tct, command):
    """The nightly backup (and an export, a restore) of a register copied under a lax umask: the
    file and its -wal and -shm, which hold citizens' data, end 0600 like the ones tct creates."""
    target = tmp_path / "tct.db"
    assert tct("--db", str(target), "officer", "add", "Trần Thị Bình", db=False).exit_code == 0
    assert tct("--db", str(target), "visit", "add", "--citizen", "A", *BASE, db=False).exit_code == 0
    backup = tmp_path / "first.db"
    assert tct("--db", str(target), "backup", "--to", str(backup), db=False).exit_code == 0
    assert tct("--db", str(target), "visit", "list", db=False).exit_code == 0
    for each in (target, target.with_name("tct.db-wal"), target.with_name("tct.db-shm")):
        if each.exists():
            os.chmod(each, 0o644)
    argv = {"backup": ["backup", "--to", str(tmp_path / "second.db")],
            "export": ["export", "-o", str(tmp_path / "e.json")],
            "restore": ["restore", str(backup), "--force"]}[command]
    run = tct("--db", str(target), *argv, db=False)
    assert run.exit_code == 0, run.stderr
    for each in (target, target.with_name("tct.db-wal"), target.with_name("tct.db-shm")):
        if each.exists():
            assert file_mode(each) & 0o077 == 0, (each.name, oct(file_mode(each)))


DENOUNCER = {"name": "Zyxwv Qđặcbiệt", "id_number": "079123456789", "address": "Số 7 Ngõ Bímật",
             "phone": "0909 876 543"}
# Every way the planted identity could show: as typed, folded, without spaces.
_SECRETS = ["Zyxwv", "zyxwv", "ZYXWV", "Qđặcbiệt", "qdacbiet", "Qdacbiet", "079123456789", "079 123",
            "Bímật", "bimat", "Ngõ", "ngo bimat", "0909 876 543", "0909876543", "876 543", "876543"]


def _leaks(text: str, typed: tuple[str, ...] = ()) -> list[str]:
    """The planted identity in `text`, except what the user typed in that very command."""
    return [secret for secret in _SECRETS if secret.lower() in text.lower()
            and not any(secret.lower() in value.lower() for value in typed)]


@pytest.fixture
def denouncer(desk):  # type: ignore[no-untyped-def]
    """A denouncer who came three times (a delegation, escalated) and also brought a complaint."""
    who = ["--citizen", DENOUNCER["name"], "--id-number", DENOUNCER["id_number"], "--address",
           DENOUNCER["address"], "--phone", DENOUNCER["phone"], "--locality", "Phường Hòa Bình"]
    from datetime import timedelta

    from tct.dates import today_local

    today = today_local()  # the office's day, as `visit add` dates a visit (not the machine's)
    first = desk("visit", "add", *who, "--type", "denunciation", "--field", "administration", "--officer", "binh",
                 "--people", "6", "--representatives", f"{DENOUNCER['name']}; Trần B", "--escalated",
                 "--at", f"{today - timedelta(days=2):%d/%m/%Y} 09:00", "-f", "json")
    assert first.exit_code == 0, first.stderr
    case = first.json()["case"]
    for days_ago, hour in ((1, "08:00"), (0, "00:00")):  # (today's: never a moment still to come)
        again = desk("visit", "add", *who, "--case", case, "--officer", "an",
                     "--at", f"{today - timedelta(days=days_ago):%d/%m/%Y} {hour}")
        assert again.exit_code == 0, again.stderr
    complaint = desk("visit", "add", *who, "--type", "complaint", "--field", "land", "--officer", "an")
    assert complaint.exit_code == 0, complaint.stderr
    other = desk("visit", "add", "--citizen", "Người Khác", *BASE)
    assert other.exit_code == 0
    return {"case": case, "visit": first.json()["code"], "complaint_visit": complaint.stdout.split()[0],
            "complaint_case": complaint.stdout.split()[1]}


def test_a_denouncers_identity_never_shows_in_lists_alerts_or_the_log(desk, denouncer):
    outputs = {}
    for fmt in ("table", "json", "csv", "md"):
        outputs[f"visit list {fmt}"] = desk("visit", "list", "--include-void", "-f", fmt)
        outputs[f"case list {fmt}"] = desk("case", "list", "-f", fmt)
        outputs[f"citizen list {fmt}"] = desk("citizen", "list", "-f", fmt)
        outputs[f"log {fmt}"] = desk("log", "-f", fmt)
        outputs[f"alerts {fmt}"] = desk("alerts", "-f", fmt)
        outputs[f"hotspots {fmt}"] = desk("hotspots", "-f", fmt)
        for case in (denouncer["case"], denouncer["complaint_case"]):
            outputs[f"case show {case} {fmt}"] = desk("case", "show", case, "-f", fmt)
    outputs["search name"] = desk("visit", "list", "--search", "zyxwv", "-f", "json")
    outputs["search address"] = desk("visit", "list", "--search", "bimat", "-f", "json")
    outputs["case search"] = desk("case", "list", "--search", "bimat", "-f", "json")
    outputs["citizen search"] = desk("citizen", "list", "--search", "zyxwv", "-f", "json")
    for what, run in outputs.items():
        assert run.exit_code == 0, (what, run.stderr)
        assert not _leaks(run.stdout + run.stderr), (what, _leaks(run.stdout + run.stderr), run.stdout)
    assert "Z. Q." in outputs["visit list json"].stdout  # masked to initials, still recognisable at the desk


def test_a_denouncers_locality_is_left_out_where_they_are_masked(desk, denouncer):
    """The locality typed with a denunciation (or any visit of a denouncer) is part of their address:
    lists, `case show` and alerts leave it out as the report and the export do, unless --reveal;
    `case show` also from the reason of a hotspot its delegation made there with another."""
    outputs = {"alerts": desk("alerts", "-f", "json")}  # (`citizen show` and `visit show` reveal, audited)
    for fmt in ("json", "csv"):
        outputs[f"visit list {fmt}"] = desk("visit", "list", "-f", fmt)
        outputs[f"case list {fmt}"] = desk("case", "list", "-f", fmt)
        outputs[f"citizen list {fmt}"] = desk("citizen", "list", "-f", fmt)
    # Another citizen's delegation there (shown with its locality in lists and alerts, as its own) makes it
    # a hotspot: the flag's reason names the place.
    crowd = desk("visit", "add", "--citizen", "Người Khác", *BASE, "--locality", "Phường Hòa Bình", "--people", "5",
                 "--representatives", "Người Khác")
    assert crowd.exit_code == 0, crowd.stderr
    shown = desk("case", "show", denouncer["case"], "-f", "json").json()
    assert [e for e in shown["timeline"] if e["event"] == "flag" and e["flag"] == "hotspot"]
    for fmt in ("json", "csv", "table", "md"):
        for case in (denouncer["case"], denouncer["complaint_case"]):
            outputs[f"case show {case} {fmt}"] = desk("case", "show", case, "-f", fmt)
            outputs[f"case show {case} {fmt} vi"] = desk("--lang", "vi", "case", "show", case, "-f", fmt)
    for what, run in outputs.items():
        assert run.exit_code == 0 and "Hòa Bình" not in run.stdout, (what, run.stdout[:500])
    assert "Hòa Bình" in desk("citizen", "list", "--reveal", "-f", "json").stdout
    assert "Hòa Bình" in desk("case", "show", denouncer["case"], "--reveal", "-f", "json").stdout


def test_the_log_never_names_a_delegations_representatives(desk, denouncer, db_path):
    """A denouncer named among the representatives of a complaint (theirs or someone else's, or a
    complaint-typed visit to the denunciation case) is in the trail only by initials: the trail
    keeps representatives so, and shows so events an older tct wrote with the names."""
    named = ["--people", "6", "--representatives", f"Người Khác; {DENOUNCER['name']}"]
    assert desk("visit", "add", "--citizen", "Người Khác", *BASE, *named).exit_code == 0
    assert desk("visit", "add", "--citizen", "Người Thứ Ba", *BASE, "--case", denouncer["case"], *named).exit_code == 0
    import sqlite3

    with sqlite3.connect(db_path) as db:  # (as an older tct wrote a visit's event)
        db.execute("INSERT INTO audit_event (at, actor, entity, code, action, changes) VALUES "
                   "('2021-02-01 02:00:00.000000', 'x', 'visit', 'TCD-2021-0099', 'edit', ?)",
                   [json.dumps({"after": {"representatives": f"Người Khác; {DENOUNCER['name']}"},
                                "before": {"representatives": None}}, ensure_ascii=False)])
    for fmt in ("table", "json", "csv", "md"):
        run = desk("log", "--limit", "1000", "-f", fmt)
        assert run.exit_code == 0 and not _leaks(run.stdout + run.stderr), (fmt, _leaks(run.stdout))
    events = desk("log", "--limit", "1000", "-f", "json").json()
    assert [e["changes"]["after"]["representatives"] for e in events
            if e["entity"] == "visit" and "representatives" in (e["changes"] or {}).get("after", {})
            and e["changes"]["after"]["representatives"]][-3:] == ["N. K.; Z. Q."] * 3
    # A name corrected to one with the same initials is still a change the trail records.
    code = [e["code"] for e in events if e["entity"] == "visit" and e["action"] == "create"][-1]
    assert desk("visit", "edit", code, "--representatives", f"Người Khắc; {DENOUNCER['name']}").exit_code == 0
    last = desk("log", "--entity", code, "-f", "json").json()[-1]
    assert last["action"] == "edit" and last["changes"]["after"] == {"representatives": "N. K.; Z. Q."}


def test_a_visit_added_by_a_denouncers_identity_number_prints_no_identity(desk, denouncer):
    """The officer types only the identity number; the record printed back must not show the
    denouncer's stored name, address and phone, in any format."""
    for fmt in ("table", "json", "csv", "md"):
        run = desk("visit", "add", "--citizen", "Ai Đó", "--id-number", DENOUNCER["id_number"], *BASE, "-f", fmt)
        assert run.exit_code == 0, run.stderr
        assert not _leaks(run.stdout + run.stderr, typed=(DENOUNCER["id_number"],)), (fmt, run.stdout)
    shown = desk("visit", "add", "--citizen", "Ai Đó", "--id-number", DENOUNCER["id_number"], *BASE, "-f", "json")
    assert shown.json()["citizen"] == "Z. Q." and shown.json()["masked"]  # still recognisable at the desk


def test_error_messages_never_name_a_denouncer(desk, denouncer):
    commands = [
        # the same ID number under another name: the desk is told, without the stored name
        ("visit", "add", "--citizen", "Người Lạ", "--id-number", DENOUNCER["id_number"], *BASE),
        ("visit", "add", "--citizen", "Người Lạ", "--id-number", DENOUNCER["id_number"], "--phone", "12", *BASE),
        ("visit", "edit", denouncer["visit"], "--people", "0"),
        ("visit", "edit", denouncer["complaint_visit"], "--id-number", "0791 2345 6789 0"),
        ("visit", "edit", denouncer["complaint_visit"], "--people", "3"),
        ("visit", "add", "--citizen", "X", "--case", denouncer["case"], "--officer", "binh", "--people", "600"),
        ("case", "accept", denouncer["case"], "--date", "01/01/2000"),
        ("case", "flag", denouncer["case"], "--crowd", "--reason", "again"),
        ("case", "extend", denouncer["case"], "--days", "5", "--reason", "x"),
        ("visit", "void", denouncer["visit"]),
        ("citizen", "show", "CD-999"),
        ("citizen", "show", "079123456780"),
    ]
    for command in commands:
        run = desk(*command)
        assert not _leaks(run.stderr, command), (command, run.stderr)
        assert not _leaks(run.stdout, command), (command, run.stdout)


def test_revealing_a_denouncer_is_audited_with_who(desk, denouncer, monkeypatch):
    monkeypatch.setenv("TCT_OFFICER", "thanh tra Hùng")
    shown = desk("visit", "show", denouncer["visit"], "-f", "json").json()
    assert shown["citizen"] == DENOUNCER["name"] and shown["phone"] == DENOUNCER["phone"]
    revealed = desk("visit", "list", "--reveal", "-f", "json").json()
    assert DENOUNCER["name"] in {v["citizen"] for v in revealed}
    assert DENOUNCER["name"] in desk("case", "show", denouncer["case"], "--reveal").stdout
    assert DENOUNCER["name"] in {c["name"] for c in desk("citizen", "list", "--reveal", "-f", "json").json()}
    reveals = [e for e in desk("log", "-f", "json").json() if e["action"] == "reveal"]
    assert [(e["actor"], e["entity"]) for e in reveals] == [("thanh tra Hùng", "visit"), ("thanh tra Hùng", "visit"),
                                                            ("thanh tra Hùng", "case"), ("thanh tra Hùng", "citizen")]
    assert reveals[0]["code"] == denouncer["visit"]
    assert denouncer["visit"] in reveals[1]["changes"]["after"]["visits"]
    # Looking at lists without --reveal leaves no trace; nothing in the trail names the person.
    log = desk("log", "-f", "json")
    assert not _leaks(log.stdout)


def test_showing_waits_for_no_writer_but_a_reveal_is_shown_only_once_audited(desk, denouncer, db_path,
                                                                              monkeypatch):
    visit, case = desk("visit", "add", "--citizen", "Người Thường", *BASE).stdout.split()
    monkeypatch.setenv("TCT_BUSY_TIMEOUT", "0.3")
    events = len(desk("log", "-f", "json").json())
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another desk writing at length (an import)
    try:
        citizen = desk("visit", "show", visit, "-f", "json").json()["citizen_id"]
        for command, code in ((("case", "show", case), case), (("visit", "show", visit), visit),
                              (("case", "show", denouncer["case"]), denouncer["case"]),
                              (("citizen", "show", f"CD-{citizen}"), visit)):
            run = desk(*command)
            assert run.exit_code == 0, (command, run.stderr)
            assert code in run.stdout
        for command in (("visit", "show", denouncer["visit"]), ("citizen", "show", DENOUNCER["id_number"])):
            refused = desk(*command)  # reveals the denouncer: its audit must be written first
            assert refused.exit_code == 3 and "locked" in refused.stderr
            assert refused.stdout == "" and not _leaks(refused.stderr)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert len(desk("log", "-f", "json").json()) == events  # nothing revealed, nothing written


def test_the_register_is_in_wal_mode_with_a_busy_timeout(desk, db_path):
    """Readers never block the desk that writes, and writers wait for each other instead of failing."""
    from tct.db import open_database

    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    database = open_database(str(db_path))
    try:
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        database.dispose()


# --- personal data in the files tct writes (backup, export, report) ---------------------------------

def _report_range() -> str:
    from datetime import timedelta

    from tct.dates import today_local

    today = today_local()  # the office's day, as `visit add` dates a visit (not the machine's)
    return f"{today - timedelta(days=7)}..{today}"


def test_backup_export_and_report_files_are_private_under_a_permissive_umask(desk, denouncer, db_path, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    old = os.umask(0)
    try:
        backups = [desk("backup").stdout.strip(), desk("backup", "--gzip").stdout.strip(),
                   desk("backup", "--to", str(tmp_path / "new" / "nightly")).stdout.strip()]
        exported = [tmp_path / "e1" / "register.json", tmp_path / "e2" / "register.zip", tmp_path / "e3" / "csv"]
        assert desk("export", "-o", str(exported[0])).exit_code == 0
        assert desk("export", "-f", "csv", "-o", str(exported[1])).exit_code == 0
        assert desk("export", "-f", "csv", "--reveal", "-o", str(exported[2])).exit_code == 0
        written = []
        for fmt in ("table", "md", "csv", "json", "xlsx"):
            written.append(reports / f"report.{fmt}")
            run = desk("report", _report_range(), "-f", fmt, "-o", str(written[-1]))
            assert run.exit_code == 0, run.stderr
    finally:
        os.umask(old)
    for path in map(Path, backups):
        assert path.exists() and file_mode(path) == 0o600, path
    assert file_mode(db_path.parent / "backups") == 0o700
    assert file_mode(tmp_path / "new") == 0o700 and file_mode(tmp_path / "new" / "nightly") == 0o700
    for path in exported[:2]:
        assert file_mode(path) == 0o600 and file_mode(path.parent) == 0o700, path
    assert file_mode(exported[2]) == 0o700 and file_mode(exported[2].parent) == 0o700
    assert sorted(file_mode(p) for p in exported[2].iterdir()) == [0o600] * len(list(exported[2].iterdir()))
    assert [file_mode(p) for p in written] == [0o600] * len(written)
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".")]
    assert not leftovers, leftovers  # no temporary file left anywhere


@pytest.mark.sqlite_only
def test_no_output_replaces_the_register_or_a_backup_even_with_force(desk, denouncer, db_path, tmp_path):
    """`--output` naming the register by a slip (or a backup) is refused, whatever --force says;
    any other existing file is replaced only with --force."""
    from conftest import assert_one_line_error

    register = db_path.read_bytes()
    backup = Path(desk("backup", "--gzip").stdout.strip())
    dump, wal = tmp_path / "server.dump", tmp_path / "another.db-wal"
    dump.write_bytes(b"PGDMP\x01\x0e\x00 a PostgreSQL backup")
    wal.write_bytes(b"\x37\x7f\x06\x82\x00\x2d\xe2\x18 the changes not yet in another.db")
    for target in (db_path, backup, dump, wal):
        before = target.read_bytes()
        for command in (["export"], ["export", "--force"], ["export", "-f", "csv", "--force"],
                        ["report", _report_range(), "--force"], ["roster", "export", "--force"]):
            assert_one_line_error(desk(*command, "-o", str(target)), 1, "is a database")
        assert target.read_bytes() == before
    assert db_path.read_bytes() == register and desk("visit", "list").exit_code == 0
    # A database's -wal, -shm or -journal that SQLite has not made yet: it would take the file for its own.
    for target in (Path(f"{db_path}-journal"), Path(f"{backup}-wal"), Path(f"{db_path}-shm")):
        assert_one_line_error(desk("report", _report_range(), "-f", "md", "-o", str(target), "--force"), 1,
                              "unwritten changes")
        assert_one_line_error(desk("export", "-o", str(target), "--force"), 1, "unwritten changes")
        # nor a backup (as a file, or a folder made there, after which no desk could open the register)
        assert_one_line_error(desk("backup", "--to", str(target)), 1, "unwritten changes")
    assert not Path(f"{db_path}-journal").exists() and not Path(f"{backup}-wal").exists()
    assert desk("visit", "list").exit_code == 0
    dashed = tmp_path / "-wal"  # (only a name: no database is called "")
    assert desk("report", _report_range(), "-f", "md", "-o", str(dashed)).exit_code == 0 and dashed.exists()
    existing = tmp_path / "register.json"
    existing.write_text("yesterday's export")
    assert_one_line_error(desk("export", "-o", str(existing)), 1, "--force")
    assert existing.read_text() == "yesterday's export"
    assert desk("export", "-o", str(existing), "--force").exit_code == 0
    assert json.loads(existing.read_text(encoding="utf-8"))["format"] == "tct-export"
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "visit.csv").write_text("kept")
    assert_one_line_error(desk("export", "-f", "csv", "-o", str(folder)), 1, "--force")
    assert (folder / "visit.csv").read_text() == "kept"
    assert desk("export", "-f", "csv", "-o", str(folder), "--force").exit_code == 0
    assert (folder / "visit.csv").read_text(encoding="utf-8") != "kept"


def _xlsx_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        assert any(name.startswith("xl/worksheets/") for name in names)
        return "\n".join(book.read(name).decode("utf-8") for name in names if name.endswith((".xml", ".rels")))


def _csv_export_text(path: Path) -> str:
    import zipfile

    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(path.iterdir()))


def test_a_denouncer_never_appears_in_a_report_or_an_export_without_reveal(desk, denouncer, tmp_path):
    """Every report format, with and without --reveal and in both languages (the xlsx unzipped and its
    XML read), and every export format without --reveal."""
    outputs: dict[str, str] = {}
    for lang in ("vi", "en"):
        for reveal in ([], ["--reveal"]):
            for fmt in ("table", "md", "csv", "json"):
                run = desk("report", _report_range(), "-f", fmt, "--lang", lang, *reveal)
                assert run.exit_code == 0, run.stderr
                outputs[f"report {fmt} {lang} {reveal}"] = run.stdout + run.stderr
            target = tmp_path / f"report-{lang}-{len(reveal)}.xlsx"
            run = desk("report", _report_range(), "-f", "xlsx", "--lang", lang, "-o", str(target), *reveal)
            assert run.exit_code == 0, run.stderr
            outputs[f"report xlsx {lang} {reveal}"] = _xlsx_text(target) + run.stderr
    report = json.loads(desk("report", _report_range(), "-f", "json").stdout)
    assert report["reception"]["total"]["visits"] == 5  # the denouncer's visits are counted, not named
    exported = desk("export")
    assert exported.exit_code == 0 and json.loads(exported.stdout)["identities"] == "withheld"
    outputs["export json stdout"] = exported.stdout + exported.stderr
    assert desk("export", "-o", str(tmp_path / "e.json")).exit_code == 0
    outputs["export json file"] = (tmp_path / "e.json").read_text(encoding="utf-8")
    for name in ("csv-folder", "e.zip"):
        run = desk("export", "-f", "csv", "-o", str(tmp_path / name))
        assert run.exit_code == 0, run.stderr
        outputs[f"export csv {name}"] = _csv_export_text(tmp_path / name) + run.stderr
    for what, text in outputs.items():
        assert not _leaks(text), (what, _leaks(text))
        assert "Z. Q." not in text or what.startswith("export"), what  # reports carry not even the initials
    # The same export with --reveal does hold them: the search above can find what it looks for.
    assert all(value in desk("export", "--reveal").stdout for value in DENOUNCER.values())


def test_export_reveal_is_audited_with_who_and_where(desk, denouncer, tmp_path, monkeypatch):
    monkeypatch.setenv("TCT_OFFICER", "thanh tra Hùng")
    events = len(desk("log", "-f", "json").json())
    target = tmp_path / "revealed.json"
    assert desk("export", "--reveal", "-o", str(target)).exit_code == 0
    assert desk("export", "--reveal", "-f", "csv", "-o", str(tmp_path / "r.zip"), "--officer", "binh").exit_code == 0
    log = desk("log", "-f", "json").json()
    reveals = log[events:]
    assert [(e["action"], e["actor"]) for e in reveals] == [("export-reveal", "thanh tra Hùng"),
                                                             ("export-reveal", "Trần Thị Bình")]  # as registered
    assert reveals[0]["changes"]["after"]["output"] == str(target)
    assert reveals[1]["changes"]["after"]["format"] == "csv"
    assert not _leaks(json.dumps(reveals, ensure_ascii=False))  # the trail says who looked, not what they saw
    # Without --reveal nothing is recorded.
    assert desk("export", "-o", str(tmp_path / "masked.json")).exit_code == 0
    assert len(desk("log", "-f", "json").json()) == len(log)
