"""Review of the Case Review's rules and data: stage transitions, stored deadlines, exactly-once messages, the
escalation's last day, the yearly figures, the sweep's recipients, and the public form with Redis down."""

import re
from datetime import date, timedelta

import pytest
import time_machine

from casereview.figures import yearly_figures
from casereview.models import Application, RecommendationStatus, Stage
from casereview.services.applications import application_case_link, application_withdraw
from casereview.services.common import CaseReviewError
from casereview.services.recommendations import recommendation_add, recommendation_token, recommendation_update
from casereview.services.stages import EscalationAsk, escalation_in_time, escalation_record, outcome_send
from cases.models import Deadline, DeadlineKind, PartnerAgency
from cases.roles import Role

from ..cases.factories import report_submission, submit_report
from ..test_access_partners import _agreement
from ..test_resilience import redis_down  # noqa: F401 - the fixture
from .factories import application_make, decided, fresh, london, met, partner_user, staff

pytestmark = pytest.mark.django_db
NOW = london(2026, 11, 4, 10, 0)  # Wednesday 4 November 2026
REC = DeadlineKind.CASE_REVIEW_RECOMMENDATION


@pytest.fixture
def people(db):
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    _agreement(police)
    return {"manager": staff("maria", Role.MANAGER), "spoc": staff("sam", Role.OFFICER), "police": police,
            "inspector": partner_user("insp-jones", Role.PARTNER_LEAD, police)}


def _recommend(application, people, *, due_on=date(2026, 12, 18)):
    application = fresh(application)
    return recommendation_add(application=application, text="Patrol on Friday nights", owner_agency=people["police"],
                              due_on=due_on, actor=people["spoc"], version=application.version)


# --- stage transitions -------------------------------------------------------------------------------------------

def test_no_recommendation_on_a_request_to_look_again_at_a_decision_not_to_hold_a_review(people):
    """A review that was never held (threshold not met, then the applicant asked to look again) has no meeting, so it
    has no recommendations either: they are made at the review meeting."""
    with time_machine.travel(NOW, tick=False):
        application = decided(application_make(spoc=people["spoc"]), people["manager"], proceeds=False, threshold_met=False)
        assert application.stage == Stage.NOT_MET
        application = fresh(application)
        escalation_record(application=application, ask=EscalationAsk(requested_on=NOW.date(), route="online",
                                                                      reasons="The harm was not weighed"),
                          actor=people["spoc"], version=application.version)
        assert fresh(application).stage == Stage.ESCALATED
        with pytest.raises(CaseReviewError):
            _recommend(application, people)
    assert not fresh(application).recommendations.exists()


def test_progress_on_a_withdrawn_applications_recommendation_owes_nothing_again(people):
    """A withdrawal cancels the recommendations' deadlines ("nothing more is owed"); a later progress note from the
    agency must not open a new one that the sweep would remind and alert about."""
    with time_machine.travel(NOW, tick=False):
        application = met(decided(application_make(spoc=people["spoc"]), people["manager"]), people["spoc"])
        recommendation = _recommend(application, people)
        application_withdraw(application=fresh(application), reason="The applicant moved away", actor=people["spoc"],
                             version=fresh(application).version)
        assert not Deadline.objects.open().filter(subject=recommendation.subject).exists()
        recommendation.refresh_from_db()
        recommendation_update(recommendation=recommendation, actor=people["inspector"], token=recommendation_token(recommendation),
                              status=RecommendationStatus.IN_PROGRESS, progress="Two patrols done")
    assert not Deadline.objects.open().filter(subject=recommendation.subject).exists()


def test_linking_a_withdrawn_application_does_not_close_the_cases_threshold_flag(people, officer_user):
    """The case's open threshold flag says the victim should be told about the Case Review; an application that was
    withdrawn is not one being made, so linking it (or any change) is refused and the flag stays open."""
    from casereview.models import ThresholdFlag

    with time_machine.travel(NOW, tick=False):
        case = submit_report(report_submission(incident_date=date(2026, 11, 2))).case
        application = application_make(spoc=people["spoc"])
        application_withdraw(application=application, reason="Withdrawn by phone", actor=people["spoc"],
                             version=fresh(application).version)
        flag = ThresholdFlag.objects.create(case=case, rule_text="Three incidents in six months", met_at=NOW)
        with pytest.raises(CaseReviewError):
            application_case_link(application=fresh(application), case=case, person=None, actor=people["spoc"],
                                  version=fresh(application).version)
    flag.refresh_from_db()
    assert flag.closed_at is None and fresh(application).case_id is None


# --- the escalation's last day -------------------------------------------------------------------------------------

def _outcome_sent(people, at):
    with time_machine.travel(at, tick=False):
        application = met(decided(application_make(received_at=at - timedelta(days=1), spoc=people["spoc"]),
                                  people["manager"]), people["spoc"])
        return outcome_send(application=fresh(application), letter="The outcome", actor=people["spoc"],
                            version=fresh(application).version)


def test_a_request_on_the_last_day_is_in_time_and_the_next_day_is_late(people):
    sent = _outcome_sent(people, NOW)  # Wednesday 4 November: 20 working days on is Wednesday 2 December
    assert escalation_in_time(sent, date(2026, 12, 2)) is True
    assert escalation_in_time(sent, date(2026, 12, 3)) is False


def test_a_request_made_on_a_bank_holiday_within_the_period_is_in_time(people):
    sent = _outcome_sent(people, london(2026, 12, 24, 10))  # Christmas Eve: the last day is 26 January 2027
    assert escalation_in_time(sent, date(2026, 12, 28)) is True  # the substitute Boxing Day bank holiday
    assert escalation_in_time(sent, date(2027, 1, 26)) is True and escalation_in_time(sent, date(2027, 1, 27)) is False


# --- the figures ------------------------------------------------------------------------------------------------------

def test_the_reporting_year_starts_at_midnight_on_1_april_london_time(people):
    # 00:30 on 1 April 2027 in London is 23:30 on 31 March in UTC (summer time began on 28 March).
    application_make(received_at=london(2027, 4, 1, 0, 30))
    application_make(received_at=london(2027, 3, 31, 23, 30))
    years = {f.year: f.received for f in yearly_figures()}
    assert years == {2027: 1, 2026: 1}


# --- the public form with Redis down ------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_down")
def test_the_public_form_takes_an_application_with_redis_down(client):
    from .test_application_views import _valid_public

    html = client.get("/case-review/apply/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
    response = client.post("/case-review/apply/", {**_valid_public(), "submission_key": key})
    assert response.status_code == 302 and response["Location"] == "/case-review/apply/sent/"
    application = Application.objects.get()
    assert application.reference in client.get("/case-review/apply/sent/").content.decode()


def test_the_staff_page_offers_no_recommendation_on_a_review_never_held(people):
    from casereview.selectors_applications import application_actions

    with time_machine.travel(NOW, tick=False):
        application = fresh(decided(application_make(spoc=people["spoc"]), people["manager"], proceeds=False, threshold_met=False))
        escalation_record(application=application, ask=EscalationAsk(requested_on=NOW.date(), route="online", reasons="Look again"),
                          actor=people["spoc"], version=application.version)
        assert application_actions(people["spoc"], fresh(application))["recommendation_add"] is False
        held = met(decided(application_make(spoc=people["spoc"]), people["manager"]), people["spoc"])
        assert application_actions(people["spoc"], held)["recommendation_add"] is True


# --- the contact person of a review whose recommendations are still being followed up -------------------------------

def test_a_new_contact_person_takes_over_open_recommendations_after_the_outcome_was_sent(people):
    """The outcome letter closes the application, but its recommendations are followed up for weeks after: when the
    contact person leaves, a manager must be able to name another so the reminders reach someone."""
    from casereview.selectors_applications import application_actions
    from casereview.services.applications import application_spoc_assign

    with time_machine.travel(NOW, tick=False):
        application = met(decided(application_make(spoc=people["spoc"]), people["manager"]), people["spoc"])
        recommendation = _recommend(application, people)
        sent = outcome_send(application=fresh(application), letter="The outcome", actor=people["spoc"],
                            version=fresh(application).version)
        assert sent.stage == Stage.OUTCOME_SENT and not sent.is_open
        people["spoc"].is_active = False
        people["spoc"].save(update_fields=["is_active"])
        nadia = staff("nadia", Role.OFFICER)
        assert application_actions(people["manager"], fresh(application))["spoc"] is True
        application_spoc_assign(application=fresh(application), spoc=nadia, actor=people["manager"], version=fresh(application).version)
    deadline = Deadline.objects.open().get(subject=recommendation.subject, kind=REC)
    assert deadline.owner == nadia and deadline.agency == people["police"]
    assert fresh(application).spoc == nadia


def test_no_new_contact_person_for_a_closed_application_with_nothing_left_to_follow_up(people):
    from casereview.services.applications import application_spoc_assign

    with time_machine.travel(NOW, tick=False):
        application = met(decided(application_make(spoc=people["spoc"]), people["manager"]), people["spoc"])
        outcome_send(application=fresh(application), letter="The outcome", actor=people["spoc"], version=fresh(application).version)
        with pytest.raises(CaseReviewError):
            application_spoc_assign(application=fresh(application), spoc=staff("nadia", Role.OFFICER), actor=people["manager"],
                                    version=fresh(application).version)


# --- a changed timescale ------------------------------------------------------------------------------------------

def test_a_shorter_period_set_after_the_outcome_does_not_make_a_request_late_that_the_letter_said_was_in_time(people):
    from casereview.models import Timescales

    sent = _outcome_sent(people, NOW)  # the letter said: by Wednesday 2 December (20 working days)
    Timescales.objects.filter(pk=1).update(escalation_request_days=10)
    assert fresh(sent).escalation_ask_by == date(2026, 12, 2)
    assert escalation_in_time(fresh(sent), date(2026, 12, 1)) is True
    assert escalation_in_time(fresh(sent), date(2026, 12, 2)) is True and escalation_in_time(fresh(sent), date(2026, 12, 3)) is False


# --- the sweep --------------------------------------------------------------------------------------------------------

def test_an_inactive_contact_person_is_not_emailed_and_the_breach_still_reaches_managers_and_the_agency_lead(people):
    from cases.models import AlertStage
    from cases.services.sweep import deadlines_sweep
    from notifications.models import Message

    with time_machine.travel(NOW, tick=False):
        application = met(decided(application_make(spoc=people["spoc"]), people["manager"]), people["spoc"])
        recommendation = _recommend(application, people)
        outcome_send(application=fresh(application), letter="The outcome", actor=people["spoc"], version=fresh(application).version)
    people["spoc"].is_active = False
    people["spoc"].save(update_fields=["is_active"])
    due = london(2026, 12, 18, 23, 59, 59)
    assert deadlines_sweep(now=due - timedelta(days=1)).alerts == {AlertStage.REMINDER: 1}
    assert deadlines_sweep(now=due + timedelta(minutes=1)).alerts == {AlertStage.BREACH: 1}
    deadline = Deadline.objects.get(subject=recommendation.subject, kind=REC)
    sent_to = set(Message.objects.filter(key__startswith=f"deadline:{deadline.pk}:").values_list("to", flat=True))
    assert sent_to == {people["inspector"].email, people["manager"].email}


def test_the_manager_names_a_new_contact_person_on_the_page_after_the_outcome(client, people):
    from casereview.selectors_applications import application_for_page

    with time_machine.travel(NOW, tick=False):
        application = met(decided(application_make(spoc=people["spoc"]), people["manager"]), people["spoc"])
        _recommend(application, people)
        sent = outcome_send(application=fresh(application), letter="The outcome", actor=people["spoc"], version=fresh(application).version)
        nadia = staff("nadia", Role.OFFICER)
        client.force_login(people["manager"])
        url = f"/staff/case-review/{sent.reference}/contact-person/"
        assert url in client.get(f"/staff/case-review/{sent.reference}/").content.decode()
        response = client.post(url, {"version": sent.version, "spoc": str(nadia.pk)})
    assert response.status_code == 302 and fresh(application).spoc == nadia
    assert application_for_page(people["manager"], sent.reference).application.spoc == nadia


def test_the_partners_open_list_leaves_out_the_recommendations_of_a_withdrawn_application(people):
    """Nothing more is owed once the applicant withdrew (its deadlines were cancelled): the agency's list of open
    recommendations, the ones still owed, does not show it as open and overdue; the full list still has it."""
    from casereview.selectors_recommendations import recommendation_rows

    with time_machine.travel(NOW, tick=False):
        kept = _recommend(met(decided(application_make(spoc=people["spoc"]), people["manager"]), people["spoc"]), people)
        application = met(decided(application_make(spoc=people["spoc"]), people["manager"]), people["spoc"])
        dropped = _recommend(application, people)
        application_withdraw(application=fresh(application), reason="The applicant moved away", actor=people["spoc"],
                             version=fresh(application).version)
        assert [r.pk for r in recommendation_rows(people["inspector"], status="open")] == [kept.pk]
        assert {r.pk for r in recommendation_rows(people["inspector"], status="all")} == {kept.pk, dropped.pk}
