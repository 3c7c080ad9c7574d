"""The stored graph as a networkx graph, for analytics and for anything networkx can do.

Interactions are **nodes**, not edges: one meeting with OIM, GIFMM and three dependencies is one
node linked to five entities, each link carrying that entity's role. Turning a multi-party meeting
into edges would either lose who was there together (pairs) or invent a hyperedge networkx lacks.
Entity-to-entity views (strength, referral paths) are derived from this one by
:mod:`ofai_graph.strength`.

Node keys: entity ids for entities, ``"interaction:<id>"`` for interactions. Every node has ``type``
(organization, person, country, interaction); edges have ``relation`` (participant, tie,
affiliation, country).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Organization, Person
from .store.base import Store

if TYPE_CHECKING:
    import networkx as nx

INTERACTION = "interaction:"


def to_networkx(store: Store) -> nx.MultiGraph:
    """The whole store as a ``MultiGraph`` (see the module docstring for its shape).

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> from ofai_graph.importer import import_data
    >>> store = SQLiteStore(":memory:")
    >>> _ = import_data(store, {"organizations": [
    ...     {"id": "ofai", "name": "OFAI", "kind": "home_office"},
    ...     {"id": "oim", "name": "OIM", "kind": "multilateral"}],
    ...   "interactions": [{"id": "m1", "date": "2024-Q1", "kind": "meeting", "title": "Reunión",
    ...     "participants": [{"entity": "ofai"}, {"entity": "oim", "role": "offerer"}]}]})
    >>> g = to_networkx(store)
    >>> sorted(g.neighbors("interaction:m1"))
    ['ofai', 'oim']
    """
    import networkx as nx

    g = nx.MultiGraph()
    data = store.dump()
    for e in data.entities():
        attrs = {"type": e.type, "name": e.name, "kind": str(e.kind), "countries": list(e.countries)}
        g.add_node(e.id, **attrs)
    for e in data.entities():
        if isinstance(e, (Organization, Person)):
            for code in e.countries:
                g.add_edge(e.id, code, key=f"country:{code}", relation="country")
        if isinstance(e, Person):
            for a in e.affiliations:
                g.add_edge(
                    e.id,
                    a.organization,
                    key=f"affiliation:{a.organization}",
                    relation="affiliation",
                    title=a.title,
                )
    for i in data.interactions:
        node = INTERACTION + i.id
        g.add_node(
            node,
            type="interaction",
            kind=i.kind.value,
            status=i.status.value,
            title=i.title,
            date=str(i.date),
            start=i.date.start,
            end=i.date.end,
            axis=i.axis.value if i.axis else None,
        )
        for p in i.participants:
            g.add_edge(p.entity, node, key=f"role:{p.role.value}", relation="participant", role=p.role.value)
    for t in data.ties:
        g.add_edge(
            t.source,
            t.target,
            key=t.id,
            relation="tie",
            kind=t.kind.value,
            source=t.source,
            since=str(t.since) if t.since else None,
            until=str(t.until) if t.until else None,
        )
    return g


__all__ = ["INTERACTION", "to_networkx"]
