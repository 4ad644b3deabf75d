"""The region's report: built from tallies, a region file, a period and a time handed in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict

from dorp_reporting.domain.facts import KindArea, Ledger, Tallies
from dorp_reporting.domain.figures import Figure, count, people_parts
from dorp_reporting.domain.period import Period
from dorp_shared import vocabulary
from dorp_shared.regions import Region
from dorp_shared.vocabulary import ROLE_ORDER, kind_labels, role_words


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class RoleLine(_Model):
    role: str
    nl: str
    en: str
    members: Figure


class Line(_Model):
    """One row of a breakdown: a kind of help, or an area."""

    key: str
    nl: str
    en: str
    requests: Figure
    offers: Figure
    matches: Figure


class Figures(_Model):
    members: Figure
    members_by_role: tuple[RoleLine, ...]
    requests: Figure
    offers: Figure
    matches: Figure
    notifications_sent: Figure
    by_kind: tuple[Line, ...]
    by_area: tuple[Line, ...]


class Report(_Model):
    programme: str
    region_id: str
    region_name: str
    area_unit: str
    period: str
    generated_at: AwareDatetime
    time_zone: str
    small_count_threshold: int
    figures: Figures


def build_report(
    region: Region, period: Period, tallies: Tallies, generated_at: datetime
) -> Report:
    return Report(
        programme=region.programme.name,
        region_id=region.id,
        region_name=region.name,
        area_unit=region.area_unit,
        period=period.key,
        generated_at=generated_at,
        time_zone=region.time_zone,
        small_count_threshold=region.report_small_count_threshold,
        figures=_figures(region, tallies),
    )


def _figures(region: Region, tallies: Tallies) -> Figures:
    threshold = region.report_small_count_threshold
    roles = {role: tallies.members_by_role.get(role, 0) for role in ROLE_ORDER}
    roles.update(tallies.members_by_role)
    total, by_role = people_parts(sum(roles.values()), roles, threshold)
    return Figures(
        members=total,
        members_by_role=tuple(
            RoleLine(role=role, nl=role_words(role)[0], en=role_words(role)[1], members=figure)
            for role, figure in by_role.items()
        ),
        requests=count(sum(tallies.ledger("request").values())),
        offers=count(sum(tallies.ledger("offer").values())),
        matches=count(sum(tallies.ledger("match").values())),
        notifications_sent=count(tallies.notifications),
        by_kind=_breakdown(tallies, 0, _kind_labels(region, tallies)),
        by_area=_breakdown(tallies, 1, _area_labels(region, tallies)),
    )


Labels = Mapping[str, tuple[str, str]]


def _kind_labels(region: Region, tallies: Tallies) -> Labels:
    kinds = _known_then_seen(region.help_kinds, (key[0] for key in _all_keys(tallies)))
    return {kind: kind_labels(kind) for kind in kinds}


def _area_labels(region: Region, tallies: Tallies) -> Labels:
    names = {area.id: area.name for area in region.areas}
    areas = _known_then_seen(names, (key[1] for key in _all_keys(tallies)))
    return {area: (names.get(area, area), names.get(area, area)) for area in areas}


def _breakdown(tallies: Tallies, position: int, labels: Labels) -> tuple[Line, ...]:
    def totals(ledger: Ledger) -> Counter[str]:
        counts: Counter[str] = Counter()
        for key, value in tallies.ledger(ledger).items():
            counts[key[position]] += value
        return counts

    requests, offers, matches = totals("request"), totals("offer"), totals("match")
    return tuple(
        Line(
            key=key,
            nl=nl,
            en=en,
            requests=count(requests[key]),
            offers=count(offers[key]),
            matches=count(matches[key]),
        )
        for key, (nl, en) in labels.items()
    )


def _all_keys(tallies: Tallies) -> Iterable[KindArea]:
    for counts in tallies.activities.values():
        yield from counts


def _known_then_seen(known: Iterable[str], seen: Iterable[str]) -> list[str]:
    """The region's own order first; ids only seen in events after it, sorted."""
    ordered = list(dict.fromkeys(known))
    return ordered + sorted(set(seen) - set(ordered))


def area_unit_words(report: Report) -> tuple[str, str]:
    return vocabulary.area_unit_words(report.area_unit)
