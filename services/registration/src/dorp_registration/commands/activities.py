"""Initiatives and their sessions: schedule, cancel, sign up (with a waiting list when full)
and record attendance."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Annotated, Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dorp_registration.commands import checks
from dorp_registration.commands.members import require_member
from dorp_registration.domain.activities import (
    Attendance,
    Initiative,
    Placement,
    Session,
    SignUp,
    SignUpStatus,
    attendance_errors,
)
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_registration.ports.activities import SessionFilter, SessionRecord
from dorp_shared.commands import (
    CONFLICT,
    INVALID_FIELDS,
    Command,
    CommandContext,
    CommandInput,
    CommandRejected,
    invalid,
    not_found,
)
from dorp_shared.contracts.events import (
    AgeBand,
    AttendanceRecorded,
    InitiativeKind,
    SessionCancelled,
    SignedUp,
    SignUpCancelled,
    WaitlistPromoted,
)
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "activities"
Theme = Annotated[str, Field(min_length=1, max_length=60)]
T = TypeVar("T")


# --- input ------------------------------------------------------------------------------


class RegisterInitiative(CommandInput):
    name: str = Field(min_length=1, max_length=120)
    kind: InitiativeKind
    home_area: str | None = Field(default=None, description="kern, wijk or district id")
    organisation_ids: tuple[uuid.UUID, ...] = Field(
        default=(), max_length=20, description="registered organisations running it"
    )
    themes: tuple[Theme, ...] = Field(default=(), max_length=10)
    age_bands: tuple[AgeBand, ...] = ()
    languages: tuple[str, ...] = Field(default=(), max_length=10)
    description: str = Field(default="", max_length=2000)


class UpdateInitiative(CommandInput):
    """Change what is given; what is left out stays as it is."""

    initiative_id: uuid.UUID
    name: str | None = Field(default=None, min_length=1, max_length=120)
    kind: InitiativeKind | None = None
    home_area: str | None = None
    organisation_ids: tuple[uuid.UUID, ...] | None = Field(default=None, max_length=20)
    themes: tuple[Theme, ...] | None = Field(default=None, max_length=10)
    age_bands: tuple[AgeBand, ...] | None = None
    languages: tuple[str, ...] | None = Field(default=None, max_length=10)
    description: str | None = Field(default=None, max_length=2000)


class InitiativeRef(CommandInput):
    initiative_id: uuid.UUID


class ListInitiatives(CommandInput):
    kind: InitiativeKind | None = None
    home_area: str | None = None
    limit: int = Field(default=100, ge=1, le=500)


class ScheduleSession(CommandInput):
    initiative_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = Field(min_length=1, max_length=200)
    home_area: str | None = Field(
        default=None, description="default: the initiative's; required if it has none"
    )
    theme: str | None = Field(default=None, min_length=1, max_length=60)
    capacity: int | None = Field(
        default=None, ge=1, le=10_000, description="places; null: an open event, no sign-up"
    )
    child_friendly: bool = False
    languages: tuple[str, ...] | None = Field(
        default=None, max_length=10, description="default: the initiative's"
    )
    age_bands: tuple[AgeBand, ...] | None = Field(
        default=None, description="default: the initiative's"
    )


class CancelSession(CommandInput):
    session_id: uuid.UUID
    reason: str = Field(default="", max_length=500)


class SessionRef(CommandInput):
    session_id: uuid.UUID


class ListSessions(CommandInput):
    initiative_id: uuid.UUID | None = None
    home_area: str | None = None
    theme: str | None = Field(default=None, max_length=60)
    starts_from: AwareDatetime | None = Field(default=None, description="default: now")
    starts_before: AwareDatetime | None = None
    include_cancelled: bool = False
    limit: int = Field(default=100, ge=1, le=500)


class SignUpRef(CommandInput):
    session_id: uuid.UUID
    member_id: uuid.UUID


class RecordAttendance(CommandInput):
    session_id: uuid.UUID
    headcount: int = Field(ge=0, le=100_000, description="everyone present, members or not")
    member_ids: tuple[uuid.UUID, ...] = Field(
        default=(), max_length=1000, description="signed-up members (confirmed) who came"
    )


# --- output -----------------------------------------------------------------------------


class InitiativeView(BaseModel):
    model_config = ConfigDict(frozen=True)

    initiative_id: uuid.UUID
    name: str
    kind: InitiativeKind
    home_area: str | None
    organisation_ids: tuple[uuid.UUID, ...]
    themes: tuple[str, ...]
    age_bands: tuple[AgeBand, ...]
    languages: tuple[str, ...]
    description: str
    registered_at: AwareDatetime
    updated_at: AwareDatetime


class InitiativeList(BaseModel):
    model_config = ConfigDict(frozen=True)

    initiatives: tuple[InitiativeView, ...]


class AttendanceView(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_id: uuid.UUID
    headcount: int
    member_ids: tuple[uuid.UUID, ...]
    recorded_by: str
    recorded_at: AwareDatetime


class SessionView(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_id: uuid.UUID
    initiative_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str
    home_area: str
    theme: str | None
    capacity: int | None = Field(description="null: an open event, no sign-up")
    child_friendly: bool
    languages: tuple[str, ...]
    age_bands: tuple[AgeBand, ...]
    cancelled: bool
    cancel_reason: str
    confirmed: int
    waiting: int = Field(description="length of the waiting list")
    places_left: int | None = Field(description="null for an open event")
    attendance: AttendanceView | None


class SessionList(BaseModel):
    model_config = ConfigDict(frozen=True)

    sessions: tuple[SessionView, ...]


class SignUpView(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_id: uuid.UUID
    member_id: uuid.UUID
    status: SignUpStatus
    waitlist_position: int | None = Field(description="1 is next in line; null unless waiting")
    signed_up_at: AwareDatetime


# --- region rules -----------------------------------------------------------------------


def check_initiative(
    item: RegisterInitiative | UpdateInitiative, region: Region
) -> list[FieldError]:
    return [
        *checks.area("home_area", item.home_area, region),
        *checks.languages("languages", item.languages or (), region),
    ]


def check_initiative_filter(item: ListInitiatives, region: Region) -> list[FieldError]:
    return checks.area("home_area", item.home_area, region)


def check_session(item: ScheduleSession, region: Region) -> list[FieldError]:
    order = []
    if item.ends_at <= item.starts_at:
        order = [FieldError(field="ends_at", message="must be after starts_at")]
    return [
        *checks.area("home_area", item.home_area, region),
        *checks.languages("languages", item.languages or (), region),
        *order,
    ]


def check_session_filter(item: ListSessions, region: Region) -> list[FieldError]:
    return checks.area("home_area", item.home_area, region)


# --- initiatives ------------------------------------------------------------------------


async def register_initiative(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RegisterInitiative
) -> InitiativeView:
    await _require_organisations(uow, item.organisation_ids)
    initiative = Initiative(
        initiative_id=uuid.uuid4(),
        name=item.name,
        kind=item.kind,
        home_area=item.home_area,
        organisation_ids=_unique(item.organisation_ids),
        themes=_unique(item.themes),
        age_bands=_unique(item.age_bands),
        languages=_unique(item.languages),
        description=item.description,
        registered_at=ctx.now,
        updated_at=ctx.now,
    )
    await uow.activities.add_initiative(initiative)
    await uow.emit(initiative.event())
    return initiative_view(initiative)


async def update_initiative(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: UpdateInitiative
) -> InitiativeView:
    """Publishes the whole initiative again, only when something changed."""
    initiative = await _existing_initiative(uow, item.initiative_id)
    await _require_organisations(uow, item.organisation_ids or ())
    changed = replace(
        initiative,
        name=_given_or(item.name, initiative.name),
        kind=_given_or(item.kind, initiative.kind),
        home_area=_given_or(item.home_area, initiative.home_area),
        organisation_ids=_unique(_given_or(item.organisation_ids, initiative.organisation_ids)),
        themes=_unique(_given_or(item.themes, initiative.themes)),
        age_bands=_unique(_given_or(item.age_bands, initiative.age_bands)),
        languages=_unique(_given_or(item.languages, initiative.languages)),
        description=_given_or(item.description, initiative.description),
    )
    if changed.same_as(initiative):
        return initiative_view(initiative)
    changed = replace(changed, updated_at=ctx.now)
    await uow.activities.save_initiative(changed)
    await uow.emit(changed.event())
    return initiative_view(changed)


async def get_initiative(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: InitiativeRef
) -> InitiativeView:
    return initiative_view(await _existing_initiative(uow, item.initiative_id))


async def list_initiatives(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: ListInitiatives
) -> InitiativeList:
    found = await uow.activities.list_initiatives(
        kind=item.kind, home_area=item.home_area, limit=item.limit
    )
    return InitiativeList(initiatives=tuple(initiative_view(i) for i in found))


def initiative_view(initiative: Initiative) -> InitiativeView:
    return InitiativeView(
        initiative_id=initiative.initiative_id,
        name=initiative.name,
        kind=initiative.kind,
        home_area=initiative.home_area,
        organisation_ids=initiative.organisation_ids,
        themes=initiative.themes,
        age_bands=initiative.age_bands,
        languages=initiative.languages,
        description=initiative.description,
        registered_at=initiative.registered_at,
        updated_at=initiative.updated_at,
    )


async def _existing_initiative(uow: RegistrationUnitOfWork, initiative_id: uuid.UUID) -> Initiative:
    initiative = await uow.activities.get_initiative(initiative_id)
    if initiative is None:
        raise not_found("initiative", initiative_id)
    return initiative


async def _require_organisations(
    uow: RegistrationUnitOfWork, organisation_ids: Sequence[uuid.UUID]
) -> None:
    errors = [
        FieldError(field=f"organisation_ids.{index}", message=f"no organisation with id {ident}")
        for index, ident in enumerate(organisation_ids)
        if not await uow.organisations.exists(ident)
    ]
    if errors:
        raise CommandRejected(INVALID_FIELDS, f"{len(errors)} unknown organisation(s)", errors)


# --- sessions ---------------------------------------------------------------------------


async def schedule_session(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: ScheduleSession
) -> SessionView:
    initiative = await uow.activities.get_initiative(item.initiative_id)
    if initiative is None:
        raise invalid("initiative_id", f"no initiative with id {item.initiative_id}")
    home_area = item.home_area or initiative.home_area
    if home_area is None:
        raise invalid(
            "home_area", "required: the initiative has no home area", checks.area_ids(ctx.region)
        )
    session = Session(
        session_id=uuid.uuid4(),
        initiative_id=initiative.initiative_id,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        place=item.place,
        home_area=home_area,
        theme=item.theme,
        capacity=item.capacity,
        child_friendly=item.child_friendly,
        languages=_unique(_given_or(item.languages, initiative.languages)),
        age_bands=_unique(_given_or(item.age_bands, initiative.age_bands)),
        scheduled_at=ctx.now,
    )
    await uow.activities.add_session(session)
    await uow.emit(session.event())
    return await _session_view(uow, session.session_id)


async def cancel_session(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: CancelSession
) -> SessionView:
    """Cancels the sign-ups too; ``SessionCancelled`` (published once) tells everyone."""
    session = await _existing_session(uow, item.session_id, lock=True)
    if not session.cancelled:
        if session.over(ctx.now):
            raise _conflict("the session is over")
        await uow.activities.cancel_session(session.cancel(ctx.now, item.reason))
        await uow.emit(SessionCancelled(session_id=session.session_id, reason=item.reason))
    return await _session_view(uow, session.session_id)


async def get_session(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: SessionRef
) -> SessionView:
    return await _session_view(uow, item.session_id)


async def list_sessions(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: ListSessions
) -> SessionList:
    where = SessionFilter(
        starts_from=item.starts_from or ctx.now,
        starts_before=item.starts_before,
        initiative_id=item.initiative_id,
        home_area=item.home_area,
        theme=item.theme,
        include_cancelled=item.include_cancelled,
        limit=item.limit,
    )
    found = await uow.activities.list_sessions(where)
    return SessionList(sessions=tuple(session_view(record) for record in found))


def session_view(record: SessionRecord) -> SessionView:
    session, occupancy, attendance = record.session, record.occupancy, record.attendance
    return SessionView(
        session_id=session.session_id,
        initiative_id=session.initiative_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        place=session.place,
        home_area=session.home_area,
        theme=session.theme,
        capacity=session.capacity,
        child_friendly=session.child_friendly,
        languages=session.languages,
        age_bands=session.age_bands,
        cancelled=session.cancelled,
        cancel_reason=session.cancel_reason,
        confirmed=occupancy.confirmed,
        waiting=occupancy.waiting,
        places_left=None if session.cancelled else occupancy.places_left(session.capacity),
        attendance=None if attendance is None else attendance_view(attendance),
    )


async def _session_view(uow: RegistrationUnitOfWork, session_id: uuid.UUID) -> SessionView:
    record = await uow.activities.session_record(session_id)
    if record is None:
        raise not_found("session", session_id)
    return session_view(record)


async def _existing_session(
    uow: RegistrationUnitOfWork, session_id: uuid.UUID, *, lock: bool = False
) -> Session:
    session = await uow.activities.get_session(session_id, lock=lock)
    if session is None:
        raise not_found("session", session_id)
    return session


# --- sign-ups ---------------------------------------------------------------------------


async def sign_up(uow: RegistrationUnitOfWork, ctx: CommandContext, item: SignUpRef) -> SignUpView:
    """Confirmed while places are left, else on the waiting list. The session row stays
    locked until commit, so concurrent sign-ups for the last place are taken in turn."""
    await require_member(uow, item.member_id)
    session = await _existing_session(uow, item.session_id, lock=True)
    if session.capacity is None:
        raise invalid("session_id", "open event: no sign-up needed")
    _ensure_open(session, ctx)
    roster = await uow.activities.roster(session.session_id, session.capacity)
    known = roster.placement(item.member_id)
    if known is not None:
        existing = await uow.activities.get_sign_up(session.session_id, item.member_id)
        assert existing is not None
        signed_up, placement = existing, known
    else:
        _, placement = roster.add(item.member_id)
        signed_up = await uow.activities.add_sign_up(
            session.session_id, item.member_id, placement.status, ctx.now
        )
        await uow.emit(
            SignedUp(
                member_id=item.member_id,
                session_id=session.session_id,
                status=placement.status,
                waitlist_position=placement.position,
            )
        )
    await uow.members.touch(item.member_id, ctx.now)
    return sign_up_view(signed_up, placement)


async def cancel_sign_up(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: SignUpRef
) -> SignUpView:
    """A confirmed place that frees up goes to the first on the waiting list, at once."""
    await require_member(uow, item.member_id)
    session = await _existing_session(uow, item.session_id, lock=True)
    signed_up = await _existing_sign_up(uow, item)
    if signed_up.status != "cancelled":
        _ensure_open(session, ctx)
        promoted = await uow.activities.withdraw(session, item.member_id, ctx.now)
        await uow.emit(SignUpCancelled(member_id=item.member_id, session_id=session.session_id))
        for member_id in promoted:
            await uow.emit(WaitlistPromoted(member_id=member_id, session_id=session.session_id))
        await uow.members.touch(item.member_id, ctx.now)
    return sign_up_view(replace(signed_up, status="cancelled"), None)


async def get_sign_up(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: SignUpRef
) -> SignUpView:
    """The member's sign-up with their current place in line."""
    session = await _existing_session(uow, item.session_id)
    signed_up = await _existing_sign_up(uow, item)
    placement = None
    if session.capacity is not None:
        roster = await uow.activities.roster(session.session_id, session.capacity)
        placement = roster.placement(item.member_id)
    return sign_up_view(signed_up, placement)


def sign_up_view(signed_up: SignUp, placement: Placement | None) -> SignUpView:
    return SignUpView(
        session_id=signed_up.session_id,
        member_id=signed_up.member_id,
        status=placement.status if placement else signed_up.status,
        waitlist_position=placement.position if placement else None,
        signed_up_at=signed_up.signed_up_at,
    )


async def _existing_sign_up(uow: RegistrationUnitOfWork, item: SignUpRef) -> SignUp:
    signed_up = await uow.activities.get_sign_up(item.session_id, item.member_id)
    if signed_up is None:
        raise not_found("sign-up of this member for session", item.session_id)
    return signed_up


def _ensure_open(session: Session, ctx: CommandContext) -> None:
    why = session.why_closed(ctx.now)
    if why is not None:
        raise _conflict(why)


# --- attendance -------------------------------------------------------------------------


async def record_attendance(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RecordAttendance
) -> AttendanceView:
    """Replaces an earlier record of the session; each record is published."""
    session = await _existing_session(uow, item.session_id, lock=True)
    if session.cancelled:
        raise _conflict("the session was cancelled")
    if not session.started(ctx.now):
        raise _conflict("the session has not started yet")
    confirmed: tuple[uuid.UUID, ...] = ()
    if session.capacity is not None:
        confirmed = (await uow.activities.roster(session.session_id, session.capacity)).confirmed
    errors = attendance_errors(item.headcount, item.member_ids, confirmed)
    if errors:
        raise CommandRejected(INVALID_FIELDS, f"{len(errors)} invalid field(s)", errors)
    attendance = Attendance(
        session_id=session.session_id,
        headcount=item.headcount,
        member_ids=item.member_ids,
        recorded_by=ctx.actor.label,
        recorded_at=ctx.now,
    )
    await uow.activities.record_attendance(attendance)
    await uow.emit(
        AttendanceRecorded(
            session_id=session.session_id,
            initiative_id=session.initiative_id,
            headcount=attendance.headcount,
            member_ids=attendance.member_ids,
            recorded_by=attendance.recorded_by,
        )
    )
    for member_id in attendance.member_ids:
        await uow.members.touch(member_id, ctx.now)
    return attendance_view(attendance)


def attendance_view(attendance: Attendance) -> AttendanceView:
    return AttendanceView(
        session_id=attendance.session_id,
        headcount=attendance.headcount,
        member_ids=attendance.member_ids,
        recorded_by=attendance.recorded_by,
        recorded_at=attendance.recorded_at,
    )


# --- helpers ----------------------------------------------------------------------------


def _unique(values: Iterable[T]) -> tuple[T, ...]:
    """In the order given, each once."""
    return tuple(dict.fromkeys(values))


def _given_or(value: T | None, default: T) -> T:
    """What the input gives; what it leaves out (or null) stays as it was."""
    return default if value is None else value


def _conflict(detail: str) -> CommandRejected:
    return CommandRejected(CONFLICT, detail)


COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (
    Command(
        name="register_initiative",
        input=RegisterInitiative,
        output=InitiativeView,
        handle=register_initiative,
        summary="Register an initiative: a recurring collective activity (parent café, "
        "festival, language group...).",
        tag=TAG,
        check=check_initiative,
    ),
    Command(
        name="update_initiative",
        input=UpdateInitiative,
        output=InitiativeView,
        handle=update_initiative,
        summary="Change an initiative.",
        tag=TAG,
        check=check_initiative,
    ),
    Command(
        name="get_initiative",
        input=InitiativeRef,
        output=InitiativeView,
        handle=get_initiative,
        summary="One initiative.",
        tag=TAG,
        query=True,
    ),
    Command(
        name="list_initiatives",
        input=ListInitiatives,
        output=InitiativeList,
        handle=list_initiatives,
        summary="Initiatives by name, optionally of one kind or area.",
        tag=TAG,
        query=True,
        check=check_initiative_filter,
    ),
    Command(
        name="schedule_session",
        input=ScheduleSession,
        output=SessionView,
        handle=schedule_session,
        summary="Schedule a session of an initiative; without capacity it is an open event.",
        tag=TAG,
        check=check_session,
    ),
    Command(
        name="cancel_session",
        input=CancelSession,
        output=SessionView,
        handle=cancel_session,
        summary="Cancel a session and its sign-ups.",
        tag=TAG,
    ),
    Command(
        name="get_session",
        input=SessionRef,
        output=SessionView,
        handle=get_session,
        summary="A session with its sign-up counts, places left and attendance.",
        tag=TAG,
        query=True,
    ),
    Command(
        name="list_sessions",
        input=ListSessions,
        output=SessionList,
        handle=list_sessions,
        summary="Sessions by start time, upcoming unless told otherwise.",
        tag=TAG,
        query=True,
        check=check_session_filter,
    ),
    Command(
        name="sign_up",
        input=SignUpRef,
        output=SignUpView,
        handle=sign_up,
        summary="Sign a member up for a session: confirmed, or on the waiting list when full.",
        tag=TAG,
    ),
    Command(
        name="cancel_sign_up",
        input=SignUpRef,
        output=SignUpView,
        handle=cancel_sign_up,
        summary="Cancel a sign-up; a place that comes free goes to the first in line.",
        tag=TAG,
    ),
    Command(
        name="get_sign_up",
        input=SignUpRef,
        output=SignUpView,
        handle=get_sign_up,
        summary="A member's sign-up for a session, with their place in line.",
        tag=TAG,
        query=True,
    ),
    Command(
        name="record_attendance",
        input=RecordAttendance,
        output=AttendanceView,
        handle=record_attendance,
        summary="Record who came: a head count and the signed-up members present.",
        tag=TAG,
    ),
)
