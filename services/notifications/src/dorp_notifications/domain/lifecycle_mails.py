"""What the mails after a proposal say (confirmed, cancelled, expired) and the retention
warning, per language, before they are put into a template.

Only the confirmation carries contact details of the other party: both said yes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dorp_notifications.domain.match_mail import Role
from dorp_notifications.domain.model import Proposal, Recipient
from dorp_shared.contracts.events import MatchConfirmed
from dorp_shared.regions import Region
from dorp_shared.vocabulary import kind_phrase

MATCH_CONFIRMED = "match_confirmed"
PROPOSAL_ENDED = "proposal_ended"
RETENTION_WARNING = "retention_warning"

_MONTHS: dict[str, tuple[str, ...]] = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def long_date(day: dt.date, language: str) -> str:
    """``19 december 2026`` / ``19 December 2026``: no locale needed on the server."""
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Letterhead:
    language: str
    programme: str
    motto: str | None
    recipient_name: str


def letterhead(region: Region, recipient: Recipient, language: str) -> Letterhead:
    return Letterhead(
        language=language,
        programme=region.programme.name,
        motto=region.programme.motto,
        recipient_name=recipient.first_name,
    )


@dataclass(frozen=True)
class MatchConfirmedMail:
    """Both said yes: now, and only now, the other's first name and e-mail address."""

    head: Letterhead
    role: Role
    kind: str
    other_first_name: str
    other_email: str | None

    @property
    def language(self) -> str:
        return self.head.language

    @property
    def subject(self) -> str:
        if self.language == "nl":
            return f"Jullie match is bevestigd: {self.kind}"
        return f"Your match is confirmed: {self.kind}"


def match_confirmed_mail(
    match: MatchConfirmed, *, head: Letterhead, other: Recipient, role: Role
) -> MatchConfirmedMail:
    return MatchConfirmedMail(
        head=head,
        role=role,
        kind=kind_phrase(match.kind, head.language),
        other_first_name=other.first_name,
        other_email=other.email,
    )


@dataclass(frozen=True)
class ProposalEndedMail:
    """A proposal ended without a match: it expired, or was cancelled (why is not said:
    the other may have withdrawn consent or been erased)."""

    head: Letterhead
    kind: str
    area: str
    expired: bool

    @property
    def language(self) -> str:
        return self.head.language

    @property
    def subject(self) -> str:
        nl = self.language == "nl"
        if self.expired:
            start = "Je match is verlopen" if nl else "Your match has expired"
        else:
            start = "Je match gaat niet door" if nl else "Your match will not go ahead"
        return f"{start}: {self.kind} in {self.area}"


def proposal_ended_mail(
    proposal: Proposal, *, head: Letterhead, region: Region, expired: bool
) -> ProposalEndedMail:
    return ProposalEndedMail(
        head=head,
        kind=kind_phrase(proposal.kind, head.language),
        area=region.area_name(proposal.home_area),
        expired=expired,
    )


@dataclass(frozen=True)
class RetentionWarningMail:
    head: Letterhead
    erase_on: str

    @property
    def language(self) -> str:
        return self.head.language

    @property
    def subject(self) -> str:
        if self.language == "nl":
            return f"Je gegevens bij {self.head.programme} worden op {self.erase_on} gewist"
        return f"Your data at {self.head.programme} will be erased on {self.erase_on}"


def retention_warning_mail(erase_on: dt.date, *, head: Letterhead) -> RetentionWarningMail:
    return RetentionWarningMail(head=head, erase_on=long_date(erase_on, head.language))
