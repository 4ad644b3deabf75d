"""The life of a help request or offer: defaults, status against the clock, withdrawal and
renewal (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dorp_registration.domain.help import (
    HelpDraft,
    HelpItem,
    NotAllowed,
    draft_of,
    open_item,
    renew,
    status_at,
    withdraw,
)
from dorp_shared.contracts.events import HelpOffered, HelpRequested, Side, TimeWindow
from dorp_shared.contracts.partner import PartnerHelpOffer

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MEMBER = uuid.UUID(int=1)
EVENING = TimeWindow(day="tue", part="evening")


def opened(draft: HelpDraft, side: Side = "request", days: int = 30) -> HelpItem:
    return open_item(
        draft,
        side=side,
        help_id=uuid.UUID(int=99),
        member_id=MEMBER,
        member_area="laren",
        member_languages=("nl", "en"),
        now=NOW,
        default_days=days,
    )


BABYSITTING = HelpDraft(kind="babysitting", age_band="1-4", prefers_known_people=True)


def test_what_the_draft_leaves_out_comes_from_the_member_and_the_region() -> None:
    item = opened(BABYSITTING, days=30)
    assert (item.home_area, item.languages) == ("laren", ("nl", "en"))
    assert item.expires_at == NOW + 30 * DAY
    own = opened(
        HelpDraft(kind="babysitting", home_area="almen", languages=("en",), expires_in_days=3)
    )
    assert (own.home_area, own.languages, own.expires_at) == ("almen", ("en",), NOW + 3 * DAY)


def test_each_side_keeps_only_its_own_fields() -> None:
    draft = HelpDraft(kind="babysitting", age_band="1-4", age_bands=("0-1",), capacity=3)
    request, offer = opened(draft, "request"), opened(draft, "offer")
    assert (request.age_band, request.age_bands, request.capacity) == ("1-4", (), None)
    assert (offer.age_band, offer.age_bands, offer.capacity) == (None, ("0-1",), 3)
    assert opened(HelpDraft(kind="babysitting"), "offer").capacity == 1


def test_a_partner_model_becomes_a_draft_without_its_ids() -> None:
    partner = PartnerHelpOffer(
        external_id="a-1",
        member_external_id="p-1",
        kind="language_help",
        time_windows=(EVENING,),
        capacity=2,
    )
    draft = draft_of(partner)
    assert (draft.kind, draft.time_windows, draft.capacity) == ("language_help", (EVENING,), 2)


def test_the_opened_event_fits_the_side() -> None:
    request = opened(BABYSITTING).opened_event()
    assert isinstance(request, HelpRequested)
    assert (request.age_band, request.prefers_known_people) == ("1-4", True)
    assert request.expires_at == NOW + 30 * DAY
    offer = opened(HelpDraft(kind="babysitting", capacity=2), "offer").opened_event()
    assert isinstance(offer, HelpOffered) and offer.capacity == 2


@given(st.integers(min_value=-1000, max_value=1000))
def test_an_item_is_open_exactly_until_it_expires(minutes: int) -> None:
    item = opened(BABYSITTING)
    at = item.expires_at + timedelta(minutes=minutes)
    assert status_at(item, at) == ("open" if minutes < 0 else "expired")
    withdrawn = withdraw(item, NOW)
    assert withdrawn is not None and status_at(withdrawn, at) == "withdrawn"


def test_erased_items_count_as_withdrawn() -> None:
    item = opened(BABYSITTING)
    assert status_at(replace(item, state="erased"), NOW) == "withdrawn"


def test_withdrawing_is_once_and_only_while_open() -> None:
    item = opened(BABYSITTING)
    withdrawn = withdraw(item, NOW + DAY)
    assert withdrawn is not None
    assert (withdrawn.state, withdrawn.withdrawn_at) == ("withdrawn", NOW + DAY)
    assert withdraw(withdrawn, NOW + 2 * DAY) is None
    with pytest.raises(NotAllowed, match="expired"):
        withdraw(item, item.expires_at)


def test_renewing_reopens_an_expired_item_for_the_period_from_now() -> None:
    item = opened(BABYSITTING, days=30)
    later = NOW + 45 * DAY
    assert status_at(item, later) == "expired"
    renewed = renew(item, later, 30)
    assert renewed.expires_at == later + 30 * DAY
    assert status_at(renewed, later) == "open"


def test_renewing_never_shortens_and_never_revives_a_withdrawn_item() -> None:
    long = opened(HelpDraft(kind="babysitting", expires_in_days=90))
    assert renew(long, NOW + DAY, 30).expires_at == long.expires_at
    withdrawn = withdraw(long, NOW)
    assert withdrawn is not None
    with pytest.raises(NotAllowed, match="withdrawn"):
        renew(withdrawn, NOW, 30)
