"""A small, documented set of English and Spanish questions mapped onto connect, strength,
followups and dormant. Anything else gets the list of forms it understands.

Understood forms (X is any entity, country or alias; punctuation and accents do not matter):

- connect:   "who connects us to X", "how do we reach X", "path to X",
             "quién nos conecta con X", "cómo llegamos a X", "ruta a X"
- strength:  "how strong is our relationship with X", "strength of X", "strongest partners",
             "qué tan fuerte es la relación con X", "fuerza de X", "aliados más fuertes"
- followups: "what is pending", "what is overdue", "follow-ups",
             "qué está pendiente", "qué está vencido", "seguimientos"
- dormant:   "which relationships are going cold", "dormant partners",
             "qué relaciones se están enfriando", "aliados inactivos"
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from .text import fold

FORMS: list[tuple[str, str]] = [
    ("connect", r"^(?:who|which \w+) (?:connects|can connect|links) us (?:to|with) (?P<x>.+)$"),
    ("connect", r"^how (?:do|can) we (?:reach|get to|connect (?:to|with)) (?P<x>.+)$"),
    ("connect", r"^(?:path|paths|route|routes) to (?P<x>.+)$"),
    ("connect", r"^quien(?:es)? nos (?:conecta|conectan|acerca|puede conectar) (?:con|a) (?P<x>.+)$"),
    ("connect", r"^como (?:llegamos|llegar|nos conectamos) (?:a|con) (?P<x>.+)$"),
    ("connect", r"^(?:ruta|rutas|camino|caminos) (?:a|hacia|hasta) (?P<x>.+)$"),
    ("strength", r"^how strong is (?:our|the) relationship with (?P<x>.+)$"),
    ("strength", r"^(?:strength|score) (?:of|with) (?P<x>.+)$"),
    ("strength", r"^(?:que tan|cuan) fuerte es (?:nuestra |la )?relacion con (?P<x>.+)$"),
    ("strength", r"^(?:fuerza|fortaleza) (?:de|con) (?:la relacion con )?(?P<x>.+)$"),
    ("strength", r"^(?:who are )?(?:our )?(?:strongest|top) partners$"),
    ("strength", r"^(?:cuales son )?(?:nuestros )?(?:aliados|socios) mas fuertes$"),
    ("overdue", r"^what(?: is|s)? (?:overdue|late)$"),
    ("overdue", r"^que (?:esta|hay) (?:vencido|atrasado)$"),
    ("followups", r"^what(?: is|s)? pending$"),
    ("followups", r"^(?:open )?follow ?ups$"),
    ("followups", r"^que (?:esta|hay|queda) pendiente$"),
    ("followups", r"^(?:seguimientos|pendientes)(?: pendientes| abiertos)?$"),
    ("dormant", r"^which relationships are (?:going|getting) cold$"),
    ("dormant", r"^(?:dormant|cold|inactive) (?:partners|relationships)$"),
    ("dormant", r"^que relaciones se (?:estan enfriando|enfrian)$"),
    ("dormant", r"^(?:aliados|relaciones) (?:inactivos|inactivas|frios|frias|dormidos|dormidas)$"),
]

EXAMPLES = [
    "who connects us to Korea?",
    "¿quién nos conecta con Corea?",
    "how strong is our relationship with JICA?",
    "¿qué tan fuerte es la relación con AMCHAM?",
    "what is overdue?",
    "¿qué está pendiente?",
    "which relationships are going cold?",
    "¿qué relaciones se están enfriando?",
]


class Intent(BaseModel):
    action: str  # connect, strength, followups, overdue, dormant
    subject: str | None = None


def parse(question: str) -> Intent | None:
    """The intent of a question, or None when it is not one of the understood forms.

    >>> parse("¿Quién nos conecta con Corea?").model_dump()
    {'action': 'connect', 'subject': 'corea'}
    >>> parse("What's overdue?").action
    'overdue'
    """
    text = fold(question)
    text = re.sub(r"[¿?¡!.,;:]+", " ", text.replace("'", "").replace("’", "")).strip()
    text = re.sub(r"\s+", " ", text)
    for action, pattern in FORMS:
        m = re.match(pattern, text)
        if m:
            subject = m.groupdict().get("x")
            if subject:
                subject = re.sub(r"^(?:la|el|los|las|the)\s+", "", subject.strip())
            return Intent(action=action, subject=subject or None)
    return None
