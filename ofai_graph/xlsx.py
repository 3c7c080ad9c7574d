"""Reading the cells of an .xlsx workbook: values, formulas, errors, merges.

Two readers give the same :class:`SheetCells`. A sheet without formulas and without error cells
(the common case) is read by python-calamine (Rust): its values and merged ranges, about six
times faster than parsing in Python. A formula or an error cell reads there as an empty or a
cached value, so a sheet whose XML holds any (``<f>``, ``t="e"``: a byte search of the sheet's
XML finds them, and a false alarm only costs time) is read by the streaming expat parser below,
which reports each formula and error cell with its position so that the import can refuse it
(see :mod:`ofai_graph.spreadsheet`). openpyxl's read-only mode is slower than either: an object
per cell, and a second pass to size sheets written without a ``<dimension>``.

Both readers understand shared and inline strings, numbers, booleans and dates (by the cell's
number format, 1900 or 1904 date system); nothing is evaluated. A whole number is an ``int``,
a date a ``datetime``, an empty cell ``None``.

>>> import tempfile, pathlib
>>> from openpyxl import Workbook
>>> wb = Workbook(); ws = wb.active; ws.title = "Hoja"
>>> ws.append(["id", "n"]); ws.append(["a", "=1+1"]); ws.merge_cells("A2:A3")
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.xlsx"; wb.save(p)
>>> book = XlsxBook(p)
>>> sheet = book.sheet("Hoja")
>>> sheet.rows, sheet.formulas, sheet.merged
([(1, ['id', 'n']), (2, ['a'])], [(2, 2, '=1+1')], ['A2:A3'])
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import numbers
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat
from xml.sax.saxutils import escape as _escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_COL = re.compile(r"^([A-Z]+)(\d+)$")
# What calamine cannot report: a formula element (any namespace prefix) or an error cell. Text
# content cannot hold a "<", so the first alternative never matches inside a string.
_EXACT_ONLY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]|\st\s*=\s*[\"']e[\"']")
_QUICK = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/", b'"e"', b"'e'")


def needs_exact_reader(xml: bytes) -> bool:
    """Whether a sheet's XML may hold a formula or an error cell (then calamine cannot read it).

    >>> needs_exact_reader(b'<c r="A1"><f>1+1</f><v>2</v></c>'), needs_exact_reader(b'<c r="A1" t="e">')
    (True, True)
    >>> needs_exact_reader(b'<c r="A1" t="inlineStr"><is><t>f = "e" &lt;f&gt;</t></is></c>')
    False
    """
    # A few substring searches are ten times cheaper than the regular expression on 30 MB.
    return any(token in xml for token in _QUICK) and _EXACT_ONLY.search(xml) is not None


class NotAWorkbook(ValueError):
    """The file is not an .xlsx workbook this reader can open."""


@dataclass
class SheetCells:
    """One sheet: ``rows`` as (row number, values from column A); problems beside them."""

    title: str
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # row, column, formula
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # row, column, "#N/A"
    merged: list[str] = field(default_factory=list)  # "A2:A5"
    reader: str = "expat"  # or "calamine" (see the module docstring)


_OOXML_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_unescape(text: str) -> str:
    """A cell's text as SpreadsheetML escapes it (``_x000D_`` is a carriage return, ``_x005F_`` a "_").

    >>> ooxml_unescape("a_x000D_b _x005F_x0041_")
    'a\\rb _x0041_'
    """
    if "_x" not in text:
        return text
    return _OOXML_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    try:
        root = ET.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {int(n.get("numFmtId", "0")): n.get("formatCode", "") for n in root.iter(f"{{{_MAIN}}}numFmt")}
    dates: set[int] = set()
    xfs = root.find(f"{{{_MAIN}}}cellXfs")
    if xfs is None:
        return dates
    for i, xf in enumerate(xfs.findall(f"{{{_MAIN}}}xf")):
        fid = int(xf.get("numFmtId", "0"))
        code = custom.get(fid) or BUILTIN_FORMATS.get(fid)
        if code and is_date_format(code):
            dates.add(i)
    return dates


def _shared_strings(archive: zipfile.ZipFile, path: str | None) -> list[str]:
    if not path:
        return []
    out: list[str] = []
    parts: list[str] = []
    depth = {"si": False, "t": False, "rPh": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            parts.clear()
            depth["si"] = True
        elif local == "rPh":
            depth["rPh"] += 1  # phonetic runs are not part of the text
        elif local == "t" and depth["si"] and not depth["rPh"]:
            depth["t"] = True

    def end(name: str) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            out.append(ooxml_unescape("".join(parts)))
            depth["si"] = False
        elif local == "rPh":
            depth["rPh"] -= 1
        elif local == "t":
            depth["t"] = False

    def chars(data: str) -> None:
        if depth["t"]:
            parts.append(data)

    p = expat.ParserCreate(namespace_separator=" ")
    p.buffer_text = True
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    with archive.open(path) as f:
        p.ParseFile(f)
    return out


class XlsxBook:
    """An .xlsx file opened for reading its sheets (``sheetnames``, ``sheet(title)``)."""

    def __init__(self, path: str | Path):
        try:
            self._zip = zipfile.ZipFile(path)
            wb = ET.fromstring(self._zip.read("xl/workbook.xml"))
            rels = ET.fromstring(self._zip.read("xl/_rels/workbook.xml.rels"))
        except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError) as exc:
            raise NotAWorkbook(str(exc) or type(exc).__name__) from None
        targets = {}
        strings_path = None
        for r in rels.iter(f"{{{_PKG_REL}}}Relationship"):
            target = r.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            targets[r.get("Id")] = target
            if r.get("Type", "").endswith("/sharedStrings"):
                strings_path = target
        pr = wb.find(f"{{{_MAIN}}}workbookPr")
        self.epoch = (
            dt.datetime(1904, 1, 1)
            if pr is not None and pr.get("date1904") in ("1", "true")
            else dt.datetime(1899, 12, 30)
        )
        self._sheets: dict[str, str] = {}
        self.hidden: set[str] = set()
        for s in wb.iter(f"{{{_MAIN}}}sheet"):
            name = s.get("name", "")
            self._sheets[name] = targets.get(s.get(f"{{{_REL}}}id"), "")
            if s.get("state") in ("hidden", "veryHidden"):
                self.hidden.add(name)
        self.sheetnames = list(self._sheets)
        self._strings_path = strings_path if strings_path in self._zip.namelist() else None
        self._path = path
        self._calamine: Any = None

    @functools.cached_property
    def _strings(self) -> list[str]:
        return _shared_strings(self._zip, self._strings_path)

    @functools.cached_property
    def _dates(self) -> set[int]:
        return _date_styles(self._zip)

    def close(self) -> None:
        self._zip.close()
        if self._calamine is not None:
            self._calamine.close()

    def sheet(self, title: str, *, exact: bool = False) -> SheetCells:
        """The cells of sheet ``title``; ``exact`` reads with the expat parser whatever the sheet holds."""
        xml = self._zip.read(self._sheets[title])
        if not exact and not needs_exact_reader(xml):
            cells = self._sheet_by_calamine(title)
            if cells is not None:
                return cells
        parser = _SheetParser(SheetCells(title), self._strings, self._dates, self.epoch)
        parser.parse(io.BytesIO(xml))
        return parser.out

    def _sheet_by_calamine(self, title: str) -> SheetCells | None:
        """The sheet read by calamine, or None when calamine is missing or cannot read it (the
        expat parser then decides, with its own messages)."""
        try:
            from python_calamine import CalamineError, CalamineWorkbook
        except ImportError:  # an optional speed-up: the expat parser reads everything
            return None
        try:
            if self._calamine is None:
                self._calamine = CalamineWorkbook.from_path(str(self._path))
            sheet = self._calamine.get_sheet_by_name(title)
            merged = sheet.merged_cell_ranges
            grid = sheet.to_python(skip_empty_area=False)
        except (CalamineError, OSError, ValueError):
            return None
        if merged is None:
            return None
        out = SheetCells(title, reader="calamine")
        rows = out.rows
        for number, row in enumerate(grid, start=1):
            # The expat parser's types: None for an empty cell, int for a whole number, datetime for a date.
            values = [(v or None) if v.__class__ is str else _calamine_value(v) for v in row]
            if values.count(None) != len(values):
                while values[-1] is None:
                    values.pop()
                rows.append((number, values))
        out.merged = [
            f"{_letters(c0 + 1)}{r0 + 1}:{_letters(c1 + 1)}{r1 + 1}" for (r0, c0), (r1, c1) in merged
        ]
        return out


def _calamine_value(v: Any) -> Any:
    if v.__class__ is float:
        return int(v) if v.is_integer() else v
    if v.__class__ is dt.date:
        return dt.datetime(v.year, v.month, v.day)
    return v  # bool, int, datetime, time, timedelta


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


class _SheetParser:
    """expat callbacks for one sheet; one small handler per element that matters, found by name."""

    def __init__(self, out: SheetCells, strings: list[str], dates: set[int], epoch: dt.datetime):
        self.out, self.strings, self.dates, self.epoch = out, strings, dates, epoch
        self.row = 0
        self.values: list[Any] = []
        self.col = 0
        self.next_col = 1
        self.t = "n"
        self.s = "0"
        self.formula: str | None = None
        self.parts: list[str] = []
        self.collect = False
        self._columns: dict[str, int] = {}
        self._start = {"c": self._c, "v": self._text, "t": self._text, "f": self._f, "row": self._row,
                       "mergeCell": self._merge, "rPh": self._rph}  # fmt: skip
        self._end = {"c": self._c_end, "v": self._text_end, "t": self._text_end, "f": self._f_end,
                     "row": self._row_end}  # fmt: skip

    def parse(self, f: Any) -> None:
        p = expat.ParserCreate()
        p.buffer_text = True
        start, end, parts = self._start, self._end, self.parts

        def on_start(name: str, attrs: dict[str, str]) -> None:
            h = start.get(name) or (start.get(name.rsplit(":", 1)[-1]) if ":" in name else None)
            if h is not None:
                h(attrs)

        def on_end(name: str) -> None:
            h = end.get(name) or (end.get(name.rsplit(":", 1)[-1]) if ":" in name else None)
            if h is not None:
                h()

        def on_chars(data: str) -> None:
            if self.collect:
                parts.append(data)

        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = on_start, on_end, on_chars
        p.ParseFile(f)

    def _c(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        m = _COL.match(ref) if ref else None
        if m:
            letters = m.group(1)
            col = self._columns.get(letters)
            if col is None:
                col = self._columns[letters] = column_index(letters)
            self.col = col
        else:
            self.col = self.next_col
        self.next_col = self.col + 1
        self.t = attrs.get("t", "n")
        self.s = attrs.get("s", "0")
        self.formula = None
        self.parts.clear()

    def _text(self, attrs: dict[str, str]) -> None:
        self.collect = True

    def _text_end(self) -> None:
        self.collect = False

    def _f(self, attrs: dict[str, str]) -> None:
        self.collect = True
        self.formula = ""

    def _f_end(self) -> None:
        self.formula = "".join(self.parts)
        self.parts.clear()
        self.collect = False

    def _rph(self, attrs: dict[str, str]) -> None:
        self.collect = False  # phonetic guide runs are not the cell's text

    def _row(self, attrs: dict[str, str]) -> None:
        r = attrs.get("r")
        self.row = int(r) if r else self.row + 1
        self.values = []
        self.next_col = 1

    def _row_end(self) -> None:
        if self.values:
            self.out.rows.append((self.row, self.values))

    def _merge(self, attrs: dict[str, str]) -> None:
        self.out.merged.append(attrs.get("ref", ""))

    def _c_end(self) -> None:
        raw = "".join(self.parts)
        t = self.t
        if self.formula is not None:
            self.out.formulas.append((self.row, self.col, "=" + self.formula))
            return
        if raw == "":
            return
        if t == "inlineStr" or t == "str":
            value: Any = ooxml_unescape(raw)
        elif t == "s":
            value = self.strings[int(raw)]
            if not value:
                return  # an empty text is an empty cell, as calamine reads it
        elif t == "e":
            self.out.errors.append((self.row, self.col, raw))
            return
        elif t == "b":
            value = raw == "1"
        elif t == "d":
            value = dt.datetime.fromisoformat(raw)
        else:
            number = float(raw)
            if int(self.s) in self.dates:
                value = self.epoch + dt.timedelta(days=number)
                if number < 60 and self.epoch.year == 1899:
                    value += dt.timedelta(days=1)  # Excel's phantom 1900-02-29
            elif number.is_integer() and "." not in raw and "E" not in raw.upper():
                value = int(raw)
            else:
                value = number
        values, col = self.values, self.col
        if len(values) < col:
            values.extend([None] * (col - len(values)))
        values[col - 1] = value


# -- writing ----------------------------------------------------------------------------------

EXCEL_MAX_TEXT = 32_767  # characters in one cell
EXCEL_MAX_ROWS = 1_048_576
_EPOCH = dt.date(1899, 12, 30)
_FIRST_SERIAL_DAY = dt.date(1900, 3, 1)  # before it, Excel counts a 29 February 1900 that never was
# Characters SpreadsheetML text writes as _xHHHH_, and a literal "_xHHHH_" (whose "_" is written _x005F_).
_OOXML_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _ooxml_escape(m: re.Match[str]) -> str:
    return f"_x{ord(m.group(0)):04X}_"


class TooLong(ValueError):
    """A text longer than an Excel cell holds (``args``: sheet, cell, length)."""


class TooManyRows(ValueError):
    """More rows than an Excel sheet holds (``args``: sheet, rows)."""


def check_rows(rows: dict[str, int]) -> None:
    """An error naming the sheet when one would have more rows (``rows``: sheet title -> rows) than
    an Excel sheet holds; checked before anything is written."""
    from .errors import N_, OfaiError

    for title, n in rows.items():
        if n > EXCEL_MAX_ROWS:
            raise OfaiError(
                N_(
                    "sheet {sheet} would have {n} rows, more than an Excel sheet holds ({most}); export as csv or json instead"
                ),
                sheet=title,
                n=n,
                most=EXCEL_MAX_ROWS,
            )


class XlsxWriterBook:
    """An .xlsx file laid out by XlsxWriter, its bulk rows written straight as sheet XML.

    XlsxWriter writes what is hard to get right (styles, notes, drop-down lists, hidden sheets) and
    the first rows; :meth:`bulk` gives each sheet its data rows, which :meth:`close` writes into the
    sheet's ``<sheetData>`` as inline strings, numbers, booleans and dates, about five times faster
    than a cell object per value. Texts are always texts (never formulas, links or numbers). The
    workbook is written next to ``path`` and renamed into place.

    >>> import tempfile, pathlib, datetime as dt
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> book = XlsxWriterBook(p)
    >>> ws = book.add_worksheet("Hoja")
    >>> ws.write_row(0, 0, ["id", "fecha"])
    0
    >>> ws.set_column(1, 1, 12, book.date_format)  # the column holds dates
    0
    >>> book.bulk(ws, 1, [["=1+1", dt.date(2024, 2, 12)], ["b", None]])
    >>> book.close()
    >>> XlsxBook(p).sheet("Hoja").rows
    [(1, ['id', 'fecha']), (2, ['=1+1', datetime.datetime(2024, 2, 12, 0, 0)]), (3, ['b'])]
    """

    def __init__(self, path: str | Path):
        import xlsxwriter

        self.path = Path(path)
        self._skeleton = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(
            self._skeleton,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        self.date_format = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
        self._bulk: dict[str, tuple[int, Any]] = {}

    def add_worksheet(self, title: str) -> Any:
        return self.workbook.add_worksheet(title)

    def add_format(self, properties: dict[str, Any]) -> Any:
        return self.workbook.add_format(properties)

    def bulk(self, ws: Any, first_row: int, rows: Any) -> None:
        """Rows (lists of values, ``None`` for an empty cell) written from ``first_row`` (0-based) on,
        after every row written through XlsxWriter. Dates are Excel dates in ``yyyy-mm-dd`` once some
        column has :attr:`date_format` (``ws.set_column(i, i, width, book.date_format)``: the style
        is then in the workbook); otherwise, and before 1 March 1900, their ISO text."""
        self._bulk[ws.name] = (first_row, rows)

    def close(self) -> None:
        self.workbook.close()
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self._assemble(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(self.path)

    def _assemble(self, target: Path) -> None:
        date_style = self.date_format.xf_index
        with zipfile.ZipFile(self._skeleton) as src:
            paths = _sheet_paths(src)
            bulk = {paths[title]: (title, *spec) for title, spec in self._bulk.items()}
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    data = src.read(info.filename)
                    spec = bulk.get(info.filename)
                    if spec is None:
                        dst.writestr(info, data)
                        continue
                    title, first, rows = spec
                    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    out.compress_type = zipfile.ZIP_DEFLATED
                    with dst.open(out, "w", force_zip64=True) as f:
                        _write_sheet(f, data, title, first, rows, date_style)


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    wb = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        r.get("Id"): posixpath.normpath("xl/" + r.get("Target", ""))
        for r in rels.iter(f"{{{_PKG_REL}}}Relationship")
    }
    return {s.get("name", ""): targets.get(s.get(f"{{{_REL}}}id"), "") for s in wb.iter(f"{{{_MAIN}}}sheet")}


def _write_sheet(f: Any, xml: bytes, title: str, first: int, rows: Any, date_style: int | None) -> None:
    if b"<sheetData/>" in xml:
        xml = xml.replace(b"<sheetData/>", b"<sheetData></sheetData>", 1)
    head, tail = xml.split(b"</sheetData>", 1)
    count, width = 0, 0
    chunks = []
    for text, n, w in _rows_xml(title, first, rows, date_style):
        chunks.append(text.encode("utf-8"))
        count, width = n, max(width, w)
    if count:
        last = first + count
        m = re.search(rb'<dimension ref="([A-Z]+)?\d*(?::([A-Z]+)\d+)?"/>', head)
        if m is not None:
            old = (m.group(2) or m.group(1) or b"A").decode()
            cols = max(column_index(old), width)
            ref = f'<dimension ref="A1:{_letters(cols)}{last}"/>'.encode()
            head = head[: m.start()] + ref + head[m.end() :]
    f.write(head)
    for c in chunks:
        f.write(c)
    f.write(b"</sheetData>")
    f.write(tail)


def _rows_xml(title: str, first: int, rows: Any, date_style: int | None, chunk: int = 5000) -> Any:
    """``(xml, rows so far, widest row)`` for every ``chunk`` rows."""
    letters: list[str] = []
    out: list[str] = []
    width = 0
    n = 0
    escape_ = _escape
    special = _OOXML_ESCAPE.search
    if hasattr(rows, "__len__") and first + len(rows) > EXCEL_MAX_ROWS:
        raise TooManyRows(title, first + len(rows))
    for n, values in enumerate(rows, start=1):
        if first + n > EXCEL_MAX_ROWS:
            raise TooManyRows(title, first + n)
        r = str(first + n)
        if len(values) > len(letters):
            letters = [_letters(i) for i in range(1, len(values) + 1)]
        width = max(width, len(values))
        cells = []
        for j, v in enumerate(values):
            if v is None:
                continue
            cls = v.__class__
            if cls is str:
                if not v:
                    continue
                if len(v) > EXCEL_MAX_TEXT:
                    raise TooLong(title, letters[j] + r, len(v))
                t = escape_(v) if ("&" in v or "<" in v or ">" in v) else v
                if special(t):
                    t = _OOXML_ESCAPE.sub(_ooxml_escape, t)
                if t[0] in " \t\n" or t[-1] in " \t\n":
                    cells.append(
                        f'<c r="{letters[j]}{r}" t="inlineStr"><is><t xml:space="preserve">{t}</t></is></c>'
                    )
                else:
                    cells.append(f'<c r="{letters[j]}{r}" t="inlineStr"><is><t>{t}</t></is></c>')
            elif cls is int or cls is float:
                cells.append(f'<c r="{letters[j]}{r}"><v>{v!r}</v></c>')
            elif cls is bool:
                cells.append(f'<c r="{letters[j]}{r}" t="b"><v>{int(v)}</v></c>')
            elif cls is dt.date and date_style is not None and v >= _FIRST_SERIAL_DAY:
                cells.append(f'<c r="{letters[j]}{r}" s="{date_style}"><v>{(v - _EPOCH).days}</v></c>')
            elif isinstance(v, numbers.Real) and math.isfinite(v):  # numpy's numbers, fractions
                cells.append(
                    f'<c r="{letters[j]}{r}"><v>{int(v) if isinstance(v, numbers.Integral) else float(v)!r}</v></c>'
                )
            else:  # a date Excel cannot count or in a column without the date style, anything else: text
                t = escape_(v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v))
                cells.append(f'<c r="{letters[j]}{r}" t="inlineStr"><is><t>{t}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(out) >= chunk:
            yield "".join(out), n, width
            out.clear()
    yield "".join(out), n, width


__all__ = [
    "NotAWorkbook",
    "SheetCells",
    "TooLong",
    "TooManyRows",
    "XlsxBook",
    "XlsxWriterBook",
    "check_rows",
    "needs_exact_reader",
    "ooxml_unescape",
]
