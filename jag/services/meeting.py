"""In the meeting: attendance and the confidentiality statement at the start, each item's notes, decisions and
outcome, and closing the meeting (every item still on the agenda needs an outcome). Only a co-chair runs it."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases.models import PartnerAgency

from ..models import AgendaItem, Attendance, AttendanceStatus, ItemOutcome, JagMember, Meeting, MeetingStatus
from .history import event_record
from .schedule import JagError, StaleError, is_co_chair

__all__ = ["AttendanceEntry", "JagError", "StaleError", "co_chair_require", "item_record", "item_seen", "meeting_close", "meeting_lock",
           "meeting_open", "meeting_touch"]


@dataclass(frozen=True)
class AttendanceEntry:
    """One line of the attendance: a member (`member`), or a guest (no member: `name` and `agency`)."""

    status: str
    acknowledged: bool = False
    member: JagMember | None = None
    name: str = ""
    agency: PartnerAgency | None = None


def co_chair_require(*, meeting: Meeting, actor) -> None:
    """Refuse anyone but an active co-chair of the meeting's group (the view answers 404 before it gets here)."""
    if not is_co_chair(group=meeting.group, user=actor):
        raise JagError("Only a co-chair of this group can do that")


def meeting_lock(*, meeting: Meeting, version: int | None = None) -> Meeting:
    """The meeting's row, locked for this transaction; StaleError when `version` is given and out of date."""
    locked = Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    if version is not None and locked.version != version:
        raise StaleError("Someone else has changed this meeting since you opened the page. Check it and try again")
    return locked


def meeting_touch(meeting: Meeting, *fields: str) -> None:
    """Save the changed fields and bump the version."""
    meeting.version += 1
    meeting.save(update_fields=["version", *fields])


def _in_progress(meeting: Meeting) -> None:
    if meeting.opened_at is None or meeting.closed_at is not None:
        raise JagError("The meeting is not in progress")


@transaction.atomic
def meeting_open(*, meeting: Meeting, attendance: list[AttendanceEntry], actor, version: int | None) -> Meeting:
    """Start the meeting: record who is present (each having acknowledged the confidentiality statement: refused
    otherwise), who sent apologies and, for every active member not listed, absent; guests by name and agency."""
    if version is None:
        raise StaleError("Someone else has changed this meeting since you opened the page. Check it and try again")
    locked = meeting_lock(meeting=meeting, version=version)
    co_chair_require(meeting=locked, actor=actor)
    if locked.status != MeetingStatus.SCHEDULED or locked.opened_at is not None:
        raise JagError("This meeting has already been opened, held or cancelled")
    if timezone.localdate() < locked.held_on:
        raise JagError("The meeting can be opened on the day it is held")
    members = {m.pk: m for m in JagMember.objects.select_related("user").filter(group_id=locked.group_id)}
    seen: set[int] = set()
    rows = []
    now = timezone.now()
    for entry in attendance:
        if entry.status not in AttendanceStatus.values:
            raise JagError("Choose present, apologies or absent for everyone")
        if entry.status == AttendanceStatus.PRESENT and not entry.acknowledged:
            raise JagError("Everyone present must acknowledge the confidentiality statement")
        if entry.member is not None:
            member = members.get(entry.member.pk)
            if member is None:
                raise JagError("Choose members of this group")
            if member.pk in seen:
                raise JagError("Each member is recorded once")
            seen.add(member.pk)
            name, agency = member.user.get_full_name() or member.user.get_username(), member.agency
        else:
            name, agency = entry.name.strip(), entry.agency
            if not name:
                raise JagError("Enter each guest's name")
            if len(name) > 200:
                raise JagError("A guest's name must be 200 characters or fewer")
        rows.append(Attendance(meeting=locked, member=entry.member, name=name[:200], agency=agency, status=entry.status,
                               confidentiality_acknowledged=entry.status == AttendanceStatus.PRESENT,
                               recorded_by=actor, recorded_at=now))
    if not any(r.status == AttendanceStatus.PRESENT for r in rows):
        raise JagError("Record who is present")
    for member in members.values():
        if member.is_active and member.pk not in seen:
            rows.append(Attendance(meeting=locked, member=member, name=(member.user.get_full_name() or member.user.get_username())[:200],
                                   agency=member.agency, status=AttendanceStatus.ABSENT, recorded_by=actor, recorded_at=now))
    Attendance.objects.bulk_create(rows)
    locked.opened_at = now
    meeting_touch(locked, "opened_at")
    present = sum(1 for r in rows if r.status == AttendanceStatus.PRESENT)
    event_record(meeting=locked, kind="meeting.opened", actor=actor, at=now,
                 words=f"The meeting opened: {present} present, each acknowledging the confidentiality statement")
    return locked


def item_seen(item: AgendaItem) -> str:
    """A short digest of the item's record as a page shows it: a form carries it, and a save from a page drawn before
    someone else's save is refused instead of overwriting their notes."""
    text = "\x1f".join((item.notes, item.decisions, item.outcome))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@transaction.atomic
def item_record(*, item: AgendaItem, notes: str, decisions: str, outcome: str, actor, seen: str | None = None) -> AgendaItem:
    """Record what was said and decided on an item, and its outcome (keep, close, escalate; blank: not yet). With
    `seen` (item_seen of the record the page showed), a record changed since by someone else is refused (StaleError);
    the same save again (a double click) is no change."""
    # The meeting's row first, then the item's: the order every JAG service locks them in (action_add, removing an
    # item), so two co-chairs working on one item at once wait for each other instead of deadlocking.
    meeting_id = AgendaItem.objects.values_list("meeting_id", flat=True).get(pk=item.pk)
    meeting = meeting_lock(meeting=Meeting(pk=meeting_id))
    locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
    co_chair_require(meeting=meeting, actor=actor)
    _in_progress(meeting)
    if locked.removed_at is not None:
        raise JagError("This item was taken off the agenda")
    if outcome and outcome not in ItemOutcome.values:
        raise JagError("Choose the outcome")
    wanted = ((notes or "").strip(), (decisions or "").strip(), outcome or "")
    if seen is not None and seen != item_seen(locked) and wanted != (locked.notes, locked.decisions, locked.outcome):
        raise StaleError("Someone else has saved this item since you opened the page: check their notes and save again")
    locked.notes, locked.decisions, locked.outcome = (notes or "").strip(), (decisions or "").strip(), outcome or ""
    locked.save(update_fields=["notes", "decisions", "outcome"])
    meeting_touch(meeting)
    outcome_words = f": {ItemOutcome(outcome).label.lower()}" if outcome else ""
    event_record(meeting=meeting, kind="item.recorded", actor=actor, item=locked,
                 words=f"Item {locked.position} recorded{outcome_words}")
    return locked


@transaction.atomic
def meeting_close(*, meeting: Meeting, actor, version: int | None) -> Meeting:
    """End the meeting: every item still on the agenda has an outcome; the meeting is held."""
    if version is None:
        raise StaleError("Someone else has changed this meeting since you opened the page. Check it and try again")
    locked = meeting_lock(meeting=meeting, version=version)
    co_chair_require(meeting=locked, actor=actor)
    _in_progress(locked)
    if AgendaItem.objects.filter(meeting=locked, removed_at__isnull=True, outcome="").exists():
        raise JagError("Record an outcome for every item on the agenda")
    locked.closed_at = timezone.now()
    locked.status = MeetingStatus.HELD
    meeting_touch(locked, "closed_at", "status")
    event_record(meeting=locked, kind="meeting.closed", actor=actor, at=locked.closed_at, words="The meeting closed")
    return locked
