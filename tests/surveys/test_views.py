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
    assert again.status_code == 410 and "You have already answered this survey. Thank you." in again.content.decode()
    assert "Nothing has been recorded" not in again.content.decode()  # it was: one message, not two that disagree
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


# --- entering phone surveys: only phone invitations, and only once (issue 9) ----------------

@pytest.mark.parametrize("role", ["call_centre", "officer", "manager"])
def test_staff_cannot_open_or_answer_an_invitation_sent_by_email(client, role_users, role):
    invitation = invitation_for(role_users["officer"])
    assert invitation.channel == "email"
    client.force_login(role_users[role])
    url = f"/staff/surveys/phone/{invitation.pk}/"
    page = client.get(url)
    assert page.status_code == 404 and "Margaret Ellis" not in page.content.decode()
    assert client.post(url, {**GOOD, "may_contact": "no"}).status_code == 404
    assert Response.objects.count() == 0
    # The resident's own link still works.
    assert client.get(f"/survey/{invitation_token(invitation)}/").status_code == 200


def test_a_survey_started_from_a_case_is_for_officers_and_managers_only(client, officer_user, call_centre_user):
    from surveys.services import phone_survey_start

    case, reporter = closed_case(officer_user)
    invitation = phone_survey_start(case=case, party=reporter, actor=officer_user)
    client.force_login(call_centre_user)
    assert client.get(f"/staff/surveys/phone/{invitation.pk}/").status_code == 404
    client.force_login(officer_user)
    assert client.get(f"/staff/surveys/phone/{invitation.pk}/").status_code == 200
    assert client.post(f"/staff/surveys/phone/{invitation.pk}/", {**GOOD, "may_contact": "no"}).status_code == 302
    assert Response.objects.get().invitation == invitation


def test_a_phone_survey_entered_twice_says_someone_already_entered_it(client, officer_user, call_centre_user):
    from django.test import Client

    invitation = invitation_for(officer_user, preferred_contact_method="phone", phone="0116 496 0000")
    url = f"/staff/surveys/phone/{invitation.pk}/"
    first, second = Client(), Client()
    first.force_login(officer_user)
    second.force_login(call_centre_user)
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200  # both open the page
    assert first.post(url, {**GOOD, "may_contact": "no"}).status_code == 302
    response = second.post(url, {**GOOD, "overall": "1", "may_contact": "no"})
    assert response.status_code == 409
    assert "Someone has already entered answers for this survey" in response.content.decode()
    assert Response.objects.get().overall == 5  # the first answers stand
    assert "Someone has already entered answers" in second.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_staff_saving_the_same_phone_survey_at_once_get_one_response_and_no_error(officer_user, call_centre_user, manager_user):
    """Both requests pass the page's check, then queue on the row lock in survey_submit: the second is told, not a 500."""
    import threading

    from django.db import connection, transaction
    from django.test import Client

    invitation = invitation_for(officer_user, preferred_contact_method="phone", phone="0116 496 0000")
    url = f"/staff/surveys/phone/{invitation.pk}/"
    results = []

    def enter(user):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        try:
            results.append(client.post(url, {**GOOD, "may_contact": "no"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(user,)) for user in (officer_user, call_centre_user, manager_user)]
    with transaction.atomic():
        # Hold the row so all three requests get past the page's check and wait inside survey_submit.
        Invitation.objects.select_for_update().get(pk=invitation.pk)
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(expected=3)
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [302, 409, 409]
    assert Response.objects.count() == 1


def wait_for_lock_waiters(*, expected, timeout=20.0):
    """Wait until `expected` other connections are blocked on a lock (the invitation row)."""
    import time

    from django.db import connections

    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise read once per transaction
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
            if cursor.fetchone()[0] >= expected:
                return
            time.sleep(0.05)
    raise AssertionError("the requests never reached the row lock")
