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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OfaiError
from .handouts import CHROMIUM_ARGS, chromium_path, print_pdf, screenshot, to_svg
from .i18n import format_date, format_number, gettext_for, ngettext_for, resolve_lang
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


# -- the map -----------------------------------------------------------------------------------------


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
    import networkx as nx

    from . import countries as country_names

    if color_by not in COLOR_BY:
        raise OfaiError(f"unknown colouring {color_by!r}: use one of {', '.join(COLOR_BY)}")
    lang = resolve_lang(lang)
    _ = gettext_for(lang)
    ngettext = ngettext_for(lang)
    cfg: StrengthConfig = g.graph.get("config") or StrengthConfig()
    as_of: dt.date = g.graph.get("as_of") or dt.date.today()
    home = home if home in g else None
    focus = filters.get("focus")
    h = select(g, store, home or "", paths=paths, only_routes=only_routes, **filters)
    entities = store.get_entities(list(h))

    decimal = format_number(1.5, lang, decimals=1)[1]  # Babel once, not once per tooltip

    def num(x: float) -> str:
        return f"{x:.2f}".replace(".", decimal)

    dates: dict[Any, str] = {}

    def when(value: Any) -> str:
        if value not in dates:
            dates[value] = format_date(value, lang)
        return dates[value]

    def tier_label(score: float) -> str:
        return label("Tier", cfg.tier(score), lang)

    def kind_of(n: str) -> str:
        d = h.nodes[n]
        if d.get("type") in ("person", "country"):
            return str(d["type"])
        return str(d.get("kind") or "other")

    def kind_label(kind: str) -> str:
        if kind in ("person", "country"):
            return label("EntityType", kind, lang)
        return label("OrgKind", kind, lang)

    def name_of(n: str) -> str:
        e = entities.get(n)
        if e is not None and e.type == "country" and lang == "en":
            return getattr(e, "name_en", "") or country_names.name_en(n)
        return str(h.nodes[n].get("name") or n)

    # -- redaction: people become their role and organization ---------------------------------------
    redactor: Redactor | None = None
    if redact_people:
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

        redactor = Redactor(people, role_of, _("[person]"))
    alias = redactor.alias if redactor else {}

    def nid(n: str) -> str:
        return alias.get(n, n)

    # -- routes ---------------------------------------------------------------------------------------
    route_list = list(paths.paths) if paths else []
    route_nodes: list[str] = []
    for p in route_list:
        route_nodes += [n for n in p.nodes if n in h and n not in route_nodes]
    targets = [
        n for n in (paths.target.ids if paths else []) if n in h and n in {p.nodes[-1] for p in route_list}
    ]
    edge_routes: dict[frozenset[str], list[int]] = {}
    for i, p in enumerate(route_list, start=1):
        for a, b in zip(p.nodes, p.nodes[1:], strict=False):
            edge_routes.setdefault(frozenset((a, b)), []).append(i)
    route_view = bool(route_list)
    pinned = {n for n in [home, focus, *route_nodes, *targets] if n is not None and n in h}

    # -- importance, sizes, labels --------------------------------------------------------------------
    def office_score(n: str, graph: nx.Graph) -> float | None:
        if not home or n == home or not graph.has_edge(home, n):
            return None
        return float(graph[home][n]["score"])

    n_nodes = h.number_of_nodes()
    max_degree = max((d for _n, d in h.degree()), default=1) or 1
    importance: dict[str, float] = {}
    for n in h:
        s = office_score(n, h) or 0.0
        base = s if home else h.degree(n) / max_degree
        imp = 0.15 + 0.6 * base
        if n in route_nodes:
            imp = max(imp, 0.75)
        if n in targets or n == focus:
            imp = 0.9
        if n == home:
            imp = 1.0
        importance[n] = imp
    order = sorted(h, key=lambda n: (n not in pinned, -importance[n], n))
    shrink = 1.0 if n_nodes <= 150 else max(0.35, math.sqrt(150 / n_nodes))
    font_base, font_span = (17.0, 11.0) if presentation else (12.0, 9.0)
    budget = (10 if presentation else 24) if not route_view else (4 if presentation else 8)
    radius: dict[str, float] = {}
    fonts: dict[str, float] = {}
    texts: dict[str, str] = {}
    labels: dict[str, LabelBox] = {}
    for n in h:
        imp = importance[n]
        r = (6 + 16 * imp) * (shrink if n not in pinned else 1.0)
        if presentation:
            r *= 1.25
        radius[n] = round(r, 1)
        fonts[n] = round(font_base + font_span * imp, 1)
        full = redactor.label[n] if redactor and n in alias else name_of(n)
        texts[n] = full
        # A long name that carries its acronym, "Banco Interamericano de Desarrollo (BID)", is
        # labelled "BID" (the name shows on hover); aliases are not used: they mix languages.
        acronym = re.fullmatch(r".{12,}\(([^()]{2,24})\)", full) if len(full) > 28 else None
        text = wrap_label(acronym.group(1) if acronym else full)
        lines = text.split("\n")
        size = fonts[n]
        labels[n] = LabelBox(
            n, text, size, max(text_width(line, size) for line in lines) + 6, len(lines) * size
        )

    # -- layout: unit positions, then scaled so that the labels we may show fit the view ---------------
    routes_for_layout = [p.nodes for p in route_list]
    unit = layout(h, routes=routes_for_layout, centre=focus if not route_view else None)
    candidates = set(order[: budget + len(pinned)])
    extent = {
        n: (
            max(radius[n], labels[n].width / 2 + 2) if n in candidates else radius[n],
            radius[n] + (labels[n].height + 6 if n in pinned else 0),
            radius[n] + (labels[n].height + labels[n].size / 2 + 6 if n in candidates else 0),
        )
        for n in h
    }
    if focus is not None and focus in unit and not route_view:
        centre = unit[focus]
    elif unit:
        xs = [p[0] for p in unit.values()]
        ys = [p[1] for p in unit.values()]
        centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    else:
        centre = (0.0, 0.0)
    pos = fit(unit, centre, extent, VIEW_WIDTH, VIEW_HEIGHT)
    box = (-VIEW_WIDTH / 2 + 2, -VIEW_HEIGHT / 2 + 2, VIEW_WIDTH / 2 - 2, VIEW_HEIGHT / 2 - 2)
    # Route numbers sit on their ties (the score on the last hop, near the target): labels avoid them.
    badge_font = 19 if presentation else 15
    badges: dict[tuple[str, str], tuple[str, float]] = {}
    obstacles = []
    for a, b in sorted(tuple(sorted(e)) for e in edge_routes):
        if not h.has_edge(a, b):
            continue
        parts, at = [], 0.5
        for r in edge_routes[frozenset((a, b))]:
            p = route_list[r - 1]
            last_hop = frozenset(p.nodes[-2:]) == frozenset((a, b))
            parts.append(f"{r}: {num(p.score)}" if last_hop else str(r))
            if last_hop and at == 0.5:
                # Near the target: the middle of a long last hop often crosses another lane.
                at = 0.7 if p.nodes[-1] == b else 0.3
        badges[(a, b)] = (" · ".join(parts), at)
        bx = pos[a][0] + (pos[b][0] - pos[a][0]) * at
        by = pos[a][1] + (pos[b][1] - pos[a][1]) * at
        half = (text_width(badges[(a, b)][0], badge_font) + 10) / 2
        obstacles.append((bx - half, by - badge_font * 0.75, bx + half, by + badge_font * 0.75))
    lines = []
    for a, b in badges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        steps = max(1, int(math.hypot(x2 - x1, y2 - y1) / 6))
        for k in range(steps + 1):
            x, y = x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps
            lines.append((x - 3, y - 3, x + 3, y + 3))
    vadjust = place_labels(
        order, pos, radius, labels, must=pinned, budget=budget, box=box, obstacles=obstacles, soft=lines
    )

    # -- colours and legend groups ---------------------------------------------------------------------
    color_group: dict[str, tuple[str, str, str]] = {}  # node -> (key, label, colour)
    if color_by == "community":
        comms = nx.community.louvain_communities(h, weight="score", seed=SEED) if h.number_of_edges() else []
        comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
        for i, c in enumerate(comms):
            if i < len(PALETTE) - 1 and len(c) > 1:
                key, text, color = f"c:{i + 1}", _("Community {n}").format(n=i + 1), PALETTE[i]
            else:
                key, text, color = "c:0", _("Other communities"), "#d0d0d0"
            for n in c:
                color_group[n] = (key, text, color)
    elif color_by == "tier":
        for n in h:
            s = office_score(n, h)
            if n == home:
                color_group[n] = ("c:home", _("The office"), KIND_COLORS["home_office"])
            elif s is None:
                color_group[n] = ("c:none", _("No direct relationship with the office"), "#e0e0e0")
            else:
                t = cfg.tier(s)
                color_group[n] = (f"c:{t}", label("Tier", t, lang), TIER_COLORS[t])
    axis_mask = past.axes if past else {}
    if color_by == "axis":
        for n in h:
            counts = [0] * len(AXES)
            for m in h[n]:
                mask = axis_mask.get(frozenset((n, m)), 0)
                for bit in range(len(AXES)):
                    if mask & (1 << bit):
                        counts[bit] += 1
            if max(counts) == 0:
                color_group[n] = ("c:none", _("No strategic axis"), "#e0e0e0")
            else:
                bit = counts.index(max(counts))
                color_group[n] = (f"c:{AXES[bit]}", label("Axis", AXES[bit], lang), PALETTE[bit])

    # -- open follow-ups, for tooltips ------------------------------------------------------------------
    open_fu: dict[str, list[str]] = {}
    for f in store.followups(FollowUpStatus.open):
        for who in {f.owner, f.expected_from} - {None}:
            if who in h:
                open_fu.setdefault(who, []).append(f.description)  # type: ignore[index]

    # -- nodes --------------------------------------------------------------------------------------------
    index = {n: i for i, n in enumerate(sorted(h, key=lambda n: (n in pinned, importance[n], n)))}
    node_order = sorted(h, key=lambda n: index[n])  # drawn in this order: the important ones on top
    nodes: list[dict[str, Any]] = []
    node_meta: dict[str, list[Any]] = {"g": [], "s": [], "pin": [], "d": []}
    zoom_labels: dict[str, str] = {}
    kind_counts: dict[str, int] = {}
    group_counts: dict[str, int] = {}
    for n in node_order:
        kind = kind_of(n)
        kind_counts[kind] = kind_counts.get(kind, 0) + 1
        strength = office_score(n, h)
        tip = [texts[n], _cap(kind_label(kind))]
        if h.nodes[n].get("countries"):
            names = [
                country_names.name_es(c) if lang == "es" else country_names.name_en(c)
                for c in h.nodes[n]["countries"]
            ]
            tip.append(_("Country: {names}").format(names=", ".join(names)))
        if home and n != home:
            sc = strength or 0.0
            tip.append(
                _("Strength with the office: {score} ({tier})").format(score=num(sc), tier=tier_label(sc))
            )
            edge = h[home][n] if h.has_edge(home, n) else None
            if edge and edge.get("last"):
                tip.append(_("Last interaction: {date}").format(date=when(last_label(edge))))
        pending = open_fu.get(n, [])
        if pending:
            tip.append(
                ngettext("{n} open follow-up: {items}", "{n} open follow-ups: {items}", len(pending)).format(
                    n=len(pending), items="; ".join(pending[:3])
                )
            )
        if n in pinned and n == focus:
            tip.append(_("Focus of the map"))
        if n in targets:
            tip.append(_("Target of the routes"))
        base_color = KIND_COLORS.get(kind, "#cccccc")
        fill = color_group[n][2] if n in color_group else base_color
        border = _darker(fill)
        faded = route_view and n not in route_nodes
        border_width = 1.0
        if n == home:
            border_width = 3.0
        if faded:
            fill, border = _fade(fill), _fade(border, 0.6)
        if n in targets or (n == focus and not route_view):
            border, border_width = MARK_BORDER, 5.0
        elif n in route_nodes and n != home:
            border, border_width = ROUTE_COLOR, 3.0
        groups = [f"k:{kind}"]
        if n in color_group:
            groups.append(color_group[n][0])
            group_counts[color_group[n][0]] = group_counts.get(color_group[n][0], 0) + 1
        node: dict[str, Any] = {
            "id": nid(n),
            "label": labels[n].text if n in vadjust else "",
            "x": pos[n][0],
            "y": pos[n][1],
            "shape": KIND_SHAPES.get(kind, "dot"),
            "size": radius[n],
            "color": _solid(fill, border),
            "borderWidth": border_width,
            "borderWidthSelected": border_width + 1,
            "font": {
                "size": fonts[n],
                "color": "#9a9a9a" if faded else "#1a1a1a",
                "vadjust": vadjust.get(n, 0.0),
            },
            "tooltip": "\n".join(tip),
        }
        if n not in vadjust:
            zoom_labels[nid(n)] = labels[n].text
        nodes.append(node)
        node_meta["g"].append(groups)
        node_meta["s"].append(None if strength is None else round(strength, 3))
        node_meta["pin"].append(1 if n in pinned else 0)
        node_meta["d"].append(h.degree(n))

    # -- edges: the faded ones first, the routes last (drawn on top) ------------------------------------
    detailed = h.number_of_edges() <= detail_limit
    w0, w1 = (1.5, 7.0) if presentation else (1.0, 5.0)
    edge_list = sorted(
        (tuple(sorted((a, b))) for a, b in h.edges()),
        key=lambda e: (frozenset(e) in edge_routes, h[e[0]][e[1]]["score"], e),
    )
    edges: list[dict[str, Any]] = []
    edge_meta: dict[str, list[Any]] = {"f": [], "t": [], "s": [], "a": [], "w0": []}
    # Large maps: the page writes each tie's tooltip from these columns when it is hovered.
    edge_meta.update({"n": [], "l": [], "k": []})
    last_labels: dict[str, int] = {}
    tie_labels: dict[str, int] = {}
    default_color = _fade(EDGE_COLOR, 0.65) if route_view else EDGE_COLOR
    for i, (a, b) in enumerate(edge_list):
        d = h[a][b]
        on = edge_routes.get(frozenset((a, b)), [])
        latest = when(last_label(d)) if d.get("last") else None
        ties = ""
        if d.get("ties"):
            kinds = [label("TieKind", t, lang) if t != "affiliation" else _("works at") for t in d["ties"]]
            ties = _("Ties: {kinds}").format(kinds=", ".join(dict.fromkeys(kinds)))
        tip: list[str] | None = None
        if detailed:
            tip = [
                f"{texts[a]} — {texts[b]}",
                _("Strength {score} ({tier})").format(score=num(d["score"]), tier=tier_label(d["score"])),
            ]
            if d["interactions"]:
                line = ngettext("{n} interaction", "{n} interactions", d["interactions"]).format(
                    n=d["interactions"]
                )
                if latest:
                    line += ", " + _("the latest {date}").format(date=latest)
                tip.append(line)
            if ties:
                tip.append(ties)
            if d["interactions"]:
                tip += [
                    f"· {when(str(x.date))} · {label('InteractionKind', x.kind, lang)} · {x.title}"
                    for x in store.shared_interactions(a, b)[:3]
                ]
        else:
            edge_meta["n"].append(d["interactions"])
            edge_meta["l"].append(-1 if latest is None else last_labels.setdefault(latest, len(last_labels)))
            edge_meta["k"].append(-1 if not ties else tie_labels.setdefault(ties, len(tie_labels)))
        width0 = w0 + (5.0 if on else 0.0)
        edge: dict[str, Any] = {
            "id": f"e{i}",
            "from": nid(a),
            "to": nid(b),
            "width": round(width0 + w1 * d["score"], 2),
        }
        if cfg.tier(d["score"]) == "cold" and not on:
            edge["dashes"] = True
        if on:
            edge["color"] = {"color": ROUTE_COLOR, "highlight": ROUTE_COLOR, "hover": ROUTE_COLOR}
        if tip is not None:
            edge["tooltip"] = "\n".join(tip)
        if on:
            # Drawn by the page itself on top of the canvas (vis-network's edge labels drift).
            edge["routeLabel"], edge["routeAt"] = badges[(a, b)]
            edge["routeFont"] = badge_font
        edges.append(edge)
        edge_meta["f"].append(index[a])
        edge_meta["t"].append(index[b])
        edge_meta["s"].append(round(float(d["score"]), 3))
        edge_meta["a"].append(axis_mask.get(frozenset((a, b)), 0))
        edge_meta["w0"].append(width0)

    # -- legend -----------------------------------------------------------------------------------------
    legend: list[dict[str, Any]] = []
    for kind in sorted(kind_counts, key=lambda k: (k != "home_office", -kind_counts[k], kind_label(k))):
        color = KIND_COLORS.get(kind, "#cccccc") if color_by == "kind" else "#ffffff"
        legend.append(
            {
                "key": f"k:{kind}",
                "label": _cap(kind_label(kind)),
                "color": color,
                "border": _darker(color) if color_by == "kind" else "#555555",
                "shape": KIND_SHAPES.get(kind, "dot"),
                "count": kind_counts[kind],
            }
        )
    if color_by != "kind":
        seen: dict[str, tuple[str, str]] = {}
        for key, text, color in color_group.values():
            seen[key] = (text, color)
        for key in sorted(seen, key=lambda k: (-group_counts.get(k, 0), k)):
            text, color = seen[key]
            legend.append(
                {
                    "key": key,
                    "label": _cap(text),
                    "color": color,
                    "border": _darker(color),
                    "shape": "dot",
                    "count": group_counts.get(key, 0),
                }
            )
    marks: list[dict[str, Any]] = []
    if route_view:
        marks.append({"label": _("Route (number: score)"), "shape": "line", "color": ROUTE_COLOR, "width": 5})
        marks.append(
            {
                "label": _("Target of the routes"),
                "shape": "ring",
                "color": "#ffffff",
                "border": MARK_BORDER,
                "width": 3,
            }
        )
    if route_view and len(route_nodes) < n_nodes:
        marks.append(
            {
                "label": _("Not on a route (faded)"),
                "shape": "dot",
                "color": _fade("#888888"),
                "border": _fade("#444444", 0.6),
            }
        )
    if focus is not None and focus in h and not route_view:
        marks.append(
            {
                "label": _("Focus of the map"),
                "shape": "ring",
                "color": "#ffffff",
                "border": MARK_BORDER,
                "width": 3,
            }
        )
    if any(e.get("dashes") for e in edges):
        marks.append(
            {"label": _("Cold tie"), "shape": "line", "color": EDGE_COLOR, "border": "dashed", "width": 2}
        )
    marks.append({"label": _("Size: strength with the office"), "shape": "dot", "color": "#eeeeee"})

    # -- routes for the side panel and the printed table -------------------------------------------------
    routes: list[dict[str, Any]] = []
    for i, p in enumerate(route_list, start=1):
        hops = []
        for hop in p.hops:
            hop_text = _("{a} → {b}: strength {score} ({tier})").format(
                a=hop.source_name, b=hop.target_name, score=num(hop.score), tier=label("Tier", hop.tier, lang)
            )
            if hop.weakest and len(p.hops) > 1:
                hop_text += " · " + _("weakest link")
            evidence = [
                f"{when(str(x.date))} · {label('InteractionKind', x.kind, lang)} · {x.title}"
                for x in (store.shared_interactions(hop.source, hop.target)[:3] if hop.interactions else [])
            ]
            if hop.ties:
                kinds = [label("TieKind", t, lang) if t != "affiliation" else _("works at") for t in hop.ties]
                evidence.append(_("Ties: {kinds}").format(kinds=", ".join(dict.fromkeys(kinds))))
            hops.append({"text": hop_text, "evidence": evidence})
        short = [
            " ".join(labels[n].text.split("\n")) if n in labels else p.names[k] for k, n in enumerate(p.nodes)
        ]
        routes.append({"n": i, "score": num(p.score), "names": list(p.names), "short": short, "hops": hops})

    # -- quarter slider -----------------------------------------------------------------------------------
    timeline: dict[str, Any] = {}
    if past is not None and len(past.stops) > 1:
        timeline["quarters"] = [{"code": code, "label": format_date(code, lang)} for code, _end in past.stops]
        scores = []
        node_scores = []
        for gq in past.graphs:
            adj = gq._adj  # a plain dict read per tie: 50,000 ties x 8 quarters
            col = []
            for a, b in edge_list:
                e = adj.get(a, {}).get(b)
                col.append(None if e is None else round(e["score"], 3))
            scores.append(col)
            node_scores.append(
                [None if (s := office_score(n, gq)) is None else round(s, 3) for n in node_order]
            )
        timeline["scores"] = scores
        timeline["node"] = node_scores

    # -- words of the page --------------------------------------------------------------------------------
    title = title or _("OFAI partner network")
    subtitle = " · ".join(
        [
            _("Data as of {date}").format(date=format_date(as_of, lang)),
            ngettext("{n} entity", "{n} entities", n_nodes).format(n=format_number(n_nodes, lang)),
            ngettext("{n} tie", "{n} ties", len(edges)).format(n=format_number(len(edges), lang)),
        ]
    )
    if paths is not None:
        subtitle += " · " + ngettext(
            "{n} route to {target}", "{n} routes to {target}", len(route_list)
        ).format(n=len(route_list), target=paths.target.label)
    if focus is not None and focus in h and not route_view:
        subtitle += " · " + _("around {name}").format(name=texts[focus])
    page_texts = {
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
    filters_data = {
        "tiers": [{"code": t, "label": label("Tier", t, lang)} for t in ("strong", "medium", "weak", "cold")],
        "thresholds": {k: float(v) for k, v in cfg.tiers.items()},
        "axes": [{"code": a, "label": label("Axis", a, lang)} for a in AXES] if past and past.axes else [],
    }
    page = Page(
        title=title,
        subtitle=subtitle,
        nodes=nodes,
        edges=edges,
        legend=legend,
        marks=marks,
        physics=physics,
        highlight=[nid(n) for n in route_nodes],
        lang=lang,
        texts=page_texts,
        meta={
            "nodes": node_meta,
            "edges": edge_meta,
            "w1": w1,
            "edgeColor": default_color,
            "lastLabels": list(last_labels),
            "tieLabels": list(tie_labels),
            "decimal": decimal,
        },
        routes=routes,
        filters=filters_data,
        timeline=timeline,
        view={"width": VIEW_WIDTH, "height": VIEW_HEIGHT, "x": 0, "y": 0},
        labels=zoom_labels,
    )
    if redactor is not None:
        # One pass over every text of the page: whatever a field holds, no name gets through.
        page = Page(**{k: redactor(v) for k, v in page.__dict__.items()})
    return Map(
        html=render(page),
        node_count=len(nodes),
        edge_count=len(edges),
        highlighted=sorted(nid(n) for n in route_nodes),
        page=page,
        as_of=as_of,
    )
