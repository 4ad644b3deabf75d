"""After the storm: every accepted event is in every store exactly once, no e-mail went out
twice, no proposal was lost, and the dead letters are exactly the invalid inputs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message

import asyncpg
from nats.js import JetStreamContext

from dorp_shared.contracts.subjects import stream_name
from tests.faults.load import Load


@dataclass
class Findings:
    """What the stores hold now; ``problems`` lists every broken promise."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def expect(self, what: str, seen: int, wanted: int) -> None:
        self.counts[what] = seen
        if seen != wanted:
            self.problems.append(f"{what}: {seen}, expected {wanted}")


async def table_counts(db: asyncpg.Connection) -> dict[str, int]:
    queries = {
        "registration members": "SELECT count(*) FROM registration.members",
        "registration requests": "SELECT count(*) FROM registration.help_requests",
        "registration offers": "SELECT count(*) FROM registration.help_offers",
        "matching requests with a proposal": (
            "SELECT count(DISTINCT request_id) FROM matching.proposals"
        ),
        "matching proposals": "SELECT count(*) FROM matching.proposals",
        "reporting requests": "SELECT count(*) FROM reporting.requests",
        "reporting offers": "SELECT count(*) FROM reporting.offers",
        "reporting matches": "SELECT count(*) FROM reporting.matches",
    }
    return {name: int(await db.fetchval(sql)) for name, sql in queries.items()}


def settled(counts: dict[str, int], load: Load, mails: int) -> bool:
    """Everything downstream has caught up (the checks then say whether it is right)."""
    return (
        counts["reporting requests"] >= load.requesters
        and counts["reporting matches"] >= load.requesters
        and mails >= 2 * load.requesters
    )


async def check(
    load: Load, db: asyncpg.Connection, js: JetStreamContext, region: str, mails: list[Message]
) -> Findings:
    found = Findings()
    counts = await table_counts(db)
    members = load.requesters + load.helpers
    found.expect("registration members", counts["registration members"], members)
    found.expect("registration requests", counts["registration requests"], load.requesters)
    found.expect("registration offers", counts["registration offers"], load.helpers)
    found.expect("matching proposals", counts["matching proposals"], load.requesters)
    found.expect(
        "matching requests with a proposal",
        counts["matching requests with a proposal"],
        load.requesters,
    )
    for name in ("requests", "offers", "matches"):
        wanted = load.helpers if name == "offers" else load.requesters
        found.expect(f"reporting {name}", counts[f"reporting {name}"], wanted)
    await _stream_once(found, js, region, "member_registered", members)
    await _stream_once(found, js, region, "help_requested", load.requesters)
    _mails_once(found, mails, 2 * load.requesters)
    await _dead_letters(found, js, region, load)
    return found


async def _stream_once(
    found: Findings, js: JetStreamContext, region: str, event: str, wanted: int
) -> None:
    """Each member's event is on its own subject (it ends in the member id): one message each."""
    info = await js.stream_info(
        stream_name(region, "registration"),
        subjects_filter=f"dorp.{region}.registration.{event}.v1.>",
    )
    per_subject = info.state.subjects or {}
    found.expect(f"stream {event} subjects", len(per_subject), wanted)
    twice = sum(1 for count in per_subject.values() if count > 1)
    found.expect(f"stream {event} published more than once", twice, 0)


def _mails_once(found: Findings, mails: list[Message], wanted: int) -> None:
    ids = [mail["Message-ID"] for mail in mails]
    found.expect("e-mails delivered", len(ids), wanted)
    found.expect("e-mails delivered twice", len(ids) - len(set(ids)), 0)


async def _dead_letters(found: Findings, js: JetStreamContext, region: str, load: Load) -> None:
    name = stream_name(region, "deadletter")
    info = await js.stream_info(name)
    payload_ids: list[str] = []
    reasons: dict[str, int] = {}
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        letter = json.loads((await js.get_msg(name, seq)).data or b"{}")
        reasons[letter["reason"]] = reasons.get(letter["reason"], 0) + 1
        try:
            payload_ids.append(str(json.loads(letter["original_payload"])["external_id"]))
        except (ValueError, KeyError, TypeError):
            payload_ids.append(
                f"<{letter['service']} {letter['reason']}: {letter['detail'][:300]} "
                f"on {letter['original_subject']}>"
            )
    invalid = sorted(m.external_id for m in load.invalid)
    found.counts["dead letters"] = len(payload_ids)
    if sorted(payload_ids) != invalid:
        extra = sorted(set(payload_ids) - set(invalid))[:10]
        missing = sorted(set(invalid) - set(payload_ids))[:10]
        found.problems.append(
            f"dead letters are not exactly the invalid inputs: reasons {reasons}, "
            f"unexpected {extra}, missing {missing}"
        )
