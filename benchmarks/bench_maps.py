"""Map benchmark: generated networks of 2,000 entities / 10,000 ties and 10,000 / 50,000.

    python benchmarks/bench_maps.py              # both sizes
    python benchmarks/bench_maps.py --baseline   # and pyvis's defaults on the 2,000-node network

Run it on a quiet machine: the browser's figures are wall-clock times.

Measures (targets from the maps issues): writing the HTML, quarter slider included (2,000 nodes:
< 2 s), and the time until the page is interactive in headless Chromium at 1600x1000, network drawn
and no physics running (2,000 nodes: < 5 s; 10,000 nodes / 50,000 ties with the slider: < 10 s).
The write includes selecting, laying out, placing labels, the strength of every quarter for the
slider and the axes of every tie; the relationship graph itself is built once before.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [(2_000, 5_400, 2.0, 5.0), (10_000, 27_000, None, 10.0)]  # entities, interactions, targets


def main() -> None:
    import ofai_graph
    from ofai_graph.generate import generate
    from ofai_graph.maps import CHROMIUM_ARGS, chromium_path

    baseline = "--baseline" in sys.argv
    tmp = Path(tempfile.mkdtemp())
    as_of = dt.date(2026, 1, 1)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for entities, interactions, write_target, open_target in SIZES:
            ws = ofai_graph.open(":memory:")
            ws.import_data(generate(entities, interactions, seed=3))
            g = ws.relationship_graph(as_of)
            t, cpu = time.perf_counter(), time.process_time()
            m = ws.map(as_of=as_of)
            out = m.save(tmp / f"map-{entities}.html")
            t_write, cpu_write = time.perf_counter() - t, time.process_time() - cpu
            quarters = len(m.page.timeline.get("quarters", []))
            print(
                f"graph {g.number_of_nodes():,} nodes / {g.number_of_edges():,} edges; "
                f"map {m.node_count:,} / {m.edge_count:,}; slider {quarters} quarters; "
                f"file {out.stat().st_size / 1e6:.1f} MB"
            )
            target = f" (target < {write_target:.0f} s)" if write_target else ""
            # CPU time too: on a shared machine the wall clock also counts other people's work.
            print(f"  write        {t_write:6.2f} s wall, {cpu_write:6.2f} s CPU{target}")
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            t = time.perf_counter()
            page.goto(out.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=120_000)
            t_open = time.perf_counter() - t
            print(f"  interactive  {t_open:6.2f} s (target < {open_target:.0f} s; drawn, physics off)")
            t = time.perf_counter()
            page.eval_on_selector("#slider", "s => { s.value = '0'; s.dispatchEvent(new Event('input')); }")
            drawn = page.evaluate("ofaiMap.network.body.edgeIndices.length")
            print(f"  slider to the first quarter {time.perf_counter() - t:6.2f} s ({drawn:,} ties drawn)")
            page.close()
            if baseline and entities == 2_000:
                pyvis_baseline(g, tmp, browser)
            ws.close()
        browser.close()


def pyvis_baseline(g, tmp: Path, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from pyvis.network import Network

    t = time.perf_counter()
    net = Network(cdn_resources="in_line")
    for n, d in g.nodes(data=True):
        net.add_node(n, label=d.get("name", n), title=d.get("name", n))
    for a, b, d in g.edges(data=True):
        net.add_edge(a, b, value=d["score"])
    net.write_html(str(tmp / "pyvis.html"))
    print(f"  pyvis write  {time.perf_counter() - t:6.2f} s (defaults)")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    t = time.perf_counter()
    page.goto((tmp / "pyvis.html").as_uri())
    limit = 120
    try:
        page.wait_for_function(
            "typeof network !== 'undefined' && (network.physics.stabilized || !network.physics.physicsEnabled)",
            timeout=limit * 1000,
            polling=200,
        )
        print(f"  pyvis interactive {time.perf_counter() - t:6.2f} s (physics on, stabilized)")
    except PlaywrightTimeout:
        print(f"  pyvis interactive: not within {limit} s (physics still running)")
    page.close()


if __name__ == "__main__":
    main()
