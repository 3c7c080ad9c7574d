"""Copy a graph between stores: ``neo4j push`` (embedded to Neo4j) and ``neo4j pull`` (back).

A copy is an idempotent upsert: records already identical on the target are counted as unchanged
and not written, so running it twice changes nothing. Each batch is one transaction on the target,
and an interaction travels in the same transaction as its participants, so a copy cut short by a
crash leaves whole records only; running it again finishes the job (``atomic=False``, the push).
With ``atomic=True`` (the pull into a local file) everything lands in one transaction or nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .model import Dataset
from .store.base import ServerStore, Store, WriteReport


@dataclass
class CopyReport:
    """What a copy did: per section added / updated / unchanged, in how many batches and how long."""

    source: str
    target: str
    report: WriteReport = field(default_factory=WriteReport)
    records: int = 0
    batches: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def _size(data: Dataset) -> int:
    return sum(data.counts().values())


def copy(
    source: Store,
    target: Store,
    *,
    batch_size: int = 5_000,
    atomic: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> CopyReport:
    """Upsert everything in ``source`` into ``target``; ``progress(n)`` is called after each batch.

    >>> from ofai_graph.store import open_store
    >>> from ofai_graph.importer import import_data
    >>> a, b = open_store(":memory:"), open_store(":memory:")
    >>> _ = import_data(a, {"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]})
    >>> copy(a, b).report.total("added"), copy(a, b).report.total("added")
    (1, 0)
    """
    # The collector stays on here (unlike imports): a copy streams, its live set is one batch, and
    # with the collector paused the driver's short-lived cycles piled up to 2 GB on a million records.
    out = CopyReport(source=source.location, target=target.location)
    started = time.perf_counter()

    def one(write: Callable[[Dataset], WriteReport], batch: Dataset) -> None:
        out.report.merge(write(batch))
        n = _size(batch)
        out.records += n
        out.batches += 1
        if progress is not None:
            progress(n)

    if atomic:
        with target.transaction() as tx:
            for batch in source.iter_batches(batch_size):
                one(tx.write, batch)
    else:
        for batch in source.iter_batches(batch_size):
            one(target.write, batch)
    out.seconds = time.perf_counter() - started
    return out


def total_records(store: Store) -> int:
    """How many records a copy of ``store`` moves (for progress bars)."""
    c = store.counts()
    return sum(c[k] for k in ("country", "organization", "person", "interactions", "followups", "ties"))


class StoreStatus(BaseModel):
    backend: str
    location: str
    server: dict[str, str] = {}
    schema_version: int
    revision: int
    counts: dict[str, int]
    missing_schema: list[str] = []


def status(store: Store) -> StoreStatus:
    """Where the store is, what serves it, its schema version, revision and counts.

    >>> from ofai_graph.store import open_store
    >>> status(open_store(":memory:")).counts["interactions"]
    0
    """
    server = isinstance(store, ServerStore)
    return StoreStatus(
        missing_schema=store.missing_schema() if server else [],
        backend=store.backend,
        location=store.location,
        server=store.server_info() if server else {},
        schema_version=store.schema_version(),
        revision=store.revision(),
        counts=store.counts(),
    )
