"""Colour groups for ``color_by`` other than kind: communities (Louvain), tiers of the tie to the office, axes."""

from __future__ import annotations

from ..labels import label
from .history import AXES
from .layout import SEED
from .scene import Scene
from .style import KIND_COLORS, PALETTE, TIER_COLORS

Group = tuple[str, str, str]  # (legend key, label, colour)


def color_groups(scene: Scene, color_by: str, axis_mask: dict[frozenset[str], int]) -> dict[str, Group]:
    if color_by == "community":
        return _community_groups(scene)
    if color_by == "tier":
        return _tier_groups(scene)
    if color_by == "axis":
        return _axis_groups(scene, axis_mask)
    return {}


def _community_groups(scene: Scene) -> dict[str, Group]:
    import networkx as nx

    _ = scene.words.gettext
    h = scene.h
    comms = nx.community.louvain_communities(h, weight="score", seed=SEED) if h.number_of_edges() else []
    ordered = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    groups: dict[str, Group] = {}
    for i, c in enumerate(ordered):
        # The palette's last colour is kept for the lumped tail: a legend of 40 singletons helps no one.
        if i < len(PALETTE) - 1 and len(c) > 1:
            group = (f"c:{i + 1}", _("Community {n}").format(n=i + 1), PALETTE[i])
        else:
            group = ("c:0", _("Other communities"), "#d0d0d0")
        for n in c:
            groups[n] = group
    return groups


def _tier_groups(scene: Scene) -> dict[str, Group]:
    _ = scene.words.gettext
    groups: dict[str, Group] = {}
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


def _axis_groups(scene: Scene, axis_mask: dict[frozenset[str], int]) -> dict[str, Group]:
    """Each entity takes the axis most of its ties are built on (ties in the axes' order on a draw)."""
    _ = scene.words.gettext
    h = scene.h
    groups: dict[str, Group] = {}
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
