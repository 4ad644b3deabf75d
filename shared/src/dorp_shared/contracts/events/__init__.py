"""Canonical events, version 1, one module per subject matter.

Personal data is kept to what a consumer needs: no children's names or birth dates, only
age bands. Contact details travel only in ``MemberRegistered`` and ``MemberUpdated``, which
only notifications stores. Every event about one member is ``MemberScoped``: its subject
ends in the member id, so erasure can purge it from the stream.
"""

from __future__ import annotations

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.activities import (
    AttendanceRecorded,
    InitiativeKind,
    InitiativeRegistered,
    SessionCancelled,
    SessionScheduled,
    SignedUp,
    SignUpCancelled,
    WaitlistPromoted,
)
from dorp_shared.contracts.events.common import (
    AGE_BANDS,
    PURPOSES,
    AgeBand,
    Channel,
    DayPart,
    MemberScoped,
    Purpose,
    RegisteredBy,
    Role,
    Side,
    TimeWindow,
    Weekday,
)
from dorp_shared.contracts.events.communities import (
    INQUIRY_PHASES,
    InquiryPhase,
    LearningCommunityUpdated,
    SurveyResponseRecorded,
)
from dorp_shared.contracts.events.dialogue import (
    ConcernNamed,
    DecisionRecorded,
    DecisionTakenUp,
    DialogueProposalMade,
    DialogueTableOpened,
    ParentGroupFormed,
    ParentGroupJoined,
    VoteCast,
    VoteChoice,
)
from dorp_shared.contracts.events.help import HelpOffered, HelpRenewed, HelpRequested, HelpWithdrawn
from dorp_shared.contracts.events.matching import (
    MatchCompleted,
    MatchConfirmed,
    MatchProposed,
    MatchReason,
    ProposalAccepted,
    ProposalApproved,
    ProposalCancelled,
    ProposalChanged,
    ProposalDeclined,
    ProposalExpired,
    ProposalRejected,
)
from dorp_shared.contracts.events.members import (
    ConsentChanged,
    Consents,
    ContactDetails,
    MemberErased,
    MemberRegistered,
    MemberUpdated,
    RetentionWarningIssued,
)
from dorp_shared.contracts.events.notifications import NotificationSent
from dorp_shared.contracts.events.organisations import OrganisationRegistered, OrganisationType
from dorp_shared.contracts.events.voices import BufferScores, QuoteRecorded, SelfCheckRecorded

REGISTRATION_EVENTS: tuple[type[Event], ...] = (
    MemberRegistered,
    MemberUpdated,
    ConsentChanged,
    MemberErased,
    RetentionWarningIssued,
    OrganisationRegistered,
    HelpRequested,
    HelpOffered,
    HelpWithdrawn,
    HelpRenewed,
    InitiativeRegistered,
    SessionScheduled,
    SessionCancelled,
    SignedUp,
    SignUpCancelled,
    WaitlistPromoted,
    AttendanceRecorded,
    QuoteRecorded,
    SelfCheckRecorded,
    ParentGroupFormed,
    ParentGroupJoined,
    DialogueTableOpened,
    ConcernNamed,
    DialogueProposalMade,
    VoteCast,
    DecisionRecorded,
    DecisionTakenUp,
    LearningCommunityUpdated,
    SurveyResponseRecorded,
)

MATCHING_EVENTS: tuple[type[Event], ...] = (
    MatchProposed,
    ProposalAccepted,
    ProposalDeclined,
    MatchConfirmed,
    MatchCompleted,
    ProposalCancelled,
    ProposalExpired,
    ProposalApproved,
    ProposalRejected,
    ProposalChanged,
)

ALL_EVENTS: tuple[type[Event], ...] = (*REGISTRATION_EVENTS, *MATCHING_EVENTS, NotificationSent)

__all__ = [
    "AGE_BANDS",
    "ALL_EVENTS",
    "INQUIRY_PHASES",
    "MATCHING_EVENTS",
    "PURPOSES",
    "REGISTRATION_EVENTS",
    "AgeBand",
    "AttendanceRecorded",
    "BufferScores",
    "Channel",
    "ConcernNamed",
    "ConsentChanged",
    "Consents",
    "ContactDetails",
    "DayPart",
    "DecisionRecorded",
    "DecisionTakenUp",
    "DialogueProposalMade",
    "DialogueTableOpened",
    "HelpOffered",
    "HelpRenewed",
    "HelpRequested",
    "HelpWithdrawn",
    "InitiativeKind",
    "InitiativeRegistered",
    "InquiryPhase",
    "LearningCommunityUpdated",
    "MatchCompleted",
    "MatchConfirmed",
    "MatchProposed",
    "MatchReason",
    "MemberErased",
    "MemberRegistered",
    "MemberScoped",
    "MemberUpdated",
    "NotificationSent",
    "OrganisationRegistered",
    "OrganisationType",
    "ParentGroupFormed",
    "ParentGroupJoined",
    "ProposalAccepted",
    "ProposalApproved",
    "ProposalCancelled",
    "ProposalChanged",
    "ProposalDeclined",
    "ProposalExpired",
    "ProposalRejected",
    "Purpose",
    "QuoteRecorded",
    "RegisteredBy",
    "RetentionWarningIssued",
    "Role",
    "SelfCheckRecorded",
    "SessionCancelled",
    "SessionScheduled",
    "Side",
    "SignUpCancelled",
    "SignedUp",
    "SurveyResponseRecorded",
    "TimeWindow",
    "VoteCast",
    "VoteChoice",
    "WaitlistPromoted",
    "Weekday",
]
