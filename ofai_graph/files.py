"""Reading and writing data files: YAML and JSON documents, JSON Lines, and CSV for interactions.

Readers keep the line each record starts on, so that every error can name file, record, line and
field. They refuse what is not a data file (binary, empty, too large) before parsing it.

YAML and JSON files are documents, read whole (up to :data:`MAX_BYTES`). JSON Lines (``.jsonl``,
one record a line with a ``type``) and CSV are *streamed*: :func:`iter_records` reads them a line at
a time, so a file of any size imports in bounded memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import (
    N_,
    Detail,
    InvalidData,
    InvalidFile,
    InvalidValue,
    Listed,
    Msg,
    Number,
    Problem,
    kind_of_value,
    os_reason,
)
from .model import SECTIONS, Dataset, tie_id
from .text import clip, closest, quote

MAX_BYTES = 32 * 1024 * 1024
FORMATS = ("yaml", "json", "jsonl", "csv")
STREAMED = ("jsonl", "csv")
"""Formats read a line at a time, without the size limit of whole documents."""

# A JSON Lines record says what it is in ``type``: one of these, for the sections of an import file.
LINE_TYPES = {
    "country": "countries",
    "organization": "organizations",
    "person": "people",
    "interaction": "interactions",
    "followup": "followups",
    "tie": "ties",
}
ENTITY_TYPES = ("country", "organization", "person")


@dataclass(slots=True)
class RawRecord:
    section: str
    index: int
    data: Any
    file: str
    line: int | None = None

    @property
    def where(self) -> str:
        # The section and place as the file writes them: keys of the file format, in any language.
        ident = self.data.get("id") if isinstance(self.data, dict) else None
        return f"{self.section}[{self.index}]" + (f" (id {quote(ident)})" if ident else "")


class _LineDict(dict):
    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings remember the line they start on.

    It refuses aliases (``*name``): data files have no use for them, and a few hundred bytes of
    nested aliases expand into billions of values (the "billion laughs"). Refusing them at the first
    one keeps memory bounded whatever the file. A key written twice in one mapping is refused too.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                Msg(
                    N_("aliases ({alias}) are not allowed in data files; write the value out"),
                    alias=clip("*" + str(event.anchor), 40),
                ),  # type: ignore[arg-type]  # shown through _yaml_problem, in the reader's language
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # an unhashable key: construct_mapping below says so
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                Msg(N_("key {key} appears twice in one mapping"), key=quote(key)),  # type: ignore[arg-type]
                key_node.start_mark,
            )
    data = _LineDict(loader.construct_mapping(node, deep=True))
    data.line = node.start_mark.line + 1
    return data


# The stubs type the constructor for the base Loader class only; ours is a SafeLoader subclass.
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[type-var]
# Dates stay text: PartialDate parses them with its own precision rules and error messages
# (PyYAML would crash on 2024-13-01 with a bare ValueError).
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)  # type: ignore[type-var]


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        self.key = key


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return data


MAX_DIGITS = 100  # no field holds a longer number; Python refuses past 4,300 digits anyway


class _LongNumber(ValueError):
    def __init__(self, digits: str):
        self.digits = digits


def _json_int(digits: str) -> int:
    if len(digits) > MAX_DIGITS:
        raise _LongNumber(digits)
    return int(digits)


_JSON = json.JSONDecoder(object_pairs_hook=_json_object, parse_int=_json_int)  # built once: a line each


def _line_of(text: str, needle: str) -> int | None:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("yaml", "yml"):
        return "yaml"
    if suffix in ("json", "csv", "jsonl"):
        return suffix
    if suffix == "ndjson":
        return "jsonl"
    raise InvalidData(
        [
            Problem(
                N_("unknown file type {suffix!r}: use .yaml, .yml, .json, .jsonl or .csv"),
                str(path),
                params={"suffix": path.suffix},
            )
        ]
    )


def _check_file(path: Path) -> int:
    """The size of ``path``; what is not a readable, non-empty file is an :class:`InvalidData`."""
    name = str(path)
    if not path.exists():
        raise InvalidData([Problem(N_("file not found"), name)])
    if path.is_dir():
        raise InvalidData([Problem(N_("is a directory, not a data file"), name)])
    size = path.stat().st_size
    if size == 0:
        raise InvalidData([Problem(N_("file is empty"), name)])
    return size


def _check_head(head: bytes, name: str) -> None:
    if _looks_utf16(head):
        raise InvalidData([Problem(N_("is not UTF-8 (looks like UTF-16): save it as UTF-8"), name)])
    if b"\x00" in head[:8192]:
        raise InvalidData([Problem(N_("is a binary file, not YAML, JSON or CSV text"), name)])


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    name = str(path)
    size = _check_file(path)
    if size > max_bytes:
        raise InvalidData(
            [
                Problem(
                    N_(
                        "file is {size} MB, more than the {limit} MB limit for one import file; split it "
                        "or raise the limit with --max-size"
                    ),
                    name,
                    params={"size": f"{size / 2**20:.1f}", "limit": f"{max_bytes / 2**20:g}"},
                )
            ]
        )
    raw = path.read_bytes()
    _check_head(raw[:8192], name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidData([Problem(NOT_UTF8, name, line=line)]) from None
    if not text.strip():
        raise InvalidData([Problem(N_("file is empty"), name)])
    return text


def _looks_utf16(raw: bytes) -> bool:
    """A byte-order mark, or ASCII text with a zero byte beside every character (Excel, Notepad)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = raw[:8192]
    half = len(head) // 2
    return half >= 2 and max(head[0::2].count(0), head[1::2].count(0)) >= 0.9 * half


def parse_document(text: str, fmt: str, name: str) -> list[RawRecord]:
    """The records of one file, each tagged with its section, index and (where known) line."""
    if fmt == "csv":
        return _parse_csv(text, name)
    try:
        doc = _load(text, fmt, name)
    except RecursionError:
        raise InvalidData([Problem(N_("is nested too deeply to be a data file"), name)]) from None
    if not isinstance(doc, dict):
        raise InvalidData(
            [
                Problem(
                    N_("the top level must be a mapping with sections {sections} (found {found})"),
                    name,
                    params={"sections": ", ".join(SECTIONS), "found": kind_of_value(doc)},
                )
            ]
        )
    problems, records = [], []
    for section, items in doc.items():
        if section in ("format", "version", "generated", "as_of"):
            continue
        if section not in SECTIONS:
            near = closest(str(section), SECTIONS)
            problems.append(
                Problem(N_("unknown section {section}; did you mean '{suggestion}'?"), name, params={"section": quote(section), "suggestion": near})
                if near
                else Problem(
                    N_("unknown section {section}; sections are: {sections}"),
                    name,
                    params={"section": quote(section), "sections": ", ".join(SECTIONS)},
                )
            )
            continue
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(
                Problem(N_("section {section} must be a list of records"), name, params={"section": quote(section)})
            )
            continue
        for i, item in enumerate(items):
            records.append(RawRecord(section, i, item, name, getattr(item, "line", None)))
    if problems:
        raise InvalidData(problems)
    return records


def read_document(path: str | Path, max_bytes: int = 1024 * 1024) -> Any:
    """A whole YAML or JSON file (a settings file, not an import), with the same refusals as an
    import: size, encoding, aliases, duplicate keys, nesting; each an :class:`OfaiError`."""

    path = Path(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    try:
        return _load(read_text(path, max_bytes), fmt, str(path))
    except InvalidData as exc:
        raise InvalidFile(exc.problems) from None
    except RecursionError:
        raise InvalidFile([Problem(N_("is nested too deeply to be a settings file"), str(path))]) from None
    except OSError as exc:
        raise InvalidFile([Problem(N_("cannot be read: {reason}"), str(path), params={"reason": os_reason(exc)})]) from None


def _load(text: str, fmt: str, name: str) -> Any:
    if fmt == "yaml":
        try:
            return yaml.load(text, Loader=_LineLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise InvalidData(
                [Problem(N_("malformed YAML: {problem}"), name, line=line, params={"problem": _yaml_problem(problem)})]
            ) from None
        except ValueError:
            # PyYAML's int() of a 5,000-digit number: Python refuses past 4,300 digits.
            raise InvalidData([Problem(N_("malformed YAML: a number too long to read"), name)]) from None
    try:
        return _JSON.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidData(
            [Problem(N_("malformed JSON: {problem}"), name, line=exc.lineno, params={"problem": _json_problem(exc)})]
        ) from None
    except _DuplicateKey as exc:
        raise InvalidData(
            [Problem(N_("key {key} appears twice in one object"), name, params={"key": quote(exc.key)})]
        ) from None
    except _LongNumber as exc:
        raise InvalidData(
            [
                Problem(
                    N_("a number with {digits} digits (more than {most}): write it as text if it is an id"),
                    name,
                    line=_line_of(text, exc.digits),
                    params={"digits": Number(len(exc.digits)), "most": MAX_DIGITS},
                )
            ]
        ) from None
    except ValueError:
        raise InvalidData([Problem(N_("malformed JSON: a value that cannot be read"), name)]) from None


CSV_COLUMNS = (
    "id",
    "date",
    "kind",
    "axis",
    "title",
    "summary",
    "participants",
    "status",
    "tags",
    "source_document",
    "source_section",
    "source_action",
    "source_order",
)


def _parse_csv(text: str, name: str) -> list[RawRecord]:
    """Interactions, one a row. ``participants`` is ``entity:role; entity:role``; tags are ``;``-separated."""
    # newline="": the csv module then reads \r\n, \n and the lone \r of Excel for Mac's CSV alike.
    records = []
    for r in _csv_records(io.StringIO(text, newline=""), name):
        if isinstance(r, Problem):
            raise InvalidData([r])
        records.append(r)
    return records


def _csv_header(reader: csv.DictReader, name: str) -> Problem | None:  # type: ignore[type-arg]
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        return _csv_problem(exc, name, 1)
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        return Problem(
            N_("columns appear twice: {columns}"), name, line=1, params={"columns": ", ".join(quote(c) for c in twice)}
        )
    missing = [c for c in ("id", "date", "kind", "title", "participants") if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(Msg(N_("missing columns: {columns}"), columns=", ".join(missing)))
        for c in unknown:
            near = closest(c, [k for k in CSV_COLUMNS if k not in header])
            parts.append(
                Msg(N_("unknown column {column}; did you mean '{suggestion}'?"), column=quote(c), suggestion=near)
                if near
                else Msg(N_("unknown column {column}"), column=quote(c))
            )
        return Problem(
            N_("{problems} (columns are: {columns})"),
            name,
            line=1,
            params={"problems": Listed(parts, "; "), "columns": ", ".join(CSV_COLUMNS)},
        )
    return None


def _csv_records(lines: Iterable[str], name: str) -> Iterator[RawRecord | Problem]:
    """The rows of a CSV text as interaction records; a malformed file ends with one Problem."""
    from .interop import csv_unsafe  # cells our exports neutralised against formula injection

    reader = csv.DictReader(lines)
    problem = _csv_header(reader, name)
    if problem is not None:
        yield problem
        return
    # The rows as DictReader makes them, by its rules (blank rows skipped, extra cells apart, the line
    # number it keeps), without its Python call a row: the csv module's reader, and zip.
    fields = reader.fieldnames or []
    width = len(fields)
    rows = reader.reader
    line_num = reader.line_num
    i = 0
    while True:
        start = line_num + 1
        try:
            row = next(rows)
            while not row:
                row = next(rows)
            line_num = rows.line_num  # where DictReader's fieldnames property leaves it, once a row is read
        except StopIteration:
            return
        except csv.Error as exc:
            yield _csv_problem(exc, name, start)
            return
        data: dict[str, Any] = {k: v for k, v in zip(fields, row, strict=False) if v}
        cells = "".join(data.values())
        if "'" in cells or "\r" in cells:  # the few cells to read back: one look at the row for the rest
            data = {k: csv_unsafe(_one_newline(v)) for k, v in data.items()}
        if len(row) > width:
            data["__extra__"] = row[width:]
        parts = []
        for chunk in (data.pop("participants", "") or "").split(";"):
            chunk = chunk.strip()
            if not chunk:
                continue
            entity, _, role = chunk.rpartition(":") if ":" in chunk else (chunk, "", "")
            parts.append({"entity": entity.strip(), "role": role.strip() or "participant"})
        data["participants"] = parts
        if "tags" in data:
            data["tags"] = [t.strip() for t in data["tags"].split(";")]
        doc, sec = data.pop("source_document", None), data.pop("source_section", None)
        action, order = data.pop("source_action", None), data.pop("source_order", None)
        if doc:
            data["source"] = {
                "document": doc,
                **({"section": sec} if sec else {}),
                **({"action": action} if action else {}),
                **({"order": order} if order else {}),
            }
        yield RawRecord("interactions", i, data, name, start)
        i += 1


MAX_LINE = 1024 * 1024
"""The longest line of a streamed file: no record is that long, and a longer one is not read whole."""


def iter_records(
    path: Path, fmt: str, *, entities: bool, owned: bytearray | None = None
) -> Iterator[RawRecord | Problem]:
    """The records of a streamed file (:data:`STREAMED`), a line at a time, and the problems found.

    A file is read twice by an import: first for its entities (``entities=True``; every reference
    resolves against them), then for everything else. Each problem is yielded by one of the two
    passes only. A file that is not a data file at all raises :class:`InvalidData` in the first.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = f.write_text('{"type": "organization", "id": "oim", "name": "OIM", "kind": "multilateral"}\\n{"x": 1}\\n')
    >>> [r.section for r in iter_records(f, "jsonl", entities=True)]
    ['organizations']
    >>> [str(r).split(".jsonl:2: ")[1] for r in iter_records(f, "jsonl", entities=False)]
    ["a line needs a 'type': one of country, organization, person, interaction, followup, tie"]

    ``owned`` (JSON Lines): the first pass marks in it, a bit per line, the lines it dealt with in
    full (entities, and the problems it reported); the second pass, given the same bitmap once the
    first has read the whole file, skips them instead of parsing them again.
    """
    name = str(path)
    if entities:
        _check_file(path)
        with path.open("rb") as f:
            _check_head(f.read(8192), name)
    if fmt == "csv":
        yield from _iter_csv(path, name, entities=entities)
    else:
        yield from _iter_jsonl(path, name, entities=entities, owned=owned)


def _iter_csv(path: Path, name: str, *, entities: bool) -> Iterator[RawRecord | Problem]:
    # A CSV file holds interactions only: the first pass checks its header, the second reads it.
    with path.open(encoding="utf-8-sig", newline="") as f:
        try:
            if entities:
                problem = _csv_header(csv.DictReader(f), name)
                if problem is not None:
                    yield problem
                return
            if _csv_header(csv.DictReader(f), name) is not None:
                return  # the first pass reported the header
            f.seek(0)
            for r in _csv_records(f, name):
                yield r
                if isinstance(r, Problem):
                    return
        except UnicodeDecodeError:
            yield Problem(NOT_UTF8, name, line=_bad_utf8_line(path))


def _bad_utf8_line(path: Path) -> int | None:
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return n
    return None


_ENTITY_WORD = re.compile(rb'"(?:country|organization|person)"').search  # one look through a line, not three


def _maybe_entity(raw: bytes) -> bool:
    """Whether a line can hold an entity: the first pass parses only these (a tenth of a typical file)."""
    return _ENTITY_WORD(raw) is not None


_HEADER_KEYS = {"format", "version", "generated", "as_of"}


def _iter_jsonl(
    path: Path, name: str, *, entities: bool, owned: bytearray | None = None
) -> Iterator[RawRecord | Problem]:
    counts = dict.fromkeys(LINE_TYPES.values(), 0)
    mark = owned if entities else None  # filled by the first pass, read by the second
    skip = owned if not entities else None
    with path.open("rb") as f:
        n = 0
        while True:
            raw = f.readline(MAX_LINE + 1)
            if not raw:
                return
            n += 1
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                while (rest := f.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                    pass
                if _owns(raw, entities):
                    yield Problem(
                        N_("a line longer than {size} KB; no record is that long"),
                        name,
                        line=n,
                        params={"size": Number(MAX_LINE // 1024)},
                    )
                continue
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if entities:
                if _ENTITY_WORD(raw) is None:  # _maybe_entity
                    continue
            else:
                # Only the first pass parses, and owns, lines that may hold an entity: a line it owns
                # is one, and the second pass asks the question only of the few lines that need it.
                if skip is not None and n >> 3 < len(skip) and skip[n >> 3] & (1 << (n & 7)):
                    continue  # an entity, or a problem the first pass reported
            if raw.isspace():  # bytes.strip's whitespace, without a copy of the line
                continue
            found = _jsonl_record(raw, name, n)
            if mark is not None and (not isinstance(found, tuple) or found[0] in ENTITY_TYPES):
                if n >> 3 >= len(mark):
                    mark.extend(bytes(max(n >> 3, 2 * len(mark)) + 1 - len(mark)))
                mark[n >> 3] |= 1 << (n & 7)
            if isinstance(found, Problem):
                if entities or not _maybe_entity(raw):  # reported by the pass that parses this line first
                    yield found
                continue
            if found is None:
                continue
            kind, data = found
            if (kind in ENTITY_TYPES) != entities:
                if not entities and kind in ENTITY_TYPES and not _maybe_entity(raw):
                    yield Problem(
                        N_("write the type {type} without escapes"), name, line=n, field="type", params={"type": quote(kind)}
                    )
                continue
            section = LINE_TYPES[kind]
            yield RawRecord(section, counts[section], data, name, n)
            counts[section] += 1


# Without a hook on objects: a key written twice is found by counting instead (see _pairs).
_SCAN = json.JSONDecoder(parse_int=_json_int).scan_once  # type: ignore[attr-defined]
_JSON_SPACE = " \t\n\r"  # json's whitespace (str.isspace would take more)


def _pairs(value: Any) -> int:
    """The keys of every object in a decoded JSON value.

    Outside its strings, JSON text writes ``:`` only between a key and its value, so a line holds at
    least as many ``:`` as it has pairs, and at least as many pairs as its decoded objects have keys
    (a key written twice is kept once). When the ``:`` of a line and these keys are as many, no key
    is written twice; otherwise (a key twice, or a ``:`` inside a text) the line is read again with
    the hook that says which key. An undercount here could only send a line the long way.
    """
    if type(value) is not dict:
        return _nested_pairs(value)
    # A record's shape, flat (its lists of participants' mappings without a call each); the rest nested.
    n = len(value)
    for v in value.values():
        kind = type(v)
        if kind is list:
            for x in v:
                if type(x) is dict:
                    n += len(x)
                    for y in x.values():
                        if type(y) is dict or type(y) is list:
                            n += _nested_pairs(y)
                elif type(x) is list:
                    n += _nested_pairs(x)
        elif kind is dict:
            n += _nested_pairs(v)
    return n


def _nested_pairs(value: Any) -> int:
    kind = type(value)
    if kind is dict:
        n = len(value)
        for v in value.values():
            if type(v) is dict or type(v) is list:
                n += _nested_pairs(v)
        return n
    if kind is list:
        n = 0
        for v in value:
            if type(v) is dict or type(v) is list:
                n += _nested_pairs(v)
        return n
    return 0


def _load_line(raw: bytes, name: str, n: int) -> Any:
    """One line's JSON value, or the Problem that says why it cannot be read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Problem(NOT_UTF8, name, line=n)
    try:
        return _load(text, "json", name)
    except InvalidData as exc:
        p = exc.problems[0]
        p.line = n
        return p
    except RecursionError:
        return Problem(N_("is nested too deeply to be a data record"), name, line=n)


def _owns(raw: bytes, entities: bool) -> bool:
    return _maybe_entity(raw) == entities


def _jsonl_record(raw: bytes, name: str, n: int) -> tuple[str, dict[str, Any]] | Problem | None:
    """One line's record type and fields; ``None`` for the optional header line (``{"format": …}``)."""
    try:
        # The usual line, one object from its first character: the decoder's scanner alone (C), without
        # json's Python wrapper around it (two regular expressions and three calls a line) and without
        # a Python call per object for keys written twice (counted instead: _pairs). Anything it
        # raises on, leaves over or cannot vouch for goes the long way below, which says what is wrong.
        text = raw.decode("utf-8")
        data, end = _SCAN(text, 0)
        if (end != len(text) and text[end:].strip(_JSON_SPACE)) or text.count(":") != _pairs(data):
            raise ValueError
    except Exception:  # any problem is found again, and worded, below
        data = _load_line(raw, name, n)
        if isinstance(data, Problem):
            return data
    if not isinstance(data, dict):
        return Problem(
            N_("a line must be one record, a JSON object; found {found}"),
            name,
            line=n,
            params={"found": kind_of_value(data)},
        )
    kind = data.get("type")
    if kind is None:
        if data and data.keys() <= _HEADER_KEYS:
            return None
        return Problem(N_("a line needs a 'type': one of {types}"), name, line=n, params={"types": ", ".join(LINE_TYPES)})
    if kind not in LINE_TYPES:
        near = closest(kind, LINE_TYPES) if isinstance(kind, str) else None
        if near:
            return Problem(
                N_("unknown type {type}; did you mean '{suggestion}'?"),
                name,
                line=n,
                field="type",
                params={"type": quote(kind), "suggestion": near},
            )
        return Problem(
            N_("unknown type {type}; types are: {types}"),
            name,
            line=n,
            field="type",
            params={"type": quote(kind), "types": ", ".join(LINE_TYPES)},
        )
    if kind not in ENTITY_TYPES:
        del data["type"]  # the model has no such field; an entity's type is its own
    return kind, data


def _one_newline(value: str) -> str:
    """Line breaks inside a quoted cell as ``\n`` (Excel writes \r\n, or a lone \r on a Mac)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def _csv_problem(exc: csv.Error, name: str, line: int) -> Problem:
    msg = str(exc)
    if "field larger than field limit" in msg:
        return Problem(
            N_(
                "malformed CSV: a cell is longer than {size} characters (an unclosed quote makes the rest "
                "of the file one cell)"
            ),
            name,
            line=line,
            params={"size": Number(csv.field_size_limit())},
        )
    if "NUL" in msg:
        return Problem(N_("malformed CSV: a line contains a NUL character"), name, line=line)
    if "new-line character" in msg:
        return Problem(N_("malformed CSV: a line break inside a cell that is not quoted"), name, line=line)
    return Problem(
        N_("malformed CSV: {problem}"),
        name,
        line=line,
        params={"problem": Detail(clip(msg), N_("the line cannot be read as CSV"))},
    )


NOT_UTF8 = N_("is not UTF-8 text (save it as UTF-8)")


def _yaml_problem(problem: object) -> object:
    """PyYAML's reason in the reader's language where it is one we know; its English otherwise."""
    if isinstance(problem, Msg):
        return problem
    text = str(problem)
    known = {
        "found character '\\t' that cannot start any token": N_("a tab where YAML needs spaces"),
        "mapping values are not allowed here": N_("a ':' where a value was expected (quote the text)"),
        "could not find expected ':'": N_("a ':' is missing after a key"),
        "found undefined alias": N_("an alias that is not defined"),
        "expected <block end>, but found '-'": N_("a list item '-' at the wrong indentation"),
        "found unexpected end of stream": N_("the file ends inside a quoted text"),
        "found unknown escape character": N_("an unknown escape (\\) in a quoted text"),
        "found character that cannot start any token": N_("a character that cannot start a value (quote the text)"),
        "expected ',' or ']', but got": N_("a list that is not closed"),
        "expected ',' or '}', but got": N_("a mapping that is not closed"),
    }
    for start, template in known.items():
        if text.startswith(start):
            return Msg(template)
    return Detail(clip(text), N_("the text is not valid YAML here"))


def _json_problem(exc: json.JSONDecodeError) -> object:
    """The JSON decoder's reason in the reader's language where it is one we know."""
    known = {
        "Expecting property name enclosed in double quotes": N_("a key must be in double quotes (or a comma is extra)"),
        "Expecting ',' delimiter": N_("a comma is missing"),
        "Expecting ':' delimiter": N_("a ':' is missing after a key"),
        "Expecting value": N_("a value is missing"),
        "Unterminated string starting at": N_("a text is not closed with a double quote"),
        "Extra data": N_("more text after the end of the document"),
        "Invalid control character at": N_("a control character inside a text"),
        "Invalid \\escape": N_("an unknown escape (\\) in a text"),
    }
    template = known.get(exc.msg)
    return Msg(template) if template else Detail(exc.msg, N_("the text is not valid JSON here"))


def to_plain(data: Dataset) -> dict[str, list[dict[str, Any]]]:
    """A clean, human-editable dict of a dataset: defaults and derived fields left out."""
    out: dict[str, list[dict[str, Any]]] = {}
    for section in SECTIONS:
        items = []
        for record in getattr(data, section):
            d = record.model_dump(mode="json", exclude_defaults=True)
            d.pop("type", None)
            if section == "interactions":
                d["participants"] = [{"entity": e, "role": r} for e, r in d["participants"]]
            if section == "countries":
                from . import countries

                if d.get("name") == countries.name_es(record.id):
                    d.pop("name")
                if d.get("name_en") == countries.name_en(record.id):
                    d.pop("name_en")
            if section == "ties" and d.get("id") == tie_id(record.source, record.kind.value, record.target):
                d.pop("id")
            items.append(d)
        if items:
            out[section] = items
    return out


class _SourceFailed(Exception):
    """What made the pieces of a file stop coming (:func:`write_atomic`), told apart from its writing."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


def write_atomic(path: str | Path, body: str | bytes | Iterable[str]) -> Path:
    """Write a whole file or nothing: into ``NAME.tmp`` beside it, then renamed over it. ``body``
    may be pieces of text, written as they come (a large export is never held whole).

    A folder that does not exist, a read-only folder or a full disk is an :class:`OfaiError` that
    names the file, and leaves neither a half-written file nor the temporary one behind.
    """
    from .errors import OfaiError

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        if isinstance(body, bytes):
            tmp.write_bytes(body)
        elif isinstance(body, str):
            tmp.write_text(body, encoding="utf-8")
        else:
            with tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as f:
                pieces = iter(body)
                while True:
                    try:
                        piece = next(pieces)
                    except StopIteration:
                        break
                    except BaseException as exc:  # the pieces stopped coming (a store error, Ctrl-C)
                        raise _SourceFailed(exc) from exc
                    f.write(piece)
        tmp.replace(path)
    except _SourceFailed as failed:  # not this file's fault: no file, and the source's own error
        tmp.unlink(missing_ok=True)
        raise failed.error from None
    except OSError as exc:
        tmp.unlink(missing_ok=True) if tmp.parent.is_dir() else None
        reason: object = os_reason(exc)
        if isinstance(exc, FileNotFoundError) and not path.parent.is_dir():
            reason = Msg(N_("folder {folder} does not exist"), folder=path.parent)
        elif path.is_dir():
            reason = Msg(N_("it is a folder"))
        raise OfaiError(N_("cannot write {path}: {reason}"), path=clip(str(path)), reason=reason) from None
    return path


def jsonl_lines(plain: dict[str, list[dict[str, Any]]], *, header: bool = True) -> Iterator[str]:
    """The lines of a JSON Lines file for the sections of a plain dataset (:func:`to_plain`); without
    ``header``, the records alone (the next batch of a file already begun)."""
    types = {section: kind for kind, section in LINE_TYPES.items()}
    if header:
        yield '{"format": "ofai-graph/1"}\n'
    for section in SECTIONS:
        for record in plain.get(section, ()):
            yield json.dumps({"type": types[section], **record}, ensure_ascii=False) + "\n"


def dumps(data: Dataset, fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(jsonl_lines(to_plain(data)))
    plain = {"format": "ofai-graph/1", **to_plain(data)}
    if fmt == "json":
        return json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False, width=100)
    raise InvalidValue(N_("unknown export format {fmt!r}: use one of {formats}"), fmt=fmt, formats="json, jsonl, yaml")
