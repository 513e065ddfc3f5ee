"""Sending the papers, and telling members the minutes are out.

The papers (each agency's pack) go to the group's members by the papers cut-off (`papers_due_at`: the end of the
working day `papers_cutoff_days` working days before the meeting). "Sending" them is an email to each active member
saying the papers are ready, with the link to the meeting's page. The emails carry NO case details (no reference,
name, address or reason): the pack is behind sign-in, where the access policy decides what each agency sees
(`jag.selectors.pack_for`). Likewise, when the minutes are circulated, each member gets one email with the link only.

Exactly once: each email has a stable key (`jag.papers:<meeting>:<member>`, `jag.minutes:<meeting>:<member>`), so a
retry, a double click or two overlapping sweeps queue it once (the outbox's unique key decides), and the meeting's
row is locked while its papers are sent, so `papers_sent_at` and the history row are written once. Members without an
email address are skipped and counted.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import sla
from notifications.models import MessageChannel
from notifications.services import OutgoingMessage, messages_queue_many

from ..models import JagEvent, JagMember, Meeting, MeetingStatus
from .history import event_record
from .schedule import JagError, working_days_before

PAPERS_EVENT, MINUTES_EVENT = "papers.sent", "minutes.notified"
# How far back the minutes sweep looks for circulated minutes not yet notified.
MINUTES_LOOKBACK = timedelta(days=30)


@dataclass
class SendResult:
    queued: int = 0  # emails newly queued (0 on a repeat)
    no_email: int = 0  # active members skipped: no email address
    already: bool = False  # sent (or notified) before this call


def _url(name: str, meeting: Meeting) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name, kwargs={'meeting_id': meeting.pk})}"


def _members(meeting: Meeting) -> list[JagMember]:
    return list(JagMember.objects.filter(group_id=meeting.group_id, is_active=True, user__is_active=True)
                .select_related("user").order_by("pk"))


def _queue(meeting: Meeting, *, prefix: str, subject: str, template: str, link: str) -> tuple[int, int]:
    """One email per active member with an email address (keyed, so never twice); returns (queued, skipped)."""
    outgoing, skipped = [], 0
    for member in _members(meeting):
        email = (member.user.email or "").strip()
        if not email:
            skipped += 1
            continue
        body = render_to_string(template, {"meeting": meeting, "group_name": meeting.group.name, "link": link,
                                           "name": member.user.get_full_name() or member.user.get_username()})
        outgoing.append(OutgoingMessage(channel=MessageChannel.EMAIL, to=email, subject=subject, body=body,
                                        key=f"{prefix}:{meeting.pk}:{member.pk}"))
    return (len(messages_queue_many(outgoing)) if outgoing else 0), skipped


@transaction.atomic
def papers_send(meeting: Meeting, *, actor=None, at: datetime | None = None) -> SendResult:
    """Tell every active member the papers are ready (one email each, the meeting page's link, no case details), set
    `papers_sent_at` the first time, and record it in the meeting's history. Idempotent: a second call queues only
    emails not queued before (a member added since) and changes nothing else. Not for a cancelled or held meeting.
    `actor` None: the beat task."""
    at = at or timezone.now()
    locked = Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    if locked.status != MeetingStatus.SCHEDULED:
        raise JagError("Papers go out before a scheduled meeting, not a held or cancelled one")
    already = locked.papers_sent_at is not None
    subject = f"{locked.group.name}: papers for the meeting on {locked.held_on:%-d %B %Y}"
    queued, skipped = _queue(locked, prefix="jag.papers", subject=subject, template="emails/jag_papers.txt",
                             link=_url("jag:meeting", locked))
    if not already:
        locked.papers_sent_at = at
        locked.version += 1
        locked.save(update_fields=["papers_sent_at", "version"])
        who = "" if actor is not None else " automatically by the cut-off"
        event_record(meeting=locked, kind=PAPERS_EVENT, actor=actor, at=at,
                     words=f"Papers sent{who} to {queued} member{'s' if queued != 1 else ''}"
                           + (f" ({skipped} without an email address)" if skipped else ""))
    elif queued:
        event_record(meeting=locked, kind=PAPERS_EVENT, actor=actor, at=at,
                     words=f"Papers sent to {queued} more member{'s' if queued != 1 else ''}")
    meeting.papers_sent_at, meeting.version = locked.papers_sent_at, locked.version
    return SendResult(queued=queued, no_email=skipped, already=already)


def papers_cutoff(meeting: Meeting, closures=None) -> datetime:
    """`papers_due_at`, with the closure days read once by the caller."""
    return sla.end_of_day(working_days_before(meeting.held_on, meeting.group.papers_cutoff_days, closures))


def _nominations_close(meeting: Meeting, closures=None) -> datetime:
    return sla.end_of_day(working_days_before(meeting.held_on, meeting.group.nomination_cutoff_days, closures))


def papers_due(now: datetime | None = None) -> list[Meeting]:
    """Scheduled meetings of active groups, today or later, whose papers are not sent and whose cut-off falls by the
    end of the next working day (or has passed: late is better than never). They wait until nominations have closed,
    unless the cut-off comes first. Two queries."""
    now = now or timezone.now()
    today = now.astimezone(sla.LONDON).date()
    horizon = today + timedelta(days=45)  # ten working days (the largest cut-off) and holidays fit well inside
    closures = sla.closure_days(today - timedelta(days=45), horizon)
    by = sla.end_of_day(sla.add_working_days(today, 1, closures))
    candidates = (Meeting.objects.filter(status=MeetingStatus.SCHEDULED, papers_sent_at__isnull=True, group__is_active=True,
                                         held_on__gte=today, held_on__lte=horizon)
                  .select_related("group").order_by("held_on", "id"))
    due = []
    for meeting in candidates:
        cutoff = papers_cutoff(meeting, closures)
        if cutoff <= by and (now >= _nominations_close(meeting, closures) or _nominations_close(meeting, closures) >= cutoff):
            due.append(meeting)
    return due


@transaction.atomic
def minutes_circulated_notify(meeting: Meeting) -> SendResult:
    """Tell every active member the minutes are circulated (one email each, the minutes page's link only), once:
    the history row `minutes.notified` marks it done, the keys keep each member's email single."""
    locked = Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    if locked.minutes_circulated_at is None:
        return SendResult()
    already = JagEvent.objects.filter(meeting=locked, kind=MINUTES_EVENT).exists()
    subject = f"{locked.group.name}: minutes of the meeting on {locked.held_on:%-d %B %Y}"
    queued, skipped = _queue(locked, prefix="jag.minutes", subject=subject, template="emails/jag_minutes.txt",
                             link=_url("jag:minutes", locked))
    if not already or queued:
        event_record(meeting=locked, kind=MINUTES_EVENT,
                     words=f"Members told the minutes are circulated: {queued} email{'s' if queued != 1 else ''}"
                           + (f" ({skipped} without an email address)" if skipped else ""))
    return SendResult(queued=queued, no_email=skipped, already=already)


def minutes_to_notify(now: datetime | None = None) -> list[int]:
    """Meetings whose minutes were circulated (in the last 30 days) and whose members have not been told."""
    now = now or timezone.now()
    notified = JagEvent.objects.filter(meeting=OuterRef("pk"), kind=MINUTES_EVENT)
    return list(Meeting.objects.filter(minutes_circulated_at__isnull=False, minutes_circulated_at__gte=now - MINUTES_LOOKBACK)
                .exclude(Exists(notified)).order_by("minutes_circulated_at", "id").values_list("pk", flat=True))
