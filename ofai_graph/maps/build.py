"""A map from the relationship graph: select, lay out, label, encode, and write the page.

:func:`build_map` runs the phases in order, each in a module of its own: :mod:`.scene` (what the
map shows, for whom, and the routes on it), :mod:`.placement` (sizes, positions, labels),
:mod:`.groups` (colour groups), :mod:`.nodes` and :mod:`.edges` (what the page draws),
:mod:`.legend`, :mod:`.routes` (the side panel's routes), :mod:`.history` (the quarter slider);
:mod:`.page` writes the page and :class:`~.model.Map` holds the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import N_, OfaiError
from ..i18n import format_date, format_number, resolve_lang
from ..store.base import Store
from ..strength import StrengthConfig
from .backbone import Thinning, thin
from .edges import edge_table
from .groups import color_groups
from .history import History, history, pair_history, slider_data
from .legend import legend, marks
from .model import Map
from .nodes import node_table
from .page import VIEW_HEIGHT, VIEW_WIDTH, Page, render
from .placement import measure, place
from .routes import Routes, route_panel
from .scene import Scene, display_names, redactor_for, select
from .words import Words, filter_controls, page_texts

if TYPE_CHECKING:
    import networkx as nx

    from ..paths import Connection
    from ..workspace import Workspace

COLOR_BY = ("kind", "community", "tier", "axis")


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
    all_ties: bool = False,
) -> Map:
    """The map behind :meth:`ofai_graph.Workspace.map` (arguments as there)."""
    from .. import countries as country_names
    from ..resolve import entity_kind
    from ..text import control_character
    from ..workspace import _axis

    if title and control_character(title):
        raise OfaiError(
            N_("the title contains the control character {char}; remove it"), char=control_character(title)
        )
    kinds = [entity_kind(k) for k in kinds]  # codes or English/Spanish labels; anything else an error
    as_of = as_of or dt.date.today()
    codes = sorted({_axis(a) for a in axes})
    try:
        home: str | None = ws.home
    except OfaiError:
        home = None
    paths = ws.connect(path_to, as_of=as_of) if path_to else None
    if only_routes and paths is None:
        raise OfaiError(N_("--only-routes needs --path-to: it keeps only the routes' entities"))
    focus_id = ws.resolve(focus) if focus else None
    country_codes = [country_names.resolve(c) for c in countries]
    if home is not None and not codes and _large(ws):
        # Only what the map can draw is read: at most MAP_ENTITIES entities, their pairs and ties.
        from ..structure import pair_network, pair_rows

        ids = drawn_entities(ws, as_of, home, focus_id, hops, list(kinds), country_codes)
        ids += [n for p in (paths.paths if paths else []) for n in p.nodes if n not in ids]
        rows = pair_rows(ws.store, ids)
        g = pair_network(ws.store, ws.strength_config, as_of, ids, rows)
        past = pair_history(ws.store, as_of, ws.strength_config, ids, rows) if timeline else None
        # Tooltips from the page's columns, as on any map of thousands of ties: each tie's newest
        # interactions would be a read per tie drawn (7 ms each on a million interactions).
        detail_limit = 0
    else:
        g = ws.relationship_graph(as_of, axes)
        past = history(ws.store, as_of, ws.strength_config, codes) if timeline else None
        detail_limit = DETAIL_LIMIT
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
        all_ties=all_ties,
        detail_limit=detail_limit,
        focus=focus_id,
        hops=hops,
        kinds=list(kinds),
        countries=country_codes,
        since=since,
        until=until,
        min_strength=min_strength,
    )


DETAIL_LIMIT = 400
"""A map of at most this many ties carries each tie's tooltip with its newest interactions; a larger
one (or any map of a large store) writes its tooltips on hover from columns, without them."""

MAP_ENTITIES = 120
"""On a store of more than :data:`ofai_graph.structure.WHOLE_LIMIT` entities, the most a map draws
(besides its routes): the office and its strongest partners, or those of the focus, the countries or
the kinds asked for. A whole graph of 100,000 entities is neither readable nor quick to read."""


def _large(ws: Workspace) -> bool:
    """Whether the store is too large to draw whole and keeps materialized pairs to read a part from."""
    from ..structure import WHOLE_LIMIT

    counts = ws.store.counts()
    return sum(counts[t] for t in ("country", "organization", "person")) > WHOLE_LIMIT and ws._pairs_current()


def drawn_entities(
    ws: Workspace,
    as_of: dt.date,
    home: str,
    focus: str | None,
    hops: int,
    kinds: list[str],
    countries: list[str],
    limit: int | None = None,
) -> list[str]:
    """The entities a map of a large store draws, at most ``limit``: around ``focus``, its strongest
    partners hop by hop; else the office and its strongest partners among the entities of
    ``countries`` and of ``kinds`` (all its partners when neither is asked), strongest first."""
    from ..materialize import lazy_graph

    limit = MAP_ENTITIES if limit is None else limit
    lazy = lazy_graph(ws.store, ws.strength_config, as_of, [home])
    if focus is not None:
        ids, frontier = [focus], [focus]
        for _ in range(hops):
            following: list[str] = []
            for v in frontier:
                ranked = lazy.graph["neighbours"](v, None, lambda w: w not in ids)
                k = 0
                while len(ids) < limit and (item := ranked.at(k)) is not None:
                    k += 1
                    if item[1] not in ids:
                        ids.append(item[1])
                        following.append(item[1])
            frontier = following
        return ids
    among: set[str] | None = None
    if countries:  # each country's entities (a read per country), of the kinds asked
        among = {
            s.id
            for c in countries
            for s in ws.store.entity_summaries(kinds=kinds or None, country=c)
            if c in s.countries
        }
    elif kinds:
        among = {s.id for s in ws.store.entity_summaries(kinds=kinds)}
    ranked = lazy.graph["neighbours"](home, among, lambda w: True)
    ids = [home]
    while len(ids) < limit and (item := ranked.at(len(ids) - 1)) is not None:
        ids.append(item[1])
    return ids


def _subtitle(scene: Scene, as_of: dt.date, n_edges: int, paths: Connection | None, thinning: Thinning) -> str:
    w = scene.words
    _, ngettext = w.gettext, w.ngettext
    n_nodes = scene.h.number_of_nodes()
    if thinning.thinned:  # the map says what it left out
        ties = ngettext(
            "{n} of {total} tie (each entity's strongest)", "{n} of {total} ties (each entity's strongest)", thinning.total
        ).format(n=format_number(n_edges, w.lang), total=format_number(thinning.total, w.lang))
    else:
        ties = ngettext("{n} tie", "{n} ties", n_edges).format(n=format_number(n_edges, w.lang))
    subtitle = " · ".join(
        [
            _("Data as of {date}").format(date=format_date(as_of, w.lang)),
            ngettext("{n} entity", "{n} entities", n_nodes).format(n=format_number(n_nodes, w.lang)),
            ties,
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
    detail_limit: int = DETAIL_LIMIT,
    all_ties: bool = False,
    **filters: Any,
) -> Map:
    """Select, lay out, label and render a map of the relationship graph ``g``.

    Filters (all optional): ``focus``/``hops``, ``kinds``, ``countries``, ``min_strength``, ``since``,
    ``until``; ``paths`` (from :func:`ofai_graph.paths.connect`) is drawn on top, and with
    ``only_routes`` alone. ``past`` (from :func:`history`) feeds the quarter slider and the axis
    filter. ``lang`` is "es" or "en" (default: :func:`ofai_graph.i18n.resolve_lang`).

    A map with more than :data:`.backbone.TIES_PER_ENTITY` ties per entity draws its backbone (see
    :mod:`.backbone`): every tie of the office and the focus, the routes', and each other entity's
    :data:`.backbone.STRONGEST` strongest; its subtitle and legend say so. ``all_ties`` draws every tie.
    """
    if color_by not in COLOR_BY:
        raise OfaiError(N_("unknown colouring {value!r}: use one of {choices}"), value=color_by, choices=", ".join(COLOR_BY))
    words = Words.of(resolve_lang(lang), g.graph.get("config") or StrengthConfig())
    as_of: dt.date = g.graph.get("as_of") or dt.date.today()
    home = home if home in g else None
    h = select(g, store, home or "", paths=paths, only_routes=only_routes, **filters)
    if all_ties:
        thinning = Thinning(h.number_of_edges(), h.number_of_edges(), 0)
    else:
        anchors = [n for n in (home, filters.get("focus")) if n is not None]
        h, thinning = thin(h, anchors, Routes.of(paths, h).edges)
    redactor = redactor_for(store, words) if redact_people else None
    scene = Scene(
        h=h,
        store=store,
        home=home,
        focus=filters.get("focus"),
        words=words,
        routes=Routes.of(paths, h),
        presentation=presentation,
        names=display_names(h, store, words.lang, redactor),
        alias=redactor.alias if redactor else {},
        redactor=redactor,
        as_of=as_of,
    )
    sizes = measure(scene)
    placed = place(scene, sizes)
    axis_mask = past.axes if past else {}
    groups = color_groups(scene, color_by, axis_mask)
    nodes = node_table(scene, sizes, placed, groups)
    edges = edge_table(scene, nodes, placed, axis_mask, detail_limit)
    page = Page(
        title=title or words.gettext("OFAI partner network"),
        subtitle=_subtitle(scene, as_of, len(edges.edges), paths, thinning),
        nodes=nodes.nodes,
        edges=edges.edges,
        legend=legend(scene, color_by, nodes, groups),
        marks=marks(scene, edges, thinning),
        physics=physics,
        highlight=[scene.nid(n) for n in scene.routes.nodes],
        lang=words.lang,
        texts=page_texts(words),
        meta={
            "nodes": nodes.meta,
            "edges": edges.meta,
            "w1": edges.w1,
            "edgeColor": edges.color,
            "lastLabels": list(edges.last_labels),
            "tieLabels": list(edges.tie_labels),
            "decimal": words.decimal,
        },
        routes=route_panel(scene.routes, store, words, sizes.labels, as_of),
        filters=filter_controls(words, past),
        timeline=slider_data(past, home, nodes.order, edges.order, words.lang),
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
        tie_count=thinning.total,
        highlighted=sorted(scene.nid(n) for n in scene.routes.nodes),
        page=page,
        as_of=as_of,
    )
