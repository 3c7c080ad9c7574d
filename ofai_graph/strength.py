"""Relationship strength: an explainable, recency-aware score in [0, 1] for every pair of entities.

How a pair (A, B) is scored, as of a date T (default: today):

1. Every interaction both took part in contributes
   ``points = kind weight × role weight × outcome weight × 1/(n-1) × 2^(-age / half-life)``
   where *n* is the number of participants (a bilateral visit ties two partners more than a
   six-party meeting ties each pair in it, as in Newman's collaboration weighting), *age* is the days
   from the middle of the interaction's date interval to T (a "2024-Q1" action counts from
   2024-02-15), and interactions that start after T do not count yet.
2. Every explicit tie adds its kind's weight while active; a tie that ended decays from its end.
   An affiliation (a person at an organization) counts as an active tie.
3. Reciprocity: when only one side ever initiated (organized, requested, applied, offered, hosted or
   funded), the total is multiplied by ``one_sided`` (0.75).
4. ``score = 1 - exp(-points / scale)``: more evidence always raises the score and it never reaches 1.

Tiers: strong ≥ 0.6, medium ≥ 0.3, weak ≥ 0.1, else cold.

Why these defaults. Granovetter (1973) defines tie strength by time, intensity, intimacy and
reciprocal services: here frequency (the sum over interactions), intensity (kind and outcome:
a visit or an approved cooperation outweighs a forwarded call) and reciprocity (step 3).
Gilbert & Karahalios (2009) found recency and interaction type the strongest predictors of tie
strength: hence the exponential decay and per-kind weights. The half-life is 180 days, not the
30 days of sales tools such as Margince, because institutional cooperation moves at the pace of
calls, quarterly reports and budget years. Every default can be changed in the workspace's
configuration file (see :class:`StrengthConfig`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from .bulk import paused_gc
from .dates import PartialDate
from .model import EntityModel, Interaction, Tie, tie_id
from .results import WRITTEN_DATE, Result, Shown, Strength
from .store.base import Participation, Store

if TYPE_CHECKING:
    import networkx as nx

INITIATING_ROLES = frozenset({"organizer", "requester", "applicant", "offerer", "host", "funder"})


# A weight multiplies points: a negative one would make evidence count against a relationship (and a
# negative role weight has no square root); a tier is a score, in [0, 1].
Weight = Annotated[float, Field(ge=0)]
Threshold = Annotated[float, Field(ge=0, le=1)]


class StrengthConfig(BaseModel):
    """Weights and thresholds of the strength score; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")

    half_life_days: float = Field(180.0, gt=0)
    scale: float = Field(2.0, gt=0)
    one_sided: float = Field(0.75, ge=0, le=1)
    kind: dict[str, Weight] = {
        "meeting": 1.0,
        "visit": 1.2,
        "working_group": 0.8,
        "presentation": 0.5,
        "call_for_proposals": 0.4,
        "application": 0.8,
        "course_offer": 0.3,
        "cooperation": 1.5,
        "event_support": 0.8,
        "information_request": 0.3,
        "institutional_contact": 0.5,
        "mou_talks": 0.9,
        "referral": 0.3,
        "internal_proposal": 0.6,
        "other": 0.5,
    }
    outcome: dict[str, Weight] = {
        "approved": 1.5,
        "done": 1.0,
        "in_progress": 1.0,
        "pending": 0.7,
        "planned": 0.6,
        "declined": 0.5,
        "no_participation": 0.3,
    }
    role: dict[str, Weight] = {
        "organizer": 1.0,
        "host": 1.0,
        "requester": 1.0,
        "applicant": 1.0,
        "offerer": 1.0,
        "funder": 1.0,
        "participant": 0.9,
        "beneficiary": 0.9,
        "intermediary": 0.8,
        "recipient": 0.8,
        "invitee": 0.6,
        "subject": 0.5,
    }
    tie: dict[str, Weight] = {
        "part_of": 1.0,
        "represents": 1.0,
        "member_of": 0.8,
        "liaison_for": 0.8,
        "funds": 0.8,
        "partner_of": 0.6,
        "based_in": 0.3,
        "affiliation": 1.0,
    }
    tiers: dict[str, Threshold] = {"strong": 0.6, "medium": 0.3, "weak": 0.1}

    @classmethod
    def load(cls, path: str | Path | None) -> StrengthConfig:
        """Defaults, overridden by the ``strength:`` section of a YAML file if it exists."""
        from .config import load_strength

        return load_strength(path)

    def tier(self, score: float) -> str:
        for name in ("strong", "medium", "weak"):
            if score >= self.tiers[name]:
                return name
        return "cold"

    def decay(self, age_days: float) -> float:
        """``2^(-age / half-life)``, a future date counting as today."""
        return _exp2(-max(0.0, age_days) / self.half_life_days)

    def score(self, points: float) -> float:
        return 1.0 - math.exp(-max(0.0, points) / self.scale)


class Contribution(Result):
    """One piece of evidence behind a pair's score."""

    model_config = ConfigDict(defer_build=True)  # built on first use, not at every command's start

    source: str  # "interaction" or "tie"
    """Kind of evidence: interaction, tie or reciprocity."""
    id: str
    """The interaction's or tie's id."""
    label: str
    """What it is (the interaction's title, the tie)."""
    date: Annotated[str | None, WRITTEN_DATE]
    """Its date as the data wrote it (2024-Q1, 2024-02-12)."""
    points: float
    """Points it adds to the pair (negative for the one-sided discount)."""
    detail: str
    """How the points were computed."""


class PairStrength(Result):
    model_config = ConfigDict(defer_build=True)

    a: str
    """The first entity's id (the home office for a ranking)."""
    a_name: str | None = None
    """The first entity's name (explain only)."""
    b: str
    """The other entity's id."""
    b_name: str | None = None
    """The other entity's name."""
    score: Strength
    """Strength in [0, 1]: 1 - exp(-points / scale)."""
    tier: Annotated[str, Shown("Tier")]
    """strong, medium, weak or cold (see labels for the words a person reads)."""
    points: float
    """Sum of the decayed evidence behind the score."""
    interactions: int
    """Shared interactions counted."""
    last: dt.date | None
    """End of the latest shared interaction's date."""
    last_label: Annotated[str | None, WRITTEN_DATE] = None
    """That date as the data wrote it (2024-Q1)."""
    reciprocal: bool
    """Whether both sides initiated something."""
    contributions: list[Contribution] = Field(default_factory=list)
    """Each piece of evidence with its points (explain only)."""
    own_side: bool = False
    """Whether ``b`` is part of the office's own side (see :mod:`ofai_graph.office`)."""


# Transcendental functions are evaluated in Python, once per distinct input, and numpy does only
# exactly rounded arithmetic (+, -, *, /, sqrt): so the vectorized scorer, its pure-Python twin for
# small graphs and explain() agree bit for bit, whatever SIMD code numpy picks on a machine.
_exp2 = getattr(math, "exp2", None) or (lambda x: 2.0**x)  # math.exp2 is 3.11+


def _midpoint(start: dt.date, end: dt.date) -> dt.date:
    return start + (end - start) / 2


# -- The weights. One rule each, shared by the vectorized scorer and by explain(): every function takes
# -- floats or numpy arrays, so the scorer applies to a million interactions what explain() applies to one.


def interaction_weight(cfg: StrengthConfig, kind: str, status: str) -> float:
    """What one interaction is worth before size, roles and age: kind weight × outcome weight."""
    return cfg.kind.get(kind, 0.5) * cfg.outcome.get(status, 1.0)


def role_weight(cfg: StrengthConfig, role: str) -> float:
    return cfg.role.get(role, 0.5)


def age_days(start: Any, end: Any, today: Any) -> Any:
    """Days from the middle of a date interval to ``today``, all as day ordinals (ints or arrays).

    The middle of an odd interval is a half day: floored, as ``dt.date`` arithmetic does.
    """
    return today - (start + end) // 2


def interaction_share(weight: Any, decay: Any, n: Any) -> Any:
    """The points each pair of an interaction's ``n`` parties gets from it, before their roles."""
    return weight * decay / (n - 1)


def pair_points(share: Any, role_a: Any, role_b: Any) -> Any:
    """A pair's points from one interaction: its share × the geometric mean of the two role weights."""
    if isinstance(role_a, float):
        return share * math.sqrt(role_a * role_b)
    import numpy as np

    return share * np.sqrt(role_a * role_b)


def interaction_points(
    cfg: StrengthConfig,
    kind: str,
    status: str,
    role_a: str,
    role_b: str,
    n: int,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
) -> float:
    """The points one interaction gives a pair (step 1 of the module docstring).

    >>> cfg = StrengthConfig()
    >>> day = dt.date(2024, 3, 1)
    >>> interaction_points(cfg, "visit", "done", "host", "offerer", 2, day, day, day)
    1.2
    """
    age = age_days(start.toordinal(), end.toordinal(), as_of.toordinal())
    share = interaction_share(interaction_weight(cfg, kind, status), cfg.decay(age), n)
    return float(pair_points(share, role_weight(cfg, role_a), role_weight(cfg, role_b)))


def tie_points(
    cfg: StrengthConfig, kind: str, since: dt.date | None, until: dt.date | None, as_of: dt.date
) -> float:
    """The points an explicit tie or an affiliation gives its two ends: its kind's weight while
    active, decaying from its end once it ended, nothing before it starts.

    >>> cfg = StrengthConfig(half_life_days=180)
    >>> tie_points(cfg, "member_of", None, dt.date(2024, 1, 1), dt.date(2024, 6, 29))
    0.4
    """
    if since is not None and since > as_of:
        return 0.0
    weight = cfg.tie.get(kind, 0.5)
    if until is not None and until < as_of:
        return weight * cfg.decay((as_of - until).days)
    return weight


class Bond(NamedTuple):
    """An explicit tie or an affiliation, as the score sees both: two ends, a kind, an interval."""

    id: str
    source: str
    target: str
    kind: str  # a TieKind value, or "affiliation"
    since: dt.date | None  # first day it may be active
    until: dt.date | None  # last day it was active
    note: str  # the tie's note, the affiliation's title


def bonds(ties: Iterable[Tie], people: Iterable[EntityModel]) -> Iterator[Bond]:
    """The ties, then the affiliations of ``people`` (entities of other types have none)."""
    for t in ties:
        yield Bond(
            t.id,
            t.source,
            t.target,
            t.kind.value,
            t.since.start if t.since else None,
            t.until.end if t.until else None,
            t.note or "",
        )
    for person in people:
        for a in getattr(person, "affiliations", ()):
            yield Bond(
                tie_id(person.id, "affiliation", a.organization),
                person.id,
                a.organization,
                "affiliation",
                a.since.start if a.since else None,
                a.until.end if a.until else None,
                a.title or "",
            )


def bond_points(cfg: StrengthConfig, bond: Bond, as_of: dt.date) -> float:
    return tie_points(cfg, bond.kind, bond.since, bond.until, as_of)


# -- The vectorized scorer: step 1 for every pair at once ---------------------------------------------


class _Pairs(NamedTuple):
    names: list[str]  # entity ids, sorted, so that a < b as codes means a < b as ids
    a: Any
    b: Any
    points: Any
    count: Any
    last: Any  # end ordinal << 16 | (0xFFFF - days in the interval) of the latest shared interaction
    bits: Any  # 1: a ever initiated, 2: b ever initiated


class _Columns(NamedTuple):
    """Participations as integer codes: one entry per interaction, one per participant."""

    entities: dict[str, int]
    roles: dict[str, int]
    kind_status: dict[tuple[str, str], int]
    ids: list[str]  # interaction ids in the order they were numbered
    start: list[int]  # day ordinals, per interaction
    end: list[int]
    ks: list[int]  # (kind, status) code, per interaction
    inter: list[int]  # interaction number, per participant
    ent: list[int]
    role: list[int]
    in_order: bool  # interactions came in id order


def _encode(participations: Iterable[Participation]) -> _Columns:
    """The one pass in Python: rows of text and dates become integer columns."""
    ent: dict[str, int] = {}
    role_code: dict[str, int] = {}
    kind_status: dict[tuple[str, str], int] = {}
    i_start: list[int] = []
    i_end: list[int] = []
    i_ks: list[int] = []
    p_inter: list[int] = []
    p_ent: list[int] = []
    p_role: list[int] = []
    inter: dict[str, int] = {}
    current = None
    newest = ""
    in_order = True
    idx = -1
    ordinal = _DayOrdinals()
    for iid, start, end, kind, status, e, r in participations:
        if iid != current:
            current = iid
            found = inter.get(iid)
            if found is None:
                if iid < newest:
                    in_order = False
                newest = iid
                idx = inter[iid] = len(inter)
                i_start.append(ordinal(start))
                i_end.append(ordinal(end))
                ks = kind_status.get((kind, status))
                if ks is None:
                    ks = kind_status[(kind, status)] = len(kind_status)
                i_ks.append(ks)
            else:  # a server may return an interaction's rows apart
                idx = found
        p_inter.append(idx)
        code = ent.get(e)
        if code is None:
            code = ent[e] = len(ent)
        p_ent.append(code)
        rc = role_code.get(r)
        if rc is None:
            rc = role_code[r] = len(role_code)
        p_role.append(rc)
    return _Columns(
        ent, role_code, kind_status, list(inter), i_start, i_end, i_ks, p_inter, p_ent, p_role, in_order
    )


def _in_id_order(c: _Columns) -> _Columns:
    """Interactions renumbered in id order, whatever order the store sent them in: the sums of the
    scorer then add up in the same order, and scores are bit-identical on every backend."""
    if c.in_order:
        return c
    perm = sorted(range(len(c.ids)), key=c.ids.__getitem__)
    new_index = [0] * len(perm)
    for new, old in enumerate(perm):
        new_index[old] = new
    return c._replace(
        ids=[c.ids[k] for k in perm],
        start=[c.start[k] for k in perm],
        end=[c.end[k] for k in perm],
        ks=[c.ks[k] for k in perm],
        inter=[new_index[i] for i in c.inter],
        in_order=True,
    )


class _Rows(NamedTuple):
    """One row per (interaction, entity), sorted by interaction then entity rank."""

    inter: Any
    ent: Any  # the entity's rank among the sorted names
    weight: Any  # the role weight
    initiated: Any  # 1 when the role initiates


def _participant_rows(c: _Columns, cfg: StrengthConfig, rank: Any) -> _Rows:
    """An entity with two roles in one interaction keeps its stronger one."""
    import numpy as np

    roles = list(c.roles)
    role_w = np.array([role_weight(cfg, r) for r in roles])
    role_init = np.array([r in INITIATING_ROLES for r in roles], dtype=np.int64)
    pi = np.array(c.inter, dtype=np.int64)
    pe = rank[np.array(c.ent, dtype=np.int64)]
    pr = np.array(c.role, dtype=np.int64)
    pw = role_w[pr]
    order = np.lexsort((-pw, pe, pi))  # strongest role first within (interaction, entity)
    pi, pe, pr, pw = pi[order], pe[order], pr[order], pw[order]
    keep = np.ones(len(pi), dtype=bool)
    keep[1:] = (pi[1:] != pi[:-1]) | (pe[1:] != pe[:-1])
    return _Rows(pi[keep], pe[keep], pw[keep], role_init[pr[keep]])


SMALL = 5_000  # participations: fewer are scored in pure Python, sparing a command numpy's import


def _pair_evidence(
    participations: Iterable[Participation], cfg: StrengthConfig, as_of: dt.date, *, small: int = SMALL
) -> _Pairs:
    """Step 1 of the module docstring for every pair at once.

    A large input is scored with numpy (:func:`_pairs_with_numpy`), a small one in Python
    (:func:`_pairs_in_python`, no import of numpy for a command on a small store): both apply the
    same weight functions and add up in the same order, so they agree bit for bit.
    """
    c = _in_id_order(_encode(participations))
    if not c.entities:
        return _Pairs([], [], [], [], [], [], [])
    if len(c.inter) < small:
        return _pairs_in_python(c, cfg, as_of)
    return _pairs_with_numpy(c, cfg, as_of)


def _last_code(start: Any, end: Any) -> Any:
    """Latest end wins; between equal ends, the most precise date (shortest interval)."""
    return (end << 16) | (0xFFFF - (end - start))


def _pairs_in_python(c: _Columns, cfg: StrengthConfig, as_of: dt.date) -> _Pairs:
    """:func:`_pairs_with_numpy`, one interaction at a time, summing in the same order as it does."""
    names = sorted(c.entities)
    rank = {c.entities[name]: r for r, name in enumerate(names)}
    role_w = [role_weight(cfg, r) for r in c.roles]
    role_init = [int(r in INITIATING_ROLES) for r in c.roles]
    weight = [interaction_weight(cfg, k, s) for k, s in c.kind_status]
    # An entity with two roles in one interaction keeps its stronger one (the first, if equal).
    parties: list[dict[int, tuple[float, int]]] = [{} for _ in c.start]
    for i, e, r in zip(c.inter, c.ent, c.role, strict=True):
        best, ent = parties[i].get(rank[e]), rank[e]
        if best is None or role_w[r] > best[0]:
            parties[i][ent] = (role_w[r], role_init[r])
    today = as_of.toordinal()
    by_size: dict[int, list[int]] = defaultdict(list)
    for i, members in enumerate(parties):
        if len(members) >= 2 and c.start[i] <= today:
            by_size[len(members)].append(i)
    decays: dict[int, float] = {}
    acc: dict[tuple[int, int], list[Any]] = {}  # (a, b) -> [points, count, last, bits]
    for m in sorted(by_size):
        rows: list[tuple[list[tuple[int, tuple[float, int]]], float, int]] = []
        for i in by_size[m]:
            age = age_days(c.start[i], c.end[i], today)
            if age not in decays:
                decays[age] = cfg.decay(age)
            share = interaction_share(weight[c.ks[i]], decays[age], m)
            rows.append((sorted(parties[i].items()), share, _last_code(c.start[i], c.end[i])))
        for x in range(m):
            for y in range(x + 1, m):
                for ranked, share, last in rows:
                    (ea, (wa, ia)), (eb, (wb, ib)) = ranked[x], ranked[y]
                    pts = pair_points(share, wa, wb)
                    found = acc.get((ea, eb))
                    if found is None:
                        acc[(ea, eb)] = [0.0 + pts, 1, last, ia | (ib << 1)]
                    else:
                        found[0] += pts
                        found[1] += 1
                        found[2] = max(found[2], last)
                        found[3] |= ia | (ib << 1)
    keys = sorted(acc)
    values = [acc[k] for k in keys]
    return _Pairs(
        names,
        [k[0] for k in keys],
        [k[1] for k in keys],
        [v[0] for v in values],
        [v[1] for v in values],
        [v[2] for v in values],
        [v[3] for v in values],
    )


def _pairs_with_numpy(c: _Columns, cfg: StrengthConfig, as_of: dt.date) -> _Pairs:
    """Interactions grouped by size, so that the pairs of all interactions of size m come from one
    (count, m) matrix; contributions summed per pair with bincount."""
    import numpy as np

    names = sorted(c.entities)
    rank = np.empty(len(names), dtype=np.int64)
    rank[[c.entities[n] for n in names]] = np.arange(len(names))
    rows = _participant_rows(c, cfg, rank)

    today = as_of.toordinal()
    start = np.array(c.start, dtype=np.int64)
    end = np.array(c.end, dtype=np.int64)
    weight = np.array([interaction_weight(cfg, k, s) for k, s in c.kind_status])[
        np.array(c.ks, dtype=np.int64)
    ]
    ages, age_index = np.unique(age_days(start, end, today), return_inverse=True)
    decay = np.array([cfg.decay(a) for a in ages.tolist()])[age_index]
    n = np.bincount(rows.inter, minlength=len(start))
    offset = np.concatenate(([0], np.cumsum(n)[:-1]))
    valid = (start <= today) & (n >= 2)
    last_code = _last_code(start, end)

    parts_a, parts_b, parts_pts, parts_last, parts_bits = [], [], [], [], []
    # The sizes present, ascending (np.unique would import numpy.ma: 30 ms of a cold start).
    for m in np.flatnonzero(np.bincount(n[valid])).tolist():
        sel = np.nonzero(valid & (n == m))[0]
        cols = offset[sel][:, None] + np.arange(m)
        E, W, INIT = rows.ent[cols], rows.weight[cols], rows.initiated[cols]
        share = interaction_share(weight[sel], decay[sel], m)
        lc = last_code[sel]
        for i in range(m):
            for j in range(i + 1, m):
                parts_a.append(E[:, i])
                parts_b.append(E[:, j])
                parts_pts.append(pair_points(share, W[:, i], W[:, j]))
                parts_last.append(lc)
                parts_bits.append(INIT[:, i] | (INIT[:, j] << 1))
    if not parts_a:
        return _Pairs(names, [], [], [], [], [], [])
    key = np.concatenate(parts_a) * len(names) + np.concatenate(parts_b)
    unique, inverse = np.unique(key, return_inverse=True)
    points = np.bincount(inverse, weights=np.concatenate(parts_pts), minlength=len(unique))
    count = np.bincount(inverse, minlength=len(unique))
    last = np.zeros(len(unique), dtype=np.int64)
    np.maximum.at(last, inverse, np.concatenate(parts_last))
    bits = np.zeros(len(unique), dtype=np.int64)
    np.bitwise_or.at(bits, inverse, np.concatenate(parts_bits))
    return _Pairs(
        names,
        (unique // len(names)).tolist(),
        (unique % len(names)).tolist(),
        points.tolist(),
        count.tolist(),
        last.tolist(),
        bits.tolist(),
    )


class _DayOrdinals:
    def __init__(self) -> None:
        self._cache: dict[dt.date, int] = {}

    def __call__(self, day: dt.date) -> int:
        o = self._cache.get(day)
        if o is None:
            o = self._cache[day] = day.toordinal()
        return o


# -- The relationship graph ----------------------------------------------------------------------------


class _BondEvidence(NamedTuple):
    points: dict[tuple[str, str], float]  # per pair (sorted ends)
    kinds: dict[tuple[str, str], list[str]]


def _bond_evidence(all_bonds: Iterable[Bond], cfg: StrengthConfig, as_of: dt.date) -> _BondEvidence:
    """Steps 2 of the module docstring: the points of ties and affiliations, per pair."""
    points: dict[tuple[str, str], float] = defaultdict(float)
    kinds: dict[tuple[str, str], list[str]] = defaultdict(list)
    for bond in all_bonds:
        pts = bond_points(cfg, bond, as_of)
        if pts > 0:
            key = (bond.source, bond.target) if bond.source < bond.target else (bond.target, bond.source)
            points[key] += pts
            kinds[key].append(bond.kind)
    return _BondEvidence(points, kinds)


def _bonds_in_scope(store: Store, people: Collection[str], around: Collection[str] | None) -> Iterator[Bond]:
    ties = store.ties_around(around) if around is not None else store.ties()
    if around is not None:
        people = store.affiliated_people(around)
    return bonds(ties, store.get_entities(people).values())


def _scored_edges(pairs: _Pairs, ties: _BondEvidence, cfg: StrengthConfig) -> Iterator[tuple[str, str, dict]]:
    """Steps 3 and 4 of the module docstring: reciprocity, ties and the score, edge by edge."""
    names = pairs.names
    tie_only = dict(ties.points)  # what is left once the pairs with interactions took theirs
    tie_kinds = ties.kinds
    no_ties: list[str] = []
    intervals: dict[int, tuple[dt.date, dt.date]] = {}
    for a, b, points, n, last, bits in zip(
        pairs.a, pairs.b, pairs.points, pairs.count, pairs.last, pairs.bits, strict=True
    ):
        na, nb = names[a], names[b]
        reciprocal = bits == 3
        total = points * (1.0 if reciprocal else cfg.one_sided)
        if tie_only:
            total += tie_only.pop((na, nb), 0.0)
        score = -math.expm1(-total / cfg.scale)
        if score <= 0.0:
            continue
        interval = intervals.get(last)
        if interval is None:  # a few thousand distinct intervals among a million pairs
            end = dt.date.fromordinal(last >> 16)
            interval = intervals[last] = (end, dt.date.fromordinal((last >> 16) - (0xFFFF - (last & 0xFFFF))))
        yield (
            na,
            nb,
            {
                "score": score,
                "points": total,
                "interactions": n,
                "last": interval[0],
                "last_start": interval[1],
                "reciprocal": reciprocal,
                "ties": tie_kinds.get((na, nb), no_ties) if tie_kinds else no_ties,
                "cost": -math.log(score),
            },
        )
    for (na, nb), total in tie_only.items():
        score = -math.expm1(-total / cfg.scale)
        if score <= 0.0:
            continue
        yield (
            na,
            nb,
            {
                "score": score,
                "points": total,
                "interactions": 0,
                "last": None,
                "last_start": None,
                "reciprocal": False,
                "ties": tie_kinds[(na, nb)],
                "cost": -math.log(score),
            },
        )


@paused_gc()
def relationship_graph(
    store: Store,
    *,
    as_of: dt.date | None = None,
    config: StrengthConfig | None = None,
    around: Collection[str] | None = None,
    axes: Collection[str] | None = None,
) -> nx.Graph:
    """The weighted entity graph: one edge per pair with evidence, ``score`` in [0, 1].

    With ``around``, only the edges touching those entities are guaranteed: the graph is built from
    their interactions, ties and affiliations alone (what :func:`ofai_graph.paths.neighbourhood`
    fetches from a remote store). An edge between two other entities may be missing or understated.
    With ``axes``, interactions count only if they are on one of those strategic axes (ties and
    affiliations always count).

    Edge attributes: ``score``, ``points``, ``interactions`` (count), ``last`` and ``last_start``
    (the interval of the latest shared interaction's date; see :func:`last_label`), ``reciprocal``,
    ``ties`` (tie kinds), ``cost`` (-log score, for paths). The tier is ``config.tier(score)``.
    Node attributes: ``name``, ``type``, ``kind``, ``countries``.

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> from ofai_graph.importer import import_data
    >>> store = SQLiteStore(":memory:")
    >>> _ = import_data(store, {"organizations": [
    ...     {"id": "ofai", "name": "OFAI", "kind": "home_office"},
    ...     {"id": "jica", "name": "JICA", "kind": "bilateral_agency"}],
    ...   "interactions": [{"id": "v", "date": "2024-03-01", "kind": "visit", "title": "Visita",
    ...     "participants": [{"entity": "ofai", "role": "host"}, {"entity": "jica", "role": "offerer"}]}]})
    >>> g = relationship_graph(store, as_of=dt.date(2024, 3, 1))
    >>> round(g["ofai"]["jica"]["score"], 3), g.graph["config"].tier(g["ofai"]["jica"]["score"])
    (0.451, 'medium')
    """
    import networkx as nx

    cfg = config or StrengthConfig()
    as_of = as_of or dt.date.today()
    pairs = _evidence(store, cfg, as_of, around, axes)
    summaries = list(store.entity_summaries())
    people = [s.id for s in summaries if s.type == "person"]
    ties = _bond_evidence(_bonds_in_scope(store, people, around), cfg, as_of)
    g = nx.Graph()
    g.add_nodes_from(
        (s.id, {"name": s.name, "type": s.type, "kind": s.kind, "countries": s.countries}) for s in summaries
    )
    g.add_nodes_from(n for n in pairs.names if n not in g)
    g.add_edges_from(_scored_edges(pairs, ties, cfg))
    g.graph.update(as_of=as_of, config=cfg)
    return g


def _evidence(
    store: Store,
    cfg: StrengthConfig,
    as_of: dt.date,
    around: Collection[str] | None,
    axes: Collection[str] | None,
) -> _Pairs:
    """Step 1 for the pairs needed: read from the materialized pairs (:mod:`ofai_graph.materialize`) when
    the store keeps them with ``cfg``'s weights, else rescored from the interactions (the reference;
    also the only way to filter interactions by axis)."""
    if axes is None:
        from .materialize import pair_evidence

        found = pair_evidence(store, cfg, as_of, around)
        if found is not None:
            return found
    return _pair_evidence(store.participations(around, axes), cfg, as_of)


def last_label(edge: dict) -> str | None:
    """The latest shared interaction's date as the data wrote it ("2024-Q1", "2024-02-12")."""
    if edge.get("last") is None:
        return None
    return str(PartialDate.from_interval(edge["last_start"], edge["last"]))


def pair(g: nx.Graph, a: str, b: str) -> PairStrength:
    """The strength of one pair from a relationship graph (cold and zero when they never met)."""
    cfg: StrengthConfig = g.graph.get("config", StrengthConfig())
    data = g.get_edge_data(a, b)
    name = g.nodes[b].get("name") if b in g else None
    if data is None:
        return PairStrength(
            a=a,
            b=b,
            b_name=name,
            score=0.0,
            tier="cold",
            points=0.0,
            interactions=0,
            last=None,
            reciprocal=False,
        )
    return PairStrength(
        a=a,
        b=b,
        b_name=name,
        last_label=last_label(data),
        score=data["score"],
        tier=cfg.tier(data["score"]),
        points=data["points"],
        interactions=data["interactions"],
        last=data["last"],
        reciprocal=data["reciprocal"],
    )


def top_partners(g: nx.Graph, a: str, *, top: int = 10) -> list[PairStrength]:
    """The ``top`` strongest partners of ``a``, strongest first.

    >>> import networkx as nx
    >>> g = nx.Graph(); g.add_edge("ofai", "jica", score=0.5, points=1.0, interactions=1, last=None, reciprocal=True)
    >>> g.add_edge("ofai", "oim", score=0.2, points=0.4, interactions=1, last=None, reciprocal=False)
    >>> [p.b for p in top_partners(g, "ofai")]
    ['jica', 'oim']
    """
    ranked = sorted(g[a].items(), key=lambda kv: (-kv[1]["score"], kv[0]))[:top] if a in g else []
    return [pair(g, a, b) for b, _ in ranked]


def _strongest_roles(cfg: StrengthConfig, interaction: Interaction) -> dict[str, str]:
    """Each party's role; an entity listed with two roles keeps the stronger one (as the scorer does)."""
    roles: dict[str, str] = {}
    for p in interaction.participants:
        if p.entity not in roles or role_weight(cfg, p.role.value) > role_weight(cfg, roles[p.entity]):
            roles[p.entity] = p.role.value
    return roles


class _Shared(NamedTuple):
    contributions: list[Contribution]
    total: float
    initiated: tuple[bool, bool]
    last: dt.date | None


def _interaction_evidence(
    cfg: StrengthConfig, interactions: Iterable[Interaction], a: str, b: str, as_of: dt.date, lang: str = "en"
) -> _Shared:
    """Step 1 of the module docstring for one pair, one contribution per shared interaction.

    The detail is written in ``lang`` with the vocabulary's labels, never its codes.
    """
    from .i18n import format_number, ngettext_for
    from .labels import label as vocab

    ngettext = ngettext_for(lang)

    def num(x: float) -> str:
        return format_number(round(x, 2), lang)

    contributions: list[Contribution] = []
    init_a = init_b = False
    total = 0.0
    last = None
    for i in interactions:
        roles = _strongest_roles(cfg, i)
        kind, status = i.kind.value, i.status.value
        pts = interaction_points(
            cfg, kind, status, roles[a], roles[b], len(roles), i.date.start, i.date.end, as_of
        )
        init_a |= roles[a] in INITIATING_ROLES
        init_b |= roles[b] in INITIATING_ROLES
        total += pts
        last = max(last, i.date.end) if last else i.date.end
        age = (as_of - i.date.midpoint).days
        contributions.append(
            Contribution(
                source="interaction",
                id=i.id,
                label=i.title,
                date=str(i.date),
                points=pts,
                detail=ngettext(
                    "{kind} ({kind_w}) · {status} ({status_w}) · roles {role_a}/{role_b} · "
                    "{n} parties · {age} day old (×{decay})",
                    "{kind} ({kind_w}) · {status} ({status_w}) · roles {role_a}/{role_b} · "
                    "{n} parties · {age} days old (×{decay})",
                    abs(age),
                ).format(
                    kind=vocab("InteractionKind", kind, lang),
                    kind_w=num(cfg.kind.get(kind, 0.5)),
                    status=vocab("Status", status, lang),
                    status_w=num(cfg.outcome.get(status, 1.0)),
                    role_a=vocab("Role", roles[a], lang),
                    role_b=vocab("Role", roles[b], lang),
                    n=len(roles),
                    age=age,
                    decay=num(cfg.decay(age)),
                ),
            )
        )
    return _Shared(contributions, total, (init_a, init_b), last)


def _bond_contribution(
    cfg: StrengthConfig, bond: Bond, as_of: dt.date, lang: str = "en", names: dict[str, str] | None = None
) -> Contribution:
    """Step 2 of the module docstring for one tie or affiliation (written in ``lang``, with names)."""
    from .i18n import format_date, gettext_for
    from .labels import label as vocab

    def name(eid: str) -> str:
        return (names or {}).get(eid, eid)

    def day(d: dt.date | None) -> str:
        return format_date(d, lang) if d else "…"

    if bond.kind == "affiliation":
        _ = gettext_for(lang)
        label = _("{person} works at {org}").format(person=name(bond.source), org=name(bond.target))
        span = None
    else:
        label = f"{name(bond.source)} {vocab('TieKind', bond.kind, lang)} {name(bond.target)}"
        # A tie with no dates has held all along: no span to show.
        span = f"{day(bond.since)} – {day(bond.until)}" if bond.since or bond.until else None
    return Contribution(
        source="tie",
        id=bond.id,
        label=label,
        date=span,
        points=bond_points(cfg, bond, as_of),
        detail=bond.note,
    )


def explain(
    store: Store,
    a: str,
    b: str,
    *,
    as_of: dt.date | None = None,
    config: StrengthConfig | None = None,
    lang: str = "en",
) -> PairStrength:
    """The score of (a, b) with every interaction and tie behind it and the points each gave.

    The same weight functions as :func:`relationship_graph`, applied to one pair: its score is the
    graph's edge score. Labels and details are written in ``lang`` (``en`` or ``es``).
    """
    from .i18n import format_number, gettext_for

    _ = gettext_for(lang)
    cfg = config or StrengthConfig()
    as_of = as_of or dt.date.today()
    shared = store.shared_interactions(a, b, until=as_of)
    found = _interaction_evidence(cfg, shared, a, b, as_of, lang)
    contributions, total = found.contributions, found.total
    reciprocal = all(found.initiated)
    if shared and not reciprocal:
        contributions.append(
            Contribution(
                source="reciprocity",
                id="one-sided",
                label=_("only one side initiated"),
                date=None,
                points=-(1 - cfg.one_sided) * total,
                detail=_("interaction points ×{factor}").format(factor=format_number(cfg.one_sided, lang)),
            )
        )
        total *= cfg.one_sided
    ends = {a, b}
    entities = store.get_entities([a, b])
    names = {k: v.name for k, v in entities.items()}
    for bond in bonds(store.ties(a), entities.values()):
        if {bond.source, bond.target} == ends:
            contribution = _bond_contribution(cfg, bond, as_of, lang, names)
            total += contribution.points
            contributions.append(contribution)
    score = cfg.score(total)
    contributions.sort(key=lambda c: -abs(c.points))
    return PairStrength(
        a=a,
        a_name=names.get(a),
        b=b,
        b_name=names.get(b),
        score=score,
        tier=cfg.tier(score),
        points=total,
        interactions=len(shared),
        last=found.last,
        reciprocal=reciprocal,
        contributions=contributions,
    )
