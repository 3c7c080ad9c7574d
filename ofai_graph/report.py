"""The quarterly "Informe de gestión", regenerated from the store.

:func:`build_report` gathers what the office's report to the Concejo holds: a cover (office, period,
the heads of the office as of the period, from the affiliations), the objective and mission, the
five strategic lines in the report's order, each with its actions in order (what was done, who took
part, the outcome, the date at its own precision and what is pending after it), and what a report
typed by hand could not give: figures per line against the previous quarter (from
:func:`ofai_graph.changes.changes`), follow-ups due next quarter and overdue, relationships that grew
and went cold, and the quarter's network map.

Grouping and order come from the data: interactions whose source names the same document and
action are one action (:func:`ofai_graph.changes.action_key`), ordered by their source's ``order``;
an interaction with no action is an action of its own under its axis, after the ordered ones, by
date. Renderers: :mod:`ofai_graph.report_render` (Markdown, HTML) and :mod:`ofai_graph.report_docx`.

>>> import ofai_graph
>>> ws = ofai_graph.open(":memory:")
>>> _ = ws.import_data({"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}],
...   "interactions": [{"id": "v", "date": "2024-02-12", "kind": "visit", "axis": "allies",
...     "title": "Visita de JICA", "participants": [{"entity": "ofai", "role": "host"}]}]})
>>> r = ws.report("2024-Q1", include_map=False)
>>> r.period_label, [(line.title, [a.title for a in line.actions]) for line in r.lines if line.actions]
('primer trimestre de 2024', [('Red de aliados', ['Visita de JICA'])])
>>> r.lines[3].actions[0].date_label
'12 de febrero de 2024'
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from .changes import (
    AxisFigures,
    Changes,
    StrengthChange,
    Window,
    action_key,
    changes_and_interactions,
    open_on,
    window,
)
from .errors import OfaiError
from .i18n import format_date, format_number, gettext_for, resolve_lang
from .labels import label
from .model import Axis, FollowUp, Interaction

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = ["Action", "Head", "Party", "Pending", "Report", "ReportLine", "Step", "build_report"]

# The office's own texts (its report's "Objetivo" and "Misión"), kept with the template: they
# change with a decree, not with each quarter. ``build_report(objective=..., mission=...)`` overrides.
OFFICE_TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "objective": (
            "Gestionar, asesorar y apoyar en la gestión institucional a las diferentes dependencias de la "
            "alcaldía y entes descentralizados en la participación, preparación, formulación y ejecución de "
            "proyectos de cooperación interinstitucional e internacional, así como de iniciativas para atraer "
            "inversión extranjera directa, el apoyo a procesos educativos en el exterior y presentación de "
            "proyectos a cooperantes, entre otros, orientados hacia la visibilización y globalización de la "
            "ciudad-región, así como al apoyo de las metas institucionales."
        ),
        "mission": (
            "Gestionar, orientar y coordinar técnicamente la cooperación internacional, la inversión nacional "
            "y extranjera, así como brindar apoyo a las diferentes dependencias de la alcaldía y entes "
            "descentralizados en la atracción de cooperación financiera, asistencia técnica y experiencias de "
            "intercambio que promuevan el fortalecimiento de capacidades orientadas al mejoramiento de la "
            "calidad de vida de los ciudadanos y ciudadanas y a la visibilización y globalización de la "
            "ciudad-región."
        ),
    },
    "en": {
        "objective": (
            "To manage, advise and support the institutional work of the mayoralty's departments and "
            "decentralized entities in taking part in, preparing, formulating and carrying out "
            "inter-institutional and international cooperation projects, initiatives to attract foreign direct "
            "investment, support for education abroad and the presentation of projects to donors, among "
            "others, aimed at the visibility and globalization of the city-region and at the institution's goals."
        ),
        "mission": (
            "To manage, guide and technically coordinate international cooperation and national and foreign "
            "investment, and to support the mayoralty's departments and decentralized entities in attracting "
            "financial cooperation, technical assistance and exchanges that build capacities to improve the "
            "citizens' quality of life and the visibility and globalization of the city-region."
        ),
    },
}


# A page-sized map: beyond this many entities a static picture is a hairball (and slow to lay out);
# the interactive map (``ofai-graph map``) is the way to see such a quarter.
MAP_MAX_ENTITIES = 250


@lru_cache(maxsize=4096)
def _date_label(value: str, lang: str) -> str:
    # Babel formats a date in ~0.2 ms; a big quarter repeats the same few dozen dates thousands of times.
    return format_date(value, lang)


class Party(BaseModel):
    id: str
    name: str
    roles: list[str]
    """Role labels in the report's language, in the order first seen."""


class Step(BaseModel):
    """One interaction of an action."""

    id: str
    title: str
    summary: str
    kind: str
    kind_label: str
    date: str
    date_label: str
    status: str
    status_label: str


class Pending(BaseModel):
    id: str
    description: str
    due: str | None = None
    due_label: str | None = None
    expected_from: str | None = None
    expected_from_name: str | None = None
    status: str
    closed_on: dt.date | None = None
    overdue: bool = False
    """Open past its due period at the end of the quarter."""
    text: str
    """The sentence the report prints after the description ("Se espera de JICA para agosto de 2024.")."""


class Action(BaseModel):
    key: str
    title: str
    order: int | None = None
    axis: str | None = None
    date_label: str
    status: str
    status_label: str
    steps: list[Step]
    participants: list[Party]
    subjects: list[Party] = Field(default_factory=list)
    pending: list[Pending] = Field(default_factory=list)


class ReportLine(BaseModel):
    number: int
    axis: str | None
    title: str
    actions: list[Action] = Field(default_factory=list)
    figures: AxisFigures


class Head(BaseModel):
    id: str
    name: str
    title: str | None = None


class Report(BaseModel):
    lang: str
    quarter: str
    period_label: str
    window: Window
    generated_on: dt.date
    office_id: str | None
    office_name: str
    parent_name: str | None = None
    heads: list[Head] = Field(default_factory=list)
    objective: str
    mission: str
    lines: list[ReportLine]
    followups_next: list[Pending] = Field(default_factory=list)
    followups_overdue: list[Pending] = Field(default_factory=list)
    grew: list[StrengthChange] = Field(default_factory=list)
    cooled: list[StrengthChange] = Field(default_factory=list)
    changes: Changes
    map_svg: str | None = None
    """The quarter's network map as SVG (from :meth:`ofai_graph.workspace.Workspace.map`)."""
    map_included: bool = True
    """False when the report was asked for without its map: the renderers leave the section out."""
    map_note: str | None = None
    """Why there is no map, when the quarter's network is too big for a page."""

    @property
    def actions(self) -> list[Action]:
        return [a for line in self.lines for a in line.actions]

    @property
    def empty(self) -> bool:
        return not any(line.actions for line in self.lines)


def build_report(
    ws: Workspace,
    *,
    quarter: str,
    lang: str = "es",
    include_map: bool = True,
    objective: str | None = None,
    mission: str | None = None,
    top: int = 5,
) -> Report:
    """The report of ``quarter`` (``"2024-Q1"``) in ``lang`` ("es" or "en")."""
    lang = resolve_lang(lang)
    _ = gettext_for(lang)
    w = window(quarter=quarter)
    store = ws.store
    try:
        home: str | None = ws.home
    except OfaiError:
        home = None
    graphs = (ws.relationship_graph(w.since - dt.timedelta(days=1)), ws.relationship_graph(w.until))
    ch, interactions = changes_and_interactions(store, w, home=home, graphs=graphs, top=top)

    every_followup = store.followups(None)
    ids = {p.entity for i in interactions for p in i.participants}
    ids |= {f.expected_from for f in every_followup if f.expected_from}
    if home:
        ids.add(home)
    entities = store.get_entities(ids)

    def name(eid: str) -> str:
        e = entities.get(eid)
        return e.name if e is not None else eid

    by_interaction: dict[str, list[FollowUp]] = defaultdict(list)
    for f in every_followup:
        if f.interaction:
            by_interaction[f.interaction].append(f)

    def pending(f: FollowUp) -> Pending:
        return _pending(f, w, lang, name)

    groups: dict[str, list[Interaction]] = defaultdict(list)
    for i in interactions:
        groups[action_key(i)].append(i)
    actions_by_axis: dict[str | None, list[Action]] = defaultdict(list)
    for key, steps in groups.items():
        steps.sort(key=_step_order)
        action = _action(
            key, steps, lang, name, home, [pending(f) for s in steps for f in by_interaction[s.id]]
        )
        actions_by_axis[action.axis].append(action)

    figures = {f.axis: f for f in ch.figures}
    axes: list[str | None] = [a.value for a in Axis]
    if None in actions_by_axis or None in figures:
        axes.append(None)
    lines = []
    for n, axis in enumerate(axes, start=1):
        acts = sorted(actions_by_axis.get(axis, []), key=_action_order)
        lines.append(
            ReportLine(
                number=n,
                axis=axis,
                title=label("Axis", axis, lang) if axis else _("No strategic line"),
                actions=acts,
                figures=figures.get(axis) or AxisFigures(axis=axis),
            )
        )

    # Follow-ups as they stood on the quarter's last day.
    made = {i.id: i for i in interactions}
    known = store.get_interactions({f.interaction for f in every_followup if f.interaction} - set(made))
    made.update(known)
    nxt = w.next()
    due_next, overdue = [], []
    for f in every_followup:
        origin = made.get(f.interaction or "")
        if origin is not None and origin.date.start > w.until:
            continue
        if not open_on(f, w.until) or f.due is None:
            continue
        if f.due.end < w.until:
            overdue.append(pending(f))
        elif f.due.start <= nxt.until and f.due.end >= nxt.since:
            due_next.append(pending(f))
    due_next.sort(key=lambda p: (p.due or "", p.id))
    overdue.sort(key=lambda p: (p.due or "", p.id))

    office = entities.get(home) if home else None
    texts = OFFICE_TEXTS.get(lang, OFFICE_TEXTS["en"])
    report = Report(
        lang=lang,
        quarter=w.label,
        period_label=format_date(w.label, lang),
        window=w,
        generated_on=dt.date.today(),
        office_id=home,
        office_name=office.name if office is not None else _("Office of International Affairs"),
        parent_name=_parent(ws, home),
        heads=_heads(ws, home, w),
        objective=objective if objective is not None else texts["objective"],
        mission=mission if mission is not None else texts["mission"],
        lines=lines,
        followups_next=due_next,
        followups_overdue=overdue,
        grew=ch.gained,
        # Gone cold: lost strength and nothing shared with the office in the quarter.
        cooled=[c for c in ch.lost if not c.interactions],
        changes=ch,
    )
    report.map_included = include_map
    if include_map and not report.empty:
        involved = {p.entity for i in interactions for p in i.participants}
        if len(involved) <= MAP_MAX_ENTITIES:
            report.map_svg = _map_svg(ws, w, _("Network of the quarter"), lang)
        else:
            report.map_note = _(
                "The quarter's network has {n} entities, too many for one page: "
                "see it with ofai-graph map --since {since} --until {until}"
            ).format(n=format_number(len(involved), lang), since=w.since, until=w.until)
    return report


def _step_order(i: Interaction) -> tuple:
    order = i.source.order if i.source is not None and i.source.order is not None else 1 << 30
    return (order, i.date.start, i.date.end, i.id)


def _action_order(a: Action) -> tuple:
    first = a.steps[0]
    return (a.order is None, a.order if a.order is not None else 0, first.date, a.title, a.key)


def _action(
    key: str,
    steps: list[Interaction],
    lang: str,
    name: Callable[[str], str],
    home: str | None,
    pending: list[Pending],
) -> Action:
    source = next((s.source for s in steps if s.source is not None and s.source.action), None)
    orders = [s.source.order for s in steps if s.source is not None and s.source.order is not None]
    axis = next((s.axis.value for s in steps if s.axis is not None), None)
    parties: dict[str, Party] = {}
    subjects: dict[str, Party] = {}
    for s in steps:
        for p in s.participants:
            role = label("Role", p.role, lang)
            bucket = subjects if p.role.value == "subject" else parties
            party = bucket.setdefault(
                p.entity, Party.model_construct(id=p.entity, name=name(p.entity), roles=[])
            )
            if role not in party.roles:
                party.roles.append(role)
    # The home office first: the report is its account of its own work.
    ordered = sorted(parties.values(), key=lambda p: p.id != home)
    dates = list(dict.fromkeys(str(s.date) for s in steps))
    last = steps[-1]
    return Action(
        key=key,
        title=source.action if source is not None and source.action else steps[0].title,
        order=min(orders) if orders else None,
        axis=axis,
        date_label="; ".join(_date_label(d, lang) for d in dates),
        status=last.status.value,
        status_label=label("Status", last.status, lang),
        steps=[
            # Built from validated interactions: construct, don't validate again (10,000 steps a quarter).
            Step.model_construct(
                id=s.id,
                title=s.title,
                summary=s.summary,
                kind=s.kind.value,
                kind_label=label("InteractionKind", s.kind, lang),
                date=str(s.date),
                date_label=_date_label(str(s.date), lang),
                status=s.status.value,
                status_label=label("Status", s.status, lang),
            )
            for s in steps
        ],
        participants=ordered,
        subjects=list(subjects.values()),
        pending=pending,
    )


def _pending(f: FollowUp, w: Window, lang: str, name: Callable[[str], str]) -> Pending:
    _ = gettext_for(lang)
    who = name(f.expected_from) if f.expected_from else None
    due = _date_label(str(f.due), lang) if f.due else None
    still_open = open_on(f, w.until)
    if not still_open and f.closed_on is not None:
        text = _("Done on {date}.").format(date=format_date(f.closed_on, lang))
    elif who and due:
        text = _("Expected from {who} by {date}.").format(who=who, date=due)
    elif due:
        text = _("Expected by {date}.").format(date=due)
    elif who:
        text = _("Expected from {who}.").format(who=who)
    else:
        text = _("No date set.")
    return Pending(
        id=f.id,
        description=f.description,
        due=str(f.due) if f.due else None,
        due_label=due,
        expected_from=f.expected_from,
        expected_from_name=who,
        status=f.status.value if not still_open else "open",
        closed_on=f.closed_on if not still_open else None,
        overdue=still_open and f.due is not None and f.due.end < w.until,
        text=text,
    )


def _heads(ws: Workspace, home: str | None, w: Window) -> list[Head]:
    """People affiliated with the office during the period, with their titles."""
    if home is None:
        return []
    people = ws.store.get_entities(ws.store.affiliated_people({home}))
    out = []
    for person in people.values():
        for a in getattr(person, "affiliations", []):
            if a.organization != home:
                continue
            if a.since is not None and a.since.start > w.until:
                continue
            if a.until is not None and a.until.end < w.since:
                continue
            out.append(Head(id=person.id, name=person.name, title=a.title))
    # The head before the acting head: titles marked "(e)" (encargado) go last.
    out.sort(key=lambda h: ("(e)" in (h.title or ""), h.title or "", h.name))
    return out


def _parent(ws: Workspace, home: str | None) -> str | None:
    """The organization the office is part of (the mayoralty), from its ``part_of`` tie."""
    if home is None:
        return None
    for t in ws.store.ties(home):
        if t.source == home and t.kind.value == "part_of":
            parent = ws.store.get_entities([t.target]).get(t.target)
            return parent.name if parent is not None else None
    return None


def _map_svg(ws: Workspace, w: Window, title: str, lang: str) -> str | None:
    """The quarter's network as SVG, in the report's language, through the maps module's public API."""
    m = ws.map(since=w.since, until=w.until, as_of=w.until, title=title, lang=lang)
    if not m.node_count:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = m.save(Path(tmp) / "map.svg")
        return path.read_text(encoding="utf-8")
