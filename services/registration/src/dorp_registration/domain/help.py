"""Help requests (vraag) and offers (aanbod): opening, status, withdrawal and renewal.

An item is open until it expires or its member withdraws it. Expiry is not stored as a
state: it is computed against the clock, so an item needs no job to expire and renewing
it after expiry simply moves ``expires_at`` forward again. Withdrawal is final.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from dorp_shared.contracts.events import (
    AgeBand,
    HelpOffered,
    HelpRenewed,
    HelpRequested,
    HelpWithdrawn,
    Side,
    TimeWindow,
)

HelpStatus = Literal["open", "withdrawn", "expired"]
State = Literal["open", "withdrawn", "erased"]
"""What is stored: ``erased`` is withdrawn by the member's erasure, with no text kept."""


class NotAllowed(Exception):
    """The item's state forbids the change (a conflict, not bad input)."""


@dataclass(frozen=True)
class HelpDraft:
    """What a member asks or offers before the defaults are filled in, whether it came as
    a command or from a partner system. Empty ``languages`` and no ``home_area`` mean the
    member's own; no ``expires_in_days`` means the region's period."""

    kind: str
    home_area: str | None = None
    languages: tuple[str, ...] = ()
    time_windows: tuple[TimeWindow, ...] = ()
    text: str = ""
    expires_in_days: int | None = None
    age_band: AgeBand | None = None
    prefers_known_people: bool = False
    age_bands: tuple[AgeBand, ...] = ()
    capacity: int | None = None


DRAFT_FIELDS = frozenset(field.name for field in fields(HelpDraft))


def draft_of(given: BaseModel) -> HelpDraft:
    """The draft from any input model whose fields carry the draft's names (a command's
    or a partner's); its other fields (ids) are left out."""
    return HelpDraft(**{name: value for name, value in given if name in DRAFT_FIELDS})


@dataclass(frozen=True)
class HelpItem:
    """A request or an offer. ``age_band`` and ``prefers_known_people`` belong to
    requests, ``age_bands`` and ``capacity`` to offers."""

    help_id: uuid.UUID
    side: Side
    member_id: uuid.UUID
    kind: str
    home_area: str
    languages: tuple[str, ...]
    time_windows: tuple[TimeWindow, ...]
    text: str
    created_at: datetime
    expires_at: datetime
    age_band: AgeBand | None = None
    prefers_known_people: bool = False
    age_bands: tuple[AgeBand, ...] = ()
    capacity: int | None = None
    state: State = "open"
    withdrawn_at: datetime | None = None

    def opened_event(self) -> HelpRequested | HelpOffered:
        if self.side == "request":
            return HelpRequested(
                member_id=self.member_id,
                request_id=self.help_id,
                kind=self.kind,
                home_area=self.home_area,
                languages=self.languages,
                age_band=self.age_band,
                time_windows=self.time_windows,
                prefers_known_people=self.prefers_known_people,
                text=self.text,
                expires_at=self.expires_at,
            )
        return HelpOffered(
            member_id=self.member_id,
            offer_id=self.help_id,
            kind=self.kind,
            home_area=self.home_area,
            languages=self.languages,
            age_bands=self.age_bands,
            time_windows=self.time_windows,
            capacity=self.capacity or 1,
            text=self.text,
            expires_at=self.expires_at,
        )

    def withdrawn_event(self) -> HelpWithdrawn:
        return HelpWithdrawn(member_id=self.member_id, help_id=self.help_id, side=self.side)

    def renewed_event(self) -> HelpRenewed:
        return HelpRenewed(
            member_id=self.member_id,
            help_id=self.help_id,
            side=self.side,
            expires_at=self.expires_at,
        )


def expiry(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)


def open_item(
    draft: HelpDraft,
    *,
    side: Side,
    help_id: uuid.UUID,
    member_id: uuid.UUID,
    member_area: str,
    member_languages: tuple[str, ...],
    now: datetime,
    default_days: int,
) -> HelpItem:
    """A new open item; what the draft leaves out comes from the member and the region."""
    return HelpItem(
        help_id=help_id,
        side=side,
        member_id=member_id,
        kind=draft.kind,
        home_area=draft.home_area or member_area,
        languages=draft.languages or member_languages,
        time_windows=draft.time_windows,
        text=draft.text,
        created_at=now,
        expires_at=expiry(now, draft.expires_in_days or default_days),
        age_band=draft.age_band if side == "request" else None,
        prefers_known_people=draft.prefers_known_people if side == "request" else False,
        age_bands=draft.age_bands if side == "offer" else (),
        capacity=(draft.capacity or 1) if side == "offer" else None,
    )


def status_at(item: HelpItem, now: datetime) -> HelpStatus:
    """Withdrawn (also by erasure) is final; otherwise open until ``expires_at``."""
    if item.state != "open":
        return "withdrawn"
    return "open" if item.expires_at > now else "expired"


def withdraw(item: HelpItem, now: datetime) -> HelpItem | None:
    """The withdrawn item, or None when it was withdrawn before (nothing to do)."""
    status = status_at(item, now)
    if status == "withdrawn":
        return None
    if status == "expired":
        raise NotAllowed(f"{item.side} {item.help_id} has expired; only open items are withdrawn")
    return replace(item, state="withdrawn", withdrawn_at=now)


def renew(item: HelpItem, now: datetime, days: int) -> HelpItem:
    """Open for at least ``days`` from now, also after expiry; never after withdrawal.
    An item that already runs longer keeps its later expiry: renewing never shortens."""
    if item.state != "open":
        raise NotAllowed(f"{item.side} {item.help_id} was withdrawn and cannot be renewed")
    return replace(item, expires_at=max(item.expires_at, expiry(now, days)))
