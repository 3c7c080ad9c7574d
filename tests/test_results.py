"""Results that notebooks like: described fields, HTML tables, DataFrames, one-line reprs."""

from __future__ import annotations

import datetime as dt

import pytest

from ofai_graph.followups import Dormant, FollowUpView
from ofai_graph.partners import LastContact, Partner
from ofai_graph.paths import Connection, Hop, Path, Target
from ofai_graph.profile import Profile, TieView, TimelineItem
from ofai_graph.resolve import SearchHit
from ofai_graph.results import Result, Results, to_frame
from ofai_graph.stats import PartnerCount, Stats
from ofai_graph.strength import Contribution, PairStrength
from ofai_graph.structure import Broker, Group

RESULT_TYPES = [
    Dormant, FollowUpView, LastContact, Partner, Connection, Hop, Path, Target, Profile, TieView,
    TimelineItem, SearchHit, PartnerCount, Stats, Contribution, PairStrength, Broker, Group,
]


@pytest.mark.parametrize("model", RESULT_TYPES, ids=lambda m: m.__name__)
def test_every_result_type_is_a_model_with_described_fields(model):
    assert issubclass(model, Result)
    missing = [name for name, f in model.model_fields.items() if not f.description]
    assert not missing, f"{model.__name__}: fields without a description: {missing}"


def test_a_list_of_results_becomes_a_dataframe_in_one_call(seeded):
    pd = pytest.importorskip("pandas")
    top = seeded.strength(top=5, as_of="2024-03-31")
    frame = top.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 5
    assert {"b", "b_name", "score", "tier"} <= set(frame.columns)
    assert frame["score"].is_monotonic_decreasing
    hits = to_frame(seeded.search("camara"))
    assert {"id", "name", "score"} <= set(hits.columns) and len(hits) >= 3


def test_nested_fields_are_flattened_to_columns(seeded):
    pytest.importorskip("pandas")
    views = seeded.followups(as_of="2024-03-31")
    frame = views.to_frame()
    assert "followup.description" in frame.columns and len(frame) == len(views)


def test_results_show_as_html_tables_with_data_escaped(seeded):
    rows = Results(seeded.search("camara"))
    page = rows._repr_html_()
    assert page.startswith("<table>") and "Cámara de Comercio de Bucaramanga" in page
    one = PartnerCount(id="x", name="<script>alert(1)</script>", interactions=1)._repr_html_()
    assert "<script>" not in one and "&lt;script&gt;" in one


def test_a_map_repr_is_one_line(seeded):
    m = seeded.map(as_of="2024-03-31")
    text = repr(m)
    assert "\n" not in text and len(text) < 200 and "nodes" in text
    assert len(m.html) > 10_000


def test_workspace_lists_are_results_lists(seeded):
    for rows in (
        seeded.strength(as_of=dt.date(2024, 3, 31)),
        seeded.followups(as_of="2024-03-31"),
        seeded.dormant(as_of="2024-12-31"),
        seeded.brokers(as_of="2024-03-31"),
        seeded.search("jica"),
        seeded.partners("Japón", as_of="2024-03-31"),
    ):
        assert isinstance(rows, Results)
