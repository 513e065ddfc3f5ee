"""The public ASB Case Review figures in Chromium, signed out, axe-checked: the table by reporting year, its
explanation and the CSV link."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from casereview.models import Application, Recommendation, ReviewMeeting, Route

from ..cases.factories import UserFactory

pytestmark = pytest.mark.browser
LONDON = ZoneInfo("Europe/London")


def _application(n, received_at, **extra):
    return Application.objects.create(reference=f"CR-2026-{n:04d}", route=Route.ONLINE, received_at=received_at, applicant_name="A",
                                      preferred_contact_method="phone", phone="07700 900123", location="Bell Street",
                                      description="Noise", **extra)


def test_anyone_reads_the_yearly_figures(browser_page):
    b, page = browser_page, browser_page.page
    chair = UserFactory(username="chair")
    _application(1, datetime(2025, 5, 1, 9, 0, tzinfo=LONDON))
    _application(2, datetime(2025, 9, 1, 9, 0, tzinfo=LONDON), decided_at=datetime(2025, 9, 10, tzinfo=LONDON), threshold_met=False,
                 proceeds=False)
    reviewed = _application(3, datetime(2026, 4, 20, 9, 0, tzinfo=LONDON))
    ReviewMeeting.objects.create(application=reviewed, held_on=date(2026, 5, 20), chair_name="Chair", applicant_participation="attended",
                                 agency_summary="Summary", action_plan="Plan", recorded_by=chair)
    Recommendation.objects.create(application=reviewed, text="Patrols", due_on=date(2026, 6, 20), created_by=chair)

    b.visit("/case-review/")
    b.click_to(page.get_by_role("link", name="How many Case Reviews we have held"), expect_path="/case-review/figures/")
    table = page.get_by_role("table", name="ASB Case Reviews by reporting year, the latest first")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th")).to_have_text("April 2026 to March 2027")
    expect(rows.nth(0).locator("td")).to_have_text(["1", "0", "1", "1"])
    expect(rows.nth(1).locator("th")).to_have_text("April 2025 to March 2026")
    expect(rows.nth(1).locator("td")).to_have_text(["2", "1", "0", "0"])
    expect(page.get_by_text("Case Review meetings held in the year.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures (CSV)").click()
    with open(download.value.path()) as csv_file:
        content = csv_file.read()
    assert content.splitlines()[1].startswith("April 2026 to March 2027,2026-04-01,2027-03-31,1,0,1,1")
