"""Words for report readers, Dutch and English. Unknown ids fall back to readable ids."""

from __future__ import annotations

Words = tuple[str, str]  # (nl, en)

HELP_KINDS: dict[str, Words] = {
    "babysitting": ("oppas", "babysitting"),
    "walk_and_talk": ("wandeling en praatje", "walk and talk"),
    "coffee_date": ("koffie- of theedate", "coffee or tea date"),
    "share_experience": ("ervaringen delen", "sharing experience"),
    "language_help": ("taalhulp", "language help"),
    "explain_school_system": ("uitleg over het schoolsysteem", "explaining the school system"),
    "clothing_exchange": ("kleding- en spullenruil", "clothing and goods exchange"),
    "host_family": ("steungezin", "host family"),
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


def readable(identifier: str) -> str:
    return identifier.replace("_", " ").replace("-", " ")


def kind_words(kind: str) -> Words:
    return HELP_KINDS.get(kind, (readable(kind), readable(kind)))


def role_words(role: str) -> Words:
    return ROLES.get(role, (readable(role), readable(role)))
