"""The demo's SMS gateway: a local HTTP server that takes what notifications posts to a
gateway (``POST`` with JSON ``{"from", "to", "text", "reference"}``, see
docs/notifications.md) and appends each message as one JSON line to a log file, so a user
can read what the parents would have received on their phones."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_FIELDS = ("from", "to", "text", "reference")


class SmsLogGateway:
    """Listens on a free loopback port; ``url`` is what ``DORP_SMS_GATEWAY_URL`` takes."""

    def __init__(self, log_file: Path) -> None:
        self.log_file = log_file
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1/sms"

    def start(self) -> str:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.log_file))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="dorp-sms-gateway", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()


def _handler(log_file: Path) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length", "0"))
            try:
                body = json.loads(self.rfile.read(size) or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict) or not body.get("to") or not body.get("text"):
                self._answer(400, {"error": "to and text are required"})
                return
            entry = {name: body.get(name) for name in _FIELDS}
            entry["received_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            with lock, log_file.open("a", encoding="utf-8") as log:
                log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._answer(200, {"status": "queued"})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            """Quiet: the log file is the record."""

    return Handler


def read_sms_log(log_file: Path) -> list[dict[str, Any]]:
    """Every message the gateway received, oldest first (none if it received none)."""
    if not log_file.is_file():
        return []
    lines = log_file.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
