"""Cases: lifecycle, legal deadlines, automatic and manual flags, referrals, hotspots, alerts."""

from datetime import date

import pytest

from conftest import assert_one_line_error

BASE = ["--type", "complaint", "--field", "land", "--officer", "binh"]
DEFAULTS = (("repeat.window_days", 30), ("repeat.min_visits", 3))


@pytest.fixture
def desk(tct):
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    return tct


def visit(tct, *args):
    run = tct("visit", "add", *args, "-f", "json")
    assert run.exit_code == 0, run.stderr
    return run.json()


def case(tct, code):
    run = tct("case", "show", code, "-f", "json")
    assert run.exit_code == 0, run.stderr
    return run.json()


def counts(tct):
    return tct("db", "info", "-f", "json").json()["tables"]


def test_a_twelve_person_visit_flags_its_case_crowd(desk):
    v = visit(desk, "--citizen", "Đoàn", *BASE, "--people", "12", "--representatives", "A; B")
    assert case(desk, v["case"])["flags"] == ["crowd"]
    small = visit(desk, "--citizen", "Một người", *BASE)
    assert case(desk, small["case"])["flags"] == []


def test_three_visits_within_30_days_flag_repeat_but_not_over_90_days(desk):
    first = visit(desk, "--citizen", "A", *BASE, "--at", "01/03/2021 08:00")
    visit(desk, "--citizen", "A", "--case", first["case"], "--officer", "binh", "--at", "15/03/2021 08:00")
    assert case(desk, first["case"])["flags"] == []
    visit(desk, "--citizen", "A", "--case", first["case"], "--officer", "binh", "--at", "31/03/2021 08:00")
    assert case(desk, first["case"])["flags"] == ["repeat"]

    spread = visit(desk, "--citizen", "B", *BASE, "--at", "01/01/2021 08:00")
    for day in ("15/02/2021 08:00", "01/04/2021 08:00"):
        visit(desk, "--citizen", "B", "--case", spread["case"], "--officer", "binh", "--at", day)
    assert case(desk, spread["case"])["flags"] == []


def _case_with_visits(desk, citizen, days):
    code = visit(desk, "--citizen", citizen, *BASE, "--at", f"{days[0]} 08:00")["case"]
    for day in days[1:]:
        visit(desk, "--citizen", citizen, "--case", code, "--officer", "binh", "--at", f"{day} 08:00")
    return code


@pytest.mark.parametrize(("key", "value", "days", "before", "after"), [
    # three visits over 28 days: a repeat in 30 days, not in 20
    ("repeat.window_days", "20", ("01/03/2021", "15/03/2021", "29/03/2021"), ["repeat"], []),
    # three over 40 days: none in 30 days, one in 45
    ("repeat.window_days", "45", ("01/03/2021", "20/03/2021", "10/04/2021"), [], ["repeat"]),
    ("repeat.min_visits", "2", ("01/03/2021", "05/03/2021"), [], ["repeat"]),
    ("repeat.min_visits", "4", ("01/03/2021", "15/03/2021", "29/03/2021"), ["repeat"], []),
])
def test_a_new_repeat_rule_is_applied_to_every_case_at_once(desk, key, value, days, before, after):
    """Not only the next time one of a case's visits is written: `case list --flag repeat` and
    `tct alerts` read the flags stored, which must agree with the rule in force."""
    code = _case_with_visits(desk, "A", days)
    assert case(desk, code)["flags"] == before
    assert desk("config", "set", key, value).exit_code == 0
    shown = case(desk, code)
    assert shown["flags"] == after
    last = [e for e in desk("log", "-f", "json").json() if e["code"] == code and e["action"] in ("flag", "unflag")][-1]
    assert (last["action"], last["reason"]) == (
        ("flag", f"{2 if value == '2' else 3} or more visits within {45 if value == '45' else 30} days") if after
        else ("unflag", "no visit calls for repeat any more"))
    assert desk("config", "set", key, str(dict(DEFAULTS)[key])).exit_code == 0  # and back again
    assert case(desk, code)["flags"] == before


def test_a_repeat_flag_cleared_by_hand_stays_cleared_under_a_new_rule(desk):
    code = _case_with_visits(desk, "A", ("01/03/2021", "15/03/2021", "29/03/2021"))
    assert desk("case", "unflag", code, "--repeat", "--reason", "cùng một việc").exit_code == 0
    assert desk("config", "set", "repeat.min_visits", "2").exit_code == 0
    assert case(desk, code)["flags"] == []
    visit(desk, "--citizen", "A", "--case", code, "--officer", "binh", "--at", "02/04/2021 08:00")
    assert case(desk, code)["flags"] == ["repeat"]  # a visit after the officer's decision calls for it again


def test_a_complex_complaints_time_is_never_set_shorter_than_an_ordinary_ones(desk):
    """deadline.complaint_complex_days 20 under complaint_days 30 gave a complex complaint the earlier
    deadline, against the law's 45 and 30: refused, either way round, writing nothing."""
    for key, value in (("deadline.complaint_complex_days", "20"), ("deadline.complaint_days", "50")):
        assert_one_line_error(desk("config", "set", key, value), 1, "cannot be shorter than an ordinary one's")
    assert desk("config", "get", "deadline.complaint_complex_days").stdout.strip().endswith("45")
    assert desk("config", "set", "deadline.complaint_days", "45").exit_code == 0  # (as long: allowed)


def test_a_new_deadline_rule_moves_the_stored_deadline_of_every_open_case(desk):
    """`case list --overdue`, `--due-within` and `tct alerts` read the stored deadline: it follows a
    `deadline.*` change at once, as the report's backlog (which computes it) does."""
    accepted = visit(desk, "--citizen", "A", *BASE, "--at", "01/03/2021 08:00")["case"]
    assert desk("case", "accept", accepted, "--date", "02/03/2021").exit_code == 0
    petition = visit(desk, "--citizen", "B", "--type", "petition", "--field", "land", "--officer", "binh",
                     "--at", "01/03/2021 08:00")["case"]
    guided = visit(desk, "--citizen", "C", *BASE, "--at", "01/03/2021 08:00")["case"]
    assert desk("case", "guide", guided, "--date", "02/03/2021").exit_code == 0
    assert [case(desk, c)["deadline"] for c in (accepted, petition, guided)] == ["2021-04-01", "2021-03-11", None]

    assert desk("config", "set", "deadline.complaint_days", "45").exit_code == 0
    assert [case(desk, c)["deadline"] for c in (accepted, petition, guided)] == ["2021-04-16", "2021-03-11", None]
    edits = [e for e in desk("log", "-f", "json").json() if e["action"] == "edit"]
    assert [(e["code"], e["changes"], e["reason"]) for e in edits] == [
        (accepted, {"before": {"deadline": "2021-04-01"}, "after": {"deadline": "2021-04-16"}},
         "deadline.complaint_days = 45")]
    assert desk("config", "set", "deadline.petition_days", "15").exit_code == 0
    assert case(desk, petition)["deadline"] == "2021-03-16"
    overdue = desk("case", "list", "--overdue", "--on", "20/03/2021", "-f", "json").json()
    assert [c["code"] for c in overdue] == [petition]


def test_voiding_the_visit_clears_the_automatic_flag_it_caused(desk):
    v = visit(desk, "--citizen", "Đoàn", *BASE, "--people", "8", "--representatives", "A", "--escalated")
    assert case(desk, v["case"])["flags"] == ["crowd", "escalated"]
    assert desk("visit", "void", v["code"], "--reason", "ghi nhầm").exit_code == 0
    shown = case(desk, v["case"])
    assert shown["flags"] == []
    cleared = [e for e in shown["timeline"] if e["event"] == "flag" and "cleared" in e["text"]]
    assert len(cleared) == 2


def test_editing_people_down_clears_crowd(desk):
    v = visit(desk, "--citizen", "Đoàn", *BASE, "--people", "6", "--representatives", "A")
    assert desk("visit", "edit", v["code"], "--people", "2").exit_code == 0
    assert case(desk, v["case"])["flags"] == []


def test_manual_complex_flag_lengthens_the_complaint_deadline(desk):
    v = visit(desk, "--citizen", "A", *BASE, "--at", "04/02/2021 09:00")
    assert case(desk, v["case"])["deadline"] == "2021-02-14"  # acceptance within 10 days of receipt
    assert desk("case", "accept", v["case"], "--date", "05/02/2021").exit_code == 0
    assert case(desk, v["case"])["deadline"] == "2021-03-07"  # 30 days from acceptance
    assert_one_line_error(desk("case", "flag", v["case"], "--complex"), 1, "--reason")
    assert desk("case", "flag", v["case"], "--complex", "--reason", "nhiều bên liên quan").exit_code == 0
    assert case(desk, v["case"])["deadline"] == "2021-03-22"  # 45 days for a complex complaint
    assert desk("case", "unflag", v["case"], "--complex", "--reason", "đã rõ").exit_code == 0
    assert case(desk, v["case"])["deadline"] == "2021-03-07"


def test_denunciation_acceptance_counts_working_days_around_tet(desk):
    v = visit(desk, "--citizen", "A", "--type", "to-cao", "--field", "land", "--officer", "binh",
              "--at", "05/02/2021 10:00")
    assert case(desk, v["case"])["deadline"] == "2021-02-23"  # 7 working days, Tết 10–16 Feb skipped


def test_working_days_skip_days_off_count_a_swapped_saturday_and_stop_at_the_calendar():
    from tct.cases import add_working_days
    from tct.errors import ValidationError

    # Thu 12 Feb 2015: Fri 13, then Saturday 14 Feb 2015, worked in exchange for a Tết day off
    assert add_working_days(date(2015, 2, 12), 2) == date(2015, 2, 14)
    # Wed 18 Jan 2023: Thu 19; Tết 20–26 Jan off; Fri 27, Mon 30, Tue 31 Jan, 1, 2, 3 Feb
    assert add_working_days(date(2023, 1, 18), 7) == date(2023, 2, 3)
    with pytest.raises(ValidationError, match="2101"):
        add_working_days(date(2100, 12, 28), 7)


def test_overdue_lists_exactly_the_open_cases_past_deadline_on_a_day(desk):
    late = visit(desk, "--citizen", "A", *BASE, "--at", "01/02/2021 08:00")["case"]         # due 11 Feb
    due_today = visit(desk, "--citizen", "B", *BASE, "--at", "10/02/2021 08:00")["case"]    # due 20 Feb
    closed = visit(desk, "--citizen", "C", *BASE, "--at", "01/02/2021 08:00")["case"]
    desk("case", "guide", closed, "--date", "02/02/2021")
    petition = visit(desk, "--citizen", "D", "--type", "petition", "--field", "policy", "--officer", "binh",
                     "--at", "05/02/2021 08:00")["case"]  # due 15 Feb
    overdue = [c["code"] for c in desk("case", "list", "--overdue", "--on", "20/02/2021", "-f", "json").json()]
    assert overdue == [late, petition]
    assert due_today not in overdue
    soon = [c["code"] for c in desk("case", "list", "--due-within", "3", "--on", "18/02/2021", "-f", "json").json()]
    assert soon == [due_today]
    rows = desk("case", "list", "--overdue", "--on", "20/02/2021", "-f", "json").json()
    assert rows[0]["days_overdue"] == 9


def test_a_reopened_case_s_deadline_runs_from_the_reopening_in_lists_alerts_and_the_report(desk):
    code = visit(desk, "--citizen", "A", *BASE, "--at", "01/02/2021 08:00")["case"]
    desk("case", "accept", code, "--date", "02/02/2021")
    desk("case", "resolve", code, "--result", "rejected", "--date", "20/02/2021")
    assert desk("case", "reopen", code, "--reason", "quyết định bị hủy", "--date", "01/03/2021").exit_code == 0
    assert case(desk, code)["deadline"] == "2021-03-31"  # 30 days from the reopening, not from 2 February
    assert desk("case", "list", "--overdue", "--on", "20/03/2021", "-f", "json").json() == []
    assert [c["code"] for c in desk("case", "list", "--overdue", "--on", "15/04/2021", "-f", "json").json()] == [code]
    backlog = desk("report", "01/04/2021..15/04/2021", "-f", "json").json()["backlog"]
    assert [(b["code"], b["deadline"]) for b in backlog] == [(code, "2021-03-31")]


def test_a_reopened_denunciation_s_new_time_has_its_own_extensions_and_none_of_the_earlier_ones(desk):
    """Reopened, a denunciation has 30 days from that day: an extension of the time that ended
    neither lengthens the new one (in lists and the report's backlog) nor uses up the extension the
    law allows it (Law on Denunciations 2018: once, twice if particularly complex)."""
    den = visit(desk, "--citizen", "B", "--type", "denunciation", "--field", "land", "--officer", "binh",
                "--at", "04/02/2021 09:00")["case"]
    desk("case", "accept", den, "--date", "08/02/2021")
    desk("case", "flag", den, "--complex", "--reason", "nhiều người liên quan", "--date", "09/02/2021")
    assert desk("case", "extend", den, "--days", "30", "--reason", "xác minh", "--date", "01/03/2021").exit_code == 0
    assert case(desk, den)["deadline"] == "2021-04-09"
    desk("case", "resolve", den, "--result", "rejected", "--date", "01/04/2021")
    assert desk("case", "reopen", den, "--reason", "kết luận bị hủy", "--date", "01/06/2021").exit_code == 0
    shown = case(desk, den)
    assert (shown["deadline"], shown["extension_days"]) == ("2021-07-01", 0)  # not 31 July
    assert [c["code"] for c in desk("case", "list", "--overdue", "--on", "15/07/2021", "-f", "json").json()] == [den]
    backlog = desk("report", "01/07/2021..15/07/2021", "-f", "json").json()["backlog"]
    assert [(b["code"], b["deadline"]) for b in backlog] == [(den, "2021-07-01")]
    # the new time's one extension is still the law's to grant
    again = desk("case", "extend", den, "--days", "10", "--reason", "xác minh lại", "--date", "20/06/2021")
    assert again.exit_code == 0, again.stderr
    assert case(desk, den)["deadline"] == "2021-07-11"
    backlog = desk("report", "01/07/2021..15/07/2021", "-f", "json").json()["backlog"]
    assert [(b["code"], b["deadline"]) for b in backlog] == [(den, "2021-07-11")]
    assert_one_line_error(desk("case", "extend", den, "--days", "5", "--reason", "x"), 1, "already extended")


def test_a_case_reopened_before_acceptance_is_received_again_that_day(desk):
    """A case guided or transferred away and then reopened is back at `new`: its acceptance
    deadline runs from the reopening (not from its first visit, which would make it overdue at
    once), in the stored deadline, its refresh by a setting, and the report's backlog of a later
    day; and it no longer says where it was transferred (its history does)."""
    code = visit(desk, "--citizen", "A", *BASE, "--at", "01/02/2021 08:00")["case"]
    assert desk("case", "transfer", code, "--to", "Sở Tài nguyên", "--date", "03/02/2021").exit_code == 0
    assert desk("case", "reopen", code, "--reason", "Sở trả lại đơn", "--date", "01/03/2021").exit_code == 0
    shown = case(desk, code)
    assert (shown["status"], shown["deadline"], shown["transferred_to"]) == ("new", "2021-03-11", None)
    assert [e["agency"] for e in shown["timeline"] if e["event"] == "status"] == ["Sở Tài nguyên", None]
    assert desk("case", "list", "--overdue", "--on", "05/03/2021", "-f", "json").json() == []
    assert desk("report", "01/03/2021..05/03/2021", "-f", "json").json()["backlog"] == []
    backlog = desk("report", "01/03/2021..15/03/2021", "-f", "json").json()["backlog"]
    assert [(b["code"], b["deadline"], b["status"]) for b in backlog] == [(code, "2021-03-11", "new")]
    assert desk("config", "set", "deadline.petition_days", "15").exit_code == 0  # (a refresh of every deadline)
    assert case(desk, code)["deadline"] == "2021-03-11"


def test_lifecycle_and_impossible_transitions(desk):
    code = visit(desk, "--citizen", "A", *BASE, "--at", "01/02/2021 08:00")["case"]
    assert_one_line_error(desk("case", "resolve", code, "--result", "upheld"), 1, "needs it to be accepted")
    assert desk("case", "accept", code, "--date", "02/02/2021").exit_code == 0
    assert_one_line_error(desk("case", "accept", code), 1, "is accepted")
    assert_one_line_error(desk("case", "resolve", code, "--result", "maybe"), 1, "--result")
    assert desk("case", "resolve", code, "--result", "partly-upheld", "--date", "20/02/2021").exit_code == 0
    assert desk("case", "close", code, "--date", "21/02/2021").exit_code == 0
    shown = case(desk, code)
    assert (shown["status"], shown["result"], shown["deadline"]) == ("closed", "partly-upheld", None)
    assert desk("case", "reopen", code, "--reason", "khiếu nại lần hai").exit_code == 0
    shown = case(desk, code)
    assert shown["status"] == "accepted" and shown["result"] is None
    steps = [e["text"] for e in shown["timeline"] if e["event"] == "status"]
    assert steps == ["new → accepted", "accepted → resolved (partly-upheld)", "resolved → closed",
                     "closed → accepted"]
    assert_one_line_error(desk("case", "accept", "VV-2021-0999"), 1, "no case")


def test_a_petition_answered_at_the_desk_is_closed_and_leaves_the_backlog(desk):
    """A petition or feedback answered on the spot stayed new until someone ran `case close`, and
    stood in the report's backlog, 'overdue', ten days later (six of them in the bundled example's
    report): the visit that opens it with `--handling answered` closes it that day, in its history
    and the trail. A complaint answered at the desk still is not (acceptance or a decision is owed),
    nor a petition guided or taken in, nor one answered on a later visit to its case."""
    answered = visit(desk, "--citizen", "A", "--type", "kiến nghị", "--field", "other", "--officer", "binh",
                     "--handling", "answered", "--at", "03/02/2021 09:00")["case"]
    feedback = visit(desk, "--citizen", "B", "--type", "phản ánh", "--field", "other", "--officer", "binh",
                     "--handling", "trả lời", "--at", "03/02/2021 10:00")["case"]
    complaint = visit(desk, "--citizen", "C", *BASE, "--handling", "answered", "--at", "03/02/2021 11:00")["case"]
    taken = visit(desk, "--citizen", "D", "--type", "petition", "--field", "other", "--officer", "binh",
                  "--handling", "accepted", "--at", "03/02/2021 12:00")["case"]
    visit(desk, "--citizen", "D", "--case", taken, "--officer", "binh", "--handling", "answered",
          "--at", "05/02/2021 08:00")
    shown = case(desk, answered)
    assert (shown["status"], shown["closed_on"], shown["deadline"], shown["result"]) == ("closed", "2021-02-03",
                                                                                           None, None)
    step = [e for e in shown["timeline"] if e["event"] == "status"]
    assert [(e["from_status"], e["to_status"], e["note"]) for e in step] == [
        ("new", "closed", f"answered at the desk ({shown['timeline'][0]['code']})")]
    assert case(desk, feedback)["status"] == "closed"
    assert case(desk, complaint)["status"] == case(desk, taken)["status"] == "new"
    closes = [e for e in desk("log", "--entity", answered, "-f", "json").json() if e["action"] == "close"]
    assert closes[0]["changes"]["after"] == {"status": "closed", "deadline": None}
    assert_one_line_error(desk("case", "close", answered, "--date", "04/02/2021"), 1, "closed")
    assert desk("case", "close", taken, "--date", "05/02/2021").exit_code == 0  # answered later: closed by hand
    assert_one_line_error(desk("case", "close", complaint, "--date", "04/02/2021"), 1, "resolved")
    report = desk("report", "tet-2021", "-f", "json").json()
    assert [b["code"] for b in report["backlog"]] == [complaint]
    assert report["resolution"]["closed"] == 3 and report["resolution"]["new"] == 1
    assert desk("case", "reopen", answered, "--reason", "hỏi lại", "--date", "10/02/2021").exit_code == 0
    assert (case(desk, answered)["status"], case(desk, answered)["deadline"]) == ("new", "2021-02-20")


def test_a_petition_has_no_acceptance_that_would_restart_its_ten_days(desk):
    """Accepting a petition (a complaint's and a denunciation's formal step) counted its 10 days
    again from that day: received 1 February, accepted the 10th, it was due the 20th and out of the
    backlog on the 15th. `case accept` refuses it, writing nothing; it stays due 10 days from receipt."""
    petition = visit(desk, "--citizen", "P", "--type", "petition", "--field", "policy", "--officer", "binh",
                     "--at", "01/02/2021 09:00")["case"]
    before = counts(desk)
    run = desk("case", "accept", petition, "--date", "10/02/2021")
    assert_one_line_error(run, 1, "no acceptance step")
    assert "within 10 days of receipt" in run.stderr
    assert counts(desk) == before
    shown = case(desk, petition)
    assert (shown["status"], shown["accepted_on"], shown["deadline"]) == ("new", None, "2021-02-11")
    backlog = desk("report", "01/02/2021..15/02/2021", "-f", "json").json()["backlog"]
    assert [(b["code"], b["days_overdue"]) for b in backlog] == [(petition, 4)]


def test_a_code_typed_without_its_leading_zeros_is_the_same_record(desk):
    """`tct case show vv-2021-1` (read off a slip, zeros left out) said there was no such case."""
    v = visit(desk, "--citizen", "A", *BASE, "--at", "04/02/2021 08:00")
    assert (v["code"], v["case"]) == ("TCD-2021-0001", "VV-2021-0001")
    for typed in ("vv-2021-1", " VV-2021-01 ", "vv-2021-0001"):
        shown = desk("case", "show", typed, "-f", "json")
        assert shown.exit_code == 0 and shown.json()["code"] == "VV-2021-0001", (typed, shown.stderr)
    assert desk("visit", "show", "tcd-2021-1", "-f", "json").json()["code"] == "TCD-2021-0001"
    assert desk("case", "accept", "VV-2021-1", "--date", "05/02/2021").exit_code == 0
    assert [e["code"] for e in desk("log", "--entity", "vv-2021-1", "-f", "json").json()][-1] == "VV-2021-0001"
    assert [x["code"] for x in desk("visit", "list", "--case", "vv-2021-1", "-f", "json").json()] == ["TCD-2021-0001"]
    assert_one_line_error(desk("case", "show", "VV-2021-2"), 1, "no case 'VV-2021-2'")


def test_a_transfer_to_a_known_agency_typed_without_accents_names_it_as_a_referral_does(desk):
    """`case refer --to "cong an tinh"` names "Công an tỉnh" of the setting referral.agencies;
    `case transfer --to "thanh tra tinh"` kept "thanh tra tinh" as typed, shown so everywhere."""
    code = visit(desk, "--citizen", "A", *BASE, "--at", "04/02/2021 08:00")["case"]
    assert desk("case", "transfer", code, "--to", "thanh tra tinh").exit_code == 0
    shown = desk("case", "show", code, "-f", "json").json()
    assert shown["transferred_to"] == "Thanh tra tỉnh"
    other = visit(desk, "--citizen", "B", *BASE, "--at", "04/02/2021 08:00")["case"]
    assert desk("case", "transfer", other, "--to", "Tòa án nhân dân huyện").exit_code == 0
    assert desk("case", "show", other, "-f", "json").json()["transferred_to"] == "Tòa án nhân dân huyện"


def test_case_steps_say_their_dates_day_first(desk):
    """The desk types and reads dates day-first: a step's notice and a refused date say 10/03/2021,
    not 2021-03-10 (which reads as 3 October to the desk)."""
    code = visit(desk, "--citizen", "A", *BASE, "--at", "04/02/2021 08:00")["case"]
    too_early = desk("case", "accept", code, "--date", "01/02/2021")
    assert_one_line_error(too_early, 1, "01/02/2021", "04/02/2021")
    accepted = desk("case", "accept", code, "--date", "08/02/2021")
    assert accepted.exit_code == 0 and accepted.stderr.strip() == f"{code}: accepted, deadline 10/03/2021"
    denounced = visit(desk, "--citizen", "B", "--type", "denunciation", "--field", "land", "--officer", "binh",
                      "--at", "04/02/2021 08:00")["case"]
    assert desk("case", "accept", denounced, "--date", "08/02/2021").exit_code == 0
    assert desk("case", "flag", denounced, "--complex", "--reason", "r", "--date", "09/02/2021").exit_code == 0
    extended = desk("case", "extend", denounced, "--days", "30", "--reason", "r", "--date", "10/02/2021")
    assert extended.exit_code == 0 and extended.stderr.strip() == f"{denounced}: accepted, deadline 09/04/2021"


def test_a_step_that_ends_the_deadline_says_so_not_deadline_dash(desk):
    """`case resolve`, `guide`, `transfer` said "VV-…: đã giải quyết, hạn -", which reads as a
    deadline left blank by mistake; it now says the case owes no deadline any more."""
    code = visit(desk, "--citizen", "A", *BASE, "--at", "04/02/2021 08:00")["case"]
    assert desk("case", "accept", code, "--date", "05/02/2021").exit_code == 0
    resolved = desk("case", "resolve", code, "--result", "đúng một phần", "--date", "06/02/2021",
                    env={"TCT_LANG": "vi"})
    assert resolved.exit_code == 0 and resolved.stderr.strip() == f"{code}: đã giải quyết, không còn hạn giải quyết"
    other = visit(desk, "--citizen", "B", *BASE, "--at", "04/02/2021 08:00")["case"]
    guided = desk("case", "guide", other)
    assert guided.exit_code == 0 and guided.stderr.strip() == f"{other}: guided, no deadline now"


def test_a_step_or_referral_cannot_be_dated_in_the_future_or_before_the_case(desk):
    """A visit still to come is refused, and so is a complexity decision dated ahead; a
    status step or a referral dated 2030 was taken, and moved the case's deadline to 2030."""
    code = visit(desk, "--citizen", "A", *BASE, "--at", "04/02/2021 08:00")["case"]
    before = desk("log", "-f", "json").json()
    for args in (("case", "accept", code, "--date", "01/01/2099"),
                 ("case", "guide", code, "--date", "01/01/2099"),
                 ("case", "refer", code, "--to", "Thanh tra tỉnh", "--date", "01/01/2099")):
        assert_one_line_error(desk(*args), 1, "01/01/2099", "future")
    assert_one_line_error(desk("case", "refer", code, "--to", "Thanh tra tỉnh", "--date", "01/02/2021"), 1,
                          f"before case {code} was opened")
    assert desk("log", "-f", "json").json() == before
    assert case(desk, code)["status"] == "new"
    assert desk("case", "accept", code, "--date", "today").exit_code == 0


def test_steps_are_dated_in_the_order_they_happened(desk):
    """A case resolved before the day it was accepted would give the report's days between them a
    status it never had: a step dated before the case's last one is refused, with nothing written;
    the same day, or entered days late in order, is taken."""
    code = visit(desk, "--citizen", "A", *BASE, "--at", "01/02/2021 08:00")["case"]
    assert desk("case", "accept", code, "--date", "10/02/2021").exit_code == 0
    before = desk("log", "-f", "json").json()
    early = desk("case", "resolve", code, "--result", "rejected", "--date", "05/02/2021")
    assert_one_line_error(early, 1, "05/02/2021", "10/02/2021", f"last step of case {code}, to accepted")
    said = desk("--lang", "vi", "case", "resolve", code, "--result", "rejected", "--date", "05/02/2021")
    assert said.exit_code == 1 and said.stderr == (f"Lỗi: ngày 05/02/2021 sớm hơn bước xử lý gần nhất của vụ việc "
                                                   f"{code}, sang trạng thái đã thụ lý, (10/02/2021)\n")
    assert desk("log", "-f", "json").json() == before
    assert case(desk, code)["status"] == "accepted"
    assert desk("case", "resolve", code, "--result", "rejected", "--date", "10/02/2021").exit_code == 0
    assert_one_line_error(desk("case", "close", code, "--date", "09/02/2021"), 1, "resolved")
    assert desk("case", "close", code, "--date", "20/02/2021").exit_code == 0
    steps = [(e["date"], e["to_status"]) for e in case(desk, code)["timeline"] if e["event"] == "status"]
    assert steps == [("2021-02-10", "accepted"), ("2021-02-10", "resolved"), ("2021-02-20", "closed")]


def test_transfer_and_guide_leave_the_agencys_authority(desk):
    a = visit(desk, "--citizen", "A", *BASE)["case"]
    assert desk("case", "transfer", a, "--to", "UBND huyện U Minh Thượng").exit_code == 0
    shown = case(desk, a)
    assert (shown["status"], shown["transferred_to"], shown["within_authority"]) == \
        ("transferred", "UBND huyện U Minh Thượng", False)
    b = visit(desk, "--citizen", "B", *BASE)["case"]
    assert desk("case", "guide", b).exit_code == 0
    assert case(desk, b)["within_authority"] is False


def test_extension_only_where_the_law_allows(desk):
    complaint = visit(desk, "--citizen", "A", *BASE)["case"]
    desk("case", "accept", complaint)
    assert_one_line_error(desk("case", "extend", complaint, "--days", "10", "--reason", "x"), 1, "no extension")
    den = visit(desk, "--citizen", "B", "--type", "denunciation", "--field", "land", "--officer", "binh",
                "--at", "01/03/2021 08:00")["case"]
    desk("case", "accept", den, "--date", "02/03/2021")
    assert case(desk, den)["deadline"] == "2021-04-01"
    assert_one_line_error(desk("case", "extend", den, "--days", "20", "--reason", "x"), 1, "complex")
    desk("case", "flag", den, "--complex", "--reason", "nhiều người liên quan")
    assert_one_line_error(desk("case", "extend", den, "--days", "-5", "--reason", "x"), 1, "positive")
    assert_one_line_error(desk("case", "extend", den, "--days", "31", "--reason", "x"), 1, "at most 30")
    assert desk("case", "extend", den, "--days", "30", "--reason", "xác minh thêm").exit_code == 0
    assert case(desk, den)["deadline"] == "2021-05-01"
    assert_one_line_error(desk("case", "extend", den, "--days", "10", "--reason", "x"), 1, "already extended")
    assert desk("case", "extend", den, "--days", "10", "--reason", "đặc biệt phức tạp",
                "--particularly-complex").exit_code == 0
    assert case(desk, den)["deadline"] == "2021-05-11"


def test_manual_flags_need_a_reason_and_a_known_kind(desk):
    code = visit(desk, "--citizen", "A", *BASE)["case"]
    before = counts(desk)
    assert_one_line_error(desk("case", "flag", code, "--escalated"), 1, "--reason")
    assert_one_line_error(desk("case", "flag", code, "--reason", "x"), 2, "exactly one")
    assert_one_line_error(desk("case", "flag", code, "--violent", "--reason", "x"), 2, "--violent")
    assert_one_line_error(desk("case", "unflag", code, "--crowd", "--reason", "x"), 1, "not flagged")
    assert counts(desk) == before
    assert desk("case", "flag", code, "--escalated", "--reason", "đến nhà riêng lãnh đạo").exit_code == 0
    assert case(desk, code)["flags"] == ["escalated"]


def test_an_auto_flag_cleared_by_hand_returns_only_with_a_new_visit(desk):
    v = visit(desk, "--citizen", "Đoàn", *BASE, "--people", "7", "--representatives", "A")
    assert desk("case", "unflag", v["case"], "--crowd", "--reason", "đã đối thoại xong").exit_code == 0
    desk("visit", "edit", v["code"], "--note", "đã ghi chú")
    assert case(desk, v["case"])["flags"] == []
    visit(desk, "--citizen", "Đoàn", "--case", v["case"], "--officer", "binh", "--people", "9",
          "--representatives", "A")
    assert case(desk, v["case"])["flags"] == ["crowd"]


def test_two_crowd_cases_in_one_locality_within_30_days_make_a_hotspot(desk):
    place = ["--locality", "Xã Vĩnh Hòa, huyện U Minh Thượng"]
    a = visit(desk, "--citizen", "Đoàn 1", *BASE, *place, "--people", "10", "--representatives", "A",
              "--at", "01/02/2021 08:00")
    assert "hotspot" not in case(desk, a["case"])["flags"]
    far = visit(desk, "--citizen", "Đoàn 0", *BASE, "--locality", "xa vinh hoa, huyen u minh thuong",
                "--people", "6", "--representatives", "A", "--at", "01/11/2020 08:00")
    b = visit(desk, "--citizen", "Đoàn 2", *BASE, *place, "--people", "6", "--representatives", "A",
              "--at", "20/02/2021 08:00")
    assert "hotspot" in case(desk, a["case"])["flags"]
    assert "hotspot" in case(desk, b["case"])["flags"]
    assert "hotspot" not in case(desk, far["case"])["flags"]
    ranked = desk("hotspots", "--from", "01/01/2021", "--to", "28/02/2021", "-f", "json").json()
    assert ranked[0]["crowd_cases"] == 2 and ranked[0]["hotspot"] is True
    desk("visit", "void", b["code"], "--reason", "nhầm")
    assert "hotspot" not in case(desk, a["case"])["flags"]


def test_hotspots_count_each_locality_s_cases_visits_and_people_in_the_span(desk):
    """Worked by hand: what an inspector copies from `tct hotspots` for February 2021."""
    here, lazily, there = "Xã Tân Phú", "xa tan phu", "Phường 1"
    crowd = visit(desk, "--citizen", "Đoàn", *BASE, "--locality", here, "--people", "8", "--representatives", "A",
                  "--at", "02/02/2021 08:00")
    visit(desk, "--citizen", "Đoàn", "--case", crowd["case"], "--officer", "binh", "--at", "10/02/2021 08:00")
    visit(desk, "--citizen", "B", *BASE, "--locality", lazily, "--escalated", "--at", "05/02/2021 08:00")
    by_hand = visit(desk, "--citizen", "C", *BASE, "--locality", here, "--at", "06/02/2021 08:00")
    assert desk("case", "flag", by_hand["case"], "--escalated", "--reason", "đến nhà lãnh đạo").exit_code == 0
    voided = visit(desk, "--citizen", "D", *BASE, "--locality", here, "--people", "2", "--at", "07/02/2021 08:00")
    assert desk("visit", "void", voided["code"], "--reason", "nhập nhầm").exit_code == 0
    visit(desk, "--citizen", "E", *BASE, "--locality", here, "--people", "6", "--representatives", "A",
          "--at", "20/01/2021 08:00")  # before the span; with the crowd case, the locality's hotspot
    cleared = visit(desk, "--citizen", "F", *BASE, "--locality", here, "--at", "08/02/2021 08:00")
    desk("case", "flag", cleared["case"], "--escalated", "--reason", "nhầm")
    assert desk("case", "unflag", cleared["case"], "--escalated", "--reason", "nhầm").exit_code == 0
    again = visit(desk, "--citizen", "G", *BASE, "--locality", there, "--at", "01/02/2021 08:00")
    for day in ("10/02/2021 08:00", "20/02/2021 08:00"):
        visit(desk, "--citizen", "G", "--case", again["case"], "--officer", "binh", "--at", day)
    visit(desk, "--citizen", "H", *BASE, "--at", "03/02/2021 08:00")  # no locality: in no place

    ranked = desk("hotspots", "--from", "01/02/2021", "--to", "28/02/2021", "-f", "json").json()
    assert ranked == [
        {"locality": here, "crowd_cases": 1, "repeat_cases": 0, "escalated_cases": 2, "cases": 4, "visits": 5,
         "people": 12, "hotspot": True},
        {"locality": there, "crowd_cases": 0, "repeat_cases": 1, "escalated_cases": 0, "cases": 1, "visits": 3,
         "people": 3, "hotspot": False}]
    # A period by name, as `visit list --period`: tet-2021 is 03/02–23/02/2021 (narrowed by --from)
    by_name = desk("hotspots", "--period", "tet-2021", "-f", "json").json()
    assert by_name == desk("hotspots", "--from", "03/02/2021", "--to", "23/02/2021", "-f", "json").json()
    assert by_name != ranked and [(r["locality"], r["visits"]) for r in by_name] == [(there, 2), (here, 4)]
    assert desk("hotspots", "--period", "tet-2021", "--from", "15/02/2021", "-f", "json").json() == \
        desk("hotspots", "--from", "15/02/2021", "--to", "23/02/2021", "-f", "json").json()
    assert desk("hotspots", "--period", "tet-2121x").exit_code == 1
    # named as `tct report tet-2021` names it (it was refused as an extra argument)
    assert desk("hotspots", "tet-2021", "-f", "json").json() == by_name
    assert_one_line_error(desk("hotspots", "tet-2021", "--period", "new-year-2021"), 2, "--period")


def test_hotspots_count_a_case_an_officer_flagged_crowd_as_a_crowd_case(desk):
    """Fifteen households of one village each came alone about one land recovery: the officer flags
    the matter crowd (đông người) by hand; the ranking counts it as escalated cases are counted."""
    place = ("--locality", "Xã Tân Phú")
    matter = visit(desk, "--citizen", "A", *BASE, *place, "--at", "02/02/2021 08:00")
    visit(desk, "--citizen", "B", *BASE, *place, "--at", "03/02/2021 08:00")
    span = ("--from", "01/02/2021", "--to", "28/02/2021", "-f", "json")
    assert desk("hotspots", *span).json()[0]["crowd_cases"] == 0
    assert desk("case", "flag", matter["case"], "--crowd", "--reason", "15 hộ cùng thu hồi đất").exit_code == 0
    assert desk("hotspots", *span).json()[0]["crowd_cases"] == 1
    assert desk("case", "unflag", matter["case"], "--crowd", "--reason", "nhầm").exit_code == 0
    assert desk("hotspots", *span).json()[0]["crowd_cases"] == 0


def test_referrals_appear_in_the_timeline(desk):
    code = visit(desk, "--citizen", "A", *BASE, "--at", "01/02/2021 08:00")["case"]
    assert desk("case", "refer", code, "--to", "thanh tra tinh", "--date", "03/02/2021",
                "--note", "báo cáo vụ việc đông người").exit_code == 0
    events = case(desk, code)["timeline"]
    assert [e["event"] for e in events] == ["visit", "referral"]
    assert events[1]["text"] == "information sent to Thanh tra tỉnh"  # matched to the configured agency
    assert events[1]["date"] == "2021-02-03"


def test_a_referral_s_note_is_in_the_audit_trail(desk):
    """The note of a referral is kept in its audit event as a status change's note is (the reason)."""
    code = visit(desk, "--citizen", "A", *BASE, "--at", "01/02/2021 08:00")["case"]
    assert desk("case", "refer", code, "--to", "Thanh tra tỉnh", "--date", "03/02/2021",
                "--note", "Công văn 12/TTr gửi kèm").exit_code == 0
    event = desk("log", "--entity", code, "-f", "json").json()[-1]
    assert (event["action"], event["reason"]) == ("refer", "Công văn 12/TTr gửi kèm")
    assert event["changes"]["after"] == {"to": "Thanh tra tỉnh", "sent_on": "2021-02-03"}
    assert "Công văn 12/TTr gửi kèm" in desk("log", "--entity", code, "-f", "md", env={"TCT_LANG": "vi"}).stdout


def test_list_filters_and_denouncer_masking(desk):
    a = visit(desk, "--citizen", "Hoàng Thị Mật", "--type", "denunciation", "--field", "land", "--officer", "binh",
              "--locality", "Phường Vĩnh Lạc", "--content", "cán bộ địa chính nhận tiền")["case"]
    b = visit(desk, "--citizen", "B", *BASE, "--people", "5", "--representatives", "X")["case"]
    listed = lambda *args: [c["code"] for c in desk("case", "list", *args, "-f", "json").json()]  # noqa: E731
    assert listed("--type", "to-cao") == [a]
    assert listed("--flag", "crowd") == [b]
    assert listed("--locality", "vinh lac") == [a]
    assert listed("--search", "dia chinh") == [a]
    assert listed("--status", "open") == sorted([a, b]) or set(listed("--status", "open")) == {a, b}
    rows = desk("case", "list", "-f", "json").json()
    assert {r["code"]: r["citizen"] for r in rows}[a] == "H. T. M."
    assert "Hoàng Thị Mật" not in desk("case", "show", a).stdout
    assert case(desk, a)["citizen"] == "H. T. M."
    assert desk("case", "show", a, "--reveal", "-f", "json").json()["citizen"] == "Hoàng Thị Mật"


def test_alerts_check_exit_codes(desk):
    quiet = desk("alerts", "--check", "--on", "01/01/2021")
    assert quiet.exit_code == 0, quiet.stderr
    assert desk("alerts", "--on", "01/01/2021", "-f", "json").json()["count"] == 0
    visit(desk, "--citizen", "Đoàn", *BASE, "--people", "9", "--representatives", "A", "--at", "04/02/2021 08:00")
    run = desk("alerts", "--check", "--on", "05/02/2021", "-f", "json")
    assert run.exit_code == 1
    data = run.json()
    assert [d["people"] for d in data["delegations"]] == [9]
    assert data["flagged"][0]["flags"] == ["crowd"]
    assert desk("alerts", "--check", "--on", "01/01/2021").exit_code == 0
    # what cron mails: what was found and the exit code, not an "error" that is a count of alerts
    vi = desk("alerts", "--check", "--on", "05/02/2021", env={"TCT_LANG": "vi"})
    assert (vi.exit_code, vi.stderr.splitlines()[-1]) == (1, "Có 2 cảnh báo cần xử lý (mã thoát 1)")
    en = desk("alerts", "--check", "--on", "05/02/2021")
    assert (en.exit_code, en.stderr.splitlines()[-1]) == (1, "2 alert(s) to deal with (exit code 1)")


def test_alerts_list_deadlines_and_repeat_citizens(desk):
    first = visit(desk, "--citizen", "Lý Văn Lặp", "--id-number", "012345678", *BASE, "--at", "01/02/2021 08:00")
    for day in ("03/02/2021 08:00", "08/02/2021 08:00"):
        visit(desk, "--citizen", "Lý Văn Lặp", "--id-number", "012345678", "--case", first["case"], "--officer",
              "binh", "--at", day)
    data = desk("alerts", "--on", "09/02/2021", "-f", "json").json()
    assert data["repeat_citizens"] == [{"citizen": "Lý Văn Lặp", "citizen_id": first["citizen_id"], "days": 3,
                                        "last_visit": "2021-02-08"}]
    assert [d["code"] for d in data["deadlines"]] == [first["case"]]  # due 11 Feb: within 3 days
    assert data["deadlines"][0]["days_left"] == 2


def test_alerts_list_the_citizen_of_a_repeat_case_whose_visits_span_the_whole_window(desk):
    """The repeat flag takes 3 visits with last − first ≤ 30 days; the flagged list leaves a repeat
    case to its citizen in the last list, which must then use the same window (it stopped a day
    short, so a case flagged repeat on 31 March showed nowhere in the alerts)."""
    first = visit(desk, "--citizen", "Đỗ Thị Bảy", "--id-number", "091000000001", *BASE, "--at", "01/03/2021 08:00")
    for day in ("15/03/2021 08:00", "31/03/2021 08:00"):
        visit(desk, "--citizen", "Đỗ Thị Bảy", "--id-number", "091000000001", "--case", first["case"],
              "--officer", "binh", "--at", day)
    assert case(desk, first["case"])["flags"] == ["repeat"]
    data = desk("alerts", "--on", "31/03/2021", "-f", "json").json()
    assert [(r["citizen"], r["days"]) for r in data["repeat_citizens"]] == [("Đỗ Thị Bảy", 3)]
    later = desk("alerts", "--on", "01/04/2021", "-f", "json").json()  # 01/03 is then 31 days back
    assert later["repeat_citizens"] == []


def test_a_hotspot_cleared_by_hand_stays_cleared_and_blocks_no_visit_of_its_locality(desk):
    """The hotspots of a locality are recomputed on every visit there; a flag cleared by hand must
    be compared with the visits' times whatever the driver returns (a naive time against the
    models' aware ones stopped every later visit of the locality with an internal error)."""
    codes = [visit(desk, "--citizen", f"Nguyễn Văn {name}", "--locality", "Xã A", "--people", "6", *BASE,
                   "--at", f"0{day}/02/2021 08:00")["case"] for day, name in ((1, "A"), (2, "B"), (3, "C"))]
    assert all("hotspot" in case(desk, code)["flags"] for code in codes)
    assert desk("case", "unflag", codes[0], "--hotspot", "--reason", "đã giải quyết").exit_code == 0
    later = visit(desk, "--citizen", "Lê Văn F", "--locality", "Xã A", "--type", "petition", "--field", "land",
                  "--officer", "binh", "--at", "20/03/2021 10:00")
    assert "hotspot" not in case(desk, codes[0])["flags"]  # no delegation came after it was cleared
    assert all("hotspot" in case(desk, code)["flags"] for code in codes[1:])
    assert case(desk, later["case"])["flags"] == []
    # a new delegation in a window with it calls for the flag again
    visit(desk, "--citizen", "Nguyễn Văn A", "--locality", "Xã A", "--people", "6", "--case", codes[0], *BASE[:4],
          "--officer", "binh", "--at", "04/02/2021 08:00")
    assert "hotspot" in case(desk, codes[0])["flags"]


# --- a case is received on the day of its first visit -----------------------------------------------

def test_correcting_the_day_of_a_cases_only_visit_moves_its_opening_and_deadline(desk):
    v = visit(desk, "--citizen", "Sai Ngày", *BASE, "--at", "01/01/2021 09:00")
    assert (case(desk, v["case"])["opened_on"], case(desk, v["case"])["deadline"]) == ("2021-01-01", "2021-01-11")
    assert desk("visit", "edit", v["code"], "--at", "18/02/2021 09:00").exit_code == 0
    corrected = case(desk, v["case"])
    assert (corrected["opened_on"], corrected["deadline"]) == ("2021-02-18", "2021-02-28")
    backlog = desk("report", "2021-02-01..2021-02-23", "-f", "json").json()["backlog"]
    assert v["case"] not in [b["code"] for b in backlog]  # not overdue on 23 Feb: it came on the 18th
    assert any(e["action"] == "edit" and e["entity"] == "case" for e in desk("log", "-f", "json").json())


def test_an_earlier_visit_entered_late_or_imported_opens_the_case_on_its_day(desk, tmp_path):
    v = visit(desk, "--citizen", "Đến Sớm", *BASE, "--at", "01/03/2021 09:00")
    visit(desk, "--citizen", "Đến Sớm", "--case", v["case"], "--officer", "binh", "--at", "05/02/2021 09:00")
    assert (case(desk, v["case"])["opened_on"], case(desk, v["case"])["deadline"]) == ("2021-02-05", "2021-02-15")
    rows = tmp_path / "late.csv"
    rows.write_text("citizen,type,field,at,officer,case\n"
                    f"Đến Sớm,complaint,land,01/02/2021 08:00,binh,{v['case']}\n", encoding="utf-8")
    assert desk("import", "--visits", str(rows)).exit_code == 0
    assert (case(desk, v["case"])["opened_on"], case(desk, v["case"])["deadline"]) == ("2021-02-01", "2021-02-11")
    assert desk("db", "check").exit_code == 0
    unsorted = tmp_path / "unsorted.csv"  # one new case, its rows not in date order
    unsorted.write_text("citizen,type,field,at,officer,case_ref\n"
                        "Không Theo Thứ Tự,complaint,land,15/03/2021 08:00,binh,X\n"
                        "Không Theo Thứ Tự,complaint,land,01/03/2021 08:00,binh,X\n", encoding="utf-8")
    assert desk("import", "--visits", str(unsorted)).exit_code == 0
    new_case = desk("visit", "list", "--search", "khong theo thu tu", "-f", "json").json()[0]["case"]
    assert (case(desk, new_case)["opened_on"], case(desk, new_case)["deadline"]) == ("2021-03-01", "2021-03-11")


def test_voiding_a_cases_first_visit_opens_it_on_the_next_but_never_after_its_history(desk):
    first = visit(desk, "--citizen", "Nhầm", *BASE, "--at", "01/02/2021 09:00")
    second = visit(desk, "--citizen", "Nhầm", "--case", first["case"], "--officer", "binh", "--at", "10/02/2021 09:00")
    assert desk("visit", "void", first["code"], "--reason", "nhập nhầm").exit_code == 0
    assert case(desk, first["case"])["opened_on"] == "2021-02-10"
    assert desk("case", "accept", first["case"], "--date", "12/02/2021").exit_code == 0
    assert desk("visit", "edit", second["code"], "--at", "20/02/2021 09:00").exit_code == 0
    assert case(desk, first["case"])["opened_on"] == "2021-02-12"  # accepted on the 12th: received by then


def test_tables_in_vietnamese_say_types_statuses_and_flags_in_vietnamese(desk):
    """The desk reads `--lang vi` tables in Vietnamese, coded values too; JSON and CSV keep the
    codes that scripts read, whatever the language."""
    v = visit(desk, "--citizen", "Nguyễn Văn An", "--type", "complaint", "--field", "land", "--content", "tranh chấp",
              "--at", "01/02/2021 09:00", "--handling", "accepted", "--officer", "binh")
    code = v["case"]
    assert desk("case", "accept", code, "--date", "02/02/2021").exit_code == 0
    assert desk("case", "flag", code, "--complex", "--reason", "phức tạp").exit_code == 0
    listed = desk("--lang", "vi", "case", "list").stdout
    row = next(line for line in listed.splitlines() if line.startswith(code))
    assert "khiếu nại" in row and "đã thụ lý" in row and "phức tạp" in row and "complaint" not in row
    shown = desk("--lang", "vi", "visit", "show", v["code"]).stdout
    assert "đất đai" in shown and "thụ lý, tiếp nhận đơn" in shown and "tiếp thường xuyên" in shown
    assert "complaint" not in desk("--lang", "vi", "visit", "list", "-f", "md").stdout
    assert desk("--lang", "vi", "case", "list", "-f", "json").json() == \
        desk("case", "list", "-f", "json").json()
    assert "complaint" in desk("--lang", "vi", "case", "list", "-f", "csv").stdout
    flagged = desk("--lang", "vi", "case", "flag", code, "--escalated", "--reason", "lên tỉnh")
    assert "vượt cấp" in flagged.stderr + flagged.stdout


def test_a_timeline_in_vietnamese_is_said_from_its_data_and_in_english_as_its_text(desk):
    """Every kind of event: `case show --lang vi` writes it in Vietnamese from the event's data, and
    the same words in English are the event's `text` (what JSON gives)."""
    from tct.cli.case import timeline_text

    v = visit(desk, "--citizen", "Ngô Văn Cũ", *BASE, "--at", "01/02/2021 09:00")
    code = v["case"]
    void = visit(desk, "--citizen", "Ngô Văn Cũ", "--case", code, "--officer", "binh", "--at", "02/02/2021 09:00")
    assert desk("visit", "void", void["code"], "--reason", "nhập nhầm").exit_code == 0
    assert desk("case", "accept", code, "--date", "03/02/2021").exit_code == 0
    assert desk("case", "flag", code, "--complex", "--reason", "phức tạp").exit_code == 0
    assert desk("case", "unflag", code, "--complex", "--reason", "đơn giản").exit_code == 0
    assert desk("case", "refer", code, "--to", "Thanh tra tỉnh", "--date", "04/02/2021").exit_code == 0
    assert desk("case", "resolve", code, "--result", "partly-upheld", "--date", "05/02/2021").exit_code == 0
    other = visit(desk, "--citizen", "Lê Thị Kiến", "--type", "denunciation", "--field", "administration",
                  "--officer", "binh", "--at", "01/02/2021 10:00")["case"]
    assert desk("case", "accept", other, "--date", "03/02/2021").exit_code == 0
    assert desk("case", "flag", other, "--complex", "--reason", "phức tạp").exit_code == 0
    assert desk("case", "extend", other, "--days", "30", "--reason", "gia hạn").exit_code == 0
    assert desk("case", "transfer", other, "--to", "Công an tỉnh").exit_code == 0
    events = case(desk, code)["timeline"] + case(desk, other)["timeline"]
    assert {e["event"] for e in events} == {"visit", "status", "flag", "referral", "extension"}
    assert [timeline_text(e, "en") for e in events] == [e["text"] for e in events]
    said = [timeline_text(e, "vi") for e in events]
    assert f"{void['code']}: 1 người, hướng dẫn (đã hủy)" in said
    assert "đã thụ lý → đã giải quyết (đúng một phần)" in said
    assert "gắn cảnh báo phức tạp (thủ công)" in said and "gỡ cảnh báo phức tạp" in said
    assert "cung cấp thông tin cho Thanh tra tỉnh" in said and "gia hạn 30 ngày" in said
    assert "đã thụ lý → đã chuyển đến Công an tỉnh" in said
    table = desk("--lang", "vi", "case", "show", code).stdout
    assert "đã thụ lý → đã giải quyết" in table and "partly-upheld" not in table


def test_a_case_whose_every_visit_is_void_owes_nothing_until_a_visit_comes_again(desk, tmp_path):
    """A visit entered in error and voided leaves its case without a deadline: not overdue in `case
    list` or the morning's alerts (the report already counts it nobody's backlog), nor given one
    again by a change of the deadline settings; a visit to it, typed or imported, brings one back."""
    v = visit(desk, "--citizen", "Ngô Văn Thử", *BASE, "--at", "10/02/2021 08:00")
    code = v["case"]
    assert case(desk, code)["deadline"] == "2021-02-20"
    assert desk("visit", "void", v["code"], "--reason", "nhập thử").exit_code == 0
    assert case(desk, code)["deadline"] is None and case(desk, code)["status"] == "new"
    assert code not in desk("case", "list", "--overdue", "-f", "csv").stdout
    alerts = desk("alerts", "-f", "json").json()
    assert code not in [c["code"] for c in alerts["deadlines"] + alerts["flagged"]]
    edits = [e for e in desk("log", "--entity", code, "-f", "json").json() if e["action"] == "edit"]
    # (only what changed, as every event says: the day of receipt did not, and `tct log` said
    # "ngày tiếp nhận: 10/02/2021 → 10/02/2021", as if it had been touched)
    assert edits[-1]["changes"] == {"before": {"deadline": "2021-02-20"}, "after": {"deadline": None}}
    shown = desk("log", "--entity", code, "-f", "md", env={"TCT_LANG": "vi"}).stdout.splitlines()
    assert "ngày tiếp nhận" not in shown[-1] and "hạn giải quyết: 20/02/2021 → " in shown[-1]
    assert desk("config", "set", "deadline.complaint_days", "45").exit_code == 0
    assert case(desk, code)["deadline"] is None
    visit(desk, "--citizen", "Ngô Văn Thử", "--case", code, "--officer", "binh", "--at", "12/02/2021 08:00")
    assert (case(desk, code)["opened_on"], case(desk, code)["deadline"]) == ("2021-02-12", "2021-02-22")
    assert code in desk("case", "list", "--overdue", "-f", "csv").stdout

    other = visit(desk, "--citizen", "Lê Thị Nhầm", *BASE, "--at", "15/02/2021 08:00")
    assert desk("visit", "void", other["code"], "--reason", "nhập thử").exit_code == 0
    rows = tmp_path / "visits.csv"
    rows.write_text(f"citizen,case,at,officer\nLê Thị Nhầm,{other['case']},16/02/2021 08:00,binh\n",
                    encoding="utf-8")
    assert desk("import", "--visits", str(rows)).exit_code == 0
    assert case(desk, other["case"])["deadline"] == "2021-02-26"


def test_the_reasons_of_a_timeline_and_the_log_are_said_in_the_readers_language(desk):
    """The reasons tct gives its automatic flags are stored in English (the audit trail keeps them
    as written, JSON shows them so); `case show` and `log` tables say them in Vietnamese, and an
    officer's own reason or note as typed."""
    v = visit(desk, "--citizen", "Nguyễn Văn An", *BASE, "--people", "7", "--representatives", "A",
              "--at", "01/02/2021 09:00")
    code = v["case"]
    assert desk("case", "flag", code, "--complex", "--reason", "nhiều hộ dân").exit_code == 0
    flags = [e for e in case(desk, code)["timeline"] if e["event"] == "flag"]
    assert [e["reason"] for e in flags] == [f"delegation visit {v['code']}", "nhiều hộ dân"]
    table = desk("--lang", "vi", "case", "show", code, "-f", "md").stdout
    assert "lý do, ghi chú" in table and "nhiều hộ dân" in table
    assert f"lượt tiếp đoàn đông người {v['code']}" in table and "delegation visit" not in table
    assert f"delegation visit {v['code']}" in desk("case", "show", code, "-f", "md").stdout
    log = desk("--lang", "vi", "log", "--entity", code, "-f", "md").stdout
    assert f"lượt tiếp đoàn đông người {v['code']}" in log and "nhiều hộ dân" in log
    assert "delegation visit" not in log
    assert "delegation visit" in desk("--lang", "vi", "log", "--entity", code, "-f", "json").stdout


def test_the_log_says_its_changes_in_the_readers_language(desk):
    """`tct log` in Vietnamese names the fields and their coded values in Vietnamese (an inspector
    reads the trail); English keeps the trail's own keys, and JSON its keys and codes."""
    v = visit(desk, "--citizen", "Nguyễn Văn An", *BASE, "--at", "01/02/2021 09:00")
    assert desk("case", "accept", v["case"], "--date", "02/02/2021").exit_code == 0
    said = desk("--lang", "vi", "log", "-f", "md").stdout
    assert "trạng thái: mới tiếp nhận → đã thụ lý" in said
    assert "loại đơn=khiếu nại" in said and "lĩnh vực=đất đai" in said and "đoàn đông người=không" in said
    assert "status: new" not in said and "type=complaint" not in said
    english = desk("log", "-f", "md").stdout
    assert "status: new → accepted" in english and "type=complaint" in english
    events = desk("--lang", "vi", "log", "--entity", v["case"], "-f", "json").json()
    assert "new" in [e["changes"]["before"].get("status") for e in events if e["changes"]]


# What older tct stored for each reason it gives (its audit rows stay as written): the labels must
# say the same, or those rows could no longer be said in Vietnamese.
_STORED_REASONS = {
    "reason_crowd": "delegation visit TCD-2021-0007",
    "reason_escalated": "escalated visit TCD-2021-0007",
    "reason_repeat": "3 or more visits within 30 days",
    "reason_hotspot": "3 or more crowd cases in xã Tân Lập, huyện Đông Sơn within 30 days",
    "reason_not_called": "no visit calls for repeat any more",
    "reason_status_day": "the day of its latest status change, from its history",
    "reason_derived": "what its visits and status history say",
    "reason_extension_days": "the extensions granted since its acceptance or reopening",
    "note_answered_at_the_desk": "answered at the desk (TCD-2021-0007)",
}


@pytest.mark.parametrize("key", sorted(_STORED_REASONS))
def test_every_reason_tct_gives_is_stored_as_before_and_known_by_its_english(key):
    from tct.i18n import SYSTEM_REASONS, label, reason_label

    assert sorted(SYSTEM_REASONS) == sorted(_STORED_REASONS)
    values = {"code": "TCD-2021-0007", "count": 3, "days": 30, "place": "xã Tân Lập, huyện Đông Sơn",
              "flag": "repeat"}
    english = label(key, "en", **values)
    assert english == _STORED_REASONS[key]
    vietnamese = label(key, "vi", **{**values, "flag": "tái diễn"})
    assert reason_label(english, "vi") == vietnamese != english
    assert reason_label(english, "en") == english


@pytest.mark.parametrize("text", [
    "gia đình khó khăn",
    "delegation visit was refused; see the minutes",
    "no visit calls for more than one officer any more",
    "2 or more visits within the same week, in 30 days",
    " or more crowd cases in x within " * 2000,  # (read in one pass: no backtracking over the text)
])
def test_an_officers_own_words_are_never_taken_for_a_reason_tct_gives(text):
    from tct.i18n import reason_label

    assert reason_label(text, "vi") == text


def test_a_place_holding_the_words_of_a_hotspot_reason_is_said_whole():
    from tct.i18n import reason_label

    stored = "2 or more crowd cases in Khu phố within 3 within 30 days"
    assert reason_label(stored, "vi") == "từ 2 vụ việc đông người trở lên tại Khu phố within 3 trong 30 ngày"


def test_case_show_csv_keeps_the_codes_of_its_timeline_in_vietnamese_too(desk):
    """CSV keeps the codes whatever the language (README): its timeline rows carry the event's
    `text` as JSON does (`new → accepted`), not the table's Vietnamese; the CSV's columns are those
    of the first event, so a status change has no other column to keep its codes in."""
    v = visit(desk, "--citizen", "Nguyễn Văn An", *BASE, "--people", "7", "--representatives", "A",
              "--at", "01/02/2021 09:00")
    assert desk("case", "accept", v["case"], "--date", "02/02/2021").exit_code == 0
    english = desk("case", "show", v["case"], "-f", "csv").stdout
    vietnamese = desk("--lang", "vi", "case", "show", v["case"], "-f", "csv").stdout
    assert "new → accepted" in vietnamese and "crowd set (auto)" in vietnamese
    assert "đã thụ lý" not in vietnamese and "đông người" not in vietnamese
    assert vietnamese == english


def test_a_decision_dated_the_day_a_case_opened_follows_the_visit_that_opened_it(desk):
    """A complexity decided with `--date` has a day, not a time (it is stamped at the start of the
    day): the timeline lists it after that day's visit, with no time, as it does a referral."""
    code = visit(desk, "--citizen", "A", "--type", "denunciation", "--field", "land", "--officer", "binh",
                 "--at", "01/02/2021 09:00")["case"]
    assert desk("case", "accept", code, "--date", "01/02/2021").exit_code == 0
    assert desk("case", "flag", code, "--complex", "--reason", "phức tạp", "--date", "01/02/2021").exit_code == 0
    assert desk("case", "extend", code, "--days", "30", "--reason", "gia hạn", "--date", "01/02/2021").exit_code == 0
    events = case(desk, code)["timeline"]
    assert [(e["date"], e["event"]) for e in events] == [("2021-02-01", "visit"), ("2021-02-01", "status"),
                                                         ("2021-02-01", "flag"), ("2021-02-01", "extension")]
    assert events[0]["at"].startswith("2021-02-01T09:00") and events[2]["at"] is None and events[3]["at"] is None


def test_complexity_cannot_be_cleared_before_an_extension_it_allowed(desk):
    """An extension is granted to a complex denunciation only: clearing the complexity dated before
    the extension would leave an extension granted while the case was not complex. Refused, with
    nothing written; cleared the day of the extension or later, it is taken."""
    code = visit(desk, "--citizen", "A", "--type", "denunciation", "--field", "land", "--officer", "binh",
                 "--at", "01/02/2021 09:00")["case"]
    assert desk("case", "accept", code, "--date", "02/02/2021").exit_code == 0
    assert desk("case", "flag", code, "--complex", "--reason", "phức tạp", "--date", "03/02/2021").exit_code == 0
    assert desk("case", "extend", code, "--days", "30", "--reason", "gia hạn", "--date", "10/02/2021").exit_code == 0
    before = desk("log", "-f", "json").json()
    early = desk("case", "unflag", code, "--complex", "--reason", "hết phức tạp", "--date", "05/02/2021")
    assert_one_line_error(early, 1, f"case {code} was extended on 10/02/2021", "cleared on 05/02/2021")
    said = desk("--lang", "vi", "case", "unflag", code, "--complex", "--reason", "r", "--date", "05/02/2021")
    assert said.exit_code == 1 and said.stderr.startswith(f"Lỗi: vụ việc {code} đã được gia hạn ngày 10/02/2021")
    assert desk("log", "-f", "json").json() == before
    assert "complex" in case(desk, code)["flags"]
    assert desk("case", "unflag", code, "--complex", "--reason", "hết phức tạp", "--date", "10/02/2021").exit_code == 0
    assert "complex" not in case(desk, code)["flags"]


@pytest.mark.parametrize(("argv", "vietnamese", "english"), [
    (["case", "extend", "{case}", "--days", "0", "--reason", "x"], "Lỗi: --days phải là số ngày lớn hơn 0",
     "Error: --days must be a positive number of days"),
    (["case", "extend", "{den}", "--days", "10", "--reason", "x"],
     "Lỗi: chỉ gia hạn được vụ tố cáo phức tạp: tct case flag {den} --complex --reason …",
     "Error: only a complex denunciation may be extended: tct case flag {den} --complex --reason …"),
    (["case", "flag", "{case}", "--crowd", "--reason", "x", "--date", "10/02/2021"],
     "Lỗi: --date chỉ dùng với --complex", "Error: --date applies to --complex only"),
    (["case", "accept", "{case}", "--note", "a\x01b"], "Lỗi: --note chứa ký tự điều khiển",
     "Error: --note contains control characters"),
    (["case", "transfer", "{case}", "--to", "   "], "Lỗi: cần nhập --to", "Error: --to is required"),
    (["case", "list", "--search", "x" * 501], "Lỗi: nội dung tìm kiếm quá dài (501 ký tự, tối đa 500)",
     "Error: the search text is too long (501 characters, at most 500)"),
    (["report", "tet-2021", "-o", "/no/such/folder/r.md"], "Lỗi: không có thư mục /no/such/folder",
     "Error: no folder /no/such/folder"),
])
def test_the_case_errors_and_a_reports_output_errors_are_said_in_vietnamese(desk, argv, vietnamese, english):
    """Said in the desk's language, each with its English as it was; nothing is written."""
    complaint = visit(desk, "--citizen", "A", *BASE, "--at", "10/02/2021 08:30")["case"]
    denunciation = visit(desk, "--citizen", "B", "--type", "denunciation", "--field", "land", "--officer", "binh",
                         "--at", "10/02/2021 09:00")["case"]
    desk("case", "accept", denunciation, "--date", "11/02/2021")
    argv = [arg.replace("{case}", complaint).replace("{den}", denunciation) for arg in argv]
    before = desk("log", "-f", "json").json()
    said = desk("--lang", "vi", *argv)
    assert said.exit_code in (1, 2) and said.stderr.count("\n") == 1
    assert vietnamese.replace("{den}", denunciation) in said.stderr, said.stderr
    assert english.replace("{den}", denunciation) in desk(*argv).stderr
    assert desk("log", "-f", "json").json() == before


def test_csv_of_a_case_gives_its_timeline_as_a_block_of_its_own_in_plain_words(desk):
    """`case show -f csv` ran the timeline's header on as one more row of the case's two columns; a
    blank line now separates the blocks (as a spreadsheet user splits them). A visit of one citizen
    is '1 person', not '1 people'."""
    import csv
    import io

    v = visit(desk, "--citizen", "Nguyễn Văn An", *BASE, "--at", "01/02/2021 09:00")
    for args in (("case", "show", v["case"]), ("citizen", "show", "CD-1")):
        first, second = desk(*args, "-f", "csv").stdout.split("\n\n")
        assert all(len(row) == 2 for row in csv.reader(io.StringIO(first))), args
        header, *rows = list(csv.reader(io.StringIO(second)))
        assert rows and all(len(row) == len(header) for row in rows), args
    assert f"{v['code']}: 1 person, guided" in desk("case", "show", v["case"]).stdout
    assert f"{v['code']}: 1 người" in desk("--lang", "vi", "case", "show", v["case"]).stdout


def test_markdown_of_a_case_or_citizen_keeps_its_timeline_a_table_of_its_own(desk):
    """`case show -f md` printed the timeline's table right under the case's: Markdown read it as
    more rows of the two-column table, so the timeline lost its details and reasons (and its
    separator row showed as '---'). A blank line now comes between, in `citizen show` and `db info` too."""
    from markdown_it import MarkdownIt

    v = visit(desk, "--citizen", "Nguyễn Văn An", *BASE, "--at", "01/02/2021 09:00")
    assert desk("case", "flag", v["case"], "--complex", "--reason", "nhiều hộ dân").exit_code == 0
    parser = MarkdownIt("commonmark").enable("table")
    for args in (("case", "show", v["case"]), ("citizen", "show", "CD-1"), ("db", "info")):
        text = desk(*args, "-f", "md").stdout
        assert sum(token.type == "table_open" for token in parser.parse(text)) == 2, args
    timeline = desk("case", "show", v["case"], "-f", "md").stdout
    assert "\n\n| date | event | detail | reason, note |\n" in timeline
    html = parser.render(timeline)
    assert "<td>nhiều hộ dân</td>" in html and "<td>---</td>" not in html
