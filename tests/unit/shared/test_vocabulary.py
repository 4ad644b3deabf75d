"""Shared vocabulary: every shipped help kind has real words, unknown ids stay readable."""

from __future__ import annotations

import pytest

from dorp_shared.regions import available_regions, load_region
from dorp_shared.vocabulary import (
    HELP_KINDS,
    area_unit_words,
    kind_label,
    kind_labels,
    kind_phrase,
    language_name,
    readable,
    role_words,
)
from tests.support.infra import REGIONS

SHIPPED_KINDS = sorted(
    {
        kind
        for region_id in available_regions(REGIONS)
        for kind in load_region(region_id, REGIONS).help_kinds
    }
)


@pytest.mark.parametrize("kind", SHIPPED_KINDS)
def test_every_shipped_kind_has_dutch_and_english_words(kind: str) -> None:
    assert kind in HELP_KINDS
    words = HELP_KINDS[kind]
    for dutch in (words.label[0], words.phrase[0]):
        assert dutch.strip() and dutch not in (kind, readable(kind))
    for english in (words.label[1], words.phrase[1]):
        assert english.strip() and "_" not in english
    assert kind_phrase(kind, "nl") == words.phrase[0]
    assert kind_phrase(kind, "en") == words.phrase[1]


def test_unknown_ids_fall_back_readably() -> None:
    assert readable("play_together") == "play together"
    assert kind_labels("bake_cakes") == ("bake cakes", "bake cakes")
    assert kind_phrase("bake_cakes", "en") == "bake cakes"
    assert kind_label("bake_cakes", "nl") == "bake cakes"
    assert role_words("youth_worker") == ("youth worker", "youth worker")
    assert area_unit_words("buurt") == ("buurt", "buurt")
    assert language_name("xx", "en") == "xx"


def test_words_pick_the_language() -> None:
    assert kind_label("walk_and_talk", "nl") == "wandeling en praatje"
    assert kind_phrase("walk_and_talk", "nl") == "een wandeling met een praatje"
    assert kind_phrase("walk_and_talk", "en") == "a walk and a talk"
    assert language_name("ar", "nl") == "Arabisch" and language_name("ar", "en") == "Arabic"
