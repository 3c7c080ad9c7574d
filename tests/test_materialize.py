"""Materialized strength: the pairs kept by every write give what rescoring everything gives."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ofai_graph
from ofai_graph import materialize
from ofai_graph.importer import import_data
from ofai_graph.store.sqlite import SQLiteStore
from ofai_graph.strength import StrengthConfig, _pair_evidence, relationship_graph
from ofai_graph.workspace import RebuildingStrength

ENTITIES = ["ofai", "a", "b", "c", "d", "e"]
ROLES = ["organizer", "participant", "invitee", "host", "subject", "requester"]
KINDS = ["meeting", "visit", "referral", "cooperation"]
STATUSES = ["done", "planned", "approved", "declined"]


def as_dict(p):
    return {
        (p.names[a], p.names[b]): (pts, n, last, bits)
        for a, b, pts, n, last, bits in zip(
            *(np.asarray(x).tolist() for x in (p.a, p.b, p.points, p.count, p.last, p.bits)), strict=True
        )
    }


def assert_same(store, as_of, cfg=None):
    """The materialized evidence of every pair equals the full rescoring's, to 1e-9."""
    cfg = cfg or StrengthConfig()
    reference = as_dict(_pair_evidence(store.participations(), cfg, as_of))
    found = materialize.pair_evidence(store, cfg, as_of)
    assert found is not None, "the store keeps no pairs"
    kept = as_dict(found)
    assert kept.keys() == reference.keys()
    for key, (pts, n, last, bits) in reference.items():
        assert kept[key][1:] == (n, last, bits), key
        assert kept[key][0] == pytest.approx(pts, abs=1e-9, rel=1e-9), key


dates = st.one_of(
    st.builds(lambda y, q: f"{y}-Q{q}", st.integers(2019, 2026), st.integers(1, 4)),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2019, 2026), st.integers(1, 12)),
    st.builds(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}",
        st.integers(2019, 2026),
        st.integers(1, 12),
        st.integers(1, 28),
    ),
    st.integers(2019, 2026).map(str),
)
interactions = st.builds(
    lambda id_, date, kind, status, parts: {
        "id": f"i{id_}",
        "date": date,
        "kind": kind,
        "title": "t",
        "status": status,
        "participants": [{"entity": e, "role": r} for e, r in parts],
    },
    st.integers(0, 12),
    dates,
    st.sampled_from(KINDS),
    st.sampled_from(STATUSES),
    st.lists(st.tuples(st.sampled_from(ENTITIES), st.sampled_from(ROLES)), min_size=1, max_size=4),
)
as_of_days = st.dates(dt.date(2018, 6, 1), dt.date(2028, 1, 1))


def organizations():
    return [
        {"id": e, "name": e.upper(), "kind": "home_office" if e == "ofai" else "company"} for e in ENTITIES
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(interactions, min_size=1, max_size=6), min_size=1, max_size=5),
    st.lists(as_of_days, min_size=1, max_size=3),
)
def test_pairs_equal_full_rescoring_after_any_sequence_of_writes(writes, days):
    # Each write is one import: ids repeat across writes, so later ones replace earlier interactions
    # (other participants, dates, kinds, statuses) as a re-import does.
    store = SQLiteStore(":memory:")
    import_data(store, {"organizations": organizations()})
    for batch in writes:
        import_data(store, {"interactions": list({i["id"]: i for i in batch}.values())})
        for day in days:
            assert_same(store, day)


def test_a_participant_replaced_loses_the_pair():
    store = SQLiteStore(":memory:")
    visit = {"id": "v", "date": "2024-03-01", "kind": "visit", "title": "t"}
    import_data(
        store,
        {
            "organizations": organizations(),
            "interactions": [
                {
                    **visit,
                    "participants": [
                        {"entity": "ofai", "role": "host"},
                        {"entity": "a", "role": "participant"},
                    ],
                }
            ],
        },
    )
    import_data(
        store,
        {
            "interactions": [
                {
                    **visit,
                    "participants": [
                        {"entity": "ofai", "role": "host"},
                        {"entity": "b", "role": "participant"},
                    ],
                }
            ]
        },
    )
    g = relationship_graph(store, as_of=dt.date(2024, 6, 1))
    assert not g.has_edge("ofai", "a")
    assert g.has_edge("ofai", "b")
    assert_same(store, dt.date(2024, 6, 1))


def test_a_past_date_in_the_middle_of_a_quarter_is_exact():
    store = SQLiteStore(":memory:")
    rows = [
        {
            "id": f"i{k}",
            "date": d,
            "kind": "meeting",
            "title": "t",
            "participants": [{"entity": "ofai", "role": "organizer"}, {"entity": "a", "role": "participant"}],
        }
        for k, d in enumerate(["2023-Q4", "2024-01-10", "2024-02", "2024-Q1", "2024", "2024-05-20"])
    ]
    import_data(store, {"organizations": organizations(), "interactions": rows})
    for day in (
        dt.date(2024, 1, 9),
        dt.date(2024, 2, 15),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 1),
        dt.date(2025, 1, 1),
    ):
        assert_same(store, day)


def test_other_weights_are_not_served_from_pairs_built_with_the_defaults(store):
    import_data(
        store,
        {
            "organizations": organizations(),
            "interactions": [
                {
                    "id": "v",
                    "date": "2024-03-01",
                    "kind": "visit",
                    "title": "t",
                    "participants": [
                        {"entity": "ofai", "role": "host"},
                        {"entity": "a", "role": "participant"},
                    ],
                }
            ],
        },
    )
    other = StrengthConfig(half_life_days=30)
    assert materialize.pair_evidence(store, other, dt.date(2024, 6, 1)) is None
    day = dt.date(2024, 9, 1)
    # The graph is still right: rescored from the interactions.
    expected = 1.2 * 0.9**0.5 * 2 ** (-(day - dt.date(2024, 3, 1)).days / 30) * other.one_sided
    assert relationship_graph(store, as_of=day, config=other)["ofai"]["a"]["points"] == pytest.approx(
        expected
    )
    assert materialize.rebuild(store, other) == 1
    assert_same(store, day, other)
    assert materialize.pair_evidence(store, StrengthConfig(), day) is None


def test_a_store_filled_before_pairs_were_kept_rebuilds(store):
    import_data(
        store,
        {
            "organizations": organizations(),
            "interactions": [
                {
                    "id": "v",
                    "date": "2024-03-01",
                    "kind": "visit",
                    "title": "t",
                    "participants": [
                        {"entity": "ofai", "role": "host"},
                        {"entity": "a", "role": "participant"},
                    ],
                }
            ],
        },
    )
    store._db.execute("DELETE FROM strength_meta")
    store._db.execute("DELETE FROM strength_pairs")
    assert materialize.pair_evidence(store, StrengthConfig(), dt.date(2024, 6, 1)) is None
    # Writes to it keep nothing until a rebuild; the graph is rescored meanwhile.
    import_data(store, {"organizations": [{"id": "z", "name": "Z", "kind": "company"}]})
    materialize.rebuild(store, StrengthConfig())
    assert_same(store, dt.date(2024, 6, 1))


def test_the_workspace_rebuilds_when_the_config_file_changes_the_weights(tmp_path):
    path = tmp_path / "s.db"
    with ofai_graph.open(path, create=True) as w:
        w.import_data(
            {
                "organizations": organizations(),
                "interactions": [
                    {
                        "id": "v",
                        "date": "2024-03-01",
                        "kind": "visit",
                        "title": "t",
                        "participants": [
                            {"entity": "ofai", "role": "host"},
                            {"entity": "a", "role": "participant"},
                        ],
                    }
                ],
            }
        )
        [before] = w.strength("ofai", "a", as_of=dt.date(2024, 6, 1))
    (tmp_path / "ofai-graph.yaml").write_text("strength:\n  kind: {visit: 3.0}\n")
    with ofai_graph.open(path) as w, pytest.warns(RebuildingStrength, match="ofai-graph.yaml differ"):
        [after] = w.strength("ofai", "a", as_of=dt.date(2024, 6, 1))
        assert after.points == pytest.approx(before.points * 2.5)
        assert materialize.ops(w.store).stored_config() == materialize.config_key(w.strength_config)


def test_the_cli_says_why_a_question_rebuilds_first_then_answers_as_usual(tmp_path):
    """The first question after a change of weights waits for a rebuild: one line on stderr says why,
    in the user's language; the answer on stdout is what it would be anyway; the next question is quiet."""
    from click.testing import CliRunner

    from ofai_graph_cli.main import cli

    db = str(tmp_path / "s.db")
    with ofai_graph.open(db, create=True) as w:
        w.import_data(
            {
                "organizations": organizations(),
                "interactions": [
                    {"id": "v", "date": "2024-03-01", "kind": "visit", "title": "t",
                     "participants": [{"entity": "ofai", "role": "host"}, {"entity": "a"}]},
                ],
            }
        )
    ask = ["--db", db, "--lang", "es", "--json", "--as-of", "2024-06-01", "strength", "ofai", "a"]
    (tmp_path / "ofai-graph.yaml").write_text("strength:\n  kind: {visit: 3.0}\n")
    first = CliRunner().invoke(cli, ask)
    assert first.exit_code == 0, first.output
    assert "⚠ los pesos de la fuerza en " in first.stderr and "se recalcula para cada par" in first.stderr
    assert "differ" not in first.stderr  # (one language)
    again = CliRunner().invoke(cli, ask)
    assert again.exit_code == 0 and again.stderr == ""
    assert json.loads(first.stdout) == json.loads(again.stdout)


def test_cli_rebuild_says_how_many_pairs(tmp_path):
    from click.testing import CliRunner

    from ofai_graph_cli.main import cli

    db = str(tmp_path / "s.db")
    with ofai_graph.open(db, create=True) as w:
        w.import_data(
            {
                "organizations": organizations(),
                "interactions": [
                    {
                        "id": "v",
                        "date": "2024-03-01",
                        "kind": "visit",
                        "title": "t",
                        "participants": [
                            {"entity": "ofai", "role": "host"},
                            {"entity": "a", "role": "participant"},
                            {"entity": "b", "role": "participant"},
                        ],
                    }
                ],
            }
        )
    result = CliRunner().invoke(cli, ["--db", db, "--json", "rebuild"])
    assert result.exit_code == 0, result.output
    assert '"pairs": 3' in result.stdout


@pytest.mark.bolt
def test_neo4j_keeps_the_pairs_as_strength_relationships(neo):
    import_data(
        neo,
        {
            "organizations": organizations(),
            "interactions": [
                {
                    "id": f"i{k}",
                    "date": d,
                    "kind": "meeting",
                    "title": "t",
                    "participants": [
                        {"entity": "ofai", "role": "organizer"},
                        {"entity": e, "role": "participant"},
                    ],
                }
                for k, (d, e) in enumerate(
                    [("2023-Q4", "a"), ("2024-01-10", "a"), ("2024-Q1", "b"), ("2024", "c")]
                )
            ],
        },
    )
    # A re-import that swaps a participant and a new interaction, in one transaction.
    import_data(
        neo,
        {
            "interactions": [
                {
                    "id": "i3",
                    "date": "2024",
                    "kind": "visit",
                    "title": "t",
                    "participants": [
                        {"entity": "ofai", "role": "host"},
                        {"entity": "d", "role": "participant"},
                    ],
                },
                {
                    "id": "i9",
                    "date": "2024-02-02",
                    "kind": "visit",
                    "title": "t",
                    "participants": [{"entity": "a", "role": "host"}, {"entity": "b", "role": "participant"}],
                },
            ]
        },
    )
    for day in (dt.date(2024, 1, 15), dt.date(2024, 6, 1), dt.date(2026, 1, 1)):
        assert_same(neo, day)
    rows = neo._read(
        "MATCH (a:Entity {id: $id})-[s:STRENGTH]-(b:Entity) RETURN b.id, s.n, s.ref_date", {"id": "ofai"}
    )
    assert sorted(r[:2] for r in rows) == [["a", 2], ["b", 1], ["d", 1]]
    assert materialize.rebuild(neo, StrengthConfig()) == 4
    assert_same(neo, dt.date(2024, 6, 1))


@pytest.fixture(scope="module")
def generated():
    from ofai_graph.generate import generate

    w = ofai_graph.open(":memory:")
    w.import_data(generate(400, 4000, seed=11))
    yield w
    w.close()


@pytest.mark.parametrize("day", [dt.date(2026, 11, 26), dt.date(2023, 8, 15)])
def test_connect_reading_pairs_lazily_finds_the_paths_of_the_whole_graph(generated, day):
    from ofai_graph.paths import connect
    from ofai_graph.targets import resolve_target

    w = generated
    full = relationship_graph(w.store, as_of=day, config=StrengthConfig())
    for target in ("Korea", "JP", "ES"):
        expected = connect(full, w.store, "ofai", resolve_target(w.store, target, w.resolver))
        found = w.connect(target, as_of=day)
        assert [p.nodes for p in found.paths] == [p.nodes for p in expected.paths]
        assert [p.score for p in found.paths] == pytest.approx([p.score for p in expected.paths], rel=1e-9)


@pytest.mark.parametrize("day", [dt.date(2026, 11, 26), dt.date(2021, 2, 1)])
def test_top_partners_read_strongest_first_are_the_whole_graphs(generated, day):
    from ofai_graph.strength import top_partners

    full = relationship_graph(generated.store, as_of=day, config=StrengthConfig())
    staff = {n for n in full["ofai"] if "affiliation" in full["ofai"][n]["ties"]}
    own = generated.own_side()
    ranked = top_partners(full, "ofai", top=len(full["ofai"]))
    expected = [p for p in ranked if p.b not in staff | own][:30]
    found = generated.strength("ofai", top=30, as_of=day)
    assert [p.b for p in found] == [p.b for p in expected]
    assert [p.score for p in found] == pytest.approx([p.score for p in expected], rel=1e-9)
    # The office's own side apart, after the partners, strongest first.
    expected_own = [p for p in ranked if p.b in own][:30]
    found = generated.strength("ofai", top=30, as_of=day, include_own=True)
    assert [p.b for p in found if p.own_side] == [p.b for p in expected_own]
    assert [p.score for p in found if p.own_side] == pytest.approx([p.score for p in expected_own], rel=1e-9)


def test_a_large_first_import_summed_through_the_scratch_table_equals_full_rescoring(tmp_path, monkeypatch):
    """An import whose sums outgrow memory puts them aside in the store and sums them there: the same pairs."""
    from ofai_graph.generate import generate
    from ofai_graph.importer import import_files

    monkeypatch.setattr(materialize, "SPILL_ROWS", 50)
    monkeypatch.setattr(ofai_graph.importer, "CHUNK", 300)
    path = tmp_path / "big.json"
    path.write_text(ofai_graph.files.dumps(ofai_graph.model.Dataset.model_validate(generate(80, 3000, seed=3)), "json"))
    store = SQLiteStore(str(tmp_path / "s.db"), create=True)
    staged = []
    stage = materialize.ops(store).stage
    monkeypatch.setattr(materialize.ops(store), "stage", lambda rows: staged.append(1) or stage(rows))
    import_files(store, [path])
    assert len(staged) > 3  # it did go through the scratch table
    for day in (dt.date(2021, 5, 17), dt.date(2024, 2, 29), dt.date(2030, 1, 1)):
        assert_same(store, day)
    assert not store._db.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'strength_scratch'").fetchall()


def test_a_rebuild_repairs_pairs_that_went_wrong_and_rewrites_only_those(tmp_path, monkeypatch):
    """A rebuild of pairs built with the same weights writes only the rows that differ: a row changed
    by hand, one deleted and one that should not be there are put right, across slices of pairs."""
    from ofai_graph.generate import generate

    monkeypatch.setattr(materialize, "PAIR_SLICE", 7)  # many slices, each compared on its own
    store = SQLiteStore(str(tmp_path / "s.db"), create=True)
    import_data(store, generate(40, 400, seed=5))
    cfg = StrengthConfig()
    materialize.rebuild(store, cfg)
    db = store._db
    right = db.execute("SELECT * FROM strength_pairs ORDER BY a, b").fetchall()
    assert len(right) > 30
    a, b = right[10][:2]
    db.execute("UPDATE strength_pairs SET s = s * 2, buckets = NULL WHERE a = ? AND b = ?", (a, b))
    db.execute("DELETE FROM strength_pairs WHERE a = ? AND b = ?", right[20][:2])
    db.execute("INSERT INTO strength_pairs SELECT 'zz-1', 'zz-2', ref, s, n, last, bits, first, buckets, key "
               "FROM strength_pairs LIMIT 1")
    db.execute("INSERT INTO strength_pairs SELECT a, b || '-x', ref, s, n, last, bits, first, buckets, key "
               "FROM strength_pairs WHERE a = ? AND b = ?", right[15][:2])
    written = _counting_writes(monkeypatch, store)
    assert materialize.rebuild(store, cfg) == len(right)
    assert db.execute("SELECT * FROM strength_pairs ORDER BY a, b").fetchall() == right
    # Two rows written again, one deleted (the stray row past the last pair goes with one statement).
    assert sorted(tuple(r[:2]) for r in written) == sorted([(a, b), right[20][:2], (right[15][0], right[15][1] + "-x")])
    for day in (dt.date(2022, 3, 1), dt.date(2030, 1, 1)):
        assert_same(store, day)
    # Every row off: all written again, the indexes on key made again after them.
    db.execute("UPDATE strength_pairs SET s = s / 2")
    assert materialize.rebuild(store, cfg) == len(right)
    assert db.execute("SELECT * FROM strength_pairs ORDER BY a, b").fetchall() == right
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'strength_pairs'")}
    assert {"strength_pairs_a_key", "strength_pairs_b_key"} <= indexes


def _pairs(store):
    return store._db.execute("SELECT * FROM strength_pairs ORDER BY a, b").fetchall()


def _counting_writes(monkeypatch, store):
    """The rows a rebuild hands to SQLite for strength_pairs (every executemany on that table)."""
    written = []
    real = store._db

    class Counting:
        def __getattr__(self, name):
            return getattr(real, name)

        def executemany(self, sql, rows):
            rows = list(rows)
            if "strength_pairs" in sql:  # (a statement of several rows: its values, a row's width at a time)
                width = sql.split("VALUES")[-1].split(")")[0].count("?") if "VALUES" in sql else 0
                for values in rows:
                    if width and len(values) > width:
                        written.extend(tuple(values[i : i + width]) for i in range(0, len(values), width))
                    else:
                        written.append(values)
            return real.executemany(sql, rows)

    monkeypatch.setattr(materialize.ops(store), "db", Counting())
    return written


def test_a_rebuild_after_other_weights_equals_one_from_nothing_row_for_row(tmp_path, monkeypatch):
    """A change of weights (the config file) rewrites every pair: the rows are those of a rebuild of a
    store that kept no pairs, the scores the full rescoring's with the new weights; a rebuild right
    after finds them right and writes nothing."""
    from ofai_graph.generate import generate

    monkeypatch.setattr(materialize, "PAIR_SLICE", 11)
    monkeypatch.setattr(materialize, "REBUILD_CHUNK", 90)  # many chunks of participations
    data = generate(40, 500, seed=11)
    other = StrengthConfig(half_life_days=90.0, kind={**StrengthConfig().kind, "meeting": 2.0})
    store = SQLiteStore(str(tmp_path / "a.db"), create=True)
    import_data(store, data)
    assert materialize.rebuild(store, other) > 30
    fresh = SQLiteStore(str(tmp_path / "b.db"), create=True)
    import_data(fresh, data)
    fresh._db.execute("DROP TABLE strength_pairs")
    fresh._db.execute("DROP TABLE strength_meta")
    fresh._db.commit()
    materialize.rebuild(fresh, other)
    assert _pairs(store) == _pairs(fresh)
    for day in (dt.date(2021, 2, 3), dt.date(2024, 11, 30), dt.date(2031, 1, 1)):
        assert_same(store, day, other)
    written = _counting_writes(monkeypatch, store)
    right = _pairs(store)
    materialize.rebuild(store, other)
    assert written == []
    assert _pairs(store) == right


def test_a_rebuild_that_finds_most_of_a_slice_wrong_rewrites_the_rest_and_keeps_what_was_before(tmp_path, monkeypatch):
    """Rows wrong from the middle of the table on (a key off by a hair, buckets with a number changed,
    the sums halved): the pairs before are kept as they are, the rest written again, the indexes on
    key made again; every row as a rebuild makes it."""
    from ofai_graph.generate import generate

    monkeypatch.setattr(materialize, "PAIR_SLICE", 9)
    store = SQLiteStore(str(tmp_path / "s.db"), create=True)
    import_data(store, generate(40, 400, seed=5))
    cfg = StrengthConfig()
    materialize.rebuild(store, cfg)
    db = store._db
    right = _pairs(store)
    middle = right[len(right) // 2]
    multi = next(r for r in right if r[8] and r[:2] < middle[:2])
    db.execute("UPDATE strength_pairs SET key = key + 1e-9 WHERE a = ? AND b = ?", right[3][:2])
    db.execute(
        "UPDATE strength_pairs SET buckets = ? WHERE a = ? AND b = ?",
        (materialize.pack_buckets([[q, s * 1.5, *rest] for q, s, *rest in materialize.bucket_list(multi[8])]), *multi[:2]),
    )
    db.execute("UPDATE strength_pairs SET s = s / 2 WHERE (a, b) >= (?, ?)", middle[:2])
    written = _counting_writes(monkeypatch, store)
    assert materialize.rebuild(store, cfg) == len(right)
    assert _pairs(store) == right
    written_keys = {tuple(r[:2]) for r in written}
    assert {right[3][:2], multi[:2]} <= written_keys
    assert not any(r[:2] < middle[:2] for r in written_keys - {right[3][:2], multi[:2]})
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'strength_pairs'")}
    assert {"strength_pairs_a_key", "strength_pairs_b_key"} <= indexes
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'strength_pairs_old'").fetchall()


def test_a_rebuild_writes_only_the_pairs_off_by_a_last_bit_without_reading_rows(tmp_path, monkeypatch):
    """As after an import (whose sums are added up in other slices): a few sums and bucket numbers
    off in their last bit, across slices. They are found from the packed read, and only they are
    written; no slice is read as rows."""
    import math

    from ofai_graph.generate import generate

    monkeypatch.setattr(materialize, "PAIR_SLICE", 13)
    store = SQLiteStore(str(tmp_path / "s.db"), create=True)
    import_data(store, generate(40, 400, seed=9))
    cfg = StrengthConfig()
    materialize.rebuild(store, cfg)
    db = store._db
    right = _pairs(store)
    off = [right[k] for k in (2, 30, 31, len(right) - 1)]
    for r in off[:3]:
        db.execute("UPDATE strength_pairs SET s = ? WHERE a = ? AND b = ?", (math.nextafter(r[3], 0), *r[:2]))
    multi = next(r for r in reversed(right) if r[8] and r not in off)
    buckets = materialize.bucket_list(multi[8])
    buckets[-1][1] = math.nextafter(buckets[-1][1], math.inf)
    db.execute("UPDATE strength_pairs SET buckets = ? WHERE a = ? AND b = ?", (materialize.pack_buckets(buckets), *multi[:2]))
    db.execute("UPDATE strength_pairs SET n = n + 1 WHERE a = ? AND b = ?", off[3][:2])
    written = _counting_writes(monkeypatch, store)
    reads = []
    real_execute = materialize.ops(store).db.execute
    monkeypatch.setattr(
        type(materialize.ops(store).db), "execute", lambda self, sql, *a: reads.append(sql) or real_execute(sql, *a), raising=False
    )
    assert materialize.rebuild(store, cfg) == len(right)
    assert _pairs(store) == right
    assert sorted(tuple(r[:2]) for r in written) == sorted({tuple(r[:2]) for r in [*off, multi]})
    assert not [sql for sql in reads if sql.startswith("SELECT a, b, ref")]


def test_a_rebuild_reads_values_the_packed_read_cannot_carry_row_by_row(tmp_path, monkeypatch):
    """Participations are read as a few long strings per range of interactions; a range holding a
    separator inside a value (here a role, written behind the model's back) is read as rows
    instead: the same pairs as the full rescoring, the others read packed."""
    from ofai_graph.generate import generate
    from ofai_graph.store import strength_sqlite

    monkeypatch.setattr(materialize, "REBUILD_CHUNK", 120)
    store = SQLiteStore(str(tmp_path / "s.db"), create=True)
    import_data(store, generate(30, 300, seed=2))
    db = store._db
    some = db.execute("SELECT interaction_id, entity_id FROM participants ORDER BY 1 LIMIT 1 OFFSET 200").fetchone()
    db.execute("UPDATE participants SET role = 'host\x1fx' WHERE interaction_id = ? AND entity_id = ?", some)
    db.commit()
    unpacked = strength_sqlite._unpacked
    results = []
    monkeypatch.setattr(strength_sqlite, "_unpacked", lambda *a: results.append(unpacked(*a)) or results[-1])
    materialize.rebuild(store, StrengthConfig())
    assert None in results and any(r is not None for r in results)
    for day in (dt.date(2022, 6, 1), dt.date(2030, 1, 1)):
        assert_same(store, day)
    # Read all as rows, the pairs are the same to the last bit.
    packed = _pairs(store)
    monkeypatch.setattr(strength_sqlite, "_unpacked", lambda *a: None)
    db.execute("DELETE FROM strength_pairs")
    materialize.rebuild(store, StrengthConfig())
    assert _pairs(store) == packed


def test_right_after_add_interaction_the_answers_include_it(tmp_path):
    """`add interaction` keeps the pairs in its own transaction: the next question counts it, today and
    for an interaction still planned (read from the table of recent contributions)."""
    from click.testing import CliRunner

    from ofai_graph_cli.main import cli

    db = str(tmp_path / "s.db")
    today = dt.date.today()
    with ofai_graph.open(db, create=True) as w:
        w.import_data(
            {
                "organizations": organizations(),
                "interactions": [
                    {
                        "id": f"old{k}",
                        "date": (today - dt.timedelta(days=40 * k)).isoformat(),
                        "kind": "meeting",
                        "title": "t",
                        "participants": [{"entity": "ofai", "role": "host"}, {"entity": "a", "role": "invitee"}],
                    }
                    for k in range(1, 4)
                ],
            }
        )

    def ask(*args):
        result = CliRunner().invoke(cli, ["--db", db, "--lang", "en", "--json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert [p["b"] for p in ask("strength", "--top", "5")] == ["a"]
    this_quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"  # started, its midpoint maybe still ahead
    for title, day, status in (
        ("Visita", today.isoformat(), "done"),
        ("Misión", (today + dt.timedelta(days=20)).isoformat(), "planned"),
        ("Convenio", this_quarter, "approved"),
    ):
        added = CliRunner().invoke(
            cli,
            ["--db", db, "add", "interaction", "--date", day, "--kind", "visit", "--title", title,
             "--status", status, "--participant", "ofai:host", "--participant", "c:participant"],
        )  # fmt: skip
        assert added.exit_code == 0, added.output
    assert "c" in {p["b"] for p in ask("strength", "--top", "5")}
    pair = ask("strength", "ofai", "c")
    assert pair["interactions"] == 2  # the visit today and the quarter's agreement; the mission is ahead
    later = (today + dt.timedelta(days=25)).isoformat()
    pair = ask("--as-of", later, "strength", "ofai", "c")
    assert pair["interactions"] == 3
    store = SQLiteStore(db)
    for day in (today, today + dt.timedelta(days=25)):
        assert materialize.Recent(store, StrengthConfig(), day).table is not None  # read per pair
        assert_same(store, day)
    store.close()


@pytest.mark.parametrize("day", [dt.date(2026, 11, 26), dt.date(2023, 8, 15)])
def test_show_reading_pairs_gives_the_whole_graphs_profile(generated, day):
    """`show` reads only the pairs it names; its strength, tier, partners and centrality are those of
    the whole relationship graph, for an organization, the office itself and a country."""
    from ofai_graph.paths import country_members
    from ofai_graph.strength import pair

    w = generated
    full = relationship_graph(w.store, as_of=day, config=StrengthConfig())
    for eid in ("org-3", "org-17", "ofai"):
        prof = w.show(eid, as_of=day)
        if eid != "ofai":
            expected = pair(full, "ofai", eid)
            assert prof.extra["strength to home office"] == round(expected.score, 3)
            assert prof.extra["tier"] == expected.tier
        if eid in full:
            assert prof.extra["partners"] == full.degree(eid)
            assert prof.extra["degree centrality"] == round(full.degree(eid) / (full.number_of_nodes() - 1), 4)
    country = next(s.id for s in w.store.entity_summaries() if s.type == "country" and country_members(w.store, s.id))
    prof = w.show(country, as_of=day)
    members = [m for m in country_members(w.store, country) if m != "ofai"]
    rels = sorted((pair(full, "ofai", m) for m in members), key=lambda p: (-p.score, p.b))
    expected = [p for p in rels if p.score > 0]
    assert [(p.b, p.b_name) for p in prof.relationships] == [(p.b, p.b_name) for p in expected]
    assert [p.score for p in prof.relationships] == pytest.approx([p.score for p in expected], rel=1e-9)


def test_a_rebuild_finds_a_pair_with_another_count_of_quarters_without_reading_rows(tmp_path, monkeypatch):
    """Packed buckets of a pair that lost a quarter (its records one fewer): that pair alone is
    written again, found from the slice's packed read."""
    from ofai_graph.generate import generate

    monkeypatch.setattr(materialize, "PAIR_SLICE", 17)
    store = SQLiteStore(str(tmp_path / "s.db"), create=True)
    import_data(store, generate(40, 400, seed=11))
    cfg = StrengthConfig()
    materialize.rebuild(store, cfg)
    db = store._db
    right = _pairs(store)
    multi = [r for r in right if r[8] and len(r[8]) > 2 * materialize.BUCKET_SIZE]
    assert len(multi) >= 2
    db.execute("UPDATE strength_pairs SET buckets = ? WHERE a = ? AND b = ?", (multi[0][8][: -materialize.BUCKET_SIZE], *multi[0][:2]))
    db.execute("UPDATE strength_pairs SET buckets = NULL WHERE a = ? AND b = ?", multi[1][:2])
    written = _counting_writes(monkeypatch, store)
    assert materialize.rebuild(store, cfg) == len(right)
    assert _pairs(store) == right
    assert sorted(tuple(r[:2]) for r in written) == sorted(tuple(r[:2]) for r in multi[:2])


def test_a_schema_v3_file_with_json_buckets_is_migrated_then_written_and_read(tmp_path):
    """A store written before schema v4 kept the quarter buckets as JSON text. Opened now, they are
    packed in the migration's transaction; the pairs read the same, a new interaction merges into
    them, and every pair still equals the full rescoring at past and present dates."""
    import sqlite3

    from ofai_graph.generate import generate
    from ofai_graph.store.sqlite import SCHEMA_VERSION

    path = str(tmp_path / "old.db")
    store = SQLiteStore(path, create=True)
    data = generate(30, 300, seed=4)
    import_data(store, data)
    materialize.rebuild(store, StrengthConfig())
    packed = _pairs(store)
    store.close()
    # What schema v3 wrote: json.dumps of the bucket lists, user_version 3.
    db = sqlite3.connect(path, isolation_level=None)
    db.executemany(
        "UPDATE strength_pairs SET buckets = ? WHERE a = ? AND b = ?",
        [(json.dumps(materialize.bucket_list(r[8])), r[0], r[1]) for r in packed if r[8]],
    )
    db.execute("PRAGMA user_version = 3")
    assert db.execute("SELECT count(*) FROM strength_pairs WHERE typeof(buckets) = 'text'").fetchone()[0] > 10
    db.close()

    store = SQLiteStore(path)
    assert store.schema_version() == SCHEMA_VERSION == 4
    assert _pairs(store) == packed  # byte for byte what this version writes
    assert not store._db.execute("SELECT 1 FROM strength_pairs WHERE typeof(buckets) = 'text'").fetchall()
    first = min(i["date"] for i in data["interactions"])
    for day in (dt.date(2024, 5, 17), dt.date.fromisoformat(first[:4] + "-12-31"), dt.date(2030, 1, 1)):
        assert_same(store, day)
    partners = sorted({p["entity"] for i in data["interactions"] for p in i["participants"]})[:3]
    import_data(store, {"interactions": [{
        "id": "new-1", "date": "2025-03-02", "kind": "meeting", "title": "Nueva",
        "participants": [{"entity": e, "role": "participant"} for e in partners],
    }]})  # fmt: skip
    for day in (dt.date(2025, 3, 2), dt.date(2025, 6, 30), dt.date(2030, 1, 1)):
        assert_same(store, day)
    assert not store._db.execute("SELECT 1 FROM strength_pairs WHERE typeof(buckets) != 'blob' AND buckets IS NOT NULL").fetchall()


def _tables(store):
    db = store._db
    return (
        _pairs(store),
        db.execute("SELECT * FROM strength_recent ORDER BY a, b, q, m, start, p").fetchall(),
        db.execute("SELECT * FROM strength_meta ORDER BY key").fetchall(),
    )


def test_a_rebuild_with_a_helper_process_equals_one_in_one_process(tmp_path, monkeypatch):
    """On a large store a second process reads half the interactions, then sums and compares half the
    pairs: the tables are the same, value for value, as one process's — after other weights, with the
    pairs right, and with rows gone wrong on both sides of the split; a helper that fails or dies
    changes nothing but the time."""
    from ofai_graph.generate import generate

    monkeypatch.setattr(materialize, "PAIR_SLICE", 13)
    monkeypatch.setattr(materialize, "REBUILD_CHUNK", 90)  # 30 interactions a chunk: many on each side
    monkeypatch.setattr(materialize, "PARALLEL_MIN", 0)
    helped = []
    real_summed = materialize._Helper.summed

    def summed(self):
        found = real_summed(self)
        helped.append(found is not None and found[1] is not None)
        return found

    monkeypatch.setattr(materialize._Helper, "summed", summed)
    data = generate(60, 900, seed=7)
    other = StrengthConfig(half_life_days=120.0, kind={**StrengthConfig().kind, "meeting": 2.5})
    two = SQLiteStore(str(tmp_path / "two.db"), create=True)
    one = SQLiteStore(str(tmp_path / "one.db"), create=True)
    import_data(two, data)
    import_data(one, data)
    for cfg in (other, StrengthConfig(), StrengthConfig()):  # new weights twice, then pairs right
        n = materialize.rebuild(two, cfg)
        assert n == materialize.rebuild(one, cfg, parallel=False) > 100
        assert _tables(two) == _tables(one)
    assert helped == [False, False, True]  # compared by the helper only when the weights were kept
    right = _pairs(one)
    db = two._db
    for row in (right[5], right[len(right) // 2], right[-4]):  # changed on both sides of the split
        db.execute("UPDATE strength_pairs SET s = s * 3 WHERE a = ? AND b = ?", row[:2])
    for row in (right[9], right[-9]):
        db.execute("DELETE FROM strength_pairs WHERE a = ? AND b = ?", row[:2])
    db.execute("INSERT INTO strength_pairs SELECT a, b || '-x', ref, s, n, last, bits, first, buckets, key "
               "FROM strength_pairs WHERE a = ? AND b = ?", right[-20][:2])
    written = _counting_writes(monkeypatch, two)
    materialize.rebuild(two, StrengthConfig())
    assert _tables(two) == _tables(one)
    assert 5 <= len(written) <= 7 and helped[-1]
    for day in (dt.date(2022, 3, 1), dt.date(2030, 1, 1)):
        assert_same(two, day)
    # A helper that says nothing, or whose sums never come: its parts are done here.
    monkeypatch.setattr(materialize._Helper, "first", lambda self, names: None)
    db.execute("UPDATE strength_pairs SET s = s * 3")
    materialize.rebuild(two, StrengthConfig())
    assert _tables(two) == _tables(one)
    monkeypatch.undo()
    monkeypatch.setattr(materialize, "PAIR_SLICE", 13)
    monkeypatch.setattr(materialize, "REBUILD_CHUNK", 90)
    monkeypatch.setattr(materialize, "PARALLEL_MIN", 0)
    monkeypatch.setattr(materialize._Helper, "summed", lambda self: (self.close(), None)[1])
    db.execute("UPDATE strength_pairs SET s = s * 3")
    materialize.rebuild(two, other)
    materialize.rebuild(one, other, parallel=False)
    assert _tables(two) == _tables(one)


def test_pairs_stored_with_a_weight_no_longer_valid_are_rebuilt_not_a_crash(tmp_path):
    """Before weights had to be 0 or more, a negative one was accepted and stored with the pairs. Such
    a store still takes writes and answers: its pairs count as none until the rebuild replaces them."""
    path = tmp_path / "old.db"
    with ofai_graph.open(path, create=True) as w:
        w.import_data({"organizations": organizations(), "interactions": [
            {"id": "v", "date": "2024-03-01", "kind": "visit", "title": "t",
             "participants": [{"entity": "ofai", "role": "host"}, {"entity": "a"}]}]})
        old = json.loads(materialize.ops(w.store).stored_config())
        old["kind"]["meeting"] = -1.0
        w.store._db.execute("UPDATE strength_meta SET value = ? WHERE key = 'config'", (json.dumps(old),))
        assert materialize.stored_config(json.dumps(old)) is None
    with ofai_graph.open(path) as w:
        w.import_data({"interactions": [{"id": "m", "date": "2024-04-01", "kind": "meeting", "title": "t",
                                         "participants": [{"entity": "ofai", "role": "host"}, {"entity": "a"}]}]})
        with pytest.warns(RebuildingStrength):
            [pair] = w.strength("ofai", "a", as_of=dt.date(2024, 6, 1))
        assert pair.interactions == 2
        assert materialize.is_current(w.store, w.strength_config)
        assert_same(w.store, dt.date(2024, 6, 1))
