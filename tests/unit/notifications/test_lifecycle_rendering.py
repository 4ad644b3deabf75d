"""What the mails after a proposal and the retention warning say, in Dutch and English,
in both the plain-text and the HTML part."""

from __future__ import annotations

import datetime as dt

import pytest

from dorp_notifications.domain import lifecycle_mails as mails
from dorp_notifications.domain.model import Proposal
from dorp_notifications.handlers import recipient_from
from dorp_notifications.rendering import Rendered, render_mail
from dorp_shared.regions import Region, load_region
from tests.unit.notifications.builders import confirmed, match, member


@pytest.fixture(scope="module")
def lochem() -> Region:
    return load_region("lochem")


def confirmation(language: str, region: Region, other_email: str | None) -> Rendered:
    anna = member("Anna", "anna@example.org")
    bram = member("<b>Bram</b> Boer", other_email, phone="+31 6 9999 0000")
    head = mails.letterhead(region, recipient_from(anna), language)
    content = mails.match_confirmed_mail(
        confirmed(match(anna, bram)), head=head, other=recipient_from(bram), role="requester"
    )
    return render_mail(mails.MATCH_CONFIRMED, content)


@pytest.mark.parametrize(
    ("language", "says"),
    [("nl", "Je kunt nu contact opnemen met"), ("en", "You can now get in touch with")],
)
def test_confirmation_gives_first_name_and_address_not_phone(
    lochem: Region, language: str, says: str
) -> None:
    out = confirmation(language, lochem, "bram@example.net")
    for body in (out.text, out.html):
        assert says in body and "bram@example.net" in body and "#Opladers" in body
        assert "9999" not in body and "Boer" not in body
    assert "<b>" not in out.html  # a display name is escaped, never markup
    assert 'href="mailto:bram@example.net"' in out.html


def test_confirmation_without_address_of_the_other_says_so(lochem: Region) -> None:
    out = confirmation("en", lochem, None)
    assert "has no e-mail address with us" in out.text
    assert "None" not in out.text + out.html


@pytest.mark.parametrize(
    ("language", "expired", "says", "subject"),
    [
        ("nl", True, "op tijd gereageerd", "Je match is verlopen: oppas in Laren"),
        ("nl", False, "gaat helaas niet door", "Je match gaat niet door: oppas in Laren"),
        ("en", True, "answered in time", "Your match has expired: babysitting in Laren"),
        ("en", False, "will not go ahead", "Your match will not go ahead: babysitting in Laren"),
    ],
)
def test_proposal_ended_says_what_happened_but_not_why(
    lochem: Region, language: str, expired: bool, says: str, subject: str
) -> None:
    anna = member("Anna", "anna@example.org")
    proposal = Proposal(anna.member_id, anna.member_id, anna.member_id, "babysitting", "laren")
    head = mails.letterhead(lochem, recipient_from(anna), language)
    content = mails.proposal_ended_mail(proposal, head=head, region=lochem, expired=expired)
    out = render_mail(mails.PROPOSAL_ENDED, content)
    assert out.subject == subject
    for body in (out.text, out.html):
        assert says in body
        assert "erase" not in body.lower() and "gewist" not in body and "consent" not in body


@pytest.mark.parametrize(
    ("language", "date", "subject"),
    [
        ("nl", "2 maart 2027", "Je gegevens bij #Opladers worden op 2 maart 2027 gewist"),
        ("en", "2 March 2027", "Your data at #Opladers will be erased on 2 March 2027"),
    ],
)
def test_retention_warning_names_date_and_how_to_stay(
    lochem: Region, language: str, date: str, subject: str
) -> None:
    anna = member("Anna", "anna@example.org")
    head = mails.letterhead(lochem, recipient_from(anna), language)
    out = render_mail(
        mails.RETENTION_WARNING, mails.retention_warning_mail(dt.date(2027, 3, 2), head=head)
    )
    assert out.subject == subject
    stay = "Wil je blijven?" if language == "nl" else "Want to stay?"
    for body in (out.text, out.html):
        assert date in body and stay in body and "Anna" in body
    assert out.html.startswith("<!DOCTYPE html>") and f'lang="{language}"' in out.html
