"""One language per output: choosing it, translating messages, writing dates and numbers.

The office works in Spanish; English is the fallback. Messages are standard gettext catalogs
(domain ``ofai_graph``) kept as ``.po`` files under ``ofai_graph/locale`` and managed with Babel
(``pybabel extract/update/compile``, see ``docs/translating.md``). Vocabulary labels come from
:mod:`ofai_graph.labels`. Nothing here holds global state: callers pass ``lang``.

>>> resolve_lang("es")
'es'
>>> format_date("2024-Q1", "es")
'primer trimestre de 2024'
>>> format_date("2024-02-12", "es")
'12 de febrero de 2024'
>>> format_date("2024-08", "en")
'August 2024'
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from .errors import N_, OfaiError

LANGS: tuple[str, ...] = ("es", "en")
DEFAULT_LANG = "en"
DOMAIN = "ofai_graph"

_ORDINAL_QUARTER = {
    "es": ("primer", "segundo", "tercer", "cuarto"),
    "en": ("first", "second", "third", "fourth"),
}
_BABEL_LOCALE = {"es": "es_CO", "en": "en_US"}


class UnknownLanguage(OfaiError, ValueError):
    """A language this project has no catalog for."""


def resolve_lang(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The output language: ``explicit``, else ``OFAI_GRAPH_LANG``, else the locale, else English.

    ``explicit`` and ``OFAI_GRAPH_LANG`` must name a supported language (``es``, ``en``; a region
    such as ``es_CO`` is accepted); the locale variables (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) are
    only a hint, so an unsupported locale falls back to English instead of failing.
    """
    env = os.environ if environ is None else environ
    for value in (explicit, env.get("OFAI_GRAPH_LANG")):
        if value:
            lang = _normalize(value)
            if lang is None:
                raise UnknownLanguage(
                    N_("unknown language {value!r}: use one of {languages}"), value=value, languages=", ".join(LANGS)
                )
            return lang
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            # The first locale variable set decides, as in POSIX; "C" means no preference.
            return _normalize(value) or DEFAULT_LANG
    return DEFAULT_LANG


def _normalize(value: str) -> str | None:
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGS else None


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The gettext catalog for ``lang`` (English is the source language: no catalog needed)."""
    localedir = resources.files("ofai_graph") / "locale"
    return gettext.translation(DOMAIN, localedir=str(localedir), languages=[lang], fallback=True)


def gettext_for(lang: str) -> Callable[[str], str]:
    """``_`` for one language: ``_ = gettext_for("es"); _("Routes from {source} to {target}")``."""
    return translator(lang).gettext


def ngettext_for(lang: str) -> Callable[[str, str, int], str]:
    return translator(lang).ngettext


def format_date(value: Any, lang: str = DEFAULT_LANG) -> str:
    """A date as people write it, at its own precision (day, month, quarter or year).

    Accepts a :class:`~ofai_graph.dates.PartialDate`, a ``datetime.date`` or text (``2024-Q1``).
    Spanish goes through Babel's CLDR data; English, the default, is written directly in the same
    form as Babel's ``en_US`` (a test holds them equal), so a command in English loads no CLDR data.
    """
    from .dates import PartialDate, Precision

    d = PartialDate.parse(value)
    if d.precision is Precision.quarter:
        ordinal = _ORDINAL_QUARTER.get(lang, _ORDINAL_QUARTER["en"])[(d.start.month - 1) // 3]
        if lang == "es":
            return f"{ordinal} trimestre de {d.start.year}"
        return f"{ordinal} quarter of {d.start.year}"
    if d.precision is Precision.year:
        return str(d.start.year)
    if lang not in _BABEL_LOCALE or lang == "en":
        month = _EN_MONTHS[d.start.month - 1]
        if d.precision is Precision.day:
            return f"{month} {d.start.day}, {d.start.year}"
        return f"{month} {d.start.year}"
    from babel.dates import format_date as babel_date
    from babel.dates import format_skeleton

    loc = _BABEL_LOCALE[lang]
    if d.precision is Precision.day:
        return babel_date(d.start, format="long", locale=loc)
    return format_skeleton("yMMMM", dt.datetime(d.start.year, d.start.month, 1), locale=loc)


_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_number(value: float | int, lang: str = DEFAULT_LANG, *, decimals: int | None = None) -> str:
    """A number in the language's format (``1.234,5`` in Spanish, ``1,234.5`` in English).

    Without ``decimals``, up to three as needed (CLDR's pattern). English is written directly, as
    Babel's ``en_US`` writes it (see :func:`format_date`).
    """
    if lang not in _BABEL_LOCALE or lang == "en":
        return _en_number(value, decimals)
    from babel.numbers import format_decimal

    loc = _BABEL_LOCALE[lang]
    if decimals is None:
        return format_decimal(value, locale=loc)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=loc)


def _en_number(value: float | int, decimals: int | None) -> str:
    from decimal import ROUND_HALF_EVEN, Decimal

    exact = Decimal(str(value))
    places = 3 if decimals is None else decimals
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{rounded:,.{places}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


STRENGTH_DECIMALS = 2
"""Strength scores (0 to 1) are written with two decimals everywhere a person reads them: tables,
profiles, routes, map tooltips, reports. ``--json`` keeps the full number."""


def format_strength(value: float, lang: str = DEFAULT_LANG) -> str:
    """A strength score as every output writes it: two decimals, the language's decimal sign.

    A score above zero too small for two decimals reads "<0.01", not "0.00" (a route of weak links
    is weak, not absent).

    >>> format_strength(0.2174, "es"), format_strength(0.2174, "en"), format_strength(0.004, "es")
    ('0,22', '0.22', '<0,01')
    """
    if 0 < value < 10**-STRENGTH_DECIMALS / 2:
        return "<" + format_strength(10**-STRENGTH_DECIMALS, lang)
    return f"{value:.{STRENGTH_DECIMALS}f}".replace(".", _decimal_sign(lang))


@cache
def _decimal_sign(lang: str) -> str:
    # Babel once per language: a map formats thousands of scores.
    if lang not in _BABEL_LOCALE or lang == "en":
        return "."
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(_BABEL_LOCALE[lang])


def format_percent(value: float, lang: str = DEFAULT_LANG) -> str:
    from babel.numbers import format_percent as babel_percent

    return babel_percent(value, locale=_BABEL_LOCALE.get(lang, "en_US"))
