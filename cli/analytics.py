"""Relationship intelligence commands: strength, connect, ask, followups, dormant, brokers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from ofai_graph.dates import MAX_DAYS

from .common import DAY_END, ENTITY_KIND, App, command, group, pass_app
from .output import say, table, text


def _pct(x: float) -> str:
    return f"{x:.2f}"


def render_strength(rows: list[Any]) -> None:
    if len(rows) == 1 and rows[0].contributions:
        p = rows[0]
        text(
            f"{p.a} ↔ {p.b}: {p.score:.2f} ({p.tier}), {p.interactions} shared interactions, "
            f"{'reciprocal' if p.reciprocal else 'one-sided'}",
            style="bold",
        )
        table(
            "Why",
            ["points", "source", "date", "what", "how"],
            [(f"{c.points:+.3f}", c.source, c.date, c.label, c.detail) for c in p.contributions],
        )
        return
    table(
        None,
        ["partner", "id", "score", "tier", "interactions", "last", "reciprocal"],
        [
            (
                p.b_name or p.b,
                p.b,
                _pct(p.score),
                p.tier,
                p.interactions,
                p.last_label or "—",
                "yes" if p.reciprocal else "no",
            )
            for p in rows
        ],
    )


def render_connection(c: Any) -> None:
    text(f"Routes from {c.source} to {c.target.label} ({c.target.kind}), as of {c.as_of}", style="bold")
    if not c.paths:
        say(c.note or "no path")
        if c.nearest:
            say("nearest reachable: " + ", ".join(c.nearest))
        return
    for n, p in enumerate(c.paths, 1):
        text(f"{n}. score {p.score:.3f}: " + " → ".join(p.names))
        for h in p.hops:
            mark = "  ⚠ weakest link" if h.weakest else ""
            text(
                f"     {h.source_name} → {h.target_name}: {h.score:.2f} ({h.tier}), last {h.last or '—'}{mark}"
            )
            for ev in h.evidence:
                text(f"        · {ev}")


def render_followups(rows: list[Any]) -> None:
    if not rows:
        say("no follow-ups match")
        return
    table(
        None,
        ["id", "due", "days left", "expected from", "what", ""],
        [
            (
                v.followup.id,
                v.followup.due,
                v.days_left,
                v.expected_from_name,
                v.followup.description,
                "OVERDUE" if v.overdue else "",
            )
            for v in rows
        ],
    )


def render_dormant(rows: list[Any]) -> None:
    if not rows:
        say("no relationship is going cold")
        return
    table(
        None,
        ["partner", "was", "now", "last", "days silent", "last interaction", "next step"],
        [
            (
                d.name,
                _pct(d.peak_score),
                _pct(d.score),
                d.last_interaction,
                d.days_silent,
                d.last_title,
                d.next_step,
            )
            for d in rows
        ],
    )


@command(
    epilog="""\b
Examples:
  ofai-graph strength                      strongest partners of the office
  ofai-graph strength imct --top 5         strongest partners of IMCT
  ofai-graph strength OFAI JICA --explain  one pair, with every interaction behind it
  ofai-graph strength --as-of 2024-03-31"""
)
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--explain", is_flag=True, help="List each interaction and tie with its points.")
@pass_app
def strength(app: App, a: str | None, b: str | None, top: int, explain: bool) -> None:
    """How strong relationships are, and why (score 0-1 and tier)."""
    rows = app.workspace().strength(a, b, top=top, as_of=app.as_of, explain=explain or b is not None)
    app.emit(rows[0] if b else rows, lambda r: render_strength([r] if b else r))


@command(
    epilog="""\b
Examples:
  ofai-graph connect Korea
  ofai-graph connect Corea --k 3 --max-hops 3
  ofai-graph connect JICA --from imct --avoid apc-colombia
  ofai-graph connect KR --via-kind national_agency --via-kind multilateral"""
)
@click.argument("target")
@click.option("--from", "source", help="Start from this entity (default: the home office).")
@click.option("--k", type=click.IntRange(1, 50), default=5, show_default=True, help="How many routes.")
@click.option("--max-hops", type=click.IntRange(1, 8), default=4, show_default=True)
@click.option("--avoid", multiple=True, help="Entity not to pass through (repeatable).")
@click.option(
    "--via-kind",
    type=ENTITY_KIND,
    multiple=True,
    help="Only pass through entities of this kind (repeatable; a code or its English or Spanish name).",
)
@pass_app
def connect(
    app: App,
    target: str,
    source: str | None,
    k: int,
    max_hops: int,
    avoid: tuple[str, ...],
    via_kind: tuple[str, ...],
) -> None:
    """Who connects us to TARGET: the strongest referral paths, with evidence per hop."""
    c = app.workspace().connect(
        target,
        source=source,
        k=k,
        max_hops=max_hops,
        avoid=avoid,
        via_kinds=via_kind,
        as_of=app.as_of,
    )
    app.emit(c, render_connection)
    if not c.paths:
        click.get_current_context().exit(1)


@command(
    epilog="""\b
Examples:
  ofai-graph ask "who connects us to Korea?"
  ofai-graph ask "¿quién nos conecta con Corea?"
  ofai-graph ask "¿qué está pendiente?"
  ofai-graph ask "which relationships are going cold?\""""
)
@click.argument("question")
@pass_app
def ask(app: App, question: str) -> None:
    """Answer a question in English or Spanish (connect, strength, follow-ups, dormant)."""
    answer = app.workspace().ask(question, as_of=app.as_of)
    renderers = {
        "connect": render_connection,
        "strength": render_strength,
        "followups": render_followups,
        "overdue": render_followups,
        "dormant": render_dormant,
    }
    app.emit(answer, lambda a: renderers[a.action](a.result))


@group(
    invoke_without_command=True,
    epilog="""\b
Examples:
  ofai-graph followups                       open follow-ups, soonest due first
  ofai-graph followups --overdue --as-of 2024-09-01
  ofai-graph followups --due-within 30d --partner JICA
  ofai-graph followups done jica-respuesta-voluntarios --note "Aprobado un voluntario"
  ofai-graph followups add --description "Enviar informe" --due 2024-06""",
)
@click.option("--overdue", is_flag=True, help="Only those past their due date.")
@click.option("--due-within", help="Only those due within this many days (e.g. 30d or 30).")
@click.option("--owner", help="Only those this entity owns.")
@click.option("--partner", help="Only those involving this entity.")
@click.option("--all", "all_", is_flag=True, help="Include done and cancelled ones.")
@pass_app
def followups(
    app: App,
    overdue: bool,
    due_within: str | None,
    owner: str | None,
    partner: str | None,
    all_: bool,
) -> None:
    """Pending follow-ups; month or quarter due dates are due at the end of the period."""
    if click.get_current_context().invoked_subcommand is not None:
        return
    days = None
    if due_within is not None:
        try:
            days = int(due_within.lower().rstrip("d"))
        except ValueError:
            raise click.BadParameter("write a number of days, e.g. 30d", param_hint="--due-within") from None
        if not 0 <= days <= MAX_DAYS:
            raise click.BadParameter(f"write a number of days from 0 to {MAX_DAYS}", param_hint="--due-within")
    rows = app.workspace().followups(
        overdue=overdue,
        due_within=days,
        owner=owner,
        partner=partner,
        as_of=app.as_of,
        status=None if all_ else _open(),
    )
    app.emit(rows, render_followups)


@followups.command(
    "done",
    epilog="""\b
Examples:
  ofai-graph followups done jica-respuesta-voluntarios --note "JICA aprobó la solicitud del IMCT"
  ofai-graph followups done cid-bga-realizacion --cancelled""",
)
@click.argument("followup_id")
@click.option("--note", help="What happened.")
@click.option("--cancelled", is_flag=True, help="Close it as cancelled instead of done.")
@click.option("--on", "on", type=DAY_END, help="The day it was closed (default: today).")
@pass_app
def followups_done(app: App, followup_id: str, note: str | None, cancelled: bool, on: dt.date | None) -> None:
    """Close a follow-up."""
    f = app.workspace().close_followup(followup_id, note=note, cancelled=cancelled, on=on or dt.date.today())
    app.emit(f, lambda _: None)
    say(f"{f.id}: {f.status.value} on {f.closed_on}")


@command(
    epilog="""\b
Examples:
  ofai-graph dormant
  ofai-graph dormant --days 90 --as-of 2024-12-31"""
)
@click.option(
    "--days",
    type=click.IntRange(1, MAX_DAYS),
    default=180,
    show_default=True,
    help="Silent this long (or score fallen below 0.1) counts as going cold.",
)
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True)
@pass_app
def dormant(app: App, days: int, top: int) -> None:
    """Partners that used to be strong and went quiet, most at stake first."""
    app.emit(app.workspace().dormant(days=days, top=top, as_of=app.as_of), render_dormant)


@command(
    epilog="""\b
Examples:
  ofai-graph brokers --top 5"""
)
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
@pass_app
def brokers(app: App, top: int) -> None:
    """Entities that bridge otherwise separate groups (betweenness on strength)."""
    rows = app.workspace().brokers(top=top, as_of=app.as_of)
    app.emit(
        rows,
        lambda rs: table(
            None,
            ["entity", "betweenness", "groups it bridges"],
            [(b.name, f"{b.betweenness:.3f}", " | ".join(g.label for g in b.groups[:3])) for b in rs],
        ),
    )


def _open() -> Any:
    from ofai_graph.model import FollowUpStatus

    return FollowUpStatus.open
