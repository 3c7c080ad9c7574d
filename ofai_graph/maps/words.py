"""The page's language: every number, date, kind, tie and line of evidence a map shows, and the page's own words."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..i18n import format_date, format_number, format_strength, gettext_for, ngettext_for
from ..labels import label
from ..strength import StrengthConfig
from .history import AXES

if TYPE_CHECKING:
    from .history import History


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class Words:
    """The page's language: every phase formats numbers, dates and codes through this one object."""

    lang: str
    cfg: StrengthConfig
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    decimal: str
    dates: dict[Any, str] = field(default_factory=dict)

    @classmethod
    def of(cls, lang: str, cfg: StrengthConfig) -> Words:
        # Babel once, not once per tooltip: the decimal sign is all a score needs.
        decimal = format_number(1.5, lang, decimals=1)[1]
        return cls(lang, cfg, gettext_for(lang), ngettext_for(lang), decimal)

    def num(self, x: float) -> str:
        return format_strength(x, self.lang)

    def when(self, value: Any) -> str:
        # Thousands of ties share a few hundred dates: Babel is the slow part of a tooltip.
        if value not in self.dates:
            self.dates[value] = format_date(value, self.lang)
        return self.dates[value]

    def tier(self, score: float) -> str:
        return label("Tier", self.cfg.tier(score), self.lang)

    def kind(self, kind: str) -> str:
        if kind in ("person", "country"):
            return label("EntityType", kind, self.lang)
        return label("OrgKind", kind, self.lang)

    def ties(self, ties: Iterable[str]) -> str:
        """ "Ties: member of, works at" for a tie's kinds (tooltips and route evidence alike)."""
        _ = self.gettext
        kinds = [label("TieKind", t, self.lang) if t != "affiliation" else _("works at") for t in ties]
        return _("Ties: {kinds}").format(kinds=", ".join(dict.fromkeys(kinds)))

    def interaction(self, x: Any) -> str:
        """One line of evidence: date · kind · title."""
        return f"{self.when(str(x.date))} · {label('InteractionKind', x.kind, self.lang)} · {x.title}"


def page_texts(words: Words) -> dict[str, str]:
    """The page's own words (controls, panel headings, the tooltips it writes on hover)."""
    _, ngettext = words.gettext, words.ngettext
    return {
        "search": _("Search an entity"),
        "legend": _("Legend"),
        "toggle": _("Click to hide or show"),
        "tier": _("Strength of the tie"),
        "axis": _("Strategic axis"),
        "allAxes": _("All axes"),
        "quarter": _("Quarter"),
        "routes": _("Routes"),
        "number": _("No."),
        "route": _("Route"),
        "score": _("Score"),
        "evidence": _("Evidence"),
        "hint": _("Zoom in or hover over an entity to see the other names."),
        "strength": _("Strength {score} ({tier})"),
        "interaction": ngettext("{n} interaction", "{n} interactions", 1),
        "interactions": ngettext("{n} interaction", "{n} interactions", 2),
        "latest": _("the latest {date}"),
    }


def filter_controls(words: Words, past: History | None) -> dict[str, Any]:
    lang = words.lang
    return {
        "tiers": [{"code": t, "label": label("Tier", t, lang)} for t in ("strong", "medium", "weak", "cold")],
        "thresholds": {k: float(v) for k, v in words.cfg.tiers.items()},
        "axes": [{"code": a, "label": label("Axis", a, lang)} for a in AXES] if past and past.axes else [],
    }
