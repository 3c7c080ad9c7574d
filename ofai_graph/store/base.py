"""The one storage interface. Everything above this layer talks to a ``Store`` and nothing else.

Two implementations exist: :mod:`ofai_graph.store.sqlite` (embedded, the default) and
:mod:`ofai_graph.store.neo4j` (a Bolt server). Both accept only data that
:func:`ofai_graph.importer.prepare` has validated, and both write a batch all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

from pydantic import PrivateAttr, TypeAdapter

from ..errors import N_, StoreError
from ..model import (
    Country,
    Dataset,
    Entity,
    EntityModel,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Organization,
    Tie,
)


class StoreNotFound(StoreError):
    """No store where one was asked for (and nobody asked to create one)."""


class NotAStore(StoreError):
    """The file or database exists but belongs to something else; it was not changed."""


class StoreEmpty(StoreError):
    """The store exists but holds nothing yet (the message says how to fill it)."""


class StoreDamaged(StoreError):
    """The store's file is damaged ("database disk image is malformed"): restore it from a backup."""


NEWER_SCHEMA = N_(
    "{location} has schema version {found}, newer than this ofai-graph understands ({known}); upgrade ofai-graph"
)


# -- row helpers shared by the backends -------------------------------------------------------------

ENTITY = TypeAdapter(Entity)


def entity_names(entity: EntityModel) -> list[str]:
    """Every name an entity is found by: id, display name, aliases (and CLDR names for countries)."""
    if isinstance(entity, Country):
        return list(dict.fromkeys([entity.id, *entity.all_names()]))
    return list(dict.fromkeys([entity.id, entity.name, *entity.aliases]))


def entity_kind(entity: EntityModel) -> str:
    """The ``kind`` column: an organization's kind, else the entity type."""
    return entity.kind.value if isinstance(entity, Organization) else entity.type


class StoredBatch(Dataset):
    """A batch read from a store (:meth:`Store.iter_batches`): the records, and the JSON text each one
    was read from, so that a copy writes that text again instead of serializing every record anew
    (a fifth of a push's CPU). A record changed after it was read has no stored JSON any more only if
    it was replaced; one changed in place must not be written from a stored batch.
    """

    _json: dict[int, tuple[Any, str]] = PrivateAttr(default_factory=dict)

    def stored_json(self) -> Callable[[Any], str | None]:
        """A function giving the JSON a record was read from, if it came from this batch, else None."""
        known = self._json  # read once: a private attribute goes through pydantic's __getattr__

        def get(record: Any) -> str | None:
            hit = known.get(id(record))
            return hit[1] if hit is not None and hit[0] is record else None

        return get


def dataset_of(section: str, rows: Iterable[str]) -> StoredBatch:
    """A batch holding the JSON records ``rows`` of one section (entities, interactions, …)."""
    data = StoredBatch()
    known = data._json
    if section == "entities":
        for js in rows:
            e = ENTITY.validate_json(js)
            known[id(e)] = (e, js)
            if isinstance(e, Country):
                data.countries.append(e)
            elif isinstance(e, Organization):
                data.organizations.append(e)
            else:
                data.people.append(e)
        return data
    model: Any = {"interactions": Interaction, "followups": FollowUp}.get(section, Tie)
    records = []
    for js in rows:
        r = model.model_validate_json(js)
        known[id(r)] = (r, js)
        records.append(r)
    setattr(data, section, records)
    return data


class DayCache(dict):  # type: ignore[type-arg]
    """ISO dates to ``date`` objects, each distinct text parsed once (a C-level lookup per row)."""

    def __missing__(self, text: str) -> dt.date:
        value = self[text] = dt.date.fromisoformat(text)
        return value


@dataclass
class SectionReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class WriteReport:
    """What one write did, per section: how many records were added, updated or already identical."""

    sections: dict[str, SectionReport] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(s.added or s.updated for s in self.sections.values())

    def total(self, what: str) -> int:
        return sum(getattr(s, what) for s in self.sections.values())

    def merge(self, other: WriteReport) -> None:
        for name, part in other.sections.items():
            mine = self.sections.setdefault(name, SectionReport())
            mine.added += part.added
            mine.updated += part.updated
            mine.unchanged += part.unchanged


def classify(
    records: Sequence[Any], existing: dict[str, str], known: Callable[[Any], str | None] | None = None
) -> tuple[list[tuple[Any, str]], list[tuple[Any, str]], int]:
    """Split records into new and changed ones (each with its JSON) and count the identical ones.

    ``existing`` maps ids already stored to their stored JSON. Both backends keep each record's JSON,
    so "identical" means byte-identical, and a re-import writes nothing. ``known`` gives the JSON a
    record was read from (:meth:`StoredBatch.stored_json`), which is what serializing it would give.
    """
    new, changed, same = [], [], 0
    # The models' serializer called directly: what model_dump_json returns, without its Python
    # wrapper (a third of the time, over a million interactions).
    serializers: dict[type, Any] = {}
    for r in records:
        js = known(r) if known is not None else None
        if not js:
            cls = type(r)
            ser = serializers.get(cls)
            if ser is None:
                ser = serializers[cls] = cls.__pydantic_serializer__.to_json
            js = ser(r).decode()
        old = existing.get(r.id)
        if old is None:
            new.append((r, js))
        elif old != js:
            changed.append((r, js))
        else:
            same += 1
    return new, changed, same


class BatchWriter:
    """A :class:`Writer` over a store's ``write_batch``: ``report`` adds up what the batches did."""

    def __init__(self, write_batch: Callable[[Dataset], WriteReport]):
        self._write_batch = write_batch
        self.report = WriteReport()

    def write(self, data: Dataset) -> WriteReport:
        part = self._write_batch(data)
        self.report.merge(part)
        return part


class Writer(Protocol):
    """A write transaction in progress (see :meth:`Store.transaction`)."""

    report: WriteReport

    def write(self, data: Dataset) -> WriteReport: ...


class NameRow(NamedTuple):
    """One name under which an entity can be found."""

    entity_id: str
    label: str


class Participation(NamedTuple):
    """One participant of one interaction, flat: the raw material of the graph projection."""

    interaction_id: str
    start: dt.date
    end: dt.date
    kind: str
    status: str
    entity_id: str
    role: str


class EntitySummary(NamedTuple):
    id: str
    type: str
    kind: str
    name: str
    countries: tuple[str, ...]


@runtime_checkable
class Store(Protocol):
    """What ofai-graph needs from a storage backend."""

    backend: str
    location: str
    remote: bool
    """True when reads cross a network: analytics then fetch neighbourhoods instead of whole graphs."""
    folder: Path | None
    """The folder that holds the store's file (its configuration lives beside it); None for a server."""

    def close(self) -> None: ...

    def schema_version(self) -> int: ...

    def revision(self) -> int:
        """A number that changes whenever data changes, so callers can cache derived graphs."""
        ...

    # -- writes: one call, one transaction ------------------------------------------------------
    def write(self, data: Dataset, *, new: bool = False) -> WriteReport:
        """Upsert ``data`` in one transaction. ``new=True`` promises that none of its records is
        stored yet (a copy into an empty store): a store may then skip looking them up, and a
        record found there after all is an error, never a silent overwrite."""
        ...

    def transaction(self) -> AbstractContextManager[Writer]:
        """A transaction for writing in batches: everything lands at the end, or nothing on error.

        Reads made through the store while it is open see its writes.
        """
        ...

    # -- reads -----------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]: ...

    def facets(self) -> dict[str, dict[str, int]]:
        """Counts by entity type, organization kind, interaction kind, axis, status, year."""
        ...

    def participation_counts(self, limit: int = 10) -> list[tuple[str, int]]:
        """The entities in the most interactions, with how many."""
        ...

    def get_entities(self, ids: Iterable[str]) -> dict[str, EntityModel]: ...

    def entity_summaries(
        self,
        ids: Collection[str] | None = None,
        *,
        kinds: Collection[str] | None = None,
        country: str | None = None,
    ) -> Iterator[EntitySummary]:
        """Every entity's summary, by id; or only those with an id in ``ids`` / a kind in ``kinds`` /
        ``country`` among their countries."""
        ...

    def find_by_key(self, key: str) -> list[str]:
        """Ids of the entities one of whose folded names (see :func:`text.fold_key`) is ``key``."""
        ...

    def tagged(self) -> dict[str, list[str]]:
        """Every tag as written, with the ids of the entities that carry it (sorted)."""
        ...

    def name_rows(self) -> list[NameRow]:
        """Every name row, ordered by folded key then entity id (fuzzy ties resolve the same everywhere)."""
        ...

    def get_interactions(self, ids: Iterable[str]) -> dict[str, Interaction]: ...

    def interactions_of(self, entity_id: str, limit: int | None = None) -> list[Interaction]:
        """The timeline of one entity, newest first (the ``limit`` newest)."""
        ...

    def interaction_count(self, entity_id: str) -> int:
        """How many interactions the entity took part in (its whole timeline's length)."""
        ...

    def shared_interactions(
        self, a: str, b: str, limit: int | None = None, until: dt.date | None = None
    ) -> list[Interaction]:
        """Interactions both ``a`` and ``b`` took part in, newest first (the ``limit`` newest); with
        ``until``, only those started by that day (the evidence of a score as of ``until``)."""
        ...

    def shared_interactions_many(
        self, pairs: Sequence[tuple[str, str]], limit: int | None = None, until: dt.date | None = None
    ) -> dict[tuple[str, str], list[Interaction]]:
        """:meth:`shared_interactions` of several pairs at once (the hops of a question's routes), by pair."""
        ...

    def participations(
        self, around: Collection[str] | None = None, axes: Collection[str] | None = None
    ) -> Iterator[Participation]:
        """Every participant of every interaction (ordered by interaction id where that is cheap;
        consumers must not rely on any order).

        With ``around``: only the interactions in which one of those entities took part (with all
        their participants, so that the scores of pairs involving them are exact). With ``axes``:
        only interactions on one of those strategic axes.

        Implementations may yield plain tuples in :class:`Participation`'s field order (building a
        named tuple per row is measurable on millions of rows); read them by index.
        """
        ...

    def neighbors(self, ids: Collection[str], limit: int | None = None) -> set[str]:
        """Entities sharing an interaction, a tie or an affiliation with one of ``ids`` (not ``ids``).

        With ``limit`` the store may stop early: a result of ``limit`` or more entities may be
        incomplete, and says only that there are at least that many.
        """
        ...

    def ties_around(self, ids: Collection[str]) -> list[Tie]:
        """Ties with one end in ``ids``, by id."""
        ...

    def affiliated_people(self, ids: Collection[str]) -> set[str]:
        """People among ``ids`` and people affiliated with an organization among ``ids``."""
        ...

    def followups(
        self,
        status: FollowUpStatus | None = None,
        involving: str | None = None,
        *,
        owner: str | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
        limit: int | None = None,
    ) -> list[FollowUp]:
        """Follow-ups soonest due first (those without a due date last, then by id): with ``status``,
        involving an entity (owner, expected from, or in its interaction), owned by ``owner``, due
        (the end of the due period) from ``due_from`` to ``due_to`` inclusive (either excludes those
        without a due date); the first ``limit``."""
        ...

    def followup_count(
        self,
        status: FollowUpStatus | None = None,
        involving: str | None = None,
        *,
        owner: str | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
    ) -> int:
        """How many follow-ups :meth:`followups` gives without a limit."""
        ...

    def ties(self, entity_id: str | None = None) -> list[Tie]: ...

    def snapshot(self) -> AbstractContextManager[None]:
        """Reads made inside see one state of the store (one read transaction), whatever commits meanwhile.

        Re-entrant; inside :meth:`transaction` it changes nothing.
        """
        ...

    def dump(self) -> Dataset:
        """Everything, read in one snapshot."""
        ...

    def iter_batches(self, size: int = 5_000) -> Iterator[Dataset]:
        """Everything, in dependency order (entities, interactions, follow-ups, ties), ``size`` records a batch."""
        ...

    def iter_export(self, size: int = 5_000) -> Iterator[Dataset]:
        """Everything in :meth:`dump`'s order, from one snapshot, in batches where the backend can
        read in that order (an export written as it is read)."""
        ...

    # -- merging entities (ofai_graph.merge) ----------------------------------------------------
    def merge_entities(self, drop: str, data: Dataset, delete_ties: Collection[str]) -> WriteReport:
        """In one transaction: write ``data`` (records rewritten to no longer name ``drop``), delete
        the ties ``delete_ties`` and delete the entity ``drop`` with its names and affiliations."""
        ...


@runtime_checkable
class ServerStore(Store, Protocol):
    """A store on a database server: what ``neo4j status`` and the sync commands need beyond :class:`Store`."""

    def server_info(self) -> dict[str, str]:
        """The server's address, agent (product and version) and protocol version."""
        ...

    def missing_schema(self) -> list[str]:
        """Constraints and indexes the schema needs that the server does not list."""
        ...

    def clear(self) -> None:
        """Delete everything ofai-graph wrote on the server."""
        ...

    def write(self, data: Dataset, *, new: bool = False, maintain: bool = True) -> WriteReport:
        """:meth:`Store.write`; ``maintain=False`` leaves the materialized strength pairs as they are."""
        ...
