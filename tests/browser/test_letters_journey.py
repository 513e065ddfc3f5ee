"""An officer generates and serves a Community Protection Warning, then a Community Protection Notice (issue 15), in
Chromium with axe-core on every page: the form names a missing required field; the CPW is recorded as served by
hand; a CPN is refused, with the reason, until the CPW's comply-by date has passed, then made (by post) and its
stored PDF downloaded; the print queue lists it and "Record as posted" clears it.

The clock is frozen (time_machine, ticking on) at Monday 2 November 2026, then moved past the comply-by date
(Monday 9 November) to Tuesday 10 November: the live server's thread reads the same clock.
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from letters.models import DeliveryMethod, Document, DocumentKind

from ..letters import test_documents_support as support
from ..letters.test_documents_support import LONDON, T0, pdf_text

pytestmark = pytest.mark.browser

# The letters tests' set-up: PDFs in the test's directory, the built-in templates, a case with two perpetrators.
letter_storage = support.letter_storage
letter_templates = support.letter_templates
letters_case = support.letters_case

COMPLY_BY = date(2026, 11, 9)
NOTICE_COMPLY_BY = date(2026, 11, 24)  # the notice's own date to comply by, after the day it is made
AFTER = datetime(2026, 11, 10, 9, 30, tzinfo=LONDON)
CONDUCT = "Gathering in the car park behind The Parade and revving engines after 10pm."
REQUIREMENTS = "Stop revving engines and playing loud music in the car park between 10pm and 7am."


def fill_date(page, group_label, day: date):
    group = page.get_by_role("group", name=group_label)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def open_new(b, reference, label, kind):
    b.visit(f"/staff/letters/cases/{reference}/")
    b.click_to(b.page.get_by_role("link", name=label, exact=True), expect_path=f"/staff/letters/cases/{reference}/new/{kind}/")
    expect(b.page.get_by_role("heading", level=1)).to_have_text(label)


def fill_notice(page, *, delivery, conduct=CONDUCT, comply_by=COMPLY_BY):
    page.get_by_label("Kyle Hart (alleged perpetrator)", exact=True).check()
    if conduct:
        page.get_by_label("The conduct", exact=True).fill(conduct)
    page.get_by_label("The requirements", exact=True).fill(REQUIREMENTS)
    fill_date(page, "The date to comply by", comply_by)
    page.get_by_role("group", name="How will it be sent?").get_by_label(delivery, exact=True).check()


def test_officer_serves_a_cpw_then_makes_a_cpn_once_the_time_to_comply_has_passed(
        browser_page, officer_user, letters_case, letter_templates, letter_storage):
    b, page = browser_page, browser_page.page
    case, kyle = letters_case["case"], letters_case["kyle"]
    ref = case.reference

    with time_machine.travel(T0, tick=True) as clock:
        # From the case page's "Letters and notices" panel to a new CPW.
        b.sign_in(officer_user)
        b.visit(f"/staff/cases/{ref}/")
        expect(page.locator("#letters")).to_have_text("Letters and notices")
        b.click_to(page.get_by_role("link", name="Create a letter or notice"), expect_path=f"/staff/letters/cases/{ref}/")
        b.click_to(page.get_by_role("link", name="Community Protection Warning", exact=True),
                   expect_path=f"/staff/letters/cases/{ref}/new/cpw/")

        # The conduct left empty: refused, and the error names the field; nothing is made.
        fill_notice(page, delivery="By hand", conduct="")
        b.submit("Make the community protection warning", expect_path=f"/staff/letters/cases/{ref}/new/cpw/")
        assert page.title().startswith("Error:"), page.title()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("link", name="Enter the conduct")).to_be_visible()
        assert not Document.objects.filter(case=case).exists()
        expect(page.get_by_label("The requirements", exact=True)).to_have_value(REQUIREMENTS)  # what was typed is kept

        page.get_by_label("The conduct", exact=True).fill(CONDUCT)
        b.submit("Make the community protection warning")
        cpw = Document.objects.get(case=case, kind=DocumentKind.CPW)
        expect(page).to_have_url(f"{b.base_url}/staff/letters/cases/{ref}/{cpw.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Community Protection Warning")
        expect(page.locator("#document-status")).to_have_text("Not yet")

        # Served by hand, now.
        page.get_by_role("group", name="How was it sent or served?").get_by_label("By hand", exact=True).check()
        b.submit("Record as served", expect_path=f"/staff/letters/cases/{ref}/{cpw.pk}/")
        expect(page.locator("#document-status")).to_contain_text("By hand")
        cpw.refresh_from_db()
        assert cpw.sent_at is not None and cpw.sent_method == DeliveryMethod.HAND and cpw.sent_by == officer_user

        # A CPN the same day: refused, with the reason and the date the warning gave.
        open_new(b, ref, "Community Protection Notice", "cpn")
        fill_notice(page, delivery="By post", comply_by=NOTICE_COMPLY_BY)
        b.submit("Make the community protection notice", expect_path=f"/staff/letters/cases/{ref}/new/cpn/")
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Kyle Hart still has time to comply with the Community Protection Warning")
        expect(summary).to_contain_text("9 November 2026")
        assert not Document.objects.filter(case=case, kind=DocumentKind.CPN).exists()

        # The day after the comply-by date: allowed.
        clock.move_to(AFTER)
        b.sign_in(officer_user)  # the idle session has ended over the week
        open_new(b, ref, "Community Protection Notice", "cpn")
        fill_notice(page, delivery="By post", comply_by=NOTICE_COMPLY_BY)
        b.submit("Make the community protection notice")
        cpn = Document.objects.get(case=case, kind=DocumentKind.CPN)
        expect(page).to_have_url(f"{b.base_url}/staff/letters/cases/{ref}/{cpn.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Community Protection Notice")
        assert cpn.recipient == kyle and cpn.created_by == officer_user and cpn.sent_at is None

        # Its PDF, as stored: a real PDF with the notice's words.
        href = page.get_by_role("link", name=f"Download the PDF of {cpn.number}").get_attribute("href")
        pdf = page.request.get(href)
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        body = pdf.body()
        assert body.startswith(b"%PDF")
        text = pdf_text(body)
        assert "Kyle Hart" in text and "magistrates' court" in text.lower(), text[:500]

        # Sent by post: it waits in the print queue until recorded as posted.
        b.visit("/staff/letters/print-queue/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Letters waiting to be posted")
        row = page.locator("tbody tr").filter(has_text=cpn.number)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Kyle Hart")
        expect(page.locator("tbody").get_by_text(cpw.number)).to_have_count(0)  # served by hand: never queued
        b.click_to(row.get_by_role("button", name=f"Record as posted {cpn.number}", exact=True),
                   expect_path="/staff/letters/print-queue/")
        expect(page.get_by_text(f"{cpn.number} recorded as posted")).to_be_visible()
        expect(page.get_by_text("There is nothing waiting to be posted.")).to_be_visible()
        cpn.refresh_from_db()
        assert cpn.sent_method == DeliveryMethod.POST and cpn.sent_at is not None
        assert cpn.sent_at - AFTER < timedelta(hours=1)
