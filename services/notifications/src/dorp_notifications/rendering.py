"""Jinja2 templates of the package: ``templates/<template>.<language>.{txt,html}.j2``.

HTML templates autoescape (display names and explanations are other people's text);
plain-text templates do not. Missing variables are an error, not an empty string.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined

from dorp_notifications.domain.match_mail import TEMPLATE, MatchMail


class MailContent(Protocol):
    """What a template gets as ``mail``: anything with a language and a subject."""

    @property
    def language(self) -> str: ...

    @property
    def subject(self) -> str: ...


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Built on first use, never at import."""
    return Environment(
        loader=PackageLoader("dorp_notifications", "templates"),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_match_mail(mail: MatchMail) -> Rendered:
    return render_mail(TEMPLATE, mail)


def render_mail(template: str, mail: MailContent) -> Rendered:
    env = environment()
    base = f"{template}.{mail.language}"
    return Rendered(
        subject=mail.subject,
        text=env.get_template(f"{base}.txt.j2").render(mail=mail),
        html=env.get_template(f"{base}.html.j2").render(mail=mail),
    )
