"""Staff in Chromium: signing in and out, and the call centre's phone report, with axe-core on every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, Channel

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.browser


def earlier_online_report():
    """Margaret Ellis reported noise online a week ago."""
    week_ago = timezone.now() - timedelta(days=7)
    data = report_submission(
        email="margaret@example.com", phone="07700 900123", preferred_contact_method="phone", incident_date=week_ago.date()
    )
    return submit_report(data, received_at=week_ago)


def section(page, legend):
    """A fieldset of the long phone-report page, by its legend."""
    return page.get_by_role("group", name=legend, exact=True)


def test_call_centre_logs_phone_report_and_links_it_to_an_earlier_case(browser_page, call_centre_user):
    b, page = browser_page, browser_page.page
    earlier = earlier_online_report()
    reference = earlier.case.reference

    b.sign_in(call_centre_user)
    expect(page).to_have_url(b.base_url + "/staff/")
    b.click_to(
        page.get_by_role("main").get_by_role("button", name="Log a phone report"), expect_path="/staff/phone-report/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a phone report")

    # The caller's details
    section(page, "Does the caller want to give their details?").get_by_label(
        "Yes, give their details", exact=True
    ).check()
    page.get_by_label("Full name", exact=True).fill("Margaret Ellis")
    page.get_by_label("Phone number (optional)", exact=True).fill("07700 900123")
    page.get_by_label("Caller's address (optional)", exact=True).fill("14 Bell Street")
    page.get_by_label("Caller's postcode (optional)", exact=True).fill("LE18 1AA")
    section(page, "Which of these describes the caller best?").get_by_label(
        "Resident: council tenant", exact=True
    ).check()
    section(page, "How would the caller like us to contact them?").get_by_label("Phone call", exact=True).check()
    section(page, "When is best to contact them? (optional)").get_by_label("Evening (5pm to 8pm)", exact=True).check()
    # What happened
    section(page, "What is happening?").get_by_label("Noise", exact=True).check()
    page.get_by_label("Address or street name (optional)", exact=True).fill("14 Bell Street")
    page.get_by_label("Postcode (optional)", exact=True).fill("LE18 1AA")
    section(page, "Is it still happening?").get_by_label("Yes, it keeps happening", exact=True).check()
    day = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Time (optional)", exact=True).fill("23:30")
    section(page, "If it keeps happening, how often?").get_by_label("Every day or most days", exact=True).check()
    page.get_by_label("Describe what happened", exact=True).fill(
        "Music again until 2am, the caller says it is every night"
    )
    section(page, "Does the caller know who is responsible?").get_by_label(
        "The caller does not know who is responsible", exact=True
    ).check()
    section(page, "How is the caller involved?").get_by_label("It is happening to them (victim)", exact=True).check()
    section(page, "Does the caller think it was motivated by hate?").get_by_label("No", exact=True).check()
    section(page, "Can we share the caller's details with partner agencies?").get_by_label("Yes", exact=True).check()

    b.submit("Check history and save", expect_path="/staff/phone-report/")
    history = page.get_by_role("region", name="Important")
    expect(history).to_contain_text("This caller or address has reported before")
    expect(history.get_by_role("table")).to_contain_text(reference)
    # Reference, category, where and status, never who reported: the caller could be the person complained about.
    expect(history.get_by_role("table")).not_to_contain_text("Margaret Ellis")
    expect(history.get_by_role("columnheader", name="Reporter")).to_have_count(0)
    # What was typed is still there.
    expect(page.get_by_label("Describe what happened", exact=True)).to_have_value(
        "Music again until 2am, the caller says it is every night"
    )

    section(page, "Is this report about the same problem as an open case?").get_by_label(
        re.compile(f"^Add to {reference}")
    ).check()
    b.submit("Save phone report", expect_path=f"/staff/phone-report/{reference}/")
    # Added to the open case, not a new one (issue 10).
    expect(page.get_by_role("heading", level=1)).to_have_text("Call added to an open case")
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)

    case = Case.objects.get(reference=reference)
    assert Case.objects.count() == 1
    reports = list(case.reports.order_by("received_at"))
    assert len(reports) == 2
    newer = reports[-1]
    assert newer.channel == Channel.PHONE
    assert newer.logged_by == call_centre_user
    assert newer.reporter.full_name == "Margaret Ellis"


def test_phone_report_errors_link_to_their_fields(browser_page, call_centre_user):
    """An empty phone report: one error summary, each link taking focus to its question."""
    b, page = browser_page, browser_page.page
    b.sign_in(call_centre_user, next_path="/staff/phone-report/")
    expect(page).to_have_url(b.base_url + "/staff/phone-report/")
    b.submit("Check history and save", expect_path="/staff/phone-report/")
    assert page.title().startswith("Error:"), page.title()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Describe what happened")
    assert Case.objects.count() == 0

    # A text field's link works.
    summary.get_by_role("link", name="Describe what happened").click()
    expect(page.get_by_label("Describe what happened", exact=True)).to_be_focused()


def test_phone_report_every_error_link_has_a_target(browser_page, call_centre_user):
    b, page = browser_page, browser_page.page
    b.sign_in(call_centre_user, next_path="/staff/phone-report/")
    b.submit("Check history and save", expect_path="/staff/phone-report/")
    summary = page.locator(".govuk-error-summary")
    hrefs = summary.get_by_role("link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) >= 8, hrefs
    missing = [h for h in hrefs if not page.evaluate("id => !!document.getElementById(id)", h.lstrip("#"))]
    assert not missing, f"error summary links with no target: {missing}"


def test_staff_sign_in_errors_and_sign_out(browser_page, officer_user):
    b, page = browser_page, browser_page.page
    b.visit("/staff/")  # not signed in: sent to the sign-in page
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    page.get_by_label("Username", exact=True).fill(officer_user.username)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    b.submit("Sign in")
    assert page.title().startswith("Error:"), page.title()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")  # a password is never sent back
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "password")

    page.get_by_label("Username", exact=True).fill(officer_user.username)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery-staple")
    b.submit("Sign in", expect_path="/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    expect(page.get_by_role("banner")).to_contain_text("Signed in as")

    b.submit("Sign out", expect_path="/staff/login/")
    expect(page.get_by_role("banner")).not_to_contain_text("Signed in as")
    b.visit("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=/staff/$"))
