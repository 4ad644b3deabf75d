"""SMS through an HTTP gateway: ``POST <DORP_SMS_GATEWAY_URL>`` with a JSON body
``{"from", "to", "text", "reference"}`` and the API key in the ``X-Api-Key`` header.

A 2xx answer means accepted. 4xx (other than 408 and 429) means the gateway refuses the
message for good (a bad number): a :class:`PermanentFailure`. Anything else (5xx, 408,
429, a timeout, no connection) is transient. ``reference`` is the notification's id, the
same on a resend, so the gateway (or its client) can drop a duplicate.
"""

from __future__ import annotations

import httpx

from dorp_notifications.domain.model import OutgoingSms
from dorp_notifications.ports import PermanentFailure
from dorp_notifications.settings import NotificationSettings
from dorp_shared.errors import InfrastructureUnavailable

API_KEY_HEADER = "X-Api-Key"
TIMEOUT_SECONDS = 10.0
_RETRYABLE_CLIENT_ERRORS = {408, 429}


class HttpSmsGateway:
    def __init__(self, url: str, api_key: str | None, sender: str) -> None:
        self._url = url
        self._sender = sender
        headers = {API_KEY_HEADER: api_key} if api_key else {}
        self._client = httpx.AsyncClient(headers=headers, timeout=TIMEOUT_SECONDS)

    @classmethod
    def from_settings(cls, settings: NotificationSettings) -> HttpSmsGateway | None:
        if not settings.sms_gateway_url:
            return None
        key = settings.sms_api_key.get_secret_value() if settings.sms_api_key else None
        return cls(settings.sms_gateway_url, key, settings.sms_sender)

    async def send(self, sms: OutgoingSms) -> None:
        body = {
            "from": self._sender,
            "to": sms.to_number,
            "text": sms.text,
            "reference": sms.message_id,
        }
        try:
            answer = await self._client.post(self._url, json=body)
        except httpx.HTTPError as exc:
            raise InfrastructureUnavailable(
                f"SMS gateway unreachable: {type(exc).__name__}"
            ) from exc
        if answer.is_success:
            return
        if 400 <= answer.status_code < 500 and answer.status_code not in _RETRYABLE_CLIENT_ERRORS:
            raise PermanentFailure(f"the SMS gateway refused the message: {answer.status_code}")
        raise InfrastructureUnavailable(f"the SMS gateway answered {answer.status_code}")

    async def close(self) -> None:
        await self._client.aclose()
