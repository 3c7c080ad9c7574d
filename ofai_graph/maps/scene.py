"""What a map shows and for whom: the part of the graph it keeps, the routes on it, the names a reader sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Person
from ..redaction import Redactor
from ..store.base import Store
from .routes import Routes
from .words import Words

if TYPE_CHECKING:
    import networkx as nx

    from ..paths import Connection


def select(
    g: nx.Graph,
    store: Store,
    home: str,
    *,
    focus: str | None = None,
    hops: int = 1,
    kinds: Sequence[str] = (),
    countries: Sequence[str] = (),
    min_strength: float = 0.0,
    since: dt.date | None = None,
    until: dt.date | None = None,
    paths: Connection | None = None,
    only_routes: bool = False,
) -> nx.Graph:
    """The part of the relationship graph a map shows (a new graph; ``g`` is not changed).

    Nodes and edges are added in sorted order, so that everything computed from the result (the
    layout, the page) is the same on every run.
    """
    import networkx as nx

    path_nodes = {n for p in (paths.paths if paths else []) for n in p.nodes}
    keep = set(g)
    if only_routes:
        keep = set(path_nodes)
    if focus is not None:
        keep = set(nx.ego_graph(g, focus, radius=hops)) if focus in g else {focus}
    if kinds:
        keep = {n for n in keep if g.nodes[n].get("kind") in kinds or n == home}
    if countries:
        keep = {n for n in keep if set(g.nodes[n].get("countries") or ()) & set(countries) or n == home}
    keep |= path_nodes & set(g)
    h = nx.Graph()
    h.add_nodes_from((n, g.nodes[n]) for n in sorted(keep))
    path_edges = {
        frozenset(pair)
        for p in (paths.paths if paths else [])
        for pair in zip(p.nodes, p.nodes[1:], strict=False)
    }
    for a, b in sorted(tuple(sorted(e)) for e in g.subgraph(keep).edges()):
        d = g[a][b]
        on_path = frozenset((a, b)) in path_edges
        if only_routes and not on_path:
            continue
        if d["score"] < min_strength and not ({a, b} <= path_nodes):
            continue
        last = d.get("last")
        if since is not None and (last is None or last < since) and d["interactions"] and not on_path:
            continue
        if until is not None and d.get("last_start") is not None and d["last_start"] > until and not on_path:
            continue
        h.add_edge(a, b, **d)
    # A country is context, not an actor: shown only where something links to it.
    h.remove_nodes_from([n for n in list(h) if h.nodes[n].get("type") == "country" and h.degree(n) == 0])
    return h


@dataclass
class Scene:
    """What the map shows and for whom: the selected graph, its words, routes and names."""

    h: nx.Graph
    store: Store
    home: str | None
    focus: str | None
    words: Words
    routes: Routes
    presentation: bool
    names: dict[str, str]  # node -> the text a person reads (redacted where asked)
    alias: dict[str, str]  # node -> the id the page uses (opaque for redacted people)
    redactor: Redactor | None
    as_of: dt.date | None = None  # the evidence shown is what had started by then

    @property
    def pinned(self) -> set[str]:
        """Always labelled, never shrunk: the office, the focus, the routes and their targets."""
        r = self.routes
        return {n for n in [self.home, self.focus, *r.nodes, *r.targets] if n is not None and n in self.h}

    @property
    def focused(self) -> bool:
        """A focus map (a route map centres on its routes, not on the focus)."""
        return self.focus is not None and self.focus in self.h and not self.routes.view

    def nid(self, n: str) -> str:
        return self.alias.get(n, n)

    def kind_of(self, n: str) -> str:
        d = self.h.nodes[n]
        if d.get("type") in ("person", "country"):
            return str(d["type"])
        return str(d.get("kind") or "other")

    def office_score(self, n: str, graph: nx.Graph) -> float | None:
        """Strength of ``n``'s tie to the office in ``graph`` (None: no office, or no tie)."""
        home = self.home
        if not home or n == home or not graph.has_edge(home, n):
            return None
        return float(graph[home][n]["score"])


def redactor_for(store: Store, words: Words) -> Redactor:
    """People become their role and organization (Ley 1581 de 2012)."""
    _ = words.gettext
    people_ids = [s.id for s in store.entity_summaries() if s.type == "person"]
    people = [p for p in store.get_entities(people_ids).values() if isinstance(p, Person)]
    org_ids = [a.organization for p in people for a in p.affiliations]
    orgs = store.get_entities(org_ids) if org_ids else {}

    def role_of(p: Person) -> str:
        a = p.affiliations[0] if p.affiliations else None
        org = orgs.get(a.organization) if a else None
        return (
            _("Person")
            + (f" · {a.title}" if a and a.title else "")
            + (f" ({org.name})" if org is not None else "")
        )

    return Redactor(people, role_of, _("[person]"))


def display_names(h: nx.Graph, store: Store, lang: str, redactor: Redactor | None) -> dict[str, str]:
    """The name a person reads for each node: a redacted person's role, a country in the page's language."""
    from .. import countries as country_names

    entities = store.get_entities(list(h))
    alias = redactor.alias if redactor else {}
    names: dict[str, str] = {}
    for n in h:
        e = entities.get(n)
        if redactor and n in alias:
            names[n] = redactor.label[n]
        elif e is not None and e.type == "country" and lang == "en":
            names[n] = getattr(e, "name_en", "") or country_names.name_en(n)
        else:
            names[n] = str(h.nodes[n].get("name") or n)
    return names
