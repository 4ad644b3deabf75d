"""Help requests (vraag) and offers (aanbod): ask, offer, withdraw, renew and look up.

:func:`open_help` is the one use case that opens an item: the commands call it with a new
id, the partner intake (handlers.py) with an id derived from the partner's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dorp_registration.commands import checks
from dorp_registration.commands.members import require_member
from dorp_registration.domain.help import (
    HelpDraft,
    HelpItem,
    HelpStatus,
    NotAllowed,
    draft_of,
    open_item,
    renew,
    status_at,
    withdraw,
)
from dorp_registration.domain.ids import event_id
from dorp_registration.domain.members import Member
from dorp_registration.domain.records import Source
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_registration.ports.help import HelpFilter
from dorp_shared.commands import (
    CONFLICT,
    Command,
    CommandContext,
    CommandInput,
    CommandRejected,
    not_found,
)
from dorp_shared.contracts.events import AgeBand, Side, TimeWindow
from dorp_shared.contracts.partner import ExpiresInDays, FieldError, TimeWindows
from dorp_shared.regions import Region

TAG = "help"
MAX_LIST = 200
T = TypeVar("T")


class RequestHelp(CommandInput):
    """A vraag. What is left out is taken from the member (area, languages) or the region
    (how long it stays open)."""

    member_id: uuid.UUID
    kind: str = Field(description="one of the region's help kinds")
    home_area: str | None = Field(default=None, description="default: the member's")
    languages: tuple[str, ...] = Field(
        default=(), max_length=10, description="default: the member's"
    )
    age_band: AgeBand | None = Field(default=None, description="of the child it is about")
    time_windows: TimeWindows = ()
    prefers_known_people: bool = Field(
        default=False, description="prefer helpers the member has met before"
    )
    text: str = Field(default="", max_length=2000, description="written by the member")
    expires_in_days: ExpiresInDays = None


class OfferHelp(CommandInput):
    """An aanbod. What is left out is taken from the member or the region."""

    member_id: uuid.UUID
    kind: str = Field(description="one of the region's help kinds")
    home_area: str | None = Field(default=None, description="default: the member's")
    languages: tuple[str, ...] = Field(
        default=(), max_length=10, description="default: the member's"
    )
    age_bands: tuple[AgeBand, ...] = Field(default=(), description="ages the helper takes on")
    time_windows: TimeWindows = ()
    capacity: int = Field(default=1, ge=1, le=50, description="how many people at a time")
    text: str = Field(default="", max_length=2000, description="written by the member")
    expires_in_days: ExpiresInDays = None


class HelpRef(CommandInput):
    help_id: uuid.UUID = Field(description="request_id or offer_id")
    side: Side


class ListHelp(CommandInput):
    """For the connector's screens; every filter is optional."""

    member_id: uuid.UUID | None = None
    status: HelpStatus | None = None
    side: Side | None = None
    kind: str | None = None
    home_area: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_LIST)


class HelpAccepted(BaseModel):
    model_config = ConfigDict(frozen=True)

    help_id: uuid.UUID
    side: Side
    expires_at: AwareDatetime


class HelpView(BaseModel):
    """A request or offer with its status now. ``age_band`` and ``prefers_known_people``
    belong to requests; ``age_bands`` and ``capacity`` to offers."""

    model_config = ConfigDict(frozen=True)

    help_id: uuid.UUID
    side: Side
    member_id: uuid.UUID
    kind: str
    home_area: str
    languages: tuple[str, ...]
    time_windows: tuple[TimeWindow, ...]
    text: str
    status: HelpStatus
    created_at: AwareDatetime
    expires_at: AwareDatetime
    withdrawn_at: AwareDatetime | None
    age_band: AgeBand | None
    prefers_known_people: bool
    age_bands: tuple[AgeBand, ...]
    capacity: int | None


class HelpList(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: tuple[HelpView, ...]


def check_help(item: RequestHelp | OfferHelp, region: Region) -> list[FieldError]:
    return [
        *checks.help_kind("kind", item.kind, region),
        *checks.area("home_area", item.home_area, region),
        *checks.languages("languages", item.languages, region),
    ]


def check_list(item: ListHelp, region: Region) -> list[FieldError]:
    return [
        *checks.help_kind("kind", item.kind, region),
        *checks.area("home_area", item.home_area, region),
    ]


async def open_help(
    uow: RegistrationUnitOfWork,
    ctx: CommandContext,
    member: Member,
    draft: HelpDraft,
    *,
    side: Side,
    help_id: uuid.UUID,
    source: Source | None = None,
) -> tuple[HelpItem, bool]:
    """Open a request or offer of ``member`` and publish it once: (item, True if new).
    An id stored before changes nothing and publishes nothing."""
    item = open_item(
        draft,
        side=side,
        help_id=help_id,
        member_id=member.member_id,
        member_area=member.home_area,
        member_languages=member.languages,
        now=ctx.now,
        default_days=ctx.region.help_expiry_days,
    )
    await uow.members.touch(member.member_id, ctx.now)
    if not await uow.help.add(item, source):
        return item, False
    opened = item.opened_event()
    await uow.emit(opened, event_id=event_id(help_id, opened.event_type()))
    return item, True


async def request_help(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RequestHelp
) -> HelpAccepted:
    return await _open(uow, ctx, item, "request")


async def offer_help(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: OfferHelp
) -> HelpAccepted:
    return await _open(uow, ctx, item, "offer")


async def _open(
    uow: RegistrationUnitOfWork, ctx: CommandContext, given: RequestHelp | OfferHelp, side: Side
) -> HelpAccepted:
    member = await require_member(uow, given.member_id)
    draft = draft_of(given)
    opened, _ = await open_help(uow, ctx, member, draft, side=side, help_id=uuid.uuid4())
    return HelpAccepted(help_id=opened.help_id, side=side, expires_at=opened.expires_at)


async def withdraw_help(uow: RegistrationUnitOfWork, ctx: CommandContext, ref: HelpRef) -> HelpView:
    """Only an open item; withdrawing again answers the same and publishes nothing."""
    item = await _existing(uow, ref)
    withdrawn = _allowed(lambda: withdraw(item, ctx.now))
    if withdrawn is None:
        return view(item, ctx.now)
    await _store(uow, withdrawn)
    event = withdrawn.withdrawn_event()
    await uow.emit(event, event_id=event_id(item.help_id, event.event_type()))
    await uow.members.touch(item.member_id, ctx.now)
    return view(withdrawn, ctx.now)


async def renew_help(uow: RegistrationUnitOfWork, ctx: CommandContext, ref: HelpRef) -> HelpView:
    """Open again for the region's period from now, also after expiry."""
    item = await _existing(uow, ref)
    renewed = _allowed(lambda: renew(item, ctx.now, ctx.region.help_expiry_days))
    if renewed.expires_at != item.expires_at:
        await _store(uow, renewed)
        await uow.emit(renewed.renewed_event())
    await uow.members.touch(item.member_id, ctx.now)
    return view(renewed, ctx.now)


async def get_help(uow: RegistrationUnitOfWork, ctx: CommandContext, ref: HelpRef) -> HelpView:
    return view(await _existing(uow, ref), ctx.now)


async def list_help(uow: RegistrationUnitOfWork, ctx: CommandContext, query: ListHelp) -> HelpList:
    wanted = HelpFilter(
        now=ctx.now,
        limit=query.limit,
        member_id=query.member_id,
        status=query.status,
        side=query.side,
        kind=query.kind,
        home_area=query.home_area,
    )
    items = await uow.help.find(wanted)
    return HelpList(items=tuple(view(item, ctx.now) for item in items))


def view(item: HelpItem, now: datetime) -> HelpView:
    return HelpView(
        help_id=item.help_id,
        side=item.side,
        member_id=item.member_id,
        kind=item.kind,
        home_area=item.home_area,
        languages=item.languages,
        time_windows=item.time_windows,
        text=item.text,
        status=status_at(item, now),
        created_at=item.created_at,
        expires_at=item.expires_at,
        withdrawn_at=item.withdrawn_at,
        age_band=item.age_band,
        prefers_known_people=item.prefers_known_people,
        age_bands=item.age_bands,
        capacity=item.capacity,
    )


async def _existing(uow: RegistrationUnitOfWork, ref: HelpRef) -> HelpItem:
    """The item; one withdrawn by its member's erasure is gone for every command."""
    item = await uow.help.get(ref.side, ref.help_id)
    if item is None or item.state == "erased":
        raise not_found(ref.side, ref.help_id)
    return item


async def _store(uow: RegistrationUnitOfWork, changed: HelpItem) -> None:
    if not await uow.help.change_open(changed):
        raise CommandRejected(CONFLICT, f"{changed.side} {changed.help_id} changed meanwhile")


def _allowed(change: Callable[[], T]) -> T:
    """The domain's verdict; a state that forbids the change is a conflict (409)."""
    try:
        return change()
    except NotAllowed as exc:
        raise CommandRejected(CONFLICT, str(exc)) from exc


COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (
    Command(
        name="request_help",
        input=RequestHelp,
        output=HelpAccepted,
        handle=request_help,
        summary="Ask for help of a kind (a vraag); open until it expires or is withdrawn.",
        tag=TAG,
        check=check_help,
    ),
    Command(
        name="offer_help",
        input=OfferHelp,
        output=HelpAccepted,
        handle=offer_help,
        summary="Offer help of a kind (an aanbod); open until it expires or is withdrawn.",
        tag=TAG,
        check=check_help,
    ),
    Command(
        name="withdraw_help",
        input=HelpRef,
        output=HelpView,
        handle=withdraw_help,
        summary="Withdraw an open request or offer; its pending proposals are cancelled.",
        tag=TAG,
    ),
    Command(
        name="renew_help",
        input=HelpRef,
        output=HelpView,
        handle=renew_help,
        summary="Keep a request or offer open for the region's period from now "
        "(also after it expired; not after withdrawal).",
        tag=TAG,
    ),
    Command(
        name="get_help",
        input=HelpRef,
        output=HelpView,
        handle=get_help,
        summary="One request or offer, with its status (open, withdrawn or expired).",
        tag=TAG,
        query=True,
    ),
    Command(
        name="list_help",
        input=ListHelp,
        output=HelpList,
        handle=list_help,
        summary="Requests and offers, newest first, by member, status, side, kind or area.",
        tag=TAG,
        query=True,
        check=check_list,
    ),
)
