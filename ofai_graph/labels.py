"""Display labels of every closed vocabulary, in English and Spanish: the one table.

Codes such as ``call_for_proposals`` are for files and ``--json``; a person reads these labels. The
table is keyed by vocabulary name (the model's enum class name, plus ``Tier`` and ``Precision``) and
code; each entry is ``(english, spanish)``. A test checks that every member of every vocabulary has
both labels, so a new code cannot reach a reader untranslated.

>>> label("InteractionKind", "call_for_proposals", "es")
'convocatoria'
>>> label("Tier", "strong", "en")
'strong'
"""

from __future__ import annotations

from enum import Enum

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "OrgKind": {
        "home_office": ("home office", "oficina propia"),
        "local_government": ("local government", "gobierno local"),
        "dependency": ("dependency of the mayoralty", "dependencia de la alcaldía"),
        "decentralized_entity": ("decentralized entity", "ente descentralizado"),
        "national_agency": ("national agency", "entidad nacional"),
        "foreign_government": ("foreign government", "gobierno extranjero"),
        "bilateral_agency": ("bilateral cooperation agency", "agencia de cooperación bilateral"),
        "multilateral": ("multilateral organization", "organismo multilateral"),
        "chamber_of_commerce": ("chamber of commerce", "cámara de comercio"),
        "honorary_consulate": ("honorary consulate", "consulado honorario"),
        "city_network": ("city network", "red de ciudades"),
        "city": ("city", "ciudad"),
        "investment_agency": ("investment agency", "agencia de inversión"),
        "company": ("company", "empresa"),
        "academia": ("university or academia", "academia"),
        "civil_society": ("civil society", "sociedad civil"),
        "guild": ("trade association", "gremio"),
        "sports_body": ("sports body", "entidad deportiva"),
        "event": ("event", "evento"),
        "initiative": ("initiative", "iniciativa"),
        "other": ("other", "otro"),
    },
    "EntityType": {
        "organization": ("organization", "organización"),
        "person": ("person", "persona"),
        "country": ("country", "país"),
    },
    "InteractionKind": {
        "meeting": ("meeting", "reunión"),
        "visit": ("visit", "visita"),
        "working_group": ("working group", "mesa de trabajo"),
        "presentation": ("presentation", "presentación"),
        "call_for_proposals": ("call for proposals", "convocatoria"),
        "application": ("application", "postulación"),
        "course_offer": ("course offer", "oferta de cursos"),
        "cooperation": ("cooperation", "cooperación"),
        "event_support": ("event support", "acompañamiento a evento"),
        "information_request": ("information request", "solicitud de información"),
        "institutional_contact": ("institutional contact", "contacto institucional"),
        "mou_talks": ("memorandum of understanding talks", "gestión de memorando de entendimiento"),
        "referral": ("referral", "remisión"),
        "internal_proposal": ("internal proposal", "propuesta interna"),
        "other": ("other", "otra"),
    },
    "Axis": {
        "cooperation": ("International cooperation", "Cooperación internacional"),
        "investment": (
            "Foreign direct investment and institutional offer",
            "Captación de inversión extranjera directa IED y oferta institucional",
        ),
        "destination": ("Destination promotion", "Promoción destino"),
        "allies": ("Partner network", "Red de aliados"),
        "internal": ("Internal management", "Gestión interna"),
    },
    "Role": {
        "organizer": ("organizer", "organizador"),
        "host": ("host", "anfitrión"),
        "requester": ("requester", "solicitante"),
        "applicant": ("applicant", "postulante"),
        "offerer": ("offerer", "oferente"),
        "funder": ("funder", "financiador"),
        "intermediary": ("intermediary", "intermediario"),
        "recipient": ("recipient", "destinatario"),
        "beneficiary": ("beneficiary", "beneficiario"),
        "invitee": ("invitee", "invitado"),
        "participant": ("participant", "participante"),
        "subject": ("subject", "tema"),
    },
    "Status": {
        "planned": ("planned", "programada"),
        "in_progress": ("in progress", "en proceso"),
        "pending": ("pending", "pendiente"),
        "approved": ("approved", "aprobada"),
        "declined": ("declined", "no aprobada"),
        "no_participation": ("did not take part", "sin participación"),
        "done": ("done", "realizada"),
    },
    "FollowUpStatus": {
        "open": ("open", "abierto"),
        "done": ("done", "cumplido"),
        "cancelled": ("cancelled", "cancelado"),
    },
    "TieKind": {
        "member_of": ("member of", "miembro de"),
        "part_of": ("part of", "parte de"),
        "represents": ("represents", "representa a"),
        "funds": ("funds", "financia a"),
        "based_in": ("based in", "con sede en"),
        "liaison_for": ("liaison for", "enlace de"),
        "partner_of": ("partner of", "aliado de"),
        # Not a tie kind in files: a person's affiliation, which the strength graph counts as a tie.
        "affiliation": ("works at", "trabaja en"),
    },
    "Tier": {
        "strong": ("strong", "fuerte"),
        "medium": ("medium", "media"),
        "weak": ("weak", "débil"),
        "cold": ("cold", "fría"),
    },
    "Precision": {
        "day": ("day", "día"),
        "month": ("month", "mes"),
        "quarter": ("quarter", "trimestre"),
        "year": ("year", "año"),
    },
}

_COLUMN = {"en": 0, "es": 1}


def label(vocabulary: str | type[Enum], code: str | Enum, lang: str = "en") -> str:
    """The label a person reads for ``code`` of ``vocabulary`` in ``lang`` ("en" or "es").

    An unknown code falls back to the code with underscores as spaces rather than failing: a
    report must still render if a store holds a code from a newer version.
    """
    name = vocabulary if isinstance(vocabulary, str) else vocabulary.__name__
    value = code.value if isinstance(code, Enum) else str(code)
    entry = LABELS.get(name, {}).get(value)
    if entry is None:
        return value.replace("_", " ")
    return entry[_COLUMN.get(lang, 0)]
