"""The embedded store's pairs: bulk writes of several rows per statement keep every row, in order."""

from __future__ import annotations

import sqlite3

import pytest

from ofai_graph import materialize
from ofai_graph.importer import import_data
from ofai_graph.store import strength_sqlite
from ofai_graph.store.sqlite import SQLiteStore
from ofai_graph.strength import StrengthConfig


def _table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (k INTEGER, x TEXT, y REAL, z BLOB)")
    return db


@pytest.mark.parametrize("count", [0, 1, 4, 5, 11, 12, 13])
def test_columns_are_written_as_rows_in_order_whatever_their_count(monkeypatch, count):
    monkeypatch.setattr(strength_sqlite, "_ROWS_PER_STATEMENT", 4)
    rows = [(k, f"id-{k}", k / 3, bytes([k]) if k % 2 else None) for k in range(count)]
    db = _table()
    strength_sqlite._insert_columns(db, "INSERT INTO t (k, x, y, z)", [list(c) for c in zip(*rows, strict=True)] or [[]] * 4)
    assert db.execute("SELECT * FROM t ORDER BY rowid").fetchall() == rows
    db = _table()
    strength_sqlite._insert_rows(db, "INSERT INTO t", 4, iter(rows))
    assert db.execute("SELECT * FROM t ORDER BY rowid").fetchall() == rows


def test_a_rebuild_written_several_rows_a_statement_equals_one_written_a_row_at_a_time(tmp_path, monkeypatch):
    """After other weights every pair and recent contribution is written again: with statements of 7
    rows (slices of 50 pairs: full statements and a rest in each) the tables hold exactly the rows of
    a rebuild writing one row per statement."""
    from ofai_graph.generate import generate

    data = generate(40, 600, seed=3)
    other = StrengthConfig(half_life_days=120.0, kind={**StrengthConfig().kind, "meeting": 1.7})
    monkeypatch.setattr(materialize, "PAIR_SLICE", 50)
    tables = []
    for per in (1, 7):
        monkeypatch.setattr(strength_sqlite, "_ROWS_PER_STATEMENT", per)
        store = SQLiteStore(str(tmp_path / f"s{per}.db"), create=True)
        import_data(store, data)
        assert materialize.rebuild(store, other) > 100
        db = store._db
        tables.append(
            (
                db.execute("SELECT * FROM strength_pairs ORDER BY a, b").fetchall(),
                db.execute("SELECT * FROM strength_recent ORDER BY a, b, q, m, start, p").fetchall(),
            )
        )
        store.close()
    assert tables[0] == tables[1]
    assert len(tables[1][1]) > 0
