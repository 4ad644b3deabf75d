"""Errors that cross module boundaries."""


class DorpError(Exception):
    """Base class: an error whose message is fit to show a user as one line."""


class InfrastructureUnavailable(DorpError):
    """NATS, PostgreSQL or SMTP could not be reached; the message names what was tried."""


class PermanentFailure(DorpError):
    """Retrying will not help (bad contract, unknown reference): dead-letter at once."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class NotReadyYet(DorpError):
    """Something this event depends on has not arrived yet: redeliver later."""
