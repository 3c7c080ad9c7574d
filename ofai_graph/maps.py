"""Interactive network maps for strategy meetings: one offline HTML file, safe to share.

:func:`build_map` takes the relationship graph (strength-weighted, see :mod:`ofai_graph.strength`),
keeps what the filters ask for, encodes kind as colour, strength to the home office as size and
tie strength as edge width (cold ties dashed), draws referral paths on top, and hands the result to
:mod:`ofai_graph.vis`, which writes the page. With ``redact_people`` no person's name or id reaches
the file: people appear as their role and organization (Ley 1581 de 2012).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OfaiError
from .model import FollowUpStatus, Person
from .store.base import Store
from .strength import StrengthConfig, last_label
from .vis import Page, render

if TYPE_CHECKING:
    import networkx as nx

    from .paths import Connection

PHYSICS_LIMIT = 300  # above this many nodes, positions are computed in Python and physics is off

KIND_COLORS: dict[str, str] = {
    "home_office": "#d62728",
    "local_government": "#ff7f0e",
    "dependency": "#ffbb78",
    "decentralized_entity": "#f7b6d2",
    "national_agency": "#2ca02c",
    "foreign_government": "#1f77b4",
    "bilateral_agency": "#aec7e8",
    "multilateral": "#17becf",
    "chamber_of_commerce": "#9467bd",
    "honorary_consulate": "#c5b0d5",
    "city_network": "#8c564b",
    "city": "#c49c94",
    "investment_agency": "#bcbd22",
    "company": "#dbdb8d",
    "academia": "#98df8a",
    "civil_society": "#e377c2",
    "guild": "#7f7f7f",
    "sports_body": "#ff9896",
    "event": "#9edae5",
    "initiative": "#c7c7c7",
    "other": "#cccccc",
    "person": "#ffd92f",
    "country": "#66c2a5",
}
KIND_SHAPES = {
    "person": "dot",
    "country": "diamond",
    "home_office": "star",
    "event": "triangle",
    "initiative": "square",
}


@dataclass
class Map:
    """A rendered map: ``save()`` it, or let Jupyter show it inline."""

    html: str
    node_count: int
    edge_count: int
    highlighted: list[str]
    page: Page

    def save(self, path: str | Path, *, fmt: str | None = None) -> Path:
        """Write the map; ``fmt`` (or the file's suffix) is html, png or svg."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".") or "html").lower()
        tmp = path.with_name(path.name + ".tmp")
        if fmt == "html":
            tmp.write_text(self.html, encoding="utf-8")
        elif fmt == "png":
            tmp.write_bytes(screenshot(self.html))
        elif fmt == "svg":
            tmp.write_text(to_svg(self.page), encoding="utf-8")
        else:
            raise OfaiError(f"unknown map format {fmt!r}: use html, png or svg")
        tmp.replace(path)
        return path

    def __repr__(self) -> str:
        # The page is close to a megabyte: a notebook or a log shows one line, not the page.
        return f"<Map {self.node_count} nodes, {self.edge_count} edges, {len(self.html):,} bytes of HTML>"

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:640px;border:0" sandbox="allow-scripts"></iframe>'
        )


def _layout(g: nx.Graph, *, pivots: int = 40, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for large maps by pivot MDS (Brandes & Pich 2006), in a fraction of a second.

    Spring layouts cost seconds on two thousand nodes; pivot MDS places nodes by their hop distances
    to a few well-spread pivots, which shows the same clusters and hubs, and the browser then draws
    without running physics.
    """
    import random

    import networkx as nx
    import numpy as np

    nodes = list(g)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    rng = random.Random(seed)
    nearest = np.full(n, np.inf)
    columns = []
    pivot = nodes[rng.randrange(n)]
    for _ in range(min(pivots, n)):
        d = np.full(n, -1.0)
        for node, hops in nx.single_source_shortest_path_length(g, pivot).items():
            d[index[node]] = hops
        far = d.max() + 1
        d[d < 0] = far  # other components sit at the edge
        columns.append(d)
        nearest = np.minimum(nearest, d)
        pivot = nodes[int(np.argmax(nearest))]
    c = np.array(columns).T ** 2
    c -= c.mean(axis=0)
    c -= c.mean(axis=1)[:, None]
    u, s, _ = np.linalg.svd(-0.5 * c, full_matrices=False)
    xy = u[:, :2] * s[:2]
    # Nodes at equal distances from every pivot coincide: spread them a little, deterministically.
    jitter = np.random.default_rng(seed).normal(scale=0.15, size=xy.shape)
    xy = xy + jitter * (np.abs(xy).max() or 1.0) / 10
    scale = 60.0 * np.sqrt(n) / (np.abs(xy).max() or 1.0)
    return {node: (float(xy[i, 0] * scale), float(xy[i, 1] * scale)) for i, node in enumerate(nodes)}


def select(
    g: nx.Graph,
    store: Store,
    home: str,
    *,
    focus: str | None = None,
    hops: int = 1,
    kinds: Sequence[str] = (),
    countries: Sequence[str] = (),
    min_strength: float = 0.0,
    since: dt.date | None = None,
    until: dt.date | None = None,
    paths: Connection | None = None,
) -> nx.Graph:
    """The part of the relationship graph a map shows (a new graph; ``g`` is not changed)."""
    import networkx as nx

    keep = set(g)
    if focus is not None:
        keep = set(nx.ego_graph(g, focus, radius=hops)) if focus in g else {focus}
    if kinds:
        keep = {n for n in keep if g.nodes[n].get("kind") in kinds or n == home}
    if countries:
        keep = {n for n in keep if set(g.nodes[n].get("countries") or ()) & set(countries) or n == home}
    path_nodes = {n for p in (paths.paths if paths else []) for n in p.nodes}
    keep |= path_nodes & set(g)
    h = nx.Graph()
    h.add_nodes_from((n, g.nodes[n]) for n in keep)
    for a, b, d in g.subgraph(keep).edges(data=True):
        if d["score"] < min_strength and not ({a, b} <= path_nodes):
            continue
        last = d.get("last")
        if since is not None and (last is None or last < since) and d["interactions"]:
            continue
        if until is not None and d.get("last_start") is not None and d["last_start"] > until:
            continue
        h.add_edge(a, b, **d)
    # A country is context, not an actor: shown only where something links to it.
    h.remove_nodes_from([n for n in list(h) if h.nodes[n].get("type") == "country" and h.degree(n) == 0])
    return h


def build_map(
    g: nx.Graph,
    store: Store,
    home: str | None,
    *,
    title: str = "Red de aliados",
    redact_people: bool = False,
    paths: Connection | None = None,
    detail_limit: int = 400,
    **filters: Any,
) -> Map:
    """Select, encode and render a map of the relationship graph ``g``.

    Filters (all optional): ``focus``/``hops``, ``kinds``, ``countries``, ``min_strength``, ``since``,
    ``until``; ``paths`` (from :func:`ofai_graph.paths.connect`) is drawn on top.
    """
    cfg: StrengthConfig = g.graph.get("config") or StrengthConfig()
    as_of = g.graph.get("as_of", dt.date.today())
    home = home if home in g else None
    h = select(g, store, home or "", paths=paths, **filters)
    entities = store.get_entities(h)
    open_fu: dict[str, list[str]] = {}
    for f in store.followups(FollowUpStatus.open):
        for who in {f.owner, f.expected_from} - {None}:
            open_fu.setdefault(who, []).append(f.description)  # type: ignore[arg-type]
    # Redaction: people become their title and organization, and their ids become opaque.
    alias: dict[str, str] = {}
    labels: dict[str, str] = {}
    for n in h:
        e = entities.get(n)
        name = h.nodes[n].get("name", n)
        if redact_people and isinstance(e, Person):
            alias[n] = f"p{len(alias) + 1}"
            org = e.affiliations[0] if e.affiliations else None
            org_name = g.nodes[org.organization].get("name", "") if org and org.organization in g else ""
            labels[n] = (
                "Persona"
                + (f" · {org.title}" if org and org.title else "")
                + (f" ({org_name})" if org_name else "")
            )
        else:
            labels[n] = name
    path_edges = {
        frozenset(pair)
        for p in (paths.paths if paths else [])
        for pair in zip(p.nodes, p.nodes[1:], strict=False)
    }
    path_nodes = {n for p in (paths.paths if paths else []) for n in p.nodes}
    positions = _layout(h) if h.number_of_nodes() > PHYSICS_LIMIT else {}
    nodes = []
    for n in h:
        kind = str(h.nodes[n].get("kind", "other"))
        strength = g[home][n]["score"] if home and n != home and g.has_edge(home, n) else 0.0
        tip = [labels[n], kind.replace("_", " ")]
        if h.nodes[n].get("countries"):
            tip.append("País: " + ", ".join(h.nodes[n]["countries"]))
        if home and n != home:
            tip.append(f"Fuerza con la oficina: {strength:.2f} ({cfg.tier(strength)})")
            if g.has_edge(home, n) and g[home][n].get("last"):
                tip.append(f"Última interacción: {last_label(g[home][n])}")
        pending = [] if alias.get(n) else open_fu.get(n, [])
        if pending:
            tip.append(f"Seguimientos abiertos ({len(pending)}): " + "; ".join(pending[:3]))
        node = {
            "id": alias.get(n, n),
            "label": labels[n],
            "tooltip": "\n".join(tip),
            "color": KIND_COLORS.get(kind, "#cccccc"),
            "shape": KIND_SHAPES.get(kind, "dot"),
            "size": 30 if n == home else 8 + 28 * strength,
        }
        if n == home:
            node["borderWidth"] = 4
        if n in path_nodes:
            node["borderWidth"] = 4
            node["color"] = {"background": node["color"], "border": "#d62728"}
        if positions:
            node["x"], node["y"] = positions[n]
        nodes.append(node)
    edges = []
    detailed = h.number_of_edges() <= detail_limit
    for a, b, d in h.edges(data=True):
        tip = [
            f"{labels[a]} — {labels[b]}",
            f"Fuerza {d['score']:.2f} ({cfg.tier(d['score'])})",
            f"{d['interactions']} interacciones" + (f", la última {last_label(d)}" if d.get("last") else ""),
        ]
        if d.get("ties"):
            tip.append("Vínculos: " + ", ".join(d["ties"]))
        if detailed and d["interactions"] and not (alias.get(a) or alias.get(b)):
            tip += [f"· {i.date} {i.title}" for i in store.shared_interactions(a, b)[:3]]
        on_path = frozenset((a, b)) in path_edges
        edges.append(
            {
                "from": alias.get(a, a),
                "to": alias.get(b, b),
                "tooltip": "\n".join(tip),
                "width": (6 if on_path else 1) + 6 * d["score"],
                "dashes": cfg.tier(d["score"]) == "cold",
                "color": "#d62728" if on_path else "#9a9a9a",
            }
        )
    present = sorted({str(h.nodes[n].get("kind", "other")) for n in h})
    legend = [{"label": k.replace("_", " "), "color": KIND_COLORS.get(k, "#cccccc")} for k in present]
    subtitle = (
        f"Datos al {as_of.isoformat()} · {h.number_of_nodes()} entidades · {h.number_of_edges()} vínculos"
    )
    if paths is not None:
        subtitle += f" · rutas hacia {paths.target.label}"
    page = Page(
        title=title,
        subtitle=subtitle,
        nodes=nodes,
        edges=edges,
        legend=legend,
        physics=not positions,
        highlight=[alias.get(n, n) for n in sorted(path_nodes)],
    )
    return Map(
        html=render(page),
        node_count=len(nodes),
        edge_count=len(edges),
        highlighted=[alias.get(n, n) for n in sorted(path_nodes)],
        page=page,
    )


def to_svg(page: Page, *, width: int = 1600, height: int = 1000) -> str:
    """A static SVG of the map for slides: same colours, sizes, widths and labels; text escaped."""
    import networkx as nx

    if all("x" in n for n in page.nodes):
        pos = {n["id"]: (n["x"], n["y"]) for n in page.nodes}
    else:
        g = nx.Graph()
        g.add_nodes_from(n["id"] for n in page.nodes)
        g.add_edges_from((e["from"], e["to"]) for e in page.edges)
        pos = {k: (float(x), float(y)) for k, (x, y) in nx.spring_layout(g, seed=7, iterations=50).items()}
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    pad, top = 80, 70

    def xy(node_id: Any) -> tuple[float, float]:
        x, y = pos[node_id]
        return (
            pad + (x - min(xs)) / span_x * (width - 2 * pad),
            top + pad + (y - min(ys)) / span_y * (height - top - 2 * pad),
        )

    esc = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="20" y="32" font-size="22" font-weight="bold">{esc(page.title)}</text>',
        f'<text x="20" y="56" font-size="13" fill="#555">{esc(page.subtitle)}</text>',
    ]
    for e in page.edges:
        (x1, y1), (x2, y2) = xy(e["from"]), xy(e["to"])
        dash = ' stroke-dasharray="6 4"' if e.get("dashes") else ""
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{esc(str(e.get("color", "#999")))}" '
            f'stroke-width="{float(e.get("width", 1)) / 2:.2f}" stroke-opacity="0.7"{dash}>'
            f"<title>{esc(e.get('tooltip', ''))}</title></line>"
        )
    for n in page.nodes:
        x, y = xy(n["id"])
        fill = n["color"]["background"] if isinstance(n["color"], dict) else n["color"]
        stroke = n["color"]["border"] if isinstance(n["color"], dict) else "#333"
        r = float(n.get("size", 10)) / 2 + 3
        out.append(
            f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{esc(str(fill))}" stroke="{esc(str(stroke))}" '
            f'stroke-width="{1 + float(n.get("borderWidth", 1)) / 2:.1f}"><title>{esc(n.get("tooltip", ""))}</title>'
            f'</circle><text x="{x:.1f}" y="{y + r + 12:.1f}" font-size="11" text-anchor="middle">'
            f"{esc(str(n['label']))}</text></g>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    import os
    import shutil

    # Debian's package first: a browser some other tool downloaded is not the one we test against.
    debian = "/usr/bin/chromium"
    found = (
        os.environ.get("OFAI_GRAPH_CHROMIUM")
        or (debian if os.access(debian, os.X_OK) else None)
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not found:
        raise OfaiError(
            "PNG maps need a Chromium browser (Debian: apt-get install chromium) or OFAI_GRAPH_CHROMIUM"
        )
    return found


def screenshot(page_html: str, *, width: int = 1600, height: int = 1000) -> bytes:
    """A PNG of the map, drawn by headless Chromium once the network has settled."""
    import tempfile

    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise OfaiError("PNG maps need Playwright: pip install 'ofai-graph[png]'") from exc
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "map.html"
        page_file.write_text(page_html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                tab = browser.new_page(viewport={"width": width, "height": height})
                tab.goto(page_file.as_uri())
                tab.wait_for_selector("body[data-ready='1']", timeout=60_000)
                return tab.screenshot(full_page=False)
            finally:
                browser.close()
