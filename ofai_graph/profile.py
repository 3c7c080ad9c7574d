"""What ``show ENTITY`` tells about one entity: who it is, its ties, its timeline, what is pending."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from .model import Affiliation, Country, EntityModel, FollowUp, FollowUpStatus, Organization, Person
from .store.base import Store


class TieView(BaseModel):
    id: str
    kind: str
    direction: str  # "out": this entity is the source; "in": the target
    other: str
    other_name: str
    since: str | None = None
    until: str | None = None
    active: bool
    note: str | None = None


class TimelineItem(BaseModel):
    id: str
    date: str
    kind: str
    axis: str | None
    status: str
    title: str
    roles: list[str]
    others: list[str]


class Profile(BaseModel):
    id: str
    name: str
    type: str
    kind: str
    aliases: list[str]
    countries: list[str]
    tags: list[str]
    note: str | None
    affiliations: list[Affiliation] = []
    ties: list[TieView]
    timeline: list[TimelineItem]
    open_followups: list[FollowUp]
    overdue_followups: list[str] = []
    members: list[dict[str, str]] = []
    extra: dict[str, object] = {}


def profile(store: Store, entity_id: str, *, as_of: dt.date | None = None) -> Profile:
    """The profile of the entity with id ``entity_id`` (resolve names first with a Resolver).

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
    timeline = store.interactions_of(entity_id)
    others = {t.target if t.source == entity_id else t.source for t in ties}
    others |= {p.entity for i in timeline for p in i.participants}
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
            for i in timeline
        ],
        open_followups=followups,
        overdue_followups=[f.id for f in followups if f.is_overdue(as_of)],
        members=_members(store, entity),
    )


def _members(store: Store, entity: EntityModel) -> list[dict[str, str]]:
    """For a country, the entities linked to it; for an organization, the people affiliated to it."""
    if isinstance(entity, Country):
        return [
            {"id": s.id, "name": s.name, "kind": s.kind}
            for s in store.entity_summaries()
            if entity.id in s.countries and s.id != entity.id
        ]
    if isinstance(entity, Organization):
        people = [s.id for s in store.entity_summaries() if s.type == "person"]
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


__all__ = ["Profile", "TieView", "TimelineItem", "profile"]
