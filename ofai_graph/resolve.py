"""Finding entities the way people name them: ids, names, aliases, acronyms and near-misses.

Exact matches come first (accent-, case- and punctuation-insensitive, over ids, names, aliases and
CLDR country names); then fuzzy matching with rapidfuzz. A name that fits several entities equally
well is reported as ambiguous with its candidates instead of being guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from .errors import Ambiguous, NotFound
from .model import EntityModel
from .results import Result, Shown
from .store.base import NameRow, Store, entity_names
from .text import fold_key

ACCEPT = 88.0  # a fuzzy match this good is taken...
MARGIN = 6.0  # ...when the next entity scores at least this much lower
CONSIDER = 72.0  # below this a fuzzy match is only a suggestion
SUGGEST_TYPO = 85.0  # Jaro-Winkler of a whole name: "Jika" for "JICA" (86.7), not "Koica" (78.3)
SUGGEST_WORDS = 85.0  # combined score of a name holding every word of the query
MIN_FUZZY = 3  # a query shorter than this (letters and digits) must match exactly: "A" names nothing
# Words that carry no identity: "Secretaría de Salud" must not stand in for "... de Santander" because
# they share "de", and a query may leave these out.
_FILLER = frozenset("de del la las los el en y e o a al para por con sin the of and for in on at to".split())


class SearchHit(Result):
    id: str
    """The entity's id."""
    name: str
    """Its name."""
    type: Annotated[str, Shown("EntityType")]
    """organization, person or country."""
    kind: Annotated[str, Shown("EntityKind")]
    """Its kind (code)."""
    score: float
    """How well it matches, 0 to 100."""
    matched: str
    """The name or alias that matched."""


class Resolver:
    """Resolves names against a store plus, optionally, entities about to be written to it.

    >>> from ofai_graph.store import open_store
    >>> from ofai_graph.model import Dataset, Organization
    >>> store = open_store(":memory:")
    >>> _ = store.write(Dataset(organizations=[Organization(id="oim", name="Organización Internacional para las Migraciones", aliases=["OIM", "IOM"], kind="multilateral")]))
    >>> Resolver(store).resolve("iom")
    'oim'
    """

    def __init__(self, store: Store | None, extra: Iterable[EntityModel] = ()):
        self._store = store
        self._extra: dict[str, EntityModel] = {e.id: e for e in extra}
        # Folded names of ``extra``, made on the first look-up by name: an import whose references
        # are all ids never needs them (folding 300,000 names took 3 s).
        self._folded: dict[str, set[str]] | None = None
        self._rows: list[NameRow] | None = None
        self._by_entity: dict[str, list[str]] | None = None
        self._names: dict[str, str] = {}

    def exact(self, text: str) -> list[str]:
        key = fold_key(text)
        if not key:
            return []
        ids = set(self._extra_keys.get(key, ()))
        if self._store is not None:
            ids.update(self._store.find_by_key(key))
        return sorted(ids)

    @property
    def _extra_keys(self) -> dict[str, set[str]]:
        if self._folded is None:
            self._folded = {}
            for e in self._extra.values():
                for n in entity_names(e):
                    self._folded.setdefault(fold_key(n), set()).add(e.id)
        return self._folded

    def _all_rows(self) -> list[NameRow]:
        if self._rows is None:
            rows = list(self._store.name_rows()) if self._store is not None else []
            rows += [NameRow(e.id, n) for e in self._extra.values() for n in entity_names(e)]
            self._rows = rows
        return self._rows

    def _labels(self, entity_id: str) -> list[str]:
        """Every name of one entity (its id, name and aliases)."""
        if self._by_entity is None:
            self._by_entity = {}
            for row in self._all_rows():
                self._by_entity.setdefault(row.entity_id, []).append(row.label)
        return self._by_entity.get(entity_id, [])

    def scored(self, text: str, limit: int = 10, cutoff: float = 50.0) -> list[tuple[str, float, str]]:
        """Entities ranked by their best-matching name: ``(id, score 0-100, matched name)``."""
        from rapidfuzz import fuzz, process

        rows = self._all_rows()
        query = fold_key(text)
        # Codes and other names under four letters are matched exactly or not at all: fuzzily, "co"
        # would match inside every longer word.
        pairs = [(fold_key(r.label), r) for r in rows]
        pairs = [(k, r) for k, r in pairs if len(k) >= 4]
        keys = [k for k, _ in pairs]
        best: dict[str, tuple[float, str]] = {}
        # WRatio's partial token matching scores any shared "de" as a perfect match, so combine
        # plain, token-set and partial similarity with weights instead.
        for scorer, weight in ((fuzz.ratio, 1.0), (fuzz.token_set_ratio, 0.95), (fuzz.partial_ratio, 0.9)):
            for _, score, idx in process.extract(
                query, keys, scorer=scorer, limit=limit * 8, score_cutoff=cutoff / weight
            ):
                row = pairs[idx][1]
                short, long_ = sorted((len(query), len(keys[idx])))
                if scorer is fuzz.partial_ratio and short < 0.5 * long_:
                    continue  # a fragment inside a much longer name is no evidence
                score *= weight
                if score > best.get(row.entity_id, (-1.0, ""))[0]:
                    best[row.entity_id] = (score, row.label)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
        return [(eid, round(s, 1), label) for eid, (s, label) in ranked]

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Ids of the entities ``text`` most likely misspells or shortens, for "did you mean"; none for
        a name unlike any (``"Narnia"``), so that a suggestion is worth reading.

        A suggestion is either a typo of a whole name or alias (Jaro-Winkler, see
        :data:`ofai_graph.text.SIMILAR`: "Jika", "imtc", "Cideuu"), or a close match whose every word
        is in the name ("Agencia Presidencial de Cooperacion"), or all but one of at least three
        ("Cámara de Comercio de Pamplona" shows the chambers; "Gobierno de Japón" shows no other
        government); and no more than :data:`MARGIN` * 2 below the best one, so that a clear typo
        does not bring its neighbours along.
        """
        from rapidfuzz import fuzz
        from rapidfuzz.distance import JaroWinkler

        query = fold_key(text)
        if len(query.replace(" ", "")) < MIN_FUZZY:
            return []
        found: list[tuple[str, float]] = []
        for eid, score, label in self.scored(text, limit=10):
            name = fold_key(label)
            typo = (
                JaroWinkler.normalized_similarity(query, name) * 100 >= SUGGEST_TYPO
                and fuzz.ratio(query, name) >= 70
                and (" " not in query or _covers(text, label))
            )
            found_words, missing = _word_match(text, label)
            if typo or (score >= SUGGEST_WORDS and (missing == 0 or (missing == 1 and found_words >= 2))):
                found.append((eid, score))
        if not found:
            return []
        best = max(s for _, s in found)
        return [eid for eid, s in found if best - s <= 2 * MARGIN][:limit]

    def label(self, entity_id: str) -> str:
        if entity_id in self._extra:
            e = self._extra[entity_id]
            return f"{e.name} ({e.id})"
        if self._store is not None:
            found = self._store.get_entities([entity_id])
            if entity_id in found:
                return f"{found[entity_id].name} ({entity_id})"
        return entity_id

    def resolve(self, text: str) -> str:
        """The id of the one entity ``text`` names; raises :class:`Ambiguous` or :class:`NotFound`."""
        text = text.strip()
        if not text:
            raise NotFound(text)
        ids = self.exact(text)
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            if text in ids:
                return text
            raise Ambiguous(text, [self.label(i) for i in ids])
        if len(fold_key(text).replace(" ", "")) < MIN_FUZZY:
            raise NotFound(text)
        ranked = self.scored(text)
        if ranked:
            top = ranked[0][1]
            second = ranked[1][1] if len(ranked) > 1 else 0.0
            # The words may be those of another of its names: "Red de Mercociudades" scores best on the
            # id "mercociudades" and is covered by the alias "Red Mercociudades".
            if top >= ACCEPT and top - second >= MARGIN and any(_covers(text, n) for n in self._labels(ranked[0][0])):
                return ranked[0][0]
            close = [eid for eid, s, _ in ranked if s >= CONSIDER and top - s < MARGIN]
            if len(close) > 1:
                raise Ambiguous(text, [self.label(i) for i in close])
        raise NotFound(text, [self.label(eid) for eid in self.suggest(text)])


def _word_match(query: str, name: str) -> tuple[int, int]:
    """How many meaningful words of ``query`` are in ``name`` (give or take a typo), and how many are not."""
    from rapidfuzz import fuzz

    words = [w for w in fold_key(name).split() if w not in _FILLER]
    tokens = [t for t in fold_key(query).split() if t not in _FILLER]
    found = sum(1 for t in tokens if any(fuzz.ratio(t, w) >= 80 for w in words))
    return found, len(tokens) - found


def _covers(query: str, name: str) -> bool:
    """Every word of ``query`` that carries meaning is in ``name``, give or take a typo.

    Token-set similarity scores "Cámara de Comercio de Pamplona" 90 against "Cámara de Comercio e
    Industria de Panamá", and a one-word query 100 against any name containing it: a close score
    alone would attach a name to an organization it does not name. A query may leave words out
    ("hacienda" for "Secretaría de Hacienda"), but every word it has must be there.
    """
    from rapidfuzz import fuzz

    words = [w for w in fold_key(name).split() if w not in _FILLER]
    for token in fold_key(query).split():
        if token in _FILLER:
            continue
        if not any(fuzz.ratio(token, w) >= 80 for w in words):
            return False
    return True


def entity_kind(text: str) -> str:
    """The code of an entity kind (an organization's kind, ``person`` or ``country``) from its code
    or its English or Spanish label, accents and case aside; :class:`UnknownValue` lists the kinds.

    >>> entity_kind("cámara de comercio"), entity_kind("Persona"), entity_kind("multilateral")
    ('chamber_of_commerce', 'person', 'multilateral')
    """
    from .labels import LABELS
    from .model import OrgKind

    key = fold_key(text)
    try:
        return OrgKind(text).value
    except ValueError:
        pass
    table = {**LABELS["OrgKind"], **LABELS["EntityType"]}
    for code, names in table.items():
        if key in (fold_key(code), *(fold_key(n) for n in names)):
            return code
    from .errors import N_, Label, Listed, UnknownValue
    from .text import closest, quote

    vocab = {code: ("EntityType" if code in LABELS["EntityType"] else "OrgKind") for code in table}
    by_name = {n: c for c, pair in table.items() for n in (c.replace("_", " "), *pair)}
    near = closest(text, by_name)
    if near is not None:
        code = by_name[near]
        raise UnknownValue(
            N_("{value} is not a kind of entity; did you mean '{suggestion}'?"),
            value=quote(text),
            suggestion=Label(vocab[code], code),
        )
    raise UnknownValue(
        N_("{value} is not a kind of entity; kinds are: {kinds}"),
        value=quote(text),
        kinds=Listed(Label(v, code) for code, v in vocab.items()),
    )


def search(store: Store, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Entities whose id, name or alias matches ``text``, best first (accent-insensitive, fuzzy).

    >>> from ofai_graph.store import open_store
    >>> from ofai_graph.model import Dataset, Organization
    >>> store = open_store(":memory:")
    >>> _ = store.write(Dataset(organizations=[Organization(id="imct", name="Instituto Municipal de Cultura y Turismo", aliases=["IMCT"], kind="decentralized_entity")]))
    >>> [h.id for h in search(store, "cultura turismo")]
    ['imct']
    """
    resolver = Resolver(store)
    exact = resolver.exact(text)
    scored = {eid: (s, label) for eid, s, label in resolver.scored(text, limit=limit, cutoff=60.0)}
    for eid in exact:
        scored[eid] = (100.0, text)
    query = fold_key(text)
    for row in resolver._all_rows():
        if query and query in fold_key(row.label) and row.entity_id not in scored:
            scored[row.entity_id] = (75.0, row.label)
    summaries = store.get_entities(scored)
    hits = []
    for eid, (score, label) in scored.items():
        e = summaries.get(eid)
        if e is None:
            continue
        kind = e.kind if isinstance(e.kind, str) else e.kind.value
        hits.append(SearchHit(id=eid, name=e.name, type=e.type, kind=kind, score=score, matched=label))
    hits.sort(key=lambda h: (-h.score, h.name))
    return hits[:limit]
