"""Signing in with two factors in Chromium, and the session timeout warning, with axe-core on every page."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from ..accounts.helpers import current_code
from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_officer_sets_up_two_factor_then_signs_in_with_a_code(browser_page, officer_user, settings):
    settings.TWO_FACTOR_REQUIRED = True
    b, page = browser_page, browser_page.page

    b.sign_in(officer_user)  # password right, no app yet: straight to setting one up
    expect(page).to_have_url(b.base_url + "/staff/two-factor/?next=%2Fstaff%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    key = page.locator("#secret-key").inner_text()
    assert len(key.replace(" ", "")) == 32

    device = TOTPDevice.objects.get(user=officer_user, confirmed=False)
    page.get_by_label("Code from your authenticator app", exact=True).fill(current_code(device))
    b.submit("Confirm and turn on", expect_path="/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    b.visit("/staff/two-factor/")
    expect(page.get_by_role("main")).to_contain_text("On")

    b.submit("Sign out", expect_path="/staff/login/")
    page.get_by_label("Username", exact=True).fill(officer_user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    b.submit("Sign in", expect_path="/staff/login/code/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the 6-digit code from your authenticator app")

    page.get_by_label("Code", exact=True).fill("000000")
    b.submit("Continue", expect_path="/staff/login/code/")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")

    page.wait_for_timeout(1100)  # the app's throttle after a wrong code: 1 second
    # The set-up code is used up; the app's next code (one 30-second step on) is accepted.
    page.get_by_label("Code", exact=True).fill(current_code(device, steps=1))
    b.submit("Continue", expect_path="/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    expect(page.get_by_role("banner")).to_contain_text("Signed in as")


def test_timeout_warning_and_stay_signed_in(browser_page, officer_user, settings):
    settings.SESSION_IDLE_MINUTES = 3  # the warning opens 2 minutes before the end: after 1 minute here
    b, page = browser_page, browser_page.page
    page.clock.install()
    b.sign_in(officer_user)
    expect(page).to_have_url(b.base_url + "/staff/")
    dialog = page.get_by_role("alertdialog", name="You are about to be signed out")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("01:05")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("You will be signed out in 2 minutes. Any unsaved changes will be lost.")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    b.check_axe()

    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("01:05")  # a minute after staying: warned again
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # Escape also means stay
    expect(dialog).to_be_hidden()

    b.visit("/staff/cases/")
    expect(page.get_by_role("banner")).to_contain_text("Signed in as")
    dialog = page.get_by_role("alertdialog", name="You are about to be signed out")
    page.clock.fast_forward("01:05")
    expect(dialog).to_be_visible()
    b.click_to(dialog.get_by_role("button", name="Sign out"), expect_path="/staff/login/")
    expect(page.get_by_role("banner")).not_to_contain_text("Signed in as")
