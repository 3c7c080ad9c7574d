"""Out to other tools: Gephi (GEXF), GraphML, Kumu, CSV for spreadsheets and a Cypher script.

Every writer streams: a 100,000-entity store is written without building an XML tree in memory.

- :func:`network` is the relationship graph as of a date as plain rows: each entity with its
  kind, countries, strength and tier to the home office and its last interaction; each pair with
  its strength, tier, interaction count and last interaction. :func:`write_gexf` and
  :func:`write_graphml` write it with typed attributes; ``dynamic=True`` writes instead the
  evidence over time (entities, interactions, participations, ties and affiliations with
  start/end spells) so Gephi's timeline plays the network's growth.
- :func:`flatten` makes any graph of ofai-graph (``ws.graph()``, ``ws.relationship_graph()``)
  acceptable to networkx's own writers (``nx.write_gexf``, ``nx.write_graphml``).
- :func:`write_kumu` writes Kumu's import workbook, :func:`write_csv` three CSV files with cells
  a spreadsheet could run as formulas neutralised (:func:`csv_safe`, OWASP's rule), and
  :func:`cypher_script` a parameter-free script of ``MERGE`` statements that loads the data into
  an empty Neo4j database in the layout of :mod:`ofai_graph.store.neo4j`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from .dates import PartialDate
from .labels import label
from .model import Dataset
from .store.base import Store

if TYPE_CHECKING:
    import networkx as nx

    from .pairtable import PairTable

# -- flatten -----------------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return "|".join(str(_scalar(v)) for v in value)
    if isinstance(value, (dt.date, PartialDate)):
        return str(value) if isinstance(value, PartialDate) else value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str):  # an Enum member
        return value.value
    return str(value)


def flatten(g: nx.Graph) -> nx.Graph:
    """A copy of ``g`` that networkx's GEXF and GraphML writers accept.

    Lists become ``|``-separated text, dates ISO text, enums their code; ``None`` values are left
    out (GraphML has no null); graph attributes that are not scalars (the strength configuration)
    become text. ``start``/``end`` stay as they are read by ``nx.write_gexf`` as a dynamic graph.

    >>> import networkx as nx, datetime as dt
    >>> g = nx.Graph(); g.add_node("a", countries=("CO", "KR"), start=dt.date(2024, 1, 1), note=None)
    >>> flatten(g).nodes["a"]
    {'countries': 'CO|KR', 'start': '2024-01-01'}
    """
    h = g.__class__()
    h.graph.update({k: _scalar(v) for k, v in g.graph.items() if v is not None})
    h.add_nodes_from(
        (n, {k: _scalar(v) for k, v in d.items() if v is not None}) for n, d in g.nodes(data=True)
    )
    if g.is_multigraph():
        h.add_edges_from(
            (u, v, key, {k: _scalar(x) for k, x in d.items() if x is not None})
            for u, v, key, d in g.edges(keys=True, data=True)
        )
    else:
        h.add_edges_from(
            (u, v, {k: _scalar(x) for k, x in d.items() if x is not None}) for u, v, d in g.edges(data=True)
        )
    return h


# -- the network as rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    id: str
    title: str
    type: str  # string | double | integer | boolean


@dataclass
class Network:
    """Nodes and edges with declared, typed attributes: what GEXF and GraphML files hold."""

    node_attributes: list[Attribute]
    edge_attributes: list[Attribute]
    nodes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # id, label, attrs
    # u, v, weight, attrs; the relationship graph's are columns (PairEdges)
    edges: list[tuple[str, str, float, dict[str, Any]]] = field(default_factory=list)
    dynamic: bool = False
    as_of: dt.date | None = None

    def to_networkx(self) -> nx.Graph:
        import networkx as nx

        g = nx.Graph()
        for n, lbl, attrs in self.nodes:
            g.add_node(n, label=lbl, **attrs)
        for u, v, w, attrs in self.edges:
            g.add_edge(u, v, weight=w, **attrs)
        return g


_TITLES = {
    "type": ("tipo de entidad", "entity type"),
    "kind": ("tipo", "kind"),
    "country": ("país", "country"),
    "countries": ("países", "countries"),
    "strength": ("fuerza", "strength"),
    "tier": ("nivel", "tier"),
    "interactions": ("interacciones", "interactions"),
    "last_interaction": ("última interacción", "last interaction"),
    "reciprocal": ("recíproca", "reciprocal"),
    "ties": ("vínculos", "ties"),
    "relation": ("relación", "relation"),
    "role": ("rol", "role"),
    "date": ("fecha", "date"),
    "status": ("estado", "status"),
}


def _attr(key: str, type_: str, lang: str) -> Attribute:
    es, en = _TITLES[key]
    return Attribute(key, es if lang == "es" else en, type_)


def _kind_label(kind: str, type_: str, lang: str) -> str:
    if type_ == "organization":
        return label("OrgKind", kind, lang)
    return label("EntityType", type_, lang)


_NODE_ATTRIBUTES = (("type", "string"), ("kind", "string"), ("country", "string"), ("countries", "string"),
                    ("strength", "double"), ("tier", "string"), ("last_interaction", "string"))  # fmt: skip
_EDGE_ATTRIBUTES = (("strength", "double"), ("tier", "string"), ("interactions", "integer"),
                    ("last_interaction", "string"), ("reciprocal", "boolean"), ("ties", "string"))  # fmt: skip


def network(
    store: Store,
    g: nx.Graph | PairTable,
    *,
    home: str | None,
    lang: str = "es",
) -> Network:
    """The relationship graph as rows: ``g`` is :func:`ofai_graph.strength.relationship_graph`'s graph
    or, for the whole store at once, :func:`ofai_graph.pairtable.pair_table`'s columns.

    Node strength and tier are those of the entity's relationship with ``home`` (0 and cold when
    they never met, or when there is no home office); ``last_interaction`` is the latest
    interaction the entity shares with anyone, written at its precision. Edges stay columns
    (:class:`PairEdges`) that the XML writers format without a dict per edge.
    """
    import numpy as np

    from .pairtable import PairTable, last_labels

    table = g if isinstance(g, PairTable) else PairTable.from_graph(g)
    cfg = table.config
    edges = PairEdges(table, lang)
    net = Network(
        [_attr(k, t, lang) for k, t in _NODE_ATTRIBUTES],
        [_attr(k, t, lang) for k, t in _EDGE_ATTRIBUTES],
        edges=edges,  # type: ignore[arg-type]
        as_of=table.as_of,
    )
    # Each entity's latest interaction: the largest code is the latest end, then the shortest interval.
    n_names = len(table.names)
    latest = np.zeros(n_names, dtype=np.int64)
    if len(table):
        np.maximum.at(latest, table.a, table.last)
        np.maximum.at(latest, table.b, table.last)
    dates = last_labels(latest)
    code = {n: i for i, n in enumerate(table.names)}
    with_home: dict[str, float] = {}
    if home is not None and home in code:
        h = code[home]
        for side, other in ((table.a, table.b), (table.b, table.a)):
            for k in np.flatnonzero(side == h).tolist():
                with_home[table.names[int(other[k])]] = table.score[k]
    tier_labels = {t: label("Tier", t, lang) for t in ("strong", "medium", "weak", "cold")}
    kind_labels: dict[tuple[str, str], str] = {}
    latest_of = latest.tolist()
    summaries = {s.id: s for s in table.entities}
    ids = [s.id for s in table.entities] + [n for n in table.names if n not in summaries]
    for n in ids:
        s = summaries.get(n)
        countries = s.countries if s else ()
        key = (s.kind, s.type) if s else ("", "")
        if key not in kind_labels:
            kind_labels[key] = _kind_label(*key, lang)
        score = with_home.get(n, 0.0)
        c = code.get(n)
        net.nodes.append(
            (
                n,
                str((s.name if s else None) or n),
                {
                    "type": label("EntityType", s.type if s else "", lang),
                    "kind": kind_labels[key],
                    "country": countries[0] if countries else None,
                    "countries": "|".join(countries) or None,
                    "strength": float(np.round(score, 6)) if n != home else 1.0,
                    "tier": tier_labels[cfg.tier(score)] if n != home else None,
                    "last_interaction": dates.get(latest_of[c]) if c is not None else None,
                },
            )
        )
    return net


class PairEdges(Sequence[tuple[str, str, float, dict[str, Any]]]):
    """The edges of :func:`network` as columns; read one at a time, ``(u, v, weight, attributes)``.

    A million edges as tuples of dicts cost more than the rest of an export; the GEXF and GraphML
    writers format these columns directly (:meth:`gexf_lines`, :meth:`graphml_lines`).
    """

    def __init__(self, table: PairTable, lang: str):
        import numpy as np

        from .pairtable import last_labels

        self.table = table
        # Six decimals, rounded in numpy (Python's round() per value was a fifth of the export's rows).
        self.weight = np.round(np.asarray(table.score, dtype=np.float64), 6).tolist()
        cfg = table.config
        w = np.asarray(self.weight, dtype=np.float64)
        # The tier of the rounded score, as the file shows it (0 strong, 1 medium, 2 weak, 3 cold).
        self.tier_code = np.select(
            [w >= cfg.tiers["strong"], w >= cfg.tiers["medium"], w >= cfg.tiers["weak"]], [0, 1, 2], 3
        ).tolist()
        self.tiers = [label("Tier", t, lang) for t in ("strong", "medium", "weak", "cold")]
        self.dates = last_labels(table.last)
        tie_labels: dict[str, str] = {"affiliation": "afiliación" if lang == "es" else "affiliation"}
        self.ties: dict[int, str] = {}
        for k, kinds in table.ties.items():
            for t in kinds:
                if t not in tie_labels:
                    tie_labels[t] = label("TieKind", t, lang)
            text = "|".join(dict.fromkeys(tie_labels[t] for t in kinds))
            if text:
                self.ties[k] = text

    def __len__(self) -> int:
        return len(self.weight)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        t = self.table
        names = t.names
        w = self.weight[k]
        return (
            names[int(t.a[k])],
            names[int(t.b[k])],
            w,
            {
                "strength": w,
                "tier": self.tiers[self.tier_code[k]],
                "interactions": int(t.interactions[k]),
                "last_interaction": self.dates.get(int(t.last[k])),
                "reciprocal": bool(t.reciprocal[k]),
                "ties": self.ties.get(k),
            },
        )

    def __iter__(self) -> Iterator[tuple[str, str, float, dict[str, Any]]]:
        t = self.table
        names, tiers, dates, ties = t.names, self.tiers, self.dates, self.ties
        for k, (a, b, w, tier, n, last, recip) in enumerate(
            zip(t.a.tolist(), t.b.tolist(), self.weight, self.tier_code, t.interactions.tolist(),
                t.last.tolist(), t.reciprocal.tolist(), strict=True)
        ):  # fmt: skip
            yield names[a], names[b], w, {
                "strength": w, "tier": tiers[tier], "interactions": n, "last_interaction": dates.get(last),
                "reciprocal": recip, "ties": ties.get(k),
            }  # fmt: skip

    def _rows(
        self, ends: list[str], tiers: list[str], dates: dict[int, str], ties: dict[int, str]
    ) -> Iterator[Any]:
        """Per edge, its pieces as text: both ends, weight, tier, count, date, reciprocity, ties."""
        from itertools import repeat

        # map() over bound methods: the per-edge loop stays in C until the f-string of the caller.
        t = self.table
        return zip(
            map(ends.__getitem__, t.a.tolist()),
            map(ends.__getitem__, t.b.tolist()),
            map(repr, self.weight),
            map(tiers.__getitem__, self.tier_code),
            map(str, t.interactions.tolist()),
            map(dates.get, t.last.tolist(), repeat("")),
            map(("false", "true").__getitem__, t.reciprocal.tolist()),
            map(ties.get, range(len(self)), repeat("")),
            strict=True,
        )

    def gexf_lines(self, quoted: Any, chunk: int = 50_000) -> Iterator[str]:
        """The ``<edge>`` elements of a GEXF file, ``chunk`` edges per string."""
        ends = [quoted[n] for n in self.table.names]
        tiers = [quoted[x] for x in self.tiers]
        dates = {c: f'<attvalue for="last_interaction" value={quoted[d]}/>' for c, d in self.dates.items()}
        ties = {k: f'<attvalue for="ties" value={quoted[x]}/>' for k, x in self.ties.items()}
        return _chunks(
            (
                f'      <edge id="{i}" source={u} target={v} weight="{w}"><attvalues>'
                f'<attvalue for="strength" value="{w}"/><attvalue for="tier" value={tier}/>'
                f'<attvalue for="interactions" value="{n}"/>{when}'
                f'<attvalue for="reciprocal" value="{recip}"/>{tie}</attvalues></edge>\n'
                for i, (u, v, w, tier, n, when, recip, tie) in enumerate(self._rows(ends, tiers, dates, ties))
            ),
            chunk,
        )

    def graphml_lines(self, quoted: Any, text: Any, chunk: int = 50_000) -> Iterator[str]:
        """The ``<edge>`` elements of a GraphML file, ``chunk`` edges per string."""
        ends = [quoted[n] for n in self.table.names]
        tiers = [text[x] for x in self.tiers]
        dates = {c: f'<data key="e_last_interaction">{text[d]}</data>' for c, d in self.dates.items()}
        ties = {k: f'<data key="e_ties">{text[x]}</data>' for k, x in self.ties.items()}
        return _chunks(
            (
                f'    <edge source={u} target={v}><data key="e_weight">{w}</data>'
                f'<data key="e_strength">{w}</data><data key="e_tier">{tier}</data>'
                f'<data key="e_interactions">{n}</data>{when}'
                f'<data key="e_reciprocal">{recip}</data>{tie}</edge>\n'
                for u, v, w, tier, n, when, recip, tie in self._rows(ends, tiers, dates, ties)
            ),
            chunk,
        )


def _chunks(lines: Iterable[str], size: int) -> Iterator[str]:
    """``lines`` joined ``size`` at a time: a file written in a few large strings, never held whole."""
    from itertools import islice

    it = iter(lines)
    while batch := list(islice(it, size)):
        yield "".join(batch)


def evidence_network(store: Store, *, lang: str = "es") -> Network:
    """The evidence over time: entities, interactions (nodes) and the edges between them, with spells.

    Entities start at their first evidence (interaction, tie or affiliation) and never end;
    interactions start on the first day of their date and stay (the timeline shows growth);
    participations start with their interaction; ties and affiliations run from their ``since``
    to the end of their ``until``. A spell with no known start is always there.
    """
    data = store.dump()
    net = Network(
        [
            _attr("type", "string", lang),
            _attr("kind", "string", lang),
            _attr("countries", "string", lang),
            _attr("date", "string", lang),
            _attr("status", "string", lang),
        ],
        [_attr("relation", "string", lang), _attr("kind", "string", lang), _attr("role", "string", lang)],
        dynamic=True,
    )
    first: dict[str, dt.date] = {}

    def seen(eid: str, day: dt.date | None) -> None:
        if day is not None and (eid not in first or day < first[eid]):
            first[eid] = day

    rel = {
        "participant": "participante" if lang == "es" else "participant",
        "tie": "vínculo" if lang == "es" else "tie",
        "affiliation": "afiliación" if lang == "es" else "affiliation",
    }
    for i in data.interactions:
        node = "interaction:" + i.id
        net.nodes.append(
            (
                node,
                i.title,
                {
                    "type": "interacción" if lang == "es" else "interaction",
                    "kind": label("InteractionKind", i.kind, lang),
                    "date": str(i.date),
                    "status": label("Status", i.status, lang),
                    "start": i.date.start.isoformat(),
                },
            )
        )
        for eid in dict.fromkeys(p.entity for p in i.participants):
            seen(eid, i.date.start)
        for p in i.participants:
            net.edges.append(
                (
                    p.entity,
                    node,
                    1.0,
                    {
                        "relation": rel["participant"],
                        "role": label("Role", p.role, lang),
                        "start": i.date.start.isoformat(),
                    },
                )
            )
    for t in data.ties:
        start = t.since.start if t.since else None
        seen(t.source, start)
        seen(t.target, start)
        net.edges.append(
            (
                t.source,
                t.target,
                1.0,
                {
                    "relation": rel["tie"],
                    "kind": label("TieKind", t.kind, lang),
                    "start": start.isoformat() if start else None,
                    "end": t.until.end.isoformat() if t.until else None,
                },
            )
        )
    for person in data.people:
        for a in person.affiliations:
            start = a.since.start if a.since else None
            seen(person.id, start)
            seen(a.organization, start)
            net.edges.append(
                (
                    person.id,
                    a.organization,
                    1.0,
                    {
                        "relation": rel["affiliation"],
                        "start": start.isoformat() if start else None,
                        "end": a.until.end.isoformat() if a.until else None,
                    },
                )
            )
    entity_nodes = []
    for e in data.entities():
        kind = e.kind if isinstance(e.kind, str) else e.kind.value
        entity_nodes.append(
            (
                e.id,
                e.name,
                {
                    "type": label("EntityType", e.type, lang),
                    "kind": _kind_label(kind, e.type, lang),
                    "countries": "|".join(e.countries) or None,
                    "start": first[e.id].isoformat() if e.id in first else None,
                },
            )
        )
    net.nodes[:0] = entity_nodes
    return net


# -- XML writers -------------------------------------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTR_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _x(value: Any) -> str:
    """Text for an XML attribute value, quoted; characters XML 1.0 cannot hold are dropped."""
    return quoteattr(_XML_INVALID.sub("", str(value)), _ATTR_ENTITIES)


def _xv(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Quoted(dict):  # type: ignore[type-arg]
    """Quoted attribute text, each distinct value escaped once: ids repeat on every edge they end."""

    def __missing__(self, value: Any) -> str:
        q = self[value] = _x(_xv(value))
        return q


class _Text(dict):  # type: ignore[type-arg]
    """Element text, escaped once per distinct value."""

    def __missing__(self, value: Any) -> str:
        t = self[value] = escape(_XML_INVALID.sub("", _xv(value)))
        return t


def _number(value: Any) -> str:
    return "true" if value is True else "false" if value is False else repr(value)


def _quoted_number(value: Any) -> str:
    return '"true"' if value is True else '"false"' if value is False else f'"{value!r}"'


def _writer(out: IO[str]) -> Any:
    """``write`` that gathers small strings into large writes."""
    buf: list[str] = []

    def write(text: str) -> None:
        buf.append(text)
        if len(buf) >= 4096:
            out.write("".join(buf))
            buf.clear()

    def flush() -> None:
        out.write("".join(buf))
        buf.clear()

    write.flush = flush  # type: ignore[attr-defined]
    return write


def write_gexf(net: Network, out: IO[str]) -> None:
    """GEXF 1.3 (Gephi), static or, for an evidence network, dynamic with ``date`` spells."""
    w = _writer(out)
    q = _Quoted()
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(
        '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
    )
    day = (net.as_of or dt.date.today()).isoformat()
    w(f'  <meta lastmodifieddate="{day}"><creator>ofai-graph</creator></meta>\n')
    mode = ' mode="dynamic" timeformat="date"' if net.dynamic else ' mode="static"'
    w(f'  <graph defaultedgetype="undirected"{mode}>\n')
    for cls, declared in (("node", net.node_attributes), ("edge", net.edge_attributes)):
        w(f'    <attributes class="{cls}" mode="static">\n')
        for a in declared:
            w(f"      <attribute id={_x(a.id)} title={_x(a.title)} type={_x(a.type)}/>\n")
        w("    </attributes>\n")

    def values(attrs: dict[str, Any], declared: list[Attribute]) -> str:
        get = attrs.get
        return "".join(
            [
                f'<attvalue for="{i}" value={q[v] if text else _quoted_number(v)}/>'
                for i, text in ((a.id, a.type == "string") for a in declared)
                if (v := get(i)) is not None
            ]
        )

    w("    <nodes>\n")
    for n, lbl, attrs in net.nodes:
        w(f"      <node id={q[n]} label={_x(lbl)}{_spell(attrs)}><attvalues>")
        w(values(attrs, net.node_attributes))
        w("</attvalues></node>\n")
    w("    </nodes>\n    <edges>\n")
    w.flush()
    if isinstance(net.edges, PairEdges):
        for text in net.edges.gexf_lines(q):
            out.write(text)
    else:
        for i, (u, v, weight, attrs) in enumerate(net.edges):
            w(
                f'      <edge id="{i}" source={q[u]} target={q[v]} weight="{weight!r}"{_spell(attrs)}>'
                f"<attvalues>{values(attrs, net.edge_attributes)}</attvalues></edge>\n"
            )
    w("    </edges>\n  </graph>\n</gexf>\n")
    w.flush()


def _spell(attrs: dict[str, Any]) -> str:
    start, end = attrs.get("start"), attrs.get("end")
    if not start and not end:
        return ""
    return (f' start="{start}"' if start else "") + (f' end="{end}"' if end else "")


_GRAPHML_TYPES = {"string": "string", "double": "double", "integer": "long", "boolean": "boolean"}


def write_graphml(net: Network, out: IO[str]) -> None:
    """GraphML with typed keys (``attr.name`` is the attribute's id; ``start``/``end`` as text)."""
    w = _writer(out)
    q, t = _Quoted(), _Text()
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    node_keys = [Attribute("label", "label", "string"), *net.node_attributes]
    edge_keys = [Attribute("weight", "weight", "double"), *net.edge_attributes]
    if net.dynamic:
        node_keys.append(Attribute("start", "start", "string"))
        edge_keys += [Attribute("start", "start", "string"), Attribute("end", "end", "string")]
    for prefix, cls, keys in (("n", "node", node_keys), ("e", "edge", edge_keys)):
        for a in keys:
            w(
                f'  <key id="{prefix}_{a.id}" for="{cls}" attr.name={_x(a.id)} '
                f'attr.type="{_GRAPHML_TYPES[a.type]}"/>\n'
            )
    w('  <graph edgedefault="undirected">\n')

    def values(prefix: str, attrs: dict[str, Any], declared: list[Attribute]) -> str:
        get = attrs.get
        return "".join(
            [
                f'<data key="{prefix}_{i}">{t[v] if text else _number(v)}</data>'
                for i, text in ((a.id, a.type == "string") for a in declared)
                if (v := get(i)) is not None
            ]
        )

    for n, lbl, attrs in net.nodes:
        w(
            f'    <node id={q[n]}><data key="n_label">{escape(_XML_INVALID.sub("", lbl))}</data>'
            f"{values('n', attrs, node_keys[1:])}</node>\n"
        )
    w.flush()
    if isinstance(net.edges, PairEdges):
        for text in net.edges.graphml_lines(q, t):
            out.write(text)
    else:
        for u, v, weight, attrs in net.edges:
            w(
                f'    <edge source={q[u]} target={q[v]}><data key="e_weight">{weight!r}</data>'
                f"{values('e', attrs, edge_keys[1:])}</edge>\n"
            )
    w("  </graph>\n</graphml>\n")
    w.flush()


# -- Kumu --------------------------------------------------------------------------------------

_KUMU = {
    "es": {
        "country": "País",
        "interactions": "Interacciones",
        "last": "Última interacción",
        "ties": "Vínculos",
    },
    "en": {"country": "Country", "interactions": "Interactions", "last": "Last interaction", "ties": "Ties"},
}


def write_kumu(net: Network, data: Dataset, path: str | Path, lang: str = "es") -> None:
    """Kumu's import workbook: ``Elements`` (ID, Label, Type, Description, Tags, …) and ``Connections``.

    Tags are separated by ``|``; with the ``ID`` column Kumu updates elements on re-import instead
    of duplicating them. Connections carry the strength and its tier as ``Type``. Every text is a
    text cell (never a formula). More connections than an Excel sheet holds is an error.
    """
    from .xlsx import XlsxWriterBook, check_rows

    check_rows({"Elements": len(net.nodes) + 1, "Connections": len(net.edges) + 1})
    words = _KUMU.get(lang, _KUMU["en"])
    notes = {e.id: (e.note or "", "|".join(e.tags)) for e in data.entities()}
    book = XlsxWriterBook(path)
    elements = book.add_worksheet("Elements")
    elements.write_row(
        0, 0, ["ID", "Label", "Type", "Description", "Tags", words["country"], "Strength", words["last"]]
    )
    book.bulk(
        elements,
        1,
        [
            [n, lbl, attrs.get("kind"), notes.get(n, ("", ""))[0] or None, notes.get(n, ("", ""))[1] or None,
             attrs.get("countries"), attrs.get("strength"), attrs.get("last_interaction")]
            for n, lbl, attrs in net.nodes
        ],
    )  # fmt: skip
    connections = book.add_worksheet("Connections")
    connections.write_row(
        0, 0, ["From", "To", "Type", "Strength", words["interactions"], words["last"], words["ties"]]
    )
    book.bulk(
        connections,
        1,
        (
            [u, v, attrs.get("tier"), w, attrs.get("interactions"), attrs.get("last_interaction"), attrs.get("ties")]
            for u, v, w, attrs in net.edges
        ),
    )  # fmt: skip
    book.close()


# -- CSV ---------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A cell value a spreadsheet will not run as a formula (OWASP's CSV-injection rule).

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``; so
    does text already starting with ``'``, so that :func:`csv_unsafe` restores every value exactly.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")"), csv_safe("-5"), csv_safe("OIM"), csv_safe(3)
    ('\\'=HYPERLINK("http://x")', "'-5", 'OIM', 3)
    """
    if isinstance(value, str) and value and (value[0] in _FORMULA_START or value[0] == "'"):
        return "'" + value
    return value


def csv_unsafe(value: str) -> str:
    """The value :func:`csv_safe` was given (what the CSV importer reads back)."""
    if len(value) > 1 and value[0] == "'" and (value[1] in _FORMULA_START or value[1] == "'"):
        return value[1:]
    return value


def safe_writer(out: IO[str]) -> Any:
    """A ``csv.writer`` whose every text cell goes through :func:`csv_safe`."""
    writer = csv.writer(out, lineterminator="\r\n")

    class _Safe:
        def writerow(self, row: Iterable[Any]) -> Any:
            return writer.writerow([csv_safe(v) for v in row])

        def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
            for r in rows:
                self.writerow(r)

    return _Safe()


def csv_files(net: Network, data: Dataset) -> Iterator[tuple[str, str]]:
    """``(file name, text)`` of entities.csv, relationships.csv and interactions.csv.

    interactions.csv has the columns ``ofai-graph import`` reads, so it can be imported back.
    """
    from .files import CSV_COLUMNS

    entities = {e.id: e for e in data.entities()}
    buf = io.StringIO()
    w = safe_writer(buf)
    w.writerow(["id", "type", "kind", "name", "aliases", "countries", "tags", "note", "strength", "tier",
                "last_interaction"])  # fmt: skip
    for n, lbl, attrs in net.nodes:
        e = entities.get(n)
        w.writerow(
            [n, attrs.get("type"), attrs.get("kind"), lbl, "; ".join(getattr(e, "aliases", ()) or ()),
             "; ".join(e.countries) if e else "", "; ".join(getattr(e, "tags", ()) or ()),
             getattr(e, "note", None) or "", attrs.get("strength"), attrs.get("tier") or "",
             attrs.get("last_interaction") or ""]
        )  # fmt: skip
    yield "entities.csv", buf.getvalue()
    buf = io.StringIO()
    w = safe_writer(buf)
    w.writerow(
        ["source", "target", "strength", "tier", "interactions", "last_interaction", "reciprocal", "ties"]
    )
    for u, v, weight, attrs in net.edges:
        w.writerow(
            [u, v, weight, attrs["tier"], attrs["interactions"], attrs["last_interaction"] or "",
             "yes" if attrs["reciprocal"] else "no", attrs["ties"] or ""]
        )  # fmt: skip
    yield "relationships.csv", buf.getvalue()
    buf = io.StringIO()
    w = safe_writer(buf)
    w.writerow(CSV_COLUMNS)
    for i in data.interactions:
        w.writerow(
            [i.id, str(i.date), i.kind.value, i.axis.value if i.axis else "", i.title, i.summary,
             "; ".join(f"{p.entity}:{p.role.value}" for p in i.participants), i.status.value,
             "; ".join(i.tags), i.source.document if i.source else "",
             (i.source.section or "") if i.source else ""]
        )  # fmt: skip
    yield "interactions.csv", buf.getvalue()


def write_csv(net: Network, data: Dataset, path: str | Path) -> list[Path]:
    """The CSV files into a folder, or into a ``.zip`` when ``path`` ends in ``.zip``."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        tmp = path.with_name(path.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in csv_files(net, data):
                z.writestr(name, "\ufeff" + text)
        tmp.replace(path)
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in csv_files(net, data):
        target = path / name
        tmp = target.with_name(name + ".tmp")
        # A BOM: Excel opens UTF-8 CSV as Windows-1252 without one ("Cámara" -> "CÃ¡mara").
        tmp.write_text("\ufeff" + text, encoding="utf-8", newline="")
        tmp.replace(target)
        written.append(target)
    return written


# -- Cypher ------------------------------------------------------------------------------------

_CYPHER_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_CYPHER_SPECIAL = re.compile(r"[\\'\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a string, number, boolean, null or list of those.

    Strings are single-quoted with backslash escapes; control characters become ``\\uXXXX``, so
    every statement is one line and no value can end its string early.

    >>> print(cypher_literal("O'Brien \\\\ \\n"))
    'O\\'Brien \\\\ \\n'
    >>> cypher_literal(["CO", "KR"]), cypher_literal(None), cypher_literal(True)
    ("['CO', 'KR']", 'null', 'true')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    text = str(value)

    def esc(m: re.Match[str]) -> str:
        ch = m.group(0)
        return _CYPHER_ESCAPES.get(ch) or f"\\u{ord(ch):04x}"

    return "'" + _CYPHER_SPECIAL.sub(esc, text) + "'"


def _props(props: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {cypher_literal(v)}" for k, v in props.items())


def _set(var: str, props: dict[str, Any]) -> str:
    items = [(k, v) for k, v in props.items() if v is not None]
    return (" SET " + ", ".join(f"{var}.{k} = {cypher_literal(v)}" for k, v in items)) if items else ""


def cypher_statements(data: Dataset | Iterable[Dataset], *, schema: bool = True) -> Iterator[str]:
    """The statements of :func:`cypher_script`, one a line, each ending with ``;``.

    ``data`` may be a whole :class:`Dataset` or batches of one in dependency order (entities,
    interactions, follow-ups, ties), as ``Store.iter_batches`` gives them.
    """
    from .store import neo4j_schema
    from .store.base import entity_kind, entity_names
    from .text import fold_key

    statements, version = neo4j_schema()
    if schema:
        for s in statements:
            yield s + ";"
    batches = [data] if isinstance(data, Dataset) else data
    props: dict[str, Any]  # one node's properties, of several record types
    for batch in batches:
        for e in batch.entities():
            props = {"type": e.type, "kind": entity_kind(e), "name": e.name, "countries": list(e.countries),
                     "data": e.model_dump_json()}  # fmt: skip
            yield f"MERGE (n:Entity {{id: {cypher_literal(e.id)}}}){_set('n', props)};"
            names = {(fold_key(n), e.id): n for n in reversed(entity_names(e)) if fold_key(n)}
            for (key, eid), lbl in names.items():
                yield (
                    f"MERGE (n:Name {{key: {cypher_literal(key)}, entity_id: {cypher_literal(eid)}}})"
                    f" SET n.label = {cypher_literal(lbl)};"
                )
            for c in dict.fromkeys(e.countries):  # (a country's entities, indexed: store/neo4j.py)
                located = {k: props[k] for k in ("type", "kind", "name", "countries")}
                yield f"MERGE (n:Located {{country: {cypher_literal(c)}, entity_id: {cypher_literal(e.id)}}}){_set('n', located)};"
        for e in batch.people:
            for org in dict.fromkeys(a.organization for a in e.affiliations):
                yield (
                    f"MATCH (p:Entity {{id: {cypher_literal(e.id)}}}) MATCH (o:Entity {{id: {cypher_literal(org)}}})"
                    " MERGE (p)-[:AFFILIATED]->(o);"
                )
        for i in batch.interactions:
            props = {
                "date_start": i.date.start.isoformat(),
                "date_end": i.date.end.isoformat(),
                "kind": i.kind.value,
                "axis": i.axis.value if i.axis is not None else None,
                "status": i.status.value,
                "data": i.model_dump_json(),
            }
            yield f"MERGE (n:Interaction {{id: {cypher_literal(i.id)}}}){_set('n', props)};"
            for p in dict.fromkeys(i.participants):
                yield (
                    f"MATCH (e:Entity {{id: {cypher_literal(p[0])}}}) MATCH (i:Interaction {{id: {cypher_literal(i.id)}}})"
                    f" MERGE (e)-[:PARTICIPATED {{role: {cypher_literal(p[1].value)}}}]->(i);"
                )
        for f in batch.followups:
            props = {
                "interaction_id": f.interaction,
                "status": f.status.value,
                "due_end": f.due.end.isoformat() if f.due else None,
                "owner": f.owner,
                "expected_from": f.expected_from,
                "data": f.model_dump_json(),
            }
            yield f"MERGE (n:FollowUp {{id: {cypher_literal(f.id)}}}){_set('n', props)};"
        for t in batch.ties:
            props = {
                "source": t.source,
                "target": t.target,
                "kind": t.kind.value,
                "data": t.model_dump_json(),
            }
            yield f"MERGE (n:Tie {{id: {cypher_literal(t.id)}}}){_set('n', props)};"
            yield (
                f"MATCH (a:Entity {{id: {cypher_literal(t.source)}}}) MATCH (b:Entity {{id: {cypher_literal(t.target)}}})"
                f" MERGE (a)-[:TIE {{{_props({'id': t.id, 'kind': t.kind.value})}}}]->(b);"
            )
    if schema:
        yield (
            f"MERGE (m:Meta {{key: 'ofai'}}) SET m.schema_version = {version}, "
            "m.revision = coalesce(m.revision, 0) + 1;"
        )


def write_cypher(store: Store, out: IO[str]) -> int:
    """Write the script that loads ``store`` into an empty Neo4j database; returns the statement count.

    Run it with ``cypher-shell -f script.cypher`` (or Neo4j Browser). Every value is a literal, so
    the script needs no parameters; re-running it changes nothing (``MERGE``).
    """
    n = 0
    out.write("// ofai-graph: load into an empty Neo4j 5 database (cypher-shell -f this-file)\n")
    for s in cypher_statements(store.iter_batches()):
        out.write(s + "\n")
        n += 1
    return n


def home_of(data_or_store: Any) -> str | None:
    """The id of the home office, if there is exactly one."""
    from .model import OrgKind

    if hasattr(data_or_store, "entity_summaries"):
        summaries = data_or_store.entity_summaries()
    else:  # a PairTable
        summaries = getattr(data_or_store, "entities", [])
    homes = [s.id for s in summaries if s.kind == OrgKind.home_office.value]
    return homes[0] if len(homes) == 1 else None


__all__ = [
    "FORMATS",
    "Exported",
    "Network",
    "csv_files",
    "csv_safe",
    "csv_unsafe",
    "cypher_literal",
    "cypher_statements",
    "evidence_network",
    "export",
    "flatten",
    "network",
    "write_csv",
    "write_cypher",
    "write_gexf",
    "write_graphml",
    "write_kumu",
]


# -- one entry point ---------------------------------------------------------------------------

FORMATS = ("xlsx", "gexf", "graphml", "kumu", "csv", "cypher")


@dataclass
class Exported:
    format: str
    paths: list[str]
    nodes: int = 0
    edges: int = 0
    statements: int = 0


def export(
    ws: Any,
    fmt: str,
    path: str | Path | None,
    *,
    as_of: dt.date | None = None,
    dynamic: bool = False,
    lang: str = "es",
    out: IO[str] | None = None,
) -> Exported:
    """Write the workspace ``ws`` in ``fmt`` (one of :data:`FORMATS`) to ``path`` (or ``out``).

    Text formats are written to ``path + '.tmp'`` and renamed: a reader never sees half a file.
    """
    from .errors import N_, OfaiError
    from .spreadsheet import write_workbook

    if fmt not in FORMATS:
        raise OfaiError(
            N_("unknown export format {fmt!r}: use one of {formats}"), fmt=fmt, formats=", ".join(FORMATS)
        )
    if dynamic and fmt not in ("gexf", "graphml"):
        raise OfaiError(N_("--dynamic applies to gexf and graphml only"))
    if path is None and (out is None or fmt in ("xlsx", "kumu", "csv")):
        raise OfaiError(N_("the {fmt} format needs a file to write (--out)"), fmt=fmt)
    result = Exported(fmt, [str(path)] if path is not None else [])
    if fmt == "xlsx":
        data = ws.dataset()
        write_workbook(data, path, lang)  # type: ignore[arg-type]
        return result
    if fmt == "cypher":
        result.statements = _text_out(path, out, lambda f: write_cypher(ws.store, f))
        return result
    if dynamic:
        net = evidence_network(ws.store, lang=lang)
    else:
        from .pairtable import pair_table

        table = pair_table(ws.store, as_of=ws._as_of(as_of), config=ws.strength_config)
        net = network(ws.store, table, home=home_of(table), lang=lang)
    result.nodes, result.edges = len(net.nodes), len(net.edges)
    if fmt == "gexf":
        _text_out(path, out, lambda f: write_gexf(net, f))
    elif fmt == "graphml":
        _text_out(path, out, lambda f: write_graphml(net, f))
    elif fmt == "kumu":
        write_kumu(net, ws.dataset(), path, lang)  # type: ignore[arg-type]
    else:
        result.paths = [str(p) for p in write_csv(net, ws.dataset(), path)]  # type: ignore[arg-type]
    return result


def _text_out(path: str | Path | None, out: IO[str] | None, write: Any) -> Any:
    if path is None:
        return write(out)
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    # A large buffer: the writers make millions of small writes.
    with tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as f:
        value = write(f)
    tmp.replace(target)
    return value
