"""Import benchmark: 100,000 entities and 1,000,000 interactions into the embedded store.

    python benchmarks/bench_import.py [--entities 100000] [--interactions 1000000]

Measures, each in a fresh process (so peak RSS is its own):
  ofai-graph   import_data(): validation, reference resolution and the transactional write, of the
               records made as it reads them (generate.iter_generate: the same data as generate()); making
               them is timed alone first and subtracted, and the peak holds no input but the entities;
  store-write  the store's write alone, of the already validated dataset;
  bare         sqlite3.executemany of exactly the rows the store writes, same schema and page size (the
               file made by the store), one transaction.
A large import into an empty store uses a worker process (importer._Worker): its CPU is added to the
import's, and its peak shown apart; ``OFAI_GRAPH_IMPORT_WORKER=0`` runs without it, for comparison.
Targets (issue #3, kept by #15 with the materialized strength): import under 60 s and 2 GB peak, and the
write within 2x of the bare executemany. Each line also says how long the process waited for a CPU (the
machine's other work: on a shared machine wall ≈ CPU + that wait).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import measure  # noqa: E402  (benchmarks/measure.py, beside this script)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_mode(mode: str, n_ent: int, n_int: int, db: str) -> dict:
    from ofai_graph.files import RawRecord
    from ofai_graph.generate import generate
    from ofai_graph.importer import _References, import_data, validate_records
    from ofai_graph.store import open_store
    from ofai_graph.store.base import entity_kind, entity_names
    from ofai_graph.text import fold_key

    if mode == "ofai-graph":
        from ofai_graph.generate import iter_generate

        # The input is made as the import reads it (generate.iter_generate: the same records, in the
        # same order), so that the peak is the import's own, not 1.2 GB of dicts held before it began.
        # Making the records is then inside the timed import: it is timed alone first (a pass that
        # keeps nothing), and subtracted.
        t, c, w = time.perf_counter(), time.process_time(), measure.waited()
        for items in iter_generate(n_ent, n_int, seed=42).values():
            for _ in items:
                pass
        gen = (time.perf_counter() - t, time.process_time() - c, measure.waited() - w)
        base_mb = _peak_mb()
        store = open_store(db, create=True)
        t, c, w = time.perf_counter(), time.process_time(), measure.waited()
        import_data(store, iter_generate(n_ent, n_int, seed=42))
        # The import's worker process (importer._Worker), reaped by now: its CPU and peak. It made
        # the records (read the generator), so the generating time is subtracted from the sum.
        worker = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu = worker.ru_utime + worker.ru_stime if os.environ.get("OFAI_GRAPH_IMPORT_WORKER") != "0" else 0.0
        return {
            "seconds": time.perf_counter() - t - gen[0],
            "raw_seconds": time.perf_counter() - t,
            "cpu_seconds": time.process_time() - c + worker_cpu - gen[1],
            "writer_cpu": time.process_time() - c,
            "worker_cpu": worker_cpu,
            "waited": measure.waited() - w - gen[2],
            "peak_mb": _peak_mb(),
            "worker_peak_mb": worker.ru_maxrss / 1024 if worker_cpu else 0.0,
            "generator_mb": base_mb,
            "generating": gen[:2],
        }
    raw = generate(n_ent, n_int, seed=42)
    records = [RawRecord(s, i, it, "bench") for s, items in raw.items() for i, it in enumerate(items)]
    data, _ = validate_records(records)
    store = open_store(db, create=True)
    refs = _References(store, data.entities())
    refs.prepare(data, {}, {})
    if mode == "store-write":
        t, c, w = time.perf_counter(), time.process_time(), measure.waited()
        store.write(data)
        return {
            "seconds": time.perf_counter() - t,
            "cpu_seconds": time.process_time() - c,
            "waited": measure.waited() - w,
            "peak_mb": _peak_mb(),
        }
    # bare: the same rows, prepared up front, written with executemany and nothing else.
    store.close()
    import sqlite3

    ents = data.entities()
    rows = {
        "entities": [
            (e.id, e.type, entity_kind(e), e.name, ",".join(e.countries), e.model_dump_json()) for e in ents
        ],
        "names": [(fold_key(n), e.id, n) for e in ents for n in entity_names(e)],
        "affiliations": [(e.id, a.organization) for e in ents for a in getattr(e, "affiliations", ())],
        "interactions": [
            (
                i.id,
                i.date.start.isoformat(),
                i.date.end.isoformat(),
                i.kind.value,
                i.axis.value if i.axis else None,
                i.status.value,
                i.model_dump_json(),
            )
            for i in data.interactions
        ],
        "participants": [(i.id, p.entity, p.role.value) for i in data.interactions for p in i.participants],
        "followups": [
            (
                f.id,
                f.interaction,
                f.status.value,
                f.due.end.isoformat() if f.due else None,
                f.owner,
                f.expected_from,
                f.model_dump_json(),
            )
            for f in data.followups
        ],
        "ties": [(t.id, t.source, t.target, t.kind.value, t.model_dump_json()) for t in data.ties],
    }
    db2 = db + ".bare"
    open_store(db2, create=True).close()  # the same schema and page size, made the way the store makes them
    con = sqlite3.connect(db2, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    t, c, w = time.perf_counter(), time.process_time(), measure.waited()
    con.execute("BEGIN IMMEDIATE")
    for table, rs in rows.items():
        if rs:
            con.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({','.join('?' * len(rs[0]))})", rs)
    con.execute("COMMIT")
    return {
        "seconds": time.perf_counter() - t,
        "cpu_seconds": time.process_time() - c,
        "waited": measure.waited() - w,
        "peak_mb": _peak_mb(),
        "rows": sum(len(r) for r in rows.values()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument(
        "--modes",
        default="ofai-graph,store-write,bare",
        help="which of the three to run, comma-separated (the ratio needs store-write and bare)",
    )
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.entities, args.interactions, args.db)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes.split(","):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--mode",
                    mode,
                    "--db",
                    f"{tmp}/{mode}.db",
                    "--entities",
                    str(args.entities),
                    "--interactions",
                    str(args.interactions),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            results[mode] = json.loads(out.stdout)
            print(
                f"{mode:12s} {results[mode]['seconds']:7.2f} s  cpu {results[mode]['cpu_seconds']:7.2f} s  "
                f"waiting for a CPU {results[mode]['waited']:6.2f} s  peak {results[mode]['peak_mb']:7.0f} MB",
                flush=True,
            )
    if "bare" in results:
        print(f"rows written: {results['bare']['rows']:,}")
    if "store-write" in results and "bare" in results:
        _ratio(results)
    if "ofai-graph" in results:
        _full(results["ofai-graph"])


def _ratio(results: dict) -> None:
    ratio = results["store-write"]["seconds"] / results["bare"]["seconds"]
    cpu_ratio = results["store-write"]["cpu_seconds"] / results["bare"]["cpu_seconds"]
    print(f"store write / bare executemany: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (target <= 2x)")


def _full(full: dict) -> None:
    if full["worker_cpu"]:
        print(
            f"with a worker process: {full['raw_seconds']:.1f} s wall before the subtraction; CPU "
            f"{full['writer_cpu']:.1f} s writing + {full['worker_cpu']:.1f} s in the worker (the generator's "
            f"{full['generating'][1]:.1f} s among them); the worker's peak {full['worker_peak_mb']:.0f} MB "
            f"(pages shared with the writer counted in both)"
        )
    print(
        f"full import: {full['seconds']:.1f} s wall, {full['cpu_seconds']:.1f} s CPU (target < 60 s), "
        f"peak {full['peak_mb']:.0f} MB (target < 2048 MB; {full['generator_mb']:.0f} MB before it began). "
        f"The records were made as the import read them: making them alone took {full['generating'][0]:.1f} s "
        f"wall, {full['generating'][1]:.1f} s CPU, subtracted from the times above"
    )


if __name__ == "__main__":
    main()
