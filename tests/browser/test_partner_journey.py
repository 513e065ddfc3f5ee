"""A police user works a case shared with Leicestershire Police in Chromium: signs in with a one-time code,
finds the case, accepts the referral, sends an update; the officer then sees both on the case timeline.
axe-core checks every page (the browser_page fixture)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import PartyRole, ShareScope, TimelineEntry, TimelineKind, Visibility
from cases.services import case_assign, party_add, referral_make

from ..accounts.helpers import current_code, totp_device_for
from ..cases.factories import report_submission, submit_report
from ..partners.helpers import POLICE, agency, agreement, partner, share

pytestmark = pytest.mark.browser


@pytest.fixture
def shared_case(officer_user):
    officer_user.first_name, officer_user.last_name = "Olivia", "Officer"
    officer_user.save()
    police = agency(POLICE)
    agreement(police)
    report = submit_report(report_submission())
    case = report.case
    case_assign(case=case, officer=officer_user, actor=officer_user)
    party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, full_name="Wendy Witness", phone="07700 900777")
    case.refresh_from_db()
    share(case, police, scope=ShareScope.TIMELINE, people=[report.reporter], by=officer_user)
    TimelineEntry.objects.create(case=case, kind=TimelineKind.NOTE, actor=officer_user, visibility=Visibility.PARTNERS,
                                 summary="Music from Flat 3 again on Saturday night", occurred_at=timezone.now())
    referral_make(case=case, agency=police, reason="Threats made to Margaret at her door", referred_on=timezone.localdate(),
                  actor=officer_user)
    return case


def test_police_user_accepts_the_referral_and_the_officer_sees_it(browser_page, shared_case, officer_user):
    b, page = browser_page, browser_page.page
    police_user = partner("police", agency(POLICE), first_name="Pat", last_name="Constable")
    device = totp_device_for(police_user)

    # Password, then the code from the authenticator app.
    b.sign_in(police_user)
    expect(page).to_have_url(b.base_url + "/staff/login/code/")
    page.get_by_label("Code", exact=True).fill(current_code(device))
    b.submit("Continue", expect_path="/partners/")

    expect(page.get_by_role("heading", name="Cases shared with your agency")).to_be_visible()
    expect(page.get_by_role("heading", name="Referrals waiting for your answer")).to_be_visible()
    b.click_to(page.get_by_role("link", name=shared_case.reference, exact=True), expect_path=f"/partners/cases/{shared_case.reference}/")
    expect(page.get_by_text("Music from Flat 3 again on Saturday night")).to_be_visible()
    expect(page.get_by_text("Margaret Ellis").first).to_be_visible()
    assert "Wendy Witness" not in page.content()

    b.click_to(page.get_by_role("link", name="Answer the referral"))
    expect(page.get_by_text("Threats made to Margaret at her door")).to_be_visible()
    page.get_by_label("Yes, we accept it").check()
    page.get_by_label("Reason or note").fill("The neighbourhood team will visit this week")
    b.submit("Send answer", expect_path=f"/partners/cases/{shared_case.reference}/")
    expect(page.get_by_text("You accepted the referral")).to_be_visible()

    page.get_by_label("Your update").fill("PC Shaw spoke to the occupants of Flat 3 and gave words of advice")
    b.submit("Send update", expect_path=f"/partners/cases/{shared_case.reference}/")
    expect(page.get_by_text("Your update was sent to the ASB team")).to_be_visible()
    expect(page.get_by_text("PC Shaw spoke to the occupants of Flat 3")).to_be_visible()

    # The officer, signed in on the same browser afterwards, sees both on the case timeline.
    page.context.clear_cookies()
    b.sign_in(officer_user)
    b.visit(f"/staff/cases/{shared_case.reference}/")
    timeline = page.locator("ol.app-timeline")
    expect(timeline.get_by_text("Update from Leicestershire Police")).to_be_visible()
    expect(timeline.get_by_text("PC Shaw spoke to the occupants of Flat 3 and gave words of advice")).to_be_visible()
    expect(timeline.get_by_text("Leicestershire Police accepted the referral")).to_be_visible()
