"""Where a map's entities go: the same on every run, and no line seeming to pass through an entity.

:func:`layout` gives unit positions (a spring layout with a fixed seed up to :data:`LARGE` entities,
pivot MDS above; routes in columns by hop and a lane each, :func:`route_lanes`), :func:`fit` scales
them into the view so that the labels fit. Entities are then moved off the lines they do not join by
:mod:`.clearing`; labels are :mod:`.labelling`'s.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

LARGE = 400  # above this many nodes, pivot MDS instead of a spring layout
SEED = 7
WEIGHT_DIGITS = 3  # a tie's strength as the layout weighs it


def _pivot_mds(g: nx.Graph, *, pivots: int = 40, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Positions for large maps by pivot MDS (Brandes & Pich 2006), in a fraction of a second.

    Spring layouts cost seconds on two thousand nodes; pivot MDS places nodes by their hop distances
    to a few well-spread pivots, which shows the same clusters and hubs.
    """
    import random

    import networkx as nx
    import numpy as np

    nodes = sorted(g)  # the same picture whatever order the graph holds its nodes in
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


def _columns(routes: Sequence[Sequence[str]]) -> dict[str, int]:
    """Each route entity's column: its hops from the office, the longest way any route reaches it.

    So that every route runs left to right, a node that one route reaches in one hop and another in
    two stands in the second column; the routes' ends (not crossed by another route) share the last.
    """
    after: dict[str, set[str]] = {}
    for r in routes:
        for a, b in itertools.pairwise(r):
            # Routes in order of strength: a later one that would run back (b before a) is let be.
            if not _reaches(after, b, a):
                after.setdefault(a, set()).add(b)
    column: dict[str, int] = {}

    def depth(n: str) -> int:
        if n not in column:
            column[n] = 0  # guards a cycle (none is added above)
            before = [a for a, bs in after.items() if n in bs]
            column[n] = max((depth(a) + 1 for a in before), default=0)
        return column[n]

    for r in routes:
        for n in r:
            depth(n)
    inner = {n for r in routes for n in r[1:-1]}
    last = max(column.values(), default=0)
    for r in routes:
        if len(r) > 1 and r[-1] not in inner:
            column[r[-1]] = last
    return column


def _reaches(after: dict[str, set[str]], a: str, b: str) -> bool:
    seen, todo = {a}, [a]
    while todo:
        n = todo.pop()
        if n == b:
            return True
        for m in after.get(n, ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return False


def route_lanes(
    routes: Sequence[Sequence[str]], *, clearance: float = 0.08
) -> dict[str, tuple[float, float]]:
    """Unit positions of the routes' entities: columns by hop from the office (x, -1 to 1), a lane per route (y).

    A node stands in the lane of the strongest route through it. Lanes are handed out so that no
    route's line passes by an entity that is not one of its ends (closer than ``clearance``), then
    so that route lines cross as little as possible, then with the strongest routes in the middle.

    >>> pos = route_lanes([["o", "t"], ["o", "m", "t"], ["o", "a", "m", "t"]])
    >>> pos["o"], pos["t"][0], pos["m"][0]
    ((-1.0, 0.0), 1.0, 0.333333)
    """
    import itertools

    import numpy as np

    routes = [list(r) for r in routes if r]
    if not routes:
        return {}
    column = _columns(routes)
    last = max(column.values()) or 1
    lanes = len(routes)
    slots = [(i - (lanes - 1) / 2) * (1.2 / (lanes - 1)) if lanes > 1 else 0.0 for i in range(lanes)]
    owner: dict[str, int] = {}
    for i, r in enumerate(routes):
        for n in r:
            owner.setdefault(n, i)
    source = routes[0][0]
    nodes = list(owner)
    segments = sorted({(a, b) if a <= b else (b, a) for r in routes for a, b in itertools.pairwise(r)})
    ends = np.array([[nodes.index(a), nodes.index(b)] for a, b in segments]).reshape(-1, 2)
    xs = np.array([-1.0 + 2.0 * column[n] / last for n in nodes])

    # Every order of the lanes at once (720 for six routes; five, the default, are 120): each
    # order's nodes (P x N), how deep they stand in lines they do not end (P x E x N), how many
    # route lines cross (P x pairs), and how far from the middle the strongest routes run. More
    # routes than six keep their own order, and :mod:`.clearing` does the rest.
    orders = np.array(list(itertools.permutations(range(lanes))) if lanes <= 6 else [list(range(lanes))])
    slot = np.array(slots)
    ys = slot[orders[:, [owner[n] for n in nodes]]]
    ys[:, nodes.index(source)] = 0.0
    near = np.zeros(len(orders))
    crossings = np.zeros(len(orders), dtype=int)
    if len(segments):
        ia, ib = ends[:, 0], ends[:, 1]
        ax, ay, bx, by = (
            xs[ia][None, :, None],
            ys[:, ia][:, :, None],
            xs[ib][None, :, None],
            ys[:, ib][:, :, None],
        )
        dx, dy = bx - ax, by - ay
        qx, qy = xs[None, None, :] - ax, ys[:, None, :] - ay
        t = np.clip((qx * dx + qy * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0.0, 1.0)
        d = np.hypot(qx - t * dx, qy - t * dy)
        d[:, np.arange(len(segments)), ia] = np.inf
        d[:, np.arange(len(segments)), ib] = np.inf
        near = np.clip(clearance - d, 0.0, None).sum(axis=(1, 2))
        pairs = np.array(
            [
                (e, f)
                for e, f in itertools.combinations(range(len(segments)), 2)
                if len({ia[e], ib[e], ia[f], ib[f]}) == 4
            ]
        ).reshape(-1, 2)
        if len(pairs):

            def side(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
                return (xs[a] - xs[o]) * (ys[:, b] - ys[:, o]) - (ys[:, a] - ys[:, o]) * (xs[b] - xs[o])

            p1, p2, q1, q2 = ia[pairs[:, 0]], ib[pairs[:, 0]], ia[pairs[:, 1]], ib[pairs[:, 1]]
            crossing = (side(p1, p2, q1) * side(p1, p2, q2) < 0) & (side(q1, q2, p1) * side(q1, q2, p2) < 0)
            crossings = crossing.sum(axis=1)
    centre = (np.abs(slot[orders]) / np.arange(1, lanes + 1)).sum(axis=1)
    # The first order (in the permutations' own order) that is best on the first count, then the next.
    best = int(np.lexsort((np.round(centre, 9), crossings, np.round(near, 9)))[0])
    return {n: (round(float(xs[i]), 6), round(float(ys[best, i]), 6)) for i, n in enumerate(nodes)}


def layout(
    h: nx.Graph, *, routes: Sequence[Sequence[str]] = (), centre: str | None = None
) -> dict[str, tuple[float, float]]:
    """Positions (unit scale) for every node of ``h``, the same on every run.

    Routes run from the left (the office) to the right (their targets) in lanes
    (:func:`route_lanes`), with the rest of the network arranged around them; ``centre`` (a focus)
    sits in the middle.
    """
    import networkx as nx

    if h.number_of_nodes() == 0:
        return {}
    fixed: dict[str, tuple[float, float]] = {}
    if routes:
        fixed = route_lanes([[n for n in r if n in h] for r in routes])
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
    # In the order of the names, whatever the graph's: the spring layout's matrix follows it.
    nodes = sorted(h)
    free = [v for v in nodes if v not in fixed]
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
    weighted.add_nodes_from(nodes)
    # Strengths to WEIGHT_DIGITS: 150 iterations of springs make a difference in the last bit (a sum
    # kept per pair against one rescored) a different picture; a thousandth of strength shows nowhere.
    weighted.add_edges_from(
        (a, b, {"w": 0.3 + round(float(d["score"]), WEIGHT_DIGITS)}) for a, b, d in h.edges(data=True)
    )
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
