"""Counts and breakdowns of what a store holds."""

from __future__ import annotations

from .results import Result
from .store.base import Store


class PartnerCount(Result):
    id: str
    """The entity's id."""
    name: str
    """Its name."""
    interactions: int
    """Interactions it took part in."""


class Stats(Result):
    backend: str
    """sqlite or neo4j."""
    location: str
    """The store's file or address."""
    schema_version: int
    """The store's schema version."""
    counts: dict[str, int]
    """Records per section."""
    facets: dict[str, dict[str, int]]
    """Counts per kind, axis, status and year."""
    most_active: list[PartnerCount]
    """Entities with the most interactions."""


def stats(store: Store, *, top: int = 10) -> Stats:
    """Counts per section, breakdowns per kind, axis, status and year, and the most active entities.

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> stats(SQLiteStore(":memory:")).counts["interactions"]
    0
    """
    active = store.participation_counts(top)
    names = store.get_entities(e for e, _ in active)
    return Stats(
        backend=store.backend,
        location=store.location,
        schema_version=store.schema_version(),
        counts=store.counts(),
        facets=store.facets(),
        most_active=[
            PartnerCount(id=e, name=names[e].name if e in names else e, interactions=n) for e, n in active
        ],
    )
