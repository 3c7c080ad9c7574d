"""maps.clearing: entities moved off the lines they do not join, as little as will do, whatever the input's order."""

import itertools
import math

from hypothesis import given
from hypothesis import strategies as st
from maps_support import segment_distance

from ofai_graph.maps.clearing import bend_edges, clear_edges, curve_points, lines_over_nodes

BOX = (-600.0, -450.0, 600.0, 450.0)


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


def overlap(pos, radius, lines, gap):
    """How deep, in all, the nodes stand in lines they do not join (pixels)."""
    return sum(
        max(0.0, radius[n] + w + gap - segment_distance(pos[n], pos[a], pos[b]))
        for a, b, w in lines
        for n in pos.keys() - {a, b}
    )


def hub_fan(spokes=36):
    """An office with ties to every side, 10 degrees apart, and a partner 60 px out between two of them:
    there the gap between the lines is 10 px, the partner 30 px wide. The partner's own tie runs back to the
    office."""
    pos = {"hub": (0.0, 0.0), "p": (60 * math.cos(math.radians(5)), 60 * math.sin(math.radians(5)))}
    for i in range(spokes):
        angle = math.radians(10 * i)
        pos[f"s{i:02d}"] = (380 * math.cos(angle), 380 * math.sin(angle))
    lines = [("hub", f"s{i:02d}", 1.0) for i in range(spokes)] + [("hub", "p", 1.0)]
    return pos, dict.fromkeys(pos, 10.0) | {"hub": 20.0}, lines


def test_a_partner_caught_in_the_fan_of_lines_near_a_hub_gets_out_where_the_lines_are_apart():
    # Pushed off one line it lands on the next; the rounds before sent it to and fro.
    pos, radius, lines = hub_fan()
    out = clear_edges(pos, radius, lines, bounds=dict.fromkeys(pos, BOX), gap=2.0)
    assert lines_over_nodes(out, radius, lines, gap=2.0) == []
    # Out along its own tie, not far round: it stays on the side it was on.
    assert out["p"][0] > 0 and abs(out["p"][1]) < 40
    assert all(out[n] == (round(x, 1), round(y, 1)) for n, (x, y) in pos.items() if n != "p")


def test_a_line_over_an_entity_that_must_stay_swings_off_it():
    pos = {"a": (0.0, 0.0), "b": (300.0, 0.0), "focus": (150.0, 4.0), "far": (150.0, 300.0)}
    radius = dict.fromkeys(pos, 10.0)
    lines = [("a", "b", 1.0), ("a", "far", 1.0)]
    out = clear_edges(pos, radius, lines, bounds=dict.fromkeys(pos, BOX), fixed=["focus"], gap=2.0)
    assert out["focus"] == pos["focus"]
    assert lines_over_nodes(out, radius, lines, gap=2.0) == []


def test_where_a_node_cannot_clear_both_lines_a_route_s_comes_first():
    # Between a route's line and a tie 24 px apart, with room to move only up and down between them:
    # no place clears both; off the route's line it goes, and stays on the tie.
    pos = {
        "r1": (0.0, -12.0),
        "r2": (400.0, -12.0),
        "t1": (0.0, 12.0),
        "t2": (400.0, 12.0),
        "n": (200.0, 0.0),
    }
    radius = dict.fromkeys(pos, 10.0)
    lines = [("r1", "r2", 2.0), ("t1", "t2", 1.0)]
    bounds = dict.fromkeys(pos, BOX) | {"n": (200.0, -11.0, 200.0, 11.0)}
    ends = ["r1", "r2", "t1", "t2"]
    out = clear_edges(pos, radius, lines, bounds=bounds, fixed=ends, firm=[("r2", "r1")], gap=2.0)
    assert lines_over_nodes(out, radius, lines, gap=2.0) == [("t1", "t2", "n")]
    # Without the route first, no move helps: as much overlap wherever it goes.
    assert clear_edges(pos, radius, lines, bounds=bounds, fixed=ends, gap=2.0)["n"] == pos["n"]


placed = st.lists(st.tuples(st.floats(-500, 500), st.floats(-400, 400)), min_size=3, max_size=25)


@given(placed, st.data())
def test_the_same_positions_and_lines_in_any_order_give_the_same_result(pts, data):
    pos = {f"n{i}": p for i, p in enumerate(pts)}
    names = list(pos)
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), min_size=1, max_size=30)
    )
    lines = [(a, b, 1.0 + (i % 3)) for i, (a, b) in enumerate(pairs) if a != b]
    radius = {n: 6.0 + 3 * (i % 4) for i, n in enumerate(names)}
    bounds = dict.fromkeys(pos, BOX)
    out = clear_edges(pos, radius, lines, bounds=bounds, gap=2.0)
    order = data.draw(st.permutations(names))
    shuffled = {n: pos[n] for n in order}
    flipped = [(b, a, w) for a, b, w in data.draw(st.permutations(lines))]
    assert clear_edges(shuffled, radius, flipped, bounds=bounds, gap=2.0) == out
    # And never worse than it found them, in all.
    assert overlap(out, radius, lines, 2.0) <= overlap(pos, radius, lines, 2.0) + 1.0


def test_a_tie_no_move_clears_curves_round_the_entity_and_clear_of_every_other():
    # Three entities in a column, none of which may move: the middle one's disc is on the outer pair's tie.
    pos = {"top": (0.0, -200.0), "mid": (0.0, 0.0), "bottom": (0.0, 200.0), "side": (-40.0, 0.0)}
    radius = dict.fromkeys(pos, 12.0)
    lines = [("bottom", "top", 1.0), ("mid", "side", 1.0)]
    bounds = dict.fromkeys(pos, BOX)
    assert clear_edges(pos, radius, lines, bounds=bounds, fixed=pos) == {n: pos[n] for n in sorted(pos)}
    bends = bend_edges(pos, radius, lines, clearance=2.0)
    assert list(bends) == [("bottom", "top")]
    kind, roundness = bends[("bottom", "top")]
    curve = curve_points(pos["bottom"], pos["top"], kind, roundness)
    for n in ("mid", "side"):
        assert min(segment_distance(pos[n], p, q) for p, q in itertools.pairwise(curve)) >= 12 + 1 + 2, n
    # The least curve that does it: the next one down still touches the middle entity.
    less = curve_points(pos["bottom"], pos["top"], kind, round(roundness - 0.05, 2))
    assert min(segment_distance(pos["mid"], p, q) for p, q in itertools.pairwise(less)) < 12 + 1 + 2
    # Lines clear of every entity stay straight.
    assert bend_edges(pos, radius, [("mid", "side", 1.0)]) == {}


def test_where_lines_cover_the_view_none_is_curved():
    # Twenty ties across a row of entities that cannot move: curves would not make that readable.
    pos = {f"n{i:02d}": (40.0 * i, 0.0) for i in range(21)}
    lines = [(f"n{i:02d}", f"n{i + 2:02d}", 1.0) for i in range(19)]
    radius = dict.fromkeys(pos, 12.0)
    assert len({(a, b) for a, b, _ in lines_over_nodes(pos, radius, lines)}) > 12
    assert bend_edges(pos, radius, lines) == {}
    assert bend_edges(pos, radius, lines, most=len(lines)) != {}
