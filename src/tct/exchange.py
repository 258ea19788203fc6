"""Export and import of the whole register: a lossless JSON copy, and CSV for spreadsheets.

The JSON document is deterministic: tables and keys sorted, rows ordered by primary key, dates
and times ISO 8601 (timestamps in UTC with their offset), and no export timestamp inside, so the
same register always gives the same bytes and export → import into an empty register → export is
byte-identical. It carries `format_version` (this module's format) and `schema` (the Alembic
revision of the register it came from). CSV is one file per table (plus `tct-export.csv` with the
format version and schema) in a folder or a .zip; it follows the CSV conventions of tct.render
(formula-like cells prefixed with ', booleans true/false) and is meant for spreadsheets: only JSON
is imported.

Denouncers (Law on Denunciations 2018: their identity must be kept secret by everyone who handles
the denunciation). Unless `reveal` is asked for, the export withholds the identity of every
*protected* citizen: a citizen on any visit of type denunciation, on any visit to a case of type
denunciation, or named as the citizen of a denunciation case. The rule is about the person, not
the visit: a denouncer who also came with a complaint is protected in all their rows, since the
complaint rows would otherwise name them. For each protected citizen, the citizen row keeps its
id (so visits still join) but its name becomes PLACEHOLDER and its id number, address, phone and
locality (and their folded copies) become null; the representatives of denunciation visits become
PLACEHOLDER; and every other text cell of the document (audit changes, search columns, notes…)
has each occurrence of the protected citizens' name, id number, address or phone (and their
folded forms) replaced by PLACEHOLDER. Free text that names the denouncer some other way is not
detected. An export with `reveal` is recorded in the audit trail (who, when, where to), after the
snapshot is read, so the export does not contain its own event.

Export streams: rows come from the driver a batch at a time and are withheld and written as they
come, so its memory does not grow with the register (a file still appears only when complete).

Import fills an *empty* register with a JSON export, verbatim: the same ids, audit events and
code counters. It adds no audit event of its own — it is a copy of a register, not a change to
one (the copied audit trail already says who did what). A document of an older schema is loaded
into a scratch SQLite database at that schema and migrated there first.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import accumulate, count, repeat
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from tct.errors import DatabaseError, UsageError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine

    from tct.db import Database

FORMAT = "tct-export"
FORMAT_VERSION = 1
PLACEHOLDER = "[withheld]"
META_FILE = "tct-export.csv"
DENUNCIATION = "denunciation"
_MIN_SCRUB = 3  # identity values shorter than this are not searched for in other text
_MAX_PROBLEMS = 50
_SURROGATE = re.compile("[\ud800-\udfff]")

Progress = Callable[[int, int], None]


@dataclass
class ExportResult:
    path: Path | None
    format: str
    revealed: bool
    protected_citizens: int
    counts: dict[str, int]
    data: bytes | None = None  # the JSON document when no path was given (the CLI writes it to stdout)

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path) if self.path else None, "format": self.format, "revealed": self.revealed,
                "protected_citizens": self.protected_citizens, "counts": self.counts}


@dataclass
class ImportResult:
    counts: dict[str, int]
    schema: str
    identities: str
    checked_only: bool
    withheld_citizens: int = 0  # denouncers whose identity the export withheld (its placeholder instead)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "schema": self.schema, "identities": self.identities,
                "checked_only": self.checked_only, "withheld_citizens": self.withheld_citizens}


# --- tables and values ------------------------------------------------------------------------

def _tables() -> list[Table]:
    """The register's tables in foreign-key order (parents first)."""
    from sqlmodel import SQLModel

    from tct.models import ALL_TABLES

    return [table for table in SQLModel.metadata.sorted_tables if table.name in ALL_TABLES]


def _plain(value: Any) -> Any:
    """A stored value as JSON: ISO dates and times, timestamps in UTC (naive ones are UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _typed(table: Table, column_name: str, value: Any) -> Any:
    """A JSON value back to the column's Python type; raises ValueError with the reason."""
    import sqlalchemy as sa

    column = table.columns[column_name]
    if value is None:
        if not column.nullable and not column.primary_key:
            raise ValueError("is required")
        if column.primary_key:
            raise ValueError("is required (a key)")
        return None
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):  # e.g. SQLModel's UTCDateTime over DateTime(timezone=True)
        kind = kind.impl_instance
    if isinstance(kind, sa.DateTime):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not an ISO timestamp")
        parsed = datetime.fromisoformat(value)
        return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed).astimezone(UTC)
    if isinstance(kind, sa.Date):
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)")
        return date.fromisoformat(value)
    if isinstance(kind, sa.Time):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not an ISO time")
        return time.fromisoformat(value)
    if isinstance(kind, sa.Boolean):
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not true or false")
        return value
    if isinstance(kind, sa.Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not a whole number")
        if not -(2**63) <= value < 2**63:  # what a database integer holds
            raise ValueError(f"{value} is out of range")
        return value
    if isinstance(kind, sa.String):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        if kind.length is not None and len(value) > kind.length:
            raise ValueError(f"is longer than {kind.length} characters")
        if _SURROGATE.search(value):  # a lone surrogate ("\ud800" in JSON) cannot be stored
            raise ValueError("is not Unicode text (it holds a lone surrogate)")
        return value
    return value  # pragma: no cover — every column type of tct is handled above


@contextmanager
def _snapshot_connection(db: Database) -> Iterator[Connection]:
    """One read transaction for the whole export: every table from the same instant."""
    conn = db.engine.connect()
    try:
        if not db.is_sqlite:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
    finally:
        conn.close()


@dataclass
class _Table:
    """What an export reads of a table: its name, its columns in the table's order, its primary key,
    and the kind of each column (int, bool, date, datetime, time or text), which decides how a value
    is written and whether it is searched for denouncers' values. `source` is the SQLAlchemy table
    when the models were loaded."""
    name: str
    columns: list[str]
    key: list[str]
    kinds: dict[str, str]
    source: Any = None


def _described(table: Table) -> _Table:
    import sqlalchemy as sa

    kinds = {}
    for column in table.columns:
        kind = column.type.impl_instance if isinstance(column.type, sa.TypeDecorator) else column.type
        kinds[column.name] = ("datetime" if isinstance(kind, sa.DateTime) else "date" if isinstance(kind, sa.Date)
                              else "time" if isinstance(kind, sa.Time) else "bool" if isinstance(kind, sa.Boolean)
                              else "int" if isinstance(kind, sa.Integer) else "text")
    return _Table(table.name, [column.name for column in table.columns],
                  [column.name for column in table.primary_key.columns], kinds, table)


_DECLARED = {"DATETIME": "datetime", "TIMESTAMP": "datetime", "DATE": "date", "TIME": "time", "BOOLEAN": "bool",
             "INTEGER": "int", "BIGINT": "int", "SMALLINT": "int"}


def _sqlite_described(con: sqlite3.Connection, name: str) -> _Table:
    """A table as SQLite declares it (the types the migrations gave its columns)."""
    info = con.execute(f'PRAGMA table_info("{name}")').fetchall()  # cid, name, type, notnull, default, pk
    kinds = {row[1]: _DECLARED.get(row[2].split("(")[0].strip().upper(), "text") for row in info}
    key = [row[1] for row in sorted((row for row in info if row[5]), key=lambda row: row[5])]
    return _Table(name, [row[1] for row in info], key, kinds)


class _Snapshot:
    """One read transaction over the register, through SQLAlchemy or, for a plain SQLite register,
    the sqlite3 module alone (`tct export` then starts without SQLAlchemy, a third of a second)."""

    def __init__(self, conn: Connection | None = None, con: sqlite3.Connection | None = None) -> None:
        self.conn, self.con = conn, con
        self.sqlite = con is not None or (conn is not None and conn.dialect.name == "sqlite")
        self._dialect: Any = conn.dialect if conn is not None else None
        self._processors: dict[tuple[str, str], Any] = {}

    def rows(self, statement: str, params: dict[str, Any] | None = None) -> list[Any]:
        if self.con is not None:
            return self.con.execute(statement, params or {}).fetchall()
        from sqlalchemy import text

        assert self.conn is not None
        return list(self.conn.execute(text(statement), params or {}).all())

    def tables(self) -> list[_Table]:
        if self.con is not None:
            from tct.db import TABLE_NAMES

            return [_sqlite_described(self.con, name) for name in TABLE_NAMES]
        return [_described(table) for table in _tables()]

    @contextmanager
    def cursor(self, query: str) -> Iterator[Any]:
        """The driver's own cursor over `query` in the snapshot's transaction: sqlite3 reads rows as
        they are fetched; psycopg needs a named (server-side) cursor not to load the whole result."""
        if self.con is not None:
            cursor = self.con.cursor()
        else:
            assert self.conn is not None
            driver = self.conn.connection.driver_connection
            assert driver is not None
            if self.sqlite:
                cursor = driver.cursor()
            else:
                cursor = driver.cursor(name="tct_export")
                cursor.itersize = _BATCH
        try:
            cursor.execute(query)
            yield cursor
        finally:
            cursor.close()

    def processor(self, table: _Table, column: str) -> Any:
        """SQLAlchemy's reading of a column's stored values (None: they are read as they are). Without
        the models loaded it is built when first needed: only for a value off the fast paths."""
        key = (table.name, column)
        if key not in self._processors:
            source = table.source
            if source is None:
                from sqlmodel import SQLModel

                import tct.models  # noqa: F401 — the tables of SQLModel.metadata

                source = SQLModel.metadata.tables[table.name]
            if self._dialect is None:
                from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

                self._dialect = SQLiteDialect_pysqlite()
            self._processors[key] = source.columns[column].type._cached_result_processor(self._dialect, None)
        return self._processors[key]


@contextmanager
def _snapshot(db: Database | Path) -> Iterator[_Snapshot]:
    """One read transaction for the whole export: every table from the same instant. A path is an
    SQLite register at this tct's schema (tct.db.sqlite_register), read with the sqlite3 module."""
    if not isinstance(db, Path):
        try:
            with _snapshot_connection(db) as conn:
                yield _Snapshot(conn=conn)
        finally:
            gc.unfreeze()
        return
    from tct.db import translate_db_error

    try:
        con = sqlite3.connect(db, timeout=15, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate_db_error(exc, str(db)) from None
    try:
        con.execute("PRAGMA query_only = ON")
        con.execute("BEGIN")
        yield _Snapshot(con=con)
    except sqlite3.Error as exc:
        raise translate_db_error(exc, str(db)) from None
    finally:
        con.close()
        gc.unfreeze()


def _read_tables(conn: Connection, tables: list[Table], progress: Progress | None = None
                 ) -> dict[str, list[dict[str, Any]]]:
    from sqlalchemy import select

    data: dict[str, list[dict[str, Any]]] = {}
    for number, table in enumerate(tables, start=1):
        query = select(table).order_by(*table.primary_key.columns)
        data[table.name] = [{key: _plain(value) for key, value in row._mapping.items()}
                            for row in conn.execute(query)]
        if progress:
            progress(number, len(tables))
    return data


# --- denouncers' identities -------------------------------------------------------------------

def protected_citizens(data: dict[str, list[dict[str, Any]]]) -> set[int]:
    """Ids of the citizens whose identity an export withholds (see the module's rule)."""
    denunciation_cases = {row["id"] for row in data.get("cases", []) if row.get("type") == DENUNCIATION}
    protected = {row["citizen_id"] for row in data.get("cases", [])
                 if row.get("type") == DENUNCIATION and row.get("citizen_id") is not None}
    for row in data.get("visit", []):
        if row.get("type") == DENUNCIATION or row.get("case_id") in denunciation_cases:
            protected.add(row["citizen_id"])
    return protected


_IDENTITY = ("name", "name_folded", "id_number", "address", "address_folded", "phone", "locality")
_SECRET_KEYS = ("name", "name_folded", "id_number", "address", "address_folded", "phone")
# Between the cells of a column, searched as one text. A cell may hold it too: a match across two
# cells is then looked for in the cell it starts in, and not found there, so nothing changes.
_CELL_BREAK = "\x00"


class _Secrets:
    """The protected citizens' identity values, and where a text holds them.

    An Aho–Corasick automaton (ahocorasick-rs, over the `aho-corasick` crate that ripgrep uses)
    finds in one pass over a batch's text every place where a value's first _ANCHOR characters
    are; each such place is then checked for the whole value. The cost follows the text, not the
    number of values, and for a register of a million visits (~220,000 values) the automaton takes
    about 30 MB (whole values would take 40 MB, and over 100 MB while it is built).

    A value's form escaped for JSON with ensure_ascii (\\uXXXX) can only be in a text holding "\\u",
    which tct never writes itself: the automaton for those forms is built when such a text first
    comes.
    """

    def __init__(self, secrets: set[str]) -> None:
        self.plain = [secret for secret in secrets if "\\u" not in secret]
        self.escaped = [secret for secret in secrets if "\\u" in secret]
        # Values that a replacement can newly make appear beside or inside a placeholder are tried
        # on every cell that is changed.
        self.always = [secret for secret in secrets if ("[" in secret or "]" in secret or secret in PLACEHOLDER)
                       and _overlaps(secret, PLACEHOLDER)]
        # Whether a value could be part of a date or time as exported (ISO 8601: digits in runs of
        # at most six, and - : . T +); an ID or phone number cannot, so dates are rarely searched.
        self.in_dates = any(_ISO_TEXT.fullmatch(secret) and not _LONG_DIGITS.search(secret) for secret in self.plain)
        self._plain = _Finder(self.plain)
        self._escaped: _Finder | None = None
        self.whole = set(self.plain)  # a cell that is one of them is withheld whole, without a search

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        """(where it starts, the value) for every occurrence of every value in `text`."""
        found = self._plain.occurrences(text)
        if self.escaped and "\\u" in text:
            if self._escaped is None:
                self._escaped = _Finder(self.escaped)
            found += self._escaped.occurrences(text)
        return found


_REPEATS = 4  # a column is remembered while its values come on average this often in a batch
_CLEAN_KEPT = 4096  # values remembered clean per column at most
_ISO_TEXT = re.compile(r"[0-9:.T+-]*")
_LONG_DIGITS = re.compile(r"[0-9]{7}")
_ANCHOR = 24  # characters of a value the automaton looks for (see _Secrets)


class _Finder:
    """Where a text holds any of some sorted values (see _Secrets)."""

    def __init__(self, values: list[str]) -> None:
        from array import array

        self.values = values = sorted(values)  # values that begin alike are neighbours
        anchors: list[str] = []
        self.first = array("q")  # the number of the first value of each anchor, then len(values)
        for number, value in enumerate(values):
            anchor = value[:_ANCHOR]
            if not anchors or anchors[-1] != anchor:
                anchors.append(anchor)
                self.first.append(number)
        self.first.append(len(values))
        # The value an anchor is whole and alone for (most names and numbers), found without a check.
        first = self.first
        self.whole: list[str | None] = [values[first[number]] if first[number + 1] - first[number] == 1
                                        and len(values[first[number]]) <= _ANCHOR else None
                                        for number in range(len(anchors))]
        self.automaton: Any = None
        if anchors:
            import ahocorasick_rs

            contiguous = ahocorasick_rs.Implementation.ContiguousNFA  # the least memory, and fast
            self.automaton = ahocorasick_rs.AhoCorasick(anchors, implementation=contiguous)

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        """(where it starts, the value) for each occurrence. The text holds no lone surrogate (the
        drivers cannot store one, and import refuses them): the automaton would refuse it."""
        if self.automaton is None:
            return []
        hits = self.automaton.find_matches_as_indexes(text, overlapping=True)
        if not hits:
            return []
        whole = self.whole
        found = [(start, whole[anchor]) for anchor, start, _ in hits if whole[anchor] is not None]
        if len(found) < len(hits):
            values, first, startswith = self.values, self.first, text.startswith
            for anchor, start in [(anchor, start) for anchor, start, _ in hits if whole[anchor] is None]:
                found += [(start, value) for value in values[first[anchor]:first[anchor + 1]]
                          if startswith(value, start)]
        return found


def _longest_first(secret: str) -> tuple[int, str]:
    """The order values are replaced in: a value inside a longer one goes with it; equal lengths in
    a fixed order."""
    return -len(secret), secret


def _overlaps(secret: str, placeholder: str) -> bool:
    """Whether `secret` could be found across a placeholder and the text beside it."""
    if len(secret) > len(placeholder) and placeholder[0] not in secret and placeholder[-1] not in secret:
        return False
    if secret in placeholder or placeholder in secret:
        return True
    return any(secret.endswith(placeholder[:size]) or secret.startswith(placeholder[-size:])
               for size in range(1, min(len(secret), len(placeholder)) + 1))


@dataclass
class _Withholding:
    """What an export without `reveal` needs before its first row: who is protected, and their values."""
    protected: set[Any]
    denunciation_cases: set[int]
    secrets: _Secrets

    def masker(self, table: _Table, columns: list[str]) -> Callable[[list[Any]], None]:
        """A function that withholds the identities in one batch in place (a flat list of the
        `columns`' values, a row after another)."""
        at = {name: index for index, name in enumerate(columns)}
        width = len(columns)
        protected, denunciation_cases, secrets = self.protected, self.denunciation_cases, self.secrets
        always = set(secrets.always)
        whole = secrets.whole
        own = [(at[key], PLACEHOLDER if key in ("name", "name_folded") else None) for key in _IDENTITY if key in at]
        citizen, visit = table.name == "citizen", table.name == "visit"
        key = at.get("id")
        if visit:
            representatives, kind, case = at["representatives"], at["type"], at["case_id"]
        # The columns whose export values can hold a value: text, and dates and times (exported as
        # ISO text) unless no value could be part of one.
        searched = {"text", "date", "datetime", "time"} if secrets.in_dates else {"text"}
        textual = [index for index, name in enumerate(columns) if table.kinds[name] in searched]
        # Per column, values already searched and found clean, for the columns whose values repeat
        # (statuses, kinds, actors, a content picked from a list): a batch holding only those is
        # not searched again.
        clean: list[set[Any] | None] = [set() for _ in columns]

        def mask(values: list[Any]) -> None:
            size = len(values)
            if citizen:
                for base in range(0, size, width):
                    if values[base + key] in protected:
                        for index, value in own:
                            values[base + index] = value
            elif visit:
                for base in range(0, size, width):
                    if values[base + representatives] and (
                            values[base + kind] == DENUNCIATION or values[base + case] in denunciation_cases):
                        values[base + representatives] = PLACEHOLDER
            # A column's cells are searched as one text; only the cells an occurrence starts in are
            # then looked at, a value at a time.
            for index in textual:
                column = values[index::width]
                known = clean[index]
                if known and known.issuperset(column):
                    continue
                if not always and not whole.isdisjoint(column):  # cells that are a value: names, mostly
                    column = [PLACEHOLDER if value in whole else value for value in column]
                    values[index::width] = column
                found = secrets.occurrences(_CELL_BREAK.join(map(str, column)))  # None as "None", skipped below
                if not found:
                    if known is not None:
                        distinct = set(column)
                        if len(distinct) * _REPEATS > len(column):  # values of their own: not remembered
                            clean[index] = None
                        elif len(known) + len(distinct) <= _CLEAN_KEPT:
                            known |= distinct
                    continue
                ends = list(map(add, accumulate(map(len, map(str, column))), count(1)))  # past a cell and its break
                held_by: dict[int, list[str]] = {}
                for row, (_, secret) in zip([bisect_right(ends, start) for start, _ in found], found, strict=True):
                    held_by.setdefault(row, []).append(secret)
                for row, held in held_by.items():
                    value = column[row]
                    if value.__class__ is not str or value == PLACEHOLDER:
                        continue
                    if len(held) == 1 and not always:
                        value = value.replace(held[0], PLACEHOLDER)
                    else:
                        for secret in sorted({*held, *always}, key=_longest_first):
                            if secret in value:
                                value = value.replace(secret, PLACEHOLDER)
                    values[row * width + index] = value

        return mask


def _protected(snap: _Snapshot) -> tuple[set[Any], set[int]]:
    """Who is protected (the module's rule, in SQL), and the ids of the denunciation cases."""
    kind = {"kind": DENUNCIATION}
    denunciation_cases = {row[0] for row in snap.rows("SELECT id FROM cases WHERE type = :kind", kind)}
    protected = {row[0] for row in snap.rows(_PROTECTED_IDS, kind)}
    return protected, denunciation_cases


_PROTECTED_IDS = ("SELECT citizen_id FROM cases WHERE type = :kind AND citizen_id IS NOT NULL UNION "
                  "SELECT citizen_id FROM visit WHERE type = :kind OR case_id IN "
                  "(SELECT id FROM cases WHERE type = :kind)")


def _withholding(snap: _Snapshot, protected: set[Any], denunciation_cases: set[int]) -> _Withholding | None:
    """What withholding needs, read before the first row; None when nobody is protected."""
    if not protected:
        return None
    secrets: set[str] = set()
    from json.encoder import encode_basestring, encode_basestring_ascii

    from tct.db import IDS_AT_ONCE

    columns = ", ".join(f'"{key}"' for key in _SECRET_KEYS)
    # By the ids already found, a few hundred at a time: _PROTECTED_IDS again would read every visit
    # a second time (a second of a 1,000,000-visit register's export, in each of its processes).
    ids = sorted(int(citizen_id) for citizen_id in protected)
    rows = [row for at in range(0, len(ids), IDS_AT_ONCE) for row in snap.rows(
        f"SELECT {columns} FROM citizen WHERE id IN ({', '.join(map(str, ids[at:at + IDS_AT_ONCE]))})")]
    for row in rows:
        for value in row:
            if isinstance(value, str) and len(value.strip()) >= _MIN_SCRUB:
                secrets.add(value)
                if not (value.isascii() and value.isprintable()) or '"' in value or "\\" in value:
                    # (json.dumps' own C functions for a string, without its wrapper per value)
                    secrets.add(encode_basestring(value)[1:-1])  # as it appears inside JSON text
                    secrets.add(encode_basestring_ascii(value)[1:-1])  # and inside JSON written with ensure_ascii
    return _Withholding(protected, denunciation_cases, _Secrets(secrets))


# --- reading rows -----------------------------------------------------------------------------

_BATCH = 2000  # rows fetched, converted and written at a time: memory stays flat whatever the register's size


Converter = tuple[int, Callable[[Any], Any], Callable[[list[Any]], list[Any] | None] | None]


def _converters(table: _Table, columns: list[str], snap: _Snapshot) -> list[Converter]:
    """For each column whose driver values are not already export values: its index, a converter of
    one value, and on SQLite a converter of a batch's whole column (None when a value is off its
    fast path: the column is then converted value by value).

    Each converter gives exactly what the column's SQLAlchemy type and `_plain` give, with a fast
    path for the text SQLite stores (dates, times and timestamps as SQLAlchemy writes them)."""
    found: list[Converter] = []
    for index, name in enumerate(columns):
        kind = table.kinds[name]
        if kind not in ("datetime", "date", "time", "bool"):
            continue

        def exact(value: Any, name: str = name) -> Any:
            process = snap.processor(table, name)
            return _plain(process(value) if process else value)

        if snap.sqlite and kind == "datetime":
            found.append((index, _sqlite_timestamp(exact), _timestamp_column))
        elif snap.sqlite and kind == "time":
            found.append((index, _sqlite_time(exact), _time_column))
        elif snap.sqlite and kind == "date":
            found.append((index, _sqlite_date(exact), _date_column))
        elif snap.sqlite and kind == "bool":
            found.append((index, lambda value: None if value is None else bool(value), _bool_column))
        elif kind != "bool" or snap.processor(table, name):
            found.append((index, lambda value, exact=exact: None if value is None else exact(value), None))
    return found


# A batch's column at once, by the C code of str and re, when every value has the form SQLAlchemy
# writes: the same strings as the value-by-value fast paths below give, at a fraction of the cost.
_STAMPS = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?\x00)*")
_TIMES = re.compile(r"(?:[0-9]{2}:[0-9]{2}:[0-9]{2}\.000000\x00)*")
_DAYS = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}\x00)*")
_BOOLEANS = {0: False, 1: True, None: None}


def _joined(column: list[Any]) -> str | None:
    """The column's values, each ended by NUL; None if one is not text."""
    try:
        return "\x00".join(column) + "\x00"
    except TypeError:
        return None


def _nulls_kept(convert: Callable[[list[Any]], list[Any] | None]) -> Callable[[list[Any]], list[Any] | None]:
    """`convert` of a column's values that are not NULL, the NULLs left where they are."""
    def column_of(column: list[Any]) -> list[Any] | None:
        if None not in column:
            return convert(column)
        present = [value for value in column if value is not None]
        if not present:
            return column
        converted = convert(present)
        if converted is None:
            return None
        if converted is present:  # unchanged
            return column
        values = iter(converted)
        return [None if value is None else next(values) for value in column]
    return column_of


@_nulls_kept
def _timestamp_column(column: list[Any]) -> list[Any] | None:
    text = _joined(column)
    if text is None or not _STAMPS.fullmatch(text):
        return None
    return text.replace(" ", "T").replace(".000000\x00", "\x00").replace("\x00", "+00:00\x00").split("\x00")[:-1]


@_nulls_kept
def _time_column(column: list[Any]) -> list[Any] | None:
    text = _joined(column)
    if text is None or not _TIMES.fullmatch(text):
        return None
    return text.replace(".000000\x00", "\x00").split("\x00")[:-1]


@_nulls_kept
def _date_column(column: list[Any]) -> list[Any] | None:
    text = _joined(column)
    return column if text is not None and _DAYS.fullmatch(text) else None


def _bool_column(column: list[Any]) -> list[Any] | None:
    try:
        return list(map(_BOOLEANS.__getitem__, column))
    except (KeyError, TypeError):
        return None


def _sqlite_timestamp(exact: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:  # "2021-02-09 16:30:00.123456" → "2021-02-09T16:30:00.123456+00:00"
        if value.__class__ is str and value[10:11] == " ":
            if len(value) == 26 and value[19] == ".":
                if value.endswith(".000000"):
                    return f"{value[:10]}T{value[11:19]}+00:00"
                return f"{value[:10]}T{value[11:]}+00:00"
            if len(value) == 19 and value[13] == ":":  # written without microseconds
                return f"{value[:10]}T{value[11:]}+00:00"
        return None if value is None else exact(value)
    return convert


def _sqlite_time(exact: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:  # "07:30:00.000000" → "07:30:00"
        if value.__class__ is str and len(value) == 15 and value[8] == "." and value.endswith(".000000"):
            return value[:8]
        return None if value is None else exact(value)
    return convert


def _sqlite_date(exact: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value.__class__ is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
            return value
        return None if value is None else exact(value)
    return convert


def _stream_rows(snap: _Snapshot, table: _Table, columns: list[str], withholding: _Withholding | None,
                 ids: tuple[int | None, int | None] = (None, None)) -> Iterator[list[Any]]:
    """The table's rows in primary-key order as export values (identities withheld), a batch at a
    time: each batch one flat list, the `columns`' values of its first row, then of the next…

    The rows come from the driver a batch at a time (a server-side cursor on PostgreSQL), as plain
    tuples: no row objects, and never all rows at once. `ids`: only the rows of ids from the first
    up to (not including) the second, where given (a table with an integer key `id`)."""
    from itertools import chain

    quoted = ", ".join(f'"{name}"' for name in columns)
    order = ", ".join(f'"{name}"' for name in table.key)
    converters = _converters(table, columns, snap)
    mask = withholding.masker(table, columns) if withholding else None
    width = len(columns)
    since, before = ids
    where = " AND ".join(([f'"id" >= {int(since)}'] if since is not None else []) +
                         ([f'"id" < {int(before)}'] if before is not None else []))
    with snap.cursor(f'SELECT {quoted} FROM "{table.name}"{" WHERE " + where if where else ""} '
                     f'ORDER BY {order}') as cursor:
        while part := cursor.fetchmany(_BATCH):
            values = list(chain.from_iterable(part))
            for index, convert, whole_column in converters:
                column = values[index::width]
                converted = whole_column(column) if whole_column else None
                if converted is None:
                    values[index::width] = map(convert, column)
                elif converted is not column:
                    values[index::width] = converted
            if mask:
                mask(values)
            yield values


# --- export -----------------------------------------------------------------------------------

def snapshot(db: Database | Path, *, reveal: bool = False, progress: Progress | None = None
             ) -> tuple[dict[str, Any], int]:
    """The register as one export document in memory, and how many citizens' identities it withholds.

    For tests and small registers: `export` writes the same document without holding it."""
    data: dict[str, list[dict[str, Any]]] = {}
    with _snapshot(db) as snap:
        tables = snap.tables()
        protected, denunciation_cases = _protected(snap)
        withholding = None if reveal else _withholding(snap, protected, denunciation_cases)
        for number, table in enumerate(tables, start=1):
            columns = table.columns
            data[table.name] = [dict(zip(columns, row, strict=True))
                                for values in _stream_rows(snap, table, columns, withholding)
                                for row in _rows_of(values, len(columns))]
            if progress:
                progress(number, len(tables))
        schema = snap.rows("SELECT version_num FROM alembic_version")[0][0]
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema": str(schema),
                "identities": "revealed" if reveal else "withheld", "tables": data}
    return document, 0 if reveal else len(protected)


def _rows_of(values: list[Any], width: int) -> Iterator[tuple[Any, ...]]:
    """A batch's flat list of values as rows of `width` values."""
    return zip(*[iter(values)] * width, strict=True)


def to_bytes(document: dict[str, Any]) -> bytes:
    """The one serialisation of an export: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


class _Export:
    """One export being written: the snapshot's connection, who is protected, and the counts so far."""

    def __init__(self, snap: _Snapshot, *, reveal: bool, progress: Progress | None) -> None:
        self.snap = snap
        self.protected, denunciation_cases = _protected(snap)
        self.withholding = None if reveal else _withholding(snap, self.protected, denunciation_cases)
        self.schema = str(snap.rows("SELECT version_num FROM alembic_version")[0][0])
        self.identities = "revealed" if reveal else "withheld"
        self.tables = snap.tables()
        self.counts = {table.name: 0 for table in self.tables}
        self.progress = progress
        self.done = 0
        # What lives through the export (the protected citizens' values: hundreds of thousands of
        # objects in a large register) is left out of the cycle collector's sweeps, which every
        # batch's garbage would otherwise trigger over and over; _snapshot gives it back.
        gc.freeze()

    def rows(self, table: _Table, columns: list[str], ids: tuple[int | None, int | None] = (None, None)
             ) -> Iterator[list[Any]]:
        """The table's batches (see _stream_rows), counted."""
        for values in _stream_rows(self.snap, table, columns, self.withholding, ids):
            self.counts[table.name] += len(values) // len(columns)
            yield values
        self.done += 1
        if self.progress:
            self.progress(self.done, len(self.tables))


# A batch is written by orjson as a list of rows, each a dict of the columns in sorted order, with
# two-space indent: the rows to_bytes lays out at 6 spaces, once each line is indented 4 more (a
# string in JSON holds no line break). orjson escapes a string exactly as json.dumps with
# ensure_ascii=False does (tests/test_exchange.py checks it), but writes a float otherwise (1e-05
# as 0.00001): a batch holding a float (a value written around tct: no column of tct is REAL), or
# anything orjson refuses, goes through json's C encoder instead — one flat list with a separator no
# encoded value holds (JSON escapes control characters inside strings), split into the values and
# interleaved with each column's key.
_SEPARATOR = "\x1f"
_FLAT_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(_SEPARATOR, ":"))
_ROW_START = "\n      {\n        "
_KEY_BREAK = ",\n" + " " * 8
_ROW_END = "\n      }"
_DEEPER = b"\n    "


def _batch_json(values: list[Any], columns: list[str], keys: list[str]) -> bytes:
    """A batch's rows (a flat list, see _stream_rows) as the document's text: each row opened on a
    line of its own and closed, the rows separated by commas."""
    import orjson

    width = len(columns)
    if float not in set(map(type, values)):
        try:
            rows = list(map(dict, map(zip, repeat(columns), _rows_of(values, width))))  # (no loop in Python)
            return orjson.dumps(rows, option=orjson.OPT_INDENT_2)[1:-2].replace(b"\n", _DEEPER)
        except orjson.JSONEncodeError:
            pass
    from itertools import chain, cycle

    pieces = _FLAT_ENCODER.encode(values)[1:-1].split(_SEPARATOR)
    text = "".join(chain.from_iterable(zip(cycle(keys), pieces)))
    return (text[len(_ROW_END) + 1:] + _ROW_END).encode()


def _write_json(export: _Export, out: Callable[[bytes], Any]) -> None:
    """Write the document to_bytes would give, a batch of rows at a time."""
    out(_json_head(export))
    _write_json_tables(export, [_Part(table) for table in sorted(export.tables, key=lambda table: table.name)],
                       out, first=True)
    out(_JSON_END)


_JSON_END = b"\n  }\n}\n"


def _json_head(export: _Export) -> bytes:
    head = {"format": FORMAT, "format_version": FORMAT_VERSION, "identities": export.identities,
            "schema": export.schema}
    return ("{\n" + "".join(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n"
                            for key, value in head.items()) + '  "tables": {').encode()


@dataclass
class _Part:
    """A table of the document, or the rows of some of its ids when two processes share it: the
    part with its first rows opens the table's array, the part with its last rows closes it."""

    table: _Table
    since: int | None = None  # (None: from its first row)
    before: int | None = None  # (None: to its last row)


def _write_json_tables(export: _Export, parts: list[_Part], out: Callable[[bytes], Any], *, first: bool) -> None:
    """The `tables` entries of the document for these parts, in order; `first`: the first entry of
    all (no comma before it)."""
    for number, part in enumerate(parts):
        table = part.table
        columns = sorted(table.columns)
        keys = [f"{_KEY_BREAK if index else _ROW_END + ',' + _ROW_START}{json.dumps(name, ensure_ascii=False)}: "
                for index, name in enumerate(columns)]
        empty = part.since is None  # a part that continues a table follows rows already written
        if empty:
            out(f'{"" if first and not number else ","}\n    {json.dumps(table.name, ensure_ascii=False)}: ['
                .encode())
        for values in export.rows(table, columns, (part.since, part.before)):
            text = _batch_json(values, columns, keys)
            out(text if empty else b"," + text)
            empty = False
        if part.before is None:
            out(b"]" if empty else b"\n    ]")


# --- a big register's JSON written by two processes ------------------------------------------

# A smaller register is exported by one process: there a fork costs about what it saves (by hand on
# a 2-core machine, a fifth of the time saved at the bench's 10,000 visits, 22 MB; nothing at 5 MB).
TWO_PROCESSES_MIN_BYTES = 8 << 20
_LOCK_WAIT_S = 2.0  # for the write lock that starts both snapshots together; past this one process exports


def _two_processes_worth_it(db: Database | Path) -> bool:
    from tct import forking

    try:
        return (isinstance(db, Path) and forking.available() and db.stat().st_size >= TWO_PROCESSES_MIN_BYTES)
    except OSError:
        return False


def _write_json_in_two(db: Path, output: Path, handle: BinaryIO, *, reveal: bool, progress: Progress | None
                       ) -> _Export | None:
    """The document of _write_json, its rows shared with a second process (tct.forking): this one
    writes the first half (_halves) to `handle`, the other the rest into a private file beside
    `output`, which is then appended. Both read the same snapshot: their read transactions begin
    while this process holds the write lock, so nothing can be committed between them. None
    (nothing written) when the write lock cannot be had soon (read-only, or a long write under
    way): one process exports it then."""
    from tct.db import create_private_file, translate_db_error
    from tct.forking import SecondProcess

    part = output.with_name(f".{output.name}.{os.getpid()}.part")
    part.unlink(missing_ok=True)
    create_private_file(part)
    try:
        with SecondProcess(lambda channel: _export_part(db, part, channel, reveal=reveal),
                           lost="the second process of the export stopped before the end; nothing was exported"
                           ) as helper:
            try:
                lock = sqlite3.connect(db, timeout=_LOCK_WAIT_S, isolation_level=None)
            except sqlite3.Error as exc:
                raise translate_db_error(exc, str(db)) from None
            try:
                # The weights first, before the lock (estimates; milliseconds, yet not under the lock)
                tables = sorted(_Snapshot(con=lock).tables(), key=lambda table: table.name)
                weights = [_document_bytes(_Snapshot(con=lock), table) for table in tables]
                try:
                    lock.execute("BEGIN IMMEDIATE")
                except sqlite3.Error:  # read-only, or a long write under way: not worth waiting for
                    helper.send(None)  # (it ends)
                    return None
                with _snapshot(db) as snap:
                    # the cut from this snapshot's ids (a roster's shifts can be deleted in between)
                    mine, theirs = _halves(snap, tables, weights)
                    helper.send([(part.table.name, part.since, part.before) for part in theirs])
                    helper.receive()  # its transaction has begun too
                    lock.execute("ROLLBACK")  # (other desks may write again)
                    export = _Export(snap, reveal=reveal, progress=progress)
                    handle.write(_json_head(export))
                    _write_json_tables(export, mine, handle.write, first=True)
                    counts = helper.receive()
                for name, count in counts.items():
                    export.counts[name] += count
                _append(part, handle)
                handle.write(_JSON_END)
                if progress:
                    progress(len(tables), len(tables))
                return export
            finally:
                lock.close()
    finally:
        part.unlink(missing_ok=True)


def _append(part: Path, handle: BinaryIO) -> None:
    """The part's bytes at the end of `handle`, copied by the kernel where it can."""
    handle.flush()
    with part.open("rb") as theirs:
        size, copied = os.fstat(theirs.fileno()).st_size, 0
        try:
            while copied < size:
                done = os.copy_file_range(theirs.fileno(), handle.fileno(), size - copied)
                if not done:
                    break  # (a file system that copies nothing this way: the rest by hand)
                copied += done
        except (AttributeError, OSError):  # no copy_file_range (not Linux), or not between these files
            pass
        handle.seek(0, os.SEEK_END)  # (the file object learns where the kernel left the end)
        theirs.seek(copied)
        shutil.copyfileobj(theirs, handle, _FILE_BUFFER)


def _halves(snap: _Snapshot, tables: list[_Table], weights: list[int]) -> tuple[list[_Part], list[_Part]]:
    """The document's tables in two runs of about equal work (`weights`: _document_bytes), the
    table at the middle cut between two of its ids in the snapshot, when it has an integer key
    `id`: each half of it then holds one row at least."""
    half, running = sum(weights) / 2, 0
    for index, (table, weight) in enumerate(zip(tables, weights, strict=True)):
        if running + weight <= half:
            running += weight
            continue
        first, last = (None, None)
        if table.key == ["id"]:
            first, last = snap.rows(f'SELECT min("id"), max("id") FROM "{table.name}"')[0]
        if first is None or last is None or last <= first:  # cut between tables
            cut = index + 1 if running + weight - half < half - running else index
            cut = min(max(cut, 1), len(tables) - 1)
            return [_Part(t) for t in tables[:cut]], [_Part(t) for t in tables[cut:]]
        share = (half - running) / weight  # of the table's ids, spread evenly enough over its rows
        middle = min(max(first + 1, first + round(share * (last - first))), last)
        return ([_Part(t) for t in tables[:index]] + [_Part(table, before=middle)],
                [_Part(table, since=middle)] + [_Part(t) for t in tables[index + 1:]])
    return [_Part(t) for t in tables[:-1]], [_Part(tables[-1])]


def _document_bytes(snap: _Snapshot, table: _Table) -> int:
    """About how many bytes the table takes in the document: its rows (the highest rowid: rows are
    never deleted, bar a roster's shifts) times a row's key-value lines, their values as long as in
    its last 256 rows. Milliseconds whatever the size (SQLite's dbstat reads every page: seconds for
    a large register)."""
    rows = int(snap.rows(f'SELECT max(rowid) FROM "{table.name}"')[0][0] or 0)
    if not rows:
        return 0
    values = " + ".join(f'coalesce(length("{name}"), 4)' for name in table.columns)
    average = snap.rows(f'SELECT avg({values}) FROM (SELECT * FROM "{table.name}" ORDER BY rowid DESC '
                        "LIMIT 256)")[0][0] or 0
    return round(rows * (average + sum(len(name) + 14 for name in table.columns)))


def _export_part(db: Path, part: Path, channel: Any, *, reveal: bool) -> None:
    """The second process: its parts of the document into `part`, then their row counts."""
    wanted = channel.receive()
    if wanted is None:
        return
    with _snapshot(db) as snap:
        snap.rows("SELECT 1 FROM alembic_version")
        channel.send("begun")
        export = _Export(snap, reveal=reveal, progress=None)
        by_name = {table.name: table for table in snap.tables()}
        parts = [_Part(by_name[name], since, before) for name, since, before in wanted]
        with part.open("r+b", buffering=_FILE_BUFFER) as handle:
            _write_json_tables(export, parts, handle.write, first=False)
    channel.send({name: export.counts[name] for name, _, _ in wanted})


def _csv_writer(stream: BinaryIO) -> tuple[io.TextIOWrapper, Any]:
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
    return text, csv.writer(text, lineterminator="\n")


def _write_meta(export: _Export, stream: BinaryIO) -> None:
    text, writer = _csv_writer(stream)
    writer.writerow(["key", "value"])
    for key, value in (("format", FORMAT), ("format_version", FORMAT_VERSION), ("schema", export.schema),
                       ("identities", export.identities)):
        writer.writerow([key, value])
    text.flush()
    text.detach()


def _write_table_csv(export: _Export, table: _Table, stream: BinaryIO) -> None:
    """One table as tct.render writes CSV (formula-like cells prefixed with ', booleans true/false)."""
    from tct.render import _csv_value

    columns = table.columns
    text, writer = _csv_writer(stream)
    writer.writerow(columns)
    for values in export.rows(table, columns):
        writer.writerows(_rows_of(list(map(_csv_value, values)), len(columns)))
    text.flush()
    text.detach()


def export(db: Database | Path, *, fmt: str = "json", output: Path | None = None, reveal: bool = False,
           actor: str, progress: Progress | None = None, stream: BinaryIO | None = None,
           force: bool = False) -> ExportResult:
    """Export the register, streaming: rows are read, withheld and written a batch at a time.

    JSON without `output` goes to `stream` (the CLI gives stdout), or without one is returned as
    bytes. A file is written under a temporary name and renamed when complete; an export with
    `reveal` is recorded in the audit trail once every row is read, before the file takes its name.
    An existing file, or a CSV folder with files in it, is replaced only with `force`; a database never.
    """
    from tct.render import replaceable

    if fmt not in ("json", "csv"):
        raise UsageError.said_as("err_export_format", fmt=fmt)
    if fmt == "csv" and output is None:
        raise UsageError.said_as("err_csv_needs_output")
    if output is not None:
        replaceable(output, force=force)
        folder = output.expanduser()
        if fmt == "csv" and folder.suffix.lower() != ".zip" and folder.is_dir() and not force \
                and any(folder.iterdir()):
            raise ValidationError.said_as("err_export_folder_full", folder=folder)
        _sweep_stale_parts(folder)
    result = ExportResult(path=output, format=fmt, revealed=reveal, protected_citizens=0, counts={})

    def finish(export: _Export) -> None:
        """Once every row is read (and the snapshot's transaction is over), before a file takes its name."""
        result.counts = dict(export.counts)
        result.protected_citizens = 0 if reveal else len(export.protected)
        if reveal:
            _record_reveal(db, actor=actor, fmt=fmt, output=output, citizens=len(export.protected))

    if fmt == "json" and output is None:
        # What goes to a stream is seen as it is written, so its reveal is on record before the
        # first byte: written beside the snapshot once it has begun (the document does not hold
        # it), or, when the register cannot take a write while it is read, before.
        target = io.BytesIO() if stream is None else stream
        beside = reveal and _writable_while_read(db)
        if reveal and not beside:
            with _snapshot(db) as snap:
                protected, _ = _protected(snap)
            _record_reveal(db, actor=actor, fmt=fmt, output=output, citizens=len(protected))
        with _snapshot(db) as snap:
            current = _Export(snap, reveal=reveal, progress=progress)
            if beside:
                _record_reveal(db, actor=actor, fmt=fmt, output=output, citizens=len(current.protected))
            _write_json(current, target.write)
        result.counts = dict(current.counts)
        result.protected_citizens = 0 if reveal else len(current.protected)
        if stream is None:
            result.data = target.getvalue()  # type: ignore[attr-defined]
    elif fmt == "json":
        assert output is not None
        # (an SQLite register opened with SQLAlchemy, for --reveal's audit event, is read by path too)
        path = db if isinstance(db, Path) else db.path if db.is_sqlite else None
        if path is not None and not isinstance(db, Path) and _two_processes_worth_it(path):
            db.dispose()  # no connection of this process may cross the fork (tct.forking); the audit opens one again
        with _private_output(output) as handle:
            current = (_write_json_in_two(path, output.expanduser(), handle, reveal=reveal, progress=progress)
                       if path is not None and _two_processes_worth_it(path) else None)
            if current is None:
                with _snapshot(db) as snap:
                    current = _Export(snap, reveal=reveal, progress=progress)
                    _write_json(current, handle.write)
            finish(current)
    elif output is not None and output.suffix.lower() == ".zip":
        _write_zip(db, output, reveal=reveal, progress=progress, finish=finish)
    else:
        assert output is not None
        _write_folder(db, output, reveal=reveal, progress=progress, finish=finish)
    return result


def _sweep_stale_parts(output: Path) -> None:
    """The temporary files and folders (`.NAME.PID.tmp`, `.NAME.PID.part`) an export to `output`
    killed half-way left beside it, whose process is gone (see tct.backup.sweep_stale)."""
    from tct.backup import sweep_stale

    sweep_stale(output.parent, re.compile(rf"^\.{re.escape(output.name)}\.(\d+)\.(?:tmp|part)$"))


def _writable_while_read(db: Database | Path) -> bool:
    """Whether another connection may write while the snapshot reads: PostgreSQL, or an SQLite
    file in WAL mode (tct creates them so; a backup file, in rollback-journal mode, is not)."""
    from tct.db import sqlite_in_wal_mode

    path = db if isinstance(db, Path) else db.path if db.is_sqlite else None
    return path is None or sqlite_in_wal_mode(path)


def _record_reveal(db: Database | Path, *, actor: str, fmt: str, output: Path | None, citizens: int) -> None:
    """Who saw the denouncers' identities, and where they went (recorded outside the snapshot, which
    never holds it but on a register in rollback-journal mode). A plain SQLite register (a Path)
    gets the event through the sqlite3 module, as the export read it."""
    from tct import audit
    from tct.db import plain_writing, write_session

    event = {"actor": actor, "entity": "register", "code": None, "action": "export-reveal",
             "after": {"format": fmt, "output": str(output) if output else "stdout", "protected_citizens": citizens}}
    if isinstance(db, Path):
        with plain_writing(db) as driver:
            driver.many(audit.INSERT_ROW, [audit.event_row(driver, **event)])
        return
    with write_session(db) as session:
        audit.record(session, **event)


@contextmanager
def _private_output(path: Path) -> Iterator[BinaryIO]:
    """A file mode 0600 (whatever the umask) written through a temporary name, renamed into place
    only when the body has written all of it; on any failure nothing is left behind."""
    from tct.db import create_private_file, ensure_private_folder

    path = path.expanduser()
    if path.is_dir():
        raise UsageError.said_as("err_export_output_folder", path=path)
    ensure_private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    create_private_file(temporary)
    try:
        with temporary.open("r+b", buffering=_FILE_BUFFER) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a file-size limit: one line naming the file, nothing left behind
        temporary.unlink(missing_ok=True)
        raise ValidationError.said_as("err_export_unwritable", path=path, reason=exc.strerror or str(exc)) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


_FILE_BUFFER = 1 << 18


def _write_folder(db: Database, folder: Path, *, reveal: bool, progress: Progress | None,
                  finish: Callable[[_Export], None]) -> None:
    from tct.db import ensure_private_folder

    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise UsageError.said_as("err_export_output_file", folder=folder)
    # Every file is written into a hidden folder beside the target first, and moved in only when all
    # are written: a full disk half-way leaves no partial export under the target's name.
    ensure_private_folder(folder.parent)
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        ensure_private_folder(staging)
        names = [META_FILE]
        with _snapshot(db) as snap:
            current = _Export(snap, reveal=reveal, progress=progress)
            with _private_output(staging / META_FILE) as handle:
                _write_meta(current, handle)
            for table in current.tables:
                names.append(f"{table.name}.csv")
                with _private_output(staging / names[-1]) as handle:
                    _write_table_csv(current, table, handle)
        finish(current)
        if not folder.exists():
            os.rename(staging, folder)
            return
        for name in names:
            os.replace(staging / name, folder / name)
        staging.rmdir()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


class _Zip64Needed(Exception):
    """A table's CSV came out at the size where zipfile writes zip64 headers: write the archive again
    with them for that table, as for a CSV known in advance (the same register, the same bytes)."""


def _write_zip(db: Database, path: Path, *, reveal: bool, progress: Progress | None,
               finish: Callable[[_Export], None]) -> None:
    large: set[str] = set()
    while True:
        try:
            _write_zip_once(db, path, reveal=reveal, progress=progress, finish=finish, large=large)
            return
        except _Zip64Needed as exc:
            large.add(str(exc))


def _write_zip_once(db: Database, path: Path, *, reveal: bool, progress: Progress | None,
                    finish: Callable[[_Export], None], large: set[str]) -> None:
    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the same register, the same bytes
        info.external_attr = 0o600 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with _private_output(path) as handle:
        archive = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED)
        try:
            with _snapshot(db) as snap:
                current = _Export(snap, reveal=reveal, progress=progress)
                with archive.open(entry(META_FILE), "w") as member:
                    _write_meta(current, member)
                for table in current.tables:
                    name = f"{table.name}.csv"
                    info = entry(name)
                    try:
                        with archive.open(info, "w", force_zip64=name in large) as member:
                            _write_table_csv(current, table, member)
                    except RuntimeError as exc:  # past 2 GiB without zip64 headers
                        if name in large:
                            raise
                        raise _Zip64Needed(name) from exc
                    # zipfile.writestr gives a member zip64 headers from 1/1.05 of the limit on
                    if name not in large and info.file_size * 1.05 > zipfile.ZIP64_LIMIT:
                        raise _Zip64Needed(name)
            archive.close()
        except BaseException:
            archive.fp = None  # left unclosed (closing writes a directory) in the file being discarded
            raise
        finish(current)


# --- import -----------------------------------------------------------------------------------

MAX_IMPORT_MB = 48
"""The largest JSON file `import` reads (TCT_IMPORT_MAX_MB changes it). A document is parsed whole and
every row is held while it is checked, about 5 bytes of memory per byte of file; above the limit the
file is refused before anything is read."""


def _max_import_mb() -> float:
    value = os.environ.get("TCT_IMPORT_MAX_MB", "").strip()
    try:
        megabytes = float(value) if value else MAX_IMPORT_MB
    except ValueError:
        raise UsageError(f"TCT_IMPORT_MAX_MB={value!r} is not a number of megabytes") from None
    if not 0 < megabytes < float("inf"):
        raise UsageError(f"TCT_IMPORT_MAX_MB={value!r} must be a number of megabytes above 0")
    return megabytes


def load(path: Path) -> dict[str, Any]:
    """Read an export document; a file that is not one is a one-line error with its position.

    A file above the import limit (MAX_IMPORT_MB) is refused before it is read."""
    path = path.expanduser()
    megabytes = _max_import_mb()
    limit = int(megabytes * 1024 * 1024)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            # never more than the limit, even from a pipe or a growing file
            raw = handle.read(limit + 1) if size <= limit else b""
            if size > limit or len(raw) > limit:
                size_mb = max(size, len(raw)) / (1024 * 1024)
                needed = math.ceil(size_mb) + (1 if size_mb >= 1 else 0)
                raise ValidationError.said_as("err_import_too_large", path=path, size=f"{size_mb:.2g}"
                                              if size_mb < 10 else f"{size_mb:.0f}", limit=f"{megabytes:g}",
                                              needed=needed, memory=6 * needed)
    except FileNotFoundError:
        raise ValidationError.said_as("err_import_no_file", path=path) from None
    except IsADirectoryError:
        raise ValidationError.said_as("err_import_folder", path=path) from None
    except OSError as exc:
        raise ValidationError.said_as("err_import_unreadable", path=path, reason=exc.strerror) from exc
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValidationError.said_as("err_import_not_utf8", path=path, byte=exc.start) from exc
    except json.JSONDecodeError as exc:
        raise ValidationError.said_as("err_import_not_json", path=path, line=exc.lineno, column=exc.colno,
                                      problem=exc.msg) from exc
    except RecursionError:
        raise ValidationError.said_as("err_import_too_deep", path=path) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationError.said_as("err_import_not_export", path=path, format=FORMAT)
    return document


def _header_problems(document: dict[str, Any]) -> None:
    from tct.db import SCHEMA_REVISIONS

    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise ValidationError.said_as("err_import_format_version", version=version, known=FORMAT_VERSION)
    schema = document.get("schema")
    if schema not in SCHEMA_REVISIONS:
        if isinstance(schema, str) and re.fullmatch(r"[0-9]{4}", schema) and schema > SCHEMA_REVISIONS[-1]:
            raise ValidationError.said_as("err_import_newer", schema=schema, head=SCHEMA_REVISIONS[-1])
        raise ValidationError.said_as("err_import_schema", schema=json.dumps(schema)[:40],
                                      known=", ".join(SCHEMA_REVISIONS))
    if document.get("identities") not in ("revealed", "withheld"):
        raise ValidationError.said_as("err_import_no_identities")
    if not isinstance(document.get("tables"), dict):
        raise ValidationError.said_as("err_import_no_tables")


def _convert(document: dict[str, Any], tables: list[Table]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Every row as typed values for `tables`, and every problem found (table, row number, column)."""
    problems: list[str] = []
    given = document["tables"]
    names = {table.name for table in tables}
    for extra in sorted(set(given) - names):
        problems.append(f"unknown table {extra!r}")
    converted: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        rows = given.get(table.name)
        if rows is None:
            problems.append(f"table {table.name}: missing")
            continue
        if not isinstance(rows, list):
            problems.append(f"table {table.name}: not a list of rows")
            continue
        columns = set(table.columns.keys())
        typed_rows = []
        for number, row in enumerate(rows, start=1):
            where = f"{table.name} row {number}"
            if not isinstance(row, dict):
                problems.append(f"{where}: not an object")
                continue
            missing, unknown = columns - set(row), set(row) - columns
            if missing:
                problems.append(f"{where}: missing {', '.join(sorted(missing))}")
            if unknown:
                problems.append(f"{where}: unknown column(s) {', '.join(sorted(unknown))}")
            typed = {}
            for key in columns & set(row):
                try:
                    typed[key] = _typed(table, key, row[key])
                except ValueError as exc:
                    problems.append(f"{where}: {key} {exc}")
            typed_rows.append(typed)
        converted[table.name] = typed_rows
    return converted, problems


def _meaning_problems(rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    """What the columns' types allow but tct never writes, and later commands would trip on: a
    setting of the wrong kind, a visit or case type, status, handling or kind tct does not know, a
    number of people no visit can have."""
    from tct import settings, vocab
    from tct.cases import OPEN_STATUSES, TERMINAL
    from tct.errors import TctError
    from tct.visits import MAX_PEOPLE

    problems = []
    for number, row in enumerate(rows.get("setting", []), start=1):
        where = f"setting row {number} ({row.get('key')})"
        try:
            settings.check_stored(row.get("key"), json.loads(row.get("value") or "null"))
        except TctError as exc:
            problems.append(f"{where}: {exc.message}")
        except ValueError:
            problems.append(f"{where}: value is not JSON")
    words = {"visit": {"type": tuple(vocab.VISIT_TYPES), "handling": tuple(vocab.HANDLINGS),
                       "kind": tuple(vocab.RECEPTION_KINDS)},
             "cases": {"type": tuple(vocab.VISIT_TYPES), "status": OPEN_STATUSES + TERMINAL}}
    for name, columns in words.items():
        for number, row in enumerate(rows.get(name, []), start=1):
            problems += [f"{name} row {number}: {column} {row[column]!r} is not one of {', '.join(allowed)}"
                         for column, allowed in columns.items() if column in row and row[column] not in allowed]
    for number, row in enumerate(rows.get("visit", []), start=1):
        people = row.get("people")
        if isinstance(people, int) and not 1 <= people <= MAX_PEOPLE:
            problems.append(f"visit row {number}: people {people} is not from 1 to {MAX_PEOPLE}")
    return problems + _counter_problems(rows)


def _counter_problems(rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Each year's code counter must reach the highest code of its year: a register whose counter
    is missing or behind would hand out a number already used, and the next `visit add` would fail.
    Refused rather than mended, so that what is imported is the export's rows exactly (export →
    import → export gives the same bytes) and nothing of it is changed on the way: a register that
    was exported so is mended at its source by `tct db check --repair`, then exported again."""
    counters = {(row.get("kind"), row.get("year")): row.get("last") for row in rows.get("code_counter", [])}
    problems = []
    for table, kind in (("visit", "visit"), ("cases", "case")):
        highest: dict[Any, int] = {}
        for row in rows.get(table, []):
            year, seq = row.get("year"), row.get("seq")
            if isinstance(seq, int) and seq > highest.get(year, 0):
                highest[year] = seq
        for year, seq in sorted(highest.items(), key=lambda item: str(item[0])):
            last = counters.get((kind, year))
            if not isinstance(last, int):
                problems.append(f"code_counter: no {kind} counter for {year}, whose {table} codes go up to {seq} "
                                "(mend the register exported with `tct db check --repair`, then export it again)")
            elif last < seq:
                problems.append(f"code_counter: the {kind} counter of {year} is at {last}, behind its {table} codes, "
                                f"which go up to {seq} (mend the register exported with `tct db check --repair`, "
                                "then export it again)")
    return problems


def _link_problems(rows: dict[str, list[dict[str, Any]]], tables: list[Table]) -> list[str]:
    """Rows that could not stand together in the register, each named as the others are (table,
    row number, column) rather than by the database's one "FOREIGN KEY constraint failed": a key
    (primary or unique) given twice, a reference to a row the export does not hold."""
    from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

    problems: list[str] = []
    keys: dict[tuple[str, str], set[Any]] = {}  # (a table's ids, read once for every reference to them)
    for table in tables:
        batch = rows.get(table.name) or []
        for constraint in table.constraints:
            if not isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint):
                continue
            names = [column.name for column in constraint.columns]
            first: dict[tuple[Any, ...], int] = {}
            for number, row in enumerate(batch, start=1):
                key = tuple(row.get(name) for name in names)
                if None in key:
                    continue
                if key in first:
                    said = ", ".join(f"{name} {value!r}" for name, value in zip(names, key, strict=True))
                    problems.append(f"{table.name} row {number}: {said} is row {first[key]}'s too")
                else:
                    first[key] = number
        for foreign in table.foreign_keys:
            column, target = foreign.parent.name, foreign.column
            held = keys.get((target.table.name, target.name))
            if held is None:
                held = keys[target.table.name, target.name] = {row.get(target.name)
                                                               for row in rows.get(target.table.name) or []}
            problems += [f"{table.name} row {number}: {column} {row[column]!r} points to no {target.table.name} row"
                         for number, row in enumerate(batch, start=1)
                         if row.get(column) is not None and row[column] not in held]
    return problems


def _raise_problems(problems: list[str], what: str) -> None:
    if not problems:
        return
    shown = "; ".join(problems[:_MAX_PROBLEMS])
    more = f"; and {len(problems) - _MAX_PROBLEMS} more" if len(problems) > _MAX_PROBLEMS else ""
    raise ValidationError(f"{what}: {len(problems)} problem(s): {shown}{more}; nothing was imported")


def _insert(conn: Connection, tables: list[Table], rows: dict[str, list[dict[str, Any]]],
            progress: Progress | None = None) -> None:
    for number, table in enumerate(tables, start=1):
        batch = rows.get(table.name) or []
        for start in range(0, len(batch), 1000):
            conn.execute(table.insert(), batch[start:start + 1000])
        if progress:
            progress(number, len(tables))


@contextmanager
def _scratch_engine() -> Iterator[Engine]:
    """A throw-away SQLite database in a private temporary folder, foreign keys enforced."""
    from sqlalchemy import create_engine, event

    with tempfile.TemporaryDirectory(prefix="tct-import-") as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'scratch.db'}")

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        try:
            yield engine
        finally:
            engine.dispose()


def _through_scratch(document: dict[str, Any]) -> dict[str, Any]:
    """Load the document into a scratch database at its own schema, migrate it to this tct's, and
    read it back: every constraint is checked there, and an older export comes out current."""
    import warnings

    from sqlalchemy import MetaData
    from sqlalchemy.exc import DBAPIError

    from tct.db import SCHEMA_HEAD, run_migrations
    from tct.models import ALL_TABLES

    schema = document["schema"]
    with _scratch_engine() as engine:
        with engine.begin() as conn:
            run_migrations(conn, schema)
        metadata = MetaData()
        with warnings.catch_warnings():
            # (SQLAlchemy cannot reflect the expression index of migration 0009; only tables are needed)
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            metadata.reflect(engine)
        tables = [table for table in metadata.sorted_tables if table.name in ALL_TABLES]
        rows, problems = _convert(document, tables)
        _raise_problems(problems or _link_problems(rows, tables), "the export")
        try:
            with engine.begin() as conn:
                _insert(conn, tables, rows)
                if schema != SCHEMA_HEAD:
                    run_migrations(conn, SCHEMA_HEAD)
        except DBAPIError as exc:
            raise ValidationError.said_as("err_import_rows_misfit", problem=str(exc.orig).strip()) from exc
        current = _tables()
        with engine.connect() as conn, conn.begin():
            data = _read_tables(conn, current)
    return {**document, "schema": SCHEMA_HEAD, "tables": data}


def _nonempty(db: Database) -> dict[str, int]:
    from tct.db import read_session, table_counts

    with read_session(db) as session:
        return {name: count for name, count in table_counts(session).items() if count}


def import_document(db: Database, document: dict[str, Any], *, check: bool = False,
                    progress: Progress | None = None) -> ImportResult:
    """Fill an empty register with an export, all rows or none; `check` validates without writing.

    The check loads the document into a scratch database (types, lengths, keys, foreign keys) and
    verifies the register is empty: when it passes, the real import succeeds.
    """
    from sqlalchemy.exc import DBAPIError

    from tct.db import SCHEMA_HEAD, write_session

    _header_problems(document)
    if check or document["schema"] != SCHEMA_HEAD:
        document = _through_scratch(document)
    tables = _tables()
    rows, problems = _convert(document, tables)
    _raise_problems(problems + _meaning_problems(rows) or _link_problems(rows, tables), "the export")
    counts = {table.name: len(rows.get(table.name, [])) for table in tables}
    occupied = _nonempty(db)
    if occupied:
        held = ", ".join(f"{name} {count}" for name, count in occupied.items())
        raise ValidationError.said_as("err_import_not_empty", location=db.location, held=held)
    # the denouncers, as the export counted them (a namesake of one carries the placeholder too)
    withheld = len(protected_citizens(rows)) if document["identities"] == "withheld" else 0
    result = ImportResult(counts=counts, schema=document["schema"], identities=document["identities"],
                          checked_only=check, withheld_citizens=withheld)
    if check:
        return result
    try:
        with write_session(db) as session:
            conn = session.connection()
            if _nonempty_in(conn):
                raise ValidationError.said_as("err_import_meanwhile", location=db.location)
            _insert(conn, tables, rows, progress)
            if not db.is_sqlite:
                _advance_sequences(conn, tables)
    except DBAPIError as exc:
        text = str(exc.orig).strip()
        if "locked" in text.lower():
            raise DatabaseError.said_as("err_import_locked", location=db.location) from exc
        raise ValidationError.said_as("err_import_rows_misfit", problem=text) from exc
    return result


def _nonempty_in(conn: Connection) -> bool:
    from sqlalchemy import text

    from tct.models import ALL_TABLES

    return any(conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() for name in ALL_TABLES)


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: ids were given explicitly, so move each id sequence past the highest one."""
    from sqlalchemy import text

    for table in tables:
        if "id" in table.columns and table.columns["id"].primary_key:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                              f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM \"{table.name}\""))
