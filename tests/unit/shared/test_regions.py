"""Region files: every shipped region loads, and a broken file names what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from dorp_shared.regions import RegionError, available_regions, load_region
from tests.support.infra import REGIONS


@pytest.mark.parametrize("region_id", ["lochem", "zutphen", "zwolle", "antwerpen"])
def test_shipped_regions_load_with_babysitting_and_neighbours(region_id: str) -> None:
    region = load_region(region_id, REGIONS)
    assert region.id == region_id
    assert "babysitting" in region.help_kinds
    assert region.default_language in region.languages
    assert any(region.neighbours_of(area.id) for area in region.areas)


def test_neighbours_are_symmetric_and_distance_counts_steps() -> None:
    region = load_region("lochem", REGIONS)
    for area in region.areas:
        for neighbour in region.neighbours_of(area.id):
            assert area.id in region.neighbours_of(neighbour)
    first = region.areas[0]
    neighbour = sorted(region.neighbours_of(first.id))[0]
    assert region.area_distance(first.id, first.id) == 0
    assert region.area_distance(first.id, neighbour) == 1


def test_unknown_region_lists_the_known_ones() -> None:
    with pytest.raises(RegionError, match=r"unknown region 'atlantis'.*antwerpen, lochem"):
        load_region("atlantis", REGIONS)
    assert available_regions(REGIONS) == ["antwerpen", "lochem", "zutphen", "zwolle"]


def test_a_neighbour_that_does_not_exist_is_named(tmp_path: Path) -> None:
    text = (REGIONS / "lochem.toml").read_text(encoding="utf-8")
    broken = text.replace('neighbours = ["laren"', 'neighbours = ["nowhere", "laren"', 1)
    assert broken != text
    (tmp_path / "broken.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(RegionError, match=r"broken\.toml.*neighbours.*nowhere"):
        load_region(str(tmp_path / "broken.toml"))


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    text = (REGIONS / "zwolle.toml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("time_zone")]
    (tmp_path / "zwolle.toml").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(RegionError, match="time_zone: Field required"):
        load_region(str(tmp_path / "zwolle.toml"))
