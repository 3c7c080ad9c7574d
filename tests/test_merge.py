"""Merging two entities that are one: everything moves, nothing is lost, one transaction, both backends."""

from __future__ import annotations

import datetime as dt

import pytest

import ofai_graph
from ofai_graph.errors import OfaiError, StoreError
from ofai_graph.merge import merge, plan_merge

DATA = {
    "organizations": [
        {"id": "ofai", "name": "OFAI", "kind": "home_office"},
        {"id": "oim", "name": "Organización Internacional para las Migraciones", "kind": "multilateral",
         "aliases": ["OIM"], "countries": ["CH"]},
        {"id": "iom", "name": "International Organization for Migration", "kind": "multilateral",
         "aliases": ["IOM"], "countries": ["US"], "tags": ["migración"], "note": "Oficina de Bogotá"},
        {"id": "gifmm", "name": "GIFMM", "kind": "multilateral"},
    ],
    "people": [
        {"id": "ana", "name": "Ana", "affiliations": [{"organization": "iom", "title": "Oficial"}]},
        {"id": "luis", "name": "Luis", "affiliations": [{"organization": "oim"}, {"organization": "iom"}]},
    ],
    "interactions": [
        {"id": "m1", "date": "2024-02-12", "kind": "meeting", "title": "Reunión",
         "participants": [{"entity": "ofai"}, {"entity": "iom", "role": "host"}]},
        {"id": "m2", "date": "2024-Q1", "kind": "meeting", "title": "Otra",
         "participants": [{"entity": "oim"}, {"entity": "iom"}, {"entity": "gifmm"}]},
        {"id": "m3", "date": "2024-Q2", "kind": "visit", "title": "Sin IOM",
         "participants": [{"entity": "ofai"}, {"entity": "oim"}]},
    ],
    "followups": [
        {"id": "f1", "description": "Respuesta", "interaction": "m1", "expected_from": "iom", "due": "2024-08"},
        {"id": "f2", "description": "Informe", "owner": "iom"},
    ],
    "ties": [
        {"source": "iom", "target": "gifmm", "kind": "member_of", "since": "2019"},
        {"source": "oim", "target": "gifmm", "kind": "member_of"},
        {"source": "iom", "target": "oim", "kind": "part_of"},
        {"id": "custom-tie", "source": "ofai", "target": "iom", "kind": "partner_of"},
    ],
}  # fmt: skip

ON = dt.date(2024, 9, 1)


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.bolt)])
def store(request):
    if request.param == "sqlite":
        ws = ofai_graph.open(":memory:")
    else:
        from ofai_graph.store.neo4j import Neo4jStore

        bolt = request.getfixturevalue("bolt")
        s = Neo4jStore(bolt.uri, bolt.user, bolt.password, bolt.database_for("merge"))
        s.clear()
        ws = ofai_graph.Workspace(s)
    ws.import_data(DATA)
    yield ws.store
    ws.close()


def test_merge_moves_everything_and_keeps_the_old_names(store):
    plan = merge(store, "oim", "iom", on=ON)
    assert plan.interactions == ["m1", "m2"]
    assert plan.followups == ["f1", "f2"]
    assert sorted(plan.affiliations) == ["ana", "luis"]
    assert plan.ties_removed == ["iom--member_of--gifmm", "iom--part_of--oim"]  # duplicate, self-loop
    data = store.dump()
    ids = {e.id for e in data.entities()}
    assert "iom" not in ids
    oim = store.get_entities(["oim"])["oim"]
    assert oim.aliases == ["OIM", "International Organization for Migration", "IOM", "iom"]
    assert oim.countries == ["CH", "US"] and oim.tags == ["migración"]
    assert "Fusionada el 1 de septiembre de 2024" in oim.note and "Oficina de Bogotá" in oim.note  # auditable
    ints = store.get_interactions(["m1", "m2"])
    assert [(p.entity, p.role.value) for p in ints["m1"].participants] == [
        ("ofai", "participant"),
        ("oim", "host"),
    ]
    assert [p.entity for p in ints["m2"].participants] == ["oim", "gifmm"]  # one participant, not two
    fus = {f.id: f for f in store.followups(None)}
    assert fus["f1"].expected_from == "oim" and fus["f2"].owner == "oim"
    assert sorted(t.id for t in store.ties()) == ["custom-tie", "oim--member_of--gifmm"]
    assert [(t.source, t.target) for t in store.ties("oim") if t.id == "custom-tie"] == [("ofai", "oim")]
    people = store.get_entities(["ana", "luis"])
    assert [a.organization for a in people["ana"].affiliations] == ["oim"]
    assert [a.organization for a in people["luis"].affiliations] == ["oim"]
    # Every name of the dropped entity, its id included, now finds the kept one.
    ws = ofai_graph.Workspace(store)
    for name in ("iom", "IOM", "International Organization for Migration", "OIM"):
        assert ws.resolve(name) == "oim"
    assert store.affiliated_people(["oim"]) >= {"ana", "luis"}
    assert "oim" in store.neighbors(["gifmm"]) and "iom" not in store.neighbors(["gifmm"])


def test_dry_run_says_what_would_move_and_writes_nothing(store):
    before = ofai_graph.Workspace(store).export("yaml")
    plan = merge(store, "oim", "iom", dry_run=True, on=ON)
    assert plan.written is None and plan.participations == 2
    assert ofai_graph.Workspace(store).export("yaml") == before
    assert "data" not in plan.summary()


def test_both_backends_merge_to_the_same_data(store):
    merge(store, "oim", "iom", on=ON)
    with ofai_graph.open(":memory:") as ref:
        ref.import_data(DATA)
        merge(ref.store, "oim", "iom", on=ON)
        assert ofai_graph.Workspace(store).export("yaml") == ref.export("yaml")


def test_a_failure_midway_leaves_the_store_as_it_was(ws):
    ws.import_data(DATA)
    before = ws.export("yaml")
    # A real failure inside the transaction, after the rewritten records are written.
    ws.store._db.execute(
        "CREATE TRIGGER no_delete BEFORE DELETE ON entities BEGIN SELECT RAISE(ABORT, 'disk said no'); END"
    )
    with pytest.raises((StoreError, Exception), match="disk said no"):
        merge(ws.store, "oim", "iom", on=ON)
    ws.store._db.execute("DROP TRIGGER no_delete")
    assert ws.export("yaml") == before


def test_refusals(ws):
    ws.import_data({**DATA, "countries": ["CO"]})
    with pytest.raises(OfaiError, match="itself"):
        plan_merge(ws.store, "oim", "oim")
    with pytest.raises(OfaiError, match=r"cannot merge ana \(person\) into oim \(organization\)"):
        plan_merge(ws.store, "oim", "ana")
    with pytest.raises(OfaiError, match="countries"):
        plan_merge(ws.store, "oim", "CO")
    with pytest.raises(OfaiError, match="no entity"):
        plan_merge(ws.store, "oim", "nadie")


def test_workspace_merge_resolves_names(ws):
    ws.import_data(DATA)
    plan = ws.merge("OIM", "IOM")
    assert (plan.keep, plan.drop) == ("oim", "iom")


def test_cli_duplicates_and_merge(tmp_path):
    import json

    from click.testing import CliRunner

    from ofai_graph_cli.main import cli

    db = tmp_path / "s.db"
    with ofai_graph.open(db, create=True) as w:
        w.import_data(DATA)
    env = {"OFAI_GRAPH_DB": str(db), "OFAI_GRAPH_LANG": "es", "OFAI_GRAPH_AS_OF": None, "NEO4J_URI": None}

    def run(*args):
        return CliRunner().invoke(cli, list(args), env=env, prog_name="ofai-graph", catch_exceptions=False)

    r = run("--json", "duplicates", "--min-score", "60")
    assert r.exit_code == 0
    found = json.loads(r.stdout)
    assert {(d["a"], d["b"]) for d in found} >= {("iom", "oim")}
    r = run("duplicates", "--min-score", "60")
    assert "mismo tipo" in r.stdout or "nombres parecidos" in r.stdout  # Spanish, no English
    r = run("merge", "OIM", "IOM", "--dry-run")
    assert r.exit_code == 0 and "Se fusionaría" in r.stdout and "--dry-run" in r.stderr
    with ofai_graph.open(db) as w:
        assert "iom" in {e.id for e in w.dataset().entities()}
    r = run("--json", "merge", "oim", "iom")
    assert r.exit_code == 0 and json.loads(r.stdout)["interactions"] == ["m1", "m2"]
    with ofai_graph.open(db) as w:
        assert w.resolve("iom") == "oim"
    r = run("merge", "oim", "oim")
    assert r.exit_code == 1 and "consigo misma" in r.stderr
