"""Strength: small stories where the right answer is obvious, and properties that always hold."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ofai_graph.errors import OfaiError
from ofai_graph.importer import import_data
from ofai_graph.store.sqlite import SQLiteStore
from ofai_graph.strength import StrengthConfig, explain, pair, relationship_graph, top_partners

DAY = dt.date(2024, 6, 30)
ORGS = [
    {"id": "ofai", "name": "OFAI", "kind": "home_office"},
    {"id": "jica", "name": "JICA", "kind": "bilateral_agency"},
    {"id": "oim", "name": "OIM", "kind": "multilateral"},
    {"id": "fontur", "name": "FONTUR", "kind": "national_agency"},
]


def meeting(iid, date, *parts, kind="meeting", status="done"):
    return {
        "id": iid,
        "date": date,
        "kind": kind,
        "title": iid,
        "status": status,
        "participants": [{"entity": e, "role": r} for e, r in parts],
    }


def build(*interactions, ties=()):
    s = SQLiteStore(":memory:")
    import_data(s, {"organizations": ORGS, "interactions": list(interactions), "ties": list(ties)})
    return s


def score(store, a, b, as_of=DAY, cfg=None):
    return pair(relationship_graph(store, as_of=as_of, config=cfg), a, b).score


def test_decay_halves_the_points_after_one_half_life():
    s = build(meeting("m", "2024-01-01", ("ofai", "organizer"), ("jica", "offerer")))
    cfg = StrengthConfig()
    g0 = relationship_graph(s, as_of=dt.date(2024, 1, 1), config=cfg)
    g1 = relationship_graph(s, as_of=dt.date(2024, 1, 1) + dt.timedelta(days=180), config=cfg)
    assert g1["ofai"]["jica"]["points"] == pytest.approx(g0["ofai"]["jica"]["points"] / 2)


def test_a_visit_counts_more_than_a_forwarded_call():
    s = build(
        meeting("v", "2024-06-01", ("ofai", "host"), ("jica", "offerer"), kind="visit"),
        meeting("r", "2024-06-01", ("ofai", "intermediary"), ("oim", "offerer"), kind="referral"),
    )
    assert score(s, "ofai", "jica") > score(s, "ofai", "oim")


def test_an_approved_cooperation_counts_more_than_a_declined_one():
    s = build(
        meeting(
            "a",
            "2024-06-01",
            ("ofai", "requester"),
            ("jica", "funder"),
            kind="cooperation",
            status="approved",
        ),
        meeting(
            "d", "2024-06-01", ("ofai", "requester"), ("oim", "funder"), kind="cooperation", status="declined"
        ),
    )
    assert score(s, "ofai", "jica") > score(s, "ofai", "oim")


def test_a_bilateral_meeting_ties_more_than_a_crowded_one():
    s = build(
        meeting("b", "2024-06-01", ("ofai", "organizer"), ("jica", "participant")),
        meeting("c", "2024-06-01", ("ofai", "organizer"), ("oim", "participant"), ("fontur", "participant")),
    )
    assert score(s, "ofai", "jica") > score(s, "ofai", "oim")


def test_reciprocity_both_sides_initiating_beats_one_sided():
    s = build(
        meeting("1", "2024-06-01", ("ofai", "requester"), ("jica", "recipient")),
        meeting("2", "2024-06-01", ("ofai", "recipient"), ("jica", "requester")),
        meeting("3", "2024-06-01", ("ofai", "requester"), ("oim", "recipient")),
        meeting("4", "2024-06-01", ("ofai", "requester"), ("oim", "recipient")),
    )
    g = relationship_graph(s, as_of=DAY)
    assert g["ofai"]["jica"]["reciprocal"] and not g["ofai"]["oim"]["reciprocal"]
    assert g["ofai"]["jica"]["score"] > g["ofai"]["oim"]["score"]


def test_future_interactions_do_not_count_yet():
    s = build(meeting("m", "2024-09-01", ("ofai", "organizer"), ("jica", "offerer")))
    assert score(s, "ofai", "jica", as_of=dt.date(2024, 8, 31)) == 0.0
    assert score(s, "ofai", "jica", as_of=dt.date(2024, 9, 1)) > 0


def test_an_ended_membership_fades_and_an_active_one_does_not():
    s = build(
        ties=[
            {"source": "ofai", "target": "jica", "kind": "member_of", "until": "2015"},
            {"source": "ofai", "target": "oim", "kind": "member_of"},
        ]
    )
    assert score(s, "ofai", "oim") > 0.3 > score(s, "ofai", "jica") > 0


def test_explain_adds_up_to_the_score_and_lists_every_interaction():
    s = build(
        meeting("v", "2024-Q1", ("ofai", "host"), ("jica", "offerer"), kind="visit"),
        meeting("m", "2024-05", ("ofai", "organizer"), ("jica", "participant"), ("oim", "participant")),
        ties=[{"source": "jica", "target": "ofai", "kind": "partner_of"}],
    )
    e = explain(s, "ofai", "jica", as_of=DAY)
    assert e.score == pytest.approx(score(s, "ofai", "jica"))
    assert {c.id for c in e.contributions} == {"v", "m", "jica--partner_of--ofai"}
    assert sum(c.points for c in e.contributions) == pytest.approx(e.points)


def test_top_partners_are_ranked_strongest_first():
    s = build(
        meeting("1", "2024-06-01", ("ofai", "host"), ("jica", "offerer"), kind="visit"),
        meeting("2", "2024-06-01", ("ofai", "host"), ("jica", "offerer"), kind="visit"),
        meeting("3", "2024-06-01", ("ofai", "host"), ("oim", "offerer"), kind="visit"),
    )
    assert [p.b for p in top_partners(relationship_graph(s, as_of=DAY), "ofai")] == ["jica", "oim"]


def test_config_file_overrides_defaults(tmp_path):
    path = tmp_path / "ofai-graph.yaml"
    path.write_text("strength:\n  half_life_days: 30\n  kind: {visit: 3.0}\n")
    cfg = StrengthConfig.load(path)
    assert cfg.half_life_days == 30 and cfg.kind["visit"] == 3.0 and cfg.kind["meeting"] == 1.0
    path.write_text("strength:\n  half_life_days: -1\n")
    with pytest.raises(OfaiError, match="half_life_days"):
        StrengthConfig.load(path)


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("kind: {visit: -5}", "strength.kind.visit"),
        ("role: {host: -1}", "strength.role.host"),
        ("outcome: {declined: -0.5}", "strength.outcome.declined"),
        ("tie: {part_of: -1}", "strength.tie.part_of"),
        ("tiers: {strong: 1.5}", "strength.tiers.strong"),
    ],
)
def test_a_negative_weight_or_a_tier_above_one_is_refused_with_the_key_named(tmp_path, section, field):
    """A negative weight would count evidence against a relationship (a negative role has no square
    root); a tier is a score in [0, 1]. The file, its line and the key are named."""
    path = tmp_path / "ofai-graph.yaml"
    path.write_text(f"strength:\n  {section}\n")
    with pytest.raises(OfaiError) as err:
        StrengthConfig.load(path)
    assert str(path) in str(err.value) and f"'{field}'" in str(err.value)


interaction_st = st.tuples(
    st.sampled_from(["meeting", "visit", "referral", "cooperation", "course_offer"]),
    st.sampled_from(["done", "approved", "declined", "no_participation", "pending"]),
    st.sampled_from(["organizer", "recipient", "invitee", "subject", "funder"]),
    st.sampled_from(["offerer", "participant", "beneficiary"]),
    st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2024, 6, 30)),
    st.booleans(),
)


def _many(items):
    out = []
    for n, (kind, status, ra, rb, day, crowd) in enumerate(items):
        parts = [("ofai", ra), ("jica", rb)] + ([("oim", "participant")] if crowd else [])
        out.append(meeting(f"i{n}", day.isoformat(), *parts, kind=kind, status=status))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(interaction_st, min_size=1, max_size=6), interaction_st)
def test_scores_stay_in_0_1_and_adding_an_interaction_never_lowers_a_score(items, extra):
    before = score(build(*_many(items)), "ofai", "jica")
    after = score(build(*_many([*items, extra])), "ofai", "jica")
    assert 0.0 <= before <= after <= 1.0


def test_every_pair_of_a_generated_graph_matches_its_explanation():
    # relationship_graph scores all pairs at once with numpy; explain() recomputes one pair from its
    # interactions. They must agree everywhere, ties and affiliations included.
    from ofai_graph.generate import generate

    s = SQLiteStore(":memory:")
    import_data(s, generate(60, 400, seed=5))
    as_of = dt.date(2024, 6, 30)
    g = relationship_graph(s, as_of=as_of)
    assert g.number_of_edges() > 100
    for a, b, data in g.edges(data=True):
        e = explain(s, a, b, as_of=as_of)
        assert data["score"] == pytest.approx(e.score, rel=1e-9), (a, b)
        assert data["interactions"] == e.interactions and data["reciprocal"] == e.reciprocal


def test_scores_do_not_depend_on_the_order_the_store_sends_rows_in(seeded):
    """A server may return participations in any order, one interaction's rows apart: same scores, bit for bit."""
    import random

    from ofai_graph.strength import relationship_graph

    class Shuffled:
        def __init__(self, store):
            self._store = store

        def __getattr__(self, name):
            return getattr(self._store, name)

        def participations(self, around=None, axes=None):
            rows = list(self._store.participations())
            random.Random(7).shuffle(rows)
            return iter(rows)

    as_of = dt.date(2024, 3, 31)
    want = relationship_graph(seeded.store, as_of=as_of)
    got = relationship_graph(Shuffled(seeded.store), as_of=as_of)
    assert sorted(want.edges(data="score")) == sorted(got.edges(data="score"))


def _staffed_store():
    """OFAI and JICA with a past partnership, a current one, staff who moved, and one shared visit."""
    s = SQLiteStore(":memory:")
    import_data(
        s,
        {
            "organizations": ORGS,
            "people": [
                {
                    "id": "ana",
                    "name": "Ana",
                    "affiliations": [
                        {"organization": "JICA", "title": "enlace", "since": "2021"},
                        {"organization": "ofai", "until": "2023-06"},
                        {"organization": "oim", "since": "2025"},  # not yet
                    ],
                }
            ],
            "interactions": [
                meeting("v", "2024-03", ("ofai", "host"), ("jica", "offerer"), ("ana", "invitee"))
            ],
            "ties": [
                {"source": "jica", "target": "ofai", "kind": "partner_of", "since": "2019", "until": "2022"},
                {"source": "fontur", "target": "ofai", "kind": "funds", "since": "2024-01"},
            ],
        },
    )
    return s


@pytest.mark.parametrize(
    ("a", "b", "ties"),
    [
        ("ofai", "jica", ["partner_of"]),  # interaction + an ended tie
        ("ana", "jica", ["affiliation"]),  # interaction + an active affiliation
        ("ana", "ofai", ["affiliation"]),  # interaction + an ended affiliation
        ("fontur", "ofai", ["funds"]),  # a tie alone
    ],
)
def test_explain_and_the_graph_weigh_ties_and_affiliations_alike(a, b, ties):
    s = _staffed_store()
    edge = relationship_graph(s, as_of=DAY)[a][b]
    e = explain(s, a, b, as_of=DAY)
    assert edge["ties"] == ties
    assert edge["score"] == pytest.approx(e.score, rel=1e-12)
    assert edge["points"] == pytest.approx(e.points, rel=1e-12)
    [bond] = [c for c in e.contributions if c.source == "tie"]
    rest = sum(c.points for c in e.contributions if c.source != "tie")
    assert bond.points > 0 and edge["points"] - bond.points == pytest.approx(rest, abs=1e-12)


def test_an_affiliation_that_has_not_started_gives_nothing():
    s = _staffed_store()
    assert "oim" not in relationship_graph(s, as_of=DAY)["ana"]
    assert explain(s, "ana", "oim", as_of=DAY).points == 0.0


def test_bond_points_follow_one_rule_for_ties_and_affiliations():
    from ofai_graph.strength import Bond, bond_points, tie_points

    cfg = StrengthConfig(half_life_days=100)
    ended = Bond("x", "a", "b", "affiliation", None, dt.date(2024, 1, 1), "")
    assert bond_points(cfg, ended, dt.date(2024, 4, 10)) == pytest.approx(cfg.tie["affiliation"] / 2)
    assert bond_points(cfg, ended._replace(kind="member_of"), dt.date(2024, 4, 10)) == tie_points(
        cfg, "member_of", None, dt.date(2024, 1, 1), dt.date(2024, 4, 10)
    )
    assert (
        bond_points(cfg, ended._replace(since=dt.date(2025, 1, 1), until=None), dt.date(2024, 4, 10)) == 0.0
    )


def test_one_interaction_scores_the_same_bit_for_bit_in_explain_and_in_the_graph():
    # explain() weighs one interaction with the scalar functions, the graph with the same functions
    # on arrays: with one interaction and no ties, nothing else is added, so the points are identical.
    s = build(meeting("m", "2024-02", ("ofai", "organizer"), ("jica", "invitee"), ("oim", "participant")))
    g = relationship_graph(s, as_of=DAY)
    for a, b in (("ofai", "jica"), ("jica", "oim"), ("ofai", "oim")):
        e = explain(s, a, b, as_of=DAY)
        assert g[a][b]["points"] == e.points


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), shuffle=st.booleans())
def test_small_graphs_scored_in_python_match_numpy_bit_for_bit(seed, shuffle):
    # A command on a small store scores in pure Python (no numpy import at start-up); a large one
    # with numpy. Same weights, same order of additions: the same floats, whichever path runs.
    import random

    from ofai_graph.generate import generate
    from ofai_graph.strength import _pair_evidence

    s = SQLiteStore(":memory:")
    import_data(s, generate(30, 120, seed=seed))
    rows = list(s.participations())
    if shuffle:
        random.Random(seed).shuffle(rows)
    cfg = StrengthConfig(one_sided=0.5, half_life_days=97)
    for as_of in (dt.date(2023, 1, 1), dt.date(2026, 1, 1)):
        assert _pair_evidence(rows, cfg, as_of, small=0) == _pair_evidence(rows, cfg, as_of, small=10**9)


def test_a_country_stands_for_its_entities_in_a_strength_question():
    """ "How strong are we with Korea?" is about Korea's entities; so is Korea and Japan."""
    import ofai_graph

    ws = ofai_graph.open(":memory:", lang="es")
    ws.import_data(
        {
            "countries": [{"id": "KR", "name": "Corea del Sur"}, {"id": "JP", "name": "Japón"}],
            "organizations": [
                {"id": "ofai", "name": "OFAI", "kind": "home_office"},
                {"id": "gob-corea", "name": "Gobierno de Corea", "kind": "foreign_government", "countries": ["KR"]},
                {"id": "koica", "name": "KOICA", "kind": "bilateral_agency", "countries": ["KR"]},
                {"id": "jica", "name": "JICA", "kind": "bilateral_agency", "countries": ["JP"]},
            ],
            "interactions": [
                meeting("m1", "2024-03-01", ("ofai", "host"), ("gob-corea", "participant")),
                meeting("m2", "2024-03-02", ("ofai", "host"), ("gob-corea", "participant")),
                meeting("m3", "2024-03-03", ("ofai", "host"), ("koica", "participant")),
                meeting("m4", "2024-03-04", ("koica", "host"), ("jica", "participant")),
            ],
        }
    )
    korea = ws.strength("Corea", as_of=DAY)
    assert [(p.a, p.b) for p in korea] == [("ofai", "gob-corea"), ("ofai", "koica")]  # two meetings beat one
    assert korea[0].score > korea[1].score > 0 and not korea.single
    assert [(p.a, p.b) for p in ws.strength("ofai", "Corea", as_of=DAY)] == [(p.a, p.b) for p in korea]
    both = ws.strength("Corea", "Japón", as_of=DAY)
    assert [(p.a_name, p.b_name, p.interactions) for p in both] == [("KOICA", "JICA", 1)]
    assert ws.strength("ofai", "koica", as_of=DAY).single
    assert list(ws.strength("Japón", "gob-corea", as_of=DAY)) == []


@pytest.mark.parametrize(
    ("as_of", "lang", "expected"),
    [
        (dt.date(2024, 6, 2), "es", "hace 1 día (×"),
        (dt.date(2024, 6, 3), "es", "hace 2 días (×"),
        (dt.date(2024, 6, 2), "en", "1 day old (×"),
        (dt.date(2024, 6, 3), "en", "2 days old (×"),
    ],
)
def test_an_interactions_age_reads_in_the_singular_for_one_day(as_of, lang, expected):
    s = build(meeting("m", "2024-06-01", ("ofai", "organizer"), ("jica", "offerer")))
    (c,) = [c for c in explain(s, "ofai", "jica", as_of=as_of, lang=lang).contributions if c.source == "interaction"]
    assert expected in c.detail
