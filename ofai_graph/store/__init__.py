"""Storage backends behind one protocol; :func:`open_store` is the one way in.

Nothing outside this package knows which backend it talks to: it gets a :class:`Store` (and, for a
database server, a :class:`ServerStore`), and the errors of :mod:`ofai_graph.errors`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import N_, StoreError
from .base import (
    NameRow,
    NotAStore,
    Participation,
    ServerStore,
    Store,
    StoreDamaged,
    StoreEmpty,
    StoreNotFound,
    WriteReport,
)

__all__ = [
    "SERVER_SCHEMES",
    "NameRow",
    "NotAStore",
    "Participation",
    "ServerStore",
    "Store",
    "StoreDamaged",
    "StoreEmpty",
    "StoreNotFound",
    "WriteReport",
    "default_db_path",
    "neo4j_schema",
    "open_store",
    "user_db_path",
]

SERVER_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def default_db_path() -> Path:
    """``$OFAI_GRAPH_DB`` if set, else ``ofai-graph.db`` in the user's data directory (platformdirs)."""
    env = os.environ.get("OFAI_GRAPH_DB")
    if env:
        return Path(env).expanduser()
    return user_db_path()


def user_db_path() -> Path:
    """``ofai-graph.db`` in the user's data directory, as the environment says now (``XDG_DATA_HOME``)."""
    from platformdirs import user_data_path

    return user_data_path("ofai-graph", appauthor=False) / "ofai-graph.db"


def open_store(
    url_or_path: str | Path | None = None,
    *,
    create: bool = False,
    backend: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
    **options: Any,
) -> Store:
    """The store at ``url_or_path``: a file path, ``sqlite:///path``, ``:memory:``, or a server
    address ``bolt://``, ``neo4j://``, ``neo4j+s://`` (…``+ssc``).

    A missing store is an error unless ``create=True`` (only ``ofai-graph init`` creates one); a file
    that is not an ofai-graph store is refused and left unchanged. For a server, ``user``,
    ``password`` and ``database`` come from the arguments, else ``NEO4J_USERNAME``,
    ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` (a user and password in the URL are accepted too);
    the password never appears in :attr:`Store.location` or in a message.

    With no address: ``backend="neo4j"`` (or ``OFAI_GRAPH_BACKEND``) means the server ``NEO4J_URI``
    names; otherwise the embedded store at :func:`default_db_path`.

    >>> store = open_store(":memory:")
    >>> store.backend, store.counts()["interactions"]
    ('sqlite', 0)
    >>> open_store("no/such/folder/typo.db")
    Traceback (most recent call last):
    ...
    ofai_graph.store.base.StoreNotFound: no ofai-graph store at no/such/folder/typo.db: create one with `ofai-graph --db no/such/folder/typo.db init` (in Python: create=True)
    """
    if url_or_path is None and options.get("uri"):
        url_or_path = options.pop("uri")
    options.pop("uri", None)
    text = str(url_or_path) if url_or_path is not None else None
    scheme = urlsplit(text).scheme.lower() if text and "://" in text else ""
    if backend is None and not text:
        backend = os.environ.get("OFAI_GRAPH_BACKEND")
    backend = (backend or ("neo4j" if scheme in SERVER_SCHEMES else "sqlite")).lower()
    if backend == "neo4j":
        if text and scheme not in SERVER_SCHEMES:
            raise StoreError(
                N_("{address} is not a server address: use bolt://, neo4j:// or neo4j+s:// (NEO4J_URI)"),
                address=_safe(text),
            )
        return _server(text, user=user, password=password, database=database, **options)
    if backend != "sqlite":
        raise StoreError(N_("unknown backend {backend!r}: use 'sqlite' or 'neo4j'"), backend=backend)
    if scheme in SERVER_SCHEMES:
        raise StoreError(N_("{address} is a server address, not an embedded store file"), address=_safe(text or ""))
    if scheme and scheme != "sqlite":
        raise StoreError(
            N_("unknown store address {address!r}: use a file path, sqlite:///path, bolt://, neo4j:// or neo4j+s://"),
            address=_safe(text or ""),
        )
    path: str | Path
    default = False
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy and encode/databases write them.
        rest = text[len("sqlite://") :]  # type: ignore[index]
        path = unquote(rest[1:] if rest.startswith("/") else rest) or ":memory:"
    elif text is None:
        path, default = default_db_path(), True
    else:
        path = url_or_path  # type: ignore[assignment]
    from .sqlite import SQLiteStore

    try:
        return SQLiteStore(
            path if str(path) == ":memory:" else Path(path).expanduser(), create=create, **options
        )
    except StoreNotFound:
        if not default:
            raise
        # The default store (no --db, no OFAI_GRAPH_DB): plain `ofai-graph init` makes it.
        raise StoreNotFound(
            N_(
                "no ofai-graph store yet at {path}: create it with `ofai-graph init` "
                "(or `ofai-graph init --seed` with the bundled report); in Python: create=True"
            ),
            path=path,
        ) from None


def _server(
    uri: str | None,
    *,
    user: str | None,
    password: str | None,
    database: str | None,
    **options: Any,
) -> Store:
    uri = uri or os.environ.get("NEO4J_URI")
    if not uri:
        raise StoreError(N_("the neo4j backend needs a server address: --neo4j-uri or NEO4J_URI"))
    parts = urlsplit(uri)
    if parts.username or parts.password:
        # Credentials in the address are taken out of it, so that it can be shown.
        user = user or unquote(parts.username or "")
        password = password if password is not None else unquote(parts.password or "") or None
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        uri = parts._replace(netloc=netloc + (f":{parts.port}" if parts.port else "")).geturl()
    path_db = parts.path.strip("/")
    uri = urlsplit(uri)._replace(path="").geturl() if path_db else uri
    user = user or os.environ.get("NEO4J_USERNAME") or os.environ.get("NEO4J_USER") or "neo4j"
    if password is None:
        password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        raise StoreError(N_("no password for {uri}: set NEO4J_PASSWORD"), uri=uri)
    database = database or path_db or os.environ.get("NEO4J_DATABASE") or None
    from .neo4j import Neo4jStore

    return Neo4jStore(uri, user, password, database, **options)


def _safe(text: str) -> str:
    """An address fit for a message: without any password it carries."""
    parts = urlsplit(text)
    if parts.password:
        return text.replace(f":{parts.password}@", ":***@")
    return text


def neo4j_schema() -> tuple[list[str], int]:
    """The Neo4j store's schema statements (constraints, indexes) and its schema version, for a
    script that builds the same database without the driver (``export --format cypher``)."""
    from .neo4j import MIGRATIONS, SCHEMA_VERSION

    return [s for statements in MIGRATIONS for s in statements], SCHEMA_VERSION
