"""What a referral search looks for: an entity, every entity of a country, or every entity with a tag.

``connect Korea`` means "anyone based in, tied to or funded from Korea"; ``connect OIM`` means OIM;
``connect migración`` means every entity tagged so. :func:`resolve_target` decides which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .resolve import Resolver
from .results import Result
from .store.base import Store

if TYPE_CHECKING:
    from .model import Tie


class Target(Result):
    query: str
    """The text asked for."""
    kind: str  # "entity", "country" or "tag"
    """entity, country or tag."""
    label: str
    """Its name."""
    ids: list[str]
    """The entities that count as reaching it."""


def country_members(store: Store, code: str) -> list[str]:
    """Entities based in, tied to, or funded by an entity of the country ``code``."""
    base = {s.id for s in store.entity_summaries(country=code) if code in s.countries and s.id != code}
    for t in store.ties(code):
        if t.kind.value in ("represents", "based_in", "member_of", "part_of"):
            base.add(t.source if t.target == code else t.target)
    # One pass over the ties in id order, the members growing as it goes; only the ties touching a
    # member (or the country) can change anything, so those are read, around the members found, until
    # no pass finds a new one: the same pass as over every tie of the store.
    ties: dict[str, Tie] = {}
    around = base | {code}
    new = set(around)
    while True:
        # (the ties around the members found before were read with them: only the new ones' now)
        ties.update((t.id, t) for t in store.ties_around(new) if t.id not in ties)
        members = set(base)
        for t in sorted(ties.values(), key=lambda t: t.id):
            if t.kind.value == "funds" and (t.source in members or t.source == code):
                members.add(t.target)
            if t.kind.value == "represents" and t.target in members:
                members.add(t.source)
        new = members - around
        if not new:
            break
        around |= new
    members.discard(code)
    return sorted(members)


def target_for(store: Store, entity_id: str, query: str | None = None) -> Target:
    ent = store.get_entities([entity_id])[entity_id]
    if ent.type == "country":
        return Target(
            query=query or entity_id, kind="country", label=ent.name, ids=country_members(store, entity_id)
        )
    return Target(query=query or entity_id, kind="entity", label=ent.name, ids=[entity_id])


def tag_target(store: Store, tag: str, lang: str = "en") -> Target | None:
    """Every entity carrying ``tag`` (accent- and case-insensitive), or None when none does.

    Tags are free text inside each record, so this reads every entity: it is the fallback when the
    text names no entity or country.
    """
    from .text import fold_key

    key = fold_key(tag)
    ids = [s.id for s in store.entity_summaries()]
    found = sorted(e.id for e in store.get_entities(ids).values() if any(fold_key(t) == key for t in e.tags))
    if not found:
        return None
    from .i18n import gettext_for

    _ = gettext_for(lang)
    return Target(query=tag, kind="tag", label=_("tag '{tag}'").format(tag=tag), ids=found)


def resolve_target(store: Store, text: str, resolver: Resolver | None = None, lang: str = "en") -> Target:
    """The target ``text`` names: an exact name wins, then an exact tag, then a near-miss of a name.

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> from ofai_graph.importer import import_data
    >>> store = SQLiteStore(":memory:")
    >>> _ = import_data(store, {"organizations": [
    ...     {"id": "kotra", "name": "KOTRA", "kind": "investment_agency", "countries": ["KR"]},
    ...     {"id": "oim", "name": "OIM", "kind": "multilateral", "tags": ["migración"]}]})
    >>> [(t.kind, t.ids) for t in (resolve_target(store, "Corea"), resolve_target(store, "migracion"))]
    [('country', ['kotra']), ('tag', ['oim'])]
    """
    resolver = resolver or Resolver(store)
    exact = resolver.exact(text)
    found = tag_target(store, text, lang) if len(exact) != 1 else None
    return found or target_for(store, resolver.resolve(text), text)


__all__ = ["Target", "country_members", "resolve_target", "tag_target", "target_for"]
