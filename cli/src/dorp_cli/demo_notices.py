"""The demo's notifications act: a session tomorrow evening, a parent who reads e-mail and
a parent who prefers SMS sign up. Both get their confirmation at once (an e-mail; a text
through the demo's SMS gateway) and a reminder for the day before; the SMS reminder falls
in the region's quiet hours, so it is held back until they end.

So that this shows at any hour, notifications runs on a demo clock: a few hours before the
quiet hours start (``demo_clock_offset``). Everything else in the region keeps real time.
What is still to be sent comes from notifications' ``pending_list`` query.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dorp_cli.console import Steps
from dorp_cli.programme import Programme, Registrar
from dorp_cli.region_stack import RegionStack
from dorp_cli.sms_sink import read_sms_log
from dorp_cli.smtp_sink import read_mail_folder
from dorp_shared.errors import DorpError
from dorp_shared.regions import Region

NOTIFICATIONS = "notifications"
DEMO_CLOCK_BEFORE_QUIET = dt.timedelta(hours=4)
"""The demo clock shows this long before the quiet hours start (17:00 for 21:00)."""
SMS_PARENT_PHONE = "+31 6 2345 6789"
SESSION_CAPACITY = 12
WAIT_SECONDS = 60.0
PAUSE_SECONDS = 0.25
REMINDER = "session_reminder"

Report = Callable[[str], None]


class NoticesNotShown(DorpError):
    pass


@dataclass(frozen=True)
class EveningSession:
    session_id: str
    name: str
    starts_at: dt.datetime


async def act(
    registrar: Registrar,
    region: Region,
    programme: Programme,
    reader: tuple[uuid.UUID, str],
    stack: RegionStack,
    steps: Steps,
) -> None:
    """``reader``: the e-mail parent's member id and address."""
    demo_now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=stack.clock_offset_seconds)
    steps.start("A session tomorrow evening: a confirmation now, a reminder the day before")
    zone = ZoneInfo(region.time_zone)
    steps.info(
        f"notifications runs on a demo clock showing {demo_now.astimezone(zone):%H:%M}"
        f" ({region.time_zone}), so that the evening's reminder falls in the quiet hours"
        " whatever the hour you run the demo"
    )
    session, texter = await evening_session(registrar, region, programme, reader[0], demo_now)
    steps.done(
        f"{session.name}, {session.starts_at:%a %d %b %H:%M}: Sanne (e-mail) and Ayşe"
        " (prefers SMS) signed up"
    )
    notifications = Registrar(registrar.nc, registrar.region, service=NOTIFICATIONS)
    shown = await wait_for_notices(
        notifications, session, reader, texter, (stack.mail_dir, stack.sms_log)
    )
    report_notices(shown, reader, texter, region, steps.done)
    steps.info(f"every text the SMS gateway received is in {stack.sms_log}")


def demo_clock_offset(region: Region, now: dt.datetime) -> float:
    """Seconds to add to ``now`` for the nearest moment (within half a day) that the
    region's clock shows ``DEMO_CLOCK_BEFORE_QUIET`` before its quiet hours."""
    zone = ZoneInfo(region.time_zone)
    local = now.astimezone(zone)
    start = dt.datetime.combine(local.date(), region.quiet_hours.start, tzinfo=zone)
    target = start - DEMO_CLOCK_BEFORE_QUIET
    candidates = (target + dt.timedelta(days=days) for days in (-1, 0, 1))
    nearest = min(candidates, key=lambda at: abs((at - local).total_seconds()))
    return (nearest - local).total_seconds()


async def evening_session(
    registrar: Registrar,
    region: Region,
    programme: Programme,
    reader: uuid.UUID,
    demo_now: dt.datetime,
) -> tuple[EveningSession, uuid.UUID]:
    """A session of the region's first initiative tomorrow (demo clock) when the quiet
    hours start; ``reader`` (e-mail) and a new parent who prefers SMS sign up."""
    initiative = region.initiatives[0]
    zone = ZoneInfo(region.time_zone)
    day = demo_now.astimezone(zone).date() + dt.timedelta(days=1)
    starts = dt.datetime.combine(day, region.quiet_hours.start, tzinfo=zone)
    answer = await registrar.send(
        "schedule_session",
        {
            "initiative_id": programme.initiatives[initiative.id],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(minutes=90)).isoformat(),
            "place": initiative.name,
            "home_area": initiative.area or region.areas[0].id,
            "capacity": SESSION_CAPACITY,
            "child_friendly": False,
        },
        f"session:{initiative.id}:evening:{day.isoformat()}",
    )
    session = EveningSession(str(answer["session_id"]), initiative.name, starts)
    texter = await _sms_parent(registrar, region)
    for member in (reader, texter):
        await registrar.send(
            "sign_up",
            {"session_id": session.session_id, "member_id": str(member)},
            f"sign-up:{session.session_id}:{member}",
        )
    return session, texter


async def _sms_parent(registrar: Registrar, region: Region) -> uuid.UUID:
    language = "tr" if "tr" in region.languages else region.default_language
    answer = await registrar.send(
        "register_member",
        {
            "display_name": "Ayşe",
            "phone": SMS_PARENT_PHONE,
            "channel": "sms",
            "home_area": region.areas[0].id,
            "languages": sorted({language, region.default_language}),
            "preferred_language": language,
            "age_bands": ["1-4"],
            "consents": {"matching": True, "notifications": True},
        },
        "parent-sms",
    )
    return uuid.UUID(str(answer["member_id"]))


@dataclass(frozen=True)
class Shown:
    """What the act waits for: the confirmation mail, the text the gateway got, and what
    notifications still holds for both parents."""

    mail: str
    sms: dict[str, Any]
    pending: dict[uuid.UUID, list[dict[str, Any]]]


async def wait_for_notices(
    notifications: Registrar,
    session: EveningSession,
    reader: tuple[uuid.UUID, str],
    texter: uuid.UUID,
    folders: tuple[Path, Path],
) -> Shown:
    """Poll until the mail folder, the SMS gateway's log and notifications' pending list
    show all of it (``folders``: the mail folder and the SMS log)."""
    mail_dir, sms_log = folders
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        mail = _confirmation(mail_dir, reader[1], session.name)
        sms = [m for m in read_sms_log(sms_log) if m.get("to") == SMS_PARENT_PHONE]
        pending = {member: await _pending(notifications, member) for member in (reader[0], texter)}
        if mail and sms and all(_reminder(rows) for rows in pending.values()):
            return Shown(mail, sms[0], pending)
        await asyncio.sleep(PAUSE_SECONDS)
    raise NoticesNotShown(
        "timed out waiting for the sign-up mail, the SMS and the stored reminders; "
        "see the notifications log"
    )


def _confirmation(folder: Path, address: str, name: str) -> str | None:
    for mail in read_mail_folder(folder):
        subject = str(make_header(decode_header(mail["Subject"] or "")))
        if address in (mail["To"] or "") and name in subject:
            return subject
    return None


async def _pending(notifications: Registrar, member: uuid.UUID) -> list[dict[str, Any]]:
    answer = await notifications.send("pending_list", {"member_id": str(member)}, "")
    rows: list[dict[str, Any]] = answer["pending"]
    return rows


def _reminder(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((row for row in rows if row["template"] == REMINDER), None)


def report_notices(
    shown: Shown,
    reader: tuple[uuid.UUID, str],
    texter: uuid.UUID,
    region: Region,
    report: Report,
) -> None:
    zone = ZoneInfo(region.time_zone)
    quiet = region.quiet_hours

    def local(at: str) -> str:
        return dt.datetime.fromisoformat(at).astimezone(zone).strftime("%a %d %b %H:%M")

    report(f"mail to {reader[1]}: {shown.mail}")
    first_line = str(shown.sms.get("text") or "").splitlines()[0]
    report(f"SMS gateway received, to {shown.sms['to']}: {first_line!r}")
    for member, who in ((reader[0], "Sanne (e-mail)"), (texter, "Ayşe (SMS)")):
        row = _reminder(shown.pending[member])
        assert row is not None, "waited for"
        if row["held"] == "quiet_hours":
            report(
                f"reminder to {who} held back: its moment falls in the quiet hours "
                f"({quiet.start:%H:%M}-{quiet.end:%H:%M}); it goes at {local(row['due_at'])}"
            )
        else:
            report(f"reminder to {who} planned for {local(row['due_at'])}, the day before")
