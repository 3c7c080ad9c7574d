"""The notebook entry point: ``ofai_graph.open()`` returns a :class:`Workspace`.

A workspace wraps one store and offers every operation of ofai-graph as a method that resolves names
("Corea", "imct", "IOM") and calls the module function that does the work. The CLI calls the same
methods and only formats what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import files, importer
from .errors import OfaiError
from .model import Dataset, EntityModel, FollowUp, Interaction, Organization, OrgKind, Person, Tie
from .profile import Profile, profile
from .resolve import Resolver, SearchHit, search
from .stats import Stats, stats
from .store import open_store
from .store.base import Store, WriteReport

if TYPE_CHECKING:
    import networkx as nx


class Workspace:
    """One store and the operations on it.

    >>> import ofai_graph
    >>> ws = ofai_graph.open(":memory:")
    >>> _ = ws.add(ofai_graph.Organization(id="ofai", name="OFAI", kind="home_office"))
    >>> ws.resolve("Ofai")
    'ofai'
    """

    def __init__(self, store: Store):
        self.store = store
        self._resolver: Resolver | None = None
        self._resolver_rev = -1
        self._graph_cache: dict[str, tuple[int, Any]] = {}

    # -- lifecycle -----------------------------------------------------------------------------------
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.store.backend}:{self.store.location}>"

    # -- names ---------------------------------------------------------------------------------------
    @property
    def resolver(self) -> Resolver:
        rev = self.store.revision()
        if self._resolver is None or rev != self._resolver_rev:
            self._resolver, self._resolver_rev = Resolver(self.store), rev
        return self._resolver

    def resolve(self, text: str) -> str:
        """The id of the entity ``text`` names (id, name, alias or near-miss)."""
        return self.resolver.resolve(text)

    def entity(self, text: str) -> EntityModel:
        eid = self.resolve(text)
        return self.store.get_entities([eid])[eid]

    @property
    def home(self) -> str:
        """The id of the home office: the organization of kind ``home_office``."""
        homes = [s.id for s in self.store.entity_summaries() if s.kind == OrgKind.home_office.value]
        if not homes:
            raise OfaiError("this store has no home office (an organization of kind home_office); import one")
        if len(homes) > 1:
            raise OfaiError(f"this store has several home offices ({', '.join(homes)}); pass one explicitly")
        return homes[0]

    def search(self, text: str, *, limit: int = 20) -> list[SearchHit]:
        return search(self.store, text, limit=limit)

    # -- data in and out -----------------------------------------------------------------------------
    def import_files(self, paths: Sequence[str | Path], **options: Any) -> WriteReport:
        return importer.import_files(self.store, paths, **options)

    def import_data(self, data: Dataset | dict[str, Any]) -> WriteReport:
        return importer.import_data(self.store, data)

    def add(
        self, *records: Organization | Person | Interaction | FollowUp | Tie | EntityModel
    ) -> WriteReport:
        """Add or update records, all-or-nothing; names in references are resolved."""
        data = Dataset()
        section = {
            "Organization": data.organizations,
            "Person": data.people,
            "Country": data.countries,
            "Interaction": data.interactions,
            "FollowUp": data.followups,
            "Tie": data.ties,
        }
        for r in records:
            section[type(r).__name__].append(r)
        return importer.import_data(self.store, data)

    def dataset(self) -> Dataset:
        return self.store.dump()

    def export(self, fmt: str = "yaml") -> str:
        return files.dumps(self.store.dump(), fmt)

    # -- views ---------------------------------------------------------------------------------------
    def show(self, text: str, *, as_of: dt.date | None = None) -> Profile:
        return profile(self.store, self.resolve(text), as_of=as_of)

    def stats(self) -> Stats:
        return stats(self.store)

    def graph(self) -> nx.MultiGraph:
        """The store as a networkx MultiGraph (interactions are nodes); cached until data changes."""
        from .graph import to_networkx

        return self._cached("multigraph", lambda: to_networkx(self.store))

    def _cached(self, key: str, build: Any) -> Any:
        rev = self.store.revision()
        hit = self._graph_cache.get(key)
        if hit is None or hit[0] != rev:
            hit = (rev, build())
            self._graph_cache[key] = hit
        return hit[1]


def open(path: str | Path | None = None, *, backend: str | None = None, **options: Any) -> Workspace:
    """Open (creating if needed) a store and return a :class:`Workspace` on it.

    With no arguments: the embedded SQLite store at ``$OFAI_GRAPH_DB`` or the user data directory.
    ``open(":memory:")`` gives a throw-away store.
    """
    return Workspace(open_store(path, backend=backend, **options))
