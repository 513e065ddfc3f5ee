"""The call-centre phone report: one page, caller history before saving, one service with the online form."""

import uuid

import pytest

from cases.models import Case, CaseStatus, Channel, Report
from cases.services import report_submit

from ..cases.factories import report_submission as submission
from .helpers import answers

pytestmark = pytest.mark.django_db

URL = "/staff/phone-report/"


def phone_form(**overrides):
    """The phone page's fields: the online steps' answers, prefixed the same way, on one page."""
    data = {"submission_key": str(uuid.uuid4())}
    for step, fields in answers().items():
        if step in ("evidence", "check"):
            continue
        data.update(fields)
    data["about-you-phone"] = "07700 900123"
    data.update(overrides)
    return data


def earlier_report(**overrides):
    return report_submit(data=submission(**overrides), channel=Channel.ONLINE, submission_key=uuid.uuid4())


def test_new_caller_is_saved_straight_away_as_a_phone_report(client, call_centre_user):
    client.force_login(call_centre_user)
    response = client.post(URL, phone_form(**{"about-you-phone": "07700 900999", "about-you-email": "new@example.com", "location-address": "9 Other Road"}))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == Channel.PHONE and report.logged_by == call_centre_user
    assert response["Location"] == f"{URL}{report.case.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert report.case.reference in page and "will contact them by" not in page or "an officer will contact them by" in page


def test_repeat_caller_sees_earlier_reports_before_saving(client, call_centre_user):
    earlier = earlier_report()
    client.force_login(call_centre_user)
    response = client.post(URL, phone_form())
    page = response.content.decode()
    assert response.status_code == 200
    assert "This caller or address has reported before" in page
    assert earlier.case.reference in page
    assert Report.objects.count() == 1  # nothing saved yet


def test_repeat_caller_report_is_added_to_the_chosen_open_case(client, call_centre_user):
    earlier = earlier_report()
    client.force_login(call_centre_user)
    data = phone_form(link_to=str(earlier.case.pk))
    response = client.post(URL, data)
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert earlier.case.reports.count() == 2
    newest = earlier.case.reports.order_by("-received_at").first()
    assert newest.channel == Channel.PHONE and newest.logged_by == call_centre_user


def test_repeat_caller_can_start_a_new_case(client, call_centre_user):
    earlier_report()
    client.force_login(call_centre_user)
    assert client.post(URL, phone_form(link_to="new")).status_code == 302
    assert Case.objects.count() == 2


def test_closed_case_is_shown_but_cannot_take_the_report(client, call_centre_user):
    earlier = earlier_report()
    Case.objects.filter(pk=earlier.case.pk).update(status=CaseStatus.CLOSED)
    client.force_login(call_centre_user)
    page = client.post(URL, phone_form()).content.decode()
    assert earlier.case.reference in page
    # No radio to add to a closed case (matched on the radio itself: other inputs may share the value).
    assert f'name="link_to" type="radio" value="{earlier.case.pk}"' not in page
    assert 'name="link_to" type="radio" value="new"' in page
    response = client.post(URL, phone_form(link_to=str(earlier.case.pk)))
    assert "Select an open case from the list" in response.content.decode()
    assert Report.objects.count() == 1


def test_cannot_link_to_a_case_outside_the_callers_history(client, call_centre_user):
    other = earlier_report(phone="07700 900555", email="other@example.com", address="1 Far Lane", postcode="LE2 5BA")
    earlier_report()
    client.force_login(call_centre_user)
    response = client.post(URL, phone_form(link_to=str(other.case.pk)))
    assert "Select an open case from the list" in response.content.decode()
    assert other.case.reports.count() == 1


def test_same_phone_form_posted_twice_makes_one_report(client, call_centre_user):
    client.force_login(call_centre_user)
    data = phone_form(**{"about-you-phone": "07700 900999", "location-address": "9 Other Road"})
    client.post(URL, data)
    client.post(URL, {**data, "link_to": "new"})
    assert Report.objects.count() == 1


def test_errors_are_listed_in_one_summary_and_answers_kept(client, call_centre_user):
    client.force_login(call_centre_user)
    data = phone_form(**{"location-postcode": "XX", "when-incident_date_2": "2099", "description-description": ""})
    page = client.post(URL, data).content.decode()
    assert "There is a problem" in page
    assert "Enter a real postcode" in page and "The date must be today or in the past" in page and "Describe what happened" in page
    assert 'value="Margaret Ellis"' in page  # what was typed is still there
    assert Report.objects.count() == 0


def test_anonymous_phone_report_needs_no_caller_details(client, call_centre_user):
    client.force_login(call_centre_user)
    data = phone_form(**{"anonymous-anonymous": "yes", "about-you-full_name": "", "about-you-phone": "", "about-you-email": "",
                         "contact-preferences-preferred_contact_method": "", "location-address": "9 Other Road"})
    response = client.post(URL, data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.is_anonymous and report.reporter is None


def test_error_messages_speak_about_the_caller_not_you(client, call_centre_user):
    client.force_login(call_centre_user)
    page = client.post(URL, {"submission_key": str(uuid.uuid4())}).content.decode()
    assert "Select whether the caller wants to give their details" in page
    assert "Select which of these describes the caller best" in page
    assert "describes you best" not in page and "your details" not in page


# --- what the caller history reveals, per role (issue 9) ------------------------------------

def someone_else_calling_about_the_same_address(**overrides):
    """A different caller (perhaps the person complained about) giving the address of an earlier report."""
    return phone_form(**{"about-you-full_name": "Dean Clarke", "about-you-phone": "07700 900777",
                         "about-you-email": "dean@example.com", "location-address": "14 Bell Street",
                         "location-postcode": "LE18 1AA", **overrides})


def test_call_centre_sees_that_an_address_reported_before_but_never_who_reported(client, call_centre_user):
    earlier = earlier_report()
    client.force_login(call_centre_user)
    page = client.post(URL, someone_else_calling_about_the_same_address()).content.decode()
    assert "This caller or address has reported before" in page
    # Reference, category, where and status: enough to tell the caller where things stand.
    assert earlier.case.reference in page and "Noise" in page and "14 Bell Street" in page and "New" in page
    # Never who reported, nor how to reach them.
    assert "Margaret Ellis" not in page
    assert "7700 900123" not in page and "margaret@example.com" not in page.lower()
    assert ">Reporter<" not in page


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_officers_and_managers_see_who_reported_before(client, role_users, role):
    earlier_report()
    client.force_login(role_users[role])
    page = client.post(URL, someone_else_calling_about_the_same_address()).content.decode()
    assert "This caller or address has reported before" in page
    assert "Margaret Ellis" in page


def test_caller_history_rows_carry_no_people_for_the_call_centre(call_centre_user, officer_user):
    from cases.selectors import caller_history

    earlier_report()
    for_call_centre = caller_history(call_centre_user, postcode="LE18 1AA", address="14 Bell Street")
    for_officer = caller_history(officer_user, postcode="LE18 1AA", address="14 Bell Street")
    assert [r.reporter for r in for_call_centre] == [None]
    assert [r.reporter for r in for_officer] == ["Margaret Ellis"]
    # Plain values only: nothing a template could follow to a person.
    assert not any(hasattr(r, "case") or hasattr(r, "report") for r in for_call_centre)
