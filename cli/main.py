"""The ``ofai-graph`` command: every command calls one library function and formats its result.

Where things go: shared options, the context object (:class:`~.common.App`), the date type and errors
live in ``common.py``; each area's commands live in a module of their own, defined at module level; this
module only builds the root group and registers them, one line per command: its module and name, so
that a command imports only its own module (``connect`` does not import the map builder; see
:class:`~.common.LazyCommands`).
"""

from __future__ import annotations

import click

from .common import OfaiGroup, global_options, pass_app
from .lang import VersionMessage

EPILOG_MAIN = """\b
Examples:
  ofai-graph init --seed          create the store with the Q1-2024 report
  ofai-graph show imct            profile, ties, timeline, follow-ups
  ofai-graph search "camara"      find entities by any name
  ofai-graph --json stats         machine-readable counts
  ofai-graph connect Korea --as-of 2024-03-31 --lang es
Global options go before or after the command.
The store is {store} unless --db or OFAI_GRAPH_DB says otherwise."""


@click.group(
    cls=OfaiGroup,
    epilog=EPILOG_MAIN,
    params=global_options(root=True),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="ofai-graph", message=VersionMessage("%(prog)s, version %(version)s"))
@pass_app
def cli(app) -> None:  # type: ignore[no-untyped-def]
    """ofai-graph: the relationships of an Office of International Affairs as a graph.

    The password of the neo4j backend comes from NEO4J_PASSWORD or a prompt, never from an option.
    """
    click.get_current_context().call_on_close(app.close)


cli.add_lazy_commands(
    {
        # data: create, load, write out
        "init": "data:init",
        "import": "data:import_",
        "export": "data:export",
        "add": "add:add",
        "template": "interop:template",
        "duplicates": "interop:duplicates",
        "merge": "interop:merge",
        # looking things up
        "show": "query:show",
        "search": "query:search",
        "stats": "query:stats",
        # relationship intelligence
        "strength": "analytics:strength",
        "connect": "analytics:connect",
        "ask": "analytics:ask",
        "followups": "analytics:followups",
        "dormant": "analytics:dormant",
        "brokers": "analytics:brokers",
        "map": "maps:map_",
        # the quarterly cycle
        "report": "report:report",
        "changes": "report:changes",
        # upkeep
        "rebuild": "scale:rebuild",
        # other backends
        "neo4j": "neo4j:neo4j",
    },
    # subcommands defined apart from their group
    extra={"followups": {"add": "add:add_followup"}},
)


def main() -> None:
    import gc

    # One command, one process: the collector's default (a pass every 700 allocations) walked the
    # modules and models a command keeps ~175 times in `connect Korea` on the million (40-60 ms, a
    # tenth of it). Every 50,000 it still collects cycles; bulk passes pause it (bulk.paused_gc).
    gc.set_threshold(50_000, 10, 10)
    cli(prog_name="ofai-graph")


if __name__ == "__main__":
    main()
