"""Errors that carry a message written for the person at the keyboard."""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import clip, quote

# A message line longer than this is cut: values in messages are capped where they are quoted
# (text.quote), and this bounds whatever a library (YAML, pydantic) puts in its own messages.
MAX_MESSAGE = 600


class OfaiError(Exception):
    """Base class: the CLI prints ``str(error)`` and exits 1, never a traceback."""


@dataclass
class Problem:
    """One thing wrong with one record: where it is and what is wrong."""

    message: str
    file: str | None = None
    record: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file or "<data>"
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(f"field '{self.field}'")
        return clip(": ".join(parts) + f": {self.message}", MAX_MESSAGE)


@dataclass
class InvalidData(OfaiError):
    """Input was rejected; nothing was written."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = self.problems[:20]
        lines = [str(p) for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"... and {len(self.problems) - len(shown)} more problems")
        lines.append("Nothing was written.")
        return "\n".join(lines)


class NotFound(OfaiError):
    def __init__(self, query: str, suggestions: list[str] | None = None, what: str = "entity"):
        self.query = query
        # Several names of one entity can come close: list each entity once.
        self.suggestions = list(dict.fromkeys(suggestions or []))
        msg = f"no {what} matches {quote(query)}"
        if self.suggestions:
            msg += "; closest: " + ", ".join(self.suggestions)
        super().__init__(msg)


class Ambiguous(OfaiError):
    def __init__(self, query: str, candidates: list[str]):
        self.query = query
        self.candidates = list(dict.fromkeys(candidates))
        super().__init__(
            f"{quote(query)} is ambiguous; it could be: "
            + ", ".join(self.candidates)
            + ". Use one of the ids."
        )


class UnknownValue(OfaiError, ValueError):
    """A value outside a vocabulary (a kind, a country...): a ValueError too, so that model
    validators can raise it and pydantic reports it as a field error."""


class StoreError(OfaiError):
    """The store could not be opened, read or written."""
