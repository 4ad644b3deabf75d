"""Container health check: GET /health/ready of the Dorp service running in this container.

One image runs any service, so the check asks the port of ``DORP_SERVICE`` when it is set,
else each service's port in turn (only the one that runs answers). Exit 0 healthy, 1 not.
Standard library only: the runtime image has no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.request

DEFAULT_PORTS = {"registration": 8401, "matching": 8402, "notifications": 8403, "reporting": 8404}


def candidate_ports() -> list[int]:
    chosen = os.environ.get("DORP_SERVICE")
    services = [chosen] if chosen in DEFAULT_PORTS else list(DEFAULT_PORTS)
    return [
        int(os.environ.get(f"DORP_{name.upper()}_HTTP_PORT", DEFAULT_PORTS[name]))
        for name in services
    ]


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=3) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if any(ready(port) for port in candidate_ports()) else 1)
