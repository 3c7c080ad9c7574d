"""The materialized pairs of :mod:`ofai_graph.materialize` on Neo4j: one relationship per pair,

    (:Entity {id: a})-[:STRENGTH {pair, ref, ref_date, s, n, last, bits, first, bq, bs, bn, bl, bb,
                                  rq, rm, rst, rp, rpq, rl, rb}]->(:Entity {id: b})

with a < b and ``pair`` = ``"a b"`` (indexed: a pair is found without walking its ends' relationships,
which ArcadeDB walks all of, whatever their type), so that Cypher and Bloom users can query them (docs/strength-materialized.md: the pair's
points as of a date T after ``ref_date`` are ``s * 2^(-(T - ref)/half_life)``); ``bq…bb`` are the
quarter buckets as parallel lists (empty when all of the pair's interactions fall in one quarter).
The weights they were built with are on ``(:Meta {key: 'strength'})``.

``rq…rb`` are the pair's recent contributions, the embedded store's ``strength_recent`` rows (one per
interaction whose midpoint is on or after ``recent_cut``, kept on the same Meta node) as parallel
lists: quarter, midpoint, start, points, points at the quarter's start, last code, initiator bits;
absent on a pair with none. On the relationship rather than in nodes of their own: a question reads
them with the pair it reads anyway, by the pair's anchored pattern, and nothing needs a composite
index (which servers spell differently). Without them (``recent_cut`` unset: a database pushed by an
older ofai-graph) a question as of a day in progress reads the quarter's interactions instead: 27,000
of them on the benchmark's million, which alone took longer than the whole answer may.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..bulk import batched

if TYPE_CHECKING:
    from ..materialize import PairRecord
    from ..strength import StrengthConfig
    from .base import Participation
    from .neo4j import Neo4jStore

_RECENT = ("rq", "rm", "rst", "rp", "rpq", "rl", "rb")
"""The recent contributions' lists, in the order of a ``strength_recent`` row after its pair: (q, m,
start, p, pq, last, bits)."""
_PAIR = "UNWIND $rows AS r MATCH (b:Entity {id: r.b})<-[s:STRENGTH]-(a:Entity) WHERE a.id = r.a "
_ONE = "MATCH ()-[s:STRENGTH]->() WHERE s.pair = $p WITH s, startNode(s) AS a, endNode(s) AS b "
_NO_RECENT = dict.fromkeys(("rq", "rm", "rst", "rp", "rpq", "rl", "rb"))
ONE_BY_ONE = 32
"""Up to this many pairs are found one query each through the index on ``pair`` (a few ms each); more
through their ends (``_PAIR``: walking an end's relationships, 0.3 s for a large partner of the office
on ArcadeDB, but one query for thousands of pairs; neither server uses the relationship index for a
value from ``UNWIND``)."""
_FIELDS = "s.ref, s.s, s.n, s.last, s.bits, s.first, s.bq, s.bs, s.bn, s.bl, s.bb, s.key, " + ", ".join(
    f"s.{k}" for k in _RECENT
)
_RETURN = "RETURN a.id, b.id, " + _FIELDS
FIRST_PAGE = 16
"""Rows of an entity's first page of partners (as in the embedded store): a path search mostly wants
an entity's few strongest; the next pages grow four times each."""
PREFETCH = 256
"""Entities whose first pages one read brings: those met in pages already read, the likely next ones."""


class Neo4jPairs:
    def __init__(self, store: Neo4jStore):
        self.store = store
        # Recent contributions written during the current transaction, kept until their pair is written
        # (Maintainer adds them before the batch's entities exist, and before the pair's row).
        self._tx: Any = None
        self._recent: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        self._cleared: set[tuple[str, str]] = set()
        self._read_in_tx: dict[tuple[str, str], list[tuple[Any, ...]]] = {}  # recent rows, by pairs_by_key
        # What a question (one read transaction, Store.snapshot) has read: every pair's recent rows, read
        # with the pair; entities' first pages, read ahead for those met in pages (the path search's
        # next expansions), a few hundred at a time instead of one round trip each.
        self._question: Any = None
        self._seen: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        self._first: dict[str, list[tuple[Any, ...]]] = {}
        self._met: dict[str, None] = {}
        self._by_key: dict[tuple[str, str], PairRecord | None] = {}

    def has_interactions(self) -> bool:
        return bool(self.store._read("MATCH (i:Interaction) RETURN i.id LIMIT 1"))

    def stored_config(self) -> str | None:
        rows = self.store._read("MATCH (m:Meta {key: 'strength'}) RETURN m.config")
        return rows[0][0] if rows else None

    def set_config(self, cfg: StrengthConfig) -> None:
        from ..materialize import config_key

        self.store._tx.run(
            "MERGE (m:Meta {key: 'strength'}) SET m.config = $c", {"c": config_key(cfg)}
        ).consume()

    def clear(self) -> None:
        while self.store._read("MATCH ()-[s:STRENGTH]->() WITH s LIMIT 10000 DELETE s RETURN count(*)")[0][0]:
            pass

    def upsert(self, rows: Iterable[PairRecord], half_life: float, *, fresh: bool = False) -> None:
        pending = self._pending()
        for chunk in batched(rows, 10_000):
            keys = [(r.a, r.b) for r in chunk]
            old: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
            if not fresh:
                old = self._stored_recent([k for k in keys if k not in self._cleared])
            props = {
                k: _properties(r, half_life, old.get(k, []) + pending.pop(k, []))
                for r, k in zip(chunk, keys, strict=True)
            }
            if not fresh and len(keys) <= ONE_BY_ONE:
                # A few pairs (an `add`): each set in place where it exists (read in this transaction),
                # one indexed look-up instead of a delete and a create. Absent recent lists set to null.
                there = [k for k in keys if k in self._read_in_tx and k not in self._cleared]
                for a, b in there:
                    self.store._read(_ONE + "SET s = $q", {"p": f"{a} {b}", "q": {**_NO_RECENT, **props[(a, b)]}})
                keys = [k for k in keys if k not in there]
                self.delete(keys)
            elif not fresh:
                self.delete(keys)
            self.store._batches(
                "UNWIND $rows AS r MATCH (a:Entity {id: r.a}) MATCH (b:Entity {id: r.b}) "
                "CREATE (a)-[s:STRENGTH]->(b) SET s = r.p",
                [{"a": a, "b": b, "p": props[(a, b)]} for a, b in keys],
            )

    def delete(self, keys: list[tuple[str, str]]) -> None:
        self._pending()
        for k in keys:
            self._read_in_tx.pop(k, None)
        self._by_pair(keys, "DELETE s")

    def _by_pair(self, keys: list[tuple[str, str]], tail: str) -> list[list[Any]]:
        """``tail`` run on the relationships of the pairs ``keys`` (``s``, ``a``, ``b`` bound)."""
        if len(keys) <= ONE_BY_ONE:
            return [row for a, b in keys for row in self.store._read(_ONE + tail, {"p": f"{a} {b}"})]
        out: list[list[Any]] = []
        for batch in batched(keys, 2_000):
            out += self.store._read(_PAIR + tail, {"rows": [{"a": a, "b": b} for a, b in batch]})
        return out

    # -- recent contributions (the embedded store's strength_recent; see the module docstring) ---------
    def _pending(self) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
        """The recent rows added in this transaction and not yet written (a new transaction forgets
        those of one that failed)."""
        if self._tx is not self.store._tx:
            self._tx, self._recent, self._cleared, self._read_in_tx = self.store._tx, {}, set(), {}
        return self._recent

    def _stored_recent(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
        self._pending()
        out = {k: self._read_in_tx[k] for k in keys if k in self._read_in_tx}  # read by pairs_by_key
        rest = [k for k in keys if k not in self._read_in_tx]
        for a, b, *lists in self._by_pair(
            rest, "WITH s, a, b WHERE s.rm IS NOT NULL RETURN a.id, b.id, " + ", ".join(f"s.{k}" for k in _RECENT)
        ):
            out[(a, b)] = list(zip(*lists, strict=True))
        return {k: v for k, v in out.items() if v}

    def recent_cut(self) -> int | None:
        rows = self.store._read("MATCH (m:Meta {key: 'strength'}) RETURN m.recent_cut")
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def set_recent_cut(self, cut: int | None) -> None:
        self.store._tx.run("MERGE (m:Meta {key: 'strength'}) SET m.recent_cut = $c", {"c": cut}).consume()

    def recent_reset(self, cut: int) -> None:
        """No recent rows any more; from now on they are those with a midpoint from ``cut`` on."""
        self._pending()
        self._recent.clear()
        while self.store._read(
            "MATCH ()-[s:STRENGTH]->() WHERE s.rm IS NOT NULL WITH s LIMIT 10000 SET "
            + ", ".join(f"s.{k} = null" for k in _RECENT)
            + " RETURN count(*)"
        )[0][0]:
            pass
        self.set_recent_cut(cut)

    def recent_trim(self, cut: int) -> None:
        """Move the start forward: the rows before ``cut`` go (once a quarter: a pass over the pairs
        that have any)."""
        self._pending()
        self._recent = {k: [x for x in v if x[1] >= cut] for k, v in self._recent.items()}
        rows = self.store._read(
            "MATCH (a:Entity)-[s:STRENGTH]->(b:Entity) WHERE s.rm IS NOT NULL AND s.rm[0] < $cut "
            "RETURN a.id, b.id, " + ", ".join(f"s.{k}" for k in _RECENT),
            {"cut": cut},
        )
        kept = []
        for a, b, *lists in rows:
            left = [x for x in zip(*lists, strict=True) if x[1] >= cut]
            kept.append({"a": a, "b": b, "p": _recent_properties(left)})
        self.store._batches(_PAIR + "SET s += r.p", kept)
        self.set_recent_cut(cut)

    def recent_add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows ``(a, b, q, m, start, p, pq, last, bits)``: written with their pair by :meth:`upsert`."""
        pending = self._pending()
        for a, b, *row in rows:
            found = pending.get((a, b))
            if found is None:
                pending[(a, b)] = [tuple(row)]
            else:
                found.append(tuple(row))

    def recent_delete(self, keys: list[tuple[str, str]]) -> None:
        """The pairs' recent rows go (they are about to be recomputed and written with the pair)."""
        pending = self._pending()
        for k in keys:
            pending.pop(k, None)
        self._cleared.update(keys)

    # -- a push's copy of the source's pairs (ofai_graph.sync) ------------------------------------------
    @staticmethod
    def prepare(
        chunk: list[PairRecord], half_life: float, recent: dict[tuple[str, str], list[tuple[Any, ...]]]
    ) -> list[list[Any]]:
        """Rows for :meth:`create`: the pairs of ``chunk`` with their recent rows ``(q, m, start, p, pq,
        last, bits)`` by pair. Touches no database, so a push builds the next chunk's rows while the
        server writes the last one."""
        return _rows(chunk, half_life, recent)

    def create(self, rows: list[list[Any]]) -> None:
        """Create the relationships of pairs absent from the database (a push into one without pairs),
        rows from :meth:`prepare`, in the current transaction."""
        self.store._batches(_CREATE, rows)

    def recent_rows(self, keys: list[tuple[str, str]], q: int, t: int) -> list[tuple[Any, ...]]:
        """As the embedded store's: per pair among ``keys`` and quarter from ``q`` on, of the rows that
        started by day ``t``: (a, b, q, Σ pq of those whose midpoint is by t, Σ p of the others, count,
        max last, bits). Within a question, those of pairs it has read come with them (no read)."""
        out: list[tuple[Any, ...]] = []
        seen = self._seen if self._reading() else {}
        found = {k: seen[k] for k in keys if k in seen}
        found.update(self._stored_recent(sorted({k for k in keys if k not in seen})))
        for (a, b), rows in found.items():
            acc: dict[int, list[Any]] = {}
            for rq, m, start, p, pq, last, bits in rows:
                if rq < q or start > t:
                    continue
                x = acc.setdefault(rq, [None, None, 0, 0, 0])
                if m <= t:
                    x[0] = (x[0] or 0.0) + pq
                else:
                    x[1] = (x[1] or 0.0) + p
                x[2] += 1
                x[3] = max(x[3], last)
                x[4] |= bits
            out.extend((a, b, rq, *x) for rq, x in sorted(acc.items()))
        return out

    # -- reads ------------------------------------------------------------------------------------------
    def _reading(self) -> bool:
        """Whether reads happen in a question's read transaction (what it read may be kept for it)."""
        tx = self.store._tx
        if tx is None or not getattr(self.store, "_snapshot", False):
            return False
        if self._question is not tx:
            self._question, self._seen, self._first, self._met, self._by_key = tx, {}, {}, {}, {}
        return True

    def upcoming(self) -> list[str]:
        """Entities a question is likely to ask about next (met in the pages it read, strongest pages
        first), for the store's own read-ahead of ties and affiliations."""
        if not self._reading():
            return []
        return [*self._first, *self._met]

    def _rows(self, rows: Any) -> list[tuple[Any, ...]]:
        """Rows as :meth:`neighbour_pages` yields them (PairRecord's fields, then the key), their recent
        rows kept for :meth:`recent_rows`."""
        out = self._keep(rows)
        return [(*row, r[13]) for row, r in zip(out, rows, strict=True)]

    def _keep(self, rows: Any) -> list[PairRecord]:
        """Rows read as records; within a question, kept with their recent rows (read with them)."""
        out = _records(rows)
        if self._reading():
            for r, record in zip(rows, out, strict=True):
                key = (r[0], r[1])
                self._seen[key] = list(zip(*r[14:], strict=True)) if r[15] is not None else []
                self._by_key[key] = record
        return out

    def _page(self, v: str, below: float | None, skip: set[tuple[str, str]], size: int) -> tuple[list[Any], bool]:
        """``v``'s rows by key descending from ``below`` (inclusive) on, without ``skip``; and whether
        there may be more. Keyset pagination: each page starts where the last ended, no SKIP; ties of
        the key are sorted here, not on the server (ordering by ids would read every partner's node)."""
        raw = self.store._read(
            "MATCH (x:Entity {id: $v})-[s:STRENGTH]-() WHERE $k IS NULL OR s.key <= $k "
            "WITH s ORDER BY s.key DESC LIMIT $n "
            "WITH s, startNode(s) AS a, endNode(s) AS b " + _RETURN,
            {"v": v, "k": below, "n": size + len(skip)},
        )
        rows = [r for r in raw if (r[0], r[1]) not in skip]
        rows.sort(key=lambda r: (-r[13], r[0], r[1]))
        return rows, len(raw) == size + len(skip)

    def _prefetch(self, v: str) -> None:
        """The first pages of ``v`` and of up to :data:`PREFETCH` entities met in pages read so far."""
        ids = [v, *(w for w in self._met if w not in self._first and w != v)][:PREFETCH]
        got: dict[str, list[Any]] = {w: [] for w in ids}
        # Each entity's own top rows (a subquery per id: no collect of a hub's 100,000 pairs).
        for row in self.store._read(
            "UNWIND $ids AS id CALL { WITH id MATCH (x:Entity {id: id})-[s:STRENGTH]-() "
            "WITH s ORDER BY s.key DESC LIMIT $n RETURN s } "
            "WITH id, s, startNode(s) AS a, endNode(s) AS b RETURN id, a.id, b.id, " + _FIELDS,
            {"ids": ids, "n": FIRST_PAGE},
        ):
            got[row[0]].append(row[1:])
        for w, rows in got.items():
            self._met.pop(w, None)
            rows.sort(key=lambda r: (-r[13], r[0], r[1]))
            self._first[w] = rows

    def neighbour_pages(self, v: str) -> Iterator[list[tuple[Any, ...]]]:
        """The pairs with ``v`` at either end, by ``key`` descending, in growing pages."""
        size = FIRST_PAGE
        reading = self._reading()
        if reading:
            if v not in self._first:
                self._prefetch(v)
            rows = self._first.pop(v)
            more = len(rows) == size
        else:
            rows, more = self._page(v, None, set(), size)
        below: float | None = None
        skip: set[tuple[str, str]] = set()
        while True:
            if rows:
                page = self._rows(rows)
                if reading:
                    for r in page:
                        w = r[1] if r[0] == v else r[0]
                        if w not in self._first:
                            self._met[w] = None
                yield page
            if not more or not rows:
                return
            # The next page starts at this one's last key; the rows with that key already given are
            # skipped (all of them, should equal keys span pages).
            last = rows[-1][13]
            skip = (skip if last == below else set()) | {(r[0], r[1]) for r in rows if r[13] == last}
            below = last
            size = min(size * 4, 16_384)
            rows, more = self._page(v, below, skip, size)

    def pairs(self, around: Collection[str] | None = None) -> list[Any]:
        """Stored pairs (PairRecord's field order) with an end in ``around``."""
        if around is None:
            return _records(self.store._stream("MATCH (a:Entity)-[s:STRENGTH]->(b:Entity) " + _RETURN))
        out: dict[tuple[str, str], PairRecord] = {}
        for batch in batched(sorted(set(around)), 2_000):
            for query in (
                "UNWIND $ids AS id MATCH (a:Entity {id: id})-[s:STRENGTH]->(b:Entity) ",
                "UNWIND $ids AS id MATCH (b:Entity {id: id})<-[s:STRENGTH]-(a:Entity) ",
            ):
                out.update(
                    ((r.a, r.b), r) for r in _records(self.store._read(query + _RETURN, {"ids": batch}))
                )
        return list(out.values())

    def pairs_by_key(self, keys: list[tuple[str, str]]) -> list[PairRecord]:
        if self._reading():  # within a question, pairs read before (or read ahead) are not read again
            self.prefetch_pairs(keys)
            return [r for k in keys if (r := self._by_key.get(k)) is not None]
        found = self._by_pair(keys, _RETURN)
        if self.store._tx is not None:  # a write: upsert will want the recent rows read here
            self._pending()
            for row in found:
                self._read_in_tx[(row[0], row[1])] = list(zip(*row[14:], strict=True)) if row[15] is not None else []
        return _records(found)

    def prefetch_pairs(self, keys: Iterable[tuple[str, str]]) -> None:
        """Within a question: read the pairs among ``keys`` not read yet (those absent remembered too)."""
        if not self._reading():
            return
        missing = sorted({k for k in keys if k not in self._by_key})
        self._keep(self._by_pair(missing, _RETURN))
        for k in missing:
            self._by_key.setdefault(k, None)

    def pages_around(self, ids: Collection[str]) -> Iterator[list[tuple[Any, ...]]]:
        """The pairs with an end in ``ids``, by ``key`` descending, in growing pages."""
        match = (
            "UNWIND $ids AS id MATCH (:Entity {id: id})-[s:STRENGTH]-(:Entity) WITH DISTINCT s "
            "WITH s, startNode(s) AS a, endNode(s) AS b "
        )
        offset, size, ids = 0, 256, sorted(set(ids))
        while True:
            rows = self.store._read(
                match + _RETURN + " ORDER BY s.key DESC, a.id, b.id SKIP $k LIMIT $n",
                {"ids": ids, "k": offset, "n": size},
            )
            yield self._rows(rows)
            if len(rows) < size:
                return
            offset += size
            size = min(size * 4, 16_384)

    def pairs_among(self, v: str, among: Collection[str]) -> list[tuple[Any, ...]] | None:
        """The rows pairing ``v`` with one of ``among``; None for an entity with more rows than a first
        page holds (the caller reads its rows strongest first instead, filtering, as far as needed),
        as the embedded store does for a hub. Within a question an entity's first page is usually read
        ahead already (:meth:`_prefetch`), and answers this with no read at all."""
        if self._reading():
            if v not in self._first:
                self._prefetch(v)
            first = self._first[v]
            if len(first) == FIRST_PAGE:
                return None
            return [r for r in self._rows(first) if (r[1] if r[0] == v else r[0]) in among]
        ids = list(among)
        rows: list[Any] = self.store._read(
            "MATCH (a:Entity {id: $v})-[s:STRENGTH]->(b:Entity) WHERE b.id IN $ids " + _RETURN,
            {"v": v, "ids": ids},
        ) + self.store._read(
            "MATCH (b:Entity {id: $v})<-[s:STRENGTH]-(a:Entity) WHERE a.id IN $ids " + _RETURN,
            {"v": v, "ids": ids},
        )
        return self._rows(rows)

    def newest_end(self, day: dt.date) -> dt.date | None:
        """The end of the newest interaction of two entities or more that started by ``day`` (what a
        relationship graph as of ``day`` counts last, for the as-of warning). Through the dates index:
        the latest end in a window (from a month before ``day``, then a year, then all), then the
        interactions ending that day, checked for two participants (else the next latest end). Not
        ``ORDER BY … LIMIT 1`` over the label: ArcadeDB sorts every interaction matched (0.3 s for the
        30,000 of a month on the benchmark's million, where ``max`` takes 0.1 s)."""
        d = day.isoformat()
        windows = [(day - dt.timedelta(days=31)).isoformat(), (day - dt.timedelta(days=366)).isoformat(), ""]
        below: str | None = None  # the window's latest ends already ruled out
        upper = None  # where the current window stops: the previous one's start
        while windows:
            lo = windows[0]
            cond = "i.date_end >= $lo AND i.date_start <= $day" + (" AND i.date_end < $below" if below else "")
            cond += " AND i.date_end < $upper" if upper else ""
            params = {"lo": lo, "day": d, "below": below, "upper": upper}
            (end,), = self.store._read(f"MATCH (i:Interaction) WHERE {cond} RETURN max(i.date_end)", params)
            if end is None:
                upper, below = windows.pop(0), None
                continue
            for limit in (" LIMIT 64", ""):  # the first few usually have two participants
                rows = self.store._read(
                    "MATCH (i:Interaction) WHERE i.date_end = $end AND i.date_start <= $day WITH i"
                    + limit
                    + " RETURN [(i)<-[:PARTICIPATED]-(e:Entity) | e.id]",
                    {"end": end, "day": d},
                )
                if any(len(set(members)) >= 2 for (members,) in rows):
                    return dt.date.fromisoformat(end)
                if len(rows) < 64:
                    break
            below = end
        return None

    def window(self, lo: dt.date, hi: dt.date) -> Iterator[Participation]:
        from .base import DayCache

        day = DayCache()
        rows = self.store._read(
            "MATCH (i:Interaction) WHERE i.date_end >= $lo AND i.date_start <= $hi "
            "RETURN i.id, i.date_start, i.date_end, i.kind, i.status, [(i)<-[p:PARTICIPATED]-(e:Entity) | [e.id, p.role]]",
            {"lo": lo.isoformat(), "hi": hi.isoformat()},
        )
        for iid, start, end, kind, status, members in rows:
            s, e = day[start], day[end]
            for eid, role in members:
                yield (iid, s, e, kind, status, eid, role)  # type: ignore[misc]


def _recent_properties(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The recent lists of a pair's relationship (null, that is absent, when it has none)."""
    if not rows:
        return dict.fromkeys(_RECENT)
    rows = sorted(rows, key=lambda x: x[1])
    return {k: [x[n] for x in rows] for n, k in enumerate(_RECENT)}


_COLUMNS = ("pair", "key", "ref", "ref_date", "s", "n", "last", "bits", "first", "bq", "bs", "bn", "bl", "bb", *_RECENT)
"""A STRENGTH relationship's properties (those of :func:`_properties`) in the order of a row of :func:`_rows`."""
_CREATE = (
    "UNWIND $rows AS r MATCH (a:Entity {id: r[0]}) MATCH (b:Entity {id: r[1]}) CREATE (a)-[:STRENGTH {"
    + ", ".join(f"{k}: r[{n}]" for n, k in enumerate(_COLUMNS, 2))
    + "}]->(b)"
)
"""Rows as lists and the properties a literal map (null: absent): the server reads a row's values by
position, where ``SET s = r.p`` unpacked a map per row (ArcadeDB: a third of the write's CPU)."""


def _rows(
    chunk: list[PairRecord], half_life: float, recent: dict[tuple[str, str], list[tuple[Any, ...]]]
) -> list[list[Any]]:
    """``[a, b, *values]`` per pair, the values of :func:`_properties` in :data:`_COLUMNS` order (a
    push builds 1.75 million: one loop, names bound once)."""
    from ..materialize import order_key

    none = [None] * len(_RECENT)
    days: dict[int, str] = {}
    out = []
    for r in chunk:
        a, b, ref, buckets = r.a, r.b, r.ref, r.buckets
        day = days.get(ref)
        if day is None:
            day = days[ref] = dt.date.fromordinal(ref).isoformat()
        mine = recent.get((a, b))
        if mine:
            mine = sorted(mine, key=lambda x: x[1])
            lists: list[Any] = [[x[n] for x in mine] for n in range(len(_RECENT))]
        else:
            lists = none
        if buckets:
            q, s, n, last, bits = ([*x] for x in zip(*buckets, strict=True))
            s = [float(x) for x in s]
        else:
            q, s, n, last, bits = [], [], [], [], []
        out.append(
            [a, b, f"{a} {b}", order_key(r.s, ref, half_life), ref, day, r.s, r.n, r.last, r.bits, r.first,
             q, s, n, last, bits, *lists]
        )
    return out


def _properties(r: PairRecord, half_life: float, recent: list[tuple[Any, ...]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    from ..materialize import order_key

    b = r.buckets
    return {
        **{k: v for k, v in _recent_properties(list(recent)).items() if v is not None},
        "pair": f"{r.a} {r.b}",  # ids hold no spaces; indexed: one pair found without walking its ends
        "key": order_key(r.s, r.ref, half_life),
        "ref": r.ref,
        "ref_date": dt.date.fromordinal(r.ref).isoformat(),
        "s": r.s,
        "n": r.n,
        "last": r.last,
        "bits": r.bits,
        "first": r.first,
        "bq": [x[0] for x in b],
        "bs": [float(x[1]) for x in b],
        "bn": [x[2] for x in b],
        "bl": [x[3] for x in b],
        "bb": [x[4] for x in b],
    }


def _records(rows: Any) -> list[PairRecord]:
    from ..materialize import PairRecord

    out = []
    for a, b, ref, s, n, last, bits, first, bq, bs, bn, bl, bb, *_ in rows:
        buckets = [list(x) for x in zip(bq or [], bs or [], bn or [], bl or [], bb or [], strict=True)]
        out.append(PairRecord(a, b, ref, s, n, last, bits, first, buckets))
    return out


