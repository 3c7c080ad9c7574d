"""The workspace's configuration file: where it is and what it says.

One YAML file, ``$OFAI_GRAPH_CONFIG`` or else ``ofai-graph.yaml`` beside an embedded store's file,
with one section per subject (today ``strength:``, see :class:`ofai_graph.strength.StrengthConfig`).
A missing file means the defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import N_, InvalidFile, Problem

if TYPE_CHECKING:
    from .store.base import Store
    from .strength import StrengthConfig

ENV = "OFAI_GRAPH_CONFIG"
FILE_NAME = "ofai-graph.yaml"
SECTIONS = ("strength",)
"""The sections the file may have; any other key is a mistake worth reporting (it would be ignored)."""


def config_path(store: Store) -> Path | None:
    """``$OFAI_GRAPH_CONFIG``, else ``ofai-graph.yaml`` beside an embedded store's file, else None.

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> config_path(SQLiteStore(":memory:")) is None or ENV in os.environ
    True
    """
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    return store.folder / FILE_NAME if store.folder is not None else None


def read_section(path: str | Path | None, name: str) -> dict[str, Any]:
    """The ``name:`` section of the file at ``path`` ({} when there is no file or no such section).

    A key of the file that is no section (``strenght:``) is an error naming the closest section.
    """
    if path is None or not Path(path).exists():
        return {}
    from .files import read_document

    # The import's refusals (aliases, duplicate keys, encoding, size, nesting), each one clean line.
    doc = read_document(path) or {}
    if not isinstance(doc, dict):
        raise InvalidFile(
            [Problem(N_("the file must be a mapping of sections: {sections}"), str(path), params=_listed())]
        )
    unknown = [
        _unknown_key(str(key), SECTIONS, str(path), getattr(doc, "line", None))
        for key in doc
        if key not in SECTIONS
    ]
    if unknown:
        raise InvalidFile(unknown)
    section = doc.get(name, {})
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise InvalidFile(
            [
                Problem(
                    N_("the {name!r} section must be a mapping of settings"),
                    str(path),
                    field=name,
                    params={"name": name},
                )
            ]
        )
    return section


def _listed() -> dict[str, object]:
    return {"sections": ", ".join(SECTIONS)}


def _unknown_key(key: str, valid: Any, file: str, line: int | None, where: str | None = None) -> Problem:
    """A key that is not one of ``valid``, with the closest one when it looks like a typo."""
    from .text import closest

    field = f"{where}.{key}" if where else key
    near = closest(key.replace("-", "_"), list(valid))
    if near is not None:
        return Problem(
            N_("unknown key; did you mean '{suggestion}'?"),
            file,
            line=line,
            field=field,
            params={"suggestion": near},
        )
    return Problem(
        N_("unknown key; the keys here are: {keys}"),
        file,
        line=line,
        field=field,
        params={"keys": ", ".join(valid)},
    )


def load_strength(path: str | Path | None) -> StrengthConfig:
    """The strength defaults, overridden by the file's ``strength:`` section (tables merge key by key).

    Every mistake is reported at once, naming the file, the key and, for a typo, the closest valid
    key, in the reader's language (:class:`~ofai_graph.errors.InvalidFile`).
    """
    from pydantic import ValidationError

    from .strength import StrengthConfig
    from .validation import describe, field_path

    section = read_section(path, "strength")
    if not section:
        return StrengthConfig()
    file = str(path)
    line = getattr(section, "line", None)
    base = StrengthConfig().model_dump()
    problems: list[Problem] = []
    for key, value in section.items():
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            # A table's keys are codes (kinds, roles...): one the program does not know would be ignored.
            for code in value:
                if code not in base[key]:
                    problems.append(
                        _unknown_key(
                            str(code), base[key], file, getattr(value, "line", line), f"strength.{key}"
                        )
                    )
            base[key].update(value)
        else:
            base[key] = value
    try:
        config = StrengthConfig.model_validate(base)
    except ValidationError as exc:
        for err in exc.errors():
            where = "strength." + field_path(err, StrengthConfig)
            if err["type"] == "extra_forbidden":
                problems.append(
                    _unknown_key(str(err["loc"][-1]), _fields(StrengthConfig), file, line, "strength")
                )
                continue
            template, params = describe(err, StrengthConfig)
            problems.append(Problem(template, file, line=line, field=where, params=params))
    if problems:
        raise InvalidFile(problems)
    return config


def _fields(model: Any) -> list[str]:
    return list(model.model_fields)
