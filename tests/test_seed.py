"""Spot checks of the seed data set against the report (../shared/seed/informe_gestion_ofai_2024q1.txt)."""

import datetime as dt

import pytest

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


# -- the seed says no more than the report (issue #13, section 3) -----------------------------------


def roles(ws, iid):
    return {p.entity: p.role.value for p in interaction(ws, iid).participants}


def test_the_acting_head_has_no_start_date(seeded):
    # "el informe será presentado ... por parte del jefe de OFAI (e), Julián Andrés Díaz Zambrano": no start given.
    acting = seeded.entity("Julián Andrés Díaz Zambrano").affiliations[0]
    assert acting.since is None and acting.until is None


def test_amcham_supports_are_still_being_arranged_not_a_meeting(seeded):
    # "se vienen concretando y revisando apoyos para realizar desde AMCHAM capacitaciones"
    supports = interaction(seeded, "amcham-apoyos-representante-regional")
    assert supports.kind.value != "meeting" and supports.status.value == "in_progress"
    assert "se concretan" not in supports.summary and "vienen concretando" in supports.summary


def test_wime_has_usaid_support_not_funding_and_no_named_chamber(seeded):
    # "se logra el apoyo de USAID, así como el de la cámara de comercio" (which one is not said)
    wime = roles(seeded, "wime-acompanamiento")
    assert wime["usaid"] != "funder"
    assert not any(e.startswith("camara-") for e in wime)


def test_koreas_cooperation_with_the_imct_is_no_open_funding_tie_yet(seeded):
    # "en este momento se encuentra en proceso de formalización esta cooperación"
    assert not [t for t in seeded.store.ties("centro-acceso-informacion") if t.kind.value == "funds"]
    formalization = next(f for f in seeded.store.followups() if f.id == "corea-formalizacion-cooperacion-imct")
    assert formalization.status is FollowUpStatus.open


@pytest.mark.parametrize(
    "iid",
    [
        "santander-expo-tattoo-acompanamiento",  # "se acompaña desde la OFAI"
        "wime-acompanamiento",  # "Se realiza acompañamiento en la preparación y organización"
        "consules-honorarios-reunion-alcalde",  # the report does not say who organized it
        "amcham-visita-presidenta",  # "Visita a la alcaldía para reunión con alcalde"
        "bid-ciudades-inteligentes-carta-intencion",  # "Se remite al enlace autorizado ... la carta"
        "quebec-visita-representante",  # "estuvo en reunión con la OFAI" (a visit to the mayoralty)
    ],
)
def test_the_office_is_not_the_organizer_where_it_accompanied_or_took_part(seeded, iid):
    assert roles(seeded, iid)["ofai"] not in ("organizer", "host")


def test_the_offices_own_reviews_are_expected_from_nobody(seeded):
    # "Pendiente de revisión y comparación con otras redes"; "Información en proceso de revisión".
    followups = {f.id: f for f in seeded.store.followups()}
    for fid in ("mercociudades-revision-comparacion", "cideu-revision-regreso"):
        assert followups[fid].expected_from is None and followups[fid].owner == "ofai"


def test_oim_meeting_lists_who_met_not_who_will_act_later(seeded):
    # "en las cuales intervendrán otras dependencias": they were not at the meeting.
    assert set(roles(seeded, "oim-gifmm-reunion-migracion")) == {"oim", "gifmm", "ofai"}


def test_every_interaction_names_its_report_action_and_place(seeded):
    sources = [i.source for i in seeded.dataset().interactions]
    assert all(s is not None and s.action and s.order for s in sources)
    assert len({s.action for s in sources}) == 31
    assert sorted(s.order for s in sources) == list(range(1, len(sources) + 1))


def test_korea_offers_technical_cooperation_it_does_not_fund_it(seeded):
    # "Aprobación de la cooperación técnica de Corea al IMCT": technical cooperation, no money named.
    assert roles(seeded, "corea-cooperacion-imct-aprobacion")["gobierno-corea"] == "offerer"
