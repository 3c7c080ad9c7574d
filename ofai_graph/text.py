"""Text folding shared by every look-up, so "Corea", "corea" and "CORÉA" meet."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_SPACES = re.compile(r"\s+")

# C0 controls, DEL and C1 controls: never in a one-line text; long texts keep tab and line feed.
# (Patterns for pydantic-core's Rust regex and Python's re alike.)
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Accent- and case-insensitive key: ``fold("Cámara  de Comercio") == "camara de comercio"``."""
    if text.isascii():  # nothing to decompose, and casefold is lower: a tenth of the time
        return _SPACES.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_key(text: str) -> str:
    """A stricter key that also ignores punctuation: "APC-Colombia" and "apc colombia" are one key."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def slugify(text: str) -> str:
    """A stable id from a display name: ``slugify("Cámara de Comercio") == "camara-de-comercio"``."""
    return _NON_WORD.sub("-", fold(text)).strip("-")


def control_character(text: str, *, allow: str = "") -> str | None:
    """The first control character of ``text`` not in ``allow``, written ``U+001B``, or None."""
    for m in _CONTROL.finditer(text):
        if m.group() not in allow:
            return f"U+{ord(m.group()):04X}"
    return None


def printable(text: str) -> str:
    r"""``text`` safe for a terminal: control characters other than tab and newline shown as
    ``\x1b`` instead of sent raw (they would set colours, window titles, clear the screen).

    >>> printable("a\x1b[2Jb\nc")
    'a\\x1b[2Jb\nc'
    """
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: m.group() if m.group() in "\t\n" else repr(m.group())[1:-1], text)


CLIP = 80


def clip(value: object, limit: int = CLIP) -> str:
    """``value`` as text, cut to ``limit`` characters with "…": every value quoted in a message goes
    through here, so that a hostile input (a megabyte id, an alias bomb) cannot make a giant message."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(value: object, limit: int = CLIP) -> str:
    """``repr`` of a value for a message, capped like :func:`clip` (the repr itself, not the value,
    is cut, so escapes such as ``\\x1b`` show instead of reaching the terminal raw)."""
    if isinstance(value, str):
        # Cut before repr: the repr of a 100 MB string is itself 100 MB.
        return clip(repr(value[:limit]), limit) if len(value) > limit else clip(repr(value), limit)
    import reprlib

    # reprlib bounds the work on containers too (a nested list of millions of strings).
    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxdict = 3, 8, 8
    short.maxstring = short.maxother = limit
    return clip(short.repr(value), limit)


SIMILAR = 87.0
"""How similar (:func:`_similarity`, 0-100, accents and case aside) a word must be to another to be
offered as "did you mean". Typos keep the start of a word and Jaro-Winkler weighs it: a letter or two wrong,
doubled or swapped ("meetingg", "reunon", "coutnries", "country" for "countries") scores 90 or more,
while words that merely share letters ("Narnia" and "Armenia", "casa" and "cosa", "comida" and
"company") score 85 or less. Measured on the typos in tests/test_suggestions.py."""


def closest(text: str, choices: Iterable[str], *, cutoff: float = SIMILAR) -> str | None:
    """The choice ``text`` most likely misspells, or None when none is close enough.

    >>> closest("meetingg", ["meeting", "visit"]), closest("Reunon", ["reunión", "visita"])
    ('meeting', 'reunión')
    >>> closest("almuerzo", ["meeting", "visit", "reunión", "visita"]) is None
    True
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    options = tuple(dict.fromkeys(choices))
    if not options or not text.strip():
        return None
    query = fold(text)
    near = process.extract(query, _folded(options), scorer=_similarity, score_cutoff=cutoff, limit=None)
    if not near:
        return None
    # Close enough; the fewest letters to change decides ("reinión" is "reunión",
    # one letter away, though "remisión" shares a longer start).
    best = min(near, key=lambda m: (Levenshtein.distance(query, m[0]), -m[1]))
    return options[best[2]]


def _similarity(a: str, b: str, *, score_cutoff: float | None = None, **_: object) -> float:
    """Jaro-Winkler (short words: a typo keeps the start) or the plain ratio (long names, where one
    wrong letter moves Jaro-Winkler more than it should), whichever is higher; 0-100. One letter
    added, dropped, changed or two swapped in a word of five letters or more is a typo whatever
    those say ("ofrerer" for "offerer")."""
    from rapidfuzz import fuzz
    from rapidfuzz.distance import OSA, JaroWinkler

    if min(len(a), len(b)) >= 5 and OSA.distance(a, b, score_cutoff=1) <= 1:
        return 100.0
    return max(JaroWinkler.normalized_similarity(a, b) * 100, fuzz.ratio(a, b))


@lru_cache(maxsize=64)
def _folded(options: tuple[str, ...]) -> list[str]:
    # The same vocabulary or key list is searched for every typo of a file: fold it once.
    return [fold(o) for o in options]
