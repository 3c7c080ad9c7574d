import pytest

from ofai_graph.errors import Ambiguous, NotFound


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("imct", "imct"),
        ("IMCT", "imct"),
        ("Camara de Comercio Colombo Americana", "amcham"),
        ("OIM", "oim"),
        ("IOM", "oim"),
        ("Corea", "KR"),
        ("korea", "KR"),
        ("KR", "KR"),
        ("Corea del Sur", "KR"),
        ("South Korea", "KR"),
        ("BID", "bid"),
        ("IDB", "bid"),
        ("hacienda", "secretaria-hacienda"),
        ("inderbú", "inderbu"),
        ("mercociudad", "mercociudades"),
        ("Lacouture", "maria-claudia-lacouture"),
    ],
)
def test_people_type_names_the_way_they_say_them(seeded, text, expected):
    assert seeded.resolve(text) == expected


def test_an_ambiguous_name_lists_candidates_instead_of_guessing(seeded):
    with pytest.raises(Ambiguous) as err:
        seeded.resolve("camara de comercio")
    assert {"amcham", "camara-comercio-bucaramanga", "camara-comercio-panama"} <= {
        c.rsplit("(", 1)[-1].rstrip(")") for c in err.value.candidates
    }


def test_nothing_close_is_not_found(seeded):
    with pytest.raises(NotFound):
        seeded.resolve("qqqzzz")


def test_search_is_accent_insensitive_and_alias_aware(seeded):
    hits = [h.id for h in seeded.search("camara de comercio")]
    assert {"amcham", "camara-comercio-bucaramanga"} <= set(hits[:5])
    assert seeded.search("Cultura y Turismo")[0].id == "imct"
    assert seeded.search("IOM")[0].id == "oim"
