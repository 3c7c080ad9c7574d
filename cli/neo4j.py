"""``ofai-graph neo4j push | pull | status``: move the graph between the embedded store and Neo4j."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import App, CliError, group, pass_app
from .lang import _, num
from .output import say, table, text


def _embedded(app: App, *, must_exist: bool = False, create: bool = False):  # type: ignore[no-untyped-def]
    from ofai_graph.store import default_db_path, open_store

    path = Path(app.db) if app.db else default_db_path()
    if must_exist and not path.exists():
        raise CliError(
            _("no embedded store at {path}: nothing to push (ofai-graph --db PATH init --seed creates one)").format(
                path=path
            )
        )
    store = open_store(path, backend="sqlite", create=create)
    click.get_current_context().call_on_close(store.close)
    return store


def driver_without_dataframes() -> None:
    """Let the neo4j driver in this process leave pandas, pyarrow and numpy alone.

    The driver imports pandas when it is installed (``neo4j._optional_deps``: ofai-graph's ``pandas``
    extra puts it there), and numpy, to accept their values as query parameters: 0.44 s of a
    `connect Korea` that never sends any, and numpy alone 0.1–0.15 s of CPU. The CLI is the driver's
    only user in its process, so the module is given here as the driver makes it without them.
    ofai-graph sends only Python values (the materialized sums leave numpy through ``tolist``; the
    Bolt tests pass with the driver set up this way). Not done when the driver or pandas is loaded
    already.
    """
    import types

    if "neo4j._optional_deps" in sys.modules or "pandas" in sys.modules:
        return
    deps = types.ModuleType("neo4j._optional_deps")
    deps.np, deps.pd, deps.pa, deps.pa_compute = None, None, None, None  # type: ignore[attr-defined]
    deps.__all__ = ["np", "pa", "pa_compute", "pd"]  # type: ignore[attr-defined]
    sys.modules["neo4j._optional_deps"] = deps


def _neo4j(app: App):  # type: ignore[no-untyped-def]
    store = app.neo4j_store()
    click.get_current_context().call_on_close(store.close)
    return store


def _copy(source: Any, target: Any, *, atomic: bool, verb: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ofai_graph.sync import copy, total_work

    # The records, then the strength pairs a push copies (about 40 % of a million's push): one bar,
    # its label naming the pairs once the records are done.
    records, pairs = total_work(source, target)
    done = 0
    with Progress(
        TextColumn(f"{verb} {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not sys.stderr.isatty(),
        transient=True,
    ) as bar:
        task = bar.add_task(target.location, total=records + pairs)

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if done > records and pairs:
                bar.update(task, description=f"{target.location} · {_('strength')}")
            bar.advance(task, n)

        return copy(source, target, atomic=atomic, progress=advance)


def _render_copy(r: Any, verb: str) -> None:
    from .data import SECTIONS

    rows = [(_(SECTIONS.get(name, name)), s.added, s.updated, s.unchanged) for name, s in r.report.sections.items()]
    table(f"{verb}: {r.source} → {r.target}", [_("section"), _("added"), _("updated"), _("unchanged")], rows)
    say(
        _("{records} records in {batches} batches, {seconds} s ({rate} records/s)").format(
            records=num(r.records, 0), batches=r.batches, seconds=num(r.seconds, 1), rate=num(r.rows_per_second, 0)
        )
    )
    if not r.report.changed:
        say(_("nothing changed (the target already had all of it)"))


@group(
    epilog="""\b
Examples:
  export NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=...
  ofai-graph neo4j status
  ofai-graph neo4j push                    the embedded store (--db) into Neo4j
  ofai-graph neo4j pull --db copy.db       Neo4j into an embedded file
  ofai-graph --backend neo4j connect Korea any command, on Neo4j"""
)
def neo4j() -> None:
    """Sync the embedded store with a Neo4j server (NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE)."""


@neo4j.command(
    epilog="""\b
Examples:
  ofai-graph neo4j push
  ofai-graph --db team.db --neo4j-uri bolt://graph.local:7687 neo4j push --json"""
)
@pass_app
def push(app: App) -> None:
    """Upsert the embedded store into Neo4j, a batch per transaction.

    Records already on the server are left alone, so a second push changes nothing, and a push
    cut short (server down, network gone) is finished by running it again.
    """
    source, target = _embedded(app, must_exist=True), _neo4j(app)
    result = _copy(source, target, atomic=False, verb=_("push"))
    app.emit(result, lambda r: _render_copy(r, _("push")))


@neo4j.command(
    epilog="""\b
Examples:
  ofai-graph --db office.db neo4j pull
  ofai-graph --db snapshot.db neo4j pull --json"""
)
@pass_app
def pull(app: App) -> None:
    """Upsert everything on the Neo4j server into the embedded store, in one transaction."""
    source, target = _neo4j(app), _embedded(app, create=True)
    result = _copy(source, target, atomic=True, verb=_("pull"))
    app.emit(result, lambda r: _render_copy(r, _("pull")))


@neo4j.command(
    epilog="""\b
Examples:
  ofai-graph neo4j status
  ofai-graph --neo4j-database ofai neo4j status --json"""
)
@pass_app
def status(app: App) -> None:
    """The server, database, schema version, revision and counts of the Neo4j store."""
    from ofai_graph.sync import status as store_status

    st = store_status(_neo4j(app))

    def human(s: Any) -> None:
        from .query import SECTIONS

        text(
            _("{location} — {agent} (schema v{version}, revision {revision})").format(
                location=s.location, agent=s.server.get("agent", "?"), version=s.schema_version, revision=s.revision
            )
        )
        table(_("Counts"), [_("what"), _("how many")], [(_(SECTIONS.get(k, k)), n) for k, n in s.counts.items()])
        if s.missing_schema:
            say(_("missing on the server: {names}").format(names=", ".join(s.missing_schema)), style="yellow")
        else:
            say(_("schema: every constraint and index is in place"))

    app.emit(st, human)
