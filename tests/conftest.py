"""Shared fixtures: a temporary register per test and a CLI runner that drives `tct` in-process.

Every test that touches the register (through `tct`, `database` or `db_url`) runs against SQLite
and, when TCT_TEST_POSTGRES_URL is set (e.g. postgresql+psycopg://tct@127.0.0.1:5432/postgres, a
role allowed to CREATE DATABASE), against PostgreSQL too: each PostgreSQL test gets a fresh empty
database, dropped afterwards. Tests about the SQLite file itself run on SQLite only: those that
ask for `db_path`, those marked `sqlite_only`, and those listed in SQLITE_ONLY below.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tct.cli import app

POSTGRES_URL = os.environ.get("TCT_TEST_POSTGRES_URL", "").strip() or None

# Tests of SQLite files that reach the register without asking for `db_path` (so cannot be told
# apart by their fixtures): (module, test function). Their PostgreSQL counterparts are in
# test_postgres.py.
SQLITE_ONLY = {
    ("test_db", "test_default_location_is_the_users_data_folder"),
    ("test_db", "test_tct_db_variable_and_sqlite_url"),
    ("test_db", "test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout"),
    ("test_db", "test_plain_text_file_is_refused_with_exit_3_and_left_untouched"),
    ("test_db", "test_foreign_sqlite_database_is_refused_and_untouched"),
}
# Modules about SQLite files as a whole (the PostgreSQL side of backup is pg_dump's).
SQLITE_ONLY_MODULES = {"test_backup", "test_reliability"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: touches the SQLite file itself; not run against PostgreSQL")


def _sqlite_only(metafunc: pytest.Metafunc) -> bool:
    module = metafunc.module.__name__.rpartition(".")[2]
    return ("db_path" in metafunc.fixturenames or metafunc.definition.get_closest_marker("sqlite_only") is not None
            or module in SQLITE_ONLY_MODULES or (module, metafunc.function.__name__) in SQLITE_ONLY)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every register test on each backend; without TCT_TEST_POSTGRES_URL, SQLite alone (ids unchanged)."""
    if "backend" not in metafunc.fixturenames or POSTGRES_URL is None:
        return
    backends = ["sqlite"] if _sqlite_only(metafunc) else ["sqlite", "postgresql"]
    metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never touch the user's real register or depend on the developer's locale."""
    for variable in ("TCT_DB", "TCT_LANG", "TCT_OFFICER", "TCT_DEBUG", "NO_COLOR", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("TCT_OFFICER", "tester")
    # The bulk paths take a second process only on two cores or more: the tests see the same paths
    # on any CI machine (test_forking checks the one-core case).
    from tct import forking

    monkeypatch.setattr(forking, "_cores", lambda: 2)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.stdout)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test's register lives in: "sqlite" or "postgresql"."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The register's SQLite file (asking for it makes the test SQLite-only)."""
    return tmp_path / "register" / "tct.db"


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """What `--db` gets: the SQLite file path, or the URL of a fresh PostgreSQL database."""
    if backend == "postgresql":
        return request.getfixturevalue("postgres_database")
    return str(tmp_path / "register" / "tct.db")


@pytest.fixture
def tct(db_url: str) -> Callable[..., Run]:
    """Run `tct --db <temp> ARGS…` in-process; returns exit code, stdout and stderr apart."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None, db: bool = True) -> Run:
        argv = (["--db", db_url] if db else []) + list(args)
        result = runner.invoke(app, argv, input=input, env=env)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def database(db_url: str):  # type: ignore[no-untyped-def]
    """The opened register, for library tests."""
    from tct.db import open_database

    db = open_database(db_url)
    yield db
    db.dispose()


# --- PostgreSQL --------------------------------------------------------------------------------

class PostgresServer:
    """The server of TCT_TEST_POSTGRES_URL, where each test gets a database of its own.

    CREATE DATABASE costs 0.1–0.5 s, so a test's database is emptied afterwards (every schema
    dropped, `public` created again, its connections ended) and handed to the next test; it is
    dropped for good at the end of the session, or at once if emptying it fails.
    """

    def __init__(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if not parsed.drivername.startswith("postgresql"):
            raise pytest.UsageError(f"TCT_TEST_POSTGRES_URL is not a PostgreSQL URL: {url}")
        self.url = parsed.set(drivername="postgresql+psycopg")
        self.admin = psycopg.connect(self._libpq(parsed.database), autocommit=True)
        self._numbers = itertools.count(1)
        self._free: list[str] = []
        self._all: set[str] = set()

    def _libpq(self, database: str | None) -> str:
        return self.url.set(drivername="postgresql", database=database).render_as_string(hide_password=False)

    def create(self) -> tuple[str, str]:
        """An empty database (C collation, as the README advises); returns (name, URL)."""
        if self._free:
            name = self._free.pop()
        else:
            name = f"tct_test_{os.getpid()}_{next(self._numbers)}"
            self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' '
                               "LC_COLLATE 'C' LC_CTYPE 'C'")
            self._all.add(name)
        return name, self.url.set(database=name).render_as_string(hide_password=False)

    def release(self, name: str) -> None:
        import psycopg

        try:
            self.admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            with psycopg.connect(self._libpq(name), autocommit=True) as conn, conn.transaction():
                schemas = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                                       "AND nspname <> 'information_schema'").fetchall()
                for (schema,) in schemas:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
                conn.execute("CREATE SCHEMA public")
        except psycopg.Error:
            self.drop(name)
        else:
            self._free.append(name)

    def drop(self, name: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._all.discard(name)

    def close(self) -> None:
        for name in sorted(self._all):
            self.drop(name)
        self.admin.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if POSTGRES_URL is None:
        pytest.skip("TCT_TEST_POSTGRES_URL is not set")
    server = PostgresServer(POSTGRES_URL)
    yield server
    server.close()


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh empty PostgreSQL database, dropped after the test."""
    name, url = postgres_server.create()
    yield url
    postgres_server.release(name)


def fill_disk(folder: Path) -> Path:
    """Take every free block of `folder`'s file system, as a download gone wild does; the file
    that holds them is returned, for the test to give the room back."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


@pytest.fixture
def small_disks(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mounts real file systems of a given size ("256k", "2m"; a tmpfs: needs root, as on the test
    machine), unmounted after the test."""
    import subprocess

    mounted: list[Path] = []

    def mount(size: str) -> Path:
        folder = tmp_path / f"small-{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
                              capture_output=True, check=False) if os.geteuid() == 0 else None
        if done is None or done.returncode != 0:
            pytest.skip("mounting a small tmpfs needs root")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def small_disk(small_disks: Callable[[str], Path]) -> Path:
    """A real file system of 256 KiB (see small_disks)."""
    return small_disks("256k")


def assert_one_line_error(run: Run, code: int, *fragments: str) -> None:
    assert run.exit_code == code, (run.exit_code, run.stdout, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: "), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def downgrade_sqlite(db_path: Path, revision: str) -> None:
    """Take an SQLite register back to an earlier schema, as an older tct left it (for upgrade tests)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", "tct:migrations")
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    engine.dispose()


def file_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
