"""The staff portal served by the running reporting service, over real HTTP, against real
NATS and PostgreSQL: log-in, sessions that expire, CSRF, the audit log, the editorial text
in the next report, and the schedule that generates each ended period once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from dorp_reporting.formats import FORMATS
from dorp_reporting.portal.accounts import portal_store, set_staff_active
from dorp_reporting.portal.wiring import schedule_of
from dorp_shared.settings import DorpSettings
from tests.support.portal import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    RunningPortal,
    at,
    audit_rows,
    csrf_of,
    log_in,
    running_portal,
)
from tests.support.services import eventually
from tests.unit.reporting import events

pytestmark = pytest.mark.integration


@pytest.fixture
async def portal(settings: DorpSettings) -> AsyncIterator[RunningPortal]:
    async with running_portal(settings) as running:
        yield running


@pytest.fixture
async def client(portal: RunningPortal) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=portal.url, timeout=30) as http:
        yield http


async def test_log_in_with_the_right_password_only(
    portal: RunningPortal, client: httpx.AsyncClient
) -> None:
    page = await client.get("/reports")
    assert page.status_code == 303 and page.headers["location"].endswith("/portal/login?expired=1")

    wrong = await log_in(client, password="not the password at all")
    assert wrong.status_code == 401
    assert "E-mailadres of wachtwoord klopt niet." in wrong.text
    assert "E-mail address or password is wrong." in wrong.text
    unknown = await log_in(client, email="niemand@lochem.example")
    assert unknown.status_code == 401

    good = await log_in(client)
    assert good.status_code == 303 and good.headers["location"] == "/portal/reports"
    [cookie] = [
        header.lower()
        for header in good.headers.get_list("set-cookie")
        if header.startswith("dorp_portal_session=")
    ]
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/portal" in cookie
    assert "secure" not in cookie  # plain http here; Secure when served over https
    reports = await client.get("/reports")
    assert reports.status_code == 200
    assert "Rapporten" in reports.text and "Reports" in reports.text
    assert STAFF_EMAIL in reports.text

    stored = await portal.rows("SELECT token_hash FROM staff_sessions")
    token = client.cookies["dorp_portal_session"]
    assert len(stored) == 1 and token.encode() not in bytes(stored[0]["token_hash"])
    actions = [(who, what) for who, what, _, _ in await audit_rows(portal)]
    assert actions == [
        (STAFF_EMAIL, "login_refused"),
        ("niemand@lochem.example", "login_refused"),
        (STAFF_EMAIL, "login"),
    ]


async def test_cookies_are_secure_behind_an_https_proxy(portal: RunningPortal) -> None:
    """A TLS-terminating proxy on the same host says so with X-Forwarded-Proto."""
    proxied = {"X-Forwarded-Proto": "https"}
    async with httpx.AsyncClient(base_url=portal.url, headers=proxied) as client:
        form = await client.get("/login")
        # httpx keeps a Secure cookie to itself over http: hand it over as a browser would.
        client.cookies.set("dorp_portal_login", form.cookies["dorp_portal_login"])
        token = csrf_of(form.text)
        good = await client.post(
            "/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token}
        )
    assert "secure" in form.headers["set-cookie"].lower()
    assert good.status_code == 303
    [cookie] = [c for c in good.headers.get_list("set-cookie") if c.startswith("dorp_portal_s")]
    assert "secure" in cookie.lower() and "httponly" in cookie.lower()


async def test_repeated_failures_lock_the_account_for_a_while(
    portal: RunningPortal, client: httpx.AsyncClient, settings: DorpSettings
) -> None:
    for _ in range(settings.portal_lockout_attempts):
        assert (await log_in(client, password="guessing again and again")).status_code == 401
    locked = await log_in(client)  # the right password, too late
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.text
    assert "dorp_portal_session" not in client.cookies

    # The window passes (the failures are moved back in time): the right password works.
    window = timedelta(minutes=settings.portal_lockout_minutes)
    await portal.rows(
        "UPDATE staff_login_failures SET failed_at = failed_at - $1::interval", window
    )
    assert (await log_in(client)).status_code == 303


async def test_a_disabled_account_cannot_log_in_and_loses_its_session(
    portal: RunningPortal, client: httpx.AsyncClient
) -> None:
    assert (await log_in(client)).status_code == 303
    async with portal_store(portal.database_url) as store:
        await set_staff_active(store, STAFF_EMAIL, False)
    assert (await client.get("/reports")).status_code == 303
    assert (await log_in(client)).status_code == 401


@pytest.mark.parametrize("column", ["last_seen_at", "created_at"])
async def test_sessions_expire_when_idle_or_too_old(
    portal: RunningPortal, client: httpx.AsyncClient, settings: DorpSettings, column: str
) -> None:
    assert (await log_in(client)).status_code == 303
    assert (await client.get("/reports")).status_code == 200
    limit = (
        timedelta(minutes=settings.portal_session_idle_minutes)
        if column == "last_seen_at"
        else timedelta(hours=settings.portal_session_max_hours)
    )
    await portal.rows(f"UPDATE staff_sessions SET {column} = {column} - $1::interval", limit)

    expired = await client.get("/reports")
    assert expired.status_code == 303
    assert expired.headers["location"] == "/portal/login?expired=1"
    assert await portal.rows("SELECT 1 FROM staff_sessions") == []
    login_page = await client.get("/login?expired=1")
    assert "een sessie verloopt na een tijd zonder activiteit" in login_page.text


async def test_log_out_ends_the_session(portal: RunningPortal, client: httpx.AsyncClient) -> None:
    assert (await log_in(client)).status_code == 303
    token = client.cookies["dorp_portal_session"]
    page = await client.get("/reports")
    out = await client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/portal/login?out=1"
    cookies = {"dorp_portal_session": token}
    async with httpx.AsyncClient(base_url=portal.url, cookies=cookies) as replaying:
        replayed = await replaying.get("/reports")
    assert replayed.status_code == 303  # the old cookie is worth nothing now
    assert [a for _, a, _, _ in await audit_rows(portal)] == ["login", "logout"]


async def test_forms_without_the_right_csrf_token_are_refused(
    portal: RunningPortal, client: httpx.AsyncClient
) -> None:
    form = await client.get("/login")
    forged_login = await client.post(
        "/login",
        data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": "forged"},
    )
    assert forged_login.status_code == 403
    assert "dorp_portal_session" not in client.cookies
    assert csrf_of(form.text)

    assert (await log_in(client)).status_code == 303
    forged = await client.post(
        "/reports/2026/editorial",
        data={"focus_points": "Ingeschoven door een andere site", "csrf_token": "x"},
    )
    missing = await client.post("/reports/2026/generate", data={})
    assert forged.status_code == 403 and missing.status_code == 403
    assert "Dit formulier is verlopen of niet van deze site" in forged.text
    assert await portal.rows("SELECT 1 FROM report_editorials") == []
    assert await portal.rows("SELECT 1 FROM generated_reports") == []
    assert [a for _, a, _, _ in await audit_rows(portal)] == ["login"]


async def test_editorial_text_appears_in_the_next_report_and_every_access_is_audited(
    portal: RunningPortal, client: httpx.AsyncClient
) -> None:
    region = portal.runtime.region.id
    await portal.publish(
        [events.envelope(events.request(), region, at(2026, 3))]
        + [events.envelope(events.member("parent"), region, at(2026, 3)) for _ in range(6)]
    )
    assert (await log_in(client)).status_code == 303
    listing = await client.get("/reports")
    assert 'data-period="2026"' in listing.text and 'data-period="2026-03"' in listing.text
    assert "nog niet gemaakt" in listing.text

    token = csrf_of(listing.text)
    generated = await client.post("/reports/2026/generate", data={"csrf_token": token})
    assert generated.status_code == 303
    page = await client.get("/reports/2026")
    assert page.status_code == 200
    first_read = await client.get("/reports/2026/html")  # what the page's frame shows
    assert "Jaarverslag" in first_read.text and "Ruimte voor vaders" not in first_read.text
    before = await client.get("/reports/2026/download/json")
    assert before.status_code == 200
    assert before.headers["content-disposition"].startswith("attachment;")
    assert "Ruimte voor vaders" not in before.text

    saved = await client.post(
        "/reports/2026/editorial",
        data={
            "highlights": "- Zomerfeest met 40 gezinnen",
            "focus_points": "- Ruimte voor vaders\n- Meer vrijwilligers in Laren",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    stored = await portal.rows("SELECT focus_points, updated_by FROM report_editorials")
    assert stored[0]["updated_by"] == STAFF_EMAIL
    assert stored[0]["focus_points"] == "- Ruimte voor vaders\n- Meer vrijwilligers in Laren"

    after_page = await client.get("/reports/2026?saved=1")
    assert "Opgeslagen; het rapport is opnieuw gemaakt." in after_page.text
    assert 'id="report-frame"' in after_page.text and "sandbox" in after_page.text
    shown = await client.get("/reports/2026/html")
    assert "Ruimte voor vaders" in shown.text
    assert shown.headers["content-security-policy"] == "script-src 'none'"
    markdown = await client.get("/reports/2026/download/md")
    assert "Ruimte voor vaders" in markdown.text and "Zomerfeest met 40 gezinnen" in markdown.text
    report = json.loads((await client.get("/reports/2026/download/json")).text)
    assert "Meer vrijwilligers in Laren" in json.dumps(report, ensure_ascii=False)
    missing = await client.get("/reports/2025/download/md")
    assert missing.status_code == 404

    audit = [(a, p, f) for who, a, p, f in await audit_rows(portal) if who == STAFF_EMAIL]
    assert audit == [
        ("login", None, None),
        ("generate", "2026", None),
        ("read", "2026", "html"),
        ("download", "2026", "json"),
        ("edit", "2026", None),
        ("generate", "2026", None),
        ("read", "2026", "html"),
        ("download", "2026", "md"),
        ("download", "2026", "json"),
    ]
    address = await portal.rows("SELECT DISTINCT address FROM staff_audit")
    assert [row["address"] for row in address] == ["127.0.0.1"]
    audit_page = await client.get("/audit")
    assert "download" in audit_page.text and "Auditlog" in audit_page.text


async def test_schedule_generates_each_ended_period_once_across_restarts(
    settings: DorpSettings,
) -> None:
    """Events in March and June 2025: the months from March to June and the year 2025 have
    ended and are generated by the schedule; 2026 (still running) is not."""
    expected = {"2025-03", "2025-04", "2025-05", "2025-06", "2025"}

    async def scheduled(portal: RunningPortal) -> set[str] | None:
        rows = await portal.rows("SELECT period FROM generated_reports WHERE trigger = 'schedule'")
        periods = {row["period"] for row in rows}
        return periods if periods >= expected else None

    scheduled_settings = settings.model_copy(update={"portal_schedule_minutes": 60})
    async with running_portal(scheduled_settings) as portal:
        region = portal.runtime.region.id
        await portal.publish(
            [
                events.envelope(events.request(), region, at(2025, 3)),
                events.envelope(events.offer(), region, at(2025, 6)),
            ]
        )
        await schedule_of(portal.runtime).run_once()  # the data came after the first pass
        first = await eventually(lambda: scheduled(portal))
    assert first == expected

    async with running_portal(scheduled_settings, new_account=False) as portal:
        assert await schedule_of(portal.runtime).run_once() == []
        rows = await portal.rows(
            "SELECT period, count(*) AS n FROM generated_reports GROUP BY period"
        )
        files = await portal.rows(
            "SELECT DISTINCT format FROM generated_report_files f"
            " JOIN generated_reports r USING (report_id) WHERE r.period = '2025'"
        )
    assert {row["period"]: row["n"] for row in rows} == dict.fromkeys(expected, 1)
    assert {row["format"] for row in files} == set(FORMATS)
