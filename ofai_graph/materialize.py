"""Materialized relationship strength: per pair of entities, what the score needs, kept up to date on
every write in the write's own transaction, so that a query reads a few rows instead of rescoring a
million interactions.

The representation (docs/strength-materialized.md has the derivation). For a pair (a, b), a < b, every
shared interaction *i* gives ``p_i = kind × outcome × 1/(n−1) × √(role_a × role_b)`` points before
decay (step 1 of :mod:`ofai_graph.strength` without the age factor), at its midpoint ``m_i``. Decay
factorizes, ``2^(-(T - m_i)/h) = 2^(-(T - r)/h) · 2^((m_i - r)/h)``, so a pair keeps

``ref``      the latest midpoint r (a day ordinal): every exponent ``(m_i - r)/h`` is ≤ 0, never overflows;
``s``        ``Σ p_i · 2^((m_i - r)/h)``: the pair's interaction points at T ≥ r are ``s · 2^(-(T - r)/h)``;
``n``, ``last``, ``bits``  the count, the latest interval code and who initiated (1: a, 2: b), as the scorer;
``first``    the earliest midpoint;
``buckets``  one entry per calendar quarter of the midpoints, ``[q, s_q, n_q, last_q, bits_q]`` with
             ``s_q = Σ p_i · 2^((m_i - start of q)/h)``; stored only when the pair spans two quarters
             or more (a pair in one quarter has its bucket in its totals).

A query as of T uses the totals when ``ref ≤ T`` (one multiplication). Otherwise (a past ``--as-of``,
or an interaction still in progress or planned) the quarters before T's quarter come from the buckets,
and the interactions whose midpoint falls in T's quarter or later and that started by T are scored one
by one (they are few: one quarter's worth). Ties, affiliations, reciprocity and the final
``1 − exp(−points/scale)`` are applied at query time, so they are exact and free to change.

What the pairs depend on (half-life, kind, outcome and role weights) is stored with them; a store whose
pairs were built with other weights than the caller's is not used (:func:`pair_evidence` returns
None and the caller rescores everything) until :func:`rebuild`.

Writes: a new interaction adds its contributions (merged into the pair's row); a replaced one (same id,
other date, kind, status or participants) makes its old and new pairs be recomputed from their shared
interactions, so a participant swapped for another loses the pair it had.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from .store.base import Participation

if TYPE_CHECKING:
    import networkx as nx

    from .model import Dataset, Interaction
    from .store.base import Store, WriteReport
    from .strength import StrengthConfig, _Pairs

def _exp2(x: float) -> float:
    """2 ** x as a float (math.exp2 is Python 3.11+)."""
    return float(2.0**x)


# An import's sums per pair and quarter above this many rows go to a scratch table of the store (when it
# has one: SQLite), so that its memory does not grow with the file. A 1,000,000-interaction import peaked
# at 1,089 MB with 1,000,000 here and at 867 MB with 300,000, for the same CPU (benchmarks/bench_stream.py).
SPILL_ROWS = 300_000
SPILL_SLICE = 50_000  # rows turned into Python objects at a time when spilling

# Above this many pairs to recompute in one write, one full rebuild is cheaper than pair-by-pair reads.
RECOMPUTE_LIMIT = 5_000


def config_key(cfg: StrengthConfig) -> str:
    """What the stored pairs depend on, as text: the half-life and the kind, outcome and role weights."""
    return json.dumps(
        {"half_life_days": cfg.half_life_days, "kind": cfg.kind, "outcome": cfg.outcome, "role": cfg.role},
        sort_keys=True,
    )


def config_hash(cfg: StrengthConfig) -> str:
    return hashlib.sha256(config_key(cfg).encode()).hexdigest()[:16]


def stored_config(text: str) -> StrengthConfig:
    from .strength import StrengthConfig

    return StrengthConfig(**json.loads(text))


def default_config() -> StrengthConfig:
    from .strength import StrengthConfig

    return StrengthConfig()


# -- quarters ---------------------------------------------------------------------------------------------


def quarter(ordinal: int) -> int:
    d = dt.date.fromordinal(ordinal)
    return d.year * 4 + (d.month - 1) // 3


def quarter_start(q: int) -> int:
    return dt.date(q // 4, (q % 4) * 3 + 1, 1).toordinal()


class Contributions(NamedTuple):
    """One row per (pair, interaction): the undecayed points and what the score needs besides."""

    names: list[str]  # entity ids, sorted
    ia: Any  # numpy arrays from here on: the pair's ends as positions in names, ia < ib
    ib: Any
    points: Any
    mid: Any
    start: Any
    last: Any
    bits: Any


def contributions(participations: Iterable[Participation], cfg: StrengthConfig) -> Contributions:
    """Step 1 of :mod:`ofai_graph.strength` without the age factor, per pair and interaction, with the
    scorer's own functions (strongest role per entity, n counted after that, pairs a < b)."""
    import numpy as np

    from .strength import _encode, _participant_rows, interaction_share, interaction_weight, pair_points

    c = _encode(participations)
    names = sorted(c.entities)
    empty = np.zeros(0, dtype=np.int64)
    if not names:
        return Contributions([], empty, empty, np.zeros(0), empty, empty, empty, empty)
    rank = np.empty(len(names), dtype=np.int64)
    rank[[c.entities[n] for n in names]] = np.arange(len(names))
    rows = _participant_rows(c, cfg, rank)
    start = np.array(c.start, dtype=np.int64)
    end = np.array(c.end, dtype=np.int64)
    weight = np.array([interaction_weight(cfg, k, s) for k, s in c.kind_status])[
        np.array(c.ks, dtype=np.int64)
    ]
    n = np.bincount(rows.inter, minlength=len(start))
    offset = np.concatenate(([0], np.cumsum(n)[:-1]))
    mid = (start + end) // 2
    last_code = (end << 16) | (0xFFFF - (end - start))
    pa, pb, pp, pm, ps, pl, pbits = [], [], [], [], [], [], []
    for m in np.flatnonzero(np.bincount(n[n >= 2])).tolist() if (n >= 2).any() else []:
        sel = np.nonzero(n == m)[0]
        cols = offset[sel][:, None] + np.arange(m)
        E, W, INIT = rows.ent[cols], rows.weight[cols], rows.initiated[cols]
        share = interaction_share(weight[sel], 1.0, m)
        for i in range(m):
            for j in range(i + 1, m):
                pa.append(E[:, i])
                pb.append(E[:, j])
                pp.append(pair_points(share, W[:, i], W[:, j]))
                pm.append(mid[sel])
                ps.append(start[sel])
                pl.append(last_code[sel])
                pbits.append(INIT[:, i] | (INIT[:, j] << 1))
    if not pa:
        return Contributions([], empty, empty, np.zeros(0), empty, empty, empty, empty)
    return Contributions(
        names,
        np.concatenate(pa),
        np.concatenate(pb),
        np.concatenate(pp),
        np.concatenate(pm),
        np.concatenate(ps),
        np.concatenate(pl),
        np.concatenate(pbits),
    )


# -- pair records -------------------------------------------------------------------------------------------


class PairRecord(NamedTuple):
    a: str
    b: str
    ref: int
    s: float
    n: int
    last: int
    bits: int
    first: int
    buckets: list[list[Any]]  # [q, s_q, n_q, last_q, bits_q], or [] when all in one quarter


class QuarterRows(NamedTuple):
    """Contributions summed per pair and calendar quarter of their midpoints, sorted by (pair, quarter):
    what a pair's record is made of, and all a long import keeps in memory (one row per pair and
    quarter, however many interactions)."""

    pk: Any  # int64 ``ia << 31 | ib``: the pair's ends as codes of an :class:`Accumulator`, a < b as ids
    q: Any  # quarter number (:func:`quarter`)
    s: Any  # Σ p_i · 2^((m_i − hi)/h): relative to the row's latest midpoint, so one interaction's is p_i exactly
    n: Any
    last: Any
    bits: Any
    lo: Any  # earliest midpoint
    hi: Any  # latest midpoint


def _quarters(mid: Any) -> tuple[Any, Any]:
    """The quarter of each midpoint and its first day (a Python call per distinct day only)."""
    import numpy as np

    days, inv = np.unique(mid, return_inverse=True)
    qs = np.array([quarter(int(m)) for m in days.tolist()], dtype=np.int64)
    starts = np.array([quarter_start(int(q)) for q in qs.tolist()], dtype=np.int64)
    return qs[inv], starts[inv]


def _quarter_starts(q: Any) -> Any:
    import numpy as np

    qs, inv = np.unique(q, return_inverse=True)
    return np.array([quarter_start(int(x)) for x in qs.tolist()], dtype=np.int64)[inv]


def _reduce(r: QuarterRows, h: float) -> QuarterRows:
    """Rows with the same pair and quarter summed into one, sorted by (pair, quarter)."""
    import numpy as np

    if not len(r.pk):
        return r
    order = np.lexsort((r.q, r.pk))
    pk, q = r.pk[order], r.q[order]
    change = np.empty(len(pk), dtype=bool)
    change[0] = True
    change[1:] = (pk[1:] != pk[:-1]) | (q[1:] != q[:-1])
    at = np.flatnonzero(change)
    if len(at) == len(pk):
        return QuarterRows(pk, q, *(x[order] for x in r[2:]))
    hi = r.hi[order]
    top = np.maximum.reduceat(hi, at)
    rescale = np.exp2((hi - np.repeat(top, np.diff(np.append(at, len(pk))))) / h)
    return QuarterRows(
        pk[at],
        q[at],
        np.add.reduceat(r.s[order] * rescale, at),
        np.add.reduceat(r.n[order], at),
        np.maximum.reduceat(r.last[order], at),
        np.bitwise_or.reduceat(r.bits[order], at),
        np.minimum.reduceat(r.lo[order], at),
        top,
    )


class Accumulator:
    """Contributions of many batches (an import's chunks), summed per pair and quarter as they come:
    memory grows with the pairs, not with the interactions; :meth:`records` gives the pair rows."""

    def __init__(self, half_life: float, scratch: Any = None):
        self.h = half_life
        self.codes: dict[str, int] = {}
        self.names: list[str] = []
        self.done: QuarterRows | None = None
        self.pending: list[QuarterRows] = []
        self.pending_rows = 0
        # The store's scratch table (``stage(rows)``, ``staged()``), or None: all in memory.
        self.scratch = scratch
        self.spilled = False

    def __bool__(self) -> bool:
        return self.done is not None or bool(self.pending) or self.spilled

    def add(self, c: Contributions) -> None:
        import numpy as np

        if not len(c.ia):
            return
        codes = self.codes
        for name in c.names:
            if name not in codes:
                codes[name] = len(self.names)
                self.names.append(name)
        code = np.array([codes[name] for name in c.names], dtype=np.int64)
        q, _ = _quarters(c.mid)
        rows = QuarterRows(
            (code[c.ia] << 31) | code[c.ib],
            q,
            c.points,
            np.ones(len(c.ia), dtype=np.int64),
            c.last,
            c.bits,
            c.mid,
            c.mid,
        )
        self.pending.append(rows)
        self.pending_rows += len(rows.pk)
        # Summed when the batches waiting outgrow what is summed already: every row is re-sorted
        # O(log) times, not once per batch.
        if self.pending_rows > max(min(20_000, SPILL_ROWS), len(self.done.pk) if self.done is not None else 0):
            self._compact()

    def _compact(self) -> QuarterRows:
        import numpy as np

        parts = ([self.done] if self.done is not None else []) + self.pending
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return QuarterRows(empty, empty, np.zeros(0), empty, empty, empty, empty, empty)
        self.done = _reduce(
            parts[0] if len(parts) == 1 else QuarterRows(*(np.concatenate(col) for col in zip(*parts, strict=True))),
            self.h,
        )
        self.pending, self.pending_rows = [], 0
        if self.scratch is not None and len(self.done.pk) > SPILL_ROWS:
            self._spill()
        return self.done

    def _spill(self) -> None:
        """The sums so far into the scratch table (summed again there when read)."""
        r = self.done
        if r is None or not len(r.pk):
            return
        import numpy as np

        names = self.names
        s = r.s * np.exp2((r.hi - _quarter_starts(r.q)) / self.h)  # from the quarter's start: the same for every part
        # A slice at a time: a million rows as Python lists took 400 MB at once (an import's peak).
        for i in range(0, len(r.pk), SPILL_SLICE):
            cut = slice(i, i + SPILL_SLICE)
            a = [names[x] for x in (r.pk[cut] >> 31).tolist()]
            b = [names[x] for x in (r.pk[cut] & ((1 << 31) - 1)).tolist()]
            cols = (x[cut].tolist() for x in (r.q, s, r.n, r.last, r.bits, r.lo, r.hi))
            self.scratch.stage(zip(a, b, *cols, strict=True))
        self.done, self.spilled = None, True

    def records(self) -> Iterator[PairRecord]:
        """The pair rows, in the order of their ends' ids (one at a time: a million are written as
        they come)."""
        import numpy as np

        r = self._compact()
        if self.spilled:
            self._spill()
            yield from _from_scratch(self.scratch.staged(), self.h)
            return
        if not len(r.pk):
            return
        h = self.h
        names = self.names
        at = np.flatnonzero(np.concatenate(([True], r.pk[1:] != r.pk[:-1])))
        count = np.diff(np.append(at, len(r.pk)))
        ref = np.maximum.reduceat(r.hi, at)
        first = np.minimum.reduceat(r.lo, at)
        s = np.add.reduceat(r.s * np.exp2((r.hi - np.repeat(ref, count)) / h), at)
        n = np.add.reduceat(r.n, at)
        last = np.maximum.reduceat(r.last, at)
        bits = np.bitwise_or.reduceat(r.bits, at)
        pk = r.pk[at]
        ia, ib = pk >> 31, pk & ((1 << 31) - 1)
        rank = np.empty(len(names), dtype=np.int64)
        rank[np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)] = np.arange(len(names))
        order = np.lexsort((rank[ib], rank[ia]))
        multi = count > 1
        rows_q = r.q.tolist()
        rows_s = (r.s * np.exp2((r.hi - _quarter_starts(r.q)) / h)).tolist()  # buckets: from the quarter's start
        rows_n, rows_l, rows_b = r.n.tolist(), r.last.tolist(), r.bits.tolist()
        at_l, count_l, multi_l = at.tolist(), count.tolist(), multi.tolist()
        no_buckets: list[list[Any]] = []
        cols = [x.tolist() for x in (ia, ib, ref, s, n, last, bits, first)]
        for i in order.tolist():
            buckets = no_buckets
            if multi_l[i]:
                j0 = at_l[i]
                buckets = [
                    [rows_q[j], rows_s[j], rows_n[j], rows_l[j], rows_b[j]] for j in range(j0, j0 + count_l[i])
                ]
            yield PairRecord(
                names[cols[0][i]],
                names[cols[1][i]],
                cols[2][i],
                cols[3][i],
                cols[4][i],
                cols[5][i],
                cols[6][i],
                cols[7][i],
                buckets,
            )


def _from_scratch(rows: Iterator[tuple[Any, ...]], h: float) -> Iterator[PairRecord]:
    """Pair records from rows (a, b, q, s, n, last, bits, lo, hi) summed per pair and quarter and sorted
    by (a, b, q), as the scratch table gives them."""
    group: list[tuple[Any, ...]] = []
    for row in rows:
        if group and (row[0] != group[0][0] or row[1] != group[0][1]):
            yield _record_of(group, h)
            group = []
        group.append(row)
    if group:
        yield _record_of(group, h)


def _record_of(group: list[tuple[Any, ...]], h: float) -> PairRecord:
    ref = max(g[8] for g in group)
    first = min(g[7] for g in group)
    s = 0.0
    n = last = bits = 0
    for g in group:
        s += g[3] * _exp2((quarter_start(g[2]) - ref) / h)
        n += g[4]
        last = max(last, g[5])
        bits |= g[6]
    buckets = [[g[2], g[3], g[4], g[5], g[6]] for g in group] if len(group) > 1 else []
    return PairRecord(group[0][0], group[0][1], ref, s, n, last, bits, first, buckets)


def records(c: Contributions, half_life: float) -> Iterator[PairRecord]:
    """The pair rows of a set of contributions (all of each pair's interactions must be among them)."""
    acc = Accumulator(half_life)
    acc.add(c)
    return acc.records()


def _buckets_of(rec: PairRecord, half_life: float) -> list[list[Any]]:
    if rec.buckets:
        return rec.buckets
    q = quarter(rec.ref)
    return [[q, rec.s * _exp2((rec.ref - quarter_start(q)) / half_life), rec.n, rec.last, rec.bits]]


def merge(old: PairRecord, new: PairRecord, half_life: float) -> PairRecord:
    """Two disjoint sets of a pair's interactions, as one record."""
    ref = max(old.ref, new.ref)
    s = old.s * _exp2((old.ref - ref) / half_life) + new.s * _exp2((new.ref - ref) / half_life)
    first = min(old.first, new.first)
    buckets: list[list[Any]] = []
    if quarter(first) != quarter(ref):
        by_q: dict[int, list[Any]] = {}
        for bucket in (*_buckets_of(old, half_life), *_buckets_of(new, half_life)):
            mine = by_q.get(bucket[0])
            if mine is None:
                by_q[bucket[0]] = list(bucket)
            else:
                mine[1] += bucket[1]
                mine[2] += bucket[2]
                mine[3] = max(mine[3], bucket[3])
                mine[4] |= bucket[4]
        buckets = [by_q[q] for q in sorted(by_q)]
    return PairRecord(
        old.a, old.b, ref, s, old.n + new.n, max(old.last, new.last), old.bits | new.bits, first, buckets
    )


# -- reading: the evidence of pairs at a date -----------------------------------------------------------------


def bucket_list(value: Any) -> list[list[Any]]:
    """A stored ``buckets`` value (JSON text in SQLite, a list already, or nothing) as a list."""
    if not value:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def recent_by_pair(
    recent: Contributions, as_of: dt.date, half_life: float
) -> dict[tuple[str, str], list[Any]]:
    """The recent contributions (see :func:`recent_window`) summed per pair as of ``as_of``:
    [points, count, last, bits]."""
    out: dict[tuple[str, str], list[Any]] = {}
    if not len(recent.ia):
        return out
    decayed = recent.points * _decay(as_of.toordinal() - recent.mid, half_life)
    names = recent.names
    ends = zip([names[i] for i in recent.ia.tolist()], [names[i] for i in recent.ib.tolist()], strict=False)
    for (x, y), p, lc, bi in zip(
        ends, decayed.tolist(), recent.last.tolist(), recent.bits.tolist(), strict=True
    ):
        acc = out.get((x, y))
        if acc is None:
            out[(x, y)] = [p, 1, lc, bi]
        else:
            acc[0] += p
            acc[1] += 1
            acc[2] = max(acc[2], lc)
            acc[3] |= bi
    return out


def row_evidence(
    row: tuple[Any, ...], recent: dict[tuple[str, str], list[Any]], t: int, half_life: float
) -> list[Any]:
    """One stored pair row as of day ordinal ``t``: [points, count, last, bits] (count 0: no evidence yet)."""
    a, b, ref, s, n, last, bits, first, buckets = row[:9]
    if ref <= t:
        return [s * _exp2(-(t - ref) / half_life), n, last, bits]
    qt = quarter(t)
    acc = [0.0, 0, 0, 0]
    if quarter(first) < qt:
        for q, s_q, n_q, l_q, b_q in _buckets_of(
            PairRecord(a, b, ref, s, n, last, bits, first, bucket_list(buckets)), half_life
        ):
            if q < qt:
                acc[0] += s_q * _exp2(-(t - quarter_start(q)) / half_life)
                acc[1] += n_q
                acc[2] = max(acc[2], l_q)
                acc[3] |= b_q
    more = recent.get((a, b))
    if more is not None:
        acc[0] += more[0]
        acc[1] += more[1]
        acc[2] = max(acc[2], more[2])
        acc[3] |= more[3]
    return acc


def evaluate(
    rows: list[tuple[Any, ...]], recent: dict[tuple[str, str], list[Any]], as_of: dt.date, half_life: float
) -> tuple[Any, ...]:
    """Step 1 of the scorer as of ``as_of`` for ``rows`` (stored pair rows, :class:`PairRecord`'s field
    order): (a, b, points, count, last, bits) per pair with evidence, a and b as lists, the rest as
    arrays. ``recent``: :func:`recent_by_pair`."""
    import numpy as np

    t = as_of.toordinal()
    if not rows:
        z = np.zeros(0, dtype=np.int64)
        return [], [], np.zeros(0), z, z, z
    a, b, ref, s, n, last, bits = list(zip(*rows, strict=False))[:7]
    ref_ = np.array(ref, dtype=np.int64)
    done = ref_ <= t
    points = np.array(s, dtype=float) * np.exp2(-np.maximum(0, t - ref_) / half_life)
    n_, last_, bits_ = (np.array(x, dtype=np.int64) for x in (n, last, bits))
    pending_at = np.flatnonzero(~done).tolist()
    if not pending_at:
        return list(a), list(b), points, n_, last_, bits_
    extra = [(i, row_evidence(rows[i], recent, t, half_life)) for i in pending_at]
    extra = [(i, v) for i, v in extra if v[1]]
    keep = np.flatnonzero(done).tolist()
    out_a = [a[i] for i in keep] + [a[i] for i, _ in extra]
    out_b = [b[i] for i in keep] + [b[i] for i, _ in extra]
    return (
        out_a,
        out_b,
        np.concatenate([points[keep], np.array([v[0] for _, v in extra], dtype=float)]),
        np.concatenate([n_[keep], np.array([v[1] for _, v in extra], dtype=np.int64)]),
        np.concatenate([last_[keep], np.array([v[2] for _, v in extra], dtype=np.int64)]),
        np.concatenate([bits_[keep], np.array([v[3] for _, v in extra], dtype=np.int64)]),
    )


def _decay(age: Any, half_life: float) -> Any:
    import numpy as np

    return np.exp2(-np.maximum(0, age) / half_life)


def recent_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The interactions scored one by one as of ``as_of``: ending on or after the start of its quarter
    and starting by it (those whose midpoint is before the quarter are dropped after reading)."""
    return dt.date.fromordinal(quarter_start(quarter(as_of.toordinal()))), as_of


def _recent(store: Store, cfg: StrengthConfig, as_of: dt.date) -> Contributions:
    import numpy as np

    lo, hi = recent_window(as_of)
    c = contributions(ops(store).window(lo, hi), cfg)
    keep = np.flatnonzero(c.mid >= lo.toordinal())
    if len(keep) == len(c.ia):
        return c
    return Contributions(
        c.names,
        c.ia[keep],
        c.ib[keep],
        c.points[keep],
        c.mid[keep],
        c.start[keep],
        c.last[keep],
        c.bits[keep],
    )


def pair_evidence(
    store: Store,
    cfg: StrengthConfig,
    as_of: dt.date,
    around: Collection[str] | None = None,
    recent: dict[tuple[str, str], list[Any]] | None = None,
) -> _Pairs | None:
    """The scorer's step-1 evidence (:class:`ofai_graph.strength._Pairs`) read from the materialized
    pairs: every pair, or the pairs with an end in ``around``. None when the store keeps no pairs built
    with ``cfg``'s weights (the caller then rescores from the interactions)."""
    import numpy as np

    from .strength import _Pairs

    o = ops(store)
    if o.stored_config() != config_key(cfg):
        return None
    rows = o.pairs(around)
    if recent is None:
        recent = recent_by_pair(_recent(store, cfg, as_of), as_of, cfg.half_life_days)
    a, b, p, n, lc, bits = evaluate(rows, recent, as_of, cfg.half_life_days)
    names = sorted({*a, *b})
    code = {x: i for i, x in enumerate(names)}
    ia = np.array([code[x] for x in a], dtype=np.int64)
    ib = np.array([code[x] for x in b], dtype=np.int64)
    order = np.argsort(ia * max(1, len(names)) + ib, kind="stable")
    # Plain lists, as the scorer's own _Pairs (numpy scalars would reach JSON and the maps)
    return _Pairs(*[names], *(x[order].tolist() for x in (ia, ib, p, n, lc, bits)))


def is_current(store: Store, cfg: StrengthConfig) -> bool:
    """Whether the store keeps pairs built with ``cfg``'s weights."""
    return bool(ops(store).stored_config() == config_key(cfg))


def ensure(store: Store, cfg: StrengthConfig) -> bool:
    """Rebuild the pairs when they were built with other weights than ``cfg``'s (the configuration
    file changed) or never built (a store filled by an older ofai-graph); True when it rebuilt."""
    if is_current(store, cfg):
        return False
    rebuild(store, cfg)
    return True


def order_key(s: float, ref: int, half_life: float) -> float:
    """``log2`` of a pair's interaction points at day 0, ``log2(s) + ref/h``: its points as of any T are at
    most ``2^(key - T/h)`` (exactly that once T ≥ ref), so an index on it lists an entity's partners
    strongest first whatever the date (see :class:`Neighbours`)."""
    return math.log2(s) + ref / half_life if s > 0 else -1e300


class _Reader:
    """What a lazy graph reads with: the store, the weights, the date and the recent interactions."""

    def __init__(self, store: Store, cfg: StrengthConfig, as_of: dt.date):
        self.store, self.cfg, self.as_of = store, cfg, as_of
        self.ops = ops(store)
        self.t = as_of.toordinal()
        self.recent = recent_by_pair(_recent(store, cfg, as_of), as_of, cfg.half_life_days)

    def ties(self, v: str) -> dict[tuple[str, str], tuple[float, list[str]]]:
        from .strength import _bond_evidence, _bonds_in_scope

        found = _bond_evidence(_bonds_in_scope(self.store, (), {v}), self.cfg, self.as_of)
        return {k: (p, found.kinds[k]) for k, p in found.points.items() if v in k}

    def edge(self, row: tuple[Any, ...] | None, tie: tuple[float, list[str]] | None) -> dict[str, Any] | None:
        """The relationship graph's edge attributes for a stored row and the pair's ties (None: no evidence)."""
        cfg = self.cfg
        points, n, last, bits = (
            row_evidence(row, self.recent, self.t, cfg.half_life_days) if row else [0.0, 0, 0, 0]
        )
        reciprocal = bits == 3
        total = points * (1.0 if reciprocal else cfg.one_sided) if n else 0.0
        if tie:
            total += tie[0]
        if total <= 0 or not (n or tie):
            return None
        score = -math.expm1(-total / cfg.scale)
        if score <= 0:
            return None
        last = int(last)
        end = last >> 16
        return {
            "score": score,
            "points": total,
            "interactions": n,
            "last": dt.date.fromordinal(end) if n else None,
            "last_start": dt.date.fromordinal(end - (0xFFFF - (last & 0xFFFF))) if n else None,
            "reciprocal": reciprocal if n else False,
            "ties": tie[1] if tie else [],
            "cost": -math.log(score),
        }


class Neighbours:
    """The partners of ``v`` in order of strength, strongest first, read from the stored pairs page by
    page (a threshold algorithm over the index on :func:`order_key`): ``at(i)`` is the i-th, as
    ``(cost, partner)``, reading only as far as needed. Pairs with a tie are scored up front (a tie
    adds points the key does not bound); ``keep(w)`` filters partners; with ``among``, only those."""

    def __init__(
        self,
        reader: _Reader,
        g: nx.Graph,
        v: str,
        keep: Callable[[str], bool],
        among: Collection[str] | None = None,
    ):
        import heapq

        self.reader, self.g, self.v, self.keep = reader, g, v, keep
        self.items: list[tuple[float, str]] = []
        self.heap: list[tuple[float, str, dict[str, Any]]] = []
        self.limit = reader.t / reader.cfg.half_life_days - 1e-9
        ties = reader.ties(v)
        self.tied = set(ties)
        rows = {(r[0], r[1]): r for r in reader.ops.pairs_by_key(list(ties))} if ties else {}
        for key, tie in ties.items():
            self._push(rows.get(key), key, tie)
        if among is not None:
            for row in reader.ops.pairs_among(v, among):
                if (row[0], row[1]) not in self.tied:
                    self._push(row, (row[0], row[1]), None)
            self.pages: list[Any] = []
        else:
            self.pages = [reader.ops.neighbour_pages(v, side) for side in ("a", "b")]
        self.heads: list[Any] = [next(p, None) for p in self.pages]
        heapq.heapify(self.heap)

    def _push(
        self, row: tuple[Any, ...] | None, key: tuple[str, str], tie: tuple[float, list[str]] | None
    ) -> None:
        import heapq

        w = key[1] if key[0] == self.v else key[0]
        if not self.keep(w):
            return
        edge = self.reader.edge(row, tie)
        if edge is not None:
            heapq.heappush(self.heap, (edge["cost"], w, edge))

    def at(self, i: int) -> tuple[float, str] | None:
        import heapq

        while len(self.items) <= i:
            live = [k for k, head in enumerate(self.heads) if head is not None]
            best = max(live, key=lambda k: self.heads[k][9]) if live else None
            if best is not None:
                bound = self.heads[best][9] - self.limit  # log2 of the most points any unread pair has
                # cost = -log(1 - exp(-points/scale)) falls as points rise
                if not self.heap or math.log2(max(self.heap[0][2]["points"], 1e-300)) < bound:
                    row = self.heads[best]
                    self.heads[best] = next(self.pages[best], None)
                    if (row[0], row[1]) not in self.tied:
                        self._push(row, (row[0], row[1]), None)
                    continue
            if not self.heap:
                return None
            cost, w, edge = heapq.heappop(self.heap)
            self.g.add_edge(self.v, w, **edge)
            self.items.append((cost, w))
        return self.items[i]

    def __getitem__(self, i: int) -> tuple[float, str]:
        found = self.at(i)
        if found is None:
            raise IndexError(i)
        return found


def lazy_graph(store: Store, cfg: StrengthConfig, as_of: dt.date) -> nx.Graph:
    """A relationship graph with every entity and no edges yet, for a path search that reads only what
    it expands: ``g.graph["neighbours"](v, among, keep)`` is a :class:`Neighbours` (``among``: the only
    partners wanted, as on a path's last hop); each partner it yields adds its edge to ``g``."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(
        (s.id, {"name": s.name, "type": s.type, "kind": s.kind, "countries": s.countries})
        for s in store.entity_summaries()
    )
    reader = _Reader(store, cfg, as_of)

    def neighbours(v: str, among: Collection[str] | None, keep: Callable[[str], bool]) -> Neighbours:
        return Neighbours(reader, g, v, keep, among)

    g.graph.update(as_of=as_of, config=cfg, neighbours=neighbours)
    return g


# -- writing ---------------------------------------------------------------------------------------------------


def _participations_of(interactions: Iterable[Interaction]) -> Iterator[Participation]:
    for i in interactions:
        start, end, kind, status = i.date.start, i.date.end, i.kind.value, i.status.value
        for p in i.participants:
            yield (i.id, start, end, kind, status, p.entity, p.role.value)  # type: ignore[misc]


def _pairs_of(i: Interaction) -> set[tuple[str, str]]:
    ents = sorted({p.entity for p in i.participants})
    return {(x, y) for k, x in enumerate(ents) for y in ents[k + 1 :]}


def _scored_fields(i: Interaction) -> tuple[Any, ...]:
    return (
        i.date.start,
        i.date.end,
        i.kind,
        i.status,
        sorted((p.entity, p.role.value) for p in i.participants),
    )


class Maintainer:
    """Keeps a store's pairs up to date during one of its write transactions.

    The store calls :meth:`before` with each batch before writing it and :meth:`flush` before committing.
    """

    def __init__(self, store: Store):
        self.store = store
        self.ops = ops(store)
        text = self.ops.stored_config()
        empty = not self.ops.has_interactions()
        # None: a store filled before pairs were kept has none until a rebuild; an empty one starts them.
        self.config = stored_config(text) if text else default_config() if empty else None
        self.start = text is None and empty
        self.fresh = empty
        # What new interactions give, summed per pair and quarter as the batches come: neither the
        # models nor a row per interaction are kept (a million of them would double an import's memory).
        self.added = self._accumulator()
        self.written = 0  # interactions written into an empty store: more than it holds at the end
        self.repeated = False  # means an id written twice (rebuild at the end)
        self.recompute: set[tuple[str, str]] = set()

    def _accumulator(self) -> Accumulator | None:
        if self.config is None:
            return None
        return Accumulator(self.config.half_life_days, getattr(self.ops, "stage", None) and self.ops)

    def wrap(self, write_batch: Callable[..., WriteReport]) -> Callable[..., WriteReport]:
        def write(data: Dataset, **options: Any) -> WriteReport:
            self.before(data)
            return write_batch(data, **options)

        return write

    def before(self, data: Dataset) -> None:
        if self.config is None or not data.interactions:
            return
        # Within a batch the last version of an id is the one written.
        batch = list({i.id: i for i in data.interactions}.values())
        added: list[Interaction] = []
        if self.fresh:
            self.written += len(batch)
            added = batch
        else:
            old = self.store.get_interactions([i.id for i in batch])
            for i in batch:
                was = old.get(i.id)
                if was is None:
                    added.append(i)
                elif _scored_fields(was) != _scored_fields(i):
                    self.recompute |= _pairs_of(was) | _pairs_of(i)
        if added and self.added is not None:
            self.added.add(contributions(_participations_of(added), self.config))

    def flush(self) -> None:
        cfg = self.config
        if cfg is None or self.added is None or not (self.added or self.recompute or self.written):
            return
        if self.start:
            self.ops.set_config(cfg)
        if self.fresh and self.written:
            self.repeated = self.written > self.store.counts()["interactions"]
        if self.repeated or len(self.recompute) > RECOMPUTE_LIMIT:
            rebuild(self.store, cfg, in_transaction=True)
            return
        h = cfg.half_life_days
        if self.fresh:  # straight into an empty table, as they come
            self.ops.upsert(self.added.records(), h, fresh=True)
            self.added = self._accumulator()
            return
        new = [r for r in self.added.records() if (r.a, r.b) not in self.recompute]
        self.added = self._accumulator()
        if new:
            existing = {(r.a, r.b): r for r in self.ops.pairs_by_key([(r.a, r.b) for r in new])}
            new = [merge(existing[(r.a, r.b)], r, h) if (r.a, r.b) in existing else r for r in new]
        for a, b in sorted(self.recompute):
            shared = self.store.shared_interactions(a, b)
            found = [
                r for r in records(contributions(_participations_of(shared), cfg), h) if (r.a, r.b) == (a, b)
            ]
            if found:
                new.extend(found)
            else:
                self.ops.delete([(a, b)])
        self.ops.upsert(new, h, fresh=self.fresh)


def rebuild(store: Store, cfg: StrengthConfig, *, in_transaction: bool = False) -> int:
    """Every pair recomputed from the interactions with ``cfg``'s weights (the reference scorer's own
    functions); returns the number of pairs. Runs in the store's write transaction."""
    if not in_transaction:
        with store.transaction():
            return rebuild(store, cfg, in_transaction=True)
    o = ops(store)
    o.clear()
    count = 0

    def counted(rows: Iterator[PairRecord]) -> Iterator[PairRecord]:
        nonlocal count
        for count, row in enumerate(rows, 1):  # noqa: B007
            yield row

    o.upsert(
        counted(records(contributions(store.participations(), cfg), cfg.half_life_days)),
        cfg.half_life_days,
        fresh=True,
    )
    o.set_config(cfg)
    return count


def ops(store: Store) -> Any:
    """The backend's reads and writes of pairs (:mod:`ofai_graph.store.strength_sqlite` or ``_neo4j``)."""
    found = getattr(store, "_strength_ops", None)
    if found is None:
        if store.backend == "sqlite":
            from .store.strength_sqlite import SQLitePairs

            found = SQLitePairs(store)  # type: ignore[arg-type]
        else:
            from .store.strength_neo4j import Neo4jPairs

            found = Neo4jPairs(store)  # type: ignore[arg-type]
        store._strength_ops = found  # type: ignore[attr-defined]
    return found
