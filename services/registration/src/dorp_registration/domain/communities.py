"""Learning communities (seeds 001, 002): the phases of appreciative inquiry.

A community goes through define, discover, dream, design, destiny and dissemination. It may
go back to any earlier phase (the seeds describe the phases as a cycle to revisit), but not
skip one going forward. A community new to Dorp may start in any phase: it may have begun
before it was registered.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from dorp_shared.contracts.events import (
    INQUIRY_PHASES,
    InquiryPhase,
    LearningCommunityUpdated,
)


@dataclass(frozen=True)
class LearningCommunity:
    """One neighbourhood's learning community, led by a parent, a professional and a
    researcher (seed 001)."""

    home_area: str
    core_theme: str
    phase: InquiryPhase
    lead_member_ids: tuple[uuid.UUID, ...]
    updated_at: datetime

    def event(self) -> LearningCommunityUpdated:
        return LearningCommunityUpdated(
            home_area=self.home_area,
            core_theme=self.core_theme,
            phase=self.phase,
            lead_member_ids=self.lead_member_ids,
        )


def reachable_phases(current: InquiryPhase | None) -> tuple[InquiryPhase, ...]:
    """The phases a community in ``current`` may move to (None: not registered yet)."""
    if current is None:
        return INQUIRY_PHASES
    return INQUIRY_PHASES[: INQUIRY_PHASES.index(current) + 2]


def phase_step_error(current: InquiryPhase | None, new: InquiryPhase) -> str | None:
    """Why moving from ``current`` to ``new`` is not allowed, or None when it is."""
    if new in reachable_phases(current):
        return None
    assert current is not None
    following = INQUIRY_PHASES[INQUIRY_PHASES.index(current) + 1]
    return (
        f"cannot move from {current!r} to {new!r}: skips a phase; the next phase is {following!r}"
    )
