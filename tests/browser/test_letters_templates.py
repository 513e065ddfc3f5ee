"""A manager changes a notice's wording in the browser: refused without the right of appeal, then saved (axe on
every page). Moved from tests/letters/ so the browser marker and fixtures of tests/browser/conftest.py apply."""

import pytest
from playwright.sync_api import expect

from letters.builtin import templates_install_current
from letters.models import DocumentTemplate

pytestmark = pytest.mark.browser


def test_a_manager_edits_the_cpn_wording(browser_page, manager_user):
    templates_install_current()
    b = browser_page
    b.sign_in(manager_user, next_path="/staff/letters/templates/")
    b.visit("/staff/letters/templates/")
    b.click_to(b.page.get_by_role("link", name="Community Protection Notice", exact=True),
               expect_path="/staff/letters/templates/cpn/")
    wording = b.page.get_by_label("Wording")
    original = wording.input_value()
    wording.fill(original.replace("{appeal_rights}", ""))
    b.submit("Save a new version")
    expect(b.page.locator(".govuk-error-summary")).to_contain_text("The wording must include {appeal_rights}")
    b.page.get_by_label("Wording").fill(original + "\n\nPlease keep this notice.")
    b.submit("Save a new version", expect_path="/staff/letters/templates/")
    expect(b.page.locator("body")).to_contain_text("saved as version 2")
    assert DocumentTemplate.objects.get(kind="cpn").wording.endswith("Please keep this notice.")
    b.visit("/staff/letters/templates/cpn/history/")
    expect(b.page.locator("h2").first).to_contain_text("Version 2")
