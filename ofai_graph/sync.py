"""Copy a graph between stores: ``neo4j push`` (embedded to Neo4j) and ``neo4j pull`` (back).

A copy is an idempotent upsert: records already identical on the target are counted as unchanged
and not written, so running it twice changes nothing. Each batch is one transaction on the target,
and an interaction travels in the same transaction as its participants, so a copy cut short by a
crash leaves whole records only; running it again finishes the job (``atomic=False``, the push).
With ``atomic=True`` (the pull into a local file) everything lands in one transaction or nothing.
"""

from __future__ import annotations

import gc
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from .bulk import paused_gc
from .model import Dataset
from .store.base import ServerStore, Store, WriteReport

T = TypeVar("T")

COLLECT_EVERY = 20
"""Batches between two collections of reference cycles during a push."""


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


def _section(name: str) -> str:
    return "entities" if name in ("countries", "organizations", "people") else name


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
    """Upsert everything in ``source`` into ``target``; ``progress(n)`` is called after each batch,
    and after each chunk of materialized pairs a push copies (``n`` pairs; :func:`total_work`).

    >>> from ofai_graph.store import open_store
    >>> from ofai_graph.importer import import_data
    >>> a, b = open_store(":memory:"), open_store(":memory:")
    >>> _ = import_data(a, {"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]})
    >>> copy(a, b).report.total("added"), copy(a, b).report.total("added")
    (1, 0)
    """
    out = CopyReport(source=source.location, target=target.location)
    started = time.perf_counter()
    # Sections empty on the target when the copy begins receive only records it has never seen (a
    # source holds each id once): their batches skip the look-ups that make a copy idempotent.
    held = target.counts()
    empty = {
        "entities": not any(held[t] for t in ("country", "organization", "person")),
        "interactions": not held["interactions"],
        "followups": not held["followups"],
        "ties": not held["ties"],
    }

    def count(batch: Dataset, report: WriteReport) -> None:
        out.report.merge(report)
        n = _size(batch)
        out.records += n
        out.batches += 1
        if progress is not None:
            progress(n)

    if atomic:
        with target.transaction() as tx:
            for batch in source.iter_batches(batch_size):
                count(batch, tx.write(batch))
    else:
        strength = _pairs_to_copy(source, target)

        def write(batch: Dataset) -> WriteReport:
            new = all(empty[_section(s)] for s, n in batch.counts().items() if n)
            if strength is not None:
                return cast(ServerStore, target).write(batch, new=new, maintain=False)
            return target.write(batch, new=new)

        batches = source.iter_batches(batch_size)
        pairs = _overlapped(batches, write) if target.remote else ((b, write(b)) for b in batches)
        # The collector is paused (it cost a push a third of its CPU, walking the live batches over and
        # over) and run every COLLECT_EVERY batches for the driver's short-lived cycles, which held
        # 2 GB by the end of a million-record push when never collected.
        with paused_gc():
            for batch, report in pairs:
                count(batch, report)
                if out.batches % COLLECT_EVERY == 0:
                    gc.collect()
            if strength is not None:
                _copy_pairs(source, cast(ServerStore, target), strength, progress)
    out.seconds = time.perf_counter() - started
    return out


def _pairs_to_copy(source: Store, target: Store) -> str | None:
    """The source's strength configuration when a push should copy its materialized pairs (see
    :mod:`ofai_graph.materialize`) rather than maintain them batch by batch: the target is a server
    store without pairs, and the source has them. Kept up to date batch by batch, each batch's pairs
    are read back, merged and written again (the office's thousands at every batch): a push of
    100,000 interactions into ArcadeDB did not finish in 10 minutes. Copied, each pair is written once.
    """
    from .materialize import ops

    if not target.remote or not isinstance(target, ServerStore):
        return None
    source_ops = ops(source)
    if not hasattr(source_ops, "iter_pairs") or ops(target).stored_config() is not None:
        return None
    text: str | None = source_ops.stored_config()
    return text


def _copy_pairs(
    source: Store, target: ServerStore, config: str, progress: Callable[[int], Any] | None = None
) -> None:
    """Copy the source's pairs once the records are there, if the target now holds exactly the
    source's interactions (it holds all of them; the same count means nothing else): pairs depend
    on the interactions alone. Otherwise the target stays without pairs, as a store filled before
    pairs were kept: answers are rescored in full until ``ofai-graph rebuild``. The configuration
    is written last: pairs cut short by a crash are never taken for complete.
    """
    from .materialize import ops, stored_config

    if target.counts()["interactions"] != source.counts()["interactions"]:
        return
    cfg = stored_config(config)
    if cfg is None:  # pairs built with weights no longer valid: the target rebuilds its own
        return
    into, src = ops(target), ops(source)
    # The recent contributions travel with their pairs, where both stores keep them.
    cut = src.recent_cut() if hasattr(src, "iter_recent") else None
    recent = _RecentByPair(src.iter_recent() if cut is not None else iter(()))
    with target.transaction():
        into.clear()
        into.set_recent_cut(None)  # until the copy is whole
    h = cfg.half_life_days
    # Each chunk's rows are built here while the previous chunk is written from a second thread, one
    # transaction each (the server's work and the client's overlap, as for the records).
    chunks = (into.prepare(chunk, h, recent.by_pair(chunk)) for chunk in src.iter_pairs(PAIR_BATCH))

    def write(rows: list[Any]) -> WriteReport:
        with target.transaction():
            into.create(rows)
        if progress is not None:
            progress(len(rows))
        return WriteReport()

    for n, _ in enumerate(_overlapped(chunks, write), 1):  # (the collector is paused: see copy)
        if n % COLLECT_EVERY == 0:
            gc.collect()
    with target.transaction():
        if cut is not None:
            into.set_recent_cut(cut)
        into.set_config(cfg)


class _RecentByPair:
    """The rows of a source's recent contributions (ordered by pair) for a chunk of its pairs: read
    alongside the pairs, which come in the same order, so only a chunk's rows are held. Rows of pairs
    further on wait; should the orders differ, rows wait longer, and nothing is lost."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]):
        self.rows = rows
        self.head: tuple[Any, ...] | None = next(rows, None)
        self.waiting: dict[tuple[str, str], list[tuple[Any, ...]]] = {}

    def by_pair(self, chunk: list[Any]) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
        """The chunk's rows by pair, each without its pair: ``(q, m, start, p, pq, last, bits)``."""
        keys = {(r.a, r.b) for r in chunk}
        top = max(keys) if keys else None
        while self.head is not None and top is not None and (self.head[0], self.head[1]) <= top:
            self.waiting.setdefault((self.head[0], self.head[1]), []).append(self.head[2:])
            self.head = next(self.rows, None)
        return {k: self.waiting.pop(k) for k in keys & self.waiting.keys()}


PAIR_BATCH = 10_000
"""Materialized pairs per transaction when a push copies them."""


def _overlapped(batches: Iterator[T], write: Callable[[T], WriteReport]) -> Iterator[tuple[T, WriteReport]]:
    """``(batch, write(batch))`` in order, each batch written in a second thread while this one reads
    and parses the next: a push spends most of its time waiting for the server, and reading a batch
    (SQL, then pydantic) costs the client half its CPU. One batch is read ahead, so memory holds
    three at most. The writes happen one after the other, in order, as without the thread; the first
    error, on either side, stops both and is raised here.

    Only a server store is written from the thread: its driver is thread-safe, where a SQLite
    connection belongs to the thread that opened it (which is why the reading stays here).
    """
    todo: queue.Queue[T | None] = queue.Queue(maxsize=1)
    done: queue.Queue[tuple[T, WriteReport] | BaseException] = queue.Queue()
    stop = threading.Event()

    def writer() -> None:
        try:
            while (batch := todo.get()) is not None and not stop.is_set():
                done.put((batch, write(batch)))
        except BaseException as exc:  # handed to the reading thread, which raises it
            done.put(exc)
        finally:
            done.put(_FINISHED)

    thread = threading.Thread(target=writer, name="ofai-graph-copy", daemon=True)
    thread.start()

    def results(wait: bool) -> Iterator[tuple[T, WriteReport]]:
        while True:
            try:
                item = done.get(block=wait)
            except queue.Empty:
                return
            if item is _FINISHED:
                done.put(item)  # the writer has ended: later calls see it too
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    def put(item: T | None) -> None:
        # A full queue waits for the writer, but not for a writer that has ended (its error is in done).
        while thread.is_alive():
            try:
                todo.put(item, timeout=0.1)
                return
            except queue.Full:
                pass

    try:
        for batch in batches:
            put(batch)
            yield from results(wait=False)
        put(None)
        yield from results(wait=True)
    finally:
        stop.set()
        with suppress(queue.Full):
            todo.put_nowait(None)
        thread.join()


_FINISHED: Any = object()


def total_work(source: Store, target: Store) -> tuple[int, int]:
    """(records, materialized pairs) a copy of ``source`` into ``target`` moves, for progress bars: the
    pairs only when the copy will copy them (a push into a server store without pairs)."""
    from .materialize import ops

    copies = _pairs_to_copy(source, target) is not None
    count = getattr(ops(source), "count", None)
    return total_records(source), count() if copies and count is not None else 0


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
    server = store if isinstance(store, ServerStore) else None
    return StoreStatus(
        missing_schema=server.missing_schema() if server else [],
        backend=store.backend,
        location=store.location,
        server=server.server_info() if server else {},
        schema_version=store.schema_version(),
        revision=store.revision(),
        counts=store.counts(),
    )
