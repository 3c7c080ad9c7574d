"""Relationship intelligence commands: strength, connect, ask, followups, dormant, brokers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from ofai_graph.dates import MAX_DAYS

from .common import DAY_END, ENTITY_KIND, App, Integer, command, group, pass_app
from .lang import _N, _, country, date, kind_label, label, ngettext, num, use, yes_no
from .lang import strength as strength_text
from .output import say, table, text

FOLLOWUPS_TOP = 50  # a table of 33,000 rows took rich 55 s to draw, and no one reads it


def _pct(x: float) -> str:
    return strength_text(x)


PAIR_EVIDENCE = 10  # contributions a pair shows without --explain (an office's pair may have thousands)


def render_pair(p: Any, limit: int | None = PAIR_EVIDENCE, *, asked: bool = False) -> None:
    """One pair with the evidence behind its score (``strength A B``): the ``limit`` contributions that
    add the most, then what takes points away (the one-sided discount); None: every one, in the order
    of the explanation. ``asked``: shown for ``ask``, which has no --explain of its own."""
    text(
        _("{a} ↔ {b}: {score} ({tier}), {interactions}, {reciprocity}").format(
            a=p.a_name or p.a,
            b=p.b_name or p.b,
            score=_pct(p.score),
            tier=label("Tier", p.tier),
            interactions=ngettext("{n} shared interaction", "{n} shared interactions", p.interactions).format(
                n=num(p.interactions, 0)
            ),
            reciprocity=_("reciprocal") if p.reciprocal else _("one-sided"),
        ),
        style="bold",
    )
    if not p.contributions:
        say(_("They share no interaction or tie up to that date: nothing adds to their strength."))
        return
    sources = {"interaction": _("interaction"), "tie": _("tie"), "reciprocity": _("reciprocity")}
    shown = list(p.contributions)
    adding = [c for c in shown if c.points >= 0]
    if limit is not None and len(adding) > limit:
        shown = sorted(adding, key=lambda c: -c.points)[:limit] + [c for c in shown if c.points < 0]
    table(
        _("Why"),
        [_("points"), _("source"), _("date"), _("what"), _("how")],
        [
            (
                f"{'+' if c.points >= 0 else '−'}{num(abs(c.points), 3)}",
                sources.get(c.source, c.source),
                date(c.date) if c.source == "interaction" else c.date,
                c.label,
                c.detail,
            )
            for c in shown
        ],
    )
    if len(shown) < len(p.contributions):
        n, total = len(shown) - (len(p.contributions) - len(adding)), num(len(p.contributions), 0)
        if asked:
            note = ngettext(
                "the one that adds the most of {total}: `ofai-graph strength {a} {b} --explain` lists them all",
                "the {n} that add the most of {total}: `ofai-graph strength {a} {b} --explain` lists them all",
                n,
            ).format(n=num(n, 0), total=total, a=p.a, b=p.b)
        else:
            note = ngettext(
                "the one that adds the most of {total}: --explain lists them all",
                "the {n} that add the most of {total}: --explain lists them all",
                n,
            ).format(n=num(n, 0), total=total)
        say(note)


def render_strength(rows: list[Any]) -> None:
    if getattr(rows, "single", False):  # one pair asked for (`ask` passes the list): its explanation
        render_pair(rows[0], asked=True)
        return
    if not rows:
        say(_("No relationship: they share no interaction or tie as of that date."))
        return
    partners = [p for p in rows if not p.own_side]
    own = [p for p in rows if p.own_side]
    # Between two groups (a country's entities), each row names both ends.
    both = len({p.a for p in rows}) > 1
    for title, group_rows in ((None, partners), (_("The office's own side"), own)):
        if not group_rows:
            continue
        table(
            title,
            [*([_("entity")] if both else []), _("partner"), _("id"), _("score"), _("tier"), _("interactions"), _("last"), _("reciprocal")],
            [
                (
                    *([p.a_name or p.a] if both else []),
                    p.b_name or p.b,
                    p.b,
                    _pct(p.score),
                    label("Tier", p.tier),
                    p.interactions,
                    date(p.last_label),
                    yes_no(p.reciprocal),
                )
                for p in group_rows
            ],
        )


def render_connection(c: Any) -> None:
    target_kind = {"entity": _("entity"), "country": _("country"), "tag": _("tag")}.get(c.target.kind, c.target.kind)
    text(
        _("Routes from {source} to {target} ({kind}), as of {day}").format(
            source=c.paths[0].names[0] if c.paths else c.source_name or c.source,
            target=c.target.label,
            kind=target_kind,
            day=date(c.as_of),
        ),
        style="bold",
    )
    if not c.paths:
        say(c.note or _("no path"))
        if c.nearest:
            say(_("nearest reachable: {names}").format(names=", ".join(c.nearest_names or c.nearest)))
        return
    for n, p in enumerate(c.paths, 1):
        text(_("{n}. score {score}: {route}").format(n=n, score=strength_text(p.score), route=" → ".join(p.names)))
        for h in p.hops:
            mark = "  ⚠ " + _("weakest link") if h.weakest else ""
            text(
                "     "
                + _("{a} → {b}: {score} ({tier}), last {last}").format(
                    a=h.source_name, b=h.target_name, score=_pct(h.score), tier=label("Tier", h.tier), last=date(h.last)
                )
                + mark
            )
            for ev in h.evidence:
                text(f"        · {ev}")


def render_followups(rows: list[Any]) -> None:
    if not rows:
        say(_("no follow-ups match"))
        return
    table(
        None,
        [_("id"), _("due"), _("time left"), _("expected from"), _("what")],
        [
            (
                v.followup.id,
                date(v.followup.due),
                _time_left(v.days_left, v.overdue)
                if v.followup.status == "open"
                else _("{status} on {day}").format(
                    status=label("FollowUpStatus", v.followup.status), day=date(v.followup.closed_on)
                ),
                v.expected_from_name,
                v.followup.description,
            )
            for v in rows
        ],
    )


def _time_left(days: int | None, overdue: bool) -> str:
    # "-93" in a "days left" column made readers do arithmetic; say it in words.
    if days is None:
        return ""
    if overdue or days < 0:
        return ngettext("overdue by {n} day", "overdue by {n} days", abs(days)).format(n=num(abs(days), 0))
    if days == 0:
        return _("due today")
    return ngettext("{n} day left", "{n} days left", days).format(n=num(days, 0))


def render_dormant(rows: list[Any]) -> None:
    if not rows:
        say(_("no relationship is going cold"))
        return
    table(
        None,
        [_("partner"), _("at its peak"), _("now"), _("lost"), _("last"), _("days silent"), _("last interaction"), _("next step")],
        [
            (
                d.name + (" " + _("(own side)") if d.own_side else ""),
                f"{_pct(d.peak_score)} {label('Tier', d.tier_peak)}",
                f"{_pct(d.score)} {label('Tier', d.tier)}",
                _pct(d.at_stake),
                date(d.last_label),
                d.days_silent,
                d.last_title,
                d.next_step,
            )
            for d in rows
        ],
    )


def render_brokers(rows: list[Any]) -> None:
    table(
        None,
        [_("entity"), _("betweenness"), _("groups it bridges")],
        [(b.name, num(b.betweenness, 3), _groups(b.groups)) for b in rows],
    )


def _groups(groups: list[Any], shown: int = 3) -> str:
    """The first groups a broker bridges, and how many more (a cut list must not read as whole)."""
    text = " | ".join(g.label for g in groups[:shown])
    if len(groups) > shown:
        more = len(groups) - shown
        text += " | " + ngettext("and {n} more group", "and {n} more groups", more).format(n=num(more, 0))
    return text


def render_partners(rows: list[Any]) -> None:
    if not rows:
        say(_("nobody we know matches"))
        return
    table(
        None,
        [_("partner"), _("kind"), _("countries"), _("score"), _("tier"), _("interactions"), _("last")],
        [
            (p.name, kind_label(p.kind), ", ".join(country(c) for c in p.countries), _pct(p.score), label("Tier", p.tier), p.interactions, date(p.last_label))
            for p in rows
        ],
    )


def render_last_contact(c: Any) -> None:
    if c.interaction is None:
        text(_("No interaction with {name} yet.").format(name=c.subject_name))
        return
    if not c.days_ago:
        # A date that ends on the as-of date ("2024-Q1" as of 2024-03-31): "0 days before" read oddly.
        ago = _("up to the as-of date")
    else:
        ago = ngettext(
            "{n} day before the as-of date", "{n} days before the as-of date", c.days_ago
        ).format(n=num(c.days_ago, 0))
    text(
        _("Last contact with {name}: {day} ({ago})").format(
            name=c.with_name if c.with_id == c.subject else f"{c.subject_name} ({c.with_name})",
            day=date(c.date),
            ago=ago,
        ),
        style="bold",
    )
    text(f"{label('InteractionKind', c.kind)} · {c.title}")


@command(
    epilog="""\b
Examples:
  ofai-graph strength                      strongest partners of the office
  ofai-graph strength imct --top 5         strongest partners of IMCT
  ofai-graph strength OFAI JICA            one pair: its score and what adds the most to it
  ofai-graph strength OFAI JICA --explain  one pair, with every interaction behind it
  ofai-graph strength --as-of 2024-03-31
  ofai-graph strength --include-own         with the mayoralty and its units, apart"""
)
@click.argument("a", required=False, metavar=_N("[ENTITY]"))
@click.argument("b", required=False, metavar=_N("[OTHER]"))
@click.option(
    "--top",
    type=Integer(1, 1000),
    default=10,
    show_default=True,
    help="How many partners (for one pair: how many pieces of evidence, those that add the most).",
)
@click.option("--explain", is_flag=True, help="List each interaction and tie with its points (for one pair: all of them).")
@click.option(
    "--include-own",
    is_flag=True,
    help="Also rank the office's own side (the mayoralty, its units and people), shown apart.",
)
@pass_app
def strength(app: App, a: str | None, b: str | None, top: int, explain: bool, include_own: bool) -> None:
    """How strong relationships are, and why (score 0-1 and tier)."""
    rows = app.workspace().strength(
        a, b, top=top, as_of=app.as_of, explain=explain or b is not None, include_own=include_own
    )
    if rows.single:
        app.emit(rows[0], lambda p: render_pair(p, None if explain else top))
    else:
        app.emit(rows, render_strength)


@command(
    epilog="""\b
Examples:
  ofai-graph connect Korea
  ofai-graph connect Corea --k 3 --max-hops 3
  ofai-graph connect JICA --from imct --avoid apc-colombia
  ofai-graph connect KR --via-kind national_agency --via-kind multilateral"""
)
@click.argument("target", metavar=_N("TARGET"))
@click.option("--from", "source", help="Start from this entity (default: the home office).")
@click.option("--k", type=Integer(1, 50), default=5, show_default=True, help="How many routes.")
@click.option("--max-hops", type=Integer(1, 8), default=4, show_default=True, help="Longest route searched.")
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
@click.argument("question", metavar=_N("QUESTION"))
@pass_app
def ask(app: App, question: str) -> None:
    """Answer a question asked in Spanish or English; the answer comes in the question's language.

    It understands who connects us to X, how strong we are with X, what we know about X, what is
    pending or overdue, who went cold, who bridges groups, when we last met X, and which partners we
    have in a country, of a kind or with a tag.
    """
    from .query import render_profile
    from .report import render_changes

    answer = app.workspace().ask(question, as_of=app.as_of)
    use(answer.language)
    renderers = {
        "connect": render_connection,
        "strength": lambda r: render_partners(r) if r and hasattr(r[0], "countries") else render_strength(r),
        "show": render_profile,
        "followups": render_followups,
        "overdue": render_followups,
        "dormant": render_dormant,
        "brokers": render_brokers,
        "last_contact": render_last_contact,
        "partners": lambda r: render_partners(r) if not r or hasattr(r[0], "countries") else render_strength(r),
        "changes": lambda r: render_changes(r, answer.language),
    }
    app.emit(answer, lambda a: renderers.get(a.action, lambda r: text(str(r)))(a.result))
    if answer.action == "connect" and not answer.result.paths:
        click.get_current_context().exit(1)


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
@click.option(
    "--top",
    type=Integer(0),
    default=FOLLOWUPS_TOP,
    show_default=True,
    help="How many to list, soonest due first (0: all).",
)
@pass_app
def followups(
    app: App,
    overdue: bool,
    due_within: str | None,
    owner: str | None,
    partner: str | None,
    all_: bool,
    top: int,
) -> None:
    """Pending follow-ups; month or quarter due dates are due at the end of the period."""
    if click.get_current_context().invoked_subcommand is not None:
        return
    days = None
    if due_within is not None:
        try:
            days = int(due_within.lower().rstrip("d"))
        except ValueError:
            raise click.BadParameter(_("write a number of days, e.g. 30d"), param_hint="--due-within") from None
        if not 0 <= days <= MAX_DAYS:
            raise click.BadParameter(
                _("write a number of days from 0 to {max}").format(max=MAX_DAYS), param_hint="--due-within"
            )
    rows = app.workspace().followups(
        overdue=overdue,
        due_within=days,
        owner=owner,
        partner=partner,
        as_of=app.as_of,
        status=None if all_ else _open(),
        top=top or None,
    )
    app.emit(rows, render_followups)
    if rows.total > len(rows):
        # (soonest due first: with --overdue, the longest overdue)
        say(
            _("the first {n} of {total} by due date: --top 0 lists them all").format(
                n=num(len(rows), 0), total=num(rows.total, 0)
            )
        )


@followups.command(
    "done",
    epilog="""\b
Examples:
  ofai-graph followups done jica-respuesta-voluntarios --note "JICA aprobó la solicitud del IMCT"
  ofai-graph followups done cid-bga-realizacion --cancelled""",
)
@click.argument("followup_id", metavar=_N("FOLLOWUP_ID"))
@click.option("--note", help="What happened.")
@click.option("--cancelled", is_flag=True, help="Close it as cancelled instead of done.")
@click.option("--on", "on", type=DAY_END, help="The day it was closed (default: today).")
@pass_app
def followups_done(app: App, followup_id: str, note: str | None, cancelled: bool, on: dt.date | None) -> None:
    """Close a follow-up."""
    f = app.workspace().close_followup(followup_id, note=note, cancelled=cancelled, on=on)
    app.emit(f, lambda _: None)
    say(_("{id}: {status} on {day}").format(id=f.id, status=label("FollowUpStatus", f.status), day=date(f.closed_on)))


@command(
    epilog="""\b
Examples:
  ofai-graph dormant
  ofai-graph dormant --as-of 2024-12-31 --include-own"""
)
@click.option(
    "--days",
    type=Integer(0, MAX_DAYS),
    default=0,
    show_default=True,
    help="Only those silent at least this many days.",
)
@click.option("--top", type=Integer(1, 1000), default=20, show_default=True, help="How many partners.")
@click.option(
    "--include-own",
    is_flag=True,
    help="Also list the office's own side (the mayoralty, its units and people).",
)
@pass_app
def dormant(app: App, days: int, top: int, include_own: bool) -> None:
    """Partners going cold: at least medium at their peak, weak or cold now; most lost first."""
    app.emit(
        app.workspace().dormant(days=days, top=top, as_of=app.as_of, include_own=include_own), render_dormant
    )


@command(
    epilog="""\b
Examples:
  ofai-graph brokers --top 5"""
)
@click.option("--top", type=Integer(1, 1000), default=10, show_default=True, help="How many entities.")
@pass_app
def brokers(app: App, top: int) -> None:
    """Entities that bridge otherwise separate groups (betweenness on strength)."""
    rows = app.workspace().brokers(top=top, as_of=app.as_of)
    app.emit(rows, render_brokers)


def _open() -> Any:
    from ofai_graph.model import FollowUpStatus

    return FollowUpStatus.open
