"""Network maps for strategy meetings: one offline HTML file (or SVG, PNG, PDF), safe to share.

:func:`build_map` takes the relationship graph (strength-weighted, see :mod:`ofai_graph.strength`),
keeps what the filters ask for and encodes it: kind (or community, tier, axis) as colour, kind as
shape, strength to the home office as size and label size, tie strength as width, cold ties dashed.

A map is *stable*: positions are computed here with a fixed seed and rounded, labels are placed
here so that they do not overlap at the first view (the office, the routes, the focus and the
strongest partners are labelled; the other names appear on zoom and hover), and the page carries
no clock and no randomness: the same data and options give the same bytes and the same picture.

A route map (``paths``) lays the routes out from the office (left) to the target (right), draws
them on top, numbered, with everything else faded. The page filters by legend entry, tier, axis
and quarter (strength recomputed here for each quarter and embedded). With ``redact_people`` every
text of the output (title, subtitle, labels, tooltips, legend, routes and their evidence, the
file's metadata) goes through one redaction pass: people appear as their role and organization,
their ids as opaque ones (Ley 1581 de 2012).

Where things go is :mod:`ofai_graph.layout`, the redaction pass :mod:`ofai_graph.redaction`, the
page :mod:`ofai_graph.vis`, and the SVG, PNG and PDF handouts :mod:`ofai_graph.handouts`.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OfaiError
from .handouts import CHROMIUM_ARGS, chromium_path, print_pdf, screenshot, to_svg
from .i18n import format_date, format_number, format_strength, gettext_for, ngettext_for, resolve_lang
from .labels import LABELS, label
from .layout import SEED, LabelBox, fit, layout, place_labels, text_width, wrap_label
from .model import FollowUpStatus, Person
from .redaction import Redactor
from .store.base import Store
from .strength import StrengthConfig, last_label
from .vis import VIEW_HEIGHT, VIEW_WIDTH, Page, render

__all__ = [
    "CHROMIUM_ARGS",
    "Map",
    "build_map",
    "chromium_path",
    "history",
    "select",
    "to_svg",
    "workspace_map",
]

if TYPE_CHECKING:
    import networkx as nx

    from .paths import Connection
    from .workspace import Workspace

TIMELINE_QUARTERS = 8  # the slider's reach: two years back from the map's date
COLOR_BY = ("kind", "community", "tier", "axis")
FORMATS = ("html", "svg", "png", "pdf")

ROUTE_COLOR = "#1f2d86"
MARK_BORDER = "#111111"
EDGE_COLOR = "#a8a8a8"
FADE = 0.8  # how far a faded colour moves towards white

KIND_COLORS: dict[str, str] = {
    "home_office": "#d62728",
    "local_government": "#ff7f0e",
    "dependency": "#ffbb78",
    "decentralized_entity": "#f7b6d2",
    "national_agency": "#2ca02c",
    "foreign_government": "#1f77b4",
    "bilateral_agency": "#aec7e8",
    "multilateral": "#17becf",
    "chamber_of_commerce": "#9467bd",
    "honorary_consulate": "#c5b0d5",
    "city_network": "#8c564b",
    "city": "#c49c94",
    "investment_agency": "#bcbd22",
    "company": "#dbdb8d",
    "academia": "#98df8a",
    "civil_society": "#e377c2",
    "guild": "#7f7f7f",
    "sports_body": "#ff9896",
    "event": "#9edae5",
    "initiative": "#c7c7c7",
    "other": "#cccccc",
    "person": "#ffd92f",
    "country": "#66c2a5",
}
KIND_SHAPES = {
    "person": "triangleDown",
    "country": "diamond",
    "home_office": "star",
    "event": "triangle",
    "initiative": "square",
}
PALETTE = [
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#aec7e8",
    "#98df8a",
    "#ffbb78",
]
TIER_COLORS = {"strong": "#1a7f37", "medium": "#74c476", "weak": "#fdd835", "cold": "#c6dbef"}
AXES = tuple(LABELS["Axis"])


@dataclass
class Map:
    """A rendered map: ``save()`` it (html, svg, png, pdf), or let Jupyter show it inline."""

    html: str
    node_count: int
    edge_count: int
    highlighted: list[str]
    page: Page
    as_of: dt.date | None = None

    def save(self, path: str | Path, *, fmt: str | None = None) -> Path:
        """Write the map; ``fmt`` (or the file's suffix) is html, svg, png or pdf. Nothing is half-written."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".") or "html").lower()
        if fmt not in FORMATS:
            raise OfaiError(f"unknown map format {fmt!r}: use {', '.join(FORMATS)}")
        if not path.parent.is_dir():
            raise OfaiError(f"{path}: the folder {path.parent} does not exist")
        data: bytes
        if fmt == "html":
            data = self.html.encode("utf-8")
        elif fmt == "svg":
            data = self.svg().encode("utf-8")
        elif fmt == "png":
            data = self.png()
        else:
            data = self.pdf()
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OfaiError(f"{path}: cannot write the map: {exc.strerror or exc}") from None
        return path

    def __repr__(self) -> str:
        # The page is close to a megabyte: a notebook or a log shows one line, not the page.
        return f"<Map {self.node_count} nodes, {self.edge_count} edges, {len(self.html):,} bytes of HTML>"

    def svg(self) -> str:
        return to_svg(self.page)

    def png(self) -> bytes:
        return screenshot(self.html)

    def pdf(self) -> bytes:
        return print_pdf(self.html, as_of=self.as_of)

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:680px;border:0" sandbox="allow-scripts"></iframe>'
        )


# -- data: the graph as of each quarter, and which strategic axes each tie is built on --------------


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
    from .strength import relationship_graph

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


def workspace_map(
    ws: Workspace,
    *,
    focus: str | None = None,
    hops: int = 1,
    path_to: str | None = None,
    kinds: Sequence[str] = (),
    countries: Sequence[str] = (),
    axes: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    min_strength: float = 0.0,
    redact_people: bool = False,
    title: str | None = None,
    as_of: dt.date | None = None,
    lang: str | None = None,
    color_by: str = "kind",
    presentation: bool = False,
    only_routes: bool = False,
    physics: bool = False,
    timeline: bool = True,
) -> Map:
    """The map behind :meth:`ofai_graph.Workspace.map` (arguments as there)."""
    from . import countries as country_names
    from .resolve import entity_kind
    from .text import control_character
    from .workspace import _axis

    if title and control_character(title):
        raise OfaiError(f"the title contains the control character {control_character(title)}; remove it")
    kinds = [entity_kind(k) for k in kinds]  # codes or English/Spanish labels; anything else an error
    as_of = as_of or dt.date.today()
    codes = sorted({_axis(a) for a in axes})
    g = ws.relationship_graph(as_of, axes)
    try:
        home: str | None = ws.home
    except OfaiError:
        home = None
    paths = ws.connect(path_to, as_of=as_of) if path_to else None
    if only_routes and paths is None:
        raise OfaiError("--only-routes needs --path-to: it keeps only the routes' entities")
    past = history(ws.store, as_of, ws.strength_config, codes) if timeline else None
    return build_map(
        g,
        ws.store,
        home,
        title=title,
        redact_people=redact_people,
        paths=paths,
        lang=lang,
        color_by=color_by,
        presentation=presentation,
        only_routes=only_routes,
        physics=physics,
        past=past,
        focus=ws.resolve(focus) if focus else None,
        hops=hops,
        kinds=list(kinds),
        countries=[country_names.resolve(c) for c in countries],
        since=since,
        until=until,
        min_strength=min_strength,
    )


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


# -- the map: small helpers ------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fade(color: str, amount: float = FADE) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _darker(color: str, amount: float = 0.45) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"#{round(r * (1 - amount)):02x}{round(g * (1 - amount)):02x}{round(b * (1 - amount)):02x}"


def _solid(background: str, border: str) -> dict[str, Any]:
    """A vis-network colour that stays the same when selected or hovered (the legend's colour)."""
    both = {"background": background, "border": border}
    return {**both, "highlight": dict(both), "hover": dict(both)}


@dataclass
class _Words:
    """The page's language: every phase formats numbers, dates and codes through this one object."""

    lang: str
    cfg: StrengthConfig
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    decimal: str
    dates: dict[Any, str] = field(default_factory=dict)

    @classmethod
    def of(cls, lang: str, cfg: StrengthConfig) -> _Words:
        # Babel once, not once per tooltip: the decimal sign is all a score needs.
        decimal = format_number(1.5, lang, decimals=1)[1]
        return cls(lang, cfg, gettext_for(lang), ngettext_for(lang), decimal)

    def num(self, x: float) -> str:
        return format_strength(x, self.lang)

    def when(self, value: Any) -> str:
        # Thousands of ties share a few hundred dates: Babel is the slow part of a tooltip.
        if value not in self.dates:
            self.dates[value] = format_date(value, self.lang)
        return self.dates[value]

    def tier(self, score: float) -> str:
        return label("Tier", self.cfg.tier(score), self.lang)

    def kind(self, kind: str) -> str:
        if kind in ("person", "country"):
            return label("EntityType", kind, self.lang)
        return label("OrgKind", kind, self.lang)

    def ties(self, ties: Iterable[str]) -> str:
        """ "Ties: member of, works at" for a tie's kinds (tooltips and route evidence alike)."""
        _ = self.gettext
        kinds = [label("TieKind", t, self.lang) if t != "affiliation" else _("works at") for t in ties]
        return _("Ties: {kinds}").format(kinds=", ".join(dict.fromkeys(kinds)))

    def interaction(self, x: Any) -> str:
        """One line of evidence: date · kind · title."""
        return f"{self.when(str(x.date))} · {label('InteractionKind', x.kind, self.lang)} · {x.title}"


@dataclass
class _Routes:
    """The referral routes as the map draws them (empty when the map has none)."""

    paths: list[Any]
    nodes: list[str]  # every entity on a route, in route order
    targets: list[str]  # the target's entities that a route reaches
    edges: dict[frozenset[str], list[int]]  # tie -> numbers (from 1) of the routes through it

    @property
    def view(self) -> bool:
        return bool(self.paths)

    @classmethod
    def of(cls, paths: Connection | None, h: nx.Graph) -> _Routes:
        route_list = list(paths.paths) if paths else []
        nodes: list[str] = []
        for p in route_list:
            nodes += [n for n in p.nodes if n in h and n not in nodes]
        ends = {p.nodes[-1] for p in route_list}
        targets = [n for n in (paths.target.ids if paths else []) if n in h and n in ends]
        edges: dict[frozenset[str], list[int]] = {}
        for i, p in enumerate(route_list, start=1):
            for a, b in zip(p.nodes, p.nodes[1:], strict=False):
                edges.setdefault(frozenset((a, b)), []).append(i)
        return cls(route_list, nodes, targets, edges)


@dataclass
class _Scene:
    """What the map shows and for whom: the selected graph, its words, routes and names."""

    h: nx.Graph
    store: Store
    home: str | None
    focus: str | None
    words: _Words
    routes: _Routes
    presentation: bool
    names: dict[str, str]  # node -> the text a person reads (redacted where asked)
    alias: dict[str, str]  # node -> the id the page uses (opaque for redacted people)
    redactor: Redactor | None

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


def _redactor(store: Store, words: _Words) -> Redactor:
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


def _names(h: nx.Graph, store: Store, lang: str, redactor: Redactor | None) -> dict[str, str]:
    """The name a person reads for each node: a redacted person's role, a country in the page's language."""
    from . import countries as country_names

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


# -- phase: importance, sizes and label boxes --------------------------------------------------------


@dataclass
class _Sizes:
    importance: dict[str, float]
    order: list[str]  # label priority: pinned first, then the most important
    radius: dict[str, float]
    fonts: dict[str, float]
    labels: dict[str, LabelBox]
    budget: int  # how many labels besides the pinned ones the first view shows


def _sizes(scene: _Scene) -> _Sizes:
    h, home, focus, routes, pinned = scene.h, scene.home, scene.focus, scene.routes, scene.pinned
    n_nodes = h.number_of_nodes()
    max_degree = max((d for _n, d in h.degree()), default=1) or 1
    importance: dict[str, float] = {}
    for n in h:
        s = scene.office_score(n, h) or 0.0
        # Without an office, the best stand-in for "matters to us" is how connected it is.
        base = s if home else h.degree(n) / max_degree
        imp = 0.15 + 0.6 * base
        if n in routes.nodes:
            imp = max(imp, 0.75)
        if n in routes.targets or n == focus:
            imp = 0.9
        if n == home:
            imp = 1.0
        importance[n] = imp
    order = sorted(h, key=lambda n: (n not in pinned, -importance[n], n))
    shrink = 1.0 if n_nodes <= 150 else max(0.35, math.sqrt(150 / n_nodes))
    font_base, font_span = (17.0, 11.0) if scene.presentation else (12.0, 9.0)
    # A route map lets the routes speak: few other names.
    budget = (4 if scene.presentation else 8) if routes.view else (10 if scene.presentation else 24)
    radius: dict[str, float] = {}
    fonts: dict[str, float] = {}
    labels: dict[str, LabelBox] = {}
    for n in h:
        imp = importance[n]
        r = (6 + 16 * imp) * (shrink if n not in pinned else 1.0)
        if scene.presentation:
            r *= 1.25
        radius[n] = round(r, 1)
        fonts[n] = round(font_base + font_span * imp, 1)
        labels[n] = _label_box(n, scene.names[n], fonts[n])
    return _Sizes(importance, order, radius, fonts, labels, budget)


def _label_box(n: str, full: str, size: float) -> LabelBox:
    # A long name that carries its acronym, "Banco Interamericano de Desarrollo (BID)", is
    # labelled "BID" (the name shows on hover); aliases are not used: they mix languages.
    acronym = re.fullmatch(r".{12,}\(([^()]{2,24})\)", full) if len(full) > 28 else None
    text = wrap_label(acronym.group(1) if acronym else full)
    lines = text.split("\n")
    return LabelBox(n, text, size, max(text_width(line, size) for line in lines) + 6, len(lines) * size)


# -- phase: positions, route badges, label placement -------------------------------------------------


@dataclass
class _Placement:
    pos: dict[str, tuple[float, float]]
    vadjust: dict[str, float]  # labelled nodes -> label offset; the others are labelled on zoom
    badges: dict[tuple[str, str], tuple[str, float]]  # route tie -> (text, where along the tie)
    badge_font: int


def _place(scene: _Scene, sizes: _Sizes) -> _Placement:
    """Unit positions, scaled so that the labels we may show fit the view, then the labels placed."""
    h, routes, pinned = scene.h, scene.routes, scene.pinned
    radius, labels = sizes.radius, sizes.labels
    unit = layout(h, routes=[p.nodes for p in routes.paths], centre=scene.focus if not routes.view else None)
    candidates = set(sizes.order[: sizes.budget + len(pinned)])
    extent = {
        n: (
            max(radius[n], labels[n].width / 2 + 2) if n in candidates else radius[n],
            radius[n] + (labels[n].height + 6 if n in pinned else 0),
            radius[n] + (labels[n].height + labels[n].size / 2 + 6 if n in candidates else 0),
        )
        for n in h
    }
    pos = fit(unit, _centre(scene, unit), extent, VIEW_WIDTH, VIEW_HEIGHT)
    box = (-VIEW_WIDTH / 2 + 2, -VIEW_HEIGHT / 2 + 2, VIEW_WIDTH / 2 - 2, VIEW_HEIGHT / 2 - 2)
    badge_font = 19 if scene.presentation else 15
    badges = _badges(scene, badge_font)
    obstacles, soft = _route_obstacles(badges, pos, badge_font)
    vadjust = place_labels(
        sizes.order,
        pos,
        radius,
        labels,
        must=pinned,
        budget=sizes.budget,
        box=box,
        obstacles=obstacles,
        soft=soft,
    )
    return _Placement(pos, vadjust, badges, badge_font)


def _centre(scene: _Scene, unit: dict[str, tuple[float, float]]) -> tuple[float, float]:
    if scene.focus is not None and scene.focus in unit and not scene.routes.view:
        return unit[scene.focus]
    if not unit:
        return (0.0, 0.0)
    xs = [p[0] for p in unit.values()]
    ys = [p[1] for p in unit.values()]
    return ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)


def _badges(scene: _Scene, badge_font: int) -> dict[tuple[str, str], tuple[str, float]]:
    """Route numbers sit on their ties; the score goes on the last hop, near the target."""
    routes = scene.routes
    badges: dict[tuple[str, str], tuple[str, float]] = {}
    for a, b in sorted(tuple(sorted(e)) for e in routes.edges):
        if not scene.h.has_edge(a, b):
            continue
        parts, at = [], 0.5
        for r in routes.edges[frozenset((a, b))]:
            p = routes.paths[r - 1]
            last_hop = frozenset(p.nodes[-2:]) == frozenset((a, b))
            parts.append(f"{r}: {scene.words.num(p.score)}" if last_hop else str(r))
            if last_hop and at == 0.5:
                # Near the target: the middle of a long last hop often crosses another lane.
                at = 0.7 if p.nodes[-1] == b else 0.3
        badges[(a, b)] = (" · ".join(parts), at)
    return badges


Box = tuple[float, float, float, float]


def _route_obstacles(
    badges: dict[tuple[str, str], tuple[str, float]], pos: dict[str, tuple[float, float]], badge_font: int
) -> tuple[list[Box], list[Box]]:
    """Labels never cover a badge (hard) and avoid the route lines (soft: small boxes along them)."""
    obstacles: list[Box] = []
    for (a, b), (text, at) in badges.items():
        bx = pos[a][0] + (pos[b][0] - pos[a][0]) * at
        by = pos[a][1] + (pos[b][1] - pos[a][1]) * at
        half = (text_width(text, badge_font) + 10) / 2
        obstacles.append((bx - half, by - badge_font * 0.75, bx + half, by + badge_font * 0.75))
    soft: list[Box] = []
    for a, b in badges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        steps = max(1, int(math.hypot(x2 - x1, y2 - y1) / 6))
        for k in range(steps + 1):
            x, y = x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps
            soft.append((x - 3, y - 3, x + 3, y + 3))
    return obstacles, soft


# -- phase: colour groups (--color-by other than kind) -----------------------------------------------

_Group = tuple[str, str, str]  # (legend key, label, colour)


def _color_groups(scene: _Scene, color_by: str, axis_mask: dict[frozenset[str], int]) -> dict[str, _Group]:
    if color_by == "community":
        return _community_groups(scene)
    if color_by == "tier":
        return _tier_groups(scene)
    if color_by == "axis":
        return _axis_groups(scene, axis_mask)
    return {}


def _community_groups(scene: _Scene) -> dict[str, _Group]:
    import networkx as nx

    _ = scene.words.gettext
    h = scene.h
    comms = nx.community.louvain_communities(h, weight="score", seed=SEED) if h.number_of_edges() else []
    ordered = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    groups: dict[str, _Group] = {}
    for i, c in enumerate(ordered):
        # The palette's last colour is kept for the lumped tail: a legend of 40 singletons helps no one.
        if i < len(PALETTE) - 1 and len(c) > 1:
            group = (f"c:{i + 1}", _("Community {n}").format(n=i + 1), PALETTE[i])
        else:
            group = ("c:0", _("Other communities"), "#d0d0d0")
        for n in c:
            groups[n] = group
    return groups


def _tier_groups(scene: _Scene) -> dict[str, _Group]:
    _ = scene.words.gettext
    groups: dict[str, _Group] = {}
    for n in scene.h:
        s = scene.office_score(n, scene.h)
        if n == scene.home:
            groups[n] = ("c:home", _("The office"), KIND_COLORS["home_office"])
        elif s is None:
            groups[n] = ("c:none", _("No direct relationship with the office"), "#e0e0e0")
        else:
            t = scene.words.cfg.tier(s)
            groups[n] = (f"c:{t}", label("Tier", t, scene.words.lang), TIER_COLORS[t])
    return groups


def _axis_groups(scene: _Scene, axis_mask: dict[frozenset[str], int]) -> dict[str, _Group]:
    """Each entity takes the axis most of its ties are built on (ties in the axes' order on a draw)."""
    _ = scene.words.gettext
    h = scene.h
    groups: dict[str, _Group] = {}
    for n in h:
        counts = [0] * len(AXES)
        for m in h[n]:
            mask = axis_mask.get(frozenset((n, m)), 0)
            for bit in range(len(AXES)):
                if mask & (1 << bit):
                    counts[bit] += 1
        if max(counts) == 0:
            groups[n] = ("c:none", _("No strategic axis"), "#e0e0e0")
        else:
            bit = counts.index(max(counts))
            groups[n] = (f"c:{AXES[bit]}", label("Axis", AXES[bit], scene.words.lang), PALETTE[bit])
    return groups


# -- phase: nodes ------------------------------------------------------------------------------------


@dataclass
class _NodeTable:
    nodes: list[dict[str, Any]]
    meta: dict[str, list[Any]]  # columns the page filters by: groups, strength, pinned, degree
    order: list[str]  # drawing order (the important ones last, on top)
    index: dict[str, int]  # node -> its place in ``order`` (the edges' columns refer to it)
    zoom_labels: dict[str, str]  # page id -> label shown only on zoom
    kind_counts: dict[str, int]
    group_counts: dict[str, int]


def _open_followups(store: Store, h: nx.Graph) -> dict[str, list[str]]:
    open_fu: dict[str, list[str]] = {}
    for f in store.followups(FollowUpStatus.open):
        for who in {f.owner, f.expected_from}:
            if who is not None and who in h:
                open_fu.setdefault(who, []).append(f.description)
    return open_fu


def _node_tooltip(scene: _Scene, n: str, kind: str, pending: list[str]) -> str:
    from . import countries as country_names

    w, h, home = scene.words, scene.h, scene.home
    _, ngettext = w.gettext, w.ngettext
    tip = [scene.names[n], _cap(w.kind(kind))]
    if h.nodes[n].get("countries"):
        name = country_names.name_es if w.lang == "es" else country_names.name_en
        tip.append(_("Country: {names}").format(names=", ".join(name(c) for c in h.nodes[n]["countries"])))
    if home and n != home:
        sc = scene.office_score(n, h) or 0.0
        tip.append(_("Strength with the office: {score} ({tier})").format(score=w.num(sc), tier=w.tier(sc)))
        edge = h[home][n] if h.has_edge(home, n) else None
        if edge and edge.get("last"):
            tip.append(_("Last interaction: {date}").format(date=w.when(last_label(edge))))
    if pending:
        tip.append(
            ngettext("{n} open follow-up: {items}", "{n} open follow-ups: {items}", len(pending)).format(
                n=len(pending), items="; ".join(pending[:3])
            )
        )
    if n == scene.focus and n in scene.pinned:
        tip.append(_("Focus of the map"))
    if n in scene.routes.targets:
        tip.append(_("Target of the routes"))
    return "\n".join(tip)


def _node_colors(scene: _Scene, n: str, fill: str) -> tuple[str, str, float, bool]:
    """Fill, border, border width, and whether the node is faded (off the routes of a route map)."""
    routes = scene.routes
    border = _darker(fill)
    faded = routes.view and n not in routes.nodes
    border_width = 3.0 if n == scene.home else 1.0
    if faded:
        fill, border = _fade(fill), _fade(border, 0.6)
    if n in routes.targets or (n == scene.focus and not routes.view):
        border, border_width = MARK_BORDER, 5.0
    elif n in routes.nodes and n != scene.home:
        border, border_width = ROUTE_COLOR, 3.0
    return fill, border, border_width, faded


def _nodes(scene: _Scene, sizes: _Sizes, placed: _Placement, groups: dict[str, _Group]) -> _NodeTable:
    h, pinned, importance = scene.h, scene.pinned, sizes.importance
    open_fu = _open_followups(scene.store, h)
    index = {n: i for i, n in enumerate(sorted(h, key=lambda n: (n in pinned, importance[n], n)))}
    node_order = sorted(h, key=lambda n: index[n])
    table = _NodeTable([], {"g": [], "s": [], "pin": [], "d": []}, node_order, index, {}, {}, {})
    meta = table.meta
    for n in node_order:
        kind = scene.kind_of(n)
        table.kind_counts[kind] = table.kind_counts.get(kind, 0) + 1
        strength = scene.office_score(n, h)
        base_color = KIND_COLORS.get(kind, "#cccccc")
        fill, border, border_width, faded = _node_colors(
            scene, n, groups[n][2] if n in groups else base_color
        )
        node_groups = [f"k:{kind}"]
        if n in groups:
            node_groups.append(groups[n][0])
            table.group_counts[groups[n][0]] = table.group_counts.get(groups[n][0], 0) + 1
        shown = n in placed.vadjust
        table.nodes.append(
            {
                "id": scene.nid(n),
                "label": sizes.labels[n].text if shown else "",
                "x": placed.pos[n][0],
                "y": placed.pos[n][1],
                "shape": KIND_SHAPES.get(kind, "dot"),
                "size": sizes.radius[n],
                "color": _solid(fill, border),
                "borderWidth": border_width,
                "borderWidthSelected": border_width + 1,
                "font": {
                    "size": sizes.fonts[n],
                    "color": "#9a9a9a" if faded else "#1a1a1a",
                    "vadjust": placed.vadjust.get(n, 0.0),
                },
                "tooltip": _node_tooltip(scene, n, kind, open_fu.get(n, [])),
            }
        )
        if not shown:
            table.zoom_labels[scene.nid(n)] = sizes.labels[n].text
        meta["g"].append(node_groups)
        meta["s"].append(None if strength is None else round(strength, 3))
        meta["pin"].append(1 if n in pinned else 0)
        meta["d"].append(h.degree(n))
    return table


# -- phase: edges ------------------------------------------------------------------------------------


@dataclass
class _EdgeTable:
    edges: list[dict[str, Any]]
    meta: dict[str, list[Any]]  # columns: ends, score, axes, base width (and tooltip parts, large maps)
    order: list[tuple[str, str]]  # drawing order: faded ones first, routes last (on top)
    last_labels: dict[str, int]  # the dates a large map's tooltips refer to by number
    tie_labels: dict[str, int]  # the "Ties: ..." lines, likewise
    w1: float  # width per unit of strength
    color: str  # the colour of a tie that is not on a route


def _edge_tooltip(scene: _Scene, a: str, b: str, latest: str | None, ties: str) -> str:
    w, d = scene.words, scene.h[a][b]
    _, ngettext = w.gettext, w.ngettext
    tip = [
        f"{scene.names[a]} — {scene.names[b]}",
        _("Strength {score} ({tier})").format(score=w.num(d["score"]), tier=w.tier(d["score"])),
    ]
    if d["interactions"]:
        line = ngettext("{n} interaction", "{n} interactions", d["interactions"]).format(n=d["interactions"])
        if latest:
            line += ", " + _("the latest {date}").format(date=latest)
        tip.append(line)
    if ties:
        tip.append(ties)
    if d["interactions"]:
        tip += ["· " + w.interaction(x) for x in scene.store.shared_interactions(a, b)[:3]]
    return "\n".join(tip)


def _edges(
    scene: _Scene,
    nodes: _NodeTable,
    placed: _Placement,
    axis_mask: dict[frozenset[str], int],
    detail_limit: int,
) -> _EdgeTable:
    h, w, route_edges = scene.h, scene.words, scene.routes.edges
    # A large map would carry megabytes of tooltips: the page writes them from columns on hover.
    detailed = h.number_of_edges() <= detail_limit
    w0, w1 = (1.5, 7.0) if scene.presentation else (1.0, 5.0)
    order: list[tuple[str, str]] = sorted(
        ((a, b) if a <= b else (b, a) for a, b in h.edges()),
        key=lambda e: (frozenset(e) in route_edges, h[e[0]][e[1]]["score"], e),
    )
    meta: dict[str, list[Any]] = {"f": [], "t": [], "s": [], "a": [], "w0": [], "n": [], "l": [], "k": []}
    color = _fade(EDGE_COLOR, 0.65) if scene.routes.view else EDGE_COLOR
    table = _EdgeTable([], meta, order, {}, {}, w1, color)
    for i, (a, b) in enumerate(table.order):
        d = h[a][b]
        on = route_edges.get(frozenset((a, b)), [])
        latest = w.when(last_label(d)) if d.get("last") else None
        ties = w.ties(d["ties"]) if d.get("ties") else ""
        width0 = w0 + (5.0 if on else 0.0)
        edge: dict[str, Any] = {
            "id": f"e{i}",
            "from": scene.nid(a),
            "to": scene.nid(b),
            "width": round(width0 + w1 * d["score"], 2),
        }
        if w.cfg.tier(d["score"]) == "cold" and not on:
            edge["dashes"] = True
        if on:
            edge["color"] = {"color": ROUTE_COLOR, "highlight": ROUTE_COLOR, "hover": ROUTE_COLOR}
        if detailed:
            edge["tooltip"] = _edge_tooltip(scene, a, b, latest, ties)
        else:
            meta["n"].append(d["interactions"])
            meta["l"].append(
                -1 if latest is None else table.last_labels.setdefault(latest, len(table.last_labels))
            )
            meta["k"].append(-1 if not ties else table.tie_labels.setdefault(ties, len(table.tie_labels)))
        if on:
            # Drawn by the page itself on top of the canvas (vis-network's edge labels drift).
            edge["routeLabel"], edge["routeAt"] = placed.badges[(a, b)]
            edge["routeFont"] = placed.badge_font
        table.edges.append(edge)
        meta["f"].append(nodes.index[a])
        meta["t"].append(nodes.index[b])
        meta["s"].append(round(float(d["score"]), 3))
        meta["a"].append(axis_mask.get(frozenset((a, b)), 0))
        meta["w0"].append(width0)
    return table


# -- phase: legend and marks -------------------------------------------------------------------------


def _legend(
    scene: _Scene, color_by: str, nodes: _NodeTable, groups: dict[str, _Group]
) -> list[dict[str, Any]]:
    """One entry per kind (the shape; the colour too when colouring by kind), then the colour groups."""
    w, counts = scene.words, nodes.kind_counts
    legend: list[dict[str, Any]] = []
    for kind in sorted(counts, key=lambda k: (k != "home_office", -counts[k], w.kind(k))):
        color = KIND_COLORS.get(kind, "#cccccc") if color_by == "kind" else "#ffffff"
        border = _darker(color) if color_by == "kind" else "#555555"
        shape = KIND_SHAPES.get(kind, "dot")
        legend.append(_legend_entry(f"k:{kind}", w.kind(kind), color, border, shape, counts[kind]))
    if color_by != "kind":
        seen = {key: (text, color) for key, text, color in groups.values()}
        for key in sorted(seen, key=lambda k: (-nodes.group_counts.get(k, 0), k)):
            text, color = seen[key]
            legend.append(
                _legend_entry(key, text, color, _darker(color), "dot", nodes.group_counts.get(key, 0))
            )
    return legend


def _legend_entry(key: str, text: str, color: str, border: str, shape: str, count: int) -> dict[str, Any]:
    return {"key": key, "label": _cap(text), "color": color, "border": border, "shape": shape, "count": count}


def _marks(scene: _Scene, edges: _EdgeTable) -> list[dict[str, Any]]:
    """The legend's lower part: what the route lines, rings, faded entities, dashes and sizes mean."""
    _ = scene.words.gettext
    routes = scene.routes

    def ring(text: str) -> dict[str, Any]:
        return {"label": text, "shape": "ring", "color": "#ffffff", "border": MARK_BORDER, "width": 3}

    marks: list[dict[str, Any]] = []
    if routes.view:
        marks.append({"label": _("Route (number: score)"), "shape": "line", "color": ROUTE_COLOR, "width": 5})
        marks.append(ring(_("Target of the routes")))
        if len(routes.nodes) < scene.h.number_of_nodes():
            marks.append(
                {
                    "label": _("Not on a route (faded)"),
                    "shape": "dot",
                    "color": _fade("#888888"),
                    "border": _fade("#444444", 0.6),
                }
            )
    if scene.focused:
        marks.append(ring(_("Focus of the map")))
    if any(e.get("dashes") for e in edges.edges):
        marks.append(
            {"label": _("Cold tie"), "shape": "line", "color": EDGE_COLOR, "border": "dashed", "width": 2}
        )
    marks.append({"label": _("Size: strength with the office"), "shape": "dot", "color": "#eeeeee"})
    return marks


# -- phase: routes for the side panel and the printed table ------------------------------------------


def _route_panel(scene: _Scene, labels: dict[str, LabelBox]) -> list[dict[str, Any]]:
    w, store = scene.words, scene.store
    _ = w.gettext
    panel: list[dict[str, Any]] = []
    for i, p in enumerate(scene.routes.paths, start=1):
        hops = []
        for hop in p.hops:
            text = _("{a} → {b}: strength {score} ({tier})").format(
                a=hop.source_name,
                b=hop.target_name,
                score=w.num(hop.score),
                tier=label("Tier", hop.tier, w.lang),
            )
            if hop.weakest and len(p.hops) > 1:
                text += " · " + _("weakest link")
            shared = store.shared_interactions(hop.source, hop.target)[:3] if hop.interactions else []
            evidence = [w.interaction(x) for x in shared]
            if hop.ties:
                evidence.append(w.ties(hop.ties))
            hops.append({"text": text, "evidence": evidence})
        short = [
            " ".join(labels[n].text.split("\n")) if n in labels else p.names[k] for k, n in enumerate(p.nodes)
        ]
        panel.append({"n": i, "score": w.num(p.score), "names": list(p.names), "short": short, "hops": hops})
    return panel


# -- phase: the quarter slider -----------------------------------------------------------------------


def _timeline(scene: _Scene, past: History | None, nodes: _NodeTable, edges: _EdgeTable) -> dict[str, Any]:
    """Each tie's and each entity's strength at the end of every earlier quarter, in the page's order."""
    if past is None or len(past.stops) <= 1:
        return {}
    home = scene.home
    scores = []
    node_scores = []
    none: dict[str, Any] = {}
    for gq in past.graphs:
        adj = gq._adj  # a plain dict read per tie: 50,000 ties x 8 quarters
        scores.append(
            [None if (e := adj.get(a, none).get(b)) is None else round(e["score"], 3) for a, b in edges.order]
        )
        # The office's ties at that quarter, read once: what office_score asks per node.
        office = adj.get(home, {}) if home else {}
        node_scores.append(
            [
                None if n == home or (e := office.get(n)) is None else round(float(e["score"]), 3)
                for n in nodes.order
            ]
        )
    return {
        "quarters": [
            {"code": code, "label": format_date(code, scene.words.lang)} for code, _end in past.stops
        ],
        "scores": scores,
        "node": node_scores,
    }


# -- phase: the words of the page, and the page ------------------------------------------------------


def _subtitle(scene: _Scene, as_of: dt.date, n_edges: int, paths: Connection | None) -> str:
    w = scene.words
    _, ngettext = w.gettext, w.ngettext
    n_nodes = scene.h.number_of_nodes()
    subtitle = " · ".join(
        [
            _("Data as of {date}").format(date=format_date(as_of, w.lang)),
            ngettext("{n} entity", "{n} entities", n_nodes).format(n=format_number(n_nodes, w.lang)),
            ngettext("{n} tie", "{n} ties", n_edges).format(n=format_number(n_edges, w.lang)),
        ]
    )
    if paths is not None:
        n_routes = len(scene.routes.paths)
        subtitle += " · " + ngettext("{n} route to {target}", "{n} routes to {target}", n_routes).format(
            n=n_routes, target=paths.target.label
        )
    if scene.focused:
        subtitle += " · " + _("around {name}").format(name=scene.names[scene.focus])  # type: ignore[index]
    return subtitle


def _page_texts(words: _Words) -> dict[str, str]:
    """The page's own words (controls, panel headings, the tooltips it writes on hover)."""
    _, ngettext = words.gettext, words.ngettext
    return {
        "search": _("Search an entity"),
        "legend": _("Legend"),
        "toggle": _("Click to hide or show"),
        "tier": _("Strength of the tie"),
        "axis": _("Strategic axis"),
        "allAxes": _("All axes"),
        "quarter": _("Quarter"),
        "routes": _("Routes"),
        "number": _("No."),
        "route": _("Route"),
        "score": _("Score"),
        "evidence": _("Evidence"),
        "hint": _("Zoom in or hover over an entity to see the other names."),
        "strength": _("Strength {score} ({tier})"),
        "interaction": ngettext("{n} interaction", "{n} interactions", 1),
        "interactions": ngettext("{n} interaction", "{n} interactions", 2),
        "latest": _("the latest {date}"),
    }


def _filters(words: _Words, past: History | None) -> dict[str, Any]:
    lang = words.lang
    return {
        "tiers": [{"code": t, "label": label("Tier", t, lang)} for t in ("strong", "medium", "weak", "cold")],
        "thresholds": {k: float(v) for k, v in words.cfg.tiers.items()},
        "axes": [{"code": a, "label": label("Axis", a, lang)} for a in AXES] if past and past.axes else [],
    }


def build_map(
    g: nx.Graph,
    store: Store,
    home: str | None,
    *,
    title: str | None = None,
    redact_people: bool = False,
    paths: Connection | None = None,
    lang: str | None = None,
    color_by: str = "kind",
    presentation: bool = False,
    only_routes: bool = False,
    physics: bool = False,
    past: History | None = None,
    detail_limit: int = 400,
    **filters: Any,
) -> Map:
    """Select, lay out, label and render a map of the relationship graph ``g``.

    Filters (all optional): ``focus``/``hops``, ``kinds``, ``countries``, ``min_strength``, ``since``,
    ``until``; ``paths`` (from :func:`ofai_graph.paths.connect`) is drawn on top, and with
    ``only_routes`` alone. ``past`` (from :func:`history`) feeds the quarter slider and the axis
    filter. ``lang`` is "es" or "en" (default: :func:`ofai_graph.i18n.resolve_lang`).
    """
    if color_by not in COLOR_BY:
        raise OfaiError(f"unknown colouring {color_by!r}: use one of {', '.join(COLOR_BY)}")
    words = _Words.of(resolve_lang(lang), g.graph.get("config") or StrengthConfig())
    as_of: dt.date = g.graph.get("as_of") or dt.date.today()
    home = home if home in g else None
    h = select(g, store, home or "", paths=paths, only_routes=only_routes, **filters)
    redactor = _redactor(store, words) if redact_people else None
    scene = _Scene(
        h=h,
        store=store,
        home=home,
        focus=filters.get("focus"),
        words=words,
        routes=_Routes.of(paths, h),
        presentation=presentation,
        names=_names(h, store, words.lang, redactor),
        alias=redactor.alias if redactor else {},
        redactor=redactor,
    )
    sizes = _sizes(scene)
    placed = _place(scene, sizes)
    axis_mask = past.axes if past else {}
    groups = _color_groups(scene, color_by, axis_mask)
    nodes = _nodes(scene, sizes, placed, groups)
    edges = _edges(scene, nodes, placed, axis_mask, detail_limit)
    page = Page(
        title=title or words.gettext("OFAI partner network"),
        subtitle=_subtitle(scene, as_of, len(edges.edges), paths),
        nodes=nodes.nodes,
        edges=edges.edges,
        legend=_legend(scene, color_by, nodes, groups),
        marks=_marks(scene, edges),
        physics=physics,
        highlight=[scene.nid(n) for n in scene.routes.nodes],
        lang=words.lang,
        texts=_page_texts(words),
        meta={
            "nodes": nodes.meta,
            "edges": edges.meta,
            "w1": edges.w1,
            "edgeColor": edges.color,
            "lastLabels": list(edges.last_labels),
            "tieLabels": list(edges.tie_labels),
            "decimal": words.decimal,
        },
        routes=_route_panel(scene, sizes.labels),
        filters=_filters(words, past),
        timeline=_timeline(scene, past, nodes, edges),
        view={"width": VIEW_WIDTH, "height": VIEW_HEIGHT, "x": 0, "y": 0},
        labels=nodes.zoom_labels,
    )
    if redactor is not None:
        # One pass over every text of the page: whatever a field holds, no name gets through.
        page = Page(**{k: redactor(v) for k, v in page.__dict__.items()})
    return Map(
        html=render(page),
        node_count=len(nodes.nodes),
        edge_count=len(edges.edges),
        highlighted=sorted(scene.nid(n) for n in scene.routes.nodes),
        page=page,
        as_of=as_of,
    )
