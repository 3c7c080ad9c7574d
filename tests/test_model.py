import pytest
from pydantic import ValidationError

from ofai_graph.model import Axis, Country, Interaction, Organization, OrgKind, Role, Tie


def test_spanish_labels_are_accepted_for_closed_vocabularies():
    i = Interaction(
        id="m1",
        date="2024-Q1",
        kind="Reunión",
        axis="Red de aliados",
        title="x",
        participants=[{"entity": "ofai", "role": "Solicitante"}],
    )
    assert (i.kind.value, i.axis, i.participants[0].role) == ("meeting", Axis.allies, Role.requester)
    assert (
        Organization(id="imct", name="IMCT", kind="ente descentralizado").kind is OrgKind.decentralized_entity
    )


def test_country_links_accept_names_in_spanish_or_english_and_store_codes():
    org = Organization(id="x", name="X", kind="company", countries=["Corea", "Estados Unidos", "NL"])
    assert org.countries == ["KR", "US", "NL"]
    assert Country(id="korea").name == "Corea del Sur"


def test_unknown_kind_lists_the_allowed_ones():
    with pytest.raises(ValidationError) as err:
        Organization(id="x", name="X", kind="spaceship")
    assert "home_office" in str(err.value)


def test_ids_must_be_slugs():
    with pytest.raises(ValidationError, match="id"):
        Organization(id="Not A Slug", name="X", kind="company")


def test_an_interaction_needs_participants():
    with pytest.raises(ValidationError, match="at least 1"):
        Interaction(id="m", date="2024", kind="meeting", title="t", participants=[])


def test_a_tie_cannot_end_before_it_starts_and_knows_when_it_is_active():
    import datetime as dt

    with pytest.raises(ValidationError, match="before"):
        Tie(source="a", target="b", kind="member_of", since="2016", until="2015")
    t = Tie(source="bucaramanga", target="cideu", kind="member_of", until="2015")
    assert t.id == "bucaramanga--member_of--cideu"
    assert t.active_on(dt.date(2015, 12, 31)) and not t.active_on(dt.date(2016, 1, 1))


def test_the_static_code_list_matches_babel():
    from babel import Locale

    from ofai_graph import countries

    countries._names.cache_clear()
    assert set(countries._names()[1]) == countries.ISO_CODES
    assert set(Locale("en").territories) >= countries.ISO_CODES


def test_a_tie_keeps_the_id_it_was_given_even_one_shaped_like_a_default():
    t = Tie(id="acuerdo--2019--marco", source="a", target="b", kind="partner_of")
    assert t.id == "acuerdo--2019--marco"
    assert Tie(source="a", target="b", kind="aliado de").id == "a--partner_of--b"


def test_a_tie_needs_two_different_ends():
    with pytest.raises(ValidationError, match="two different entities"):
        Tie(source="a", target="a", kind="partner_of")


def test_repeated_countries_and_participants_are_kept_once():
    org = Organization(id="x", name="X", kind="company", countries=["Corea", "KR", "Japón"])
    assert org.countries == ["KR", "JP"]
    i = Interaction(
        id="m",
        date="2024",
        kind="meeting",
        title="t",
        participants=[["ofai", "host"], ["oim", "participant"], ["ofai", "host"], ["ofai", "participant"]],
    )
    assert [(p.entity, p.role.value) for p in i.participants] == [
        ("ofai", "host"),
        ("oim", "participant"),
        ("ofai", "participant"),
    ]


def test_assigning_a_field_is_validated():
    org = Organization(id="x", name="X", kind="company")
    with pytest.raises(ValidationError):
        org.countries = ["Atlantis"]
    c = Country(id="JP")
    assert (c.name, c.name_en) == ("Japón", "Japan")


def test_every_record_type_has_one_section():
    from ofai_graph.model import MODELS, SECTION_OF, Dataset

    records = [
        Country(id="KR"),
        Organization(id="x", name="X", kind="company"),
        Interaction(id="m", date="2024", kind="meeting", title="t", participants=[["x", "host"]]),
        Tie(source="x", target="KR", kind="based_in"),
    ]
    data = Dataset.of(records)
    assert {s: n for s, n in data.counts().items() if n} == {
        "countries": 1,
        "organizations": 1,
        "interactions": 1,
        "ties": 1,
    }
    assert set(SECTION_OF.values()) == set(MODELS)
    with pytest.raises(TypeError, match="not a record"):
        data.add("x")  # type: ignore[arg-type]


def test_an_imported_tie_keeps_its_own_id_and_a_default_one_uses_the_resolved_ends():
    from ofai_graph.importer import import_data
    from ofai_graph.store.sqlite import SQLiteStore

    store = SQLiteStore(":memory:")
    import_data(
        store,
        {
            "organizations": [
                {"id": "a", "name": "Alcaldía", "kind": "local_government", "aliases": ["AMB"]},
                {"id": "b", "name": "Banco", "kind": "company"},
            ],
            "ties": [
                {"id": "acuerdo--2019--marco", "source": "AMB", "target": "Banco", "kind": "partner_of"},
                {"source": "AMB", "target": "Banco", "kind": "member_of"},
            ],
        },
    )
    assert sorted((t.id, t.source, t.target) for t in store.ties()) == [
        ("a--member_of--b", "a", "b"),
        ("acuerdo--2019--marco", "a", "b"),
    ]
