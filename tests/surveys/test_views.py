"""The public survey pages and the staff survey screens through Django's request stack."""

import pytest

from surveys.models import Invitation, Response
from surveys.services import invitation_token, surveys_sweep

from .test_services import GOOD, closed_case

pytestmark = pytest.mark.django_db


def invitation_for(officer, **overrides):
    closed_case(officer, **overrides)
    surveys_sweep()
    return Invitation.objects.get()


def test_the_resident_answers_once_and_a_used_link_says_so(client, officer_user):
    token = invitation_token(invitation_for(officer_user))
    url = f"/survey/{token}/"
    page = client.get(url).content.decode()
    assert "Tell us how we did" in page and "Overall, how satisfied are you" in page
    errors = client.post(url, {}).content.decode()
    assert "There is a problem" in errors and "Select how satisfied you are overall" in errors and 'href="#id_overall_1"' in errors
    response = client.post(url, {**GOOD, "comments": "<b>Thanks</b>", "may_contact": "no"})
    assert response["Location"] == "/survey/thanks/"
    again = client.get(url)
    assert again.status_code == 410 and "already been answered" in again.content.decode()
    assert client.post(url, {**GOOD, "may_contact": "no"}).status_code == 410
    assert Response.objects.count() == 1 and Response.objects.get().comments == "<b>Thanks</b>"


def test_a_forged_link_gets_a_clear_page(client, officer_user):
    invitation_for(officer_user)
    response = client.get("/survey/eyJpIjoxfQ:forged:signature/")
    assert response.status_code == 410 and "not valid" in response.content.decode() and "Nothing has been recorded" in response.content.decode()


def test_staff_enter_a_phone_survey_from_the_list(client, officer_user):
    invitation = invitation_for(officer_user, preferred_contact_method="phone", phone="0116 496 0000")
    client.force_login(officer_user)
    assert "Margaret Ellis" in client.get("/staff/surveys/phone/").content.decode()
    response = client.post(f"/staff/surveys/phone/{invitation.pk}/", {**GOOD, "comments": "", "may_contact": "yes"})
    assert response.status_code == 302
    saved = Response.objects.get()
    assert saved.taken_by_phone and saved.entered_by == officer_user
    assert "No surveys are waiting" in client.get("/staff/surveys/phone/").content.decode()


def test_results_show_the_rate_against_the_target_and_comments(client, officer_user, manager_user):
    from surveys.services import survey_submit

    invitation = invitation_for(officer_user)
    survey_submit(token=invitation_token(invitation), answers={**GOOD, "overall": "2"}, comments="Nobody called back")
    client.force_login(manager_user)
    page = client.get("/staff/surveys/").content.decode()
    assert "0.0%" in page and "(0 of 1 responses)" in page and "Not met" in page and "Nobody called back" in page
    response = client.post(f"/staff/surveys/comments/{Response.objects.get().pk}/", {"text": "Call-backs are now deadlines"})
    assert response.status_code == 302
    assert "Call-backs are now deadlines" in client.get("/staff/surveys/").content.decode()
