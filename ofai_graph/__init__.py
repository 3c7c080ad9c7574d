"""ofai-graph: the relationships of a city's Office of International Affairs as a graph.

>>> import ofai_graph
>>> ws = ofai_graph.open(":memory:")
>>> ws.stats().counts["interactions"]
0

Heavy dependencies (networkx, pyvis, the neo4j driver) are imported only when used, and so are this
package's own modules: ``ofai_graph.Workspace`` imports the workspace on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # (for type checkers: at run time each name is imported when first used, below)
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

# Where each public name lives: ``import ofai_graph`` (or a command that needs only the dates) does not
# import the store, the models and the workspace until one of them is used.
_HOMES = {
    "PartialDate": "dates",
    "Precision": "dates",
    **dict.fromkeys(["Ambiguous", "InvalidData", "NotFound", "OfaiError", "StoreError"], "errors"),
    **dict.fromkeys(
        [
            "Axis",
            "Country",
            "Dataset",
            "FollowUp",
            "FollowUpStatus",
            "Interaction",
            "InteractionKind",
            "Organization",
            "OrgKind",
            "Participant",
            "Person",
            "Role",
            "Status",
            "Tie",
            "TieKind",
        ],
        "model",
    ),
    **dict.fromkeys(["Result", "Results", "to_frame"], "results"),
    **dict.fromkeys(["Answer", "StaleAsOf", "Workspace", "open"], "workspace"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is not None:
        from importlib import import_module

        value = getattr(import_module(f"{__name__}.{home}"), name)
        globals()[name] = value  # (found directly from now on)
        return value
    # The version is written once, in pyproject.toml; read from the installed metadata on first use.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("ofai-graph")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES, "__version__"})


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
