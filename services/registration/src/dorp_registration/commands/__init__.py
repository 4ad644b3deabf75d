"""Registration's commands and queries, one module per capability. Each is served over NATS
(``dorp.<region>.cmd.registration.<name>``) and HTTP (``POST /v1/<name>``)."""

from __future__ import annotations

from typing import Any

from dorp_registration.commands import (
    activities,
    communities,
    dialogue,
    help,
    members,
    organisations,
    voices,
)
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.commands import Command

COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (
    *members.COMMANDS,
    *organisations.COMMANDS,
    *help.COMMANDS,
    *activities.COMMANDS,
    *voices.COMMANDS,
    *dialogue.COMMANDS,
    *communities.COMMANDS,
)

PARTNER_COMMANDS: dict[str, Command[RegistrationUnitOfWork, Any, Any]] = {
    command.name: command
    for command in COMMANDS
    if command.name
    in {
        "register_initiative",
        "update_initiative",
        "schedule_session",
        "cancel_session",
        "sign_up",
        "cancel_sign_up",
        "record_attendance",
        "record_survey_response",
    }
}
"""Commands a partner system may also send on its own subjects
(``dorp.<region>.partner.<partner_id>.<command>``) with the same body: a community centre
recording attendance, a school's system scheduling its coffee mornings."""
