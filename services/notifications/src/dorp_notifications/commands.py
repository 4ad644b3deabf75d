"""Notifications' commands and queries: the in-app inbox, what is still to be sent to a
member, and the member's preferences.

Served over NATS request/reply (``dorp.<region>.cmd.notifications.<name>``) and HTTP
(``POST /v1/<name>``) by the shared command framework.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dorp_notifications.ports import InboxMessage, NotificationsUnitOfWork, Pending
from dorp_shared.commands import Command, CommandContext, CommandInput, not_found

INBOX = "inbox"
PREFERENCES = "preferences"
MAX_PAGE = 200


class InboxQuery(CommandInput):
    member_id: uuid.UUID
    unread_only: bool = False
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)


class PendingQuery(CommandInput):
    member_id: uuid.UUID
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)


class MarkRead(CommandInput):
    member_id: uuid.UUID
    message_ids: tuple[uuid.UUID, ...] = Field(min_length=1, max_length=MAX_PAGE)


class SetPreferences(CommandInput):
    member_id: uuid.UUID
    daily_digest: bool = Field(
        description="gather messages and send them once a day, in the morning "
        "(reminders of sessions still come the day before)"
    )


class InboxMessageView(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: uuid.UUID
    template: str
    language: str
    subject: str
    text: str
    created_at: AwareDatetime
    read_at: AwareDatetime | None


class InboxView(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    messages: tuple[InboxMessageView, ...]


class PendingView(BaseModel):
    """One message still to be sent: no content, only what it is and when it goes."""

    model_config = ConfigDict(frozen=True)

    notification_id: uuid.UUID
    template: str
    channel: str
    channel_reason: str | None = Field(
        description="why this channel: preferred, or the fallback's reason (e.g. no_phone)"
    )
    held: str | None = Field(
        description="why it waits: reminder (the day before), digest (the morning digest), "
        "quiet_hours (no SMS at night); None: it was due at once (being sent or retried)"
    )
    due_at: AwareDatetime = Field(description="when it goes out (or is tried again)")


class PendingList(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    pending: tuple[PendingView, ...]


class MarkedRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    marked: int = Field(description="how many were unread and are read now")


class PreferencesView(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    daily_digest: bool


def _view(message: InboxMessage) -> InboxMessageView:
    return InboxMessageView(
        message_id=message.message_id,
        template=message.template,
        language=message.language,
        subject=message.subject,
        text=message.text,
        created_at=message.created_at,
        read_at=message.read_at,
    )


async def inbox_list(
    uow: NotificationsUnitOfWork, ctx: CommandContext, query: InboxQuery
) -> InboxView:
    messages = await uow.inbox_messages.list(
        query.member_id, unread_only=query.unread_only, limit=query.limit
    )
    return InboxView(member_id=query.member_id, messages=tuple(_view(m) for m in messages))


def _pending_view(pending: Pending) -> PendingView:
    delivery = pending.delivery
    return PendingView(
        notification_id=delivery.notification_id,
        template=delivery.template,
        channel=delivery.channel,
        channel_reason=delivery.channel_reason,
        held=delivery.held,
        due_at=pending.due_at,
    )


async def pending_list(
    uow: NotificationsUnitOfWork, ctx: CommandContext, query: PendingQuery
) -> PendingList:
    pending = await uow.deliveries.pending_for(query.member_id, query.limit)
    return PendingList(member_id=query.member_id, pending=tuple(map(_pending_view, pending)))


async def inbox_mark_read(
    uow: NotificationsUnitOfWork, ctx: CommandContext, command: MarkRead
) -> MarkedRead:
    marked = await uow.inbox_messages.mark_read(command.member_id, command.message_ids, ctx.now)
    return MarkedRead(member_id=command.member_id, marked=marked)


async def set_preferences(
    uow: NotificationsUnitOfWork, ctx: CommandContext, command: SetPreferences
) -> PreferencesView:
    if not await uow.recipients.set_digest(command.member_id, command.daily_digest):
        raise not_found("member", command.member_id)
    return PreferencesView(member_id=command.member_id, daily_digest=command.daily_digest)


COMMANDS: tuple[Command[Any, Any, Any], ...] = (
    Command(
        name="inbox_list",
        input=InboxQuery,
        output=InboxView,
        handle=inbox_list,
        summary="A member's in-app messages, newest first (optionally only the unread).",
        tag=INBOX,
        query=True,
    ),
    Command(
        name="inbox_mark_read",
        input=MarkRead,
        output=MarkedRead,
        handle=inbox_mark_read,
        summary="Mark some of a member's in-app messages as read.",
        tag=INBOX,
    ),
    Command(
        name="pending_list",
        input=PendingQuery,
        output=PendingList,
        handle=pending_list,
        summary="What is still to be sent to a member, the soonest first: reminders, "
        "digests, SMS held back in the quiet hours, retries; when each goes, not its text.",
        tag=INBOX,
        query=True,
    ),
    Command(
        name="set_notification_preferences",
        input=SetPreferences,
        output=PreferencesView,
        handle=set_preferences,
        summary="A member's notification preferences: the daily digest on or off.",
        tag=PREFERENCES,
    ),
)
