"""The office's own side: the home office, the government it belongs to, that government's other units
and the people who work for them. They are colleagues, not partners, so rankings of partners
(``strength --top``, ``dormant``) report them apart.

Decided from the data, not from names: the organizations the home office is ``part_of`` (its
mayoralty), every organization ``part_of`` one of those (its secretariats, decentralized entities and
their initiatives), any organization of kind dependency or decentralized entity, and the people
affiliated with any of them.

>>> from ofai_graph.store.sqlite import SQLiteStore
>>> from ofai_graph.importer import import_data
>>> store = SQLiteStore(":memory:")
>>> _ = import_data(store, {"organizations": [
...     {"id": "ofai", "name": "OFAI", "kind": "home_office"},
...     {"id": "alcaldia", "name": "Alcaldía", "kind": "local_government"},
...     {"id": "imct", "name": "IMCT", "kind": "decentralized_entity"},
...     {"id": "jica", "name": "JICA", "kind": "bilateral_agency"}],
...   "ties": [{"source": "ofai", "target": "alcaldia", "kind": "part_of"},
...            {"source": "imct", "target": "alcaldia", "kind": "part_of"}]})
>>> sorted(own_side(store, "ofai"))
['alcaldia', 'imct', 'ofai']
"""

from __future__ import annotations

from .model import Person
from .store.base import Store

OWN_KINDS = frozenset({"home_office", "dependency", "decentralized_entity"})


def own_side(store: Store, home: str) -> set[str]:
    """Ids of the home office's own side (see the module docstring)."""
    part_of: dict[str, set[str]] = {}
    for t in store.ties():
        if t.kind.value == "part_of":
            part_of.setdefault(t.source, set()).add(t.target)
    children: dict[str, set[str]] = {}
    for child, parents in part_of.items():
        for p in parents:
            children.setdefault(p, set()).add(child)
    # Up from the office to the government it belongs to...
    own = {home}
    frontier = [home]
    while frontier:
        nxt = [p for n in frontier for p in part_of.get(n, ()) if p not in own]
        own.update(nxt)
        frontier = nxt
    summaries = list(store.entity_summaries())
    own.update(s.id for s in summaries if s.kind in OWN_KINDS)
    # ...then down to every unit of it.
    frontier = list(own)
    while frontier:
        nxt = [c for n in frontier for c in children.get(n, ()) if c not in own]
        own.update(nxt)
        frontier = nxt
    people = [s.id for s in summaries if s.type == "person"]
    for person in store.get_entities(people).values():
        if isinstance(person, Person) and any(a.organization in own for a in person.affiliations):
            own.add(person.id)
    return own
