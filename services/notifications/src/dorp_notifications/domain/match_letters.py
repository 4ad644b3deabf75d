"""Letters about proposals and matches. Only the confirmation carries contact details of
the other party: both said yes. Every other letter names the other by first name only."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal

from dorp_notifications.domain.letters import Head, Letter, letter
from dorp_notifications.domain.model import Proposal, Recipient
from dorp_shared.regions import Region

Role = Literal["requester", "helper"]

MATCH_PROPOSED = "match_proposed"
MATCH_CONFIRMED = "match_confirmed"
PROPOSAL_ENDED = "proposal_ended"
PROPOSAL_ACCEPTED = "proposal_accepted"
PROPOSAL_DECLINED = "proposal_declined"
MATCH_COMPLETED = "match_completed"
CONNECTOR_TASK = "connector_task"
REVIEW_OVERDUE = "review_overdue"
COFFEE_DATE = "coffee_date"


@dataclass(frozen=True)
class About:
    """The proposal as a letter names it: kind and area in the reader's words."""

    kind: str
    area: str
    explanation: str | None


def about(proposal: Proposal, head: Head, region: Region) -> About:
    """Matching explains its proposals in Dutch and English only; other languages leave
    the explanation out rather than show Dutch."""
    explanations = {"nl": proposal.explanation, "en": proposal.explanation_en}
    return About(
        kind=head.phrases.kind(proposal.kind),
        area=region.area_name(proposal.home_area),
        explanation=explanations.get(head.language) or None,
    )


def match_proposed(head: Head, what: About, role: Role, other: Recipient) -> Letter:
    t = head.phrases
    values = {"kind": what.kind, "area": what.area, "other": other.first_name}
    why = t("match_proposed.why", explanation=what.explanation) if what.explanation else ""
    return letter(
        head,
        MATCH_PROPOSED,
        t("match_proposed.subject", **values),
        [
            t("match_proposed.intro", programme=head.programme),
            t(f"match_proposed.{role}", **values),
            why,
            t("common.private"),
        ],
    )


def match_confirmed(head: Head, what: About, other: Recipient) -> Letter:
    """The other's e-mail address, or their phone number when they have no address."""
    t = head.phrases
    name = other.first_name
    if other.email:
        reach = t("match_confirmed.contact", other=name, email=other.email)
    elif other.phone:
        reach = t("match_confirmed.phone", other=name, phone=other.phone)
    else:
        reach = t("match_confirmed.no_email", other=name)
    return letter(
        head,
        MATCH_CONFIRMED,
        t("match_confirmed.subject", kind=what.kind),
        [t("match_confirmed.both_yes", kind=what.kind), reach],
    )


def proposal_ended(head: Head, what: About, *, expired: bool) -> Letter:
    """Why a cancelled proposal ended is not said: the other may have been erased."""
    t = head.phrases
    ending = "expired" if expired else "cancelled"
    values = {"kind": what.kind, "area": what.area}
    return letter(
        head,
        PROPOSAL_ENDED,
        t(f"proposal_ended.subject_{ending}", **values),
        [t(f"proposal_ended.{ending}", **values), t("common.keep_looking")],
    )


def proposal_accepted(head: Head, what: About, other: Recipient) -> Letter:
    t = head.phrases
    values = {"kind": what.kind, "area": what.area, "other": other.first_name}
    return letter(
        head,
        PROPOSAL_ACCEPTED,
        t("proposal_accepted.subject", **values),
        [
            t("proposal_accepted.body", **values),
            t("proposal_accepted.your_turn"),
            t("common.private"),
        ],
    )


def proposal_declined(head: Head, what: About, other: Recipient) -> Letter:
    t = head.phrases
    values = {"kind": what.kind, "area": what.area, "other": other.first_name}
    return letter(
        head,
        PROPOSAL_DECLINED,
        t("proposal_declined.subject", **values),
        [t("proposal_declined.body", **values), t("common.keep_looking")],
    )


def match_completed(head: Head, what: About, *, helped: bool) -> Letter:
    t = head.phrases
    return letter(
        head,
        MATCH_COMPLETED,
        t("match_completed.subject"),
        [
            t("match_completed.thanks", kind=what.kind),
            t("match_completed.helped" if helped else "match_completed.not_helped"),
        ],
    )


def connector_task(head: Head, what: About, proposal: Proposal) -> Letter:
    """No names of the parents: the connector opens the proposal in their queue."""
    t = head.phrases
    values = {"kind": what.kind, "area": what.area}
    why = t("connector_task.why", explanation=what.explanation) if what.explanation else ""
    return letter(
        head,
        CONNECTOR_TASK,
        t("connector_task.subject", **values),
        [
            t("connector_task.body", **values),
            why,
            t("connector_task.action"),
            t("common.reference", reference=proposal.proposal_id),
        ],
    )


def review_overdue(
    head: Head, what: About, proposal_id: uuid.UUID, *, hours: int, since: str
) -> Letter:
    t = head.phrases
    values = {"kind": what.kind, "area": what.area}
    return letter(
        head,
        REVIEW_OVERDUE,
        t("review_overdue.subject", hours=hours, **values),
        [
            t("review_overdue.body", since=since, **values),
            t("review_overdue.action"),
            t("common.reference", reference=proposal_id),
        ],
    )


def coffee_date(
    head: Head, partners: list[str], *, meet_by: dt.date, explanation: str | None
) -> Letter:
    """Partners by first name; contact details stay private (a connector introduces)."""
    t = head.phrases
    names = " & ".join(partners)
    return letter(
        head,
        COFFEE_DATE,
        t("coffee_date.subject", names=names),
        [
            t("coffee_date.body", names=names),
            t("coffee_date.why", explanation=explanation) if explanation else "",
            t("coffee_date.meet_by", date=t.date(meet_by), programme=head.programme),
        ],
    )
