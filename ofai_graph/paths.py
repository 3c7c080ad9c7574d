"""Referral paths: who connects us to Korea?

A path's score is the **product of its edges' strengths** (each in [0, 1]): a chain is as good as
the chance that every introduction along it works, so it can never exceed its weakest link, and
every extra hop costs. Paths are searched on edge costs ``-log(strength)``, so the cheapest path is
the one with the highest product (see :func:`k_best_paths`).

A target may be one entity, a **country** (every entity based in it, tied to it, or funded by an
entity of it) or a **tag** (every entity carrying it).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
from collections.abc import Collection
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from .results import WRITTEN_DATE, Result, Shown, Strength
from .store.base import Store
from .strength import StrengthConfig, last_label
from .targets import Target, country_members, tag_target, target_for  # noqa: F401  (their home was here)

if TYPE_CHECKING:
    import networkx as nx


class Hop(Result):
    source: str
    """From (id)."""
    target: str
    """To (id)."""
    source_name: str
    """From (name)."""
    target_name: str
    """To (name)."""
    score: Strength
    """The hop's strength in [0, 1]."""
    tier: Annotated[str, Shown("Tier")]
    """Its tier (code)."""
    interactions: int
    """Shared interactions."""
    ties: Annotated[list[str], Shown("TieKind")]
    """Tie kinds between the two (codes)."""
    last: Annotated[str | None, WRITTEN_DATE]
    """Latest shared interaction's date, as written."""
    evidence: list[str] = Field(default_factory=list)
    """The latest shared interactions and ties."""
    weakest: bool = False
    """Whether this is the path's weakest hop."""


class Path(Result):
    nodes: list[str]
    """Entity ids from the source to the target."""
    names: list[str]
    """Their names."""
    score: Strength
    """Product of the hops' strengths: the chance every introduction works."""
    hops: list[Hop]
    """Each hop with its evidence."""

    @property
    def weakest(self) -> Hop:
        return min(self.hops, key=lambda h: h.score)


class Connection(Result):
    source: str
    """Where the paths start (id)."""
    source_name: str | None = None
    """Its name."""
    target: Target
    """What they reach."""
    paths: list[Path]
    """The best paths, strongest first."""
    max_hops: int
    """The longest path searched."""
    as_of: dt.date
    """The date strengths were computed for."""
    nearest: list[str] = Field(default_factory=list)
    """When unreachable: the nearest reachable entities of the same country or kind."""
    nearest_names: list[str] = Field(default_factory=list)
    """Their names."""
    note: str | None = None
    """Why there is no path, when there is none."""


def neighbourhood(
    store: Store, source: str, targets: Collection[str], max_hops: int, *, limit: int | None = None
) -> set[str] | None:
    """The entities whose interactions, ties and affiliations decide every path of ``max_hops`` or less.

    A path of L <= h hops from the source to a target has, on each edge, an end within ``rs`` hops of
    the source or within ``rt`` hops of a target whenever rs + rt >= h - 2 (the edge at position j
    has its near end within j of the source, its far end within L - j - 1 of the target). So the
    balls of radius ``rs = (h - 1) // 2`` and ``rt = (h - 2) // 2`` around the two ends cover every
    edge such a path can use, and scores built from their entities alone are exact on those edges.
    This is what a remote store fetches for ``connect`` instead of the whole graph: two or three
    bounded expansions, run in the database.

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> from ofai_graph.importer import import_data
    >>> store = SQLiteStore(":memory:")
    >>> _ = import_data(store, {"organizations": [{"id": i, "name": i, "kind": "company"} for i in "abcde"],
    ...   "ties": [{"source": x, "target": y, "kind": "partner_of"} for x, y in ["ab", "bc", "cd", "de"]]})
    >>> sorted(neighbourhood(store, "a", ["e"], max_hops=4))
    ['a', 'b', 'd', 'e']
    >>> neighbourhood(store, "a", ["e"], max_hops=4, limit=3) is None
    True

    With ``limit``, gives up (returns None) as soon as the neighbourhood passes ``limit`` entities:
    around a hub that touches most of the graph, reading the whole graph is cheaper.
    """
    rs, rt = max(0, (max_hops - 1) // 2), max(0, (max_hops - 2) // 2)
    seen: set[str] = {source, *targets}
    for start, radius in (({source}, rs), (set(targets), rt)):
        frontier = set(start)
        for _ in range(radius):
            if limit is not None and len(seen) > limit:
                return None
            if not frontier:
                break
            # Asking for more than the room left would only make the store work longer.
            cap = None if limit is None else limit + len(seen) + 1
            found = store.neighbors(frontier, limit=cap)
            if cap is not None and len(found) >= cap:
                return None
            frontier = found - seen
            seen |= frontier
    return None if limit is not None and len(seen) > limit else seen


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
) -> list[list[str]]:
    """The ``k`` simple paths from ``source`` to any of ``targets`` with the highest product of ``score``.

    ``g`` is a relationship graph (edge attribute ``cost = -log(score)``). A path ends at the first
    target it reaches and has at most ``max_hops`` edges. ``avoid`` removes entities; ``via_kinds``
    restricts intermediate entities to those kinds. With ``distinct`` (the default) each route, the
    sequence of intermediaries, is reported once: going through IMCT to the Korean government or to
    the project Korea funds is one route, not two answers.

    The search is best-first over partial paths in order of cost, so the first ``k`` paths that reach
    a target are the ``k`` best (costs are never negative); it returns what Yen's algorithm
    (``networkx.shortest_simple_paths``) would, filtered the same way (the tests check this). Each
    partial path is extended with its neighbours one at a time, cheapest first, instead of all at
    once: around a hub with 70,000 partners that is the difference between seconds and milliseconds.

    >>> import networkx as nx, math
    >>> g = nx.Graph()
    >>> for a, b, s in [("ofai", "apc", 0.9), ("apc", "kr", 0.8), ("ofai", "kr", 0.3)]:
    ...     g.add_edge(a, b, score=s, cost=-math.log(s))
    >>> k_best_paths(g, "ofai", ["kr"], k=2)
    [['ofai', 'apc', 'kr'], ['ofai', 'kr']]
    """
    if source not in g or source in avoid:
        return []
    goal = {t for t in targets if t in g and t != source and t not in avoid}
    if not goal:
        return []
    adj = g._adj
    nodes = g.nodes
    lazy = g.graph.get("neighbours")  # a lazy graph (materialize.lazy_graph) reads neighbours as needed

    def allowed(w: str) -> bool:
        if w in goal:
            return True
        if w in avoid:
            return False
        return via_kinds is None or nodes[w].get("kind") in via_kinds

    # Neighbours sorted by cost, per node, built when first needed; on the last hop only targets.
    ordered: dict[tuple[str, bool], list[tuple[float, str]]] = {}

    def neighbours(v: str, last: bool) -> list[tuple[float, str]]:
        key = (v, last)
        lst = ordered.get(key)
        if lst is None:
            if lazy is not None:
                lst = lazy(v, goal if last else None, allowed)
            else:
                lst = sorted((d["cost"], w) for w, d in adj[v].items() if (w in goal if last else allowed(w)))
            ordered[key] = lst
        return lst

    heap: list[tuple[float, int, tuple[str, ...], int, float]] = []
    tie = itertools.count()

    def push_extension(cost: float, path: tuple[str, ...], start: int) -> None:
        """Queue the cheapest extension of ``path`` by its ``start``-th neighbour or a later one."""
        hops = len(path) - 1
        if hops >= max_hops:
            return
        lst = neighbours(path[-1], hops + 1 == max_hops)
        i = start
        while (item := _at(lst, i)) is not None and item[1] in path:
            i += 1
        if item is not None:
            heapq.heappush(heap, (cost + item[0], next(tie), path, i, cost))

    push_extension(0.0, (source,), 0)
    found: list[list[str]] = []
    routes: set[tuple[str, ...]] = set()
    while heap and len(found) < k:
        cost, _, parent, i, parent_cost = heapq.heappop(heap)
        lst = neighbours(parent[-1], len(parent) == max_hops)
        w = lst[i][1]
        push_extension(parent_cost, parent, i + 1)  # the next sibling, never cheaper than this one
        path = (*parent, w)
        if w in goal:
            route = path[1:-1]
            if not (distinct and route in routes):
                routes.add(route)
                found.append(list(path))
        else:
            push_extension(cost, path, 0)
    return found


def _at(lst: Any, i: int) -> tuple[float, str] | None:
    """The i-th neighbour of a sorted list or of a lazy one (:class:`ofai_graph.materialize.Neighbours`)."""
    if isinstance(lst, list):
        return lst[i] if i < len(lst) else None
    return lst.at(i)  # type: ignore[no-any-return]


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
    lang: str = "en",
) -> Connection:
    """The ``k`` strongest referral paths from ``source`` to ``target``, each hop with its evidence.

    The weakest hop of each path is marked. When nothing is reachable, ``nearest`` names the
    entities of the same country (or kind) that ``source`` can reach, strongest path first.
    """
    import networkx as nx

    from .i18n import format_date, gettext_for
    from .labels import label

    _ = gettext_for(lang)
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
    if "complete" in g.graph:  # a lazy graph: the names of the entities on the paths
        g.graph["complete"]({n for nodes in raw for n in nodes})
    paths = []
    for nodes in raw:
        hops = []
        for u, v in itertools.pairwise(nodes):
            e = g[u][v]
            shared = store.shared_interactions(u, v, limit=evidence) if e["interactions"] else []
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
                    evidence=[
                        f"{format_date(i.date, lang)} · {label('InteractionKind', i.kind, lang)} · {i.title}"
                        for i in shared
                    ]
                    + [_("tie: {kind}").format(kind=label("TieKind", kind, lang)) for kind in e["ties"]],
                )
            )
        weakest = min(range(len(hops)), key=lambda i: hops[i].score)
        hops[weakest].weakest = True
        score = math.prod(h.score for h in hops)
        paths.append(
            Path(nodes=nodes, names=[g.nodes[n].get("name", n) for n in nodes], score=score, hops=hops)
        )
    result = Connection(
        source=source,
        source_name=g.nodes[source].get("name", source) if source in g else None,
        target=target,
        paths=paths,
        max_hops=max_hops,
        as_of=as_of,
    )
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
        result.nearest_names = [g.nodes[n].get("name", n) for n in result.nearest]
        source_name = g.nodes[source].get("name", source) if source in g else source
        if target.ids:
            result.note = _("no path of at most {hops} hops from {source} to {target}").format(
                hops=max_hops, source=source_name, target=target.label
            )
        else:
            result.note = _("no path from {source} to {target}: nothing in the data is linked to it").format(
                source=source_name, target=target.label
            )
    return result
