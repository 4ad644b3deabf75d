"""A notifications service made of fakes: events go in through the same routing table
the subscribers use, the dispatcher sends to fake channels, the clock is ours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dorp_notifications.dispatch import Dispatcher, DispatchSettings
from dorp_notifications.domain.model import DeliveryStatus, OutgoingMail
from dorp_notifications.entrypoints import subscribers
from dorp_notifications.match_notices import close_review
from dorp_notifications.sending import Notifier
from dorp_shared.contracts import Envelope, NotificationSent, wrap
from dorp_shared.contracts.envelope import Event
from dorp_shared.regions import Region
from tests.unit.notifications.builders import NOW
from tests.unit.notifications.fakes import FakeMailer, FakeNotificationsUnitOfWork, FakeSms

LEASE = dt.timedelta(minutes=5)


class World:
    def __init__(self, region: Region, *, now: dt.datetime = NOW, sms: bool = True) -> None:
        self.region = region
        self.now = now
        self.uow = FakeNotificationsUnitOfWork()
        self.mailer = FakeMailer()
        self.sms = FakeSms()
        self.notifier = Notifier(region, sms_available=sms, clock=lambda: self.now)
        self.dispatcher = Dispatcher(
            lambda: self.uow,
            region,
            mailer=self.mailer,
            sms=self.sms if sms else None,
            settings=DispatchSettings(lease=LEASE, max_attempts=3),
            clock=lambda: self.now,
            jitter=lambda: 0.0,
        )

    async def deliver(self, event: Event, *, area: str | None = None) -> Envelope[Any]:
        """Handle the event as the subscriber of its area would."""
        envelope = wrap(event, region=self.region.id, source=area or event.area)
        for kind, record in subscribers.RECORDS[event.area]:
            if type(event) is kind:
                await record(envelope, self.uow)
                return envelope
        for kind, notice in subscribers.NOTICES[event.area]:
            if type(event) is kind:
                await notice(envelope, uow=lambda: self.uow, notifier=self.notifier)
                return envelope
        if isinstance(event, subscribers.REVIEW_CLOSED):
            await close_review(envelope, lambda: self.uow)
            return envelope
        raise AssertionError(f"no handler for {type(event).__name__}")

    async def send(self) -> int:
        """Everything due now goes out."""
        return await self.dispatcher.drain()

    def later(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    def outcomes(self) -> list[NotificationSent]:
        return [e.payload for e in self.uow.emitted if isinstance(e.payload, NotificationSent)]

    def sent(self) -> list[NotificationSent]:
        return [o for o in self.outcomes() if o.status == "sent"]

    def mails_to(self, address: str) -> list[OutgoingMail]:
        return [m for m in self.mailer.sent if m.to_address == address]

    def pending(self) -> int:
        return len(self.uow.deliveries.by_status(DeliveryStatus.SENDING))
