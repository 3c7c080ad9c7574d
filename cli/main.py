"""The ``ofai-graph`` command: every command calls one library function and formats its result."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from pathlib import Path
from typing import Any

import click

from .output import Progress, emit, say, table, text

EPILOG_MAIN = """\b
Examples:
  ofai-graph init --seed          create the store with the Q1-2024 report
  ofai-graph show imct            profile, ties, timeline, follow-ups
  ofai-graph search "camara"      find entities by any name
  ofai-graph --json stats         machine-readable counts
The store is ~/.local/share/ofai-graph/ofai-graph.db unless --db or OFAI_GRAPH_DB says otherwise."""


class CliError(click.ClickException):
    exit_code = 1

    def show(self, file: Any = None) -> None:
        say(f"error: {self.message}", style="red")


class OfaiGroup(click.Group):
    """Turns library errors into a clear message and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from ofai_graph.errors import OfaiError

        try:
            return super().invoke(ctx)
        except OfaiError as exc:
            raise CliError(str(exc)) from None
        except KeyboardInterrupt:
            say("interrupted; nothing was written by the interrupted command")
            sys.exit(130)


def json_option(f: Any) -> Any:
    """``--json`` on every command as well as on the group, so it can go either side."""

    @click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
    @functools.wraps(f)
    def wrapper(*args: Any, as_json: bool = False, **kwargs: Any) -> Any:
        if as_json:
            click.get_current_context().find_root().obj["json"] = True
        return f(*args, **kwargs)

    return wrapper


def workspace(ctx: click.Context, *, create: bool = False):  # type: ignore[no-untyped-def]
    """The workspace on the store the options name; only ``init`` passes ``create=True``."""
    obj = ctx.find_root().obj
    if obj.get("ws") is None:
        import ofai_graph

        if obj["backend"] == "neo4j":
            obj["ws"] = ofai_graph.Workspace(neo4j_store(ctx))
        else:
            obj["ws"] = ofai_graph.open(obj["db"], backend="sqlite", create=create)
        ctx.find_root().call_on_close(obj["ws"].close)
    return obj["ws"]


def neo4j_password(uri: str) -> str:
    """From NEO4J_PASSWORD, else a hidden prompt on a terminal: never a command-line argument (ps shows those)."""
    import os

    password = os.environ.get("NEO4J_PASSWORD")
    if password is not None:
        return password
    if sys.stdin.isatty():
        return click.prompt(f"Password for {uri}", hide_input=True, err=True)
    raise CliError(f"no password for {uri}: set NEO4J_PASSWORD (or run on a terminal to be asked)")


def neo4j_store(ctx: click.Context):  # type: ignore[no-untyped-def]
    """A Neo4j store from --neo4j-* options and NEO4J_* variables."""
    from ofai_graph.store import open_store

    obj = ctx.find_root().obj
    if not obj.get("neo4j_uri"):
        raise CliError("the neo4j backend needs a server address: --neo4j-uri or NEO4J_URI")
    uri = obj["neo4j_uri"]
    return open_store(
        uri,
        backend="neo4j",
        user=obj["neo4j_user"],
        password=neo4j_password(uri),
        database=obj["neo4j_database"],
    )


def as_of_option(f: Any) -> Any:
    return click.option(
        "--as-of",
        type=str,
        default=None,
        help="Reference date (YYYY-MM-DD, YYYY-MM or YYYY-Qn; default: today).",
    )(f)


def parse_as_of(value: str | None) -> dt.date:
    from ofai_graph.dates import parse_day

    try:
        return parse_day(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None


@click.group(cls=OfaiGroup, epilog=EPILOG_MAIN, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="OFAI_GRAPH_DB",
    help="Store file (embedded backend). Env: OFAI_GRAPH_DB.",
)
@click.option(
    "--backend",
    type=click.Choice(["sqlite", "neo4j"]),
    envvar="OFAI_GRAPH_BACKEND",
    default="sqlite",
    show_default=True,
    help="Storage backend. Env: OFAI_GRAPH_BACKEND.",
)
@click.option("--neo4j-uri", envvar="NEO4J_URI", help="Bolt address of the Neo4j server. Env: NEO4J_URI.")
@click.option(
    "--neo4j-user", envvar="NEO4J_USERNAME", default="neo4j", show_default=True, help="Env: NEO4J_USERNAME."
)
@click.option(
    "--neo4j-database",
    envvar="NEO4J_DATABASE",
    help="Database name (default: the server's). Env: NEO4J_DATABASE.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.version_option(package_name="ofai-graph")
@click.pass_context
def cli(
    ctx: click.Context,
    db: Path | None,
    backend: str,
    neo4j_uri: str | None,
    neo4j_user: str,
    neo4j_database: str | None,
    as_json: bool,
) -> None:
    """ofai-graph: the relationships of an Office of International Affairs as a graph.

    The password of the neo4j backend comes from NEO4J_PASSWORD or a prompt, never from an option.
    """
    ctx.obj = {
        "db": db,
        "backend": backend,
        "json": as_json,
        "ws": None,
        "neo4j_uri": neo4j_uri,
        "neo4j_user": neo4j_user,
        "neo4j_database": neo4j_database,
    }


# -- init / import / export -------------------------------------------------------------------------


def _render_report(report: Any, verb: str) -> None:
    rows = [(name, s.added, s.updated, s.unchanged) for name, s in report.sections.items()]
    table(None, ["section", "added", "updated", "unchanged"], rows)
    if not report.changed and verb != "import-dry-run":
        say(f"{verb}: nothing changed (everything was already there)")


@cli.command(
    epilog="""\b
Examples:
  ofai-graph init
  ofai-graph init --seed
  ofai-graph --db team.db init --seed"""
)
@click.option("--seed", is_flag=True, help="Import the bundled Q1-2024 report data.")
@json_option
@click.pass_context
def init(ctx: click.Context, seed: bool) -> None:
    """Create the store (if needed) and optionally load the seed data."""
    from ofai_graph.seeds import seed_files

    ws = workspace(ctx, create=True)
    result: dict[str, Any] = {
        "store": ws.store.location,
        "backend": ws.store.backend,
        "schema_version": ws.store.schema_version(),
    }
    if seed:
        with Progress("importing seed data") as progress:
            report = ws.import_files(seed_files(), progress=progress)
        result["seed"] = report
    emit(ctx, result, lambda r: _render_report(r["seed"], "seed") if "seed" in r else None)
    say(f"store ready: {ws.store.location} (schema v{result['schema_version']})")


@cli.command(
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
@json_option
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], dry_run: bool, max_size: float) -> None:
    """Import YAML, JSON or CSV files, all-or-nothing: one bad record and nothing is written."""
    ws = workspace(ctx)
    max_bytes = int(max_size * 1024 * 1024)
    with Progress("importing") as progress:
        report = ws.import_files(files, max_bytes=max_bytes, progress=progress, dry_run=dry_run)
    emit(ctx, report, lambda r: _render_report(r, "import"))
    if dry_run:
        say("valid; nothing was written (--dry-run)")


@cli.command(
    epilog="""\b
Examples:
  ofai-graph export --format yaml --out backup.yaml
  ofai-graph export --format json > dump.json"""
)
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="yaml", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@click.pass_context
def export(ctx: click.Context, fmt: str, out: Path | None) -> None:
    """Write everything in the store; the file re-imports to an identical store."""
    body = workspace(ctx).export(fmt)
    if out is None:
        sys.stdout.write(body)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(out)
    say(f"wrote {out}")


# -- views ------------------------------------------------------------------------------------------


@cli.command(
    epilog="""\b
Examples:
  ofai-graph show imct
  ofai-graph show "Camara de Comercio Colombo Americana"
  ofai-graph show Corea --json"""
)
@click.argument("entity")
@as_of_option
@json_option
@click.pass_context
def show(ctx: click.Context, entity: str, as_of: str | None) -> None:
    """Profile of ENTITY (id, name, alias or near-miss): ties, timeline, open follow-ups."""
    ws = workspace(ctx)
    prof = ws.show(entity, as_of=parse_as_of(as_of))

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

    emit(ctx, prof, human)


def _few(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (f" +{len(names) - n}" if len(names) > n else "")


@cli.command(
    epilog="""\b
Examples:
  ofai-graph search camara
  ofai-graph search "cooperacion japon" --limit 5"""
)
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@json_option
@click.pass_context
def search(ctx: click.Context, query: str, limit: int) -> None:
    """Find entities by id, name or alias: accent- and case-insensitive, fuzzy."""
    hits = workspace(ctx).search(query, limit=limit)
    emit(
        ctx,
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


@cli.command(
    epilog="""\b
Examples:
  ofai-graph stats
  ofai-graph stats --json"""
)
@json_option
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Counts, breakdowns by kind, axis, status and year, and the most active entities."""
    st = workspace(ctx).stats()

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

    emit(ctx, st, human)


from . import add as _add  # noqa: E402  (registers the add commands)

_add.register(cli)

from . import analytics as _analytics  # noqa: E402

_analytics.register(cli)
_analytics.register_map(cli)

from . import neo4j as _neo4j  # noqa: E402

_neo4j.register(cli)


def main() -> None:
    cli(prog_name="ofai-graph")


if __name__ == "__main__":
    main()
