"""Pydantic validation errors as Dorp field errors: one per field, naming the field and,
where the set of values is closed (a ``Literal``), listing the allowed values. Also what
pydantic does not do for us: refuse text PostgreSQL cannot store (the NUL character), and
make input models' JSON schemas say exactly what validation accepts."""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from dorp_shared.contracts.partner import FieldError

MAX_FIELD_ERRORS = 20
NUL = "\x00"
DICT_KEY = "[key]"
BLANKS = " \t\n\r\f\v"
NOT_BLANK = "[^ \\t\\n\\r\\f\\v]"
"""A JSON-schema pattern: at least one character that is not a blank. Spelt out, not
``\\S``, because JSON Schema, Python and Rust disagree on what ``\\s`` matches."""


def field_errors(model: type[BaseModel] | None, exc: ValidationError) -> tuple[FieldError, ...]:
    return errors_from_details(model, exc.errors())


def errors_from_details(
    model: type[BaseModel] | None, details: Sequence[Any], *, skip: int = 0
) -> tuple[FieldError, ...]:
    """``details`` are pydantic error dicts; ``skip`` drops leading loc parts (``body``)."""
    found = []
    for detail in list(details)[:MAX_FIELD_ERRORS]:
        loc = tuple(detail.get("loc", ()))[skip:]
        found.append(_field_error(model, loc, detail))
    return tuple(found)


def _field_error(model: type[BaseModel] | None, loc: tuple[Any, ...], detail: Any) -> FieldError:
    field = _dotted(loc)
    kind = detail.get("type", "")
    allowed: tuple[str, ...] | None = None
    if model is not None:
        if kind == "extra_forbidden":
            owner = _model_at(model, loc[:-1])
            allowed = tuple(owner.model_fields) if owner else None
        elif kind in ("literal_error", "enum"):
            allowed = literal_values(_annotation_at(model, loc)) or None
    return FieldError(field=field, message=str(detail.get("msg", "invalid")), allowed=allowed)


def literal_values(annotation: Any) -> tuple[str, ...]:
    """Every Literal value inside an annotation such as ``tuple[AgeBand, ...] | None``."""
    if get_origin(annotation) is Literal:
        return tuple(str(value) for value in get_args(annotation))
    found: list[str] = []
    for arg in get_args(annotation):
        found.extend(value for value in literal_values(arg) if value not in found)
    return tuple(found)


def _annotation_at(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The annotation of the field at ``loc`` (``("time_windows", 0, "day")``), or None."""
    annotation: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # an index into a tuple or list: the element type comes next
        owner = _as_model(annotation)
        if owner is None or part not in owner.model_fields:
            return annotation if isinstance(part, str) else None
        annotation = owner.model_fields[part].annotation
    return annotation


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    return _as_model(_annotation_at(model, loc)) if loc else model


def _as_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``Model``, ``Model | None`` or ``tuple[Model, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, tuple, list, set, frozenset):
        for arg in get_args(annotation):
            found = _as_model(arg)
            if found is not None:
                return found
    return None


def unstorable_text(data: Any, path: tuple[str | int, ...] = ()) -> tuple[FieldError, ...]:
    """One error per string in parsed JSON that holds a NUL character: valid JSON and valid
    for pydantic, but PostgreSQL's text type refuses it, so it must be rejected up front."""
    if isinstance(data, str):
        return (_nul_error(path),) if NUL in data else ()
    if isinstance(data, dict):
        items: list[tuple[Any, Any]] = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return ()
    found: list[FieldError] = []
    for key, value in items:
        if isinstance(key, str) and NUL in key:
            found.append(_nul_error((*path, key)))
        else:
            found.extend(unstorable_text(value, (*path, key)))
    return tuple(found[:MAX_FIELD_ERRORS])


def _nul_error(path: tuple[str | int, ...]) -> FieldError:
    return FieldError(field=_dotted(path), message="must not contain the NUL character (\\u0000)")


def _dotted(loc: tuple[Any, ...]) -> str:
    """``("windows", 0, "day")`` as ``windows.0.day``; the body itself is ``(body)``.
    Pydantic's ``[key]`` marker (the key, not its value, is wrong) is left out; it always
    follows the key it is about, so a first part ``[key]`` is a field a sender named so."""
    parts = [str(part) for n, part in enumerate(loc) if not (n and part == DICT_KEY)]
    return ".".join(parts) if loc else "(body)"


def must_not_be_blank(field: FieldInfo) -> bool:
    """Required text: a ``min_length`` and no pattern of its own (which would decide)."""
    lengths = [getattr(item, "min_length", None) or 0 for item in field.metadata]
    patterns = [getattr(item, "pattern", None) for item in field.metadata]
    return max(lengths, default=0) >= 1 and not any(patterns)


def document_input_rules(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Make the model's JSON schema say what validation does: the blank rule (as the
    pattern ``NOT_BLANK``) and the key rule of dicts (see ``_close_dicts``)."""
    properties = schema.get("properties", {})
    for name, info in model.model_fields.items():
        prop = properties.get(info.alias or name, {})
        _close_dicts(prop)
        if must_not_be_blank(info):
            for branch in (prop, *prop.get("anyOf", ())):
                if branch.get("type") == "string":
                    branch["pattern"] = NOT_BLANK


def _close_dicts(schema: Any) -> None:
    """Pydantic documents ``dict[Key, Value]`` with a key pattern as ``patternProperties``,
    which leaves keys that do not match unconstrained; validation rejects them. Say so:
    the pattern goes to ``propertyNames`` and the value schema to ``additionalProperties``."""
    if isinstance(schema, list):
        for item in schema:
            _close_dicts(item)
    if not isinstance(schema, dict):
        return
    patterns = schema.get("patternProperties", {})
    if len(patterns) == 1 and "additionalProperties" not in schema:
        ((pattern, values),) = patterns.items()
        del schema["patternProperties"]
        schema["propertyNames"] = {**schema.get("propertyNames", {}), "pattern": pattern}
        schema["additionalProperties"] = values
    for value in schema.values():
        _close_dicts(value)
