"""The whole relationship graph as columns: every scored pair at once, for exports of the whole graph.

:func:`ofai_graph.strength.relationship_graph` builds a networkx graph, one dict per edge; an export
of a 100,000-entity store (1.4 million pairs) spent more time building and walking those dicts than
scoring. :func:`pair_table` applies the same steps 2–4 of :mod:`ofai_graph.strength` (ties and
affiliations, reciprocity, ``1 − exp(−points/scale)``) to the scorer's step-1 evidence column by
column, and gives the scores bit for bit as the graph has them. The evidence comes from one
function, :func:`evidence`, so that a faster source of it (pairs kept in the store) serves every
export at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .bulk import paused_gc
from .dates import PartialDate
from .store.base import EntitySummary, Store
from .strength import StrengthConfig, _bond_evidence, _bonds_in_scope, _evidence, _Pairs

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np


def evidence(store: Store, cfg: StrengthConfig, as_of: dt.date) -> _Pairs:
    """Step 1 of :mod:`ofai_graph.strength` for every pair: points before reciprocity, count, last, who
    initiated. The one place the exports get it from, and the relationship graph's own source (the
    materialized pairs of :mod:`ofai_graph.materialize` when the store keeps them with these weights,
    else a rescoring of every interaction), so that an export shows the strengths
    ``ofai-graph strength`` shows."""
    return _evidence(store, cfg, as_of, None, None)


@dataclass
class PairTable:
    """Nodes and scored pairs; pair ``k`` links ``names[a[k]]`` and ``names[b[k]]``."""

    entities: list[EntitySummary]  # every stored entity, in the store's order
    names: list[str]  # the codes of ``a`` and ``b``: entity ids
    a: np.ndarray
    b: np.ndarray
    score: list[float]  # in [0, 1], as ``relationship_graph`` has it (Python floats)
    points: np.ndarray
    interactions: np.ndarray  # shared interactions
    last: np.ndarray  # the scorer's code of the latest shared interaction's interval; 0: none
    reciprocal: np.ndarray  # bool
    ties: dict[int, list[str]] = field(default_factory=dict)  # pair -> tie kinds (few pairs have any)
    as_of: dt.date | None = None
    config: StrengthConfig = field(default_factory=StrengthConfig)

    def __len__(self) -> int:
        return len(self.score)

    @classmethod
    def from_graph(cls, g: nx.Graph) -> PairTable:
        """The columns of a graph of :func:`ofai_graph.strength.relationship_graph` (or a part of one)."""
        import numpy as np

        names = list(g.nodes)
        code = {n: i for i, n in enumerate(names)}
        entities = [
            EntitySummary(
                n, d.get("type", ""), d.get("kind", ""), d.get("name") or n, tuple(d.get("countries") or ())
            )
            for n, d in g.nodes(data=True)
            if "type" in d
        ]
        a, b, score, points, count, last, recip = [], [], [], [], [], [], []
        ties: dict[int, list[str]] = {}
        for k, (u, v, d) in enumerate(g.edges(data=True)):
            a.append(code[u])
            b.append(code[v])
            score.append(d["score"])
            points.append(d.get("points", 0.0))
            count.append(d.get("interactions", 0))
            end, start = d.get("last"), d.get("last_start") or d.get("last")
            last.append((end.toordinal() << 16) | (0xFFFF - (end - start).days) if end is not None else 0)
            recip.append(bool(d.get("reciprocal")))
            if d.get("ties"):
                ties[k] = list(d["ties"])
        return cls(
            entities, names, np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), score,
            np.asarray(points, dtype=np.float64), np.asarray(count, dtype=np.int64),
            np.asarray(last, dtype=np.int64), np.asarray(recip, dtype=bool), ties,
            g.graph.get("as_of"), g.graph.get("config") or StrengthConfig(),
        )  # fmt: skip

    def edges(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """The pairs as ``relationship_graph``'s edges (its attribute names), one at a time."""
        names = self.names
        intervals = last_intervals(self.last)
        no_ties: list[str] = []
        for k, (a, b, score, points, n, last, recip) in enumerate(
            zip(self.a.tolist(), self.b.tolist(), self.score, self.points.tolist(),
                self.interactions.tolist(), self.last.tolist(), self.reciprocal.tolist(), strict=True)
        ):  # fmt: skip
            end, start = intervals.get(last, (None, None))
            yield names[a], names[b], {
                "score": score, "points": points, "interactions": n, "last": end, "last_start": start,
                "reciprocal": recip, "ties": self.ties.get(k, no_ties), "cost": -math.log(score),
            }  # fmt: skip


def last_intervals(codes: np.ndarray) -> dict[int, tuple[dt.date, dt.date]]:
    """``(end, start)`` of each distinct last-interaction code (a few thousand among a million pairs)."""
    import numpy as np

    out = {}
    for code in np.unique(codes).tolist():
        if code:
            end = code >> 16
            out[code] = (dt.date.fromordinal(end), dt.date.fromordinal(end - (0xFFFF - (code & 0xFFFF))))
    return out


def last_labels(codes: np.ndarray) -> dict[int, str]:
    """The date text (``2024-Q1``, ``2024-02-12``) of each distinct last-interaction code."""
    return {c: str(PartialDate.from_interval(s, e)) for c, (e, s) in last_intervals(codes).items()}


@paused_gc()
def pair_table(store: Store, *, as_of: dt.date, config: StrengthConfig | None = None) -> PairTable:
    """Every pair of the relationship graph as of ``as_of``, scored as
    :func:`ofai_graph.strength.relationship_graph` scores it.

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> from ofai_graph.importer import import_data
    >>> store = SQLiteStore(":memory:")
    >>> _ = import_data(store, {"organizations": [
    ...     {"id": "ofai", "name": "OFAI", "kind": "home_office"},
    ...     {"id": "jica", "name": "JICA", "kind": "bilateral_agency"}],
    ...   "interactions": [{"id": "v", "date": "2024-03-01", "kind": "visit", "title": "Visita",
    ...     "participants": [{"entity": "ofai", "role": "host"}, {"entity": "jica", "role": "offerer"}]}]})
    >>> t = pair_table(store, as_of=dt.date(2024, 3, 1))
    >>> [(t.names[a], t.names[b], round(s, 3)) for a, b, s in zip(t.a, t.b, t.score)]
    [('jica', 'ofai', 0.451)]
    """
    import numpy as np

    cfg = config or StrengthConfig()
    pairs = evidence(store, cfg, as_of)
    entities = list(store.entity_summaries())
    people = [s.id for s in entities if s.type == "person"]
    bonds = _bond_evidence(_bonds_in_scope(store, people, None), cfg, as_of)

    names = list(pairs.names)
    a = np.asarray(pairs.a, dtype=np.int64)
    b = np.asarray(pairs.b, dtype=np.int64)
    bits = np.asarray(pairs.bits, dtype=np.int64)
    reciprocal = bits == 3
    # Step 3 and the ties of step 2, in the order strength._scored_edges adds them: the same floats.
    total = np.asarray(pairs.points, dtype=np.float64) * np.where(reciprocal, 1.0, cfg.one_sided)
    count = np.asarray(pairs.count, dtype=np.int64)
    last = np.asarray(pairs.last, dtype=np.int64)
    ties: dict[int, list[str]] = {}
    if bonds.points:
        code = {n: i for i, n in enumerate(names)}
        width = max(1, len(names))
        key = a * width + b  # sorted: the scorer lists pairs in (a, b) order
        extra_a: list[int] = []
        extra_b: list[int] = []
        extra_points: list[float] = []
        for (na, nb), pts in bonds.points.items():
            ca, cb = code.get(na), code.get(nb)
            k = -1
            if ca is not None and cb is not None and ca < width and cb < width:
                k = int(np.searchsorted(key, ca * width + cb))
                if k >= len(key) or key[k] != ca * width + cb:
                    k = -1
            if k >= 0:
                total[k] += pts
                ties[k] = bonds.kinds[(na, nb)]
                continue
            for n in (na, nb):
                if n not in code:
                    code[n] = len(names)
                    names.append(n)
            ties[len(key) + len(extra_a)] = bonds.kinds[(na, nb)]
            extra_a.append(code[na])
            extra_b.append(code[nb])
            extra_points.append(pts)
        if extra_a:
            n_extra = len(extra_a)
            a = np.concatenate((a, np.asarray(extra_a, dtype=np.int64)))
            b = np.concatenate((b, np.asarray(extra_b, dtype=np.int64)))
            total = np.concatenate((total, np.asarray(extra_points, dtype=np.float64)))
            count = np.concatenate((count, np.zeros(n_extra, dtype=np.int64)))
            last = np.concatenate((last, np.zeros(n_extra, dtype=np.int64)))
            reciprocal = np.concatenate((reciprocal, np.zeros(n_extra, dtype=bool)))
    # Step 4 with math.expm1, as the graph: numpy's vectorized expm1 may differ in the last bit.
    expm1, scale = math.expm1, cfg.scale
    score = [-expm1(-t / scale) for t in total.tolist()]
    keep = np.asarray(score) > 0.0
    if not keep.all():
        index = np.flatnonzero(keep)
        renumber = {int(old): new for new, old in enumerate(index.tolist()) if int(old) in ties}
        ties = {renumber[k]: v for k, v in ties.items() if k in renumber}
        score = [score[i] for i in index.tolist()]
        a, b, count, last = a[index], b[index], count[index], last[index]
        total, reciprocal = total[index], reciprocal[index]
    return PairTable(entities, names, a, b, score, total, count, last, reciprocal, ties, as_of, cfg)
