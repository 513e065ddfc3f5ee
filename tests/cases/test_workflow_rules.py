"""Workflow rules from issue 9: people's changes keep their deadlines true; status moves go through one map each
(cases: STATUS_TRANSITIONS; actions: ACTION_STATUS_TRANSITIONS) and one audited path."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from cases import sla
from cases.models import (
    STATUS_TRANSITIONS,
    Action,
    ActionStatus,
    ActionType,
    Case,
    CaseStatus,
    Deadline,
    DeadlineKind,
    PartyRole,
    TimelineEntry,
    TimelineKind,
)
from cases.services import (
    CaseError,
    action_record,
    action_update,
    breach_record,
    contact_record,
    party_add,
    party_update,
)

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


NOW = london(2026, 12, 15, 12, 0)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def contacted_case(actor):
    """A case reported on Monday 7 December whose reporter had first contact on the 8th (so it is open)."""
    report = submit_report(report_submission(incident_date=date(2026, 12, 7)), received_at=london(2026, 12, 7, 9))
    contact_record(case=report.case, party=report.reporter, method="phone", direction="out", successful=True,
                   summary="Spoke", occurred_at=london(2026, 12, 8, 10), gave_update=True, actor=actor)
    return Case.objects.get(pk=report.case_id), report.reporter


def open_update(party):
    return Deadline.objects.open().filter(kind=DeadlineKind.VICTIM_UPDATE, party=party).first()


# --- party_update recomputes deadlines -------------------------------------------------------------------

def test_a_witness_who_becomes_a_victim_is_owed_updates_from_now(officer_user):
    case, _ = contacted_case(officer_user)
    witness = party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, full_name="Bob Shaw", phone="07700 900222")
    assert open_update(witness) is None
    party_update(party=witness, actor=officer_user, role=PartyRole.VICTIM)
    deadline = open_update(witness)
    assert deadline is not None and deadline.starts_at == NOW and deadline.due_at == london(2026, 12, 29, 23, 59, 59)
    assert deadline.interval_days == 14


def test_a_victim_without_contact_details_who_gives_a_phone_number_becomes_reachable(officer_user):
    case, _ = contacted_case(officer_user)
    victim = party_add(case=case, actor=officer_user, role=PartyRole.VICTIM, full_name="No Details")
    assert open_update(victim) is None
    party_update(party=victim, actor=officer_user, phone="07700 900333")
    assert open_update(victim) is not None


def test_a_victim_who_is_only_a_witness_after_all_has_their_update_deadline_cancelled(officer_user):
    case, _ = contacted_case(officer_user)
    victim = party_add(case=case, actor=officer_user, role=PartyRole.VICTIM, full_name="Ann Shaw", phone="07700 900111")
    deadline = open_update(victim)
    assert deadline is not None
    party_update(party=victim, actor=officer_user, role=PartyRole.WITNESS)
    deadline.refresh_from_db()
    assert deadline.cancelled_at == NOW and not deadline.breached  # cancelled before it fell due: not counted
    assert open_update(victim) is None


def test_editing_other_details_leaves_deadlines_alone(officer_user):
    case, reporter = contacted_case(officer_user)
    before = list(Deadline.objects.values_list("id", "due_at", "cancelled_at"))
    party_update(party=reporter, actor=officer_user, best_times="Mornings")
    assert list(Deadline.objects.values_list("id", "due_at", "cancelled_at")) == before


# --- contact_record uses the transition map ---------------------------------------------------------------

def test_first_contact_opens_a_new_case_only_through_the_transition_map(officer_user, monkeypatch):
    report = submit_report(report_submission(incident_date=date(2026, 12, 7)), received_at=london(2026, 12, 7, 9))
    monkeypatch.setitem(STATUS_TRANSITIONS, CaseStatus.NEW, {CaseStatus.CLOSED})  # a map that forbids new → open
    contact_record(case=report.case, party=report.reporter, method="phone", direction="out", successful=True,
                   summary="Spoke", occurred_at=london(2026, 12, 8, 10), gave_update=True, actor=officer_user)
    assert Case.objects.get(pk=report.case_id).status == CaseStatus.NEW


def test_first_contact_opens_a_new_case(officer_user):
    case, _ = contacted_case(officer_user)
    assert case.status == CaseStatus.OPEN


# --- actions: one transition map, one audited status path -------------------------------------------------

def served_action(case, actor, slug="cpn") -> Action:
    return action_record(case=case, action_type=ActionType.objects.get(slug=slug), served_on=date(2026, 12, 1), actor=actor)


def test_a_breach_changes_the_status_through_the_audited_path(officer_user):
    case, _ = contacted_case(officer_user)
    action = served_action(case, officer_user)
    version = Case.objects.get(pk=case.pk).version
    breach_record(action=action, occurred_on=date(2026, 12, 10), description="Music at 2am", actor=officer_user)
    action.refresh_from_db()
    assert action.status == ActionStatus.BREACHED
    assert Case.objects.get(pk=case.pk).version > version
    change = TimelineEntry.objects.filter(case=case, kind=TimelineKind.ACTION).order_by("-id").first()
    assert change.changes == {"status": [ActionStatus.IN_FORCE, ActionStatus.BREACHED]} and change.actor == officer_user


def test_a_breach_of_an_ended_action_is_recorded_and_the_action_stays_ended(officer_user):
    case, _ = contacted_case(officer_user)
    action = served_action(case, officer_user)
    action_update(action=action, actor=officer_user, status=ActionStatus.ENDED)
    breach_record(action=action, occurred_on=date(2026, 12, 2), description="Before it ended", actor=officer_user)
    action.refresh_from_db()
    assert action.status == ActionStatus.ENDED and action.breaches.count() == 1


def test_an_action_update_refuses_a_move_outside_the_map_and_names_the_allowed_ones(officer_user):
    case, _ = contacted_case(officer_user)
    action = served_action(case, officer_user, slug="abc")
    action_update(action=action, actor=officer_user, status=ActionStatus.COMPLIED)
    with pytest.raises(CaseError, match=r"complied cannot be marked planned\. It can be marked: breached, ended\."):
        action_update(action=action, actor=officer_user, status=ActionStatus.PLANNED)
    action_update(action=action, actor=officer_user, status=ActionStatus.ENDED)
    with pytest.raises(CaseError, match="It can be marked: nothing: it is final"):
        action_update(action=action, actor=officer_user, status=ActionStatus.IN_FORCE)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.ENDED


def test_an_action_update_bumps_the_case_version(officer_user):
    case, _ = contacted_case(officer_user)
    action = served_action(case, officer_user)
    version = Case.objects.get(pk=case.pk).version
    action_update(action=action, actor=officer_user, review_on=date(2026, 12, 1) + timedelta(days=30))
    assert Case.objects.get(pk=case.pk).version == version + 1
