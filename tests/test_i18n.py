"""The language layer: one label per code and language, dates at their precision, the language choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ofai_graph import model
from ofai_graph.dates import Precision
from ofai_graph.i18n import UnknownLanguage, format_date, format_number, resolve_lang
from ofai_graph.labels import LABELS, label

VOCABULARIES = [
    model.OrgKind,
    model.InteractionKind,
    model.Axis,
    model.Role,
    model.Status,
    model.FollowUpStatus,
    model.TieKind,
    Precision,
]


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_every_code_has_a_label_in_both_languages(vocabulary):
    table = LABELS[vocabulary.__name__]
    for member in vocabulary:
        en, es = table[member.value]
        assert en and es, member
        assert "_" not in en and "_" not in es, member


def test_a_code_reads_as_words_in_each_language():
    assert label(model.InteractionKind, model.InteractionKind.call_for_proposals, "es") == "convocatoria"
    assert label("InteractionKind", "call_for_proposals", "en") == "call for proposals"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("2024-02-12", "es", "12 de febrero de 2024"),
        ("2024-08", "es", "agosto de 2024"),
        ("2024-Q1", "es", "primer trimestre de 2024"),
        ("2024-Q4", "en", "fourth quarter of 2024"),
        ("2024", "es", "2024"),
        ("2024-02-12", "en", "February 12, 2024"),
    ],
)
def test_dates_are_written_at_their_precision(text, lang, expected):
    assert format_date(text, lang) == expected


def test_numbers_follow_the_language():
    assert format_number(1234.5, "es", decimals=1) == "1.234,5"
    assert format_number(1234.5, "en", decimals=1) == "1,234.5"


@pytest.mark.parametrize(
    ("explicit", "env", "expected"),
    [
        ("es", {}, "es"),
        (None, {"OFAI_GRAPH_LANG": "es"}, "es"),
        (None, {"LANG": "es_CO.UTF-8"}, "es"),
        (None, {"LC_ALL": "en_US.UTF-8", "LANG": "es_CO.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LANG": "C"}, "en"),
        (None, {}, "en"),
        ("en", {"OFAI_GRAPH_LANG": "es"}, "en"),
    ],
)
def test_language_choice(explicit, env, expected):
    assert resolve_lang(explicit, env) == expected


def test_an_unknown_language_names_the_supported_ones():
    with pytest.raises(UnknownLanguage, match="es, en"):
        resolve_lang("fr", {})


# -- the catalog ------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "ofai_graph" / "locale" / "es" / "LC_MESSAGES" / "ofai_graph.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _catalog():
    from babel.messages.pofile import read_po

    with PO.open("rb") as fh:
        return read_po(fh, locale="es")


def _code_messages() -> set[str]:
    """Every message the code marks for translation, read the way pybabel extract reads it."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "_N": None, "_n": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_is_translated_no_entry_is_empty_or_fuzzy():
    bad = []
    for m in _catalog():
        if not m.id:
            continue
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if "fuzzy" in m.flags or not all(s.strip() for s in strings):
            bad.append(m.id)
    assert not bad, f"untranslated or fuzzy: {bad}"


def test_every_message_in_the_code_is_in_the_catalog():
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    missing = sorted(_code_messages() - ids)
    assert not missing, "run pybabel extract/update (docs/translating.md); missing: " + repr(missing[:10])


def test_translations_keep_every_placeholder():
    for m in _catalog():
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for i, s in enumerate(strings):
            source = ids[min(i, len(ids) - 1)]
            assert sorted(PLACEHOLDER.findall(s)) == sorted(PLACEHOLDER.findall(source)), m.id


def test_the_compiled_catalog_is_up_to_date():
    import gettext

    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for m in _catalog():
        if m.id and isinstance(m.id, str):
            assert compiled.gettext(m.id) == m.string, f"run pybabel compile: {m.id!r}"


def test_a_message_reads_in_spanish():
    from ofai_graph.i18n import gettext_for

    assert gettext_for("es")("I do not understand that question.") == "No entiendo esa pregunta."
    assert gettext_for("en")("I do not understand that question.") == "I do not understand that question."


def test_errors_speak_the_language_they_are_shown_in(seeded):
    from ofai_graph.errors import NotFound

    with pytest.raises(NotFound) as err:
        seeded.resolve("Organización de las Naciones Unidas para el Clima")
    assert err.value.message("es").startswith("ninguna entidad coincide")
    assert str(err.value).startswith("no entity matches")


def test_connect_evidence_has_labels_and_dates_not_codes(seeded_path):
    import ofai_graph

    codes = {c for table in LABELS.values() for c in table if "_" in c}
    with ofai_graph.open(seeded_path, lang="es") as ws:
        found = ws.connect("Corea", as_of="2024-03-31")
        evidence = [e for p in found.paths for h in p.hops for e in h.evidence]
        assert evidence
        assert not [e for e in evidence if any(c in e for c in codes)]
        assert any("trimestre de 2024" in e or " de 2024" in e for e in evidence)


@pytest.mark.slow
def test_the_wheel_ships_the_compiled_catalog(tmp_path):
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("ofai_graph-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ofai_graph/locale/es/LC_MESSAGES/ofai_graph.mo" in names


def test_messages_are_written_so_that_babel_can_extract_them():
    """``gettext_for(lang)("...")`` works but is invisible to pybabel: bind ``_`` first."""
    pattern = re.compile(r"n?gettext_for\([^()]*\)\(\s*[\"']")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("ofai_graph", "cli")
        for path in (ROOT / folder).rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_english_is_written_exactly_as_babel_writes_it():
    import datetime as dt

    from babel.dates import format_date as babel_date
    from babel.dates import format_skeleton
    from babel.numbers import format_decimal

    day = dt.date(2023, 1, 1)
    for n in range(0, 800, 7):
        d = day + dt.timedelta(days=n)
        assert format_date(d, "en") == babel_date(d, format="long", locale="en_US")
        assert format_date(d.strftime("%Y-%m"), "en") == format_skeleton(
            "yMMMM", dt.datetime(d.year, d.month, 1), locale="en_US"
        )
    for x in (0, 0.5, 1.25, 2.675, 1234.5, 1234567.891, 0.0004, 0.0005, 0.0015, 12, -3.14159, 999.9995):
        assert format_number(x, "en") == format_decimal(x, locale="en_US"), x
        for places in (0, 1, 2, 3):
            pattern = "#,##0" + ("." + "0" * places if places else "")
            assert format_number(x, "en", decimals=places) == format_decimal(x, format=pattern, locale="en_US"), (x, places)


def test_every_message_click_can_show_is_in_the_catalog():
    """After a click upgrade, new messages of its own must be listed in cli/click_messages.py."""
    import click
    from babel.messages.extract import extract_from_dir

    folder = Path(click.__file__).parent
    found = {
        (m if isinstance(m, str) else m[0])
        for _f, _l, m, _c, _ctx in extract_from_dir(
            str(folder), [("**.py", "python")], keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
        )
    }
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    assert sorted(found - ids) == []


# -- errors are written to be translated ------------------------------------------------------------

# Calls whose text a person reads: exceptions (any class named ...Error/...Exception/...Warning, and
# this project's own), problems with a file, and click's ways of failing.
_READ_BY_PEOPLE = {
    "Problem", "fail", "BadParameter", "UsageError", "ClickException", "CliError", "warn",
    "NotFound", "Ambiguous", "InvalidValue", "UnknownValue", "InvalidData", "InvalidFile",
    "StoreNotFound", "NotAStore", "StoreEmpty", "StoreDamaged", "NotUnderstood", "UnknownLanguage",
}  # fmt: skip
_TRANSLATING = {"N_", "_", "_N", "ngettext", "_n"}

# Where a literal is allowed, and why: nobody reading Spanish ever sees these.
_ALLOWED = {
    ("ofai_graph/__init__.py", "AttributeError"): "Python's own attribute protocol: a programmer's typo",
    ("ofai_graph/bulk.py", "ValueError"): "a programming error (batch size below 1), never from a command",
    ("ofai_graph/materialize.py", "ValueError"): "a programming error (rows out of order), never from a command",
    ("ofai_graph/model.py", "TypeError"): "a programming error (an object that is not a record)",
    ("ofai_graph/maps/page.py", "ModuleNotFoundError"): "a broken installation (pyvis is a dependency)",
    ("cli/output.py", "BrokenPipeError"): "never shown: the reader of stdout went away (exit 0 quietly)",
    ("ofai_graph/files.py", "ComposerError"): "PyYAML's own error, turned into a translated problem where caught",
    ("ofai_graph/files.py", "ConstructorError"): "PyYAML's own error, turned into a translated problem where caught",
}


def _callee(node):
    import ast

    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _english_literal(node) -> bool:
    """Text written in the code and not passed through the catalog: "...", f"...", "..." + x, "...".format()."""
    import ast

    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_english_literal(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _english_literal(node.left) or _english_literal(node.right)
    if isinstance(node, ast.Call) and _callee(node) in _TRANSLATING:
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return _english_literal(node.func.value) and node.func.attr == "format"
    if isinstance(node, ast.IfExp):
        return _english_literal(node.body) or _english_literal(node.orelse)
    return False


def _untranslated_messages() -> list[str]:
    import ast

    found = []
    for folder in ("ofai_graph", "cli"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = _callee(node)
                if not name or not (name in _READ_BY_PEOPLE or name.endswith(("Error", "Exception", "Warning"))):
                    continue
                if (rel, name) in _ALLOWED:
                    continue
                values = [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("message", "msg"))]
                if any(_english_literal(v) for v in values):
                    found.append(f"{rel}:{node.lineno}: {name}({ast.unparse(values[0])[:70]})")
    return found


def test_every_error_message_goes_through_the_catalog():
    """An error a person reads is an ``N_`` template (library) or ``_()`` text (CLI), never a bare
    English string: in Spanish it would read English mid-screen (issue #11)."""
    assert _untranslated_messages() == []


def test_the_scan_sees_an_untranslated_message(tmp_path):
    """The scan above is not blind: the forms it must catch, and those it must let through."""
    import ast

    caught = ['OfaiError("no store")', 'OfaiError(f"no store {x}")', 'self.fail("bad " + x)',
              'StoreError("{x} bad".format(x=x))', 'Problem(f"x {y}", name)']  # fmt: skip
    passed = ['OfaiError(N_("no store"))', 'CliError(_("bad {x}").format(x=x))', "OfaiError(message)",
              'OfaiError(N_("a {b}"), b=f"{c}")', 'StoreError(f"{a}: {b}")']  # fmt: skip
    for source, expected in [(s, True) for s in caught] + [(s, False) for s in passed]:
        call = ast.parse(source, mode="eval").body
        assert _english_literal(call.args[0]) is expected, source
