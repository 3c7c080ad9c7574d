"""The column headers a person reads over a result's fields in a notebook table.

A result's fields are named for programs (``last_interaction``, ``days_silent``): ``records()`` and
``to_frame()`` keep those names. The HTML tables a notebook shows are for people, so each field has
a header here, translated like every other text. A test fails on a result field without one.
"""

from __future__ import annotations

from .errors import N_

HEADERS: dict[str, str] = {
    "a": N_("A"),
    "a_name": N_("name of A"),
    "action": N_("action"),
    "active": N_("active"),
    "affiliation_names": N_("affiliated with"),
    "affiliations": N_("affiliations"),
    "aliases": N_("aliases"),
    "as_of": N_("as of"),
    "at_stake": N_("at stake"),
    "axis": N_("strategic axis"),
    "b": N_("B"),
    "b_name": N_("name of B"),
    "backend": N_("storage"),
    "betweenness": N_("betweenness"),
    "contributions": N_("contributions"),
    "countries": N_("countries"),
    "counts": N_("counts"),
    "date": N_("date"),
    "days_ago": N_("days ago"),
    "days_left": N_("days left"),
    "days_silent": N_("days without contact"),
    "detail": N_("detail"),
    "direction": N_("direction"),
    "due_on": N_("due on"),
    "evidence": N_("evidence"),
    "expected_from_name": N_("expected from"),
    "extra": N_("more"),
    "facets": N_("facets"),
    "followup": N_("follow-up"),
    "groups": N_("groups"),
    "hops": N_("hops"),
    "id": N_("id"),
    "ids": N_("ids"),
    "index": N_("number"),
    "interaction": N_("interaction"),
    "interaction_title": N_("interaction title"),
    "interactions": N_("interactions"),
    "kind": N_("kind"),
    "label": N_("label"),
    "language": N_("language"),
    "last": N_("last interaction (day)"),
    "last_interaction": N_("last interaction (day)"),
    "last_label": N_("last interaction"),
    "last_title": N_("last interaction's title"),
    "location": N_("location"),
    "matched": N_("matched"),
    "max_hops": N_("most hops"),
    "members": N_("members"),
    "most_active": N_("most active"),
    "name": N_("name"),
    "names": N_("names"),
    "nearest": N_("nearest"),
    "nearest_names": N_("nearest, by name"),
    "next_step": N_("next step"),
    "nodes": N_("nodes"),
    "note": N_("note"),
    "open_followups": N_("open follow-ups"),
    "other": N_("other"),
    "other_name": N_("other's name"),
    "others": N_("others"),
    "overdue": N_("overdue"),
    "overdue_followups": N_("overdue follow-ups"),
    "own_side": N_("own side"),
    "owner_name": N_("owner"),
    "paths": N_("routes"),
    "peak_on": N_("peak on"),
    "peak_score": N_("peak strength"),
    "points": N_("points"),
    "query": N_("query"),
    "reciprocal": N_("reciprocal"),
    "relationships": N_("relationships"),
    "roles": N_("roles"),
    "schema_version": N_("schema version"),
    "score": N_("strength"),
    "scores": N_("strengths"),
    "since": N_("since"),
    "size": N_("size"),
    "source": N_("from"),
    "source_name": N_("from (name)"),
    "status": N_("status"),
    "subject": N_("subject"),
    "subject_info": N_("subject"),
    "subject_name": N_("subject's name"),
    "tags": N_("tags"),
    "target": N_("to"),
    "target_name": N_("to (name)"),
    "text": N_("text"),
    "tier": N_("tier"),
    "tier_peak": N_("peak tier"),
    "ties": N_("ties"),
    "timeline": N_("timeline"),
    "timeline_total": N_("interactions in all"),
    "title": N_("title"),
    "type": N_("type"),
    "until": N_("until"),
    "weakest": N_("weakest"),
    "with_id": N_("with"),
    "with_name": N_("with (name)"),
}


def header(column: str, lang: str) -> str:
    """The header of a column (``subject_info.name`` → "tema · nombre" in Spanish).

    A key of a free-form mapping with no header of its own is shown as written.

    >>> header("days_silent", "es"), header("subject_info.name", "en"), header("strength to home office", "en")
    ('días sin contacto', 'subject · name', 'strength to home office')
    """
    from .i18n import gettext_for

    _ = gettext_for(lang)
    return " · ".join(_(HEADERS[part]) if part in HEADERS else part for part in column.split("."))
