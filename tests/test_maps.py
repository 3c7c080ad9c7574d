"""Maps: one self-contained file, escaped data, redaction; and the same pages in a real Chromium."""

import datetime as dt
import os
import re
import subprocess
import sys

import pytest

import ofai_graph
from ofai_graph.generate import generate

AS_OF = dt.date(2024, 3, 31)
HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "href=javascript:alert(1)"]


@pytest.fixture(scope="module")
def seed_map(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        return ws.map(path_to="Korea", as_of=AS_OF)


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory):
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
        return ws.map(title=HOSTILE[1], as_of=AS_OF)


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


def test_path_to_korea_highlights_the_report_routes(seed_map):
    # The five strongest routes (APC Colombia's is the sixth since the seed audit of #13, see test_paths).
    assert {"ofai", "gobierno-corea", "imct", "bid"} <= set(seed_map.highlighted)


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
    assert r.returncode == 1 and "tourism" in r.stderr and "destination" in r.stderr
    assert not (tmp_path / "m.html").exists()


def test_redacted_maps_hold_no_person_name_or_id(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        people = [e for e in ws.dataset().people]
        page = ws.map(redact_people=True, as_of=AS_OF).html
    assert people
    for p in people:
        for text in [p.id, p.name, *p.aliases, *p.name.split()]:
            if len(text) > 3:
                assert text not in page, text


def test_svg_is_escaped_and_png_needs_a_browser(hostile_map, tmp_path):
    svg = hostile_map.save(tmp_path / "m.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and HOSTILE[0] not in svg and "&lt;img src=x" in svg


def test_cli_writes_the_map_and_says_where(seeded_path, tmp_path):
    import json
    import subprocess
    import sys

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


# -- in a real browser ------------------------------------------------------------------------------


def _chromium() -> str | None:
    from ofai_graph.errors import OfaiError
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


def open_page(browser, tmp_path, m):
    path = tmp_path / "map.html"
    m.save(path)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
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


@pytest.mark.browser
def test_seed_map_in_chromium(browser, tmp_path, seed_map):
    page, seen = open_page(browser, tmp_path, seed_map)
    assert seen == {"dialogs": [], "requests": [], "errors": []}
    assert page.evaluate("ofaiMap.network.body.nodeIndices.length") == seed_map.node_count
    assert page.evaluate("ofaiMap.network.body.edgeIndices.length") == seed_map.edge_count
    selected = set(page.evaluate("ofaiMap.network.getSelectedNodes()"))
    assert {"gobierno-corea", "imct", "bid"} <= selected
    page.fill("#search", "corea")
    page.dispatch_event("#search", "change")
    assert page.get_attribute("body", "data-selected") in {
        "gobierno-corea",
        "KR",
        "centro-acceso-informacion",
    }
    page.close()


@pytest.mark.browser
def test_hostile_names_execute_nothing_in_chromium(browser, tmp_path, hostile_map):
    page, seen = open_page(browser, tmp_path, hostile_map)
    assert seen["dialogs"] == [] and seen["errors"] == [] and seen["requests"] == []
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.inner_text("#title") == HOSTILE[1]
    page.hover("#network", position={"x": 700, "y": 400})
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
    assert page.evaluate("ofaiMap.network.body.nodeIndices.length") == m.node_count
    assert page.evaluate("ofaiMap.network.body.edgeIndices.length") == m.edge_count
    page.close()
