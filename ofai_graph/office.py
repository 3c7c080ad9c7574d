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

from .store.base import Store

OWN_KINDS = frozenset({"home_office", "dependency", "decentralized_entity"})


def own_side(store: Store, home: str) -> set[str]:
    """Ids of the home office's own side (see the module docstring).

    Read around the office only (its ties, the entities of the own kinds, the people affiliated):
    never the whole store, which the office's questions would otherwise all pay for."""
    # Up from the office to the government it belongs to...
    own = {home}
    frontier = {home}
    while frontier:
        up = {t.target for t in store.ties_around(frontier) if t.kind.value == "part_of" and t.source in frontier}
        frontier = up - own
        own |= frontier
    own.update(s.id for s in store.entity_summaries(kinds=OWN_KINDS))
    # ...then down to every unit of it.
    frontier = set(own)
    while frontier:
        down = {t.source for t in store.ties_around(frontier) if t.kind.value == "part_of" and t.target in frontier}
        frontier = down - own
        own |= frontier
    # People working for any of them (affiliated_people also gives back the people among the ids).
    return own | store.affiliated_people(own)
