"""Map benchmark: a generated network of about 2,000 entities and 10,000 ties.

    python benchmarks/bench_maps.py

Measures (targets from the maps issue): writing the HTML (< 2 s) and the time until the page is
interactive in headless Chromium, network drawn and no physics running (< 5 s); and the same two
figures for pyvis's defaults (physics on, its own template) as the baseline.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    import ofai_graph
    from ofai_graph.generate import generate
    from ofai_graph.maps import CHROMIUM_ARGS, chromium_path

    ws = ofai_graph.open(":memory:")
    ws.import_data(generate(2000, 5400, seed=3))
    as_of = dt.date(2026, 1, 1)
    g = ws.relationship_graph(as_of)
    t = time.perf_counter()
    m = ws.map(as_of=as_of)
    tmp = Path(tempfile.mkdtemp())
    ours = m.save(tmp / "ours.html")
    t_ours = time.perf_counter() - t
    print(
        f"graph: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges; map: {m.node_count:,} / {m.edge_count:,}"
    )
    print(f"ours   write {t_ours:6.2f} s (includes selecting, encoding and the layout)")

    from pyvis.network import Network

    t = time.perf_counter()
    net = Network(cdn_resources="in_line")
    for n, d in g.nodes(data=True):
        net.add_node(n, label=d.get("name", n), title=d.get("name", n))
    for a, b, d in g.edges(data=True):
        net.add_edge(a, b, value=d["score"])
    net.write_html(str(tmp / "pyvis.html"))
    t_pyvis = time.perf_counter() - t
    print(f"pyvis  write {t_pyvis:6.2f} s (defaults)")

    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        t = time.perf_counter()
        page.goto(ours.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        print(f"ours   interactive {time.perf_counter() - t:6.2f} s (drawn, physics off)")
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        t = time.perf_counter()
        page.goto((tmp / "pyvis.html").as_uri())
        # pyvis's page: interactive when its stabilization has finished (or physics is off).
        limit = 120
        try:
            page.wait_for_function(
                "typeof network !== 'undefined' && (network.physics.stabilized || !network.physics.physicsEnabled)",
                timeout=limit * 1000,
                polling=200,
            )
            print(f"pyvis  interactive {time.perf_counter() - t:6.2f} s (physics on, stabilized)")
        except PlaywrightTimeout:
            print(
                f"pyvis  interactive: not within {limit} s (physics still running on {m.node_count:,} nodes)"
            )
        browser.close()


if __name__ == "__main__":
    main()
