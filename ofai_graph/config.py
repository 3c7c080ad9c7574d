"""The workspace's configuration file: where it is and what it says.

One YAML file, ``$OFAI_GRAPH_CONFIG`` or else ``ofai-graph.yaml`` beside an embedded store's file,
with one section per subject (today ``strength:``, see :class:`ofai_graph.strength.StrengthConfig`).
A missing file means the defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OfaiError

if TYPE_CHECKING:
    from .store.base import Store
    from .strength import StrengthConfig

ENV = "OFAI_GRAPH_CONFIG"
FILE_NAME = "ofai-graph.yaml"


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
    """The ``name:`` section of the file at ``path`` ({} when there is no file or no such section)."""
    if path is None or not Path(path).exists():
        return {}
    from .files import read_document

    # The import's refusals (aliases, duplicate keys, encoding, size, nesting), each one clean line.
    doc = read_document(path) or {}
    section = doc.get(name, {}) if isinstance(doc, dict) else {}
    if not isinstance(section, dict):
        raise OfaiError(f"{path}: the {name!r} section must be a mapping of settings")
    return section


def load_strength(path: str | Path | None) -> StrengthConfig:
    """The strength defaults, overridden by the file's ``strength:`` section (tables merge key by key)."""
    from pydantic import ValidationError

    from .strength import StrengthConfig
    from .text import clip

    section = read_section(path, "strength")
    if not section:
        return StrengthConfig()
    base = StrengthConfig().model_dump()
    for key, value in section.items():
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            base[key].update(value)
        else:
            base[key] = value
    try:
        return StrengthConfig.model_validate(base)
    except ValidationError as exc:
        raise OfaiError(f"{path}: invalid strength settings: {clip(str(exc), 300)}") from None
