"""Errors that carry a message written for the person at the keyboard."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from dataclasses import field as _field  # Problem has a field named field

from .text import clip, quote

# A message longer than this is cut (a pasted document in a field must not flood the terminal).
MAX_MESSAGE = 600


def N_(message: str) -> str:
    """Marks a message for translation without translating it (it is translated when shown)."""
    return message


class Phrase:
    """A value of a message that is itself written in the reader's language (a nested message, a
    vocabulary label, a list of them): rendered when the message is, in the same language."""

    def text(self, lang: str) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.text("en")


class Msg(Phrase):
    """A message inside another: ``Problem(N_("{value} is not a date: {hint}"), hint=Msg(N_("write ...")))``."""

    def __init__(self, template: str, /, **params: object):
        self.template, self.params = template, params

    def text(self, lang: str) -> str:
        return render(self.template, self.params, lang)

    def __repr__(self) -> str:
        return f"Msg({self.template!r}, **{self.params!r})"


class Label(Phrase):
    """The label of a vocabulary code in the reader's language (``meeting`` -> "reunión")."""

    def __init__(self, vocabulary: str, code: str):
        self.vocabulary, self.code = vocabulary, code

    def text(self, lang: str) -> str:
        from .labels import label

        return label(self.vocabulary, self.code, lang)


class Number(Phrase):
    """A number in a message, in the reader's format ("131,072"; "131.072" in Spanish)."""

    def __init__(self, value: float):
        self.value = value

    def text(self, lang: str) -> str:
        from .i18n import format_number

        return format_number(self.value, lang, decimals=0 if isinstance(self.value, int) else None)


class Detail(Phrase):
    """A reason another library wrote in English (a parser's): shown as written to an English reader,
    as a general ``instead`` message to any other, who would otherwise read English mid-sentence."""

    def __init__(self, english: str, instead: str):
        self.english, self.instead = english, instead

    def text(self, lang: str) -> str:
        if lang == "en":
            return self.english
        return render(self.instead, {}, lang)


class Listed(Phrase):
    """Several values, each rendered, joined with commas (or ``sep``)."""

    def __init__(self, items: Iterable[object], sep: str = ", "):
        self.items, self.sep = list(items), sep

    def text(self, lang: str) -> str:
        return self.sep.join(str(_value(v, lang)) for v in self.items)


def _value(value: object, lang: str) -> object:
    return value.text(lang) if isinstance(value, Phrase) else value


def render(template: str, params: Mapping[str, object], lang: str = "en") -> str:
    """``template`` (an ``N_`` message) in ``lang``, its values filled in, phrases in ``lang`` too."""
    if lang == "en":
        text = template  # the source language: no catalog to look in
    else:
        from .i18n import gettext_for

        text = gettext_for(lang)(template)
    if not params:
        return text
    return text.format_map({k: v.text(lang) if isinstance(v, Phrase) else v for k, v in params.items()})


class OfaiError(Exception):
    """Base class: the CLI prints ``error.message(lang)`` and exits 1, never a traceback.

    Raise it with an English template marked ``N_`` and its values, so that it can be shown in
    either language: ``OfaiError(N_("unknown axis {axis!r}"), axis=text)``. ``str(error)`` is the
    English text; :meth:`message` the text in ``lang`` through the gettext catalog.
    """

    def __init__(self, message: str = "", /, **params: object):
        self.template = message
        self.params = params
        super().__init__(message)

    def __str__(self) -> str:
        # Written when read: a file of 20,000 bad dates raises 20,000 of these, shown or not.
        template = getattr(self, "template", None)
        if template and self.params:
            if getattr(self, "_english", None) is None:
                self._english = render(template, self.params)  # pydantic reads it more than once
            return self._english
        return super().__str__()

    def message(self, lang: str = "en") -> str:
        template = getattr(self, "template", None)
        if not template:
            return str(self)
        return render(template, self.params, lang)


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
        # Data given in Python or on the command line (``add``) has no file to name.
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        parts = [where] if where else []
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(_("field '{field}'").format(field=self.field))
        message = render(self.message, self.params, lang)
        return clip(": ".join(parts) + f": {message}", MAX_MESSAGE)

    def __str__(self) -> str:
        return self.text("en")

    @classmethod
    def of_error(cls, exc: Exception, *where: object, **at: object) -> Problem:
        """A problem saying what ``exc`` says, in the reader's language when it is an :class:`OfaiError`."""
        if isinstance(exc, OfaiError) and getattr(exc, "template", None):
            return cls(exc.template, *where, **{**at, "params": dict(exc.params)})  # type: ignore[arg-type]
        return cls(str(exc), *where, **at)  # type: ignore[arg-type]


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


class InvalidFile(InvalidData):
    """A file that is not read (a settings file): its problems, without an import's "Nothing was written"."""

    def message(self, lang: str = "en") -> str:
        return "\n".join(p.text(lang) for p in self.problems[:20])


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
        super().__init__(
            N_("{query} is ambiguous; it could be: {names}. Use one of the ids."),
            query=quote(query),
            names=", ".join(self.candidates),
        )


class InvalidValue(OfaiError, ValueError):
    """A value that cannot be read (a date, a country...): a ValueError too, so that model validators
    can raise it and pydantic reports it as a field error, which the importer shows in the reader's
    language (:mod:`ofai_graph.validation`)."""


class UnknownValue(InvalidValue):
    """A value outside a vocabulary (a kind, a country...)."""


class StoreError(OfaiError):
    """The store could not be opened, read or written."""


def kind_of_value(value: object) -> Msg:
    """What sort of value a file holds where another was expected, in words ("a list")."""
    if value is None:
        return Msg(N_("nothing"))
    if isinstance(value, bool):
        return Msg(N_("true or false"))
    if isinstance(value, int | float):
        return Msg(N_("the number {value}"), value=value)
    if isinstance(value, str):
        return Msg(N_("the text {value}"), value=quote(value))
    if isinstance(value, list | tuple):
        return Msg(N_("a list"))
    if isinstance(value, dict):
        return Msg(N_("a mapping of fields"))
    return Msg(N_("a value of another type"))


def os_reason(exc: OSError) -> Msg:
    """Why the system refused a file, in words the reader's language has (the system's own text,
    ``strerror``, is English whatever the language chosen)."""
    import errno

    reasons = {
        errno.ENOENT: N_("it does not exist"),
        errno.EACCES: N_("permission denied"),
        errno.EPERM: N_("permission denied"),
        errno.EISDIR: N_("it is a folder"),
        errno.ENOTDIR: N_("a part of the path is not a folder"),
        errno.EEXIST: N_("a file already has that name"),
        errno.ENOSPC: N_("the disk is full"),
        errno.EROFS: N_("the disk is read-only"),
        errno.ENAMETOOLONG: N_("the name is too long"),
    }
    template = reasons.get(exc.errno or 0)
    if template is not None:
        return Msg(template)
    return Msg(N_("the system says: {reason}"), reason=Detail(exc.strerror or type(exc).__name__, N_("an error")))
