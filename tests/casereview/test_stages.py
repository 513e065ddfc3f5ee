"""The review's services: the threshold decision (s.104(5)), the meeting, the outcome letter and the request to look
again, each with its rules, refusals, stage deadlines, history and messages to the applicant (at most once)."""

from datetime import date, timedelta

import pytest
import time_machine

from casereview.models import Application, ApplicationEvent, EscalationRequest, ReviewMeeting, Stage
from casereview.services.common import CaseReviewError, StaleError
from casereview.services.recommendations import recommendation_add
from casereview.services.stages import (
    EscalationAsk,
    MeetingRecord,
    application_decide,
    decision_letter,
    escalation_outcome_record,
    escalation_record,
    meeting_record,
    outcome_letter_draft,
    outcome_send,
)
from cases.models import Deadline, DeadlineKind, PartnerAgency
from cases.roles import Role
from notifications.models import Message

from ..cases.factories import report_submission, submit_report
from .factories import APPLICANT_EMAIL, APPLICANT_NAME, application_make, decided, fresh, london, met, staff

pytestmark = pytest.mark.django_db
# Wednesday 4 November 2026, 10:00: no bank holiday for weeks either side.
NOW = london(2026, 11, 4, 10, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(db):
    return {"manager": staff("maria", Role.MANAGER, first_name="Maria", last_name="Lopez"),
            "spoc": staff("sam", Role.OFFICER, first_name="Sam", last_name="Patel")}


def open_kinds(application):
    return set(Deadline.objects.open().filter(subject=application.subject).values_list("kind", flat=True))


def deadline(application, kind):
    return Deadline.objects.filter(subject=application.subject, kind=kind).latest("id")


# --- the threshold decision -------------------------------------------------------------------------------------

def test_threshold_met_holds_a_review_and_opens_the_meeting_stage_15_working_days_on(people):
    application = application_make(received_at=london(2026, 11, 2, 9), spoc=people["spoc"])
    done = application_decide(application=application, threshold_met=True, proceeds=True, reasons="Three reports",
                              actor=people["manager"], version=application.version)
    assert done.stage == Stage.AWAITING_MEETING and done.decided_by == people["manager"] and done.version == application.version + 1
    assert open_kinds(done) == {DeadlineKind.CASE_REVIEW_MEETING}
    # Decided Wednesday 4 November: 15 working days on is Wednesday 25 November.
    assert deadline(done, DeadlineKind.CASE_REVIEW_MEETING).due_at == london(2026, 11, 25, 23, 59, 59)
    assert deadline(done, DeadlineKind.CASE_REVIEW_DECISION).met_at == NOW
    # A decision acknowledges an application nobody had acknowledged.
    assert deadline(done, DeadlineKind.CASE_REVIEW_ACKNOWLEDGE).met_at == NOW and done.acknowledged_at == NOW
    message = Message.objects.get(key=f"cr-decision:{done.pk}")
    assert message.to == APPLICANT_EMAIL and "a case review will be held" in message.body and "Sam Patel" in message.body
    assert ApplicationEvent.objects.filter(application=done, summary__startswith="Threshold decision: threshold met").exists()


def test_below_the_threshold_a_review_may_still_be_held_with_reasons(people):
    application = application_make(spoc=people["spoc"])
    done = application_decide(application=application, threshold_met=False, proceeds=True,
                              reasons="Two reports, but the harm to a disabled victim is severe (s.104(5))",
                              actor=people["manager"], version=application.version)
    assert done.stage == Stage.AWAITING_MEETING and done.threshold_met is False and done.proceeds is True
    assert "s.104(5)" in ApplicationEvent.objects.filter(application=done).first().summary


def test_threshold_met_but_no_review_is_refused(people):
    application = application_make()
    with pytest.raises(CaseReviewError, match="a review must be held"):
        application_decide(application=application, threshold_met=True, proceeds=False, reasons="No",
                           actor=people["manager"], version=application.version)
    assert fresh(application).decided_at is None


@pytest.mark.parametrize("reasons", ["", "   \n "])
def test_a_decision_needs_reasons(people, reasons):
    application = application_make()
    with pytest.raises(CaseReviewError, match="reasons"):
        application_decide(application=application, threshold_met=False, proceeds=False, reasons=reasons,
                           actor=people["manager"], version=application.version)


def test_not_met_closes_it_and_tells_the_applicant_the_reasons_and_the_last_day_to_ask_again(people):
    application = application_make(spoc=people["spoc"])
    done = application_decide(application=application, threshold_met=False, proceeds=False,
                              reasons="One report in six months, and the police have charged the neighbour.",
                              actor=people["manager"], version=application.version)
    assert done.stage == Stage.NOT_MET and not done.is_open and open_kinds(done) == set()
    body = Message.objects.get(key=f"cr-decision:{done.pk}").body
    # 20 working days after Wednesday 4 November 2026 is Wednesday 2 December 2026.
    assert "the police have charged the neighbour" in body and "Wednesday 2 December 2026" in body
    assert "looked at again" in body


def test_a_text_message_applicant_gets_a_short_text(people):
    application = application_make(method="text", email="")
    done = application_decide(application=application, threshold_met=False, proceeds=False, reasons="Not enough reports",
                              actor=people["manager"], version=application.version)
    sms = Message.objects.get(key=f"cr-decision:{done.pk}:sms")
    assert sms.channel == "sms" and "Not enough reports" in sms.body and "2 December 2026" in sms.body


@pytest.mark.parametrize("method", ["phone", "letter"])
def test_phone_or_letter_sends_nothing_and_leaves_the_letter_for_the_spoc(people, method):
    application = application_make(method=method, spoc=people["spoc"])
    done = application_decide(application=application, threshold_met=False, proceeds=False, reasons="Only one report",
                              actor=people["manager"], version=application.version)
    assert not Message.objects.filter(key__startswith="cr-decision").exists()
    assert f"to be told by {method}" in ApplicationEvent.objects.filter(application=done).first().summary
    letter = decision_letter(done)
    assert APPLICANT_NAME in letter and "Only one report" in letter and "Wednesday 2 December 2026" in letter


# cases.contact_rules.task_method_for: a call if we hold a number, a letter only as the last resort.
@pytest.mark.parametrize("overrides, told", [({"method": "email", "email": ""}, "phone"),
                                              ({"method": "text", "phone": "0116 288 8961"}, "phone"),
                                              ({"method": "email", "email": "", "address": ""}, "phone"),
                                              ({"method": "email", "email": "", "phone": ""}, "letter"),
                                              ({"method": "letter"}, "letter")])
def test_a_message_we_cannot_send_falls_back_to_a_call_or_a_letter(people, overrides, told):
    application = application_make(**overrides)
    done = application_decide(application=application, threshold_met=False, proceeds=False, reasons="Only one report",
                              actor=people["manager"], version=application.version)
    assert not Message.objects.exists()
    assert ApplicationEvent.objects.filter(application=done).first().summary.endswith(f"applicant to be told by {told}")


def test_a_second_decision_with_the_same_version_is_stale_and_changes_nothing(people):
    application = application_make()
    version = application.version
    application_decide(application=application, threshold_met=True, proceeds=True, reasons="Met", actor=people["manager"], version=version)
    with pytest.raises(StaleError):
        application_decide(application=application, threshold_met=False, proceeds=False, reasons="Again", actor=people["manager"],
                           version=version)
    with pytest.raises(StaleError):
        application_decide(application=application, threshold_met=True, proceeds=True, reasons="No version", actor=people["manager"],
                           version=None)
    assert fresh(application).proceeds is True and Message.objects.filter(key__startswith="cr-decision").count() == 1


def test_a_decided_or_withdrawn_application_cannot_be_decided_again(people):
    application = decided(application_make(), people["manager"])
    with pytest.raises(CaseReviewError, match="already been made"):
        application_decide(application=application, threshold_met=True, proceeds=True, reasons="Again", actor=people["manager"],
                           version=fresh(application).version)


def test_the_rule_met_in_words_is_stored_from_the_linked_case(people):
    first = submit_report(report_submission(incident_date=date(2026, 10, 1)), received_at=london(2026, 10, 1, 12))
    for day in (8, 15):
        submit_report(report_submission(incident_date=date(2026, 10, day)), received_at=london(2026, 10, day, 12))
    application = application_make(case=first.case)
    done = application_decide(application=application, threshold_met=True, proceeds=True, reasons="Met", actor=people["manager"],
                              version=application.version)
    assert done.threshold_rule == "3 separate incidents reported by one person within 6 months"


# --- the meeting ------------------------------------------------------------------------------------------------

def record(**overrides):
    values = {"held_on": date(2026, 11, 4), "chair_name": "Dr Harriet Oduya", "independent_chair": True, "agencies_present": [],
              "applicant_participation": "views_written", "agency_summary": "Two warning letters; two police visits.",
              "action_plan": "Joint visit; noise monitoring.", "victim_consulted": True, **overrides}
    return MeetingRecord(**values)


def test_the_meeting_meets_its_stage_and_opens_the_outcome_5_working_days_from_the_meeting(people):
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    application = decided(application_make(spoc=people["spoc"]), people["manager"])
    meeting = meeting_record(application=application, record=record(held_on=date(2026, 11, 4), agencies_present=[police]),
                             actor=people["spoc"], version=fresh(application).version)
    assert list(meeting.agencies_present.all()) == [police] and meeting.recorded_by == people["spoc"]
    done = fresh(application)
    assert done.stage == Stage.MEETING_HELD and open_kinds(done) == {DeadlineKind.CASE_REVIEW_OUTCOME}
    # Held Wednesday 4 November: the outcome is due by the end of Wednesday 11 November.
    assert deadline(done, DeadlineKind.CASE_REVIEW_OUTCOME).due_at == london(2026, 11, 11, 23, 59, 59)
    assert deadline(done, DeadlineKind.CASE_REVIEW_MEETING).met_at is not None


def test_a_meeting_recorded_later_counts_from_the_day_it_was_held(people):
    with time_machine.travel(london(2026, 10, 1, 9), tick=False):
        application = decided(application_make(received_at=london(2026, 10, 1, 9)), people["manager"])
    meeting_record(application=application, record=record(held_on=date(2026, 10, 20)), actor=people["spoc"],
                   version=fresh(application).version)
    assert deadline(application, DeadlineKind.CASE_REVIEW_MEETING).met_at == london(2026, 10, 20, 23, 59, 59)
    # Held Tuesday 20 October: 5 working days on is Tuesday 27 October (already overdue, as it is).
    assert deadline(application, DeadlineKind.CASE_REVIEW_OUTCOME).due_at == london(2026, 10, 27, 23, 59, 59)


@pytest.mark.parametrize("held_on, message", [(date(2026, 11, 5), "today or in the past"), (date(2026, 11, 3), "on or after the threshold decision")])
def test_a_meeting_date_in_the_future_or_before_the_decision_is_refused(people, held_on, message):
    application = decided(application_make(), people["manager"])
    with pytest.raises(CaseReviewError, match=message):
        meeting_record(application=application, record=record(held_on=held_on), actor=people["spoc"], version=fresh(application).version)
    assert not ReviewMeeting.objects.exists()


def test_one_meeting_per_application_a_second_post_is_stale(people):
    application = decided(application_make(), people["manager"])
    version = fresh(application).version
    meeting_record(application=application, record=record(), actor=people["spoc"], version=version)
    with pytest.raises(StaleError):
        meeting_record(application=application, record=record(), actor=people["spoc"], version=version)
    with pytest.raises(CaseReviewError, match="already been recorded"):
        meeting_record(application=application, record=record(), actor=people["spoc"], version=fresh(application).version)
    assert ReviewMeeting.objects.count() == 1


def test_no_meeting_without_a_decision_to_hold_a_review(people):
    application = application_make()
    with pytest.raises(CaseReviewError, match="no review is due"):
        meeting_record(application=application, record=record(), actor=people["spoc"], version=application.version)


@pytest.mark.parametrize("field, value, message", [("chair_name", " ", "chair"), ("agency_summary", "", "every agency"),
                                                   ("action_plan", "", "action plan"), ("applicant_participation", "x", "took part")])
def test_a_meeting_needs_its_facts(people, field, value, message):
    application = decided(application_make(), people["manager"])
    with pytest.raises(CaseReviewError, match=message):
        meeting_record(application=application, record=record(**{field: value}), actor=people["spoc"], version=fresh(application).version)


# --- the outcome letter -----------------------------------------------------------------------------------------

def reviewed(people, **kwargs):
    application = met(decided(application_make(spoc=people["spoc"], **kwargs), people["manager"]), people["spoc"])
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    recommendation_add(application=application, text="Patrol Quarryfield Close on Friday nights", owner_agency=police,
                       due_on=date(2026, 12, 18), actor=people["spoc"], version=fresh(application).version)
    return fresh(application)


def test_the_draft_letter_has_the_findings_plan_recommendations_spoc_and_last_day_to_ask_again(people):
    letter = outcome_letter_draft(reviewed(people))
    for expected in (APPLICANT_NAME, "The council sent two warning letters", "Noise monitoring for four weeks",
                     "Patrol Quarryfield Close on Friday nights", "Leicestershire Police", "18 December 2026", "Sam Patel",
                     # 20 working days after Wednesday 4 November 2026.
                     "Wednesday 2 December 2026"):
        assert expected in letter, expected


def test_sending_by_email_sends_the_edited_letter_once_and_meets_the_outcome_stage(people):
    application = reviewed(people)
    sent = outcome_send(application=application, letter="Dear Philippa,\n\nEdited by Sam.", actor=people["spoc"],
                        version=application.version)
    assert sent.stage == Stage.OUTCOME_SENT and sent.outcome_method == "email" and sent.outcome_sent_at == NOW
    assert sent.outcome_letter == "Dear Philippa,\n\nEdited by Sam."
    message = Message.objects.get(key=f"cr-outcome:{sent.pk}")
    assert message.body.startswith("Dear Philippa,\n\nEdited by Sam.") and message.to == APPLICANT_EMAIL
    assert deadline(sent, DeadlineKind.CASE_REVIEW_OUTCOME).met_at == NOW
    with pytest.raises(StaleError):
        outcome_send(application=application, letter="Again", actor=people["spoc"], version=application.version)
    with pytest.raises(CaseReviewError, match="already been sent"):
        outcome_send(application=application, letter="Again", actor=people["spoc"], version=sent.version)
    assert Message.objects.filter(key__startswith="cr-outcome").count() == 1


def test_sending_by_text_texts_that_the_letter_is_on_its_way_by_email(people):
    application = reviewed(people, method="text")
    sent = outcome_send(application=application, letter="The letter", actor=people["spoc"], version=application.version)
    sms = Message.objects.get(key=f"cr-outcome:{sent.pk}:sms")
    assert "on its way to you by email" in sms.body and "Sam Patel" in sms.body
    assert Message.objects.get(key=f"cr-outcome:{sent.pk}").body.startswith("The letter")


def test_sending_by_text_without_an_email_says_it_comes_by_post(people):
    application = reviewed(people, method="text", email="")
    sent = outcome_send(application=application, letter="The letter", actor=people["spoc"], version=application.version)
    assert "by post" in Message.objects.get(key=f"cr-outcome:{sent.pk}:sms").body
    assert not Message.objects.filter(key=f"cr-outcome:{sent.pk}").exists()


def test_sending_by_letter_records_it_for_posting(people):
    application = reviewed(people, method="letter")
    sent = outcome_send(application=application, letter="The letter", actor=people["spoc"], version=application.version)
    assert sent.outcome_method == "letter" and not Message.objects.filter(key__startswith="cr-outcome").exists()
    assert ApplicationEvent.objects.filter(application=sent).first().summary == "Outcome letter to be posted"


def test_no_outcome_before_the_meeting(people):
    application = decided(application_make(), people["manager"])
    with pytest.raises(CaseReviewError, match="review meeting has not been recorded"):
        outcome_send(application=application, letter="x", actor=people["spoc"], version=fresh(application).version)


# --- the request to look again ---------------------------------------------------------------------------------

def sent_outcome(people, **kwargs):
    application = reviewed(people, **kwargs)
    return outcome_send(application=application, letter="The letter", actor=people["spoc"], version=application.version)


def test_a_request_in_time_opens_the_escalation_stage_15_working_days_on(people):
    application = sent_outcome(people)
    with time_machine.travel(london(2026, 11, 20, 14), tick=False):
        made = escalation_record(application=application, actor=people["spoc"], version=application.version,
                                 ask=EscalationAsk(requested_on=date(2026, 11, 20), route="phone", reasons="Nothing has changed"))
    assert made.in_time and fresh(application).stage == Stage.ESCALATED
    # Asked Friday 20 November: 15 working days on is Friday 11 December.
    assert deadline(application, DeadlineKind.CASE_REVIEW_ESCALATION).due_at == london(2026, 12, 11, 23, 59, 59)


def test_the_last_day_to_ask_is_in_time_and_the_next_is_late_needing_a_reason(people):
    application = sent_outcome(people)  # sent Wednesday 4 November: the last day is Wednesday 2 December
    with time_machine.travel(london(2026, 12, 3, 9), tick=False):
        with pytest.raises(CaseReviewError, match="late .* 2 December 2026"):
            escalation_record(application=application, actor=people["spoc"], version=application.version,
                              ask=EscalationAsk(requested_on=date(2026, 12, 3), route="email", reasons="Still bad"))
        late = escalation_record(application=application, actor=people["spoc"], version=application.version,
                                 ask=EscalationAsk(requested_on=date(2026, 12, 3), route="email", reasons="Still bad",
                                                   late_reason="She was in hospital"))
    assert late.in_time is False and "Accepted late: She was in hospital" in late.reasons
    assert "late, accepted" in ApplicationEvent.objects.filter(application=application).first().summary
    # The day before instead: in time.
    EscalationRequest.objects.all().delete()
    Application.objects.filter(pk=application.pk).update(stage=Stage.OUTCOME_SENT)
    with time_machine.travel(london(2026, 12, 2, 23, 0), tick=False):
        on_time = escalation_record(application=application, actor=people["spoc"], version=fresh(application).version,
                                    ask=EscalationAsk(requested_on=date(2026, 12, 2), route="email", reasons="Still bad"))
    assert on_time.in_time


def test_a_request_after_a_not_met_decision_counts_from_the_decision(people):
    application = decided(application_make(), people["manager"], proceeds=False, threshold_met=False)
    made = escalation_record(application=application, actor=people["spoc"], version=fresh(application).version,
                             ask=EscalationAsk(requested_on=date(2026, 11, 4), route="online", reasons="Unfair"))
    assert made.in_time and fresh(application).stage == Stage.ESCALATED


def test_a_request_before_the_outcome_or_twice_is_refused(people):
    application = decided(application_make(), people["manager"])
    with pytest.raises(CaseReviewError, match="once"):
        escalation_record(application=application, actor=people["spoc"], version=fresh(application).version,
                          ask=EscalationAsk(requested_on=date(2026, 11, 4), route="online", reasons="Unfair"))
    application = sent_outcome(people)
    escalation_record(application=application, actor=people["spoc"], version=application.version,
                      ask=EscalationAsk(requested_on=date(2026, 11, 4), route="online", reasons="Unfair"))
    with pytest.raises(CaseReviewError, match="once"):
        escalation_record(application=application, actor=people["spoc"], version=fresh(application).version,
                          ask=EscalationAsk(requested_on=date(2026, 11, 4), route="online", reasons="Unfair"))
    assert EscalationRequest.objects.count() == 1


def test_the_escalation_outcome_closes_it_meets_the_stage_and_tells_the_applicant(people):
    application = sent_outcome(people)
    escalation_record(application=application, actor=people["spoc"], version=application.version,
                      ask=EscalationAsk(requested_on=date(2026, 11, 4), route="online", reasons="Unfair"))
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        decided_request = escalation_outcome_record(
            application=application, outcome="not_upheld", summary="The review was thorough and fair.",
            decided_by_name="Police and Crime Commissioner's office", actor=people["spoc"], version=fresh(application).version)
    done = fresh(application)
    assert done.stage == Stage.CLOSED and decided_request.outcome == "not_upheld"
    assert deadline(done, DeadlineKind.CASE_REVIEW_ESCALATION).met_at == NOW + timedelta(days=7)
    body = Message.objects.get(key=f"cr-escalation-outcome:{done.pk}").body
    assert "The review was thorough and fair." in body and "Police and Crime Commissioner's office" in body
    with pytest.raises(CaseReviewError, match="no request"):
        escalation_outcome_record(application=done, outcome="upheld", summary="x", decided_by_name="y", actor=people["spoc"],
                                  version=done.version)
