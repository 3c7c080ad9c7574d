"""The embedded store: round trips, migrations, concurrent writers, crashes."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

import ofai_graph
from ofai_graph.errors import StoreError
from ofai_graph.files import dumps
from ofai_graph.generate import generate
from ofai_graph.importer import import_data, import_files
from ofai_graph.seeds import seed_files
from ofai_graph.store.sqlite import SCHEMA_VERSION, SQLiteStore
from tests.conftest import write


def test_export_reimports_to_an_identical_store(seeded, tmp_path):
    for fmt in ("yaml", "json"):
        dump = write(tmp_path, f"dump.{fmt}", seeded.export(fmt))
        with ofai_graph.open(tmp_path / f"copy-{fmt}.db") as copy:
            copy.import_files([dump])
            assert copy.dataset() == seeded.dataset()
            assert copy.export(fmt) == seeded.export(fmt)


def test_generated_data_round_trips(tmp_path):
    a = SQLiteStore(tmp_path / "a.db")
    import_data(a, generate(200, 800, seed=3))
    b = SQLiteStore(tmp_path / "b.db")
    import_files(b, [write(tmp_path, "g.json", dumps(a.dump(), "json"))])
    assert a.dump() == b.dump()


def test_a_new_store_has_the_current_schema_and_refuses_a_newer_one(tmp_path):
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    assert SQLiteStore(path).schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(path)


def test_an_unversioned_file_is_migrated_forward(tmp_path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # an empty SQLite file: version 0
    s = SQLiteStore(path)
    assert s.schema_version() == SCHEMA_VERSION and s.counts()["interactions"] == 0


def test_a_version_1_file_gets_its_affiliations_filled_in_by_migration_2(tmp_path):
    """A store written by the first release (no affiliations table) still finds people by organization."""
    path = tmp_path / "v1.db"
    with ofai_graph.open(path) as w:
        w.import_files(seed_files())
    with sqlite3.connect(path) as db:  # back to what version 1 wrote: the same data, no such table
        db.execute("DROP TABLE affiliations")
        db.execute("PRAGMA user_version = 1")
    s = SQLiteStore(path)
    assert s.schema_version() == SCHEMA_VERSION >= 2
    assert s.affiliated_people(["amcham"]) == {"maria-claudia-lacouture"}
    assert {"amcham"} <= s.neighbors(["maria-claudia-lacouture"])


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    p = write(tmp_path, "notes.db", "hello, not a database" * 10)
    with pytest.raises(StoreError, match="not an ofai-graph store"):
        SQLiteStore(p)


IMPORT_SCRIPT = """
import sys, ofai_graph
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
    SQLiteStore(db).close()
    a, b = _big_file(tmp_path, 20000, 1, "a"), _big_file(tmp_path, 20000, 2, "b")
    procs = [
        subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, str(db), str(f)], stderr=subprocess.PIPE)
        for f in (a, b)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    assert SQLiteStore(db).counts()["interactions"] == 40000


def test_a_killed_import_leaves_the_store_as_before(tmp_path):
    db = tmp_path / "crash.db"
    with ofai_graph.open(db) as ws:
        ws.import_data(generate(50, 100, seed=9))
        before = ws.dataset()
    big = _big_file(tmp_path, 60000, 4, "z")
    proc = subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, str(db), str(big)])
    # Kill it once it holds the write lock, i.e. in the middle of writing.
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            probe = sqlite3.connect(db, timeout=0)
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            probe.close()
        except sqlite3.OperationalError:
            break
        if proc.poll() is not None:
            pytest.fail("the import finished before it could be killed; make the file bigger")
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with ofai_graph.open(db) as ws:
        assert ws.dataset() == before


def test_one_transaction_may_write_the_same_record_twice_into_a_new_store():
    from ofai_graph.model import Dataset, Organization

    s = SQLiteStore(":memory:")
    with s.transaction() as tx:
        tx.write(Dataset(organizations=[Organization(id="a", name="A", kind="company")]))
        tx.write(Dataset(organizations=[Organization(id="a", name="A2", kind="company")]))
    assert tx.report.sections["entities"].added == 1 and tx.report.sections["entities"].updated == 1
    assert s.get_entities(["a"])["a"].name == "A2"


def test_an_exception_inside_a_transaction_writes_nothing():
    from ofai_graph.model import Dataset, Organization

    s = SQLiteStore(":memory:")
    with pytest.raises(RuntimeError), s.transaction() as tx:
        tx.write(Dataset(organizations=[Organization(id="a", name="A", kind="company")]))
        raise RuntimeError("boom")
    assert s.counts()["organization"] == 0
