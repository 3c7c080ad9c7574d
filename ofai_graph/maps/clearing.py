"""No line seeming to pass through an entity: entities moved off the lines they do not join.

A line drawn across an entity's disc reads as a tie (or a route) through that entity. After the
positions are fitted to the view, :func:`clear_edges` moves entities until no line is closer to an
entity it does not join than the entity's radius, the line's half width and a gap:

1. quick pushes, all at once: each node off the line it is deepest in, where that takes a good part of
   its depth away (the positions with the least overlap are kept);
2. sweeps, one node at a time, to the nearest place where it overlaps least: lines over its disc, its
   own lines over other discs, then other discs. A node moves only if that leaves clearly less
   overlap, so the total falls with every move: nothing goes to and fro, and it ends.

Where no move clears a line, :func:`bend_edges` curves it round the entity, as vis-network draws it;
:func:`lines_over_nodes` says what is left (a check, and what the tests assert). Everything is taken
in the order of the names: the same positions and lines in any order give the same result.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

EPS = 1e-6  # pixels: less overlap than this is none
RING = 16  # directions tried around an entity caught among lines
# How far the rings are, in steps of the node's radius and the widest line's half width and gap.
RING_SCALES = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 11.0, 15.0)
STEP = 0.1  # pixels: a move must take at least this much overlap away
PUSH_GAIN = 0.25  # a quick push must take at least this part of a node's depth in lines away
SLACK = 0.5  # pixels a node is moved beyond the least clearance: positions are rounded afterwards
BENDS = tuple(round(0.05 * i, 2) for i in range(1, 13))  # the curves tried: roundness 0.05 to 0.6
BEND_MOST = 12  # more lines than this left over entities: none is curved (the seed's maps: 0 to 2)
WORK = 3_000_000  # distances the sweeps may measure: the seed's maps take 0.1 to 2.6 million (0.1 s)


def clear_edges(
    pos: dict[str, tuple[float, float]],
    radius: dict[str, float],
    edges: Sequence[tuple[str, str, float]],
    *,
    bounds: dict[str, tuple[float, float, float, float]],
    fixed: Iterable[str] = (),
    firm: Iterable[Collection[str]] = (),
    gap: float = 4.0,
    rounds: int = 40,
    work: int = WORK,
) -> dict[str, tuple[float, float]]:
    """Move nodes off the lines they are not an end of: a line that crosses a node reads as going through it.

    ``edges`` are (a, b, half the line's width); a node closer to one than its radius, the half width
    and ``gap`` is moved to the nearest place where it touches no line and none of its own lines
    passes over another node (or, where nothing near is free, to where that is least so), half a
    pixel clear: straight off the line it is deepest in, to its own side or across, out from the
    line's nearer end, or around it in widening rings. An end of a line over a node that cannot
    move (a ``fixed`` node, which stays) is moved the same way. ``firm`` lines (pairs: a route's)
    come first: no move makes them touch more for the sake of the others. Moved nodes keep their
    centre in ``bounds`` (min x, min y, max x, max y). It stops when nothing touches, when no move
    helps, after ``rounds`` (of each phase) or once the sweeps have measured ``work`` distances (on
    a dense network, where lines cover the view, no place is free). Positions come back to 0.1 px.

    >>> pos = {"a": (0.0, 0.0), "b": (100.0, 0.0), "c": (50.0, 1.0)}
    >>> box = (-200.0, -200.0, 200.0, 200.0)
    >>> clear_edges(pos, dict.fromkeys(pos, 10.0), [("a", "b", 2.0)], bounds=dict.fromkeys(pos, box))["c"]
    (50.0, 16.5)
    """
    clearing = _Clearing(pos, radius, edges, bounds=bounds, fixed=fixed, firm=firm, gap=gap, work=work)
    clearing.push(rounds)
    for _round in range(rounds):
        if not clearing.sweep():
            break
    p = clearing.p
    return {n: (round(float(p[i, 0]), 1), round(float(p[i, 1]), 1)) for i, n in enumerate(clearing.names)}


def lines_over_nodes(
    pos: dict[str, tuple[float, float]],
    radius: dict[str, float],
    edges: Sequence[tuple[str, str, float]],
    *,
    gap: float = 0.0,
) -> list[tuple[str, str, str]]:
    """(one end, other end, node), sorted, for each line closer to a node it does not join than the node's
    radius, the line's half width and ``gap``.

    >>> pos = {"a": (0.0, 0.0), "b": (100.0, 0.0), "c": (50.0, 3.0)}
    >>> lines_over_nodes(pos, dict.fromkeys(pos, 4.0), [("b", "a", 1.0)])
    [('a', 'b', 'c')]
    """
    everywhere = (-math.inf, -math.inf, math.inf, math.inf)
    c = _Clearing(pos, radius, edges, bounds=dict.fromkeys(pos, everywhere), gap=gap)
    e, n, _short = c.touching()
    return sorted((c.names[c.ia[k]], c.names[c.ib[k]], c.names[m]) for k, m in zip(e, n, strict=True))


def bend_edges(
    pos: dict[str, tuple[float, float]],
    radius: dict[str, float],
    edges: Sequence[tuple[str, str, float]],
    *,
    gap: float = 0.0,
    clearance: float = 2.0,
    most: int = BEND_MOST,
) -> dict[tuple[str, str], tuple[str, float]]:
    """The last resort, where no move cleared a line: each line (a, b, half width; a and b as the page's
    ``from`` and ``to``) still closer than ``gap`` to a node it does not join, curved as little as
    keeps it ``clearance`` from every node it does not join. The curve is vis-network's own: (type,
    roundness) as its ``smooth`` option takes them, "curvedCW" or "curvedCCW". A line no curve clears
    is left out (it stays straight); so is every line where more than ``most`` would need a curve (a
    network that dense, where lines cover the view, is not made readable by curves).

    >>> pos = {"a": (0.0, 0.0), "b": (200.0, 0.0), "c": (100.0, 0.0)}
    >>> bend_edges(pos, {"a": 10.0, "b": 10.0, "c": 10.0}, [("a", "b", 1.0)])
    {('a', 'b'): ('curvedCW', 0.15)}
    """
    import numpy as np

    names = sorted(pos)
    p = np.array([pos[n] for n in names], dtype=float).reshape(-1, 2)
    r = np.array([radius[n] for n in names], dtype=float)
    index = {n: i for i, n in enumerate(names)}
    bends: dict[tuple[str, str], tuple[str, float]] = {}
    over = {(a, b) for a, b, _n in lines_over_nodes(pos, radius, edges, gap=gap)}
    if len(over) > most:
        return {}
    for a, b, w in sorted(edges):
        if (min(a, b), max(a, b)) not in over or (a, b) in bends:
            continue
        others = np.array([i for n, i in index.items() if n not in (a, b)], dtype=int)
        for roundness in BENDS:
            for kind in ("curvedCW", "curvedCCW"):
                curve = curve_points(pos[a], pos[b], kind, roundness)
                d = _segment_distances(p[others], curve[:-1], curve[1:]).min(axis=0)
                if (d >= r[others] + w + clearance).all():
                    bends[(a, b)] = (kind, roundness)
                    break
            if (a, b) in bends:
                break
    return bends


def curve_via(
    a: tuple[float, float], b: tuple[float, float], kind: str, roundness: float
) -> tuple[float, float]:
    """The control point of the quadratic Bézier vis-network draws for a tie from ``a`` to ``b`` with
    ``smooth`` (kind, roundness), as its BezierEdgeStatic._getViaCoordinates computes it.

    >>> curve_via((0.0, 0.0), (200.0, 0.0), "curvedCW", 0.0)
    (100.0, 0.0)
    """
    dx, dy = b[0] - a[0], a[1] - b[1]
    reach = (0.5 * roundness + 0.5) * math.hypot(dx, dy)
    turn = 0.5 * roundness + 0.5 if kind == "curvedCW" else -0.5 * roundness + 0.5
    angle = math.atan2(dy, dx) + turn * math.pi
    return (round(a[0] + reach * math.sin(angle), 6), round(a[1] + reach * math.cos(angle), 6))


def curve_points(
    a: tuple[float, float], b: tuple[float, float], kind: str, roundness: float, samples: int = 48
) -> np.ndarray:
    """Points along the curve vis-network draws for a tie from ``a`` to ``b`` with ``smooth`` (kind, roundness)."""
    import numpy as np

    via = curve_via(a, b, kind, roundness)
    t = np.linspace(0.0, 1.0, samples + 1)[:, None]
    return (1 - t) ** 2 * np.array(a) + 2 * t * (1 - t) * np.array(via) + t**2 * np.array(b)


class _Clearing:
    """What :func:`clear_edges` works on: positions in the order of the names, one line per pair (the
    widest) in the order of its ends, and how many distances it has measured."""

    def __init__(
        self,
        pos: dict[str, tuple[float, float]],
        radius: dict[str, float],
        edges: Sequence[tuple[str, str, float]],
        *,
        bounds: dict[str, tuple[float, float, float, float]],
        fixed: Iterable[str] = (),
        firm: Iterable[Collection[str]] = (),
        gap: float,
        work: int = 0,
    ) -> None:
        import numpy as np

        self.names = names = sorted(pos)
        index = {n: i for i, n in enumerate(names)}
        widest: dict[tuple[int, int], float] = {}
        for a, b, w in edges:
            if a in index and b in index and a != b:
                pair = (min(index[a], index[b]), max(index[a], index[b]))
                widest[pair] = max(widest.get(pair, -math.inf), w)
        lines = sorted(widest.items())
        firm_pairs = {frozenset(pair) for pair in firm}
        self.p = p = np.array([pos[n] for n in names], dtype=float).reshape(-1, 2)
        self.r = r = np.array([radius[n] for n in names], dtype=float)
        self.ia = np.array([a for (a, _), _ in lines], dtype=int)
        self.ib = np.array([b for (_, b), _ in lines], dtype=int)
        self.half = np.array([w for _, w in lines], dtype=float) + gap
        self.firm = np.array(
            [frozenset((names[a], names[b])) in firm_pairs for (a, b), _ in lines], dtype=bool
        )
        self.gap = gap
        held = {index[n] for n in fixed if n in index}
        self.free = np.array([i not in held for i in range(len(names))], dtype=bool)
        lo = np.array([bounds[n][:2] for n in names], dtype=float).reshape(-1, 2)
        hi = np.array([bounds[n][2:] for n in names], dtype=float).reshape(-1, 2)
        # A node that starts outside its box (it should not) is not pulled in: the box grows to hold it.
        self.lo, self.hi = np.minimum(lo, p), np.maximum(hi, p)
        self.reach = float(self.half.max(initial=0.0) + r.max(initial=0.0)) + SLACK
        self.step = float(self.half.max(initial=0.0)) + SLACK
        self.work, self.budget = 0, work
        self.degree = np.bincount(np.concatenate([self.ia, self.ib]), minlength=len(names))

    def touching(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each (line, node) pair where the node is nearer a line it does not join than it may be, and by how much."""
        import numpy as np

        p, ia, ib, reach = self.p, self.ia, self.ib, self.reach
        a, b = p[ia], p[ib]
        # Pairs whose boxes meet first (cheap), then their distances: thousands of ties x hundreds.
        x0, x1 = np.minimum(a[:, 0], b[:, 0]) - reach, np.maximum(a[:, 0], b[:, 0]) + reach
        y0, y1 = np.minimum(a[:, 1], b[:, 1]) - reach, np.maximum(a[:, 1], b[:, 1]) + reach
        near = (p[None, :, 0] > x0[:, None]) & (p[None, :, 0] < x1[:, None])
        near &= (p[None, :, 1] > y0[:, None]) & (p[None, :, 1] < y1[:, None])
        e, n = np.nonzero(near)
        keep = (ia[e] != n) & (ib[e] != n)
        e, n = e[keep], n[keep]
        d, _foot = _point_segment(p[n], a[e], b[e])
        short = self.r[n] + self.half[e] - d
        hit = short > EPS
        return e[hit], n[hit], short[hit]

    def push(self, rounds: int) -> None:
        """Quick rounds first: every free node that touches a line is pushed off the one it is deepest in
        (a firm one first), all at once. Cheap, and it clears most; but nodes that move at once can
        move onto each other or their lines onto others: the positions with the least overlap are
        kept, and :meth:`sweep` does the rest."""
        import numpy as np

        p, ia, ib, r, half = self.p, self.ia, self.ib, self.r, self.half
        best, kept = (math.inf, math.inf), p.copy()
        for _round in range(rounds + 1):
            e, n, short = self.touching()
            keep = self.free[n]
            e, n, short = e[keep], n[keep], short[keep]
            firm = self.firm[e]
            total = (round(float(short[firm].sum()), 6), round(float(short[~firm].sum()), 6))
            if total < best:
                best, kept = total, p.copy()
            if not len(e) or _round == rounds:
                break
            # Each node once a round, away from the line it is deepest in (ties broken by the line's order).
            order = np.lexsort((e, -short, ~firm, n))
            first = order[np.unique(n[order], return_index=True)[1]]
            e, n = e[first], n[first]
            a, b = p[ia[e]], p[ib[e]]
            d, foot = _point_segment(p[n], a, b)
            away = p[n] - foot
            t = b - a
            # On the line: the normal that points down (or right), a choice that never varies.
            normal = np.where(
                (np.abs(t[:, 0]) >= np.abs(t[:, 1]))[:, None],
                np.stack([-t[:, 1], t[:, 0]], axis=1),
                np.stack([t[:, 1], -t[:, 0]], axis=1),
            )
            flip = (normal[:, 1] < 0) | ((normal[:, 1] == 0) & (normal[:, 0] < 0))
            normal[flip] *= -1
            away = np.where((d < EPS)[:, None], normal, away)
            unit = away / np.maximum(np.hypot(away[:, 0], away[:, 1]), 1e-12)[:, None]
            step = r[n] + half[e] + SLACK
            own_side = np.clip(p[n] + unit * (step - d)[:, None], self.lo[n], self.hi[n])
            other_side = np.clip(p[n] - unit * (step + d)[:, None], self.lo[n], self.hi[n])

            def depth(at: np.ndarray, n: np.ndarray = n) -> np.ndarray:
                # How deep in all lines (it does not join) the nodes n would be, at these places.
                dist = _segment_distances(at, p[ia], p[ib])
                sunk = np.clip(r[n][None, :] + half[:, None] - dist, 0.0, None)
                sunk[(ia[:, None] == n[None, :]) | (ib[:, None] == n[None, :])] = 0.0
                return sunk.sum(axis=0)

            # To its own side, or across where that leaves it less deep in lines; and only where that
            # takes a good part of its depth away (PUSH_GAIN): a node pushed from line to line in a fan
            # of lines from a hub would go round the hub. (Halving it: more is left for the sweeps than
            # they clear on a dense network; any gain: round the hub.)
            now, own, other = depth(p[n]), depth(own_side), depth(other_side)
            to = np.where((own <= other + EPS)[:, None], own_side, other_side)
            helps = np.minimum(own, other) <= now * (1 - PUSH_GAIN)
            if not helps.any():
                break
            p[n[helps]] = to[helps]
        self.p[:] = kept

    def sweep(self) -> bool:
        """One round: each free node under a line (the deepest first), then each free end of a line still
        over a node, moved to its best place. False when nothing moved: the next round would be the same."""
        import numpy as np

        e, n, short = self.touching()
        if not len(e):
            return False
        firm_depth, depth = np.zeros(len(self.names)), np.zeros(len(self.names))
        np.add.at(firm_depth, n[self.firm[e]], short[self.firm[e]])
        np.add.at(depth, n, short)
        under = sorted(
            (int(k) for k in np.unique(n) if self.free[k]),
            key=lambda k: (-round(float(firm_depth[k]), 6), -round(float(depth[k]), 6), k),
        )
        # Ends with the fewest lines first: moving a hub moves all its lines, and costs as much.
        ends = sorted(
            {int(k) for k in np.concatenate([self.ia[e], self.ib[e]]) if self.free[k]} - set(under),
            key=lambda k: (self.degree[k], k),
        )
        moved = [self._move(k, under=True) for k in under] + [self._move(k, under=False) for k in ends]
        return any(moved)

    def _move(self, k: int, *, under: bool) -> bool:
        import numpy as np

        if self.work > self.budget:
            return False
        here = self.p[k].copy()
        now = np.array(self._cost(k, here[None, :]))[:, 0].round(6)
        if now[0] + now[1] <= EPS:
            return False  # an earlier move this round cleared it
        best, to = (*now, 0.0), None
        # Nearest places first, a group at a time: a group with a free place ends the search.
        for places in self._places(k, under=under):
            moved = np.hypot(places[:, 0] - here[0], places[:, 1] - here[1])
            key = np.stack([*self._cost(k, places), moved]).round(6)
            # The least overlap with firm lines, then other lines, then other discs, then the shortest
            # move; then the places' own order. Only a move that leaves clearly less overlap with lines
            # is made: a node does not creep, round after round, a pixel at a time.
            i = int(np.lexsort(key[::-1])[0])
            place = tuple(float(v) for v in key[:, i])
            if (to is None and _better(place, now)) or (to is not None and place < best):
                best, to = place, places[i].copy()
            if sum(best[:3]) <= EPS:
                break
        if to is None:
            return False
        self.p[k] = to
        return True

    def _places(self, k: int, *, under: bool) -> Iterator[np.ndarray]:
        """Places for node ``k``, in groups, nearest first: off the line it is deepest in (to its own side,
        then across), out from that line's nearer end, then rings around it."""
        import numpy as np

        p, ia, ib = self.p, self.ia, self.ib
        here, lo, hi = p[k], self.lo[k], self.hi[k]
        others = np.nonzero((ia != k) & (ib != k))[0]
        if under and len(others):
            d, foot = _point_segment(
                np.repeat(here[None, :], len(others), axis=0), p[ia[others]], p[ib[others]]
            )
            room = self.r[k] + self.half[others]
            j = int(np.argmax(room - d))
            dist, step = float(d[j]), float(room[j]) + SLACK
            away = here - foot[j]
            if dist < EPS:
                t = p[ib[others[j]]] - p[ia[others[j]]]
                # On the line: the normal that points down (or right), a choice that never varies.
                away = np.array([-t[1], t[0]]) if abs(t[0]) >= abs(t[1]) else np.array([t[1], -t[0]])
                if away[1] < 0 or (away[1] == 0 and away[0] < 0):
                    away = -away
            unit = away / max(float(np.hypot(away[0], away[1])), 1e-12)
            yield np.clip(np.array([here + unit * (step - dist), here - unit * (step + dist)]), lo, hi)
            # Away from the line's nearer end: lines that fan out from a hub are farther apart there.
            a, b = p[ia[others[j]]], p[ib[others[j]]]
            end = a if np.hypot(*(here - a)) <= np.hypot(*(here - b)) else b
            out = (here - end) / max(float(np.hypot(*(here - end))), 1e-12)
            yield np.clip(
                here + out[None, :] * (self.r[k] + self.step) * np.array(RING_SCALES)[:, None], lo, hi
            )
        # Rings: a node caught in a fan of lines near a hub, or one whose own line must swing off a
        # node that stays, finds the nearest place that is free.
        for i, scale in enumerate(RING_SCALES):
            # Every other ring turned half a step: the places of one fill the gaps of the next.
            angles = (np.arange(RING) + (i % 2) / 2) * (2 * math.pi / RING)
            ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * (self.r[k] + self.step) * scale
            yield np.clip(here + ring, lo, hi)

    def _cost(self, k: int, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """How much node ``k`` would overlap at each place ``at`` (sums of depths, in pixels): with firm
        lines, with the other lines (those it does not join over its disc, its own over other discs),
        and with other discs."""
        import numpy as np

        p, r, ia, ib, reach = self.p, self.r, self.ia, self.ib, self.reach
        half = self.half + SLACK
        firm, soft, discs = np.zeros(len(at)), np.zeros(len(at)), np.zeros(len(at))
        (x0, y0), (x1, y1) = at.min(axis=0) - reach, at.max(axis=0) + reach
        a, b = p[ia], p[ib]
        mine = (ia == k) | (ib == k)
        # Only what is near the places can touch them: lines whose boxes meet theirs, nodes inside.
        meet = (np.maximum(a[:, 0], b[:, 0]) > x0) & (np.minimum(a[:, 0], b[:, 0]) < x1)
        meet &= (np.maximum(a[:, 1], b[:, 1]) > y0) & (np.minimum(a[:, 1], b[:, 1]) < y1)
        others = np.nonzero(~mine & meet)[0]
        if len(others):
            d = _segment_distances(at, a[others], b[others])
            sunk = np.clip(r[k] + half[others][:, None] - d, 0.0, None)
            firm += sunk[self.firm[others]].sum(axis=0)
            soft += sunk[~self.firm[others]].sum(axis=0)
            self.work += d.size
        # Other discs: moved onto another entity, a node would hide it.
        inside = (p[:, 0] > x0) & (p[:, 0] < x1) & (p[:, 1] > y0) & (p[:, 1] < y1)
        inside[k] = False
        rest = np.nonzero(inside)[0]
        centre = np.hypot(at[:, None, 0] - p[None, rest, 0], at[:, None, 1] - p[None, rest, 1])
        discs += np.clip(r[k] + r[rest][None, :] + self.gap - centre, 0.0, None).sum(axis=1)
        own = np.nonzero(mine)[0]
        if len(own):
            far = np.where(ia[own] == k, ib[own], ia[own])
            # Nodes that an own line from any of the places could pass over: in the box of places and ends.
            (u0, v0) = np.minimum(at.min(axis=0), p[far].min(axis=0)) - reach
            (u1, v1) = np.maximum(at.max(axis=0), p[far].max(axis=0)) + reach
            near = (p[:, 0] > u0) & (p[:, 0] < u1) & (p[:, 1] > v0) & (p[:, 1] < v1)
            near[k] = False
            victims = np.nonzero(near)[0]
            if len(victims):
                # Segments (place, far end) for every place and own line: (places x lines) x nodes.
                d = _segment_distances(
                    p[victims], np.repeat(at, len(own), axis=0), np.tile(p[far], (len(at), 1))
                )
                sunk = np.clip(r[victims][None, :] + np.tile(half[own], len(at))[:, None] - d, 0.0, None)
                sunk[np.tile(far, len(at))[:, None] == victims[None, :]] = 0.0  # a line's own end
                sunk = sunk.sum(axis=1).reshape(len(at), len(own))
                firm += sunk[:, self.firm[own]].sum(axis=1)
                soft += sunk[:, ~self.firm[own]].sum(axis=1)
                self.work += d.size
        return firm, soft, discs


def _better(place: tuple[float, ...], now: Sequence[float]) -> bool:
    """Whether a place's (firm, other) overlap with lines is clearly less than where the node stands."""
    if place[0] < now[0] - STEP:
        return True
    return place[0] <= now[0] + EPS and place[1] < now[1] - STEP


def _segment_distances(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distances from each point ``p`` (N x 2) to each segment ``a``-``b`` (E x 2): E x N."""
    import numpy as np

    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    px, py = p[None, :, 0] - a[:, None, 0], p[None, :, 1] - a[:, None, 1]
    t = np.clip((px * ab[:, None, 0] + py * ab[:, None, 1]) / length2[:, None], 0.0, 1.0)
    return np.hypot(px - t * ab[:, None, 0], py - t * ab[:, None, 1])


def _point_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each point ``p[k]`` to the segment ``a[k]``-``b[k]``, and the segment's nearest point."""
    import numpy as np

    ab = b - a
    t = ((p - a) * ab).sum(axis=1) / np.maximum((ab**2).sum(axis=1), 1e-12)
    foot = a + np.clip(t, 0.0, 1.0)[:, None] * ab
    return np.hypot(p[:, 0] - foot[:, 0], p[:, 1] - foot[:, 1]), foot
