"""Redaction of people in everything a shared output shows (Ley 1581 de 2012).

>>> from ofai_graph.model import Person
>>> r = Redactor([Person(id="myriam-savard", name="Myriam Savard")], lambda p: "Persona", "[persona]")
>>> r({"title": "Rutas hacia Myriam Savard", "id": "myriam-savard", "note": "con myriam"})
{'title': 'Rutas hacia Persona', 'id': 'p1', 'note': 'con [persona]'}
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Person


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


class Redactor:
    """One pass that every text of a redacted map goes through: names, aliases and ids of people.

    A full name or alias becomes the person's role and organization; an id becomes an opaque one
    (``p1``); any word of a name (four letters or more) left in free text becomes "[person]".
    Matching ignores case and accents.
    """

    def __init__(self, people: Sequence[Person], role_of: Callable[[Person], str], word: str):
        self.alias: dict[str, str] = {}
        self.label: dict[str, str] = {}
        terms: dict[str, str] = {}
        tokens: dict[str, str] = {}
        for i, p in enumerate(sorted(people, key=lambda p: p.id), start=1):
            self.alias[p.id] = f"p{i}"
            self.label[p.id] = role_of(p)
            for t in [p.name, *p.aliases]:
                if t.strip():
                    terms[t.casefold()] = self.label[p.id]
                    terms[_fold(t).casefold()] = self.label[p.id]
                    for w in re.split(r"[\s\-.,]+", t):
                        if len(w) > 3:
                            tokens[w.casefold()] = word
                            tokens[_fold(w).casefold()] = word
            terms[p.id.casefold()] = self.alias[p.id]
        self.table = {**tokens, **terms}
        self.pattern = (
            re.compile(
                r"(?<![\w-])("
                + "|".join(re.escape(t) for t in sorted(self.table, key=len, reverse=True))
                + r")(?![\w-])",
                re.IGNORECASE,
            )
            if self.table
            else None
        )

    def text(self, value: str) -> str:
        if self.pattern is None or not value:
            return value
        return self.pattern.sub(
            lambda m: self.table.get(m.group(0).casefold(), self.table.get(_fold(m.group(0)).casefold(), "")),
            value,
        )

    def __call__(self, value: Any) -> Any:
        """``value`` with every string in it (dict keys too) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self(v) for v in value)
        if isinstance(value, dict):
            return {self(k): self(v) for k, v in value.items()}
        return value
