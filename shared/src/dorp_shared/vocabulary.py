"""The words people read for Dorp's ids, in Dutch and English.

Shared on purpose: a parent reads the same help kind in the match proposal's explanation
(matching), in the match e-mail (notifications) and in the region's report (reporting).
The user-facing words must be the same everywhere, so they live here once; each service
keeps only its own sentence templates and subjects.

Help kinds are configurable per region file, so an id without words here still reads
reasonably: ``play_together`` becomes "play together" rather than the raw id.
"""

from __future__ import annotations

from dataclasses import dataclass

Words = tuple[str, str]
"""(Dutch, English)."""

ENGLISH = "en"


@dataclass(frozen=True)
class KindWords:
    """A help kind's words: ``label`` for tables and headings, ``phrase`` for use inside
    a sentence ("Je bood {phrase} aan", "You asked for {phrase}")."""

    label: Words
    phrase: Words


HELP_KINDS: dict[str, KindWords] = {
    "babysitting": KindWords(
        label=("oppas", "babysitting"),
        phrase=("oppas", "babysitting"),
    ),
    "walk_and_talk": KindWords(
        label=("wandeling en praatje", "walk and talk"),
        phrase=("een wandeling met een praatje", "a walk and a talk"),
    ),
    "coffee_date": KindWords(
        label=("koffie- of theedate", "coffee or tea date"),
        phrase=("een koffie- of theedate", "a coffee or tea date"),
    ),
    "share_experience": KindWords(
        label=("ervaringen delen", "sharing experience"),
        phrase=("ervaringen delen", "sharing experiences"),
    ),
    "language_help": KindWords(
        label=("taalhulp", "language help"),
        phrase=("taalhulp", "language help"),
    ),
    "explain_school_system": KindWords(
        label=("uitleg over het schoolsysteem", "explaining the school system"),
        phrase=("uitleg over het schoolsysteem", "explaining the school system"),
    ),
    "clothing_exchange": KindWords(
        label=("kleding- en spullenruil", "clothing and goods exchange"),
        phrase=("kleding en spullen ruilen", "swapping clothes and goods"),
    ),
    "host_family": KindWords(
        label=("steungezin", "host family"),
        phrase=("een steungezin", "a host family"),
    ),
    "homework_help": KindWords(
        label=("huiswerkhulp", "homework help"),
        phrase=("hulp bij huiswerk", "help with homework"),
    ),
    "play_together": KindWords(
        label=("samen spelen", "playing together"),
        phrase=("samen spelen", "playing together"),
    ),
}

ROLES: dict[str, Words] = {
    "parent": ("ouders en medeopvoeders", "parents and co-educators"),
    "volunteer": ("vrijwilligers", "volunteers"),
    "professional": ("professionals", "professionals"),
    "connector": ("aanjagers", "connectors"),
}
ROLE_ORDER: tuple[str, ...] = tuple(ROLES)

AREA_UNITS: dict[str, Words] = {
    "kern": ("kern", "village"),
    "wijk": ("wijk", "neighbourhood"),
    "district": ("district", "district"),
}

LANGUAGE_NAMES: dict[str, Words] = {
    "nl": ("Nederlands", "Dutch"),
    "en": ("Engels", "English"),
    "fr": ("Frans", "French"),
    "de": ("Duits", "German"),
    "ar": ("Arabisch", "Arabic"),
    "tr": ("Turks", "Turkish"),
    "pl": ("Pools", "Polish"),
    "uk": ("Oekraïens", "Ukrainian"),
    "ru": ("Russisch", "Russian"),
    "es": ("Spaans", "Spanish"),
    "pt": ("Portugees", "Portuguese"),
    "so": ("Somalisch", "Somali"),
    "ti": ("Tigrinya", "Tigrinya"),
    "fa": ("Perzisch", "Persian"),
    "prs": ("Dari", "Dari"),
    "ps": ("Pasjtoe", "Pashto"),
    "ber": ("Berbers", "Berber"),
    "ro": ("Roemeens", "Romanian"),
    "bg": ("Bulgaars", "Bulgarian"),
}


def readable(identifier: str) -> str:
    """An id people can read when nobody wrote words for it: ``play_together`` ->
    ``play together``."""
    return identifier.replace("_", " ").replace("-", " ")


def in_language(words: Words, language: str) -> str:
    """English for ``en``, Dutch for anything else (Dutch is Dorp's last resort)."""
    return words[1] if language == ENGLISH else words[0]


def kind_labels(kind: str) -> Words:
    """Short (Dutch, English) labels of a help kind, for tables and headings."""
    words = HELP_KINDS.get(kind)
    return words.label if words else (readable(kind), readable(kind))


def kind_label(kind: str, language: str) -> str:
    return in_language(kind_labels(kind), language)


def kind_phrase(kind: str, language: str) -> str:
    """A help kind as it reads inside a sentence."""
    words = HELP_KINDS.get(kind)
    return in_language(words.phrase, language) if words else readable(kind)


def role_words(role: str) -> Words:
    return ROLES.get(role, (readable(role), readable(role)))


def area_unit_words(unit: str) -> Words:
    return AREA_UNITS.get(unit, (readable(unit), readable(unit)))


def language_name(code: str, language: str) -> str:
    """The name of a spoken language; an unknown code is shown as the code itself."""
    names = LANGUAGE_NAMES.get(code)
    return in_language(names, language) if names else code
