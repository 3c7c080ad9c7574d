"""Import: validate every record, resolve every reference, then write all of it in one transaction.

Nothing is written unless everything is valid: :func:`prepare` collects every problem it finds (file,
record, line, field, what is wrong) and raises :class:`~ofai_graph.errors.InvalidData` with all of
them; only a clean :class:`~ofai_graph.model.Dataset` reaches ``Store.write``, which is atomic.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import countries
from .bulk import batched, paused_gc
from .errors import (
    N_,
    Ambiguous,
    InvalidData,
    Msg,
    NotFound,
    Number,
    OfaiError,
    Problem,
    kind_of_value,
    os_reason,
)
from .files import MAX_BYTES, STREAMED, RawRecord, detect_format, iter_records, parse_document, read_text
from .interrupts import HeldInterrupt, Interrupted, signal_for_tests
from .model import MODELS, SECTIONS, Country, Dataset
from .resolve import Resolver
from .seen import SeenIds
from .store.base import Store, WriteReport
from .text import fold_key, quote
from .validation import describe, field_path

_ADAPTERS = {section: TypeAdapter(list[model]) for section, model in MODELS.items()}  # type: ignore[valid-type]
ENTITY_SECTIONS = ("countries", "organizations", "people")

Progress = Callable[[Msg], None]
"""Told what an import is doing, as a message to show in the reader's language (``str()`` is English)."""


def _line_at(data: Any, loc: Sequence[Any], default: int | None) -> int | None:
    line = default
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", line)
    return line


def validate_records(records: Sequence[RawRecord]) -> tuple[Dataset, list[Problem]]:
    """Validate raw records section by section; return the valid ones and every problem found."""
    data, problems, _ = _validate(records)
    return data, problems


Origins = dict[int, RawRecord]
"""The raw record each validated model came from, by ``id(model)``: locating a problem is one
look-up, whatever the number of records (a scan per problem made 20,000 problems take a minute)."""


def _validate(
    records: Sequence[RawRecord], failed: list[RawRecord] | None = None
) -> tuple[Dataset, list[Problem], Origins]:
    """Validate ``records``; the records that failed are added to ``failed`` (see :class:`_Failed`)."""
    failed = [] if failed is None else failed
    problems: list[Problem] = []
    origins: Origins = {}
    data = Dataset()
    by_section: dict[str, list[RawRecord]] = {s: [] for s in SECTIONS}
    for r in records:
        if r.section == "countries" and isinstance(r.data, str):
            r.data = {"id": r.data}
        if not isinstance(r.data, dict):
            problems.append(
                Problem(
                    N_("a record must be a mapping of fields, not {found}"),
                    r.file,
                    r.where,
                    r.line,
                    params={"found": kind_of_value(r.data)},
                )
            )
            continue
        if "__extra__" in r.data:
            problems.append(Problem(N_("row has more cells than the header has columns"), r.file, r.where, r.line))
            failed.append(r)
            continue
        by_section[r.section].append(r)
    for section, recs in by_section.items():
        if not recs:
            continue
        try:
            valid = _ADAPTERS[section].validate_python([r.data for r in recs])
            good = recs
        except ValidationError as exc:
            bad: set[int] = set()
            model = MODELS[section]
            for err in exc.errors():
                idx, *field = err["loc"]
                rec = recs[int(idx)]
                bad.add(int(idx))
                inner = {**err, "loc": tuple(field)}
                template, params = describe(inner, model)
                problems.append(
                    Problem(
                        template,
                        rec.file,
                        rec.where,
                        _line_at(rec.data, field, rec.line),
                        field_path(inner, model) or None,
                        params,
                    )
                )
            valid = []
            good = [r for i, r in enumerate(recs) if i not in bad]
            failed.extend(r for i, r in enumerate(recs) if i in bad)
            for r in good:
                valid.append(model.model_validate(r.data))
        for model_, raw in zip(valid, good, strict=True):
            origins[id(model_)] = raw
        getattr(data, section).extend(valid)
    return data, problems, origins


def _at(origins: Origins, record: Any, section: str) -> dict[str, Any]:
    """File, line and record of a validated model, as Problem's keyword arguments."""
    raw = origins.get(id(record))
    if raw is None:
        return {"record": f"{section} (id {quote(getattr(record, 'id', '?'))})"}
    return {"file": raw.file, "line": raw.line, "record": raw.where}


SUGGEST_FOR = 20
CACHED = 100_000  # references remembered, resolved or not: a file of a million distinct names stays bounded


class _References:
    """Resolves names in references to ids, across all the batches of one import.

    References in files resolve exactly: an id, a name or an alias (accents, case and punctuation
    aside), or a country's name. A name that only comes close is an error listing the candidates,
    because a wrong guess silently attaches a record to another organization ("Cámara de Comercio
    de Pamplona" is not Panamá's chamber); ``match=True`` allows close matches (the resolver's rules
    for commands).
    """

    def __init__(
        self, store: Store, entities: Sequence[BaseModel], *, match: bool = False, failed: _Failed | None = None
    ):
        self.store = store
        self.match = match
        self.invalid = failed or _Failed()
        self.batch_ids = {e.id for e in entities}  # type: ignore[attr-defined]
        self.resolver = Resolver(store, entities)  # type: ignore[arg-type]
        self.cache: dict[str, str] = {}
        self.failed: dict[str, tuple[str, dict[str, object]]] = {}
        self.suggested = 0
        self.countries_added: set[str] = set()
        # Interactions of this import (filled as chunks are written) and follow-ups naming one not
        # seen yet: a .jsonl file may list a follow-up before its interaction (see :meth:`unresolved`).
        self.interaction_ids = SeenIds()
        self.pending: list[tuple[str, Problem]] = []

    def _resolve(self, value: str, new: dict[str, Country]) -> str:
        """The id ``value`` names; raises NotFound/Ambiguous (with candidates) otherwise."""
        ids = self.resolver.exact(value)
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            if value in ids:
                return value
            raise Ambiguous(value, [self.resolver.label(i) for i in ids])
        code = countries.lookup(value)
        if code is not None:
            if code not in new:
                new[code] = Country(id=code)
            return code
        if self.match:
            return self.resolver.resolve(value)
        # Suggestions cost a fuzzy scan of every name: only for the first few unknown names (an error
        # message shows the first 20 problems), so that 20,000 different unknown names stay fast.
        close = []
        if self.suggested < SUGGEST_FOR:
            self.suggested += 1
            close = [self.resolver.label(eid) for eid in self.resolver.suggest(value)]
        raise NotFound(value, close)

    def ref(
        self,
        value: str,
        at: Callable[[], dict[str, Any]],
        field: str,
        problems: list[Problem],
        new: dict[str, Country],
    ) -> str:
        """The id ``value`` names; ``at()`` says where the reference is, for an error message."""
        if value in self.batch_ids:
            return value
        found = self.cache.get(value)
        if found is not None:
            return found
        message = self.failed.get(value)
        if message is None:
            try:
                found = self._resolve(value, new)
                if len(self.cache) < CACHED:
                    self.cache[value] = found
                return found
            except NotFound as exc:
                if self.invalid.names(value):
                    return value  # a record of this import that failed validation: its error says why
                if exc.suggestions:
                    message = (
                        N_("{value} is neither an id nor a known name or alias; did you mean {names}?"),
                        {"value": quote(value), "names": " / ".join(exc.suggestions)},
                    )
                else:
                    message = (N_("{value} is neither an id nor a known name or alias"), {"value": quote(value)})
            except Ambiguous as exc:
                message = (exc.template, exc.params)
            if len(self.failed) < CACHED:
                self.failed[value] = message
        problems.append(Problem(message[0], **at(), field=field, params=message[1]))
        return value

    def resolve(self, records: Sequence[RawRecord], new: dict[str, Country]) -> list[Problem]:
        """Rewrite the references of raw records to ids; return what could not be resolved.

        References are resolved before records are validated, so that each record is validated
        once, with the ids it is stored with (a tie's default id derives from its resolved ends;
        two spellings of one partner become one participant). A raw record whose references
        change is copied, never changed in place.
        """
        problems: list[Problem] = []
        for r in records:
            if isinstance(r.data, dict):
                changes = self._resolved(r, problems, new)
                if changes:
                    r.data = {**r.data, **changes}
        return problems

    def _resolved(self, r: RawRecord, problems: list[Problem], new: dict[str, Country]) -> dict[str, Any]:
        """The reference fields of one raw record whose values name something else, resolved."""
        data = r.data
        if r.section == "interactions":
            parts = data.get("participants")
            if not isinstance(parts, list):
                return {}
            try:  # the usual case, every participant a mapping naming an id of this import: C calls only
                if self.batch_ids.issuperset(map(_ENTITY, parts)):
                    return {}
            except (KeyError, TypeError):  # a pair, a mapping without an entity, an unhashable value
                try:
                    if self.batch_ids.issuperset([_entity_of(p) for p in parts]):
                        return {}
                except TypeError:  # an unhashable value: validation will say what is wrong with it
                    pass
            out = []
            for i, p in enumerate(parts):
                entity = _entity_of(p)
                found = self._ref(r, entity, f"participants.{i}.entity", problems, new)
                out.append(
                    p
                    if found == entity
                    else {**p, "entity": found}
                    if isinstance(p, dict)
                    else [found, *p[1:]]
                )
            return {"participants": out} if out != parts else {}
        if r.section == "people":
            affs = data.get("affiliations")
            if not isinstance(affs, list):
                return {}
            out = []
            for i, a in enumerate(affs):
                org = a.get("organization") if isinstance(a, dict) else None
                found = self._ref(r, org, f"affiliations.{i}.organization", problems, new)
                out.append(a if found == org else {**a, "organization": found})
            return {"affiliations": out} if out != affs else {}
        changes = {}
        for field in REFERENCES.get(r.section, ()):
            found = self._ref(r, data.get(field), field, problems, new)
            if found != data.get(field):
                changes[field] = found
        return changes

    def _ref(
        self, r: RawRecord, value: Any, field: str, problems: list[Problem], new: dict[str, Country]
    ) -> Any:
        if not isinstance(value, str) or value in self.batch_ids or not value.strip():
            return value  # an id of this import, or something validation will explain
        return self.ref(
            value.strip(), lambda: {"file": r.file, "line": r.line, "record": r.where}, field, problems, new
        )

    def prepare(self, data: Dataset, origins: Origins, new: dict[str, Country]) -> list[Problem]:
        """Check what one validated batch refers to; add the countries it names that the store lacks."""
        problems: list[Problem] = []

        batch = self.batch_ids
        here = {it.id for it in data.interactions}
        seen = self.interaction_ids
        wanted = {
            f.interaction
            for f in data.followups
            if f.interaction and f.interaction not in here and f.interaction not in seen
        }
        known = set(self.store.get_interactions(wanted)) if wanted else set()
        for f in data.followups:
            if f.interaction and f.interaction in wanted and f.interaction not in known:
                self.pending.append(
                    (
                        f.interaction,
                        Problem(
                            N_("interaction {id} does not exist"),
                            **_at(origins, f, "followups"),
                            field="interaction",
                            params={"id": quote(f.interaction)},
                        ),
                    )
                )
        for e in [*data.organizations, *data.people]:
            for code in e.countries:
                if code not in batch and code not in new and code not in self.countries_added:
                    new[code] = Country(id=code)
        todo = {c: m for c, m in new.items() if c not in self.countries_added and c not in batch}
        if todo:
            present = self.store.get_entities(todo)
            data.countries.extend(m for c, m in todo.items() if c not in present)
            self.countries_added |= set(todo)
        return problems

    def unresolved(self) -> list[Problem]:
        """Follow-ups whose interaction neither the store nor any record of this import holds (an
        interaction of this import that failed validation has its own error)."""
        return [
            p
            for interaction, p in self.pending
            if interaction not in self.interaction_ids and interaction not in self.invalid.interactions
        ]


class _Failed:
    """What the records that failed validation were called: ids, names and aliases of entities, ids
    of interactions. A reference to one of them is not reported as unknown: the record's own error
    is the cause (a misspelled key on an organization must not also read as an unknown participant
    in every interaction naming it)."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.interactions: set[str] = set()

    def add(self, records: Iterable[RawRecord]) -> None:
        for r in records:
            data = r.data
            if not isinstance(data, dict) or len(self.keys) + len(self.interactions) >= CACHED:
                continue
            if r.section == "interactions":
                if isinstance(data.get("id"), str):
                    self.interactions.add(data["id"].strip())
                continue
            aliases = data.get("aliases")
            names = [data.get("id"), data.get("name"), *(aliases if isinstance(aliases, list) else [])]
            self.keys.update(fold_key(n) for n in names if isinstance(n, str) and n.strip())

    def names(self, value: str) -> bool:
        return bool(self.keys) and fold_key(value) in self.keys


# Fields holding a reference to an entity, besides participants and affiliations.
REFERENCES = {"followups": ("expected_from", "owner"), "ties": ("source", "target")}


_ENTITY = operator.itemgetter("entity")


def _entity_of(participant: Any) -> Any:
    if isinstance(participant, dict):
        return participant.get("entity")
    return participant[0] if isinstance(participant, (list, tuple)) and participant else None


CHUNK = 20_000
MAX_PROBLEMS = 1_000
"""Problems kept for the message; past these an import only counts them (memory stays bounded)."""


class _Problems(list):  # type: ignore[type-arg]
    """A list of problems that keeps the first :data:`MAX_PROBLEMS` and counts the rest."""

    more = 0

    def append(self, p: Problem) -> None:
        if len(self) < MAX_PROBLEMS:
            super().append(p)
        else:
            self.more += 1

    def extend(self, ps: Iterable[Problem]) -> None:  # type: ignore[override]
        for p in ps:
            self.append(p)

    def __iadd__(self, ps: Iterable[Problem]) -> _Problems:  # type: ignore[override,misc]
        self.extend(ps)
        return self

    def error(self) -> InvalidData:
        return InvalidData(list(self), more=self.more)


class Source:
    """Where the records of an import come from, read in two passes: the entities first (every
    reference resolves against them, so they are all held), then the rest, streamed in chunks.

    Problems found while reading come out of the passes as :class:`Problem` items, each once.
    """

    def entities(self) -> Iterator[RawRecord | Problem]:
        raise NotImplementedError

    def others(self) -> Iterator[RawRecord | Problem]:
        raise NotImplementedError

    size: int | None = None
    """How many records :meth:`others` yields, where known (for progress messages)."""


class _Held(Source):
    """Records already in memory (a whole YAML or JSON document, or a dict): others by section."""

    def __init__(self, records: Sequence[RawRecord]):
        self.records = records
        self.size = sum(r.section not in ENTITY_SECTIONS for r in records)

    def entities(self) -> Iterator[RawRecord | Problem]:
        return (r for r in self.records if r.section in ENTITY_SECTIONS)

    def others(self) -> Iterator[RawRecord | Problem]:
        # Section order: follow-ups after the interactions they name, wherever the file lists them.
        for section in ("interactions", "followups", "ties"):
            yield from (r for r in self.records if r.section == section)


class _Plain(Source):
    """A dict shaped like an import file: its raw records made as they are read, a chunk at a time
    (a million of them made up front cost 5 s and 150 MB before the first was validated)."""

    def __init__(self, data: dict[str, Any], source: str):
        # Entities are held anyway; the other sections may be iterators, read once (generate.iter_generate).
        self.sections = {
            section: items if isinstance(items, (list, tuple)) or section not in ENTITY_SECTIONS else list(items)
            for section, items in data.items()
            if section in SECTIONS and items is not None
        }
        self.source = source
        others = [items for section, items in self.sections.items() if section not in ENTITY_SECTIONS]
        sized = all(isinstance(items, (list, tuple)) for items in others)
        self.size = sum(len(items) for items in others) if sized else None

    def _records(self, section: str) -> Iterator[RawRecord]:
        source = self.source
        return (RawRecord(section, i, item, source) for i, item in enumerate(self.sections.get(section, ())))

    def entities(self) -> Iterator[RawRecord | Problem]:
        for section in ENTITY_SECTIONS:
            yield from self._records(section)

    def others(self) -> Iterator[RawRecord | Problem]:
        for section in ("interactions", "followups", "ties"):
            yield from self._records(section)


class _Streamed(Source):
    """A JSON Lines or CSV file, read a line at a time in each pass (files.iter_records)."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt = path, fmt
        self.failed = False
        # The lines the first pass dealt with in full, once it has read the whole file: the second
        # skips them (a JSON Lines file's entities parsed once, not twice).
        self.owned: bytearray | None = None

    def entities(self) -> Iterator[RawRecord | Problem]:
        try:
            owned = bytearray()
            yield from iter_records(self.path, self.fmt, entities=True, owned=owned)
            self.owned = owned
        except InvalidData as exc:  # not a data file at all: nothing more to read in it
            self.failed = True
            yield from exc.problems
        except OSError as exc:
            self.failed = True
            yield Problem(N_("cannot be read: {reason}"), str(self.path), params={"reason": os_reason(exc)})

    def others(self) -> Iterator[RawRecord | Problem]:
        if self.failed:
            return iter(())
        return iter_records(self.path, self.fmt, entities=False, owned=self.owned)


def sources(paths: Sequence[str | Path], *, max_bytes: int = MAX_BYTES) -> tuple[list[Source], list[Problem]]:
    """A source per file: JSON Lines and CSV streamed, YAML and JSON read whole (up to ``max_bytes``)."""
    out: list[Source] = []
    problems: list[Problem] = []
    for p in paths:
        path = Path(p)
        try:
            fmt = detect_format(path)
            if fmt in STREAMED:
                out.append(_Streamed(path, fmt))
            else:
                out.append(_Held(parse_document(read_text(path, max_bytes), fmt, str(path))))
        except InvalidData as exc:
            problems += exc.problems
        except OSError as exc:
            problems.append(Problem(N_("cannot be read: {reason}"), str(path), params={"reason": os_reason(exc)}))
    return out, problems


def _records(items: Iterable[RawRecord | Problem], problems: list[Problem]) -> Iterator[RawRecord]:
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
        else:
            yield item


@paused_gc()
def _import(
    store: Store,
    inputs: Sequence[Source] | Sequence[RawRecord],
    problems: list[Problem],
    *,
    dry_run: bool = False,
    match: bool = False,
    replace: bool = True,
    progress: Progress | None = None,
    named: str | None = None,
) -> WriteReport:
    """Validate, resolve and write the records of ``inputs`` in one transaction, a chunk at a time.

    Entities are validated first (every reference resolves against them). Interactions, follow-ups
    and ties are then read, validated, resolved and written in chunks, so that only one chunk of
    records is in memory at a time, whatever the size of the files; any problem anywhere rolls the
    whole transaction back.

    Ctrl-C before the last write rolls everything back (:class:`Interrupted`, ``committed=False``);
    from then on it is held off until the commit has finished, and reported with what was written
    (``committed=True``): either way the exception says what the store holds.
    """
    say = progress or (lambda _msg: None)
    # Records already read (a workbook, a dict) are one source held in memory.
    in_memory = bool(inputs) and isinstance(inputs[0], RawRecord)
    sources = cast(Sequence[Source], [_Held(cast(list[RawRecord], inputs))] if in_memory else inputs)
    problems = _Problems(problems)
    by_section: dict[str, list[RawRecord]] = {s: [] for s in ENTITY_SECTIONS}
    say(Msg(N_("reading entities")))
    for source in sources:
        for r in _records(source.entities(), problems):
            by_section[r.section].append(r)
    if named and not problems and not any(by_section.values()) and not any(map(_has_others, sources)):
        problems.append(Problem(N_("no records found"), named))
    say(Msg(N_("validating entities")))
    # Countries and organizations first: people's affiliations name them.
    bad: list[RawRecord] = []
    entities, found, entity_origins = _validate(by_section["countries"] + by_section["organizations"], bad)
    problems += found
    failed = _Failed()
    failed.add(bad)
    new: dict[str, Country] = {}
    problems += _References(store, entities.entities(), match=match, failed=failed).resolve(by_section["people"], new)
    bad = []
    people, found, people_origins = _validate(by_section["people"], bad)
    failed.add(bad)
    problems += found
    entities.people.extend(people.people)
    entity_origins.update(people_origins)
    del by_section
    seen: dict[str, SeenIds] = {}
    entities = _dedupe(entities, entity_origins, seen, problems, store)
    refs = _References(store, entities.entities(), match=match, failed=failed)
    seen["interactions"] = refs.interaction_ids
    sizes = [s.size for s in sources]
    total = None if None in sizes else sum(s or 0 for s in sizes)

    class _Rollback(Exception):
        pass

    report = WriteReport()
    held = HeldInterrupt()
    try:
        with store.transaction() as tx:
            problems += refs.prepare(entities, entity_origins, new)
            if not replace:
                problems += _replacing(store, entities, entity_origins)
            if not problems:
                tx.write(entities)
            del entities, entity_origins

            def told(done: int) -> None:
                say(
                    Msg(N_("{done} of {total} records"), done=Number(done), total=Number(total))
                    if total is not None
                    else Msg(N_("{done} records"), done=Number(done))
                )

            others = _Others(sources, refs, failed, seen, problems, replace)
            if _Worker.wanted(store, problems, total):
                _Worker(store, others).run(tx, told)
            else:

                def write(data: Dataset) -> None:
                    tx.write(data)
                    signal_for_tests("write")

                others.run(store, write, told)
            # Let go of what only reading needed (the entities' models, the ids seen: 64 MB of filter
            # each past 200,000) before the transaction ends: the strength pairs are written then,
            # an import's peak.
            del refs, seen, others
            report = tx.report
            if problems or dry_run:
                raise _Rollback
            held.start()
            signal_for_tests("commit", held)
    except _Rollback:
        pass
    except KeyboardInterrupt:
        # Raised before the hold: leaving the transaction's context rolled everything back.
        raise Interrupted(committed=False) from None
    finally:
        interrupted = held.stop()
    if problems:
        raise problems.error()
    if interrupted:
        raise Interrupted(committed=True, report=report)
    return report


class _Others:
    """The second pass of an import: interactions, follow-ups and ties read, resolved, validated and
    handed to ``write`` a chunk at a time (in this process, or in an import's worker: :class:`_Worker`)."""

    def __init__(
        self,
        sources: Sequence[Source],
        refs: _References,
        failed: _Failed,
        seen: dict[str, SeenIds],
        problems: _Problems,
        replace: bool,
    ):
        self.sources, self.refs, self.failed, self.seen = sources, refs, failed, seen
        self.problems, self.replace = problems, replace

    def run(self, store: Store, write: Callable[[Dataset], None], told: Callable[[int], None]) -> None:
        problems, refs = self.problems, self.refs
        others = (r for source in self.sources for r in _records(source.others(), problems))
        done = 0
        for chunk in batched(others, CHUNK):
            new: dict[str, Country] = {}
            problems += refs.resolve(chunk, new)
            bad: list[RawRecord] = []
            data, found, origins = _validate(chunk, bad)
            self.failed.add(bad)
            problems += found
            problems += refs.prepare(data, origins, new)
            if not self.replace:
                problems += _replacing(store, data, origins)
            data = _dedupe(data, origins, self.seen, problems, store)
            if not problems:
                write(data)
            done += len(chunk)
            told(done)
        problems += refs.unresolved()


WORKER = True
"""Whether a large import into an empty store may use a worker process (:class:`_Worker`);
``$OFAI_GRAPH_IMPORT_WORKER=0`` turns it off too."""


class _Worker:
    """An import's second pass split over two processes, so that it uses two cores: a worker
    process (a fork of this one) reads, resolves, validates and serializes the records into the
    store's rows, while this process codes the strength pairs' contributions from those rows and
    writes them into the transaction, which stays this process's only one: all or nothing, as
    without the worker. A million interactions: about 40 s of CPU on each side (``bench_import.py``).

    The worker runs the very code of the second pass (:class:`_Others`) on a copy of this process's
    state; what it asks of the store (names, stored records) it asks this process, which answers in
    order, after writing every chunk sent before: the answers are those the single-process import
    would get. Problems are found in the worker, in the same order, and sent back at the end.
    Only for an import into an empty store (:meth:`SQLiteStore.takes_prepared`), of more than one
    chunk, on a system with ``fork``.
    """

    def __init__(self, store: Store, others: _Others):
        self.store, self.others = store, others

    @staticmethod
    def wanted(store: Store, problems: list[Problem], total: int | None) -> bool:
        import os

        if not WORKER or os.environ.get("OFAI_GRAPH_IMPORT_WORKER") == "0" or not hasattr(os, "fork"):
            return False
        if problems or (total is not None and total <= CHUNK):
            return False  # nothing would be written, or one chunk: nothing to overlap
        takes = getattr(store, "takes_prepared", None)
        return takes is not None and bool(takes())

    def run(self, tx: Any, told: Callable[[int], None]) -> None:
        import os
        from multiprocessing import Pipe

        ours, theirs = Pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns, never touches the store's connection
            ours.close()
            self._work(theirs)
        theirs.close()
        try:
            self._serve(ours, tx, told)
        finally:
            ours.close()
            with suppress(ProcessLookupError):  # done already, or this process leaves on an exception
                os.kill(pid, 9)
            os.waitpid(pid, 0)

    def _work(self, conn: Any) -> None:
        import os
        import signal

        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the writing process's to handle
            store = self.store
            proxy = cast(Store, _StoreProxy(conn))
            others = self.others
            others.refs.store = proxy
            others.refs.resolver._store = proxy
            prepare = store.prepare_new  # type: ignore[attr-defined]

            others.run(
                proxy, lambda data: conn.send(("write", prepare(data))), lambda done: conn.send(("told", done))
            )
            conn.send(("end", list(others.problems), others.problems.more))
        except BaseException as exc:  # sent to the writing process, which raises it
            try:
                conn.send(("error", exc))
            except Exception:  # not picklable: its text then
                import traceback

                conn.send(("error", RuntimeError("".join(traceback.format_exception(exc)))))
        finally:
            os._exit(0)  # no clean-up of this copy: the store's connection and files are the writer's

    def _serve(self, conn: Any, tx: Any, told: Callable[[int], None]) -> None:
        store = self.store
        while True:
            try:
                message = conn.recv()
            except EOFError:
                raise OfaiError(N_("the import's worker process stopped without an answer; nothing was written")) from None
            kind = message[0]
            if kind == "call":
                _, name, args, kwargs = message
                try:
                    result = getattr(store, name)(*args, **kwargs)
                    if isinstance(result, Iterator):
                        result = list(result)
                except Exception as exc:  # raised in the worker, where it was asked
                    conn.send(("raise", exc))
                else:
                    conn.send(("ok", result))
            elif kind == "write":
                rest, prepared = message[1]
                store.write_prepared(tx, prepared)  # type: ignore[attr-defined]
                tx.write(rest)
                signal_for_tests("write")
            elif kind == "told":
                told(message[1])
            elif kind == "end":
                problems = self.others.problems
                del problems[:]
                list.extend(problems, message[1])
                problems.more = message[2]
                return
            else:
                raise message[1]


class _StoreProxy:
    """The store as the worker process sees it: every call asked of the writing process."""

    def __init__(self, conn: Any):
        self._conn = conn

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            # A generator cannot be sent: its items are.
            args = tuple(
                list(a) if isinstance(a, Iterator) else a for a in args
            )
            self._conn.send(("call", name, args, kwargs))
            kind, value = self._conn.recv()
            if kind == "raise":
                raise value
            return value

        return call


def _has_others(source: Source) -> bool:
    # Only asked when no entity was found: peeks at the first record of the second pass.
    if isinstance(source, (_Held, _Plain)):
        return source.size is None or bool(source.size)
    return isinstance(source, _Streamed) and not source.failed and next(iter(source.others()), None) is not None


def _dedupe(
    data: Dataset, origins: Origins, seen: dict[str, SeenIds], problems: list[Problem], store: Store
) -> Dataset:
    """Drop exact repeats of a record; report an id used twice with different content.

    Only ids are remembered across chunks, in bounded memory (:class:`~ofai_graph.seen.SeenIds`:
    past 200,000 ids, "probably seen"); a repeat from an earlier chunk is compared with what that
    chunk wrote in this transaction, and an id the store does not hold was not seen after all.
    The problem points at the repeat (the record that conflicts), not at the first occurrence.
    """
    out = Dataset()
    lookup = _StoredLookup(store)
    for section in SECTIONS:
        space = seen.setdefault("entity" if section in ENTITY_SECTIONS else section, SeenIds())
        target = getattr(out, section)
        current: dict[str, BaseModel] = {}
        records = getattr(data, section)
        before = space.seen_before([r.id for r in records])
        for record, was in zip(records, before, strict=True):
            if not was and record.id not in current:
                current[record.id] = record
                target.append(record)
                continue
            other = current.get(record.id) or lookup.get(section, record.id)
            if other is None:  # a false "seen", or earlier chunks left unwritten after a problem
                current[record.id] = record
                target.append(record)
            elif other != record:
                first = origins.get(id(other))
                message = N_("id {id} is used twice with different content")
                params: dict[str, object] = {"id": quote(record.id)}
                if first is not None and first.line:
                    here = origins.get(id(record))
                    if here is not None and here.file == first.file:
                        message = N_("id {id} is used twice with different content (first at line {line})")
                    else:
                        message = N_("id {id} is used twice with different content (first at {file}:{line})")
                    params.update(file=first.file, line=first.line)
                problems.append(Problem(message, **_at(origins, record, section), field="id", params=params))
    return out


_RECORD_NAMES = {
    "Organization": N_("organization"),
    "Person": N_("person"),
    "Interaction": N_("interaction"),
    "FollowUp": N_("follow-up"),
    "Tie": N_("tie"),
}


def _replacing(store: Store, data: Dataset, origins: Origins) -> list[Problem]:
    """Records that would replace a stored record with different content (refused unless asked)."""
    stored: dict[str, dict[str, BaseModel]] = {}
    entities = data.entities()
    if entities:
        stored["entities"] = dict(store.get_entities([e.id for e in entities]))
    if data.interactions:
        stored["interactions"] = dict(store.get_interactions([i.id for i in data.interactions]))
    if data.followups:
        stored["followups"] = {f.id: f for f in store.followups(None)}
    if data.ties:
        stored["ties"] = {t.id: t for t in store.ties()}
    problems = []
    for section, records in (
        ("entities", entities),
        ("interactions", data.interactions),
        ("followups", data.followups),
        ("ties", data.ties),
    ):
        for record in records:
            old = stored[section].get(record.id)
            if old is not None and old != record:
                problems.append(
                    Problem(
                        N_(
                            "a different {what} with id {id} already exists; give this one another id (--id), "
                            "or replace that one (replace=True; on the command line --replace)"
                        ),
                        **_at(origins, record, section),
                        field="id",
                        params={"what": Msg(_RECORD_NAMES.get(type(old).__name__, N_("record"))), "id": quote(record.id)},
                    )
                )
    return problems


class _StoredLookup:
    """Stored records by section and id. Follow-ups and ties are read once for all the repeats of
    a batch (the store has no look-up by id for them): a scan per repeat made 20,000 repeats of a
    follow-up quadratic."""

    def __init__(self, store: Store):
        self.store = store
        self._all: dict[str, dict[str, BaseModel]] = {}

    def get(self, section: str, rid: str) -> BaseModel | None:
        if section in ENTITY_SECTIONS:
            return self.store.get_entities([rid]).get(rid)
        if section == "interactions":
            return self.store.get_interactions([rid]).get(rid)
        if section not in self._all:
            found = self.store.followups(None) if section == "followups" else self.store.ties()
            self._all[section] = {r.id: r for r in found}
        return self._all[section].get(rid)


def load_records(
    paths: Sequence[str | Path], *, max_bytes: int = MAX_BYTES
) -> tuple[list[RawRecord], list[Problem]]:
    """Read files into raw records, all in memory; the problems found reading them are returned.

    An import streams instead (:func:`import_files`); this is for looking at small files.
    """
    found, problems = sources(paths, max_bytes=max_bytes)
    records: list[RawRecord] = []
    for source in found:
        records += _records(source.entities(), problems)
        records += _records(source.others(), problems)
    if not records and not problems:
        problems.append(Problem(N_("no records found"), ", ".join(str(p) for p in paths)))
    return records, problems


def import_files(
    store: Store,
    paths: Sequence[str | Path],
    *,
    max_bytes: int = MAX_BYTES,
    dry_run: bool = False,
    match: bool = False,
    progress: Progress | None = None,
) -> WriteReport:
    """Import files all-or-nothing. Importing the same files twice changes nothing.

    With ``dry_run`` everything is validated and written inside the transaction, which is then
    rolled back: the report says what an import would do. References (participants, affiliations,
    ends of ties) must name an entity exactly (id, name or alias, accents and case aside); with
    ``match`` a close enough name is taken too.

    >>> import tempfile, pathlib
    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = f.write_text("organizations:\\n  - {id: oim, name: OIM, kind: multilateral}\\n")
    >>> import_files(SQLiteStore(":memory:"), [f]).total("added")
    1
    """
    (progress or (lambda _m: None))(Msg(N_("reading")))
    found, problems = sources(paths, max_bytes=max_bytes)
    named = ", ".join(str(p) for p in paths)
    return _import(store, found, problems, dry_run=dry_run, match=match, progress=progress, named=named)


def import_data(
    store: Store,
    data: Dataset | dict[str, Any],
    *,
    source: str = "",
    dry_run: bool = False,
    match: bool = False,
    replace: bool = True,
) -> WriteReport:
    """Import a :class:`Dataset` or a plain dict shaped like an import file, all-or-nothing.

    The sections of interactions, follow-ups and ties may be iterators: they are read once, in that
    order, a chunk at a time (:func:`ofai_graph.generate.iter_generate`).

    Records replace stored ones with the same id; with ``replace=False`` a record whose id is held
    by a different record is an error instead.
    """
    if isinstance(data, Dataset):
        data = data.model_dump(mode="json", exclude_defaults=True)
    return _import(store, [_Plain(data, source)], [], dry_run=dry_run, match=match, replace=replace)


__all__ = ["import_data", "import_files", "load_records", "validate_records"]
