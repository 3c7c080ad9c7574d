"""The domain model: what the office's reports talk about.

Entities (organizations, people, countries) are nodes. Interactions (meetings, visits, calls for
proposals, applications, course offers, MoU talks...) link two or more of them, each with a role.
Ties are explicit, dated relationships ("Bucaramanga was a CIDEU member until 2015"). Follow-ups are
what the office is waiting for. Every model validates strictly and says what is wrong in words a
person can act on.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from enum import Enum
from functools import cache, lru_cache
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import countries
from .dates import PartialDate
from .errors import N_, InvalidValue, kind_of_value
from .text import LINE_PATTERN, TEXT_PATTERN, fold_key

__all__ = [
    "Affiliation",
    "Axis",
    "Country",
    "Dataset",
    "Entity",
    "FollowUp",
    "FollowUpStatus",
    "Interaction",
    "InteractionKind",
    "OrgKind",
    "Organization",
    "PartialDate",
    "Participant",
    "Person",
    "Role",
    "SourceRef",
    "Status",
    "Tie",
    "TieKind",
    "tie_id",
]


class _Vocabulary(str, Enum):
    """A closed vocabulary that also accepts its Spanish labels, case and accents aside."""

    @classmethod
    def labels(cls) -> dict[str, tuple[str, ...]]:
        return {}

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        return _vocabulary_index(cls).get(fold_key(value).replace(" ", "_"))

    @classmethod
    def _names(cls) -> list[tuple[str, Any]]:
        """Every word that names a member: its code, its labels in both languages (the one table,
        :mod:`ofai_graph.labels`) and the synonyms above, each with its member."""
        from .labels import LABELS

        table = LABELS.get(cls.__name__, {})
        return [
            (name, member)
            for member in cls
            for name in (member.value, *table.get(member.value, ()), *cls.labels().get(member.value, ()))
        ]

    @classmethod
    def closest(cls, text: str) -> Any:
        """The member ``text`` most likely misspells (``"meetingg"``, ``"reunon"``), or None.

        >>> InteractionKind.closest("reunon"), InteractionKind.closest("almuerzo")
        (<InteractionKind.meeting: 'meeting'>, None)
        """
        return _closest_member(cls, text)

    def __str__(self) -> str:
        return self.value


# A member's text through a C-level getter: Enum's own ``value`` is a Python descriptor, and
# serializing a million interactions reads it six million times (a quarter of model_dump_json). Set
# after the class is made, where an Enum class body would take it for a member.
setattr(_Vocabulary, "value", property(operator.attrgetter("_value_")))  # noqa: B010


@cache
def _vocabulary_index(cls: type[_Vocabulary]) -> dict[str, Any]:
    """Every name of every member of ``cls``, folded as ``_missing_`` folds a value: one look-up each."""
    index: dict[str, Any] = {}
    for member in cls:
        index.setdefault(member.value, member)
    for name, member in cls._names():
        index.setdefault(fold_key(name).replace(" ", "_"), member)
    return index


@lru_cache(maxsize=4096)
def _closest_member(cls: type[_Vocabulary], text: str) -> Any:
    # A file repeats one misspelling thousands of times: look each up once.
    from .text import closest

    names = cls._names()
    found = closest(text.replace("_", " "), tuple(name.replace("_", " ") for name, _ in names))
    return next((m for name, m in names if name.replace("_", " ") == found), None)


class OrgKind(_Vocabulary):
    home_office = "home_office"
    local_government = "local_government"
    dependency = "dependency"
    decentralized_entity = "decentralized_entity"
    national_agency = "national_agency"
    foreign_government = "foreign_government"
    bilateral_agency = "bilateral_agency"
    multilateral = "multilateral"
    chamber_of_commerce = "chamber_of_commerce"
    honorary_consulate = "honorary_consulate"
    city_network = "city_network"
    city = "city"
    investment_agency = "investment_agency"
    company = "company"
    academia = "academia"
    civil_society = "civil_society"
    guild = "guild"
    sports_body = "sports_body"
    event = "event"
    initiative = "initiative"
    other = "other"

    @classmethod
    def labels(cls) -> dict[str, tuple[str, ...]]:
        return {
            "home_office": ("oficina", "ofai"),
            "local_government": ("alcaldia", "gobierno local", "municipio"),
            "dependency": ("dependencia", "secretaria"),
            "decentralized_entity": ("ente descentralizado", "descentralizado", "entidad descentralizada"),
            "national_agency": ("agencia nacional", "entidad nacional"),
            "foreign_government": ("gobierno extranjero", "government"),
            "bilateral_agency": ("agencia bilateral", "agencia de cooperacion", "cooperation agency"),
            "multilateral": ("organismo multilateral", "multilateral organization"),
            "chamber_of_commerce": ("camara de comercio", "chamber"),
            "honorary_consulate": ("consulado honorario", "consul honorario", "consulate"),
            "city_network": ("red de ciudades", "network", "red"),
            "city": ("ciudad",),
            "investment_agency": ("agencia de inversion",),
            "company": ("empresa",),
            "academia": ("universidad", "university"),
            "civil_society": ("sociedad civil", "osc", "ngo", "ong"),
            "guild": ("gremio",),
            "sports_body": ("deporte", "federacion deportiva", "liga"),
            "event": ("evento",),
            "initiative": ("iniciativa", "proyecto", "programa"),
            "other": ("otro",),
        }


class InteractionKind(_Vocabulary):
    meeting = "meeting"
    visit = "visit"
    working_group = "working_group"
    presentation = "presentation"
    call_for_proposals = "call_for_proposals"
    application = "application"
    course_offer = "course_offer"
    cooperation = "cooperation"
    event_support = "event_support"
    information_request = "information_request"
    institutional_contact = "institutional_contact"
    mou_talks = "mou_talks"
    referral = "referral"
    internal_proposal = "internal_proposal"
    other = "other"

    @classmethod
    def labels(cls) -> dict[str, tuple[str, ...]]:
        return {
            "meeting": ("reunion",),
            "visit": ("visita",),
            "working_group": ("mesa de trabajo", "mesa"),
            "presentation": ("presentacion",),
            "call_for_proposals": ("convocatoria", "call"),
            "application": ("postulacion", "solicitud"),
            "course_offer": ("curso", "oferta de curso", "course"),
            "cooperation": ("cooperacion", "cooperacion tecnica"),
            "event_support": ("acompanamiento", "apoyo a evento", "evento"),
            "information_request": ("solicitud de informacion",),
            "institutional_contact": ("contacto institucional", "contacto"),
            "mou_talks": ("memorando", "memorando de entendimiento", "mou"),
            "referral": ("remision", "envio", "forwarding"),
            "internal_proposal": ("propuesta interna", "propuesta juridica", "legal proposal"),
            "other": ("otro",),
        }


class Axis(_Vocabulary):
    """The report's five strategic axes."""

    cooperation = "cooperation"
    investment = "investment"
    destination = "destination"
    allies = "allies"
    internal = "internal"

    @classmethod
    def labels(cls) -> dict[str, tuple[str, ...]]:
        return {
            "cooperation": ("cooperacion internacional", "international cooperation"),
            "investment": (
                "captacion de inversion extranjera directa ied y oferta institucional",
                "inversion extranjera directa y oferta institucional",
                "inversion",
                "ied",
                "fdi",
            ),
            "destination": ("promocion destino", "destination promotion"),
            "allies": ("red de aliados", "aliados", "partner network"),
            "internal": ("gestion interna", "internal management"),
        }

    @property
    def label_es(self) -> str:
        return {
            "cooperation": "Cooperación internacional",
            "investment": "Inversión extranjera directa y oferta institucional",
            "destination": "Promoción destino",
            "allies": "Red de aliados",
            "internal": "Gestión interna",
        }[self.value]


class Role(_Vocabulary):
    organizer = "organizer"
    host = "host"
    requester = "requester"
    applicant = "applicant"
    offerer = "offerer"
    funder = "funder"
    intermediary = "intermediary"
    recipient = "recipient"
    beneficiary = "beneficiary"
    invitee = "invitee"
    participant = "participant"
    subject = "subject"

    @classmethod
    def labels(cls) -> dict[str, tuple[str, ...]]:
        return {
            "organizer": ("organizador",),
            "host": ("anfitrion",),
            "requester": ("solicitante",),
            "applicant": ("postulante",),
            "offerer": ("oferente",),
            "funder": ("financiador", "cooperante"),
            "intermediary": ("intermediario", "enlace"),
            "recipient": ("destinatario", "receptor"),
            "beneficiary": ("beneficiario",),
            "invitee": ("invitado",),
            "participant": ("participante",),
            "subject": ("tema", "objeto"),
        }


class Status(_Vocabulary):
    planned = "planned"
    in_progress = "in_progress"
    pending = "pending"
    approved = "approved"
    declined = "declined"
    no_participation = "no_participation"
    done = "done"

    @classmethod
    def labels(cls) -> dict[str, tuple[str, ...]]:
        return {
            "planned": ("planeado", "programado"),
            "in_progress": ("en proceso", "en curso", "en tramite"),
            "pending": ("pendiente",),
            "approved": ("aprobado", "aprobada"),
            "declined": ("rechazado", "rechazada", "negado"),
            "no_participation": ("sin participacion", "no participo"),
            "done": ("realizado", "hecho", "terminado"),
        }


class FollowUpStatus(_Vocabulary):
    open = "open"
    done = "done"
    cancelled = "cancelled"

    @classmethod
    def labels(cls) -> dict[str, tuple[str, ...]]:
        return {"open": ("abierto", "pendiente"), "done": ("hecho", "cumplido"), "cancelled": ("cancelado",)}


class TieKind(_Vocabulary):
    member_of = "member_of"
    part_of = "part_of"
    represents = "represents"
    funds = "funds"
    based_in = "based_in"
    liaison_for = "liaison_for"
    partner_of = "partner_of"

    @classmethod
    def labels(cls) -> dict[str, tuple[str, ...]]:
        return {
            "member_of": ("miembro de",),
            "part_of": ("parte de", "adscrito a"),
            "represents": ("representa",),
            "funds": ("financia",),
            "based_in": ("con sede en", "ubicado en"),
            "liaison_for": ("enlace de", "enlace autorizado"),
            "partner_of": ("aliado de", "socio de"),
        }


SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$"
SLUG_HINT = (
    "is not a valid id: use lower-case letters, digits, '-', '_' or '.', "
    "starting and ending with a letter or digit (e.g. 'apc-colombia')"
)


def _country_code(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue(N_("a country is a code or a name, not {found}"), found=kind_of_value(value))
    return countries.resolve(value)


def _clean_list(values: list[str]) -> list[str]:
    if not values:  # most records have no tags: a million of them skip the set-up below
        return values
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _unique(values: list[Any]) -> list[Any]:
    return values if len(set(values)) == len(values) else list(dict.fromkeys(values))


# A pattern constraint runs in pydantic-core (Rust); errors are reworded by the importer.
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
CountryCode = Annotated[str, BeforeValidator(_country_code)]
# Control characters are refused at the model boundary (text.LINE_PATTERN): ESC, BEL, NUL and the like
# would reach terminals raw (colours, window titles, screen clears) and make SVG invalid XML. Long
# texts (summaries, notes, descriptions) may hold tabs and line breaks.
Line = Annotated[str, Field(pattern=LINE_PATTERN)]
Text = Annotated[str, Field(pattern=TEXT_PATTERN)]
NonEmpty = Annotated[str, Field(min_length=1, pattern=LINE_PATTERN)]
NonEmptyText = Annotated[str, Field(min_length=1, pattern=TEXT_PATTERN)]
# A reference to an entity as the data wrote it (an id, a name, an alias): text until the importer
# resolves it to an id (see ofai_graph.importer), which happens before the record is validated.
Ref = NonEmpty
TextList = Annotated[list[Line], AfterValidator(_clean_list)]


class _Model(BaseModel):
    # Schemas are built on first use: a command that never validates a follow-up never pays for it.
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_assignment=True, defer_build=True
    )


class SourceRef(_Model):
    """Where a fact comes from, so a reader can check it.

    ``action`` names the report action an interaction belongs to (the heading after "Acción:");
    interactions sharing a document and an action are one action of that report. ``order`` is the
    action's place in the document: a stored number, so the order survives any backend and export.
    """

    document: NonEmpty
    section: Line | None = None
    action: Line | None = None
    order: int | None = Field(default=None, ge=0)


class _EntityBase(_Model):
    id: Slug
    name: NonEmpty
    aliases: TextList = Field(default_factory=list)
    countries: Annotated[list[CountryCode], AfterValidator(_unique)] = Field(default_factory=list)
    tags: TextList = Field(default_factory=list)
    note: Text | None = None


class Organization(_EntityBase):
    """An institution, a network, a city, an event or an initiative the office deals with."""

    type: Literal["organization"] = "organization"
    kind: OrgKind


class Affiliation(_Model):
    organization: Ref
    title: Line | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None


class Person(_EntityBase):
    type: Literal["person"] = "person"
    affiliations: list[Affiliation] = Field(default_factory=list)

    @property
    def kind(self) -> str:
        return "person"


class Country(_Model):
    """A country node; names default to CLDR's Spanish and English ones."""

    type: Literal["country"] = "country"
    id: CountryCode
    name: Line = ""
    name_en: Line = ""
    aliases: TextList = Field(default_factory=list)
    tags: TextList = Field(default_factory=list)
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_names(cls, data: Any) -> Any:
        if isinstance(data, dict) and not (data.get("name") and data.get("name_en")):
            code = countries.lookup(data["id"]) if isinstance(data.get("id"), str) else None
            if code is not None:  # else the id's own validation says what is wrong
                data = {
                    **data,
                    "name": data.get("name") or countries.name_es(code),
                    "name_en": data.get("name_en") or countries.name_en(code),
                }
        return data

    @property
    def countries(self) -> list[str]:
        return [self.id]

    @property
    def kind(self) -> str:
        return "country"

    def all_names(self) -> list[str]:
        return list(dict.fromkeys([self.name, self.name_en, *countries.aliases(self.id), *self.aliases]))


Entity = Annotated[Organization | Person | Country, Field(discriminator="type")]


class Participant(NamedTuple):
    """One party to an interaction and its role.

    A named tuple rather than a model: a million interactions carry three million of these, and
    validating a tuple costs a sixth of validating a model. It serializes as ``[entity, role]``;
    exports write it as a mapping for people (see :func:`ofai_graph.files.to_plain`).
    """

    entity: Ref
    role: Role = Role.participant


_ENTITY_OF = operator.itemgetter(0)


def _unique_participants(parts: list[Participant]) -> list[Participant]:
    if len(set(map(_ENTITY_OF, parts))) == len(parts):  # the usual case, without hashing enums; C calls only
        return parts
    return list({(p.entity, p.role._value_): p for p in parts}.values())


class Interaction(_Model):
    """Something that happened between the office and its partners, with who did what.

    The same entity listed twice with the same role is one participant.
    """

    id: Slug
    date: PartialDate
    kind: InteractionKind
    axis: Axis | None = None
    title: NonEmpty
    summary: Text = ""
    participants: Annotated[list[Participant], AfterValidator(_unique_participants)] = Field(min_length=1)
    status: Status = Status.done
    source: SourceRef | None = None
    tags: TextList = Field(default_factory=list)

    @property
    def entity_ids(self) -> list[str]:
        return list(dict.fromkeys(p.entity for p in self.participants))


class FollowUp(_Model):
    """Something the office expects: an answer, a deadline, a next step."""

    id: Slug
    description: NonEmptyText
    interaction: Line | None = None
    expected_from: Ref | None = None
    owner: Ref | None = None
    due: PartialDate | None = None
    status: FollowUpStatus = FollowUpStatus.open
    closed_on: dt.date | None = None
    note: Text | None = None

    def is_overdue(self, as_of: dt.date) -> bool:
        """Open and past the end of its due period (a due month is due on its last day)."""
        return self.status is FollowUpStatus.open and self.due is not None and self.due.end < as_of


def tie_id(source: str, kind: str, target: str) -> str:
    """The id of a tie given none: its ends and kind. The one place this rule is written.

    >>> tie_id("bucaramanga", "member_of", "cideu")
    'bucaramanga--member_of--cideu'
    """
    return f"{source}--{kind}--{target}"


class Tie(_Model):
    """An explicit, dated relationship from ``source`` to ``target``.

    Without an ``id``, its id is :func:`tie_id` of its ends and kind, as they are given: the
    importer resolves names to ids before it validates a tie.
    """

    id: str = ""
    source: Ref
    target: Ref
    kind: TieKind
    since: PartialDate | None = None
    until: PartialDate | None = None
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id"):
            try:
                kind = TieKind(data["kind"]).value
                source, target = data["source"].strip(), data["target"].strip()
            except (KeyError, ValueError, AttributeError, TypeError):
                return data  # the fields' own validation says what is wrong
            data = {**data, "id": tie_id(source, kind, target)}
        return data

    @field_validator("target")
    @classmethod
    def _two_ends(cls, target: str, info: ValidationInfo) -> str:
        if target == info.data.get("source"):
            raise InvalidValue(N_("a tie must link two different entities"))
        return target

    @model_validator(mode="after")
    def _in_order(self) -> Tie:
        if self.since and self.until and self.until < self.since:
            raise InvalidValue(N_("until ({until}) is before since ({since})"), until=self.until, since=self.since)
        return self

    def active_on(self, day: dt.date) -> bool:
        return (self.since is None or self.since.start <= day) and (
            self.until is None or day <= self.until.end
        )


class Dataset(_Model):
    """A complete or partial body of data: what a file holds and what an export writes."""

    countries: list[Country] = Field(default_factory=list)
    organizations: list[Organization] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    interactions: list[Interaction] = Field(default_factory=list)
    followups: list[FollowUp] = Field(default_factory=list)
    ties: list[Tie] = Field(default_factory=list)

    @classmethod
    def of(cls, records: Iterable[Record]) -> Dataset:
        """The records, each in its section.

        >>> Dataset.of([Organization(id="oim", name="OIM", kind="multilateral")]).counts()["organizations"]
        1
        """
        data = cls()
        for r in records:
            data.add(r)
        return data

    def add(self, record: Record) -> None:
        try:
            section = SECTION_OF[type(record)]
        except KeyError:
            raise TypeError(f"not a record of a dataset: {type(record).__name__}") from None
        getattr(self, section).append(record)

    def entities(self) -> list[Organization | Person | Country]:
        return [*self.countries, *self.organizations, *self.people]

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in SECTIONS}


EntityModel = Organization | Person | Country
Record = Organization | Person | Country | Interaction | FollowUp | Tie

# Record types and the sections of a dataset (and of an import file) that hold them, in dependency
# order: the one place that dispatches on a record's type.
MODELS: dict[str, type[Record]] = {
    "countries": Country,
    "organizations": Organization,
    "people": Person,
    "interactions": Interaction,
    "followups": FollowUp,
    "ties": Tie,
}
SECTIONS = tuple(MODELS)
SECTION_OF: dict[type, str] = {model: section for section, model in MODELS.items()}
