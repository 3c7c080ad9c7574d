"""What the benchmarks measure of their own process: CPU seconds and seconds spent waiting for a CPU."""

from __future__ import annotations

import os
import resource


def waited() -> float:
    """Seconds this process's threads were ready to run but waited for a CPU (Linux schedstat; 0 elsewhere).

    On a shared machine, wall ≈ CPU + this wait + I/O: it tells whether a slow wall clock was the
    machine's load or the program's own waiting.
    """
    total = 0
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/schedstat") as f:
                total += int(f.read().split()[1])
    except OSError:
        return 0.0
    return total / 1e9


def cpu() -> float:
    """User + system CPU seconds of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
