"""Case Review applications in Chromium, axe-checked on every page: a victim applies online on a phone-sized screen
(375 x 667) and sees their reference; a call-centre adviser logs a phone application and sees only the confirmation."""

import re

import pytest
from playwright.sync_api import expect

from casereview.models import Application, Route, Stage

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"CR-\d{4}-\d{4}")


def test_a_victim_applies_online_on_a_phone(browser_page):
    b, page = browser_page, browser_page.page
    page.set_viewport_size({"width": 375, "height": 667})
    b.visit("/report/")
    b.click_to(page.get_by_role("link", name="ASB Case Review"), expect_path="/case-review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for an ASB Case Review")
    expect(page.locator("main")).to_contain_text("3 separate incidents reported by one person within 6 months")
    b.click_to(page.get_by_role("button", name="Apply now"), expect_path="/case-review/apply/")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Sent empty: the error summary lists what is missing.
    b.submit("Send application", expect_path="/case-review/apply/")
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether you are the victim")

    page.get_by_label("Yes, I am the victim", exact=True).check()
    page.get_by_label("An individual", exact=True).check()
    page.get_by_label("Your full name", exact=True).fill("Margaret Ellis")
    page.get_by_label("Email address (optional)", exact=True).fill("margaret@example.com")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Where is the problem happening?", exact=True).fill("14 Bell Street, Wigston")
    page.get_by_label("What has been happening?", exact=True).fill("Music until 3am most nights since March")
    page.get_by_label("The council", exact=True).check()
    page.get_by_label("The police", exact=True).check()
    page.get_by_label("No, or I am not sure", exact=True).check()
    b.submit("Send application", expect_path="/case-review/apply/sent/")

    application = Application.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application sent")
    expect(page.locator(".govuk-panel__body")).to_contain_text(application.reference)
    assert REFERENCE.fullmatch(application.reference)
    expect(page.locator("main")).to_contain_text("We have sent a confirmation to margaret@example.com")
    assert application.route == Route.ONLINE and application.stage == Stage.ACKNOWLEDGED

    # Back and refresh: still one application.
    page.reload()
    b.check_axe()
    assert Application.objects.count() == 1


def test_a_call_centre_adviser_logs_a_phone_application_and_sees_only_the_confirmation(browser_page, call_centre_user):
    b, page = browser_page, browser_page.page
    b.sign_in(call_centre_user)
    b.click_to(page.get_by_role("link", name="Case Review", exact=True), expect_path="/staff/case-review/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a Case Review application")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("No, they apply for someone else", exact=True).check()
    page.get_by_label("Family member or friend", exact=True).check()
    page.get_by_label("The victim agrees to them applying", exact=True).check()
    page.get_by_label("An individual", exact=True).check()
    page.get_by_label("Name of the victim, business or group", exact=True).fill("Albert Ellis")
    page.get_by_label("Applicant's full name", exact=True).fill("Margaret Ellis")
    page.get_by_label("Phone number (optional)", exact=True).fill("0116 2888 000")
    page.get_by_label("Phone call", exact=True).check()
    page.get_by_label("Where is the problem happening?", exact=True).fill("Mill Lane")
    page.get_by_label("What has been happening?", exact=True).fill("Youths kicking his door every evening")
    page.get_by_label("No, or I am not sure", exact=True).check()
    b.submit("Save the application", expect_path="/staff/case-review/new/?logged=1")

    application = Application.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application logged")
    expect(page.locator(".govuk-panel__body")).to_contain_text(application.reference)
    main = page.locator("main")
    expect(main).not_to_contain_text("Margaret Ellis")
    expect(main).not_to_contain_text("Albert Ellis")
    expect(page.get_by_role("link", name=f"Open {application.reference}")).to_have_count(0)
    assert application.route == Route.PHONE and application.logged_by == call_centre_user
    assert application.victim_consents is True and application.stage == Stage.RECEIVED
