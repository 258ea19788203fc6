"""The one place for the database: location, engine, SQLite pragmas, sessions, the schema check,
migrations, and everything that differs between SQLite and PostgreSQL.

The schema check runs on every command, so it must be cheap: one SELECT of Alembic's version
table compared with the revisions this tct knows (SCHEMA_REVISIONS, kept equal to the migration
scripts by a test). Alembic itself is imported only when a migration has to run.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tct.errors import DatabaseError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

# Every Alembic revision shipped, oldest first; the last is the schema this tct writes.
SCHEMA_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012",
                    "0013", "0014", "0015", "0016")
SCHEMA_HEAD = SCHEMA_REVISIONS[-1]

SQLITE_HEADER = b"SQLite format 3\x00"

# The register's tables (tct.models.ALL_TABLES, kept equal by a test), for the commands that read a
# plain SQLite register with the sqlite3 module alone: importing the models (SQLModel, SQLAlchemy)
# costs a third of a second, more than a backup of a 20 MB register.
TABLE_NAMES = ("setting", "audit_event", "code_counter", "officer", "citizen", "cases", "case_status_change",
               "case_extension", "case_flag", "referral", "visit", "duty_shift", "period")
DEFAULT_BUSY_TIMEOUT_S = 15.0
MAX_BUSY_TIMEOUT_S = 86_400  # a day; in milliseconds still within SQLite's and PostgreSQL's int


def _busy_timeout_setting() -> tuple[float, str | None]:
    """TCT_BUSY_TIMEOUT in seconds, and what is wrong with it when it cannot be used.

    A bad value falls back to the default rather than stop the command: a typo in a tuning knob
    must not cost a cron job its night's backup, and the warning the command layer prints goes to
    stderr, which cron mails to the administrator. Unset or blank is the default, like TCT_DB."""
    raw = os.environ.get("TCT_BUSY_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT_S, None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_BUSY_TIMEOUT_S:  # (NaN too)
        return DEFAULT_BUSY_TIMEOUT_S, (f"TCT_BUSY_TIMEOUT={raw[:40]!r} is not a number of seconds from 0 to "
                                        f"{MAX_BUSY_TIMEOUT_S}; waiting the default "
                                        f"{DEFAULT_BUSY_TIMEOUT_S:g} s instead")
    return value, None


def busy_timeout() -> float:
    """How long a command waits for another desk's lock, in seconds (TCT_BUSY_TIMEOUT)."""
    return _busy_timeout_setting()[0]


def busy_timeout_problem() -> str | None:
    """Why TCT_BUSY_TIMEOUT is not used, for the command layer to warn; None when it is fine."""
    return _busy_timeout_setting()[1]


def default_location() -> Path:
    from platformdirs import user_data_path

    return user_data_path("tct", appauthor=False) / "tct.db"


def resolve_url(location: str | None) -> str:
    """`--db`/`TCT_DB` may be a file path or an SQLAlchemy URL; the default is the user's data folder."""
    value = location or os.environ.get("TCT_DB") or str(default_location())
    if "://" in value:
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value[len("postgres://"):]
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value[len("postgresql://"):]
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    return None


# Connection parameters libpq reads from a URL's query that are secrets: `?password=` is a password
# as much as the one before the `@`, and `sslpassword` unlocks the client's key.
SECRET_URL_PARAMETERS = frozenset({"password", "sslpassword"})


def display_url(url: str) -> str:
    """The URL without its passwords (`USER:PASSWORD@` and `?password=`), for messages and `db info`."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    secrets = {key: "***" for key in parsed.query if key in SECRET_URL_PARAMETERS}
    if secrets:
        parsed = parsed.update_query_dict(secrets)
    # (the query's values are rendered quoted: `***` as `%2A%2A%2A`, said as the password's `***`)
    return parsed.render_as_string(hide_password=True).replace("=%2A%2A%2A", "=***")


def ensure_private_folder(folder: Path) -> None:
    """Create the folder (and missing parents) mode 0700, whatever the umask."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)


def create_private_file(path: Path) -> None:
    """Create an empty file mode 0600 (umask-proof); it holds citizens' personal data."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def make_private(path: Path) -> None:
    """Take group and other's bits off a register file of ours and its -wal, -shm and -journal files
    (SQLite gives those the database file's mode): an empty file someone made for it, or a copy
    made under a lax umask, holds citizens' personal data like the file tct creates. A file owned
    by someone else is theirs to set; one that cannot be changed is left as it is."""
    for each in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        try:
            status = os.stat(each)
            if stat.S_ISREG(status.st_mode) and status.st_uid == os.geteuid() and status.st_mode & 0o077:
                os.chmod(each, stat.S_IMODE(status.st_mode) & ~0o077)
        except OSError:
            continue


def _prepare_sqlite_file(path: Path, create: bool) -> bool:
    """Check (and on first use create) the file; returns True when it is new and empty."""
    if path.exists():
        if not path.is_file():
            raise DatabaseError.said_as("err_db_not_a_file", path=str(path))
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise DatabaseError.said_as("err_db_cannot_read", path=str(path), why=exc.strerror) from exc
        if not header:
            if create:
                make_private(path)  # before the schema, and the data after it, are written into it
            return True
        if header != SQLITE_HEADER:
            raise DatabaseError.said_as("err_db_not_sqlite", path=str(path))
        return False
    if not create:
        raise DatabaseError.said_as("err_db_none_at", path=str(path))
    try:
        ensure_private_folder(path.parent)
        create_private_file(path)
    except FileExistsError:
        return False
    except OSError as exc:
        raise DatabaseError.said_as("err_db_cannot_create", path=str(path), why=exc.strerror) from exc
    return True


def _sqlite_engine(path: Path) -> Engine:
    from sqlalchemy import create_engine, event

    busy = busy_timeout()
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": busy})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun explicitly below, so the driver must not begin its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock at BEGIN, so two desks never deadlock upgrading a read
        # lock (which SQLite reports as "database is locked" without waiting).
        if conn.get_execution_options().get("tct_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


# Any fixed number: the key of the transaction-level advisory lock that serialises writers on
# PostgreSQL as BEGIN IMMEDIATE does on SQLite (advisory locks are per database).
WRITE_LOCK_KEY = 0x7463_7400  # "tct\0"


def _postgres_engine(url: str) -> Engine:
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise DatabaseError.said_as("err_db_no_driver") from exc
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    busy = busy_timeout()
    try:
        query = make_url(url).query
    except (ArgumentError, ValueError) as exc:
        # e.g. a port that is not a number; the URL is not echoed, as it may hold a password
        raise DatabaseError.said_as("err_db_url_malformed") from exc
    # Timestamps come back in UTC, as they are stored, whatever the server's TimeZone setting
    # (added to any `options` the URL gives, e.g. a search_path). Every statement, a reader's too,
    # waits for a lock at most the busy timeout: a table locked by `tct db upgrade` (or by hand)
    # fails the command with "locked" as on SQLite instead of leaving it hanging. (0 would mean no
    # limit to PostgreSQL, so a busy timeout of 0 waits a millisecond.)
    lock_wait_ms = max(1, int(busy * 1000))
    options = " ".join(filter(None, [str(query.get("options") or ""), "-c timezone=UTC",
                                     f"-c lock_timeout={lock_wait_ms}"]))
    connect_args: dict[str, Any] = {"options": options, "application_name": "tct"}
    if "connect_timeout" not in query:
        connect_args["connect_timeout"] = 10  # an unreachable server fails in seconds, not minutes
    try:
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except ImportError as exc:
        raise DatabaseError.said_as("err_db_url_driver", problem=str(exc)) from exc

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Every writing command waits for the others, as on SQLite: the business rules that read
        # before they write (duplicates, flags, roster overlaps) then see every committed change.
        # The lock is released at COMMIT or ROLLBACK; waiting longer than the busy timeout (the
        # connection's lock_timeout) fails like a locked SQLite file.
        if conn.get_execution_options().get("tct_write"):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _no_nul_in_lookups(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                           executemany: bool) -> tuple[str, Any]:
        # PostgreSQL refuses a NUL character in any text value, even in a WHERE clause, where SQLite
        # simply finds nothing (tct never stores a NUL: see tct.text.clean). So a search or lookup
        # for text with a NUL in it asks for "\x01" instead, which tct never stores either, and
        # finds nothing as on SQLite. Writes keep failing loudly rather than change what was typed.
        if not executemany and parameters and statement.lstrip()[:6].upper().startswith(("SELECT", "WITH")):
            parameters = _without_nul(parameters)
        return statement, parameters

    return engine


def _without_nul(parameters: Any) -> Any:
    if isinstance(parameters, dict):
        if any(isinstance(v, str) and "\x00" in v for v in parameters.values()):
            return {k: v.replace("\x00", "\x01") if isinstance(v, str) else v for k, v in parameters.items()}
    elif isinstance(parameters, list | tuple):
        if any(isinstance(v, str) and "\x00" in v for v in parameters):
            return type(parameters)(v.replace("\x00", "\x01") if isinstance(v, str) else v for v in parameters)
    return parameters


@dataclass
class Database:
    """An opened register: its URL, engine and (for SQLite) file path."""

    url: str
    engine: Engine
    path: Path | None = None
    revision: str | None = None
    created: bool = False
    _write_engine: Engine | None = field(default=None, repr=False)
    _read_engine: Engine | None = field(default=None, repr=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def location(self) -> str:
        return display_url(self.url)

    @property
    def write_engine(self) -> Engine:
        if self._write_engine is None:
            self._write_engine = self.engine.execution_options(tct_write=True)
        return self._write_engine

    @property
    def read_engine(self) -> Engine:
        """The engine of read sessions: every statement of a read command sees the register at one
        moment (SQLite's read transaction does so; PostgreSQL's default, READ COMMITTED, takes a
        new snapshot per statement, so a listing in two statements could show a case twice)."""
        if self._read_engine is None:
            self._read_engine = (self.engine if self.is_sqlite
                                 else self.engine.execution_options(isolation_level="REPEATABLE READ"))
        return self._read_engine

    def dispose(self) -> None:
        self.engine.dispose()


_ROOM_NEEDED = 1024 * 1024  # (less free than this, and SQLite's I/O error is the disk filling up)


def _full_disk_folder(exc: Exception, location: str) -> Path | None:
    """The folder of an SQLite register whose disk has filled up, when that is what `exc` is:
    SQLITE_FULL, or an I/O error (growing the -wal or -shm file: SQLite says "disk I/O error")
    with hardly any room left beside the register. None otherwise."""
    name = str(getattr(getattr(exc, "orig", exc), "sqlite_errorname", ""))
    if name != "SQLITE_FULL" and not name.startswith("SQLITE_IOERR"):
        return None
    register = Path(location)
    if not register.is_file():
        return None
    if name != "SQLITE_FULL":
        import shutil

        try:
            if shutil.disk_usage(register.parent).free >= _ROOM_NEEDED:
                return None
        except OSError:
            return None
    return register.parent


def _read_only_disk_folder(location: str) -> Path | None:
    """The folder of an SQLite register on a file system mounted read-only (as Linux remounts a
    disk after an error), where SQLite can say no more than "unable to open database file"."""
    register = Path(location)
    try:
        if register.is_file() and os.statvfs(register.parent).f_flag & os.ST_RDONLY:
            return register.parent
    except (OSError, AttributeError):  # (AttributeError: no statvfs, on Windows)
        pass
    return None


def _unwritable_folder(location: str) -> Path | None:
    """The folder of an SQLite register that this user cannot write in (SQLite makes the register's
    -wal and -shm files there, even to read it), while the file itself is there."""
    register = Path(location)
    try:
        if register.is_file() and not os.access(register.parent, os.W_OK | os.X_OK):
            return register.parent
    except OSError:
        pass
    return None


def translate_db_error(exc: Exception, location: str) -> DatabaseError:
    """Turn a driver error into the one-line, exit-3 message of what to do."""
    said = str(getattr(exc, "orig", exc))
    text = " ".join(said.lower().split())  # (what is matched)
    # What is shown: the driver's words as it wrote them, its lines joined ("connection refused; Is
    # the server running on that host…"), on one line.
    shown = "; ".join(" ".join(line.split()) for line in said.splitlines() if line.strip())
    if "://" in location:
        try:
            location = display_url(resolve_url(location))
        except Exception:  # noqa: BLE001 — a URL SQLAlchemy cannot parse: show no part of it
            location = "the register"
    full = _full_disk_folder(exc, location)
    if full is not None:
        return DatabaseError.said_as("err_db_no_space", folder=full, location=location)
    if "locked" in text or "busy" in text or "lock timeout" in text or "deadlock" in text:
        return DatabaseError.said_as("err_db_locked", location=location)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return DatabaseError.said_as("err_db_damaged", location=location, problem=shown)
    if "permission denied for" in text or "no schema has been selected" in text:
        # PostgreSQL: a role without the privileges on the register's tables, or on its schema
        return DatabaseError.said_as("err_db_role", location=location, problem=shown)
    if "unable to open" in text or "readonly" in text or "read-only" in text or "permission" in text:
        folder = _read_only_disk_folder(location)
        if folder is not None:
            return DatabaseError.said_as("err_db_read_only_disk", folder=folder, location=location)
        folder = _unwritable_folder(location)
        if folder is not None:
            import getpass

            return DatabaseError.said_as("err_db_folder_unwritable", folder=folder, location=location,
                                         user=getpass.getuser())
        return DatabaseError.said_as("err_db_not_writable", location=location, problem=shown)
    if ("connection" in text or "could not" in text or "password" in text or "timeout" in text
            or "resolve host" in text):
        return DatabaseError.said_as("err_db_unreachable", location=location, problem=shown)
    return DatabaseError.said_as("err_db_other", location=location, problem=shown)


# The SQLSTATEs of PostgreSQL refusing a value for its size, which SQLite (text of any length in
# any column) never does: longer than its column (string_data_right_truncation: a name within its
# 200 characters whose search key is longer, as "ß" folds to "ss"), or a row too big for an index
# (program_limit_exceeded: a name and address of 4-byte characters past a B-tree's 2,704 bytes).
VALUE_TOO_BIG = frozenset({"22001", "54000"})


def value_refused(exc: Exception) -> ValidationError | None:
    """The one-line error (exit 1) of a value the database refused for its size, a typed value's
    fault and not the register's (exit 3); the transaction is rolled back, so nothing was written.
    None for any other error."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) not in VALUE_TOO_BIG:
        return None
    lines = [" ".join(line.split()) for line in str(orig).splitlines() if line.strip()]
    return ValidationError.said_as("err_db_value_too_big", problem=lines[0] if lines else "")


def open_database(location: str | None = None, *, create: bool = True, allow_old: bool = False) -> Database:
    """Open the register, creating its schema on first use and refusing what is not ours.

    `allow_old` lets `db upgrade` and `db info` open a database whose schema is older.
    """
    url = resolve_url(location)
    path = sqlite_path(url)
    created = False
    if path is not None:
        created = _prepare_sqlite_file(path, create)
        engine = _sqlite_engine(path)
    elif url.startswith("postgresql"):
        engine = _postgres_engine(url)
    else:
        raise DatabaseError.said_as("err_db_url_unsupported", location=display_url(url))
    db = Database(url=url, engine=engine, path=path, created=created)
    from sqlalchemy.exc import SQLAlchemyError

    try:
        db.revision = _schema_revision(db)
        if db.revision is None:
            if not create:
                raise DatabaseError.said_as("err_db_no_schema", location=db.location)
            _create_schema(db)
    except SQLAlchemyError as exc:
        db.dispose()
        raise translate_db_error(exc, db.location) from exc
    except DatabaseError:
        db.dispose()
        raise
    if db.revision != SCHEMA_HEAD:
        if db.revision not in SCHEMA_REVISIONS:
            db.dispose()
            raise DatabaseError.said_as("err_db_newer", location=db.location, revision=db.revision)
        if not allow_old:
            db.dispose()
            raise DatabaseError.said_as("err_db_older", location=db.location, revision=db.revision,
                                        head=SCHEMA_HEAD)
    if path is not None:
        make_private(path)  # known to be a register now (a foreign file is left untouched), before any write
    return db


def _schema_revision(db: Database) -> str | None:
    """The Alembic revision of the database; None when it is empty. Refuses foreign databases."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with db.engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).fetchall()
        except DBAPIError as exc:
            message = str(exc.orig).lower()
            if "no such table" not in message and "does not exist" not in message:
                raise
            conn.rollback()
            if _has_tables(conn, db):
                raise DatabaseError.said_as("err_db_foreign", location=db.location) from exc
            return None
    if len(rows) != 1:
        raise DatabaseError.said_as("err_db_version_table", location=db.location)
    return str(rows[0][0])


def _has_tables(conn: Connection, db: Database) -> bool:
    from sqlalchemy import text

    if db.is_sqlite:
        query = "SELECT count(*) FROM sqlite_master WHERE type='table'"
    else:
        query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    return bool(conn.execute(text(query)).scalar())


def _create_schema(db: Database) -> None:
    """Create the schema in a new database, safely if several processes start at once."""
    if db.is_sqlite:
        # Outside any transaction (SQLite refuses the switch inside one); WAL persists in the file.
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")
        finally:
            raw.close()
    with db.write_engine.connect() as conn:
        with conn.begin():
            if db.is_sqlite or not _has_tables(conn, db):
                current = _revision_in(conn)
                if current is None:
                    run_migrations(conn, SCHEMA_HEAD)
    db.revision = _schema_revision(db)


def _revision_in(conn: Connection) -> str | None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with conn.begin_nested():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def run_migrations(conn: Connection, target: str = "head") -> None:
    """Apply Alembic migrations on an open connection (inside the caller's transaction)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "tct:migrations")
    config.attributes["connection"] = conn
    command.upgrade(config, target)


def upgrade(db: Database) -> tuple[str | None, str, Path | None]:
    """Bring an older schema up to this tct's, after a consistent copy of an SQLite file.

    Returns (old revision, new revision, backup path).
    """
    old = db.revision
    if old == SCHEMA_HEAD:
        return old, SCHEMA_HEAD, None
    backup = None
    with db.write_engine.connect() as conn:
        with conn.begin():
            # Read with the write lock held: another desk's upgrade may have run while this one waited.
            # The copy is taken under the lock too, so it is the very register the migrations change.
            old = _revision_in(conn)
            if old != SCHEMA_HEAD:
                if db.path is not None:
                    from tct.backup import pre_upgrade_copy

                    backup = pre_upgrade_copy(db.path)
                run_migrations(conn, SCHEMA_HEAD)
    db.revision = SCHEMA_HEAD
    return old, SCHEMA_HEAD, backup


@contextmanager
def read_session(db: Database) -> Iterator[Session]:
    from sqlmodel import Session

    with Session(db.read_engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(db: Database) -> Iterator[Session]:
    """One transaction that takes the write lock at its start; committed only if the block succeeds."""
    from sqlmodel import Session

    # The models first: the block's first statement takes the write lock, and a writer that reads
    # through a Driver before it loads a model would import them (half a second) holding it, while
    # every other desk waits.
    import tct.models  # noqa: F401

    with Session(db.write_engine, expire_on_commit=False) as session:
        with session.begin():
            if db.revision is not None:
                _schema_unchanged(session, db)
            yield session


def _schema_unchanged(session: Session, db: Database) -> None:
    """Refuse to write when the schema is no longer the one checked when the register was opened:
    a `tct db upgrade` at another desk may have run while this command waited for the write lock
    (which the upgrade holds), and its writes would follow the old schema's rules. Read with the
    lock held, so no upgrade can begin before this transaction ends."""
    from sqlalchemy import text

    now = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if now != db.revision:
        raise DatabaseError.said_as("err_db_upgraded_meanwhile", location=db.location, revision=db.revision,
                                    now=now)


# --- dialect differences -------------------------------------------------------------------

def next_number(session: Session, kind: str, year: int) -> int:
    """The next gapless number for a code (visits, cases) in a year.

    The counter row is locked by the UPDATE until the caller's transaction ends, so concurrent
    desks (SQLite or PostgreSQL) are serialised and a rolled-back insert gives its number back.
    """
    from sqlalchemy import text

    session.execute(text("INSERT INTO code_counter (kind, year, last) VALUES (:kind, :year, 0) "
                         "ON CONFLICT (kind, year) DO NOTHING"), {"kind": kind, "year": year})
    value = session.execute(text("UPDATE code_counter SET last = last + 1 WHERE kind = :kind AND year = :year "
                                 "RETURNING last"), {"kind": kind, "year": year}).scalar_one()
    return int(value)


def reserve_numbers(session: Session, kind: str, year: int, count: int) -> int:
    """Reserve `count` consecutive numbers for a bulk import; returns the first. Same locking as
    next_number: a rolled-back import gives the whole block back."""
    from sqlalchemy import text

    session.execute(text("INSERT INTO code_counter (kind, year, last) VALUES (:kind, :year, 0) "
                         "ON CONFLICT (kind, year) DO NOTHING"), {"kind": kind, "year": year})
    last = session.execute(text("UPDATE code_counter SET last = last + :count WHERE kind = :kind AND year = :year "
                                "RETURNING last"), {"kind": kind, "year": year, "count": count}).scalar_one()
    return int(last) - count + 1


def table_counts(session: Session) -> dict[str, int]:
    from sqlalchemy import text

    from tct.models import ALL_TABLES

    return {name: int(session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in ALL_TABLES}


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- db info / db check ---------------------------------------------------------------------

def info(db: Database) -> dict[str, Any]:
    from sqlalchemy import text

    size = None
    with read_session(db) as session:
        if db.path is not None:
            size = db.path.stat().st_size
            for suffix in ("-wal",):
                extra = db.path.with_name(db.path.name + suffix)
                if extra.exists():
                    size += extra.stat().st_size
        else:
            size = int(session.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        counts = table_counts(session) if db.revision == SCHEMA_HEAD else {}
    return {"location": db.location, "dialect": db.dialect, "schema": db.revision, "schema_head": SCHEMA_HEAD,
            "size_bytes": size, "mode": oct(file_mode(db.path)) if db.path else None, "tables": counts}


def check(db: Database) -> list[str]:
    """Integrity and foreign-key problems (empty when healthy).

    SQLite checks its file (integrity_check), its foreign keys and that the triggers that keep
    visits and the audit trail append-only are there as tct made them. PostgreSQL keeps its own files
    sound, so there tct checks what can still go wrong: constraints or indexes left unvalidated
    (NOT VALID, a failed CREATE INDEX CONCURRENTLY), rows that point nowhere (loaded with triggers
    off, e.g. by a data-only restore), and the triggers that keep visits and the audit trail
    append-only being missing or disabled. On both, visit and case codes must have no gaps, and
    each case's stored day of its latest status change must be its history's (the report's
    backlog finds the cases closed after a day through it).
    """
    from sqlalchemy import text

    problems: list[str] = []
    with db.engine.connect() as conn:
        if db.is_sqlite:
            for (line,) in conn.exec_driver_sql("PRAGMA integrity_check").fetchall():
                if line != "ok":
                    problems.append(f"integrity: {line}")
            for row in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
                problems.append(f"foreign key: table {row[0]} row {row[1]} points to a missing {row[2]}")
            problems.extend(_sqlite_trigger_problems(conn))
        else:
            problems.extend(_postgres_problems(conn))
        # Codes are numbered per year without gaps: the counter must cover every number used.
        behind = _counters_behind(conn)
        for table, kind in (("visit", "visit"), ("cases", "case")):
            for year, count, highest in conn.execute(text(
                    f"SELECT t.year, count(*), max(t.seq) FROM {table} t GROUP BY t.year ORDER BY t.year")).fetchall():
                if count != highest:
                    problems.append(f"{table} codes of {year}: {count} rows but numbers up to {highest}")
            problems += [f"{table} counter of {year} is behind its highest code {highest} (tct db check --repair)"
                         for of, _, year, _, highest in behind if of == table]
            # ... and no further: a number is handed out only with its row, which is never deleted, so
            # a counter past the highest code (or with no rows at all) means rows were taken away.
            for year, last, highest in conn.execute(text(
                    f"SELECT c.year, c.last, max(t.seq) FROM code_counter c LEFT JOIN {table} t ON t.year = c.year "
                    "WHERE c.kind = :kind GROUP BY c.year, c.last HAVING c.last > coalesce(max(t.seq), 0) "
                    "ORDER BY c.year"), {"kind": kind}).fetchall():
                problems.append(f"{table} counter of {year} is at {last} but the highest code is {highest or 0}: "
                                "rows were deleted")
        if db.revision == SCHEMA_HEAD:
            problems.extend(_status_day_problems(conn))
            problems.extend(_first_visit_problems(conn))
    if db.revision == SCHEMA_HEAD:
        problems.extend(_extension_day_problems(db))
    return problems


def _extension_day_problems(db: Database) -> list[str]:
    from tct.cases import extension_mismatches

    with read_session(db) as session:  # (the settings: an extension counts from the office's day of acceptance)
        return [f"case {code}: {stored} extension day(s) stored but {granted} granted since its acceptance or "
                "reopening, so its stored deadline is wrong (tct db check --repair)"
                for _, code, stored, granted in extension_mismatches(session)]


# The code counters behind the highest code of their year, as (table, kind, year, last or None,
# highest): only a write around tct leaves one (a counter row deleted or set back by hand), and the
# next code of that year would then be one already used.
def _counters_behind(conn: Connection | Session) -> list[tuple[str, str, int, int | None, int]]:
    from sqlalchemy import text

    behind = []
    for table, kind in (("visit", "visit"), ("cases", "case")):
        behind += [(table, kind, int(year), None if last is None else int(last), int(highest))
                   for year, highest, last in conn.execute(text(
                       f"SELECT t.year, max(t.seq), c.last FROM {table} t LEFT JOIN code_counter c "
                       "ON c.kind = :kind AND c.year = t.year GROUP BY t.year, c.last "
                       "HAVING c.last IS NULL OR c.last < max(t.seq) ORDER BY t.year"), {"kind": kind}).fetchall()]
    return behind


def repair_counters(session: Session, *, actor: str) -> list[tuple[str, int, int]]:
    """Bring every code counter that `check` finds behind its year's highest code up to that code,
    each in the audit trail; returns (kind, year, highest) of each. Safe: a counter only ever moves
    up, under the write lock, to a number already used, so the next code is a new one and no code
    is given twice (a gap below it stays a gap, which `check` goes on reporting)."""
    from sqlalchemy import text

    from tct import audit
    from tct.i18n import label

    repaired = []
    for _table, kind, year, last, highest in _counters_behind(session):
        session.execute(text("INSERT INTO code_counter (kind, year, last) VALUES (:kind, :year, 0) "
                             "ON CONFLICT (kind, year) DO NOTHING"), {"kind": kind, "year": year})
        session.execute(text("UPDATE code_counter SET last = :highest WHERE kind = :kind AND year = :year "
                             "AND last < :highest"), {"kind": kind, "year": year, "highest": highest})
        audit.record(session, actor=actor, entity="register", code=f"{kind} counter {year}", action="repair",
                     before={"last": last}, after={"last": highest}, reason=label("reason_counter_behind"))
        repaired.append((kind, year, highest))
    return repaired


# Days from a case's receipt to its latest status change, in each dialect's SQL: the expression of
# the index ix_cases_open_span (migration 0009), which a query must write exactly so to use it. The
# longest of them bounds the cases a past day's backlog must look at (tct.report._backlog). Not in
# tct.models: Alembic can neither reflect nor compare an expression index on SQLite.
CASE_OPEN_SPAN = {"sqlite": "julianday(status_changed_on) - julianday(opened_on)",
                  "postgresql": "(status_changed_on - opened_on)"}


# The cases whose stored day of their latest status change (cases.status_changed_on) is not the
# latest changed_on of their status history, as (id, code, stored, history's): only a write around
# tct leaves one (by hand, a data-only restore); `tct db check` lists them, cases.repair_status_days
# mends them.
STATUS_DAY_MISMATCHES = (
    "SELECT cases.id, cases.code, cases.status_changed_on, history.last FROM cases LEFT JOIN "
    "(SELECT case_status_change.case_id AS case_id, max(case_status_change.changed_on) AS last "
    "FROM case_status_change GROUP BY case_status_change.case_id) AS history ON history.case_id = cases.id "
    "WHERE (cases.status_changed_on IS NULL AND history.last IS NOT NULL) "
    "OR (cases.status_changed_on IS NOT NULL AND (history.last IS NULL OR cases.status_changed_on <> history.last)) "
    "ORDER BY cases.code")


# The cases whose status is not the one their status history ends in, read in date order (as the
# reports read a past day), as (code, stored, history's): steps entered out of date order, which an
# older tct allowed (tct refuses them now), or written around tct. `tct db check` lists them; they
# are not repaired, since which of the two is right is the officers' to say.
STATUS_MISMATCHES = (
    "SELECT code, status, last, marked FROM (SELECT cases.code AS code, cases.status AS status, "
    "cases.history_in_order AS marked, coalesce(("
    "SELECT case_status_change.to_status FROM case_status_change WHERE case_status_change.case_id = cases.id "
    "ORDER BY case_status_change.changed_on DESC, case_status_change.id DESC LIMIT 1), 'new') AS last "
    "FROM cases) AS judged WHERE status <> last ORDER BY code")


# Whether a case's status history, read in date order, ends at its stored status on its stored day:
# cases.history_in_order holds it (migration 0012), and a past day's backlog trusts the stored status
# of a case open now and unchanged since that day only where it is true.
HISTORY_IN_ORDER = (
    "coalesce((SELECT s.to_status FROM case_status_change s WHERE s.case_id = cases.id "
    "ORDER BY s.changed_on DESC, s.id DESC LIMIT 1), 'new') = cases.status "
    "AND coalesce((SELECT max(s.changed_on) FROM case_status_change s WHERE s.case_id = cases.id), "
    "'0001-01-01') = coalesce(cases.status_changed_on, '0001-01-01')")

# The cases whose derived columns (migration 0012) are not what their visits and history say, as
# (id, code, first_visit_on stored, first non-void visit day, history_in_order stored, as it is):
# only a write around tct leaves one; `tct db check` lists them, cases.repair_derived mends them.
DERIVED_MISMATCHES = (
    "SELECT id, code, stored_first, first_day, stored_order, in_order FROM (SELECT cases.id AS id, "
    "cases.code AS code, cases.first_visit_on AS stored_first, (SELECT min(visit.visit_date) FROM visit "
    "WHERE visit.case_id = cases.id AND NOT visit.void) AS first_day, cases.history_in_order AS stored_order, "
    f"CASE WHEN {HISTORY_IN_ORDER} THEN 1 ELSE 0 END AS in_order FROM cases) AS judged "
    "WHERE (stored_first IS NULL AND first_day IS NOT NULL) OR (stored_first IS NOT NULL AND "
    "(first_day IS NULL OR stored_first <> first_day)) OR (stored_order AND in_order = 0) ORDER BY code")


def _first_visit_problems(conn: Connection) -> list[str]:
    # (a history marked in order that is not is said with its status, in _status_day_problems)
    return [f"case {code}: the day of its first visit is stored as {stored or 'none'} but its visits say "
            f"{first or 'none'}, so the backlog of a past day may misjudge it (tct db check --repair)"
            for _, code, stored, first, _, _ in conn.exec_driver_sql(DERIVED_MISMATCHES).fetchall()
            if stored != first]


def _status_day_problems(conn: Connection) -> list[str]:
    return [f"case {code}: its latest status change is dated {last or 'nowhere'} in its history but "
            f"{stored or 'nothing'} on the case, so the backlog of a past day may miss it (tct db check --repair)"
            for _, code, stored, last in conn.exec_driver_sql(STATUS_DAY_MISMATCHES).fetchall()] + [
            f"case {code}: its status is {stored} but its history, read in date order, ends {last}, so a report "
            f"of a past day reads it as {last} (a step was entered before an earlier-dated one)"
            if not marked else  # (until marked, the backlog takes the case as it stands)
            f"case {code}: its status is {stored} but its history, read in date order, ends {last}; a report of a "
            f"past day reads it as {stored} until tct db check --repair marks it to be read from its history"
            for code, stored, last, marked in conn.exec_driver_sql(STATUS_MISMATCHES).fetchall()]


# The triggers the migrations create on SQLite (0001, 0002), by table, with the statement that
# creates each as SQLite keeps it in sqlite_master (a test holds them equal to a new register's).
SQLITE_TRIGGERS = (
    ("audit_event", "audit_event_no_update", "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                                             "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
    ("audit_event", "audit_event_no_delete", "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                                             "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
    ("visit", "visit_no_delete", "CREATE TRIGGER visit_no_delete BEFORE DELETE ON visit "
                                 "BEGIN SELECT RAISE(ABORT, 'visits are never deleted; void them'); END"),
)


def _sqlite_trigger_problems(conn: Connection) -> list[str]:
    """The append-only triggers dropped (`DROP TRIGGER` at the sqlite3 shell) or made into others
    under the same name: without them a visit or an audit event can be deleted or changed."""
    found = {name: (table, " ".join(str(sql or "").split())) for name, table, sql in conn.exec_driver_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()}
    problems = []
    for table, name, sql in SQLITE_TRIGGERS:
        if name not in found:
            problems.append(f"trigger: {name} on table {table} is missing, so its rows can be changed")
        elif found[name] != (table, sql):
            problems.append(f"trigger: {name} on table {table} is not the one tct creates, so its rows may be "
                            "changed")
    return problems


# The triggers the migrations create on PostgreSQL, by table (see migrations/versions).
POSTGRES_TRIGGERS = (("audit_event", "audit_event_append_only"), ("audit_event", "audit_event_no_truncate"),
                     ("visit", "visit_no_delete"), ("visit", "visit_no_truncate"))


def _postgres_problems(conn: Connection) -> list[str]:
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import tct.models  # noqa: F401  (registers the tables)

    problems: list[str] = []
    for table, name in conn.execute(text(
            "SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = current_schema() AND NOT c.convalidated ORDER BY 1, 2")).fetchall():
        problems.append(f"constraint: {name} on table {table} is not validated; "
                        f"run ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
    for table, name in conn.execute(text(
            "SELECT i.indrelid::regclass::text, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready) ORDER BY 1, 2")).fetchall():
        problems.append(f"index: {name} on table {table} is invalid; rebuild it with REINDEX")
    # Every foreign key, checked by hand: rows loaded with triggers disabled are not checked by the server.
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            (child,), (parent,) = fk.column_keys, [element.column.name for element in fk.elements]
            rows = conn.execute(text(
                f'SELECT t.id FROM "{table.name}" t WHERE t."{child}" IS NOT NULL AND NOT EXISTS '
                f'(SELECT 1 FROM "{fk.referred_table.name}" p WHERE p."{parent}" = t."{child}") '
                "ORDER BY t.id LIMIT 100")).scalars().all()
            for row_id in rows:
                problems.append(f"foreign key: table {table.name} row {row_id} points to a missing "
                                f"{fk.referred_table.name}")
    triggers = dict(conn.execute(text(
        "SELECT t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
        "AND NOT t.tgisinternal")).fetchall())
    for table, name in POSTGRES_TRIGGERS:
        state = triggers.get(name)
        if state is None:
            problems.append(f"trigger: {name} on table {table} is missing, so its rows can be changed")
        elif state == "D":
            problems.append(f"trigger: {name} on table {table} is disabled, so its rows can be changed")
    return problems


def sqlite_register(location: str | None) -> Path | None:
    """The file of `location` when it is an SQLite tct register at this tct's schema, found with the
    sqlite3 module alone, so that `tct backup` need not import SQLAlchemy (a third of a second).

    None whenever the full `open_database` must decide — PostgreSQL, a missing, empty, foreign,
    damaged, busy or older-schema file — so every refusal and its message stay the same.
    """
    path = sqlite_path(resolve_url(location))
    if path is None or not path.is_file():  # (not a FIFO, which an open would wait on)
        return None
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0)
        try:
            rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return None
    if rows != [(SCHEMA_HEAD,)]:
        return None
    make_private(path)  # (a register now, as open_database knows it: before backup or export reads it)
    return path


def sqlite_in_wal_mode(path: Path) -> bool:
    """Whether the SQLite file is in WAL mode (its header's read and write versions are 2), where
    one connection may write while another holds a read transaction."""
    try:
        with path.open("rb") as handle:
            return handle.read(20)[18:20] == b"\x02\x02"
    except OSError:
        return False


@contextmanager
def plain_reading(path: Path) -> Iterator[Driver]:
    """One read transaction over `path`, an SQLite register at this tct's schema (sqlite_register,
    which also made it private), with the sqlite3 module alone, for the commands that only read
    (report, alerts, visit list, roster): every statement sees the same instant. Driver errors
    become the one-line DatabaseError."""
    with _plain_transaction(path, write=False) as driver:
        yield driver


@contextmanager
def plain_writing(path: Path) -> Iterator[Driver]:
    """One write transaction over `path`, as plain_reading, for a command that otherwise only reads
    and writes one audit event (`export --reveal`). As write_session: the write lock taken at BEGIN,
    the schema read again with it held, committed only if the block succeeds."""
    with _plain_transaction(path, write=True) as driver:
        yield driver


@contextmanager
def _plain_transaction(path: Path, *, write: bool) -> Iterator[Driver]:
    # (`path` comes from sqlite_register, which has made the register private)
    busy = busy_timeout()
    con = None
    try:
        con = sqlite3.connect(path, timeout=busy, isolation_level=None)
        if write:
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("BEGIN IMMEDIATE")
            now = con.execute("SELECT version_num FROM alembic_version").fetchone()
            if now is None or now[0] != SCHEMA_HEAD:
                raise DatabaseError.said_as("err_db_upgraded_meanwhile", location=str(path),
                                            revision=SCHEMA_HEAD, now=now[0] if now else None)
        else:
            con.execute("PRAGMA query_only = ON")
            con.execute("BEGIN")
        yield Driver.plain(con)
        if write:
            con.execute("COMMIT")
    except sqlite3.Error as exc:
        raise translate_db_error(exc, str(path)) from None
    finally:
        if con is not None:
            con.close()  # (a transaction not committed ends with it, undone)


IDS_AT_ONCE = 500  # values in one `IN (...)`: below SQLite's and psycopg's parameter limits
_NAMED = re.compile(r"(?<![:\w]):([a-z_]+)\b")  # `:day` (not a PostgreSQL `::date` cast)

def written_as_stamp(text: str) -> bool:
    """Whether a time stored on SQLite is in the form Driver.stamp writes (SQLAlchemy's, UTC:
    '2021-02-03 01:30:00.000000', or without the fraction), which compares and cuts to the minute
    as text; another form (written around tct: a 'T', an offset, '08:00+07') must be parsed. Told
    apart by length and separators (Driver._written_as_stamp in SQL), thousands of times a batch."""
    return len(text) in (19, 26) and text[10] == " " and text[16] == ":"


def sql_words(values: Sequence[str]) -> str:
    """tct's own constant words (statuses, flag kinds) as an SQL list, written into a statement so
    the planner sees them; never for typed input."""
    if not all(value.replace("-", "").isalnum() for value in values):
        raise ValueError(f"not a word of tct's own: {values!r}")
    return ", ".join(f"'{value}'" for value in values)


class _PlainSqlite:
    """An sqlite3 connection answering the one call Driver makes of SQLAlchemy's Connection."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def exec_driver_sql(self, statement: str, params: Any = ()) -> sqlite3.Cursor:
        if isinstance(params, list):
            return self.con.executemany(statement, params)
        return self.con.execute(statement, params)


class Driver:
    """Plain tuples through the DB-API driver (`exec_driver_sql`), for the bulk paths and the
    statements of the reports: SQLAlchemy's per-row processing and ORM objects cost more than the
    database's own work there, and a report over a plain SQLite register (`plain_reading`) starts
    without importing SQLAlchemy at all (over half a second).
    The one place for what differs between the drivers: the paramstyle (SQLite `?`, psycopg `%s`),
    the SQL of an expression index,
    how dates, times and timestamps are sent and read back (SQLite keeps SQLAlchemy's text forms,
    psycopg takes and returns the objects), and where new ids come from."""

    def __init__(self, session: Session) -> None:
        session.flush()  # (what the session's own queries would do first: its pending changes are read too)
        self.connection: Any = session.connection()
        self.sqlite = self.connection.dialect.name == "sqlite"
        self.info: dict[str, Any] = session.info  # (what a read caches, e.g. the settings, shared with the session)

    @classmethod
    def plain(cls, con: sqlite3.Connection) -> Driver:
        """A Driver over an sqlite3 connection (see plain_reading)."""
        driver = cls.__new__(cls)
        driver.connection, driver.sqlite, driver.info = _PlainSqlite(con), True, {}
        return driver

    @classmethod
    def of(cls, source: Session | Driver) -> Driver:
        """The Driver of a read that takes either a session (the commands that write) or a Driver."""
        return source if isinstance(source, Driver) else cls(source)

    def _sql(self, statement: str, named: bool = False) -> str:
        if self.sqlite:
            return statement
        return _NAMED.sub(r"%(\1)s", statement) if named else statement.replace("?", "%s")

    @property
    def case_open_span(self) -> str:
        """CASE_OPEN_SPAN in this driver's dialect."""
        return CASE_OPEN_SPAN["sqlite" if self.sqlite else "postgresql"]

    def day_text(self, column: str) -> str:
        """A date column as its 'YYYY-MM-DD' text (SQLite stores that text; PostgreSQL's would
        follow the server's DateStyle)."""
        return column if self.sqlite else f"to_char({column}, 'YYYY-MM-DD')"

    def stamps_between(self, column: str) -> str:
        """A condition that a timestamp column is within [?, ?) (two parameters, the form of stamp or
        its first 16 characters); on SQLite also true of a time stored in another form than stamp's
        (written around tct, written_as_stamp), which only parsing it can place."""
        if self.sqlite:
            return f"({column} >= ? AND {column} < ? OR NOT {self._written_as_stamp(column)})"
        return f"{column} >= ? AND {column} < ?"

    def minute_of(self, column: str) -> str:
        """A timestamp column to the minute where SQL can say it: on SQLite the first 16 characters
        of a time stored as stamp writes it ('2021-02-03 01:30'), any other form whole (minute_key
        parses it); on PostgreSQL the value itself, which minute_key truncates."""
        if self.sqlite:
            return f"CASE WHEN {self._written_as_stamp(column)} THEN substr({column}, 1, 16) ELSE {column} END"
        return column

    def minute_key(self, moment: Any) -> Any:
        """A moment in UTC to the minute, as stored or as given, to compare with minute_of's: on SQLite
        its stored text's first 16 characters ('2021-02-03 01:30', what stamp writes), without
        parsing thousands of them."""
        if isinstance(moment, str):
            if written_as_stamp(moment):
                return moment[:16]
            parsed = datetime.fromisoformat(moment)  # (written some other way, around tct)
            moment = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
        if self.sqlite:
            return self.stamp(moment.astimezone(UTC))[:16]
        return moment.astimezone(UTC).replace(second=0, microsecond=0)

    @staticmethod
    def _written_as_stamp(column: str) -> str:
        """written_as_stamp in SQLite's SQL (a GLOB of the whole form doubled the duplicate check's query)."""
        return f"(length({column}) IN (19, 26) AND substr({column}, 11, 1) = ' ' AND substr({column}, 17, 1) = ':')"

    def rows(self, statement: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        """The rows of `statement`, its parameters given in order (`?`) or by name (`:day`, for a
        value written several times)."""
        if isinstance(params, Mapping):
            return list(self.connection.exec_driver_sql(self._sql(statement, named=True), dict(params)).fetchall())
        return list(self.connection.exec_driver_sql(self._sql(statement), tuple(params)).fetchall())

    def rows_in(self, statement: str, ids: Collection[Any], params: Sequence[Any] = ()) -> list[Any]:
        """The rows of `statement` for every value of `ids`, whose `{ids}` placeholder (written after
        every other parameter) is filled a few hundred values at a time, below both drivers' limits."""
        values, found = list(ids), []
        for at in range(0, len(values), IDS_AT_ONCE):
            chunk = values[at:at + IDS_AT_ONCE]
            found += self.rows(statement.format(ids=", ".join("?" * len(chunk))), [*params, *chunk])
        return found

    def many(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """One executemany of `rows` (nothing when there are none)."""
        if rows:
            self.connection.exec_driver_sql(self._sql(statement), rows)

    @contextmanager
    def page_cache(self, kib: int) -> Iterator[None]:
        """SQLite's page cache raised to `kib` KiB while a bulk write runs (its default, 2 MiB, makes
        every batch of index inserts spill pages to the journal and read them back), then restored."""
        if not self.sqlite:
            yield
            return
        before = self.rows("PRAGMA cache_size")[0][0]
        self.connection.exec_driver_sql(f"PRAGMA cache_size = {-int(kib)}")
        try:
            yield
        except BaseException:
            # A write interrupted inside a statement (Ctrl-C) leaves the connection invalidated and
            # its transaction to be rolled back: restoring the cache then raises a database error
            # that would hide the interruption (exit 3, "Can't reconnect until invalid transaction is
            # rolled back" instead of exit 130). An invalidated connection is discarded, its cache too.
            with suppress(Exception):
                self.connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
            raise
        self.connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")

    def stamp(self, moment: datetime) -> Any:
        """A timestamp as SQLAlchemy stores it (UTC wall time; on SQLite its text form)."""
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment

    def flag(self, value: bool) -> Any:
        """A boolean as the driver binds it fastest: SQLite stores 0/1 and binds an int directly
        (a bool goes through the sqlite3 module's adapter lookup); PostgreSQL's boolean takes a bool."""
        return int(value) if self.sqlite else bool(value)

    def day(self, value: date | None) -> Any:
        return value.isoformat() if self.sqlite and value is not None else value

    def read_day(self, value: Any) -> date:
        return date.fromisoformat(value) if isinstance(value, str) else value

    def read_time(self, value: Any) -> time:
        """A stored time of day (SQLite: SQLAlchemy's 'HH:MM:SS.ffffff')."""
        return time.fromisoformat(value) if isinstance(value, str) else value

    def read_stamp(self, value: Any) -> datetime | None:
        """A stored timestamp in UTC, aware, as the models read it back (SQLModel's UTCDateTime; on
        SQLite the text holds no offset), so it compares with the models' own values."""
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return value

    def new_ids(self, table: str, count: int) -> list[int]:
        """Ids for `count` new rows of `table`, in order. On SQLite the ones it would give (after the
        highest: the import holds the write lock, so nobody else inserts); on PostgreSQL taken from
        the column's sequence, so explicit ids never collide with later inserts."""
        if count == 0:
            return []
        if self.sqlite:
            first = int(self.rows(f'SELECT max(id) FROM "{table}"')[0][0] or 0) + 1
            return list(range(first, first + count))
        return sorted(row[0] for row in self.rows(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, ?)", [count]))
