"""Registration's commands and queries, one module per capability. Each is served over NATS
(``dorp.<region>.cmd.registration.<name>``) and HTTP (``POST /v1/<name>``)."""

from __future__ import annotations

from typing import Any

from dorp_registration.commands import members
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.commands import Command

COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (*members.COMMANDS,)
