"""The fast ranking of many candidates (``Ranking``) gives exactly the answers of the rules
as written (``is_candidate``, ``score``), for any request, requester, offer and history:
who is eligible, the score, and so which offer a request gets."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dorp_matching.domain.matching import Ranking, choose_offer, is_candidate, propose, score
from dorp_matching.domain.model import Candidate, History, Member, Offer, Request
from tests.unit.matching.builders import T0, lochem

REGION = lochem()
AREAS = ("lochem", "laren", "barchem", "almen", "gorssel")  # distances 0, 1 and 2
LANGUAGES = st.lists(st.sampled_from(("nl", "en", "ar", "tr")), max_size=2, unique=True).map(tuple)
WINDOWS = st.lists(
    st.sampled_from(("mon-evening", "tue-evening", "sat-morning")), max_size=2, unique=True
).map(tuple)
BANDS = st.lists(st.sampled_from(("0-1", "1-4", "4-12")), max_size=2, unique=True).map(tuple)
WHEN = st.one_of(st.none(), st.integers(min_value=-60, max_value=60))
PEOPLE = [uuid.UUID(int=n) for n in range(1, 7)]


def _at(minutes: int | None) -> datetime | None:
    return None if minutes is None else T0 + timedelta(minutes=minutes)


members = st.builds(
    Member,
    member_id=st.sampled_from(PEOPLE),
    home_area=st.sampled_from(AREAS),
    languages=LANGUAGES,
    age_bands=st.just(()),
    consents_matching=st.sampled_from((True, True, True, False)),
)
requests = st.builds(
    Request,
    request_id=st.just(uuid.UUID(int=99)),
    member_id=st.sampled_from(PEOPLE),
    kind=st.sampled_from(("babysitting", "walk_and_talk")),
    home_area=st.sampled_from(AREAS),
    languages=LANGUAGES,
    age_band=st.sampled_from((None, "0-1", "1-4")),
    expires_at=WHEN.map(_at),
    requested_at=st.just(T0),
    time_windows=WINDOWS,
    prefers_known_people=st.booleans(),
)


@st.composite
def candidates(draw: st.DrawFn) -> Candidate:
    helper = draw(members)
    owner = draw(st.one_of(st.none(), st.none(), st.sampled_from(PEOPLE)))
    offer_load, helper_load, recent = (draw(st.integers(0, 4)) for _ in range(3))
    return Candidate(
        offer=Offer(
            offer_id=draw(st.uuids()),
            member_id=helper.member_id if owner is None else owner,
            kind=draw(st.sampled_from(("babysitting", "walk_and_talk"))),
            home_area=draw(st.sampled_from(AREAS)),
            languages=draw(LANGUAGES),
            age_bands=draw(BANDS),
            capacity=draw(st.integers(1, 3)),
            expires_at=_at(draw(WHEN)),
            offered_at=T0 - timedelta(minutes=draw(st.integers(0, 3))),
            time_windows=draw(WINDOWS),
        ),
        helper=helper,
        offer_load=offer_load,
        helper_load=helper_load,
        helper_recent=recent,
    )


histories = st.builds(
    History,
    declined_with=st.frozensets(st.sampled_from(PEOPLE), max_size=2),
    tried_offers=st.just(frozenset()),
    met_with=st.frozensets(st.sampled_from(PEOPLE), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(requests, members, st.lists(candidates(), min_size=1, max_size=8), histories, st.data())
def test_the_ranking_answers_as_the_rules_do(
    ask: Request,
    asker: Member,
    offers: list[Candidate],
    history: History,
    data: st.DataObject,
) -> None:
    asker = replace(asker, member_id=ask.member_id)  # the requester asked
    tried = data.draw(st.sets(st.sampled_from([c.offer.offer_id for c in offers]), max_size=1))
    history = History(history.declined_with, frozenset(tried), history.met_with)
    ranking = Ranking(ask, asker, REGION, T0, history)
    for c in offers:
        expected = is_candidate(ask, asker, c, REGION, T0, history)
        assert (ranking.possible and ranking.eligible(c)) == expected
        assert ranking.score(c) == score(ask, asker, c, REGION, history)
        assert ranking.score(c) == propose(ask, asker, c, REGION, history).score

    eligible = [c for c in offers if is_candidate(ask, asker, c, REGION, T0, history)]
    chosen = choose_offer(ask, asker, offers, REGION, T0, history)
    if not eligible:
        assert chosen is None
        return
    best = min(
        eligible,
        key=lambda c: (
            -score(ask, asker, c, REGION, history),
            c.offer.offered_at,
            c.offer.offer_id,
        ),
    )
    assert chosen is not None and chosen.offer_id == best.offer.offer_id
