"""A second process for the bulk paths (import, export): on a 2-core office PC one command can use
both cores when half its work is done by a fork of itself.

The fork happens before this process opens the register: an SQLite connection (and SQLite's
record of the locks a process holds) must never cross a fork, so each process opens its own.
The two talk through a pair of pipes, one pickled object at a time; whatever the second process
raises is raised in the first, and it never outlives the `with` block, however that ends.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from tct.errors import TctError, debugging


def available() -> bool:
    """Whether a second process can help: this one can fork, and may run on two cores (on one, the
    fork would only add its own cost)."""
    return hasattr(os, "fork") and _cores() >= 2


def _cores() -> int:
    """The cores this process may use: its affinity (`taskset`, a container's cpuset), which may be
    fewer than the machine has, or fewer still under a CPU quota (`docker --cpus 1`, a systemd
    CPUQuota), which lets the process run on every core but only for a share of the time."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every system)
        cores = os.cpu_count() or 1
    quota = _cpu_quota()
    # (one and a half cores' time still pays for a second process: round half up)
    return max(1, min(cores, int(quota + 0.5))) if quota is not None else cores


def _cpu_quota(root: str = "/sys/fs/cgroup", own: str = "/proc/self/cgroup") -> float | None:
    """The cores' worth of time this process's control group may use (cgroup v2 `cpu.max`, or
    v1 `cpu.cfs_quota_us` over `cpu.cfs_period_us`), or None when it has no quota (or this is not
    Linux). A quota set on a parent group is not seen; a container's own group is its root."""
    try:
        with open(own, encoding="ascii") as lines:
            groups = [line.rstrip("\n").split(":", 2) for line in lines]
    except OSError:
        return None
    for _, controllers, path in (group for group in groups if len(group) == 3):
        path = path.lstrip("/")
        if controllers == "":  # cgroup v2: "max 100000" or "150000 100000"
            for folder in (os.path.join(root, path), root):
                quota = _read_fields(os.path.join(folder, "cpu.max"))
                if quota is not None and len(quota) == 2:
                    return _share(quota[0], quota[1])
        elif "cpu" in controllers.split(","):  # cgroup v1, microseconds; -1 is none
            for folder in (os.path.join(root, "cpu", path), os.path.join(root, "cpu")):
                quota, period = (_read_fields(os.path.join(folder, name)) for name in ("cpu.cfs_quota_us",
                                                                                        "cpu.cfs_period_us"))
                if quota is not None and period is not None:
                    return _share(quota[0], period[0])
    return None


def _read_fields(path: str) -> list[str] | None:
    try:
        with open(path, encoding="ascii") as file:
            return file.read().split() or None
    except (OSError, UnicodeDecodeError):
        return None


def _share(quota: str, period: str) -> float | None:
    try:
        quota_us, period_us = int(quota), int(period)
    except ValueError:  # "max": no quota
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


class Channel:
    """One end of the conversation: send() and receive() pickled objects, each framed by its length,
    so a message cut short (the other process killed while writing it) is known as such."""

    def __init__(self, incoming: int, outgoing: int) -> None:
        self._in: BinaryIO = os.fdopen(incoming, "rb")
        self._out: BinaryIO = os.fdopen(outgoing, "wb", buffering=1 << 16)

    def send(self, item: Any) -> None:
        payload = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)  # (a failure here sends nothing)
        self._out.write(len(payload).to_bytes(8, "little"))
        self._out.write(payload)
        self._out.flush()  # all of it: the other side is waiting for it

    def receive(self) -> Any:
        """The next object; EOFError when the other side ended, whole message or not."""
        size = self._exactly(8)
        return pickle.loads(self._exactly(int.from_bytes(size, "little")))

    def _exactly(self, count: int) -> bytes:
        data = self._in.read(count)
        if len(data) != count:
            raise EOFError
        return data

    def close(self) -> None:
        for stream in (self._out, self._in):
            try:
                stream.close()
            except OSError:
                pass


class SecondProcess:
    """`with SecondProcess(work, lost=...) as helper:` forks; the child runs `work(channel)` and
    ends. `helper.send()` / `helper.receive()` talk to it; receive() raises what `work` raised,
    and TctError(`lost`) if it died without a word (killed, out of memory)."""

    def __init__(self, work: Callable[[Channel], None], *, lost: str) -> None:
        self.work, self.lost = work, lost
        self.pid = 0
        self._channel: Channel | None = None

    def __enter__(self) -> SecondProcess:
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        # Ctrl-C and SIGTERM held back across the fork, so neither process is interrupted half-way
        # into its role (a child running the parent's clean-up, say).
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            for fd in (to_child, from_parent, to_parent, from_child):
                os.close(fd)
            raise
        if self.pid == 0:  # the second process: never returns
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
                os.close(from_parent)
                os.close(to_parent)
                self._serve(Channel(to_child, from_child))
            finally:
                os._exit(1)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(to_child)
        os.close(from_child)
        self._channel = Channel(to_parent, from_parent)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._channel is not None:
            self._channel.close()
        if self.pid:
            if exc_info[0] is not None:  # failed here: the other process has nothing left to do
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:  # SIGCHLD ignored by whoever started tct: the system reaped it
                pass
            self.pid = 0

    def send(self, item: Any) -> None:
        assert self._channel is not None
        try:
            self._channel.send(item)
        except BrokenPipeError:
            pass  # it has already ended: its Failure (or nothing) is waiting to be received

    def receive(self) -> Any:
        assert self._channel is not None
        try:
            item = self._channel.receive()
        except EOFError:
            raise TctError(self.lost) from None
        if isinstance(item, Failure):
            raise item.error()
        return item

    def _serve(self, channel: Channel) -> None:
        try:
            try:
                self.work(channel)
            except BaseException as exc:  # noqa: BLE001 — everything goes back, to be raised there
                channel.send(Failure.of(exc))
        except BaseException:  # noqa: BLE001 — the first process went away: nobody is left to tell
            pass
        finally:
            os._exit(0)  # no interpreter teardown: the objects inherited from the parent are not ours to close


@dataclass
class Failure:
    """What the second process raised: the exception itself when it survives pickling; else a
    TctError with its message and exit code, or the last line of anything else (no traceback for
    the user; TCT_DEBUG=1 shows the whole text)."""

    pickled: bytes | None
    message: str
    exit_code: int | None  # (a TctError's)
    text: str

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        import traceback

        text = "".join(traceback.format_exception(exc))
        try:
            pickled: bytes | None = pickle.dumps(exc)
            pickle.loads(pickled)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 — an exception that does not survive pickling
            pickled = None
        if isinstance(exc, TctError):
            return cls(pickled, exc.message, exc.exit_code, text)
        return cls(pickled, "".join(traceback.format_exception_only(exc)).strip(), None, text)

    def error(self) -> BaseException:
        if self.pickled is not None:
            return pickle.loads(self.pickled)  # type: ignore[no-any-return]
        if debugging():
            return RuntimeError(f"the second process failed:\n{self.text}")
        if self.exit_code is not None:
            error = TctError(self.message)
            error.exit_code = self.exit_code
            return error
        return RuntimeError(f"the second process failed: {self.message}")
