"""Network maps for strategy meetings: one offline HTML file (or SVG, PNG, PDF), safe to share.

:func:`build_map` takes the relationship graph (strength-weighted, see :mod:`ofai_graph.strength`),
keeps what the filters ask for and encodes it: kind (or community, tier, axis) as colour, kind as
shape, strength to the home office as size and label size, tie strength as width, cold ties dashed.

A map is *stable*: positions are computed here with a fixed seed and rounded, labels are placed
here so that they do not overlap at the first view (the office, the routes, the focus and the
strongest partners are labelled; the other names appear on zoom and hover), and the page carries
no clock and no randomness: the same data and options give the same bytes and the same picture.

A route map (``paths``) lays the routes out from the office (left) to the target (right), in
columns by hop and a lane each, and no route's line passes over an entity it does not join; it
draws them on top, numbered, with everything else faded. The page filters by legend entry, tier,
axis and quarter (strength recomputed here for each quarter and embedded). With ``redact_people``
every text of the output (title, subtitle, labels, tooltips, legend, routes and their evidence,
the file's metadata) goes through one redaction pass: people appear as their role and
organization, their ids as opaque ones (Ley 1581 de 2012).

The modules, in the order a map is made:

- :mod:`.build`: :func:`build_map` and :func:`workspace_map`, which run the phases below;
- :mod:`.scene`: what the map shows (:func:`select`) and for whom (names, redaction);
  :mod:`.routes`: the routes on it, their badges and their table; :mod:`.words`: its language;
- :mod:`.placement`: sizes, positions and labels, with the algorithms of :mod:`.layout` (where
  entities go) and :mod:`.labelling` (which labels show, and where);
- :mod:`.groups`, :mod:`.nodes`, :mod:`.edges`, :mod:`.legend`: what the page draws, in
  :mod:`.style`'s colours and shapes; :mod:`.history`: the quarter slider and the axis filter;
- :mod:`.page`: the HTML page; :mod:`.model`: the :class:`Map` it returns;
  :mod:`.handouts`: SVG, PNG and PDF.
"""

from .build import COLOR_BY, build_map, workspace_map
from .handouts import CHROMIUM_ARGS, chromium_path, print_pdf, screenshot, to_svg
from .history import AXES, TIMELINE_QUARTERS, History, history, quarter_stops
from .labelling import text_width
from .model import FORMATS, Map
from .page import Page
from .scene import select
from .style import EDGE_COLOR, KIND_COLORS, KIND_SHAPES, MARK_BORDER, PALETTE, ROUTE_COLOR, TIER_COLORS

__all__ = [
    "AXES",
    "CHROMIUM_ARGS",
    "COLOR_BY",
    "EDGE_COLOR",
    "FORMATS",
    "KIND_COLORS",
    "KIND_SHAPES",
    "MARK_BORDER",
    "PALETTE",
    "ROUTE_COLOR",
    "TIER_COLORS",
    "TIMELINE_QUARTERS",
    "History",
    "Map",
    "Page",
    "build_map",
    "chromium_path",
    "history",
    "print_pdf",
    "quarter_stops",
    "screenshot",
    "select",
    "text_width",
    "to_svg",
    "workspace_map",
]
