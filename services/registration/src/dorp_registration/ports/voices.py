"""Port of the voices capability (to be completed with the capability)."""

from __future__ import annotations

from typing import Protocol

from dorp_registration.ports.common import MemberData


class VoiceRepository(MemberData, Protocol):
    pass
