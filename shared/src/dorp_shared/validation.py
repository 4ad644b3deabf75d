"""Pydantic validation errors as Dorp field errors: one per field, naming the field and,
where the set of values is closed (a ``Literal``), listing the allowed values."""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from dorp_shared.contracts.partner import FieldError

MAX_FIELD_ERRORS = 20


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
    field = ".".join(str(part) for part in loc) or "(body)"
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
