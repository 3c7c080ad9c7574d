"""Follow-ups (pending, overdue, due soon) and relationships going cold.

A follow-up due in a month or a quarter is due at the end of that period: "se espera respuesta para
el mes de agosto" is overdue from September 1st.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel

from .errors import NotFound, OfaiError
from .model import FollowUp, FollowUpStatus
from .store.base import Store

if TYPE_CHECKING:
    import networkx as nx


class FollowUpView(BaseModel):
    followup: FollowUp
    due_on: dt.date | None
    days_left: int | None
    overdue: bool
    interaction_title: str | None
    expected_from_name: str | None
    owner_name: str | None


def list_followups(
    store: Store,
    *,
    as_of: dt.date | None = None,
    status: FollowUpStatus | None = FollowUpStatus.open,
    overdue: bool = False,
    due_within: int | None = None,
    owner: str | None = None,
    partner: str | None = None,
) -> list[FollowUpView]:
    """Follow-ups filtered as asked, soonest due first (those with no due date last).

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> from ofai_graph.importer import import_data
    >>> s = SQLiteStore(":memory:")
    >>> _ = import_data(s, {"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}],
    ...     "followups": [{"id": "f1", "description": "Respuesta de JICA", "owner": "ofai", "due": "2024-08"}]})
    >>> [v.overdue for v in list_followups(s, as_of=dt.date(2024, 8, 31))], [v.overdue for v in list_followups(s, as_of=dt.date(2024, 9, 1))]
    ([False], [True])
    """
    as_of = as_of or dt.date.today()
    rows = store.followups(status, involving=partner)
    if owner is not None:
        rows = [f for f in rows if f.owner == owner]
    views = []
    interactions = store.get_interactions({f.interaction for f in rows if f.interaction})
    names = {
        k: v.name
        for k, v in store.get_entities({x for f in rows for x in (f.owner, f.expected_from) if x}).items()
    }
    for f in rows:
        due_on = f.due.end if f.due else None
        days_left = (due_on - as_of).days if due_on else None
        is_overdue = f.is_overdue(as_of)
        if overdue and not is_overdue:
            continue
        if due_within is not None and (days_left is None or days_left < 0 or days_left > due_within):
            continue
        views.append(
            FollowUpView(
                followup=f,
                due_on=due_on,
                days_left=days_left,
                overdue=is_overdue,
                interaction_title=interactions[f.interaction].title
                if f.interaction in interactions
                else None,
                expected_from_name=names.get(f.expected_from or ""),
                owner_name=names.get(f.owner or ""),
            )
        )
    views.sort(key=lambda v: (v.due_on is None, v.due_on or dt.date.max, v.followup.id))
    return views


def close_followup(
    store: Store,
    followup_id: str,
    *,
    status: FollowUpStatus = FollowUpStatus.done,
    note: str | None = None,
    on: dt.date | None = None,
) -> FollowUp:
    """Mark a follow-up done (or cancelled), with the day and an optional note; returns it."""
    found = [f for f in store.followups(None) if f.id == followup_id]
    if not found:
        raise NotFound(followup_id, what="follow-up")
    f = found[0].model_copy()
    if status is FollowUpStatus.open:
        raise OfaiError("use done or cancelled to close a follow-up")
    f.status = status
    f.closed_on = on or dt.date.today()
    if note:
        f.note = f"{f.note}\n{note}" if f.note else note
    from .model import Dataset

    store.write(Dataset(followups=[f]))
    return f


class Dormant(BaseModel):
    id: str
    name: str
    kind: str
    peak_score: float
    score: float
    at_stake: float
    last_interaction: dt.date | None
    days_silent: int | None
    last_title: str | None
    next_step: str | None


def dormant(
    g_then: nx.Graph,
    g_now: nx.Graph,
    store: Store,
    home: str,
    *,
    as_of: dt.date,
    days: int = 180,
    threshold: float = 0.1,
    min_peak: float = 0.2,
    top: int = 20,
) -> list[Dormant]:
    """Partners of ``home`` that used to be strong and went quiet, most at stake first.

    ``g_then`` is the relationship graph as of ``days`` before ``as_of`` and ``g_now`` as of ``as_of``
    (both from :func:`ofai_graph.strength.relationship_graph`). A partner is dormant when its score
    was at least ``min_peak`` then and either nothing happened in the last ``days`` days or its score
    fell below ``threshold``. *At stake* is the strength lost, so a strong partner gone quiet ranks
    above a weak one. The suggested next step is the partner's soonest open follow-up.
    """
    out = []
    if home not in g_then:
        return out
    for partner, data in g_then[home].items():
        peak = data["score"]
        if peak < min_peak:
            continue
        now = g_now.get_edge_data(home, partner)
        score = now["score"] if now else 0.0
        last = now["last"] if now else data["last"]
        silent = (as_of - last).days if last else None
        if not ((silent is not None and silent >= days) or score < threshold):
            continue
        shared = store.shared_interactions(home, partner)
        pending = store.followups(FollowUpStatus.open, involving=partner)
        pending.sort(key=lambda f: (f.due is None, f.due.end if f.due else dt.date.max))
        node = g_now.nodes[partner] if partner in g_now else g_then.nodes[partner]
        out.append(
            Dormant(
                id=partner,
                name=node.get("name", partner),
                kind=node.get("kind", ""),
                peak_score=peak,
                score=score,
                at_stake=max(0.0, peak - score),
                last_interaction=last,
                days_silent=silent,
                last_title=shared[0].title if shared else None,
                next_step=pending[0].description if pending else None,
            )
        )
    out.sort(key=lambda d: (-d.at_stake, d.id))
    return out[:top]
