"""Excel in and out: the template, importing what people type, errors naming cells, round trips."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

import ofai_graph
from ofai_graph.errors import InvalidData
from ofai_graph.generate import generate
from ofai_graph.humandates import parse_human_date
from ofai_graph.labels import label
from ofai_graph.spreadsheet import SHEETS, import_workbook, read_workbook


def book(path, sheets: dict[str, list[list]]):
    """A workbook with these sheets and rows (row 1 the header), as a person would type it."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


ORGS = [
    ["id", "nombre", "tipo", "otros nombres", "países"],
    ["ofai", "Oficina de Asuntos Internacionales", "oficina propia", "OFAI", "CO"],
    ["oim", "Organización Internacional para las Migraciones", "organismo multilateral", "OIM; IOM", "Suiza"],
]


@pytest.fixture
def office(ws):
    ws.import_data({"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]})
    return ws


def problems_of(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value)


# -- template -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en"])
def test_template_has_a_sheet_per_record_type_with_notes_and_dropdowns_in_its_language(tmp_path, lang):
    path = tmp_path / "plantilla.xlsx"
    ofai_graph.open(":memory:").template(path, lang=lang)
    wb = load_workbook(path)
    titles = [s.title(lang) for s in SHEETS]
    assert [t for t in wb.sheetnames if t in titles] == titles
    lists = wb[next(n for n in wb.sheetnames if n not in titles)]
    assert lists.sheet_state == "hidden"
    for sheet in SHEETS:
        ws = wb[sheet.title(lang)]
        header = [c.value for c in ws[1]]
        assert header == [c.header(lang) for c in sheet.columns]
        assert all(c.comment is not None and c.comment.text for c in ws[1])
        vocab_cols = [c for c in sheet.columns if c.vocab]
        assert len(ws.data_validations.dataValidation) == len(vocab_cols)
        for dv, col in zip(ws.data_validations.dataValidation, vocab_cols, strict=True):
            # The list the drop-down offers is the vocabulary's labels in the template's language.
            ref = dv.formula1.split("!")[1].replace("$", "")
            values = [c.value for row in lists[ref] for c in row]
            assert values == [label(col.vocab, code, lang) for code in ofai_graph.labels.LABELS[col.vocab]]
    kinds = {"es": "reunión", "en": "meeting"}[lang]
    assert kinds in [c.value for row in lists.iter_rows() for c in row]


def test_every_column_is_wide_enough_for_its_header_and_dates_show_as_dates(tmp_path, seeded):
    path = tmp_path / "libro.xlsx"
    seeded.export_to("xlsx", path)
    wb = load_workbook(path)
    for sheet in SHEETS:
        ws = wb[sheet.title("es")]
        widths = {}
        for dim in ws.column_dimensions.values():
            for i in range(dim.min, dim.max + 1):
                widths[i] = dim.width
        for i, col in enumerate(sheet.columns, start=1):
            assert widths.get(i, 0) >= min(40, len(col.header("es")) + 6), (sheet.es, col.es)
    dates = [c for row in wb["Interacciones"].iter_rows(min_row=2, max_col=2) for c in row if c.is_date]
    assert dates and all(c.number_format == "yyyy-mm-dd" for c in dates)


def test_template_examples_import_once_their_hash_is_removed(tmp_path, office):
    path = tmp_path / "plantilla.xlsx"
    office.template(path)
    assert read_workbook(path).records == []  # the examples start with "#": skipped
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            if isinstance(row[0].value, str) and row[0].value.startswith("#"):
                row[0].value = row[0].value[1:]
    wb.save(path)
    report = import_workbook(office.store, path)
    assert report.total("added") > 0
    meeting = office.store.get_interactions(["oim-reunion-2024-02"])["oim-reunion-2024-02"]
    assert str(meeting.date) == "2024-02-12"
    assert [(p.entity, p.role.value) for p in meeting.participants] == [
        ("oim", "host"),
        ("ofai", "participant"),
    ]
    call = office.store.get_interactions(["oim-convocatoria-2024"])["oim-convocatoria-2024"]
    assert str(call.date) == "2024-Q1" and call.status.value == "in_progress"
    assert str(office.store.followups(None)[0].due) == "2024-08"


# -- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en"])
def test_seed_exports_to_xlsx_and_imports_into_an_empty_store_identically(tmp_path, seeded, lang):
    path = tmp_path / "seed.xlsx"
    seeded.export_to("xlsx", path, lang=lang)
    with ofai_graph.open(":memory:") as fresh:
        fresh.import_any([path])
        assert fresh.export("yaml") == seeded.export("yaml")
        again = tmp_path / "again.xlsx"
        fresh.export_to("xlsx", again, lang=lang)
    first, second = load_workbook(path), load_workbook(again)
    for name in first.sheetnames:
        assert [[c.value for c in r] for r in first[name].iter_rows()] == [
            [c.value for c in r] for r in second[name].iter_rows()
        ]


def test_generated_data_with_people_ties_and_follow_ups_round_trips(tmp_path):
    with ofai_graph.open(":memory:") as ws:
        ws.import_data(generate(150, 600, seed=4))
        path = tmp_path / "gen.xlsx"
        ws.export_to("xlsx", path)
        with ofai_graph.open(":memory:") as fresh:
            import_workbook(fresh.store, path)
            assert fresh.export("json") == ws.export("json")


def test_hostile_text_stays_text(tmp_path, ws):
    ws.import_data(
        {
            "organizations": [
                {"id": "x", "name": '=HYPERLINK("http://evil")', "kind": "other", "note": "+1 @a -b"},
            ]
        }
    )
    path = tmp_path / "x.xlsx"
    ws.export_to("xlsx", path)
    cell = load_workbook(path)["Organizaciones"]["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil")'
    with ofai_graph.open(":memory:") as fresh:
        import_workbook(fresh.store, path)
        assert fresh.export("yaml") == ws.export("yaml")


# -- what people type ------------------------------------------------------------------------------


def test_dates_as_excel_dates_or_text_with_their_precision(tmp_path, office):
    path = book(
        tmp_path / "d.xlsx",
        {
            "Organizaciones": ORGS,
            "Interacciones": [
                ["id", "fecha", "precisión", "tipo", "título", "participantes"],
                ["a", dt.datetime(2024, 2, 12), None, "reunión", "A", "oim"],
                ["b", "2024-08", None, "reunión", "B", "oim"],
                ["c", "agosto 2024", None, "meeting", "C", "oim"],
                ["d", "primer trimestre 2024", None, "visita", "D", "oim"],
                ["e", dt.datetime(2024, 8, 20), "mes", "visita", "E", "oim"],
                ["f", "12/02/2024", None, "visita", "F", "oim"],
                ["g", 2023, None, "visita", "G", "oim"],
            ],
        },
    )
    import_workbook(office.store, path)
    got = {k: str(v.date) for k, v in office.store.get_interactions("abcdefg").items()}
    assert got == {
        "a": "2024-02-12",
        "b": "2024-08",
        "c": "2024-08",
        "d": "2024-Q1",
        "e": "2024-08",
        "f": "2024-02-12",
        "g": "2023",
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-02-12", "2024-02-12"),
        ("12 de febrero de 2024", "2024-02-12"),
        ("February 12, 2024", "2024-02-12"),
        ("agosto 2024", "2024-08"),
        ("Agosto de 2024", "2024-08"),
        ("August 2024", "2024-08"),
        ("primer trimestre 2024", "2024-Q1"),
        ("Primer trimestre de 2024", "2024-Q1"),
        ("IV trimestre 2023", "2023-Q4"),
        ("first quarter of 2024", "2024-Q1"),
        ("Q3 2024", "2024-Q3"),
        ("T2 2024", "2024-Q2"),
        ("2024", "2024"),
    ],
)
def test_human_dates(text, expected):
    assert str(parse_human_date(text)) == expected


@pytest.mark.parametrize("text", ["31/02/2024", "quinto trimestre 2024", "agosto", "mañana", "13/2024"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValueError, match=r"date|day"):
        parse_human_date(text)


def test_english_labels_in_a_spanish_workbook_and_participants_sheet(tmp_path, office):
    path = book(
        tmp_path / "p.xlsx",
        {
            "Organizaciones": ORGS,
            "Interacciones": [
                ["id", "fecha", "tipo", "eje", "título", "estado"],
                ["m1", "2024-Q1", "meeting", "International cooperation", "Reunión", "in progress"],
            ],
            "Participantes": [
                ["interacción", "entidad", "rol"],
                ["m1", "OIM", "offerer"],
                ["m1", "ofai", "anfitrión"],
            ],
        },
    )
    import_workbook(office.store, path)
    m = office.store.get_interactions(["m1"])["m1"]
    assert (m.kind.value, m.axis.value, m.status.value) == ("meeting", "cooperation", "in_progress")
    assert [(p.entity, p.role.value) for p in m.participants] == [("oim", "offerer"), ("ofai", "host")]


def test_people_with_several_affiliations_take_a_row_each(tmp_path, office):
    path = book(
        tmp_path / "people.xlsx",
        {
            "Organizaciones": ORGS,
            "Personas": [
                ["id", "nombre", "organización", "cargo", "desde"],
                ["ana", "Ana Pérez", "oim", "Oficial", "2023"],
                ["ana", None, "OFAI", "Enlace", "agosto 2024"],
            ],
        },
    )
    import_workbook(office.store, path)
    ana = office.entity("ana")
    assert [(a.organization, a.title, str(a.since)) for a in ana.affiliations] == [
        ("oim", "Oficial", "2023"),
        ("ofai", "Enlace", "2024-08"),
    ]


def test_merged_cells_repeat_their_value_and_empty_rows_are_skipped(tmp_path, office):
    path = tmp_path / "m.xlsx"
    book(
        path,
        {
            "Organizaciones": ORGS,
            "Interacciones": [
                ["id", "fecha", "tipo", "título", "participantes"],
                ["a", "2024-03", "reunión", "A", "oim"],
                [],
                ["b", None, "reunión", "B", "oim"],
                [None, None, None, None, None],
            ],
        },
    )
    wb = load_workbook(path)
    wb["Interacciones"].merge_cells("B2:B4")  # one date for the meetings of that month
    wb.save(path)
    import_workbook(office.store, path)
    got = office.store.get_interactions(["a", "b"])
    assert {k: str(v.date) for k, v in got.items()} == {"a": "2024-03", "b": "2024-03"}


# -- bad input: every problem names its cell, nothing is written -------------------------------------


def rejected(office, path) -> str:
    before = office.export("yaml")
    with pytest.raises(InvalidData) as exc:
        import_workbook(office.store, path)
    assert office.export("yaml") == before
    return str(exc.value)


def test_bad_rows_name_sheet_row_and_column_and_nothing_is_written(tmp_path, office):
    path = book(
        tmp_path / "bad.xlsx",
        {
            "Organizaciones": ORGS,
            "Interacciones": [
                ["id", "fecha", "tipo", "título"],
                ["ok", "2024-Q1", "reunión", "Bien"],
                ["bad-date", "2024-13", "reunión", "Mal"],
                ["bad-kind", "2024-Q1", "almuerzo", "Mal"],
            ],
            "Participantes": [
                ["interacción", "entidad", "rol"],
                ["ok", "oim", None],
                ["bad-date", "oim", None],
                ["bad-kind", "oim", None],
                ["ok", "Nadie Conocido", None],
                ["ghost", "oim", None],
            ],
        },
    )
    msg = rejected(office, path)
    assert "bad.xlsx: Interacciones!B3" in msg and "2024-13" in msg
    assert "Interacciones!C4" in msg and "'almuerzo' is not in the list" in msg and "meeting" in msg
    assert "Interacciones!C4: field 'tipo': is required" not in msg  # the cell's own error says why
    assert "Participantes!B5" in msg and "Nadie Conocido" in msg
    assert "Participantes!A6" in msg and "ghost" in msg
    assert "Nothing was written" in msg


def test_formulas_number_names_unknown_columns_and_sheets(tmp_path, office):
    path = book(
        tmp_path / "f.xlsx",
        {
            "Organizaciones": [
                ["id", "nombre", "tipo", "teléfono", "# mis notas"],
                ["a", '=CONCAT("A","B")', "otro", None, "libre"],
                ["b", 12345, "otro", None, None],
                [42, "Cuarenta y dos", "otro", None, None],
            ],
            "Hoja1": [["x"]],
            "Notas (ignorar)": [["lo que sea"]],
        },
    )
    msg = rejected(office, path)
    assert "Organizaciones!B2: a formula" in msg
    assert "Organizaciones!B3" in msg and "a number (12345) where a name belongs" in msg
    assert "Organizaciones!D1" in msg and "unknown column 'teléfono'" in msg
    assert "unknown sheet 'Hoja1'" in msg
    assert "mis notas" not in msg and "ignorar" not in msg.split("unknown sheet")[0]


def test_a_whole_number_in_an_id_column_is_its_text(tmp_path, office):
    path = book(tmp_path / "n.xlsx", {"Organizaciones": [ORGS[0], [42, "Cuarenta y dos", "otro"]]})
    import_workbook(office.store, path)
    assert office.entity("42").name == "Cuarenta y dos"


def test_not_a_workbook(tmp_path, office):
    path = tmp_path / "x.xlsx"
    path.write_text("id,name\n")
    with pytest.raises(InvalidData, match="not an Excel workbook"):
        import_workbook(office.store, path)


def test_finer_precision_than_the_date_is_an_error(tmp_path, office):
    path = book(
        tmp_path / "p.xlsx",
        {
            "Organizaciones": ORGS,
            "Interacciones": [
                ["id", "fecha", "precisión", "tipo", "título", "participantes"],
                ["a", "2024-Q1", "día", "reunión", "A", "oim"],
            ],
        },
    )
    assert "Interacciones!C2" in rejected(office, path)
