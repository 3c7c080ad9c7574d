"""``ofai-graph show | search | stats``: look at one entity, find entities, count everything."""

from __future__ import annotations

from typing import Any

import click

from .common import App, command, pass_app
from .output import say, table, text


@command(
    epilog="""\b
Examples:
  ofai-graph show imct
  ofai-graph show "Camara de Comercio Colombo Americana"
  ofai-graph show Corea --json"""
)
@click.argument("entity")
@pass_app
def show(app: App, entity: str) -> None:
    """Profile of ENTITY (id, name, alias or near-miss): ties, timeline, open follow-ups."""
    prof = app.workspace().show(entity, as_of=app.as_of)

    def human(p: Any) -> None:
        text(f"{p.name}  [{p.id}]", style="bold")
        kind = p.type if p.kind == p.type else f"{p.type} · {p.kind}"
        text(kind + (f" · {', '.join(p.countries)}" if p.countries else ""))
        if p.aliases:
            text("also: " + ", ".join(p.aliases))
        for key, value in p.extra.items():
            text(f"{key}: {value}")
        if p.note:
            text(p.note, style="italic")
        for a in p.affiliations:
            text(
                f"affiliation: {a.title or ''} at {a.organization}" + (f" since {a.since}" if a.since else "")
            )
        if p.ties:
            table(
                "Ties",
                ["kind", "", "with", "since", "until", "active"],
                [
                    (
                        t.kind,
                        "→" if t.direction == "out" else "←",
                        f"{t.other_name} ({t.other})",
                        t.since,
                        t.until,
                        "yes" if t.active else "no",
                    )
                    for t in p.ties
                ],
            )
        if p.timeline:
            table(
                f"Timeline ({len(p.timeline)})",
                ["date", "kind", "status", "role", "title", "with"],
                [(i.date, i.kind, i.status, ", ".join(i.roles), i.title, _few(i.others)) for i in p.timeline],
            )
        if p.members:
            table(
                f"Linked entities ({len(p.members)})",
                ["id", "name", "kind"],
                [(m["id"], m["name"], m["kind"]) for m in p.members],
            )
        if p.open_followups:
            table(
                "Open follow-ups",
                ["id", "due", "what", "overdue"],
                [
                    (f.id, f.due, f.description, "OVERDUE" if f.id in p.overdue_followups else "")
                    for f in p.open_followups
                ],
            )

    app.emit(prof, human)


def _few(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (f" +{len(names) - n}" if len(names) > n else "")


@command(
    epilog="""\b
Examples:
  ofai-graph search camara
  ofai-graph search "cooperacion japon" --limit 5"""
)
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@pass_app
def search(app: App, query: str, limit: int) -> None:
    """Find entities by id, name or alias: accent- and case-insensitive, fuzzy."""
    hits = app.workspace().search(query, limit=limit)
    app.emit(
        hits,
        lambda hs: (
            table(
                None,
                ["id", "name", "kind", "score", "matched"],
                [(h.id, h.name, h.kind, f"{h.score:.0f}", h.matched) for h in hs],
            )
            if hs
            else say(f"nothing matches {query!r}")
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
        text(f"{s.backend} store {s.location} (schema v{s.schema_version})", style="bold")
        table("Counts", ["what", "how many"], s.counts.items())
        for name, values in s.facets.items():
            if values:
                table(name.replace("_", " "), [name, "count"], sorted(values.items(), key=lambda kv: -kv[1]))
        table(
            "Most active",
            ["id", "name", "interactions"],
            [(p.id, p.name, p.interactions) for p in s.most_active],
        )

    app.emit(st, human)
