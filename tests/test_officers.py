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
