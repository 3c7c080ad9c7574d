"""The command line in one language: our messages, our help texts and click's own words.

Every message the CLI writes goes through :func:`_`. Help texts (docstrings, ``help=``, ``epilog=``)
are plain English in the decorators, because click reads them at import time, before ``--lang`` is
known: :mod:`ofai_graph_cli.babel_extract` puts them in the catalog and :func:`localize` translates
the command tree before click parses anything (``_N`` marks the few other texts translated there, such
as argument names). Values are written the reader's way: :func:`label` for codes, :func:`date` and
:func:`num` for dates and numbers, :class:`VocabChoice` for options that take a code. Click's own messages ("Usage:", "Error: ...", "Show this message and exit.") are looked up in
our catalog too (:func:`localize_click`; they are listed in :mod:`ofai_graph_cli.click_messages`), so
with ``--lang es`` nothing on the screen is English.

The language is chosen before parsing (:func:`language_from_argv`): ``--lang`` anywhere on the command
line, else ``OFAI_GRAPH_LANG``, else the locale, else English. An unknown ``--lang`` is left to click,
which reports it as a usage error listing the languages.
"""

from __future__ import annotations

import contextvars
import copy
import os
from collections.abc import Mapping, Sequence
from enum import Enum

import click

from ofai_graph.errors import N_ as _N
from ofai_graph.i18n import UnknownLanguage, gettext_for, ngettext_for, resolve_lang

__all__ = [
    "_N",
    "VersionMessage",
    "VocabChoice",
    "WordChoice",
    "_",
    "country",
    "current",
    "date",
    "kind_label",
    "label",
    "language_from_argv",
    "localize",
    "ngettext",
    "num",
    "strength",
    "use",
    "yes_no",
]

_current: contextvars.ContextVar[str] = contextvars.ContextVar("ofai_graph_cli_lang", default="en")

# Click writes a type's name in capitals where an option takes a value (--top INTEGER RANGE).
_METAVARS = {
    "text": _N("TEXT"),
    "integer": _N("INTEGER"),
    "integer range": _N("INTEGER"),
    "float": _N("NUMBER"),
    "float range": _N("NUMBER"),
    "number": _N("NUMBER"),
    "path": _N("PATH"),
    "file": _N("FILE"),
    "date": _N("DATE"),
    "kind": _N("KIND"),
    "boolean": _N("BOOLEAN"),
}


# The type names click writes in "'abc' is not a valid {number_type}".
_NUMBER_NAMES = {
    "integer": _N("whole number"),
    "integer range": _N("whole number"),
    "float": _N("number"),
    "float range": _N("number"),
    "number": _N("number"),
}


def current() -> str:
    """The language of this invocation."""
    return _current.get()


def use(lang: str) -> None:
    """Make ``lang`` the language of this invocation (our messages and click's)."""
    _current.set(lang)
    localize_click(lang)


def _(message: str) -> str:
    """``message`` in the invocation's language."""
    return gettext_for(_current.get())(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return ngettext_for(_current.get())(singular, plural, n)


def language_from_argv(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language asked for on the command line (``--lang es`` or ``--lang=es``), the environment
    or the locale; English when the value given is unknown (click then reports the usage error)."""
    env = os.environ if environ is None else environ
    explicit = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            explicit = argv[i + 1]
        elif arg.startswith("--lang="):
            explicit = arg.split("=", 1)[1]
    try:
        return resolve_lang(explicit, env)
    except UnknownLanguage:
        try:
            return resolve_lang(None, env)
        except UnknownLanguage:
            return "en"


def localize_click(lang: str) -> None:
    """Point click's own gettext calls at our catalog for ``lang``.

    Click's modules call the functions they imported as ``_`` and ``ngettext`` from :mod:`gettext`,
    which read the process-wide default domain; rebinding them in those modules is the one place
    where this program touches another library's globals, and only in the CLI process.
    """
    import sys

    tr = gettext_for(lang)
    ntr = ngettext_for(lang)
    # Only the modules click has loaded: the completion and editor helpers stay unloaded at start-up.
    for name, module in list(sys.modules.items()):
        if not (name == "click" or name.startswith("click.")) or module is None:
            continue
        if hasattr(module, "_"):
            module._ = tr  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ntr  # type: ignore[attr-defined]


def localize(command: click.Command, lang: str) -> None:
    """Translate the help texts of ``command`` and of every command under it, in place.

    Help texts are marked ``_N`` where they are written and kept in English on the objects
    (``_original``), so localizing twice in one process (tests) starts from the English each time.
    """
    from .babel_extract import message_key

    tr = gettext_for(lang)

    def tx(obj: object, attr: str) -> None:
        store = obj.__dict__.setdefault("_original", {})
        if attr not in store:
            store[attr] = getattr(obj, attr, None)
        value = store[attr]
        if isinstance(value, str) and value.strip():
            key = message_key(value)
            translated = tr(key)
            setattr(obj, attr, value if translated == key else translated)

    def visit(cmd: click.Command) -> None:
        for attr in ("help", "short_help", "epilog"):
            tx(cmd, attr)
        store = cmd.__dict__.setdefault("_original", {})
        store.setdefault("options_metavar", cmd.options_metavar)
        cmd.options_metavar = tr("[OPTIONS]") if store["options_metavar"] == "[OPTIONS]" else store["options_metavar"]
        for param in cmd.params:
            if isinstance(param, click.Option):
                tx(param, "help")
            pstore = param.__dict__.setdefault("_original", {})
            if "metavar" not in pstore:
                pstore["metavar"] = param.metavar
            if pstore["metavar"] is not None:
                param.metavar = tr(pstore["metavar"])
            elif isinstance(param, click.Argument):
                param.metavar = tr(param.name.upper()) if param.name else None
                if lang == "en":
                    param.metavar = None
            elif isinstance(param, click.Option) and param.secondary_opts and param.is_flag:
                # "--timeline / --no-timeline  [default: timeline]": the default as yes or no instead.
                pstore.setdefault("show_default", param.show_default)
                if pstore["show_default"] is True:
                    param.show_default = yes_no(bool(param.default))
            elif isinstance(param, click.Option) and isinstance(param.type, WordChoice):
                pstore.setdefault("show_default", param.show_default)
                if pstore["show_default"] and isinstance(param.default, str):
                    param.show_default = _(param.type.choices.get(param.default, param.default))
            elif isinstance(param, click.Option) and isinstance(param.type, VocabChoice):
                # The default is shown as the reader's word for it, not as its code.
                pstore.setdefault("show_default", param.show_default)
                if pstore["show_default"] and isinstance(param.default, str):
                    param.show_default = label(param.type.vocabulary.__name__, param.default)
            elif isinstance(param, click.Option) and not param.is_flag and not param.count:
                pstore.setdefault("type", param.type)
                name = getattr(pstore["type"], "name", "")
                if isinstance(pstore["type"], click.types._NumberParamTypeBase) and name in _NUMBER_NAMES:
                    # Click names the type in its error ("'abc' is not a valid integer range"): in words
                    # of the reader's language, on a copy (click.INT is shared by every option).
                    param.type = copy.copy(pstore["type"])
                    param.type.name = tr(_NUMBER_NAMES[name]) if lang != "en" else name
                metavar = _METAVARS.get(name)
                param.metavar = tr(metavar) if metavar and lang != "en" else None
                # A number shown as the default in the reader's format ("32", not "32.0").
                pstore.setdefault("show_default", param.show_default)
                default = param.default
                if pstore["show_default"] is True and isinstance(default, int | float) and not isinstance(default, bool):
                    param.show_default = num(default, 0 if float(default).is_integer() else 2)
        # Click makes the --help option once per command and keeps it: its text is translated here too.
        help_option = getattr(cmd, "_help_option", None)
        if isinstance(help_option, click.Option):
            help_option.help = tr("Show this message and exit.")
        if isinstance(cmd, click.Group):
            store.setdefault("subcommand_metavar", cmd.subcommand_metavar)
            cmd.subcommand_metavar = tr(store["subcommand_metavar"])
            # (a lazy group's commands not imported yet are translated when they are: LazyCommands)
            loaded = getattr(cmd.commands, "loaded", cmd.commands)
            for sub in loaded.values():
                visit(sub)

    visit(command)


# -- writing values the way a reader of this language expects --------------------------------------


def label(vocabulary: str, code: object) -> str:
    """A vocabulary code as words ("call_for_proposals" -> "convocatoria"); empty for None."""
    from ofai_graph.labels import label as vocab_label

    if code is None or code == "":
        return ""
    return vocab_label(vocabulary, code, current())  # type: ignore[arg-type]


def kind_label(kind: object) -> str:
    """An entity's kind: an organization kind, or person / country."""
    if kind in ("person", "country", "organization"):
        return label("EntityType", kind)
    return label("OrgKind", kind)


def country(code: str) -> str:
    """A country by its name in the invocation's language ("Corea del Sur", not "KR")."""
    from ofai_graph.countries import name_en, name_es

    return name_es(code) if current() == "es" else name_en(code)


def date(value: object) -> str:
    """A date at its own precision, in words ("primer trimestre de 2024"); "—" for none."""
    from ofai_graph.i18n import format_date

    if value is None or value == "":
        return "—"
    return format_date(value, current())


def num(value: float, decimals: int = 2) -> str:
    from ofai_graph.i18n import format_number

    return format_number(value, current(), decimals=decimals)


def strength(value: float) -> str:
    """A strength score, written as every output writes one (:func:`ofai_graph.i18n.format_strength`)."""
    from ofai_graph.i18n import format_strength

    return format_strength(value, current())


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


class VersionMessage(str):
    """``--version``'s message, translated when click fills it in (click fixes it at import time)."""

    def __mod__(self, values: object) -> str:
        return _(str(self)) % values


class VocabChoice(click.ParamType):
    """A value of a closed vocabulary, given as its code or its label in either language.

    ``--kind reunión``, ``--kind meeting`` and ``--kind Reunion`` are the same; the command receives
    the code. Help lists the labels of the invocation's language, so a Spanish screen shows
    "reunión", not "meeting".
    """

    name = "choice"

    def __init__(self, vocabulary: type[Enum]) -> None:
        self.vocabulary = vocabulary

    def _labels(self) -> list[str]:
        return [label(self.vocabulary.__name__, m.value) for m in self.vocabulary]

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self._labels()) + "]"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from ofai_graph.labels import LABELS
        from ofai_graph.text import fold_key

        text = fold_key(str(value))
        table = LABELS.get(self.vocabulary.__name__, {})
        for member in self.vocabulary:
            names = (member.value, *table.get(member.value, ()))
            if text in {fold_key(n) for n in names}:
                return member.value
        try:
            return self.vocabulary(str(value)).value  # the model's own synonyms ("reunion", "mou")
        except ValueError:
            near = getattr(self.vocabulary, "closest", lambda _t: None)(str(value))
            if near is not None:
                self.fail(
                    _("{value!r} is not one of the choices; did you mean '{suggestion}'?").format(
                        value=value, suggestion=label(self.vocabulary.__name__, near.value)
                    ),
                    param,
                    ctx,
                )
            self.fail(
                _("{value!r} is not one of: {choices}").format(value=value, choices=", ".join(self._labels())),
                param,
                ctx,
            )


class WordChoice(click.ParamType):
    """One of a few modes (``--color-by kind``), accepted as its code or its word in either language,
    and listed in the reader's language. ``choices`` maps each code to its English word, marked ``_N``."""

    name = "choice"

    def __init__(self, choices: Mapping[str, str]) -> None:
        self.choices = dict(choices)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(_(word) for word in self.choices.values()) + "]"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from ofai_graph.i18n import LANGS
        from ofai_graph.text import fold_key

        text = fold_key(str(value))
        for code, word in self.choices.items():
            if text in {fold_key(code), *(fold_key(gettext_for(lang)(word)) for lang in LANGS)}:
                return code
        self.fail(
            _("{value!r} is not one of: {choices}").format(
                value=value, choices=", ".join(_(w) for w in self.choices.values())
            ),
            param,
            ctx,
        )
