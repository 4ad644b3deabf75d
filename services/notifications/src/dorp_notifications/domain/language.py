"""Which language a person is written to in."""

from __future__ import annotations

from dorp_notifications.domain.i18n import LANGUAGES

TEMPLATE_LANGUAGES: tuple[str, ...] = LANGUAGES
LAST_RESORT = "nl"


def pick_language(
    preferred: str, region_default: str, available: tuple[str, ...] = TEMPLATE_LANGUAGES
) -> str:
    """The preferred language if we write in it, else the region's default, else Dutch."""
    for candidate in (preferred.strip().lower(), region_default.strip().lower()):
        if candidate in available:
            return candidate
    return LAST_RESORT
