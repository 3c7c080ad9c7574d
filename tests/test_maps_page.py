"""maps.page: one offline file that draws the map in Chromium, runs no data, fetches nothing, and answers its controls."""

import datetime as dt
import re

import pytest
from maps_support import HOSTILE, LABEL_BOXES, drawn, open_page

import ofai_graph
from ofai_graph.generate import generate
from ofai_graph.maps import KIND_COLORS


def test_the_file_is_self_contained(seed_map):
    page = seed_map.html
    assert "vis.Network" in page and "<script src" not in page and "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert "bootstrap" not in page and "cdnjs" not in page and "jsdelivr" not in page


def test_hostile_names_never_appear_as_markup(hostile_map):
    page = hostile_map.html
    for name in HOSTILE[:2]:
        assert name not in page
    assert page.count("</script>") == 3  # data, vis-network, ours: nothing closes a script early


@pytest.mark.browser
def test_seed_map_in_chromium(browser, tmp_path, seed_map):
    page, seen = open_page(browser, tmp_path, seed_map)
    assert seen == {"dialogs": [], "requests": [], "errors": []}
    assert drawn(page) == seed_map.node_count and drawn(page, "edge") == seed_map.edge_count
    assert (
        page.inner_text("#legend-h") == "Leyenda"
        and page.get_attribute("#search", "placeholder") == "Buscar una entidad"
    )
    page.fill("#search", "corea")
    page.dispatch_event("#search", "change")
    assert page.get_attribute("body", "data-selected") in {
        "gobierno-corea",
        "KR",
        "centro-acceso-informacion",
    }
    page.close()


@pytest.mark.browser
def test_a_legend_click_hides_a_kind_and_a_second_shows_it(browser, tmp_path, seed_map):
    page, seen = open_page(browser, tmp_path, seed_map)
    events = sum(1 for g in seed_map.page.meta["nodes"]["g"] if "k:event" in g)
    before, edges_before = drawn(page), drawn(page, "edge")
    assert events > 0
    page.click("#legend button[data-group='k:event']")
    assert drawn(page) == before - events and drawn(page, "edge") < edges_before
    assert page.get_attribute("#legend button[data-group='k:event']", "aria-pressed") == "false"
    page.click("#legend button[data-group='k:event']")
    assert drawn(page) == before and drawn(page, "edge") == edges_before
    # The tier filter: without the cold ties, fewer are drawn.
    page.uncheck("#tiers input[value='cold']")
    assert drawn(page, "edge") < edges_before
    assert seen["errors"] == []
    page.close()


@pytest.mark.browser
def test_the_quarter_slider_changes_what_is_drawn(browser, tmp_path, seed_map):
    page, seen = open_page(browser, tmp_path, seed_map)
    now_nodes, now_edges = drawn(page), drawn(page, "edge")
    page.eval_on_selector("#slider", "s => { s.value = '0'; s.dispatchEvent(new Event('input')); }")
    assert page.inner_text("#quarter") == "segundo trimestre de 2022"
    assert drawn(page, "edge") < now_edges and drawn(page) < now_nodes
    page.eval_on_selector("#slider", "s => { s.value = s.max; s.dispatchEvent(new Event('input')); }")
    assert drawn(page) == now_nodes and drawn(page, "edge") == now_edges
    page.select_option("#axis", label="Promoción destino")
    assert drawn(page, "edge") < now_edges
    assert seen["errors"] == []
    page.close()


@pytest.mark.browser
def test_the_route_view_leaves_the_office_in_its_legend_colour(browser, tmp_path, route_map):
    page, seen = open_page(browser, tmp_path, route_map)
    assert seen == {"dialogs": [], "requests": [], "errors": []}
    assert page.evaluate("ofaiMap.network.getSelectedNodes()") == []
    office = page.evaluate("ofaiMap.network.body.nodes['ofai'].options.color.background")
    legend = next(i for i in route_map.page.legend if i["key"] == "k:home_office")
    assert office == legend["color"] == KIND_COLORS["home_office"]
    # One click elsewhere does not clear the routes: they are drawn, not selected.
    page.mouse.click(300, 200)
    width = page.evaluate(
        "(() => { const e = ofaiMap.network.body.edges; return Object.values(e).filter(x => x.options.color.color === '#1f2d86').length })()"
    )
    assert width == sum(1 for e in route_map.page.edges if e.get("routeLabel"))
    page.close()


@pytest.mark.browser
def test_hostile_names_execute_nothing_in_chromium(browser, tmp_path, hostile_map):
    page, seen = open_page(browser, tmp_path, hostile_map)
    assert page.inner_text("#title") == HOSTILE[1]
    # Hover the node named <img src=x onerror=...>: its tooltip must show that text, as text.
    at = page.evaluate(
        "(() => { const n = ofaiMap.network; return n.canvasToDOM(n.getPositions(['h0'])['h0']); })()"
    )
    page.hover("#network", position={"x": at["x"], "y": at["y"]})
    page.wait_for_selector("#tip", state="visible", timeout=5_000)
    assert page.inner_text("#tip").startswith(HOSTILE[0])
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert seen["dialogs"] == [] and seen["errors"] == [] and seen["requests"] == []
    page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_2000_node_map_opens_with_physics_off(browser, tmp_path):
    with ofai_graph.open(":memory:") as ws:
        ws.import_data(generate(2000, 6000, seed=11))
        m = ws.map(as_of=dt.date(2026, 1, 1))
    assert m.node_count > 1500 and not m.page.physics
    page, seen = open_page(browser, tmp_path, m)
    assert seen["errors"] == [] and seen["requests"] == []
    assert drawn(page) == m.node_count and drawn(page, "edge") == m.edge_count
    boxes = page.evaluate(LABEL_BOXES)
    assert boxes["overlapping"] == [] and boxes["outside"] == []
    page.close()
