"""What registration's handlers need from the outside world, as Protocols: one module per
capability, gathered in the unit of work."""

from __future__ import annotations

from typing import Protocol

from dorp_registration.ports.activities import ActivityRepository
from dorp_registration.ports.common import MemberData
from dorp_registration.ports.communities import CommunityRepository
from dorp_registration.ports.dialogue import DialogueRepository
from dorp_registration.ports.help import HelpRepository
from dorp_registration.ports.members import MemberRepository
from dorp_registration.ports.organisations import OrganisationRepository
from dorp_registration.ports.rejections import RejectionLog
from dorp_registration.ports.voices import VoiceRepository
from dorp_shared.uow import UnitOfWork


class RegistrationUnitOfWork(UnitOfWork, Protocol):
    members: MemberRepository
    organisations: OrganisationRepository
    help: HelpRepository
    activities: ActivityRepository
    voices: VoiceRepository
    dialogue: DialogueRepository
    communities: CommunityRepository
    rejections: RejectionLog

    def member_data(self) -> tuple[MemberData, ...]:
        """Every repository that holds data of members: what erasure and export visit."""
        ...


__all__ = [
    "ActivityRepository",
    "CommunityRepository",
    "DialogueRepository",
    "HelpRepository",
    "MemberData",
    "MemberRepository",
    "OrganisationRepository",
    "RegistrationUnitOfWork",
    "RejectionLog",
    "VoiceRepository",
]
