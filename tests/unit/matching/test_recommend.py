"""What already exists: sessions that fit a member, never a full, past or far one."""

from __future__ import annotations

import uuid
from datetime import timedelta

from dorp_matching.domain.recommend import SessionOffer, recommend
from tests.unit.matching.builders import T0, lochem, member

REGION = lochem()


def session(
    area: str = "laren",
    *,
    kind: str = "parent_cafe",
    capacity: int | None = 10,
    signed_up: int = 0,
    days: int = 7,
    languages: tuple[str, ...] = ("nl",),
    initiative: uuid.UUID | None = None,
) -> SessionOffer:
    starts = T0 + timedelta(days=days)
    return SessionOffer(
        session_id=uuid.uuid4(),
        initiative_id=initiative or uuid.uuid4(),
        initiative_name=f"{kind} in {area}",
        initiative_kind=kind,
        themes=(),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Het dorpshuis",
        home_area=area,
        capacity=capacity,
        signed_up=signed_up,
        languages=languages,
    )


def test_full_past_far_and_foreign_language_sessions_are_never_recommended() -> None:
    parent = member("laren")
    fits = session()
    open_event = session(capacity=None, signed_up=40)
    never = [
        session(capacity=10, signed_up=10),  # full
        session(days=-1),  # already over
        session("epse"),  # two kernen away
        session(languages=("ar",)),  # a language the parent does not speak
    ]
    found = recommend(parent, [*never, fits, open_event], REGION, T0)
    assert {r.session.session_id for r in found} == {fits.session_id, open_event.session_id}
    left = {r.session.session_id: r.session.places_left for r in found}
    assert left == {fits.session_id: 10, open_event.session_id: None}
    first = next(r for r in found if r.session.session_id == fits.session_id)
    assert first.explanation.endswith("in het Nederlands; nog 10 plekken vrij.")
    assert first.explanation_en.endswith("in Dutch; 10 places left.")


def test_the_own_kern_comes_first_one_session_per_initiative_and_at_most_the_maximum() -> None:
    parent = member("laren")
    cafe = uuid.uuid4()
    near = session("lochem")
    here = session("laren", initiative=cafe)
    here_later = session("laren", initiative=cafe, days=14)
    others = [session("laren") for _ in range(5)]
    found = recommend(parent, [near, here_later, here, *others], REGION, T0)
    assert len(found) == REGION.matching.recommendations_max
    assert found[0].session.home_area == "laren"
    assert sum(r.session.initiative_id == cafe for r in found) <= 1
    assert near.session_id not in {r.session.session_id for r in found}


def test_a_request_gets_only_activities_that_serve_its_kind() -> None:
    parent = member("laren")
    walk = session(kind="walk")
    language = session(kind="language_group")
    found = recommend(parent, [walk, language], REGION, T0, request_kind="language_help")
    assert [r.session.session_id for r in found] == [language.session_id]
    assert "serves_request" in {reason.code for reason in found[0].reasons}
    assert recommend(parent, [walk, language], REGION, T0, request_kind="babysitting") == []
    signed = recommend(parent, [language], REGION, T0, signed={language.session_id})
    assert signed == []  # already signed up
