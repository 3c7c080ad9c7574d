"""The notebook entry point: ``ofai_graph.open()`` returns a :class:`Workspace`.

A workspace wraps one store and offers every operation of ofai-graph as a method that resolves names
("Corea", "imct", "IOM") and calls the module function that does the work. The CLI calls the same
methods and only formats what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from . import config, scope
from .cache import RevisionCache
from .dates import MAX_DAYS, reference_day
from .errors import NotFound, OfaiError
from .model import (
    Dataset,
    EntityModel,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Organization,
    OrgKind,
    Person,
    Tie,
)
from .paths import Connection, connect
from .resolve import Resolver, SearchHit, entity_kind, search
from .store import StoreEmpty, open_store
from .store.base import Store, WriteReport
from .strength import PairStrength, StrengthConfig, pair, relationship_graph, top_partners
from .targets import resolve_target
from .text import quote

if TYPE_CHECKING:
    import networkx as nx

    from .followups import Dormant, FollowUpView
    from .maps import Map
    from .profile import Profile
    from .stats import Stats
    from .structure import Broker

# What one command does not use, it does not import: the CLI starts a process per command (see
# benchmarks/bench_coldstart.py), so the import of files, importer, maps and the rest waits for a
# method that needs it.


class Answer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    question: str
    action: str
    subject: str | None
    result: Any


class Workspace:
    """One store and the operations on it.

    >>> import ofai_graph
    >>> ws = ofai_graph.open(":memory:")
    >>> _ = ws.add(ofai_graph.Organization(id="ofai", name="OFAI", kind="home_office"))
    >>> ws.resolve("Ofai")
    'ofai'
    """

    def __init__(self, store: Store):
        self.store = store
        self._resolver: Resolver | None = None
        self._resolver_rev = -1
        self._cache = RevisionCache(store)

    # -- lifecycle -----------------------------------------------------------------------------------
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.store.backend}:{self.store.location}>"

    # -- names ---------------------------------------------------------------------------------------
    @property
    def resolver(self) -> Resolver:
        rev = self.store.revision()
        if self._resolver is None or rev != self._resolver_rev:
            self._resolver, self._resolver_rev = Resolver(self.store), rev
        return self._resolver

    def resolve(self, text: str) -> str:
        """The id of the entity ``text`` names (id, name, alias or near-miss)."""
        try:
            return self.resolver.resolve(text)
        except NotFound:
            self._refuse_if_empty()
            raise

    def entity(self, text: str) -> EntityModel:
        eid = self.resolve(text)
        return self.store.get_entities([eid])[eid]

    @property
    def home(self) -> str:
        """The id of the home office: the organization of kind ``home_office``."""
        homes = [s.id for s in self.store.entity_summaries() if s.kind == OrgKind.home_office.value]
        if not homes:
            self._refuse_if_empty()
            raise OfaiError("this store has no home office (an organization of kind home_office); import one")
        if len(homes) > 1:
            raise OfaiError(f"this store has several home offices ({', '.join(homes)}); pass one explicitly")
        return homes[0]

    def _refuse_if_empty(self) -> None:
        """On an empty store, say where it is and how to fill it, rather than "not found"."""
        counts = self.store.counts()
        if not any(counts[t] for t in ("country", "organization", "person", "interactions")):
            raise StoreEmpty(
                f"the store {self.store.location} is empty: fill it with `ofai-graph init --seed` "
                "(the bundled Q1-2024 report) or `ofai-graph import FILE`"
            )

    def search(self, text: str, *, limit: int = 20) -> list[SearchHit]:
        return search(self.store, text, limit=limit)

    # -- data in and out -----------------------------------------------------------------------------
    def import_files(self, paths: Sequence[str | Path], **options: Any) -> WriteReport:
        from . import importer

        return importer.import_files(self.store, paths, **options)

    def import_data(self, data: Dataset | dict[str, Any]) -> WriteReport:
        from . import importer

        return importer.import_data(self.store, data)

    def add(
        self,
        *records: Organization | Person | Interaction | FollowUp | Tie | EntityModel,
        replace: bool = False,
    ) -> WriteReport:
        """Add records, all-or-nothing; names in references are resolved.

        A record whose id is already held by a different record is refused (nothing is written)
        unless ``replace=True``; adding a record exactly as stored changes nothing.
        """
        from . import importer

        return importer.import_data(self.store, Dataset.of(records), replace=replace)

    def new_id(self, section: str, *parts: str) -> str:
        """An id for a new interaction (date, title) or follow-up (description) that no other
        record holds (see :func:`ofai_graph.ids.new_id`)."""
        from .dates import PartialDate
        from .ids import new_id

        if section == "interactions" and len(parts) == 2:
            parts = (str(PartialDate.parse(parts[0])), parts[1])
        return new_id(self.store, section, *parts)  # type: ignore[arg-type]

    def dataset(self) -> Dataset:
        return self.store.dump()

    def export(self, fmt: str = "yaml") -> str:
        from . import files

        return files.dumps(self.store.dump(), fmt)  # dump() reads one snapshot

    # -- views ---------------------------------------------------------------------------------------
    def show(self, text: str, *, as_of: dt.date | None = None) -> Profile:
        """An entity's profile, with its strength to the home office, tier and degree centrality."""
        from .profile import profile

        eid = self.resolve(text)
        prof = profile(self.store, eid, as_of=as_of)
        g = self._graph(scope.edges_at(self.store, [eid], materialized=self._pairs_current()), as_of)
        try:
            home = self.home
        except OfaiError:
            home = None
        if home and home != eid:
            p = pair(g, home, eid)
            prof.extra["strength to home office"] = round(p.score, 3)
            prof.extra["tier"] = p.tier
        if eid in g and g.number_of_nodes() > 1:
            prof.extra["partners"] = g.degree(eid)
            prof.extra["degree centrality"] = round(g.degree(eid) / (g.number_of_nodes() - 1), 4)
        return prof

    def stats(self) -> Stats:
        from .stats import stats

        with self.store.snapshot():
            return stats(self.store)

    def graph(self) -> nx.MultiGraph:
        """The store as a networkx MultiGraph (interactions are nodes); cached until data changes."""
        from .graph import to_networkx

        return self._cached("multigraph", lambda: to_networkx(self.store))

    # -- relationship intelligence -------------------------------------------------------------------
    @property
    def config_path(self) -> Path | None:
        """The configuration file (see :func:`ofai_graph.config.config_path`)."""
        return config.config_path(self.store)

    @property
    def strength_config(self) -> StrengthConfig:
        return config.load_strength(self.config_path)

    def _pairs_stale(self) -> bool:
        """Whether the materialized pairs were built with other weights (the configuration file
        changed) or never (a store filled by an older ofai-graph); True once per workspace at most."""
        cfg = self.strength_config
        key = cfg.model_dump_json()
        if getattr(self, "_materialized", None) == key:
            return False
        from .materialize import is_current

        if is_current(self.store, cfg):
            self._materialized = key
            return False
        return True

    def _pairs_current(self) -> bool:
        """Whether the store keeps materialized pairs for this workspace's weights (reading one entity's
        pairs is then cheap on any backend: see :mod:`ofai_graph.materialize`)."""
        from .materialize import is_current

        return is_current(self.store, self.strength_config)

    def rebuild(self) -> int:
        """Recompute every pair's materialized strength from the interactions (``ofai-graph rebuild``);
        the number of pairs."""
        from .materialize import rebuild

        cfg = config.load_strength(self.config_path)
        n = rebuild(self.store, cfg)
        self._materialized = cfg.model_dump_json()
        self._cache.clear()
        return n

    def relationship_graph(self, as_of: dt.date | None = None, axes: Sequence[str] = ()) -> nx.Graph:
        """The strength-weighted entity graph as of a date (cached until the data changes).

        With ``axes``, only interactions on those strategic axes count (Spanish or English names).
        """
        as_of = as_of or dt.date.today()
        cfg = self.strength_config
        codes = sorted({_axis(a) for a in axes})
        return self._cached(
            f"strength:{as_of}:{hash(cfg.model_dump_json())}:{','.join(codes)}",
            lambda: relationship_graph(self.store, as_of=as_of, config=cfg, axes=codes or None),
        )

    def strength(
        self,
        a: str | None = None,
        b: str | None = None,
        *,
        top: int = 10,
        as_of: dt.date | None = None,
        explain: bool = False,
    ) -> list[PairStrength]:
        """Strongest partners of ``a`` (default: the home office), or the one pair (a, b)."""
        as_of = as_of or dt.date.today()
        first = self.resolve(a) if a else self.home
        if b is None:
            if self._pairs_current():  # the strongest partners first, read until there are enough
                from .materialize import lazy_graph

                lazy = lazy_graph(self.store, self.strength_config, as_of)
                ranked = lazy.graph["neighbours"](first, None, lambda w: True)
                out: list[PairStrength] = []
                i = 0
                while len(out) < top and (item := ranked.at(i)) is not None:
                    i += 1
                    if "affiliation" not in lazy[first][item[1]]["ties"]:
                        out.append(pair(lazy, first, item[1]))
                return out
            g = self._graph(scope.edges_at(self.store, [first], materialized=self._pairs_current()), as_of)
            # The entity's own staff are not its partners.
            staff = {n for n in g[first] if "affiliation" in g[first][n]["ties"]} if first in g else set()
            ranked = top_partners(g, first, top=top + len(staff))
            return [p for p in ranked if p.b not in staff][:top]
        second = self.resolve(b)
        if second == first:
            raise OfaiError(
                f"{quote(a)} and {quote(b)} both name {second}: a strength is between two different entities"
            )
        if explain:
            from .strength import explain as explain_pair

            return [explain_pair(self.store, first, second, as_of=as_of, config=self.strength_config)]
        g = self._graph(scope.edges_at(self.store, [first], materialized=self._pairs_current()), as_of)
        return [pair(g, first, second)]

    def connect(
        self,
        target: str,
        *,
        source: str | None = None,
        k: int = 5,
        max_hops: int = 4,
        avoid: Sequence[str] = (),
        via_kinds: Sequence[str] = (),
        as_of: dt.date | None = None,
    ) -> Connection:
        """Referral paths from the home office (or ``source``) to an entity, a country or a tag."""
        src = self.resolve(source) if source else self.home
        tgt = resolve_target(self.store, target, self.resolver)
        options = {
            "k": k,
            "max_hops": max_hops,
            "avoid": [self.resolve(x) for x in avoid],
            "via_kinds": [entity_kind(k) for k in via_kinds] or None,
        }
        if self._pairs_current():  # edges read only around the entities the search expands
            from .materialize import lazy_graph

            g = lazy_graph(self.store, self.strength_config, as_of or dt.date.today())
            found = connect(g, self.store, src, tgt, **options)  # type: ignore[arg-type]
            if found.paths:
                return found
        else:
            sc = self._cached(
                f"scope:paths:{src}:{max_hops}:{hash(tuple(tgt.ids))}",
                lambda: scope.paths(self.store, src, tgt.ids, max_hops),
            )
            if not sc.whole:
                found = connect(self._graph(sc, as_of), self.store, src, tgt, **options)  # type: ignore[arg-type]
                if found.paths:
                    return found
        # Unreachable: naming the nearest reachable entities needs the whole graph.
        return connect(self.relationship_graph(as_of), self.store, src, tgt, **options)  # type: ignore[arg-type]

    def _graph(self, sc: scope.Scope, as_of: dt.date | None, axes: Sequence[str] = ()) -> nx.Graph:
        """The relationship graph a :class:`~ofai_graph.scope.Scope` asks for (cached like the whole one)."""
        if sc.around is None:
            return self.relationship_graph(as_of, axes)
        as_of = as_of or dt.date.today()
        cfg = self.strength_config
        around = sc.around
        codes = sorted({_axis(a) for a in axes})
        return self._cached(
            f"local:{as_of}:{hash(cfg.model_dump_json())}:{hash(around)}:{','.join(codes)}",
            lambda: relationship_graph(
                self.store, as_of=as_of, config=cfg, around=around, axes=codes or None
            ),
        )

    def followups(
        self,
        *,
        overdue: bool = False,
        due_within: int | None = None,
        owner: str | None = None,
        partner: str | None = None,
        as_of: dt.date | None = None,
        status: FollowUpStatus | None = FollowUpStatus.open,
    ) -> list[FollowUpView]:
        if due_within is not None and not 0 <= due_within <= MAX_DAYS:
            raise OfaiError(f"due within {due_within} days: use a number of days from 0 to {MAX_DAYS}")
        from .followups import list_followups

        return list_followups(
            self.store,
            as_of=as_of,
            status=status,
            overdue=overdue,
            due_within=due_within,
            owner=self.resolve(owner) if owner else None,
            partner=self.resolve(partner) if partner else None,
        )

    def close_followup(
        self, followup_id: str, *, note: str | None = None, cancelled: bool = False, on: dt.date | None = None
    ) -> FollowUp:
        from .followups import close_followup

        status = FollowUpStatus.cancelled if cancelled else FollowUpStatus.done
        if on is not None and on > dt.date.today():
            raise OfaiError(
                f"{on} is in the future: a follow-up is closed on the day it was, today or before"
            )
        return close_followup(self.store, followup_id, status=status, note=note, on=on)

    def dormant(self, *, days: int = 180, as_of: dt.date | None = None, top: int = 20) -> list[Dormant]:
        if not 1 <= days <= MAX_DAYS:
            raise OfaiError(f"{days} days: use a number of days from 1 to {MAX_DAYS}")
        from .followups import dormant

        as_of = as_of or dt.date.today()
        try:
            reference_day(as_of)
        except ValueError as exc:
            raise OfaiError(str(exc)) from None
        then = as_of - dt.timedelta(days=days)
        home = self.home
        # the home office's partners, then and now
        around = scope.edges_at(self.store, [home], materialized=self._pairs_current())
        return dormant(
            self._graph(around, then),
            self._graph(around, as_of),
            self.store,
            home,
            as_of=as_of,
            days=days,
            top=top,
        )

    def brokers(self, *, top: int = 10, as_of: dt.date | None = None) -> list[Broker]:
        from .structure import brokers

        return brokers(self._graph(scope.WHOLE, as_of), top=top)

    def map(self, **options: Any) -> Map:
        """A network map (see :mod:`ofai_graph.maps`): ``.save(path)`` as html, svg, png or pdf, or
        show it in Jupyter.

        Options: ``focus``/``hops``, ``path_to`` (routes drawn on top; ``only_routes``), ``kinds``,
        ``countries``, ``axes`` (relationships built on those strategic axes; explicit ties always
        show; routes are still found on all the evidence), ``since``/``until``, ``min_strength``,
        ``redact_people``, ``title``, ``as_of``, ``lang``, ``color_by`` (kind, community, tier,
        axis), ``presentation``, ``physics``, ``timeline`` (the quarter slider, default on).
        """
        from .maps import workspace_map

        return workspace_map(self, **options)

    def ask(self, question: str, *, as_of: dt.date | None = None) -> Answer:
        """Answer one of the question forms of :mod:`ofai_graph.ask` (English or Spanish)."""
        from .ask import EXAMPLES as ASK_EXAMPLES
        from .ask import parse as parse_question

        intent = parse_question(question)
        if intent is None:
            raise OfaiError(
                "I do not understand that question. I understand, for example:\n  "
                + "\n  ".join(ASK_EXAMPLES)
            )
        if intent.action == "connect":
            result: Any = self.connect(intent.subject or "", as_of=as_of)
        elif intent.action == "strength":
            result = self.strength(None, intent.subject, as_of=as_of, explain=bool(intent.subject))
        elif intent.action in ("followups", "overdue"):
            result = self.followups(overdue=intent.action == "overdue", as_of=as_of)
        else:
            result = self.dormant(as_of=as_of)
        return Answer(question=question, action=intent.action, subject=intent.subject, result=result)

    def _cached(self, key: str, build: Any) -> Any:
        return self._cache.get(key, build)

    # -- spreadsheets, other tools, duplicates (ofai_graph.spreadsheet, .interop, .duplicates, .merge)
    def template(self, path: str | Path, *, lang: str = "es") -> Path:
        """Write the empty workbook the office fills (with example rows that start with ``#``)."""
        from .spreadsheet import write_workbook

        write_workbook(None, path, lang, examples=True)
        return Path(path)

    def import_any(
        self,
        paths: Sequence[str | Path],
        *,
        match: bool = False,
        min_score: float = 90.0,
        dry_run: bool = False,
        max_bytes: int | None = None,
        progress: Any = None,
        lang: str = "en",
    ) -> Any:
        """Import YAML, JSON, CSV and Excel files all-or-nothing; ``match`` reuses stored entities.

        Returns a :class:`ofai_graph.spreadsheet.ImportResult` (the write report and the matches).
        """
        from .spreadsheet import import_paths

        return import_paths(
            self.store, paths, match=match, min_score=min_score, dry_run=dry_run, max_bytes=max_bytes,
            progress=progress, lang=lang,
        )  # fmt: skip

    def export_to(
        self,
        fmt: str,
        path: str | Path | None,
        *,
        as_of: dt.date | None = None,
        dynamic: bool = False,
        lang: str = "es",
        out: Any = None,
    ) -> Any:
        """Write the store for another tool: xlsx, gexf, graphml, kumu, csv or cypher.

        gexf, graphml and cypher may go to a text stream ``out`` instead of ``path``. Returns an
        :class:`ofai_graph.interop.Exported` (what was written, how many nodes and edges).
        """
        from . import interop

        return interop.export(self, fmt, path, as_of=as_of, dynamic=dynamic, lang=lang, out=out)

    def duplicates(self, *, min_score: float = 85.0, lang: str = "en") -> list[Any]:
        """Likely duplicate entities, best first, reasons in ``lang`` (see :mod:`ofai_graph.duplicates`)."""
        from .duplicates import find_duplicates

        return find_duplicates(self.store, min_score=min_score, lang=lang)

    def merge(self, keep: str, drop: str, *, dry_run: bool = False, lang: str = "es") -> Any:
        """Merge entity ``drop`` into ``keep`` (names, aliases or ids), all-or-nothing.

        Returns the :class:`ofai_graph.merge.MergePlan` (with ``--dry-run``, what would move).
        """
        from .merge import merge

        return merge(self.store, self.resolve(keep), self.resolve(drop), dry_run=dry_run, lang=lang)


def open(
    path: str | Path | None = None, *, create: bool = False, backend: str | None = None, **options: Any
) -> Workspace:
    """Open a store and return a :class:`Workspace` on it.

    ``path`` is a file, ``sqlite:///file``, ``:memory:`` (a throw-away store) or a server address
    (``bolt://``, ``neo4j://``, ``neo4j+s://``; ``user=``, ``password=``, ``database=`` or the
    ``NEO4J_*`` variables), as :func:`ofai_graph.store.open_store` takes it. A store that does not
    exist is an error (a typo must not start an empty store) unless ``create=True``. With no
    arguments: the embedded store at ``$OFAI_GRAPH_DB`` or the user data directory.

    >>> import ofai_graph
    >>> ofai_graph.open(":memory:").stats().counts["interactions"]
    0
    """
    return Workspace(open_store(path, create=create, backend=backend, **options))


def _one_snapshot(method: Any) -> Any:
    """Run a read operation in one read transaction of the store (``Store.snapshot``): its many
    queries see one state, whatever an import commits meanwhile."""
    import functools

    @functools.wraps(method)
    def reads_once(self: Workspace, *args: Any, **kwargs: Any) -> Any:
        with self.store.snapshot():
            if not self._pairs_stale():
                return method(self, *args, **kwargs)
        self.rebuild()  # a write: outside the read transaction, then the reads
        with self.store.snapshot():
            return method(self, *args, **kwargs)

    return reads_once


# Every operation that reads more than once (writes are transactions of their own).
for _name in (
    "show",
    "search",
    "strength",
    "connect",
    "followups",
    "dormant",
    "brokers",
    "map",
    "ask",
    "graph",
):
    setattr(Workspace, _name, _one_snapshot(getattr(Workspace, _name)))


def _axis(text: str) -> str:
    """An axis code from its code or its Spanish or English name (``"Cooperación internacional"``)."""
    from .model import Axis

    try:
        return Axis(text).value
    except ValueError:
        raise OfaiError(
            f"unknown strategic axis {quote(text)}; use one of: " + ", ".join(a.value for a in Axis)
        ) from None
