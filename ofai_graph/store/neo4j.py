"""The Neo4j store: the same protocol as the embedded one, over the official driver and Bolt.

Graph layout (flat properties, one label per record type, an application string ``id`` on each):

    (:Entity {id, type, kind, name, countries, data})          countries, organizations, people
    (:Name {key, entity_id, label})                            one per folded name, for look-ups
    (:Located {country, entity_id, type, kind, name, countries}) one per country of an entity (v5)
    (:Interaction {id, date_start, date_end, kind, axis, status, data})
    (:Entity)-[:PARTICIPATED {role}]->(:Interaction)
    (:Tie {id, source, target, kind, data})                    a tie, found by id
    (:Entity)-[:TIE {id, kind}]->(:Entity)                     the same tie, for path queries
    (:Entity)-[:AFFILIATED]->(:Entity)                         a person's affiliations, from its record
    (:FollowUp {id, interaction_id, status, due_end, owner, expected_from, data})
    (:Meta {key: 'ofai', schema_version, revision})

``data`` holds the whole record as JSON, as in the embedded store, so an export from either backend
is byte-identical. Dates are ISO strings, not Cypher dates: partial dates are intervals, string
order is date order, and ArcadeDB keeps temporal values only between 1677 and 2262.

Every value goes to the server as a parameter; labels and relationship types are constants of this
module, never text from data. Writes go in ``UNWIND`` batches of :data:`BATCH` rows.

:meth:`Neo4jStore.write` runs in a managed transaction (``session.execute_write``): a transient
error, a lost connection or a cluster leader change makes the driver run the whole write again, for
up to ``max_retry_time`` seconds. That is safe because a write is an idempotent upsert: the re-run
finds what is already there and leaves it. :meth:`Neo4jStore.transaction` (many batches, reads in
between, used by imports) is one explicit transaction: on such an error it ends with nothing
written, and the import can be run again.

Portability (the same queries run on Neo4j 5 and ArcadeDB's Bolt endpoint; docs/neo4j.md has the
details): each constraint and index is created on its own with ``IF NOT EXISTS``; no ``NOT NULL``
constraints; records found absent are ``CREATE``d and changed ones ``SET`` through a ``MATCH`` on
``id``; relationships are created between nodes already bound by ``MATCH``; every pattern starts at
its indexed end (ArcadeDB does not reorder patterns); ordering that involves nulls is done in Python.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ..bulk import batched
from ..errors import N_, Detail, Msg, Phrase, StoreError
from ..model import Dataset, EntityModel, FollowUp, FollowUpStatus, Interaction, Tie
from ..text import fold_key
from .base import (
    ENTITY,
    NEWER_SCHEMA,
    BatchWriter,
    DayCache,
    EntitySummary,
    NameRow,
    Participation,
    SectionReport,
    StoredBatch,
    WriteReport,
    classify,
    dataset_of,
    entity_kind,
    entity_names,
)

BATCH = 2_000
WRITE_BATCH = 10_000
"""Rows per ``UNWIND`` write: a push's batch of 5,000 records is one statement per record type
(fixed costs per statement and round trip dominated pushes of 100,000 records at 2,000)."""

# Forward migrations, as in the embedded store: the list index + 1 is the version each produces.
MIGRATIONS: list[list[str]] = [
    [
        "CREATE CONSTRAINT ofai_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT ofai_interaction_id IF NOT EXISTS FOR (n:Interaction) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT ofai_followup_id IF NOT EXISTS FOR (n:FollowUp) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT ofai_tie_id IF NOT EXISTS FOR (n:Tie) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT ofai_meta_key IF NOT EXISTS FOR (n:Meta) REQUIRE n.key IS UNIQUE",
        "CREATE INDEX ofai_tie_source IF NOT EXISTS FOR (n:Tie) ON (n.source)",
        "CREATE INDEX ofai_tie_target IF NOT EXISTS FOR (n:Tie) ON (n.target)",
        "CREATE INDEX ofai_name_key IF NOT EXISTS FOR (n:Name) ON (n.key)",
        "CREATE INDEX ofai_name_entity IF NOT EXISTS FOR (n:Name) ON (n.entity_id)",
        "CREATE INDEX ofai_followup_interaction IF NOT EXISTS FOR (n:FollowUp) ON (n.interaction_id)",
    ],
    # v2: follow-ups found from the person or organization that owns them or is expected to act.
    [
        "CREATE INDEX ofai_followup_owner IF NOT EXISTS FOR (n:FollowUp) ON (n.owner)",
        "CREATE INDEX ofai_followup_expected IF NOT EXISTS FOR (n:FollowUp) ON (n.expected_from)",
    ],
    # v3: interactions by date (the materialized strength's reads as of a past date and the as-of
    # warning's newest interaction; it was created by every process that read the pairs, a schema
    # command per question, before), entities by kind (the office's own side: 1.1 s a question on
    # the benchmark's 100,000 entities without it).
    [
        "CREATE INDEX ofai_interaction_dates IF NOT EXISTS FOR (n:Interaction) ON (n.date_end)",
        "CREATE INDEX ofai_entity_kind IF NOT EXISTS FOR (n:Entity) ON (n.kind)",
        "CREATE INDEX ofai_strength_pair IF NOT EXISTS FOR ()-[s:STRENGTH]-() ON (s.pair)",
    ],
    # v4: each entity node lists its strongest partners (tk, tw, tall: strength_neo4j.py), written from
    # the pairs of a database pushed before (no index: the nodes are found by id).
    [],
    # v5: a country's entities through an index (`connect Korea`'s 3,277 of the benchmark's 100,000:
    # 0.3 s scanned, neither server indexes `$c IN n.countries`), as Located nodes that carry the
    # columns of an entity summary (loading the 3,277 entity nodes by id cost 0.15 s more); and
    # interactions by their start (a hop's newest interactions since a day: those that end after it
    # are ten times as many, the year- and quarter-long ones).
    [
        "CREATE INDEX ofai_located_country IF NOT EXISTS FOR (n:Located) ON (n.country)",
        "CREATE INDEX ofai_located_entity IF NOT EXISTS FOR (n:Located) ON (n.entity_id)",
        "CREATE INDEX ofai_interaction_start IF NOT EXISTS FOR (n:Interaction) ON (n.date_start)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


class Neo4jStore:
    """A store on a Neo4j (or any Bolt/Cypher) server.

    Open one with :func:`ofai_graph.store.open_store` (``bolt://``, ``neo4j://``, ``neo4j+s://``
    addresses, credentials from arguments or ``NEO4J_*`` variables); the password is never part of
    :attr:`location` or any message.
    """

    backend = "neo4j"
    remote = True  # every read crosses the network: analytics fetch neighbourhoods, not whole graphs
    folder: Path | None = None

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str | None = None,
        *,
        max_retry_time: float = 30.0,
    ):
        from neo4j import GraphDatabase

        self.uri = uri
        self.database = database or None
        self.location = f"{uri}/{database}" if database else uri
        self._tx: Any = None
        self._snapshot = False
        try:
            self._driver = GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=10.0,
                max_transaction_retry_time=max_retry_time,
            )
            self._driver.verify_connectivity()
            self._migrate()
        except Exception as exc:
            self._close_quietly()
            raise _error(exc, self.location, N_("cannot open store")) from exc

    # -- lifecycle -----------------------------------------------------------------------------------
    def close(self) -> None:
        self._close_quietly()

    def _close_quietly(self) -> None:
        driver = getattr(self, "_driver", None)
        if driver is not None:
            # Closing a driver whose server is gone must not hide the real error.
            with suppress(Exception):
                driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def server_info(self) -> dict[str, str]:
        info = self._driver.get_server_info()
        return {
            "address": str(info.address),
            "agent": info.agent,
            "protocol": ".".join(map(str, info.protocol_version)),
        }

    def missing_schema(self) -> list[str]:
        """Constraints and indexes of this schema version that the server does not list.

        Checked with ``SHOW CONSTRAINTS`` / ``SHOW INDEXES`` rather than trusted: ArcadeDB parses some
        constraint forms differently and could accept a statement without creating what it says.
        """
        import re

        listed: set[str] = set()
        for query in ("SHOW CONSTRAINTS", "SHOW INDEXES"):
            try:
                records, _, _ = self._driver.execute_query(query, database_=self.database, routing_="r")
            except Exception:  # a server without the command: nothing listed, everything reported
                continue
            listed |= {str(r.get("name")) for r in records}
        wanted = [
            m.group(1)
            for statements in MIGRATIONS[: self.schema_version()]
            for stmt in statements
            if (m := re.match(r"CREATE (?:CONSTRAINT|INDEX) (\w+)", stmt))
        ]
        return [name for name in wanted if name not in listed]

    def _meta(self) -> dict[str, Any]:
        rows = self._read("MATCH (m:Meta {key: 'ofai'}) RETURN m.schema_version AS v, m.revision AS r")
        return {"v": rows[0][0] or 0, "r": rows[0][1] or 0} if rows else {"v": 0, "r": 0}

    def schema_version(self) -> int:
        return int(self._meta()["v"])

    def revision(self) -> int:
        return int(self._meta()["r"])

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(NEWER_SCHEMA, location=self.location, found=current, known=SCHEMA_VERSION)
        for version in range(current + 1, SCHEMA_VERSION + 1):
            # Schema commands cannot share a transaction with data writes on Neo4j: one each.
            for statement in MIGRATIONS[version - 1]:
                self._driver.execute_query(statement, database_=self.database)
            if version == 3:  # pairs written before v3 get their indexed ``pair`` (strength_neo4j.py)
                while self._driver.execute_query(
                    "MATCH (a:Entity)-[s:STRENGTH]->(b:Entity) WHERE s.pair IS NULL WITH a, s, b LIMIT 100000 "
                    "SET s.pair = a.id + ' ' + b.id RETURN count(*)",
                    database_=self.database,
                ).records[0][0]:
                    pass
            if version == 4:  # (a second run after a crash here writes the same lists again)
                from .strength_neo4j import Neo4jPairs

                Neo4jPairs(self).index_partners()
            if version == 5:  # (from scratch: a second run after a crash writes the same nodes)
                self._driver.execute_query("MATCH (n:Located) DELETE n", database_=self.database)
                rows = self._read("MATCH (n:Entity) WHERE size(n.countries) > 0 RETURN n.id, n.type, n.kind, n.name, n.countries")
                for batch in batched(_located(rows), WRITE_BATCH):
                    self._driver.execute_query(_LOCATED_CREATE, {"rows": batch}, database_=self.database)
            self._driver.execute_query(
                "MERGE (m:Meta {key: 'ofai'}) SET m.schema_version = $v, m.revision = coalesce(m.revision, 0)",
                {"v": version},
                database_=self.database,
            )

    # -- plumbing ------------------------------------------------------------------------------------
    def _read(self, query: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        """Rows as lists; inside :meth:`transaction`, through it (so reads see its writes)."""
        try:
            if self._tx is not None:
                return [list(r.values()) for r in self._tx.run(query, params or {})]
            records, _, _ = self._driver.execute_query(
                query, params or {}, database_=self.database, routing_="r"
            )
            return [list(r.values()) for r in records]
        except Exception as exc:
            raise _error(exc, self.location, N_("reading failed")) from exc

    def _stream(self, query: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Rows one at a time, for results too big to hold (all participations of a large graph)."""
        if self._tx is not None:
            yield from self._tx.run(query, params or {})
            return
        try:
            with self._driver.session(database=self.database, fetch_size=10_000) as session:
                yield from session.run(query, params or {})
        except Exception as exc:
            raise _error(exc, self.location, N_("reading failed")) from exc

    def _batches(self, query: str, rows: Sequence[Any], key: str = "rows") -> None:
        if ":Interaction" in query:
            self._looked_up = None  # (interactions written: an earlier look-up may no longer hold)
        for part in batched(rows, WRITE_BATCH):
            batch = _Rows(part)
            part.clear()
            self._tx.run(query, {key: batch}).consume()
            # The driver keeps the parameters referenced from its own reference cycles until the
            # collector runs: emptied here, the rows are freed now (a copy pauses the collector).
            batch.clear()

    # -- writes --------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[BatchWriter]:
        """One server transaction for many batches: all of them land, or none (on any exception)."""
        if self._tx is not None:
            raise StoreError(N_("a transaction is already open on this store"))
        writer = BatchWriter(self._write_batch)
        try:
            session = self._driver.session(database=self.database)
        except Exception as exc:
            raise _error(exc, self.location, N_("writing failed, nothing was written")) from exc
        try:
            self._tx = session.begin_transaction()
            try:
                # Materialized strength (ofai_graph.materialize), kept up to date in this transaction.
                from ..materialize import Maintainer

                strength = Maintainer(self)
                writer = BatchWriter(strength.wrap(self._write_batch))
                yield writer
                strength.flush()
                if writer.report.changed:
                    self._tx.run(_REVISION).consume()
                self._tx.commit()
            except BaseException:
                # The server may be gone; it drops an unfinished transaction itself.
                with suppress(Exception):
                    self._tx.rollback()
                raise
        except StoreError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("neo4j"):
                raise _error(exc, self.location, N_("writing failed, nothing was written")) from exc
            raise
        finally:
            self._tx = None
            with suppress(Exception):
                session.close()

    def write(self, data: Dataset, *, new: bool = False, maintain: bool = True) -> WriteReport:
        """One managed transaction: retried by the driver on transient errors (see the module doc).

        With ``new`` (a push into an empty database) records are created without looking them up
        first: the look-ups cost a push as much as its writes. A record there after all breaks a
        uniqueness constraint, and the write fails with nothing written. ``maintain=False`` leaves the
        materialized pairs alone: a push into a database without them copies the source's at the end
        (:func:`ofai_graph.sync.copy`).
        """
        if self._tx is not None:
            raise StoreError(N_("a transaction is already open on this store"))

        def work(tx: Any) -> WriteReport:
            self._tx = tx
            try:
                # Materialized strength (ofai_graph.materialize), in this transaction too.
                from ..materialize import Maintainer

                if not maintain:
                    report = self._write_batch(data, new=new)
                else:
                    strength = Maintainer(self)
                    report = strength.wrap(self._write_batch)(data, new=new)
                    strength.flush()
                if report.changed:
                    tx.run(_REVISION).consume()
                return report
            finally:
                self._tx = None

        try:
            with self._driver.session(database=self.database) as session:
                return session.execute_write(work)  # type: ignore[no-any-return]
        except StoreError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("neo4j") or isinstance(exc, OSError):
                raise _error(exc, self.location, N_("writing failed, nothing was written")) from exc
            raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside run in one read transaction (on Neo4j: read-committed, one transaction)."""
        if self._tx is not None:
            yield
            return
        from neo4j import READ_ACCESS

        try:
            session = self._driver.session(
                database=self.database, default_access_mode=READ_ACCESS, fetch_size=10_000
            )
            tx = session.begin_transaction()
        except Exception as exc:
            raise _error(exc, self.location, N_("reading failed")) from exc
        self._tx = tx
        self._snapshot = True  # a question: what it reads may be kept until it ends (strength_neo4j)
        try:
            yield
        finally:
            self._tx = None
            self._snapshot = False
            with suppress(Exception):
                tx.close()
            with suppress(Exception):
                session.close()

    def _existing(self, label: str, ids: Sequence[str]) -> dict[str, str]:
        # (one row: ArcadeDB's cost per row sent exceeds a node's read: 781 records 0.07 s as rows,
        # 0.015 s as one list)
        query = f"UNWIND $ids AS id MATCH (n:{_LABELS[label]} {{id: id}}) RETURN collect([n.id, n.data])"
        found: dict[str, str] = {}
        for batch in batched(ids, WRITE_BATCH):
            (rows,), = self._read(query, {"ids": _Rows(batch)})
            found.update(rows)
        return found

    def _split(
        self, label: str, records: Sequence[Any]
    ) -> tuple[list[tuple[Any, str]], list[tuple[Any, str]], int]:
        looked_up = None
        if label == "Interaction":
            looked_up, self._looked_up = self._looked_up, None
        if self._new:
            existing: dict[str, str] = {}
        elif looked_up is not None and looked_up[0] is self._tx and looked_up[1] == list(dict.fromkeys(r.id for r in records)):
            existing = looked_up[2]
        else:
            existing = self._existing(label, [r.id for r in records])
        return classify(records, existing, self._known)

    _new = False
    _looked_up: tuple[Any, list[str], dict[str, str]] | None = None
    _known: Callable[[Any], str | None] | None = None

    def _write_batch(self, data: Dataset, *, new: bool = False) -> WriteReport:
        self._new = new
        self._known = data.stored_json() if isinstance(data, StoredBatch) else None
        try:
            return self._write_sections(data)
        finally:
            self._new = False
            self._known = None

    def _write_sections(self, data: Dataset) -> WriteReport:
        report = WriteReport()
        report.sections["entities"] = self._write_entities(data.entities())
        report.sections["interactions"] = self._write_interactions(data.interactions)
        report.sections["followups"] = self._write_followups(data.followups)
        report.sections["ties"] = self._write_ties(data.ties)
        return report

    def _upsert(
        self, label: str, columns: Sequence[str], new: list[list[Any]], changed: list[list[Any]], then: str = ""
    ) -> None:
        """New records are created outright (the look-up in :meth:`_split` showed they are absent; the
        uniqueness constraint still guards against a concurrent writer); changed ones are set in place.

        Rows are lists in ``columns`` order, not maps: the keys of a map row travel (and are unpacked
        on the server) once per row. ``then`` continues the ``CREATE`` with ``n`` and ``r`` bound: a
        record's relationships are made in the same statement, from the node just created, instead of
        finding it again by id.
        """
        if new:
            self._batches(f"UNWIND $rows AS r CREATE (n:{label} {_properties(columns)}){then}", new)
        self._batches(
            f"UNWIND $rows AS r MATCH (n:{label} {{id: r[0]}}) SET n = {_properties(columns)}", changed
        )

    def _write_entities(self, entities: list[EntityModel]) -> SectionReport:
        new, changed, same = self._split("Entity", entities)
        todo = [*new, *changed]

        def row(e: EntityModel, js: str) -> list[Any]:
            return [e.id, e.type, entity_kind(e), e.name, list(e.countries), js]

        if changed:
            ids = [e.id for e, _ in changed]
            self._batches("UNWIND $ids AS id MATCH (n:Name {entity_id: id}) DELETE n", ids, "ids")
            self._batches("UNWIND $ids AS id MATCH (n:Located {entity_id: id}) DELETE n", ids, "ids")
            self._batches(
                "UNWIND $ids AS id MATCH (:Entity {id: id})-[a:AFFILIATED]->() DELETE a", ids, "ids"
            )
        columns = ("id", "type", "kind", "name", "countries", "data")
        self._upsert("Entity", columns, [row(*x) for x in new], [row(*x) for x in changed])
        self._batches(
            "UNWIND $rows AS r MATCH (p:Entity {id: r[0]}) MATCH (o:Entity {id: r[1]}) "
            "CREATE (p)-[:AFFILIATED]->(o)",
            [
                [e.id, org]
                for e, _ in todo
                for org in dict.fromkeys(a.organization for a in getattr(e, "affiliations", ()))
            ],
        )
        self._batches(_LOCATED_CREATE, _located(row(e, "")[:5] for e, _ in todo if e.countries))
        names = {(fold_key(n), e.id): n for e, _ in todo for n in reversed(entity_names(e)) if fold_key(n)}
        self._batches(
            "UNWIND $rows AS r CREATE (n:Name {key: r[0], entity_id: r[1], label: r[2]})",
            [[k, eid, label] for (k, eid), label in names.items()],
        )
        return SectionReport(len(new), len(changed), same)

    def _write_interactions(self, interactions: list[Interaction]) -> SectionReport:
        new, changed, same = self._split("Interaction", interactions)

        def row(i: Interaction, js: str) -> list[Any]:
            d = i.date
            return [
                i.id,
                d.start.isoformat(),
                d.end.isoformat(),
                i.kind._value_,  # the attribute, not the property: a fifth of a push's row building
                i.axis._value_ if i.axis is not None else None,
                i.status._value_,
                js,
                # The participants, created from the new node in the same statement (see _upsert).
                [[p[0], p[1]._value_] for p in dict.fromkeys(i.participants)],
            ]

        if changed:
            self._batches(
                "UNWIND $ids AS id MATCH (:Interaction {id: id})<-[p:PARTICIPATED]-(:Entity) DELETE p",
                [i.id for i, _ in changed],
                "ids",
            )
        columns = ("id", "date_start", "date_end", "kind", "axis", "status", "data")
        changed_rows = [row(*x) for x in changed]
        self._upsert(
            "Interaction",
            columns,
            [row(*x) for x in new],
            [r[:-1] for r in changed_rows],
            then=" WITH n, r UNWIND r[7] AS p MATCH (e:Entity {id: p[0]}) CREATE (e)-[:PARTICIPATED {role: p[1]}]->(n)",
        )
        self._batches(
            "UNWIND $rows AS r MATCH (e:Entity {id: r[1]}) MATCH (i:Interaction {id: r[0]}) "
            "CREATE (e)-[:PARTICIPATED {role: r[2]}]->(i)",
            [[r[0], e, role] for r in changed_rows for e, role in r[-1]],
        )
        return SectionReport(len(new), len(changed), same)

    def _write_followups(self, followups: list[FollowUp]) -> SectionReport:
        new, changed, same = self._split("FollowUp", followups)

        def row(f: FollowUp, js: str) -> list[Any]:
            due = f.due.end.isoformat() if f.due else None
            return [f.id, f.interaction, f.status._value_, due, f.owner, f.expected_from, js]

        columns = ("id", "interaction_id", "status", "due_end", "owner", "expected_from", "data")
        self._upsert("FollowUp", columns, [row(*x) for x in new], [row(*x) for x in changed])
        return SectionReport(len(new), len(changed), same)

    def _write_ties(self, ties: list[Tie]) -> SectionReport:
        # A tie is a (:Tie) node, found by its id through the uniqueness constraint, plus the TIE
        # relationship that path queries walk. A changed tie may have new ends: its old relationship
        # is found from its old source (kept on the node) and replaced.
        new, changed, same = self._split("Tie", ties)

        def row(t: Tie, js: str) -> list[Any]:
            return [t.id, t.source, t.target, t.kind._value_, js]

        if changed:
            self._batches(
                "UNWIND $ids AS id MATCH (t:Tie {id: id}) MATCH (:Entity {id: t.source})-[r:TIE {id: id}]->() DELETE r",
                [t.id for t, _ in changed],
                "ids",
            )
        columns = ("id", "source", "target", "kind", "data")
        relationship = (
            " MATCH (a:Entity {id: r[1]}) MATCH (b:Entity {id: r[2]}) CREATE (a)-[:TIE {id: r[0], kind: r[3]}]->(b)"
        )
        changed_rows = [row(*x) for x in changed]
        self._upsert("Tie", columns, [row(*x) for x in new], changed_rows, then=" WITH r" + relationship)
        self._batches("UNWIND $rows AS r" + relationship, changed_rows)
        return SectionReport(len(new), len(changed), same)

    # -- reads ---------------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        out = {t: 0 for t in ("country", "organization", "person")}
        out.update({r[0]: r[1] for r in self._read("MATCH (n:Entity) RETURN n.type, count(*)")})
        out["interactions"] = self._read("MATCH (i:Interaction) RETURN count(i)")[0][0]
        out["followups"] = self._read("MATCH (f:FollowUp) RETURN count(f)")[0][0]
        out["ties"] = self._read("MATCH (t:Tie) RETURN count(t)")[0][0]
        out["open_followups"] = self._read("MATCH (f:FollowUp) WHERE f.status = 'open' RETURN count(f)")[0][0]
        return out

    def facets(self) -> dict[str, dict[str, int]]:
        queries = {
            "entity_type": "MATCH (n:Entity) RETURN n.type, count(*)",
            "organization_kind": "MATCH (n:Entity) WHERE n.type = 'organization' RETURN n.kind, count(*)",
            "interaction_kind": "MATCH (i:Interaction) RETURN i.kind, count(*)",
            "axis": "MATCH (i:Interaction) RETURN coalesce(i.axis, 'none'), count(*)",
            "status": "MATCH (i:Interaction) RETURN i.status, count(*)",
            "year": "MATCH (i:Interaction) RETURN substring(i.date_start, 0, 4), count(*)",
            "followup_status": "MATCH (f:FollowUp) RETURN f.status, count(*)",
        }
        return {name: {r[0]: r[1] for r in self._read(q)} for name, q in queries.items()}

    def participation_counts(self, limit: int = 10) -> list[tuple[str, int]]:
        rows = self._read(
            "MATCH (e:Entity)-[:PARTICIPATED]->(i:Interaction) WITH e.id AS id, count(DISTINCT i.id) AS n "
            "RETURN id, n ORDER BY n DESC, id LIMIT $limit",
            {"limit": limit},
        )
        return [(r[0], r[1]) for r in rows]

    def get_entities(self, ids: Iterable[str]) -> dict[str, EntityModel]:
        q = self._question()
        wanted = list(dict.fromkeys(ids))
        known: dict[str, Any] = q["entity"] if q is not None else {}
        if missing := [i for i in wanted if i not in known]:
            rows = self._existing("Entity", missing)
            fresh = {i: ENTITY.validate_json(rows[i]) if i in rows else None for i in missing}
            if q is None:
                return {i: e for i, e in fresh.items() if e is not None}
            known.update(fresh)
        return {i: e for i in wanted if (e := known[i]) is not None}

    def entity_summaries(
        self,
        ids: Collection[str] | None = None,
        *,
        kinds: Collection[str] | None = None,
        country: str | None = None,
    ) -> Iterator[EntitySummary]:
        query = "UNWIND $ids AS id MATCH (n:Entity {id: id})" if ids is not None else "MATCH (n:Entity)"
        where = (["n.kind IN $kinds"] if kinds is not None else []) + (
            ["$country IN n.countries"] if country is not None else []
        )
        columns = "n.id, n.type, n.kind, n.name, n.countries"
        if country is not None and ids is None:  # (through the index on Located.country: schema v5)
            query, where = "MATCH (n:Located {country: $country})", where[:-1]
            columns = "n.entity_id, n.type, n.kind, n.name, n.countries"
        if where:
            query += " WHERE " + " AND ".join(where)
        params = {"ids": sorted(set(ids or ())), "kinds": sorted(set(kinds or ())), "country": country}
        if where or ids is not None or country is not None:
            # A few thousand as one row: ArcadeDB spends more on each row it sends than on reading the
            # node (the 7,992 entities of the office's own kinds: 0.63 s as rows, 0.23 s as one list).
            (rows,), = self._read(query + f" RETURN collect([{columns}])", params)
        else:
            rows = self._read(query + f" RETURN {columns}", params)
        # Sorted here: the server would sort in its heap.
        for id_, type_, kind, name, countries in sorted(rows):
            yield EntitySummary(id_, type_, kind, name, tuple(countries or ()))

    def find_by_key(self, key: str) -> list[str]:
        return [r[0] for r in self._read("MATCH (n:Name {key: $key}) RETURN n.entity_id", {"key": key})]

    def tagged(self) -> dict[str, list[str]]:

        out: dict[str, list[str]] = {}
        for eid, data in sorted(self._read("MATCH (e:Entity) RETURN e.id, e.data")):
            for tag in json.loads(data).get("tags") or ():
                out.setdefault(tag, []).append(eid)
        return out

    def name_rows(self) -> list[NameRow]:
        return [
            NameRow(r[0], r[1])
            for r in self._read("MATCH (n:Name) RETURN n.entity_id, n.label ORDER BY n.key, n.entity_id")
        ]

    def get_interactions(self, ids: Iterable[str]) -> dict[str, Interaction]:
        wanted = list(dict.fromkeys(ids))
        rows = self._existing("Interaction", wanted)
        if self._tx is not None and not self._snapshot:
            # A write's strength upkeep asks before the batch is written; the write's own look-up of
            # the same ids (_split) takes this answer instead of a second round trip.
            self._looked_up = (self._tx, wanted, rows)
        return {i: Interaction.model_validate_json(js) for i, js in rows.items()}

    def interactions_of(self, entity_id: str, limit: int | None = None) -> list[Interaction]:
        rows = self._read(
            "MATCH (:Entity {id: $id})-[:PARTICIPATED]->(i:Interaction) "
            "WITH DISTINCT i RETURN i.data ORDER BY i.date_start DESC, i.date_end DESC, i.id"
            + (" LIMIT $limit" if limit is not None else ""),
            {"id": entity_id, "limit": limit},
        )
        return [Interaction.model_validate_json(r[0]) for r in rows]

    def interaction_count(self, entity_id: str) -> int:
        rows = self._read(
            "MATCH (:Entity {id: $id})-[:PARTICIPATED]->(i:Interaction) RETURN count(DISTINCT i)", {"id": entity_id}
        )
        return int(rows[0][0]) if rows else 0

    def shared_interactions(
        self, a: str, b: str, limit: int | None = None, until: dt.date | None = None
    ) -> list[Interaction]:
        # Walk from the end with fewer interactions: from the office (700,000 interactions in the
        # benchmark graph) to a partner took 4.4 s, from the partner 0.09 s. ArcadeDB does not choose:
        # it walks from the first node of the pattern (both ends bound first: half the time of
        # matching the second end by id). An entity whose list of partners holds them all
        # (strength_neo4j.py, schema v4: at most TOP partners) is taken for the smaller end without
        # counting; between two hubs, interactions are counted (capped first: counting 700,000
        # relationships is not free; in full only on a tie).
        listed = self._hubs([a, b])
        if listed.get(a, (False, 0)) > listed.get(b, (False, 0)):
            a, b = b, a
        if listed.get(a, (False, 0))[0] and limit is not None:  # two hubs
            found = self._shared_recently(a, b, limit, until)
            if found is not None:
                return found
        return self._shared_walked(a, b, limit, until, listed)

    def _shared_walked(
        self,
        a: str,
        b: str,
        limit: int | None,
        until: dt.date | None,
        listed: dict[str, tuple[bool, int]] | None = None,
    ) -> list[Interaction]:
        """:meth:`shared_interactions` by walking the relationships of the end with fewer interactions
        (``listed``: :meth:`_hubs` of the two, when read already)."""
        listed = self._hubs([a, b]) if listed is None else listed
        if listed.get(a, (False, 0)) > listed.get(b, (False, 0)):
            a, b = b, a
        if listed.get(a, (False, 0))[0]:
            degree: dict[str, int] = {}
            for cap in (20_000, None):
                capped = f"WITH p LIMIT {cap} " if cap else ""
                degree = {
                    r[0]: r[1]
                    for r in self._read(
                        "UNWIND $ids AS id CALL { WITH id MATCH (:Entity {id: id})-[p:PARTICIPATED]->() "
                        + capped
                        + "RETURN count(p) AS n } RETURN id, n",
                        {"ids": [a, b]},
                    )
                }
                if cap is None or min(degree.values(), default=0) < cap:
                    break
            if degree.get(a, 0) > degree.get(b, 0):
                a, b = b, a
        rows = self._read(
            "MATCH (a:Entity {id: $a}) MATCH (b:Entity {id: $b}) "
            "MATCH (a)-[:PARTICIPATED]->(i:Interaction)<-[:PARTICIPATED]-(b) WHERE i.date_start <= $u "
            "WITH DISTINCT i RETURN i.data ORDER BY i.date_start DESC, i.id"
            + (f" LIMIT {int(limit)}" if limit is not None else ""),  # ArcadeDB: no parameter here
            {"a": a, "b": b, "u": _last_start(until)},
        )
        return [Interaction.model_validate_json(r[0]) for r in rows]

    WINDOW = 40_000
    """Interactions at most that :meth:`_shared_recently` has the server check for the two entities
    (on the generated million, the 27,168 that start between a quarter's first day and a day in its
    second month, checked in 0.06-0.11 s; walking two hubs' relationships instead took 0.13-0.29 s)."""

    def _hubs(self, ids: list[str]) -> dict[str, tuple[bool, int]]:
        """Per entity, whether its list of partners leaves some out and the list's length (the order in
        which :meth:`shared_interactions` takes the ends); within a question, from the first pages of
        the lists the search read (strength_neo4j.Neo4jPairs._heads), else one read."""
        from ..materialize import ops

        pairs = ops(self)
        heads = pairs._heads if self._question() is not None and pairs._reading() else {}
        if all(v in heads for v in ids):
            return {v: (not heads[v][3], heads[v][2]) for v in ids}
        return {
            r[0]: (r[2] is False, r[1] or 0)
            for r in self._read("UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN id, size(n.tk), n.tall", {"ids": ids})
        }

    def _recent_starts(self, x: str, y: str) -> tuple[list[int] | None, int | None]:
        """The starts (ordinals) of the pair's recent contributions and the strength's ``recent_cut``;
        within a question, those of a pair the search read come with it, and the cut is read once."""
        from ..materialize import ops

        q = self._question()
        pairs = ops(self)
        seen = pairs._seen if q is not None and pairs._reading() else {}
        if (x, y) in seen:
            starts: list[int] | None = [r[2] for r in seen[(x, y)]] or None
        else:
            # (two reads: ArcadeDB does not use the index on ``pair`` after another MATCH)
            rows = self._read("MATCH ()-[s:STRENGTH]->() WHERE s.pair = $p RETURN s.rst", {"p": f"{x} {y}"})
            starts = rows[0][0] if rows else None
        if q is None or "cut" not in q["meta"]:
            cut = self._read("MATCH (m:Meta {key: 'strength'}) RETURN m.recent_cut")
            found = cut[0][0] if cut else None
            if q is None:
                return starts, found
            q["meta"]["cut"] = found
        return starts, q["meta"]["cut"]

    def _shared_recently(self, a: str, b: str, limit: int, until: dt.date | None = None) -> list[Interaction] | None:
        """The newest ``limit`` interactions of two hubs found through the index on the interactions'
        starts rather than by walking either (their relationships, ~0.4 s for 15,000): the pair's recent
        contributions (strength_neo4j.py) give the starts of its newest interactions; every interaction
        of the pair that starts on or after the ``limit``-th newest is among those starting on or after
        it. None when that is not known (too few recent ones, or one could be older than the recent
        cut) or would mean checking more than :data:`WINDOW` interactions."""
        day = self._window_day(a, b, limit, until)
        if day is None:
            return None
        found = self._windows(day, until, [(a, b)], limit)
        return None if found is None else found.get((a, b))

    def _window_day(self, a: str, b: str, limit: int, until: dt.date | None) -> str | None:
        """The first day of the window :meth:`_shared_recently` checks for two hubs, or None."""
        x, y = sorted((a, b))
        starts, cut = self._recent_starts(x, y)
        if starts is not None and until is not None:
            starts = [s for s in starts if s <= until.toordinal()]
        if starts is None or len(starts) < limit:
            return None
        since = sorted(starts, reverse=True)[limit - 1]
        if cut is None or since < cut:  # (one before the cut could start after it)
            return None
        return dt.date.fromordinal(since).isoformat()

    def _windows(
        self, day: str, until: dt.date | None, pairs: list[tuple[str, str]], limit: int
    ) -> dict[tuple[str, str], list[Interaction]] | None:
        """The newest ``limit`` shared interactions of each pair among those starting from ``day`` to
        ``until``: the window read once for them all (hubs' windows mostly begin on the same day, a
        quarter's first). None when it holds more than :data:`WINDOW` interactions; a pair for which
        the window holds fewer than ``limit`` (its recent rows promised them) is left out, to be read
        the other way."""
        # The server keeps the candidates that name both (their participants are checked here): the
        # window's records sent took longer than finding them (4,203 of them: 0.23 s against 0.02 s).
        rows = self._read(
            "MATCH (i:Interaction) WHERE i.date_start >= $d AND i.date_start <= $u WITH i LIMIT $n WITH collect(i) AS c "
            "UNWIND range(0, size($marks) - 1) AS k "
            "RETURN size(c), k, [x IN c WHERE x.data CONTAINS $marks[k][0] AND x.data CONTAINS $marks[k][1] "
            "| [x.date_start, x.id, x.data]]",
            {"d": day, "u": _last_start(until), "n": self.WINDOW + 1, "marks": [[f'"{a}"', f'"{b}"'] for a, b in pairs]},
        )
        if not rows or rows[0][0] > self.WINDOW:
            return None
        out: dict[tuple[str, str], list[Interaction]] = {}
        for _size, k, candidates in rows:
            a, b = pairs[k]
            found = [r for r in candidates if {a, b} <= {_participant(x) for x in json.loads(r[2])["participants"]}]
            found.sort(key=lambda r: r[1])
            found.sort(key=lambda r: r[0], reverse=True)
            if len(found) >= limit:
                out[(a, b)] = [Interaction.model_validate_json(r[2]) for r in found[:limit]]
        return out

    def shared_interactions_many(
        self, pairs: Sequence[tuple[str, str]], limit: int | None = None, until: dt.date | None = None
    ) -> dict[tuple[str, str], list[Interaction]]:
        # Pairs of two hubs whose windows begin on the same day are read in one statement; the others
        # one by one, as shared_interactions reads them.
        out: dict[tuple[str, str], list[Interaction]] = {}
        by_day: dict[str, list[tuple[str, str]]] = {}
        for a, b in dict.fromkeys(pairs):
            listed = self._hubs([a, b])
            day = None
            if limit is not None and listed.get(a, (False, 0))[0] and listed.get(b, (False, 0))[0]:
                day = self._window_day(a, b, limit, until)
            if day is None:  # (no window: shared_interactions would walk it too)
                out[(a, b)] = self._shared_walked(a, b, limit, until, listed)
            else:
                by_day.setdefault(day, []).append((a, b))
        for day, group in by_day.items():
            found = self._windows(day, until, group, limit) if limit is not None else None
            for pair in group:
                read = found.get(pair) if found is not None else None
                out[pair] = read if read is not None else self._shared_walked(*pair, limit, until)
        return out

    def participations(
        self, around: Collection[str] | None = None, axes: Collection[str] | None = None
    ) -> Iterator[Participation]:
        # One row per interaction with its participants as a list (a pattern comprehension, computed
        # row by row), streamed, with no ORDER BY or grouping across rows: on a million interactions
        # either would be held in the server's heap (ArcadeDB refuses past its 2 GB query budget), and
        # the scorer orders interactions itself. 2.5x faster than one row per participant.
        day = DayCache()
        on_axes = " WHERE i.axis IN $axes" if axes is not None else ""
        params: dict[str, Any] = {"axes": [str(a) for a in axes] if axes is not None else None}
        tail = (
            " RETURN i.id, i.date_start, i.date_end, i.kind, i.status,"
            " [(i)<-[p:PARTICIPATED]-(e:Entity) | [e.id, p.role]]"
        )

        def flatten(rows: Iterable[Any], skip: set[str]) -> Iterator[Participation]:
            for iid, start, end, kind, status, members in rows:
                if iid in skip:
                    continue
                s, e = day[start], day[end]
                for eid, role in members:
                    yield (iid, s, e, kind, status, eid, role)  # type: ignore[misc]

        if around is None:
            yield from flatten(self._stream("MATCH (i:Interaction)" + on_axes + tail, params), set())
            return
        # A few thousand anchors a query; an interaction reached from two chunks is sent once.
        ids = list(around)
        done: set[str] = set()
        query = (
            "UNWIND $ids AS id MATCH (:Entity {id: id})-[:PARTICIPATED]->(i:Interaction)"
            + on_axes
            + " WITH DISTINCT i"
            + tail
        )
        for batch in batched(ids, BATCH):
            rows = self._read(query, {**params, "ids": batch})
            yield from flatten(rows, done)
            done.update(r[0] for r in rows)

    def neighbors(self, ids: Collection[str], limit: int | None = None) -> set[str]:
        # LIMIT lets the server stop early: the office's 99,120 partners took 6.9 s, the first
        # 25,000 0.6 s, and a caller with a limit only needs to know there are too many.
        params = {"ids": list(ids), "limit": limit}
        cap = " LIMIT $limit" if limit is not None else ""
        out: set[str] = set()
        for pattern in (
            "(:Entity {id: id})-[:PARTICIPATED]->(:Interaction)<-[:PARTICIPATED]-(b:Entity)",
            "(:Entity {id: id})-[:TIE|AFFILIATED]-(b:Entity)",
        ):
            out.update(
                r[0]
                for r in self._read(
                    f"UNWIND $ids AS id MATCH {pattern} WHERE NOT b.id IN $ids RETURN DISTINCT b.id{cap}",
                    params,
                )
            )
        return out

    # -- a question's read-ahead -------------------------------------------------------------------
    # A path search on the materialized pairs asks, for every entity it expands, for its ties, the people
    # affiliated with it, those people's records and the pairs of its bonds: five round trips each,
    # for a thousand entities and more. Within a question (Store.snapshot: one read transaction, so
    # nothing read can change meanwhile) they are read for a few hundred entities at a time: the one
    # asked for and those the pairs' pages met (strength_neo4j.Neo4jPairs.upcoming), and kept until
    # the question ends.
    READ_AHEAD = 256

    def _question(self) -> dict[str, dict[str, Any]] | None:
        if not self._snapshot or self._tx is None:
            return None
        if getattr(self, "_q_tx", None) is not self._tx:
            self._q_tx = self._tx
            self._q: dict[str, dict[str, Any]] = {"ties": {}, "tie": {}, "people": {}, "entity": {}, "meta": {}}
        return self._q

    def _read_ahead(self, q: dict[str, dict[str, Any]], ids: Collection[str]) -> None:
        from ..materialize import ops

        pairs = ops(self)
        ahead = pairs.upcoming() if len(ids) == 1 else []
        batch = list(dict.fromkeys([*ids, *(w for w in ahead if w not in q["ties"])]))
        batch = batch[: max(len(ids), self.READ_AHEAD)]
        ties, people = q["ties"], q["people"]
        for w in batch:
            ties[w], people[w] = set(), set()
        # One statement, each answer one row (ArcadeDB's cost per row sent exceeds its cost per node
        # read): four statements cost three more round trips each time.
        (tied_s, tied_t, affiliated, persons), = self._read(_READ_AHEAD, {"ids": batch})
        for w, tid, js in (*tied_s, *tied_t):
            ties[w].add(tid)
            if tid not in q["tie"]:
                q["tie"][tid] = Tie.model_validate_json(js)
        for w, p in affiliated:
            people[w].add(p)
        for p in persons:
            people[p].add(p)
        if len(ids) > self.READ_AHEAD:  # (a large set at once: the office's own side, a country's entities)
            return
        found = self.get_entities({p for w in batch for p in people[w]})
        # The pairs of the bonds (ties and affiliations), which the search reads for each entity.
        keys = {tuple(sorted((q["tie"][t].source, q["tie"][t].target))) for w in batch for t in ties[w]}
        keys |= {
            tuple(sorted((e.id, a.organization))) for e in found.values() for a in getattr(e, "affiliations", ())
        }
        pairs.prefetch_pairs(keys)

    def ties_around(self, ids: Collection[str]) -> list[Tie]:
        q = self._question()
        if q is not None:
            if missing := [w for w in ids if w not in q["ties"]]:
                self._read_ahead(q, missing)
            return [q["tie"][t] for t in sorted({t for w in ids for t in q["ties"][w]})]
        # Two anchored look-ups rather than one OR, which neither server answers from an index.
        found: dict[str, str] = {}
        for end in ("source", "target"):
            found.update(
                (r[0], r[1])
                for r in self._read(
                    f"UNWIND $ids AS id MATCH (t:Tie {{{end}: id}}) RETURN t.id, t.data", {"ids": list(ids)}
                )
            )
        return [Tie.model_validate_json(found[k]) for k in sorted(found)]

    def affiliated_people(self, ids: Collection[str]) -> set[str]:
        q = self._question()
        if q is not None:
            if missing := [w for w in ids if w not in q["people"]]:
                self._read_ahead(q, missing)
            return {p for w in ids for p in q["people"][w]}
        params = {"ids": list(ids)}
        (out,), = self._read(
            "UNWIND $ids AS id MATCH (:Entity {id: id})<-[:AFFILIATED]-(p:Entity) RETURN collect(DISTINCT p.id)",
            params,
        )
        (people,), = self._read(
            "UNWIND $ids AS id MATCH (p:Entity {id: id}) WHERE p.type = 'person' RETURN collect(p.id)", params
        )
        return set(out) | set(people)

    def _followup_rows(
        self,
        status: FollowUpStatus | None,
        involving: str | None,
        owner: str | None,
        due_from: dt.date | None,
        due_to: dt.date | None,
        data: bool,
    ) -> list[Any]:
        where, params = [], {}  # type: ignore[var-annotated]
        if status is not None:
            where.append("f.status = $status")
            params["status"] = status.value
        if owner is not None:
            where.append("f.owner = $owner")
            params["owner"] = owner
        if due_from is not None:
            where.append("f.due_end >= $due_from")
            params["due_from"] = due_from.isoformat()
        if due_to is not None:
            where.append("f.due_end <= $due_to")
            params["due_to"] = due_to.isoformat()
        cond = " WHERE " + " AND ".join(where) if where else ""
        ret = " RETURN f.due_end AS due, f.id AS id" + (", f.data AS data" if data else "")
        if involving is None:
            rows = self._read("MATCH (f:FollowUp)" + cond + ret, params)
        else:
            # One query, each part anchored on an index: the entity's interactions are walked on the
            # server, not sent to it as a list of ids (the office has hundreds of thousands).
            params["who"] = involving
            rows = self._read(
                " UNION ".join(
                    anchor + cond + ret
                    for anchor in (
                        "MATCH (f:FollowUp {owner: $who})",
                        "MATCH (f:FollowUp {expected_from: $who})",
                        "MATCH (:Entity {id: $who})-[:PARTICIPATED]->(i:Interaction) "
                        "MATCH (f:FollowUp {interaction_id: i.id})",
                    )
                ),
                params,
            )
        rows.sort(key=lambda r: (r[0] is None, r[0] or "", r[1]))
        return rows

    def followups(
        self,
        status: FollowUpStatus | None = None,
        involving: str | None = None,
        *,
        owner: str | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
        limit: int | None = None,
    ) -> list[FollowUp]:
        rows = self._followup_rows(status, involving, owner, due_from, due_to, True)
        return [FollowUp.model_validate_json(r[2]) for r in rows[:limit]]

    def followup_count(
        self,
        status: FollowUpStatus | None = None,
        involving: str | None = None,
        *,
        owner: str | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
    ) -> int:
        return len(self._followup_rows(status, involving, owner, due_from, due_to, False))

    def ties(self, entity_id: str | None = None) -> list[Tie]:
        if entity_id is None:
            rows = self._read("MATCH (t:Tie) RETURN t.id, t.data")
            return [Tie.model_validate_json(js) for _, js in sorted(rows)]
        return self.ties_around([entity_id])

    def dump(self) -> Dataset:
        """Everything, read in one read transaction."""
        data = Dataset()
        with self.snapshot():
            batches = list(self.iter_batches())
        for batch in batches:
            data.countries += batch.countries
            data.organizations += batch.organizations
            data.people += batch.people
            data.interactions += batch.interactions
            data.followups += batch.followups
            data.ties += batch.ties
        # The embedded store's order, so that exports are identical on both backends.
        for section in ("countries", "organizations", "people", "followups", "ties"):
            getattr(data, section).sort(key=lambda r: r.id)
        data.interactions.sort(key=lambda i: (i.date.start.isoformat(), i.id))
        return data

    def iter_export(self, size: int = 5_000) -> Iterator[Dataset]:
        # The dump's order is sorted here, in the client (the server would sort in its heap): one batch.
        yield self.dump()

    def iter_batches(self, size: int = 5_000) -> Iterator[Dataset]:
        """The whole store in dependency order (entities, interactions, follow-ups, ties), a batch at a time.

        Within a section the order is the server's.
        """
        # No ORDER BY: sorting a million records would happen in the server's heap. Order within a
        # section does not matter to a copy; dump() sorts.
        # Entities type by type: an affiliation is written with its person and needs the organization.
        queries = [
            ("entities", "MATCH (n:Entity) WHERE n.type = 'country' RETURN n.data"),
            ("entities", "MATCH (n:Entity) WHERE n.type = 'organization' RETURN n.data"),
            ("entities", "MATCH (n:Entity) WHERE n.type = 'person' RETURN n.data"),
            ("interactions", "MATCH (i:Interaction) RETURN i.data"),
            ("followups", "MATCH (f:FollowUp) RETURN f.data"),
            ("ties", "MATCH (t:Tie) RETURN t.data"),
        ]
        for section, query in queries:
            chunk: list[str] = []
            for row in self._stream(query):
                chunk.append(row[0])
                if len(chunk) >= size:
                    yield dataset_of(section, chunk)
                    chunk = []
            if chunk:
                yield dataset_of(section, chunk)

    def clear(self) -> None:
        """Delete everything ofai-graph wrote (tests and ``neo4j pull --replace`` use it)."""
        for label in (
            "Name",
            "Located",
            "FollowUp",
            "Tie",
            "Interaction",
            "Entity",
        ):  # relationships go with their nodes
            while self._read(f"MATCH (n:{label}) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*)")[0][0]:
                pass
        # The strength pairs went with the entities: their configuration goes too, or an emptied
        # database would claim pairs it no longer has.
        self._driver.execute_query("MATCH (m:Meta {key: 'strength'}) DELETE m", database_=self.database)
        self._driver.execute_query(
            "MATCH (m:Meta {key: 'ofai'}) SET m.revision = coalesce(m.revision, 0) + 1",
            database_=self.database,
        )

    # -- merging entities (ofai_graph.merge) ----------------------------------------------------
    def merge_entities(self, drop: str, data: Dataset, delete_ties: Collection[str]) -> WriteReport:
        """Write the rewritten records, delete ``delete_ties`` and the entity ``drop``: one transaction."""
        with self.transaction() as tx:
            tx.write(data)
            ids = list(delete_ties)
            self._batches(
                "UNWIND $ids AS id MATCH (t:Tie {id: id}) MATCH (:Entity {id: t.source})-[r:TIE {id: id}]->() DELETE r",
                ids,
                "ids",
            )
            self._batches("UNWIND $ids AS id MATCH (t:Tie {id: id}) DELETE t", ids, "ids")
            self._tx.run("MATCH (n:Name {entity_id: $id}) DELETE n", {"id": drop}).consume()
            self._tx.run("MATCH (n:Located {entity_id: $id}) DELETE n", {"id": drop}).consume()
            self._tx.run("MATCH (e:Entity {id: $id}) DETACH DELETE e", {"id": drop}).consume()
            tx.report.sections.setdefault("entities", SectionReport()).updated += 1  # the revision moves
        return tx.report


_READ_AHEAD = (
    "CALL { UNWIND $ids AS id MATCH (t:Tie {source: id}) RETURN collect([id, t.id, t.data]) AS s } "
    "CALL { UNWIND $ids AS id MATCH (t:Tie {target: id}) RETURN collect([id, t.id, t.data]) AS t } "
    "CALL { UNWIND $ids AS id MATCH (:Entity {id: id})<-[:AFFILIATED]-(p:Entity) RETURN collect([id, p.id]) AS a } "
    "CALL { UNWIND $ids AS id MATCH (p:Entity {id: id}) WHERE p.type = 'person' RETURN collect(p.id) AS pp } "
    "RETURN s, t, a, pp"
)
"""A question's read-ahead for entities ``$ids``: the ties at either end, the people affiliated, those
that are people themselves (uncorrelated subqueries, each anchored on its index: Neo4j 5 and ArcadeDB)."""


_REVISION = "MERGE (m:Meta {key: 'ofai'}) SET m.revision = coalesce(m.revision, 0) + 1"


class _Rows(list):  # type: ignore[type-arg]
    """A statement's rows, sent as a list. The driver formats every statement's parameters for its
    debug log whether or not that log is on (``" ".join(map(repr, fields))``): the repr of 10,000
    rows cost a push as much as encoding them. Shown as their number instead."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


_LOCATED_CREATE = (
    "UNWIND $rows AS r CREATE (:Located {country: r[0], entity_id: r[1], type: r[2], kind: r[3], name: r[4], "
    "countries: r[5]})"
)


def _located(rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """Rows of :data:`_LOCATED_CREATE` from entities' ``[id, type, kind, name, countries]``: one per
    country (a country named twice, once)."""
    return [[c, *r] for r in rows for c in dict.fromkeys(r[4] or ())]


_LABELS = {"Entity": "Entity", "Interaction": "Interaction", "FollowUp": "FollowUp", "Tie": "Tie"}


def _properties(columns: Sequence[str]) -> str:
    """``{id: r[0], …}`` for a list row of ``columns`` (names fixed by this module, never data): a
    literal map in ``CREATE`` is a third faster on ArcadeDB than ``SET n = r``."""
    return "{" + ", ".join(f"{k}: r[{n}]" for n, k in enumerate(columns)) + "}"


def _error(exc: Exception, location: str, what: str) -> StoreError:
    """A message that names the server and says what went wrong, never the password."""
    from neo4j import exceptions as ne

    if isinstance(exc, StoreError):
        return exc
    reason: Phrase
    if isinstance(exc, ne.AuthError):
        reason = Msg(N_("the server refused the user name or password (check NEO4J_USERNAME / NEO4J_PASSWORD)"))
    elif isinstance(exc, ne.ServiceUnavailable | ne.SessionExpired | OSError):
        # The driver's words are English: a reader of another language gets the gist instead.
        reason = Msg(N_("the server is not reachable ({reason})"), reason=Detail(_first_line(exc), N_("no answer")))
    elif (
        isinstance(exc, ne.Neo4jError)
        and "database" in (exc.message or "").lower()
        and (
            "not found" in (exc.message or "").lower()
            or "does not exist" in (exc.message or "").lower()
            or "not exist" in (exc.message or "").lower()
        )
    ):
        reason = Msg(N_("the database does not exist ({reason})"), reason=Detail(_first_line(exc), N_("not found")))
    else:
        reason = Detail(_first_line(exc), N_("the server reported an error"))
    return StoreError(N_("{what}: {location}: {reason}"), what=Msg(what), location=location, reason=reason)


def _last_start(until: dt.date | None) -> str:
    """The latest interaction start a read keeps, as the ISO text the interactions' starts are stored as."""
    return until.isoformat() if until is not None else "9999-12-31"


def _participant(p: Any) -> str:
    """The entity of a participant as stored in an interaction's JSON (``[entity, role]``)."""
    return str(p["entity"] if isinstance(p, dict) else p[0])


def _first_line(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0][:300] if text.strip() else type(exc).__name__


__all__ = ["BATCH", "SCHEMA_VERSION", "Neo4jStore"]
