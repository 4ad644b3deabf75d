"""Who hears what about sessions, dialogue tables and their own data: sign-up news with a
reminder the day before, a cancelled session, a decision of their table, and the
retention warning."""

from __future__ import annotations

import structlog

from dorp_notifications.domain import member_letters, session_letters
from dorp_notifications.domain.deliveries import derived_cause
from dorp_notifications.domain.letters import Head, Letter
from dorp_notifications.domain.session_letters import SignUpNews
from dorp_notifications.domain.timing import reminder_due
from dorp_notifications.ports import NotificationsUnitOfWork
from dorp_notifications.sending import (
    CONSUMER,
    Notifier,
    People,
    UowFactory,
    Wanted,
    notify,
    publish_outcome,
)
from dorp_shared.contracts import Envelope
from dorp_shared.contracts.events import (
    DecisionRecorded,
    RetentionWarningIssued,
    SessionCancelled,
    SignedUp,
    SignUpCancelled,
    WaitlistPromoted,
)

log = structlog.get_logger(__name__)

SIGN_UP_CANCELLED = "sign_up_cancelled"
SESSION_WAS_CANCELLED = "session_cancelled"


async def notify_sign_up(
    event: Envelope[SignedUp] | Envelope[WaitlistPromoted],
    *,
    uow: UowFactory,
    notifier: Notifier,
) -> None:
    """Confirm a sign-up, a place on the waiting list or a promotion from it, with the
    session's day, time and place when registration's details have reached us; with a
    place, also store the reminder for the day before."""
    news: SignUpNews = "promoted"
    position = None
    if isinstance(event.payload, SignedUp):
        news, position = event.payload.status, event.payload.waitlist_position
    member_id, session_id = event.payload.member_id, event.payload.session_id
    async with uow() as work:
        session = await work.sessions.get(session_id)
        if news != "waitlisted":
            await work.sessions.join(session_id, member_id)
    zone = notifier.region.time_zone

    def confirmation(people: People, head: Head) -> Letter:
        return session_letters.sign_up(
            head,
            news,
            session_id=session_id,
            session=session,
            time_zone=zone,
            waitlist_position=position,
        )

    wanted = [Wanted(member_id, session_letters.SIGN_UP, confirmation)]
    due = reminder_due(session.starts_at, notifier.clock()) if session else None
    if session is not None and news != "waitlisted" and due is not None:

        def reminder(people: People, head: Head) -> Letter:
            return session_letters.session_reminder(head, session, zone)

        wanted.append(
            Wanted(
                member_id,
                session_letters.SESSION_REMINDER,
                reminder,
                cause_id=derived_cause(event.event_id, "reminder"),
                due_at=due,
                topic_id=session_id,
                digestible=False,
            )
        )
    await notify(event, wanted, involved=(member_id,), uow=uow, notifier=notifier)


async def forget_sign_up(event: Envelope[SignUpCancelled], uow: NotificationsUnitOfWork) -> None:
    """No reminder for a session the member no longer comes to."""
    member_id, session_id = event.payload.member_id, event.payload.session_id
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        await uow.sessions.leave(session_id, member_id)
        for cancelled in await uow.deliveries.cancel_about(
            session_id, SIGN_UP_CANCELLED, member_id
        ):
            await publish_outcome(uow, cancelled)


async def notify_session_cancelled(
    event: Envelope[SessionCancelled], *, uow: UowFactory, notifier: Notifier
) -> None:
    """Everyone with a place hears it; their reminders are cancelled."""
    session_id = event.payload.session_id
    async with uow() as work:
        session = await work.sessions.get(session_id)
        members = await work.sessions.members(session_id)
        for cancelled in await work.deliveries.cancel_about(session_id, SESSION_WAS_CANCELLED):
            await publish_outcome(work, cancelled)
    if session is None:
        log.info("session.unknown", session_id=str(session_id))
        return
    zone = notifier.region.time_zone

    def cancellation(people: People, head: Head) -> Letter:
        return session_letters.session_cancelled(head, session, zone)

    wanted = [Wanted(m, session_letters.SESSION_CANCELLED, cancellation) for m in members]
    await notify(event, wanted, involved=members, uow=uow, notifier=notifier)


async def notify_decision(
    event: Envelope[DecisionRecorded], *, uow: UowFactory, notifier: Notifier
) -> None:
    """Every member of the groups at the table hears the decision and the minority's view."""
    decision = event.payload
    async with uow() as lookup:
        table = await lookup.dialogue.table(decision.table_id)
    if table is None:
        log.info("dialogue_table.unknown", table_id=str(decision.table_id))
        return
    topic, members = table

    def content(people: People, head: Head) -> Letter:
        return member_letters.decision_recorded(head, decision, topic)

    wanted = [Wanted(m, member_letters.DECISION_RECORDED, content) for m in members]
    await notify(event, wanted, involved=members, uow=uow, notifier=notifier)


async def notify_retention_warning(
    event: Envelope[RetentionWarningIssued], *, uow: UowFactory, notifier: Notifier
) -> None:
    """The member's data is erased on ``erase_on`` unless they are active again."""
    warning = event.payload

    def content(people: People, head: Head) -> Letter:
        return member_letters.retention_warning(head, warning.erase_on)

    wanted = [Wanted(warning.member_id, member_letters.RETENTION_WARNING, content)]
    await notify(event, wanted, involved=(warning.member_id,), uow=uow, notifier=notifier)
