"""The partner intake use case with in-memory edges: register once, reject with a reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from dorp_registration.handlers import PartnerMessage, handle_partner_message
from dorp_shared.contracts.events import (
    HelpOffered,
    HelpRequested,
    MemberRegistered,
    OrganisationRegistered,
)
from dorp_shared.contracts.partner import PartnerReply
from dorp_shared.regions import Region, load_region
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PARENT_A = {
    "external_id": "ouder-a",
    "display_name": "Sanne",
    "email": "sanne@example.org",
    "home_area": "laren",
    "languages": ["nl", "en"],
    "consents": {"matching": True, "notifications": True},
}
BABYSITTING = {"external_id": "vraag-1", "member_external_id": "ouder-a", "kind": "babysitting"}


@pytest.fixture
def region() -> Region:
    return load_region("lochem")


@pytest.fixture
def uow(region: Region) -> FakeRegistrationUnitOfWork:
    return FakeRegistrationUnitOfWork(region.id)


async def send(
    uow: FakeRegistrationUnitOfWork,
    region: Region,
    event: str,
    data: object,
    partner: str = "bs-de-esch",
) -> PartnerReply:
    subject = f"dorp.{region.id}.partner.{partner}.{event}"
    message = PartnerMessage(subject, partner, event, json.dumps(data).encode())
    return await handle_partner_message(uow, region, message, NOW)


async def test_member_is_registered_with_region_defaults(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    reply = await send(uow, region, "member_registration", PARENT_A)
    assert reply.status == "accepted" and not reply.duplicate
    [envelope] = uow.emitted
    event = envelope.payload
    assert isinstance(event, MemberRegistered)
    assert str(event.member_id) == reply.dorp_id
    assert event.preferred_language == "nl"
    assert event.registered_by == "partner" and event.partner_id == "bs-de-esch"
    assert event.contact.email == "sanne@example.org"
    assert event.consents.matching is True


async def test_connector_registering_on_behalf_is_recorded(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    await send(uow, region, "member_registration", {**PARENT_A, "on_behalf": True})
    assert uow.emitted[0].payload.registered_by == "connector"


async def test_same_record_twice_registers_once(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    first = await send(uow, region, "member_registration", PARENT_A)
    second = await send(uow, region, "member_registration", PARENT_A)
    assert second.status == "accepted" and second.duplicate
    assert second.dorp_id == first.dorp_id
    assert len(uow.emitted) == 1 and len(uow.members.rows) == 1


async def test_same_external_id_from_another_partner_is_another_member(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    first = await send(uow, region, "member_registration", PARENT_A)
    other = await send(uow, region, "member_registration", PARENT_A, partner="bs-de-brink")
    assert other.dorp_id != first.dorp_id and not other.duplicate


async def test_request_takes_area_and_languages_from_its_member(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    await send(uow, region, "member_registration", PARENT_A)
    reply = await send(uow, region, "help_request", BABYSITTING)
    assert reply.status == "accepted"
    event = uow.emitted[-1].payload
    assert isinstance(event, HelpRequested)
    assert (event.home_area, event.languages) == ("laren", ("nl", "en"))
    assert str(event.request_id) == reply.dorp_id
    assert event.expires_at == NOW + timedelta(days=region.help_expiry_days)


async def test_request_carries_its_time_windows_and_own_expiry(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    await send(uow, region, "member_registration", PARENT_A)
    windows = [{"day": "tue", "part": "evening"}]
    request = {**BABYSITTING, "time_windows": windows, "expires_in_days": 7}
    await send(uow, region, "help_request", request)
    event = uow.emitted[-1].payload
    assert isinstance(event, HelpRequested)
    assert [w.model_dump() for w in event.time_windows] == windows
    assert event.expires_at == NOW + timedelta(days=7)


async def test_offer_keeps_its_own_area_and_languages(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    await send(uow, region, "member_registration", PARENT_A)
    offer = {**BABYSITTING, "home_area": "almen", "languages": ["en"], "capacity": 2}
    reply = await send(uow, region, "help_offer", offer)
    event = uow.emitted[-1].payload
    assert isinstance(event, HelpOffered)
    assert (event.home_area, event.languages, event.capacity) == ("almen", ("en",), 2)
    assert str(event.offer_id) == reply.dorp_id
    duplicate = await send(uow, region, "help_offer", offer)
    assert duplicate.duplicate and len(uow.help.of_side("offer")) == 1


async def test_request_for_an_unknown_member_is_rejected_and_dead_lettered(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    await send(uow, region, "member_registration", PARENT_A, partner="bs-de-brink")
    reply = await send(uow, region, "help_request", BABYSITTING)
    assert (reply.status, reply.reason, reply.dorp_id) == ("rejected", "unknown_member", None)
    assert not uow.help.of_side("request") and len(uow.emitted) == 1
    [letter] = uow.rejections.letters
    assert letter.reason == "unknown_member" and letter.service == "registration"
    assert json.loads(letter.original_payload) == BABYSITTING


async def test_region_rejection_names_fields_and_stores_nothing(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    reply = await send(uow, region, "member_registration", {**PARENT_A, "home_area": "deventer"})
    assert (reply.status, reply.reason) == ("rejected", "invalid_fields")
    assert reply.errors[0].field == "home_area"
    assert "laren" in (reply.errors[0].allowed or ())
    assert not uow.members.rows and not uow.emitted
    assert uow.rejections.counts() == {"invalid_fields": 1}
    assert uow.rejections.letters[0].errors == reply.errors


SCHOOL = {"external_id": "school-7", "name": "Basisschool De Linde", "type": "school"}


async def test_partner_organisation_registers_then_updates_under_one_id(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    first = await send(uow, region, "organisation", {**SCHOOL, "home_area": "laren"})
    again = await send(uow, region, "organisation", {**SCHOOL, "home_area": "laren"})
    changed = await send(uow, region, "organisation", {**SCHOOL, "is_partner": True})
    assert (first.duplicate, again.duplicate, changed.duplicate) == (False, True, False)
    assert first.dorp_id == again.dorp_id == changed.dorp_id
    events = [envelope.payload for envelope in uow.emitted]
    assert all(isinstance(event, OrganisationRegistered) for event in events)
    assert [(e.home_area, e.is_partner) for e in events] == [("laren", False), (None, True)]
    [stored] = uow.organisations.rows.values()
    assert stored.registered_at == NOW and stored.name == "Basisschool De Linde"


async def test_partner_organisation_in_an_unknown_area_is_rejected(
    uow: FakeRegistrationUnitOfWork, region: Region
) -> None:
    reply = await send(uow, region, "organisation", {**SCHOOL, "home_area": "deventer"})
    assert (reply.status, reply.errors[0].field) == ("rejected", "home_area")
    assert not uow.organisations.rows and not uow.emitted
