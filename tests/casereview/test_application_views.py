"""Case Review application screens: every URL for every role (a refusal is 404), what each page reveals, the public
form's submission key (a double click, a refresh, someone else's key), the call centre's confirmation, the contact
person's actions through the views, hostile input to every form (hypothesis), and fixed query counts for the list and
the application's page."""

import html
import re
import uuid
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from casereview.models import (
    Application,
    ApplicationEvent,
    Recommendation,
    ReviewMeeting,
    Route,
    Stage,
    ThresholdFlag,
    Timescales,
)
from casereview.services.applications import ApplicationSubmission, application_submit
from cases.models import Deadline, PartnerAgency
from notifications.models import Message

from ..cases.factories import report_submission, submit_report
from ..test_access_partners import LOGIN, NOT_FOUND, OK, ROLES, _row, agencies, users  # noqa: F401 - fixtures
from ..test_fuzz_forms import FUZZ, NASTY, hostile

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
APPLICANT, APPLICANT_PHONE = "Winifred Atherton-Blake", "07700 900456"
EVERYONE = dict.fromkeys(ROLES, OK)
REDIRECT = 302


def _valid_public(**overrides) -> dict:
    data = {
        "applicant_is_victim": "yes", "victim_kind": "individual", "applicant_name": APPLICANT, "email": "winifred@example.com",
        "phone": APPLICANT_PHONE, "address": "3 Mill Lane", "postcode": "LE18 2AB", "preferred_contact_method": "email",
        "location": "Mill Lane, Wigston", "description": "Youths kicking the door every evening", "reported_to": ["council", "police"],
        "first_reported_on_0": "", "first_reported_on_1": "", "first_reported_on_2": "", "last_reported_on_0": "",
        "last_reported_on_1": "", "last_reported_on_2": "", "case_references": "", "impact": "I cannot sleep", "hate_related": "no",
    }
    data.update(overrides)
    return data


def _valid_staff(**overrides) -> dict:
    today = timezone.localdate()
    values = dict(route="phone", received_on_0=str(today.day), received_on_1=str(today.month), received_on_2=str(today.year),
                  preferred_contact_method="phone", email="")
    return _valid_public(**{**values, **overrides})


def make_application(**overrides) -> Application:
    values = dict(applicant_name=APPLICANT, preferred_contact_method="phone", phone=APPLICANT_PHONE, location="Mill Lane",
                  description="Youths kicking the door")
    values.update(overrides)
    return application_submit(data=ApplicationSubmission(**values), route=Route.PHONE, submission_key=uuid.uuid4())


def _key(html: str) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', html).group(1)


# --- every URL, every role ------------------------------------------------------------------------------


@pytest.fixture
def ids(users):  # noqa: F811 - the fixture imported above
    return {"reference": make_application().reference}


def _staff(url, call_centre=NOT_FOUND, officer=OK, manager=OK):
    return _row(url, call_centre=call_centre, officer=officer, manager=manager)


MATRIX = [
    ("/case-review/", EVERYONE),
    ("/case-review/apply/", EVERYONE),
    ("/case-review/apply/sent/", dict.fromkeys(ROLES, REDIRECT)),  # nothing sent in this session: back to the form
    ("/case-review/figures/", EVERYONE),
    ("/case-review/figures.csv", EVERYONE),
    _staff("/staff/case-review/"),
    _staff("/staff/case-review/?stage=closed&page=2"),
    _staff("/staff/case-review/new/", call_centre=OK),
    _staff("/staff/case-review/new/?logged=1", call_centre=REDIRECT, officer=REDIRECT, manager=REDIRECT),
    _staff("/staff/case-review/{reference}/"),
    _staff("/staff/case-review/CR-1999-0001/", officer=NOT_FOUND, manager=NOT_FOUND),
    _staff("/staff/case-review/{reference}/acknowledge/"),
    _staff("/staff/case-review/{reference}/contact-person/", officer=NOT_FOUND),
    _staff("/staff/case-review/{reference}/link/"),
    _staff("/staff/case-review/{reference}/link/?case=ASB-2026-00001"),
    _staff("/staff/case-review/{reference}/withdraw/"),
    _staff("/dashboard/", officer=NOT_FOUND),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, users, ids, role, url, expected):  # noqa: F811
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url.format(**ids))
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == want


ACTIONS = {
    "acknowledge/": {"method": "phone"},
    "contact-person/": {"spoc": "1"},
    "link/": {"case_reference": "ASB-2026-00001", "person": "none"},
    "withdraw/": {"reason": "Asked to withdraw"},
}


@pytest.mark.parametrize("role", ["anonymous", "call_centre", "police", "police_lead", "housing"])
@pytest.mark.parametrize("action", ACTIONS)
def test_nobody_else_can_post_an_action(client, users, ids, role, action):  # noqa: F811
    if role != "anonymous":
        client.force_login(users[role])
    application = Application.objects.get(reference=ids["reference"])
    response = client.post(f"/staff/case-review/{ids['reference']}/{action}", {**ACTIONS[action], "version": application.version})
    assert response.status_code in (302, 404)
    if role != "anonymous":
        assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).version == application.version


def test_an_officer_cannot_choose_the_contact_person_by_post(client, users, ids):  # noqa: F811
    client.force_login(users["officer"])
    application = Application.objects.get(reference=ids["reference"])
    response = client.post(f"/staff/case-review/{ids['reference']}/contact-person/",
                           {"spoc": str(users["officer"].pk), "version": application.version})
    assert response.status_code == 404 and Application.objects.get(pk=application.pk).spoc is None


def test_the_navigation_shows_case_review_to_staff_and_recommendations_to_partners(client, users):  # noqa: F811
    def nav(role):
        client.force_login(users[role])
        page = client.get("/staff/" if role not in ("police", "police_lead", "housing") else "/partners/", follow=True)
        return page.content.decode().split('id="navigation"')[1].split("</ul>")[0]

    assert 'href="/staff/case-review/new/"' in nav("call_centre") and 'href="/staff/case-review/"' not in nav("call_centre")
    assert 'href="/staff/case-review/">Case Review' in nav("officer")
    assert 'href="/staff/case-review/">Case Review' in nav("manager")
    for partner in ("police", "police_lead", "housing"):
        html = nav(partner)
        assert 'href="/partners/recommendations/">Recommendations' in html and "case-review" not in html


def test_the_public_footer_links_to_the_case_review(client):
    assert 'href="/case-review/"' in client.get("/report/").content.decode()


# --- the public pages ---------------------------------------------------------------------------------------


def test_the_about_page_says_the_threshold_and_timescales_from_stored_rows(client):
    Timescales.objects.update_or_create(pk=1, defaults={"decision_days": 12})
    html = client.get("/case-review/").content.decode()
    assert "3 separate incidents reported by one person within 6 months" in html
    assert "Any hate incident reported within" in html
    assert "within 12 working days" in html
    assert settings.COUNCIL_PHONE in html
    assert 'href="/case-review/apply/"' in html


def test_apply_sends_one_application_and_shows_the_reference_to_this_session_only(client, officer_user,
                                                                                 django_capture_on_commit_callbacks):
    key = _key(client.get("/case-review/apply/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/case-review/apply/", {**_valid_public(), "submission_key": key})
    assert response.status_code == 302 and response["Location"] == "/case-review/apply/sent/"
    application = Application.objects.get()
    assert application.route == Route.ONLINE and application.reported_to == ["council", "police"]
    assert application.stage == Stage.ACKNOWLEDGED  # emailed at once
    sent = client.get("/case-review/apply/sent/").content.decode()
    assert application.reference in sent and "winifred@example.com" in sent
    client.force_login(officer_user)
    detail = client.get(f"/staff/case-review/{application.reference}/").content.decode()
    assert "The council, The police" in detail and APPLICANT in detail

    # A refresh or second click posts the same key again: no second application, the same confirmation.
    again = client.post("/case-review/apply/", {**_valid_public(), "submission_key": key})
    assert again["Location"] == "/case-review/apply/sent/" and Application.objects.count() == 1
    assert Message.objects.filter(key__startswith="cr-ack").count() == 1


def test_someone_elses_submission_key_never_shows_their_confirmation(client, django_capture_on_commit_callbacks):
    from django.test import Client

    key = _key(client.get("/case-review/apply/").content.decode())
    client.post("/case-review/apply/", {**_valid_public(), "submission_key": key})
    first = Application.objects.get()

    stranger = Client()
    assert stranger.get("/case-review/apply/sent/")["Location"] == "/case-review/apply/"
    stranger.get("/case-review/apply/")
    stranger.post("/case-review/apply/", {**_valid_public(applicant_name="Nosy Parker"), "submission_key": key})
    theirs = stranger.get("/case-review/apply/sent/").content.decode()
    assert first.reference not in theirs
    assert Application.objects.count() == 2 and Application.objects.exclude(pk=first.pk).get().applicant_name == "Nosy Parker"


def test_apply_shows_errors_for_someone_applying_without_the_victims_agreement(client):
    key = _key(client.get("/case-review/apply/").content.decode())
    response = client.post("/case-review/apply/", {**_valid_public(applicant_is_victim="no"), "submission_key": key})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in html
    assert "Confirm that the victim agrees to this application" in html
    assert "Select who you are to the victim" in html
    assert Application.objects.count() == 0


def test_apply_needs_the_detail_the_preferred_method_needs(client):
    key = _key(client.get("/case-review/apply/").content.decode())
    response = client.post("/case-review/apply/", {**_valid_public(email="", preferred_contact_method="email"), "submission_key": key})
    assert "Enter an email address, or choose another way for us to contact you" in response.content.decode()
    assert Application.objects.count() == 0


def test_a_future_report_date_is_refused(client):
    later = timezone.localdate() + timedelta(days=2)
    key = _key(client.get("/case-review/apply/").content.decode())
    response = client.post("/case-review/apply/", {**_valid_public(last_reported_on_0=later.day, last_reported_on_1=later.month,
                                                                   last_reported_on_2=later.year), "submission_key": key})
    assert "The date must be today or in the past" in response.content.decode() and Application.objects.count() == 0


# --- the call centre and the staff screens ----------------------------------------------------------------


def test_the_call_centre_logs_a_phone_application_and_sees_only_the_confirmation(client, call_centre_user):
    client.force_login(call_centre_user)
    key = _key(client.get("/staff/case-review/new/").content.decode())
    response = client.post("/staff/case-review/new/", {**_valid_staff(), "submission_key": key})
    assert response.status_code == 302 and response["Location"] == "/staff/case-review/new/?logged=1"
    application = Application.objects.get()
    assert application.route == Route.PHONE and application.logged_by == call_centre_user and application.stage == Stage.RECEIVED
    page = client.get(response["Location"]).content.decode()
    assert application.reference in page and APPLICANT not in page and APPLICANT_PHONE not in page
    assert f"/staff/case-review/{application.reference}/" not in page
    assert client.get(f"/staff/case-review/{application.reference}/").status_code == 404
    # Posted again (refresh): the same application.
    client.post("/staff/case-review/new/", {**_valid_staff(), "submission_key": key})
    assert Application.objects.count() == 1


def test_a_paper_application_received_last_week_counts_from_that_day(client, officer_user):
    with time_machine.travel(datetime(2026, 6, 19, 10, 0, tzinfo=LONDON), tick=False):
        client.force_login(officer_user)  # signed in at the travelled-to time: a session from another date has expired
        data = _valid_staff(route="paper", received_on_0="12", received_on_1="6", received_on_2="2026")
        client.post("/staff/case-review/new/", {**data, "submission_key": str(uuid.uuid4())})
    application = Application.objects.get()
    assert application.received_at.astimezone(LONDON).date() == date(2026, 6, 12)
    decision = Deadline.objects.get(subject=application.subject, kind="cr_decision")
    assert decision.due_at.astimezone(LONDON).date() == date(2026, 6, 26)  # 10 working days after Friday 12 June


def test_the_list_shows_stage_contact_person_and_next_deadline(client, officer_user):
    with time_machine.travel(datetime(2026, 6, 15, 10, 0, tzinfo=LONDON), tick=False):
        late = make_application()
    with time_machine.travel(datetime(2026, 6, 25, 10, 0, tzinfo=LONDON), tick=False):
        fresh = make_application(applicant_name="Second Applicant")
        client.force_login(officer_user)
        html = client.get("/staff/case-review/").content.decode()
    assert late.reference in html and fresh.reference in html
    row = html[html.index(late.reference):html.index("</tr>", html.index(late.reference))]
    assert "Overdue" in row and "Acknowledge the application" in row and "No contact person" in row
    fresh_row = html[html.index(fresh.reference):html.index("</tr>", html.index(fresh.reference))]
    assert "Overdue" not in fresh_row


def test_the_list_filters_open_and_closed(client, officer_user):
    open_one = make_application()
    closed = make_application(applicant_name="Closed One")
    Application.objects.filter(pk=closed.pk).update(stage=Stage.WITHDRAWN)
    client.force_login(officer_user)
    assert closed.reference not in client.get("/staff/case-review/").content.decode()
    closed_html = client.get("/staff/case-review/?stage=closed").content.decode()
    assert closed.reference in closed_html and open_one.reference not in closed_html


def test_the_contact_person_records_the_acknowledgement_through_the_page(client, officer_user):
    application = make_application()
    client.force_login(officer_user)
    detail = client.get(f"/staff/case-review/{application.reference}/").content.decode()
    assert f"/staff/case-review/{application.reference}/acknowledge/" in detail
    stale = client.post(f"/staff/case-review/{application.reference}/acknowledge/", {"method": "phone", "version": application.version + 5})
    assert "Someone else has changed this application" in stale.content.decode()
    response = client.post(f"/staff/case-review/{application.reference}/acknowledge/", {"method": "phone", "version": application.version})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == Stage.ACKNOWLEDGED and application.acknowledged_by == officer_user
    # Once acknowledged the action is gone.
    assert client.get(f"/staff/case-review/{application.reference}/acknowledge/").status_code == 404


def test_a_manager_chooses_the_contact_person(client, manager_user, officer_user):
    application = make_application()
    client.force_login(manager_user)
    page = client.get(f"/staff/case-review/{application.reference}/contact-person/").content.decode()
    assert officer_user.username in page or html.escape(officer_user.get_full_name()) in page
    response = client.post(f"/staff/case-review/{application.reference}/contact-person/",
                           {"spoc": str(officer_user.pk), "version": application.version})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).spoc == officer_user


def test_linking_finds_the_case_offers_its_victims_and_closes_the_flag(client, officer_user):
    report = submit_report(report_submission(incident_date=timezone.localdate() - timedelta(days=1)))
    flag = ThresholdFlag.objects.create(case=report.case, rule_text="any hate incident", met_at=timezone.now())
    application = make_application()
    client.force_login(officer_user)
    page = client.get(f"/staff/case-review/{application.reference}/link/?case={report.case.reference.lower()}").content.decode()
    assert "Margaret Ellis" in page
    response = client.post(f"/staff/case-review/{application.reference}/link/", {
        "case_reference": report.case.reference, "person": str(report.reporter.person_id), "version": application.version})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.case == report.case and application.person_id == report.reporter.person_id
    flag.refresh_from_db()
    assert flag.closed_at is not None


def test_withdrawing_through_the_page(client, officer_user):
    application = make_application()
    client.force_login(officer_user)
    empty = client.post(f"/staff/case-review/{application.reference}/withdraw/", {"reason": "   ", "version": application.version})
    assert "Give the reason it was withdrawn" in empty.content.decode()
    client.post(f"/staff/case-review/{application.reference}/withdraw/", {"reason": "Asked to by phone", "version": application.version})
    assert Application.objects.get(pk=application.pk).stage == Stage.WITHDRAWN
    assert client.get(f"/staff/case-review/{application.reference}/withdraw/").status_code == 404


# --- fixed query counts ----------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    client.get(url)  # the first request of a session reads what later ones have (the session, the user's roles)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_takes_a_fixed_number_of_queries(client, officer_user):
    client.force_login(officer_user)
    Timescales.objects.update_or_create(pk=1, defaults={"default_spoc": officer_user})
    for _ in range(2):
        make_application()
    few = _queries(client, "/staff/case-review/")
    for _ in range(20):
        make_application()
    assert _queries(client, "/staff/case-review/") == few


def _grow(application, user, n):
    meeting, _ = ReviewMeeting.objects.get_or_create(
        application=application, defaults=dict(held_on=timezone.localdate(), chair_name="Chair", applicant_participation="attended",
                                                agency_summary="Summary", action_plan="Plan", recorded_by=user))
    agencies_ = list(PartnerAgency.objects.all()[:n])
    meeting.agencies_present.add(*agencies_)
    for i in range(n):
        Recommendation.objects.create(application=application, text=f"Recommendation {i}", due_on=timezone.localdate() + timedelta(days=30),
                                      owner_agency=agencies_[i % len(agencies_)] if agencies_ else None, created_by=user)
        ApplicationEvent.objects.create(application=application, summary=f"Event {i}", actor=user, occurred_at=timezone.now())


def test_the_application_page_takes_a_fixed_number_of_queries(client, officer_user):
    client.force_login(officer_user)
    application = make_application()
    _grow(application, officer_user, 1)
    url = f"/staff/case-review/{application.reference}/"
    few = _queries(client, url)
    _grow(application, officer_user, 8)
    assert _queries(client, url) == few


# --- hostile input ----------------------------------------------------------------------------------------------


def _count():
    return Application.objects.count(), ApplicationEvent.objects.count()


def test_the_public_form_survives_any_input(client):
    key = _key(client.get("/case-review/apply/").content.decode())

    @FUZZ
    @given(data=hostile({**_valid_public(email="", preferred_contact_method="phone"), "submission_key": key}))
    def post(data):
        before = _count()
        response = client.post("/case-review/apply/", data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert _count() == before

    post()


def test_the_staff_form_survives_any_input(client, call_centre_user):
    client.force_login(call_centre_user)

    @FUZZ
    @given(data=hostile({**_valid_staff(), "submission_key": str(uuid.uuid4())}))
    def post(data):
        before = _count()
        response = client.post("/staff/case-review/new/", data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert _count() == before

    post()


@pytest.mark.parametrize("action", ACTIONS)
def test_the_action_forms_survive_any_input(client, manager_user, action):
    application = make_application()
    client.force_login(manager_user)
    base = {**ACTIONS[action], "version": str(application.version)}
    if action == "contact-person/":
        base["spoc"] = str(manager_user.pk)

    @FUZZ
    @given(data=hostile(base), case=NASTY)
    def post(data, case):
        current = Application.objects.get(pk=application.pk)
        before = _count()
        response = client.post(f"/staff/case-review/{current.reference}/{action}", data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert _count() == before
        assert client.get(f"/staff/case-review/{current.reference}/link/", {"case": case}).status_code < 500

    post()


@FUZZ
@given(reference=st.one_of(st.text(min_size=1, max_size=40), st.sampled_from(["CR-2026-0\x0001", "\x00", "a" * 3000])),
       which=NASTY)
def test_any_reference_or_filter_is_answered_without_a_server_error(client, officer_user, reference, which):
    client.force_login(officer_user)
    assert client.get(f"/staff/case-review/{quote(reference, safe='')}/").status_code < 500
    assert client.get("/staff/case-review/", {"stage": which, "page": which}).status_code < 500
