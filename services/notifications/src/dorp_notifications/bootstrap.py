"""The notifications service definition: schema ``notifications``, its subscribers."""

from __future__ import annotations

from faststream import FastStream

from dorp_notifications.entrypoints.subscribers import SERVICE, register
from dorp_shared.contracts.events import NotificationSent
from dorp_shared.service import ServiceDefinition, create_app

DEFINITION = ServiceDefinition(
    name=SERVICE,
    description=(
        "Tells people what concerns them: e-mails both parents when a match is proposed, "
        "confirmed (with the other's contact), cancelled or expired; confirms sign-ups and "
        "waiting-list places; warns members whose data is about to be erased. The only "
        "service that stores contact details; it follows their updates, consent and erasure."
    ),
    migrations="dorp_notifications.migrations",
    wire=register,
    publishes=(NotificationSent,),
)


def app() -> FastStream:
    """App factory (settings from DORP_*):

    ``faststream run dorp_notifications.bootstrap:app --factory``
    """
    return create_app(DEFINITION)
