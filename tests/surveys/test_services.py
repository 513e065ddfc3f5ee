"""Surveys against real Postgres: who is asked and how, one reminder, tokens, the satisfaction rate."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from cases.models import PartyRole
from cases.services import case_close, contact_record, party_add
from notifications.models import Message
from surveys import selectors
from surveys.models import Invitation, OptOut, Purpose, Response, SurveyChannel
from surveys.services import (
    SurveyError,
    SurveyLinkError,
    invitation_token,
    survey_invite,
    survey_opt_out,
    survey_submit,
    surveys_sweep,
)

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

GOOD = {"overall": "5", "treated_fairly": "5", "listened_to": "4", "kept_updated": "4", "first_contact_speed": "5", "staff_polite": "5"}


def closed_case(officer, **overrides):
    received = timezone.now() - timedelta(days=10)
    report = submit_report(report_submission(incident_date=received.date(), **overrides), received_at=received)
    case = report.case
    if report.reporter:
        owed = report.reporter.is_owed_updates  # a witness who reported gets no final update
        contact_record(case=case, party=report.reporter, method="phone", direction="out", successful=True, summary="Outcome",
                       occurred_at=timezone.now() - timedelta(hours=1), gave_update=owed, final_update=owed, actor=officer)
    case.refresh_from_db()
    case_close(case=case, reason="resolved", actor=officer)
    return case, report.reporter


def answers(**overrides):
    return {**GOOD, **overrides}


# --- asking ----------------------------------------------------------------------------------

def test_closing_a_case_invites_the_reporter_once_by_email(officer_user):
    case, reporter = closed_case(officer_user)
    assert surveys_sweep().invited == 1
    invitation = Invitation.objects.get()
    assert invitation.party == reporter and invitation.channel == SurveyChannel.EMAIL and invitation.purpose == Purpose.CLOSURE
    message = Message.objects.get(key=f"survey-invite:{invitation.pk}")
    assert message.to == "margaret@example.com" and "/survey/" in message.body
    assert surveys_sweep().invited == 0  # a second sweep asks nobody again
    assert Invitation.objects.count() == 1


def test_a_text_preference_gets_a_text_and_phone_or_letter_a_staff_task(officer_user):
    closed_case(officer_user, preferred_contact_method="text", phone="07700 900123")
    closed_case(officer_user, preferred_contact_method="phone", phone="0116 496 0000", email="p@example.com")
    surveys_sweep()
    channels = sorted(Invitation.objects.values_list("channel", flat=True))
    assert channels == [SurveyChannel.PHONE, SurveyChannel.SMS]
    assert Message.objects.filter(key__startswith="survey-invite", channel="sms").count() == 1
    assert not Message.objects.filter(key__startswith="survey-invite", channel="email").exists()  # the phone preference got no email


def test_anonymous_reporters_witnesses_and_people_who_opted_out_are_never_asked(officer_user):
    anonymous, _ = closed_case(officer_user, is_anonymous=True, full_name="", email="", phone="", preferred_contact_method="")
    case, reporter = closed_case(officer_user, reporter_role=PartyRole.WITNESS, phone="07700 900222", email="w@example.com")
    opted, opted_reporter = closed_case(officer_user, phone="07700 900333", email="o@example.com")
    OptOut.objects.create(party=opted_reporter)
    surveys_sweep()
    invited = set(Invitation.objects.values_list("case_id", flat=True))
    # A witness who reported is a named reporter and is asked; the anonymous and the opted-out are not.
    assert invited == {case.pk}


def test_victims_and_complainants_on_the_case_are_asked_too(officer_user):
    received = timezone.now() - timedelta(days=10)
    report = submit_report(report_submission(incident_date=received.date()), received_at=received)
    case = report.case
    neighbour = party_add(case=case, actor=officer_user, role=PartyRole.COMPLAINANT, full_name="Ann Shaw", email="ann@example.com",
                          preferred_contact_method="email")
    for party in (report.reporter, neighbour):
        contact_record(case=case, party=party, method="email", direction="out", successful=True, summary="Outcome",
                       occurred_at=timezone.now() - timedelta(minutes=5), gave_update=True, final_update=True, actor=officer_user)
    case.refresh_from_db()
    case_close(case=case, reason="resolved", actor=officer_user)
    assert surveys_sweep().invited == 2


def test_one_reminder_after_seven_days_and_never_a_second(officer_user):
    closed_case(officer_user)
    surveys_sweep()
    invitation = Invitation.objects.get()
    assert surveys_sweep(now=invitation.sent_at + timedelta(days=6)).reminded == 0
    assert surveys_sweep(now=invitation.sent_at + timedelta(days=7, minutes=1)).reminded == 1
    assert surveys_sweep(now=invitation.sent_at + timedelta(days=9)).reminded == 0
    assert Message.objects.filter(key=f"survey-reminder:{invitation.pk}").count() == 1


def test_no_reminder_once_answered(officer_user):
    closed_case(officer_user)
    surveys_sweep()
    invitation = Invitation.objects.get()
    survey_submit(token=invitation_token(invitation), answers=answers())
    assert surveys_sweep(now=invitation.sent_at + timedelta(days=8)).reminded == 0


def test_a_manager_can_send_a_mid_case_survey(manager_user):
    report = submit_report(report_submission())
    invitation = survey_invite(case=report.case, party=report.reporter, purpose=Purpose.MID_CASE, actor=manager_user)
    assert invitation.purpose == Purpose.MID_CASE and invitation.created_by == manager_user
    assert Message.objects.filter(key=f"survey-invite:{invitation.pk}").exists()


# --- answering ---------------------------------------------------------------------------------

def test_answers_are_recorded_once_with_what_they_are_about(officer_user):
    case, _ = closed_case(officer_user)
    surveys_sweep()
    token = invitation_token(Invitation.objects.get())
    response = survey_submit(token=token, answers=answers(), comments="  Faster please ", may_contact=True)
    assert response.satisfied and response.comments == "Faster please" and response.may_contact
    assert response.category_name == "Noise" and response.report_channel == "online"
    with pytest.raises(SurveyLinkError, match="already answered"):
        survey_submit(token=token, answers=answers(overall="1"))
    assert Response.objects.get().overall == 5  # answers cannot be changed once sent


def test_an_expired_link_records_nothing(officer_user, settings):
    closed_case(officer_user)
    surveys_sweep()
    token = invitation_token(Invitation.objects.get())
    with time_machine.travel(timezone.now() + timedelta(days=settings.SURVEY_LINK_DAYS + 1)):
        with pytest.raises(SurveyLinkError, match="expired"):
            survey_submit(token=token, answers=answers())
    assert not Response.objects.exists()


def test_a_forged_link_records_nothing(officer_user):
    closed_case(officer_user)
    surveys_sweep()
    invitation = Invitation.objects.get()
    forged = signing.dumps({"i": invitation.pk}, salt="some-other-salt")
    for token in (forged, invitation_token(invitation)[:-2] + "xx", "nonsense"):
        with pytest.raises(SurveyLinkError, match="not valid"):
            survey_submit(token=token, answers=answers())
    assert not Response.objects.exists()


def test_an_answer_off_the_scale_is_refused(officer_user):
    closed_case(officer_user)
    surveys_sweep()
    with pytest.raises(SurveyError):
        survey_submit(token=invitation_token(Invitation.objects.get()), answers=answers(overall="9"))
    assert not Response.objects.exists()


def test_opting_out_stops_the_link_and_future_surveys(officer_user):
    case, reporter = closed_case(officer_user)
    surveys_sweep()
    invitation = Invitation.objects.get()
    survey_opt_out(token=invitation_token(invitation))
    with pytest.raises(SurveyLinkError, match="asked us not to send"):
        survey_submit(token=invitation_token(invitation), answers=answers())
    assert survey_invite(case=case, party=reporter, purpose=Purpose.MID_CASE) is None


# --- the rate ------------------------------------------------------------------------------------

def respond(officer, overall, **extra):
    case, _ = closed_case(officer, phone=f"07700 9{Response.objects.count():05d}", email=f"r{Invitation.objects.count()}@example.com")
    surveys_sweep()
    invitation = Invitation.objects.get(case=case)
    return survey_submit(token=invitation_token(invitation), answers=answers(overall=str(overall), **extra))


def test_no_responses_means_no_rate_not_zero_or_a_hundred(manager_user):
    rate = selectors.satisfaction(selectors.responses(manager_user))
    assert (rate.satisfied, rate.total, rate.rate, rate.meets_target) == (0, 0, None, None)


def test_all_neutral_is_zero_percent(officer_user, manager_user):
    for _ in range(3):
        respond(officer_user, 3)
    rate = selectors.satisfaction(selectors.responses(manager_user))
    assert (rate.satisfied, rate.total, rate.percent, rate.meets_target) == (0, 3, 0.0, False)


def test_satisfied_or_very_satisfied_over_all_responses_against_97_percent(officer_user, manager_user):
    for overall in (5, 4, 4, 2):
        respond(officer_user, overall)
    rate = selectors.satisfaction(selectors.responses(manager_user))
    assert (rate.satisfied, rate.total, rate.percent, rate.meets_target) == (3, 4, 75.0, False)
    assert not selectors.responses(officer_user).exists()  # survey results are the managers' (cases.policy)
    by_officer = dict(selectors.satisfaction_by(selectors.responses(manager_user), "officer"))
    assert list(by_officer.values())[0].total == 4
    assert dict(selectors.satisfaction_by(selectors.responses(manager_user), "category_name"))["Noise"].satisfied == 3
    assert dict(selectors.satisfaction_by(selectors.responses(manager_user), "report_channel"))["online"].total == 4
    months = selectors.satisfaction_by(selectors.responses(manager_user), "month")
    assert len(months) == 1 and months[0][1].total == 4
    questions = dict(selectors.question_rates(selectors.responses(manager_user)))
    assert questions["Listened to"].satisfied == 4


def test_share_of_comments_with_a_you_said_we_did(officer_user, manager_user):
    from surveys.services import comment_action_record

    first = respond(officer_user, 2)
    Response.objects.filter(pk=first.pk).update(comments="Nobody called me back")
    second = respond(officer_user, 5)
    Response.objects.filter(pk=second.pk).update(comments="Great")
    respond(officer_user, 4)  # no comment: not counted
    comment_action_record(response=first, text="Call-backs now tracked as deadlines", actor=manager_user)
    share = selectors.comments_with_response(selectors.responses(manager_user))
    assert (share.satisfied, share.total) == (1, 2)
