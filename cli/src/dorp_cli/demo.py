"""``dorp demo``: a whole region on one machine, fed a small scenario end to end."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import nats
from nats.js.errors import NotFoundError
from rich.console import Console

from dorp_cli import demo_matching, demo_notices, demo_year
from dorp_cli.console import Steps
from dorp_cli.processes import ServiceGroup
from dorp_cli.programme import Registrar, register_programme
from dorp_cli.region_stack import RegionStack
from dorp_cli.reports import fetch_report, reporting_caught_up, write_files, write_report
from dorp_cli.scenario import Scenario, babysitting_scenario, send_step
from dorp_cli.smtp_sink import read_mail_folder
from dorp_shared.contracts import Envelope, MatchProposed
from dorp_shared.contracts.reports import ReportReply
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.errors import DorpError
from dorp_shared.messaging import declare_region
from dorp_shared.regions import Region

OUTCOME_TIMEOUT_SECONDS = 90.0


@dataclass(frozen=True)
class DemoOptions:
    region: Region
    data_dir: Path
    out_dir: Path
    exit_after_report: bool
    simulate_scale: float | None = None


class DemoFailed(DorpError):
    pass


def run_demo(options: DemoOptions, console: Console) -> None:
    """Start everything, run the scenario, write the report; stop cleanly in any case."""
    region = options.region
    steps = Steps(console, total=13 if options.simulate_scale else 12)
    console.print(
        f"[bold]Dorp demo — {region.programme.name}, {region.name}[/]  (data: {options.data_dir})"
    )
    stack = RegionStack(options.data_dir)
    group: ServiceGroup | None = None
    try:
        steps.start("Starting NATS")
        steps.done(stack.start_nats())
        steps.start("Starting PostgreSQL")
        steps.done(stack.start_postgres())
        steps.start("Starting the SMTP server")
        steps.done(stack.start_smtp())
        steps.start("Starting the SMS gateway")
        steps.done(stack.start_sms())
        stack.clock_offset_seconds = demo_notices.demo_clock_offset(region, datetime.now(UTC))
        group = ServiceGroup(region.id, stack.service_env(region.id), stack.log_dir)
        asyncio.run(_run(options, stack, group, steps))
    finally:
        console.print(
            "[bold]Stopping[/] services (drain, then close), SMTP, NATS and PostgreSQL ..."
        )
        if group is not None:
            codes = group.stop()
            unclean = {name: code for name, code in codes.items() if code not in (0, None)}
            if unclean:
                console.print(f"      [yellow]![/] exit codes: {unclean}")
        stack.stop()
        console.print("      [green]✓[/] stopped")


async def _run(options: DemoOptions, stack: RegionStack, group: ServiceGroup, steps: Steps) -> None:
    region = options.region
    steps.start("Declaring the region's JetStream streams")
    await declare_region(stack.nats_url, region.id)
    steps.done(f"streams DORP_{region.id.upper()}_* ready")
    steps.start("Starting registration, matching, notifications and reporting as processes")
    group.start()
    nc = await nats.connect(stack.nats_url, name=f"dorp-{region.id}-demo")
    try:
        health = await group.wait_ready(nc)
        steps.done(f"all four answer their health subject (logs in {stack.log_dir})")
        for service, status in health.items():
            if status.get("http"):
                steps.info(f"{service} HTTP API: {status['http']}/docs (OpenAPI: /openapi.json)")
        scenario = babysitting_scenario(region)
        steps.start(f"Feeding the scenario as partner system '{scenario.partner_id}'")
        members: list[uuid.UUID] = []
        for step in scenario.steps:
            reply = await send_step(nc, region.id, scenario.partner_id, step)
            if reply.status != "accepted":
                raise DemoFailed(f"{step.description}: rejected ({reply.reason}: {reply.errors})")
            if step.event == "member_registration" and reply.dorp_id:
                members.append(uuid.UUID(reply.dorp_id))
            steps.done(
                f"{step.description}: accepted{' (already known)' if reply.duplicate else ''}"
            )
        steps.start("Registering the programme through registration's commands")
        registrar = Registrar(nc, region.id)
        programme = await register_programme(
            registrar, region, (members[0], members[1]), date.today(), steps.done
        )
        connector_id = await demo_matching.register_connector(registrar, region)
        matching = demo_matching.matching_client(registrar)
        steps.start("Waiting for the match proposal and the e-mails to both parents")
        proposal = await _wait_for_proposal(nc, region.id, members[0])
        steps.done(f"match proposed: {proposal.explanation} / {proposal.explanation_en}")
        if proposal.needs_connector_review:
            pid = str(proposal.proposal_id)
            await demo_matching.approve(matching, pid, connector_id, steps.done)
        parent_c = await demo_matching.offline_parent(registrar, region, connector_id)
        steps.done("the connector registered parent C (no internet) and their babysitting ask")
        await demo_matching.connector_review(matching, parent_c, connector_id, steps.done)
        mails = await _wait_for_mails(stack.mail_dir, scenario, group)
        for mail in mails:
            steps.done(f"mail to {mail['To']}: {mail['Subject']}")
        steps.start("Coffee and tea dates, and what already exists")
        await demo_matching.coffee_round(matching, region, (members[0], members[1]), steps.done)
        await demo_matching.recommend(matching, members[0], steps.done)
        reader = (members[0], scenario.asker_email)
        await demo_notices.act(registrar, region, programme, reader, stack, steps)
        steps.start("Generating the region's first report")
        answer = await _wait_for_report(nc, region.id)
        for path in write_report(answer, options.out_dir):
            steps.done(f"written {path}")
        html = await fetch_report(nc, region.id, "all", "html")
        for path in write_files(html, options.out_dir):
            steps.done(f"written {path}")
        if options.simulate_scale:
            steps.start("Simulating this year through the public interfaces; its annual report")
            urls = {name: status["http"] for name, status in health.items() if status.get("http")}
            for path in await demo_year.simulated_year(
                nc,
                region,
                urls,
                options.simulate_scale,
                options.out_dir,
                steps.done,
                programme,
                connector_id,
            ):
                steps.done(f"written {path}")
        if not options.exit_after_report:
            await _wait_for_stop(steps, group)
    finally:
        await nc.drain()


async def _wait_for_mails(folder: Path, scenario: Scenario, group: ServiceGroup) -> list[Message]:
    wanted = {scenario.asker_email, scenario.helper_email}

    async def probe() -> list[Message] | None:
        found = [m for m in read_mail_folder(folder) if m["To"] and _address(m["To"]) in wanted]
        return found if {_address(m["To"]) for m in found} == wanted else None

    mails: list[Message] = await _poll(probe, group, "the e-mails to both parents")
    return mails


async def _wait_for_proposal(nc: Any, region: str, requester: uuid.UUID) -> MatchProposed:
    """The first proposal for this requester on the matching stream, read as any consumer
    of it could (a second run finds the first run's)."""
    js = nc.jetstream()
    stream, subject = stream_name(region, "matching"), event_subject(region, MatchProposed)

    async def probe() -> MatchProposed | None:
        seq = 1
        while True:
            try:
                raw = await js.get_msg(stream, seq=seq, subject=subject, next=True)
            except NotFoundError:
                return None
            found = Envelope[MatchProposed].model_validate_json(raw.data or b"").payload
            if found.requester_id == requester:
                return found
            seq = int(raw.seq or seq) + 1

    proposal: MatchProposed = await _poll(probe, None, "a match proposal")
    return proposal


async def _wait_for_report(nc: Any, region: str) -> ReportReply:
    """Once reporting has consumed everything, including both parents' e-mails (small
    counts of people are suppressed, so the match itself cannot be checked by its count)."""

    async def probe() -> ReportReply | None:
        if not await reporting_caught_up(nc, region):
            return None
        answer = await fetch_report(nc, region)
        sent = answer.report["figures"]["notifications_sent"]["value"] or 0
        return answer if sent >= 2 else None

    answer: ReportReply = await _poll(probe, None, "the report to count the match and the e-mails")
    return answer


async def _poll(probe: Any, group: ServiceGroup | None, what: str) -> Any:
    deadline = asyncio.get_running_loop().time() + OUTCOME_TIMEOUT_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        result = await probe()
        if result:
            return result
        if group is not None and group.exited():
            dead = group.exited()[0]
            raise DemoFailed(f"service {dead.service} stopped; last log lines:\n{dead.log_tail()}")
        await asyncio.sleep(0.25)
    raise DemoFailed(f"timed out waiting for {what}; see the service logs")


def _address(header: str) -> str:
    return header.split("<")[-1].rstrip(">").strip()


async def _wait_for_stop(steps: Steps, group: ServiceGroup) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    steps.console.print("[bold green]The region is running.[/] Press Ctrl-C to stop it.")
    while not stop.is_set():
        if group.exited():
            dead = group.exited()[0]
            raise DemoFailed(f"service {dead.service} stopped; last log lines:\n{dead.log_tail()}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
