"""Event contracts: versioned subjects, envelopes that read tolerantly, frozen payloads."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from dorp_shared.contracts import Envelope, HelpRequested, MatchProposed, wrap
from dorp_shared.contracts.subjects import (
    command_subject,
    event_subject,
    partner_subject,
    region_streams,
)


def request() -> HelpRequested:
    return HelpRequested(
        request_id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        kind="babysitting",
        home_area="laren",
        languages=("nl",),
    )


def test_subjects_are_versioned_and_region_scoped() -> None:
    assert event_subject("lochem", HelpRequested) == "dorp.lochem.registration.help_requested.v1"
    assert event_subject("zwolle", MatchProposed) == "dorp.zwolle.matching.match_proposed.v1"
    assert partner_subject("lochem", "bs-de-brink", "help_request") == (
        "dorp.lochem.partner.bs-de-brink.help_request"
    )
    assert (
        command_subject("antwerpen", "reporting", "report") == "dorp.antwerpen.cmd.reporting.report"
    )


def test_streams_cover_each_area_once_and_never_partner_or_command_subjects() -> None:
    streams = region_streams("lochem")
    subjects = [subject for stream in streams for subject in stream.subjects or []]
    assert len(subjects) == len(set(subjects))
    assert "dorp.lochem.registration.>" in subjects
    assert not any(".partner." in s or ".cmd." in s for s in subjects)
    assert {stream.name for stream in streams} >= {"DORP_LOCHEM_MATCHING", "DORP_LOCHEM_DEADLETTER"}


def test_envelope_carries_metadata_and_the_event_id_as_msg_id() -> None:
    envelope = wrap(request(), region="lochem", source="registration")
    assert envelope.type == "registration.help_requested"
    assert envelope.schema_version == 1
    assert envelope.correlation_id == str(envelope.event_id)
    assert envelope.headers()["Nats-Msg-Id"] == str(envelope.event_id)


def test_consumers_ignore_fields_added_later() -> None:
    envelope = wrap(request(), region="lochem", source="registration")
    data = envelope.model_dump(mode="json")
    data["added_later"] = 1
    data["payload"]["urgency"] = "high"
    read = Envelope[HelpRequested].model_validate(data)
    assert read.payload == envelope.payload


def test_payloads_are_frozen() -> None:
    event = request()
    with pytest.raises(ValidationError):
        event.kind = "walk_and_talk"  # type: ignore[misc]


def test_causation_and_correlation_follow_the_cause() -> None:
    cause = wrap(request(), region="lochem", source="registration")
    effect = wrap(
        request(),
        region="lochem",
        source="matching",
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
    )
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.event_id
