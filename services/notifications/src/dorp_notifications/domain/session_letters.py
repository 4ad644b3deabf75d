"""Letters about sessions: a sign-up, a place on the waiting list or a promotion from it,
the reminder the day before, and a cancellation. Each names the initiative, day, time
and place in the region's time zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from dorp_notifications.domain.letters import Head, Letter, letter
from dorp_notifications.domain.model import Session

SIGN_UP = "sign_up"
SESSION_REMINDER = "session_reminder"
SESSION_CANCELLED = "session_cancelled"
SESSIONS_RECOMMENDED = "sessions_recommended"
SignUpNews = Literal["confirmed", "waitlisted", "promoted"]


def _what(head: Head, session: Session | None) -> str:
    name = session.initiative_name if session else None
    return name or head.phrases("common.something")


def _facts(head: Head, session: Session, time_zone: str) -> tuple[tuple[str, str], ...]:
    """``Wanneer: zaterdag 5 december 2026, 10:00-12:00`` and ``Waar: <place>``."""
    t, zone = head.phrases, ZoneInfo(time_zone)
    starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    when = f"{t.day(starts.date())}, {starts:%H:%M}-{ends:%H:%M}"
    return ((t("common.when"), when), (t("common.where"), session.place))


def _subject_what(head: Head, session: Session | None, time_zone: str) -> str:
    what = _what(head, session)
    if session is None:
        return what
    day = session.starts_at.astimezone(ZoneInfo(time_zone)).date()
    return f"{what}, {head.phrases.day(day)}"


def sign_up(
    head: Head,
    news: SignUpNews,
    *,
    session_id: uuid.UUID,
    session: Session | None,
    time_zone: str,
    waitlist_position: int | None = None,
) -> Letter:
    """``session`` None: registration's details of the session have not reached us, so the
    letter names the session id only (to quote when asking)."""
    t = head.phrases
    what = _what(head, session)
    if news == "waitlisted" and waitlist_position:
        body = t("sign_up.waitlisted_at", what=what, position=waitlist_position)
    else:
        body = t(f"sign_up.{news}", what=what)
    if session is None:
        return letter(
            head,
            SIGN_UP,
            t(f"sign_up.subject_{news}", what=what),
            [body, t("sign_up.unknown_session", reference=session_id)],
        )
    return letter(
        head,
        SIGN_UP,
        t(f"sign_up.subject_{news}", what=_subject_what(head, session, time_zone)),
        [body],
        _facts(head, session, time_zone),
    )


def session_reminder(head: Head, session: Session, time_zone: str) -> Letter:
    t = head.phrases
    what = _what(head, session)
    return letter(
        head,
        SESSION_REMINDER,
        t("session_reminder.subject", what=what),
        [t("session_reminder.body", what=what), t("session_reminder.cannot_come")],
        _facts(head, session, time_zone),
    )


def session_cancelled(head: Head, session: Session, time_zone: str) -> Letter:
    t = head.phrases
    return letter(
        head,
        SESSION_CANCELLED,
        t("session_cancelled.subject", what=_subject_what(head, session, time_zone)),
        [t("session_cancelled.body", what=_what(head, session))],
        _facts(head, session, time_zone),
    )


@dataclass(frozen=True)
class Suggestion:
    """A recommended session as the letter shows it."""

    session: Session
    places_left: int | None
    explanation: str | None


def sessions_recommended(head: Head, suggestions: list[Suggestion], time_zone: str) -> Letter:
    """One paragraph per session: name, day, time, place, places left and why it fits."""
    t = head.phrases
    paragraphs = [t("sessions_recommended.intro")]
    for item in suggestions:
        facts = " | ".join(value for _, value in _facts(head, item.session, time_zone))
        if item.places_left is None:
            places = t("sessions_recommended.open_event")
        else:
            places = t("sessions_recommended.places_left", count=item.places_left)
        lines = [_what(head, item.session), facts, places, item.explanation or ""]
        paragraphs.append("\n".join(line for line in lines if line))
    paragraphs.append(t("sessions_recommended.sign_up", programme=head.programme))
    return letter(head, SESSIONS_RECOMMENDED, t("sessions_recommended.subject"), paragraphs)
