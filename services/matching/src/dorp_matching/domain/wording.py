"""The human side of a proposal: one sentence in Dutch and one in English.

The words for kinds and languages come from ``dorp_shared.vocabulary`` (the same words
as in mails and reports); only the sentence templates are matching's own.
"""

from __future__ import annotations

from collections.abc import Sequence

from dorp_shared import vocabulary


def _language(english: bool) -> str:
    return "en" if english else "nl"


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
    names = enumerate_words(
        [vocabulary.language_name(c, _language(english)) for c in codes], english=english
    )
    return f"you both speak {names}" if english else f"jullie spreken allebei {names}"


def kind_phrase(
    kind: str, age_band: str | None, offered_bands: Sequence[str], *, english: bool
) -> str:
    """The help itself, with the child's age band when the request names one.

    When the offer is for other ages the sentence says so instead of hiding it.
    """
    label = vocabulary.kind_phrase(kind, _language(english))
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
