"""What keeps tct fast, checked without timing anything (bench/run.py measures; these guard).

- `tct --help` and Tab completion import no SQLAlchemy, SQLModel, pydantic or Alembic;
- `tct visit add` does not import Alembic when no migration is pending;
- the report and alerts reach visits through indexes (SQLite `EXPLAIN QUERY PLAN` on the very
  statements the library sends), so their cost follows the period, not the register's size;
- `visit add` reaches the flags of its locality through its cases, not every hotspot flag;
- `visit list --search` is an infix LIKE on the folded column, which no B-tree index can serve:
  the reasonable plan walks visits newest first by the `visited_at` index and stops at the
  limit, with no sort of every match.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic")

PROBE = """
import sys
sys.argv = ["tct"] + sys.argv[1:]
try:
    from tct.cli import run
    run()
except SystemExit:
    pass
print("MODULES", " ".join(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
print("ALL MODULES", " ".join(sorted(sys.modules)), file=sys.stderr)
"""


def _modules(args: list[str], env: dict[str, str] | None = None, *, every: bool = False) -> set[str]:
    """Top-level modules a `tct` process imported (`every`: with their submodules), run in a
    subprocess as the console script would."""
    run = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, timeout=120)
    line = [x for x in run.stderr.splitlines() if x.startswith("ALL MODULES " if every else "MODULES ")]
    assert line, run.stderr
    return set(line[-1].split()[2 if every else 1:])


def test_help_imports_no_database_layer(tmp_path: Path) -> None:
    loaded = _modules(["--help"], {"TCT_DB": str(tmp_path / "never.db")})
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert not (tmp_path / "never.db").exists()


def _helps(group, ctx, path=()):  # type: ignore[no-untyped-def]
    """The `--help` text of every command under `group`, by command path."""
    import click

    texts = {}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        with click.Context(command, parent=ctx, info_name=name) as sub:
            texts[(*path, name)] = command.get_help(sub)
            if isinstance(command, click.Group):
                texts.update(_helps(command, sub, (*path, name)))
    return texts


def test_commands_are_built_lazily_and_read_as_if_built_eagerly() -> None:
    """tct turns only the command being run into its click form (Typer evaluates every annotation
    of a signature to do it); `tct --help` builds none. Every command's help must read exactly as
    if Typer had built the whole tree up front with add_typer/command."""
    import click
    import typer

    from tct.cli import COMMANDS, _root, _target, app

    group = typer.main.get_command(app)
    with click.Context(group, info_name="tct") as ctx:
        root_help = group.get_help(ctx)
        assert not group.commands  # nothing was built for the root help
        lazy = _helps(group, ctx)
    listed = [line.split()[0] for line in root_help.split("Commands:\n", 1)[1].splitlines() if line.strip()]
    assert listed == list(COMMANDS)

    eager = typer.Typer(name="tct", no_args_is_help=True, rich_markup_mode=None,
                        context_settings={"help_option_names": ["-h", "--help"]})
    eager.callback()(_root)
    for name in COMMANDS:
        target = _target(name)
        if isinstance(target, typer.Typer):
            eager.add_typer(target, name=name)
        else:
            eager.command(name)(target)
    eager_group = typer.main.get_command(eager)
    with click.Context(eager_group, info_name="tct") as ctx:
        built = _helps(eager_group, ctx)
    assert lazy.keys() == built.keys()
    assert len(lazy) > 40
    for path, text in built.items():
        assert lazy[path] == text, path


def test_json_export_of_a_plain_sqlite_register_imports_no_database_layer(tct, db_path: Path) -> None:
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0  # the register exists, at this tct's schema
    loaded = _modules(["--db", str(db_path), "export", "--output", str(db_path.parent / "e.json")])
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert json.loads((db_path.parent / "e.json").read_text(encoding="utf-8"))["tables"]["officer"]


def test_export_reveal_of_a_plain_sqlite_register_records_its_event_without_the_database_layer(
        tct, db_path: Path) -> None:
    """`export --reveal` writes its one audit event with the sqlite3 module: the same row as
    audit.record writes through the models, in the register's own trail."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    target = db_path.parent / "e.json"
    loaded = _modules(["--db", str(db_path), "export", "--reveal", "--output", str(target)],
                      {"TCT_OFFICER": "thanh tra Hùng"})
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert json.loads(target.read_text(encoding="utf-8"))["identities"] == "revealed"
    assert tct("export", "--reveal", "-f", "csv", "--output", str(db_path.parent / "csv"),
               env={"TCT_OFFICER": "thanh tra Hùng"}).exit_code == 0  # through the models
    events = [e for e in tct("log", "-f", "json").json() if e["action"] == "export-reveal"]
    assert [(e["actor"], e["entity"], e["code"], e["reason"]) for e in events] == [
        ("thanh tra Hùng", "register", None, None)] * 2
    assert events[0]["changes"] == {"before": {}, "after": {"format": "json", "output": str(target),
                                                            "protected_citizens": 0}}
    assert events[1]["changes"]["after"]["format"] == "csv"
    con = sqlite3.connect(db_path)
    stored = con.execute("SELECT at, changes FROM audit_event WHERE action = 'export-reveal' ORDER BY id").fetchall()
    con.close()
    assert [len(at) for at, _ in stored] == [26, 26]  # 'YYYY-MM-DD HH:MM:SS.ffffff', as the models store it
    assert stored[0][1] == json.dumps(events[0]["changes"], ensure_ascii=False, sort_keys=True)


@pytest.mark.parametrize("args", [["report", "tet-2021", "--format", "json"],
                                  ["alerts", "--on", "20/02/2021", "--format", "json"],
                                  ["visit", "list", "--search", "nguyen", "--officer", "binh", "--format", "json"],
                                  ["citizen", "list", "--search", "nguyen", "--format", "json"],
                                  ["roster", "list", "tet-2021", "--format", "json"],
                                  ["roster", "check", "--from", "01/02/2021", "--to", "14/02/2021", "-f", "json"]])
def test_reads_of_a_plain_sqlite_register_import_no_database_layer(tct, db_path: Path, args) -> None:  # type: ignore[no-untyped-def]
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0  # the register exists, at this tct's schema
    assert tct("visit", "add", "--citizen", "Nguyễn Văn Đức", "--type", "complaint", "--field", "land",
               "--officer", "binh", "--at", "04/02/2021 09:00").exit_code == 0
    run = subprocess.run([sys.executable, "-c", PROBE, "--db", str(db_path), *args], capture_output=True, text=True,
                         timeout=120)
    assert json.loads(run.stdout)  # it did run
    loaded = set(next(x for x in run.stderr.splitlines() if x.startswith("MODULES ")).split()[1:])
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("typed,offered", [
    ("tct vi", ["visit"]),
    # the words of a fixed list, as the desk may type them (English keys, Vietnamese without accents)
    ("tct visit add --type khi", ["khieu-nai"]),
    ("tct visit add --handling hu", ["huong-dan"]),
    ("tct visit edit TCD-2021-0001 --kind l", ["leader", "lanh-dao"]),
])
def test_tab_completion_imports_no_database_layer(tmp_path: Path, typed: str, offered: list[str]) -> None:
    # Typer's bash protocol: the words typed so far and the index of the one being completed.
    env = {"_TCT_COMPLETE": "complete_bash", "COMP_WORDS": typed, "COMP_CWORD": str(len(typed.split()) - 1),
           "TCT_DB": str(tmp_path / "never.db")}
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=120)
    assert set(offered) <= set(run.stdout.split()), run.stdout
    assert not (tmp_path / "never.db").exists()
    loaded = set(next(x for x in run.stderr.splitlines() if x.startswith("MODULES ")).split()[1:])
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_visit_add_does_not_import_alembic_when_no_migration_is_pending(tct, db_path: Path) -> None:
    """Nor, on SQLite, SQLAlchemy's PostgreSQL dialect (about 50 ms of every command: a model's
    index naming a postgresql_where loads it)."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0  # the register exists, at the head schema
    loaded = _modules(["visit", "add", "--citizen", "Nguyễn Văn Đức", "--type", "complaint", "--field", "land",
                       "--officer", "binh", "--at", "04/02/2021 09:00"], {"TCT_DB": str(db_path)}, every=True)
    assert "tct" in loaded and "sqlalchemy" in loaded  # it did run and write
    assert "tct.visits" in loaded and "sqlalchemy.dialects.sqlite" in loaded
    assert not {name for name in loaded if name.startswith("alembic")}
    assert "sqlalchemy.dialects.postgresql" not in loaded


# --- query plans ---------------------------------------------------------------------------------

HEADER = "citizen,id_number,type,field,at,officer,people,case_ref,locality,handling,kind,escalated\n"


@pytest.fixture
def register(database):  # type: ignore[no-untyped-def]
    """A small register: visits around Tết 2021 and before, delegations, repeat visits, closed cases."""
    from tct import bulk, cases, officers, settings
    from tct.db import write_session

    lines = [HEADER]
    for n in range(120):
        day = date(2020, 11, 1).toordinal() + n
        when = date.fromordinal(day).strftime("%d/%m/%Y") + f" {8 + n % 8:02d}:00"
        kind = ("complaint", "denunciation", "petition")[n % 3]
        people, escalated = (8 if n % 17 == 0 else 1), ("yes" if n % 23 == 0 else "")
        lines.append(f"Nguyễn Văn {n % 40},0910780{n % 40:05d},{kind},land,{when},binh,{people},r{n % 50},"
                     f"Xã {n % 5},accepted,,{escalated}\n")
    with write_session(database) as session:
        officers.add(session, "Trần Thị Bình", actor="t")
        current = settings.load(session)
        bulk.load(session, io.StringIO("".join(lines)), settings=current, actor="t")
        cases.transition(session, "VV-2020-0001", "accept", settings=current, actor="t", on=date(2020, 11, 5))
    return database


def _plans(database, work) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """(statement, plan lines) of every SELECT the library sends while `work(session)` runs."""
    from sqlalchemy import event

    from tct.db import read_session

    sent: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with read_session(database) as session:
            work(session)
            raw = session.connection().connection.driver_connection
            return [(statement, [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)])
                    for statement, parameters in sent]
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)


def _scans(plans: list[tuple[str, list[str]]], table: str) -> list[str]:
    """Plan lines that read the whole of `table`."""
    return [f"{line}  <-  {statement[:160]}" for statement, lines in plans for line in lines
            if re.match(rf"SCAN {table}\b", line)]


def _visit_scans(plans: list[tuple[str, list[str]]]) -> list[str]:
    """Plan lines that read the whole visit table or a whole index of it."""
    return [f"{line}  <-  {statement[:160]}" for statement, lines in plans for line in lines
            if re.match(r"SCAN visit\b", line)]


@pytest.mark.sqlite_only
def test_the_report_reaches_visits_through_indexes(register) -> None:  # type: ignore[no-untyped-def]
    from tct import periods, report, settings

    def work(session):  # type: ignore[no-untyped-def]
        built = report.build(session, periods.resolve(session, "tet-2021"), settings.load(session))
        assert built["reception"]["total"]["visits"] > 0

    plans = _plans(register, work)
    assert any("visit" in statement for statement, _ in plans)
    assert _visit_scans(plans) == []
    assert _scans(plans, "cases") == [] and _scans(plans, "case_status_change") == []
    assert _scans(plans, "case_flag") == []
    # the backlog asks per candidate case, through covering indexes, not for every case visited nor
    # for every status change after the day: a case's status then is its last change by the day,
    # read from ix_case_status_change_case_day in (changed_on, id) order with no sort; the cases
    # that changed status after the day are a range of one index, not a probe of every case opened
    backlog = [lines for statement, lines in plans if "cases.status_changed_on >" in statement]
    assert len(backlog) == 1
    # ...which ends the longest span of any case after the day (one probe of ix_cases_open_span), not today
    assert any("COVERING INDEX ix_cases_status_changed_opened (status_changed_on>? AND status_changed_on<?)" in line
               for line in backlog[0])
    longest = [lines for statement, lines in plans if statement.startswith("SELECT max(julianday(")]
    assert len(longest) == 1 and longest[0] == ["SEARCH cases USING INDEX ix_cases_open_span"]
    history = [line for line in backlog[0] if "case_status_change" in line]
    assert history and all("COVERING INDEX ix_case_status_change_case_day (case_id=?" in line for line in history)
    assert not any("RIGHT PART OF ORDER BY" in line for line in backlog[0])
    assert any("COVERING INDEX ix_cases_status_opened (status=? AND opened_on<?)" in line for line in backlog[0])
    # ...and the few settled whose history is out of date order, from an index of them alone (migration 0013)
    assert any("COVERING INDEX ix_cases_history_out_of_order (status_changed_on<?)" in line for line in backlog[0])
    # ...and both ranges from their index alone (migration 0012): no case's row, and no probe of each
    # case's visits (its first visit's day is in the index)
    assert not any(re.search(r"SEARCH (cases|visit) USING (INTEGER PRIMARY KEY|INDEX)", line) for line in backlog[0])
    assert not any("visit" in line for line in backlog[0])
    # the flagged cases are asked per case visited in the period, not as every flagged case
    flagged = [lines for statement, lines in plans if "FROM case_flag" in statement and "EXISTS" in statement]
    assert flagged and any("ix_case_flag_case_kind (case_id=?" in line for line in flagged[0])
    # the reception counts read the period's visits once, by day
    reception = [lines for statement, lines in plans if "first_visit.first_date" in statement]
    assert len(reception) == 1 and any("ix_visit_date_void (visit_date>? AND visit_date<?)" in line
                                       for line in reception[0])


@pytest.mark.sqlite_only
def test_a_past_days_hotspots_are_read_from_the_delegation_visits_alone(register) -> None:  # type: ignore[no-untyped-def]
    """The report judges a hotspot from the delegation visits near the case's own (report._hot_then),
    read from an index of the delegation visits alone (migration 0015), not from every visit of a span."""
    from tct import report, settings
    from tct.db import Driver, read_session

    with read_session(register) as session:
        cases = [case_id for case_id, in Driver(session).rows("SELECT DISTINCT case_id FROM visit WHERE delegation")]
    assert cases

    def work(session):  # type: ignore[no-untyped-def]
        report._hot_then(Driver(session), cases, date(2021, 2, 23), settings.load(session))

    plans = _plans(register, work)
    near = [lines for statement, lines in plans if "visit.delegation AND NOT visit.void" in statement]
    assert near and all(any("ix_visit_delegation_date (visit_date>? AND visit_date<?)" in line for line in lines)
                        for lines in near)
    assert _visit_scans(plans) == [] and _scans(plans, "cases") == []


def test_a_plain_reading_reports_what_a_session_reports(register, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`tct report`, `tct alerts` and `tct visit list` read a plain SQLite register with the sqlite3 module alone
    (tct.db.plain_reading) and anything else through SQLAlchemy: the same data either way,
    whatever the driver makes of dates, booleans and times."""
    from tct import alerts, cases, periods, report, rosters, settings, visits
    from tct.db import plain_reading, read_session, write_session

    with write_session(register) as session:  # every part of the report and the alerts has rows
        settings.set_value(session, "repeat.window_days", "90", actor="t")
        rosters.add(session, "Trần Thị Bình", start=date(2021, 2, 3), end=date(2021, 2, 9), shift="morning",
                    weekdays_only=True, actor="t")
        rosters.add(session, "Trần Thị Bình", start=date(2021, 2, 4), shift="custom", start_time="13:30",
                    end_time="15:00", role="backup", actor="t")
        cases.refer(session, "VV-2020-0003", to="Thanh tra tỉnh", on=date(2021, 2, 5), note=None,
                    settings=settings.load(session), actor="t")
        periods.add(session, "plan-tet-2021", start=date(2021, 1, 20), end=date(2021, 2, 25), title="Kế hoạch",
                    before_days=3, after_days=3, actor="t")

    def both(source):  # type: ignore[no-untyped-def]
        current = settings.load(source)
        built = [report.build(source, periods.resolve(source, name), current, made_at="-")
                 for name in ("tet-2021", "plan-tet-2021", "2020-11-01..2021-03-01")]
        listed = [visits.listing(source, wanted, settings=current, reveal=reveal) for reveal in (False, True)
                  for wanted in (visits.VisitFilter(search="nguyen van 1", limit=1000),
                                 visits.VisitFilter(period="tet-2021", officer="binh", delegation=False),
                                 visits.VisitFilter(case="VV-2020-0003", type="denunciation", include_void=True))]
        return (built, [alerts.morning(source, current, day) for day in (date(2020, 12, 1), date(2021, 2, 20))],
                listed)

    with read_session(register) as session:
        through_session = both(session)
    with plain_reading(db_path) as driver:
        plain = both(driver)
    assert plain == through_session
    reports, mornings, listed = plain
    # Every "Nguyễn Văn N" here came to denounce: a search by the name finds them only revealed.
    assert listed[0] == [] and all(listed[1:]) and not any(item["masked"] for item in listed[3])
    assert any(item["masked"] for item in listed[1]) and not any(item["masked"] for item in listed[4])
    assert reports[0]["reception"]["total"]["visits"] > 0 and reports[2]["backlog"] and reports[0]["referrals"]
    assert reports[0]["duty"]["days"] and reports[0]["duty"]["gaps"] and reports[1]["period"]["phases"]
    assert mornings[1]["deadlines"] and mornings[1]["repeat_citizens"] and mornings[1]["flagged"]


@pytest.mark.sqlite_only
def test_alerts_reach_visits_and_cases_through_indexes(register) -> None:  # type: ignore[no-untyped-def]
    from tct import alerts, settings

    plans = _plans(register, lambda session: alerts.morning(session, settings.load(session), date(2021, 2, 20)))
    assert _visit_scans(plans) == []
    assert _scans(plans, "cases") == [] and _scans(plans, "case_flag") == [] and _scans(plans, "citizen") == []
    # open cases through (status, opened_on) and (status, deadline); flags asked per open case
    flagged, due = [lines for statement, lines in plans if statement.lstrip().startswith("SELECT cases.id")]
    assert any("ix_cases_status_opened (status=? AND opened_on<?)" in line for line in flagged)
    assert any("ix_case_flag_case_kind (case_id=?" in line for line in flagged)
    assert any("ix_cases_status_deadline (status=? AND deadline>? AND deadline<?)" in line for line in due)
    # one statement per list, whatever the number of cases, repeat visitors or flags
    assert len(plans) <= 12


def test_a_read_command_sets_aside_only_for_itself_what_the_collector_skips(tct) -> None:  # type: ignore[no-untyped-def]
    """A command that only reads freezes the process's objects while it reads (gc.freeze), and
    gives back what it froze, never what the program running it had frozen."""
    import gc

    assert tct("visit", "list").exit_code == 0
    assert gc.get_freeze_count() == 0
    mine = [[n] for n in range(1000)]
    gc.freeze()
    try:
        assert gc.get_freeze_count() >= len(mine)
        assert tct("visit", "list").exit_code == 0
        assert gc.get_freeze_count() >= len(mine)  # (unfreezing would have given them all back: 0)
    finally:
        gc.unfreeze()


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("wanted", "parts", "sorts"), [
    ({}, 2, False), ({"type": "complaint"}, 2, False), ({"search": "a"}, 2, False), ({"status": "closed"}, 2, False),
    # the open cases (the only ones with a deadline) are sorted, through (status, deadline): never the register
    ({"status": "open"}, 2, True), ({"overdue": True}, 1, True), ({"due_within": 30}, 1, True),
])
def test_case_list_reads_a_page_in_order_not_every_case_sorted(register, wanted, parts, sorts) -> None:  # type: ignore[no-untyped-def]
    """`tct case list` is most urgent first: the cases with a deadline by deadline, then the others
    by id, each read in that order from ix_cases_deadline and cut at the page; a filter on the open
    cases sorts those alone. Never every case of the register read and sorted for a page."""
    from tct import cases, settings

    def work(session):  # type: ignore[no-untyped-def]
        shown = cases.listing(session, cases.CaseFilter(limit=1000, **wanted), settings=settings.load(session))
        assert len(shown) < 1000  # (so the page needs both parts: the cases with a deadline, then the others)

    plans = [(statement, lines) for statement, lines in _plans(register, work) if "FROM cases" in statement
             and ("ORDER BY cases.deadline" in statement or "ORDER BY cases.id" in statement)]
    assert len(plans) == parts
    assert _scans(plans, "cases") == []
    for statement, lines in plans:
        assert sorts or not any("TEMP B-TREE" in line for line in lines), (statement, lines)
        assert any("ix_cases_deadline" in line or "ix_cases_status_deadline" in line for line in lines), lines


@pytest.mark.sqlite_only
def test_visit_add_reaches_flags_and_visits_through_its_case_and_locality(register) -> None:  # type: ignore[no-untyped-def]
    """`visit add` recomputes the flags of its case and the hotspots of its locality: the locality's
    cases lead to their visits and flags, never every hotspot flag of the register (which grows
    with it: ix_case_flag_kind would hand over all of them)."""
    from tct import flags, settings, visits

    def work(session):  # type: ignore[no-untyped-def]
        for n in range(3):  # delegations of three cases in one locality within days: a hotspot
            added = visits.add(session, visits.VisitInput(
                citizen=f"Lê Văn {n}", type="complaint", field="land", at=f"0{n + 1}/03/2021 09:00",
                officer="binh", people=7, locality="Xã 1", content="Đông người"), settings=settings.load(session),
                actor="t")
        assert "hotspot" in flags.active_kinds(session, added.case.id)

    plans = _plans(register, work)
    hotspots = [lines for statement, lines in plans if "locality_folded = ?" in statement]
    assert hotspots and not any("ix_case_flag_kind" in line for lines in hotspots for line in lines)
    assert _visit_scans(plans) == []
    assert _scans(plans, "case_flag") == [] and _scans(plans, "cases") == []


@pytest.mark.sqlite_only
def test_search_walks_visits_newest_first_and_stops_at_the_limit(register) -> None:  # type: ignore[no-untyped-def]
    from tct import settings, visits

    def work(session):  # type: ignore[no-untyped-def]
        for reveal in (True, False):  # (every citizen here denounced: found by name only revealed)
            found = visits.listing(session, visits.VisitFilter(search="nguyen van", limit=10),
                                   settings=settings.load(session), reveal=reveal)
            assert len(found) == (10 if reveal else 0)

    plans = _plans(register, work)
    search = [lines for statement, lines in plans if "search_folded LIKE" in statement]
    assert len(search) == 2
    for lines in search:
        # An infix LIKE can use no B-tree index: the scan is in visited_at order, so it ends after
        # `limit` matches, and nothing sorts every match; whether a match's citizen denounced is
        # asked through their visits (ix_visit_citizen_id), not by reading every visit.
        assert any(re.match(r"SCAN visit USING INDEX ix_visit_visited_at\b", line) for line in lines)
        assert not any("TEMP B-TREE" in line for line in lines)
        assert [line for line in lines if line.startswith("SCAN")] == ["SCAN visit USING INDEX ix_visit_visited_at"]


@pytest.mark.sqlite_only
def test_citizen_search_tests_names_and_addresses_on_an_index_in_name_order(register) -> None:  # type: ignore[no-untyped-def]
    from tct import citizens

    def work(session):  # type: ignore[no-untyped-def]
        for reveal in (True, False):
            citizens.listing(session, search="nguyen van", limit=10, reveal=reveal)
            citizens.listing(session, search="xa 3", limit=10, reveal=reveal)

    plans = _plans(register, work)
    search = [lines for statement, lines in plans if "name_folded LIKE" in statement]
    assert len(search) == 4
    for lines in search:
        # An infix LIKE of the name or the address is tested on the index that holds both (0010):
        # a citizen's row is read once it matches, not to test its address; the walk is in name
        # order, so it ends after `limit` matches.
        assert [line for line in lines if line.startswith("SCAN")] == [
            "SCAN citizen USING INDEX ix_citizen_name_address_folded"]


@pytest.mark.sqlite_only
def test_a_long_span_of_visits_is_listed_newest_first_without_sorting_it(register) -> None:  # type: ignore[no-untyped-def]
    from tct import settings, visits

    def work(session):  # type: ignore[no-untyped-def]
        found = visits.listing(session, visits.VisitFilter(since="01/11/2020", until="28/02/2021", limit=10),
                               settings=settings.load(session))
        assert len(found) == 10 and found[0]["visited_at"] > found[-1]["visited_at"]

    plans = _plans(register, work)
    listed = [lines for statement, lines in plans if "visit.visit_date >=" in statement]
    assert len(listed) == 1
    # Years of visits are not sorted to show the newest ten: the index of visited_at gives the order.
    assert any(re.match(r"SEARCH visit USING INDEX ix_visit_visited_at\b", line) for line in listed[0])
    assert not any("TEMP B-TREE" in line for line in listed[0])


@pytest.mark.sqlite_only
def test_an_officers_visits_are_listed_newest_first_without_sorting_them(register) -> None:  # type: ignore[no-untyped-def]
    from tct import settings, visits

    def work(session):  # type: ignore[no-untyped-def]
        found = visits.listing(session, visits.VisitFilter(officer="Trần Thị Bình", limit=10),
                               settings=settings.load(session))
        assert len(found) == 10 and found[0]["visited_at"] > found[-1]["visited_at"]

    plans = _plans(register, work)
    listed = [lines for statement, lines in plans if "visit.officer_id = " in statement]
    assert len(listed) == 1
    # A busy desk's years of visits are not sorted to show the newest ten (1 s at 1,000,000 visits).
    assert any(re.match(r"SEARCH visit USING INDEX ix_visit_officer_at \(officer_id=\?\)", line) for line in listed[0])
    assert not any("TEMP B-TREE" in line for line in listed[0])


def _seed(target: Path, visits: int) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(Path(__file__).parent.parent / "bench" / "seed.py"), "--visits",
                           str(visits), "--db", str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_the_benchmarks_seed_makes_a_sound_register_the_same_every_time(tmp_path: Path, tct) -> None:  # type: ignore[no-untyped-def]
    """bench/seed.py fills the registers bench/run.py times (through the library's bulk path, so a
    change to the library can break it): what it makes passes `db check`, holds the fixed period's
    visits, and the same seed gives the same register."""
    import sqlite3

    first, second = tmp_path / "first.db", tmp_path / "second.db"
    _seed(first, 4000)  # (the fixed period's 1,000 visits come from 4,000 up)
    _seed(second, 4000)
    check = tct("--db", str(first), "db", "check", "-f", "json", db=False)
    assert check.exit_code == 0 and check.json()["ok"] is True, check.stdout
    report = tct("--db", str(first), "report", "tet-2023", "-f", "json", db=False)
    assert report.exit_code == 0 and report.json()["reception"]["total"]["visits"] >= 1000
    rows = "SELECT code, visit_date, case_id, citizen_id, people, type, handling FROM visit ORDER BY id"
    cases = "SELECT code, type, status, opened_on, deadline, status_changed_on FROM cases ORDER BY id"
    with sqlite3.connect(first) as one, sqlite3.connect(second) as two:
        for statement in (rows, cases):
            assert one.execute(statement).fetchall() == two.execute(statement).fetchall()
