"""The one place that turns data into output: table, json, csv, md (xlsx comes with reports).

The library returns plain data (dicts with English keys, ISO dates); this module only formats it.
Tables fit an 80-column terminal and are plain text when stdout is not a terminal or NO_COLOR
is set. JSON is one document. CSV cells that a spreadsheet would run as a formula are
neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

from tct.i18n import COLUMN_VALUES, label, value_label

__all__ = ["label", "rows", "record", "to_json", "safe_cell", "display", "text_block"]

FORMATS = ("table", "json", "csv", "md")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Identifiers and timestamps read badly when folded over two lines.
_NO_WRAP = {"code", "case", "visited", "at", "date", "ref", "key", "deadline"}

Columns = Sequence[tuple[str, str]]  # (data key, label key)


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    """The document json.dumps(indent=2, ensure_ascii=False) would give, written by orjson: with an
    indent, the standard library encodes in Python, and the report of a large register is
    megabytes. Dates and times still go through json_default: orjson 3.13 writes
    time(0, 0, 0, 10000) as "00:00:00.10000". What orjson refuses and json writes (an integer
    of 64 bits or more, a lone surrogate, e.g. in an audit event of an imported register) is
    written by json as before."""
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    try:
        return orjson.dumps(data, default=json_default, option=options).decode()
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, indent=2, default=json_default)


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection in a text cell."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def display(value: Any, lang: str) -> str:
    """A value as a person reads it on screen or paper (dates day-first)."""
    if value is None:
        return ""
    if value.__class__ is str:
        if len(value) == 10 and _ISO_DAY.match(value):
            return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
        return value
    if isinstance(value, str) and _ISO_DAY.match(value):
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    if isinstance(value, bool):
        return label("yes" if value else "no", lang)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return ", ".join(display(item, lang) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=json_default)
    return str(value)


def _in_words(value: Any, lab: str, lang: str) -> Any:
    """A coded value (a type, status, flag…) as its column's label says the reader calls it
    (i18n.COLUMN_VALUES); anything else as it is."""
    kind = COLUMN_VALUES.get(lab)
    if kind is None:
        return value
    if value.__class__ is str:
        return value_label(kind, value, lang)
    if isinstance(value, list | tuple):
        return [value_label(kind, item, lang) if isinstance(item, str) else item for item in value]
    return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, default=json_default)
    elif isinstance(value, datetime | date | time):
        value = value.isoformat()
    elif isinstance(value, bool):
        value = "true" if value else "false"
    value = safe_cell(value)
    if isinstance(value, str) and "\r" in value:
        # The writer quotes a cell only for the characters of its line terminator ("\n"), so a bare
        # CR would end the row in a spreadsheet. Stored text breaks lines with "\n" (tct.text.clean).
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _plain_output(stream: TextIO) -> bool:
    return not stream.isatty() or bool(os.environ.get("NO_COLOR"))


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rows(data: list[dict[str, Any]], columns: Columns, fmt: str, *, lang: str = "en", title: str | None = None,
         stream: TextIO | None = None, follows: bool = False, fields: Sequence[str] | None = None) -> None:
    """Print a list of records. JSON and CSV carry every key (for scripts and spreadsheets);
    the table and Markdown show the given columns, which fit a terminal or a page. `follows`: the
    table comes right after another (a record's, in `case show`), which in Markdown needs a blank
    line between, or the second table is read as rows of the first. `fields`: the keys of a record,
    the header of an empty list's CSV (a script reading the overdue cases by column name each night
    must find the same columns on the day there are none)."""
    out = stream or sys.stdout
    if follows and fmt in ("md", "csv"):
        out.write("\n")
    if fmt == "json":
        out.write(to_json(data) + "\n")
    elif fmt == "csv":
        keys = list(data[0]) if data else list(fields) if fields is not None else [key for key, _ in columns]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(keys)
        for record in data:
            writer.writerow([_csv_value(record.get(key)) for key in keys])
    elif fmt == "md":
        if title:
            out.write(f"## {title}\n\n")
        out.write("| " + " | ".join(label(lab, lang) for _, lab in columns) + " |\n")
        out.write("|" + "|".join("---" for _ in columns) + "|\n")
        for record in data:
            out.write("| " + " | ".join(_md_escape(display(_in_words(record.get(key), lab, lang), lang))
                                        for key, lab in columns) + " |\n")
    else:
        _rich_table(data, columns, lang=lang, title=title, stream=out)


def record(data: dict[str, Any], fields: Columns | None, fmt: str, *, lang: str = "en", title: str | None = None,
           stream: TextIO | None = None) -> None:
    """Print one record: JSON as an object, the other formats as field/value pairs."""
    out = stream or sys.stdout
    if fmt == "json":
        out.write(to_json(data) + "\n")
        return
    pairs = fields or [(key, key) for key in data]
    as_rows = [{"field": label(lab, lang), "key": key, "value": data.get(key),
                "shown": _in_words(data.get(key), lab, lang)} for key, lab in pairs]
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["field", "value"])
        for item in as_rows:
            writer.writerow([item["key"], _csv_value(item["value"])])
        return
    rows(as_rows, [("field", "record_field"), ("shown", "value")], fmt, lang=lang, title=title, stream=out)


def _rich_table(data: list[dict[str, Any]], columns: Columns, *, lang: str, title: str | None,
                stream: TextIO) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    plain = _plain_output(stream)
    if plain and not stream.isatty():
        cells = [[label(lab, lang) for _, lab in columns], *_shown_rows(data, columns, lang)]
        if _plain_table(cells, title, stream, wide=len(data) >= _FAST_ROWS):
            return
    console = Console(file=stream, no_color=plain, highlight=False, soft_wrap=False, markup=False, emoji=False,
                      width=None if stream.isatty() else 80, force_terminal=False if plain else None)
    # Cells and title as Text: what a citizen said is shown as typed, never read as rich markup
    # ("[khẩn]" would vanish) or emoji codes (":+1:" would become a picture).
    table = Table(title=Text(title) if title is not None else None, box=None if plain else box.SIMPLE_HEAD,
                  show_edge=False, header_style="" if plain else "bold", title_style="" if plain else "bold",
                  pad_edge=False)
    for key, lab in columns:
        table.add_column(Text(label(lab, lang)), overflow="fold", no_wrap=key in _NO_WRAP)
    for item in data:
        table.add_row(*(Text(display(_in_words(item.get(key), lab, lang), lang)) for key, lab in columns))
    console.print(table)


def _shown_rows(data: list[dict[str, Any]], columns: Columns, lang: str) -> list[tuple[str, ...]]:
    """Each record's cells as a person reads them (display of _in_words), a column at a time and
    each distinct value of a column shown once: the tens of thousands of rows of `tct alerts` on a
    big register share a few types, statuses and deadlines."""
    shown_columns = []
    for key, lab in columns:
        memo: dict[Any, str] = {}
        cells = []
        for item in data:
            value = item.get(key)
            if value.__class__ in _SHOWN_AS_EQUAL:
                text = memo.get(value)
                if text is None:
                    text = memo[value] = display(_in_words(value, lab, lang), lang)
            else:  # (True equals 1, an aware time equals the same instant in another zone: shown otherwise)
                text = display(_in_words(value, lab, lang), lang)
            cells.append(text)
        shown_columns.append(cells)
    return list(zip(*shown_columns, strict=True))


# Classes whose equal values are shown alike, so a column's cells can be shown once per value.
_SHOWN_AS_EQUAL = frozenset({str, int, date, type(None)})
_FAST_ROWS = 200
_RICH_WIDTH = 80  # rich's width for a pipe or file
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufe00-\ufe0f]")


def _plain_table(cells: Sequence[Sequence[str]], title: str | None, stream: TextIO, *, wide: bool = True) -> bool:
    """A table for a pipe or file, without rich's per-cell layout (seconds for the ten thousand
    rows of `tct alerts` on a big register). When every row fits in 80 columns the output is
    exactly what rich writes; when it does not and the table is `wide`-able (long), each record
    still stays on one line (columns aligned, nothing wrapped), so grep and sort see whole
    records. False (nothing written) if a cell holds control or zero-width characters, or the
    table is too wide and not `wide`: rich draws it."""
    from itertools import chain

    from rich.cells import cell_len

    if _UNSAFE.search(" ".join(chain.from_iterable(cells))) or (title and _UNSAFE.search(title)):
        return False
    # Printable ASCII (control characters were refused above) is one column a character. Each
    # distinct cell of a column measured and padded once (columns repeat their values).
    measured = [{cell: len(cell) if cell.isascii() else cell_len(cell) for cell in set(column)}
                for column in zip(*cells, strict=True)]
    widths = [max(lengths.values()) for lengths in measured]
    total = sum(widths) + 2 * (len(widths) - 1)
    if total > _RICH_WIDTH and not wide:
        return False
    shown = (title or "").rstrip()  # rich centres a title without its trailing spaces
    lines = []
    if title and cell_len(shown) > total:  # wrapped to the table's width, as rich does
        from rich.console import Console
        from rich.text import Text

        lines += [line.plain for line in Text(shown).wrap(Console(width=total), total, justify="center")]
    elif title:
        excess = max(total - cell_len(shown), 0)
        lines.append(" " * (excess // 2) + shown + " " * (excess - excess // 2))
    padded = [{cell: cell + " " * (width - length) for cell, length in lengths.items()}
              for lengths, width in zip(measured, widths, strict=True)]
    lines += ["  ".join([pad[cell] for pad, cell in zip(padded, row, strict=True)]) for row in cells]
    stream.write("\n".join(lines) + "\n")
    return True


def text_block(text: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(text.rstrip("\n") + "\n")


def csv_string(data: list[dict[str, Any]], columns: Columns) -> str:
    buffer = io.StringIO()
    rows(data, columns, "csv", stream=buffer)
    return buffer.getvalue()


# --- documents: several titled tables (the report) ------------------------------------------------

class Section:
    """One titled table of a document; `key` names it in CSV (`section` column) and xlsx (sheet)."""

    def __init__(self, key: str, title: str, columns: Sequence[tuple[str, str]], data: list[dict[str, Any]],
                 note: str | None = None) -> None:
        self.key, self.title, self.columns, self.data, self.note = key, title, list(columns), data, note


def document(sections: list[Section], fmt: str, *, title: str, header: list[str], lang: str = "en",
             stream: TextIO | None = None) -> None:
    """A document as a screen of tables, Markdown, or CSV with one table per section.

    Column labels here are already in the reader's language (a section's columns are (key, label)).
    """
    out = stream or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        for index, section in enumerate(sections):
            if index:
                writer.writerow([])
            writer.writerow(["section"] + [key for key, _ in section.columns])
            for item in section.data:
                writer.writerow([section.key] + [_csv_value(item.get(key)) for key, _ in section.columns])
        return
    if fmt == "md":
        out.write(f"# {_md_escape(title)}\n\n")
        for line in header:
            out.write(f"{_md_escape(line)}  \n")
        for section in sections:
            out.write(f"\n## {_md_escape(section.title)}\n\n")
            if section.note:
                out.write(f"{_md_escape(section.note)}\n\n")
            if not section.data:
                out.write("—\n")
                continue
            out.write("| " + " | ".join(_md_escape(lab) for _, lab in section.columns) + " |\n")
            out.write("|" + "|".join("---" for _ in section.columns) + "|\n")
            for item in section.data:
                cells = [_md_escape(display(item.get(key), lang)) for key, _ in section.columns]
                out.write("| " + " | ".join(cells) + " |\n")
        return
    from rich.console import Console

    plain = _plain_output(out)
    console = Console(file=out, no_color=plain, highlight=False, emoji=False, width=None if out.isatty() else 80,
                      force_terminal=False if plain else None)
    console.print(title, style="" if plain else "bold", markup=False)
    for line in header:
        console.print(line, markup=False)
    for section in sections:
        console.print()
        if not section.data:
            console.print(f"{section.title}: —", markup=False)
            continue
        rows(section.data, [(key, lab) for key, lab in section.columns], "table", lang=lang, title=section.title,
             stream=out)
        if section.note:
            console.print(section.note, markup=False)


def xlsx_bytes(sections: list[Section], *, title: str, header: list[str], lang: str = "en") -> bytes:
    """One sheet per section (and a cover sheet), every text cell neutralised against formulas."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError as exc:
        from tct.errors import ValidationError

        raise ValidationError.said_as("err_xlsx_needs_openpyxl") from exc
    from tct.i18n import LABELS, label

    def sheet_name(key: str) -> str:  # (a sheet's name is read by people, as its cells are)
        return (label(f"sheet_{key}", lang) if f"sheet_{key}" in LABELS else key)[:31]

    book = Workbook()
    cover = book.active
    cover.title = sheet_name("report")
    cover.append([safe_cell(title)])
    cover["A1"].font = Font(bold=True)
    for line in header:
        cover.append([safe_cell(line)])
    used: set[str] = {cover.title}
    for section in sections:
        name = sheet_name(section.key)
        while name in used:
            name = name[:28] + str(len(used))
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([safe_cell(section.title)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([safe_cell(lab) for _, lab in section.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for item in section.data:
            sheet.append([_xlsx_value(item.get(key), lang) for key, _ in section.columns])
    return _save_book(book)


def _save_book(book: Any) -> bytes:
    """The workbook's bytes. openpyxl writes each sheet to a temporary file first: when that fails
    (a full disk) the error is one line, and the half-written sheets it drops, which complain as
    they are collected, print nothing."""
    import gc

    buffer = io.BytesIO()
    failure = None
    previous = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        try:
            book.save(buffer)
        except OSError as exc:
            failure = exc.strerror or str(exc)
        if failure is not None:
            gc.collect()  # the failed writers go now, while their complaints are silenced
    finally:
        sys.unraisablehook = previous
    if failure is not None:
        from tct.errors import ValidationError

        raise ValidationError.said_as("err_xlsx_temporary", failure=str(failure))
    return buffer.getvalue()


def _xlsx_value(value: Any, lang: str) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, list | tuple | dict):
        return safe_cell(display(value, lang))
    if isinstance(value, int | float):
        return value
    return safe_cell(display(value, lang))


# The first bytes of what holds a register: an SQLite file (a register, a backup), its write-ahead log
# and rollback journal, a gzip file (a compressed backup), a pg_dump archive (a PostgreSQL backup).
_DATABASE_HEADERS = (b"SQLite format 3\x00", b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83",
                     b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7", b"\x1f\x8b", b"PGDMP")


def replaceable(path: str | os.PathLike[str], *, force: bool) -> Path:
    """`path` as an output file tct may write: a new file, or an existing one with `force` — but
    never a database, whatever `force` says: `--output` naming the register (or a backup) by a slip
    would otherwise put a report or an export where the register was."""
    from tct.errors import ValidationError

    target = Path(path).expanduser()
    if companion_of_database(target):
        raise ValidationError.said_as("err_output_is_companion", target=str(target))
    if not target.exists() or target.is_dir():
        return target
    if _is_database(target):
        raise ValidationError.said_as("err_output_is_database", target=str(target))
    if not force:
        raise ValidationError.said_as("err_output_exists", target=str(target))
    return target


def companion_of_database(path: Path) -> bool:
    """Whether `path` is a database's -wal, -shm or -journal, even before SQLite makes one: SQLite
    would take a file (or a folder) of ours there for its own, and lose it or fail on it."""
    for suffix in ("-wal", "-shm", "-journal"):
        base = path.name[:-len(suffix)]
        if path.name.endswith(suffix) and base and _is_database(path.with_name(base)):
            return True
    return False


def _is_database(path: Path) -> bool:
    if not path.is_file():  # (a pipe or a terminal would wait to be read)
        return False
    try:
        with path.open("rb") as existing:
            return existing.read(16).startswith(_DATABASE_HEADERS)
    except OSError:
        return False


def write_private(path: str | os.PathLike[str], content: bytes, *, force: bool = False) -> None:
    """Write an output file mode 0600, atomically: a temporary name, then a rename.

    Refuses to overwrite without `force`; on any failure nothing is left under `path`.
    """
    import tempfile

    from tct.errors import ValidationError

    target = replaceable(path, force=force)
    if target.is_dir():
        raise ValidationError.said_as("err_output_is_folder", target=str(target))
    folder = target.parent
    if not folder.is_dir():
        raise ValidationError.said_as("err_no_folder", folder=str(folder))
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ValidationError.said_as("err_cannot_write_in", folder=str(folder), why=exc.strerror) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), 0o600)
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ValidationError.said_as("err_cannot_write", target=str(target), why=exc.strerror) from exc
    except BaseException:  # an interrupt: nothing half-written is left either
        Path(temporary).unlink(missing_ok=True)
        raise
