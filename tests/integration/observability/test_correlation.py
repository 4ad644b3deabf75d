"""One correlation id from a partner's message to the e-mail's outcome: the partner's
``Dorp-Correlation-Id`` is on the registration event, on the match proposal it causes and on
each notification outcome, through three services."""

from __future__ import annotations

import json
from typing import Any

import pytest
from nats.js import JetStreamContext

from dorp_cli.scenario import babysitting_scenario
from dorp_matching.bootstrap import DEFINITION as MATCHING
from dorp_notifications.bootstrap import DEFINITION as NOTIFICATIONS
from dorp_registration.bootstrap import DEFINITION as REGISTRATION
from dorp_shared.contracts.envelope import CORRELATION_HEADER
from dorp_shared.contracts.partner import PartnerReply
from dorp_shared.contracts.subjects import partner_subject, stream_name
from dorp_shared.regions import load_region
from dorp_shared.settings import DorpSettings
from tests.support.mail import smtp_server
from tests.support.services import eventually, nats_client, running_service

pytestmark = pytest.mark.integration


async def events(js: JetStreamContext, region: str, area: str) -> list[dict[str, Any]]:
    """Every envelope in an area's stream, with the correlation header it travelled with."""
    stream = stream_name(region, area)
    info = await js.stream_info(stream)
    found: list[dict[str, Any]] = []
    if not info.state.messages:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(stream, seq)
        envelope = json.loads(message.data or b"{}")
        envelope["header"] = (message.headers or {}).get(CORRELATION_HEADER)
        found.append(envelope)
    return found


async def test_a_partner_correlation_id_reaches_the_proposal_and_the_mail_outcomes(
    settings: DorpSettings,
) -> None:
    region = settings.region
    scenario = babysitting_scenario(load_region(region, settings.regions_dir))
    *earlier, last = scenario.steps  # the offer comes last: it causes the proposal
    sent = [(step, "partner-batch-1") for step in earlier] + [(last, "partner-offer-7")]
    with smtp_server() as (inbox, smtp_port):
        service_settings = settings.model_copy(update={"smtp_port": smtp_port})
        async with (
            running_service(REGISTRATION, service_settings),
            running_service(MATCHING, service_settings),
            running_service(NOTIFICATIONS, service_settings),
            nats_client(settings.nats_url or "") as nc,
        ):
            for step, correlation in sent:
                reply = await nc.request(
                    partner_subject(region, scenario.partner_id, step.event),
                    json.dumps(step.payload).encode(),
                    timeout=10,
                    headers={CORRELATION_HEADER: correlation},
                )
                assert PartnerReply.model_validate_json(reply.data).status == "accepted"
            js = nc.jetstream()

            async def mailed() -> list[dict[str, Any]]:
                found = await events(js, region, "notifications")
                return found if len(found) >= 2 and len(inbox.messages) >= 2 else []

            mail_outcomes = await eventually(mailed, timeout=60)
            registered = await events(js, region, "registration")
            proposed = [
                e for e in await events(js, region, "matching") if e["type"].endswith("proposed")
            ]

    offered = [e for e in registered if e["type"] == "registration.help_offered"]
    asked = [e for e in registered if e["type"] == "registration.help_requested"]
    assert [e["correlation_id"] for e in asked] == ["partner-batch-1"]
    assert [e["correlation_id"] for e in offered] == ["partner-offer-7"]
    (proposal,) = proposed
    assert proposal["correlation_id"] == proposal["header"] == "partner-offer-7"
    assert proposal["causation_id"] == offered[0]["event_id"]
    assert len(mail_outcomes) == 2
    for outcome in mail_outcomes:
        assert outcome["payload"]["cause_event_id"] == proposal["event_id"]
        assert outcome["correlation_id"] == outcome["header"] == "partner-offer-7"
