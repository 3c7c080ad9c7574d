"""maps.layout: routes in columns by hop and a lane each; entities moved off the lines they do not join."""

import itertools

from hypothesis import given
from hypothesis import strategies as st
from maps_support import segment_distance

from ofai_graph.maps.layout import clear_edges, route_lanes

# The seed's five routes to Korea, in shape: direct; through the institute; to a second target through a
# bank; through the mayoralty and the institute; through the institute and a centre.
KOREA = [["o", "t"], ["o", "m", "t"], ["o", "b", "t2"], ["o", "a", "m", "t"], ["o", "m", "c", "t"]]
BOX = (-600.0, -450.0, 600.0, 450.0)


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


def test_a_node_on_a_line_it_does_not_join_is_moved_off_it_and_nothing_else_moves():
    pos = {
        "a": (0.0, 0.0),
        "b": (300.0, 0.0),
        "on": (150.0, 0.0),
        "near": (40.0, -9.0),
        "far": (150.0, 200.0),
    }
    radius = dict.fromkeys(pos, 12.0)
    out = clear_edges(pos, radius, [("a", "b", 3.0)], bounds=dict.fromkeys(pos, BOX), gap=4.0)
    for n in ("on", "near"):
        assert segment_distance(out[n], out["a"], out["b"]) >= 12 + 3 + 4, n
        assert out[n][0] == pos[n][0]  # straight off the line, not along it
    assert out["near"][1] < 0  # to its own side
    assert {n: out[n] for n in ("a", "b", "far")} == {n: pos[n] for n in ("a", "b", "far")}


def test_a_node_caught_between_two_near_lines_leaves_across_one():
    pos = {"a": (0.0, 0.0), "b": (300.0, 0.0), "c": (0.0, 20.0), "d": (300.0, 20.0), "n": (150.0, 10.0)}
    out = clear_edges(
        pos, dict.fromkeys(pos, 10.0), [("a", "b", 1.0), ("c", "d", 1.0)], bounds=dict.fromkeys(pos, BOX)
    )
    assert segment_distance(out["n"], out["a"], out["b"]) >= 15
    assert segment_distance(out["n"], out["c"], out["d"]) >= 15


def test_fixed_nodes_stay_and_moved_ones_keep_inside_their_box():
    pos = {"a": (0.0, 0.0), "b": (300.0, 0.0), "focus": (100.0, 2.0), "edge": (200.0, 3.0)}
    bounds = dict.fromkeys(pos, BOX) | {"edge": (-600.0, -450.0, 600.0, 8.0)}
    out = clear_edges(pos, dict.fromkeys(pos, 10.0), [("a", "b", 1.0)], bounds=bounds, fixed=["focus"])
    assert out["focus"] == pos["focus"]
    # Below the line there is no room in its box: it goes above.
    assert out["edge"][1] <= -15 and segment_distance(out["edge"], out["a"], out["b"]) >= 15


points = st.lists(st.tuples(st.floats(-400, 400), st.floats(-300, 300)), min_size=1, max_size=30)


@given(points, st.floats(5, 20))
def test_after_clearing_no_node_touches_the_one_line_it_is_not_on(pts, r):
    pos = {"a": (-350.0, -100.0), "b": (350.0, 120.0)} | {f"n{i}": p for i, p in enumerate(pts)}
    out = clear_edges(pos, dict.fromkeys(pos, r), [("a", "b", 2.0)], bounds=dict.fromkeys(pos, BOX), gap=3.0)
    for n in pos.keys() - {"a", "b"}:
        assert segment_distance(out[n], out["a"], out["b"]) >= r + 2.0 + 3.0 - 0.1, n
        if segment_distance(pos[n], pos["a"], pos["b"]) >= r + 5.0:
            assert out[n] == (round(pos[n][0], 1), round(pos[n][1], 1))
