"""Screens that read right: what waiting cases owe, files sent with a report, how to reach people, staff error pages."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import PartyRole, TimelineEntry, TimelineKind, Visibility
from cases.services import evidence_stage, party_add

from .factories import report_submission, submit_report
from .test_query_counts import queries_for

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def waiting_case(days_ago, i, **overrides):
    received = timezone.now() - timedelta(days=days_ago)
    data = report_submission(incident_date=received.date(), phone=f"07700 9{i:05d}", email=f"w{i}@example.com", **overrides)
    return submit_report(data, received_at=received).case


# --- 1. the officer's home: new cases waiting for an officer ------------------------------------

def test_waiting_cases_say_what_is_due_and_what_is_overdue_in_words(client, officer_user):
    late = waiting_case(14, 1)
    fresh = waiting_case(0, 2)
    client.force_login(officer_user)
    page = client.get("/staff/").content.decode()
    waiting = page[page.index("New cases waiting for an officer"):]
    late_row = waiting[waiting.index(late.reference):waiting.index(fresh.reference)]
    fresh_row = waiting[waiting.index(fresh.reference):]
    assert "Due next" in waiting
    assert "Overdue</strong> First contact to Margaret Ellis:" in late_row and "days late" in late_row
    assert "Overdue" not in fresh_row and "First contact to Margaret Ellis: in " in fresh_row


def test_home_queries_do_not_grow_with_the_waiting_list(client, officer_user):
    for i in range(3):
        waiting_case(i, i)
    client.force_login(officer_user)
    client.get("/staff/")
    before = queries_for(client, "/staff/")
    for i in range(3, 20):
        waiting_case(i % 10, i)
    after = queries_for(client, "/staff/")
    assert before == after, (before, after)


# --- 2. files sent with an online report are on the timeline --------------------------------------

@pytest.fixture
def evidence_in_tmp(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    settings.MEDIA_ROOT = str(tmp_path)


def test_files_sent_with_a_report_are_one_staff_timeline_entry_with_their_names_escaped(client, officer_user, evidence_in_tmp):
    key = uuid.uuid4()
    for name in ("photo.png", "stairs.png", "noise & <loud>.png"):
        evidence_stage(staging_key=key, uploaded=SimpleUploadedFile(name, PNG), client_address="192.0.2.1")
    report = submit_report(report_submission(), staging_key=key)
    entry = TimelineEntry.objects.get(case=report.case, kind=TimelineKind.EVIDENCE)
    assert entry.summary.startswith("3 files added with the report: ")
    assert all(name in entry.summary for name in ("photo.png", "stairs.png", "noise & <loud>.png"))
    assert entry.visibility == Visibility.STAFF and entry.changes == {"report": report.pk, "files": 3}
    client.force_login(officer_user)
    page = client.get(f"/staff/cases/{report.case.reference}/").content.decode()
    assert "3 files added with the report" in page
    assert "noise &amp; &lt;loud&gt;.png" in page and "<loud>" not in page


def test_a_report_without_files_adds_no_file_entry():
    report = submit_report(report_submission())
    assert not TimelineEntry.objects.filter(case=report.case, kind=TimelineKind.EVIDENCE).exists()


# --- 3. recording a contact: how to reach each person, beside the form ----------------------------

def test_the_contact_form_shows_how_to_reach_each_person_and_marks_the_time_optional(client, officer_user):
    report = submit_report(report_submission(phone="07700 900123", email="margaret@example.com", preferred_contact_method="text",
                                             best_times="Weekday mornings before 11"))
    case = report.case
    party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, full_name="Tom Witness", phone="0116 496 0001",
              preferred_contact_method="letter", address="2 Mill Lane", postcode="LE18 2AA")
    client.force_login(officer_user)
    page = client.get(f"/staff/cases/{case.reference}/contact/?party={report.reporter.pk}").content.decode()
    aside = page[page.index("How to reach them"):]
    margaret = aside[aside.index("Margaret Ellis (victim)"):aside.index("Tom Witness")]
    assert "07700 900123" in margaret and "margaret@example.com" in margaret
    assert "Text message" in margaret and "Weekday mornings before 11" in margaret
    tom = aside[aside.index("Tom Witness (witness)"):]
    assert "0116 496 0001" in tom and "Letter" in tom and "2 Mill Lane" in tom and "Not given" in tom  # no email, no best times
    assert "Time (optional)" in page and "Date of the contact (optional)" not in page


# --- 4. error pages for signed-in staff keep the staff frame ------------------------------------------

def test_an_officer_refused_a_managers_page_keeps_the_staff_navigation_and_a_way_home(client, officer_user):
    client.force_login(officer_user)
    response = client.get("/dashboard/")
    page = response.content.decode()
    # Refused as "not found" (cases.policy): the answer does not say the page exists.
    assert response.status_code == 404 and "Page not found" in page and "permission" not in page
    assert "Signed in as" in page and ">Cases</a>" in page and ">Find a case</a>" in page
    assert 'href="/staff/"' in page and "Go to your home page" in page
    assert "Go to the start of" not in page


def test_an_officer_on_a_missing_page_keeps_the_staff_frame(client, officer_user):
    client.force_login(officer_user)
    response = client.get("/staff/cases/ASB-1999-99999/")
    page = response.content.decode()
    assert response.status_code == 404 and "Page not found" in page
    assert "Signed in as" in page and "Go to your home page" in page and "Go to the start of" not in page


def test_residents_still_get_the_public_error_pages(client, no_role_user):
    page = client.get("/no-such-page/").content.decode()
    assert "Go to the start of" in page and "Signed in as" not in page
    client.force_login(no_role_user)  # signed in but not staff: no staff navigation to offer
    response = client.get("/staff/")
    assert response.status_code == 404 and "Go to the start of" in response.content.decode()
    assert "Go to your home page" not in response.content.decode()
