"""The store contract: what every backend promises, run on each (SQLite, and the Bolt server).

Parametrized over backends as encode/databases runs one suite over every database: a case here
fails if any backend breaks the promise. Backend-specific behaviour (files, migrations, crashes,
server faults) stays in test_store_sqlite.py and test_store_neo4j.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

import ofai_graph
from ofai_graph.model import Dataset, FollowUpStatus, Organization
from ofai_graph.seeds import seed_files
from ofai_graph.store import Store, open_store
from ofai_graph.workspace import Workspace


@pytest.fixture(params=["sqlite", pytest.param("bolt", marks=pytest.mark.bolt)])
def store(request) -> Store:
    """An empty store of each backend."""
    if request.param == "sqlite":
        s = open_store(":memory:")
    else:
        bolt = request.getfixturevalue("bolt")
        s = open_store(
            bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database_for("contract")
        )
        s.clear()  # type: ignore[attr-defined]
    yield s
    s.close()


def org(id_: str, name: str | None = None, kind: str = "company") -> dict:
    return {"id": id_, "name": name or id_.upper(), "kind": kind}


def meeting(id_: str, *who: str, date: str = "2024-02") -> dict:
    return {
        "id": id_,
        "date": date,
        "kind": "meeting",
        "title": f"Reunión {id_}",
        "participants": [{"entity": w} for w in who],
    }


# -- all or nothing ----------------------------------------------------------------------------------


def test_an_exception_inside_a_transaction_writes_nothing(store):
    rev = store.revision()
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.write(Dataset(organizations=[Organization(id="jica", name="JICA", kind="bilateral_agency")]))
        assert set(store.get_entities(["jica"])) == {"jica"}  # the transaction sees its own write
        raise RuntimeError("boom")
    assert store.get_entities(["jica"]) == {}
    assert store.counts()["organization"] == 0 and store.revision() == rev


def test_an_invalid_import_writes_nothing(store):
    with pytest.raises(ofai_graph.InvalidData, match="2024-13-01"):
        Workspace(store).import_data(
            {
                "organizations": [org("ofai", kind="home_office")],
                "interactions": [{**meeting("x", "ofai"), "date": "2024-13-01"}],
            }
        )
    assert store.counts()["organization"] == 0


def test_one_transaction_may_write_the_same_record_twice_into_a_new_store(store):
    with store.transaction() as tx:
        tx.write(Dataset(organizations=[Organization(id="a", name="A", kind="company")]))
        tx.write(Dataset(organizations=[Organization(id="a", name="A2", kind="company")]))
    assert tx.report.sections["entities"].added == 1 and tx.report.sections["entities"].updated == 1
    assert store.get_entities(["a"])["a"].name == "A2"
    assert store.find_by_key("a2") == ["a"] and store.find_by_key("a") == ["a"]  # names: the id stays


# -- updates replace, never pile up ----------------------------------------------------------------


def test_an_edited_interaction_replaces_its_participants(store):
    ws = Workspace(store)
    base = {
        "organizations": [org("ofai", kind="home_office"), org("jica"), org("oim")],
        "interactions": [meeting("m1", "ofai", "jica")],
    }
    ws.import_data(base)
    base["interactions"] = [meeting("m1", "ofai", "oim")]
    report = ws.import_data(base)
    assert report.sections["interactions"].updated == 1
    assert [i.id for i in store.interactions_of("oim")] == ["m1"] and store.interactions_of("jica") == []
    assert store.neighbors(["ofai"]) == {"oim"}
    assert sorted(p[5] for p in store.participations()) == ["ofai", "oim"]


def test_a_tie_whose_ends_change_is_moved_not_copied(store):
    ws = Workspace(store)
    orgs = [org(x) for x in ("a", "b", "c")]
    ws.import_data(
        {"organizations": orgs, "ties": [{"id": "t1", "source": "a", "target": "b", "kind": "partner_of"}]}
    )
    report = ws.import_data(
        {"organizations": orgs, "ties": [{"id": "t1", "source": "a", "target": "c", "kind": "partner_of"}]}
    )
    assert report.sections["ties"].updated == 1
    assert [t.target for t in store.ties()] == ["c"] and store.ties("b") == []
    assert store.neighbors(["a"]) == {"c"} and store.neighbors(["b"]) == set()


def test_a_renamed_entity_is_found_by_its_new_name_only(store):
    ws = Workspace(store)
    ws.import_data({"organizations": [{**org("x"), "name": "Cámara Vieja", "aliases": ["CV"]}]})
    ws.import_data({"organizations": [{**org("x"), "name": "Cámara Nueva"}]})
    assert store.find_by_key("camara nueva") == ["x"]
    assert store.find_by_key("camara vieja") == [] and store.find_by_key("cv") == []


# -- hostile text is data ---------------------------------------------------------------------------

HOSTILE = [
    "x'}) DETACH DELETE n //",
    "$param",
    'a"b\\c',
    "MATCH (n) DETACH DELETE n",
    "{id: 1}",
    "'; DROP TABLE entities; --",
    "Robert'); DELETE FROM names; --",
]


def test_hostile_names_are_stored_and_returned_as_plain_text(store):
    ws = Workspace(store)
    orgs = [org("ofai", kind="home_office")]
    orgs += [{**org(f"h{i}"), "name": name, "aliases": [name + "!"]} for i, name in enumerate(HOSTILE)]
    ws.import_data({"organizations": orgs})
    got = store.get_entities(f"h{i}" for i in range(len(HOSTILE)))
    assert [got[f"h{i}"].name for i in range(len(HOSTILE))] == HOSTILE
    assert store.counts()["organization"] == len(HOSTILE) + 1
    assert ws.resolve("$param") == "h1"
    assert [h.id for h in ws.search("DETACH DELETE")][:2] == ["h3", "h0"]  # equal scores: by name


# -- revision: changes exactly when data does ------------------------------------------------------


def test_reimport_changes_nothing_and_keeps_the_revision(store):
    ws = Workspace(store)
    start = store.revision()
    first = ws.import_files(seed_files())
    rev = store.revision()
    assert first.changed and rev > start
    again = ws.import_files(seed_files())
    assert not again.changed and again.total("unchanged") == first.total("added")
    assert store.revision() == rev
    ws.import_data({"organizations": [org("nueva")]})
    assert store.revision() > rev


# -- the importer against each backend ------------------------------------------------------------


def test_the_seed_imports_whole_and_exports_as_it_does_embedded(store):
    ws = Workspace(store)
    ws.import_files(seed_files())
    with ofai_graph.open(":memory:") as reference:
        reference.import_files(seed_files())
        assert store.counts() == reference.store.counts()
        assert ws.export("yaml") == reference.export("yaml")
        assert store.dump() == reference.dataset()


def test_a_dry_run_writes_nothing(store):
    ws = Workspace(store)
    rev = store.revision()
    report = ws.import_files(seed_files(), dry_run=True)
    assert report.total("added") > 0
    assert store.counts()["interactions"] == 0 and store.revision() == rev


def test_a_reference_to_an_unknown_entity_rejects_the_whole_import(store):
    ws = Workspace(store)
    with pytest.raises(ofai_graph.InvalidData, match="nadie"):
        ws.import_data(
            {
                "organizations": [org("ofai", kind="home_office")],
                "interactions": [meeting("m1", "ofai"), meeting("m2", "ofai", "nadie")],
            }
        )
    assert store.counts()["organization"] == 0 and store.counts()["interactions"] == 0


# -- reads ------------------------------------------------------------------------------------------


def test_followups_involving_an_entity_by_owner_expected_party_or_interaction(store):
    ws = Workspace(store)
    ws.import_data(
        {
            "organizations": [org("ofai", kind="home_office"), org("jica"), org("oim"), org("kotra")],
            "interactions": [meeting("m1", "ofai", "jica"), meeting("m2", "ofai", "oim")],
            "followups": [
                {"id": "f1", "interaction": "m1", "description": "respuesta", "due": "2024-04-01"},
                {"id": "f2", "interaction": "m2", "description": "carta", "owner": "jica"},
                {"id": "f3", "description": "llamar", "expected_from": "jica", "due": "2024-03-01"},
                {"id": "f4", "interaction": "m2", "description": "otra", "status": "done"},
                {"id": "f5", "description": "nada", "owner": "kotra"},
            ],
        }
    )
    assert [f.id for f in store.followups(involving="jica")] == [
        "f3",
        "f1",
        "f2",
    ]  # by due date, undated last
    assert [f.id for f in store.followups(FollowUpStatus.open, involving="oim")] == ["f2"]
    assert [f.id for f in store.followups(FollowUpStatus.done)] == ["f4"]
    assert store.followups(involving="nadie") == []


def test_a_snapshot_reads_one_state(store):
    ws = Workspace(store)
    ws.import_files(seed_files())
    with store.snapshot():
        with store.snapshot():  # re-entrant
            counts = store.counts()
        assert store.dump().counts()["interactions"] == counts["interactions"]
    assert store.counts() == counts


def test_participations_around_an_entity_hold_all_participants_of_its_interactions(store):
    ws = Workspace(store)
    ws.import_data(
        {
            "organizations": [org("ofai", kind="home_office"), org("a"), org("b"), org("c")],
            "interactions": [meeting("m1", "ofai", "a", "b"), meeting("m2", "b", "c", date="2023")],
        }
    )
    rows = sorted((p[0], p[5]) for p in store.participations(around=["a"]))
    assert rows == [("m1", "a"), ("m1", "b"), ("m1", "ofai")]
    start = {p[0]: p[1] for p in store.participations()}
    assert start == {"m1": dt.date(2024, 2, 1), "m2": dt.date(2023, 1, 1)}


# -- evidence as of a date ---------------------------------------------------------------------------


@pytest.mark.parametrize("hubs", [False, True])
def test_shared_interactions_as_of_a_date_leave_out_what_started_after_it(store, monkeypatch, hubs):
    """The evidence of a score as of a past date: the interactions two entities shared that had
    started by then, newest first; a later one never stands as evidence. With ``hubs``, two entities
    in many interactions (SQLite walks the newest interactions of all for them)."""
    from ofai_graph.store import sqlite as sqlite_store

    if hubs:
        monkeypatch.setattr(sqlite_store, "HUB_INTERACTIONS", 2)
    data = {
        "organizations": [org("ofai", "Oficina"), org("jica", "JICA"), org("imct", "IMCT")],
        "interactions": [
            meeting("m-2023", "ofai", "jica", date="2023-11-20"),
            meeting("m-q1", "ofai", "jica", date="2024-Q1"),
            meeting("m-apr", "ofai", "jica", date="2024-04-10"),
            meeting("m-other", "ofai", "imct", date="2024-04-11"),
            meeting("m-may", "jica", "ofai", "imct", date="2024-05"),
            meeting("m-2025", "ofai", "jica", date="2025-02-01"),
        ],
    }
    Workspace(store).import_data(data)

    def ids(**kw: object) -> list[str]:
        return [i.id for i in store.shared_interactions("ofai", "jica", **kw)]

    assert ids() == ["m-2025", "m-may", "m-apr", "m-q1", "m-2023"]
    assert ids(until=dt.date(2024, 4, 30)) == ["m-apr", "m-q1", "m-2023"]
    assert ids(until=dt.date(2024, 4, 30), limit=2) == ["m-apr", "m-q1"]
    assert ids(until=dt.date(2024, 1, 1)) == ["m-q1", "m-2023"]  # a quarter counts from its first day
    assert ids(until=dt.date(2023, 11, 19)) == []
    assert [i.id for i in store.shared_interactions("jica", "ofai", limit=1, until=dt.date(2024, 5, 31))] == ["m-may"]
