"""Who we know where: the office's partners in a country, of a kind or with a tag, and the last contact.

>>> import ofai_graph
>>> ws = ofai_graph.open(":memory:")
>>> _ = ws.import_data({"organizations": [
...     {"id": "ofai", "name": "OFAI", "kind": "home_office"},
...     {"id": "jica", "name": "JICA", "kind": "bilateral_agency", "countries": ["JP"]}],
...   "interactions": [{"id": "v", "date": "2024-03-01", "kind": "visit", "title": "Visita",
...     "participants": [{"entity": "ofai", "role": "host"}, {"entity": "jica", "role": "offerer"}]}]})
>>> [p.id for p in ws.partners("Japón", as_of="2024-03-31")]
['jica']
>>> ws.last_contact("jica", as_of="2024-Q1").date
'2024-03-01'
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

from .errors import N_, NotFound, OfaiError
from .results import WRITTEN_DATE, Result, Shown, Strength

if TYPE_CHECKING:
    from .workspace import Workspace


class Partner(Result):
    """An entity the office knows, with the strength of the relationship."""

    id: str
    """The entity's id."""
    name: str
    """Its name."""
    kind: Annotated[str, Shown("EntityKind")]
    """Its kind (code; labels.label gives the words)."""
    countries: Annotated[list[str], Shown("Country")]
    """Its countries (ISO codes)."""
    score: Strength
    """Strength of its relationship with the office, in [0, 1]."""
    tier: Annotated[str, Shown("Tier")]
    """strong, medium, weak or cold (code)."""
    interactions: int
    """Interactions shared with the office."""
    last: dt.date | None
    """End of the latest shared interaction's date."""
    last_label: Annotated[str | None, WRITTEN_DATE] = None
    """That date as the data wrote it (2024-Q1, 2024-02-12)."""


class LastContact(Result):
    """The latest interaction between the office and an entity (or any entity of a country)."""

    subject: str
    """What was asked about (entity id or country code)."""
    subject_name: str
    """Its name."""
    with_id: str | None
    """The entity the office met (for a country: which of its entities)."""
    with_name: str | None
    """That entity's name."""
    interaction: str | None
    """The interaction's id; None when the office never met it."""
    date: Annotated[str | None, WRITTEN_DATE]
    """Its date as the data wrote it (2024-Q1, 2024-02-12)."""
    title: str | None
    """What happened."""
    kind: Annotated[str | None, Shown("InteractionKind")]
    """Interaction kind (code)."""
    days_ago: int | None
    """Days from the end of its date to the as-of date."""


def scope(ws: Workspace, where: str) -> tuple[str, str, list[str]]:
    """(type, label, entity ids) for a country, an organization kind or a tag named by ``where``."""
    from .ask import kind_index
    from .paths import country_members, tag_target
    from .text import fold_key

    kind = kind_index().get(" ".join(fold_key(where).split()))
    summaries = list(ws.store.entity_summaries())
    if kind is None:
        from .model import OrgKind

        try:
            kind = (OrgKind(where).value, where)
        except ValueError:
            kind = None
    if kind is not None:
        return "kind", kind[1], sorted(s.id for s in summaries if s.kind == kind[0])
    exact = ws.resolver.exact(where)
    countries = [e for e in exact if any(s.id == e and s.type == "country" for s in summaries)]
    if countries:
        code = countries[0]
        return "country", code, country_members(ws.store, code)
    target = tag_target(ws.store, where)
    if target is not None:
        return "tag", where, target.ids
    eid = ws.resolve(where)
    ent = ws.store.get_entities([eid])[eid]
    if ent.type == "country":
        return "country", eid, country_members(ws.store, eid)
    raise OfaiError(N_("{where!r} is an entity, not a country, a kind of organization or a tag"), where=where)


def partners(ws: Workspace, where: str, *, as_of: dt.date) -> list[Partner]:
    """The entities of a country, kind or tag, with their strength to the office, strongest first."""
    from .strength import last_label

    _, _, ids = scope(ws, where)
    home = ws.home
    from .scope import edges_at

    g = ws._graph(edges_at(ws.store, [home]), as_of)
    cfg = g.graph["config"]
    entities = ws.store.get_entities(ids)
    out = []
    for eid in ids:
        if eid == home or eid not in entities:
            continue
        e = entities[eid]
        edge = g.get_edge_data(home, eid) or {}
        score = edge.get("score", 0.0)
        out.append(
            Partner(
                id=eid,
                name=e.name,
                kind=str(e.kind),
                countries=list(e.countries),
                score=score,
                tier=cfg.tier(score),
                interactions=edge.get("interactions", 0),
                last=edge.get("last"),
                last_label=last_label(edge) if edge else None,
            )
        )
    out.sort(key=lambda p: (-p.score, p.name))
    return out


def last_contact(ws: Workspace, text: str, *, as_of: dt.date) -> LastContact:
    """The latest interaction (started by ``as_of``) the office shared with the entity ``text`` names.

    For a country, with any of its entities.
    """
    from .paths import country_members

    eid = ws.resolve(text)
    ent = ws.store.get_entities([eid]).get(eid)
    if ent is None:
        raise NotFound(text)
    home = ws.home
    others = country_members(ws.store, eid) if ent.type == "country" else [eid]
    best = None
    for other in others:
        if other == home:
            continue
        for i in ws.store.shared_interactions(home, other, until=as_of):
            if best is None or (i.date.end, i.date.start) > (best[0].date.end, best[0].date.start):
                best = (i, other)
    if best is None:
        return LastContact(subject=eid, subject_name=ent.name, with_id=None, with_name=None, interaction=None,
                           date=None, title=None, kind=None, days_ago=None)
    i, other = best
    names = ws.store.get_entities([other])
    return LastContact(
        subject=eid,
        subject_name=ent.name,
        with_id=other,
        with_name=names[other].name if other in names else other,
        interaction=i.id,
        date=str(i.date),
        title=i.title,
        kind=i.kind.value,
        days_ago=max(0, (as_of - i.date.end).days),
    )
