"""A manager reads the dashboard in Chromium: figures, filters kept in the URL, charts with data tables; axe-core on every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.services import contact_record

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.browser


def test_manager_reads_the_dashboard_for_the_last_twelve_months(browser_page, manager_user, call_centre_user, officer_user):
    b, page = browser_page, browser_page.page
    # Received 40 days ago (so in an earlier month, within the last 12) and contacted the next day: a first contact
    # met, whatever today is.
    earlier = timezone.now() - timedelta(days=40)
    met = submit_report(report_submission(phone="07700 900444", email="c@example.com", incident_date=timezone.localdate(earlier)),
                        received_at=earlier)
    contact_record(case=met.case, party=met.reporter, method="phone", direction="out", successful=True, summary="x",
                   occurred_at=earlier + timedelta(days=1), gave_update=True, actor=officer_user)
    submit_report(report_submission(incident_date=timezone.localdate()))
    submit_report(report_submission(phone="07700 900555", email="b@example.com", incident_date=timezone.localdate()), channel="phone",
                  logged_by=call_centre_user)

    b.sign_in(manager_user)
    b.click_to(page.get_by_role("link", name="Dashboard", exact=True), expect_path="/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Are we meeting the standard?")
    expect(page.get_by_text("online 1, phone 1")).to_be_visible()

    page.get_by_label("Last 12 months", exact=True).check()
    page.get_by_label("Channel", exact=True).select_option("phone")
    b.submit("Show")
    expect(page).to_have_url(re.compile(r"/dashboard/\?.*period=12m.*channel=phone"))  # bookmarkable
    expect(page.get_by_text("online 0, phone 1")).to_be_visible()
    chart = page.get_by_role("img", name="Reports received each month for the last 12 months")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Month by month")
    expect(table.get_by_role("row")).to_have_count(13)  # a header and 12 months
    link = page.get_by_role("link", name="Reports behind this (CSV)")
    assert "channel=phone" in link.get_attribute("href") and "period=12m" in link.get_attribute("href")

    page.get_by_label("Channel", exact=True).select_option("")
    b.submit("Show")
    expect(page.get_by_text("online 2, phone 1")).to_be_visible()
    first_contact = page.locator(".govuk-grid-column-one-third", has=page.get_by_role("heading", name="First contact within 3 working days"))
    expect(first_contact).to_contain_text("1 of 1 on time")
    expect(first_contact.locator(".govuk-tag")).to_have_text("Met")  # in words, not colour alone
    satisfaction = page.locator(".govuk-grid-column-one-third", has=page.get_by_role("heading", name="Customer satisfaction"))
    expect(satisfaction.locator(".govuk-tag")).to_have_text("No data yet")

    page.get_by_label("Dates I choose", exact=True).check()
    start, end = page.get_by_role("group", name="Start date"), page.get_by_role("group", name="End date")
    for group, (day, month, year) in ((start, ("1", "2", "2026")), (end, ("1", "1", "2026"))):
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    b.submit("Show")
    assert page.title().startswith("Error:")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The end date must be on or after the start date")
    expect(page).to_have_url(re.compile(r"start_0=1&start_1=2&start_2=2026"))

    end.get_by_label("Day").fill("31")
    end.get_by_label("Month").fill("2")
    b.submit("Show")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("End date must be a real date, like 27 3 2026")
    summary.get_by_role("link", name="End date must be a real date, like 27 3 2026").click()
    expect(end.get_by_label("Day")).to_be_focused()

    end.get_by_label("Day").fill("28")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("1")
    b.submit("Show")
    assert not page.title().startswith("Error:")
    expect(page.get_by_text("1 January 2026 to 28 February 2026")).to_be_visible()
