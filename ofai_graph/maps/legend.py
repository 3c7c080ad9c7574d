"""A map's legend: one entry per kind (and colour group), then what the route lines, rings, faded
entities, dashes and sizes mean."""

from __future__ import annotations

from typing import Any

from .backbone import Thinning
from .edges import EdgeTable
from .groups import Group
from .nodes import NodeTable
from .scene import Scene
from .style import EDGE_COLOR, KIND_COLORS, KIND_SHAPES, MARK_BORDER, ROUTE_COLOR, darker, fade
from .words import cap


def legend(scene: Scene, color_by: str, nodes: NodeTable, groups: dict[str, Group]) -> list[dict[str, Any]]:
    """One entry per kind (the shape; the colour too when colouring by kind), then the colour groups."""
    w, counts = scene.words, nodes.kind_counts
    legend: list[dict[str, Any]] = []
    for kind in sorted(counts, key=lambda k: (k != "home_office", -counts[k], w.kind(k))):
        color = KIND_COLORS.get(kind, "#cccccc") if color_by == "kind" else "#ffffff"
        border = darker(color) if color_by == "kind" else "#555555"
        shape = KIND_SHAPES.get(kind, "dot")
        legend.append(_legend_entry(f"k:{kind}", w.kind(kind), color, border, shape, counts[kind]))
    if color_by != "kind":
        seen = {key: (text, color) for key, text, color in groups.values()}
        for key in sorted(seen, key=lambda k: (-nodes.group_counts.get(k, 0), k)):
            text, color = seen[key]
            legend.append(
                _legend_entry(key, text, color, darker(color), "dot", nodes.group_counts.get(key, 0))
            )
    return legend


def _legend_entry(key: str, text: str, color: str, border: str, shape: str, count: int) -> dict[str, Any]:
    return {"key": key, "label": cap(text), "color": color, "border": border, "shape": shape, "count": count}


def marks(scene: Scene, edges: EdgeTable, thinning: Thinning | None = None) -> list[dict[str, Any]]:
    """The legend's lower part: what the route lines, rings, faded entities, dashes and sizes mean,
    and which ties are drawn when the map draws its backbone."""
    _, ngettext = scene.words.gettext, scene.words.ngettext
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
                    "color": fade("#888888"),
                    "border": fade("#444444", 0.6),
                }
            )
    if scene.focused:
        marks.append(ring(_("Focus of the map")))
    if any(e.get("dashes") for e in edges.edges):
        marks.append(
            {"label": _("Cold tie"), "shape": "line", "color": EDGE_COLOR, "border": "dashed", "width": 2}
        )
    marks.append({"label": _("Size: strength with the office"), "shape": "dot", "color": "#eeeeee"})
    if thinning is not None and thinning.thinned:
        k, office, focus = thinning.k, scene.home is not None, scene.focus is not None and scene.focus in scene.h
        if office and focus:
            text = ngettext(
                "Ties drawn: all of the office's and the focus's, the routes', and each other entity's strongest",
                "Ties drawn: all of the office's and the focus's, the routes', and each other entity's {k} strongest",
                k,
            )
        elif office:
            text = ngettext(
                "Ties drawn: all of the office's, the routes', and each other entity's strongest",
                "Ties drawn: all of the office's, the routes', and each other entity's {k} strongest",
                k,
            )
        elif focus:
            text = ngettext(
                "Ties drawn: all of the focus's, the routes', and each other entity's strongest",
                "Ties drawn: all of the focus's, the routes', and each other entity's {k} strongest",
                k,
            )
        else:
            text = ngettext(
                "Ties drawn: the routes' and each entity's strongest",
                "Ties drawn: the routes' and each entity's {k} strongest",
                k,
            )
        marks.append({"label": text.format(k=k), "shape": "line", "color": EDGE_COLOR, "width": 2})
    return marks
