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
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .dates import PartialDate
from .store.base import Participation, Store

if TYPE_CHECKING:
    import networkx as nx

INITIATING_ROLES = frozenset({"organizer", "requester", "applicant", "offerer", "host", "funder"})


class StrengthConfig(BaseModel):
    """Weights and thresholds of the strength score; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")

    half_life_days: float = Field(180.0, gt=0)
    scale: float = Field(2.0, gt=0)
    one_sided: float = Field(0.75, ge=0, le=1)
    kind: dict[str, float] = {
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
    outcome: dict[str, float] = {
        "approved": 1.5,
        "done": 1.0,
        "in_progress": 1.0,
        "pending": 0.7,
        "planned": 0.6,
        "declined": 0.5,
        "no_participation": 0.3,
    }
    role: dict[str, float] = {
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
    tie: dict[str, float] = {
        "part_of": 1.0,
        "represents": 1.0,
        "member_of": 0.8,
        "liaison_for": 0.8,
        "funds": 0.8,
        "partner_of": 0.6,
        "based_in": 0.3,
        "affiliation": 1.0,
    }
    tiers: dict[str, float] = {"strong": 0.6, "medium": 0.3, "weak": 0.1}

    @classmethod
    def load(cls, path: str | Path | None) -> StrengthConfig:
        """Defaults, overridden by the ``strength:`` section of a YAML file if it exists."""
        if path is None or not Path(path).exists():
            return cls()
        import yaml

        from .errors import OfaiError

        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        section = doc.get("strength", {}) if isinstance(doc, dict) else {}
        try:
            base = cls().model_dump()
            for key, value in section.items():
                if isinstance(base.get(key), dict) and isinstance(value, dict):
                    base[key].update(value)
                else:
                    base[key] = value
            return cls.model_validate(base)
        except Exception as exc:
            raise OfaiError(f"{path}: invalid strength settings: {exc}") from None

    def tier(self, score: float) -> str:
        for name in ("strong", "medium", "weak"):
            if score >= self.tiers[name]:
                return name
        return "cold"

    def decay(self, age_days: float) -> float:
        return 2.0 ** (-max(0.0, age_days) / self.half_life_days)

    def score(self, points: float) -> float:
        return 1.0 - math.exp(-max(0.0, points) / self.scale)


class Contribution(BaseModel):
    """One piece of evidence behind a pair's score."""

    source: str  # "interaction" or "tie"
    id: str
    label: str
    date: str | None
    points: float
    detail: str


class PairStrength(BaseModel):
    a: str
    b: str
    b_name: str | None = None
    score: float
    tier: str
    points: float
    interactions: int
    last: dt.date | None
    last_label: str | None = None
    reciprocal: bool
    contributions: list[Contribution] = []


def _midpoint(start: dt.date, end: dt.date) -> dt.date:
    return start + (end - start) / 2


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
    """The points one interaction gives a pair (step 1 of the module docstring)."""
    age = (as_of - _midpoint(start, end)).days
    role = math.sqrt(cfg.role.get(role_a, 0.5) * cfg.role.get(role_b, 0.5))
    return cfg.kind.get(kind, 0.5) * role * cfg.outcome.get(status, 1.0) / max(1, n - 1) * cfg.decay(age)


def tie_points(
    cfg: StrengthConfig, kind: str, since: dt.date | None, until: dt.date | None, as_of: dt.date
) -> float:
    if since is not None and since > as_of:
        return 0.0
    weight = cfg.tie.get(kind, 0.5)
    if until is not None and until < as_of:
        return weight * cfg.decay((as_of - until).days)
    return weight


def _group(participations: Iterable[Participation]) -> Iterable[list[Participation]]:
    """Consecutive participations of one interaction (stores yield them ordered by interaction)."""
    current: list[Participation] = []
    current_id = None
    for p in participations:
        if p[0] != current_id:
            if current:
                yield current
            current = []
            current_id = p[0]
        current.append(p)
    if current:
        yield current


def relationship_graph(
    store: Store, *, as_of: dt.date | None = None, config: StrengthConfig | None = None
) -> nx.Graph:
    """The weighted entity graph: one edge per pair with evidence, ``score`` in [0, 1].

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
    # One list per pair: [points, interactions, last end, last start, initiated bits]. This loop runs
    # once per participation (three million times on the benchmark graph): one dict lookup per pair,
    # and the decay of each distinct date interval computed once.
    acc: dict[tuple[str, str], list] = {}
    kind_w, outcome_w, role_w = cfg.kind, cfg.outcome, cfg.role
    half = cfg.half_life_days
    initiating = INITIATING_ROLES
    decay_of: dict[tuple[dt.date, dt.date], float] = {}
    for group in _group(store.participations()):
        start, end, kind, status = group[0][1:5]
        if start > as_of:
            continue
        if len(group) == 2 and group[0][5] != group[1][5]:
            roles = {group[0][5]: group[0][6], group[1][5]: group[1][6]}
        else:
            roles = {}
            for p in group:  # an entity with two roles counts once, with its stronger role
                e, r = p[5], p[6]
                if e not in roles or role_w.get(r, 0.5) > role_w.get(roles[e], 0.5):
                    roles[e] = r
        n = len(roles)
        if n < 2:
            continue
        decay = decay_of.get((start, end))
        if decay is None:
            age = (as_of - _midpoint(start, end)).days
            decay = decay_of[(start, end)] = 2.0 ** (-max(0, age) / half)
        base = kind_w.get(kind, 0.5) * outcome_w.get(status, 1.0) / (n - 1) * decay
        members = sorted(roles.items())
        for i in range(n):
            a, ra = members[i]
            wa = role_w.get(ra, 0.5)
            init_a = 1 if ra in initiating else 0
            for j in range(i + 1, n):
                b, rb = members[j]
                key = (a, b)
                pts = base * math.sqrt(wa * role_w.get(rb, 0.5))
                bits = init_a | (2 if rb in initiating else 0)
                slot = acc.get(key)
                if slot is None:
                    acc[key] = [pts, 1, end, start, bits]
                else:
                    slot[0] += pts
                    slot[1] += 1
                    if end > slot[2]:
                        slot[2], slot[3] = end, start
                    slot[4] |= bits
    tie_kinds: dict[tuple[str, str], list[str]] = defaultdict(list)
    tie_pts: dict[tuple[str, str], float] = defaultdict(float)
    for t in store.ties():
        key = tuple(sorted((t.source, t.target)))
        pts = tie_points(
            cfg, t.kind.value, t.since.start if t.since else None, t.until.end if t.until else None, as_of
        )
        if pts > 0:
            tie_pts[key] += pts
            tie_kinds[key].append(t.kind.value)
    summaries = {s.id: s for s in store.entity_summaries()}
    for person in store.get_entities(i for i, s in summaries.items() if s.type == "person").values():
        for a in getattr(person, "affiliations", []):
            if a.until is not None and a.until.end < as_of:
                pts = cfg.tie["affiliation"] * cfg.decay((as_of - a.until.end).days)
            elif a.since is not None and a.since.start > as_of:
                continue
            else:
                pts = cfg.tie["affiliation"]
            key = tuple(sorted((person.id, a.organization)))
            tie_pts[key] += pts
            tie_kinds[key].append("affiliation")

    g = nx.Graph()
    g.add_nodes_from(
        (s.id, {"name": s.name, "type": s.type, "kind": s.kind, "countries": s.countries})
        for s in summaries.values()
    )
    scale, one_sided = cfg.scale, cfg.one_sided
    exp, log = math.exp, math.log
    no_ties: list[str] = []

    def edges():  # type: ignore[no-untyped-def]
        for key in acc.keys() | tie_pts.keys():
            slot = acc.get(key)
            if slot is None:
                total, reciprocal, n, last_end, last_start = tie_pts[key], False, 0, None, None
            else:
                reciprocal = slot[4] == 3
                total = slot[0] * (1.0 if reciprocal else one_sided) + tie_pts.get(key, 0.0)
                n, last_end, last_start = slot[1], slot[2], slot[3]
            score = 1.0 - exp(-total / scale)
            if score > 0.0:
                yield (
                    key[0],
                    key[1],
                    {
                        "score": score,
                        "points": total,
                        "interactions": n,
                        "last": last_end,
                        "last_start": last_start,
                        "reciprocal": reciprocal,
                        "ties": tie_kinds.get(key, no_ties),
                        "cost": -log(score),
                    },
                )

    # networkx's add_edges_from copies each attribute dict and checks both ends on every call; on
    # a million edges that is most of the cost. Writing the adjacency directly is what networkx's
    # own converters do: one shared attribute dict per undirected edge.
    adj = g._adj
    for a, b, data in edges():
        if a not in adj:
            g.add_node(a)
        if b not in adj:
            g.add_node(b)
        adj[a][b] = data
        adj[b][a] = data
    g.graph.update(as_of=as_of, config=cfg)
    return g


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


def explain(
    store: Store, a: str, b: str, *, as_of: dt.date | None = None, config: StrengthConfig | None = None
) -> PairStrength:
    """The score of (a, b) with every interaction and tie behind it and the points each gave."""
    cfg = config or StrengthConfig()
    as_of = as_of or dt.date.today()
    contributions: list[Contribution] = []
    shared = [i for i in store.shared_interactions(a, b) if i.date.start <= as_of]
    init_a = init_b = False
    total = 0.0
    last = None
    for i in shared:
        roles: dict[str, str] = {}
        for p in i.participants:
            if p.entity not in roles or cfg.role.get(p.role.value, 0.5) > cfg.role.get(roles[p.entity], 0.5):
                roles[p.entity] = p.role.value
        pts = interaction_points(
            cfg, i.kind.value, i.status.value, roles[a], roles[b], len(roles), i.date.start, i.date.end, as_of
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
                detail=f"{i.kind.value} ({cfg.kind.get(i.kind.value, 0.5):g}) · {i.status.value} "
                f"({cfg.outcome.get(i.status.value, 1.0):g}) · roles {roles[a]}/{roles[b]} · "
                f"{len(roles)} parties · {age} days old (×{cfg.decay(age):.2f})",
            )
        )
    reciprocal = init_a and init_b
    if shared and not reciprocal:
        contributions.append(
            Contribution(
                source="reciprocity",
                id="one-sided",
                label="only one side initiated",
                date=None,
                points=-(1 - cfg.one_sided) * total,
                detail=f"interaction points ×{cfg.one_sided:g}",
            )
        )
        total *= cfg.one_sided
    for t in store.ties(a):
        if {t.source, t.target} != {a, b}:
            continue
        pts = tie_points(
            cfg, t.kind.value, t.since.start if t.since else None, t.until.end if t.until else None, as_of
        )
        total += pts
        span = f"{t.since or '…'} – {t.until or '…'}"
        contributions.append(
            Contribution(
                source="tie",
                id=t.id,
                label=f"{t.source} {t.kind.value} {t.target}",
                date=span,
                points=pts,
                detail=t.note or "",
            )
        )
    for person, org in ((a, b), (b, a)):
        ent = store.get_entities([person]).get(person)
        for aff in getattr(ent, "affiliations", []) or []:
            if aff.organization == org:
                pts = tie_points(
                    cfg,
                    "affiliation",
                    aff.since.start if aff.since else None,
                    aff.until.end if aff.until else None,
                    as_of,
                )
                total += pts
                contributions.append(
                    Contribution(
                        source="tie",
                        id=f"{person}--affiliation--{org}",
                        label=f"{person} works at {org}",
                        date=None,
                        points=pts,
                        detail=aff.title or "",
                    )
                )
    score = cfg.score(total)
    contributions.sort(key=lambda c: -abs(c.points))
    return PairStrength(
        a=a,
        b=b,
        score=score,
        tier=cfg.tier(score),
        points=total,
        interactions=len(shared),
        last=last,
        reciprocal=reciprocal,
        contributions=contributions,
    )
