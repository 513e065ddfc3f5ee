"""JAG's beat jobs (jag.tasks): the papers sweep keeps twelve meetings on every active group's schedule and sends the
papers due by the cut-off; the minutes sweep tells members once; both are exactly-once when run again or at the same
time as another run."""

import threading
from datetime import date, datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from cases.roles import Role
from cases.sla import LONDON
from jag import tasks
from jag.models import JagEvent, Meeting, MeetingStatus
from jag.services.papers import MINUTES_EVENT, PAPERS_EVENT
from notifications.models import Message

from ..casereview.factories import staff
from .factories import group_make, member_make

# Saturday 7 March 2026: the group's meeting on Tuesday 10 March has its papers due by the end of Monday 9 March.
NOW = datetime(2026, 3, 7, 10, 0, tzinfo=LONDON)


def _group(name="Oadby and Wigston JAG", members=2, **extra):
    group = group_make(name=name, **extra)
    for n in range(members):
        member_make(group, staff(f"{name[:5].lower()}{n}", Role.OFFICER), co_chair=n == 0)
    return group


def test_the_beat_runs_both_sweeps_every_15_minutes():
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks_by_name = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    assert tasks_by_name["jag.tasks.papers_sweep"] == 900 and tasks_by_name["jag.tasks.minutes_sweep"] == 900
    from asb_portal.celery import app

    app.loader.import_default_modules()
    assert {"jag.tasks.papers_sweep", "jag.tasks.minutes_sweep", "jag.tasks.minutes_notify"} <= set(app.tasks)


@pytest.mark.django_db
def test_the_papers_sweep_fills_the_schedule_and_sends_what_is_due_once():
    group = _group()
    sleeping = _group("Melton JAG", is_active=False)
    with time_machine.travel(NOW, tick=False):
        first = tasks.papers_sweep_run()
        assert Meeting.objects.filter(group=group).count() == 12 and not Meeting.objects.filter(group=sleeping).exists()
        meeting = Meeting.objects.get(group=group, held_on=date(2026, 3, 10))
        assert first["papers_sent"] == 1 and first["emails"] == 2
        assert meeting.papers_sent_at == NOW
        again = tasks.papers_sweep_run()
        assert again == {"scheduled": 12, "papers_sent": 0, "emails": 0}
    assert Message.objects.filter(key__startswith="jag.papers:").count() == 2
    assert JagEvent.objects.get(meeting=meeting, kind=PAPERS_EVENT).actor is None
    # The next meeting (14 April) is not due yet.
    assert not Meeting.objects.filter(group=group, held_on=date(2026, 4, 14)).exclude(papers_sent_at=None).exists()


@pytest.mark.django_db
def test_the_celery_tasks_call_the_services():
    _group()
    with time_machine.travel(NOW, tick=False):
        assert "papers_sent" in tasks.papers_sweep()
        meeting = Meeting.objects.get(held_on=date(2026, 3, 10))
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD, minutes="Minutes", minutes_circulated_at=NOW)
        assert "'notified': 1" in tasks.minutes_sweep()
        assert tasks.minutes_notify(meeting.pk) == 0  # already told
        assert tasks.minutes_notify(999999) == 0
    assert Message.objects.filter(key__startswith=f"jag.minutes:{meeting.pk}:").count() == 2
    assert JagEvent.objects.filter(meeting=meeting, kind=MINUTES_EVENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_overlapping_sweeps_send_each_email_exactly_once():
    group = _group(members=3)
    with time_machine.travel(NOW, tick=False):
        tasks.papers_sweep_run()  # the schedule made; the papers of 10 March sent
        meeting = Meeting.objects.get(group=group, held_on=date(2026, 3, 10))
        Meeting.objects.filter(pk=meeting.pk).update(papers_sent_at=None)
        Message.objects.all().delete()
        JagEvent.objects.all().delete()
        Meeting.objects.filter(group=group, held_on=date(2026, 2, 10)).delete()
        held = Meeting.objects.create(group=group, rule_date=date(2026, 2, 10), held_on=date(2026, 2, 10),
                                      starts_at=group.starts_at, location=group.location, status=MeetingStatus.HELD,
                                      minutes="Minutes", minutes_circulated_at=NOW)
    barrier, errors = threading.Barrier(4), []

    def run(sweep):
        try:
            barrier.wait(timeout=10)
            sweep()
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in (tasks.papers_sweep_run, tasks.papers_sweep_run,
                                                                 tasks.minutes_sweep_run, tasks.minutes_sweep_run)]
    with time_machine.travel(NOW, tick=False):  # one clock for every thread
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert Message.objects.filter(key__startswith=f"jag.papers:{meeting.pk}:").count() == 3
    assert Message.objects.filter(key__startswith=f"jag.minutes:{held.pk}:").count() == 3
    assert JagEvent.objects.filter(meeting=meeting, kind=PAPERS_EVENT).count() == 1
    assert JagEvent.objects.filter(meeting=held, kind=MINUTES_EVENT).count() == 1
    assert Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED).count() == 12


@pytest.mark.django_db
def test_the_papers_sweep_builds_the_agenda_before_it_sends_the_papers():
    """The agenda is built by the system: at the papers cut-off the sweep adds what is missing (an accepted
    nomination here), so the packs members are told about hold it; an item a co-chair removed stays off."""
    from jag.models import AgendaItem
    from jag.services.agenda import agenda_build, agenda_item_remove
    from jag.services.nominations import nomination_make

    group = _group()
    chair = group.members.get(is_co_chair=True).user
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON), tick=False):
        tasks.papers_sweep_run()  # the schedule
        meeting = Meeting.objects.get(group=group, held_on=date(2026, 3, 10))
        nomination_make(meeting=meeting, kind="theme", theme="Off-road bikes", reason="Reports up", actor=chair)
        nomination_make(meeting=meeting, kind="theme", theme="Fireworks", reason="November", actor=chair)
        fireworks = [i for i in agenda_build(meeting=meeting) if i.theme == "Fireworks"][0]
        agenda_item_remove(item=fireworks, reason="Out of season", actor=chair)
        AgendaItem.objects.filter(meeting=meeting, theme="Off-road bikes").delete()  # not built yet, as if nominated late
    with time_machine.travel(NOW, tick=False):
        assert tasks.papers_sweep_run()["papers_sent"] == 1
    live = AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)
    assert [i.theme for i in live] == ["Off-road bikes"]
    assert Meeting.objects.get(pk=meeting.pk).papers_sent_at == NOW
