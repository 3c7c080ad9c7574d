"""Neo4j backend benchmark: push throughput against a bare UNWIND script, and connect on both backends.

    python benchmarks/bench_neo4j.py [--entities N] [--interactions M] [--db PATH] [--batch B]

Starts ArcadeDB's Bolt server (tests/boltserver.py) on loopback, or uses NEO4J_URI if set, and in
the same run measures, each phase in its own process so that peak memory (max RSS) is its own:
  push      `neo4j push`'s library call, sync.copy(): embedded store → an empty database;
  bare      a bare script writing the same rows to another empty database of the same server with
            plain UNWIND … CREATE (no existence checks, no change detection): the ceiling;
  connect   Workspace.connect("Korea", k=5) on the pushed database against the embedded store.
With --db PATH the generated embedded store is kept and reused.
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
sys.path.insert(0, str(ROOT / "tests"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_push(db: str, uri: str, user: str, database: str, batch: int) -> dict:
    from ofai_graph.store import open_store
    from ofai_graph.sync import copy

    source = open_store(db)
    target = open_store(uri, user=user, password=os.environ["NEO4J_PASSWORD"], database=database)
    r = copy(source, target, batch_size=batch)
    again = copy(source, target, batch_size=batch)
    return {
        "records": r.records,
        "seconds": r.seconds,
        "rows_per_s": r.rows_per_second,
        "second_push_s": again.seconds,
        "second_push_changed": again.report.changed,
        "peak_mb": _peak_mb(),
    }


def phase_bare(db: str, uri: str, user: str, database: str, batch: int) -> dict:
    """The same records, as plain parameter rows, written with the fewest possible statements."""
    from neo4j import GraphDatabase

    from ofai_graph.store import open_store
    from ofai_graph.store.base import entity_kind, entity_names
    from ofai_graph.text import fold_key

    source = open_store(db)
    # The same constraints and indexes, to be fair: opening the store makes them.
    open_store(uri, user=user, password=os.environ["NEO4J_PASSWORD"], database=database).close()
    driver = GraphDatabase.driver(uri, auth=(user, os.environ["NEO4J_PASSWORD"]))
    started = time.perf_counter()
    records = 0
    with driver.session(database=database) as session:

        def run(query: str, rows: list) -> None:
            if rows:
                session.execute_write(lambda tx: tx.run(query, rows=rows).consume())

        for data in source.iter_batches(batch):
            ents = data.entities()
            run(
                "UNWIND $rows AS r CREATE (:Entity {id: r.id, type: r.type, kind: r.kind, name: r.name, "
                "countries: r.countries, data: r.data})",
                [
                    {
                        "id": e.id,
                        "type": e.type,
                        "kind": entity_kind(e),
                        "name": e.name,
                        "countries": list(e.countries),
                        "data": e.model_dump_json(),
                    }
                    for e in ents
                ],
            )
            run(
                "UNWIND $rows AS r CREATE (:Name {key: r.key, entity_id: r.entity_id, label: r.label})",
                [
                    {"key": fold_key(n), "entity_id": e.id, "label": n}
                    for e in ents
                    for n in entity_names(e)
                    if fold_key(n)
                ],
            )
            run(
                "UNWIND $rows AS r MATCH (p:Entity {id: r.person}) MATCH (o:Entity {id: r.org}) CREATE (p)-[:AFFILIATED]->(o)",
                [
                    {"person": e.id, "org": a.organization}
                    for e in ents
                    for a in getattr(e, "affiliations", ())
                ],
            )

            def write_interactions(tx, inter=data.interactions) -> None:
                tx.run(
                    "UNWIND $rows AS r CREATE (:Interaction {id: r.id, date_start: r.start, date_end: r.end, "
                    "kind: r.kind, axis: r.axis, status: r.status, data: r.data})",
                    rows=[
                        {
                            "id": i.id,
                            "start": i.date.start.isoformat(),
                            "end": i.date.end.isoformat(),
                            "kind": i.kind.value,
                            "axis": i.axis.value if i.axis else None,
                            "status": i.status.value,
                            "data": i.model_dump_json(),
                        }
                        for i in inter
                    ],
                ).consume()
                tx.run(
                    "UNWIND $rows AS r MATCH (e:Entity {id: r.e}) MATCH (i:Interaction {id: r.i}) "
                    "CREATE (e)-[:PARTICIPATED {role: r.role}]->(i)",
                    rows=[{"i": i.id, "e": p[0], "role": p[1].value} for i in inter for p in i.participants],
                ).consume()

            if data.interactions:
                session.execute_write(write_interactions)
            run(
                "UNWIND $rows AS r CREATE (:FollowUp {id: r.id, interaction_id: r.i, status: r.status, data: r.data})",
                [
                    {"id": f.id, "i": f.interaction, "status": f.status.value, "data": f.model_dump_json()}
                    for f in data.followups
                ],
            )
            run(
                "UNWIND $rows AS r MATCH (a:Entity {id: r.s}) MATCH (b:Entity {id: r.t}) "
                "CREATE (a)-[:TIE {id: r.id, kind: r.kind, data: r.data}]->(b)",
                [
                    {
                        "id": t.id,
                        "s": t.source,
                        "t": t.target,
                        "kind": t.kind.value,
                        "data": t.model_dump_json(),
                    }
                    for t in data.ties
                ],
            )
            records += sum(data.counts().values())
    seconds = time.perf_counter() - started
    return {"records": records, "seconds": seconds, "rows_per_s": records / seconds, "peak_mb": _peak_mb()}


def phase_connect(db: str, uri: str, user: str, database: str, batch: int) -> dict:
    import datetime as dt

    from ofai_graph.store import open_store
    from ofai_graph.workspace import Workspace

    as_of = dt.date(2026, 1, 1)
    out = {}
    for name, store in (
        ("neo4j", open_store(uri, user=user, password=os.environ["NEO4J_PASSWORD"], database=database)),
        ("embedded", open_store(db)),
    ):
        ws = Workspace(store)
        t = time.perf_counter()
        first = ws.connect("Korea", k=5, as_of=as_of)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        ws.connect("Korea", k=5, as_of=as_of)
        warm = time.perf_counter() - t
        out[name] = {
            "cold_s": cold,
            "warm_s": warm,
            "paths": [p.nodes for p in first.paths],
            "peak_mb": _peak_mb(),
        }
    out["same_paths"] = out["neo4j"]["paths"] == out["embedded"]["paths"]
    return out


PHASES = {"push": phase_push, "bare": phase_bare, "connect": phase_connect}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--batch", type=int, default=5_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    ap.add_argument("--target", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](str(args.db), *args.target, args.batch)))
        return

    from ofai_graph.generate import generate
    from ofai_graph.importer import import_data
    from ofai_graph.store import open_store

    db = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    store = open_store(db, create=True)
    if store.counts()["interactions"] == 0:
        t = time.perf_counter()
        import_data(store, generate(args.entities, args.interactions, seed=42))
        print(f"generated and imported in {time.perf_counter() - t:.1f} s", flush=True)
    print("source:", store.counts(), flush=True)
    store.close()

    server = None
    if os.environ.get("NEO4J_URI"):
        uri, user = os.environ["NEO4J_URI"], os.environ.get("NEO4J_USERNAME", "neo4j")
        databases = (os.environ.get("NEO4J_DATABASE", "neo4j"),) * 2
        print(
            "NEO4J_URI is set: every phase writes to the same database; use --rounds 1 and clear it yourself"
        )
    else:
        import boltserver

        server = boltserver.start("scratch")
        uri, user, databases = server.uri, server.user, ("scratch", "scratch")
        os.environ["NEO4J_PASSWORD"] = server.password
    try:
        results: dict = {}

        def run(phase: str, database: str) -> dict:
            cmd = [
                sys.executable,
                __file__,
                "--phase",
                phase,
                "--db",
                str(db),
                "--batch",
                str(args.batch),
                "--target",
                uri,
                user,
                database,
            ]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if out.returncode:
                sys.exit(f"{phase} failed:\n{out.stderr[-3000:]}")
            got = json.loads(out.stdout.strip().splitlines()[-1])
            print(phase, database, json.dumps(got)[:400], flush=True)
            return got

        # The server's JIT warms up during the first run: alternate the two writers over fresh
        # databases and keep each one's best round.
        for n in range(args.rounds):
            for phase in ("push", "bare"):
                name = f"{phase}{n}"
                if server is not None:
                    server.create_database(name)
                got = run(phase, name if server is not None else databases[0])
                if phase not in results or got["rows_per_s"] > results[phase]["rows_per_s"]:
                    results[phase] = got
                if server is not None and n < args.rounds - 1:
                    server.drop_database(name)
        results["connect"] = run("connect", f"push{args.rounds - 1}" if server is not None else databases[0])
        ratio = results["push"]["rows_per_s"] / results["bare"]["rows_per_s"]
        print(
            f"\npush {results['push']['rows_per_s']:,.0f} records/s, bare UNWIND {results['bare']['rows_per_s']:,.0f} "
            f"records/s (best of {args.rounds}): {ratio:.2f} of the bare script's throughput (target >= 0.8)"
        )
        print(
            f"push peak RSS {results['push']['peak_mb']:,.0f} MB (bare {results['bare']['peak_mb']:,.0f} MB); "
            f"second push {results['push']['second_push_s']:.1f} s, changed: {results['push']['second_push_changed']}"
        )
        c = results["connect"]
        print(
            f"connect Korea k=5: neo4j {c['neo4j']['cold_s']:.2f} s cold / {c['neo4j']['warm_s']:.2f} s warm; "
            f"embedded {c['embedded']['cold_s']:.2f} s cold / {c['embedded']['warm_s']:.2f} s warm; same paths: {c['same_paths']}"
        )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
