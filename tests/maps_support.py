"""What the map tests share: the dates and hostile names they use, and how they read a page in Chromium.

The maps themselves are fixtures (``seed_map``, ``route_map``, ``hostile_map``, ``browser``) in conftest.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
from typing import Any

import pytest

from ofai_graph.errors import OfaiError

AS_OF = dt.date(2024, 3, 31)
HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "href=javascript:alert(1)"]


def hostile_data() -> dict[str, Any]:
    """Entities named like markup, with an interaction each and a follow-up."""
    return {
        "organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]
        + [
            {"id": f"h{i}", "name": name, "kind": "company", "aliases": [name]}
            for i, name in enumerate(HOSTILE)
        ],
        "interactions": [
            {
                "id": f"m{i}",
                "date": "2024-03",
                "kind": "meeting",
                "title": HOSTILE[i],
                "participants": [{"entity": "ofai"}, {"entity": f"h{i}"}],
            }
            for i in range(len(HOSTILE))
        ],
        "followups": [{"id": "f1", "description": HOSTILE[0], "owner": "ofai", "expected_from": "h0"}],
    }


def crossing_data() -> dict[str, Any]:
    """Five routes to Japan shaped like the seed's to Korea: the direct one strongest, then one through
    an institute that two more routes cross, with partners of the office all around.

    Laid out as before the lanes were chosen (each route stretched over the width, a lane each, in
    the order of their strength), the institute stood exactly on the direct route's line.
    """
    orgs = [
        {"id": "o", "name": "Oficina", "kind": "home_office"},
        {"id": "t", "name": "Gobierno de Japón", "kind": "foreign_government", "countries": ["JP"]},
        {"id": "t2", "name": "Programa japonés", "kind": "initiative", "countries": ["JP"]},
        {"id": "m", "name": "Instituto de Cultura", "kind": "decentralized_entity"},
        {"id": "a", "name": "Alcaldía", "kind": "local_government"},
        {"id": "b", "name": "Banco regional", "kind": "multilateral"},
        {"id": "c", "name": "Centro cultural", "kind": "initiative"},
    ] + [{"id": f"f{i}", "name": f"Aliado {i}", "kind": "company"} for i in range(14)]
    meetings: list[dict[str, Any]] = []

    def meet(who: list[str], times: int, month: int = 3) -> None:
        for k in range(times):
            meetings.append(
                {
                    "id": f"i{len(meetings)}",
                    "date": f"2024-{month:02d}-{1 + k:02d}",
                    "kind": "meeting",
                    "title": f"Reunión {len(meetings)}",
                    "participants": [{"entity": w} for w in who],
                }
            )

    meet(["o", "t"], 3)
    meet(["o", "m"], 4)
    meet(["m", "t"], 2)
    meet(["o", "b"], 2)
    meet(["b", "t2"], 2)
    meet(["o", "a"], 5)
    meet(["a", "m"], 3)
    meet(["m", "c"], 2)
    meet(["c", "t"], 1)
    for i in range(14):
        meet(["o", f"f{i}"], 1 + i % 3, month=1 + i % 3)
        if i % 2:
            meet([["a", "m", "c", "b"][i % 4], f"f{i}"], 1, month=2)
    return {"organizations": orgs, "interactions": meetings}


def people_terms(ws: Any) -> set[str]:
    """Every name, alias, id and name word (over three letters) of every person in the store."""
    people = ws.dataset().people
    assert people
    return {t for p in people for t in [p.id, p.name, *p.aliases, *p.name.split()] if len(t) > 3}


# -- in a real browser ------------------------------------------------------------------------------


def chromium() -> str | None:
    from ofai_graph.maps import chromium_path

    try:
        return chromium_path()
    except OfaiError:
        return None


def launch_browser() -> Any:
    """Chromium through Playwright, as a generator for a fixture (skipped without it, but not in CI)."""
    path = chromium()
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium")
        pytest.skip("no chromium on this machine")
    from playwright.sync_api import sync_playwright

    from ofai_graph.maps import CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(
    browser: Any, tmp_path: Any, m: Any, name: str = "map.html"
) -> tuple[Any, dict[str, list[str]]]:
    path = tmp_path / name
    m.save(path)
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    seen: dict[str, list[str]] = {"dialogs": [], "requests": [], "errors": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: seen["requests"].append(r.url) if not r.url.startswith(("file:", "data:")) else None,
    )
    page.on("console", lambda msg: seen["errors"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page, seen


def drawn(page: Any, what: str = "node") -> int:
    return int(page.evaluate(f"ofaiMap.network.body.{what}Indices.length"))


# The label boxes vis-network drew (its own measure of each label), in page pixels.
LABEL_BOXES = """() => {
  const net = ofaiMap.network, boxes = [];
  const W = net.canvas.frame.clientWidth, H = net.canvas.frame.clientHeight;
  for (const id of net.body.nodeIndices) {
    const n = net.body.nodes[id];
    if (!n.options.label) continue;
    const s = n.labelModule.size;
    const v = n.labelModule.fontOptions.vadjust || 0;  // the text is drawn vadjust below its box
    const a = net.canvasToDOM({x: s.left, y: s.top + v});
    const b = net.canvasToDOM({x: s.left + s.width, y: s.top + v + s.height});
    boxes.push({id: String(id), l: a.x, t: a.y, r: b.x, b: b.y});
  }
  const over = new Set();
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const p = boxes[i], q = boxes[j];
    if (p.l < q.r && q.l < p.r && p.t < q.b && q.t < p.b) { over.add(p.id); over.add(q.id); }
  }
  const outside = boxes.filter(x => x.l < 0 || x.t < 0 || x.r > W || x.b > H).map(x => x.id);
  return {labels: boxes.length, overlapping: Array.from(over), outside: outside};
}"""

# Where vis-network drew each entity (centre and radius) and each tie (ends, width, on a route or
# not; a curved one as 64 points along the curve it drew), in its canvas units.
# (network.getPositions() says the same, cut to whole units.)
DRAWN_GEOMETRY = """() => {
  const net = ofaiMap.network, body = net.body;
  const onRoute = new Set(ofaiMap.edges.get({filter: e => !!e.routeLabel}).map(e => String(e.id)));
  const nodes = body.nodeIndices.map(id => {
    const n = body.nodes[id];
    return {id: String(id), x: n.x, y: n.y, r: n.options.size};
  });
  const lines = body.edgeIndices.map(id => {
    const e = body.edges[id], smooth = e.options.smooth, curve = [];
    if (smooth && smooth.enabled) {
      for (let t = 0; t <= 64; t++) { const q = e.edgeType.getPoint(t / 64); curve.push([q.x, q.y]); }
    }
    return {from: String(e.fromId), to: String(e.toId), width: e.options.width, route: onRoute.has(String(id)),
            curve: curve};
  });
  return {nodes: nodes, lines: lines};
}"""


def page_geometry(m: Any) -> dict[str, Any]:
    """What DRAWN_GEOMETRY reads in the browser, from the map's own page data: where Python put each entity
    and tie (a curved one as points along the curve vis-network draws for it)."""
    from ofai_graph.maps.clearing import curve_points

    at = {n["id"]: (n["x"], n["y"]) for n in m.page.nodes}
    lines = []
    for e in m.page.edges:
        smooth = e.get("smooth") or {}
        curve = (
            curve_points(at[e["from"]], at[e["to"]], smooth["type"], smooth["roundness"], 64)
            if smooth
            else []
        )
        lines.append(
            {
                "from": e["from"],
                "to": e["to"],
                "width": e["width"],
                "route": bool(e.get("routeLabel")),
                "curve": [tuple(q) for q in curve],
            }
        )
    nodes = [{"id": n["id"], "x": n["x"], "y": n["y"], "r": n["size"]} for n in m.page.nodes]
    return {"nodes": nodes, "lines": lines}


def segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """How far point ``p`` is from the segment ``a``-``b``."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def lines_over_entities(geometry: dict[str, Any], *, routes_only: bool) -> list[tuple[str, str, str]]:
    """(one end, other end, entity) for each drawn line (straight, or the points of a curve) that passes
    over the disc of an entity that is not one of its ends: what a reader takes for a route (or a tie)
    through that entity."""
    nodes = {n["id"]: n for n in geometry["nodes"]}
    over = []
    for line in geometry["lines"]:
        if routes_only and not line["route"]:
            continue
        a, b = nodes[line["from"]], nodes[line["to"]]
        points = [tuple(q) for q in line.get("curve") or []] or [(a["x"], a["y"]), (b["x"], b["y"])]
        for n in geometry["nodes"]:
            if n["id"] in (line["from"], line["to"]):
                continue
            gap = min(segment_distance((n["x"], n["y"]), p, q) for p, q in itertools.pairwise(points))
            if gap < n["r"] + line["width"] / 2:
                over.append((line["from"], line["to"], n["id"]))
    return over
