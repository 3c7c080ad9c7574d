"""The language layer: one label per code and language, dates at their precision, the language choice."""

from __future__ import annotations

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
