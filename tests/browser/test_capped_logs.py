"""The three growing logs with a capped count, in a browser, axe-checked: first page, a middle page and the last
page we show (with its "narrow the search" inset). The cap is 5 rows and a page 2, so seven rows cross both."""

import importlib

import pytest
from playwright.sync_api import expect

from accounts.models import SignInEvent, SignInKind
from cases.models import AccessEvent, PartnerAgency
from cases.services.access_log import access_record

from ..partners.helpers import agreement, partner


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr("cases.paging.CAP", 5)
    monkeypatch.setattr("cases.views.sharing.LOG_PER_PAGE", 2)
    monkeypatch.setattr(importlib.import_module("accounts.views.security"), "EVENTS_PER_PAGE", 2)
    monkeypatch.setattr("partners.views.LOG_PER_PAGE", 2)


def _pages(b, url, status):
    page = b.page
    b.visit(url)
    expect(page.get_by_role("status").filter(has_text="More than 5")).to_have_text(status)
    b.click_to(page.get_by_role("link", name="Page 3"))
    expect(page.get_by_text("are shown in pages. Narrow the search")).to_be_visible()
    b.click_to(page.get_by_role("link", name="Previous page"))
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")


def test_the_capped_logs_page_and_pass_axe(browser_page, manager_user, small_cap):
    b = browser_page
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    agreement(police)
    constable, lead = partner("pc", police), partner("lead", police, lead=True)
    for i in range(7):
        access_record(user=constable, event=AccessEvent.CASE_VIEW, detail=f"row {i}")
        SignInEvent.objects.create(username="officer", kind=SignInKind.FAILED, detail=f"row {i}")

    b.sign_in(manager_user)
    _pages(b, "/staff/access-log/", "More than 5 entries, page 1 of 3")
    _pages(b, "/staff/security/", "More than 5 sign-in events, page 1 of 3")
    b.page.context.clear_cookies()
    b.sign_in(lead)
    _pages(b, "/partners/access-log/", "More than 5 entries, page 1 of 3")
