"""Where a map's entities and labels go: the same on every run, readable at the first view.

:func:`layout` gives unit positions (a spring layout with a fixed seed up to :data:`LARGE` entities,
pivot MDS above; routes in lanes from the office to their targets), :func:`fit` scales them into
the view so that the labels fit, and :func:`place_labels` chooses which entities get a label and
where, so that no two labels overlap. Label boxes are estimated from the advance widths of the face
the page asks for (:func:`text_width`), the way vis-network measures them.
"""

from __future__ import annotations

import math
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

LARGE = 400  # above this many nodes, pivot MDS instead of a spring layout
SEED = 7

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


# -- positions ------------------------------------------------------------------------------------------


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
class LabelBox:
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
    labels: dict[str, LabelBox],
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


def fit(
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
