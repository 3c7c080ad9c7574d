"""Follow-ups due at the end of their period; relationships that went cold; brokers; questions."""

import datetime as dt

import pytest

from ofai_graph.errors import NotFound
from ofai_graph.model import FollowUpStatus


def ids(views):
    return [v.followup.id for v in views]


def test_jica_is_not_overdue_in_august_but_is_on_september_first(seeded):
    assert "jica-respuesta-voluntarios" not in ids(seeded.followups(overdue=True, as_of=dt.date(2024, 8, 31)))
    assert "jica-respuesta-voluntarios" in ids(seeded.followups(overdue=True, as_of=dt.date(2024, 9, 1)))


def test_due_within_and_partner_filters(seeded):
    soon = ids(seeded.followups(due_within=40, as_of=dt.date(2024, 4, 30)))
    assert set(soon) == {"fontur-plazo-turismo-comunitario", "mincit-resultados-vui"}
    assert ids(seeded.followups(partner="JICA")) == ["jica-respuesta-voluntarios"]


def test_followups_without_a_due_date_come_last(seeded):
    views = seeded.followups(as_of=dt.date(2024, 4, 1))
    dues = [v.due_on for v in views]
    assert dues.index(None) == sum(d is not None for d in dues)


def test_closing_a_followup(tmp_path, seeded_path):
    import shutil

    import ofai_graph

    copy = tmp_path / "copy.db"
    shutil.copy(seeded_path, copy)
    with ofai_graph.open(copy) as ws:
        f = ws.close_followup("jica-respuesta-voluntarios", note="JICA aprobó", on=dt.date(2024, 8, 20))
        assert f.status is FollowUpStatus.done and f.closed_on == dt.date(2024, 8, 20)
        assert "jica-respuesta-voluntarios" not in ids(ws.followups())
        with pytest.raises(NotFound):
            ws.close_followup("no-such-thing")
        # Closed again to add a note: the day it was done stays (before: today's date replaced it).
        again = ws.close_followup("jica-respuesta-voluntarios", note="Llegó el voluntario")
        assert again.closed_on == dt.date(2024, 8, 20) and again.note.endswith("Llegó el voluntario")
        assert ws.close_followup("jica-respuesta-voluntarios", cancelled=True).closed_on == dt.date.today()


def test_partners_go_cold_when_their_peak_was_medium_and_they_are_now_weak(seeded):
    quiet = seeded.dormant(as_of=dt.date(2024, 12, 31))
    assert [d.id for d in quiet] == ["amcham"]
    amcham = quiet[0]
    assert amcham.tier_peak == "medium" and amcham.tier in ("weak", "cold")
    assert amcham.at_stake == pytest.approx(amcham.peak_score - amcham.score)
    assert amcham.next_step  # an open follow-up suggests what to do
    assert seeded.dormant(as_of=dt.date(2024, 4, 1)) == []


def test_the_office_own_side_is_reported_only_when_asked(seeded):
    plain = {d.id for d in seeded.dormant(as_of=dt.date(2024, 12, 31))}
    with_own = seeded.dormant(as_of=dt.date(2024, 12, 31), include_own=True)
    assert "imct" not in plain
    imct = next(d for d in with_own if d.id == "imct")
    assert imct.own_side and imct.next_step
    assert [d.at_stake for d in with_own] == sorted((d.at_stake for d in with_own), reverse=True)


def test_a_partner_neglected_longer_never_drops_off(seeded):
    seen: set[str] = set()
    for as_of in ("2024-09-30", "2024-12-31", "2025-06-30", "2026-12-31", "2030-01-01"):
        now = {d.id for d in seeded.dormant(as_of=as_of, include_own=True, top=100)}
        assert seen <= now, as_of
        seen = now
    assert {"amcham", "imct"} <= seen


def test_peak_and_current_scores_are_those_of_the_strength_graph(seeded):
    from ofai_graph.followups import strength_history
    from ofai_graph.strength import relationship_graph

    as_of = dt.date(2024, 12, 31)
    history = strength_history(seeded.store, "ofai", as_of=as_of)
    now = relationship_graph(seeded.store, as_of=as_of)
    days = [dt.date(2023, 12, 1) + dt.timedelta(days=d) for d in range(0, 400, 7)]
    graphs = [relationship_graph(seeded.store, as_of=d) for d in days]
    for partner, (peak, peak_on, score) in history.items():
        assert score == pytest.approx((now.get_edge_data("ofai", partner) or {}).get("score", 0.0))
        at_peak = relationship_graph(seeded.store, as_of=peak_on).get_edge_data("ofai", partner) or {}
        assert peak == pytest.approx(at_peak.get("score", 0.0))
        sampled = max((g.get_edge_data("ofai", partner) or {}).get("score", 0.0) for g in graphs)
        assert sampled <= peak + 1e-9


def test_brokers_bridge_groups(seeded):
    top = seeded.brokers(top=3, as_of=dt.date(2024, 3, 31))
    assert top[0].id == "ofai" and len(top[0].groups) >= 2


# -- dormant read from the materialized pairs = dormant from every partner's history -----------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PARTNERS = ["a", "b", "c", "d", "e", "f", "g"]
_dates = st.one_of(
    st.builds(lambda y, q: f"{y}-Q{q}", st.integers(2019, 2026), st.integers(1, 4)),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2019, 2026), st.integers(1, 12)),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(2019, 2026), st.integers(1, 12), st.integers(1, 28)),
    st.integers(2019, 2026).map(str),  # a year: in progress across quarters
)
_interaction = st.tuples(
    _dates,
    st.sampled_from(["meeting", "visit", "referral", "cooperation", "call_for_proposals"]),
    st.sampled_from(["done", "planned", "approved", "declined"]),
    st.sampled_from(["organizer", "participant", "host", "invitee", "requester"]),
    st.lists(
        st.tuples(st.sampled_from(PARTNERS), st.sampled_from(["participant", "offerer", "invitee", "subject", "funder"])),
        min_size=1,
        max_size=3,
    ),
)
_tie = st.tuples(
    st.sampled_from(PARTNERS),
    st.sampled_from(["member_of", "partner_of", "funds"]),
    st.one_of(st.none(), _dates),
    st.one_of(st.none(), _dates),
)


def _cold_store(interactions, ties=()):
    from ofai_graph.dates import PartialDate
    from ofai_graph.importer import import_data
    from ofai_graph.store.sqlite import SQLiteStore

    store = SQLiteStore(":memory:")
    rows = [
        {
            "id": f"i{k}",
            "date": date,
            "kind": kind,
            "status": status,
            "title": f"t{k}",
            "participants": [{"entity": "ofai", "role": role}] + [{"entity": e, "role": r} for e, r in others],
        }
        for k, (date, kind, status, role, others) in enumerate(interactions)
    ]
    tie_rows = []
    for k, (other, kind, since, until) in enumerate(ties):
        if since and until and PartialDate.parse(until) < PartialDate.parse(since):
            since, until = until, since
        tie_rows.append({"id": f"t{k}", "source": "ofai", "target": other, "kind": kind, "since": since, "until": until})
    import_data(
        store,
        {
            "organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]
            + [{"id": p, "name": p.upper(), "kind": "company"} for p in PARTNERS],
            "interactions": rows,
            "ties": tie_rows,
        },
    )
    return store


def _both_ways(store, day, **options):
    from ofai_graph import followups as f
    from ofai_graph.materialize import is_current
    from ofai_graph.strength import StrengthConfig

    cfg = StrengthConfig()
    assert is_current(store, cfg)
    args = dict(top=20, own=set(), include_own=False, days=0)
    args.update(options)
    fast = f._from_pairs(store, "ofai", day, cfg, args["top"], args["own"], args["include_own"], args["days"])
    full = f._from_history(store, "ofai", day, cfg, args["top"], args["own"], args["include_own"], args["days"])
    assert [r.partner for r in fast] == [r.partner for r in full]
    for x, y in zip(fast, full, strict=True):
        assert (x.peak, x.now, x.lost) == pytest.approx((y.peak, y.now, y.lost), abs=1e-9)
        assert (x.peak_on, x.last) == (y.peak_on, y.last)
    return fast


def test_dormant_from_the_pairs_equals_every_partners_history_on_a_hand_built_graph():
    interactions = [
        # a: strong in 2021, silent since: the most lost.
        *[("2021-Q2", "cooperation", "done", "organizer", [("a", "offerer")])] * 4,
        # b: medium once, still met this year (strong now? no: one meeting) and a year-long project.
        ("2022", "cooperation", "approved", "requester", [("b", "funder")]),
        ("2026-10-05", "meeting", "done", "organizer", [("b", "participant")]),
        # c: many meetings, all recent: strong now, never cold.
        *[(f"2026-{m:02d}", "meeting", "done", "organizer", [("c", "participant")]) for m in range(1, 12)],
        # d: one weak referral, never medium.
        ("2023-03-02", "referral", "declined", "participant", [("d", "subject"), ("e", "invitee")]),
    ]
    ties = [("f", "partner_of", "2020", "2021-06")]  # f: only a tie, ended long ago
    store = _cold_store(interactions, ties)
    for day in (dt.date(2021, 7, 1), dt.date(2023, 1, 1), dt.date(2026, 11, 26), dt.date(2030, 1, 1)):
        for top in (1, 2, 20):
            _both_ways(store, day, top=top)
        _both_ways(store, day, own={"a"})
        _both_ways(store, day, own={"a"}, include_own=True, days=400)
    found = _both_ways(store, dt.date(2026, 11, 26))
    assert found[0].partner == "a" and "c" not in [r.partner for r in found]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_interaction, min_size=1, max_size=25),
    st.lists(_tie, max_size=3),
    st.dates(dt.date(2019, 1, 1), dt.date(2028, 1, 1)),
    st.integers(1, 4),
    st.sampled_from([0, 90, 400]),
)
def test_dormant_from_the_pairs_equals_every_partners_history_on_random_graphs(interactions, ties, day, top, days):
    store = _cold_store(interactions, ties)
    _both_ways(store, day, top=top, days=days)
    _both_ways(store, day, top=top, own={"a", "b"}, include_own=days > 0, days=days)


def test_a_cooling_partner_met_in_the_current_quarter_was_last_seen_by_today_not_after():
    """A quarter-dated contact in the quarter of the as-of date ran at most until that date: dormant
    never shows a contact in the future or a negative number of silent days."""
    from ofai_graph.followups import dormant

    interactions = [
        *[("2021-Q2", "cooperation", "done", "organizer", [("a", "offerer")])] * 4,
        ("2026-Q4", "information_request", "declined", "participant", [("a", "participant")]),
    ]
    store = _cold_store(interactions)
    today = dt.date(2026, 11, 27)
    (row,) = [r for r in dormant(store, "ofai", as_of=today) if r.id == "a"]
    assert row.tier_peak == "strong" and row.tier in ("weak", "cold")
    assert row.last_label == "2026-Q4"
    assert row.last_interaction == today and row.days_silent == 0
    (later,) = [r for r in dormant(store, "ofai", as_of=dt.date(2027, 2, 1)) if r.id == "a"]
    assert later.last_interaction == dt.date(2026, 12, 31) and later.days_silent == 32
