"""Bad input reaching the real matching service: events of another region, of unknown
areas or kinds, and someone withdrawing another member's offer are dead-lettered at once
with a reason; duplicates and late arrivals change nothing; no wrong match comes of any."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dorp_matching.bootstrap import DEFINITION
from dorp_shared.contracts import Event, wrap
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.events import HelpWithdrawn
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.settings import DorpSettings
from tests.integration.matching.test_lifecycle_api import matching_events, published
from tests.integration.matching.test_matching_service import Registration
from tests.support.api import ApiClient, service_api
from tests.support.events import asks, offers
from tests.support.events import parent as member
from tests.support.services import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


async def as_region(api: ApiClient, region: str, payload: Event) -> None:
    """On this region's subject, but in an envelope that says another region."""
    envelope = wrap(payload, region=region, source="registration")
    await api.nc.jetstream().publish(
        event_subject(api.region, type(payload)),
        envelope.model_dump_json().encode(),
        headers=envelope.headers(),
    )


async def dead_letters(api: ApiClient, count: int) -> list[DeadLetter]:
    js = api.nc.jetstream()
    stream = stream_name(api.region, "deadletter")
    info = await js.stream_info(stream)
    if info.state.messages < count:
        return []
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        found.append(DeadLetter.model_validate_json((await js.get_msg(stream, seq)).data or b""))
    return found


async def test_bad_events_are_dead_lettered_with_a_reason_and_never_matched(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    asker, helper, intruder = member("laren"), member("laren"), member("laren")
    good_offer = offers(helper)
    await registration.publish(asker, helper, intruder, good_offer)

    elsewhere = member("laren")
    await as_region(api, "zwolle", elsewhere)  # another region's member
    await as_region(api, "zwolle", asks(asker))  # another region's request
    await registration.publish(asks(asker).model_copy(update={"home_area": "atlantis"}))
    await registration.publish(asks(asker).model_copy(update={"kind": "dragon_taming"}))
    steal = HelpWithdrawn(member_id=intruder.member_id, help_id=good_offer.offer_id, side="offer")
    await registration.publish(steal)

    letters = await eventually(lambda: dead_letters(api, 5))
    reasons = sorted(letter.reason for letter in letters)
    assert reasons == [
        "not_own_help",
        "unknown_area",
        "unknown_kind",
        "wrong_region",
        "wrong_region",
    ]
    assert all(letter.service == "matching" for letter in letters)
    # refused at once; only the intruder's withdrawal may overtake the offer it names (each
    # member's events are in order, different members' run at once) and wait for it once
    assert all(letter.deliveries == 1 for letter in letters if letter.reason != "not_own_help")
    assert await matching_events(api) == []  # none of it led to a proposal

    # the offer is still open: a good request (sent twice) gets exactly one proposal
    good = asks(asker)
    await registration.publish(good, good)
    [proposal] = await published(api, "match_proposed", 1)
    assert proposal["offer_id"] == str(good_offer.offer_id)
    await registration.publish(good)
    assert len(await matching_events(api, "match_proposed")) == 1
