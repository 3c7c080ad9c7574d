"""Excel workbooks in and out: the template the office fills, its import, and the same workbook filled.

One sheet per record type (organizations, people, countries, interactions, participants,
follow-ups, ties), headers and closed vocabularies in Spanish or English, a note on every header,
drop-down lists for every closed vocabulary. :func:`write_workbook` writes a :class:`Dataset`
(empty: the template); :func:`read_workbook` turns a workbook back into import records, and
:func:`import_workbook` imports them all-or-nothing through :mod:`ofai_graph.importer`. Every
problem names the cell: ``Interacciones!D7``.

Rules for what people put in spreadsheets (also in the template's notes and ``docs/interop.md``):

- Row 1 is the header; sheets and headers may be Spanish or English, in any column order.
  A column whose header starts with ``#`` is the user's own and is ignored; any other unknown
  header is an error (it is usually a typo that would lose data).
- Empty rows are skipped. Rows whose first cell starts with ``#`` are comments: the template's
  example rows start with ``#``; delete the ``#`` to use them.
- Formulas are refused (their stored result may be stale or missing): paste them as values.
  Cells showing an error (``#N/A``) are refused.
- A merged range counts as its value repeated in every cell of the range.
- Names and references are text: a number where a name belongs is an error; a whole number in an
  id column is read as text (``42`` -> ``"42"``); numbers in free-text columns become text.
- Lists (aliases, countries, tags) are separated by ``;``.
- Dates are Excel dates or text (``2024-02-12``, ``12/02/2024``, ``2024-08``, ``agosto 2024``,
  ``2024-Q1``, ``primer trimestre 2024``, ``2024``). A "precision" column next to a date states it
  to the day, month, quarter or year (an Excel date with precision "mes" is that month).
- People with several affiliations take one row per affiliation, the person's own columns
  repeated or left empty on the later rows.
- Participants: one row per participant in the participants sheet, or ``entity: role; entity`` in
  the interactions sheet's participants column.
- Vocabulary cells take the label in either language or the code (``reunión``, ``meeting``).
- Sheets whose name contains ``(ignorar)``/``(ignore)`` are skipped, as in Kumu.

>>> import tempfile, pathlib
>>> from ofai_graph.model import Dataset, Organization
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xlsx"
>>> write_workbook(Dataset(organizations=[Organization(id="oim", name="OIM", kind="multilateral")]), path, "es")
>>> [r.data for r in read_workbook(path).records]
[{'id': 'oim', 'name': 'OIM', 'kind': 'multilateral'}]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .dates import DateText, PartialDate, Precision
from .errors import N_, InvalidData, InvalidValue, Label, Listed, Msg, OfaiError, Problem
from .files import RawRecord
from .humandates import HINT as DATE_HINT
from .humandates import parse_human_date, widen
from .labels import LABELS, label
from .model import Dataset, tie_id
from .text import fold_key, quote
from .validation import EMPTY_LIST
from .xlsx import EXCEL_MAX_TEXT

LANGS = ("es", "en")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the record field it fills, its headers and notes in both languages."""

    key: str
    es: str
    en: str
    kind: str  # id | name | names | text | vocab | date | precision | day | participants | countries
    note_es: str
    note_en: str
    vocab: str | None = None
    required: bool = False

    def header(self, lang: str) -> str:
        return self.es if lang == "es" else self.en

    def note(self, lang: str) -> str:
        return self.note_es if lang == "es" else self.note_en


@dataclass(frozen=True)
class Sheet:
    section: str
    es: str
    en: str
    columns: tuple[Column, ...]

    def title(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


def _c(key: str, es: str, en: str, kind: str, note_es: str, note_en: str, vocab: str | None = None,
       required: bool = False) -> Column:  # fmt: skip
    return Column(key, es, en, kind, note_es, note_en, vocab, required)


_ID_ES = "Identificador único: minúsculas, dígitos y - _ . (p. ej. apc-colombia). Las filas que empiezan con # se ignoran (las de ejemplo); borre el # para usarlas."
_ID_EN = "Unique id: lower-case letters, digits and - _ . (e.g. apc-colombia). Rows starting with # are ignored (the examples); delete the # to use them."
_LIST_ES = "Varios valores separados por punto y coma (;)."
_LIST_EN = "Several values separated by semicolons (;)."
_DATE_ES = "Fecha de Excel o texto: 2024-02-12, 12/02/2024, 2024-08, agosto 2024, 2024-Q1, primer trimestre 2024, 2024."
_DATE_EN = (
    "An Excel date or text: 2024-02-12, 12/02/2024, 2024-08, August 2024, 2024-Q1, first quarter 2024, 2024."
)
_PREC_ES = "Opcional: precisión de la fecha de la izquierda (día, mes, trimestre, año). Una fecha de Excel con «mes» vale por ese mes."
_PREC_EN = "Optional: precision of the date on the left (day, month, quarter, year). An Excel date with 'month' stands for that month."
_NOTE_ES, _NOTE_EN = "Texto libre.", "Free text."
_REF_ES = "Identificador, nombre o sigla de una entidad (de este libro o ya registrada)."
_REF_EN = "Id, name or acronym of an entity (in this workbook or already stored)."

SHEETS: tuple[Sheet, ...] = (
    Sheet("organizations", "Organizaciones", "Organizations", (
        _c("id", "id", "id", "id", _ID_ES, _ID_EN, required=True),
        _c("name", "nombre", "name", "name", "Nombre completo de la organización.", "Full name of the organization.", required=True),
        _c("kind", "tipo", "kind", "vocab", "Tipo de organización (lista).", "Kind of organization (list).", "OrgKind", True),
        _c("aliases", "otros nombres", "aliases", "names", "Siglas y otros nombres; " + _LIST_ES, "Acronyms and other names; " + _LIST_EN),
        _c("countries", "países", "countries", "countries", "Países (código ISO o nombre); " + _LIST_ES, "Countries (ISO code or name); " + _LIST_EN),
        _c("tags", "etiquetas", "tags", "names", _LIST_ES, _LIST_EN),
        _c("note", "nota", "note", "text", _NOTE_ES, _NOTE_EN),
    )),
    Sheet("people", "Personas", "People", (
        _c("id", "id", "id", "id", _ID_ES + " Una fila por afiliación: repita el id.", _ID_EN + " One row per affiliation: repeat the id.", required=True),
        _c("name", "nombre", "name", "name", "Nombre de la persona (puede dejarse vacío en filas repetidas).", "The person's name (may be left empty on repeated rows)."),
        _c("aliases", "otros nombres", "aliases", "names", _LIST_ES, _LIST_EN),
        _c("countries", "países", "countries", "countries", _LIST_ES, _LIST_EN),
        _c("tags", "etiquetas", "tags", "names", _LIST_ES, _LIST_EN),
        _c("note", "nota", "note", "text", _NOTE_ES, _NOTE_EN),
        _c("affiliation.organization", "organización", "organization", "name", "Organización a la que pertenece. " + _REF_ES, "Organization the person belongs to. " + _REF_EN),
        _c("affiliation.title", "cargo", "title", "text", "Cargo en esa organización.", "Title at that organization."),
        _c("affiliation.since", "desde", "since", "date", _DATE_ES, _DATE_EN),
        _c("affiliation.until", "hasta", "until", "date", _DATE_ES, _DATE_EN),
    )),
    Sheet("countries", "Países", "Countries", (
        _c("id", "código", "code", "id", "Código ISO 3166 (CO, KR) o nombre del país.", "ISO 3166 code (CO, KR) or the country's name.", required=True),
        _c("name", "nombre", "name", "name", "Opcional: el nombre en español por omisión es el de CLDR.", "Optional: the Spanish name defaults to CLDR's."),
        _c("name_en", "nombre en inglés", "English name", "name", "Opcional.", "Optional."),
        _c("aliases", "otros nombres", "aliases", "names", _LIST_ES, _LIST_EN),
        _c("tags", "etiquetas", "tags", "names", _LIST_ES, _LIST_EN),
        _c("note", "nota", "note", "text", _NOTE_ES, _NOTE_EN),
    )),
    Sheet("interactions", "Interacciones", "Interactions", (
        _c("id", "id", "id", "id", _ID_ES, _ID_EN, required=True),
        _c("date", "fecha", "date", "date", _DATE_ES, _DATE_EN, required=True),
        _c("date.precision", "precisión", "precision", "precision", _PREC_ES, _PREC_EN, "Precision"),
        _c("kind", "tipo", "kind", "vocab", "Tipo de interacción (lista).", "Kind of interaction (list).", "InteractionKind", True),
        _c("axis", "eje", "axis", "vocab", "Eje estratégico del informe (lista).", "Strategic axis of the report (list).", "Axis"),
        _c("title", "título", "title", "text", "Título corto.", "Short title.", required=True),
        _c("summary", "resumen", "summary", "text", _NOTE_ES, _NOTE_EN),
        _c("status", "estado", "status", "vocab", "Estado (lista; por omisión: realizada).", "Status (list; default: done).", "Status"),
        _c("participants", "participantes", "participants", "participants",
           "Opcional: «entidad: rol; entidad: rol». También puede usar la hoja Participantes (una fila por participante).",
           "Optional: 'entity: role; entity: role'. Or use the Participants sheet (one row per participant)."),
        _c("tags", "etiquetas", "tags", "names", _LIST_ES, _LIST_EN),
        _c("source.document", "documento fuente", "source document", "text", "Documento de donde viene el dato.", "Document the fact comes from."),
        _c("source.section", "sección fuente", "source section", "text", "Sección de ese documento.", "Section of that document."),
        _c("source.action", "acción fuente", "source action", "text",
           "Acción del informe a la que pertenece (las interacciones de una acción comparten este texto).",
           "Report action it belongs to (the interactions of one action share this text)."),
        _c("source.order", "orden en la fuente", "source order", "text",
           "Lugar de la acción en el informe (1, 2, 3…).", "Place of the action in the report (1, 2, 3…)."),
    )),
    Sheet("participants", "Participantes", "Participants", (
        _c("interaction", "interacción", "interaction", "id", "Id de una interacción de la hoja Interacciones.", "Id of an interaction in the Interactions sheet.", required=True),
        _c("entity", "entidad", "entity", "name", _REF_ES, _REF_EN, required=True),
        _c("role", "rol", "role", "vocab", "Papel en la interacción (lista; por omisión: participante).", "Role in the interaction (list; default: participant).", "Role"),
    )),
    Sheet("followups", "Seguimientos", "Follow-ups", (
        _c("id", "id", "id", "id", _ID_ES, _ID_EN, required=True),
        _c("description", "descripción", "description", "text", "Qué se espera.", "What is expected.", required=True),
        _c("interaction", "interacción", "interaction", "id", "Opcional: id de la interacción que lo originó.", "Optional: id of the interaction it comes from."),
        _c("expected_from", "esperado de", "expected from", "name", _REF_ES, _REF_EN),
        _c("owner", "responsable", "owner", "name", _REF_ES, _REF_EN),
        _c("due", "vence", "due", "date", _DATE_ES, _DATE_EN),
        _c("due.precision", "precisión", "precision", "precision", _PREC_ES, _PREC_EN, "Precision"),
        _c("status", "estado", "status", "vocab", "Estado (lista; por omisión: abierto).", "Status (list; default: open).", "FollowUpStatus"),
        _c("closed_on", "cerrado el", "closed on", "day", "Día en que se cerró (fecha completa).", "Day it was closed (a full date)."),
        _c("note", "nota", "note", "text", _NOTE_ES, _NOTE_EN),
    )),
    Sheet("ties", "Vínculos", "Ties", (
        _c("source", "origen", "source", "name", _REF_ES, _REF_EN, required=True),
        _c("kind", "tipo", "kind", "vocab", "Tipo de vínculo (lista): origen «miembro de» destino.", "Kind of tie (list): source 'member of' target.", "TieKind", True),
        _c("target", "destino", "target", "name", _REF_ES, _REF_EN, required=True),
        _c("since", "desde", "since", "date", _DATE_ES, _DATE_EN),
        _c("until", "hasta", "until", "date", _DATE_ES, _DATE_EN),
        _c("note", "nota", "note", "text", _NOTE_ES, _NOTE_EN),
        _c("id", "id", "id", "id", "Opcional: por omisión origen--tipo--destino.", "Optional: defaults to source--kind--target."),
    )),
)  # fmt: skip
BY_SECTION = {s.section: s for s in SHEETS}
LISTS_SHEET = {"es": "Listas (ignorar)", "en": "Lists (ignore)"}

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "organizations": [
        {"id": "oim", "name": "Organización Internacional para las Migraciones", "kind": "multilateral",
         "aliases": "OIM; IOM", "countries": "CH", "tags": "migración"},
    ],
    "people": [
        {"id": "ana-perez", "name": "Ana Pérez", "countries": "CO",
         "affiliation.organization": "oim", "affiliation.title": "Oficial de proyectos", "affiliation.since": "2023"},
    ],
    "countries": [{"id": "KR", "aliases": "Corea"}],
    "interactions": [
        {"id": "oim-reunion-2024-02", "date": dt.date(2024, 2, 12), "date.precision": "day", "kind": "meeting",
         "axis": "cooperation", "title": "Reunión sobre migración", "status": "done"},
        {"id": "oim-convocatoria-2024", "date": "primer trimestre 2024", "kind": "call_for_proposals",
         "axis": "cooperation", "title": "Convocatoria de la OIM", "status": "in_progress",
         "participants": "oim: offerer; ofai: recipient"},
    ],
    "participants": [
        {"interaction": "oim-reunion-2024-02", "entity": "oim", "role": "host"},
        {"interaction": "oim-reunion-2024-02", "entity": "OFAI", "role": "participant"},
    ],
    "followups": [
        {"id": "oim-respuesta", "description": "Respuesta de la OIM a la propuesta", "interaction": "oim-reunion-2024-02",
         "expected_from": "oim", "due": "agosto 2024", "status": "open"},
    ],
    "ties": [{"source": "ana-perez", "kind": "liaison_for", "target": "oim", "since": "2024-Q1"}],
}  # fmt: skip


# -- vocabularies --------------------------------------------------------------------------------


def vocabulary_labels(vocab: str, lang: str) -> list[str]:
    """The drop-down values of one closed vocabulary in ``lang``."""
    return [label(vocab, code, lang) for code in LABELS[vocab]]


def _vocab_index() -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for vocab, entries in LABELS.items():
        keys = index.setdefault(vocab, {})
        for code, names in entries.items():
            for n in (code, code.replace("_", " "), *names):
                keys.setdefault(fold_key(n), code)
    return index


_VOCAB = _vocab_index()


@lru_cache(maxsize=4096)
def _code(vocab: str, value: str) -> str | None:
    # A sheet repeats a few dozen labels thousands of times: fold each once.
    return _VOCAB[vocab].get(fold_key(value))


def _closest_code(vocab: str, value: str) -> str | None:
    """The code a misspelled cell most likely means ("reunon"), offered as "did you mean"."""
    from .text import closest

    near = closest(value, list(_VOCAB[vocab]))
    return _VOCAB[vocab][near] if near is not None else None


# -- writing -------------------------------------------------------------------------------------


def write_workbook(
    data: Dataset | None, path: str | Path, lang: str = "es", *, examples: bool = False
) -> None:
    """Write ``data`` (``None``: nothing, the template) as a workbook in ``lang`` ("es" or "en").

    With ``examples`` the template's example rows are added, each starting with ``#`` so that an
    import skips them. The file is written next to ``path`` and renamed into place: a reader never
    sees half a workbook. XlsxWriter lays the workbook out (header notes, drop-downs, the hidden
    lists sheet); the data rows are written by :class:`ofai_graph.xlsx.XlsxWriterBook`.
    """
    from xlsxwriter.utility import quote_sheetname, xl_col_to_name

    from .xlsx import TooLong, XlsxWriterBook, check_rows

    lang = lang if lang in LANGS else "en"
    rows_of = _rows(data, lang) if data is not None else {}
    check_rows({s.title(lang): len(rows_of.get(s.section, [])) + 1 for s in SHEETS})
    book = XlsxWriterBook(path)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    grey = book.add_format({"italic": True, "font_color": "#808080"})
    grey_date = book.add_format({"italic": True, "font_color": "#808080", "num_format": "yyyy-mm-dd"})
    lists_title = LISTS_SHEET[lang]
    vocab_cols = {vocab: xl_col_to_name(i) for i, vocab in enumerate(LABELS)}
    for sheet in SHEETS:
        ws = book.add_worksheet(sheet.title(lang))
        for i, col in enumerate(sheet.columns):
            date = book.date_format if col.kind in ("date", "day") else None
            ws.set_column(i, i, max(12, min(40, len(col.header(lang)) + 6)), date)
            ws.write_string(0, i, col.header(lang), head)
            ws.write_comment(0, i, col.note(lang), {"author": "ofai-graph", "width": 320, "height": 110})
        r = 1
        if examples:
            for ex in EXAMPLES.get(sheet.section, []):
                for j, v in enumerate(_example_row(sheet, ex, lang)):
                    v = "#" + v if j == 0 and isinstance(v, str) else v
                    if v is not None:
                        ws.write(r, j, v, grey_date if isinstance(v, dt.date) else grey)
                r += 1
        book.bulk(ws, r, rows_of.get(sheet.section, []))
        for i, col in enumerate(sheet.columns):
            if col.vocab:
                n = len(LABELS[col.vocab])
                letter = vocab_cols[col.vocab]
                ws.data_validation(
                    1, i, 1_048_575, i,
                    {
                        "validate": "list",
                        "source": f"={quote_sheetname(lists_title)}!${letter}$2:${letter}${n + 1}",
                        "ignore_blank": True,
                        "show_error": True,
                        "error_title": col.header(lang)[:32],
                        "error_message": (
                            "Elija un valor de la lista." if lang == "es" else "Pick a value from the list."
                        ),
                    },
                )  # fmt: skip
    lists = book.add_worksheet(lists_title)
    lists.hide()
    columns = [[_VOCAB_TITLE[v][0 if lang == "es" else 1], *vocabulary_labels(v, lang)] for v in LABELS]
    for r in range(max(len(c) for c in columns)):
        lists.write_row(r, 0, [c[r] if r < len(c) else None for c in columns])
    try:
        book.close()
    except TooLong as exc:
        title, cell, n = exc.args
        raise OfaiError(
            N_(
                "{cell}: a text of {n} characters; an Excel cell holds at most {most} "
                "(export as yaml or json instead)"
            ),
            cell=f"{_quote(title)}!{cell}",
            n=n,
            most=EXCEL_MAX_TEXT,
        ) from None


_VOCAB_TITLE = {
    "OrgKind": ("tipo de organización", "organization kind"),
    "EntityType": ("tipo de entidad", "entity type"),
    "InteractionKind": ("tipo de interacción", "interaction kind"),
    "Axis": ("eje", "axis"),
    "Role": ("rol", "role"),
    "Status": ("estado", "status"),
    "FollowUpStatus": ("estado del seguimiento", "follow-up status"),
    "TieKind": ("tipo de vínculo", "tie kind"),
    "Tier": ("nivel", "tier"),
    "Precision": ("precisión", "precision"),
}


def _example_row(sheet: Sheet, ex: dict[str, Any], lang: str) -> list[Any]:
    out = []
    for col in sheet.columns:
        v = ex.get(col.key)
        if isinstance(v, str) and col.vocab:
            v = label(col.vocab, v, lang)
        if col.kind == "participants" and isinstance(v, str):
            v = "; ".join(
                f"{e.strip()}: {label('Role', r.strip(), lang)}"
                for e, r in (part.split(":") for part in v.split(";"))
            )
        out.append(v)
    return out


def _date_cell(d: PartialDate | None) -> Any:
    if d is None:
        return None
    # A day is a real Excel date (sortable, filterable); coarser dates stay text at their precision.
    return d.start if d.precision is Precision.day else str(d)


def _rows(data: Dataset, lang: str) -> dict[str, list[list[Any]]]:
    from . import countries as cn

    def v(vocab: str, code: Any) -> str | None:
        return None if code is None else label(vocab, code, lang)

    def lst(items: Iterable[str]) -> str | None:
        return "; ".join(items) or None

    out: dict[str, list[list[Any]]] = {s.section: [] for s in SHEETS}
    for o in data.organizations:
        out["organizations"].append(
            [o.id, o.name, v("OrgKind", o.kind), lst(o.aliases), lst(o.countries), lst(o.tags), o.note]
        )
    for p in data.people:
        first = [p.id, p.name, lst(p.aliases), lst(p.countries), lst(p.tags), p.note]
        if not p.affiliations:
            out["people"].append([*first, None, None, None, None])
        for a in p.affiliations:
            out["people"].append([*first, a.organization, a.title, _date_cell(a.since), _date_cell(a.until)])
    for c in data.countries:
        name = c.name if c.name != cn.name_es(c.id) else None
        name_en = c.name_en if c.name_en != cn.name_en(c.id) else None
        out["countries"].append([c.id, name, name_en, lst(c.aliases), lst(c.tags), c.note])
    for i in data.interactions:
        out["interactions"].append(
            [
                i.id,
                _date_cell(i.date),
                v("Precision", i.date.precision.value),
                v("InteractionKind", i.kind),
                v("Axis", i.axis),
                i.title,
                i.summary or None,
                v("Status", i.status),
                None,
                lst(i.tags),
                i.source.document if i.source else None,
                i.source.section if i.source else None,
                i.source.action if i.source else None,
                i.source.order if i.source else None,
            ]
        )
        for part in i.participants:
            out["participants"].append([i.id, part.entity, v("Role", part.role)])
    for f in data.followups:
        out["followups"].append(
            [
                f.id,
                f.description,
                f.interaction,
                f.expected_from,
                f.owner,
                _date_cell(f.due),
                v("Precision", f.due.precision.value) if f.due else None,
                v("FollowUpStatus", f.status),
                f.closed_on,
                f.note,
            ]
        )
    for t in data.ties:
        default = t.id == tie_id(t.source, t.kind.value, t.target)
        out["ties"].append(
            [t.source, v("TieKind", t.kind), t.target, _date_cell(t.since), _date_cell(t.until), t.note,
             None if default else t.id]
        )  # fmt: skip
    return out


# -- reading -------------------------------------------------------------------------------------


@dataclass(slots=True)
class SheetRecord(RawRecord):
    """An import record read from a sheet, knowing the cell each of its fields came from."""

    ref: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    sheet: Sheet | None = None
    title: str = ""
    row: int = 0
    letters: dict[str, str] = field(default_factory=dict)  # column key -> column letter
    lang: str = "es"

    @property
    def where(self) -> str:
        return self.ref

    def column(self, field_path: str | None) -> str | None:
        """The header, in the sheet's language, of the column a field path comes from."""
        if not field_path or self.sheet is None:
            return None
        top = field_path.split(".")[0]
        for col in self.sheet.columns:
            if col.key == top or col.key == field_path or col.key.startswith(top + "."):
                return col.header(self.lang)
        return None

    def cell(self, field_path: str | None) -> str:
        """The cell a (pydantic) field path came from: ``participants.2.entity`` -> ``Participantes!B9``."""
        if field_path:
            parts = field_path.split(".")
            for n in range(len(parts), 0, -1):
                hit = self.cells.get(".".join(parts[:n]))
                if hit:
                    return hit
            letter = self.letters.get(parts[0])
            if letter:
                return f"{_quote(self.title)}!{letter}{self.row}"
        return self.ref


@dataclass
class WorkbookRead:
    """What :func:`read_workbook` found: import records, problems, and the workbook's language."""

    records: list[SheetRecord]
    problems: list[Problem]
    lang: str
    sheets: dict[str, int]  # section -> data rows read


_SHEET_NAMES = {fold_key(n): s.section for s in SHEETS for n in (s.es, s.en, s.section)}
_SHEET_NAMES[fold_key("seguimiento")] = "followups"
_SHEET_NAMES[fold_key("followups")] = "followups"


def _sheet_lang(title: str) -> str | None:
    key = fold_key(title)
    for s in SHEETS:
        if key == fold_key(s.es) and s.es != s.en:
            return "es"
        if key == fold_key(s.en) and s.es != s.en:
            return "en"
    return None


def _headers(sheet: Sheet) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for col in sheet.columns:
        for n in (col.es, col.en, col.key):
            out.setdefault(fold_key(n), col)
    return out


class _Cells:
    """The rows of one sheet as value lists, with formulas and error cells reported, merges filled."""

    def __init__(self, wb: Any, title: str, file: str, problems: list[Problem]):
        self.title = title
        self.file = file
        self.problems = problems
        self.rows: list[tuple[int, list[Any]]] = []
        self.filled: set[tuple[int, int]] = set()  # (row, column) given a value by a merged range
        self.letters: dict[str, str] = {}
        self.lang = "es"
        self._prefix: str | None = None
        self._letters: dict[int, str] = {}
        self._read(wb, title)

    def ref(self, row: int, col: int) -> str:
        from openpyxl.utils import get_column_letter

        # Built for every cell read: the quoted title and the letters are computed once.
        if self._prefix is None:
            self._prefix = _quote(self.title) + "!"
        letter = self._letters.get(col)
        if letter is None:
            letter = self._letters[col] = get_column_letter(col)
        return self._prefix + letter + str(row)

    def _read(self, wb: Any, title: str) -> None:
        sheet = wb.sheet(title)
        for row, col, formula in sheet.formulas:
            self.problems.append(
                Problem(
                    N_("a formula ({formula}): paste its result as a value"),
                    self.file,
                    self.ref(row, col),
                    params={"formula": formula[:40]},
                )
            )
        for row, col, err in sheet.errors:
            self.problems.append(
                Problem(
                    N_("the cell shows an error ({error}): type a value"),
                    self.file,
                    self.ref(row, col),
                    params={"error": err},
                )
            )
        self.rows = sheet.rows
        if sheet.merged:
            self._fill_merges(sheet.merged)

    def _fill_merges(self, ranges: Sequence[str]) -> None:
        from openpyxl.utils import range_boundaries

        by_row = {idx: values for idx, values in self.rows}
        for ref in ranges:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            top = by_row.get(min_row)
            value = top[min_col - 1] if top is not None and len(top) >= min_col else None
            if value is None:
                continue
            for r in range(min_row, max_row + 1):
                values = by_row.get(r)
                if values is None:
                    values = by_row[r] = []
                    self.rows.append((r, values))
                if len(values) < max_col:
                    values.extend([None] * (max_col - len(values)))
                for c in range(min_col, max_col + 1):
                    values[c - 1] = value
                    if (r, c) != (min_row, min_col):
                        self.filled.add((r, c))
        self.rows.sort(key=lambda rv: rv[0])


def _quote(title: str) -> str:
    return (
        title if re.fullmatch(r"[A-Za-z0-9_\u00C0-\u024F]+", title) else "'" + title.replace("'", "''") + "'"
    )


def read_workbook(path: str | Path) -> WorkbookRead:
    """Import records from a workbook laid out as :func:`write_workbook` writes it.

    Problems of single cells are collected, not raised: :func:`import_workbook` reports them
    together with the importer's, so one run shows everything that is wrong.
    """
    from .xlsx import NotAWorkbook, XlsxBook

    path = Path(path)
    name = path.name
    if not path.exists():
        raise InvalidData([Problem(N_("file not found"), str(path))])
    try:
        wb = XlsxBook(path)
    except NotAWorkbook:
        raise InvalidData(
            [Problem(N_("is not an Excel workbook (.xlsx) that can be read"), str(path))]
        ) from None
    problems: list[Problem] = []
    records: list[SheetRecord] = []
    langs: list[str] = []
    found: dict[str, _Cells] = {}
    try:
        for title in wb.sheetnames:
            key = fold_key(title)
            if "ignorar" in key.split() or "ignore" in key.split():
                continue
            section = _SHEET_NAMES.get(key)
            if section is None:
                known = ", ".join(f"{s.es}/{s.en}" for s in SHEETS)
                problems.append(
                    Problem(
                        N_(
                            "unknown sheet {title!r}; sheets are {known} "
                            "(add '(ignorar)' to a sheet's name to keep it out of the import)"
                        ),
                        name,
                        params={"title": title, "known": known},
                    )
                )
                continue
            if section in found:
                problems.append(
                    Problem(
                        N_("sheet {title!r} repeats sheet {first!r}"),
                        name,
                        params={"title": title, "first": found[section].title},
                    )
                )
                continue
            lang = _sheet_lang(title)
            if lang:
                langs.append(lang)
            found[section] = _Cells(wb, title, name, problems)
    finally:
        wb.close()
    lang = max(LANGS, key=langs.count) if langs else "es"
    counts: dict[str, int] = {}
    parsed: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
    for section, cells in found.items():
        rows = _parse_sheet(BY_SECTION[section], cells, problems)
        parsed[section] = rows
        counts[section] = len(rows)
    records += _build(parsed, found, name, problems)
    for r in records:
        cells_of = found[r.section]
        r.sheet, r.title, r.letters, r.lang = (
            BY_SECTION[r.section],
            cells_of.title,
            cells_of.letters,
            cells_of.lang,
        )
        r.row = int(r.ref.rsplit("!", 1)[1].split(":")[0])
    if not records and not problems:
        problems.append(Problem(N_("no records found (every sheet is empty)"), name))
    return WorkbookRead(records, problems, lang, counts)


def _parse_sheet(
    sheet: Sheet, cells: _Cells, problems: list[Problem]
) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
    """Each data row as (row number, {column key: converted value}, {column key: cell ref})."""
    if not cells.rows:
        return []
    header_row, header = cells.rows[0]
    if header_row != 1:
        problems.append(Problem(N_("row 1 must be the header row (it is empty)"), cells.file, cells.ref(1, 1)))
        return []
    known = _headers(sheet)
    columns: dict[int, Column] = {}
    ignored: set[int] = set()
    for i, h in enumerate(header, start=1):
        if h is None:
            continue
        text = str(h).strip()
        if text.startswith("#"):
            ignored.add(i)
            continue
        col = known.get(fold_key(text))
        if col is None:
            expected = ", ".join(c.header(_sheet_lang(cells.title) or "es") for c in sheet.columns)
            problems.append(
                Problem(
                    N_(
                        "unknown column {column!r}; the columns of this sheet are: {expected} "
                        "(start a header with # to keep a column of your own)"
                    ),
                    cells.file,
                    cells.ref(1, i),
                    params={"column": text, "expected": expected},
                )
            )
            ignored.add(i)
            continue
        if col in columns.values():
            problems.append(
                Problem(N_("column {column!r} appears twice"), cells.file, cells.ref(1, i), params={"column": text})
            )
            ignored.add(i)
            continue
        columns[i] = col
    missing = [c for c in sheet.columns if c.required and c not in columns.values()]
    lang = _sheet_lang(cells.title) or "es"
    for c in missing:
        problems.append(
            Problem(
                N_("missing column {column!r}"),
                cells.file,
                f"{_quote(cells.title)}!1:1",
                params={"column": c.header(lang)},
            )
        )
    if missing:
        return []
    from openpyxl.utils import get_column_letter

    letters = {col.key: get_column_letter(i) for i, col in columns.items()}
    cells.letters = letters
    cells.lang = lang
    out = []
    prefix = _quote(cells.title) + "!"
    letter_of = {i: get_column_letter(i) for i in range(1, max(len(v) for _, v in cells.rows) + 1)}
    filled = cells.filled
    for idx, values in cells.rows[1:]:
        if not any(
            v is not None and (not isinstance(v, str) or v.strip()) and (not filled or (idx, i) not in filled)
            for i, v in enumerate(values, start=1)
        ):
            continue  # empty, or filled only by a merged range reaching into it
        first = next((v for v in values if v is not None), None)
        if isinstance(first, str) and first.lstrip().startswith("#"):
            continue
        row: dict[str, Any] = {}
        refs: dict[str, str] = {}
        row_text = str(idx)
        for i, value in enumerate(values, start=1):
            if value is None:
                continue
            if value.__class__ is str:
                value = value.strip()
                if not value:
                    continue
            col = columns.get(i)
            ref = prefix + letter_of[i] + row_text
            if col is None:
                if i not in ignored:
                    problems.append(
                        Problem(
                            N_("a value in a column without a header: add a header or clear it"), cells.file, ref
                        )
                    )
                continue
            if value.__class__ is str and col.kind in _PLAIN_TEXT:
                row[col.key] = value  # the common case, without the general conversion
            elif value.__class__ is str and col.kind == "vocab" and (code := _code(col.vocab, value)):
                row[col.key] = code
            else:
                try:
                    row[col.key] = _convert(col, value, lang)
                except ValueError as exc:
                    problems.append(Problem.of_error(exc, cells.file, ref, field=col.header(lang)))
                    continue
            refs[col.key] = ref
        if row:
            out.append((idx, row, refs))
    return out


_PLAIN_TEXT = frozenset({"id", "name", "text"})


def _number_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def _convert(col: Column, value: Any, lang: str) -> Any:
    kind = col.kind
    if isinstance(value, str):
        value = value.strip()
    if kind in ("date", "day"):
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return PartialDate(value, value, Precision.day)
        if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
            return PartialDate.parse(str(value))
        if not isinstance(value, str):
            raise InvalidValue(N_("{value} is not a date: {hint}"), value=quote(value), hint=DATE_HINT)
        return parse_human_date(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        if kind == "id":
            raise InvalidValue(N_("a date ({value}) where an id belongs"), value=value)
        raise InvalidValue(N_("a date ({value}) where text belongs"), value=value)
    if kind == "id":
        text = _number_text(value) if not isinstance(value, str) else value
        if text is None:
            raise InvalidValue(N_("{value} is not an id: ids are text such as apc-colombia"), value=quote(value))
        return text
    if kind in ("name", "names", "countries", "participants", "vocab", "precision"):
        if not isinstance(value, str):
            raise InvalidValue(
                N_("a number ({value}) where a name belongs: write the name, or type the number as text (start it with ')"),
                value=value,
            )
        if kind in ("names", "countries"):
            return [v.strip() for v in value.split(";") if v.strip()]
        if kind in ("vocab", "precision"):
            code = _code(col.vocab or "Precision", value)
            if code is None:
                vocabulary = col.vocab or "Precision"
                near = _closest_code(vocabulary, value)
                if near is not None:
                    raise InvalidValue(
                        N_("{value} is not in the list; did you mean '{suggestion}'?"),
                        value=quote(value),
                        suggestion=Label(vocabulary, near),
                    )
                options = Listed(Label(vocabulary, code) for code in LABELS[vocabulary])
                raise InvalidValue(N_("{value} is not in the list; use one of: {options}"), value=quote(value), options=options)
            return code
        if kind == "participants":
            parts = []
            for chunk in value.split(";"):
                chunk = chunk.strip()
                if not chunk:
                    continue
                entity, sep, role = chunk.rpartition(":")
                if not sep:
                    entity, role = chunk, ""
                code = _code("Role", role) if role.strip() else "participant"
                if code is None:
                    # "Gobierno: Corea" is a name with a colon, not a role.
                    entity, code = chunk, "participant"
                parts.append({"entity": entity.strip(), "role": code})
            return parts
        return value
    if isinstance(value, str):
        return value
    text = _number_text(value)
    return text if text is not None else str(value)


def _nest(row: dict[str, Any], refs: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Dotted column keys into nested records (source.document -> {"source": {"document": ...}})."""
    data: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for key, value in row.items():
        if key.endswith(".precision") or key.startswith("affiliation."):
            continue
        if "." in key:
            outer, inner = key.split(".", 1)
            data.setdefault(outer, {})[inner] = value
            cells[outer] = cells.get(outer) or refs[key]
            cells[key] = refs[key]
        else:
            data[key] = value
            cells[key] = refs[key]
    return data, cells


def _precise(
    row: dict[str, Any], refs: dict[str, str], key: str, file: str, problems: list[Problem]
) -> PartialDate | None:
    date = row.get(key)
    precision = row.get(f"{key}.precision")
    if date is None or precision is None:
        return date
    try:
        return widen(date, Precision(precision))
    except ValueError as exc:
        problems.append(Problem.of_error(exc, file, refs.get(f"{key}.precision")))
        return date


def _build(
    parsed: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]],
    found: dict[str, _Cells],
    file: str,
    problems: list[Problem],
) -> list[SheetRecord]:
    records: list[SheetRecord] = []

    def row_ref(section: str, idx: int) -> str:
        return f"{_quote(found[section].title)}!{idx}:{idx}"

    for section in ("countries", "organizations"):
        for n, (idx, row, refs) in enumerate(parsed.get(section, [])):
            data, cells = _nest(row, refs)
            records.append(SheetRecord(section, n, data, file, None, row_ref(section, idx), cells))
    people: dict[str, SheetRecord] = {}
    person_fields = ("name", "aliases", "countries", "tags", "note")
    for idx, row, refs in parsed.get("people", []):
        pid = row.get("id")
        data, cells = _nest(row, refs)
        rec = people.get(pid) if pid is not None else None
        if rec is None:
            rec = SheetRecord("people", len(people), data, file, None, row_ref("people", idx), cells)
            rec.data["affiliations"] = []
            people[pid if pid is not None else f"#{idx}"] = rec
            records.append(rec)
        else:
            for f in person_fields:
                if f in data and data[f] != rec.data.get(f):
                    if f in rec.data:
                        problems.append(
                            Problem(
                                N_("differs from the first row of {id!r} ({ref}); leave it empty or repeat it"),
                                file,
                                refs[f],
                                params={"id": pid, "ref": rec.ref},
                            )
                        )
                    else:
                        rec.data[f] = data[f]
                        rec.cells[f] = refs[f]
        if "affiliation.organization" in row:
            n = len(rec.data["affiliations"])
            aff = {"organization": row["affiliation.organization"]}
            for k in ("title", "since", "until"):
                if f"affiliation.{k}" in row:
                    aff[k] = row[f"affiliation.{k}"]
            rec.data["affiliations"].append(aff)
            for k in ("organization", "title", "since", "until"):
                if f"affiliation.{k}" in refs:
                    rec.cells[f"affiliations.{n}.{k}"] = refs[f"affiliation.{k}"]
            rec.cells[f"affiliations.{n}"] = refs["affiliation.organization"]
        elif any(k.startswith("affiliation.") for k in row):
            first = next(k for k in row if k.startswith("affiliation."))
            problems.append(Problem(N_("an affiliation needs its organization"), file, refs[first]))
    for rec in people.values():
        if not rec.data["affiliations"]:
            del rec.data["affiliations"]
    interactions: dict[str, SheetRecord] = {}
    for n, (idx, row, refs) in enumerate(parsed.get("interactions", [])):
        data, cells = _nest(row, refs)
        if "date" in row:
            data["date"] = _precise(row, refs, "date", file, problems)
        parts = data.pop("participants", [])
        data["participants"] = []
        rec = SheetRecord("interactions", n, data, file, None, row_ref("interactions", idx), cells)
        for p in parts:
            cells[f"participants.{len(data['participants'])}"] = refs["participants"]
            data["participants"].append(p)
        records.append(rec)
        if isinstance(data.get("id"), str):
            interactions.setdefault(data["id"], rec)
    for idx, row, refs in parsed.get("participants", []):
        iid = row.get("interaction")
        rec = interactions.get(iid) if isinstance(iid, str) else None
        if rec is None:
            if "interaction" in refs:
                where = found["interactions"].title if "interactions" in found else "Interacciones"
                problems.append(
                    Problem(
                        N_("interaction {id!r} is not in the sheet {sheet!r}"),
                        file,
                        refs["interaction"],
                        params={"id": iid, "sheet": where},
                    )
                )
            continue
        if "entity" not in row:
            problems.append(Problem(N_("a participant needs its entity"), file, row_ref("participants", idx)))
            continue
        i = len(rec.data["participants"])
        rec.data["participants"].append({"entity": row["entity"], "role": row.get("role", "participant")})
        rec.cells[f"participants.{i}"] = refs["entity"]
        rec.cells[f"participants.{i}.entity"] = refs["entity"]
        if "role" in refs:
            rec.cells[f"participants.{i}.role"] = refs["role"]
    for n, (idx, row, refs) in enumerate(parsed.get("followups", [])):
        data, cells = _nest(row, refs)
        if "due" in row:
            data["due"] = _precise(row, refs, "due", file, problems)
        if "closed_on" in row:
            day = row["closed_on"]
            if day.precision is not Precision.day:
                problems.append(
                    Problem(
                        N_("{date} is not a day: a follow-up closes on a day"),
                        file,
                        refs["closed_on"],
                        params={"date": DateText(day)},
                    )
                )
            data["closed_on"] = day.start
        records.append(SheetRecord("followups", n, data, file, None, row_ref("followups", idx), cells))
    for n, (idx, row, refs) in enumerate(parsed.get("ties", [])):
        data, cells = _nest(row, refs)
        records.append(SheetRecord("ties", n, data, file, None, row_ref("ties", idx), cells))
    return records


def locate(problems: Sequence[Problem], records: Sequence[SheetRecord]) -> list[Problem]:
    """The importer's problems with the record and field turned into a cell (``Interacciones!D7``)."""
    by_ref = {r.ref: r for r in records}
    out = []
    # One problem per cell, the first: a cell that could not be read is then also "required".
    cells = {(p.file, p.record) for p in problems if p.record and p.record not in by_ref}
    for p in problems:
        rec = by_ref.get(p.record or "")
        if rec is None:
            out.append(p)
            continue
        if (p.file, rec.cell(p.field)) in cells:
            continue
        message = p.message
        if p.field == "participants" and message == EMPTY_LIST:
            message = N_("an interaction needs at least one participant (Participants sheet or participants column)")
        out.append(Problem(message, p.file, rec.cell(p.field), None, rec.column(p.field), p.params))
    return out


def import_workbook(
    store: Any,
    path: str | Path,
    *,
    dry_run: bool = False,
    progress: Callable[[Msg], None] | None = None,
    match: bool = False,
) -> Any:
    """Import a workbook all-or-nothing and return the write report; errors name sheet, row and column.

    ``match``: entities of the workbook that are already in the store under another id (same name
    or alias, or a close fuzzy match) are matched to the stored entity instead of created; see
    :func:`import_paths` for the list of matches.
    """
    return import_paths(store, [path], match=match, dry_run=dry_run, progress=progress).report


def _affiliations_by_name(store: Any, records: Sequence[Any]) -> None:
    """Affiliations name organizations by id in the data model; in a sheet people type names
    ("OFAI"). Rewrite a name that exactly names one organization (of the file or the store)."""
    from .model import SLUG_PATTERN

    slug = re.compile(SLUG_PATTERN)
    keys: dict[str, set[str]] = {}
    for r in records:
        if r.section == "organizations" and isinstance(r.data, dict) and isinstance(r.data.get("id"), str):
            for n in [r.data["id"], r.data.get("name"), *(r.data.get("aliases") or [])]:
                if isinstance(n, str) and fold_key(n):
                    keys.setdefault(fold_key(n), set()).add(r.data["id"])
    for r in records:
        if r.section != "people" or not isinstance(r.data, dict):
            continue
        for a in r.data.get("affiliations") or []:
            org = a.get("organization") if isinstance(a, dict) else None
            if not isinstance(org, str) or slug.match(org):
                continue
            key = fold_key(org)
            ids = keys.get(key, set()) | set(store.find_by_key(key))
            if len(ids) == 1:
                a["organization"] = next(iter(ids))


@dataclass
class ImportResult:
    """What an import did, and which of the file's entities were matched to stored ones (``--match``)."""

    report: Any
    matches: list[Any] = field(default_factory=list)


def import_paths(
    store: Any,
    paths: Sequence[str | Path],
    *,
    match: bool = False,
    min_score: float = 90.0,
    dry_run: bool = False,
    max_bytes: int | None = None,
    progress: Callable[[Msg], None] | None = None,
    lang: str = "en",
) -> ImportResult:
    """Import YAML, JSON, CSV and Excel files together, all-or-nothing.

    Workbook problems name their cell (``Interacciones!D7``). With ``match``, entities of the files
    that are already stored under another id are matched instead of created
    (:func:`ofai_graph.duplicates.match_records`); the result lists each match.
    """
    from . import importer
    from .files import MAX_BYTES

    say = progress or (lambda _m: None)
    say(Msg(N_("reading")))
    records: list[Any] = []
    problems: list[Problem] = []
    sheet_records: list[SheetRecord] = []
    others: list[Path] = []
    for p in map(Path, paths):
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            read = read_workbook(p)
            records += read.records
            sheet_records += read.records
            problems += read.problems
        else:
            others.append(p)
    if others:
        found, trouble = importer.load_records(others, max_bytes=max_bytes or MAX_BYTES)
        records += found
        problems += trouble
    matches: list[Any] = []
    if match and not problems:
        from .duplicates import match_records

        records, matches = match_records(store, records, min_score=min_score, lang=lang)
    _affiliations_by_name(store, records)
    try:
        report = importer._import(store, records, problems, dry_run=dry_run, match=match, progress=progress)
    except InvalidData as exc:
        raise InvalidData(locate(exc.problems, sheet_records)) from None
    return ImportResult(report, matches)


__all__ = [
    "SHEETS",
    "ImportResult",
    "SheetRecord",
    "WorkbookRead",
    "import_paths",
    "import_workbook",
    "locate",
    "read_workbook",
    "vocabulary_labels",
    "write_workbook",
]
