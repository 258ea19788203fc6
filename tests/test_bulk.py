"""Bulk-loading visits from a spreadsheet: the same checks as `visit add`, all rows or none."""

import io

import pytest

from conftest import assert_one_line_error
from tct import bulk, officers, settings
from tct.db import table_counts, write_session

HEADER = "citizen,id_number,type,field,at,officer,people,representatives,case_ref,locality,handling,kind,escalated\n"


@pytest.fixture
def register(database):
    with write_session(database) as session:
        officers.add(session, "Trần Thị Bình", actor="t")
    return database


def _load(database, text, **options):
    with write_session(database) as session:
        return bulk.load(session, io.StringIO(text), settings=settings.load(session), actor="t", **options)


def _counts(database):
    with write_session(database) as session:
        return table_counts(session)


def test_rows_become_visits_cases_and_flags(register, tct):
    text = HEADER + (
        "Nguyễn Văn Hùng,091078001234,khiếu nại,land,03/02/2021 08:00,binh,1,,bts,Xã A,,,\n"
        "Đoàn xã A,,complaint,land,05/02/2021 09:00,binh,8,Đại diện 1,,Xã A,accepted,,\n"
        "nguyen van hung,091078001234,,,10/02/2021 10:00,binh,,,bts,,answered,leader,yes\n"
        "Lê Thị B,,to-cao,administration,2021-02-11 14:30,binh,1,,,,,,\n"
    )
    summary = _load(register, text)
    assert summary.visits == ["TCD-2021-0001", "TCD-2021-0002", "TCD-2021-0003", "TCD-2021-0004"]
    assert summary.new_cases == 3
    first, _, third, _ = (tct("visit", "show", code, "-f", "json").json() for code in summary.visits)
    assert third["case"] == first["case"] and third["citizen_id"] == first["citizen_id"]
    assert (third["type"], third["field"], third["kind"], third["escalated"]) == ("complaint", "land", "leader", True)
    assert tct("case", "show", first["case"], "-f", "json").json()["flags"] == ["escalated"]
    crowd = tct("case", "list", "--flag", "crowd", "-f", "json").json()
    assert [c["code"] for c in crowd] == ["VV-2021-0002"]
    events = [e for e in tct("log", "-f", "json").json() if e["action"] == "import"]
    assert len(events) == 1 and events[0]["changes"]["after"]["visits"] == 4
    assert tct("db", "check").exit_code == 0


def test_one_bad_row_imports_nothing_and_every_bad_line_is_named(register):
    before = _counts(register)
    text = HEADER + (
        "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,,\n"
        "B,,complaint,astrology,03/02/2021 08:00,binh,1,,,,,,\n"
        "C,,complaint,land,31/02/2021 08:00,binh,1,,,,,,\n"
        "D,12345,complaint,land,03/02/2021 08:00,binh,1,,,,,,\n"
        "E,,complaint,land,03/02/2021 08:00,nobody,1,,,,,,\n"
        "F,,complaint,land,03/02/2021 08:00,binh,many,,,,,,\n"
    )
    with pytest.raises(bulk.VisitsRejected) as rejected:
        _load(register, text)
    assert [line for line, _ in rejected.value.problems] == [3, 4, 5, 6, 7]
    assert rejected.value.problems[0][1].startswith("field 'astrology' is not one of: land, housing, policy")
    assert _counts(register) == before


def test_check_mode_validates_without_writing(register):
    before = _counts(register)
    with write_session(register) as session:
        summary = bulk.load(session, io.StringIO(HEADER + "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,,\n"),
                            settings=settings.load(session), actor="t", check=True)
        session.rollback()
    assert summary.rows == 1
    assert _counts(register) == before


def test_header_problems(register):
    with pytest.raises(bulk.ValidationError, match="unknown column"):
        _load(register, "citizen,colour\nA,red\n")
    with pytest.raises(bulk.ValidationError, match="empty"):
        _load(register, "")
    with pytest.raises(bulk.ValidationError, match="no rows"):
        _load(register, HEADER)


def test_codes_continue_after_visits_added_at_the_desk(register, tct):
    assert tct("visit", "add", "--citizen", "X", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", "01/02/2021 08:00").exit_code == 0
    summary = _load(register, HEADER + "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,,\n"
                                       "B,,complaint,land,04/01/2020 08:00,binh,1,,,,,,\n")
    assert summary.visits == ["TCD-2021-0002", "TCD-2020-0001"]
    assert tct("db", "check").exit_code == 0


def test_cli_import_visits_reports_bad_lines_and_checks(tct, tmp_path):
    tct("officer", "add", "Trần Thị Bình")
    good = tmp_path / "visits.csv"
    good.write_text(HEADER + "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,,\n", encoding="utf-8")
    checked = tct("import", "--visits", str(good), "--check")
    assert checked.exit_code == 0 and "nothing was written" in checked.stderr
    assert tct("visit", "list", "-f", "json").json() == []
    done = tct("import", "--visits", str(good), "-f", "json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["first"] == "TCD-2021-0001"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "B,,complaint,land,03/02/2021 08:00,binh,1,,,,,,\nC,,,land,xx,binh,1,,,,,,\n",
                   encoding="utf-8")
    run = tct("import", "--visits", str(bad))
    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1].startswith("Error: 1 bad row of 2")
    assert "3 " in run.stderr  # the bad row's line number is listed
    assert len(tct("visit", "list", "-f", "json").json()) == 1
    assert tct("import").exit_code == 2


def test_ctrl_c_while_an_import_writes_is_said_as_an_interruption_and_writes_nothing(tct, tmp_path, monkeypatch):
    """Ctrl-C inside a statement of the import: exit 130 and "interrupted", as anywhere else, not a
    database error (exit 3) about a transaction to roll back; the register as it was."""
    from tct import db as store

    tct("officer", "add", "Trần Thị Bình")
    before = tct("db", "info", "-f", "json").json()["tables"]
    visits = tmp_path / "visits.csv"
    visits.write_text(HEADER + "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,,\n", encoding="utf-8")

    def interrupted(self, _statement, _rows):  # type: ignore[no-untyped-def]
        self.connection.invalidate()  # (what SQLAlchemy does to a connection a KeyboardInterrupt went through)
        raise KeyboardInterrupt

    monkeypatch.setattr(store.Driver, "many", interrupted)
    assert_one_line_error(tct("import", "--visits", str(visits)), 130, "interrupted")
    monkeypatch.undo()
    assert tct("db", "info", "-f", "json").json()["tables"] == before


def test_ctrl_c_while_an_import_commits_is_too_late_and_the_import_is_said_done(tct, tmp_path, monkeypatch):
    """A Ctrl-C that arrives while SQLite commits the import surfaces only once the commit is over:
    the visits are saved, so the command must not say "interrupted" (run again, it would add them
    twice). It says what it imported, exit 0."""
    import os
    import signal
    import sqlite3

    class _CtrlCWhileCommitting(sqlite3.Connection):
        def commit(self) -> None:
            super().commit()
            if self.total_changes >= 3:  # (the import's transaction; not opening the register)
                os.kill(os.getpid(), signal.SIGINT)  # (as it surfaces after a signal during the commit)

    tct("officer", "add", "Trần Thị Bình")
    visits = tmp_path / "visits.csv"
    visits.write_text(HEADER + "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,,\n"
                               "B,,complaint,land,04/02/2021 08:00,binh,1,,,,,,\n", encoding="utf-8")
    connect = sqlite3.connect
    for module in (sqlite3, sqlite3.dbapi2):  # (SQLAlchemy connects through sqlite3.dbapi2)
        monkeypatch.setattr(module, "connect", lambda *args, **kwargs: connect(*args, factory=_CtrlCWhileCommitting,
                                                                                **kwargs))
    run = tct("import", "--visits", str(visits))
    monkeypatch.undo()
    assert run.exit_code == 0, (run.exit_code, run.stderr)
    assert "2 visit(s) imported" in run.stderr and "interrupted" not in run.stderr
    assert len(tct("visit", "list", "-f", "json").json()) == 2


def test_a_bad_rows_problem_names_the_files_column_not_the_desks_option(tct, tmp_path):
    """The person fixing a CSV looks for its columns: `at`, `id_number`, `people`, not `--at`."""
    tct("officer", "add", "Trần Thị Bình")
    bad = tmp_path / "bad.csv"
    bad.write_text("citizen,id_number,type,field,at,officer,people,representatives\n"
                   ",,complaint,land,03/02/2021 08:00,binh,1,\n"
                   "B,12x,complaint,land,03/02/2021 08:00,binh,1,\n"
                   "C,,,,03/02/2021 08:00,binh,1,\n"
                   "D,,complaint,land,31/02/2021,binh,1,\n"
                   "E,,complaint,land,03/02/2021,binh,900,\n"
                   "F,,complaint,land,03/02/2021,binh,1,\n", encoding="utf-8")
    run = tct("import", "--visits", str(bad), "-f", "json")
    assert run.exit_code == 1
    said = " ".join(run.stderr.split())
    for expected in ("citizen is required", "id_number '12x' is not a citizen ID", "missing type, field",
                     "at: '31/02/2021' is not a real date", "people must be between 1 and"):
        assert expected in said, expected
    assert "--" not in said.replace("--visits", "")
    vietnamese = " ".join(tct("import", "--visits", str(bad), env={"TCT_LANG": "vi"}).stderr.split())
    assert "cần nhập citizen" in vietnamese and "thiếu type, field" in vietnamese
    visit = tct("visit", "add", "--citizen", "G", "--type", "complaint", "--field", "land", "--officer", "binh",
                "--at", "03/02/2021", "--id-number", "12x")
    assert "--id-number '12x'" in visit.stderr  # (the desk's own words at the desk)


def test_example_holiday_loads(tct, tmp_path, monkeypatch):
    """The example data a new user runs (`make demo`) is valid: it imports without a bad row."""
    from pathlib import Path

    example = Path(__file__).parent.parent / "examples" / "tet-2021"
    for name in ("Nguyễn Văn Đức", "Trần Thị Bình", "Lê Minh Tuấn", "Phạm Thị Hồng Nhung", "Võ Quốc Huy"):
        tct("officer", "add", name)
    assert tct("roster", "import", str(example / "roster.csv")).exit_code == 0
    run = tct("import", "--visits", str(example / "visits.csv"), "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["visits"] == 34
    report = tct("report", "tet-2021", "-f", "json").json()
    assert report["duty"]["gaps"] == [{"date": "2021-02-13", "shifts": ["morning", "afternoon"]}]
    assert report["reception"]["total"]["delegations"] >= 5


def test_fold_of_joined_parts_is_the_join_of_their_folds():
    """The reader folds a visit's search key from the folds of its parts (bulk.Reader.fold_joined)."""
    from hypothesis import given
    from hypothesis import strategies as st

    from tct.text import fold

    alphabet = st.sampled_from(list("aAđĐeêếỆ iIyY\t\n\u00a0\u0301\u0323\u0300ßΣσςİ̇ﬁ  \u3000xZ0-,"))
    text = st.text(alphabet, max_size=12) | st.text(max_size=12)

    @given(st.lists(st.none() | text, max_size=4))
    def check(parts):
        writer = bulk.Reader.__new__(bulk.Reader)
        writer.folded = bulk._Folds()
        assert writer.fold_joined(*parts) == fold(" ".join(part for part in parts if part))

    check()


def test_flag_changes_are_written_as_audit_record_writes_them(register):
    """refresh_many writes flag events itself; their changes must read as audit.record's."""
    import json

    from tct import audit
    from tct.flags import _Changes

    class Rows:
        def stamp(self, moment):
            return moment

    changes = _Changes(Rows(), "t")
    event = changes._event("VV-2021-0001", "flag", "crowd", reason="r")
    with write_session(register) as session:
        recorded = audit.record(session, actor="t", entity="case", code="VV-2021-0001", action="flag",
                                after={"flag": "crowd", "source": "auto"}, reason="r")
        assert event[1:] == (recorded.actor, recorded.entity, recorded.code, recorded.action, recorded.changes,
                             recorded.reason)
        unflag = changes._event("VV-2021-0001", "unflag", "crowd", reason="gone")
        again = audit.record(session, actor="t", entity="case", code="VV-2021-0001", action="unflag",
                             before={"flag": "crowd"}, reason="gone")
        assert json.loads(unflag[5]) == json.loads(again.changes) and unflag[5] == again.changes
        session.rollback()


def test_a_session_reads_the_flags_refresh_many_wrote_past_it(register, tct):
    """refresh_many writes plain rows: a caller holding a case's flags as objects of the same
    session sees them as written, not as loaded before."""
    from tct import flags
    from tct.settings import Settings

    _load(register, HEADER + "".join(f"Lan,,petition,policy,{day}/03/2021 08:00,binh,1,,r,,,,\n"
                                     for day in ("01", "15", "31")))
    code = tct("case", "list", "-f", "json").json()[0]["code"]
    with write_session(register) as session:
        from tct import cases

        case_id = cases.get(session, code).id
        held = flags.flags_of(session, case_id)
        assert [(f.kind, f.cleared_at) for f in held] == [("repeat", None)]
        settings = Settings({"repeat.window_days": 20})
        flags.refresh_many(session, [case_id], settings, actor="t", delegation_days=None)
        assert held[0].cleared_at is not None and held[0].cleared_by == flags.SYSTEM
        assert [f.cleared_at is not None for f in flags.flags_of(session, case_id)] == [True]


def test_import_sets_repeat_and_hotspot_and_respects_a_flag_cleared_by_hand(register, tct):
    """The set-based refresh of an import follows the rules of `visit add` (flags.py)."""
    text = HEADER + (
        "Đoàn 1,,complaint,land,01/02/2021 08:00,binh,10,A,d1,Xã Vĩnh Hòa,,,\n"
        "Đoàn 2,,complaint,land,20/02/2021 08:00,binh,6,A,d2,xa vinh hoa,,,\n"
        "Đoàn 0,,complaint,land,01/11/2020 08:00,binh,6,A,d0,Xã Vĩnh Hòa,,,\n"
        "Lan,,petition,policy,01/03/2021 08:00,binh,1,,r,,,,\n"
        "Lan,,,,15/03/2021 08:00,binh,1,,r,,,,\n"
        "Lan,,,,31/03/2021 08:00,binh,1,,r,,,,\n"
    )
    _load(register, text)
    flags = {c["code"]: c["flags"] for c in tct("case", "list", "-f", "json").json()}
    assert flags == {"VV-2021-0001": ["crowd", "hotspot"], "VV-2021-0002": ["crowd", "hotspot"],
                     "VV-2020-0001": ["crowd"], "VV-2021-0003": ["repeat"]}
    events = [(e["code"], e["action"], e["changes"]["after"].get("flag")) for e in tct("log", "-f", "json").json()
              if e["entity"] == "case" and e["action"] == "flag"]
    assert events == [("VV-2021-0001", "flag", "crowd"), ("VV-2021-0002", "flag", "crowd"),
                      ("VV-2020-0001", "flag", "crowd"), ("VV-2021-0003", "flag", "repeat"),
                      ("VV-2021-0001", "flag", "hotspot"), ("VV-2021-0002", "flag", "hotspot")]
    assert tct("case", "unflag", "VV-2020-0001", "--crowd", "--reason", "đã đối thoại").exit_code == 0
    again = "citizen,type,field,at,officer,case,people,representatives\n"
    _load(register, again + "Đoàn 0,complaint,land,02/11/2020 08:00,binh,VV-2020-0001,1,\n")
    assert tct("case", "show", "VV-2020-0001", "-f", "json").json()["flags"] == []  # no new delegation visit
    _load(register, again + "Đoàn 0,,,03/11/2020 08:00,binh,vv-2020-0001,7,A\n")
    assert tct("case", "show", "VV-2020-0001", "-f", "json").json()["flags"] == ["crowd", "repeat"]
    events = [(e["code"], e["action"]) for e in tct("log", "-f", "json").json() if e["entity"] == "case"]
    assert events.count(("VV-2020-0001", "flag")) == 3 and ("VV-2020-0001", "unflag") in events


def test_the_import_names_its_codes_year_by_year(tct, tmp_path):
    tct("officer", "add", "Trần Thị Bình")
    rows = tmp_path / "visits.csv"
    rows.write_text(HEADER + "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,,\n"
                             "B,,complaint,land,04/01/2020 08:00,binh,1,,,,,,\n"
                             "C,,complaint,land,05/02/2021 08:00,binh,1,,,,,,\n", encoding="utf-8")
    run = tct("import", "--visits", str(rows))
    assert run.exit_code == 0, run.stderr
    assert run.stderr.strip().endswith(": TCD-2020-0001, TCD-2021-0001 to TCD-2021-0002"), run.stderr


def test_a_header_separated_by_semicolons_or_naming_a_column_twice_is_refused_clearly(tct, tmp_path):
    tct("officer", "add", "Trần Thị Bình")
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text("citizen;type;field;at;officer\nA;complaint;land;03/02/2021 08:00;binh\n", encoding="utf-8")
    assert_one_line_error(tct("import", "--visits", str(semicolons)), 1, "separated by ';'", "CSV UTF-8")
    twice = tmp_path / "twice.csv"
    twice.write_text("citizen,type,field,at,officer,citizen\nA,complaint,land,03/02/2021 08:00,binh,B\n",
                     encoding="utf-8")
    assert_one_line_error(tct("import", "--visits", str(twice)), 1, "citizen more than once")
    assert tct("visit", "list", "-f", "json").json() == []


def test_an_imported_visit_to_a_denunciation_case_is_not_found_by_its_citizen_s_name(register, tct):
    """As at the desk (visits.search_key): whoever comes on a denunciation case is a denouncer."""
    secret = tct("visit", "add", "--citizen", "Lý Văn Kín", "--type", "denunciation", "--field", "land",
                 "--officer", "binh", "--at", "02/02/2021 08:00", "-f", "json").json()
    _load(register, "citizen,type,field,at,officer,case\n"
                    f"Đào Thị Chứng,complaint,land,03/02/2021 08:00,binh,{secret['case']}\n")
    listed = tct("visit", "list", "-f", "json").json()
    assert [v["case"] for v in listed] == [secret["case"], secret["case"]]
    assert tct("visit", "list", "--search", "dao thi chung", "-f", "json").json() == []


VISIT_COLUMNS = ", ".join(bulk.COLUMNS)


@pytest.mark.parametrize(("content", "vietnamese", "english"), [
    ("", "tệp trống; tệp cần có dòng tiêu đề ghi tên các cột",
     "the file is empty; it needs a header row naming the columns"),
    ("citizen;type;field;at\nA;complaint;land;03/02/2021 08:00\n",
     f"cột không xác định: citizen;type;field;at; các cột hợp lệ là {VISIT_COLUMNS}; dòng tiêu đề phân cách bằng "
     "';': hãy lưu bảng tính dưới dạng CSV UTF-8 (phân cách bằng dấu phẩy)",
     f"unknown column(s) citizen;type;field;at; the columns are {VISIT_COLUMNS}; the header is separated by ';': "
     "save the spreadsheet as CSV UTF-8 (comma-separated)"),
    ("citizen,tên,at\nA,B,03/02/2021 08:00\n", f"cột không xác định: tên; các cột hợp lệ là {VISIT_COLUMNS}",
     f"unknown column(s) tên; the columns are {VISIT_COLUMNS}"),
    ("citizen,type,at,citizen\n", "dòng tiêu đề ghi cột citizen hơn một lần",
     "the header names the column(s) citizen more than once"),
    ("type,field,at\ncomplaint,land,03/02/2021 08:00\n", "dòng tiêu đề không có cột `citizen` (công dân)",
     "the header has no `citizen` column"),
    ("citizen,type,field,at\n", "tệp chỉ có dòng tiêu đề, không có dòng dữ liệu", "the file has a header but no rows"),
    ("citizen,at\nA," + "x" * 140_000 + "\n", "dòng 2: field larger than field limit (131072); chưa nhập gì",
     "line 2: field larger than field limit (131072); nothing was imported"),
])
def test_a_visits_files_errors_are_said_in_vietnamese(tct, tmp_path, content, vietnamese, english):
    tct("officer", "add", "Trần Thị Bình")
    path = tmp_path / "visits.csv"
    path.write_text(content, encoding="utf-8")
    run = tct("--lang", "vi", "import", "--visits", str(path))
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Lỗi: {vietnamese}"], run.stderr
    run = tct("import", "--visits", str(path))
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Error: {english}"], run.stderr
    assert tct("visit", "list", "-f", "json").json() == []


def test_a_visits_files_bad_rows_are_said_in_vietnamese(tct, tmp_path, monkeypatch):
    tct("officer", "add", "Trần Thị Bình")
    monkeypatch.setattr(bulk, "MAX_PROBLEMS_SHOWN", 4)
    path = tmp_path / "visits.csv"
    path.write_text(HEADER + "\n".join([
        "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,,maybe",
        "B,,complaint,land,03/02/2021 08:00,binh,ba,,,,,,",
        "C,,complaint,land,,binh,1,,,,,,",
        "D,,complaint,land,03/02/2021 08:00,binh,1,,,,,,,extra",
        "E,,complaint,land,03/02/2021 08:00,binh,0,,,,,,",
        "F,,complaint,land,03/02/2021 08:00,binh,0,,,,,,",
    ]) + "\n", encoding="utf-8")

    def lines(*args):
        run = tct(*args, "import", "--visits", str(path))
        assert run.exit_code == 1
        return [" ".join(line.split()) for line in run.stderr.splitlines()]

    assert lines("--lang", "vi") == [
        "dòng lỗi",
        "2 escalated 'maybe' không phải yes/no (có/không)",
        "3 people 'ba' không phải số nguyên",
        "4 `at` (thời điểm tiếp) đang để trống",
        "5 14 ô, trong khi dòng tiêu đề có 13 cột",
        "…và 2 dòng lỗi khác",
        "Lỗi: 6/6 dòng lỗi; chưa nhập gì"]
    assert lines() == [
        "line problem",
        "2 escalated 'maybe' is not yes or no",
        "3 people 'ba' is not a whole number",
        "4 `at` (when the visit happened) is empty",
        "5 14 cells, the header has 13",
        "…and 2 more bad rows",
        "Error: 6 bad rows of 6; nothing was imported"]
    monkeypatch.setattr(bulk, "MAX_PROBLEMS_SHOWN", 5)
    assert lines("--lang", "vi")[-2:] == ["…và 1 dòng lỗi khác", "Lỗi: 6/6 dòng lỗi; chưa nhập gì"]
    assert lines()[-2] == "…and 1 more bad row"


def _flag_state(database):
    """Every case's flags (kind, set by, still standing) and the flag events, as sets to compare."""
    from tct.db import Driver

    with write_session(database) as session:
        db = Driver(session)
        flags = sorted(db.rows("SELECT cases.code, case_flag.kind, case_flag.source, case_flag.cleared_at IS NULL "
                               "FROM case_flag JOIN cases ON cases.id = case_flag.case_id"))
        events = sorted(db.rows("SELECT code, action, changes, reason FROM audit_event "
                                "WHERE entity = 'case' AND action IN ('flag', 'unflag')"))
    return [tuple(row[:3]) + (bool(row[3]),) for row in flags], [tuple(row) for row in events]


def test_an_imports_hotspots_are_those_of_its_visits_added_one_by_one(register, tmp_path):
    """The import recomputes hotspots only around the days of the delegation visits it adds (a
    large register's history is not read again): its flags and events must still be what `visit
    add` row by row gives, which recomputes each locality's whole history. Over 20 localities, so
    the import reads the visits of every locality at once."""
    from tct import flags, visits
    from tct.db import open_database

    def crowd(who, locality, at, case=""):
        return f"{who},,complaint,land,{at},binh,6,A,{case},{locality},,,\n"

    # a hotspot in each of 23 localities, long before the import
    history = HEADER + "".join(
        crowd(f"Đoàn {n}a", f"Xã {n}", f"0{1 + n % 9}/03/2020 08:00")
        + crowd(f"Đoàn {n}b", f"Xã {n}", "20/03/2020 08:00") for n in range(1, 24))
    history += crowd("Đoàn lẻ", "Xã 24", "20/12/2020 08:00")  # alone, until a case of the import joins it
    history += crowd("Đoàn lẻ 2", "Xã 25", "15/12/2020 08:00")
    history += "Lan,,petition,policy,01/12/2020 08:00,binh,1,,,Xã 1,,,\n"
    added = ("citizen,type,field,at,officer,people,representatives,locality,case\n"
             "Đoàn mới,complaint,land,05/01/2021 08:00,binh,7,A,Xã 24,\n"  # with VV-2020 of Xã 24: a hotspot
             "Đoàn 1a,,,02/01/2021 08:00,binh,6,A,,VV-2020-0001\n"  # far from its locality's other crowd case
             "Đoàn 2a,,,03/01/2021 08:00,binh,1,,,VV-2020-0003\n"  # no delegation: nothing changes
             "Đoàn xa,complaint,land,30/06/2021 08:00,binh,6,A,Xã 25,\n"  # too far from Xã 25's case
             "Đoàn x,complaint,land,01/07/2021 08:00,binh,8,A,Xã 26,\n"
             "Đoàn y,complaint,land,09/07/2021 08:00,binh,5,A,xa 26,\n")
    one_by_one = open_database(str(tmp_path / "one-by-one.db"))
    try:
        for database in (register, one_by_one):
            if database is one_by_one:
                with write_session(database) as session:
                    officers.add(session, "Trần Thị Bình", actor="t")
            _load(database, history)
            with write_session(database) as session:
                flags.unflag(session, "VV-2020-0001", "hotspot", reason="đã đối thoại",
                             settings=settings.load(session), actor="t")
        assert _flag_state(register) == _flag_state(one_by_one)
        _load(register, added)
        with write_session(one_by_one) as session:
            current = settings.load(session)
            for _, row in bulk.read_rows(io.StringIO(added)):
                visits.add(session, bulk._typed(row), settings=current, actor="t")
        imported = _flag_state(register)
        assert imported == _flag_state(one_by_one)
        hot = {code for code, kind, _, standing in imported[0] if kind == "hotspot" and standing}
        assert {"VV-2020-0047", "VV-2021-0001", "VV-2021-0003", "VV-2021-0004"} <= hot
        assert not {"VV-2020-0001", "VV-2020-0048", "VV-2021-0002"} & hot
        # Entered late, in the window of the hotspot cleared by hand: a new visit calls for it again.
        late = "citizen,at,officer,people,representatives,case\nĐoàn 1a,10/03/2020 08:00,binh,6,A,VV-2020-0001\n"
        _load(register, late)
        with write_session(one_by_one) as session:
            for _, row in bulk.read_rows(io.StringIO(late)):
                visits.add(session, bulk._typed(row), settings=settings.load(session), actor="t")
        imported = _flag_state(register)
        assert imported == _flag_state(one_by_one)
        assert ("VV-2020-0001", "hotspot", "auto", True) in imported[0]
    finally:
        one_by_one.dispose()


@pytest.mark.parametrize(("key", "value", "history", "hot_after_setting"), [
    # a narrower window: the pair 19 days apart is no hotspot any more
    ("hotspot.window_days", "10", ("01/03/2020", "20/03/2020"), []),
    # a wider one: the pair 50 days apart becomes one
    ("hotspot.window_days", "60", ("01/03/2020", "20/04/2020"), ["VV-2020-0001", "VV-2020-0002"]),
    # one crowd case is enough: each is its own hotspot
    ("hotspot.min_cases", "1", ("01/03/2020",), ["VV-2020-0001"]),
])
def test_a_new_hotspot_rule_is_applied_at_once_and_an_import_then_follows_it_as_visit_add_does(
        register, tmp_path, key, value, history, hot_after_setting):
    """`config set hotspot.*` judges every locality's hotspots again, so the register agrees with the
    rule in force; an import, which looks only around the days it adds, then gives what `visit add`
    row by row gives (which looks at the locality's whole history)."""
    from tct import visits
    from tct.db import open_database

    def crowd(who, at):
        return f"{who},,complaint,land,{at} 08:00,binh,6,A,,Xã A,,,\n"

    def hot(state):
        return sorted(code for code, kind, _, standing in state[0] if kind == "hotspot" and standing)

    old = HEADER + "".join(crowd(f"Đoàn {n}", day) for n, day in enumerate(history))
    added = HEADER + crowd("Đoàn mới", "01/03/2021")  # a year later: far from the history's windows
    one_by_one = open_database(str(tmp_path / "one-by-one.db"))
    try:
        with write_session(one_by_one) as session:
            officers.add(session, "Trần Thị Bình", actor="t")
        for database in (register, one_by_one):
            _load(database, old)
            with write_session(database) as session:
                settings.set_value(session, key, value, actor="t")
        assert hot(_flag_state(register)) == hot_after_setting
        _load(register, added)
        with write_session(one_by_one) as session:
            for _, row in bulk.read_rows(io.StringIO(added)):
                visits.add(session, bulk._typed(row), settings=settings.load(session), actor="t")
        assert _flag_state(register) == _flag_state(one_by_one)
    finally:
        one_by_one.dispose()


def test_a_row_naming_its_officer_at_a_time_nobody_is_rostered_warns_as_visit_add_does(tct, tmp_path):
    """A file's row that names its officer was not checked against the roster (visit add --officer
    warns): a visit on an uncovered holiday morning came in without a word."""
    tct("officer", "add", "Trần Thị Bình")
    assert tct("roster", "add", "binh", "--date", "10/02/2021", "--shift", "morning").exit_code == 0
    rows = tmp_path / "visits.csv"
    rows.write_text(HEADER + "A,,complaint,land,10/02/2021 08:00,binh,1,,,,,,\n"
                             "B,,complaint,land,14/02/2021 09:00,binh,1,,,,,,\n"
                             "C,,complaint,land,14/02/2021 10:00,,1,,,,,,\n", encoding="utf-8")
    run = tct("import", "--visits", str(rows), env={"TCT_OFFICER": "binh"})
    assert run.exit_code == 0, run.stderr
    warned = [line for line in run.stderr.splitlines() if "nobody is rostered" in line]
    assert warned == ["Warning: line 3: nobody is rostered on the desk at that time",
                      "Warning: line 4: nobody is rostered on the desk at that time"]


def test_a_row_back_about_its_case_under_the_same_name_is_that_citizen_as_at_the_desk(tct, tmp_path):
    """visit add --case under the name the case was opened with is that case's citizen; an imported
    row (`case`, or a later row of a `case_ref`) made a new citizen each time, so a citizen who came
    on three days was three citizens of one day each, and `tct alerts` never listed them."""
    tct("officer", "add", "Trần Thị Bình")
    first = tct("visit", "add", "--citizen", "Nguyễn Thị Bé", "--type", "petition", "--field", "other",
                "--officer", "binh", "--at", "03/02/2021 09:00", "-f", "json").json()
    rows = tmp_path / "visits.csv"
    rows.write_text("citizen,id_number,case,case_ref,type,field,at,officer\n"
                    f"nguyen thi be,,{first['case']},,,,09/02/2021 10:00,binh\n"
                    f"Nguyễn Thị Bé,,{first['case']},,,,15/02/2021 10:00,binh\n"
                    "Lê Văn Mới,,,m,complaint,land,04/02/2021 08:00,binh\n"
                    "Lê Văn Mới,,,m,,,08/02/2021 08:00,binh\n"
                    "Lê Văn Khác,,,m,,,10/02/2021 08:00,binh\n"
                    f"Nguyễn Thị Bé,079123456789,{first['case']},,,,16/02/2021 10:00,binh\n", encoding="utf-8")
    run = tct("import", "--visits", str(rows), "-f", "json")
    assert run.exit_code == 0, run.stderr
    event = [e for e in tct("log", "-f", "json").json() if e["action"] == "import"][-1]
    assert event["changes"]["after"]["new_citizens"] == 3  # Lê Văn Mới, Lê Văn Khác, the one with an ID number
    listed = {v["code"]: v["citizen_id"] for v in tct("visit", "list", "-f", "json").json()}
    assert listed["TCD-2021-0002"] == listed["TCD-2021-0003"] == first["citizen_id"]
    assert listed["TCD-2021-0004"] == listed["TCD-2021-0005"] != listed["TCD-2021-0006"]
    assert listed["TCD-2021-0007"] != first["citizen_id"]
    repeat = tct("alerts", "--on", "16/02/2021", "-f", "json").json()
    assert "Nguyễn Thị Bé" in str(repeat)


def test_a_row_in_the_future_or_without_an_officer_is_said_by_the_files_column(tct, tmp_path, monkeypatch):
    """Two problems of a row still named the desk's options: a moment too far ahead ('--at
    '24/02/2031 08:00' is in the future') and no officer ('missing --officer'),
    where the file has the columns `at` and `officer`."""
    monkeypatch.delenv("TCT_OFFICER", raising=False)
    tct("officer", "add", "Trần Thị Bình")
    bad = tmp_path / "bad.csv"
    bad.write_text("citizen,type,field,at,officer\n"
                   "A,complaint,land,24/02/2031 08:00,binh\n"
                   "B,complaint,land,03/02/2021 08:00,\n", encoding="utf-8")
    run = tct("import", "--visits", str(bad), env={"TCT_OFFICER": ""})
    assert run.exit_code == 1
    said = " ".join(run.stderr.split())
    assert "at '24/02/2031 08:00' is in the future" in said
    assert "missing officer (no single officer" in said
    assert "--" not in said.replace("--visits", "")
    vietnamese = " ".join(tct("import", "--visits", str(bad), env={"TCT_LANG": "vi", "TCT_OFFICER": ""}).stderr.split())
    assert "at '24/02/2031 08:00' là thời điểm trong tương lai" in vietnamese and "thiếu officer" in vietnamese
    at_the_desk = tct("visit", "add", "--citizen", "G", "--type", "complaint", "--field", "land", "--officer", "binh",
                      "--at", "24/02/2031 08:00")
    assert "--at '24/02/2031 08:00' is in the future" in at_the_desk.stderr


def test_a_large_file_imported_twice_says_the_first_warnings_of_a_kind_then_counts_the_rest(tct, tmp_path):
    """100,000 rows imported again gave 100,000 lines of the same warning: ten are said, then how
    many more rows have it; another kind of warning is still said."""
    from tct.bulk import WARNINGS_OF_A_KIND

    tct("officer", "add", "Trần Thị Bình")
    assert tct("roster", "add", "binh", "--date", "04/02/2021").exit_code == 0  # the day's hours
    rows = tmp_path / "visits.csv"
    many = WARNINGS_OF_A_KIND + 15
    rows.write_text("citizen,type,field,at,officer\n" + "".join(
        f"Công dân {n},complaint,land,04/02/2021 {8 + n // 60:02d}:{n % 60:02d},binh\n" for n in range(many)),
        encoding="utf-8")
    assert tct("import", "--visits", str(rows)).exit_code == 0
    with rows.open("a", encoding="utf-8") as more:
        more.write("Người đến khuya,complaint,land,04/02/2021 23:30,binh\n")  # nobody rostered then
    again = tct("import", "--visits", str(rows))
    assert again.exit_code == 0, again.stderr
    lines = again.stderr.splitlines()
    assert sum("already in the register" in line for line in lines) == WARNINGS_OF_A_KIND
    assert "Warning: …and 15 more row(s) warned as line 2 is" in lines
    assert any(f"line {many + 2}: nobody is rostered" in line for line in lines)
    assert len(tct("visit", "list", "--limit", "1000", "-f", "json").json()) == 2 * many + 1


def test_an_import_keeps_the_first_warnings_of_a_kind_and_counts_the_rest(register):
    """A file of 100,000 rows imported again held 100,000 warnings until the end (240 MB): the
    import keeps the ones it says and counts the others."""
    from tct.bulk import WARNINGS_OF_A_KIND

    text = HEADER + "".join(f"Công dân {n},,complaint,land,04/02/2021 {8 + n // 60:02d}:{n % 60:02d},binh,1,,,,,,\n"
                            for n in range(WARNINGS_OF_A_KIND + 25))
    _load(register, text)
    again = _load(register, text)
    assert len(again.warnings) == WARNINGS_OF_A_KIND
    assert [line for line, _ in again.warnings] == list(range(2, WARNINGS_OF_A_KIND + 2))
    assert [(count, first) for _, count, first in again.warnings_beyond()] == [(25, 2)]


def test_a_rows_time_without_its_day_is_refused_by_its_column(tct, tmp_path):
    """At the desk `--at 8h30` is today at 8:30; in a file, a column of times whose dates a
    spreadsheet lost would all have landed on the day of the import. The row is refused, by the
    file's column, and nothing is imported."""
    tct("officer", "add", "Trần Thị Bình")
    rows = tmp_path / "visits.csv"
    rows.write_text("citizen,type,field,at,officer\n"
                    "Nguyễn Văn An,complaint,land,04/02/2021 09:00,binh\n"
                    "Lê Thị Bình,complaint,land,8h30,binh\n", encoding="utf-8")
    run = tct("import", "--visits", str(rows))
    assert run.exit_code == 1 and "'8h30' is a time without its day" in run.stderr, run.stderr
    assert "--at" not in run.stderr
    assert tct("visit", "list", "-f", "json").json() == []
    assert tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", "0h").exit_code == 0  # (the desk's today: 00:00 is never to come)


def test_a_file_imported_twice_is_warned_of_row_by_row(tct, tmp_path):
    """The same file imported again (a second try after a doubt, a colleague's copy) doubled every
    visit without a word, and every number of the report with them. Each row whose citizen already
    has a visit at that very minute is warned of, by the visit's code (never the citizen's name)."""
    tct("officer", "add", "Trần Thị Bình")
    assert tct("visit", "add", "--citizen", "Trương Thị Tố", "--type", "denunciation", "--field", "land",
               "--officer", "binh", "--at", "05/02/2021 08:00").exit_code == 0
    rows = tmp_path / "visits.csv"
    rows.write_text("citizen,type,field,at,officer\n"
                    "Nguyễn Văn An,complaint,land,04/02/2021 09:00,binh\n"
                    "Lê Thị Bình,complaint,land,04/02/2021 09:00,binh\n"
                    "truong thi to,denunciation,land,05/02/2021 08:00,binh\n", encoding="utf-8")
    first = tct("import", "--visits", str(rows))
    assert first.exit_code == 0 and [line for line in first.stderr.splitlines() if "already" in line] == \
        [_AT_THAT_MINUTE.format(line=4, code="TCD-2021-0001")]
    again = tct("import", "--visits", str(rows))
    assert again.exit_code == 0
    warned = [line.split(":")[1].strip() for line in again.stderr.splitlines() if "already in the register" in line]
    assert warned == ["line 2", "line 3", "line 4"]
    assert "TCD-2021-0002" in again.stderr and "TCD-2021-0003" in again.stderr
    assert "Trương" not in again.stderr and "truong" not in again.stderr
    assert tct("visit", "void", "TCD-2021-0002", "--reason", "nhập hai lần").exit_code == 0
    third = tct("import", "--visits", str(rows), "--check", env={"TCT_LANG": "vi"})
    assert "Lưu ý: dòng 2: lượt tiếp của công dân này" in third.stderr and "TCD-2021-0002" not in third.stderr


def test_a_row_is_warned_of_when_the_desk_logged_that_visit_within_the_same_minute(tct, tmp_path):
    """A visit logged at the desk without --at is stamped with the seconds of the moment it was
    saved (08:00:27); the same visit in a file says 08:00. The warning is of a visit at that very
    minute, as README says, not only of one at that very second."""
    tct("officer", "add", "Trần Thị Bình")
    assert tct("visit", "add", "--citizen", "Nguyễn Văn An", "--type", "complaint", "--field", "land",
               "--officer", "binh", "--at", "05/02/2021 08:00:27").exit_code == 0
    assert _warned_of_08_00_and_08_01(tct, tmp_path) == [
        _OF_THIS_CITIZEN.format(line=2, code="TCD-2021-0001")]


_AT_THAT_MINUTE = ("Warning: line {line}: a visit at this very time is already in the register ({code}); if it is "
                   "this row's, the file was imported before")  # (a denouncer's: says nothing of the name)
_OF_THIS_CITIZEN = ("Warning: line {line}: a visit of this citizen at this very time is already in the register "
                    "({code}): was the file imported before?")


def _check_warnings(tct, tmp_path, *rows: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The warnings of `import --check` of `rows` (citizen,type,field,at,officer), which must pass."""
    path = tmp_path / "check.csv"
    path.write_text("citizen,type,field,at,officer\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    checked = tct("import", "--visits", str(path), "--check")
    assert checked.exit_code == 0, checked.stderr
    return [line for line in checked.stderr.splitlines() if line.startswith("Warning")]


def _warned_of_08_00_and_08_01(tct, tmp_path):  # type: ignore[no-untyped-def]
    """The duplicate warnings of `import --check` of two rows of Nguyễn Văn An, 05/02/2021 08:00 and 08:01."""
    return [line for line in _check_warnings(tct, tmp_path, "Nguyễn Văn An,complaint,land,05/02/2021 08:00,binh",
                                             "Nguyễn Văn An,complaint,land,05/02/2021 08:01,binh")
            if "already in the register" in line]


@pytest.mark.parametrize("stored", ["2021-02-05T01:00:27", "2021-02-05 08:00:27+07:00", "2021-02-05 01:00:27",
                                    "2021-02-05 08:00+07"])
def test_a_visit_time_stored_otherwise_than_tct_writes_it_is_still_found_at_its_minute(tct, tmp_path, db_path,
                                                                                      stored):
    """The duplicate check reads the visits of the batch's span of minutes; a time written around tct
    in another form (a 'T' between date and time, an offset, no fraction) is placed by parsing it,
    even one as long as tct's own forms ('2021-02-05 08:00+07' was cut as 08:00 UTC)."""
    import sqlite3

    tct("officer", "add", "Trần Thị Bình")
    assert tct("visit", "add", "--citizen", "Nguyễn Văn An", "--type", "complaint", "--field", "land",
               "--officer", "binh", "--at", "05/02/2021 08:00").exit_code == 0
    con = sqlite3.connect(db_path)
    con.execute("UPDATE visit SET visited_at = ?", (stored,))
    con.commit()
    con.close()
    assert _warned_of_08_00_and_08_01(tct, tmp_path) == [
        _OF_THIS_CITIZEN.format(line=2, code="TCD-2021-0001")]


def test_a_denouncers_visit_is_warned_of_to_the_rows_of_its_minute_and_officer_alone(tct, tmp_path):
    """On a register several desks share nearly every minute holds somebody's denunciation, and
    warning every row of its minute ("a visit at this very time is already in the register") flagged
    nearly every row of a busy file. The rows of that minute with the officer who received it are
    warned of, whatever their name; another desk's rows are not, the denouncer's name included
    (a name alone never draws the warning: `import --check` confirms no guessed name)."""
    tct("officer", "add", "Trần Thị Bình")
    tct("officer", "add", "Lê Văn Cường")
    assert tct("visit", "add", "--citizen", "Trương Thị Tố", "--type", "denunciation", "--field", "land",
               "--officer", "binh", "--at", "01/12/2021 08:30").exit_code == 0
    assert _check_warnings(tct, tmp_path, "Trương Thị Tố,complaint,land,01/12/2021 08:30,cuong",
                           "Trần Thị Tâm,complaint,land,01/12/2021 08:30,cuong",
                           "Trần Thị Tâm,complaint,land,01/12/2021 08:30,binh",
                           "Trương Thị Tố,complaint,land,01/12/2021 08:30,binh",
                           "Trương Thị Tố,complaint,land,01/12/2021 08:31,binh") == [
        _AT_THAT_MINUTE.format(line=n, code="TCD-2021-0001") for n in (4, 5)]


def test_a_denouncers_other_visits_are_kept_as_secret_and_the_first_visit_met_is_named(tct, tmp_path):
    """Whoever ever denounced is masked on every visit, a complaint of theirs included: their
    complaint at 08:30 under their name and another desk's officer draws no warning (as their
    citizen's, "a visit of this citizen…", it would confirm the name). When a row meets both a
    visit of its own citizen and a denouncer's of its officer, the one with the earlier code is named."""
    tct("officer", "add", "Trần Thị Bình")
    tct("officer", "add", "Lê Văn Cường")
    to = ["--citizen", "Trương Thị Tố", "--id-number", "079123450001", "--field", "land"]
    for visit in ([*to, "--type", "denunciation", "--officer", "binh", "--at", "01/12/2021 08:00"],  # TCD-2021-0001
                  ["--citizen", "Nguyễn Văn An", "--type", "complaint", "--field", "land", "--officer", "cuong",
                   "--at", "01/12/2021 08:30"],  # 0002
                  [*to, "--type", "complaint", "--officer", "binh", "--at", "01/12/2021 08:30"],  # 0003, hers
                  ["--citizen", "Phạm Thị Hoa", "--type", "complaint", "--field", "land", "--officer", "cuong",
                   "--at", "01/12/2021 08:30"]):  # 0004
        assert tct("visit", "add", *visit).exit_code == 0
    assert _check_warnings(tct, tmp_path, "Trương Thị Tố,complaint,land,01/12/2021 08:30,cuong",
                           "Trương Thị Tố,complaint,land,01/12/2021 08:30,binh",
                           "Nguyễn Văn An,complaint,land,01/12/2021 08:30,binh",
                           "Phạm Thị Hoa,complaint,land,01/12/2021 08:30,binh",
                           "Nguyễn Văn An,complaint,land,01/12/2021 08:30,cuong") == [
        _AT_THAT_MINUTE.format(line=3, code="TCD-2021-0003"),
        _OF_THIS_CITIZEN.format(line=4, code="TCD-2021-0002"),  # (hers at 08:30 came after An's)
        _AT_THAT_MINUTE.format(line=5, code="TCD-2021-0003"),  # (Hoa's came after hers)
        _OF_THIS_CITIZEN.format(line=6, code="TCD-2021-0002")]


def test_import_check_does_not_confirm_a_denouncers_name_guessed_from_the_initials(tct, tmp_path):
    """`visit list` shows a denunciation as T. T. T. at 01/12/2026 08:30. A row of that minute under
    the guessed name was warned of ("a visit of this citizen…") and one under any other name was
    not: `import --check`, which leaves nothing in `tct log`, told anyone whether the guess was the
    denouncer. A denouncer's visit is now warned of to every row of its minute with its officer, in
    the same words, whatever the row's name."""
    tct("officer", "add", "Trần Thị Bình")
    assert tct("visit", "add", "--citizen", "Trương Thị Tố", "--type", "denunciation", "--field", "land",
               "--officer", "binh", "--at", "01/12/2021 08:30").exit_code == 0
    said = {name: _check_warnings(tct, tmp_path, f"{name},complaint,land,01/12/2021 08:30,binh")
            for name in ("Trương Thị Tố", "Trần Thị Tâm")}
    assert said["Trương Thị Tố"] == said["Trần Thị Tâm"] == [_AT_THAT_MINUTE.format(line=2, code="TCD-2021-0001")]


def test_a_petition_answered_at_the_row_that_opens_it_is_closed_as_at_the_desk(register, tct):
    """The import closes what `visit add` closes: a petition or feedback whose opening row the desk
    answered on the spot, that day, with the step in its history naming that visit (a later row of
    the case adds none); a guided petition and an answered complaint stay new."""
    text = HEADER + (
        "Trần Văn Tư,,phản ánh,other,03/02/2021 08:15,binh,1,,p1,,answered,,\n"
        "Cao Văn Tám,,kiến nghị,other,05/02/2021 09:00,binh,1,,,,,,\n"
        "Trần Văn Tư,,,,08/02/2021 09:00,binh,1,,p1,,answered,,\n"
        "Lý Thị Hạnh,,khiếu nại,land,05/02/2021 10:00,binh,1,,,,trả lời,,\n"
    )
    assert _load(register, text).new_cases == 3
    shown = tct("case", "show", "VV-2021-0001", "-f", "json").json()
    assert (shown["status"], shown["closed_on"], shown["deadline"]) == ("closed", "2021-02-03", None)
    assert [(e["from_status"], e["to_status"], e["note"]) for e in shown["timeline"] if e["event"] == "status"] == [
        ("new", "closed", "answered at the desk (TCD-2021-0001)")]
    assert [tct("case", "show", code, "-f", "json").json()["status"] for code in ("VV-2021-0002", "VV-2021-0003")] \
        == ["new", "new"]
    backlog = tct("report", "tet-2021", "-f", "json").json()["backlog"]
    assert [b["code"] for b in backlog] == ["VV-2021-0002", "VV-2021-0003"]
    closes = [e for e in tct("log", "-f", "json").json() if e["action"] == "close"]
    assert [(e["code"], e["reason"]) for e in closes] == [("VV-2021-0001", "answered at the desk (TCD-2021-0001)")]
    assert tct("db", "check").exit_code == 0


def test_an_imported_row_of_a_case_tells_people_apart_by_their_tone_marks(register, tct):
    """The import matches a row to its case's citizen as `visit add` does (citizens.same_name):
    Nguyễn Thị Hạ is not Nguyễn Thị Hà; nguyen thi ha, typed without accents, is."""
    text = HEADER + (
        "Nguyễn Thị Hà,,khiếu nại,land,03/02/2021 08:00,binh,1,,h1,,,,\n"
        "Nguyễn Thị Hạ,,,,04/02/2021 08:00,binh,1,,h1,,,,\n"
        "nguyen thi ha,,,,05/02/2021 08:00,binh,1,,h1,,,,\n"
    )
    summary = _load(register, text)
    ids = [tct("visit", "show", code, "-f", "json").json()["citizen_id"] for code in summary.visits]
    assert ids[0] == ids[2] != ids[1]


def test_a_row_of_a_denunciation_the_file_opened_is_keyed_without_its_citizen(register, tct, db_path):
    """A visit to a denunciation case is searched by its content alone (visits.search_key), and the
    import keyed so the rows of a case already on the register, not those of a case an earlier row
    of the same file opened: `visit list --search NAME` found a denouncer's other visit by the name,
    masked, saying that this person denounced. Keys an import wrote so are rewritten by the upgrade
    (schema 0016)."""
    import sqlite3

    from conftest import downgrade_sqlite

    text = HEADER + (
        "Lý Văn Kín,,tố cáo,land,03/02/2021 08:00,binh,1,,k1,,,,\n"
        "Lý Văn Kín,,khiếu nại,land,05/02/2021 08:00,binh,1,,k1,,,,\n"
    )
    summary = _load(register, text)
    assert tct("visit", "list", "--search", "ly van kin", "-f", "json").json() == []
    con = sqlite3.connect(db_path)  # as an earlier tct's import wrote the second row's key
    con.execute("UPDATE visit SET search_folded = 'ly van kin' WHERE code = ?", (summary.visits[1],))
    con.commit()
    con.close()
    downgrade_sqlite(db_path, "0015")
    assert tct("db", "upgrade").exit_code == 0
    assert tct("visit", "list", "--search", "ly van kin", "--reveal", "-f", "json").json() != []
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT search_folded FROM visit WHERE code = ?", (summary.visits[1],)).fetchone()[0] == ""
    con.close()


def _a_denouncer_and_her_namesake_received_by_binh(tct) -> None:  # type: ignore[no-untyped-def]
    """Đỗ Thị Lan denounces at 08:30; another Đỗ Thị Lan (an address of her own) complains at 09:30."""
    assert tct("visit", "add", "--citizen", "Đỗ Thị Lan", "--type", "denunciation", "--field", "land",
               "--officer", "binh", "--at", "03/02/2021 08:30").exit_code == 0
    assert tct("visit", "add", "--citizen", "Đỗ Thị Lan", "--address", "số 5 Lê Lợi", "--type", "complaint",
               "--field", "land", "--officer", "binh", "--at", "03/02/2021 09:30").exit_code == 0


def test_the_same_minute_warning_never_confirms_the_name_of_a_denouncer_s_namesake(tct, tmp_path):
    """A denouncer's namesake is masked as they are; `import --check` (which writes nothing) and
    `visit add` warned another officer's row of that name and minute "of this citizen", confirming
    the name behind the initials. Warned as of a denouncer: only to the officer who received it."""
    tct("officer", "add", "Trần Thị Bình")
    tct("officer", "add", "Lê Văn Cường")
    _a_denouncer_and_her_namesake_received_by_binh(tct)
    rows = tmp_path / "rows.csv"
    rows.write_text("citizen,type,field,at,officer\n"
                    "Đỗ Thị Lan,complaint,land,03/02/2021 09:30,Lê Văn Cường\n"
                    "Đỗ Thị Hoa,complaint,land,03/02/2021 09:30,Lê Văn Cường\n", encoding="utf-8")
    checked = tct("import", "--visits", str(rows), "--check")
    assert checked.exit_code == 0 and "already in the register" not in checked.stderr, checked.stderr
    other = tct("visit", "add", "--citizen", "Đỗ Thị Lan", "--type", "complaint", "--field", "land",
                "--officer", "cuong", "--at", "03/02/2021 09:30")
    assert other.exit_code == 0 and "already in the register" not in other.stderr, other.stderr
    same = tct("visit", "add", "--citizen", "Đỗ Thị Lan", "--type", "complaint", "--field", "land",
               "--officer", "binh", "--at", "03/02/2021 09:30")
    assert "a visit you received at this very time" in same.stderr, same.stderr


def test_the_same_minute_warning_of_a_namesake_is_the_same_whatever_name_the_row_types(tct, tmp_path):
    """The warning of a denouncer's namesake's visit goes to the rows of its minute and officer
    whatever name they type: `import --check` warned a row typed with that name and kept silent on
    a row of another, so that checking a file of one row confirmed a name guessed from the initials."""
    tct("officer", "add", "Trần Thị Bình")
    _a_denouncer_and_her_namesake_received_by_binh(tct)
    rows = tmp_path / "rows.csv"
    said = []
    for name in ("Đỗ Thị Lan", "Trần Văn Xuân"):
        rows.write_text(f"citizen,type,field,at,officer\n{name},complaint,land,03/02/2021 09:30,binh\n",
                        encoding="utf-8")
        checked = tct("import", "--visits", str(rows), "--check")
        assert checked.exit_code == 0, checked.stderr
        said.append([line for line in checked.stderr.splitlines() if "Warning" in line])
    assert said[0] and said[0] == said[1], said
    assert "a visit at this very time is already in the register" in said[0][0], said  # (not "of this citizen")
