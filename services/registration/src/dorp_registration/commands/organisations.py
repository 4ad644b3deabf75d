"""Organisations: register, change and look up schools, daycare, GGD and other partners.

Every change publishes ``OrganisationRegistered`` again with the same id: the latest event
is the organisation's state. :func:`put_organisation` is the use case the commands and the
partner intake (handlers.py) share.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dorp_registration.commands import checks
from dorp_registration.domain.organisations import Organisation
from dorp_registration.domain.records import Source
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_registration.ports.organisations import OrganisationFilter
from dorp_shared.commands import (
    CONFLICT,
    Command,
    CommandContext,
    CommandInput,
    CommandRejected,
    not_found,
)
from dorp_shared.contracts.events import OrganisationType
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "organisations"
PARTNER_ID = r"^[a-z0-9][a-z0-9-]*$"
"""The form of a partner id in region files and on partner subjects."""
PartnerId = Annotated[
    str,
    Field(
        max_length=60,
        pattern=PARTNER_ID,
        description="the id its own system uses on partner subjects (dorp.<region>.partner.<id>.*)",
    ),
]


class RegisterOrganisation(CommandInput):
    name: str = Field(min_length=1, max_length=120)
    type: OrganisationType
    home_area: str | None = Field(
        default=None, description="kern, wijk or district id; none for region-wide"
    )
    is_partner: bool = False
    partner_id: PartnerId | None = None


class UpdateOrganisation(CommandInput):
    """Change what is given; what is left out or null stays as it is."""

    organisation_id: uuid.UUID
    name: str | None = Field(default=None, min_length=1, max_length=120)
    type: OrganisationType | None = None
    home_area: str | None = None
    is_partner: bool | None = None
    partner_id: PartnerId | None = None


class OrganisationRef(CommandInput):
    organisation_id: uuid.UUID


class ListOrganisations(CommandInput):
    type: OrganisationType | None = None
    home_area: str | None = None
    is_partner: bool | None = None


class OrganisationAccepted(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation_id: uuid.UUID


class OrganisationView(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation_id: uuid.UUID
    name: str
    type: OrganisationType
    home_area: str | None
    is_partner: bool
    partner_id: str | None
    registered_at: AwareDatetime
    updated_at: AwareDatetime


class OrganisationList(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisations: tuple[OrganisationView, ...]


def check_area(
    item: RegisterOrganisation | UpdateOrganisation | ListOrganisations, region: Region
) -> list[FieldError]:
    return checks.area("home_area", item.home_area, region)


async def put_organisation(
    uow: RegistrationUnitOfWork,
    organisation: Organisation,
    *,
    known: Organisation | None,
    source: Source | None = None,
) -> bool:
    """Store a new or changed organisation (``known``: as it was) and publish its state;
    False when it was known and is unchanged (nothing stored, nothing published)."""
    if known is not None and known.same_as(organisation):
        return False
    await _require_free_partner_id(uow, organisation)
    if known is None:
        if not await uow.organisations.add(organisation, source):
            return False  # registered meanwhile by a concurrent copy of the same record
    else:
        await uow.organisations.save(organisation)
    await uow.emit(organisation.registered_event())
    return True


async def register_organisation(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RegisterOrganisation
) -> OrganisationAccepted:
    organisation = Organisation(
        organisation_id=uuid.uuid4(),
        name=item.name,
        type=item.type,
        home_area=item.home_area,
        is_partner=item.is_partner,
        partner_id=item.partner_id,
        registered_at=ctx.now,
        updated_at=ctx.now,
    )
    await put_organisation(uow, organisation, known=None)
    return OrganisationAccepted(organisation_id=organisation.organisation_id)


async def update_organisation(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: UpdateOrganisation
) -> OrganisationView:
    known = await _existing(uow, item.organisation_id)
    given = item.model_dump(exclude_none=True, exclude={"organisation_id"})
    changed = known.changed(given, ctx.now)
    if await put_organisation(uow, changed, known=known):
        return view(changed)
    return view(known)


async def get_organisation(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: OrganisationRef
) -> OrganisationView:
    return view(await _existing(uow, item.organisation_id))


async def list_organisations(
    uow: RegistrationUnitOfWork, ctx: CommandContext, query: ListOrganisations
) -> OrganisationList:
    wanted = OrganisationFilter(
        type=query.type, home_area=query.home_area, is_partner=query.is_partner
    )
    found = await uow.organisations.find(wanted)
    return OrganisationList(organisations=tuple(view(item) for item in found))


def view(organisation: Organisation) -> OrganisationView:
    return OrganisationView(
        organisation_id=organisation.organisation_id,
        name=organisation.name,
        type=organisation.type,
        home_area=organisation.home_area,
        is_partner=organisation.is_partner,
        partner_id=organisation.partner_id,
        registered_at=organisation.registered_at,
        updated_at=organisation.updated_at,
    )


async def _existing(uow: RegistrationUnitOfWork, organisation_id: uuid.UUID) -> Organisation:
    organisation = await uow.organisations.get(organisation_id)
    if organisation is None:
        raise not_found("organisation", organisation_id)
    return organisation


async def _require_free_partner_id(uow: RegistrationUnitOfWork, organisation: Organisation) -> None:
    """One organisation per partner id: the id says whose system sends a partner event."""
    if organisation.partner_id is None:
        return
    holder = await uow.organisations.holder_of_partner_id(organisation.partner_id)
    if holder is not None and holder != organisation.organisation_id:
        raise CommandRejected(
            CONFLICT, f"partner_id {organisation.partner_id!r} belongs to organisation {holder}"
        )


COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (
    Command(
        name="register_organisation",
        input=RegisterOrganisation,
        output=OrganisationAccepted,
        handle=register_organisation,
        summary="Register an organisation (school, daycare, GGD, ...) and whether it is a partner.",
        tag=TAG,
        check=check_area,
    ),
    Command(
        name="update_organisation",
        input=UpdateOrganisation,
        output=OrganisationView,
        handle=update_organisation,
        summary="Change an organisation; its new state is published again.",
        tag=TAG,
        check=check_area,
    ),
    Command(
        name="get_organisation",
        input=OrganisationRef,
        output=OrganisationView,
        handle=get_organisation,
        summary="One organisation.",
        tag=TAG,
        query=True,
    ),
    Command(
        name="list_organisations",
        input=ListOrganisations,
        output=OrganisationList,
        handle=list_organisations,
        summary="Organisations by name, optionally of one type, area or partner status.",
        tag=TAG,
        query=True,
        check=check_area,
    ),
)
