"""Sending what is due, on every channel, from the deliveries table.

Each round claims due rows with ``FOR UPDATE SKIP LOCKED`` and holds them for a lease
(``next_attempt_at`` moves one lease ahead, and again every third of a lease while the round
still holds them), sends them outside any transaction, at most
``concurrency`` at once (one recipient's in order), and records each outcome in a small
transaction right after its send:

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
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

import structlog

from dorp_notifications.domain.deliveries import APP, EMAIL, SMS, suppression_reason
from dorp_notifications.domain.letters import Letter, head_for
from dorp_notifications.domain.member_letters import digest
from dorp_notifications.domain.model import (
    Delivery,
    DeliveryStatus,
    OutgoingMail,
    OutgoingSms,
    Recipient,
)
from dorp_notifications.domain.timing import after_quiet_hours, backoff
from dorp_notifications.ports import (
    Due,
    InboxMessage,
    MailSender,
    NotificationsUnitOfWork,
    PermanentFailure,
    SmsSender,
)
from dorp_notifications.rendering import render_mail, render_sms, render_text
from dorp_notifications.sending import DIGEST, QUIET_HOURS, UowFactory, publish_outcome
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)

_DIGEST_IDS = uuid.UUID("0c3f1f7e-45c6-4a53-9d5e-2f0a4a2c9b61")


@dataclass(frozen=True)
class DispatchSettings:
    batch: int = 200
    concurrency: int = 8
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
        self._slots = asyncio.Semaphore(settings.concurrency)

    async def run_once(self) -> int:
        """One round; returns how many deliveries it finished or rescheduled."""
        now = self._clock()
        async with self._uow() as uow:
            due = await uow.deliveries.claim_due(now, self._settings.batch, self._settings.lease)
        if not due:
            return 0
        lease = _Lease([row.delivery.notification_id for row in due], now + self._settings.lease)
        jobs, waiting = self._jobs(due, now)
        per_recipient: dict[uuid.UUID, list[Job]] = {}
        for job in jobs:
            per_recipient.setdefault(job.recipient.member_id, []).append(job)
        if waiting:
            async with self._uow() as uow:
                for row, at in waiting:
                    await uow.deliveries.postpone(row.delivery.notification_id, at, QUIET_HOURS)
        recorder = _GroupCommit(
            self._uow,
            lambda uow, outcomes: self._record(uow, outcomes, now),
            patience=self._settings.lease.total_seconds() * 2 / 3,
        )
        async with self._holding(lease):
            await asyncio.gather(*(self._in_order(j, recorder) for j in per_recipient.values()))
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

    async def _in_order(self, jobs: list[Job], recorder: _GroupCommit) -> None:
        """One recipient's messages one after the other, in the order they were due. Each
        holds a slot until its outcome is recorded: at most ``concurrency`` messages are
        ever sent and not yet recorded (the gap)."""
        for job in jobs:
            async with self._slots:
                await recorder.record(await self._send(job))

    async def _send(self, job: Job) -> Outcome:
        reason = suppression_reason(job.recipient)
        if reason is not None:  # consent withdrawn or erased since the intent
            return Outcome(job, DeliveryStatus.SUPPRESSED, reason)
        if job.channel == APP:
            return Outcome(job, DeliveryStatus.SENT)  # written in the outcome's transaction
        try:
            await self._hand_over(job)
        except PermanentFailure as exc:
            return Outcome(job, DeliveryStatus.FAILED, "refused", str(exc))
        except Exception as exc:  # anything else is worth another try
            return Outcome(job, None, error=f"{type(exc).__name__}: {exc}")
        return Outcome(job, DeliveryStatus.SENT)

    async def _hand_over(self, job: Job) -> None:
        key, recipient = job.message_key, job.recipient
        if job.channel == EMAIL and recipient.email:
            rendered = render_mail(job.letter)
            await self._mailer.send(
                OutgoingMail(
                    to_address=recipient.email,
                    to_name=recipient.first_name,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    language=job.letter.language,
                    message_id=f"<{key}@dorp>",
                )
            )
        elif job.channel == SMS and recipient.phone and self._sms is not None:
            await self._sms.send(OutgoingSms(recipient.phone, render_sms(job.letter), str(key)))
        else:  # the address went away since the intent
            raise PermanentFailure(f"no {job.channel} address or gateway any more")

    async def _record(
        self, uow: NotificationsUnitOfWork, outcomes: Sequence[Outcome], now: dt.datetime
    ) -> None:
        """All outcomes of one group commit: retries rescheduled, the rest finished with one
        statement, then dead letters and ``NotificationSent`` for those really finished."""
        finishing: list[tuple[Delivery, DeliveryStatus, str | None, str | None]] = []
        for outcome in outcomes:
            for row in outcome.job.rows:
                if outcome.status is None and row.attempts < self._settings.max_attempts:
                    await self._retry(uow, row, outcome.error or "", now)
                elif outcome.status is None:
                    finishing.append(
                        (row.delivery, DeliveryStatus.FAILED, "retries_exhausted", outcome.error)
                    )
                else:
                    if outcome.status is DeliveryStatus.SENT and outcome.job.channel == APP:
                        await self._to_inbox(uow, row, now)
                    finishing.append((row.delivery, outcome.status, outcome.reason, outcome.error))
        finished = await uow.deliveries.finish(
            [
                (delivery.notification_id, status, reason)
                for delivery, status, reason, _ in finishing
            ]
        )
        for delivery, status, reason, error in finishing:
            if delivery.notification_id not in finished:
                continue  # cancelled meanwhile (consent withdrawn, erased): already published
            if status is DeliveryStatus.FAILED:
                await uow.dead_letter(reason or "failed", error or "", delivery)
            await publish_outcome(uow, replace(delivery, status=status, reason=reason))

    async def _retry(
        self, uow: NotificationsUnitOfWork, row: Due, error: str, now: dt.datetime
    ) -> None:
        at = now + backoff(row.attempts, self._jitter())
        await uow.deliveries.retry_at(row.delivery.notification_id, at, error)
        log.info(
            "notification.retry",
            notification_id=str(row.delivery.notification_id),
            attempt=row.attempts,
            error=error,
        )

    async def _to_inbox(self, uow: NotificationsUnitOfWork, row: Due, now: dt.datetime) -> None:
        await uow.inbox_messages.add(
            InboxMessage(
                message_id=row.delivery.notification_id,
                member_id=row.delivery.recipient_id,
                template=row.delivery.template,
                language=row.letter.language,
                subject=row.letter.subject,
                text=render_text(row.letter),
                created_at=now,
            )
        )


class _GroupCommit:
    """Outcomes that finish together are recorded in one transaction (group commit);
    each sender waits until its own outcome is committed before it sends again. A commit
    that fails (the database restarting) is tried again for ``patience`` seconds: the
    messages went out, so sending them again would be the wrong way to recover."""

    def __init__(
        self,
        uow: UowFactory,
        record: Callable[[NotificationsUnitOfWork, list[Outcome]], Awaitable[None]],
        patience: float,
    ) -> None:
        self._uow = uow
        self._record = record
        self._patience = patience
        self._waiting: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, outcome: Outcome) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self._waiting:
            await asyncio.sleep(0)  # let the senders that finish now join this commit
            batch, self._waiting = self._waiting, []
            error = await self._commit([outcome for outcome, _ in batch])
            for _, done in batch:
                if error is None:
                    done.set_result(None)
                else:  # left pending: the lease brings them back
                    done.set_exception(error)

    async def _commit(self, outcomes: list[Outcome]) -> Exception | None:
        deadline, pause = time.monotonic() + self._patience, 0.2
        while True:
            try:
                async with self._uow() as uow:
                    await self._record(uow, outcomes)
                return None
            except Exception as exc:
                if time.monotonic() + pause > deadline:
                    return exc
                log.warning("notification.outcomes_not_recorded", error=str(exc), retry_in=pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
