"""Review (correctness): defects found in the JAG services, each proved by a test (Postgres, frozen clock)."""

import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from cases.models import AlertStage, Deadline, DeadlineKind, Place
from cases.roles import Role
from cases.services.sweep import deadlines_sweep
from cases.sla import LONDON
from jag.models import JagAction, Meeting, Nomination
from jag.services.actions import action_add, action_update
from jag.services.meeting import JagError
from jag.services.minutes import minutes_approve, minutes_circulate
from jag.services.nominations import nomination_make
from jag.services.schedule import meeting_move, meetings_ensure
from notifications.models import Message

from ..casereview.factories import staff
from . import test_meeting
from .factories import group_make, meeting_make
from .test_meeting import NOW, held, london, opened

pytestmark = pytest.mark.django_db
frozen, world = test_meeting.frozen, test_meeting.world
KIND = DeadlineKind.JAG_ACTION
DUE = date(2026, 12, 22)
DUE_AT = london(2026, 12, 22, 23, 59, 59)


def add(w, *, text="Patrol Bell Street car park on Friday nights", item=0, due_on=DUE):
    return action_add(item=w["items"][item], text=text, owner_agency=w["police"], owner=w["pc"], due_on=due_on,
                      actor=w["chair"])


# --- the schedule: a meeting moved later in its month stays on the schedule ------------------------------------------

def test_a_meeting_moved_later_in_its_month_stays_in_the_next_twelve():
    """The December meeting (rule day 8 December) moved to 15 December: on 10 December it is the next meeting, but the
    schedule (the JAG home page) dropped it because the rule's day had passed."""
    group = group_make()
    with time_machine.travel(datetime(2026, 11, 28, 10, tzinfo=LONDON), tick=False):
        december = meetings_ensure(group=group, today=date(2026, 11, 28))[0]
        meeting_move(meeting=december, held_on=date(2026, 12, 15), reason="Council chamber unavailable",
                     actor=staff("maria", Role.MANAGER), version=december.version)
    with time_machine.travel(datetime(2026, 12, 10, 10, tzinfo=LONDON), tick=False):
        meetings = meetings_ensure(group=group, today=date(2026, 12, 10))
    assert meetings[0].pk == december.pk and meetings[0].held_on == date(2026, 12, 15)
    assert len(meetings) == 12 and [m.held_on for m in meetings] == sorted(m.held_on for m in meetings)


# --- actions: agreed in the meeting, once --------------------------------------------------------------------------

@pytest.fixture
def in_meeting(world):
    opened(world)
    Deadline.objects.open().exclude(kind=KIND).update(met_at=NOW)
    return world


def test_a_double_submitted_action_is_made_once(in_meeting):
    """A resubmit (a double click the session key did not catch: two requests at once) made two actions, two
    deadlines and two sets of reminders for one agreed action."""
    first = add(in_meeting)
    second = add(in_meeting)
    assert second.pk == first.pk
    assert JagAction.objects.count() == 1 and Deadline.objects.filter(kind=KIND).count() == 1
    # A different action on the same item is still another action.
    assert add(in_meeting, text="Ask for better lighting").pk != first.pk


def test_no_action_is_added_once_the_minutes_are_approved_and_locked(world):
    """Actions are agreed in the meeting (and may be typed up straight after it closes), but once its minutes have
    been approved at the next meeting and locked, the record must not grow actions the approved minutes lack (any
    co-chair could add one to a meeting months old)."""
    meeting = held(world)
    assert add(world, text="Typed up straight after the meeting").pk  # closed, minutes not yet out: allowed
    minutes_circulate(meeting=meeting, actor=world["chair"])
    january = meeting_make(world["group"], date(2027, 1, 12), opened_at=NOW)
    minutes_approve(meeting=meeting, approved_at_meeting=january, actor=world["chair"])
    with pytest.raises(JagError, match="minutes have been approved"):
        add(world)
    assert JagAction.objects.count() == 1


# --- reopening an action does not alert again and again -------------------------------------------------------------

def test_reopening_an_overdue_action_again_and_again_alerts_managers_once(in_meeting):
    """An overdue action marked done and reopened by mistake (twice): each reopening opened a fresh deadline, so the
    sweep sent the owner, the police leads and every manager a new breach alert each time."""
    action = add(in_meeting, due_on=date(2026, 12, 10))
    with time_machine.travel(london(2026, 12, 14, 9), tick=False):
        assert deadlines_sweep().alerts == {AlertStage.BREACH: 1}
        for _ in range(2):
            action = JagAction.objects.get(pk=action.pk)
            action = action_update(action=action, status="done", progress="Done", actor=in_meeting["pc"], version=action.version)
            action = action_update(action=action, status="open", progress="Not done after all", actor=in_meeting["pc"],
                                   version=action.version)
            deadlines_sweep()
    breaches = Message.objects.filter(key__contains=":breach:")
    assert breaches.filter(to="maria@example.com").count() == 1
    assert Deadline.objects.open().filter(kind=KIND, subject=action.subject).count() == 1


# --- nominations: two at once make one -----------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["location", "theme"])
def test_two_nominations_of_one_location_or_theme_at_once_make_one(kind):
    from cases.reference_data import reference_data_ensure

    reference_data_ensure()
    officer = staff("omar-race", Role.OFFICER)
    group = group_make(name=f"Race JAG {kind}")
    meeting = meeting_make(group, date(2026, 12, 8))
    place = Place.objects.create(address="Bell Street Car Park", postcode="LE18 2BB", key=f"RACE|{kind}")
    barrier, made, errors = threading.Barrier(4), [], []

    def nominate():
        try:
            barrier.wait(timeout=10)
            with time_machine.travel(datetime(2026, 11, 28, 10, tzinfo=LONDON), tick=False):
                made.append(nomination_make(meeting=Meeting(pk=meeting.pk), kind=kind, place=place, theme="Off-road bikes",
                                            reason="Youths gathering", actor=officer).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=nominate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Nomination.objects.filter(meeting_id=meeting.pk).count() == 1 and len(set(made)) == 1





# --- figures: a meeting the bank holiday put into the next month keeps its month's promise -----------------------

def test_a_meeting_put_into_the_next_month_by_a_bank_holiday_counts_for_its_own_month():
    """A group meeting on the last Monday: August's is always the summer bank holiday, so the schedule holds it on
    Tuesday 1 September. Counted by the day held, August showed no meeting (the promise missed, every year) and
    September one (two held, counted once)."""
    from jag.figures import monthly_figures
    from jag.models import MeetingStatus
    from jag.services.schedule import held_on_for, rule_date

    group = group_make(week=5, weekday=0)
    august, september = rule_date(group, 2026, 8), rule_date(group, 2026, 9)
    assert (august, held_on_for(august)) == (date(2026, 8, 31), date(2026, 9, 1))
    meeting_make(group, held_on_for(august), rule_date=august, status=MeetingStatus.HELD)
    meeting_make(group, september, status=MeetingStatus.HELD)
    figures = monthly_figures(start=date(2026, 8, 1), end=date(2026, 9, 30), group=group)
    assert [(f.month, f.promised, f.held) for f in figures] == [(date(2026, 8, 1), 1, 1), (date(2026, 9, 1), 1, 1)]


# --- locks: recording an item takes the meeting's lock first, as adding an action does -------------------------------

@pytest.mark.django_db(transaction=True)
def test_recording_an_item_while_an_action_is_added_to_it_does_not_deadlock():
    """`action_add` locks the meeting, then the item; `item_record` locked the item, then the meeting. Two co-chairs
    (the council's recording the item, the police's adding an action to it) at the same moment deadlocked: Postgres
    killed one of them (a server error on the page)."""
    import time as clock

    from cases.reference_data import reference_data_ensure
    from jag.models import AgendaItem, ItemKind, ItemSource
    from jag.services.meeting import item_record

    from .factories import member_make

    reference_data_ensure()
    chair = staff("olivia-lock", Role.OFFICER)
    group = group_make(name="Lock JAG")
    member_make(group, chair, co_chair=True)
    meeting = meeting_make(group, date(2026, 12, 8), opened_at=NOW)
    item = AgendaItem.objects.create(meeting=meeting, position=1, kind=ItemKind.THEME, theme="Bikes",
                                     source=ItemSource.ADDED, why="Why")
    meeting_held, errors = threading.Event(), []

    def add_action_locks():  # action_add's order: the meeting's row, then the item's
        from django.db import transaction
        try:
            with transaction.atomic():
                Meeting.objects.select_for_update().get(pk=meeting.pk)
                meeting_held.set()
                clock.sleep(0.5)  # the other co-chair's save gets under way
                AgendaItem.objects.select_for_update().get(pk=item.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def record():
        try:
            meeting_held.wait(timeout=10)
            with time_machine.travel(NOW, tick=False):
                item_record(item=AgendaItem(pk=item.pk, meeting_id=meeting.pk), notes="Discussed", decisions="",
                            outcome="keep", actor=chair)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add_action_locks), threading.Thread(target=record)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AgendaItem.objects.get(pk=item.pk).outcome == "keep"


# --- the agenda: an open action two meetings back is not forgotten ---------------------------------------------------

def test_an_item_whose_action_is_still_open_comes_back_after_a_meeting_closed_it():
    """October agreed an action on Bell Street (due in January, still open). November carried the item over for it and
    escalated it to the CSP. December's agenda forgot it: only the previous meeting's items were looked at, and the
    November item has no actions of its own, so the open action was never reviewed again (the drift the issue is
    about)."""
    from jag.models import AgendaItem, ItemKind, ItemOutcome, ItemSource, MeetingStatus
    from jag.services.agenda import agenda_build

    officer = staff("omar-agenda", Role.OFFICER)
    group = group_make(name="Drift JAG")
    place = Place.objects.create(address="Bell Street Car Park", postcode="LE18 2BB", key="DRIFT|LE182BB")
    october = meeting_make(group, date(2026, 10, 13), status=MeetingStatus.HELD)
    november = meeting_make(group, date(2026, 11, 10), status=MeetingStatus.HELD)
    december = meeting_make(group, date(2026, 12, 8))
    oct_item = AgendaItem.objects.create(meeting=october, position=1, kind=ItemKind.LOCATION, place=place,
                                         source=ItemSource.NOMINATION, why="Youths gathering", outcome=ItemOutcome.KEEP)
    JagAction.objects.create(meeting=october, item=oct_item, text="Better lighting", owner=officer, due_on=date(2027, 1, 20),
                             created_by=officer, created_at=NOW - timedelta(days=50))
    AgendaItem.objects.create(meeting=november, position=1, kind=ItemKind.LOCATION, place=place, carried_from=oct_item,
                              source=ItemSource.CARRIED_OVER, why="Carried over", outcome=ItemOutcome.ESCALATE)
    with time_machine.travel(NOW, tick=False):
        items = agenda_build(meeting=december)
        assert [(i.place_id, i.source, i.carried_from_id) for i in items] == [(place.pk, "carried_over", oct_item.pk)]
        assert items[0].why == "Carried over from the meeting on 13 October 2026: 1 open action"
        assert len(agenda_build(meeting=december)) == 1  # built again: nothing added twice
