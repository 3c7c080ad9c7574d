"""Questions as people ask them, in Spanish or English: the intent from the words, the subject from the data.

How a question is read:

1. It is folded (accents, case and punctuation do not matter) and split into words.
2. The **subject** is the longest run of words that names something the store knows: an entity (id,
   name or alias, through the workspace's resolver), a country, a kind of organization ("cámaras de
   comercio", "city networks") or a tag. Exact names beat near-misses; a near-miss ("jika",
   "Coreaa") is accepted only for words that are not part of the question's wording, and a one-letter
   word never names anything.
3. The **intent** is scored from the remaining words against synonym sets of every intent in both
   languages (:data:`ofai_graph.lexicon.CUES`); a word within one or two typing errors of a cue counts (rapidfuzz). The
   kind of subject found breaks ties: a country or a kind with no other cue asks for partners, an
   entity alone asks to be shown.
4. The **language** is the one whose function and cue words dominate outside the subject.

Nothing here holds patterns per sentence: new phrasings work as long as they use some of the words.

>>> parse("Quien nos conecta con Corea?").action
'connect'
>>> parse("wat is overdeu").action
'overdue'
>>> parse("¿qué relaciones se están enfriando?").language
'es'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import Field

from .errors import N_, OfaiError
from .lexicon import COMMON_WORDS, CUES, EXAMPLES, MARKERS, STOP
from .results import Result
from .text import fold

ACTIONS = (
    "connect",
    "strength",
    "show",
    "followups",
    "overdue",
    "dormant",
    "brokers",
    "last_contact",
    "partners",
    "changes",
)


# Intents that cannot be answered without something to ask about.
NEEDS_SUBJECT = {"connect", "show", "last_contact"}
FOLLOWUPS_TOP = 50
"""How many follow-ups an answer lists, soonest due first (its ``.total`` says how many match)."""
# Asked without a subject these answer for every partner; with a name we do not know, they must not.
NARROWED_BY_SUBJECT = {"strength", "followups", "overdue"}
_THRESHOLD = 1.5  # below this total, the words do not ask for anything we know


class Subject(Result):
    """What a question is about, as the store knows it."""

    type: str = Field(description="entity, country, kind or tag")
    id: str = Field(description="the entity's id, the country's ISO code, the kind's code or the tag")
    name: str = Field(description="how people call it (the entity's or country's name, the kind's label)")
    text: str = Field(description="the words of the question that named it")


class Intent(Result):
    """What a question asks: the action, its subject and the language it was asked in."""

    action: str = Field(description="one of " + ", ".join(ACTIONS))
    subject: str | None = Field(None, description="the subject's id (entity id, country code, kind code or tag)")
    subject_info: Subject | None = Field(None, description="the subject with its type and name")
    language: str = Field("en", description="the question's language: es or en")
    score: float = Field(0.0, description="how strongly the words point to the action")
    scores: dict[str, float] = Field(default_factory=dict, description="every action's score, for debugging")


class NotUnderstood(OfaiError):
    """The question asks nothing we recognise; ``suggestions`` are the closest intents' examples.

    The message is in the question's language.
    """

    def __init__(self, question: str, language: str, suggestions: list[str], missing_subject: str | None = None):
        from .i18n import gettext_for

        self.question = question
        self.language = language
        self.suggestions = suggestions
        self.missing_subject = missing_subject
        _ = gettext_for(language)
        if missing_subject:
            head = _("I understood the question but not what it is about: name an entity, a country, a kind or a tag.")
        else:
            head = _("I do not understand that question.")
        lines = [head, _("Questions like these work:"), *(f"  {q}" for q in suggestions)]
        super().__init__("\n".join(lines))


# -- words ------------------------------------------------------------------------------------------


_WORD = re.compile(r"[a-z0-9]+(?:\+)?")


def words(text: str) -> list[str]:
    """Folded words: ``words("¿Qué tan fuerte?") == ["que", "tan", "fuerte"]``."""
    return _WORD.findall(fold(text).replace("'", "").replace("’", ""))


def _sound(word: str) -> str:
    """A rough spelling-insensitive key (k/c/q, z/s, y/i, silent h, doubled letters)."""
    w = word.replace("qu", "k").replace("c", "k").replace("z", "s").replace("y", "i").replace("v", "b")
    w = w.replace("ph", "f").replace("h", "")
    return re.sub(r"(.)\1+", r"\1", w)


@cache
def _similar(a: str, b: str) -> bool:
    """Whether the question's word ``a`` is the cue ``b`` but for a typo or two.

    A word that is itself a known word ("could", "quien", "nuestra") is never a typo of another
    ("cold", "quiet", "muestra"); words of three letters or less must be exact; below nine letters
    one typo is allowed and the first letter must be right, unless the two sound the same ("kien").
    """
    if a == b:
        return True
    if len(a) < 4 or len(b) < 4 or a in _known_words():
        return False
    if _sound(a) == _sound(b):
        return True
    if a[0] != b[0] and min(len(a), len(b)) < 9:
        return False
    from rapidfuzz.distance import OSA

    limit = 1 if min(len(a), len(b)) < 9 else 2
    # OSA counts a swap of two letters ("overdeu") as one typo.
    return OSA.distance(a, b, score_cutoff=limit) <= limit


@cache
def _known_words() -> frozenset[str]:
    return frozenset(STOP["en"] | STOP["es"] | _cue_words() | COMMON_WORDS)




@cache
def _cue_phrases() -> list[tuple[str, tuple[str, ...], float]]:
    return [
        (action, tuple(words(phrase)), weight)
        for action, by_lang in CUES.items()
        for cues in by_lang.values()
        for phrase, weight in cues
    ]


@cache
def _cue_words() -> frozenset[str]:
    return frozenset(w for _, phrase, _ in _cue_phrases() for w in phrase)


def _match(phrase: tuple[str, ...], tokens: list[str]) -> list[int] | None:
    """Positions of ``phrase`` in ``tokens`` (in order, at most two words between two of its words)."""
    for start in range(len(tokens)):
        if not _similar(tokens[start], phrase[0]):
            continue
        found = [start]
        pos = start
        for w in phrase[1:]:
            nxt = next((j for j in (pos + 1, pos + 2, pos + 3) if j < len(tokens) and _similar(tokens[j], w)), None)
            if nxt is None:
                break
            found.append(nxt)
            pos = nxt
        else:
            return found
    return None


def score_intents(tokens: list[str]) -> dict[str, float]:
    """Each action's score: the sum of the weights of its cues found among ``tokens``.

    Within one action a word counts once, for the heaviest (then longest) cue that uses it: "going
    cold" scores as one cue, not as "going cold" plus "cold".
    """
    scores = dict.fromkeys(ACTIONS, 0.0)
    found: dict[str, list[tuple[float, int, list[int]]]] = {}
    for action, phrase, weight in _cue_phrases():
        at = _match(phrase, tokens)
        if at is not None:
            found.setdefault(action, []).append((weight, len(phrase), at))
    for action, matches in found.items():
        used: set[int] = set()
        for weight, _, at in sorted(matches, key=lambda m: (-m[0], -m[1])):
            if used.isdisjoint(at):
                used.update(at)
                scores[action] += weight
    return {a: round(v, 3) for a, v in scores.items()}


def detect_language(tokens: Iterable[str], original: str = "", default: str = "en") -> str:
    """``es`` or ``en`` from the words (and ``¿``/``¡``/accents in the original text)."""
    es = en = 0.0
    for w in tokens:
        es += w in MARKERS["es"]
        en += w in MARKERS["en"]
        lang = _lang_cues().get(w)
        if lang == "es":
            es += 1
        elif lang == "en":
            en += 1
    if re.search(r"[¿¡ñáéíóú]", original.lower()):
        es += 1.5
    if es == en:
        return default
    return "es" if es > en else "en"


@cache
def _lang_cues() -> dict[str, str]:
    """Cue words that belong to one language only."""
    by_lang: dict[str, set[str]] = {"en": set(), "es": set()}
    for cues in CUES.values():
        for lang, phrases in cues.items():
            for phrase, _ in phrases:
                by_lang[lang].update(words(phrase))
    shared = by_lang["en"] & by_lang["es"]
    return {w: lang for lang, ws in by_lang.items() for w in ws - shared - STOP["en"] - STOP["es"]}


# -- subjects ---------------------------------------------------------------------------------------


@dataclass
class _Span:
    start: int
    end: int  # exclusive
    quality: int  # 3 exact name, 2 near-miss of a whole name, 1 one distinctive word of a name
    subject: Subject


class Names:
    """What a question's words can name: entities and countries (through a resolver), kinds and tags.

    ``exact(text)`` returns the ids whose name, alias or id is ``text`` (folded); ``rows`` every
    (id, name) pair for near-misses; ``describe(id)`` a subject. :class:`~ofai_graph.workspace.Workspace`
    builds one from its store; without one, only kinds and countries are known.
    """

    def __init__(
        self,
        exact: Callable[[str], list[str]] | None = None,
        rows: Callable[[], list[tuple[str, str]]] | None = None,
        describe: Callable[[str], tuple[str, str]] | None = None,
        tags: Iterable[str] = (),
    ):
        self._exact = exact
        self._rows = rows
        self._describe = describe
        self._tags = {form: t for t in tags for form in _plurals(fold_words(t))}
        self._token_index: dict[str, set[str]] | None = None
        self._keys: list[tuple[str, str]] | None = None

    def exact(self, text: str) -> list[Subject]:
        found: list[Subject] = []
        if self._exact is not None:
            for eid in self._exact(text):
                typ, name = self._describe(eid) if self._describe else ("entity", eid)
                found.append(Subject(type=typ, id=eid, name=name, text=text))
        if not found and self._exact is None:
            from . import countries

            code = countries.lookup(text) if len(text) > 2 else None
            if code:
                found.append(Subject(type="country", id=code, name=countries.name_es(code), text=text))
        kind = kind_index().get(text)
        if kind and not found:
            found.append(Subject(type="kind", id=kind[0], name=kind[1], text=text))
        tag = self._tags.get(text)
        if tag and not found:
            found.append(Subject(type="tag", id=tag, name=tag, text=text))
        return found

    def _index(self) -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
        if self._token_index is None or self._keys is None:
            rows = self._rows() if self._rows else []
            index: dict[str, set[str]] = {}
            keys: list[tuple[str, str]] = []
            for eid, label in rows:
                ws = words(label)
                keys.append((" ".join(ws), eid))
                for w in ws:
                    if len(w) >= 4 and not _is_stop(w):
                        index.setdefault(w, set()).add(eid)
            self._token_index, self._keys = index, keys
        return self._token_index, self._keys

    def near(self, text: str) -> Subject | None:
        """The one entity a near-miss of a whole name names ("jika", "amchan"), or None."""
        from rapidfuzz import fuzz, process

        _, keys = self._index()
        if not keys or len(text) < 4:
            return None
        choices = [k for k, _ in keys]
        found = process.extract(text, choices, scorer=fuzz.ratio, limit=5, score_cutoff=80)
        sound = _sound(text)
        ids = {keys[i][1] for k, s, i in found if s >= 85 or _sound(k) == sound}
        if not ids:
            ids = {eid for k, eid in keys if len(k) >= 4 and _sound(k) == sound}
        if len(ids) == 1:
            eid = ids.pop()
            typ, name = self._describe(eid) if self._describe else ("entity", eid)
            return Subject(type=typ, id=eid, name=name, text=text)
        return None

    def same_words(self, text: str) -> Subject | None:
        """The one entity with a name made of the same words in another order ("X of Y" / "Y X")."""
        from rapidfuzz import fuzz, process

        _, keys = self._index()
        found = process.extract(text, [k for k, _ in keys], scorer=fuzz.token_set_ratio, limit=5, score_cutoff=95)
        ids = {keys[i][1] for _, _, i in found if len(keys[i][0].split()) >= len(text.split()) - 1}
        if len(ids) == 1:
            eid = ids.pop()
            typ, name = self._describe(eid) if self._describe else ("entity", eid)
            return Subject(type=typ, id=eid, name=name, text=text)
        return None

    def distinctive(self, word: str) -> Subject | None:
        """The one entity whose names contain ``word`` (or a near-miss of it) and no other's do."""
        index, _ = self._index()
        ids = index.get(word)
        if ids is None and len(word) >= 6:
            close = {w for w in index if w[0] == word[0] and _similar(w, word)}
            ids = set().union(*(index[w] for w in close)) if close else None
        if ids and len(ids) == 1:
            eid = next(iter(ids))
            typ, name = self._describe(eid) if self._describe else ("entity", eid)
            return Subject(type=typ, id=eid, name=name, text=word)
        return None


def fold_words(text: str) -> str:
    return " ".join(words(text))


def _is_stop(w: str) -> bool:
    return w in STOP["en"] or w in STOP["es"]


@cache
def kind_index() -> dict[str, tuple[str, str]]:
    """Folded names of organization kinds, singular and plural, both languages -> (code, Spanish label)."""
    from .labels import LABELS
    from .model import OrgKind

    out: dict[str, tuple[str, str]] = {}
    generic = {"oficina", "ofai", "red", "government", "network", "otro", "other", "event", "evento",
               "initiative", "iniciativa", "proyecto", "programa", "city", "ciudad", "company", "empresa",
               "liga", "deporte", "home office", "oficina propia"}
    for code, (en, es) in LABELS["OrgKind"].items():
        names = {en, es, *OrgKind.labels().get(code, ())}
        for name in names:
            for variant in _plurals(fold_words(name)):
                if variant in generic or code in ("home_office", "other"):
                    continue
                out.setdefault(variant, (code, es))
    return out


def _plural(w: str) -> set[str]:
    """Plural forms in either language; a form that is not a word costs nothing."""
    out = {w + "s", w + "es"}
    if w.endswith("y"):
        out.add(w[:-1] + "ies")
    if w.endswith("z"):
        out.add(w[:-1] + "ces")
    return out


def _plurals(phrase: str) -> set[str]:
    ws = phrase.split()
    if not ws:
        return set()
    # Spanish puts the head noun first and makes adjectives agree ("cámaras de comercio",
    # "organismos multilaterales"), English pluralizes the last word ("city networks").
    import itertools

    options = [[w] if _is_stop(w) or len(w) < 3 else [w, *sorted(_plural(w))] for w in ws]
    return {" ".join(combo) for combo in itertools.product(*options)}


def find_subject(tokens: list[str], names: Names, *, upper: set[int] | None = None) -> _Span | None:
    """The longest run of ``tokens`` that names something (exact names first, then near-misses)."""
    upper = upper or set()
    cue = _cue_words()
    best: _Span | None = None
    n = len(tokens)
    for length in range(min(n, 10), 0, -1):
        for start in range(0, n - length + 1):
            span = tokens[start : start + length]
            text = " ".join(span)
            if all(_is_stop(w) for w in span) and not (length == 1 and start in upper and len(text) > 1):
                continue
            if len(text) <= 1:
                continue  # one letter never names anything
            if len(text) <= 2 and start not in upper:
                continue  # two letters name a country code only when written in capitals ("KR")
            found = names.exact(text)
            if found:
                cand = _Span(start, start + length, 3, _pick(found))
                if best is None or (cand.quality, cand.end - cand.start) > (best.quality, best.end - best.start):
                    best = cand
        if best is not None:
            if best.subject.type == "kind":
                return _named_instance(tokens, best, names) or best
            return best
    # Near-misses, only on words that are not the question's wording: first runs of several words
    # (common nouns and small words allowed inside: "ministerio de comercio"), then single words
    # that are no common word ("jika", "quebec").
    known = _known_words()
    runs: list[list[int]] = []
    for i, w in enumerate(tokens):
        if w in cue and not _is_stop(w):
            runs.append([])
            continue
        if not runs:
            runs.append([])
        runs[-1].append(i)
    for run in sorted(runs, key=len, reverse=True):
        for length in range(min(len(run), 8), 1, -1):
            for k in range(0, len(run) - length + 1):
                part = run[k : k + length]
                span_words = [tokens[i] for i in part]
                if _is_stop(span_words[0]) or _is_stop(span_words[-1]) or part[-1] - part[0] != length - 1:
                    continue
                text = " ".join(span_words)
                sub = names.near(text) or names.same_words(text)
                if sub is not None:
                    return _Span(part[0], part[-1] + 1, 2, sub)
    single = [i for i, w in enumerate(tokens) if w not in known and len(w) >= 4]
    for i in single:
        sub = names.near(tokens[i])
        if sub is not None:
            return _Span(i, i + 1, 2, sub)
    for i in single:
        sub = names.distinctive(tokens[i])
        # "la embajada de Narnia" is not the one embassy the store knows: another word of the
        # question that is no common word and not in that entity's names names something else.
        if sub is not None and not _names_another(tokens, single, i, sub, names):
            return _Span(i, i + 1, 1, sub)
    return None


def _names_another(tokens: list[str], single: list[int], at: int, sub: Subject, names: Names) -> bool:
    index, _ = names._index()
    return any(sub.id not in index.get(tokens[j], ()) for j in single if j != at)


def _named_instance(tokens: list[str], kind: _Span, names: Names) -> _Span | None:
    """One entity a kind plus the words around it name ("chamber of commerce of Bucaramanga")."""
    cue = _cue_words()
    end = kind.end
    while end < len(tokens) and end - kind.end < 4 and (tokens[end] not in cue or _is_stop(tokens[end])):
        end += 1
    while end > kind.end and _is_stop(tokens[end - 1]):
        end -= 1
    if end == kind.end:
        return None
    sub = names.same_words(" ".join(tokens[kind.start : end]))
    return _Span(kind.start, end, 2, sub) if sub else None


def _pick(found: list[Subject]) -> Subject:
    # Several entities share a name: a country is what a bare country name means ("Corea").
    countries = [s for s in found if s.type == "country"]
    return countries[0] if countries else found[0]


# -- the whole question -----------------------------------------------------------------------------


def parse(question: str, names: Names | None = None, *, default_lang: str = "en") -> Intent:
    """The intent of a question; raises :class:`NotUnderstood` when its words ask for nothing known.

    >>> i = parse("¿Qué cámaras de comercio conocemos?")
    >>> i.action, i.subject, i.language
    ('partners', 'chamber_of_commerce', 'es')
    """
    names = names or Names()
    plain = "".join(c for c in unicodedata.normalize("NFKD", question) if not unicodedata.combining(c))
    raw_words = re.findall(r"[A-Za-z0-9]+(?:\+)?", plain.replace("'", "").replace("’", ""))
    tokens = words(question)
    all_caps = question.upper() == question
    upper = set() if all_caps else {i for i, w in enumerate(raw_words[: len(tokens)]) if w.isupper()}
    span = find_subject(tokens, names, upper=upper)
    rest = tokens if span is None else [*tokens[: span.start], "§", *tokens[span.end :]]
    language = detect_language([w for w in rest if w != "§"], question, default_lang)
    scores = score_intents(rest)
    subject = span.subject if span else None
    _adjust(scores, subject)
    action = max(ACTIONS, key=lambda a: (scores[a], -ACTIONS.index(a)))
    top = scores[action]
    if top < _THRESHOLD:
        if subject is not None:
            action = "partners" if subject.type in ("kind", "tag") else "show"
            top = _THRESHOLD
        else:
            raise NotUnderstood(question, language, suggest(scores, language))
    if action in NEEDS_SUBJECT and subject is None:
        raise NotUnderstood(question, language, suggest(scores, language), missing_subject=action)
    if action in NARROWED_BY_SUBJECT and subject is None and _unknown_name(rest):
        # "our relationship with the Narnia embassy": a name we do not know is not a question about
        # every partner; answering the top list would read as an answer about Narnia.
        raise NotUnderstood(question, language, suggest(scores, language), missing_subject=action)
    return Intent(
        action=action,
        subject=subject.id if subject else None,
        subject_info=subject,
        language=language,
        score=top,
        scores={a: s for a, s in scores.items() if s},
    )


def _unknown_name(tokens: list[str]) -> bool:
    """Whether "with ..." / "con ..." is followed by a word that is no word of questions: a name the
    store does not have ("relación con la embajada de Narnia")."""
    known = _known_words()
    for i, w in enumerate(tokens):
        if w in ("con", "with"):
            return any(len(t) >= 4 and not t.isdigit() and t not in known for t in tokens[i + 1 :])
    return False


def _adjust(scores: dict[str, float], subject: Subject | None) -> None:
    """What the subject's type says about the intent, and which intents refine which."""
    # "overdue follow-ups", "partners we are neglecting": the specific intent wins over the general one.
    if scores["overdue"] >= 2.5:
        scores["overdue"] += scores["followups"]
    if scores["dormant"] >= 3:
        scores["dormant"] += scores["partners"] + scores["strength"] / 2
    if subject is None:
        for a in NEEDS_SUBJECT:
            scores[a] *= 0.5
        scores["partners"] *= 0.3
        return
    if subject.type in ("kind", "tag"):
        scores["partners"] += 2.0
        scores["show"] *= 0.5
    elif subject.type == "country":
        scores["partners"] += 0.5
        if scores["partners"] >= 2.5:
            scores["partners"] += 1.0
    else:
        scores["partners"] *= 0.3
    # "who is X": with a subject, a bare "who/quien" leans to show, unless other words say more.
    if subject.type == "entity" and not any(scores[a] >= 2 for a in ACTIONS if a != "show"):
        scores["show"] += 1.0


def suggest(scores: dict[str, float], language: str, n: int = 3) -> list[str]:
    """Example questions of the ``n`` intents closest to what was asked, in ``language``."""
    ranked = sorted((a for a in ACTIONS if scores.get(a, 0) > 0), key=lambda a: -scores[a])
    # The closest intents first, then the most asked ones, so there is always something to try.
    chosen = list(dict.fromkeys([*ranked, "connect", "strength", "followups", "partners"]))[:n]
    lang = language if language in ("es", "en") else "en"
    return [EXAMPLES[a][lang] for a in chosen if a in EXAMPLES]


# -- answering --------------------------------------------------------------------------------------


def answer(ws: Any, question: str, *, as_of: Any, lang: str = "en") -> Any:
    """Parse ``question`` against the workspace's names and call the library function it asks for.

    The result is exactly what that function returns for the same date: ``ask("who connects us to
    Korea")`` and ``connect("Korea")`` give the same routes.
    """
    intent = parse(question, ws._question_names(), default_lang=lang)
    # The answer speaks the question's language: texts the library writes (evidence, notes) too.
    saved, ws.lang = ws.lang, intent.language
    try:
        return _answer(ws, question, intent, as_of)
    except OfaiError as exc:
        exc.language = intent.language  # type: ignore[attr-defined]  # shown in the question's language
        raise
    finally:
        ws.lang = saved


def _answer(ws: Any, question: str, intent: Intent, as_of: Any) -> Any:
    from .workspace import Answer

    subject = intent.subject_info
    sid = subject.id if subject else None
    action = intent.action
    result: Any
    if action == "connect":
        result = ws.connect(sid, as_of=as_of)
    elif action == "strength":
        if subject is None:
            result = ws.strength(as_of=as_of)
        elif subject.type in ("kind", "tag") or subject.type == "country":
            result = ws.partners(sid, as_of=as_of)
        else:
            result = ws.strength(None, sid, as_of=as_of, explain=True)
    elif action == "show":
        from .profile import TIMELINE

        result = ws.show(sid, as_of=as_of, timeline=TIMELINE)
    elif action in ("followups", "overdue"):
        partner = sid if subject is not None and subject.type == "entity" else None
        result = ws.followups(overdue=action == "overdue", partner=partner, as_of=as_of, top=FOLLOWUPS_TOP)
    elif action == "dormant":
        result = ws.dormant(as_of=as_of)
    elif action == "brokers":
        result = ws.brokers(as_of=as_of)
    elif action == "last_contact":
        result = ws.last_contact(sid, as_of=as_of)
    elif action == "partners":
        if subject is None or subject.type == "entity":
            result = ws.strength(as_of=as_of)
        else:
            result = ws.partners(sid, as_of=as_of)
    else:  # changes
        changes = getattr(ws, "changes", None)
        if changes is None:
            raise OfaiError(N_("Changes between reports are not available yet."))
        # The quarter that holds the date of reference: "what changed" means this quarter so far.
        result = changes(quarter=f"{as_of.year}-Q{(as_of.month - 1) // 3 + 1}")
    return Answer(question=question, language=intent.language, action=action, subject=sid, result=result)
