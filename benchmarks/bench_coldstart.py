"""Cold start: `ofai-graph connect Korea` on the seed, process start to answer, against bare imports.

    python benchmarks/bench_coldstart.py [--runs N]

Runs, in alternation (so that a machine getting busier slows both alike), N times each:
  baseline   python -c "import networkx, pydantic, click"
  connect    python -m ofai_graph --db SEED connect Korea   (the seed imported once beforehand)
with the interpreter running this script (sys.executable), and prints the median of each and the
median of the per-pair ratios, for wall time and for CPU time (user + system of the child, which a
busy machine disturbs less). Target: connect / baseline <= 2.0.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "seed.db")
        env = {k: v for k, v in os.environ.items() if not k.startswith("OFAI_GRAPH_")}
        subprocess.run(
            [py, "-m", "ofai_graph", "--db", db, "init", "--seed"], env=env, check=True, capture_output=True
        )
        baseline = [py, "-c", "import networkx, pydantic, click"]
        connect = [py, "-m", "ofai_graph", "--db", db, "connect", "Korea"]
        run(baseline, env), run(connect, env)  # warm the file cache
        base, ours = [], []
        for _ in range(args.runs):
            base.append(run(baseline, env))
            ours.append(run(connect, env))
    for i, what in enumerate(("wall", "cpu")):
        b = statistics.median(x[i] for x in base)
        o = statistics.median(x[i] for x in ours)
        ratio = statistics.median(y[i] / x[i] for x, y in zip(base, ours, strict=True))
        print(
            f"{what:4s}  baseline {b:6.3f} s   connect Korea {o:6.3f} s   ratio {ratio:4.2f}x (target <= 2.0)"
        )


if __name__ == "__main__":
    main()
