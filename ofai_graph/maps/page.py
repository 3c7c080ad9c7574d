"""The map page: one offline HTML file, the same picture on every load, safe to share.

pyvis ships the vis-network build we draw with; its page template is not safe to hand out (a CDN
link even with ``cdn_resources="in_line"``, unescaped heading and options, tooltips switched to
``innerHTML``), so this module writes the page itself:

- vis-network's JS and CSS (the copies pyvis ships) are inlined: one file, no CDN, no ``lib/``;
- data reaches the page only as JSON inside ``<script type="application/json">``, with ``<``,
  ``>``, ``&`` and the two JavaScript line separators escaped, so no text can close the script;
- every text (labels excepted, which vis-network paints on its canvas) is put in the page with
  ``textContent``: a name such as ``<img src=x onerror=alert(1)>`` is shown, never parsed;
- positions come from Python and physics is off unless asked for, and the first view is set from
  the data (no fit, no random seed, no clock): the same file draws the same picture every time;
- the legend, the tier and axis filters, the quarter slider and the search act on the embedded
  data only; nothing is fetched.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

# The map area of the page at a 1600x1000 window (the header and the side panel take the rest):
# positions and label boxes are computed for it in Python, and the page scales it to fit.
VIEW_WIDTH = 1296
VIEW_HEIGHT = 936
SIDEBAR = 304
HEADER = 64


def _json_for_script(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    import importlib.util

    # Only pyvis's bundled vis-network files are needed: importing pyvis (jinja2, its templates,
    # networkx drawing) costs a third of a second of every map written by a fresh process.
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pyvis is needed for the map's vis-network files: pip install pyvis")
    lib = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # Neither may end the element it is inlined into.
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


@dataclass
class Page:
    """Everything a map page shows; every string is data and is treated as text.

    ``nodes``/``edges`` are vis-network records (positions included) plus ``tooltip``; ``meta``
    holds, per node, what the page filters on (legend groups, tier, axes), per edge the same, and
    the quarter slider's scores. ``texts`` are the page's own words in the map's language.
    """

    title: str
    subtitle: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    legend: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)
    physics: bool = False
    highlight: list[str] = field(default_factory=list)
    lang: str = "en"
    texts: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    routes: list[dict[str, Any]] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    timeline: dict[str, Any] = field(default_factory=dict)
    view: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # names shown on zoom, by node id


def _options(physics: bool, edge_color: str = "#a8a8a8") -> dict[str, Any]:
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": False},
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "stabilization": {"enabled": physics, "iterations": 300, "fit": False},
        },
        "interaction": {"hover": True, "tooltipDelay": 80, "hideEdgesOnDrag": True, "zoomView": True},
        "nodes": {
            "font": {
                "size": 14,
                "face": "Arial, 'Liberation Sans', Helvetica, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "borderWidth": 1,
        },
        "edges": {
            "smooth": False,
            "color": {"inherit": False, "color": edge_color, "highlight": edge_color, "hover": edge_color},
            "font": {"size": 13, "strokeWidth": 4, "strokeColor": "#ffffff", "align": "middle"},
            "selectionWidth": 0,
            "hoverWidth": 0.5,
        },
    }


def page_data(page: Page) -> dict[str, Any]:
    """The JSON the page draws from (the tooltips travel beside the vis-network records)."""
    return {
        "nodes": [{k: v for k, v in n.items() if k != "tooltip"} for n in page.nodes],
        "edges": [{k: v for k, v in e.items() if k != "tooltip"} for e in page.edges],
        "nodeTips": [n.get("tooltip", "") for n in page.nodes],
        "edgeTips": [e.get("tooltip") for e in page.edges] if any("tooltip" in e for e in page.edges) else [],
        "options": _options(page.physics, page.meta.get("edgeColor", "#a8a8a8")),
        "legend": page.legend,
        "marks": page.marks,
        "highlight": page.highlight,
        "title": page.title,
        "subtitle": page.subtitle,
        "texts": page.texts,
        "meta": page.meta,
        "routes": page.routes,
        "filters": page.filters,
        "timeline": page.timeline,
        "view": page.view or {"width": VIEW_WIDTH, "height": VIEW_HEIGHT, "x": 0, "y": 0},
        "labels": page.labels,
    }


def render(page: Page) -> str:
    """One self-contained HTML document for ``page`` (see the module docstring for what it guarantees)."""
    js, css = _vis_assets()
    return _TEMPLATE.format(
        lang=html.escape(page.lang, quote=True),
        title=html.escape(page.title),
        css=css,
        js=js,
        data=_json_for_script(page_data(page)),
        sidebar=SIDEBAR,
        header=HEADER,
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{css}</style>
<style>
  html, body {{ margin: 0; height: 100%; font-family: Arial, "Liberation Sans", Helvetica, sans-serif; color: #222; }}
  body {{ display: grid; grid-template-columns: 1fr {sidebar}px; grid-template-rows: {header}px 1fr; height: 100vh; }}
  header {{ grid-column: 1 / 3; padding: 8px 14px; border-bottom: 1px solid #ddd; display: flex; gap: 16px; align-items: center; box-sizing: border-box; overflow: hidden; }}
  header .titles {{ min-width: 0; }}
  header h1 {{ font-size: 20px; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
  header .sub {{ color: #555; font-size: 13px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
  #search {{ margin-left: auto; padding: 5px 8px; font-size: 14px; width: 240px; flex: none; }}
  #network {{ position: relative; min-height: 300px; overflow: hidden; }}
  aside {{ border-left: 1px solid #ddd; overflow-y: auto; padding: 8px 10px; font-size: 12px; box-sizing: border-box; }}
  aside h2 {{ font-size: 13px; margin: 8px 0 4px; }}
  #legend {{ display: grid; grid-template-columns: 1fr 1fr; gap: 2px 6px; }}
  #legend button {{ all: unset; cursor: pointer; display: flex; align-items: center; gap: 4px; padding: 1px 2px; line-height: 15px; }}
  #legend button[aria-pressed="false"] {{ opacity: 0.35; text-decoration: line-through; }}
  #legend svg, #marks svg {{ flex: none; }}
  #marks div {{ display: flex; align-items: center; gap: 4px; line-height: 16px; }}
  .row {{ display: flex; flex-wrap: wrap; gap: 2px 10px; }}
  select {{ font-size: 12px; max-width: 100%; }}
  #slider {{ width: 100%; }}
  #quarter {{ font-weight: bold; }}
  #routes ol {{ margin: 0; padding-left: 18px; }}
  #routes li {{ margin-bottom: 4px; }}
  #tip {{ position: fixed; display: none; white-space: pre-line; max-width: 420px; font-size: 12px; background: #fff; border: 1px solid #999; padding: 5px 7px; pointer-events: none; z-index: 10; box-shadow: 1px 1px 4px rgba(0,0,0,.2); }}
  #print {{ display: none; }}
  body.handout #search, body.handout .controls {{ display: none; }}
  @media print {{
    @page {{ margin: 0; }}
    body {{ display: block; height: auto; }}
    header {{ border: 0; }}
    #search, .controls, #network, #tip {{ display: none !important; }}
    aside {{ display: none; }}
    #print {{ display: block; padding: 0 14px 14px; }}
    #print img {{ display: block; width: 100%; }}
    #print .cols {{ display: flex; gap: 18px; align-items: flex-start; font-size: 11px; }}
    #print table {{ border-collapse: collapse; font-size: 11px; width: 100%; }}
    #print td, #print th {{ border: 1px solid #ccc; padding: 3px 5px; vertical-align: top; text-align: left; }}
    #print .legend {{ columns: 2; min-width: 380px; }}
    #print .legend div {{ display: flex; align-items: center; gap: 4px; break-inside: avoid; }}
  }}
</style>
</head>
<body>
<header><div class="titles"><h1 id="title"></h1><div class="sub" id="subtitle"></div></div>
<input id="search" type="search" list="names" autocomplete="off">
<datalist id="names"></datalist></header>
<div id="network"></div>
<div id="tip" role="tooltip"></div>
<aside>
<h2 id="legend-h"></h2><div id="legend"></div>
<div id="marks"></div>
<div class="controls">
<h2 id="tier-h"></h2><div class="row" id="tiers"></div>
<h2 id="axis-h"></h2><select id="axis"></select>
<div id="time"><h2 id="time-h"></h2><input id="slider" type="range" min="0" max="0" step="1" value="0"><div id="quarter"></div></div>
</div>
<div id="routes"></div>
<p id="hint"></p>
</aside>
<div id="print"></div>
<script id="map-data" type="application/json">{data}</script>
<script>{js}</script>
<script>
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var T = data.texts, meta = data.meta;
  if (window.location.hash === "#handout") document.body.classList.add("handout");
  function text(id, value) {{ document.getElementById(id).textContent = value || ""; }}
  text("title", data.title);
  text("subtitle", data.subtitle);
  document.getElementById("search").placeholder = T.search;
  text("legend-h", T.legend);
  text("tier-h", T.tier);
  text("axis-h", T.axis);
  text("time-h", T.quarter);
  text("hint", T.hint);
  var SVGNS = "http://www.w3.org/2000/svg";
  function icon(shape, color, border, width) {{
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "16"); svg.setAttribute("height", "16"); svg.setAttribute("viewBox", "0 0 16 16");
    var el;
    var pts = {{
      star: "8,1 9.8,6 15,6 10.8,9.2 12.4,14.5 8,11.3 3.6,14.5 5.2,9.2 1,6 6.2,6",
      diamond: "8,1 15,8 8,15 1,8", triangle: "8,1.5 15,14 1,14", triangleDown: "1,2 15,2 8,14.5",
      square: "2,2 14,2 14,14 2,14", hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8"
    }};
    if (shape === "line") {{
      el = document.createElementNS(SVGNS, "line");
      el.setAttribute("x1", "1"); el.setAttribute("y1", "8"); el.setAttribute("x2", "15"); el.setAttribute("y2", "8");
      el.setAttribute("stroke", color); el.setAttribute("stroke-width", String(width || 4));
      if (border === "dashed") el.setAttribute("stroke-dasharray", "3 2");
    }} else if (pts[shape]) {{
      el = document.createElementNS(SVGNS, "polygon");
      el.setAttribute("points", pts[shape]);
    }} else {{
      el = document.createElementNS(SVGNS, "circle");
      el.setAttribute("cx", "8"); el.setAttribute("cy", "8"); el.setAttribute("r", shape === "ring" ? "5.5" : "6.5");
    }}
    if (shape !== "line") {{
      el.setAttribute("fill", color);
      el.setAttribute("stroke", border || "#444");
      el.setAttribute("stroke-width", String(width || 1));
    }}
    svg.appendChild(el);
    return svg;
  }}
  // -- the network, drawn where Python put it ---------------------------------------------------
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("network");
  var network = new vis.Network(container, {{nodes: nodes, edges: edges}}, data.options);
  var state = {{hidden: {{}}, tiers: {{}}, axis: -1, quarter: (data.timeline.quarters || []).length - 1, labels: false}};
  window.ofaiMap = {{network: network, nodes: nodes, edges: edges, state: state, ready: false}};
  var view = data.view;
  function home() {{
    var w = container.clientWidth || view.width, h = container.clientHeight || view.height;
    var s = Math.min(w / view.width, h / view.height);
    network.moveTo({{position: {{x: view.x, y: view.y}}, scale: s, animation: false}});
    return s;
  }}
  var baseScale = home();
  // Route numbers, painted over the canvas at the middle of their tie (and only where it is drawn).
  var routeLabels = data.edges.filter(function (e) {{ return e.routeLabel; }});
  network.on("afterDrawing", function (ctx) {{
    if (!routeLabels.length) return;
    var at = network.getPositions();
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    routeLabels.forEach(function (e) {{
      var drawn = edges.get(e.id);
      if (!drawn || drawn.hidden || !at[e.from] || !at[e.to]) return;
      var t = e.routeAt, a = at[e.from], b = at[e.to];
      var x = a.x + (b.x - a.x) * t, y = a.y + (b.y - a.y) * t, size = e.routeFont;
      ctx.font = "bold " + size + "px Arial, 'Liberation Sans', Helvetica, sans-serif";
      var w = ctx.measureText(e.routeLabel).width + 10, hgt = size * 1.5;
      ctx.beginPath();
      ctx.rect(x - w / 2, y - hgt / 2, w, hgt);
      ctx.fillStyle = "#ffffff"; ctx.fill();
      ctx.lineWidth = 1.5; ctx.strokeStyle = e.color.color; ctx.stroke();
      ctx.fillStyle = e.color.color;
      ctx.fillText(e.routeLabel, x, y + 1);
    }});
    ctx.restore();
  }});
  window.ofaiMap.home = home;
  function done() {{ window.ofaiMap.ready = true; document.body.setAttribute("data-ready", "1"); }}
  if (data.options.physics.enabled) {{
    network.once("stabilizationIterationsDone", function () {{
      network.setOptions({{physics: {{enabled: false}}}});
      home();
      done();
    }});
  }} else {{
    network.once("afterDrawing", done);
  }}
  // -- tooltips: our own element, filled with textContent ---------------------------------------
  var tipEl = document.getElementById("tip");
  var nodeIndex = {{}};
  data.nodes.forEach(function (n, i) {{ nodeIndex[String(n.id)] = i; }});
  function showTip(textValue, pointer) {{
    if (!textValue) return;
    tipEl.textContent = textValue;
    tipEl.style.display = "block";
    var box = container.getBoundingClientRect();
    var x = box.left + pointer.x + 14, y = box.top + pointer.y + 14;
    if (x + tipEl.offsetWidth > box.right) x = Math.max(box.left, x - tipEl.offsetWidth - 28);
    if (y + tipEl.offsetHeight > box.bottom) y = Math.max(box.top, y - tipEl.offsetHeight - 28);
    tipEl.style.left = x + "px"; tipEl.style.top = y + "px";
  }}
  network.on("hoverNode", function (p) {{ showTip(data.nodeTips[nodeIndex[String(p.node)]], p.pointer.DOM); }});
  function fill(template, values) {{
    return template.replace(/\\{{(\\w+)\\}}/g, function (m, k) {{ return values[k] !== undefined ? String(values[k]) : m; }});
  }}
  var tierLabel = {{}};
  (data.filters.tiers || []).forEach(function (t) {{ tierLabel[t.code] = t.label; }});
  function edgeTip(i) {{
    if (data.edgeTips[i]) return data.edgeTips[i];
    var EM = meta.edges, s = scoreAt(i);
    var name = function (k) {{ return (data.nodeTips[k] || "").split("\\n")[0]; }};
    var lines = [name(EM.f[i]) + " \u2014 " + name(EM.t[i])];
    if (s !== null && s !== undefined) {{
      // As i18n.format_strength writes it: two decimals; a score too small for them is "<0.01".
      var shown = s > 0 && s < 0.005 ? "<0.01" : s.toFixed(2);
      lines.push(fill(T.strength, {{score: shown.replace(".", meta.decimal), tier: tierLabel[tierOf(s)]}}));
    }}
    if (EM.n[i] > 0) {{
      var line = fill(EM.n[i] === 1 ? T.interaction : T.interactions, {{n: EM.n[i]}});
      if (EM.l[i] >= 0) line += ", " + fill(T.latest, {{date: meta.lastLabels[EM.l[i]]}});
      lines.push(line);
    }}
    if (EM.k[i] >= 0) lines.push(meta.tieLabels[EM.k[i]]);
    return lines.join("\\n");
  }}
  network.on("hoverEdge", function (p) {{ showTip(edgeTip(Number(String(p.edge).slice(1))), p.pointer.DOM); }});
  network.on("blurNode", function () {{ tipEl.style.display = "none"; }});
  network.on("blurEdge", function () {{ tipEl.style.display = "none"; }});
  network.on("dragStart", function () {{ tipEl.style.display = "none"; }});
  // -- names of the unlabelled entities appear when zoomed in -------------------------------------
  network.on("zoom", function () {{
    var want = network.getScale() >= baseScale * 1.8;
    if (want === state.labels) return;
    state.labels = want;
    var upd = [];
    Object.keys(data.labels).forEach(function (id) {{
      upd.push({{id: id, label: want ? data.labels[id] : ""}});
    }});
    nodes.update(upd);
  }});
  // -- filters: legend groups, tiers, axis, quarter -----------------------------------------------
  var tierNames = (data.filters.tiers || []).map(function (t) {{ return t.code; }});
  var thresholds = data.filters.thresholds || {{}};
  tierNames.forEach(function (t) {{ state.tiers[t] = true; }});
  function tierOf(score) {{
    if (score === null || score === undefined) return null;
    if (score >= thresholds.strong) return "strong";
    if (score >= thresholds.medium) return "medium";
    if (score >= thresholds.weak) return "weak";
    return "cold";
  }}
  var NM = meta.nodes, EM = meta.edges, W1 = meta.w1;
  var lastQ = (data.timeline.quarters || []).length - 1;
  function scoreAt(i) {{
    if (state.quarter >= lastQ || !data.timeline.scores) return EM.s[i];
    return data.timeline.scores[state.quarter][i];
  }}
  // On large maps the slider shows and hides ties but keeps their widths: re-styling 50,000 ties
  // on every step would take seconds.
  var resize = data.edges.length <= 5000;
  var nodeShown = data.nodes.map(function () {{ return true; }});
  var edgeShown = data.edges.map(function () {{ return true; }});
  var edgeWidth = data.edges.map(function (e) {{ return e.width; }});
  function apply() {{
    var i, j, last = state.quarter >= lastQ;
    var open = new Array(data.nodes.length);
    for (i = 0; i < data.nodes.length; i++) {{
      var g = NM.g[i], ok = true;
      for (j = 0; j < g.length; j++) if (state.hidden[g[j]]) ok = false;
      var nt = tierOf(last || !data.timeline.node ? NM.s[i] : data.timeline.node[state.quarter][i]);
      if (!NM.pin[i] && nt !== null && state.tiers[nt] === false) ok = false;
      open[i] = ok;
    }}
    var reached = new Array(data.nodes.length);
    var eUpd = [], nUpd = [];
    for (i = 0; i < data.edges.length; i++) {{
      var s = scoreAt(i), show = s !== null && s !== undefined;
      if (show && state.tiers[tierOf(s)] === false) show = false;
      if (show && state.axis >= 0 && !(EM.a[i] & (1 << state.axis))) show = false;
      if (show && !(open[EM.f[i]] && open[EM.t[i]])) show = false;
      if (show) {{ reached[EM.f[i]] = true; reached[EM.t[i]] = true; }}
      var w = show && resize ? Math.round((EM.w0[i] + W1 * s) * 100) / 100 : edgeWidth[i];
      if (show !== edgeShown[i] || Math.abs(w - edgeWidth[i]) > 0.05) {{
        eUpd.push({{id: data.edges[i].id, hidden: !show, width: w}});
        edgeShown[i] = show; edgeWidth[i] = w;
      }}
    }}
    var filtered = state.axis >= 0 || !last;
    for (i = 0; i < data.nodes.length; i++) {{
      var vis_ = open[i] && (NM.pin[i] || !filtered || reached[i] === true || NM.d[i] === 0);
      if (vis_ !== nodeShown[i]) {{ nUpd.push({{id: data.nodes[i].id, hidden: !vis_}}); nodeShown[i] = vis_; }}
    }}
    if (nUpd.length) nodes.update(nUpd);
    if (eUpd.length) edges.update(eUpd);
    document.body.setAttribute("data-drawn", String(network.body.nodeIndices.length));
  }}
  window.ofaiMap.apply = apply;
  var legend = document.getElementById("legend");
  data.legend.forEach(function (item) {{
    var b = document.createElement("button");
    b.type = "button";
    b.setAttribute("aria-pressed", "true");
    b.setAttribute("data-group", item.key);
    b.title = T.toggle;
    b.appendChild(icon(item.shape, item.color, item.border));
    var span = document.createElement("span");
    span.textContent = item.label + " (" + item.count + ")";
    b.appendChild(span);
    b.addEventListener("click", function () {{
      state.hidden[item.key] = !state.hidden[item.key];
      b.setAttribute("aria-pressed", state.hidden[item.key] ? "false" : "true");
      apply();
    }});
    legend.appendChild(b);
  }});
  var marks = document.getElementById("marks");
  data.marks.forEach(function (m) {{
    var d = document.createElement("div");
    d.appendChild(icon(m.shape, m.color, m.border, m.width));
    var span = document.createElement("span");
    span.textContent = m.label;
    d.appendChild(span);
    marks.appendChild(d);
  }});
  var tiers = document.getElementById("tiers");
  (data.filters.tiers || []).forEach(function (t) {{
    var l = document.createElement("label");
    var c = document.createElement("input");
    c.type = "checkbox"; c.checked = true; c.value = t.code;
    c.addEventListener("change", function () {{ state.tiers[t.code] = c.checked; apply(); }});
    l.appendChild(c);
    l.appendChild(document.createTextNode(t.label));
    tiers.appendChild(l);
  }});
  var axisSel = document.getElementById("axis");
  var all = document.createElement("option");
  all.value = "-1"; all.textContent = T.allAxes;
  axisSel.appendChild(all);
  (data.filters.axes || []).forEach(function (a, i) {{
    var o = document.createElement("option");
    o.value = String(i); o.textContent = a.label;
    axisSel.appendChild(o);
  }});
  axisSel.addEventListener("change", function () {{ state.axis = Number(axisSel.value); apply(); }});
  var slider = document.getElementById("slider");
  var quarters = data.timeline.quarters || [];
  if (quarters.length > 1) {{
    slider.max = String(quarters.length - 1);
    slider.value = String(quarters.length - 1);
    text("quarter", quarters[quarters.length - 1].label);
    slider.addEventListener("input", function () {{
      state.quarter = Number(slider.value);
      text("quarter", quarters[state.quarter].label);
      apply();
    }});
  }} else {{
    document.getElementById("time").style.display = "none";
  }}
  // -- routes: listed beside the map and, for print, in a table with their evidence ---------------
  var routes = document.getElementById("routes");
  var printEl = document.getElementById("print");
  if (data.routes.length) {{
    var h = document.createElement("h2");
    h.textContent = T.routes;
    routes.appendChild(h);
    var ol = document.createElement("ol");
    data.routes.forEach(function (r) {{
      var li = document.createElement("li");
      li.textContent = r.short.join(" \\u2192 ") + " (" + r.score + ")";
      ol.appendChild(li);
    }});
    routes.appendChild(ol);
  }}
  function buildPrint() {{
    while (printEl.firstChild) printEl.removeChild(printEl.firstChild);
    var img = document.createElement("img");
    img.alt = data.title;
    img.src = container.querySelector("canvas").toDataURL("image/png");
    printEl.appendChild(img);
    var cols = document.createElement("div");
    cols.className = "cols";
    var lg = document.createElement("div");
    lg.className = "legend";
    var lh = document.createElement("h3");
    lh.textContent = T.legend;
    cols.appendChild(lg);
    lg.appendChild(lh);
    data.legend.concat(data.marks).forEach(function (item) {{
      var d = document.createElement("div");
      d.appendChild(icon(item.shape, item.color, item.border, item.width));
      var span = document.createElement("span");
      span.textContent = item.label + (item.count !== undefined ? " (" + item.count + ")" : "");
      d.appendChild(span);
      lg.appendChild(d);
    }});
    if (data.routes.length) {{
      var box = document.createElement("div");
      var th3 = document.createElement("h3");
      th3.textContent = T.routes;
      box.appendChild(th3);
      var table = document.createElement("table");
      var head = document.createElement("tr");
      [T.number, T.route, T.score, T.evidence].forEach(function (c) {{
        var th = document.createElement("th"); th.textContent = c; head.appendChild(th);
      }});
      table.appendChild(head);
      data.routes.forEach(function (r) {{
        var tr = document.createElement("tr");
        var cells = [String(r.n), r.names.join(" \\u2192 "), r.score];
        cells.forEach(function (c) {{ var td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }});
        var ev = document.createElement("td");
        r.hops.forEach(function (hop) {{
          var p = document.createElement("div");
          p.textContent = hop.text;
          ev.appendChild(p);
          hop.evidence.forEach(function (e) {{
            var q = document.createElement("div");
            q.textContent = "\\u00a0\\u00a0\\u00b7 " + e;
            ev.appendChild(q);
          }});
        }});
        tr.appendChild(ev);
        table.appendChild(tr);
      }});
      box.appendChild(table);
      cols.appendChild(box);
    }}
    printEl.appendChild(cols);
  }}
  window.ofaiMap.buildPrint = buildPrint;
  // -- search -----------------------------------------------------------------------------------
  var list = document.getElementById("names");
  var names = data.nodeTips.map(function (t) {{ return (t || "").split("\\n")[0]; }});
  // Suggestions: the 2,000 most important names (nodes come in order of importance, last first).
  names.slice(-2000).reverse().forEach(function (name) {{
    var opt = document.createElement("option");
    opt.value = name;
    list.appendChild(opt);
  }});
  function fold(s) {{ return String(s).normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase(); }}
  document.getElementById("search").addEventListener("change", function (ev) {{
    var q = fold(ev.target.value.trim());
    if (!q) return;
    var hit = null;
    data.nodes.some(function (n, i) {{
      if (fold(names[i]).indexOf(q) >= 0 || fold(n.id) === q) {{ hit = n.id; return true; }}
      return false;
    }});
    if (hit !== null) {{
      network.selectNodes([hit]);
      network.focus(hit, {{scale: Math.max(1.2, baseScale * 2), animation: false}});
      document.body.setAttribute("data-selected", String(hit));
    }}
  }});
}})();
</script>
</body>
</html>
"""
