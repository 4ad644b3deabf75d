"""Dutch and English words for the ids only reports show: organisation types, initiative
kinds, contact-ladder steps and the four buffers."""

from __future__ import annotations

from dorp_shared.vocabulary import Words, readable

ORGANISATION_TYPES: dict[str, Words] = {
    "school": ("scholen", "schools"),
    "daycare": ("kinderdagopvangorganisaties", "daycare organisations"),
    "ggd": ("GGD", "public health service (GGD)"),
    "social_neighbourhood_team": ("sociale wijkteams", "social neighbourhood teams"),
    "gp_practice": ("huisartsenpraktijken", "GP practices"),
    "midwife_practice": ("verloskundigenpraktijken", "midwife practices"),
    "library": ("bibliotheken", "libraries"),
    "community_centre": ("buurthuizen", "community centres"),
    "sports_club": ("sportverenigingen", "sports clubs"),
    "huis_van_het_kind": ("Huizen van het Kind", "Houses of the Child"),
    "parenting_support": ("opvoedondersteuning", "parenting support"),
    "care_provider": ("zorgaanbieders", "care providers"),
    "other": ("overige organisaties", "other organisations"),
}

ORGANISATION_TYPE_ONE: dict[str, Words] = {
    "school": ("school", "school"),
    "daycare": ("kinderdagopvangorganisatie", "daycare organisation"),
    "ggd": ("GGD", "public health service (GGD)"),
    "social_neighbourhood_team": ("sociaal wijkteam", "social neighbourhood team"),
    "gp_practice": ("huisartsenpraktijk", "GP practice"),
    "midwife_practice": ("verloskundigenpraktijk", "midwife practice"),
    "library": ("bibliotheek", "library"),
    "community_centre": ("buurthuis", "community centre"),
    "sports_club": ("sportvereniging", "sports club"),
    "huis_van_het_kind": ("Huis van het Kind", "House of the Child"),
    "parenting_support": ("opvoedondersteuning", "parenting support"),
    "care_provider": ("zorgaanbieder", "care provider"),
    "other": ("andere organisatie", "other organisation"),
}
"""One of a type, for "werkt met 1 school en 2 bibliotheken"."""

INITIATIVE_KINDS: dict[str, Words] = {
    "parent_cafe": ("ouderkamer", "parent café"),
    "child_cafe": ("kindercafé", "children's café"),
    "festival": ("festival", "festival"),
    "coffee_dates": ("koffiedates", "coffee dates"),
    "iftar": ("iftar", "iftar"),
    "language_group": ("taalgroep", "language group"),
    "workshop": ("workshop", "workshop"),
    "reading_group": ("leesgroep", "reading group"),
    "walk": ("wandeling", "walk"),
    "parent_group": ("oudergroep", "parent group"),
    "peer_support_group": ("lotgenotengroep", "peer support group"),
    "dialogue_table": ("dialoogtafel", "dialogue table"),
    "exchange": ("ruilmarkt", "exchange"),
    "other": ("overig", "other"),
}

LADDER_STEPS: dict[str, Words] = {
    "no_contact": ("geen contact", "no contact"),
    "know_by_sight": ("kennen elkaar van gezicht", "know each other by sight"),
    "chat": ("maken een praatje", "chat"),
    "share_experiences": ("delen ervaringen", "share experiences"),
    "help_each_other": ("helpen elkaar", "help each other"),
    "organise_together": ("organiseren samen", "organise together"),
}

BUFFERS: dict[str, Words] = {
    "solidarity": ("solidariteit in de omgeving", "solidarity around the family"),
    "division_of_tasks": ("goede taakverdeling", "good division of tasks"),
    "meta_position": ("metapositie", "meta position"),
    "positive_experiences": ("positieve opvoedervaringen", "positive parenting experiences"),
}

INQUIRY_PHASES: dict[str, Words] = {
    "define": ("definiëren", "define"),
    "discover": ("ontdekken", "discover"),
    "dream": ("dromen", "dream"),
    "design": ("ontwerpen", "design"),
    "destiny": ("doen", "destiny"),
    "dissemination": ("delen", "dissemination"),
}
"""The phases of appreciative inquiry (waarderend onderzoeken), in their order."""

SPEAKERS: dict[str, Words] = {
    "parent": ("ouder / medeopvoeder", "parent / co-educator"),
    "volunteer": ("vrijwilliger", "volunteer"),
    "professional": ("professional", "professional"),
    "connector": ("aanjager", "connector"),
}

CHANNELS: dict[str, Words] = {
    "email": ("e-mail", "e-mail"),
    "sms": ("sms", "text message"),
    "app": ("app", "app"),
}

SURVEY_QUESTIONS: dict[str, Words] = {
    "wants_more_contact": (
        "Ik wil meer contact met andere ouders",
        "I want more contact with other parents",
    ),
    "knows_activities": (
        "Ik weet wat er voor ouders wordt georganiseerd",
        "I know what is organised for parents",
    ),
    "knows_where_to_ask": (
        "Ik weet waar ik met een vraag terecht kan",
        "I know where to go with a question",
    ),
}
"""The resident survey's questions (seed 001) as residents read them; an unknown id is made
readable."""
SURVEYS: dict[str, Words] = {
    "start": ("Startmeting", "Baseline survey"),
    "end": ("Eindmeting", "Final survey"),
}


def words(table: dict[str, Words], key: str) -> Words:
    """The words for ``key``, or a readable form of the id when there are none."""
    return table.get(key, (readable(key), readable(key)))
