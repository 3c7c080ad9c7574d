"""Errors that carry a message written for the person at the keyboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as _field  # Problem has a field named field

from .text import clip, quote

# A message longer than this is cut (a pasted document in a field must not flood the terminal).
MAX_MESSAGE = 600


def N_(message: str) -> str:
    """Marks a message for translation without translating it (it is translated when shown)."""
    return message


class OfaiError(Exception):
    """Base class: the CLI prints ``error.message(lang)`` and exits 1, never a traceback.

    Raise it with an English template marked ``N_`` and its values, so that it can be shown in
    either language: ``OfaiError(N_("unknown axis {axis!r}"), axis=text)``. ``str(error)`` is the
    English text; :meth:`message` the text in ``lang`` through the gettext catalog.
    """

    def __init__(self, message: str = "", /, **params: object):
        self.template = message
        self.params = params
        super().__init__(message.format(**params) if params else message)

    def message(self, lang: str = "en") -> str:
        template = getattr(self, "template", None)
        if not template:
            return str(self)
        from .i18n import gettext_for

        text = gettext_for(lang)(template)
        return text.format(**self.params) if self.params else text


@dataclass
class Problem:
    """One thing wrong with one record: where it is and what is wrong.

    ``message`` may be an ``N_`` template with ``params`` (``Problem(N_("file not found"), name)``),
    so that :meth:`text` can write it in the reader's language; a plain message is shown as is.
    """

    message: str
    file: str | None = None
    record: str | None = None
    line: int | None = None
    field: str | None = None
    params: dict[str, object] = _field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        from .i18n import gettext_for

        _ = gettext_for(lang)
        where = self.file or "<data>"
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(_("field '{field}'").format(field=self.field))
        message = _(self.message)
        if self.params:
            message = message.format(**self.params)
        return clip(": ".join(parts) + f": {message}", MAX_MESSAGE)

    def __str__(self) -> str:
        return self.text("en")


@dataclass
class InvalidData(OfaiError):
    """Input was rejected; nothing was written."""

    problems: list[Problem] = field(default_factory=list)
    more: int = 0
    """Problems found past those listed (a large import keeps the first thousand)."""

    def message(self, lang: str = "en") -> str:
        from .i18n import gettext_for, ngettext_for

        _, ngettext = gettext_for(lang), ngettext_for(lang)
        shown = self.problems[:20]
        lines = [p.text(lang) for p in shown]
        more = len(self.problems) + self.more - len(shown)
        if more:
            lines.append(ngettext("... and {n} more problem", "... and {n} more problems", more).format(n=more))
        lines.append(_("Nothing was written."))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message("en")


_WHAT = {"entity": N_("no entity matches {query}"), "follow-up": N_("no follow-up matches {query}")}


class NotFound(OfaiError):
    def __init__(self, query: str, suggestions: list[str] | None = None, what: str = "entity"):
        self.query = query
        # Several names of one entity can come close: list each entity once.
        self.suggestions = list(dict.fromkeys(suggestions or []))
        self.what = what
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        from .i18n import gettext_for

        _ = gettext_for(lang)
        template = _WHAT.get(self.what)
        msg = _(template).format(query=quote(self.query)) if template else f"{self.what}: {quote(self.query)}"
        if self.suggestions:
            msg += _("; closest: {names}").format(names=", ".join(self.suggestions))
        return msg


class Ambiguous(OfaiError):
    def __init__(self, query: str, candidates: list[str]):
        self.query = query
        self.candidates = list(dict.fromkeys(candidates))
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        from .i18n import gettext_for

        _ = gettext_for(lang)
        return _("{query} is ambiguous; it could be: {names}. Use one of the ids.").format(
            query=quote(self.query), names=", ".join(self.candidates)
        )


class UnknownValue(OfaiError, ValueError):
    """A value outside a vocabulary (a kind, a country...): a ValueError too, so that model
    validators can raise it and pydantic reports it as a field error."""


class StoreError(OfaiError):
    """The store could not be opened, read or written."""
