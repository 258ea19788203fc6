"""tct.forking: whatever the second process does, the first gets one clear outcome."""

import os
import signal

import pytest

from tct import forking
from tct.errors import EXIT_DATABASE, TctError

LOST = "the second process stopped"

# The real count, before conftest.py holds it at two for every test.
_REAL_CORES = forking._cores



def _run(work):
    with forking.SecondProcess(work, lost=LOST) as helper:
        return helper.receive()


def test_objects_go_both_ways():
    def work(channel):
        channel.send(("got", channel.receive()))

    with forking.SecondProcess(work, lost=LOST) as helper:
        helper.send({"big": "x" * 300_000})  # more than a pipe holds
        assert helper.receive() == ("got", {"big": "x" * 300_000})


def test_a_process_killed_half_way_through_a_message_is_lost_not_garbage():
    def work(channel):
        channel._out.write((10**6).to_bytes(8, "little") + b"partial")
        channel._out.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(TctError, match=LOST):
        _run(work)


class _Odd(TctError):
    """A TctError that cannot be rebuilt from its pickle (its constructor takes other arguments)."""

    exit_code = EXIT_DATABASE

    def __init__(self, count, where):
        super().__init__(f"{count} problems at {where}")


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no")


def test_an_error_that_does_not_pickle_arrives_as_one_line(monkeypatch):
    monkeypatch.delenv("TCT_DEBUG", raising=False)

    def odd(channel):
        raise _Odd(3, "line 7")

    with pytest.raises(TctError) as raised:
        _run(odd)
    assert (raised.value.message, raised.value.exit_code) == ("3 problems at line 7", EXIT_DATABASE)

    def unpicklable(channel):
        raise _Unpicklable("the reason")

    with pytest.raises(RuntimeError) as raised:
        _run(unpicklable)
    assert str(raised.value) == "the second process failed: test_forking._Unpicklable: the reason"


def test_the_second_process_is_reaped_even_when_sigchld_is_ignored():
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        def work(channel):
            channel.send("done")

        assert _run(work) == "done"
    finally:
        signal.signal(signal.SIGCHLD, before)


def test_no_second_process_on_one_core(monkeypatch):
    """A fork on a one-core PC (or a container limited to one) only adds its own cost."""
    monkeypatch.setattr(forking, "_cores", lambda: 1)
    assert not forking.available()
    monkeypatch.setattr(forking, "_cores", lambda: 2)
    assert forking.available() == hasattr(os, "fork")


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this system")
def test_a_process_held_to_one_core_takes_no_second_process():
    """`taskset -c 0 tct import …`, or a cpuset of one CPU: the real count, in a process of its own."""
    import subprocess
    import sys

    script = ("import os; os.sched_setaffinity(0, {{{cpu}}}); from tct import forking; "
              "print(forking.available())")
    cpu = min(os.sched_getaffinity(0))
    held = subprocess.run([sys.executable, "-c", script.format(cpu=cpu)], capture_output=True, text=True, check=True)
    assert held.stdout.strip() == "False"


def _cgroup(tmp_path, own: str, files: dict[str, str]) -> tuple[str, str]:
    """A fake /proc/self/cgroup and /sys/fs/cgroup tree."""
    (tmp_path / "self-cgroup").write_text(own)
    for name, text in files.items():
        (tmp_path / "fs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "fs" / name).write_text(text)
    return str(tmp_path / "fs"), str(tmp_path / "self-cgroup")


@pytest.mark.parametrize(("own", "files", "cores"), [
    # cgroup v2, `docker --cpus 1` (the container's own group is its root) and a systemd slice's CPUQuota
    ("0::/\n", {"cpu.max": "100000 100000\n"}, 1.0),
    ("0::/system.slice/tct.service\n", {"system.slice/tct.service/cpu.max": "150000 100000\n"}, 1.5),
    ("0::/\n", {"cpu.max": "max 100000\n"}, None),
    # cgroup v1: quota over period in microseconds, -1 for none
    ("4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n",
     {"cpu/docker/abc/cpu.cfs_quota_us": "50000\n", "cpu/docker/abc/cpu.cfs_period_us": "100000\n"}, 0.5),
    ("4:cpu,cpuacct:/\n", {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    # no controller files at all (not mounted), or a garbled one
    ("0::/\n", {}, None),
    ("0::/\n", {"cpu.max": "\xff garbage\n"}, None),
])
def test_a_cpu_quota_is_read_from_the_control_group(tmp_path, own, files, cores):
    root, own_file = _cgroup(tmp_path, own, files)
    assert forking._cpu_quota(root, own_file) == cores


def test_a_quota_of_one_core_takes_no_second_process(monkeypatch):
    """`docker run --cpus 1`: two processes would share one core's time and only add the fork's cost;
    one and a half cores' time is still worth a second process."""
    monkeypatch.setattr(forking, "_cores", _REAL_CORES)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(forking, "_cpu_quota", lambda: 1.0)
    assert forking._cores() == 1 and not forking.available()
    monkeypatch.setattr(forking, "_cpu_quota", lambda: 1.5)
    assert forking._cores() == 2
    monkeypatch.setattr(forking, "_cpu_quota", lambda: None)
    assert forking._cores() == 2
