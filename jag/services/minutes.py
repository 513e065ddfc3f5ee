"""The minutes: generated from the meeting's record (attendance; each item with why it was on, the notes, the
decisions, the outcome and the actions with owner and due date; of a case nothing but its reference and what the
record says), circulated within one working day of the meeting, approved at the next held meeting (then locked:
later changes are MinutesAmendment rows with who, when, why, before and after)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from cases import sla
from cases.policy import Can, can, is_partner

from ..models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ItemKind,
    JagAction,
    Meeting,
    MeetingStatus,
    MinutesAmendment,
)
from .history import event_record
from .meeting import JagError, meeting_lock, meeting_touch
from .schedule import is_co_chair, reason_clean

MINUTES_WORKING_DAYS = 1


def minutes_due_at(meeting: Meeting) -> datetime:
    """The minutes are circulated by the end of the working day after the meeting."""
    return sla.end_of_day(sla.add_working_days(meeting.held_on, MINUTES_WORKING_DAYS))


def minutes_may_write(meeting: Meeting, user) -> bool:
    """Who writes, circulates and approves the minutes: a council co-chair of the group, or a manager of JAG business.
    Not a partner co-chair: the minutes' text covers every item, including cases not shared with their agency, so a
    partner reads their own agency's record instead (jag.views.minutes)."""
    return (can(user, Can.SEE_JAG) and not is_partner(user)
            and (can(user, Can.MANAGE_JAG) or is_co_chair(group=meeting.group, user=user)))


def _may_write(meeting: Meeting, actor) -> None:
    if not minutes_may_write(meeting, actor):
        raise JagError("Only a council co-chair of this group can do that")


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _item_title(item: AgendaItem) -> str:
    if item.kind == ItemKind.CASE:
        return f"Case {item.case.reference}"
    if item.kind == ItemKind.LOCATION:
        return f"Location: {item.place}"
    return f"Theme: {item.theme}"


def _owner(action: JagAction) -> str:
    agency = action.owner_agency.name if action.owner_agency_id else "The council"
    return f"{agency} ({_person(action.owner)})" if action.owner_id else agency


def minutes_generate(meeting: Meeting) -> str:
    """The minutes' text from the record (four queries whatever the number of items and actions)."""
    meeting = Meeting.objects.select_related("group").get(pk=meeting.pk)
    attendance = list(Attendance.objects.filter(meeting=meeting).select_related("agency").order_by("name", "id"))
    items = list(AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).select_related("case", "place")
                 .prefetch_related(Prefetch("actions", queryset=JagAction.objects.select_related("owner", "owner_agency").order_by("due_on", "id")))
                 .order_by("position", "id"))
    lines = [f"{meeting.group.name}: minutes of the meeting held on {meeting.held_on:%-d %B %Y} at {meeting.starts_at:%H:%M}",
             f"Location: {meeting.location}", ""]
    for status in AttendanceStatus:
        people = [a for a in attendance if a.status == status]
        lines.append(f"{status.label} ({len(people)})")
        for a in people:
            if a.member_id:
                lines.append(f"- {a.name}, {a.agency.name if a.agency_id else 'The council'}")
            else:
                lines.append(f"- {a.name}, {a.agency.name} (guest)" if a.agency_id else f"- {a.name} (guest)")
        lines.append("")
    present = [a for a in attendance if a.status == AttendanceStatus.PRESENT]
    if present and all(a.confidentiality_acknowledged for a in present):
        lines += ["Everyone present acknowledged the confidentiality statement.", ""]
    lines.append("Items")
    for number, item in enumerate(items, start=1):
        lines += ["", f"{number}. {_item_title(item)}", f"Why it was on the agenda: {item.why}"]
        if item.notes:
            lines.append(f"Notes: {item.notes}")
        if item.decisions:
            lines.append(f"Decisions: {item.decisions}")
        lines.append(f"Outcome: {item.get_outcome_display() if item.outcome else 'Not recorded'}")
        actions = list(item.actions.all())
        if actions:
            lines.append("Actions:")
            for action in actions:
                lines.append(f"- {action.text} Owner: {_owner(action)}. Due: {action.due_on:%-d %B %Y}.")
    return "\n".join(lines).rstrip() + "\n"


@transaction.atomic
def minutes_circulate(*, meeting: Meeting, actor) -> Meeting:
    """Store the minutes (generated from the record, unless already drafted) and when they were circulated. A second
    call changes nothing."""
    locked = meeting_lock(meeting=meeting)
    _may_write(locked, actor)
    if locked.status != MeetingStatus.HELD:
        raise JagError("Minutes are circulated once the meeting has been held")
    if locked.minutes_circulated_at is not None:
        return locked
    locked.minutes = locked.minutes or minutes_generate(locked)
    locked.minutes_circulated_at = timezone.now()
    meeting_touch(locked, "minutes", "minutes_circulated_at")
    event_record(meeting=locked, kind="minutes.circulated", actor=actor, at=locked.minutes_circulated_at,
                 words="The minutes were circulated")
    return locked


@transaction.atomic
def minutes_approve(*, meeting: Meeting, approved_at_meeting: Meeting, actor) -> Meeting:
    """The next meeting of the group (opened or held) approves the circulated minutes; they are then locked."""
    locked = meeting_lock(meeting=meeting)
    _may_write(locked, actor)
    if locked.minutes_locked:
        raise JagError("These minutes have already been approved")
    if locked.minutes_circulated_at is None:
        raise JagError("The minutes have not been circulated")
    at = Meeting.objects.get(pk=approved_at_meeting.pk)
    following = (Meeting.objects.filter(group_id=locked.group_id, held_on__gt=locked.held_on)
                 .exclude(status=MeetingStatus.CANCELLED).order_by("held_on", "id").first())
    if following is None or following.pk != at.pk:
        raise JagError("Minutes are approved at the group's next meeting")
    if at.opened_at is None:
        raise JagError("Minutes are approved at the next meeting once it has started")
    locked.minutes_approved_at = timezone.now()
    locked.minutes_approved_by = actor
    meeting_touch(locked, "minutes_approved_at", "minutes_approved_by")
    event_record(meeting=locked, kind="minutes.approved", actor=actor, at=locked.minutes_approved_at,
                 words=f"The minutes were approved at the meeting of {at.held_on:%-d %B %Y} and locked")
    return locked


@transaction.atomic
def minutes_amend(*, meeting: Meeting, text: str, reason: str, actor) -> Meeting:
    """Change the minutes. Before approval the text is edited; after, only with a reason, recorded as an amendment
    (who, when, why, before and after)."""
    locked = meeting_lock(meeting=meeting)
    _may_write(locked, actor)
    if locked.status != MeetingStatus.HELD:
        raise JagError("Minutes are written once the meeting has been held")
    text = (text or "").strip()
    if not text:
        raise JagError("Enter the minutes")
    if text == locked.minutes.strip():
        return locked
    if locked.minutes_locked:
        reason = reason_clean(reason, missing="Say why the approved minutes are being changed")
        MinutesAmendment.objects.create(meeting=locked, changed_by=actor, changed_at=timezone.now(), reason=reason,
                                        before=locked.minutes, after=text)
        event_record(meeting=locked, kind="minutes.amended", actor=actor, words=f"The approved minutes were amended: {reason}")
    else:
        event_record(meeting=locked, kind="minutes.edited", actor=actor, words="The draft minutes were edited")
    locked.minutes = text
    meeting_touch(locked, "minutes")
    return locked
