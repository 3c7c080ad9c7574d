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
HOOK_LINE = "ofai-graph test hook: at "


def signal_for_tests(point: str, held: HeldInterrupt | None = None) -> None:
    """Ctrl-C at a deterministic moment, for tests, rather than by timing.

    ``$OFAI_GRAPH_TEST_SIGINT=point`` sends this process a real SIGINT at ``point`` of a write;
    ``point:outside`` writes a line to stderr and waits up to 30 s, so that the test sends the SIGINT
    from outside, as a terminal does.
    """
    wanted = os.environ.get(TEST_HOOK)
    if wanted == point:
        os.kill(os.getpid(), signal.SIGINT)
    elif wanted == f"{point}:outside":
        import sys
        import time

        sys.stderr.write(f"{HOOK_LINE}{point}\n")
        sys.stderr.flush()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (held is not None and held.received):
            time.sleep(0.01)  # an unheld SIGINT raises KeyboardInterrupt here
