"""Where a map's entities and labels go at the first view: importance and sizes, positions fitted to the
view, entities moved off the lines they do not join, the route badges and the labels placed around them.
The algorithms are :mod:`ofai_graph.maps.layout`'s; this module feeds them a scene."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .clearing import bend_edges, clear_edges
from .labelling import LabelBox, place_labels, text_width, wrap_label
from .layout import fit, layout
from .page import VIEW_HEIGHT, VIEW_WIDTH
from .routes import badges, route_obstacles
from .scene import Scene
from .style import edge_width

# Moving entities off every tie costs about entities x ties: half a second of CPU at 100 x 547 (a
# dense generated network, where no place is free), a tenth at the seed's 63 x 149. Route lines
# are cleared on maps of any size.
CLEAR_WORK = 60_000
ROUTE_GAP = 6.0  # pixels between a route's line and an entity it does not join
TIE_GAP = 2.0  # and another tie's


@dataclass
class Sizes:
    """How much each entity matters, and what follows: its radius, its font, its label's box."""

    importance: dict[str, float]
    order: list[str]  # label priority: pinned first, then the most important
    radius: dict[str, float]
    fonts: dict[str, float]
    labels: dict[str, LabelBox]
    budget: int  # how many labels besides the pinned ones the first view shows


def measure(scene: Scene) -> Sizes:
    """Importance (strength with the office; the routes, the focus and the office above all), sizes, labels."""
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
    return Sizes(importance, order, radius, fonts, labels, budget)


def _label_box(n: str, full: str, size: float) -> LabelBox:
    # A long name that carries its acronym, "Banco Interamericano de Desarrollo (BID)", is
    # labelled "BID" (the name shows on hover); aliases are not used: they mix languages.
    acronym = re.fullmatch(r".{12,}\(([^()]{2,24})\)", full) if len(full) > 28 else None
    text = wrap_label(acronym.group(1) if acronym else full)
    lines = text.split("\n")
    return LabelBox(n, text, size, max(text_width(line, size) for line in lines) + 6, len(lines) * size)


@dataclass
class Placement:
    """Where everything goes at the first view: entities, labels, route badges."""

    pos: dict[str, tuple[float, float]]
    vadjust: dict[str, float]  # labelled nodes -> label offset; the others are labelled on zoom
    badges: dict[tuple[str, str], tuple[str, float]]  # route tie -> (text, where along the tie)
    badge_font: int
    # (a, b), a < b -> vis-network's curve (type, roundness): ties no move could clear of an entity
    bends: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)


def place(scene: Scene, sizes: Sizes) -> Placement:
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
    pos = _clear(scene, pos, radius, extent)
    # vis-network reads a position as a whole number (parseInt): whole numbers here, so that the
    # labels, the badges, the SVG and the page all stand where the entities are drawn.
    pos = {n: (float(round(x)), float(round(y))) for n, (x, y) in pos.items()}
    bends = _bend(scene, pos, radius)
    box = (-VIEW_WIDTH / 2 + 2, -VIEW_HEIGHT / 2 + 2, VIEW_WIDTH / 2 - 2, VIEW_HEIGHT / 2 - 2)
    badge_font = 19 if scene.presentation else 15
    on_routes = badges(routes, h, scene.words)
    obstacles, soft = route_obstacles(on_routes, pos, badge_font)
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
    return Placement(pos, vadjust, on_routes, badge_font, bends)


def _clear(
    scene: Scene,
    pos: dict[str, tuple[float, float]],
    radius: dict[str, float],
    extent: dict[str, tuple[float, float, float]],
) -> dict[str, tuple[float, float]]:
    """No line seems to pass through an entity it does not join: a route's line never (what a reader
    follows), another tie's where that is cheap (up to :data:`CLEAR_WORK` entity-tie pairs)."""
    h, routes = scene.h, scene.routes
    margin = 10.0
    bounds = {
        n: (
            -VIEW_WIDTH / 2 + margin + hw,
            -VIEW_HEIGHT / 2 + margin + up,
            VIEW_WIDTH / 2 - margin - hw,
            VIEW_HEIGHT / 2 - margin - down,
        )
        for n, (hw, up, down) in extent.items()
    }
    # Route lines keep ROUTE_GAP from entities, other ties TIE_GAP: half widths with the difference.
    route_lines = [
        (a, b, edge_width(d["score"], True, scene.presentation) / 2 + ROUTE_GAP - TIE_GAP)
        for a, b, d in h.edges(data=True)
        if frozenset((a, b)) in routes.edges
    ]
    lines = route_lines
    focus = [scene.focus] if scene.focused and scene.focus is not None else []
    if h.number_of_nodes() * h.number_of_edges() <= CLEAR_WORK:
        lines = route_lines + [
            (a, b, edge_width(d["score"], False, scene.presentation) / 2)
            for a, b, d in h.edges(data=True)
            if frozenset((a, b)) not in routes.edges
        ]
        if routes.nodes:
            # The routes' entities stay in their lanes while the rest moves off the ties it is not on.
            skeleton = set(routes.nodes) | set(focus)
            pos = clear_edges(
                pos, radius, lines, bounds=bounds, fixed=skeleton, firm=routes.edges, gap=TIE_GAP
            )
    if lines:
        # Then any entity but the focus may move: off the routes' lines first (firm), then the others.
        pos = clear_edges(
            pos, radius, lines, bounds=bounds, fixed=focus, firm=routes.edges, gap=TIE_GAP, rounds=60
        )
    return pos


def _bend(
    scene: Scene, pos: dict[str, tuple[float, float]], radius: dict[str, float]
) -> dict[tuple[str, str], tuple[str, float]]:
    """Where a tie still passes over an entity it does not join (none left, nearly always), it curves
    round it. Not a route's line (its badges stand on the straight line, and nothing is left under
    one), and only on maps whose ties were cleared (up to :data:`CLEAR_WORK`)."""
    h, routes = scene.h, scene.routes
    if h.number_of_nodes() * h.number_of_edges() > CLEAR_WORK:
        return {}
    ties = [
        (min(a, b), max(a, b), edge_width(d["score"], False, scene.presentation) / 2)
        for a, b, d in h.edges(data=True)
        if frozenset((a, b)) not in routes.edges
    ]
    return bend_edges(pos, radius, ties, gap=0.5, clearance=TIE_GAP)


def _centre(scene: Scene, unit: dict[str, tuple[float, float]]) -> tuple[float, float]:
    if scene.focus is not None and scene.focus in unit and not scene.routes.view:
        return unit[scene.focus]
    if not unit:
        return (0.0, 0.0)
    xs = [p[0] for p in unit.values()]
    ys = [p[1] for p in unit.values()]
    return ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
