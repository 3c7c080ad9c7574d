"""What every result has in common: a pydantic model that notebooks like.

Every result type derives from :class:`Result`: its fields carry descriptions (written as attribute
docstrings, so they sit next to the field), it shows as an HTML table in Jupyter, and a list of
results turns into a pandas DataFrame in one call with :func:`to_frame` (pandas is the optional
extra ``pip install 'ofai-graph[pandas]'``). Workspace methods that return several results return a
:class:`Results` list, which has ``.to_frame()`` and an HTML table of its own.

>>> from ofai_graph.stats import PartnerCount
>>> PartnerCount.model_fields["interactions"].description
'Interactions it took part in.'
>>> Results([PartnerCount(id="jica", name="JICA", interactions=3)]).records()
[{'id': 'jica', 'name': 'JICA', 'interactions': 3}]
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Result", "Results", "to_frame"]

_MAX_ROWS = 50  # an HTML table in a notebook longer than this is scrolled past, not read


class Result(BaseModel):
    """Base of every result type: field descriptions, an HTML table in Jupyter, ``to_frame()``."""

    # Built on first use, not when a command that never validates one starts (see bench_coldstart).
    model_config = ConfigDict(use_attribute_docstrings=True, defer_build=True)

    def _repr_html_(self) -> str:
        row = _flat(self.model_dump(mode="json"))
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
            f"{html.escape(_cell(v))}</td></tr>"
            for k, v in row.items()
        )
        return f"<table><caption>{html.escape(type(self).__name__)}</caption>{cells}</table>"

    def to_frame(self) -> pd.DataFrame:
        """This result as a one-row DataFrame (nested fields flattened to ``a.b`` columns)."""
        return to_frame([self])


class Results(list):  # type: ignore[type-arg]
    """A list of results that shows as a table in Jupyter and converts with ``.to_frame()``."""

    def records(self) -> list[dict[str, Any]]:
        return [_flat(_dump(r)) for r in self]

    def to_frame(self) -> pd.DataFrame:
        return to_frame(self)

    def _repr_html_(self) -> str:
        rows = self.records()
        if not rows:
            return "<p>(0)</p>"
        columns = list(dict.fromkeys(k for r in rows for k in r))
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in columns) + "</tr>"
            for r in rows[:_MAX_ROWS]
        )
        more = f"<p>… {len(rows) - _MAX_ROWS} more</p>" if len(rows) > _MAX_ROWS else ""
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def to_frame(results: Iterable[Any]) -> pd.DataFrame:
    """A pandas DataFrame with one row per result and one column per (flattened) field.

    >>> import ofai_graph
    >>> ws = ofai_graph.open(":memory:")
    >>> to_frame(ws.search("nothing")).shape
    (0, 0)
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        from .errors import N_, OfaiError

        raise OfaiError(N_("to_frame needs pandas: pip install 'ofai-graph[pandas]'")) from None
    return pd.DataFrame([_flat(_dump(r)) for r in results])


def _dump(value: Any) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return value
    if hasattr(value, "_asdict"):
        return value._asdict()
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(value)
    return {"value": value}


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings become ``a.b`` columns; lists stay as cell values."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_flat(value, name + "."))
        else:
            out[name] = value
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
