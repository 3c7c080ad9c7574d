"""maps.layout: routes in columns by hop and a lane each; the same positions for the same network, whatever its order
or the last bits of its strengths."""

import itertools
import math

from hypothesis import given
from hypothesis import strategies as st
from maps_support import AS_OF, segment_distance

from ofai_graph.maps.layout import layout, route_lanes

# The seed's five routes to Korea, in shape: direct; through the institute; to a second target through a
# bank; through the mayoralty and the institute; through the institute and a centre.
KOREA = [["o", "t"], ["o", "m", "t"], ["o", "b", "t2"], ["o", "a", "m", "t"], ["o", "m", "c", "t"]]


def test_routes_run_from_the_office_to_their_targets_in_columns_by_hop():
    pos = route_lanes(KOREA)
    assert pos["o"] == (-1.0, 0.0) and pos["t"][0] == pos["t2"][0] == 1.0
    for r in KOREA:
        xs = [pos[n][0] for n in r]
        assert xs == sorted(xs) and len(set(xs)) == len(xs), r
    # The institute comes after the mayoralty (route 4), so it stands in the second column of three hops.
    assert pos["a"][0] == pos["b"][0] < pos["m"][0] < pos["c"][0] < pos["t"][0]


def test_no_route_line_passes_by_an_entity_that_is_not_one_of_its_ends():
    pos = route_lanes(KOREA)
    lines = {tuple(sorted(pair)) for r in KOREA for pair in itertools.pairwise(r)}
    for a, b in lines:
        for n in pos.keys() - {a, b}:
            assert segment_distance(pos[n], pos[a], pos[b]) >= 0.08, (a, b, n)


routes = st.lists(
    st.tuples(st.lists(st.sampled_from("abcdefg"), max_size=3, unique=True), st.sampled_from(["t1", "t2"])),
    min_size=1,
    max_size=6,
).map(lambda rs: [["o", *sorted(inner), target] for inner, target in rs])


@given(routes)
def test_every_route_runs_left_to_right_and_the_lanes_are_always_the_same(rs):
    pos = route_lanes(rs)
    assert pos == route_lanes(rs)
    assert pos["o"] == (-1.0, 0.0)
    for r in rs:
        xs = [pos[n][0] for n in r]
        assert all(x < y for x, y in itertools.pairwise(xs)), (r, xs)
        assert xs[-1] == 1.0
    assert all(-0.6 - 1e-9 <= y <= 0.6 + 1e-9 for _, y in pos.values())


def network(order=None):
    """Thirty entities round an office, with ties of many strengths (and some among themselves): built in
    ``order`` (a permutation of the entities), ties added from either end."""
    import networkx as nx

    names = ["ofai"] + [f"p{i:02d}" for i in range(29)]
    ties = [("ofai", f"p{i:02d}", round(0.05 + 0.03 * i, 3)) for i in range(0, 29, 2)]
    ties += [(f"p{i:02d}", f"p{(i * 7 + 3) % 29:02d}", 0.1 + 0.02 * (i % 5)) for i in range(29)]
    g = nx.Graph()
    for n in order or names:
        g.add_node(n, name=n)
    for a, b, s in ties if order is None else reversed(ties):
        if a != b:
            g.add_edge(*((a, b) if order is None else (b, a)), score=s)
    return g


def test_the_same_network_in_any_order_gives_the_same_positions():
    import random

    names = list(network())
    shuffled = random.Random(3).sample(names, len(names))
    assert list(network(shuffled)) != list(network())
    assert layout(network(shuffled)) == layout(network())
    assert layout(network(shuffled), centre="p03") == layout(network(), centre="p03")


def test_strengths_that_differ_in_the_last_bits_give_the_same_positions():
    # A strength summed per pair and one rescored from every interaction agree to about 1e-12, not to
    # the bit; 150 rounds of springs made two pictures of that.
    g, nudged = network(), network()
    for a, b, d in nudged.edges(data=True):
        d["score"] = (
            math.nextafter(d["score"], math.inf) if (a + b).count("1") % 2 else d["score"] * (1 - 1e-12)
        )
    assert layout(nudged) == layout(g)


def test_the_seed_drawn_from_the_kept_sums_is_the_seed_drawn_from_a_full_rescoring(seeded, monkeypatch):
    import ofai_graph.materialize
    from ofai_graph.strength import relationship_graph

    kept = relationship_graph(seeded.store, as_of=AS_OF, config=seeded.strength_config)
    monkeypatch.setattr(ofai_graph.materialize, "pair_evidence", lambda *args, **kwargs: None)
    rescored = relationship_graph(seeded.store, as_of=AS_OF, config=seeded.strength_config)
    assert kept.edges() == rescored.edges()
    assert all(abs(d["score"] - rescored[a][b]["score"]) < 1e-9 for a, b, d in kept.edges(data=True))
    assert layout(kept) == layout(rescored)
