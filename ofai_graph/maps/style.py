"""How a map looks: the colours and shapes of kinds, the route's ink, faded and darker shades, line widths."""

from __future__ import annotations

from typing import Any

ROUTE_COLOR = "#1f2d86"
MARK_BORDER = "#111111"
EDGE_COLOR = "#a8a8a8"
FADE = 0.8  # how far a faded colour moves towards white
ROUTE_WIDTH = 5.0  # what a route adds to its ties' width

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


def fade(color: str, amount: float = FADE) -> str:
    """``color`` moved ``amount`` of the way to white: what is off the routes of a route map."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def darker(color: str, amount: float = 0.45) -> str:
    """A border for ``color``."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"#{round(r * (1 - amount)):02x}{round(g * (1 - amount)):02x}{round(b * (1 - amount)):02x}"


def solid(background: str, border: str) -> dict[str, Any]:
    """A vis-network colour that stays the same when selected or hovered (the legend's colour)."""
    both = {"background": background, "border": border}
    return {**both, "highlight": dict(both), "hover": dict(both)}


def edge_widths(presentation: bool) -> tuple[float, float]:
    """A tie's width at no strength, and what each unit of strength adds (the page redraws with them)."""
    return (1.5, 7.0) if presentation else (1.0, 5.0)


def edge_width(score: float, on_route: bool, presentation: bool) -> float:
    """A tie's width: thicker the stronger, and thicker still on a route."""
    w0, w1 = edge_widths(presentation)
    return round(w0 + (ROUTE_WIDTH if on_route else 0.0) + w1 * score, 2)
