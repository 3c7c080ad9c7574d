"""Brokers: entities that bridge otherwise separate groups (Burt's structural holes).

Groups are Louvain communities of the strength-weighted graph; brokerage is betweenness centrality
with distances ``-log(strength)``, so a broker sits on many of the strongest referral paths. On large
graphs betweenness is estimated from a fixed sample of sources (``sample``), seeded for repeatability.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated

from .results import Result, Shown

if TYPE_CHECKING:
    import networkx as nx


class Group(Result):
    index: int
    """The group's number (largest first)."""
    size: int
    """How many entities it has."""
    label: str  # its best-connected members, by name
    """Its best-connected members, by name."""


class Broker(Result):
    id: str
    """The entity's id."""
    name: str
    """Its name."""
    kind: Annotated[str, Shown("EntityKind")]
    """Its kind (code)."""
    betweenness: float
    """Share of strongest paths through it (0 to 1)."""
    groups: list[Group]
    """The groups among its neighbours."""


def groups(g: nx.Graph, *, seed: int = 7) -> list[set[str]]:
    """Louvain communities on edge ``score``, largest first."""
    import networkx as nx

    comms = nx.community.louvain_communities(g, weight="score", seed=seed)
    return sorted(comms, key=lambda c: (-len(c), min(c)))


def brokers(g: nx.Graph, *, top: int = 10, sample: int = 500, seed: int = 7) -> list[Broker]:
    """The ``top`` entities by betweenness, each with the groups among its neighbours.

    >>> import networkx as nx, math
    >>> g = nx.Graph()
    >>> for a, b in [("a1", "a2"), ("a2", "a3"), ("a1", "a3"), ("b1", "b2"), ("b2", "b3"), ("b1", "b3"),
    ...              ("a1", "hub"), ("hub", "b1")]:
    ...     g.add_edge(a, b, score=0.5, cost=-math.log(0.5))
    >>> brokers(g, top=1)[0].id
    'hub'
    """
    import networkx as nx

    if g.number_of_nodes() == 0:
        return []
    k = None if g.number_of_nodes() <= sample else sample
    bc = nx.betweenness_centrality(g, k=k, weight="cost", normalized=True, seed=seed)
    comms = groups(g, seed=seed)
    member = {n: i for i, c in enumerate(comms) for n in c}
    labels = []
    for c in comms:
        best = sorted(c, key=lambda n: (-g.degree(n, weight="score"), n))[:3]
        labels.append(", ".join(g.nodes[n].get("name", n) for n in best))
    ranked = sorted((n for n in bc if bc[n] > 0), key=lambda n: (-bc[n], n))[:top]
    out = []
    for n in ranked:
        touched = Counter(member[m] for m in g[n])
        touched[member[n]] += 0
        out.append(
            Broker(
                id=n,
                name=g.nodes[n].get("name", n),
                kind=g.nodes[n].get("kind", ""),
                betweenness=bc[n],
                groups=[
                    Group(index=i, size=len(comms[i]), label=labels[i]) for i, _ in touched.most_common()
                ],
            )
        )
    return out
