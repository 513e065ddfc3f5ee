"""Models of the case file (core: cases, reports, people, evidence, timeline; work: what officers do)."""

from .core import (
    OPEN_STATUSES,
    STATUS_TRANSITIONS,
    UPDATE_ROLES,
    AsbType,
    Case,
    CaseReferenceCounter,
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    CustomerGroup,
    Evidence,
    Frequency,
    Party,
    PartyRole,
    PreferredContactMethod,
    Report,
    RiskLevel,
    TimelineEntry,
    TimelineKind,
    Visibility,
    evidence_upload_to,
)
from .deadlines import AlertStage, ClosureDay, ClosureDayChange, Deadline, DeadlineAlert, DeadlineKind
from .register import Person, PersonMerge, Place, PossibleMatch, RepeatRule
from .sharing import (
    SCOPE_ORDER,
    AccessEvent,
    AccessLogEntry,
    AgencyMember,
    CaseShare,
    LawfulBasis,
    PersonBasis,
    SharedPerson,
    ShareScope,
    SharingAgreement,
)
from .work import (
    ACTION_STATUS_TRANSITIONS,
    Action,
    ActionStatus,
    ActionType,
    AgencyKind,
    Breach,
    Contact,
    ContactMethod,
    Direction,
    PartnerAgency,
    Referral,
    ReferralStatus,
    RiskAssessment,
    RiskQuestion,
    RiskQuestionSet,
)

__all__ = [
    "ACTION_STATUS_TRANSITIONS", "AlertStage", "ClosureDay", "ClosureDayChange", "Deadline", "DeadlineAlert", "DeadlineKind",
    "OPEN_STATUSES", "STATUS_TRANSITIONS", "UPDATE_ROLES", "Action", "ActionStatus", "ActionType", "AsbType",
    "Breach", "Case", "CaseReferenceCounter", "CaseStatus", "Category", "Channel", "ClosureReason", "Contact",
    "ContactMethod", "CustomerGroup", "Direction", "Evidence", "Frequency", "PartnerAgency", "Party", "PartyRole",
    "PreferredContactMethod", "Referral", "ReferralStatus", "Report", "RiskAssessment", "RiskLevel", "RiskQuestion",
    "RiskQuestionSet", "TimelineEntry", "TimelineKind", "Visibility", "evidence_upload_to",
    "SCOPE_ORDER", "AccessEvent", "AccessLogEntry", "AgencyKind", "AgencyMember", "CaseShare", "LawfulBasis",
    "PersonBasis", "SharedPerson", "ShareScope", "SharingAgreement",
    "Person", "PersonMerge", "Place", "PossibleMatch", "RepeatRule",
]
