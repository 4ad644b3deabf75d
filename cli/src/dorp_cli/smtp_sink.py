"""The demo's SMTP server: a real SMTP server (aiosmtpd) that stores each message as an
``.eml`` file, so a user can open what the parents would have received."""

from __future__ import annotations

import itertools
import time
import uuid
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from dorp_cli.stack import free_port


class _StoreAsFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sequence = itertools.count(1)

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        """aiosmtpd reads pipelined commands in order but does not say so: offer it."""
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        stamp = time.strftime("%Y%m%dT%H%M%S")
        name = f"{stamp}-{next(self._sequence):04d}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class MailFolderServer:
    """Starts on a free loopback port; ``messages()`` reads back what was stored."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self._controller: Controller | None = None

    def start(self) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(
            _StoreAsFiles(self.folder), hostname="127.0.0.1", port=self.port
        )
        self._controller.start()
        return self.port

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def messages(self) -> list[Message]:
        return read_mail_folder(self.folder)


def read_mail_folder(folder: Path) -> list[Message]:
    return [message_from_bytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]
