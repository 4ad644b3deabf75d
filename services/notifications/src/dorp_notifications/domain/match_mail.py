"""What a match e-mail says, per language, before it is put into a template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dorp_notifications.domain.model import Recipient
from dorp_shared.contracts import MatchProposed
from dorp_shared.regions import Region

TEMPLATE = "match_proposed"
Role = Literal["requester", "helper"]

KIND_WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "babysitting": "oppas",
        "walk_and_talk": "een wandeling en een praatje",
        "coffee_date": "een koffie- of theedate",
        "share_experience": "ervaringen delen",
        "language_help": "hulp bij taal",
        "explain_school_system": "uitleg over het schoolsysteem",
        "clothing_exchange": "kleding ruilen",
        "host_family": "een steungezin",
    },
    "en": {
        "babysitting": "babysitting",
        "walk_and_talk": "a walk and a talk",
        "coffee_date": "a coffee or tea date",
        "share_experience": "sharing experiences",
        "language_help": "language help",
        "explain_school_system": "an explanation of the school system",
        "clothing_exchange": "a clothing exchange",
        "host_family": "a host family",
    },
}

SUBJECTS: dict[str, str] = {
    "nl": "Je hebt een match: {kind} in {area}",
    "en": "You have a match: {kind} in {area}",
}


@dataclass(frozen=True)
class MatchMail:
    """Everything the templates may show. On purpose it holds no contact details of
    the other party: only their first name."""

    language: str
    programme: str
    motto: str | None
    recipient_name: str
    other_first_name: str
    role: Role
    kind: str
    area: str
    explanation: str

    @property
    def subject(self) -> str:
        return SUBJECTS[self.language].format(kind=self.kind, area=self.area)


def kind_in_words(kind: str, language: str) -> str:
    return KIND_WORDS.get(language, {}).get(kind, kind.replace("_", " "))


def area_name(region: Region, area_id: str) -> str:
    return next((area.name for area in region.areas if area.id == area_id), area_id)


def match_mail(
    match: MatchProposed,
    *,
    recipient: Recipient,
    other: Recipient,
    role: Role,
    language: str,
    region: Region,
) -> MatchMail:
    return MatchMail(
        language=language,
        programme=region.programme.name,
        motto=region.programme.motto,
        recipient_name=recipient.first_name,
        other_first_name=other.first_name,
        role=role,
        kind=kind_in_words(match.kind, language),
        area=area_name(region, match.home_area),
        explanation=match.explanation if language == "nl" else match.explanation_en,
    )
