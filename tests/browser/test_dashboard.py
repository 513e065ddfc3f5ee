"""A manager reads the dashboard in Chromium: figures, filters kept in the URL, charts with data tables; axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.browser


def test_manager_reads_the_dashboard_for_the_last_twelve_months(browser_page, manager_user, call_centre_user):
    b, page = browser_page, browser_page.page
    submit_report(report_submission())
    submit_report(report_submission(phone="07700 900555", email="b@example.com"), channel="phone", logged_by=call_centre_user)

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

    page.get_by_label("Dates I choose", exact=True).check()
    page.get_by_label("From", exact=True).fill("2026-02-01")
    page.get_by_label("To", exact=True).fill("2026-01-01")
    b.submit("Show")
    assert page.title().startswith("Error:")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The end date must be on or after the start date")
