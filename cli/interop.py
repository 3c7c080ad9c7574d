"""``ofai-graph template | duplicates | merge``, and the spreadsheet/other-tool side of import and export.

``export`` and ``import`` (cli/data.py) call :func:`export_other` and :func:`import_other` for the
formats and options that live here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import App, CliError, Number, command, pass_app
from .lang import _N, _, label, ngettext, num
from .output import Progress, say, table, text

OTHER_FORMATS = ("xlsx", "gexf", "graphml", "kumu", "csv", "cypher")

def _moves() -> list[str]:
    """The rows of a merge plan, in the order of :func:`merge`'s values."""
    return [
        _("interactions"),
        _("participations"),
        _("follow-ups"),
        _("ties moved"),
        _("ties removed (repeated, or linking the entity to itself)"),
        _("people affiliated"),
        _("names added as aliases"),
    ]


def _tie(tie_id: str) -> str:
    """A tie as words: an id made of its ends and kind (``a--liaison_for--b``) names its kind's label."""
    parts = tie_id.split("--")
    if len(parts) == 3 and all(parts):
        return f"{parts[0]} {label('TieKind', parts[1])} {parts[2]}"
    return tie_id


@command(
    epilog="""\b
Examples:
  ofai-graph template --lang es --out plantilla.xlsx
  ofai-graph template --lang en --out template.xlsx
  ofai-graph import plantilla.xlsx
One sheet per record type, a note on every header, drop-down lists for every
vocabulary. Example rows start with # and are skipped: delete the # to use them."""
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Workbook to write."
)
@pass_app
def template(app: App, out: Path) -> None:
    """Write the Excel workbook the office fills in (Spanish or English, by --lang)."""
    import ofai_graph

    # No store is needed to write an empty workbook.
    path = ofai_graph.open(":memory:").template(out, lang=app.lang)
    app.emit({"path": str(path), "lang": app.lang}, lambda r: None)
    say(_("wrote {path}").format(path=path))


@command(
    epilog="""\b
Examples:
  ofai-graph duplicates
  ofai-graph duplicates --min-score 70 --json
Evidence: a shared name or alias, an acronym (OIM / Organización Internacional
para las Migraciones, or in parentheses), close names; same kind and country
support a pair, a different kind or no common country count against it.
Merge a pair with: ofai-graph merge KEEP DROP."""
)
@click.option(
    "--min-score", type=Number(0, 100), default=85.0, show_default=True, help="Lowest score shown."
)
@pass_app
def duplicates(app: App, min_score: float) -> None:
    """Likely duplicate entities, with a score (0-100) and the reasons."""
    found = app.workspace().duplicates(min_score=min_score, lang=app.lang)

    def human(ds: list[Any]) -> None:
        if not ds:
            say(_("no likely duplicates with a score ≥ {score}").format(score=num(min_score, 0)))
            return
        table(
            None,
            ["id", "", "id", "", _("score"), _("reasons")],
            [(d.a, d.a_name, d.b, d.b_name, num(d.score, 0), "; ".join(d.reasons)) for d in ds],
        )

    app.emit(found, human)


@command(
    epilog="""\b
Examples:
  ofai-graph merge oim iom --dry-run
  ofai-graph merge "OIM" "International Organization for Migration"
Moves interactions, participations, ties, follow-ups and affiliations from DROP
to KEEP; DROP's names and id become KEEP's aliases; KEEP's note records the merge.
One transaction: everything moves, or nothing."""
)
@click.argument("keep", metavar=_N("KEEP"))
@click.argument("drop", metavar=_N("DROP"))
@click.option("--dry-run", is_flag=True, help="Show what would move; write nothing.")
@pass_app
def merge(app: App, keep: str, drop: str, dry_run: bool) -> None:
    """Merge entity DROP into KEEP (ids, names or aliases)."""
    plan = app.workspace().merge(keep, drop, dry_run=dry_run, lang=app.lang)

    def human(p: dict[str, Any]) -> None:
        template = _("Would merge '{d}' ({di}) into '{k}' ({ki})") if dry_run else _("Merged '{d}' ({di}) into '{k}' ({ki})")
        head = template.format(d=p["drop_name"], di=p["drop"], k=p["keep_name"], ki=p["keep"])
        text(head, style="bold")
        values = [
            p["interactions"],
            p["participations"],
            p["followups"],
            [_tie(t) for t in p["ties"]],
            [_tie(t) for t in p["ties_removed"]],
            p["affiliations"],
            p["aliases_added"],
        ]
        rows = []
        for name, v in zip(_moves(), values, strict=True):
            if isinstance(v, list):
                rows.append((name, len(v), ", ".join(v[:8]) + (" …" if len(v) > 8 else "")))
            else:
                rows.append((name, v, ""))
        table(None, ["", "#", ""], rows)
        for warning in p["warnings"]:
            say(warning)
        if dry_run:
            say(_("dry run: nothing was written (--dry-run)"))

    app.emit(plan.summary(), human)


# -- hooks for cli/data.py ---------------------------------------------------------------------------


def export_other(app: App, fmt: str, out: Path | None, dynamic: bool) -> None:
    """``export --format xlsx|gexf|graphml|kumu|csv|cypher``."""
    if out is None and fmt in ("xlsx", "kumu", "csv"):
        raise CliError(_("--format {fmt} writes a file: give it with --out").format(fmt=fmt))
    ws = app.workspace()
    with Progress(_("export {fmt}").format(fmt=fmt)):
        result = ws.export_to(fmt, out, as_of=app.as_of, dynamic=dynamic, lang=app.lang, out=sys.stdout)
    if out is not None:
        parts = [_("wrote {path}").format(path=", ".join(result.paths))]
        if result.nodes or result.edges:
            parts.append(
                ngettext("{n} node", "{n} nodes", result.nodes).format(n=num(result.nodes, 0))
                + ", "
                + ngettext("{n} edge", "{n} edges", result.edges).format(n=num(result.edges, 0))
            )
        if result.statements:
            parts.append(
                ngettext("{n} statement", "{n} statements", result.statements).format(n=num(result.statements, 0))
            )
        say(" · ".join(parts))


def import_other(
    app: App, files: tuple[Path, ...], *, match: bool, dry_run: bool, max_bytes: int, render: Any
) -> None:
    """``import`` of Excel workbooks and ``--match``: one all-or-nothing import of every file."""
    ws = app.workspace()
    with Progress(_("importing")) as progress:
        result = ws.import_any(
            files, match=match, dry_run=dry_run, max_bytes=max_bytes, progress=progress, lang=app.lang
        )

    def human(r: Any) -> None:
        if r.matches:
            table(
                _("Matched to stored entities"),
                [_("in the file"), "", _("stored"), "", _("score"), _("reasons")],
                [(m.file_id, m.file_name, m.store_id, m.store_name, num(m.score, 0), "; ".join(m.reasons))
                 for m in r.matches],
            )  # fmt: skip
        render(r.report)

    # The JSON of a plain import stays the write report; with --match it also lists the matches.
    data: Any = {"report": result.report, "matches": result.matches} if match else result.report
    app.emit(data, lambda _r: human(result))
