"""Sending the papers and telling members the minutes are out (jag.services.papers): one email per active member with
an address (the others counted), the link only and never a case detail, exactly once however often or however many
at once it runs; which meetings are due by the papers cut-off."""

import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from cases.roles import Role
from cases.sla import LONDON
from jag.models import AgendaItem, ItemKind, ItemSource, JagEvent, Meeting, MeetingStatus
from jag.services.papers import (
    MINUTES_EVENT,
    PAPERS_EVENT,
    minutes_circulated_notify,
    minutes_to_notify,
    papers_due,
    papers_send,
)
from jag.services.schedule import JagError, papers_due_at
from notifications.models import Message

from ..casereview.factories import staff
from ..cases.factories import CaseFactory
from .factories import group_make, meeting_make, member_make

HELD_ON = date(2026, 3, 10)  # a Tuesday: nominations close Fri 6 March, papers due Mon 9 March (end of day)
NOW = datetime(2026, 3, 7, 10, 0, tzinfo=LONDON)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _world():
    group = group_make()
    chair = staff("chair", Role.OFFICER, first_name="Olivia", last_name="Chen")
    officer = staff("omar", Role.OFFICER)
    no_email = staff("noemail", Role.OFFICER, email="")
    gone = staff("gone", Role.OFFICER)
    members = [member_make(group, chair, co_chair=True), member_make(group, officer), member_make(group, no_email)]
    left = member_make(group, gone)
    left.is_active = False
    left.save()
    meeting = meeting_make(group, HELD_ON)
    case = CaseFactory(reference="ASB-2026-SECRET", address="12 Hidden Close")
    AgendaItem.objects.create(meeting=meeting, position=1, kind=ItemKind.CASE, case=case, source=ItemSource.NOMINATION,
                              why="Repeated noise from Mr Secretname")
    return {"group": group, "chair": chair, "officer": officer, "members": members, "left": left, "meeting": meeting}


def _papers_messages(meeting):
    return Message.objects.filter(key__startswith=f"jag.papers:{meeting.pk}:").order_by("key")


@pytest.mark.django_db
def test_papers_go_once_to_each_active_member_with_an_email_and_no_case_details(frozen):
    w = _world()
    result = papers_send(w["meeting"], actor=w["chair"])
    assert (result.queued, result.no_email, result.already) == (2, 1, False)
    sent = list(_papers_messages(w["meeting"]))
    assert sorted(m.to for m in sent) == ["chair@example.com", "omar@example.com"]
    for message in sent:
        assert f"/jag/meetings/{w['meeting'].pk}/" in message.body
        assert "Sign in" in message.body
        for secret in ("ASB-2026-SECRET", "Hidden Close", "Secretname", "noise"):
            assert secret not in message.body and secret not in message.subject
    meeting = Meeting.objects.get(pk=w["meeting"].pk)
    assert meeting.papers_sent_at == NOW
    events = list(JagEvent.objects.filter(meeting=meeting, kind=PAPERS_EVENT))
    assert len(events) == 1 and events[0].actor == w["chair"] and "2 members" in events[0].words
    assert "1 without an email address" in events[0].words


@pytest.mark.django_db
def test_sending_again_changes_nothing_but_reaches_a_member_added_since(frozen):
    w = _world()
    papers_send(w["meeting"], actor=w["chair"])
    version = Meeting.objects.get(pk=w["meeting"].pk).version
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        again = papers_send(w["meeting"], actor=w["chair"])
        assert (again.queued, again.already) == (0, True)
        meeting = Meeting.objects.get(pk=w["meeting"].pk)
        assert meeting.papers_sent_at == NOW and meeting.version == version
        assert _papers_messages(meeting).count() == 2
        assert JagEvent.objects.filter(meeting=meeting, kind=PAPERS_EVENT).count() == 1
        member_make(w["group"], staff("newbie", Role.OFFICER))
        late = papers_send(w["meeting"])
        assert late.queued == 1 and _papers_messages(meeting).count() == 3
        assert JagEvent.objects.filter(meeting=meeting, kind=PAPERS_EVENT).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.HELD])
def test_no_papers_for_a_cancelled_or_held_meeting(frozen, status):
    w = _world()
    Meeting.objects.filter(pk=w["meeting"].pk).update(status=status)
    with pytest.raises(JagError):
        papers_send(Meeting.objects.get(pk=w["meeting"].pk))
    assert not _papers_messages(w["meeting"]).exists()


@pytest.mark.django_db(transaction=True)
def test_overlapping_sends_queue_exactly_one_email_per_member():
    with time_machine.travel(NOW, tick=False):
        w = _world()
    barrier, results, errors = threading.Barrier(4), [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(papers_send(Meeting.objects.get(pk=w["meeting"].pk)))
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.queued for r in results) == [0, 0, 0, 2]
    assert _papers_messages(w["meeting"]).count() == 2
    assert JagEvent.objects.filter(meeting=w["meeting"], kind=PAPERS_EVENT).count() == 1


# --- which meetings are due -----------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("now", "due"), [
    (datetime(2026, 3, 5, 12, 0, tzinfo=LONDON), False),  # Thursday: the cut-off (Monday) is two working days away
    (datetime(2026, 3, 6, 12, 0, tzinfo=LONDON), False),  # Friday: nominations still open until the end of the day
    (datetime(2026, 3, 7, 0, 5, tzinfo=LONDON), True),  # nominations closed; the cut-off is the next working day
    (datetime(2026, 3, 9, 23, 0, tzinfo=LONDON), True),  # the cut-off day itself
    (datetime(2026, 3, 10, 9, 0, tzinfo=LONDON), True),  # late, on the day: better than never
    (datetime(2026, 3, 11, 9, 0, tzinfo=LONDON), False),  # the meeting is past
])
def test_papers_are_due_once_nominations_close_and_by_the_cut_off(now, due):
    w = _world()
    assert papers_due_at(w["meeting"]) == datetime(2026, 3, 9, 23, 59, 59, tzinfo=LONDON)
    assert (w["meeting"] in papers_due(now)) is due


@pytest.mark.django_db
def test_sent_cancelled_and_inactive_groups_are_not_due():
    w = _world()
    now = datetime(2026, 3, 8, 9, 0, tzinfo=LONDON)
    other = meeting_make(group_make(name="Blaby JAG"), HELD_ON)
    cancelled = meeting_make(group_make(name="Harborough JAG"), HELD_ON, status=MeetingStatus.CANCELLED)
    sleeping_group = group_make(name="Melton JAG", is_active=False)
    sleeping = meeting_make(sleeping_group, HELD_ON)
    assert set(papers_due(now)) == {w["meeting"], other}
    with time_machine.travel(now, tick=False):
        papers_send(other)
    assert papers_due(now) == [w["meeting"]]
    assert cancelled not in papers_due(now) and sleeping not in papers_due(now)


@pytest.mark.django_db
def test_a_group_with_a_longer_papers_cut_off_is_due_earlier():
    w = _world()
    w["group"].papers_cutoff_days = 3
    w["group"].nomination_cutoff_days = 5
    w["group"].save()
    # Papers due at the end of Thursday 5 March; nominations closed at the end of Tuesday 3 March.
    assert w["meeting"] in papers_due(datetime(2026, 3, 4, 9, 0, tzinfo=LONDON))
    assert w["meeting"] not in papers_due(datetime(2026, 3, 3, 9, 0, tzinfo=LONDON))


# --- the minutes ------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_members_are_told_once_that_the_minutes_are_circulated(frozen):
    w = _world()
    meeting = w["meeting"]
    assert minutes_circulated_notify(meeting).queued == 0  # not circulated: nothing
    assert minutes_to_notify() == []
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD, minutes="Item 1: ASB-2026-SECRET discussed",
                                                 minutes_circulated_at=NOW)
    assert minutes_to_notify() == [meeting.pk]
    first = minutes_circulated_notify(meeting)
    assert (first.queued, first.no_email, first.already) == (2, 1, False)
    messages = list(Message.objects.filter(key__startswith=f"jag.minutes:{meeting.pk}:"))
    assert len(messages) == 2
    for message in messages:
        assert f"/jag/meetings/{meeting.pk}/minutes/" in message.body and "ASB-2026-SECRET" not in message.body
    assert minutes_to_notify() == []
    again = minutes_circulated_notify(meeting)
    assert (again.queued, again.already) == (0, True)
    assert Message.objects.filter(key__startswith=f"jag.minutes:{meeting.pk}:").count() == 2
    assert JagEvent.objects.filter(meeting=meeting, kind=MINUTES_EVENT).count() == 1


@pytest.mark.django_db
def test_old_circulated_minutes_are_not_swept(frozen):
    w = _world()
    Meeting.objects.filter(pk=w["meeting"].pk).update(status=MeetingStatus.HELD, minutes="x",
                                                      minutes_circulated_at=NOW - timedelta(days=40))
    assert minutes_to_notify() == []
