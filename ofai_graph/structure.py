"""Brokers: entities that bridge otherwise separate groups (Burt's structural holes).

Groups are Louvain communities of the strength-weighted graph; brokerage is betweenness centrality
with distances ``-log(strength)``, so a broker sits on many of the strongest referral paths. On large
graphs betweenness is estimated from a fixed sample of sources (``sample``), seeded for repeatability.

On a store of more than :data:`WHOLE_LIMIT` entities the workspace asks it of the office's network
(:func:`office_network`): its :data:`OFFICE_PARTNERS` strongest partners and every relationship among
them, the office left out (through the office every partner is one free hop from every other, and it
would be the only broker). Exact betweenness on the whole graph of 100,000 entities and 1,750,000
relationships is hours of CPU, and even a sampled one needs the whole graph in memory (1.5 GB).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import TYPE_CHECKING, Annotated, Any

from .results import Result, Shown

if TYPE_CHECKING:
    import datetime as dt

    import networkx as nx

    from .store.base import Store
    from .strength import StrengthConfig

WHOLE_LIMIT = 5_000
"""Above this many entities, brokers are sought in the office's network, not in the whole graph."""
OFFICE_PARTNERS = 100
"""How many of the office's strongest partners its network has (betweenness on 100 of them and the
about 5,000 relationships among them: ~2 s of CPU here; 200 and 15,000: 16 s)."""


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


def office_network(
    store: Store, config: StrengthConfig, as_of: dt.date, home: str, size: int = OFFICE_PARTNERS
) -> nx.Graph:
    """The ``size`` strongest partners of ``home`` as of ``as_of`` and the relationships among them (the
    relationship graph's edges, ``home`` left out), read from the materialized pairs: the partners
    strongest first as far as ``size``, then the pairs among them by key. The store must keep pairs
    built with ``config`` (:func:`ofai_graph.materialize.is_current`)."""
    from .materialize import lazy_graph

    lazy = lazy_graph(store, config, as_of, [home])
    ranked = lazy.graph["neighbours"](home, None, lambda w: True)
    ids: list[str] = []
    while len(ids) < size and (item := ranked.at(len(ids))) is not None:
        ids.append(item[1])
    return pair_network(store, config, as_of, ids)


def pair_rows(store: Store, ids: Collection[str]) -> list[tuple[Any, ...]]:
    """The stored pairs among ``ids`` (every pair of them looked up by key)."""
    import itertools

    from .materialize import ops

    keys = sorted(tuple(sorted(p)) for p in itertools.combinations(sorted(set(ids)), 2))
    return list(ops(store).pairs_by_key(keys))


def pair_network(
    store: Store,
    config: StrengthConfig,
    as_of: dt.date,
    ids: Collection[str],
    rows: list[tuple[Any, ...]] | None = None,
    summaries: bool = True,
) -> nx.Graph:
    """The relationship graph among ``ids`` as of ``as_of`` (its edges, to the last bit those of
    :func:`ofai_graph.strength.relationship_graph`), from the materialized pairs among them (``rows``
    when already read, :func:`pair_rows`) and their ties; nodes with their summaries (name, type,
    kind, countries) unless ``summaries`` is false."""
    import networkx as nx

    from .materialize import _Reader

    g = nx.Graph(as_of=as_of, config=config)
    if summaries:
        g.add_nodes_from(
            (s.id, {"name": s.name, "type": s.type, "kind": s.kind, "countries": s.countries})
            for s in store.entity_summaries(ids)
        )
    else:
        g.add_nodes_from(sorted(ids))
    reader = _Reader(store, config, as_of)
    reader.prefetch_ties(list(ids))
    found = {(r[0], r[1]): r for r in (pair_rows(store, ids) if rows is None else rows)}
    ties = {k: t for v in ids for k, t in reader.ties(v).items() if k[0] in g and k[1] in g}
    for key in sorted(set(found) | set(ties)):
        edge = reader.edge(found.get(key), ties.get(key))
        if edge is not None:
            g.add_edge(*key, **edge)
    return g
