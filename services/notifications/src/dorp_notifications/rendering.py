"""Laying a :class:`Letter` out for each channel with Jinja2: plain text and HTML for
e-mail (``templates/letter.{txt,html}.j2``), a compact text for SMS and the inbox.

The sentences come from the language catalogues (``messages/<language>.toml``); the
templates hold only layout, the same for every language, with ``lang`` and ``dir`` on the
HTML so Arabic reads right to left. HTML autoescapes (names and views are other people's
text); missing variables are an error, not an empty string.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup, escape

from dorp_notifications.domain.letters import Letter

SMS_MAX_CHARS = 640
"""Four concatenated SMS parts of 160 characters; longer texts are cut with an ellipsis."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _lines(text: str) -> Markup:
    """A paragraph with line breaks (a digest item) as escaped lines joined by ``<br>``."""
    return Markup("<br>\n").join(escape(line) for line in text.split("\n"))


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Built on first use, never at import."""
    env = Environment(
        loader=PackageLoader("dorp_notifications", "templates"),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
    env.filters["lines"] = _lines
    return env


@lru_cache(maxsize=2)
def _template(name: str) -> Template:
    return environment().get_template(name)


def _render(name: str, letter: Letter) -> str:
    """``Template.render`` without copying the environment's globals into every context
    (``shared=True``): the templates use ``letter`` and filters only, and the copy was
    half the cost of a render."""
    template = _template(name)
    return "".join(template.root_render_func(template.new_context({"letter": letter}, shared=True)))


def render_mail(letter: Letter) -> Rendered:
    return Rendered(
        subject=letter.subject,
        text=_render("letter.txt.j2", letter),
        html=_render("letter.html.j2", letter),
    )


def render_text(letter: Letter) -> str:
    """The plain-text part alone: what the in-app inbox shows."""
    return _render("letter.txt.j2", letter)


def render_sms(letter: Letter) -> str:
    """Subject, sentences and facts without greeting or signature: SMS is short."""
    facts = [f"{label}: {value}" for label, value in letter.facts]
    text = "\n".join([letter.subject, *letter.paragraphs, *facts, f"- {letter.programme}"])
    if len(text) <= SMS_MAX_CHARS:
        return text
    return text[: SMS_MAX_CHARS - 1] + "…"
