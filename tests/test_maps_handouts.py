"""maps.handouts: SVG, PNG and PDF with title, date, legend and routes, nothing cut off, stable, redacted."""

import json
import xml.etree.ElementTree as ET

import pytest
from maps_support import AS_OF, HOSTILE, people_terms

import ofai_graph
from ofai_graph.maps import text_width


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


def test_a_curved_tie_is_the_same_curve_in_the_svg(seed_map):
    from dataclasses import replace

    from ofai_graph.maps.clearing import curve_via
    from ofai_graph.maps.handouts import to_svg

    edges = [dict(e) for e in seed_map.page.edges]
    edges[0]["smooth"] = {"enabled": True, "type": "curvedCCW", "roundness": 0.25}
    root = ET.fromstring(to_svg(replace(seed_map.page, edges=edges)))
    paths = list(root.iter("{http://www.w3.org/2000/svg}path"))
    lines = list(root.iter("{http://www.w3.org/2000/svg}line"))
    assert len(paths) == 1 and len(lines) >= len(edges) - 1
    # "M x1 y1 Q vx vy x2 y2": from one end through vis-network's control point to the other.
    d = [float(v) for v in paths[0].get("d").replace("M", "").replace("Q", "").split()]
    (x1, y1), (x2, y2) = (d[0], d[1]), (d[4], d[5])
    assert (d[2], d[3]) == pytest.approx(curve_via((x1, y1), (x2, y2), "curvedCCW", 0.25), abs=0.06)
    # The ends are where the straight tie ran (the first line after the header's rule).
    straight = list(ET.fromstring(to_svg(seed_map.page)).iter("{http://www.w3.org/2000/svg}line"))[1]
    assert [float(straight.get(k)) for k in ("x1", "y1", "x2", "y2")] == [x1, y1, x2, y2]
    assert paths[0].get("fill") == "none"
