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

Each entity node lists its strongest partners (schema v4): ``tk`` their keys, descending, ``tw`` their
ids (equal keys by id), up to :data:`TOP` of them, and ``tall`` true when they are all of its partners
(absent lists: none). ArcadeDB walks every relationship of a node whatever its type, and uses a
relationship index for equality only (no range, no order): the office's partners page walked its
700,000 participations, a path search's 256 next expansions 6 s. From the lists, an entity's partners
strongest first are one indexed node read (a slice per page), and the pairs themselves are found
through the index on ``pair`` (``WHERE s.pair IN $ps``: one read for many). Every write keeps the
lists (:func:`update_top`); a push, a rebuild and the migration to v4 write them once at the end.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
from array import array
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
_IN = "MATCH ()-[s:STRENGTH]->() WHERE s.pair IN $ps WITH s, startNode(s) AS a, endNode(s) AS b "
_NO_RECENT = dict.fromkeys(("rq", "rm", "rst", "rp", "rpq", "rl", "rb"))
ONE_BY_ONE = 32
"""Up to this many pairs changed by a write are set in place, each found through the index on ``pair``."""
BY_PAIR = 1_000
"""Pairs found in one read through the index on ``pair`` (``IN``: both servers seek the index for each
value; neither does for a value from ``UNWIND``)."""
TOP = 1_024
"""Partners listed on an entity node (``tk``, ``tw``): a path search reads a few hundred of the office's."""
HEADS = 8
"""Listed partners read per target when a search reads the hops into a set of targets (``pages_around``)."""
AHEAD = 2
"""Rows read ahead for each entity whose first page was read and that was not expanded yet."""
_FIELDS = "s.ref, s.s, s.n, s.last, s.bits, s.first, s.bq, s.bs, s.bn, s.bl, s.bb, s.key, " + ", ".join(
    f"s.{k}" for k in _RECENT
)
_RETURN = "RETURN a.id, b.id, " + _FIELDS
_COLLECT = "RETURN collect([a.id, b.id, " + _FIELDS + "])"
_COLLECT_LISTS = "RETURN collect([a.id, b.id, " + _FIELDS + ", a.tk, a.tw, a.tall, b.tk, b.tw, b.tall])"
_START = (
    "OPTIONAL MATCH (m:Meta {key: 'strength'}) "
    "CALL { OPTIONAL MATCH (i:Interaction) WITH i LIMIT 1 RETURN i IS NOT NULL AS some } "
    "RETURN m.config, m.recent_cut, some"
)
_LIGHT = (
    "MATCH ()-[s:STRENGTH]->() WHERE s.pair IN $ps RETURN collect([s.pair, s.ref, s.s, s.n, s.last, s.bits, "
    "s.first, s.bq, s.bs, s.bn, s.bl, s.bb, s.rm, startNode(s).tk, startNode(s).tw, startNode(s).tall, "
    "endNode(s).tk, endNode(s).tw, endNode(s).tall])"
)
"""An ``add``'s pairs: of their recent lists only the midpoints (where the new row goes, see
:data:`_INSERT_RECENT`), with their ends' lists of partners."""
_INSERT_RECENT = (
    "MATCH ()-[s:STRENGTH]->() WHERE s.pair = $p AND size(s.rm) = $n SET s += $q, "
    + ", ".join(f"s.{k} = s.{k}[..$i] + [$x[{n}]] + s.{k}[$i..]" for n, k in enumerate(_RECENT))
    + " RETURN count(s)"
)
"""An ``add``'s pair set in place: its fields, and its new recent row inserted at its place (the lists
are sorted by midpoint, equal ones in the order written; ``$i`` found by the client from the midpoints
:data:`_LIGHT` read), the lists sliced on the server rather than read and sent whole (the office's
strongest pair holds hundreds of rows). A pair whose midpoints are not as many as read (another
writer) is not changed, and comes back written whole (:meth:`Neo4jPairs._rewrite`). Plain parameters,
one pair a statement: right after a server's start ArcadeDB's first run of a statement costs more the
more kinds of expression it holds (the rows of many pairs as a map by pair, ``coalesce`` and the lists
of nodes in one statement: 300–480 ms the first time, this one 77 ms; 2–15 ms from the second run)."""
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
        self._lists_in_tx: dict[str, list[Any]] = {}  # entities' lists read (and written) in this transaction
        self._light_in_tx: dict[tuple[str, str], list[int]] = {}  # pairs read by _LIGHT: their midpoints
        self._absent_in_tx: set[tuple[str, str]] = set()  # pairs _LIGHT looked for and did not find
        # What a question (one read transaction, Store.snapshot) has read: every pair's recent rows, read
        # with the pair; entities' first pages, read ahead for those met in pages (the path search's
        # next expansions), a few hundred at a time instead of one round trip each.
        self._question: Any = None
        self._seen: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        self._met: dict[str, None] = {}
        self._by_key: dict[tuple[str, str], PairRecord | None] = {}
        self._full: dict[tuple[str, str], tuple[Any, ...]] = {}  # rows as _rows gives them, by pair
        self._heads: dict[str, tuple[list[float], list[str], int, bool]] = {}  # first page of each list
        self._ahead: dict[str, None] = {}  # entities whose first page was read, not yet asked for
        self._asked: set[str] = set()  # entities of _ahead whose first rows were read ahead
        # Lists of a push or a rebuild (pairs written into an emptied table), written at the end.
        self._fresh: dict[str, tuple[array[float], list[str]]] = {}
        self._config_tx: Any = None

    def has_interactions(self) -> bool:
        return bool(self.store._read("MATCH (i:Interaction) RETURN i.id LIMIT 1"))

    def write_start(self) -> tuple[str | None, bool, int | None]:
        """What a write's :class:`~ofai_graph.materialize.Maintainer` asks first, in one read: the stored
        configuration, whether any interaction is stored, the recent contributions' cut (three round
        trips, each a statement the server plans, were a fifth of an ``add``'s statements)."""
        ((text, cut, some),) = self.store._read(_START)
        return text, bool(some), int(cut) if cut is not None else None

    def stored_config(self) -> str | None:
        rows = self.store._read("MATCH (m:Meta {key: 'strength'}) RETURN m.config")
        return rows[0][0] if rows else None

    def set_config(self, cfg: StrengthConfig) -> None:
        from ..materialize import config_key

        self.store._tx.run(
            "MERGE (m:Meta {key: 'strength'}) SET m.config = $c", {"c": config_key(cfg)}
        ).consume()
        # A push and a rebuild set the configuration last: the lists of the pairs written since the
        # table was emptied go now. (A first import sets it first: its pairs' upsert writes them.)
        self._write_fresh()
        self._config_tx = self.store._tx

    def clear(self) -> None:
        while self.store._read("MATCH ()-[s:STRENGTH]->() WITH s LIMIT 10000 DELETE s RETURN count(*)")[0][0]:
            pass
        self._fresh = {}
        while self.store._read(
            "MATCH (n:Entity) WHERE n.tk IS NOT NULL WITH n LIMIT 10000 "
            "SET n.tk = null, n.tw = null, n.tall = null RETURN count(*)"
        )[0][0]:
            pass

    def upsert(self, rows: Iterable[PairRecord], half_life: float, *, fresh: bool = False) -> None:
        pending = self._pending()
        for chunk in batched(rows, 10_000):
            keys = [(r.a, r.b) for r in chunk]
            old: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
            light: dict[str, list[Any]] = {}  # pairs read by _LIGHT, with at most one new recent row
            if not fresh and len(keys) <= ONE_BY_ONE:
                for r, k in zip(chunk, keys, strict=True):
                    mids = self._light_in_tx.get(k)
                    if mids is not None and k not in self._cleared and len(pending.get(k, ())) <= 1:
                        mine = pending.pop(k, None)
                        row = list(mine[0]) if mine else None
                        at = bisect.bisect_right(mids, row[1]) if row else 0
                        light[f"{k[0]} {k[1]}"] = [_properties(r, half_life), row, at, len(mids)]
                        if row:
                            mids.insert(at, row[1])
            if not fresh:
                old = self._stored_recent([k for k in keys if k not in self._cleared and f"{k[0]} {k[1]}" not in light])
            props = {
                k: _properties(r, half_life, old.get(k, []) + pending.pop(k, []))
                for r, k in zip(chunk, keys, strict=True)
            }
            if not fresh and len(keys) <= ONE_BY_ONE:
                # A few pairs (an `add`): each set in place where it exists (read in this transaction),
                # one indexed look-up instead of a delete and a create (those read by _LIGHT with the
                # new recent row inserted on the server). Absent recent lists set to null. Pairs read
                # and found absent are created without a delete first.
                self._set_light(light)
                there = [k for k in keys if k in self._read_in_tx and k not in self._cleared]
                for a, b in there:
                    self.store._read(_ONE + "SET s = $q", {"p": f"{a} {b}", "q": {**_NO_RECENT, **props[(a, b)]}})
                changed = {k: props[k]["key"] for k in keys}
                keys = [k for k in keys if k not in there and f"{k[0]} {k[1]}" not in light]
                self._delete([k for k in keys if k not in self._absent_in_tx or k in self._cleared])
            elif not fresh:
                changed = {k: props[k]["key"] for k in keys}
                self._delete(keys)
            self.store._batches(
                "UNWIND $rows AS r MATCH (a:Entity {id: r.a}) MATCH (b:Entity {id: r.b}) "
                "CREATE (a)-[s:STRENGTH]->(b) SET s = r.p",
                [{"a": a, "b": b, "p": props[(a, b)]} for a, b in keys],
            )
            self._absent_in_tx.difference_update(keys)
            if fresh:
                self._collect((a, b, p["key"]) for (a, b), p in props.items())
            else:
                self._top_change(changed)
        if fresh and self._config_tx is not None and self._config_tx is self.store._tx:
            self._write_fresh()

    def delete(self, keys: list[tuple[str, str]]) -> None:
        self._delete(keys)
        self._top_change(dict.fromkeys(keys))

    def _delete(self, keys: list[tuple[str, str]]) -> None:
        self._pending()
        for k in keys:
            self._read_in_tx.pop(k, None)
            self._light_in_tx.pop(k, None)
        self._by_pair(keys, "DELETE s")

    # -- the lists of strongest partners on the entity nodes (see the module docstring) ------------------
    def _collect(self, pairs: Iterable[tuple[str, str, float]]) -> None:
        """Pairs ``(a, b, key)`` written into an emptied table: kept (key and partner per end) for
        :meth:`_write_fresh`."""
        fresh = self._fresh
        for a, b, k in pairs:
            for v, w in ((a, b), (b, a)):
                found = fresh.get(v)
                if found is None:
                    found = fresh[v] = (array("d"), [])
                found[0].append(k)
                found[1].append(w)

    def _write_fresh(self) -> None:
        self._lists_in_tx = {}
        if self._fresh:
            fresh, self._fresh = self._fresh, {}
            self._write_tops(_tops(fresh))

    def _write_tops(self, rows: Iterable[list[Any]], tx: bool = True) -> None:
        query = "UNWIND $rows AS r MATCH (n:Entity {id: r[0]}) SET n.tk = r[1], n.tw = r[2], n.tall = r[3]"
        for batch in batched(rows, 1_000):
            if tx:
                self.store._tx.run(query, {"rows": batch}).consume()
            else:
                self.store._driver.execute_query(query, {"rows": batch}, database_=self.store.database)

    def _top_change(self, changes: dict[tuple[str, str], float | None]) -> None:
        """The lists of the ends of pairs whose key changed (None: the pair is gone), in this transaction."""
        if not changes:
            return
        per: dict[str, dict[str, float | None]] = {}
        for (a, b), k in changes.items():
            per.setdefault(a, {})[b] = k
            per.setdefault(b, {})[a] = k
        out = []
        self._pending()
        known = self._lists_in_tx  # (read with the pairs by pairs_by_key: an add reads nothing more)
        lists = [[v, *known[v]] for v in sorted(per) if v in known]
        for batch in batched(sorted(v for v in per if v not in known), 2_000):
            lists += self.store._read(
                "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN id, n.tk, n.tw, n.tall", {"ids": batch}
            )
        for v, keys, ids, tall in lists:
            found = update_top(keys or [], ids or [], tall is not False, per[v])
            if found is None:  # (too few left to know the rest: listed again from its pairs)
                found = _top_of(self._walk(v, None, TOP), TOP)
            if found != [keys or [], ids or [], tall is not False]:
                out.append([v, *found])  # (a hub's pair far below its list: nothing to write)
            known[v] = found
        # (Written whole: slices of the lists on the server sent less, but cost twice as much the first
        # time after a server's start, 90–150 ms against 44 ms, for 1–3 ms saved later.)
        self._write_tops(out)

    def _set_light(self, light: dict[str, list[Any]]) -> None:
        """Pairs read by :data:`_LIGHT`: ``light`` maps ``"a b"`` to ``[fields, new recent row or None,
        its place, midpoints read]``."""
        for p, (props, row, at, n) in light.items():
            if row is None:  # (an interaction before the recent rows' start: the lists stay)
                self.store._read(_ONE + "SET s += $q", {"p": p, "q": props})
            elif n == 0:  # (none yet: the new row is the lists)
                self.store._read(_ONE + "SET s = $q", {"p": p, "q": {**props, **_recent_properties([tuple(row)])}})
            elif not self.store._read(_INSERT_RECENT, {"p": p, "n": n, "q": props, "i": at, "x": row})[0][0]:
                self._rewrite([p], light)

    def _rewrite(self, pairs: list[str], light: dict[str, list[Any]]) -> None:
        """Pairs of :data:`_INSERT_RECENT` whose recent lists were not as read: their rows read again,
        with the new one, and set whole."""
        keys = [(a, b) for a, b in (p.split(" ") for p in pairs)]
        for k in keys:
            self._light_in_tx.pop(k, None)
        stored = self._stored_recent(keys)
        for p, k in zip(pairs, keys, strict=True):
            props, row = light[p][0], light[p][1]
            q = {**_NO_RECENT, **props, **_recent_properties([*stored.get(k, []), tuple(row)])}
            self.store._read(_ONE + "SET s = $q", {"p": p, "q": q})

    def _walk(self, v: str, below: float | None, n: int) -> list[tuple[float, str]]:
        """``v``'s partners (key, id) by key descending from ``below`` (inclusive) on, ``n`` at most:
        a walk of its relationships (all of them on ArcadeDB), for what its list does not hold."""
        rows = self.store._read(
            "MATCH (x:Entity {id: $v})-[s:STRENGTH]-() WHERE $k IS NULL OR s.key <= $k "
            "WITH s ORDER BY s.key DESC LIMIT $n RETURN s.key, s.pair",
            {"v": v, "k": below, "n": n},
        )
        out = []
        for k, pair in rows:
            a, b = pair.split(" ")
            out.append((k, b if a == v else a))
        out.sort(key=lambda x: (-x[0], x[1]))
        return out

    def index_partners(self) -> int:
        """Every entity's list from the stored pairs, each batch committed on its own (the migration to
        v4 of a database pushed before; a second run writes the same); how many entities have pairs."""
        fresh: dict[str, tuple[array[float], list[str]]] = {}
        for pair, k in self.store._stream("MATCH ()-[s:STRENGTH]->() RETURN s.pair, s.key"):
            a, b = pair.split(" ")
            for v, w in ((a, b), (b, a)):
                found = fresh.get(v)
                if found is None:
                    found = fresh[v] = (array("d"), [])
                found[0].append(k)
                found[1].append(w)
        self._write_tops(_tops(fresh), tx=False)
        return len(fresh)

    def _by_pair(self, keys: list[tuple[str, str]], tail: str) -> list[list[Any]]:
        """``tail`` run on the relationships of the pairs ``keys`` (``s``, ``a``, ``b`` bound)."""
        out: list[list[Any]] = []
        for batch in batched(keys, BY_PAIR):
            if tail == _RETURN:  # (as one row, see _slices)
                (found,), = self.store._read(_IN + _COLLECT, {"ps": [f"{a} {b}" for a, b in batch]})
                out += found
            else:
                out += self.store._read(_IN + tail, {"ps": [f"{a} {b}" for a, b in batch]})
        return out

    # -- recent contributions (the embedded store's strength_recent; see the module docstring) ---------
    def _pending(self) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
        """The recent rows added in this transaction and not yet written (a new transaction forgets
        those of one that failed)."""
        if self._tx is not self.store._tx:
            self._tx, self._recent, self._cleared, self._read_in_tx = self.store._tx, {}, set(), {}
            self._lists_in_tx, self._light_in_tx, self._absent_in_tx = {}, {}, set()
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
        rows from :meth:`prepare`, in the current transaction. Their ends' lists of strongest partners
        are kept for :meth:`set_config`, which a push calls last (as for an upsert into an emptied table)."""
        self.store._batches(_CREATE, rows)
        self._collect((r[0], r[1], r[_KEY_AT]) for r in rows)

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
            self._question, self._seen, self._met, self._by_key = tx, {}, {}, {}
            self._full, self._heads, self._ahead, self._asked = {}, {}, {}, set()
        return True

    def upcoming(self) -> list[str]:
        """Entities a question is likely to ask about next (met in the pages it read, strongest pages
        first), for the store's own read-ahead of ties and affiliations."""
        if not self._reading():
            return []
        return [*self._ahead, *self._met]

    def _rows(self, rows: Any) -> list[tuple[Any, ...]]:
        """Rows as :meth:`neighbour_pages` yields them (PairRecord's fields, then the key), their recent
        rows kept for :meth:`recent_rows`."""
        out = self._keep(rows)
        full = [(*row, r[13]) for row, r in zip(out, rows, strict=True)]
        if self._reading():
            self._full.update(((r[0], r[1]), r) for r in full)
        return full

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

    def neighbour_pages(self, v: str) -> Iterator[list[tuple[Any, ...]]]:
        """The pairs with ``v`` at either end, by ``key`` descending, in growing pages (walked; a reader
        that wants few of them reads :meth:`neighbour_keys` and :meth:`rows_by_key`)."""
        size = FIRST_PAGE
        rows, more = self._page(v, None, set(), size)
        below: float | None = None
        skip: set[tuple[str, str]] = set()
        while True:
            if rows:
                yield self._rows(rows)
            if not more or not rows:
                return
            # The next page starts at this one's last key; the rows with that key already given are
            # skipped (all of them, should equal keys span pages).
            last = rows[-1][13]
            skip = (skip if last == below else set()) | {(r[0], r[1]) for r in rows if r[13] == last}
            below = last
            size = min(size * 4, 16_384)
            rows, more = self._page(v, below, skip, size)

    # The lists of strongest partners (module docstring): an entity's partners by key from its node.
    def _slices(self, want: dict[str, tuple[int, int]]) -> dict[str, tuple[list[float], list[str], int, bool]]:
        """Per entity, the entries ``[lo, hi)`` of its list, the list's length and whether it holds every
        partner (an entity without a list: none, all of them)."""
        out: dict[str, tuple[list[float], list[str], int, bool]] = {}
        items = sorted(want.items())
        for batch in batched(items, 2_000):
            (found,), = self.store._read(  # (one row: ArcadeDB's cost per row sent exceeds a node's read)
                "UNWIND $rows AS r MATCH (n:Entity {id: r[0]}) "
                "RETURN collect([r[0], n.tk[r[1]..r[2]], n.tw[r[1]..r[2]], size(n.tk), n.tall])",
                {"rows": [[v, lo, hi] for v, (lo, hi) in batch]},
            )
            for v, keys, ids, size, tall in found:
                out[v] = (keys or [], ids or [], size or 0, tall is not False)
        return out

    def _head(self, v: str) -> tuple[list[float], list[str], int, bool]:
        """``v``'s first page of its list; within a question, read with those of up to :data:`PREFETCH`
        entities met in pages read so far (the path search's likely next expansions)."""
        if not self._reading():
            return self._slices({v: (0, FIRST_PAGE)}).get(v, ([], [], 0, True))
        if v not in self._heads:
            ids = [v, *(w for w in self._met if w not in self._heads and w != v)][:PREFETCH]
            found = self._slices(dict.fromkeys(ids, (0, FIRST_PAGE)))
            for w in ids:
                self._met.pop(w, None)
                self._heads[w] = found.get(w, ([], [], 0, True))
                if w != v:
                    self._ahead[w] = None
        self._ahead.pop(v, None)
        return self._heads[v]

    def _after(self, v: str, head: tuple[list[float], list[str], int, bool]) -> Iterator[list[tuple[float, str]]]:
        """``v``'s partners after ``head`` (the start of its list) as (key, id), strongest first (equal
        keys by id), in growing pages: the rest of its list, then, past a list that does not hold them
        all, its relationships walked."""
        keys, ids, size, tall = head
        pos, page = len(ids), max(len(ids), 4)
        last: float | None = keys[-1] if keys else None
        given = {w for k, w in zip(keys, ids, strict=True) if k == last}
        while pos < size:
            page = min(page * 4, TOP)
            keys, ids, _, _ = self._slices({v: (pos, pos + page)}).get(v, ([], [], 0, True))
            if not ids:
                break
            pos += len(ids)
            yield list(zip(keys, ids, strict=True))
            given = (given if keys[-1] == last else set()) | {w for k, w in zip(keys, ids, strict=True) if k == keys[-1]}
            last = keys[-1]
        if tall:
            return
        while True:  # (a hub, past its list: walked from where the list ends)
            page = min(page * 4, 16_384)
            found = self._walk(v, last, page + len(given))
            more = len(found) == page + len(given)
            found = [x for x in found if x[1] not in given]
            if found:
                yield found
            if not more or not found:
                return
            given = (given if found[-1][0] == last else set()) | {w for k, w in found if k == found[-1][0]}
            last = found[-1][0]

    def _partners(self, v: str) -> Iterator[list[tuple[float, str]]]:
        head = self._head(v)
        if head[1]:
            yield list(zip(head[0], head[1], strict=True))
        yield from self._after(v, head)

    def neighbour_keys(self, v: str) -> Iterator[list[tuple[Any, ...]]]:
        """As :meth:`neighbour_pages`, only ``(a, b, key)`` of each row, from ``v``'s list of strongest
        partners (:meth:`rows_by_key` reads the rows wanted)."""
        reading = self._reading()
        for page in self._partners(v):
            if reading:
                for _, w in page:
                    if w not in self._heads:
                        self._met[w] = None
            yield [(v, w, k) if v < w else (w, v, k) for k, w in page]

    def rows_by_key(self, keys: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
        """The stored rows of these pairs, as :meth:`neighbour_pages` gives them, through the index on
        ``pair``. Within a question, rows read before are not read again, and a read brings with it the
        first :data:`AHEAD` rows of each entity whose first page was read ahead (the search's likely
        next expansions: each would cost a read of its own)."""
        if not self._reading():
            return self._rows(self._by_pair(keys, _RETURN))
        missing = [k for k in dict.fromkeys(keys) if k not in self._by_key]
        if missing:
            extra = []
            asked = self._asked  # (those asked for once are read: not gone through again at every read)
            for w in self._ahead:
                if w not in asked:
                    asked.add(w)
                    extra += [(w, x) if w < x else (x, w) for x in self._heads[w][1][:AHEAD]]
            want = list(dict.fromkeys([*missing, *(k for k in extra if k not in self._by_key)]))
            self._rows(self._by_pair(want, _RETURN))
            for k in want:
                self._by_key.setdefault(k, None)
        full = self._full
        return [full[k] for k in keys if k in full]

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
        if self.store._tx is None:
            return _records(self._by_pair(keys, _RETURN))
        # A write. An add (each pair with one new recent row at most): of the pairs' recent lists only
        # the midpoints (_INSERT_RECENT). Otherwise upsert will want the recent rows read here. The
        # ends' lists of partners either way.
        pending = self._pending()
        if len(keys) <= ONE_BY_ONE and all(len(pending.get(k, ())) <= 1 and k not in self._cleared for k in keys):
            ((rows,),) = self.store._read(_LIGHT, {"ps": [f"{a} {b}" for a, b in keys]})
            out = []
            for row in rows:
                a, b = row[0].split(" ")
                self._light_in_tx[(a, b)] = row[12] or []
                self._lists_in_tx[a], self._lists_in_tx[b] = row[13:16], row[16:19]
                out.append([a, b, *row[1:12]])
            self._absent_in_tx.update(set(keys) - self._light_in_tx.keys())
            return _records(out)
        found = []
        for batch in batched(keys, BY_PAIR):
            (rows,), = self.store._read(_IN + _COLLECT_LISTS, {"ps": [f"{a} {b}" for a, b in batch]})
            for row in rows:
                self._lists_in_tx[row[0]], self._lists_in_tx[row[1]] = row[21:24], row[24:27]
                found.append(row[:21])
        for row in found:
            self._read_in_tx[(row[0], row[1])] = list(zip(*row[14:], strict=True)) if row[15] is not None else []
        return _records(found)

    def prefetch_pairs(self, keys: Iterable[tuple[str, str]]) -> None:
        """Within a question: read the pairs among ``keys`` not read yet (those absent remembered too)."""
        if not self._reading():
            return
        missing = sorted({k for k in keys if k not in self._by_key})
        self._rows(self._by_pair(missing, _RETURN))
        for k in missing:
            self._by_key.setdefault(k, None)

    def pages_around(self, ids: Collection[str]) -> Iterator[list[tuple[Any, ...]]]:
        """The pairs with an end in ``ids``, by ``key`` descending, in growing pages (a pair with both ends
        in ``ids`` comes twice): the entities' lists merged, each read as far as the order needs (its
        first :data:`HEADS` entries, then more of the few whose next entries could come next)."""
        targets = sorted(set(ids))
        heads = self._slices(dict.fromkeys(targets, (0, HEADS)))
        heap: list[tuple[float, str, str]] = []  # (-key, target, partner) read and not given yet
        blocked: list[tuple[float, str]] = []  # (-key of the last read, target): more may follow
        rest: dict[str, Iterator[list[tuple[float, str]]]] = {}
        for t in targets:
            head = heads.get(t, ([], [], 0, True))
            keys, ws, n, tall = head
            heap.extend((-k, t, w) for k, w in zip(keys, ws, strict=True))
            if len(ws) < n or not tall:
                rest[t] = self._after(t, head)
                blocked.append((-keys[-1] if keys else -math.inf, t))
        heapq.heapify(heap)
        heapq.heapify(blocked)
        size = 256
        while True:
            out: list[tuple[str, str, float]] = []
            while len(out) < size:
                top = -heap[0][0] if heap else -math.inf
                while blocked and (-blocked[0][0] > top or not heap):
                    # (a target whose unread partners could come next: its next page)
                    _, t = heapq.heappop(blocked)
                    got = next(rest[t], None)
                    if got:
                        for k, w in got:
                            heapq.heappush(heap, (-k, t, w))
                        heapq.heappush(blocked, (-got[-1][0], t))
                    top = -heap[0][0] if heap else -math.inf
                if not heap:
                    break
                k, t, w = heapq.heappop(heap)
                out.append((t, w, -k) if t < w else (w, t, -k))
            if out:
                rows = self.rows_by_key([(a, b) for a, b, _ in out]) if self._reading() else self._rows(
                    self._by_pair(list(dict.fromkeys((a, b) for a, b, _ in out)), _RETURN)
                )
                found = {(r[0], r[1]): r for r in rows}
                yield [found[(a, b)] for a, b, _ in out if (a, b) in found]
            if len(out) < size:
                return
            size = min(size * 4, 16_384)

    def pairs_among(self, v: str, among: Collection[str]) -> list[tuple[Any, ...]] | None:
        """The rows pairing ``v`` with one of ``among``; None for an entity with more partners than a
        first page holds (the caller reads its rows strongest first instead, filtering, as far as
        needed), as the embedded store does for a hub. From ``v``'s list (within a question usually
        read ahead already) and the pairs wanted through the index on ``pair``."""
        _, ids, size, tall = self._head(v)
        if not tall or size > len(ids):
            return None
        return self.rows_by_key([(v, w) if v < w else (w, v) for w in ids if w in among])

    def newest_end(self, day: dt.date, since: dt.date | None = None) -> dt.date | None:
        """The end of the newest interaction of two entities or more that started by ``day`` (what a
        relationship graph as of ``day`` counts last, for the as-of warning). Through the dates index:
        the latest end in a window (from a month before ``day``, then a year, then all), then the
        interactions ending that day, checked for two participants (else the next latest end). Not
        ``ORDER BY … LIMIT 1`` over the label: ArcadeDB sorts every interaction matched (0.3 s for the
        30,000 of a month on the benchmark's million, where ``max`` takes 0.1 s).

        With ``since``, first the first few interactions that started by ``day`` and end on or after
        ``since`` (the index on ends, stopped early): the latest end of those with two participants
        stands for the newest (0.002–0.009 s on the million, where the window took 0.07–0.2 s: with
        interactions planned after ``day``, those ending after it are tens of thousands)."""
        d = day.isoformat()
        if since is not None:
            # (the start's condition after WITH, as below)
            (found,), = self.store._read(
                "MATCH (i:Interaction) WHERE i.date_end >= $since WITH i WHERE i.date_start <= $day WITH i LIMIT 64 "
                "RETURN collect([i.date_end, [(i)<-[:PARTICIPATED]-(e:Entity) | e.id]])",
                {"since": since.isoformat(), "day": d},
            )
            if ends := [end for end, members in found if len(set(members)) >= 2]:
                return dt.date.fromisoformat(max(ends))
        windows = [(day - dt.timedelta(days=31)).isoformat(), (day - dt.timedelta(days=366)).isoformat(), ""]
        below: str | None = None  # the window's latest ends already ruled out
        upper = None  # where the current window stops: the previous one's start
        while windows:
            lo = windows[0]
            # (the start's condition after WITH: in the same WHERE, ArcadeDB would scan the index on
            # starts, every interaction that started by the day: 1 s instead of 0.1 s on the million)
            cond = "i.date_end >= $lo" + (" AND i.date_end < $below" if below else "")
            cond += " AND i.date_end < $upper" if upper else ""
            params = {"lo": lo, "day": d, "below": below, "upper": upper}
            (end,), = self.store._read(
                f"MATCH (i:Interaction) WHERE {cond} WITH i WHERE i.date_start <= $day RETURN max(i.date_end)", params
            )
            if end is None:
                upper, below = windows.pop(0), None
                continue
            for limit in (" LIMIT 64", ""):  # the first few usually have two participants
                rows = self.store._read(
                    "MATCH (i:Interaction) WHERE i.date_end = $end WITH i WHERE i.date_start <= $day WITH i"
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
            "MATCH (i:Interaction) WHERE i.date_end >= $lo WITH i WHERE i.date_start <= $hi "
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
_KEY_AT = _COLUMNS.index("key") + 2  # a row of :func:`_rows`: [a, b, *values in _COLUMNS order]


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
        # (map, not a comprehension: a search reads a few thousand rows, tens of thousands of buckets)
        buckets = list(map(list, zip(bq, bs, bn, bl, bb, strict=True))) if bq else []
        out.append(PairRecord(a, b, ref, s, n, last, bits, first, buckets))
    return out




def update_top(
    keys: list[float], ids: list[str], tall: bool, changes: dict[str, float | None], size: int = TOP
) -> list[Any] | None:
    """An entity's list of strongest partners after some of its pairs changed (``changes``: partner ->
    new key, None for a pair gone): ``[keys, ids, tall]``; None when too few would be left to be sure of
    the order (the caller lists them again from the pairs).

    The list holds the entity's strongest partners (by key, then id); a partner not listed ranks below
    every listed one. So a changed pair goes in only if it ranks above the last listed before the
    change (or the list holds every partner); one that drops below it leaves the list."""
    listed = dict(zip(ids, keys, strict=True))
    worst = (-keys[-1], ids[-1]) if ids else None
    if not tall and worst is None:
        return None
    for w, k in changes.items():
        listed.pop(w, None)
        if k is not None and (tall or (-k, w) < worst):  # type: ignore[operator]
            listed[w] = k
    items = sorted(listed.items(), key=lambda x: (-x[1], x[0]))
    if len(items) > size:
        items, tall = items[:size], False
    if not tall and len(items) < size // 4:
        return None
    return [[k for _, k in items], [w for w, _ in items], tall]


def _top_of(partners: list[tuple[float, str]], size: int) -> list[Any]:
    """``[keys, ids, tall]`` of a list from (key, id) of partners strongest first, ``size`` asked for."""
    return [[k for k, _ in partners], [w for _, w in partners], len(partners) < size]


def _tops(fresh: dict[str, tuple[array[float], list[str]]]) -> Iterator[list[Any]]:
    """The rows of :meth:`Neo4jPairs._write_tops` for every entity of ``fresh`` (its keys and partners)."""
    for v, (keys, ids) in fresh.items():
        order = sorted(range(len(ids)), key=lambda i: (-keys[i], ids[i]))
        if len(order) > TOP:
            order = order[:TOP]
        yield [v, [keys[i] for i in order], [ids[i] for i in order], len(ids) <= TOP]
