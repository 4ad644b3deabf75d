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


_DAYS = {
    "mon": ("maandag", "Monday"),
    "tue": ("dinsdag", "Tuesday"),
    "wed": ("woensdag", "Wednesday"),
    "thu": ("donderdag", "Thursday"),
    "fri": ("vrijdag", "Friday"),
    "sat": ("zaterdag", "Saturday"),
    "sun": ("zondag", "Sunday"),
}
_PARTS = {
    "morning": ("ochtend", "morning"),
    "afternoon": ("middag", "afternoon"),
    "evening": ("avond", "evening"),
}
MAX_WINDOWS_NAMED = 2


def window_words(window: str, *, english: bool) -> str:
    """``tue-evening``: ``dinsdagavond`` or ``Tuesday evening``."""
    day, _, part = window.partition("-")
    index = 1 if english else 0
    day_word = _DAYS.get(day, (day, day))[index]
    part_word = _PARTS.get(part, (part, part))[index]
    return f"{day_word} {part_word}" if english else f"{day_word}{part_word}"


def time_phrase(windows: Sequence[str], *, english: bool) -> str:
    """The first shared time windows (two at most, to keep the sentence short)."""
    named = [window_words(w, english=english) for w in windows[:MAX_WINDOWS_NAMED]]
    if len(windows) > MAX_WINDOWS_NAMED:
        named.append("more" if english else "meer")
    words = enumerate_words(named, english=english)
    return f"you are both free on {words}" if english else f"jullie kunnen allebei op {words}"


def load_phrase(load: int, *, english: bool) -> str:
    """How many others the helper already helps (the score prefers less busy helpers)."""
    if english:
        return f"the helper already helps {load} other{'s' if load > 1 else ''}"
    return f"de helper helpt al {load} {'anderen' if load > 1 else 'ander'}"


def met_phrase(*, english: bool) -> str:
    return "you have met before" if english else "jullie kennen elkaar al"


def recent_phrase(recent: int, *, english: bool) -> str:
    """Proposals the helper had lately: the score spreads the help over helpers."""
    if english:
        return f"the helper was asked {recent} time{'s' if recent > 1 else ''} lately"
    return f"de helper werd onlangs al {recent} keer gevraagd"


def coffee_sentence(
    languages: Sequence[str],
    age_bands: Sequence[str],
    interests: Sequence[str],
    new_contact: bool,
    *,
    english: bool,
) -> str:
    """Why these parents share a coffee or tea date, in one sentence."""
    bands = enumerate_words(list(age_bands), english=english)
    topics = enumerate_words(list(interests[:MAX_WINDOWS_NAMED]), english=english)
    if english:
        parts = [
            "a coffee or tea date at your school or in your neighbourhood",
            language_phrase(languages, english=True) if languages else "",
            f"you all have children aged {bands}" if age_bands else "",
            f"you share an interest in {topics}" if interests else "",
            "you have not met through Dorp yet" if new_contact else "",
        ]
    else:
        parts = [
            "een koffie- of theedate op school of in de buurt",
            language_phrase(languages, english=False) if languages else "",
            f"jullie hebben allemaal kinderen van {bands} jaar" if age_bands else "",
            f"jullie delen een interesse in {topics}" if interests else "",
            "jullie hebben elkaar via Dorp nog niet ontmoet" if new_contact else "",
        ]
    return sentence(parts)
