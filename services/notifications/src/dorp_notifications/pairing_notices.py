"""Who hears what about matching's other suggestions: a coffee or tea date, sessions that
suit a member, and connectors reminded of a review that waits too long."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dorp_notifications.domain import match_letters, session_letters
from dorp_notifications.domain.letters import Head, Letter
from dorp_notifications.domain.model import Proposal, Session
from dorp_notifications.domain.session_letters import Suggestion
from dorp_notifications.sending import Notifier, People, UowFactory, Wanted, notify
from dorp_shared.contracts import Envelope
from dorp_shared.contracts.events import (
    CoffeeDatePaired,
    ProposalReviewOverdue,
    SessionsRecommended,
)


def explained(head: Head, dutch: str, english: str) -> str | None:
    """Matching explains in Dutch and English only; other languages leave it out."""
    return {"nl": dutch, "en": english}.get(head.language) or None


async def notify_review_overdue(
    event: Envelope[ProposalReviewOverdue], *, uow: UowFactory, notifier: Notifier
) -> None:
    overdue = event.payload
    connectors = list(overdue.connector_ids)
    proposal = Proposal(
        overdue.proposal_id, overdue.request_id, overdue.request_id, overdue.kind, overdue.home_area
    )
    zone = ZoneInfo(notifier.region.time_zone)

    def content(people: People, head: Head) -> Letter:
        what = match_letters.about(proposal, head, notifier.region)
        since = overdue.waiting_since.astimezone(zone)
        return match_letters.review_overdue(
            head,
            what,
            overdue.proposal_id,
            hours=overdue.review_hours,
            since=f"{head.phrases.day(since.date())} {since:%H:%M}",
        )

    wanted = [Wanted(c, match_letters.REVIEW_OVERDUE, content) for c in connectors]
    await notify(event, wanted, involved=connectors, uow=uow, notifier=notifier)


async def notify_coffee_date(
    event: Envelope[CoffeeDatePaired], *, uow: UowFactory, notifier: Notifier
) -> None:
    """The member hears the first names of the others at the date, not their contact."""
    paired = event.payload
    partners = list(paired.partner_ids)

    def content(people: People, head: Head) -> Letter:
        names = [people[p].first_name for p in partners]
        why = explained(head, paired.explanation, paired.explanation_en)
        return match_letters.coffee_date(head, names, meet_by=paired.meet_by, explanation=why)

    wanted = [Wanted(paired.member_id, match_letters.COFFEE_DATE, content, about=tuple(partners))]
    involved = [paired.member_id, *partners]
    await notify(event, wanted, involved=involved, uow=uow, notifier=notifier)


async def notify_sessions_recommended(
    event: Envelope[SessionsRecommended], *, uow: UowFactory, notifier: Notifier
) -> None:
    advice = event.payload

    def content(people: People, head: Head) -> Letter:
        suggestions = [
            Suggestion(
                Session(s.session_id, s.initiative_name, s.starts_at, s.ends_at, s.place),
                s.places_left,
                explained(head, s.explanation, s.explanation_en),
            )
            for s in advice.sessions
        ]
        return session_letters.sessions_recommended(head, suggestions, notifier.region.time_zone)

    wanted = [Wanted(advice.member_id, session_letters.SESSIONS_RECOMMENDED, content)]
    await notify(event, wanted, involved=(advice.member_id,), uow=uow, notifier=notifier)
