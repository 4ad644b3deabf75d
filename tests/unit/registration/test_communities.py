"""Learning communities: the phases of appreciative inquiry, one step forward at a time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dorp_registration.domain.communities import phase_step_error, reachable_phases
from dorp_shared.contracts.events import INQUIRY_PHASES, InquiryPhase

phases: st.SearchStrategy[InquiryPhase] = st.sampled_from(INQUIRY_PHASES)


def test_one_phase_forward_is_allowed_two_are_not() -> None:
    assert phase_step_error("define", "discover") is None
    assert phase_step_error("dream", "dream") is None
    error = phase_step_error("discover", "design")
    assert error is not None and "'dream'" in error


def test_going_back_is_allowed_from_anywhere() -> None:
    assert phase_step_error("dissemination", "define") is None
    assert phase_step_error("destiny", "discover") is None


def test_a_new_community_may_start_in_any_phase() -> None:
    assert reachable_phases(None) == INQUIRY_PHASES
    assert all(phase_step_error(None, phase) is None for phase in INQUIRY_PHASES)


@given(phases, phases)
def test_allowed_exactly_when_not_more_than_one_phase_ahead(
    current: InquiryPhase, new: InquiryPhase
) -> None:
    ahead = INQUIRY_PHASES.index(new) - INQUIRY_PHASES.index(current)
    assert (phase_step_error(current, new) is None) == (ahead <= 1)
    assert (new in reachable_phases(current)) == (ahead <= 1)
