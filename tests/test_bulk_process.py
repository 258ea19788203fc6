"""`tct import --visits` with its rows read and checked by a second process (bulk.ReaderProcess):
the same register as one process writes, the same errors, and never a process left behind."""

import os
import signal

import pytest

from tct import bulk

HEADER = "citizen,id_number,type,field,at,officer,people,representatives,case_ref,case,locality,escalated\n"


def _rows(existing_case: str) -> str:
    lines = []
    for n in range(40):
        day = 1 + n % 20
        number = f"0910780{n % 7:05d}" if n % 3 == 0 else ""  # the same seven citizens come back
        ref = f"r{n % 5}" if n % 2 == 0 else ""  # five cases visited again and again: repeat flags
        people = 8 if n % 11 == 0 else 1  # delegations: crowd flags
        kind = ("tố cáo", "land") if n % 13 == 0 else ("khiếu nại", "land")
        case = existing_case if n == 17 else ""
        lines.append(f"Nguyễn Văn {chr(65 + n % 26)},{number},{kind[0]},{kind[1]},{day:02d}/02/2021 0{n % 9}:15,"
                     f"binh,{people},{'Đại diện' if people > 1 else ''},{ref if not case else ''},{case},"
                     f"Xã {'ABC'[n % 3]},{'có' if n == 9 else ''}\n")
    return HEADER + "".join(lines)


@pytest.fixture
def in_a_process(monkeypatch):
    """Every file read by a ReaderProcess, however small; the pids of those forked."""
    monkeypatch.setattr(bulk, "PROCESS_MIN_BYTES", 0)
    pids = []
    enter = bulk.ReaderProcess.__enter__

    def entered(self):
        result = enter(self)
        pids.append(self.pid)
        return result

    monkeypatch.setattr(bulk.ReaderProcess, "__enter__", entered)
    return pids


def _register(tct, db=()):
    assert tct(*db, "officer", "add", "Trần Thị Bình").exit_code == 0
    added = tct(*db, "visit", "add", "--citizen", "Lê Văn Cũ", "--type", "complaint", "--field", "land",
                "--officer", "binh", "--at", "01/01/2021 08:00", "-f", "json")
    assert added.exit_code == 0, added.stderr
    return added.json()["case"]


def _reaped(pid):
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    return True


def _content(tct, db=()):
    """The visits, cases and audit trail (but when each event was logged), as the CLI shows them."""
    content = {what: tct(*db, *what.split(), "-f", "json").json()
               for what in ("visit list --limit 1000", "case list --limit 1000", "log --limit 1000")}
    for event in content["log --limit 1000"]:
        event.pop("at")
    return content


def test_a_second_process_writes_what_one_process_writes(tct, tmp_path, monkeypatch, in_a_process):
    csv = tmp_path / "visits.csv"
    csv.write_text(_rows(_register(tct)), encoding="utf-8")
    run = tct("import", "--visits", str(csv), "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert len(in_a_process) == 1 and _reaped(in_a_process[0])
    assert (run.json()["visits"], run.json()["first"]) == (40, "TCD-2021-0002")

    alone = ("--db", str(tmp_path / "alone.db"))
    csv.write_text(_rows(_register(tct, alone)), encoding="utf-8")
    monkeypatch.setattr(bulk, "PROCESS_MIN_BYTES", 1 << 40)
    assert tct(*alone, "import", "--visits", str(csv)).exit_code == 0
    assert len(in_a_process) == 1  # (read in this process)
    assert _content(tct) == _content(tct, alone)
    content = _content(tct)
    assert {flag for case in content["case list --limit 1000"] for flag in case["flags"]} >= {"repeat", "crowd"}
    assert [e["action"] for e in content["log --limit 1000"]].count("flag") >= 5
    assert tct("db", "check").exit_code == 0


def test_bad_rows_found_by_the_second_process_are_listed_and_nothing_is_written(tct, tmp_path, in_a_process):
    _register(tct)
    csv = tmp_path / "visits.csv"
    csv.write_text(HEADER + "A,,complaint,land,03/02/2021 08:00,binh,1,,,,,\n"
                            "B,,complaint,astrology,03/02/2021 08:00,binh,1,,,,,\n"
                            "C,,complaint,land,31/02/2021 08:00,binh,1,,,,,\n", encoding="utf-8")
    run = tct("import", "--visits", str(csv))
    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1] == "Error: 2 bad rows of 3; nothing was imported"
    assert "astrology" in run.stderr and "Traceback" not in run.stderr
    assert len(tct("visit", "list", "-f", "json").json()) == 1
    assert _reaped(in_a_process[0])


def test_what_the_second_process_cannot_read_is_one_line(tct, tmp_path, in_a_process):
    _register(tct)
    csv = tmp_path / "visits.csv"
    csv.write_bytes(HEADER.encode() + "Đ,,complaint,land,03/02/2021 08:00,binh,1,,,,,\n".encode("cp1258"))
    run = tct("import", "--visits", str(csv))
    assert run.exit_code == 1
    assert run.stderr.strip() == f"Error: {csv} is not UTF-8 text (save the spreadsheet as CSV UTF-8)"
    csv.write_text("citizen,colour\nA,red\n", encoding="utf-8")
    run = tct("import", "--visits", str(csv))
    assert run.exit_code == 1 and "unknown column(s) colour" in run.stderr
    assert all(_reaped(pid) for pid in in_a_process)


def test_a_crash_of_the_second_process_writes_nothing_and_shows_no_traceback(tct, tmp_path, monkeypatch,
                                                                              in_a_process):
    _register(tct)
    csv = tmp_path / "visits.csv"
    csv.write_text(_rows("VV-2021-0001"), encoding="utf-8")

    def broken(self, lines):
        yield from ()
        raise RuntimeError("a bug in the reader")

    monkeypatch.setattr(bulk.Reader, "batches", broken)
    run = tct("import", "--visits", str(csv))
    assert run.exit_code == 4 and "Traceback" not in run.stderr + run.stdout
    assert "internal error" in run.stderr.lower()

    def killed(self, lines):
        os.kill(os.getpid(), signal.SIGKILL)
        yield from ()

    monkeypatch.setattr(bulk.Reader, "batches", killed)
    run = tct("import", "--visits", str(csv))
    assert run.exit_code == 1
    assert run.stderr.strip() == "Error: the process reading the file stopped before the end; nothing was imported"
    assert len(tct("visit", "list", "-f", "json").json()) == 1
    assert all(_reaped(pid) for pid in in_a_process)


def test_the_second_process_ends_when_the_writer_fails(tct, tmp_path, monkeypatch, in_a_process):
    _register(tct)
    csv = tmp_path / "visits.csv"
    csv.write_text(_rows("VV-2021-0001"), encoding="utf-8")

    def full(self, batch):
        raise bulk.TctError("the disk is full")

    monkeypatch.setattr(bulk._Writer, "write", full)
    run = tct("import", "--visits", str(csv))
    assert (run.exit_code, run.stderr.strip()) == (1, "Error: the disk is full")
    assert len(tct("visit", "list", "-f", "json").json()) == 1
    assert _reaped(in_a_process[0])
