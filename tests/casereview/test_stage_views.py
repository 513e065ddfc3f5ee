"""The stage screens and the partners' recommendation screens: every URL for every role (a refusal is 404), each
journey through the forms (errors, double posts), what a partner page reveals, and hostile input (hypothesis)."""

from datetime import date

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from hypothesis import given

from casereview.models import (
    Application,
    ApplicationEvent,
    EscalationRequest,
    Recommendation,
    ReviewMeeting,
    Stage,
)
from casereview.services.recommendations import recommendation_add, recommendation_token
from casereview.services.stages import EscalationAsk, escalation_record, outcome_send
from cases.models import PartnerAgency
from notifications.models import Message

from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from ..test_fuzz_forms import FUZZ, form_base, hostile
from .factories import APPLICANT_NAME, application_make, decided, fresh, london, met

pytestmark = pytest.mark.django_db
NOW = london(2026, 11, 4, 10, 0)  # Wednesday 4 November 2026
ROLES = ["anonymous", "call_centre", "officer", "manager", "police", "police_lead", "housing"]
LOGIN, OK, NOT_FOUND = "login", 200, 404


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _add(application, agency, actor, text):
    application = fresh(application)
    return recommendation_add(application=application, text=text, owner_agency=agency, due_on=date(2026, 12, 18), actor=actor,
                              version=application.version)


@pytest.fixture
def ids(users, agencies):  # noqa: F811 - the fixtures imported above
    application = met(decided(application_make(spoc=users["officer"]), users["manager"]), users["officer"], agencies=[agencies["police"]])
    police = _add(application, agencies["police"], users["officer"], "Patrol on Friday nights")
    housing = _add(application, agencies["housing"], users["officer"], "Tenancy warning")
    return {"reference": application.reference, "police_rec": police.pk, "housing_rec": housing.pk}


def _staff(path, *, officer=OK, manager=OK):
    return (f"/staff/case-review/{{reference}}/{path}", {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "officer": officer,
                                                         "manager": manager})


def _partner(path, *, police=OK, housing=NOT_FOUND):
    return (f"/partners/recommendations/{path}", {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "police": police,
                                                  "police_lead": police, "housing": housing})


MATRIX = [
    _staff("decision/"),  # the officer reads the decision; only a manager makes it
    _staff("meeting/"),
    _staff("recommendations/add/"),
    _staff("recommendations/{police_rec}/"),
    _staff("recommendations/999999/", officer=NOT_FOUND, manager=NOT_FOUND),
    _staff("outcome/"),
    _staff("escalation/"),
    _staff("escalation/outcome/"),
    _partner("", housing=OK),
    _partner("?show=all", housing=OK),
    _partner("{police_rec}/"),
    _partner("{housing_rec}/", police=NOT_FOUND, housing=OK),
    _partner("999999/", police=NOT_FOUND),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, users, ids, role, url, expected):  # noqa: F811
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url.format(**ids))
    if expected[role] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == expected[role]


POSTS = [
    ("decision/", {"threshold_met": "no", "proceeds": "no", "reasons": "Posted by the wrong person"}),
    ("meeting/", {"chair_name": "Posted by the wrong person"}),
    ("recommendations/add/", {"text": "Posted by the wrong person", "owner": "council"}),
    ("recommendations/{police_rec}/", {"text": "Posted by the wrong person", "status": "done", "progress": "x"}),
    ("outcome/", {"letter": "Posted by the wrong person"}),
    ("escalation/", {"reasons": "Posted by the wrong person"}),
    ("escalation/outcome/", {"outcome_summary": "Posted by the wrong person"}),
]


@pytest.mark.parametrize("role", ["call_centre", "police", "police_lead", "housing"])
def test_nobody_outside_the_team_can_post_to_the_stage_screens(client, users, ids, role):  # noqa: F811
    client.force_login(users[role])
    before = (ApplicationEvent.objects.count(), Application.objects.get().version)
    for path, data in POSTS:
        assert client.post(f"/staff/case-review/{ids['reference']}/{path.format(**ids)}", data).status_code == 404, path
    assert (ApplicationEvent.objects.count(), Application.objects.get().version) == before


def test_an_officer_cannot_post_a_decision(client, users):  # noqa: F811
    application = application_make(spoc=users["officer"])
    client.force_login(users["officer"])
    page = client.get(f"/staff/case-review/{application.reference}/decision/")
    assert page.status_code == 200 and "Waiting for a manager" in page.content.decode()
    response = client.post(f"/staff/case-review/{application.reference}/decision/",
                           {"threshold_met": "yes", "proceeds": "yes", "reasons": "x", "version": application.version})
    assert response.status_code == 404 and fresh(application).decided_at is None


def test_partners_never_see_the_applicant_on_their_pages(client, users, ids):  # noqa: F811
    for role in ("police", "police_lead"):
        client.force_login(users[role])
        for url in ("/partners/recommendations/", f"/partners/recommendations/{ids['police_rec']}/"):
            html = client.get(url).content.decode()
            assert ids["reference"] in html and "Patrol on Friday nights" in html and APPLICANT_NAME not in html
            assert "Tenancy warning" not in html


# --- the journeys through the forms -------------------------------------------------------------------------------

def test_the_manager_decides_with_the_threshold_shown_and_a_double_post_decides_once(client, users):  # noqa: F811
    application = application_make(spoc=users["officer"])
    url = f"/staff/case-review/{application.reference}/decision/"
    client.force_login(users["manager"])
    page = client.get(url).content.decode()
    assert "not linked to a council case" in page
    refused = client.post(url, {"threshold_met": "yes", "proceeds": "no", "reasons": "", "version": application.version})
    html = refused.content.decode()
    assert refused.status_code == 200 and "<title>Error: " in html
    assert "When the threshold is met a review must be held" in html and "Give the reasons for the decision" in html
    data = {"threshold_met": "yes", "proceeds": "yes", "reasons": "Three reports in six months", "version": application.version}
    first = client.post(url, data)
    assert first.status_code == 302 and first["Location"] == f"/staff/case-review/{application.reference}/"
    again = client.post(url, data)
    assert again.status_code == 200 and fresh(application).stage == Stage.AWAITING_MEETING
    assert ApplicationEvent.objects.filter(summary__startswith="Threshold decision").count() == 1
    assert Message.objects.filter(key__startswith="cr-decision").count() == 1


def test_not_met_by_letter_shows_the_letter_to_print(client, users):  # noqa: F811
    application = application_make(method="letter", spoc=users["officer"])
    url = f"/staff/case-review/{application.reference}/decision/"
    client.force_login(users["manager"])
    response = client.post(url, {"threshold_met": "no", "proceeds": "no", "reasons": "One report about a one-off party",
                                 "version": application.version})
    assert response.status_code == 302 and response["Location"] == url
    client.force_login(users["officer"])
    html = client.get(url).content.decode()
    assert "post them this letter" in html and "One report about a one-off party" in html and APPLICANT_NAME in html
    assert "2 December 2026" in html  # the last day to ask for it to be looked at again


def test_the_threshold_met_on_the_linked_case_is_shown_with_its_reports(client, users):  # noqa: F811
    from ..cases.factories import report_submission, submit_report

    reports = [submit_report(report_submission(incident_date=date(2026, 10, day)), received_at=london(2026, 10, day, 12)) for day in (1, 8, 15)]
    application = application_make(case=reports[0].case)
    client.force_login(users["manager"])
    html = client.get(f"/staff/case-review/{application.reference}/decision/").content.decode()
    assert "3 separate incidents reported by one person within 6 months" in html
    for day in ("1 October 2026", "8 October 2026", "15 October 2026"):
        assert day in html


def test_the_meeting_recommendations_and_outcome_through_the_forms(client, users, agencies):  # noqa: F811
    application = decided(application_make(spoc=users["officer"]), users["manager"])
    base = f"/staff/case-review/{application.reference}/"
    client.force_login(users["officer"])
    meeting = {"held_on_0": "4", "held_on_1": "11", "held_on_2": "2026", "chair_name": "Dr Harriet Oduya", "independent_chair": "yes",
               "agencies_present": [agencies["police"].pk], "applicant_participation": "attended",
               "agency_summary": "Two warning letters; two police visits.", "action_plan": "Joint visit; noise monitoring.",
               "victim_consulted": "yes", "version": fresh(application).version}
    future = client.post(base + "meeting/", {**meeting, "held_on_0": "5"})
    assert "The meeting date must be today or in the past" in future.content.decode()
    assert client.post(base + "meeting/", meeting).status_code == 302
    assert client.post(base + "meeting/", meeting).status_code == 200  # a double post: "already recorded", no second row
    assert ReviewMeeting.objects.count() == 1 and list(ReviewMeeting.objects.get().agencies_present.all()) == [agencies["police"]]

    rec = {"text": "Patrol on Friday nights", "owner": str(agencies["police"].pk), "due_on_0": "18", "due_on_1": "12", "due_on_2": "2026",
           "status": "open", "progress": "", "version": fresh(application).version}
    assert client.post(base + "recommendations/add/", rec).status_code == 302
    stale = client.post(base + "recommendations/add/", rec)
    assert stale.status_code == 200 and "Someone else has changed this application" in stale.content.decode()
    assert Recommendation.objects.count() == 1
    saved = Recommendation.objects.get()
    edit = {**rec, "due_on_0": "8", "due_on_1": "1", "due_on_2": "2027", "token": recommendation_token(saved)}
    assert client.post(base + f"recommendations/{saved.pk}/", edit).status_code == 302
    assert Recommendation.objects.get().due_on == date(2027, 1, 8)

    draft = client.get(base + "outcome/").content.decode()
    assert "Patrol on Friday nights" in draft and "8 January 2027" in draft and "Joint visit; noise monitoring." in draft
    sent = {"letter": "Dear Philippa,\n\nThe review met on 4 November.", "version": fresh(application).version}
    assert client.post(base + "outcome/", sent).status_code == 302
    assert client.post(base + "outcome/", sent).status_code == 200
    assert Message.objects.filter(key=f"cr-outcome:{application.pk}").count() == 1 and fresh(application).stage == Stage.OUTCOME_SENT


def test_the_request_to_look_again_and_its_outcome_through_the_forms(client, users):  # noqa: F811
    application = met(decided(application_make(spoc=users["officer"]), users["manager"]), users["officer"])
    outcome_send(application=fresh(application), letter="Letter", actor=users["officer"], version=fresh(application).version)
    base = f"/staff/case-review/{application.reference}/"
    client.force_login(users["officer"])
    assert "Wednesday 2 December 2026" in client.get(base + "escalation/").content.decode()
    ask = {"requested_on_0": "4", "requested_on_1": "11", "requested_on_2": "2026", "route": "phone", "reasons": "Nothing changed",
           "late_reason": "", "version": fresh(application).version}
    assert client.post(base + "escalation/", ask).status_code == 302
    assert EscalationRequest.objects.get().in_time
    answer = {"outcome": "partly", "outcome_summary": "The police will review their response.",
              "decided_by_name": "Police and Crime Commissioner's office", "version": fresh(application).version}
    assert client.post(base + "escalation/outcome/", answer).status_code == 302
    assert fresh(application).stage == Stage.CLOSED and EscalationRequest.objects.get().outcome == "partly"


def test_the_detail_page_shows_the_review_without_extra_queries_per_recommendation(client, users, agencies):  # noqa: F811
    application = met(decided(application_make(spoc=users["officer"]), users["manager"]), users["officer"], agencies=[agencies["police"]])
    url = f"/staff/case-review/{application.reference}/"
    client.force_login(users["officer"])
    client.get(url)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    small, _ = measure()
    for n in range(8):
        _add(application, agencies["police" if n % 2 else "housing"], users["officer"], f"Recommendation number {n}")
    large, html = measure()
    assert large == small
    assert "Dr Harriet Oduya (independent)" in html and "Recommendation number 7" in html and "Leicestershire Police" in html


# --- hostile input ------------------------------------------------------------------------------------------------

def _fuzz(client, url, *, overrides=None):
    page = client.get(url)
    assert page.status_code == 200
    base = {**form_base(page.content.decode(), past=NOW.date()), **(overrides or {})}

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        # Each example from the same state: a valid post is undone, so the next one meets the form again.
        sid = transaction.savepoint()
        try:
            counts = (Application.objects.get().version, ApplicationEvent.objects.count(), Recommendation.objects.count(),
                      Message.objects.count())
            response = client.post(url, data)
            assert response.status_code < 500
            if response.status_code != 302:
                assert (Application.objects.get().version, ApplicationEvent.objects.count(), Recommendation.objects.count(),
                        Message.objects.count()) == counts
        finally:
            transaction.savepoint_rollback(sid)

    post()


FUTURE = {"due_on_0": "18", "due_on_1": "12", "due_on_2": "2026"}


@pytest.mark.parametrize("stage, path, overrides", [
    ("received", "decision/", {}),
    ("decided", "meeting/", {}),
    ("met", "recommendations/add/", FUTURE),
    ("met", "recommendations/{rec}/", FUTURE),
    ("met", "outcome/", {}),
    ("sent", "escalation/", {}),
    ("escalated", "escalation/outcome/", {}),
])
def test_each_stage_form_survives_any_input(client, users, agencies, stage, path, overrides):  # noqa: F811
    application = application_make(spoc=users["officer"])
    rec = None
    if stage != "received":
        decided(application, users["manager"])
    if stage in ("met", "sent", "escalated"):
        met(application, users["officer"], agencies=[agencies["police"]])
        rec = _add(application, agencies["police"], users["officer"], "Patrol")
    if stage in ("sent", "escalated"):
        outcome_send(application=fresh(application), letter="Letter", actor=users["officer"], version=fresh(application).version)
    if stage == "escalated":
        escalation_record(application=fresh(application), actor=users["officer"], version=fresh(application).version,
                          ask=EscalationAsk(requested_on=NOW.date(), route="phone", reasons="Unfair"))
    client.force_login(users["manager"])
    _fuzz(client, f"/staff/case-review/{application.reference}/" + path.format(rec=rec.pk if rec else 0), overrides=overrides)


def test_the_partner_progress_form_survives_any_input(client, users, ids):  # noqa: F811
    client.force_login(users["police"])
    _fuzz(client, f"/partners/recommendations/{ids['police_rec']}/")


@FUZZ
@given(data=hostile({"show": "all", "page": "2"}))
def test_the_partner_list_survives_any_query(client, users, ids, data):  # noqa: F811
    client.force_login(users["housing"])
    assert client.get("/partners/recommendations/", data).status_code < 500


def test_an_inactive_agency_cannot_be_chosen_by_a_forged_post(client, users, agencies, ids):  # noqa: F811
    PartnerAgency.objects.filter(pk=agencies["housing"].pk).update(is_active=False)
    client.force_login(users["officer"])
    url = f"/staff/case-review/{ids['reference']}/recommendations/add/"
    response = client.post(url, {"text": "Forged", "owner": str(agencies["housing"].pk), **FUTURE, "status": "open",
                                 "version": Application.objects.get().version})
    assert response.status_code == 200 and not Recommendation.objects.filter(text="Forged").exists()


def test_the_detail_page_shows_each_part_of_the_review_as_it_happens(client, users, agencies):  # noqa: F811
    client.force_login(users["officer"])
    refused = decided(application_make(method="letter", spoc=users["officer"]), users["manager"], proceeds=False, threshold_met=False)
    html = client.get(f"/staff/case-review/{refused.reference}/").content.decode()
    assert "No review" in html and "See the decision and the letter to print" in html and "The applicant has not asked." in html
    escalation_record(application=fresh(refused), actor=users["officer"], version=fresh(refused).version,
                      ask=EscalationAsk(requested_on=NOW.date(), route="paper", reasons="They never spoke to the police"))
    html = client.get(f"/staff/case-review/{refused.reference}/").content.decode()
    assert "They never spoke to the police" in html and "In time" in html and "Waiting for a decision" in html

    reviewed = met(decided(application_make(spoc=users["officer"]), users["manager"]), users["officer"])
    _add(reviewed, None, users["officer"], "Install CCTV on the close")
    outcome_send(application=fresh(reviewed), letter="Letter", actor=users["officer"], version=fresh(reviewed).version)
    html = client.get(f"/staff/case-review/{reviewed.reference}/").content.decode()
    assert "Install CCTV on the close" in html and "The council" in html and "Sent on 4 November 2026 by email" in html
    assert "Read the outcome letter" in html
