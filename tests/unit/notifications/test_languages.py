"""Every letter in every language: complete catalogues, every template rendered, Arabic
right to left and without English, plain text and HTML, and the SMS and inbox forms."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest

from dorp_notifications.adapters.smtp import mime_message
from dorp_notifications.domain import match_letters as ml
from dorp_notifications.domain import member_letters as mb
from dorp_notifications.domain import session_letters as sl
from dorp_notifications.domain.i18n import LANGUAGES, phrases, placeholders
from dorp_notifications.domain.language import pick_language
from dorp_notifications.domain.letters import Head, Letter, letter_from_json, letter_to_json
from dorp_notifications.domain.model import OutgoingMail, Proposal, Recipient, Session
from dorp_notifications.rendering import render_mail, render_sms
from dorp_shared.contracts.events import DecisionRecorded
from dorp_shared.regions import Region, load_region

OTHER = Recipient(uuid.uuid4(), "Bram", "bram@example.org", "+31 6 1111 2222", "email", "nl", True)
PROPOSAL = Proposal(
    uuid.uuid4(),
    uuid.uuid4(),
    uuid.uuid4(),
    "babysitting",
    "laren",
    explanation="Jullie wonen allebei in Laren.",
    explanation_en="You both live in Laren.",
)
SESSION = Session(
    uuid.uuid4(),
    "Ouderkamer",
    dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 5, 11, 0, tzinfo=dt.UTC),
    "Bibliotheek Laren",
)
DECISION = DecisionRecorded(
    decision_id=uuid.uuid4(),
    table_id=uuid.uuid4(),
    proposal_id=uuid.uuid4(),
    adopted=True,
    majority_view="Oversteek",
    minority_view="Gemeente",
    votes_for=5,
    votes_against=2,
    votes_abstain=0,
)
ZONE = "Europe/Amsterdam"


def every_letter(head: Head, region: Region) -> dict[str, Letter]:
    """One letter of every template (and every variant that changes the words)."""
    what = ml.about(PROPOSAL, head, region)
    suggestion = sl.Suggestion(SESSION, 3, None)
    letters = {
        "match_proposed.requester": ml.match_proposed(head, what, "requester", OTHER),
        "match_proposed.helper": ml.match_proposed(head, what, "helper", OTHER),
        "match_confirmed": ml.match_confirmed(head, what, OTHER),
        "proposal_ended.expired": ml.proposal_ended(head, what, expired=True),
        "proposal_ended.cancelled": ml.proposal_ended(head, what, expired=False),
        "proposal_accepted": ml.proposal_accepted(head, what, OTHER),
        "proposal_declined": ml.proposal_declined(head, what, OTHER),
        "match_completed.helped": ml.match_completed(head, what, helped=True),
        "match_completed.not": ml.match_completed(head, what, helped=False),
        "connector_task": ml.connector_task(head, what, PROPOSAL),
        "review_overdue": ml.review_overdue(head, what, PROPOSAL.proposal_id, hours=48, since="19"),
        "coffee_date": ml.coffee_date(
            head, ["Bram", "Cor"], meet_by=dt.date(2026, 12, 5), explanation=None
        ),
        "sessions_recommended": sl.sessions_recommended(head, [suggestion], ZONE),
        "retention_warning": mb.retention_warning(head, dt.date(2026, 12, 19)),
        "decision_recorded": mb.decision_recorded(head, DECISION, "Veilig"),
        "session_reminder": sl.session_reminder(head, SESSION, ZONE),
        "session_cancelled": sl.session_cancelled(head, SESSION, ZONE),
    }
    for news in ("confirmed", "waitlisted", "promoted"):
        letters[f"sign_up.{news}"] = sl.sign_up(
            head,
            news,
            session_id=SESSION.session_id,  # type: ignore[arg-type]
            session=SESSION,
            time_zone=ZONE,
        )
    letters["sign_up.unknown"] = sl.sign_up(
        head, "confirmed", session_id=SESSION.session_id, session=None, time_zone=ZONE
    )
    letters["digest"] = mb.digest(
        head, [letters["retention_warning"], letters["sign_up.confirmed"]]
    )
    return letters


@pytest.fixture(scope="module")
def lochem() -> Region:
    return load_region("lochem")


def head(language: str, lochem: Region) -> Head:
    return Head(phrases(language), "Opladers", None, "Anna")


def _sentences(catalogue: dict[str, object]) -> dict[str, str]:
    flat = {}
    for section, values in catalogue.items():
        if isinstance(values, dict) and section != "kinds":
            for key, text in values.items():
                if isinstance(text, str):
                    flat[f"{section}.{key}"] = text
    return flat


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_has_every_sentence_with_the_same_placeholders(language: str) -> None:
    dutch = _sentences(phrases("nl").catalogue)
    mine = _sentences(phrases(language).catalogue)
    assert set(mine) == set(dutch)
    for key, text in dutch.items():
        assert placeholders(mine[key]) == placeholders(text), key
    common = phrases(language).catalogue["common"]
    assert len(common["months"]) == 12 and len(common["weekdays"]) == 7


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_renders_completely_in_every_language(language: str, lochem: Region) -> None:
    for name, letter in every_letter(head(language, lochem), lochem).items():
        rendered = render_mail(letter)
        assert letter.language == language
        assert rendered.subject and "{" not in rendered.subject, name
        for part in (rendered.text, rendered.html):
            assert "{" not in part and "}" not in part.replace("&#125;", ""), name
            assert "Anna" in part and "Opladers" in part, name
        assert f'lang="{language}"' in rendered.html
        assert letter_from_json(letter_to_json(letter)) == letter


def test_arabic_reads_right_to_left_and_has_no_english_left(lochem: Region) -> None:
    names = (
        "Anna",
        "Bram",
        "Cor",
        "Opladers",
        "Ouderkamer",
        "Bibliotheek",
        "Laren",
        "Veilig",
        "Oversteek",
        "Gemeente",
        "bram@example.org",
    )
    uuid_pattern = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    for name, letter in every_letter(head("ar", lochem), lochem).items():
        rendered = render_mail(letter)
        assert '<html lang="ar" dir="rtl">' in rendered.html
        body = uuid_pattern.sub("", rendered.text)
        for allowed in names:
            body = body.replace(allowed, "")
        assert not re.search(r"[A-Za-z]{2,}", body), f"{name}: {body}"


def test_languages_fall_back_to_the_region_default_then_dutch() -> None:
    assert pick_language("tr", "nl") == "tr"
    assert pick_language("so", "en") == "en"
    assert pick_language("so", "fr") == "nl"


def test_html_escapes_other_peoples_words(lochem: Region) -> None:
    sneaky = Recipient(uuid.uuid4(), "<script>Bram", None, None, "email", "nl", True)
    letter = ml.match_proposed(
        head("nl", lochem), ml.about(PROPOSAL, head("nl", lochem), lochem), "requester", sneaky
    )
    rendered = render_mail(letter)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<script>Bram" in rendered.text


def test_mail_has_text_and_html_parts_and_a_stable_message_id(lochem: Region) -> None:
    letter = mb.retention_warning(head("pl", lochem), dt.date(2026, 12, 19))
    rendered = render_mail(letter)
    mail = OutgoingMail(
        "anna@example.org",
        "Anna Żak",
        rendered.subject,
        rendered.text,
        rendered.html,
        "pl",
        "<x@dorp>",
    )
    message = message_from_bytes(mime_message(mail, "Dorp <noreply@dorp.invalid>"), policy=default)
    assert isinstance(message, EmailMessage)
    types = [part.get_content_type() for part in message.walk()]
    assert types == ["multipart/alternative", "text/plain", "text/html"]
    assert message["Message-ID"] == "<x@dorp>" and message["Content-Language"] == "pl"
    assert message["Subject"] == rendered.subject and message["To"] == "Anna Żak <anna@example.org>"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == rendered.text and html.get_content() == rendered.html
    assert "19 grudnia 2026" in rendered.text


def test_sms_is_short_and_without_greeting(lochem: Region) -> None:
    compose: Callable[[Head], Letter] = lambda h: sl.session_reminder(h, SESSION, ZONE)  # noqa: E731
    text = render_sms(compose(head("tr", lochem)))
    assert text.startswith("Yarın: Ouderkamer")
    assert "Merhaba" not in text and len(text) <= 640
