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
from .bulk import batched, paused_gc
from .errors import Ambiguous, InvalidData, NotFound, Problem
from .files import MAX_BYTES, RawRecord, detect_format, parse_document, read_text
from .model import (
    MODELS,
    SECTIONS,
    SLUG_HINT,
    SLUG_PATTERN,
    Country,
    Dataset,
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
    """Resolves names in references to ids, across all the batches of one import."""

    def __init__(self, store: Store, entities: Sequence[BaseModel]):
        self.store = store
        self.batch_ids = {e.id for e in entities}  # type: ignore[attr-defined]
        self.resolver = Resolver(store, entities)  # type: ignore[arg-type]
        self.cache: dict[str, str | None] = {}
        self.countries_added: set[str] = set()
        self.interaction_ids: set[str] = set()

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
        if value not in self.cache:
            try:
                self.cache[value] = self.resolver.resolve(value)
            except NotFound as exc:
                code = countries.lookup(value)
                if code is not None:
                    if code not in new:
                        new[code] = Country(id=code)
                    self.cache[value] = code
                else:
                    self.cache[value] = None
                    hint = f"; closest: {', '.join(exc.suggestions)}" if exc.suggestions else ""
                    problems.append(
                        Problem(
                            f"{value!r} is neither an id nor a known name or alias{hint}",
                            **at(),
                            field=field,
                        )
                    )
                    return value
            except Ambiguous as exc:
                self.cache[value] = None
                problems.append(Problem(str(exc), **at(), field=field))
                return value
        resolved = self.cache[value]
        if resolved is None:
            problems.append(Problem(f"{value!r} does not name exactly one entity", **at(), field=field))
            return value
        return resolved

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
            if not isinstance(parts, list) or all(_entity_of(p) in self.batch_ids for p in parts):
                return {}
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

    def prepare(self, data: Dataset, origin: Any, new: dict[str, Country]) -> list[Problem]:
        """Check what one validated batch refers to; add the countries it names that the store lacks."""
        problems: list[Problem] = []

        def where(section: str, rid: str) -> dict[str, Any]:
            return origin.get((section, rid), {"record": f"{section} (id {rid!r})"})

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
                        **where("followups", f.id),
                        field="interaction",
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


# Fields holding a reference to an entity, besides participants and affiliations.
REFERENCES = {"followups": ("expected_from", "owner"), "ties": ("source", "target")}


def _entity_of(participant: Any) -> Any:
    if isinstance(participant, dict):
        return participant.get("entity")
    return participant[0] if isinstance(participant, (list, tuple)) and participant else None


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
    entity_records = [r for s in ENTITY_SECTIONS for r in by_section[s]]
    # Countries and organizations first: people's affiliations name them.
    entities, found = validate_records(by_section["countries"] + by_section["organizations"])
    problems += found
    new: dict[str, Country] = {}
    problems += _References(store, entities.entities()).resolve(by_section["people"], new)
    people, found = validate_records(by_section["people"])
    problems += found
    entities.people.extend(people.people)
    seen: dict[str, set[str]] = {}
    entities = _dedupe(entities, _origin(entity_records), seen, problems, store)
    refs = _References(store, entities.entities())
    total = sum(len(by_section[s]) for s in ("interactions", "followups", "ties"))
    done = 0

    class _Rollback(Exception):
        pass

    report = WriteReport()
    try:
        with store.transaction() as tx:
            problems += refs.prepare(entities, _origin(entity_records), new)
            if not problems:
                tx.write(entities)
            for section in ("interactions", "followups", "ties"):
                recs = by_section[section]
                for chunk in batched(recs, CHUNK):
                    origin = _origin(chunk)
                    new = {}
                    problems += refs.resolve(chunk, new)
                    data, found = validate_records(chunk)
                    problems += found
                    problems += refs.prepare(data, origin, new)
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
