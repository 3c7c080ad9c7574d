"""``ofai-graph init | import | export``: create the store, load files into it, write it all out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import SECTION_NAMES, App, Number, command, pass_app
from .lang import _N, _
from .output import Progress, say, table

SECTIONS = SECTION_NAMES


def render_report(report: Any) -> None:
    rows = [(_(SECTIONS.get(name, name)), s.added, s.updated, s.unchanged) for name, s in report.sections.items()]
    table(None, [_("section"), _("added"), _("updated"), _("unchanged")], rows)
    if not report.changed:
        say(_("nothing changed (everything was already there)"))


@command(
    epilog="""\b
Examples:
  ofai-graph init
  ofai-graph init --seed
  ofai-graph --db team.db init --seed"""
)
@click.option("--seed", is_flag=True, help="Import the bundled Q1-2024 report data.")
@pass_app
def init(app: App, seed: bool) -> None:
    """Create the store (if needed) and optionally load the seed data."""
    from ofai_graph.seeds import seed_files

    ws = app.workspace(create=True)
    result: dict[str, Any] = {
        "store": ws.store.location,
        "backend": ws.store.backend,
        "schema_version": ws.store.schema_version(),
    }
    if seed:
        with Progress(_("importing seed data")) as progress:
            report = ws.import_files(seed_files(), progress=progress)
        result["seed"] = report
    app.emit(result, lambda r: render_report(r["seed"]) if "seed" in r else None)
    say(_("store ready: {location} (schema v{version})").format(location=ws.store.location, version=result["schema_version"]))


@command(
    "import",
    epilog="""\b
Examples:
  ofai-graph import seeds/entities.yaml seeds/informe_2024q1.yaml
  ofai-graph import meetings.csv
  ofai-graph import everything.jsonl
  ofai-graph import --dry-run new-partners.yaml
  ofai-graph import plantilla.xlsx --match
JSON Lines: one record a line with its type ({"type": "interaction", "id": ...}); see the README.
CSV files hold interactions, one a row; columns: id, date, kind, axis, title, summary,
participants ("imct:requester; OIM:offerer"), status, tags, source_document, source_section,
source_action, source_order (the report action an interaction belongs to, and its place).
Excel workbooks are laid out as `ofai-graph template` writes them; errors name the cell.""",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar=_N("FILES..."))
@click.option("--dry-run", is_flag=True, help="Validate and resolve only; write nothing.")
@click.option(
    "--max-size",
    # A finite range: inf and nan would pass a bare minimum and then fail as a byte count.
    type=Number(min=0.001, max=1024 * 1024),
    default=32.0,
    show_default=True,
    help="Largest YAML or JSON file accepted, in MB (.jsonl and .csv stream: no limit).",
)
@click.option(
    "--match", is_flag=True, help="Reuse stored entities the files' entities match (name, alias, close name)."
)
@pass_app
def import_(app: App, files: tuple[Path, ...], dry_run: bool, max_size: float, match: bool) -> None:
    """Import YAML, JSON, JSON Lines, CSV or Excel files, all-or-nothing: one bad record and nothing is written."""
    ws = app.workspace()
    max_bytes = int(max_size * 1024 * 1024)
    if match or any(f.suffix.lower() in (".xlsx", ".xlsm") for f in files):
        from .interop import import_other

        import_other(app, files, match=match, dry_run=dry_run, max_bytes=max_bytes,
                     render=render_report)  # fmt: skip
        if dry_run:
            say(_("valid; nothing was written (--dry-run)"))
        return
    with Progress(_("importing")) as progress:
        report = ws.import_files(files, max_bytes=max_bytes, progress=progress, dry_run=dry_run)
    app.emit(report, render_report)
    if dry_run:
        say(_("valid; nothing was written (--dry-run)"))


@command(
    epilog="""\b
Examples:
  ofai-graph export --format yaml --out backup.yaml
  ofai-graph export --format json > dump.json
  ofai-graph export --format jsonl --out dump.jsonl   (a record a line: re-imports streamed)
  ofai-graph export --format xlsx --out libro.xlsx          the template, filled
  ofai-graph export --format gexf --out red.gexf --as-of 2024-03-31
  ofai-graph export --format gexf --dynamic --out tiempo.gexf
  ofai-graph export --format graphml --out red.graphml
  ofai-graph export --format kumu --out kumu.xlsx
  ofai-graph export --format csv --out carpeta/   (or --out red.zip)
  ofai-graph export --format cypher > cargar.cypher     (cypher-shell -f cargar.cypher)"""
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "yaml", "xlsx", "gexf", "graphml", "kumu", "csv", "cypher"]),
    default="yaml",
    show_default=True,
    help="File format.",
)
@click.option("--out", type=click.Path(path_type=Path), help="File (csv: folder or .zip) to write (default: stdout).")
@click.option("--dynamic", is_flag=True, help="gexf/graphml: the evidence over time, with start/end spells.")
@pass_app
def export(app: App, fmt: str, out: Path | None, dynamic: bool) -> None:
    """Write everything in the store; yaml, json, jsonl and xlsx re-import to an identical store."""
    if dynamic and fmt not in ("gexf", "graphml"):
        raise click.UsageError(_("--dynamic applies to gexf and graphml only"))
    if out is None and fmt in ("xlsx", "kumu", "csv"):
        raise click.UsageError(_("--format {fmt} writes a file: give it with --out").format(fmt=fmt))
    if fmt not in ("json", "jsonl", "yaml"):
        from .interop import export_other

        export_other(app, fmt, out, dynamic)
        return
    body = app.workspace().export_pieces(fmt)
    if out is None:
        for piece in body:
            sys.stdout.write(piece)
        return
    from ofai_graph.files import write_atomic

    write_atomic(out, body)
    say(_("wrote {path}").format(path=out))
