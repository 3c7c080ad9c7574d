"""A rendered map: the page and its numbers, saved as HTML, SVG, PNG or PDF (nothing half-written)."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

from ..errors import N_, OfaiError, os_reason
from .handouts import print_pdf, screenshot, to_svg
from .page import Page

FORMATS = ("html", "svg", "png", "pdf")


@dataclass
class Map:
    """A rendered map: ``save()`` it (html, svg, png, pdf), or let Jupyter show it inline."""

    html: str
    node_count: int
    edge_count: int
    highlighted: list[str]
    page: Page
    as_of: dt.date | None = None
    tie_count: int | None = None  # the ties among the drawn entities, drawn or not (see .backbone)

    def save(self, path: str | Path, *, fmt: str | None = None) -> Path:
        """Write the map; ``fmt`` (or the file's suffix) is html, svg, png or pdf. Nothing is half-written."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".") or "html").lower()
        if fmt not in FORMATS:
            raise OfaiError(N_("unknown map format {fmt!r}: use {formats}"), fmt=fmt, formats=", ".join(FORMATS))
        if not path.parent.is_dir():
            raise OfaiError(N_("{path}: the folder {folder} does not exist"), path=path, folder=path.parent)
        data: bytes
        if fmt == "html":
            data = self.html.encode("utf-8")
        elif fmt == "svg":
            data = self.svg().encode("utf-8")
        elif fmt == "png":
            data = self.png()
        else:
            data = self.pdf()
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OfaiError(N_("{path}: cannot write the map: {reason}"), path=path, reason=os_reason(exc)) from None
        return path

    def __repr__(self) -> str:
        # The page is close to a megabyte: a notebook or a log shows one line, not the page.
        return f"<Map {self.node_count} nodes, {self.edge_count} edges, {len(self.html):,} bytes of HTML>"

    def svg(self) -> str:
        return to_svg(self.page)

    def png(self) -> bytes:
        return screenshot(self.html)

    def pdf(self) -> bytes:
        return print_pdf(self.html, as_of=self.as_of)

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:680px;border:0" sandbox="allow-scripts"></iframe>'
        )
