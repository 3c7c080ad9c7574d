"""Brokers on a large store: sought in the office's network read from the materialized pairs."""

import datetime as dt

import pytest

import ofai_graph
from ofai_graph import structure
from ofai_graph.strength import StrengthConfig, relationship_graph


@pytest.fixture(scope="module")
def generated():
    from ofai_graph.generate import generate

    w = ofai_graph.open(":memory:")
    w.import_data(generate(300, 3000, seed=5))
    yield w
    w.close()


@pytest.mark.parametrize("day", [dt.date(2026, 11, 26), dt.date(2022, 5, 10)])
def test_the_office_network_is_the_whole_graph_around_its_strongest_partners(generated, day):
    full = relationship_graph(generated.store, as_of=day, config=StrengthConfig())
    g = structure.office_network(generated.store, StrengthConfig(), day, "ofai", size=25)
    strongest = sorted(full["ofai"], key=lambda w: (full["ofai"][w]["cost"], w))[:25]
    assert set(g) == set(strongest) and "ofai" not in g
    expected = full.subgraph(strongest)
    assert {tuple(sorted(e)) for e in g.edges} == {tuple(sorted(e)) for e in expected.edges}
    for a, b in g.edges:
        assert g[a][b]["score"] == pytest.approx(full[a][b]["score"], rel=1e-9)
        assert g[a][b]["ties"] == full[a][b]["ties"]
    assert all(g.nodes[n]["name"] == full.nodes[n]["name"] for n in g)


def test_a_large_store_asks_for_brokers_in_the_office_network(generated, monkeypatch):
    day = dt.date(2026, 11, 26)
    monkeypatch.setattr(structure, "WHOLE_LIMIT", 10)
    found = generated.brokers(top=5, as_of=day)
    expected = structure.brokers(structure.office_network(generated.store, StrengthConfig(), day, "ofai"), top=5)
    assert [b.id for b in found] == [b.id for b in expected] and found
    assert "ofai" not in [b.id for b in found]
