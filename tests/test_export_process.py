"""`tct export` of a big SQLite register by two processes (exchange._write_json_in_two): the very
bytes one process writes, from one snapshot, and nothing left behind when it fails."""

import os
import signal
import sqlite3

import pytest

from tct import exchange
from tct.errors import TctError
from test_exchange import fill_register


@pytest.fixture
def register(tmp_path, monkeypatch):
    from tct.db import open_database

    db = open_database(str(tmp_path / "tct.db"))
    fill_register(db)
    db.dispose()
    monkeypatch.setattr(exchange, "TWO_PROCESSES_MIN_BYTES", 0)
    return tmp_path / "tct.db"


def _one_process(register, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(exchange, "TWO_PROCESSES_MIN_BYTES", 1 << 60)
        return exchange.export(register, reveal=False, actor="t").data


def _exported_by_two(monkeypatch):
    """How many exports took the two-process path."""
    calls = []
    original = exchange._write_json_in_two

    def counted(*args, **options):
        result = original(*args, **options)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(exchange, "_write_json_in_two", counted)
    return calls


def test_two_processes_write_what_one_writes(register, tmp_path, monkeypatch):
    by_two = _exported_by_two(monkeypatch)
    target = tmp_path / "out" / "export.json"
    result = exchange.export(register, output=target, reveal=False, actor="t")
    assert by_two == [True]
    expected = _one_process(register, monkeypatch)
    assert target.read_bytes() == expected
    assert b"Nguy\xe1\xbb\x85n V\xc4\x83n \xc4\x90\xe1\xbb\xa9c" not in expected  # the denouncer withheld
    assert result.protected_citizens == 1 and result.counts["visit"] == 3
    assert sorted(os.listdir(target.parent)) == ["export.json"]  # no part or temporary file left


def test_while_another_desk_writes_one_process_exports(register, tmp_path, monkeypatch):
    monkeypatch.setattr(exchange, "_LOCK_WAIT_S", 0.1)
    by_two = _exported_by_two(monkeypatch)
    writer = sqlite3.connect(register, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        target = tmp_path / "export.json"
        exchange.export(register, output=target, reveal=False, actor="t")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert by_two == [False]
    assert target.read_bytes() == _one_process(register, monkeypatch)


def test_a_failed_second_process_leaves_no_file(register, tmp_path, monkeypatch):
    def broken(db, part, channel, **options):
        channel.receive()
        raise RuntimeError("a bug in the second process")

    monkeypatch.setattr(exchange, "_export_part", broken)
    target = tmp_path / "out" / "export.json"
    with pytest.raises(RuntimeError, match="a bug in the second process"):
        exchange.export(register, output=target, reveal=False, actor="t")
    assert os.listdir(target.parent) == []

    def killed(db, part, channel, **options):
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(exchange, "_export_part", killed)
    with pytest.raises(TctError, match="the second process of the export stopped before the end"):
        exchange.export(register, output=target, reveal=False, actor="t")
    assert os.listdir(target.parent) == []
    with pytest.raises(ChildProcessError):  # both were reaped
        os.waitpid(-1, os.WNOHANG)


def test_the_cli_exports_a_big_register_by_two_processes(tct, tmp_path, monkeypatch, db_url):
    if "://" in db_url:
        pytest.skip("the plain SQLite path only")
    monkeypatch.setattr(exchange, "TWO_PROCESSES_MIN_BYTES", 0)
    by_two = _exported_by_two(monkeypatch)
    assert tct("officer", "add", "Trần Thị Bình").exit_code == 0
    assert tct("visit", "add", "--citizen", "Lê Văn A", "--type", "denunciation", "--field", "land",
               "--officer", "binh", "--at", "01/02/2021 08:00").exit_code == 0
    run = tct("export", "--output", str(tmp_path / "e.json"))
    assert run.exit_code == 0, run.stderr
    assert by_two == [True]
    assert b"L\xc3\xaa V\xc4\x83n A" not in (tmp_path / "e.json").read_bytes()
    assert "Identities of 1 denouncer(s) withheld" in run.stderr


def test_a_revealed_export_is_written_by_two_processes_as_by_one_and_audited_once(register, tmp_path, monkeypatch):
    """--reveal opens the register as every command does (its audit event needs the ORM): its JSON
    is still read by path in two processes, the same bytes as one, the identities kept."""
    from tct.db import open_database

    audited = []
    monkeypatch.setattr(exchange, "_record_reveal", lambda db, **event: audited.append(event["citizens"]))
    database = open_database(str(register))
    pooled = []  # the register's connections open in this process when it forks: none may cross a fork
    original = exchange._write_json_in_two
    monkeypatch.setattr(exchange, "_write_json_in_two",
                        lambda *args, **options: pooled.append(database.engine.pool.checkedin())
                        or original(*args, **options))
    try:
        by_two = _exported_by_two(monkeypatch)
        target = tmp_path / "two.json"
        result = exchange.export(database, output=target, reveal=True, actor="t")
        assert by_two == [True] and audited == [1] and result.revealed
        with monkeypatch.context() as patched:
            patched.setattr(exchange, "TWO_PROCESSES_MIN_BYTES", 1 << 60)
            exchange.export(database, output=tmp_path / "one.json", reveal=True, actor="t")
    finally:
        database.dispose()
    assert by_two == [True] and audited == [1, 1]  # (the second by one process)
    assert pooled == [0]
    assert target.read_bytes() == (tmp_path / "one.json").read_bytes()
    assert b"Nguy\xe1\xbb\x85n V\xc4\x83n \xc4\x90\xe1\xbb\xa9c" in target.read_bytes()


@pytest.mark.parametrize("table", ["audit_event", "visit", "cases"])
def test_a_table_cut_between_any_two_ids_is_written_whole(register, tmp_path, monkeypatch, table):
    """Wherever the middle falls, the two halves of a table join into the rows one process writes."""
    expected = _one_process(register, monkeypatch)
    with sqlite3.connect(register) as con:
        ids = [row[0] for row in con.execute(f'SELECT id FROM "{table}" ORDER BY id')]
    assert len(ids) >= 2
    for middle in ids[1:]:
        def halves(snap, tables, weights, middle=middle):
            index = [t.name for t in tables].index(table)
            return ([exchange._Part(t) for t in tables[:index]] + [exchange._Part(tables[index], before=middle)],
                    [exchange._Part(tables[index], since=middle)] + [exchange._Part(t) for t in tables[index + 1:]])

        monkeypatch.setattr(exchange, "_halves", halves)
        target = tmp_path / f"cut-{middle}.json"
        result = exchange.export(register, output=target, reveal=False, actor="t")
        assert target.read_bytes() == expected
        assert result.counts[table] == len(ids)


def test_the_halves_share_the_work_and_cut_the_middle_table(register):
    with exchange._snapshot(register) as snap:
        tables = sorted(snap.tables(), key=lambda table: table.name)
        mine, theirs = exchange._halves(snap, tables, [exchange._document_bytes(snap, t) for t in tables])
    names = [part.table.name for part in mine + theirs]
    once = [name for index, name in enumerate(names) if not index or names[index - 1] != name]
    assert once == sorted(t.name for t in tables)  # every table, in the document's order, cut once at most
    assert mine and theirs
    if mine[-1].table.name == theirs[0].table.name:  # cut inside a table: where one half ends the other begins
        assert mine[-1].before == theirs[0].since is not None
        assert mine[-1].since is None and theirs[0].before is None


@pytest.mark.parametrize("kernel", ["copies all", "copies nothing", "copies some, then fails", "is missing"])
def test_the_second_half_is_appended_whole_however_the_kernel_copies(tmp_path, monkeypatch, kernel):
    part = tmp_path / "part"
    part.write_bytes(bytes(range(256)) * 4096)
    real = getattr(os, "copy_file_range", None)
    calls = []

    def copy(source, target, count):
        calls.append(count)
        if kernel == "copies nothing":
            return 0
        if kernel == "copies some, then fails" and len(calls) > 1:
            raise OSError(18, "Invalid cross-device link")
        return real(source, target, min(count, 1000) if kernel != "copies all" else count)

    if kernel == "is missing":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    elif real is not None:
        monkeypatch.setattr(os, "copy_file_range", copy)
    target = tmp_path / "whole"
    with target.open("w+b") as handle:
        handle.write(b"head")
        exchange._append(part, handle)
        handle.write(b"tail")
    assert target.read_bytes() == b"head" + part.read_bytes() + b"tail"
