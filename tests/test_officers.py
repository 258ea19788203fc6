import unicodedata

import pytest

from conftest import assert_one_line_error


def test_add_list_and_retire(tct):
    assert tct("officer", "add", "Trần Thị Bình", "--title", "Thanh tra viên", "--unit", "Thanh tra Sở").exit_code == 0
    assert tct("officer", "add", "Lê Văn An", "--phone", "0297 3862 123").exit_code == 0
    names = [o["name"] for o in tct("officer", "list", "-f", "json").json()]
    assert names == ["Lê Văn An", "Trần Thị Bình"]
    assert tct("officer", "retire", "tran thi binh").exit_code == 0
    assert [o["name"] for o in tct("officer", "list", "-f", "json").json()] == ["Lê Văn An"]
    everyone = tct("officer", "list", "--all", "-f", "json").json()
    assert [o["active"] for o in everyone] == [True, False]
    actions = [(e["entity"], e["action"]) for e in tct("log", "-f", "json").json()]
    assert actions == [("officer", "create"), ("officer", "create"), ("officer", "retire")]


def test_names_resolve_without_accents_and_ambiguity_lists_candidates(tct, database):
    from tct import officers
    from tct.db import write_session

    with write_session(database) as session:
        for name in ("Trần Thị Bình", "Trần Văn Bình", "Nguyễn Văn Đức"):
            officers.add(session, name, actor="t")
    with write_session(database) as session:
        assert officers.resolve(session, "TRAN THI BINH").name == "Trần Thị Bình"
        assert officers.resolve(session, "duc").name == "Nguyễn Văn Đức"
    run = tct("officer", "retire", "tran binh")
    assert_one_line_error(run, 1, "Trần Thị Bình", "Trần Văn Bình")
    assert_one_line_error(tct("officer", "retire", "pham"), 1, "no officer matches", "Nguyễn Văn Đức")


def test_duplicate_and_bad_values_are_refused(tct):
    assert tct("officer", "add", "Lê Văn An").exit_code == 0
    assert_one_line_error(tct("officer", "add", "le van an"), 1, "already")
    assert_one_line_error(tct("officer", "add", "Phạm B", "--phone", "call me"), 1, "--phone")
    assert_one_line_error(tct("officer", "add", "   "), 1, "required")
    assert len(tct("officer", "list", "-f", "json").json()) == 1


def test_names_differing_only_by_tone_marks_are_two_officers(tct):
    for name in ("Lê Minh Tuấn", "Lê Minh Tuân", "Nguyễn Thị Hà", "Nguyễn Thị Hạ"):
        run = tct("officer", "add", name)
        assert run.exit_code == 0, run.stderr
    names = {o["name"] for o in tct("officer", "list", "-f", "json").json()}
    assert names == {"Lê Minh Tuấn", "Lê Minh Tuân", "Nguyễn Thị Hà", "Nguyễn Thị Hạ"}
    # the same name again, in other capitals or decomposed by an input method, is still a duplicate
    assert_one_line_error(tct("officer", "add", "NGUYỄN THỊ HẠ"), 1, "already", "Nguyễn Thị Hạ")
    decomposed = unicodedata.normalize("NFD", "Lê Minh Tuân")
    assert_one_line_error(tct("officer", "add", decomposed), 1, "already", "Lê Minh Tuân")
    assert len(tct("officer", "list", "-f", "json").json()) == 4


def test_exact_accented_name_resolves_to_that_officer(tct, database):
    from tct import officers
    from tct.db import write_session

    with write_session(database) as session:
        for name in ("Nguyễn Thị Hà", "Nguyễn Thị Hạ", "Trần Thị Bình"):
            officers.add(session, name, actor="t")
    with write_session(database) as session:
        assert officers.resolve(session, "Nguyễn Thị Hạ").name == "Nguyễn Thị Hạ"
        assert officers.resolve(session, "Nguyễn Thị Hà").name == "Nguyễn Thị Hà"
        assert officers.resolve(session, "nguyễn thị hạ").name == "Nguyễn Thị Hạ"
        assert officers.resolve(session, unicodedata.normalize("NFD", "Nguyễn Thị Hạ")).name == "Nguyễn Thị Hạ"
    visit = ["visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "04/02/2021 09:00"]
    for name in ("Nguyễn Thị Hạ", "Nguyễn Thị Hà"):
        run = tct(*visit, "--officer", name, "-f", "json")
        assert run.exit_code == 0, run.stderr
        assert run.json()["officer"] == name
    listed = tct("visit", "list", "--officer", "Nguyễn Thị Hạ", "-f", "json").json()
    assert [v["officer"] for v in listed] == ["Nguyễn Thị Hạ"]


def test_unaccented_name_of_two_accented_officers_is_ambiguous(tct):
    for name in ("Nguyễn Thị Hà", "Nguyễn Thị Hạ", "Trần Thị Bình"):
        assert tct("officer", "add", name).exit_code == 0
    before = tct("visit", "list", "-f", "json").json()
    run = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "04/02/2021 09:00",
              "--officer", "nguyen thi ha")
    assert_one_line_error(run, 1, "more than one officer", "Nguyễn Thị Hà", "Nguyễn Thị Hạ", "accents")
    assert tct("visit", "list", "-f", "json").json() == before
    assert_one_line_error(tct("officer", "retire", "ha"), 1, "Nguyễn Thị Hà", "Nguyễn Thị Hạ")
    # an unambiguous name still needs no accents
    run = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "04/02/2021 09:00",
              "--officer", "binh", "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["officer"] == "Trần Thị Bình"
    assert tct("officer", "retire", "tran thi binh").exit_code == 0


def test_a_retired_officer_typed_exactly_is_not_taken_for_a_namesake(tct):
    assert tct("officer", "add", "Nguyễn Thị Hà").exit_code == 0
    assert tct("officer", "add", "Nguyễn Thị Hạ").exit_code == 0
    assert tct("officer", "retire", "Nguyễn Thị Hạ").exit_code == 0
    # a visit now (after she retired; a day she still served may name her: test_rosters)
    run = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "Nguyễn Thị Hạ")
    assert_one_line_error(run, 1, "Nguyễn Thị Hạ", "retired")
    assert tct("visit", "list", "-f", "json").json() == []
    # unaccented, only the active one is meant
    run = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "04/02/2021 09:00",
              "--officer", "nguyen thi ha", "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["officer"] == "Nguyễn Thị Hà"


def test_a_retired_officer_typed_without_accents_is_said_to_have_retired(tct, monkeypatch):
    """`le minh tuan` (or TCT_OFFICER=le minh tuan) after Lê Minh Tuấn retired: not 'no officer
    matches', which sends the desk looking for a typo."""
    for args in (("add", "Lê Minh Tuấn"), ("add", "Trần Thị Bình"), ("retire", "Lê Minh Tuấn")):
        assert tct("officer", *args).exit_code == 0
    for typed in ("le minh tuan", "tuan"):
        run = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", typed)
        assert_one_line_error(run, 1, "Lê Minh Tuấn", "retired")
    monkeypatch.setenv("TCT_OFFICER", "le minh tuan")
    run = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "04/02/2021 09:00")
    assert_one_line_error(run, 1, "Lê Minh Tuấn", "retired")
    assert_one_line_error(tct("officer", "retire", "pham"), 1, "no officer matches")
    assert tct("visit", "list", "-f", "json").json() == []


def test_an_unknown_or_retired_tct_officer_is_said_in_vietnamese(tct, monkeypatch):
    """TCT_OFFICER naming nobody, or someone retired: the error says where the name came from, in
    the person's language (the English is as it was)."""
    for args in (("add", "Lê Minh Tuấn"), ("add", "Trần Thị Bình"), ("retire", "Lê Minh Tuấn")):
        assert tct("officer", *args).exit_code == 0
    visit = ("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--at", "04/02/2021 09:00")
    monkeypatch.setenv("TCT_OFFICER", "Ai Đó")
    run = tct(*visit, env={"TCT_LANG": "vi"})
    assert run.exit_code == 1
    assert run.stderr.strip() == "Lỗi: TCT_OFFICER: không có cán bộ nào khớp với 'Ai Đó'; các cán bộ: Trần Thị Bình"
    assert tct(*visit).stderr.strip() == "Error: TCT_OFFICER: no officer matches 'Ai Đó'; officers: Trần Thị Bình"
    monkeypatch.setenv("TCT_OFFICER", "le minh tuan")
    run = tct(*visit, env={"TCT_LANG": "vi"})
    assert run.exit_code == 1
    assert run.stderr.strip() == "Lỗi: TCT_OFFICER: cán bộ Lê Minh Tuấn đã thôi tiếp công dân (tct officer list --all)"


def test_roster_add_and_visit_import_resolve_the_exact_accented_name(tct, tmp_path):
    for name in ("Nguyễn Thị Hà", "Nguyễn Thị Hạ"):
        assert tct("officer", "add", name).exit_code == 0
    assert tct("roster", "add", "Nguyễn Thị Hạ", "--date", "10/02/2021").exit_code == 0
    shifts = tct("roster", "list", "--from", "10/02/2021", "--to", "10/02/2021", "-f", "json").json()
    assert "Nguyễn Thị Hạ" in str(shifts) and "Nguyễn Thị Hà" not in str(shifts)
    assert_one_line_error(tct("roster", "add", "nguyen thi ha", "--date", "11/02/2021"), 1,
                          "Nguyễn Thị Hà", "Nguyễn Thị Hạ")
    path = tmp_path / "visits.csv"
    path.write_text("citizen,type,field,at,officer\n"
                    "A,complaint,land,03/02/2021 08:00,Nguyễn Thị Hạ\n"
                    "B,complaint,land,03/02/2021 09:00,Nguyễn Thị Hà\n", encoding="utf-8")
    run = tct("import", "--visits", str(path))
    assert run.exit_code == 0, run.stderr
    listed = tct("visit", "list", "-f", "json").json()
    assert sorted((v["citizen"], v["officer"]) for v in listed) == [("A", "Nguyễn Thị Hạ"), ("B", "Nguyễn Thị Hà")]
    path.write_text("citizen,type,field,at,officer\nC,complaint,land,03/02/2021 10:00,nguyen thi ha\n",
                    encoding="utf-8")
    run = tct("import", "--visits", str(path))
    assert run.exit_code == 1 and "matches more" in run.stderr and "Traceback" not in run.stderr
    assert len(tct("visit", "list", "-f", "json").json()) == 2


def test_roster_import_tells_names_differing_only_by_tone_marks_apart(tct, tmp_path):
    for name in ("Nguyễn Thị Hà", "Nguyễn Thị Hạ"):
        assert tct("officer", "add", name).exit_code == 0
    path = tmp_path / "roster.csv"
    path.write_text("officer,date,shift,role,location,note\n"
                    "Nguyễn Thị Hạ,2021-02-10,morning,main,,\n"
                    "Nguyễn Thị Hà,2021-02-10,afternoon,main,,\n", encoding="utf-8")
    run = tct("roster", "import", str(path))
    assert run.exit_code == 0, run.stderr
    rows = tct("roster", "export", "--from", "10/02/2021", "--to", "10/02/2021").stdout
    assert "Nguyễn Thị Hạ,2021-02-10,morning" in rows and "Nguyễn Thị Hà,2021-02-10,afternoon" in rows


def test_a_lazily_typed_retired_name_does_not_hide_the_accented_officer_who_replaced_it(tct):
    """'Le Van An' added without accents, retired, and added again as Lê Văn An: `le van an` is him."""
    for args in (("add", "Le Van An"), ("retire", "Le Van An"), ("add", "Lê Văn An")):
        assert tct("officer", *args).exit_code == 0
    run = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "le van an",
              "--at", "01/02/2021 08:00", "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["officer"] == "Lê Văn An"


@pytest.mark.parametrize(("args", "vietnamese", "english"), [
    (["officer", "add", "TRẦN THỊ BÌNH"], "đã có cán bộ tên Trần Thị Bình trong sổ",
     "an officer named Trần Thị Bình is already on the register"),
    (["visit", "list", "--officer", " "], "cần nhập tên cán bộ", "an officer's name is required"),
    (["officer", "retire", "tran binh"],
     "'tran binh' khớp với nhiều cán bộ (Trần Thị Bình, Trần Văn Bình); hãy gõ đầy đủ hơn tên cán bộ",
     "'tran binh' matches more than one officer (Trần Thị Bình, Trần Văn Bình); type more of the name"),
    (["officer", "retire", "Nguyen Thi Ha"],
     "'Nguyen Thi Ha' khớp với nhiều cán bộ (Nguyễn Thị Hà, Nguyễn Thị Hạ); hãy gõ tên có dấu",
     "'Nguyen Thi Ha' matches more than one officer (Nguyễn Thị Hà, Nguyễn Thị Hạ); type the name with its accents"),
])
def test_officer_errors_are_said_in_vietnamese(tct, args, vietnamese, english):
    for name in ("Trần Thị Bình", "Trần Văn Bình", "Nguyễn Thị Hà", "Nguyễn Thị Hạ"):
        assert tct("officer", "add", name).exit_code == 0
    run = tct("--lang", "vi", *args)
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Lỗi: {vietnamese}"], run.stderr
    run = tct(*args)
    assert run.exit_code == 1 and run.stderr.splitlines() == [f"Error: {english}"], run.stderr
    assert len(tct("officer", "list", "-f", "json").json()) == 4


def test_no_officer_yet_is_said_in_vietnamese(tct):
    run = tct("--lang", "vi", "visit", "list", "--officer", "an")
    assert run.exit_code == 1 and run.stderr.splitlines() == [
        "Lỗi: không có cán bộ nào khớp với 'an'; các cán bộ: chưa có (thêm bằng tct officer add NAME)"], run.stderr
    assert "officers: none yet: tct officer add NAME" in tct("visit", "list", "--officer", "an").stderr


def test_the_audit_trail_names_the_officer_a_typed_name_means(tct, monkeypatch, tmp_path):
    """TCT_OFFICER=binh, which visit add reads as Trần Thị Bình, is written to the trail as her
    registered name, on every path that writes events (the models, a bulk import and its flags,
    the sqlite3 path of export --reveal), retired or not; a login name, a name meaning several
    officers or none, and a register without officers keep the name as typed."""
    import getpass

    binh = {"TCT_OFFICER": "binh"}
    assert tct("officer", "add", "Lê Văn An", env=binh).exit_code == 0  # (no Bình yet: as typed)
    for name in ("Trần Thị Bình", "Trần Văn Hải"):
        assert tct("officer", "add", name).exit_code == 0
    visit = ("visit", "add", "--citizen", "Nguyễn Văn Cường", "--type", "complaint", "--field", "land",
             "--at", "02/02/2021 08:00", "-y")
    assert tct(*visit, env=binh).exit_code == 0
    sheet = tmp_path / "visits.csv"
    sheet.write_text("citizen,type,field,at,officer,people\nĐoàn xã A,complaint,land,03/02/2021 08:00,binh,8\n",
                     encoding="utf-8")
    assert tct("import", "--visits", str(sheet), env=binh).exit_code == 0
    assert tct("export", "--reveal", "-o", str(tmp_path / "all.json"), env=binh).exit_code == 0
    assert tct("officer", "retire", "le van an").exit_code == 0
    assert tct("config", "set", "agency.name", "Sở A", env={"TCT_OFFICER": "an"}).exit_code == 0  # retired
    assert tct("config", "set", "agency.name", "Sở B", env={"TCT_OFFICER": "tran"}).exit_code == 0  # two
    monkeypatch.setattr(getpass, "getuser", lambda: "binh")
    assert tct("config", "set", "agency.name", "Sở C", env={"TCT_OFFICER": ""}).exit_code == 0  # the login
    events = tct("log", "-f", "json").json()
    assert events[0]["actor"] == "binh"
    written = [(e["entity"], e["action"]) for e in events if e["actor"] == "Trần Thị Bình"]
    assert ("visit", "create") in written and ("import", "import") in written
    assert ("register", "export-reveal") in written and ("case", "flag") in written
    assert not [e for e in events[3:-4] if e["actor"] not in ("Trần Thị Bình", "tester")]
    assert [e["actor"] for e in events[-3:]] == ["Lê Văn An", "tran", "binh"]
