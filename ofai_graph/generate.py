"""A deterministic synthetic data set for tests and benchmarks.

``generate(n_entities, n_interactions, seed)`` returns a plain dict shaped like an import file: a home
office, organizations of every kind spread over countries, people with affiliations, interactions
whose participant counts, kinds, axes, statuses and date precisions follow the seed report's mix,
follow-ups and ties. The same arguments always give the same data.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator
from typing import Any

from .model import Axis, InteractionKind, OrgKind, Role, Status

COUNTRIES = [
    "CO",
    "KR",
    "CN",
    "JP",
    "US",
    "CA",
    "ES",
    "PA",
    "NL",
    "DO",
    "VE",
    "FR",
    "DE",
    "MX",
    "BR",
    "AR",
    "CL",
    "PE",
    "EC",
    "IT",
    "GB",
    "IN",
    "MY",
    "IR",
]
_KINDS = [k.value for k in OrgKind if k is not OrgKind.home_office]
_IKINDS = [k.value for k in InteractionKind]
_AXES = [a.value for a in Axis]
_ROLES = [r.value for r in Role]
_STATUSES = [s.value for s in Status]


def _date(rng: random.Random) -> str:
    year = rng.randint(2019, 2026)
    roll = rng.random()
    if roll < 0.6:  # the report dates most actions only to the quarter
        return f"{year}-Q{rng.randint(1, 4)}"
    if roll < 0.85:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def generate(n_entities: int = 1000, n_interactions: int = 5000, *, seed: int = 0) -> dict[str, Any]:
    """A synthetic data set; ``n_entities`` counts organizations and people (countries come on top).

    >>> data = generate(50, 200, seed=1)
    >>> len(data["organizations"]) + len(data["people"]), len(data["interactions"])
    (50, 200)
    >>> generate(50, 200, seed=1) == data
    True
    """
    return {section: list(items) for section, items in iter_generate(n_entities, n_interactions, seed=seed).items()}


def iter_generate(n_entities: int = 1000, n_interactions: int = 5000, *, seed: int = 0) -> dict[str, Iterable[Any]]:
    """:func:`generate`'s data set with its interactions, follow-ups and ties made as they are read
    (a million interactions held as dicts take 1.2 GB): the entities are lists, the other sections
    iterators to read once, in this order (they draw from one random sequence), as
    :func:`ofai_graph.importer.import_data` does.

    >>> lazy = iter_generate(50, 200, seed=1)
    >>> {section: list(items) for section, items in lazy.items()} == generate(50, 200, seed=1)
    True
    """
    rng = random.Random(seed)
    n_people = n_entities // 5
    n_orgs = max(1, n_entities - n_people)
    orgs: list[dict[str, Any]] = [
        {
            "id": "ofai",
            "name": "Oficina de Asuntos Internacionales",
            "kind": "home_office",
            "countries": ["CO"],
            "aliases": ["OFAI"],
        }
    ]
    for i in range(1, n_orgs):
        kind = rng.choice(_KINDS)
        orgs.append(
            {
                "id": f"org-{i}",
                "name": f"{kind.replace('_', ' ').title()} {i}",
                "kind": kind,
                "countries": [rng.choice(COUNTRIES)],
                "aliases": [f"O{i}"],
            }
        )
    people = [
        {
            "id": f"person-{i}",
            "name": f"Persona {i}",
            "affiliations": [
                {
                    "organization": f"org-{rng.randint(1, max(1, n_orgs - 1))}" if n_orgs > 1 else "ofai",
                    "title": "Representante",
                }
            ],
        }
        for i in range(n_people)
    ]
    ids = [o["id"] for o in orgs] + [p["id"] for p in people]
    # A few hubs get most of the work, as partners do in real offices.
    pool = ids[1:]
    cum = list(itertools.accumulate(1.0 / (1 + rank) ** 0.8 for rank in range(len(ids) - 1)))

    def interactions() -> Iterator[dict[str, Any]]:
        for i in range(n_interactions):
            k = min(len(ids) - 1, rng.choice((1, 1, 2, 2, 3, 4)))
            others = set(rng.choices(pool, cum_weights=cum, k=k)) if len(ids) > 1 else set()
            parts = [{"entity": "ofai", "role": rng.choice(("organizer", "participant", "intermediary"))}]
            parts += [{"entity": e, "role": rng.choice(_ROLES)} for e in sorted(others)]
            yield {
                "id": f"i-{i}",
                "date": _date(rng),
                "kind": rng.choice(_IKINDS),
                "axis": rng.choice(_AXES),
                "title": f"Interacción {i}",
                "participants": parts if rng.random() < 0.7 else parts[1:] or parts,
                "status": rng.choice(_STATUSES),
            }

    def followups() -> Iterator[dict[str, Any]]:
        if not n_interactions:
            return
        for i in range(min(n_interactions, max(1, n_interactions // 20))):
            yield {
                "id": f"f-{i}",
                "description": f"Seguimiento {i}",
                "interaction": f"i-{rng.randrange(n_interactions)}",
                "owner": "ofai",
                "due": _date(rng),
                "status": rng.choice(("open", "open", "done")),
            }

    def ties() -> Iterator[dict[str, Any]]:
        seen = set()
        for _ in range(n_entities // 10):
            a, b = rng.sample(pool, 2) if len(ids) > 2 else (ids[0], ids[-1])
            kind = rng.choice(("member_of", "part_of", "funds", "partner_of", "liaison_for"))
            if (a, kind, b) not in seen and a != b:
                seen.add((a, kind, b))
                yield {"source": a, "target": b, "kind": kind}

    return {
        "organizations": orgs,
        "people": people,
        "interactions": interactions(),
        "followups": followups(),
        "ties": ties(),
    }
