"""Follow-ups due at the end of their period; relationships that went cold; brokers; questions."""

import datetime as dt

import pytest

from ofai_graph.ask import parse
from ofai_graph.errors import NotFound, OfaiError
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


def test_partners_go_cold_after_months_of_silence(seeded):
    quiet = seeded.dormant(days=180, as_of=dt.date(2024, 12, 31))
    names = [d.id for d in quiet]
    assert "imct" in names and "amcham" in names
    assert [d.at_stake for d in quiet] == sorted((d.at_stake for d in quiet), reverse=True)
    imct = next(d for d in quiet if d.id == "imct")
    assert imct.next_step  # an open follow-up suggests what to do
    assert seeded.dormant(days=180, as_of=dt.date(2024, 4, 1)) == []


def test_brokers_bridge_groups(seeded):
    top = seeded.brokers(top=3, as_of=dt.date(2024, 3, 31))
    assert top[0].id == "ofai" and len(top[0].groups) >= 2


@pytest.mark.parametrize(
    ("question", "action", "subject"),
    [
        ("who connects us to Korea?", "connect", "korea"),
        ("¿Quién nos conecta con Corea?", "connect", "corea"),
        ("¿Cómo llegamos a JICA?", "connect", "jica"),
        ("How strong is our relationship with AMCHAM?", "strength", "amcham"),
        ("¿Qué tan fuerte es la relación con la OIM?", "strength", "oim"),
        ("What's overdue?", "overdue", None),
        ("¿Qué está pendiente?", "followups", None),
        ("Which relationships are going cold?", "dormant", None),
        ("¿Qué relaciones se están enfriando?", "dormant", None),
    ],
)
def test_question_forms(question, action, subject):
    intent = parse(question)
    assert (intent.action, intent.subject) == (action, subject)


def test_ask_answers_and_refuses_what_it_does_not_understand(seeded):
    answer = seeded.ask("¿quién nos conecta con Corea?", as_of=dt.date(2024, 3, 31))
    assert answer.action == "connect" and answer.result.paths
    with pytest.raises(OfaiError, match="who connects us to Korea"):
        seeded.ask("what is the weather?")
