"""Which ties a dense map draws: a backbone a reader can follow, and what it leaves out.

A map of 120 entities read from a large store holds thousands of ties among them (6,437 on a
million interactions): drawn all, they are a hairball. Above :data:`TIES_PER_ENTITY` ties per
entity a map draws, by a rule a reader can be told in one line (a k-nearest-neighbour backbone):

- every tie of the office and of the focus (the ties the map is about);
- every tie on a referral route;
- for every other entity, its :data:`STRONGEST` strongest ties to entities other than the office
  and the focus (by strength; equal strengths by the other end's id, so the choice is the same on
  every run).

Every entity with a tie keeps at least one, so nobody drawn floats alone; filters (``min_strength``,
``since``, ``until``) apply before the rule. A map at or below the density (the seed's 63 entities
and 149 ties) draws every tie, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

TIES_PER_ENTITY = 3
"""A map with more ties than this many per entity draws its backbone, not every tie."""

STRONGEST = 2
"""How many of its strongest ties each entity keeps in the backbone (besides the office's and the focus's)."""


@dataclass(frozen=True)
class Thinning:
    """What a map left out: ``drawn`` of ``total`` ties, each entity keeping its ``k`` strongest."""

    drawn: int
    total: int
    k: int

    @property
    def thinned(self) -> bool:
        return self.drawn < self.total


def backbone(
    h: nx.Graph,
    anchors: Iterable[str] = (),
    routes: Iterable[frozenset[str]] = (),
    k: int = STRONGEST,
) -> list[tuple[str, str]]:
    """The ties of ``h`` the backbone keeps, sorted: every tie of an ``anchors`` entity (the office,
    the focus), every tie in ``routes``, and each other entity's ``k`` strongest ties to non-anchors
    (by ``score``, equal scores by the other end's id).

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from(
    ...     [("o", "a", 0.1), ("o", "b", 0.2), ("a", "b", 0.9), ("a", "c", 0.5), ("a", "d", 0.4),
    ...      ("b", "c", 0.3), ("c", "d", 0.2)], weight="score")
    >>> backbone(g, anchors=["o"], k=1)
    [('a', 'b'), ('a', 'c'), ('a', 'd'), ('a', 'o'), ('b', 'o')]
    >>> backbone(g, anchors=["o"], routes=[frozenset(("c", "d"))], k=1)
    [('a', 'b'), ('a', 'c'), ('a', 'd'), ('a', 'o'), ('b', 'o'), ('c', 'd')]
    """
    pinned = {a for a in anchors if a in h}
    on_route = set(routes)
    keep: set[tuple[str, str]] = set()
    for a, b in h.edges():
        if a in pinned or b in pinned or frozenset((a, b)) in on_route:
            keep.add((a, b) if a <= b else (b, a))
    for n in h:
        if n in pinned:
            continue
        near = h[n]
        others = sorted((w for w in near if w not in pinned), key=lambda w: (-float(near[w]["score"]), w))
        for w in others[:k]:
            keep.add((n, w) if n <= w else (w, n))
    return sorted(keep)


def thin(
    h: nx.Graph,
    anchors: Iterable[str] = (),
    routes: Iterable[frozenset[str]] = (),
    *,
    k: int = STRONGEST,
    per_entity: float = TIES_PER_ENTITY,
) -> tuple[nx.Graph, Thinning]:
    """``h`` with only its :func:`backbone` ties when it has more than ``per_entity`` ties per entity
    (else ``h`` itself), and what was left out. The entities are all kept, in ``h``'s order."""
    import networkx as nx

    total = h.number_of_edges()
    if total <= per_entity * h.number_of_nodes():
        return h, Thinning(total, total, k)
    kept = backbone(h, anchors, routes, k)
    out = nx.Graph(**h.graph)
    out.add_nodes_from(h.nodes(data=True))
    # The order select() gave (sorted), so that the layout and the page are the same on every run.
    out.add_edges_from((a, b, h[a][b]) for a, b in kept)
    return out, Thinning(len(kept), total, k)
