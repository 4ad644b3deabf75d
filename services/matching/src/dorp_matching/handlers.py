"""Use cases: one per consumed event, each in one unit of work with its inbox mark.

The envelope's ``occurred_at`` is the matching moment (for expiry), so a redelivery
decides exactly as the first delivery would have. Events about a member matching does not
know yet are retried (``NotReadyYet``); events about an erased member are dropped.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from dorp_matching.domain.model import Member, Offer, Proposal, Request
from dorp_matching.matchmaker import lock_kinds, propose_next, serve_offer, stop
from dorp_matching.ports import MatchingUnitOfWork
from dorp_matching.recommendations import recommend_sessions
from dorp_shared.contracts import (
    Envelope,
    HelpOffered,
    HelpRequested,
    MemberRegistered,
)
from dorp_shared.contracts.events import (
    ConsentChanged,
    HelpRenewed,
    HelpWithdrawn,
    MemberErased,
    MemberUpdated,
    TimeWindow,
)
from dorp_shared.errors import NotReadyYet, PermanentFailure
from dorp_shared.regions import Region

CONSUMER = "matching"

log = structlog.get_logger(__name__)


async def not_known(uow: MatchingUnitOfWork, member_id: uuid.UUID, what: str) -> None:
    """An unknown member: dropped when erased, else retried until the member arrives."""
    if await uow.members.is_erased(member_id):
        log.info("event.erased_member", what=what)
        return
    raise NotReadyYet(f"{what}: member {member_id} is not known yet")


def check_place(event: Envelope[Any], region: Region, area: str, kind: str | None = None) -> None:
    """An event of another region, or naming an area or help kind this region does not
    have, can never be matched rightly: dead-lettered at once with the reason (never a
    cross-region match, never a retry storm)."""
    if event.region != region.id:
        raise PermanentFailure("wrong_region", f"an event of region {event.region!r}")
    if area not in region.area_ids:
        raise PermanentFailure("unknown_area", f"area {area!r} is not in this region")
    if kind is not None and kind not in region.help_kinds:
        raise PermanentFailure("unknown_kind", f"help kind {kind!r} is not in this region")


async def member_registered(
    event: Envelope[MemberRegistered], uow: MatchingUnitOfWork, region: Region
) -> None:
    """Store the member; a new parent with matching consent gets sessions of existing
    initiatives that fit them (``SessionsRecommended``)."""
    data = event.payload
    check_place(event, region, data.home_area)
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        if await uow.members.is_erased(data.member_id):
            return
        member = Member(
            member_id=data.member_id,
            home_area=data.home_area,
            languages=data.languages,
            age_bands=data.age_bands,
            consents_matching=data.consents.matching,
            role=data.role,
            interests=data.interests,
            registered_by=data.registered_by,
            connector_id=data.connector_id,
        )
        await uow.members.save(member, as_of=event.occurred_at)
        if member.role == "parent":
            await recommend_sessions(uow, member, region, event.occurred_at, event)


async def member_updated(event: Envelope[MemberUpdated], uow: MatchingUnitOfWork) -> None:
    """The profile only; consent comes with ``ConsentChanged``."""
    data = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        profile = Member(
            member_id=data.member_id,
            home_area=data.home_area,
            languages=data.languages,
            age_bands=data.age_bands,
            consents_matching=False,  # not written by update_profile
            role=data.role,
            interests=data.interests,
        )
        if not await uow.members.update_profile(profile, as_of=event.occurred_at):
            await not_known(uow, data.member_id, "member_updated")


async def consent_changed(
    event: Envelope[ConsentChanged], uow: MatchingUnitOfWork, region: Region
) -> list[Proposal]:
    """Without consent a member's pending proposals are cancelled (and the other side gets
    the next best); with consent again, their waiting requests and open offers are tried."""
    data = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return []
        # Every kind, first: no other member's event may propose this member meanwhile.
        await lock_kinds(uow, region.help_kinds)
        at = event.occurred_at
        found = await uow.members.set_consent(
            data.member_id, data.consents.matching, as_of=data.recorded_at
        )
        member = await uow.members.get(data.member_id) if found else None
        if member is None:
            await not_known(uow, data.member_id, "consent_changed")
            return []
        if data.purpose != "matching":
            return []
        if not member.consents_matching:
            pending = await uow.proposals.pending(member_id=member.member_id)
            await stop(uow, pending, "cancelled", "consent_withdrawn", event)
            others = [p.request_id for p in pending if p.requester_id != member.member_id]
            return await propose_next(uow, others, region, at, event)
        requests = await uow.requests.open_of(member.member_id)
        proposals = await propose_next(uow, [r.request_id for r in requests], region, at, event)
        for offer in await uow.offers.open_of(member.member_id):
            proposals += await serve_offer(uow, offer.offer_id, offer.kind, region, at, event)
        return proposals


async def member_erased(
    event: Envelope[MemberErased], uow: MatchingUnitOfWork, region: Region
) -> list[Proposal]:
    """Cancel the member's pending proposals, delete everything matching holds on them, and
    give the people they were proposed to the next best offer."""
    data = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return []
        await lock_kinds(uow, region.help_kinds)  # no proposal to them meanwhile
        pending = await uow.proposals.pending(member_id=data.member_id)
        await stop(uow, pending, "cancelled", "erased", event)
        await uow.members.erase(data.member_id, event.occurred_at)
        await uow.coffee.erase(data.member_id)
        await uow.activities.erase(data.member_id)
        others = [p.request_id for p in pending if p.requester_id != data.member_id]
        return await propose_next(uow, others, region, event.occurred_at, event)


async def help_requested(
    event: Envelope[HelpRequested], uow: MatchingUnitOfWork, region: Region
) -> list[Proposal]:
    """Store the request and propose the best offer, unless it already has a proposal."""
    data = event.payload
    check_place(event, region, data.home_area, data.kind)
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return []
        requester = await uow.members.get(data.member_id)
        if requester is None:
            await not_known(uow, data.member_id, f"request {data.request_id}")
            return []
        request = await uow.requests.add(new_request(event))
        at = event.occurred_at
        found = await propose_next(uow, [request.request_id], region, at, event, [request])
        request_of = (request.request_id, request.kind)
        await recommend_sessions(uow, requester, region, at, event, request=request_of)
        return found


async def help_offered(
    event: Envelope[HelpOffered], uow: MatchingUnitOfWork, region: Region
) -> list[Proposal]:
    """Store the offer and propose it to waiting requests, oldest first, within capacity."""
    data = event.payload
    check_place(event, region, data.home_area, data.kind)
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return []
        if await uow.members.get(data.member_id) is None:
            await not_known(uow, data.member_id, f"offer {data.offer_id}")
            return []
        offer = await uow.offers.add(_offer(data, event))
        return await serve_offer(uow, offer.offer_id, offer.kind, region, event.occurred_at, event)


async def help_withdrawn(
    event: Envelope[HelpWithdrawn], uow: MatchingUnitOfWork, region: Region
) -> list[Proposal]:
    """The request or offer leaves the pool; its pending proposals are cancelled. Requests
    that lose a withdrawn offer get the next best one."""
    data = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return []
        at = event.occurred_at
        item = await _help(uow, data.help_id, data.side, data.member_id)
        if item is None:
            await not_known(uow, data.member_id, f"{data.side} {data.help_id}")
            return []
        await lock_kinds(uow, [item.kind])  # not proposed meanwhile
        if data.side == "request":
            await uow.requests.close(data.help_id, at)
            pending = await uow.proposals.pending(request_id=data.help_id)
        else:
            await uow.offers.close(data.help_id, at)
            pending = await uow.proposals.pending(offer_id=data.help_id)
        freed = await stop(uow, pending, "cancelled", "withdrawn", event)
        if data.side == "request":
            return []
        return await propose_next(uow, freed, region, at, event)


async def help_renewed(
    event: Envelope[HelpRenewed], uow: MatchingUnitOfWork, region: Region
) -> list[Proposal]:
    """A new end date; an item that was expired can be matched again."""
    data = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return []
        at = event.occurred_at
        item = await _help(uow, data.help_id, data.side, data.member_id)
        if item is None:
            await not_known(uow, data.member_id, f"{data.side} {data.help_id}")
            return []
        if isinstance(item, Request):
            await uow.requests.renew(item.request_id, data.expires_at)
            return await propose_next(uow, [item.request_id], region, at, event)
        await uow.offers.renew(item.offer_id, data.expires_at)
        return await serve_offer(uow, item.offer_id, item.kind, region, at, event)


async def _help(
    uow: MatchingUnitOfWork, help_id: uuid.UUID, side: str, member_id: uuid.UUID
) -> Request | Offer | None:
    """The member's own request or offer; None when unknown (it may still come). Someone
    else's is refused at once: a member never withdraws or renews another's help."""
    item: Request | Offer | None = (
        await uow.requests.get(help_id) if side == "request" else await uow.offers.get(help_id)
    )
    if item is not None and item.member_id != member_id:
        raise PermanentFailure("not_own_help", f"{side} {help_id} belongs to another member")
    return item


def windows(found: tuple[TimeWindow, ...]) -> tuple[str, ...]:
    """``mon-morning``: how time windows are stored and compared."""
    return tuple(f"{w.day}-{w.part}" for w in found)


def new_request(event: Envelope[HelpRequested]) -> Request:
    data = event.payload
    return Request(
        request_id=data.request_id,
        member_id=data.member_id,
        kind=data.kind,
        home_area=data.home_area,
        languages=data.languages,
        age_band=data.age_band,
        expires_at=data.expires_at,
        requested_at=event.occurred_at,
        time_windows=windows(data.time_windows),
        prefers_known_people=data.prefers_known_people,
    )


def _offer(data: HelpOffered, event: Envelope[HelpOffered]) -> Offer:
    return Offer(
        offer_id=data.offer_id,
        member_id=data.member_id,
        kind=data.kind,
        home_area=data.home_area,
        languages=data.languages,
        age_bands=data.age_bands,
        capacity=data.capacity,
        expires_at=data.expires_at,
        offered_at=event.occurred_at,
        time_windows=windows(data.time_windows),
    )
