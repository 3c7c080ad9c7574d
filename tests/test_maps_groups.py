"""maps.groups: colouring by community, tier of the tie to the office, or strategic axis."""

import pytest
from maps_support import AS_OF

import ofai_graph
from ofai_graph.errors import OfaiError


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
