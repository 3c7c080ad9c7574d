"""Referral paths: who connects us to Korea?

A path's score is the **product of its edges' strengths** (each in [0, 1]): a chain is as good as
the chance that every introduction along it works, so it can never exceed its weakest link, and
every extra hop costs. The k best simple paths are found with Yen's algorithm
(``networkx.shortest_simple_paths``) on edge costs ``-log(strength)``, so the cheapest path is the
one with the highest product.

A target may be one entity or a **country**: every entity based in it (its ``countries``), tied to it
(represents, based in) or funded by an entity of it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import TYPE_CHECKING

from pydantic import BaseModel

from .store.base import Store
from .strength import StrengthConfig, last_label

if TYPE_CHECKING:
    import networkx as nx

_SINK = "\x00target"


class Hop(BaseModel):
    source: str
    target: str
    source_name: str
    target_name: str
    score: float
    tier: str
    interactions: int
    ties: list[str]
    last: str | None
    evidence: list[str] = []
    weakest: bool = False


class Path(BaseModel):
    nodes: list[str]
    names: list[str]
    score: float
    hops: list[Hop]

    @property
    def weakest(self) -> Hop:
        return min(self.hops, key=lambda h: h.score)


class Target(BaseModel):
    query: str
    kind: str  # "country" or "entity"
    label: str
    ids: list[str]


class Connection(BaseModel):
    source: str
    target: Target
    paths: list[Path]
    max_hops: int
    as_of: dt.date
    nearest: list[str] = []  # when unreachable: reachable entities of the target's country or kind
    note: str | None = None


def country_members(store: Store, code: str) -> list[str]:
    """Entities based in, tied to, or funded by an entity of the country ``code``."""
    members = {s.id for s in store.entity_summaries() if code in s.countries and s.id != code}
    for t in store.ties(code):
        if t.kind.value in ("represents", "based_in", "member_of", "part_of"):
            members.add(t.source if t.target == code else t.target)
    for t in store.ties():
        if t.kind.value == "funds" and (t.source in members or t.source == code):
            members.add(t.target)
        if t.kind.value == "represents" and t.target in members:
            members.add(t.source)
    members.discard(code)
    return sorted(members)


def target_for(store: Store, entity_id: str, query: str | None = None) -> Target:
    ent = store.get_entities([entity_id])[entity_id]
    if ent.type == "country":
        return Target(
            query=query or entity_id, kind="country", label=ent.name, ids=country_members(store, entity_id)
        )
    return Target(query=query or entity_id, kind="entity", label=ent.name, ids=[entity_id])


def k_best_paths(
    g: nx.Graph,
    source: str,
    targets: list[str],
    *,
    k: int = 5,
    max_hops: int = 4,
    avoid: frozenset[str] = frozenset(),
    via_kinds: frozenset[str] | None = None,
    distinct: bool = True,
    max_examined: int = 2000,
) -> list[list[str]]:
    """The ``k`` simple paths from ``source`` to any of ``targets`` with the highest product of ``score``.

    ``g`` is a relationship graph (edge attribute ``cost = -log(score)``). ``avoid`` removes
    entities; ``via_kinds`` restricts intermediate entities to those kinds. With ``distinct`` (the
    default) each route, the sequence of intermediaries, is reported once: going through IMCT to
    the Korean government or to the project Korea funds is one route, not two answers.
    ``g`` is left as it was.

    >>> import networkx as nx, math
    >>> g = nx.Graph()
    >>> for a, b, s in [("ofai", "apc", 0.9), ("apc", "kr", 0.8), ("ofai", "kr", 0.3)]:
    ...     g.add_edge(a, b, score=s, cost=-math.log(s))
    >>> k_best_paths(g, "ofai", ["kr"], k=2)
    [['ofai', 'apc', 'kr'], ['ofai', 'kr']]
    """
    import networkx as nx

    if source not in g:
        return []
    goal = [t for t in targets if t in g and t != source and t not in avoid]
    if not goal:
        return []
    goal_set = set(goal)
    kinds = g.nodes

    def allowed(node: str) -> bool:
        if node in avoid:
            return False
        if node in (source, _SINK) or node in goal_set:
            return True
        return via_kinds is None or kinds[node].get("kind") in via_kinds

    def weight(u: str, v: str, data: dict) -> float | None:
        if not (allowed(u) and allowed(v)):
            return None
        if u == _SINK or v == _SINK:
            return 0.0
        return data["cost"]

    # One virtual sink joined to every target turns "to any of them" into one search. It is added
    # and removed here because copying a graph of a million edges costs more than the search.
    if len(goal) == 1:
        sink = goal[0]
    else:
        sink = _SINK
        g.add_node(_SINK)
        g.add_edges_from((t, _SINK) for t in goal)
    found: list[list[str]] = []
    routes: set[tuple[str, ...]] = set()
    try:
        for examined, path in enumerate(nx.shortest_simple_paths(g, source, sink, weight=weight)):
            if sink == _SINK:
                path = path[:-1]
            route = tuple(path[1:-1])
            if (
                len(path) - 1 <= max_hops
                and not (goal_set & set(route))
                and not (distinct and route in routes)
            ):
                routes.add(route)
                found.append(path)
                if len(found) == k:
                    break
            if examined >= max_examined:
                break
    except nx.NetworkXNoPath:
        pass
    finally:
        if sink == _SINK:
            g.remove_node(_SINK)
    return found


def connect(
    g: nx.Graph,
    store: Store,
    source: str,
    target: Target,
    *,
    k: int = 5,
    max_hops: int = 4,
    avoid: list[str] | None = None,
    via_kinds: list[str] | None = None,
    evidence: int = 3,
) -> Connection:
    """The ``k`` strongest referral paths from ``source`` to ``target``, each hop with its evidence.

    The weakest hop of each path is marked. When nothing is reachable, ``nearest`` names the
    entities of the same country (or kind) that ``source`` can reach, strongest path first.
    """
    import networkx as nx

    as_of = g.graph.get("as_of", dt.date.today())
    cfg = g.graph.get("config") or StrengthConfig()
    raw = k_best_paths(
        g,
        source,
        target.ids,
        k=k,
        max_hops=max_hops,
        avoid=frozenset(avoid or ()),
        via_kinds=frozenset(via_kinds) if via_kinds else None,
    )
    paths = []
    for nodes in raw:
        hops = []
        for u, v in itertools.pairwise(nodes):
            e = g[u][v]
            shared = store.shared_interactions(u, v)[:evidence] if e["interactions"] else []
            hops.append(
                Hop(
                    source=u,
                    target=v,
                    source_name=g.nodes[u].get("name", u),
                    target_name=g.nodes[v].get("name", v),
                    score=e["score"],
                    tier=cfg.tier(e["score"]),
                    interactions=e["interactions"],
                    ties=list(e["ties"]),
                    last=last_label(e),
                    evidence=[f"{i.date} · {i.kind.value} · {i.title}" for i in shared]
                    + [f"tie: {kind}" for kind in e["ties"]],
                )
            )
        weakest = min(range(len(hops)), key=lambda i: hops[i].score)
        hops[weakest].weakest = True
        score = math.prod(h.score for h in hops)
        paths.append(
            Path(nodes=nodes, names=[g.nodes[n].get("name", n) for n in nodes], score=score, hops=hops)
        )
    result = Connection(source=source, target=target, paths=paths, max_hops=max_hops, as_of=as_of)
    if not paths:
        reach = nx.single_source_dijkstra_path_length(g, source, weight="cost") if source in g else {}
        if target.kind == "entity" and target.ids and target.ids[0] in g:
            t = target.ids[0]
            same = [n for n in g if g.nodes[n].get("kind") == g.nodes[t].get("kind") and n != t]
            countries = set(g.nodes[t].get("countries") or ())
            same += [n for n in g if countries & set(g.nodes[n].get("countries") or ()) and n != t]
        else:
            same = list(target.ids)
        candidates = sorted({n for n in same if n in reach and n != source}, key=lambda n: reach[n])
        result.nearest = candidates[:5]
        result.note = f"no path of at most {max_hops} hops from {source} to {target.label}" + (
            "" if target.ids else f": nothing in the data is linked to {target.label}"
        )
    return result
