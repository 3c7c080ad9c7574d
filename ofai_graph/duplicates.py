"""Likely duplicate entities: the same partner entered twice under two names.

Evidence, strongest first: two entities share a name or alias (accents, case and punctuation
aside); one's acronym is the other's ("OIM" and "Organización Internacional para las
Migraciones", or an acronym in parentheses, "Oficina Asesora ... (OFAI)"); their names are close
(rapidfuzz over every name and alias, after accent folding). Same kind and a shared country support
a pair; a different kind or no country in common counts against it. People are compared with
people and organizations with organizations; countries never (their ids are ISO codes).

Candidates are found through the rarer words of their names, not by comparing every pair, so a
100,000-entity store is checked in seconds.

>>> from ofai_graph.store.sqlite import SQLiteStore
>>> from ofai_graph.model import Dataset, Organization
>>> store = SQLiteStore(":memory:")
>>> _ = store.write(Dataset(organizations=[
...     Organization(id="oim", name="Organización Internacional para las Migraciones", kind="multilateral"),
...     Organization(id="oim-2", name="OIM", kind="multilateral")]))
>>> [(d.a, d.b, d.score) for d in find_duplicates(store)]
[('oim', 'oim-2', 92.0)]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .labels import label
from .model import EntityModel
from .store.base import Store
from .text import fold, fold_key

STOPWORDS = frozenset(
    "de del la las el los y e para por en a al the of and for in to on at su sus con".split()
)
_PARENS = re.compile(r"\(([^()]+)\)")
# The same body's acronym in Spanish and English: fuzzy matching cannot know that OIM is IOM.
EQUIVALENT_ACRONYMS = [
    ("oim", "iom"), ("bid", "idb"), ("onu", "un"), ("oea", "oas"), ("pnud", "undp"), ("ocde", "oecd"),
    ("oit", "ilo"), ("oms", "who"), ("ops", "paho"), ("acnur", "unhcr"), ("cepal", "eclac"),
    ("bm", "wb"), ("ue", "eu"), ("omc", "wto"), ("fmi", "imf"), ("pma", "wfp"), ("onudi", "unido"),
    ("ied", "fdi"), ("unesco", "unesco"),
]  # fmt: skip
_CANON = {a: b for b, *rest in EQUIVALENT_ACRONYMS for a in (b, *rest)}
COMMON = 200  # a word in more names than this is no evidence (blocking only)


@dataclass(frozen=True)
class Duplicate:
    """Two entities that are probably one, with the score (0-100) and the reasons, in words."""

    a: str
    a_name: str
    b: str
    b_name: str
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Names:
    id: str
    type: str
    kind: str
    name: str
    countries: frozenset[str]
    keys: set[str]  # folded names and aliases
    acronyms: set[str]  # from parentheses and short all-caps names
    initials: set[str]  # initials of the long names


def acronym_of(name: str) -> str:
    """The initials of a name's significant words: "Organización Internacional para las Migraciones" -> "oim"."""
    words = [w for w in fold_key(name).split() if w not in STOPWORDS]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def names_of(e: EntityModel) -> _Names:
    raw = [e.name, *getattr(e, "aliases", ())]
    keys: set[str] = set()
    acronyms: set[str] = set()
    initials: set[str] = set()
    for n in raw:
        k = fold_key(n)
        if k:
            keys.add(k)
        for inner in _PARENS.findall(n):
            if fold_key(inner):
                acronyms.add(fold_key(inner))
        outer = fold_key(_PARENS.sub(" ", n))
        if outer and outer != k:
            keys.add(outer)
        compact = n.replace(".", "").strip()
        if 2 <= len(compact) <= 8 and compact.isupper() and " " not in compact:
            acronyms.add(fold_key(compact))
        a = acronym_of(_PARENS.sub(" ", n))
        if len(a) >= 3:
            initials.add(a)
    acronyms = {_CANON.get(a, a) for a in acronyms}
    initials = {_CANON.get(a, a) for a in initials}
    kind = e.kind if isinstance(e.kind, str) else e.kind.value
    return _Names(e.id, e.type, kind, e.name, frozenset(e.countries), keys, acronyms, initials)


def _tokens(n: _Names) -> set[str]:
    out = {w for k in n.keys for w in k.split() if len(w) >= 4 and w not in STOPWORDS}
    out |= {"#" + a for a in n.acronyms | n.initials}
    out |= {"=" + k for k in n.keys}
    return out


def _strip(key: str, common: frozenset[str]) -> str:
    return " ".join(w for w in key.split() if w not in common and w not in STOPWORDS)


def common_words(items: Iterable[_Names]) -> frozenset[str]:
    """Words in so many names that sharing them says little ("secretaria", "camara", "bucaramanga")."""
    items = list(items)
    df: dict[str, int] = defaultdict(int)
    for n in items:
        for w in {w for k in n.keys for w in k.split()}:
            df[w] += 1
    limit = max(3, len(items) // 500)
    return frozenset(w for w, c in df.items() if c >= limit)


_REASONS = {
    "same_name": ("mismo nombre o alias «{0}»", "same name or alias '{0}'"),
    "acronym": ("«{0}» es la sigla del nombre de la otra", "'{0}' is the acronym of the other's name"),
    "same_acronym": ("misma sigla «{0}»", "same acronym '{0}'"),
    "similar": ("nombres parecidos «{0}» / «{1}» ({2})", "similar names '{0}' / '{1}' ({2})"),
    "same_kind": ("mismo tipo ({0})", "same kind ({0})"),
    "other_kind": ("tipos distintos ({0} / {1})", "different kinds ({0} / {1})"),
    "same_country": ("mismo país ({0})", "same country ({0})"),
    "no_country": ("ningún país en común", "no country in common"),
}


def _say(lang: str, key: str, *args: object) -> str:
    es, en = _REASONS[key]
    return (es if lang == "es" else en).format(*args)


def score_pair(
    x: _Names, y: _Names, common: frozenset[str] = frozenset(), lang: str = "en"
) -> tuple[float, list[str]]:
    """How likely ``x`` and ``y`` are one entity (0-100) and why.

    Names are compared without ``common`` words: "Secretaría de Educación" and "Secretaría de
    Planeación" differ in the only words that tell them apart.
    """
    from rapidfuzz import fuzz

    reasons: list[str] = []
    shared = sorted(x.keys & y.keys)
    if shared:
        base = 100.0
        reasons.append(_say(lang, "same_name", shared[0]))
    elif (x.acronyms | x.keys) & y.initials or (y.acronyms | y.keys) & x.initials:
        base = 92.0
        hit = sorted(((x.acronyms | x.keys) & y.initials) or ((y.acronyms | y.keys) & x.initials))[0]
        reasons.append(_say(lang, "acronym", hit.upper()))
    elif x.acronyms & y.acronyms:
        base = 90.0
        reasons.append(_say(lang, "same_acronym", sorted(x.acronyms & y.acronyms)[0].upper()))
    else:
        best, pair = 0.0, ("", "")
        for kx in x.keys:
            for ky in y.keys:
                if min(len(kx), len(ky)) < 4:
                    continue
                sx, sy = _strip(kx, common), _strip(ky, common)
                if sx and sy:
                    s = max(fuzz.ratio(sx, sy), 0.95 * fuzz.token_sort_ratio(sx, sy))
                elif not sx and not sy:
                    s = fuzz.ratio(kx, ky) - 10  # nothing but common words: weak evidence
                else:
                    continue
                if s > best:
                    best, pair = s, (kx, ky)
        if best == 0.0:
            return 0.0, []
        base = round(best, 1)
        reasons.append(_say(lang, "similar", pair[0], pair[1], f"{base:.0f}"))
    score = base
    if x.type == "organization":
        if x.kind == y.kind:
            reasons.append(_say(lang, "same_kind", label("OrgKind", x.kind, lang)))
        else:
            score -= 8
            reasons.append(
                _say(lang, "other_kind", label("OrgKind", x.kind, lang), label("OrgKind", y.kind, lang))
            )
    if x.countries and y.countries:
        both = sorted(x.countries & y.countries)
        if both:
            reasons.append(_say(lang, "same_country", ", ".join(both)))
        else:
            score -= 8
            reasons.append(_say(lang, "no_country"))
    return max(0.0, min(100.0, round(score, 1))), reasons


def _candidates(items: Sequence[_Names]) -> Iterable[tuple[int, int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for i, n in enumerate(items):
        for t in _tokens(n):
            index[t].append(i)
    seen: set[tuple[int, int]] = set()
    for token, members in index.items():
        if len(members) < 2 or (len(members) > COMMON and not token.startswith(("#", "="))):
            continue
        for ai in range(len(members)):
            for bi in range(ai + 1, len(members)):
                a, b = members[ai], members[bi]
                if (a, b) not in seen:
                    seen.add((a, b))
                    yield a, b


def find_duplicates(
    store: Store,
    *,
    min_score: float = 85.0,
    entities: Iterable[EntityModel] | None = None,
    lang: str = "en",
) -> list[Duplicate]:
    """Pairs of entities that are likely the same, best first (score ≥ ``min_score``)."""
    if entities is None:
        summaries = [s.id for s in store.entity_summaries() if s.type != "country"]
        entities = store.get_entities(summaries).values()
    items = [names_of(e) for e in entities if e.type != "country"]
    common = common_words(items)
    out: list[Duplicate] = []
    for a, b in _candidates(items):
        x, y = items[a], items[b]
        if x.type != y.type:
            continue
        score, reasons = score_pair(x, y, common, lang)
        if score >= min_score:
            first, second = sorted((x, y), key=lambda n: n.id)
            out.append(Duplicate(first.id, first.name, second.id, second.name, score, reasons))
    out.sort(key=lambda d: (-d.score, d.a, d.b))
    return out


# -- matching an import's entities to stored ones ----------------------------------------------


@dataclass(frozen=True)
class Match:
    """An entity of an import file taken to be one already in the store."""

    file_id: str
    file_name: str
    store_id: str
    store_name: str
    score: float
    reasons: list[str]
    where: str


def match_records(
    store: Store, records: Sequence[Any], *, min_score: float = 90.0, lang: str = "en"
) -> tuple[list[Any], list[Match]]:
    """Entities of ``records`` (import records) that match a stored entity under another id.

    A file entity whose id is not in the store is matched when one stored entity of the same type
    shares a name or alias with it, has it as acronym, or scores at least ``min_score``
    (:func:`score_pair`) — and no second stored entity scores as well. Matched records are left
    out and every reference to their id, name or aliases is rewritten to the stored id. Returns
    the records to import and the matches, for the report.
    """
    from .model import Organization, Person

    models = {"organizations": Organization, "people": Person}
    file_entities = [
        r for r in records if r.section in models and isinstance(r.data, dict) and "id" in r.data
    ]
    if not file_entities:
        return list(records), []
    present = store.get_entities([str(r.data["id"]) for r in file_entities])
    stored_ids = [s.id for s in store.entity_summaries() if s.type != "country"]
    stored = [names_of(e) for e in store.get_entities(stored_ids).values()]
    common = common_words(stored)
    index: dict[str, list[int]] = defaultdict(list)
    for i, n in enumerate(stored):
        for t in _tokens(n):
            index[t].append(i)
    rewrite: dict[str, str] = {}
    matches: list[Match] = []
    dropped: set[int] = set()
    for r in file_entities:
        rid = str(r.data["id"])
        if rid in present:
            continue
        try:
            e = models[r.section].model_validate(
                {**r.data, "affiliations": []} if r.section == "people" else r.data
            )
        except Exception:
            continue  # the importer reports what is wrong with it
        mine = names_of(e)
        pool = {i for t in _tokens(mine) for i in index.get(t, ()) if len(index[t]) <= COMMON or t[0] in "#="}
        scored = []
        for i in pool:
            other = stored[i]
            if other.type != mine.type:
                continue
            s, why = score_pair(mine, other, common, lang)
            if s >= min_score:
                scored.append((s, other, why))
        scored.sort(key=lambda t: (-t[0], t[1].id))
        if not scored or (len(scored) > 1 and scored[1][0] >= scored[0][0]):
            continue
        s, other, why = scored[0]
        matches.append(Match(rid, e.name, other.id, other.name, s, why, r.where))
        dropped.add(id(r))
        for n in [rid, e.name, *e.aliases]:
            rewrite[n] = other.id
            rewrite[fold(n)] = other.id
    if not matches:
        return list(records), []

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return rewrite.get(value) or rewrite.get(fold(value)) or value
        return value

    out = []
    for r in records:
        if id(r) in dropped:
            continue
        d = r.data
        if isinstance(d, dict):
            if r.section == "interactions" and isinstance(d.get("participants"), list):
                for p in d["participants"]:
                    if isinstance(p, dict):
                        p["entity"] = fix(p.get("entity"))
            elif r.section == "people" and isinstance(d.get("affiliations"), list):
                for a in d["affiliations"]:
                    if isinstance(a, dict):
                        a["organization"] = fix(a.get("organization"))
            elif r.section == "ties":
                for k in ("source", "target"):
                    if k in d:
                        d[k] = fix(d[k])
            elif r.section == "followups":
                for k in ("owner", "expected_from"):
                    if k in d:
                        d[k] = fix(d[k])
        out.append(r)
    return out, matches


__all__ = ["Duplicate", "Match", "acronym_of", "find_duplicates", "match_records", "score_pair"]
