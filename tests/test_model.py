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
