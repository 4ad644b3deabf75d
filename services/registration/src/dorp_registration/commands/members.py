"""Members: register, change, consent, erase, export and look up."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dorp_registration.commands import checks
from dorp_registration.domain.members import Member, preferred_language
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_registration.ports.members import ConsentRecord
from dorp_shared.commands import Command, CommandContext, CommandInput, invalid, not_found
from dorp_shared.contracts.events import (
    PURPOSES,
    AgeBand,
    Channel,
    ConsentChanged,
    Consents,
    ContactDetails,
    MemberErased,
    Purpose,
    RegisteredBy,
    Role,
)
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "members"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE = r"^\+?[0-9 ()-]{6,20}$"
Interest = Field(max_length=60)


class RegisterMember(CommandInput):
    """A new member. Contact details are seen only by notifications, never by other
    members before both sides of a match said yes."""

    role: Role = "parent"
    display_name: str = Field(min_length=1, max_length=80, description="first name or nickname")
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL)
    phone: str | None = Field(default=None, pattern=PHONE)
    channel: Channel = "email"
    home_area: str = Field(description="kern, wijk or district id from the region file")
    languages: tuple[str, ...] = Field(min_length=1, max_length=10)
    preferred_language: str | None = None
    age_bands: tuple[AgeBand, ...] = Field(default=(), description="of the children; no names")
    interests: tuple[str, ...] = Field(default=(), max_length=20)
    organisation_id: uuid.UUID | None = Field(default=None, description="for professionals")
    registered_by: Literal["self", "connector", "staff"] = "self"
    connector_id: uuid.UUID | None = Field(
        default=None, description="the connector registering a parent without internet"
    )
    consents: Consents = Consents()


class MemberRef(CommandInput):
    member_id: uuid.UUID


class UpdateMember(CommandInput):
    """Change what is given; what is left out stays as it is."""

    member_id: uuid.UUID
    role: Role | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL)
    phone: str | None = Field(default=None, pattern=PHONE)
    channel: Channel | None = None
    home_area: str | None = None
    languages: tuple[str, ...] | None = Field(default=None, min_length=1, max_length=10)
    preferred_language: str | None = None
    age_bands: tuple[AgeBand, ...] | None = None
    interests: tuple[str, ...] | None = Field(default=None, max_length=20)
    organisation_id: uuid.UUID | None = None


class SetConsent(CommandInput):
    member_id: uuid.UUID
    purpose: Purpose
    granted: bool
    source: RegisteredBy = "self"


class MemberAccepted(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID


class MemberView(BaseModel):
    """A member as registration holds it (for the member, a connector or staff)."""

    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    role: Role
    home_area: str
    languages: tuple[str, ...]
    preferred_language: str
    age_bands: tuple[AgeBand, ...]
    interests: tuple[str, ...]
    organisation_id: uuid.UUID | None
    registered_by: RegisteredBy
    consents: Consents
    contact: ContactDetails
    registered_at: AwareDatetime
    last_active_at: AwareDatetime


class ConsentView(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    consents: Consents


class ErasureView(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    erased_at: AwareDatetime


class MemberExport(BaseModel):
    """Everything registration holds on one member, per kind of record."""

    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    exported_at: AwareDatetime
    records: dict[str, list[dict[str, Any]]]


def check_register(item: RegisterMember, region: Region) -> list[FieldError]:
    return [
        *checks.area("home_area", item.home_area, region),
        *checks.languages("languages", item.languages, region),
        *checks.language("preferred_language", item.preferred_language, region),
        *_connector_rule(item),
    ]


def _connector_rule(item: RegisterMember) -> list[FieldError]:
    if item.registered_by == "connector" and item.connector_id is None:
        return [FieldError(field="connector_id", message="required when a connector registers")]
    return []


def check_update(item: UpdateMember, region: Region) -> list[FieldError]:
    return [
        *checks.area("home_area", item.home_area, region),
        *checks.languages("languages", item.languages or (), region),
        *checks.language("preferred_language", item.preferred_language, region),
    ]


async def require_member(
    uow: RegistrationUnitOfWork, member_id: uuid.UUID, field: str = "member_id"
) -> Member:
    """The member, or a rejection naming the field: unknown and erased members alike."""
    member = await uow.members.get(member_id)
    if member is None or member.erased:
        raise invalid(field, f"no member with id {member_id}")
    return member


async def register_member(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RegisterMember
) -> MemberAccepted:
    member = await new_member(uow, ctx, item, uuid.uuid4())
    await add_member(uow, ctx, member)
    return MemberAccepted(member_id=member.member_id)


async def new_member(
    uow: RegistrationUnitOfWork,
    ctx: CommandContext,
    item: RegisterMember,
    member_id: uuid.UUID,
    partner_id: str | None = None,
) -> Member:
    """Build (not store) a member from valid input, checking what it refers to."""
    if item.connector_id is not None:
        connector = await require_member(uow, item.connector_id, "connector_id")
        if connector.role != "connector":
            raise invalid("connector_id", "this member is not a connector")
    if item.organisation_id is not None:
        await _require_organisation(uow, item.organisation_id)
    registered_by: RegisteredBy = "partner" if partner_id else item.registered_by
    return Member(
        member_id=member_id,
        role=item.role,
        home_area=item.home_area,
        languages=item.languages,
        preferred_language=preferred_language(
            item.preferred_language, item.languages, ctx.region.default_language
        ),
        age_bands=item.age_bands,
        interests=item.interests,
        registered_by=registered_by,
        consents=item.consents,
        contact=ContactDetails(
            display_name=item.display_name,
            email=item.email,
            phone=item.phone,
            channel=item.channel,
        ),
        registered_at=ctx.now,
        last_active_at=ctx.now,
        partner_id=partner_id,
        connector_id=item.connector_id,
        organisation_id=item.organisation_id,
    )


async def add_member(
    uow: RegistrationUnitOfWork,
    ctx: CommandContext,
    member: Member,
    external_id: str | None = None,
) -> bool:
    """Store a new member with its consents and emit ``MemberRegistered``; False if the id
    was registered before (nothing changes)."""
    if not await uow.members.add(member, external_id):
        return False
    for purpose in PURPOSES:
        if member.consents.granted(purpose):
            record = ConsentRecord(purpose, True, member.registered_by, ctx.now)
            await uow.members.record_consent(member.member_id, record)
    await uow.emit(member.registered_event(), event_id=_event_id(member.member_id, "registered"))
    return True


async def update_member(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: UpdateMember
) -> MemberView:
    member = await _existing(uow, item.member_id)
    changed = apply_update(member, item, ctx.region)
    if item.organisation_id is not None:
        await _require_organisation(uow, item.organisation_id)
    if not changed.same_profile(member):
        await uow.members.save(changed)
        await uow.emit(changed.profile_event())
    await uow.members.touch(member.member_id, ctx.now)
    return view(changed)


CONTACT_FIELDS = ("display_name", "email", "phone", "channel")
PROFILE_FIELDS = ("role", "home_area", "age_bands", "interests", "organisation_id")


def apply_update(member: Member, item: UpdateMember, region: Region) -> Member:
    """The member with what the update gives; a field left out or null stays as it is."""
    given = {
        key: value
        for key, value in item.model_dump(exclude_unset=True, exclude={"member_id"}).items()
        if value is not None
    }
    contact = member.contact.model_copy(
        update={key: given[key] for key in CONTACT_FIELDS if key in given}
    )
    languages = tuple(given.get("languages", member.languages))
    preferred = given.get("preferred_language") or (
        member.preferred_language
        if member.preferred_language in languages
        else preferred_language(None, languages, region.default_language)
    )
    return replace(
        member,
        **{key: given[key] for key in PROFILE_FIELDS if key in given},
        languages=languages,
        preferred_language=preferred,
        contact=contact,
    )


async def set_consent(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: SetConsent
) -> ConsentView:
    """Record the consent with time and source; publish only a real change."""
    member = await _existing(uow, item.member_id)
    await uow.members.record_consent(
        member.member_id, ConsentRecord(item.purpose, item.granted, item.source, ctx.now)
    )
    changed = member.with_consent(item.purpose, item.granted)
    if changed.consents != member.consents:
        await uow.members.save(changed)
        await uow.emit(
            ConsentChanged(
                member_id=member.member_id,
                purpose=item.purpose,
                granted=item.granted,
                source=item.source,
                recorded_at=ctx.now,
                consents=changed.consents,
            )
        )
    await uow.members.touch(member.member_id, ctx.now)
    return ConsentView(member_id=member.member_id, consents=changed.consents)


async def erase_member(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: MemberRef
) -> ErasureView:
    member = await uow.members.get(item.member_id)
    if member is None:
        raise not_found("member", item.member_id)
    if member.erased_at is not None:
        return ErasureView(member_id=member.member_id, erased_at=member.erased_at)
    await erase(uow, member.member_id, ctx.now, "request")
    return ErasureView(member_id=member.member_id, erased_at=ctx.now)


async def erase(
    uow: RegistrationUnitOfWork,
    member_id: uuid.UUID,
    now: datetime,
    reason: Literal["request", "retention"],
) -> None:
    """Erase in every repository, publish ``MemberErased`` and queue the stream purge."""
    for repository in uow.member_data():
        await repository.forget(member_id, now)
    envelope = await uow.emit(MemberErased(member_id=member_id, reason=reason, erased_at=now))
    await uow.members.queue_purge(member_id, envelope.event_id)


async def export_member(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: MemberRef
) -> MemberExport:
    await _existing(uow, item.member_id)
    records: dict[str, list[dict[str, Any]]] = {}
    for repository in uow.member_data():
        records.update(await repository.export(item.member_id))
    return MemberExport(member_id=item.member_id, exported_at=ctx.now, records=records)


async def get_member(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: MemberRef
) -> MemberView:
    return view(await _existing(uow, item.member_id))


def view(member: Member) -> MemberView:
    return MemberView(
        member_id=member.member_id,
        role=member.role,
        home_area=member.home_area,
        languages=member.languages,
        preferred_language=member.preferred_language,
        age_bands=member.age_bands,
        interests=member.interests,
        organisation_id=member.organisation_id,
        registered_by=member.registered_by,
        consents=member.consents,
        contact=member.contact,
        registered_at=member.registered_at,
        last_active_at=member.last_active_at,
    )


async def _existing(uow: RegistrationUnitOfWork, member_id: uuid.UUID) -> Member:
    member = await uow.members.get(member_id)
    if member is None or member.erased:
        raise not_found("member", member_id)
    return member


async def _require_organisation(uow: RegistrationUnitOfWork, organisation_id: uuid.UUID) -> None:
    if not await uow.organisations.exists(organisation_id):
        raise invalid("organisation_id", f"no organisation with id {organisation_id}")


def _event_id(member_id: uuid.UUID, what: str) -> uuid.UUID:
    """Derived, so a member registered twice (a partner resending) publishes once."""
    return uuid.uuid5(member_id, what)


COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (
    Command(
        name="register_member",
        input=RegisterMember,
        output=MemberAccepted,
        handle=register_member,
        summary="Register a member (parent, volunteer, professional or connector).",
        tag=TAG,
        check=check_register,
    ),
    Command(
        name="update_member",
        input=UpdateMember,
        output=MemberView,
        handle=update_member,
        summary="Change a member's profile or contact details.",
        tag=TAG,
        check=check_update,
    ),
    Command(
        name="set_consent",
        input=SetConsent,
        output=ConsentView,
        handle=set_consent,
        summary="Give or withdraw consent for one purpose (matching, notifications, "
        "quotes, research).",
        tag=TAG,
    ),
    Command(
        name="erase_member",
        input=MemberRef,
        output=ErasureView,
        handle=erase_member,
        summary="Erase a member: registration forgets them and every service is told to.",
        tag=TAG,
    ),
    Command(
        name="export_member",
        input=MemberRef,
        output=MemberExport,
        handle=export_member,
        summary="Everything registration holds on a member, as JSON.",
        tag=TAG,
        query=True,
    ),
    Command(
        name="get_member",
        input=MemberRef,
        output=MemberView,
        handle=get_member,
        summary="A member's profile and consents.",
        tag=TAG,
        query=True,
    ),
)
