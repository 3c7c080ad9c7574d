"""Follow-ups (pending, overdue, due soon) and relationships going cold.

A follow-up due in a month or a quarter is due at the end of that period: "se espera respuesta para
el mes de agosto" is overdue from September 1st.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable
from itertools import chain
from typing import Annotated, Any, NamedTuple

from .bulk import batched
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
    limit: int | None = None,
) -> list[FollowUpView]:
    """Follow-ups filtered as asked, soonest due first (those with no due date last); the first
    ``limit`` (only those are read: :func:`count_followups` says how many there are).

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> from ofai_graph.importer import import_data
    >>> s = SQLiteStore(":memory:")
    >>> _ = import_data(s, {"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}],
    ...     "followups": [{"id": "f1", "description": "Respuesta de JICA", "owner": "ofai", "due": "2024-08"}]})
    >>> [v.overdue for v in list_followups(s, as_of=dt.date(2024, 8, 31))], [v.overdue for v in list_followups(s, as_of=dt.date(2024, 9, 1))]
    ([False], [True])
    """
    as_of = as_of or dt.date.today()
    query = _filters(as_of, status, overdue, due_within, owner, partner)
    rows = [] if query is None else store.followups(**query, limit=limit)
    views = []
    interactions = store.get_interactions({f.interaction for f in rows if f.interaction})
    names = {
        k: v.name
        for k, v in store.get_entities({x for f in rows for x in (f.owner, f.expected_from) if x}).items()
    }
    for f in rows:
        due_on = f.due.end if f.due else None
        views.append(
            FollowUpView(
                followup=f,
                due_on=due_on,
                days_left=(due_on - as_of).days if due_on else None,
                overdue=f.is_overdue(as_of),
                interaction_title=interactions[f.interaction].title
                if f.interaction in interactions
                else None,
                expected_from_name=names.get(f.expected_from or ""),
                owner_name=names.get(f.owner or ""),
            )
        )
    return views


def count_followups(
    store: Store,
    *,
    as_of: dt.date | None = None,
    status: FollowUpStatus | None = FollowUpStatus.open,
    overdue: bool = False,
    due_within: int | None = None,
    owner: str | None = None,
    partner: str | None = None,
) -> int:
    """How many follow-ups :func:`list_followups` gives without a limit (one count in the store)."""
    query = _filters(as_of or dt.date.today(), status, overdue, due_within, owner, partner)
    return 0 if query is None else store.followup_count(**query)


def _filters(
    as_of: dt.date,
    status: FollowUpStatus | None,
    overdue: bool,
    due_within: int | None,
    owner: str | None,
    partner: str | None,
) -> dict[str, Any] | None:
    """The store's filters for what :func:`list_followups` is asked (None: nothing can match)."""
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    if overdue:  # open and past the end of its due period
        if status not in (None, FollowUpStatus.open):
            return None
        status = FollowUpStatus.open
        if as_of == dt.date.min:
            return None
        due_to = as_of - dt.timedelta(days=1)
    if due_within is not None:  # due from today to that many days ahead
        due_from = as_of
        ahead = dt.date.fromordinal(min(as_of.toordinal() + due_within, dt.date.max.toordinal()))
        due_to = ahead if due_to is None else min(due_to, ahead)
    if due_from is not None and due_to is not None and due_to < due_from:
        return None
    return {"status": status, "involving": partner, "owner": owner, "due_from": due_from, "due_to": due_to}


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
    """The end of the latest interaction shared with the office (the as-of date, for one whose dates
    run past it)."""
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


# One interaction as the history reads it: start, end, kind, status, [(entity, role), ...].
_Shared = tuple[dt.date, dt.date, str, str, list[tuple[str, str]]]
# Per partner: (start, midpoint, points at age 0, whether the office initiated) of each shared interaction.
_Events = dict[str, list[tuple[int, int, float, bool]]]


def strength_history(
    store: Store, home: str, *, as_of: dt.date, config: StrengthConfig | None = None
) -> dict[str, tuple[float, dt.date, float]]:
    """For every partner of ``home``: (peak score, day of the peak, score on ``as_of``).

    Scores are those of :func:`ofai_graph.strength.relationship_graph` (same weights, decay and
    reciprocity) evaluated on every day a shared interaction or tie began, up to ``as_of``: between
    such days a score only decays, so its peak is on one of them. Affiliations are left out (people
    working for the office are its own side, not partners going cold). This reads every interaction
    of ``home``: :func:`dormant` reads the materialized pairs first and this history only for the
    partners that can rank.
    """
    cfg = config or StrengthConfig()
    items = (
        (i.date.start, i.date.end, i.kind.value, i.status.value, [(p.entity, p.role.value) for p in i.participants])
        for i in store.interactions_of(home)
    )
    events, initiated = _events(items, home, as_of, cfg)
    ties = _home_ties(store, home)
    return _histories(events, initiated, ties, as_of, cfg, set(events) | set(ties))


def _events(
    items: Iterable[_Shared], home: str, as_of: dt.date, cfg: StrengthConfig, only: Collection[str] | None = None
) -> tuple[_Events, dict[str, list[int]]]:
    """The scored events of ``home``'s shared interactions started by ``as_of`` (of the partners in
    ``only``, when given), and the days each partner initiated one."""
    events: _Events = {}
    initiated: dict[str, list[int]] = {}
    for start_day, end_day, kind, status, participants in items:
        if start_day > as_of:
            continue
        roles: dict[str, str] = {}
        for entity, role in participants:
            if entity not in roles or cfg.role.get(role, 0.5) > cfg.role.get(roles[entity], 0.5):
                roles[entity] = role
        if home not in roles or len(roles) < 2:
            continue
        start, end = start_day.toordinal(), end_day.toordinal()
        mid = start + (end - start) // 2
        ours = roles[home] in INITIATING_ROLES
        for other, role in roles.items():
            if other == home or (only is not None and other not in only):
                continue
            # Points at age 0: the same formula as interaction_points without the decay.
            w = interaction_points(cfg, kind, status, roles[home], role, len(roles), start_day, end_day, start_day)
            events.setdefault(other, []).append((start, mid, w, ours))
            if role in INITIATING_ROLES:
                initiated.setdefault(other, []).append(start)
    return events, initiated


def _home_ties(store: Store, home: str) -> dict[str, list[tuple[dt.date | None, dt.date | None, str]]]:
    ties: dict[str, list[tuple[dt.date | None, dt.date | None, str]]] = {}
    for t in store.ties(home):
        other = t.target if t.source == home else t.source
        ties.setdefault(other, []).append((t.since.start if t.since else None, t.until.end if t.until else None, t.kind.value))
    return ties


def _histories(
    events: _Events,
    initiated: dict[str, list[int]],
    ties: dict[str, list[tuple[dt.date | None, dt.date | None, str]]],
    as_of: dt.date,
    cfg: StrengthConfig,
    partners: Iterable[str],
) -> dict[str, tuple[float, dt.date, float]]:
    """:func:`strength_history` of ``partners`` from their events and ties."""
    import numpy as np

    today = as_of.toordinal()
    h = cfg.half_life_days
    out: dict[str, tuple[float, dt.date, float]] = {}
    for other in partners:
        # In one order whatever the read's: the sums below are then the same to the last bit.
        ev = sorted(events.get(other, []))
        starts = np.array([e[0] for e in ev], dtype=np.int64)
        mids = np.array([e[1] for e in ev], dtype=np.int64)
        weights = np.array([e[2] for e in ev], dtype=float)
        tie_days = [s.toordinal() for s, _, _ in ties.get(other, []) if s is not None and s <= as_of]
        times = np.unique(np.concatenate([starts, np.array(tie_days, dtype=np.int64), [today]]))
        times = times[times <= today]
        if len(ev):
            # Terms whose midpoint has passed decay from it; the others still count in full.
            order = np.argsort(mids, kind="stable")
            m_sorted, w_by_mid = mids[order], weights[order]
            base = int(m_sorted[0])
            scaled = np.cumsum(w_by_mid * np.exp2((m_sorted - base) / h))
            k_mid = np.searchsorted(m_sorted, times, side="right")
            decayed = np.where(k_mid > 0, scaled[np.maximum(k_mid - 1, 0)], 0.0) * np.exp2(-(times - base) / h)
            s_order = np.argsort(starts, kind="stable")
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

    When the store keeps materialized pairs with these weights (:mod:`ofai_graph.materialize`), the
    history is computed only for the partners that can rank: see :func:`_from_pairs`. The answer is
    the same as from every partner's history.
    """
    from .materialize import is_current

    cfg = config or StrengthConfig()
    own = own or set()
    if is_current(store, cfg):
        found = _from_pairs(store, home, as_of, cfg, top, own, include_own, days)
    else:
        found = _from_history(store, home, as_of, cfg, top, own, include_own, days)
    return _dormant_rows(store, home, as_of, cfg, own, found[:top])


class _Lost(NamedTuple):
    lost: float
    partner: str
    peak: float
    peak_on: dt.date
    now: float
    last: tuple[int, int, str] | None  # (end, start, interaction id) of the latest shared interaction


def _going_cold(cfg: StrengthConfig, peak: float, now: float) -> bool:
    # At least medium then, below medium (weak or cold) now.
    medium = cfg.tiers["medium"]
    return not (peak < medium or now >= medium)


def _latest(store: Store, home: str, partner: str, as_of: dt.date) -> tuple[int, int, str] | None:
    shared = store.shared_interactions(home, partner, until=as_of)
    last_i = max(shared, key=lambda i: (i.date.end, i.date.start), default=None)
    return (last_i.date.end.toordinal(), last_i.date.start.toordinal(), last_i.id) if last_i else None


def _silent_enough(last: tuple[int, int, str] | None, as_of: dt.date, days: int) -> bool:
    return not days or last is None or (as_of.toordinal() - last[0]) >= days


def _from_history(
    store: Store, home: str, as_of: dt.date, cfg: StrengthConfig, top: int, own: set[str], include_own: bool, days: int
) -> list[_Lost]:
    """Every partner's history (the reference: reads all of ``home``'s interactions)."""
    history = strength_history(store, home, as_of=as_of, config=cfg)
    rows = []
    for partner, (peak, peak_on, now) in history.items():
        if not _going_cold(cfg, peak, now) or (partner in own and not include_own):
            continue
        rows.append(_Lost(peak - now, partner, peak, peak_on, now, None))
    rows.sort(key=lambda r: (-r.lost, r.partner))
    out = []
    for r in rows if days else rows[:top]:
        last = _latest(store, home, r.partner, as_of)
        if _silent_enough(last, as_of, days):
            out.append(r._replace(last=last))
        if len(out) == top:
            break
    return out


# Relative slack on the bounds of :func:`_from_pairs`: the stored sums and the history add the same
# terms in another order (they differ in the last bits, ~1e-15).
_SLACK = 1e-9
# A date covers at most a year: its midpoint is at most 182 days after its start.
_MAX_HALF_SPAN = 182


def _from_pairs(
    store: Store, home: str, as_of: dt.date, cfg: StrengthConfig, top: int, own: set[str], include_own: bool, days: int
) -> list[_Lost]:
    """:func:`_from_history`'s answer, reading the office's materialized pairs and the history of
    only the partners that can rank.

    Each pair gives, without reading an interaction, its score on ``as_of`` (exact) and a bound on its
    peak from its quarter buckets: at a day t of quarter Q, an interaction whose midpoint is in an
    earlier quarter q gives at most ``s_q · 2^((start(q) − start(Q))/h)``; one whose midpoint is in Q
    or in a later quarter it may have started by t in (its midpoint at most 182 days after its start)
    gives at most its points undecayed, ``≤ s_q``; ties at most their weights; reciprocity only
    lowers it. Partners are taken by that bound on what they lost (peak bound minus now), highest
    first, their exact history computed a batch at a time, until the ``top``-th exact loss beats
    every bound left. Partners strong now, or never medium even by the bound, are never read.
    """
    import heapq
    import math

    import numpy as np

    from .materialize import Recent, evaluate, ops, quarter

    h, scale, medium = cfg.half_life_days, cfg.scale, cfg.tiers["medium"]
    t = as_of.toordinal()
    rows = ops(store).pairs([home])
    ties = _home_ties(store, home)
    recent = Recent(store, cfg, as_of).of([(r[0], r[1]) for r in rows if r[2] > t])
    a, b, points, _, _, bits = evaluate(rows, recent, as_of, h)
    now_points: dict[str, float] = {}
    for x, y, p, w in zip(a, b, points.tolist(), bits.tolist(), strict=True):
        now_points[y if x == home else x] = p * (1.0 if w == 3 else cfg.one_sided)
    tie_bound: dict[str, float] = {}
    for other, found in ties.items():
        for since, until, kind in found:
            now_points[other] = now_points.get(other, 0.0) + tie_points(cfg, kind, since, until, as_of)
            if since is None or since <= as_of:
                tie_bound[other] = tie_bound.get(other, 0.0) + cfg.tie.get(kind, 0.5)

    def now_score(other: str) -> float:
        return -math.expm1(-now_points.get(other, 0.0) / scale)

    def eligible(other: str) -> bool:
        return (include_own or other not in own) and now_score(other) < medium + _SLACK

    # The quarter buckets of the pairs that may be going cold, as one dense matrix pairs × quarters.
    kept = [r for r in rows if eligible(r[1] if r[0] == home else r[0])]
    names = [r[1] if r[0] == home else r[0] for r in kept]
    qt = quarter(t)
    # A slice of pairs at a time: the parsed buckets and the matrix of one slice, not of all.
    bound = np.concatenate(
        [np.zeros(0)] + [_peak_bounds(kept[k : k + 16_384], h, qt) for k in range(0, len(kept), 16_384)]
    )
    del rows, kept
    peak_bound = {n: p for n, p in zip(names, bound.tolist(), strict=True)}
    for other in tie_bound:
        if other != home and other not in peak_bound and eligible(other):
            peak_bound[other] = 0.0
    # (−bound on the loss, partner): the exact ones go back in with their loss.
    heap: list[tuple[float, int, str]] = []
    for other, p in peak_bound.items():
        ceiling = -math.expm1(-(p * (1 + _SLACK) + tie_bound.get(other, 0.0)) / scale)
        if ceiling < medium - _SLACK:
            continue  # never medium, even by the bound
        heap.append((-(ceiling - max(0.0, now_score(other) - _SLACK) + _SLACK), 0, other))
    heapq.heapify(heap)
    out: list[_Lost] = []
    exact: dict[str, _Lost] = {}
    batch = 16
    while heap and len(out) < top:
        _, done, other = heapq.heappop(heap)
        if done:
            out.append(exact[other])
            continue
        # The next partners by bound: their exact history in one read.
        group = [other]
        while heap and len(group) < batch and not heap[0][1]:
            group.append(heapq.heappop(heap)[2])
        batch = min(batch * 2, 1_024)
        for r in _exact(store, home, as_of, cfg, group, ties):
            if _going_cold(cfg, r.peak, r.now) and _silent_enough(r.last, as_of, days):
                exact[r.partner] = r
                heapq.heappush(heap, (-r.lost, 1, r.partner))
    return out


def _peak_bounds(rows: list[tuple[Any, ...]], h: float, qt: int) -> Any:
    """For each stored pair row, a bound on its interaction points at any day of quarter ``qt`` or
    before (see :func:`_from_pairs`), from its quarter buckets as one dense matrix pairs × quarters."""
    import numpy as np

    from .materialize import quarter, quarter_start

    bound = np.zeros(len(rows))
    if not rows:
        return bound
    pos, qs, sums = _buckets(rows, h)
    reach = qt + 4  # a bucket past this quarter holds no interaction started by as_of
    use = qs <= reach
    lo = min(int(qs.min()), qt)
    dense = np.zeros((len(rows), reach - lo + 2))
    np.add.at(dense, (pos[use], qs[use] - lo), sums[use])
    cum = np.concatenate([np.zeros((len(rows), 1)), np.cumsum(dense, axis=1)], axis=1)
    before = np.zeros(len(rows))  # Σ over earlier quarters, decayed to the start of Q
    for Q in range(lo, qt + 1):
        j = Q - lo
        upto = min(quarter(quarter_start(Q + 1) + _MAX_HALF_SPAN - 1) - lo, dense.shape[1] - 1)
        bound = np.maximum(bound, before + (cum[:, upto + 1] - cum[:, j]))
        before = (before + dense[:, j]) * 2.0 ** ((quarter_start(Q) - quarter_start(Q + 1)) / h)
    return bound


def _buckets(rows: list[tuple[Any, ...]], h: float) -> tuple[Any, Any, Any]:
    """The quarter buckets of stored pair rows as arrays (row position, quarter, s_q); a pair in one
    quarter keeps none: its totals are that quarter's."""
    import numpy as np

    from .materialize import BUCKET_SIZE, bucket_dtype, bucket_list, quarter, quarter_start

    with_buckets = [k for k, r in enumerate(rows) if r[8]]
    counts: list[int] = []
    flats: list[Any] = []
    for part in batched(with_buckets, 8_192):  # a slice at a time: the parsed lists are large
        texts = [rows[k][8] for k in part]
        if all(type(x) is bytes for x in texts):  # SQLite's packed records: read in place
            packed = np.frombuffer(b"".join(texts), dtype=bucket_dtype())
            counts.extend(len(x) // BUCKET_SIZE for x in texts)
            flats.append(np.column_stack((packed["q"], packed["s"])).astype(float))
            continue
        if all(isinstance(x, str) for x in texts):  # JSON text: one parse for the slice
            parsed = json.loads("[" + ",".join(texts) + "]")
        else:
            parsed = [bucket_list(x) for x in texts]
        counts.extend(len(x) for x in parsed)
        flats.append(np.array(list(chain.from_iterable(parsed)), dtype=float).reshape(-1, 5)[:, :2])
    flat = np.concatenate(flats) if flats else np.zeros((0, 2))
    single = [k for k, r in enumerate(rows) if not r[8]]
    q1 = [quarter(rows[k][2]) for k in single]
    s1 = [rows[k][3] * 2.0 ** ((rows[k][2] - quarter_start(q)) / h) for k, q in zip(single, q1, strict=True)]
    pos = np.concatenate([np.repeat(np.array(with_buckets, dtype=np.int64), np.array(counts, dtype=np.int64)), np.array(single, dtype=np.int64)])
    qs = np.concatenate([flat[:, 0].astype(np.int64), np.array(q1, dtype=np.int64)])
    sums = np.concatenate([flat[:, 1], np.array(s1, dtype=float)])
    return pos, qs, sums


def _exact(
    store: Store,
    home: str,
    as_of: dt.date,
    cfg: StrengthConfig,
    partners: list[str],
    ties: dict[str, list[tuple[dt.date | None, dt.date | None, str]]],
) -> list[_Lost]:
    """The history of ``partners`` (as :func:`strength_history`) from their interactions, one read."""
    by_id: dict[str, _Shared] = {}
    for iid, start, end, kind, status, entity, role in store.participations(around=partners):
        item = by_id.get(iid)
        if item is None:
            item = by_id[iid] = (start, end, kind, status, [])
        item[4].append((entity, role))
    shared = {iid: x for iid, x in by_id.items() if any(e == home for e, _ in x[4])}
    events, initiated = _events(shared.values(), home, as_of, cfg, only=set(partners))
    latest: dict[str, tuple[int, int, str]] = {}
    for iid, (start, end, _, _, participants) in shared.items():
        if start > as_of:
            continue
        mark = (end.toordinal(), start.toordinal(), iid)
        for e, _ in participants:
            seen = latest.get(e)
            # The latest by end then start; of equals, the smallest id (as the store lists them).
            if seen is None or mark[:2] > seen[:2] or (mark[:2] == seen[:2] and iid < seen[2]):
                latest[e] = mark
    history = _histories(events, initiated, ties, as_of, cfg, partners)
    return [
        _Lost(peak - now, other, peak, peak_on, now, latest.get(other))
        for other, (peak, peak_on, now) in history.items()
    ]


def _dormant_rows(
    store: Store, home: str, as_of: dt.date, cfg: StrengthConfig, own: set[str], rows: list[_Lost]
) -> list[Dormant]:
    entities = store.get_entities(r.partner for r in rows)
    interactions = store.get_interactions(r.last[2] for r in rows if r.last)
    out: list[Dormant] = []
    for r in rows:
        last_i = interactions.get(r.last[2]) if r.last else None
        # A date that runs past the as-of day ("2026-Q4" asked on 27 November) was last seen by then:
        # never a contact in the future, never a negative count of days.
        last = min(last_i.date.end, as_of) if last_i else None
        pending = store.followups(FollowUpStatus.open, involving=r.partner, limit=1)  # the soonest due
        e = entities.get(r.partner)
        out.append(
            Dormant(
                id=r.partner,
                name=e.name if e else r.partner,
                kind=str(e.kind) if e else "",
                peak_score=r.peak,
                peak_on=r.peak_on,
                score=r.now,
                at_stake=r.lost,
                tier_peak=cfg.tier(r.peak),
                tier=cfg.tier(r.now),
                last_interaction=last,
                last_label=str(last_i.date) if last_i else None,
                days_silent=(as_of - last).days if last else None,
                last_title=last_i.title if last_i else None,
                next_step=pending[0].description if pending else None,
                own_side=r.partner in own,
            )
        )
    return out
