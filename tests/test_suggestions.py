"""'Did you mean': a typo gets the word it misspells, in the reader's language; nonsense gets nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ofai_graph import countries
from ofai_graph.errors import NotFound, UnknownValue
from ofai_graph.labels import LABELS
from ofai_graph.model import Axis, FollowUpStatus, InteractionKind, OrgKind, Role, Status, TieKind
from ofai_graph.text import closest, fold
from tests.test_cli_lang import run

VOCABULARIES = [OrgKind, InteractionKind, Role, Status, FollowUpStatus, TieKind, Axis]


@pytest.mark.parametrize(
    ("vocabulary", "typo", "code"),
    [
        (InteractionKind, "meetingg", "meeting"),
        (InteractionKind, "meetign", "meeting"),
        (InteractionKind, "reunon", "meeting"),
        (InteractionKind, "Reunión ", "meeting"),
        (InteractionKind, "convocatorias", "call_for_proposals"),
        (InteractionKind, "conovcatoria", "call_for_proposals"),
        (InteractionKind, "call for proposal", "call_for_proposals"),
        (InteractionKind, "mesa trabajo", "working_group"),
        (InteractionKind, "visitaa", "visit"),
        (OrgKind, "companyy", "company"),
        (OrgKind, "camara de comercioo", "chamber_of_commerce"),
        (OrgKind, "universidad", "academia"),
        (OrgKind, "multilateal", "multilateral"),
        (Role, "hostt", "host"),
        (Role, "organiser", "organizer"),
        (Role, "organizadr", "organizer"),
        (Role, "anfitrion", "host"),
        (FollowUpStatus, "openn", "open"),
        (Status, "realizadaa", "done"),
        (TieKind, "member_off", "member_of"),
        (TieKind, "miembro dee", "member_of"),
    ],
)
def test_a_typo_of_a_vocabulary_word_gets_its_code(vocabulary, typo, code):
    assert vocabulary.closest(typo).value == code


@pytest.mark.parametrize("word", ["almuerzo", "xyz", "fiesta", "perro", "comida", "Narnia", "banana", ""])
def test_a_word_unlike_any_gets_no_suggestion(word):
    assert all(v.closest(word) is None for v in VOCABULARIES)


def _typo(word: str, edit: str, at: int, letter: str) -> str:
    # Typos keep the first letters (people see the start of what they type): edit from the third on.
    i = 2 + at % (len(word) - 3)
    return {
        "double": word[:i] + word[i] + word[i:],
        "drop": word[:i] + word[i + 1 :],
        "swap": word[:i] + word[i + 1] + word[i] + word[i + 2 :],
        "replace": word[:i] + letter + word[i + 1 :],
    }[edit]


WORDS = sorted(
    {(v, code, name) for v in VOCABULARIES for code, pair in LABELS[v.__name__].items() for name in pair
     if len(name) >= 7 and code in {m.value for m in v}},
    key=lambda w: (w[0].__name__, w[1], w[2]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(WORDS),
    st.sampled_from(["double", "drop", "swap", "replace"]),
    st.integers(0, 100),
    st.sampled_from("aeioumnrstlx"),
)
def test_one_wrong_letter_in_a_label_still_finds_it(word, edit, at, letter):
    vocabulary, code, name = word
    typo = _typo(name, edit, at, letter)
    found = vocabulary.closest(typo)
    assert found is not None, typo
    # Another member is acceptable only if the typo happens to be as close to one of its names.
    if found.value != code:
        from rapidfuzz.distance import Levenshtein

        names = [n for n, m in vocabulary._names() if m is found]
        assert min(Levenshtein.distance(fold(typo), fold(n)) for n in names) <= 1, (typo, found)


def test_closest_is_accent_and_case_blind_and_returns_the_choice_as_written():
    assert closest("CAMARA DE COMERCIO", ["cámara de comercio", "ciudad"]) == "cámara de comercio"
    assert closest("x", []) is None


@pytest.mark.parametrize(
    ("typo", "code"), [("Colmbia", "CO"), ("Alemana", "DE"), ("Corae del sur", "KR"), ("Japn", "JP"), ("Koreaa", "KR")]
)
def test_a_misspelled_country_suggests_it_in_the_reader_s_language(typo, code):
    with pytest.raises(UnknownValue) as err:
        countries.resolve(typo)
    assert f"({code})" in err.value.message("es") and f"({code})" in err.value.message("en")


@pytest.mark.parametrize("text", ["Narnia", "Wakanda", "Mordor", "xx"])
def test_an_invented_country_gets_no_suggestion(text):
    with pytest.raises(UnknownValue) as err:
        countries.resolve(text)
    assert "?" not in err.value.message("en")


# -- names of entities, on the seed -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_ws(tmp_path_factory):
    import ofai_graph

    path = tmp_path_factory.mktemp("suggest") / "seed.db"
    assert run("init", "--seed", db=path).exit_code == 0
    with ofai_graph.open(path) as ws:
        yield ws


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("Jika", "jica"),
        ("Jicaa", "jica"),
        ("imtc", "imct"),
        ("Amchan", "amcham"),
        ("Cideuu", "cideu"),
        ("Camara de Comercio de Bucaramnga", "camara-comercio-bucaramanga"),
        ("Alcaldia de Bucaramnga", "alcaldia-bucaramanga"),
        ("Agencia Presidencial de Cooperacion", "apc-colombia"),
        ("Invest in Santandr", "invest-in-santander"),
    ],
)
def test_a_typo_of_a_name_suggests_that_entity_first(seed_ws, typo, expected):
    from ofai_graph.resolve import Resolver

    suggestions = Resolver(seed_ws.store).suggest(typo)
    assert suggestions and suggestions[0] == expected, suggestions


@pytest.mark.parametrize(
    "text",
    ["Narnia", "Embajada de Narnia", "Banco Mundial", "Gobierno de Japon", "Koica", "OIMM", "xyz", "Organización para el Clima"],
)
def test_a_name_unlike_any_gets_no_suggestion(seed_ws, text):
    with pytest.raises(NotFound) as err:
        seed_ws.resolve(text)
    assert err.value.suggestions == []


def test_show_narnia_suggests_nothing_and_a_typo_suggests_the_partner(seed_ws):
    db = seed_ws.store.folder / "seed.db"
    r = run("show", "Narnia", db=db)
    assert r.exit_code == 1 and r.stderr.strip() == "error: ninguna entidad coincide con 'Narnia'", r.stderr
    r = run("show", "Amchan", db=db)
    assert r.exit_code == 1 and "las más parecidas: Cámara de Comercio Colombo Americana" in r.stderr, r.stderr


def test_an_option_with_a_misspelled_word_suggests_the_label_in_the_reader_s_language(seed_ws, tmp_path):
    args = ("add", "interaction", "--date", "2024-05-02", "--title", "T", "--participant", "ofai", "--kind", "reunon")
    r = run(*args, db=tmp_path / "none.db")
    assert r.exit_code == 2 and "¿quiso decir «reunión»?" in r.stderr, r.stderr
    r = run(*args, db=tmp_path / "none.db", lang="en")
    assert r.exit_code == 2 and "did you mean 'meeting'?" in r.stderr, r.stderr
