"""What a parent reads: the right language, the programme, what was matched, and no
contact details of the other party."""

from __future__ import annotations

import pytest

from dorp_notifications.adapters.smtp import email_message
from dorp_notifications.domain.language import pick_language
from dorp_notifications.domain.match_mail import match_mail
from dorp_notifications.domain.model import OutgoingMail
from dorp_notifications.handlers import recipient_from
from dorp_notifications.rendering import render_match_mail
from dorp_shared.regions import Region, load_region
from tests.unit.notifications.builders import match, member


@pytest.fixture(scope="module")
def lochem() -> Region:
    return load_region("lochem")


def rendered_for(language: str, region: Region, role: str = "requester") -> tuple[str, str, str]:
    anna = member("Anna de Vries", "anna@example.org")
    bram = member("Bram", "bram.helper@example.net", phone="+31 6 9999 0000")
    content = match_mail(
        match(anna, bram),
        recipient=recipient_from(anna if role == "requester" else bram),
        other=recipient_from(bram if role == "requester" else anna),
        role="requester" if role == "requester" else "helper",
        language=language,
        region=region,
    )
    out = render_match_mail(content)
    return out.subject, out.text, out.html


def test_dutch_mail_names_programme_kind_area_and_explanation(lochem: Region) -> None:
    subject, text, html = rendered_for("nl", lochem)
    assert subject == "Je hebt een match: oppas in Laren"
    for body in (text, html):
        assert "#Opladers" in body
        assert "Hoi Anna" in body
        assert "Bram" in body
        assert "Jullie wonen allebei in Laren" in body
        assert "You both live" not in body


def test_english_mail_uses_english_explanation(lochem: Region) -> None:
    subject, text, html = rendered_for("en", lochem)
    assert subject == "You have a match: babysitting in Laren"
    for body in (text, html):
        assert "Good news from" in body
        assert "You both live in Laren" in body
        assert "Jullie wonen" not in body


def test_helper_reads_that_they_offered(lochem: Region) -> None:
    _, text, _ = rendered_for("nl", lochem, role="helper")
    assert "Hoi Bram" in text
    assert "Je bood oppas aan in Laren. Anna" in text


def test_other_party_contact_details_never_appear(lochem: Region) -> None:
    """Contact stays private until both say yes: only the other's first name shows."""
    for language in ("nl", "en"):
        for role, hidden in (("requester", ("bram.helper", "9999")), ("helper", ("anna@",))):
            subject, text, html = rendered_for(language, lochem, role)
            whole = subject + text + html
            for fragment in hidden:
                assert fragment not in whole
    _, text, html = rendered_for("nl", lochem, role="helper")
    assert "de Vries" not in text + html  # first name only


def test_html_escapes_names() -> None:
    region = load_region("lochem")
    sneaky = member("<script>x</script>", "s@example.org")
    other = member("Bram", "b@example.org")
    content = match_mail(
        match(other, sneaky),
        recipient=recipient_from(other),
        other=recipient_from(sneaky),
        role="requester",
        language="nl",
        region=region,
    )
    assert "<script>" not in render_match_mail(content).html


@pytest.mark.parametrize(
    ("preferred", "default", "expected"),
    [
        ("nl", "nl", "nl"),
        ("en", "nl", "en"),
        ("EN", "nl", "en"),
        ("ar", "nl", "nl"),
        ("tr", "en", "en"),
        ("pl", "fr", "nl"),
    ],
)
def test_language_falls_back_to_region_default_then_dutch(
    preferred: str, default: str, expected: str
) -> None:
    assert pick_language(preferred, default) == expected


def test_email_message_has_text_and_html_parts_and_stable_message_id() -> None:
    mail = OutgoingMail(
        to_address="anna@example.org",
        to_name="Anna",
        subject="Je hebt een match: oppas in Laren",
        text="Hoi Anna",
        html="<p>Hoi Anna</p>",
        language="nl",
        message_id="<0f3e@dorp>",
    )
    message = email_message(mail, "Dorp <noreply@dorp.invalid>")
    assert message["Message-ID"] == "<0f3e@dorp>"
    assert message["To"] == "Anna <anna@example.org>"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
