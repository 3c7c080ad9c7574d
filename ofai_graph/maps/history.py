"""The past a map carries: the relationship graph at the end of each recent quarter (the slider) and the
strategic axes each tie is built on (the axis filter), computed in Python so that the page stays offline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..i18n import format_date
from ..labels import LABELS
from ..store.base import Store
from ..strength import StrengthConfig

if TYPE_CHECKING:
    import networkx as nx

TIMELINE_QUARTERS = 8  # the slider's reach: two years back from the map's date
AXES = tuple(LABELS["Axis"])


class _Snapshot:
    """A store whose reads for :func:`~ofai_graph.strength.relationship_graph` are made once.

    The quarter slider and the axis filter need the graph a dozen times; reading the participations
    once and scoring them for each date costs a third less on a large store.
    """

    def __init__(self, store: Store):
        self._store = store
        self._parts: dict[tuple[str, ...], list[Any]] = {}
        self._ties: list[Any] | None = None
        self._summaries: list[Any] | None = None
        self._entities: dict[tuple[str, ...], dict[str, Any]] = {}

    def participations(self, around: Any = None, axes: Any = None) -> list[Any]:
        key = tuple(sorted(axes or ()))
        if key not in self._parts:
            self._parts[key] = list(self._store.participations(None, list(key) or None))
        return self._parts[key]

    def ties(self, entity_id: str | None = None) -> list[Any]:
        if entity_id is not None:
            return self._store.ties(entity_id)
        if self._ties is None:
            self._ties = self._store.ties()
        return self._ties

    def entity_summaries(self) -> Iterable[Any]:
        if self._summaries is None:
            self._summaries = list(self._store.entity_summaries())
        return iter(self._summaries)

    def get_entities(self, ids: Iterable[str]) -> dict[str, Any]:
        key = tuple(ids)
        if key not in self._entities:
            self._entities[key] = self._store.get_entities(key)
        return self._entities[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def quarter_stops(
    first: dt.date, as_of: dt.date, limit: int = TIMELINE_QUARTERS
) -> list[tuple[str, dt.date]]:
    """The slider's stops: the end of each quarter from ``first``'s up to ``as_of`` (the last stop).

    >>> [c for c, _ in quarter_stops(dt.date(2023, 11, 2), dt.date(2024, 3, 31))]
    ['2023-Q4', '2024-Q1']
    >>> quarter_stops(dt.date(2020, 1, 1), dt.date(2024, 2, 10), limit=2)[-1]
    ('2024-Q1', datetime.date(2024, 2, 10))
    """
    stops: list[tuple[str, dt.date]] = []
    y, q = as_of.year, (as_of.month - 1) // 3 + 1
    end = as_of
    while len(stops) < limit:
        stops.append((f"{y}-Q{q}", end))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
        end = dt.date(y, 3 * q, 1) + dt.timedelta(days=31)
        end = end.replace(day=1) - dt.timedelta(days=1)
        if end < first:
            break
    return stops[::-1]


@dataclass
class History:
    """What the page's slider and axis filter need, computed in Python (the page stays offline)."""

    stops: list[tuple[str, dt.date]]
    graphs: list[nx.Graph]  # one per stop but the last (which is the map's own graph)
    axes: dict[frozenset[str], int]  # tie -> bit mask of the strategic axes of its interactions


def history(
    store: Store,
    as_of: dt.date,
    config: StrengthConfig,
    axes: Sequence[str] = (),
    *,
    quarters: int = TIMELINE_QUARTERS,
    with_axes: bool = True,
) -> History:
    """The relationship graph at the end of each of the last ``quarters`` quarters, and tie axes."""
    from ..strength import relationship_graph

    snap = _Snapshot(store)
    parts = snap.participations(None, list(axes) or None)
    first = min((p[1] for p in parts), default=as_of)
    stops = quarter_stops(first, as_of, quarters) if quarters > 1 else [(f"{as_of.year}", as_of)]
    graphs = [
        relationship_graph(snap, as_of=end, config=config, axes=list(axes) or None)  # type: ignore[arg-type]
        for _, end in stops[:-1]
    ]
    # A tie is "on" an axis when the two took part in an interaction of that axis before as_of
    # (what relationship_graph(axes=[axis]) counts); pairs come straight from the participations.
    masks: dict[frozenset[str], int] = {}
    if with_axes:
        for bit, code in enumerate(AXES):
            if axes and code not in axes:
                continue
            groups: dict[str, set[str]] = {}
            for p in snap.participations(None, [code]):
                if p[1] <= as_of:
                    groups.setdefault(p[0], set()).add(p[5])
            for members in groups.values():
                ordered = sorted(members)
                for i, a in enumerate(ordered):
                    for b in ordered[i + 1 :]:
                        key = frozenset((a, b))
                        masks[key] = masks.get(key, 0) | (1 << bit)
    return History(stops=stops, graphs=graphs, axes=masks)


def pair_history(
    store: Store,
    as_of: dt.date,
    config: StrengthConfig,
    ids: Sequence[str],
    rows: list[Any],
    *,
    quarters: int = TIMELINE_QUARTERS,
) -> History:
    """:func:`history` of the relationships among ``ids`` only, from their materialized pairs (``rows``,
    read once: :func:`ofai_graph.structure.pair_rows`), for a map of a large store: the same stops
    (from the quarter of the earliest of those pairs' interactions) and scores, no axis filter
    (which would read every interaction of each axis)."""
    first = min((dt.date.fromordinal(int(r[7])) for r in rows), default=as_of)
    stops = quarter_stops(first, as_of, quarters) if quarters > 1 else [(f"{as_of.year}", as_of)]
    graphs = [_at_quarter_end(store, config, end, ids, rows) for _, end in stops[:-1]]
    return History(stops=stops, graphs=graphs, axes={})


def _at_quarter_end(
    store: Store, config: StrengthConfig, end: dt.date, ids: Sequence[str], rows: list[Any]
) -> nx.Graph:
    """The scores among ``ids`` at ``end``, the last day of a quarter, from their pairs' buckets: every
    interaction whose midpoint is in that quarter or before has begun and decays from its midpoint,
    so the buckets up to that quarter are exact; to them are added the few interactions in progress
    on that day whose midpoint is later (a date longer than a quarter), read through the dates index."""
    import math

    import networkx as nx

    from ..materialize import _Reader, bucket_list, contributions, ops, quarter, quarter_start

    h, t = config.half_life_days, end.toordinal()
    qt = quarter(t)
    inside = set(ids)
    later: dict[tuple[str, str], list[Any]] = {}
    c = contributions(ops(store).window(end + dt.timedelta(days=1), end), config)
    for ia, ib, p, mid, last, bits in zip(
        c.ia.tolist(), c.ib.tolist(), c.points.tolist(), c.mid.tolist(), c.last.tolist(), c.bits.tolist(), strict=True
    ):
        a, b = c.names[ia], c.names[ib]
        if mid > t and a in inside and b in inside:  # not begun to decay: counted in full
            acc = later.setdefault((a, b), [0.0, 0, 0, 0])
            acc[0] += p
            acc[1] += 1
            acc[2] = max(acc[2], last)
            acc[3] |= bits
    reader = _Reader(store, config, end)
    reader.prefetch_ties(list(ids))
    ties = {k: v for x in ids for k, v in reader.ties(x).items() if k[0] in inside and k[1] in inside}
    evidence: dict[tuple[str, str], list[Any]] = {}
    for a, b, ref, s, n, last, bits, _first, buckets in (r[:9] for r in rows):
        if ref <= t:
            evidence[(a, b)] = [s * 2.0 ** (-(t - ref) / h), n, last, bits]
            continue
        acc = [0.0, 0, 0, 0]
        for q, s_q, n_q, l_q, b_q in bucket_list(buckets) or [[quarter(ref), 0.0, 0, 0, 0]]:
            if q <= qt:
                acc[0] += s_q * 2.0 ** ((quarter_start(q) - t) / h)
                acc[1] += n_q
                acc[2] = max(acc[2], l_q)
                acc[3] |= b_q
        more = later.get((a, b))
        if more is not None:
            acc = [acc[0] + more[0], acc[1] + more[1], max(acc[2], more[2]), acc[3] | more[3]]
        evidence[(a, b)] = acc
    g = nx.Graph()
    g.add_nodes_from(ids)
    for key in sorted(set(evidence) | set(ties)):
        points, n, _, bits = evidence.get(key, [0.0, 0, 0, 0])
        total = points * (1.0 if bits == 3 else config.one_sided) if n else 0.0
        tie = ties.get(key)
        if tie:
            total += tie[0]
        if total > 0 and (n or tie) and (score := -math.expm1(-total / config.scale)) > 0:
            g.add_edge(*key, score=score)
    return g


def slider_data(
    past: History | None,
    home: str | None,
    node_order: Sequence[str],
    edge_order: Sequence[tuple[str, str]],
    lang: str,
) -> dict[str, Any]:
    """Each tie's and each entity's strength at the end of every earlier quarter, in the page's order."""
    if past is None or len(past.stops) <= 1:
        return {}
    scores = []
    node_scores = []
    none: dict[str, Any] = {}
    for gq in past.graphs:
        adj = gq._adj  # a plain dict read per tie: 50,000 ties x 8 quarters
        scores.append(
            [None if (e := adj.get(a, none).get(b)) is None else round(e["score"], 3) for a, b in edge_order]
        )
        # The office's ties at that quarter, read once: what office_score asks per node.
        office = adj.get(home, {}) if home else {}
        node_scores.append(
            [
                None if n == home or (e := office.get(n)) is None else round(float(e["score"]), 3)
                for n in node_order
            ]
        )
    return {
        "quarters": [{"code": code, "label": format_date(code, lang)} for code, _end in past.stops],
        "scores": scores,
        "node": node_scores,
    }
