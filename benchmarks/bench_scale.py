"""Query latency on a large store, with strength materialized (issue #15).

    python benchmarks/bench_scale.py [--entities 100000] [--interactions 1000000] [--db PATH] [--neo4j]
                                     [--commands connect,strength,dormant,... | all] [--only]

The generated store is kept and reused (importing a million interactions takes a while): --db PATH, by
default /tmp/scale-stores/bench-ENTITIES-INTERACTIONS.db.
Measures, each command in a fresh process, warm (one untimed run first; on Neo4j --neo4j-warmup runs, the
server having just started), the median of --rounds runs,
wall and CPU (user + system) seconds — the machine is shared: CPU time is the steadier figure:
  bare         python -c "import networkx, pydantic, click"  (the floor of any Python CLI here)
  connect      ofai-graph connect Korea                     (target: <= 3x bare embedded, 6x Neo4j)
  strength     ofai-graph strength --top 10                 (same targets)
  dormant, show (org-7), followups, overdue, brokers, map, map-country (KR), ask-cold, ask-pending,
  ask-show     with --commands (names in COMMANDS); --only measures just those (no add, no rebuild)
  peak         the largest resident set of those commands   (target: <= 300 MB)
  add          one interaction written with its strength update, in process (target: <= 50 ms)
  fresh        after that add, `strength ofai PARTNER` counts the new interaction
  rebuild      ofai-graph rebuild, process start to end     (target: <= 15 s embedded)
With --neo4j, the store is also pushed to ArcadeDB's Bolt server (tests/boltserver.py) and the same
commands run with --backend neo4j.
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


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """(seconds, peak MB, stdout, CPU seconds) of one process."""
    t = time.perf_counter()
    p = subprocess.run(
        ["/usr/bin/time", "-f", "%M %U %S", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    secs = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{p.stderr[-2000:]}")
    peak, user, system = p.stderr.strip().splitlines()[-1].split()
    return secs, int(peak) / 1024, p.stdout, float(user) + float(system)


def timed(args: list[str], env: dict[str, str], rounds: int, warmup: int = 1) -> tuple[float, float, str, float]:
    for _ in range(warmup):  # warm: the page cache and Python's bytecode cache (and a server's JIT)
        run(args, env)
    results = [run(args, env) for _ in range(rounds)]
    return (
        statistics.median(r[0] for r in results),
        max(r[1] for r in results),
        results[-1][2],
        statistics.median(r[3] for r in results),
    )


# Each command a user runs on the store, by name (--commands), and its target in multiples of bare
# (issue #15: about a second; 3x bare embedded, 6x on Neo4j).
COMMANDS = {
    "connect": ["connect", "Korea"],
    "strength": ["strength", "--top", "10"],
    "dormant": ["dormant"],
    "show": ["show", "org-7"],
    "followups": ["followups"],
    "overdue": ["followups", "--overdue"],
    "brokers": ["brokers"],
    "map": ["map", "--out", os.path.join(tempfile.gettempdir(), "bench-scale-map.html")],
    "map-country": ["map", "--country", "KR", "--out", os.path.join(tempfile.gettempdir(), "bench-scale-map.html")],
    "ask-cold": ["ask", "¿qué relaciones se están enfriando?"],
    "ask-pending": ["ask", "¿qué está pendiente?"],
    "ask-show": ["ask", "¿qué sabemos de org-7?"],
}
TARGET_X_BARE = {"embedded": 3.0, "neo4j": 6.0}


def measure(
    label: str,
    cli: list[str],
    env: dict[str, str],
    rounds: int,
    bare: tuple[float, float],
    names: list[str],
    warmup: int = 1,
) -> dict:
    out: dict = {}
    for name, args in ((n, COMMANDS[n]) for n in names):
        secs, peak, _, cpu = timed([*cli, *args], env, rounds, warmup)
        out[name] = {
            "seconds": round(secs, 3),
            "cpu_seconds": round(cpu, 3),
            "peak_mb": round(peak),
            "x_bare": round(secs / bare[0], 2),
            "x_bare_cpu": round(cpu / bare[1], 2),
        }
        target = TARGET_X_BARE.get(label, 3.0)
        print(
            f"{label:8s} {name:11s} {secs:7.3f} s ({secs / bare[0]:5.2f}x bare)  cpu {cpu:6.3f} s "
            f"({cpu / bare[1]:5.2f}x bare; target {target:g}x: {'met' if cpu / bare[1] <= target else 'not met'})  "
            f"peak {peak:5.0f} MB",
            flush=True,
        )
    return out


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a process has used so far (Linux), 0 without one."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def add_and_check(  # type: ignore[no-untyped-def]
    store, cli: list[str], env: dict[str, str], label: str, bare: tuple[float, float], server_pid: int | None = None
) -> dict:
    from ofai_graph.importer import import_data

    partner = "org-7"
    before = json.loads(run([*cli, "--json", "--as-of", "2026-06-01", "strength", "ofai", partner], env)[2])[
        "interactions"
    ]
    times: list[float] = []
    cpus: list[float] = []
    server_cpus: list[float] = []  # the server's (its JIT compiler's threads included), when started here
    for k in range(5):
        record = {
            "id": f"bench-add-{time.time_ns()}-{k}",
            "date": "2026-01-15",
            "kind": "visit",
            "title": "Visita de referencia",
            "participants": [{"entity": "ofai", "role": "host"}, {"entity": partner, "role": "participant"}],
        }
        t, c, sc = time.perf_counter(), time.process_time(), process_cpu(server_pid)
        import_data(store, {"interactions": [record]})
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        server_cpus.append(process_cpu(server_pid) - sc)
    # A user's `add` is a process of its own (`ofai-graph add interaction`), against a server that has
    # run for a while: three of them, process start to exit, after the adds above.
    procs = []
    for k in range(3):
        args = ["add", "interaction", "--id", f"bench-cli-add-{time.time_ns()}-{k}", "--date", "2026-01-15"]
        args += ["--kind", "visit", "--title", "Visita de referencia", "--participant", "ofai:host"]
        procs.append(run([*cli, *args, "--participant", f"{partner}:participant"], env))
    after = json.loads(run([*cli, "--json", "--as-of", "2026-06-01", "strength", "ofai", partner], env)[2])
    ms, cpu_ms = statistics.median(times) * 1000, statistics.median(cpus) * 1000
    cli_add = statistics.median(p[0] for p in procs)
    # Every add shown, the first too: on a server just started (the benchmark's case on Neo4j) the first
    # write pays for the server's first plans and compiled code, and this process's first use of the
    # write path (imports, validation models) shows in its CPU.
    each = " / ".join(f"{t * 1000:.0f}" for t in times)
    each_cpu = " / ".join(f"{c * 1000:.0f}" for c in cpus)
    each_server = f", server cpu {' / '.join(f'{c * 1000:.0f}' for c in server_cpus)} ms" if server_pid else ""
    print(
        f"{label:8s} add       {ms:7.1f} ms, cpu {cpu_ms:.1f} ms (median of 5, in process; first {times[0] * 1000:.0f} ms; "
        f"each {each} ms, cpu {each_cpu} ms{each_server}); `add interaction` as a process "
        f"{cli_add:.3f} s ({cli_add / bare[0]:.2f}x bare; each {' / '.join(f'{p[0]:.3f}' for p in procs)} s, "
        f"peak {max(p[1] for p in procs):.0f} MB); the next query counts them: "
        f"{after['interactions']} interactions (was {before})",
        flush=True,
    )
    return {
        "add_ms": round(ms, 1),
        "add_cpu_ms": round(cpu_ms, 1),
        "add_each_ms": [round(t * 1000, 1) for t in times],
        "add_each_cpu_ms": [round(c * 1000, 1) for c in cpus],
        "add_each_server_cpu_ms": [round(c * 1000, 1) for c in server_cpus] if server_pid else None,
        "cli_add_s": round(cli_add, 3),
        "counted": after["interactions"] == before + 8,
    }


def main() -> None:
    from ofai_graph.generate import generate
    from ofai_graph.importer import import_data
    from ofai_graph.store import open_store

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--neo4j", action="store_true")
    ap.add_argument(
        "--neo4j-root",
        type=Path,
        help="with --neo4j: the server files kept by bench_neo4j.py --root (password in ROOT/password): "
        "no push, the database --neo4j-database there is measured",
    )
    ap.add_argument("--neo4j-database", default="push1")
    ap.add_argument("--skip-embedded", action="store_true", help="with --neo4j: measure Neo4j only")
    ap.add_argument(
        "--neo4j-warmup",
        type=int,
        default=6,
        help="with --neo4j: untimed runs of each command first (default 6). The server was just started "
        "and its JVM compiles as it goes: `connect Korea` took 6.5, 3.9, 2.9, 2.6, 2.0, 1.8, 1.7, 1.6 s "
        "in its first eight runs on the million; a server in use is past that",
    )
    ap.add_argument(
        "--commands",
        default="connect,strength",
        help=f"which commands to measure, comma-separated, or 'all' ({', '.join(COMMANDS)})",
    )
    ap.add_argument("--only", action="store_true", help="only those commands: no add, no rebuild")
    args = ap.parse_args()
    names = list(COMMANDS) if args.commands == "all" else args.commands.split(",")
    if unknown := [n for n in names if n not in COMMANDS]:
        ap.error(f"unknown command {', '.join(unknown)}: use {', '.join(COMMANDS)}")
    db = args.db or Path(tempfile.gettempdir()) / "scale-stores" / f"bench-{args.entities}-{args.interactions}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(db, create=True)
    if store.counts()["interactions"] == 0:
        t = time.perf_counter()
        import_data(store, generate(args.entities, args.interactions, seed=42))
        print(f"import   {time.perf_counter() - t:7.1f} s (materialization included)", flush=True)
    # (without PYTHONDONTWRITEBYTECODE: the untimed first run leaves the bytecode cache warm, as a
    # pip-installed ofai-graph's is; else every run compiles ofai-graph's modules again, ~0.1 s)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEO4J_", "OFAI_GRAPH")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    py = sys.executable
    bare_s, _, _, bare_cpu = timed([py, "-c", "import networkx, pydantic, click"], env, args.rounds)
    bare = (bare_s, bare_cpu)
    print(f"bare              {bare_s:7.3f} s  cpu {bare_cpu:6.3f} s", flush=True)
    cli = [py, "-m", "ofai_graph", "--db", str(db)]
    results: dict = {"bare": bare}
    if not (args.neo4j and args.skip_embedded):
        results["embedded"] = measure("embedded", cli, env, args.rounds, bare, names)
        if args.only:
            print(json.dumps(results, indent=1))
            return
        results["embedded"].update(add_and_check(store, cli, env, "embedded", bare))
        secs, peak, _, cpu = run([*cli, "rebuild"], env)
        print(f"embedded rebuild   {secs:7.2f} s  cpu {cpu:6.2f} s  peak {peak:5.0f} MB", flush=True)
        results["embedded"]["rebuild"] = {"seconds": round(secs, 2), "cpu_seconds": round(cpu, 2), "peak_mb": round(peak)}
    if args.neo4j:
        import boltserver

        from ofai_graph.sync import copy

        if args.neo4j_root:
            secret = (args.neo4j_root / "password").read_text().strip()
            server = boltserver.start(args.neo4j_database, root=args.neo4j_root, password=secret, create=False)
        else:
            server = boltserver.start()
        try:
            neo = open_store(server.uri, user=server.user, password=server.password, database=server.database)
            if not args.neo4j_root:
                t = time.perf_counter()
                copy(store, neo)
                print(f"neo4j    push     {time.perf_counter() - t:7.1f} s", flush=True)
            print("neo4j    store   ", neo.counts(), flush=True)
            nenv = {**env, **server.env()}
            ncli = [py, "-m", "ofai_graph", "--backend", "neo4j"]
            results["neo4j"] = measure("neo4j", ncli, nenv, args.rounds, bare, names, args.neo4j_warmup)
            pid = server.process.pid if server.process is not None else None
            results["neo4j"].update(add_and_check(neo, ncli, nenv, "neo4j", bare, pid))
            neo.close()
        finally:
            server.stop()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
