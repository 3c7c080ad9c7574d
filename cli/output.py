"""How the CLI speaks: data on stdout (tables, or JSON with --json), messages and errors on stderr."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click


def jsonable(value: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "__str__") and type(value).__module__.startswith("ofai_graph"):
        return str(value)
    return value


def _console(stderr: bool = False):  # type: ignore[no-untyped-def]
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output is read by people in wide editors or by grep: don't fold it at 80 columns.
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, soft_wrap=stderr, highlight=False, width=width)


def emit(ctx: click.Context, data: Any, human: Callable[[Any], None]) -> None:
    """Print ``data`` as JSON when --json was given, else with the ``human`` renderer."""
    if ctx.find_root().obj.get("json"):
        sys.stdout.write(json.dumps(jsonable(data), ensure_ascii=False, indent=2) + "\n")
    else:
        human(data)


def say(message: str, *, style: str | None = None) -> None:
    """A message for the person, on stderr (never mixed into data on stdout)."""
    _console(stderr=True).print(message, style=style, markup=False)


def table(
    title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None = None
) -> None:
    from rich.table import Table

    t = Table(title=title, caption=caption, title_justify="left", show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    _console().print(t)


def text(line: str = "", *, style: str | None = None) -> None:
    _console().print(line, style=style, markup=False, highlight=False)


class Progress:
    """A progress spinner on stderr for long work; silent when stderr is not a terminal."""

    def __init__(self, label: str):
        self.label = label
        self._status = None

    def __enter__(self) -> Callable[[str], None]:
        if sys.stderr.isatty():
            self._status = _console(stderr=True).status(self.label)
            self._status.__enter__()
        return self.update

    def update(self, message: str) -> None:
        if self._status is not None:
            self._status.update(f"{self.label}: {message}")

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(None, None, None)
