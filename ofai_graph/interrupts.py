"""Ctrl-C during a write: the message must say what the store holds.

SQLite's COMMIT of a big import takes seconds; a SIGINT that arrives during it is only seen by Python
after the COMMIT has finished, when nothing can be rolled back any more. So the end of a write
transaction holds SIGINT off (:class:`HeldInterrupt`) and, if one came, reports it once the outcome
is known: :class:`Interrupted` says whether the write was committed (with what it wrote) or rolled back.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a write, with the truth about the write: ``committed`` and, if so, ``report``."""

    def __init__(self, committed: bool, report: Any = None):
        super().__init__("committed" if committed else "rolled back")
        self.committed = committed
        self.report = report


class HeldInterrupt:
    """Holds SIGINT off between :meth:`start` and :meth:`stop`; ``stop()`` says whether one came.

    Signal handlers can only be set in the main thread; elsewhere SIGINT is not delivered to the
    thread anyway, and this does nothing.
    """

    def __init__(self) -> None:
        self.received = False
        self._previous: Any = None
        self._active = False

    def _handler(self, signum: int, frame: Any) -> None:
        self.received = True

    def start(self) -> None:
        if self._active or threading.current_thread() is not threading.main_thread():
            return
        self._previous = signal.signal(signal.SIGINT, self._handler)
        self._active = True

    def stop(self) -> bool:
        if self._active:
            signal.signal(signal.SIGINT, self._previous)
            self._active = False
        return self.received


TEST_HOOK = "OFAI_GRAPH_TEST_SIGINT"


def signal_for_tests(point: str) -> None:
    """Tests send a real SIGINT at a named point of a write (``$OFAI_GRAPH_TEST_SIGINT=point``),
    so that Ctrl-C can be tested at a deterministic moment rather than by timing."""
    if os.environ.get(TEST_HOOK) == point:
        os.kill(os.getpid(), signal.SIGINT)
