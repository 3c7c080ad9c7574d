"""``ofai-graph init | import | export``: create the store, load files into it, write it all out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import App, command, pass_app
from .output import Progress, say, table


def _render_report(report: Any, verb: str) -> None:
    rows = [(name, s.added, s.updated, s.unchanged) for name, s in report.sections.items()]
    table(None, ["section", "added", "updated", "unchanged"], rows)
    if not report.changed and verb != "import-dry-run":
        say(f"{verb}: nothing changed (everything was already there)")


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
        with Progress("importing seed data") as progress:
            report = ws.import_files(seed_files(), progress=progress)
        result["seed"] = report
    app.emit(result, lambda r: _render_report(r["seed"], "seed") if "seed" in r else None)
    say(f"store ready: {ws.store.location} (schema v{result['schema_version']})")


@command(
    "import",
    epilog="""\b
Examples:
  ofai-graph import seeds/entities.yaml seeds/informe_2024q1.yaml
  ofai-graph import meetings.csv
  ofai-graph import --dry-run new-partners.yaml
CSV files hold interactions, one a row; columns: id, date, kind, axis, title, summary,
participants ("imct:requester; OIM:offerer"), status, tags, source_document, source_section.""",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and resolve only; write nothing.")
@click.option(
    "--max-size",
    type=click.FloatRange(min=0.001),
    default=32.0,
    show_default=True,
    help="Largest file accepted, in MB.",
)
@pass_app
def import_(app: App, files: tuple[Path, ...], dry_run: bool, max_size: float) -> None:
    """Import YAML, JSON or CSV files, all-or-nothing: one bad record and nothing is written."""
    ws = app.workspace()
    max_bytes = int(max_size * 1024 * 1024)
    with Progress("importing") as progress:
        report = ws.import_files(files, max_bytes=max_bytes, progress=progress, dry_run=dry_run)
    app.emit(report, lambda r: _render_report(r, "import"))
    if dry_run:
        say("valid; nothing was written (--dry-run)")


@command(
    epilog="""\b
Examples:
  ofai-graph export --format yaml --out backup.yaml
  ofai-graph export --format json > dump.json"""
)
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="yaml", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@pass_app
def export(app: App, fmt: str, out: Path | None) -> None:
    """Write everything in the store; the file re-imports to an identical store."""
    body = app.workspace().export(fmt)
    if out is None:
        sys.stdout.write(body)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(out)
    say(f"wrote {out}")
