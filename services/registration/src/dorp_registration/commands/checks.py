"""Region rules for command input: the closed sets a region file defines (areas, languages,
help kinds). Each error names the field (``languages.1``) and lists the allowed values."""

from __future__ import annotations

from collections.abc import Iterable

from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region


def area_ids(region: Region) -> tuple[str, ...]:
    return tuple(area.id for area in region.areas)


def one_of(field: str, value: str | None, allowed: tuple[str, ...], what: str) -> list[FieldError]:
    """No error for None: optional fields are checked only when given."""
    if value is None or value in allowed:
        return []
    return [FieldError(field=field, message=f"unknown {what} {value!r}", allowed=allowed)]


def each_of(
    field: str, values: Iterable[str], allowed: tuple[str, ...], what: str
) -> list[FieldError]:
    return [
        error
        for index, value in enumerate(values)
        for error in one_of(f"{field}.{index}", value, allowed, what)
    ]


def area(field: str, value: str | None, region: Region) -> list[FieldError]:
    return one_of(field, value, area_ids(region), region.area_unit)


def language(field: str, value: str | None, region: Region) -> list[FieldError]:
    return one_of(field, value, region.languages, "language")


def languages(field: str, values: Iterable[str], region: Region) -> list[FieldError]:
    return each_of(field, values, region.languages, "language")


def help_kind(field: str, value: str | None, region: Region) -> list[FieldError]:
    return one_of(field, value, region.help_kinds, "help kind")
