"""Hostile and malformed input (issue 8): generated arguments for the commands that write.

Each test drives the CLI in-process against one register (built once per test function, not per
example) with text in NFD, emoji, right-to-left marks, NUL bytes, 100 KB strings, SQL fragments,
numbers out of range and malformed dates. For every example: no traceback, exit code 0, 1 or 2,
and a rejected command changes nothing (rows of every table and the audit trail are the same).
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# The register is built once per test function on purpose (examples share it); bounded examples
# keep the whole file well under a minute.
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HOSTILE = [
    unicodedata.normalize("NFD", "Nguyễn Văn Đức"), unicodedata.normalize("NFD", "Huỳnh Thị Ánh"),
    "Trần 👨‍👩‍👧‍👦 🇻🇳", "💥" * 50, "\u200fشارع\u200f", "\u202eĐức\u202c", "abc\u202edef", "\u200b", "\ufeffBOM",
    "\u0301", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a\x00b", "\x00", "\x1b[31mred\x1b[0m", "\x07", "\r\n", "\t", " ", "",
    "x" * 100_000, unicodedata.normalize("NFD", "ế") * 40_000,
    "Robert'); DROP TABLE visit;--", "' OR '1'='1", "\"; DELETE FROM audit_event; --", "%", "_", "\\", "%' --",
    "-1", "0", "501", "2147483648", "-9223372036854775809", "99999999999999999999999999", "1e309", "nan", "0x10",
    "32/13/2021", "2021-02-30", "29/02/2021", "00/00/0000", "31/12/9999", "01/01/0001", "hôm qua 25:61",
    "10/02/21", "2021-13-01T25:00", "today 99h99", "--help", "-x", "=cmd|' /C calc'!A0", "@SUM(1)",
    "\udcff\udcfe",  # bytes that are not UTF-8, as Python receives them from a terminal in another encoding
]

hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE[:30]), st.text(max_size=10)),
)
numbers = st.one_of(st.integers(min_value=-(10**30), max_value=10**30).map(str), st.sampled_from(HOSTILE))
dates = st.one_of(
    st.sampled_from(["04/02/2021", "2021-02-05", "10.2.2021", "hôm qua", "today", "04/02/2021 8h30",
                     "05/02/2021 14:00"]),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(str),
    hostile,
)


def optional(valid: st.SearchStrategy[str], bad: st.SearchStrategy[str] = hostile) -> st.SearchStrategy:
    return st.one_of(st.none(), valid, bad)


def _args(options: dict[str, str | None]) -> list[str]:
    return [item for option, value in options.items() if value is not None for item in (option, value)]


def _snapshot(tct) -> tuple[dict[str, int], int]:  # type: ignore[no-untyped-def]
    info = tct("db", "info", "-f", "json")
    log = tct("log", "-f", "json")
    assert info.exit_code == 0 and log.exit_code == 0, info.stderr + log.stderr
    return info.json()["tables"], len(log.json())


def _check(tct, *args: str):  # type: ignore[no-untyped-def]
    """Run one command; it must succeed or be refused cleanly, and a refusal must change nothing."""
    before = _snapshot(tct)
    run = tct(*args)
    shown = f"tct {' '.join(a[:80] for a in args)!r}\nexit {run.exit_code}\n{run.stdout[:2000]}\n{run.stderr[:2000]}"
    assert "Traceback" not in run.stdout + run.stderr, shown
    assert run.exit_code in (0, 1, 2), shown
    if run.exit_code != 0:
        assert any(line.startswith("Error: ") for line in run.stderr.splitlines()), shown
        assert _snapshot(tct) == before, shown
    return run


@pytest.fixture
def desk(tct):  # type: ignore[no-untyped-def]
    """A register with two officers and one case (VV-2021-0001)."""
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("officer", "add", "Lê Văn An").exit_code == 0
    first = tct("visit", "add", "--citizen", "A", "--type", "complaint", "--field", "land", "--officer", "binh",
                "--at", "04/02/2021 09:00")
    assert first.stdout.split() == ["TCD-2021-0001", "VV-2021-0001"], first.stderr
    return tct


@EXAMPLES
@given(citizen=optional(st.sampled_from(["Nguyễn Văn Đức", "Robert'); DROP TABLE visit;--"])),
       type_=optional(st.sampled_from(["complaint", "to-cao", "kiến nghị"])),
       field=optional(st.sampled_from(["land", "đất đai", "policy"])),
       officer=optional(st.sampled_from(["binh", "le van an"])),
       people=optional(st.sampled_from(["1", "6", "12"]), numbers),
       at=optional(dates, dates),
       id_number=optional(st.sampled_from(["079123456789", "012345678", "091 234 567 890"])),
       phone=optional(st.sampled_from(["0909 876 543", "+84 912 345 678"])),
       address=optional(st.sampled_from(["Số 7 Ngõ 3", "12 Lê Lợi"])),
       locality=optional(st.sampled_from(["Phường 1, Quận 3", "Xã Hòa"])),
       representatives=optional(st.sampled_from(["A; B", "Nguyễn A"])),
       content=optional(st.sampled_from(["Tranh chấp đất", "Khiếu nại\nnhiều dòng"])),
       note=st.one_of(st.none(), hostile),
       handling=optional(st.sampled_from(["accepted", "chuyển đơn"])),
       kind=optional(st.sampled_from(["regular", "lãnh đạo"])),
       case=st.one_of(st.none(), st.sampled_from(["VV-2021-0001", "vv-2021-0001"]), hostile),
       escalated=st.booleans())
def test_visit_add_with_hostile_arguments(desk, citizen, type_, field, officer, people, at, id_number, phone,
                                          address, locality, representatives, content, note, handling, kind, case,
                                          escalated):
    options = {"--citizen": citizen, "--type": type_, "--field": field, "--officer": officer, "--people": people,
               "--at": at, "--id-number": id_number, "--phone": phone, "--address": address,
               "--locality": locality, "--representatives": representatives, "--content": content, "--note": note,
               "--handling": handling, "--kind": kind, "--case": case}
    run = _check(desk, "visit", "add", *_args(options), *(["--escalated"] if escalated else []), "-f", "json")
    if run.exit_code == 0:
        stored = run.json()
        assert stored["citizen"] == unicodedata.normalize("NFC", stored["citizen"])
        assert desk("visit", "show", stored["code"], "-f", "json").json()["citizen"] == stored["citizen"]


@EXAMPLES
@given(code=st.one_of(st.sampled_from(["VV-2021-0001", "vv-2021-0001 ", "VV-2021-9999"]), hostile),
       kinds=st.lists(st.sampled_from(["--crowd", "--repeat", "--escalated", "--complex", "--hotspot"]),
                      max_size=2, unique=True),
       reason=optional(st.sampled_from(["Đông người, phức tạp", "x"])),
       unflag=st.booleans())
def test_case_flag_with_hostile_arguments(desk, code, kinds, reason, unflag):
    _check(desk, "case", "unflag" if unflag else "flag", *kinds, *_args({"--reason": reason}), "--", code)


@EXAMPLES
@given(officer=st.one_of(st.sampled_from(["binh", "Lê Văn An", "nobody"]), hostile),
       on=dates, until=optional(dates, dates),
       shift=optional(st.sampled_from(["morning", "afternoon", "full", "custom"])),
       role=optional(st.sampled_from(["main", "backup", "leader"])),
       start=optional(st.sampled_from(["08:00", "13:30", "7h"])), end=optional(st.sampled_from(["10:00", "17:00"])),
       location=st.one_of(st.none(), hostile), note=st.one_of(st.none(), hostile),
       weekdays_only=st.booleans())
def test_roster_add_with_hostile_arguments(desk, officer, on, until, shift, role, start, end, location, note,
                                           weekdays_only):
    options = {"--date": on, "--to": until, "--shift": shift, "--role": role, "--start": start, "--end": end,
               "--location": location, "--note": note}
    _check(desk, "roster", "add", *_args(options), *(["--weekdays-only"] if weekdays_only else []), "--", officer)


@EXAMPLES
@given(name=st.one_of(st.from_regex(r"\A[a-z][a-z0-9-]{0,30}[a-z0-9]\Z"), st.sampled_from(["tet-2021", "a..b"]),
                      hostile),
       start=dates, end=dates, title=st.one_of(st.sampled_from(["Kế hoạch Tết 2021"]), hostile),
       before_days=optional(st.sampled_from(["0", "7", "366"]), numbers),
       after_days=optional(st.sampled_from(["0", "10"]), numbers))
def test_period_add_with_hostile_arguments(desk, name, start, end, title, before_days, after_days):
    options = {"--from": start, "--to": end, "--title": title, "--before-days": before_days,
               "--after-days": after_days}
    run = _check(desk, "period", "add", *_args(options), "-f", "json", "--", name)
    if run.exit_code == 0:
        assert _check(desk, "period", "show", "--", run.json()["name"]).exit_code == 0


@EXAMPLES
@given(search=hostile, since=optional(dates, dates), limit=optional(st.sampled_from(["1", "50"]), numbers),
       fmt=st.sampled_from(["table", "json", "csv", "md"]))
def test_reading_with_hostile_filters_never_fails_badly(desk, search, since, limit, fmt):
    """Searches and filters: a clean refusal or an answer, never a traceback or a database error."""
    options = {"--from": since, "--limit": limit, "-f": fmt}
    _check(desk, "visit", "list", "--search", search, *_args(options))
    _check(desk, "citizen", "list", "--search", search, "-f", fmt)
    _check(desk, "case", "list", "--search", search, "--locality", search, "-f", fmt)
    _check(desk, "visit", "show", "--", search)


def test_hostile_examples_left_the_register_healthy(desk):
    """After everything above a register still passes its own check (a test of its own database)."""
    for value in HOSTILE:
        _check(desk, "visit", "add", "--citizen", value, "--type", "complaint", "--field", "land",
               "--officer", "binh", "--content", value, "--note", value)
    assert desk("db", "check").exit_code == 0
