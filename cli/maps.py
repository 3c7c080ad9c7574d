"""``ofai-graph map``: an interactive network map in one offline HTML file, or an SVG/PNG/PDF handout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import AXIS, DAY_END, DAY_START, ENTITY_KIND, App, Integer, Number, command, pass_app
from .lang import _N, WordChoice, _, current
from .output import say


@command(
    "map",
    epilog="""\b
Examples:
  ofai-graph map                                   the whole network, ofai-graph-map.html
  ofai-graph map --path-to Korea --out corea.html  who connects us to Korea, drawn on top
  ofai-graph map --focus IMCT --hops 2
  ofai-graph map --kind foreign_government --kind multilateral --min-strength 0.1
  ofai-graph map --axis "cooperación internacional"  relationships built on cooperation
  ofai-graph map --redact-people --out para-compartir.html
  ofai-graph map --path-to Korea --only-routes --presentation --format pdf --out corea.pdf
                                                   one page for the meeting: map, legend, routes
  ofai-graph map --color-by community --lang es    groups found in the network (Louvain)
  ofai-graph map --format png --out red.png        a picture for slides (needs chromium)
  ofai-graph map --all-ties                        every tie, not only each entity's strongest""",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "svg", "png", "pdf"]),
    default=None,
    help="Default: from --out's suffix, else html. PNG and PDF are drawn by Chromium.",
)
@click.option("--focus", help="Only this entity and its neighbourhood.")
@click.option("--hops", type=Integer(1, 6), default=1, show_default=True, help="How far around --focus.")
@click.option("--path-to", help="Draw the strongest referral paths to this entity, country or tag.")
@click.option(
    "--kind",
    type=ENTITY_KIND,
    multiple=True,
    help="Only entities of this kind (repeatable; a code or its English or Spanish name).",
)
@click.option("--country", multiple=True, help="Only entities of this country (repeatable).")
@click.option(
    "--axis",
    type=AXIS,
    multiple=True,
    help="Only relationships built on interactions of this strategic axis (repeatable): cooperation, "
    "investment, destination, allies, internal, or their Spanish names.",
)
@click.option("--since", type=DAY_START, help="Only ties with an interaction since this date.")
@click.option("--until", type=DAY_END, help="Only ties with an interaction until this date.")
@click.option(
    "--min-strength", type=Number(0, 1), default=0.0, show_default=True, help="Hide weaker ties."
)
@click.option("--redact-people", is_flag=True, help="Replace people's names with role and organization.")
@click.option("--title", help="Title shown on the map.")
@click.option(
    "--color-by",
    type=WordChoice({"kind": _N("kind"), "community": _N("community"), "tier": _N("tier"), "axis": _N("axis")}),
    default="kind",
    show_default=True,
    help="Colour entities by kind, by community (Louvain), by tier of their tie to the office, or by axis.",
)
@click.option(
    "--presentation", is_flag=True, help="For a projector: larger text, fewer labels, thicker lines."
)
@click.option("--only-routes", is_flag=True, help="With --path-to: only the routes' entities.")
@click.option(
    "--physics", is_flag=True, help="Let the page move the nodes (the picture then changes on each load)."
)
@click.option(
    "--timeline/--no-timeline",
    default=True,
    show_default=True,
    help="Embed the quarter slider (strength recomputed for each of the last 8 quarters).",
)
@click.option(
    "--all-ties",
    is_flag=True,
    help="Draw every tie among the drawn entities. By default a dense map (more than 3 ties per entity) "
    "draws the office's and the focus's ties, the routes' and each other entity's 2 strongest.",
)
@pass_app
def map_(
    app: App,
    out: Path | None,
    fmt: str | None,
    focus: str | None,
    hops: int,
    path_to: str | None,
    kind: tuple[str, ...],
    country: tuple[str, ...],
    axis: tuple[str, ...],
    since: dt.date | None,
    until: dt.date | None,
    min_strength: float,
    redact_people: bool,
    title: str | None,
    color_by: str,
    presentation: bool,
    only_routes: bool,
    physics: bool,
    timeline: bool,
    all_ties: bool,
) -> None:
    """An interactive network map in one offline HTML file (or an SVG, PNG or PDF handout)."""
    if only_routes and not path_to:
        raise click.UsageError(_("--only-routes needs --path-to"))
    fmt = fmt or (out.suffix.lstrip(".").lower() if out and out.suffix else "html")
    out = out or Path(f"ofai-graph-map.{fmt}")
    m = app.workspace().map(
        focus=focus,
        hops=hops,
        path_to=path_to,
        kinds=kind,
        countries=country,
        axes=axis,
        since=since,
        until=until,
        min_strength=min_strength,
        redact_people=redact_people,
        title=title,
        as_of=app.as_of,
        lang=app.lang,
        color_by=color_by,
        presentation=presentation,
        only_routes=only_routes,
        physics=physics,
        timeline=timeline,
        all_ties=all_ties,
    )
    path = m.save(out, fmt=fmt)
    result = {
        "path": str(path.resolve()),
        "format": fmt,
        "nodes": m.node_count,
        "edges": m.edge_count,
        "ties": m.tie_count,
        "highlighted": m.highlighted,
    }

    def count(n: object) -> str:
        from ofai_graph.i18n import format_number

        return format_number(n, current())  # type: ignore[arg-type]

    def written(r: dict[str, object]) -> None:
        if r["edges"] != r["ties"]:
            say(
                _("map written to {path} ({nodes} entities, {edges} of {ties} ties: each entity's strongest)").format(
                    path=r["path"], nodes=count(r["nodes"]), edges=count(r["edges"]), ties=count(r["ties"])
                )
            )
        else:
            say(
                _("map written to {path} ({nodes} entities, {edges} ties)").format(
                    path=r["path"], nodes=r["nodes"], edges=r["edges"]
                )
            )

    app.emit(result, written)
