"""``ofai-graph rebuild``: recompute the materialized relationship strength from the interactions."""

from __future__ import annotations

import time

from .common import App, command, pass_app
from .lang import _, num
from .output import Progress, say


@command(
    epilog="""\b
Examples:
  ofai-graph rebuild
  ofai-graph --json rebuild
  ofai-graph --backend neo4j rebuild
Every write keeps the pairs up to date; rebuild after restoring a store by other means. A change of the
strength weights in ofai-graph.yaml rebuilds them by itself on the next query."""
)
@pass_app
def rebuild(app: App) -> None:
    """Recompute every pair's materialized strength (the reference: a full rescoring)."""
    ws = app.workspace()
    start = time.perf_counter()
    with Progress(_("rebuilding relationship strength")):
        pairs = ws.rebuild()
    seconds = round(time.perf_counter() - start, 2)
    app.emit({"pairs": pairs, "seconds": seconds}, lambda r: None)
    say(
        _("rebuilt the strength of {pairs} pairs in {seconds} s").format(
            pairs=num(pairs, decimals=0), seconds=num(seconds)
        )
    )
