"""Spot checks of the seed data set against the report (../shared/seed/informe_gestion_ofai_2024q1.txt)."""

import datetime as dt

from ofai_graph.dates import Precision
from ofai_graph.model import FollowUpStatus


def interaction(ws, iid):
    return ws.store.get_interactions([iid])[iid]


def test_the_home_office_is_ofai_bucaramanga(seeded):
    assert seeded.home == "ofai"
    assert seeded.resolve("OFAI Bucaramanga") == "ofai"


def test_all_five_axes_are_covered(seeded):
    assert set(seeded.stats().facets["axis"]) == {
        "cooperation",
        "investment",
        "destination",
        "allies",
        "internal",
    }


def test_the_consuls_meeting_is_dated_to_the_day_and_most_actions_to_the_quarter(seeded):
    consuls = interaction(seeded, "consules-honorarios-reunion-alcalde")
    assert consuls.date.precision is Precision.day and consuls.date.start == dt.date(2024, 2, 12)
    fairs = interaction(seeded, "ferias-internacionales-presentacion")
    assert fairs.date.start == dt.date(2024, 3, 12)
    assert str(interaction(seeded, "usaid-curso-imagenes-satelitales").date) == "2024-Q1"


def test_the_bid_call_is_funded_by_korea_and_reaches_us_through_apc(seeded):
    call = interaction(seeded, "bid-ciudades-inteligentes-convocatoria")
    roles = {p.entity: p.role.value for p in call.participants}
    assert (
        roles["bid"] == "offerer"
        and roles["gobierno-corea"] == "funder"
        and roles["apc-colombia"] == "intermediary"
    )
    letter = interaction(seeded, "bid-ciudades-inteligentes-carta-intencion")
    assert letter.status.value == "in_progress"
    assert "secretaria-hacienda" in letter.entity_ids


def test_korean_cooperation_to_imct_was_approved_after_a_2021_request(seeded):
    assert interaction(seeded, "corea-cooperacion-imct-aprobacion").status.value == "approved"
    request = interaction(seeded, "corea-cooperacion-imct-solicitud")
    assert str(request.date) == "2021-Q4"


def test_jica_answer_is_expected_in_august_2024(seeded):
    jica = next(f for f in seeded.store.followups() if f.id == "jica-respuesta-voluntarios")
    assert str(jica.due) == "2024-08" and jica.due.end == dt.date(2024, 8, 31)
    assert jica.expected_from == "jica" and jica.status is FollowUpStatus.open
    assert set(interaction(seeded, jica.interaction).entity_ids) >= {"imebu", "imct", "apc-colombia"}


def test_may_deadlines_for_fontur_and_mincit(seeded):
    due = {f.id: str(f.due) for f in seeded.store.followups() if f.due}
    assert due["fontur-plazo-turismo-comunitario"] == "2024-05"
    assert due["mincit-resultados-vui"] == "2024-05"


def test_bucaramanga_was_a_cideu_member_until_2015(seeded):
    tie = next(t for t in seeded.store.ties("cideu") if t.kind.value == "member_of")
    assert (tie.source, str(tie.until)) == ("bucaramanga", "2015")
    assert seeded.store.get_entities(["cideu"])["cideu"].countries == ["ES"]


def test_people_named_in_the_report(seeded):
    assert seeded.entity("Lacouture").affiliations[0].organization == "amcham"
    assert seeded.entity("Myriam Savard").affiliations[0].organization == "gobierno-quebec"
    acting = seeded.entity("Julián Andrés Díaz Zambrano").affiliations[0]
    assert acting.title == "Jefe OFAI (e)"


def test_chinese_courses_had_no_participation(seeded):
    for iid in ("china-curso-promocion-comercial", "china-curso-medicina-tradicional"):
        assert interaction(seeded, iid).status.value == "no_participation"


def test_decentralized_entities_are_part_of_the_mayoralty(seeded):
    parents = {t.source for t in seeded.store.ties("alcaldia-bucaramanga") if t.kind.value == "part_of"}
    assert {"imct", "imebu", "inderbu", "ofai", "secretaria-hacienda"} <= parents


def test_every_pending_item_has_an_open_followup(seeded):
    open_ids = {f.interaction for f in seeded.store.followups(FollowUpStatus.open)}
    for pending in (
        "mercociudades-solicitud-informacion",
        "rep-dominicana-memorando",
        "cideu-revision-relacionamiento",
        "vui-convocatoria-mincit",
        "jica-voluntarios-solicitudes",
        "corea-cooperacion-imct-aprobacion",
    ):
        assert pending in open_ids
