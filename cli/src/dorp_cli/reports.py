"""Ask a running reporting service for a report and write it to a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nats.aio.client import Client

from dorp_shared.contracts.subjects import command_subject


async def fetch_report(nc: Client, region: str, period: str = "all") -> dict[str, Any]:
    subject = command_subject(region, "reporting", "report")
    reply = await nc.request(subject, json.dumps({"period": period}).encode(), timeout=10)
    answer: dict[str, Any] = json.loads(reply.data)
    if "error" in answer:
        raise ValueError(f"reporting refused the request: {answer['error']}")
    return answer


def write_report(answer: dict[str, Any], out_dir: Path, region: str, period: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"rapport-{region}-{period}"
    markdown = out_dir / f"{stem}.md"
    data = out_dir / f"{stem}.json"
    markdown.write_text(answer["markdown"], encoding="utf-8")
    data.write_text(
        json.dumps(answer["report"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return [markdown, data]
