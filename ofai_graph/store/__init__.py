"""Storage backends behind one protocol; :func:`open_store` picks one from options or environment."""

from __future__ import annotations

import os
from pathlib import Path

from .base import NameRow, Participation, Store, WriteReport

__all__ = ["NameRow", "Participation", "Store", "WriteReport", "default_db_path", "open_store"]


def default_db_path() -> Path:
    """``$OFAI_GRAPH_DB`` if set, else ``ofai-graph.db`` in the user's data directory (platformdirs)."""
    env = os.environ.get("OFAI_GRAPH_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("ofai-graph", appauthor=False) / "ofai-graph.db"


def open_store(path: str | Path | None = None, *, backend: str | None = None, **options: object) -> Store:
    """Open the store named by the arguments, falling back to ``OFAI_GRAPH_BACKEND`` and the defaults."""
    backend = (backend or os.environ.get("OFAI_GRAPH_BACKEND") or "sqlite").lower()
    if backend == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore(path if path is not None else default_db_path(), **options)  # type: ignore[arg-type]
    if backend == "neo4j":
        from .neo4j import Neo4jStore

        return Neo4jStore.from_options(**options)  # type: ignore[arg-type]
    from ..errors import OfaiError

    raise OfaiError(f"unknown backend {backend!r}: use 'sqlite' or 'neo4j'")
