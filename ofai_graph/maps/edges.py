"""A map's ties as the page draws them: width by strength, cold ones dashed, routes on top with their
badges, tooltips (or, on a large map, the columns the page writes them from on hover)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..strength import last_label
from .nodes import NodeTable
from .placement import Placement
from .scene import Scene
from .style import EDGE_COLOR, ROUTE_COLOR, ROUTE_WIDTH, edge_width, edge_widths, fade


@dataclass
class EdgeTable:
    """The ties as the page draws them, and the columns its filters and slider redraw them from."""

    edges: list[dict[str, Any]]
    meta: dict[str, list[Any]]  # columns: ends, score, axes, base width (and tooltip parts, large maps)
    order: list[tuple[str, str]]  # drawing order: faded ones first, routes last (on top)
    last_labels: dict[str, int]  # the dates a large map's tooltips refer to by number
    tie_labels: dict[str, int]  # the "Ties: ..." lines, likewise
    w1: float  # width per unit of strength
    color: str  # the colour of a tie that is not on a route


def _edge_tooltip(scene: Scene, a: str, b: str, latest: str | None, ties: str) -> str:
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
        tip += ["· " + w.interaction(x) for x in scene.store.shared_interactions(a, b, limit=3, until=scene.as_of)]
    return "\n".join(tip)


def edge_table(
    scene: Scene,
    nodes: NodeTable,
    placed: Placement,
    axis_mask: dict[frozenset[str], int],
    detail_limit: int,
) -> EdgeTable:
    """The ties in drawing order (faded ones first, routes last, on top), with the page's columns."""
    h, w, route_edges = scene.h, scene.words, scene.routes.edges
    # A large map would carry megabytes of tooltips: the page writes them from columns on hover.
    detailed = h.number_of_edges() <= detail_limit
    w0, w1 = edge_widths(scene.presentation)
    order: list[tuple[str, str]] = sorted(
        ((a, b) if a <= b else (b, a) for a, b in h.edges()),
        key=lambda e: (frozenset(e) in route_edges, h[e[0]][e[1]]["score"], e),
    )
    meta: dict[str, list[Any]] = {"f": [], "t": [], "s": [], "a": [], "w0": [], "n": [], "l": [], "k": []}
    color = fade(EDGE_COLOR, 0.65) if scene.routes.view else EDGE_COLOR
    table = EdgeTable([], meta, order, {}, {}, w1, color)
    for i, (a, b) in enumerate(table.order):
        d = h[a][b]
        on = route_edges.get(frozenset((a, b)), [])
        latest = w.when(last_label(d)) if d.get("last") else None
        ties = w.ties(d["ties"]) if d.get("ties") else ""
        width0 = w0 + (ROUTE_WIDTH if on else 0.0)
        edge: dict[str, Any] = {
            "id": f"e{i}",
            "from": scene.nid(a),
            "to": scene.nid(b),
            "width": edge_width(d["score"], bool(on), scene.presentation),
        }
        if w.cfg.tier(d["score"]) == "cold" and not on:
            edge["dashes"] = True
        if on:
            edge["color"] = {"color": ROUTE_COLOR, "highlight": ROUTE_COLOR, "hover": ROUTE_COLOR}
        if (a, b) in placed.bends:
            # Round an entity it would pass over (see placement._bend).
            kind, roundness = placed.bends[(a, b)]
            edge["smooth"] = {"enabled": True, "type": kind, "roundness": roundness}
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
