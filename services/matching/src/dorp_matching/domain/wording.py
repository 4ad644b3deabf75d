"""The human side of a proposal: one sentence in Dutch and one in English.

Unknown languages and help kinds fall back to their code, so a region can add a kind in
its region file before anyone writes a label for it here.
"""

from __future__ import annotations

from collections.abc import Sequence

LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
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

KIND_NAMES: dict[str, tuple[str, str]] = {
    "babysitting": ("oppas", "babysitting"),
    "walk_and_talk": ("een wandeling met een praatje", "a walk and a talk"),
    "coffee_date": ("een koffie- of theedate", "a coffee or tea date"),
    "share_experience": ("ervaringen delen", "sharing experiences"),
    "language_help": ("taalhulp", "language help"),
    "explain_school_system": ("uitleg over het schoolsysteem", "explaining the school system"),
    "clothing_exchange": ("kleding en spullen ruilen", "swapping clothes and goods"),
    "host_family": ("een steungezin", "a host family"),
}


def language_name(code: str, *, english: bool) -> str:
    names = LANGUAGE_NAMES.get(code)
    return names[1 if english else 0] if names else code


def kind_name(kind: str, *, english: bool) -> str:
    names = KIND_NAMES.get(kind)
    return names[1 if english else 0] if names else kind.replace("_", " ")


def enumerate_words(words: Sequence[str], *, english: bool) -> str:
    """``a``, ``a en b``, ``a, b en c`` (``and`` in English)."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {'and' if english else 'en'} {words[-1]}"


def area_phrase(first: str, second: str | None, *, english: bool) -> str:
    """Same kern (``second`` is None) or two neighbouring ones, by their names."""
    if second is None:
        return f"both in {first}" if english else f"beide in {first}"
    if english:
        return f"{first} and {second} are next to each other"
    return f"{first} en {second} liggen naast elkaar"


def language_phrase(codes: Sequence[str], *, english: bool) -> str:
    names = enumerate_words([language_name(c, english=english) for c in codes], english=english)
    return f"you both speak {names}" if english else f"jullie spreken allebei {names}"


def kind_phrase(
    kind: str, age_band: str | None, offered_bands: Sequence[str], *, english: bool
) -> str:
    """The help itself, with the child's age band when the request names one.

    When the offer is for other ages the sentence says so instead of hiding it.
    """
    label = kind_name(kind, english=english)
    if age_band is None:
        return label
    if not offered_bands or age_band in offered_bands:
        return f"{label} for ages {age_band}" if english else f"{label} voor {age_band} jaar"
    offered = enumerate_words(list(offered_bands), english=english)
    if english:
        return f"{label} (asked for ages {age_band}, offered for ages {offered})"
    return f"{label} (gevraagd voor {age_band} jaar, aangeboden voor {offered} jaar)"


def sentence(parts: Sequence[str]) -> str:
    text = "; ".join(part for part in parts if part)
    return text[:1].upper() + text[1:] + "."
