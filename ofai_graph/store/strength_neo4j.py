"""The materialized pairs of :mod:`ofai_graph.materialize` on Neo4j: one relationship per pair,

    (:Entity {id: a})-[:STRENGTH {ref, ref_date, s, n, last, bits, first, bq, bs, bn, bl, bb}]->(:Entity {id: b})

with a < b, so that Cypher and Bloom users can query them (docs/strength-materialized.md: the pair's
points as of a date T after ``ref_date`` are ``s * 2^(-(T - ref)/half_life)``); ``bq…bb`` are the
quarter buckets as parallel lists (empty when all of the pair's interactions fall in one quarter).
The weights they were built with are on ``(:Meta {key: 'strength'})``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from ..bulk import batched

if TYPE_CHECKING:
    from ..materialize import PairRecord
    from ..strength import StrengthConfig
    from .base import Participation
    from .neo4j import Neo4jStore

_RETURN = "RETURN a.id, b.id, s.ref, s.s, s.n, s.last, s.bits, s.first, s.bq, s.bs, s.bn, s.bl, s.bb, s.key"
_INDEX = "CREATE INDEX ofai_interaction_dates IF NOT EXISTS FOR (n:Interaction) ON (n.date_end)"


class Neo4jPairs:
    def __init__(self, store: Neo4jStore):
        self.store = store
        # A schema command runs in a transaction of its own; the index serves :meth:`window`.
        with suppress(Exception):
            store._driver.execute_query(_INDEX, database_=store.database)

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

    def upsert(self, rows: list[PairRecord], half_life: float, *, fresh: bool = False) -> None:
        if not fresh:
            self.delete([(r.a, r.b) for r in rows])
        self.store._batches(
            "UNWIND $rows AS r MATCH (a:Entity {id: r.a}) MATCH (b:Entity {id: r.b}) "
            "CREATE (a)-[s:STRENGTH]->(b) SET s = r.p",
            [{"a": r.a, "b": r.b, "p": _properties(r, half_life)} for r in rows],
        )

    def delete(self, keys: list[tuple[str, str]]) -> None:
        self.store._batches(
            "UNWIND $rows AS r MATCH (b:Entity {id: r.b})<-[s:STRENGTH]-(a:Entity) WHERE a.id = r.a DELETE s",
            [{"a": a, "b": b} for a, b in keys],
        )

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
        out: list[PairRecord] = []
        for batch in batched(keys, 2_000):
            out.extend(
                _records(
                    self.store._read(
                        "UNWIND $rows AS r MATCH (b:Entity {id: r.b})<-[s:STRENGTH]-(a:Entity) WHERE a.id = r.a "
                        + _RETURN,
                        {"rows": [{"a": a, "b": b} for a, b in batch]},
                    )
                )
            )
        return out

    def neighbour_pages(self, v: str) -> Iterator[list[tuple[Any, ...]]]:
        """The pairs with ``v`` at either end, by ``key`` descending, in growing pages."""
        match = "MATCH (x:Entity {id: $v})-[s:STRENGTH]-(:Entity) WITH s, startNode(s) AS a, endNode(s) AS b "
        offset, size = 0, 256
        while True:
            rows = self.store._read(
                match + _RETURN + " ORDER BY s.key DESC, a.id, b.id SKIP $k LIMIT $n",
                {"v": v, "k": offset, "n": size},
            )
            yield [(*row, key) for row, key in zip(_records(rows), (r[-1] for r in rows), strict=True)]
            if len(rows) < size:
                return
            offset += size
            size = min(size * 4, 16_384)

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
            yield [(*row, key) for row, key in zip(_records(rows), (r[-1] for r in rows), strict=True)]
            if len(rows) < size:
                return
            offset += size
            size = min(size * 4, 16_384)

    def pairs_among(self, v: str, among: Collection[str]) -> list[tuple[Any, ...]]:
        ids = list(among)
        rows = self.store._read(
            "MATCH (a:Entity {id: $v})-[s:STRENGTH]->(b:Entity) WHERE b.id IN $ids " + _RETURN,
            {"v": v, "ids": ids},
        ) + self.store._read(
            "MATCH (b:Entity {id: $v})<-[s:STRENGTH]-(a:Entity) WHERE a.id IN $ids " + _RETURN,
            {"v": v, "ids": ids},
        )
        return list(_rows(rows))

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


def _properties(r: PairRecord, half_life: float) -> dict[str, Any]:
    from ..materialize import order_key

    b = r.buckets
    return {
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
    for a, b, ref, s, n, last, bits, first, bq, bs, bn, bl, bb, _ in rows:
        buckets = [list(x) for x in zip(bq or [], bs or [], bn or [], bl or [], bb or [], strict=True)]
        out.append(PairRecord(a, b, ref, s, n, last, bits, first, buckets))
    return out


def _rows(rows: Any) -> Iterator[tuple[Any, ...]]:
    """Stored rows with the key last (index 9), as :meth:`Neo4jPairs.neighbour_pages` yields them."""
    for r in _records(rows):
        yield (*r, None)
