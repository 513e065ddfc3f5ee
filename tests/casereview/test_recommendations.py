"""Recommendations: each owned by an agency (or the council) with a due date and a deadline the sweep reminds the
agency's partner leads about; partners see and update only their own agency's, never the applicant's details."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casereview.models import ApplicationEvent, Recommendation, RecommendationStatus
from casereview.services.common import CaseReviewError, StaleError
from casereview.services.recommendations import recommendation_add, recommendation_token, recommendation_update
from cases.models import AlertStage, CaseShare, Deadline, DeadlineKind, PartnerAgency, ShareScope
from cases.roles import Role
from cases.services.sweep import deadlines_sweep
from notifications.models import Message

from ..cases.factories import report_submission, submit_report
from ..test_access_partners import _agreement
from .factories import (
    APPLICANT_ADDRESS,
    APPLICANT_EMAIL,
    APPLICANT_NAME,
    APPLICANT_PHONE,
    VICTIM_NAME,
    application_make,
    decided,
    fresh,
    london,
    met,
    partner_user,
    staff,
)

pytestmark = pytest.mark.django_db
NOW = london(2026, 11, 4, 10, 0)  # Wednesday 4 November 2026
KIND = DeadlineKind.CASE_REVIEW_RECOMMENDATION
WITHHELD = (APPLICANT_NAME, APPLICANT_EMAIL, APPLICANT_PHONE, "900321", APPLICANT_ADDRESS, "Quarryfield Close, Wigston",
            VICTIM_NAME, "LE18 4QQ", "Noise and shouting every night")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    housing = PartnerAgency.objects.get(name="Housing providers")
    _agreement(police)
    _agreement(housing)
    w = {
        "police": police, "housing": housing,
        "manager": staff("maria", Role.MANAGER), "spoc": staff("sam", Role.OFFICER),
        "pc": partner_user("pc-smith", Role.PARTNER_USER, police), "inspector": partner_user("insp-jones", Role.PARTNER_LEAD, police),
        "housing_user": partner_user("hsg", Role.PARTNER_USER, housing), "housing_lead": partner_user("hsg-lead", Role.PARTNER_LEAD, housing),
    }
    w["application"] = met(decided(application_make(spoc=w["spoc"]), w["manager"]), w["spoc"], agencies=[police])
    return w


def add(w, *, owner="police", due_on=date(2026, 12, 18), text="Patrol Quarryfield Close on Friday nights", application=None):
    application = fresh(application or w["application"])
    return recommendation_add(application=application, text=text, owner_agency=w[owner] if owner else None, due_on=due_on,
                              actor=w["spoc"], version=application.version)


def the_deadline(recommendation):
    return Deadline.objects.filter(subject=recommendation.subject, kind=KIND).latest("id")


# --- the service ----------------------------------------------------------------------------------------------

def test_a_recommendation_opens_a_deadline_at_the_end_of_its_due_day_for_its_agency(world):
    rec = add(world)
    deadline = the_deadline(rec)
    assert deadline.due_at == london(2026, 12, 18, 23, 59, 59) and deadline.agency == world["police"]
    assert deadline.owner == world["spoc"] and deadline.path == f"/partners/recommendations/{rec.pk}/"
    assert deadline.title == f"Case Review {world['application'].reference}: recommendation due"
    assert "Recommendation for Leicestershire Police, due 18 December 2026" in ApplicationEvent.objects.filter(
        application=world["application"]).first().summary


def test_a_council_recommendation_is_reminded_on_the_staff_page(world):
    rec = add(world, owner=None, text="Install CCTV")
    deadline = the_deadline(rec)
    assert deadline.agency is None and deadline.path == f"/staff/case-review/{world['application'].reference}/"


@pytest.mark.parametrize("due_on", [date(2026, 11, 4), date(2026, 11, 3)])
def test_the_due_date_must_be_in_the_future(world, due_on):
    with pytest.raises(CaseReviewError, match="future"):
        add(world, due_on=due_on)
    assert not Recommendation.objects.exists()


def test_no_recommendation_before_the_meeting_and_none_from_a_stale_page(world):
    early = decided(application_make(), world["manager"])
    with pytest.raises(CaseReviewError, match="review meeting has been recorded"):
        add(world, application=early)
    application = fresh(world["application"])
    recommendation_add(application=application, text="One", owner_agency=None, due_on=date(2026, 12, 1), actor=world["spoc"],
                       version=application.version)
    with pytest.raises(StaleError):  # the same form posted twice
        recommendation_add(application=application, text="One", owner_agency=None, due_on=date(2026, 12, 1), actor=world["spoc"],
                           version=application.version)
    assert Recommendation.objects.count() == 1


def test_an_agency_no_longer_a_partner_cannot_be_given_one(world):
    PartnerAgency.objects.filter(pk=world["housing"].pk).update(is_active=False)
    world["housing"].refresh_from_db()
    with pytest.raises(CaseReviewError, match="still a partner"):
        add(world, owner="housing")


def test_done_meets_the_deadline_and_reopening_owes_it_again(world):
    rec = add(world)
    done = recommendation_update(recommendation=rec, actor=world["pc"], token=recommendation_token(rec), status="done",
                                 progress="Patrols every Friday in November")
    assert done.completed_at == NOW and the_deadline(rec).met_at == NOW
    assert "updated by Leicestershire Police: Not started → Done; progress updated" in ApplicationEvent.objects.filter(
        application=world["application"]).first().summary
    reopened = recommendation_update(recommendation=done, actor=world["spoc"], token=recommendation_token(done),
                                     status="in_progress", progress="Patrols to continue in December")
    assert reopened.completed_at is None
    assert Deadline.objects.open().filter(subject=rec.subject).get().due_at == london(2026, 12, 18, 23, 59, 59)


def test_not_done_needs_a_reason(world):
    rec = add(world)
    with pytest.raises(CaseReviewError, match="why it was not done"):
        recommendation_update(recommendation=rec, actor=world["pc"], token=recommendation_token(rec), status="not_done", progress="")


def test_a_new_due_date_or_owner_moves_the_deadline(world):
    rec = add(world)
    first = the_deadline(rec)
    moved = recommendation_update(recommendation=rec, actor=world["spoc"], token=recommendation_token(rec), status="open", progress="",
                                  text=rec.text, owner_agency=world["police"], due_on=date(2027, 1, 15), change_details=True)
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert Deadline.objects.open().get(subject=rec.subject).due_at == london(2027, 1, 15, 23, 59, 59)
    recommendation_update(recommendation=moved, actor=world["spoc"], token=recommendation_token(moved), status="open", progress="",
                          text=rec.text, owner_agency=world["housing"], due_on=date(2027, 1, 15), change_details=True)
    assert Deadline.objects.open().get(subject=rec.subject).agency == world["housing"]


def test_a_stale_progress_form_is_refused(world):
    rec = add(world)
    token = recommendation_token(rec)
    recommendation_update(recommendation=rec, actor=world["pc"], token=token, status="in_progress", progress="Started")
    with pytest.raises(StaleError):
        recommendation_update(recommendation=rec, actor=world["inspector"], token=token, status="done", progress="Finished")
    assert Recommendation.objects.get().status == "in_progress"


# --- reminders through the sweep ------------------------------------------------------------------------------

def test_the_police_leads_are_reminded_of_a_police_recommendation_never_housing(world):
    rec = add(world)
    # Only the recommendation's deadline is open (the outcome was sent), so every alert is about it.
    Deadline.objects.open().exclude(kind=KIND).update(met_at=NOW)
    due = london(2026, 12, 18, 23, 59, 59)
    assert deadlines_sweep(now=due - timedelta(days=2)).alerts == {AlertStage.REMINDER: 1}
    reminded = sorted(Message.objects.filter(key__startswith=f"deadline:{the_deadline(rec).pk}:reminder:").values_list("to", flat=True))
    assert reminded == ["insp-jones@example.com", "sam@example.com"]
    assert f"/partners/recommendations/{rec.pk}/" in Message.objects.get(to="insp-jones@example.com").body
    assert deadlines_sweep(now=due - timedelta(days=1)).messages == 0
    assert deadlines_sweep(now=due + timedelta(minutes=1)).alerts == {AlertStage.BREACH: 1}
    breached = sorted(Message.objects.filter(key__startswith=f"deadline:{the_deadline(rec).pk}:breach:").values_list("to", flat=True))
    assert breached == ["insp-jones@example.com", "maria@example.com", "sam@example.com"]
    everyone = set(Message.objects.values_list("to", flat=True))
    assert not everyone & {"pc-smith@example.com", "hsg@example.com", "hsg-lead@example.com"}
    assert deadlines_sweep(now=due + timedelta(days=1)).messages == 0


def test_a_done_recommendation_is_not_reminded(world):
    rec = add(world)
    Deadline.objects.open().exclude(kind=KIND).update(met_at=NOW)
    recommendation_update(recommendation=rec, actor=world["pc"], token=recommendation_token(rec), status="done", progress="Done")
    assert deadlines_sweep(now=london(2026, 12, 19, 9)).alerts == {}


# --- the partner pages ----------------------------------------------------------------------------------------

def page(client, user, url, status=200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_the_police_see_their_recommendation_and_nothing_of_the_applicant(client, world):
    rec = add(world)
    housing_rec = add(world, owner="housing", text="Tenancy warning to number 29")
    council_rec = add(world, owner=None, text="Install CCTV on the close")
    for url in ("/partners/recommendations/", f"/partners/recommendations/{rec.pk}/"):
        html = page(client, world["pc"], url)
        assert world["application"].reference in html and "Patrol Quarryfield Close on Friday nights" in html
        assert "18 Dec" in html and "4 Nov" in html  # due, and when the review was held
        for withheld in WITHHELD + ("Tenancy warning to number 29", "Install CCTV"):
            assert withheld not in html, (url, withheld)
    page(client, world["pc"], f"/partners/recommendations/{housing_rec.pk}/", status=404)
    page(client, world["pc"], f"/partners/recommendations/{council_rec.pk}/", status=404)
    housing = page(client, world["housing_user"], "/partners/recommendations/")
    assert "Tenancy warning to number 29" in housing and "Patrol Quarryfield" not in housing
    page(client, world["housing_user"], f"/partners/recommendations/{rec.pk}/", status=404)


def test_the_case_is_linked_only_when_it_is_shared_with_the_agency(client, world):
    report = submit_report(report_submission(incident_date=date(2026, 10, 30)), received_at=london(2026, 10, 30, 9))
    application = met(decided(application_make(case=report.case, spoc=world["spoc"]), world["manager"]), world["spoc"])
    rec = add(world, application=application)
    html = page(client, world["pc"], f"/partners/recommendations/{rec.pk}/")
    assert report.case.reference not in html
    CaseShare.objects.create(case=report.case, agency=world["police"], reason="Patrols", scope=ShareScope.SUMMARY, shared_by=world["spoc"])
    html = page(client, world["pc"], f"/partners/recommendations/{rec.pk}/")
    assert f'href="/partners/cases/{report.case.reference}/"' in html and "Margaret Ellis" not in html


def test_a_partner_reports_progress_and_the_other_agency_cannot(client, world):
    rec = add(world)
    client.force_login(world["housing_user"])
    response = client.post(f"/partners/recommendations/{rec.pk}/", {"status": "done", "progress": "Wrong agency",
                                                                   "token": recommendation_token(rec)})
    assert response.status_code == 404 and Recommendation.objects.get().progress == ""
    client.force_login(world["pc"])
    response = client.post(f"/partners/recommendations/{rec.pk}/", {"status": "in_progress", "progress": "Two patrols so far",
                                                                   "token": recommendation_token(rec)})
    assert response.status_code == 302 and response["Location"] == f"/partners/recommendations/{rec.pk}/"
    saved = Recommendation.objects.get()
    assert saved.status == RecommendationStatus.IN_PROGRESS and saved.progress == "Two patrols so far" and saved.updated_by == world["pc"]
    # The same form again (a double click): stale, shown as an error, nothing changes.
    again = client.post(f"/partners/recommendations/{rec.pk}/", {"status": "done", "progress": "x", "token": recommendation_token(rec)})
    assert again.status_code == 200 and "Someone else has changed this recommendation" in again.content.decode()
    assert Recommendation.objects.get().status == RecommendationStatus.IN_PROGRESS


def test_the_list_shows_open_ones_by_default_and_all_on_request(client, world):
    rec = add(world)
    recommendation_update(recommendation=rec, actor=world["pc"], token=recommendation_token(rec), status="done", progress="Done")
    assert "Patrol Quarryfield" not in page(client, world["pc"], "/partners/recommendations/")
    assert "Patrol Quarryfield" in page(client, world["pc"], "/partners/recommendations/?show=all")


def test_partner_pages_keep_a_fixed_number_of_queries(client, world):
    client.force_login(world["pc"])
    client.get("/partners/recommendations/")  # the session settles after sign-in

    def measure(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = add(world)
    small = (measure("/partners/recommendations/?show=all"), measure(f"/partners/recommendations/{first.pk}/"))
    for n in range(12):
        application = met(decided(application_make(spoc=world["spoc"]), world["manager"]), world["spoc"], agencies=[world["police"]])
        add(world, application=application, text=f"Recommendation {n}", due_on=date(2026, 12, 1) + timedelta(days=n))
    large = (measure("/partners/recommendations/?show=all"), measure(f"/partners/recommendations/{first.pk}/"))
    assert large == small


def test_a_new_contact_person_is_reminded_of_the_recommendations_and_a_withdrawal_cancels_them(world):
    from casereview.services.applications import application_spoc_assign, application_withdraw

    rec = add(world)
    new_spoc = staff("nadia", Role.OFFICER)
    application = application_spoc_assign(application=fresh(world["application"]), spoc=new_spoc, actor=world["manager"],
                                          version=fresh(world["application"]).version)
    deadline = the_deadline(rec)
    assert deadline.owner == new_spoc and deadline.agency == world["police"] and deadline.is_open
    application_withdraw(application=application, reason="The applicant moved away", actor=world["spoc"],
                         version=fresh(application).version)
    assert not Deadline.objects.open().filter(subject=rec.subject).exists()
