"""``ofai-graph show | search | stats``: look at one entity, find entities, count everything."""

from __future__ import annotations

from typing import Any

import click

from ofai_graph.profile import TIMELINE

from .common import App, Integer, command, pass_app
from .lang import _N, _, country, date, kind_label, label, num, strength, yes_no
from .output import say, table, text


@command(
    epilog="""\b
Examples:
  ofai-graph show imct
  ofai-graph show "Camara de Comercio Colombo Americana"
  ofai-graph show Corea --json
  ofai-graph show imct --timeline 0     every interaction, not only the newest 20"""
)
@click.argument("entity", metavar=_N("ENTITY"))
@click.option(
    "--timeline",
    "timeline",
    type=Integer(0),
    default=TIMELINE,
    show_default=True,
    help="How many of the newest interactions to list (0: all).",
)
@pass_app
def show(app: App, entity: str, timeline: int) -> None:
    """Profile of ENTITY (id, name, alias or near-miss): ties, timeline, open follow-ups.

    For a country: the office's relationships with the entities of that country.
    """
    app.emit(app.workspace().show(entity, as_of=app.as_of, timeline=timeline or None), render_profile)


EXTRA = {
    "strength to home office": _N("strength to the office"),
    "tier": _N("tier"),
    "partners": _N("partners"),
    "degree centrality": _N("degree centrality"),
}


def render_profile(p: Any) -> None:
    text(f"{p.name}  [{p.id}]", style="bold")
    kind = kind_label(p.type) if p.kind == p.type else f"{kind_label(p.type)} · {kind_label(p.kind)}"
    text(kind + (f" · {', '.join(country(c) for c in p.countries)}" if p.countries else ""))
    if p.aliases:
        text(_("also: {names}").format(names=", ".join(p.aliases)))
    for key, value in p.extra.items():
        if key == "tier":
            shown = label("Tier", value)
        elif key == "strength to home office":
            shown = strength(value)
        elif isinstance(value, float):
            shown = num(value, 2)  # beside the strength's two decimals
        else:
            shown = str(value)
        text(f"{_(EXTRA.get(key, key))}: {shown}")
    if p.note:
        text(p.note, style="italic")
    for a in p.affiliations:
        org = p.affiliation_names.get(a.organization, a.organization)
        line = _("works at {org}").format(org=org) + (f" ({a.title})" if a.title else "")
        if a.since:
            line += " " + _("since {day}").format(day=date(a.since))
        text(line)
    if p.relationships:
        table(
            _("The office's relationships in {country}").format(country=p.name),
            [_("partner"), _("score"), _("tier"), _("interactions"), _("last")],
            [
                (r.b_name or r.b, strength(r.score), label("Tier", r.tier), r.interactions, date(r.last_label))
                for r in p.relationships
            ],
        )
    if p.ties:
        table(
            _("Ties"),
            [_("kind"), "", _("with"), _("since"), _("until"), _("active")],
            [
                (
                    label("TieKind", t.kind),
                    "→" if t.direction == "out" else "←",
                    f"{t.other_name} ({t.other})",
                    date(t.since) if t.since else "",
                    date(t.until) if t.until else "",
                    yes_no(t.active),
                )
                for t in p.ties
            ],
        )
    if p.timeline:
        table(
            _("Timeline ({n})").format(n=len(p.timeline))
            if len(p.timeline) >= p.timeline_total
            else _("Timeline (the newest {n} of {total})").format(n=len(p.timeline), total=num(p.timeline_total, 0)),
            [_("date"), _("kind"), _("status"), _("role"), _("title"), _("with")],
            [
                (
                    date(i.date),
                    label("InteractionKind", i.kind),
                    label("Status", i.status),
                    ", ".join(label("Role", r) for r in i.roles),
                    i.title,
                    _few(i.others),
                )
                for i in p.timeline
            ],
        )
    if p.members:
        table(
            _("Linked entities ({n})").format(n=len(p.members)),
            [_("id"), _("name"), _("kind")],
            [(m["id"], m["name"], kind_label(m["kind"]) if p.type == "country" else m["kind"]) for m in p.members],
        )
    if p.open_followups:
        table(
            _("Open follow-ups"),
            [_("id"), _("due"), _("what"), _("overdue")],
            [
                (f.id, date(f.due) if f.due else "", f.description, _("OVERDUE") if f.id in p.overdue_followups else "")
                for f in p.open_followups
            ],
        )


SECTIONS = {
    "country": _N("countries"),
    "organization": _N("organizations"),
    "person": _N("people"),
    "interactions": _N("interactions"),
    "followups": _N("follow-ups"),
    "ties": _N("ties"),
    "open_followups": _N("open follow-ups"),
}
FACETS = {
    "entity_type": (_N("entity types"), "EntityType"),
    "organization_kind": (_N("organization kinds"), "OrgKind"),
    "interaction_kind": (_N("interaction kinds"), "InteractionKind"),
    "axis": (_N("strategic axes"), "Axis"),
    "status": (_N("interaction statuses"), "Status"),
    "year": (_N("years"), None),
    "followup_status": (_N("follow-up statuses"), "FollowUpStatus"),
}


def _few(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (f" +{len(names) - n}" if len(names) > n else "")


@command(
    epilog="""\b
Examples:
  ofai-graph search camara
  ofai-graph search "cooperacion japon" --limit 5"""
)
@click.argument("query", metavar=_N("TEXT"))
@click.option("--limit", type=Integer(1, 500), default=20, show_default=True, help="How many entities.")
@pass_app
def search(app: App, query: str, limit: int) -> None:
    """Find entities by id, name or alias: accent- and case-insensitive, fuzzy."""
    hits = app.workspace().search(query, limit=limit)
    app.emit(
        hits,
        lambda hs: (
            table(
                None,
                [_("id"), _("name"), _("kind"), _("score"), _("matched")],
                [(h.id, h.name, kind_label(h.kind), num(h.score, 0), h.matched) for h in hs],
            )
            if hs
            else say(_("nothing matches {query!r}").format(query=query))
        ),
    )


@command(
    epilog="""\b
Examples:
  ofai-graph stats
  ofai-graph stats --json"""
)
@pass_app
def stats(app: App) -> None:
    """Counts, breakdowns by kind, axis, status and year, and the most active entities."""
    st = app.workspace().stats()

    def human(s: Any) -> None:
        text(
            _("{backend} store {location} (schema v{version})").format(
                backend=s.backend, location=s.location, version=s.schema_version
            ),
            style="bold",
        )
        table(_("Counts"), [_("what"), _("how many")], [(_(SECTIONS.get(k, k)), n) for k, n in s.counts.items()])
        for name, values in s.facets.items():
            if values:
                title, vocabulary = FACETS.get(name, (name, None))
                rows = sorted(values.items(), key=lambda kv: -kv[1])
                if vocabulary:
                    rows = [(_("none") if k == "none" else label(vocabulary, k), n) for k, n in rows]
                table(_(title), [_(title), _("how many")], rows)
        table(
            _("Most active"),
            [_("id"), _("name"), _("interactions")],
            [(p.id, p.name, p.interactions) for p in s.most_active],
        )

    app.emit(st, human)
