"""Region files: one TOML file per region under ``deploy/regions/``.

A region is configuration, not code: adding Deventer means adding ``deventer.toml``.
The loader validates the whole file and names the offending field when it is wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dorp_shared.contracts.events.activities import InitiativeKind
from dorp_shared.contracts.events.organisations import OrganisationType

AreaUnit = Literal["kern", "wijk", "district"]

DEFAULT_HELP_KINDS = (
    "babysitting",
    "walk_and_talk",
    "coffee_date",
    "share_experience",
    "language_help",
    "explain_school_system",
    "clothing_exchange",
    "host_family",
)

DEFAULT_CONTACT_LADDER = (
    "no_contact",
    "know_by_sight",
    "chat",
    "share_experiences",
    "help_each_other",
    "organise_together",
)


class RegionError(Exception):
    """A region file is missing or invalid; the message names the file and field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Area(_Frozen):
    """A kern, wijk or district: the neighbourhood unit of a region."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    neighbours: tuple[str, ...] = ()
    core_theme: str | None = None


class Programme(_Frozen):
    name: str
    motto: str | None = None
    website: str | None = None


class Initiative(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    kind: InitiativeKind
    area: str | None = None
    description: str | None = None


class Partner(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    type: OrganisationType
    area: str | None = None


class QuietHours(_Frozen):
    """Local times (the region's time zone) between which no SMS is sent; it waits until
    ``end``. ``start`` after ``end`` means the quiet spans midnight."""

    start: dt.time = dt.time(21, 0)
    end: dt.time = dt.time(8, 0)


class MatchingSettings(_Frozen):
    """Matching's region settings: the ``[matching]`` table of a region file."""

    helper_capacity: int = Field(
        default=3,
        ge=1,
        le=50,
        description="how many people one helper helps at once over all their offers, unless "
        "an offer says it can help more; each offer's own capacity also holds",
    )
    recent_load_days: int = Field(
        default=30,
        ge=1,
        description="proposals to a helper in these days count as recent load: spread the help",
    )
    connector_review_hours: int = Field(
        default=48,
        ge=1,
        description="a proposal waiting longer for a connector's review raises "
        "ProposalReviewOverdue (once)",
    )
    coffee_date_round_days: int = Field(
        default=0,
        ge=0,
        description="pair opted-in parents into coffee and tea dates every this many days; "
        "0: only on request (pair_coffee_dates)",
    )
    coffee_date_meet_within_days: int = Field(default=14, ge=1)
    recommendations_max: int = Field(default=3, ge=1, le=10)
    activity_kinds_for_help: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="help kind -> initiative kinds or themes that serve it better than one "
        "helper; a request of such a kind also gets session recommendations",
    )


class Region(_Frozen):
    """Everything that differs between Lochem, Zutphen, Zwolle and Antwerp."""

    id: str = Field(pattern=r"^[a-z][a-z0-9]*$")
    name: str
    country: Literal["NL", "BE"]
    time_zone: str
    default_language: str
    languages: tuple[str, ...]
    area_unit: AreaUnit
    programme: Programme
    areas: tuple[Area, ...] = Field(min_length=1)
    help_kinds: tuple[str, ...] = DEFAULT_HELP_KINDS
    contact_ladder: tuple[str, ...] = DEFAULT_CONTACT_LADDER
    initiatives: tuple[Initiative, ...] = ()
    partners: tuple[Partner, ...] = ()
    report_small_count_threshold: int = Field(default=5, ge=1)
    proposal_expiry_days: int = Field(default=14, ge=1)
    help_expiry_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="days a help request or offer stays open unless it says otherwise;"
        " renewing extends it by this many days from the moment of renewal",
    )
    retention_days: int = Field(default=730, ge=30)
    retention_warning_days: int = Field(default=28, ge=1)
    connector_reviews_proposals: bool = False
    quiet_hours: QuietHours = QuietHours()
    matching: MatchingSettings = MatchingSettings()

    @model_validator(mode="after")
    def _references_are_known(self) -> Region:
        area_ids = {area.id for area in self.areas}
        if len(area_ids) != len(self.areas):
            raise ValueError("areas: every area id must be unique")
        for area in self.areas:
            unknown = set(area.neighbours) - area_ids
            if unknown:
                raise ValueError(f"areas.{area.id}.neighbours: unknown area(s) {sorted(unknown)}")
        placed = [(i.id, i.area) for i in self.initiatives] + [
            (p.id, p.area) for p in self.partners
        ]
        for item_id, place in placed:
            if place is not None and place not in area_ids:
                raise ValueError(f"{item_id}.area: unknown area {place!r}")
        if self.retention_warning_days >= self.retention_days:
            raise ValueError("retention_warning_days: must be less than retention_days")
        if self.default_language not in self.languages:
            raise ValueError("default_language: must be one of languages")
        return self

    @property
    def area_ids(self) -> frozenset[str]:
        return frozenset(area.id for area in self.areas)

    def area_name(self, area_id: str) -> str:
        """The area's name for people; an unknown id is shown as the id itself."""
        return next((area.name for area in self.areas if area.id == area_id), area_id)

    def neighbours_of(self, area_id: str) -> frozenset[str]:
        """Neighbour relation made symmetric: one side listing it is enough."""
        return self.neighbour_map.get(area_id, frozenset())

    @cached_property
    def neighbour_map(self) -> dict[str, frozenset[str]]:
        """Every area's neighbours, computed once (matching asks for each candidate)."""
        found: dict[str, set[str]] = {}
        for area in self.areas:
            found.setdefault(area.id, set()).update(area.neighbours)
            for other in area.neighbours:
                found.setdefault(other, set()).add(area.id)
        return {area_id: frozenset(ids) for area_id, ids in found.items()}

    def area_distance(self, a: str, b: str) -> int:
        """0 for the same area, 1 for neighbours, 2 for anything further."""
        if a == b:
            return 0
        return 1 if b in self.neighbours_of(a) else 2


def find_regions_dir(start: Path | None = None) -> Path:
    """Locate ``deploy/regions``: ``DORP_REGIONS_DIR``, else upwards from the working
    directory, else upwards from this installed source file (editable installs)."""
    configured = os.environ.get("DORP_REGIONS_DIR")
    if configured:
        return Path(configured)
    for origin in (start or Path.cwd(), Path(__file__).resolve()):
        for folder in (origin, *origin.parents):
            candidate = folder / "deploy" / "regions"
            if candidate.is_dir():
                return candidate
    raise RegionError("no region files found: set DORP_REGIONS_DIR or run from the Dorp repository")


def available_regions(regions_dir: Path | None = None) -> list[str]:
    folder = regions_dir or find_regions_dir()
    return sorted(path.stem for path in folder.glob("*.toml"))


def load_region(name_or_path: str, regions_dir: Path | None = None) -> Region:
    """Load a region by id (``lochem``) or by the path of its TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        folder = regions_dir or find_regions_dir()
        path = folder / f"{name_or_path}.toml"
        if not path.is_file():
            known = ", ".join(available_regions(folder)) or "none"
            raise RegionError(f"unknown region {name_or_path!r}; known regions: {known}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegionError(f"cannot read region file {path.name}: {exc}") from exc
    try:
        return Region.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(file)"
        raise RegionError(f"region file {path.name}: {where}: {first['msg']}") from exc
