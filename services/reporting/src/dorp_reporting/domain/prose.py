"""The report in sentences, as seed 000 reads: a paragraph per initiative, the individual
meetings and walks, and a choice of quotes rather than all of them. Counts of people in a
sentence are the table's figures (suppressed the same way), so the prose hides what the
table hides."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from dorp_reporting.domain.facts import InitiativeCounts, QuoteFact
from dorp_reporting.domain.figures import SECONDARY, Figure
from dorp_reporting.domain.report import Text
from dorp_reporting.domain.words import INITIATIVE_KINDS, words

MEETING_KINDS = ("walk_and_talk", "share_experience", "coffee_date")
"""Help kinds that are one parent meeting another (seed 000's "individuele ontmoetingen en
wandelingen"), counted apart from the collective activities."""
QUOTES_PER_GROUP = 3
"""At most this many quotes per initiative (and of quotes without one), as the seed shows a
few voices, not every one."""


def initiative_paragraph(initiative: InitiativeCounts, people: Sequence[Figure]) -> Text:
    """``people``: attendance (sum), unique participants and sign-ups, as the table shows
    them."""
    attendance, unique, sign_ups = people
    nl_kind, en_kind = words(INITIATIVE_KINDS, initiative.kind)
    n = initiative.sessions
    return Text(
        nl=f"{initiative.name} ({nl_kind}): {n} {'bijeenkomst' if n == 1 else 'bijeenkomsten'}"
        f", samen {say(attendance, 'nl')} keer bezocht door {say(unique, 'nl')} verschillende "
        f"deelnemers ({say(sign_ups, 'nl')} aanmeldingen).",
        en=f"{initiative.name} ({en_kind}): {n} {'session' if n == 1 else 'sessions'}, "
        f"attended {say(attendance, 'en')} times in all by {say(unique, 'en')} different "
        f"participants ({say(sign_ups, 'en')} sign-ups).",
    )


def say(figure: Figure, language: str) -> str:
    """A figure inside a sentence: as the table shows it, but a figure hidden only so that
    another cannot be worked out (the table's "x") in words."""
    if figure.display != SECONDARY:
        return figure.display
    return "a hidden number of" if language == "en" else "een verborgen aantal"


def meetings_paragraph(programme: str, meetings: Figure, contacts: Figure) -> Text:
    return Text(
        nl=f"Naast de collectieve activiteiten vonden er ook individuele ontmoetingen en "
        f"wandelingen plaats: {programme} bracht {say(meetings, 'nl')} keer twee mensen met "
        f"elkaar in contact voor een wandeling, een kop koffie of om ervaringen te delen. "
        f"Daarvan werden er {say(contacts, 'nl')} een echt contact.",
        en=f"Besides the collective activities there were individual meetings and walks: "
        f"{programme} put two people in touch {say(meetings, 'en')} times for a walk, a coffee "
        f"or to share experiences; {say(contacts, 'en')} of them became a real contact.",
    )


def choose_quotes(
    quotes: Sequence[QuoteFact], per_group: int = QUOTES_PER_GROUP
) -> list[QuoteFact]:
    """A few quotes per initiative (quotes without one form a group of their own): the
    same period gives the same choice. Within a group, quotes of one to three sentences
    come first (the seed's are one line), then an order fixed by the text's hash (not the
    order of recording, so one busy month does not fill the choice). Groups in the order
    their first quote was recorded."""
    groups: dict[str | None, list[QuoteFact]] = {}
    for quote in quotes:
        groups.setdefault(quote.initiative, []).append(quote)
    chosen = []
    for group in groups.values():
        ranked = sorted(group, key=lambda q: (not _short_enough(q.text), _digest(q.text)))
        chosen += ranked[:per_group]
    return chosen


def _short_enough(text: str) -> bool:
    return 0 < len(text) <= 240


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
