"""The matching unit of work: one transaction over the matching schema."""

from __future__ import annotations

from typing import Self

from dorp_matching.adapters.activities import PgActivityRepository
from dorp_matching.adapters.coffee import PgCoffeeRepository
from dorp_matching.adapters.repositories import (
    PgMemberRepository,
    PgOfferRepository,
    PgProposalRepository,
    PgRequestRepository,
)
from dorp_shared.uow import PgUnitOfWork


class PgMatchingUnitOfWork(PgUnitOfWork):
    hold_outbox = True  # a run of requests writes its proposals' events in one statement

    members: PgMemberRepository
    requests: PgRequestRepository
    offers: PgOfferRepository
    proposals: PgProposalRepository
    coffee: PgCoffeeRepository
    activities: PgActivityRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.members = PgMemberRepository(self.conn)
        self.requests = PgRequestRepository(self.conn)
        self.offers = PgOfferRepository(self.conn)
        self.proposals = PgProposalRepository(self.conn)
        self.coffee = PgCoffeeRepository(self.conn)
        self.activities = PgActivityRepository(self.conn)
        return self
