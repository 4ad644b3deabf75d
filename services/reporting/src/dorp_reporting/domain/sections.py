"""The sections of a report, in the order of seed 000's annual report: highlights first,
focus points for next year last. Each builder turns the period's data into figures with
small counts of people suppressed."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from dorp_reporting.domain.facts import KindArea, Membership, QuoteFact, ReportData
from dorp_reporting.domain.figures import Figure, count, suppress_table
from dorp_reporting.domain.period import Period, Window, bucket_label
from dorp_reporting.domain.prose import (
    MEETING_KINDS,
    QUOTES_PER_GROUP,
    choose_quotes,
    initiative_paragraph,
    meetings_paragraph,
)
from dorp_reporting.domain.report import (
    Chart,
    Entry,
    Figures,
    Row,
    Section,
    Series,
    Table,
    Text,
    key_figures_of,
)
from dorp_reporting.domain.words import (
    BUFFERS,
    CHANNELS,
    INITIATIVE_KINDS,
    INQUIRY_PHASES,
    LADDER_STEPS,
    ORGANISATION_TYPE_ONE,
    ORGANISATION_TYPES,
    SPEAKERS,
    SURVEY_QUESTIONS,
    SURVEYS,
    words,
)
from dorp_shared.regions import Region
from dorp_shared.vocabulary import (
    ROLE_ORDER,
    area_unit_words,
    kind_labels,
    language_name,
    role_words,
)

T = Text
TOTAL = T(nl="Totaal", en="Total")


class Context:
    """What every section builder needs: the region, the period and its data."""

    def __init__(
        self, region: Region, period: Period, data: ReportData, generated_at: datetime
    ) -> None:
        self.region = region
        self.period = period
        self.data = data
        self.generated_at = generated_at
        self.threshold = region.report_small_count_threshold
        self.window = period.window(region.time_zone)
        unit = area_unit_words(region.area_unit)
        self.unit = T(nl=unit[0], en=unit[1])

    def area(self, area_id: str) -> Text:
        name = self.region.area_name(area_id) if area_id else "?"
        return T(nl=name, en=name)


def build_sections(
    region: Region, period: Period, data: ReportData, generated_at: datetime
) -> list[Section]:
    ctx = Context(region, period, data, generated_at)
    builders: Sequence[Callable[[Context], Section]] = (
        highlights,
        key_figures,
        activities,
        coffee_dates,
        individual_meetings,
        help_and_matches,
        contact_ladder,
        organisations,
        engagement,
        dialogue,
        learning_communities,
        self_checks,
        quotes,
        messages,
        focus_points,
        about_figures,
    )
    return [build(ctx) for build in builders]


# --- editorial ------------------------------------------------------------------------


def highlights(ctx: Context) -> Section:
    editorial = ctx.data.editorial
    items = editorial.highlight_items() if editorial else []
    empty = T(nl="Er zijn (nog) geen hoogtepunten geschreven.", en="No highlights written (yet).")
    return Section(
        key="highlights",
        title=T(nl="Hoogtepunten", en="Highlights"),
        entries=tuple(Entry(text=item) for item in items),
        paragraphs=() if items else (empty,),
    )


def focus_points(ctx: Context) -> Section:
    editorial = ctx.data.editorial
    items = editorial.focus_items() if editorial else []
    empty = T(nl="Er zijn (nog) geen speerpunten geschreven.", en="No focus points written (yet).")
    return Section(
        key="focus_points",
        title=T(nl="Speerpunten voor het komende jaar", en="Focus points for the coming year"),
        entries=tuple(Entry(text=item) for item in items),
        paragraphs=() if items else (empty,),
    )


# --- key figures ----------------------------------------------------------------------


def key_figures(ctx: Context) -> Section:
    figures: Figures = key_figures_of(ctx.region, ctx.data)
    rows = [
        Row(key="members", label=T(nl="Nieuwe leden", en="New members"), cells=(figures.members,))
    ]
    rows += [
        Row(
            key=f"members_{line.role}",
            label=T(nl=f"— {line.nl}", en=f"— {line.en}"),
            cells=(line.members,),
        )
        for line in figures.members_by_role
    ]
    rows += [
        Row(
            key="requests", label=T(nl="Hulpvragen", en="Help requests"), cells=(figures.requests,)
        ),
        Row(key="offers", label=T(nl="Hulpaanbod", en="Help offers"), cells=(figures.offers,)),
        Row(
            key="matches",
            label=T(nl="Voorgestelde matches", en="Proposed matches"),
            cells=(figures.matches,),
        ),
        Row(
            key="notifications",
            label=T(nl="Verstuurde berichten", en="Messages sent"),
            cells=(figures.notifications_sent,),
        ),
    ]
    table = Table(
        key="kerncijfers",
        title=T(nl="Kerncijfers", en="Key figures"),
        label_header=T(nl="Cijfer", en="Figure"),
        columns=(T(nl="Aantal", en="Count"),),
        rows=tuple(rows),
    )
    return Section(key="key_figures", title=T(nl="Kerncijfers", en="Key figures"), tables=(table,))


# --- collective activities ------------------------------------------------------------


def activities(ctx: Context) -> Section:
    initiatives = [i for i in ctx.data.initiatives if i.sessions or i.attendance or i.sign_ups]
    title = T(nl="Collectieve activiteiten", en="Collective activities")
    if not initiatives:
        none = T(
            nl="In deze periode zijn geen bijeenkomsten vastgelegd.",
            en="No sessions were recorded in this period.",
        )
        return Section(key="activities", title=title, paragraphs=(none,))
    people_columns = [[i.attendance, i.unique_participants, i.sign_ups] for i in initiatives]
    hidden = suppress_table(people_columns, ctx.threshold, row_totals=False)
    rows = tuple(
        Row(
            key=i.initiative_id,
            label=T(
                nl=f"{i.name} ({words(INITIATIVE_KINDS, i.kind)[0]})",
                en=f"{i.name} ({words(INITIATIVE_KINDS, i.kind)[1]})",
            ),
            cells=(count(i.sessions), *hidden.cells[n]),
        )
        for n, i in enumerate(initiatives)
    )
    sessions = sum(i.sessions for i in initiatives)
    table = Table(
        key="activiteiten",
        title=T(nl="Bijeenkomsten per initiatief", en="Sessions per initiative"),
        label_header=T(nl="Initiatief", en="Initiative"),
        columns=(
            T(nl="Bijeenkomsten", en="Sessions"),
            T(nl="Aanwezigen (som)", en="Attendance (sum)"),
            T(nl="Unieke deelnemers", en="Unique participants"),
            T(nl="Aanmeldingen", en="Sign-ups"),
        ),
        rows=rows,
        totals=Row(key="total", label=TOTAL, cells=(count(sessions), *hidden.column_totals)),
    )
    chart = _bar_chart(
        "activiteiten",
        T(nl="Aanwezigen per initiatief", en="Attendance per initiative"),
        [row.label for row in rows],
        [row.cells[1] for row in rows],
    )
    intro = T(
        nl=f"{sessions} bijeenkomsten van {len(initiatives)} initiatieven.",
        en=f"{sessions} sessions of {len(initiatives)} initiatives.",
    )
    each = (initiative_paragraph(i, hidden.cells[n]) for n, i in enumerate(initiatives))
    return Section(
        key="activities",
        title=title,
        paragraphs=(intro, *each),
        tables=(table,),
        charts=(chart,),
    )


def coffee_dates(ctx: Context) -> Section:
    data = ctx.data.coffee_dates
    title = T(nl="Koffie- en theedates", en="Coffee and tea dates")
    places = sorted(data.dates, key=lambda p: (p == "school", p))
    if not places:
        none = T(
            nl="In deze periode zijn geen koffie- of theedates vastgelegd.",
            en="No coffee or tea dates were recorded in this period.",
        )
        return Section(key="coffee_dates", title=title, paragraphs=(none,))
    cells = [[data.dates[p], data.participants.get(p, 0)] for p in places]
    hidden = suppress_table(cells, ctx.threshold, row_totals=False)
    schools = T(nl="op scholen", en="at schools")
    rows = tuple(
        Row(key=p, label=schools if p == "school" else ctx.area(p), cells=tuple(hidden.cells[n]))
        for n, p in enumerate(places)
    )
    table = Table(
        key="koffiedates",
        title=title,
        label_header=T(nl="Waar", en="Where"),
        columns=(T(nl="Dates", en="Dates"), T(nl="Deelnemers", en="Participants")),
        rows=rows,
        totals=Row(key="total", label=TOTAL, cells=tuple(hidden.column_totals)),
    )
    return Section(key="coffee_dates", title=title, tables=(table,))


def individual_meetings(ctx: Context) -> Section:
    """One parent meeting another (a walk, a coffee, sharing experience): matches of those
    kinds, confirmed, and how many became a real contact."""
    help_ = ctx.data.help
    title = T(nl="Individuele ontmoetingen en wandelingen", en="Individual meetings and walks")
    seen = {kind for kind, _ in help_.confirmed if kind in MEETING_KINDS}
    kinds = [kind for kind in MEETING_KINDS if kind in seen]
    if not kinds:
        none = T(
            nl="In deze periode zijn geen individuele ontmoetingen of wandelingen vastgelegd.",
            en="No individual meetings or walks were recorded in this period.",
        )
        return Section(key="individual_meetings", title=title, paragraphs=(none,))
    ledgers = (help_.confirmed, help_.became_contact)
    cells = [[sum(n for (k, _), n in ledger.items() if k == kind) for ledger in ledgers]
             for kind in kinds]  # fmt: skip
    hidden = suppress_table(cells, ctx.threshold, row_totals=False)
    table = Table(
        key="ontmoetingen",
        title=title,
        label_header=T(nl="Soort ontmoeting", en="Kind of meeting"),
        columns=(T(nl="Ontmoetingen", en="Meetings"), T(nl="Echt contact", en="Real contact")),
        rows=tuple(
            Row(key=k, label=T(nl=kind_labels(k)[0], en=kind_labels(k)[1]), cells=tuple(c))
            for k, c in zip(kinds, hidden.cells, strict=True)
        ),
        totals=Row(key="total", label=TOTAL, cells=tuple(hidden.column_totals)),
    )
    meetings, contacts = hidden.column_totals
    intro = meetings_paragraph(ctx.region.programme.name, meetings, contacts)
    return Section(key="individual_meetings", title=title, paragraphs=(intro,), tables=(table,))


# --- help, matches and the contact ladder ---------------------------------------------

HELP_COLUMNS = (
    T(nl="Hulpvragen", en="Requests"),
    T(nl="Hulpaanbod", en="Offers"),
    T(nl="Voorgesteld", en="Proposed"),
    T(nl="Bevestigd", en="Confirmed"),
    T(nl="Echt contact", en="Real contact"),
)


def help_and_matches(ctx: Context) -> Section:
    help_ = ctx.data.help
    ledgers = (help_.requests, help_.offers, help_.proposed, help_.confirmed, help_.became_contact)
    seen = {key for ledger in ledgers for key in ledger}
    kinds = _known_then_seen(ctx.region.help_kinds, (k for k, _ in seen))
    areas = _known_then_seen((a.id for a in ctx.region.areas), (a for _, a in seen))
    by_kind = _help_table(
        ctx, "hulp_per_soort", T(nl="Per soort hulp", en="By kind of help"),
        T(nl="Soort hulp", en="Kind of help"), kinds, 0, ledgers,
        lambda k: T(nl=kind_labels(k)[0], en=kind_labels(k)[1]),
    )  # fmt: skip
    by_area = _help_table(
        ctx, "hulp_per_gebied", T(nl=f"Per {ctx.unit.nl}", en=f"By {ctx.unit.en}"),
        T(nl=ctx.unit.nl.capitalize(), en=ctx.unit.en.capitalize()), areas, 1, ledgers, ctx.area,
    )  # fmt: skip
    totals = by_kind.totals.cells if by_kind.totals else ()
    paragraphs = []
    if len(totals) == len(HELP_COLUMNS):
        paragraphs.append(
            T(
                nl=f"Van de {totals[3].display} bevestigde matches werden er {totals[4].display} "
                "een echt contact.",
                en=f"Of the {totals[3].display} confirmed matches, {totals[4].display} became "
                "a real contact.",
            )
        )
    return Section(
        key="help",
        title=T(nl="Vraag, aanbod en matches", en="Requests, offers and matches"),
        paragraphs=tuple(paragraphs),
        tables=(by_kind, by_area),
    )


def _help_table(
    ctx: Context,
    key: str,
    title: Text,
    header: Text,
    keys: list[str],
    position: int,
    ledgers: Sequence[Mapping[KindArea, int]],
    label: Callable[[str], Text],
) -> Table:
    sums = [_sum_by(ledger, position) for ledger in ledgers]
    keys = [k for k in keys if any(s[k] for s in sums)]
    cells = [[s[k] for s in sums] for k in keys] or [[0] * len(ledgers)]
    hidden = suppress_table(cells, ctx.threshold, row_totals=False)
    rows = tuple(
        Row(key=k, label=label(k), cells=tuple(hidden.cells[n])) for n, k in enumerate(keys)
    )
    return Table(
        key=key,
        title=title,
        label_header=header,
        columns=HELP_COLUMNS,
        rows=rows,
        totals=Row(key="total", label=TOTAL, cells=tuple(hidden.column_totals)),
    )


def _sum_by(ledger: Mapping[KindArea, int], position: int) -> Counter[str]:
    sums: Counter[str] = Counter()
    for key, value in ledger.items():
        sums[key[position]] += value
    return sums


def contact_ladder(ctx: Context) -> Section:
    reached = highest_steps(ctx.region.contact_ladder, ctx.data.ladder_feedback)
    steps = _known_then_seen(ctx.region.contact_ladder, reached)
    title = T(nl="Stappen op de contactladder", en="Steps on the contact ladder")
    if not reached:
        none = T(
            nl="Nog geen terugmeldingen over matches in deze periode.",
            en="No feedback on matches in this period yet.",
        )
        return Section(key="contact_ladder", title=title, paragraphs=(none,))
    hidden = suppress_table([[reached.get(s, 0)] for s in steps], ctx.threshold, row_totals=False)
    labels = [T(nl=words(LADDER_STEPS, s)[0], en=words(LADDER_STEPS, s)[1]) for s in steps]
    table = Table(
        key="contactladder",
        title=title,
        label_header=T(nl="Hoogste stap", en="Highest step"),
        columns=(T(nl="Matches", en="Matches"),),
        rows=tuple(
            Row(key=s, label=labels[n], cells=(hidden.cells[n][0],)) for n, s in enumerate(steps)
        ),
        totals=Row(key="total", label=TOTAL, cells=(hidden.column_totals[0],)),
    )
    chart = _bar_chart("contactladder", title, labels, [row[0] for row in hidden.cells])
    intro = T(
        nl="Hoe ver kwamen gematchte mensen? Per match telt de hoogste stap die een van "
        "beiden noemde.",
        en="How far did matched people get? Each match counts with the highest step either "
        "side named.",
    )
    return Section(
        key="contact_ladder", title=title, paragraphs=(intro,), tables=(table,), charts=(chart,)
    )


def highest_steps(ladder: Sequence[str], feedback: Iterable[Sequence[str]]) -> Counter[str]:
    """Per match the highest step either side named, in the ladder's order (steps the
    ladder does not know rank below it)."""
    order = {step: n for n, step in enumerate(ladder)}
    return Counter(max(steps, key=lambda s: order.get(s, -1)) for steps in feedback if steps)


# --- organisations ---------------------------------------------------------------------


def organisations(ctx: Context) -> Section:
    orgs = ctx.data.organisations
    types = _known_then_seen(ORGANISATION_TYPES, [*orgs.partners, *orgs.others])
    types = [t for t in types if orgs.partners.get(t) or orgs.others.get(t)]
    title = T(nl="Partnerorganisaties", en="Partner organisations")
    partners = sum(orgs.partners.values())
    counted = [(n, _organisations_of(t, n)) for t in types if (n := orgs.partners.get(t, 0))]
    phrase_nl = _enumerate_nl([f"{n} {w[0]}" for n, w in counted if n])
    phrase_en = _enumerate_en([f"{n} {w[1]}" for n, w in counted if n])
    sentence = (
        T(
            nl=f"{ctx.region.programme.name} werkt met {phrase_nl}.",
            en=f"{ctx.region.programme.name} works with {phrase_en}.",
        )
        if partners
        else T(
            nl="Er zijn (nog) geen partnerorganisaties vastgelegd.",
            en="No partner organisations recorded (yet).",
        )
    )
    rows = tuple(
        Row(
            key=t,
            label=T(nl=words(ORGANISATION_TYPES, t)[0], en=words(ORGANISATION_TYPES, t)[1]),
            cells=(count(orgs.partners.get(t, 0)), count(orgs.others.get(t, 0))),
            total=count(orgs.partners.get(t, 0) + orgs.others.get(t, 0)),
        )
        for t in types
    )
    table = Table(
        key="organisaties",
        title=T(nl="Organisaties per soort", en="Organisations by type"),
        label_header=T(nl="Soort", en="Type"),
        columns=(T(nl="Partners", en="Partners"), T(nl="Overige", en="Others")),
        rows=rows,
        total_header=TOTAL,
        totals=Row(
            key="total",
            label=TOTAL,
            cells=(count(partners), count(sum(orgs.others.values()))),
            total=count(partners + sum(orgs.others.values())),
        ),
    )
    return Section(
        key="organisations", title=title, paragraphs=(sentence,), tables=(table,) if rows else ()
    )


def _organisations_of(type_: str, n: int) -> tuple[str, str]:
    return words(ORGANISATION_TYPE_ONE if n == 1 else ORGANISATION_TYPES, type_)


# --- volunteer engagement over time ---------------------------------------------------------


ENGAGEMENT_COLUMNS = {
    "at_start": T(nl="Aan het begin", en="At the start"),
    "joined": T(nl="Erbij gekomen", en="Joined"),
    "left": T(nl="Gestopt", en="Left"),
    "stayed": T(nl="Gebleven (van begin)", en="Stayed (of start)"),
    "active": T(nl="Actief in periode", en="Active in period"),
}


def engagement(ctx: Context) -> Section:
    """Per role: at the start, joined, left, stayed, active. "At the end" is not a column:
    it is start + joined - left, and would give a hidden one of those away; the chart
    shows it only for roles whose row hides nothing."""
    title = T(nl="Betrokkenheid door de tijd", en="Engagement over time")
    roles = _known_then_seen(ROLE_ORDER, (m.role for m in ctx.data.memberships))
    start, end = _bounds(ctx)
    columns = [
        c for c in ENGAGEMENT_COLUMNS if start is not None or c not in ("at_start", "stayed")
    ]
    counts = []
    for role in roles:
        stay = _stay(ctx.data.memberships, role, start, end)
        stay["active"] = ctx.data.active_members.get(role, 0)
        counts.append([stay[c] for c in columns])
    hidden = suppress_table(counts, ctx.threshold, row_totals=False)
    table = Table(
        key="betrokkenheid",
        title=T(
            nl="Leden per rol: wie blijft, wie stopt", en="Members by role: who stays, who leaves"
        ),
        label_header=T(nl="Rol", en="Role"),
        columns=tuple(ENGAGEMENT_COLUMNS[c] for c in columns),
        rows=tuple(
            Row(
                key=r,
                label=T(nl=role_words(r)[0], en=role_words(r)[1]),
                cells=tuple(hidden.cells[n]),
            )
            for n, r in enumerate(roles)
        ),
        totals=Row(key="total", label=TOTAL, cells=tuple(hidden.column_totals)),
    )
    charted = [r for n, r in enumerate(roles) if not any(f.suppressed for f in hidden.cells[n])]
    intro = T(
        nl="Actief: deed in de periode een aanbod, werd gematcht als helper of kwam naar een "
        "bijeenkomst.",
        en="Active: made an offer, was matched as a helper or came to a session in the period.",
    )
    charts = (_membership_chart(ctx, charted),) if charted else ()
    return Section(
        key="engagement", title=title, paragraphs=(intro,), tables=(table,), charts=charts
    )


def _bounds(ctx: Context) -> tuple[datetime | None, datetime]:
    if ctx.window is None:
        return None, ctx.generated_at
    return ctx.window.start, ctx.window.end


def _stay(
    memberships: Iterable[Membership], role: str, start: datetime | None, end: datetime
) -> dict[str, int]:
    """At start, joined, left, stayed (of those at the start) and at the end."""
    counts = dict.fromkeys(("at_start", "joined", "left", "stayed", "at_end"), 0)
    for m in memberships:
        if m.role != role:
            continue
        gone_by = m.left_at
        at_start = (
            start is not None and m.registered_at < start and (gone_by is None or gone_by >= start)
        )
        at_end = m.registered_at < end and (gone_by is None or gone_by >= end)
        counts["at_start"] += at_start
        counts["at_end"] += at_end
        counts["stayed"] += at_start and at_end
        counts["joined"] += (start is None or m.registered_at >= start) and m.registered_at < end
        counts["left"] += (
            gone_by is not None and (start is None or gone_by >= start) and gone_by < end
        )
    return counts


class _Headcount:
    """How many of ``memberships`` are members at a moment (joined before it, not left by
    then), from two sorted lists: a chart step costs two bisections, not a pass over every
    member (a large region has tens of thousands)."""

    def __init__(self, memberships: Iterable[Membership]) -> None:
        stays = list(memberships)
        self.joined = sorted(m.registered_at for m in stays)
        self.left = sorted(max(m.left_at, m.registered_at) for m in stays if m.left_at)

    def at(self, moment: datetime) -> int:
        return bisect_left(self.joined, moment) - bisect_left(self.left, moment)


def _membership_chart(ctx: Context, roles: Sequence[str]) -> Chart:
    buckets = _buckets(ctx)
    series = []
    for role in roles:
        headcount = _Headcount(m for m in ctx.data.memberships if m.role == role)
        values: list[float | None] = []
        for window in buckets:
            members = headcount.at(window.end)
            values.append(float(members) if members >= ctx.threshold else None)
        series.append(
            Series(name=T(nl=role_words(role)[0], en=role_words(role)[1]), values=tuple(values))
        )
    return Chart(
        key="leden_door_de_tijd",
        title=T(nl="Leden aan het eind van elke periode", en="Members at the end of each step"),
        kind="line",
        labels=tuple(bucket_label(w, ctx.period, ctx.region.time_zone) for w in buckets),
        series=tuple(series),
    )


def _buckets(ctx: Context) -> list[Window]:
    zone = ZoneInfo(ctx.region.time_zone)
    last = ctx.generated_at.astimezone(zone).year
    years = [m.registered_at.astimezone(zone).year for m in ctx.data.memberships]
    return ctx.period.buckets(ctx.region.time_zone, min(years, default=last), last)


# --- dialogue tables --------------------------------------------------------------------------


def dialogue(ctx: Context) -> Section:
    data = ctx.data
    title = T(nl="Dialoogtafels en besluiten", en="Dialogue tables and decisions")
    intro = T(
        nl=f"{data.parent_groups} oudergroepen, {data.dialogue_tables} dialoogtafels, "
        f"{len(data.decisions)} besluiten.",
        en=f"{data.parent_groups} parent groups, {data.dialogue_tables} dialogue tables, "
        f"{len(data.decisions)} decisions.",
    )
    entries = []
    for decision in data.decisions:
        votes = [
            _vote(ctx, n)
            for n in (decision.votes_for, decision.votes_against, decision.votes_abstain)
        ]
        place = ctx.area(decision.home_area)
        adopted = (
            T(nl="Aangenomen", en="Adopted")
            if decision.adopted
            else T(nl="Niet aangenomen", en="Not adopted")
        )
        notes = [
            T(
                nl=f"{adopted.nl} op {decision.held_on:%d-%m-%Y} ({place.nl}); stemmen voor "
                f"{votes[0]}, tegen {votes[1]}, onthouding {votes[2]}.",
                en=f"{adopted.en} on {decision.held_on:%Y-%m-%d} ({place.en}); votes for "
                f"{votes[0]}, against {votes[1]}, abstained {votes[2]}.",
            )
        ]
        if decision.minority_view:
            notes.append(
                T(
                    nl=f"Stem van de minderheid: {decision.minority_view}",
                    en=f"The minority's view: {decision.minority_view}",
                )
            )
        if decision.taken_up_by:
            notes.append(
                T(
                    nl=f"Opgepakt door {decision.taken_up_by} organisatie(s).",
                    en=f"Taken up by {decision.taken_up_by} organisation(s).",
                )
            )
        entries.append(Entry(text=decision.majority_view, notes=tuple(notes)))
    return Section(key="dialogue", title=title, paragraphs=(intro,), entries=tuple(entries))


def _vote(ctx: Context, votes: int) -> str:
    return str(votes) if votes >= ctx.threshold else f"<{ctx.threshold}"


# --- learning communities and the resident survey (seeds 001, 002) ---------------------------


def learning_communities(ctx: Context) -> Section:
    """Per area a core theme and the phase of appreciative inquiry, led by a parent, a
    professional and a researcher; and what residents answered in the survey. The themes
    are entries (text stays in the region); counts of people are suppressed."""
    title = T(nl="Leergemeenschappen en bewonersenquête", en="Learning communities and survey")
    communities, survey = ctx.data.communities, ctx.data.survey
    if not communities and not survey.by_area:
        none = T(
            nl="Er zijn (nog) geen leergemeenschappen of enquêteantwoorden vastgelegd.",
            en="No learning communities or survey responses recorded (yet).",
        )
        return Section(key="learning_communities", title=title, paragraphs=(none,))
    paragraphs = []
    if communities:
        paragraphs.append(
            T(
                nl=f"{len(communities)} leergemeenschappen: per {ctx.unit.nl} werken een "
                "ouder, een professional en een onderzoeker samen aan een kernthema, in de "
                "fasen van waarderend onderzoeken (definiëren, ontdekken, dromen, ontwerpen, "
                "doen, delen).",
                en=f"{len(communities)} learning communities: per {ctx.unit.en} a parent, a "
                "professional and a researcher work on a core theme, through the phases of "
                "appreciative inquiry (define, discover, dream, design, destiny, dissemination).",
            )
        )
    tables = [_communities_table(ctx)] if communities else []
    if survey.by_area:
        respondents = suppress_table(
            [[n] for n in survey.by_area.values()], ctx.threshold, row_totals=False
        ).column_totals[0]
        paragraphs.append(
            T(
                nl=f"Bewonersenquête: {respondents.display} antwoorden in deze periode; "
                f"gemiddelden alleen bij ten minste {ctx.threshold} antwoorden (1 = helemaal "
                "niet, 5 = helemaal wel).",
                en=f"Resident survey: {respondents.display} responses in this period; means "
                f"only from {ctx.threshold} answers on (1 = not at all, 5 = very much).",
            )
        )
        tables += _survey_tables(ctx)
    entries = tuple(
        Entry(
            text=c.core_theme,
            notes=(
                ctx.area(c.home_area),
                T(nl=f"fase: {_phase(c.phase)[0]}", en=f"phase: {_phase(c.phase)[1]}"),
            ),
        )
        for c in communities
    )
    return Section(
        key="learning_communities",
        title=title,
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
        entries=entries,
    )


def _phase(phase: str) -> tuple[str, str]:
    step = list(INQUIRY_PHASES).index(phase) + 1 if phase in INQUIRY_PHASES else 0
    nl, en = words(INQUIRY_PHASES, phase)
    total = len(INQUIRY_PHASES)
    return (f"{nl} ({step} van {total})", f"{en} ({step} of {total})") if step else (nl, en)


def _communities_table(ctx: Context) -> Table:
    communities = ctx.data.communities
    leads = suppress_table(
        [[c.leads] for c in communities], ctx.threshold, row_totals=False, column_totals=False
    )
    order = list(INQUIRY_PHASES)
    return Table(
        key="leergemeenschappen",
        title=T(nl="Leergemeenschappen", en="Learning communities"),
        label_header=T(nl=ctx.unit.nl.capitalize(), en=ctx.unit.en.capitalize()),
        columns=(
            T(nl=f"Fase (1–{len(order)})", en=f"Phase (1–{len(order)})"),
            T(nl="Trekkers", en="Leads"),
        ),
        rows=tuple(
            Row(
                key=c.home_area,
                label=ctx.area(c.home_area),
                cells=(
                    count(order.index(c.phase) + 1 if c.phase in order else 0),
                    leads.cells[n][0],
                ),
            )
            for n, c in enumerate(communities)
        ),
    )


def _survey_tables(ctx: Context) -> list[Table]:
    survey = ctx.data.survey
    areas = _known_then_seen((a.id for a in ctx.region.areas), survey.by_area)
    areas = [a for a in areas if survey.by_area.get(a)]
    by_area = suppress_table([[survey.by_area[a]] for a in areas], ctx.threshold, row_totals=False)
    answers = suppress_table(
        [[q.answers] for q in survey.questions],
        ctx.threshold,
        row_totals=False,
        column_totals=False,
    )
    several = len({q.survey_id for q in survey.questions}) > 1
    responses = T(nl="Antwoorden", en="Responses")
    return [
        Table(
            key="enquete_per_gebied",
            title=T(nl=f"Enquête per {ctx.unit.nl}", en=f"Survey by {ctx.unit.en}"),
            label_header=T(nl=ctx.unit.nl.capitalize(), en=ctx.unit.en.capitalize()),
            columns=(responses,),
            rows=tuple(
                Row(key=a, label=ctx.area(a), cells=(by_area.cells[n][0],))
                for n, a in enumerate(areas)
            ),
            totals=Row(key="total", label=TOTAL, cells=(by_area.column_totals[0],)),
        ),
        Table(
            key="enquete_per_vraag",
            title=T(nl="Enquête per vraag", en="Survey by question"),
            label_header=T(nl="Vraag", en="Question"),
            columns=(responses, T(nl="Gemiddelde (1–5)", en="Mean (1–5)")),
            rows=tuple(
                Row(
                    key=f"{q.survey_id}:{q.question}",
                    label=_question(q.survey_id, q.question, several),
                    cells=(
                        answers.cells[n][0],
                        Figure.average(q.mean if q.answers >= ctx.threshold else None),
                    ),
                )
                for n, q in enumerate(survey.questions)
            ),
        ),
    ]


def _question(survey_id: str, question: str, with_survey: bool) -> Text:
    """The question as residents read it (an unknown id made readable), with its survey's
    name when the period has answers to several surveys."""
    nl, en = (w[:1].upper() + w[1:] for w in words(SURVEY_QUESTIONS, question))
    if not with_survey:
        return T(nl=nl, en=en)
    survey_nl, survey_en = words(SURVEYS, survey_id)
    return T(nl=f"{survey_nl}: {nl}", en=f"{survey_en}: {en}")


# --- four-buffer self-checks ------------------------------------------------------------------


def self_checks(ctx: Context) -> Section:
    title = T(nl="Zelfcheck: de vier buffers", en="Self-check: the four buffers")
    buckets = ctx.data.self_checks
    if not buckets:
        none = T(
            nl="In deze periode zijn geen zelfchecks ingevuld.", en="No self-checks in this period."
        )
        return Section(key="self_checks", title=title, paragraphs=(none,))
    enough = [b.checks >= ctx.threshold for b in buckets]
    hidden = suppress_table(
        [[b.checks] for b in buckets], ctx.threshold, row_totals=False, column_totals=False
    )
    rows = tuple(
        Row(
            key=b.label,
            label=T(nl=b.label, en=b.label),
            cells=(
                hidden.cells[n][0],
                *(Figure.average(getattr(b, buffer) if enough[n] else None) for buffer in BUFFERS),
            ),
        )
        for n, b in enumerate(buckets)
    )
    table = Table(
        key="zelfcheck",
        title=T(nl="Gemiddelde score per buffer (1–5)", en="Average score per buffer (1–5)"),
        label_header=T(nl="Periode", en="Period"),
        columns=(
            T(nl="Zelfchecks", en="Self-checks"),
            *(T(nl=w[0], en=w[1]) for w in BUFFERS.values()),
        ),
        rows=rows,
    )
    chart = Chart(
        key="zelfcheck",
        title=T(nl="Trend van de vier buffers", en="Trend of the four buffers"),
        kind="line",
        labels=tuple(b.label for b in buckets),
        series=tuple(
            Series(
                name=T(nl=w[0], en=w[1]),
                values=tuple(getattr(b, key) if enough[n] else None for n, b in enumerate(buckets)),
            )
            for key, w in BUFFERS.items()
        ),
        y_max=5.0,
    )
    intro = T(
        nl=f"Gemiddelden staan er alleen bij als ten minste {ctx.threshold} zelfchecks zijn "
        "ingevuld.",
        en=f"Averages are shown only when at least {ctx.threshold} self-checks were made.",
    )
    return Section(
        key="self_checks", title=title, paragraphs=(intro,), tables=(table,), charts=(chart,)
    )


# --- quotes and messages --------------------------------------------------------------------------


def quotes(ctx: Context) -> Section:
    title = T(nl="Wat deelnemers zeggen", en="What participants say")
    chosen = choose_quotes(ctx.data.quotes)
    entries = tuple(Entry(text=q.text, notes=tuple(_quote_notes(q))) for q in chosen)
    note = T(
        nl="Alleen uitspraken die zonder naam gedeeld mogen worden, met toestemming.",
        en="Only quotes that may be shared without a name, with consent.",
    )
    if len(chosen) < len(ctx.data.quotes):
        note = T(
            nl=f"Een keuze van {len(chosen)} uit {len(ctx.data.quotes)} uitspraken (ten "
            f"hoogste {QUOTES_PER_GROUP} per initiatief). {note.nl}",
            en=f"A choice of {len(chosen)} of {len(ctx.data.quotes)} quotes (at most "
            f"{QUOTES_PER_GROUP} per initiative). {note.en}",
        )
    none = T(nl="Geen uitspraken in deze periode.", en="No quotes in this period.")
    return Section(
        key="quotes", title=title, paragraphs=(note if entries else none,), entries=entries
    )


def _quote_notes(quote: QuoteFact) -> list[Text]:
    notes = []
    if quote.role:
        speaker = words(SPEAKERS, quote.role)
        notes.append(T(nl=f"— {speaker[0]}", en=f"— {speaker[1]}"))
    notes.append(T(nl=language_name(quote.language, "nl"), en=language_name(quote.language, "en")))
    if quote.initiative:
        notes.append(T(nl=quote.initiative, en=quote.initiative))
    return notes


def messages(ctx: Context) -> Section:
    sent = ctx.data.notifications
    rows = tuple(
        Row(key=c, label=T(nl=words(CHANNELS, c)[0], en=words(CHANNELS, c)[1]), cells=(count(n),))
        for c, n in sorted(sent.items())
    )
    table = Table(
        key="berichten",
        title=T(nl="Verstuurde berichten per kanaal", en="Messages sent by channel"),
        label_header=T(nl="Kanaal", en="Channel"),
        columns=(T(nl="Berichten", en="Messages"),),
        rows=rows,
        totals=Row(key="total", label=TOTAL, cells=(count(sum(sent.values())),)),
    )
    return Section(key="messages", title=T(nl="Berichten", en="Messages"), tables=(table,))


def about_figures(ctx: Context) -> Section:
    t = ctx.threshold
    return Section(
        key="about",
        title=T(nl="Over deze cijfers", en="About these figures"),
        paragraphs=(
            T(
                nl=f'Aantallen personen kleiner dan {t} staan er als "<{t}". Waar een verborgen '
                "aantal uit totalen terug te rekenen zou zijn, is ook een ander aantal verborgen "
                '(als "x"). Aantallen organisaties, bijeenkomsten en berichten zijn geen personen '
                "en staan er zoals ze zijn. Er staan geen namen in dit verslag.",
                en=f'Counts of people below {t} are shown as "<{t}". Where a hidden count could '
                'be worked out from totals, another count is hidden too (as "x"). Counts of '
                "organisations, sessions and messages are not people and are shown as they "
                "are. This report holds no names.",
            ),
        ),
    )


# --- helpers ----------------------------------------------------------------------------------


def _bar_chart(key: str, title: Text, labels: Sequence[Text], figures: Sequence[Figure]) -> Chart:
    return Chart(
        key=key,
        title=title,
        kind="bar",
        labels=tuple(label.nl for label in labels),
        series=(
            Series(
                name=title,
                values=tuple(None if f.value is None else float(f.value) for f in figures),
            ),
        ),
    )


def _known_then_seen(known: Iterable[str], seen: Iterable[str]) -> list[str]:
    """The region's own order first; ids only seen in events after it, sorted."""
    ordered = list(dict.fromkeys(known))
    return ordered + sorted(set(seen) - set(ordered))


def _enumerate_nl(items: list[str]) -> str:
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def _enumerate_en(items: list[str]) -> str:
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
