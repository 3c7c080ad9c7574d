"""GEXF and GraphML of a large store: the relationship graph of 100,000 entities written for Gephi.

    python benchmarks/bench_interop.py [--entities 100000] [--interactions 1000000] [--dynamic]

Generates the store (deterministic generator, imported into a SQLite file: not timed), then in a
fresh process times ``export --format gexf`` and ``--format graphml`` as the CLI runs them: every
pair scored as of a date (``ofai_graph.pairtable``, columns, no networkx graph), the node rows with
labels, and the XML written from the columns. With ``--dynamic`` the evidence graph (entities, interactions, participations, ties) is
written too. Target (issue #14): GEXF/GraphML of the 100,000-entity store in ≤ 30 s.
CPU seconds are reported next to wall seconds, with the seconds the process waited for a CPU (run
queue, /proc/self/task/*/schedstat): on a shared machine wall ≈ CPU + that wait + I/O.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import measure  # noqa: E402  (benchmarks/measure.py, beside this script)

AS_OF = dt.date(2024, 12, 31)


def build(n_ent: int, n_int: int, db: Path) -> dict:
    import ofai_graph
    from ofai_graph.generate import generate

    t = time.perf_counter()
    with ofai_graph.open(db, create=True) as ws:
        ws.import_data(generate(n_ent, n_int, seed=7))
        counts = ws.store.counts()
    return {"seconds": time.perf_counter() - t, "counts": counts}


def run_export(db: Path, fmt: str, dynamic: bool, out: Path, as_of: dt.date) -> dict:
    import ofai_graph

    with ofai_graph.open(db) as ws:
        t, c, q = time.perf_counter(), measure.cpu(), measure.waited()
        result = ws.export_to(fmt, out, as_of=as_of, dynamic=dynamic, lang="es")
        wall, cpu, waited = time.perf_counter() - t, measure.cpu() - c, measure.waited() - q
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"wall": wall, "cpu": cpu, "waited": waited, "peak_mb": peak, "nodes": result.nodes, "edges": result.edges,
            "mb": out.stat().st_size / 2**20}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--dynamic", action="store_true", help="also the dynamic (evidence) GEXF")
    ap.add_argument("--verify", action="store_true", help="read the files back with networkx")
    ap.add_argument("--store", help="keep the generated store in this file and reuse it on the next run")
    ap.add_argument(
        "--as-of",
        default=AS_OF.isoformat(),
        help="the date of the relationship graph (the generated interactions run into 2026: a date after "
        "them reads every materialized pair as is, an earlier one rescores the pairs' recent quarters)",
    )
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--fmt", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode == "build":
        print(json.dumps(build(args.entities, args.interactions, Path(args.db))))
        return
    if args.mode == "export":
        print(
            json.dumps(
                run_export(
                    Path(args.db), args.fmt, args.dynamic, Path(args.out), dt.date.fromisoformat(args.as_of)
                )
            )
        )
        return

    def child(*extra: str) -> dict:
        out = subprocess.run([sys.executable, __file__, *extra], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.store) if args.store else Path(tmp) / "big.db"
        if db.exists():
            import ofai_graph

            with ofai_graph.open(db) as ws:
                c = ws.store.counts()
            print(f"store: {db} (reused)")
        else:
            b = child("--mode", "build", "--db", str(db), "--entities", str(args.entities),
                      "--interactions", str(args.interactions))  # fmt: skip
            c = b["counts"]
            print(f"store generated and imported in {b['seconds']:.0f} s (not timed)")
        print(
            f"store: {c['organization'] + c['person'] + c['country']:,} entities, {c['interactions']:,} "
            f"interactions, {c['ties']:,} ties"
        )
        runs = [("gexf", False), ("graphml", False)] + ([("gexf", True)] if args.dynamic else [])
        for fmt, dynamic in runs:
            out = Path(tmp) / f"out-{fmt}{'-dyn' if dynamic else ''}.{fmt}"
            extra = ["--dynamic"] if dynamic else []
            r = child(
                "--mode",
                "export",
                "--db",
                str(db),
                "--fmt",
                fmt,
                "--out",
                str(out),
                "--as-of",
                args.as_of,
                *extra,
            )
            label = f"{fmt}{' --dynamic' if dynamic else ''}"
            verdict = "" if dynamic else ("  (target ≤ 30 s: " + ("OK" if r["wall"] <= 30 else "OVER") + ")")
            print(
                f"{label}: {r['nodes']:,} nodes, {r['edges']:,} edges, {r['mb']:.0f} MB in {r['wall']:.1f} s wall, "
                f"{r['cpu']:.1f} s CPU, {r['waited']:.1f} s waiting for a CPU, peak RSS {r['peak_mb']:.0f} MB{verdict}"
            )
            if args.verify:
                import networkx as nx

                g = (nx.read_gexf if fmt == "gexf" else nx.read_graphml)(out)
                print(
                    f"  read back by networkx: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges"
                )


if __name__ == "__main__":
    main()
