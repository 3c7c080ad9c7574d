"""What ``show ENTITY`` tells about one entity: who it is, its ties, its timeline, what is pending."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from .model import Affiliation, Country, EntityModel, FollowUp, FollowUpStatus, Organization, Person
from .results import WRITTEN_DATE, Result, Shown
from .store.base import Store
from .strength import PairStrength, StrengthConfig

TIMELINE = 20
"""How many of an entity's newest interactions ``show`` lists unless asked for more."""


class TieView(Result):
    id: str
    """The tie's id."""
    kind: Annotated[str, Shown("TieKind")]
    """Tie kind (code)."""
    direction: str  # "out": this entity is the source; "in": the target
    """out: this entity is the source; in: the target."""
    other: str
    """The other entity's id."""
    other_name: str
    """The other entity's name."""
    since: Annotated[str | None, WRITTEN_DATE] = None
    """Start, as written."""
    until: Annotated[str | None, WRITTEN_DATE] = None
    """End, as written."""
    active: bool
    """Whether the tie holds on the as-of date."""
    note: str | None = None
    """Free text."""


class TimelineItem(Result):
    id: str
    """The interaction's id."""
    date: Annotated[str, WRITTEN_DATE]
    """Its date as written (2024-Q1)."""
    kind: Annotated[str, Shown("InteractionKind")]
    """Interaction kind (code)."""
    axis: Annotated[str | None, Shown("Axis")]
    """Strategic axis (code)."""
    status: Annotated[str, Shown("Status")]
    """Outcome (code)."""
    title: str
    """What happened."""
    roles: Annotated[list[str], Shown("Role")]
    """This entity's roles in it (codes)."""
    others: list[str]
    """Names of the other participants."""


class Profile(Result):
    id: str
    """The entity's id."""
    name: str
    """Its name."""
    type: Annotated[str, Shown("EntityType")]
    """organization, person or country."""
    kind: Annotated[str, Shown("EntityKind")]
    """Organization kind (code), person or country."""
    aliases: list[str]
    """Other names."""
    countries: Annotated[list[str], Shown("Country")]
    """ISO codes."""
    tags: list[str]
    """Free tags."""
    note: str | None
    """Free text."""
    affiliations: list[Affiliation] = Field(default_factory=list)
    """Where a person works."""
    affiliation_names: dict[str, str] = Field(default_factory=dict)
    """The names of the organizations of its affiliations, by id."""
    ties: list[TieView]
    """Explicit ties."""
    timeline: list[TimelineItem]
    """Its interactions, newest first (the newest ``timeline`` asked for)."""
    timeline_total: int = 0
    """How many interactions it took part in (the timeline may show only the newest)."""
    open_followups: list[FollowUp]
    """Follow-ups still open."""
    overdue_followups: list[str] = Field(default_factory=list)
    """Ids of the open follow-ups past due."""
    members: list[dict[str, str]] = Field(default_factory=list)
    """A country's entities or an organization's people."""
    relationships: list[PairStrength] = Field(default_factory=list)
    """For a country: the office's relationships with the entities of that country, strongest first."""
    extra: dict[str, object] = Field(default_factory=dict)
    """Strength to the home office, tier, partners and degree centrality."""


def profile(store: Store, entity_id: str, *, as_of: dt.date | None = None, timeline: int | None = None) -> Profile:
    """The profile of the entity with id ``entity_id`` (resolve names first with a Resolver).

    ``timeline``: how many of its newest interactions to list (None: all); only those are read.

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> from ofai_graph.importer import import_data
    >>> store = SQLiteStore(":memory:")
    >>> _ = import_data(store, {"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]})
    >>> profile(store, "ofai").name
    'OFAI'
    """
    as_of = as_of or dt.date.today()
    entity: EntityModel = store.get_entities([entity_id])[entity_id]
    ties = store.ties(entity_id)
    items = store.interactions_of(entity_id, limit=timeline)
    total = len(items) if timeline is None or len(items) < timeline else store.interaction_count(entity_id)
    others = {t.target if t.source == entity_id else t.source for t in ties}
    others |= {p.entity for i in items for p in i.participants}
    if isinstance(entity, Person):
        others |= {a.organization for a in entity.affiliations}
    names = {k: v.name for k, v in store.get_entities(others).items()}
    followups = store.followups(FollowUpStatus.open, involving=entity_id)
    return Profile(
        id=entity.id,
        name=entity.name,
        type=entity.type,
        kind=str(entity.kind),
        aliases=list(entity.aliases),
        countries=list(entity.countries),
        tags=list(entity.tags),
        note=entity.note,
        affiliations=list(entity.affiliations) if isinstance(entity, Person) else [],
        affiliation_names={a.organization: names.get(a.organization, a.organization) for a in entity.affiliations}
        if isinstance(entity, Person)
        else {},
        ties=[
            TieView(
                id=t.id,
                kind=t.kind.value,
                direction="out" if t.source == entity_id else "in",
                other=(other := t.target if t.source == entity_id else t.source),
                other_name=names.get(other, other),
                since=str(t.since) if t.since else None,
                until=str(t.until) if t.until else None,
                active=t.active_on(as_of),
                note=t.note,
            )
            for t in ties
        ],
        timeline=[
            TimelineItem(
                id=i.id,
                date=str(i.date),
                kind=i.kind.value,
                axis=i.axis.value if i.axis else None,
                status=i.status.value,
                title=i.title,
                roles=[p.role.value for p in i.participants if p.entity == entity_id],
                others=[names.get(e, e) for e in i.entity_ids if e != entity_id],
            )
            for i in items
        ],
        timeline_total=total,
        open_followups=followups,
        overdue_followups=[f.id for f in followups if f.is_overdue(as_of)],
        members=_members(store, entity),
    )


def _members(store: Store, entity: EntityModel) -> list[dict[str, str]]:
    """For a country, the entities linked to it; for an organization, the people affiliated to it."""
    if isinstance(entity, Country):
        return [
            {"id": s.id, "name": s.name, "kind": s.kind}
            for s in store.entity_summaries(country=entity.id)
            if entity.id in s.countries and s.id != entity.id
        ]
    if isinstance(entity, Organization):
        # The people affiliated to it (an indexed read), in id order as a pass over every person was.
        people = sorted(store.affiliated_people([entity.id]) - {entity.id})
        found = store.get_entities(people)
        return [
            {
                "id": p.id,
                "name": p.name,
                "kind": next(a.title or "" for a in p.affiliations if a.organization == entity.id),
            }
            for p in found.values()
            if isinstance(p, Person) and any(a.organization == entity.id for a in p.affiliations)
        ]
    return []




def partner_count(store: Store, config: StrengthConfig, as_of: dt.date, entity_id: str) -> int:
    """The entity's degree in the relationship graph as of ``as_of`` (its partners with a positive
    score), counted from the materialized pairs (:mod:`ofai_graph.materialize`) in one read of its
    pairs and its ties: no edge is built. The store must keep pairs built with ``config``."""
    import math

    from .materialize import Recent, evaluate, ops
    from .strength import _bond_evidence, _bonds_in_scope

    t = as_of.toordinal()
    rows = ops(store).pairs([entity_id])
    recent = Recent(store, config, as_of).of([(r[0], r[1]) for r in rows if r[2] > t])
    a, b, points, n, _, bits = evaluate(rows, recent, as_of, config.half_life_days)
    ties = _bond_evidence(_bonds_in_scope(store, (), {entity_id}), config, as_of).points
    total: dict[tuple[str, str], float] = {
        key: p for key, p in ties.items() if entity_id in key
    }
    for x, y, p, count, who in zip(a, b, points.tolist(), n.tolist(), bits.tolist(), strict=True):
        if count:
            total[(x, y)] = total.get((x, y), 0.0) + p * (1.0 if who == 3 else config.one_sided)
    # As the relationship graph: an edge where the score is positive.
    return sum(1 for p in total.values() if p > 0 and -math.expm1(-p / config.scale) > 0)


__all__ = ["TIMELINE", "Profile", "TieView", "TimelineItem", "partner_count", "profile"]
