"""The store: location, file modes, pragmas, refusing what is not ours, migrations, append-only rows."""

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_one_line_error, downgrade_sqlite, file_mode, fill_disk
from tct import db as store
from tct.errors import DatabaseError


def test_first_use_creates_private_folder_and_file_and_reports_schema(tct, db_path, monkeypatch):
    old_umask = os.umask(0)  # the most permissive umask: modes must not depend on it
    try:
        run = tct("db", "info", "--format", "json")
    finally:
        os.umask(old_umask)
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["schema"] == store.SCHEMA_HEAD
    assert data["location"] == str(db_path)
    assert file_mode(db_path) == 0o600
    assert file_mode(db_path.parent) == 0o700
    assert set(data["tables"]) >= {"visit", "cases", "audit_event"}


def test_default_location_is_the_users_data_folder(tct, tmp_path):
    run = tct("db", "info", "--format", "json", db=False)
    assert run.exit_code == 0, run.stderr
    expected = tmp_path / "xdg-data" / "tct" / "tct.db"
    assert run.json()["location"] == str(expected)
    assert file_mode(expected) == 0o600


def test_tct_db_variable_and_sqlite_url(tct, tmp_path):
    target = tmp_path / "via-env.db"
    run = tct("db", "info", "-f", "json", db=False, env={"TCT_DB": f"sqlite:///{target}"})
    assert run.exit_code == 0, run.stderr
    assert run.json()["location"] == str(target)


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(database):
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_plain_text_file_is_refused_with_exit_3_and_left_untouched(tct, tmp_path):
    plain = tmp_path / "notes.txt"
    plain.write_text("không phải cơ sở dữ liệu\n")
    before = _digest(plain)
    run = tct("--db", str(plain), "db", "info", db=False)
    assert_one_line_error(run, 3, "not a tct database")
    assert _digest(plain) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "xdg-data"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_foreign_sqlite_database_is_refused_and_untouched(tct, tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE things (x)")
    con.commit()
    con.close()
    before = _digest(other)
    run = tct("--db", str(other), "config", "list", db=False)
    assert_one_line_error(run, 3, "not a tct database")
    assert _digest(other) == before


def test_database_from_a_newer_tct_is_refused_and_never_modified(tct, db_path):
    assert tct("db", "info").exit_code == 0
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = _digest(db_path)
    run = tct("config", "set", "agency.name", "X")
    assert_one_line_error(run, 3, "newer tct")
    assert _digest(db_path) == before


def _older_database(path: Path) -> None:
    """A register at the first schema revision, as an earlier tct would have left it."""
    from sqlalchemy import create_engine

    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        store.run_migrations(conn, store.SCHEMA_REVISIONS[0])
        conn.exec_driver_sql("INSERT INTO setting (key, value, updated_at) "
                             "VALUES ('agency.name', '\"Thanh tra Sở\"', '2021-01-06 00:00:00')")
    engine.dispose()


def test_older_schema_stops_other_commands_with_advice(tct, db_path):
    _older_database(db_path)
    run = tct("config", "list")
    assert_one_line_error(run, 3, "tct db upgrade")
    said = tct("--lang", "vi", "config", "list")
    assert said.exit_code == 3 and said.stderr == (f"Lỗi: {db_path} có lược đồ cũ (0001, phiên bản tct này cần "
                                                   f"{store.SCHEMA_HEAD}); hãy chạy `tct db upgrade` trước\n")


def test_a_register_refused_says_so_in_vietnamese(tct, tmp_path):
    """The refusals an officer meets when the register is not one tct can use, in the desk's language."""
    plain = tmp_path / "notes.txt"
    plain.write_text("không phải cơ sở dữ liệu\n")
    said = tct("--lang", "vi", "--db", str(plain), "db", "info", db=False)
    assert said.exit_code == 3
    assert said.stderr == f"Lỗi: {plain} không phải cơ sở dữ liệu của tct (không phải tệp SQLite); chưa thay đổi gì\n"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    said = tct("--lang", "vi", "--db", str(folder), "db", "info", db=False)
    assert said.exit_code == 3 and said.stderr.startswith(f"Lỗi: {folder} không phải là tệp; hãy cho --db")


def test_db_upgrade_backs_up_then_migrates_and_keeps_data(tct, db_path):
    _older_database(db_path)
    run = tct("db", "upgrade")
    assert run.exit_code == 0, run.stderr
    backups = list(db_path.parent.glob("tct-pre-upgrade-*.db"))
    assert len(backups) == 1
    assert file_mode(backups[0]) == 0o600
    # The copy to go back to carries its sha256 as a backup does, so `tct restore` checks it.
    checksum = backups[0].with_name(backups[0].name + ".sha256")
    assert checksum.read_text() == f"{hashlib.sha256(backups[0].read_bytes()).hexdigest()}  {backups[0].name}\n"
    assert file_mode(checksum) == 0o600
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == store.SCHEMA_REVISIONS[0]
    con.close()
    assert tct("config", "get", "agency.name").stdout.strip() == "Thanh tra Sở"
    assert tct("db", "info", "-f", "json").json()["schema"] == store.SCHEMA_HEAD
    again = tct("db", "upgrade")
    assert again.exit_code == 0 and "already" in again.stderr


def test_db_upgrade_on_a_full_disk_says_so_and_changes_nothing(tct, small_disk):
    """The copy taken first does not fit beside the register: the one line a full disk gets (as for
    `tct backup`), exit 1, no partial copy left under a pre-upgrade name, the register as it was."""
    register = small_disk / "tct.db"
    _older_database(register)
    con = sqlite3.connect(register)
    con.executemany("INSERT INTO setting (key, value, updated_at) VALUES (?, ?, '2021-01-06 00:00:00')",
                    [(f"padding.{i}", '"' + "x" * 5000 + '"') for i in range(30)])  # room for one, not two
    con.commit()
    con.close()
    before = hashlib.sha256(register.read_bytes()).hexdigest()
    run = tct("--db", str(register), "db", "upgrade", db=False)
    assert_one_line_error(run, 1, "no space left", str(small_disk), "nothing was upgraded")
    assert sorted(path.name for path in small_disk.iterdir()) == ["tct.db"]
    assert hashlib.sha256(register.read_bytes()).hexdigest() == before
    said = tct("--lang", "vi", "--db", str(register), "db", "upgrade", db=False)
    assert said.exit_code == 1 and "hết chỗ" in said.stderr and "chưa nâng cấp gì" in said.stderr


class _CutShortCopy(sqlite3.Connection):
    """A connection whose online backup is interrupted (Ctrl-C) after its first page."""

    def backup(self, target, *, pages=-1, progress=None, name="main", sleep=0.25):  # type: ignore[no-untyped-def]
        def ctrl_c(_status: int, _remaining: int, _total: int) -> None:
            raise KeyboardInterrupt

        super().backup(target, pages=1, progress=ctrl_c, name=name, sleep=sleep)


def test_an_upgrade_interrupted_while_its_copy_is_taken_leaves_no_copy_under_a_pre_upgrade_name(
        tct, db_path, monkeypatch):
    """The pre-upgrade copy is the one to go back to: a copy cut short (Ctrl-C; `kill -9` or a power
    cut the same) must never be found under that name, as a backup never is; nothing is upgraded."""
    _older_database(db_path)
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *args, **kwargs: connect(*args, factory=_CutShortCopy, **kwargs))
    run = tct("db", "upgrade")
    assert_one_line_error(run, 130, "interrupted")
    monkeypatch.setattr(sqlite3, "connect", connect)
    assert sorted(path.name for path in db_path.parent.iterdir() if "pre-upgrade" in path.name
                  or path.name.startswith(".tct-tmp-")) == []
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == store.SCHEMA_REVISIONS[0]
    con.close()


def test_an_upgrade_whose_copy_fails_its_check_upgrades_nothing(tct, db_path, monkeypatch):
    """The copy is checked as a backup is before it counts; one that fails is not kept."""
    from tct import backup

    _older_database(db_path)

    def damaged(_path, _counts):  # type: ignore[no-untyped-def]
        raise backup.BackupFailed.said_as("err_copy_integrity", problem="page 7 is never used")

    monkeypatch.setattr(backup, "_verify_copy", damaged)
    run = tct("db", "upgrade")
    assert_one_line_error(run, 1, "failed its check (page 7 is never used)", "nothing was upgraded")
    assert sorted(path.name for path in db_path.parent.iterdir()) == [db_path.name]
    said = tct("--lang", "vi", "db", "upgrade")
    assert said.exit_code == 1 and "chưa nâng cấp gì" in said.stderr
    monkeypatch.undo()
    assert tct("db", "upgrade").exit_code == 0


def test_desks_upgrading_at_once_upgrade_once_and_copy_once(db_path):
    _older_database(db_path)
    env = {key: value for key, value in os.environ.items() if not key.startswith("TCT_")}
    env.update({"TCT_LANG": "en", "TCT_BUSY_TIMEOUT": "60"})
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another desk mid-write: the upgrades meet at the lock
    procs = [subprocess.Popen([sys.executable, "-m", "tct", "--db", str(db_path), "db", "upgrade"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(3)]
    time.sleep(3)
    holder.execute("ROLLBACK")
    holder.close()
    said = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        said.append(err)
    assert sum("Upgraded" in err for err in said) == 1, said
    assert sum("already at schema" in err for err in said) == 2, said
    copies = list(db_path.parent.glob("tct-pre-upgrade-*.db"))
    assert len(copies) == 1
    con = sqlite3.connect(copies[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == store.SCHEMA_REVISIONS[0]
    con.close()


def test_schema_revisions_list_matches_the_migration_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "tct:migrations")
    scripts = ScriptDirectory.from_config(config)
    ordered = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert tuple(ordered) == store.SCHEMA_REVISIONS
    assert scripts.get_current_head() == store.SCHEMA_HEAD


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index ix_cases_open_span")
def test_migrations_build_exactly_the_models(database):
    """The migrated schema and the SQLModel classes agree (no drift between the two)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import tct.models  # noqa: F401
    from tct.db import CASE_OPEN_SPAN

    def declared(obj, name, kind, reflected, compare_to):  # type: ignore[no-untyped-def]
        # The one expression index (migration 0009) is written per dialect in tct.db.CASE_OPEN_SPAN, not
        # in the models: Alembic cannot compare it; its use is checked in test_performance.
        return name != "ix_cases_open_span"

    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": declared})
        diffs = compare_metadata(context, SQLModel.metadata)
        if database.is_sqlite:
            indexes = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'").all())
            assert CASE_OPEN_SPAN["sqlite"] in indexes["ix_cases_open_span"]
        else:
            indexes = dict(conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes").all())
            assert "status_changed_on - opened_on" in indexes["ix_cases_open_span"]
    # The partial indexes are partial on both (Alembic does not compare an index's WHERE; the models
    # name only SQLite's, tct.models says why).
    for name in ("ix_cases_status_changed_opened", "ix_cases_history_out_of_order", "ix_visit_delegation_date"):
        assert " WHERE " in indexes[name].upper(), indexes[name]
    assert diffs == []


def test_audit_events_cannot_be_changed_or_deleted(tct, db_path):
    assert tct("config", "set", "agency.name", "Thanh tra Sở").exit_code == 0
    con = sqlite3.connect(db_path)
    for statement in ("DELETE FROM audit_event", "UPDATE audit_event SET actor = 'x'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(statement)
    con.close()


def _raw_visits(path: Path, seqs: list[int]) -> None:
    """Visits written straight into the file, bypassing tct (to plant problems)."""
    con = sqlite3.connect(path)
    now = "2021-02-10 02:00:00"
    con.execute("INSERT INTO officer (id, name, name_folded, active, created_at) VALUES (1, 'A', 'a', 1, ?)", (now,))
    con.execute("INSERT INTO citizen (id, name, name_folded, created_at, updated_at) VALUES (1, 'B', 'b', ?, ?)",
                (now, now))
    con.execute("INSERT INTO cases (id, code, year, seq, type, field, within_authority, status, opened_on, "
                "first_visit_on, extension_days, created_at, updated_at, search_folded) VALUES "
                "(1, 'VV-2021-0001', 2021, 1, 'complaint', 'land', 1, 'new', '2021-02-10', '2021-02-10', 0, ?, ?, '')",
                (now, now))
    for seq in seqs:
        con.execute("INSERT INTO visit (code, year, seq, case_id, citizen_id, officer_id, visited_at, visit_date, "
                    "people, delegation, type, field, handling, kind, escalated, search_folded, void, created_at, "
                    "updated_at) VALUES (?, 2021, ?, 1, 1, 1, ?, '2021-02-10', 1, 0, 'complaint', 'land', 'guided', "
                    "'regular', 0, '', 0, ?, ?)", (f"TCD-2021-{seq:04d}", seq, now, now, now))
    con.execute("INSERT INTO code_counter (kind, year, last) VALUES ('visit', 2021, ?)", (max(seqs),))
    con.execute("INSERT INTO code_counter (kind, year, last) VALUES ('case', 2021, 1)")
    con.commit()
    con.close()


def test_visits_cannot_be_deleted(database, db_path):
    _raw_visits(db_path, [1])
    con = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        con.execute("DELETE FROM visit")
    con.close()


def test_db_check_passes_on_a_healthy_register(tct):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    run = tct("db", "check")
    assert run.exit_code == 0, run.stderr
    assert "ok" in run.stderr
    assert tct("db", "check", "-f", "json").json()["ok"] is True


def test_db_check_exits_1_on_a_foreign_key_problem(tct, db_path):
    assert tct("db", "info").exit_code == 0
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("INSERT INTO duty_shift (officer_id, shift_date, shift, start_time, end_time, role, created_at) "
                "VALUES (42, '2021-02-10', 'morning', '07:30:00', '11:30:00', 'main', '2021-01-01 00:00:00')")
    con.commit()
    con.close()
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert any("foreign key" in line for line in run.json()["problems"])
    vi = tct("db", "check", env={"TCT_LANG": "vi"})  # what was found and the exit code, not "Lỗi: … lỗi"
    assert (vi.exit_code, vi.stderr.splitlines()[-1]) == (1, f"{db_path}: phát hiện 1 vấn đề cần xử lý (mã thoát 1)")


def test_db_check_finds_a_gap_in_visit_codes(tct, database, db_path):
    _raw_visits(db_path, [1, 2])
    assert tct("db", "check").exit_code == 0
    _raw_visits_more(db_path, 4)
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert any("visit codes of 2021" in line for line in run.json()["problems"])


def test_db_check_finds_visits_deleted_from_the_end_of_a_year(tct, database, db_path):
    _raw_visits(db_path, [1, 2, 3])
    con = sqlite3.connect(db_path)
    con.execute("DROP TRIGGER visit_no_delete")  # as a hand at the sqlite3 shell could
    con.execute("DELETE FROM visit WHERE seq = 3")
    con.commit()
    con.close()
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert "visit counter of 2021 is at 3 but the highest code is 2: rows were deleted" in run.json()["problems"]


def test_sqlite_triggers_listed_for_db_check_are_the_ones_a_register_has(database, db_path):
    """db check compares the register's triggers with tct.db.SQLITE_TRIGGERS: they must be what the
    migrations create, as SQLite keeps them."""
    con = sqlite3.connect(db_path)
    found = con.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
    con.close()
    assert sorted(found, key=lambda row: row[1]) == sorted(store.SQLITE_TRIGGERS, key=lambda row: row[1])


@pytest.mark.parametrize("trigger", ["audit_event_no_delete", "audit_event_no_update", "visit_no_delete"])
def test_db_check_finds_an_append_only_trigger_dropped_or_replaced(tct, database, db_path, trigger):
    """As on PostgreSQL: a trigger dropped at the sqlite3 shell, or put back as one that refuses
    nothing, leaves visits or the audit trail open to DELETE; db check says which, and exits 1."""
    assert tct("db", "check").exit_code == 0
    table = "visit" if trigger.startswith("visit") else "audit_event"
    con = sqlite3.connect(db_path)
    con.execute(f"DROP TRIGGER {trigger}")
    con.commit()
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert run.json()["problems"] == [f"trigger: {trigger} on table {table} is missing, so its rows can be changed"]
    con.execute(f"CREATE TRIGGER {trigger} BEFORE DELETE ON {table} BEGIN SELECT 1; END")
    con.commit()
    con.close()
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert run.json()["problems"] == [f"trigger: {trigger} on table {table} is not the one tct creates, so its rows "
                                      "may be changed"]


def test_db_check_repair_brings_a_counter_behind_its_codes_up_to_them(tct, database, db_path):
    """A counter set back (or deleted) by hand would give the next visit a code already used; db check
    reports it and --repair moves it up to the year's highest code, in the audit trail, so the next
    visit gets the next number."""
    _raw_visits(db_path, [1, 2, 3])
    con = sqlite3.connect(db_path)
    con.execute("UPDATE code_counter SET last = 1 WHERE kind = 'visit'")
    con.execute("DELETE FROM code_counter WHERE kind = 'case'")
    con.commit()
    con.close()
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert run.json()["problems"] == ["visit counter of 2021 is behind its highest code 3 (tct db check --repair)",
                                      "cases counter of 2021 is behind its highest code 1 (tct db check --repair)"]
    repaired = tct("db", "check", "--repair")
    assert repaired.exit_code == 0, repaired.stderr
    assert "visit counter of 2021: set to its highest code, 3" in repaired.stderr
    assert "case counter of 2021: set to its highest code, 1" in repaired.stderr
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT kind, year, last FROM code_counter ORDER BY kind").fetchall() == [
        ("case", 2021, 1), ("visit", 2021, 3)]
    events = con.execute("SELECT entity, code, action, changes, reason FROM audit_event ORDER BY id").fetchall()
    con.close()
    assert [(entity, code, action) for entity, code, action, _, _ in events] == [
        ("register", "visit counter 2021", "repair"), ("register", "case counter 2021", "repair")]
    assert all(reason == "the counter was behind the highest code of its year" for *_, reason in events)
    assert tct("db", "check").exit_code == 0
    assert tct("db", "check", "--repair").stderr.count("counter") == 0  # nothing left to repair
    assert tct("officer", "add", "Lê Văn Cường").exit_code == 0
    added = tct("visit", "add", "--citizen", "Phạm Thị Dung", "--type", "complaint", "--field", "land",
                "--officer", "cuong", "--at", "11/02/2021 09:00")
    assert added.exit_code == 0, added.stderr
    assert "TCD-2021-0004" in added.stdout + added.stderr


def _one_case(tct, *steps):  # type: ignore[no-untyped-def]
    """A complaint received on 3 Feb 2021 (VV-2021-0001), taken through `steps`: (action, day)."""
    extra = {"resolve": ("--result", "upheld"), "reopen": ("--reason", "khiếu nại tiếp")}
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("visit", "add", "--citizen", "Ngô Văn Cũ", "--type", "complaint", "--field", "land",
               "--officer", "binh", "--at", "03/02/2021 08:00").exit_code == 0
    for action, day in steps:
        assert tct("case", action, "VV-2021-0001", *extra.get(action, ()), "--date", day).exit_code == 0


def test_db_check_finds_a_case_whose_latest_status_day_disagrees_with_its_history(tct, db_path):
    _one_case(tct, ("accept", "04/02/2021"), ("resolve", "01/03/2021"))
    assert tct("db", "check").exit_code == 0
    con = sqlite3.connect(db_path)
    con.execute("UPDATE cases SET status_changed_on = '2021-02-04'")  # as a hand edit would leave it
    con.commit()
    con.close()
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert run.json()["problems"] == ["case VV-2021-0001: its latest status change is dated 2021-03-01 in its "
                                      "history but 2021-02-04 on the case, so the backlog of a past day may miss "
                                      "it (tct db check --repair)"]
    repaired = tct("db", "check", "--repair")
    assert repaired.exit_code == 0, repaired.stderr
    assert "VV-2021-0001" in repaired.stderr
    assert tct("db", "check").exit_code == 0
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT status_changed_on FROM cases").fetchall() == [("2021-03-01",)]
    assert con.execute("SELECT code, action FROM audit_event WHERE action = 'repair'").fetchall() == [
        ("VV-2021-0001", "repair")]
    con.close()
    assert tct("db", "check", "--repair").stderr.count("VV-2021-0001") == 0  # nothing left to repair


def test_a_repaired_status_day_gives_a_reopened_case_its_deadline_again(tct, db_path):
    """A case guided and reopened is received again that day: its acceptance deadline runs from the
    day of its latest status change, so repairing that day repairs the deadline too (audited)."""
    _one_case(tct, ("guide", "05/02/2021"), ("reopen", "01/03/2021"))
    shown = tct("case", "show", "VV-2021-0001", "-f", "json").json()
    assert (shown["status"], shown["deadline"]) == ("new", "2021-03-11")
    con = sqlite3.connect(db_path)
    con.execute("UPDATE cases SET status_changed_on = NULL, deadline = '2021-02-13'")  # as a hand edit left it
    con.commit()
    con.close()
    assert tct("db", "check").exit_code == 1
    assert tct("db", "check", "--repair").exit_code == 0
    assert tct("case", "show", "VV-2021-0001", "-f", "json").json()["deadline"] == "2021-03-11"
    repair = [e for e in tct("log", "-f", "json").json() if e["action"] == "repair"]
    assert repair[0]["changes"]["after"] == {"status_changed_on": "2021-03-01", "deadline": "2021-03-11"}


def test_db_check_finds_a_case_whose_status_history_ends_otherwise_in_date_order(tct, db_path):
    """An older tct let a step be dated before the step entered before it: the case says one status
    and its history, which the reports read, another."""
    _one_case(tct, ("accept", "10/02/2021"), ("resolve", "01/03/2021"))
    assert tct("db", "check").exit_code == 0
    con = sqlite3.connect(db_path)
    # the resolution entered after the acceptance but dated before it, as an older tct let it be
    con.execute("UPDATE case_status_change SET changed_on = '2021-02-05' WHERE to_status = 'resolved'")
    con.execute("UPDATE cases SET status_changed_on = '2021-02-10'")  # its latest day, as tct kept it
    con.commit()
    con.close()
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert run.json()["problems"] == ["case VV-2021-0001: its status is resolved but its history, read in date "
                                      "order, ends accepted; a report of a past day reads it as resolved until tct "
                                      "db check --repair marks it to be read from its history"]
    assert tct("report", "03/02/2021..01/04/2021", "-f", "json").json()["backlog"] == []  # (taken as it stands)
    assert tct("db", "check", "--repair").exit_code == 1  # which of the two is right is not tct's to say
    assert tct("db", "check", "-f", "json").json()["problems"] == [
        "case VV-2021-0001: its status is resolved but its history, read in date order, ends accepted, so a report "
        "of a past day reads it as accepted (a step was entered before an earlier-dated one)"]
    # Marked, it is read as its history has it on 1 April, as in every other table of the report:
    # accepted since 10 February and overdue, though it stands resolved and unchanged since then
    # (it was in neither range of the backlog, the cases open now and those changed since the day).
    made = tct("report", "03/02/2021..01/04/2021", "-f", "json").json()
    assert [(case["code"], case["status"]) for case in made["backlog"]] == [("VV-2021-0001", "accepted")]
    assert made["resolution"]["accepted"] == 1 and made["resolution"]["resolved"] == 0


def _reopening_dated_back(tct, db_path):  # type: ignore[no-untyped-def]
    """Accepted 10 Feb, resolved 1 Mar, reopened 2 Mar, then the reopening dated 20 Feb, as an older
    tct let it be (or by hand): the case stands accepted, its history (in date order) ends resolved."""
    _one_case(tct, ("accept", "10/02/2021"), ("resolve", "01/03/2021"), ("reopen", "02/03/2021"))
    con = sqlite3.connect(db_path)
    con.execute("UPDATE case_status_change SET changed_on = '2021-02-20' WHERE from_status = 'resolved'")
    con.execute("UPDATE cases SET accepted_on = '2021-02-20', status_changed_on = '2021-03-01'")
    con.commit()
    con.close()


def test_a_history_put_out_of_date_order_by_hand_is_read_by_reports_once_marked(tct, db_path):
    """Accepted 10 Feb, resolved 1 Mar, reopened 2 Mar, then the reopening re-dated 20 Feb by hand
    (migration 0012 marks what an older tct left so): the case stands accepted, its history ends
    resolved. Until `db check --repair` marks it, the backlog takes it as it stands."""
    _reopening_dated_back(tct, db_path)
    assert tct("db", "check", "-f", "json").json()["problems"] == [
        "case VV-2021-0001: its status is accepted but its history, read in date order, ends resolved; a report of "
        "a past day reads it as accepted until tct db check --repair marks it to be read from its history"]
    assert [case["code"] for case in tct("report", "03/02/2021..01/04/2021", "-f", "json").json()["backlog"]] == [
        "VV-2021-0001"]
    assert tct("db", "check", "--repair").exit_code == 1  # marked; which status is right is the officers' to say
    assert tct("report", "03/02/2021..01/04/2021", "-f", "json").json()["backlog"] == []
    repair = [e for e in tct("log", "-f", "json").json() if e["action"] == "repair"]
    assert [e["changes"] for e in repair] == [{"before": {"history_in_order": True},
                                               "after": {"history_in_order": False}}]


def test_a_report_reads_a_case_whose_history_is_out_of_date_order_as_its_history_says(tct, db_path):
    """Accepted 10 Feb, resolved 1 Mar, then reopened with a date of 20 Feb, as an older tct let it
    be: the case stands accepted, its history (in date order) ends resolved. A report of a past day
    reads its history in every table; it does not take the case as it stands now."""
    _reopening_dated_back(tct, db_path)
    downgrade_sqlite(db_path, "0011")  # as that older tct kept the register: upgraded, its history is read
    assert tct("db", "upgrade").exit_code == 0
    made = tct("report", "03/02/2021..01/04/2021", "-f", "json").json()
    assert made["resolution"]["resolved"] == 1 and made["resolution"]["accepted"] == 0
    assert made["backlog"] == []  # (taken as it stands, accepted since 1 March, it would be overdue)


def _raw_visits_more(path: Path, seq: int) -> None:
    con = sqlite3.connect(path)
    con.execute("INSERT INTO visit (code, year, seq, case_id, citizen_id, officer_id, visited_at, visit_date, "
                "people, delegation, type, field, handling, kind, escalated, search_folded, void, created_at, "
                "updated_at) SELECT ?, 2021, ?, case_id, citizen_id, officer_id, visited_at, visit_date, people, "
                "delegation, type, field, handling, kind, escalated, search_folded, void, created_at, updated_at "
                "FROM visit LIMIT 1", (f"TCD-2021-{seq:04d}", seq))
    con.execute("UPDATE code_counter SET last = ? WHERE kind = 'visit'", (seq,))
    con.commit()
    con.close()


def test_corrupt_database_exits_3(tct, db_path):
    assert tct("db", "info").exit_code == 0
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    db_path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    run = tct("config", "list")
    assert run.exit_code == 3, (run.exit_code, run.stderr)
    assert "Traceback" not in run.stderr


def test_locked_database_exits_3_after_the_timeout(tct, db_path, monkeypatch):
    assert tct("db", "info").exit_code == 0
    monkeypatch.setenv("TCT_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        run = tct("config", "set", "agency.name", "X")
    finally:
        holder.rollback()
        holder.close()
    assert_one_line_error(run, 3, "locked")


def test_a_register_locked_during_a_command_is_said_in_vietnamese(tct, db_path, monkeypatch):
    """README: the register's refusals, "locked" among them, are said in the chosen language, also
    when the lock is met once the command has begun (not only while the register is opened)."""
    assert tct("db", "info").exit_code == 0
    monkeypatch.setenv("TCT_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        run = tct("--lang", "vi", "config", "set", "agency.name", "X")
    finally:
        holder.rollback()
        holder.close()
    assert run.exit_code == 3 and run.stderr == (
        f"Lỗi: cơ sở dữ liệu {db_path} đang bị chương trình khác khóa quá thời gian chờ; hãy thử lại sau ít phút\n")


def test_a_plain_reading_never_writes_and_its_errors_are_the_one_line_error(tct, db_path):
    """report, alerts and visit list read a plain SQLite register with the sqlite3 module alone
    (tct.db.plain_reading): its driver errors become the same DatabaseError as through SQLAlchemy,
    and it cannot write. (In WAL mode, tct's, a writer's lock never blocks it.)"""
    from tct.db import plain_reading
    from tct.errors import DatabaseError

    assert tct("db", "info").exit_code == 0
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseError, match="database error at .*no such table"):
            with plain_reading(db_path) as driver:
                assert driver.rows("SELECT count(*) FROM visit") == [(0,)]
                driver.rows("SELECT count(*) FROM visits")
    finally:
        holder.rollback()
        holder.close()
    with pytest.raises(DatabaseError, match="for writing"):
        with plain_reading(db_path) as driver:
            driver.rows("DELETE FROM setting")
    assert tct("config", "list").exit_code == 0


def test_next_number_is_gapless_and_given_back_on_rollback(database):
    from tct.db import next_number, write_session

    with write_session(database) as session:
        assert [next_number(session, "visit", 2021) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(RuntimeError):
        with write_session(database) as session:
            assert next_number(session, "visit", 2021) == 4
            raise RuntimeError("the visit could not be saved")
    with write_session(database) as session:
        assert next_number(session, "visit", 2021) == 4
        assert next_number(session, "visit", 2022) == 1


def test_nothing_is_written_when_the_schema_changed_after_the_register_was_opened(database):
    from tct.db import next_number, write_session

    # another desk's `tct db upgrade` committed while this command waited for the write lock
    with database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(DatabaseError, match="changed from schema .* to 0099 .*nothing was written"):
        with write_session(database) as session:
            next_number(session, "visit", 2021)
    with database.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{store.SCHEMA_HEAD}'")
    with write_session(database) as session:
        assert next_number(session, "visit", 2021) == 1


def test_unsupported_url_is_a_database_error():
    with pytest.raises(DatabaseError, match="unsupported"):
        store.open_database("mysql://x@y/z")


def test_a_drivers_error_is_shown_in_its_own_words_on_one_line():
    """PostgreSQL's "Connection refused / Is the server running…" reads as the server wrote it (not
    lower-cased, its lines joined), after what to do."""
    from tct.db import translate_db_error

    said = ('connection to server at "127.0.0.1", port 5999 failed: Connection refused\n'
            "\tIs the server running on that host and accepting TCP/IP connections?\n")
    error = translate_db_error(OSError(said), "postgresql+psycopg://tct:secret@127.0.0.1:5999/tct")
    text = error.said("en")
    assert "Connection refused; Is the server running on that host and accepting TCP/IP connections?" in text
    assert "\n" not in text and "secret" not in text


@pytest.mark.parametrize("command", [("officer", "add", "Trần Thị Bình"), ("officer", "list"), ("db", "check")])
def test_a_full_disk_under_the_register_is_said_as_such(tct, small_disks, command):
    """An office PC whose disk has filled up: every desk's command says so, in one line (exit 3), instead of
    SQLite's "disk I/O error", and nothing is written; once there is room again, the register is as it was."""
    disk = small_disks("1m")
    register = disk / "tct.db"
    assert tct("--db", str(register), "officer", "add", "Nguyễn Văn An", db=False).exit_code == 0
    filler = fill_disk(disk)
    run = tct("--db", str(register), *command, db=False)
    assert_one_line_error(run, 3, f"no space left on the disk of {disk}")
    vi = tct("--db", str(register), "--lang", "vi", *command, db=False)
    assert vi.exit_code == 3 and f"Lỗi: ổ đĩa chứa {disk} đã hết chỗ" in vi.stderr, vi.stderr
    filler.unlink()
    listed = tct("--db", str(register), "officer", "list", "-f", "json", db=False)
    assert listed.exit_code == 0 and [o["name"] for o in listed.json()] == ["Nguyễn Văn An"]
    assert tct("--db", str(register), "db", "check", db=False).exit_code == 0


def test_a_register_on_a_disk_mounted_read_only_is_said_so(tct, small_disks):
    """The disk holding the register remounted read-only (as Linux does after a disk error): the desks'
    commands and the nightly backup say that the disk is read-only, not SQLite's "unable to open database
    file" about a file that is plainly there."""
    import subprocess

    disk = small_disks("1m")
    register = disk / "tct.db"
    assert tct("--db", str(register), "officer", "add", "Nguyễn Văn An", db=False).exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    for command in (("officer", "list"), ("officer", "add", "Trần Thị Bình"), ("backup", "--to", str(disk.parent))):
        run = tct("--db", str(register), *command, db=False)
        assert_one_line_error(run, 3, f"the disk of {disk} is mounted read-only")
        vi = tct("--db", str(register), "--lang", "vi", *command, db=False)
        assert vi.exit_code == 3 and f"ổ đĩa chứa {disk} đang ở chế độ chỉ đọc" in vi.stderr, vi.stderr
    assert not [p for p in disk.parent.iterdir() if p.name.startswith(("tct-", ".tct-tmp"))]


def test_a_register_in_a_folder_its_user_cannot_write_is_said_so(db_path, monkeypatch):
    """A register file copied into place by root and given to the desk's user, in a folder still root's:
    SQLite cannot make its -wal and -shm beside it and says "attempt to write a readonly database" of a file
    the user owns. The message names the folder and what to do. (Root writes anywhere, so the folder's
    refusal is played by os.access; run as a desk user, SQLite refuses the same way.)"""
    import getpass

    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.write_bytes(b"")
    real_access = os.access
    monkeypatch.setattr(store.os, "access",
                        lambda path, mode, **kw: False if Path(path) == db_path.parent and mode & os.W_OK
                        else real_access(path, mode, **kw))
    for said in ("attempt to write a readonly database", "unable to open database file"):
        error = store.translate_db_error(sqlite3.OperationalError(said), str(db_path))
        assert error.exit_code == 3
        expected = (f"cannot use the database {db_path}: the user {getpass.getuser()} cannot write in its folder "
                    f"{db_path.parent}, where SQLite keeps its -wal and -shm files; give the folder to the user who "
                    "runs tct (chown), as the file is")
        assert error.said("en") == expected, error.said("en")
        assert f"không ghi được vào thư mục {db_path.parent}" in error.said("vi")


def test_each_case_keeps_the_day_of_its_first_visit_through_the_desk_and_the_import(tct, tmp_path, db_path):
    """The backlog of a past day counts a case once a non-void visit came by then, read from the
    day of its first visit stored on the case (migration 0012): every way a visit comes, moves or is
    voided keeps it, as `db check` holds it against the visits."""
    _one_case(tct, ("accept", "05/02/2021"))
    visit = ("visit", "add", "--citizen", "Ngô Văn Cũ", "--type", "complaint", "--field", "land", "--officer", "binh")
    assert tct(*visit, "--case", "VV-2021-0001", "--at", "20/03/2021 09:00").exit_code == 0   # TCD-2021-0002
    assert tct(*visit, "--at", "22/03/2021 09:00").exit_code == 0                             # VV-2021-0002
    assert tct("visit", "void", "TCD-2021-0001", "--reason", "nhầm").exit_code == 0  # its first is now 20 March
    assert tct("visit", "void", "TCD-2021-0003", "--reason", "nhầm").exit_code == 0  # VV-2021-0002: none left
    assert tct("db", "check").exit_code == 0
    file = tmp_path / "back.csv"
    file.write_text("citizen,type,field,at,officer,case\n"
                    "Ngô Văn Cũ,complaint,land,10/03/2021 08:00,binh,VV-2021-0001\n"   # earlier than its first
                    "Ngô Văn Cũ,complaint,land,25/03/2021 08:00,binh,VV-2021-0002\n", encoding="utf-8")
    assert tct("import", "--visits", str(file)).exit_code == 0
    assert tct("visit", "edit", "TCD-2021-0004", "--at", "12/03/2021 08:00").exit_code == 0
    check = tct("db", "check", "-f", "json")
    assert check.json()["problems"] == [], check.stdout
    path = db_path
    assert dict(sqlite3.connect(path).execute("SELECT code, first_visit_on FROM cases")) == {
        "VV-2021-0001": "2021-03-12", "VV-2021-0002": "2021-03-25"}
    # at the desk: a visit earlier than the case's first, one moved to another case, and one to a
    # case whose only visit was voided
    assert tct(*visit, "--case", "VV-2021-0002", "--at", "24/03/2021 09:00").exit_code == 0   # TCD-2021-0006
    assert tct("visit", "edit", "TCD-2021-0004", "--case", "VV-2021-0002").exit_code == 0     # 12 March
    assert tct(*visit, "--at", "26/03/2021 09:00").exit_code == 0                             # VV-2021-0003
    assert tct("visit", "void", "TCD-2021-0007", "--reason", "nhầm").exit_code == 0
    assert tct(*visit, "--case", "VV-2021-0003", "--at", "27/03/2021 09:00").exit_code == 0
    assert tct("db", "check", "-f", "json").json()["problems"] == []
    first = {"VV-2021-0001": "2021-03-20", "VV-2021-0002": "2021-03-12", "VV-2021-0003": "2021-03-27"}
    assert dict(sqlite3.connect(path).execute("SELECT code, first_visit_on FROM cases")) == first
    downgrade_sqlite(path, "0011")  # a register an older tct kept: the upgrade finds the same days
    assert tct("db", "upgrade").exit_code == 0
    assert dict(sqlite3.connect(path).execute("SELECT code, first_visit_on FROM cases")) == first
    assert tct("db", "check").exit_code == 0


def test_a_case_whose_visits_by_a_day_were_voided_is_not_that_days_backlog(tct):
    """Accepted on 5 February from a visit later voided, the complaint came again on 20 March: on 15
    March nobody had come about it (as the register now stands), so it is not that day's backlog; on
    31 March it is (30 days from its acceptance)."""
    _one_case(tct, ("accept", "05/02/2021"))
    assert tct("visit", "add", "--citizen", "Ngô Văn Cũ", "--type", "complaint", "--field", "land",
               "--officer", "binh", "--case", "VV-2021-0001", "--at", "20/03/2021 09:00").exit_code == 0
    assert tct("visit", "void", "TCD-2021-0001", "--reason", "nhầm").exit_code == 0
    assert tct("report", "01/03/2021..15/03/2021", "-f", "json").json()["backlog"] == []
    backlog = tct("report", "01/03/2021..31/03/2021", "-f", "json").json()["backlog"]
    assert [(case["code"], case["deadline"]) for case in backlog] == [("VV-2021-0001", "2021-03-07")]


def _extended_then_reopened(tct, resolved: str, reopened: str):  # type: ignore[no-untyped-def]
    """VV-2021-0001, a denunciation accepted on 8 February 2021, extended by 30 days on 1 March,
    resolved and reopened on the days given."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("visit", "add", "--citizen", "Ngô Văn Cũ", "--type", "denunciation", "--field", "land",
               "--officer", "binh", "--at", "04/02/2021 09:00").exit_code == 0
    for step in (("accept", "--date", "08/02/2021"), ("flag", "--complex", "--reason", "r", "--date", "09/02/2021"),
                 ("extend", "--days", "30", "--reason", "xác minh", "--date", "01/03/2021"),
                 ("resolve", "--result", "rejected", "--date", resolved),
                 ("reopen", "--reason", "kết luận bị hủy", "--date", reopened)):
        assert tct("case", step[0], "VV-2021-0001", *step[1:]).exit_code == 0


def _reopened_as_an_older_tct_left_it(tct, db_path):  # type: ignore[no-untyped-def]
    """Reopened on 1 June 2021 (its new time: 30 days), then given the earlier time's 30 days back,
    as an older tct kept them."""
    _extended_then_reopened(tct, "01/04/2021", "01/06/2021")
    assert tct("db", "check").exit_code == 0
    con = sqlite3.connect(db_path)
    con.execute("UPDATE cases SET extension_days = 30, deadline = '2021-07-31'")  # as the older tct left it
    con.commit()
    con.close()


def test_db_check_repairs_the_extension_days_an_older_tct_kept_on_a_reopened_denunciation(tct, db_path):
    """An older tct reopened an extended denunciation keeping the earlier time's 30 days: its stored
    deadline (read by `case list --overdue` and `alerts`) was 31 July instead of 1 July, and a new
    extension went on top of them. `db check` names it; --repair gives it the days of its time now
    running and the deadline they make, in the audit trail."""
    _reopened_as_an_older_tct_left_it(tct, db_path)
    run = tct("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert run.json()["problems"] == ["case VV-2021-0001: 30 extension day(s) stored but 0 granted since its "
                                      "acceptance or reopening, so its stored deadline is wrong "
                                      "(tct db check --repair)"]
    repaired = tct("db", "check", "--repair")
    assert repaired.exit_code == 0, repaired.stderr
    assert "VV-2021-0001" in repaired.stderr
    shown = tct("case", "show", "VV-2021-0001", "-f", "json").json()
    assert (shown["deadline"], shown["extension_days"]) == ("2021-07-01", 0)
    repair = [e for e in tct("log", "-f", "json").json() if e["action"] == "repair"]
    assert repair[0]["changes"]["after"] == {"extension_days": 0, "deadline": "2021-07-01"}
    assert tct("db", "check", "--repair").stderr.count("VV-2021-0001") == 0  # nothing left to repair


def test_an_extension_of_a_case_an_older_tct_reopened_counts_only_the_time_now_running(tct, db_path):
    """Unrepaired, the case's new time still gets its own extension alone: 30 days after 1 June, plus
    the 10 granted, not the earlier time's 30 on top."""
    _reopened_as_an_older_tct_left_it(tct, db_path)
    extended = tct("case", "extend", "VV-2021-0001", "--days", "10", "--reason", "xác minh lại", "--date", "20/06/2021")
    assert extended.exit_code == 0, extended.stderr
    shown = tct("case", "show", "VV-2021-0001", "-f", "json").json()
    assert (shown["deadline"], shown["extension_days"]) == ("2021-07-11", 10)


def test_db_check_does_not_judge_an_extension_granted_the_day_its_case_was_reopened(tct):
    """Reopened the day it was extended, a case's extension may be of either time: the day does not
    say, so `db check` names no problem (it reported one on a register tct alone had written, and
    --repair gave the earlier time's days back)."""
    _extended_then_reopened(tct, "01/03/2021", "01/03/2021")
    assert tct("db", "check").exit_code == 0
