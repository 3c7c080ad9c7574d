"""The materialized pairs on Neo4j (ofai_graph/store/strength_neo4j.py): the recent contributions
kept on the STRENGTH relationships answer "today" exactly, without reading the quarter's interactions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_materialize import assert_same, organizations

import ofai_graph
from ofai_graph import materialize
from ofai_graph.importer import import_data
from ofai_graph.store import open_store
from ofai_graph.store.neo4j import SCHEMA_VERSION
from ofai_graph.sync import copy

pytestmark = pytest.mark.bolt

TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def meeting(id_: str, date: str, *who: str, kind: str = "meeting", status: str = "done") -> dict:
    roles = ["organizer", "participant", "invitee"]
    return {
        "id": id_,
        "date": date,
        "kind": kind,
        "title": "t",
        "status": status,
        "participants": [{"entity": e, "role": roles[k % 3]} for k, e in enumerate(who)],
    }


def recent_data() -> dict:
    """Interactions around today: long ago, last quarter, this quarter, planned, in progress."""
    this_quarter = TODAY.strftime("%Y-") + f"Q{(TODAY.month - 1) // 3 + 1}"
    return {
        "organizations": organizations(),
        "interactions": [
            meeting("old", "2021-05-04", "ofai", "a"),
            meeting("q-1", day(-100), "ofai", "a", "b"),
            meeting("near", day(-3), "ofai", "a"),
            meeting("week", day(-10), "b", "c", kind="visit"),
            meeting("quarter", this_quarter, "ofai", "c"),  # in progress: its midpoint may be ahead
            meeting("soon", day(20), "ofai", "d", status="planned"),
            meeting("month", TODAY.strftime("%Y-%m"), "d", "e", "ofai"),
        ],
    }


DAYS = [TODAY, TODAY - dt.timedelta(days=40), TODAY + dt.timedelta(days=30)]
"""Days the recent rows cover (from the start of the quarter before today's)."""
PAST = dt.date(2022, 1, 1)  # before them: read from the interactions of its quarter


def no_window(store, monkeypatch):
    """Reading the quarter's interactions (what a store without recent rows does) fails the test."""
    assert_same(store, PAST)

    def window(lo, hi):
        raise AssertionError(f"read the interactions of {lo}..{hi}")

    monkeypatch.setattr(materialize.ops(store), "window", window)


def test_answers_as_of_today_come_from_the_recent_rows_on_the_pairs(neo, monkeypatch):
    import_data(neo, recent_data())
    # A re-import changing a participant and a status, and a new interaction: pairs recomputed.
    import_data(
        neo,
        {
            "interactions": [
                meeting("near", day(-3), "ofai", "e"),
                meeting("soon", day(20), "ofai", "d", status="done"),
                meeting("new", day(-1), "a", "b", kind="visit"),
            ]
        },
    )
    assert materialize.ops(neo).recent_cut() == materialize.recent_cut_for(TODAY)
    no_window(neo, monkeypatch)
    for d in DAYS:
        assert_same(neo, d)
    rows = neo._read("MATCH (:Entity {id: 'ofai'})-[s:STRENGTH]-(:Entity {id: 'e'}) RETURN s.rm, s.rp")
    (rm, rp), = rows
    assert len(rm) == len(rp) == 2  # "near" (moved to e) and "month"


def test_a_rebuild_and_a_trim_keep_the_answers(neo, monkeypatch):
    import_data(neo, recent_data())
    pairs = materialize.ops(neo)
    with neo.transaction():
        materialize.rebuild(neo, materialize.default_config(), in_transaction=True)
    no_window(neo, monkeypatch)
    for d in DAYS:
        assert_same(neo, d)
    cut = materialize.quarter_start(materialize.quarter(TODAY.toordinal()))
    with neo.transaction():
        pairs.recent_trim(cut)
    assert pairs.recent_cut() == cut
    assert not neo._read("MATCH ()-[s:STRENGTH]->() WHERE s.rm IS NOT NULL AND s.rm[0] < $c RETURN s", {"c": cut})
    assert_same(neo, TODAY)  # still from the rows on the pairs (no window read)


def test_a_push_copies_the_recent_rows_with_the_pairs(neo, tmp_path, monkeypatch):
    lite = open_store(tmp_path / "office.db", create=True)
    import_data(lite, recent_data())
    copy(lite, neo, batch_size=3)
    assert materialize.ops(neo).recent_cut() == materialize.ops(lite).recent_cut()
    no_window(neo, monkeypatch)
    for d in DAYS:
        assert_same(neo, d)
    # Then an add on the pushed store keeps them.
    import_data(neo, {"interactions": [meeting("later", day(-2), "ofai", "a", kind="visit")]})
    for d in DAYS:
        assert_same(neo, d)


def test_a_pushed_pair_is_the_relationship_an_import_writes(neo, tmp_path):
    """A push creates the STRENGTH relationships from rows of its own (a list per pair, the properties
    by position); an import into the server writes them through ``upsert``: the same properties, the
    recent lists, buckets, key and pair id included, and none where a pair has no recent rows."""

    def relationships():
        rows = neo._read("MATCH (a:Entity)-[s:STRENGTH]->(b:Entity) RETURN a.id, b.id, properties(s)")
        return sorted((a, b, props) for a, b, props in rows)

    data = recent_data()
    data["interactions"].append(meeting("spread", "2023-07", "a", "b", "c"))  # quarter buckets too
    lite = open_store(tmp_path / "office.db", create=True)
    import_data(lite, data)
    copy(lite, neo, batch_size=3)
    pushed = relationships()
    neo.clear()
    import_data(neo, data)
    written = relationships()
    assert pushed == written
    assert {p.get("rm") is None for *_, p in pushed} == {True, False}
    assert any(len(p["bq"]) > 1 for *_, p in pushed)


@pytest.fixture(scope="module")
def generated_pair(bolt, tmp_path_factory):
    """A generated graph in both backends (the Neo4j one pushed from the embedded one)."""
    import ofai_graph
    from ofai_graph.generate import generate
    from ofai_graph.workspace import Workspace

    lite = ofai_graph.open(tmp_path_factory.mktemp("gen") / "gen.db", create=True)
    lite.import_data(generate(400, 4000, seed=11))
    neo = open_store(bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database_for("generated"))
    neo.clear()
    copy(lite.store, neo)
    remote = Workspace(neo)
    yield lite, remote
    lite.close()
    remote.close()


@pytest.mark.parametrize("as_of", [TODAY, dt.date(2023, 8, 15)])
def test_lazy_reads_on_neo4j_give_the_embedded_answers(generated_pair, as_of, monkeypatch):
    """connect and strength --top read pages of pairs, read ahead a few hundred entities at a time
    within the question: the same paths, partners and scores as the embedded store."""
    lite, remote = generated_pair
    pairs = materialize.ops(remote.store)
    if as_of == TODAY:
        monkeypatch.setattr(pairs, "window", lambda lo, hi: pytest.fail("read the quarter's interactions"))
    reads: list[str] = []
    read = remote.store._read
    monkeypatch.setattr(remote.store, "_read", lambda q, p=None: (reads.append(q), read(q, p))[1])
    for target in ("Korea", "JP", "ES"):
        found, expected = remote.connect(target, as_of=as_of), lite.connect(target, as_of=as_of)
        assert [p.nodes for p in found.paths] == [p.nodes for p in expected.paths]
        assert [p.score for p in found.paths] == pytest.approx([p.score for p in expected.paths], rel=1e-9)
    ties = sum("MATCH (t:Tie {" in q for q in reads)
    found, expected = remote.strength("ofai", top=30, as_of=as_of), lite.strength("ofai", top=30, as_of=as_of)
    assert [p.b for p in found] == [p.b for p in expected]
    assert [p.score for p in found] == pytest.approx([p.score for p in expected], rel=1e-9)
    # Read ahead: not two reads of ties (and three more) per entity expanded, about 1,200 of them.
    assert ties < 100


# -- the lists of strongest partners on the entity nodes (schema v4) -----------------------------------


def listed_truth(neo):
    """Each entity's partners (key, id), strongest first, from the pairs themselves."""
    truth: dict[str, list] = {}
    for pair, key in neo._read("MATCH ()-[s:STRENGTH]->() RETURN s.pair, s.key"):
        a, b = pair.split(" ")
        truth.setdefault(a, []).append((-key, b))
        truth.setdefault(b, []).append((-key, a))
    return {v: sorted(found) for v, found in truth.items()}


def assert_lists(neo, top):
    """Every node's list is the start of its partners in order (all of them when ``tall``)."""
    truth = listed_truth(neo)
    rows = neo._read("MATCH (n:Entity) RETURN n.id, n.tk, n.tw, n.tall")
    for v, tk, tw, tall in rows:
        want = truth.get(v, [])
        got = list(zip([-k for k in tk or []], tw or [], strict=True))
        assert len(got) <= top, v
        if tall is not False:
            assert got == want, v
        else:
            assert len(want) >= len(got) >= top // 4, v
            assert got == want[: len(got)], v
    assert {r[0] for r in rows} >= truth.keys()


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.integers(0, 30), st.sampled_from([1.0, 2.0, 2.5, 3.0, 7.0]), max_size=30),
    st.lists(st.tuples(st.integers(0, 40), st.one_of(st.none(), st.sampled_from([0.5, 2.0, 2.5, 9.0]))), max_size=12),
    st.integers(1, 12),
)
def test_a_list_of_strongest_partners_stays_the_start_of_the_order(partners, changes, size):
    """update_top, on random partners and changes: the list it keeps is always the start of the
    partners in order (key descending, then id), all of them when it says so, or it says it cannot
    tell (None)."""
    from ofai_graph.store.strength_neo4j import update_top

    def order(found):
        return sorted(((k, f"e{w:02d}") for w, k in found.items()), key=lambda x: (-x[0], x[1]))

    full = order(partners)
    keys, ids, tall = [k for k, _ in full[:size]], [w for _, w in full[:size]], len(full) <= size
    for w, k in changes:
        if k is None:
            partners.pop(w, None)
        else:
            partners[w] = k
        found = update_top(keys, ids, tall, {f"e{w:02d}": k}, size)
        truth = order(partners)
        if found is None:
            keys, ids, tall = [k for k, _ in truth[:size]], [w for _, w in truth[:size]], len(truth) <= size
            continue
        keys, ids, tall = found
        assert list(zip(keys, ids, strict=True)) == truth[: len(ids)]
        if tall:  # (not tall: there may be more; a walk past the list finds whether there are)
            assert len(truth) == len(ids)
        assert len(ids) <= size


@pytest.mark.parametrize("top", [3, 1024])
def test_lists_kept_by_writes_answer_as_the_embedded_store(bolt, tmp_path, monkeypatch, top):
    """With lists far shorter than the entities' partners (TOP 3: the hubs are walked past them) and
    with the default: after a push, adds, replaced interactions and a rebuild, every node's list is
    the start of its partners in order, and connect and strength --top give the embedded answers."""
    from ofai_graph.generate import generate
    from ofai_graph.store import strength_neo4j
    from ofai_graph.workspace import Workspace

    monkeypatch.setattr(strength_neo4j, "TOP", top)
    lite = ofai_graph.open(tmp_path / "gen.db", create=True)
    data = generate(120, 900, seed=5)
    lite.import_data(data)
    neo = open_store(bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database_for(f"lists{top}"))
    neo.clear()
    copy(lite.store, neo)
    assert_lists(neo, top)
    remote = Workspace(neo)
    # Writes: new interactions, one replaced with other participants, one whose pair goes away.
    some = [i for i in data["interactions"] if len(i["participants"]) == 2][:3]
    ids = [e["id"] for e in data["organizations"] if e["id"] != "ofai"][:6]
    writes = {
        "interactions": [
            meeting("w-1", day(-2), ids[0], ids[1], kind="visit"),
            meeting("w-2", day(-5), "ofai", ids[2], ids[3]),
            meeting("w-3", day(-9), ids[1], ids[0], "ofai"),
            meeting("w-4", day(-40), ids[0], ids[1], kind="visit"),
            meeting("w-5", day(-40), ids[0], ids[1]),
            {**some[0], "participants": [{"entity": ids[4], "role": "host"}, {"entity": ids[5], "role": "participant"}]},
            {**some[1], "status": "declined"},
        ]
    }
    for store in (lite.store, neo):
        import_data(store, writes)
    assert_lists(neo, top)
    for as_of in (TODAY, dt.date(2024, 5, 1)):
        for target in ("Korea", "JP"):
            found, expected = remote.connect(target, as_of=as_of), lite.connect(target, as_of=as_of)
            assert [p.nodes for p in found.paths] == [p.nodes for p in expected.paths]
            assert [p.score for p in found.paths] == pytest.approx([p.score for p in expected.paths], rel=1e-9)
        found, expected = remote.strength("ofai", top=40, as_of=as_of), lite.strength("ofai", top=40, as_of=as_of)
        assert [(p.a, p.b) for p in found] == [(p.a, p.b) for p in expected]
        assert [p.score for p in found] == pytest.approx([p.score for p in expected], rel=1e-9)
    # A hop's newest interactions (the evidence connect shows): between two hubs, through the dates
    # index from the pair's recent rows (w-1, w-3, w-4, w-5), else walked from the smaller end.
    pairs = [(ids[0], ids[1]), ("ofai", ids[2]), ("ofai", ids[0]), (ids[2], ids[3]), (ids[4], ids[5])]
    windowed: list[bool] = []
    recently = neo._shared_recently
    monkeypatch.setattr(
        neo,
        "_shared_recently",
        lambda a, b, n, until=None: (found := recently(a, b, n, until), windowed.append(found is not None))[0],
    )
    for a, b in pairs:
        for limit in (1, 3, None):
            for until in (None, TODAY - dt.timedelta(days=4), TODAY - dt.timedelta(days=30)):  # (as of a past date)
                assert [i.id for i in neo.shared_interactions(a, b, limit, until)] == [
                    i.id for i in lite.store.shared_interactions(a, b, limit, until)
                ], (a, b, limit, until)
    # Several hops at once (connect's evidence): each pair as it reads alone, hubs' windows shared.
    groups: list[int] = []
    read_windows = neo._windows
    monkeypatch.setattr(neo, "_windows", lambda d, u, ps, n: (groups.append(len(ps)), read_windows(d, u, ps, n))[1])
    for limit in (1, 3, None):
        for until in (None, TODAY - dt.timedelta(days=4)):
            many = neo.shared_interactions_many([*pairs, pairs[0]], limit, until)
            assert {p: [i.id for i in x] for p, x in many.items()} == {
                p: [i.id for i in lite.store.shared_interactions(*p, limit, until)] for p in pairs
            }, (limit, until)
    assert top > 3 or max(groups) >= 2  # (with lists of 3: hubs whose windows begin the same day, read once)
    # A window that does not hold what the recent rows promised (a pair left out): that pair is walked.
    monkeypatch.setattr(neo, "_windows", lambda d, u, ps, n: {})
    many = neo.shared_interactions_many(pairs, 3, None)
    assert {p: [i.id for i in x] for p, x in many.items()} == {
        p: [i.id for i in lite.store.shared_interactions(*p, 3, None)] for p in pairs
    }
    assert any(windowed) or top > 3  # (with lists of 3, ids[0] and ids[1] are hubs)
    with neo.transaction():
        materialize.rebuild(neo, materialize.default_config(), in_transaction=True)
    assert_lists(neo, top)
    lite.close()
    remote.close()


def test_the_migration_to_v4_lists_the_partners_of_a_pushed_database(bolt, neo, tmp_path):
    """A database pushed before the lists (schema v3) gets them when it is next opened."""
    lite = open_store(tmp_path / "office.db", create=True)
    import_data(lite, recent_data())
    copy(lite, neo)
    neo._driver.execute_query("MATCH (n:Entity) SET n.tk = null, n.tw = null, n.tall = null", database_=neo.database)
    neo._driver.execute_query("MATCH (m:Meta {key: 'ofai'}) SET m.schema_version = 3", database_=neo.database)
    assert not neo._read("MATCH (n:Entity) WHERE n.tk IS NOT NULL RETURN n.id")
    again = open_store(bolt.uri, user=bolt.user, password=bolt.password, database=neo.database)
    assert again.schema_version() == SCHEMA_VERSION
    assert_lists(again, 1024)
    assert len(again._read("MATCH (n:Entity) WHERE n.tk IS NOT NULL RETURN n.id")) == 6  # ofai, a…e
    again.close()


def _relationships(store):
    rows = store._read("MATCH (a:Entity)-[s:STRENGTH]->(b:Entity) RETURN a.id, b.id, properties(s)")
    return sorted((a, b, props) for a, b, props in rows)


def _lists(store):
    return sorted(store._read("MATCH (n:Entity) WHERE n.tk IS NOT NULL RETURN n.id, n.tk, n.tw, n.tall"))


ADDS = [
    # (an existing pair with recent rows: the new row goes between them, by its midpoint)
    [meeting("add-1", day(-30), "ofai", "a", kind="visit")],
    [meeting("add-2", day(-3), "a", "ofai", kind="visit")],  # the same midpoint as "near": after it
    [meeting("add-3", "2020-02-02", "ofai", "c")],  # before the recent rows' start: none added
    [meeting("add-4", day(-8), "c", "e", "a")],  # new pairs, created
    [meeting("add-5", day(-6), "ofai", "b"), meeting("add-6", day(-5), "ofai", "b")],  # two rows for one pair
    [meeting("add-7", day(-1), "d", "ofai", "b")],
]


def _adds_as_pushed(bolt, neo, tmp_path, name, monkeypatch=None):
    """Adds one import at a time on the server and on an embedded store: the server's pairs and lists
    equal those a push of the embedded store writes afresh (recent lists in order, buckets, keys)."""
    lite = open_store(tmp_path / f"{name}.db", create=True)
    data = recent_data()
    data["interactions"].append(meeting("spread", "2023-07", "a", "b", "c"))
    import_data(lite, data)
    copy(lite, neo, batch_size=3)
    for batch in ADDS:
        for store in (lite, neo):
            import_data(store, {"interactions": batch})
    pushed = open_store(bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database_for(name))
    pushed.clear()
    copy(lite, pushed)
    assert _relationships(neo) == _relationships(pushed)
    assert _lists(neo) == _lists(pushed)
    for d in [*DAYS, PAST]:
        assert_same(neo, d)
    lite.close()
    pushed.close()


def test_adds_write_the_pairs_and_lists_a_push_writes(bolt, neo, tmp_path):
    _adds_as_pushed(bolt, neo, tmp_path, "adds")


def test_an_add_inserts_its_recent_row_without_sending_the_lists(neo, monkeypatch):
    """After the interaction is written: one read of its pair (the recent rows' midpoints, not the
    rows), one statement setting the pair with its new recent row put in place on the server, the
    ends' lists, the store's revision (counted once)."""
    from neo4j._sync.work import transaction

    from ofai_graph.store import strength_neo4j

    import_data(neo, recent_data())
    rev = neo.revision()
    sent: list[tuple[str, dict]] = []
    run = transaction.TransactionBase.run
    monkeypatch.setattr(
        transaction.TransactionBase, "run", lambda self, q, p=None, **k: (sent.append((q, p or {})), run(self, q, p, **k))[1]
    )
    import_data(neo, {"interactions": [meeting("one-more", day(-20), "ofai", "a", kind="visit")]})
    created = next(n for n, (q, _) in enumerate(sent) if q.startswith("UNWIND $rows AS r CREATE (n:Interaction"))
    after = [q for q, _ in sent[created + 1 :]]
    assert after[:2] == [strength_neo4j._LIGHT, strength_neo4j._INSERT_RECENT] and len(after) == 4
    params = sent[created + 2][1]
    assert params["p"] == "a ofai" and len(params["x"]) == 7 and not set(params["q"]) & {"rq", "rm"}
    assert neo.revision() == rev + 1
    for d in DAYS:
        assert_same(neo, d)


def test_pairs_changed_since_read_are_written_whole(bolt, neo, tmp_path, monkeypatch):
    """A pair's recent lists not as read (another writer) are left by the insert and written whole
    after it: the same pairs in the end."""
    from ofai_graph.store import strength_neo4j

    real_read = strength_neo4j.Neo4jPairs.pairs_by_key

    def pairs_by_key(self, keys):
        out = real_read(self, keys)
        for mids in self._light_in_tx.values():
            if mids:
                mids.append(0)  # (as if another row had been read: the server finds one fewer)
        return out

    monkeypatch.setattr(strength_neo4j.Neo4jPairs, "pairs_by_key", pairs_by_key)
    _adds_as_pushed(bolt, neo, tmp_path, "adds-redo")
