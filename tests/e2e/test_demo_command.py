"""`dorp demo` exactly as a new user runs it: embedded NATS and PostgreSQL in a data
folder, a real SMTP server writing mail files, a report in --out, exit 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

from dorp_cli.sms_sink import read_sms_log
from dorp_cli.smtp_sink import read_mail_folder
from dorp_shared.regions import load_region

pytestmark = pytest.mark.e2e

SERVICE_NAMES = ("REGISTRATION", "MATCHING", "NOTIFICATIONS", "REPORTING")


def run_demo(
    region: str, data_dir: Path, out: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DORP_")}
    # Any free port: demos of other regions may run at the same time (pytest-xdist workers).
    env |= {f"DORP_{name}_HTTP_PORT": "0" for name in SERVICE_NAMES}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "dorp_cli",
            "demo",
            "--region",
            region,
            "--data-dir",
            str(data_dir),
            "--out",
            str(out),
            "--exit-after-report",
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def report_figures(out: Path, region: str) -> dict[str, str]:
    report = json.loads((out / f"rapport-{region}-all.json").read_text(encoding="utf-8"))
    return {
        name: value["display"] for name, value in report["figures"].items() if "display" in value
    }


MAILS_PER_DEMO = 10
"""Both parents: the match, the dialogue table's decision and a coffee date; parent A: the
activities that fit them and the sign-up for tomorrow evening's session; the connector:
parent C's proposal to review; parent B: the match with parent C (who has no internet: no
mail)."""

CONNECTOR_APPROVES_OFFLINE_PARENT = (
    "the connector registered parent C (no internet)",
    "in the connector's own queue (1 of 1)",
    "the connector (aanjager) approved the proposal",
)
"""In every region, whatever its review setting: parent C's proposal waits for the
connector who registered them, and they approve it."""

NOTICES_SHOWN = (
    "SMS gateway received, to +31 6 2345 6789",
    "reminder to Sanne (e-mail) planned for",
    "reminder to Ayşe (SMS) held back: its moment falls in the quiet hours (21:00-08:00);"
    " it goes at",
)
"""Tomorrow evening's session: parent A's reminder e-mail is stored for the evening before,
the SMS parent's confirmation went through the SMS gateway, and their reminder, due in the
quiet hours, is held back until they end."""


def assert_texted_once(data_dir: Path) -> None:
    """The SMS parent got their confirmation through the gateway; no text went twice."""
    texts = read_sms_log(data_dir / "sms" / "gateway.jsonl")
    references = [text["reference"] for text in texts]
    assert len(references) == len(set(references)), "no text twice"
    assert any(text["to"] == "+31 6 2345 6789" for text in texts), texts


def subject(mail: Message) -> str:
    return str(make_header(decode_header(mail["Subject"] or "")))


def assert_mailed_once_with_the_match(
    mails: list[Message], region: str, *, simulated: bool = False
) -> None:
    """Every mail once; both parents got the match. Exactly the demo's mails, unless a
    simulated year sent many more."""
    ids = [mail["Message-ID"] for mail in mails]
    assert len(ids) == len(set(ids)), "no mail twice"
    if not simulated:
        assert len(ids) == MAILS_PER_DEMO, [subject(m) for m in mails]
    for parent in ("a", "b"):
        theirs = [subject(m) for m in mails if f"ouder.{parent}.{region}@" in (m["To"] or "")]
        assert any("match" in line.lower() for line in theirs), theirs


@pytest.mark.parametrize("region", ["lochem", "zwolle", "antwerpen"])  # Zutphen: twice, below
def test_demo_runs_a_region_and_writes_its_report(region: str, tmp_path: Path) -> None:
    # Lochem also simulates a (small) year and writes its annual report, as seed 000 reads.
    extra = ("--simulate-year", "--scale", "0.3") if region == "lochem" else ()
    result = run_demo(region, tmp_path / "data", tmp_path / "out", *extra)
    assert_demo_shown(region, result, tmp_path / "data", tmp_path / "out", simulated=bool(extra))
    if extra:
        assert_annual_report(tmp_path / "out", region)


def assert_demo_shown(
    region: str,
    result: subprocess.CompletedProcess[str],
    data: Path,
    out: Path,
    *,
    simulated: bool = False,
) -> None:
    """What every region's demo shows: the connector's approval, the SMS and reminders,
    each mail once, and a report that never shows a count of people below the threshold."""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = " ".join(result.stdout.split())
    for line in CONNECTOR_APPROVES_OFFLINE_PARENT + NOTICES_SHOWN:
        assert line in output, line
    assert_texted_once(data)
    figures = report_figures(out, region)
    # One request, offer and match: counts of people below the threshold never show exactly.
    assert (figures["requests"], figures["offers"], figures["matches"]) == ("<5", "<5", "<5")
    assert (out / f"rapport-{region}-all.html").read_text(encoding="utf-8").strip()
    mails = read_mail_folder(data / "mail")
    assert_mailed_once_with_the_match(mails, region, simulated=simulated)
    assert (out / f"rapport-{region}-all.md").read_text(encoding="utf-8").strip()


def assert_annual_report(out: Path, region: str) -> None:
    """The simulated year's report holds every part seed 000 has, and no one's name."""
    year = date.today().year
    markdown = (out / f"rapport-{region}-{year}.md").read_text(encoding="utf-8")
    for heading in (
        "# Jaarverslag #Opladers — Gemeente Lochem",
        "## Collectieve activiteiten",
        "## Vraag, aanbod en matches",
        "## Partnerorganisaties",
        "## Betrokkenheid door de tijd",
        "## Dialoogtafels en besluiten",
    ):
        assert heading in markdown, heading
    assert "werkt met" in markdown
    # The region file's initiatives: registered by the demo, then carried on in the year.
    dutch = markdown.split("\n---\n")[0]
    for initiative in load_region(region).initiatives:
        assert dutch.count(f"| {initiative.name} (") == 1, initiative.name
    assert (out / f"rapport-{region}-{year}.pdf").read_bytes().startswith(b"%PDF")
    assert "<svg" in (out / f"rapport-{region}-{year}.html").read_text(encoding="utf-8")
    assert "@example.org" not in markdown and "Sanne" not in markdown


def test_demo_twice_on_the_same_data_duplicates_nothing(tmp_path: Path) -> None:
    """Zutphen's demo: its first run shows what every region's does, the second adds
    nothing."""
    first = run_demo("zutphen", tmp_path / "data", tmp_path / "out1")
    assert_demo_shown("zutphen", first, tmp_path / "data", tmp_path / "out1")
    second = run_demo("zutphen", tmp_path / "data", tmp_path / "out2")
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "already known" in second.stdout
    assert "the connector approved parent C's proposal before (proposed)" in " ".join(
        second.stdout.split()
    )
    assert NOTICES_SHOWN[-1] in " ".join(second.stdout.split()), "still held, once"
    assert_texted_once(tmp_path / "data")
    mails = read_mail_folder(tmp_path / "data" / "mail")
    assert_mailed_once_with_the_match(mails, "zutphen")
    assert len(mails) == MAILS_PER_DEMO
    # The first report may be written before the last mails are counted: people and help
    # are what must not grow.
    first_figures, second_figures = (
        {
            name: value
            for name, value in report_figures(out, "zutphen").items()
            if name != "notifications_sent"
        }
        for out in (tmp_path / "out1", tmp_path / "out2")
    )
    assert second_figures == first_figures


def test_unknown_region_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_demo("atlantis", tmp_path / "data", tmp_path / "out")
    assert result.returncode == 2
    assert "unknown region 'atlantis'" in result.stderr and "lochem" in result.stderr
    assert "Traceback" not in result.stderr
