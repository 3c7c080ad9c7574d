"""Rebuild benchmark: ``ofai-graph rebuild`` on a store, as a user runs it (a process of its own).

    python benchmarks/bench_rebuild.py STORE [--rounds 1] [--weights-changed] [--processes 1,2]

The store is rebuilt in place (a rebuild gives the same pairs: run it on a copy you may change, e.g.
``cp /tmp/scale-stores/bench.db /tmp/x.db``). For each round it reports the process's wall time, its
CPU (user + system), its peak RSS, the time it was ready to run but waited for a CPU (Linux
``/proc/PID/schedstat``, polled while it runs) and what is left: wall − CPU − that wait, the time it
slept (mostly the disk: fsync, reads). On a machine shared with other work the wall time alone says
little; the split says whose the time was. CPU, waits and writes are the rebuild's and its helper
process's together (a large rebuild reads half the interactions in a second process); ``--processes
1,2`` runs each round without the helper, then with it (the parallel speed-up, in one sitting). Target (issue #15): rebuild ≤ 15 s on 1,000,000 interactions.

Two cases: by default the store's pairs are usually right already (a rebuild of a rebuilt store:
each slice of pairs is compared with the stored one and nothing is written); with
``--weights-changed`` the weights the pairs were built with are removed from the store before each
round (outside the timing), as after a change of weights in ``ofai-graph.yaml``: every row is written
again and the indexes on key built again.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time


def _sched(pid: int) -> tuple[float, float] | None:
    """(CPU seconds, run-queue wait seconds) of a live process's threads, or None once it is gone."""
    cpu = wait = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                on, waited, _ = f.read().split()
            cpu, wait = cpu + int(on), wait + int(waited)
    except (OSError, ValueError):
        return None
    return cpu / 1e9, wait / 1e9


def _family(pid: int) -> list[int]:
    """The process and its descendants (a rebuild's helper process)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) * 1024
    except (OSError, StopIteration, ValueError):
        return 0


def _written(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/io") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("write_bytes"))
    except (OSError, StopIteration):
        return None


def forget_weights(store: str) -> None:
    """The stored weights removed: the next rebuild writes every pair anew (as after other weights)."""
    import sqlite3

    db = sqlite3.connect(store)
    with db:
        db.execute("DELETE FROM strength_meta WHERE key = 'config'")
    db.close()


def run(store: str, processes: int | None = None) -> dict[str, float]:
    env = dict(os.environ)
    if processes is not None:
        env["OFAI_GRAPH_REBUILD_PROCESSES"] = str(processes)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "ofai_graph", "--db", store, "rebuild"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    # Per process of the family (the rebuild and its helper): the last run-queue wait and bytes
    # written seen; the largest resident memory of the family at one time.
    waits: dict[int, float] = {}
    writes: dict[int, int] = {}
    together = 0
    while child.poll() is None:
        family = _family(child.pid)
        for pid in family:
            found = _sched(pid)
            if found is not None:
                waits[pid] = found[1]
            writes[pid] = _written(pid) or writes.get(pid, 0)
        together = max(together, sum(map(_rss, family)))
        time.sleep(0.05)
    waited, written = sum(waits.values()), sum(writes.values())
    wall = time.perf_counter() - t
    out, err = child.communicate()
    if child.returncode:
        sys.exit(f"rebuild failed ({child.returncode}):\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall": wall,
        "cpu": cpu,
        "user": after.ru_utime - before.ru_utime,
        "sys": after.ru_stime - before.ru_stime,
        "runq": waited,
        "other": wall - cpu - waited,
        "peak_mb": after.ru_maxrss / 1024,
        "together_mb": together / 2**20,
        "written_mb": written / 2**20,
        "said": out.strip() or err.strip().splitlines()[-1],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--weights-changed", action="store_true", help="every row written, as after other weights")
    ap.add_argument(
        "--processes",
        default="2",
        help="processes a rebuild may use (OFAI_GRAPH_REBUILD_PROCESSES), or a list run in turn each round: 1,2",
    )
    args = ap.parse_args()
    for k in range(args.rounds):
        for processes in [int(p) for p in args.processes.split(",")]:
            if args.weights_changed:
                forget_weights(args.store)
            r = run(args.store, processes)
            print(
                f"round {k + 1}, {processes} process{'es' if processes > 1 else ''}: {r['wall']:.1f} s wall, "
                f"{r['cpu']:.1f} s CPU ({r['user']:.1f} user + {r['sys']:.1f} sys), "
                f"{r['runq']:.1f} s waiting for a CPU, "
                # (with a helper process CPU overlaps: wall - CPU - waits says nothing then)
                + (f"{r['other']:.1f} s asleep (disk), " if processes == 1 else "")
                + f"peak {r['peak_mb']:.0f} MB "
                f"(the processes together {r['together_mb']:.0f} MB), {r['written_mb']:.0f} MB written; {r['said']}",
                flush=True,
            )
    print("target (issue #15): rebuild <= 15 s")


if __name__ == "__main__":
    main()
