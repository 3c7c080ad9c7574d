"""Import problems in the reader's language: pydantic's errors by type, the readers', dates', countries'.

Every problem of a bad file (YAML, JSON, CSV, JSON Lines, Excel) is read in Spanish with ``--lang es``
and in English with ``--lang en``: never a mix. The file's own words stay as written (keys such as
``participants.1.entity`` and section locators such as ``interactions[0]``: they are what one types in
the file, like option names), everything else is translated.
"""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

from ofai_graph.errors import render
from ofai_graph.model import FollowUp, Interaction, Organization, Person, Tie
from ofai_graph.validation import MESSAGES, describe, field_path
from tests.test_cli_lang import english_in, run

BAD_YAML = """\
organizations:
  - {id: acme, name: ACME, kind: companyy, country: CO}
  - {id: beta, name: Beta, kind: company, countries: [Narnia]}
  - {name: Sin id, kind: company}
  - {id: gamma, name: "Gamma", kind: almuerzo, tags: hola}
interactions:
  - id: x1
    date: 2024-13-01
    kind: meetingg
    title: Reunión
    participants: [[acme, organizer], [Narnia, participant], [beta, hostt], [ofai, participant, extra]]
  - id: x2
    date: 2024-02-30
    kind: meeting
    title: ""
    participants: []
    source: informe
  - {id: x3, date: 2024-Q5, kind: visit, title: T, participants: [ofai], status: hecho, source: {document: d, order: -1}}
followups:
  - {id: f1, description: Esperar, interaction: nope, due: agosto, status: openn, closed_on: 2024-02-31}
  - {id: f2, description: Esperar, due: {year: 2024}, closed_on: hola, owner: ofai}
ties:
  - {source: ofai, target: ofai, kind: member_off}
  - {source: ofai, target: oim, kind: member_of, since: 2024, until: 2020}
"""

BAD_JSON = json.dumps(
    {
        "organizations": [{"id": "X Y", "name": 5, "kind": "chamber of comerce", "aliases": "OIM"}],
        "interactions": [
            {"id": "i", "date": 2024.5, "kind": "visit", "title": "T", "participants": "ofai", "axis": "inversionn"}
        ],
        "people": [{"id": "p", "name": "P", "affiliations": [{"organisation": "ofai"}, "ofai"]}],
    }
)

BAD_CSV = """\
id,date,kind,title,participants,status,source_order
a,2024-02-30,reunon,Uno,ofai:organizadr,done,1
b,2024-05,visit,Dos,Narnia,realizadaa,x
"""

BAD_CSV_HEADER = "id,date,kind,titel,participants,colour\n"

BAD_JSONL = "\n".join(
    [
        '{"type": "organisation", "id": "o", "name": "O", "kind": "company"}',
        '{"type": "interaction", "id": "j", "date": "agosto", "kind": "visita", "title": "T", "participants": ["ofai"]}',
        '{"type": "interaction", "id": "k", "date": "2024-01", "kind": "visita", "title": "T", "participants": ["ofai"]',
        '[1, 2]',
        '{"type": "followup", "id": "f", "description": "d", "interaction": "j"}',
        '{"id": "untyped"}',
    ]
)

SYNTAX = [
    ("broken.yaml", "organizations: [\n  - {id: x\n"),
    ("tab.yaml", "organizations:\n\t- {id: x}\n"),
    ("colon.yaml", "organizations:\n  - id: x: y\n"),
    ("broken.json", '{"organizations": [{"id": "x" "name": "y"}]}'),
    ("trailing.json", '{"organizations": []} extra'),
    ("sections.yaml", "organisations:\n  - {id: x}\nbanana: []\n"),
    ("empty.yaml", "\n\n"),
    ("notes.txt", "hola"),
    ("twice.yaml", "organizations:\n  - {id: x, id: y}\n"),
    ("top.json", "[1, 2, 3]"),
]


def _xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Interacciones"
    ws.append(["id", "fecha", "tipo", "título", "participantes", "colour"])
    ws.append(["ok", "2024-Q1", "reunión", "Bien", "ofai", None])
    ws.append(["mal-fecha", "2024-13", "reunión", "Mal", "ofai", None])
    ws.append(["mal-tipo", "2024-Q1", "reunon", "Mal", "ofai: organizadr", None])
    ws.append(["almuerzo", "2024-Q1", "almuerzo", "Mal", "Narnia", None])
    ws.append(["formula", "=TODAY()", "visita", "Mal", "ofai", None])
    path = tmp_path / "malo.xlsx"
    wb.save(path)
    return path


def _files(tmp_path):
    files = {
        "bad.yaml": BAD_YAML,
        "bad.json": BAD_JSON,
        "bad.csv": BAD_CSV,
        "header.csv": BAD_CSV_HEADER,
        "bad.jsonl": BAD_JSONL,
        **dict(SYNTAX),
    }
    paths = []
    for name, body in files.items():
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    return [*paths, _xlsx(tmp_path), tmp_path / "missing.yaml"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("problems") / "seed.db"
    assert run("init", "--seed", db=path).exit_code == 0
    return path


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    return _files(tmp_path_factory.mktemp("bad files"))


def _import(db, path, lang):
    r = run("import", str(path), db=db, lang=lang)
    assert r.exit_code == 1, (path.name, r.stdout, r.stderr)
    # Keys and locators of the file format stay as written, and so does the file's path.
    return r.stderr.replace(str(path.parent), "")


def _format_keys() -> set[str]:
    from ofai_graph.files import CSV_COLUMNS, LINE_TYPES
    from ofai_graph.model import MODELS, SECTIONS, Affiliation, SourceRef
    from ofai_graph.strength import StrengthConfig

    fields = {f for m in (*MODELS.values(), Affiliation, SourceRef, StrengthConfig) for f in m.model_fields}
    tables = {code for table in StrengthConfig().model_dump().values() if isinstance(table, dict) for code in table}
    return {*CSV_COLUMNS, *LINE_TYPES, *SECTIONS, *fields, *tables, "entity", "role"}


FORMAT_KEYS = sorted(_format_keys(), key=len, reverse=True)


def _only_interface(text: str) -> str:
    """``text`` without the words of the file format: keys, sections, record types and CSV columns
    are typed as they are in any language (like option names), so messages name and list them; nor
    the values quoted from the file, which are data."""
    text = re.sub(r"(?:campo|field) '[^']*'", "", text)
    text = re.sub(r"'[^'\n]*'", "", text)
    text = re.sub(r"\b[a-z]+\[\d+\]", "", text)
    return re.sub(r"(?<![\w-])(?:" + "|".join(map(re.escape, FORMAT_KEYS)) + r")(?![\w-])", "", text)


@pytest.mark.parametrize("index", range(len(SYNTAX) + 7), ids=lambda i: f"file{i}")
def test_every_problem_of_a_bad_file_is_in_spanish(db, bad_files, index):
    path = bad_files[index]
    text = _import(db, path, "es")
    assert (path.name in text and "No se escribió nada" in text) or "no se encontró" in text, text
    assert english_in(_only_interface(text)) == [], text


@pytest.mark.parametrize("index", range(len(SYNTAX) + 7), ids=lambda i: f"file{i}")
def test_and_in_english_with_no_spanish(db, bad_files, index):
    text = _only_interface(_import(db, bad_files[index], "en"))
    spanish = {"campo", "quiso", "escriba", "debe", "obligatorio", "permitido", "nada", "no es", "mal formado"}
    assert not [w for w in spanish if re.search(rf"\b{w}\b", text)], text


def test_the_issue_s_examples_read_as_one_language(db, bad_files):
    es = _import(db, bad_files[0], "es")
    assert "campo 'kind': 'meetingg' no es un valor permitido; ¿quiso decir «reunión»?" in es
    assert "campo 'date': '2024-13-01': el mes 13 no está entre 1 y 12" in es
    assert "'Narnia' no es un id ni un nombre o alias conocido" in es
    assert "campo 'participants.2.role': 'hostt' no es un valor permitido; ¿quiso decir «anfitrión»?" in es
    assert "campo 'country': campo desconocido; ¿quiso decir «countries»?" in es
    assert "el día 30 no existe en febrero de 2024 (tiene 29 días)" in es
    en = _import(db, bad_files[0], "en")
    assert "field 'kind': 'meetingg' is not an allowed value; did you mean 'meeting'?" in en
    assert "field 'country': unknown field; did you mean 'countries'?" in en


def test_an_entity_that_failed_validation_is_not_also_an_unknown_participant(db, tmp_path):
    path = tmp_path / "cascade.yaml"
    path.write_text(
        "organizations:\n  - {id: acme, name: ACME, kind: company, country: CO, aliases: [Acme SA]}\n"
        "interactions:\n"
        "  - {id: bad-one, date: 2024-13, kind: meeting, title: T, participants: [[ofai, host]]}\n"
        "  - {id: m, date: 2024-Q1, kind: meeting, title: T, participants: [[ofai, host], [acme, host], [Acme SA, host]]}\n"
        "ties:\n  - {source: acme, target: ofai, kind: partner_of}\n"
        "  - {id: t2, source: ofai, target: Nadie, kind: partner_of}\n"
        "followups:\n  - {id: f, description: d, interaction: bad-one}\n"
        "  - {id: g, description: d, interaction: ghost}\n",
        encoding="utf-8",
    )
    text = _import(db, path, "en")
    problems = [line for line in text.splitlines() if "cascade.yaml" in line]
    assert any("field 'country': unknown field; did you mean 'countries'?" in p for p in problems), text
    assert any("'2024-13'" in p for p in problems), text
    # The root causes, and the references to what does not exist at all; nothing about acme or bad-one.
    others = [p for p in problems if "(id 'acme')" not in p and "(id 'bad-one')" not in p]
    assert not any("'acme'" in p or "'Acme SA'" in p or "'bad-one'" in p for p in others), text
    assert any("'Nadie'" in p for p in problems) and any("'ghost'" in p for p in problems), text
    assert len(problems) == 4, text


def _errors(model, data):
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    return exc.value.errors()


@pytest.mark.parametrize(
    ("model", "data", "field", "es", "en"),
    [
        (Organization, {"id": "a", "name": "A", "kind": "camara de comercioo"}, "kind", "«cámara de comercio»", "'chamber of commerce'"),
        (Organization, {"id": "a", "name": "A", "kind": "almuerzo"}, "kind", "use uno de: oficina propia, gobierno local", "use one of: home office"),
        (Organization, {"id": "a", "name": "A", "kind": "company", "alias": ["x"]}, "alias", "«aliases»", "'aliases'"),
        (Organization, {"id": "a", "name": "A", "kind": "company", "colour": "x"}, "colour", "los campos son: id, name", "fields are: id, name"),
        (Organization, {"id": "A B", "name": "A", "kind": "company"}, "id", "no es un id válido", "is not a valid id"),
        (Organization, {"id": "a", "name": 5, "kind": "company"}, "name", "debe ser texto, no el número 5", "must be text, not the number 5"),
        (Organization, {"id": "a", "name": "A", "kind": "company", "countries": "CO"}, "countries", "debe ser una lista, no el texto 'CO'", "must be a list"),
        (Organization, {"id": "a", "name": "A", "kind": "company", "countries": ["Colmbia"]}, "countries.0", "¿quiso decir Colombia (CO)?", "did you mean Colombia (CO)?"),
        (Organization, {"id": "a", "name": "A", "kind": "company", "countries": ["Alemana"]}, "countries.0", "Alemania (DE)", "Germany (DE)"),
        (Interaction, {"id": "a", "date": "2024-Q5", "kind": "visit", "title": "t", "participants": ["x"]}, "date", "el trimestre 5 no existe", "quarter 5 does not exist"),
        (Interaction, {"id": "a", "date": {"y": 1}, "kind": "visit", "title": "t", "participants": ["x"]}, "date", "un mapa de campos no es una fecha", "a mapping of fields is not a date"),
        (Interaction, {"id": "a", "date": "2024", "kind": "visit", "title": "t", "participants": [["x", "offerrer"]]}, "participants.0.role", "«oferente»", "'offerer'"),
        (Interaction, {"id": "a", "date": "2024", "kind": "visit", "title": "t", "participants": [["x", "y", "z"]]}, "participants.0", "como máximo 2", "at most 2"),
        (Interaction, {"id": "a", "date": "2024", "kind": "visit", "title": "t", "participants": [5]}, "participants.0", "una entidad y su rol", "an entity and its role"),
        (Interaction, {"id": "a", "date": "2024", "kind": "visit", "title": "t", "participants": ["x"], "source": {"document": "d", "order": "x"}}, "source.order", "número entero", "whole number"),
        (Interaction, {"id": "a", "date": "2024", "kind": "visit", "title": "t", "participants": ["x"], "source": "d"}, "source", "un mapa de campos", "a mapping of fields"),
        (FollowUp, {"id": "f", "description": "d", "closed_on": "2024-02-31"}, "closed_on", "no es un día", "is not a day"),
        (FollowUp, {"id": "f", "description": "d", "status": "pendiente", "due": "agosto de 2024"}, "due", "no es una fecha", "is not a date"),
        (Person, {"id": "p", "name": "P", "affiliations": [{"organization": "o", "titel": "x"}]}, "affiliations.0.titel", "«title»", "'title'"),
        (Tie, {"source": "a", "target": "a", "kind": "member_of"}, "target", "un vínculo debe unir dos entidades distintas", "a tie must link two different entities"),
        (Organization, {"id": "a", "name": "A\x1b[2J", "kind": "company"}, "name", "el carácter de control U+001B", "the control character U+001B"),
    ],
)
def test_each_error_type_is_written_in_each_language(model, data, field, es, en):
    errors = _errors(model, data)
    found = {field_path(e, model): describe(e, model) for e in errors}
    assert field in found, found
    template, params = found[field]
    assert es in render(template, params, "es"), render(template, params, "es")
    assert en in render(template, params, "en"), render(template, params, "en")
    assert english_in(_only_interface(render(template, params, "es"))) == [], render(template, params, "es")


def test_the_table_is_translated_and_keeps_its_placeholders():
    for template in MESSAGES.values():
        assert render(template, {k: "X" for k in re.findall(r"\{(\w+)", template)}, "es") != render(
            template, {k: "X" for k in re.findall(r"\{(\w+)", template)}, "en"
        ), template


def test_a_misspelled_key_in_the_settings_file_names_file_key_and_the_closest_key(db, tmp_path, monkeypatch):
    settings = tmp_path / "ofai-graph.yaml"
    settings.write_text("strength:\n  half_life: 90\n  kind:\n    meetng: 2\n  scale: -1\nstrenght: {}\n")
    monkeypatch.setenv("OFAI_GRAPH_CONFIG", str(settings))
    r = run("strength", db=db)
    assert r.exit_code == 1
    assert "ofai-graph.yaml:1: campo 'strenght': clave desconocida; ¿quiso decir «strength»?" in r.stderr, r.stderr
    settings.write_text("strength:\n  half_life: 90\n  kind:\n    meetng: 2\n  scale: -1\n")
    r = run("strength", db=db)
    assert r.exit_code == 1 and "Traceback" not in r.stderr and "validation error" not in r.stderr
    assert "campo 'strength.half_life': clave desconocida; ¿quiso decir «half_life_days»?" in r.stderr, r.stderr
    assert "campo 'strength.kind.meetng': clave desconocida; ¿quiso decir «meeting»?" in r.stderr, r.stderr
    assert "campo 'strength.scale': debe ser mayor que 0" in r.stderr, r.stderr
    assert english_in(_only_interface(r.stderr.replace(str(tmp_path), ""))) == [], r.stderr
    r = run("strength", db=db, lang="en")
    assert "field 'strength.half_life': unknown key; did you mean 'half_life_days'?" in r.stderr, r.stderr
