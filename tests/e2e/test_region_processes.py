"""The four services as separate processes against real NATS, PostgreSQL and SMTP:
a partner's scenario ends in one proposal, one mail to each parent and a counted report."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from dorp_cli.processes import SERVICES, ServiceGroup
from dorp_cli.reports import fetch_report
from dorp_cli.scenario import babysitting_scenario, send_step
from dorp_shared.contracts import MatchProposed
from dorp_shared.contracts.reports import ReportReply
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.regions import load_region
from tests.support.infra import Infra
from tests.support.mail import body_text, smtp_server
from tests.support.services import eventually, nats_client

pytestmark = pytest.mark.e2e


def figure(reply: ReportReply, name: str) -> Any:
    return reply.report["figures"][name]["display"]


async def test_scenario_through_four_processes(
    infra: Infra, database_url: str, region_id: str, regions_dir: Path, tmp_path: Path
) -> None:
    region = load_region(region_id, regions_dir)
    scenario = babysitting_scenario(region)
    with smtp_server() as (inbox, smtp_port):
        env = {
            "DORP_REGION": region_id,
            "DORP_REGIONS_DIR": str(regions_dir),
            "DORP_NATS_URL": infra.nats_url,
            "DORP_DATABASE_URL": database_url,
            "DORP_SMTP_HOST": "127.0.0.1",
            "DORP_SMTP_PORT": str(smtp_port),
            "DORP_LOG_FORMAT": "json",
            **{f"DORP_{name.upper()}_HTTP_PORT": "0" for name in SERVICES},
        }
        group = ServiceGroup(region_id, env, tmp_path / "logs")
        group.start()
        try:
            async with nats_client(infra.nats_url) as nc:
                await group.wait_ready(nc)
                replies = [
                    await send_step(nc, region_id, scenario.partner_id, s) for s in scenario.steps
                ]
                assert [r.status for r in replies] == ["accepted"] * 4
                assert not any(r.duplicate for r in replies)

                async def both_mailed() -> bool:
                    return len(inbox.messages) >= 2

                await eventually(both_mailed, timeout=60)
                asker, helper = inbox.to(scenario.asker_email), inbox.to(scenario.helper_email)
                assert len(asker) == 1 and len(helper) == 1
                # Contact stays private until both say yes.
                assert scenario.helper_email not in body_text(asker[0])
                assert scenario.asker_email not in body_text(helper[0])
                assert "Noor" in body_text(asker[0]) and "Sanne" in body_text(helper[0])

                async def report_complete() -> ReportReply | None:
                    answer = await fetch_report(nc, region_id)
                    return answer if figure(answer, "notifications_sent") == "2" else None

                report = await eventually(report_complete, timeout=30)
                # One request, offer and match, two people: counts of people never exact.
                for name in ("requests", "offers", "matches", "members"):
                    assert figure(report, name) == "<5"
                markdown = report.files[0].data().decode()
                assert "Sanne" not in markdown and "@" not in markdown

                # The partner sends it all again: nothing registered, matched or mailed twice.
                again = [
                    await send_step(nc, region_id, scenario.partner_id, s) for s in scenario.steps
                ]
                assert all(r.status == "accepted" and r.duplicate for r in again)
                assert [r.dorp_id for r in again] == [r.dorp_id for r in replies]
                await asyncio.sleep(2)
                assert len(inbox.messages) == 2
                # The report hides a count of one, so count the proposals on the stream.
                matching = await nc.jetstream().stream_info(
                    stream_name(region_id, "matching"),
                    subjects_filter=event_subject(region_id, MatchProposed),
                )
                assert sum((matching.state.subjects or {}).values()) == 1
        finally:
            codes = group.stop()
    assert codes == {name: 0 for name in codes}, f"unclean shutdown: {codes}"
