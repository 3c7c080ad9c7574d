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
        ("Red de Mercociudades", "mercociudades"),  # best on the id, its words those of the alias
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


@pytest.mark.parametrize(
    "text",
    ["A", "e", "de", "Cámara de Comercio de Pamplona", "Secretaría de Salud de Santander", "Corea del Norte"],
)
def test_a_short_or_far_off_name_is_not_taken_for_an_entity(seeded, text):
    with pytest.raises((NotFound, Ambiguous)):
        seeded.resolve(text)


def test_a_far_off_name_still_suggests_candidates_each_once(seeded):
    with pytest.raises(NotFound) as err:
        seeded.resolve("Cámara de Comercio de Pamplona")
    assert "Cámara de Comercio e Industria de Panamá (camara-comercio-panama)" in err.value.suggestions
    assert len(err.value.suggestions) == len(set(err.value.suggestions))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("secretaria salud", "secretaria-salud"), ("Camara Comercio Colombo Amercana", "amcham")],
)
def test_words_left_out_or_mistyped_still_resolve(seeded, text, expected):
    assert seeded.resolve(text) == expected


def test_messages_quote_values_capped():
    err = NotFound("x" * 10_000, ["a (a)", "a (a)", "b (b)"])
    assert len(str(err)) < 200 and str(err).count("a (a)") == 1
    assert "\x1b" not in str(NotFound("\x1b[2J"))


def test_country_suggestions_name_each_country_once():
    from ofai_graph import countries

    with pytest.raises(ValueError) as err:
        countries.resolve("Koreaa")
    assert str(err.value).count("(KR)") == 1
    assert countries.lookup("Korea, Republic of") == "KR"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("multilateral", "multilateral"),
        ("cámara de comercio", "chamber_of_commerce"),
        ("CAMARA DE COMERCIO", "chamber_of_commerce"),
        ("chamber of commerce", "chamber_of_commerce"),
        ("persona", "person"),
        ("country", "country"),
    ],
)
def test_entity_kinds_by_code_or_english_or_spanish_label(text, code):
    from ofai_graph.resolve import entity_kind

    assert entity_kind(text) == code


def test_an_unknown_entity_kind_lists_the_kinds(seeded):
    from ofai_graph.errors import UnknownValue

    with pytest.raises(UnknownValue, match=r"'notakind' is not a kind of entity; kinds are: .*multilateral"):
        seeded.map(kinds=["notakind"])
    with pytest.raises(UnknownValue):
        seeded.connect("KR", via_kinds=["notakind"])
