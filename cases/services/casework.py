"""The case itself: assignment, status, closure, reopening, merging, edits, notes and evidence."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..evidence import evidence_check
from ..models import (
    Action,
    Case,
    CaseStatus,
    ClosureReason,
    Contact,
    Deadline,
    DiaryEntry,
    Evidence,
    Party,
    Referral,
    Report,
    ResidentLink,
    ResidentRequest,
    RiskAssessment,
    RiskLevel,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from ..policy import Can, can
from ..selectors import parties_missing_final_update
from ..validators import normalise_postcode
from .common import (
    CaseError,
    case_lock,
    case_touch,
    case_transition_check,
    changes_between,
    search_document_refresh,
    timeline_add,
)
from .deadlines import deadlines_cancel, deadlines_recompute_for_risk, deadlines_restart
from .matching import parties_dedupe_case
from .register import place_for

RISK_ORDER = [RiskLevel.NOT_ASSESSED, RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH]  # lowest first


def _name(user) -> str:
    return user.get_full_name() or user.get_username() if user else "nobody"


@transaction.atomic
def case_assign(*, case: Case, officer, actor, expected_version: int | None = None) -> Case:
    """A manager assigns or reassigns; an officer may take an unassigned case for themselves."""
    case = case_lock(case=case, expected_version=expected_version)
    if officer is not None and not can(officer, Can.WORK_CASES):
        raise CaseError(f"{_name(officer)} is not an ASB officer or manager")
    is_manager = can(actor, Can.ASSIGN_CASES)
    if not is_manager:
        if officer != actor:
            raise CaseError("Only a manager can assign a case to someone else")
        if case.officer_id is not None and case.officer_id != actor.pk:
            raise CaseError(f"Case {case.reference} is already assigned to {_name(case.officer)}: ask a manager to reassign it")
    if case.officer_id == (officer.pk if officer else None):
        return case
    before = case.officer
    case.officer = officer
    case_touch(case, "officer")
    timeline_add(
        case=case,
        actor=actor,
        kind=TimelineKind.ASSIGNMENT,
        summary=f"Assigned to {_name(officer)}" if officer else "Unassigned",
        changes={"officer": [_name(before) if before else None, _name(officer) if officer else None]},
    )
    return case


@transaction.atomic
def case_status_change(*, case: Case, to_status: str, actor, expected_version: int | None = None, reason: str = "") -> Case:
    """Move a case along the workflow (not closing: that is case_close; reopening needs a reason)."""
    if to_status == CaseStatus.CLOSED:
        raise CaseError("Use close case, which asks for the closure reason")
    case = case_lock(case=case, expected_version=expected_version, allow_closed=True)
    reopening = case.status == CaseStatus.CLOSED
    case_transition_check(case, to_status)
    if reopening:
        if not reason.strip():
            raise CaseError("Give a reason for reopening the case")
        if case.merged_into_id:
            raise CaseError(f"Case {case.reference} was merged into {case.merged_into.reference}: work on that case instead")
    before = case.status
    case.status = to_status
    fields = ["status"]
    if reopening:
        case.reopened_at = timezone.now()
        case.closure_reason, case.closed_at = "", None
        fields += ["reopened_at", "closure_reason", "closed_at"]
    case_touch(case, *fields)
    if reopening:
        deadlines_restart(case=case)
    timeline_add(
        case=case,
        actor=actor,
        kind=TimelineKind.STATUS,
        summary=("Reopened" if reopening else f"Status changed to {CaseStatus(to_status).label.lower()}"),
        body=reason,
        changes={"status": [before, to_status]},
        visibility=Visibility.RESIDENT,
    )
    return case


@transaction.atomic
def case_close(*, case: Case, reason: str, actor, expected_version: int | None = None, note: str = "") -> Case:
    """Close a case with a reason, once every victim and complainant has had a final update."""
    case = case_lock(case=case, expected_version=expected_version)
    if reason not in ClosureReason.values or reason == ClosureReason.MERGED:
        raise CaseError("Select why the case is being closed")
    case_transition_check(case, CaseStatus.CLOSED)
    missing = parties_missing_final_update(case)
    if missing:
        names = ", ".join(p.full_name for p in missing)
        raise CaseError(f"Record a final update to {names} before closing the case")
    _close(case, reason=reason, actor=actor, note=note)
    return case


def _close(case: Case, *, reason: str, actor, note: str = "", merged_into: Case | None = None) -> None:
    before = case.status
    case.status = CaseStatus.CLOSED
    case.closure_reason = reason
    case.closed_at = timezone.now()
    case.merged_into = merged_into
    case_touch(case, "status", "closure_reason", "closed_at", "merged_into")
    deadlines_cancel(case=case)
    timeline_add(
        case=case,
        actor=actor,
        kind=TimelineKind.STATUS,
        summary=f"Closed: {ClosureReason(reason).label.lower()}",
        body=note,
        changes={"status": [before, CaseStatus.CLOSED], "closure_reason": [None, reason]},
        visibility=Visibility.RESIDENT,
    )


@transaction.atomic
def case_merge(*, duplicate: Case, into: Case, actor, expected_version: int | None = None) -> Case:
    """Move everything on a duplicate case into another and close the duplicate, pointing at it."""
    if duplicate.pk == into.pk:
        raise CaseError("Choose a different case to merge into")
    # Lock both in id order, so two merges at once cannot deadlock.
    first, second = sorted([duplicate, into], key=lambda c: c.pk)
    locked = {c.pk: case_lock(case=c, expected_version=expected_version if c.pk == duplicate.pk else None) for c in (first, second)}
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    for model in (Report, Party, Contact, Evidence, RiskAssessment, Action, Referral, TimelineEntry, Deadline,
                  ResidentLink, DiaryEntry, ResidentRequest):
        model.objects.filter(case=duplicate).update(case=into)
    timeline_add(
        case=into,
        actor=actor,
        kind=TimelineKind.MERGE,
        summary=f"Case {duplicate.reference} merged into this case, with all its history",
        changes={"merged": [duplicate.reference, into.reference]},
    )
    if duplicate.hate_motivated and not into.hate_motivated:
        into.hate_motivated = True
    # The merged case keeps the higher risk level of the two: updates are owed at the stricter interval.
    if RISK_ORDER.index(duplicate.risk_level) > RISK_ORDER.index(into.risk_level):
        timeline_add(
            case=into, actor=actor, kind=TimelineKind.RISK,
            summary=f"Risk level raised to {RiskLevel(duplicate.risk_level).label.lower()} from merged case {duplicate.reference}",
            changes={"risk_level": [into.risk_level, duplicate.risk_level]},
        )
        into.risk_level = duplicate.risk_level
    case_touch(into, "hate_motivated", "risk_level")
    deadlines_recompute_for_risk(case=into)
    _close(duplicate, reason=ClosureReason.MERGED, actor=actor, merged_into=into, note=f"Merged into {into.reference}")
    # The same people named on both cases become one record each (one update clock, one final update, one survey).
    parties_dedupe_case(case=into, actor=actor)
    search_document_refresh(into.pk)
    search_document_refresh(duplicate.pk)
    return into


EDITABLE_CASE_FIELDS = ("category", "address", "postcode", "location_description", "hate_motivated")


@transaction.atomic
def case_update(*, case: Case, actor, expected_version: int | None = None, **values) -> Case:
    """Correct the case's details (category, location, hate flag); records old and new values."""
    unknown = set(values) - set(EDITABLE_CASE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    case = case_lock(case=case, expected_version=expected_version)
    if "postcode" in values and values["postcode"]:
        values["postcode"] = normalise_postcode(values["postcode"])
    before = {k: getattr(case, k) for k in values}
    changes = changes_between(before, values)
    if not changes:
        return case
    for k, v in values.items():
        setattr(case, k, v)
    moved = changes.keys() & {"address", "postcode"}
    if moved:
        case.place = place_for(address=case.address, postcode=case.postcode)  # the place register follows the address
    case_touch(case, *values, *(["place"] if moved else []))
    timeline_add(case=case, actor=actor, kind=TimelineKind.EDIT, summary="Case details changed", changes=changes)
    return case


@transaction.atomic
def note_add(*, case: Case, text: str, actor, visibility: str = Visibility.STAFF, occurred_at: datetime | None = None) -> TimelineEntry:
    """A note or diary entry (occurred_at: when it happened, if written up later)."""
    case = case_lock(case=case)
    if not text.strip():
        raise CaseError("Enter the note")
    if occurred_at and occurred_at > timezone.now():
        raise CaseError("A diary entry cannot be in the future")
    first_line = text.strip().splitlines()[0]
    return timeline_add(
        case=case, actor=actor, kind=TimelineKind.NOTE, summary=first_line, body=text, visibility=visibility, occurred_at=occurred_at
    )


@transaction.atomic
def evidence_add(*, case: Case, uploaded, actor, description: str = "") -> Evidence:
    """Attach a file to a case (same type and size checks as the public form)."""
    case = case_lock(case=case)
    checked = evidence_check(uploaded)
    evidence = Evidence.objects.create(
        case=case,
        file=uploaded,
        original_name=uploaded.name[:255],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_at=timezone.now(),
        uploaded_by=actor,
    )
    timeline_add(
        case=case,
        actor=actor,
        kind=TimelineKind.EVIDENCE,
        summary=f"Evidence added: {evidence.original_name}",
        body=description,
        changes={"evidence": str(evidence.pk)},
    )
    return evidence
