"""The materialized pairs of :mod:`ofai_graph.materialize` in the embedded store: one row per pair.

    strength_pairs(a, b, ref, s, n, last, bits, first, buckets, key)   a < b; buckets as JSON, or NULL;
                                                                        key: materialize.order_key
    strength_meta(key, value)                                      'config': the weights they were built with

Created on the first write that keeps them (not a schema migration: a store without them works as
before, rescoring on every read, until ``ofai-graph rebuild``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..bulk import batched

if TYPE_CHECKING:
    from ..materialize import PairRecord
    from ..strength import StrengthConfig
    from .base import Participation
    from .sqlite import SQLiteStore

_TABLES = """
CREATE TABLE IF NOT EXISTS strength_pairs (
    a TEXT NOT NULL, b TEXT NOT NULL, ref INTEGER NOT NULL, s REAL NOT NULL, n INTEGER NOT NULL,
    last INTEGER NOT NULL, bits INTEGER NOT NULL, first INTEGER NOT NULL, buckets TEXT, key REAL NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS strength_pairs_a_key ON strength_pairs(a, key);
CREATE INDEX IF NOT EXISTS strength_pairs_b_key ON strength_pairs(b, key);
CREATE TABLE IF NOT EXISTS strength_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS interactions_dates ON interactions(date_end, date_start)
"""
_COLUMNS = "a, b, ref, s, n, last, bits, first, buckets, key"


class SQLitePairs:
    def __init__(self, store: SQLiteStore):
        self.store = store
        self.db = store._db
        self.location = store.location

    def _exists(self) -> bool:
        return bool(
            self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='strength_meta'"
            ).fetchone()
        )

    def ensure(self) -> None:
        for statement in _TABLES.split(";"):
            self.db.execute(statement)

    def has_interactions(self) -> bool:
        return bool(self.db.execute("SELECT EXISTS (SELECT 1 FROM interactions)").fetchone()[0])

    def stored_config(self) -> str | None:
        if not self._exists():
            return None
        row = self.db.execute("SELECT value FROM strength_meta WHERE key = 'config'").fetchone()
        return row[0] if row else None

    def set_config(self, cfg: StrengthConfig) -> None:
        from ..materialize import config_key

        self.ensure()
        self.db.execute("INSERT OR REPLACE INTO strength_meta VALUES ('config', ?)", (config_key(cfg),))

    def clear(self) -> None:
        self.ensure()
        self.db.execute("DELETE FROM strength_pairs")

    def upsert(self, rows: list[PairRecord], half_life: float, *, fresh: bool = False) -> None:
        from ..materialize import order_key

        self.ensure()
        if fresh:  # into an empty table: the indexes on key are built once, after the rows
            self.db.execute("DROP INDEX strength_pairs_a_key")
            self.db.execute("DROP INDEX strength_pairs_b_key")
        verb = "INSERT" if fresh else "INSERT OR REPLACE"
        self.db.executemany(
            f"{verb} INTO strength_pairs ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                (*r[:8], json.dumps(r.buckets) if r.buckets else None, order_key(r.s, r.ref, half_life))
                for r in rows
            ),
        )
        if fresh:
            self.ensure()

    def delete(self, keys: list[tuple[str, str]]) -> None:
        self.db.executemany("DELETE FROM strength_pairs WHERE a = ? AND b = ?", keys)

    def pairs(self, around: Collection[str] | None = None) -> list[tuple[Any, ...]]:
        """Stored rows (PairRecord's field order, buckets as JSON text or None) with an end in ``around``."""
        if not self._exists():
            return []
        if around is None:
            return self.db.execute(f"SELECT {_COLUMNS} FROM strength_pairs").fetchall()
        ids = sorted(set(around))
        if len(ids) == 1:
            return self.db.execute(
                f"SELECT {_COLUMNS} FROM strength_pairs WHERE a = ?1 UNION ALL "
                f"SELECT {_COLUMNS} FROM strength_pairs WHERE b = ?1",
                ids,
            ).fetchall()
        out: dict[tuple[str, str], tuple[Any, ...]] = {}
        for chunk in batched(ids, 450):
            marks = ",".join("?" * len(chunk))
            for column in ("a", "b"):
                sql = f"SELECT {_COLUMNS} FROM strength_pairs WHERE {column} IN ({marks})"
                out.update(((r[0], r[1]), r) for r in self.db.execute(sql, chunk))
        return list(out.values())

    def iter_pairs(self, size: int = 10_000) -> Iterator[list[PairRecord]]:
        """Every stored pair, ``size`` at a time (a push copies them: a million do not fit in a list)."""
        if not self._exists():
            return
        cursor = self.db.execute(f"SELECT {_COLUMNS} FROM strength_pairs")
        while rows := cursor.fetchmany(size):
            yield _records(rows)

    def pairs_by_key(self, keys: list[tuple[str, str]]) -> list[PairRecord]:
        if not keys or not self._exists():
            return []
        if len(keys) <= 2_000:  # primary-key look-ups; a row-value IN list is a scan in SQLite
            sql = f"SELECT {_COLUMNS} FROM strength_pairs WHERE a = ? AND b = ?"
            return _records(row for k in keys for row in self.db.execute(sql, k))
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _strength_keys (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID"
        )
        self.db.execute("DELETE FROM _strength_keys")
        self.db.executemany("INSERT OR IGNORE INTO _strength_keys VALUES (?, ?)", keys)
        cols = ", ".join(f"p.{c.strip()}" for c in _COLUMNS.split(","))
        return _records(
            self.db.execute(
                f"SELECT {cols} FROM _strength_keys k JOIN strength_pairs p ON p.a = k.a AND p.b = k.b"
            )
        )

    def neighbour_pages(self, v: str, side: str) -> Iterator[tuple[Any, ...]]:
        """The rows with ``v`` as end ``side`` ("a" or "b"), by ``key`` descending, read in growing pages."""
        if not self._exists():
            return
        offset, size = 0, 64
        sql = f"SELECT {_COLUMNS} FROM strength_pairs WHERE {side} = ? ORDER BY key DESC LIMIT ? OFFSET ?"
        while True:
            rows = self.db.execute(sql, (v, size, offset)).fetchall()
            yield from rows
            if len(rows) < size:
                return
            offset += size
            size = min(size * 4, 16_384)

    def pairs_among(self, v: str, among: Collection[str]) -> list[tuple[Any, ...]]:
        """The rows pairing ``v`` with one of ``among``."""
        if not self._exists():
            return []
        # The ids as one JSON parameter: no temporary table to keep in step (a read snapshot's rollback
        # would empty one); each id is a primary-key look-up.
        ids = json.dumps(sorted(among))
        return self.db.execute(
            f"SELECT {_COLUMNS} FROM strength_pairs WHERE a = ?1 AND b IN (SELECT value FROM json_each(?2)) "
            f"UNION ALL SELECT {_COLUMNS} FROM strength_pairs WHERE b = ?1 AND a IN (SELECT value FROM json_each(?2))",
            (v, ids),
        ).fetchall()

    def stage(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Sums per pair and quarter put aside during an import (see ``materialize.Accumulator``)."""
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS strength_scratch "
            "(a TEXT, b TEXT, q INTEGER, s REAL, n INTEGER, last INTEGER, bits INTEGER, lo INTEGER, hi INTEGER)"
        )
        self.db.executemany("INSERT INTO strength_scratch VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def staged(self) -> Iterator[tuple[Any, ...]]:
        """The rows put aside, summed per (a, b, q) in that order; the scratch table is dropped after."""
        try:
            yield from self.db.execute(
                "SELECT a, b, q, sum(s), sum(n), max(last), max(bits & 1) | max(bits & 2), min(lo), max(hi) "
                "FROM strength_scratch GROUP BY a, b, q ORDER BY a, b, q"
            )
        finally:
            self.db.execute("DROP TABLE IF EXISTS temp.strength_scratch")

    def window(self, lo: dt.date, hi: dt.date) -> Iterator[Participation]:
        """Participants of the interactions ending on or after ``lo`` and starting by ``hi``."""
        from .base import DayCache

        day = DayCache()
        if not self._exists():
            return
        rows = self.db.execute(
            "SELECT i.id, i.date_start, i.date_end, i.kind, i.status, p.entity_id, p.role "
            "FROM interactions i INDEXED BY interactions_dates JOIN participants p ON p.interaction_id = i.id "
            "WHERE i.date_end >= ? AND i.date_start <= ? ORDER BY i.id",
            (lo.isoformat(), hi.isoformat()),
        ).fetchall()
        for iid, start, end, kind, status, eid, role in rows:
            yield (iid, day[start], day[end], kind, status, eid, role)  # type: ignore[misc]


def _records(rows: Any) -> list[PairRecord]:
    from ..materialize import PairRecord

    loads = json.loads
    return [
        PairRecord(a, b, r, s, n, la, bi, f, loads(bu) if bu else [])
        for a, b, r, s, n, la, bi, f, bu, _ in rows
    ]


def _guard_reads() -> None:
    """SQLite errors on a read (a damaged page, a locked file) become a StoreError, as in the store."""
    from .sqlite import _guard

    for name in (
        "stored_config",
        "has_interactions",
        "pairs",
        "pairs_by_key",
        "neighbour_pages",
        "pairs_among",
        "window",
    ):
        setattr(SQLitePairs, name, _guard(getattr(SQLitePairs, name)))


_guard_reads()
