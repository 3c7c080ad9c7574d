"""Out to other tools: Gephi, GraphML, Kumu, CSV and Cypher, read back by the tools' own readers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

import ofai_graph
from ofai_graph.interop import csv_safe, csv_unsafe, cypher_literal, flatten

AS_OF = dt.date(2024, 3, 31)
HOSTILE = 'O\'Brien \\ "x" }) DETACH DELETE n // 😀 ☃ é <b>&amp;'
# Names are one line (the importer refuses control characters); long texts may hold tabs and breaks.
HOSTILE_NOTE = "línea 1\nlínea 2\t'; MATCH (n) DETACH DELETE n; //\\"


def edges_of(g) -> set[frozenset]:
    return {frozenset((u, v)) for u, v in g.edges()}


# -- GEXF and GraphML -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, read", [("gexf", nx.read_gexf), ("graphml", nx.read_graphml)])
def test_relationship_graph_read_back_by_networkx_with_the_same_nodes_and_edges(tmp_path, seeded, fmt, read):
    path = tmp_path / f"red.{fmt}"
    result = seeded.export_to(fmt, path, as_of=AS_OF, lang="es")
    g = seeded.relationship_graph(AS_OF)
    back = read(path)
    assert set(back.nodes) == set(g.nodes)
    assert edges_of(back) == edges_of(g)
    assert (result.nodes, result.edges) == (g.number_of_nodes(), g.number_of_edges())
    # Typed attributes: numbers are numbers, labels are words in the chosen language, not codes.
    key = {"gexf": {"strength": "fuerza", "tier": "nivel", "kind": "tipo", "n": "interacciones"},
           "graphml": {"strength": "strength", "tier": "tier", "kind": "kind", "n": "interactions"}}[fmt]  # fmt: skip
    imct = back.nodes["imct"]
    assert isinstance(imct[key["strength"]], float) and imct[key["strength"]] > 0
    assert imct[key["tier"]] in ("fuerte", "media", "débil", "fría")
    assert imct[key["kind"]] == "ente descentralizado"
    edge = back.edges["ofai", "imct"]
    assert isinstance(edge[key["n"]], int) and edge[key["n"]] >= 1
    assert edge["weight"] == pytest.approx(g["ofai"]["imct"]["score"], abs=1e-6)


def test_dynamic_gexf_has_spells_for_entities_ties_and_interactions(tmp_path, seeded):
    path = tmp_path / "tiempo.gexf"
    seeded.export_to("gexf", path, dynamic=True)
    ns = {"g": "http://gexf.net/1.3"}
    root = ET.parse(path).getroot()
    graph = root.find("g:graph", ns)
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    nodes = {n.get("id"): n for n in graph.iter("{http://gexf.net/1.3}node")}
    data = seeded.dataset()
    for i in data.interactions:
        assert nodes["interaction:" + i.id].get("start") == i.date.start.isoformat()
    firsts = {}
    for i in data.interactions:
        for p in i.participants:
            firsts[p.entity] = min(firsts.get(p.entity, i.date.start), i.date.start)
    assert nodes["imct"].get("start") <= firsts["imct"].isoformat()
    edges = list(graph.iter("{http://gexf.net/1.3}edge"))
    ended = [t for t in data.ties if t.until]
    assert ended, "the seed has a tie that ended (CIDEU)"
    for t in ended:
        assert any(
            e.get("source") == t.source
            and e.get("target") == t.target
            and e.get("end") == t.until.end.isoformat()
            for e in edges
        )
    back = nx.read_gexf(path)
    assert set(back.nodes) == set(nodes)
    assert back.number_of_edges() == len(edges)


def test_workspace_graphs_can_be_written_by_networkx_after_flatten(tmp_path, seeded):
    for g in (seeded.graph(), seeded.relationship_graph(AS_OF)):
        with pytest.raises((TypeError, nx.NetworkXError, ValueError)):
            nx.write_graphml(g, tmp_path / "raw.graphml")  # dates and lists: why flatten exists
        flat = flatten(g)
        nx.write_gexf(flat, tmp_path / "f.gexf")
        nx.write_graphml(flat, tmp_path / "f.graphml")
        back = nx.read_graphml(tmp_path / "f.graphml", force_multigraph=g.is_multigraph())
        assert set(back.nodes) == {str(n) for n in g.nodes}
        assert back.number_of_edges() == g.number_of_edges()


def test_control_characters_and_markup_in_names_do_not_break_the_xml(tmp_path, ws):
    ws.import_data(
        {
            "organizations": [
                {"id": "x", "name": '<b>&amp; "q" </gexf>', "kind": "other"},
                {"id": "y", "name": HOSTILE, "kind": "other"},
            ]
        }
    )
    for fmt, read in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        back = read(ws.export_to(fmt, tmp_path / f"x.{fmt}").paths[0])
        assert back.nodes["x"]["label"] == '<b>&amp; "q" </gexf>'
        assert back.nodes["y"]["label"] == HOSTILE


# -- Kumu -----------------------------------------------------------------------------------------


def test_kumu_workbook_layout(tmp_path, ws):
    ws.import_data(
        {
            "organizations": [
                {"id": "ofai", "name": "OFAI", "kind": "home_office"},
                {"id": "jica", "name": "JICA", "kind": "bilateral_agency", "tags": ["Japón", "becas"],
                 "note": "Agencia de cooperación"},
                {"id": "solo", "name": "Sin relaciones", "kind": "other"},
            ],
            "interactions": [{"id": "v", "date": "2024-03-01", "kind": "visit", "title": "Visita",
                              "participants": [{"entity": "ofai", "role": "host"}, {"entity": "jica"}]}],
        }
    )  # fmt: skip
    path = tmp_path / "kumu.xlsx"
    ws.export_to("kumu", path, as_of=AS_OF)
    wb = load_workbook(path)
    elements = list(wb["Elements"].iter_rows(values_only=True))
    assert elements[0][:5] == ("ID", "Label", "Type", "Description", "Tags")
    rows = {r[0]: r for r in elements[1:]}
    assert set(rows) == {"ofai", "jica", "solo"}
    assert rows["jica"][1:5] == (
        "JICA",
        "agencia de cooperación bilateral",
        "Agencia de cooperación",
        "Japón|becas",
    )
    connections = list(wb["Connections"].iter_rows(values_only=True))
    assert connections[0][:4] == ("From", "To", "Type", "Strength")
    assert [(set(r[:2]), r[2]) for r in connections[1:]] == [({"ofai", "jica"}, "media")]
    assert 0 < connections[1][3] <= 1


# -- CSV ------------------------------------------------------------------------------------------

DANGER = ["=1+1", "+57 300", "-2", "@SUM(A1)", "\tx", "\rx", "'=already"]


def test_csv_neutralises_formula_cells_in_every_file_and_interactions_import_back(tmp_path, ws):
    ws.import_data(
        {
            "organizations": [
                {"id": "ofai", "name": "OFAI", "kind": "home_office"},
                {
                    "id": "evil",
                    "name": "=cmd|' /C calc'!A0",
                    "kind": "other",
                    "aliases": ["@x"],
                    "note": "-2+3",
                },
            ],
            "interactions": [
                {
                    "id": "m",
                    "date": "2024-Q1",
                    "kind": "meeting",
                    "title": "+57 300 000",
                    "summary": '=HYPERLINK("http://x")',
                    "tags": ["@t"],
                    "participants": [{"entity": "ofai"}, {"entity": "evil", "role": "host"}],
                }
            ],
        }
    )
    out = tmp_path / "csv"
    result = ws.export_to("csv", out, as_of=AS_OF)
    assert sorted(p.rsplit("/", 1)[1] for p in result.paths) == [
        "entities.csv",
        "interactions.csv",
        "relationships.csv",
    ]
    for name in ("entities.csv", "relationships.csv", "interactions.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    assert not cell or cell[0] not in "=+-@\t\r", (name, cell)
    with ofai_graph.open(":memory:") as fresh:
        fresh.import_data({"organizations": [e.model_dump() for e in ws.dataset().organizations]})
        fresh.import_files([out / "interactions.csv"])
        assert fresh.export("yaml") == ws.export("yaml")


def test_csv_into_a_zip(tmp_path, seeded):
    path = tmp_path / "red.zip"
    seeded.export_to("csv", path, as_of=AS_OF)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["entities.csv", "interactions.csv", "relationships.csv"]


def test_no_workbook_the_project_writes_holds_a_formula(tmp_path, ws):
    """Text that a spreadsheet could run (=, +, -, @) is a text cell in every workbook: never a formula."""
    ws.import_data(
        {
            "organizations": [
                {"id": "ofai", "name": "OFAI", "kind": "home_office", "tags": ["=1+1"]},
                {"id": "evil", "name": "=cmd|' /C calc'!A0", "kind": "other", "aliases": ["@x"],
                 "note": "-2+3", "tags": ["+57"]},
            ],
            "interactions": [
                {"id": "m", "date": "2024-Q1", "kind": "meeting", "title": "+57 300 000",
                 "summary": '=HYPERLINK("http://x")', "participants": [{"entity": "ofai"}, {"entity": "evil"}]}
            ],
        }
    )  # fmt: skip
    ws.export_to("xlsx", tmp_path / "libro.xlsx")
    ws.export_to("kumu", tmp_path / "kumu.xlsx", as_of=AS_OF)
    ws.template(tmp_path / "plantilla.xlsx")
    formula = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
    for name in ("libro.xlsx", "kumu.xlsx", "plantilla.xlsx"):
        with zipfile.ZipFile(tmp_path / name) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            assert sheets and not any(formula.search(z.read(n)) for n in sheets), name
    texts = [c.value for row in load_workbook(tmp_path / "libro.xlsx")["Organizaciones"].iter_rows() for c in row]
    assert "=cmd|' /C calc'!A0" in texts and "-2+3" in texts
    kumu = [c.value for row in load_workbook(tmp_path / "kumu.xlsx")["Elements"].iter_rows() for c in row]
    assert "=cmd|' /C calc'!A0" in kumu


@given(st.text())
def test_csv_safe_is_undone_exactly_and_never_starts_a_formula(value):
    safe = csv_safe(value)
    assert csv_unsafe(safe) == value
    assert not safe or safe[0] not in "=+-@\t\r"


@pytest.mark.parametrize("value", DANGER)
def test_csv_safe_prefixes_a_quote(value):
    assert csv_safe(value) == "'" + value


# -- Cypher ---------------------------------------------------------------------------------------


def test_cypher_literals_escape_everything_that_could_end_a_string():
    assert cypher_literal("a'b") == "'a\\'b'"
    assert cypher_literal("a\\'b") == "'a\\\\\\'b'"
    assert cypher_literal("x\ny\x00") == "'x\\ny\\u0000'"
    assert cypher_literal(["a", None, 1, True]) == "['a', null, 1, true]"
    assert "\n" not in cypher_literal(HOSTILE_NOTE) and "\t" not in cypher_literal(HOSTILE_NOTE)


def script_of(ws) -> list[str]:
    buf = io.StringIO()
    ws.export_to("cypher", None, out=buf)
    lines = [line for line in buf.getvalue().splitlines() if line and not line.startswith("//")]
    assert all(line.endswith(";") and "$" not in line.split("'")[0] for line in lines)
    return lines


@pytest.mark.bolt
def test_cypher_script_loads_an_empty_database_like_neo4j_push(bolt, seeded):
    from neo4j import GraphDatabase

    from ofai_graph.store.neo4j import Neo4jStore
    from ofai_graph.sync import copy

    with ofai_graph.open(":memory:") as ws:
        ws.import_data(seeded.dataset())
        ws.import_data({"organizations": [{"id": "hostile", "name": HOSTILE, "kind": "other",
                                           "aliases": ["=cmd|' /C calc'!A0", "back\\slash'"], "note": HOSTILE_NOTE}]})  # fmt: skip
        lines = script_of(ws)
        pushed = Neo4jStore(bolt.uri, bolt.user, bolt.password, bolt.database_for("cypherpush"))
        pushed.clear()
        copy(ws.store, pushed)
        db = bolt.database_for("cypherscript")
        loaded = Neo4jStore(bolt.uri, bolt.user, bolt.password, db)
        loaded.clear()
        loaded.close()
        driver = GraphDatabase.driver(bolt.uri, auth=(bolt.user, bolt.password))
        try:
            with driver.session(database=db) as session:
                for line in lines:
                    session.run(line).consume()

            def shape(database):
                # The data; the materialized STRENGTH pairs are derived (a loaded script rebuilds them
                # on its first question, checked below).
                q = [
                    "MATCH (n) WHERE NOT n:Meta RETURN labels(n)[0] AS l, count(*) AS c",
                    "MATCH ()-[r]->() WHERE type(r) <> 'STRENGTH' RETURN type(r) AS l, count(*) AS c",
                ]
                out = {}
                for query in q:
                    records, _, _ = driver.execute_query(query, database_=database)
                    out.update({r["l"]: r["c"] for r in records})
                return out

            assert shape(db) == shape(pushed.database)
        finally:
            driver.close()
        loaded = Neo4jStore(bolt.uri, bolt.user, bolt.password, db)
        try:
            remote = ofai_graph.Workspace(loaded)
            assert remote.export("yaml") == ws.export("yaml") == ofai_graph.Workspace(pushed).export("yaml")
            assert loaded.name_rows() == pushed.name_rows()
            assert remote.resolve("O'Brien") == "hostile"
            assert remote.resolve("back\\slash'") == "hostile"
            assert remote.strength(top=50) == ofai_graph.Workspace(pushed).strength(top=50)
            strength = "MATCH ()-[r:STRENGTH]->() RETURN count(r) AS c"
            assert loaded._read(strength) == pushed._read(strength) != [[0]]
        finally:
            loaded.close()
            pushed.close()


# -- the command line ------------------------------------------------------------------------------


def cli(*args, db, lang="es"):
    from click.testing import CliRunner

    from ofai_graph_cli.main import cli as app

    env = {"OFAI_GRAPH_DB": str(db), "OFAI_GRAPH_LANG": lang, "OFAI_GRAPH_AS_OF": None, "NEO4J_URI": None}
    return CliRunner().invoke(app, list(args), env=env, prog_name="ofai-graph", catch_exceptions=False)


def test_cli_template_export_and_import_of_workbooks(tmp_path, seeded_path):
    import shutil

    db = tmp_path / "s.db"
    shutil.copy(seeded_path, db)
    r = cli("template", "--out", str(tmp_path / "plantilla.xlsx"), db=db)
    assert r.exit_code == 0 and "plantilla.xlsx" in r.stderr
    assert "Interacciones" in load_workbook(tmp_path / "plantilla.xlsx").sheetnames
    r = cli("export", "--format", "xlsx", "--out", str(tmp_path / "libro.xlsx"), db=db)
    assert r.exit_code == 0, r.stderr
    empty = tmp_path / "vacio.db"
    assert cli("init", db=empty).exit_code == 0
    r = cli("--json", "import", str(tmp_path / "libro.xlsx"), db=empty)
    assert r.exit_code == 0, r.stderr
    with ofai_graph.open(empty) as a, ofai_graph.open(db) as b:
        assert a.export("yaml") == b.export("yaml")
    for fmt in ("gexf", "graphml", "cypher"):
        r = cli("export", "--format", fmt, "--as-of", "2024-03-31", db=db)
        assert r.exit_code == 0 and r.stdout.strip(), fmt
    r = cli("export", "--format", "csv", "--out", str(tmp_path / "carpeta"), db=db)
    assert r.exit_code == 0 and (tmp_path / "carpeta" / "relationships.csv").exists()
    r = cli("export", "--format", "kumu", db=db)
    assert r.exit_code == 2 and "--out" in r.stderr  # a usage error: the command line lacks --out
    r = cli("export", "--format", "cypher", "--dynamic", db=db)
    assert r.exit_code == 2 and "--dynamic" in r.stderr


def test_cli_import_error_names_the_cell_and_exits_1(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Organizaciones"
    ws.append(["id", "nombre", "tipo"])
    ws.append(["x", "X", "no existe"])
    wb.save(tmp_path / "malo.xlsx")
    assert cli("init", db=tmp_path / "s.db").exit_code == 0
    r = cli("import", str(tmp_path / "malo.xlsx"), db=tmp_path / "s.db")
    assert r.exit_code == 1
    assert "Organizaciones!C2" in r.stderr and "no existe" in r.stderr
