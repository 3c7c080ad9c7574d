"""The notebook entry point: ``ofai_graph.open()`` returns a :class:`Workspace`.

A workspace wraps one store and offers every operation of ofai-graph as a method that resolves names
("Corea", "imct", "IOM") and calls the module function that does the work. The CLI calls the same
methods and only formats what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from . import config, scope
from .cache import RevisionCache
from .dates import MAX_DAYS, DateText, reference_day
from .errors import N_, NotFound, OfaiError
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
from .resolve import Resolver, entity_kind, search
from .results import Results, in_language
from .store import StoreEmpty, open_store
from .store.base import Store, WriteReport
from .strength import PairStrength, StrengthConfig, pair, relationship_graph, top_partners
from .targets import resolve_target
from .text import quote

if TYPE_CHECKING:
    import networkx as nx

    from .changes import Changes
    from .maps import Map
    from .profile import Profile
    from .report import Report
    from .stats import Stats

# What one command does not use, it does not import: the CLI starts a process per command (see
# benchmarks/bench_coldstart.py), so the import of files, importer, maps and the rest waits for a
# method that needs it.


AsOf = dt.date | dt.datetime | str | None  # "2024-03-31", "2024-Q1" (its last day), a date or None


class Answer(BaseModel):
    """The answer to a question asked with :meth:`Workspace.ask`."""

    model_config = ConfigDict(defer_build=True)

    question: str = Field(description="the question as asked")
    language: str = Field(description="the question's language (es or en): the answer's language too")
    action: str = Field(description="what the question asks: connect, strength, show, followups, ...")
    subject: str | None = Field(description="the id of what it asks about (entity, country, kind or tag)")
    result: Any = Field(description="what the library function behind the action returned")


class Workspace:
    """One store and the operations on it.

    >>> import ofai_graph
    >>> ws = ofai_graph.open(":memory:")
    >>> _ = ws.add(ofai_graph.Organization(id="ofai", name="OFAI", kind="home_office"))
    >>> ws.resolve("Ofai")
    'ofai'
    """

    def __init__(self, store: Store, *, as_of: AsOf = None, lang: str | None = None):
        from .i18n import resolve_lang

        self.store = store
        self.default_as_of = self._parse_day(as_of) if as_of is not None else None
        self.lang = resolve_lang(lang)
        self._resolver: Resolver | None = None
        self._resolver_rev = -1
        self._cache = RevisionCache(store)
        # Told before a question sets off a rebuild of the materialized strength (the weights in the
        # configuration file changed, or the store never kept it): given the reason as a sentence in
        # the workspace's language, it returns a context the rebuild runs in (the CLI: a line on
        # stderr and a spinner). None: a RebuildingStrength warning, before the rebuild.
        self.on_rebuild: Callable[[str], AbstractContextManager[object]] | None = None

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
        homes = [s.id for s in self.store.entity_summaries(kinds=[OrgKind.home_office.value])]
        if not homes:
            self._refuse_if_empty()
            raise OfaiError(N_("this store has no home office (an organization of kind home_office); import one"))
        if len(homes) > 1:
            raise OfaiError(
                N_("this store has several home offices ({ids}); pass one explicitly"), ids=", ".join(homes)
            )
        return homes[0]

    def _refuse_if_empty(self) -> None:
        """On an empty store, say where it is and how to fill it, rather than "not found"."""
        counts = self.store.counts()
        if not any(counts[t] for t in ("country", "organization", "person", "interactions")):
            raise StoreEmpty(
                N_(
                    "the store {location} is empty: fill it with `ofai-graph init --seed` "
                    "(the bundled Q1-2024 report) or `ofai-graph import FILE`"
                ),
                location=self.store.location,
            )

    def search(self, text: str, *, limit: int = 20) -> Results:
        return Results(search(self.store, text, limit=limit))

    # -- time ----------------------------------------------------------------------------------------
    @staticmethod
    def _parse_day(value: AsOf) -> dt.date:
        from .dates import parse_day

        try:
            return reference_day(parse_day(value), value)
        except ValueError:
            raise OfaiError(
                N_("as-of date {value!r} is not a date: write YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY"),
                value=str(value),
            ) from None

    def _as_of(self, as_of: AsOf, *, warn: bool = False) -> dt.date:
        """The reference day: ``as_of`` (a date, a datetime or text), else the workspace's, else today.

        With ``warn``, warns (:class:`StaleAsOf`) when the day is long after the newest interaction.
        """
        day = (self.default_as_of or dt.date.today()) if as_of is None else self._parse_day(as_of)
        if warn:
            self._warn_if_stale(day)
        return day

    def staleness(self, as_of: AsOf = None) -> str | None:
        """A one-line warning when ``as_of`` is more than one half-life after the newest interaction.

        Every score has then decayed by more than half, which is why "everything is cold". None otherwise.
        """
        from .i18n import format_date, gettext_for

        day = self._as_of(as_of)
        try:
            home = self.home
        except OfaiError:
            return None
        newest = self._cached(f"newest:{day}", lambda: self._newest(home, day))
        if newest is None or newest > day:
            return None
        half_life = self.strength_config.half_life_days
        if (day - newest).days <= half_life:
            return None
        _ = gettext_for(self.lang)
        return _(
            "the as-of date {as_of} is {days} days after the newest interaction ({newest}), more than one "
            "half-life ({half_life} days): every relationship has lost over half its strength"
        ).format(
            as_of=format_date(day, self.lang),
            days=(day - newest).days,
            newest=format_date(newest, self.lang),
            half_life=f"{half_life:g}",
        )

    def _warn_if_stale(self, as_of: AsOf) -> None:
        import warnings

        message = self.staleness(as_of)
        if message:
            warnings.warn(message, StaleAsOf, stacklevel=4)

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
        """The whole store as the text of a ``yaml``, ``json`` or ``jsonl`` file."""
        return "".join(self.export_pieces(fmt))

    def export_pieces(self, fmt: str = "yaml") -> Iterator[str]:
        """:meth:`export`'s text in pieces, to write as they come: JSON Lines a batch of records at a
        time (a large store is never held whole), YAML and JSON as one piece."""
        from . import files

        if fmt != "jsonl":
            yield files.dumps(self.store.dump(), fmt)
            return
        header = True
        for batch in self.store.iter_export():
            yield "".join(files.jsonl_lines(files.to_plain(batch), header=header))
            header = False
        if header:  # an empty store: the header alone, as before
            yield "".join(files.jsonl_lines({}))

    # -- views ---------------------------------------------------------------------------------------
    def show(self, text: str, *, as_of: AsOf = None, timeline: int | None = None) -> Profile:
        """An entity's profile, with its strength to the home office, tier and degree centrality.

        For a country, the office's relationships with the entities of that country, strongest first.
        ``timeline``: how many of its newest interactions to list (None: all).
        """
        from .profile import profile

        as_of = self._as_of(as_of, warn=True)
        eid = self.resolve(text)
        prof = profile(self.store, eid, as_of=as_of, timeline=timeline)
        try:
            home = self.home
        except OfaiError:
            home = None
        ids = [eid] if home is None else [eid, home]
        members: list[str] = []
        if home and prof.type == "country":
            from .paths import country_members

            members = [m for m in country_members(self.store, eid) if m != home]
        entities = None
        if self._pairs_current():  # only the pairs the profile names, read strongest first
            g = self._show_graph(eid, home, members if prof.type == "country" else None, as_of)
            counts = self.store.counts()
            entities = sum(counts[t] for t in ("country", "organization", "person"))
        else:
            g = self._graph(scope.edges_at(self.store, ids), as_of)
        if home and prof.type == "country":
            rels = sorted((pair(g, home, m) for m in members), key=lambda p: (-p.score, p.b))
            prof.relationships = [p for p in rels if p.score > 0]
            if prof.relationships:
                prof.extra["strength to home office"] = round(prof.relationships[0].score, 3)
                prof.extra["tier"] = prof.relationships[0].tier
            prof.extra["partners"] = len(prof.relationships)
            return prof
        if home and home != eid:
            p = pair(g, home, eid)
            prof.extra["strength to home office"] = round(p.score, 3)
            prof.extra["tier"] = p.tier
        nodes = entities if entities is not None else g.number_of_nodes()  # the whole graph's nodes
        degree = g.graph.get("degree", g.degree(eid) if eid in g else 0)
        if (eid in g or degree) and nodes > 1:
            prof.extra["partners"] = degree
            prof.extra["degree centrality"] = round(degree / (nodes - 1), 4)
        return prof

    def _show_graph(self, eid: str, home: str | None, members: list[str] | None, as_of: dt.date) -> nx.Graph:
        """What :meth:`show` reads of the relationship graph, from the materialized pairs: the office's
        pairs with a country's entities, or every pair of the entity (its degree) and so its pair with
        the office."""
        from .materialize import lazy_graph
        from .profile import partner_count

        g = lazy_graph(self.store, self.strength_config, as_of, [eid] if home is None else [eid, home])
        if members is None:  # the pair with the office, and the degree counted without building edges
            g.graph["degree"] = partner_count(self.store, self.strength_config, as_of, eid)
            if home is None or home == eid:
                return g
        center, among = (home, set(members)) if members is not None and home else (eid, {home})
        ranked = g.graph["neighbours"](center, among, lambda w: True)
        i = 0
        while ranked.at(i) is not None:
            i += 1
        g.graph["complete"](list(g[center]) if members is not None else [])
        return g

    def _newest(self, home: str, day: dt.date) -> dt.date | None:
        """The end of the newest interaction counted as of ``day``; exact when it is more than one
        half-life before ``day`` (else any end within the half-life may stand for it: the warning's
        only question, a few rows on Neo4j where the newest took a window of every interaction)."""
        from .materialize import newest_end

        half_life = int(self.strength_config.half_life_days)
        since = day - dt.timedelta(days=max(0, min(half_life, day.toordinal() - 1)))
        found = newest_end(self.store, day, since)  # an index read where the store has one
        if found is not False:
            return found  # type: ignore[return-value]
        # The graph exact at the home office: the one strength and partners read anyway (on an
        # embedded store, the whole graph), never a whole remote graph just for a warning.
        return _newest(self._graph(scope.edges_at(self.store, [home]), day))

    def stats(self) -> Stats:
        from .stats import stats

        with self.store.snapshot():
            return in_language(stats(self.store), self.lang)

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

    def _rebuild_notice(self) -> AbstractContextManager[object]:
        """Why a question has to rebuild the materialized strength first, said before it starts."""
        import contextlib
        import warnings

        from .i18n import gettext_for
        from .materialize import ops

        _ = gettext_for(self.lang)
        path = self.config_path
        if ops(self.store).stored_config() is None:
            reason = _("no relationship strength is stored yet: computing it for every pair, once")
        elif path is not None and path.is_file():
            reason = _(
                "the strength weights in {file} differ from those the stored relationship strength was "
                "computed with: computing it again for every pair, once"
            ).format(file=path)
        else:
            reason = _(
                "the stored relationship strength was computed with other weights than the default ones: "
                "computing it again for every pair, once"
            )
        if self.on_rebuild is not None:
            return self.on_rebuild(reason)
        warnings.warn(reason, RebuildingStrength, stacklevel=3)  # (the caller of the question)
        return contextlib.nullcontext()

    def rebuild(self) -> int:
        """Recompute every pair's materialized strength from the interactions (``ofai-graph rebuild``);
        the number of pairs."""
        from .materialize import rebuild

        cfg = config.load_strength(self.config_path)
        n = rebuild(self.store, cfg)
        self._materialized = cfg.model_dump_json()
        self._cache.clear()
        return n

    def relationship_graph(self, as_of: AsOf = None, axes: Sequence[str] = ()) -> nx.Graph:
        """The strength-weighted entity graph as of a date (cached until the data changes).

        With ``axes``, only interactions on those strategic axes count (Spanish or English names).
        """
        as_of = self._as_of(as_of)
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
        as_of: AsOf = None,
        explain: bool = False,
        include_own: bool = False,
    ) -> Results:
        """Strongest partners of ``a`` (default: the home office), or the one pair (a, b).

        The home office's own side (its government, that government's units and people; see
        :mod:`ofai_graph.office`) is not among its partners unless ``include_own``; then each
        row says whether it is (``own_side``).
        """
        as_of = self._as_of(as_of, warn=True)
        first = self.resolve(a) if a else self.home
        members = self._country_members(first) if a else None
        if b is None and members is not None:  # "strength Corea": the office's relationships there
            return Results(self._between([self.home], members, top, as_of))
        if b is None:
            own = self.own_side() if not a or first == self.home else set()
            if self._pairs_current():  # the strongest partners first, read until there are enough
                return Results(self._top_from_pairs(first, top, as_of, own, include_own))
            g = self._graph(scope.edges_at(self.store, [first], materialized=self._pairs_current()), as_of)
            # The entity's own staff are not its partners.
            staff = {n for n in g[first] if "affiliation" in g[first][n]["ties"]} if first in g else set()
            own = self.own_side() if not a or first == self.home else set()
            ranked = top_partners(g, first, top=top + len(staff | own))
            rows = [p for p in ranked if p.b not in staff and p.b not in own][:top]
            if include_own:
                # Apart: the top partners, then the top of the office's own side.
                mine = [p for p in top_partners(g, first, top=len(g[first]) if first in g else 0) if p.b in own]
                for p in mine[:top]:
                    p.own_side = True
                rows += mine[:top]
            return Results(rows)
        second = self.resolve(b)
        others = self._country_members(second)
        if members is not None or others is not None:  # a country stands for its entities
            side_a = members if members is not None else [first]
            side_b = others if others is not None else [second]
            return Results(self._between(side_a, side_b, top, as_of))
        if second == first:
            raise OfaiError(
                N_("{a} and {b} both name {id}: a strength is between two different entities"),
                a=quote(a),
                b=quote(b),
                id=second,
            )
        if explain:
            from .strength import explain as explain_pair

            return Results(
                [explain_pair(self.store, first, second, as_of=as_of, config=self.strength_config, lang=self.lang)],
                single=True,
            )
        g = self._graph(scope.edges_at(self.store, [first], materialized=self._pairs_current()), as_of)
        return Results([pair(g, first, second)], single=True)

    def _country_members(self, eid: str) -> list[str] | None:
        """The entities a country stands for (:func:`ofai_graph.targets.country_members`); None if
        ``eid`` is not a country."""
        from .targets import country_members

        summary = next(iter(self.store.entity_summaries(ids=[eid])), None)
        if summary is None or summary.type != "country":
            return None
        return country_members(self.store, eid)

    def _between(self, side_a: list[str], side_b: list[str], top: int, as_of: dt.date) -> list[PairStrength]:
        """The ``top`` strongest relationships between an entity of ``side_a`` and one of ``side_b``
        (a country's entities: "strength Corea Japón"), each with its names."""
        if len(side_a) == 1 and self._pairs_current():  # one entity's pairs, strongest first, read lazily
            from .materialize import lazy_graph

            first, wanted_b = side_a[0], set(side_b) - {side_a[0]}
            lazy = lazy_graph(self.store, self.strength_config, as_of, [first])
            ranked = lazy.graph["neighbours"](first, wanted_b, lambda w: True)
            ids: list[str] = []
            while len(ids) < top and (item := ranked.at(len(ids))) is not None:
                ids.append(item[1])
            lazy.graph["complete"]([first, *ids])
            rows = [pair(lazy, first, w) for w in ids]
            for p in rows:
                p.a_name = lazy.nodes[first].get("name")
            rows.sort(key=lambda p: (-p.score, p.a, p.b))
            return rows
        g = self._graph(scope.edges_at(self.store, side_a, materialized=self._pairs_current()), as_of)
        wanted = set(side_b)
        found: dict[frozenset[str], tuple[str, str]] = {}
        for u in side_a:
            for v in g.adj.get(u, {}):
                if v in wanted and v != u:
                    found.setdefault(frozenset((u, v)), (u, v))
        rows = [pair(g, u, v) for u, v in found.values()]
        for p in rows:
            p.a_name = g.nodes[p.a].get("name") if p.a in g else None
        rows.sort(key=lambda p: (-p.score, p.a, p.b))
        return rows[:top]

    def _top_from_pairs(
        self, first: str, top: int, as_of: dt.date, own: set[str], include_own: bool
    ) -> list[PairStrength]:
        """:meth:`strength`'s top partners read from the materialized pairs, strongest first, only as
        far as needed (:class:`ofai_graph.materialize.Neighbours`)."""
        from .materialize import lazy_graph

        lazy = lazy_graph(self.store, self.strength_config, as_of, [first], light=True)
        ranked = lazy.graph["neighbours"](first, None, lambda w: w not in own)
        partners: list[str] = []
        i = 0
        while len(partners) < top and (item := ranked.at(i)) is not None:
            i += 1
            # The entity's own staff are not its partners.
            if "affiliation" not in lazy[first][item[1]]["ties"]:
                partners.append(item[1])
        mine: list[str] = []
        if include_own and own:
            # Apart: the top partners, then the top of the office's own side.
            ranked_own = lazy.graph["neighbours"](first, own, lambda w: True)
            while len(mine) < top and (item := ranked_own.at(len(mine))) is not None:
                mine.append(item[1])
        lazy.graph["complete"](partners + mine)
        rows = [pair(lazy, first, w) for w in partners]
        for w in mine:
            p = pair(lazy, first, w)
            p.own_side = True
            rows.append(p)
        return rows

    def connect(
        self,
        target: str,
        *,
        source: str | None = None,
        k: int = 5,
        max_hops: int = 4,
        avoid: Sequence[str] = (),
        via_kinds: Sequence[str] = (),
        as_of: AsOf = None,
    ) -> Connection:
        """Referral paths from the home office (or ``source``) to an entity, a country or a tag."""
        as_of = self._as_of(as_of, warn=True)
        src = self.resolve(source) if source else self.home
        tgt = resolve_target(self.store, target, self.resolver, self.lang)
        options = {
            "k": k,
            "max_hops": max_hops,
            "avoid": [self.resolve(x) for x in avoid],
            "via_kinds": [entity_kind(k) for k in via_kinds] or None,
            "lang": self.lang,
        }
        if self._pairs_current():  # edges read only around the entities the search expands
            from .materialize import lazy_graph

            g = lazy_graph(
                self.store,
                self.strength_config,
                as_of,
                [src, *tgt.ids],
                summaries=bool(options["via_kinds"]),
                light=True,  # (no networkx algorithm runs on it: networkx is not even imported)
            )
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

    def _graph(self, sc: scope.Scope, as_of: AsOf, axes: Sequence[str] = ()) -> nx.Graph:
        """The relationship graph a :class:`~ofai_graph.scope.Scope` asks for (cached like the whole one)."""
        if sc.around is None:
            return self.relationship_graph(as_of, axes)
        as_of = self._as_of(as_of)
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
        as_of: AsOf = None,
        status: FollowUpStatus | None = FollowUpStatus.open,
        top: int | None = None,
    ) -> Results:
        """Follow-ups as asked, soonest due first; the first ``top`` (``.total`` says how many match)."""
        if due_within is not None and not 0 <= due_within <= MAX_DAYS:
            raise OfaiError(
                N_("due within {days} days: use a number of days from 0 to {most}"), days=due_within, most=MAX_DAYS
            )
        from .followups import count_followups, list_followups

        query = {
            "as_of": self._as_of(as_of),
            "status": status,
            "overdue": overdue,
            "due_within": due_within,
            "owner": self.resolve(owner) if owner else None,
            "partner": self.resolve(partner) if partner else None,
        }
        rows = list_followups(self.store, **query, limit=top)  # type: ignore[arg-type]
        total = count_followups(self.store, **query) if top is not None and len(rows) == top else None  # type: ignore[arg-type]
        return Results(rows, total=total)

    def close_followup(
        self, followup_id: str, *, note: str | None = None, cancelled: bool = False, on: dt.date | None = None
    ) -> FollowUp:
        from .followups import close_followup

        status = FollowUpStatus.cancelled if cancelled else FollowUpStatus.done
        if on is not None and on > dt.date.today():
            raise OfaiError(
                N_("{day} is in the future: a follow-up is closed on the day it was, today or before"), day=DateText(on)
            )
        return close_followup(self.store, followup_id, status=status, note=note, on=on)

    def dormant(
        self,
        *,
        days: int = 0,
        as_of: AsOf = None,
        top: int = 20,
        include_own: bool = False,
    ) -> Results:
        """Partners going cold (see :func:`ofai_graph.followups.dormant`); the own side only with ``include_own``."""
        if not 0 <= days <= MAX_DAYS:
            raise OfaiError(N_("{days} days: use a number of days from 0 to {max}"), days=days, max=MAX_DAYS)
        from .followups import dormant

        day = self._as_of(as_of, warn=True)
        return Results(
            dormant(
                self.store,
                self.home,
                as_of=day,
                config=self.strength_config,
                top=top,
                own=self.own_side(),
                include_own=include_own,
                days=days,
            )
        )

    def own_side(self) -> set[str]:
        """The office's own side: its government, that government's units, their people (see :mod:`ofai_graph.office`)."""
        from .office import own_side

        return self._cached("own-side", lambda: own_side(self.store, self.home))

    def brokers(self, *, top: int = 10, as_of: AsOf = None) -> Results:
        """Entities that bridge groups (see :mod:`ofai_graph.structure`): in the whole graph, or on a
        store of more than ``WHOLE_LIMIT`` entities in the office's network of its strongest partners."""
        from .structure import WHOLE_LIMIT, brokers, office_network

        day = self._as_of(as_of, warn=True)
        counts = self.store.counts()
        if sum(counts[t] for t in ("country", "organization", "person")) > WHOLE_LIMIT and self._pairs_current():
            return Results(brokers(office_network(self.store, self.strength_config, day, self.home), top=top))
        return Results(brokers(self._graph(scope.WHOLE, day), top=top))

    def map(self, **options: Any) -> Map:
        """A network map (see :mod:`ofai_graph.maps`): ``.save(path)`` as html, svg, png or pdf, or
        show it in Jupyter.

        Options: ``focus``/``hops``, ``path_to`` (routes drawn on top; ``only_routes``), ``kinds``,
        ``countries``, ``axes`` (relationships built on those strategic axes; explicit ties always
        show; routes are still found on all the evidence), ``since``/``until``, ``min_strength``,
        ``redact_people``, ``title``, ``as_of``, ``lang``, ``color_by`` (kind, community, tier,
        axis), ``presentation``, ``physics``, ``timeline`` (the quarter slider, default on),
        ``all_ties`` (every tie, not the backbone a dense map draws: see :mod:`ofai_graph.maps.backbone`).
        """
        from .maps import workspace_map

        # The workspace's date (text or date, warned about when stale) and language are the defaults.
        options["as_of"] = self._as_of(options.get("as_of"), warn=True)
        options.setdefault("lang", self.lang)
        return workspace_map(self, **options)

    def ask(self, question: str, *, as_of: AsOf = None, lang: str | None = None) -> Answer:
        """Answer a question asked in Spanish or English (see :mod:`ofai_graph.ask`).

        Raises :class:`ofai_graph.ask.NotUnderstood` (an :class:`OfaiError` whose message is in the
        question's language and lists the closest questions understood) when the words ask for
        nothing known. ``lang`` is the language assumed when the words do not tell.
        """
        from .ask import answer

        # No warning here: the function the question asks for warns if the date matters to it.
        return answer(self, question, as_of=self._as_of(as_of), lang=lang or self.lang)

    def partners(self, where: str, *, as_of: AsOf = None) -> Results:
        """The office's partners in a country, of a kind or with a tag, strongest first (see :mod:`ofai_graph.partners`)."""
        from .partners import partners

        return Results(partners(self, where, as_of=self._as_of(as_of, warn=True)))

    def last_contact(self, text: str, *, as_of: AsOf = None) -> Any:
        """The latest interaction between the office and an entity (or any entity of a country)."""
        from .partners import last_contact

        return last_contact(self, text, as_of=self._as_of(as_of, warn=True))

    def _question_names(self) -> Any:
        """What the words of a question can name in this store (see :class:`ofai_graph.ask.Names`)."""
        from .ask import Names

        def build() -> Names:
            resolver = self.resolver
            tags = set(self.store.tagged())
            summaries: dict[str, Any] = {}

            def describe(eid: str) -> tuple[str, str]:
                # Read for the entities a question names, not for every entity of the store.
                if eid not in summaries:
                    summaries.update((s.id, s) for s in self.store.entity_summaries([eid]))
                s = summaries.get(eid)
                if s is None:
                    return "entity", eid
                return ("country" if s.type == "country" else "entity"), s.name

            return Names(
                exact=resolver.exact,
                rows=lambda: [(r.entity_id, r.label) for r in resolver._all_rows()],
                describe=describe,
                tags=tags,
            )

        return self._cached("question-names", build)

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

    # -- the quarterly cycle -------------------------------------------------------------------------
    def changes(
        self,
        *,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        quarter: str | None = None,
        top: int = 10,
    ) -> Changes:
        """What changed in a quarter (``"2024-Q1"``) or between two dates (see :mod:`ofai_graph.changes`)."""
        from .changes import changes, window

        w = window(since=since, until=until, quarter=quarter)
        try:
            home: str | None = self.home
        except OfaiError:
            home = None
        graphs = (self.relationship_graph(w.since - dt.timedelta(days=1)), self.relationship_graph(w.until))
        return changes(self.store, w, home=home, graphs=graphs, top=top)

    def report(self, quarter: str, *, lang: str = "es", include_map: bool = True) -> Report:
        """The quarter's "Informe de gestión" from the store (see :mod:`ofai_graph.report`)."""
        from .report import build_report

        return build_report(self, quarter=quarter, lang=lang, include_map=include_map)


def open(
    path: str | Path | None = None,
    *,
    create: bool = False,
    backend: str | None = None,
    as_of: AsOf = None,
    lang: str | None = None,
    **options: Any,
) -> Workspace:
    """Open a store and return a :class:`Workspace` on it.

    ``path`` is a file, ``sqlite:///file``, ``:memory:`` (a throw-away store) or a server address
    (``bolt://``, ``neo4j://``, ``neo4j+s://``; ``user=``, ``password=``, ``database=`` or the
    ``NEO4J_*`` variables), as :func:`ofai_graph.store.open_store` takes it. A store that does not
    exist is an error (a typo must not start an empty store) unless ``create=True``. With no
    arguments: the embedded store at ``$OFAI_GRAPH_DB`` or the user data directory.

    ``as_of`` is the default reference date of every operation (a date, a datetime or text such as
    ``"2024-Q1"``, its last day); ``lang`` the language of the texts the library writes (``es`` or
    ``en``; default from ``OFAI_GRAPH_LANG`` or the locale).

    >>> import ofai_graph
    >>> ofai_graph.open(":memory:").stats().counts["interactions"]
    0
    """
    return Workspace(open_store(path, create=create, backend=backend, **options), as_of=as_of, lang=lang)


def _one_snapshot(method: Any) -> Any:
    """Run a read operation in one read transaction of the store (``Store.snapshot``): its many
    queries see one state, whatever an import commits meanwhile."""
    import functools

    @functools.wraps(method)
    def reads_once(self: Workspace, *args: Any, **kwargs: Any) -> Any:
        with self.store.snapshot():
            if not self._pairs_stale():
                return _shown(self, method(self, *args, **kwargs))
        with self._rebuild_notice():
            self.rebuild()  # a write: outside the read transaction, then the reads
        with self.store.snapshot():
            return _shown(self, method(self, *args, **kwargs))

    return reads_once


def _shown(ws: Workspace, result: Any) -> Any:
    """``result`` marked to show (in a notebook) in the workspace's language, an answer in its question's."""
    if isinstance(result, Answer):
        in_language(result.result, result.language)
        return result
    return in_language(result, ws.lang)


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
    "partners",
    "last_contact",
    "export_to",
):
    setattr(Workspace, _name, _one_snapshot(getattr(Workspace, _name)))


class RebuildingStrength(UserWarning):
    """A question rebuilds the materialized strength first: the weights changed, or it was never stored."""


class StaleAsOf(UserWarning):
    """The as-of date is more than one half-life after the newest interaction in the store."""


def _newest(g: nx.Graph) -> dt.date | None:
    """The end of the newest interaction counted in a relationship graph."""
    lasts = [d["last"] for _, _, d in g.edges(data=True) if d.get("last") is not None]
    return max(lasts, default=None)


def _axis(text: str) -> str:
    """An axis code from its code or its Spanish or English name (``"Cooperación internacional"``)."""
    from .model import Axis

    try:
        return Axis(text).value
    except ValueError:
        raise OfaiError(
            N_("unknown strategic axis {axis!r}; use one of: {choices}"),
            axis=text,
            choices=", ".join(a.value for a in Axis),
        ) from None
