"""The relationship graph as columns: the same pairs and the same scores as the networkx graph."""

from __future__ import annotations

import datetime as dt
import io

import networkx as nx
import pytest

import ofai_graph
from ofai_graph import materialize
from ofai_graph.generate import generate
from ofai_graph.interop import Network, PairEdges, home_of, network, write_gexf, write_graphml
from ofai_graph.pairtable import PairTable, pair_table
from ofai_graph.strength import relationship_graph


def as_edges(pairs) -> dict[frozenset, dict]:
    return {frozenset((u, v)): d for u, v, d in pairs}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    # Large enough for the numpy scorer (more than strength.SMALL participations), with ties and
    # affiliations, some between entities that never met.
    ws = ofai_graph.open(tmp_path_factory.mktemp("gen") / "g.db", create=True)
    ws.import_data(generate(300, 3000, seed=3))
    yield ws
    ws.close()


@pytest.mark.parametrize("as_of", [dt.date(2024, 3, 31), dt.date(2023, 6, 30)])
@pytest.mark.parametrize("stored", [True, False], ids=["materialized pairs", "rescored"])
def test_every_pair_scored_as_the_relationship_graph_scores_it(seeded, generated, as_of, stored):
    for ws in (seeded, generated):
        # Other weights than the stored pairs were built with: both rescore every interaction.
        cfg = ws.strength_config if stored else ws.strength_config.model_copy(update={"half_life_days": 90})
        assert materialize.is_current(ws.store, cfg) is stored
        g = relationship_graph(ws.store, as_of=as_of, config=cfg)
        table = pair_table(ws.store, as_of=as_of, config=cfg)
        got = as_edges(table.edges())
        want = as_edges(g.edges(data=True))
        assert got.keys() == want.keys()
        if ws is generated:
            assert any(d["interactions"] == 0 for d in want.values()), "a pair with ties only"
            assert any(d["ties"] and d["interactions"] for d in want.values()), "ties on top of interactions"
        for key, d in want.items():
            assert got[key] == d, key  # bit for bit: the same floats, dates, tie kinds


def test_network_rows_are_the_same_from_the_graph_and_from_the_table(generated):
    as_of = dt.date(2024, 3, 31)
    g = generated.relationship_graph(as_of)
    table = pair_table(generated.store, as_of=as_of, config=generated.strength_config)
    home = home_of(generated.store)
    from_graph = network(generated.store, g, home=home, lang="es")
    from_table = network(generated.store, table, home=home, lang="es")
    assert home is not None and from_table.nodes == from_graph.nodes
    assert {(frozenset((u, v)), w, repr(a)) for u, v, w, a in from_table.edges} == {
        (frozenset((u, v)), w, repr(a)) for u, v, w, a in from_graph.edges
    }
    strong = [a for _, _, _, a in from_table.edges if a["tier"] == "fuerte"]
    assert strong and all(a["strength"] >= 0.6 for a in strong)


@pytest.mark.parametrize("write, read", [(write_gexf, nx.read_gexf), (write_graphml, nx.read_graphml)])
def test_the_column_writer_writes_what_the_row_writer_writes(generated, write, read):
    """The fast path (columns formatted at once) against the plain one (a dict per edge)."""
    table = pair_table(generated.store, as_of=dt.date(2024, 3, 31), config=generated.strength_config)
    net = network(generated.store, table, home=home_of(table), lang="en")
    assert isinstance(net.edges, PairEdges)
    rows = Network(net.node_attributes, net.edge_attributes, net.nodes, list(net.edges), as_of=net.as_of)
    fast, plain = io.StringIO(), io.StringIO()
    write(net, fast)
    write(rows, plain)
    a, b = read(io.StringIO(fast.getvalue())), read(io.StringIO(plain.getvalue()))
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert as_edges(a.edges(data=True)) == as_edges(b.edges(data=True))
    assert a.number_of_edges() == len(table) > 1000


def test_a_table_from_a_graph_keeps_its_edges(seeded):
    g = seeded.relationship_graph(dt.date(2024, 3, 31))
    table = PairTable.from_graph(g)
    assert as_edges(table.edges()) == as_edges(g.edges(data=True))
