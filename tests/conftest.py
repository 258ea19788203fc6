"""Shared fixtures: a temporary register per test and a CLI runner that drives `tct` in-process."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tct.cli import app


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never touch the user's real register or depend on the developer's locale."""
    for variable in ("TCT_DB", "TCT_LANG", "TCT_OFFICER", "TCT_DEBUG", "NO_COLOR", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("TCT_OFFICER", "tester")


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.stdout)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "register" / "tct.db"


@pytest.fixture
def tct(db_path: Path) -> Callable[..., Run]:
    """Run `tct --db <temp> ARGS…` in-process; returns exit code, stdout and stderr apart."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None, db: bool = True) -> Run:
        argv = (["--db", str(db_path)] if db else []) + list(args)
        result = runner.invoke(app, argv, input=input, env=env)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def database(db_path: Path):  # type: ignore[no-untyped-def]
    """The opened register, for library tests."""
    from tct.db import open_database

    db = open_database(str(db_path))
    yield db
    db.dispose()


def assert_one_line_error(run: Run, code: int, *fragments: str) -> None:
    assert run.exit_code == code, (run.exit_code, run.stdout, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: "), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def file_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
