"""Quarterly report benchmark: the seed report in Word, and a quarter of 10,000 interactions.

    python benchmarks/bench_report.py [--entities N] [--quarter-interactions M] [--history H]

Measures, in one process (wall and CPU time; on a machine shared with other work the CPU time is
the figure to compare with the targets):
  seed-docx     ws.report("2024-Q1") + Word rendering on the seed data, map included (target <= 2 s);
  seed-cli      `ofai-graph report --quarter 2024-Q1 --format docx`, process start to file (for reference);
  big-report    ws.report() of a quarter holding M interactions (default 10,000) in a generated store
                with H more interactions in other quarters (default 30,000), map included (target <= 10 s);
  big-md/html/docx  rendering that report in each format (the docx total is the target's other half).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    """Wall time, and this process's CPU time (what a shared, loaded machine does not inflate)."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    secs, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"{label:12s} {secs:8.2f} s wall {cpu:8.2f} s cpu", flush=True)
    return out, (secs, cpu)


def quarter_dates(data: dict, n: int, seed: int = 7) -> None:
    """Move the first ``n`` interactions into 2024-Q1, at the report's mix of precisions."""
    rng = random.Random(seed)
    for i in data["interactions"][:n]:
        roll = rng.random()
        month = rng.randint(1, 3)
        if roll < 0.6:
            i["date"] = "2024-Q1"
        elif roll < 0.85:
            i["date"] = f"2024-{month:02d}"
        else:
            i["date"] = f"2024-{month:02d}-{rng.randint(1, 28):02d}"
        # Actions of several interactions, as in the real report: about three interactions an action.
        k = int(i["id"].removeprefix("i-"))
        i["source"] = {"document": "bench", "action": f"Acción {k // 3}", "order": k}
    for i in data["interactions"][n:]:
        if i["date"].startswith("2024-Q1") or i["date"].startswith(("2024-01", "2024-02", "2024-03")):
            i["date"] = "2023-Q1"


def main() -> None:
    import ofai_graph
    from ofai_graph.generate import generate
    from ofai_graph.report_docx import to_docx
    from ofai_graph.report_render import to_html, to_markdown
    from ofai_graph.seeds import seed_files

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=5_000)
    ap.add_argument("--quarter-interactions", type=int, default=10_000)
    ap.add_argument("--history", type=int, default=30_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())

    seed_db = tmp / "seed.db"
    with ofai_graph.open(seed_db, create=True) as ws:
        ws.import_files(seed_files())
    with ofai_graph.open(seed_db) as ws:
        (_, (secs, cpu)) = timed("seed-docx", lambda: to_docx(ws.report("2024-Q1")))
    print(
        f"{'':12s} target <= 2 s: wall {'ok' if secs <= 2 else 'MISSED'}, cpu {'ok' if cpu <= 2 else 'MISSED'}"
    )
    env = {**os.environ, "OFAI_GRAPH_DB": str(seed_db)}
    timed(
        "seed-cli",
        lambda: subprocess.run(
            [
                sys.executable,
                "-m",
                "ofai_graph",
                "report",
                "--quarter",
                "2024-Q1",
                "--format",
                "docx",
                "--out",
                str(tmp / "informe.docx"),
            ],
            check=True,
            env=env,
            capture_output=True,
        ),
    )

    data = generate(args.entities, args.quarter_interactions + args.history, seed=42)
    quarter_dates(data, args.quarter_interactions)
    big_db = tmp / "big.db"
    with ofai_graph.open(big_db, create=True) as ws:
        timed("import", lambda: ws.import_data(data))
    with ofai_graph.open(big_db) as ws:
        report, t_build = timed("big-report", lambda: ws.report("2024-Q1"))
        print(
            f"{'':12s} {len(report.actions):,} actions, {sum(len(a.steps) for a in report.actions):,} interactions"
        )
        timed("big-md", lambda: to_markdown(report))
        timed("big-html", lambda: to_html(report))
        _, t_docx = timed("big-docx", lambda: to_docx(report))
    wall, cpu = t_build[0] + t_docx[0], t_build[1] + t_docx[1]
    print(
        f"{'big total':12s} {wall:8.2f} s wall {cpu:8.2f} s cpu (report + docx) target <= 10 s: "
        f"wall {'ok' if wall <= 10 else 'MISSED'}, cpu {'ok' if cpu <= 10 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
