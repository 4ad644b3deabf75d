"""What a sign-up confirmation, a waiting-list place or a promotion from the waiting list
says: the session's initiative, day, time and place in the region's time zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from dorp_notifications.domain.lifecycle_mails import Letterhead, long_date
from dorp_notifications.domain.model import Session

SIGN_UP = "sign_up"
SignUpNews = Literal["confirmed", "waitlisted", "promoted"]

_WEEKDAYS: dict[str, tuple[str, ...]] = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_SUBJECTS: dict[str, dict[SignUpNews, str]] = {
    "nl": {
        "confirmed": "Je bent aangemeld: {what}",
        "waitlisted": "Je staat op de wachtlijst: {what}",
        "promoted": "Er is plek voor je: {what}",
    },
    "en": {
        "confirmed": "You are signed up: {what}",
        "waitlisted": "You are on the waiting list: {what}",
        "promoted": "A place came free for you: {what}",
    },
}
_SOMETHING = {"nl": "een activiteit", "en": "an activity"}


@dataclass(frozen=True)
class When:
    day: str
    start: str
    end: str


def when(session: Session, language: str, time_zone: str) -> When:
    """``zaterdag 5 december 2026``, ``10:00``, ``12:00`` in the region's time zone."""
    zone = ZoneInfo(time_zone)
    starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    day = f"{_WEEKDAYS[language][starts.weekday()]} {long_date(starts.date(), language)}"
    return When(day, f"{starts:%H:%M}", f"{ends:%H:%M}")


@dataclass(frozen=True)
class SignUpMail:
    """``session`` None: registration's details of the session have not reached us, so the
    mail names the session id only (to quote when asking)."""

    head: Letterhead
    news: SignUpNews
    session_id: uuid.UUID
    initiative: str | None
    when: When | None
    place: str | None
    waitlist_position: int | None

    @property
    def language(self) -> str:
        return self.head.language

    @property
    def subject(self) -> str:
        what = self.initiative or _SOMETHING[self.language]
        if self.when is not None:
            what = f"{what}, {self.when.day}"
        return _SUBJECTS[self.language][self.news].format(what=what)


def sign_up_mail(
    news: SignUpNews,
    *,
    head: Letterhead,
    session_id: uuid.UUID,
    session: Session | None,
    time_zone: str,
    waitlist_position: int | None = None,
) -> SignUpMail:
    return SignUpMail(
        head=head,
        news=news,
        session_id=session_id,
        initiative=session.initiative_name if session else None,
        when=when(session, head.language, time_zone) if session else None,
        place=session.place if session else None,
        waitlist_position=waitlist_position,
    )
