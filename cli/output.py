"""How the CLI speaks: data on stdout (tables, or JSON with --json), messages and errors on stderr."""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any


def jsonable(value: Any) -> Any:
    """Plain JSON values: pydantic models, dataclasses, dates and enums as their JSON forms."""
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value, fallback=str)


@cache
def _console_class():  # type: ignore[no-untyped-def]
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits 1 when the reader of stdout goes away; the CLI exits 0 instead (common.quiet_broken_pipe).
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    return _Console


_consoles: dict[bool, tuple[Any, Any]] = {}


def _console(stderr: bool = False):  # type: ignore[no-untyped-def]
    stream = sys.stderr if stderr else sys.stdout
    made = _consoles.get(stderr)
    if made is not None and made[0] is stream:  # one per stream: making one costs ~1 ms, per line
        return made[1]
    Console = _console_class()
    # Piped output is read by people in wide editors or by grep: don't fold it at 80 columns.
    width = None if stream.isatty() else 160
    console = Console(stderr=stderr, soft_wrap=stderr, highlight=False, width=width)
    _consoles[stderr] = (stream, console)
    return console


def emit(data: Any, human: Callable[[Any], None], *, as_json: bool) -> None:
    """Print ``data`` as JSON when ``as_json``, else with the ``human`` renderer."""
    if as_json:
        sys.stdout.write(json.dumps(jsonable(data), ensure_ascii=False, indent=2) + "\n")
    else:
        human(data)


def _safe(value: str) -> str:
    """No raw control character reaches the terminal (ESC would set colours, titles, clear the
    screen): the data refuses them, but arguments and messages quote what people typed."""
    from ofai_graph.text import printable

    return printable(value)


def say(message: str, *, style: str | None = None) -> None:
    """A message for the person, on stderr (never mixed into data on stdout)."""
    _console(stderr=True).print(_safe(message), style=style, markup=False)


def table(
    title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None = None
) -> None:
    from rich.table import Table

    rows = list(rows)
    if not rows and caption is None:
        from .lang import _

        caption = _("(none)")  # an empty table with its headers alone looks like a display fault
    t = Table(title=title and _safe(title), caption=caption, title_justify="left", show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[_cell(v) for v in r])
    _console().print(t)


def _cell(value: Any) -> str:
    """A table cell: a count written as the language writes numbers (9.141 in Spanish, 9,141 in
    English), as the sentences around the tables write them; anything else as its text."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        from .lang import num

        return num(value, 0)
    return _safe(str(value))


def text(line: str = "", *, style: str | None = None) -> None:
    shown = _safe(line)
    if _plain(shown) and _plain_stream(sys.stdout):
        # What rich would write (tested): no styles off a terminal, no folding under the width.
        sys.stdout.write(shown + "\n")
        return
    _console().print(shown, style=style, markup=False, highlight=False)


# A line rich writes unchanged off a terminal: one cell per character (tested against rich's
# widths), no tab, no ":name:" that rich would turn into an emoji, no wider than the 160 columns it
# folds piped output at (see _console). A route of `connect` is such a line: its dozens of lines are
# written without importing rich (a tenth of the command's time).
_NARROW = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA1, 0x180) if c != 0xAD]
    + list("→←↔·…–—‘’“”•⚠✓")
)


def _plain(line: str) -> bool:
    return len(line) <= 160 and _NARROW.issuperset(line) and not (":" in line and _EMOJI_LIKE().search(line))


@cache
def _EMOJI_LIKE() -> Any:  # (rich's emoji codes, and more: two colons with no space between)
    import re

    return re.compile(r":\S*:")


def _plain_stream(stream: Any) -> bool:
    """Whether rich would see ``stream`` as a file, not a terminal (no styles, nothing but the text)."""
    import builtins
    import os

    if sys.platform == "win32" or hasattr(builtins, "get_ipython") or os.environ.get("FORCE_COLOR"):
        return False
    if os.environ.get("TTY_COMPATIBLE") == "1":
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A progress spinner on stderr for long work; silent when stderr is not a terminal."""

    def __init__(self, label: str):
        self.label = label
        self._status: Any = None

    def __enter__(self) -> Callable[[Any], None]:
        if sys.stderr.isatty():
            self._status = _console(stderr=True).status(self.label)
            self._status.__enter__()
        return self.update

    def update(self, message: object) -> None:
        """``message``: text, or a library message (:class:`ofai_graph.errors.Phrase`) shown in the CLI's language."""
        if self._status is not None:
            from ofai_graph.errors import Phrase

            from .lang import current

            shown = message.text(current()) if isinstance(message, Phrase) else str(message)
            self._status.update(f"{self.label}: {shown}")

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(None, None, None)
