"""JAG's beat jobs. They call services (jag.services.papers, jag.services.schedule); every one is safe to run twice
or at the same time as another run (keyed emails, locked meeting rows, the schedule's unique constraint)."""

import logging

from celery import shared_task
from django.utils import timezone

from .models import JagGroup, Meeting
from .services.agenda import agenda_build
from .services.papers import minutes_circulated_notify, minutes_to_notify, papers_due, papers_send
from .services.schedule import JagError, meetings_ensure

logger = logging.getLogger(__name__)


def papers_sweep_run(now=None) -> dict:
    """Keep every active group's next twelve meetings made, then, for each meeting whose papers are due, build its
    agenda (what is missing is added; what a co-chair removed stays off) and send the papers by the cut-off."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = 0
    for group in JagGroup.objects.filter(is_active=True).order_by("pk"):
        made += len(meetings_ensure(group=group, today=today))
    sent = queued = 0
    for meeting in papers_due(now):
        try:
            agenda_build(meeting=meeting, at=now)
            result = papers_send(meeting, at=now)
        except JagError:  # held or cancelled since it was listed
            continue
        sent += not result.already
        queued += result.queued
    return {"scheduled": made, "papers_sent": sent, "emails": queued}


def minutes_sweep_run(now=None) -> dict:
    notified = queued = 0
    for meeting_id in minutes_to_notify(now):
        result = minutes_circulated_notify(Meeting(pk=meeting_id))
        notified += not result.already
        queued += result.queued
    return {"notified": notified, "emails": queued}


@shared_task
def papers_sweep() -> str:
    return str(papers_sweep_run())


@shared_task
def minutes_sweep() -> str:
    return str(minutes_sweep_run())


@shared_task
def minutes_notify(meeting_id: int) -> int:
    """Tell the members the minutes of one meeting are circulated (the minutes page may send this on commit)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return minutes_circulated_notify(meeting).queued if meeting is not None else 0
