"""Markdown for municipal staff: the Dutch text first, then the same in English."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import Figures, Line, Report, area_unit_words

PHRASES: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Eerste rapportage",
        "period": "Periode",
        "generated": "Gemaakt op",
        "key_figures": "Kerncijfers",
        "figure": "Cijfer",
        "number": "Aantal",
        "members": "Leden",
        "requests": "Hulpvragen",
        "offers": "Hulpaanbod",
        "matches": "Voorgestelde matches",
        "notifications": "Verstuurde berichten",
        "by_kind": "Per soort hulp",
        "kind": "Soort hulp",
        "per": "Per",
        "privacy": (
            'Aantallen personen kleiner dan {t} staan er als "<{t}"; waar dat nodig is om '
            'terugrekenen te voorkomen, staat een tweede aantal als "≥{t}".'
        ),
    },
    "en": {
        "title": "First report",
        "period": "Period",
        "generated": "Generated at",
        "key_figures": "Key figures",
        "figure": "Figure",
        "number": "Count",
        "members": "Members",
        "requests": "Help requests",
        "offers": "Help offers",
        "matches": "Proposed matches",
        "notifications": "Messages sent",
        "by_kind": "By kind of help",
        "kind": "Kind of help",
        "per": "By",
        "privacy": (
            'Counts of people below {t} are shown as "<{t}"; where needed to prevent '
            'recalculation, a second count is shown as "≥{t}".'
        ),
    },
}


def render_markdown(report: Report) -> str:
    return "\n---\n\n".join(_section(report, language) for language in ("nl", "en"))


def _section(report: Report, language: str) -> str:
    words = PHRASES[language]
    figures = report.figures
    local = report.generated_at.astimezone(ZoneInfo(report.time_zone))
    period = Period.parse(report.period)
    unit = area_unit_words(report)[0 if language == "nl" else 1]
    lines = [
        f"# {words['title']} — {report.programme}, {report.region_name}",
        "",
        f"- {words['period']}: {period.label(language)}",
        f"- {words['generated']}: {local:%Y-%m-%d %H:%M} ({report.time_zone})",
        "",
        f"## {words['key_figures']}",
        "",
        *_key_figures(figures, language),
        "",
        f"## {words['by_kind']}",
        "",
        *_breakdown(figures.by_kind, words["kind"], language),
        "",
        f"## {words['per']} {unit}",
        "",
        *_breakdown(figures.by_area, unit.capitalize(), language),
        "",
        "_" + words["privacy"].format(t=report.small_count_threshold) + "_",
        "",
    ]
    return "\n".join(lines)


def _key_figures(figures: Figures, language: str) -> list[str]:
    words = PHRASES[language]
    rows = [(words["members"], figures.members.display)]
    rows += [
        (f"— {line.nl if language == 'nl' else line.en}", line.members.display)
        for line in figures.members_by_role
    ]
    rows += [
        (words["requests"], figures.requests.display),
        (words["offers"], figures.offers.display),
        (words["matches"], figures.matches.display),
        (words["notifications"], figures.notifications_sent.display),
    ]
    return _table((words["figure"], words["number"]), rows)


def _breakdown(lines: tuple[Line, ...], heading: str, language: str) -> list[str]:
    words = PHRASES[language]
    header = (heading, words["requests"], words["offers"], words["matches"])
    rows = [
        (
            line.nl if language == "nl" else line.en,
            line.requests.display,
            line.offers.display,
            line.matches.display,
        )
        for line in lines
    ]
    return _table(header, rows)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """A Markdown table: first column left, numbers right."""
    rule = "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"
    out = ["| " + " | ".join(header) + " |", rule]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out
