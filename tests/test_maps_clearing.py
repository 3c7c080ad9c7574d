"""maps.clearing: entities moved off the lines they do not join, as little as will do, whatever the input's order."""

from hypothesis import given
from hypothesis import strategies as st
from maps_support import segment_distance

from ofai_graph.maps.clearing import clear_edges

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
