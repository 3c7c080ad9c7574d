"""maps.words: every text of a map in one language."""

import json

from maps_support import AS_OF

import ofai_graph
from ofai_graph.labels import label


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
