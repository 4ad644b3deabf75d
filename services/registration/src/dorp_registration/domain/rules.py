"""The region's rules for partner input: areas, languages and help kinds it knows.

Each check names the field (``languages.1``) and lists the allowed values, so a partner can
fix the record without asking anyone.
"""

from __future__ import annotations

from collections.abc import Iterable

from dorp_registration.domain.intake import PartnerInput
from dorp_registration.domain.outcomes import INVALID_FIELDS, Rejection
from dorp_shared.contracts.partner import (
    FieldError,
    PartnerHelpOffer,
    PartnerHelpRequest,
    PartnerMember,
    PartnerOrganisation,
)
from dorp_shared.regions import Region


def check(item: PartnerInput, region: Region) -> Rejection | None:
    if isinstance(item, PartnerMember):
        errors = member_errors(item, region)
    elif isinstance(item, PartnerOrganisation):
        errors = organisation_errors(item, region)
    else:
        errors = help_errors(item, region)
    if not errors:
        return None
    detail = f"{len(errors)} field(s) not valid in region {region.id}"
    return Rejection(INVALID_FIELDS, detail, errors)


def member_errors(member: PartnerMember, region: Region) -> tuple[FieldError, ...]:
    languages = region.languages
    errors = [
        *_one_of("home_area", member.home_area, _area_ids(region), "area"),
        *_each_of("languages", member.languages, languages, "language"),
    ]
    preferred = member.preferred_language
    if preferred is not None:
        errors.extend(_one_of("preferred_language", preferred, languages, "language"))
    return tuple(errors)


def help_errors(
    item: PartnerHelpRequest | PartnerHelpOffer, region: Region
) -> tuple[FieldError, ...]:
    errors = [
        *_one_of("kind", item.kind, region.help_kinds, "help kind"),
        *_each_of("languages", item.languages, region.languages, "language"),
    ]
    errors.extend(_optional_area(item.home_area, region))
    return tuple(errors)


def organisation_errors(item: PartnerOrganisation, region: Region) -> tuple[FieldError, ...]:
    return tuple(_optional_area(item.home_area, region))


def _optional_area(home_area: str | None, region: Region) -> list[FieldError]:
    """An area need not be given (then it is the member's, or region-wide), but if it is
    given the region must know it."""
    if home_area is None:
        return []
    return _one_of("home_area", home_area, _area_ids(region), "area")


def _area_ids(region: Region) -> tuple[str, ...]:
    return tuple(area.id for area in region.areas)


def _one_of(field: str, value: str, allowed: tuple[str, ...], what: str) -> list[FieldError]:
    if value in allowed:
        return []
    return [FieldError(field=field, message=f"unknown {what} {value!r}", allowed=allowed)]


def _each_of(
    field: str, values: Iterable[str], allowed: tuple[str, ...], what: str
) -> list[FieldError]:
    return [
        error
        for index, value in enumerate(values)
        for error in _one_of(f"{field}.{index}", value, allowed, what)
    ]
