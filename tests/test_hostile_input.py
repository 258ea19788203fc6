"""Hostile and malformed input (issue 8): generated arguments for the commands that write.

Each test drives the CLI in-process against one register (built once per test function, not per
example) with text in NFD, emoji, right-to-left marks, NUL bytes, 100 KB strings, SQL fragments,
numbers out of range and malformed dates. For every example: no traceback, exit code 0, 1 or 2,
and a rejected command changes nothing (rows of every table and the audit trail are the same).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import file_mode

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


# --- reports and imports (issue 8, continued) -----------------------------------------------------

_PERIODS = ["tet-2021", "new-year-2021", "TET-2021", "tết-2021", "plan-2021", "tet-1900", "tet-1901", "tet-2101",
            "tet-0", "tet-", "tet-99999999999999999999", "2021-02-01..2021-02-28", "2021-02-28..2021-02-01",
            "1900-01-01..2100-12-31", "0001-01-01..9999-12-31", "2021-01-01..2021-12-31", "2021-01-01..2022-01-01",
            "01/02/2021..28/02/2021", "..", "a..b", "2021-02-01..", "..2021-02-01", "2021-02-30..2021-03-01",
            "2021-02-01...2021-02-02", "2021-02-01 .. 2021-02-02", "tet-2021..tet-2022"]
periods_ = st.one_of(st.sampled_from(_PERIODS), st.builds(lambda a, b: f"{a}..{b}", dates, dates), hostile)


@pytest.fixture
def reporting(desk, tmp_path):  # type: ignore[no-untyped-def]
    """The desk with a custom period, a delegation and a denunciation in Tết 2021, and a folder for files."""
    assert desk("period", "add", "plan-2021", "--from", "10/02/2021", "--to", "16/02/2021", "--title",
                "Kế hoạch").exit_code == 0
    assert desk("visit", "add", "--citizen", "Đoàn", "--type", "complaint", "--field", "land", "--officer", "binh",
                "--people", "6", "--representatives", "A", "--at", "11/02/2021 09:00").exit_code == 0
    assert desk("visit", "add", "--citizen", "Người Tố", "--type", "denunciation", "--field", "land", "--officer",
                "binh", "--at", "12/02/2021 09:00").exit_code == 0
    folder = tmp_path / "reports"
    folder.mkdir()
    return desk, folder


def _file_name(text: str) -> str:
    """Hostile text as one file name inside the test's folder (no separators, no NUL: those are not names)."""
    return text.replace("/", "_").replace("\x00", "_")[:200] or "_"


_numbers = itertools.count()


@EXAMPLES
@given(period=periods_, fmt=st.sampled_from(["table", "md", "csv", "json", "xlsx", "XLSX", "pdf", ""]),
       lang=st.one_of(st.none(), st.sampled_from(["vi", "en", "EN", "fr"]), hostile),
       output=st.one_of(st.none(), st.just("report"), hostile.map(_file_name)), force=st.booleans(),
       reveal=st.booleans())
def test_report_with_hostile_arguments(reporting, period, fmt, lang, output, force, reveal):
    tct, root = reporting
    folder = root / str(next(_numbers))
    folder.mkdir()
    target = folder / output if output is not None else None
    options = {"--format": fmt, "--lang": lang, "--output": str(target) if target else None}
    run = _check(tct, "report", *_args(options), *(["--force"] if force else []),
                 *(["--reveal"] if reveal else []), "--", period)
    if run.exit_code == 0 and target is not None and target.parent == folder:
        assert [p.name for p in folder.iterdir()] == [target.name]
        assert file_mode(target) == 0o600
    elif run.exit_code != 0:
        assert list(folder.iterdir()) == [], [p.name for p in folder.iterdir()]  # nothing partial left
    if run.exit_code == 0 and fmt.lower() == "json" and target is None:
        assert "Người Tố" not in run.stdout  # never a denouncer, whatever the options


VISIT_COLUMNS = ["citizen", "id_number", "address", "phone", "locality", "people", "representatives", "type",
                 "field", "content", "at", "officer", "case", "case_ref", "handling", "kind", "escalated", "note"]
HUGE_CELL = "y" * 200_000  # above Python's csv field limit (131,072 characters)
csv_cells = st.one_of(hostile, st.just(HUGE_CELL), st.sampled_from(['"', 'a"b', '"a""b"', ",", ";", "\n", "\r"]))
visit_rows = st.fixed_dictionaries({
    "citizen": optional(st.sampled_from(["Nguyễn Văn Đức", "Robert'); DROP TABLE visit;--"]), csv_cells),
    "type": optional(st.sampled_from(["complaint", "tố cáo", "kien nghi"]), csv_cells),
    "field": optional(st.sampled_from(["land", "đất đai"]), csv_cells),
    "at": optional(dates, csv_cells),
    "officer": optional(st.sampled_from(["binh", "Lê Văn An"]), csv_cells),
    "people": optional(st.sampled_from(["1", "6", "12"]), numbers),
    "representatives": optional(st.sampled_from(["A; B", "Nguyễn A"]), csv_cells),
    "id_number": optional(st.sampled_from(["079123456789", "012345678"]), csv_cells),
    "phone": optional(st.sampled_from(["0909 876 543"]), csv_cells),
    "address": st.one_of(st.none(), csv_cells), "locality": st.one_of(st.none(), csv_cells),
    "content": st.one_of(st.none(), csv_cells), "note": st.one_of(st.none(), csv_cells),
    "case": optional(st.sampled_from(["VV-2021-0001", "vv-2021-0001"]), csv_cells),
    "case_ref": optional(st.sampled_from(["a", "b"]), csv_cells),
    "handling": optional(st.sampled_from(["accepted", "chuyển đơn"]), csv_cells),
    "kind": optional(st.sampled_from(["regular", "leader"]), csv_cells),
    "escalated": optional(st.sampled_from(["yes", "no", "có", "0"]), csv_cells),
})
headers = st.one_of(st.just(VISIT_COLUMNS), st.permutations(VISIT_COLUMNS),
                    st.lists(st.sampled_from(VISIT_COLUMNS + ["Citizen", "ngày", "", "citizen"]), max_size=20),
                    st.lists(hostile, max_size=3))


def _visits_file(path: Path, header: list[str], rows: list[dict[str, str | None]], extra: str, encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name) or "" for name in header])
    text = buffer.getvalue() + extra
    path.write_bytes(text.encode("utf-8", "surrogateescape") if encoding == "utf-8" else text.encode(encoding,
                                                                                                    "replace"))


@EXAMPLES
@given(header=headers, rows=st.lists(visit_rows, max_size=4),
       extra=st.sampled_from(["", "\n\n", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t\n", '"never closed\n', "\x00\n"]),
       encoding=st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1258"]), check=st.booleans())
def test_visits_import_with_hostile_rows(desk, tmp_path, header, rows, extra, encoding, check):
    path = tmp_path / f"visits-{next(_numbers)}.csv"
    _visits_file(path, header, rows, extra, encoding)
    before = _snapshot(desk)
    run = _check(desk, "import", "--visits", str(path), *(["--check"] if check else []))
    if check or run.exit_code != 0:
        assert _snapshot(desk) == before
    else:
        tables, events = _snapshot(desk)
        assert events == before[1] + 1  # one `import` event for the whole file
        assert tables["visit"] == before[0]["visit"] + len([r for r in rows if any(r.values())])


@pytest.fixture(scope="module")
def export_document(tmp_path_factory) -> dict:  # type: ignore[type-arg]
    """A real export (every table filled) to break in many ways."""
    from tct import exchange
    from tct.db import open_database
    from test_exchange import fill_register

    db = open_database(str(tmp_path_factory.mktemp("source") / "tct.db"))
    try:
        fill_register(db)
        document, _ = exchange.snapshot(db, reveal=True)
    finally:
        db.dispose()
    return document


# Values a JSON document may hold that no register column does: beyond 64 bits, lone surrogates
# ("\ud800" is valid JSON), NaN, wrong types, impossible dates and times.
_BAD_NUMBERS = [10**30, 2**63, -(2**63) - 1, 1.5, float("nan"), float("inf"), True, "1", None, -1]
_BAD_TEXTS = ["\ud800", "a\udfffb", "x" * 100_000, "2021-02-30", "2021-02-10T25:00:00", "99999-01-01", 5, None, ""]
_JSON_VALUES = st.one_of(
    st.sampled_from(_BAD_NUMBERS + _BAD_TEXTS), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), hostile, st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _bad_value(current: object) -> st.SearchStrategy:
    """Mostly what breaks a column of the current value's type, sometimes anything."""
    if isinstance(current, int) and not isinstance(current, bool):
        return st.one_of(st.sampled_from(_BAD_NUMBERS), _JSON_VALUES)
    if isinstance(current, str):
        return st.one_of(st.sampled_from(_BAD_TEXTS), _JSON_VALUES)
    return _JSON_VALUES


def _broken(document: dict, data: st.DataObject) -> bytes:  # type: ignore[type-arg]
    """The export, broken one way (or left whole), as the bytes of a file."""
    document = json.loads(json.dumps(document))
    how = data.draw(st.sampled_from(["cell"] * 6 + ["drop column", "add column", "duplicate row", "drop table",
                                                    "header", "not an object", "whole"]))
    tables = document["tables"]
    name = data.draw(st.sampled_from(sorted(tables)))
    rows = tables[name]
    if how in ("cell", "drop column", "add column", "duplicate row") and rows:
        row = rows[data.draw(st.integers(0, len(rows) - 1))]
        column = data.draw(st.sampled_from(sorted(row)))
        if how == "cell":
            row[column] = data.draw(_bad_value(row[column]))
        elif how == "drop column":
            del row[column]
        elif how == "add column":
            row[data.draw(hostile)] = 1
        else:
            rows.append(dict(row))
    elif how == "drop table":
        del tables[name]
    elif how == "header":
        document[data.draw(st.sampled_from(["format", "format_version", "schema", "identities", "tables"]))] = \
            data.draw(_JSON_VALUES)
    elif how == "not an object":
        tables[name] = data.draw(_JSON_VALUES)
    # ASCII JSON mostly: raw surrogates are not UTF-8 (refused before any row is read)
    ascii_only = data.draw(st.sampled_from([True, True, False]))
    return json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


raw_json = st.one_of(
    st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"{", b"[]", b"null", b"42", b'"tct-export"', b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00",
                     b"[" * 100_000, b'{"a":' * 50_000, b'{"format": "tct-export"}', b"NaN", b'{"format": NaN}',
                     b'{"format": "tct-export", "format_version": 1e400}', '{"x": "\ud800"}'.encode("utf-8",
                                                                                                    "surrogatepass")]))


@settings(EXAMPLES, max_examples=60)
@given(data=st.data(), check=st.booleans())
def test_register_import_of_malformed_json(tct, tmp_path, export_document, data, check):
    """`tct import FILE` into an empty register: a broken file is refused cleanly and the register stays empty."""
    number = next(_numbers)
    target = tmp_path / f"empty-{number}" / "tct.db"

    def into(*args: str):  # type: ignore[no-untyped-def]
        return tct("--db", str(target), *args, db=False)

    before = _snapshot(into)
    assert sum(before[0].values()) == 0 and before[1] == 0
    path = tmp_path / f"import-{number}.json"
    broken = data.draw(st.sampled_from([True, True, False]))
    path.write_bytes(_broken(export_document, data) if broken else data.draw(raw_json))
    run = _check(into, "import", str(path), *(["--check"] if check else []))
    if check or run.exit_code != 0:
        assert _snapshot(into) == before


@pytest.mark.parametrize("payload", [
    b"[" * 100_000,  # nested past Python's recursion limit
    None,  # the export with a number beyond 64 bits
    None,  # the export with a lone surrogate
], ids=["deep nesting", "huge integer", "lone surrogate"])
def test_register_import_refuses_what_no_column_holds(tct, tmp_path, export_document, payload, request):
    """The cases that once ended in an internal error (exit 4), pinned whatever hypothesis draws."""
    if payload is None:
        document = json.loads(json.dumps(export_document))
        row = document["tables"]["visit"][0]
        if request.node.callspec.id == "huge integer":
            row["people"] = 10**30
        else:
            row["content"] = "a\ud800b"
        payload = json.dumps(document).encode("utf-8")
    path = tmp_path / "broken.json"
    path.write_bytes(payload)
    target = str(tmp_path / "empty" / "tct.db")
    for check in ([], ["--check"]):
        run = tct("--db", target, "import", str(path), *check, db=False)
        assert run.exit_code == 1, run.stderr
        assert run.stderr.startswith("Error: ") and len(run.stderr.strip().splitlines()) == 1, run.stderr
    info = tct("--db", target, "db", "info", "-f", "json", db=False)
    assert sum(info.json()["tables"].values()) == 0  # still empty


def test_visits_import_refuses_a_cell_above_the_csv_field_limit(desk, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(f"citizen,type,field,officer,at,note\nA,complaint,land,binh,04/02/2021 10:00,{HUGE_CELL}\n",
                    encoding="utf-8")
    before = _snapshot(desk)
    run = desk("import", "--visits", str(path))
    assert run.exit_code == 1 and run.stderr.startswith("Error: line 2: field larger than field limit"), run.stderr
    assert _snapshot(desk) == before


# --- oversized input files are streamed (issue 8) ---------------------------------------------------

MB = 1024 * 1024
MEMORY_CEILING = 300 * MB


# Runs argv[2:] and writes its peak resident memory (KiB) to argv[1]. A process's ru_maxrss starts from
# the memory of the process it was forked from (Linux carries the high-water mark across exec), so
# the command is started from this small launcher, not from the test run, which may hold hundreds
# of megabytes by then.
_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def _run_measured(command: list[str], env: dict[str, str], folder: Path) -> tuple[int, int, str]:
    """(exit code, peak resident memory in bytes, stderr) of one real process."""
    peak = folder / "peak"
    with (folder / "stdout").open("wb") as out, (folder / "stderr").open("wb") as err:
        code = subprocess.call([sys.executable, "-c", _LAUNCHER, str(peak), *command], env=env,
                               stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    return code, int(peak.read_text()) * 1024, (folder / "stderr").read_text(errors="replace")


@pytest.mark.slow
def test_a_200_mb_visits_file_of_bad_rows_is_streamed_in_bounded_memory(tct, db_path, tmp_path):
    """Validation reads the whole file (every bad row is counted) but keeps only the first
    MAX_PROBLEMS_SHOWN problems: memory does not grow with the file, nor with its bad rows."""
    from tct.bulk import MAX_PROBLEMS_SHOWN
    from test_reliability import _env, _tct_command

    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    before = _snapshot(tct)
    path = tmp_path / "huge.csv"
    rows = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("citizen,people,type,field,at,officer,content\n")
        while handle.tell() < 200 * MB:
            handle.write("".join(f"Người {n},many,complaint,land,03/02/2021 08:00,binh,Nội dung lượt tiếp {n} "
                                 f"{'x' * 40}\n" for n in range(rows, rows + 10_000)))
            rows += 10_000
    code, peak, stderr = _run_measured(_tct_command() + ["import", "--visits", str(path)], _env(db_path), tmp_path)
    print(f"\n{path.stat().st_size / MB:.0f} MB, {rows} bad rows: peak memory {peak / MB:.0f} MB")
    assert code == 1, stderr[-2000:]
    assert stderr.splitlines()[-1] == f"Error: {rows} bad rows of {rows}; nothing was imported"
    assert f"…and {rows - MAX_PROBLEMS_SHOWN} more bad rows" in stderr
    assert len(stderr.splitlines()) < MAX_PROBLEMS_SHOWN + 20  # the first problems only, not millions of lines
    assert peak < MEMORY_CEILING, f"peak memory {peak / MB:.0f} MB"
    assert _snapshot(tct) == before


def test_a_200_mb_json_import_is_refused_before_it_is_read(tct, db_path, tmp_path):
    from tct.exchange import MAX_IMPORT_MB
    from test_reliability import _env, _tct_command

    path = tmp_path / "huge.json"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"format": "tct-export", "format_version": 1, "padding": "')
        for _ in range(200):
            handle.write("đ" * (MB // 2))
        handle.write('"}')
    code, peak, stderr = _run_measured(_tct_command() + ["import", str(path)], _env(db_path), tmp_path)
    print(f"\n{path.stat().st_size / MB:.0f} MB JSON: peak memory {peak / MB:.0f} MB")
    assert code == 1, stderr
    assert stderr.startswith("Error: ") and len(stderr.strip().splitlines()) == 1, stderr
    assert f"larger than the {MAX_IMPORT_MB} MB" in stderr and "TCT_IMPORT_MAX_MB" in stderr
    assert peak < min(MEMORY_CEILING, MAX_IMPORT_MB * MB + 150 * MB), f"peak memory {peak / MB:.0f} MB"
    assert not db_path.exists()  # refused before the register was even opened


def test_the_json_import_limit_can_be_set(tct, tmp_path, export_document, monkeypatch):
    path = tmp_path / "register.json"
    path.write_bytes(json.dumps(export_document).encode("utf-8"))
    monkeypatch.setenv("TCT_IMPORT_MAX_MB", "0.001")  # about 1 KB: the export is larger
    refused = tct("--db", str(tmp_path / "a.db"), "import", str(path), db=False)
    assert refused.exit_code == 1 and "larger than the 0.001 MB" in refused.stderr, refused.stderr
    for bad in ("lots", "0", "-5", "nan"):
        monkeypatch.setenv("TCT_IMPORT_MAX_MB", bad)
        run = tct("--db", str(tmp_path / "a.db"), "import", str(path), db=False)
        assert run.exit_code == 2 and "TCT_IMPORT_MAX_MB" in run.stderr, run.stderr
    monkeypatch.setenv("TCT_IMPORT_MAX_MB", "10")
    assert tct("--db", str(tmp_path / "b.db"), "import", str(path), db=False).exit_code == 0


def test_a_json_import_too_large_says_how_to_move_it_in_either_language(tct, tmp_path, export_document,
                                                                        monkeypatch):
    """An administrator moving an office's SQLite register into PostgreSQL (README) with an export above
    the limit: the refusal gives the file's size and the TCT_IMPORT_MAX_MB that takes it (`tct backup` and
    `tct restore` cannot fill a PostgreSQL register), and reads in Vietnamese at a Vietnamese desk."""
    path = tmp_path / "register.json"
    path.write_bytes(json.dumps(export_document).encode("utf-8"))
    monkeypatch.setenv("TCT_IMPORT_MAX_MB", "0.001")
    size = path.stat().st_size / (1024 * 1024)
    run = tct("--db", str(tmp_path / "a.db"), "import", str(path), db=False)
    assert run.exit_code == 1 and len(run.stderr.splitlines()) == 1, run.stderr
    assert f"{path} is {size:.2g} MB, larger than the 0.001 MB" in run.stderr, run.stderr
    assert "set TCT_IMPORT_MAX_MB=1 " in run.stderr and "PostgreSQL" in run.stderr, run.stderr
    vi = tct("--db", str(tmp_path / "a.db"), "--lang", "vi", "import", str(path), db=False)
    assert vi.exit_code == 1 and vi.stderr.startswith(f"Lỗi: {path} có dung lượng"), vi.stderr
    assert "chưa nhập gì" in vi.stderr and "TCT_IMPORT_MAX_MB=1 " in vi.stderr, vi.stderr
