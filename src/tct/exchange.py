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

Import fills an *empty* register with a JSON export, verbatim: the same ids, audit events and
code counters. It adds no audit event of its own — it is a copy of a register, not a change to
one (the copied audit trail already says who did what). A document of an older schema is loaded
into a scratch SQLite database at that schema and migrated there first.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    withheld_citizens: int = 0  # citizens that came in with the placeholder instead of their identity

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


def _withhold(data: dict[str, list[dict[str, Any]]]) -> int:
    """Replace protected citizens' identities in place; returns how many citizens were protected."""
    protected = protected_citizens(data)
    if not protected:
        return 0
    secrets: set[str] = set()
    for row in data.get("citizen", []):
        if row["id"] not in protected:
            continue
        for key in ("name", "name_folded", "id_number", "address", "address_folded", "phone"):
            value = row.get(key)
            if isinstance(value, str) and len(value.strip()) >= _MIN_SCRUB:
                secrets.add(value)
                secrets.add(json.dumps(value, ensure_ascii=False)[1:-1])  # as it appears inside JSON text
                secrets.add(json.dumps(value)[1:-1])
        for key in _IDENTITY:
            if key in row:
                row[key] = PLACEHOLDER if key in ("name", "name_folded") else None
    ordered = sorted(secrets, key=len, reverse=True)
    contains_secret = _finder(ordered)
    denunciation_cases = {row["id"] for row in data.get("cases", []) if row.get("type") == DENUNCIATION}
    for table, rows in data.items():
        for row in rows:
            if table == "citizen" and row["id"] in protected:
                continue
            if table == "visit" and row.get("representatives") and (
                    row.get("type") == DENUNCIATION or row.get("case_id") in denunciation_cases):
                row["representatives"] = PLACEHOLDER
            # One search of the row's text (cells joined by NUL, which no stored text contains) tells
            # whether any cell holds a secret; only then are its cells replaced one secret at a time.
            if not contains_secret("\x00".join(v for v in row.values() if isinstance(v, str))):
                continue
            for key, value in row.items():
                if isinstance(value, str) and value != PLACEHOLDER:
                    for secret in ordered:
                        if secret in value:
                            value = value.replace(secret, PLACEHOLDER)
                    row[key] = value
    return len(protected)


def _finder(words: list[str]) -> Callable[[str], Any]:
    """A fast test of whether a text contains any of `words`: one regular expression shaped as a
    trie of the words (a word that starts with a shorter one needs no branch of its own), so a
    search costs about the length of the text, not the number of words times it."""
    import re

    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        if "" in node:
            return ""
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    if not trie:
        return lambda _text: None
    return re.compile(pattern(trie)).search


# --- export -----------------------------------------------------------------------------------

def snapshot(db: Database, *, reveal: bool = False, progress: Progress | None = None) -> tuple[dict[str, Any], int]:
    """The register as one export document, and how many citizens' identities it withholds."""
    tables = _tables()
    with _snapshot_connection(db) as conn:
        data = _read_tables(conn, tables, progress)
        schema = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    protected = 0 if reveal else _withhold(data)
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema": str(schema),
                "identities": "revealed" if reveal else "withheld", "tables": data}
    return document, protected


def to_bytes(document: dict[str, Any]) -> bytes:
    """The one serialisation of an export: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def export(db: Database, *, fmt: str = "json", output: Path | None = None, reveal: bool = False,
           actor: str, progress: Progress | None = None) -> ExportResult:
    """Export the register; JSON without `output` is returned as bytes for the caller to write."""
    if fmt not in ("json", "csv"):
        raise UsageError(f"--format {fmt} is not an export format; use json or csv")
    if fmt == "csv" and output is None:
        raise UsageError("a CSV export is one file per table: give --output FOLDER or --output FILE.zip")
    document, protected = snapshot(db, reveal=reveal, progress=progress)
    counts = {name: len(rows) for name, rows in document["tables"].items()}
    if reveal:
        _record_reveal(db, actor=actor, fmt=fmt, output=output, citizens=len(protected_citizens(document["tables"])))
    result = ExportResult(path=output, format=fmt, revealed=reveal, protected_citizens=protected, counts=counts)
    if fmt == "json":
        payload = to_bytes(document)
        if output is None:
            result.data = payload
        else:
            write_private(output, payload)
    elif output is not None and output.suffix.lower() == ".zip":
        _write_zip(document, output)
    else:
        assert output is not None
        _write_folder(document, output)
    return result


def _record_reveal(db: Database, *, actor: str, fmt: str, output: Path | None, citizens: int) -> None:
    """Who saw the denouncers' identities, and where they went (recorded after the snapshot)."""
    from tct import audit
    from tct.db import write_session

    with write_session(db) as session:
        audit.record(session, actor=actor, entity="register", code=None, action="export-reveal",
                     after={"format": fmt, "output": str(output) if output else "stdout",
                            "protected_citizens": citizens})


def write_private(path: Path, payload: bytes) -> None:
    """Write a file mode 0600 (whatever the umask) through a temporary name and a rename."""
    from tct.db import _ensure_private_folder, create_private_file

    path = path.expanduser()
    if path.is_dir():
        raise UsageError(f"--output {path} is a folder; give a file name")
    _ensure_private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    create_private_file(temporary)
    try:
        with temporary.open("r+b") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a file-size limit: one line naming the file, nothing left behind
        temporary.unlink(missing_ok=True)
        raise ValidationError(f"cannot write {path}: {exc.strerror or exc}; nothing was exported") from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _csv_files(document: dict[str, Any]) -> dict[str, bytes]:
    from tct import render

    files: dict[str, bytes] = {}
    meta = io.StringIO()
    writer = csv.writer(meta, lineterminator="\n")
    writer.writerow(["key", "value"])
    for key in ("format", "format_version", "schema", "identities"):
        writer.writerow([key, document[key]])
    files[META_FILE] = meta.getvalue().encode("utf-8")
    for table in _tables():
        columns = [(column.name, column.name) for column in table.columns]
        buffer = io.StringIO()
        render.rows(document["tables"][table.name], columns, "csv", stream=buffer)
        files[f"{table.name}.csv"] = buffer.getvalue().encode("utf-8")
    return files


def _write_folder(document: dict[str, Any], folder: Path) -> None:
    from tct.db import _ensure_private_folder

    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--output {folder} is a file; give a folder or a name ending in .zip for CSV")
    # Every file is written into a hidden folder beside the target first, and moved in only when all
    # are written: a full disk half-way leaves no partial export under the target's name.
    _ensure_private_folder(folder.parent)
    files = _csv_files(document)
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _ensure_private_folder(staging)
        for name, payload in files.items():
            write_private(staging / name, payload)
        if not folder.exists():
            os.rename(staging, folder)
            return
        for name in files:
            os.replace(staging / name, folder / name)
        staging.rmdir()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_zip(document: dict[str, Any], path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in _csv_files(document).items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the same register, the same bytes
            info.external_attr = 0o600 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, payload)
    write_private(path, buffer.getvalue())


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
                raise ValidationError(
                    f"{path} is larger than the {megabytes:g} MB that import reads into memory; "
                    "nothing was imported. Move a register this large with `tct backup` and "
                    "`tct restore`, or set TCT_IMPORT_MAX_MB (about 5 MB of memory per MB of file)")
    except FileNotFoundError:
        raise ValidationError(f"no file {path}") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a folder; give the JSON file of `tct export`") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path} is not UTF-8 text (byte {exc.start}); give the JSON file of `tct export`") \
            from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except RecursionError:
        raise ValidationError(f"{path} nests arrays or objects too deeply; give the JSON file of `tct export`") \
            from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationError(f"{path} is not a tct export (no \"format\": \"{FORMAT}\")")
    return document


def _header_problems(document: dict[str, Any]) -> None:
    from tct.db import SCHEMA_REVISIONS

    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise ValidationError(f"export format version {version!r} is not one this tct reads ({FORMAT_VERSION})")
    schema = document.get("schema")
    if schema not in SCHEMA_REVISIONS:
        raise ValidationError(f"the export comes from schema {schema!r}, newer than this tct "
                              f"({SCHEMA_REVISIONS[-1]}); upgrade tct to import it")
    if document.get("identities") not in ("revealed", "withheld"):
        raise ValidationError("the export does not say whether identities were withheld (\"identities\")")
    if not isinstance(document.get("tables"), dict):
        raise ValidationError("the export has no \"tables\" object")


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
    from sqlalchemy import MetaData
    from sqlalchemy.exc import DBAPIError

    from tct.db import SCHEMA_HEAD, run_migrations
    from tct.models import ALL_TABLES

    schema = document["schema"]
    with _scratch_engine() as engine:
        with engine.begin() as conn:
            run_migrations(conn, schema)
        metadata = MetaData()
        metadata.reflect(engine)
        tables = [table for table in metadata.sorted_tables if table.name in ALL_TABLES]
        rows, problems = _convert(document, tables)
        _raise_problems(problems, "the export")
        try:
            with engine.begin() as conn:
                _insert(conn, tables, rows)
                if schema != SCHEMA_HEAD:
                    run_migrations(conn, SCHEMA_HEAD)
        except DBAPIError as exc:
            raise ValidationError(f"the export's rows do not fit together ({str(exc.orig).strip()}); "
                                  "nothing was imported") from exc
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
    _raise_problems(problems, "the export")
    counts = {table.name: len(rows.get(table.name, [])) for table in tables}
    occupied = _nonempty(db)
    if occupied:
        held = ", ".join(f"{name} {count}" for name, count in occupied.items())
        raise ValidationError(f"the register {db.location} is not empty ({held}); import only fills an empty "
                              "register: give a new --db, or use `tct restore` to replace a register")
    withheld = sum(1 for row in rows.get("citizen", []) if row.get("name") == PLACEHOLDER)
    result = ImportResult(counts=counts, schema=document["schema"], identities=document["identities"],
                          checked_only=check, withheld_citizens=withheld)
    if check:
        return result
    try:
        with write_session(db) as session:
            conn = session.connection()
            if _nonempty_in(conn):
                raise ValidationError(f"the register {db.location} received data meanwhile; nothing was imported")
            _insert(conn, tables, rows, progress)
            if not db.is_sqlite:
                _advance_sequences(conn, tables)
    except DBAPIError as exc:
        text = str(exc.orig).strip()
        if "locked" in text.lower():
            raise DatabaseError(f"the database {db.location} is locked by another program past the timeout; "
                                "nothing was imported") from exc
        raise ValidationError(f"the export's rows do not fit together ({text}); nothing was imported") from exc
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
