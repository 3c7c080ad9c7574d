"""Labels on a map: how wide a text is, where a long name is wrapped, and which entities get a label
and where, so that no two labels overlap.

Label boxes are estimated from the advance widths of the face the page asks for (:func:`text_width`),
the way vis-network measures them; :func:`place_labels` is greedy, in order of importance.
"""

from __future__ import annotations

import math
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Advance widths (em/100) of Arial / Liberation Sans, the face the page asks for: label boxes are
# estimated from them (measured in Chromium; unknown characters count as wide).
_WIDTHS = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        [
            28,
            28,
            35,
            56,
            56,
            89,
            67,
            19,
            33,
            33,
            39,
            58,
            28,
            33,
            28,
            28,
            56,
            56,
            56,
            56,
            56,
            56,
            56,
            56,
            56,
            56,
            28,
            28,
            58,
            58,
            58,
            56,
            102,
            67,
            67,
            72,
            72,
            67,
            61,
            78,
            72,
            28,
            50,
            67,
            56,
            83,
            72,
            78,
            67,
            78,
            72,
            67,
            61,
            72,
            67,
            94,
            67,
            67,
            61,
            28,
            28,
            28,
            47,
            56,
            33,
            56,
            56,
            50,
            56,
            56,
            28,
            56,
            56,
            22,
            22,
            50,
            22,
            83,
            56,
            56,
            56,
            56,
            33,
            50,
            28,
            56,
            50,
            72,
            50,
            50,
            50,
            33,
            26,
            33,
            58,
        ],
        strict=True,
    )
)


def text_width(text: str, size: float) -> float:
    """The width in pixels of one line of ``text`` at font ``size`` (a slight overestimate)."""
    total = 0
    for ch in text:
        w = _WIDTHS.get(ch)
        if w is None:
            base = unicodedata.normalize("NFD", ch)[:1]
            w = _WIDTHS.get(base, 100)
        total += w
    return total * size / 100 * 1.04


def wrap_label(text: str, width: int = 24, lines: int = 2) -> str:
    """A label of at most ``lines`` lines of about ``width`` characters (an ellipsis if cut).

    >>> wrap_label("Instituto Municipal de Cultura y Turismo de Bucaramanga")
    'Instituto Municipal de\\nCultura y Turismo de…'
    """
    text = " ".join(text.split())
    if len(text) <= width + 4:
        return text
    parts = textwrap.wrap(text, width) or [text]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1].rstrip(" ,.;:·-") + "…"
    return "\n".join(parts)


@dataclass
class LabelBox:
    """A label's text (wrapped) and the box it takes, in pixels."""

    node: str
    text: str
    size: float  # font size
    width: float
    height: float


def _boxes_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _Grid:
    """Rectangles in buckets, for fast collision tests."""

    def __init__(self, cell: float = 80.0):
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float, str]]] = {}

    def _keys(self, r: tuple[float, float, float, float]) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor(r[0] / c), math.floor(r[2] / c) + 1):
            for j in range(math.floor(r[1] / c), math.floor(r[3] / c) + 1):
                yield i, j

    def add(self, r: tuple[float, float, float, float], owner: str) -> None:
        for k in self._keys(r):
            self.cells.setdefault(k, []).append((*r, owner))

    def hits(self, r: tuple[float, float, float, float], owner: str) -> bool:
        for k in self._keys(r):
            for o in self.cells.get(k, ()):
                if o[4] != owner and _boxes_overlap(r, o[:4]):
                    return True
        return False


def place_labels(
    order: Sequence[str],
    pos: dict[str, tuple[float, float]],
    radius: dict[str, float],
    labels: dict[str, LabelBox],
    *,
    must: set[str],
    budget: int,
    box: tuple[float, float, float, float],
    obstacles: Sequence[tuple[float, float, float, float]] = (),
    soft: Sequence[tuple[float, float, float, float]] = (),
) -> dict[str, float]:
    """Which nodes get a label and where (the vis-network ``vadjust``: 0 below, negative above).

    Greedy in order of importance: a label goes below its node, else above, and only where it
    overlaps no placed label or ``obstacles``, no node or ``soft`` obstacle (a route's line), and
    stays inside ``box``; the ``must`` nodes (the office, routes, focus) come first and are
    labelled even where they would touch a node or a line.
    """
    placed: dict[str, float] = {}
    text_grid = _Grid()
    for rect in obstacles:
        text_grid.add(rect, "")
    node_grid = _Grid()
    for rect in soft:  # avoided like nodes: the routes' lines
        node_grid.add(rect, "")
    for n in pos:
        x, y = pos[n]
        r = radius[n]
        node_grid.add((x - r, y - r, x + r, y + r), n)
    pad = 2.0
    for n in order:
        if n not in labels:
            continue
        if n not in must and len(placed) - len(must & set(placed)) >= budget:
            continue
        lab = labels[n]
        x, y = pos[n]
        r = radius[n]
        half = lab.width / 2 + pad
        # vis-network puts a label's box at y + r + size/2 + 4 and moves the text by vadjust.
        below = y + r + lab.size / 2 + 4
        above = -(2 * r + lab.height + lab.size / 2 + 8)
        options = [(0.0, below), (above, below + above)]
        if n in must:
            step = lab.height * 0.8
            options += [(step, below + step), (above - step, below + above - step)]
        chosen = None
        for strict in (True, False) if n in must else (True,):
            for vadjust, top in options:
                rect = (x - half, top - pad, x + half, top + lab.height + pad)
                if rect[0] < box[0] or rect[2] > box[2] or rect[1] < box[1] or rect[3] > box[3]:
                    continue
                if text_grid.hits(rect, n) or (strict and node_grid.hits(rect, n)):
                    continue
                chosen = (vadjust, rect)
                break
            if chosen:
                break
        if chosen is None:
            continue
        placed[n] = chosen[0]
        text_grid.add(chosen[1], n)
    return placed
