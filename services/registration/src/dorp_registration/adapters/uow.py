"""The registration unit of work: the shared transaction plus registration's repositories."""

from __future__ import annotations

from typing import Self

from dorp_registration.adapters.activities import PgActivityRepository
from dorp_registration.adapters.communities import PgCommunityRepository
from dorp_registration.adapters.dialogue import PgDialogueRepository
from dorp_registration.adapters.help import PgHelpRepository
from dorp_registration.adapters.members import PgMemberRepository
from dorp_registration.adapters.organisations import PgOrganisationRepository
from dorp_registration.adapters.rejections import PgRejectionLog
from dorp_registration.adapters.voices import PgVoiceRepository
from dorp_registration.ports import (
    ActivityRepository,
    CommunityRepository,
    DialogueRepository,
    HelpRepository,
    MemberData,
    MemberRepository,
    OrganisationRepository,
    RejectionLog,
    VoiceRepository,
)
from dorp_shared.uow import PgUnitOfWork


class RegistrationPgUnitOfWork(PgUnitOfWork):
    members: MemberRepository
    organisations: OrganisationRepository
    help: HelpRepository
    activities: ActivityRepository
    voices: VoiceRepository
    dialogue: DialogueRepository
    communities: CommunityRepository
    rejections: RejectionLog

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.members = PgMemberRepository(self.conn)
        self.organisations = PgOrganisationRepository(self.conn)
        self.help = PgHelpRepository(self.conn)
        self.activities = PgActivityRepository(self.conn, self.emit)
        self.voices = PgVoiceRepository(self.conn)
        self.dialogue = PgDialogueRepository(self.conn)
        self.communities = PgCommunityRepository(self.conn)
        self.rejections = PgRejectionLog(self.conn, self.region, self.enqueue)
        return self

    def member_data(self) -> tuple[MemberData, ...]:
        """Members last: the others may still look the member up while forgetting."""
        return (
            self.help,
            self.activities,
            self.voices,
            self.dialogue,
            self.communities,
            self.members,
        )
