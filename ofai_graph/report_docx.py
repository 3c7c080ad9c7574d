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
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from .errors import N_, Detail, OfaiError
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
        raise OfaiError(N_("{path}: reference document not found"), path=p)
    try:
        with zipfile.ZipFile(p) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        raise OfaiError(
            N_("{path}: not a Word document (.docx); save the office's template from Word as .docx"), path=p
        ) from None
    if _DOCX_MAIN not in names:
        raise OfaiError(
            N_("{path}: a zip file but not a Word document (no {part}); use a .docx template"), path=p, part=_DOCX_MAIN
        )
    try:
        import docx

        docx.Document(str(p))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise OfaiError(
            N_("{path}: Word cannot use this document as a template ({reason})"),
            path=p,
            reason=Detail(str(exc) or type(exc).__name__, N_("the document is damaged")),
        ) from None
    return p


def svg_to_png(svg: str, *, scale: float = 1.0) -> bytes:
    """A PNG of a map SVG (:func:`ofai_graph.maps.to_svg`), drawn with Pillow in a fraction of a second.

    It draws the shapes that SVG uses (rect, line, circle, polygon, text), which is all a map needs; headless
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
        elif tag == "polygon":
            pts = [float(v) * scale for v in (el.get("points") or "").replace(",", " ").split()]
            if len(pts) >= 6:
                draw.polygon(
                    list(zip(pts[0::2], pts[1::2], strict=False)),
                    fill=colour(el.get("fill")),
                    outline=colour(el.get("stroke")),
                    width=max(1, round(num(el, "stroke-width", 1))),
                )
        elif tag == "rect":
            if el.get("width", "").endswith("%"):
                draw.rectangle([0, 0, image.width, image.height], fill=colour(el.get("fill", "white")))
                continue
            x, y = num(el, "x"), num(el, "y")
            draw.rectangle(
                [x, y, x + num(el, "width"), y + num(el, "height")],
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
                # A halo (stroke under the fill) keeps labels readable over lines.
                stroke_width=round(num(el, "stroke-width", 0) / 2) if el.get("stroke") else 0,
                stroke_fill=colour(el.get("stroke")) if el.get("stroke") else None,
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


# Characters XML 1.0 cannot hold (a stray control character in a summary would corrupt the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return xml_escape(_NOT_XML.sub("", text), {'"': "&quot;"})


class _Body:
    """Paragraphs written as WordprocessingML and added to the body in batches.

    python-docx builds a paragraph through a dozen element insertions, each scanning for its place
    (a quarter of 3,000 actions took a minute); here each paragraph is a string, a batch is parsed
    once by lxml and put before the section properties. Styles are referred to by id, looked up once.
    """

    def __init__(self, doc: DocxDocument):
        self.doc = doc
        self.buffer: list[str] = []
        self.style_ids: dict[str, str | None] = {}

    def style_id(self, name: str, *, create: bool = False) -> str | None:
        if name not in self.style_ids:
            try:
                self.style_ids[name] = self.doc.styles[name].style_id
            except KeyError:
                if create:
                    # A template without Word's built-in heading styles: add it, Word will format it.
                    from docx.enum.style import WD_STYLE_TYPE

                    self.style_ids[name] = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).style_id
                else:
                    self.style_ids[name] = None
        return self.style_ids[name]

    def para(self, text: str = "", style: str | None = None, *, label: str | None = None) -> None:
        """A paragraph in ``style`` (a style name); ``label`` comes first, in bold."""
        sid = self.style_id(style) if style else None
        ppr = f'<w:pPr><w:pStyle w:val="{_xml_text(sid)}"/></w:pPr>' if sid else ""
        runs = ""
        if label:
            runs += f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{_xml_text(label)}: </w:t></w:r>'
        if text:
            runs += f'<w:r><w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r>'
        self.buffer.append(f"<w:p>{ppr}{runs}</w:p>")

    def heading(self, text: str, level: int) -> None:
        name = "Title" if level == 0 else f"Heading {level}"
        self.style_id(name, create=True)
        self.para(text, name)

    def flush(self) -> None:
        """Add the buffered paragraphs (before anything python-docx adds next: a table, a picture)."""
        if not self.buffer:
            return
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        batch = parse_xml(f"<w:body {nsdecls('w')}>{''.join(self.buffer)}</w:body>")
        self.buffer = []
        body = self.doc.element.body
        anchor = body.find(_SECT_PR)
        for p in list(batch):
            if anchor is not None:
                anchor.addprevious(p)
            else:
                body.append(p)


_SECT_PR = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sectPr"


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
        # Keep the template's section properties (page, header, footer, logo); drop its sample text.
        for child in list(doc.element.body):
            if not child.tag.endswith("}sectPr"):
                doc.element.body.remove(child)
    else:
        doc = docx.Document()
    w = _Body(doc)
    bullet = "List Bullet"

    if report.parent_name:
        w.para(report.parent_name.upper())
    w.heading(_("Management report"), 0)
    w.para(report.period_label.capitalize())
    w.para(report.office_name)
    for h in report.heads:
        w.para(f"{h.title or staff}: {h.name}")

    w.heading(_("Objective"), 1)
    w.para(report.objective)
    w.heading(_("Mission"), 1)
    w.para(report.mission)
    w.heading(_("Figures of the quarter"), 1)
    w.flush()
    header, rows = figures_rows(report)
    _table(doc, header, rows)

    w.heading(f"{_('Management report')} {report.period_label}", 1)
    if report.empty:
        w.para(_("No actions were recorded in this quarter."))
    for line in report.lines:
        if not line.actions and line.axis is None:
            continue
        w.heading(f"{line.number}. {line.title}", 2)
        if not line.actions:
            w.para(_("No actions in this line this quarter."))
        for a in line.actions:
            w.heading(f"{action_word}: {a.title}", 3)
            w.para(a.date_label, bullet, label=_("Date"))
            for s in a.steps:
                w.para(f"{s.summary or s.title} ({s.date_label})", bullet, label=s.kind_label.capitalize())
            w.para(participants_text(a), bullet, label=_("Participants"))
            if a.subjects:
                w.para("; ".join(p.name for p in a.subjects), bullet, label=_("About"))
            w.para(a.status_label, bullet, label=_("Status"))
            for p in a.pending:
                w.para(pending_text(p), bullet, label=_("Pending"))

    w.heading(_("Follow-ups"), 1)
    for head, items in (
        (_("Due next quarter"), report.followups_next),
        (_("Overdue at the end of the quarter"), report.followups_overdue),
    ):
        w.heading(head, 2)
        for p in items:
            w.para(pending_text(p), bullet)
        if not items:
            w.para(_("None."))
    w.heading(_("Relationships"), 1)
    for head, rows_ in ((_("Grew"), report.grew), (_("Went cold"), report.cooled)):
        w.heading(head, 2)
        for text in strength_lines(report, rows_, _("None.")) if rows_ else [_("None.")]:
            w.para(text, bullet if rows_ else None)
    if report.changes.routes_new:
        w.heading(_("New routes to countries"), 2)
        for r in report.changes.routes_new:
            country = r.name_es if lang == "es" else r.name_en
            w.para(f"{country}: {' → '.join(r.names)}", bullet)

    if report.map_included:
        w.heading(_("Network of the quarter"), 1)
    if map_png is None and report.map_svg:
        map_png = svg_to_png(report.map_svg)
    if map_png:
        w.flush()
        doc.add_picture(io.BytesIO(map_png), width=Cm(16))
    elif report.map_note:
        w.para(report.map_note)
    elif report.map_included:
        w.para(_("No relationships to draw this quarter."))
    w.para(_("Generated from the store on {date}.").format(date=format_date(report.generated_on, lang)))
    w.flush()
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
