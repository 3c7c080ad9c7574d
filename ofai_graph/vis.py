"""The one place that talks to pyvis, and the fixes its HTML needs to be safe to share.

pyvis 0.3.2 (unmaintained since 2023) builds the node and edge records and the vis-network options
well, but its page template is not safe to hand out: it links bootstrap from a CDN even with
``cdn_resources="in_line"``, inserts ``heading`` and the options JSON unescaped, switches every
tooltip to ``innerHTML`` as soon as one title contains the text "href", and its ``show()`` is
unreliable. So pyvis assembles the data here and this module writes the page itself:

- vis-network's JS and CSS (the copies pyvis ships) are inlined: one file, no CDN, no ``lib/``;
- data reaches the page only as JSON inside ``<script type="application/json">``, with ``<``,
  ``>``, ``&`` and the two JavaScript line separators escaped, so no text can close the script;
- tooltips, the legend, the title and the search results are built with ``textContent``: a name
  such as ``<img src=x onerror=alert(1)>`` is shown as text and never parsed as HTML;
- large networks get positions computed in Python and physics off, so they open at once.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any


def _json_for_script(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # Neither may end the element it is inlined into.
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


@dataclass
class Page:
    """Everything a map page shows; every string is data and is treated as text."""

    title: str
    subtitle: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    legend: list[dict[str, str]] = field(default_factory=list)
    physics: bool = True
    highlight: list[str] = field(default_factory=list)


def build_network(page: Page) -> Any:
    """The pyvis Network holding the page's nodes, edges and options."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    for n in page.nodes:
        attrs = {k: v for k, v in n.items() if k not in ("id", "tooltip")}
        net.add_node(n["id"], **attrs)
    # pyvis's add_edge scans every edge already added for a duplicate (quadratic: 3.5 s for 8,000
    # edges); our edges come from a graph and are unique, so they go straight into its edge list.
    known = set(net.get_nodes())
    for e in page.edges:
        if e["from"] not in known or e["to"] not in known:
            raise ValueError(f"edge {e['from']!r}-{e['to']!r} names a node the page does not have")
        net.edges.append({k: v for k, v in e.items() if k != "tooltip"})
    net.set_options(json.dumps(_options(page.physics)))
    return net


def _options(physics: bool) -> dict[str, Any]:
    return {
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "stabilization": {"enabled": True, "iterations": 300, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        "nodes": {"font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1},
        "edges": {"smooth": False, "color": {"inherit": False}},
    }


def render(page: Page) -> str:
    """One self-contained HTML document for ``page`` (see the module docstring for what it guarantees)."""
    net = build_network(page)
    # Tooltips travel beside pyvis's records, as text, and become DOM text nodes in the page.
    tips = {str(n["id"]): n.get("tooltip", "") for n in page.nodes}
    edge_tips = [e.get("tooltip", "") for e in page.edges]
    data = {
        "nodes": [{k: v for k, v in n.items() if k != "title"} for n in net.nodes],
        "edges": [{k: v for k, v in e.items() if k != "title"} for e in net.edges],
        "nodeTips": tips,
        "edgeTips": edge_tips,
        "options": json.loads(net.options.to_json())
        if hasattr(net.options, "to_json")
        else _options(page.physics),
        "legend": page.legend,
        "highlight": page.highlight,
        "title": page.title,
        "subtitle": page.subtitle,
    }
    js, css = _vis_assets()
    return _TEMPLATE.format(
        title=html.escape(page.title),
        css=css,
        js=js,
        data=_json_for_script(data),
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{css}</style>
<style>
  html, body {{ margin: 0; height: 100%; font-family: sans-serif; }}
  body {{ display: flex; flex-direction: column; }}
  header {{ padding: 8px 12px; border-bottom: 1px solid #ddd; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }}
  header h1 {{ font-size: 18px; margin: 0; }}
  header .sub {{ color: #555; font-size: 13px; }}
  #search {{ margin-left: auto; padding: 4px 8px; font-size: 14px; width: 220px; }}
  #legend {{ display: flex; gap: 10px; flex-wrap: wrap; font-size: 12px; padding: 4px 12px; border-bottom: 1px solid #eee; }}
  #legend span.sw {{ display: inline-block; width: 10px; height: 10px; margin-right: 4px; border: 1px solid #333; }}
  #network {{ flex: 1; position: relative; min-height: 300px; }}
  .tip {{ white-space: pre-line; max-width: 420px; font-size: 12px; }}
</style>
</head>
<body>
<header><h1 id="title"></h1><span class="sub" id="subtitle"></span>
<input id="search" type="search" placeholder="Buscar / search" list="names" autocomplete="off">
<datalist id="names"></datalist></header>
<div id="legend"></div>
<div id="network"></div>
<script id="map-data" type="application/json">{data}</script>
<script>{js}</script>
<script>
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  function tip(text) {{
    var div = document.createElement("div");
    div.className = "tip";
    div.textContent = text;
    return div;
  }}
  document.getElementById("title").textContent = data.title;
  document.getElementById("subtitle").textContent = data.subtitle;
  var legend = document.getElementById("legend");
  data.legend.forEach(function (item) {{
    var span = document.createElement("span");
    var sw = document.createElement("span");
    sw.className = "sw";
    sw.style.background = item.color;
    span.appendChild(sw);
    span.appendChild(document.createTextNode(item.label));
    legend.appendChild(span);
  }});
  data.nodes.forEach(function (n) {{ var t = data.nodeTips[String(n.id)]; if (t) n.title = tip(t); }});
  data.edges.forEach(function (e, i) {{ var t = data.edgeTips[i]; if (t) e.title = tip(t); e.id = "e" + i; }});
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("network"), {{nodes: nodes, edges: edges}}, data.options);
  window.ofaiMap = {{network: network, nodes: nodes, edges: edges, ready: false}};
  function done() {{ window.ofaiMap.ready = true; document.body.setAttribute("data-ready", "1"); }}
  if (data.options.physics && data.options.physics.enabled) {{
    network.once("stabilizationIterationsDone", function () {{
      network.setOptions({{physics: {{enabled: false}}}});
      done();
    }});
  }} else {{
    network.once("afterDrawing", done);
  }}
  if (data.highlight.length) {{ network.selectNodes(data.highlight); }}
  var list = document.getElementById("names");
  var byName = {{}};
  data.nodes.forEach(function (n) {{
    var opt = document.createElement("option");
    opt.value = n.label;
    list.appendChild(opt);
    byName[n.label.toLowerCase()] = n.id;
  }});
  function fold(s) {{ return s.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase(); }}
  document.getElementById("search").addEventListener("change", function (ev) {{
    var q = fold(ev.target.value.trim());
    if (!q) return;
    var hit = null;
    data.nodes.some(function (n) {{ if (fold(n.label).indexOf(q) >= 0 || fold(String(n.id)) === q) {{ hit = n.id; return true; }} return false; }});
    if (hit !== null) {{
      network.selectNodes([hit]);
      network.focus(hit, {{scale: 1.2, animation: false}});
      document.body.setAttribute("data-selected", String(hit));
    }}
  }});
}})();
</script>
</body>
</html>
"""
