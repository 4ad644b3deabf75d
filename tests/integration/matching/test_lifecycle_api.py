"""A proposal's life through the real matching service: answered over HTTP and NATS,
declined into the next best, confirmed, completed with feedback; withdrawn, erased and
expired proposals end with an event. Registration's events are published to JetStream."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.bootstrap import DEFINITION
from dorp_matching.entrypoints.jobs import expire_due
from dorp_shared.contracts.events import (
    ConsentChanged,
    Consents,
    HelpRenewed,
    HelpWithdrawn,
    MemberErased,
    MemberUpdated,
    TimeWindow,
)
from dorp_shared.contracts.subjects import stream_name
from dorp_shared.settings import DorpSettings
from tests.integration.matching.test_matching_service import Registration, all_handled
from tests.support.api import ApiClient, service_api
from tests.support.events import asks, offers
from tests.support.events import parent as member
from tests.support.services import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


async def matching_events(api: ApiClient, name: str | None = None) -> list[dict[str, Any]]:
    """The payloads matching published, in order (of one event name when given)."""
    js = api.nc.jetstream()
    stream = stream_name(api.region, "matching")
    info = await js.stream_info(stream)
    found: list[dict[str, Any]] = []
    if not info.state.messages:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = json.loads((await js.get_msg(stream, seq)).data or b"{}")
        if name is None or message["type"] == f"matching.{name}":
            found.append({"type": message["type"], **message["payload"]})
    return found


async def published(api: ApiClient, name: str, count: int) -> list[dict[str, Any]]:
    """Wait until ``count`` events of one name are out; all of them."""

    async def enough() -> list[dict[str, Any]]:
        found = await matching_events(api, name)
        return found if len(found) >= count else []

    found: list[dict[str, Any]] = await eventually(enough)
    return found


async def slots_held_as_counted(api: ApiClient, held: int = 0) -> None:
    """Every offer's slots held (``active_load``, kept by triggers) are its active
    proposals: the candidate search trusts it never to give a slot twice."""
    async with api.runtime.pool.acquire() as conn:
        differ = await conn.fetch(
            "SELECT o.offer_id, o.active_load, count(p.proposal_id) AS active"
            " FROM matching.offers o LEFT JOIN matching.proposals p ON p.offer_id = o.offer_id"
            "  AND p.status IN ('awaiting_review', 'proposed', 'accepted', 'confirmed')"
            " GROUP BY o.offer_id HAVING o.active_load <> count(p.proposal_id)"
        )
        total = await conn.fetchval("SELECT sum(active_load) FROM matching.offers")
    assert differ == [] and total == held


def answer(proposal: dict[str, Any], who: str, reply: str) -> dict[str, Any]:
    return {"proposal_id": proposal["proposal_id"], "member_id": proposal[who], "answer": reply}


async def test_decline_leads_to_the_next_best_and_both_accepting_confirms(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    asker, near, further = member("laren"), member("laren"), member("lochem")
    await registration.publish(asker, near, further, offers(near), offers(further), asks(asker))
    [first] = await published(api, "match_proposed", 1)
    assert first["helper_id"] == str(near.member_id)

    shown = await api.ok("get_proposal", {"proposal_id": first["proposal_id"]})
    assert shown["status"] == "proposed" and shown["answer_before"] is not None
    assert shown["explanation"].startswith("Beide in Laren")

    # a stranger cannot answer; an unknown proposal is not found
    stranger = {**answer(first, "helper_id", "accept"), "member_id": str(uuid.uuid4())}
    refused = await api.post("respond_to_proposal", stranger)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "member_id"
    unknown = {**answer(first, "helper_id", "accept"), "proposal_id": str(uuid.uuid4())}
    assert (await api.post("respond_to_proposal", unknown)).status_code == 404

    # the nearest helper declines over NATS: the request goes to the next best helper
    status, declined = await api.request(
        "respond_to_proposal", answer(first, "helper_id", "decline")
    )
    assert (status, declined["status"], declined["helper_answer"]) == (200, "declined", "decline")
    [_, second] = await published(api, "match_proposed", 2)
    assert (second["request_id"], second["helper_id"]) == (
        first["request_id"],
        str(further.member_id),
    )
    [decline_event] = await published(api, "proposal_declined", 1)
    assert (decline_event["member_id"], decline_event["side"]) == (str(near.member_id), "offer")

    # both accept (a retry with the same key changes nothing): confirmed, contact may be shared
    await api.ok("respond_to_proposal", answer(second, "requester_id", "accept"), key="a-1")
    await api.ok("respond_to_proposal", answer(second, "requester_id", "accept"), key="a-1")
    confirmed = await api.ok("respond_to_proposal", answer(second, "helper_id", "accept"))
    assert confirmed["status"] == "confirmed"
    [match] = await published(api, "match_confirmed", 1)
    assert (match["requester_id"], match["helper_id"]) == (
        str(asker.member_id),
        str(further.member_id),
    )
    assert len(await published(api, "proposal_accepted", 2)) == 2

    # feedback: the ladder step must be one of the region's
    feedback = {
        "proposal_id": second["proposal_id"],
        "member_id": str(asker.member_id),
        "helped": True,
        "became_contact": True,
        "ladder_step": "best_friends",
    }
    wrong = await api.post("complete_match", feedback)
    assert wrong.status_code == 422
    [error] = wrong.json()["errors"]
    assert error["field"] == "ladder_step" and "chat" in error["allowed"]
    done = await api.ok("complete_match", {**feedback, "ladder_step": "chat"})
    assert done["status"] == "completed"
    [completed] = await published(api, "match_completed", 1)
    assert (completed["side"], completed["ladder_step"], completed["helped"]) == (
        "request",
        "chat",
        True,
    )

    # a declined proposal cannot be answered again (409), and the lists show both
    late = await api.post("respond_to_proposal", answer(first, "requester_id", "accept"))
    assert late.status_code == 409
    mine = await api.ok("list_proposals", {"member_id": str(asker.member_id)})
    assert {p["status"] for p in mine["proposals"]} == {"declined", "completed"}
    await slots_held_as_counted(api)


async def test_withdrawal_erasure_and_expiry_end_pending_proposals(api: ApiClient) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    asker, helper, leaving, spare = (member("laren") for _ in range(4))
    withdrawn_offer, leaving_offer = offers(helper), offers(leaving)
    await registration.publish(asker, helper, leaving, withdrawn_offer, asks(asker))
    [first] = await published(api, "match_proposed", 1)

    # the helper withdraws the offer: cancelled; the leaving member's offer is next
    await registration.publish(
        leaving_offer,
        HelpWithdrawn(member_id=helper.member_id, help_id=withdrawn_offer.offer_id, side="offer"),
    )
    [cancelled] = await published(api, "proposal_cancelled", 1)
    assert (cancelled["proposal_id"], cancelled["reason"]) == (first["proposal_id"], "withdrawn")
    [_, second] = await published(api, "match_proposed", 2)
    assert second["helper_id"] == str(leaving.member_id)

    # that member is erased: cancelled, and nothing of them is left in matching
    erasure = MemberErased(
        member_id=leaving.member_id, reason="request", erased_at=datetime.now(UTC)
    )
    await registration.publish(erasure)
    [_, erased] = await published(api, "proposal_cancelled", 2)
    assert (erased["proposal_id"], erased["reason"]) == (second["proposal_id"], "erased")
    theirs = await api.ok("list_proposals", {"member_id": str(leaving.member_id)})
    assert theirs["proposals"] == []
    assert (await api.post("get_proposal", {"proposal_id": second["proposal_id"]})).status_code == (
        404
    )

    # a new helper: proposed; nobody answers within the region's days: expired
    await registration.publish(spare, offers(spare))
    [*_, third] = await published(api, "match_proposed", 3)
    assert third["helper_id"] == str(spare.member_id)
    await slots_held_as_counted(api, held=1)  # the spare's one slot
    runtime = api.runtime
    later = datetime.now(UTC) + timedelta(days=runtime.region.proposal_expiry_days, hours=1)
    expired = await expire_due(lambda: runtime.uow(PgMatchingUnitOfWork), runtime.region, later)
    assert expired == 1
    [gone] = await published(api, "proposal_expired", 1)
    assert gone["proposal_id"] == third["proposal_id"]
    shown = await api.ok("get_proposal", {"proposal_id": third["proposal_id"]})
    assert shown["status"] == "expired"
    await slots_held_as_counted(api)


async def test_people_who_met_before_and_shared_time_windows_are_preferred(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    asker, known = member("laren"), member("lochem")
    await registration.publish(asker, known, offers(known), asks(asker))
    [first] = await published(api, "match_proposed", 1)
    for side in ("requester_id", "helper_id"):
        await api.ok("respond_to_proposal", answer(first, side, "accept"))
    await published(api, "match_confirmed", 1)

    # a stranger next door offers first; the asker wants someone they know, on Tuesdays
    stranger = member("laren")
    windows = (TimeWindow(day="tue", part="evening"),)
    again = asks(asker).model_copy(update={"prefers_known_people": True, "time_windows": windows})
    known_again = offers(known).model_copy(update={"time_windows": windows})
    await registration.publish(stranger, offers(stranger), known_again, again)
    [*_, second] = await published(api, "match_proposed", 2)
    assert (second["request_id"], second["helper_id"]) == (
        str(again.request_id),
        str(known.member_id),
    )
    codes = {reason["code"] for reason in second["reasons"]}
    assert {"met_before", "time_overlap"} <= codes
    assert second["explanation"].startswith("Jullie kennen elkaar al; Laren en Lochem")
    # the confirmed match still counts as load: the sentence says so
    assert second["explanation"].endswith(
        "jullie kunnen allebei op dinsdagavond; de helper helpt al 1 ander."
    )


async def test_consent_profile_and_renewal_events_change_who_is_matched(api: ApiClient) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    asker, helper = member("laren"), member("laren")
    now = datetime.now(UTC)
    no_consent = ConsentChanged(
        member_id=asker.member_id,
        purpose="matching",
        granted=False,
        source="self",
        recorded_at=now,
        consents=Consents(matching=False),
    )
    moved = MemberUpdated(
        member_id=helper.member_id,
        role="parent",
        home_area="lochem",
        languages=("nl", "en"),
        preferred_language="nl",
        contact=helper.contact,
    )
    short = asks(asker).model_copy(update={"expires_at": now - timedelta(minutes=1)})
    waiting, roomy = asks(asker), offers(helper).model_copy(update={"capacity": 2})
    await registration.publish(asker, helper, moved, no_consent, roomy, short, waiting)
    await eventually(lambda: all_handled(api.nc.jetstream(), api.region))
    assert await matching_events(api) == []  # no consent: nothing proposed

    # consent again: the open request is tried and proposed, the expired one is not
    consent_again = no_consent.model_copy(
        update={
            "granted": True,
            "recorded_at": now + timedelta(seconds=1),
            "consents": Consents(matching=True),
        }
    )
    await registration.publish(consent_again)
    [proposed] = await published(api, "match_proposed", 1)
    assert proposed["request_id"] == str(waiting.request_id)

    # the expired request is renewed: now it is matched too
    renewal = HelpRenewed(
        member_id=asker.member_id,
        help_id=short.request_id,
        side="request",
        expires_at=now + timedelta(days=30),
    )
    await registration.publish(renewal)
    [_, renewed] = await published(api, "match_proposed", 2)
    assert renewed["request_id"] == str(short.request_id)
    stored = await api.runtime.pool.fetchrow(
        "SELECT home_area, languages, consents_matching FROM members WHERE member_id = $1",
        helper.member_id,
    )
    assert (stored["home_area"], stored["languages"]) == ("lochem", ["nl", "en"])
