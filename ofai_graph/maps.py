"""Network maps for strategy meetings: one offline HTML file (or SVG, PNG, PDF), safe to share.

:func:`build_map` takes the relationship graph (strength-weighted, see :mod:`ofai_graph.strength`),
keeps what the filters ask for and encodes it: kind (or community, tier, axis) as colour, kind as
shape, strength to the home office as size and label size, tie strength as width, cold ties dashed.

A map is *stable*: positions are computed here with a fixed seed and rounded, labels are placed
here so that they do not overlap at the first view (the office, the routes, the focus and the
strongest partners are labelled; the other names appear on zoom and hover), and the page carries
no clock and no randomness: the same data and options give the same bytes and the same picture.

A route map (``paths``) lays the routes out from the office (left) to the target (right), draws
them on top, numbered, with everything else faded. The page filters by legend entry, tier, axis
and quarter (strength recomputed here for each quarter and embedded). With ``redact_people`` every
text of the output (title, subtitle, labels, tooltips, legend, routes and their evidence, the
file's metadata) goes through one redaction pass: people appear as their role and organization,
their ids as opaque ones (Ley 1581 de 2012).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OfaiError
from .i18n import format_date, format_number, gettext_for, ngettext_for, resolve_lang
from .labels import LABELS, label
from .model import FollowUpStatus, Person
from .store.base import Store
from .strength import StrengthConfig, last_label
from .vis import VIEW_HEIGHT, VIEW_WIDTH, Page, page_data, render

if TYPE_CHECKING:
    import networkx as nx

    from .paths import Connection
    from .workspace import Workspace

LARGE = 400  # above this many nodes, pivot MDS instead of a spring layout
SEED = 7
TIMELINE_QUARTERS = 8  # the slider's reach: two years back from the map's date
COLOR_BY = ("kind", "community", "tier", "axis")
FORMATS = ("html", "svg", "png", "pdf")

ROUTE_COLOR = "#1f2d86"
MARK_BORDER = "#111111"
EDGE_COLOR = "#a8a8a8"
FADE = 0.8  # how far a faded colour moves towards white

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
    "person": "triangleDown",
    "country": "diamond",
    "home_office": "star",
    "event": "triangle",
    "initiative": "square",
}
PALETTE = [
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#aec7e8",
    "#98df8a",
    "#ffbb78",
]
TIER_COLORS = {"strong": "#1a7f37", "medium": "#74c476", "weak": "#fdd835", "cold": "#c6dbef"}
AXES = tuple(LABELS["Axis"])

# Advance widths (em/100) of Arial / Liberation Sans, the face the page asks for: label boxes are
# estimated from them (measured in Chromium; unknown characters count as wide).
_WIDTHS = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        [
            28,
            28,
            35,
            56,
            56,
            89,
            67,
            19,
            33,
            33,
            39,
            58,
            28,
            33,
            28,
            28,
            56,
            56,
            56,
            56,
            56,
            56,
            56,
            56,
            56,
            56,
            28,
            28,
            58,
            58,
            58,
            56,
            102,
            67,
            67,
            72,
            72,
            67,
            61,
            78,
            72,
            28,
            50,
            67,
            56,
            83,
            72,
            78,
            67,
            78,
            72,
            67,
            61,
            72,
            67,
            94,
            67,
            67,
            61,
            28,
            28,
            28,
            47,
            56,
            33,
            56,
            56,
            50,
            56,
            56,
            28,
            56,
            56,
            22,
            22,
            50,
            22,
            83,
            56,
            56,
            56,
            56,
            33,
            50,
            28,
            56,
            50,
            72,
            50,
            50,
            50,
            33,
            26,
            33,
            58,
        ],
        strict=True,
    )
)


def text_width(text: str, size: float) -> float:
    """The width in pixels of one line of ``text`` at font ``size`` (a slight overestimate)."""
    total = 0
    for ch in text:
        w = _WIDTHS.get(ch)
        if w is None:
            base = unicodedata.normalize("NFD", ch)[:1]
            w = _WIDTHS.get(base, 100)
        total += w
    return total * size / 100 * 1.04


@dataclass
class Map:
    """A rendered map: ``save()`` it (html, svg, png, pdf), or let Jupyter show it inline."""

    html: str
    node_count: int
    edge_count: int
    highlighted: list[str]
    page: Page
    as_of: dt.date | None = None

    def save(self, path: str | Path, *, fmt: str | None = None) -> Path:
        """Write the map; ``fmt`` (or the file's suffix) is html, svg, png or pdf. Nothing is half-written."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".") or "html").lower()
        if fmt not in FORMATS:
            raise OfaiError(f"unknown map format {fmt!r}: use {', '.join(FORMATS)}")
        if not path.parent.is_dir():
            raise OfaiError(f"{path}: the folder {path.parent} does not exist")
        data: bytes
        if fmt == "html":
            data = self.html.encode("utf-8")
        elif fmt == "svg":
            data = self.svg().encode("utf-8")
        elif fmt == "png":
            data = self.png()
        else:
            data = self.pdf()
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OfaiError(f"{path}: cannot write the map: {exc.strerror or exc}") from None
        return path

    def svg(self) -> str:
        return to_svg(self.page)

    def png(self) -> bytes:
        return screenshot(self.html)

    def pdf(self) -> bytes:
        return print_pdf(self.html, as_of=self.as_of)

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:680px;border:0" sandbox="allow-scripts"></iframe>'
        )


# -- data: the graph as of each quarter, and which strategic axes each tie is built on --------------


class _Snapshot:
    """A store whose reads for :func:`~ofai_graph.strength.relationship_graph` are made once.

    The quarter slider and the axis filter need the graph a dozen times; reading the participations
    once and scoring them for each date costs a third less on a large store.
    """

    def __init__(self, store: Store):
        self._store = store
        self._parts: dict[tuple[str, ...], list[Any]] = {}
        self._ties: list[Any] | None = None
        self._summaries: list[Any] | None = None
        self._entities: dict[tuple[str, ...], dict[str, Any]] = {}

    def participations(self, around: Any = None, axes: Any = None) -> list[Any]:
        key = tuple(sorted(axes or ()))
        if key not in self._parts:
            self._parts[key] = list(self._store.participations(None, list(key) or None))
        return self._parts[key]

    def ties(self, entity_id: str | None = None) -> list[Any]:
        if entity_id is not None:
            return self._store.ties(entity_id)
        if self._ties is None:
            self._ties = self._store.ties()
        return self._ties

    def entity_summaries(self) -> Iterable[Any]:
        if self._summaries is None:
            self._summaries = list(self._store.entity_summaries())
        return iter(self._summaries)

    def get_entities(self, ids: Iterable[str]) -> dict[str, Any]:
        key = tuple(ids)
        if key not in self._entities:
            self._entities[key] = self._store.get_entities(key)
        return self._entities[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def quarter_stops(
    first: dt.date, as_of: dt.date, limit: int = TIMELINE_QUARTERS
) -> list[tuple[str, dt.date]]:
    """The slider's stops: the end of each quarter from ``first``'s up to ``as_of`` (the last stop).

    >>> [c for c, _ in quarter_stops(dt.date(2023, 11, 2), dt.date(2024, 3, 31))]
    ['2023-Q4', '2024-Q1']
    >>> quarter_stops(dt.date(2020, 1, 1), dt.date(2024, 2, 10), limit=2)[-1]
    ('2024-Q1', datetime.date(2024, 2, 10))
    """
    stops: list[tuple[str, dt.date]] = []
    y, q = as_of.year, (as_of.month - 1) // 3 + 1
    end = as_of
    while len(stops) < limit:
        stops.append((f"{y}-Q{q}", end))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
        end = dt.date(y, 3 * q, 1) + dt.timedelta(days=31)
        end = end.replace(day=1) - dt.timedelta(days=1)
        if end < first:
            break
    return stops[::-1]


@dataclass
class History:
    """What the page's slider and axis filter need, computed in Python (the page stays offline)."""

    stops: list[tuple[str, dt.date]]
    graphs: list[nx.Graph]  # one per stop but the last (which is the map's own graph)
    axes: dict[frozenset[str], int]  # tie -> bit mask of the strategic axes of its interactions


def history(
    store: Store,
    as_of: dt.date,
    config: StrengthConfig,
    axes: Sequence[str] = (),
    *,
    quarters: int = TIMELINE_QUARTERS,
    with_axes: bool = True,
) -> History:
    """The relationship graph at the end of each of the last ``quarters`` quarters, and tie axes."""
    from .strength import relationship_graph

    snap = _Snapshot(store)
    parts = snap.participations(None, list(axes) or None)
    first = min((p[1] for p in parts), default=as_of)
    stops = quarter_stops(first, as_of, quarters) if quarters > 1 else [(f"{as_of.year}", as_of)]
    graphs = [
        relationship_graph(snap, as_of=end, config=config, axes=list(axes) or None)  # type: ignore[arg-type]
        for _, end in stops[:-1]
    ]
    # A tie is "on" an axis when the two took part in an interaction of that axis before as_of
    # (what relationship_graph(axes=[axis]) counts); pairs come straight from the participations.
    masks: dict[frozenset[str], int] = {}
    if with_axes:
        for bit, code in enumerate(AXES):
            if axes and code not in axes:
                continue
            groups: dict[str, set[str]] = {}
            for p in snap.participations(None, [code]):
                if p[1] <= as_of:
                    groups.setdefault(p[0], set()).add(p[5])
            for members in groups.values():
                ordered = sorted(members)
                for i, a in enumerate(ordered):
                    for b in ordered[i + 1 :]:
                        key = frozenset((a, b))
                        masks[key] = masks.get(key, 0) | (1 << bit)
    return History(stops=stops, graphs=graphs, axes=masks)


def workspace_map(
    ws: Workspace,
    *,
    focus: str | None = None,
    hops: int = 1,
    path_to: str | None = None,
    kinds: Sequence[str] = (),
    countries: Sequence[str] = (),
    axes: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    min_strength: float = 0.0,
    redact_people: bool = False,
    title: str | None = None,
    as_of: dt.date | None = None,
    lang: str | None = None,
    color_by: str = "kind",
    presentation: bool = False,
    only_routes: bool = False,
    physics: bool = False,
    timeline: bool = True,
) -> Map:
    """The map behind :meth:`ofai_graph.Workspace.map` (arguments as there)."""
    from . import countries as country_names
    from .workspace import _axis

    as_of = as_of or dt.date.today()
    codes = sorted({_axis(a) for a in axes})
    g = ws.relationship_graph(as_of, axes)
    try:
        home: str | None = ws.home
    except OfaiError:
        home = None
    paths = ws.connect(path_to, as_of=as_of) if path_to else None
    if only_routes and paths is None:
        raise OfaiError("--only-routes needs --path-to: it keeps only the routes' entities")
    past = history(ws.store, as_of, ws.strength_config, codes) if timeline else None
    return build_map(
        g,
        ws.store,
        home,
        title=title,
        redact_people=redact_people,
        paths=paths,
        lang=lang,
        color_by=color_by,
        presentation=presentation,
        only_routes=only_routes,
        physics=physics,
        past=past,
        focus=ws.resolve(focus) if focus else None,
        hops=hops,
        kinds=list(kinds),
        countries=[country_names.resolve(c) for c in countries],
        since=since,
        until=until,
        min_strength=min_strength,
    )


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
    only_routes: bool = False,
) -> nx.Graph:
    """The part of the relationship graph a map shows (a new graph; ``g`` is not changed).

    Nodes and edges are added in sorted order, so that everything computed from the result (the
    layout, the page) is the same on every run.
    """
    import networkx as nx

    path_nodes = {n for p in (paths.paths if paths else []) for n in p.nodes}
    keep = set(g)
    if only_routes:
        keep = set(path_nodes)
    if focus is not None:
        keep = set(nx.ego_graph(g, focus, radius=hops)) if focus in g else {focus}
    if kinds:
        keep = {n for n in keep if g.nodes[n].get("kind") in kinds or n == home}
    if countries:
        keep = {n for n in keep if set(g.nodes[n].get("countries") or ()) & set(countries) or n == home}
    keep |= path_nodes & set(g)
    h = nx.Graph()
    h.add_nodes_from((n, g.nodes[n]) for n in sorted(keep))
    path_edges = {
        frozenset(pair)
        for p in (paths.paths if paths else [])
        for pair in zip(p.nodes, p.nodes[1:], strict=False)
    }
    for a, b in sorted(tuple(sorted(e)) for e in g.subgraph(keep).edges()):
        d = g[a][b]
        on_path = frozenset((a, b)) in path_edges
        if only_routes and not on_path:
            continue
        if d["score"] < min_strength and not ({a, b} <= path_nodes):
            continue
        last = d.get("last")
        if since is not None and (last is None or last < since) and d["interactions"] and not on_path:
            continue
        if until is not None and d.get("last_start") is not None and d["last_start"] > until and not on_path:
            continue
        h.add_edge(a, b, **d)
    # A country is context, not an actor: shown only where something links to it.
    h.remove_nodes_from([n for n in list(h) if h.nodes[n].get("type") == "country" and h.degree(n) == 0])
    return h


# -- layout ------------------------------------------------------------------------------------------


def _pivot_mds(g: nx.Graph, *, pivots: int = 40, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Positions for large maps by pivot MDS (Brandes & Pich 2006), in a fraction of a second.

    Spring layouts cost seconds on two thousand nodes; pivot MDS places nodes by their hop distances
    to a few well-spread pivots, which shows the same clusters and hubs.
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
    # SVD fixes each axis only up to its sign: fix it, so that the picture never flips.
    for k in range(xy.shape[1]):
        if xy[int(np.argmax(np.abs(xy[:, k]))), k] < 0:
            xy[:, k] = -xy[:, k]
    # Nodes at equal distances from every pivot coincide: spread them a little, deterministically.
    jitter = np.random.default_rng(seed).normal(scale=0.15, size=xy.shape)
    xy = xy + jitter * (np.abs(xy).max() or 1.0) / 10
    return {node: (float(xy[i, 0]), float(xy[i, 1])) for i, node in enumerate(nodes)}


def layout(
    h: nx.Graph, *, routes: Sequence[Sequence[str]] = (), centre: str | None = None
) -> dict[str, tuple[float, float]]:
    """Positions (unit scale) for every node of ``h``, the same on every run.

    Routes run from the left (the office) to the right (their targets), one lane each, with the
    rest of the network arranged around them; ``centre`` (a focus) sits in the middle.
    """
    import networkx as nx

    if h.number_of_nodes() == 0:
        return {}
    fixed: dict[str, tuple[float, float]] = {}
    if routes:
        lanes = len(routes)
        for i, r in enumerate(routes):
            y = (i - (lanes - 1) / 2) * (1.2 / max(lanes - 1, 1)) if lanes > 1 else 0.0
            for j, n in enumerate(r):
                if n in h and n not in fixed:
                    x = -1.0 + 2.0 * j / max(len(r) - 1, 1)
                    fixed[n] = (x, 0.0 if j == 0 else y)
    elif centre is not None and centre in h:
        fixed[centre] = (0.0, 0.0)
    n = h.number_of_nodes()
    if n > LARGE:
        # networkx's spring layout needs scipy above 500 nodes, and costs seconds: pivot MDS, with
        # the routes' entities moved to their lanes.
        # Fewer pivots on very large maps: each is a breadth-first search of the whole graph.
        pos = _pivot_mds(h, pivots=40 if n <= 4000 else 24)
        if fixed:
            span = max((max(abs(x), abs(y)) for x, y in pos.values()), default=1.0) or 1.0
            pos = {v: fixed.get(v, (x / span, y / span)) for v, (x, y) in pos.items()}
        return pos
    free = [v for v in h if v not in fixed]
    if not free:
        return dict(fixed)
    import numpy as np

    # Start from a deterministic spiral: the seed then decides nothing but the tie-breaks.
    start: dict[str, tuple[float, float]] = dict(fixed)
    for i, v in enumerate(free):
        angle = i * 2.399963  # golden angle
        radius = 0.9 * math.sqrt((i + 0.5) / len(free))
        start[v] = (radius * math.cos(angle), radius * math.sin(angle))
    weighted = nx.Graph()
    weighted.add_nodes_from(h)
    weighted.add_edges_from((a, b, {"w": 0.3 + d["score"]}) for a, b, d in h.edges(data=True))
    pos = nx.spring_layout(
        weighted,
        pos=start,
        fixed=list(fixed) or None,
        k=(1.6 if fixed else 1.0) / math.sqrt(n),
        iterations=150 if n <= LARGE else 60,
        weight="w",
        seed=SEED,
    )
    out = {v: (float(np.round(p[0], 6)), float(np.round(p[1], 6))) for v, p in pos.items()}
    if not fixed:
        # A free layout has no preferred orientation: fix it, so that the picture never flips.
        heaviest = max(h, key=lambda v: (h.degree(v), v))
        if out[heaviest][0] > 0:
            out = {v: (-x, y) for v, (x, y) in out.items()}
    return out


# -- labels ------------------------------------------------------------------------------------------


def wrap_label(text: str, width: int = 24, lines: int = 2) -> str:
    """A label of at most ``lines`` lines of about ``width`` characters (an ellipsis if cut).

    >>> wrap_label("Instituto Municipal de Cultura y Turismo de Bucaramanga")
    'Instituto Municipal de\\nCultura y Turismo de…'
    """
    text = " ".join(text.split())
    if len(text) <= width + 4:
        return text
    parts = textwrap.wrap(text, width) or [text]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1].rstrip(" ,.;:·-") + "…"
    return "\n".join(parts)


@dataclass
class _Label:
    node: str
    text: str
    size: float  # font size
    width: float
    height: float


def _boxes_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _Grid:
    """Rectangles in buckets, for fast collision tests."""

    def __init__(self, cell: float = 80.0):
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float, str]]] = {}

    def _keys(self, r: tuple[float, float, float, float]) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor(r[0] / c), math.floor(r[2] / c) + 1):
            for j in range(math.floor(r[1] / c), math.floor(r[3] / c) + 1):
                yield i, j

    def add(self, r: tuple[float, float, float, float], owner: str) -> None:
        for k in self._keys(r):
            self.cells.setdefault(k, []).append((*r, owner))

    def hits(self, r: tuple[float, float, float, float], owner: str) -> bool:
        for k in self._keys(r):
            for o in self.cells.get(k, ()):
                if o[4] != owner and _boxes_overlap(r, o[:4]):
                    return True
        return False


def place_labels(
    order: Sequence[str],
    pos: dict[str, tuple[float, float]],
    radius: dict[str, float],
    labels: dict[str, _Label],
    *,
    must: set[str],
    budget: int,
    box: tuple[float, float, float, float],
    obstacles: Sequence[tuple[float, float, float, float]] = (),
    soft: Sequence[tuple[float, float, float, float]] = (),
) -> dict[str, float]:
    """Which nodes get a label and where (the vis-network ``vadjust``: 0 below, negative above).

    Greedy in order of importance: a label goes below its node, else above, and only where it
    overlaps no placed label or ``obstacles``, no node or ``soft`` obstacle (a route's line), and
    stays inside ``box``; the ``must`` nodes (the office, routes, focus) come first and are
    labelled even where they would touch a node or a line.
    """
    placed: dict[str, float] = {}
    text_grid = _Grid()
    for rect in obstacles:
        text_grid.add(rect, "")
    node_grid = _Grid()
    for rect in soft:  # avoided like nodes: the routes' lines
        node_grid.add(rect, "")
    for n in pos:
        x, y = pos[n]
        r = radius[n]
        node_grid.add((x - r, y - r, x + r, y + r), n)
    pad = 2.0
    for n in order:
        if n not in labels:
            continue
        if n not in must and len(placed) - len(must & set(placed)) >= budget:
            continue
        lab = labels[n]
        x, y = pos[n]
        r = radius[n]
        half = lab.width / 2 + pad
        # vis-network puts a label's box at y + r + size/2 + 4 and moves the text by vadjust.
        below = y + r + lab.size / 2 + 4
        above = -(2 * r + lab.height + lab.size / 2 + 8)
        options = [(0.0, below), (above, below + above)]
        if n in must:
            step = lab.height * 0.8
            options += [(step, below + step), (above - step, below + above - step)]
        chosen = None
        for strict in (True, False) if n in must else (True,):
            for vadjust, top in options:
                rect = (x - half, top - pad, x + half, top + lab.height + pad)
                if rect[0] < box[0] or rect[2] > box[2] or rect[1] < box[1] or rect[3] > box[3]:
                    continue
                if text_grid.hits(rect, n) or (strict and node_grid.hits(rect, n)):
                    continue
                chosen = (vadjust, rect)
                break
            if chosen:
                break
        if chosen is None:
            continue
        placed[n] = chosen[0]
        text_grid.add(chosen[1], n)
    return placed


def _fit(
    unit: dict[str, tuple[float, float]],
    centre: tuple[float, float],
    extent: dict[str, tuple[float, float, float]],
    width: float,
    height: float,
    margin: float = 10.0,
) -> dict[str, tuple[float, float]]:
    """Scale unit positions into the view so that every node and the given label extents fit.

    ``extent[n]`` is (half width, above, below) around the node in pixels; the view is centred on
    ``centre`` (a focus map's focus, otherwise the middle of the drawing).
    """
    cx, cy = centre
    sx = sy = math.inf
    for n, (x, y) in unit.items():
        hw, up, down = extent[n]
        dx, dy = x - cx, y - cy
        if abs(dx) > 1e-9:
            sx = min(sx, max(width / 2 - margin - hw, 1.0) / abs(dx))
        if dy > 1e-9:
            sy = min(sy, max(height / 2 - margin - down, 1.0) / dy)
        elif dy < -1e-9:
            sy = min(sy, max(height / 2 - margin - up, 1.0) / -dy)
    # A handful of entities stay together in the middle instead of spreading to the corners.
    cap = min(width, height) * 0.18 * math.sqrt(len(unit))
    sx, sy = min(sx, cap), min(sy, cap)
    if not math.isfinite(sx):
        sx = sy if math.isfinite(sy) else 1.0
    if not math.isfinite(sy):
        sy = sx
    # Each axis fills the view (labels are wide, so x is the tight one), within a 3:2 stretch.
    sx, sy = min(sx, 1.5 * sy), min(sy, 1.5 * sx)
    return {n: (round((x - cx) * sx, 1), round((y - cy) * sy, 1)) for n, (x, y) in unit.items()}


# -- redaction ---------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


class Redactor:
    """One pass that every text of a redacted map goes through: names, aliases and ids of people.

    A full name or alias becomes the person's role and organization; an id becomes an opaque one
    (``p1``); any word of a name (four letters or more) left in free text becomes "[person]".
    Matching ignores case and accents.
    """

    def __init__(self, people: Sequence[Person], role_of: Callable[[Person], str], word: str):
        self.alias: dict[str, str] = {}
        self.label: dict[str, str] = {}
        terms: dict[str, str] = {}
        tokens: dict[str, str] = {}
        for i, p in enumerate(sorted(people, key=lambda p: p.id), start=1):
            self.alias[p.id] = f"p{i}"
            self.label[p.id] = role_of(p)
            for t in [p.name, *p.aliases]:
                if t.strip():
                    terms[t.casefold()] = self.label[p.id]
                    terms[_fold(t).casefold()] = self.label[p.id]
                    for w in re.split(r"[\s\-.,]+", t):
                        if len(w) > 3:
                            tokens[w.casefold()] = word
                            tokens[_fold(w).casefold()] = word
            terms[p.id.casefold()] = self.alias[p.id]
        self.table = {**tokens, **terms}
        self.pattern = (
            re.compile(
                r"(?<![\w-])("
                + "|".join(re.escape(t) for t in sorted(self.table, key=len, reverse=True))
                + r")(?![\w-])",
                re.IGNORECASE,
            )
            if self.table
            else None
        )

    def text(self, value: str) -> str:
        if self.pattern is None or not value:
            return value
        return self.pattern.sub(
            lambda m: self.table.get(m.group(0).casefold(), self.table.get(_fold(m.group(0)).casefold(), "")),
            value,
        )

    def __call__(self, value: Any) -> Any:
        """``value`` with every string in it (dict keys too) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self(v) for v in value)
        if isinstance(value, dict):
            return {self(k): self(v) for k, v in value.items()}
        return value


# -- the map -----------------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fade(color: str, amount: float = FADE) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _darker(color: str, amount: float = 0.45) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"#{round(r * (1 - amount)):02x}{round(g * (1 - amount)):02x}{round(b * (1 - amount)):02x}"


def _solid(background: str, border: str) -> dict[str, Any]:
    """A vis-network colour that stays the same when selected or hovered (the legend's colour)."""
    both = {"background": background, "border": border}
    return {**both, "highlight": dict(both), "hover": dict(both)}


def build_map(
    g: nx.Graph,
    store: Store,
    home: str | None,
    *,
    title: str | None = None,
    redact_people: bool = False,
    paths: Connection | None = None,
    lang: str | None = None,
    color_by: str = "kind",
    presentation: bool = False,
    only_routes: bool = False,
    physics: bool = False,
    past: History | None = None,
    detail_limit: int = 400,
    **filters: Any,
) -> Map:
    """Select, lay out, label and render a map of the relationship graph ``g``.

    Filters (all optional): ``focus``/``hops``, ``kinds``, ``countries``, ``min_strength``, ``since``,
    ``until``; ``paths`` (from :func:`ofai_graph.paths.connect`) is drawn on top, and with
    ``only_routes`` alone. ``past`` (from :func:`history`) feeds the quarter slider and the axis
    filter. ``lang`` is "es" or "en" (default: :func:`ofai_graph.i18n.resolve_lang`).
    """
    import networkx as nx

    from . import countries as country_names

    if color_by not in COLOR_BY:
        raise OfaiError(f"unknown colouring {color_by!r}: use one of {', '.join(COLOR_BY)}")
    lang = resolve_lang(lang)
    _ = gettext_for(lang)
    ngettext = ngettext_for(lang)
    cfg: StrengthConfig = g.graph.get("config") or StrengthConfig()
    as_of: dt.date = g.graph.get("as_of") or dt.date.today()
    home = home if home in g else None
    focus = filters.get("focus")
    h = select(g, store, home or "", paths=paths, only_routes=only_routes, **filters)
    entities = store.get_entities(list(h))

    decimal = format_number(1.5, lang, decimals=1)[1]  # Babel once, not once per tooltip

    def num(x: float) -> str:
        return f"{x:.2f}".replace(".", decimal)

    dates: dict[Any, str] = {}

    def when(value: Any) -> str:
        if value not in dates:
            dates[value] = format_date(value, lang)
        return dates[value]

    def tier_label(score: float) -> str:
        return label("Tier", cfg.tier(score), lang)

    def kind_of(n: str) -> str:
        d = h.nodes[n]
        if d.get("type") in ("person", "country"):
            return str(d["type"])
        return str(d.get("kind") or "other")

    def kind_label(kind: str) -> str:
        if kind in ("person", "country"):
            return label("EntityType", kind, lang)
        return label("OrgKind", kind, lang)

    def name_of(n: str) -> str:
        e = entities.get(n)
        if e is not None and e.type == "country" and lang == "en":
            return getattr(e, "name_en", "") or country_names.name_en(n)
        return str(h.nodes[n].get("name") or n)

    # -- redaction: people become their role and organization ---------------------------------------
    redactor: Redactor | None = None
    if redact_people:
        people_ids = [s.id for s in store.entity_summaries() if s.type == "person"]
        people = [p for p in store.get_entities(people_ids).values() if isinstance(p, Person)]
        org_ids = [a.organization for p in people for a in p.affiliations]
        orgs = store.get_entities(org_ids) if org_ids else {}

        def role_of(p: Person) -> str:
            a = p.affiliations[0] if p.affiliations else None
            org = orgs.get(a.organization) if a else None
            return (
                _("Person")
                + (f" · {a.title}" if a and a.title else "")
                + (f" ({org.name})" if org is not None else "")
            )

        redactor = Redactor(people, role_of, _("[person]"))
    alias = redactor.alias if redactor else {}

    def nid(n: str) -> str:
        return alias.get(n, n)

    # -- routes ---------------------------------------------------------------------------------------
    route_list = list(paths.paths) if paths else []
    route_nodes: list[str] = []
    for p in route_list:
        route_nodes += [n for n in p.nodes if n in h and n not in route_nodes]
    targets = [
        n for n in (paths.target.ids if paths else []) if n in h and n in {p.nodes[-1] for p in route_list}
    ]
    edge_routes: dict[frozenset[str], list[int]] = {}
    for i, p in enumerate(route_list, start=1):
        for a, b in zip(p.nodes, p.nodes[1:], strict=False):
            edge_routes.setdefault(frozenset((a, b)), []).append(i)
    route_view = bool(route_list)
    pinned = {n for n in [home, focus, *route_nodes, *targets] if n is not None and n in h}

    # -- importance, sizes, labels --------------------------------------------------------------------
    def office_score(n: str, graph: nx.Graph) -> float | None:
        if not home or n == home or not graph.has_edge(home, n):
            return None
        return float(graph[home][n]["score"])

    n_nodes = h.number_of_nodes()
    max_degree = max((d for _n, d in h.degree()), default=1) or 1
    importance: dict[str, float] = {}
    for n in h:
        s = office_score(n, h) or 0.0
        base = s if home else h.degree(n) / max_degree
        imp = 0.15 + 0.6 * base
        if n in route_nodes:
            imp = max(imp, 0.75)
        if n in targets or n == focus:
            imp = 0.9
        if n == home:
            imp = 1.0
        importance[n] = imp
    order = sorted(h, key=lambda n: (n not in pinned, -importance[n], n))
    shrink = 1.0 if n_nodes <= 150 else max(0.35, math.sqrt(150 / n_nodes))
    font_base, font_span = (17.0, 11.0) if presentation else (12.0, 9.0)
    budget = (10 if presentation else 24) if not route_view else (4 if presentation else 8)
    radius: dict[str, float] = {}
    fonts: dict[str, float] = {}
    texts: dict[str, str] = {}
    labels: dict[str, _Label] = {}
    for n in h:
        imp = importance[n]
        r = (6 + 16 * imp) * (shrink if n not in pinned else 1.0)
        if presentation:
            r *= 1.25
        radius[n] = round(r, 1)
        fonts[n] = round(font_base + font_span * imp, 1)
        full = redactor.label[n] if redactor and n in alias else name_of(n)
        texts[n] = full
        # A long name that carries its acronym, "Banco Interamericano de Desarrollo (BID)", is
        # labelled "BID" (the name shows on hover); aliases are not used: they mix languages.
        acronym = re.fullmatch(r".{12,}\(([^()]{2,24})\)", full) if len(full) > 28 else None
        text = wrap_label(acronym.group(1) if acronym else full)
        lines = text.split("\n")
        size = fonts[n]
        labels[n] = _Label(
            n, text, size, max(text_width(line, size) for line in lines) + 6, len(lines) * size
        )

    # -- layout: unit positions, then scaled so that the labels we may show fit the view ---------------
    routes_for_layout = [p.nodes for p in route_list]
    unit = layout(h, routes=routes_for_layout, centre=focus if not route_view else None)
    candidates = set(order[: budget + len(pinned)])
    extent = {
        n: (
            max(radius[n], labels[n].width / 2 + 2) if n in candidates else radius[n],
            radius[n] + (labels[n].height + 6 if n in pinned else 0),
            radius[n] + (labels[n].height + labels[n].size / 2 + 6 if n in candidates else 0),
        )
        for n in h
    }
    if focus is not None and focus in unit and not route_view:
        centre = unit[focus]
    elif unit:
        xs = [p[0] for p in unit.values()]
        ys = [p[1] for p in unit.values()]
        centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    else:
        centre = (0.0, 0.0)
    pos = _fit(unit, centre, extent, VIEW_WIDTH, VIEW_HEIGHT)
    box = (-VIEW_WIDTH / 2 + 2, -VIEW_HEIGHT / 2 + 2, VIEW_WIDTH / 2 - 2, VIEW_HEIGHT / 2 - 2)
    # Route numbers sit on their ties (the score on the last hop, near the target): labels avoid them.
    badge_font = 19 if presentation else 15
    badges: dict[tuple[str, str], tuple[str, float]] = {}
    obstacles = []
    for a, b in sorted(tuple(sorted(e)) for e in edge_routes):
        if not h.has_edge(a, b):
            continue
        parts, at = [], 0.5
        for r in edge_routes[frozenset((a, b))]:
            p = route_list[r - 1]
            last_hop = frozenset(p.nodes[-2:]) == frozenset((a, b))
            parts.append(f"{r}: {num(p.score)}" if last_hop else str(r))
            if last_hop and at == 0.5:
                # Near the target: the middle of a long last hop often crosses another lane.
                at = 0.7 if p.nodes[-1] == b else 0.3
        badges[(a, b)] = (" · ".join(parts), at)
        bx = pos[a][0] + (pos[b][0] - pos[a][0]) * at
        by = pos[a][1] + (pos[b][1] - pos[a][1]) * at
        half = (text_width(badges[(a, b)][0], badge_font) + 10) / 2
        obstacles.append((bx - half, by - badge_font * 0.75, bx + half, by + badge_font * 0.75))
    lines = []
    for a, b in badges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        steps = max(1, int(math.hypot(x2 - x1, y2 - y1) / 6))
        for k in range(steps + 1):
            x, y = x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps
            lines.append((x - 3, y - 3, x + 3, y + 3))
    vadjust = place_labels(
        order, pos, radius, labels, must=pinned, budget=budget, box=box, obstacles=obstacles, soft=lines
    )

    # -- colours and legend groups ---------------------------------------------------------------------
    color_group: dict[str, tuple[str, str, str]] = {}  # node -> (key, label, colour)
    if color_by == "community":
        comms = nx.community.louvain_communities(h, weight="score", seed=SEED) if h.number_of_edges() else []
        comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
        for i, c in enumerate(comms):
            if i < len(PALETTE) - 1 and len(c) > 1:
                key, text, color = f"c:{i + 1}", _("Community {n}").format(n=i + 1), PALETTE[i]
            else:
                key, text, color = "c:0", _("Other communities"), "#d0d0d0"
            for n in c:
                color_group[n] = (key, text, color)
    elif color_by == "tier":
        for n in h:
            s = office_score(n, h)
            if n == home:
                color_group[n] = ("c:home", _("The office"), KIND_COLORS["home_office"])
            elif s is None:
                color_group[n] = ("c:none", _("No direct relationship with the office"), "#e0e0e0")
            else:
                t = cfg.tier(s)
                color_group[n] = (f"c:{t}", label("Tier", t, lang), TIER_COLORS[t])
    axis_mask = past.axes if past else {}
    if color_by == "axis":
        for n in h:
            counts = [0] * len(AXES)
            for m in h[n]:
                mask = axis_mask.get(frozenset((n, m)), 0)
                for bit in range(len(AXES)):
                    if mask & (1 << bit):
                        counts[bit] += 1
            if max(counts) == 0:
                color_group[n] = ("c:none", _("No strategic axis"), "#e0e0e0")
            else:
                bit = counts.index(max(counts))
                color_group[n] = (f"c:{AXES[bit]}", label("Axis", AXES[bit], lang), PALETTE[bit])

    # -- open follow-ups, for tooltips ------------------------------------------------------------------
    open_fu: dict[str, list[str]] = {}
    for f in store.followups(FollowUpStatus.open):
        for who in {f.owner, f.expected_from} - {None}:
            if who in h:
                open_fu.setdefault(who, []).append(f.description)  # type: ignore[index]

    # -- nodes --------------------------------------------------------------------------------------------
    index = {n: i for i, n in enumerate(sorted(h, key=lambda n: (n in pinned, importance[n], n)))}
    node_order = sorted(h, key=lambda n: index[n])  # drawn in this order: the important ones on top
    nodes: list[dict[str, Any]] = []
    node_meta: dict[str, list[Any]] = {"g": [], "s": [], "pin": [], "d": []}
    zoom_labels: dict[str, str] = {}
    kind_counts: dict[str, int] = {}
    group_counts: dict[str, int] = {}
    for n in node_order:
        kind = kind_of(n)
        kind_counts[kind] = kind_counts.get(kind, 0) + 1
        strength = office_score(n, h)
        tip = [texts[n], _cap(kind_label(kind))]
        if h.nodes[n].get("countries"):
            names = [
                country_names.name_es(c) if lang == "es" else country_names.name_en(c)
                for c in h.nodes[n]["countries"]
            ]
            tip.append(_("Country: {names}").format(names=", ".join(names)))
        if home and n != home:
            sc = strength or 0.0
            tip.append(
                _("Strength with the office: {score} ({tier})").format(score=num(sc), tier=tier_label(sc))
            )
            edge = h[home][n] if h.has_edge(home, n) else None
            if edge and edge.get("last"):
                tip.append(_("Last interaction: {date}").format(date=when(last_label(edge))))
        pending = open_fu.get(n, [])
        if pending:
            tip.append(
                ngettext("{n} open follow-up: {items}", "{n} open follow-ups: {items}", len(pending)).format(
                    n=len(pending), items="; ".join(pending[:3])
                )
            )
        if n in pinned and n == focus:
            tip.append(_("Focus of the map"))
        if n in targets:
            tip.append(_("Target of the routes"))
        base_color = KIND_COLORS.get(kind, "#cccccc")
        fill = color_group[n][2] if n in color_group else base_color
        border = _darker(fill)
        faded = route_view and n not in route_nodes
        border_width = 1.0
        if n == home:
            border_width = 3.0
        if faded:
            fill, border = _fade(fill), _fade(border, 0.6)
        if n in targets or (n == focus and not route_view):
            border, border_width = MARK_BORDER, 5.0
        elif n in route_nodes and n != home:
            border, border_width = ROUTE_COLOR, 3.0
        groups = [f"k:{kind}"]
        if n in color_group:
            groups.append(color_group[n][0])
            group_counts[color_group[n][0]] = group_counts.get(color_group[n][0], 0) + 1
        node: dict[str, Any] = {
            "id": nid(n),
            "label": labels[n].text if n in vadjust else "",
            "x": pos[n][0],
            "y": pos[n][1],
            "shape": KIND_SHAPES.get(kind, "dot"),
            "size": radius[n],
            "color": _solid(fill, border),
            "borderWidth": border_width,
            "borderWidthSelected": border_width + 1,
            "font": {
                "size": fonts[n],
                "color": "#9a9a9a" if faded else "#1a1a1a",
                "vadjust": vadjust.get(n, 0.0),
            },
            "tooltip": "\n".join(tip),
        }
        if n not in vadjust:
            zoom_labels[nid(n)] = labels[n].text
        nodes.append(node)
        node_meta["g"].append(groups)
        node_meta["s"].append(None if strength is None else round(strength, 3))
        node_meta["pin"].append(1 if n in pinned else 0)
        node_meta["d"].append(h.degree(n))

    # -- edges: the faded ones first, the routes last (drawn on top) ------------------------------------
    detailed = h.number_of_edges() <= detail_limit
    w0, w1 = (1.5, 7.0) if presentation else (1.0, 5.0)
    edge_list = sorted(
        (tuple(sorted((a, b))) for a, b in h.edges()),
        key=lambda e: (frozenset(e) in edge_routes, h[e[0]][e[1]]["score"], e),
    )
    edges: list[dict[str, Any]] = []
    edge_meta: dict[str, list[Any]] = {"f": [], "t": [], "s": [], "a": [], "w0": []}
    # Large maps: the page writes each tie's tooltip from these columns when it is hovered.
    edge_meta.update({"n": [], "l": [], "k": []})
    last_labels: dict[str, int] = {}
    tie_labels: dict[str, int] = {}
    default_color = _fade(EDGE_COLOR, 0.65) if route_view else EDGE_COLOR
    for i, (a, b) in enumerate(edge_list):
        d = h[a][b]
        on = edge_routes.get(frozenset((a, b)), [])
        latest = when(last_label(d)) if d.get("last") else None
        ties = ""
        if d.get("ties"):
            kinds = [label("TieKind", t, lang) if t != "affiliation" else _("works at") for t in d["ties"]]
            ties = _("Ties: {kinds}").format(kinds=", ".join(dict.fromkeys(kinds)))
        tip: list[str] | None = None
        if detailed:
            tip = [
                f"{texts[a]} — {texts[b]}",
                _("Strength {score} ({tier})").format(score=num(d["score"]), tier=tier_label(d["score"])),
            ]
            if d["interactions"]:
                line = ngettext("{n} interaction", "{n} interactions", d["interactions"]).format(
                    n=d["interactions"]
                )
                if latest:
                    line += ", " + _("the latest {date}").format(date=latest)
                tip.append(line)
            if ties:
                tip.append(ties)
            if d["interactions"]:
                tip += [
                    f"· {when(str(x.date))} · {label('InteractionKind', x.kind, lang)} · {x.title}"
                    for x in store.shared_interactions(a, b)[:3]
                ]
        else:
            edge_meta["n"].append(d["interactions"])
            edge_meta["l"].append(-1 if latest is None else last_labels.setdefault(latest, len(last_labels)))
            edge_meta["k"].append(-1 if not ties else tie_labels.setdefault(ties, len(tie_labels)))
        width0 = w0 + (5.0 if on else 0.0)
        edge: dict[str, Any] = {
            "id": f"e{i}",
            "from": nid(a),
            "to": nid(b),
            "width": round(width0 + w1 * d["score"], 2),
        }
        if cfg.tier(d["score"]) == "cold" and not on:
            edge["dashes"] = True
        if on:
            edge["color"] = {"color": ROUTE_COLOR, "highlight": ROUTE_COLOR, "hover": ROUTE_COLOR}
        if tip is not None:
            edge["tooltip"] = "\n".join(tip)
        if on:
            # Drawn by the page itself on top of the canvas (vis-network's edge labels drift).
            edge["routeLabel"], edge["routeAt"] = badges[(a, b)]
            edge["routeFont"] = badge_font
        edges.append(edge)
        edge_meta["f"].append(index[a])
        edge_meta["t"].append(index[b])
        edge_meta["s"].append(round(float(d["score"]), 3))
        edge_meta["a"].append(axis_mask.get(frozenset((a, b)), 0))
        edge_meta["w0"].append(width0)

    # -- legend -----------------------------------------------------------------------------------------
    legend: list[dict[str, Any]] = []
    for kind in sorted(kind_counts, key=lambda k: (k != "home_office", -kind_counts[k], kind_label(k))):
        color = KIND_COLORS.get(kind, "#cccccc") if color_by == "kind" else "#ffffff"
        legend.append(
            {
                "key": f"k:{kind}",
                "label": _cap(kind_label(kind)),
                "color": color,
                "border": _darker(color) if color_by == "kind" else "#555555",
                "shape": KIND_SHAPES.get(kind, "dot"),
                "count": kind_counts[kind],
            }
        )
    if color_by != "kind":
        seen: dict[str, tuple[str, str]] = {}
        for key, text, color in color_group.values():
            seen[key] = (text, color)
        for key in sorted(seen, key=lambda k: (-group_counts.get(k, 0), k)):
            text, color = seen[key]
            legend.append(
                {
                    "key": key,
                    "label": _cap(text),
                    "color": color,
                    "border": _darker(color),
                    "shape": "dot",
                    "count": group_counts.get(key, 0),
                }
            )
    marks: list[dict[str, Any]] = []
    if route_view:
        marks.append({"label": _("Route (number: score)"), "shape": "line", "color": ROUTE_COLOR, "width": 5})
        marks.append(
            {
                "label": _("Target of the routes"),
                "shape": "ring",
                "color": "#ffffff",
                "border": MARK_BORDER,
                "width": 3,
            }
        )
    if route_view and len(route_nodes) < n_nodes:
        marks.append(
            {
                "label": _("Not on a route (faded)"),
                "shape": "dot",
                "color": _fade("#888888"),
                "border": _fade("#444444", 0.6),
            }
        )
    if focus is not None and focus in h and not route_view:
        marks.append(
            {
                "label": _("Focus of the map"),
                "shape": "ring",
                "color": "#ffffff",
                "border": MARK_BORDER,
                "width": 3,
            }
        )
    if any(e.get("dashes") for e in edges):
        marks.append(
            {"label": _("Cold tie"), "shape": "line", "color": EDGE_COLOR, "border": "dashed", "width": 2}
        )
    marks.append({"label": _("Size: strength with the office"), "shape": "dot", "color": "#eeeeee"})

    # -- routes for the side panel and the printed table -------------------------------------------------
    routes: list[dict[str, Any]] = []
    for i, p in enumerate(route_list, start=1):
        hops = []
        for hop in p.hops:
            hop_text = _("{a} → {b}: strength {score} ({tier})").format(
                a=hop.source_name, b=hop.target_name, score=num(hop.score), tier=label("Tier", hop.tier, lang)
            )
            if hop.weakest and len(p.hops) > 1:
                hop_text += " · " + _("weakest link")
            evidence = [
                f"{when(str(x.date))} · {label('InteractionKind', x.kind, lang)} · {x.title}"
                for x in (store.shared_interactions(hop.source, hop.target)[:3] if hop.interactions else [])
            ]
            if hop.ties:
                kinds = [label("TieKind", t, lang) if t != "affiliation" else _("works at") for t in hop.ties]
                evidence.append(_("Ties: {kinds}").format(kinds=", ".join(dict.fromkeys(kinds))))
            hops.append({"text": hop_text, "evidence": evidence})
        short = [
            " ".join(labels[n].text.split("\n")) if n in labels else p.names[k] for k, n in enumerate(p.nodes)
        ]
        routes.append({"n": i, "score": num(p.score), "names": list(p.names), "short": short, "hops": hops})

    # -- quarter slider -----------------------------------------------------------------------------------
    timeline: dict[str, Any] = {}
    if past is not None and len(past.stops) > 1:
        timeline["quarters"] = [{"code": code, "label": format_date(code, lang)} for code, _end in past.stops]
        scores = []
        node_scores = []
        for gq in past.graphs:
            adj = gq._adj  # a plain dict read per tie: 50,000 ties x 8 quarters
            col = []
            for a, b in edge_list:
                e = adj.get(a, {}).get(b)
                col.append(None if e is None else round(e["score"], 3))
            scores.append(col)
            node_scores.append(
                [None if (s := office_score(n, gq)) is None else round(s, 3) for n in node_order]
            )
        timeline["scores"] = scores
        timeline["node"] = node_scores

    # -- words of the page --------------------------------------------------------------------------------
    title = title or _("OFAI partner network")
    subtitle = " · ".join(
        [
            _("Data as of {date}").format(date=format_date(as_of, lang)),
            ngettext("{n} entity", "{n} entities", n_nodes).format(n=format_number(n_nodes, lang)),
            ngettext("{n} tie", "{n} ties", len(edges)).format(n=format_number(len(edges), lang)),
        ]
    )
    if paths is not None:
        subtitle += " · " + ngettext(
            "{n} route to {target}", "{n} routes to {target}", len(route_list)
        ).format(n=len(route_list), target=paths.target.label)
    if focus is not None and focus in h and not route_view:
        subtitle += " · " + _("around {name}").format(name=texts[focus])
    page_texts = {
        "search": _("Search an entity"),
        "legend": _("Legend"),
        "toggle": _("Click to hide or show"),
        "tier": _("Strength of the tie"),
        "axis": _("Strategic axis"),
        "allAxes": _("All axes"),
        "quarter": _("Quarter"),
        "routes": _("Routes"),
        "number": _("No."),
        "route": _("Route"),
        "score": _("Score"),
        "evidence": _("Evidence"),
        "hint": _("Zoom in or hover over an entity to see the other names."),
        "strength": _("Strength {score} ({tier})"),
        "interaction": ngettext("{n} interaction", "{n} interactions", 1),
        "interactions": ngettext("{n} interaction", "{n} interactions", 2),
        "latest": _("the latest {date}"),
    }
    filters_data = {
        "tiers": [{"code": t, "label": label("Tier", t, lang)} for t in ("strong", "medium", "weak", "cold")],
        "thresholds": {k: float(v) for k, v in cfg.tiers.items()},
        "axes": [{"code": a, "label": label("Axis", a, lang)} for a in AXES] if past and past.axes else [],
    }
    page = Page(
        title=title,
        subtitle=subtitle,
        nodes=nodes,
        edges=edges,
        legend=legend,
        marks=marks,
        physics=physics,
        highlight=[nid(n) for n in route_nodes],
        lang=lang,
        texts=page_texts,
        meta={
            "nodes": node_meta,
            "edges": edge_meta,
            "w1": w1,
            "edgeColor": default_color,
            "lastLabels": list(last_labels),
            "tieLabels": list(tie_labels),
            "decimal": decimal,
        },
        routes=routes,
        filters=filters_data,
        timeline=timeline,
        view={"width": VIEW_WIDTH, "height": VIEW_HEIGHT, "x": 0, "y": 0},
        labels=zoom_labels,
    )
    if redactor is not None:
        # One pass over every text of the page: whatever a field holds, no name gets through.
        page = Page(**{k: redactor(v) for k, v in page.__dict__.items()})
    return Map(
        html=render(page),
        node_count=len(nodes),
        edge_count=len(edges),
        highlighted=sorted(nid(n) for n in route_nodes),
        page=page,
        as_of=as_of,
    )


# -- handouts: SVG, PNG, PDF -------------------------------------------------------------------------


def _svg_shape(shape: str, x: float, y: float, r: float, attrs: str) -> str:
    def poly(points: Iterable[tuple[float, float]]) -> str:
        return f'<polygon points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}" {attrs}/>'

    if shape == "star":
        pts = []
        for k in range(10):
            rr = r * 1.1 if k % 2 == 0 else r * 0.45
            a = -math.pi / 2 + k * math.pi / 5
            pts.append((x + rr * math.cos(a), y + rr * math.sin(a)))
        return poly(pts)
    if shape == "diamond":
        return poly([(x, y - r), (x + r, y), (x, y + r), (x - r, y)])
    if shape == "triangle":
        return poly([(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)])
    if shape == "triangleDown":
        return poly([(x - r, y - r * 0.8), (x + r, y - r * 0.8), (x, y + r)])
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {attrs}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {attrs}/>'


def to_svg(page: Page) -> str:
    """A static SVG of the map for slides: the first view of the page, with title, date and legend.

    Same positions, colours, sizes, widths and labels as the page; every text escaped; the canvas
    is sized so that nothing is cut off.
    """
    esc = html.escape
    data = page_data(page)
    view = data["view"]
    vw, vh = float(view["width"]), float(view["height"])
    legend_w = 300
    header = 76
    _side, bottom = _svg_side(page, vw + 16, header + 8, legend_w - 28)
    width = int(vw + legend_w)
    height = int(max(vh + header, bottom + 16))
    ox, oy = vw / 2, header + vh / 2
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Arial, Liberation Sans, Helvetica, sans-serif">',
        f"<title>{esc(page.title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="16" y="32" font-size="22" font-weight="bold">{esc(page.title)}</text>',
        f'<text x="16" y="56" font-size="14" fill="#555">{esc(page.subtitle)}</text>',
        f'<line x1="0" y1="{header - 6}" x2="{width}" y2="{header - 6}" stroke="#ddd"/>',
    ]
    pos = {str(n["id"]): (ox + float(n["x"]), oy + float(n["y"])) for n in page.nodes}
    for e in page.edges:
        (x1, y1), (x2, y2) = pos[str(e["from"])], pos[str(e["to"])]
        color = (
            e["color"]["color"]
            if isinstance(e.get("color"), dict)
            else str(page.meta.get("edgeColor", EDGE_COLOR))
        )
        dash = ' stroke-dasharray="6 4"' if e.get("dashes") else ""
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{esc(color)}" '
            f'stroke-width="{float(e.get("width", 1)):.2f}"{dash}>'
            + (f"<title>{esc(e['tooltip'])}</title>" if e.get("tooltip") else "")
            + "</line>"
        )
    for e in page.edges:
        if e.get("routeLabel"):
            (x1, y1), (x2, y2) = pos[str(e["from"])], pos[str(e["to"])]
            t = float(e.get("routeAt", 0.5))
            x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            size = float(e["routeFont"])
            w = text_width(str(e["routeLabel"]), size) + 10
            out.append(
                f'<rect x="{x - w / 2:.1f}" y="{y - size * 0.75:.1f}" width="{w:.1f}" height="{size * 1.5:.1f}" rx="4" '
                f'fill="white" stroke="{ROUTE_COLOR}" stroke-width="1.5"/>'
                f'<text x="{x:.1f}" y="{y + size * 0.36:.1f}" font-size="{size}" font-weight="bold" '
                f'text-anchor="middle" fill="{ROUTE_COLOR}">{esc(str(e["routeLabel"]))}</text>'
            )
    for n in page.nodes:
        x, y = pos[str(n["id"])]
        color = n["color"]
        r = float(n.get("size", 10))
        attrs = (
            f'fill="{esc(color["background"])}" stroke="{esc(color["border"])}" '
            f'stroke-width="{float(n.get("borderWidth", 1)):.1f}"'
        )
        out.append(
            f"<g>{_svg_shape(str(n.get('shape', 'dot')), x, y, r, attrs)}<title>{esc(n.get('tooltip', ''))}</title></g>"
        )
    for n in page.nodes:
        if not n.get("label"):
            continue
        x, y = pos[str(n["id"])]
        r = float(n.get("size", 10))
        font = n["font"]
        size = float(font["size"])
        lines = str(n["label"]).split("\n")
        top = y + r + float(font.get("vadjust", 0))
        weight = ""
        for k, line in enumerate(lines):
            out.append(
                f'<text x="{x:.1f}" y="{top + size * (k + 0.95):.1f}" font-size="{size}" text-anchor="middle"{weight} '
                f'fill="{esc(font["color"])}" stroke="white" stroke-width="3" paint-order="stroke">{esc(line)}</text>'
            )
    side, bottom = _svg_side(page, vw + 16, header + 8, legend_w - 28)
    out += side
    out.append(f'<line x1="{vw}" y1="{header - 6}" x2="{vw}" y2="{height}" stroke="#ddd"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_side(page: Page, lx: float, ly: float, room: float) -> tuple[list[str], float]:
    """The SVG's side panel (legend, marks, routes) from (lx, ly), lines wrapped to ``room`` px."""
    esc = html.escape
    out = [
        f'<text x="{lx}" y="{ly + 14}" font-size="15" font-weight="bold">{esc(page.texts.get("legend", ""))}</text>'
    ]
    ly += 34

    def lines(text: str, size: float, indent: float) -> list[str]:
        chars = max(10, int((room - indent) / (size * 0.6)))
        return textwrap.wrap(text, chars) or [""]

    for item in list(page.legend) + list(page.marks):
        shape = str(item.get("shape", "dot"))
        if shape == "line":
            dash = ' stroke-dasharray="4 3"' if item.get("border") == "dashed" else ""
            out.append(
                f'<line x1="{lx}" y1="{ly}" x2="{lx + 16}" y2="{ly}" stroke="{esc(item["color"])}" '
                f'stroke-width="{item.get("width", 3)}"{dash}/>'
            )
        else:
            attrs = (
                f'fill="{esc(item["color"])}" stroke="{esc(item.get("border", "#444"))}" '
                f'stroke-width="{item.get("width", 1)}"'
            )
            out.append(_svg_shape("dot" if shape == "ring" else shape, lx + 8, ly, 6, attrs))
        count = f" ({item['count']})" if "count" in item else ""
        for k, line in enumerate(lines(item["label"] + count, 12, 24)):
            out.append(f'<text x="{lx + 24}" y="{ly + 4 + 15 * k}" font-size="12">{esc(line)}</text>')
            ly += 15 if k else 0
        ly += 20
    if page.routes:
        ly += 10
        out.append(
            f'<text x="{lx}" y="{ly}" font-size="15" font-weight="bold">{esc(page.texts.get("routes", ""))}</text>'
        )
        ly += 20
        for r in page.routes:
            for line in lines(f"{r['n']}. " + " → ".join(r["short"]) + f" ({r['score']})", 12, 0):
                out.append(f'<text x="{lx}" y="{ly}" font-size="12">{esc(line)}</text>')
                ly += 16
            ly += 6
    return out, ly


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
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
            "PNG and PDF maps need a Chromium browser (Debian: apt-get install chromium) or OFAI_GRAPH_CHROMIUM"
        )
    return found


def _in_chromium(
    page_html: str, work: Callable[[Any], bytes], *, width: int = 1600, height: int = 1000
) -> bytes:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise OfaiError("PNG and PDF maps need Playwright: pip install 'ofai-graph[png]'") from exc
    from concurrent.futures import ThreadPoolExecutor

    def run() -> bytes:
        return _chromium_work(page_html, work, sync_playwright, width, height)

    # Playwright's sync API refuses a thread with a running event loop (Jupyter's): use another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _chromium_work(
    page_html: str, work: Callable[[Any], bytes], sync_playwright: Any, width: int, height: int
) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "map.html"
        page_file.write_text(page_html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                tab = browser.new_page(viewport={"width": width, "height": height})
                tab.goto(page_file.as_uri() + "#handout")
                tab.wait_for_selector("body[data-ready='1']", timeout=60_000)
                return work(tab)
            finally:
                browser.close()


def screenshot(page_html: str, *, width: int = 1600, height: int = 1000) -> bytes:
    """A PNG of the map's first view (title, date, legend, routes; no controls), drawn by Chromium."""
    return _in_chromium(page_html, lambda tab: tab.screenshot(full_page=False), width=width, height=height)


def print_pdf(page_html: str, *, as_of: dt.date | None = None) -> bytes:
    """One PDF page: the map as drawn, its legend and, for a route map, the routes with their evidence.

    Chromium stamps the time and a random document id into every PDF; both are replaced (same
    lengths, so the cross-reference offsets stay valid) to keep the file the same on every run.
    """

    def work(tab: Any) -> bytes:
        tab.evaluate("ofaiMap.buildPrint()")
        tab.emulate_media(media="print")
        tall = tab.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        pdf: bytes = tab.pdf(width="1600px", height=f"{int(tall) + 4}px", print_background=True)
        return pdf

    return stable_pdf(_in_chromium(page_html, work), as_of)


def stable_pdf(pdf: bytes, as_of: dt.date | None) -> bytes:
    """``pdf`` with its creation and modification times set to ``as_of`` and its id derived from
    its content (the byte length never changes)."""
    import hashlib

    stamp = (as_of or dt.date(2000, 1, 1)).strftime("%Y%m%d").encode()

    def date(m: re.Match[bytes]) -> bytes:
        value = m.group(2)
        fixed = (b"D:" + stamp + b"000000" + b"+00'00'")[: len(value)].ljust(len(value), b" ")
        return m.group(1) + fixed

    out = re.sub(rb"(/(?:CreationDate|ModDate)\s*\()(D:[^)]*)", date, pdf)
    ids = re.search(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]", out)
    if ids:
        body = out[: ids.start()] + out[ids.end() :]
        digest = hashlib.sha256(body).hexdigest().upper().encode()
        first = (digest * 4)[: len(ids.group(1))]
        second = (digest * 4)[: len(ids.group(2))]
        out = out[: ids.start(1)] + first + out[ids.end(1) : ids.start(2)] + second + out[ids.end(2) :]
    return out
