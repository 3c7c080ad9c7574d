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

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import math
import operator
import struct
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
# at 1,089 MB with 1,000,000 here and at 867 MB with 300,000, for the same CPU (benchmarks/bench_stream.py);
# again, with the pair rows written a slice at a time: 1,557 MB against 998 MB, 123.5 against 124 s of CPU.
# Since the sums are numpy columns (37 bytes a row) the scratch table costs more than it saves below a few
# million rows: 300,000 interactions took 30.6 s of CPU and 1,053 MB spilling at 300,000 rows, 26.4 s and
# 934 MB kept in memory (their 1,000,000 sums); a million interactions make 2,560,129.
SPILL_ROWS = 4_000_000
SPILL_FETCH = 300_000  # rows read back from the scratch table at a time
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


def stored_config(text: str) -> StrengthConfig | None:
    """The weights the stored pairs were built with; None when they cannot be read as today's weights
    (a weight below 0 was accepted once): such pairs count as none, and the next rebuild replaces them."""
    from pydantic import ValidationError

    from .strength import StrengthConfig

    try:
        return StrengthConfig(**json.loads(text))
    except (ValidationError, ValueError, TypeError):
        return None


def default_config() -> StrengthConfig:
    from .strength import StrengthConfig

    return StrengthConfig()


# -- quarters ---------------------------------------------------------------------------------------------


def quarter(ordinal: int) -> int:
    d = dt.date.fromordinal(ordinal)
    return d.year * 4 + (d.month - 1) // 3


@functools.lru_cache(maxsize=4_096)
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
    from .strength import _encode

    return contributions_of(_encode(participations), cfg)


def contributions_of(c: Any, cfg: StrengthConfig, names: list[str] | None = None) -> Contributions:
    """:func:`contributions` of participations already coded (``strength._Columns``); ``names``: the
    ids in code order when the codes are already their sorted ranks (a store's coded read)."""
    import numpy as np

    from .strength import _participant_rows, interaction_share, interaction_weight, pair_points

    empty = np.zeros(0, dtype=np.int64)
    if names is None:
        names = sorted(c.entities)
        if not names:
            return Contributions([], empty, empty, np.zeros(0), empty, empty, empty, empty)
        rank = np.empty(len(names), dtype=np.int64)
        rank[[c.entities[n] for n in names]] = np.arange(len(names))
    else:
        rank = np.arange(len(names), dtype=np.int64)
    if not len(c.inter):
        return Contributions([], empty, empty, np.zeros(0), empty, empty, empty, empty)
    rows = _rows_in_order(c, cfg, rank)
    if rows is None:
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


def _rows_in_order(c: Any, cfg: StrengthConfig, rank: Any) -> Any:
    """``strength._participant_rows`` for participations that come sorted by interaction and entity
    rank, each entity once per interaction (a store's read in key order: the usual case), without
    its sort; None otherwise."""
    import numpy as np

    from .strength import INITIATING_ROLES, _Rows, role_weight

    pi = np.asarray(c.inter, dtype=np.int64)
    pe = np.asarray(c.ent, dtype=np.int64)
    pe = rank[pe]
    if len(pi) > 1:
        same = pi[1:] == pi[:-1]
        if not (np.all(pi[1:] >= pi[:-1]) and np.all(pe[1:][same] > pe[:-1][same])):
            return None
    roles = list(c.roles)
    role_w = np.array([role_weight(cfg, r) for r in roles])
    role_init = np.array([r in INITIATING_ROLES for r in roles], dtype=np.int64)
    pr = np.asarray(c.role, dtype=np.int64)
    return _Rows(pi, pe, role_w[pr], role_init[pr])


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

    if not len(mid):
        return mid, mid
    lo, hi = int(mid.min()), int(mid.max())
    if hi - lo < max(len(mid), 4_096):  # a table of the days spanned, looked up: no sort
        qs = np.array([quarter(d) for d in range(lo, hi + 1)], dtype=np.int64)
        starts = np.array([quarter_start(int(q)) for q in qs.tolist()], dtype=np.int64)
        inv = mid - lo
    else:
        days, inv = np.unique(mid, return_inverse=True)
        qs = np.array([quarter(int(m)) for m in days.tolist()], dtype=np.int64)
        starts = np.array([quarter_start(int(q)) for q in qs.tolist()], dtype=np.int64)
    return qs[inv], starts[inv]


def _quarter_starts(q: Any) -> Any:
    import numpy as np

    qs, inv = np.unique(q, return_inverse=True)
    return np.array([quarter_start(int(x)) for x in qs.tolist()], dtype=np.int64)[inv]


def _reduce(r: QuarterRows, h: float) -> QuarterRows:
    """Rows with the same pair and quarter summed into one, sorted by (pair, quarter). A column at a
    time (gathered, summed, let go): its temporaries are one column, not a copy of all of them."""
    import numpy as np

    if not len(r.pk):
        return r
    # One int64 key when (pair, quarter) fits in one (numpy sorts it twice as fast as two keys);
    # a stable sort either way, so that sums add up in the order the rows came.
    span = int(r.pk.max() >> 31) + 1
    span = max(span, int((r.pk & ((1 << 31) - 1)).max()) + 1)
    q0 = int(r.q.min())
    qs = int(r.q.max()) - q0 + 1
    if span * span * qs < 1 << 62:
        key = r.pk >> 31
        key *= span
        key += r.pk & ((1 << 31) - 1)
        key *= qs
        key += r.q - q0
        order = np.argsort(key, kind="stable")
        del key
    else:
        order = np.lexsort((r.q, r.pk))
    pk, q = r.pk[order], r.q[order]
    change = np.empty(len(pk), dtype=bool)
    change[0] = True
    change[1:] = (pk[1:] != pk[:-1]) | (q[1:] != q[:-1])
    at = np.flatnonzero(change)
    del change
    if len(at) == len(pk):
        return QuarterRows(pk, q, *(x[order] for x in r[2:]))
    pk, q = pk[at], q[at]
    hi = r.hi[order]
    top = np.maximum.reduceat(hi, at)
    hi -= np.repeat(top, np.diff(np.append(at, len(order))))
    rescale = np.exp2(hi / h)
    del hi
    s = r.s[order]
    s *= rescale
    del rescale
    s = np.add.reduceat(s, at)

    def summed(ufunc: Any, x: Any) -> Any:
        return ufunc.reduceat(x[order], at)

    return QuarterRows(
        pk,
        q,
        s,
        summed(np.add, r.n),
        summed(np.maximum, r.last),
        summed(np.bitwise_or, r.bits),
        summed(np.minimum, r.lo),
        top,
    )


class Accumulator:
    """Contributions of many batches (an import's chunks), summed per pair and quarter as they come:
    memory grows with the pairs, not with the interactions; :meth:`records` gives the pair rows.

    ``names``: the entity ids every batch's contributions are coded against, when they all share
    one list (a rebuild); otherwise each batch's names are given codes as they come."""

    def __init__(
        self, half_life: float, scratch: Any = None, names: list[str] | None = None, *, hold: int = 0
    ):
        self.h = half_life
        # Rows kept as they come, before they are summed: a rebuild sums a million interactions'
        # 3.3 million rows once (1.1 s) instead of again and again as they grow (1.7-2.5 s).
        self.hold = hold
        self.shared = names
        self.codes: dict[str, int] = {}
        self.names: list[str] = names if names is not None else []
        self.done: QuarterRows | None = None
        self.pending: list[QuarterRows] = []
        self.pending_rows = 0
        # The store's scratch table (``stage(rows)``, ``staged()``), or None: all in memory.
        self.scratch = scratch
        self.spilled = False

    def __bool__(self) -> bool:
        return self.done is not None or bool(self.pending) or self.spilled

    def add(self, c: Contributions) -> None:
        rows = self.rows_of(c)
        if rows is not None:
            self.add_rows(rows)

    def rows_of(self, c: Contributions) -> QuarterRows | None:
        """``c`` as the rows :meth:`add_rows` takes (None when it has none)."""
        import numpy as np

        if not len(c.ia):
            return None
        if c.names is self.shared:
            ia, ib = c.ia, c.ib
        else:
            codes = self.codes
            for name in c.names:
                if name not in codes:
                    codes[name] = len(self.names)
                    self.names.append(name)
            code = np.array([codes[name] for name in c.names], dtype=np.int64)
            ia, ib = code[c.ia], code[c.ib]
        q, _ = _quarters(c.mid)
        # Narrow types where the values fit (day ordinals and quarters in 32 bits, bits in 8): 37
        # bytes a row instead of 64, for the millions of rows a large import keeps.
        mid = c.mid.astype(np.int32)
        rows = QuarterRows(
            (ia << 31) | ib,
            q.astype(np.int32),
            c.points,
            np.ones(len(c.ia), dtype=np.int32),
            c.last,
            c.bits.astype(np.int8),
            mid,
            mid,
        )
        return rows

    def add_rows(self, rows: QuarterRows) -> None:
        """Rows of :meth:`rows_of` (made here or in another process) added to the sums."""
        self.pending.append(rows)
        self.pending_rows += len(rows.pk)
        # Summed when the batches waiting outgrow what is summed already: every row is re-sorted
        # O(log) times, not once per batch.
        if self.pending_rows > max(
            min(20_000, SPILL_ROWS), len(self.done.pk) if self.done is not None else 0, self.hold
        ):
            self._compact()

    def _compact(self) -> QuarterRows:
        import numpy as np

        from .bulk import give_back_memory

        give_back_memory()  # what the batches' work freed, before the sort's temporaries
        parts = ([self.done] if self.done is not None else []) + self.pending
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return QuarterRows(empty, empty, np.zeros(0), empty, empty, empty, empty, empty)
        self.done, self.pending, self.pending_rows = None, [], 0
        if len(parts) == 1:
            whole = parts[0]
        else:  # a column at a time, each part's column let go once copied
            columns = [list(col) for col in zip(*parts, strict=True)]
            del parts
            joined = []
            for k in range(len(columns)):
                joined.append(np.concatenate(columns[k]))
                columns[k] = []
            whole = QuarterRows(*joined)
            del joined
        self.done = _reduce(whole, self.h)
        del whole
        if self.scratch is not None and len(self.done.pk) > SPILL_ROWS:
            self._spill()
        return self.done

    def _spill(self) -> None:
        """The sums so far into the scratch table (summed again there when read), as numbers: the
        pair's code, the quarter, and the sums with s counted from the quarter's start."""
        import numpy as np

        r = self.done
        if r is None or not len(r.pk):
            return

        s = r.s * np.exp2((r.hi - _quarter_starts(r.q)) / self.h)  # from the quarter's start: the same for every part
        # A slice at a time: a million rows as Python lists took 400 MB at once (an import's peak).
        for i in range(0, len(r.pk), SPILL_SLICE):
            cut = slice(i, i + SPILL_SLICE)
            self.scratch.stage(zip(*(x[cut].tolist() for x in (r.pk, r.q, s, r.n, r.last, r.bits, r.lo, r.hi)), strict=True))
        self.done, self.spilled = None, True

    def records(self) -> Iterator[PairRecord]:
        """The pair rows (one at a time: a million are written as they come); in the order of their
        ends' ids unless they went through the scratch table. Read once (so are :meth:`columns`)."""
        return self._pairs(_pair_records)

    def columns(self) -> Iterator[PairColumns]:
        """:meth:`records` as slices of columns (a bulk write: no Python object per pair but its row)."""
        return self._pairs(_pair_slices)

    def _pairs(self, convert: Any) -> Iterator[Any]:
        """The sums as ``convert`` writes them: from memory in order, or chunk by chunk from the scratch table."""
        r = self._compact()
        if self.spilled:
            self._spill()
            for chunk in _pair_chunks(self.scratch.staged(), self.h):
                yield from convert(chunk, self.names, self.h, sort=False)
            return
        # Read once: the sums are let go with this walk, before the caller's next step (an import
        # builds the pairs' indexes then, its peak: a million interactions' sums are 95 MB).
        self.done = None
        yield from convert(r, self.names, self.h, sort=True)


def _pair_chunks(rows: Any, h: float) -> Iterator[QuarterRows]:
    """Rows (pk, q, s from the quarter's start, n, last, bits, lo, hi) summed per (pk, q) and sorted
    so, as :class:`QuarterRows` (s from hi again), in chunks that never split a pair."""
    import numpy as np

    held: QuarterRows | None = None
    while True:
        batch = rows.fetchmany(max(100, min(SPILL_ROWS, SPILL_FETCH)))
        if not batch:
            if held is not None and len(held.pk):
                yield held
            return
        cols = list(zip(*batch, strict=True))
        pk, q = np.array(cols[0], dtype=np.int64), np.array(cols[1], dtype=np.int64)
        hi = np.array(cols[7], dtype=np.int64)
        part = QuarterRows(
            pk,
            q,
            np.array(cols[2], dtype=float) * np.exp2((_quarter_starts(q) - hi) / h),
            np.array(cols[3], dtype=np.int64),
            np.array(cols[4], dtype=np.int64),
            np.array(cols[5], dtype=np.int64),
            np.array(cols[6], dtype=np.int64),
            hi,
        )
        if held is not None:
            part = QuarterRows(*(np.concatenate(x) for x in zip(held, part, strict=True)))
        # Hold back the last pair: its rows may go on in the next batch.
        cut = int(np.searchsorted(part.pk, part.pk[-1]))
        held = QuarterRows(*(x[cut:] for x in part))
        if cut:
            yield QuarterRows(*(x[:cut] for x in part))


class PairColumns:
    """A slice of pair rows as columns, ready for a bulk write or a comparison with stored rows: the
    ends' ids, numpy arrays of the totals and of the buckets (those of the pairs over several
    quarters, flat, in order: ``quarters`` gives each pair's count). Their text (the buckets' JSON)
    and the order key are made only when asked: a rebuild that finds a slice already stored
    compares numbers and never writes them."""

    def __init__(
        self,
        a: list[str],
        b: list[str],
        ref: Any,
        s: Any,
        n: Any,
        last: Any,
        bits: Any,
        first: Any,
        quarters: Any,
        bucket_columns: tuple[Any, Any, Any, Any, Any],
        half_life: float,
    ):
        self.a, self.b, self.ref, self.s, self.n, self.last, self.bits, self.first = a, b, ref, s, n, last, bits, first
        self.quarters = quarters  # quarters per pair; buckets are stored for the pairs with 2 or more
        self.bucket_columns = bucket_columns  # q, s_q (from the quarter's start), n_q, last_q, bits_q
        self.h = half_life
        # Set by a rebuild's helper process that compared the slice already (see ``_Helper``):
        # the positions that differ from the stored rows (None: compare here); whether the slice
        # is the first of the helper's range (stored rows before it, after the last slice, go).
        self.known_diff: Any = _UNKNOWN
        self.starts_range = False

    def __len__(self) -> int:
        return len(self.a)

    @functools.cached_property
    def buckets(self) -> list[bytes | None]:
        """Each pair's buckets as stored: packed (:func:`pack_buckets`), None for a pair in one quarter."""
        import numpy as np

        out: list[bytes | None] = [None] * len(self.a)
        multi = np.flatnonzero(self.quarters > 1).tolist()
        if multi:
            packed = np.empty(len(self.bucket_columns[0]), dtype=bucket_dtype())
            for name, column in zip(bucket_dtype().names, self.bucket_columns, strict=True):
                packed[name] = column
            raw = packed.tobytes()
            ends = (np.cumsum(self.quarters[multi]) * BUCKET_SIZE).tolist()
            for i, j, k in zip(multi, [0, *ends[:-1]], ends, strict=True):
                out[i] = raw[j:k]
        return out

    def bucket_lists(self) -> list[list[list[Any]]]:
        import numpy as np

        out: list[list[list[Any]]] = [[] for _ in self.a]
        multi = np.flatnonzero(self.quarters > 1).tolist()
        if multi:
            each = [list(t) for t in zip(*(x.tolist() for x in self.bucket_columns), strict=True)]
            j = 0
            for i, c in zip(multi, self.quarters[multi].tolist(), strict=True):
                out[i] = each[j : j + c]
                j += c
        return out

    @functools.cached_property
    def key(self) -> Any:
        """:func:`order_key` of each pair, as an array: numpy's log2 where it gives ``math.log2``'s
        results (checked on a sample of each slice: numpy calls the C library's log2 unless it has
        vector code of its own for the machine, which may differ in the last bit), else
        :func:`order_key`'s own arithmetic for every pair (1.75 million calls: 0.7 s), so that a pair
        written one way or another has the same key."""
        import numpy as np

        s, ref, h = self.s, self.ref, self.h
        with np.errstate(divide="ignore", invalid="ignore"):
            key = np.where(s > 0, np.log2(np.where(s > 0, s, 1.0)) + ref / h, -1e300)
        sample = np.linspace(0, len(s) - 1, min(len(s), 64)).astype(np.int64)
        if all(order_key(x, y, h) == k for x, y, k in zip(s[sample].tolist(), ref[sample].tolist(), key[sample].tolist(), strict=True)):
            return key
        return np.array([order_key(x, y, h) for x, y in zip(s.tolist(), ref.tolist(), strict=True)], dtype=float)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """The rows in :class:`PairRecord`'s field order, buckets packed, then the key."""
        return zip(*self.column_lists(), strict=True)

    def column_lists(self) -> list[list[Any]]:
        """:meth:`rows` as its ten columns (a bulk insert lays them out flat without a tuple per row)."""
        return [
            self.a,
            self.b,
            *(x.tolist() for x in (self.ref, self.s, self.n, self.last, self.bits, self.first)),
            self.buckets,
            self.key.tolist(),
        ]


_UNKNOWN = object()
PAIR_SLICE = 50_000  # pairs turned into Python objects at a time: a million at once took 500 MB


def _pair_slices(r: QuarterRows, names: list[str], h: float, *, sort: bool) -> Iterator[PairColumns]:
    """Pair rows from rows summed per pair and quarter, sorted by (pk, q), s relative to hi; with
    ``sort``, in the order of their ends' ids. A slice of :data:`PAIR_SLICE` pairs at a time."""
    import numpy as np

    if not len(r.pk):
        return
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
    order: Any = None
    # Codes that are the ranks of sorted ids (a rebuild's) need no sort: the rows come by code already.
    if sort and not all(map(operator.lt, names, itertools.islice(names, 1, None))):
        rank = np.empty(len(names), dtype=np.int64)
        rank[np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)] = np.arange(len(names))
        order = np.lexsort((rank[ib], rank[ia]))
        if not len(order) or np.all(order[1:] > order[:-1]):
            order = None
    for k in range(0, len(pk), PAIR_SLICE):
        sel = slice(k, k + PAIR_SLICE) if order is None else order[k : k + PAIR_SLICE]
        cnt = count[sel]
        # Buckets only for the pairs over several quarters, s from the quarter's start.
        multi = np.flatnonzero(cnt > 1)
        cm = cnt[multi]
        begin = at[sel][multi]
        rows = np.repeat(begin, cm) + (np.arange(int(cm.sum())) - np.repeat(np.cumsum(cm) - cm, cm))
        bq = r.q[rows]
        bs = r.s[rows] * np.exp2((r.hi[rows] - _quarter_starts(bq)) / h)
        yield PairColumns(
            list(map(names.__getitem__, ia[sel].tolist())),
            list(map(names.__getitem__, ib[sel].tolist())),
            ref[sel],
            s[sel],
            n[sel],
            last[sel],
            bits[sel],
            first[sel],
            cnt,
            (bq, bs, r.n[rows], r.last[rows], r.bits[rows]),
            h,
        )


def _pair_records(r: QuarterRows, names: list[str], h: float, *, sort: bool) -> Iterator[PairRecord]:
    """:func:`_pair_slices` as records."""
    for p in _pair_slices(r, names, h, sort=sort):
        yield from map(
            PairRecord,
            p.a,
            p.b,
            p.ref.tolist(),
            p.s.tolist(),
            p.n.tolist(),
            p.last.tolist(),
            p.bits.tolist(),
            p.first.tolist(),
            p.bucket_lists(),
        )


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


# The buckets as SQLite keeps them: one 29-byte record per quarter, little-endian, [q, s_q, n_q, last_q,
# bits_q] as int32, float64, int64, int64, uint8 (JSON text before schema v4: three times the bytes
# and a parse of every number; 2 s of a million-pair rebuild's write went into making that text).
BUCKET = struct.Struct("<idqqB")
BUCKET_SIZE = BUCKET.size


@functools.cache
def bucket_dtype() -> Any:
    """numpy's dtype of :data:`BUCKET` (made on first use: not every command imports numpy)."""
    import numpy as np

    return np.dtype([("q", "<i4"), ("s", "<f8"), ("n", "<i8"), ("last", "<i8"), ("bits", "u1")])


def pack_buckets(buckets: list[list[Any]]) -> bytes | None:
    """A pair's buckets as stored by SQLite (None when it has none).

    >>> b = pack_buckets([[8100, 0.5, 2, 48430285324, 3], [8101, 1.25, 1, 48436289535, 1]])
    >>> len(b), bucket_list(b)
    (58, [[8100, 0.5, 2, 48430285324, 3], [8101, 1.25, 1, 48436289535, 1]])
    """
    if not buckets:
        return None
    return struct.pack("<" + "idqqB" * len(buckets), *(x for bucket in buckets for x in bucket))


def bucket_list(value: Any) -> list[list[Any]]:
    """A stored ``buckets`` value (packed bytes in SQLite, JSON text in a file not yet migrated, a
    list already, or nothing) as a list."""
    if not value:
        return []
    if isinstance(value, bytes):
        return [list(t) for t in BUCKET.iter_unpack(value)]
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
        # The pair spans quarters (else its one quarter, that of ref > t, would not be before t's):
        # its buckets are stored.
        points, count, latest, who = 0.0, 0, 0, 0
        for q, s_q, n_q, l_q, b_q in bucket_list(buckets):
            if q < qt:
                points += s_q * 2.0 ** (-(t - quarter_start(q)) / half_life)
                count += n_q
                if l_q > latest:
                    latest = l_q
                who |= b_q
        acc = [points, count, latest, who]
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
        t = as_of.toordinal()
        recent = Recent(store, cfg, as_of).of((r[0], r[1]) for r in rows if r[2] > t)
    a, b, p, n, lc, bits = evaluate(rows, recent, as_of, cfg.half_life_days)
    names = sorted({*a, *b})
    code = {x: i for i, x in enumerate(names)}
    ia = np.array([code[x] for x in a], dtype=np.int64)
    ib = np.array([code[x] for x in b], dtype=np.int64)
    order = np.argsort(ia * max(1, len(names)) + ib, kind="stable")
    # Plain lists, as the scorer's own _Pairs (numpy scalars would reach JSON and the maps)
    return _Pairs(*[names], *(x[order].tolist() for x in (ia, ib, p, n, lc, bits)))


def newest_end(store: Store, day: dt.date, since: dt.date | None = None) -> dt.date | bool | None:
    """The end of the newest interaction between two entities or more started by ``day``; False when
    the store cannot tell without reading the graph. With ``since``, an end on or after ``since`` may
    stand for the newest (for a caller that only asks whether the newest is that recent)."""
    o = ops(store)
    return o.newest_end(day, since) if hasattr(o, "newest_end") else False  # type: ignore[no-any-return]


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


class Recent:
    """What the buckets leave out as of ``as_of``: per pair, the contributions whose midpoint is in
    ``as_of``'s quarter or later and that started by then, as ``[points, count, last, bits]``.

    Read for the pairs asked (:meth:`of`) from the store's table of recent contributions when it keeps
    one that reaches back to ``as_of``'s quarter (SQLite: ``strength_recent``); else every pair's at once
    from the interactions of the quarter (a past ``--as-of``, or Neo4j)."""

    def __init__(self, store: Store, cfg: StrengthConfig, as_of: dt.date):
        self.store, self.cfg, self.as_of = store, cfg, as_of
        self.t = as_of.toordinal()
        self.q = quarter(self.t)
        o = ops(store)
        cut = o.recent_cut() if hasattr(o, "recent_cut") else None
        self.table = o if cut is not None and cut <= quarter_start(self.q) else None
        self.found: dict[tuple[str, str], list[Any]] = {}
        self.asked: set[tuple[str, str]] = set()

    def of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Any]]:
        """The recent evidence of these pairs (and maybe of others): a mapping pair -> [points, count,
        last, bits], without the pairs that have none."""
        if self.table is None:
            if not self.asked:
                self.found = recent_by_pair(_recent(self.store, self.cfg, self.as_of), self.as_of, self.cfg.half_life_days)
                self.asked.add(("", ""))
            return self.found
        missing = [k for k in keys if k not in self.asked]
        if missing:
            self.asked.update(missing)
            h, t, found = self.cfg.half_life_days, self.t, self.found
            for a, b, q, decayed, whole, n, last, bits in self.table.recent_rows(missing, self.q, t):
                points = (decayed or 0.0) * _exp2((quarter_start(q) - t) / h) + (whole or 0.0)
                acc = found.get((a, b))
                if acc is None:
                    found[(a, b)] = [points, n, last, bits]
                else:
                    acc[0] += points
                    acc[1] += n
                    acc[2] = max(acc[2], last)
                    acc[3] |= bits
        return self.found


class _Reader:
    """What a lazy graph reads with: the store, the weights, the date and the recent interactions."""

    def __init__(self, store: Store, cfg: StrengthConfig, as_of: dt.date):
        self.store, self.cfg, self.as_of = store, cfg, as_of
        self.ops = ops(store)
        # (rows as stored: SQLite's buckets stay JSON text until a pair in progress needs them)
        self.rows_by_key = getattr(self.ops, "rows_by_key", self.ops.pairs_by_key)
        self.t = as_of.toordinal()
        self.recent = Recent(store, cfg, as_of)
        self.tie_cache: dict[str, dict[tuple[str, str], tuple[float, list[str]]]] = {}
        self.row_cache: dict[tuple[str, str], Any] = {}  # (a tied pair's stored row, None: it has none)

    def tied_rows(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        """The stored rows of these pairs, by pair (those that have one): read once per search."""
        missing = [k for k in dict.fromkeys(keys) if k not in self.row_cache]
        if missing:
            found = {(r[0], r[1]): r for r in self.rows_by_key(missing)}
            for k in missing:
                self.row_cache[k] = found.get(k)
        return {k: r for k in keys if (r := self.row_cache[k]) is not None}

    def ties(self, v: str) -> dict[tuple[str, str], tuple[float, list[str]]]:
        found = self.tie_cache.get(v)
        if found is None:
            self.prefetch_ties([v])
            found = self.tie_cache[v]
        return found

    def prefetch_ties(self, ids: Collection[str], *, rows: bool = False) -> None:
        """The ties (and affiliations) of several entities in one read each; with ``rows``, the stored
        rows of their tied pairs too (what :class:`Neighbours` reads first for each of them)."""
        from .strength import _bond_evidence, _bonds_in_scope

        ids = [v for v in ids if v not in self.tie_cache]
        if not ids:
            return
        found = _bond_evidence(_bonds_in_scope(self.store, (), set(ids)), self.cfg, self.as_of)
        for v in ids:
            self.tie_cache[v] = {}
        for k, p in found.points.items():
            for v in k:
                if v in self.tie_cache:
                    self.tie_cache[v][k] = (p, found.kinds[k])
        if rows:
            self.tied_rows([k for v in ids for k in self.tie_cache[v]])

    def evidence(self, row: tuple[Any, ...]) -> list[Any]:
        recent = self.recent.of([(row[0], row[1])]) if row[2] > self.t else {}
        return row_evidence(row, recent, self.t, self.cfg.half_life_days)

    def edge(self, row: tuple[Any, ...] | None, tie: tuple[float, list[str]] | None) -> dict[str, Any] | None:
        """The relationship graph's edge attributes for a stored row and the pair's ties (None: no evidence)."""
        cfg = self.cfg
        points, n, last, bits = self.evidence(row) if row else [0.0, 0, 0, 0]
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
    adds points the key does not bound); ``keep(w)`` filters partners; with ``among``, only those.

    Each page read brings, in one read each, what its partners need: their summaries (names, kinds),
    the recent evidence of its pairs still in progress, and the partners' own ties (they are the
    entities a path search expands next)."""

    def __init__(
        self,
        reader: _Reader,
        g: nx.Graph,
        v: str,
        keep: Callable[[str], bool],
        among: Collection[str] | None = None,
    ):
        import heapq

        self.reader, self.g, self.v = reader, g, v
        self.keep = keep if among is None else (lambda w: w in among and keep(w))
        self.items: list[tuple[float, str]] = []
        self.heap: list[tuple[float, str, dict[str, Any]]] = []
        self.limit = reader.t / reader.cfg.half_life_days - 1e-9
        self.keyed, self.kx = False, 9  # (rows of (a, b, key) only; where the key is in a row)
        self.fetched: dict[tuple[str, str], Any] = {}
        self.batch = 2
        ties = reader.ties(v)
        self.tied = set(ties)
        rows = reader.tied_rows(list(ties)) if ties else {}
        self._prepare(list(rows.values()), [w for k in ties for w in k if w != v])
        for key, tie in ties.items():
            self._push(rows.get(key), key, tie)
        self.pages: list[Any] = []
        self.buffers: list[list[tuple[Any, ...]]] = []
        rows_among = reader.ops.pairs_among(v, among) if among is not None else None
        if rows_among is not None:
            found = [r for r in rows_among if (r[0], r[1]) not in self.tied]
            self._prepare(found)
            for row in found:
                self._push(row, (row[0], row[1]), None)
        elif hasattr(reader.ops, "neighbour_keys"):
            # The order from the key indexes alone; a row itself read only when its turn comes (most
            # of a page never does: a search wants an entity's first partner or two).
            self.pages = [reader.ops.neighbour_keys(v)]
            self.buffers = [[]]
            self.keyed, self.kx = True, 2
        else:  # (for a hub asked for some partners only: its rows strongest first, filtered)
            self.pages = [reader.ops.neighbour_pages(v)]
            self.buffers = [[]]
        self.heads: list[Any] = [self._next(k) for k in range(len(self.pages))]
        heapq.heapify(self.heap)

    def _prepare(self, rows: list[tuple[Any, ...]], partners: list[str] | None = None) -> None:
        v, reader = self.v, self.reader
        if self.g.graph.get("summaries"):  # the search filters partners by kind: read theirs
            if partners is None:
                partners = [r[1] if r[0] == v else r[0] for r in rows]
            _add_nodes(self.g, reader.store, partners)
        pending = [(r[0], r[1]) for r in rows if r[2] > reader.t]
        if pending:
            reader.recent.of(pending)

    def _next(self, k: int) -> tuple[Any, ...] | None:
        buffer = self.buffers[k]
        if not buffer:
            page = next(self.pages[k], None)
            if not page:
                return None
            if self.keyed:
                if self.g.graph.get("summaries"):
                    _add_nodes(self.g, self.reader.store, [r[1] if r[0] == self.v else r[0] for r in page])
            else:
                self._prepare(page)
            buffer.extend(reversed(page))
        return buffer.pop()

    def _full(self, k: int, head: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The stored row of a (a, b, key) row, read with the next few wanted (and their recent evidence)."""
        row = self.fetched.pop((head[0], head[1]), None)
        if row is None:
            v, keep = self.v, self.keep
            nxt = [self.heads[k]] if self.heads[k] is not None else []
            later = (*nxt, *reversed(self.buffers[k][-4 * self.batch :]))
            ahead = [r for r in later if keep(r[1] if r[0] == v else r[0]) and (r[0], r[1]) not in self.tied]
            want = [(head[0], head[1]), *((r[0], r[1]) for r in ahead[: self.batch - 1])]
            rows = self.reader.rows_by_key(want)
            t = self.reader.t
            pending = [(r[0], r[1]) for r in rows if r[2] > t]
            if pending:  # (with the next few, whose rows come later: one read of recent evidence)
                self.reader.recent.of(pending)
            self.batch = min(self.batch * 2, 256)
            self.fetched.update(((r[0], r[1]), r) for r in rows)
            row = self.fetched.pop((head[0], head[1]), None)
        return row

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
            kx = self.kx
            best = max(live, key=lambda k: self.heads[k][kx]) if live else None
            if best is not None:
                bound = self.heads[best][kx] - self.limit  # log2 of the most points any unread pair has
                # cost = -log(1 - exp(-points/scale)) falls as points rise
                # (<=: an unread pair as strong as the best one read may come first by id)
                if not self.heap or math.log2(max(self.heap[0][2]["points"], 1e-300)) <= bound:
                    row = self.heads[best]
                    self.heads[best] = self._next(best)
                    key = (row[0], row[1])
                    if key not in self.tied and self.keep(row[1] if row[0] == self.v else row[0]):
                        if self.keyed:
                            row = self._full(best, row)
                        if row is not None:
                            self._push(row, key, None)
                    continue
            if not self.heap:
                return None
            cost, w, edge = heapq.heappop(self.heap)
            self.g.add_edge(self.v, w, **edge)
            self.items.append((cost, w))
        return self.items[i]

    def peek(self, i: int, n: int) -> list[str]:
        """The partners from the i-th on, up to ``n``, as far as the pages read so far tell (maybe
        fewer, and those after the ones given in order of cost only roughly)."""
        import heapq

        out = [w for _, w in self.items[i : i + n]]
        if len(out) < n:
            out += [w for _, w, _ in heapq.nsmallest(n - len(out), self.heap)]
        if len(out) < n and self.pages:  # then the rows not scored yet, by key
            v = self.v
            rows = [h for h in self.heads if h is not None] + list(reversed(self.buffers[0][-n:]))
            out += [r[1] if r[0] == v else r[0] for r in rows[: n - len(out)]]
        return out

    def __getitem__(self, i: int) -> tuple[float, str]:
        found = self.at(i)
        if found is None:
            raise IndexError(i)
        return found


class Into:
    """The cheapest hops into a set of targets ``goal``, read once for a path search
    (:func:`ofai_graph.paths.k_best_paths` bounds the rest of a path with them):

    * ``hops``: the ``size`` cheapest, by entity outside ``goal`` and ``exclude``, as ``(cost, entity)``
      cheapest first; ``floor``: a cost no other entity's hop into ``goal`` is below (infinite when
      ``hops`` holds them all);
    * ``edges``: per entity, its hops into ``goal`` read (the excluded entities' too), every one
      cheaper than ``sure`` among them: an entity's targets, strongest first, start with those.

    Read as :class:`Neighbours` reads one entity's partners, for all of ``goal`` at once: the rows
    with an end in ``goal`` strongest first by ``key`` (one read per page, ordered on the indexes),
    until no unread row can beat the ``size``-th entity; pairs with a tie scored up front. The
    bounds are lowered by a hair (1e-9): a tie's points summed in another order could differ in
    the last bit."""

    def __init__(self, reader: _Reader, goal: set[str], exclude: Collection[str], size: int = 32):
        self.goal = goal
        self.hops: list[tuple[float, str]] = []
        self.floor = 0.0  # (no bound)
        self.edges: dict[str, list[tuple[float, str, dict[str, Any]]]] = {}
        self.sure = -math.inf
        o = reader.ops
        if not hasattr(o, "pages_around"):
            return
        best: dict[str, tuple[float, float]] = {}  # entity -> (cost, points) of its best hop
        edges = self.edges

        def offer(u: str, t: str, edge: dict[str, Any] | None) -> None:
            if edge is None:
                return
            edges.setdefault(u, []).append((edge["cost"], t, edge))
            if u not in exclude and (u not in best or edge["cost"] < best[u][0]):
                best[u] = (edge["cost"], edge["points"])

        reader.prefetch_ties(goal)
        tied: dict[tuple[str, str], tuple[str, str, tuple[float, list[str]]]] = {}
        for t in goal:
            for key, tie in reader.tie_cache[t].items():
                u = key[1] if key[0] == t else key[0]
                if u not in goal:
                    tied[key] = (u, t, tie)
        rows = reader.tied_rows(list(tied)) if tied else {}
        pending = [k for k, r in rows.items() if r[2] > reader.t]
        if pending:
            reader.recent.of(pending)
        for key, (u, t, tie) in tied.items():
            offer(u, t, reader.edge(rows.get(key), tie))
        limit = reader.t / reader.cfg.half_life_days - 1e-9
        bound = math.inf  # log2 of the most points an unread row has
        for page in o.pages_around(sorted(goal)):
            pending = [(r[0], r[1]) for r in page if r[2] > reader.t]
            if pending:
                reader.recent.of(pending)
            for r in page:
                a, b = r[0], r[1]
                u, t = (b, a) if a in goal else (a, b)
                if u not in goal and (a, b) not in tied:
                    offer(u, t, reader.edge(r, None))
            if page:
                bound = page[-1][9] - limit
                if len(best) >= size:
                    points = sorted((p for _, p in best.values()), reverse=True)[size - 1]
                    if math.log2(max(points, 1e-300)) >= bound:
                        break
        else:
            bound = -math.inf
        ranked = sorted((c, u) for u, (c, _) in best.items())[:size]
        self.hops = [(max(0.0, c - 1e-9), u) for c, u in ranked]
        self.floor = self.hops[-1][0] if len(self.hops) == size else math.inf
        if bound == -math.inf:
            self.sure = math.inf
        elif bound < 1000:
            score = -math.expm1(-(2.0**bound) / reader.cfg.scale)
            self.sure = -math.log(score) - 1e-9 if score > 0 else math.inf


class _Targets:
    """An entity's partners among the targets of an :class:`Into`, strongest first: those it read,
    then, if ever asked for more, the others from a :class:`Neighbours`."""

    def __init__(
        self,
        reader: _Reader,
        g: nx.Graph,
        v: str,
        keep: Callable[[str], bool],
        into: Into,
    ):
        self.reader, self.g, self.v, self.keep, self.into = reader, g, v, keep, into
        known = into.edges.get(v, [])
        self.given = sorted(
            ((c, w, e) for c, w, e in known if c < into.sure and keep(w)), key=lambda x: (x[0], x[1])
        )
        self.items: list[tuple[float, str]] = []
        self.rest: Neighbours | None = None
        self.j = 0

    def at(self, i: int) -> tuple[float, str] | None:
        while len(self.items) <= i:
            n = len(self.items)
            if n < len(self.given):
                c, w, edge = self.given[n]
                self.g.add_edge(self.v, w, **edge)
                self.items.append((c, w))
                continue
            if self.rest is None:
                self.rest = Neighbours(self.reader, self.g, self.v, self.keep, self.into.goal)
                self.seen = {w for _, w, _ in self.given}
            item = self.rest.at(self.j)
            if item is None:
                return None
            self.j += 1
            if item[1] not in self.seen:
                self.items.append(item)
        return self.items[i]

    def peek(self, i: int, n: int) -> list[str]:
        return [w for _, w in self.items[i : i + n]]


def _add_nodes(g: nx.Graph, store: Store, ids: Iterable[str]) -> None:
    """The entities among ``ids`` as nodes of ``g`` with their summaries (one read for those without)."""
    nodes = g.nodes
    missing = {x for x in ids if x not in nodes or "name" not in nodes[x]}
    if missing:
        g.add_nodes_from(
            (s.id, {"name": s.name, "type": s.type, "kind": s.kind, "countries": s.countries})
            for s in store.entity_summaries(missing)
        )


class SearchGraph:
    """The part of ``networkx.Graph`` a lazy search fills and reads: nodes with attributes, edges with
    attributes, ``graph`` (what :func:`ofai_graph.paths.connect`, :func:`~ofai_graph.paths.k_best_paths`
    and :func:`ofai_graph.strength.pair` use), without importing networkx, a tenth of a second of a
    command's start (``connect`` and ``strength --top`` run no networkx algorithm on what they read).
    The same semantics as networkx's (an edge adds its ends; both ends share one attribute dict);
    :meth:`to_networkx` gives what was read as a ``networkx.Graph``.

    >>> g = SearchGraph()
    >>> g.add_nodes_from([("a", {"name": "A"}), "b"])
    >>> g.add_edge("a", "c", score=0.5)
    >>> sorted(g), g["c"]["a"]["score"], g.nodes["a"]["name"], g.get_edge_data("a", "b")
    (['a', 'b', 'c'], 0.5, 'A', None)
    >>> sorted(g.to_networkx().edges(data="score"))
    [('a', 'c', 0.5)]
    """

    def __init__(self) -> None:
        self.graph: dict[str, Any] = {}
        self._node: dict[str, dict[str, Any]] = {}
        self._adj: dict[str, dict[str, dict[str, Any]]] = {}

    @property
    def nodes(self) -> dict[str, dict[str, Any]]:
        return self._node

    @property
    def adj(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self._adj

    def __contains__(self, n: object) -> bool:
        return n in self._node

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def __getitem__(self, n: str) -> dict[str, dict[str, Any]]:
        return self._adj[n]

    def add_node(self, n: str, **attr: Any) -> None:
        if n not in self._node:
            self._adj[n] = {}
            self._node[n] = {}
        self._node[n].update(attr)

    def add_nodes_from(self, nodes: Iterable[Any], **attr: Any) -> None:
        for item in nodes:
            if isinstance(item, tuple):
                n, data = item
                self.add_node(n, **{**attr, **data})
            else:
                self.add_node(item, **attr)

    def add_edge(self, u: str, v: str, **attr: Any) -> None:
        for n in (u, v):
            if n not in self._node:
                self._adj[n] = {}
                self._node[n] = {}
        data = self._adj[u].get(v, {})
        data.update(attr)
        self._adj[u][v] = data
        self._adj[v][u] = data

    def has_edge(self, u: str, v: str) -> bool:
        return v in self._adj.get(u, {})

    def get_edge_data(self, u: str, v: str, default: Any = None) -> Any:
        return self._adj.get(u, {}).get(v, default)

    def to_networkx(self) -> nx.Graph:
        import networkx as nx

        g = nx.Graph()
        g.graph.update(self.graph)
        g.add_nodes_from(self._node.items())
        g.add_edges_from((u, v, d) for u, nbrs in self._adj.items() for v, d in nbrs.items())
        return g


def lazy_graph(
    store: Store,
    cfg: StrengthConfig,
    as_of: dt.date,
    ids: Iterable[str] = (),
    *,
    summaries: bool = False,
    light: bool = False,
) -> nx.Graph:
    """A relationship graph for a search that reads only what it expands: at first the entities ``ids``
    (with their summaries: name, type, kind, countries; beyond 64 of them, only the first's) and no
    edges; ``g.graph["neighbours"](v, among,
    keep)`` is a :class:`Neighbours` (``among``: the only partners wanted, as on a path's last hop):
    each partner it yields adds its edge to ``g``. Partners come without their summaries unless
    ``summaries`` (for a ``keep`` that looks at kinds); ``g.graph["complete"](ids)`` reads those of
    ``ids`` (the entities an answer names). With ``light``, a :class:`SearchGraph` instead of a
    ``networkx.Graph`` (for a caller that runs no networkx algorithm on it)."""
    if light:
        g: Any = SearchGraph()
    else:
        import networkx as nx

        g = nx.Graph()
    ids = list(ids)
    if len(ids) <= 64:
        _add_nodes(g, store, ids)
    else:  # (a country's thousands of entities: named when an answer names them, by "complete")
        _add_nodes(g, store, ids[:1])
        g.add_nodes_from(ids)
    reader = _Reader(store, cfg, as_of)

    into: list[Into] = []

    def neighbours(v: str, among: Collection[str] | None, keep: Callable[[str], bool]) -> Any:
        if among is not None and into and among is into[0].goal and v in into[0].edges:
            return _Targets(reader, g, v, keep, into[0])
        return Neighbours(reader, g, v, keep, among)

    def last_hops(goal: set[str], exclude: Collection[str]) -> tuple[list[tuple[float, str]], float]:
        into[:] = [Into(reader, goal, exclude)]
        return into[0].hops, into[0].floor

    g.graph.update(
        as_of=as_of,
        config=cfg,
        neighbours=neighbours,
        last_hops=last_hops,
        prefetch=lambda ids: reader.prefetch_ties(ids, rows=True),
        summaries=summaries,
        complete=lambda found: _add_nodes(g, store, found),
    )
    return g


# -- writing ---------------------------------------------------------------------------------------------------


def _participations_of(interactions: Iterable[Interaction]) -> Iterator[Participation]:
    for i in interactions:
        start, end, kind, status = i.date.start, i.date.end, i.kind.value, i.status.value
        for p in i.participants:
            yield (i.id, start, end, kind, status, p.entity, p.role.value)  # type: ignore[misc]


def _coded_interactions(interactions: list[Interaction]) -> Any:
    """Interactions (distinct ids) as ``strength._Columns``: what :func:`contributions` reads from
    participation rows, made straight from the models (no row tuple per participant, and the enum
    members' text looked up once per distinct member)."""
    from .strength import _Columns

    ent: dict[str, int] = {}
    role_of: dict[Any, int] = {}
    ks_of: dict[tuple[Any, Any], int] = {}
    day: dict[dt.date, int] = {}
    start: list[int] = []
    end: list[int] = []
    ks: list[int] = []
    inter: list[int] = []
    ents: list[int] = []
    roles: list[int] = []
    for k, i in enumerate(interactions):
        d = i.date
        s, e = d.start, d.end
        so = day.get(s)
        if so is None:
            so = day[s] = s.toordinal()
        eo = day.get(e)
        if eo is None:
            eo = day[e] = e.toordinal()
        start.append(so)
        end.append(eo)
        ks.append(ks_of.setdefault((i.kind, i.status), len(ks_of)))
        parts = i.participants
        inter.extend([k] * len(parts))
        for who, role in parts:
            ents.append(ent.setdefault(who, len(ent)))
            roles.append(role_of.setdefault(role, len(role_of)))
    return _Columns(
        ent,
        {r.value: c for r, c in role_of.items()},
        {(kind.value, status.value): c for (kind, status), c in ks_of.items()},
        [],
        start,
        end,
        ks,
        inter,
        ents,
        roles,
        True,
    )


def _coded_rows(rows: list[tuple[Any, ...]], participants: list[tuple[str, str, str]], at: int) -> tuple[Any, int]:
    """:func:`_coded_interactions` of distinct interactions given as the store's rows (id, start, end,
    kind, axis, status, ...) and their participants' rows (interaction id, entity, role) from ``at``
    on, in the interactions' order: the same columns, codes in the same order; and where the next
    interaction's participants begin."""
    from .strength import _Columns

    ent: dict[str, int] = {}
    role_of: dict[str, int] = {}
    ks_of: dict[tuple[str, str], int] = {}
    day: dict[str, int] = {}
    start: list[int] = []
    end: list[int] = []
    ks: list[int] = []
    inter: list[int] = []
    ents: list[int] = []
    roles: list[int] = []
    n = len(participants)
    for k, row in enumerate(rows):
        iid, s, e = row[0], row[1], row[2]
        so = day.get(s)
        if so is None:
            so = day[s] = dt.date.fromisoformat(s).toordinal()
        eo = day.get(e)
        if eo is None:
            eo = day[e] = dt.date.fromisoformat(e).toordinal()
        start.append(so)
        end.append(eo)
        ks.append(ks_of.setdefault((row[3], row[5]), len(ks_of)))
        while at < n and participants[at][0] == iid:
            _, who, role = participants[at]
            inter.append(k)
            ents.append(ent.setdefault(who, len(ent)))
            roles.append(role_of.setdefault(role, len(role_of)))
            at += 1
    return _Columns(ent, role_of, ks_of, [], start, end, ks, inter, ents, roles, True), at


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
        start = getattr(self.ops, "write_start", None)  # (a server: the three reads below in one)
        text, some, cut = start() if start is not None else (self.ops.stored_config(), None, None)
        empty = not (some if start is not None else self.ops.has_interactions())
        # None: a store filled before pairs were kept has none until a rebuild; an empty one starts them.
        self.config = (stored_config(text) if text else None) or (default_config() if empty else None)
        self.start = text is None and empty
        self.fresh = empty
        # What new interactions give, summed per pair and quarter as the batches come: neither the
        # models nor a row per interaction are kept (a million of them would double an import's memory).
        self.added = self._accumulator()
        self.written = 0  # interactions written into an empty store: more than it holds at the end
        self.repeated = False  # means an id written twice (rebuild at the end)
        self.recompute: set[tuple[str, str]] = set()
        # The table of recent contributions, where the store keeps one: the day it starts from.
        self.cut: int | None = None
        if self.config is not None and hasattr(self.ops, "recent_cut"):
            self.cut = cut if start is not None else self.ops.recent_cut()
            if self.cut is None and empty:
                self.cut = recent_cut_for(dt.date.today())
                self.ops.recent_reset(self.cut)

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
            from .bulk import batched

            # A slice at a time: one write of a million interactions would hold all their
            # contributions, and numpy's temporaries, at once.
            for part in batched(added, 50_000):
                self.take([contributions_of(_coded_interactions(part), self.config)])

    def coded(self, interactions: list[Interaction]) -> list[Contributions] | None:
        """What interactions new to an empty store give (:meth:`before`'s work without the store: an
        import's worker process makes them, the writing process :meth:`take` s them); None when no
        pairs are kept."""
        if self.config is None or self.added is None or not self.fresh:
            return None
        from .bulk import batched

        batch = list({i.id: i for i in interactions}.values())
        return [contributions_of(_coded_interactions(part), self.config) for part in batched(batch, 50_000)]

    def coded_rows(self, rows: list[tuple[Any, ...]], participants: list[tuple[str, str, str]]) -> list[Contributions] | None:
        """:meth:`coded` of interactions given as the store's rows (distinct ids, participants in their
        order): the writing process codes them while its worker reads the next records."""
        if self.config is None or self.added is None or not self.fresh:
            return None
        from .bulk import batched

        out, at = [], 0
        for part in batched(rows, 50_000):  # the slices of :meth:`coded`: sums in the same order
            columns, at = _coded_rows(part, participants, at)
            out.append(contributions_of(columns, self.config))
        if at != len(participants):
            raise ValueError("participants' rows not in their interactions' order")
        return out

    def take(self, parts: list[Contributions], written: int = 0) -> None:
        """Add contributions made by :meth:`coded` (``written``: how many interactions they came from)."""
        self.written += written
        assert self.added is not None and self.config is not None
        for c in parts:
            self.added.add(c)
            if self.cut is not None:
                self.ops.recent_add(recent_rows(c, self.cut, self.config.half_life_days))

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
            _write_fresh(self.ops, self.added, h)
            self.added = self._accumulator()
            return
        new = [r for r in self.added.records() if (r.a, r.b) not in self.recompute]
        self.added = self._accumulator()
        if new:
            existing = {(r.a, r.b): r for r in self.ops.pairs_by_key([(r.a, r.b) for r in new])}
            new = [merge(existing[(r.a, r.b)], r, h) if (r.a, r.b) in existing else r for r in new]
        if self.cut is not None and self.recompute:
            self.ops.recent_delete(sorted(self.recompute))
        for a, b in sorted(self.recompute):
            shared = self.store.shared_interactions(a, b)
            c = contributions(_participations_of(shared), cfg)
            found = [r for r in records(c, h) if (r.a, r.b) == (a, b)]
            if found:
                new.extend(found)
                if self.cut is not None:
                    self.ops.recent_add(row for row in recent_rows(c, self.cut, h) if row[:2] == (a, b))
            else:
                self.ops.delete([(a, b)])
        self.ops.upsert(new, h, fresh=self.fresh)
        if self.cut is not None and recent_cut_for(dt.date.today()) > self.cut + 2 * 92:
            # More than a quarter behind: the rows older than the quarter before this one go.
            self.ops.recent_trim(recent_cut_for(dt.date.today()))


def rebuild(store: Store, cfg: StrengthConfig, *, in_transaction: bool = False, parallel: bool = True) -> int:
    """Every pair recomputed from the interactions with ``cfg``'s weights (the reference scorer's own
    functions); returns the number of pairs. Runs in the store's write transaction (``in_transaction``:
    the caller's, which may hold writes of its own). ``parallel``: a large embedded store's second
    half of the interactions is read by a second process (see :class:`_Helper`)."""
    if not in_transaction:
        from .bulk import paused_gc

        # Paused collector: the pass makes millions of short-lived tuples, each burst a collection
        # walking every live object (a third of the time of coding the participations).
        with store.transaction(), paused_gc():
            return _rebuild(store, cfg, in_transaction=False, parallel=parallel)
    return _rebuild(store, cfg, in_transaction=True, parallel=False)


def _rebuild(store: Store, cfg: StrengthConfig, *, in_transaction: bool, parallel: bool) -> int:
    o = ops(store)
    cut = recent_cut_for(dt.date.today()) if hasattr(o, "recent_reset") else None
    # Started first: its interpreter starts while this process clears the old rows.
    helper = _Helper.start(o, cfg, cut) if parallel and not in_transaction and hasattr(o, "coded_participations") else None
    try:
        return _rebuild_with(store, o, cfg, cut, helper)
    finally:
        if helper is not None:
            helper.close()


def _rebuild_with(store: Store, o: Any, cfg: StrengthConfig, cut: int | None, helper: _Helper | None) -> int:
    h = cfg.half_life_days
    # Pairs built with these weights are compared with the new ones and only those that differ are
    # written (where the backend can: SQLite); otherwise all are written anew.
    keep = hasattr(o, "reconcile_columns") and o.stored_config() == config_key(cfg)
    if not keep:
        o.clear()
    if cut is not None:
        o.recent_reset(cut)
    # The interactions a chunk at a time into the sums per pair and quarter: memory for the pairs,
    # not for a million interactions' contributions at once.
    recent: list[Contributions] = []
    high: Iterator[PairColumns] | None = None
    if hasattr(o, "coded_participations"):  # read as codes by the store: no pass of Python per row twice
        # With a helper, the second half of the interactions is read and turned into contributions
        # by a second process meanwhile (the same chunks, added in the same order: the same sums
        # to the bit).
        names, chunks = o.coded_participations(REBUILD_CHUNK, upto=helper.after if helper else None)
        # Kept in memory, not spilled to the scratch table: a rebuild holds no records besides
        # (1,754,342 pairs over 2,560,129 pair-quarters: about 200 MB of numpy), and the scratch
        # table's sort cost 20 s of a 90 s rebuild.
        acc = Accumulator(h, None, names, hold=REBUILD_HOLD)
        for chunk in chunks:
            _add_chunk(acc, contributions_of(chunk, cfg, names), cut, recent)
        if helper is not None:
            acc, high = _with_helper(o, helper, acc, names, cfg, cut, recent, compare=keep)
    else:
        acc = Accumulator(h, getattr(o, "stage", None) and o)
        contribs = (contributions(chunk, cfg) for chunk in _by_interaction(store.participations(), REBUILD_CHUNK))
        for c in contribs:
            acc.add(c)
            if cut is not None:
                o.recent_add(recent_rows(c, cut, h))
    if recent:
        o.recent_add(recent_rows(_in_pair_order(recent), cut, h))  # type: ignore[arg-type]
    del recent
    parts: Iterator[PairColumns] = acc.columns()
    if high is not None:  # the pairs of the helper's range after this process's
        parts = itertools.chain(parts, high)
    if keep:
        count = o.reconcile_columns(parts)
    elif hasattr(o, "insert_columns"):
        count = _write_fresh_columns(o, parts)
    else:
        count = _write_fresh(o, acc, h)
    o.set_config(cfg)
    return count


def _write_fresh(o: Any, acc: Accumulator, h: float) -> int:
    """An accumulator's pairs into the backend's empty table; how many. In column slices where the
    backend takes them (SQLite: ``insert_columns``), else as records."""
    count = 0
    if hasattr(o, "insert_columns"):
        return _write_fresh_columns(o, acc.columns())

    def counted(rows: Iterator[PairRecord]) -> Iterator[PairRecord]:
        nonlocal count
        for count, row in enumerate(rows, 1):  # noqa: B007
            yield row

    o.upsert(counted(acc.records()), h, fresh=True)
    return count


def _write_fresh_columns(o: Any, parts: Iterator[PairColumns]) -> int:
    count = 0

    def counted_columns() -> Iterator[PairColumns]:
        nonlocal count
        for part in parts:
            count += len(part.a)
            yield part

    o.insert_columns(counted_columns())
    return count


def _add_chunk(acc: Accumulator, c: Contributions, cut: int | None, recent: list[Contributions]) -> None:
    acc.add(c)
    if cut is not None:  # (codes shared by all: the recent rows are written at the end)
        recent.append(_recent_of(c, cut))


def coded_chunks_after(o: Any, names: list[str], size: int, after: str) -> Iterator[Any]:
    """``o.coded_participations``' chunks of the interactions after id ``after``, coded by ``names``."""
    from .store.strength_sqlite import coded_chunks

    return coded_chunks(o.db, {n: k for k, n in enumerate(names)}, size, after)


PARALLEL_MIN = 300_000  # interactions: below, a second process's start (~0.5 s) costs more than it saves


def _split(rows: list[QuarterRows], cut: int) -> tuple[list[QuarterRows], list[QuarterRows]]:
    """Each chunk's rows with a pair code below ``cut``, and the others (in order, empty ones left out)."""
    low, high = [], []
    for r in rows:
        below = r.pk < cut
        if below.all():
            low.append(r)
        elif not below.any():
            high.append(r)
        else:
            low.append(QuarterRows(*(x[below] for x in r)))
            high.append(QuarterRows(*(x[~below] for x in r)))
    return low, high


def _with_helper(
    o: Any,
    helper: _Helper,
    acc: Accumulator,
    names: list[str],
    cfg: StrengthConfig,
    cut: int | None,
    recent: list[Contributions],
    *,
    compare: bool,
) -> tuple[Accumulator, Iterator[PairColumns] | None]:
    """The helper's half added to this process's: the sums of the pairs below the helper's split
    code (in ``acc``, returned) and, for the others, the helper's pair slices, summed there
    meanwhile (with the stored rows they differ from when ``compare``). Every (pair, quarter)
    sums the same rows in the same order as one process would: this process's chunks, then the
    helper's. Whatever fails in the helper, its half is read here instead."""
    h = cfg.half_life_days
    first = helper.first(names)
    if first is None:
        for chunk in coded_chunks_after(o, names, REBUILD_CHUNK, helper.after):
            _add_chunk(acc, contributions_of(chunk, cfg, names), cut, recent)
        return acc, None
    split, low, recents, high_count = first
    recent.extend(Contributions(names, *rec) for rec in recents)
    if acc.done is not None or acc.pending_rows + sum(len(r.pk) for r in low) + high_count > REBUILD_HOLD:
        # More rows than a rebuild holds before summing: summed as they come, in one process.
        rest = helper.everything()
        if rest is None:
            for chunk in coded_chunks_after(o, names, REBUILD_CHUNK, helper.after):
                acc.add(contributions_of(chunk, cfg, names))
        else:
            for rows in rest:
                acc.add_rows(rows)
        return acc, None
    mine_low, mine_high = _split(acc.pending, split)
    acc = Accumulator(h, None, names, hold=REBUILD_HOLD)
    for rows in mine_low + low:
        acc.add_rows(rows)
    helper.send_high(mine_high, compare)

    def high() -> Iterator[PairColumns]:
        found = helper.summed()
        if found is None:  # the helper's high rows read again here
            rest = Accumulator(h, None, names, hold=REBUILD_HOLD)
            for rows in mine_high:
                rest.add_rows(rows)
            for chunk in coded_chunks_after(o, names, REBUILD_CHUNK, helper.after):
                found_rows = rest.rows_of(contributions_of(chunk, cfg, names))
                for piece in _split([found_rows], split)[1] if found_rows is not None else []:
                    rest.add_rows(piece)
            yield from rest.columns()
            return
        summed, diffs = found
        for k, part in enumerate(_pair_slices(summed, names, h, sort=True)):
            if diffs is not None and k < len(diffs) and (diffs[k] is None or not len(diffs[k]) or diffs[k][-1] < len(part)):
                part.known_diff = _known_diff(diffs[k], len(part))
                part.starts_range = k == 0
            yield part

    return acc, high()


def _known_diff(found: Any, size: int) -> Any:
    """A helper's comparison of a slice (the positions that differ, or None) as :func:`_stored_diff`'s."""
    import numpy as np

    if found is None:
        return None
    diff = np.zeros(size, dtype=bool)
    diff[found] = True
    return diff


class _Helper:
    """A second process that reads the interactions after ``after`` (a chunk boundary near the
    middle) from the store's file and turns them into rows of sums (:meth:`Accumulator.rows_of`)
    and recent contributions, as this process does with the first half; then (:func:`_with_helper`)
    the pairs are split by code between the two: the helper sends the rows of the lower codes,
    receives this process's rows of the higher ones, sums them, compares the pairs with the stored
    rows (a rebuild that keeps them) and sends back its sums and which pairs differ. numpy arrays
    through two pipes, pickled.

    Started only on an embedded store in WAL mode, from :func:`rebuild`'s own transaction, which
    has written no interaction and no pair before the helper has read them: the write lock it holds
    keeps every other writer out, so the helper's snapshot (one read transaction) is this
    process's. A fresh interpreter, not a fork: SQLite keeps its locks per process, and a
    connection opened in a forked child would share the parent's records of them. It imports only
    what it needs (about 0.45 s, while this process clears the old rows). Whatever goes wrong there
    (its start, a read, a store that differs) comes back as None, and this process does that part
    itself: the rebuild is the same, only slower."""

    def __init__(self, proc: Any, after: str):
        self.proc, self.after = proc, after

    @classmethod
    def start(cls, o: Any, cfg: StrengthConfig, cut: int | None) -> _Helper | None:
        import os
        import subprocess
        import sys

        if (os.cpu_count() or 1) < 2 or not hasattr(o, "chunk_boundary") or o.location == ":memory:":
            return None
        if os.environ.get("OFAI_GRAPH_REBUILD_PROCESSES", "2") == "1":
            return None
        if str(o.db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            return None
        after = o.chunk_boundary(REBUILD_CHUNK, at_least=PARALLEL_MIN)
        if after is None:
            return None
        env = dict(os.environ)
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", "from ofai_graph.materialize import _helper_main; _helper_main()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError:
            return None
        helper = cls(proc, after)
        task = (str(o.location), cfg, cut, REBUILD_CHUNK, after, PAIR_SLICE, REBUILD_HOLD)
        return helper if helper._send(task) else None

    def _send(self, message: Any) -> bool:
        import pickle

        try:
            pickle.dump(message, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.proc.stdin.flush()
        except (OSError, pickle.PicklingError, ValueError):
            self.close()
            return False
        return True

    def _receive(self) -> Any:
        import pickle

        if self.proc.stdout is None or self.proc.stdout.closed:
            return None
        try:
            status, *found = pickle.load(self.proc.stdout)
        except Exception:  # a helper that died: its part is done here instead
            status = None
        if status != "ok":
            self.close()
            return None
        return found

    def first(self, names: list[str]) -> tuple[int, list[QuarterRows], list[tuple[Any, ...]], int] | None:
        """(the split code, the helper's rows below it chunk by chunk, its recent contributions, the
        count of its rows above), or None."""
        found = self._receive()
        if found is None or found[0] != _names_digest(names):
            self.close()
            return None
        return found[1]  # type: ignore[no-any-return]

    def everything(self) -> list[QuarterRows] | None:
        """Instead of a split: every row of the helper's chunks, in order."""
        found = self._receive() if self._send(("everything",)) else None
        return None if found is None else found[0]  # type: ignore[no-any-return]

    def send_high(self, rows: list[QuarterRows], compare: bool) -> None:
        self._send(("split", rows, compare))

    def summed(self) -> tuple[QuarterRows, list[Any] | None] | None:
        """The sums of the codes above the split (this process's rows, then the helper's), and with
        ``compare`` each slice's positions that differ from the stored rows (None: compare here)."""
        found = self._receive()
        self.close()
        return None if found is None else (found[0], found[1])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):
                    pipe.close()


def _names_digest(names: list[str]) -> str:
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()


def _helper_main() -> None:
    """The helper process of :class:`_Helper`: its tasks on stdin, its answers on stdout."""
    import pickle
    import sqlite3
    import sys

    import numpy as np

    def answer(*message: Any) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    out, tasks = sys.stdout.buffer, sys.stdin.buffer
    try:
        from .bulk import paused_gc
        from .store.strength_sqlite import _stored_diff, coded_chunks

        global PAIR_SLICE, REBUILD_HOLD  # the parent's: its slices are the same as this one's
        location, cfg, cut, size, after, PAIR_SLICE, REBUILD_HOLD = pickle.load(tasks)
        h = cfg.half_life_days
        db = sqlite3.connect(location, isolation_level=None, timeout=30)
        db.execute("PRAGMA query_only = 1")
        db.execute("BEGIN")  # one snapshot for every read
        names = [r[0] for r in db.execute("SELECT id FROM entities ORDER BY id")]
        acc = Accumulator(h, None, names)
        mine: list[QuarterRows] = []
        recents = []
        with paused_gc():
            for chunk in coded_chunks(db, {n: k for k, n in enumerate(names)}, size, after):
                c = contributions_of(chunk, cfg, names)
                rows = acc.rows_of(c)
                if rows is not None:
                    mine.append(rows)
                if cut is not None:
                    recents.append(tuple(_recent_of(c, cut)[1:]))
            # The split: the median code of these rows (about half the pairs each side).
            codes = np.concatenate([r.pk for r in mine]) if mine else np.zeros(1, dtype=np.int64)
            split = int(np.partition(codes, len(codes) // 2)[len(codes) // 2])
            del codes
            low, high = _split(mine, split)
            answer("ok", _names_digest(names), (split, low, recents, sum(len(r.pk) for r in high)))
            del low, recents
            task = pickle.load(tasks)
            if task[0] == "everything":
                answer("ok", mine)
                return
            del mine
            _, theirs, compare = task
            total = Accumulator(h, None, names, hold=REBUILD_HOLD)
            for rows in theirs + high:
                total.add_rows(rows)
            del theirs, high
            summed = total._compact()
            total.done = None
            diffs: list[Any] | None = None
            if compare:
                diffs = []
                last = db.execute(
                    "SELECT a, b FROM strength_pairs WHERE (a, b) < (?, ?) ORDER BY a DESC, b DESC LIMIT 1",
                    (names[split >> 31], names[split & ((1 << 31) - 1)]),
                ).fetchone()
                span = tuple(last) if last else ("", "")
                for part in _pair_slices(summed, names, h, sort=True):
                    upto = (part.a[-1], part.b[-1])
                    diff = _stored_diff(db, part, (*span, *upto))
                    diffs.append(None if diff is None else np.flatnonzero(diff).astype(np.int32))
                    span = upto
        db.execute("COMMIT")
        db.close()
        answer("ok", summed, diffs)
    except BaseException as exc:  # said to the parent, which does this part itself
        answer("error", f"{type(exc).__name__}: {exc}")


REBUILD_CHUNK = 200_000  # participations
REBUILD_HOLD = 8_000_000  # contribution rows (37 bytes each) a rebuild keeps before summing them


def _by_interaction(rows: Iterable[Participation], size: int) -> Iterator[list[Participation]]:
    """Lists of about ``size`` rows, never splitting an interaction's (they come grouped by interaction)."""
    chunk: list[Participation] = []
    for row in rows:
        if len(chunk) >= size and row[0] != chunk[-1][0]:
            yield chunk
            chunk = []
        chunk.append(row)
    if chunk:
        yield chunk


def _recent_of(c: Contributions, cut: int) -> Contributions:
    """The contributions of ``c`` whose midpoint is on or after ``cut`` (those the table of recent
    contributions keeps)."""
    import numpy as np

    sel = np.flatnonzero(c.mid >= cut)
    return Contributions(c.names, *(x[sel] for x in c[1:]))


def _in_pair_order(parts: list[Contributions]) -> Contributions:
    """Contributions coded against one list of sorted names, as one, in the order of the table of
    recent contributions' index (pair, then quarter; as they came within those): its rows are
    written in one pass along the index instead of scattered over it."""
    import numpy as np

    parts = [p for p in parts if len(p.ia)] or parts[:1]
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Contributions([], empty, empty, np.zeros(0), empty, empty, empty, empty)
    joined = Contributions(parts[0].names, *(np.concatenate(x) for x in zip(*(p[1:] for p in parts), strict=True)))
    q, _ = _quarters(joined.mid)
    order = np.lexsort((q, joined.ib, joined.ia))
    return Contributions(joined.names, *(x[order] for x in joined[1:]))


def recent_cut_for(today: dt.date) -> int:
    """Where the table of recent contributions starts: the first day of the quarter before ``today``'s."""
    return quarter_start(quarter(today.toordinal()) - 1)


def recent_rows(c: Contributions, cut: int, h: float) -> Iterator[tuple[Any, ...]]:
    """Rows of the table of recent contributions, (a, b, q, m, start, p, pq, last, bits), for those of
    ``c`` whose midpoint is on or after ``cut``."""
    import numpy as np

    sel = np.flatnonzero(c.mid >= cut)
    if not len(sel):
        return iter(())
    mid = c.mid[sel]
    q, q_start = _quarters(mid)
    pq = c.points[sel] * np.exp2((mid - q_start) / h)
    names = c.names
    return zip(
        [names[i] for i in c.ia[sel].tolist()],
        [names[i] for i in c.ib[sel].tolist()],
        q.tolist(),
        mid.tolist(),
        c.start[sel].tolist(),
        c.points[sel].tolist(),
        pq.tolist(),
        c.last[sel].tolist(),
        c.bits[sel].tolist(),
        strict=True,
    )


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
