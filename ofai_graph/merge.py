"""Merging two entities that are one: everything of DROP moves to KEEP, in one transaction.

:func:`plan_merge` works out the rewritten records without writing anything (``--dry-run``):
interactions and follow-ups that named DROP name KEEP; DROP's ties become KEEP's (a tie that would
link KEEP to itself, or that KEEP already has, is removed); people affiliated with DROP are
affiliated with KEEP; KEEP gains DROP's names, id and aliases as aliases (so old references still
resolve), its countries, tags and affiliations; KEEP's note records the merge, so it can be
audited from ``show`` and any export. :func:`merge` hands the plan to the store's
``merge_entities``, which writes it and deletes DROP atomically on either backend.

>>> from ofai_graph.store.sqlite import SQLiteStore
>>> from ofai_graph.importer import import_data
>>> store = SQLiteStore(":memory:")
>>> _ = import_data(store, {"organizations": [
...     {"id": "oim", "name": "OIM", "kind": "multilateral"},
...     {"id": "iom", "name": "IOM", "kind": "multilateral"}],
...   "interactions": [{"id": "m", "date": "2024-Q1", "kind": "meeting", "title": "Reunión",
...     "participants": [{"entity": "iom"}]}]})
>>> plan = merge(store, "oim", "iom", on=dt.date(2024, 4, 1))
>>> plan.interactions, store.get_entities(["oim"])["oim"].aliases, sorted(store.get_entities(["iom"]))
(['m'], ['IOM', 'iom'], [])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .errors import N_, Label, OfaiError
from .i18n import format_date, gettext_for
from .model import Dataset, Organization, Person, Tie, tie_id
from .store.base import Store, WriteReport


@dataclass
class MergePlan:
    """What a merge moves (ids), and the rewritten records it writes."""

    keep: str
    keep_name: str
    drop: str
    drop_name: str
    interactions: list[str] = field(default_factory=list)
    participations: int = 0
    followups: list[str] = field(default_factory=list)
    ties: list[str] = field(default_factory=list)
    ties_removed: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)  # people whose affiliation moves
    aliases_added: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    note: str = ""
    delete_ties: list[str] = field(default_factory=list)  # tie ids the store deletes
    written: WriteReport | None = None
    data: Dataset = field(default_factory=Dataset, repr=False)

    def summary(self) -> dict[str, object]:
        """The plan without the records, for ``--json`` and reports."""
        return {k: v for k, v in self.__dict__.items() if k not in ("data", "written", "delete_ties")}


def plan_merge(
    store: Store, keep: str, drop: str, *, on: dt.date | None = None, lang: str = "es"
) -> MergePlan:
    """The merge of ``drop`` into ``keep`` (both ids), worked out but not written."""
    if keep == drop:
        raise OfaiError(N_("cannot merge {id!r} with itself"), id=keep)
    found = store.get_entities([keep, drop])
    for eid in (keep, drop):
        if eid not in found:
            raise OfaiError(N_("no entity with id {id!r}"), id=eid)
    k, d = found[keep], found[drop]
    if k.type == "country" or d.type == "country":
        raise OfaiError(N_("countries are not merged: their ids are ISO codes; fix the country names instead"))
    if k.type != d.type:
        raise OfaiError(
            N_("cannot merge {drop} ({drop_type}) into {keep} ({keep_type})"),
            drop=drop,
            drop_type=Label("EntityType", d.type),
            keep=keep,
            keep_type=Label("EntityType", k.type),
        )
    plan = MergePlan(keep, k.name, drop, d.name)
    _ = gettext_for(lang)
    if isinstance(k, Organization) and isinstance(d, Organization) and k.kind != d.kind:
        from .labels import label

        kk, dk = label("OrgKind", k.kind, lang), label("OrgKind", d.kind, lang)
        plan.warnings.append(
            _("kinds differ: {keep} stays '{kk}' ({drop} was '{dk}')").format(
                keep=keep, kk=kk, drop=drop, dk=dk
            )
        )
    data = Dataset()
    # Interactions: DROP's participations become KEEP's; a repeated (entity, role) collapses.
    for i in store.interactions_of(drop):
        parts = []
        for p in i.participants:
            if p.entity == drop:
                plan.participations += 1
                p = p._replace(entity=keep)
            parts.append(p)
        i.__dict__["participants"] = list(dict.fromkeys(parts))
        data.interactions.append(i)
        plan.interactions.append(i.id)
    plan.interactions.sort()
    for f in store.followups(None, involving=drop):
        changed = False
        for attr in ("owner", "expected_from"):
            if getattr(f, attr) == drop:
                f.__dict__[attr] = keep
                changed = True
        if changed:
            data.followups.append(f)
            plan.followups.append(f.id)
    existing = {t.id for t in store.ties(keep)}
    delete: list[str] = []
    for t in store.ties(drop):
        source = keep if t.source == drop else t.source
        target = keep if t.target == drop else t.target
        delete.append(t.id)
        if source == target:
            plan.ties_removed.append(t.id)
            continue
        derived = t.id == tie_id(t.source, t.kind.value, t.target)
        new_id = tie_id(source, t.kind.value, target) if derived else t.id
        if new_id in existing:
            plan.ties_removed.append(t.id)
            continue
        moved = Tie(
            id=new_id, source=source, target=target, kind=t.kind, since=t.since, until=t.until, note=t.note
        )
        data.ties.append(moved)
        existing.add(new_id)
        plan.ties.append(t.id)
        if new_id == t.id:
            delete.remove(t.id)  # same id, new ends: rewritten in place
    # People affiliated with DROP (an organization) are affiliated with KEEP.
    if isinstance(d, Organization):
        for pid in sorted(store.affiliated_people([drop]) - {drop}):
            person = store.get_entities([pid])[pid]
            if not isinstance(person, Person):
                continue
            affs = []
            for a in person.affiliations:
                if a.organization == drop:
                    a = a.model_copy(update={"organization": keep})
                if a not in affs:
                    affs.append(a)
            person = person.model_copy(update={"affiliations": affs})
            data.people.append(person)
            plan.affiliations.append(pid)
    # KEEP itself: DROP's names become aliases, its countries, tags and affiliations join KEEP's.
    names = [d.name, *d.aliases, d.id]
    known = {n.casefold() for n in [k.name, *k.aliases]}
    added = [n for n in dict.fromkeys(names) if n.casefold() not in known]
    plan.aliases_added = added
    update: dict[str, object] = {
        "aliases": [*k.aliases, *added],
        "countries": list(dict.fromkeys([*k.countries, *d.countries])),
        "tags": list(dict.fromkeys([*k.tags, *d.tags])),
    }
    if isinstance(k, Person) and isinstance(d, Person):
        affs = list(k.affiliations)
        for a in d.affiliations:
            if a not in affs:
                affs.append(a)
        update["affiliations"] = affs
    day = on or dt.date.today()
    # A note people read in the profile: the day as they write it.
    plan.note = _("Merged on {day} with '{name}' ({id}): {n} interactions, {t} ties and {f} follow-ups moved.").format(
        day=format_date(day, lang),
        name=d.name,
        id=d.id,
        n=len(plan.interactions),
        t=len(plan.ties),
        f=len(plan.followups),
    )
    notes = [x for x in (k.note, plan.note, f"[{d.id}] {d.note}" if d.note else None) if x]
    update["note"] = "\n".join(notes)
    merged = type(k).model_validate({**k.model_dump(), **update})
    if isinstance(merged, Organization):
        data.organizations.insert(0, merged)
    else:
        data.people.insert(0, merged)
    plan.data = data
    plan.ties_removed.sort()
    plan.delete_ties = delete
    return plan


def merge(
    store: Store, keep: str, drop: str, *, dry_run: bool = False, on: dt.date | None = None, lang: str = "es"
) -> MergePlan:
    """Merge ``drop`` into ``keep`` in one transaction (``dry_run``: only say what would move)."""
    plan = plan_merge(store, keep, drop, on=on, lang=lang)
    if not dry_run:
        plan.written = store.merge_entities(drop, plan.data, plan.delete_ties)
    return plan


__all__ = ["MergePlan", "merge", "plan_merge"]
