"""Follow-ups (pending, overdue, due soon) and relationships going cold.

A follow-up due in a month or a quarter is due at the end of that period: "se espera respuesta para
el mes de agosto" is overdue from September 1st.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from .errors import N_, NotFound, OfaiError
from .model import FollowUp, FollowUpStatus
from .results import WRITTEN_DATE, Result, Shown, Strength
from .store.base import Store
from .strength import INITIATING_ROLES, StrengthConfig, interaction_points, tie_points


class FollowUpView(Result):
    followup: FollowUp
    """The follow-up itself."""
    due_on: dt.date | None
    """The last day it is due (a due month ends on its last day)."""
    days_left: int | None
    """Days from the as-of date to the due day (negative when overdue)."""
    overdue: bool
    """Open and past due."""
    interaction_title: str | None
    """The interaction it follows up."""
    expected_from_name: str | None
    """Who we wait for."""
    owner_name: str | None
    """Who owns it."""


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
        raise OfaiError(N_("use done or cancelled to close a follow-up"))
    # Closed again as it was (to add a note): the day it was closed stays, unless another is given.
    kept = f.closed_on if f.status == status and on is None else None
    f.status = status
    f.closed_on = on or kept or dt.date.today()
    if note:
        f.note = f"{f.note}\n{note}" if f.note else note
    from .model import Dataset

    store.write(Dataset(followups=[f]))
    return f


class Dormant(Result):
    """A partner that was at least medium at its peak and is now weak or cold."""

    id: str
    """The partner's id."""
    name: str
    """The partner's name."""
    kind: Annotated[str, Shown("EntityKind")]
    """The partner's kind (code; see :mod:`ofai_graph.labels` for its label)."""
    peak_score: Strength
    """Its highest strength with the office up to the as-of date."""
    peak_on: dt.date | None = None
    """The day it was at that peak."""
    score: Strength
    """Its strength on the as-of date."""
    at_stake: Strength
    """What was lost: peak minus now. The list is ranked by it."""
    tier_peak: Annotated[str, Shown("Tier")] = ""
    """Tier at the peak: strong or medium."""
    tier: Annotated[str, Shown("Tier")] = ""
    """Tier now: weak or cold."""
    last_interaction: dt.date | None
    """The end of the latest interaction shared with the office."""
    last_label: Annotated[str | None, WRITTEN_DATE] = None
    """That interaction's date as the data wrote it (2024-Q1, 2024-02-12)."""
    days_silent: int | None
    """Days from that interaction to the as-of date."""
    last_title: str | None
    """What that interaction was."""
    next_step: str | None
    """The partner's soonest open follow-up, as a suggested next step."""
    own_side: bool = False
    """Whether it is part of the office's own side (mayoralty, its units, the office's people)."""


def strength_history(
    store: Store, home: str, *, as_of: dt.date, config: StrengthConfig | None = None
) -> dict[str, tuple[float, dt.date, float]]:
    """For every partner of ``home``: (peak score, day of the peak, score on ``as_of``).

    Scores are those of :func:`ofai_graph.strength.relationship_graph` (same weights, decay and
    reciprocity) evaluated on every day a shared interaction or tie began, up to ``as_of``: between
    such days a score only decays, so its peak is on one of them. Affiliations are left out (people
    working for the office are its own side, not partners going cold).
    """
    import numpy as np

    cfg = config or StrengthConfig()
    events: dict[str, list[tuple[int, int, float, bool]]] = {}
    initiated: dict[str, list[int]] = {}
    home_init: list[int] = []
    for i in store.interactions_of(home):
        if i.date.start > as_of:
            continue
        roles: dict[str, str] = {}
        for p in i.participants:
            if p.entity not in roles or cfg.role.get(p.role.value, 0.5) > cfg.role.get(roles[p.entity], 0.5):
                roles[p.entity] = p.role.value
        if home not in roles or len(roles) < 2:
            continue
        start, end = i.date.start.toordinal(), i.date.end.toordinal()
        mid = start + (end - start) // 2
        if roles[home] in INITIATING_ROLES:
            home_init.append(start)
        for other, role in roles.items():
            if other == home:
                continue
            # Points at age 0: the same formula as interaction_points without the decay.
            w = interaction_points(cfg, i.kind.value, i.status.value, roles[home], role, len(roles), i.date.start, i.date.end, i.date.start)
            events.setdefault(other, []).append((start, mid, w, roles[home] in INITIATING_ROLES))
            if role in INITIATING_ROLES:
                initiated.setdefault(other, []).append(start)
    ties: dict[str, list[tuple[dt.date | None, dt.date | None, str]]] = {}
    for t in store.ties(home):
        other = t.target if t.source == home else t.source
        ties.setdefault(other, []).append((t.since.start if t.since else None, t.until.end if t.until else None, t.kind.value))
    today = as_of.toordinal()
    h = cfg.half_life_days
    out: dict[str, tuple[float, dt.date, float]] = {}
    for other in set(events) | set(ties):
        ev = events.get(other, [])
        starts = np.array([e[0] for e in ev], dtype=np.int64)
        mids = np.array([e[1] for e in ev], dtype=np.int64)
        weights = np.array([e[2] for e in ev], dtype=float)
        tie_days = [s.toordinal() for s, _, _ in ties.get(other, []) if s is not None and s <= as_of]
        times = np.unique(np.concatenate([starts, np.array(tie_days, dtype=np.int64), [today]]))
        times = times[times <= today]
        if len(ev):
            # Terms whose midpoint has passed decay from it; the others still count in full.
            order = np.argsort(mids)
            m_sorted, w_by_mid = mids[order], weights[order]
            base = int(m_sorted[0])
            scaled = np.cumsum(w_by_mid * np.exp2((m_sorted - base) / h))
            k_mid = np.searchsorted(m_sorted, times, side="right")
            decayed = np.where(k_mid > 0, scaled[np.maximum(k_mid - 1, 0)], 0.0) * np.exp2(-(times - base) / h)
            s_order = np.argsort(starts)
            started = np.concatenate([[0.0], np.cumsum(weights[s_order])])[np.searchsorted(starts[s_order], times, side="right")]
            mid_done = np.concatenate([[0.0], np.cumsum(w_by_mid)])[k_mid]
            points = decayed + (started - mid_done)
            # Reciprocity from the day both sides had initiated something.
            ours = [e[0] for e in ev if e[3]]
            theirs = initiated.get(other, [])
            both = max(min(ours), min(theirs)) if ours and theirs else None
            factor = np.where((times >= both) if both is not None else np.zeros(len(times), bool), 1.0, cfg.one_sided)
            points = points * factor
        else:
            points = np.zeros(len(times))
        for since, until, kind in ties.get(other, []):
            points = points + np.array([
                tie_points(cfg, kind, since, until, dt.date.fromordinal(int(t))) for t in times
            ])
        scores = -np.expm1(-points / cfg.scale)
        k = int(np.argmax(scores))
        out[other] = (float(scores[k]), dt.date.fromordinal(int(times[k])), float(scores[-1]))
    return out


def dormant(
    store: Store,
    home: str,
    *,
    as_of: dt.date,
    config: StrengthConfig | None = None,
    top: int = 20,
    own: set[str] | None = None,
    include_own: bool = False,
    days: int = 0,
) -> list[Dormant]:
    """Partners of ``home`` going cold: at least medium at their peak, weak or cold now; most lost first.

    The peak is over the partner's whole history up to ``as_of`` (:func:`strength_history`), so a
    partner neglected for longer never drops off the list: its peak stays, its score only falls.
    ``own`` is the office's own side (:func:`ofai_graph.office.own_side`), left out unless
    ``include_own``; ``days`` keeps only partners silent for at least that many days. The suggested
    next step is the partner's soonest open follow-up.
    """
    cfg = config or StrengthConfig()
    own = own or set()
    history = strength_history(store, home, as_of=as_of, config=cfg)
    # At least medium then, below medium (weak or cold) now.
    medium = cfg.tiers["medium"]
    rows = []
    for partner, (peak, peak_on, now) in history.items():
        if peak < medium or now >= medium:
            continue
        if partner in own and not include_own:
            continue
        rows.append((peak - now, partner, peak, peak_on, now))
    rows.sort(key=lambda r: (-r[0], r[1]))
    if not days:
        rows = rows[:top]
    entities = store.get_entities(r[1] for r in rows)
    out: list[Dormant] = []
    for lost, partner, peak, peak_on, now in rows:
        shared = [i for i in store.shared_interactions(home, partner) if i.date.start <= as_of]
        last_i = max(shared, key=lambda i: (i.date.end, i.date.start), default=None)
        last = last_i.date.end if last_i else None
        silent = (as_of - last).days if last else None
        if days and (silent is not None and silent < days):
            continue
        pending = store.followups(FollowUpStatus.open, involving=partner)
        pending.sort(key=lambda f: (f.due is None, f.due.end if f.due else dt.date.max))
        e = entities.get(partner)
        out.append(
            Dormant(
                id=partner,
                name=e.name if e else partner,
                kind=str(e.kind) if e else "",
                peak_score=peak,
                peak_on=peak_on,
                score=now,
                at_stake=lost,
                tier_peak=cfg.tier(peak),
                tier=cfg.tier(now),
                last_interaction=last,
                last_label=str(last_i.date) if last_i else None,
                days_silent=silent,
                last_title=last_i.title if last_i else None,
                next_step=pending[0].description if pending else None,
                own_side=partner in own,
            )
        )
    return out[:top]
