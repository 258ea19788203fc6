"""Long tables for a pipe or a file are written without rich's layout engine: they must read
exactly as rich would have drawn them when they fit 80 columns, and keep one record per line
when they do not."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tct import render

COLUMNS = [("code", "code"), ("citizen", "citizen"), ("people", "people"), ("case", "case"), ("note", "note")]
LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
ALPHABET = LETTERS + "0123456789 .,-/:;()'\"#%&*+<=>?@_|~" + "中文字😀é\u0301\t\n[]\\\u200b"


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def _drawn(data: list[dict], columns, title: str | None, *, fast: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    """The table as written: by the plain path when it takes it (`fast`), else by rich itself."""
    out = _Pipe()
    with monkeypatch.context() as patched:
        patched.setattr(render, "_FAST_ROWS", 1)
        if not fast:
            patched.setattr(render, "_plain_table", lambda *args, **options: False)
        render.rows(data, columns, "table", lang="en", title=title, stream=out)
    return out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_a_long_table_reads_as_rich_draws_it(data: st.DataObject, monkeypatch: pytest.MonkeyPatch) -> None:
    columns = COLUMNS[:data.draw(st.integers(1, len(COLUMNS)))]
    # (booleans beside the integers 0 and 1, which equal them, one instant in two time zones, tuples
    # and lists: each shown as it is, not as the equal value met earlier in the column)
    instant = datetime(2021, 2, 3, 1, 0, tzinfo=UTC)
    cell = st.one_of(st.none(), st.booleans(), st.integers(0, 10**6), st.sampled_from([0, 1]),
                     st.sampled_from([instant, instant.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")), (True, 2), (1, 2)]),
                     st.lists(st.sampled_from(["a", "b", "Đà"]), max_size=2),
                     st.text(ALPHABET, max_size=data.draw(st.integers(0, 30))))
    records = data.draw(st.lists(st.fixed_dictionaries({key: cell for key, _ in columns}), min_size=1, max_size=30))
    title = data.draw(st.one_of(st.none(), st.text(LETTERS, min_size=1, max_size=40)))
    fast = _drawn(records, columns, title, fast=True, monkeypatch=monkeypatch)
    cells = [[render.label(lab, "en") for _, lab in columns]]
    cells += [[render.display(item.get(key), "en") for key, _ in columns] for item in records]
    if _too_wide(cells) and render._plain_table(cells, title, _Pipe()):
        lines = fast.splitlines()
        assert len(lines) == len(cells) + (1 if title else 0)
        for line, row in zip(lines[-len(cells):], cells, strict=True):
            assert line.split() == " ".join(row).split()  # the record's cells, in order, on its line
    else:
        assert fast == _drawn(records, columns, title, fast=False, monkeypatch=monkeypatch)



def test_a_long_table_shows_each_value_as_it_is_beside_an_equal_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain path shows each distinct value of a column once: values that are equal but shown
    otherwise (True and 1, one instant in two time zones, tuples of them) each keep their own text."""
    instant = datetime(2021, 2, 3, 1, 0, tzinfo=UTC)
    values = [1, True, instant, instant.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")), (1, 2), (True, 2), 0, False]
    records = [{"code": value} for value in values]
    fast = _drawn(records, COLUMNS[:1], None, fast=True, monkeypatch=monkeypatch)
    assert [line.rstrip() for line in fast.splitlines()[1:]] == [render.display(value, "en") for value in values]
    assert {"yes, 2", "1, 2", "03/02/2021 01:00", "03/02/2021 08:00"} <= set(map(str.rstrip, fast.splitlines()))

def _too_wide(cells: list[list[str]]) -> bool:
    from rich.cells import cell_len

    widths = [max(cell_len(cell) for cell in column) for column in zip(*cells, strict=True)]
    return sum(widths) + 2 * (len(widths) - 1) > 80


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_a_long_table_that_fits_is_written_by_the_fast_path(data: st.DataObject,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    columns = COLUMNS[:data.draw(st.integers(1, 4))]
    cell = st.one_of(st.none(), st.integers(0, 10**6), st.text(LETTERS + "0123456789 .,-/中😀", max_size=12))
    records = data.draw(st.lists(st.fixed_dictionaries({key: cell for key, _ in columns}), min_size=1, max_size=30))
    title = data.draw(st.one_of(st.none(), st.text(LETTERS, min_size=1, max_size=4)))  # no wider than a header
    cells = [[render.label(lab, "en") for _, lab in columns]]
    cells += [[render.display(item.get(key), "en") for key, _ in columns] for item in records]
    assert render._plain_table(cells, title, _Pipe())
    assert _drawn(records, columns, title, fast=True, monkeypatch=monkeypatch) == \
        _drawn(records, columns, title, fast=False, monkeypatch=monkeypatch)


def test_a_long_wide_table_keeps_each_record_on_one_line() -> None:
    cells = [["code", "locality", "note"]]
    cells += [[f"VV-2024-{n:05d}", "Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh", "đông người " * 4]
              for n in range(300)]
    out = _Pipe()
    assert render._plain_table(cells, "Alerts", out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 302 and lines[2].startswith("VV-2024-00000  Phường Bến Nghé")
    assert len({len(line) for line in lines[1:]}) == 1  # aligned columns


def test_a_short_table_that_fits_is_written_by_the_fast_path_too(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [{"citizen": "Nguyễn Văn Đức", "days": 3, "last_visit": "2024-12-31"}] * 5
    columns = [("citizen", "citizen"), ("days", "days"), ("last_visit", "last_visit")]
    title = "Citizens who came back again and again within the window of ninety days"  # wider: wrapped
    out = _Pipe()
    render.rows(records, columns, "table", lang="en", title=title, stream=out)
    assert out.getvalue() == _drawn(records, columns, title, fast=False, monkeypatch=monkeypatch)
    assert out.getvalue().splitlines()[:2] == ["Citizens who came back again and", "   again within the window of   "]


@pytest.mark.parametrize("fast", [True, False])
def test_what_a_citizen_typed_is_shown_as_typed(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not read as rich markup or emoji codes, on either path."""
    typed = "[khẩn] [bold]đất[/bold] :thumbs_up: C:\\path"
    out = _drawn([{"note": typed}], [("note", "note")], "[red]Ghi chú[/red]", fast=fast, monkeypatch=monkeypatch)
    title, header, row = out.splitlines()
    assert (title.strip(), header.rstrip(), row) == ("[red]Ghi chú[/red]", "note", typed)


def test_the_alerts_of_a_big_register_take_the_fast_path() -> None:
    cells = [["code", "citizen", "people", "case"]]
    cells += [[f"TCD-2024-{n:05d}", "Nguyễn Văn Đức", str(n % 40), f"VV-2024-{n:04d}"] for n in range(10_000)]
    out = _Pipe()
    assert render._plain_table(cells, "Alerts", out)
    assert out.getvalue().count("\n") == 10_002


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.sampled_from(["\ud800", "a\udc80b"])
    | st.dates()
    | st.datetimes(timezones=st.sampled_from([None, UTC, ZoneInfo("Asia/Ho_Chi_Minh")]))
    | st.times(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_json_output_is_the_document_the_standard_library_writes(value: object) -> None:
    """Scripts that read `-f json` rely on its shape (indent 2, UTF-8 text, ISO dates and times)."""
    assert render.to_json(value) == json.dumps(value, ensure_ascii=False, indent=2, default=render.json_default)
    assert render.to_json({"họ tên": "Nguyễn Văn Bình", "codes": ("a", "b")}) == (
        '{\n  "họ tên": "Nguyễn Văn Bình",\n  "codes": [\n    "a",\n    "b"\n  ]\n}')
    # what orjson refuses (json writes it): 64-bit overflow, a lone surrogate, an unknown type
    assert render.to_json({"n": 2**64, "s": "\ud800"}) == '{\n  "n": 18446744073709551616,\n  "s": "\ud800"\n}'
    with pytest.raises(TypeError):
        render.to_json({"x": object()})


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False)))
def test_json_numbers_read_back_as_written(numbers: list[float]) -> None:
    """(orjson writes 1e-05 as 0.00001: the same number, another spelling)"""
    assert json.loads(render.to_json(numbers)) == numbers
