"""The report as a Word document the office can edit and send (python-docx).

Headings use Word's own "Title", "Heading 1", "Heading 2" and "Heading 3" styles, so the navigation
pane, the table of contents and the office's template all work on it. With ``reference_doc`` the
document starts from the office's template: its styles, page setup, header and logo are kept and its
body text is replaced. A file that is not a Word document is refused before anything is written.

The map is a PNG drawn from the report's SVG with Pillow (Word cannot show an SVG without a PNG
fallback, and a browser takes seconds to start).
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OfaiError
from .i18n import format_date, gettext_for
from .report import Report
from .report_render import figures_rows, participants_text, pending_text, strength_lines

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

__all__ = ["check_reference_doc", "svg_to_png", "to_docx", "write_docx"]

_DOCX_MAIN = "word/document.xml"


def check_reference_doc(path: str | Path) -> Path:
    """``path`` if it is a Word (.docx) document python-docx can open; otherwise a clear error."""
    p = Path(path)
    if not p.is_file():
        raise OfaiError(f"{p}: reference document not found")
    try:
        with zipfile.ZipFile(p) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        raise OfaiError(
            f"{p}: not a Word document (.docx); save the office's template from Word as .docx"
        ) from None
    if _DOCX_MAIN not in names:
        raise OfaiError(f"{p}: a zip file but not a Word document (no {_DOCX_MAIN}); use a .docx template")
    try:
        import docx

        docx.Document(str(p))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise OfaiError(f"{p}: Word cannot use this document as a template ({exc})") from None
    return p


def svg_to_png(svg: str, *, scale: float = 1.0) -> bytes:
    """A PNG of a map SVG (:func:`ofai_graph.maps.to_svg`), drawn with Pillow in a fraction of a second.

    It draws the shapes that SVG uses (rect, line, circle, text), which is all a map needs; headless
    Chromium would draw any SVG but takes seconds to start.
    """
    import xml.etree.ElementTree as ET

    from PIL import Image, ImageColor, ImageDraw

    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    width, height = float(root.get("width", 1600)), float(root.get("height", 1000))
    image = Image.new("RGB", (round(width * scale), round(height * scale)), "white")
    draw = ImageDraw.Draw(image, "RGBA")
    fonts: dict[tuple[float, bool], Any] = {}

    def font(size: float, bold: bool) -> Any:
        key = (size, bold)
        if key not in fonts:
            fonts[key] = _font(max(6.0, size * scale), bold)
        return fonts[key]

    def colour(value: str | None, opacity: float = 1.0) -> tuple[int, int, int, int] | None:
        if not value or value == "none":
            return None
        try:
            rgb = ImageColor.getrgb(value)
        except ValueError:
            rgb = (0, 0, 0)
        return (rgb[0], rgb[1], rgb[2], round(255 * opacity))

    def num(el: ET.Element, name: str, default: float = 0.0) -> float:
        try:
            return float(el.get(name, default)) * scale
        except ValueError:
            return default

    for el in root.iter():
        tag = el.tag.removeprefix(ns)
        if tag == "line":
            fill = colour(el.get("stroke", "#999"), float(el.get("stroke-opacity", 1)))
            w = max(1, round(num(el, "stroke-width", 1)))
            xy = [(num(el, "x1"), num(el, "y1")), (num(el, "x2"), num(el, "y2"))]
            if el.get("stroke-dasharray"):
                _dashed(draw, xy, fill, w, 6 * scale, 4 * scale)
            else:
                draw.line(xy, fill=fill, width=w)
        elif tag == "circle":
            cx, cy, r = num(el, "cx"), num(el, "cy"), num(el, "r")
            draw.ellipse(
                [cx - r, cy - r, cx + r, cy + r],
                fill=colour(el.get("fill")),
                outline=colour(el.get("stroke")),
                width=max(1, round(num(el, "stroke-width", 1))),
            )
        elif tag == "text":
            text = "".join(el.itertext()).strip()
            if not text:
                continue
            size = float(el.get("font-size", 12))
            anchor = {"middle": "ms", "end": "rs"}.get(el.get("text-anchor", ""), "ls")
            draw.text(
                (num(el, "x"), num(el, "y")),
                text,
                fill=colour(el.get("fill", "#222")),
                font=font(size, el.get("font-weight") == "bold"),
                anchor=anchor,
            )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


# Fonts with Spanish accents; Pillow finds them in the system's font folders. Its own default font
# (the last resort) has no "á".
_FONTS = {
    False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf", "Helvetica.ttc"),
    True: (
        "DejaVuSans-Bold.ttf",
        "LiberationSans-Bold.ttf",
        "Arial Bold.ttf",
        "arialbd.ttf",
        "Helvetica.ttc",
    ),
}


def _font(size: float, bold: bool) -> Any:
    from PIL import ImageFont

    for name in _FONTS[bold]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _dashed(draw: Any, xy: list[tuple[float, float]], fill: Any, width: int, dash: float, gap: float) -> None:
    (x1, y1), (x2, y2) = xy
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    pos = 0.0
    while pos < length:
        end = min(pos + dash, length)
        draw.line([(x1 + dx * pos, y1 + dy * pos), (x1 + dx * end, y1 + dy * end)], fill=fill, width=width)
        pos = end + gap


def _heading(doc: DocxDocument, text: str, level: int) -> None:
    try:
        doc.add_heading(text, level)
    except KeyError:
        # A template without the built-in heading styles: add the style, Word will format it.
        from docx.enum.style import WD_STYLE_TYPE

        name = "Title" if level == 0 else f"Heading {level}"
        doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        doc.add_heading(text, level)


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    with contextlib.suppress(KeyError):
        table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for r in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, r, strict=True):
            cell.text = text


def _para(doc: DocxDocument, text: str = "", style_id: str | None = None) -> Any:
    """A paragraph in the style whose id is ``style_id``.

    Setting ``pStyle`` directly: python-docx resolves a style *name* by scanning every style of the
    document for each paragraph, which was half the time of the seed report.
    """
    para = doc.add_paragraph(text)
    if style_id:
        para._p.get_or_add_pPr().style = style_id
    return para


def _field(doc: DocxDocument, name: str, value: str, style_id: str | None) -> None:
    para = _para(doc, "", style_id)
    para.add_run(f"{name}: ").bold = True
    para.add_run(value)


def _bullet_style(doc: DocxDocument) -> str | None:
    """The id of the bulleted list style ("List Bullet"), if the document has it."""
    try:
        return doc.styles["List Bullet"].style_id
    except KeyError:
        return None


def to_docx(
    report: Report, *, reference_doc: str | Path | None = None, map_png: bytes | None = None
) -> bytes:
    """The report as the bytes of a .docx file."""
    import docx
    from docx.shared import Cm

    _ = gettext_for(report.lang)
    staff, action_word = _("Staff"), _("Action")
    lang = report.lang
    if reference_doc is not None:
        doc = docx.Document(str(check_reference_doc(reference_doc)))
        body = doc.element.body
        # Keep the template's section properties (page, header, footer, logo); drop its sample text.
        for child in list(body):
            if not child.tag.endswith("}sectPr"):
                body.remove(child)
    else:
        doc = docx.Document()
    bullet = _bullet_style(doc)

    if report.parent_name:
        doc.add_paragraph(report.parent_name.upper())
    _heading(doc, _("Management report"), 0)
    doc.add_paragraph(report.period_label.capitalize())
    doc.add_paragraph(report.office_name)
    for h in report.heads:
        doc.add_paragraph(f"{h.title or staff}: {h.name}")

    _heading(doc, _("Objective"), 1)
    doc.add_paragraph(report.objective)
    _heading(doc, _("Mission"), 1)
    doc.add_paragraph(report.mission)
    _heading(doc, _("Figures of the quarter"), 1)
    header, rows = figures_rows(report)
    _table(doc, header, rows)

    _heading(doc, f"{_('Management report')} {report.period_label}", 1)
    if report.empty:
        doc.add_paragraph(_("No actions were recorded in this quarter."))
    for line in report.lines:
        if not line.actions and line.axis is None:
            continue
        _heading(doc, f"{line.number}. {line.title}", 2)
        if not line.actions:
            doc.add_paragraph(_("No actions in this line this quarter."))
        for a in line.actions:
            _heading(doc, f"{action_word}: {a.title}", 3)
            _field(doc, _("Date"), a.date_label, bullet)
            for s in a.steps:
                _field(doc, s.kind_label.capitalize(), f"{s.summary or s.title} ({s.date_label})", bullet)
            _field(doc, _("Participants"), participants_text(a), bullet)
            if a.subjects:
                _field(doc, _("About"), "; ".join(p.name for p in a.subjects), bullet)
            _field(doc, _("Status"), a.status_label, bullet)
            for p in a.pending:
                _field(doc, _("Pending"), pending_text(p), bullet)

    _heading(doc, _("Follow-ups"), 1)
    for head, items in (
        (_("Due next quarter"), report.followups_next),
        (_("Overdue at the end of the quarter"), report.followups_overdue),
    ):
        _heading(doc, head, 2)
        for p in items:
            _para(doc, pending_text(p), bullet)
        if not items:
            doc.add_paragraph(_("None."))
    _heading(doc, _("Relationships"), 1)
    for head, rows_ in ((_("Grew"), report.grew), (_("Went cold"), report.cooled)):
        _heading(doc, head, 2)
        for text in strength_lines(report, rows_, _("None.")) if rows_ else [_("None.")]:
            _para(doc, text, bullet if rows_ else None)
    if report.changes.routes_new:
        _heading(doc, _("New routes to countries"), 2)
        for r in report.changes.routes_new:
            country = r.name_es if lang == "es" else r.name_en
            _para(doc, f"{country}: {' → '.join(r.names)}", bullet)

    _heading(doc, _("Network of the quarter"), 1)
    if map_png is None and report.map_svg:
        map_png = svg_to_png(report.map_svg)
    if map_png:
        doc.add_picture(io.BytesIO(map_png), width=Cm(16))
    elif report.map_svg:
        doc.add_paragraph(_("The map is in the HTML version of this report."))
    else:
        doc.add_paragraph(_("No relationships to draw this quarter."))
    doc.add_paragraph(
        _("Generated from the store on {date}.").format(date=format_date(report.generated_on, lang))
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_docx(report: Report, path: str | Path, **options: Any) -> Path:
    """Write the .docx atomically: a failed render leaves no half-written file."""
    data = to_docx(report, **options)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
