"""After the demo's simulated year: people answer the proposals matching made, and tell how
it went, so the annual report has confirmed matches, real contacts and steps on the contact
ladder (the plan cannot: proposals only exist once matching has made them).

Through matching's commands over NATS request/reply, with idempotency keys: the connector
approves what waits for review, both sides answer (most accept), and most confirmed matches
get feedback from both sides with a step on the region's contact ladder.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from typing import Any

from nats.aio.client import Client
from nats.js.errors import NotFoundError

from dorp_cli.programme import CommandFailed, Registrar
from dorp_shared.contracts import Envelope, MatchProposed
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.regions import Region

DECLINE_EVERY = 5
"""Every fifth proposal is declined; the others accepted by both sides."""
NO_FEEDBACK_EVERY = 4
"""Every fourth confirmed match gets no feedback (people do not always tell)."""
OPEN = ("proposed", "accepted")


async def answer_proposals(nc: Client, region: Region, connector_id: uuid.UUID) -> Counter[str]:
    """Every open proposal of the year answered once; returns what happened, by outcome."""
    matching = Registrar(nc, region.id, service="matching")
    done: Counter[str] = Counter()
    queue = await matching.send("connector_queue", {"connector_id": str(connector_id)}, "")
    for waiting in queue["proposals"]:
        pid = waiting["proposal_id"]
        body = {"proposal_id": pid, "connector_id": str(connector_id), "decision": "approve"}
        outcome = await _try(matching, "review_proposal", body, f"year-review:{pid}")
        done["approved by the connector" if outcome == "ok" else outcome] += 1
    rng = random.Random(region.id)
    for n, proposal in enumerate(await _proposals(nc, region.id)):
        status = await _status(matching, proposal)
        if status not in OPEN:
            done[f"already {status}"] += 1
            continue
        answer = "decline" if n % DECLINE_EVERY == DECLINE_EVERY - 1 else "accept"
        answered = await _answer(matching, proposal, answer, done)
        if answered and answer == "accept" and done["accept"] % NO_FEEDBACK_EVERY != 0:
            await _feedback(matching, region, proposal, rng, done)
    return done


async def _answer(
    matching: Registrar, proposal: MatchProposed, answer: str, done: Counter[str]
) -> bool:
    """Both sides accept; a decline of one side ends the proposal."""
    pid = str(proposal.proposal_id)
    sides = (
        (proposal.requester_id, proposal.helper_id) if answer == "accept" else (proposal.helper_id,)
    )
    for member in sides:
        body = {"proposal_id": pid, "member_id": str(member), "answer": answer}
        outcome = await _try(matching, "respond_to_proposal", body, f"year-answer:{pid}:{member}")
        if outcome != "ok":
            done[outcome] += 1
            return False
    done[answer] += 1
    return True


async def _feedback(
    matching: Registrar,
    region: Region,
    proposal: MatchProposed,
    rng: random.Random,
    done: Counter[str],
) -> None:
    """Both sides tell how it went, naming the same step up the contact ladder (mostly the
    lower steps: a chat, sharing experiences)."""
    pid = str(proposal.proposal_id)
    ladder = region.contact_ladder
    step = ladder[min(len(ladder) - 1, 1 + int(rng.triangular(0, len(ladder) - 1, 1.5)))]
    for member in (proposal.requester_id, proposal.helper_id):
        feedback: dict[str, Any] = {
            "proposal_id": pid,
            "member_id": str(member),
            "helped": rng.random() < 0.9,
            "became_contact": step != ladder[0],
            "ladder_step": step,
        }
        key = f"year-feedback:{pid}:{member}"
        outcome = await _try(matching, "complete_match", feedback, key)
        done["feedback" if outcome == "ok" else outcome] += 1


async def _status(matching: Registrar, proposal: MatchProposed) -> str:
    """Its status now; "gone" when matching no longer has it (a member was erased)."""
    try:
        found = await matching.send("get_proposal", {"proposal_id": str(proposal.proposal_id)}, "")
    except CommandFailed:
        return "gone"
    return str(found["status"])


async def _try(matching: Registrar, command: str, body: dict[str, Any], key: str) -> str:
    """ "ok", or why not: a proposal may have ended meanwhile (expired, cancelled)."""
    try:
        await matching.send(command, body, key)
    except CommandFailed as failed:
        return f"{command} refused ({str(failed).split(':')[1].strip()})"
    return "ok"


async def _proposals(nc: Client, region: str) -> list[MatchProposed]:
    """Every proposal on the matching stream, oldest first, as any consumer could read it."""
    js = nc.jetstream()
    stream, subject = stream_name(region, "matching"), event_subject(region, MatchProposed)
    found: list[MatchProposed] = []
    seq = 1
    while True:
        try:
            raw = await js.get_msg(stream, seq=seq, subject=subject, next=True)
        except NotFoundError:
            return found
        found.append(Envelope[MatchProposed].model_validate_json(raw.data or b"").payload)
        seq = int(raw.seq or seq) + 1
