"""maps.history: the strength of each recent quarter for the slider, and the axes ties are built on."""

from maps_support import AS_OF

import ofai_graph


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
