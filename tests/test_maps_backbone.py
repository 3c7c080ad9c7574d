"""A dense map draws its backbone: every tie of the office (and the focus), the routes', and each other
entity's strongest two; it says what it left out, in the reader's language; ``--all-ties`` draws all."""

import itertools
import json
import random
import subprocess
import sys

import networkx as nx
import pytest
from maps_support import AS_OF

import ofai_graph
from ofai_graph.maps.backbone import backbone, thin

OTHERS = {
    ("a", "b"): 0.9, ("a", "c"): 0.8, ("b", "c"): 0.7, ("c", "d"): 0.6, ("d", "e"): 0.5,
    ("a", "d"): 0.1, ("a", "e"): 0.1, ("b", "d"): 0.1, ("b", "e"): 0.1, ("c", "e"): 0.1,
}


def office_graph(order: int = 0) -> nx.Graph:
    """The office o tied weakly to a..e; among them a strong triangle a-b-c, a chain c-d-e, weak rest."""
    edges = [("o", x, 0.05) for x in "abcde"] + [(a, b, s) for (a, b), s in OTHERS.items()]
    random.Random(order).shuffle(edges)
    g = nx.Graph()
    for a, b, s in edges:
        g.add_edge(a, b, score=s)
    return g


def test_the_backbone_keeps_the_offices_ties_and_each_entitys_two_strongest():
    kept = backbone(office_graph(), anchors=["o"], k=2)
    # The office's five ties, though the weakest of all; a, b, c their triangle; d its two strongest
    # (c, e); e its strongest (d) and, of its equal weak ties, the one to the first id (a).
    office = [("a", "o"), ("b", "o"), ("c", "o"), ("d", "o"), ("e", "o")]
    assert kept == sorted([*office, ("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("d", "e"), ("a", "e")])


def test_a_route_is_kept_though_weak_and_the_answer_does_not_depend_on_the_order():
    answers = {
        tuple(backbone(office_graph(order), anchors=["o"], routes=[frozenset(("b", "e"))], k=2))
        for order in range(20)
    }
    assert len(answers) == 1
    (kept,) = answers
    assert ("b", "e") in kept and ("b", "d") not in kept and ("c", "e") not in kept


def test_the_focus_is_an_anchor_like_the_office():
    kept = backbone(office_graph(), anchors=["o", "d"], k=1)
    assert {e for e in kept if "d" in e} == {("a", "d"), ("b", "d"), ("c", "d"), ("d", "e"), ("d", "o")}
    # Each other entity keeps its strongest tie to a non-anchor: a-b, b-a, c-a, e-a (e's equal ties).
    assert set(kept) - {e for e in kept if "d" in e or "o" in e} == {("a", "b"), ("a", "c"), ("a", "e")}


def test_a_sparse_map_is_drawn_whole_and_a_dense_one_thinned():
    g = office_graph()  # 6 entities, 15 ties: not more than 3 per entity
    same, thinning = thin(g, ["o"])
    assert same is g and not thinning.thinned and thinning.total == 15
    thinned, thinning = thin(g, ["o"], per_entity=2)
    assert sorted(thinned) == sorted(g) and thinned.number_of_edges() == 11
    assert (thinning.drawn, thinning.total, thinning.k) == (11, 15, 2)


def dense_data() -> dict:
    """An office and nine partners, all at one meeting (45 ties among 10 entities), some closer."""
    orgs = [{"id": "o", "name": "Oficina", "kind": "home_office"}] + [
        {"id": x, "name": f"Socio {x.upper()}", "kind": "company"} for x in "abcdefghi"
    ]
    meetings = [("o", *"abcdefghi")] + [("o", x) for x in "abcdefghi"] + [("a", "b")] * 3 + [("c", "d")] * 2
    return {
        "organizations": orgs,
        "interactions": [
            {
                "id": f"m{k}",
                "date": f"2024-03-{1 + k:02d}",
                "kind": "meeting",
                "title": f"Reunión {k}",
                "participants": [{"entity": x} for x in who],
            }
            for k, who in enumerate(meetings)
        ],
    }


@pytest.fixture(scope="module")
def dense(tmp_path_factory):
    path = tmp_path_factory.mktemp("dense") / "dense.db"
    with ofai_graph.open(path, create=True) as ws:
        ws.import_data(dense_data())
    return path


def drawn_ties(m) -> set[tuple[str, str]]:
    return {tuple(sorted((e["from"], e["to"]))) for e in m.page.edges}


def test_a_dense_map_draws_the_backbone_and_says_so_in_spanish(dense):
    with ofai_graph.open(dense) as ws:
        m = ws.map(as_of=AS_OF, lang="es", timeline=False)
        g = ws.relationship_graph(AS_OF)
    assert g.number_of_edges() == 45 and m.tie_count == 45
    ties = drawn_ties(m)
    assert {("a", "o"), ("b", "o")} <= ties and sum("o" in t for t in ties) == 9
    assert ("a", "b") in ties and ("c", "d") in ties
    assert ties == set(backbone(g, ["o"], k=2)) and m.edge_count == len(ties) < 45
    assert f"10 entidades · {m.edge_count} de 45 vínculos (los más fuertes de cada entidad)" in m.page.subtitle
    labels = [x["label"] for x in m.page.marks]
    assert (
        "Vínculos dibujados: todos los de la oficina, los de las rutas y los 2 más fuertes de cada otra entidad"
        in labels
    )


def test_the_same_in_english_and_every_tie_when_asked(dense):
    with ofai_graph.open(dense) as ws:
        m = ws.map(as_of=AS_OF, lang="en", timeline=False)
        whole = ws.map(as_of=AS_OF, lang="en", timeline=False, all_ties=True)
        strong = ws.map(as_of=AS_OF, lang="en", timeline=False, min_strength=0.3)
    assert f"10 entities · {m.edge_count} of 45 ties (each entity's strongest)" in m.page.subtitle
    assert "Ties drawn: all of the office's, the routes', and each other entity's 2 strongest" in [
        x["label"] for x in m.page.marks
    ]
    assert whole.edge_count == 45 and "10 entities · 45 ties" in whole.page.subtitle
    assert not any(x["label"].startswith("Ties drawn") for x in whole.page.marks)
    # --min-strength first: the weak ties are gone before the rule looks.
    assert strong.edge_count < m.edge_count or strong.tie_count < 45
    with ofai_graph.open(dense) as ws:
        g = ws.relationship_graph(AS_OF)
    assert all(g[a][b]["score"] >= 0.3 for a, b in drawn_ties(strong))


def test_a_routes_ties_are_drawn_in_a_dense_map(dense):
    with ofai_graph.open(dense) as ws:
        m = ws.map(path_to="Socio D", as_of=AS_OF, lang="es", timeline=False)
        routes = ws.connect("Socio D", as_of=AS_OF)
    on_routes = {tuple(sorted(p)) for r in routes.paths for p in itertools.pairwise(r.nodes)}
    assert on_routes and on_routes <= drawn_ties(m) and m.edge_count < m.tie_count


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_cli_says_what_it_left_out_and_draws_every_tie_with_all_ties(dense, tmp_path, lang):
    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "ofai_graph", "--db", str(dense), "--lang", lang, "--as-of", "2024-03-31",
             "map", "--no-timeline", "--out", str(tmp_path / "m.html"), *extra],
            capture_output=True, text=True, timeout=120,
        )

    r = run()
    assert r.returncode == 0, r.stderr
    said = {"es": "de 45 vínculos: los más fuertes de cada entidad)", "en": "of 45 ties: each entity's strongest)"}
    assert said[lang] in r.stderr + r.stdout
    r = run("--all-ties", "--json")
    data = json.loads(r.stdout)
    assert data["edges"] == data["ties"] == 45
    help_text = subprocess.run(
        [sys.executable, "-m", "ofai_graph", "--lang", lang, "map", "--help"], capture_output=True, text=True
    ).stdout
    assert "--all-ties" in help_text
    assert ("Dibuja todos los vínculos" if lang == "es" else "Draw every tie") in help_text
