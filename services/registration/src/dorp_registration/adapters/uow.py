"""The registration unit of work: the shared transaction plus registration's repositories."""

from __future__ import annotations

from typing import Self

from dorp_registration.adapters.rejections import PgRejectionLog
from dorp_registration.adapters.repositories import PgHelpRepository, PgMemberRepository
from dorp_registration.ports import HelpRepository, MemberRepository, RejectionLog
from dorp_shared.uow import PgUnitOfWork


class RegistrationPgUnitOfWork(PgUnitOfWork):
    members: MemberRepository
    help: HelpRepository
    rejections: RejectionLog

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.members = PgMemberRepository(self.conn)
        self.help = PgHelpRepository(self.conn)
        self.rejections = PgRejectionLog(self.conn, self.region, self.enqueue)
        return self
