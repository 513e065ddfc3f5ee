"""An anonymous reporter follows their case (issue 15), in Chromium with axe-core on every page: the online report
sent anonymously offers "Follow your report" with advice to keep the link safe; the link opens their case page;
the officer adds a note that can be shared with the resident and it appears there; a revoked link answers 404.

The clock is frozen (time_machine, ticking on) on Monday 23 November 2026: nothing depends on today's date.
"""

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import Case, ResidentLink, TimelineEntry, Visibility
from cases.roles import Role
from cases.services import case_assign
from cases.sla import LONDON

from ..casereview.factories import staff
from .test_online_report import REFERENCE, answer_up_to_when, answer_when_to_evidence, step

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
NOTE = "We have spoken to the people at the flat above and will keep checking at weekends."
SECRET_NOTE = "Internal: the tenant at number 3 has a history with the police."


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_anonymous_reporter_follows_their_case_until_the_link_is_revoked(browser_page, clock):
    b, page = browser_page, browser_page.page
    officer = staff("tom", Role.OFFICER, first_name="Tom", last_name="Okafor")
    manager = staff("alison", Role.MANAGER, first_name="Alison", last_name="Grant")

    # The online report, sent anonymously.
    answer_up_to_when(b)
    answer_when_to_evidence(b)
    page.get_by_label("No, report anonymously", exact=True).check()
    b.submit(expect_path=step("customer-group"))
    page.get_by_label("Resident: council tenant", exact=True).check()
    b.submit(expect_path=step("consent"))
    b.submit(expect_path=step("check"))  # nothing to share: no question for an anonymous reporter
    b.submit("Send report", expect_path="/report/confirmation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    reference = REFERENCE.search(page.locator(".govuk-panel__body").inner_text()).group(0)
    case = Case.objects.get(reference=reference)
    report = case.reports.get()
    assert report.is_anonymous and report.reporter is None

    # "Follow your report": the personal link, with the advice to keep it safe.
    expect(page.get_by_role("heading", name="Follow your report")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text("Keep this link safe and do not share it")
    follow = page.locator("#follow-your-report ~ p a.govuk-link").first
    href = follow.get_attribute("href")
    path = urlsplit(href).path
    assert re.fullmatch(r"/my-case/[A-Za-z0-9_-]{43}/", path), href
    assert reference not in href  # nothing in the link comes from the reference
    link = ResidentLink.objects.get(report=report, revoked_at__isnull=True)

    # Follow it (the link's path on this server: SITE_URL in tests may name another host).
    b.visit(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your case {reference}")
    main = page.get_by_role("main")
    expect(main).to_contain_text("You reported anonymously, so we cannot contact you")
    expect(page.locator(".app-resident-timeline")).to_contain_text("You reported the problem")
    expect(page.get_by_role("link", name="Change how we contact you")).to_have_count(0)  # no contact details to change

    # The case is assigned; the officer adds one note for the resident and one only for staff.
    case_assign(case=case, officer=officer, actor=manager)
    b.sign_in(officer)
    b.visit(f"/staff/cases/{reference}/")
    b.click_to(page.get_by_role("link", name="Add a note", exact=True), expect_path=f"/staff/cases/{reference}/note/")
    page.get_by_label("Note", exact=True).fill(NOTE)
    page.get_by_label("Can be shared with the resident", exact=True).check()
    b.submit("Save note", expect_path=f"/staff/cases/{reference}/")
    b.visit(f"/staff/cases/{reference}/note/")
    page.get_by_label("Note", exact=True).fill(SECRET_NOTE)
    page.get_by_label("Internal: the ASB team only", exact=True).check()
    b.submit("Save note", expect_path=f"/staff/cases/{reference}/")
    assert TimelineEntry.objects.filter(case=case, body=NOTE, visibility=Visibility.RESIDENT).count() == 1

    # The anonymous page shows the shareable note, newest first, and nothing else the officer wrote.
    page.context.clear_cookies()
    b.visit(path)
    items = page.locator(".app-resident-timeline > li")
    expect(items.first).to_contain_text("Update on your case")
    expect(items.first).to_contain_text(NOTE)
    content = page.content()
    for secret in (SECRET_NOTE, "history with the police", "Okafor"):
        assert secret not in content, secret
    expect(page.get_by_role("main")).to_contain_text("Tom")

    # Staff revoke the link (it was shared): it answers 404, like any unknown link.
    b.sign_in(officer)
    b.visit(f"/staff/cases/{reference}/residents/")
    expect(page.get_by_role("heading", name="Anonymous reporter", exact=False).first).to_be_visible()
    page.get_by_label("Why are you revoking this link?").fill("The reporter says a neighbour saw it")
    b.submit("Revoke link", expect_path=f"/staff/cases/{reference}/residents/")
    expect(page.get_by_text("Link revoked: it no longer opens the case page")).to_be_visible()
    link.refresh_from_db()
    assert link.revoked_at is not None

    page.context.clear_cookies()
    response = page.goto(path)
    assert response is not None and response.status == 404, response and response.status
    b.check_axe()  # the 404 page is checked too
    assert reference not in page.content()
    response = page.goto(path + "diary/")
    assert response.status == 404
