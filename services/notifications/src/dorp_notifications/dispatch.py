"""Sending what is due, on every channel, from the deliveries table.

Each round claims due rows with ``FOR UPDATE SKIP LOCKED`` and holds them for a lease
(``next_attempt_at`` moves one lease ahead, and again every third of a lease while the round
still holds them), sends them outside any transaction in batches over two lanes, at most
``concurrency`` at once (one recipient's in order), and records each batch's outcomes in one
statement right after its send, before that lane sends again:

- ``sent``: the letter is deleted, ``NotificationSent`` is queued in the outbox;
- a transient failure: tried again after an exponential backoff with jitter, stored in
  ``next_attempt_at``; after ``max_attempts`` it fails with ``retries_exhausted``;
- a permanent failure (the server refused the recipient for good): failed at once.

Failures are dead-lettered with the reason and published with ``status="failed"``.

**The gap.** If the process dies after the server accepted a message and before the
outcome is recorded, the row is still pending; when its lease runs out a sender claims it
again and sends it a second time, with the same ``Message-ID`` (e-mail) or the same
``reference`` (SMS), so the receiving side can drop it. Only the messages in flight at
that moment (at most ``concurrency``, ``DORP_SMTP_POOL_SIZE``) can arrive twice; none is
lost. Claimed rows not yet sent wait for the lease and then go once. While the database is
away (a restart), outcomes already known are committed again and again for up to two thirds
of a lease (the rest of it is still theirs), not sent again. Two
replicas never send the same row at once: the claim skips locked rows and the lease keeps
it theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import random
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace

import structlog

from dorp_notifications.domain.deliveries import APP, EMAIL, SMS, suppression_reason
from dorp_notifications.domain.letters import Letter, head_for
from dorp_notifications.domain.member_letters import digest
from dorp_notifications.domain.model import (
    DeliveryStatus,
    OutgoingMail,
    OutgoingSms,
    Recipient,
)
from dorp_notifications.domain.timing import after_quiet_hours, backoff
from dorp_notifications.ports import (
    Due,
    Finished,
    InboxMessage,
    MailSender,
    PermanentFailure,
    Retry,
    SmsSender,
)
from dorp_notifications.rendering import render_mail, render_sms, render_text
from dorp_notifications.sending import DIGEST, QUIET_HOURS, UowFactory
from dorp_shared.patience import retry_for
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)

_DIGEST_IDS = uuid.UUID("0c3f1f7e-45c6-4a53-9d5e-2f0a4a2c9b61")


@dataclass(frozen=True)
class DispatchSettings:
    batch: int = 200
    concurrency: int = 32
    lease: dt.timedelta = dt.timedelta(minutes=1)
    max_attempts: int = 8


@dataclass
class _Lease:
    """The rows one round claimed, and when their lease ends now."""

    ids: list[uuid.UUID]
    until: dt.datetime


@dataclass(frozen=True)
class Job:
    """One message to send: a single delivery, or a digest of several to one recipient."""

    rows: tuple[Due, ...]
    letter: Letter
    channel: str
    recipient: Recipient

    @property
    def message_key(self) -> uuid.UUID:
        """Stable across resends (a digest: from its rows), so duplicates can be dropped."""
        if len(self.rows) == 1:
            return self.rows[0].delivery.notification_id
        ids = sorted(str(row.delivery.notification_id) for row in self.rows)
        return uuid.uuid5(_DIGEST_IDS, ",".join(ids))


@dataclass(frozen=True)
class Outcome:
    job: Job
    status: DeliveryStatus | None
    """None: a transient failure (``error`` says what)."""
    reason: str | None = None
    error: str | None = None


LANES = 2
"""Batches in flight at once: one sends while the other's outcomes are recorded."""


class Dispatcher:
    def __init__(
        self,
        uow: UowFactory,
        region: Region,
        *,
        mailer: MailSender,
        sms: SmsSender | None,
        settings: DispatchSettings = DispatchSettings(),
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._uow = uow
        self._region = region
        self._mailer = mailer
        self._sms = sms
        self._settings = settings
        self._clock = clock
        self._jitter = jitter

    async def run_once(self) -> int:
        """One round; returns how many deliveries it finished or rescheduled."""
        now = self._clock()
        async with self._uow() as uow:
            due = await uow.deliveries.claim_due(now, self._settings.batch, self._settings.lease)
        if not due:
            return 0
        lease = _Lease([row.delivery.notification_id for row in due], now + self._settings.lease)
        jobs, waiting = self._jobs(due, now)
        if waiting:
            async with self._uow() as uow:
                for row, at in waiting:
                    await uow.deliveries.postpone(row.delivery.notification_id, at, QUIET_HOURS)
        async with self._holding(lease):
            for wave in _waves(jobs):
                await self._send_wave(wave, now)
        return len(due)

    @contextlib.asynccontextmanager
    async def _holding(self, lease: _Lease) -> AsyncIterator[None]:
        renewing = asyncio.create_task(self._renew(lease))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _renew(self, lease: _Lease) -> None:
        """Every third of a lease, the rows of this round not yet finished are held for one
        more: a slow round keeps them, while a killed sender's come back within one lease."""
        while True:
            await asyncio.sleep(self._settings.lease.total_seconds() / 3)
            until = self._clock() + self._settings.lease
            try:
                async with self._uow() as uow:
                    await uow.deliveries.extend_lease(lease.ids, lease.until, until)
            except Exception as exc:  # the database away for a moment: next time
                log.warning("notification.lease_not_renewed", error=str(exc))
                continue
            lease.until = until

    async def drain(self) -> int:
        """Rounds until nothing is due now (tests, benchmark)."""
        total = 0
        while done := await self.run_once():
            total += done
        return total

    def _jobs(
        self, due: Sequence[Due], now: dt.datetime
    ) -> tuple[list[Job], list[tuple[Due, dt.datetime]]]:
        jobs: list[Job] = []
        waiting: list[tuple[Due, dt.datetime]] = []
        digests: dict[tuple[uuid.UUID, str], list[Due]] = {}
        quiet, zone = self._region.quiet_hours, self._region.time_zone
        for row in due:
            later = after_quiet_hours(now, quiet, zone) if row.delivery.channel == SMS else None
            if later is not None:
                waiting.append((row, later))
            elif row.delivery.held == DIGEST:
                digests.setdefault((row.recipient.member_id, row.delivery.channel), []).append(row)
            else:
                jobs.append(Job((row,), row.letter, row.delivery.channel, row.recipient))
        for (_, channel), rows in digests.items():
            jobs.append(self._digest(rows, channel))
        return jobs, waiting

    def _digest(self, rows: list[Due], channel: str) -> Job:
        recipient = rows[0].recipient
        if len(rows) == 1:
            return Job(tuple(rows), rows[0].letter, channel, recipient)
        head = head_for(self._region, recipient, rows[0].delivery.language)
        letter = digest(head, [row.letter for row in rows])
        return Job(tuple(rows), letter, channel, recipient)

    async def _send_wave(self, jobs: list[Job], now: dt.datetime) -> None:
        """Two lanes take batches of the wave's jobs in turn; each sends its batch (the
        e-mails in one go, see ``MailSender.send_many``), records the batch's outcomes in
        one statement, and only then takes the next batch, so while one lane records, the
        other sends. A batch holds ``concurrency`` / 2 messages: at most ``concurrency`` are
        ever sent and not yet recorded (the gap). A lane that cannot record its outcomes
        stops, and the wave's failure ends the round (later waves wait for the lease)."""
        lanes = min(LANES, self._settings.concurrency)
        size = self._settings.concurrency // lanes
        queue = iter(jobs)

        async def lane() -> None:
            while batch := list(itertools.islice(queue, size)):
                await self._conclude(await self._send_batch(batch), now)

        failures = [
            result
            for result in await asyncio.gather(
                *(lane() for _ in range(lanes)), return_exceptions=True
            )
            if isinstance(result, BaseException)
        ]
        if failures:
            raise failures[0]

    async def _send_batch(self, batch: list[Job]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        mails: list[tuple[int, OutgoingMail]] = []
        others: list[int] = []
        for i, job in enumerate(batch):
            reason = suppression_reason(job.recipient)
            if reason is not None:  # consent withdrawn or erased since the intent
                outcomes[i] = Outcome(job, DeliveryStatus.SUPPRESSED, reason)
            elif job.channel == APP:  # written in the outcome's statement
                outcomes[i] = Outcome(job, DeliveryStatus.SENT)
            elif job.channel == EMAIL and job.recipient.email:
                try:
                    mails.append((i, self._mail(job, job.recipient.email)))
                except Exception as exc:  # a bug in a template: worth another try later
                    outcomes[i] = _outcome(job, exc)
            else:
                others.append(i)

        async def send_mails() -> None:
            errors = await self._mailer.send_many([mail for _, mail in mails])
            for (i, _), error in zip(mails, errors, strict=True):
                outcomes[i] = _outcome(batch[i], error)

        async def hand_over(i: int) -> None:
            try:
                await self._hand_over(batch[i])
            except Exception as exc:
                outcomes[i] = _outcome(batch[i], exc)
            else:
                outcomes[i] = _outcome(batch[i], None)

        await asyncio.gather(*([send_mails()] if mails else []), *(hand_over(i) for i in others))
        return [outcomes[i] for i in range(len(batch))]

    def _mail(self, job: Job, address: str) -> OutgoingMail:
        rendered = render_mail(job.letter)
        return OutgoingMail(
            to_address=address,
            to_name=job.recipient.first_name,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            language=job.letter.language,
            message_id=f"<{job.message_key}@dorp>",
        )

    async def _hand_over(self, job: Job) -> None:
        """Anything but e-mail: an SMS through the gateway."""
        recipient = job.recipient
        if job.channel == SMS and recipient.phone and self._sms is not None:
            await self._sms.send(
                OutgoingSms(recipient.phone, render_sms(job.letter), str(job.message_key))
            )
        else:  # the address went away since the intent
            raise PermanentFailure(f"no {job.channel} address or gateway any more")

    async def _conclude(self, outcomes: Sequence[Outcome], now: dt.datetime) -> None:
        """All outcomes of one batch, recorded at once (``conclude``): retries rescheduled,
        the rest finished, with their dead letters and ``NotificationSent``. When the
        database is away (a restart), tried again for two thirds of a lease: the messages
        went out, so sending them again would be the wrong way to recover; after that they
        are left pending and the lease brings them back (the gap)."""
        retries: list[Retry] = []
        finished: list[Finished] = []
        for outcome in outcomes:
            for row in outcome.job.rows:
                if outcome.status is None and row.attempts < self._settings.max_attempts:
                    retries.append(self._retry(row, outcome.error or "", now))
                    continue
                status, reason = outcome.status, outcome.reason
                if status is None:
                    status, reason = DeliveryStatus.FAILED, "retries_exhausted"
                inbox = None
                if status is DeliveryStatus.SENT and outcome.job.channel == APP:
                    inbox = self._inbox_message(row, now)
                delivery = replace(row.delivery, status=status, reason=reason)
                finished.append(Finished(delivery, outcome.error, inbox))

        def not_recorded(exc: Exception, pause: float, _left: float) -> None:
            log.warning("notification.outcomes_not_recorded", error=str(exc), retry_in=pause)

        await retry_for(
            lambda: self._uow().conclude(retries, finished),
            patience=self._settings.lease.total_seconds() * 2 / 3,
            on_retry=not_recorded,
        )

    def _retry(self, row: Due, error: str, now: dt.datetime) -> Retry:
        log.info(
            "notification.retry",
            notification_id=str(row.delivery.notification_id),
            attempt=row.attempts,
            error=error,
        )
        return Retry(
            row.delivery.notification_id, now + backoff(row.attempts, self._jitter()), error
        )

    def _inbox_message(self, row: Due, now: dt.datetime) -> InboxMessage:
        return InboxMessage(
            message_id=row.delivery.notification_id,
            member_id=row.delivery.recipient_id,
            template=row.delivery.template,
            language=row.letter.language,
            subject=row.letter.subject,
            text=render_text(row.letter),
            created_at=now,
        )


def _waves(jobs: list[Job]) -> list[list[Job]]:
    """Every recipient's first message, then every second one, and so on: one recipient's
    messages go out in order, each after the one before it is recorded."""
    waves: list[list[Job]] = []
    seen: dict[uuid.UUID, int] = {}
    for job in jobs:
        k = seen.get(job.recipient.member_id, 0)
        seen[job.recipient.member_id] = k + 1
        if k == len(waves):
            waves.append([])
        waves[k].append(job)
    return waves


def _outcome(job: Job, error: BaseException | None) -> Outcome:
    if error is None:
        return Outcome(job, DeliveryStatus.SENT)
    if isinstance(error, PermanentFailure):
        return Outcome(job, DeliveryStatus.FAILED, "refused", str(error))
    return Outcome(job, None, error=f"{type(error).__name__}: {error}")  # worth another try
