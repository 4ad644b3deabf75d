"""Every NATS subject and JetStream stream of Dorp, in one place.

Subjects are lowercase, dot-separated and versioned:

=====================================================  ===========================================
``dorp.<region>.<area>.<event>.v<N>[.<member_id>]``   canonical events (JetStream, one stream per
                                                       publishing area and region); events about one
                                                       member end in its id
``dorp.<region>.deadletter.<area>``                    what a service could not handle, with reason
``dorp.<region>.partner.<partner_id>.<event>``         partner systems' input (request/reply)
``dorp.<region>.cmd.<area>.<command>``                 commands and queries (request/reply)
``dorp.<region>.aggregate.v1.<period>``               anonymised figures that may leave the region
                                                       (stream ``DORP_<REGION>_AGGREGATE``, the
                                                       latest message per subject)
=====================================================  ===========================================

Streams are named ``DORP_<REGION>_<AREA>``; they are declared only by :func:`region_streams`.
"""

from __future__ import annotations

from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

from dorp_shared.contracts.envelope import Event

ROOT = "dorp"
EVENT_AREAS = ("registration", "matching", "notifications", "reporting")
DEADLETTER = "deadletter"
AGGREGATE = "aggregate"
AGGREGATE_VERSION = 1
DUPLICATE_WINDOW_SECONDS = 10 * 60
DEADLETTER_MAX_AGE_SECONDS = 30 * 24 * 3600
"""Dead letters keep rejected input whole, which may hold personal data: kept 30 days."""


def event_subject(region: str, event: type[Event]) -> str:
    return f"{ROOT}.{region}.{event.area}.{event.name}.v{event.version}"


def payload_subject(region: str, payload: Event) -> str:
    """The subject one event is published on: its type's subject, then its key if it has one
    (``dorp.lochem.registration.help_requested.v1.<member_id>``)."""
    key = payload.subject_key()
    base = event_subject(region, type(payload))
    return f"{base}.{key}" if key else base


def member_events(region: str, area: str, member_id: str) -> str:
    """Every member-scoped event of one member in one area's stream: what erasure purges."""
    return f"{ROOT}.{region}.{area}.*.*.{member_id}"


def area_events(region: str, area: str) -> str:
    """Wildcard for every event an area publishes in a region."""
    return f"{ROOT}.{region}.{area}.>"


def deadletter_subject(region: str, area: str) -> str:
    return f"{ROOT}.{region}.{DEADLETTER}.{area}"


def partner_subject(region: str, partner_id: str, event: str) -> str:
    return f"{ROOT}.{region}.partner.{partner_id}.{event}"


def partner_wildcard(region: str) -> str:
    """``dorp.<region>.partner.<partner_id>.<event>`` for every partner and event."""
    return f"{ROOT}.{region}.partner.*.*"


def command_subject(region: str, area: str, command: str) -> str:
    return f"{ROOT}.{region}.cmd.{area}.{command}"


def aggregate_subject(region: str, period: str) -> str:
    """Where a region publishes the anonymised figures of one period ("all", "2026",
    "2026-03"): the only subjects meant to cross to a hub (``dorp.*.aggregate.>``)."""
    return f"{ROOT}.{region}.{AGGREGATE}.v{AGGREGATE_VERSION}.{period}"


def stream_name(region: str, area: str) -> str:
    return f"DORP_{region.upper()}_{area.upper()}"


def region_streams(region: str, replicas: int = 1) -> list[StreamConfig]:
    """The JetStream streams of one region: one per publishing area, plus dead letters."""
    configs = [
        StreamConfig(
            name=stream_name(region, area),
            description=f"Dorp {area} events of region {region}",
            subjects=[area_events(region, area)],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        )
        for area in EVENT_AREAS
    ]
    configs.append(
        StreamConfig(
            name=stream_name(region, AGGREGATE),
            description=f"Dorp anonymised aggregates of region {region}, latest per period",
            subjects=[f"{ROOT}.{region}.{AGGREGATE}.>"],
            retention=RetentionPolicy.LIMITS,
            max_msgs_per_subject=1,
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        )
    )
    configs.append(
        StreamConfig(
            name=stream_name(region, DEADLETTER),
            description=f"Dorp dead letters of region {region}",
            subjects=[f"{ROOT}.{region}.{DEADLETTER}.>"],
            retention=RetentionPolicy.LIMITS,
            max_age=DEADLETTER_MAX_AGE_SECONDS,
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        )
    )
    return configs
