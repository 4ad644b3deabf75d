"""What a match e-mail says, per language, before it is put into a template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dorp_notifications.domain.model import Recipient
from dorp_shared.contracts import MatchProposed
from dorp_shared.regions import Region
from dorp_shared.vocabulary import kind_phrase

TEMPLATE = "match_proposed"
Role = Literal["requester", "helper"]

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
        kind=kind_phrase(match.kind, language),
        area=region.area_name(match.home_area),
        explanation=match.explanation if language == "nl" else match.explanation_en,
    )
