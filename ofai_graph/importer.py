"""Import: validate every record, resolve every reference, then write all of it in one transaction.

Nothing is written unless everything is valid: :func:`prepare` collects every problem it finds (file,
record, line, field, what is wrong) and raises :class:`~ofai_graph.errors.InvalidData` with all of
them; only a clean :class:`~ofai_graph.model.Dataset` reaches ``Store.write``, which is atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import countries
from .errors import Ambiguous, InvalidData, NotFound, Problem
from .files import MAX_BYTES, RawRecord, detect_format, parse_document, read_text
from .model import (
    SECTIONS,
    SLUG_HINT,
    SLUG_PATTERN,
    Country,
    Dataset,
    FollowUp,
    Interaction,
    Organization,
    Person,
    Tie,
)
from .resolve import Resolver
from .store.base import Store, WriteReport

MODELS: dict[str, type[BaseModel]] = {
    "countries": Country,
    "organizations": Organization,
    "people": Person,
    "interactions": Interaction,
    "followups": FollowUp,
    "ties": Tie,
}
_ADAPTERS = {section: TypeAdapter(list[model]) for section, model in MODELS.items()}  # type: ignore[valid-type]
ENTITY_SECTIONS = ("countries", "organizations", "people")

Progress = Callable[[str], None]


def _message(err: dict[str, Any]) -> str:
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown field (check its spelling)"
    if err["type"] == "missing":
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


def merge(datasets: Iterable[tuple[Dataset, dict[tuple[str, str], str]]]) -> tuple[Dataset, list[Problem]]:
    """Combine datasets, keeping one copy of identical duplicates and refusing conflicting ones."""
    out = Dataset()
    problems: list[Problem] = []
    seen: dict[str, dict[str, BaseModel]] = {"entity": {}}
    for data, origin in datasets:
        for section in SECTIONS:
            space = seen["entity"] if section in ENTITY_SECTIONS else seen.setdefault(section, {})
            target = getattr(out, section)
            for record in getattr(data, section):
                other = space.get(record.id)
                if other is None:
                    space[record.id] = record
                    target.append(record)
                elif other != record:
                    problems.append(
                        Problem(
                            f"id {record.id!r} is used twice with different content",
                            record=origin.get((section, record.id), section),
                            field="id",
                        )
                    )
    return out, problems


def prepare(data: Dataset, store: Store | None, origin: dict[tuple[str, str], str] | None = None) -> Dataset:
    """Resolve every reference in ``data`` to a canonical id, adding the countries it names.

    Participants, follow-up parties and tie ends may be written as ids, names or aliases
    ("OIM", "Corea"); they are rewritten to ids. Raises :class:`InvalidData` listing every reference
    that names nothing, or more than one thing.
    """
    origin = origin or {}
    problems: list[Problem] = []
    batch_ids = {e.id for e in data.entities()}
    resolver = Resolver(store, data.entities())
    cache: dict[str, str | None] = {}
    new_countries: dict[str, Country] = {}

    def where(section: str, rid: str) -> str:
        return origin.get((section, rid), f"{section} (id {rid!r})")

    def ref(value: str, section: str, rid: str, field: str) -> str:
        if value in batch_ids:
            return value
        if value not in cache:
            try:
                cache[value] = resolver.resolve(value)
            except NotFound as exc:
                code = countries.lookup(value)
                if code is not None:
                    new_countries.setdefault(code, Country(id=code))
                    cache[value] = code
                else:
                    cache[value] = None
                    problems.append(
                        Problem(
                            f"{value!r} is neither an id nor a known name or alias"
                            + (f"; closest: {', '.join(exc.suggestions)}" if exc.suggestions else ""),
                            record=where(section, rid),
                            field=field,
                        )
                    )
            except Ambiguous as exc:
                cache[value] = None
                problems.append(Problem(str(exc), record=where(section, rid), field=field))
        elif cache[value] is None:
            problems.append(
                Problem(
                    f"{value!r} does not name exactly one entity", record=where(section, rid), field=field
                )
            )
        return cache[value] or value

    for p in data.people:
        for i, a in enumerate(p.affiliations):
            a.organization = ref(a.organization, "people", p.id, f"affiliations.{i}.organization")
    for it in data.interactions:
        for i, part in enumerate(it.participants):
            part.__dict__["entity"] = ref(part.entity, "interactions", it.id, f"participants.{i}.entity")
        # Two spellings of one partner collapse into one participant per role.
        unique = {(p.entity, p.role): p for p in it.participants}
        if len(unique) != len(it.participants):
            it.__dict__["participants"] = list(unique.values())
    interaction_ids = {i.id for i in data.interactions}
    missing_interactions = {
        f.interaction for f in data.followups if f.interaction and f.interaction not in interaction_ids
    }
    known = store.get_interactions(missing_interactions) if store is not None and missing_interactions else {}
    for f in data.followups:
        for field in ("expected_from", "owner"):
            value = getattr(f, field)
            if value:
                f.__dict__[field] = ref(value, "followups", f.id, field)
        if f.interaction and f.interaction not in interaction_ids and f.interaction not in known:
            problems.append(
                Problem(
                    f"interaction {f.interaction!r} does not exist",
                    record=where("followups", f.id),
                    field="interaction",
                )
            )
    for t in data.ties:
        t.__dict__["source"] = ref(t.source, "ties", t.id, "source")
        t.__dict__["target"] = ref(t.target, "ties", t.id, "target")
        if t.source == t.target:
            problems.append(
                Problem("a tie must link two different entities", record=where("ties", t.id), field="target")
            )
    # Ids of ties derive from their ends, which may just have been rewritten.
    for t in data.ties:
        if t.id.count("--") == 2:
            t.__dict__["id"] = f"{t.source}--{t.kind.value}--{t.target}"

    for e in [*data.organizations, *data.people]:
        for code in e.countries:
            if code not in batch_ids:
                new_countries.setdefault(code, Country(id=code))
    if new_countries and store is not None:
        present = store.get_entities(new_countries)
        for code in present:
            new_countries.pop(code)
    data.countries.extend(c for c in new_countries.values() if c.id not in batch_ids)
    if problems:
        raise InvalidData(problems)
    return data


def load_files(
    paths: Sequence[str | Path], *, max_bytes: int = MAX_BYTES
) -> tuple[Dataset, dict[tuple[str, str], str]]:
    """Read and validate files into one dataset; raises :class:`InvalidData` listing every problem."""
    problems: list[Problem] = []
    parts: list[tuple[Dataset, dict[tuple[str, str], str]]] = []
    for p in paths:
        path = Path(p)
        try:
            records = parse_document(read_text(path, max_bytes), detect_format(path), str(path))
        except InvalidData as exc:
            problems += exc.problems
            continue
        data, found = validate_records(records)
        problems += found
        origin = {}
        for r in records:
            if isinstance(r.data, dict) and isinstance(r.data.get("id"), str):
                section_id = r.data["id"]
                if r.section == "countries":
                    section_id = countries.lookup(section_id) or section_id
                origin[(r.section, section_id)] = (
                    f"{r.file}:{r.line}: {r.where}" if r.line else f"{r.file}: {r.where}"
                )
        parts.append((data, origin))
    merged, dup = merge(parts)
    problems += dup
    if problems:
        raise InvalidData(problems)
    origin_all: dict[tuple[str, str], str] = {}
    for _, o in parts:
        origin_all.update(o)
    if not any(merged.counts().values()):
        raise InvalidData([Problem("no records found", ", ".join(str(p) for p in paths))])
    return merged, origin_all


def import_files(
    store: Store, paths: Sequence[str | Path], *, max_bytes: int = MAX_BYTES, progress: Progress | None = None
) -> WriteReport:
    """Import files all-or-nothing. Importing the same files twice changes nothing.

    >>> import tempfile, pathlib
    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = f.write_text("organizations:\\n  - {id: oim, name: OIM, kind: multilateral}\\n")
    >>> import_files(SQLiteStore(":memory:"), [f]).total("added")
    1
    """
    say = progress or (lambda _msg: None)
    say("reading and validating")
    data, origin = load_files(paths, max_bytes=max_bytes)
    say("resolving references")
    data = prepare(data, store, origin)
    say("writing")
    return store.write(data)


def import_data(store: Store, data: Dataset | dict[str, Any], *, source: str = "<data>") -> WriteReport:
    """Import a :class:`Dataset` or a plain dict shaped like an import file, all-or-nothing."""
    if isinstance(data, dict):
        records = [
            RawRecord(section, i, item, source)
            for section, items in data.items()
            if section in SECTIONS
            for i, item in enumerate(items or [])
        ]
        dataset, problems = validate_records(records)
        merged, dup = merge([(dataset, {})])
        if problems or dup:
            raise InvalidData(problems + dup)
        data = merged
    else:
        data, dup = merge([(data.model_copy(deep=True), {})])
        if dup:
            raise InvalidData(dup)
    return store.write(prepare(data, store))


__all__ = ["import_data", "import_files", "load_files", "prepare", "validate_records"]
