"""Region rules: anything the region does not know is rejected, naming field and allowed values."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dorp_registration.domain.rules import check
from dorp_shared.contracts.partner import (
    PartnerHelpOffer,
    PartnerHelpRequest,
    PartnerMember,
    PartnerOrganisation,
)
from dorp_shared.regions import Region, load_region

REGION: Region = load_region("lochem")
AREAS = tuple(area.id for area in REGION.areas)
tokens = st.text(min_size=1, max_size=20)


def member(**changes: object) -> PartnerMember:
    data: dict[str, object] = {
        "external_id": "p-1",
        "display_name": "Sanne",
        "home_area": "laren",
        "languages": ["nl", "en"],
    }
    return PartnerMember.model_validate({**data, **changes})


HELP: dict[str, object] = {"external_id": "r-1", "member_external_id": "p-1", "kind": "babysitting"}


def request(**changes: object) -> PartnerHelpRequest:
    return PartnerHelpRequest.model_validate({**HELP, **changes})


def offer(**changes: object) -> PartnerHelpOffer:
    return PartnerHelpOffer.model_validate({**HELP, **changes})


def test_a_member_the_region_knows_passes() -> None:
    assert check(member(preferred_language="en"), REGION) is None


@given(tokens.filter(lambda value: value.strip() not in AREAS))
def test_unknown_area_is_rejected_with_the_area_ids(area: str) -> None:
    rejection = check(member(home_area=area), REGION)
    assert rejection is not None and rejection.reason == "invalid_fields"
    assert [(e.field, e.allowed) for e in rejection.errors] == [("home_area", AREAS)]


@given(tokens.filter(lambda value: value.strip() not in REGION.languages), st.integers(0, 2))
def test_unknown_language_is_rejected_at_its_position(language: str, position: int) -> None:
    languages = ["nl", "en"]
    languages.insert(position, language)
    rejection = check(member(languages=languages), REGION)
    assert rejection is not None
    assert [(e.field, e.allowed) for e in rejection.errors] == [
        (f"languages.{position}", REGION.languages)
    ]


@given(tokens.filter(lambda value: value.strip() not in REGION.languages))
def test_unknown_preferred_language_is_rejected(language: str) -> None:
    rejection = check(member(preferred_language=language), REGION)
    assert rejection is not None
    assert [(e.field, e.allowed) for e in rejection.errors] == [
        ("preferred_language", REGION.languages)
    ]


@given(tokens.filter(lambda value: value.strip() not in REGION.help_kinds))
def test_unknown_help_kind_is_rejected_with_the_region_kinds(kind: str) -> None:
    for item in (request(kind=kind), offer(kind=kind)):
        rejection = check(item, REGION)
        assert rejection is not None
        assert [(e.field, e.allowed) for e in rejection.errors] == [("kind", REGION.help_kinds)]


def test_request_area_and_languages_are_checked_when_given() -> None:
    rejection = check(request(home_area="atlantis", languages=["xx"]), REGION)
    assert rejection is not None
    assert {e.field for e in rejection.errors} == {"home_area", "languages.0"}


def test_organisation_area_is_optional_but_must_be_known() -> None:
    school = {"external_id": "o-1", "name": "De Linde", "type": "school"}
    assert check(PartnerOrganisation.model_validate(school), REGION) is None
    rejection = check(PartnerOrganisation.model_validate({**school, "home_area": "x"}), REGION)
    assert rejection is not None
    assert [(e.field, e.allowed) for e in rejection.errors] == [("home_area", AREAS)]
