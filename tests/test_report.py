"""The quarterly report regenerated from the store, compared with the office's own report."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest

import ofai_graph
from ofai_graph.changes import UsageError
from ofai_graph.report_docx import check_reference_doc, svg_to_png, to_docx, write_docx
from ofai_graph.report_render import to_html, to_markdown
from ofai_graph.text import fold_key

ORIGINAL = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "informe_gestion_ofai_2024q1.txt"
)
if not ORIGINAL.exists():  # a worktree lives one level deeper than the main checkout
    ORIGINAL = Path("/work/shared/seed/informe_gestion_ofai_2024q1.txt")


def original_structure() -> list[tuple[str, list[str]]]:
    """The original report's lines and their action headings ("- Acción: …" and "- Gestión …")."""
    text = ORIGINAL.read_text(encoding="utf-8")
    body = text[text.index("INFORME DE GESTIÓN ENERO – MARZO DE 2024\n\n1.") :]
    lines: list[tuple[str, list[str]]] = []
    for raw in body.splitlines():
        m = re.match(r"^(\d)\. (.+)$", raw.strip())
        if m:
            lines.append((m.group(2).strip(), []))
            continue
        m = re.match(r"^- (Acción: (.+)|(Gestión .+))$", raw.strip())
        if m and lines:
            heading = m.group(2) or m.group(3).split(": ")[0]
            lines[-1][1].append(heading)
    return lines


def norm(text: str) -> str:
    return " ".join(fold_key(text).rstrip(".:").split())


@pytest.fixture(scope="module")
def report(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        return ws.report("2024-Q1")


@pytest.fixture(scope="module")
def report_en(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        return ws.report("2024-Q1", lang="en", include_map=False)


# -- the seed report against the original ---------------------------------------------------------


def test_the_original_has_31_actions_in_five_lines():
    structure = original_structure()
    assert [len(actions) for _, actions in structure] == [12, 2, 7, 9, 1]


def test_all_31_actions_under_the_right_lines_in_the_reports_order(report):
    original = original_structure()
    ours = [(line.title, [a.title for a in line.actions]) for line in report.lines if line.actions]
    assert [norm(t) for t, _ in ours] == [norm(t) for t, _ in original]
    for (_, mine), (_, theirs) in zip(ours, original, strict=True):
        assert [norm(a) for a in mine] == [norm(a) for a in theirs]
    assert len(report.actions) == 31


def test_dates_keep_the_reports_precision(report):
    by_title = {a.title: a for a in report.actions}
    consuls = next(a for t, a in by_title.items() if "cónsules" in t)
    fairs = next(a for t, a in by_title.items() if t.startswith("Presentación de ferias"))
    assert consuls.date_label == "12 de febrero de 2024"
    assert fairs.date_label == "12 de marzo de 2024"
    quarter_only = [a for a in report.actions if a.date_label == "primer trimestre de 2024"]
    assert len(quarter_only) == 29


def test_pending_items_follow_their_actions(report):
    pending = {a.title: [p.description + " " + p.text for p in a.pending] for a in report.actions}
    jica = next(v for k, v in pending.items() if "voluntarios japoneses" in k)
    assert any(
        p.endswith("Se espera de Agencia de Cooperación Internacional del Japón (JICA) para agosto de 2024.")
        for p in jica
    )
    vui = next(v for k, v in pending.items() if "(VUI)" in k)
    assert any("mayo de 2024" in p for p in vui)
    mercociudades = next(v for k, v in pending.items() if "Mercociudades" in k)
    assert mercociudades and not any("Se espera de" in p for p in mercociudades)  # the office's own review
    assert not next(v for k, v in pending.items() if k == "Santander Expo Tattoo")


def test_the_actions_own_interactions_are_grouped(report):
    bid = report.lines[0].actions[0]
    assert [s.id for s in bid.steps] == [
        "bid-ciudades-inteligentes-convocatoria",
        "bid-ciudades-inteligentes-carta-intencion",
    ]
    assert bid.status == "in_progress" and bid.status_label == "en proceso"
    assert any(p.id == "secretaria-hacienda" for p in bid.participants)
    assert {p.id for p in bid.subjects} == {"agenda-ciudades-inteligentes", "modernizacion-recaudos-hacienda"}


def test_the_cover_names_the_heads_as_of_the_period_from_the_affiliations(report):
    assert report.office_name.startswith("Oficina Asesora de Asuntos Internacionales")
    assert report.parent_name == "Alcaldía de Bucaramanga"
    assert [(h.name, h.title) for h in report.heads] == [
        ("Stephanie Prada Villamizar", "Jefe OFAI"),
        ("Julián Andrés Díaz Zambrano", "Jefe OFAI (e)"),
    ]


def test_a_head_whose_affiliation_ended_before_the_quarter_is_not_on_the_cover(ws):
    ws.import_data(
        {
            "organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}],
            "people": [
                {
                    "id": "old",
                    "name": "Antes",
                    "affiliations": [{"organization": "ofai", "title": "Jefe", "until": "2023"}],
                },
                {
                    "id": "new",
                    "name": "Ahora",
                    "affiliations": [{"organization": "ofai", "title": "Jefe", "since": "2024-02"}],
                },
                {
                    "id": "later",
                    "name": "Después",
                    "affiliations": [{"organization": "ofai", "title": "Jefe", "since": "2024-05"}],
                },
            ],
        }
    )
    assert [h.name for h in ws.report("2024-Q1", include_map=False).heads] == ["Ahora"]


def test_figures_per_line_come_from_changes(report):
    assert [line.figures.actions for line in report.lines] == [12, 2, 7, 9, 1]
    assert all(line.figures.previous_actions == 0 for line in report.lines)
    assert report.lines[0].figures.partners >= 15
    assert report.changes.window.label == "2024-Q1"


def test_followups_due_next_quarter_and_overdue(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        q1 = ws.report("2024-Q1", include_map=False)
        q3 = ws.report("2024-Q3", include_map=False)
    assert {p.id for p in q1.followups_next} == {"fontur-plazo-turismo-comunitario", "mincit-resultados-vui"}
    assert not q1.followups_overdue
    # By the end of September, May's and July's and August's deadlines have passed.
    assert {p.id for p in q3.followups_overdue} >= {
        "mincit-resultados-vui",
        "cid-bga-realizacion",
        "jica-respuesta-voluntarios",
    }
    assert q3.empty  # no actions recorded for that quarter yet


def test_relationships_that_grew(report):
    grew = {g.id: g for g in report.grew}
    assert grew and all(g.after > g.before for g in grew.values())
    assert all(g.interactions for g in grew.values())


# -- the order is data, and it survives the stores ---------------------------------------------------


def _small(ws, interactions):
    ws.import_data(
        {
            "organizations": [
                {"id": "ofai", "name": "OFAI", "kind": "home_office"},
                {"id": "jica", "name": "JICA", "kind": "bilateral_agency", "countries": ["JP"]},
            ],
            "interactions": interactions,
        }
    )


def _i(iid, date, axis, action=None, order=None, title=None):
    src = {"document": "informe"}
    if action:
        src.update(action=action, order=order)
    return {
        "id": iid,
        "date": date,
        "kind": "meeting",
        "axis": axis,
        "title": title or iid,
        "participants": [{"entity": "ofai"}, {"entity": "jica"}],
        "source": src,
    }


ORDERED = [
    _i("z-last", "2024-Q1", "cooperation", "Segunda acción", 2),
    _i("a-first", "2024-Q1", "cooperation", "Primera acción", 1),
    _i("m-loose", "2024-02-03", "cooperation", title="Sin acción"),
    _i("b-early-loose", "2024-01-05", "cooperation", title="Antes, sin acción"),
    _i("nowhere", "2024-03", None, title="Sin eje"),
    _i("other-quarter", "2024-Q2", "cooperation", "Otra", 1),
]


def test_order_comes_from_the_data_and_unsectioned_interactions_land_under_their_axis(ws):
    _small(ws, ORDERED)
    r = ws.report("2024-Q1", include_map=False)
    assert [a.title for a in r.lines[0].actions] == [
        "Primera acción",
        "Segunda acción",
        "Antes, sin acción",
        "Sin acción",
    ]
    assert r.lines[-1].axis is None and [a.title for a in r.lines[-1].actions] == ["Sin eje"]


def test_order_survives_export_and_import(ws, tmp_path):
    _small(ws, ORDERED)
    before = [a.title for a in ws.report("2024-Q1", include_map=False).actions]
    with ofai_graph.open(tmp_path / "copy.db", create=True) as other:
        other.import_files([_write(tmp_path / "export.yaml", ws.export("yaml"))])
        assert [a.title for a in other.report("2024-Q1", include_map=False).actions] == before


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.bolt
def test_order_survives_neo4j(neo, seeded_path):
    from ofai_graph.sync import copy

    with ofai_graph.open(seeded_path) as src:
        expected = [
            (line.title, [a.title for a in line.actions])
            for line in src.report("2024-Q1", include_map=False).lines
        ]
        copy(src.store, neo)
    ws = ofai_graph.Workspace(neo)
    got = [
        (line.title, [a.title for a in line.actions])
        for line in ws.report("2024-Q1", include_map=False).lines
    ]
    assert got == expected


# -- bad input and empty quarters --------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2024-Q5", "2024", "2024-02", "Q1-2024", "primer trimestre", ""])
def test_a_malformed_quarter_is_a_usage_error(ws, bad):
    with pytest.raises(UsageError):
        ws.report(bad)


def test_an_empty_quarter_says_there_were_no_actions(seeded_path):
    with ofai_graph.open(seeded_path) as ws:
        r = ws.report("2019-Q1")
    assert r.empty and r.map_svg is None
    assert "No se registraron acciones en este trimestre." in to_markdown(r)
    assert "No se registraron acciones en este trimestre." in to_html(r)
    d = docx.Document(io.BytesIO(to_docx(r)))
    assert any("No se registraron acciones" in p.text for p in d.paragraphs)


# -- languages -----------------------------------------------------------------------------------------


def test_spanish_by_default_english_on_request(report, report_en):
    es, en = to_markdown(report), to_markdown(report_en)
    assert es.startswith("# Informe de gestión: primer trimestre de 2024")
    assert "#### Acción: " in es and "**Participantes:**" in es and "Sin fecha prevista" in es
    assert en.startswith("# Management report: first quarter of 2024")
    assert "#### Action: " in en and "**Participants:**" in en
    # Data text stays as written; what the report itself says is English.
    for spanish_ui in ("Acción:", "**Participantes:**", "**Estado:**", "primer trimestre", "**Pendiente:**"):
        assert spanish_ui not in en
    assert "**Status:** in progress" in en and "**Estado:**" in es
    assert "Cooperación internacional" not in en and "International cooperation" in en


# -- renderers -----------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_report(ws):
    ws.import_data(
        {
            "organizations": [
                {"id": "ofai", "name": "OFAI", "kind": "home_office"},
                {"id": "h", "name": HOSTILE, "kind": "company", "countries": ["JP"]},
            ],
            "interactions": [
                {
                    "id": "x",
                    "date": "2024-02-01",
                    "kind": "meeting",
                    "axis": "allies",
                    "title": HOSTILE,
                    "summary": "**bold** [link](http://evil.example) " + HOSTILE,
                    "participants": [{"entity": "ofai"}, {"entity": "h"}],
                    "source": {"document": "d", "action": HOSTILE, "order": 1},
                }
            ],
            "followups": [{"id": "f", "description": HOSTILE, "interaction": "x", "due": "2024-05"}],
        }
    )
    return ws.report("2024-Q1")


def test_html_escapes_every_data_text_and_needs_no_network(hostile_report):
    page = to_html(hostile_report)
    assert (
        HOSTILE not in page
        and "<script" not in page
        and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    )
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert 'src="data:image/svg+xml;base64,' in page  # the map, inline


def test_markdown_shows_data_as_text_not_markup(hostile_report):
    text = to_markdown(hostile_report)
    assert "<script>" not in text and "[link](http" not in text and "**bold**" not in text
    assert r"\<script\>" in text


def test_html_opens_in_chromium_without_running_data_or_fetching(hostile_report, tmp_path):
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    from ofai_graph.maps import CHROMIUM_ARGS, chromium_path

    page_file = tmp_path / "r.html"
    page_file.write_text(to_html(hostile_report), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            seen = {"dialogs": [], "requests": []}
            tab.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
            tab.on(
                "request",
                lambda r: (
                    seen["requests"].append(r.url) if not r.url.startswith(("file:", "data:")) else None
                ),
            )
            tab.goto(page_file.as_uri())
            tab.wait_for_load_state("load")
            assert seen == {"dialogs": [], "requests": []}
            assert tab.evaluate("document.images[0].naturalWidth") > 0  # the map drew
            assert HOSTILE in tab.inner_text("body")
        finally:
            browser.close()


def test_docx_has_real_headings_a_table_and_the_map(report, tmp_path):
    path = write_docx(report, tmp_path / "informe.docx")
    d = docx.Document(str(path))
    styles = [(p.style.name, p.text) for p in d.paragraphs]
    h2 = [t for s, t in styles if s == "Heading 2"]
    h3 = [t for s, t in styles if s == "Heading 3"]
    assert h2[:5] == [
        "1. Cooperación internacional",
        "2. Captación de inversión extranjera directa IED y oferta institucional",
        "3. Promoción destino",
        "4. Red de aliados",
        "5. Gestión interna",
    ]
    assert len([t for t in h3 if t.startswith("Acción: ")]) == 31
    assert any(s == "Heading 1" and t == "Cifras del trimestre" for s, t in styles)
    assert d.tables and d.tables[0].rows[0].cells[0].text == "Línea estratégica"
    assert len(d.inline_shapes) == 1


def test_docx_keeps_hostile_data_as_plain_text(hostile_report):
    d = docx.Document(io.BytesIO(to_docx(hostile_report)))
    assert any(p.text == f"Acción: {HOSTILE}" and p.style.name == "Heading 3" for p in d.paragraphs)
    assert any(HOSTILE in p.text for p in d.paragraphs if p.text.startswith("Reunión: "))


def test_the_map_picture_is_a_png_of_the_quarters_network(report):
    png = svg_to_png(report.map_svg)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def _template(path: Path) -> Path:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "ALCALDÍA DE BUCARAMANGA — plantilla"
    d.add_paragraph("Texto de ejemplo de la plantilla")
    d.save(str(path))
    return path


def test_reference_doc_keeps_the_offices_header_and_drops_its_sample_text(report, tmp_path):
    template = _template(tmp_path / "plantilla.docx")
    d = docx.Document(io.BytesIO(to_docx(report, reference_doc=template)))
    assert d.sections[0].header.paragraphs[0].text == "ALCALDÍA DE BUCARAMANGA — plantilla"
    assert not any("Texto de ejemplo" in p.text for p in d.paragraphs)
    assert any(p.style.name == "Heading 2" for p in d.paragraphs)


@pytest.mark.parametrize(
    "content",
    [b"not a word file", b"PK\x03\x04 broken zip", "zip-without-document"],
)
def test_a_reference_doc_that_is_not_word_is_refused(tmp_path, content):
    path = tmp_path / "plantilla.docx"
    if content == "zip-without-document":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "hi")
    else:
        path.write_bytes(content)
    with pytest.raises(ofai_graph.OfaiError, match=r"not a Word document|Word cannot use"):
        check_reference_doc(path)


# -- the command line -----------------------------------------------------------------------------------


def run(db, *args, env=None):
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "ofai_graph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "OFAI_GRAPH_DB": str(db), **(env or {})},
        timeout=120,
    )


def test_cli_report_markdown_on_stdout_in_spanish(seeded_path):
    r = run(seeded_path, "report", "--quarter", "2024-Q1", "--no-map", env={"LANG": "en_US.UTF-8"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Informe de gestión: primer trimestre de 2024")
    assert r.stdout.count("#### Acción: ") == 31
    assert "## Red del trimestre" not in r.stdout  # --no-map: no section, not an empty one


def test_cli_report_in_english_as_html_file(seeded_path, tmp_path):
    out = tmp_path / "report.html"
    r = run(seeded_path, "report", "--quarter", "2024-q1", "--out", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "<h4>Action: " in page and "first quarter of 2024" in page and "data:image/svg+xml;base64," in page
    assert "31 actions in 5 strategic lines" in r.stderr and not r.stdout


def test_cli_report_docx_with_the_offices_template(seeded_path, tmp_path):
    out = tmp_path / "informe.docx"
    template = _template(tmp_path / "plantilla.docx")
    r = run(
        seeded_path, "report", "--quarter", "2024-Q1", "--out", str(out), "--reference-doc", str(template)
    )
    assert r.returncode == 0, r.stderr
    d = docx.Document(str(out))
    assert d.sections[0].header.paragraphs[0].text.startswith("ALCALDÍA DE BUCARAMANGA")
    assert len(d.inline_shapes) == 1


@pytest.mark.parametrize("quarter", ["2024-Q5", "2024", "Q1", "2024-13"])
def test_cli_a_bad_quarter_is_a_usage_error(seeded_path, quarter):
    r = run(seeded_path, "report", "--quarter", quarter)
    assert r.returncode == 2 and "not a quarter" in r.stderr and not r.stdout


def test_cli_an_empty_quarter_is_a_report_saying_so(seeded_path):
    r = run(seeded_path, "report", "--quarter", "2031-Q2")
    assert r.returncode == 0, r.stderr
    assert "No se registraron acciones en este trimestre." in r.stdout


def test_cli_a_reference_doc_that_is_not_word_is_refused_before_writing(seeded_path, tmp_path):
    bad = tmp_path / "plantilla.docx"
    bad.write_text("no soy un documento de Word", encoding="utf-8")
    out = tmp_path / "informe.docx"
    r = run(seeded_path, "report", "--quarter", "2024-Q1", "--out", str(out), "--reference-doc", str(bad))
    assert r.returncode == 1 and "not a Word document" in r.stderr
    assert not out.exists() and not list(tmp_path.glob("informe*"))


def test_cli_docx_needs_a_file(seeded_path):
    r = run(seeded_path, "report", "--quarter", "2024-Q1", "--format", "docx")
    assert r.returncode == 2 and "--out" in r.stderr and not r.stdout


def test_cli_changes_table_and_json(seeded_path):
    import json

    r = run(seeded_path, "changes", "--quarter", "2024-Q1", "--lang", "es")
    assert r.returncode == 0, r.stderr
    assert "Interacciones por línea estratégica" in r.stdout and "Cooperación internacional" in r.stdout
    r = run(seeded_path, "changes", "--since", "2024-01-01", "--until", "2024-03-31", "--json")
    data = json.loads(r.stdout)
    assert data["interactions"] == 35 and data["window"]["until"] == "2024-03-31"
    assert {f["axis"]: f["actions"] for f in data["figures"]} == {
        "cooperation": 12,
        "investment": 2,
        "destination": 7,
        "allies": 9,
        "internal": 1,
    }


@pytest.mark.parametrize(
    "args",
    [("--since", "2024-01-01"), ("--quarter", "2024-Q1", "--since", "2024-01-01"), ("--quarter", "x"), ()],
)
def test_cli_changes_bad_windows_are_usage_errors(seeded_path, args):
    r = run(seeded_path, "changes", *args)
    assert r.returncode == 2 and r.stderr and not r.stdout


def test_actions_recorded_in_a_csv_group_and_order_like_the_report(ws, tmp_path):
    ws.import_data({"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]})
    csv = tmp_path / "acciones.csv"
    csv.write_text(
        "id,date,kind,axis,title,participants,source_document,source_action,source_order\n"
        "b,2024-02,meeting,allies,Segunda reunión,ofai:organizer,informe,Acción con dos pasos,2\n"
        "a,2024-01,meeting,allies,Primera reunión,ofai:organizer,informe,Acción con dos pasos,1\n"
        "c,2024-03-01,visit,allies,Otra,ofai:host,informe,Acción posterior,3\n",
        encoding="utf-8",
    )
    ws.import_files([csv])
    actions = ws.report("2024-Q1", include_map=False).lines[3].actions
    assert [(a.title, [s.id for s in a.steps]) for a in actions] == [
        ("Acción con dos pasos", ["a", "b"]),
        ("Acción posterior", ["c"]),
    ]
    assert actions[0].date_label == "enero de 2024; febrero de 2024"


def test_a_template_without_heading_styles_gets_them(report_en, tmp_path):
    bare = docx.Document()
    styles = bare.styles.element
    for style in list(styles):
        sid = style.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}styleId") or ""
        if sid.startswith("Heading") or sid in ("Title", "ListBullet", "TableGrid"):
            styles.remove(style)
    bare.save(str(tmp_path / "bare.docx"))
    d = docx.Document(io.BytesIO(to_docx(report_en, reference_doc=tmp_path / "bare.docx")))
    used = {p.style.name for p in d.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Heading 3"} <= used
    assert sum(p.text.startswith("Action: ") for p in d.paragraphs) == 31


def test_the_map_speaks_the_reports_language(report, seeded_path):
    assert "Red del trimestre" in report.map_svg and "Datos al" in report.map_svg
    assert "Legend" not in report.map_svg
    with ofai_graph.open(seeded_path) as ws:
        english = ws.report("2024-Q1", lang="en").map_svg
    assert "Network of the quarter" in english and "Datos al" not in english
