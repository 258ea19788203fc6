"""The holiday-period report: every number of a small, hand-built Tết 2021, and confidentiality."""

import csv
import io
import json
import time
import zipfile

import pytest

from conftest import assert_one_line_error, downgrade_sqlite, file_mode

DENOUNCER = {"name": "Zyxwv Mậtdanh", "address": "Số 7 Ngõ Bímật", "phone": "0909 876 543",
             "id_number": "079123456789"}


def _visit(tct, *args, env=None):
    run = tct("visit", "add", *args, "--officer", "binh", "-f", "json", env=env)
    assert run.exit_code == 0, run.stderr
    return run.json()


@pytest.fixture
def holiday(tct, monkeypatch):
    """Tết 2021 at a department: before 3–9 Feb, during 10–16 Feb, after 17–23 Feb."""
    tct("config", "set", "agency.name", "Sở Thông tin và Truyền thông")
    tct("officer", "add", "Trần Thị Bình")
    tct("roster", "add", "binh", "--date", "03/02/2021", "--to", "12/02/2021", "--shift", "full")
    tct("roster", "add", "binh", "--date", "14/02/2021", "--to", "23/02/2021", "--shift", "full")  # 13 Feb uncovered
    land = ["--type", "complaint", "--field", "land"]
    v1 = _visit(tct, "--citizen", "Ngô Văn Cũ", *land, "--at", "20/01/2021 10:00")  # before the period: case A
    a = v1["case"]
    _visit(tct, "--citizen", "Ngô Văn Cũ", "--case", a, "--at", "03/02/2021 08:00", "--handling", "accepted")
    tct("case", "accept", a, "--date", "04/02/2021")
    v3 = _visit(tct, "--citizen", "Đoàn thôn Bình An", *land, "--people", "12", "--representatives", "A; B",
                "--locality", "Xã Vĩnh Hòa", "--at", "05/02/2021 09:00", "--handling", "accepted")
    b = v3["case"]
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:  # typed on a machine whose clock is UTC: still 9 February at the office
        v4 = _visit(tct, "--citizen", "Lê Thị Kiến", "--type", "petition", "--field", "policy",
                    "--at", "09/02/2021 23:30")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    c = v4["case"]
    _visit(tct, "--citizen", "Đoàn thôn Bình An", "--case", b, "--people", "6", "--representatives", "A",
           "--kind", "leader", "--at", "11/02/2021 09:00", "--handling", "answered")
    v6 = _visit(tct, "--citizen", DENOUNCER["name"], "--address", DENOUNCER["address"], "--phone",
                DENOUNCER["phone"], "--id-number", DENOUNCER["id_number"], "--type", "denunciation",
                "--field", "administration", "--at", "12/02/2021 10:00", "--handling", "accepted",
                "--representatives", "")
    d = v6["case"]
    v7 = _visit(tct, "--citizen", "Phan Văn Nhầm", "--type", "feedback", "--field", "other",
                "--at", "15/02/2021 10:00")
    tct("visit", "void", v7["code"], "--reason", "nhập nhầm")
    _visit(tct, "--citizen", "Ngô Văn Cũ", "--case", a, "--at", "17/02/2021 08:00", "--handling", "transferred")
    _visit(tct, "--citizen", "Lê Thị Kiến", "--case", c, "--at", "20/02/2021 08:00", "--handling", "answered")
    _visit(tct, "--citizen", "Hồ Văn Sau", *land, "--at", "25/02/2021 08:00", "--handling", "refused")  # outside
    tct("case", "refer", b, "--to", "Thanh tra tỉnh", "--date", "06/02/2021")
    tct("case", "refer", a, "--to", "Công an tỉnh", "--date", "01/03/2021")  # outside the period
    return {"a": a, "b": b, "c": c, "d": d, "e": v7["case"]}


def test_cases_by_state_of_resolution_on_the_period_s_last_day(tct, holiday):
    """The official form counts the cases received by their state of resolution: each case visited
    in the period once, as it stood on the last day, whatever happened to it afterwards."""
    assert tct("case", "resolve", holiday["a"], "--result", "upheld", "--date", "20/02/2021").exit_code == 0
    assert tct("case", "guide", holiday["b"], "--date", "10/02/2021").exit_code == 0
    assert tct("case", "transfer", holiday["c"], "--to", "UBND huyện", "--date", "01/03/2021").exit_code == 0
    data = tct("report", "tet-2021", "--format", "json").json()
    assert data["resolution"] == {"new": 2, "accepted": 0, "resolved": 1, "closed": 0, "guided": 1,
                                  "transferred": 0}  # c and d new (c transferred after the period); e void
    total = data["reception"]["total"]
    assert sum(data["resolution"].values()) == total["cases_old"] + total["cases_new"]
    written = tct("report", "tet-2021", "--lang", "vi", "--format", "md").stdout
    assert "3b. Vụ việc theo tình trạng giải quyết đến ngày cuối kỳ" in written and "đã hướng dẫn" in written


def test_every_number_of_the_json_report(tct, holiday):
    run = tct("report", "tet-2021", "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["agency"] == "Sở Thông tin và Truyền thông"
    assert data["period"] == {"name": "tet-2021", "title": "Tết Nguyên đán Tân Sửu 2021", "start": "2021-02-03",
                              "end": "2021-02-23", "phases": [
                                  {"name": "before", "start": "2021-02-03", "end": "2021-02-09"},
                                  {"name": "during", "start": "2021-02-10", "end": "2021-02-16"},
                                  {"name": "after", "start": "2021-02-17", "end": "2021-02-23"}]}
    keys = ("visits", "people", "cases_old", "cases_new", "delegations", "delegation_people",
            "delegation_cases_old", "delegation_cases_new", "leader_visits")
    expected = {
        "before": (3, 14, 1, 2, 1, 12, 0, 1, 0),   # A again (old); B's delegation (new); C at 23:30 on 9 Feb
        "during": (2, 7, 1, 1, 1, 6, 1, 0, 1),     # B's leader-received delegation (old); D the denunciation
        "after": (2, 2, 2, 0, 0, 0, 0, 0, 0),      # A and C come back; the void visit and 25 Feb do not count
        "total": (7, 23, 1, 3, 2, 18, 0, 1, 1),
    }
    for phase, numbers in expected.items():
        assert {k: data["reception"][phase][k] for k in keys} == dict(zip(keys, numbers, strict=True)), phase
    assert {k: data["reception"]["total"]["leader"][k] for k in keys} == dict(zip(keys, (1, 6, 0, 1, 1, 6, 0, 1, 1),
                                                                                  strict=True))
    assert {k: data["reception"]["total"]["regular"][k] for k in keys} == dict(zip(
        keys, (6, 17, 1, 3, 1, 12, 0, 1, 0), strict=True))
    assert data["reception"]["during"]["leader"]["cases_old"] == 1
    assert data["content"]["by_type"] == {"complaint": {"visits": 4, "cases": 2},
                                          "denunciation": {"visits": 1, "cases": 1},
                                          "petition": {"visits": 2, "cases": 1},
                                          "feedback": {"visits": 0, "cases": 0}}
    assert data["content"]["by_field"]["land"] == {"visits": 4, "cases": 2}
    assert data["content"]["by_field"]["policy"] == {"visits": 2, "cases": 1}
    assert data["content"]["by_field"]["administration"] == {"visits": 1, "cases": 1}
    assert data["content"]["by_field"]["other"] == {"visits": 0, "cases": 0}
    fields = list(data["content"]["by_field"])
    crossed = {t: dict.fromkeys(fields, 0) for t in ("complaint", "denunciation", "petition", "feedback")}
    crossed["complaint"]["land"], crossed["denunciation"]["administration"], crossed["petition"]["policy"] = 2, 1, 1
    assert data["content"]["cases_by_type_field"] == crossed  # A and B; D; C
    assert data["handling"] == {"accepted": 3, "guided": 1, "transferred": 1, "answered": 2, "refused": 0}
    assert data["flagged_cases"] == [
        {"code": holiday["a"], "type": "complaint", "flags": ["repeat"], "status": "accepted",
         "deadline": "2021-03-06", "citizen": "N. V. C.", "locality": None},
        {"code": holiday["b"], "type": "complaint", "flags": ["crowd"], "status": "new",
         "deadline": "2021-02-15", "citizen": "Đ. t. B. A.", "locality": "Xã Vĩnh Hòa"},
    ]
    assert data["backlog"] == [
        {"code": holiday["b"], "type": "complaint", "deadline": "2021-02-15", "days_overdue": 8, "status": "new"},
        {"code": holiday["c"], "type": "petition", "deadline": "2021-02-19", "days_overdue": 4, "status": "new"},
    ]
    assert data["duty"]["gaps"] == [{"date": "2021-02-13", "shifts": ["morning", "afternoon"]}]
    assert len(data["duty"]["days"]) == 21
    assert data["duty"]["days"][0] == {"date": "2021-02-03", "officers": ["Trần Thị Bình"]}
    assert data["duty"]["days"][10] == {"date": "2021-02-13", "officers": []}
    assert data["referrals"] == [{"case": holiday["b"], "to": "Thanh tra tỉnh", "date": "2021-02-06"}]


def test_flagged_cases_are_listed_as_they_stood_on_the_periods_last_day(tct, holiday):
    """Section 4 of a report made after the period says what an on-time one said, as 3b and the
    backlog do: case A resolved and its repeat flag cleared, case B guided, both in March, and A
    flagged complex today are not seen by the Tết 2021 report; a report of today sees them."""
    on_time = tct("report", "tet-2021", "-f", "json").json()["flagged_cases"]
    assert [(c["code"], c["flags"], c["status"]) for c in on_time] == [(holiday["a"], ["repeat"], "accepted"),
                                                                       (holiday["b"], ["crowd"], "new")]
    assert tct("case", "resolve", holiday["a"], "--result", "rejected", "--date", "02/03/2021").exit_code == 0
    assert tct("case", "guide", holiday["b"], "--date", "03/03/2021").exit_code == 0
    assert tct("case", "unflag", holiday["a"], "--repeat", "--reason", "đã giải quyết").exit_code == 0
    assert tct("case", "flag", holiday["c"], "--complex", "--reason", "phức tạp").exit_code == 0
    assert tct("report", "tet-2021", "-f", "json").json()["flagged_cases"] == on_time
    later = tct("report", "today..today", "-f", "json").json()["flagged_cases"]
    assert later == []  # (no visit today)


def test_a_complexity_dated_into_the_period_is_in_its_flagged_cases_with_its_deadline(tct, holiday):
    """Case A, accepted on 4 Feb 2021, flagged complex with the date 20 Feb: the report lists the flag
    and the longer deadline of a complex complaint (45 days, not 30); dated after the period, neither."""
    assert tct("case", "flag", holiday["a"], "--complex", "--reason", "phức tạp", "--date", "24/02/2021"
               ).exit_code == 0
    flagged = tct("report", "tet-2021", "-f", "json").json()["flagged_cases"]
    assert [(c["flags"], c["deadline"]) for c in flagged if c["code"] == holiday["a"]] == [(["repeat"], "2021-03-06")]
    assert tct("case", "unflag", holiday["a"], "--complex", "--reason", "nhầm ngày").exit_code == 0
    assert tct("case", "flag", holiday["a"], "--complex", "--reason", "phức tạp", "--date", "20/02/2021"
               ).exit_code == 0
    flagged = tct("report", "tet-2021", "-f", "json").json()["flagged_cases"]
    assert [(c["flags"], c["deadline"]) for c in flagged if c["code"] == holiday["a"]] == [
        (["repeat", "complex"], "2021-03-21")]


def test_a_flag_tct_cleared_after_the_period_as_its_visit_was_voided_is_not_in_its_flagged_cases(tct, holiday):
    """An automatic flag follows the visits: when its only delegation visit (dated in the period) is
    voided after the period, tct clears it, and a report made then no longer counts that delegation
    in section 1; section 4 must not keep the crowd (and repeat) flags that visit alone raised."""
    before = [(c["code"], c["flags"]) for c in tct("report", "tet-2021", "-f", "json").json()["flagged_cases"]]
    extra = _visit(tct, "--citizen", "Lê Thị Kiến", "--case", holiday["c"], "--people", "7",
                   "--representatives", "X", "--at", "15/02/2021 08:00")
    on_time = tct("report", "tet-2021", "-f", "json").json()
    assert (holiday["c"], ["crowd", "repeat"]) in [(c["code"], c["flags"]) for c in on_time["flagged_cases"]]
    assert tct("visit", "void", extra["code"], "--reason", "nhập nhầm").exit_code == 0
    later = tct("report", "tet-2021", "-f", "json").json()
    assert later["reception"]["total"]["delegations"] == on_time["reception"]["total"]["delegations"] - 1
    assert [(c["code"], c["flags"]) for c in later["flagged_cases"]] == before
    # cleared by hand after the period, a flag still counts: the case had it on the last day
    assert tct("case", "unflag", holiday["b"], "--crowd", "--reason", "đã ổn định").exit_code == 0
    assert [(c["code"], c["flags"]) for c in tct("report", "tet-2021", "-f", "json").json()["flagged_cases"]
            ] == before


def test_an_automatic_flag_raised_by_a_visit_after_the_period_is_not_in_its_flagged_cases(tct, holiday):
    """Case C (visits 9 and 20 Feb 2021) gets a delegation visit on 1 March: crowd, and with three
    visits repeat, are set then. On 23 Feb it had neither, so the Tết 2021 report made after 1 March
    must list what an on-time one did."""
    on_time = tct("report", "tet-2021", "-f", "json").json()["flagged_cases"]
    _visit(tct, "--citizen", "Lê Thị Kiến", "--case", holiday["c"], "--people", "7", "--representatives", "X",
           "--at", "01/03/2021 08:00")
    assert tct("report", "tet-2021", "-f", "json").json()["flagged_cases"] == on_time


def test_backlog_is_judged_on_the_periods_last_day_from_the_history(tct, holiday):
    tct("case", "guide", holiday["c"], "--date", "01/03/2021")  # closed after the period: still backlog then
    tct("case", "accept", holiday["b"], "--date", "22/02/2021")  # accepted late, after its deadline...
    backlog = tct("report", "tet-2021", "-f", "json").json()["backlog"]
    assert [b["code"] for b in backlog] == [holiday["c"]]  # ...so on 23 Feb B was within its new deadline


def test_status_changes_entered_late_do_not_hide_a_case_from_the_backlog(tct, holiday):
    before = tct("report", "tet-2021", "-f", "json").json()["backlog"]
    c = holiday["c"]
    for action, day in (("guide", "10/02/2021"), ("reopen", "12/02/2021"), ("guide", "01/03/2021")):
        run = tct("case", action, c, "--date", day, *(["--reason", "nhập muộn"] if action == "reopen" else []))
        assert run.exit_code == 0, run.stderr
    # guided 10 Feb, reopened 12 Feb, guided 1 Mar, all entered years later: on 23 Feb C was open
    # and overdue, though it was guided on a day of the period and is guided now; received again
    # when reopened, its deadline ran from 12 Feb (a petition: 10 days)
    after = tct("report", "tet-2021", "-f", "json").json()["backlog"]
    assert c in [b["code"] for b in before]
    reopened = {**next(b for b in before if b["code"] == c), "deadline": "2021-02-22", "days_overdue": 1}
    assert after == [reopened if b["code"] == c else b for b in before]
    # a step dated back before the last one would make the history say so no longer (refused)
    assert tct("case", "reopen", c, "--date", "20/02/2021", "--reason", "r").exit_code == 1


def test_a_case_open_on_the_day_and_settled_years_later_is_in_its_backlog(tct, holiday):
    """The cases open on the period's last day and settled since are read up to the longest time any
    case took to its latest status change: one settled a year and a half later is still found."""
    tct("case", "guide", holiday["c"], "--date", "01/03/2021")
    assert tct("case", "guide", holiday["c"], "--date", "30/06/2022").exit_code != 0  # (already guided)
    before = [b["code"] for b in tct("report", "tet-2021", "-f", "json").json()["backlog"]]
    assert holiday["c"] in before
    assert tct("case", "reopen", holiday["c"], "--date", "02/03/2021", "--reason", "r").exit_code == 0
    assert tct("case", "guide", holiday["c"], "--date", "30/06/2022").exit_code == 0
    assert [b["code"] for b in tct("report", "tet-2021", "-f", "json").json()["backlog"]] == before


@pytest.mark.sqlite_only
def test_a_register_upgraded_from_schema_0004_keeps_its_backlog(tct, holiday, db_path):
    from tct import db as store

    tct("case", "guide", holiday["c"], "--date", "01/03/2021")  # closed after the period: still backlog then
    before = tct("report", "tet-2021", "-f", "json").json()["backlog"]
    assert holiday["c"] in [b["code"] for b in before]
    downgrade_sqlite(db_path, "0004")
    assert tct("db", "upgrade").exit_code == 0
    assert tct("db", "info", "-f", "json").json()["schema"] == store.SCHEMA_HEAD
    assert tct("report", "tet-2021", "-f", "json").json()["backlog"] == before


def test_the_denouncer_appears_in_no_format(tct, holiday, tmp_path):
    outputs = []
    for lang in ("en", "vi"):
        for fmt in ("table", "md", "csv", "json"):
            for extra in ([], ["--reveal"]):
                run = tct("report", "tet-2021", "--format", fmt, "--lang", lang, *extra)
                assert run.exit_code == 0, run.stderr
                outputs.append(run.stdout + run.stderr)
        target = tmp_path / f"report-{lang}.xlsx"
        assert tct("report", "tet-2021", "-f", "xlsx", "-o", str(target), "--lang", lang, "--reveal").exit_code == 0
        with zipfile.ZipFile(target) as book:
            outputs.append("".join(book.read(name).decode("utf-8", "replace") for name in book.namelist()))
    for text in outputs:
        for secret in DENOUNCER.values():
            assert secret not in text
        assert "Z. M." not in text  # not even the initials


def test_other_names_are_initials_unless_revealed(tct, holiday):
    assert "Ngô Văn Cũ" not in tct("report", "tet-2021").stdout
    revealed = tct("report", "tet-2021", "--reveal", "-f", "json").json()["flagged_cases"]
    assert revealed[0]["citizen"] == "Ngô Văn Cũ"
    assert [e["action"] for e in tct("log", "-f", "json").json()][-1] == "reveal"


def test_csv_has_one_table_per_section_with_a_section_column(tct, holiday):
    text = tct("report", "tet-2021", "-f", "csv").stdout
    blocks = [b for b in text.split("\n\n") if b.strip()]
    sections = [list(csv.reader(io.StringIO(b))) for b in blocks]
    assert all(rows[0][0] == "section" for rows in sections)
    names = [rows[1][0] if len(rows) > 1 else None for rows in sections]
    assert names[:3] == ["reception_all", "reception_regular", "reception_leader"]
    assert "duty_gaps" in names and "handling" in names


def test_the_csv_report_says_coded_values_in_its_language(tct, holiday):
    """Unlike other commands' CSV (README), the report's CSV is a document for people: its types,
    statuses and flags are in the report's language, its columns and sections keyed."""
    text = tct("report", "tet-2021", "-f", "csv", "--lang", "vi").stdout
    flagged = [row for row in csv.reader(io.StringIO(text)) if row and row[0] == "flagged_cases"]
    assert [row[2:5] for row in flagged] == [["khiếu nại", "tái diễn", "đã thụ lý"],
                                             ["khiếu nại", "đông người", "mới tiếp nhận"]]


def test_the_flagged_section_is_titled_by_every_flag_it_lists(tct, holiday):
    """Section 4 lists repeat cases (tái diễn) too: its Vietnamese title named crowd, complex,
    escalated and hotspot only, over a case flagged nothing but tái diễn."""
    md = tct("report", "tet-2021", "--lang", "vi", "-f", "md").stdout
    section = md.split("## 4. ")[1].split("## 5.")[0]
    assert section.startswith("Vụ việc đông người, phức tạp, tái diễn, vượt cấp, điểm nóng\n")
    assert "| tái diễn |" in section


def test_labels_follow_the_language(tct, holiday):
    vi = tct("report", "tet-2021", "--lang", "vi", "-f", "md").stdout
    assert "Tiếp thường xuyên" in vi and "vụ việc mới phát sinh" in vi and "đoàn đông người" in vi
    en = tct("report", "tet-2021", "-f", "md").stdout
    assert "Regular reception" in en
    in_vi = tct("report", "tet-2021", "--lang", "vi", "-f", "json").json()
    in_en = tct("report", "tet-2021", "-f", "json").json()
    in_vi.pop("made_at"), in_en.pop("made_at")
    assert in_vi == in_en  # JSON keys and values never change with the language


def test_table_fits_80_columns(tct, holiday):
    out = tct("report", "tet-2021").stdout
    assert max(len(line) for line in out.splitlines()) <= 80


def test_output_file_is_private_and_never_overwritten_silently(tct, holiday, tmp_path):
    target = tmp_path / "bao-cao.md"
    assert tct("report", "tet-2021", "-f", "md", "-o", str(target)).exit_code == 0
    assert file_mode(target) == 0o600 and target.read_text().startswith("# ")
    assert_one_line_error(tct("report", "tet-2021", "-f", "md", "-o", str(target)), 1, "--force")
    assert tct("report", "tet-2021", "-f", "md", "-o", str(target), "--force").exit_code == 0
    assert_one_line_error(tct("report", "tet-2021", "-f", "xlsx"), 2, "--output")
    assert_one_line_error(tct("report", "tet-2021", "-o", str(tmp_path / "no" / "such" / "x.md")), 1, "no folder")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_xlsx_has_one_sheet_per_section_and_no_formulas(tct, holiday, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    tct("config", "set", "agency.name", "=HYPERLINK(\"http://evil\")")
    target = tmp_path / "r.xlsx"
    assert tct("report", "tet-2021", "-f", "xlsx", "-o", str(target)).exit_code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:4] == ["report", "reception_all", "reception_regular", "reception_leader"]
    assert book["report"]["A2"].value.startswith("'=")
    assert book["reception_all"]["C6"].value == 23  # total people, as a number
    # in Vietnamese the sheets are named as the sections are, in short (a sheet's name is 31 characters)
    said = tmp_path / "bao-cao.xlsx"
    assert tct("--lang", "vi", "report", "tet-2021", "-f", "xlsx", "-o", str(said)).exit_code == 0
    names = openpyxl.load_workbook(said).sheetnames
    assert names[:4] == ["Báo cáo", "1. Tiếp công dân", "1a. Tiếp thường xuyên", "1b. Thủ trưởng tiếp"]
    assert len(names) == len(book.sheetnames) == len(set(names)) and "5. Tồn đọng, quá hạn" in names


def test_the_output_files_suffix_is_its_format_unless_one_is_given(tct, holiday, tmp_path):
    """`-o bao-cao.xlsx` is a workbook (a table's text under that name would not open), `.csv` and
    `.json` those formats; a --format given is what is written, whatever the name."""
    openpyxl = pytest.importorskip("openpyxl")
    assert tct("report", "tet-2021", "-o", str(tmp_path / "bao-cao.xlsx")).exit_code == 0
    assert "reception_all" in openpyxl.load_workbook(tmp_path / "bao-cao.xlsx").sheetnames
    assert tct("report", "tet-2021", "-o", str(tmp_path / "r.CSV")).exit_code == 0
    assert (tmp_path / "r.CSV").read_text().startswith("section,")
    assert tct("report", "tet-2021", "-o", str(tmp_path / "r.json")).exit_code == 0
    assert json.loads((tmp_path / "r.json").read_text())["period"]["name"] == "tet-2021"
    assert tct("report", "tet-2021", "-o", str(tmp_path / "r.txt")).exit_code == 0
    assert (tmp_path / "r.txt").read_text() == tct("report", "tet-2021").stdout
    assert tct("report", "tet-2021", "-f", "md", "-o", str(tmp_path / "md.json")).exit_code == 0
    assert (tmp_path / "md.json").read_text().startswith("# ")


def test_a_period_not_over_judges_its_backlog_today_and_says_so(tct):
    """An interim report (the holiday still running): a case due after today but before the
    period's end is not overdue yet; the header says the backlog is as of today."""
    from datetime import timedelta

    from tct.dates import today_local

    today = today_local()
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", f"{today - timedelta(days=2):%d/%m/%Y} 09:00").exit_code == 0  # due in 8 days
    running = f"{today - timedelta(days=5):%d/%m/%Y}..{today + timedelta(days=30):%d/%m/%Y}"
    data = tct("report", running, "-f", "json").json()
    assert data["backlog"] == [] and data["backlog_on"] == today.isoformat()
    assert f"the backlog (5) are as of {today:%d/%m/%Y}" in tct("report", running).stdout
    # 3b and 4 say the state "on the period's last day", a day to come: the header says they too are as of today
    assert "the states of resolution (3b), the flagged cases (4)" in tct("report", running, "-f", "md").stdout
    assert (f"tình trạng giải quyết (mục 3b), vụ việc có cảnh báo (mục 4) và vụ việc tồn đọng (mục 5) tính đến "
            f"ngày {today:%d/%m/%Y}") in tct("report", running, "--lang", "vi", "-f", "md").stdout
    over = tct("report", "2021-02-01..2021-02-28", "-f", "json").json()
    assert over["backlog_on"] == "2021-02-28"
    assert "is as of" not in tct("report", "2021-02-01..2021-02-28").stdout


def test_literal_range_and_custom_period(tct, holiday):
    data = tct("report", "2021-02-10..2021-02-16", "-f", "json").json()
    assert [p["name"] for p in data["period"]["phases"]] == ["during"]
    assert set(data["reception"]) == {"during", "total"}
    assert data["reception"]["total"]["visits"] == 2
    assert tct("period", "add", "ke-hoach-02", "--from", "01/01/2021", "--to", "28/02/2021",
               "--title", "Kế hoạch 02/KH-STTTT").exit_code == 0
    assert tct("report", "ke-hoach-02", "-f", "json").json()["reception"]["total"]["visits"] == 9


def test_a_range_of_dates_is_reported_by_its_total_not_as_a_holiday(tct, holiday):
    """`tct report 01/02/2021..28/02/2021` showed a "Trong kỳ nghỉ" (during the holiday) column,
    equal to the total, for any range; a range (one phase spanning it) shows its total alone, in
    every format; a holiday period keeps its phases."""
    for fmt in ("table", "md", "csv"):
        said = tct("--lang", "vi", "report", "01/02/2021..28/02/2021", "-f", fmt).stdout
        assert "Trong kỳ nghỉ" not in said and "Tổng cộng" in said, fmt
    assert "Trong kỳ nghỉ" in tct("--lang", "vi", "report", "tet-2021").stdout
    data = tct("report", "01/02/2021..28/02/2021", "-f", "json").json()
    assert set(data["reception"]) == {"during", "total"}  # (the JSON's shape is README's)


def test_unknown_period_is_an_error(tct):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert_one_line_error(tct("report", "no-such-period"), 1)


def test_a_period_without_visits_says_so_beside_its_zeros(tct, holiday):
    """A period typed a year off (tet-2022 for tet-2021) is a report of zeros: said on stderr, the
    document itself unchanged."""
    empty = tct("report", "tet-2022", "-f", "json")
    assert empty.exit_code == 0 and empty.json()["reception"]["total"]["visits"] == 0
    assert "No visit was recorded from 22/01/2022 to 13/02/2022" in empty.stderr
    assert "No visit" not in tct("report", "tet-2021", "-f", "json").stderr


def test_what_someone_acts_on_is_never_read_from_a_register_that_does_not_exist(tct, tmp_path):
    """A mistyped TCT_DB: a report of zeros copied into the official form, `alerts --check` saying
    "no alerts" every night, an empty export, a `db check` that says ok. Each stops (exit 3) naming
    the path, and creates nothing there; listing commands still start a register on first use."""
    missing = tmp_path / "typo" / "tct.db"
    for argv in (["report", "tet-2021", "-f", "json"], ["alerts", "--check"], ["hotspots"], ["export"],
                 ["db", "check"], ["report", "tet-2021", "-f", "md", "-o", str(tmp_path / "r.md")]):
        run = tct("--db", str(missing), *argv, db=False)
        assert_one_line_error(run, 3, f"no database at {missing}", "TCT_DB")
        assert not missing.exists() and not missing.parent.exists() and not (tmp_path / "r.md").exists()
    vi = tct("--db", str(missing), "alerts", "--check", db=False, env={"TCT_LANG": "vi"})
    assert "không có cơ sở dữ liệu tại" in vi.stderr and vi.exit_code == 3
    assert tct("--db", str(missing), "visit", "list", db=False).exit_code == 0 and missing.exists()
    # ...an empty one, which would then answer all zeros: nobody has started it (no officer), so neither
    # is anything read from it that someone acts on, even after a `visit add` refused for want of an officer.
    assert tct("--db", str(missing), "visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land",
               db=False).exit_code != 0
    for argv in (["report", "tet-2021", "-f", "json"], ["alerts", "--check"], ["hotspots"],
                 ["report", "tet-2021", "-f", "md", "-o", str(tmp_path / "r.md")]):
        run = tct("--db", str(missing), *argv, db=False)
        assert_one_line_error(run, 3, f"the register at {missing} has no officer yet", "TCT_DB")
        assert not (tmp_path / "r.md").exists()
    assert tct("--db", str(missing), "officer", "add", "Trần Thị Bình", db=False).exit_code == 0
    assert tct("--db", str(missing), "alerts", "--check", db=False).exit_code == 0


def test_a_revealed_report_that_cannot_be_written_reveals_nothing_in_the_trail(tct, holiday, tmp_path):
    """`report --reveal --output` to a file that cannot be written (a name too long, a folder that
    does not exist, a file there without --force): exit 1, and no reveal in the trail, as nothing
    was shown to anyone."""
    before = tct("log", "-f", "json").json()
    (tmp_path / "kept.md").write_text("x", encoding="utf-8")
    for target in (tmp_path / ("ế" * 200), tmp_path / "no-such-folder" / "r.md", tmp_path / "kept.md"):
        run = tct("report", "tet-2021", "--reveal", "--output", str(target))
        assert run.exit_code == 1, (target, run.stderr)
    assert tct("log", "-f", "json").json() == before
    assert tct("report", "tet-2021", "--reveal", "--output", str(tmp_path / "r.md")).exit_code == 0
    assert [e["action"] for e in tct("log", "-f", "json").json()][-1] == "reveal"


def test_a_denouncer_is_not_named_on_a_complaint_of_theirs_even_revealed(tct):
    """--reveal names the citizens of flagged cases, never one who ever came to denounce: their
    complaint would name them too."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    who = ["--citizen", "Hoàng Văn Tố", "--id-number", "012345678901", "--officer", "binh", "-y"]
    assert tct("visit", "add", *who, "--type", "denunciation", "--field", "land",
               "--at", "05/02/2021 09:00").exit_code == 0
    assert tct("visit", "add", *who, "--type", "complaint", "--field", "land", "--people", "6",
               "--at", "06/02/2021 09:00").exit_code == 0
    assert tct("visit", "add", "--citizen", "Ngô Văn Cũ", "--officer", "binh", "--type", "complaint", "--field",
               "land", "--people", "6", "--at", "06/02/2021 10:00", "-y").exit_code == 0
    for extra in ([], ["--reveal"]):
        run = tct("report", "tet-2021", "-f", "json", *extra)
        assert run.exit_code == 0, run.stderr
        named = [case["citizen"] for case in run.json()["flagged_cases"] if case["type"] == "complaint"]
        assert "Hoàng" not in run.stdout and "H. V. T." not in run.stdout
        # both crowd complaints are listed; only the other citizen's is named (initials unless revealed)
        assert len(named) == 2 and set(named) == {None, "Ngô Văn Cũ" if extra else "N. V. C."}


def test_content_counts_each_case_once_under_its_own_type_and_field(tct, holiday):
    """The official form counts cases by content: a denunciation visit made on complaint case A
    (tct warns, and keeps it on A) is A's visit, and A is one land complaint, not also a denunciation."""
    run = tct("visit", "add", "--citizen", "Ngô Văn Cũ", "--case", holiday["a"], "--type", "denunciation",
              "--field", "administration", "--at", "18/02/2021 09:00", "--officer", "binh", "-y")
    assert run.exit_code == 0, run.stderr
    data = tct("report", "tet-2021", "-f", "json").json()
    content, total = data["content"], data["reception"]["total"]
    assert content["by_type"]["complaint"] == {"visits": 5, "cases": 2}  # A (3 visits in the period) and B (2)
    assert content["by_type"]["denunciation"] == {"visits": 1, "cases": 1}  # D alone
    assert content["by_field"]["land"] == {"visits": 5, "cases": 2}
    assert content["by_field"]["administration"] == {"visits": 1, "cases": 1}
    for table in ("by_type", "by_field"):
        assert sum(row["cases"] for row in content[table].values()) == total["cases_old"] + total["cases_new"] == 4
        assert sum(row["visits"] for row in content[table].values()) == total["visits"] == 8
    assert sum(sum(row.values()) for row in content["cases_by_type_field"].values()) == 4
    assert content["cases_by_type_field"]["complaint"]["land"] == 2


def _accepted_in_january(tct) -> list[str]:  # type: ignore[no-untyped-def]
    """A denunciation received 5 Jan 2021 and accepted the 6th, a complaint received the 6th and
    accepted the 7th: both overdue by the end of Tết 2021 unless complex or extended. Their codes."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    codes = []
    for kind, received, accepted in (("denunciation", "05/01/2021", "06/01/2021"),
                                     ("complaint", "06/01/2021", "07/01/2021")):
        run = tct("visit", "add", "--citizen", "Ai Đó", "--type", kind, "--field", "land", "--at",
                  f"{received} 09:00", "--officer", "binh", "-y", "-f", "json")
        assert run.exit_code == 0, run.stderr
        codes.append(run.json()["case"])
        assert tct("case", "accept", codes[-1], "--date", accepted).exit_code == 0
    return codes


def test_a_hotspot_counts_when_its_localitys_delegations_called_for_it_whenever_they_were_entered(tct, db_path):
    """A hotspot flag, like a crowd flag, is set when the visits are entered (here years after): the
    report counted it from that moment, so a past period's flagged cases named none while `tct
    hotspots` named the place. It counts from the day the locality's delegations made it one."""
    tct("officer", "add", "Trần Thị Bình")
    crowd = ["--type", "complaint", "--field", "land", "--people", "6", "--representatives", "A",
             "--locality", "Xã Vĩnh Hòa"]
    first = _visit(tct, "--citizen", "Đoàn thôn Một", *crowd, "--at", "05/02/2021 09:00")["case"]
    second = _visit(tct, "--citizen", "Đoàn thôn Hai", *crowd, "--at", "20/02/2021 09:00")["case"]
    alone = _visit(tct, "--citizen", "Đoàn xã khác", *crowd[:-1], "Xã Khác", "--at", "06/02/2021 09:00")["case"]
    assert tct("case", "show", first, "-f", "json").json()["flags"] == ["crowd", "hotspot"]  # set today

    def flagged(period):  # type: ignore[no-untyped-def]
        report = tct("report", period, "-f", "json").json()
        return {c["code"]: c["flags"] for c in report["flagged_cases"]}

    assert flagged("01/02/2021..23/02/2021") == {first: ["crowd", "hotspot"], second: ["crowd", "hotspot"],
                                                 alone: ["crowd"]}
    # by 10 February the second delegation had not come: no hotspot yet
    assert flagged("01/02/2021..10/02/2021") == {first: ["crowd"], alone: ["crowd"]}
    # cleared by hand on 21 February (as an officer did that day), it is not one on the 23rd, though tct set
    # it again when a delegation of 1 March was entered (after the clearing); it is one again from that day
    import sqlite3

    with sqlite3.connect(db_path) as con:
        con.execute("UPDATE case_flag SET cleared_at = '2021-02-21 03:00:00.000000', cleared_by = 'Trần Thị Bình', "
                    "clear_reason = 'đã đối thoại' WHERE kind = 'hotspot' AND case_id = "
                    "(SELECT id FROM cases WHERE code = ?)", (first,))
    con.close()
    _visit(tct, "--citizen", "Đoàn thôn Một", "--case", first, "--people", "6", "--representatives", "A",
           "--at", "01/03/2021 09:00")
    assert "hotspot" in tct("case", "show", first, "-f", "json").json()["flags"]
    assert flagged("01/02/2021..23/02/2021")[first] == ["crowd"]
    assert flagged("01/02/2021..20/02/2021")[first] == ["crowd", "hotspot"]
    assert flagged("01/02/2021..05/03/2021")[first] == ["crowd", "hotspot"]


def test_backlog_ignores_complexity_and_extensions_entered_after_the_periods_last_day(tct):
    """On 23 Feb 2021 a denunciation accepted on 6 Jan was 18 days past its 30 days, and a complaint
    accepted on 7 Jan 17 days past its 30: flagging them complex and extending the denunciation today
    (years later) does not change what the Tết 2021 report says, only a report of a later day."""
    codes = _accepted_in_january(tct)
    on_time = [{"code": codes[0], "type": "denunciation", "deadline": "2021-02-05", "days_overdue": 18,
                "status": "accepted"},
               {"code": codes[1], "type": "complaint", "deadline": "2021-02-06", "days_overdue": 17,
                "status": "accepted"}]
    assert tct("report", "tet-2021", "-f", "json").json()["backlog"] == on_time
    for code in codes:
        assert tct("case", "flag", code, "--complex", "--reason", "phức tạp").exit_code == 0
    assert tct("case", "extend", codes[0], "--days", "30", "--reason", "gia hạn").exit_code == 0
    assert tct("report", "tet-2021", "-f", "json").json()["backlog"] == on_time
    today = tct("report", "today..today", "-f", "json").json()["backlog"]  # complex and extended as of today
    assert [(b["code"], b["deadline"]) for b in today] == [(codes[0], "2021-03-07"), (codes[1], "2021-02-21")]


def test_complexity_and_extensions_dated_into_the_period_count_for_its_backlog(tct):
    """A decision entered late with its day (`--date`) moves the deadline of the backlog of that day
    on: the same two cases as above, flagged complex on 20 Jan 2021 and the denunciation extended on
    25 Jan, entered years later. Clearing the complaint's complexity dated 22 Feb puts it back."""
    codes = _accepted_in_january(tct)
    for code in codes:
        assert tct("case", "flag", code, "--complex", "--reason", "phức tạp", "--date", "20/01/2021").exit_code == 0
    assert tct("case", "extend", codes[0], "--days", "30", "--reason", "gia hạn", "--date", "25/01/2021"
               ).exit_code == 0
    backlog = tct("report", "tet-2021", "-f", "json").json()["backlog"]
    assert [(b["code"], b["deadline"], b["days_overdue"]) for b in backlog] == [(codes[1], "2021-02-21", 2)]
    # Before the decisions' days they did not count: the backlog of 19 Jan is not moved by them.
    early = tct("report", "19/01/2021..19/01/2021", "-f", "json").json()["backlog"]
    assert early == []  # (nothing was overdue yet)
    assert tct("case", "unflag", codes[1], "--complex", "--reason", "đơn giản", "--date", "22/02/2021"
               ).exit_code == 0
    backlog = tct("report", "tet-2021", "-f", "json").json()["backlog"]
    assert [(b["code"], b["deadline"], b["days_overdue"]) for b in backlog] == [(codes[1], "2021-02-06", 17)]
    events = tct("log", "--entity", codes[0], "-f", "json").json()
    assert {e["action"]: e["changes"]["after"].get("decided_on") for e in events
            if e["action"] in ("flag", "extend")} == {"flag": "2021-01-20", "extend": "2021-01-25"}


def test_a_decision_dated_the_day_complexity_was_entered_is_taken(tct, monkeypatch):
    """The complex flag entered on the day it was decided, at 15:00 (without --date); the extension
    and, on another case, the lifting of complexity decided that same day and entered later with
    `--date` of that day are not refused as if they came before the flag. The backlog of that day
    counts the extension; the complaint cleared that day is not complex on it."""
    from datetime import UTC, datetime

    from tct import dates

    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    codes = []
    for kind in ("denunciation", "complaint"):
        run = tct("visit", "add", "--citizen", "Ai Đó", "--type", kind, "--field", "land", "--at",
                  "05/01/2021 09:00", "--officer", "binh", "-y", "-f", "json")
        codes.append(run.json()["case"])
        assert tct("case", "accept", codes[-1], "--date", "06/01/2021").exit_code == 0
    with monkeypatch.context() as patch:  # entered on 20 Jan 2021 at 15:00, office time
        patch.setattr(dates, "utc_now", lambda: datetime(2021, 1, 20, 8, 0, tzinfo=UTC))
        for code in codes:
            assert tct("case", "flag", code, "--complex", "--reason", "phức tạp").exit_code == 0
    run = tct("case", "extend", codes[0], "--days", "30", "--reason", "gia hạn", "--date", "20/01/2021")
    assert run.exit_code == 0, run.stderr
    run = tct("case", "unflag", codes[1], "--complex", "--reason", "đơn giản", "--date", "20/01/2021")
    assert run.exit_code == 0, run.stderr
    day = tct("report", "20/01/2021..20/01/2021", "-f", "json").json()
    assert day["backlog"] == []
    backlog = tct("report", "tet-2021", "-f", "json").json()["backlog"]
    assert [(b["code"], b["deadline"]) for b in backlog] == [(codes[1], "2021-02-05")]
    # The case's timeline keeps the order the decisions were taken in: complexity, then the extension.
    events = [e["event"] for e in tct("case", "show", codes[0], "-f", "json").json()["timeline"]]
    assert events == ["visit", "status", "flag", "extension"]


def test_an_extension_may_be_dated_while_an_earlier_complexity_was_in_effect(tct):
    """Complex from 20 to 31 Jan, cleared, complex again from 10 Feb: an extension decided on 25 Jan
    is dated then; one dated 5 Feb, when the case was not complex, is refused."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    case = tct("visit", "add", "--citizen", "Ai Đó", "--type", "denunciation", "--field", "land", "--at",
               "05/01/2021 09:00", "--officer", "binh", "-y", "-f", "json").json()["case"]
    assert tct("case", "accept", case, "--date", "06/01/2021").exit_code == 0
    for action, day in (("flag", "20/01/2021"), ("unflag", "01/02/2021"), ("flag", "10/02/2021")):
        assert tct("case", action, case, "--complex", "--reason", "r", "--date", day).exit_code == 0
    before = tct("log", "-f", "json").json()
    assert_one_line_error(tct("case", "extend", case, "--days", "30", "--reason", "g", "--date", "05/02/2021"),
                          1, "not complex on 05/02/2021")
    assert tct("log", "-f", "json").json() == before
    run = tct("case", "extend", case, "--days", "30", "--reason", "g", "--date", "25/01/2021")
    assert run.exit_code == 0, run.stderr
    backlog = tct("report", "01/02/2021..28/02/2021", "-f", "json").json()["backlog"]
    assert backlog == []  # (deadline 7 March: accepted 6 Jan + 30 + 30 days)


@pytest.mark.parametrize(("args", "code", "message"), [
    (["case", "flag", "{0}", "--complex", "--reason", "r", "--date", "01/01/2099"], 1, "in the future"),
    (["case", "flag", "{0}", "--complex", "--reason", "r", "--date", "04/01/2021"], 1, "before case"),
    (["case", "flag", "{0}", "--crowd", "--reason", "r", "--date", "10/01/2021"], 2, "--complex only"),
    (["case", "extend", "{0}", "--days", "30", "--reason", "r", "--date", "05/01/2021"], 1, "before case"),
    (["case", "extend", "{0}", "--days", "30", "--reason", "r", "--date", "15/01/2021"], 1,
     "not complex on 15/01/2021"),
    (["case", "unflag", "{0}", "--complex", "--reason", "r", "--date", "15/01/2021"], 1,
     "cannot be cleared before it was set"),
])
def test_a_decision_cannot_be_dated_outside_the_cases_life(tct, args, code, message):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    case = tct("visit", "add", "--citizen", "Ai Đó", "--type", "denunciation", "--field", "land", "--at",
               "05/01/2021 09:00", "--officer", "binh", "-y", "-f", "json").json()["case"]
    assert tct("case", "accept", case, "--date", "06/01/2021").exit_code == 0
    if "flag" not in args[1] or "unflag" in args[1]:
        assert tct("case", "flag", case, "--complex", "--reason", "r", "--date", "20/01/2021").exit_code == 0
    before = tct("log", "-f", "json").json()
    assert_one_line_error(tct(*[a.format(case) for a in args]), code, message)
    assert tct("log", "-f", "json").json() == before


def test_who_came_on_a_denunciation_case_and_its_locality_are_in_no_report(tct):
    """A citizen who came on a denunciation case (even on a visit typed complaint) is a denouncer, as
    in `tct export`: not named on a crowd complaint of theirs, even revealed. A denunciation case's
    locality is its denouncer's, as typed at the desk: withheld too, though the case is listed."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    at_desk = ["--officer", "binh", "-y", "-f", "json"]
    run = tct("visit", "add", "--citizen", "Zyx Mật", "--type", "denunciation", "--field", "administration",
              "--locality", "Thôn Bímật Xã Kín", "--people", "6", "--representatives", "Zyx Mật",
              "--at", "11/02/2021 09:00", *at_desk)
    assert run.exit_code == 0, run.stderr
    denunciation = run.json()["case"]
    who = ["--citizen", "Quách Đồng Tố", "--id-number", "012345678901"]
    assert tct("visit", "add", *who, "--case", denunciation, "--type", "complaint", "--at", "12/02/2021 09:00",
               *at_desk).exit_code == 0
    assert tct("visit", "add", *who, "--type", "complaint", "--field", "land", "--people", "6",
               "--representatives", "Quách Đồng Tố", "--at", "12/02/2021 10:00", *at_desk).exit_code == 0
    for extra in ([], ["--reveal"]):
        flagged = tct("report", "tet-2021", "-f", "json", *extra).json()["flagged_cases"]
        assert [(c["type"], c["citizen"], c["locality"]) for c in flagged] == [("denunciation", None, None),
                                                                            ("complaint", None, None)]
        for fmt in ("json", "csv", "md", "table"):
            text = tct("report", "tet-2021", "-f", fmt, *extra).stdout
            for secret in ("Quách", "Q. Đ. T.", "Bímật", "Zyx", "Z. M."):
                assert secret not in text, (fmt, secret)
