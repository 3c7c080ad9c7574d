"""What changed between two dates, on small graphs built by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from ofai_graph.changes import UsageError, window

ORGS = [
    {"id": "ofai", "name": "OFAI", "kind": "home_office", "countries": ["CO"]},
    {"id": "old", "name": "Aliado antiguo", "kind": "multilateral", "countries": ["CO"]},
    {"id": "jica", "name": "JICA", "kind": "bilateral_agency", "countries": ["JP"]},
    {"id": "kr", "name": "Gobierno de Corea", "kind": "foreign_government", "countries": ["KR"]},
    {"id": "net", "name": "Red", "kind": "city_network", "countries": ["ES"]},
    {"id": "topic", "name": "Un proyecto", "kind": "initiative"},
]


def meeting(iid, date, *parts, axis="cooperation", kind="meeting"):
    return {
        "id": iid,
        "date": date,
        "kind": kind,
        "axis": axis,
        "title": f"Interacción {iid}",
        "participants": [{"entity": e, "role": r} for e, r in parts],
    }


@pytest.fixture
def office(ws):
    ws.import_data(
        {
            "organizations": ORGS,
            "interactions": [
                meeting("o1", "2023-05", ("ofai", "organizer"), ("old", "participant")),
                meeting("o2", "2023-Q4", ("ofai", "organizer"), ("old", "participant"), axis="allies"),
                meeting("n1", "2024-02-12", ("ofai", "organizer"), ("jica", "offerer"), ("topic", "subject")),
                meeting(
                    "n2",
                    "2024-Q1",
                    ("ofai", "participant"),
                    ("jica", "participant"),
                    kind="visit",
                    axis="allies",
                ),
                meeting("n3", "2024-03", ("jica", "participant"), ("kr", "funder"), axis="allies"),
                meeting("later", "2024-05", ("ofai", "organizer"), ("net", "participant")),
                meeting("year", "2024", ("ofai", "organizer"), ("net", "participant")),
            ],
            "followups": [
                {"id": "f-open", "description": "Respuesta de JICA", "interaction": "n1", "due": "2024-08"},
                {"id": "f-overdue", "description": "Informe", "interaction": "o2", "due": "2024-02"},
                {
                    "id": "f-closed",
                    "description": "Acta",
                    "interaction": "o1",
                    "due": "2024-01",
                    "status": "done",
                    "closed_on": "2024-01-20",
                },
            ],
            "ties": [
                {"source": "ofai", "target": "net", "kind": "member_of", "since": "2024-02"},
                {
                    "source": "ofai",
                    "target": "old",
                    "kind": "partner_of",
                    "since": "2020",
                    "until": "2024-03",
                },
            ],
        }
    )
    return ws


def test_new_partners_are_first_met_in_the_window_and_topics_are_not_partners(office):
    c = office.changes(quarter="2024-Q1")
    assert [p.id for p in c.new_partners] == ["jica"]
    assert c.new_partners[0].first == dt.date(2024, 1, 1)  # n2 is dated to the quarter: its first day
    assert c.new_partners[0].first_date == "2024-Q1"  # ...and says so
    assert {e.id for e in c.new_entities} == {"jica", "kr", "topic"}


def test_an_interaction_dated_only_to_the_year_is_in_no_quarter(office):
    c = office.changes(quarter="2024-Q1")
    assert c.interactions == 3
    assert office.changes(since="2024-01-01", until="2024-12-31").interactions == 5


def test_interactions_per_line_and_kind_against_the_previous_quarter(office):
    c = office.changes(quarter="2024-Q1")
    assert c.by_axis == {"allies": 2, "cooperation": 1}
    assert c.by_kind == {"meeting": 2, "visit": 1}
    assert c.previous.label == "2023-Q4" and c.previous_by_axis == {"allies": 1}
    figures = {f.axis: f for f in c.figures}
    assert (figures["allies"].interactions, figures["allies"].previous_interactions) == (2, 1)
    assert (figures["allies"].partners, figures["allies"].previous_partners) == (2, 1)
    assert figures["cooperation"].partners == 1 and figures["cooperation"].new_partners == 1


def test_ties_started_and_ended(office):
    c = office.changes(quarter="2024-Q1")
    assert [(t.source, t.kind, t.target) for t in c.ties_started] == [("ofai", "member_of", "net")]
    assert [(t.target, t.date) for t in c.ties_ended] == [("old", "2024-03")]


def test_followups_opened_closed_and_fallen_overdue(office):
    c = office.changes(quarter="2024-Q1")
    assert [f.id for f in c.followups_opened] == ["f-open"]
    assert [f.id for f in c.followups_closed] == ["f-closed"]
    assert [f.id for f in c.followups_fell_overdue] == ["f-overdue"]  # f-closed was done before its due end


def test_a_followup_closed_after_its_due_date_still_fell_overdue(office):
    office.close_followup("f-overdue", on=dt.date(2024, 6, 1))
    c = office.changes(quarter="2024-Q1")
    assert [f.id for f in c.followups_fell_overdue] == ["f-overdue"]


def test_strength_gained_with_the_interactions_behind_it_and_lost(office):
    c = office.changes(quarter="2024-Q1")
    gained = {g.id: g for g in c.gained}
    assert gained["jica"].before == 0.0 and gained["jica"].after > 0.3
    assert [i.id for i in gained["jica"].interactions] == ["n2", "n1"]
    lost = {x.id: x for x in c.lost}
    assert "old" in lost and lost["old"].after < lost["old"].before and not lost["old"].interactions


def test_new_routes_to_countries(office):
    c = office.changes(quarter="2024-Q1")
    routes = {r.country: r for r in c.routes_new}
    assert set(routes) == {"JP", "KR", "ES"}
    assert routes["KR"].path == ["ofai", "jica", "kr"] and routes["KR"].name_es == "Corea del Sur"
    assert not c.routes_lost


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"quarter": "2024-Q5"}, "not a quarter"),
        ({"quarter": "2024"}, "not a quarter"),
        ({"since": "2024-01-01"}, "both since and until"),
        ({"since": "2024-05-01", "until": "2024-01-01"}, "before since"),
        ({"since": "yesterday", "until": "2024-01-01"}, "not a date"),
        ({"quarter": "2024-Q1", "since": "2024-01-01"}, "not both"),
    ],
)
def test_bad_windows_are_usage_errors(args, message):
    with pytest.raises(UsageError, match=message):
        window(**args)


def test_windows_from_months_and_the_previous_of_a_date_range():
    w = window(since="2024-02", until="2024-03")
    assert (w.since, w.until) == (dt.date(2024, 2, 1), dt.date(2024, 3, 31))
    p = w.previous()
    assert p.until == dt.date(2024, 1, 31) and (p.until - p.since) == (w.until - w.since)
    assert window(quarter="2024-Q1").previous().label == "2023-Q4"
    assert window(quarter="2024-Q4").next().label == "2025-Q1"
