"""The reporting service on real NATS and PostgreSQL: a programme's events in, the report
out over request/reply; replaying and rebuilding give the same report; aggregates are
published and the overview compares two regions."""

from __future__ import annotations

import io
import json
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pypdf
import pytest
from nats.js import JetStreamContext

from dorp_cli.reports import fetch_report, publish_aggregates, read_aggregates
from dorp_reporting import handlers
from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.bootstrap import DEFINITION
from dorp_reporting.formats import render_report
from dorp_reporting.overview import build_overview
from dorp_reporting.rebuild import ServiceStillRunning, rebuild
from dorp_shared.contracts import Envelope, Event
from dorp_shared.contracts.envelope import EVENT_TYPE_HEADER, MSG_ID_HEADER
from dorp_shared.contracts.events import MemberErased
from dorp_shared.contracts.reports import ReportReply
from dorp_shared.contracts.subjects import (
    area_events,
    command_subject,
    payload_subject,
    stream_name,
)
from dorp_shared.settings import DorpSettings
from tests.support.infra import Infra, fresh_database, write_test_region
from tests.support.services import eventually, nats_client, running_service
from tests.unit.reporting import events

pytestmark = pytest.mark.integration

AREAS = ("registration", "matching", "notifications")
QUOTE = "Sinds de ouderkamer voel ik me minder alleen."
SECRET_QUOTE = "Dit mag niemand lezen."
MINORITY = "Liever een looproute langs het park."
MANY_LANGUAGES = "Dziękuję, było miło — çok teşekkürler: شكرا على الإفطار"
THEME = "Samen opvoeden in de wijk"


def programme(region: str) -> list[Envelope[Any]]:
    """A small programme year: 6 parents and 6 volunteers (one erased), help and matches,
    partners, a parent café, quotes, self-checks, a dialogue table, messages."""
    parents = [events.member("parent") for _ in range(6)]
    volunteers = [events.member("volunteer", "laren") for _ in range(6)]
    cafe = events.initiative()
    meetings = [events.session(cafe.initiative_id) for _ in range(3)]
    matches = [events.match("babysitting", "lochem") for _ in range(6)]
    table = events.dialogue_table()
    ids = [p.member_id for p in parents]
    payloads: list[Event] = [
        *parents,
        *volunteers,
        *(events.request("babysitting", "lochem") for _ in range(7)),
        *(events.offer("babysitting", "lochem") for _ in range(5)),
        events.request("walk_and_talk", "laren"),
        *(events.organisation("school") for _ in range(3)),
        *(events.organisation("daycare") for _ in range(2)),
        events.organisation("library", partner=False),
        cafe,
        *meetings,
        *(events.attendance(m, 12, ids) for m in meetings),
        *(events.signed_up(meetings[0], member) for member in ids),
        events.quote(QUOTE, ids[0]),
        events.quote(SECRET_QUOTE, ids[1], publish=False),
        events.quote(MANY_LANGUAGES, ids[2]),
        # Led by the volunteer erased below: the lead is counted until then, never linked.
        events.community("lochem", "Ouders ontmoeten", "define", (volunteers[0].member_id,)),
        *(
            events.survey_response("lochem", {"more_contact": 4, "knows_activities": 2})
            for _ in range(6)
        ),
        events.survey_response("laren", {"more_contact": 5}),
        *(events.self_check(member, 3) for member in ids),
        table,
        events.decision(table, "Een oversteekplaats bij school", MINORITY),
        events.erased(volunteers[0].member_id),
    ]
    matching: list[Event] = [
        *matches,
        *(events.confirmed(m) for m in matches),
        *(events.completed(m, "help_each_other") for m in matches),
    ]
    sent: list[Event] = [events.notification() for _ in range(5)] + [events.notification("failed")]
    later = events.community("lochem", THEME, "discover", (ids[0], ids[1]))  # the latest wins
    return [
        *(events.envelope(p, region) for p in (*payloads, *matching, *sent)),
        events.envelope(later, region, at=events.WHEN + timedelta(hours=1)),
    ]


async def publish(js: JetStreamContext, region: str, envelopes: list[Envelope[Any]]) -> None:
    for envelope in envelopes:
        await js.publish(
            payload_subject(region, envelope.payload),
            envelope.model_dump_json().encode(),
            headers=envelope.headers(),
        )


async def publish_unknown_type(js: JetStreamContext, region: str) -> None:
    """An event type reporting does not keep is acknowledged, not retried."""
    subject = area_events(region, "registration").replace(">", "member_left.v1")
    headers = {
        MSG_ID_HEADER: str(uuid.uuid4()),
        EVENT_TYPE_HEADER: "registration.member_left",
        "Dorp-Schema-Version": "1",
    }
    await js.publish(subject, b'{"payload": {}}', headers=headers)


async def all_consumed(js: JetStreamContext, region: str) -> bool:
    for area in AREAS:
        info = await js.consumer_info(stream_name(region, area), f"reporting-{area}")
        if info.num_pending or info.num_ack_pending or info.num_redelivered:
            return False
    return True


def content(reply: ReportReply) -> dict[str, Any]:
    """The report without the moment it was made."""
    return {key: value for key, value in reply.report.items() if key != "generated_at"}


def section(reply: ReportReply, key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in reply.report["sections"] if s["key"] == key)
    return found


def table_row(reply: ReportReply, section_key: str, row_key: str) -> list[str]:
    for table in section(reply, section_key)["tables"]:
        for row in [*table["rows"], *([table["totals"]] if table["totals"] else [])]:
            if row["key"] == row_key:
                return [cell["display"] for cell in row["cells"]]
    raise AssertionError(f"no row {row_key} in {section_key}")


async def test_a_programme_year_in_gives_the_report_out(settings: DorpSettings) -> None:
    region = settings.region
    async with (
        nats_client(settings.nats_url or "") as nc,
        running_service(DEFINITION, settings) as runtime,
    ):
        js = nc.jetstream()
        await publish(js, region, programme(region))
        await publish_unknown_type(js, region)
        await eventually(lambda: all_consumed(js, region), timeout=60)
        periods = await handlers.periods_with_data(
            runtime.uow(PgReportingUnitOfWork), runtime.region
        )
        reply = await fetch_report(nc, region, "2026", "md")
        html = await fetch_report(nc, region, "2026", "html")
        pdf = await fetch_report(nc, region, "2026", "pdf")
        empty = await fetch_report(nc, region, "2024-03", "json")

    assert [p.key for p in periods] == ["all", "2026", "2026-03"]  # for the portal's list
    figures = reply.report["figures"]
    assert figures["members"]["value"] == 12  # the erased volunteer joined this year too
    assert figures["requests"]["value"] == 8 and figures["matches"]["value"] == 6
    assert figures["notifications_sent"]["value"] == 5  # the failed one is no message
    assert table_row(reply, "activities", "total") == ["3", "36", "6", "6"]
    assert table_row(reply, "help", "total") == ["8", "5", "6", "6", "6"]
    # One walk-and-talk request: hidden, and so is babysitting, which would give it away.
    assert table_row(reply, "help", "walk_and_talk") == ["<5"] * 5
    assert table_row(reply, "help", "babysitting") == ["x"] * 5
    assert table_row(reply, "contact_ladder", "help_each_other") == ["6"]
    assert table_row(reply, "engagement", "volunteer")[1:3] == ["6", "<5"]  # joined, left
    markdown = reply.files[0].data().decode()
    assert "#Opladers werkt met 3 scholen en 2 kinderdagopvangorganisaties." in markdown
    assert "works with 3 schools and 2 daycare organisations." in markdown
    assert QUOTE in markdown and SECRET_QUOTE not in markdown
    assert "— ouder / medeopvoeder" in markdown  # signed by role, as seed 000, never by name
    assert MINORITY in markdown
    assert table_row(reply, "self_checks", "2026-03") == ["6", "3.0", "3.0", "3.0", "5.0"]
    assert "Testouder" not in markdown and "Testschool" not in markdown
    assert html.files[0].name.endswith(".html") and "<svg" in html.files[0].data().decode()
    assert pdf.files[0].data().startswith(b"%PDF")
    assert_pdf_shows_every_script(pdf.files[0].data())
    communities = section(reply, "learning_communities")
    assert [e["text"] for e in communities["entries"]] == [THEME]  # the latest state
    assert "fase: ontdekken (2 van 6)" in markdown
    assert table_row(reply, "learning_communities", "lochem") == ["2", "<5"]  # phase, leads
    assert table_row(reply, "learning_communities", "start:more_contact") == ["7", "4.1"]
    assert table_row(reply, "learning_communities", "start:knows_activities") == ["6", "2.0"]
    assert "Bewonersenquête: 7 antwoorden" in markdown
    # As seed 000 reads: a paragraph per initiative, survey questions in words.
    assert (
        "Ouderkamer Lochem (ouderkamer): 3 bijeenkomsten, samen 36 keer bezocht door 6 "
        "verschillende deelnemers (6 aanmeldingen)." in markdown
    )
    assert "| Ik weet wat er voor ouders wordt georganiseerd | 6 | 2.0 |" in markdown
    assert "| I know what is organised for parents | 6 | 2.0 |" in markdown
    assert "## Individuele ontmoetingen en wandelingen" in markdown
    assert empty.report["figures"]["requests"]["display"] == "<5"
    assert section(empty, "quotes")["entries"] == []


def assert_pdf_shows_every_script(data: bytes) -> None:
    """Polish and Turkish letters as written, not "?"; Arabic shaped right to left, so a
    reader copies its words whole, in visual order (pypdf leaves a control character where
    a ligature was shaped)."""
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    shown = "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")
    latin, arabic = MANY_LANGUAGES.split(": ")
    assert latin in shown
    for word in arabic.split():
        assert word in shown, word


async def test_replaying_and_rebuilding_give_the_same_report(settings: DorpSettings) -> None:
    region = settings.region
    async with nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        async with running_service(DEFINITION, settings):
            await publish(js, region, programme(region))
            await eventually(lambda: all_consumed(js, region), timeout=60)
            first = await fetch_report(nc, region, "all", "json")
            with pytest.raises(ServiceStillRunning):
                await rebuild(nc, settings.database_url or "", region)

        # Replay: forget the consumers' positions so the streams deliver everything again.
        for area in AREAS:
            await js.delete_consumer(stream_name(region, area), f"reporting-{area}")
        async with running_service(DEFINITION, settings):
            await eventually(lambda: all_consumed(js, region), timeout=60)
            replayed = await fetch_report(nc, region, "all", "json")

        seen: list[tuple[str, int, int]] = []
        result = await rebuild(
            nc, settings.database_url or "", region, lambda a, d, t: seen.append((a, d, t))
        )
        async with running_service(DEFINITION, settings):
            await eventually(lambda: all_consumed(js, region), timeout=60)
            rebuilt = await fetch_report(nc, region, "all", "json")

    assert content(replayed) == content(first)
    assert content(rebuilt) == content(first)
    assert result.total_read == len(programme(region)) and result.projected > 0
    assert seen[-1][1] == seen[-1][2]  # the last area was read to its end


async def test_the_report_over_http_carries_a_pdf_as_base64(settings: DorpSettings) -> None:
    async with running_service(DEFINITION, settings) as runtime:
        assert runtime.http and runtime.http.url
        async with httpx.AsyncClient(base_url=runtime.http.url, timeout=30) as client:
            answer = await client.post("/v1/report", json={"period": "2026", "format": "pdf"})
            refused = await client.post("/v1/report", json={"period": "2026", "format": "docx"})
    assert answer.status_code == 200
    [document] = ReportReply.model_validate(answer.json()).files
    assert document.encoding == "base64" and document.data().startswith(b"%PDF")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "format"


async def test_a_bad_query_is_answered_naming_the_field(settings: DorpSettings) -> None:
    region = settings.region
    async with nats_client(settings.nats_url or "") as nc, running_service(DEFINITION, settings):
        subject = command_subject(region, "reporting", "report")
        refused = await nc.request(subject, b'{"period": "last year"}', timeout=10)
        garbled = await nc.request(subject, b"{not json", timeout=10)
    assert refused.headers and refused.headers["Dorp-Status"] == "422"
    assert json.loads(refused.data)["errors"][0]["field"] == "period"
    assert json.loads(garbled.data)["reason"] == "invalid_json"


async def test_no_personal_data_reaches_the_reporting_schema(settings: DorpSettings) -> None:
    region = settings.region
    sent = programme(region)
    [erased] = [e.payload for e in sent if isinstance(e.payload, MemberErased)]
    # Streams other than registration keep the erased id in events published later.
    late_match = events.match()
    late_match = late_match.model_copy(update={"helper_id": erased.member_id})
    cafe = events.initiative()
    late_session = events.session(cafe.initiative_id)
    late = [late_match, late_session, events.attendance(late_session, 3, [erased.member_id])]
    async with nats_client(settings.nats_url or "") as nc, running_service(DEFINITION, settings):
        js = nc.jetstream()
        await publish(js, region, sent)
        await eventually(lambda: all_consumed(js, region), timeout=60)
        await publish(js, region, [events.envelope(p, region) for p in late])
        await eventually(lambda: all_consumed(js, region), timeout=60)
    conn = await asyncpg.connect(
        settings.database_url, server_settings={"search_path": "reporting"}
    )
    try:
        tables = await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'reporting'"
        )
        stored = ""
        for t in tables:
            if t["table_name"] not in ("outbox", "inbox", "erased_members"):
                stored += repr(await conn.fetch(f'SELECT * FROM "{t["table_name"]}"'))
    finally:
        await conn.close()
    for personal in ("Testouder", "example.org", "woensdagmiddag", "Testschool", "Kerkstraat"):
        assert personal not in stored
    assert SECRET_QUOTE not in stored and QUOTE in stored
    assert str(erased.member_id) not in stored


async def test_aggregates_are_published_and_the_overview_compares_regions(
    settings: DorpSettings, infra: Infra, regions_dir: Path
) -> None:
    other = settings.model_copy(
        update={
            "region": write_test_region(regions_dir, "zutphen"),
            "database_url": await fresh_database(infra.postgres_url),
        }
    )
    async with nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        for config in (settings, other):
            async with running_service(DEFINITION, config):
                sent = programme(config.region)
                if config is other:
                    sent = sent[:6]  # zutphen: six parents, nothing else
                await publish(js, config.region, sent)
                await eventually(partial(all_consumed, js, config.region), timeout=60)
                published = await publish_aggregates(nc, config.region, "2026")
                assert published.subject == f"dorp.{config.region}.aggregate.v1.2026"
                found = await eventually(partial(read_aggregates, nc, config.region, "2026"))
                assert found.period == "2026"
        lochem = await read_aggregates(nc, settings.region, "2026")
        zutphen = await read_aggregates(nc, other.region, "2026")
    assert lochem and zutphen
    shared = json.dumps(lochem.report)
    assert QUOTE not in shared and MINORITY not in shared
    overview = build_overview([lochem, zutphen], "2026", datetime.now(UTC))
    markdown = render_report(overview, "md")[0].content.decode()
    assert "| Gemeente Lochem | Gemeente Zutphen |" in markdown.replace("Cijfer | ", "")
    assert "| Nieuwe leden | 12 | 6 |" in markdown
    assert "| Hulpvragen | 8 | <5 |" in markdown
