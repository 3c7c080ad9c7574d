"""A map's entities as the page draws them: shape, colour, size, label, tooltip, and the columns the page
filters by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import FollowUpStatus
from ..store.base import Store
from ..strength import last_label
from .groups import Group
from .placement import Placement, Sizes
from .scene import Scene
from .style import KIND_COLORS, KIND_SHAPES, MARK_BORDER, ROUTE_COLOR, darker, fade, solid
from .words import cap

if TYPE_CHECKING:
    import networkx as nx


@dataclass
class NodeTable:
    """The entities as the page draws them, and the columns its filters read."""

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


def _node_tooltip(scene: Scene, n: str, kind: str, pending: list[str]) -> str:
    from .. import countries as country_names

    w, h, home = scene.words, scene.h, scene.home
    _, ngettext = w.gettext, w.ngettext
    tip = [scene.names[n], cap(w.kind(kind))]
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


def _node_colors(scene: Scene, n: str, fill: str) -> tuple[str, str, float, bool]:
    """Fill, border, border width, and whether the node is faded (off the routes of a route map)."""
    routes = scene.routes
    border = darker(fill)
    faded = routes.view and n not in routes.nodes
    border_width = 3.0 if n == scene.home else 1.0
    if faded:
        fill, border = fade(fill), fade(border, 0.6)
    if n in routes.targets or (n == scene.focus and not routes.view):
        border, border_width = MARK_BORDER, 5.0
    elif n in routes.nodes and n != scene.home:
        border, border_width = ROUTE_COLOR, 3.0
    return fill, border, border_width, faded


def node_table(scene: Scene, sizes: Sizes, placed: Placement, groups: dict[str, Group]) -> NodeTable:
    h, pinned, importance = scene.h, scene.pinned, sizes.importance
    open_fu = _open_followups(scene.store, h)
    index = {n: i for i, n in enumerate(sorted(h, key=lambda n: (n in pinned, importance[n], n)))}
    node_order = sorted(h, key=lambda n: index[n])
    table = NodeTable([], {"g": [], "s": [], "pin": [], "d": []}, node_order, index, {}, {}, {})
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
                "color": solid(fill, border),
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
