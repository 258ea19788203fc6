"""The command layer: exit codes, one-line errors, settings, the audit log, output formats, language."""

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import assert_one_line_error


def test_usage_error_exits_2_and_names_the_option(tct):
    run = tct("db", "info", "--colour")
    assert_one_line_error(run, 2, "--colour")
    run = tct("db", "info", "--format", "xml")
    assert_one_line_error(run, 2, "--format")


def test_unknown_command_is_a_usage_error(tct):
    assert_one_line_error(tct("frobnicate"), 2, "frobnicate")


def test_validation_error_exits_1_with_one_line_and_writes_nothing(tct):
    run = tct("config", "set", "delegation.min_people", "1")
    assert_one_line_error(run, 1, "delegation.min_people")
    assert tct("log", "-f", "json").json() == []


def test_unknown_setting_is_an_error(tct):
    assert_one_line_error(tct("config", "get", "no.such"), 1, "unknown setting")


def test_tct_debug_shows_the_traceback(db_path):
    from typer.testing import CliRunner

    from tct.cli import app
    from tct.errors import ValidationError

    result = CliRunner().invoke(app, ["--db", str(db_path), "config", "set", "delegation.min_people", "abc"],
                                env={"TCT_DEBUG": "1"})
    assert isinstance(result.exception, ValidationError)  # raised, not turned into a one-line error


def test_no_arguments_prints_help(tct):
    run = tct(db=False)
    assert run.exit_code == 0
    assert "Usage" in run.stdout


def test_config_set_get_list_and_audit(tct):
    assert tct("config", "set", "agency.name", "Sở Thông tin và Truyền thông").exit_code == 0
    assert tct("config", "get", "agency.name").stdout.strip() == "Sở Thông tin và Truyền thông"
    listing = {row["key"]: row for row in tct("config", "list", "-f", "json").json()}
    assert listing["agency.name"]["value"] == "Sở Thông tin và Truyền thông"
    assert listing["agency.name"]["default"] is False
    assert listing["delegation.min_people"] == {**listing["delegation.min_people"], "value": 5, "default": True}
    events = tct("log", "-f", "json").json()
    assert len(events) == 1
    event = events[0]
    assert event["entity"] == "setting" and event["code"] == "agency.name" and event["action"] == "set"
    assert event["actor"] == "tester"
    assert event["changes"] == {"before": {"value": ""}, "after": {"value": "Sở Thông tin và Truyền thông"}}


def test_config_list_values(tct):
    assert tct("config", "set", "visit.fields", "land; housing; môi trường").exit_code == 0
    assert tct("config", "get", "visit.fields", "-f", "json").json()["value"] == ["land", "housing", "môi trường"]
    # A comma is part of a name (README: lists are separated by ";"), as in many an agency's.
    assert tct("config", "set", "referral.agencies", "Thanh tra tỉnh; UBND huyện Châu Thành, tỉnh An Giang"
               ).exit_code == 0
    assert tct("config", "get", "referral.agencies", "-f", "json").json()["value"] == [
        "Thanh tra tỉnh", "UBND huyện Châu Thành, tỉnh An Giang"]
    # What `config get` prints is what `config set` takes back: the same list.
    shown = tct("config", "get", "referral.agencies").stdout.strip()
    assert shown == "Thanh tra tỉnh; UBND huyện Châu Thành, tỉnh An Giang"
    assert tct("config", "set", "visit.fields", tct("config", "get", "visit.fields").stdout.strip()).exit_code == 0
    assert tct("config", "get", "visit.fields", "-f", "json").json()["value"] == ["land", "housing", "môi trường"]
    assert "| referral.agencies | Thanh tra tỉnh; UBND" in tct("config", "list", "-f", "md").stdout
    assert_one_line_error(tct("config", "set", "shift.morning", "11:30-07:30"), 1, "HH:MM-HH:MM")
    assert_one_line_error(tct("config", "set", "timezone", "Mars/Olympus"), 1, "time zone")


def test_the_time_zone_is_set_before_the_first_visit_and_kept_after(tct):
    """Visits are dated by the office's day when entered (a visit at 00:30 belongs to that day): a
    new zone would date new visits otherwise and show old ones on another day than they count on."""
    assert tct("config", "set", "timezone", "Asia/Bangkok").exit_code == 0
    assert tct("config", "set", "timezone", "Asia/Ho_Chi_Minh").exit_code == 0
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", "10/02/2021 00:30").exit_code == 0
    assert tct("visit", "void", "TCD-2021-0001", "--reason", "nhầm").exit_code == 0  # (void still dated)
    assert_one_line_error(tct("config", "set", "timezone", "UTC"), 1, "Asia/Ho_Chi_Minh", "before the first visit")
    assert "trước lượt tiếp đầu tiên" in tct("config", "set", "timezone", "UTC", env=VI).stderr
    assert tct("config", "get", "timezone", "-f", "json").json()["value"] == "Asia/Ho_Chi_Minh"
    assert tct("config", "set", "timezone", "Asia/Ho_Chi_Minh").exit_code == 0  # (the same: nothing changes)


@pytest.mark.parametrize(("args", "vietnamese", "english"), [
    (["visit.fields", " ; "], "visit.fields cần ít nhất một giá trị (các giá trị cách nhau bằng ';')",
     "visit.fields needs at least one value (separate values with ';')"),
    (["visit.fields", "land; housing; land"], "visit.fields có một giá trị bị lặp lại",
     "visit.fields lists a value twice"),
    (["shift.morning", "11:30-07:30"],
     "shift.morning cần dạng HH:MM-HH:MM, giờ bắt đầu trước giờ kết thúc, ví dụ 07:30-11:30",
     "shift.morning takes HH:MM-HH:MM with the start before the end, e.g. 07:30-11:30"),
])
def test_setting_errors_are_said_in_vietnamese(tct, args, vietnamese, english):
    run = tct("--lang", "vi", "config", "set", *args)
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Lỗi: {vietnamese}"], run.stderr
    run = tct("config", "set", *args)
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Error: {english}"], run.stderr


def test_setting_the_same_value_writes_no_audit_event(tct):
    tct("config", "set", "period.before_days", "10")
    tct("config", "set", "period.before_days", "10")
    assert len(tct("log", "-f", "json").json()) == 1


def test_log_filters_by_code_and_day(tct):
    tct("config", "set", "agency.name", "A")
    tct("config", "set", "period.after_days", "5")
    assert [e["code"] for e in tct("log", "--entity", "period.after_days", "-f", "json").json()] == \
        ["period.after_days"]
    assert len(tct("log", "--from", "today", "--to", "today", "-f", "json").json()) == 2
    assert tct("log", "--from", "01/01/2021", "--to", "31/01/2021", "-f", "json").json() == []
    assert_one_line_error(tct("log", "--from", "32/01/2021"), 1, "--from")


def test_log_says_what_was_done_to_what_in_vietnamese_and_keeps_the_codes_in_csv(tct):
    tct("config", "set", "agency.name", "A")
    tct("officer", "add", "Trần Thị Bình")
    vi = tct("log", "-f", "md", env={"TCT_LANG": "vi"}).stdout
    assert "| thiết lập | agency.name | đặt |" in vi
    assert "| cán bộ | Trần Thị Bình | tạo mới |" in vi
    en = tct("log", "-f", "md").stdout
    assert "| setting | agency.name | set |" in en and "| officer | Trần Thị Bình | create |" in en
    assert ",setting,agency.name,set," in tct("log", "-f", "csv", env={"TCT_LANG": "vi"}).stdout


def test_log_in_vietnamese_names_every_audited_field_in_vietnamese(tct):
    """A period's, a shift's, a flag's and a referral's fields were shown by their English keys
    (title, start, end, before_days, role, flag, source, to…) and a period's name as a person's
    full name (họ tên); JSON keeps the keys."""
    assert tct("officer", "add", "Trần Thị Bình", "--title", "Chuyên viên").exit_code == 0
    assert tct("period", "add", "dot-1", "--from", "01/12/2026", "--to", "05/12/2026", "--title", "Đợt cao điểm",
               "--before-days", "3", "--after-days", "2").exit_code == 0
    assert tct("roster", "add", "binh", "--date", "01/12/2026", "--shift", "morning").exit_code == 0
    assert tct("roster", "remove", "binh", "--date", "01/12/2026", "--reason", "ốm").exit_code == 0
    assert tct("visit", "add", "--citizen", "A", "--type", "denunciation", "--field", "land", "--officer", "binh",
               "--at", "01/12/2026 09:00").exit_code == 0
    # (the complexity dated, as the extension is: undated it is the office's today, after 3 December once
    # the office's clock has passed it, and the extension would predate it)
    assert tct("case", "flag", "VV-2026-0001", "--complex", "--reason", "nhiều nội dung",
               "--date", "01/12/2026").exit_code == 0
    assert tct("case", "accept", "VV-2026-0001", "--date", "02/12/2026").exit_code == 0
    assert tct("case", "extend", "VV-2026-0001", "--days", "30", "--reason", "phức tạp",
               "--date", "03/12/2026").exit_code == 0
    assert tct("case", "refer", "VV-2026-0001", "--to", "Thanh tra tỉnh", "--date", "03/12/2026").exit_code == 0
    shown = tct("log", "-f", "md", env=VI).stdout
    changes = [line.split(" | ")[5] for line in shown.splitlines()[2:]]
    keys = {part.split("=")[0].split(":")[0].strip() for cell in changes for part in cell.replace(";", ",").split(",")
            if "=" in part or ":" in part}
    for english in ("title", "start", "end", "before_days", "after_days", "role", "shift", "flag", "source", "to",
                    "sent_on", "decided_on", "days"):
        assert english not in keys, (english, keys)
    assert "họ tên=dot-1" not in shown and "mã đợt=dot-1" in shown and "tên đợt=Đợt cao điểm" in shown
    assert "số ngày trước đợt=3" in shown
    assert "chức vụ=Chuyên viên" in shown and "giờ bắt đầu: 07:30 → " in shown
    assert "cảnh báo=phức tạp" in shown and "gửi đến=Thanh tra tỉnh" in shown
    assert "| title | start" not in shown
    period = [e for e in tct("log", "-f", "json", env=VI).json() if e["entity"] == "period"][0]
    assert set(period["changes"]["after"]) == {"name", "title", "start", "end", "before_days", "after_days"}


def test_log_in_vietnamese_says_a_change_of_the_fields_by_their_names(tct):
    """`config set visit.fields` showed in the trail as "giá trị: land, housing, … → …", the codes
    `config get` no longer says in Vietnamese, joined by commas that the names hold themselves."""
    assert tct("config", "set", "visit.fields", "đất đai; báo chí, truyền thông; môi trường").exit_code == 0
    shown = tct("log", "-f", "md", env=VI).stdout
    assert "giá trị: đất đai; nhà ở; chế độ chính sách;" in shown
    assert "→ đất đai; báo chí, truyền thông; môi trường |" in shown and "land" not in shown
    assert tct("log", "-f", "json").json()[0]["changes"]["after"]["value"] == ["land", "press-media", "môi trường"]


def test_log_of_a_code_no_event_names_says_so(tct):
    """A mistyped code is not a record nobody touched: the empty trail comes with a notice."""
    tct("officer", "add", "Trần Thị Bình")
    run = tct("log", "--entity", "VV-2021-9999", "-f", "json")
    assert run.exit_code == 0 and run.json() == []
    assert "No event names VV-2021-9999" in run.stderr
    assert "Không có sự kiện nào ghi VV-2021-9999" in tct("log", "--entity", "vv-2021-9999", env=VI).stderr
    assert "No event" not in tct("log", "--entity", "Trần Thị Bình").stderr


def test_log_of_a_citizen_typed_as_cd_05_is_cd_5s(tct):
    """Codes are taken without their leading zeros (vv-2021-1); a citizen's too: `--entity cd-05`
    found nothing of CD-5."""
    tct("officer", "add", "Trần Thị Bình")
    assert tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", "04/02/2021 09:00").exit_code == 0
    events = tct("log", "--entity", "cd-01", "-f", "json").json()
    assert events and {e["code"] for e in events} == {"CD-1"}


def test_log_table_shows_a_changed_day_day_first_and_json_keeps_it_iso(tct):
    tct("officer", "add", "Trần Thị Bình")
    assert tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", "04/02/2021 09:00").exit_code == 0
    table = tct("log", "--entity", "VV-2021-0001", "-f", "md", env={"TCT_LANG": "vi"}).stdout
    assert "hạn giải quyết=14/02/2021" in table and "ngày tiếp nhận=04/02/2021" in table and "2021-02-" not in table
    event = tct("log", "--entity", "VV-2021-0001", "-f", "json").json()[0]
    assert event["changes"]["after"]["deadline"] == "2021-02-14"


def test_log_says_which_fields_a_citizen_record_gained_in_words_not_as_a_list(tct):
    """A second visit by the same ID number fills the citizen's missing address and phone: the
    table says the fields plainly (no Python list), in Vietnamese too; and, no event having a
    reason, it leaves the empty reason column out to give the changes the width."""
    tct("officer", "add", "Trần Thị Bình")
    common = ("--type", "complaint", "--field", "land", "--officer", "binh", "--id-number", "079123456789")
    assert tct("visit", "add", "--citizen", "Nguyễn Văn An", *common, "--at", "04/02/2021 09:00").exit_code == 0
    assert tct("visit", "add", "--citizen", "Nguyen Van An", *common, "--at", "05/02/2021 09:00",
               "--address", "12 Lê Lợi", "--phone", "0903123456").exit_code == 0
    en = tct("log", "--entity", "CD-1", "-f", "md").stdout
    assert "| complete | fields=address, phone |" in en and "[" not in en
    assert en.splitlines()[0].endswith("| changes |")
    assert "các mục=địa chỉ, điện thoại" in tct("log", "--entity", "CD-1", "-f", "md", env=VI).stdout
    assert tct("log", "--entity", "CD-1", "-f", "json").json()[1]["changes"]["after"]["fields"] == ["address", "phone"]
    assert tct("visit", "void", "TCD-2021-0002", "--reason", "nhập nhầm").exit_code == 0
    assert tct("log", "-f", "md").stdout.splitlines()[0].endswith("| changes | reason |")


def test_log_entity_is_a_records_code_as_its_help_says_typed_in_any_case(tct):
    """`--entity` takes a record's code; its help once offered kinds ("visit, case, setting"),
    and `--entity case` or a code typed in lower case silently showed nothing."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    added = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
                "--at", "04/02/2021 09:00", "-f", "json").json()
    for typed in (added["case"], added["case"].lower()):
        assert [(e["entity"], e["code"]) for e in tct("log", "--entity", typed, "-f", "json").json()] == \
            [("case", added["case"])]
    assert [e["code"] for e in tct("log", "--entity", added["code"].lower(), "-f", "json").json()] == \
        [added["code"]]
    helped = " ".join(tct("log", "--help").stdout.split())
    assert "VV-2021-0001" in helped and "(visit, case, setting" not in helped


def test_log_table_shows_changed_times_in_office_time(tct):
    """The trail keeps a visit's time in UTC (JSON says so: +00:00); the table a person reads says
    the office's wall-clock time, as every other table does, not 02:00 for a 09:00 visit."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    added = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
                "--at", "20/02/2021 09:00", "-f", "json").json()
    assert tct("visit", "edit", added["code"], "--at", "20/02/2021 10:30").exit_code == 0
    for fmt in ("table", "md"):
        shown = "".join(tct("log", "--entity", added["code"], "-f", fmt).stdout.split())
        assert "20/02/202109:00" in shown and "20/02/202110:30" in shown and "T02:00" not in shown
    edit = tct("log", "--entity", added["code"], "-f", "json").json()[-1]
    assert edit["changes"]["after"]["visited_at"] == "2021-02-20T03:30:00+00:00"


def test_log_shows_the_newest_events_and_says_when_older_ones_are_left_out(tct):
    """A register's trail runs to millions of events: `tct log` alone shows the newest 100."""
    for n in range(1, 6):
        assert tct("config", "set", "agency.name", f"Sở {n}").exit_code == 0
    newest = tct("log", "--limit", "3", "-f", "json")
    assert [e["changes"]["after"]["value"] for e in newest.json()] == ["Sở 3", "Sở 4", "Sở 5"]
    assert "newest 3 events" in newest.stderr
    everything = tct("log", "--limit", "5", "-f", "json")
    assert len(everything.json()) == 5 and everything.stderr == ""
    assert "--limit" in tct("log", "--help").stdout and "100" in tct("log", "--help").stdout


def test_json_output_is_one_document_and_notices_go_to_stderr(tct):
    run = tct("config", "set", "agency.name", "B")
    assert run.stdout == ""
    assert "agency.name" in run.stderr
    for args in (["db", "info"], ["config", "list"], ["log"], ["db", "check"]):
        run = tct(*args, "--format", "json")
        assert run.exit_code == 0, (args, run.stderr)
        json.loads(run.stdout)


def test_csv_and_md_formats(tct):
    tct("config", "set", "agency.name", "=HYPERLINK(\"http://x\")")
    rows = list(csv.DictReader(io.StringIO(tct("config", "list", "-f", "csv").stdout)))
    agency = next(row for row in rows if row["key"] == "agency.name")
    assert agency["value"].startswith("'=")  # a spreadsheet shows it as text, never runs it
    md = tct("config", "list", "-f", "md").stdout
    assert md.splitlines()[1].startswith("|---")


def test_table_is_plain_text_when_not_a_terminal(tct):
    out = tct("config", "list").stdout
    assert "\x1b[" not in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_labels_follow_the_language(tct):
    assert "setting" in tct("config", "list", db=True).stdout.splitlines()[0]
    vi = tct("--lang", "vi", "config", "list").stdout
    assert "thiết lập" in vi.splitlines()[0]
    assert "thiết lập" in tct("config", "list", env={"TCT_LANG": "vi"}).stdout
    assert "thiết lập" in tct("config", "list", env={"LANG": "vi_VN.UTF-8"}).stdout
    assert "thiết lập" not in tct("--lang", "en", "config", "list", env={"TCT_LANG": "vi"}).stdout
    data_vi = tct("--lang", "vi", "config", "list", "-f", "json").json()
    data_en = tct("config", "list", "-f", "json").json()
    assert data_vi == data_en  # JSON keys and values do not change with the language


VI = {"TCT_LANG": "vi"}


def test_errors_and_warnings_are_prefixed_in_the_language(tct):
    assert tct("case", "show", "VV-2021-0009", env=VI).stderr.startswith("Lỗi: ")
    assert tct("case", "show", "VV-2021-0009").stderr.startswith("Error: ")
    tct("officer", "add", "tester")
    run = tct("visit", "add", "--citizen", "Nguyễn Văn An", "--type", "khiếu-nại", "--field", "land",
              "--people", "6", "--at", "10/02/2021 08:30", env=VI)
    assert run.exit_code == 0
    assert "Lưu ý: " in run.stderr and "Warning:" not in run.stderr


def test_a_global_option_typed_after_the_command_says_where_it_goes(tct):
    """`tct visit list --lang vi` said "No such option '--lang'" in English and sent the officer to
    `tct visit list --help`, where --lang is not; it says, in the language asked for, to type it
    right after tct."""
    run = tct("visit", "list", "--lang", "vi")
    assert run.exit_code == 2
    assert run.stderr.splitlines() == ["Lỗi: --lang là tùy chọn chung: gõ ngay sau tct, trước lệnh, "
                                       "ví dụ tct --lang vi visit list"], run.stderr
    run = tct("case", "list", "--db", "x.db", env=VI)
    assert run.exit_code == 2 and "Lỗi: --db là tùy chọn chung" in run.stderr
    assert "tct --db FILE case list" in run.stderr
    run = tct("visit", "list", "--lang=en")
    assert run.exit_code == 2 and run.stderr.startswith("Error: --lang is a global option: type it before the command")
    assert "No such option '--bogus'" in tct("visit", "list", "--bogus").stderr


@pytest.mark.parametrize(("argv", "vietnamese", "english"), [
    (["visit", "add", "--bogus"], "Lỗi: Không có tùy chọn '--bogus'. (xem 'tct visit add --help')",
     "Error: No such option '--bogus'. (see 'tct visit add --help')"),
    (["case", "accept", "VV-2021-0001", "--day", "x"], "Có phải ý bạn là '--date'?", "Did you mean '--date'?"),
    (["visit", "void", "TCD-2021-0001"], "Thiếu tùy chọn '--reason'.", "Missing option '--reason'."),
    (["case", "show"], "Thiếu đối số 'CODE'.", "Missing argument 'CODE'."),
    (["visit", "list", "--limit", "abc"], "Giá trị không hợp lệ cho '--limit': 'abc' không phải là số nguyên.",
     "Invalid value for '--limit': 'abc' is not a valid integer"),
    (["visit", "list", "--limit", "0"], "0 nằm ngoài khoảng 1<=x<=100000.", "0 is not in the range 1<=x<=100000."),
    (["report", "tet-2021", "-f", "pdf"], "'pdf' không phải một trong các giá trị 'table'",
     "'pdf' is not one of 'table'"),
    (["case", "bogus"], "Không có lệnh 'bogus'.", "No such command 'bogus'."),
    (["roster", "export", "tet-2021", "x"], "Có đối số thừa: x", "Got unexpected extra argument (x)"),
    (["visit", "add", "--type"], "Tùy chọn '--type' cần một giá trị.", "Option '--type' requires an argument."),
    (["--lang", "fr", "visit", "list"], "Giá trị không hợp lệ cho '--lang': chọn vi hoặc en",
     "Invalid value for '--lang': choose vi or en"),
])
def test_command_line_mistakes_are_said_in_vietnamese(tct, argv, vietnamese, english):
    run = tct(*argv, env=VI)
    assert run.exit_code == 2
    assert vietnamese in run.stderr, run.stderr
    assert english in tct(*argv).stderr


@pytest.mark.parametrize(("argv", "vietnamese"), [
    (["case", "flag", "VV-2021-0001"], "Lỗi: chọn đúng một trong --crowd, --repeat, --escalated, --complex, "
                                       "--hotspot"),
    (["hotspots", "--from", "02/02/2021", "--to", "01/02/2021"], "Lỗi: --to sớm hơn --from"),
    (["log", "--from", "02/02/2021", "--to", "01/02/2021"], "Lỗi: --to sớm hơn --from"),
    (["import"], "Lỗi: cần một trong hai: TỆP"),
    (["import", "--visits", "/nonexistent/v.csv"], "Lỗi: không đọc được /nonexistent/v.csv"),
    (["report", "tet-2021", "-f", "xlsx"], "Lỗi: --format xlsx cần --output TỆP"),
    (["roster", "list"], "Lỗi: cho tên ĐỢT (ví dụ tet-2021) hoặc --from NGÀY [--to NGÀY]"),
    (["roster", "list", "tet-2021", "--from", "01/02/2021"], "Lỗi: chỉ cho một trong hai: tên ĐỢT hoặc --from/--to"),
    (["visit", "add", "--citizen", "X", "--field", "land"], "Lỗi: thiếu --type (không có cửa sổ lệnh để hỏi)"),
])
def test_errors_of_the_command_layer_are_said_in_vietnamese(tct, argv, vietnamese):
    assert tct("config", "set", "agency.name", "Sở").exit_code == 0  # (a register to read: see the next test)
    run = tct(*argv, env=VI)
    assert run.exit_code in (1, 2)
    assert vietnamese in run.stderr, run.stderr


@pytest.fixture
def desk_with_a_case(tct):
    tct("officer", "add", "tester")
    run = tct("visit", "add", "--citizen", "Nguyễn Văn An", "--type", "complaint", "--field", "land",
              "--at", "10/02/2021 08:30", "-f", "json")
    assert run.exit_code == 0, run.stderr
    return tct, run.json()["case"]


@pytest.mark.parametrize(("argv", "vietnamese", "english"), [
    (["visit", "add", "--citizen", "A", "--type", "xyz", "--field", "land", "--at", "10/02/2021"],
     "Lỗi: --type 'xyz' không thuộc: khiếu nại; tố cáo; kiến nghị; phản ánh",
     "Error: --type 'xyz' is not one of: complaint, denunciation, petition, feedback"),
    (["visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "31/02/2021"],
     "Lỗi: --at: '31/02/2021' không phải là ngày có thật; hãy dùng DD/MM/YYYY",
     "Error: --at: '31/02/2021' is not a real date; use YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY"),
    (["visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "tuần sau"],
     "có thể kèm giờ HH:MM", "optionally followed by a time HH:MM"),
    (["case", "show", "VV-2099-0009"], "Lỗi: không có vụ việc 'VV-2099-0009'", "Error: no case 'VV-2099-0009'"),
    (["officer", "add", " "], "Lỗi: cần nhập tên cán bộ", "Error: officer name is required"),
    (["visit", "show", "TCD-2099-0009"], "Lỗi: không có lượt tiếp 'TCD-2099-0009'",
     "Error: no visit 'TCD-2099-0009'"),
    (["case", "resolve", "{case}", "--result", "upheld"],
     "Lỗi: vụ việc {case} đang ở trạng thái mới tiếp nhận; `case resolve` chỉ dùng khi vụ việc đã thụ lý",
     "Error: case {case} is new; `case resolve` needs it to be accepted"),
    (["case", "accept", "{case}", "--date", "01/02/2021"], None, "is before case {case} was opened"),
    (["case", "extend", "{case}", "--days", "10", "--reason", "x"],
     "Lỗi: pháp luật không cho gia hạn giải quyết khiếu nại; hãy gắn cảnh báo phức tạp",
     "Error: the law allows no extension for a complaint; flag it complex for the longer deadline"),
    (["case", "unflag", "{case}", "--crowd"], "Lỗi: gỡ cảnh báo cần --reason (lý do)",
     "Error: clearing a flag needs --reason"),
    (["case", "flag", "{case}", "--hotspot"], "Lỗi: gắn cảnh báo điểm nóng bằng tay cần --reason (lý do)",
     "Error: a hotspot flag set by hand needs --reason"),
    (["case", "unflag", "{case}", "--crowd", "--reason", "x"], "Lỗi: vụ việc {case} không có cảnh báo đông người",
     "Error: case {case} is not flagged crowd"),
    (["roster", "add", "tester", "--date", "01/02/2021", "--start", "08:00"],
     "Lỗi: ca trực theo giờ cần cả --start HH:MM và --end HH:MM",
     "Error: a custom shift needs both --start HH:MM and --end HH:MM"),
    (["roster", "remove", "tester", "--date", "01/02/2021", "--shift", "chiều"],
     "Lỗi: tester không có ca chiều vào ngày 01/02/2021; không xóa gì",
     "Error: tester has no afternoon shift on 01/02/2021; nothing was removed"),
    (["roster", "remove", "tester", "--date", "01/02/2021", "--shift", "cả ngày"],
     "Lỗi: tester không có ca cả ngày vào ngày 01/02/2021; không xóa gì",
     "Error: tester has no full shift on 01/02/2021; nothing was removed"),
    (["roster", "add", "tester", "--date", "01/02/2021", "--start", "10:00", "--end", "09:00"],
     "Lỗi: --end 09:00 không muộn hơn --start 10:00", "Error: --end 09:00 is not after --start 10:00"),
    (["report", "28/02/2021..01/02/2021"], "Lỗi: khoảng ngày '28/02/2021..01/02/2021' kết thúc trước khi bắt đầu",
     "Error: the range '28/02/2021..01/02/2021' ends before it starts"),
    (["config", "set", "repeat.min_visits", "ba"], "Lỗi: repeat.min_visits cần một số nguyên, không phải 'ba'",
     "Error: repeat.min_visits takes a whole number, not 'ba'"),
    (["config", "set", "timezone", "Mars/Olympus"],
     "Lỗi: múi giờ 'Mars/Olympus' không tồn tại (ví dụ Asia/Ho_Chi_Minh)",
     "Error: unknown time zone 'Mars/Olympus' (e.g. Asia/Ho_Chi_Minh)"),
    (["config", "set", "no.such", "1"], "Lỗi: không có thiết lập 'no.such'",
     "Error: unknown setting 'no.such'; `tct config list` shows them all"),
    (["visit", "list", "--officer", "nobody"], "Lỗi: không có cán bộ nào khớp với 'nobody'; các cán bộ: tester",
     "Error: no officer matches 'nobody'; officers: tester"),
])
def test_the_desks_common_errors_are_said_in_vietnamese(desk_with_a_case, argv, vietnamese, english):
    """The errors an officer meets most, raised by the library, read in the desk's language; the
    English of each is what it was (other tests pin more of them)."""
    tct, case = desk_with_a_case
    argv = [arg.replace("{case}", case) for arg in argv]
    run = tct(*argv, env=VI)
    assert run.exit_code in (1, 2)
    if vietnamese is not None:
        assert vietnamese.replace("{case}", case) in run.stderr, run.stderr
    assert english.replace("{case}", case) in tct(*argv).stderr


def test_the_desks_warnings_and_an_imports_bad_rows_are_said_in_vietnamese(tct, tmp_path):
    """The warnings of `visit add` and the bad rows `import --visits` lists are made in the library,
    in English; a Vietnamese desk reads them in Vietnamese. JSON keeps the English."""
    tct("officer", "add", "tester")
    tct("roster", "add", "tester", "--date", "01/01/2021")  # a register that keeps a roster
    run = tct("visit", "add", "--officer", "tester", "--citizen", "Đoàn A", "--type", "complaint", "--field",
              "land", "--people", "7", "--at", "10/02/2021 09:00", env=VI)
    assert run.exit_code == 0, run.stderr
    assert "Lưu ý: không có ai trong lịch trực tiếp công dân vào thời điểm đó" in run.stderr
    assert "Lưu ý: đoàn 7 người cần cử 1–2 người đại diện (Luật Tiếp công dân 2013, Điều 30); đã ghi 0 người" \
        in run.stderr
    run = tct("visit", "add", "--officer", "tester", "--citizen", "Đoàn A", "--case", "VV-2021-0001",
              "--type", "petition", "--at", "11/02/2021 09:00", env=VI)
    assert "Lưu ý: vụ việc VV-2021-0001 là khiếu nại, lượt tiếp này là kiến nghị" in run.stderr
    assert "Warning: case VV-2021-0001 is a complaint, this visit a petition" in tct(
        "visit", "add", "--officer", "tester", "--citizen", "Đoàn A", "--case", "VV-2021-0001", "--type",
        "petition", "--at", "12/02/2021 09:00").stderr
    rows = tmp_path / "v.csv"
    rows.write_text("citizen,type,field,at\nA,xyz,land,10/02/2021 08:00\nB,complaint,land,31/02/2021\n",
                    encoding="utf-8")
    shown = tct("import", "--visits", str(rows), env=VI).stderr
    assert "type 'xyz' không thuộc: khiếu nại; tố cáo" in shown and "--type" not in shown
    assert "'31/02/2021' không phải là ngày có thật" in shown
    listed = tct("import", "--visits", str(rows), "-f", "json", env=VI).stderr
    assert "is not one of" in listed and "không thuộc" not in listed


@pytest.mark.parametrize("argv", [["case", "list", "--status"], ["case", "list", "--flag"], ["case", "list", "--type"],
                                  ["visit", "add", "--citizen", "Lê Văn Bốn", "--type", "complaint", "--field",
                                   "land", "--at", "10/02/2021 08:00", "--officer", "tester", "--handling"]])
def test_a_vietnamese_error_lists_words_the_officer_can_type(tct, argv):
    """A value not in the list is refused with the list in the officer's language, and each word
    listed (`đã thụ lý`, `tái diễn`, `hướng dẫn`...) is taken as typed."""
    tct("officer", "add", "tester")
    refused = tct(*argv, "khong-co", env=VI)
    assert refused.exit_code == 1 and "không thuộc: " in refused.stderr
    words = refused.stderr.strip().split("không thuộc: ", 1)[1].split("; ")
    assert len(words) >= 2 and any(not word.isascii() for word in words)
    for word in words:
        run = tct(*argv, word, env=VI)
        assert run.exit_code == 0, (word, run.stderr)


def test_every_error_label_reads_the_same_values_in_both_languages():
    """An error made by said_as is formatted with one set of values in every language: a label
    whose Vietnamese names a value its English does not (or the reverse) would fail at the desk."""
    import string

    from tct.i18n import LABELS

    for key, (english, vietnamese) in LABELS.items():
        if key.startswith("err_"):
            fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in (english,
                                                                                                    vietnamese)]
            assert fields[0] == fields[1], key


def test_rejected_files_are_counted_in_vietnamese(tct, tmp_path):
    tct("officer", "add", "tester")
    roster = tmp_path / "roster.csv"
    roster.write_text("officer,date,shift\nNobody,01/02/2021,morning\n", encoding="utf-8")
    run = tct("roster", "import", str(roster), env=VI)
    assert run.exit_code == 1 and "Lỗi: 1 dòng lỗi trong roster.csv; chưa nhập gì" in run.stderr
    assert "1 bad row in roster.csv; nothing was imported" in tct("roster", "import", str(roster)).stderr
    visits = tmp_path / "visits.csv"
    visits.write_text("citizen,type,field,at\nA,xyz,land,10/02/2021 08:00\nB,complaint,land,10/02/2021 09:00\n",
                      encoding="utf-8")
    run = tct("import", "--visits", str(visits), env=VI)
    assert run.exit_code == 1 and "Lỗi: 1/2 dòng lỗi; chưa nhập gì" in run.stderr
    assert "1 bad row of 2; nothing was imported" in tct("import", "--visits", str(visits)).stderr


HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic")


@pytest.mark.parametrize("argv", [["--help"], ["db", "--help"], ["config", "set", "--help"]])
def test_help_does_not_import_the_database_stack(argv):
    code = ("import sys\nfrom tct.cli import app\n"
            f"try:\n    app({argv!r})\nexcept SystemExit:\n    pass\n"
            f"sys.stderr.write('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage" in result.stdout
    assert result.stderr.strip().endswith("HEAVY:"), result.stderr


def test_python_dash_m_tct_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tct", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("tct ")


@pytest.mark.slow
def test_the_example_loads_as_the_readme_says_after_make_without_tct_on_path(tmp_path):
    """README: after `make demo` the command is .venv/bin/tct, and the example is loaded by
    examples/tet-2021/load.sh; a newcomer runs it from a shell whose PATH has no tct."""
    from pathlib import Path

    source = Path(__file__).parent.parent / "examples" / "tet-2021"
    checkout = tmp_path / "checkout"
    example = checkout / "examples" / "tet-2021"
    example.mkdir(parents=True)
    for name in ("load.sh", "roster.csv", "visits.csv"):
        (example / name).write_bytes((source / name).read_bytes())
    installed = checkout / ".venv" / "bin" / "tct"
    installed.parent.mkdir(parents=True)
    installed.write_text(f'#!/bin/sh\nexec "{Path(sys.executable).parent / "tct"}" "$@"\n')
    installed.chmod(0o755)
    register = tmp_path / "demo.db"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TCT_DB": str(register)}
    done = subprocess.run(["bash", str(example / "load.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    listed = subprocess.run([str(installed), "visit", "list", "--limit", "1000", "-f", "json"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert len(json.loads(listed.stdout)) == 33  # 34 visits, one voided


def test_a_said_text_keeps_its_language_through_a_pickle():
    """The bad rows of a big import are checked in a second process and pickled to the first: their
    messages must still be able to say themselves in Vietnamese there."""
    import pickle

    from tct.errors import NotFoundError
    from tct.i18n import in_language

    error = NotFoundError.said_as("err_no_case", code="VV-2021-0001")
    back = pickle.loads(pickle.dumps(error.message, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == "no case 'VV-2021-0001'" and in_language(back, "vi") == "không có vụ việc 'VV-2021-0001'"
    again = pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.said("vi") == "không có vụ việc 'VV-2021-0001'" and again.said("en") == "no case 'VV-2021-0001'"


def test_log_names_every_field_in_vietnamese(tct, tmp_path):
    """An inspector reading the trail in Vietnamese met English keys among the Vietnamese ones: an
    officer's title, a shift's hours and role, a flag and how it was set, a referral's day and
    agency, a decision's day, an import's codes. JSON keeps the trail's own keys."""
    tct("officer", "add", "Trần Thị Bình", "--title", "Thanh tra viên")
    assert tct("roster", "add", "binh", "--date", "04/02/2021", "--shift", "morning").exit_code == 0
    rows = tmp_path / "visits.csv"
    rows.write_text("citizen,type,field,at,officer,people,representatives\n"
                    "Nguyễn Văn An,complaint,land,04/02/2021 09:00,binh,6,Nguyễn Văn An\n", encoding="utf-8")
    assert tct("import", "--visits", str(rows)).exit_code == 0
    assert tct("case", "accept", "VV-2021-0001", "--date", "04/02/2021").exit_code == 0
    assert tct("case", "flag", "VV-2021-0001", "--complex", "--date", "05/02/2021", "--reason", "r").exit_code == 0
    assert tct("case", "refer", "VV-2021-0001", "--to", "Thanh tra tỉnh", "--date", "06/02/2021").exit_code == 0
    said = tct("log", "-f", "md", env=VI).stdout
    for words in ("chức vụ=Thanh tra viên", "ca trực=sáng", "vai trò=trực chính", "giờ bắt đầu=07:30",
                  "giờ kết thúc=11:30", "cảnh báo=đông người", "cách gắn=tự động", "ngày quyết định=05/02/2021",
                  "ngày gửi=06/02/2021", "gửi đến=Thanh tra tỉnh", "mã đầu=TCD-2021-0001",
                  "số vụ việc mới=1", "số công dân mới=1"):
        assert words in said, words
    for key in ("title=", "shift=", "role=", "start=", "end=", "flag=", "source=", "decided_on=", "sent_on=",
                "to=", "first=", "last=", "new_cases=", "new_citizens="):
        assert f" {key}" not in said and f"| {key}" not in said, key
    assert '""decided_on"": ""2021-02-05""' in tct("log", "-f", "csv", env=VI).stdout


def test_log_on_an_80_column_screen_keeps_its_words_whole_and_its_reasons(tct):
    """Seven columns in 80 left the changes ~7 characters wide, words cut in two ("Viette" / "l"):
    the table says the record in one column and closes the changes with the reason; Markdown keeps
    the columns of the trail."""
    tct("officer", "add", "Trần Thị Bình")
    code = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
               "--at", "04/02/2021 09:00", "-f", "json").json()["case"]
    assert tct("case", "transfer", code, "--to", "Viettel Kiên Giang", "--date", "05/02/2021").exit_code == 0
    assert tct("case", "reopen", code, "--reason", "công dân bổ sung chứng cứ mới", "--date", "08/02/2021"
               ).exit_code == 0
    table = tct("log", env=VI).stdout
    assert max(len(line) for line in table.splitlines()) <= 80
    words = set(table.split())
    md = tct("log", "-f", "md", env=VI).stdout
    transfer = next(line for line in md.splitlines() if "Viettel" in line).split("|")[6]
    for word in transfer.split() + "lý do: công dân bổ sung chứng cứ mới".split():
        assert word in words, word
    assert "| lý do |" in md


def test_log_names_a_periods_fields_as_a_periods_not_an_officers(tct):
    """A period's name, title and days shared their keys with an officer's name and title and a
    shift's hours: the Vietnamese trail called the period's title an officer's post (chức vụ) and
    its first day a shift's starting hour (giờ bắt đầu)."""
    assert tct("period", "add", "dot-2021", "--from", "10/02/2021", "--to", "16/02/2021",
               "--title", "Đợt trực Tết", "--before-days", "0").exit_code == 0
    said = tct("log", "--entity", "dot-2021", "-f", "md", env=VI).stdout
    for words in ("đợt=dot-2021", "tên đợt=Đợt trực Tết", "từ ngày=10/02/2021", "đến ngày=16/02/2021",
                  "số ngày trước đợt=0"):
        assert words in said, words
    assert "họ tên=" not in said and "chức vụ=" not in said and "giờ bắt đầu=" not in said
    assert "before_days=" not in said


def test_an_empty_lists_csv_has_the_columns_of_a_full_one(tct):
    """`case list --overdue -f csv` read each night by a script: on the day there were none, its
    header was the screen's six columns instead of the record's nineteen, and the script broke."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    for name in ("Nguyễn Văn A", "Trần Thị B"):
        run = tct("visit", "add", "--citizen", name, "--type", "complaint", "--field", "land", "--officer", "binh",
                  "--locality", "Xã Vĩnh Hòa", "--people", "6", "--representatives", "A", "--at", "04/02/2021 09:00")
        assert run.exit_code == 0, run.stderr
    for full, empty in ((["visit", "list"], ["visit", "list", "--search", "zzzz"]),
                        (["case", "list"], ["case", "list", "--search", "zzzz"]),
                        (["citizen", "list"], ["citizen", "list", "--search", "zzzz"]),
                        (["log"], ["log", "--entity", "VV-2099-0001"]),
                        (["hotspots", "tet-2021"], ["hotspots", "2030-01-01..2030-01-02"])):
        rows = list(csv.reader(io.StringIO(tct(*full, "-f", "csv").stdout)))
        nothing = list(csv.reader(io.StringIO(tct(*empty, "-f", "csv").stdout)))
        assert len(rows) > 1 and len(nothing) == 1, (full, rows, nothing)
        assert nothing[0] == rows[0], full
