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
        out = SheetCells(title)
        strings, dates, epoch = self._strings, self._dates, self.epoch
        state: dict[str, Any] = {
            "row": 0,
            "values": None,
            "col": 0,
            "t": "n",
            "s": 0,
            "text": None,
            "f": None,
        }
        text_parts: list[str] = []
        collect = [False]
        next_col = [1]

        def start(name: str, attrs: dict[str, str]) -> None:
            local = name.rsplit(":", 1)[-1] if ":" in name else name
            if local == "c":
                ref = attrs.get("r")
                if ref:
                    m = _COL.match(ref)
                    state["col"] = column_index(m.group(1)) if m else next_col[0]
                else:
                    state["col"] = next_col[0]
                next_col[0] = state["col"] + 1
                state["t"] = attrs.get("t", "n")
                state["s"] = int(attrs.get("s", "0"))
                state["f"] = None
                text_parts.clear()
            elif local in ("v", "t"):
                collect[0] = True
            elif local == "f":
                collect[0] = True
                state["f"] = ""
            elif local == "row":
                state["row"] = int(attrs.get("r") or state["row"] + 1)
                state["values"] = []
                next_col[0] = 1
            elif local == "mergeCell":
                out.merged.append(attrs.get("ref", ""))
            elif local == "rPh":
                collect[0] = False

        def end(name: str) -> None:
            local = name.rsplit(":", 1)[-1] if ":" in name else name
            if local == "f":
                state["f"] = "".join(text_parts)
                text_parts.clear()
                collect[0] = False
            elif local in ("v", "t"):
                collect[0] = False
            elif local == "c":
                raw = "".join(text_parts)
                row, col, t = state["row"], state["col"], state["t"]
                if state["f"] is not None:
                    out.formulas.append((row, col, "=" + state["f"]))
                    return
                if t == "e":
                    out.errors.append((row, col, raw))
                    return
                if raw == "" and t != "inlineStr":
                    return
                if t == "s":
                    value: Any = strings[int(raw)]
                elif t in ("inlineStr", "str"):
                    value = raw
                elif t == "b":
                    value = raw == "1"
                elif t == "d":
                    value = dt.datetime.fromisoformat(raw)
                else:
                    number = float(raw)
                    if state["s"] in dates:
                        value = epoch + dt.timedelta(days=number)
                        if number < 60 and epoch.year == 1899:
                            value += dt.timedelta(days=1)  # Excel's phantom 1900-02-29
                    elif number.is_integer() and "." not in raw and "E" not in raw.upper():
                        value = int(raw)
                    else:
                        value = number
                values = state["values"]
                if len(values) < col:
                    values.extend([None] * (col - len(values)))
                values[col - 1] = value
            elif local == "row":
                if state["values"]:
                    out.rows.append((state["row"], state["values"]))
                state["values"] = None

        def chars(data: str) -> None:
            if collect[0]:
                text_parts.append(data)

        p = expat.ParserCreate()
        p.buffer_text = True
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
        with self._zip.open(self._sheets[title]) as f:
            p.ParseFile(f)
        return out


__all__ = ["NotAWorkbook", "SheetCells", "XlsxBook"]
