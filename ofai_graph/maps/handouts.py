"""Handouts of a map: SVG (drawn here), PNG and one-page PDF (drawn by headless Chromium).

Each shows the title, the as-of date and the legend (and a route map's routes), with nothing cut
off; every text is escaped. PNG and PDF drive Debian's Chromium through Playwright (the ``png``
extra) and are the same bytes on every run.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import N_, Detail, OfaiError
from .clearing import curve_via
from .labelling import text_width
from .page import Page, page_data


def _svg_shape(shape: str, x: float, y: float, r: float, attrs: str) -> str:
    def poly(points: Iterable[tuple[float, float]]) -> str:
        return f'<polygon points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}" {attrs}/>'

    if shape == "star":
        pts = []
        for k in range(10):
            rr = r * 1.1 if k % 2 == 0 else r * 0.45
            a = -math.pi / 2 + k * math.pi / 5
            pts.append((x + rr * math.cos(a), y + rr * math.sin(a)))
        return poly(pts)
    if shape == "diamond":
        return poly([(x, y - r), (x + r, y), (x, y + r), (x - r, y)])
    if shape == "triangle":
        return poly([(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)])
    if shape == "triangleDown":
        return poly([(x - r, y - r * 0.8), (x + r, y - r * 0.8), (x, y + r)])
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {attrs}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {attrs}/>'


def to_svg(page: Page) -> str:
    """A static SVG of the map for slides: the first view of the page, with title, date and legend.

    Same positions, colours, sizes, widths and labels as the page; every text escaped; the canvas
    is sized so that nothing is cut off.
    """
    esc = html.escape
    data = page_data(page)
    view = data["view"]
    vw, vh = float(view["width"]), float(view["height"])
    legend_w = 300
    header = 76
    # The side panel is laid out first: its height decides the canvas's.
    side, bottom = _svg_side(page, vw + 16, header + 8, legend_w - 28)
    width = int(vw + legend_w)
    height = int(max(vh + header, bottom + 16))
    ox, oy = vw / 2, header + vh / 2
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Arial, Liberation Sans, Helvetica, sans-serif">',
        f"<title>{esc(page.title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="16" y="32" font-size="22" font-weight="bold">{esc(page.title)}</text>',
        f'<text x="16" y="56" font-size="14" fill="#555">{esc(page.subtitle)}</text>',
        f'<line x1="0" y1="{header - 6}" x2="{width}" y2="{header - 6}" stroke="#ddd"/>',
    ]
    pos = {str(n["id"]): (ox + float(n["x"]), oy + float(n["y"])) for n in page.nodes}
    for e in page.edges:
        (x1, y1), (x2, y2) = pos[str(e["from"])], pos[str(e["to"])]
        color = (
            e["color"]["color"]
            if isinstance(e.get("color"), dict)
            else str(page.meta.get("edgeColor", "#a8a8a8"))
        )
        dash = ' stroke-dasharray="6 4"' if e.get("dashes") else ""
        title = f"<title>{esc(e['tooltip'])}</title>" if e.get("tooltip") else ""
        stroke = f'stroke="{esc(color)}" stroke-width="{float(e.get("width", 1)):.2f}"{dash}'
        smooth = e.get("smooth")
        if isinstance(smooth, dict) and smooth.get("enabled"):
            # The curve the page draws round an entity (placement._bend).
            vx, vy = curve_via((x1, y1), (x2, y2), str(smooth["type"]), float(smooth["roundness"]))
            d = f"M {x1:.1f} {y1:.1f} Q {vx:.1f} {vy:.1f} {x2:.1f} {y2:.1f}"
            out.append(f'<path d="{d}" fill="none" {stroke}>{title}</path>')
        else:
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {stroke}>{title}</line>'
            )
    for e in page.edges:
        if e.get("routeLabel"):
            (x1, y1), (x2, y2) = pos[str(e["from"])], pos[str(e["to"])]
            t = float(e.get("routeAt", 0.5))
            x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            size = float(e["routeFont"])
            w = text_width(str(e["routeLabel"]), size) + 10
            ink = esc(e["color"]["color"])
            out.append(
                f'<rect x="{x - w / 2:.1f}" y="{y - size * 0.75:.1f}" width="{w:.1f}" height="{size * 1.5:.1f}" rx="4" '
                f'fill="white" stroke="{ink}" stroke-width="1.5"/>'
                f'<text x="{x:.1f}" y="{y + size * 0.36:.1f}" font-size="{size}" font-weight="bold" '
                f'text-anchor="middle" fill="{ink}">{esc(str(e["routeLabel"]))}</text>'
            )
    for n in page.nodes:
        x, y = pos[str(n["id"])]
        color = n["color"]
        r = float(n.get("size", 10))
        attrs = (
            f'fill="{esc(color["background"])}" stroke="{esc(color["border"])}" '
            f'stroke-width="{float(n.get("borderWidth", 1)):.1f}"'
        )
        out.append(
            f"<g>{_svg_shape(str(n.get('shape', 'dot')), x, y, r, attrs)}<title>{esc(n.get('tooltip', ''))}</title></g>"
        )
    for n in page.nodes:
        if not n.get("label"):
            continue
        x, y = pos[str(n["id"])]
        r = float(n.get("size", 10))
        font = n["font"]
        size = float(font["size"])
        lines = str(n["label"]).split("\n")
        top = y + r + float(font.get("vadjust", 0))
        weight = ""
        for k, line in enumerate(lines):
            out.append(
                f'<text x="{x:.1f}" y="{top + size * (k + 0.95):.1f}" font-size="{size}" text-anchor="middle"{weight} '
                f'fill="{esc(font["color"])}" stroke="white" stroke-width="3" paint-order="stroke">{esc(line)}</text>'
            )
    out += side
    out.append(f'<line x1="{vw}" y1="{header - 6}" x2="{vw}" y2="{height}" stroke="#ddd"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_side(page: Page, lx: float, ly: float, room: float) -> tuple[list[str], float]:
    """The SVG's side panel (legend, marks, routes) from (lx, ly), lines wrapped to ``room`` px."""
    esc = html.escape
    out = [
        f'<text x="{lx}" y="{ly + 14}" font-size="15" font-weight="bold">{esc(page.texts.get("legend", ""))}</text>'
    ]
    ly += 34

    def lines(text: str, size: float, indent: float) -> list[str]:
        chars = max(10, int((room - indent) / (size * 0.6)))
        return textwrap.wrap(text, chars) or [""]

    for item in list(page.legend) + list(page.marks):
        shape = str(item.get("shape", "dot"))
        if shape == "line":
            dash = ' stroke-dasharray="4 3"' if item.get("border") == "dashed" else ""
            out.append(
                f'<line x1="{lx}" y1="{ly}" x2="{lx + 16}" y2="{ly}" stroke="{esc(item["color"])}" '
                f'stroke-width="{item.get("width", 3)}"{dash}/>'
            )
        else:
            attrs = (
                f'fill="{esc(item["color"])}" stroke="{esc(item.get("border", "#444"))}" '
                f'stroke-width="{item.get("width", 1)}"'
            )
            out.append(_svg_shape("dot" if shape == "ring" else shape, lx + 8, ly, 6, attrs))
        count = f" ({item['count']})" if "count" in item else ""
        for k, line in enumerate(lines(item["label"] + count, 12, 24)):
            out.append(f'<text x="{lx + 24}" y="{ly + 4 + 15 * k}" font-size="12">{esc(line)}</text>')
            ly += 15 if k else 0
        ly += 20
    if page.routes:
        ly += 10
        out.append(
            f'<text x="{lx}" y="{ly}" font-size="15" font-weight="bold">{esc(page.texts.get("routes", ""))}</text>'
        )
        ly += 20
        for r in page.routes:
            for line in lines(f"{r['n']}. " + " → ".join(r["short"]) + f" ({r['score']})", 12, 0):
                out.append(f'<text x="{lx}" y="{ly}" font-size="12">{esc(line)}</text>')
                ly += 16
            ly += 6
    return out, ly


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
]


def chromium_path() -> str:
    import os
    import shutil

    # Debian's package first: a browser some other tool downloaded is not the one we test against.
    debian = "/usr/bin/chromium"
    chosen = os.environ.get("OFAI_GRAPH_CHROMIUM")
    if chosen and not os.access(chosen, os.X_OK):
        raise OfaiError(N_("OFAI_GRAPH_CHROMIUM is {path}, which is not a program that can be run"), path=chosen)
    found = (
        chosen
        or (debian if os.access(debian, os.X_OK) else None)
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not found:
        raise OfaiError(
            N_("PNG and PDF maps need a Chromium browser (Debian: apt-get install chromium) or OFAI_GRAPH_CHROMIUM")
        )
    return found


def _in_chromium(
    page_html: str, work: Callable[[Any], bytes], *, width: int = 1600, height: int = 1000
) -> bytes:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise OfaiError(N_("PNG and PDF maps need Playwright: pip install 'ofai-graph[png]'")) from exc
    from concurrent.futures import ThreadPoolExecutor

    def run() -> bytes:
        return _chromium_work(page_html, work, sync_playwright, width, height)

    # Playwright's sync API refuses a thread with a running event loop (Jupyter's): use another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _chromium_work(
    page_html: str, work: Callable[[Any], bytes], sync_playwright: Any, width: int, height: int
) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "map.html"
        page_file.write_text(page_html, encoding="utf-8")
        from playwright.sync_api import Error as PlaywrightError

        executable = chromium_path()
        with sync_playwright() as p:
            try:
                browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            except PlaywrightError as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise OfaiError(
                    N_("could not start Chromium ({path}) to draw the map: {reason}"),
                    path=executable,
                    reason=Detail(first, N_("the browser did not start")),
                ) from None
            try:
                tab = browser.new_page(viewport={"width": width, "height": height})
                tab.goto(page_file.as_uri() + "#handout")
                tab.wait_for_selector("body[data-ready='1']", timeout=60_000)
                return work(tab)
            finally:
                browser.close()


def screenshot(page_html: str, *, width: int = 1600, height: int = 1000) -> bytes:
    """A PNG of the map's first view (title, date, legend, routes; no controls), drawn by Chromium."""
    return _in_chromium(page_html, lambda tab: tab.screenshot(full_page=False), width=width, height=height)


def print_pdf(page_html: str, *, as_of: dt.date | None = None) -> bytes:
    """One PDF page: the map as drawn, its legend and, for a route map, the routes with their evidence.

    Chromium stamps the time and a random document id into every PDF; both are replaced (same
    lengths, so the cross-reference offsets stay valid) to keep the file the same on every run.
    """

    def work(tab: Any) -> bytes:
        tab.evaluate("ofaiMap.buildPrint()")
        tab.emulate_media(media="print")
        tall = tab.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        pdf: bytes = tab.pdf(width="1600px", height=f"{int(tall) + 4}px", print_background=True)
        return pdf

    return stable_pdf(_in_chromium(page_html, work), as_of)


def stable_pdf(pdf: bytes, as_of: dt.date | None) -> bytes:
    """``pdf`` with its creation and modification times set to ``as_of`` and its id derived from
    its content (the byte length never changes)."""
    import hashlib

    stamp = (as_of or dt.date(2000, 1, 1)).strftime("%Y%m%d").encode()

    def date(m: re.Match[bytes]) -> bytes:
        value = m.group(2)
        fixed = (b"D:" + stamp + b"000000" + b"+00'00'")[: len(value)].ljust(len(value), b" ")
        return m.group(1) + fixed

    out = re.sub(rb"(/(?:CreationDate|ModDate)\s*\()(D:[^)]*)", date, pdf)
    ids = re.search(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]", out)
    if ids:
        body = out[: ids.start()] + out[ids.end() :]
        digest = hashlib.sha256(body).hexdigest().upper().encode()
        first = (digest * 4)[: len(ids.group(1))]
        second = (digest * 4)[: len(ids.group(2))]
        out = out[: ids.start(1)] + first + out[ids.end(1) : ids.start(2)] + second + out[ids.end(2) :]
    return out
