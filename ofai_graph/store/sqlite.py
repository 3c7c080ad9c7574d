"""The embedded store: one SQLite file, WAL mode, every write in one ``BEGIN IMMEDIATE`` transaction.

Each record is kept whole as JSON (so an export re-imports to an identical store) next to the columns
that queries filter on. A second process that writes at the same time waits for the lock
(``busy_timeout``) instead of failing, and a process killed mid-write leaves the file as it was before
that write: SQLite rolls the journal back on the next open.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import os
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple

from ..bulk import batched, paused_gc
from ..errors import N_, Detail, Msg, Phrase, StoreError, os_reason
from ..model import Dataset, EntityModel, FollowUp, FollowUpStatus, Interaction, Tie
from ..text import fold_key
from .base import (
    ENTITY,
    NEWER_SCHEMA,
    BatchWriter,
    DayCache,
    EntitySummary,
    NameRow,
    NotAStore,
    Participation,
    SectionReport,
    StoreDamaged,
    StoreNotFound,
    WriteReport,
    classify,
    dataset_of,
    entity_kind,
    entity_names,
)

_SCHEMA_V1 = """
CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    countries TEXT NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE names (
    key TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (key, entity_id)
) WITHOUT ROWID;
CREATE INDEX names_entity ON names(entity_id);
CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    date_start TEXT NOT NULL,
    date_end TEXT NOT NULL,
    kind TEXT NOT NULL,
    axis TEXT,
    status TEXT NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE participants (
    interaction_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (interaction_id, entity_id, role)
) WITHOUT ROWID;
CREATE INDEX participants_entity ON participants(entity_id);
CREATE TABLE followups (
    id TEXT PRIMARY KEY,
    interaction_id TEXT,
    status TEXT NOT NULL,
    due_end TEXT,
    owner TEXT,
    expected_from TEXT,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX followups_interaction ON followups(interaction_id);
CREATE TABLE ties (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX ties_source ON ties(source);
CREATE INDEX ties_target ON ties(target);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO meta(key, value) VALUES ('revision', '0');
"""

# v2: people's affiliations as rows, so that a neighbourhood can be read without parsing every
# person (see ``neighbors``); filled from the records already in the file.
_SCHEMA_V2 = """
CREATE TABLE affiliations (
    person_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    PRIMARY KEY (person_id, organization_id)
) WITHOUT ROWID;
CREATE INDEX affiliations_organization ON affiliations(organization_id);
INSERT OR IGNORE INTO affiliations (person_id, organization_id)
    SELECT e.id, json_extract(a.value, '$.organization')
    FROM entities e, json_each(e.data, '$.affiliations') a WHERE e.type = 'person';
"""

# v3: which entities a country code names, as rows: "connect Korea" and "show Corea" find Korea's
# entities by index instead of scanning every entity's countries (0.1 s on 100,000 entities).
# Triggers keep it in step with every write of ``entities`` (insert, upsert, delete), whichever path.
_SCHEMA_V3 = """
CREATE TABLE entity_countries (
    code TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (code, entity_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO entity_countries (code, entity_id)
    SELECT j.value, e.id FROM entities e, json_each('["' || replace(e.countries, ',', '","') || '"]') j
    WHERE e.countries != '';
CREATE TRIGGER entity_countries_insert AFTER INSERT ON entities WHEN NEW.countries != '' BEGIN
    INSERT OR IGNORE INTO entity_countries (code, entity_id)
        SELECT value, NEW.id FROM json_each('["' || replace(NEW.countries, ',', '","') || '"]');
END;
CREATE TRIGGER entity_countries_update AFTER UPDATE OF id, countries ON entities BEGIN
    DELETE FROM entity_countries WHERE entity_id = OLD.id;
    INSERT OR IGNORE INTO entity_countries (code, entity_id)
        SELECT value, NEW.id FROM json_each('["' || replace(NEW.countries, ',', '","') || '"]')
        WHERE NEW.countries != '';
END;
CREATE TRIGGER entity_countries_delete AFTER DELETE ON entities BEGIN
    DELETE FROM entity_countries WHERE entity_id = OLD.id;
END;
"""

# v4: the materialized pairs' quarter buckets packed (materialize.BUCKET records in a BLOB) instead of
# JSON text; the rows already stored are converted by _packed_buckets below (no SQL for it).
_SCHEMA_V4 = ""


def _packed_buckets(db: sqlite3.Connection) -> None:
    """The pairs' buckets stored as JSON text (schema v3) written packed, in the migration's transaction."""
    from ..materialize import bucket_list, pack_buckets

    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'strength_pairs'").fetchone():
        return
    # A slice read whole, then written: no UPDATE while a read of the same table is still open.
    after = ("", "")
    while part := db.execute(
        "SELECT a, b, buckets FROM strength_pairs WHERE (a, b) > (?, ?) AND typeof(buckets) = 'text' "
        "ORDER BY a, b LIMIT 50000",
        after,
    ).fetchall():
        db.executemany(
            "UPDATE strength_pairs SET buckets = ? WHERE a = ? AND b = ?",
            [(pack_buckets(bucket_list(text)), a, b) for a, b, text in part],
        )
        after = part[-1][:2]


# Forward migrations, applied in order; the list index + 1 is the schema version they produce.
# Never edit a released entry: append a new one. A version may also have a step in Python (_STEPS),
# run after its SQL in the same transaction.
MIGRATIONS: list[str] = [_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4]
_STEPS = {4: _packed_buckets}
SCHEMA_VERSION = len(MIGRATIONS)

# Two entities in at least this many interactions each: their newest shared ones are looked for among
# the newest interactions of all (SQLiteStore.shared_interactions).
HUB_INTERACTIONS = 2_000
PAGE_SIZE = 16384  # of a store made new (see SQLiteStore._check_ours)
_CHUNK = 900  # below SQLite's default limit of host parameters per statement
_OURS = {"entities", "names", "interactions", "participants", "followups", "ties", "meta"}


class SQLiteStore:
    """The default store. ``SQLiteStore(":memory:")`` gives a throw-away store for tests and notebooks.

    A file is opened only if it is an ofai-graph store; ``create=True`` makes a new one where there is
    none (a missing file, or an empty one). Another program's SQLite file is refused and never changed.
    A file we may not write (``chmod 444``, a read-only folder) is opened read-only: reads work.
    """

    backend = "sqlite"
    remote = False  # reading everything is cheap: analytics may build whole graphs

    def __init__(self, path: str | Path, *, create: bool = False, busy_timeout: float = 120.0):
        self.location = str(path)
        self.read_only = False
        self.folder: Path | None = None if self.location == ":memory:" else Path(self.location).parent
        self._fresh: dict[str, set[str]] | None = None
        self._maintainer: Any = None  # materialize.Maintainer of the write transaction in progress
        target: str = self.location
        uri = False
        if self.location != ":memory:":
            p = Path(self.location)
            if p.is_dir():
                raise NotAStore(N_("{path} is a folder, not a store file"), path=p)
            if not p.exists():
                if not create:
                    raise StoreNotFound(
                        N_(
                            "no ofai-graph store at {path}: create one with `ofai-graph --db {path} init` "
                            "(in Python: create=True)"
                        ),
                        path=p,
                    )
                try:
                    p.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(N_("cannot create a store at {path}: {reason}"), path=p, reason=os_reason(exc)) from None
            elif p.stat().st_size > 0:
                with p.open("rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise NotAStore(
                            N_("{path} is not an ofai-graph store (not an SQLite file); it was not changed"), path=p
                        )
            if p.exists() and not (os.access(p, os.W_OK) and os.access(p.parent, os.W_OK)):
                # Read-only: say so to SQLite, which then neither writes nor tries to create the WAL's
                # shared-memory file beside it.
                self.read_only = True
                target, uri = f"file:{_quote(p)}?mode=ro", True
                if not os.access(p.parent, os.W_OK) and not Path(f"{p}-wal").exists():
                    # A read-only folder: SQLite cannot make the WAL's shared-memory file there, and
                    # with no WAL file beside it nobody is writing: read the file as it is.
                    target += "&immutable=1"
        try:
            self._db = sqlite3.connect(target, timeout=busy_timeout, isolation_level=None, uri=uri)
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._check_ours(create)
            if self.location != ":memory:" and not self.read_only:
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            # Big imports touch B-tree pages all over the file; a 64 MB page cache (default: 2 MB)
            # keeps the hot ones in memory. 256 MB was no faster on a million interactions and
            # added 200 MB to the import's peak (benchmarks/bench_import.py).
            self._db.execute("PRAGMA cache_size = -65536")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise _db_error(exc, self.location, N_("cannot open store")) from None
        except StoreError:
            self._close_quietly()
            raise

    def _check_ours(self, create: bool) -> None:
        """Refuse, before changing anything, a file that is not an ofai-graph store."""
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables and self.schema_version() == 0:
            if not create and self.location != ":memory:":
                raise StoreNotFound(
                    N_("{path} is an empty file, not yet a store; create one with: ofai-graph --db {path} init"),
                    path=self.location,
                )
            # Before the first page is written (the WAL switch writes the header): a new file's
            # pages are 16 KB, not SQLite's 4 KB. A million interactions' rows and indexes then
            # cost about a fifth less CPU to insert and commit (fewer B-tree pages to split, fewer
            # WAL frames), and the interactions' 250-byte rows are well under the twentieth of a
            # page SQLite advises for a table WITHOUT ROWID. A store made before keeps its pages.
            self._db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            return
        if not _OURS.issubset(tables) or self.schema_version() == 0:
            raise NotAStore(
                N_("{path} is not an ofai-graph store (an SQLite file of another program: {tables}); it was not changed"),
                path=self.location,
                tables=", ".join(sorted(tables - _OURS)[:5]) or "-",
            )

    def _close_quietly(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()

    # -- lifecycle -----------------------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(NEWER_SCHEMA, location=self.location, found=current, known=SCHEMA_VERSION)
        if current == SCHEMA_VERSION:
            return
        if self.read_only:
            raise StoreError(
                N_(
                    "{location} has schema version {found} and needs an upgrade to {known}, "
                    "but the file is read-only: open it once with write access"
                ),
                location=self.location,
                found=current,
                known=SCHEMA_VERSION,
            )
        with self._transaction():
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = self.schema_version()
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[version - 1]):
                    self._db.execute(statement)
                if version in _STEPS:
                    _STEPS[version](self._db)
                self._db.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    def revision(self) -> int:
        return int(self._db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0])

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction: every read inside sees the same committed state (WAL snapshot)."""
        if self._db.in_transaction:
            yield
            return
        try:
            self._db.execute("BEGIN")
        except sqlite3.DatabaseError as exc:
            raise _db_error(exc, self.location, N_("reading failed")) from None
        try:
            yield
        finally:
            if self._db.in_transaction:
                # Nothing to keep (reads only); and on a damaged file, the first error is the one to tell.
                with suppress(sqlite3.DatabaseError):
                    self._db.execute("ROLLBACK")

    # -- writes --------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[BatchWriter]:
        """One write transaction for many batches: all of them land, or none (on any exception)."""
        if self.read_only:
            raise StoreError(
                N_("{location} is read-only (file or folder permissions): nothing was written"), location=self.location
            )
        writer = BatchWriter(self._write_batch)
        try:
            with self._transaction() as db:
                # Tables empty at the start need no look-up of existing rows for ids not yet written
                # (a first import of a million interactions saves a thousand queries).
                self._fresh = {
                    t: set()
                    for t in ("entities", "interactions", "followups", "ties")
                    if db.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
                }
                # Materialized strength (ofai_graph.materialize), kept up to date in this transaction.
                from ..materialize import Maintainer

                strength = self._maintainer = Maintainer(self)
                writer = BatchWriter(strength.wrap(self._write_batch))
                rebuild = _drop_indexes(db)
                yield writer
                for statement in rebuild:
                    db.execute(statement)
                strength.flush()
                if writer.report.changed:
                    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
        except sqlite3.DatabaseError as exc:
            raise _db_error(exc, self.location, N_("writing failed, nothing was written")) from exc
        finally:
            self._fresh = None
            self._maintainer = None

    def write(self, data: Dataset, *, new: bool = False) -> WriteReport:
        # ``new`` needs no handling: a transaction skips look-ups in tables empty when it began.
        # The collector paused (as an import has it): a large dataset's models are millions of live
        # objects that every full collection, triggered by the write's own tuples, would walk again.
        with paused_gc(), self.transaction() as tx:
            tx.write(data)
        return tx.report

    def _write_batch(self, data: Dataset) -> WriteReport:
        db = self._db
        report = WriteReport()
        report.sections["entities"] = _chunked(self._write_entities, db, data.entities())
        report.sections["interactions"] = _chunked(self._write_interactions, db, data.interactions)
        report.sections["followups"] = self._upsert(
            db,
            "followups",
            data.followups,
            "id, interaction_id, status, due_end, owner, expected_from, data",
            lambda f, js: (
                f.id,
                f.interaction,
                f.status.value,
                f.due.end.isoformat() if f.due else None,
                f.owner,
                f.expected_from,
                js,
            ),
        )
        report.sections["ties"] = self._upsert(
            db,
            "ties",
            data.ties,
            "id, source, target, kind, data",
            lambda t, js: (t.id, t.source, t.target, t.kind.value, js),
        )
        return report

    def _existing(self, db: sqlite3.Connection, table: str, ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in batched(ids, _CHUNK):
            marks = ",".join("?" * len(chunk))
            found.update(db.execute(f"SELECT id, data FROM {table} WHERE id IN ({marks})", chunk).fetchall())
        return found

    def _split(
        self, db: sqlite3.Connection, table: str, records: Sequence[Any]
    ) -> tuple[list[tuple[Any, str]], list[tuple[Any, str]], int]:
        """Records that are new, records whose content changed, and how many are identical."""
        fresh = self._fresh.get(table) if self._fresh is not None else None
        if fresh is None:
            existing = self._existing(db, table, [r.id for r in records])
        else:
            # The table was empty when this transaction began: only ids it wrote can exist.
            existing = self._existing(db, table, [r.id for r in records if r.id in fresh])
            fresh.update(r.id for r in records)
        return classify(records, existing)

    def _upsert(self, db, table, records, columns, row) -> SectionReport:  # type: ignore[no-untyped-def]
        new, changed, same = self._split(db, table, records)
        cols = [c.strip() for c in columns.split(",")]
        marks = ",".join("?" * len(cols))
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        db.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {updates}",
            (row(r, js) for r, js in [*new, *changed]),
        )
        return SectionReport(len(new), len(changed), same)

    def _write_entities(self, db: sqlite3.Connection, entities: list[EntityModel]) -> SectionReport:
        new, changed, same = self._split(db, "entities", entities)
        todo = [*new, *changed]
        if changed:
            db.executemany("DELETE FROM names WHERE entity_id = ?", ((e.id,) for e, _ in changed))
            db.executemany("DELETE FROM affiliations WHERE person_id = ?", ((e.id,) for e, _ in changed))
        db.executemany(
            "INSERT INTO entities (id, type, kind, name, countries, data) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET type=excluded.type, kind=excluded.kind, name=excluded.name, "
            "countries=excluded.countries, data=excluded.data",
            ((e.id, e.type, entity_kind(e), e.name, ",".join(e.countries), js) for e, js in todo),
        )
        db.executemany(
            "INSERT OR IGNORE INTO names (key, entity_id, label) VALUES (?,?,?)",
            ((k, e.id, n) for e, _ in todo for n in entity_names(e) if (k := fold_key(n))),
        )
        db.executemany(
            "INSERT OR IGNORE INTO affiliations (person_id, organization_id) VALUES (?,?)",
            ((e.id, a.organization) for e, _ in todo for a in getattr(e, "affiliations", ())),
        )
        return SectionReport(len(new), len(changed), same)

    def _write_interactions(self, db: sqlite3.Connection, interactions: list[Interaction]) -> SectionReport:
        new, changed, same = self._split(db, "interactions", interactions)
        if changed:
            db.executemany("DELETE FROM participants WHERE interaction_id = ?", ((i.id,) for i, _ in changed))
        todo = [*new, *changed]
        _insert_interactions(db, _interaction_rows(todo), _participant_rows(todo))
        return SectionReport(len(new), len(changed), same)

    # -- an import's worker process (see importer._Worker) -------------------------------------------
    def takes_prepared(self) -> bool:
        """Whether the write transaction in progress can take :meth:`prepare_new`'s rows: every table
        was empty when it began (no row to compare with, no pair to merge with)."""
        fresh = self._fresh
        maintainer = self._maintainer
        return (
            fresh is not None
            and all(t in fresh for t in ("entities", "interactions", "followups", "ties"))
            and maintainer is not None
            and (maintainer.config is None or maintainer.fresh)
        )

    def prepare_new(self, data: Dataset) -> tuple[Dataset, PreparedInteractions]:
        """The rows of ``data``'s interactions, made without the database (in an import's worker
        process): for a transaction that :meth:`takes_prepared`, whose interactions are all new to it
        (an import's, repeats dropped). The rest of ``data`` is written as it is."""
        interactions = data.interactions
        todo, _, _ = classify(interactions, {})
        maintainer = self._maintainer
        ids = [i.id for i in interactions]
        # The strength pairs' coding is the writing process's (from these rows: it has the time,
        # its worker has the reading) when the ids are distinct, as an import's are after its repeats.
        code = len(set(ids)) == len(ids)
        parts = None if code or maintainer is None or not interactions else maintainer.coded(interactions)
        rest = Dataset(
            countries=data.countries,
            organizations=data.organizations,
            people=data.people,
            followups=data.followups,
            ties=data.ties,
        )
        return rest, PreparedInteractions(ids, _interaction_rows(todo), _participant_rows(todo), parts, code)

    def write_prepared(self, tx: BatchWriter, prepared: PreparedInteractions) -> None:
        """Write :meth:`prepare_new`'s rows in the transaction ``tx`` (as ``tx.write`` would have)."""
        assert self._fresh is not None and self._maintainer is not None
        ids = prepared.ids
        # No later write of this transaction may take the table for empty (none does: the import's
        # interactions all come this way); its ids are not kept, as :meth:`_split` keeps them.
        self._fresh.pop("interactions", None)
        parts = prepared.parts
        if prepared.code and ids:
            parts = self._maintainer.coded_rows(prepared.rows, prepared.participants)
        if parts is not None:
            self._maintainer.take(parts, len(set(ids)))
        _insert_interactions(self._db, prepared.rows, prepared.participants)
        report = WriteReport()
        report.sections["interactions"] = SectionReport(len(ids), 0, 0)
        tx.report.merge(report)

    # -- reads ---------------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        out = {
            t: self._db.execute("SELECT count(*) FROM entities WHERE type = ?", (t,)).fetchone()[0]
            for t in ("country", "organization", "person")
        }
        for table in ("interactions", "followups", "ties"):
            out[table] = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        out["open_followups"] = self._db.execute(
            "SELECT count(*) FROM followups WHERE status = 'open'"
        ).fetchone()[0]
        return out

    def facets(self) -> dict[str, dict[str, int]]:
        queries = {
            "entity_type": "SELECT type, count(*) FROM entities GROUP BY 1",
            "organization_kind": "SELECT kind, count(*) FROM entities WHERE type = 'organization' GROUP BY 1",
            "interaction_kind": "SELECT kind, count(*) FROM interactions GROUP BY 1",
            "axis": "SELECT coalesce(axis, 'none'), count(*) FROM interactions GROUP BY 1",
            "status": "SELECT status, count(*) FROM interactions GROUP BY 1",
            "year": "SELECT substr(date_start, 1, 4), count(*) FROM interactions GROUP BY 1",
            "followup_status": "SELECT status, count(*) FROM followups GROUP BY 1",
        }
        return {name: dict(self._db.execute(sql).fetchall()) for name, sql in queries.items()}

    def participation_counts(self, limit: int = 10) -> list[tuple[str, int]]:
        return self._db.execute(
            "SELECT entity_id, count(DISTINCT interaction_id) AS n FROM participants "
            "GROUP BY entity_id ORDER BY n DESC, entity_id LIMIT ?",
            (limit,),
        ).fetchall()

    def get_entities(self, ids: Iterable[str]) -> dict[str, EntityModel]:
        rows = self._existing(self._db, "entities", list(dict.fromkeys(ids)))
        return {i: ENTITY.validate_json(js) for i, js in rows.items()}

    def entity_summaries(
        self,
        ids: Collection[str] | None = None,
        *,
        kinds: Collection[str] | None = None,
        country: str | None = None,
    ) -> Iterator[EntitySummary]:
        sql, args = "SELECT id, type, kind, name, countries FROM entities", []
        where = []
        if ids is not None:  # one JSON parameter: primary-key look-ups, however many ids
            where.append("id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(sorted(set(ids))))
        if kinds is not None:
            where.append("kind IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(sorted(set(kinds))))
        if country is not None:
            where.append("id IN (SELECT entity_id FROM entity_countries WHERE code = ?)")
            args.append(country)
        if where:
            sql += " WHERE " + " AND ".join(where)
        for id_, type_, kind, name, countries in self._db.execute(sql + " ORDER BY id", args):
            yield EntitySummary(id_, type_, kind, name, tuple(countries.split(",")) if countries else ())

    def find_by_key(self, key: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT entity_id FROM names WHERE key = ?", (key,))]

    def tagged(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        # Tags live in each record's JSON: read there by SQLite, not by building 100,000 models.
        for tag, eid in self._db.execute(
            "SELECT j.value, e.id FROM entities e, json_each(e.data, '$.tags') j ORDER BY e.id"
        ):
            out.setdefault(tag, []).append(eid)
        return out

    def name_rows(self) -> list[NameRow]:
        return [
            NameRow(*r)
            for r in self._db.execute("SELECT entity_id, label FROM names ORDER BY key, entity_id")
        ]

    def get_interactions(self, ids: Iterable[str]) -> dict[str, Interaction]:
        rows = self._existing(self._db, "interactions", list(dict.fromkeys(ids)))
        return {i: Interaction.model_validate_json(js) for i, js in rows.items()}

    def interactions_of(self, entity_id: str, limit: int | None = None) -> list[Interaction]:
        # The newest ids first (dates from the table, no JSON), then only their records.
        ids = [
            r[0]
            for r in self._db.execute(
                "SELECT DISTINCT i.id, i.date_start, i.date_end FROM participants p "
                "JOIN interactions i ON i.id = p.interaction_id WHERE p.entity_id = ? "
                "ORDER BY i.date_start DESC, i.date_end DESC, i.id LIMIT ?",
                (entity_id, -1 if limit is None else limit),
            )
        ]
        found = self.get_interactions(ids)
        return [found[i] for i in ids]

    def interaction_count(self, entity_id: str) -> int:
        return int(
            self._db.execute(
                "SELECT count(DISTINCT interaction_id) FROM participants WHERE entity_id = ?", (entity_id,)
            ).fetchone()[0]
        )

    def shared_interactions(
        self, a: str, b: str, limit: int | None = None, until: dt.date | None = None
    ) -> list[Interaction]:
        last_start = until.isoformat() if until is not None else "9999-12-31"
        # Walk from the end with fewer interactions (the office is in most of them): counted up to a cap.
        few = "SELECT count(*) FROM (SELECT 1 FROM participants WHERE entity_id = ? LIMIT 5000)"
        na, nb = (self._db.execute(few, (x,)).fetchone()[0] for x in (a, b))
        if na > nb:
            a, b = b, a
        if limit is not None and min(na, nb) >= HUB_INTERACTIONS and self._has_index("interactions_start"):
            # Two entities in thousands of interactions: their newest shared ones are among the newest
            # interactions of all; walked newest first (up to a bound), instead of sorting thousands.
            ids = [
                r[0]
                for r in self._db.execute(
                    "SELECT w.id FROM (SELECT id FROM interactions INDEXED BY interactions_start "
                    "WHERE date_start <= ?4 ORDER BY date_start DESC, id LIMIT 20000) w "
                    "WHERE EXISTS (SELECT 1 FROM participants WHERE interaction_id = w.id AND entity_id = ?1) "
                    "AND EXISTS (SELECT 1 FROM participants WHERE interaction_id = w.id AND entity_id = ?2) LIMIT ?3",
                    (a, b, limit, last_start),
                )
            ]
            if len(ids) == limit:
                found = self.get_interactions(ids)
                return [found[i] for i in ids]
        rows = self._db.execute(
            "SELECT DISTINCT i.data, i.date_start, i.id FROM participants pa "
            "CROSS JOIN participants pb ON pb.interaction_id = pa.interaction_id AND pb.entity_id = ? "
            "JOIN interactions i ON i.id = pa.interaction_id WHERE pa.entity_id = ? AND i.date_start <= ? "
            "ORDER BY i.date_start DESC, i.id LIMIT ?",
            (b, a, last_start, -1 if limit is None else limit),
        )
        return [Interaction.model_validate_json(r[0]) for r in rows]

    def shared_interactions_many(
        self, pairs: Sequence[tuple[str, str]], limit: int | None = None, until: dt.date | None = None
    ) -> dict[tuple[str, str], list[Interaction]]:
        return {(a, b): self.shared_interactions(a, b, limit, until) for a, b in dict.fromkeys(pairs)}

    def _has_index(self, name: str) -> bool:
        return bool(
            self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone()
        )

    def participations(
        self, around: Collection[str] | None = None, axes: Collection[str] | None = None
    ) -> Iterator[Participation]:
        day = DayCache()
        sql = (
            "SELECT i.id, i.date_start, i.date_end, i.kind, i.status, p.entity_id, p.role "
            "FROM interactions i JOIN participants p ON p.interaction_id = i.id"
        )
        where: list[str] = []
        args: list[str] = []
        if axes is not None:
            where.append(f"i.axis IN ({','.join('?' * len(axes))})")
            args += [str(a) for a in axes]
        if around is not None:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS _around (id TEXT PRIMARY KEY) WITHOUT ROWID")
            self._db.execute("DELETE FROM _around")
            self._db.executemany("INSERT OR IGNORE INTO _around VALUES (?)", ((x,) for x in around))
            where.append(
                # CROSS JOIN: the temporary table has no statistics, and the planner otherwise scans
                # every participant (0.5 s on a million interactions) instead of the entity index (8 ms).
                "i.id IN (SELECT DISTINCT q.interaction_id FROM _around a CROSS JOIN participants q ON q.entity_id = a.id)"
            )
        if where:
            sql += " WHERE " + " AND ".join(where)
        # Plain tuples in Participation's field order: building a named tuple per row costs more
        # than the rest of the scoring loop. fetchall: the temporary table is reused by the next call.
        rows = self._db.execute(sql + " ORDER BY i.id", args)
        for iid, start, end, kind, status, eid, role in rows.fetchall() if around is not None else rows:
            yield (iid, day[start], day[end], kind, status, eid, role)  # type: ignore[misc]

    def neighbors(self, ids: Collection[str], limit: int | None = None) -> set[str]:
        # ``limit`` is a licence to stop early, not a duty: reading locally, the full set is cheap.
        out: set[str] = set()
        for chunk in _slices(list(ids)):
            marks = ",".join("?" * len(chunk))
            for sql in (
                f"SELECT DISTINCT b.entity_id FROM participants a JOIN participants b "
                f"ON b.interaction_id = a.interaction_id WHERE a.entity_id IN ({marks})",
                f"SELECT target FROM ties WHERE source IN ({marks})",
                f"SELECT source FROM ties WHERE target IN ({marks})",
                f"SELECT organization_id FROM affiliations WHERE person_id IN ({marks})",
                f"SELECT person_id FROM affiliations WHERE organization_id IN ({marks})",
            ):
                out.update(r[0] for r in self._db.execute(sql, chunk))
        return out - set(ids)

    def ties_around(self, ids: Collection[str]) -> list[Tie]:
        found: dict[str, str] = {}
        for chunk in _slices(list(ids)):
            marks = ",".join("?" * len(chunk))
            found.update(
                self._db.execute(
                    f"SELECT id, data FROM ties WHERE source IN ({marks}) OR target IN ({marks})",
                    chunk + chunk,
                ).fetchall()
            )
        return [Tie.model_validate_json(found[k]) for k in sorted(found)]

    def affiliated_people(self, ids: Collection[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _slices(list(ids)):
            marks = ",".join("?" * len(chunk))
            out.update(
                r[0]
                for r in self._db.execute(
                    f"SELECT person_id FROM affiliations WHERE organization_id IN ({marks}) "
                    f"UNION SELECT id FROM entities WHERE type = 'person' AND id IN ({marks})",
                    chunk + chunk,
                )
            )
        return out

    def _followup_query(
        self,
        status: FollowUpStatus | None,
        involving: str | None,
        owner: str | None,
        due_from: dt.date | None,
        due_to: dt.date | None,
    ) -> tuple[str, list[str]]:
        where, args = [], []
        if status is not None:
            where.append("f.status = ?")
            args.append(status.value)
        if involving is not None:
            where.append(
                "(f.owner = ? OR f.expected_from = ? OR f.interaction_id IN "
                "(SELECT interaction_id FROM participants WHERE entity_id = ?))"
            )
            args += [involving] * 3
        if owner is not None:
            where.append("f.owner = ?")
            args.append(owner)
        if due_from is not None:
            where.append("f.due_end >= ?")
            args.append(due_from.isoformat())
        if due_to is not None:
            where.append("f.due_end <= ?")
            args.append(due_to.isoformat())
        return (" WHERE " + " AND ".join(where) if where else ""), args

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
        where, args = self._followup_query(status, involving, owner, due_from, due_to)
        sql = "SELECT f.data FROM followups f" + where + " ORDER BY f.due_end IS NULL, f.due_end, f.id LIMIT ?"
        return [FollowUp.model_validate_json(r[0]) for r in self._db.execute(sql, [*args, -1 if limit is None else limit])]

    def followup_count(
        self,
        status: FollowUpStatus | None = None,
        involving: str | None = None,
        *,
        owner: str | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
    ) -> int:
        where, args = self._followup_query(status, involving, owner, due_from, due_to)
        return int(self._db.execute("SELECT count(*) FROM followups f" + where, args).fetchone()[0])

    def ties(self, entity_id: str | None = None) -> list[Tie]:
        if entity_id is None:
            rows = self._db.execute("SELECT data FROM ties ORDER BY id")
        else:
            rows = self._db.execute(
                "SELECT data FROM ties WHERE source = ? OR target = ? ORDER BY id", (entity_id, entity_id)
            )
        return [Tie.model_validate_json(r[0]) for r in rows]

    def iter_batches(self, size: int = 5_000, *, by_date: bool = False) -> Iterator[Dataset]:
        """The whole store in dependency order (entities, interactions, follow-ups, ties), in batches,
        from one snapshot; interactions by id (``by_date``: by date, then id, an export's order). A
        push writes them in that order: a server adding ids to its index on them in order does less
        work (ArcadeDB: about a sixth of the records' CPU at 100,000 interactions)."""
        queries = [
            ("entities", "SELECT data FROM entities ORDER BY type, id"),
            ("interactions", f"SELECT data FROM interactions ORDER BY {'date_start, id' if by_date else 'id'}"),
            ("followups", "SELECT data FROM followups ORDER BY id"),
            ("ties", "SELECT data FROM ties ORDER BY id"),
        ]
        with self.snapshot():
            for section, sql in queries:
                cursor = self._db.execute(sql)
                while rows := cursor.fetchmany(size):
                    yield dataset_of(section, [r[0] for r in rows])

    def iter_export(self, size: int = 5_000) -> Iterator[Dataset]:
        # Entities by type then id are the dump's countries, organizations, people; interactions by date.
        yield from self.iter_batches(size, by_date=True)

    def dump(self) -> Dataset:
        """Everything, in one read transaction (a write committing meanwhile is all in or all out)."""
        data = Dataset()
        with self.snapshot():
            for batch in self.iter_batches(size=1 << 30, by_date=True):
                for section in ("countries", "organizations", "people", "interactions", "followups", "ties"):
                    getattr(data, section).extend(getattr(batch, section))
        return data

    # -- merging entities (ofai_graph.merge) ----------------------------------------------------
    def merge_entities(self, drop: str, data: Dataset, delete_ties: Collection[str]) -> WriteReport:
        """Write the rewritten records, delete ``delete_ties`` and the entity ``drop``: one transaction."""
        with self.transaction() as tx:
            tx.write(data)
            db = self._db
            db.executemany("DELETE FROM ties WHERE id = ?", ((t,) for t in delete_ties))
            db.execute("DELETE FROM participants WHERE entity_id = ?", (drop,))
            db.execute("DELETE FROM affiliations WHERE person_id = ? OR organization_id = ?", (drop, drop))
            db.execute("DELETE FROM names WHERE entity_id = ?", (drop,))
            db.execute("DELETE FROM entities WHERE id = ?", (drop,))
            tx.report.sections.setdefault("entities", SectionReport()).updated += 1  # the revision moves
        return tx.report


_WRITE_CHUNK = 20_000

# Tables whose secondary indexes a transaction drops when it finds them empty, and builds again
# before it commits (one sort instead of a B-tree insert per row). Participants by entity: 2.9
# million rows in a first import of a million interactions took 28 s of CPU with the index kept up to
# date, 14 s with it built at the end. Reads by entity inside such a transaction scan the table:
# none of a first import's do.
_DEFERRED_INDEXES = ("interactions", "names", "participants", "followups", "ties", "affiliations")


class PreparedInteractions(NamedTuple):
    """New interactions as the rows the store writes (:meth:`SQLiteStore.prepare_new`): plain values,
    cheap to send from one process to another."""

    ids: list[str]
    rows: list[tuple[Any, ...]]
    participants: list[tuple[str, str, str]]
    parts: list[Any] | None  # materialize.Contributions, or None: no pairs kept, or coded by the writer
    code: bool  # the writer codes the pairs' contributions from the rows


def _interaction_rows(todo: list[tuple[Interaction, str]]) -> list[tuple[Any, ...]]:
    # A date's text once per distinct date (they repeat: a million interactions hold a few thousand).
    iso: dict[dt.date, str] = {}

    def text(d: dt.date) -> str:
        found = iso.get(d)
        if found is None:
            found = iso[d] = d.isoformat()
        return found

    # Enum members bound as their plain text (``_value_``, an attribute of the member): sqlite3
    # binds a str subclass only after looking for an adapter, which costs three times the
    # insert of a plain string (0.7 µs a value: 4 s of a million interactions' six million).
    return [
        (
            i.id,
            text(i.date.start),
            text(i.date.end),
            i.kind._value_,
            None if i.axis is None else i.axis._value_,
            i.status._value_,
            js,
        )
        for i, js in todo
    ]


def _participant_rows(todo: list[tuple[Interaction, str]]) -> list[tuple[str, str, str]]:
    return [(i.id, entity, role._value_) for i, _ in todo for entity, role in i.participants]


def _insert_interactions(
    db: sqlite3.Connection, rows: list[tuple[Any, ...]], participants: list[tuple[str, str, str]]
) -> None:
    db.executemany(
        "INSERT INTO interactions (id, date_start, date_end, kind, axis, status, data) "
        "VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET date_start=excluded.date_start, "
        "date_end=excluded.date_end, kind=excluded.kind, axis=excluded.axis, "
        "status=excluded.status, data=excluded.data",
        rows,
    )
    db.executemany("INSERT INTO participants (interaction_id, entity_id, role) VALUES (?,?,?)", participants)


def _drop_indexes(db: sqlite3.Connection) -> list[str]:
    """Drop the secondary indexes of the empty tables of :data:`_DEFERRED_INDEXES`; the statements
    that make them again. In the caller's transaction: a rollback brings them back."""
    marks = ",".join("?" * len(_DEFERRED_INDEXES))
    found = db.execute(
        f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        _DEFERRED_INDEXES,
    ).fetchall()
    empty = {
        t for t in {row[0] for row in found} if db.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
    }
    rebuild = []
    for table, name, sql in found:
        if table in empty:
            db.execute(f'DROP INDEX "{name}"')
            # Readers inside the transaction (the materialized strength's date look-ups) may make an
            # index again before the end: the rebuild must not collide with it.
            rebuild.append(re.sub(r"^CREATE (UNIQUE )?INDEX (?!IF NOT EXISTS)", r"CREATE \1INDEX IF NOT EXISTS ", sql, flags=re.I))
    return rebuild


def _chunked(write, db: sqlite3.Connection, records: list) -> SectionReport:  # type: ignore[no-untyped-def, type-arg]
    """Write in slices so that only one slice's serialized rows are in memory at a time."""
    total = SectionReport()
    for batch in batched(records, _WRITE_CHUNK):
        part = write(db, batch)
        total.added += part.added
        total.updated += part.updated
        total.unchanged += part.unchanged
    return total


def _slices(items: list[str], size: int = _CHUNK // 2) -> Iterator[list[str]]:
    return batched(items, size)


def _quote(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()))


def _db_error(exc: sqlite3.DatabaseError, location: str, what: str) -> StoreError:
    text = str(exc)
    if "malformed" in text or "not a database" in text:
        return StoreDamaged(
            N_("{what}: {location} is damaged ({reason}); restore it from a backup or an export"),
            what=Msg(what),
            location=location,
            reason=Detail(text, N_("the file is not a readable database")),
        )
    reason: Phrase
    if "locked" in text or "busy" in text:
        reason = Msg(N_("another program is writing to it; try again in a moment"))
    else:
        reason = Detail(text, N_("the database reported an error"))
    return StoreError(N_("{what}: {location}: {reason}"), what=Msg(what), location=location, reason=reason)


def _guard(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite errors on a read (a damaged page, a locked file) become a :class:`StoreError`."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: SQLiteStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.DatabaseError as exc:
                raise _db_error(exc, self.location, N_("reading failed")) from None

        return generator

    @functools.wraps(method)
    def plain(self: SQLiteStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise _db_error(exc, self.location, N_("reading failed")) from None

    return plain


for _name in (
    "schema_version",
    "revision",
    "counts",
    "facets",
    "participation_counts",
    "get_entities",
    "entity_summaries",
    "find_by_key",
    "name_rows",
    "get_interactions",
    "interactions_of",
    "shared_interactions",
    "shared_interactions_many",
    "participations",
    "neighbors",
    "ties_around",
    "affiliated_people",
    "followups",
    "ties",
    "iter_batches",
    "dump",
):
    setattr(SQLiteStore, _name, _guard(getattr(SQLiteStore, _name)))


def _statements(script: str) -> list[str]:
    """The statements of a migration script; a trigger's body holds semicolons of its own."""
    out, buf = [], ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    return out


__all__ = ["SCHEMA_VERSION", "SQLiteStore"]
