"""How long a consumer waits before an event comes again."""

from __future__ import annotations

from unittest import mock

from dorp_shared.errors import NotReadyYet
from dorp_shared.messaging import ACK_WAIT_SECONDS, retry_delay


def test_an_event_waiting_for_another_outlasts_the_ack_wait_even_at_the_lowest_jitter() -> None:
    """The earlier event may sit with a consumer that died: JetStream gives it out again only
    after the ack wait, so the four retries of the later one must take longer than that."""
    with mock.patch("dorp_shared.messaging.random.random", return_value=0.0):
        waits = [retry_delay(NotReadyYet("member unknown"), n) for n in range(1, 5)]
    assert sum(waits) > ACK_WAIT_SECONDS
    assert waits == sorted(waits)


def test_a_failure_is_retried_soon_and_never_later_than_the_cap() -> None:
    with mock.patch("dorp_shared.messaging.random.random", return_value=0.999):
        assert retry_delay(ConnectionError("hiccup"), 1) < 0.5
        assert retry_delay(ConnectionError("hiccup"), 20) <= 45.0
