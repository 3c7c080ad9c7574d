"""The ``ofai-graph`` command: every command calls one library function and formats its result.

Where things go: shared options, the context object (:class:`~.common.App`), the date type and errors
live in ``common.py``; each area's commands live in a module of their own, defined at module level; this
module only builds the root group and registers them, one line per command.
"""

from __future__ import annotations

import click

from . import add, analytics, data, interop, maps, neo4j, query, report, scale
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


# data: create, load, write out
cli.add_command(data.init)
cli.add_command(data.import_)
cli.add_command(data.export)
cli.add_command(add.add)
cli.add_command(interop.template)
cli.add_command(interop.duplicates)
cli.add_command(interop.merge)
# looking things up
cli.add_command(query.show)
cli.add_command(query.search)
cli.add_command(query.stats)
# relationship intelligence
cli.add_command(analytics.strength)
cli.add_command(analytics.connect)
cli.add_command(analytics.ask)
cli.add_command(analytics.followups)
analytics.followups.add_command(add.add_followup, "add")
cli.add_command(analytics.dormant)
cli.add_command(analytics.brokers)
cli.add_command(maps.map_)
# the quarterly cycle
cli.add_command(report.report)
cli.add_command(report.changes)
# upkeep
cli.add_command(scale.rebuild)
# other backends
cli.add_command(neo4j.neo4j)


def main() -> None:
    cli(prog_name="ofai-graph")


if __name__ == "__main__":
    main()
