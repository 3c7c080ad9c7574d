"""Generated ids: readable, stable, and never the id of another record."""

import pytest

from ofai_graph.errors import InvalidData
from ofai_graph.model import FollowUp, Interaction
from tests.conftest import OFFICE, write


@pytest.fixture
def office(ws, tmp_path):
    ws.import_files([write(tmp_path, "office.yaml", OFFICE)])
    return ws


def meeting(ws, title, date="2024-05-02", who="ofai"):
    rid = ws.new_id("interactions", date, title)
    ws.add(Interaction(id=rid, date=date, kind="meeting", title=title, participants=[(who, "organizer")]))
    return rid


def test_titles_that_differ_only_after_the_cut_get_two_records(office):
    head = "Reunión de seguimiento del convenio de cooperación técnica con la Organización Internacional "
    a, b = meeting(office, head + "para las Migraciones"), meeting(office, head + "para los Migrantes")
    assert a != b
    got = office.store.get_interactions([a, b])
    assert {got[a].title, got[b].title} == {head + "para las Migraciones", head + "para los Migrantes"}


@pytest.mark.parametrize("titles", [("🙂🙂", "!!!"), ("🙂", "🙂🙂"), ("Reunión: OIM", "Reunión OIM?")])
def test_titles_without_letters_or_differing_in_punctuation_get_two_records(office, titles):
    ids = [meeting(office, t) for t in titles]
    assert len(set(ids)) == 2
    assert {i.title for i in office.store.get_interactions(ids).values()} == set(titles)


def test_the_same_meeting_added_twice_is_found_again_not_duplicated(office):
    first = meeting(office, "Reunión con OIM")
    assert office.new_id("interactions", "2024-5-2", "Reunión con OIM") == first
    assert not office.add(office.store.get_interactions([first])[first]).changed


def test_a_same_titled_meeting_with_other_content_is_refused_not_replaced(office):
    rid = meeting(office, "Reunión")
    again = Interaction(
        id=rid, date="2024-05-02", kind="visit", title="Reunión", participants=[("oim", "host")]
    )
    with pytest.raises(InvalidData, match=f"a different interaction with id '{rid}' already exists"):
        office.add(again)
    assert office.store.get_interactions([rid])[rid].kind.value == "meeting"
    assert office.add(again, replace=True).total("updated") == 1


def test_an_id_held_by_another_record_gets_a_suffix(office):
    office.add(
        Interaction(
            id="2024-05-02-x",
            date="2024-05-02",
            kind="meeting",
            title="Otra",
            participants=[("ofai", "organizer")],
        )
    )
    assert meeting(office, "x") != "2024-05-02-x"


def test_followup_ids_from_descriptions(office):
    ids = set()
    for text in ("???", "!!!", "Respuesta de la OIM"):
        rid = office.new_id("followups", text)
        office.add(FollowUp(id=rid, description=text, owner="ofai"))
        ids.add(rid)
    assert len(ids) == 3
