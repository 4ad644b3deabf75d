"""A partner's load: members, their requests and offers, and a few invalid events, each sent
until it is answered (a partner system retries what timed out, as it should)."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nats.aio.client import Client
from nats.errors import Error as NatsError

from dorp_shared.contracts.partner import PartnerReply
from dorp_shared.contracts.subjects import partner_subject

PARTNER = "fault-partner"
KIND = "babysitting"


@dataclass(frozen=True)
class Message:
    event: str
    body: dict[str, Any]
    valid: bool = True

    @property
    def external_id(self) -> str:
        return str(self.body["external_id"])


@dataclass(frozen=True)
class Load:
    requesters: int
    helpers: int
    messages: tuple[Message, ...]

    @property
    def invalid(self) -> list[Message]:
        return [m for m in self.messages if not m.valid]

    @property
    def emails(self) -> set[str]:
        return {str(m.body["email"]) for m in self.messages if "email" in m.body}

    @property
    def requester_emails(self) -> list[str]:
        """The requesters' addresses (the first ``requesters`` members are the ones who ask)."""
        return [_email(n) for n in range(self.requesters)]

    def count(self, event: str) -> int:
        return sum(1 for m in self.messages if m.valid and m.event == event)


def build_load(total: int, area: str, language: str, seed: int = 1) -> Load:
    """About ``total`` events: 2% invalid; twice as many requesters as helpers; every request
    fits every offer (same kind, area and language), and offers have room for all."""
    rng = random.Random(seed)
    invalid = max(1, total // 50)
    requesters = (total - invalid) // 3
    helpers = (total - invalid - 2 * requesters) // 2
    members: list[Message] = []
    help_items: list[Message] = []
    for n in range(requesters + helpers):
        asks = n < requesters
        external_id = f"m{n}"
        members.append(Message("member_registration", _member(external_id, area, language, n)))
        side = {"external_id": f"{'r' if asks else 'o'}{n}", "member_external_id": external_id}
        if asks:
            help_items.append(Message("help_request", side | {"kind": KIND, "age_band": "1-4"}))
        else:
            help_items.append(Message("help_offer", side | {"kind": KIND, "capacity": 10}))
    bad = [
        Message("member_registration", {"external_id": f"bad{n}", "home_area": "atlantis"}, False)
        for n in range(invalid)
    ]
    # Members come before their requests and offers; within each part the order is shuffled.
    rng.shuffle(members)
    rng.shuffle(help_items)
    ordered = members + help_items
    for message in bad:
        ordered.insert(rng.randrange(len(ordered)), message)
    return Load(requesters, helpers, tuple(ordered))


def _email(n: int) -> str:
    return f"ouder{n}@example.org"


def _member(external_id: str, area: str, language: str, n: int) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "display_name": f"Ouder {n}",
        "email": _email(n),
        "home_area": area,
        "languages": [language],
        "age_bands": ["1-4"],
        "consents": {"matching": True, "notifications": True},
    }


@dataclass
class Sender:
    nc: Client
    region: str
    answers: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    rejected: list[str] = field(default_factory=list)

    async def send_all(self, load: Load, concurrency: int, progress: list[int]) -> None:
        """Members first (all of them answered), then the rest, ``concurrency`` at a time."""
        split = next(
            i for i, m in enumerate(load.messages) if m.event != "member_registration" and m.valid
        )
        for part in (load.messages[:split], load.messages[split:]):
            queue: asyncio.Queue[Message] = asyncio.Queue()
            for message in part:
                queue.put_nowait(message)
            await asyncio.gather(*(self._worker(queue, progress) for _ in range(concurrency)))

    async def _worker(self, queue: asyncio.Queue[Message], progress: list[int]) -> None:
        while not queue.empty():
            message = queue.get_nowait()
            reply = await self._until_answered(message)
            self.answers[reply.status] += 1
            if reply.status == "rejected":
                self.rejected.append(message.external_id)
            progress[0] += 1

    async def _until_answered(self, message: Message) -> PartnerReply:
        subject = partner_subject(self.region, PARTNER, message.event)
        data = json.dumps(message.body).encode()
        while True:
            try:
                reply = await self.nc.request(subject, data, timeout=5)
                answer = PartnerReply.model_validate_json(reply.data)
            except (NatsError, TimeoutError, ValueError):
                self.retries += 1
                await asyncio.sleep(0.25)
                continue
            if answer.status == "rejected" and answer.reason == "temporarily_unavailable":
                self.retries += 1
                await asyncio.sleep(0.25)
                continue
            return answer
