"""Pydantic's validation errors in the reader's language: one table, by error type.

Pydantic writes its errors in English ("Input should be 'meeting', 'visit', ..."). Each error has a
stable ``type`` (pydantic-core's error types: ``missing``, ``extra_forbidden``, ``enum``,
``string_type``...) and context values; :func:`describe` turns one into an ``N_`` template and its
values, translated when the problem is shown (:class:`~ofai_graph.errors.Problem`). Vocabulary
values are written as the reader's labels, with the closest one for a typo; an unknown key names the
closest field. Errors our own validators raise (:class:`~ofai_graph.errors.InvalidValue`: dates,
countries, ties) carry their own template.

>>> from pydantic import ValidationError
>>> from ofai_graph.model import Interaction
>>> try:
...     Interaction(id="x", date="2024", kind="meetingg", title="t", participants=["ofai"])
... except ValidationError as exc:
...     err = exc.errors()[0]
>>> template, params = describe(err, Interaction)
>>> from ofai_graph.errors import render
>>> render(template, params, "en"), render(template, params, "es")
("'meetingg' is not an allowed value; did you mean 'meeting'?", "'meetingg' no es un valor permitido; ¿quiso decir «reunión»?")
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from enum import Enum
from functools import cache, lru_cache
from typing import Any

from pydantic import BaseModel

from .errors import N_, Detail, Label, Listed, Msg, OfaiError, kind_of_value
from .model import SLUG_PATTERN
from .text import LINE_PATTERN, TEXT_PATTERN, control_character, quote

# The one table: pydantic-core error type -> message. Values: {value} the input as written (quoted),
# {found} what sort of value it is in words, and the error's context values by their pydantic names.
MESSAGES: dict[str, str] = {
    "missing": N_("is required"),
    "missing_argument": N_("is required"),
    "extra_forbidden": N_("unknown field (check its spelling); fields are: {fields}"),
    "unexpected_keyword_argument": N_("unknown field (check its spelling); fields are: {fields}"),
    "string_type": N_("must be text, not {found}"),
    "string_too_short": N_("must not be empty"),
    "string_too_long": N_("is longer than {max_length} characters"),
    "int_type": N_("must be a whole number, not {found}"),
    "int_parsing": N_("must be a whole number, not {found}"),
    "int_from_float": N_("must be a whole number, not {found}"),
    "float_type": N_("must be a number, not {found}"),
    "float_parsing": N_("must be a number, not {found}"),
    "bool_type": N_("must be true or false, not {found}"),
    "bool_parsing": N_("must be true or false, not {found}"),
    "greater_than_equal": N_("must be {ge} or more"),
    "greater_than": N_("must be more than {gt}"),
    "less_than_equal": N_("must be {le} or less"),
    "less_than": N_("must be less than {lt}"),
    "list_type": N_("must be a list, not {found}"),
    "tuple_type": N_("must be a list, not {found}"),
    "too_short": N_("must have at least {min_length} item(s); it has {actual_length}"),
    "too_long": N_("must have at most {max_length} item(s); it has {actual_length}"),
    "dict_type": N_("must be a mapping of fields, not {found}"),
    "model_type": N_("must be a mapping of fields, not {found}"),
    "model_attributes_type": N_("must be a mapping of fields, not {found}"),
    "dataclass_type": N_("must be a mapping of fields, not {found}"),
    "named_tuple_type": N_(
        "must be an entity and its role, [entity, role], not {found}"
    ),
    "arguments_type": N_(
        "must be an entity and its role, [entity, role], not {found}"
    ),
    "enum": N_("{value} is not an allowed value; use one of: {choices}"),
    "literal_error": N_("{value} is not allowed here; write {choices}"),
    "date_type": N_("{value} is not a day: write YYYY-MM-DD"),
    "date_parsing": N_("{value} is not a day: write YYYY-MM-DD"),
    "date_from_datetime_parsing": N_("{value} is not a day: write YYYY-MM-DD"),
    "date_from_datetime_inexact": N_("{value} is not a day: write YYYY-MM-DD"),
    "datetime_type": N_("{value} is not a date and time: write YYYY-MM-DDTHH:MM"),
    "datetime_parsing": N_("{value} is not a date and time: write YYYY-MM-DDTHH:MM"),
    "string_pattern_mismatch": N_("{value} is not written as expected"),
    "union_tag_invalid": N_("{value} is not allowed here; write {choices}"),
    "union_tag_not_found": N_("is required"),
}
OTHER = N_("{value} is not valid here")
# Messages that refine a row of the table.
EMPTY_LIST = N_("must not be empty")
CLOSEST = N_("{value} is not an allowed value; did you mean '{suggestion}'?")
UNKNOWN_FIELD = N_("unknown field; did you mean '{suggestion}'?")
BAD_ID = N_(
    "{value} is not a valid id: use lower-case letters, digits, '-', '_' or '.', starting and ending "
    "with a letter or digit (e.g. 'apc-colombia')"
)
CONTROL_LINE = N_(
    "contains the control character {char}, which is not allowed (one-line text: no tabs or line "
    "breaks either); remove it"
)
CONTROL_TEXT = N_("contains the control character {char}, which is not allowed; remove it")

MODEL_TAGS = frozenset({"function-after", "function-before", "function-plain", "function-wrap"})
"""Steps pydantic adds to an error's location for validators: not fields a person wrote."""


def describe(err: Mapping[str, Any], model: type | None = None) -> tuple[str, dict[str, object]]:
    """The message template and values for one pydantic error of ``model`` (or of a value of no model)."""
    kind = str(err["type"])
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    loc = tuple(p for p in err.get("loc", ()) if p not in MODEL_TAGS)
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        if isinstance(error, OfaiError) and getattr(error, "template", None):
            return error.template, dict(error.params)
        # A validator of a library we call: its English is all there is.
        msg = str(err.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        return N_("not valid: {reason}"), {"reason": Detail(msg, N_("the value is not accepted"))}
    params: dict[str, object] = {"value": quote(value), "found": kind_of_value(value)}
    params.update({k: v for k, v in ctx.items() if k != "error"})
    container, annotation = _at(model, loc) if model is not None else (None, None)
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        fields = _field_names(container)
        near = _closest_key(str(loc[-1]) if loc else "", fields)
        if near:
            return UNKNOWN_FIELD, {"suggestion": near}
        params["fields"] = ", ".join(fields) if fields else "—"
        return MESSAGES[kind], params
    if kind == "enum":
        vocabulary = annotation if isinstance(annotation, type) and issubclass(annotation, Enum) else None
        if vocabulary is None:
            params["choices"] = ctx.get("expected", "")
            return MESSAGES[kind], params
        name = vocabulary.__name__
        near = getattr(vocabulary, "closest", lambda _t: None)(value) if isinstance(value, str) else None
        if near is not None:
            return CLOSEST, {"value": quote(value), "suggestion": Label(name, near.value)}
        params["choices"] = Listed(Label(name, m.value) for m in vocabulary)
        return MESSAGES[kind], params
    if kind in ("literal_error", "union_tag_invalid"):
        params["choices"] = ctx.get("expected") or ctx.get("expected_tags") or ""
        return MESSAGES[kind], params
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern")
        if pattern == SLUG_PATTERN:
            return BAD_ID, params
        if pattern in (LINE_PATTERN, TEXT_PATTERN):
            allowed = "\t\n" if pattern == TEXT_PATTERN else ""
            char = control_character(str(value), allow=allowed)
            return (CONTROL_TEXT if allowed else CONTROL_LINE), {"char": char}
    if kind == "too_short" and ctx.get("min_length") == 1:
        return EMPTY_LIST, params
    return MESSAGES.get(kind, OTHER), params


def field_path(err: Mapping[str, Any], model: type | None = None) -> str:
    """The field of an error as a person finds it in the file: ``participants.2.role`` rather than
    pydantic's ``participants.2.1`` (a participant is a pair), without validator steps."""
    loc = tuple(p for p in err.get("loc", ()) if p not in MODEL_TAGS)
    if model is None:
        return ".".join(str(p) for p in loc)
    return ".".join(_names(model, loc))


def _unwrap(tp: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _is_named_tuple(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


def _child(tp: Any, part: Any) -> tuple[Any, str]:
    """The type at ``part`` inside ``tp`` and how the part is written for a person."""
    tp = _unwrap(tp)
    if isinstance(part, int):
        if _is_named_tuple(tp) and part < len(tp._fields):
            name = tp._fields[part]
            return _hints(tp).get(name), name
        if typing.get_origin(tp) in (list, tuple, set, frozenset, Sequence):
            args = typing.get_args(tp)
            return (args[0] if args else None), str(part)
        return None, str(part)
    if isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
        return tp.model_fields[part].annotation, str(part)
    if _is_named_tuple(tp) and part in tp._fields:
        return _hints(tp).get(part), str(part)
    return None, str(part)


@cache
def _hints(tp: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(tp)
    except Exception:  # a forward reference that cannot be resolved: no type, the path still shows
        return {}


@lru_cache(maxsize=4096)  # a bad file repeats one field's error on every record
def _names(model: type, loc: tuple[Any, ...]) -> list[str]:
    tp: Any = model
    out = []
    for part in loc:
        tp, name = _child(tp, part)
        out.append(name)
    return out


@lru_cache(maxsize=4096)
def _at(model: type, loc: tuple[Any, ...]) -> tuple[Any, Any]:
    """The type holding the last part of ``loc`` and the type at ``loc`` (None where unknown)."""
    tp: Any = model
    container: Any = model
    for part in loc:
        container = _unwrap(tp)
        tp, _ = _child(tp, part)
    return container, _unwrap(tp) if tp is not None else None


def _field_names(container: Any) -> list[str]:
    if isinstance(container, type) and issubclass(container, BaseModel):
        # "type" is implied by the section a record is in; it is not something to suggest.
        return [name for name in container.model_fields if name != "type"]
    if _is_named_tuple(container):
        return list(container._fields)
    return []


def _closest_key(key: str, fields: Sequence[str]) -> str | None:
    from .text import closest

    return closest(key.replace("-", "_"), fields)


def problem_message(err: Mapping[str, Any], model: type | None = None) -> Msg:
    """:func:`describe` as one message, for an error shown outside a Problem."""
    template, params = describe(err, model)
    return Msg(template, **params)


__all__ = ["MESSAGES", "describe", "field_path", "problem_message"]
