"""The referral routes as a map draws them: which ties and entities they take, their numbered badges, and
the side panel's table of routes with their evidence."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..labels import label
from .labelling import LabelBox, text_width

if TYPE_CHECKING:
    import networkx as nx

    from ..paths import Connection
    from ..store.base import Store
    from .words import Words


@dataclass
class Routes:
    """The referral routes as the map draws them (empty when the map has none)."""

    paths: list[Any]
    nodes: list[str]  # every entity on a route, in route order
    targets: list[str]  # the target's entities that a route reaches
    edges: dict[frozenset[str], list[int]]  # tie -> numbers (from 1) of the routes through it

    @property
    def view(self) -> bool:
        return bool(self.paths)

    @classmethod
    def of(cls, paths: Connection | None, h: nx.Graph) -> Routes:
        route_list = list(paths.paths) if paths else []
        nodes: list[str] = []
        for p in route_list:
            nodes += [n for n in p.nodes if n in h and n not in nodes]
        ends = {p.nodes[-1] for p in route_list}
        targets = [n for n in (paths.target.ids if paths else []) if n in h and n in ends]
        edges: dict[frozenset[str], list[int]] = {}
        for i, p in enumerate(route_list, start=1):
            for a, b in itertools.pairwise(p.nodes):
                edges.setdefault(frozenset((a, b)), []).append(i)
        return cls(route_list, nodes, targets, edges)


def badges(routes: Routes, h: nx.Graph, words: Words) -> dict[tuple[str, str], tuple[str, float]]:
    """Route numbers sit on their ties; the score goes on the last hop, near the target."""
    out: dict[tuple[str, str], tuple[str, float]] = {}
    for a, b in sorted(tuple(sorted(e)) for e in routes.edges):
        if not h.has_edge(a, b):
            continue
        parts, at = [], 0.5
        for r in routes.edges[frozenset((a, b))]:
            p = routes.paths[r - 1]
            last_hop = frozenset(p.nodes[-2:]) == frozenset((a, b))
            parts.append(f"{r}: {words.num(p.score)}" if last_hop else str(r))
            if last_hop and at == 0.5:
                # Near the target: the middle of a long last hop often crosses another lane.
                at = 0.7 if p.nodes[-1] == b else 0.3
        out[(a, b)] = (" · ".join(parts), at)
    return out


Box = tuple[float, float, float, float]


def route_obstacles(
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


def route_panel(
    routes: Routes, store: Store, w: Words, labels: dict[str, LabelBox], as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """Each route for the side panel and the printed table: its hops, their strength and evidence."""
    _ = w.gettext
    panel: list[dict[str, Any]] = []
    for i, p in enumerate(routes.paths, start=1):
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
            shared = store.shared_interactions(hop.source, hop.target, limit=3, until=as_of) if hop.interactions else []
            evidence = [w.interaction(x) for x in shared]
            if hop.ties:
                evidence.append(w.ties(hop.ties))
            hops.append({"text": text, "evidence": evidence})
        short = [
            " ".join(labels[n].text.split("\n")) if n in labels else p.names[k] for k, n in enumerate(p.nodes)
        ]
        panel.append({"n": i, "score": w.num(p.score), "names": list(p.names), "short": short, "hops": hops})
    return panel
