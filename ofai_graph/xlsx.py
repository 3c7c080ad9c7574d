"""Reading the cells of an .xlsx workbook in one streaming pass: values, formulas, errors, merges.

openpyxl's read-only mode builds an object per cell and, for workbooks written without a
``<dimension>`` (openpyxl's own write-only mode), parses every sheet once more just to size it;
on a 50,000-row sheet that is most of an import. This reader parses each sheet's XML with expat
and keeps, per row, only the values; formula cells, error cells and merged ranges are reported
beside them so that the import can refuse or fill them (see :mod:`ofai_graph.spreadsheet`).
Shared strings, inline strings, numbers, booleans and dates (by the cell's number format, 1900 or
1904 date system) are understood; nothing is evaluated.

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
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_COL = re.compile(r"^([A-Z]+)(\d+)$")


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
    dates = set()
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
            out.append("".join(parts))
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
        self._strings = _shared_strings(
            self._zip, strings_path if strings_path in self._zip.namelist() else None
        )
        self._dates = _date_styles(self._zip)

    def close(self) -> None:
        self._zip.close()

    def sheet(self, title: str) -> SheetCells:
        parser = _SheetParser(SheetCells(title), self._strings, self._dates, self.epoch)
        with self._zip.open(self._sheets[title]) as f:
            parser.parse(f)
        return parser.out


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
        if t == "inlineStr" or t == "str":
            value: Any = raw
        elif raw == "":
            return
        elif t == "s":
            value = self.strings[int(raw)]
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


__all__ = ["NotAWorkbook", "SheetCells", "XlsxBook"]
