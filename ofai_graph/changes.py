"""What changed between two dates: the quarter's figures, from the store.

:func:`changes` compares a window (usually a quarter) with the data as it stood before it: which
entities and partners of the office are new, which ties started or ended, how many interactions
there were per strategic line and kind (and in the previous window of the same length), which
follow-ups were opened, closed or fell overdue, which relationships gained or lost the most
strength, and which countries the office newly reaches (or no longer reaches) through its network.

An interaction belongs to a window when its whole date interval lies inside it: an action dated
"2024-Q1" is in the first quarter of 2024, one dated only "2024" is in none of its quarters.

>>> import ofai_graph
>>> ws = ofai_graph.open(":memory:")
>>> _ = ws.import_data({"organizations": [
...     {"id": "ofai", "name": "OFAI", "kind": "home_office"},
...     {"id": "jica", "name": "JICA", "kind": "bilateral_agency", "countries": ["JP"]}],
...   "interactions": [{"id": "v", "date": "2024-02-12", "kind": "visit", "axis": "allies",
...     "title": "Visita", "participants": [{"entity": "ofai"}, {"entity": "jica"}]}]})
>>> c = ws.changes(quarter="2024-Q1")
>>> [p.id for p in c.new_partners], c.by_axis, [r.country for r in c.routes_new]
(['jica'], {'allies': 1}, ['JP'])
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from .dates import DateText, PartialDate, Precision
from .errors import N_, OfaiError
from .model import Axis, FollowUp, FollowUpStatus, Interaction, Tie
from .store.base import Store

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "AxisFigures",
    "Changes",
    "EntityRef",
    "FollowUpChange",
    "InteractionRef",
    "Route",
    "StrengthChange",
    "TieChange",
    "Window",
    "changes",
    "parse_quarter",
    "window",
]

# Topics (an initiative an action is about) are not partners.
NOT_PARTNER_ROLES = frozenset({"subject"})


class UsageError(OfaiError):
    """The caller asked for something malformed (a quarter that is not ``YYYY-Qn``...)."""


class Window(BaseModel):
    """A closed interval of days; ``label`` is how the data writes it (``2024-Q1``) when it is one."""

    since: dt.date
    until: dt.date
    label: str

    def holds(self, start: dt.date, end: dt.date) -> bool:
        return self.since <= start and end <= self.until

    def previous(self) -> Window:
        """The window of the same length just before (the previous quarter for a quarter)."""
        pd = _as_partial(self)
        if pd is not None and pd.precision is Precision.quarter:
            year, q = pd.start.year, (pd.start.month - 1) // 3 + 1
            year, q = (year - 1, 4) if q == 1 else (year, q - 1)
            return window(quarter=f"{year}-Q{q}")
        length = self.until - self.since
        until = self.since - dt.timedelta(days=1)
        since = until - length
        return Window(since=since, until=until, label=f"{since}..{until}")

    def next(self) -> Window:
        pd = _as_partial(self)
        if pd is not None and pd.precision is Precision.quarter:
            year, q = pd.start.year, (pd.start.month - 1) // 3 + 1
            year, q = (year + 1, 1) if q == 4 else (year, q + 1)
            return window(quarter=f"{year}-Q{q}")
        length = self.until - self.since
        since = self.until + dt.timedelta(days=1)
        return Window(since=since, until=since + length, label=f"{since}..{since + length}")


def _as_partial(w: Window) -> PartialDate | None:
    try:
        return PartialDate.parse(w.label)
    except ValueError:
        return None


NOT_A_QUARTER = N_("{text} is not a quarter: write YYYY-Qn, e.g. 2024-Q1")


def parse_quarter(text: str) -> PartialDate:
    """A quarter written ``2024-Q1`` (``2024-q1`` too); anything else is a :class:`UsageError`.

    >>> str(parse_quarter("2024-q1").end)
    '2024-03-31'
    """
    try:
        pd = PartialDate.parse(str(text).strip().upper())
    except ValueError:
        raise UsageError(NOT_A_QUARTER, text=repr(str(text))) from None
    if pd.precision is not Precision.quarter:
        raise UsageError(NOT_A_QUARTER, text=repr(str(text)))
    return pd


def window(
    *, since: dt.date | str | None = None, until: dt.date | str | None = None, quarter: str | None = None
) -> Window:
    """A :class:`Window` from a quarter or from two dates (a month or quarter as ``since`` means its first day)."""
    if quarter is not None:
        if since is not None or until is not None:
            raise UsageError(N_("give a quarter or since/until, not both"))
        q = parse_quarter(quarter)
        return Window(since=q.start, until=q.end, label=str(q))
    if since is None or until is None:
        raise UsageError(N_("give a quarter (2024-Q1) or both since and until dates"))
    try:
        start = PartialDate.parse(since).start
        end = PartialDate.parse(until).end
    except ValueError as exc:
        if isinstance(exc, OfaiError):
            raise UsageError(exc.template, **exc.params) from None
        raise UsageError(str(exc)) from None
    if end < start:
        raise UsageError(N_("until ({end}) is before since ({start})"), end=DateText(end), start=DateText(start))
    return Window(since=start, until=end, label=f"{start}..{end}")


class EntityRef(BaseModel):
    id: str
    name: str
    kind: str
    first: dt.date | None = None
    """The first day of the earliest interaction that names it (with the office, for partners)."""
    first_date: str | None = None
    """That interaction's date as the data wrote it, at its precision ("2024-Q1", "2024-02-12")."""


class InteractionRef(BaseModel):
    id: str
    title: str
    date: str
    axis: str | None = None
    kind: str


class TieChange(BaseModel):
    id: str
    source: str
    source_name: str
    target: str
    target_name: str
    kind: str
    date: str


class FollowUpChange(BaseModel):
    id: str
    description: str
    due: str | None = None
    status: str
    closed_on: dt.date | None = None
    interaction: str | None = None


class StrengthChange(BaseModel):
    id: str
    name: str
    kind: str
    before: float
    after: float
    delta: float
    interactions: list[InteractionRef] = Field(default_factory=list)
    """The window's interactions shared with the office: what moved the score."""
    last: str | None = None
    """The latest shared interaction's date, as the data wrote it."""


class Route(BaseModel):
    country: str
    name_es: str
    name_en: str
    path: list[str]
    names: list[str]


class AxisFigures(BaseModel):
    """One strategic line in a window and the one before."""

    axis: str | None
    actions: int = 0
    interactions: int = 0
    partners: int = 0
    new_partners: int = 0
    previous_actions: int = 0
    previous_interactions: int = 0
    previous_partners: int = 0


class Changes(BaseModel):
    window: Window
    previous: Window
    home: str | None
    new_entities: list[EntityRef] = Field(default_factory=list)
    new_partners: list[EntityRef] = Field(default_factory=list)
    ties_started: list[TieChange] = Field(default_factory=list)
    ties_ended: list[TieChange] = Field(default_factory=list)
    interactions: int = 0
    previous_interactions: int = 0
    by_axis: dict[str, int] = Field(default_factory=dict)
    by_kind: dict[str, int] = Field(default_factory=dict)
    previous_by_axis: dict[str, int] = Field(default_factory=dict)
    figures: list[AxisFigures] = Field(default_factory=list)
    followups_opened: list[FollowUpChange] = Field(default_factory=list)
    followups_closed: list[FollowUpChange] = Field(default_factory=list)
    followups_fell_overdue: list[FollowUpChange] = Field(default_factory=list)
    gained: list[StrengthChange] = Field(default_factory=list)
    lost: list[StrengthChange] = Field(default_factory=list)
    routes_new: list[Route] = Field(default_factory=list)
    routes_lost: list[Route] = Field(default_factory=list)


def action_key(i: Interaction) -> str:
    """Interactions of one report action share this key: the document and action of their source."""
    if i.source is not None and i.source.action:
        return f"{i.source.document}\x1f{i.source.action}"
    return f"\x1e{i.id}"


class _Scan:
    """One pass over the participations: dates, members and first appearances."""

    def __init__(self, store: Store, home: str | None):
        self.dates: dict[str, tuple[dt.date, dt.date]] = {}
        self.members: dict[str, list[tuple[str, str]]] = defaultdict(list)
        # The earliest interval (by start, then end) an entity appears in: it is new in a window only
        # if that interval lies inside it (an interaction dated "2024" is not news of 2024-Q1).
        self.first_seen: dict[str, tuple[dt.date, dt.date]] = {}
        self.first_with_home: dict[str, tuple[dt.date, dt.date]] = {}
        for row in store.participations():
            iid, start, end, e, role = row[0], row[1], row[2], row[5], row[6]
            self.dates[iid] = (start, end)
            self.members[iid].append((e, role))
            seen = self.first_seen.get(e)
            if seen is None or (start, end) < seen:
                self.first_seen[e] = (start, end)
        if home is not None:
            for iid, parts in self.members.items():
                if any(e == home for e, _ in parts):
                    interval = self.dates[iid]
                    for e, role in parts:
                        if e != home and role not in NOT_PARTNER_ROLES:
                            seen = self.first_with_home.get(e)
                            if seen is None or interval < seen:
                                self.first_with_home[e] = interval

    def within(self, w: Window) -> list[str]:
        return sorted(i for i, (s, e) in self.dates.items() if w.holds(s, e))


def changes(
    store: Store,
    w: Window,
    *,
    home: str | None,
    graphs: tuple[nx.Graph, nx.Graph] | None = None,
    top: int = 10,
    max_hops: int = 4,
) -> Changes:
    """What changed in window ``w`` (see the module docstring).

    ``graphs`` are the relationship graphs (:func:`ofai_graph.strength.relationship_graph`) as of the
    day before the window and as of its last day; without them strength and routes are left empty.
    """
    return changes_and_interactions(store, w, home=home, graphs=graphs, top=top, max_hops=max_hops)[0]


def changes_and_interactions(
    store: Store,
    w: Window,
    *,
    home: str | None,
    graphs: tuple[nx.Graph, nx.Graph] | None = None,
    top: int = 10,
    max_hops: int = 4,
) -> tuple[Changes, list[Interaction]]:
    """:func:`changes` and the window's interactions (a report needs both; one scan of the store)."""
    scan = _Scan(store, home)
    prev = w.previous()
    now_ids = scan.within(w)
    prev_ids = scan.within(prev)
    fetched = store.get_interactions([*now_ids, *prev_ids])
    now = [fetched[i] for i in now_ids if i in fetched]
    before = [fetched[i] for i in prev_ids if i in fetched]
    out = Changes(window=w, previous=prev, home=home)
    out.interactions, out.previous_interactions = len(now), len(before)
    out.by_axis = _count(i.axis.value if i.axis else "none" for i in now)
    out.previous_by_axis = _count(i.axis.value if i.axis else "none" for i in before)
    out.by_kind = _count(i.kind.value for i in now)

    new_partner_ids = {e for e, d in scan.first_with_home.items() if w.holds(*d)}
    new_entity_ids = {e for e, d in scan.first_seen.items() if w.holds(*d)}
    summaries = {s.id: s for s in store.entity_summaries()}

    def ref(eid: str, first: tuple[dt.date, dt.date]) -> EntityRef:
        s = summaries.get(eid)
        return EntityRef(
            id=eid,
            name=s.name if s else eid,
            kind=s.kind if s else "",
            first=first[0],
            first_date=str(PartialDate.from_interval(*first)),
        )

    out.new_partners = sorted(
        (ref(e, scan.first_with_home[e]) for e in new_partner_ids), key=lambda r: (r.first, r.name)
    )
    out.new_entities = sorted(
        (ref(e, scan.first_seen[e]) for e in new_entity_ids if e != home), key=lambda r: (r.first, r.name)
    )
    out.figures = _figures(now, before, scan, home, new_partner_ids)

    for t in store.ties():
        if t.since is not None and w.since <= t.since.start <= w.until:
            out.ties_started.append(_tie(t, str(t.since), summaries))
        if t.until is not None and w.since <= t.until.end <= w.until:
            out.ties_ended.append(_tie(t, str(t.until), summaries))

    for f in store.followups(None):
        made = scan.dates.get(f.interaction or "")
        if made is not None and w.holds(*made):
            out.followups_opened.append(_followup(f))
        if f.closed_on is not None and w.since <= f.closed_on <= w.until:
            out.followups_closed.append(_followup(f))
        if (
            f.due is not None
            and w.since <= f.due.end < w.until
            and open_on(f, f.due.end + dt.timedelta(days=1))
        ):
            out.followups_fell_overdue.append(_followup(f))

    if graphs is not None and home is not None:
        g_before, g_after = graphs
        out.gained, out.lost = _strength(g_before, g_after, home, now, scan, top)
        out.routes_new, out.routes_lost = _routes(g_before, g_after, home, max_hops)
    return out, now


def open_on(f: FollowUp, day: dt.date) -> bool:
    """Whether a follow-up was still open on ``day`` (closed later counts as open then)."""
    if f.status is FollowUpStatus.open:
        return True
    return f.closed_on is not None and f.closed_on > day


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def _partners(interactions: list[Interaction], home: str | None) -> set[str]:
    return {
        p.entity
        for i in interactions
        for p in i.participants
        if p.entity != home and p.role.value not in NOT_PARTNER_ROLES
    }


def _figures(
    now: list[Interaction],
    before: list[Interaction],
    scan: _Scan,
    home: str | None,
    new_partner_ids: set[str],
) -> list[AxisFigures]:
    by_now: dict[str | None, list[Interaction]] = defaultdict(list)
    by_before: dict[str | None, list[Interaction]] = defaultdict(list)
    for i in now:
        by_now[i.axis.value if i.axis else None].append(i)
    for i in before:
        by_before[i.axis.value if i.axis else None].append(i)
    axes: list[str | None] = [a.value for a in Axis]
    if None in by_now or None in by_before:
        axes.append(None)
    out = []
    for a in axes:
        cur, old = by_now.get(a, []), by_before.get(a, [])
        partners = _partners(cur, home)
        out.append(
            AxisFigures(
                axis=a,
                actions=len({action_key(i) for i in cur}),
                interactions=len(cur),
                partners=len(partners),
                new_partners=len(partners & new_partner_ids),
                previous_actions=len({action_key(i) for i in old}),
                previous_interactions=len(old),
                previous_partners=len(_partners(old, home)),
            )
        )
    return out


def _tie(t: Tie, date: str, summaries: dict) -> TieChange:
    def name(e: str) -> str:
        return summaries[e].name if e in summaries else e

    return TieChange(
        id=t.id,
        source=t.source,
        source_name=name(t.source),
        target=t.target,
        target_name=name(t.target),
        kind=t.kind.value,
        date=date,
    )


def _followup(f: FollowUp) -> FollowUpChange:
    return FollowUpChange(
        id=f.id,
        description=f.description,
        due=str(f.due) if f.due else None,
        status=f.status.value,
        closed_on=f.closed_on,
        interaction=f.interaction,
    )


def _iref(i: Interaction) -> InteractionRef:
    return InteractionRef(
        id=i.id, title=i.title, date=str(i.date), axis=i.axis.value if i.axis else None, kind=i.kind.value
    )


def _strength(
    g_before: nx.Graph, g_after: nx.Graph, home: str, now: list[Interaction], scan: _Scan, top: int
) -> tuple[list[StrengthChange], list[StrengthChange]]:
    from .strength import last_label

    shared: dict[str, list[Interaction]] = defaultdict(list)
    for i in now:
        ids = i.entity_ids
        if home in ids:
            for e in ids:
                if e != home:
                    shared[e].append(i)
    partners = set(g_before[home]) if home in g_before else set()
    partners |= set(g_after[home]) if home in g_after else set()
    # The office's own staff are not its partners.
    partners = {
        p for p in partners if "affiliation" not in _ties(g_before, home, p) | _ties(g_after, home, p)
    }
    deltas = []
    for p in partners:
        b = g_before.get_edge_data(home, p)
        a = g_after.get_edge_data(home, p)
        sb, sa = (b["score"] if b else 0.0), (a["score"] if a else 0.0)
        if abs(sa - sb) >= 1e-9:
            deltas.append((round(sa - sb, 4), p, sb, sa))
    gained = sorted((d for d in deltas if d[0] > 0), key=lambda d: (-d[0], d[1]))[:top]
    lost = sorted((d for d in deltas if d[0] < 0), key=lambda d: (d[0], d[1]))[:top]

    def row(delta: float, p: str, sb: float, sa: float) -> StrengthChange:
        a = g_after.get_edge_data(home, p)
        node = g_after.nodes[p] if p in g_after else g_before.nodes[p]
        return StrengthChange(
            id=p,
            name=node.get("name", p),
            kind=node.get("kind", ""),
            before=round(sb, 4),
            after=round(sa, 4),
            delta=delta,
            interactions=[_iref(i) for i in sorted(shared.get(p, []), key=lambda i: (i.date, i.id))],
            last=last_label(a) if a else None,
        )

    return [row(*d) for d in gained], [row(*d) for d in lost]


def _ties(g: nx.Graph, a: str, b: str) -> set[str]:
    data = g.get_edge_data(a, b)
    return set(data["ties"]) if data else set()


def _reach(g: nx.Graph, home: str, max_hops: int) -> dict[str, list[str]]:
    """For every country reachable from ``home`` in ``max_hops``: the fewest-hop path to it."""
    import networkx as nx

    if home not in g:
        return {}
    own = set(g.nodes[home].get("countries") or ())
    paths = nx.single_source_shortest_path(g, home, cutoff=max_hops)
    best: dict[str, list[str]] = {}
    for node, path in sorted(paths.items(), key=lambda kv: (len(kv[1]), kv[0])):
        if node == home:
            continue
        for c in g.nodes[node].get("countries") or ():
            if c not in own and c not in best:
                best[c] = path
    return best


def _routes(
    g_before: nx.Graph, g_after: nx.Graph, home: str, max_hops: int
) -> tuple[list[Route], list[Route]]:
    from . import countries

    then, now = _reach(g_before, home, max_hops), _reach(g_after, home, max_hops)

    def route(c: str, path: list[str], g: nx.Graph) -> Route:
        return Route(
            country=c,
            name_es=countries.name_es(c),
            name_en=countries.name_en(c),
            path=path,
            names=[g.nodes[n].get("name", n) for n in path],
        )

    new = [route(c, now[c], g_after) for c in sorted(set(now) - set(then))]
    lost = [route(c, then[c], g_before) for c in sorted(set(then) - set(now))]
    return new, lost
