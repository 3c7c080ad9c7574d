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

The HTML tables are for people: they are written in the results' language (the workspace's,
``ofai_graph.open(path, lang="es")``), strength scores as every output writes them
(:func:`~ofai_graph.i18n.format_strength`), other numbers and dates in that language's format, and
vocabulary codes as their labels. ``records()``, ``to_frame()`` and ``model_dump()`` keep the raw
values and codes, for programs.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["STRENGTH", "WRITTEN_DATE", "Result", "Results", "Shown", "Strength", "in_language", "to_frame"]

_MAX_ROWS = 50  # an HTML table in a notebook longer than this is scrolled past, not read


@dataclass(frozen=True)
class Shown:
    """How a person reads a field whose type does not say it: ``Annotated[float, STRENGTH]``, a date
    as the data wrote it (``WRITTEN_DATE``), or a code of a vocabulary (``Shown("Tier")``; the
    vocabulary ``EntityKind`` is an organization kind, person or country)."""

    vocabulary: str


STRENGTH = Shown("strength")
WRITTEN_DATE = Shown("date")
Strength = Annotated[float, STRENGTH]
"""A strength score in [0, 1]: written with :func:`~ofai_graph.i18n.format_strength` for people."""


class Result(BaseModel):
    """Base of every result type: field descriptions, an HTML table in Jupyter, ``to_frame()``."""

    # Built on first use, not when a command that never validates one starts (see bench_coldstart).
    model_config = ConfigDict(defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        # What pydantic's ``use_attribute_docstrings`` does, found more cheaply: on Python < 3.13 it
        # looks for the class's source by asking ``inspect.getmodule`` about each frame, which resolves
        # the path of every module loaded (~25 ms of each command's start, a tenth of ``connect``'s).
        super().__pydantic_init_subclass__(**kwargs)
        docs = _attribute_docstrings(cls)
        for name, info in cls.__pydantic_fields__.items():
            if info.description is None and name in docs:
                info.description = docs[name]

    def _repr_html_(self) -> str:
        from .headers import header

        lang = _lang_of(self)
        row = _shown_row(self, lang)
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(header(k, lang))}</th><td style='text-align:left'>"
            f"{html.escape(v)}</td></tr>"
            for k, v in row.items()
        )
        return f"<table><caption>{html.escape(type(self).__name__)}</caption>{cells}</table>"

    def to_frame(self) -> pd.DataFrame:
        """This result as a one-row DataFrame (nested fields flattened to ``a.b`` columns)."""
        return to_frame([self])


def _attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings written under the fields of ``cls``'s own ``class`` statement, by field name,
    from the frame that runs it (the module's, or the function's that defines it)."""
    import ast
    import inspect
    import linecache
    import sys

    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == cls.__module__:
            lines = linecache.getlines(frame.f_code.co_filename, frame.f_globals)[frame.f_lineno - 1 :]
            tree = _parsed(_indented_block(lines))
            if tree is None:  # (a string reaching back to the margin: the tokenizer finds the end)
                try:
                    tree = _parsed(inspect.getblock(lines))
                except (IndexError, TypeError, SyntaxError, ValueError):  # (no source: an interactive session)
                    tree = None
            statement = tree.body[0] if tree is not None and tree.body else None
            if isinstance(statement, ast.ClassDef) and statement.name == cls.__name__:
                docs: dict[str, str] = {}
                previous: ast.stmt | None = None
                for node in statement.body:
                    if (
                        isinstance(previous, ast.AnnAssign)
                        and isinstance(previous.target, ast.Name)
                        and isinstance(node, ast.Expr)
                        and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str)
                    ):
                        docs[previous.target.id] = inspect.cleandoc(node.value.value)
                    previous = node
                return docs
        frame = frame.f_back  # type: ignore[assignment]
    return {}


def _indented_block(lines: list[str]) -> list[str]:
    """The first line and those after it more indented than it (blank ones included)."""
    if not lines:
        return []
    margin = len(lines[0]) - len(lines[0].lstrip())
    end = 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > margin):
        end += 1
    return lines[:end]


def _parsed(block: list[str]) -> Any:
    import ast
    import textwrap

    source = textwrap.dedent("".join(block))
    wrapped = source.startswith((" ", "\t"))
    if wrapped:  # (a string reaching back further than the class: parsed inside a function, as pydantic does)
        source = "def _():\n" + source
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    if wrapped and tree.body and isinstance(tree.body[0], ast.FunctionDef):
        tree.body = tree.body[0].body
    return tree


class Results(list):  # type: ignore[type-arg]
    """A list of results that shows as a table in Jupyter and converts with ``.to_frame()``.

    ``lang`` is the language of its HTML table (default: ``OFAI_GRAPH_LANG``, else the locale).
    ``single``: the list holds the one answer asked for (a pair's strength), not a ranking.
    ``total``: how many there are, when the list holds only the first of them.
    """

    def __init__(
        self, items: Iterable[Any] = (), lang: str | None = None, *, single: bool = False, total: int | None = None
    ):
        super().__init__(items)
        self.lang = lang
        self.single = single
        self.total = len(self) if total is None else total
        """How many there are: more than listed when the list is the first of them."""

    def records(self) -> list[dict[str, Any]]:
        return [_flat(_dump(r)) for r in self]

    def to_frame(self) -> pd.DataFrame:
        return to_frame(self)

    def _repr_html_(self) -> str:
        from .headers import header
        from .i18n import format_number, gettext_for

        if not self:
            return "<p>(0)</p>"
        lang = _lang_of(self)
        rows = [_shown_row(r, lang) for r in self[:_MAX_ROWS]]
        columns = list(dict.fromkeys(k for r in rows for k in r))
        head = "".join(f"<th>{html.escape(header(c, lang))}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(r.get(c, ''))}</td>" for c in columns) + "</tr>" for r in rows
        )
        more = ""
        if len(self) > _MAX_ROWS:
            _ = gettext_for(lang)
            more = "<p>" + html.escape(_("… {n} more").format(n=format_number(len(self) - _MAX_ROWS, lang))) + "</p>"
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def in_language(value: Any, lang: str) -> Any:
    """``value`` (a result, a list of them, or another value) marked to show in ``lang``; returned."""
    if isinstance(value, Results):
        value.lang = lang
        for item in value:
            in_language(item, lang)
    elif isinstance(value, Result):
        # Kept outside the fields: not dumped, not compared (two equal results in two languages are equal).
        object.__setattr__(value, "_shown_lang", lang)
    return value


def _lang_of(value: Any) -> str:
    lang = value.lang if isinstance(value, Results) else getattr(value, "__dict__", {}).get("_shown_lang")
    if lang:
        return str(lang)
    from .i18n import resolve_lang

    return resolve_lang()


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


def _shown_row(value: Any, lang: str, prefix: str = "") -> dict[str, str]:
    """The cells a person reads for one result, under the same column names as :meth:`Results.records`."""
    out: dict[str, str] = {}
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            shown = next((m for m in info.metadata if isinstance(m, Shown)), None)
            if isinstance(item, BaseModel) or (isinstance(item, dict) and item):
                out.update(_shown_row(item, lang, f"{prefix}{name}."))
            else:
                out[prefix + name] = _cell(item, lang, shown)
        return out
    row = value if isinstance(value, dict) else _dump(value)
    for key, item in row.items():
        if isinstance(item, BaseModel) or (isinstance(item, dict) and item):
            out.update(_shown_row(item, lang, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = _cell(item, lang, _BY_KEY.get(key))
    return out


# Values of a free-form mapping (a profile's ``extra``) that a key names.
_BY_KEY = {"strength to home office": STRENGTH, "tier": Shown("Tier"), "kind": Shown("EntityKind")}


def _cell(value: Any, lang: str = "en", shown: Shown | None = None) -> str:
    """One value as a person reads it in ``lang``."""
    from .dates import PartialDate
    from .i18n import format_date, format_number, format_strength, gettext_for
    from .labels import LABELS, label

    if value is None or value == {} or value == "":
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(c for c in (_cell(v, lang, shown) for v in value) if c)
    if isinstance(value, BaseModel | dict):
        return " · ".join(c for c in _shown_row(value, lang).values() if c)
    if isinstance(value, bool):
        _ = gettext_for(lang)
        return _("yes") if value else _("no")
    if isinstance(value, Enum):
        return label(type(value), value, lang)
    if shown is STRENGTH and isinstance(value, int | float):
        return format_strength(value, lang)
    if isinstance(value, int | float):
        return format_number(value, lang, decimals=0 if isinstance(value, int) else None)
    if isinstance(value, dt.date | PartialDate) or (shown is WRITTEN_DATE and isinstance(value, str)):
        try:
            return format_date(value, lang)
        except ValueError:
            return str(value)
    if shown is not None and shown.vocabulary == "Country" and isinstance(value, str):
        from .countries import CountryName

        return CountryName(value).text(lang)
    if shown is not None and isinstance(value, str):
        vocabulary = shown.vocabulary
        if vocabulary == "EntityKind":
            vocabulary = "EntityType" if value in LABELS.get("EntityType", {}) else "OrgKind"
        return label(vocabulary, value, lang)
    return str(value)
