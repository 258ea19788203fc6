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

from tct.errors import TctError


def available() -> bool:
    return hasattr(os, "fork")


class Channel:
    """One end of the conversation: send() and receive() pickled objects."""

    def __init__(self, incoming: int, outgoing: int) -> None:
        self._in: BinaryIO = os.fdopen(incoming, "rb")
        self._out: BinaryIO = os.fdopen(outgoing, "wb", buffering=1 << 16)

    def send(self, item: Any) -> None:
        pickle.dump(item, self._out, protocol=pickle.HIGHEST_PROTOCOL)
        self._out.flush()  # all of it: the other side is waiting for it

    def receive(self) -> Any:
        return pickle.load(self._in)

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
        self.pid = os.fork()
        if self.pid == 0:  # the second process: never returns
            os.close(from_parent)
            os.close(to_parent)
            self._serve(Channel(to_child, from_child))
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
            os.waitpid(self.pid, 0)
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
    """What the second process raised: the exception itself when it pickles, else its text."""

    pickled: bytes | None
    text: str

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        import traceback

        text = "".join(traceback.format_exception(exc))
        try:
            pickled: bytes | None = pickle.dumps(exc)
            pickle.loads(pickled)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 — an exception that does not survive pickling: its text will do
            pickled = None
        return cls(pickled, text)

    def error(self) -> BaseException:
        if self.pickled is not None:
            return pickle.loads(self.pickled)  # type: ignore[no-any-return]
        return RuntimeError(f"the second process failed:\n{self.text}")
