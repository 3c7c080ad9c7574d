"""Maps: one self-contained file, stable, readable, escaped, redacted; and the same pages in Chromium."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ofai_graph
from ofai_graph.errors import OfaiError
from ofai_graph.generate import generate
from ofai_graph.labels import label
from ofai_graph.maps import KIND_COLORS, MARK_BORDER, text_width

AS_OF = dt.date(2024, 3, 31)
HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "href=javascript:alert(1)"]


@pytest.fixture(scope="module")
def seed_map(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        return ws.map(as_of=AS_OF, lang="es")


@pytest.fixture(scope="module")
def route_map(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        return ws.map(path_to="Korea", as_of=AS_OF, lang="es")


@pytest.fixture(scope="module")
def hostile_map():
    with ofai_graph.open(":memory:") as ws:
        ws.import_data(
            {
                "organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]
                + [
                    {"id": f"h{i}", "name": name, "kind": "company", "aliases": [name]}
                    for i, name in enumerate(HOSTILE)
                ],
                "interactions": [
                    {
                        "id": f"m{i}",
                        "date": "2024-03",
                        "kind": "meeting",
                        "title": HOSTILE[i],
                        "participants": [{"entity": "ofai"}, {"entity": f"h{i}"}],
                    }
                    for i in range(len(HOSTILE))
                ],
                "followups": [
                    {"id": "f1", "description": HOSTILE[0], "owner": "ofai", "expected_from": "h0"}
                ],
            }
        )
        return ws.map(title=HOSTILE[1], as_of=AS_OF, lang="en")


def people_terms(ws):
    """Every name, alias, id and name word (over three letters) of every person in the store."""
    people = ws.dataset().people
    assert people
    return {t for p in people for t in [p.id, p.name, *p.aliases, *p.name.split()] if len(t) > 3}


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


def test_only_routes_keeps_the_routes_entities(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        m = ws.map(path_to="Korea", only_routes=True, as_of=AS_OF)
        route_nodes = {n for p in ws.connect("Korea", as_of=AS_OF).paths for n in p.nodes}
        with pytest.raises(OfaiError, match="path"):
            ws.map(only_routes=True, as_of=AS_OF)
    assert {n["id"] for n in m.page.nodes} == route_nodes
    assert all(e.get("routeLabel") for e in m.page.edges)


def test_a_focus_map_marks_and_centres_its_focus(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        m = ws.map(focus="IMCT", hops=1, as_of=AS_OF, lang="es")
    focus = next(n for n in m.page.nodes if n["id"] == "imct")
    assert (focus["x"], focus["y"]) == (m.page.view["x"], m.page.view["y"]) == (0, 0)
    assert focus["color"]["border"] == MARK_BORDER and focus["label"]
    assert any(mark["label"] == "Foco del mapa" for mark in m.page.marks)
    assert "alrededor de" in m.page.subtitle


def test_labels_go_to_what_matters_and_grow_with_importance(seed_map, seeded_path):
    nodes = {n["id"]: n for n in seed_map.page.nodes}
    office = nodes["ofai"]
    assert office["label"] and office["font"]["size"] == max(n["font"]["size"] for n in nodes.values())
    labelled = [n for n in nodes.values() if n["label"]]
    assert 10 <= len(labelled) < len(nodes)
    # The unlabelled ones are named on zoom and in their tooltip.
    assert set(seed_map.page.labels) == {n["id"] for n in nodes.values() if not n["label"]}
    with ofai_graph.open(seeded_path) as ws:
        top = [p.b for p in ws.strength(top=5, as_of=AS_OF)]
        slides = ws.map(as_of=AS_OF, presentation=True, lang="es")
    assert all(nodes[t]["label"] for t in top if t in nodes)
    shown = [n for n in slides.page.nodes if n["label"]]
    assert len(shown) < len(labelled)
    assert min(n["font"]["size"] for n in shown) > min(n["font"]["size"] for n in labelled)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-600, 600), st.floats(-450, 450), st.text(min_size=1, max_size=40)),
        min_size=1,
        max_size=60,
    )
)
def test_placed_labels_never_overlap_and_stay_in_view(points):
    from ofai_graph.maps.labelling import LabelBox, place_labels

    pos = {f"n{i}": (x, y) for i, (x, y, _) in enumerate(points)}
    radius = {n: 6.0 for n in pos}
    labels = {}
    for i, (_, _, text) in enumerate(points):
        size = 12.0 + i % 5
        labels[f"n{i}"] = LabelBox(f"n{i}", text, size, text_width(text, size) + 6, size)
    box = (-648.0, -468.0, 648.0, 468.0)
    placed = place_labels(list(pos), pos, radius, labels, must=set(), budget=40, box=box)
    rects = []
    for n, vadjust in placed.items():
        (x, y), lab = pos[n], labels[n]
        top = y + radius[n] + lab.size / 2 + 4 + vadjust  # where vis-network draws it
        rects.append((x - lab.width / 2, top, x + lab.width / 2, top + lab.height))
    for i, a in enumerate(rects):
        assert box[0] <= a[0] and a[2] <= box[2] and box[1] <= a[1] and a[3] <= box[3]
        for b in rects[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_the_page_speaks_one_language(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        es = ws.map(path_to="Korea", as_of=AS_OF, lang="es").page
        en = ws.map(path_to="Korea", as_of=AS_OF, lang="en").page
    assert es.lang == "es" and es.subtitle.startswith("Datos al 31 de marzo de 2024")
    assert en.subtitle.startswith("Data as of March 31, 2024")
    assert es.texts["legend"] == "Leyenda" and en.texts["legend"] == "Legend"
    assert {i["label"] for i in es.legend} >= {"Oficina propia", "Gobierno extranjero"}
    assert {i["label"] for i in en.legend} >= {"Home office", "Foreign government"}
    assert [t["label"] for t in es.filters["tiers"]] == [
        label("Tier", t, "es") for t in ("strong", "medium", "weak", "cold")
    ]
    assert es.timeline["quarters"][-1]["label"] == "primer trimestre de 2024"
    shown = [[i["label"] for i in es.legend + es.marks], [t["label"] for t in es.filters["tiers"]], es.routes]
    words = json.dumps([list(es.texts.values()), shown], ensure_ascii=False)
    tips = " ".join(n["tooltip"] for n in es.nodes) + " ".join(e["tooltip"] for e in es.edges)
    for code in ("foreign_government", "home_office", "call_for_proposals", "Strength", "interactions"):
        assert code not in words and code not in tips, code
    assert "Fuerza con la oficina" in tips


def test_colour_by_community_tier_or_axis(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        comm = ws.map(as_of=AS_OF, color_by="community", lang="es").page
        tier = ws.map(as_of=AS_OF, color_by="tier", lang="es").page
        axis = ws.map(as_of=AS_OF, color_by="axis", lang="es").page
        with pytest.raises(OfaiError, match="community"):
            ws.map(as_of=AS_OF, color_by="rainbow")
    assert any(i["label"].startswith("Comunidad 1") or i["label"] == "Comunidad 1" for i in comm.legend)
    assert len({n["color"]["background"] for n in comm.nodes}) > 3
    assert {"Fuerte", "Media"} & {i["label"].capitalize() for i in tier.legend}
    assert "Promoción destino" in {i["label"] for i in axis.legend}


def test_the_slider_embeds_strength_for_each_quarter(route_map):
    tl = route_map.page.timeline
    codes = [q["code"] for q in tl["quarters"]]
    assert codes[0] == "2022-Q2" and codes[-1] == "2024-Q1" and len(codes) == 8
    assert len(tl["scores"]) == len(codes) - 1 and all(
        len(c) == len(route_map.page.edges) for c in tl["scores"]
    )
    # Fewer ties in 2022 than at the map's date; none is stronger before it happened.
    assert sum(s is not None for s in tl["scores"][0]) < len(route_map.page.edges)


def test_an_axis_map_keeps_only_relationships_built_on_that_axis(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        everything = ws.map(as_of=AS_OF)
        m = ws.map(axes=["promoción destino"], as_of=AS_OF)
        assert 0 < m.edge_count < everything.edge_count
        tied = {frozenset((t.source, t.target)) for t in ws.store.ties()}
        people = ws.store.get_entities(s.id for s in ws.store.entity_summaries() if s.type == "person")
        tied |= {frozenset((p.id, a.organization)) for p in people.values() for a in p.affiliations}
        for e in m.page.edges:
            shared = ws.store.shared_interactions(e["from"], e["to"])
            assert frozenset((e["from"], e["to"])) in tied or any(i.axis == "destination" for i in shared)


def test_an_unknown_axis_is_named_with_the_valid_ones(seeded_path, tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ofai_graph",
            "--db",
            str(seeded_path),
            "map",
            "--axis",
            "tourism",
            "--out",
            str(tmp_path / "m.html"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "tourism" in r.stderr and "destination" in r.stderr
    assert not (tmp_path / "m.html").exists()


def test_redacted_maps_hold_no_person_name_or_id(seeded_path, tmp_path):
    with ofai_graph.open(seeded_path) as ws:
        terms = people_terms(ws)
        whole = ws.map(redact_people=True, as_of=AS_OF)
        # The route's target is a person: the subtitle, routes and evidence name her too.
        route = ws.map(redact_people=True, path_to="Myriam Savard", as_of=AS_OF, lang="es")
    assert "rutas hacia Persona" in route.page.subtitle
    for m in (whole, route):
        for fmt in ("html", "svg"):
            text = m.save(tmp_path / f"m.{fmt}").read_text(encoding="utf-8").casefold()
            for t in terms:
                assert t.casefold() not in text, (fmt, t)


def test_svg_handout_has_title_date_legend_and_nothing_cut_off(route_map, hostile_map, tmp_path):
    svg = route_map.save(tmp_path / "m.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)  # valid XML
    ns = "{http://www.w3.org/2000/svg}"
    width, height = float(root.get("width")), float(root.get("height"))
    texts = [(t, t.text or "") for t in root.iter(f"{ns}text")]
    words = [s for _, s in texts]
    assert route_map.page.title in words and route_map.page.subtitle in words
    assert "Leyenda" in words and "Oficina propia (1)" in words and "Rutas" in words
    for t, s in texts:
        x, y, size = float(t.get("x")), float(t.get("y")), float(t.get("font-size"))
        w = text_width(s, size)
        left = x - w / 2 if t.get("text-anchor") == "middle" else x
        assert left >= 0 and left + w <= width and size * 0.8 <= y <= height, s
    hostile = hostile_map.save(tmp_path / "h.svg").read_text(encoding="utf-8")
    assert hostile.startswith("<svg") and HOSTILE[0] not in hostile and "&lt;img src=x" in hostile
    ET.fromstring(hostile)


def test_an_unknown_format_or_a_missing_folder_is_a_clear_error(seed_map, tmp_path):
    with pytest.raises(OfaiError, match="docx"):
        seed_map.save(tmp_path / "m.docx")
    with pytest.raises(OfaiError, match="does not exist"):
        seed_map.save(tmp_path / "nope" / "m.html")


def test_cli_writes_the_map_and_says_where(seeded_path, tmp_path):
    env = {**os.environ, "OFAI_GRAPH_DB": str(seeded_path)}
    out = tmp_path / "red.html"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ofai_graph",
            "map",
            "--path-to",
            "Corea",
            "--as-of",
            "2024-03-31",
            "--out",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["path"] == str(out.resolve()) and out.exists() and "gobierno-corea" in data["highlighted"]


def test_cli_route_handout_options(seeded_path, tmp_path):
    def ofai(*args):
        env = {**os.environ, "OFAI_GRAPH_DB": str(seeded_path), "OFAI_GRAPH_LANG": "es"}
        return subprocess.run(
            [sys.executable, "-m", "ofai_graph", *args], capture_output=True, text=True, env=env, timeout=120
        )

    out = tmp_path / "corea.svg"
    r = ofai(
        "map",
        "--path-to",
        "Corea",
        "--only-routes",
        "--presentation",
        "--color-by",
        "community",
        "--as-of",
        "2024-03-31",
        "--no-timeline",
        "--out",
        str(out),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    svg = out.read_text(encoding="utf-8")
    assert data["format"] == "svg" and "Rutas" in svg and "Comunidad 1" in svg
    assert data["nodes"] == len(set(data["highlighted"]))
    r = ofai("map", "--only-routes", "--out", str(tmp_path / "x.html"))
    assert r.returncode == 2 and "--path-to" in r.stderr and not (tmp_path / "x.html").exists()


# -- in a real browser ------------------------------------------------------------------------------


def _chromium() -> str | None:
    from ofai_graph.maps import chromium_path

    try:
        return chromium_path()
    except OfaiError:
        return None


CHROMIUM = _chromium()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium")
        pytest.skip("no chromium on this machine")
    from playwright.sync_api import sync_playwright

    from ofai_graph.maps import CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, tmp_path, m, name="map.html"):
    path = tmp_path / name
    m.save(path)
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    seen = {"dialogs": [], "requests": [], "errors": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: seen["requests"].append(r.url) if not r.url.startswith(("file:", "data:")) else None,
    )
    page.on("console", lambda msg: seen["errors"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page, seen


# The label boxes vis-network drew (its own measure of each label), in page pixels.
LABEL_BOXES = """() => {
  const net = ofaiMap.network, boxes = [];
  const W = net.canvas.frame.clientWidth, H = net.canvas.frame.clientHeight;
  for (const id of net.body.nodeIndices) {
    const n = net.body.nodes[id];
    if (!n.options.label) continue;
    const s = n.labelModule.size;
    const v = n.labelModule.fontOptions.vadjust || 0;  // the text is drawn vadjust below its box
    const a = net.canvasToDOM({x: s.left, y: s.top + v});
    const b = net.canvasToDOM({x: s.left + s.width, y: s.top + v + s.height});
    boxes.push({id: String(id), l: a.x, t: a.y, r: b.x, b: b.y});
  }
  const over = new Set();
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const p = boxes[i], q = boxes[j];
    if (p.l < q.r && q.l < p.r && p.t < q.b && q.t < p.b) { over.add(p.id); over.add(q.id); }
  }
  const outside = boxes.filter(x => x.l < 0 || x.t < 0 || x.r > W || x.b > H).map(x => x.id);
  return {labels: boxes.length, overlapping: Array.from(over), outside: outside};
}"""


def drawn(page, what="node"):
    return page.evaluate(f"ofaiMap.network.body.{what}Indices.length")


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
def test_labels_do_not_overlap_at_the_first_view(browser, tmp_path, seed_map, route_map):
    figures = {}
    for name, m in (("seed", seed_map), ("Korea route", route_map)):
        page, seen = open_page(browser, tmp_path, m, f"{name}.html")
        assert seen["errors"] == []
        boxes = page.evaluate(LABEL_BOXES)
        figures[name] = boxes
        print(
            f"\n{name} map at 1600x1000: {boxes['labels']} labels, {len(boxes['overlapping'])} overlapping "
            f"({100 * len(boxes['overlapping']) / max(boxes['labels'], 1):.1f} %), {len(boxes['outside'])} cut off"
        )
        assert boxes["labels"] >= 10 and boxes["outside"] == []
        assert len(boxes["overlapping"]) < 0.05 * boxes["labels"]
        page.close()
    assert set(route_map.highlighted) <= {
        b for b in route_map.highlighted if b not in figures["Korea route"]["overlapping"]
    }


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
def test_png_and_pdf_handouts_are_stable_one_page_and_redacted(seeded_path, tmp_path):
    from pypdf import PdfReader

    with ofai_graph.open(seeded_path) as ws:
        terms = people_terms(ws)
        m = ws.map(redact_people=True, path_to="Myriam Savard", as_of=AS_OF, lang="es")
        route = ws.map(path_to="Korea", as_of=AS_OF, lang="es")
    first, second = m.save(tmp_path / "a.pdf").read_bytes(), m.save(tmp_path / "b.pdf").read_bytes()
    assert first == second and first.startswith(b"%PDF")
    pdf = PdfReader(tmp_path / "a.pdf")
    assert len(pdf.pages) == 1
    words = pdf.pages[0].extract_text() + json.dumps(dict(pdf.metadata), ensure_ascii=False)
    assert "Leyenda" in words and "Evidencia" in words and "Persona" in words
    for t in terms:
        assert t.casefold() not in words.casefold() and t.encode() not in first, t
    table = " ".join(PdfReader(route.save(tmp_path / "r.pdf")).pages[0].extract_text().split())
    for r in route.page.routes:
        assert r["names"][-1] in table and r["score"] in table
        for hop in r["hops"]:
            for line in hop["evidence"]:
                assert " ".join(line.split())[:60] in table
    png = route.save(tmp_path / "a.png").read_bytes()
    assert png == route.save(tmp_path / "b.png").read_bytes() and png.startswith(b"\x89PNG")


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
