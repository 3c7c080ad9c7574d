"""Questions as people ask them, in Spanish or English: the intent from the words, the subject from the data.

How a question is read:

1. It is folded (accents, case and punctuation do not matter) and split into words.
2. The **subject** is the longest run of words that names something the store knows: an entity (id,
   name or alias, through the workspace's resolver), a country, a kind of organization ("cámaras de
   comercio", "city networks") or a tag. Exact names beat near-misses; a near-miss ("jika",
   "Coreaa") is accepted only for words that are not part of the question's wording, and a one-letter
   word never names anything.
3. The **intent** is scored from the remaining words against synonym sets of every intent in both
   languages (:data:`CUES`); a word within one or two typing errors of a cue counts (rapidfuzz). The
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import Field

from .errors import N_, OfaiError
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

# Synonym sets per action and language: (phrase, weight). A phrase's words must appear in order, with
# at most two other words between two of them. Weights: 3 or more names the intent on its own, 2 is a
# strong hint, 1 a weak one. The language of a cue also counts as evidence of the question's language.
# fmt: off
CUES: dict[str, dict[str, list[tuple[str, float]]]] = {
    "connect": {
        "en": [
            ("connect", 3), ("connects", 3), ("connecting", 3), ("connection", 2.5), ("connections", 2),
            ("introduce", 3), ("introduces", 3), ("introduction", 3), ("introductions", 3), ("reach", 3),
            ("route", 3), ("routes", 3), ("path", 3), ("paths", 3), ("referral", 3), ("get to", 2.5),
            ("get in touch with", 3), ("put us in touch", 3), ("in touch with", 2), ("link us", 3),
            ("links us", 3), ("knows someone", 3), ("know someone", 3), ("someone in", 2), ("anyone in", 2),
            ("door to", 2), ("open doors", 3), ("way into", 2.5), ("access to", 2), ("approach", 3),
            ("way in", 3), ("get us a meeting", 3.5), ("contact at", 3), ("contact in", 2.5),
            ("direct line", 3), ("go through", 3), ("through whom", 3), ("help us", 2), ("people in", 2),
            ("knows people", 3), ("reach out", 3), ("help us reach", 3),
        ],
        "es": [
            ("conecta", 3), ("conectan", 3), ("conectar", 3), ("conectarnos", 3), ("conectamos", 3),
            ("conexion", 2.5), ("conexiones", 2), ("presenta", 3), ("presentar", 3), ("presentarnos", 3),
            ("presentaria", 3), ("introducir", 3), ("introducirnos", 3), ("llegar", 3), ("llegamos", 3),
            ("llegariamos", 3), ("ruta", 3), ("rutas", 3), ("camino", 3), ("caminos", 3), ("acerca", 2),
            ("acercar", 3), ("acercarnos", 3), ("contactar", 2.5), ("contactarnos", 3),
            ("conoce alguien", 3), ("conoce a alguien", 3), ("alguien en", 2), ("puerta", 2),
            ("puertas", 2), ("abrir", 1.5), ("enlace con", 2.5), ("contacto en", 3), ("linea directa", 3),
            ("a traves de quien", 3), ("nos ayuda", 2), ("nos ayuda a llegar", 3.5), ("conoce", 2),
            ("conoce gente", 3), ("gente en", 2), ("enlazar", 3), ("referido", 2.5), ("referencia", 2),
        ],
    },
    "strength": {
        "en": [
            ("strong", 3), ("strength", 3), ("strongest", 3), ("stronger", 3), ("close", 2), ("closest", 3),
            ("closer", 2), ("relationship", 2), ("relationships", 1.5), ("relation", 2), ("relations", 1.5),
            ("score", 3), ("top partners", 3), ("best partners", 3), ("main partners", 3),
            ("key partners", 3), ("how good", 2), ("how well", 2), ("tie with", 2), ("bond", 2),
            ("solid", 2), ("tier", 3), ("how are we doing with", 2.5), ("how are things with", 2.5),
            ("standing", 3), ("how tight", 3), ("tight", 2.5), ("get along", 3), ("top", 2.5), ("rate", 2),
            ("best relationship", 3), ("where do we stand", 3.5), ("stand with", 3),
        ],
        "es": [
            ("fuerte", 3), ("fuertes", 3), ("fuerza", 3), ("fortaleza", 3), ("relacion", 2),
            ("relaciones", 1.5), ("cercana", 2.5), ("cercanos", 2.5), ("cercanas", 2.5), ("cercano", 2.5),
            ("cercania", 3), ("que tan", 1.5), ("mejores aliados", 3), ("principales aliados", 3),
            ("mejores socios", 3), ("principales socios", 3), ("aliados clave", 3), ("solida", 2),
            ("puntaje", 3), ("vinculo", 2), ("nivel", 1.5), ("como vamos con", 2.5),
            ("como estamos con", 2.5), ("estrecha", 2.5), ("buena", 1), ("nos llevamos", 3),
            ("llevamos", 2.5), ("top aliados", 3), ("mejor relacion", 3), ("como esta la relacion", 3),
            ("situacion con", 2.5), ("como estamos", 2.5),
        ],
    },
    "show": {
        "en": [
            ("tell me about", 3), ("who is", 2), ("what is", 1), ("what do we know", 3), ("know about", 2),
            ("info", 2.5), ("information", 2.5), ("profile", 3), ("details", 3), ("detail", 2.5),
            ("about", 1), ("describe", 3), ("show", 2.5), ("overview", 2.5), ("summary", 2),
            ("everything", 1.5),
        ],
        "es": [
            ("quien es", 2), ("que es", 1), ("que sabemos", 3), ("sabemos", 2), ("cuentame", 3),
            ("cuenteme", 3), ("hablame", 3), ("informacion", 2.5), ("perfil", 3), ("datos", 2),
            ("detalles", 3), ("muestrame", 2.5), ("muestra", 2.5), ("mostrar", 2.5), ("ficha", 3),
            ("resumen", 2), ("todo sobre", 2.5), ("sobre", 1), ("acerca de", 1.5), ("quienes son", 1.5),
        ],
    },
    "followups": {
        "en": [
            ("pending", 3), ("follow up", 3), ("follow ups", 3), ("followup", 3), ("followups", 3),
            ("to do", 2.5), ("tasks", 2.5), ("task", 2), ("open items", 3), ("waiting for", 2.5),
            ("waiting", 2), ("outstanding", 3), ("next steps", 3), ("due", 2), ("upcoming", 2.5),
            ("deadlines", 2.5), ("owe", 2), ("expect", 1.5), ("open", 1), ("still open", 3),
            ("on our plate", 3.5), ("have to do", 3), ("still have to", 3), ("what remains", 2.5),
            ("open with", 3),
        ],
        "es": [
            ("nos toca", 3), ("toca hacer", 3), ("tenemos que hacer", 3), ("pendiente", 3),
            ("pendientes", 3), ("seguimiento", 3), ("seguimientos", 3), ("tareas", 2.5), ("compromisos", 3),
            ("esperando", 2.5), ("esperamos", 2), ("falta", 2), ("queda", 1.5), ("proximos pasos", 3),
            ("pasos", 1.5), ("pendiente con", 3), ("por hacer", 2.5), ("pronto", 1), ("pendientes con", 3),
            ("debemos", 2), ("abiertos", 2), ("pendientes abiertos", 3), ("vence", 2), ("vencen", 2),
            ("plazos", 2.5),
        ],
    },
    "overdue": {
        "en": [
            ("overdue", 4), ("late", 3), ("behind", 2.5), ("delayed", 3), ("past due", 4), ("missed", 3),
            ("expired", 3), ("miss", 3), ("passed", 2.5), ("slip", 3), ("let slip", 3.5), ("dropped", 2.5),
            ("lagging", 3), ("slipped", 3), ("deadline passed", 4), ("behind schedule", 4),
        ],
        "es": [
            ("vencieron", 4), ("vencio", 4), ("vencido", 4), ("vencidos", 4), ("vencida", 4),
            ("vencidas", 4), ("atrasado", 4), ("atrasados", 4), ("atrasada", 4), ("atrasadas", 4),
            ("retrasado", 4), ("retrasados", 4), ("retraso", 3.5), ("retrasos", 3.5), ("tarde", 2.5),
            ("plazo vencido", 4), ("se vencio", 4), ("se vencieron", 4), ("incumplido", 3.5),
            ("incumplidos", 3.5), ("demorado", 3), ("demorados", 3), ("colgados", 2),
        ],
    },
    "dormant": {
        "en": [
            ("cold", 4), ("colder", 4), ("going cold", 4), ("lost touch", 4), ("lose touch", 4),
            ("dormant", 4), ("inactive", 4), ("neglected", 4), ("neglecting", 4), ("quiet", 3),
            ("forgotten", 3.5), ("drifting", 3.5), ("faded", 3.5), ("fading", 3.5), ("not talked", 3),
            ("havent talked", 3.5), ("no contact", 3), ("cooling", 4), ("lapsed", 3.5), ("revive", 3),
            ("reactivate", 3), ("forget", 3), ("forgot", 3), ("losing", 3.5), ("slipping", 3.5),
            ("slipping away", 4), ("long time", 2.5), ("in a while", 2.5),
        ],
        "es": [
            ("enfriando", 4), ("enfrian", 4), ("enfriado", 4), ("enfriaron", 4), ("enfriadas", 4),
            ("frias", 4), ("frios", 4), ("fria", 3.5), ("frio", 3.5), ("perdido contacto", 4),
            ("perdimos contacto", 4), ("perdido el contacto", 4), ("perdimos", 2.5), ("inactivos", 4),
            ("inactivas", 4), ("inactiva", 4), ("olvidado", 3.5), ("olvidados", 3.5), ("olvidadas", 3.5),
            ("abandonado", 3.5), ("abandonadas", 3.5), ("descuidado", 4), ("descuidados", 4),
            ("descuidadas", 4), ("dormidas", 4), ("dormidos", 4), ("sin contacto", 4), ("no hablamos", 2.5),
            ("reactivar", 3), ("retomar", 3), ("apagadas", 3.5), ("dejamos de hablar", 4), ("alejado", 3),
            ("olvidamos", 3.5), ("apagaron", 4), ("apagado", 3.5), ("se apagaron", 4), ("perdiendo", 3.5),
            ("hace mucho", 2.5), ("hace rato", 2.5), ("alejados", 3), ("alejando", 3),
        ],
    },
    "brokers": {
        "en": [
            ("broker", 4), ("brokers", 4), ("bridge", 4), ("bridges", 4), ("bridging", 4),
            ("intermediary", 4), ("intermediaries", 4), ("go between", 4), ("connectors", 4),
            ("connector", 4), ("key players", 3.5), ("hubs", 3.5), ("hub", 3), ("between groups", 4),
            ("across groups", 4), ("central", 2.5), ("most connected", 4), ("gatekeepers", 4),
            ("betweenness", 4), ("connect groups", 4), ("different groups", 3), ("groups", 1.5),
            ("communities", 1.5),
        ],
        "es": [
            ("intermediario", 4), ("intermediarios", 4), ("intermediaria", 4), ("intermediarias", 4),
            ("puente", 4), ("puentes", 4), ("conectores", 4), ("articuladores", 4), ("articulador", 4),
            ("actores clave", 3.5), ("entre grupos", 4), ("une grupos", 4), ("mas conectados", 4),
            ("centrales", 2.5), ("nodos clave", 4), ("enlazan grupos", 4), ("conectan grupos", 4),
            ("distintos grupos", 3), ("grupos", 1.5), ("comunidades", 1.5),
        ],
    },
    "last_contact": {
        "en": [
            ("last", 2.5), ("last time", 3.5), ("when", 2), ("lately", 2), ("recently", 2),
            ("most recent", 3), ("latest", 2.5), ("met", 2), ("meet", 1.5), ("spoke", 2), ("talked", 2),
            ("heard from", 2.5), ("how long since", 3.5), ("how long ago", 3.5), ("since when", 2.5),
            ("last contact", 4), ("last interaction", 4), ("last meeting", 4),
        ],
        "es": [
            ("ultima", 2.5), ("ultimo", 2.5), ("ultima vez", 3.5), ("cuando", 2), ("recientemente", 2),
            ("reunimos", 2), ("reunion", 1), ("hablamos", 1.5), ("vimos", 2), ("contactamos", 2),
            ("supimos", 2), ("hace cuanto", 3.5), ("desde cuando", 3), ("ultimo contacto", 4),
            ("ultima reunion", 4), ("ultima interaccion", 4), ("tuvimos contacto", 3),
        ],
    },
    "partners": {
        "en": [
            ("partners in", 3.5), ("allies in", 3.5), ("which partners", 3), ("what partners", 3),
            ("partners", 1.5), ("allies", 1.5), ("do we know", 2.5), ("do we have", 2),
            ("we work with", 2.5), ("list", 2), ("list of", 2), ("which", 1), ("organizations in", 3),
            ("entities in", 3), ("contacts in", 3), ("who do we know", 3), ("based in", 2.5), ("from", 0.5),
            ("all", 1),
        ],
        "es": [
            ("aliados en", 3.5), ("socios en", 3.5), ("que aliados", 3), ("cuales aliados", 3),
            ("aliados", 1.5), ("socios", 1.5), ("conocemos", 2.5), ("tenemos", 1.5), ("tenemos en", 2.5),
            ("trabajamos con", 2.5), ("lista", 2), ("listado", 2), ("cuales", 1), ("organizaciones en", 3),
            ("entidades en", 3), ("contactos en", 3), ("a quien conocemos", 3), ("con sede en", 2.5),
            ("de", 0.2), ("todas", 1), ("todos", 1), ("organizaciones", 1), ("entidades", 1),
            ("contrapartes", 2),
        ],
    },
    "changes": {
        "en": [
            ("changed", 4), ("changes", 4), ("change", 3), ("whats new", 4), ("new", 2), ("news", 3),
            ("since last quarter", 4), ("this quarter", 2), ("difference", 3), ("different from", 3.5),
            ("since the last report", 4), ("compared", 3), ("moved", 2),
        ],
        "es": [
            ("ultimo informe", 3), ("cambios", 4), ("cambio", 3.5), ("cambiado", 4), ("cambiaron", 4),
            ("novedades", 4), ("nuevo", 2), ("de nuevo", 3), ("desde el trimestre", 4),
            ("trimestre pasado", 3.5), ("diferencia", 3), ("comparado", 3), ("que paso", 2),
        ],
    },
}
# fmt: on

# Words that say nothing about the intent or the subject, and decide the language.
STOP = {
    "en": set(
        "a an the of to in on at for with by from and or is are was were be been being do does did done "
        "we us our ours you your i me my it its this that these those who whom whose what which how why "
        "when where there here have has had can could would should will shall may might must please any "
        "some someone anyone one ones s t d ll re ve m let give get got currently now still again also "
        "just so than then about into onto over up down out off very much many more most lot".split()
    ),
    "es": set(
        "a al ante bajo con contra de del desde durante en entre hacia hasta para por segun sin sobre tras "
        "el la los las lo un una unos unas y o u e ni que quien quienes cual cuales como cuando donde cuanto "
        "cuanta cuantos cuantas es son esta estan estamos fue fueron ser estar hay ha han hemos he tiene "
        "tienen tenemos tengo nos nuestro nuestra nuestros nuestras mi mis me te se le les su sus yo tu "
        "usted ustedes ese esa esos esas este estos estas eso esto aqui ahi alli ya aun todavia muy mas "
        "mucho mucha muchos muchas algun alguna algunos algunas puede pueden podemos podria podriamos "
        "por favor favor dime digame decir sabes sabe hoy ahora actualmente".split()
    ),
}
# Unambiguous markers of each language (words that are not also common in the other).
_MARKERS = {
    "en": set(
        "the of to with we us our who what which how why when where is are do does did have has can could "
        "would should will about tell me my any someone anyone going there".split()
    ),
    "es": set(
        "de la el los las del con que quien quienes cual cuales como cuando donde nos nuestro nuestra nuestros "
        "nuestras es son esta estan hay tenemos sabemos sobre para por una unos unas se le les su sus "
        "cuentame dime hablame muy mas ya".split()
    ),
}

EXAMPLES: dict[str, dict[str, str]] = {
    "connect": {"en": "who connects us to Korea?", "es": "¿quién nos conecta con Corea?"},
    "strength": {"en": "how strong is our relationship with JICA?", "es": "¿qué tan fuerte es la relación con JICA?"},
    "show": {"en": "tell me about AMCHAM", "es": "¿qué sabemos de AMCHAM?"},
    "followups": {"en": "what is pending with IOM?", "es": "¿qué está pendiente con la OIM?"},
    "overdue": {"en": "what are we late on?", "es": "¿qué tenemos vencido?"},
    "dormant": {"en": "who have we lost touch with?", "es": "¿con quién hemos perdido contacto?"},
    "brokers": {"en": "who bridges groups?", "es": "¿quiénes son los intermediarios?"},
    "last_contact": {"en": "when did we last meet JICA?", "es": "¿cuándo fue la última reunión con JICA?"},
    "partners": {"en": "which partners do we have in China?", "es": "¿qué cámaras de comercio conocemos?"},
    "changes": {"en": "what changed since last quarter?", "es": "¿qué cambió desde el trimestre pasado?"},
}

# Intents that cannot be answered without something to ask about.
NEEDS_SUBJECT = {"connect", "show", "last_contact"}
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
    return frozenset(STOP["en"] | STOP["es"] | _cue_words() | _EXTRA_WORDS)


# Common words that are neither cues nor stop words, so that they are not read as typos of cues.
_EXTRA_WORDS = set(
    "agency agencia government gobierno city ciudad network red group grupo grupos groups office oficina "
    "partner partners aliado aliados socio socios work trabajo help ayuda need necesito quiero want "
    "japanese korean chinese american spanish canadian organization organizations organisation "
    "organisations organizacion organizaciones entity entities entidad entidades institution institutions "
    "institucion instituciones people persona personas gente country countries pais paises international "
    "internacional internacionales cooperation cooperacion development desarrollo commerce comercio "
    "governments gobiernos agency agencies agencias ministry ministerio meeting meetings reunion "
    "reuniones visit visita visits visitas act acts actua actuan".split()
)


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
        es += w in _MARKERS["es"]
        en += w in _MARKERS["en"]
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
        if sub is not None:
            return _Span(i, i + 1, 1, sub)
    return None


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
    import unicodedata

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
    _adjust(scores, subject, rest)
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
    return Intent(
        action=action,
        subject=subject.id if subject else None,
        subject_info=subject,
        language=language,
        score=top,
        scores={a: s for a, s in scores.items() if s},
    )


def _adjust(scores: dict[str, float], subject: Subject | None, rest: list[str]) -> None:
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
    """Example questions of the ``n`` intents closest to what was asked (all of them if none is close)."""
    ranked = sorted((a for a in ACTIONS if scores.get(a, 0) > 0), key=lambda a: -scores[a])
    # The closest intents first, then the most asked ones, so there is always something to try.
    chosen = list(dict.fromkeys([*ranked, "connect", "strength", "followups", "partners"]))[: max(n, len(ranked[:n]))]
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
        result = ws.show(sid, as_of=as_of)
    elif action in ("followups", "overdue"):
        partner = sid if subject is not None and subject.type == "entity" else None
        result = ws.followups(overdue=action == "overdue", partner=partner, as_of=as_of)
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
        result = changes(as_of=as_of)
    return Answer(question=question, language=intent.language, action=action, subject=sid, result=result)
