"""Ctrl-C and SIGTERM past the point of no return.

An interruption that arrives while SQLite commits (a C call) is raised by Python only once the
commit has returned: the command would then say "interrupted" (exit 130) of changes that are
saved, and an office that believes it runs the command again (an import adds its visits twice, a
restore is taken again). From just before such a commit to the end of the command, they are held
back, and then dropped: they came too late to stop anything.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def held_back() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back inside the block, and one that came meanwhile dropped at its end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Ignored by the process, not blocked in this thread: a signal sent to the process goes to any
    # thread that does not block it (a progress bar's, a test runner's), and Python raises it here.
    handlers = [(number, signal.signal(number, signal.SIG_IGN)) for number in _SIGNALS]
    try:
        yield
    finally:
        for number, handler in handlers:
            signal.signal(number, handler)
