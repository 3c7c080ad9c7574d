"""The materialized pairs of :mod:`ofai_graph.materialize` in the embedded store: one row per pair.

    strength_pairs(a, b, ref, s, n, last, bits, first, buckets, key)   a < b; buckets packed (a BLOB of
                                                                        materialize.BUCKET records; JSON
                                                                        text before schema v4), or NULL;
                                                                        key: materialize.order_key
    strength_meta(key, value)                                      'config': the weights they were built with;
                                                                   'recent_cut': see strength_recent
    strength_recent(a, b, q, m, start, p, pq, last, bits)          one row per pair and interaction whose
        midpoint m is on or after recent_cut (a day ordinal: the start of the quarter before the last
        write's): p its points, pq = p · 2^((m − start of quarter q)/h). What a query as of a day in
        those quarters adds to the buckets, read for the pairs it needs.

Created on the first write that keeps them (not a schema migration: a store without them works as
before, rescoring on every read, until ``ofai-graph rebuild``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, compress, islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..bulk import batched
from ..errors import N_, StoreError

if TYPE_CHECKING:
    from ..materialize import PairColumns, PairRecord
    from ..strength import StrengthConfig, _Columns
    from .base import Participation
    from .sqlite import SQLiteStore

_PAIRS_TABLE = """CREATE TABLE IF NOT EXISTS strength_pairs (
    a TEXT NOT NULL, b TEXT NOT NULL, ref INTEGER NOT NULL, s REAL NOT NULL, n INTEGER NOT NULL,
    last INTEGER NOT NULL, bits INTEGER NOT NULL, first INTEGER NOT NULL, buckets TEXT, key REAL NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID"""
_TABLES = _PAIRS_TABLE + """;
CREATE INDEX IF NOT EXISTS strength_pairs_a_key ON strength_pairs(a, key);
CREATE INDEX IF NOT EXISTS strength_pairs_b_key ON strength_pairs(b, key);
CREATE TABLE IF NOT EXISTS strength_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS strength_recent (
    a TEXT NOT NULL, b TEXT NOT NULL, q INTEGER NOT NULL, m INTEGER NOT NULL, start INTEGER NOT NULL,
    p REAL NOT NULL, pq REAL NOT NULL, last INTEGER NOT NULL, bits INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS strength_recent_pair ON strength_recent(a, b, q);
CREATE INDEX IF NOT EXISTS interactions_dates ON interactions(date_end, date_start);
CREATE INDEX IF NOT EXISTS entities_kind ON entities(kind);
CREATE INDEX IF NOT EXISTS interactions_start ON interactions(date_start DESC, id)
"""
_COLUMNS = "a, b, ref, s, n, last, bits, first, buckets, key"
# A path search mostly wants an entity's few strongest partners: the first page is small, the next
# ones grow four times each.
FIRST_PAGE = 16
_BY_KEY = (
    "SELECT " + ", ".join(f"p.{c.strip()}" for c in _COLUMNS.split(","))
    + " FROM json_each(?1) j JOIN strength_pairs p ON p.a = j.value ->> 0 AND p.b = j.value ->> 1"
)


_SECURE_DELETE = {0: "OFF", 1: "ON", 2: "FAST"}
_INSERT_PAIRS = f"INSERT INTO strength_pairs ({_COLUMNS})"
# Rows per INSERT statement of a bulk write. pysqlite's executemany costs about 0.45 µs a row besides
# 0.1-0.2 µs a value bound (steps, resets, the row tuple): a rebuild's 1.75 million pairs sent one
# row per statement took 6-7 s CPU, 64 rows per statement 4-4.5 s.
_ROWS_PER_STATEMENT = 64


def _insert_columns(db: sqlite3.Connection, head: str, columns: list[list[Any]]) -> None:
    """``head`` (``INSERT INTO t (…)``) of the rows made of ``columns`` (equal lengths), in order,
    :data:`_ROWS_PER_STATEMENT` rows a statement: the values laid out flat once (slice assignments),
    no tuple per row."""
    width, count = len(columns), len(columns[0]) if columns else 0
    if not count:
        return
    one = "(" + ",".join("?" * width) + ")"
    per = _ROWS_PER_STATEMENT
    full = count - count % per
    if full:
        flat: list[Any] = [None] * (width * full)
        for k, column in enumerate(columns):
            flat[k::width] = column[:full] if full < count else column
        step = per * width
        db.executemany(f"{head} VALUES " + ",".join([one] * per), (flat[i : i + step] for i in range(0, len(flat), step)))
    if full < count:
        db.executemany(f"{head} VALUES {one}", zip(*(column[full:] for column in columns), strict=True))


def _insert_rows(db: sqlite3.Connection, head: str, width: int, rows: Iterable[tuple[Any, ...]]) -> None:
    """:func:`_insert_columns` of rows (tuples of ``width`` values) as they come."""
    per = _ROWS_PER_STATEMENT
    one = "(" + ",".join("?" * width) + ")"
    rows = iter(rows)
    rest: list[Any] = []

    def groups() -> Iterator[list[Any]]:
        while True:
            flat = list(chain.from_iterable(islice(rows, per)))
            if len(flat) < per * width:
                rest.extend(flat)
                return
            yield flat

    db.executemany(f"{head} VALUES " + ",".join([one] * per), groups())
    db.executemany(f"{head} VALUES {one}", (rest[i : i + width] for i in range(0, len(rest), width)))


@contextmanager
def _unzeroed(db: sqlite3.Connection) -> Iterator[None]:
    """Pages freed meanwhile are not overwritten with zeros (``PRAGMA secure_delete = FAST``).

    Python's SQLite is often built with secure delete on (Debian's is): dropping the pairs table
    then writes every one of its pages again, zeros, through the WAL (285 MB on the million, 1.1 s
    of a rebuild after other weights; the drop itself 0.15 s without). Used only where what is
    freed is the pairs' own derived rows (the sums of interactions still in the file, written again
    at once, mostly into the same pages); it is a privacy setting, not a durability one: the
    transaction, the WAL and its fsyncs are unchanged. The connection's own setting is restored."""
    before = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = FAST")
    try:
        yield
    finally:
        db.execute(f"PRAGMA secure_delete = {_SECURE_DELETE.get(before, 'ON')}")


def _no_table(exc: sqlite3.OperationalError) -> bool:
    """A read of pairs in a store that has none yet (an older store, or one never written)."""
    return str(exc).startswith("no such table")


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
        # Dropped and made again: faster than deleting a million rows and their index entries.
        with _unzeroed(self.db):
            self.db.execute("DROP TABLE IF EXISTS strength_pairs")
        self.ensure()

    def upsert(self, rows: list[PairRecord], half_life: float, *, fresh: bool = False) -> None:
        from ..materialize import order_key, pack_buckets

        self.ensure()
        if fresh:  # into an empty table: the indexes on key are built once, after the rows
            with _unzeroed(self.db):
                self.db.execute("DROP INDEX strength_pairs_a_key")
                self.db.execute("DROP INDEX strength_pairs_b_key")
        verb = "INSERT" if fresh else "INSERT OR REPLACE"
        self.db.executemany(
            f"{verb} INTO strength_pairs ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                (*r[:8], pack_buckets(r.buckets), order_key(r.s, r.ref, half_life))
                for r in rows
            ),
        )
        if fresh:
            self.ensure()

    def insert_columns(self, parts: Iterable[PairColumns]) -> None:
        """Pairs into the empty table, a slice of columns at a time (``materialize.PairColumns``); the
        index on ``(b, key)`` is built once, after the rows. The one on ``(a, key)`` is kept: rows
        come by ``a``, so its entries land at the end or among one entity's few pages (on the
        million: 3.4-3.8 s for the insert with it against 4.4-4.6 s for the insert and its build
        after; the ``(b, key)`` entries would land anywhere)."""
        self.ensure()
        with _unzeroed(self.db):
            self.db.execute("DROP INDEX strength_pairs_b_key")
        for part in parts:
            _insert_columns(self.db, _INSERT_PAIRS, part.column_lists())
        self.ensure()

    def reconcile_columns(self, parts: Iterable[PairColumns]) -> int:
        """Make the table hold exactly the pairs of ``parts`` (slices in the order of the ids), writing
        only the rows that differ; the number of pairs. A slice's stored rows are read by its range
        of keys as a few long strings (``group_concat``) and two float columns, and compared with its
        numbers (:func:`_stored_diff`): on a rebuild of a store whose pairs are right nothing is
        written and no row of text is made; when it holds the same pairs, only those found to
        differ are written (a rebuild after an import: a few sums differ in their last bits). A
        slice that cannot be lined up so is compared row by row. Once most of one differs (other weights' sums, a restored store), the rest of the
        table is written anew: the rows before it are kept, the others go with the indexes on key,
        and the new rows are appended in key order, the indexes built once at the end (rewriting
        rows in place with DELETE and INSERT OR REPLACE cost twice as much)."""
        self.ensure()
        db = self.db
        read = f"SELECT {_COLUMNS} FROM strength_pairs WHERE (a, b) > (?, ?) AND (a, b) <= (?, ?) ORDER BY a, b"
        count, after, rewriting = 0, ("", ""), False
        for part in parts:
            if not len(part):
                continue
            count += len(part)
            upto = (part.a[-1], part.b[-1])
            if rewriting:
                _insert_columns(db, _INSERT_PAIRS, part.column_lists())
            elif (diff := self._diff(part, after, upto)) is None or diff.any():
                new = list(part.rows())
                if diff is None:
                    stored = {(r[0], r[1]): r for r in db.execute(read, (*after, *upto))}
                    changed = [r for r in new if stored.pop((r[0], r[1]), None) != r]
                    gone = list(stored)
                else:  # the same pairs: those that differ are known already
                    changed, gone = [new[i] for i in diff.nonzero()[0].tolist()], []
                if 2 * len(changed) > len(new):
                    self._rewrite_from(after)
                    rewriting = True
                    _insert_columns(db, _INSERT_PAIRS, [list(c) for c in zip(*new, strict=True)])
                else:
                    self.delete(gone)
                    db.executemany(f"INSERT OR REPLACE INTO strength_pairs ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", changed)
            after = upto
        if rewriting:
            self.ensure()  # the indexes on key
        else:
            db.execute("DELETE FROM strength_pairs WHERE (a, b) > (?, ?)", after)
        return count

    def _diff(self, part: PairColumns, after: tuple[str, str], upto: tuple[str, str]) -> Any:
        """:func:`_stored_diff` of a slice, or what a rebuild's helper process found for it (on the
        rows as they were before this transaction: this one has written nothing in its range)."""
        from ..materialize import _UNKNOWN

        if part.known_diff is _UNKNOWN:
            return _stored_diff(self.db, part, (*after, *upto))
        if part.starts_range and part.known_diff is not None:
            # The helper compared from its first pair on: stored rows before it go.
            self.db.execute(
                "DELETE FROM strength_pairs WHERE (a, b) > (?, ?) AND (a, b) < (?, ?)", (*after, part.a[0], part.b[0])
            )
        return part.known_diff

    def _rewrite_from(self, after: tuple[str, str]) -> None:
        """Keep the rows up to ``after`` in a table of their own, without the indexes on key (rows
        are then appended in key order; ``ensure`` builds the indexes)."""
        db = self.db
        with _unzeroed(db):
            db.execute("DROP INDEX IF EXISTS strength_pairs_a_key")
            db.execute("DROP INDEX IF EXISTS strength_pairs_b_key")
            if after == ("", ""):
                db.execute("DROP TABLE strength_pairs")
                db.execute(_PAIRS_TABLE)
                return
            db.execute("ALTER TABLE strength_pairs RENAME TO strength_pairs_old")
            db.execute(_PAIRS_TABLE)
            db.execute(f"INSERT INTO strength_pairs SELECT {_COLUMNS} FROM strength_pairs_old WHERE (a, b) <= (?, ?)", after)
            db.execute("DROP TABLE strength_pairs_old")

    def delete(self, keys: list[tuple[str, str]]) -> None:
        self.db.executemany("DELETE FROM strength_pairs WHERE a = ? AND b = ?", keys)

    def pairs(self, around: Collection[str] | None = None) -> list[tuple[Any, ...]]:
        """Stored rows (PairRecord's field order, buckets as stored or None) with an end in ``around``."""
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

    def count(self) -> int:
        """How many pairs are stored (a push's progress counts them)."""
        return self.db.execute("SELECT count(*) FROM strength_pairs").fetchone()[0] if self._exists() else 0

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
        if len(keys) == 1:  # a primary-key look-up (a row-value IN list is a scan in SQLite)
            sql = f"SELECT {_COLUMNS} FROM strength_pairs WHERE a = ? AND b = ?"
            return _records(row for k in keys for row in self.db.execute(sql, k))
        cols = ", ".join(f"p.{c.strip()}" for c in _COLUMNS.split(","))
        if len(keys) <= 2_000:  # the same look-ups in one statement, the keys as one JSON parameter
            return _records(
                self.db.execute(
                    f"SELECT {cols} FROM json_each(?1) j "
                    "JOIN strength_pairs p ON p.a = j.value ->> 0 AND p.b = j.value ->> 1",
                    (json.dumps(keys),),
                )
            )
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _strength_keys (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID"
        )
        self.db.execute("DELETE FROM _strength_keys")
        self.db.executemany("INSERT OR IGNORE INTO _strength_keys VALUES (?, ?)", keys)
        return _records(
            self.db.execute(
                f"SELECT {cols} FROM _strength_keys k JOIN strength_pairs p ON p.a = k.a AND p.b = k.b"
            )
        )

    def neighbour_pages(self, v: str) -> Iterator[list[tuple[Any, ...]]]:
        """The rows with ``v`` at either end, by ``key`` descending, in growing pages (the two index
        ranges merged; each page starts where the last ended: no OFFSET to skip again)."""
        # (a, b) descending among equal keys: the order both indexes are read backwards in, merged
        # without sorting the entity's rows
        after = "(key < ?2 OR (key = ?2 AND (a, b) < (?3, ?4)))"
        sql = (
            f"SELECT * FROM (SELECT {_COLUMNS} FROM strength_pairs WHERE a = ?1 AND {after} "
            f"UNION ALL SELECT {_COLUMNS} FROM strength_pairs WHERE b = ?1 AND {after}) "
            "ORDER BY key DESC, a DESC, b DESC LIMIT ?5"
        )
        yield from self._pages(sql, (v, math.inf, "\U0010ffff", "\U0010ffff"), lambda r: (v, r[9], r[0], r[1]))

    def rows_by_key(self, keys: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
        """The stored rows of these pairs as :meth:`neighbour_pages` gives them (buckets as stored,
        unpacked only by the reader that needs them), in one read."""
        if not keys:
            return []
        out: list[tuple[Any, ...]] = []
        try:  # (not asked first whether the table exists: a search asks this hundreds of times)
            for chunk in batched(keys, 2_000):
                out += self.db.execute(_BY_KEY, (json.dumps(chunk),)).fetchall()
        except sqlite3.OperationalError as exc:
            if not _no_table(exc):
                raise
            return []
        return out

    def neighbour_keys(self, v: str) -> Iterator[list[tuple[Any, ...]]]:
        """As :meth:`neighbour_pages`, only ``(a, b, key)`` of each row: read from the key indexes
        alone, ten times cheaper than the rows (:meth:`pairs_by_key` reads those wanted)."""
        after = "(key < ?2 OR (key = ?2 AND (a, b) < (?3, ?4)))"
        sql = (
            f"SELECT * FROM (SELECT a, b, key FROM strength_pairs WHERE a = ?1 AND {after} "
            f"UNION ALL SELECT a, b, key FROM strength_pairs WHERE b = ?1 AND {after}) "
            "ORDER BY key DESC, a DESC, b DESC LIMIT ?5"
        )
        yield from self._pages(sql, (v, math.inf, "\U0010ffff", "\U0010ffff"), lambda r: (v, r[2], r[0], r[1]))

    def pages_around(self, ids: Collection[str]) -> Iterator[list[tuple[Any, ...]]]:
        """The rows with an end in ``ids``, by ``key`` descending, in growing pages (a row with both
        ends in ``ids`` comes twice): the order is decided on the key indexes alone (a few thousand
        entities' index ranges, ~30 ms for Korea's 3,331 entities and 125,000 pairs), then only a
        page's rows are read."""
        size = 256  # (each page sorts the index entries of all of them: few pages, not small ones)
        after = "(key < ?2 OR (key = ?2 AND (a, b) > (?3, ?4)))"
        cols = ", ".join(f"p.{c.strip()}" for c in _COLUMNS.split(","))
        ids_in = "IN (SELECT value FROM json_each(?1))"  # (a CTE here is ten times slower)
        sql = (
            f"SELECT {cols} FROM (SELECT a, b, key FROM strength_pairs WHERE a {ids_in} AND {after} "
            f"UNION ALL SELECT a, b, key FROM strength_pairs WHERE b {ids_in} AND {after} "
            "ORDER BY key DESC, a, b LIMIT ?5) k "
            "JOIN strength_pairs p ON p.a = k.a AND p.b = k.b ORDER BY k.key DESC, k.a, k.b"
        )
        marks = json.dumps(sorted(set(ids)))
        yield from self._pages(sql, (marks, math.inf, "", ""), lambda r: (marks, r[9], r[0], r[1]), size)

    def _pages(
        self, sql: str, first: tuple[Any, ...], after: Any, size: int = FIRST_PAGE
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Pages of a keyset query (its last parameter the page size), four times larger each time up
        to 16,384 rows: a reader wanting a few rows reads a few; ``after(last row)`` gives the next
        page's other parameters."""
        try:  # (not asked first whether the table exists: a search reads hundreds of entities' pages)
            rows = self.db.execute(sql, (*first, size)).fetchall()
        except sqlite3.OperationalError as exc:
            if not _no_table(exc):
                raise
            return
        while True:
            if rows:
                yield rows
            if len(rows) < size:
                return
            size = min(size * 4, 16_384)
            rows = self.db.execute(sql, (*after(rows[-1]), size)).fetchall()

    def pairs_among(self, v: str, among: Collection[str]) -> list[tuple[Any, ...]] | None:
        """The rows pairing ``v`` with one of ``among``: all of ``v``'s rows filtered when it has fewer
        than ``among`` (most entities: a few partners); None for a hub with more (the caller reads its
        rows strongest first instead, filtering, as far as needed)."""
        if not self._exists():
            return []
        cap = len(among) + 1
        rows = self.db.execute(
            f"SELECT * FROM (SELECT {_COLUMNS} FROM strength_pairs WHERE a = ?1 LIMIT ?2) "
            f"UNION ALL SELECT * FROM (SELECT {_COLUMNS} FROM strength_pairs WHERE b = ?1 LIMIT ?2)",
            (v, cap),
        ).fetchall()
        if len(rows) < cap:
            return [r for r in rows if (r[1] if r[0] == v else r[0]) in among]
        return None

    def _has_index(self, name: str) -> bool:
        return bool(
            self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone()
        )

    def newest_end(self, day: dt.date, since: dt.date | None = None) -> dt.date | bool | None:
        """The end of the newest interaction of two entities or more that started by ``day`` (what a
        relationship graph as of ``day`` counts last): the dates index read backwards, a few rows
        (exact whatever ``since``). False without that index (a store whose pairs were never written)."""
        if not self._has_index("interactions_dates"):
            return False
        row = self.db.execute(
            "SELECT i.date_end FROM interactions i INDEXED BY interactions_dates WHERE i.date_start <= ? "
            "AND (SELECT count(DISTINCT p.entity_id) FROM participants p WHERE p.interaction_id = i.id) >= 2 "
            "ORDER BY i.date_end DESC LIMIT 1",
            (day.isoformat(),),
        ).fetchone()
        return dt.date.fromisoformat(row[0]) if row else None

    # -- recent contributions (see the module docstring) -----------------------------------------------
    def recent_cut(self) -> int | None:
        if not self._exists():
            return None
        row = self.db.execute("SELECT value FROM strength_meta WHERE key = 'recent_cut'").fetchone()
        return int(row[0]) if row else None

    def recent_reset(self, cut: int) -> None:
        """Empty the table; it now holds the contributions with a midpoint from ``cut`` on."""
        self.ensure()
        with _unzeroed(self.db):
            self.db.execute("DELETE FROM strength_recent")
        self.db.execute("INSERT OR REPLACE INTO strength_meta VALUES ('recent_cut', ?)", (str(cut),))

    def recent_trim(self, cut: int) -> None:
        """Move the start forward: the rows before ``cut`` go."""
        with _unzeroed(self.db):
            self.db.execute("DELETE FROM strength_recent WHERE m < ?", (cut,))
        self.db.execute("INSERT OR REPLACE INTO strength_meta VALUES ('recent_cut', ?)", (str(cut),))

    def recent_add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        _insert_rows(self.db, "INSERT INTO strength_recent", 9, rows)

    def recent_delete(self, keys: list[tuple[str, str]]) -> None:
        self.db.executemany("DELETE FROM strength_recent WHERE a = ? AND b = ?", keys)

    def iter_recent(self) -> Iterator[tuple[Any, ...]]:
        """Every row of strength_recent, by pair (a push copies them with the pairs)."""
        if self._exists():
            yield from self.db.execute("SELECT * FROM strength_recent ORDER BY a, b")

    def recent_rows(self, keys: list[tuple[str, str]], q: int, t: int) -> list[tuple[Any, ...]]:
        """Per pair among ``keys`` and quarter from ``q`` on, of the rows that started by day ``t``:
        (a, b, q, Σ pq of those whose midpoint is by t, Σ p of the others, count, max last, bits)."""
        out: list[tuple[Any, ...]] = []
        for chunk in batched(keys, 5_000):
            out += self.db.execute(
                "WITH k(a, b) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
                "FROM json_each(?1)) "
                "SELECT r.a, r.b, r.q, sum(CASE WHEN r.m <= ?3 THEN r.pq END), sum(CASE WHEN r.m > ?3 THEN r.p END), "
                "count(*), max(r.last), max(r.bits & 1) | max(r.bits & 2) "
                "FROM k CROSS JOIN strength_recent r ON r.a = k.a AND r.b = k.b AND r.q >= ?2 "
                "WHERE r.start <= ?3 GROUP BY r.a, r.b, r.q",
                (json.dumps(chunk), q, t),
            ).fetchall()
        return out

    def stage(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Sums per pair and quarter put aside during an import (see ``materialize.Accumulator``):
        (pair code, quarter, s, n, last, bits, lo, hi)."""
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS strength_scratch (pk INTEGER, q INTEGER, s REAL, n INTEGER, "
            "last INTEGER, bits INTEGER, lo INTEGER, hi INTEGER)"
        )
        self.db.executemany("INSERT INTO strength_scratch VALUES (?,?,?,?,?,?,?,?)", rows)

    def staged(self) -> Any:
        """A cursor over the rows put aside, summed per (pk, q) in that order; the scratch table is
        dropped when it is read to the end."""
        cursor = self.db.execute(
            "SELECT pk, q, sum(s), sum(n), max(last), max(bits & 1) | max(bits & 2), min(lo), max(hi) "
            "FROM strength_scratch GROUP BY pk, q ORDER BY pk, q"
        )
        db = self.db

        class Rows:
            def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
                found = cursor.fetchmany(size)
                if not found:
                    db.execute("DROP TABLE IF EXISTS temp.strength_scratch")
                return found

        return Rows()

    def coded_participations(
        self, size: int, *, after: str = "", upto: str | None = None
    ) -> tuple[list[str], Iterator[Any]]:
        """Every participation as ``strength._Columns`` chunks of about ``size`` rows (never splitting an
        interaction), entities coded by their rank among the sorted ids: the ids, and the chunks.
        ``after``/``upto``: only the interactions with an id in that range (a chunk boundary of the
        whole read, :meth:`chunk_boundary`: the chunks are then the same as the whole read's)."""
        names = [r[0] for r in self.db.execute("SELECT id FROM entities ORDER BY id")]
        code = {n: k for k, n in enumerate(names)}
        return names, coded_chunks(self.db, code, size, after, upto)

    def chunk_boundary(self, size: int, *, at_least: int) -> str | None:
        """The last interaction id of the chunk of :meth:`coded_participations` that ends nearest the
        middle of the interactions, or None when they make fewer than two chunks or fewer than
        ``at_least`` interactions."""
        per = max(1, size // 3)
        total = self.db.execute("SELECT count(*) FROM interactions").fetchone()[0]
        chunks = -(-total // per)
        if chunks < 2 or total < at_least:
            return None
        row = self.db.execute(
            "SELECT id FROM interactions ORDER BY id LIMIT 1 OFFSET ?", ((chunks + 1) // 2 * per - 1,)
        ).fetchone()
        return row[0] if row else None

    def window(self, lo: dt.date, hi: dt.date) -> Iterator[Participation]:
        """Participants of the interactions ending on or after ``lo`` and starting by ``hi``."""
        from .base import DayCache

        day = DayCache()
        if not self._exists():
            return
        # The ids from the dates index alone (it covers both dates), then their rows: filtering the
        # rows fetched for every end after lo took 3-7 s on a million interactions, this 0.05 s. A
        # date covers at most a year, so nothing that started by hi ends after hi + 366 days.
        top = dt.date.fromordinal(min(hi.toordinal() + 366, dt.date.max.toordinal()))
        rows = self.db.execute(
            "SELECT i.id, i.date_start, i.date_end, i.kind, i.status, p.entity_id, p.role "
            "FROM interactions i JOIN participants p ON p.interaction_id = i.id "
            "WHERE i.id IN (SELECT id FROM interactions INDEXED BY interactions_dates "
            "WHERE date_end >= ?1 AND date_end <= ?3 AND date_start <= ?2) ORDER BY i.id",
            (lo.isoformat(), hi.isoformat(), top.isoformat()),
        ).fetchall()
        for iid, start, end, kind, status, eid, role in rows:
            yield (iid, day[start], day[end], kind, status, eid, role)  # type: ignore[misc]


def coded_chunks(
    db: sqlite3.Connection, code: dict[str, int], size: int, after: str = "", upto: str | None = None
) -> Iterator[_Columns]:
    """:meth:`SQLitePairs.coded_participations`' chunks, read through ``db`` (a rebuild's second
    process reads half of them through a connection of its own)."""
    roles: dict[str, int] = {}
    kinds: dict[tuple[str, str], int] = {}
    tokens: dict[str, int] = {}  # "kind\x1fstatus" -> its code in kinds
    days = _Ordinals()
    # The interactions a range of ids at a time, then their participants by the same range:
    # two scans in key order instead of a join (a look-up per interaction). Each range comes
    # back as a few long strings made by SQLite (group_concat), split in C: a row tuple and
    # its three text objects per participant cost twice as much. Dates come as day ordinals
    # computed by SQLite (the julianday of 0001-01-01 is 1721425.5, its ordinal 1).
    per = max(1, size // 3)  # interactions per chunk: about three participants each
    while upto is None or after < upto:
        count, last, ids, starts, ends, ks = db.execute(_PACKED_INTERACTIONS, (after, per)).fetchone()
        if not count:
            return
        count_p, *packed = db.execute(_PACKED_PARTICIPANTS, (after, last)).fetchone()
        columns = None
        if count_p:
            columns = _unpacked(count, ids, (starts, ends), ks, count_p, packed, code, roles, kinds, tokens, days)
            if columns is None:  # a value the packing cannot carry: read as rows
                inter = db.execute(_INTERACTION_ROWS, (after, last)).fetchall()
                parts = db.execute(_PARTICIPANT_ROWS, (after, last)).fetchall()
                columns = _coded(inter, parts, code, roles, kinds)
        after = last
        if columns is not None:
            yield columns


# A range of stored pairs packed: the count, then ids and integer columns as one string each, and
# which pairs have buckets ('1' or '0' each); their floats and buckets come as rows.
_RANGE = "FROM strength_pairs WHERE (a, b) > (?, ?) AND (a, b) <= (?, ?)"
_PACKED_PAIRS = (
    "SELECT count(*), group_concat(a, char(31)), group_concat(b, char(31)), group_concat(ref, ','), "
    "group_concat(n, ','), group_concat(last, ','), group_concat(bits, ','), group_concat(first, ','), "
    f"group_concat(buckets IS NOT NULL, '') {_RANGE}"
)
_PAIR_FLOATS = f"SELECT s, key {_RANGE}"
_PAIR_BUCKETS = f"SELECT buckets {_RANGE} AND buckets IS NOT NULL"


def _stored_diff(db: sqlite3.Connection, part: PairColumns, span: tuple[str, str, str, str]) -> Any:
    """Which of ``part``'s pairs differ from their stored rows (the key range ``span``), as a boolean
    array: integers and floats compared as numbers, buckets as the numbers of their packed records.
    None when the range does not hold exactly ``part``'s pairs in order, or a value cannot be read
    or lined up (a NULL, text where a number belongs, buckets stored otherwise): the caller
    compares that slice row by row."""
    import numpy as np

    from ..materialize import BUCKET_SIZE, bucket_dtype

    cnt, a, b, *ints, flags = db.execute(_PACKED_PAIRS, span).fetchone()
    size = len(part)
    if cnt != size or a != "\x1f".join(part.a) or b != "\x1f".join(part.b):
        return None
    try:
        diff = np.zeros(size, dtype=bool)
        for text, col in zip(ints, (part.ref, part.n, part.last, part.bits, part.first), strict=True):
            found = np.fromstring(text, dtype=np.int64, sep=",")
            if len(found) != size:
                return None
            diff |= found != col
        rows = db.execute(_PAIR_FLOATS, span).fetchall()
        if len(rows) != size:
            return None
        floats = np.fromiter(chain.from_iterable(rows), dtype=float, count=2 * size)
        diff |= (floats[0::2] != part.s) | (floats[1::2] != part.key)
        if len(flags) != size:
            return None
        has = np.frombuffer(flags.encode("ascii"), dtype=np.uint8) == ord("1")
        multi = part.quarters > 1
        diff |= has != multi
        both = has & multi
        if not both.any():
            return diff
        blobs = [r[0] for r in db.execute(_PAIR_BUCKETS, span)]
        if len(blobs) != int(has.sum()) or not all(type(x) is bytes for x in blobs):
            return None
        counts = part.quarters[both]
        mine = list(compress(blobs, both[has].tolist()))
        lengths = np.fromiter(map(len, mine), dtype=np.int64, count=len(mine))
        same = lengths == counts * BUCKET_SIZE
        if not same.all():  # another count of quarters: those pairs differ
            diff[np.flatnonzero(both)[~same]] = True
            mine = list(compress(mine, same.tolist()))
            counts = counts[same]
            both[np.flatnonzero(both)[~same]] = False
        stored = np.frombuffer(b"".join(mine), dtype=bucket_dtype())
        # The new buckets of those pairs (the flat columns hold every pair's over several quarters).
        pick = np.repeat(both[multi], part.quarters[multi])
        off = np.zeros(len(stored), dtype=bool)
        for name, col in zip(bucket_dtype().names, part.bucket_columns, strict=True):
            off |= stored[name] != col[pick]
        diff[np.repeat(np.flatnonzero(both), counts)[off]] = True
    except (ValueError, TypeError, UnicodeError):
        return None
    return diff


_DAYS = "CAST(julianday({0}) - 1721424.5 AS INTEGER)"
# A range of interactions packed: count, last id, ids, start dates, end dates (ISO text: a few
# thousand distinct days, turned into ordinals once each), and "kind<US>status" joined by RS.
_PACKED_INTERACTIONS = (
    "SELECT count(*), max(id), group_concat(id, char(31)), "
    "group_concat(date_start, char(31)), group_concat(date_end, char(31)), "
    "group_concat(kind || char(31) || status, char(30)) "
    "FROM (SELECT id, date_start, date_end, kind, status FROM interactions WHERE id > ?1 ORDER BY id LIMIT ?2)"
)
_PACKED_PARTICIPANTS = (
    "SELECT count(*), group_concat(interaction_id, char(31)), group_concat(entity_id, char(31)), "
    "group_concat(role, char(31)) "
    "FROM participants WHERE interaction_id > ?1 AND interaction_id <= ?2"
)
_INTERACTION_ROWS = (
    f"SELECT id, {_DAYS.format('date_start')}, {_DAYS.format('date_end')}, kind, status FROM interactions "
    "WHERE id > ? AND id <= ? ORDER BY id"
)
_PARTICIPANT_ROWS = (
    "SELECT interaction_id, entity_id, role FROM participants "
    "WHERE interaction_id > ? AND interaction_id <= ? ORDER BY interaction_id"
)


class _Ordinals(dict[str, int]):
    """ISO dates as day ordinals, each distinct text parsed once (ValueError for one that is not)."""

    def __missing__(self, text: str) -> int:
        found = self[text] = dt.date.fromisoformat(text).toordinal() if len(text) == 10 else _not_a_date(text)
        return found


def _not_a_date(text: str) -> int:
    raise ValueError(text)


def _unpacked(
    count: int,
    ids: str,
    dates: tuple[str | None, str | None],
    ks: str | None,
    count_p: int,
    packed: list[str | None],
    code: dict[str, int],
    roles: dict[str, int],
    kinds: dict[tuple[str, str], int],
    tokens: dict[str, int],
    days: _Ordinals,
) -> _Columns | None:
    """The packed strings of a range (``_PACKED_INTERACTIONS``, ``_PARTICIPANTS``) as
    ``strength._Columns``, the same as :func:`_coded` gives for its rows; None when they cannot be
    split back (a separator inside a value, a NULL, an entity the store does not hold): the caller
    reads that range as rows."""

    from ..strength import _Columns

    if None in dates or ks is None or None in packed:
        return None
    iids = ids.split("\x1f")
    pairs = ks.split("\x1e")
    inter_ids, ent_ids, role_text = (text.split("\x1f") for text in packed)  # type: ignore[union-attr]
    starts, ends = (text.split("\x1f") for text in dates)  # type: ignore[union-attr]
    if len(iids) != count or len(pairs) != count or not len(inter_ids) == len(ent_ids) == len(role_text) == count_p:
        return None
    position = dict(zip(iids, range(count), strict=True))
    new = {t: t.split("\x1f") for t in set(pairs) - tokens.keys()}
    if len(starts) != count or len(ends) != count or len(position) != count or any(len(x) != 2 for x in new.values()):
        return None
    try:
        start = list(map(days.__getitem__, starts))
        end = list(map(days.__getitem__, ends))
        # Each participant's interaction as its position among the range's (the order of the
        # participants does not matter: contributions sort them by interaction and entity).
        inter = list(map(position.__getitem__, inter_ids))
        ent = list(map(code.__getitem__, ent_ids))
    except (KeyError, ValueError):
        return None
    for t, (kind, status) in new.items():
        tokens[t] = kinds.setdefault((kind, status), len(kinds))
    for r in set(role_text) - roles.keys():
        roles[r] = len(roles)
    return _Columns(
        code,
        roles,
        kinds,
        [],
        start,
        end,
        list(map(tokens.__getitem__, pairs)),
        inter,
        ent,
        list(map(roles.__getitem__, role_text)),
        True,
    )


def _coded(
    inter: list[tuple[Any, ...]],
    parts: list[tuple[str, str, str]],
    code: dict[str, int],
    roles: dict[str, int],
    kinds: dict[tuple[str, str], int],
) -> _Columns:
    """Interactions (id, start and end ordinals, kind, status) and their participants (interaction
    id, entity id, role), both in id order, as ``strength._Columns``: column operations, no Python
    statement per row."""
    import numpy as np

    from ..strength import _Columns

    # Columns by itemgetter: zip(*rows) of 200,000 rows took six times longer.
    iid, eid, role = (list(map(itemgetter(k), parts)) for k in range(3))
    ids = np.array(iid, dtype=object)
    change = np.empty(len(ids), dtype=bool)
    change[0] = True
    np.not_equal(ids[1:], ids[:-1], out=change[1:])
    at = np.flatnonzero(change)
    # Each participant's interaction as its position in ``inter`` (an interaction without
    # participants, which validation refuses, would only shift the positions).
    position = {row[0]: k for k, row in enumerate(inter)}
    inter_of = np.array([position[x] for x in ids[at].tolist()], dtype=np.int64)
    try:
        ent = list(map(code.__getitem__, eid))
    except KeyError:
        iid_, eid_ = next((i, e) for i, e in zip(iid, eid, strict=True) if e not in code)
        raise StoreError(
            N_("interaction {id} names an entity the store does not hold: {entity}"), id=iid_, entity=eid_
        ) from None
    for r in set(role) - roles.keys():
        roles[r] = len(roles)
    start, end, kind, status = (list(map(itemgetter(k), inter)) for k in range(1, 5))
    return _Columns(
        code,
        roles,
        kinds,
        [],
        start,
        end,
        [kinds.setdefault(k, len(kinds)) for k in zip(kind, status, strict=True)],
        inter_of[np.cumsum(change) - 1],
        ent,
        list(map(roles.__getitem__, role)),
        True,
    )


def _records(rows: Any) -> list[PairRecord]:
    from ..materialize import PairRecord, bucket_list

    return [
        PairRecord(a, b, r, s, n, la, bi, f, bucket_list(bu))
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
        "neighbour_keys",
        "rows_by_key",
        "pages_around",
        "pairs_among",
        "window",
        "newest_end",
        "recent_cut",
        "recent_rows",
    ):
        setattr(SQLitePairs, name, _guard(getattr(SQLitePairs, name)))


_guard_reads()
