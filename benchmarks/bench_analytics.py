"""Analytics benchmark on a generated graph (default 100,000 entities, 1,000,000 interactions).

    python benchmarks/bench_analytics.py [--entities N] [--interactions M] [--db PATH]

With --db PATH the generated store is kept there and reused on the next run (importing a million
interactions takes a while). Measures, in one process:
  load          reading all participations and ties from the store (the graph's raw material);
  score         relationship_graph(): scoring every pair (targets: < 15 s);
  nx-baseline   the same pairing of participants done by direct networkx calls (edge weight = shared
                interactions), for our overhead (target <= 1.5x);
  connect       k_best_paths(k=5, max_hops=4) from the office to a country (target < 1 s);
  nx-connect    networkx.shortest_simple_paths on the same graph and targets, first 5 paths;
  cli           `ofai-graph connect Korea` on the seed data, process start to answer (target < 0.5 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    secs = time.perf_counter() - t
    print(f"{label:12s} {secs:8.2f} s", flush=True)
    return out, secs


def main() -> None:
    import networkx as nx

    from ofai_graph.generate import generate
    from ofai_graph.importer import import_data
    from ofai_graph.paths import k_best_paths
    from ofai_graph.store import open_store
    from ofai_graph.strength import relationship_graph

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    store = open_store(db, create=True)
    if store.counts()["interactions"] == 0:
        timed("import", lambda: import_data(store, generate(args.entities, args.interactions, seed=42)))
    as_of = dt.date(2026, 1, 1)
    parts, t_load = timed("load", lambda: list(store.participations()))
    g, t_score = timed("score", lambda: relationship_graph(store, as_of=as_of))
    print(f"             {g.number_of_nodes():,} nodes, {g.number_of_edges():,} scored pairs")

    def baseline() -> nx.Graph:
        # The same pairing done directly with networkx calls: every pair of participants of every
        # interaction gets an edge whose weight counts their shared interactions (no kinds, roles,
        # outcomes, recency or reciprocity). networkx's own bipartite.weighted_projected_graph does
        # not finish on this graph: it intersects the office's 700,000 neighbours once per partner.
        b = nx.Graph()
        for _, group in itertools.groupby(parts, key=lambda p: p[0]):
            members = sorted({p[5] for p in group})
            for i, a in enumerate(members):
                for c in members[i + 1 :]:
                    if b.has_edge(a, c):
                        b[a][c]["weight"] += 1
                    else:
                        b.add_edge(a, c, weight=1)
        return b

    _, t_base = timed("nx-baseline", baseline)
    print(
        f"score / nx-baseline: {(t_score - 0) / (t_base + t_load):.2f}x (ours includes its own read of the store)"
    )
    targets = [n for n, d in g.nodes(data=True) if "KR" in (d.get("countries") or ()) and n != "ofai"]
    paths, t_conn = timed(
        "connect", lambda: k_best_paths(g, "ofai", targets, k=5, max_hops=4, distinct=False)
    )

    sink = "\x00sink"  # one virtual node joined to every target at zero cost

    def nx_connect() -> list[list[str]]:
        g.add_edges_from((t, sink) for t in targets)
        for t in targets:
            g[t][sink]["cost"] = 0.0
        try:
            return [
                p[:-1] for p in itertools.islice(nx.shortest_simple_paths(g, "ofai", sink, weight="cost"), 5)
            ]
        finally:
            g.remove_node(sink)

    base_paths, t_nx = timed("nx-connect", nx_connect)
    cost = [round(sum(g[a][b]["cost"] for a, b in itertools.pairwise(p)), 9) for p in paths]
    base_cost = [round(sum(g[a][b]["cost"] for a, b in itertools.pairwise(p)), 9) for p in base_paths]
    print(f"connect / nx: {t_conn / t_nx:.2f}x; same path costs: {cost == base_cost}")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "OFAI_GRAPH_DB": f"{tmp}/seed.db"}
        subprocess.run(
            [sys.executable, "-m", "ofai_graph", "init", "--seed"], env=env, check=True, capture_output=True
        )
        best = min(
            timed(
                "cli",
                lambda: subprocess.run(
                    [sys.executable, "-m", "ofai_graph", "connect", "Korea"], env=env, capture_output=True
                ),
            )[1]
            for _ in range(5)
        )
        print(f"cli connect Korea on the seed, best of 5: {best:.2f} s")


if __name__ == "__main__":
    main()
