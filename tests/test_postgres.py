"""PostgreSQL as the shared register (issue 10): what differs from an SQLite file, tested on a real server.

The rest of the suite already runs every register test on both backends (see conftest.py); here
are the PostgreSQL counterparts of the SQLite-file tests (refusing foreign or newer databases,
upgrades, append-only rows, `db check`, locking), the driver and connection messages, the same
answers from both backends, and many desks writing at once. Tests that need a server take the
`postgres_database` fixture and are skipped without TCT_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import Run, assert_one_line_error, fill_disk
from tct import db as store
from tct.cli import app

BASE = ["--type", "complaint", "--field", "land", "--officer", "binh"]


def _runner(url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Run:
        result = runner.invoke(app, ["--db", url, *args], env=env)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


def _connect(url: str):  # type: ignore[no-untyped-def]
    """A plain psycopg connection to the test database, bypassing tct (to look or plant problems)."""
    import psycopg
    from sqlalchemy.engine import make_url

    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(libpq, autocommit=True)


@pytest.fixture
def pg(postgres_database: str):  # type: ignore[no-untyped-def]
    """`tct --db <fresh PostgreSQL database> ARGS…`, with the URL as `pg.url`."""
    run = _runner(postgres_database)
    run.url = postgres_database  # type: ignore[attr-defined]
    return run


@pytest.fixture
def desk(pg):  # type: ignore[no-untyped-def]
    assert pg("officer", "add", "Trần Thị Bình").exit_code == 0
    return pg


# --- driver and connection messages (no server needed) -------------------------------------

def test_missing_driver_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    run = _runner("postgresql+psycopg://tct@127.0.0.1:1/tct")("config", "list")
    assert_one_line_error(run, 3, "psycopg", "pip install 'tct[postgres]'")


def test_unreachable_server_is_one_line_exit_3_without_the_password():
    pytest.importorskip("psycopg")
    run = _runner("postgresql://tct:s3cret@127.0.0.1:1/tct")("config", "list")
    assert_one_line_error(run, 3, "cannot reach the database", "127.0.0.1")
    assert "s3cret" not in run.stderr


@pytest.mark.parametrize("url", ["postgresql://tct:s3cret@127.0.0.1:abc/tct", "postgresql://tct:s3cret@[::1/tct"])
def test_a_malformed_postgres_url_is_one_line_exit_3_without_the_password(url):
    pytest.importorskip("psycopg")
    run = _runner(url)("config", "list")
    assert_one_line_error(run, 3, "URL is malformed", "postgresql+psycopg://USER@HOST[:PORT]/DBNAME")
    assert "s3cret" not in run.stderr


def test_a_password_in_the_urls_query_is_never_printed():
    """libpq takes the password as `?password=` as well as before the `@`: hidden the same."""
    pytest.importorskip("psycopg")
    assert store.display_url("postgresql+psycopg://a@h/d?password=pw&sslmode=require") \
        == "postgresql+psycopg://a@h/d?password=***&sslmode=require"
    assert store.display_url("postgresql+psycopg://a@h/d?sslpassword=pw") == "postgresql+psycopg://a@h/d?sslpassword=***"
    run = _runner("postgresql://tct@127.0.0.1:1/tct?password=s3cret")("config", "list")
    assert_one_line_error(run, 3, "cannot reach the database", "127.0.0.1:1/tct?password=***")
    assert "s3cret" not in run.stderr


@pytest.mark.parametrize(("url", "without_driver", "words"), [
    ("postgresql://tct:s3cret@127.0.0.1:abc/tct", False, "URL cơ sở dữ liệu sai dạng"),
    ("postgresql+psycopg2://tct:s3cret@127.0.0.1:1/tct", False, "URL này cần một trình điều khiển tct không dùng"),
    ("mysql://tct:s3cret@127.0.0.1/tct", False,
     "tct không dùng được URL cơ sở dữ liệu mysql://tct:***@127.0.0.1/tct"),
    ("postgresql://tct:s3cret@127.0.0.1:1/tct", True, "PostgreSQL cần trình điều khiển psycopg"),
])
def test_a_url_tct_cannot_use_is_refused_in_vietnamese(url, without_driver, words, monkeypatch):
    """README: the register's refusals are said in Vietnamese, a URL tct cannot use among them."""
    if without_driver:
        monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    else:
        pytest.importorskip("psycopg")
    run = _runner(url)("--lang", "vi", "config", "list")
    assert run.exit_code == 3 and run.stderr.startswith("Lỗi: ") and words in run.stderr, run.stderr
    assert "s3cret" not in run.stderr and "Traceback" not in run.stderr


def test_an_unknown_host_is_one_line_exit_3_saying_it_cannot_be_reached():
    pytest.importorskip("psycopg")
    run = _runner("postgresql://tct@no-such-host.invalid/tct")("config", "list")
    assert_one_line_error(run, 3, "cannot reach the database", "no-such-host.invalid")


def test_postgres_urls_are_normalised_to_psycopg():
    assert store.resolve_url("postgres://a@h/d") == "postgresql+psycopg://a@h/d"
    assert store.resolve_url("postgresql://a@h/d") == "postgresql+psycopg://a@h/d"
    assert store.display_url("postgresql+psycopg://a:pw@h/d") == "postgresql+psycopg://a:***@h/d"


# --- the schema: creation, refusals, upgrades ---------------------------------------------

def test_first_use_creates_the_schema_and_db_info_reports_it(pg):
    run = pg("db", "info", "-f", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["dialect"] == "postgresql" and data["schema"] == store.SCHEMA_HEAD
    assert data["size_bytes"] > 0 and data["mode"] is None
    assert set(data["tables"]) == set(__import__("tct.models").models.ALL_TABLES)
    with _connect(pg.url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(store.SCHEMA_HEAD,)]


def test_a_database_with_other_tables_is_refused_and_untouched(pg):
    with _connect(pg.url) as conn:
        conn.execute("CREATE TABLE things (x int)")
    assert_one_line_error(pg("config", "list"), 3, "not a tct database")
    with _connect(pg.url) as conn:
        tables = conn.execute("SELECT table_name FROM information_schema.tables "
                              "WHERE table_schema = current_schema()").fetchall()
    assert tables == [("things",)]


def test_a_role_without_privileges_on_the_register_is_told_so(pg):
    assert pg("db", "info").exit_code == 0
    role = f"tct_guest_{os.getpid()}"
    with _connect(pg.url) as conn:
        if not conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            pytest.skip("needs a superuser to create a role")
        conn.execute(f"CREATE ROLE {role}")
        conn.execute(f"GRANT {role} TO current_user")
        schema = conn.execute("SELECT current_schema()").fetchone()[0]
        conn.execute(f'REVOKE ALL ON SCHEMA "{schema}" FROM PUBLIC')  # (a new database's `public` lets anyone in)
    try:
        from sqlalchemy.engine import make_url

        # the same login, acting as the role without privileges (no password or pg_hba.conf rule needed)
        guest = make_url(pg.url).update_query_dict({"options": f"-c role={role}"}).render_as_string(
            hide_password=False)
        # without access to the register's schema it sees no tables (and cannot create them there)
        assert_one_line_error(_runner(guest)("visit", "list"), 3, "may not use the register",
                              "no schema has been selected", "role that owns the database")
        with _connect(pg.url) as conn:
            conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
        # with access to the schema but not to its tables
        assert_one_line_error(_runner(guest)("visit", "list"), 3, "may not use the register",
                              "permission denied for table alembic_version", "role that owns the database")
    finally:
        with _connect(pg.url) as conn:
            conn.execute(f"DROP OWNED BY {role}")  # (its privileges)
            conn.execute(f"DROP ROLE {role}")


def test_a_database_from_a_newer_tct_is_refused(pg):
    assert pg("db", "info").exit_code == 0
    with _connect(pg.url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    assert_one_line_error(pg("config", "set", "agency.name", "X"), 3, "newer tct")
    with _connect(pg.url) as conn:
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone() == (0,)


def test_db_upgrade_migrates_an_older_schema_once(pg):
    from sqlalchemy import create_engine

    engine = create_engine(pg.url)
    with engine.begin() as conn:
        store.run_migrations(conn, store.SCHEMA_REVISIONS[0])
        conn.exec_driver_sql("INSERT INTO setting (key, value, updated_at) "
                             "VALUES ('agency.name', '\"Thanh tra Sở\"', '2021-01-06 00:00:00+00')")
    engine.dispose()
    assert_one_line_error(pg("config", "list"), 3, "tct db upgrade")
    run = pg("db", "upgrade")
    assert run.exit_code == 0, run.stderr
    assert pg("config", "get", "agency.name").stdout.strip() == "Thanh tra Sở"
    again = pg("db", "upgrade")
    assert again.exit_code == 0 and "already" in again.stderr


def test_the_upgrade_to_0012_stores_each_cases_first_visit_and_marks_histories_out_of_order(pg):
    """A register an older tct kept: the day of each case's first non-void visit is stored, and a
    case whose history (read in date order) ends otherwise than its status is marked, so that a
    report of a past day reads its history (tct.report._backlog)."""
    from sqlalchemy import create_engine

    engine = create_engine(pg.url)
    now = "2021-02-10 02:00:00+00"
    with engine.begin() as conn:
        store.run_migrations(conn, "0011")
        conn.exec_driver_sql("INSERT INTO officer (id, name, name_folded, active, created_at) "
                             f"VALUES (1, 'A', 'a', true, '{now}')")
        conn.exec_driver_sql(f"INSERT INTO citizen (id, name, name_folded, created_at, updated_at) "
                             f"VALUES (1, 'B', 'b', '{now}', '{now}')")
        for case_id, status, changed in ((1, "resolved", "'2021-02-10'"), (2, "new", "NULL"), (3, "new", "NULL")):
            conn.exec_driver_sql(
                "INSERT INTO cases (id, code, year, seq, type, field, within_authority, status, opened_on, "
                "status_changed_on, extension_days, created_at, updated_at, search_folded) VALUES "
                f"({case_id}, 'VV-2021-000{case_id}', 2021, {case_id}, 'complaint', 'land', true, '{status}', "
                f"'2021-02-03', {changed}, 0, '{now}', '{now}', '')")
        for seq, case_id, day, void in ((1, 1, "2021-02-03", False), (2, 2, "2021-02-03", True),
                                        (3, 2, "2021-02-20", False), (4, 3, "2021-02-03", True)):
            conn.exec_driver_sql(
                "INSERT INTO visit (code, year, seq, case_id, citizen_id, officer_id, visited_at, visit_date, "
                "people, delegation, type, field, handling, kind, escalated, search_folded, void, created_at, "
                f"updated_at) VALUES ('TCD-2021-000{seq}', 2021, {seq}, {case_id}, 1, 1, '{now}', '{day}', 1, false, "
                f"'complaint', 'land', 'guided', 'regular', false, '', {str(void).lower()}, '{now}', '{now}')")
        # resolved (entered last) but dated before its acceptance, as an older tct let it be
        for changed, from_, to in (("2021-02-10", "new", "accepted"), ("2021-02-05", "accepted", "resolved")):
            conn.exec_driver_sql("INSERT INTO case_status_change (case_id, changed_on, at, from_status, to_status, "
                                 f"actor) VALUES (1, '{changed}', '{now}', '{from_}', '{to}', 'x')")
    engine.dispose()
    assert pg("db", "upgrade").exit_code == 0
    with _connect(pg.url) as conn:
        rows = conn.execute("SELECT code, first_visit_on, history_in_order FROM cases ORDER BY code").fetchall()
    assert rows == [("VV-2021-0001", date(2021, 2, 3), False), ("VV-2021-0002", date(2021, 2, 20), True),
                    ("VV-2021-0003", None, True)]
    # The backlog of a past day reads the resolved case as its history has it then (accepted since 10
    # February), though it stands settled and unchanged since (migration 0013's range); the case all
    # of whose visits by then were void is nobody's backlog.
    made = pg("report", "03/02/2021..01/04/2021", "-f", "json")
    assert made.exit_code == 0, made.stderr
    assert [(case["code"], case["status"]) for case in made.json()["backlog"]] == [
        ("VV-2021-0001", "accepted"), ("VV-2021-0002", "new")]


def test_desks_upgrading_at_once_upgrade_once(pg):
    from sqlalchemy import create_engine

    engine = create_engine(pg.url)
    with engine.begin() as conn:
        store.run_migrations(conn, store.SCHEMA_REVISIONS[-2])
    engine.dispose()
    holder = _connect(pg.url)
    holder.execute("BEGIN")
    holder.execute(f"SELECT pg_advisory_xact_lock({store.WRITE_LOCK_KEY})")  # another desk mid-write
    procs = [subprocess.Popen([sys.executable, "-m", "tct", "--db", pg.url, "db", "upgrade"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**_env(), "TCT_LANG": "en"})
             for _ in range(3)]
    time.sleep(3)
    holder.execute("ROLLBACK")
    holder.close()
    said = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        said.append(err)
    assert sum(err.startswith("Upgraded") for err in said) == 1, said
    assert sum("already at schema" in err for err in said) == 2, said
    assert not any("copy" in err for err in said), said  # none is made on PostgreSQL


def test_desks_starting_on_an_empty_database_at_once_create_the_schema_once(postgres_database):
    procs = [subprocess.Popen([sys.executable, "-m", "tct", "--db", postgres_database, "config", "list", "-f", "json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
             for _ in range(4)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with _connect(postgres_database) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


# --- append-only rows, checked by the server itself ----------------------------------------

def test_audit_events_and_visits_cannot_be_changed_or_deleted_on_the_server(desk):
    import psycopg

    assert desk("visit", "add", "--citizen", "A", *BASE).exit_code == 0
    with _connect(desk.url) as conn:
        for statement in ("DELETE FROM audit_event", "UPDATE audit_event SET actor = 'x'", "DELETE FROM visit"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM visit").fetchone() == (1,)


@pytest.mark.parametrize("statement", ["TRUNCATE audit_event", "TRUNCATE visit", "TRUNCATE visit, audit_event CASCADE"])
def test_audit_events_and_visits_cannot_be_truncated_on_the_server(desk, statement):
    import psycopg

    assert desk("visit", "add", "--citizen", "A", *BASE).exit_code == 0
    with _connect(desk.url) as conn:
        events = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM visit").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone() == (events,) != (0,)
    assert desk("db", "check").exit_code == 0


def test_db_check_finds_visits_and_audit_events_emptied_past_the_triggers(desk):
    assert desk("visit", "add", "--citizen", "A", *BASE, "--at", "04/02/2021 09:00").exit_code == 0
    with _connect(desk.url) as conn:
        conn.execute("DROP TRIGGER visit_no_truncate ON visit")
        conn.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate")
        conn.execute("TRUNCATE visit, audit_event")
    run = desk("db", "check", "-f", "json")
    assert run.exit_code == 1
    problems = run.json()["problems"]
    assert "visit counter of 2021 is at 1 but the highest code is 0: rows were deleted" in problems
    assert any("visit_no_truncate" in line and "missing" in line for line in problems), problems
    assert any("audit_event_no_truncate" in line and "disabled" in line for line in problems), problems


# --- db check --------------------------------------------------------------------------------

def test_db_check_passes_on_a_healthy_register(desk):
    assert desk("visit", "add", "--citizen", "A", *BASE).exit_code == 0
    run = desk("db", "check", "-f", "json")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.json()["ok"] is True


def test_db_check_finds_a_gap_in_the_codes(desk):
    for name in ("A", "B"):
        assert desk("visit", "add", "--citizen", name, *BASE, "--at", "04/02/2021 09:00").exit_code == 0
    with _connect(desk.url) as conn:
        conn.execute("UPDATE visit SET seq = 3, code = 'TCD-2021-0003' WHERE seq = 2")
        conn.execute("UPDATE code_counter SET last = 3 WHERE kind = 'visit'")
    run = desk("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert any("visit codes of 2021" in line for line in run.json()["problems"])


def test_db_check_finds_a_case_whose_latest_status_day_is_missing(desk):
    assert desk("visit", "add", "--citizen", "A", *BASE, "--at", "04/02/2021 09:00").exit_code == 0
    assert desk("case", "accept", "VV-2021-0001", "--date", "05/02/2021").exit_code == 0
    assert desk("db", "check").exit_code == 0
    with _connect(desk.url) as conn:
        conn.execute("UPDATE cases SET status_changed_on = NULL")
    run = desk("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert [line for line in run.json()["problems"] if line.startswith("case VV-2021-0001")] == [
        "case VV-2021-0001: its latest status change is dated 2021-02-05 in its history but nothing on the "
        "case, so the backlog of a past day may miss it (tct db check --repair)"]
    assert desk("db", "check", "--repair").exit_code == 0
    assert desk("db", "check").exit_code == 0


def test_db_check_finds_a_case_whose_status_history_ends_otherwise_in_date_order(desk):
    assert desk("visit", "add", "--citizen", "A", *BASE, "--at", "04/02/2021 09:00").exit_code == 0
    assert desk("case", "accept", "VV-2021-0001", "--date", "10/02/2021").exit_code == 0
    assert desk("case", "resolve", "VV-2021-0001", "--result", "upheld", "--date", "01/03/2021").exit_code == 0
    assert desk("db", "check").exit_code == 0
    with _connect(desk.url) as conn:  # the resolution dated before the acceptance, as an older tct let it be
        conn.execute("UPDATE case_status_change SET changed_on = '2021-02-05' WHERE to_status = 'resolved'")
        conn.execute("UPDATE cases SET status_changed_on = '2021-02-10'")
    run = desk("db", "check", "-f", "json")
    assert run.exit_code == 1
    assert [line for line in run.json()["problems"] if line.startswith("case VV-2021-0001")] == [
        "case VV-2021-0001: its status is resolved but its history, read in date order, ends accepted; a report "
        "of a past day reads it as resolved until tct db check --repair marks it to be read from its history"]
    assert desk("db", "check", "--repair").exit_code == 1  # which of the two is right is the officers' call
    with _connect(desk.url) as conn:  # marked, so that a report of a past day reads its history
        assert conn.execute("SELECT history_in_order FROM cases").fetchall() == [(False,)]
    assert [line for line in desk("db", "check", "-f", "json").json()["problems"]
            if line.startswith("case VV-2021-0001")] == [
        "case VV-2021-0001: its status is resolved but its history, read in date order, ends accepted, so a "
        "report of a past day reads it as accepted (a step was entered before an earlier-dated one)"]
    backlog = desk("report", "04/02/2021..01/04/2021", "-f", "json").json()["backlog"]
    assert [(case["code"], case["status"]) for case in backlog] == [("VV-2021-0001", "accepted")]


def test_db_check_finds_rows_loaded_past_the_foreign_keys_and_unvalidated_constraints(desk):
    assert desk("db", "info").exit_code == 0
    with _connect(desk.url) as conn:
        if not conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            pytest.skip("needs a superuser to load rows with the foreign keys off")
        conn.execute("SET session_replication_role = replica")  # as a data-only restore does
        conn.execute("INSERT INTO duty_shift (officer_id, shift_date, shift, start_time, end_time, role, created_at) "
                     "VALUES (42, '2021-02-10', 'morning', '07:30', '11:30', 'main', now())")
        conn.execute("SET session_replication_role = origin")
        conn.execute("ALTER TABLE referral DROP CONSTRAINT referral_case_id_fkey")
        conn.execute("ALTER TABLE referral ADD CONSTRAINT referral_case_id_fkey FOREIGN KEY (case_id) "
                     "REFERENCES cases (id) NOT VALID")
    run = desk("db", "check", "-f", "json")
    assert run.exit_code == 1
    problems = run.json()["problems"]
    assert "foreign key: table duty_shift row 1 points to a missing officer" in problems
    assert any(line.startswith("constraint: referral_case_id_fkey") for line in problems), problems


def test_db_check_finds_a_disabled_append_only_trigger(desk):
    assert desk("db", "info").exit_code == 0
    with _connect(desk.url) as conn:
        conn.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        conn.execute("DROP TRIGGER visit_no_delete ON visit")
    problems = desk("db", "check", "-f", "json").json()["problems"]
    assert any("audit_event_append_only" in line and "disabled" in line for line in problems), problems
    assert any("visit_no_delete" in line and "missing" in line for line in problems), problems


# --- locking ---------------------------------------------------------------------------------

def test_a_read_sees_the_register_at_one_moment_while_another_desk_writes(desk):
    """A command that reads in several statements (`case list` reads the cases with a deadline, then
    the others; a report reads a dozen tables) must not see a write made between two of them: at
    READ COMMITTED a case guided in between was listed twice."""
    from tct.db import Driver, open_database, read_session

    first = desk("visit", "add", "--citizen", "A", *BASE, "-f", "json").json()["case"]
    database = open_database(desk.url)
    try:
        with read_session(database) as session:
            db = Driver(session)
            before = db.rows("SELECT count(*), min(status) FROM cases")[0]
            assert tuple(before) == (1, "new")
            assert desk("visit", "add", "--citizen", "B", *BASE).exit_code == 0  # another desk, meanwhile
            assert desk("case", "guide", first).exit_code == 0
            assert db.rows("SELECT count(*), min(status) FROM cases")[0] == before
        with read_session(database) as session:
            assert tuple(Driver(session).rows("SELECT count(*), min(status) FROM cases")[0]) == (2, "guided")
    finally:
        database.dispose()


def test_writers_wait_for_each_other_and_fail_cleanly_past_the_timeout(desk, monkeypatch):
    assert desk("config", "set", "agency.name", "A").exit_code == 0
    holder = _connect(desk.url)
    try:
        holder.execute("BEGIN")
        holder.execute(f"SELECT pg_advisory_xact_lock({store.WRITE_LOCK_KEY})")  # another desk mid-write
        monkeypatch.setenv("TCT_BUSY_TIMEOUT", "0.3")
        started = time.monotonic()
        run = desk("config", "set", "agency.name", "B")
        assert time.monotonic() - started < 10
        assert_one_line_error(run, 3, "locked")
        assert desk("config", "get", "agency.name").stdout.strip() == "A"  # readers are never blocked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert desk("config", "set", "agency.name", "B").exit_code == 0


def _tct_process(url: str, *args: str, busy: str) -> subprocess.CompletedProcess[str]:
    """A real `tct` process (a hang is a TimeoutExpired, not a stuck test run)."""
    return subprocess.run([sys.executable, "-m", "tct", "--db", url, *args], capture_output=True, text=True,
                          env={**_env(), "TCT_BUSY_TIMEOUT": busy}, timeout=60)


@pytest.mark.parametrize(("args", "busy"), [(("visit", "list"), "0.3"), (("config", "list"), "0.3"),
                                            (("config", "set", "agency.name", "B"), "0")])
def test_a_command_behind_a_locked_table_fails_cleanly_past_the_timeout(desk, args, busy):
    assert desk("visit", "add", "--citizen", "A", *BASE).exit_code == 0
    holder = _connect(desk.url)
    try:
        holder.execute("BEGIN")
        for table in ("visit", "setting"):  # as the ALTER TABLE of a `tct db upgrade` at another desk does
            holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        done = _tct_process(desk.url, *args, busy=busy)
        assert time.monotonic() - started < 30
        assert done.returncode == 3, done.stderr
        assert done.stderr.startswith("Error: ") and "locked" in done.stderr and "Traceback" not in done.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _tct_process(desk.url, *args, busy=busy).returncode == 0


def test_a_backup_behind_a_locked_table_fails_cleanly_past_the_timeout(desk, tmp_path):
    """pg_dump locks every table of the database, another application's too: a nightly backup
    behind a lock that is never released must fail (cron mails it), not hang."""
    import shutil

    if shutil.which("pg_dump") is None:
        pytest.skip("the PostgreSQL client tools are not installed")
    holder = _connect(desk.url)
    try:
        holder.execute("CREATE TABLE other_application (id integer)")
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE other_application IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        done = _tct_process(desk.url, "backup", "--to", str(tmp_path / "b"), busy="0.5")
        assert time.monotonic() - started < 30
        assert done.returncode == 3, done.stderr
        assert done.stderr.startswith("Error: ") and "locked" in done.stderr and "Traceback" not in done.stderr
        assert not [p for p in (tmp_path / "b").glob("*") if not p.name.startswith(".")]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _tct_process(desk.url, "backup", "--to", str(tmp_path / "b"), busy="0.5").returncode == 0


def test_a_password_in_the_urls_query_is_shown_nowhere_nor_given_to_pg_dump_on_its_command_line(
        desk, tmp_path, monkeypatch):
    """`ps` shows every user a process's arguments: pg_dump gets the password in its environment."""
    import shutil
    import subprocess as processes

    if shutil.which("pg_dump") is None:
        pytest.skip("the PostgreSQL client tools are not installed")
    from sqlalchemy.engine import make_url

    url = make_url(desk.url).update_query_dict({"password": "s3cret"}).render_as_string(hide_password=False)
    for args in (["db", "info"], ["db", "check"]):
        run = _runner(url)(*args)
        assert run.exit_code == 0, run.stderr
        said = "".join((run.stdout + run.stderr).split())  # a long URL wraps in the table
        assert "s3cret" not in said and "password=***" in said
    calls = []
    real_run = processes.run

    def spy(argv, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((list(argv), dict(kwargs.get("env") or {})))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(processes, "run", spy)
    run = _runner(url)("backup", "--to", str(tmp_path / "b") + "/")
    assert run.exit_code == 0, run.stderr
    dump = [(argv, env) for argv, env in calls if Path(argv[0]).name == "pg_dump"]
    assert dump and not any("s3cret" in arg for arg in dump[0][0]), dump[0][0]
    assert dump[0][1].get("PGPASSWORD") == "s3cret"


@pytest.mark.parametrize("citizen", [
    # 4-byte characters: the search key of name and address past the index's 2,704 bytes
    # (random, so that PostgreSQL cannot compress them)
    ["--citizen", "".join(map(chr, random.Random(1).choices(range(0x1F300, 0x1F600), k=200))),
     "--address", "".join(map(chr, random.Random(2).choices(range(0x1F300, 0x1F600), k=500)))],
])
def test_a_value_too_long_for_postgresql_is_one_line_exit_1_and_writes_nothing(desk, citizen):
    """SQLite keeps text of any length; PostgreSQL refuses what does not fit a column or an index:
    that is the typed value's fault (exit 1), not a register that cannot be used (exit 3)."""
    for lang, words in (("en", "too long for the register's database"), ("vi", "quá dài đối với cơ sở dữ liệu")):
        run = desk("--lang", lang, "visit", "add", *citizen, *BASE, "--at", "09/02/2021 09:00")
        assert run.exit_code == 1 and "Traceback" not in run.stderr, (run.exit_code, run.stderr)
        assert len(run.stderr.splitlines()) == 1 and words in run.stderr, run.stderr
    assert desk("visit", "list", "-f", "json").json() == []
    assert desk("visit", "add", "--citizen", "A", *BASE).stdout.split()[0].endswith("-0001")


def test_timestamps_do_not_depend_on_the_servers_time_zone(desk):
    with _connect(desk.url) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(f"ALTER DATABASE \"{name}\" SET timezone = 'America/New_York'")
    data = desk("visit", "add", "--citizen", "B", *BASE, "--at", "09/02/2021 23:30", "-f", "json").json()
    assert data["visited_at"] == "2021-02-09T23:30:00+07:00" and data["visit_date"] == "2021-02-09"
    shown = desk("visit", "show", data["code"], "-f", "json").json()
    assert shown["visited_at"] == "2021-02-09T23:30:00+07:00"
    assert desk("visit", "list", "--from", "09/02/2021", "--to", "09/02/2021", "-f", "json").json()[0]["code"] \
        == data["code"]


def test_text_with_a_nul_is_found_nowhere_instead_of_failing(desk):
    assert desk("visit", "add", "--citizen", "A", *BASE).exit_code == 0
    for args in (["visit", "list", "--search", "a\x00"], ["citizen", "list", "--search", "a\x00"],
                 ["case", "list", "--locality", "a\x00"]):
        run = desk(*args, "-f", "json")
        assert run.exit_code == 0 and run.json() == [], (args, run.stderr)
    assert_one_line_error(desk("visit", "show", "--", "TCD\x00"), 1, "no visit")


# --- the same answers from both backends ---------------------------------------------------

SCRIPT = [
    ["officer", "add", "Trần Thị Bình"], ["officer", "add", "Lê Văn An"], ["officer", "add", "Lê Văn Ánh"],
    ["officer", "add", "Đỗ Minh-Châu"], ["officer", "add", "Do Minh"], ["officer", "retire", "do minh"],
    ["config", "set", "agency.name", "Thanh tra tỉnh"],
    ["visit", "add", "--citizen", "Nguyễn Văn Đức", *BASE, "--at", "04/02/2021 09:00", "--id-number", "079123456789",
     "--locality", "Phường 1, Quận 3", "--content", "Tranh chấp ranh giới đất 50%_"],
    ["visit", "add", "--citizen", "Phạm Thị Lan", *BASE, "--at", "05/02/2021 10:15", "--people", "12",
     "--representatives", "A; B", "--locality", "Phường 1, Quận 3"],
    ["visit", "add", "--citizen", "Nguyễn Văn Đức", "--id-number", "079123456789", "--type", "denunciation",
     "--field", "policy", "--officer", "le van an", "--at", "09/02/2021 23:30"],
    ["visit", "add", "--citizen", "Ông Ba", *BASE, "--at", "10/02/2021 08:00", "--case", "VV-2021-0001"],
    ["visit", "add", "--citizen", "Bà Tư", *BASE, "--at", "11/02/2021 14:00", "--people", "6",
     "--locality", "Phường 1, Quận 3"],
    ["visit", "void", "TCD-2021-0004", "--reason", "nhập nhầm"],
    ["case", "accept", "VV-2021-0001", "--date", "15/02/2021"],
    ["case", "flag", "--complex", "--reason", "phức tạp", "VV-2021-0001"],
    ["case", "refer", "VV-2021-0002", "--to", "UBND Quận 3", "--date", "16/02/2021"],
    ["roster", "add", "binh", "--date", "01/02/2021", "--to", "12/02/2021", "--shift", "full"],
    ["roster", "add", "le van an", "--date", "08/02/2021", "--shift", "morning", "--role", "backup"],
    ["period", "add", "plan-tet-2021", "--from", "01/02/2021", "--to", "20/02/2021", "--title", "Tết 2021",
     "--before-days", "3"],
    ["period", "add", "plan2", "--from", "01/03/2021", "--to", "02/03/2021", "--title", "B"],
]
READS = [
    ["officer", "list", "--all"], ["visit", "list"], ["visit", "list", "--search", "duc"],
    ["visit", "list", "--search", "50%_"], ["visit", "show", "TCD-2021-0003"], ["citizen", "list"],
    ["citizen", "list", "--search", "nguyen"], ["case", "list"], ["case", "list", "--locality", "phuong 1"],
    ["case", "show", "VV-2021-0001"], ["alerts", "--on", "20/04/2021"], ["roster", "list", "--from",
    "01/02/2021", "--to", "12/02/2021"], ["roster", "check", "--from", "01/02/2021", "--to", "12/02/2021"],
    ["roster", "export"], ["period", "list", "--year", "2021"], ["period", "show", "tet-2021"], ["config", "list"],
    ["db", "check"],
]


def _strip_times(value):  # type: ignore[no-untyped-def]
    """Drop the moments of writing (created, updated, logged) and the location, which differ."""
    if isinstance(value, dict):
        return {k: _strip_times(v) for k, v in value.items()
                if k == "visited_at" or not (k in ("at", "location") or k.endswith("_at"))}
    if isinstance(value, list):
        return [_strip_times(v) for v in value]
    return value


def _answers(run) -> list:  # type: ignore[no-untyped-def]
    for args in SCRIPT:
        done = run(*args)
        assert done.exit_code == 0, (args, done.stderr)
    answers = []
    for args in READS:
        fmt = [] if args[:2] == ["roster", "export"] else ["-f", "json"]
        done = run(*args, *fmt)
        answers.append((args, done.exit_code, _strip_times(done.json()) if fmt and done.stdout else done.stdout))
    log = run("log", "-f", "json").json()
    answers.append((["log"], 0, [{k: v for k, v in e.items() if k not in ("at", "id")} for e in log]))
    return answers


def test_both_backends_give_the_same_answers_to_the_same_work(tmp_path, postgres_database):
    sqlite = _answers(_runner(str(tmp_path / "tct.db")))
    postgres = _answers(_runner(postgres_database))
    for left, right in zip(sqlite, postgres, strict=True):
        assert left == right, left[0]


# --- many desks at once ----------------------------------------------------------------------

def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TCT_")}
    env.update({"TCT_OFFICER": "tester", "LANG": "C.UTF-8"})
    return env


# One desk: waits for the start signal, then runs `tct visit add` RUNS times, each a complete
# invocation of the command (its own engine, connection and transaction), as a desk would.
DESK = r"""
import json, os, sys, time
from tct.cli import app

url, desk, runs, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
while not os.path.exists(start):
    time.sleep(0.01)
shared = ["079100000000", "079100000001", "079100000002"]
for i in range(runs):
    args = ["--db", url, "visit", "add", "--citizen", f"Người {desk}-{i}", "--type", ("complaint", "petition")[i % 2],
            "--field", "land", "--officer", ("binh", "an")[desk % 2],
            "--at", f"{1 + i % 28:02d}/0{1 + desk % 9}/2021 09:00", "--content", f"bàn {desk} lượt {i}", "-f", "json"]
    if i % 10 == 0:  # the same citizens come to several desks: found, never created twice
        args += ["--id-number", shared[(desk + i) % len(shared)]]
    code = app(args, standalone_mode=False)
    if code:
        sys.exit(f"desk {desk} visit {i}: exit {code}")
"""


@pytest.mark.slow
def test_eight_desks_each_logging_fifty_visits_on_one_server(postgres_database, tmp_path: Path):
    desks, runs = 8, 50
    run = _runner(postgres_database)
    for name in ("Trần Thị Bình", "Lê Văn An"):
        assert run("officer", "add", name).exit_code == 0
    start = tmp_path / "start"
    procs = [subprocess.Popen([sys.executable, "-c", DESK, postgres_database, str(n), str(runs), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
             for n in range(desks)]
    start.touch()
    outputs = [proc.communicate(timeout=600) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err[-2000:] for _, err in outputs]
    records = [json.loads(line) for out, _ in outputs for line in _documents(out)]
    total = desks * runs
    assert len(records) == total
    assert sorted(r["code"] for r in records) == [f"TCD-2021-{n:04d}" for n in range(1, total + 1)]
    assert sorted(r["case"] for r in records) == [f"VV-2021-{n:04d}" for n in range(1, total + 1)]
    with _connect(postgres_database) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT code), min(seq), max(seq) FROM visit "
                            "WHERE year = 2021").fetchone() == (total, total, 1, total)
        assert conn.execute("SELECT kind, year, last FROM code_counter ORDER BY kind").fetchall() == \
            [("case", 2021, total), ("visit", 2021, total)]
        assert conn.execute("SELECT count(*), count(DISTINCT id_number) FROM citizen "
                            "WHERE id_number IS NOT NULL").fetchone() == (3, 3)
        assert conn.execute("SELECT count(*) FROM audit_event WHERE entity = 'visit' AND action = 'create'"
                            ).fetchone() == (total,)
    assert run("db", "check").exit_code == 0


def _documents(out: str) -> list[str]:
    """The JSON documents printed one after another by a desk's runs."""
    decoder, documents, index = json.JSONDecoder(), [], 0
    while index < len(out):
        while index < len(out) and out[index].isspace():
            index += 1
        if index >= len(out):
            break
        document, end = decoder.raw_decode(out, index)
        documents.append(json.dumps(document))
        index = end
    return documents


# --- the report on either backend -------------------------------------------------------------

def _example_report(run) -> dict:  # type: ignore[no-untyped-def]
    """Load the Tết 2021 example (the officers, roster and visits `make demo` uses) and report on it."""
    example = Path(__file__).parent.parent / "examples" / "tet-2021"
    for name in ("Nguyễn Văn Đức", "Trần Thị Bình", "Lê Minh Tuấn", "Phạm Thị Hồng Nhung", "Võ Quốc Huy"):
        assert run("officer", "add", name).exit_code == 0
    assert run("roster", "import", str(example / "roster.csv")).exit_code == 0
    done = run("import", "--visits", str(example / "visits.csv"))
    assert done.exit_code == 0, done.stderr
    for args in (["visit", "void", "TCD-2021-0016", "--reason", "nhập thử"],
                 ["case", "accept", "VV-2021-0001", "--date", "04/02/2021"],
                 ["case", "flag", "VV-2021-0001", "--complex", "--reason", "đo kiểm bức xạ"],
                 ["case", "refer", "VV-2021-0006", "--to", "UBND huyện", "--date", "06/02/2021"]):
        assert run(*args).exit_code == 0, args
    report = run("report", "tet-2021", "-f", "json")
    assert report.exit_code == 0, report.stderr
    data = report.json()
    data.pop("made_at")
    return data


def test_the_report_is_the_same_on_postgresql_and_sqlite(tmp_path, postgres_database):
    on_sqlite = _example_report(_runner(str(tmp_path / "tct.db")))
    on_postgres = _example_report(_runner(postgres_database))
    assert on_postgres == on_sqlite
    assert on_sqlite["reception"]["total"]["visits"] == 29  # the example's visits in the period, void left out


def test_a_backup_onto_a_full_disk_says_so_as_on_sqlite(desk, small_disks):
    """pg_dump running out of room: the one line says the disk is full, in the desk's language (as an
    SQLite backup says it), not pg_dump's own English; nothing is left under a backup name."""
    disk = small_disks("256k")
    fill_disk(disk)
    run = desk("backup", "--to", str(disk))
    assert_one_line_error(run, 1, f"no space left on the disk of {disk}", "no backup was made")
    vi = desk("--lang", "vi", "backup", "--to", str(disk))
    assert vi.exit_code == 1 and f"Lỗi: ổ đĩa chứa {disk} đã hết chỗ" in vi.stderr, vi.stderr
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]
