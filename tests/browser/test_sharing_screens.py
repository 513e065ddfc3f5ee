"""The council's sharing screens in a browser, axe-checked: a manager records an agreement, an officer shares a case
with the police (withholding the perpetrator), locks it down, stops sharing; the manager reads the access log."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from cases.models import AccessEvent, CaseShare, PartnerAgency, PartyRole, ShareScope
from cases.services import party_add
from cases.services.access_log import access_record

from ..cases.factories import report_submission, submit_report
from ..cases.test_sharing import partner


def test_sharing_a_case_from_agreement_to_access_log(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    case = submit_report(report_submission(incident_date=timezone.localdate() - timedelta(days=1))).case
    party_add(case=case, actor=officer_user, role=PartyRole.PERPETRATOR, full_name="Kyle Mercer")
    constable = partner("pc", police)

    b.sign_in(manager_user)
    b.visit("/staff/partners/")
    expect(page.get_by_role("row", name="Leicestershire Police")).to_contain_text("No agreement")
    b.click_to(page.get_by_role("link", name="Leicestershire Police"))
    b.click_to(page.get_by_role("link", name="Record an agreement"))
    b.submit("Record the agreement")  # empty: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the agreement's title")
    page.get_by_label("Title").fill("Leicestershire information-sharing agreement")
    page.get_by_label("Crime and Disorder Act 1998, section 115").check()
    page.get_by_label("What may be shared").fill("Case summaries and people involved")
    today, later = timezone.localdate(), timezone.localdate() + timedelta(days=365)
    for prefix, day in (("signed_on", today), ("review_by", later)):
        page.locator(f"#id_{prefix}_0").fill(str(day.day))
        page.locator(f"#id_{prefix}_1").fill(str(day.month))
        page.locator(f"#id_{prefix}_2").fill(str(day.year))
    b.submit("Record the agreement", expect_path=f"/staff/partners/{police.pk}/")
    expect(page.get_by_text(f"In force until {later:%-d %B %Y}")).to_be_visible()

    b.page.context.clear_cookies()
    b.sign_in(officer_user)
    b.visit(f"/staff/cases/{case.reference}/")
    b.click_to(page.get_by_role("link", name="Share with a partner agency"))
    page.get_by_label("Leicestershire Police").check()
    page.get_by_label("Why are you sharing this case?").fill("Threats of violence: police to visit")
    b.submit("Share the case", expect_path=f"/staff/cases/{case.reference}/")
    share = CaseShare.objects.get()
    assert share.scope == ShareScope.SUMMARY and [p.party.full_name for p in share.people.all()] == ["Margaret Ellis"]
    expect(page.get_by_role("region", name="Shared with partner agencies")).to_contain_text("Summary and people")

    b.click_to(page.get_by_role("link", name="Lock the case down"))
    b.submit("Lock the case down", expect_path=f"/staff/cases/{case.reference}/")
    expect(page.get_by_text("Locked down", exact=True)).to_be_visible()
    b.click_to(page.get_by_role("link", name="Stop sharing with Leicestershire Police"))
    page.get_by_label("Why are you stopping sharing?").fill("Investigation over")
    b.submit("Stop sharing", expect_path=f"/staff/cases/{case.reference}/")
    expect(page.get_by_text("Sharing that was stopped (1)")).to_be_visible()

    access_record(user=constable, event=AccessEvent.CASE_VIEW, case=case)
    b.page.context.clear_cookies()
    b.sign_in(manager_user)
    b.visit(f"/staff/cases/{case.reference}/")
    b.click_to(page.get_by_role("link", name="Access log: who has seen this case"))
    expect(page.get_by_role("region", name="Who has seen this case")).to_contain_text("Opened the case")
    b.visit(f"/staff/access-log/?agency={police.pk}")
    expect(page.get_by_role("region", name="Access log")).to_contain_text(case.reference)
