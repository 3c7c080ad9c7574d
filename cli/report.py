"""The quarterly cycle: ``report`` (the "Informe de gestión") and ``changes`` (what changed in a window)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from . import output
from .common import App, Integer, command, pass_app
from .lang import _N, _, current

REPORT_EPILOG = """\b
Examples:
  ofai-graph report --quarter 2024-Q1                      Markdown on stdout, in Spanish
  ofai-graph report --quarter 2024-Q1 --format docx --out informe.docx
  ofai-graph report --quarter 2024-Q1 --format docx --out informe.docx --reference-doc plantilla.docx
  ofai-graph report --quarter 2024-Q1 --format html --out informe.html --lang en
  ofai-graph --json report --quarter 2024-Q1               the report's data"""

CHANGES_EPILOG = """\b
Examples:
  ofai-graph changes --quarter 2024-Q1
  ofai-graph changes --since 2024-01-01 --until 2024-06-30
  ofai-graph changes --quarter 2024-Q1 --json"""


def report_lang(ctx: click.Context, app: App) -> str:
    """The report's language: --lang or OFAI_GRAPH_LANG if given, else Spanish (the office's language).

    The locale is not asked: the report goes to the Concejo in Spanish unless someone says otherwise.
    """
    for c in (ctx, ctx.find_root()):
        source = c.get_parameter_source("lang")
        if source is not None and source is not click.core.ParameterSource.DEFAULT:
            return app.lang
    return app.lang if os.environ.get("OFAI_GRAPH_LANG") else "es"


def _quarter(value: str) -> str:
    from ofai_graph.changes import UsageError, parse_quarter

    try:
        return str(parse_quarter(value))
    except UsageError as exc:
        raise click.BadParameter(exc.message(current()), param_hint="--quarter") from None


@command(epilog=REPORT_EPILOG)
@click.option("--quarter", required=True, metavar="YYYY-Qn", help="The quarter, e.g. 2024-Q1.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "docx"]),
    default=None,
    help="Output format (default: from --out's suffix, else md).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: stdout for md and html; docx needs a file).",
)
@click.option(
    "--reference-doc",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The office's Word template (.docx): its styles, header and logo are kept.",
)
@click.option("--no-map", is_flag=True, help="Leave out the network map (faster).")
@click.pass_context
@pass_app
def report(
    app: App,
    ctx: click.Context,
    quarter: str,
    fmt: str | None,
    out: Path | None,
    reference_doc: Path | None,
    no_map: bool,
) -> None:
    """The quarter's management report ("Informe de gestión"), in Spanish unless --lang en.

    The five strategic lines in the report's order, each action with what was done, who took part,
    its status, its date at its own precision and what is pending; figures per line against the
    previous quarter, follow-ups, relationships that grew or went cold, and the network map.
    """
    from ofai_graph.report_render import to_html, to_markdown

    quarter = _quarter(quarter)
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = {"htm": "html", "html": "html", "docx": "docx", "md": "md", "markdown": "md"}.get(suffix, "md")
    if fmt == "docx" and out is None and not app.json:
        raise click.UsageError(_("a Word report needs a file: add --out informe.docx"))
    if reference_doc is not None:
        if fmt != "docx":
            raise click.UsageError(_("--reference-doc is a Word template: use it with --format docx"))
        from ofai_graph.report_docx import check_reference_doc

        # Refused before the store is read or anything is written.
        check_reference_doc(reference_doc)
    lang = report_lang(ctx, app)
    from ofai_graph.i18n import gettext_for

    # The report's language, which defaults to Spanish (see report_lang), not the invocation's.
    with output.Progress(gettext_for(lang)(_N("building the report"))):
        rep = app.workspace().report(quarter, lang=lang, include_map=not no_map)
    if app.json:
        output.emit(rep, lambda r: None, as_json=True)
        return
    if fmt == "docx":
        from ofai_graph.report_docx import write_docx

        assert out is not None
        write_docx(rep, out, reference_doc=reference_doc)
        output.say(_written(out, rep))
        return
    if fmt == "html":
        body = to_html(rep)
    else:
        href = None
        if out is not None and rep.map_svg:
            svg = out.with_suffix(".map.svg")
            _atomic(svg, rep.map_svg)
            href = svg.name
        body = to_markdown(rep, map_href=href)
    if out is None:
        click.echo(body, nl=False)
    else:
        _atomic(out, body)
        output.say(_written(out, rep))


def _written(path: Path, rep: Any) -> str:
    from ofai_graph.i18n import gettext_for

    _ = gettext_for(rep.lang)
    return _("{path}: {actions} actions in {lines} strategic lines").format(
        path=path, actions=len(rep.actions), lines=sum(1 for line in rep.lines if line.actions)
    )


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


@command(epilog=CHANGES_EPILOG)
@click.option("--quarter", metavar="YYYY-Qn", default=None, help="The quarter, e.g. 2024-Q1.")
@click.option(
    "--since", metavar="DATE", default=None, help="First day (YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY)."
)
@click.option(
    "--until", metavar="DATE", default=None, help="Last day (a month or quarter means its last day)."
)
@click.option(
    "--top", type=Integer(1, 100), default=10, show_default=True, help="Relationships listed."
)
@pass_app
def changes(app: App, quarter: str | None, since: str | None, until: str | None, top: int) -> None:
    """What changed in a quarter or between two dates.

    New entities and partners of the office, ties started and ended, interactions per strategic line
    and kind, follow-ups opened, closed and fallen overdue, relationships that gained or lost the most
    strength, and new or lost routes to countries.
    """
    from ofai_graph.changes import UsageError

    if quarter is not None:
        quarter = _quarter(quarter)
        if since or until:
            raise click.UsageError(_("give --quarter or --since/--until, not both"))
    elif not (since and until):
        raise click.UsageError(_("give --quarter Q (e.g. 2024-Q1) or both --since and --until"))
    try:
        with output.Progress(_("comparing")):
            result = app.workspace().changes(quarter=quarter, since=since, until=until, top=top)
    except UsageError as exc:
        raise click.UsageError(exc.message(app.lang)) from None
    app.emit(result, lambda c: render_changes(c, app.lang))


def render_changes(c: Any, lang: str) -> None:
    from ofai_graph.i18n import format_date, format_number, gettext_for
    from ofai_graph.labels import label

    _ = gettext_for(lang)
    w = c.window
    output.text(
        _("Changes from {since} to {until}").format(
            since=format_date(w.since, lang), until=format_date(w.until, lang)
        ),
        style="bold",
    )
    output.table(
        _("Interactions per strategic line"),
        [_("Strategic line"), _("Interactions"), _("Previous period"), _("Partners"), _("New partners")],
        [
            (
                label("Axis", f.axis, lang) if f.axis else _("No strategic line"),
                format_number(f.interactions, lang),
                format_number(f.previous_interactions, lang),
                format_number(f.partners, lang),
                format_number(f.new_partners, lang),
            )
            for f in c.figures
        ],
    )
    if c.by_kind:
        output.table(
            _("Interactions per kind"),
            [_("Kind"), _("Interactions")],
            [(label("InteractionKind", k, lang), format_number(n, lang)) for k, n in c.by_kind.items()],
        )
    output.table(
        _("New partners of the office"),
        [_("Name"), _("Kind"), _("First interaction")],
        [
            (p.name, _kind(p.kind, lang), format_date(p.first_date, lang) if p.first_date else "")
            for p in c.new_partners
        ],
    )
    ties = [(_("started"), t) for t in c.ties_started] + [(_("ended"), t) for t in c.ties_ended]
    if ties:
        output.table(
            _("Ties"),
            [_("Change"), _("From"), _("Tie"), _("To"), _("Date")],
            [
                (
                    what,
                    t.source_name,
                    label("TieKind", t.kind, lang),
                    t.target_name,
                    format_date(t.date, lang),
                )
                for what, t in ties
            ],
        )
    fu = (
        [(_("opened"), f) for f in c.followups_opened]
        + [(_("closed"), f) for f in c.followups_closed]
        + [(_("fell overdue"), f) for f in c.followups_fell_overdue]
    )
    output.table(
        _("Follow-ups"),
        [_("Change"), _("Follow-up"), _("Due")],
        [(what, f.description, format_date(f.due, lang) if f.due else "—") for what, f in fu],
    )
    for title, rows in (
        (_("Relationships that gained strength"), c.gained),
        (_("Relationships that lost strength"), c.lost),
    ):
        output.table(
            title,
            [_("Partner"), _("Before"), _("After"), _("Interactions behind the change")],
            [
                (
                    r.name,
                    format_number(r.before, lang, decimals=2),
                    format_number(r.after, lang, decimals=2),
                    "; ".join(i.title for i in r.interactions[:3]) or "—",
                )
                for r in rows
            ],
        )
    routes = [(_("new"), r) for r in c.routes_new] + [(_("lost"), r) for r in c.routes_lost]
    if routes:
        output.table(
            _("Routes to countries"),
            [_("Change"), _("Country"), _("Route")],
            [(what, r.name_es if lang == "es" else r.name_en, " → ".join(r.names)) for what, r in routes],
        )


def _kind(kind: str, lang: str) -> str:
    from ofai_graph.labels import label

    return label("EntityType", kind, lang) if kind == "person" else label("OrgKind", kind, lang)


__all__ = ["changes", "report"]
