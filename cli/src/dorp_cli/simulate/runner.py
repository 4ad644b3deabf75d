"""Sends a plan through the public interfaces: partner subjects (NATS request/reply) and the
HTTP API, at a steady rate, and tallies every answer against what was expected."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx
from nats.aio.client import Client

from dorp_cli.simulate.plan import Action, Chain, Plan, resolve
from dorp_shared.commands import IDEMPOTENCY_HEADER
from dorp_shared.contracts.partner import PartnerReply
from dorp_shared.contracts.subjects import partner_subject

Outcome = Literal["accepted", "rejected", "failed"]
REQUEST_TIMEOUT = 30.0
NOT_YET_KNOWN = "is not a known member"
"""How a service other than registration rejects a member whose registration it has not yet
consumed: it learns of members from registration's events, a moment after they are accepted."""
CATCH_UP_PAUSES = (0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 5.0, 5.0, 5.0, 5.0)


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    reason: str = ""
    result: dict[str, Any] = field(default_factory=dict)


class Sender(Protocol):
    async def send(self, action: Action, body: dict[str, Any]) -> Answer: ...


@dataclass
class PublicInterfaces:
    """The region as an outsider sees it: a NATS connection and the services' HTTP APIs."""

    nc: Client
    region: str
    http: httpx.AsyncClient
    api_urls: dict[str, str]

    async def send(self, action: Action, body: dict[str, Any]) -> Answer:
        if action.via == "partner":
            return await self._partner(action, body)
        return await self._command(action, body)

    async def _partner(self, action: Action, body: dict[str, Any]) -> Answer:
        subject = partner_subject(self.region, action.partner_id, action.name)
        data = action.raw if action.raw is not None else json.dumps(body).encode()
        reply = await self.nc.request(subject, data, timeout=REQUEST_TIMEOUT)
        answer = PartnerReply.model_validate_json(reply.data)
        result = {"dorp_id": answer.dorp_id} if answer.dorp_id else {}
        return Answer(answer.status, answer.reason or "", result)

    async def _command(self, action: Action, body: dict[str, Any]) -> Answer:
        base = self.api_urls.get(action.service)
        if base is None:
            return Answer("failed", f"no HTTP API of {action.service} found")
        response = await self.http.post(
            f"{base}/v1/{action.name}", json=body, headers={IDEMPOTENCY_HEADER: action.key}
        )
        answer: dict[str, Any] = response.json() if response.content else {}
        if response.status_code == 200:
            return Answer("accepted", result=answer)
        if response.status_code >= 500:
            return Answer("failed", f"{response.status_code} {answer.get('reason', '')}")
        return Answer("rejected", f"{answer.get('reason')}: {answer.get('detail')}")


@dataclass
class Pacer:
    """At most ``rate`` sends per second overall (0: as fast as answers come)."""

    rate: float
    _next: float = 0.0

    async def wait(self) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        slot = max(self._next, now)
        self._next = slot + 1 / self.rate
        if slot > now:
            await asyncio.sleep(slot - now)


@dataclass
class Summary:
    """What happened, per action name: as expected, not as expected, or not sent."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    surprises: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def record(self, action: Action, answer: Answer) -> None:
        if answer.outcome == action.expect:
            self.counts[(action.name, answer.outcome)] += 1
            return
        self.counts[(action.name, f"unexpected {answer.outcome}")] += 1
        if len(self.surprises) < 25:
            self.surprises.append(f"{action.name} ({action.key}): {answer.outcome} {answer.reason}")

    def skip(self, action: Action, missing: str) -> None:
        self.counts[(action.name, "skipped")] += 1
        if len(self.surprises) < 25:
            self.surprises.append(f"{action.name} ({action.key}): skipped, no {missing}")

    def total(self, outcome: str) -> int:
        return sum(n for (_, seen), n in self.counts.items() if seen == outcome)

    @property
    def unexpected(self) -> int:
        return sum(n for (_, seen), n in self.counts.items() if seen.startswith("unexpected"))

    def as_json(self) -> dict[str, Any]:
        per_action: dict[str, dict[str, int]] = {}
        for (name, outcome), n in sorted(self.counts.items()):
            per_action.setdefault(name, {})[outcome] = n
        return {
            "accepted": self.total("accepted"),
            "rejected_as_expected": self.total("rejected"),
            "unexpected": self.unexpected,
            "skipped": self.total("skipped"),
            "elapsed_seconds": round(self.elapsed, 2),
            "per_action": per_action,
            "surprises": self.surprises,
        }


async def run_plan(
    plan: Plan,
    sender: Sender,
    *,
    rate: float = 0,
    concurrency: int = 16,
    progress: Callable[[str, int], None] = lambda label, n: None,
) -> Summary:
    """Every wave in order; its chains side by side (at most ``concurrency``)."""
    summary = Summary()
    bindings: dict[str, str] = dict(plan.bindings)
    pacer = Pacer(rate)
    gate = asyncio.Semaphore(concurrency)
    started = time.monotonic()

    async def run_chain(chain: Chain, label: str) -> None:
        async with gate:
            for action in chain:
                await _send(action, sender, bindings, pacer, summary)
                progress(label, 1)

    for wave in plan.waves:
        await asyncio.gather(*(run_chain(chain, wave.label) for chain in wave.chains))
    summary.elapsed = time.monotonic() - started
    return summary


async def _send(
    action: Action, sender: Sender, bindings: dict[str, str], pacer: Pacer, summary: Summary
) -> None:
    try:
        body = resolve(action.body, bindings)
    except KeyError as missing:
        summary.skip(action, str(missing))
        return
    answer = await _send_once(action, body, sender, pacer)
    for pause in CATCH_UP_PAUSES if action.service != "registration" else ():
        if answer.outcome != "rejected" or NOT_YET_KNOWN not in answer.reason:
            break
        await asyncio.sleep(pause)
        answer = await _send_once(action, body, sender, pacer)
    summary.record(action, answer)
    if answer.outcome == "accepted" and action.binds:
        key, name = action.binds
        value = answer.result.get(name)
        if value is not None:
            bindings[key] = str(value)


async def _send_once(action: Action, body: dict[str, Any], sender: Sender, pacer: Pacer) -> Answer:
    await pacer.wait()
    try:
        return await sender.send(action, body)
    except (TimeoutError, httpx.HTTPError, OSError) as exc:
        return Answer("failed", f"{type(exc).__name__}: {exc}")
