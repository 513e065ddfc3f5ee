"""Rights requests: the one-calendar-month deadline, the extension, outcomes, third parties, release and the sweep."""

import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases.models import ClosureDay, PartyRole
from cases.services import party_add
from notifications.models import Message
from privacy.models import Release, RequestKind, RightsRequest, RightsRequestAlert, ThirdParty
from privacy.services.rights import (
    RightsError,
    access_release,
    rights_due_on,
    rights_extended_due_on,
    rights_request_close,
    rights_request_extend,
    rights_request_record,
    rights_requests_sweep,
    third_parties_list,
    third_party_decide,
)

from ..cases.factories import UserFactory
from .rights_helpers import rights_world

LONDON_NOON = "12:00:00+00:00"


@pytest.mark.parametrize("received, due, why", [
    (date(2025, 9, 3), date(2025, 10, 3), "the ICO's example: the corresponding date next month"),
    (date(2025, 1, 31), date(2025, 2, 28), "no 31 February: the month's last day"),
    (date(2028, 1, 31), date(2028, 2, 29), "a leap year: 29 February"),
    (date(2028, 1, 30), date(2028, 2, 29), "30 January in a leap year"),
    (date(2028, 2, 29), date(2028, 3, 29), "received on 29 February"),
    (date(2027, 1, 31), date(2027, 3, 1), "28 February 2027 is a Sunday: the next working day"),
    (date(2025, 8, 31), date(2025, 9, 30), "31 August: 30 September"),
    (date(2026, 11, 30), date(2026, 12, 30), "year end, an ordinary day"),
    (date(2026, 11, 25), date(2026, 12, 29), "Christmas Day, a Saturday and the Boxing Day substitute: Tuesday 29th"),
    (date(2026, 12, 1), date(2027, 1, 4), "New Year's Day (a Friday): Monday 4 January"),
    (date(2026, 12, 31), date(2027, 2, 1), "received on New Year's Eve: 31 January 2027 is a Sunday, so Monday 1 February"),
    (date(2027, 2, 26), date(2027, 3, 30), "Good Friday and Easter Monday: Tuesday"),
    (date(2026, 4, 4), date(2026, 5, 5), "the early May bank holiday"),
    (date(2026, 9, 3), date(2026, 10, 5), "3 October 2026 is a Saturday: Monday 5th"),
])
def test_due_one_calendar_month_after_receipt(received, due, why):
    assert rights_due_on(received) == due, why


@pytest.mark.parametrize("received, due", [
    (date(2025, 9, 3), date(2025, 12, 3)),  # 3 October + 2 months
    (date(2028, 1, 31), date(2028, 5, 2)),  # 29 Feb + 2 months = 29 April (Saturday); Mon 1 May a bank holiday
    (date(2025, 1, 31), date(2025, 4, 28)),  # counted from 28 February, not from receipt
    (date(2026, 9, 3), date(2026, 12, 3)),  # from the corresponding date 3 October, not the Monday it moved to
])
def test_extension_is_two_more_months_from_the_original_corresponding_date(received, due):
    assert rights_extended_due_on(received) == due


def test_a_council_closure_day_does_not_move_a_statutory_deadline(db):
    ClosureDay.objects.create(day=date(2026, 12, 30), reason="Christmas closure")
    assert rights_due_on(date(2026, 11, 30)) == date(2026, 12, 30)


@pytest.fixture
def clock():
    with time_machine.travel(datetime.fromisoformat(f"2026-09-10T{LONDON_NOON}"), tick=False) as traveller:
        yield traveller


def test_recording_stores_the_due_date(clock, manager_user):
    request = rights_request_record(kind=RequestKind.ERASURE, received_on=date(2026, 9, 3), details="By letter", actor=manager_user)
    request.refresh_from_db()
    assert (request.due_on, request.status, request.recorded_by) == (date(2026, 10, 5), "open", manager_user)


def test_a_request_cannot_be_received_in_the_future(clock, manager_user):
    with pytest.raises(RightsError, match="future"):
        rights_request_record(kind=RequestKind.ACCESS, received_on=date(2026, 9, 11), actor=manager_user)


def test_extension_once_with_a_reason_and_only_until_the_original_due_date(clock, manager_user):
    request = rights_request_record(kind=RequestKind.ACCESS, received_on=date(2026, 9, 3), actor=manager_user)
    with pytest.raises(RightsError, match="reason"):
        rights_request_extend(request=request, reason="  ", actor=manager_user)
    request = rights_request_extend(request=request, reason="Six cases and a great deal of evidence", actor=manager_user)
    assert (request.due_on, request.status) == (date(2026, 12, 3), "extended")
    with pytest.raises(RightsError, match="only once"):
        rights_request_extend(request=request, reason="Again", actor=manager_user)

    late = rights_request_record(kind=RequestKind.ACCESS, received_on=date(2026, 8, 7), actor=manager_user)  # due 7 September
    with pytest.raises(RightsError, match="Too late to extend"):
        rights_request_extend(request=late, reason="Complex", actor=manager_user)
    assert RightsRequest.objects.get(pk=late.pk).due_on == date(2026, 9, 7)


def test_on_the_original_due_date_it_can_still_be_extended(manager_user):
    with time_machine.travel(datetime.fromisoformat(f"2026-10-05T{LONDON_NOON}"), tick=False):
        request = rights_request_record(kind=RequestKind.ACCESS, received_on=date(2026, 9, 3), actor=manager_user)
        assert rights_request_extend(request=request, reason="Complex", actor=manager_user).due_on == date(2026, 12, 3)


def test_erasure_refused_on_legal_claims_records_the_basis(clock, manager_user):
    request = rights_request_record(kind=RequestKind.ERASURE, received_on=date(2026, 9, 1), actor=manager_user)
    with pytest.raises(RightsError, match="basis"):
        rights_request_close(request=request, status="refused", outcome="x", outcome_basis="crime", actor=manager_user)  # access only
    with pytest.raises(RightsError, match="closes the request as refused"):
        rights_request_close(request=request, status="done", outcome="x", outcome_basis="legal_claims", actor=manager_user)
    closed = rights_request_close(request=request, status="refused", outcome="Injunction proceedings are under way",
                                  outcome_basis="legal_claims", actor=manager_user)
    closed.refresh_from_db()
    assert (closed.status, closed.outcome_basis, closed.closed_by) == ("refused", "legal_claims", manager_user)
    with pytest.raises(RightsError, match="already closed"):
        rights_request_close(request=closed, status="done", outcome="x", outcome_basis="complied", actor=manager_user)


# --- third parties and release -------------------------------------------------------------------------------

@pytest.fixture
def world(db, officer_user):
    return rights_world(officer_user)


def test_third_parties_are_everyone_else_on_the_persons_cases(world, manager_user):
    request = rights_request_record(kind=RequestKind.ACCESS, received_on=timezone.localdate() - timedelta(days=1), person=world.margaret,
                                    actor=manager_user)
    listed = {tp.party_id: tp for tp in ThirdParty.objects.filter(request=request)}
    assert set(listed) == {world.kyle_a.pk, world.kyle_b.pk}
    assert {tp.decision for tp in listed.values()} == {"redact"} and not any(tp.decided_by for tp in listed.values())
    assert third_parties_list(request=request) == 0  # again: nothing new
    party_add(case=world.case_b, actor=manager_user, role=PartyRole.WITNESS, full_name="Wendy Witness")
    assert third_parties_list(request=request) == 1


def test_release_refused_until_every_third_party_is_decided_then_logged_and_closed(world, manager_user):
    request = rights_request_record(kind=RequestKind.ACCESS, received_on=timezone.localdate() - timedelta(days=1), person=world.margaret,
                                    actor=manager_user)
    with pytest.raises(RightsError, match="Decide whether to redact or disclose 2 third parties"):
        access_release(request=request, method="Secure email", actor=manager_user)
    for tp in ThirdParty.objects.filter(request=request):
        third_party_decide(third_party=tp, decision="redact", reason="", actor=manager_user)
    party_add(case=world.case_a, actor=manager_user, role=PartyRole.WITNESS, full_name="Wendy Witness")
    with pytest.raises(RightsError, match="joined the person's cases"):
        access_release(request=request, method="Secure email", actor=manager_user)
    third_parties_list(request=request)
    wendy = ThirdParty.objects.get(request=request, party__full_name="Wendy Witness")
    with pytest.raises(RightsError, match="reason for disclosing"):
        third_party_decide(third_party=wendy, decision="disclose", reason="", actor=manager_user)
    third_party_decide(third_party=wendy, decision="disclose", reason="She agreed by phone", actor=manager_user)

    release = access_release(request=request, method="Secure email", actor=manager_user)
    request.refresh_from_db()
    assert (request.status, request.closed_by, request.closed_at is not None) == ("released", manager_user, True)
    assert len(release.sha256) == 64 and release.size > 1000 and release.method == "Secure email"
    assert Release.objects.count() == 1
    with pytest.raises(RightsError, match="closed"):
        access_release(request=request, method="Post", actor=manager_user)


def test_release_needs_an_identified_person(clock, manager_user):
    request = rights_request_record(kind=RequestKind.ACCESS, received_on=date(2026, 9, 1), actor=manager_user)
    with pytest.raises(RightsError, match="Identify the person"):
        access_release(request=request, method="Post", actor=manager_user)


# --- the sweep -------------------------------------------------------------------------------------------------

def _managers():
    from django.contrib.auth.models import Group

    from cases.roles import GROUP_NAMES, Role

    users = [UserFactory(username=f"privacy{n}", email=f"privacy{n}@example.com") for n in range(2)]
    for user in users:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.MANAGER]))
    officer = UserFactory(username="not-a-manager", email="officer@example.com")
    officer.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICER]))
    return users


def _at(day: str):
    return datetime.fromisoformat(f"{day}T{LONDON_NOON}")


@pytest.mark.django_db
def test_sweep_reminds_a_week_before_and_alerts_the_day_after_once_each(manager_user):
    managers = _managers()
    with time_machine.travel(_at("2026-09-10"), tick=False):
        request = rights_request_record(kind=RequestKind.ERASURE, received_on=date(2026, 9, 3), actor=managers[0])  # due Mon 5 Oct
    assert rights_requests_sweep(now=_at("2026-09-27")).reminders == 0  # 8 days before
    result = rights_requests_sweep(now=_at("2026-09-28"))
    assert (result.reminders, result.breaches, result.messages) == (1, 0, 2)
    assert rights_requests_sweep(now=_at("2026-10-05")).messages == 0  # due today: reminded already, not breached
    result = rights_requests_sweep(now=_at("2026-10-06"))
    assert (result.reminders, result.breaches, result.messages) == (0, 1, 2)
    assert rights_requests_sweep(now=_at("2026-10-07")).messages == 0
    messages = list(Message.objects.filter(key__startswith="rights:").order_by("id"))
    assert sorted(m.to for m in messages) == ["privacy0@example.com", "privacy0@example.com",
                                              "privacy1@example.com", "privacy1@example.com"]
    assert messages[0].subject == f"Rights request {request.pk} is due on 5 October 2026"
    assert messages[-1].subject == f"Rights request {request.pk} is overdue: it was due on 5 October 2026"
    assert "manager" not in {m.to for m in messages}  # the fixture manager has no email address: nobody to write to


@pytest.mark.django_db
def test_alerts_carry_no_personal_data(officer_user):
    managers = _managers()
    world = rights_world(officer_user)
    with time_machine.travel(_at("2026-09-10"), tick=False):
        rights_request_record(kind=RequestKind.ACCESS, received_on=date(2026, 9, 3), person=world.margaret,
                              details="Mrs Ellis wants everything", actor=managers[0])
    rights_requests_sweep(now=_at("2026-10-06"))
    message = Message.objects.filter(key__startswith="rights:").first()
    text = message.subject + message.body
    assert "Ellis" not in text and "Margaret" not in text and "900123" not in text and "Bell Street" not in text


@pytest.mark.django_db
def test_an_extension_brings_a_new_reminder_and_a_closed_request_none(manager_user):
    managers = _managers()
    with time_machine.travel(_at("2026-09-10"), tick=False):
        extended = rights_request_record(kind=RequestKind.ACCESS, received_on=date(2026, 9, 3), actor=managers[0])
        closed = rights_request_record(kind=RequestKind.ERASURE, received_on=date(2026, 9, 3), actor=managers[0])
        rights_request_close(request=closed, status="done", outcome="Erased", outcome_basis="complied", actor=managers[0])
    assert rights_requests_sweep(now=_at("2026-09-30")).reminders == 1
    with time_machine.travel(_at("2026-10-01"), tick=False):
        rights_request_extend(request=extended, reason="Complex", actor=managers[0])
    assert rights_requests_sweep(now=_at("2026-10-06")).breaches == 0  # now due 3 December
    assert rights_requests_sweep(now=_at("2026-11-26")).reminders == 1
    assert RightsRequestAlert.objects.filter(request=closed).count() == 0
    assert set(RightsRequestAlert.objects.values_list("due_on", flat=True)) == {date(2026, 10, 5), date(2026, 12, 3)}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_alert_once():
    managers = _managers()
    with time_machine.travel(_at("2026-09-10"), tick=False):
        for _ in range(5):
            rights_request_record(kind=RequestKind.ERASURE, received_on=date(2026, 9, 3), actor=managers[0])
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            rights_requests_sweep(now=_at("2026-10-06"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert RightsRequestAlert.objects.filter(stage="breach").count() == 5
    assert Message.objects.filter(key__startswith="rights:").count() == 5 * len(managers)
    rights_requests_sweep(now=_at("2026-10-06"))
    assert Message.objects.filter(key__startswith="rights:").count() == 5 * len(managers)


def test_the_beat_entry_names_a_task_the_worker_registers(settings):
    from asb_portal.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE["rights-sweep"]["task"] == "privacy.tasks_requests.rights_sweep"
    assert "privacy.tasks_requests.rights_sweep" in app.tasks
