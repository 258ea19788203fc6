"""Crashes and full disks (issue 8): a register survives a `tct` killed mid-write, and a write that
cannot be finished leaves nothing half-written behind.

- `tct import --visits` of 50,000 rows killed (SIGKILL) part-way: the register holds none of the
  import or all of it, and passes `tct db check`.
- `tct backup` killed part-way: no file under a backup name; the next backup sweeps the remains.
- A full disk (a real EFBIG from RLIMIT_FSIZE, which binds root too) or an unwritable place (a
  path under a regular file) for `backup`, `export` and `report --output`: one `Error:` line,
  a non-zero exit, and no file under the target name nor any temporary file.

The killed and size-limited commands are real processes of the installed `tct`.
"""

from __future__ import annotations

import csv
import io
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_one_line_error
from test_reliability import _env, _tct_command

BACKUP_NAME = re.compile(r"^tct-\d{8}-\d{6}(-\d+)?\.db(\.gz)?$")
VISIT_COLUMNS = ["citizen", "id_number", "address", "phone", "locality", "people", "representatives", "type",
                 "field", "content", "at", "officer", "case", "case_ref", "handling", "kind", "escalated", "note"]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _counts(tct) -> dict[str, int]:  # type: ignore[no-untyped-def]
    run = tct("db", "info", "-f", "json")
    assert run.exit_code == 0, run.stderr
    return run.json()["tables"]


def _healthy(tct) -> None:  # type: ignore[no-untyped-def]
    check = tct("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


# --- a killed import ------------------------------------------------------------------------------

def visits_csv(path: Path, rows: int, officer: str = "binh") -> None:
    """`rows` valid visits, every column given: each a new citizen (own ID number) and a new case,
    one person (no delegation, so no flags), spread over 2021."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(VISIT_COLUMNS)
        for i in range(rows):
            day, month = 1 + i % 28, 1 + (i // 28) % 12
            writer.writerow([f"Nguyễn Văn {i}", f"{79_000_000_000 + i:012d}", f"Số {i} Lê Lợi", f"0909 {i:06d}",
                             f"Xã {i % 50}", "1", "", ("khiếu nại", "kiến nghị", "phản ánh")[i % 3],
                             ("land", "policy", "other")[i % 3], f"Nội dung lượt {i}",
                             f"{day:02d}/{month:02d}/2021 {8 + i % 9}:{i % 60:02d}", officer, "", "",
                             ("guided", "answered")[i % 2], "regular", "no", f"ghi chú {i}"])


@pytest.mark.slow
def test_a_visits_import_killed_part_way_leaves_none_or_all_of_it(tct, db_path, tmp_path):
    rows = 50_000
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    for n in (1, 2):
        assert tct("visit", "add", "--citizen", f"Trước {n}", "--type", "complaint", "--field", "land",
                   "--officer", "binh", "--at", f"0{n}/02/2021 09:00").exit_code == 0
    before = _counts(tct)
    source = tmp_path / "visits.csv"
    visits_csv(source, rows)
    wal = Path(f"{db_path}-wal")
    started = time.monotonic()
    with (tmp_path / "out").open("w") as out, (tmp_path / "err").open("w") as err:
        process = subprocess.Popen(_tct_command() + ["import", "--visits", str(source)], env=_env(db_path),
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            # Clearly under way: the uncommitted batches have spilled several MB into the WAL (the whole
            # import writes about 45 MB there before its commit).
            while process.poll() is None and time.monotonic() - started < 300:
                if wal.exists() and wal.stat().st_size > 8 * 1024 * 1024:
                    break
                time.sleep(0.01)
            wal_at_kill = wal.stat().st_size if wal.exists() else 0
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, (
        "the import ended before it could be killed", process.returncode, (tmp_path / "err").read_text())
    print(f"\nkilled after {time.monotonic() - started:.1f} s with {wal_at_kill / 1e6:.0f} MB in the WAL")

    _healthy(tct)
    after = _counts(tct)
    everything = {**before, "visit": before["visit"] + rows, "cases": before["cases"] + rows,
                  "citizen": before["citizen"] + rows, "audit_event": before["audit_event"] + 1}
    assert after in (before, everything), after
    if after == before:
        # Not a number was lost: the next visit follows the last one stored, without a gap.
        nxt = tct("visit", "add", "--citizen", "Sau", "--type", "complaint", "--field", "land", "--officer",
                  "binh", "--at", "03/02/2021 09:00", "-f", "json")
        assert nxt.exit_code == 0, nxt.stderr
        assert (nxt.json()["code"], nxt.json()["case"]) == ("TCD-2021-0003", "VV-2021-0003")
        assert not [e for e in tct("log", "-f", "json").json() if e["action"] == "import"]
    _healthy(tct)


# --- SIGTERM (systemd stopping a unit, `kill`) --------------------------------------------------

def _terminated_at(hook: str, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`tct ARGS` in a process of its own that is sent SIGTERM when it reaches `hook`
    ("module:Class.method" or "module:function"), before that runs."""
    module, name = hook.split(":")
    owner, _, attribute = name.rpartition(".")
    script = (
        "import importlib, os, signal, sys\n"
        f"module = importlib.import_module({module!r})\n"
        f"owner = getattr(module, {owner!r}) if {owner!r} else module\n"
        f"real = getattr(owner, {attribute!r})\n"
        "def terminated(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(*args, **kwargs)\n"
        f"setattr(owner, {attribute!r}, terminated)\n"
        "from tct.cli import main\n"
        f"sys.argv = ['tct', *{list(args)!r}]\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", script], env=_env(db), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def test_sigterm_during_an_import_says_interrupted_and_writes_nothing(tct, db_path, tmp_path):
    """As for backup, restore and export: one line and exit 130, not a silent death (143)."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    before = _counts(tct)
    source = tmp_path / "visits.csv"
    visits_csv(source, 3)
    done = _terminated_at("tct.bulk:_Writer.write", db_path, "import", "--visits", str(source))
    assert (done.returncode, done.stderr) == (130, "Error: interrupted (Ctrl-C, or SIGTERM from kill or systemd)\n")
    assert _counts(tct) == before
    _healthy(tct)


def test_sigterm_during_an_upgrade_says_interrupted_and_leaves_no_copy(db_path):
    from tct.db import SCHEMA_REVISIONS
    from test_db import _older_database

    _older_database(db_path)
    done = _terminated_at("tct.backup:_verify_copy", db_path, "db", "upgrade")
    assert (done.returncode, done.stderr) == (130, "Error: interrupted (Ctrl-C, or SIGTERM from kill or systemd)\n")
    assert _files(db_path.parent) == [db_path.name]
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_REVISIONS[0]
    con.close()


# --- a killed backup ----------------------------------------------------------------------------

def _big_register(path: Path, megabytes: int) -> None:
    """`megabytes` of officers written straight into the file, the WAL folded in."""
    con = sqlite3.connect(path)
    rows = megabytes * 1024 * 1024 // 1100
    con.executemany("INSERT INTO officer (name, name_folded, active, created_at) VALUES (?, ?, 1, "
                    "'2021-01-01 00:00:00.000000')",
                    ((f"Cán bộ {i} " + "x" * 1000, f"can bo {i}") for i in range(rows)))
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


@pytest.mark.slow
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_backup_killed_part_way_leaves_no_backup_and_is_swept_later(tct, db_path, tmp_path, compress):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    _big_register(db_path, 120)  # the copy and its check take a second or more
    before = _counts(tct)
    folder = tmp_path / "backups"
    # Killed while the copy is written (plain), or while it is compressed (gzip): either way before
    # the verified file gets its name.
    marker = ".db.gz" if compress else ".db"
    started = time.monotonic()
    process = subprocess.Popen(_tct_command() + ["backup", "--to", str(folder)] + (["--gzip"] if compress else []),
                               env=_env(db_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None and time.monotonic() - started < 120:
            partial = [p for p in folder.glob(".tct-tmp-*") if p.name.endswith(marker)] if folder.exists() else []
            if partial and partial[0].stat().st_size > 0:
                break
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the backup ended before it could be killed"
    left = _files(folder)
    assert not [name for name in left if BACKUP_NAME.match(name)], left
    assert any(name.startswith(".tct-tmp-") for name in left), left  # it was killed mid-copy
    _healthy(tct)
    assert _counts(tct) == before

    run = tct("backup", "--to", str(folder), *(["--gzip"] if compress else []))
    assert run.exit_code == 0, run.stderr
    made = Path(run.stdout.strip())
    assert _files(folder) == [made.name, f"{made.name}.sha256"] and BACKUP_NAME.match(made.name)  # swept


# --- full disks and unwritable places -------------------------------------------------------------

LIMIT = 64 * 1024  # bytes a size-limited process may write to any one file


def _small_files() -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed, as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def _run_with_a_full_disk(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**_env(db_path), "TCT_DEBUG": ""}
    return subprocess.run(_tct_command() + list(args), env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, preexec_fn=_small_files, timeout=300)


def _assert_failed_cleanly(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode not in (0, 4), (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="module")
def big_register(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A register whose report, export and backup are each far above LIMIT: 3,000 delegation visits
    (so 3,000 flagged cases in the report) over Tết 2021, and a roster for the period."""
    from tct import bulk, officers, settings
    from tct.db import open_database, write_session

    path = tmp_path_factory.mktemp("big") / "register" / "tct.db"
    db = open_database(str(path))
    try:
        with write_session(db) as session:
            officers.add(session, "Trần Thị Bình", actor="tester")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["citizen", "people", "representatives", "type", "field", "at", "officer", "locality"])
        for i in range(3000):
            writer.writerow([f"Đoàn {i}", "6", "A; B", "khiếu nại", "land", f"{3 + i % 21:02d}/02/2021 09:00",
                             "binh", f"Xã {i}"])
        with write_session(db) as session:
            bulk.load(session, io.StringIO(buffer.getvalue()), settings=settings.load(session), actor="tester")
    finally:
        db.dispose()
    return path


def _sizes_above_the_limit(db_path: Path, folder: Path) -> None:
    """Without the limit, the outputs below are larger than it (so the limit does bite): xlsx, the
    smallest (compressed) report, is checked; the others are several times its size."""
    env = _env(db_path)
    for fmt in ("xlsx",):
        target = folder / f"unlimited.{fmt}"
        subprocess.run(_tct_command() + ["report", "tet-2021", "-f", fmt, "-o", str(target)], env=env, check=True,
                       capture_output=True)
        assert target.stat().st_size > LIMIT, (fmt, target.stat().st_size)
        target.unlink()


@pytest.mark.slow
def test_a_full_disk_fails_report_export_and_backup_cleanly(big_register, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    _sizes_above_the_limit(big_register, folder)
    for fmt in ("md", "csv", "json", "xlsx", "table"):
        target = folder / f"report.{fmt}"
        done = _run_with_a_full_disk(big_register, "report", "tet-2021", "-f", fmt, "--output", str(target))
        # xlsx fails earlier, in openpyxl's temporary sheets (the same disk, full as well)
        _assert_failed_cleanly(done, "cannot", *([] if fmt == "xlsx" else [str(target)]))
        assert _files(folder) == [], (fmt, _files(folder))
    for args, name in ((["-f", "json"], "register.json"), (["-f", "csv"], "register-csv"),
                       (["-f", "csv"], "register.zip")):
        done = _run_with_a_full_disk(big_register, "export", *args, "--output", str(folder / name))
        _assert_failed_cleanly(done, "nothing was exported")
        assert _files(folder) == [], (name, _files(folder))
    done = _run_with_a_full_disk(big_register, "backup", "--gzip", "--to", str(folder))
    _assert_failed_cleanly(done, "no backup was made")
    assert _files(folder) == []
    # The register itself was never harmed.
    check = subprocess.run(_tct_command() + ["db", "check"], env=_env(big_register), capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_an_unwritable_place_fails_report_export_and_backup_cleanly(tct, tmp_path, backend):
    """A folder that cannot be made (its parent is a regular file): root cannot write there either."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", "10/02/2021 09:00").exit_code == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    below = blocker / "sub"
    for fmt in ("table", "md", "csv", "json", "xlsx"):
        assert_one_line_error(tct("report", "tet-2021", "-f", fmt, "--output", str(below / f"r.{fmt}")), 1)
    for args, name in ((["-f", "json"], "register.json"), (["-f", "csv"], "register-csv"),
                       (["-f", "csv"], "register.zip"), (["-f", "json", "--reveal"], "revealed.json")):
        assert_one_line_error(tct("export", *args, "--output", str(below / name)), 1)
    # On PostgreSQL the backup is pg_dump's custom format, already compressed: --gzip is a usage error there.
    for extra in ([], ["--gzip"]) if backend == "sqlite" else ([],):
        assert_one_line_error(tct("backup", "--to", str(below / "backups"), *extra), 1, "no backup was made")
    assert blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(("register", "xdg"))) == ["a-file"]
    _healthy(tct)
