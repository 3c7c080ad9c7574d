"""Maps of a large store draw a bounded part of it, read from the materialized pairs."""

import datetime as dt

import pytest

import ofai_graph
from ofai_graph import structure
from ofai_graph.maps import build as map_build
from ofai_graph.maps.history import history, pair_history
from ofai_graph.strength import StrengthConfig, relationship_graph

DAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def generated():
    from ofai_graph.generate import generate

    w = ofai_graph.open(":memory:")
    data = generate(250, 2500, seed=3)
    w.import_data(data)
    # Year-long interactions: in progress at a quarter's end with their midpoint in a later quarter.
    w.import_data({"interactions": [
        {"id": f"year-{k}", "date": str(2019 + k), "kind": "cooperation", "title": "t",
         "participants": [{"entity": "ofai", "role": "organizer"}, {"entity": f"org-{k + 1}", "role": "offerer"}]}
        for k in range(7)
    ]})
    yield w
    w.close()


def test_the_slider_from_the_pairs_gives_the_whole_graphs_scores(generated):
    cfg = StrengthConfig()
    ids = ["ofai"] + [f"org-{k}" for k in range(1, 30)]
    rows = structure.pair_rows(generated.store, ids)
    past = pair_history(generated.store, DAY, cfg, ids, rows)
    whole = history(generated.store, DAY, cfg, with_axes=False)
    assert past.stops == whole.stops and len(past.graphs) == 7
    for mine, full in zip(past.graphs, whole.graphs, strict=True):
        expected = full.subgraph(ids)
        assert {tuple(sorted(e)) for e in mine.edges} == {tuple(sorted(e)) for e in expected.edges}
        for a, b in mine.edges:
            assert mine[a][b]["score"] == pytest.approx(full[a][b]["score"], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    "options",
    [{}, {"focus": "org-3", "hops": 2}, {"countries": ["KR", "JP"]}, {"kinds": ["multilateral"]}],
)
def test_a_map_of_a_large_store_draws_the_strongest_part_with_the_whole_graphs_ties(generated, monkeypatch, options):
    monkeypatch.setattr(structure, "WHOLE_LIMIT", 10)
    monkeypatch.setattr(map_build, "MAP_ENTITIES", 40)
    m = generated.map(as_of=DAY, timeline=False, **options)
    assert 0 < m.node_count <= 40
    full = relationship_graph(generated.store, as_of=DAY, config=StrengthConfig())
    home = "ofai"
    ids = map_build.drawn_entities(
        generated, DAY, home, options.get("focus"), options.get("hops", 1), options.get("kinds", []),
        options.get("countries", []), limit=40,
    )
    if not options:  # the office and its strongest partners
        strongest = sorted(full[home], key=lambda w: (full[home][w]["cost"], w))[:39]
        assert ids == [home, *strongest]
    g = structure.pair_network(generated.store, StrengthConfig(), DAY, ids)
    expected = full.subgraph(ids)
    assert {tuple(sorted(e)) for e in g.edges} == {tuple(sorted(e)) for e in expected.edges}
