"""Reading workbooks: the fast reader (calamine) and the exact one (expat) give the same cells."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from ofai_graph.errors import InvalidData, OfaiError
from ofai_graph.spreadsheet import import_workbook
from ofai_graph.xlsx import XlsxBook, XlsxWriterBook, check_rows

ROWS = [
    ["id", "nombre", "número", "fecha", "sí/no", None, "#notas"],
    ["a", "  Cámara de Comercio  ", 42, dt.date(2024, 2, 12), True, None, "x"],
    [],
    [None, None, -7, dt.datetime(2024, 2, 12, 10, 30), False],
    ["b", "", 3.5, dt.date(1999, 12, 31), None, None, 'f = "e" <f>'],
    [None, None, 12345678901234567890, 1e20, 0.1 + 0.2],
    ["c", "Ünïcödé 😀 \tcon tab", 2024],
]


def cells(sheet) -> list[tuple[int, list]]:
    out = []
    for row, values in sheet.rows:
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        out.append((row, values))
    return out


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_both_readers_give_the_same_cells(tmp_path, epoch):
    wb = Workbook()
    if epoch == "1904":
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Datos"
    for row in ROWS:
        ws.append(row)
    ws["D7"] = dt.date(int(epoch), 1, 15)  # the first days of the date system (Excel's phantom 1900-02-29)
    ws["J9"] = "lejos"  # a cell far from the rest
    ws.merge_cells("B8:C9")
    ws["B8"] = "combinada"
    path = tmp_path / "b.xlsx"
    wb.save(path)
    book = XlsxBook(path)
    fast, exact = book.sheet("Datos"), book.sheet("Datos", exact=True)
    book.close()
    assert (fast.reader, exact.reader) == ("calamine", "expat")
    assert cells(fast) == cells(exact)
    assert fast.merged == exact.merged == ["B8:C9"]
    by_row = dict(cells(fast))
    assert 3 not in by_row  # an empty row is no row
    assert by_row[2][2:4] == [42, dt.datetime(2024, 2, 12)]  # a whole number is an int, a date a datetime
    assert by_row[7][3] == dt.datetime(int(epoch), 1, 15)
    assert by_row[9][9] == "lejos"


def test_a_sheet_with_a_formula_or_an_error_cell_goes_to_the_exact_reader(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Datos"
    ws.append(["id", "n"])
    ws.append(["a", "=1+1"])
    ws["B3"] = "#N/A"
    ws["B3"].data_type = "e"
    path = tmp_path / "f.xlsx"
    wb.save(path)
    book = XlsxBook(path)
    sheet = book.sheet("Datos")
    book.close()
    assert sheet.reader == "expat"
    assert sheet.formulas == [(2, 2, "=1+1")] and sheet.errors == [(3, 2, "#N/A")]


ORGS = [["id", "nombre", "tipo"], ["oim", "OIM", "organismo multilateral"]]


@pytest.fixture
def office(ws):
    ws.import_data({"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]})
    return ws


@pytest.mark.parametrize("where", ["Organizaciones", "Interacciones"])
def test_an_error_cell_is_refused_by_name_and_nothing_is_written(tmp_path, office, where):
    wb = Workbook()
    wb.active.title = "Organizaciones"
    for row in ORGS:
        wb["Organizaciones"].append(row)
    ws = wb.create_sheet("Interacciones")
    ws.append(["id", "fecha", "tipo", "título", "participantes"])
    for k in range(2, 8):
        ws.append([f"i{k}", "2024-03", "reunión", f"Reunión {k}", "oim"])
    target = wb[where]
    target["D7" if where == "Interacciones" else "B2"] = "#DIV/0!"
    target["D7" if where == "Interacciones" else "B2"].data_type = "e"
    path = tmp_path / "e.xlsx"
    wb.save(path)
    before = office.export("yaml")
    with pytest.raises(InvalidData) as exc:
        import_workbook(office.store, path)
    cell = "Interacciones!D7" if where == "Interacciones" else "Organizaciones!B2"
    assert f"e.xlsx: {cell}: the cell shows an error (#DIV/0!)" in str(exc.value)
    assert office.export("yaml") == before


def test_a_text_longer_than_a_cell_holds_is_refused_and_nothing_is_written(tmp_path, office):
    office.import_data(
        {"organizations": [{"id": "larga", "name": "Larga", "kind": "other", "note": "x" * 40_000}]}
    )
    path = tmp_path / "libro.xlsx"
    with pytest.raises(OfaiError) as exc:
        office.export_to("xlsx", path)
    assert "Organizaciones!G2: a text of 40000 characters; an Excel cell holds at most 32767" in str(
        exc.value
    )
    assert list(tmp_path.iterdir()) == []


def test_more_rows_than_a_sheet_holds_is_refused_before_writing():
    with pytest.raises(OfaiError, match="sheet Connections would have 1384390 rows"):
        check_rows({"Elements": 100_025, "Connections": 1_384_390})
    check_rows({"Connections": 1_048_576})  # exactly full


TRICKY = ["_x0041_ _x000D_", "=1+1", "+57", " lead", "trail ", "a\nb\tc", "<b>&amp;</b>", "😀 é ñ", "]]>"]


def test_what_the_writer_writes_both_readers_read_back(tmp_path):
    path = tmp_path / "w.xlsx"
    book = XlsxWriterBook(path)
    ws = book.add_worksheet("Hoja")
    ws.write_row(0, 0, ["texto", "número", "fecha", "sí"])
    rows = [[t, k, dt.date(2024, 1, 1) + dt.timedelta(days=k), k % 2 == 0] for k, t in enumerate(TRICKY)]
    rows.append(["antigua", 1.5, dt.date(1899, 12, 31), None])  # before Excel's first day: its ISO text
    rows.append(["numpy", np.int64(7), None, None])
    rows.append(["numpy", np.float64(0.25), None, None])
    ws.set_column(2, 2, 12, book.date_format)
    book.bulk(ws, 1, rows)
    book.close()
    reader = XlsxBook(path)
    fast, exact = reader.sheet("Hoja"), reader.sheet("Hoja", exact=True)
    reader.close()
    assert fast.reader == "calamine" and cells(fast) == cells(exact)
    got = [values for _, values in cells(fast)[1:]]
    want = [[t, k, dt.datetime(2024, 1, 1) + dt.timedelta(days=k), k % 2 == 0] for k, t in enumerate(TRICKY)]
    assert got == [*want, ["antigua", 1.5, "1899-12-31"], ["numpy", 7], ["numpy", 0.25]]
