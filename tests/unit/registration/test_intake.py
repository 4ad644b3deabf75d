"""Parsing partner bodies: every kind of bad input becomes a rejection with a clear reason."""

from __future__ import annotations

import json

import pytest

from dorp_registration.domain.intake import parse
from dorp_registration.domain.outcomes import Rejection
from dorp_shared.contracts.events import AGE_BANDS
from dorp_shared.contracts.partner import (
    MAX_PARTNER_PAYLOAD_BYTES,
    PARTNER_EVENTS,
    PartnerMember,
    PartnerOrganisation,
)

MEMBER = {
    "external_id": "p-1",
    "display_name": "Sanne",
    "email": "sanne@example.org",
    "home_area": "laren",
    "languages": ["nl"],
}


def body(data: object) -> bytes:
    return json.dumps(data).encode()


def rejected(event: str, raw: bytes) -> Rejection:
    outcome = parse(event, raw)
    assert isinstance(outcome, Rejection), outcome
    return outcome


def test_a_valid_member_parses() -> None:
    parsed = parse("member_registration", body(MEMBER))
    assert isinstance(parsed, PartnerMember)
    assert parsed.home_area == "laren"


def test_oversized_payload_is_rejected_before_reading_it() -> None:
    raw = b"{" + b" " * MAX_PARTNER_PAYLOAD_BYTES + b"}"
    assert rejected("member_registration", raw).reason == "payload_too_large"


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00garbage", b"", b"[1, 2]", b'"x"'])
def test_bodies_that_are_no_json_object_are_invalid_json(raw: bytes) -> None:
    assert rejected("member_registration", raw).reason == "invalid_json"


def test_unknown_event_type_lists_the_known_ones() -> None:
    outcome = rejected("member_deregistration", body(MEMBER))
    assert outcome.reason == "unknown_event_type"
    assert outcome.errors[0].allowed == tuple(PARTNER_EVENTS)


def test_missing_field_is_named() -> None:
    data = {key: value for key, value in MEMBER.items() if key != "display_name"}
    outcome = rejected("member_registration", body(data))
    assert outcome.reason == "invalid_fields"
    assert [error.field for error in outcome.errors] == ["display_name"]


def test_closed_sets_list_their_allowed_values() -> None:
    data = {**MEMBER, "role": "king", "age_bands": ["1-4", "99"]}
    errors = {error.field: error for error in rejected("member_registration", body(data)).errors}
    assert errors["role"].allowed == ("parent", "volunteer", "professional", "connector")
    assert errors["age_bands.1"].allowed == AGE_BANDS


def test_a_typo_in_a_field_name_is_an_error_listing_the_real_fields() -> None:
    data = {**MEMBER, "home_aera": "laren"}
    errors = {error.field: error for error in rejected("member_registration", body(data)).errors}
    assert "home_area" in (errors["home_aera"].allowed or ())


HELP_REQUEST = {"external_id": "v-1", "member_external_id": "p-1", "kind": "babysitting"}


def test_a_bad_time_window_is_named_down_to_its_part_with_the_allowed_values() -> None:
    data = {**HELP_REQUEST, "time_windows": [{"day": "tue", "part": "evening"}, {"day": "x"}]}
    errors = {error.field: error for error in rejected("help_request", body(data)).errors}
    assert errors["time_windows.1.day"].allowed == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert "time_windows.1.part" in errors


def test_an_organisation_parses_and_its_type_is_a_closed_set() -> None:
    school = {"external_id": "o-1", "name": "De Linde", "type": "school"}
    assert isinstance(parse("organisation", body(school)), PartnerOrganisation)
    errors = rejected("organisation", body({**school, "type": "pub"})).errors
    assert errors[0].field == "type" and "daycare" in (errors[0].allowed or ())


def test_text_postgresql_cannot_store_is_rejected_not_crashed() -> None:
    outcome = rejected("help_request", body({**HELP_REQUEST, "text": "hallo\x00"}))
    assert (outcome.reason, outcome.errors[0].field) == ("invalid_fields", "text")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_a_nul_character_is_found_in_every_encoding_json_allows(encoding: str) -> None:
    data = {**HELP_REQUEST, "text": "hallo\x00"}
    raw = json.dumps(data).encode(encoding)
    for outcome in (parse("help_request", raw), parse("help_request", raw, data=data)):
        assert isinstance(outcome, Rejection)
        assert (outcome.reason, outcome.errors[0].field) == ("invalid_fields", "text")


def test_a_body_the_caller_parsed_already_is_judged_the_same() -> None:
    data = {**MEMBER, "home_area": 7}
    raw = body(data)
    assert parse("member_registration", raw, data=data) == parse("member_registration", raw)
    assert parse("member_registration", body(MEMBER), data=MEMBER) == parse(
        "member_registration", body(MEMBER)
    )
