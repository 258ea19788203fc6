"""Desk logging: `tct visit add/list/show/edit/void` and `tct citizen`."""

import unicodedata

import pytest

from conftest import assert_one_line_error, downgrade_sqlite
from tct.cli import visit as visit_cli

BASE = ["--type", "complaint", "--field", "land", "--officer", "binh"]


@pytest.fixture
def desk(tct):
    """A register with two officers; returns the runner."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("officer", "add", "Lê Văn An").exit_code == 0
    return tct


def add(tct, *args, fmt="json"):
    run = tct("visit", "add", *args, "--format", fmt)
    assert run.exit_code == 0, run.stderr
    return run.json() if fmt == "json" else run


def counts(tct):
    return tct("db", "info", "-f", "json").json()["tables"]


def test_add_prints_codes_and_json_record(desk):
    run = desk("visit", "add", "--citizen", "Nguyễn Văn Đức", *BASE, "--at", "04/02/2021 09:00")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.split() == ["TCD-2021-0001", "VV-2021-0001"]
    data = add(desk, "--citizen", "Phạm Thị Lan", *BASE, "--at", "05/02/2021 10:15", "--people", "3")
    assert data["code"] == "TCD-2021-0002" and data["case"] == "VV-2021-0002"
    assert data["people"] == 3 and data["delegation"] is False
    assert data["visited_at"] == "2021-02-05T10:15:00+07:00"
    assert data["officer"] == "Trần Thị Bình"
    assert data["handling"] == "guided" and data["kind"] == "regular"


def test_day_first_date_is_stored_as_that_day(desk):
    data = add(desk, "--citizen", "A", *BASE, "--at", "04/02/2021 09:00")
    assert data["visit_date"] == "2021-02-04"
    assert desk("visit", "list", "--from", "2021-02-04", "--to", "04/02/2021", "-f", "json").json()[0]["code"] \
        == data["code"]


def test_list_and_show_for_scripts_give_the_moment_once(desk):
    """JSON and CSV carry `visited_at` (ISO with its offset) alone: the table's `visited` column,
    the same moment as the screen says it, is not a second key a spreadsheet has to tell apart."""
    data = add(desk, "--citizen", "A", *BASE, "--at", "04/02/2021 09:00")
    listed = desk("visit", "list", "-f", "json").json()[0]
    assert listed["visited_at"] == "2021-02-04T09:00:00+07:00" and "visited" not in listed
    header = desk("visit", "list", "-f", "csv").stdout.splitlines()[0].split(",")
    assert header.count("visited_at") == 1 and "visited" not in header
    assert "visited" not in desk("visit", "show", data["code"], "-f", "json").json()
    assert "04/02/2021 09:00" in desk("visit", "list").stdout


def test_late_evening_visit_belongs_to_its_local_day_on_a_utc_machine(desk, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        data = add(desk, "--citizen", "B", *BASE, "--at", "09/02/2021 23:30")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert data["visit_date"] == "2021-02-09"
    assert data["visited_at"] == "2021-02-09T23:30:00+07:00"


def test_codes_are_numbered_per_year(desk):
    assert add(desk, "--citizen", "A", *BASE, "--at", "30/12/2020 08:00")["code"] == "TCD-2020-0001"
    assert add(desk, "--citizen", "B", *BASE, "--at", "02/01/2021 08:00")["code"] == "TCD-2021-0001"
    assert add(desk, "--citizen", "C", *BASE, "--at", "31/12/2020 08:00")["code"] == "TCD-2020-0002"


def test_nfd_input_is_stored_nfc_and_found_without_accents(desk):
    typed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    data = add(desk, "--citizen", typed, *BASE, "--content", unicodedata.normalize("NFD", "Tranh chấp ranh giới đất"))
    assert data["citizen"] == unicodedata.normalize("NFC", "Nguyễn Văn Đức")
    found = desk("visit", "list", "--search", "nguyen van duc", "-f", "json").json()
    assert [v["code"] for v in found] == [data["code"]]
    assert desk("visit", "list", "--search", "RANH GIOI", "-f", "json").json()[0]["code"] == data["code"]
    assert desk("visit", "list", "--search", "ranh giới đất", "-f", "json").json()[0]["code"] == data["code"]
    assert desk("visit", "list", "--search", "hoang", "-f", "json").json() == []


def test_types_and_fields_accept_vietnamese_words(desk):
    for typed, stored in [("khiếu nại", "complaint"), ("to-cao", "denunciation"), ("Kiến nghị", "petition"),
                          ("phan-anh", "feedback")]:
        data = add(desk, "--citizen", "A", "--type", typed, "--field", "đất đai", "--officer", "an")
        assert (data["type"], data["field"]) == (stored, "land")
    data = add(desk, "--citizen", "A", *BASE, "--handling", "chuyển đơn", "--kind", "lãnh đạo")
    assert (data["handling"], data["kind"]) == ("transferred", "leader")


def test_fields_set_by_their_vietnamese_names_are_the_fields_the_register_counts(desk):
    """`config set visit.fields "đất đai; nhà ở; môi trường"` stored "đất đai" as a new field beside
    "land": visits filed under each counted apart in the report. A known field's name is its code."""
    run = desk("config", "set", "visit.fields", "Đất đai; nha o; báo chí, truyền thông; môi trường",
               env={"TCT_LANG": "vi"})
    assert run.exit_code == 0, run.stderr
    assert desk("config", "get", "visit.fields", "-f", "json").json()["value"] == \
        ["land", "housing", "press-media", "môi trường"]
    before = add(desk, "--citizen", "A", *BASE)  # (BASE files it under land)
    after = add(desk, "--citizen", "B", "--type", "complaint", "--field", "đất đai", "--officer", "an")
    other = add(desk, "--citizen", "C", "--type", "complaint", "--field", "moi truong", "--officer", "an")
    assert (before["field"], after["field"], other["field"]) == ("land", "land", "môi trường")
    assert_one_line_error(desk("config", "set", "visit.fields", "đất đai; land"), 1, "visit.fields lists a value twice")


def test_config_shows_the_fields_by_their_vietnamese_names_and_takes_them_back(desk):
    """In Vietnamese `config get/list visit.fields` said the codes (land; housing; press-media…);
    it says the fields' names, and what it prints `config set` takes back unchanged."""
    vi = {"TCT_LANG": "vi"}
    shown = desk("config", "get", "visit.fields", env=vi).stdout.strip()
    assert shown.startswith("đất đai; nhà ở; chế độ chính sách; hành chính; tư pháp; báo chí, truyền thông;"), shown
    assert "land" not in shown
    assert "| visit.fields | đất đai; nhà ở;" in desk("config", "list", "-f", "md", env=vi).stdout
    default = desk("config", "get", "visit.fields", "-f", "json").json()["value"]
    assert desk("config", "set", "visit.fields", shown, env=vi).exit_code == 0
    assert desk("config", "get", "visit.fields", "-f", "json").json()["value"] == default
    assert desk("config", "get", "visit.fields").stdout.startswith("land; housing; policy;")


def test_a_new_address_or_phone_typed_for_a_known_id_number_is_not_dropped_without_a_word(desk):
    """A citizen back with their ID number and a new address: the record kept the old one and the
    officer was told nothing, believing it taken. The record still keeps it (a correction is
    `visit edit`'s), and a warning says so, naming neither address (it may be a denouncer's)."""
    add(desk, "--citizen", "Nguyễn Văn Đức", "--id-number", "091078001234", "--address", "ấp Vĩnh Thuận",
        "--phone", "0987654321", *BASE, "--at", "04/02/2021 09:00")
    same = desk("visit", "add", "--citizen", "Nguyễn Văn Đức", "--id-number", "091078001234", "--address",
                "Ấp Vĩnh  Thuận", "--phone", "0987654321", *BASE, "--at", "05/02/2021 09:00", env={"TCT_LANG": "vi"})
    assert same.exit_code == 0 and "Lưu ý" not in same.stderr, same.stderr
    moved = desk("visit", "add", "--citizen", "Nguyễn Văn Đức", "--id-number", "091078001234", "--address",
                 "12 Trần Hưng Đạo", "--phone", "0900000000", *BASE, "--at", "06/02/2021 09:00",
                 env={"TCT_LANG": "vi"})
    assert moved.exit_code == 0, moved.stderr
    assert "Lưu ý: địa chỉ vừa nhập khác địa chỉ trong hồ sơ CD-1; hồ sơ vẫn giữ địa chỉ cũ" in moved.stderr
    assert "Lưu ý: số điện thoại vừa nhập khác số trong hồ sơ CD-1" in moved.stderr
    assert "Vĩnh Thuận" not in moved.stderr and "Trần Hưng Đạo" not in moved.stderr
    assert desk("citizen", "show", "CD-1", "-f", "json").json()["address"] == "ấp Vĩnh Thuận"


def test_the_same_phone_written_otherwise_is_not_said_to_differ_from_the_record(desk):
    """A phone is kept as typed (0987654321); the same number typed back in groups (0987 654 321),
    with dots or as +84 987 654 321 was said to differ from the record's, sending the officer to
    `visit edit --phone` for nothing. Numbers are compared by their digits."""
    add(desk, "--citizen", "Nguyễn Văn Đức", "--id-number", "091078001234", "--phone", "0987654321", *BASE,
        "--at", "04/02/2021 09:00")
    for day, typed in enumerate(("0987 654 321", "0987.654.321", "+84 987 654 321", "(+84) 987-654-321"), start=5):
        same = desk("visit", "add", "--citizen", "Nguyễn Văn Đức", "--id-number", "091078001234", "--phone",
                    typed, *BASE, "--at", f"{day:02d}/02/2021 09:00", env={"TCT_LANG": "vi"})
        assert same.exit_code == 0 and "Lưu ý" not in same.stderr, (typed, same.stderr)
    other = desk("visit", "add", "--citizen", "Nguyễn Văn Đức", "--id-number", "091078001234", "--phone",
                 "0987 654 322", *BASE, env={"TCT_LANG": "vi"})
    assert "Lưu ý: số điện thoại vừa nhập khác số trong hồ sơ CD-1" in other.stderr


def test_a_visit_moved_to_a_case_of_another_type_is_warned_about_as_at_the_desk(desk):
    """`visit add --case` warns when the case is of another type than the visit; `visit edit --case`
    moved a complaint onto a denunciation case without a word."""
    secret = add(desk, "--citizen", "A", "--type", "denunciation", "--field", "land", "--officer", "binh")
    moved = add(desk, "--citizen", "B", *BASE)
    run = desk("visit", "edit", moved["code"], "--case", secret["case"], env={"TCT_LANG": "vi"})
    assert run.exit_code == 0, run.stderr
    assert f"Lưu ý: vụ việc {secret['case']} là tố cáo, lượt tiếp này là khiếu nại" in run.stderr
    same = add(desk, "--citizen", "C", "--type", "denunciation", "--field", "land", "--officer", "binh")
    quiet = desk("visit", "edit", same["code"], "--case", secret["case"])
    assert quiet.exit_code == 0 and "Warning" not in quiet.stderr


def test_citizen_show_by_a_name_says_how_to_find_the_number(desk):
    """`tct citizen show "nguyen van duc"` said there was no such citizen, as if they had never come;
    it says that show takes a number, and the search that finds it (whether or not they came)."""
    add(desk, "--citizen", "Nguyễn Văn Đức", *BASE)
    for typed in ("nguyen van duc", "Người Chưa Đến"):
        run = desk("citizen", "show", typed, env={"TCT_LANG": "vi"})
        assert run.exit_code == 1 and len(run.stderr.splitlines()) == 1, run.stderr
        assert run.stderr.startswith(f"Lỗi: '{typed}' không phải số hồ sơ công dân"), run.stderr
        assert f'tct citizen list --search "{typed}"' in run.stderr and "không có công dân" not in run.stderr
    assert_one_line_error(desk("citizen", "show", "nguyen van duc"), 1, "is not a citizen's number")
    assert_one_line_error(desk("citizen", "show", "CD-99"), 1, "no citizen 'CD-99'")


def test_delegation_and_representatives_warning(desk):
    run = desk("visit", "add", "--citizen", "Đoàn xã Vĩnh Hòa", *BASE, "--people", "12",
               "--representatives", "A; B; C; D; E; F")
    assert run.exit_code == 0
    assert "Warning" in run.stderr and "1–5 representatives" in run.stderr
    data = add(desk, "--citizen", "Đoàn 2", *BASE, "--people", "6", "--representatives", "Nguyễn A; Trần B")
    assert data["delegation"] is True and data["representatives"] == ["Nguyễn A", "Trần B"]
    quiet = desk("visit", "add", "--citizen", "Đoàn 3", *BASE, "--people", "5", "--representatives", "X")
    assert "Warning" not in quiet.stderr
    assert add(desk, "--citizen", "Bốn người", *BASE, "--people", "4")["delegation"] is False
    # more representatives than people is a slip (of --people, most likely), whatever the number
    slip = desk("visit", "add", "--citizen", "Hai người", *BASE, "--people", "2", "--representatives", "A; B; C")
    assert slip.exit_code == 0 and "3 representatives named for a visit of 2 people" in slip.stderr
    # the law's count of representatives starts at 5 people, whatever delegation.min_people says
    assert desk("config", "set", "delegation.min_people", "3").exit_code == 0
    three = desk("visit", "add", "--citizen", "Ba người", *BASE, "--people", "3", "-f", "json")
    assert three.json()["delegation"] is True and "Warning" not in three.stderr
    assert desk("config", "set", "delegation.min_people", "8").exit_code == 0
    six = desk("visit", "add", "--citizen", "Sáu người", *BASE, "--people", "6", "--representatives", "A; B; C")
    assert "1–2 representatives" in six.stderr  # not a delegation by the setting, still art. 30's count


def test_attach_to_existing_case(desk):
    first = add(desk, "--citizen", "A", *BASE)
    second = add(desk, "--citizen", "A", "--case", first["case"].lower(), "--officer", "an")
    assert second["case"] == first["case"]
    assert (second["type"], second["field"]) == ("complaint", "land")
    assert counts(desk)["cases"] == 1


def test_same_id_number_is_the_same_citizen(desk):
    one = add(desk, "--citizen", "Nguyễn Văn Đức", "--id-number", "091 234 567 890", *BASE)
    two = add(desk, "--citizen", "nguyen van duc", "--id-number", "091234567890", *BASE)
    assert one["citizen_id"] == two["citizen_id"]
    assert one["id_number"] == "091234567890"
    other = add(desk, "--citizen", "Nguyễn Văn Đức", *BASE)
    assert other["citizen_id"] != one["citizen_id"]  # same name without ID: never merged silently


def test_denouncer_masked_in_list_shown_in_show_and_reveal_audited(desk):
    data = add(desk, "--citizen", "Hoàng Thị Mật", "--type", "to-cao", "--field", "administration", "--officer",
               "binh", "--address", "99 Bí Mật", "--phone", "0912345678", "--id-number", "012345678")
    listed = desk("visit", "list", "-f", "json").json()[0]
    assert listed["citizen"] == "H. T. M." and listed["masked"] is True
    assert listed["address"] is None and listed["phone"] is None and listed["id_number"] is None
    for fmt in ("table", "csv", "md", "json"):
        out = desk("visit", "list", "-f", fmt).stdout
        assert "Hoàng Thị Mật" not in out and "Bí Mật" not in out and "0912345678" not in out
    assert desk("visit", "list", "--search", "hoang thi mat", "-f", "json").json() == []
    shown = desk("visit", "show", data["code"], "-f", "json").json()
    assert shown["citizen"] == "Hoàng Thị Mật" and shown["address"] == "99 Bí Mật"
    revealed = desk("visit", "list", "--reveal", "-f", "json").json()[0]
    assert revealed["citizen"] == "Hoàng Thị Mật"
    reveals = [e for e in desk("log", "-f", "json").json() if e["action"] == "reveal"]
    assert len(reveals) == 2 and all(e["actor"] == "tester" for e in reveals)
    assert "Hoàng Thị Mật" not in desk("log", "-f", "json").stdout  # the audit trail names records, not denouncers


def test_visit_list_include_void_shows_which_visits_are_void_on_screen(desk):
    kept = add(desk, "--citizen", "Còn hiệu lực", *BASE, "--at", "04/02/2021 09:00")
    voided = add(desk, "--citizen", "Đã hủy", *BASE, "--at", "05/02/2021 09:00")
    assert desk("visit", "void", voided["code"], "--reason", "nhập trùng").exit_code == 0
    for fmt in ("table", "md"):
        lines = desk("visit", "list", "--include-void", "-f", fmt).stdout.splitlines()
        row = {code: next(line for line in lines if code in line) for code in (kept["code"], voided["code"])}
        assert row[voided["code"]].rstrip(" |").endswith("yes") and row[kept["code"]].rstrip(" |").endswith("no")
    assert "void" not in desk("visit", "list", "-f", "md").stdout.splitlines()[0]  # void visits are not listed


def test_void_keeps_the_row_and_logs_the_reason(desk):
    data = add(desk, "--citizen", "A", *BASE)
    run = desk("visit", "void", data["code"], "--reason", "nhập trùng")
    assert run.exit_code == 0, run.stderr
    assert desk("visit", "list", "-f", "json").json() == []
    kept = desk("visit", "list", "--include-void", "-f", "json").json()
    assert kept[0]["void"] is True and kept[0]["void_reason"] == "nhập trùng"
    assert counts(desk)["visit"] == 1
    event = [e for e in desk("log", "-f", "json").json() if e["action"] == "void"][0]
    assert event["code"] == data["code"] and event["reason"] == "nhập trùng"
    assert_one_line_error(desk("visit", "void", data["code"], "--reason", "again"), 1, "already void")
    assert_one_line_error(desk("visit", "void", data["code"]), 2, "--reason")


def test_edit_is_audited_with_before_and_after(desk):
    data = add(desk, "--citizen", "A", *BASE, "--people", "2")
    assert desk("visit", "edit", data["code"], "--people", "7", "--handling", "accepted").exit_code == 0
    shown = desk("visit", "show", data["code"], "-f", "json").json()
    assert shown["people"] == 7 and shown["delegation"] is True and shown["handling"] == "accepted"
    event = [e for e in desk("log", "-f", "json").json() if e["action"] == "edit"][0]
    assert event["changes"] == {"before": {"people": 2, "delegation": False, "handling": "guided"},
                                "after": {"people": 7, "delegation": True, "handling": "accepted"}}
    assert_one_line_error(desk("visit", "edit", data["code"]), 2, "nothing to change")


def test_a_corrected_name_or_address_finds_every_visit_of_the_citizen(desk):
    """`visit edit --citizen/--address` corrects the citizen's record, shown on all their visits: a
    search must then find all of them by the new spelling and none by the old."""
    first = add(desk, "--citizen", "Phạm Thị Hồng Nhung", "--id-number", "079185000111", *BASE,
                "--at", "04/02/2021 09:00")
    second = add(desk, "--citizen", "Phạm Thị Hồng Nhung", "--id-number", "079185000111", *BASE,
                 "--at", "05/02/2021 09:00")
    assert desk("visit", "edit", second["code"], "--citizen", "Phan Thị Hồng Nhung", "--address",
                "14 Lê Lợi").exit_code == 0

    def found(term):
        run = desk("visit", "list", "--search", term, "-f", "json")
        assert run.exit_code == 0, run.stderr
        return sorted(v["code"] for v in run.json())

    assert found("phan thi hong") == sorted([first["code"], second["code"]])
    assert found("14 le loi") == sorted([first["code"], second["code"]])
    assert found("pham thi hong") == []


def test_an_address_completed_by_a_later_visit_finds_the_earlier_ones(desk):
    first = add(desk, "--citizen", "Võ Văn Kiệt", "--id-number", "079185000222", *BASE, "--at", "04/02/2021 09:00")
    second = add(desk, "--citizen", "Võ Văn Kiệt", "--id-number", "079185000222", "--address", "7 Hàm Nghi",
                 *BASE, "--at", "05/02/2021 09:00")
    found = desk("visit", "list", "--search", "ham nghi", "-f", "json").json()
    assert sorted(v["code"] for v in found) == sorted([first["code"], second["code"]])


def test_a_visit_retyped_at_the_desk_retypes_the_case_it_opened(desk):
    """Typed complaint for a denunciation, then corrected: the case opened from that visit is a
    denunciation too (its 7-working-day deadline, the report's column), audited; a case with other
    visits keeps its type, and the desk is told the two now differ."""
    data = add(desk, "--citizen", "A", *BASE, "--at", "08/02/2021 09:00")
    assert data["case"] and desk("case", "show", data["case"], "-f", "json").json()["deadline"] == "2021-02-18"
    assert desk("visit", "edit", data["code"], "--type", "tố cáo", "--field", "administration").exit_code == 0
    case = desk("case", "show", data["case"], "-f", "json").json()
    assert (case["type"], case["field"], case["deadline"]) == ("denunciation", "administration", "2021-02-24")
    event = [e for e in desk("log", "--entity", data["case"], "-f", "json").json() if e["action"] == "edit"][-1]
    assert event["changes"]["before"]["type"] == "complaint" and event["changes"]["after"]["type"] == "denunciation"

    shared = add(desk, "--citizen", "B", *BASE, "--at", "08/02/2021 09:00")
    second = add(desk, "--citizen", "C", "--case", shared["case"], "--officer", "binh", "--at", "08/02/2021 10:00")
    run = desk("visit", "edit", second["code"], "--type", "petition")
    assert run.exit_code == 0 and f"case {shared['case']} is a complaint, this visit a petition" in run.stderr
    assert desk("case", "show", shared["case"], "-f", "json").json()["type"] == "complaint"


def test_non_interactive_missing_options_is_a_usage_error_naming_each(desk):
    before = counts(desk)
    run = desk("visit", "add", "--officer", "binh")
    assert_one_line_error(run, 2, "--citizen", "--type", "--field")
    assert counts(desk) == before


def test_missing_officer_without_default_is_a_usage_error(desk, monkeypatch):
    monkeypatch.delenv("TCT_OFFICER")
    assert_one_line_error(desk("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land"),
                          2, "--officer")


def test_officer_defaults_to_tct_officer(desk, monkeypatch):
    monkeypatch.setenv("TCT_OFFICER", "le van an")
    data = add(desk, "--citizen", "A", "--type", "complaint", "--field", "land")
    assert data["officer"] == "Lê Văn An"


@pytest.mark.parametrize("args,code,fragment", [
    (["--type", "kiện tụng"], 1, "--type"),
    (["--field", "astrology"], 1, "--field"),
    (["--people", "0"], 1, "--people"),
    (["--people", "501"], 1, "--people"),
    (["--people", "nhiều"], 2, "--people"),
    (["--id-number", "12345"], 1, "--id-number"),
    (["--id-number", "999123456789"], 1, "province"),
    (["--at", "31/12/2099 08:00"], 1, "future"),
    (["--at", "32/01/2021"], 1, "--at"),
    (["--case", "VV-2021-9999"], 1, "no case"),
    (["--officer", "nobody"], 1, "no officer"),
    (["--handling", "ignored"], 1, "--handling"),
    (["--citizen", "x" * 201], 1, "too long"),
    # within 200 characters, but not its search key ("ss" * 200), which the register holds to 200 too
    (["--citizen", "ß" * 200], 1, "--citizen is too long for its search key (400 characters"),
    (["--address", "ﬃ" * 200], 1, "--address is too long for its search key (600 characters"),
    (["--locality", "각" * 67], 1, "--locality is too long for its search key (201 characters"),
    (["--citizen", "a\x00b"], 1, "NUL"),
])
def test_bad_input_is_one_line_and_writes_nothing(desk, args, code, fragment):
    before = counts(desk)
    full = ["--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh"]
    for i in range(0, len(args), 2):
        if args[i] in full:
            full[full.index(args[i]) + 1] = args[i + 1]
        else:
            full += args[i:i + 2]
    assert_one_line_error(desk("visit", "add", *full), code, fragment)
    assert counts(desk) == before


def test_sql_looking_names_are_stored_verbatim(desk):
    name = "Robert'); DROP TABLE visit;--"
    data = add(desk, "--citizen", name, *BASE)
    assert desk("visit", "show", data["code"], "-f", "json").json()["citizen"] == name
    assert counts(desk)["visit"] == 1


def test_list_filters(desk):
    a = add(desk, "--citizen", "A", *BASE, "--at", "03/02/2021 08:00", "--people", "6", "--representatives", "X")
    b = add(desk, "--citizen", "B", "--type", "petition", "--field", "policy", "--officer", "an",
            "--at", "10/02/2021 08:00")
    listed = lambda *args: [v["code"] for v in desk("visit", "list", *args, "-f", "json").json()]  # noqa: E731
    assert listed() == [b["code"], a["code"]]  # newest first
    assert listed("--type", "kien-nghi") == [b["code"]]
    assert listed("--delegation") == [a["code"]]
    assert listed("--no-delegation") == [b["code"]]
    assert listed("--officer", "le van an") == [b["code"]]
    assert listed("--case", a["case"]) == [a["code"]]
    assert listed("--from", "05/02/2021") == [b["code"]]
    assert listed("--limit", "1") == [b["code"]]
    assert_one_line_error(desk("visit", "list", "--from", "10/02/2021", "--to", "01/02/2021"), 1, "--to")


def test_list_gives_the_visits_behind_the_reports_leader_reception_and_handling(desk):
    """An inspector checking the report's 1b (the head of agency's reception) and 3 (handling)
    against the register had no way to list those visits: visit list knew no --kind or --handling."""
    a = add(desk, "--citizen", "A", *BASE, "--at", "03/02/2021 08:00", "--kind", "leader", "--handling", "accepted")
    b = add(desk, "--citizen", "B", *BASE, "--at", "04/02/2021 08:00", "--handling", "refused")
    listed = lambda *args: [v["code"] for v in desk("visit", "list", *args, "-f", "json").json()]  # noqa: E731
    assert listed("--kind", "leader") == listed("--kind", "thu truong tiep") == [a["code"]]
    assert listed("--kind", "regular") == [b["code"]]
    assert listed("--handling", "từ chối tiếp") == listed("--handling", "refused") == [b["code"]]
    assert listed("--handling", "accepted", "--kind", "regular") == []
    assert_one_line_error(desk("visit", "list", "--kind", "boss"), 1, "--kind")


def test_visit_list_table_fits_80_columns(desk):
    add(desk, "--citizen", "Nguyễn Thị Phương Thảo Nguyên", "--type", "denunciation", "--field", "land",
        "--officer", "binh")
    out = desk("visit", "list").stdout
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "TCD-" in out


def test_unknown_visit_code(desk):
    assert_one_line_error(desk("visit", "show", "TCD-2021-0099"), 1, "no visit")


def test_interactive_add_asks_offers_defaults_and_confirms(desk, monkeypatch):
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    add(desk, "--citizen", "Mai", *BASE, "--field", "housing")
    answers = "\n".join(["Trần Văn Lâm", "5 Lê Lợi", "complaint", "", "Xã Vĩnh Hòa, Châu Thành", "Tranh chấp đất",
                          "04/02/2021 09:00", "binh", "y"]) + "\n"
    run = desk("visit", "add", "--format", "json", input=answers)
    assert run.exit_code == 0, run.stdout + run.stderr
    data = run.json()  # prompts went to stderr: stdout is only the record
    assert data["citizen"] == "Trần Văn Lâm"
    # the address (by which a returning citizen is offered), and the new case's locality and summary, asked too
    assert (data["address"], data["content"]) == ("5 Lê Lợi", "Tranh chấp đất")
    assert desk("case", "show", data["case"], "-f", "json").json()["locality"] == "Xã Vĩnh Hòa, Châu Thành"
    assert data["field"] == "housing"  # the last field used was offered and taken
    assert data["visit_date"] == "2021-02-04"
    assert data["officer"] == "Trần Thị Bình"
    assert "Save this visit?" in run.stderr


def test_the_desk_dialogue_speaks_vietnamese(desk, monkeypatch):
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    add(desk, "--citizen", "Trần Văn Lâm", "--address", "Xã A", *BASE, "--field", "housing")
    answers = "\n".join(["Trần Văn Lâm", "khiếu-nại", "", "", "", "04/02/2021 09:00", "binh", "n", "y"]) + "\n"
    run = desk("visit", "add", "--address", "Xã A", "--escalated", input=answers, env={"TCT_LANG": "vi"})
    assert run.exit_code == 0, run.stdout + run.stderr
    for prompt in ("Họ tên công dân", "Loại đơn (khiếu nại/tố cáo/kiến nghị/phản ánh)", "Lĩnh vực",
                   "Địa bàn: xã, huyện (Enter: bỏ qua)", "Nội dung (Enter: bỏ qua)", "Thời gian tiếp", "Cán bộ tiếp",
                   "Có phải cùng người với CD-", "Lưu lượt tiếp này?"):
        assert prompt in run.stderr
    assert "họ tên=Trần Văn Lâm" not in run.stderr  # (the summary names what was typed as the register does)
    assert "công dân=Trần Văn Lâm" in run.stderr and "loại đơn=khiếu nại" in run.stderr
    assert "vượt cấp=có" in run.stderr
    assert "Lĩnh vực [nhà ở]" in run.stderr  # the last field used, offered in the desk's words
    assert desk("visit", "list", "--limit", "1", "-f", "json").json()[0]["field"] == "housing"  # (stored as its code)
    assert "Save this visit?" not in run.stderr and "Citizen" not in run.stderr


def test_the_summary_to_confirm_says_what_will_be_saved_not_what_was_typed(desk, monkeypatch):
    """The summary before `Lưu lượt tiếp này?` repeated the answers as typed (`thời gian tiếp=14g`,
    `cán bộ tiếp=binh`, `lĩnh vực=land`): the officer could not check the day or the name meant.
    It says the day and hour, the officer's name and the register's words."""
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    answers = "\n".join(["Trần Văn Lâm", "", "kien nghi", "land", "", "", "04/02/21 14g", "binh", "c"]) + "\n"
    run = desk("visit", "add", "--handling", "chuyen don", input=answers, env={"TCT_LANG": "vi"})
    assert run.exit_code == 0, run.stdout + run.stderr
    summary = [line for line in run.stderr.splitlines() if line.startswith("công dân=")][0]
    assert summary == ("công dân=Trần Văn Lâm, loại đơn=kiến nghị, lĩnh vực=đất đai, thời gian tiếp=04/02/2021 14:00, "
                       "cán bộ tiếp=Trần Thị Bình, kết quả tiếp=chuyển đơn"), summary
    answers = "\n".join(["Lê Văn Tám", "", "petition", "land", "", "", "04/02/2021 9h", "binh", "y"]) + "\n"
    run = desk("visit", "add", input=answers)
    assert "type=petition, field=land, at=04/02/2021 09:00, officer=Trần Thị Bình" in run.stderr, run.stderr


def test_a_wrong_answer_at_a_prompt_is_said_and_asked_again(desk, monkeypatch):
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    answers = "\n".join(["Trần Văn Lâm", "", "bogus", "complaint", "land", "", "", "nhà đất", "04/02/2021 09:00",
                          "nobody", "binh", "y"]) + "\n"
    run = desk("visit", "add", "--format", "json", input=answers)
    assert run.exit_code == 0, run.stdout + run.stderr
    data = run.json()
    assert (data["type"], data["visit_date"], data["officer"]) == ("complaint", "2021-02-04", "Trần Thị Bình")
    assert "bogus" in run.stderr and "nhà đất" in run.stderr and "nobody" in run.stderr  # each said, then asked again


def test_a_wrong_answer_at_a_prompt_is_said_in_the_desks_language(desk, monkeypatch):
    """README: in Vietnamese an error line reads `Lỗi: …`; at the prompt too (click's says `Error:`)."""
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    answers = "\n".join(["Trần Văn Lâm", "", "kien nhgi", "kiến nghị", "land", "", "", "04/02/2021 09:00", "binh",
                          "y"]) + "\n"
    run = desk("visit", "add", input=answers, env={"TCT_LANG": "vi"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "Lỗi: loại đơn 'kien nhgi' không thuộc: khiếu nại; tố cáo; kiến nghị; phản ánh" in run.stderr
    assert "Error" not in run.stderr


def test_the_desks_yes_no_questions_take_c_and_k_in_vietnamese(desk, monkeypatch):
    """In Vietnamese a question said [y/N], and the officer's `c` (có) was answered "Error: invalid
    input" in English; it now says [c/K], takes c/có/k/không (and y/n), and a wrong answer is said
    on a `Lỗi:` line and asked again."""
    first = add(desk, "--citizen", "Trần Văn Lâm", "--address", "5 Lê Lợi", *BASE)
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    typed = ("visit", "add", "--citizen", "tran van lam", "--address", "5 le loi", "--type", "complaint",
             "--officer", "binh", "--at", "04/02/2021 09:00")
    run = desk(*typed, input="\n".join(["land", "", "", "x", "c", "có"]) + "\n", env={"TCT_LANG": "vi"})
    assert run.exit_code == 0, run.stderr
    assert "[c/K]" in run.stderr and "[C/k]" in run.stderr and "y/N" not in run.stderr and "Y/n" not in run.stderr
    assert "Lỗi: hãy trả lời c (có) hoặc k (không)" in run.stderr and "Error" not in run.stderr
    latest = desk("visit", "list", "--limit", "1", "-f", "json").json()[0]
    assert latest["citizen_id"] == first["citizen_id"]
    before = counts(desk)
    run = desk(*typed, input="\n".join(["land", "", "", "không", "k"]) + "\n", env={"TCT_LANG": "vi"})
    assert run.exit_code == 1 and counts(desk) == before
    # (not "Đã hủy.", the word of a voided visit: declining voids nothing and writes nothing)
    assert run.stderr.splitlines()[-1] == "Đã dừng, chưa ghi gì vào sổ.", run.stderr


def test_the_same_person_question_says_plainly_when_the_record_has_no_address(desk, monkeypatch):
    """"Có phải cùng người với CD-1 Lê Văn Tám, -?": the dash read as an address of "-"."""
    add(desk, "--citizen", "Lê Văn Tám", *BASE)
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    run = desk("visit", "add", "--citizen", "le van tam", "--type", "complaint", "--officer", "binh",
               "--at", "04/02/2021 09:00", input="\n".join(["", "land", "", "", "c", "c"]) + "\n",
               env={"TCT_LANG": "vi"})
    assert run.exit_code == 0, run.stderr
    assert "Có phải cùng người với CD-1 Lê Văn Tám (hồ sơ chưa có địa chỉ)? [c/K]" in run.stderr
    assert ", -?" not in run.stderr


def test_interactive_add_declined_writes_nothing(desk, monkeypatch):
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    before = counts(desk)
    answers = "\n".join(["Trần Văn Lâm", "", "complaint", "land", "", "", "", "binh", "n"]) + "\n"
    run = desk("visit", "add", input=answers)
    assert run.exit_code == 1
    assert counts(desk) == before


def test_ctrl_c_at_a_prompt_is_an_interruption_and_writes_nothing(desk, monkeypatch):
    import click
    import typer

    real_prompt = click.termui.prompt

    def prompt_then_ctrl_c(*args, **kwargs):  # type: ignore[no-untyped-def]
        def ctrl_c(_text: str = "") -> str:
            raise KeyboardInterrupt
        click.termui.visible_prompt_func = ctrl_c  # (CliRunner restores it)
        return real_prompt(*args, **kwargs)

    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr(typer, "prompt", prompt_then_ctrl_c)
    before = counts(desk)
    run = desk("visit", "add")
    assert run.exit_code == 130, (run.exit_code, run.stderr)  # README: interrupted (Ctrl-C)
    assert "Traceback" not in run.stderr and counts(desk) == before


def test_a_visit_entered_twice_at_the_desk_is_warned_of(desk):
    """The same slip saved twice (the same citizen at the same minute) was two visits and two new
    cases, without a word, in every report; `tct import` warned of it. A denouncer's visit is warned
    of only to the officer who received it, without saying whose it is (the import's rule)."""
    slip = ["--citizen", "Lê Văn Trùng", "--id-number", "091000000111", *BASE, "--at", "03/02/2021 11:20"]
    first = add(desk, *slip)
    again = desk("visit", "add", *slip)
    assert again.exit_code == 0  # (warned, not refused: `visit void` takes the one too many back)
    assert f"a visit of this citizen at this very time is already in the register ({first['code']})" in again.stderr
    typed_otherwise = desk("visit", "add", "--citizen", "le van  trung", *BASE, "--at", "03/02/2021 11:20")
    assert first["code"] in typed_otherwise.stderr  # the same name, no ID number: a record of its own, still warned
    for other in (["--citizen", "Lê Văn Trùng", *BASE, "--at", "03/02/2021 11:21"],  # another minute
                  ["--citizen", "Người Khác", *BASE, "--at", "03/02/2021 11:20"]):  # another citizen
        assert "already in the register" not in desk("visit", "add", *other).stderr
    secret = add(desk, "--citizen", "Tố Văn Cáo", "--type", "denunciation", "--field", "land", "--officer", "binh",
                 "--at", "03/02/2021 11:30")
    for name in ("Tố Văn Cáo", "Người Đoán"):  # whatever the name: the warning does not confirm a guess
        run = desk("visit", "add", "--citizen", name, *BASE, "--at", "03/02/2021 11:30")
        assert f"a visit you received at this very time is already in the register ({secret['code']})" in run.stderr
        assert "of this citizen" not in run.stderr and "Tố" not in run.stderr
    by_another = desk("visit", "add", "--citizen", "Người Thứ Ba", *BASE[:-1], "an", "--at", "03/02/2021 11:30")
    assert by_another.exit_code == 0 and "already in the register" not in by_another.stderr


def test_a_visit_time_stored_otherwise_is_read_at_its_minute_by_the_desks_check(desk, db_path):
    """A visit's time written around tct ('2021-02-03T04:20:00+00:00') is still the minute it says:
    the same slip at 11:20 is warned of, one at 11:25 is not (it was, every later visit that day)."""
    import sqlite3

    first = add(desk, "--citizen", "Lê Văn Trùng", *BASE, "--at", "03/02/2021 11:20")
    with sqlite3.connect(db_path) as con:
        con.execute("UPDATE visit SET visited_at = '2021-02-03T04:20:00+00:00' WHERE code = ?", (first["code"],))
    con.close()
    assert first["code"] in desk("visit", "add", "--citizen", "Lê Văn Trùng", *BASE, "--at", "03/02/2021 11:20").stderr
    later = desk("visit", "add", "--citizen", "Lê Văn Trùng", *BASE, "--at", "03/02/2021 11:25")
    assert later.exit_code == 0 and "already in the register" not in later.stderr, later.stderr


def test_interactive_offers_a_match_by_name_and_address(desk, monkeypatch):
    first = add(desk, "--citizen", "Trần Văn Lâm", "--address", "5 Lê Lợi", *BASE)
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    run = desk("visit", "add", "--citizen", "tran van lam", "--address", "5 le loi", "--type", "complaint",
               "--officer", "binh", "-f", "json", input="\n".join(["land", "", "", "", "y", "y"]) + "\n")
    assert run.exit_code == 0, run.stderr
    latest = desk("visit", "list", "--limit", "1", "-f", "json").json()[0]
    assert latest["citizen_id"] == first["citizen_id"]


def test_citizen_list_and_show_history(desk):
    a = add(desk, "--citizen", "Nguyễn Văn Đức", "--id-number", "012345678", *BASE, "--at", "01/02/2021 08:00")
    add(desk, "--citizen", "Nguyễn Văn Đức", "--id-number", "012345678", *BASE, "--at", "03/02/2021 08:00")
    listed = desk("citizen", "list", "--search", "nguyen van duc", "-f", "json").json()
    assert len(listed) == 1 and listed[0]["visits"] == 2 and listed[0]["last_visit"] == "2021-02-03"
    shown = desk("citizen", "show", "012345678", "-f", "json").json()
    assert [v["visited_at"][:10] for v in shown["visits"]] == ["2021-02-01", "2021-02-03"]
    assert shown["cases"] == sorted({a["case"], shown["visits"][1]["case"]})
    late = add(desk, "--citizen", "Nguyễn Văn Đức", "--id-number", "012345678", *BASE, "--at", "09/02/2021 08:00")
    assert desk("visit", "void", late["code"], "--reason", "nhập nhầm").exit_code == 0
    listed = desk("citizen", "list", "--search", "nguyen van duc", "-f", "json").json()
    assert listed[0]["visits"] == 2 and listed[0]["last_visit"] == "2021-02-03"  # a voided visit was never made
    assert desk("citizen", "show", f"CD-{a['citizen_id']}").exit_code == 0
    assert_one_line_error(desk("citizen", "show", "CD-999"), 1, "no citizen")


def test_visit_edit_help_claims_no_defaults_or_required_options_of_visit_add(desk):
    """`visit edit` changes only what it is given: its help must not say --citizen is required
    or that --at, --people, --officer, --handling and --kind default to anything."""
    helped = " ".join(desk("visit", "edit", "--help").stdout.split())
    assert "(required)" not in helped and "[default:" not in helped.replace("[default: table]", "")
    added = add(desk, "--citizen", "Nguyễn Văn Đức", *BASE, "--at", "05/02/2021 10:15", "--people", "3",
                "--handling", "answered")
    assert desk("visit", "edit", added["code"], "--note", "gọi lại").exit_code == 0
    shown = desk("visit", "show", added["code"], "-f", "json").json()
    assert (shown["people"], shown["handling"], shown["visited_at"]) == (3, "answered", "2021-02-05T10:15:00+07:00")


def test_citizen_show_prints_visit_times_day_first_as_visit_show_does(desk):
    add(desk, "--citizen", "Nguyễn Văn Đức", "--id-number", "012345678", *BASE, "--at", "05/02/2021 10:15")
    for fmt in ("table", "md"):
        shown = desk("citizen", "show", "012345678", "-f", fmt)
        assert shown.exit_code == 0, shown.stderr
        assert "05/02/2021 10:15" in shown.stdout and "2021-02-05T" not in shown.stdout
    assert desk("citizen", "show", "012345678", "-f", "json").json()["visits"][0]["visited_at"] == \
        "2021-02-05T10:15:00+07:00"


def test_citizen_list_search_by_name_or_address_never_points_at_a_denouncer(desk):
    """Only denouncers are masked, so a masked row found by a typed name or address says that this
    person denounced: the search leaves them out unless --reveal (audited)."""
    add(desk, "--citizen", "Phạm Văn Tố", "--id-number", "091078009999", "--address", "12 Lê Lợi, Rạch Giá",
        "--type", "denunciation", "--field", "land", "--officer", "binh")
    add(desk, "--citizen", "Phạm Văn Tố", "--id-number", "091078009999", *BASE)  # and a complaint of his
    add(desk, "--citizen", "Lê Lợi Hòa", *BASE)
    for typed in ("pham van to", "Phạm Văn", "le loi", "rach gia"):
        found = desk("citizen", "list", "--search", typed, "-f", "json").json()
        assert all(not row["masked"] and row["name"] != "P. V. T." for row in found), (typed, found)
    assert [row["name"] for row in desk("citizen", "list", "--search", "le loi", "-f", "json").json()] == \
        ["Lê Lợi Hòa"]
    revealed = desk("citizen", "list", "--search", "pham van to", "--reveal", "-f", "json").json()
    assert [row["name"] for row in revealed] == ["Phạm Văn Tố"]
    assert len(desk("citizen", "list", "-f", "json").json()) == 2  # a list without a search masks, as before



def test_a_masked_denouncer_is_listed_after_the_others_not_where_the_hidden_name_falls(desk):
    """Between Quách Văn Sơn and Quách Văn Tùng, `Q. V. T.` said far more than its initials."""
    for name in ("Quách Văn Sơn", "Quách Văn Tùng", "Phan Thị Ngọc"):
        add(desk, "--citizen", name, *BASE)
    add(desk, "--citizen", "Quách Văn Tài", "--type", "denunciation", "--field", "land", "--officer", "binh")
    add(desk, "--citizen", "An Văn Tố", "--type", "denunciation", "--field", "land", "--officer", "binh")
    listed = [row["name"] for row in desk("citizen", "list", "-f", "json").json()]
    assert listed == ["Phan Thị Ngọc", "Quách Văn Sơn", "Quách Văn Tùng", "Q. V. T.", "A. V. T."]  # by number
    # ...and so is the page: the first three are the three others, not An Văn Tố's masked row first
    for limit, shown in ((3, listed[:3]), (4, listed[:4])):
        page = desk("citizen", "list", "--limit", str(limit), "-f", "json").json()
        assert [row["name"] for row in page] == shown, limit
    revealed = [row["name"] for row in desk("citizen", "list", "--reveal", "-f", "json").json()]
    assert revealed == ["An Văn Tố", "Phan Thị Ngọc", "Quách Văn Sơn", "Quách Văn Tài", "Quách Văn Tùng"]

def test_visit_list_search_by_name_or_address_never_points_at_a_denouncer(desk):
    """A denouncer's complaint keeps their name in its search key; found by the name typed, the masked
    row would say that this person denounced. Left out unless --reveal, by its content too (left out
    only when the words typed were in the name or address, it said which words they are)."""
    denunciation = add(desk, "--citizen", "Phạm Văn Tố", "--id-number", "091078009999",
                       "--address", "12 Lê Lợi, Rạch Giá", "--type", "denunciation", "--field", "land",
                       "--officer", "binh")
    complaint = add(desk, "--citizen", "Phạm Văn Tố", "--id-number", "091078009999", "--content", "Tranh chấp ranh",
                    *BASE)
    other = add(desk, "--citizen", "Lê Lợi Hòa", "--content", "Tranh chấp lối đi", *BASE)
    for typed in ("pham van to", "Phạm Văn", "rach gia"):
        assert desk("visit", "list", "--search", typed, "-f", "json").json() == [], typed
    assert [v["code"] for v in desk("visit", "list", "--search", "le loi", "-f", "json").json()] == [other["code"]]
    by_content = desk("visit", "list", "--search", "tranh chap", "-f", "json").json()
    assert [(v["code"], v["masked"]) for v in by_content] == [(other["code"], False)]
    revealed = desk("visit", "list", "--search", "pham van to", "--reveal", "-f", "json").json()
    assert [v["code"] for v in revealed] == [complaint["code"], denunciation["code"]]


def test_visit_list_search_reveal_finds_a_denouncers_denunciation_by_their_name_or_address(desk):
    """A denunciation's search key leaves its denouncer out, so even `--reveal` (audited, for an
    officer allowed to see them) found nothing by the name or address typed: an officer would
    conclude the person never came. Revealed, they are found, unmasked."""
    secret = add(desk, "--citizen", "Phạm Thị Hồng", "--address", "ấp Hòa Long", "--type", "tố cáo",
                 "--field", "land", "--officer", "binh", "--content", "Tố cáo cán bộ")
    for typed in ("pham thi hong", "Phạm Thị Hồng", "hoa long"):
        assert desk("visit", "list", "--search", typed, "-f", "json").json() == [], typed
        revealed = desk("visit", "list", "--search", typed, "--reveal", "-f", "json").json()
        assert [(v["code"], v["citizen"]) for v in revealed] == [(secret["code"], "Phạm Thị Hồng")], typed
    assert [v["code"] for v in desk("visit", "list", "--search", "to cao can bo", "--reveal", "-f", "json").json()] \
        == [secret["code"]]


def test_denouncer_masked_in_citizen_list(desk):
    add(desk, "--citizen", "Hoàng Thị Mật", "--type", "denunciation", "--field", "land", "--officer", "binh")
    assert desk("citizen", "list", "-f", "json").json()[0]["name"] == "H. T. M."


def test_a_citizen_who_came_on_a_denunciation_case_is_masked_on_every_case_of_theirs(desk):
    """A visit to a denunciation case makes its citizen a denouncer, whatever the visit was typed:
    `tct export` and the report withhold them, and so does every list."""
    secret = add(desk, "--citizen", "Lý Văn Kín", "--type", "denunciation", "--field", "land", "--officer", "binh")
    add(desk, "--citizen", "Đào Thị Chứng", "--id-number", "079200001234", "--case", secret["case"],
        "--type", "complaint", "--officer", "binh")
    own = add(desk, "--citizen", "Đào Thị Chứng", "--id-number", "079200001234", *BASE)
    for listing in (desk("case", "list", "-f", "json"), desk("citizen", "list", "-f", "json"),
                    desk("visit", "list", "-f", "json")):
        assert "Đào Thị Chứng" not in listing.stdout and "079200001234" not in listing.stdout
    cases = {c["code"]: c for c in desk("case", "list", "-f", "json").json()}
    assert cases[own["case"]]["citizen"] == "Đ. T. C."


@pytest.mark.sqlite_only
def test_db_upgrade_takes_names_out_of_old_search_keys_of_visits_to_denunciation_cases(desk, db_path):
    """Keys written before schema 0007 held the name of whoever came on a denunciation case with a
    visit typed otherwise; `visit list --search NAME` found them until the upgrade rewrote them."""
    import sqlite3

    from tct import db as store

    secret = add(desk, "--citizen", "Lý Văn Kín", "--type", "denunciation", "--field", "land", "--officer", "binh")
    witness = add(desk, "--citizen", "Đào Thị Chứng", "--case", secret["case"], "--type", "complaint",
                  "--content", "Làm chứng", "--officer", "binh")
    con = sqlite3.connect(db_path)  # as an earlier tct wrote the key
    con.execute("UPDATE visit SET search_folded = 'dao thi chung lam chung' WHERE code = ?", (witness["code"],))
    con.commit()
    con.close()
    downgrade_sqlite(db_path, "0006")
    assert desk("db", "upgrade").exit_code == 0
    assert desk("db", "info", "-f", "json").json()["schema"] == store.SCHEMA_HEAD
    assert desk("visit", "list", "--search", "dao thi chung", "-f", "json").json() == []
    assert [v["code"] for v in desk("visit", "list", "--search", "lam chung", "-f", "json").json()] == \
        [witness["code"]]
    # (a search by a denouncer's name leaves them out anyway: the key itself no longer holds it)
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT search_folded FROM visit WHERE code = ?", (witness["code"],)).fetchone()[0] \
        == "lam chung"
    con.close()


def test_a_name_written_with_the_look_alike_of_d_is_found_typed_either_way(desk, db_path):
    """Ð (U+00D0), which a name converted from VNI or TCVN3 or pasted from a PDF holds where Đ looks
    the same, was kept in the search key as ð: neither `do van lai` nor `Đỗ Văn Lai` found Ðỗ Văn Lai.
    Keys written so before schema 0014 are rewritten by the upgrade."""
    import sqlite3

    from tct.text import fold

    assert fold("Ðỗ Văn Lai") == fold("Đỗ Văn Lai") == fold("ðỗ văn lai") == "do van lai"
    lai = add(desk, "--citizen", "Ðỗ Văn Lai", "--address", "Ðường 3/2", "--locality", "Ðông Hòa", *BASE)
    for typed in ("do van lai", "Đỗ Văn Lai", "duong 3/2"):
        assert [v["code"] for v in desk("visit", "list", "--search", typed, "-f", "json").json()] == [lai["code"]]
    assert [c["ref"] for c in desk("citizen", "list", "--search", "do van", "-f", "json").json()] == ["CD-1"]
    assert [c["code"] for c in desk("case", "list", "--locality", "dong hoa", "-f", "json").json()] == [lai["case"]]
    con = sqlite3.connect(db_path)  # as an earlier tct wrote the keys
    old = {"citizen": ("name_folded", "address_folded"), "cases": ("locality_folded", "search_folded"),
           "visit": ("search_folded",)}
    for table, columns in old.items():
        con.execute(f"UPDATE {table} SET " + ", ".join(f"{c} = replace({c}, 'd', 'ð')" for c in columns))
    con.commit()
    con.close()
    assert desk("visit", "list", "--search", "do van lai", "-f", "json").json() == []
    downgrade_sqlite(db_path, "0013")
    assert desk("db", "upgrade").exit_code == 0
    assert [v["code"] for v in desk("visit", "list", "--search", "do van lai", "-f", "json").json()] == [lai["code"]]
    assert [c["code"] for c in desk("case", "list", "--locality", "dong hoa", "-f", "json").json()] == [lai["case"]]
    assert [c["ref"] for c in desk("citizen", "list", "--search", "duong 3/2", "-f", "json").json()] == ["CD-1"]


def test_list_by_period_name_or_literal_range(desk):
    inside = add(desk, "--citizen", "A", *BASE, "--at", "12/02/2021 09:00")
    before = add(desk, "--citizen", "B", *BASE, "--at", "03/02/2021 08:00")
    add(desk, "--citizen", "C", *BASE, "--at", "24/02/2021 08:00")
    assert [v["code"] for v in desk("visit", "list", "--period", "tet-2021", "-f", "json").json()] == \
        [inside["code"], before["code"]]
    assert [v["code"] for v in desk("visit", "list", "--period", "10/02/2021..16/02/2021", "-f", "json").json()] \
        == [inside["code"]]
    assert_one_line_error(desk("visit", "list", "--period", "tet-1800"), 1)


def test_officer_defaults_to_the_one_main_officer_on_duty(desk, monkeypatch):
    monkeypatch.delenv("TCT_OFFICER")
    assert desk("roster", "add", "le van an", "--date", "04/02/2021", "--shift", "morning").exit_code == 0
    assert desk("roster", "add", "tran thi binh", "--date", "04/02/2021", "--shift", "afternoon",
                "--role", "backup").exit_code == 0
    data = add(desk, "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "04/02/2021 09:00")
    assert data["officer"] == "Lê Văn An"
    # In the afternoon only a backup is on duty: no default, and TCT_OFFICER is not set.
    run = desk("visit", "add", "--citizen", "B", "--type", "complaint", "--field", "land",
               "--at", "04/02/2021 14:00")
    assert_one_line_error(run, 2, "--officer")


def test_a_visit_when_nobody_is_rostered_warns(desk):
    assert desk("roster", "add", "le van an", "--date", "04/02/2021", "--shift", "morning").exit_code == 0
    run = desk("visit", "add", "--citizen", "A", *BASE, "--at", "04/02/2021 19:30")
    assert run.exit_code == 0
    assert "Warning: nobody is rostered" in run.stderr
    quiet = desk("visit", "add", "--citizen", "A", *BASE, "--at", "04/02/2021 09:30")
    assert "nobody is rostered" not in quiet.stderr


def test_no_roster_warning_in_a_register_without_rosters(desk):
    run = desk("visit", "add", "--citizen", "A", *BASE, "--at", "04/02/2021 19:30")
    assert run.exit_code == 0 and "Warning" not in run.stderr


def test_a_list_cut_at_its_limit_says_so_on_stderr_and_a_whole_one_does_not(desk):
    for n in range(3):
        add(desk, "--citizen", f"Người {n}", *BASE, "--at", f"0{n + 1}/02/2021 08:00")
    for command in (["visit", "list"], ["citizen", "list"], ["case", "list"]):
        cut = desk(*command, "--limit", "2", "-f", "csv")
        assert cut.exit_code == 0 and len(cut.stdout.strip().splitlines()) == 3  # header + 2 rows
        assert "--limit" in cut.stderr, command
        whole = desk(*command, "--limit", "3", "-f", "csv")
        assert len(whole.stdout.strip().splitlines()) == 4 and whole.stderr == "", command


def test_a_citizen_who_came_on_a_denunciation_case_is_masked_where_they_are_shown_one_by_one(desk):
    """The lists' rule holds for `case show` and for the warning given to whoever types their ID
    number: someone who came on a denunciation case, with a visit typed otherwise, is a denouncer."""
    secret = add(desk, "--citizen", "Lý Văn Kín", "--type", "denunciation", "--field", "land", "--officer", "binh")
    add(desk, "--citizen", "Đào Thị Chứng", "--id-number", "079200001234", "--case", secret["case"],
        "--type", "complaint", "--officer", "binh")
    own = add(desk, "--citizen", "Đào Thị Chứng", "--id-number", "079200001234", *BASE)
    shown = desk("case", "show", own["case"], "-f", "json")
    assert shown.exit_code == 0, shown.stderr
    assert "Đào Thị Chứng" not in shown.stdout
    typed = desk("visit", "add", "--citizen", "Người Khác", "--id-number", "079200001234", *BASE)
    assert typed.exit_code == 0, typed.stderr
    assert "on the register as Đ. T. C." in typed.stderr and "Đào Thị Chứng" not in typed.stderr


def test_search_by_name_does_not_find_a_visit_to_a_denunciation_case_typed_otherwise(desk):
    """A visit to a denunciation case makes its citizen a denouncer (citizens.denouncers): their
    name is left out of that visit's search key, however the visit was typed, added or edited."""
    secret = add(desk, "--citizen", "Lý Văn Kín", "--type", "denunciation", "--field", "land", "--officer", "binh")
    added = add(desk, "--citizen", "Đào Thị Chứng", "--case", secret["case"], "--type", "complaint",
                "--officer", "binh")
    moved = add(desk, "--citizen", "Đào Thị Chứng", *BASE)
    assert desk("visit", "edit", moved["code"], "--case", secret["case"]).exit_code == 0
    found = desk("visit", "list", "--search", "dao thi chung", "-f", "json")
    assert found.exit_code == 0, found.stderr
    assert found.json() == []
    assert [v["code"] for v in desk("visit", "list", "-f", "json").json()] == [moved["code"], added["code"],
                                                                               secret["code"]]


@pytest.mark.parametrize(("args", "code", "vietnamese", "english"), [
    (["visit", "add", "--citizen", "C", *BASE, "--people", "501"], 1,
     "--people phải từ 1 đến 500, không phải 501", "--people must be between 1 and 500, not 501"),
    (["visit", "add", "--citizen", "C", *BASE, "--representatives", ";".join(f"N{n}" for n in range(21))], 1,
     "--representatives ghi 21 người; tối đa 20 người", "--representatives names 21 people; at most 20"),
    (["visit", "add", "--citizen", "C", "--type", "complaint", "--field", "land", "--at", "04/02/2021 09:00"], 2,
     "thiếu --officer: vào thời điểm đó Lê Văn An, Trần Thị Bình đều đang trực",
     "missing --officer: Lê Văn An, Trần Thị Bình are all on duty at that time"),
    (["visit", "list", "--from", "10/02/2021", "--to", "01/02/2021"], 1, "--to trước --from",
     "--to is before --from"),
    (["visit", "edit", "{first}"], 2, "không có gì để sửa: hãy nêu ít nhất một tùy chọn, ví dụ --people 6",
     "nothing to change: give at least one option, e.g. --people 6"),
    (["visit", "edit", "{first}", "--id-number", "001234567891"], 1,
     "số CCCD/CMND 001234567891 thuộc hồ sơ công dân khác (CD-2)",
     "ID number 001234567891 belongs to another citizen record (CD-2)"),
    (["visit", "edit", "{second}", "--people", "3"], 1, "lượt tiếp {second} đã bị hủy; không sửa được",
     "visit {second} is void; it cannot be edited"),
    (["visit", "void", "{second}", "--reason", "x"], 1, "lượt tiếp {second} đã bị hủy trước đó",
     "visit {second} is already void"),
])
def test_visit_errors_are_said_in_vietnamese(desk, monkeypatch, args, code, vietnamese, english):
    first = add(desk, "--citizen", "A", "--id-number", "001234567890", *BASE, "--at", "01/02/2021 08:00")["code"]
    second = add(desk, "--citizen", "B", "--id-number", "001234567891", *BASE, "--at", "01/02/2021 09:00")["code"]
    assert desk("visit", "void", second, "--reason", "nhập nhầm").exit_code == 0
    for name in ("binh", "an"):
        assert desk("roster", "add", name, "--date", "04/02/2021", "--shift", "morning").exit_code == 0
    monkeypatch.delenv("TCT_OFFICER")
    before = counts(desk)
    args = [arg.format(first=first, second=second) for arg in args]
    run = desk("--lang", "vi", *args)
    assert run.exit_code == code and run.stderr.splitlines() == [
        "Lỗi: " + vietnamese.format(first=first, second=second)], run.stderr
    run = desk(*args)
    assert run.exit_code == code and run.stderr.splitlines() == [
        "Error: " + english.format(first=first, second=second)], run.stderr
    assert counts(desk) == before


def test_an_imported_row_missing_its_type_is_said_in_vietnamese(desk, tmp_path):
    rows = tmp_path / "visits.csv"
    rows.write_text("citizen,type,field,at,officer\nA,,land,10/02/2021 08:00,binh\n", encoding="utf-8")
    run = desk("--lang", "vi", "import", "--visits", str(rows))
    assert run.exit_code == 1, run.stderr
    lines = [" ".join(line.split()) for line in run.stderr.splitlines()]
    assert lines[1:] == ["2 thiếu type", "Lỗi: 1/1 dòng lỗi; chưa nhập gì"], run.stderr
    assert "2,missing type" in desk("import", "--visits", str(rows), "-f", "csv").stderr.splitlines()


@pytest.mark.parametrize(("args", "vietnamese", "english"), [
    (["--id-number", "12345"],
     "--id-number '12345' không phải số định danh công dân: CCCD gồm 12 chữ số, CMND gồm 9 chữ số",
     "--id-number '12345' is not a citizen ID: 12 digits (CCCD) or 9 digits (CMND)"),
    (["--id-number", "999123456789"],
     "--id-number '999123456789': số CCCD 12 chữ số phải bắt đầu bằng mã tỉnh 001–096",
     "--id-number '999123456789': a 12-digit CCCD starts with a province code 001–096"),
    (["--phone", "gọi sau"], "--phone 'gọi sau' không phải số điện thoại", "--phone 'gọi sau' is not a phone number"),
])
def test_citizen_errors_are_said_in_vietnamese(desk, args, vietnamese, english):
    before = counts(desk)
    full = ["visit", "add", "--citizen", "A", *BASE, *args]
    run = desk("--lang", "vi", *full)
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Lỗi: {vietnamese}"], run.stderr
    run = desk(*full)
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Error: {english}"], run.stderr
    assert counts(desk) == before


def test_a_citizen_back_about_their_case_is_that_cases_citizen(desk):
    """`--case` with the name the case was opened with (accents aside) and no ID number: the same
    person, so their visits add up (the repeat visitors of `tct alerts`); another name is another
    person, and an ID number decides by itself."""
    first = add(desk, "--citizen", "Lê Văn Tư", *BASE, "--at", "01/02/2021 08:00")
    for day in ("02", "03"):
        add(desk, "--citizen", "le van tu", "--case", first["case"], "--officer", "binh",
            "--at", f"{day}/02/2021 08:00")
    add(desk, "--citizen", "Lê Thị Năm", "--case", first["case"], "--officer", "binh", "--at", "04/02/2021 08:00")
    people = {c["name"]: c["visits"] for c in desk("citizen", "list", "-f", "json").json()}
    assert people == {"Lê Văn Tư": 3, "Lê Thị Năm": 1}
    repeat = desk("alerts", "--on", "03/02/2021", "-f", "json").json()["repeat_citizens"]
    assert [r["citizen"] for r in repeat] == ["Lê Văn Tư"]


@pytest.mark.parametrize("typed", ["lãnh đạo tiếp", "Thủ trưởng tiếp", "tiếp định kỳ", "tiep dot xuat", "lãnh đạo"])
def test_the_head_of_agencys_reception_is_taken_in_the_words_of_the_official_form(desk, typed):
    """'Tiếp định kỳ, đột xuất của Thủ trưởng': 'lãnh đạo tiếp', 'tiếp định kỳ' and 'tiếp đột xuất'
    were refused as --kind (and as a visits file's kind) while 'lãnh đạo' and 'định kỳ' were taken."""
    assert add(desk, "--citizen", "A", *BASE, "--at", "03/02/2021 08:00", "--kind", typed)["kind"] == "leader"


def test_visit_edit_at_a_time_alone_corrects_the_hour_on_the_visits_own_day(desk):
    """`visit edit CODE --at 9h` is how an officer corrects the hour written on a past visit: a time
    alone (today's, at `visit add`) moved a 2021 visit to today, and its case's day of receipt with
    it, without a word. It is that time on the visit's own day; a date typed still moves it."""
    data = add(desk, "--citizen", "Nguyễn Văn An", *BASE, "--at", "10/02/2021 14:00")
    assert desk("visit", "edit", data["code"], "--at", "9h").exit_code == 0
    shown = desk("visit", "show", data["code"], "-f", "json").json()
    assert shown["visited_at"] == "2021-02-10T09:00:00+07:00"
    assert desk("case", "show", data["case"], "-f", "json").json()["opened_on"] == "2021-02-10"
    assert desk("visit", "edit", data["code"], "--at", "11/02/2021 8h30").exit_code == 0
    assert desk("visit", "show", data["code"], "-f", "json").json()["visited_at"] == "2021-02-11T08:30:00+07:00"


@pytest.mark.parametrize("typed,expected", [
    ("079123456789", "079123456789"), ("123456789", "123456789"), ("001000000001", "001000000001"),
    ("096999999999", "096999999999"), (" 079 123.456-789 ", "079123456789"),
    ("０７９１２３４５６７８９", "079123456789"),
    ("000123456789", None), ("097123456789", None), ("1234567890", None), ("²79123456789", None),
])
def test_an_id_number_typed_as_plain_digits_is_checked_as_any_other(typed, expected):
    """The import takes an identity number of plain digits without cleaning it (thousands a file):
    it is then the number the cleaning gives, and a bad one is refused all the same."""
    from tct.citizens import normalise_id_number
    from tct.errors import ValidationError

    if expected is None:
        with pytest.raises(ValidationError):
            normalise_id_number(typed)
    else:
        assert normalise_id_number(typed) == expected


@pytest.mark.parametrize("typed,expected", [
    ("0912345678", "0912345678"), ("12345678", "12345678"), ("123456789012345", "123456789012345"),
    (" 0912 345 678 ", "0912 345 678"), ("+84912345678", "+84912345678"),
    ("1234567", None), ("1234567890123456", None), ("０９１２３４５６７８", "0912345678"),
])
def test_a_phone_typed_as_plain_digits_is_checked_as_any_other(typed, expected):
    from tct.citizens import normalise_phone
    from tct.errors import ValidationError

    if expected is None:
        with pytest.raises(ValidationError):
            normalise_phone(typed)
    else:
        assert normalise_phone(typed) == expected


def test_the_same_person_question_never_offers_a_denouncer_s_record(desk, monkeypatch):
    """"Same person as CD-1 Đỗ Thị Lan?" told any officer who typed the name, without accents and
    without saving anything, that this person had denounced, in the record's spelling (and with
    its address): the question offers no protected record; the visit makes a record of its own."""
    denounced = add(desk, "--citizen", "Đỗ Thị Lan", "--address", "3 Lý Thường Kiệt", "--type", "denunciation",
                    "--field", "land", "--officer", "binh", "--at", "03/02/2021 09:00")
    monkeypatch.setattr(visit_cli, "stdin_is_terminal", lambda: True)
    for typed, answers in ((["--citizen", "do thi lan", "--at", "04/02/2021 09:00"], ["", "other", "", "", "y"]),
                           (["--citizen", "do thi lan", "--address", "3 ly thuong kiet", "--at", "04/02/2021 10:00"],
                            ["other", "", "", "y"])):
        run = desk("visit", "add", *typed, "--type", "petition", "--officer", "binh", "-f", "json",
                   input="\n".join(answers) + "\n")
        assert run.exit_code == 0, run.stderr
        assert "Lan" not in run.stderr and "Thường" not in run.stderr and "CD-1" not in run.stderr, run.stderr
        assert run.json()["citizen_id"] != denounced["citizen_id"]


def test_a_denouncer_back_with_a_complaint_under_the_same_name_is_not_named_anywhere(desk):
    """Without an ID number typed, a denouncer who came back with a complaint was a second record
    of the same name: the report with --reveal named them and the locality typed with the
    denunciation, `alerts` listed them by name among the citizens coming back, and `citizen list`
    showed the name beside their masked record. A denouncer's namesakes are protected as they are."""
    add(desk, "--citizen", "Trần Lặp", "--type", "denunciation", "--field", "administration",
        "--locality", "Xã Kín, Huyện H", "--officer", "binh", "--at", "04/02/2021 10:00")
    complaint = add(desk, "--citizen", "Trần Lặp", "--type", "complaint", "--field", "land",
                    "--locality", "Xã Kín, Huyện H", "--officer", "binh", "--at", "05/02/2021 10:00")["case"]
    for day in ("06", "07"):
        add(desk, "--citizen", "Trần Lặp", "--case", complaint, "--officer", "binh", "--at", f"{day}/02/2021 10:00")
    outputs = [desk("report", "tet-2021", "--reveal"), desk("report", "tet-2021", "--reveal", "-f", "json"),
               desk("alerts", "--on", "23/02/2021"), desk("alerts", "--on", "23/02/2021", "-f", "json"),
               desk("citizen", "list"), desk("visit", "list", "-f", "json"), desk("case", "show", complaint)]
    for run in outputs:
        assert run.exit_code == 0, run.stderr
        assert "Lặp" not in run.stdout + run.stderr and "Kín" not in run.stdout, run.stdout
    assert "T. L." in outputs[2].stdout  # (still counted among the citizens coming back)
    assert desk("citizen", "list", "--search", "tran lap", "-f", "json").json() == []
    assert [c["name"] for c in desk("citizen", "list", "--reveal", "-f", "json").json()] == ["Trần Lặp"] * 2


def test_editing_what_the_citizen_asked_leaves_an_event_in_the_trail(desk):
    """`visit edit --content/--note` changed the request and the note without any event: the trail
    (which keeps no personal data, so not the texts) says which of them an edit changed."""
    code = add(desk, "--citizen", "Lê Văn Nam", *BASE, "--content", "Khiếu nại thu hồi đất",
               "--at", "06/02/2021 08:00")["code"]
    assert desk("visit", "edit", code, "--content", "Rút đơn khiếu nại").exit_code == 0
    assert desk("visit", "edit", code, "--note", "công dân đã rút đơn", "--people", "2").exit_code == 0
    assert desk("visit", "edit", code, "--content", "Rút đơn khiếu nại").exit_code == 0  # the same text: no change
    edits = [e for e in desk("log", "--entity", code, "-f", "json").json() if e["action"] == "edit"]
    assert [e["changes"]["after"] for e in edits] == [{"fields": ["content"]}, {"people": 2, "fields": ["note"]}]
    assert "Rút" not in desk("log", "--entity", code).stdout
    denounced = add(desk, "--citizen", "Võ Văn Kiệt", "--type", "denunciation", "--field", "land", "--officer", "binh",
                    "--people", "6", "--representatives", "Võ Văn Kiệt", "--at", "06/02/2021 09:00")["code"]
    assert desk("visit", "edit", denounced, "--representatives", "Võ Văn Kiệt; Lê Thị Mai").exit_code == 0
    last = desk("log", "--entity", denounced, "-f", "json").json()[-1]
    assert last["changes"] == {"before": {}, "after": {"fields": ["representatives"]}}


def test_a_corrected_locality_moves_the_case_its_only_visit_opened(desk):
    """`visit edit --locality` (help: "for hotspots") corrected only the citizen's record: the case,
    which `case list --locality` and the hotspots read, kept the mistyped one, and nothing said so.
    The case of that visit alone follows, audited; one with other visits keeps its own, with a warning."""
    first = add(desk, "--citizen", "Nguyễn Thị Hà", *BASE, "--locality", "Xã M", "--at", "12/02/2021 08:00")
    assert desk("visit", "edit", first["code"], "--locality", "Xã N").exit_code == 0
    assert [c["code"] for c in desk("case", "list", "--locality", "xa n", "-f", "json").json()] == [first["case"]]
    assert desk("case", "list", "--locality", "xa m", "-f", "json").json() == []
    edit = [e for e in desk("log", "--entity", first["case"], "-f", "json").json() if e["action"] == "edit"]
    assert edit[-1]["changes"] == {"before": {"locality": "Xã M"}, "after": {"locality": "Xã N"}}
    add(desk, "--citizen", "Nguyễn Thị Hà", "--case", first["case"], "--officer", "binh", "--at", "13/02/2021 08:00")
    kept = desk("visit", "edit", first["code"], "--locality", "Xã P")
    assert kept.exit_code == 0 and f"case {first['case']} keeps its own locality" in kept.stderr, kept.stderr
    assert [c["code"] for c in desk("case", "list", "--locality", "xa n", "-f", "json").json()] == [first["case"]]


def test_a_denouncer_speaking_for_a_delegation_is_masked_among_its_representatives(desk):
    """`visit list` named a denouncer in clear as a representative of another visit's delegation
    (the export withholds the name wherever it is): without --reveal it shows the initials of a
    representative who has (or shares) a denouncer's name (`visit show` shows identities, audited)."""
    add(desk, "--citizen", "Võ Văn Kiệt", "--id-number", "079123456789", "--type", "denunciation", "--field", "land",
        "--officer", "binh", "--at", "03/02/2021 09:00")
    crowd = add(desk, "--citizen", "Lê Thị Mai", *BASE, "--people", "8",
                "--representatives", "Võ Văn Kiệt; Lê Thị Mai", "--at", "10/02/2021 09:00")["code"]
    listed = desk("visit", "list", "-f", "json").json()
    assert [v["representatives"] for v in listed if v["code"] == crowd] == [["V. V. K.", "Lê Thị Mai"]]
    for run in (desk("visit", "list"), desk("visit", "list", "-f", "csv")):
        assert "Kiệt" not in run.stdout
    assert desk("visit", "list", "--reveal", "-f", "json").json()[0]["representatives"] == ["Võ Văn Kiệt", "Lê Thị Mai"]


def test_a_search_finds_a_denunciation_by_its_content_whatever_its_denouncer_is_called(desk):
    """Without --reveal a denouncer's visits were left out of a search whenever the words typed were
    in their name or address: a denunciation naming a hamlet was found unless its denouncer lived
    there, which said where. A denunciation (its key is its content alone) is found by its content;
    a denouncer's other visits, whose keys hold their name and address, by no search without --reveal."""
    for name, hamlet, at in (("Võ Văn Kiệt", "Tân Thạnh", "09:00"), ("Trần Văn Út", "Long Hòa", "10:00")):
        add(desk, "--citizen", name, "--id-number", "079123456789" if hamlet == "Tân Thạnh" else "079123456788",
            "--address", f"ấp {hamlet}, xã Phú Hòa", "--type", "denunciation", "--field", "land",
            "--content", "Tố cáo trưởng ấp Tân Thạnh lấn chiếm đất công", "--officer", "binh",
            "--at", f"05/02/2021 {at}")
    add(desk, "--citizen", "Võ Văn Kiệt", "--id-number", "079123456789", *BASE, "--content", "Khiếu nại đất ở",
        "--at", "06/02/2021 10:00")
    for term in ("truong ap", "tan thanh", "lan chiem"):
        assert [v["citizen"] for v in desk("visit", "list", "--search", term, "-f", "json").json()] == [
            "T. V. Ú.", "V. V. K."], term
    for term in ("khieu nai", "vo van kiet", "phu hoa"):
        assert [v["type"] for v in desk("visit", "list", "--search", term, "-f", "json").json()] == [], term
    assert len(desk("visit", "list", "--search", "khieu nai", "--reveal", "-f", "json").json()) == 1


def test_a_name_typed_with_other_tone_marks_is_another_person_of_the_case(desk):
    """Back about a case without an ID number, a name equal to its citizen's but for the accents was
    taken as theirs: Nguyễn Thị Hạ, typed with her marks, was recorded as Nguyễn Thị Hà and stored
    nowhere. A name typed with accents must have the record's; one typed without any may be any."""
    from tct.citizens import same_name

    first = add(desk, "--citizen", "Nguyễn Thị Hà", *BASE, "--at", "12/02/2021 08:00")
    for typed, same in (("nguyen thi ha", True), ("NGUYỄN THỊ HÀ", True), ("Nguyễn  Thị Hà", True),
                        ("Nguyễn Thị Hạ", False), ("Nguyen Thi Hạ", False)):
        back = add(desk, "--citizen", typed, "--case", first["case"], "--officer", "binh", "--at", "12/02/2021 09:00")
        assert (back["citizen_id"] == first["citizen_id"]) is same, typed
    assert same_name("Đỗ  Văn Lân", "Đỗ Văn Lân") and same_name("do van lan", "Đỗ Văn Lân")
    assert not same_name("Đỗ Văn Lan", "Đỗ Văn Lân") and not same_name("Đỗ Văn Lân", "Đỗ Văn Lan")
    # the old and new places of a tone are one spelling; đ alone, or a record kept without accents, is no spelling
    assert same_name("Nguyễn Thị Thuý", "Nguyễn Thị Thúy") and same_name("Lê Hoà", "Lê Hòa")
    assert same_name("Đo Thi Lan", "Đỗ Thị Lan") and same_name("Nguyễn Thị Hà", "nguyen thi ha")
    shared = add(desk, "--citizen", "Nguyễn Thị Thúy", *BASE, "--at", "12/02/2021 10:00")
    again = add(desk, "--citizen", "Nguyễn Thị Thuý", "--case", shared["case"], "--officer", "binh",
                "--at", "12/02/2021 11:00")
    assert again["citizen_id"] == shared["citizen_id"]


def test_a_visit_still_to_come_is_refused_whatever_its_form(desk):
    """`hôm nay 23h` typed at 01:29 (the slip `14g` alone is refused for) and tomorrow's date were
    taken: anything but a moment that took place (a few minutes' slack aside) is refused, with
    nothing written."""
    from datetime import timedelta

    from tct.dates import now_local

    later = now_local("Asia/Ho_Chi_Minh") + timedelta(minutes=30)
    before = counts(desk)
    for typed in (f"{later:%d/%m/%Y %H:%M}", f"{later + timedelta(days=1):%d/%m/%Y} 00:30"):
        assert_one_line_error(desk("visit", "add", "--citizen", "A", *BASE, "--at", typed), 1, "in the future")
    assert counts(desk) == before
    soon = now_local("Asia/Ho_Chi_Minh") + timedelta(minutes=2)
    assert desk("visit", "add", "--citizen", "A", *BASE, "--at", f"{soon:%d/%m/%Y %H:%M}").exit_code == 0


def test_a_case_moved_away_by_a_corrected_locality_takes_its_hotspot_with_it(desk):
    """Two crowd cases made Xã M a hotspot; one's locality corrected to Xã N left the other flagged
    hotspot, and `tct hotspots` still named Xã M, which now had one."""
    first = add(desk, "--citizen", "Người Một", *BASE, "--locality", "Xã M", "--people", "6",
                "--representatives", "R A", "--at", "01/02/2021 08:00")
    second = add(desk, "--citizen", "Người Hai", *BASE, "--locality", "Xã M", "--people", "6",
                 "--representatives", "R B", "--at", "02/02/2021 08:00")
    assert "hotspot" in desk("case", "show", first["case"], "-f", "json").json()["flags"]
    assert desk("visit", "edit", second["code"], "--locality", "Xã N").exit_code == 0
    assert "hotspot" not in desk("case", "show", first["case"], "-f", "json").json()["flags"]
    assert not any(p["hotspot"] for p in desk("hotspots", "--from", "01/02/2021", "--to", "28/02/2021",
                                              "-f", "json").json())


def test_showing_a_visit_that_names_a_denouncer_among_its_representatives_is_a_reveal(desk):
    """`visit show` shows identities, and writes a reveal to the trail when they are a denouncer's:
    one named among a delegation's representatives too."""
    add(desk, "--citizen", "Đỗ Thị Lan", "--type", "denunciation", "--field", "land", "--officer", "binh",
        "--at", "03/02/2021 08:00")
    crowd = add(desk, "--citizen", "Lê Văn Tám", *BASE, "--people", "6", "--representatives", "Đỗ Thị Lan; Lê Văn Tám",
                "--at", "04/02/2021 08:00")["code"]
    assert "Đỗ Thị Lan" in desk("visit", "show", crowd).stdout
    assert [e["code"] for e in desk("log", "-f", "json").json() if e["action"] == "reveal"] == [crowd]


def test_a_corrected_handling_of_a_petition_s_only_visit_closes_it_or_says_it_stays_closed(desk):
    """The close of a petition answered at the desk follows its visit's handling when that is
    corrected to `answered` (it stood new, and overdue ten days later); corrected away from it, or
    the visit moved to another day, the step stays in the history and a warning says what to do."""
    guided = add(desk, "--citizen", "Lê Văn Tư", "--type", "petition", "--field", "other", "--officer", "binh",
                 "--at", "03/02/2021 08:30")
    assert desk("case", "show", guided["case"], "-f", "json").json()["status"] == "new"
    assert desk("visit", "edit", guided["code"], "--handling", "answered").exit_code == 0
    shown = desk("case", "show", guided["case"], "-f", "json").json()
    assert (shown["status"], shown["closed_on"]) == ("closed", "2021-02-03")
    back = desk("visit", "edit", guided["code"], "--handling", "guided")
    assert back.exit_code == 0 and f"case {guided['case']} stays closed" in back.stderr, back.stderr
    moved = desk("visit", "edit", guided["code"], "--at", "01/02/2021 08:30")
    assert moved.exit_code == 0 and "keeps the day it was closed" in moved.stderr, moved.stderr
    assert desk("case", "show", guided["case"], "-f", "json").json()["status"] == "closed"
