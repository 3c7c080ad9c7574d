"""Counts and breakdowns of what a store holds."""

from __future__ import annotations

from pydantic import BaseModel

from .store.base import Store


class PartnerCount(BaseModel):
    id: str
    name: str
    interactions: int


class Stats(BaseModel):
    backend: str
    location: str
    schema_version: int
    counts: dict[str, int]
    facets: dict[str, dict[str, int]]
    most_active: list[PartnerCount]


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
