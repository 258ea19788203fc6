"""Backups and restores: consistent while others write, verified, private, rotated, loud on failure."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import assert_one_line_error, file_mode
from tct import backup as library
from tct.db import SCHEMA_HEAD, sqlite_register
from tct.errors import TctError
from test_exchange import fill_register

NAME = re.compile(r"^tct-\d{8}-\d{6}(-\d+)?\.db(\.gz)?$")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _healthy(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return con


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_backup_is_a_private_verified_copy_beside_the_database(tct, database, db_path):
    fill_register(database)
    old = os.umask(0)
    try:
        run = tct("backup", "--format", "json")
    finally:
        os.umask(old)
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""  # nothing extra when not at a terminal (cron)
    summary = run.json()
    assert set(summary) == {"path", "bytes", "sha256", "counts", "seconds"}
    path = Path(summary["path"])
    assert path.parent == db_path.parent / "backups" and NAME.match(path.name)
    assert file_mode(path) == 0o600 and file_mode(path.parent) == 0o700
    assert summary["bytes"] == path.stat().st_size and summary["sha256"] == _sha(path)
    con = _healthy(path)
    assert summary["counts"]["visit"] == con.execute("SELECT count(*) FROM visit").fetchone()[0] == 3
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    con.close()
    # Its sha256 beside it, as `sha256sum -c` reads it: what restore checks the file against later.
    assert _files(path.parent) == [path.name, path.name + ".sha256"]
    checksum = path.parent / (path.name + ".sha256")
    assert checksum.read_text() == f"{_sha(path)}  {path.name}\n" and file_mode(checksum) == 0o600
    plain = tct("backup")
    assert plain.exit_code == 0 and Path(plain.stdout.strip()).exists()


def test_gzip_backup_holds_the_same_database(tct, database, tmp_path):
    fill_register(database)
    run = tct("backup", "--gzip", "--to", str(tmp_path / "nightly"), "-f", "json")
    assert run.exit_code == 0, run.stderr
    path = Path(run.json()["path"])
    assert path.name.endswith(".db.gz") and file_mode(path) == 0o600
    unpacked = tmp_path / "unpacked.db"
    unpacked.write_bytes(gzip.decompress(path.read_bytes()))
    assert _healthy(unpacked).execute("SELECT count(*) FROM cases").fetchone()[0] == 3


def test_a_backup_files_name_and_bytes_agree(tct, database, tmp_path):
    """`--to FILE.gz` is compressed without --gzip; --gzip to a name without .gz is refused (a gzip
    named .db, or a database named .gz, misleads whoever looks for the backup)."""
    fill_register(database)
    named = tmp_path / "before-tet.db.gz"
    assert tct("backup", "--to", str(named)).exit_code == 0
    assert _healthy(_unpacked(named, tmp_path)).execute("SELECT count(*) FROM cases").fetchone()[0] == 3
    assert_one_line_error(tct("backup", "--gzip", "--to", str(tmp_path / "plain.db")), 2, "plain.db.gz")
    assert not (tmp_path / "plain.db").exists()


def _unpacked(path: Path, tmp_path: Path) -> Path:
    unpacked = tmp_path / f"{path.name}.unpacked.db"
    unpacked.write_bytes(gzip.decompress(path.read_bytes()))
    return unpacked


def test_gzip_summary_describes_the_compressed_file(tct, database, tmp_path):
    fill_register(database)
    summary = tct("backup", "--gzip", "--to", str(tmp_path / "nightly"), "-f", "json").json()
    path = Path(summary["path"])
    assert summary["bytes"] == path.stat().st_size and summary["sha256"] == _sha(path)


def test_the_plain_sqlite_paths_know_the_models_tables():
    from tct.db import TABLE_NAMES
    from tct.models import ALL_TABLES

    assert TABLE_NAMES == ALL_TABLES


def test_a_plain_sqlite_backup_does_not_load_sqlalchemy(tct, database, db_path, tmp_path):
    """Start-up is most of a small register's backup: the command path stays on the sqlite3 module."""
    fill_register(database)
    probe = textwrap.dedent("""
        import sys
        sys.argv = ["tct"] + sys.argv[1:]
        from tct.cli import run
        code = run()
        print(sorted(m for m in ("sqlalchemy", "sqlmodel", "tct.models") if m in sys.modules))
        sys.exit(code)
    """)
    done = subprocess.run([sys.executable, "-c", probe, "--db", str(db_path), "backup", "--to", str(tmp_path / "b")],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "TCT_DEBUG": ""})
    assert done.returncode == 0, done.stderr
    path, loaded = done.stdout.strip().splitlines()
    assert NAME.match(Path(path).name) and loaded == "[]"


def test_registers_the_sqlite3_module_cannot_vouch_for_get_the_full_open(tct, db_path, tmp_path):
    """Missing, older-schema or foreign files go through open_database: same messages as any command."""
    assert sqlite_register(str(db_path)) is None  # missing: the full open refuses it (nothing to back up)
    assert_one_line_error(tct("backup", "--to", str(tmp_path / "first")), 3, "no database at")
    assert tct("db", "info").exit_code == 0  # (any other command starts the register)
    assert tct("backup", "--to", str(tmp_path / "first")).exit_code == 0
    assert sqlite_register(str(db_path)) == db_path
    assert sqlite_register("postgresql+psycopg://u@h/d") is None
    from test_db import _older_database

    old = tmp_path / "old" / "tct.db"
    _older_database(old)
    assert sqlite_register(str(old)) is None
    # backed up as it is (the backup an administrator takes before `tct db upgrade`), not upgraded
    saved = tct("--db", str(old), "backup", "--to", str(tmp_path / "before-upgrade.db"), db=False)
    assert saved.exit_code == 0, saved.stderr
    assert _schema(tmp_path / "before-upgrade.db") == _schema(old) != SCHEMA_HEAD
    assert_one_line_error(tct("--db", str(old), "visit", "list", db=False), 3, "tct db upgrade")
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE things (x)")
    con.commit()
    con.close()
    assert sqlite_register(str(foreign)) is None
    assert_one_line_error(tct("--db", str(foreign), "backup", db=False), 3, "not a tct database")
    text = tmp_path / "notes.db"
    text.write_text("không phải cơ sở dữ liệu")
    assert sqlite_register(str(text)) is None
    assert_one_line_error(tct("--db", str(text), "backup", db=False), 3, "not a tct database")
    assert not (tmp_path / "old" / "backups").exists()


def _schema(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return str(con.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        con.close()


def test_backup_to_an_explicit_file_never_replaces_one(tct, database, tmp_path):
    target = tmp_path / "copy.db"
    assert tct("backup", "--to", str(target)).exit_code == 0
    first = _sha(target)
    assert_one_line_error(tct("backup", "--to", str(target)), 1, "already exists")
    assert _sha(target) == first


@pytest.mark.sqlite_only
def test_backup_of_a_missing_register_fails_and_creates_nothing(tct, db_path, tmp_path):
    """A mistyped TCT_DB (or a lost file) in the nightly cron job must fail loudly, not back up a
    brand-new empty register night after night while --keep rotates the real backups away."""
    assert not db_path.exists()
    run = tct("backup", "--to", str(tmp_path / "nightly"))
    assert_one_line_error(run, 3, str(db_path))
    assert not db_path.exists() and not (tmp_path / "nightly").exists()


def test_keep_rotation_deletes_only_older_tct_backups(tct, database, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    older = ["tct-20210101-010101.db", "tct-20210102-010101.db.gz", "tct-20210103-010101.db",
             "tct-20210103-010101-2.db"]
    others = ["notes.txt", "tct-pre-upgrade-20200101-000000.db", "tct-pre-restore-20200101-000000.db",
              "tct-20200101.db", "my-tct-20200101-000000.db", "tct-20200101-000000.db.bak"]
    for name in older + others + ["tct-20210101-010101.db.sha256", "tct-20210103-010101-2.db.sha256"]:
        (folder / name).write_bytes(b"x")
    run = tct("backup", "--to", str(folder), "--keep", "2")
    assert run.exit_code == 0, run.stderr
    new = Path(run.stdout.strip()).name
    assert _files(folder) == sorted(others + ["tct-20210103-010101-2.db", "tct-20210103-010101-2.db.sha256", new,
                                              f"{new}.sha256"])  # a deleted backup's checksum goes with it
    assert run.stderr == ""  # silent for cron
    assert tct("backup", "--to", str(folder), "--keep", "1").exit_code == 0
    assert len([n for n in _files(folder) if NAME.match(n)]) == 1
    assert set(others) <= set(_files(folder))
    assert tct("backup", "--keep", "0").exit_code == 2


def test_rotation_never_deletes_the_backup_it_just_made(tct, database, tmp_path):
    """A backup named later than now (taken while the clock was ahead) must not push tonight's out:
    the command printed tonight's path with exit 0, and the file was gone."""
    folder = tmp_path / "backups"
    folder.mkdir()
    ahead = folder / "tct-20991231-235959.db"
    ahead.write_bytes(b"x")
    older = folder / "tct-20210101-010101.db"
    older.write_bytes(b"x")
    run = tct("backup", "--to", str(folder), "--keep", "2")
    assert run.exit_code == 0, run.stderr
    made = Path(run.stdout.strip())
    _healthy(made).close()
    assert _files(folder) == sorted([ahead.name, made.name, f"{made.name}.sha256"])
    again = tct("backup", "--to", str(folder), "--keep", "1")
    assert again.exit_code == 0, again.stderr
    assert _files(folder) == [Path(again.stdout.strip()).name, f"{Path(again.stdout.strip()).name}.sha256"]


def test_without_hard_links_a_file_that_appears_under_the_name_is_kept(tct, database, db_path, tmp_path,
                                                                      monkeypatch):
    """On a file system without hard links (vfat, some network shares), a file that takes the
    explicit --to name while the copy is checked is neither replaced nor waited on for ever."""
    import signal

    target = tmp_path / "share" / "nightly.db"
    verify = library._verify_copy

    def someone_takes_the_name(*args, **kwargs):  # type: ignore[no-untyped-def]
        verify(*args, **kwargs)
        target.write_bytes(b"theirs")

    def no_hard_links(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(library, "_verify_copy", someone_takes_the_name)
    monkeypatch.setattr(library.os, "link", no_hard_links)
    previous = signal.signal(signal.SIGALRM, signal.default_int_handler)
    signal.alarm(20)  # the bug was an endless loop: fail instead of hanging the suite
    try:
        run = tct("backup", "--to", str(target))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert_one_line_error(run, 1, "already exists")
    assert target.read_bytes() == b"theirs"
    assert _files(target.parent) == ["nightly.db"]


def test_a_register_locked_past_the_timeout_is_a_database_error(tct, database, db_path, tmp_path, monkeypatch):
    """Exit 3, as README's table says for a register locked past the timeout, whichever step meets the lock."""
    fill_register(database)
    database.dispose()
    monkeypatch.setenv("TCT_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE setting SET value = value")
    try:
        with pytest.raises(TctError, match="locked.*no backup was made") as caught:
            library.backup(db_path, tmp_path / "out")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert caught.value.exit_code == 3
    assert _files(tmp_path / "out") == []


def test_backup_into_an_unwritable_place_fails_and_leaves_nothing(tct, database, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = tct("backup", "--to", str(blocker / "backups"))
    assert_one_line_error(run, 1, "no backup was made")
    assert _files(tmp_path) == ["a-file", "register", "xdg-data"] or _files(tmp_path) == ["a-file", "register"]


@pytest.mark.parametrize("compress", [False, True])
def test_a_backup_is_on_disk_before_it_has_its_name(tct, database, tmp_path, monkeypatch, compress):
    """A power cut right after the backup must not leave a named file whose bytes were never written."""
    fill_register(database)
    real_fsync, real_link = os.fsync, os.link
    synced: list[int] = []  # inodes whose bytes reached the disk
    named: list[tuple[Path, bool]] = []

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(os.fstat(fd).st_ino)

    def link(source, target, *args, **kwargs):  # type: ignore[no-untyped-def]
        named.append((Path(target), os.stat(source).st_ino in synced))
        return real_link(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "link", link)
    run = tct("backup", "--to", str(tmp_path / "out"), "--format", "json", *(["--gzip"] if compress else []))
    assert run.exit_code == 0, run.stderr
    assert named == [(Path(run.json()["path"]), True)]


def test_a_copy_that_fails_verification_leaves_no_file(tct, database, tmp_path, monkeypatch):
    fill_register(database)
    real = library._count
    calls = []

    def count_drops_a_row(con):  # type: ignore[no-untyped-def]
        counts = real(con)
        calls.append(1)
        if len(calls) == 2:  # the copy's count, after the snapshot's
            counts["visit"] -= 1
        return counts

    monkeypatch.setattr(library, "_count", count_drops_a_row)
    folder = tmp_path / "out"
    run = tct("backup", "--to", str(folder))
    assert_one_line_error(run, 1, "row counts differ", "visit 3→2", "no backup was made")
    assert _files(folder) == []


@pytest.mark.parametrize("damage", ["flip", "drop"])
def test_a_gzip_file_damaged_as_it_is_written_gets_no_backup_name(tct, database, tmp_path, monkeypatch, damage):
    """The .db.gz that gets a backup name is read back from disk and must give the checked copy's
    bytes: here what reaches the disk differs from what the compressor produced (a flipped bit, a
    lost block)."""
    fill_register(database)

    class Damaging(library._HashingWriter):
        def write(self, data):  # type: ignore[no-untyped-def]
            data = bytes(data)
            self.digest.update(data)
            self.size += len(data)
            if len(data) > 64 and self.size > 64:
                data = data[:32] + bytes([data[32] ^ 0x01]) + data[33:] if damage == "flip" else b""
            self.raw.write(data)
            return len(data)

    monkeypatch.setattr(library, "_HashingWriter", Damaging)
    folder = tmp_path / "gz"
    run = tct("backup", "--gzip", "--to", str(folder))
    assert_one_line_error(run, 1, "compressed copy", "no backup was made")
    assert _files(folder) == []


def test_an_interrupted_backup_leaves_no_file(tct, database, tmp_path, monkeypatch):
    def interrupted(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(library, "_verify_copy", interrupted)
    folder = tmp_path / "out"
    # One line on stderr, which cron mails and systemd logs (README: Ctrl-C prints one line).
    assert_one_line_error(tct("backup", "--to", str(folder)), 130, "interrupted")
    assert _files(folder) == []
    assert "đã bị ngắt" in tct("backup", "--to", str(folder), env={"TCT_LANG": "vi"}).stderr


def _big_register(path: Path) -> None:
    """Half a megabyte of officers, and the WAL folded in (nothing left to checkpoint later)."""
    con = sqlite3.connect(path)
    con.executemany("INSERT INTO officer (name, name_folded, active, created_at) VALUES (?, ?, 1, "
                    "'2021-01-01 00:00:00.000000')", [(f"Cán bộ {i} " + "x" * 200, f"can bo {i}") for i in range(2000)])
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


@pytest.mark.slow
def test_a_full_disk_fails_loudly_and_leaves_no_file(tct, db_path, tmp_path):
    """A real write failure, even for root: the process may not write files bigger than 64 KiB."""
    assert tct("db", "info").exit_code == 0
    _big_register(db_path)
    folder = tmp_path / "out"
    folder.mkdir()

    def small_files() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    done = subprocess.run([sys.executable, "-m", "tct", "--db", str(db_path), "backup", "--to", str(folder)],
                          capture_output=True, text=True, preexec_fn=small_files, timeout=120,
                          env={**os.environ, "TCT_DEBUG": ""})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "no backup was made" in lines[0], done.stderr
    assert _files(folder) == []


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_full_disk_is_named_as_the_cause(tct, db_path, small_disk, compress):
    """The cron mail says the disk is full, not 'disk I/O error', and nothing is left on the disk."""
    assert tct("db", "info").exit_code == 0
    _big_register(db_path)
    run = tct("backup", "--to", str(small_disk), *(["--gzip"] if compress else []))
    assert_one_line_error(run, 1, "no space left", str(small_disk), "no backup was made")
    assert _files(small_disk) == []


def test_postgresql_without_pg_dump_says_what_is_needed(tmp_path, monkeypatch):
    monkeypatch.setattr(library.shutil, "which", lambda _name: None)
    register = SimpleNamespace(url="postgresql+psycopg://tct:secret@db.example/tct", path=None, is_sqlite=False)
    with pytest.raises(TctError, match="pg_dump is not on PATH.*server's own"):
        library.backup(register, tmp_path / "pg")  # type: ignore[arg-type]
    with pytest.raises(TctError, match="--to"):
        library.backup(register)  # type: ignore[arg-type]


@pytest.mark.parametrize(("stderr", "locked"), [
    # PostgreSQL 15's pg_dump behind a lock past --lock-wait-timeout, in English and in German (the
    # server's lc_messages and the administrator's locale choose the words)
    ("pg_dump: error: query failed: ERROR:  canceling statement due to statement timeout\n"
     "pg_dump: detail: Query was: LOCK TABLE public.visit IN ACCESS SHARE MODE\n", True),
    ("pg_dump: Fehler: Anfrage fehlgeschlagen: FEHLER:  storniere Anfrage wegen Zeitüberschreitung der Anfrage\n"
     "pg_dump: Detail: Anfrage war: LOCK TABLE public.visit IN ACCESS SHARE MODE\n", True),
    ('pg_dump: error: connection to server at "db.example" failed: FATAL:  password authentication failed\n',
     False),
    ("pg_dump: Fehler: Anfrage fehlgeschlagen: FEHLER:  Relation »visit« existiert nicht\n"
     "pg_dump: Detail: Anfrage war: SELECT count(*) FROM visit\n", False),
])
def test_a_pg_dump_locked_out_is_told_in_any_language(stderr, locked):
    """A nightly backup behind another program's lock exits 3 ("the register is locked"), not as a
    broken backup, whatever language the server and pg_dump speak (test_postgres runs the real one)."""
    said = " ".join(stderr.split())
    assert library._pg_dump_locked_out(said, waited_s=5.1, wait_s=5.0) is locked


def test_a_lock_refused_at_once_is_a_failed_backup_not_a_locked_register():
    """pg_dump names the LOCK TABLE it could not run for any reason: refused at once (no privilege
    on another program's table), it is a backup that failed, which trying again will not mend."""
    said = ("pg_dump: error: query failed: ERROR: permission denied for table dba_notes "
            "pg_dump: detail: Query was: LOCK TABLE public.dba_notes IN ACCESS SHARE MODE")
    assert not library._pg_dump_locked_out(said, waited_s=0.05, wait_s=5.0)
    assert library._pg_dump_locked_out(said.replace("permission denied for table dba_notes",
                                                    "canceling statement due to statement timeout"),
                                       waited_s=5.02, wait_s=5.0)


WRITER = textwrap.dedent("""
    import sqlite3, sys
    path, stop = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    import os
    seq = 0
    while not os.path.exists(stop):
        seq += 1
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO visit (code, year, seq, case_id, citizen_id, officer_id, visited_at, visit_date, "
                    "people, delegation, type, field, handling, kind, escalated, search_folded, void, created_at, "
                    "updated_at) VALUES (?, 2021, ?, 1, 1, 1, '2021-02-10 02:00:00.000000', '2021-02-10', 1, 0, "
                    "'complaint', 'land', 'guided', 'regular', 0, '', 0, '2021-02-10 02:00:00.000000', "
                    "'2021-02-10 02:00:00.000000')", (f"TCD-2021-{seq:06d}", seq))
        con.execute("UPDATE code_counter SET last = ? WHERE kind = 'visit' AND year = 2021", (seq,))
        con.execute("COMMIT")
    print(seq)
""")


def _written(path: Path) -> int:
    probe = sqlite3.connect(path, timeout=30)
    try:
        return probe.execute("SELECT count(*) FROM visit WHERE year = 2021").fetchone()[0]
    finally:
        probe.close()


@pytest.mark.slow
def test_backup_while_another_process_writes_is_a_healthy_prefix(tct, database, db_path, tmp_path, monkeypatch):
    fill_register(database)
    con = sqlite3.connect(db_path)
    con.execute("DELETE FROM code_counter WHERE kind = 'visit'")
    con.execute("INSERT INTO code_counter (kind, year, last) VALUES ('visit', 2021, 0)")
    con.execute("UPDATE visit SET year = 2020")  # the test data's visits, out of the writer's way
    con.commit()
    con.close()
    _big_register(db_path)  # big enough for the copy to take many steps
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(stop)], stdout=subprocess.PIPE,
                              text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _written(db_path) >= 50:
                break
            time.sleep(0.05)
        results = []
        run = tct("backup", "--to", str(tmp_path / "b"), "-f", "json")  # one step, as from cron
        assert run.exit_code == 0, run.stderr
        results.append((run.json(), None, None))
        # Small steps with a pause in each, as with a progress bar: the writer commits during the copy.
        monkeypatch.setattr(library, "_PAGES_PER_STEP", 8)
        for _ in range(3):
            before = _written(db_path)
            summary = library.backup(database, tmp_path / "b", progress=lambda *_: time.sleep(0.01)).as_dict()
            results.append((summary, before, _written(db_path)))
    finally:
        stop.touch()
        total = int(writer.communicate(timeout=60)[0])
    assert writer.returncode == 0
    seen = []
    overlapped = 0
    for summary, before, after in results:
        con = _healthy(Path(summary["path"]))
        seqs = [row[0] for row in con.execute("SELECT seq FROM visit WHERE year = 2021 ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1))  # a prefix of the writer's visits: no gap, nothing torn
        assert con.execute("SELECT last FROM code_counter WHERE kind = 'visit' AND year = 2021").fetchone()[0] \
            == len(seqs)
        assert summary["counts"]["visit"] == len(seqs) + 3
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        con.close()
        seen.append(len(seqs))
        if before is not None:
            assert before <= len(seqs) <= after
            overlapped += after > before
    assert seen == sorted(seen) and 0 < seen[0] and seen[-1] <= total
    assert overlapped  # the writer did commit while a copy was being made


# --- restore ----------------------------------------------------------------------------------

def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("visit", "setting", "officer")}
    finally:
        con.close()


def test_restore_round_trip(tct, database, db_path, tmp_path):
    fill_register(database)
    saved = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    original = tct("export", "--reveal").json()
    assert tct("config", "set", "agency.name", "Đổi tên sau sao lưu").exit_code == 0
    changed = _counts(db_path)
    reader = sqlite3.connect(db_path)  # another desk with the register open
    reader.execute("SELECT count(*) FROM visit").fetchone()
    run = tct("restore", "--force", str(saved), "--officer", "Quản trị")
    assert run.exit_code == 0, run.stderr
    assert reader.execute("SELECT value FROM setting WHERE key = 'agency.name'").fetchone()[0] \
        == '"Thanh tra Sở Thông tin và Truyền thông"'
    reader.close()
    restored = tct("export", "--reveal").json()
    events = restored["tables"]["audit_event"]
    assert events[-1]["action"] == "restore" and events[-1]["actor"] == "Quản trị"
    assert events[-1]["changes"]["after"]["sha256"] == _sha(saved) if isinstance(events[-1]["changes"], dict) \
        else _sha(saved) in events[-1]["changes"]
    # The backup's rows exactly, plus the restore's own event (the later setting change is gone).
    assert restored["tables"] == {**original["tables"], "audit_event": original["tables"]["audit_event"] + [events[-1]]}
    pre = [p for p in (db_path.parent / "backups").iterdir()
           if p.name.startswith("tct-pre-restore-") and p.suffix == ".db"]
    assert len(pre) == 1 and _counts(pre[0]) == changed and file_mode(pre[0]) == 0o600
    # Its checksum beside it, as every backup's: restoring it later is checked against it.
    checksum = library.checksum_file(pre[0])
    assert checksum.read_text() == f"{_sha(pre[0])}  {pre[0].name}\n" and file_mode(checksum) == 0o600
    assert file_mode(db_path) == 0o600
    assert tct("db", "check").exit_code == 0
    assert sqlite3.connect(db_path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_restore_onto_a_full_disk_names_the_disk_and_changes_nothing(tct, small_disks, tmp_path):
    """Whichever step runs out of room beside the register (the scratch copy of the backup, the
    pre-restore backup, the restore's audit event, the copy into the live file), the one line says
    the disk is full: a good backup is not called unreadable, nor the register locked."""
    disk = small_disks("2m")
    register = disk / "tct.db"
    assert tct("--db", str(register), "officer", "add", "Nguyễn Văn A", db=False).exit_code == 0
    saved = Path(tct("--db", str(register), "backup", "--to", str(tmp_path / "safe"), db=False).stdout.strip())
    assert tct("--db", str(register), "officer", "add", "Trần Thị B", db=False).exit_code == 0
    before = _sha(register)
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    restored = False
    for room in range(0, free, 48 * 1024):
        filler = disk / "filler"
        filler.write_bytes(b"\0" * (free - room))
        run = tct("--db", str(register), "restore", "--force", str(saved), db=False)
        filler.unlink()
        if run.exit_code == 0:
            restored = True
            break
        assert_one_line_error(run, 1, "no space left on the disk of", str(disk), "nothing was changed")
        assert _sha(register) == before and _counts(register)["officer"] == 2
        assert sorted(p.name for p in disk.iterdir() if not p.name.startswith("tct.db")) in ([], ["backups"])
        for pre in (disk / "backups").glob("tct-pre-restore-*"):  # (a complete one may be left: room for the next)
            pre.unlink()
    assert restored and _counts(register)["officer"] == 1


def test_a_write_during_the_restore_is_in_a_pre_restore_backup(tct, database, db_path, tmp_path, monkeypatch):
    """A desk that logs a visit after the pre-restore backup was taken, and before the copy replaces the
    register, was told its visit was saved: it must be in a pre-restore backup, not lost with the register."""
    fill_register(database)
    saved = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    audit_in_scratch = library._audit_in_scratch

    def a_desk_writes_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        desk = subprocess.run([sys.executable, "-m", "tct", "--db", str(db_path), "visit", "add", "--citizen",
                               "Người đến muộn", "--type", "khiếu-nại", "--field", "land", "--content", "Ghi muộn",
                               "--officer", "Trần Thị Bình", "--at", "10/02/2021 10:00"],
                              capture_output=True, text=True, env={**os.environ, "TCT_LANG": "en"})
        assert desk.returncode == 0, desk.stderr
        audit_in_scratch(*args, **kwargs)

    monkeypatch.setattr(library, "_audit_in_scratch", a_desk_writes_meanwhile)
    run = tct("restore", "--force", str(saved))
    assert run.exit_code == 0, run.stderr
    backups = db_path.parent / "backups"
    named = re.search(r"tct-pre-restore-[-\d]+\.db", run.stderr)
    assert named is not None, run.stderr

    def late_visits(path: Path) -> int:
        con = _healthy(path)
        try:
            return int(con.execute("SELECT count(*) FROM visit WHERE content = 'Ghi muộn'").fetchone()[0])
        finally:
            con.close()

    assert late_visits(backups / named.group(0)) == 1  # the backup the restore names holds it
    assert library.checksum_file(backups / named.group(0)).read_text().split()[0] == _sha(backups / named.group(0))
    assert late_visits(db_path) == 0  # (the register is the backup's, as asked)


def test_restore_of_a_gzip_backup(tct, database, db_path, tmp_path):
    fill_register(database)
    saved = Path(tct("backup", "--gzip", "--to", str(tmp_path / "safe")).stdout.strip())
    con = sqlite3.connect(db_path)
    con.execute("UPDATE officer SET title = 'đã sửa'")
    con.commit()
    con.close()
    assert tct("restore", "--force", str(saved)).exit_code == 0
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT title FROM officer WHERE id = 1").fetchone()[0] == "Thanh tra viên"
    con.close()


def _fold_wal(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    con.close()


def _corrupt_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    text = tmp_path / "notes.db"
    text.write_text("không phải cơ sở dữ liệu")
    torn = tmp_path / "torn.db"
    data = bytearray(good.read_bytes())
    data[4096:12288] = b"\xff" * 8192
    torn.write_bytes(bytes(data))
    half = tmp_path / "half.db"
    half.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    packed = tmp_path / "bad.db.gz"
    packed.write_bytes(gzip.compress(good.read_bytes())[:200])
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE things (x)")
    con.commit()
    con.close()
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    return {"text": text, "torn": torn, "half": half, "gzip": packed, "foreign": foreign, "newer": newer,
            "missing": tmp_path / "missing.db"}


def test_restore_of_a_bad_file_changes_nothing(tct, database, db_path, tmp_path):
    fill_register(database)
    good = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    database.dispose()
    _fold_wal(db_path)
    before = _sha(db_path)
    folder_before = _files(db_path.parent)
    for kind, bad in _corrupt_files(tmp_path, good).items():
        bad_before = _sha(bad) if bad.exists() else None
        run = tct("restore", "--force", str(bad))
        assert run.exit_code == 1, (kind, run.stderr)
        assert_one_line_error(run, 1)
        assert _sha(db_path) == before, kind
        assert _files(db_path.parent) == folder_before, kind
        assert (_sha(bad) if bad.exists() else None) == bad_before, kind  # the user's file is only read


def test_a_backup_whose_checksum_cannot_be_written_does_not_count(tct, database, tmp_path, monkeypatch):
    fill_register(database)
    import tct.backup as backup_module

    def no_room(source, target):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_module.os, "replace", no_room)
    run = tct("backup", "--to", str(tmp_path / "safe"))
    assert_one_line_error(run, 1, "checksum")
    assert _files(tmp_path / "safe") == []  # neither the backup nor a stray temporary file


def test_restore_refuses_a_backup_changed_since_it_was_made(tct, database, db_path, tmp_path):
    """A changed byte inside a row passes SQLite's checks; the checksum kept beside the backup does not."""
    fill_register(database)
    good = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    database.dispose()
    _fold_wal(db_path)
    before = _sha(db_path)
    altered = good.read_bytes().replace("Thanh tra viên".encode(), "Thanh tra viêm".encode(), 1)
    assert altered != good.read_bytes()
    good.write_bytes(altered)
    _healthy(good).close()  # still a healthy SQLite file
    run = tct("restore", "--force", str(good))
    assert_one_line_error(run, 1, "sha256 differs")
    assert _sha(db_path) == before
    # A backup that came without its checksum file (copied alone, or made by an older tct) is
    # checked by SQLite alone, as before.
    (good.parent / f"{good.name}.sha256").unlink()
    assert tct("restore", "--force", str(good)).exit_code == 0


@pytest.mark.parametrize("damage", ["", "\n\n", "not a checksum\n", "abc123  tct.db\n", "\x00\xff\xfe garbage",
                                    "directory"], ids=["empty", "blank", "words", "short", "bytes", "folder"])
def test_a_damaged_checksum_file_is_named_and_the_backup_not_blamed(tct, database, db_path, tmp_path, damage):
    """An emptied or overwritten checksum file says nothing about the backup beside it: the restore
    is refused (it cannot be verified) with the checksum file named as the problem and the way on,
    and goes ahead once that file is moved aside."""
    fill_register(database)
    good = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    database.dispose()
    _fold_wal(db_path)
    before = _sha(db_path)
    recorded = library.checksum_file(good)
    recorded.unlink()
    if damage == "directory":
        recorded.mkdir()
    else:
        recorded.write_bytes(damage.encode("latin-1"))
    run = tct("restore", "--force", str(good))
    assert_one_line_error(run, 1, f"checksum file {recorded}", "may be fine", "nothing was changed",
                          f"move {recorded} aside")
    assert "sha256 differs" not in run.stderr
    assert _sha(db_path) == before
    said = tct("--lang", "vi", "restore", "--force", str(good))
    assert said.exit_code == 1 and "tệp mã kiểm tra" in said.stderr and "có thể vẫn tốt" in said.stderr
    recorded.rmdir() if recorded.is_dir() else recorded.unlink()
    assert tct("restore", "--force", str(good)).exit_code == 0


def test_a_checksum_file_as_sha256sum_writes_it_is_read(tct, database, tmp_path):
    """Upper-case digits and the binary-mode `*NAME` of `sha256sum -b` are the same sha256."""
    fill_register(database)
    good = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    library.checksum_file(good).write_text(f"{_sha(good).upper()} *{good.name}\n")
    assert tct("restore", "--force", str(good)).exit_code == 0


def test_restore_asks_at_a_terminal_and_refuses_without_one(tct, database, db_path, tmp_path, monkeypatch):
    fill_register(database)
    saved = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    assert tct("config", "set", "agency.name", "Mới").exit_code == 0
    assert_one_line_error(tct("restore", str(saved)), 2, "--force")
    from tct.cli import backup as backup_cli

    monkeypatch.setattr(backup_cli, "stdin_is_terminal", lambda: True)
    declined = tct("restore", str(saved), input="n\n")
    assert declined.exit_code == 1
    assert "TCD-2021-0003" in declined.stderr and "visit" in declined.stderr  # what would be replaced
    # its newest visit at the office's time, day-first, as the desk reads one (stored in UTC)
    assert re.search(r"TCD-2021-0003 \d{2}/\d{2}/2021", declined.stderr), declined.stderr
    assert "2021-02-" not in declined.stderr
    assert tct("config", "get", "agency.name").stdout.strip() == "Mới"
    accepted = tct("restore", str(saved), input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert tct("config", "get", "agency.name").stdout.strip() == "Thanh tra Sở Thông tin và Truyền thông"


def test_restore_shows_the_newest_visit_at_the_registers_own_time(tct, db_path, tmp_path, monkeypatch):
    """An office set to another zone before its first visit sees that visit's time as it typed it."""
    assert tct("config", "set", "timezone", "Asia/Tokyo").exit_code == 0
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", "10/02/2021 09:15").exit_code == 0
    saved = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    from tct.cli import backup as backup_cli

    monkeypatch.setattr(backup_cli, "stdin_is_terminal", lambda: True)
    declined = tct("restore", str(saved), input="n\n")
    assert declined.exit_code == 1 and "09:15" in declined.stderr and "07:15" not in declined.stderr


def test_restore_of_an_older_backup_upgrades_a_copy_not_the_file(tct, db_path, tmp_path):
    from tct.db import SCHEMA_HEAD
    from test_db import _older_database

    old = tmp_path / "old" / "tct.db"
    _older_database(old)
    before = _sha(old)
    assert tct("db", "info").exit_code == 0
    run = tct("restore", "--force", str(old))
    assert run.exit_code == 0, run.stderr
    assert "older schema 0001" in run.stderr
    assert _sha(old) == before
    assert tct("config", "get", "agency.name").stdout.strip() == "Thanh tra Sở"
    assert tct("db", "info", "-f", "json").json()["schema"] == SCHEMA_HEAD


def test_restore_replaces_a_damaged_register(tct, database, db_path, tmp_path):
    fill_register(database)
    saved = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    database.dispose()
    _fold_wal(db_path)
    data = bytearray(db_path.read_bytes())
    data[0:100] = b"\x00" * 100
    db_path.write_bytes(bytes(data))
    assert tct("config", "list").exit_code == 3
    run = tct("restore", "--force", str(saved))
    assert run.exit_code == 0, run.stderr
    assert tct("db", "check").exit_code == 0
    kept = [p for p in (db_path.parent / "backups").iterdir() if p.name.startswith("tct-pre-restore-")]
    assert len(kept) == 1 and kept[0].read_bytes()[:100] == b"\x00" * 100  # the damaged file, kept as it was
    assert file_mode(db_path) == 0o600


def test_restore_is_refused_for_postgresql(tct):
    run = tct("--db", "postgresql://u@h/d", "restore", "--force", "x.dump", db=False)
    assert_one_line_error(run, 2, "pg_restore")


@pytest.mark.slow
def test_nightly_script_is_silent_on_success_and_loud_on_failure(tct, database, db_path, tmp_path):
    script = Path(__file__).parent.parent / "examples" / "nightly-backup.sh"
    command = Path(sys.executable).parent / "tct"
    folder = tmp_path / "nightly"
    folder.mkdir()
    for day in range(1, 33):
        (folder / f"tct-202101{day:02d}-020000.db" if day < 32 else folder / "readme.txt").write_bytes(b"x")
    env = {**os.environ, "TCT": str(command), "TCT_DB": str(db_path), "TCT_BACKUP_DIR": str(folder)}
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert len([p for p in folder.iterdir() if NAME.match(p.name)]) == 30 and (folder / "readme.txt").exists()
    env["TCT_BACKUP_DIR"] = str(folder / "readme.txt" / "below")
    failed = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0 and failed.stdout == ""
    assert failed.stderr.startswith("Error: ") and "FAILED" in failed.stderr


def test_nightly_script_never_prints_a_postgresql_password(tmp_path):
    """Cron mails what the script says on failure: its own line masks the password as tct does."""
    script = Path(__file__).parent.parent / "examples" / "nightly-backup.sh"
    (tmp_path / "b").mkdir()
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TCT": str(Path(sys.executable).parent / "tct"),
           "TCT_DB": "postgresql+psycopg://tct:s3cret/Pw@127.0.0.1:1/tct", "TCT_BACKUP_DIR": str(tmp_path / "b")}
    failed = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0 and "FAILED" in failed.stderr
    assert "s3cret" not in failed.stderr and "tct:***@127.0.0.1:1/tct" in failed.stderr, failed.stderr
    env["TCT_DB"] = "postgresql+psycopg://tct@127.0.0.1:1/tct?sslmode=prefer&password=s3cret&connect_timeout=5"
    failed = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0 and "FAILED" in failed.stderr
    assert "s3cret" not in failed.stderr and "&password=***&connect_timeout" in failed.stderr, failed.stderr


def test_nightly_script_as_in_the_readme_cron_line_finds_the_installed_tct(tct, database, db_path, tmp_path):
    """README's cron line sets TCT_DB alone, and cron's PATH (/usr/bin:/bin) has no tct: the
    script runs the tct that `make` installed beside it (.venv/bin/tct of its checkout)."""
    checkout = tmp_path / "opt-tct"
    (checkout / "examples").mkdir(parents=True)
    script = checkout / "examples" / "nightly-backup.sh"
    script.write_bytes((Path(__file__).parent.parent / "examples" / "nightly-backup.sh").read_bytes())
    installed = checkout / ".venv" / "bin" / "tct"
    installed.parent.mkdir(parents=True)
    installed.write_text(f'#!/bin/sh\nexec "{Path(sys.executable).parent / "tct"}" "$@"\n')
    installed.chmod(0o755)
    folder = tmp_path / "nightly"
    folder.mkdir()
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TCT_DB": str(db_path), "TCT_BACKUP_DIR": str(folder)}
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert len([p for p in folder.iterdir() if NAME.match(p.name)]) == 1


def test_nightly_script_fails_when_its_backup_folder_is_missing(tct, database, db_path, tmp_path):
    """TCT_BACKUP_DIR on a backup disk that is not mounted tonight (its mount point an empty folder): the
    script must fail loudly, not create the folder on the machine's own disk and report a good night, so
    that the administrator learns the backups have stopped leaving the machine."""
    script = Path(__file__).parent.parent / "examples" / "nightly-backup.sh"
    mount_point = tmp_path / "mnt-nas"
    mount_point.mkdir()
    folder = mount_point / "tct-backups"
    env = {**os.environ, "TCT": str(Path(sys.executable).parent / "tct"), "TCT_DB": str(db_path),
           "TCT_BACKUP_DIR": str(folder)}
    failed = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and failed.stdout == ""
    lines = failed.stderr.splitlines()
    assert len(lines) == 2 and f"the backup folder {folder} does not exist" in lines[0], failed.stderr
    assert "FAILED (exit 1)" in lines[1]
    assert list(mount_point.iterdir()) == []  # nothing written on the machine's own disk


def test_restore_waits_for_a_writer_then_gives_up_changing_nothing(tct, database, db_path, tmp_path, monkeypatch):
    fill_register(database)
    saved = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    assert tct("config", "set", "agency.name", "Mới").exit_code == 0
    monkeypatch.setenv("TCT_BUSY_TIMEOUT", "0.3")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        run = tct("restore", "--force", str(saved))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line_error(run, 3, "locked", "nothing was changed")
    assert tct("config", "get", "agency.name").stdout.strip() == "Mới"
    assert not [p for p in db_path.parent.iterdir() if p.name.startswith(".tct-tmp-")]


def test_restore_into_a_new_location(tct, database, tmp_path):
    fill_register(database)
    saved = Path(tct("backup", "--gzip", "--to", str(tmp_path / "safe")).stdout.strip())
    fresh = tmp_path / "elsewhere" / "tct.db"
    run = tct("--db", str(fresh), "restore", "--force", str(saved), db=False)
    assert run.exit_code == 0, run.stderr
    assert file_mode(fresh) == 0o600 and file_mode(fresh.parent) == 0o700
    assert tct("--db", str(fresh), "db", "check", db=False).exit_code == 0
    con = sqlite3.connect(fresh)
    assert con.execute("SELECT count(*) FROM visit").fetchone()[0] == 3
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_temporary_files_of_a_killed_backup_are_swept_later(tct, database, tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = folder / f".tct-tmp-{int(dead.stdout)}-0.db"
    stale.write_bytes(b"half a copy")
    keep = folder / ".tct-tmp-notes"
    keep.write_bytes(b"not ours")
    assert tct("backup", "--to", str(folder)).exit_code == 0
    assert not stale.exists() and keep.exists()


def test_the_scratch_copy_of_a_killed_restore_is_swept_by_the_next(tct, database, db_path, tmp_path):
    """`kill -9` mid-restore leaves its scratch copy (the whole backup, citizens' data) beside the
    register; the next restore removes that of a process that is gone."""
    fill_register(database)
    saved = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = db_path.parent / f".tct-tmp-{int(dead.stdout)}-0.restore.db"
    stale.write_bytes(saved.read_bytes())
    assert tct("restore", "--force", str(saved)).exit_code == 0
    assert not stale.exists()
    assert not [p for p in db_path.parent.iterdir() if p.name.startswith(".tct-tmp-")]


def test_keep_never_deletes_the_register_itself_when_it_is_named_like_a_backup(tct, tmp_path):
    """A backup put in place as the register keeps its name (`tct-20200101-000000.db`); backed up
    into its own folder with --keep, it is the oldest "backup" there, yet it is the register: the
    desks' next command would start a new, empty one in its place."""
    folder = tmp_path / "b"
    register = folder / "tct-20200101-000000.db"
    assert tct("--db", str(register), "config", "set", "agency.name", "Sở", db=False).exit_code == 0
    old = folder / "tct-20200102-000000.db"
    made = tct("--db", str(register), "backup", "--to", str(old), db=False)
    assert made.exit_code == 0, made.stderr
    run = tct("--db", str(register), "backup", "--to", str(folder), "--keep", "1", db=False)
    assert run.exit_code == 0, run.stderr
    assert register.exists() and not old.exists()
    assert tct("--db", str(register), "config", "get", "agency.name", db=False).stdout.strip() == "Sở"


def test_ctrl_c_while_the_restore_commits_is_too_late_and_the_restore_is_said_done(tct, database, db_path,
                                                                                   tmp_path, monkeypatch):
    """A Ctrl-C that arrives during the copy's last step (which commits it into the register)
    surfaces only after it: the register is replaced, so the command must not say "interrupted"."""
    import os
    import signal

    class _CtrlCAsTheCopyCommits(sqlite3.Connection):
        def backup(self, target, *, pages=-1, progress=None, name="main", sleep=0.25):  # type: ignore[no-untyped-def]
            into_register = target.execute("PRAGMA database_list").fetchone()[2] == str(db_path)

            def step(status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(status, remaining, total)
                if into_register and remaining == 0:  # (committed: as a signal during it surfaces)
                    os.kill(os.getpid(), signal.SIGINT)

            super().backup(target, pages=pages, progress=step, name=name, sleep=sleep)

    fill_register(database)
    saved = Path(tct("backup", "--to", str(tmp_path / "safe")).stdout.strip())
    assert tct("config", "set", "agency.name", "Mới").exit_code == 0
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *args, **kwargs: connect(*args, factory=_CtrlCAsTheCopyCommits,
                                                                            **kwargs))
    run = tct("restore", "--force", str(saved))
    monkeypatch.undo()
    assert run.exit_code == 0, (run.exit_code, run.stderr)
    assert "Restored" in run.stderr and "interrupted" not in run.stderr
    assert tct("config", "get", "agency.name").stdout.strip() != "Mới"


def test_postgresql_backup_is_a_pg_dump_of_the_counted_snapshot(tct, postgres_database, tmp_path):
    import shutil

    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("the PostgreSQL client tools are not installed")
    assert tct("--db", postgres_database, "config", "set", "agency.name", "Sở", db=False).exit_code == 0
    run = tct("--db", postgres_database, "backup", "--to", str(tmp_path / "pg"), "-f", "json", db=False)
    assert run.exit_code == 0, run.stderr
    summary = run.json()
    path = Path(summary["path"])
    assert path.name.endswith(".dump") and file_mode(path) == 0o600
    assert summary["counts"]["setting"] == 1 and summary["counts"]["audit_event"] == 1
    listed = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA public visit" in listed
    # A dump named .gz is still pg_dump's own file: the name compresses nothing, and is no mistake.
    named = tmp_path / "nightly.dump.gz"
    assert tct("--db", postgres_database, "backup", "--to", str(named), db=False).exit_code == 0
    assert named.read_bytes().startswith(b"PGDMP")


def test_backup_and_restore_errors_are_said_in_vietnamese(tct, database, db_path, tmp_path):
    """What an officer meets when a backup or a restore is refused reads in the desk's language."""
    (tmp_path / "x.db").write_text("hello", encoding="utf-8")
    (tmp_path / "y.db.gz").write_bytes(b"\x1f\x8bxx")
    sqlite3.connect(tmp_path / "z.db").execute("CREATE TABLE a (b)").connection.close()
    saved, broken = tmp_path / "saved.db", tmp_path / "broken.db"
    for path in (saved, broken):
        assert tct("backup", "--to", str(path)).exit_code == 0
    (tmp_path / "saved.db.sha256").write_text(f"{'0' * 64}  saved.db\n", encoding="utf-8")  # not its sha256
    with broken.open("r+b") as handle:  # its header damaged
        handle.seek(100)
        handle.write(b"\x00")
    (tmp_path / "broken.db.sha256").unlink()  # (with it, the restore says the file is not the one backed up)
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    cases = [
        (["backup", "--to", str(tmp_path / "a-file" / "b.db")], 1,
         f"{tmp_path / 'a-file'} không phải là thư mục; chưa sao lưu được gì",
         f"{tmp_path / 'a-file'} is not a folder; no backup was made"),
        (["backup", "--to", str(saved)], 1,
         f"{saved} đã tồn tại; bản sao lưu không bao giờ ghi đè tệp có sẵn: hãy chọn tên khác hoặc một thư mục",
         f"{saved} already exists; a backup never replaces a file: choose a new name or a folder"),
        (["restore", "--force", str(tmp_path / "nothing.db")], 1,
         f"không có tệp {tmp_path / 'nothing.db'}; chưa thay đổi gì",
         f"no file {tmp_path / 'nothing.db'}; nothing was changed"),
        (["restore", "--force", str(tmp_path)], 1, f"{tmp_path} là thư mục; hãy chỉ ra tệp sao lưu cần khôi phục",
         f"{tmp_path} is a folder; give the backup file to restore"),
        (["restore", "--force", str(tmp_path / "x.db")], 1,
         f"{tmp_path / 'x.db'} không phải cơ sở dữ liệu tct (không phải tệp SQLite hay gzip); chưa thay đổi gì",
         f"{tmp_path / 'x.db'} is not a tct database (not an SQLite or gzip file); nothing was changed"),
        (["restore", "--force", str(db_path)], 2, f"{db_path} chính là sổ đang dùng; hãy chỉ ra tệp sao lưu",
         f"{db_path} is the register itself; give a backup file"),
        (["restore", "--force", str(tmp_path / "y.db.gz")], 1,
         f"{tmp_path / 'y.db.gz'} là tệp gzip bị hỏng (Compressed file ended before the end-of-stream marker was "
         "reached); chưa thay đổi gì",
         f"{tmp_path / 'y.db.gz'} is a damaged gzip file (Compressed file ended before the end-of-stream marker was "
         "reached); nothing was changed"),
        (["restore", "--force", str(tmp_path / "z.db")], 1,
         f"{tmp_path / 'z.db'} không phải cơ sở dữ liệu tct (không có phiên bản lược đồ); chưa thay đổi gì",
         f"{tmp_path / 'z.db'} is not a tct database (no schema version); nothing was changed"),
        (["restore", "--force", str(broken)], 1,
         f"không đọc được {broken} như một cơ sở dữ liệu tct (database disk image is malformed); chưa thay đổi gì",
         f"{broken} cannot be read as a tct database (database disk image is malformed); nothing was changed"),
        (["restore", "--force", str(saved)], 1,
         f"{saved} không phải tệp đã được sao lưu: mã sha256 của tệp khác với mã ghi trong saved.db.sha256 (tệp đã "
         "bị thay đổi hoặc hư hỏng); chưa thay đổi gì",
         f"{saved} is not the file that was backed up: its sha256 differs from the one in saved.db.sha256 (changed "
         "or damaged since); nothing was changed"),
    ]
    for args, code, vietnamese, english in cases:
        run = tct("--lang", "vi", *args)
        assert run.exit_code == code and run.stderr.splitlines() == [f"Lỗi: {vietnamese}"], run.stderr
        run = tct(*args)
        assert run.exit_code == code and run.stderr.splitlines() == [f"Error: {english}"], run.stderr


def test_a_damaged_register_is_said_damaged_by_the_backup_not_the_copy(tct, database, db_path, tmp_path):
    """A register damaged inside a table (SQLite still opens it and counts its rows from an index) gives a
    copy that fails its integrity check: the fault is the register's, said as such with exit 3 (`db check`
    finds it too), not "the copy failed" (exit 1), which sends the administrator to look at the backup disk."""
    fill_register(database)
    database.dispose()
    _fold_wal(db_path)
    con = sqlite3.connect(db_path)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'visit'").fetchone()[0]
    con.close()
    data = bytearray(db_path.read_bytes())
    start = (root - 1) * page_size
    cells = int.from_bytes(data[start + 3:start + 5], "big")
    assert data[start] == 13 and cells >= 2  # a table's leaf page, with its visits
    pointers = data[start + 8:start + 8 + 2 * cells]
    data[start + 8:start + 8 + 2 * cells] = b"".join(reversed([pointers[i:i + 2] for i in range(0, len(pointers), 2)]))
    db_path.write_bytes(bytes(data))  # (its rows now out of order: the page is damaged)
    assert tct("db", "check").exit_code == 1  # (its integrity check names the damage)
    run = tct("backup", "--to", str(tmp_path / "nightly"))
    assert_one_line_error(run, 3, f"the database {db_path} is damaged", "no backup was made")
    assert _files(tmp_path / "nightly") == []
    vi = tct("--lang", "vi", "backup", "--to", str(tmp_path / "nightly"))
    assert vi.exit_code == 3 and f"Lỗi: cơ sở dữ liệu {db_path} bị hỏng" in vi.stderr, vi.stderr


@pytest.mark.parametrize("cut", ["half", "one page short", "gzip"])
def test_a_backup_cut_short_is_named_by_its_checksum(tct, database, db_path, tmp_path, cut):
    """A backup file truncated since it was made (a copy to a USB stick cut short, a full disk at the
    other end) whose checksum file is beside it: the restore says it is not the file that was backed up
    (its sha256 differs), which is what happened, rather than that SQLite finds it malformed."""
    fill_register(database)
    saved = Path(tct("backup", *(["--gzip"] if cut == "gzip" else []), "--to", str(tmp_path / "safe")).stdout.strip())
    data = saved.read_bytes()
    page = 4096 if cut != "gzip" else 1
    saved.write_bytes(data[: len(data) // 2] if cut != "one page short" else data[: len(data) - page])
    before = _sha(db_path)
    run = tct("restore", "--force", str(saved))
    assert_one_line_error(run, 1, f"{saved} is not the file that was backed up", "sha256 differs",
                          "nothing was changed")
    assert _sha(db_path) == before


def test_restoring_a_postgresql_dump_into_an_sqlite_register_points_to_pg_restore(tct, database, db_path, tmp_path):
    """An administrator who hands `tct restore` the .dump of the office's PostgreSQL register (with TCT_DB
    still naming an SQLite file) is told what the file is and how it is restored, not only that it is not
    a tct database."""
    dump = tmp_path / "tct-20210217-023000.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01" + b"\x00" * 200)  # pg_dump's custom format header
    before = _sha(db_path)
    run = tct("restore", "--force", str(dump))
    assert_one_line_error(run, 1, f"{dump} is a PostgreSQL backup (pg_dump)", "pg_restore", "nothing was changed")
    vi = tct("--lang", "vi", "restore", "--force", str(dump))
    assert vi.exit_code == 1 and "pg_restore" in vi.stderr and vi.stderr.startswith("Lỗi: "), vi.stderr
    assert _sha(db_path) == before
