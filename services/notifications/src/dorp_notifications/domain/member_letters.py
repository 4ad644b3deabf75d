"""Letters to one member: the retention warning, a decision of their dialogue table, and
the daily digest that gathers what was held for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dorp_notifications.domain.letters import Head, Letter, letter
from dorp_shared.contracts.events import DecisionRecorded

RETENTION_WARNING = "retention_warning"
DECISION_RECORDED = "decision_recorded"
DIGEST = "digest"


def retention_warning(head: Head, erase_on: dt.date) -> Letter:
    t = head.phrases
    values = {"programme": head.programme, "date": t.date(erase_on)}
    return letter(
        head,
        RETENTION_WARNING,
        t("retention_warning.subject", **values),
        [t("retention_warning.inactive", **values), t("retention_warning.stay")],
    )


def decision_recorded(head: Head, decision: DecisionRecorded, topic: str) -> Letter:
    """The majority's choice with the minority's view beside it (Deep Democracy); both
    views are the table's own words, shown as written."""
    t = head.phrases
    outcome = "adopted" if decision.adopted else "not_adopted"
    minority = decision.minority_view.strip()
    return letter(
        head,
        DECISION_RECORDED,
        t("decision_recorded.subject", topic=topic),
        [
            t(f"decision_recorded.{outcome}", topic=topic),
            t("decision_recorded.majority", view=decision.majority_view.strip()),
            t("decision_recorded.minority", view=minority) if minority else "",
            t(
                "decision_recorded.votes",
                votes_for=decision.votes_for,
                votes_against=decision.votes_against,
                votes_abstain=decision.votes_abstain,
            ),
        ],
    )


def digest(head: Head, items: Sequence[Letter]) -> Letter:
    """The held letters, oldest first, each as its subject, sentences and facts."""
    t = head.phrases
    paragraphs = [t("digest.intro")]
    for item in items:
        facts = [f"{label}: {value}" for label, value in item.facts]
        paragraphs.append("\n".join([f"# {item.subject}", *item.paragraphs, *facts]))
    return letter(
        head,
        DIGEST,
        t("digest.subject", programme=head.programme, count=len(items)),
        paragraphs,
    )
