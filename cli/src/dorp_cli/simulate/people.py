"""Synthetic people and texts: names are invented, never taken from real data."""

from __future__ import annotations

import random
from dataclasses import dataclass

from dorp_shared.contracts.events.common import AGE_BANDS, AgeBand, Role
from dorp_shared.regions import Region

FIRST_NAMES = (
    "Sanne", "Noor", "Fatima", "Emre", "Anna", "Daan", "Yasmina", "Lotte", "Mehmet", "Kasia",
    "Bram", "Amira", "Joris", "Elif", "Piotr", "Inge", "Youssef", "Femke", "Zeynep", "Tomasz",
    "Hanna", "Rachid", "Lieke", "Ayla", "Wout", "Marloes", "Samir", "Jolien", "Agnieszka", "Koen",
)  # fmt: skip
SURNAME_INITIALS = "ABCDEFGHIJKLMNOPRSTVWZ"
SIM_PARTNER = "simulator"
"""The partner id used in a region without partners in its region file."""


@dataclass(frozen=True, eq=False)
class Person:
    """One synthetic member. Compared by identity: each is made once, and removing one from
    a list of thousands stays cheap."""

    number: int
    role: Role
    area: str
    languages: tuple[str, ...]
    age_bands: tuple[AgeBand, ...]
    interests: tuple[str, ...]
    via: str  # "partner" (a partner system) or "http" (the web form)
    partner: str  # the partner system that knows them, when via == "partner"

    @property
    def external_id(self) -> str:
        return f"sim-member-{self.number}"

    @property
    def ref(self) -> str:
        return f"member:{self.number}"

    def display_name(self) -> str:
        first = FIRST_NAMES[self.number % len(FIRST_NAMES)]
        return f"{first} {SURNAME_INITIALS[self.number % len(SURNAME_INITIALS)]}."

    def email(self, region: str) -> str:
        return f"sim.{region}.{self.number}@example.org"


INTERESTS = ("sport", "koken", "lezen", "muziek", "natuur", "taal", "spelen", "opvoeding")


def make_person(rng: random.Random, region: Region, number: int, role: Role) -> Person:
    area = rng.choice(region.areas).id
    others = [language for language in region.languages if language != region.default_language]
    languages = [region.default_language]
    if others and rng.random() < 0.3:
        languages.append(rng.choice(others))
    bands: tuple[AgeBand, ...] = ()
    if role == "parent":
        bands = tuple(sorted(set(rng.sample(AGE_BANDS, rng.randint(1, 2))), key=AGE_BANDS.index))
    interests = tuple(sorted(set(rng.sample(INTERESTS, rng.randint(0, 3)))))
    via = "partner" if rng.random() < 0.7 else "http"
    partner = rng.choice(region.partners).id if region.partners else SIM_PARTNER
    return Person(number, role, area, tuple(languages), bands, interests, via, partner)


REQUEST_TEXTS = (
    "Wie kan af en toe op onze kinderen passen?",
    "Ik zoek iemand die mee wil naar het consultatiebureau.",
    "Kan iemand helpen met huiswerk van mijn zoon?",
    "Wie wil samen een wandeling maken met de kinderwagen?",
)
OFFER_TEXTS = (
    "Ik help graag, doordeweeks 's middags.",
    "Ik heb tijd in het weekend en kinderen van dezelfde leeftijd.",
    "Ik spreek ook Arabisch en help graag bij afspraken.",
)
QUOTE_TEXTS = (
    "Door de koffiedates ken ik nu ouders uit mijn straat.",
    "Ik durf nu eerder om hulp te vragen.",
    "Het ouderfestival was voor ons hele gezin een feest.",
    "Via het oudercafé heb ik een vriendin gevonden.",
)
