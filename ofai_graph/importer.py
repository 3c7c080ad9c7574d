"""Import: validate every record, resolve every reference, then write all of it in one transaction.

Nothing is written unless everything is valid: :func:`prepare` collects every problem it finds (file,
record, line, field, what is wrong) and raises :class:`~ofai_graph.errors.InvalidData` with all of
them; only a clean :class:`~ofai_graph.model.Dataset` reaches ``Store.write``, which is atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import countries
from .bulk import paused_gc
from .errors import Ambiguous, InvalidData, NotFound, Problem
from .files import MAX_BYTES, RawRecord, detect_format, parse_document, read_text
from .model import (
    MODELS,
    SECTIONS,
    SLUG_HINT,
    SLUG_PATTERN,
    Country,
    Dataset,
    EntityModel,
)
from .resolve import Resolver
from .store.base import Store, WriteReport

_ADAPTERS = {section: TypeAdapter(list[model]) for section, model in MODELS.items()}  # type: ignore[valid-type]
ENTITY_SECTIONS = ("countries", "organizations", "people")

Progress = Callable[[str], None]


def _message(err: dict[str, Any]) -> str:
    msg = str(err["msg"])
    if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        return "unknown field (check its spelling)"
    if err["type"] in ("missing", "missing_argument"):
        return "is required"
    if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == SLUG_PATTERN:
        return f"{err['input']!r} {SLUG_HINT}"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg


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
    problems: list[Problem] = []
    data = Dataset()
    by_section: dict[str, list[RawRecord]] = {s: [] for s in SECTIONS}
    for r in records:
        if r.section == "countries" and isinstance(r.data, str):
            r.data = {"id": r.data}
        if not isinstance(r.data, dict):
            problems.append(
                Problem(f"a record must be a mapping, found {type(r.data).__name__}", r.file, r.where, r.line)
            )
            continue
        if "__extra__" in r.data:
            problems.append(
                Problem("row has more cells than the header has columns", r.file, r.where, r.line)
            )
            continue
        by_section[r.section].append(r)
    for section, recs in by_section.items():
        if not recs:
            continue
        try:
            valid = _ADAPTERS[section].validate_python([r.data for r in recs])
        except ValidationError as exc:
            bad: set[int] = set()
            for err in exc.errors():
                idx, *field = err["loc"]
                rec = recs[int(idx)]
                bad.add(int(idx))
                field_name = ".".join(str(p) for p in field if not isinstance(p, str) or p not in MODEL_TAGS)
                problems.append(
                    Problem(
                        _message(err),
                        rec.file,
                        rec.where,
                        _line_at(rec.data, field, rec.line),
                        field_name or None,
                    )
                )
            valid = []
            model = MODELS[section]
            for i, r in enumerate(recs):
                if i not in bad:
                    valid.append(model.model_validate(r.data))
        getattr(data, section).extend(valid)
    return data, problems


MODEL_TAGS = {"function-after", "function-before", "function-plain"}


class _References:
    """Resolves the names in references to ids, across all the batches of one import.

    References are rewritten in the raw records, before these are validated: every record is
    validated once, with the ids it is stored with (a tie's default id comes from its resolved ends).
    A raw record whose references change is copied, never changed in place.
    """

    def __init__(self, store: Store, entities: Sequence[EntityModel]):
        self.store = store
        self.batch_ids: set[str] = set()
        self.resolver = Resolver(store)
        self.cache: dict[str, str | None] = {}
        self.new: dict[str, Country] = {}  # countries named in references, to be added
        self.countries_added: set[str] = set()
        self.interaction_ids: set[str] = set()
        self._entities: list[EntityModel] = []
        self.extend(entities)

    def extend(self, entities: Sequence[EntityModel]) -> None:
        """Let references name these entities too."""
        self._entities += entities
        self.batch_ids |= {e.id for e in entities}
        self.resolver = Resolver(self.store, self._entities)
        self.cache.clear()

    def ref(self, value: str, record: RawRecord, field: str, problems: list[Problem]) -> str:
        """The id ``value`` names; ``value`` itself, with a problem, when it names none."""
        if value in self.batch_ids:
            return value
        if value not in self.cache:
            try:
                self.cache[value] = self.resolver.resolve(value)
            except NotFound as exc:
                code = countries.lookup(value)
                if code is not None:
                    if code not in self.new:
                        self.new[code] = Country(id=code)
                    self.cache[value] = code
                else:
                    self.cache[value] = None
                    hint = f"; closest: {', '.join(exc.suggestions)}" if exc.suggestions else ""
                    problems.append(
                        _at(record, f"{value!r} is neither an id nor a known name or alias{hint}", field)
                    )
                    return value
            except Ambiguous as exc:
                self.cache[value] = None
                problems.append(_at(record, str(exc), field))
                return value
        resolved = self.cache[value]
        if resolved is None:
            problems.append(_at(record, f"{value!r} does not name exactly one entity", field))
            return value
        return resolved

    def _text(self, value: Any, record: RawRecord, field: str, problems: list[Problem]) -> Any:
        if not isinstance(value, str) or not value.strip():
            return value  # validation says what is wrong with it
        return self.ref(value.strip(), record, field, problems)

    def resolve(self, records: Sequence[RawRecord]) -> list[Problem]:
        """Rewrite the references of raw records to ids; return what could not be resolved."""
        problems: list[Problem] = []
        batch = self.batch_ids
        for r in records:
            data = r.data
            if not isinstance(data, dict):
                continue
            changes: dict[str, Any] = {}
            if r.section == "interactions":
                parts = data.get("participants")
                if isinstance(parts, list):
                    new_parts = list(parts)
                    for i, p in enumerate(parts):
                        entity = (
                            p.get("entity")
                            if isinstance(p, dict)
                            else p[0]
                            if isinstance(p, (list, tuple)) and p
                            else None
                        )
                        if entity is None or entity in batch:
                            continue
                        found = self._text(entity, r, f"participants.{i}.entity", problems)
                        if found != entity:
                            new_parts[i] = {**p, "entity": found} if isinstance(p, dict) else [found, *p[1:]]
                    if new_parts != parts:
                        changes["participants"] = new_parts
            elif r.section == "people":
                affs = data.get("affiliations")
                if isinstance(affs, list):
                    new_affs = [
                        {
                            **a,
                            "organization": self._text(
                                a.get("organization"), r, f"affiliations.{i}.organization", problems
                            ),
                        }
                        if isinstance(a, dict)
                        else a
                        for i, a in enumerate(affs)
                    ]
                    if new_affs != affs:
                        changes["affiliations"] = new_affs
            else:
                for field in _REFERENCE_FIELDS.get(r.section, ()):
                    value = data.get(field)
                    found = self._text(value, r, field, problems)
                    if found != value:
                        changes[field] = found
            if changes:
                r.data = {**data, **changes}
        return problems

    def finish(self, data: Dataset, origin: Any) -> list[Problem]:
        """Check what validated records refer to (follow-ups' interactions) and add the countries
        that entities and references named but the store lacks."""
        problems: list[Problem] = []
        batch = self.batch_ids
        self.interaction_ids.update(it.id for it in data.interactions)
        wanted = {
            f.interaction
            for f in data.followups
            if f.interaction and f.interaction not in self.interaction_ids
        }
        known = set(self.store.get_interactions(wanted)) if wanted else set()
        for f in data.followups:
            if f.interaction and f.interaction not in self.interaction_ids and f.interaction not in known:
                problems.append(
                    Problem(
                        f"interaction {f.interaction!r} does not exist",
                        **origin.get(("followups", f.id), {"record": f"followups (id {f.id!r})"}),
                        field="interaction",
                    )
                )
        new = self.new
        for e in [*data.organizations, *data.people]:
            for code in e.countries:
                if code not in batch and code not in new and code not in self.countries_added:
                    new[code] = Country(id=code)
        todo = {c: m for c, m in new.items() if c not in self.countries_added and c not in batch}
        if todo:
            present = self.store.get_entities(todo)
            data.countries.extend(m for c, m in todo.items() if c not in present)
            self.countries_added |= set(todo)
        new.clear()
        return problems


_REFERENCE_FIELDS = {"followups": ("expected_from", "owner"), "ties": ("source", "target")}


def _at(record: RawRecord, message: str, field: str) -> Problem:
    return Problem(message, record.file, record.where, record.line, field)


CHUNK = 20_000


class _Origin:
    """Where each record came from, formatted only when a problem needs it."""

    def __init__(self, records: Sequence[RawRecord]):
        self._records = records

    def get(self, key: tuple[str, str], default: dict[str, Any]) -> dict[str, Any]:
        """File, line and record of the record with this (section, id), as Problem's fields."""
        section, rid = key
        for r in self._records:
            if r.section == section and isinstance(r.data, dict):
                found = r.data.get("id")
                if section == "countries" and isinstance(found, str):
                    found = countries.lookup(found) or found
                if found == rid:
                    return {"file": r.file, "line": r.line, "record": r.where}
        return default


def _origin(records: Sequence[RawRecord]) -> Any:
    return _Origin(records)


@paused_gc()
def _import(
    store: Store,
    records: Sequence[RawRecord],
    problems: list[Problem],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> WriteReport:
    """Validate, resolve and write ``records`` in one transaction, a chunk at a time.

    Entities are validated first (every reference resolves against them). Interactions, follow-ups
    and ties are then validated, resolved and written in chunks, so that only one chunk of models is
    in memory at a time; any problem anywhere rolls the whole transaction back.
    """
    say = progress or (lambda _msg: None)
    by_section: dict[str, list[RawRecord]] = {s: [] for s in SECTIONS}
    for r in records:
        by_section[r.section].append(r)
    say("validating entities")
    # Countries and organizations first: people's affiliations name them.
    entities, found = validate_records(by_section["countries"] + by_section["organizations"])
    problems += found
    refs = _References(store, entities.entities())
    problems += refs.resolve(by_section["people"])
    people, found = validate_records(by_section["people"])
    problems += found
    entities.people.extend(people.people)
    refs.extend(people.people)
    entity_records = [r for s in ENTITY_SECTIONS for r in by_section[s]]
    seen: dict[str, set[str]] = {}
    entities = _dedupe(entities, _origin(entity_records), seen, problems, store)
    total = sum(len(by_section[s]) for s in ("interactions", "followups", "ties"))
    done = 0

    class _Rollback(Exception):
        pass

    report = WriteReport()
    try:
        with store.transaction() as tx:
            problems += refs.finish(entities, _origin(entity_records))
            if not problems:
                tx.write(entities)
            for section in ("interactions", "followups", "ties"):
                recs = by_section[section]
                for i in range(0, len(recs), CHUNK):
                    chunk = recs[i : i + CHUNK]
                    origin = _origin(chunk)
                    problems += refs.resolve(chunk)
                    data, found = validate_records(chunk)
                    problems += found
                    problems += refs.finish(data, origin)
                    data = _dedupe(data, origin, seen, problems, store)
                    if not problems:
                        tx.write(data)
                    done += len(chunk)
                    say(f"{section}: {done:,} of {total:,} records")
            report = tx.report
            if problems or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if problems:
        raise InvalidData(problems)
    return report


def _dedupe(
    data: Dataset, origin: Any, seen: dict[str, set[str]], problems: list[Problem], store: Store
) -> Dataset:
    """Drop exact repeats of a record; report an id used twice with different content.

    Only ids are remembered across chunks (a million of them fit in memory, a million records do
    not); a repeat from an earlier chunk is compared with what that chunk wrote in this transaction.
    """
    out = Dataset()
    for section in SECTIONS:
        space = seen.setdefault("entity" if section in ENTITY_SECTIONS else section, set())
        target = getattr(out, section)
        current: dict[str, BaseModel] = {}
        for record in getattr(data, section):
            if record.id not in space:
                space.add(record.id)
                current[record.id] = record
                target.append(record)
                continue
            other = current.get(record.id) or _stored(store, section, record.id)
            if other is not None and other != record:
                problems.append(
                    Problem(
                        f"id {record.id!r} is used twice with different content",
                        **origin.get((section, record.id), {"record": section}),
                        field="id",
                    )
                )
    return out


def _stored(store: Store, section: str, rid: str) -> BaseModel | None:
    if section in ENTITY_SECTIONS:
        return store.get_entities([rid]).get(rid)
    if section == "interactions":
        return store.get_interactions([rid]).get(rid)
    if section == "followups":
        return next((f for f in store.followups(None) if f.id == rid), None)
    return next((t for t in store.ties() if t.id == rid), None)


def load_records(
    paths: Sequence[str | Path], *, max_bytes: int = MAX_BYTES
) -> tuple[list[RawRecord], list[Problem]]:
    """Read files into raw records; problems of whole files (format, size, syntax) are returned."""
    problems: list[Problem] = []
    records: list[RawRecord] = []
    for p in paths:
        path = Path(p)
        try:
            records += parse_document(read_text(path, max_bytes), detect_format(path), str(path))
        except InvalidData as exc:
            problems += exc.problems
    if not records and not problems:
        problems.append(Problem("no records found", ", ".join(str(p) for p in paths)))
    return records, problems


def import_files(
    store: Store,
    paths: Sequence[str | Path],
    *,
    max_bytes: int = MAX_BYTES,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> WriteReport:
    """Import files all-or-nothing. Importing the same files twice changes nothing.

    With ``dry_run`` everything is validated and written inside the transaction, which is then
    rolled back: the report says what an import would do.

    >>> import tempfile, pathlib
    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = f.write_text("organizations:\\n  - {id: oim, name: OIM, kind: multilateral}\\n")
    >>> import_files(SQLiteStore(":memory:"), [f]).total("added")
    1
    """
    (progress or (lambda _m: None))("reading")
    records, problems = load_records(paths, max_bytes=max_bytes)
    return _import(store, records, problems, dry_run=dry_run, progress=progress)


def import_data(
    store: Store, data: Dataset | dict[str, Any], *, source: str = "<data>", dry_run: bool = False
) -> WriteReport:
    """Import a :class:`Dataset` or a plain dict shaped like an import file, all-or-nothing."""
    if isinstance(data, Dataset):
        data = data.model_dump(mode="json", exclude_defaults=True)
    records = [
        RawRecord(section, i, item, source)
        for section, items in data.items()
        if section in SECTIONS
        for i, item in enumerate(items or [])
    ]
    return _import(store, records, [], dry_run=dry_run)


__all__ = ["import_data", "import_files", "load_records", "validate_records"]
