"""A notification before it is put into a template: every sentence already written in the
recipient's language, so the templates only lay it out (plain text, HTML, SMS, inbox)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from dorp_notifications.domain.i18n import Phrases, phrases
from dorp_notifications.domain.model import Recipient
from dorp_shared.regions import Region


@dataclass(frozen=True)
class Head:
    """Who writes to whom, in which language."""

    phrases: Phrases
    programme: str
    motto: str | None
    recipient_name: str

    @property
    def language(self) -> str:
        return self.phrases.language


def head_for(region: Region, recipient: Recipient, language: str) -> Head:
    return Head(
        phrases(language), region.programme.name, region.programme.motto, recipient.first_name
    )


@dataclass(frozen=True)
class Letter:
    """What every channel shows. ``facts`` are labelled lines (when, where)."""

    template: str
    language: str
    direction: str
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    closing: str
    programme: str
    motto: str | None
    facts: tuple[tuple[str, str], ...] = ()


def letter(
    head: Head,
    template: str,
    subject: str,
    paragraphs: list[str] | tuple[str, ...],
    facts: tuple[tuple[str, str], ...] = (),
) -> Letter:
    t = head.phrases
    return Letter(
        template=template,
        language=head.language,
        direction=t.direction,
        subject=subject,
        greeting=t("common.greeting", name=head.recipient_name),
        paragraphs=tuple(p for p in paragraphs if p),
        closing=t("common.closing"),
        programme=head.programme,
        motto=head.motto,
        facts=facts,
    )


def letter_to_json(item: Letter) -> str:
    """A pending letter as stored until it is sent."""
    return json.dumps(asdict(item), ensure_ascii=False)


def letter_from_json(text: str) -> Letter:
    data = json.loads(text)
    data["paragraphs"] = tuple(data["paragraphs"])
    data["facts"] = tuple((label, value) for label, value in data["facts"])
    return Letter(**data)
