"""The staff portal in a real headless Chromium (the Debian package, driven by Playwright),
against the real reporting service on real NATS and PostgreSQL: what a member of staff
sees and does, from log-in to log-out."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from dorp_shared.settings import DorpSettings
from tests.support.portal import STAFF_EMAIL, STAFF_PASSWORD, RunningPortal, at, running_portal
from tests.unit.reporting import events

pytestmark = pytest.mark.e2e


def find_chromium() -> str | None:
    configured = os.environ.get("DORP_CHROMIUM")
    if configured and Path(configured).is_file():
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
        if Path(f"/usr/bin/{name}").is_file():
            return f"/usr/bin/{name}"
    return None


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium found (install the Debian package 'chromium', or set DORP_CHROMIUM); "
            "./run-tests installs it when run as root"
        )
    async with async_playwright() as playwright:
        # --no-sandbox: Chromium refuses its sandbox as root (CI containers run as root).
        launched = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def portal(settings: DorpSettings) -> AsyncIterator[RunningPortal]:
    async with running_portal(settings) as running:  # no schedule: the conftest's settings
        region = running.runtime.region.id
        await running.publish(
            [events.envelope(events.member("parent"), region, at(2026, 3)) for _ in range(7)]
            + [
                events.envelope(events.request(), region, at(2026, 3)),
                events.envelope(events.request("walk_and_talk"), region, at(2026, 4)),
                events.envelope(events.offer(), region, at(2026, 4)),
            ]
        )
        yield running


def report_body(page: Page) -> Locator:
    """The report itself: its HTML format, in a sandboxed frame of the page."""
    return page.frame_locator("#report-frame").locator("body")


def figure_cell(report: Locator, label: str) -> Locator:
    """The count beside a label in the report's first table that has that label."""
    return report.locator(f"xpath=//tr[td[normalize-space()='{label}']]/td[2]").first


async def download(page: Page, fmt: str, folder: Path) -> Path:
    async with page.expect_download() as started:
        await page.click(f"a.download[data-format='{fmt}']")
    done = await started.value
    saved = folder / done.suggested_filename
    await done.save_as(saved)
    return saved


async def test_staff_log_in_read_edit_download_and_log_out(
    portal: RunningPortal, browser: Browser, tmp_path: Path
) -> None:
    context = await browser.new_context(accept_downloads=True, locale="nl-NL")
    page = await context.new_page()

    # Anyone who is not logged in lands on the log-in page, in Dutch with English beside it.
    await page.goto(f"{portal.url}/")
    await expect(page).to_have_url(f"{portal.url}/login?expired=1")
    await expect(page.locator("h1")).to_contain_text("Inloggen")
    await expect(page.locator("h1")).to_contain_text("Log in")

    await page.fill("#email", STAFF_EMAIL)
    await page.fill("#password", "wrong password, sorry")
    await page.click("#login")
    await expect(page.locator(".error")).to_contain_text("E-mailadres of wachtwoord klopt niet.")

    await page.fill("#email", STAFF_EMAIL)
    await page.fill("#password", STAFF_PASSWORD)
    await page.click("#login")
    await expect(page).to_have_url(f"{portal.url}/reports")
    await expect(page.locator("header .who")).to_have_text(STAFF_EMAIL)

    # The list: the year with data and its months, none generated yet.
    await expect(page.locator("section#year-2026 h2")).to_have_text("2026")
    year_row = page.locator('tr[data-period="2026"]')
    await expect(year_row).to_contain_text("Jaarverslag 2026")
    await expect(year_row).to_contain_text("nog niet gemaakt")
    months = page.locator("section#year-2026 tr[data-period^='2026-']")
    await expect(months).to_have_count(2)  # March and April
    await year_row.get_by_role("button").click()

    # The report page: the generated report with its headings and figures (people counts
    # below the region's threshold hidden), and a download per format.
    await expect(page).to_have_url(f"{portal.url}/reports/2026")
    report = report_body(page)
    await expect(report.locator("h1").first).to_contain_text("Jaarverslag")
    await expect(report.locator("h1").first).to_contain_text("Lochem")
    headings = await report.locator("h2").all_inner_texts()
    assert {"Kerncijfers", "Speerpunten voor het komende jaar"} <= set(headings), headings
    await expect(figure_cell(report, "Nieuwe leden")).to_have_text("7")
    await expect(figure_cell(report, "Hulpvragen")).to_have_text("<5")
    downloads = await page.locator("a.download").all_inner_texts()
    assert {"HTML", "PDF", "MD", "CSV", "JSON"} <= set(downloads)

    saved = await download(page, "json", tmp_path)
    assert saved.name.endswith("-2026.json")
    assert json.loads(saved.read_text(encoding="utf-8"))["period"] == "2026"
    assert (await download(page, "pdf", tmp_path)).read_bytes().startswith(b"%PDF")

    # Focus points, edited here, are in the report generated right after.
    await page.fill("#focus_points", "- Meer vaders bereiken\n- Vrijwilligers vasthouden")
    await page.click("#save-editorial")
    await expect(page.locator("[role=status]")).to_contain_text("Opgeslagen")
    report = report_body(page)
    focus = report.locator(
        "xpath=//h2[normalize-space()='Speerpunten voor het komende jaar']/.."
    ).first
    await expect(focus).to_contain_text("Meer vaders bereiken")
    await expect(focus).to_contain_text("Vrijwilligers vasthouden")
    await expect(focus).not_to_contain_text("geen speerpunten")
    await expect(page.locator("#focus_points")).to_have_value(
        "- Meer vaders bereiken\n- Vrijwilligers vasthouden"
    )

    # The audit log shows what this member of staff did.
    await page.click("header nav a[href$='/audit']")
    rows = page.locator("table.audit tbody tr")
    actions = await rows.locator("td:nth-child(3)").all_inner_texts()
    assert {"login", "generate", "read", "download", "edit"} <= set(actions)

    # Log out: back at the log-in page, and the pages are closed again.
    await page.click("#logout")
    await expect(page.locator(".notice")).to_contain_text("U bent uitgelogd.")
    await page.goto(f"{portal.url}/reports")
    await expect(page).to_have_url(f"{portal.url}/login?expired=1")
    await context.close()
