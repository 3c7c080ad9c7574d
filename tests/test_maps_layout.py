"""maps.layout: routes in columns by hop and a lane each."""

import itertools

from hypothesis import given
from hypothesis import strategies as st
from maps_support import segment_distance

from ofai_graph.maps.layout import route_lanes

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
