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
    bound: bool = True,
) -> list[list[str]]:
    """The ``k`` simple paths from ``source`` to any of ``targets`` with the highest product of ``score``.

    ``g`` is a relationship graph (edge attribute ``cost = -log(score)``). A path ends at the first
    target it reaches and has at most ``max_hops`` edges. ``avoid`` removes entities; ``via_kinds``
    restricts intermediate entities to those kinds. With ``distinct`` (the default) each route, the
    sequence of intermediaries, is reported once: going through IMCT to the Korean government or to
    the project Korea funds is one route, not two answers.

    Paths come in order of cost, and among paths of equal cost in order of their entity ids (so the
    answer never depends on the order the graph was read in); it is what Yen's algorithm
    (``networkx.shortest_simple_paths``) finds, filtered the same way (the tests check this).

    The search is best-first (A*) over partial paths, each keyed by a lower bound of the cost of
    any path completing it: its cost so far plus the cheapest **last hop** into the targets it could
    still take (the targets' strongest partners, read once up front, not counting the entities
    already on the path). Since every route ends with such a hop, a partial path is expanded only if
    it could still beat the ``k``-th route; without that bound (``bound=False``), every partial path
    cheaper than the ``k``-th route is, and around the office's near-free ties that is thousands.
    Each partial path is extended with its neighbours one at a time, cheapest first, and a
    neighbour list is read only when the search reaches it: around a hub with 70,000 partners that
    is the difference between seconds and milliseconds.

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

    def between(w: str) -> bool:
        return w not in goal and allowed(w)

    # Per node, built when first needed and cheapest first: its targets (a path's last hop), and
    # the other entities a path may go through.
    ordered: dict[tuple[str, bool], Any] = {}

    def neighbours(v: str, last: bool) -> Any:
        key = (v, last)
        lst = ordered.get(key)
        if lst is None:
            if lazy is not None:
                lst = lazy(v, goal, allowed) if last else lazy(v, None, between)
            else:
                keep = goal.__contains__ if last else between
                lst = sorted((d["cost"], w) for w, d in adj[v].items() if keep(w))
            ordered[key] = lst
        return lst

    # The cheapest last hops into the targets, by entity (not the source, nor an avoided one):
    # ``hops`` the first few, cheapest first; any entity not among them pays at least ``floor``.
    hops: list[tuple[float, str]] = []
    floor = 0.0  # (no bound)
    if bound and "last_hops" in g.graph:
        hops, floor = g.graph["last_hops"](goal, {source} | avoid)
    elif bound and lazy is None:
        hops, floor = _last_hops(adj, goal, {source} | avoid)
    listed = {u: c for c, u in hops}

    def into(w: str) -> float:
        """The cheapest last hop from ``w`` into the targets, or less."""
        return listed.get(w, floor)

    def beyond(path: tuple[str, ...]) -> float:
        """The cheapest last hop into the targets from an entity not on ``path``, or less."""
        for c, u in hops:
            if u not in path:
                return c
        return floor

    prefetch = g.graph.get("prefetch")
    prefetched: set[str] = set()
    # Entries (key, order, kind, i, cost, resolved, path): a path to extend (key: its cost plus the
    # least its completion costs), or the neighbours of its end from the i-th on (key: a lower bound
    # of any of them; resolved once the i-th was read). Equal keys go to the smaller ``order`` (a
    # path no larger than any path the entry leads to): the answers come in (cost, ids) order,
    # whatever the order things were read in.
    heap: list[tuple[float, tuple[str, ...], int, int, float, bool, tuple[str, ...]]] = [
        (0.0, (source,), _PATH, 0, 0.0, True, (source,))
    ]
    found: list[list[str]] = []
    routes: set[tuple[str, ...]] = set()
    while heap and len(found) < k:
        key, _order, kind, i, cost, resolved, path = heapq.heappop(heap)
        if kind == _PATH:
            w = path[-1]
            if w in goal:
                route = path[1:-1]
                if not (distinct and route in routes):
                    routes.add(route)
                    found.append(list(path))
                continue
            hops_done = len(path) - 1
            if hops_done < max_hops:
                lb = cost + (0.0 if hops_done == 0 else into(w))
                if lb < math.inf:
                    heapq.heappush(heap, (lb, path, _TARGETS, 0, cost, False, path))
            if hops_done + 2 <= max_hops:
                lb = cost + beyond(path)
                if lb < math.inf:
                    heapq.heappush(heap, (lb, path, _THROUGH, 0, cost, False, path))
            continue
        last = kind == _TARGETS
        if last and distinct and path[1:] in routes:
            continue  # any target from here repeats a route found
        lst = neighbours(path[-1], last)
        if not resolved:  # read the i-th neighbour (or a later one, off the path)
            while (item := _at(lst, i)) is not None and item[1] in path:
                i += 1
            if item is not None:
                lb = cost + item[0] + (0.0 if last else beyond(path))
                # Keyed by the path it makes: every path it leads to starts so. (Its old ``order``
                # bounded the paths of its old key only: at a higher cost a target of a smaller id
                # came after a longer path of the same cost.)
                heapq.heappush(heap, (lb, (*path, item[1]), kind, i, cost, True, path))
            continue
        c, w = _at(lst, i)  # type: ignore[misc]
        step = cost + c
        after = (*path, w)
        if last:
            heapq.heappush(heap, (step, after, _PATH, 0, step, True, after))
            # The next target costs no less, and at the same cost comes after w (lists are in
            # (cost, id) order): keyed so, it waits until this path is taken, and is not read at
            # all when routes are distinct (the same route again).
            heapq.heappush(heap, (key, after, kind, i + 1, cost, False, path))
        else:
            heapq.heappush(heap, (key, path, kind, i + 1, cost, False, path))  # the next one costs no less
            rest = into(w) if len(path) + 1 == max_hops else beyond(path)
            if step + rest < math.inf:
                heapq.heappush(heap, (step + rest, after, _PATH, 0, step, True, after))
                if prefetch is not None and w not in prefetched:
                    # w and the next partners of path[-1] are what the search extends next:
                    # what extending them reads (their ties), read for them together
                    ahead = [w, *lst.peek(i + 1, 127)]
                    prefetch(ahead)
                    prefetched.update(ahead)
    return found


_PATH, _TARGETS, _THROUGH = 0, 1, 2


def _last_hops(adj: Any, goal: set[str], exclude: Collection[str]) -> tuple[list[tuple[float, str]], float]:
    """Every entity's cheapest edge into ``goal`` (all of them: ``floor`` is infinite)."""
    best: dict[str, float] = {}
    for t in goal:
        for u, d in adj[t].items():
            if u in goal or u in exclude:
                continue
            c = d["cost"]
            if c < best.get(u, math.inf):
                best[u] = c
    return sorted((c, u) for u, c in best.items()), math.inf


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
    # Every hop's evidence in one call (routes share hops; a server reads several at once).
    hops_with_interactions = [(u, v) for nodes in raw for u, v in itertools.pairwise(nodes) if g[u][v]["interactions"]]
    shared_by_pair = store.shared_interactions_many(hops_with_interactions, limit=evidence, until=as_of)
    for nodes in raw:
        hops = []
        for u, v in itertools.pairwise(nodes):
            e = g[u][v]
            shared = shared_by_pair.get((u, v), [])
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
        import networkx as nx

        if not isinstance(g, nx.Graph):  # (a lazy search's graph: materialize.SearchGraph)
            g = g.to_networkx()
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
