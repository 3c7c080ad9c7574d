"""Ids for new records that have none: readable, stable, and never another record's.

``add interaction`` and ``add followup`` without ``--id`` name the record after its date and title.
A slug alone collides: titles that differ only after the cut, titles with no letters ("🙂🙂",
"!!!"), titles that differ only in punctuation or accents. :func:`new_id` adds a short hash of the
whole text when the slug lost part of it, then checks the store: an id held by a record with other
text gets a suffix. The same text gives the same id, so adding the same meeting twice finds it again
(and the add then says "unchanged", or refuses to replace it if it differs).
"""

from __future__ import annotations

import hashlib
from typing import Literal

from .store.base import Store
from .text import slugify

Section = Literal["interactions", "followups"]
_DEFAULT_LIMIT = {"interactions": 100, "followups": 80}


def _stored_text(store: Store, section: Section, rid: str) -> str | None:
    """The text the record stored under ``rid`` was named after, or None if there is none."""
    if section == "interactions":
        found = store.get_interactions([rid]).get(rid)
        return None if found is None else f"{found.date} {found.title}"
    for f in store.followups(None):
        if f.id == rid:
            return f.description
    return None


def new_id(store: Store, section: Section, *parts: str, limit: int | None = None) -> str:
    """An id for a new record of ``section`` named after ``parts`` (date and title, or description).

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> store = SQLiteStore(":memory:")
    >>> new_id(store, "interactions", "2024-05-02", "Reunión con JICA")
    '2024-05-02-reunion-con-jica'
    >>> new_id(store, "interactions", "2024-05-02", "!!!")
    '2024-05-02-b0cc89b2'
    """
    limit = limit or _DEFAULT_LIMIT[section]
    text = " ".join(p.strip() for p in parts)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()
    slug = slugify(text)
    title = slugify(parts[-1]) if parts else ""
    if not title:
        # Nothing of the title survives as a slug: the hash stands for it.
        base = f"{slug[: limit - 9]}-{digest}".strip("-")
    elif len(slug) > limit:
        base = f"{slug[: limit - 9].strip('-')}-{digest}"
    else:
        base = slug
    candidates = [base] if base.endswith(digest) else [base, f"{slug[: limit - 9].strip('-')}-{digest}"]
    n = 2
    while True:
        for candidate in candidates:
            held = _stored_text(store, section, candidate)
            if held is None or held == text:
                return candidate
        candidates = [f"{base[: limit - 4].strip('-')}-{n}"]
        n += 1
