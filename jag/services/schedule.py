"""A group's monthly schedule: the day its rule gives (the second Tuesday, the last Friday…), the day each meeting is
actually held (the next working day when the rule's day is a bank holiday or a council closure day), the next twelve
meetings made idempotently, moving a meeting with a reason, and the cut-offs for nominations and papers (the end of
the working day so many working days before the meeting).

Also the JAG errors and the co-chair test the other JAG services share."""

import calendar
from collections.abc import Collection
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from cases import sla
from cases.policy import Can, can

from ..models import JagGroup, JagMember, Meeting, MeetingStatus

REASON_MAX = 300


class JagError(Exception):
    """A rule of JAG business refused the change; the message says why, in words for the page."""


class StaleError(JagError):
    """The record changed since the form was drawn."""


def is_co_chair(*, group: JagGroup, user) -> bool:
    """An active co-chair of the group who can still see JAG business (one query)."""
    if user is None or not user.is_authenticated or not can(user, Can.SEE_JAG):
        return False
    return JagMember.objects.filter(group=group, user_id=user.pk, is_co_chair=True, is_active=True).exists()


def co_chair_or_404(*, group: JagGroup, user) -> None:
    """Refuse (as 404, like every refusal) anyone but an active co-chair of the group."""
    if not is_co_chair(group=group, user=user):
        raise Http404


def reason_clean(reason: str, *, missing: str) -> str:
    """A reason given in words (required, at most 300 characters)."""
    reason = (reason or "").strip()
    if not reason:
        raise JagError(missing)
    if len(reason) > REASON_MAX:
        raise JagError(f"The reason must be {REASON_MAX} characters or fewer")
    return reason


# --- the rule ---------------------------------------------------------------------------------------------------

def rule_date(group: JagGroup, year: int, month: int) -> date:
    """The `week`-th `weekday` of the month (week 5: the last one in the month)."""
    days_in_month = calendar.monthrange(year, month)[1]
    if group.week >= 5:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - group.weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(group.weekday - first.weekday()) % 7 + 7 * (group.week - 1))


def held_on_for(day: date, closures: Collection[date] | None = None) -> date:
    """The rule's day, or the next working day when it is a bank holiday or closure day."""
    return sla.add_working_days(day, 0, closures)


def _months_from(year: int, month: int):
    while True:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def meetings_ensure(*, group: JagGroup, today: date, months: int = 12) -> list[Meeting]:
    """The group's next `months` meetings (held today or later), made if missing. Idempotent: the schedule is unique
    per group and rule date, so a second call, or two at once, makes no duplicates (the database's constraint
    decides; a meeting already made is returned as it is). A meeting not moved by hand whose rule day has since
    become a closure day is put on the next working day. An inactive group has no schedule."""
    if not group.is_active or months <= 0:
        return []
    # Rule dates for the months ahead: one more month than asked covers a rule day already past this month.
    rule_dates = []
    for year, month in _months_from(today.year, today.month):
        rule_dates.append(rule_date(group, year, month))
        if len(rule_dates) > months:
            break
    closures = sla.closure_days(rule_dates[0], rule_dates[-1] + timedelta(days=40))
    planned = [(rule, held_on_for(rule, closures)) for rule in rule_dates]
    planned = [(rule, held) for rule, held in planned if held >= today][:months]
    with transaction.atomic():
        Meeting.objects.bulk_create(
            [Meeting(group=group, rule_date=rule, held_on=held, starts_at=group.starts_at, location=group.location)
             for rule, held in planned],
            ignore_conflicts=True,
        )
        wanted = dict(planned)
        # Also a meeting moved by hand to today or later whose rule day has passed (December's, moved from the 8th to
        # the 15th, seen on the 10th): it is still to be held, so it is on the schedule.
        meetings = list(Meeting.objects.select_for_update()
                        .filter(Q(rule_date__in=wanted) | Q(moved_at__isnull=False, held_on__gte=today), group=group)
                        .order_by("rule_date"))
        stale = [m for m in meetings if m.status == MeetingStatus.SCHEDULED and m.moved_at is None and m.opened_at is None
                 and m.rule_date in wanted and m.held_on != wanted[m.rule_date]]
        for meeting in stale:
            meeting.held_on = wanted[meeting.rule_date]
            meeting.version += 1
        if stale:
            Meeting.objects.bulk_update(stale, ["held_on", "version"])
    # The next `months` to be held, soonest first (a meeting moved later is held after the one its rule day gives).
    return sorted((m for m in meetings if m.held_on >= today), key=lambda m: (m.held_on, m.rule_date, m.pk))[:months]


@transaction.atomic
def meeting_move(*, meeting: Meeting, held_on: date, reason: str, actor, version: int | None) -> Meeting:
    """Hold a meeting on another working day, with a reason (who moved it and when are kept). Not to a day in the
    past, and not once the meeting has been held, opened or cancelled. Managers of JAG business only."""
    if not can(actor, Can.MANAGE_JAG):
        raise Http404
    reason = reason_clean(reason, missing="Enter why the meeting is moving")
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if version is None or locked.version != version:
        raise StaleError("Someone else has changed this meeting since you opened the page. Check it and try again")
    if locked.status != MeetingStatus.SCHEDULED or locked.opened_at is not None:
        raise JagError("A meeting that has been held, opened or cancelled cannot be moved")
    if held_on < timezone.localdate():
        raise JagError("The new date must be today or in the future")
    if not sla.is_working_day(held_on):
        raise JagError("The new date must be a working day (not a weekend, bank holiday or closure day)")
    # Not onto another of the group's meetings, nor past the one before or after it: the months stay in order.
    others = Meeting.objects.filter(group_id=locked.group_id).exclude(pk=locked.pk).exclude(status=MeetingStatus.CANCELLED)
    before = others.filter(rule_date__lt=locked.rule_date).order_by("-rule_date").first()
    after = others.filter(rule_date__gt=locked.rule_date).order_by("rule_date").first()
    if (before is not None and held_on <= before.held_on) or (after is not None and held_on >= after.held_on):
        raise JagError("The new date must fall between the group's meetings before and after this one")
    locked.held_on = held_on
    locked.moved_reason = reason
    locked.moved_by = actor
    locked.moved_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["held_on", "moved_reason", "moved_by", "moved_at", "version"])
    from .history import event_record
    event_record(meeting=locked, kind="meeting.moved", actor=actor,
                 words=f"Moved to {held_on:%-d %B %Y}: {reason}")
    return locked


# --- cut-offs ---------------------------------------------------------------------------------------------------

def working_days_before(day: date, n: int, closures: Collection[date] | None = None) -> date:
    """The n-th working day before `day` (n >= 1; n = 0 gives `day` itself)."""
    if n < 0:
        raise ValueError("n must be zero or more")
    if closures is None:
        closures = sla.closure_days(day - timedelta(days=n * 3 + 30), day)
    while n:
        day -= timedelta(days=1)
        if sla.is_working_day(day, closures):
            n -= 1
    return day


def nominations_close_at(meeting: Meeting) -> datetime:
    """The end (London) of the working day `nomination_cutoff_days` working days before the meeting: a nomination
    after this is urgent."""
    return sla.end_of_day(working_days_before(meeting.held_on, meeting.group.nomination_cutoff_days))


def papers_due_at(meeting: Meeting) -> datetime:
    """The end (London) of the working day `papers_cutoff_days` working days before the meeting: the packs go to
    members by then."""
    return sla.end_of_day(working_days_before(meeting.held_on, meeting.group.papers_cutoff_days))
