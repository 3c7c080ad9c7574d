"""Neo4j backend benchmark: push throughput against a bare UNWIND script, and connect on both backends.

    python benchmarks/bench_neo4j.py [--entities N] [--interactions M] [--db PATH] [--batch B]
                                     [--rounds R] [--warmup W] [--warmup-db PATH] [--no-connect]

Starts ArcadeDB's Bolt server (tests/boltserver.py) on loopback, or uses NEO4J_URI if set, and in
the same run measures, each phase in its own process:
  push      `neo4j push`'s library call, sync.copy(): embedded store → an empty database;
  bare      a plain script writing the same graph (the same nodes, relationships and properties,
            the materialized STRENGTH pairs included; the graphs of both are counted and compared) to
            another empty database of the same server: rows read straight from the SQLite file (no
            validation, no change detection, no look-ups, the pairs copied from the file's table), one
            transaction per batch of the same size, one ``UNWIND … CREATE`` per record type, rows as
            lists, relationships created from the node just created or through ``MATCH`` on the
            indexed id: the ceiling;
  connect   Workspace.connect("Korea", k=5) on the pushed database against the embedded store.

The server's JIT compiles during the first writes (the first round costs it 3-4x the CPU of later
ones): ``--warmup`` rounds of both writers run first and are not counted (on ``--warmup-db``, a
smaller store, if given). Then the two writers alternate, each round over fresh databases, the one going first swapped every round; each round's
ratio push/bare is reported, and their median. Next to wall time, CPU seconds of the writer process
and of the server process (``/proc/PID/stat``) during the phase: on a shared machine wall time also
counts waiting for a core; for each writer, the records' share and the pairs' share of them. Peak memory is the writer process's own high-water mark (VmHWM).
With --db PATH the generated embedded store is kept and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _peak_mb() -> float:
    """This process's own peak RSS (VmHWM): ru_maxrss would include the parent's from before exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu() -> float:
    """The server's CPU seconds so far (0 for a server not started here)."""
    pid = os.environ.get("BENCH_SERVER_PID")
    return _cpu_seconds(int(pid)) if pid else 0.0


def phase_push(db: str, uri: str, user: str, database: str, batch: int) -> dict:
    from ofai_graph import sync
    from ofai_graph.store import open_store
    from ofai_graph.sync import copy

    source = open_store(db)
    target = open_store(uri, user=user, password=os.environ["NEO4J_PASSWORD"], database=database)
    # The records' time and the pairs' (their copy begins once the records are written).
    copy_pairs, marks = sync._copy_pairs, []

    def mark() -> tuple[float, float, float]:
        return time.perf_counter(), time.process_time(), _server_cpu()

    def timed(*args):  # type: ignore[no-untyped-def]
        marks.append(mark())
        copy_pairs(*args)

    sync._copy_pairs = timed
    marks.append(mark())
    r = copy(source, target, batch_size=batch)
    marks.append(mark())
    sync._copy_pairs = copy_pairs
    first, last = marks[0], marks[-1]
    cpu, server = last[1] - first[1], last[2] - first[2]
    names = ("records", "strength") if len(marks) == 3 else ("records",)
    sections = {n: [b - a for a, b in zip(marks[i], marks[i + 1], strict=True)] for i, n in enumerate(names)}
    # The idempotence check reads everything back: skipped on request (--no-second-push) for big stores.
    again = copy(source, target, batch_size=batch) if not os.environ.get("BENCH_NO_SECOND_PUSH") else None
    return {
        "records": r.records,
        "seconds": r.seconds,
        "cpu_s": cpu,
        "server_cpu_s": server,
        "rows_per_s": r.rows_per_second,
        "second_push_s": again.seconds if again else None,
        "second_push_changed": again.report.changed if again else None,
        "peak_mb": _peak_mb(),
        "sections": sections,
    }


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _with_participants(db, size: int):
    """Interaction rows, each with its participants as a last column, a batch at a time (a merge of
    two scans in id order, so that nothing is held but one batch)."""
    inter = db.execute(
        "SELECT id, date_start, date_end, kind, axis, status, data FROM interactions ORDER BY id"
    )
    parts = db.execute("SELECT interaction_id, entity_id, role FROM participants ORDER BY interaction_id")
    pending = parts.fetchone()
    for chunk in _chunks(inter, size):
        out = []
        for row in chunk:
            members = []
            while pending is not None and pending[0] == row[0]:
                members.append([pending[1], pending[2]])
                pending = parts.fetchone()
            out.append([*row, members])
        yield out


def phase_bare(db: str, uri: str, user: str, database: str, batch: int) -> dict:
    """The same graph, written by the shortest plain script: see the module doc."""
    import datetime as dt
    import sqlite3

    from neo4j import GraphDatabase

    from ofai_graph.store import open_store

    # The same constraints and indexes, to be fair: opening the store makes them.
    open_store(uri, user=user, password=os.environ["NEO4J_PASSWORD"], database=database).close()
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    driver = GraphDatabase.driver(uri, auth=(user, os.environ["NEO4J_PASSWORD"]))
    server = _server_cpu()
    started = time.perf_counter()
    cpu = time.process_time()
    records = 0

    # The pairs' recent contributions (strength_recent), kept on their relationships as lists.
    from ofai_graph.materialize import bucket_list

    recent: dict = {}
    for a, b, *row in src.execute("SELECT * FROM strength_recent ORDER BY a, b, m"):
        recent.setdefault((a, b), []).append(row)
    names = ("rq", "rm", "rst", "rp", "rpq", "rl", "rb")

    def pair(r: tuple) -> list:
        """A materialized pair (ofai_graph.materialize) as the STRENGTH relationship's properties."""
        a, b, ref, s, n, last, bits, first, buckets, key = r
        b_ = bucket_list(buckets)  # a BLOB since schema v4 (JSON text before)
        rows = recent.get((a, b), ())
        return [
            a,
            b,
            {
                **({k: [x[i] for x in rows] for i, k in enumerate(names)} if rows else {}),
                "pair": f"{a} {b}",
                "key": key,
                "ref": ref,
                "ref_date": dt.date.fromordinal(ref).isoformat(),
                "s": s,
                "n": n,
                "last": last,
                "bits": bits,
                "first": first,
                "bq": [x[0] for x in b_],
                "bs": [float(x[1]) for x in b_],
                "bn": [x[2] for x in b_],
                "bl": [x[3] for x in b_],
                "bb": [x[4] for x in b_],
            },
        ]

    def entity(r: tuple) -> list:
        return [r[0], r[1], r[2], r[3], r[4].split(",") if r[4] else [], r[5]]

    queries = {
        "entities": "UNWIND $rows AS r CREATE (:Entity {id: r[0], type: r[1], kind: r[2], name: r[3], "
        "countries: r[4], data: r[5]})",
        "names": "UNWIND $rows AS r CREATE (:Name {key: r[0], entity_id: r[1], label: r[2]})",
        "located": "UNWIND $rows AS r CREATE (:Located {country: r[0], entity_id: r[1], type: r[2], kind: r[3], "
        "name: r[4], countries: r[5]})",
        "affiliations": "UNWIND $rows AS r MATCH (p:Entity {id: r[0]}) MATCH (o:Entity {id: r[1]}) "
        "CREATE (p)-[:AFFILIATED]->(o)",
        "interactions": "UNWIND $rows AS r CREATE (i:Interaction {id: r[0], date_start: r[1], date_end: r[2], "
        "kind: r[3], axis: r[4], status: r[5], data: r[6]}) WITH i, r UNWIND r[7] AS p "
        "MATCH (e:Entity {id: p[0]}) CREATE (e)-[:PARTICIPATED {role: p[1]}]->(i)",
        "followups": "UNWIND $rows AS r CREATE (:FollowUp {id: r[0], interaction_id: r[1], status: r[2], "
        "due_end: r[3], owner: r[4], expected_from: r[5], data: r[6]})",
        "ties": "UNWIND $rows AS r CREATE (:Tie {id: r[0], source: r[1], target: r[2], kind: r[3], data: r[4]}) "
        "WITH r MATCH (a:Entity {id: r[1]}) MATCH (b:Entity {id: r[2]}) "
        "CREATE (a)-[:TIE {id: r[0], kind: r[3]}]->(b)",
        "strength": "UNWIND $rows AS r MATCH (a:Entity {id: r[0]}) MATCH (b:Entity {id: r[1]}) "
        "CREATE (a)-[s:STRENGTH]->(b) SET s = r[2]",
    }
    sources = [
        (
            "entities",
            map(
                entity,
                src.execute("SELECT id, type, kind, name, countries, data FROM entities ORDER BY type, id"),
            ),
        ),
        ("names", src.execute("SELECT key, entity_id, label FROM names")),
        (
            "located",  # (schema v5: one per country of an entity, with its summary's columns)
            (
                [c, *e[:4], e[4]]
                for e in map(entity, src.execute("SELECT id, type, kind, name, countries, '' FROM entities"))
                for c in dict.fromkeys(e[4])
            ),
        ),
        ("affiliations", src.execute("SELECT person_id, organization_id FROM affiliations")),
        ("interactions", None),
        (
            "followups",
            src.execute(
                "SELECT id, interaction_id, status, due_end, owner, expected_from, data FROM followups ORDER BY id"
            ),
        ),
        ("ties", src.execute("SELECT id, source, target, kind, data FROM ties ORDER BY id")),
        (
            "strength",
            map(
                pair,
                src.execute("SELECT a, b, ref, s, n, last, bits, first, buckets, key FROM strength_pairs"),
            ),
        ),
    ]
    sections: dict[str, list[float]] = {}
    with driver.session(database=database) as session:
        for section, rows in sources:
            t, c, sc = time.perf_counter(), time.process_time(), _server_cpu()
            chunks = _with_participants(src, batch) if rows is None else _chunks(map(list, rows), batch)
            for chunk in chunks:
                session.execute_write(lambda tx, q=queries[section], c=chunk: tx.run(q, rows=c).consume())
                if section not in ("names", "located", "affiliations", "strength"):
                    records += len(chunk)
            sections[section] = [time.perf_counter() - t, time.process_time() - c, _server_cpu() - sc]
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    server = _server_cpu() - server
    driver.close()
    return {
        "records": records,
        "seconds": seconds,
        "cpu_s": cpu,
        "server_cpu_s": server,
        "rows_per_s": records / seconds,
        "peak_mb": _peak_mb(),
        "sections": sections,
    }


def phase_graph(db: str, uri: str, user: str, database: str, batch: int) -> dict:
    """What a database holds: nodes per label, relationships per type (to check both writers wrote the same)."""
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(uri, auth=(user, os.environ["NEO4J_PASSWORD"]))
    out = {}
    for label in ("Entity", "Name", "Located", "Interaction", "FollowUp", "Tie"):
        out[label] = driver.execute_query(f"MATCH (n:{label}) RETURN count(n)", database_=database)[0][0][0]
    for rel in ("PARTICIPATED", "AFFILIATED", "TIE", "STRENGTH"):
        out[rel] = driver.execute_query(f"MATCH (:Entity)-[r:{rel}]->() RETURN count(r)", database_=database)[
            0
        ][0][0]
    out["pairs with their pair id"] = driver.execute_query(
        "MATCH (:Entity)-[r:STRENGTH]->() WHERE r.pair IS NOT NULL RETURN count(r)", database_=database
    )[0][0][0]
    out["recent contributions"] = driver.execute_query(
        "MATCH (:Entity)-[r:STRENGTH]->() WHERE r.rm IS NOT NULL RETURN sum(size(r.rm))", database_=database
    )[0][0][0]
    driver.close()
    return out


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


PHASES = {"push": phase_push, "bare": phase_bare, "graph": phase_graph, "connect": phase_connect}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--batch", type=int, default=5_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=1, help="uncounted rounds of both writers first")
    ap.add_argument("--warmup-db", type=Path, help="a (smaller) embedded store for the warm-up rounds")
    ap.add_argument("--no-connect", action="store_true", help="measure the push only")
    ap.add_argument("--no-second-push", action="store_true", help="skip the idempotence check (a second push)")
    ap.add_argument(
        "--root",
        type=Path,
        help="keep the server's files here (the last pushed database survives the run: "
        "bench_scale.py --neo4j-root reuses it); the password goes to ROOT/password",
    )
    ap.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    ap.add_argument("--target", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.no_second_push:
        os.environ["BENCH_NO_SECOND_PUSH"] = "1"
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
        print(
            "NEO4J_URI is set: every phase writes to the same database; use --rounds 1 --warmup 0 and "
            "clear it yourself between runs"
        )
    else:
        import boltserver

        if args.root is not None:
            args.root.mkdir(parents=True, exist_ok=True)
            (args.root / "password").write_text(secret := boltserver.secrets.token_hex(12))
            server = boltserver.start("scratch", root=args.root, password=secret)
        else:
            server = boltserver.start("scratch")
        uri, user = server.uri, server.user
        os.environ["NEO4J_PASSWORD"] = server.password
    try:

        def run(phase: str, database: str, source: Path = db) -> dict:
            cmd = [
                sys.executable,
                __file__,
                "--phase",
                phase,
                "--db",
                str(source),
                "--batch",
                str(args.batch),
            ]
            cmd += ["--target", uri, user, database]
            env = {**os.environ, "BENCH_SERVER_PID": str(server.process.pid)} if server is not None else None
            out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
            if out.returncode:
                sys.exit(f"{phase} failed:\n{out.stderr[-3000:]}")
            return json.loads(out.stdout.strip().splitlines()[-1])

        database = os.environ.get("NEO4J_DATABASE", "neo4j")
        rounds: list[dict] = []
        for n in range(args.warmup + args.rounds):
            counted = n >= args.warmup
            got: dict = {}
            for phase in ("bare", "push") if n % 2 == 0 else ("push", "bare"):
                name = f"{phase}{n}"
                if server is not None:
                    server.create_database(name)
                source = db if counted or args.warmup_db is None else args.warmup_db
                got[phase] = run(phase, name if server is not None else database, source)
                got[phase]["graph"] = run("graph", name if server is not None else database)
                r = got[phase]
                print(
                    f"{'round' if counted else 'warm-up'} {n}: {phase:4s} {r['records']:,} records in "
                    f"{r['seconds']:.1f} s ({r['rows_per_s']:,.0f}/s), CPU {r['cpu_s']:.1f} s writer + "
                    f"{r['server_cpu_s']:.1f} s server, peak {r['peak_mb']:,.0f} MB",
                    flush=True,
                )
                parts = r.get("sections") or {}
                if "strength" in parts:
                    rec = [sum(v[i] for k, v in parts.items() if k != "strength") for i in range(3)]
                    print(
                        "    "
                        + ", ".join(
                            f"{name} {w:.1f} s (CPU {c:.1f} s + {sc:.1f} s server)"
                            for name, (w, c, sc) in (("records", rec), ("pairs", parts["strength"]))
                        ),
                        flush=True,
                    )
                if server is not None and not (phase == "push" and n == args.warmup + args.rounds - 1):
                    server.drop_database(name)
            if got["push"]["graph"] != got["bare"]["graph"]:
                sys.exit(
                    f"the two writers wrote different graphs: {got['push']['graph']} vs {got['bare']['graph']}"
                )
            ratio = got["push"]["rows_per_s"] / got["bare"]["rows_per_s"]
            print(f"  push/bare {ratio:.2f}; graph {got['push']['graph']}", flush=True)
            if counted:
                rounds.append({**got, "ratio": ratio})
        push = [r["push"] for r in rounds]
        bare = [r["bare"] for r in rounds]
        ratios = [r["ratio"] for r in rounds]
        median = statistics.median
        print(
            f"\npush {median(p['rows_per_s'] for p in push):,.0f} records/s, bare UNWIND "
            f"{median(b['rows_per_s'] for b in bare):,.0f} records/s (medians of {len(rounds)} rounds); "
            f"push/bare per round: {', '.join(f'{x:.2f}' for x in ratios)}; median {median(ratios):.2f} "
            "(target >= 0.8)"
        )
        if server is not None:
            pc = median(p["cpu_s"] + p["server_cpu_s"] for p in push)
            bc = median(b["cpu_s"] + b["server_cpu_s"] for b in bare)
            print(
                f"CPU (writer + server, median): push {pc:.1f} s (writer {median(p['cpu_s'] for p in push):.1f} s), "
                f"bare {bc:.1f} s (writer {median(b['cpu_s'] for b in bare):.1f} s): bare/push {bc / pc:.2f}"
            )
        print(
            f"push peak RSS {max(p['peak_mb'] for p in push):,.0f} MB (bare {max(b['peak_mb'] for b in bare):,.0f} MB); "
            f"second push {push[-1]['second_push_s']} s, changed: {push[-1]['second_push_changed']}"
        )
        if args.no_connect:
            return
        last = f"push{args.warmup + args.rounds - 1}" if server is not None else database
        c = run("connect", last)
        print(
            f"connect Korea k=5: neo4j {c['neo4j']['cold_s']:.2f} s cold / {c['neo4j']['warm_s']:.2f} s warm; "
            f"embedded {c['embedded']['cold_s']:.2f} s cold / {c['embedded']['warm_s']:.2f} s warm; same paths: {c['same_paths']}"
        )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
