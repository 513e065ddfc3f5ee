"""Case Review applications, the services: taking one in by any route (idempotent on its submission key), the reference
sequence, the default contact person, the acknowledgement by each preferred method, the stage deadlines over a bank
holiday, linking the quoted case (closing its threshold flag), the contact person, withdrawal, and Redis being down."""

import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection

from casereview.models import Application, ApplicationEvent, Route, Stage, ThresholdFlag, Timescales
from casereview.services.applications import (
    ApplicationSubmission,
    application_acknowledge,
    application_case_link,
    application_spoc_assign,
    application_submit,
    application_withdraw,
)
from casereview.services.common import CaseReviewError, StaleError
from cases.models import Deadline, DeadlineKind, PartyRole
from cases.roles import GROUP_NAMES, Role
from notifications.models import Message, MessageStatus

from ..cases.factories import UserFactory, report_submission, submit_report
from ..test_resilience import redis_down  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Friday 1 May 2026, noon: Monday 4 May is the early May bank holiday.
FRIDAY_BEFORE_BANK_HOLIDAY = datetime(2026, 5, 1, 12, 0, tzinfo=LONDON)
TUESDAY = datetime(2026, 6, 16, 10, 0, tzinfo=LONDON)


def submission(**overrides) -> ApplicationSubmission:
    values = dict(applicant_name="Margaret Ellis", preferred_contact_method="email", email="margaret@example.com",
                  phone="07700 900123", location="14 Bell Street, Wigston", description="Music until 3am every night for months")
    values.update(overrides)
    return ApplicationSubmission(**values)


def submit(data=None, **kwargs) -> Application:
    kwargs.setdefault("route", Route.ONLINE)
    kwargs.setdefault("submission_key", uuid.uuid4())
    return application_submit(data=data or submission(), **kwargs)


def deadline(application, kind) -> Deadline:
    return Deadline.objects.get(subject=application.subject, kind=kind)


@pytest.fixture
def officer_spoc(officer_user):
    officer_user.first_name, officer_user.last_name = "Priya", "Shah"
    officer_user.save()
    Timescales.objects.update_or_create(pk=1, defaults={"default_spoc": officer_user})
    return officer_user


# --- taking it in ------------------------------------------------------------------------------------------


def test_the_same_submission_key_twice_makes_one_application():
    key = uuid.uuid4()
    with time_machine.travel(TUESDAY, tick=False):
        first = submit(submission_key=key)
        second = submit(submission_key=key)
    assert first.pk == second.pk
    assert Application.objects.count() == 1
    assert Message.objects.filter(key=f"cr-ack:{first.pk}").count() == 1
    assert Deadline.objects.filter(subject=first.subject).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_make_one_application():
    """Two requests with the same key in two threads at the same moment: one application, one acknowledgement."""
    key, results, errors = uuid.uuid4(), [], []
    barrier = threading.Barrier(2)

    def click():
        try:
            barrier.wait(timeout=10)
            results.append(submit(submission_key=key).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert Application.objects.count() == 1
    assert Message.objects.filter(key__startswith="cr-ack").count() == 1


def test_references_run_in_sequence_per_year_of_receipt():
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=LONDON), tick=False):
        a = submit()
        b = submit()
    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=LONDON), tick=False):
        c = submit()
    assert (a.reference, b.reference, c.reference) == ("CR-2026-0001", "CR-2026-0002", "CR-2027-0001")


def test_the_default_contact_person_is_given_and_owns_the_stage_deadlines(officer_spoc):
    with time_machine.travel(TUESDAY, tick=False):
        application = submit()
    assert application.spoc == officer_spoc
    assert set(Deadline.objects.filter(subject=application.subject).values_list("owner", flat=True)) == {officer_spoc.pk}


def test_without_a_default_there_is_no_contact_person_and_the_history_says_so():
    with time_machine.travel(TUESDAY, tick=False):
        application = submit()
    assert application.spoc is None
    assert ApplicationEvent.objects.filter(application=application, summary__contains="No contact person").exists()


def test_a_default_who_can_no_longer_work_reviews_is_not_given(officer_spoc):
    officer_spoc.groups.clear()
    officer_spoc.groups.add(Group.objects.get(name=GROUP_NAMES[Role.CALL_CENTRE]))
    with time_machine.travel(TUESDAY, tick=False):
        assert submit().spoc is None


def test_acknowledge_and_decision_are_due_from_receipt_skipping_the_bank_holiday():
    with time_machine.travel(FRIDAY_BEFORE_BANK_HOLIDAY, tick=False):
        application = submit(data=submission(preferred_contact_method="phone"))
    ack = deadline(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE)
    decision = deadline(application, DeadlineKind.CASE_REVIEW_DECISION)
    # 3 working days after Friday 1 May, Monday 4 May a bank holiday: Tuesday, Wednesday, Thursday 7 May.
    assert ack.due_at == datetime(2026, 5, 7, 23, 59, 59, tzinfo=LONDON)
    # 10 working days: 5, 6, 7, 8, 11, 12, 13, 14, 15 and 18 May.
    assert decision.due_at == datetime(2026, 5, 18, 23, 59, 59, tzinfo=LONDON)
    assert ack.met_at is None and decision.met_at is None


def test_a_paper_application_logged_later_counts_from_the_day_it_was_received(call_centre_user):
    received = FRIDAY_BEFORE_BANK_HOLIDAY
    with time_machine.travel(received + timedelta(days=5), tick=False):
        application = submit(route=Route.PAPER, logged_by=call_centre_user, received_at=received,
                             data=submission(preferred_contact_method="letter", address="14 Bell Street", postcode="LE18 1AA"))
    assert application.received_at == received and application.logged_by == call_centre_user
    assert deadline(application, DeadlineKind.CASE_REVIEW_DECISION).due_at == datetime(2026, 5, 18, 23, 59, 59, tzinfo=LONDON)
    assert ApplicationEvent.objects.filter(application=application, summary__contains="paper form or letter").exists()


def test_a_received_date_in_the_future_is_refused():
    with time_machine.travel(TUESDAY, tick=False), pytest.raises(CaseReviewError):
        submit(received_at=TUESDAY + timedelta(days=1))
    assert Application.objects.count() == 0


def test_on_someones_behalf_without_their_agreement_is_refused():
    with time_machine.travel(TUESDAY, tick=False), pytest.raises(CaseReviewError, match="agreement"):
        submit(data=submission(applicant_is_victim=False, relationship="family", victim_consents=None))
    assert Application.objects.count() == 0


# --- the acknowledgement -------------------------------------------------------------------------------------


def test_email_preference_is_acknowledged_at_once_by_email_with_the_decision_date_and_contact(officer_spoc, django_capture_on_commit_callbacks):
    with time_machine.travel(FRIDAY_BEFORE_BANK_HOLIDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        application = submit()
    application.refresh_from_db()
    assert application.stage == Stage.ACKNOWLEDGED
    assert application.acknowledgement_method == "email" and application.acknowledged_at == FRIDAY_BEFORE_BANK_HOLIDAY
    assert deadline(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE).met_at == FRIDAY_BEFORE_BANK_HOLIDAY
    message = Message.objects.get(key=f"cr-ack:{application.pk}")
    assert message.to == "margaret@example.com"
    assert application.reference in message.subject
    assert "Monday 18 May 2026" in message.body  # the stored DECISION deadline
    assert "Priya Shah" in message.body
    assert "0116 2888 961" in message.body
    assert not Message.objects.filter(key=f"cr-ack-sms:{application.pk}").exists()


def test_text_preference_is_acknowledged_by_text():
    with time_machine.travel(FRIDAY_BEFORE_BANK_HOLIDAY, tick=False):
        application = submit(data=submission(preferred_contact_method="text", email=""))
    message = Message.objects.get(key=f"cr-ack-sms:{application.pk}")
    assert message.channel == "sms" and message.to == "07700 900123"
    assert application.reference in message.body and "Mon 18 May" in message.body
    assert Application.objects.get(pk=application.pk).stage == Stage.ACKNOWLEDGED


@pytest.mark.parametrize("method, extra", [("phone", {}), ("letter", {"address": "14 Bell Street", "postcode": "LE18 1AA"})])
def test_phone_or_letter_preference_is_left_for_the_contact_person_to_record(method, extra, officer_spoc):
    with time_machine.travel(TUESDAY, tick=False):
        application = submit(data=submission(preferred_contact_method=method, **extra))
    assert application.stage == Stage.RECEIVED and application.acknowledged_at is None
    assert not Message.objects.filter(key__startswith="cr-ack").exists()
    assert deadline(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE).met_at is None

    later = TUESDAY + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        done = application_acknowledge(application=application, method=method, actor=officer_spoc, version=application.version)
    assert done.stage == Stage.ACKNOWLEDGED and done.acknowledged_by == officer_spoc and done.acknowledgement_method == method
    assert deadline(application, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE).met_at == later
    with pytest.raises(CaseReviewError):  # a second click: already acknowledged (or stale)
        application_acknowledge(application=done, method=method, actor=officer_spoc, version=done.version)


def test_acknowledging_with_an_old_version_is_stale(officer_spoc):
    with time_machine.travel(TUESDAY, tick=False):
        application = submit(data=submission(preferred_contact_method="phone"))
    with pytest.raises(StaleError):
        application_acknowledge(application=application, method="phone", actor=officer_spoc, version=application.version + 1)


# --- the council case and its threshold flag ----------------------------------------------------------------


def _case_with_open_flag(at):
    report = submit_report(report_submission(incident_date=at.date() - timedelta(days=2)), received_at=at - timedelta(days=1))
    flag = ThresholdFlag.objects.create(case=report.case, person=report.reporter.person, rule_text="any hate incident",
                                        met_at=at - timedelta(days=1))
    return report, flag


def test_quoting_the_council_case_reference_links_it_and_closes_its_threshold_flag():
    with time_machine.travel(TUESDAY, tick=False):
        report, flag = _case_with_open_flag(TUESDAY)
        application = submit(data=submission(case_references=f"Police 1234, council {report.case.reference.lower()}"))
    assert application.case == report.case
    flag.refresh_from_db()
    assert flag.closed_at is not None and flag.closed_note == f"Application {application.reference} made"


def test_a_reference_that_is_not_a_case_links_nothing():
    with time_machine.travel(TUESDAY, tick=False):
        application = submit(data=submission(case_references="ASB-2026-99999 and ASB-2026"))
    assert application.case is None


def test_linking_by_hand_chooses_the_victim_and_closes_the_flag(officer_user):
    with time_machine.travel(TUESDAY, tick=False):
        report, flag = _case_with_open_flag(TUESDAY)
        application = submit()
        linked = application_case_link(application=application, case=report.case, person=report.reporter.person,
                                        actor=officer_user, version=application.version)
    assert linked.case == report.case and linked.person == report.reporter.person
    flag.refresh_from_db()
    assert flag.closed_at is not None and flag.closed_by == officer_user


def test_linking_to_someone_who_is_not_a_victim_on_the_case_is_refused(officer_user):
    with time_machine.travel(TUESDAY, tick=False):
        report, _ = _case_with_open_flag(TUESDAY)
        other = submit_report(report_submission(full_name="Kyle Mercer", email="kyle@example.com", phone="07700 900555",
                                                reporter_role=PartyRole.WITNESS, incident_date=TUESDAY.date()))
        application = submit()
        with pytest.raises(CaseReviewError):
            application_case_link(application=application, case=report.case, person=other.reporter.person, actor=officer_user,
                                  version=application.version)


# --- the contact person and withdrawal -------------------------------------------------------------------------


def test_a_new_contact_person_owns_the_open_deadlines_and_the_applicant_is_told_once(manager_user, officer_spoc):
    other = UserFactory(username="o2", first_name="Tom", last_name="Reid")
    other.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICER]))
    with time_machine.travel(TUESDAY, tick=False):
        application = submit()
        changed = application_spoc_assign(application=application, spoc=other, actor=manager_user, version=application.version)
    assert changed.spoc == other
    open_owners = set(Deadline.objects.open().filter(subject=application.subject).values_list("owner", flat=True))
    assert open_owners == {other.pk}
    told = Message.objects.filter(key__startswith=f"cr-spoc:{application.pk}:")
    assert told.count() == 1 and "Tom Reid" in told.get().body
    with pytest.raises(StaleError):  # the same form posted again
        application_spoc_assign(application=application, spoc=other, actor=manager_user, version=application.version)
    assert told.count() == 1


def test_a_contact_person_must_be_able_to_work_reviews(manager_user, call_centre_user):
    with time_machine.travel(TUESDAY, tick=False):
        application = submit()
        with pytest.raises(CaseReviewError):
            application_spoc_assign(application=application, spoc=call_centre_user, actor=manager_user, version=application.version)


def test_withdrawing_cancels_the_stages(officer_user):
    with time_machine.travel(TUESDAY, tick=False):
        application = submit(data=submission(preferred_contact_method="phone"))
        done = application_withdraw(application=application, reason="She asked to withdraw by phone", actor=officer_user,
                                    version=application.version)
    assert done.stage == Stage.WITHDRAWN and not done.is_open and done.closed_at is not None
    assert not Deadline.objects.open().filter(subject=application.subject).exists()
    with pytest.raises(CaseReviewError):
        application_withdraw(application=done, reason="Again", actor=officer_user, version=done.version)


# --- Redis down ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_down")
def test_an_application_is_saved_with_redis_down_and_its_acknowledgement_waits_in_the_outbox():
    application = submit()
    assert Application.objects.filter(pk=application.pk).exists()
    message = Message.objects.get(key=f"cr-ack:{application.pk}")
    assert message.status == MessageStatus.PENDING and mail.outbox == []
