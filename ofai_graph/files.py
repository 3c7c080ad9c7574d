"""Reading and writing data files: YAML and JSON documents, and CSV for interactions.

Readers keep the line each record starts on, so that every error can name file, record, line and
field. They refuse what is not a data file (binary, empty, too large) before parsing it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidData, Problem
from .model import SECTIONS, Dataset, tie_id

MAX_BYTES = 32 * 1024 * 1024
FORMATS = ("yaml", "json", "csv")


@dataclass(slots=True)
class RawRecord:
    section: str
    index: int
    data: Any
    file: str
    line: int | None = None

    @property
    def where(self) -> str:
        ident = self.data.get("id") if isinstance(self.data, dict) else None
        return f"{self.section}[{self.index}]" + (f" (id {ident!r})" if ident else "")


class _LineDict(dict):
    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings remember the line they start on."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    data = _LineDict(loader.construct_mapping(node, deep=True))
    data.line = node.start_mark.line + 1
    return data


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text: PartialDate parses them with its own precision rules and error messages
# (PyYAML would crash on 2024-13-01 with a bare ValueError).
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("yaml", "yml"):
        return "yaml"
    if suffix in ("json", "csv"):
        return suffix
    raise InvalidData(
        [Problem(f"unknown file type {path.suffix!r}: use .yaml, .yml, .json or .csv", str(path))]
    )


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    name = str(path)
    if not path.exists():
        raise InvalidData([Problem("file not found", name)])
    if path.is_dir():
        raise InvalidData([Problem("is a directory, not a data file", name)])
    size = path.stat().st_size
    if size == 0:
        raise InvalidData([Problem("file is empty", name)])
    if size > max_bytes:
        raise InvalidData(
            [
                Problem(
                    f"file is {size / 2**20:.1f} MB, more than the {max_bytes / 2**20:g} MB limit for one "
                    "import file; split it or raise the limit with --max-size",
                    name,
                )
            ]
        )
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise InvalidData([Problem("is a binary file, not YAML, JSON or CSV text", name)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidData([Problem("is not UTF-8 text (save it as UTF-8)", name, line=line)]) from None
    if not text.strip():
        raise InvalidData([Problem("file is empty", name)])
    return text


def parse_document(text: str, fmt: str, name: str) -> list[RawRecord]:
    """The records of one file, each tagged with its section, index and (where known) line."""
    if fmt == "csv":
        return _parse_csv(text, name)
    if fmt == "yaml":
        try:
            doc = yaml.load(text, Loader=_LineLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise InvalidData([Problem(f"malformed YAML: {problem}", name, line=line)]) from None
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidData([Problem(f"malformed JSON: {exc.msg}", name, line=exc.lineno)]) from None
    if not isinstance(doc, dict):
        raise InvalidData(
            [
                Problem(
                    "the top level must be a mapping with sections "
                    + ", ".join(SECTIONS)
                    + f" (found {type(doc).__name__})",
                    name,
                )
            ]
        )
    problems, records = [], []
    for section, items in doc.items():
        if section in ("format", "version", "generated", "as_of"):
            continue
        if section not in SECTIONS:
            problems.append(
                Problem(f"unknown section {section!r}; sections are: {', '.join(SECTIONS)}", name)
            )
            continue
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(Problem(f"section {section!r} must be a list of records", name))
            continue
        for i, item in enumerate(items):
            records.append(RawRecord(section, i, item, name, getattr(item, "line", None)))
    if problems:
        raise InvalidData(problems)
    return records


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
)


def _parse_csv(text: str, name: str) -> list[RawRecord]:
    """Interactions, one a row. ``participants`` is ``entity:role; entity:role``; tags are ``;``-separated."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in ("id", "date", "kind", "title", "participants") if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        msg = []
        if missing:
            msg.append("missing columns: " + ", ".join(missing))
        if unknown:
            msg.append("unknown columns: " + ", ".join(unknown))
        raise InvalidData(
            [Problem("; ".join(msg) + f" (columns are: {', '.join(CSV_COLUMNS)})", name, line=1)]
        )
    records = []
    for i, row in enumerate(reader):
        data: dict[str, Any] = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
        if None in row:
            data["__extra__"] = row[None]
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
        if doc:
            data["source"] = {"document": doc, **({"section": sec} if sec else {})}
        records.append(RawRecord("interactions", i, data, name, reader.line_num))
    return records


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


def dumps(data: Dataset, fmt: str) -> str:
    plain = {"format": "ofai-graph/1", **to_plain(data)}
    if fmt == "json":
        return json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False, width=100)
    raise ValueError(f"unknown export format {fmt!r}: use json or yaml")
