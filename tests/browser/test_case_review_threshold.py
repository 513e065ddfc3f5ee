"""The ASB Case Review threshold in a browser, axe-checked on every page: an officer logs a victim's third report by phone,
the case page shows the threshold banner, the manager finds the case on the threshold list, and the officer records the
first contact answering "Case Review explained? Yes"."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casereview.defaults import case_review_defaults_ensure
from casereview.models import ThresholdFlag
from cases.models import ContactPrompt

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.browser

MARGARET = {"full_name": "Margaret Ellis", "email": "margaret@example.com", "phone": "07700 900123", "preferred_contact_method": "phone"}


def online_report(days_ago, case=None):
    received = timezone.now() - timedelta(days=days_ago)
    data = report_submission(incident_date=timezone.localtime(received).date(), **MARGARET)
    return submit_report(data, received_at=received, existing_case=case)


def section(page, legend):
    return page.get_by_role("group", name=legend, exact=True)


def log_phone_report(b, page, reference):
    """The officer logs Margaret's call about last night and adds it to her open case."""
    b.visit("/staff/phone-report/")
    section(page, "Does the caller want to give their details?").get_by_label("Yes, give their details", exact=True).check()
    page.get_by_label("Full name", exact=True).fill("Margaret Ellis")
    page.get_by_label("Phone number (optional)", exact=True).fill("07700 900123")
    section(page, "Which of these describes the caller best?").get_by_label("Resident: council tenant", exact=True).check()
    section(page, "How would the caller like us to contact them?").get_by_label("Phone call", exact=True).check()
    section(page, "What is happening?").get_by_label("Noise", exact=True).check()
    page.get_by_label("Address or street name (optional)", exact=True).fill("14 Bell Street")
    page.get_by_label("Postcode (optional)", exact=True).fill("LE18 1AA")
    section(page, "Is it still happening?").get_by_label("Yes, it keeps happening", exact=True).check()
    day = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    section(page, "If it keeps happening, how often?").get_by_label("Every day or most days", exact=True).check()
    page.get_by_label("Describe what happened", exact=True).fill("Music again until 2am, the third time she has reported it")
    section(page, "Does the caller know who is responsible?").get_by_label(
        "The caller does not know who is responsible", exact=True).check()
    section(page, "How is the caller involved?").get_by_label("It is happening to them (victim)", exact=True).check()
    section(page, "Does the caller think it was motivated by hate?").get_by_label("No", exact=True).check()
    section(page, "Can we share the caller's details with partner agencies?").get_by_label("Yes", exact=True).check()
    b.submit("Check history and save", expect_path="/staff/phone-report/")
    section(page, "Is this report about the same problem as an open case?").get_by_label(re.compile(f"^Add to {reference}")).check()
    b.submit("Save phone report", expect_path=f"/staff/phone-report/{reference}/")


def test_a_third_report_shows_the_banner_the_list_and_the_explanation_is_recorded(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    case_review_defaults_ensure()  # the live server's database is emptied between tests, migration rows included
    first = online_report(60)
    online_report(20, case=first.case)  # her second report in six months: explain the Case Review at first contact
    reference = first.case.reference
    assert ContactPrompt.objects.count() == 1 and not ThresholdFlag.objects.exists()

    b.sign_in(officer_user)
    log_phone_report(b, page, reference)
    b.visit(f"/staff/cases/{reference}/")
    banner = page.get_by_role("region", name="ASB Case Review")
    expect(banner).to_contain_text(
        f"This case meets the ASB Case Review threshold: 3 separate incidents reported by one person within 6 months, met on "
        f"{timezone.localdate():%-d %B %Y}")
    expect(page.get_by_text("explain the ASB Case Review").first).to_be_visible()
    b.click_to(banner.get_by_role("link", name="Cases that meet the threshold"), expect_path="/staff/case-review/threshold/")

    page.context.clear_cookies()
    b.sign_in(manager_user)
    b.visit("/staff/case-review/threshold/")
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_contain_text("Margaret Ellis")
    expect(row).to_contain_text("3 separate incidents reported by one person within 6 months")
    expect(row).to_contain_text("None yet")
    b.click_to(row.get_by_role("link", name=reference, exact=True), expect_path=f"/staff/cases/{reference}/")

    page.context.clear_cookies()
    b.sign_in(officer_user)
    b.visit(f"/staff/cases/{reference}/")
    b.click_to(page.get_by_role("link", name="Record a contact"), expect_path=f"/staff/cases/{reference}/contact/")
    section(page, "Who").get_by_label("Margaret Ellis (victim)", exact=True).check()
    section(page, "How").get_by_label("Phone", exact=True).check()
    section(page, "Did you speak to them or get the message to them?").get_by_label("Yes", exact=True).check()
    page.get_by_label("Summary", exact=True).fill("Called her back; explained the Case Review and how to apply")
    b.submit("Save contact", expect_path=f"/staff/cases/{reference}/contact/")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select yes or no: Case Review explained to Margaret Ellis?")
    section(page, "Case Review explained to Margaret Ellis?").get_by_label("Yes", exact=True).check()
    b.submit("Save contact", expect_path=f"/staff/cases/{reference}/")
    expect(page.get_by_text("Contact recorded")).to_be_visible()
    expect(page.locator("#timeline")).to_be_visible()
    expect(page.locator(".app-timeline")).to_contain_text("Case Review explained: yes")

    prompt = ContactPrompt.objects.get()
    assert prompt.answer is True and prompt.answered_by == officer_user
    assert ThresholdFlag.objects.get().closed_at is None  # explained, not yet dealt with: the manager's list keeps it


def test_a_manager_edits_the_rules_and_timescales_and_closes_a_flag(browser_page, manager_user, officer_user):
    b, page = browser_page, browser_page.page
    case_review_defaults_ensure()
    first = online_report(60)
    online_report(30, case=first.case)
    online_report(5, case=first.case)
    reference = first.case.reference

    b.sign_in(manager_user)
    b.visit("/staff/case-review/rules/")
    b.click_to(page.get_by_role("link", name="Add a rule"), expect_path="/staff/case-review/rules/add/")
    section(page, "What must happen").get_by_label("Reports about the same problem from more than one person", exact=True).check()
    page.get_by_label("How many reports (or, for different people, how many people)").fill("50")
    b.submit("Save the rule", expect_path="/staff/case-review/rules/add/")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter 20 or fewer")
    page.get_by_label("How many reports (or, for different people, how many people)").fill("5")
    b.submit("Save the rule", expect_path="/staff/case-review/rules/")
    expect(page.get_by_text("Rule saved: 5 reports about the same problem from more than one person within 6 months")).to_be_visible()
    hate = page.get_by_role("row", name=re.compile("Any hate incident"))
    b.click_to(hate.get_by_role("button", name=re.compile("^Switch off")), expect_path="/staff/case-review/rules/")
    expect(page.get_by_role("row", name=re.compile("Any hate incident"))).to_contain_text("Switched off")

    b.click_to(page.get_by_role("link", name="Change the timescales"), expect_path="/staff/case-review/timescales/")
    page.get_by_label("Acknowledge an application within (working days)").fill("5")
    page.get_by_label("Single point of contact for new applications (optional)").select_option(label=officer_user.get_full_name())
    b.submit("Save the timescales", expect_path="/staff/case-review/rules/")
    expect(page.get_by_text("5 working days from receipt")).to_be_visible()

    b.visit("/staff/case-review/threshold/")
    row = page.get_by_role("row", name=re.compile(reference))
    b.click_to(row.get_by_role("link", name=re.compile("^Close")), expect_path=f"/staff/case-review/threshold/{ThresholdFlag.objects.get().pk}/close/")
    page.get_by_label("How was it dealt with?").fill("Explained by phone; she does not want a review")
    b.submit("Close the flag", expect_path="/staff/case-review/threshold/")
    expect(page.get_by_text("No case meets the threshold at the moment.")).to_be_visible()
    b.visit(f"/staff/cases/{reference}/")
    expect(page.locator("main")).to_contain_text("Explained by phone; she does not want a review")
