"""The sentences of every notification, per language, from ``messages/<language>.toml``.

Composers ask for a sentence by ``section.key`` and the values of its placeholders; a
missing key or placeholder is an error, never an empty string. Dates are written out with
the catalogue's own month and weekday names, so no server locale is needed.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Formatter
from typing import Any

from dorp_shared.vocabulary import kind_phrase

LANGUAGES: tuple[str, ...] = ("nl", "en", "ar", "tr", "pl")
"""Every language notifications writes in; Dutch is the last resort."""


class MissingText(KeyError):
    """A sentence or one of its placeholders is missing from a catalogue."""


@dataclass(frozen=True)
class Phrases:
    """One language's catalogue."""

    language: str
    catalogue: dict[str, Any]

    @property
    def direction(self) -> str:
        """``rtl`` for Arabic, ``ltr`` otherwise: the HTML part's ``dir``."""
        return str(self.catalogue.get("direction", "ltr"))

    def __call__(self, key: str, **values: object) -> str:
        section, _, name = key.partition(".")
        try:
            text = self.catalogue[section][name]
        except KeyError as exc:
            raise MissingText(f"{self.language}: no text {key!r}") from exc
        try:
            return str(text).format_map(values)
        except KeyError as exc:
            raise MissingText(f"{self.language}: {key!r} needs {exc.args[0]!r}") from exc

    def kind(self, kind: str) -> str:
        """A help kind as it reads inside a sentence."""
        words = self.catalogue.get("kinds", {})
        if kind in words:
            return str(words[kind])
        return kind_phrase(kind, self.language)

    def date(self, day: dt.date) -> str:
        """``19 december 2026`` in the catalogue's words."""
        month = self.catalogue["common"]["months"][day.month - 1]
        return f"{day.day} {month} {day.year}"

    def day(self, day: dt.date) -> str:
        """``zaterdag 5 december 2026``."""
        weekday = self.catalogue["common"]["weekdays"][day.weekday()]
        return f"{weekday} {self.date(day)}"


@lru_cache(maxsize=len(LANGUAGES))
def phrases(language: str) -> Phrases:
    """The catalogue of a language of :data:`LANGUAGES` (read once, on first use)."""
    if language not in LANGUAGES:
        raise MissingText(f"no catalogue for language {language!r}")
    source = resources.files("dorp_notifications.messages").joinpath(f"{language}.toml")
    return Phrases(language, tomllib.loads(source.read_text(encoding="utf-8")))


def placeholders(text: str) -> set[str]:
    """The names in ``{braces}`` of a sentence (for the completeness test)."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}
