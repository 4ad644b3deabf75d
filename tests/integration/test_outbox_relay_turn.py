"""The outbox relay's turn: replicas of a service share one outbox, and only one relay
publishes from it at a time, against real NATS and PostgreSQL."""

from __future__ import annotations

import pytest

from dorp_shared.contracts.subjects import payload_subject
from dorp_shared.observability import subject_label
from dorp_shared.relay import TAKE_TURN
from dorp_shared.settings import DorpSettings
from tests.integration.test_shared_plumbing import (
    Recorder,
    _published_all,
    _ready,
    emit_members,
    member,
)
from tests.support.services import eventually, running_service

pytestmark = pytest.mark.integration


async def test_a_relay_publishes_nothing_while_another_holds_the_turn_then_everything(
    settings: DorpSettings,
) -> None:
    """Replicas of a service share the outbox: only the relay holding the schema's turn
    publishes (two at once could publish a member's later event first). The turn is taken
    in the same query that reads the rows; the rows are marked in the one that commits."""
    recorder = Recorder()
    async with running_service(recorder.definition(), settings) as runtime:
        relay = runtime._relay
        assert relay is not None
        async with runtime.pool.acquire() as other_replica, other_replica.transaction():
            assert await other_replica.fetchval(TAKE_TURN)
            sent = [member(), member()]
            await emit_members(runtime, sent)
            assert await relay.publish_pending() == 0
            waiting = await other_replica.fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            )
            assert waiting == 2
            assert recorder.handled == []
        await eventually(lambda: _published_all(runtime))
        await eventually(lambda: _ready(len(recorder.handled) == 2))
    assert sorted(recorder.handled) == sorted(m.member_id for m in sent)
    label = subject_label(payload_subject(runtime.region.id, sent[0]))
    published = runtime.metrics.exposition().decode()
    assert f'dorp_events_published_total{{subject="{label}"}} 2.0' in published
