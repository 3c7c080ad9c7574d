"""Time users don't trip over: as-of dates as dates, datetimes or text, a workspace default, a warning."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

import ofai_graph
from ofai_graph.errors import OfaiError


@pytest.mark.parametrize("as_of", [dt.date(2024, 3, 31), dt.datetime(2024, 3, 31, 17, 5), "2024-03-31", "2024-Q1", "2024-03"])
def test_every_form_of_a_date_means_the_same_day(seeded, as_of):
    expected = seeded.strength(as_of=dt.date(2024, 3, 31))
    assert [(p.b, p.score) for p in seeded.strength(as_of=as_of)] == [(p.b, p.score) for p in expected]
    assert seeded.connect("Corea", as_of=as_of).as_of == dt.date(2024, 3, 31)


def test_every_workspace_function_accepts_text_dates(seeded):
    day = "2024-Q1"
    seeded.show("imct", as_of=day)
    seeded.followups(as_of=day)
    seeded.dormant(as_of=day)
    seeded.brokers(as_of=day)
    seeded.partners("Corea", as_of=day)
    seeded.last_contact("jica", as_of=day)
    seeded.ask("what is pending?", as_of=day)
    seeded.relationship_graph(day)


def test_a_text_date_that_does_not_parse_names_the_value(seeded):
    with pytest.raises(OfaiError, match="2024-13-45"):
        seeded.strength(as_of="2024-13-45")
    with pytest.raises(OfaiError, match="last tuesday"):
        seeded.followups(as_of="last tuesday")


def test_the_workspace_default_is_used_when_no_date_is_given(seeded_path):
    with ofai_graph.open(seeded_path, as_of="2024-Q1") as ws:
        assert ws.connect("Corea").as_of == dt.date(2024, 3, 31)
        assert [p.b for p in ws.strength()] == [p.b for p in ws.strength(as_of="2024-03-31")]
        assert ws.strength(as_of="2030-01-01")[0].score < ws.strength()[0].score


def test_an_as_of_long_after_the_data_is_explained_in_one_line(seeded):
    assert seeded.staleness("2024-06-30") is None  # within one half-life of March 2024
    message = seeded.staleness("2026-01-01")
    assert message and "\n" not in message and "180" in message and "March 31, 2024" in message
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        seeded.strength(as_of="2026-01-01")
    assert any(issubclass(w.category, ofai_graph.StaleAsOf) for w in caught)


def test_the_warning_speaks_the_workspace_language(seeded_path):
    with ofai_graph.open(seeded_path, lang="es") as ws:
        assert "31 de marzo de 2024" in ws.staleness("2026-01-01")
