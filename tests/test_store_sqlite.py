"""The embedded store: files, migrations, other programs' files, permissions, damage, crashes.

What every backend promises is in test_store_contract.py; this module is about the file.
"""

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

import ofai_graph
from ofai_graph.errors import StoreError
from ofai_graph.files import dumps
from ofai_graph.generate import generate
from ofai_graph.importer import import_data, import_files
from ofai_graph.model import Dataset, Organization
from ofai_graph.seeds import seed_files
from ofai_graph.store import NotAStore, StoreDamaged, StoreNotFound, open_store
from ofai_graph.store.sqlite import SCHEMA_VERSION, SQLiteStore
from tests.conftest import write


def cli(*args: str, db=None) -> subprocess.CompletedProcess:
    env = {**os.environ}
    if db is not None:
        env["OFAI_GRAPH_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "ofai_graph", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_export_reimports_to_an_identical_store(seeded, tmp_path):
    for fmt in ("yaml", "json"):
        dump = write(tmp_path, f"dump.{fmt}", seeded.export(fmt))
        with ofai_graph.open(tmp_path / f"copy-{fmt}.db", create=True) as copy:
            copy.import_files([dump])
            assert copy.dataset() == seeded.dataset()
            assert copy.export(fmt) == seeded.export(fmt)


def test_generated_data_round_trips(tmp_path):
    a = open_store(tmp_path / "a.db", create=True)
    import_data(a, generate(200, 800, seed=3))
    b = open_store(f"sqlite:///{tmp_path / 'b.db'}", create=True)
    import_files(b, [write(tmp_path, "g.json", dumps(a.dump(), "json"))])
    assert a.dump() == b.dump()


# -- opening: only init creates; addresses ---------------------------------------------------------


def test_a_missing_store_is_an_error_that_says_how_to_create_it(tmp_path):
    path = tmp_path / "no" / "such" / "typo.db"
    with pytest.raises(StoreNotFound, match="init") as err:
        ofai_graph.open(path)
    assert str(path) in str(err.value) and "create=True" in str(err.value)
    assert not (tmp_path / "no").exists()
    with ofai_graph.open(path, create=True) as ws:
        assert ws.stats().counts["interactions"] == 0
    assert path.exists()


def test_commands_other_than_init_do_not_create_a_store(tmp_path):
    path = tmp_path / "missing" / "office.db"
    for args in (["stats"], ["show", "imct"], ["import", "x.yaml"], ["export"]):
        r = cli(*args, db=path)
        assert r.returncode == 1, (args, r.stderr)
        assert str(path) in r.stderr and "ofai-graph --db" in r.stderr and "init" in r.stderr
        assert "Traceback" not in r.stderr
    assert not (tmp_path / "missing").exists()
    r = cli("init", db=path)
    assert r.returncode == 0, r.stderr
    assert cli("--json", "stats", db=path).returncode == 0


def test_a_store_under_a_file_is_a_clear_error(tmp_path):
    blocker = write(tmp_path, "a-file", "x")
    r = cli("init", db=blocker / "office.db")
    assert r.returncode == 1 and "cannot create a store" in r.stderr and "Traceback" not in r.stderr


def test_store_addresses(tmp_path):
    path = tmp_path / "s.db"
    open_store(path, create=True).close()
    for address in (str(path), f"sqlite:///{path}", path):
        with open_store(address) as s:
            assert s.location == str(path)
    with pytest.raises(StoreError, match="unknown store address"):
        open_store("ftp://example.org/x.db")
    with pytest.raises(StoreError, match="server address"):
        open_store("bolt://127.0.0.1:1", backend="sqlite")


# -- another program's file ------------------------------------------------------------------------


def _snapshot(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_another_programs_sqlite_file_is_refused_and_left_unchanged(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO clients (name) VALUES ('Ana')")
    db.close()
    before = _snapshot(tmp_path)
    for args in (["stats"], ["init"], ["import", str(other)]):
        r = cli(*args, db=other)
        assert r.returncode == 1 and "not an ofai-graph store" in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr
    with pytest.raises(NotAStore, match="clients"):
        open_store(other, create=True)
    assert _snapshot(tmp_path) == before  # no WAL switch, no tables, no -wal/-shm files
    with sqlite3.connect(other) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    p = write(tmp_path, "notes.db", "hello, not a database" * 10)
    with pytest.raises(NotAStore, match="not an ofai-graph store"):
        open_store(p)


# -- permissions -----------------------------------------------------------------------------------


@pytest.fixture
def read_only(monkeypatch):
    """Make files and folders read-only for the store. Root may write anyway, so as root the
    permission check is what says no (the store opens SQLite read-only either way)."""

    def apply(*paths):
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        if os.geteuid() == 0:
            real = os.access
            denied = {str(p) for p in paths}
            monkeypatch.setattr(
                os, "access", lambda p, mode: False if mode == os.W_OK and str(p) in denied else real(p, mode)
            )

    return apply


def test_a_read_only_store_file_can_be_read(tmp_path, seeded_path, read_only):
    import shutil

    path = tmp_path / "ro.db"
    shutil.copy(seeded_path, path)
    read_only(path)
    with ofai_graph.open(path) as ws:
        assert ws.stats().counts["interactions"] == 36
        assert ws.show("imct").id == "imct" and ws.export("json")
        with pytest.raises(StoreError, match="read-only"):
            ws.import_data({"organizations": [{"id": "x", "name": "X", "kind": "company"}]})
    path.chmod(0o644)


def test_a_store_in_a_read_only_folder_can_be_read(tmp_path, seeded_path, read_only):
    import shutil

    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(seeded_path, folder / "s.db")
    read_only(folder)
    try:
        with ofai_graph.open(folder / "s.db") as ws:
            assert ws.stats().counts["interactions"] == 36
        assert sorted(p.name for p in folder.iterdir()) == ["s.db"]  # no -wal, no -shm
    finally:
        folder.chmod(0o755)


# -- damage ----------------------------------------------------------------------------------------


def test_a_damaged_store_is_a_one_line_error_on_every_command(tmp_path, seeded_path):
    import shutil

    path = tmp_path / "damaged.db"
    shutil.copy(seeded_path, path)
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), page):  # every page after the schema's, garbage
        data[start : start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    for args in (["stats"], ["show", "imct"], ["export"], ["connect", "Korea"], ["followups"]):
        r = cli(*args, db=path)
        assert r.returncode == 1, (args, r.stderr)
        assert "damaged" in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    with pytest.raises(StoreDamaged):
        ofai_graph.open(path).stats()


# -- schema versions -------------------------------------------------------------------------------


def test_a_new_store_has_the_current_schema_and_refuses_a_newer_one(tmp_path):
    path = tmp_path / "s.db"
    SQLiteStore(path, create=True).close()
    assert SQLiteStore(path).schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(path)


def test_an_empty_file_becomes_a_store_only_when_asked(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # an empty SQLite file: no tables, version 0
    with pytest.raises(StoreNotFound, match="empty"):
        SQLiteStore(path)
    s = SQLiteStore(path, create=True)
    assert s.schema_version() == SCHEMA_VERSION and s.counts()["interactions"] == 0


def test_a_new_store_file_has_large_pages_and_an_older_one_keeps_its_own(tmp_path, seeded_path):
    """16 KB pages make a big import cheaper; a file made before (4 KB pages) opens and writes as it is."""
    new = tmp_path / "new.db"
    SQLiteStore(new, create=True).close()
    empty = tmp_path / "empty.db"
    empty.touch()
    SQLiteStore(empty, create=True).close()
    old = tmp_path / "old.db"
    shutil.copy(seeded_path, old)
    with sqlite3.connect(old) as db:  # back to SQLite's default pages, as stores were made before
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA page_size = 4096")
        db.execute("VACUUM")
    before = SQLiteStore(old).counts()
    with SQLiteStore(old) as s:
        s.write(Dataset(organizations=[Organization(id="x-new", name="X", kind="ngo")]))
    page = {p: sqlite3.connect(p).execute("PRAGMA page_size").fetchone()[0] for p in (new, empty, old)}
    assert page == {new: 16384, empty: 16384, old: 4096}
    assert SQLiteStore(old).counts()["organization"] == before["organization"] + 1


def _drop_version_3(db: sqlite3.Connection) -> None:
    for name in ("entity_countries_insert", "entity_countries_update", "entity_countries_delete"):
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DROP TABLE entity_countries")


def test_a_version_1_file_gets_its_affiliations_filled_in_by_migration_2(tmp_path):
    """A store written by the first release (no affiliations table) still finds people by organization."""
    path = tmp_path / "v1.db"
    with ofai_graph.open(path, create=True) as w:
        w.import_files(seed_files())
    with sqlite3.connect(path) as db:  # back to what version 1 wrote: the same data, no such table
        _drop_version_3(db)
        db.execute("DROP TABLE affiliations")
        db.execute("PRAGMA user_version = 1")
    s = SQLiteStore(path)
    assert s.schema_version() == SCHEMA_VERSION >= 2
    assert s.affiliated_people(["amcham"]) == {"maria-claudia-lacouture"}
    assert {"amcham"} <= s.neighbors(["maria-claudia-lacouture"])


def test_a_version_2_file_finds_a_country_s_entities_by_index_after_migration_3(tmp_path):
    """Migration 3 fills the country index from the stored entities; triggers keep it in step after."""
    path = tmp_path / "v2.db"
    with ofai_graph.open(path, create=True) as w:
        w.import_files(seed_files())
        expected = {s.id for s in w.store.entity_summaries() if "KR" in s.countries}
    with sqlite3.connect(path) as db:  # back to what version 2 wrote
        _drop_version_3(db)
        db.execute("PRAGMA user_version = 2")
    s = SQLiteStore(path)
    assert s.schema_version() == SCHEMA_VERSION >= 3
    assert {e.id for e in s.entity_summaries(country="KR")} == expected and "gobierno-corea" in expected
    from ofai_graph.importer import import_data

    import_data(s, {"organizations": [
        {"id": "koica", "name": "KOICA", "kind": "bilateral_agency", "countries": ["KR", "CO"]},
        {"id": "gobierno-corea", "name": "Gobierno de Corea", "kind": "foreign_government", "countries": ["JP"]},
    ]}, replace=True)  # fmt: skip
    assert {e.id for e in s.entity_summaries(country="KR")} == expected - {"gobierno-corea"} | {"koica"}
    assert "koica" in {e.id for e in s.entity_summaries(country="CO")}
    assert "gobierno-corea" in {e.id for e in s.entity_summaries(country="JP")}
    s.close()
    with ofai_graph.open(path) as w:  # a merge deletes the dropped entity's row
        w.merge("apc-colombia", "koica")
        assert "koica" not in {e.id for e in w.store.entity_summaries(country="KR")}


# -- one snapshot per export -----------------------------------------------------------------------


def test_export_is_one_snapshot_even_when_an_import_commits_in_the_middle(tmp_path, seeded_path, monkeypatch):
    """A write that commits between the export's sections is in none of them (the file re-imports)."""
    import shutil

    import ofai_graph.store.sqlite as sqlite_module

    path = tmp_path / "live.db"
    shutil.copy(seeded_path, path)
    other = open_store(path)
    original = sqlite_module.dataset_of
    wrote: list[str] = []

    def dataset_of(section, rows):
        if section == "entities" and not wrote:  # after the entities were read, before interactions
            other.write(
                ofai_graph.Dataset(
                    organizations=[ofai_graph.Organization(id="nueva", name="Nueva", kind="company")],
                    interactions=[
                        ofai_graph.Interaction(
                            id="tarde",
                            date="2024-04-01",
                            kind="meeting",
                            title="Reunión tardía",
                            participants=[{"entity": "nueva"}, {"entity": "ofai"}],
                        )
                    ],
                )
            )
            wrote.append(section)
        return original(section, rows)

    monkeypatch.setattr(sqlite_module, "dataset_of", dataset_of)
    with ofai_graph.open(path) as ws:
        exported = ws.export("json")
    assert wrote and "tarde" not in exported and "nueva" not in exported
    with ofai_graph.open(tmp_path / "copy.db", create=True) as copy:
        copy.import_files([write(tmp_path, "dump.json", exported)])
        assert copy.stats().counts["interactions"] == 36
    other.close()


# -- concurrency and crashes -----------------------------------------------------------------------

IMPORT_SCRIPT = """
import sys, ofai_graph
with ofai_graph.open(sys.argv[1]) as ws:
    ws.import_files([sys.argv[2]], max_bytes=2**30)
"""

# The same import, stopped for good right after its first interactions were written inside the
# open transaction: it says so on stdout, and the test kills it there. No polling, no timing.
STOPPED_IMPORT_SCRIPT = """
import sys, time, ofai_graph
from ofai_graph.store import sqlite

write_batch = sqlite.SQLiteStore._write_batch

def stop_midway(self, data):
    report = write_batch(self, data)
    if data.interactions:
        written = self._db.execute("SELECT count(*) FROM interactions").fetchone()[0]
        print("MID-TRANSACTION", self._db.in_transaction, written, flush=True)
        time.sleep(600)
    return report

sqlite.SQLiteStore._write_batch = stop_midway
with ofai_graph.open(sys.argv[1]) as ws:
    ws.import_files([sys.argv[2]], max_bytes=2**30)
"""


def _big_file(tmp_path, n, seed, prefix):
    data = generate(n // 5, n, seed=seed)
    # Prefix ids so two files do not collide.
    text = json.dumps(data).replace('"i-', f'"{prefix}i-').replace('"f-', f'"{prefix}f-')
    return write(tmp_path, f"{prefix}.json", text)


def test_two_imports_at_once_both_land(tmp_path):
    db = tmp_path / "shared.db"
    SQLiteStore(db, create=True).close()
    a, b = _big_file(tmp_path, 20000, 1, "a"), _big_file(tmp_path, 20000, 2, "b")
    procs = [
        subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, str(db), str(f)], stderr=subprocess.PIPE)
        for f in (a, b)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    assert SQLiteStore(db).counts()["interactions"] == 40000


def test_an_import_killed_in_the_middle_of_its_transaction_leaves_the_store_as_before(tmp_path):
    db = tmp_path / "crash.db"
    with ofai_graph.open(db, create=True) as ws:
        ws.import_data(generate(50, 100, seed=9))
        before = ws.dataset()
    big = _big_file(tmp_path, 3000, 4, "z")
    proc = subprocess.Popen(
        [sys.executable, "-c", STOPPED_IMPORT_SCRIPT, str(db), str(big)], stdout=subprocess.PIPE, text=True
    )
    try:
        mark, in_transaction, written = proc.stdout.readline().split()
        # Stopped inside its open transaction, with its first interactions written there.
        assert (mark, in_transaction) == ("MID-TRANSACTION", "True") and int(written) > 100
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with ofai_graph.open(db) as ws:
        assert ws.dataset() == before
        assert ws.import_files([big], max_bytes=2**30).total("added") > 0  # and the store still works


def test_the_default_store_missing_or_empty_says_where_it_is_and_how_to_fill_it(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("OFAI_GRAPH_DB", None)
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "ofai_graph", *a], env=env, capture_output=True, text=True, timeout=120
    )
    r = run("connect", "Korea")
    assert r.returncode == 1 and "`ofai-graph init`" in r.stderr and str(tmp_path / "data") in r.stderr
    assert not (tmp_path / "data").exists()
    assert run("init").returncode == 0
    for args in (["connect", "Korea"], ["show", "imct"], ["strength"]):
        r = run(*args)
        assert r.returncode == 1 and "is empty" in r.stderr and "init --seed" in r.stderr, (args, r.stderr)
        assert str(tmp_path / "data") in r.stderr


def test_nothing_outside_the_store_package_imports_a_backend():
    """Backend knowledge stays in ofai_graph/store: the library, the CLI and the benchmarks use
    open_store() and the protocol (the layering rule of issue #9)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for folder in ("ofai_graph", "cli", "benchmarks"):
        for path in (root / folder).rglob("*.py"):
            if path.parent.name == "store" and path.parent.parent.name == "ofai_graph":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                if any(n.endswith(("store.sqlite", "store.neo4j")) for n in names):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(
    "operation",
    [
        lambda ws: ws.show("imct", as_of=dt.date(2024, 3, 31)),
        lambda ws: ws.connect("Korea", as_of=dt.date(2024, 3, 31)),
        lambda ws: ws.strength(top=5, as_of=dt.date(2024, 3, 31)),
        lambda ws: ws.followups(partner="JICA"),
        lambda ws: ws.dormant(as_of=dt.date(2024, 12, 31)),
        lambda ws: ws.stats(),
        lambda ws: ws.export("json"),
    ],
    ids=["show", "connect", "strength", "followups", "dormant", "stats", "export"],
)
def test_every_multi_read_operation_reads_one_snapshot(seeded, operation):
    """Each query of the operation runs inside one read transaction, opened once."""

    class Watch:
        def __init__(self, db):
            self.db, self.outside, self.begins = db, [], 0

        def execute(self, sql, *args):
            if sql.strip().upper() == "BEGIN":
                self.begins += 1
            elif not self.db.in_transaction:
                self.outside.append(sql)
            return self.db.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.db, name)

    watch = Watch(seeded.store._db)
    seeded.store._db = watch
    try:
        operation(seeded)
    finally:
        seeded.store._db = watch.db
    assert watch.outside == [] and watch.begins == 1
