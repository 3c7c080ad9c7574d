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
