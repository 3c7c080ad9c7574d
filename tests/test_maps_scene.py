"""maps.scene: what a map keeps (the routes alone, when asked) and whom it names (no one, redacted)."""

import pytest
from maps_support import AS_OF, people_terms

import ofai_graph
from ofai_graph.errors import OfaiError


def test_only_routes_keeps_the_routes_entities(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        m = ws.map(path_to="Korea", only_routes=True, as_of=AS_OF)
        route_nodes = {n for p in ws.connect("Korea", as_of=AS_OF).paths for n in p.nodes}
        with pytest.raises(OfaiError, match="path"):
            ws.map(only_routes=True, as_of=AS_OF)
    assert {n["id"] for n in m.page.nodes} == route_nodes
    assert all(e.get("routeLabel") for e in m.page.edges)


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
