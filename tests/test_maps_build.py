"""maps.build: a map is the same bytes for the same data, draws its routes on top, marks its focus."""

import datetime as dt

from maps_support import AS_OF

import ofai_graph
from ofai_graph.generate import generate
from ofai_graph.maps import KIND_COLORS, MARK_BORDER


def test_same_data_and_options_give_the_same_bytes(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        first = ws.map(path_to="Korea", as_of=AS_OF, lang="es", color_by="community")
    with ofai_graph.open(seeded_path) as ws:
        second = ws.map(path_to="Korea", as_of=AS_OF, lang="es", color_by="community")
    assert first.html == second.html
    assert first.svg() == second.svg()
    # Every node has a position from Python, and nothing in the page asks for the clock or chance.
    assert all("x" in n and "y" in n for n in first.page.nodes) and not first.page.physics
    ours = first.html.split("<script>")[-1]
    assert "Math.random" not in ours and "Date" not in ours


def test_a_large_map_is_stable_too():
    data = generate(600, 1500, seed=5)
    pages = []
    for _ in range(2):
        with ofai_graph.open(":memory:") as ws:
            ws.import_data(data)
            pages.append(ws.map(as_of=dt.date(2026, 1, 1), lang="en").html)
    assert pages[0] == pages[1]


def test_physics_only_on_request(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        assert ws.map(as_of=AS_OF, physics=True, timeline=False).page.physics


def test_route_view_draws_the_routes_on_top_numbered_and_fades_the_rest(route_map):
    page = route_map.page
    # APC Colombia's route is the sixth since the seed audit of #13 (see test_paths): not among five.
    assert {"ofai", "gobierno-corea", "imct", "bid"} <= set(route_map.highlighted)
    assert [r["n"] for r in page.routes] == list(range(1, len(page.routes) + 1)) and len(page.routes) >= 3
    on_route = [e for e in page.edges if e.get("routeLabel")]
    # Drawn last, so on top; every route's last hop carries its number and score.
    assert page.edges[-len(on_route) :] == on_route
    numbers = " ".join(e["routeLabel"] for e in on_route)
    for r in page.routes:
        assert f"{r['n']}: {r['score']}" in numbers
    nodes = {n["id"]: n for n in page.nodes}
    assert nodes["ofai"]["color"]["background"] == KIND_COLORS["home_office"]
    assert nodes["gobierno-corea"]["color"]["border"] == MARK_BORDER  # the target is marked
    off_route = [n for n in page.nodes if n["id"] not in route_map.highlighted]
    assert off_route and all(n["font"]["color"] != "#1a1a1a" for n in off_route)
    assert all(n["label"] for n in page.nodes if n["id"] in route_map.highlighted)
    assert page.subtitle.endswith(f"{len(page.routes)} rutas hacia Corea del Sur")


def test_a_focus_map_marks_and_centres_its_focus(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        m = ws.map(focus="IMCT", hops=1, as_of=AS_OF, lang="es")
    focus = next(n for n in m.page.nodes if n["id"] == "imct")
    assert (focus["x"], focus["y"]) == (m.page.view["x"], m.page.view["y"]) == (0, 0)
    assert focus["color"]["border"] == MARK_BORDER and focus["label"]
    assert any(mark["label"] == "Foco del mapa" for mark in m.page.marks)
    assert "alrededor de" in m.page.subtitle
