"""ofai-graph: the relationships of a city's Office of International Affairs as a graph.

>>> import ofai_graph
>>> ws = ofai_graph.open(":memory:")
>>> ws.stats().counts["interactions"]
0

Heavy dependencies (networkx, pyvis, the neo4j driver) are imported only when used.
"""

from __future__ import annotations

from .dates import PartialDate, Precision
from .errors import Ambiguous, InvalidData, NotFound, OfaiError, StoreError
from .model import (
    Axis,
    Country,
    Dataset,
    FollowUp,
    FollowUpStatus,
    Interaction,
    InteractionKind,
    Organization,
    OrgKind,
    Participant,
    Person,
    Role,
    Status,
    Tie,
    TieKind,
)
from .results import Result, Results, to_frame
from .workspace import Answer, StaleAsOf, Workspace, open


def __getattr__(name: str) -> str:
    # The version is written once, in pyproject.toml; read from the installed metadata on first use.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("ofai-graph")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Ambiguous",
    "Answer",
    "Axis",
    "Country",
    "Dataset",
    "FollowUp",
    "FollowUpStatus",
    "Interaction",
    "InteractionKind",
    "InvalidData",
    "NotFound",
    "OfaiError",
    "OrgKind",
    "Organization",
    "PartialDate",
    "Participant",
    "Person",
    "Precision",
    "Result",
    "Results",
    "Role",
    "StaleAsOf",
    "Status",
    "StoreError",
    "Tie",
    "TieKind",
    "Workspace",
    "open",
    "to_frame",
]
