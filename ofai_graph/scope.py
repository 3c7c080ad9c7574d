"""The push-down policy, decided here and nowhere else: what part of the store a question reads.

Every operation that builds a relationship graph asks this module for a :class:`Scope`, then builds
the graph from it (``relationship_graph(store, around=scope.around)``):

- An embedded store (``store.remote`` is false) reads the whole graph: a local scan is fast, and
  the workspace caches the graph for the next question.
- A store across a network reads only what decides the answer: the entity's own interactions for
  its partners, a pair's strength or its profile (:func:`edges_at`); the neighbourhood that holds
  every short path for referral routes (:func:`paths`), unless that neighbourhood is most of the
  graph (a hub's), where one scan of everything is cheaper.
- Measures over every node (brokers, maps, the multigraph) read everything (:data:`WHOLE`).

>>> from ofai_graph.store import open_store
>>> edges_at(open_store(":memory:"), ["ofai"]) is WHOLE
True
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .store.base import Store

HUB_SHARE = 4
"""A neighbourhood of more than 1/HUB_SHARE of the entities is read as the whole graph instead."""


@dataclass(frozen=True)
class Scope:
    """What to read: the entities whose edges must be exact (``around``), or everything (None)."""

    around: frozenset[str] | None = None

    @property
    def whole(self) -> bool:
        return self.around is None


WHOLE = Scope()


def edges_at(store: Store, ids: Collection[str], *, materialized: bool = False) -> Scope:
    """A scope whose graph is exact on every edge touching ``ids`` (partners, a pair, a profile).

    With ``materialized`` (the store keeps current pairs, :mod:`ofai_graph.materialize`), those edges
    are a few stored rows on any backend: only they are read."""
    return Scope(frozenset(ids)) if store.remote or materialized else WHOLE


def paths(store: Store, source: str, targets: Collection[str], max_hops: int) -> Scope:
    """A scope whose graph holds every path of ``max_hops`` or less from ``source`` to ``targets``,
    with exact scores (see :func:`ofai_graph.paths.neighbourhood`)."""
    if not store.remote:
        return WHOLE
    from .paths import neighbourhood

    counts = store.counts()
    entities = sum(counts[t] for t in ("country", "organization", "person"))
    around = neighbourhood(store, source, targets, max_hops, limit=entities // HUB_SHARE)
    return WHOLE if around is None else Scope(frozenset(around))


__all__ = ["HUB_SHARE", "WHOLE", "Scope", "edges_at", "paths"]
