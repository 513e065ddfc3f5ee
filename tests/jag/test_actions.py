"""Actions between meetings: an owner from the owning agency (or the council), a due date, a deadline the one sweep
reminds before it is due and alerts when overdue, exactly once; progress from the owner, their agency or the council;
the words on the tag; the home page's list."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import AlertStage, Deadline, DeadlineAlert, DeadlineKind
from cases.services.sweep import deadlines_sweep
from jag.models import JagAction
from jag.services.actions import action_add, action_status_words, action_update, actions_for_home
from jag.services.meeting import JagError, StaleError
from notifications.models import Message

from . import test_meeting
from .test_meeting import NOW, london, opened

pytestmark = pytest.mark.django_db
frozen, world = test_meeting.frozen, test_meeting.world  # the shared fixtures
KIND = DeadlineKind.JAG_ACTION
DUE = date(2026, 12, 22)
DUE_AT = london(2026, 12, 22, 23, 59, 59)


@pytest.fixture
def in_meeting(world):
    opened(world)
    Deadline.objects.open().exclude(kind=KIND).update(met_at=NOW)  # only the actions' deadlines are open
    return world


def add(w, *, owner="pc", agency="police", due_on=DUE, text="Patrol Bell Street car park on Friday nights", item=0, actor="chair"):
    return action_add(item=w["items"][item], text=text, owner_agency=w[agency] if agency else None, owner=w[owner],
                      due_on=due_on, actor=w[actor])


def the_deadline(action) -> Deadline:
    return Deadline.objects.filter(subject=action.subject, kind=KIND).latest("id")


def update(w, action, status, progress="", who="pc"):
    action = JagAction.objects.get(pk=action.pk)
    return action_update(action=action, status=status, progress=progress, actor=w[who], version=action.version)


# --- adding ---------------------------------------------------------------------------------------------------

def test_an_action_opens_a_deadline_at_the_end_of_its_due_day_with_no_personal_data(in_meeting):
    action = add(in_meeting)
    deadline = the_deadline(action)
    assert (deadline.due_at, deadline.owner, deadline.agency, deadline.case_id) == (DUE_AT, in_meeting["pc"], in_meeting["police"], None)
    assert deadline.title == "JAG action due: Oadby and Wigston JAG, meeting of 8 December 2026"
    assert deadline.path == f"/jag/actions/{action.pk}/" and deadline.subject == f"jag.action:{action.pk}"
    assert (action.meeting, action.created_by, action.created_at, action.status) == (in_meeting["meeting"], in_meeting["chair"], NOW, "open")


def test_a_council_action_is_owned_by_council_staff(in_meeting):
    action = add(in_meeting, owner="officer", agency=None)
    assert the_deadline(action).agency is None and the_deadline(action).owner == in_meeting["officer"]
    with pytest.raises(JagError, match="council"):
        add(in_meeting, owner="pc", agency=None)


@pytest.mark.parametrize(("owner", "agency"), [("housing_user", "police"), ("officer", "police"), ("pc", "housing")])
def test_the_owner_must_be_a_member_of_the_owning_agency(in_meeting, owner, agency):
    with pytest.raises(JagError, match="Choose someone from"):
        add(in_meeting, owner=owner, agency=agency)
    assert not JagAction.objects.exists() and not Deadline.objects.filter(kind=KIND).exists()


def test_an_agency_no_longer_a_partner_or_an_inactive_owner_is_refused(in_meeting):
    in_meeting["pc"].is_active = False
    in_meeting["pc"].save()
    with pytest.raises(JagError, match="who owns"):
        add(in_meeting)
    in_meeting["housing"].is_active = False
    in_meeting["housing"].save()
    with pytest.raises(JagError, match="still a partner"):
        add(in_meeting, owner="housing_user", agency="housing")


@pytest.mark.parametrize("due_on", [date(2026, 12, 8), date(2026, 12, 7)])
def test_the_due_date_must_be_in_the_future(in_meeting, due_on):
    with pytest.raises(JagError, match="future"):
        add(in_meeting, due_on=due_on)
    assert add(in_meeting, due_on=date(2026, 12, 9)).due_on == date(2026, 12, 9)


def test_actions_are_agreed_in_the_meeting_by_a_co_chair_on_an_item_still_on(world):
    with pytest.raises(JagError, match="in the meeting"):
        add(world)
    opened(world)
    with pytest.raises(JagError, match="co-chair"):
        add(world, actor="pc")
    with pytest.raises(JagError, match="Enter the action"):
        add(world, text="   ")
    world["items"][1].removed_at = NOW
    world["items"][1].save()
    with pytest.raises(JagError, match="taken off"):
        add(world, item=1)
    assert add(world, actor="inspector").created_by == world["inspector"]


# --- updating ---------------------------------------------------------------------------------------------------

def test_done_meets_the_deadline_and_reopening_owes_it_again(in_meeting):
    action = add(in_meeting)
    done = update(in_meeting, action, "done", "Patrols done on four Fridays")
    assert (done.status, done.completed_at, done.updated_by, done.version) == ("done", NOW, in_meeting["pc"], 2)
    assert the_deadline(action).met_at == NOW and not the_deadline(action).breached
    first = the_deadline(action).pk
    reopened = update(in_meeting, done, "open", "The gathering started again")
    assert reopened.completed_at is None
    again = the_deadline(action)
    assert again.pk != first and again.met_at is None and again.due_at == DUE_AT
    assert Deadline.objects.open().filter(kind=KIND, subject=action.subject).count() == 1


def test_dropped_needs_a_reason_and_meets_the_deadline(in_meeting):
    action = add(in_meeting)
    with pytest.raises(JagError, match="why"):
        update(in_meeting, action, "dropped", "  ")
    dropped = update(in_meeting, action, "dropped", "The car park is closing")
    assert dropped.status == "dropped" and the_deadline(action).met_at == NOW


def test_who_may_update(in_meeting):
    police = add(in_meeting)
    council = add(in_meeting, owner="officer", agency=None)
    for who in ("housing_user", "housing_lead"):
        with pytest.raises(JagError, match="cannot change"):
            update(in_meeting, police, "done", "x", who=who)
    with pytest.raises(JagError, match="cannot change"):
        update(in_meeting, council, "done", "x", who="pc")
    assert update(in_meeting, police, "open", "Visited once", who="inspector").progress == "Visited once"  # their agency
    assert update(in_meeting, police, "open", "Visited twice", who="manager").progress == "Visited twice"  # council staff
    assert update(in_meeting, council, "done", "Letters sent", who="officer").status == "done"  # the owner


def test_a_stale_form_or_an_unknown_status_is_refused(in_meeting):
    action = add(in_meeting)
    update(in_meeting, action, "open", "First visit")
    with pytest.raises(StaleError):
        action_update(action=action, status="done", progress="x", actor=in_meeting["pc"], version=action.version)
    with pytest.raises(JagError, match="status"):
        update(in_meeting, action, "finished", "x")
    assert JagAction.objects.get(pk=action.pk).status == "open"


def test_an_unchanged_form_changes_nothing(in_meeting):
    action = add(in_meeting)
    assert update(in_meeting, action, "open", "").version == 1


# --- reminders through the sweep --------------------------------------------------------------------------------

def test_the_owner_and_police_leads_are_reminded_and_managers_alerted_when_overdue_exactly_once(in_meeting):
    action = add(in_meeting)
    assert deadlines_sweep(now=DUE_AT - timedelta(days=3)).alerts == {}
    assert deadlines_sweep(now=DUE_AT - timedelta(days=2)).alerts == {AlertStage.REMINDER: 1}
    assert deadlines_sweep(now=DUE_AT - timedelta(days=2)).messages == 0  # the same sweep again
    reminded = sorted(Message.objects.filter(key__startswith=f"deadline:{the_deadline(action).pk}:reminder:").values_list("to", flat=True))
    assert reminded == ["insp-jones@example.com", "pc-smith@example.com"]
    assert f"/jag/actions/{action.pk}/" in Message.objects.get(to="pc-smith@example.com").body
    assert deadlines_sweep(now=DUE_AT - timedelta(days=1)).messages == 0
    assert deadlines_sweep(now=DUE_AT + timedelta(minutes=1)).alerts == {AlertStage.BREACH: 1}
    breached = sorted(Message.objects.filter(key__startswith=f"deadline:{the_deadline(action).pk}:breach:").values_list("to", flat=True))
    assert breached == ["insp-jones@example.com", "maria@example.com", "pc-smith@example.com"]
    assert deadlines_sweep(now=DUE_AT + timedelta(days=1)).messages == 0
    assert not set(Message.objects.values_list("to", flat=True)) & {"hsg@example.com", "hsg-lead@example.com", "omar@example.com"}


def test_a_done_action_is_not_reminded(in_meeting):
    action = add(in_meeting)
    update(in_meeting, action, "done", "Done")
    assert deadlines_sweep(now=DUE_AT - timedelta(days=1)).alerts == {}
    assert deadlines_sweep(now=DUE_AT + timedelta(days=1)).alerts == {}


def test_a_reopened_action_past_its_day_is_overdue_once(in_meeting):
    action = add(in_meeting, due_on=date(2026, 12, 10))
    update(in_meeting, action, "done", "Done")
    with time_machine.travel(london(2026, 12, 14, 9), tick=False):
        update(in_meeting, action, "open", "It started again")
        assert deadlines_sweep().alerts == {AlertStage.BREACH: 1}
        assert deadlines_sweep().alerts == {}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_alert_each_action_exactly_once():
    from cases.models import PartnerAgency
    from cases.reference_data import reference_data_ensure
    from cases.roles import Role
    from cases.services.deadlines import obligation_open

    from ..casereview.factories import partner_user, staff

    reference_data_ensure()
    police = PartnerAgency.objects.get_or_create(name="Leicestershire Police", defaults={"kind": "police"})[0]
    pc = partner_user("pc-race", Role.PARTNER_USER, police)
    partner_user("lead-race", Role.PARTNER_LEAD, police)
    staff("mgr-race", Role.MANAGER)
    Deadline.objects.open().update(met_at=NOW)
    for n in range(20):  # the deadlines exactly as action_add opens them
        obligation_open(kind=KIND, subject=f"jag.action:{1000 + n}", title="JAG action due: race", path=f"/jag/actions/{1000 + n}/",
                        starts_at=NOW, due_at=DUE_AT, owner=pc, agency=police)
    barrier, results, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            barrier.wait()
            results.append(deadlines_sweep(now=DUE_AT + timedelta(hours=1)))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.alerts[AlertStage.BREACH] for r in results) == 20
    assert DeadlineAlert.objects.filter(stage=AlertStage.BREACH, deadline__kind=KIND).count() == 20
    keys = list(Message.objects.filter(key__startswith="deadline:").values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 60  # owner, police lead and manager, once each per action


# --- words and the home page ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "due_on", "expected"), [
    ("open", date(2026, 12, 31), ("On track", "blue")),
    ("open", date(2026, 12, 16), ("On track", "blue")),
    ("open", date(2026, 12, 15), ("Due soon", "yellow")),
    ("open", date(2026, 12, 8), ("Due soon", "yellow")),
    ("open", date(2026, 12, 7), ("Overdue", "red")),
    ("done", date(2026, 12, 7), ("Done", "green")),
    ("dropped", date(2026, 12, 31), ("Dropped", "grey")),
])
def test_status_words(status, due_on, expected):
    assert action_status_words(JagAction(status=status, due_on=due_on), date(2026, 12, 8)) == expected


def test_home_lists_my_open_actions_and_a_partner_leads_agencys(in_meeting):
    mine = add(in_meeting, due_on=date(2026, 12, 20))
    later = add(in_meeting, due_on=date(2027, 1, 5))
    council = add(in_meeting, owner="officer", agency=None)
    housing = add(in_meeting, owner="housing_user", agency="housing")
    done = add(in_meeting)
    update(in_meeting, done, "done", "Done")
    assert actions_for_home(in_meeting["pc"], limit=10) == [mine, later]
    assert actions_for_home(in_meeting["pc"], limit=1) == [mine]
    assert actions_for_home(in_meeting["inspector"], limit=10) == [mine, later]  # a lead: the agency's
    assert actions_for_home(in_meeting["housing_user"], limit=10) == [housing]
    assert actions_for_home(in_meeting["housing_lead"], limit=10) == [housing]
    assert actions_for_home(in_meeting["officer"], limit=10) == [council]
    assert actions_for_home(in_meeting["manager"], limit=10) == []


def test_home_keeps_a_fixed_number_of_queries(in_meeting):
    from django.contrib.auth import get_user_model

    def count(user) -> int:
        user = get_user_model().objects.get(pk=user.pk)  # a fresh request's user
        with CaptureQueriesContext(connection) as ctx:
            rows = actions_for_home(user, limit=50)
            [(a.meeting.group.name, a.owner.username, a.owner_agency.name) for a in rows]
        return len(ctx.captured_queries)

    add(in_meeting)
    small = count(in_meeting["inspector"])
    for n in range(15):
        add(in_meeting, due_on=DUE + timedelta(days=n))
        add(in_meeting, owner="inspector", due_on=DUE + timedelta(days=n))
    assert count(in_meeting["inspector"]) == small


def test_a_council_action_reminds_its_owner_and_alerts_managers_when_overdue(in_meeting):
    action = add(in_meeting, owner="officer", agency=None)
    assert deadlines_sweep(now=DUE_AT - timedelta(days=1)).alerts == {AlertStage.REMINDER: 1}
    assert list(Message.objects.filter(key__startswith="deadline:").values_list("to", flat=True)) == ["omar@example.com"]
    assert deadlines_sweep(now=DUE_AT + timedelta(hours=1)).alerts == {AlertStage.BREACH: 1}
    breached = sorted(Message.objects.filter(key__startswith=f"deadline:{the_deadline(action).pk}:breach:").values_list("to", flat=True))
    assert breached == ["maria@example.com", "omar@example.com"]
