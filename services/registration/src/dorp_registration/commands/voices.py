"""Voices: members' quotes (published only anonymously and with consent) and the
four-buffer self-check of seed 003 (shown only in aggregate, never per person)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from dorp_registration.commands import checks
from dorp_registration.commands.members import require_member
from dorp_registration.domain.voices import (
    GroupFigures,
    Summary,
    may_publish_anonymously,
    summarise,
)
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.commands import Command, CommandContext, CommandInput, invalid, not_found
from dorp_shared.contracts.events import BufferScores, QuoteRecorded, SelfCheckRecorded
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "voices"
BUFFERS = tuple(BufferScores.model_fields)


class RecordQuote(CommandInput):
    member_id: uuid.UUID
    text: str = Field(min_length=1, max_length=1000, description="in the member's own words")
    language: str | None = Field(
        default=None, description="a language of the region; the member's preferred if left out"
    )
    publish_anonymously: bool = Field(
        default=False,
        description="reports may show it without a name; needs the member's consent for quotes",
    )
    initiative_id: uuid.UUID | None = Field(default=None, description="where it was said")


class QuoteRef(CommandInput):
    member_id: uuid.UUID = Field(description="the author: only they withdraw their quote")
    quote_id: uuid.UUID


class ListQuotes(CommandInput):
    home_area: str | None = None
    initiative_id: uuid.UUID | None = None
    limit: int = Field(default=50, ge=1, le=200)


class RecordSelfCheck(CommandInput):
    member_id: uuid.UUID
    scores: BufferScores


class NoInput(CommandInput):
    pass


class QuoteAccepted(BaseModel):
    model_config = ConfigDict(frozen=True)

    quote_id: uuid.UUID


class QuoteWithdrawn(BaseModel):
    model_config = ConfigDict(frozen=True)

    quote_id: uuid.UUID
    withdrawn_at: dt.datetime


class PublishableQuote(BaseModel):
    """A quote as a report may show it: never with a member id or name."""

    model_config = ConfigDict(frozen=True)

    quote_id: uuid.UUID
    text: str
    language: str
    home_area: str
    initiative_id: uuid.UUID | None
    recorded_on: dt.date


class QuoteList(BaseModel):
    model_config = ConfigDict(frozen=True)

    quotes: tuple[PublishableQuote, ...]


class SelfCheckAccepted(BaseModel):
    model_config = ConfigDict(frozen=True)

    check_id: uuid.UUID


class Figures(BaseModel):
    """Aggregates of one group. ``respondents`` and a mean are null where the people behind
    them are fewer than the threshold (or would be recoverable by subtraction)."""

    model_config = ConfigDict(frozen=True)

    respondents: int | None
    suppressed: bool
    means: dict[str, float | None] = Field(description="per question (or buffer), 1..5")

    @classmethod
    def of(cls, figures: GroupFigures) -> Figures:
        return cls(
            respondents=figures.respondents, suppressed=figures.suppressed, means=figures.means
        )


class AreaFigures(Figures):
    home_area: str


class SummaryView(BaseModel):
    model_config = ConfigDict(frozen=True)

    threshold: int = Field(description="the region's smallest group that is shown")
    overall: Figures
    by_area: tuple[AreaFigures, ...]

    @classmethod
    def of(cls, summary: Summary, threshold: int) -> SummaryView:
        return cls(
            threshold=threshold,
            overall=Figures.of(summary.overall),
            by_area=tuple(
                AreaFigures(home_area=area, **Figures.of(figures).model_dump())
                for area, figures in summary.groups.items()
            ),
        )


def check_quote(item: RecordQuote, region: Region) -> list[FieldError]:
    return checks.language("language", item.language, region)


def check_list(item: ListQuotes, region: Region) -> list[FieldError]:
    return checks.area("home_area", item.home_area, region)


async def record_quote(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RecordQuote
) -> QuoteAccepted:
    member = await require_member(uow, item.member_id)
    if item.publish_anonymously and not may_publish_anonymously(member.consents):
        raise invalid(
            "publish_anonymously",
            "the member has not consented to quotes in reports (consent 'quotes');"
            " record the quote unpublished, or record that consent first",
        )
    if item.initiative_id and not await uow.activities.get_initiative(item.initiative_id):
        raise invalid("initiative_id", f"no initiative with id {item.initiative_id}")
    quote = QuoteRecorded(
        member_id=member.member_id,
        quote_id=uuid.uuid4(),
        text=item.text,
        language=item.language or member.preferred_language,
        home_area=member.home_area,
        publish_anonymously=item.publish_anonymously,
        initiative_id=item.initiative_id,
    )
    await uow.voices.add_quote(quote, ctx.now)
    await uow.emit(quote)
    await uow.members.touch(member.member_id, ctx.now)
    return QuoteAccepted(quote_id=quote.quote_id)


async def withdraw_quote(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: QuoteRef
) -> QuoteWithdrawn:
    """The quote is deleted; its event is published again, empty and withdrawn, so that
    whoever keeps quotes drops it too."""
    await require_member(uow, item.member_id)
    quote = await uow.voices.get_quote(item.quote_id)
    if quote is None or quote.member_id != item.member_id:
        raise not_found("quote of this member", item.quote_id)
    await uow.voices.delete_quote(quote.quote_id)
    await uow.emit(
        quote.model_copy(update={"text": "", "publish_anonymously": False, "withdrawn": True})
    )
    await uow.members.touch(item.member_id, ctx.now)
    return QuoteWithdrawn(quote_id=quote.quote_id, withdrawn_at=ctx.now)


async def list_quotes(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: ListQuotes
) -> QuoteList:
    found = await uow.voices.publishable_quotes(
        home_area=item.home_area, initiative_id=item.initiative_id, limit=item.limit
    )
    zone = ZoneInfo(ctx.region.time_zone)
    return QuoteList(
        quotes=tuple(
            PublishableQuote(
                quote_id=quote.quote_id,
                text=quote.text,
                language=quote.language,
                home_area=quote.home_area,
                initiative_id=quote.initiative_id,
                recorded_on=quote.recorded_at.astimezone(zone).date(),
            )
            for quote in found
        )
    )


async def record_self_check(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RecordSelfCheck
) -> SelfCheckAccepted:
    member = await require_member(uow, item.member_id)
    check = SelfCheckRecorded(
        member_id=member.member_id,
        check_id=uuid.uuid4(),
        home_area=member.home_area,
        scores=item.scores,
    )
    await uow.voices.add_self_check(check, ctx.now)
    await uow.emit(check)
    await uow.members.touch(member.member_id, ctx.now)
    return SelfCheckAccepted(check_id=check.check_id)


async def self_check_summary(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: NoInput
) -> SummaryView:
    """Each member counts once, with their latest self-check, in the area they lived in
    when they filled it in."""
    threshold = ctx.region.report_small_count_threshold
    tallies = await uow.voices.self_check_tallies()
    return SummaryView.of(summarise(tallies, BUFFERS, threshold), threshold)


COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (
    Command(
        name="record_quote",
        input=RecordQuote,
        output=QuoteAccepted,
        handle=record_quote,
        summary="Record something a member said; publishable only with their consent.",
        tag=TAG,
        check=check_quote,
    ),
    Command(
        name="withdraw_quote",
        input=QuoteRef,
        output=QuoteWithdrawn,
        handle=withdraw_quote,
        summary="The author withdraws their quote: it is deleted and no longer published.",
        tag=TAG,
    ),
    Command(
        name="list_quotes",
        input=ListQuotes,
        output=QuoteList,
        handle=list_quotes,
        summary="Quotes reports may show, newest first: anonymous, with consent standing.",
        tag=TAG,
        query=True,
        check=check_list,
    ),
    Command(
        name="record_self_check",
        input=RecordSelfCheck,
        output=SelfCheckAccepted,
        handle=record_self_check,
        summary="Record a member's four-buffer self-check (seed 003), each buffer 1 to 5.",
        tag=TAG,
    ),
    Command(
        name="self_check_summary",
        input=NoInput,
        output=SummaryView,
        handle=self_check_summary,
        summary="Self-check means per buffer, per area and overall; small groups hidden.",
        tag=TAG,
        query=True,
    ),
)
