"""Text folding shared by every look-up, so "Corea", "corea" and "CORÉA" meet."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Accent- and case-insensitive key: ``fold("Cámara  de Comercio") == "camara de comercio"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_key(text: str) -> str:
    """A stricter key that also ignores punctuation: "APC-Colombia" and "apc colombia" are one key."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def slugify(text: str) -> str:
    """A stable id from a display name: ``slugify("Cámara de Comercio") == "camara-de-comercio"``."""
    return _NON_WORD.sub("-", fold(text)).strip("-")
