"""The public online journey through Django's full request stack (the browser tests add Chromium and axe)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cases.models import Case, Evidence, Report
from notifications.models import Message

from .helpers import DONE_STEP, answers, post_step, step_url, walk

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = pytest.mark.django_db


def test_whole_journey_creates_one_case_and_shows_the_reference(client):
    final = walk(client, answers())
    assert final == "/report/confirmation/"
    page = client.get(final).content.decode()
    case = Case.objects.get()
    assert case.reference in page
    assert "will contact you by" in page and "by email as you asked" in page
    report = case.reports.get()
    assert report.reporter.full_name == "Margaret Ellis"
    assert report.postcode == "LE18 1AA"
    assert Message.objects.filter(key=f"report-ack:{report.pk}").exists()


def test_anonymous_journey_skips_contact_questions_and_says_we_cannot_update(client):
    steps = answers(anonymous={"anonymous-anonymous": "yes"})
    visited = []
    url = walk(client, steps, visited=visited)
    assert "about-you" not in visited and "contact-preferences" not in visited
    page = client.get(url).content.decode()
    assert "cannot contact you" in page
    report = Report.objects.get()
    assert report.is_anonymous and report.reporter is None


def test_each_step_page_has_a_back_link(client):
    walk(client, answers(), until="when")
    page = client.get(step_url("when")).content.decode()
    assert f'href="{step_url("location")}"' in page and "govuk-back-link" in page


def test_error_summary_links_to_the_field_and_title_says_error(client):
    walk(client, answers(), until="when")
    response = post_step(
        client,
        "when",
        {"when-is_ongoing": "no", "when-incident_date_0": "1", "when-incident_date_1": "1", "when-incident_date_2": "2099"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "There is a problem" in page
    assert "The date must be today or in the past" in page
    assert re.search(r"<title>\s*Error:", page)
    assert 'href="#id_when-incident_date' in page


@pytest.mark.parametrize(
    "step, data, message",
    [
        ("location", {"location-postcode": "NOT A POSTCODE"}, "Enter a real postcode"),
        ("location", {}, "Enter an address, a postcode or a description"),
        ("about-you", {"about-you-full_name": "A", "about-you-email": "not-an-email"}, "Enter an email address in the correct format"),
        ("about-you", {"about-you-full_name": "A", "about-you-phone": "12ab"}, "Enter a phone number using numbers only"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, step, data, message):
    walk(client, answers(), until=step)
    page = post_step(client, step, data).content.decode()
    assert message in page
    assert Case.objects.count() == 0


def test_text_preference_needs_a_mobile_number(client):
    steps = answers(**{"about-you": {"about-you-full_name": "A", "about-you-phone": "0116 2888 961"}})
    walk(client, steps, until="contact-preferences")
    page = post_step(client, "contact-preferences", {"contact-preferences-preferred_contact_method": "text"}).content.decode()
    assert "Enter a mobile phone number" in page


def test_html_in_answers_is_shown_escaped(client):
    steps = answers(description={"description-description": "<script>alert('x')</script>", "description-impact": ""})
    walk(client, steps, until="check")
    page = client.get(step_url("check")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_wrong_type_upload_is_refused_and_earlier_answers_are_kept(client):
    walk(client, answers(), until="evidence")
    bad = SimpleUploadedFile("notes.png", b"MZ\x90\x00 this is an exe")
    response = post_step(client, "evidence", {"evidence-files": [bad], "upload": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and "must be a photo" in page
    assert Evidence.objects.count() == 0
    # Nothing lost: the earlier answers are still there on check your answers.
    url = walk_rest(client)
    assert url == step_url("check")
    assert "Loud music until 3am" in client.get(url).content.decode()


@override_settings(EVIDENCE_MAX_BYTES=50)
def test_oversize_upload_is_refused(client):
    walk(client, answers(), until="evidence")
    page = post_step(client, "evidence", {"evidence-files": [SimpleUploadedFile("big.png", PNG)], "upload": "1"}).content.decode()
    assert "must be smaller than 50" in page


def test_several_files_can_be_uploaded_removed_and_sent(client):
    walk(client, answers(), until="evidence")
    one, two = SimpleUploadedFile("one.png", PNG), SimpleUploadedFile("two.png", PNG)
    assert post_step(client, "evidence", {"evidence-files": [one, two], "upload": "1"}).status_code == 302
    page = client.get(step_url("evidence")).content.decode()
    assert "one.png" in page and "two.png" in page
    two_id = Evidence.objects.get(original_name="two.png").pk
    client.post(step_url("evidence"), {"online_report_wizard-current_step": "evidence", "remove": str(two_id)})
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["one.png"]
    post_step(client, "evidence", {})
    final = walk_rest(client, until=None)
    assert final == "/report/confirmation/"
    evidence = Evidence.objects.get()
    assert evidence.case == Case.objects.get() and evidence.staging_key is None


def test_change_link_returns_to_check_your_answers(client):
    walk(client, answers(), until="check")
    assert client.get(step_url("location") + "?change=1").status_code == 200
    response = post_step(client, "location", {"location-address": "1 New Road", "location-postcode": "LE2 5BA"})
    assert response["Location"] == step_url("check")
    assert "1 New Road" in client.get(step_url("check")).content.decode()


def test_refresh_or_back_after_sending_never_makes_a_second_report(client):
    walk(client, answers(), until="check")
    first = post_step(client, "check", {})
    assert first.status_code == 302
    client.get(first["Location"])  # formtools' done step creates the report
    # Resubmitting the final page (refresh / double click) and going back both land on the confirmation.
    again = post_step(client, "check", {})
    assert again["Location"] == "/report/confirmation/"
    back = client.get(step_url("check"))
    assert back["Location"] == "/report/confirmation/"
    assert Report.objects.count() == 1


def test_skipping_ahead_by_url_goes_to_the_first_unanswered_step(client):
    client.get("/report/begin/")
    response = client.get(step_url("check"))
    assert response["Location"] == step_url("category")


@override_settings(REPORT_SUBMIT_RATE="2/h")
def test_public_submissions_are_rate_limited_per_address(client):
    # django-ratelimit counts in clock windows: freeze the clock so no window ends mid-test.
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=False):
        for _ in range(2):
            assert walk(client, answers()) == "/report/confirmation/"
        walk(client, answers(), until="check")
        response = post_step(client, "check", {})
    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    assert Report.objects.count() == 2


def walk_rest(client, until="check"):
    """Carry on from wherever the journey stands, with the default answers."""
    steps = answers()
    # Asking for the check page redirects to the first unanswered step.
    response = client.get(step_url("check"))
    url = response["Location"] if response.status_code == 302 else step_url("check")
    while url.startswith("/report/step/"):
        step = url.rstrip("/").split("/")[-1]
        if step == until:
            return url
        response = client.get(url) if step == DONE_STEP else post_step(client, step, steps[step])
        url = response["Location"]
    return url
