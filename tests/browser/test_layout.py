"""Staff screens at 1024px in Chromium: no sideways scroll, case references on one line, one left edge; axe on every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseStatus
from cases.services import case_assign, case_status_change, case_update, risk_assess, risk_question_set_active

from ..cases.factories import category, report_submission, submit_report

pytestmark = pytest.mark.browser

NARROW_DESKTOP = {"width": 1024, "height": 768}
LONG_ADDRESS = "Flat 12B, Wolsey Island Court, Upper Brunswick Crescent"
# The longest categories of the reference data: they decide how wide the Category column wants to be.
LONG_CATEGORIES = ["graffiti-vandalism-or-criminal-damage", "rowdy-or-inconsiderate-behaviour", "hate-motivated-incident"]

_SIDEWAYS_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
_SCROLLING_TABLES_JS = """() => Array.from(document.querySelectorAll('.app-table-scroll'))
    .map(el => el.scrollWidth - el.clientWidth).filter(extra => extra > 0)"""
# A reference that wraps is drawn as more than one line box (one client rect per line).
_WRAPPED_REFERENCES_JS = """() => Array.from(document.querySelectorAll('.app-reference'))
    .filter(el => el.getClientRects().length > 1 || el.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(el).lineHeight))
    .map(el => el.textContent.trim())"""


def busy_caseload(officer, manager):
    """Twenty-four cases with long categories and addresses; half the officer's and open, a quarter high risk and hate."""
    cases = []
    for n in range(24):
        report = submit_report(
            report_submission(
                category=category(LONG_CATEGORIES[n % len(LONG_CATEGORIES)]),
                address=f"{n + 1} {LONG_ADDRESS}",
                postcode="LE18 1AA",
                email=f"caller{n}@example.com",
                phone=f"07700 900{n:03d}",
                incident_date=timezone.localdate() - timedelta(days=1),
            )
        )
        case = report.case
        if n % 2 == 0:
            case = case_assign(case=case, officer=officer, actor=manager)
            case = case_status_change(case=case, to_status=CaseStatus.OPEN, actor=officer)
            if n % 4 == 0:
                # Every question answered yes: high risk, so the Risk column shows its widest tag.
                questions = risk_question_set_active().questions.all()
                risk_assess(case=case, answers={q.pk: True for q in questions}, actor=officer)
                case = case_update(case=Case.objects.get(pk=case.pk), actor=officer, hate_motivated=True)
        cases.append(case)
    return cases


def assert_fits(b, path):
    """The page at `path` neither scrolls sideways nor wraps a case reference (axe-checked by visit)."""
    b.visit(path)
    assert_page_fits(b.page, path)


def assert_page_fits(page, label):
    sideways = page.evaluate(_SIDEWAYS_JS)
    assert sideways <= 0, f"{label} scrolls sideways by {sideways}px at {page.viewport_size['width']}px"
    # At 1024px a table fits its box too: it scrolls inside it only on smaller screens.
    scrolling_tables = page.evaluate(_SCROLLING_TABLES_JS)
    assert scrolling_tables == [], f"{label}: tables wider than their box by {scrolling_tables}px"
    wrapped = page.evaluate(_WRAPPED_REFERENCES_JS)
    assert wrapped == [], f"{label}: case references wrap onto more than one line: {wrapped}"


def test_officer_pages_fit_a_1024px_screen(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    page.set_viewport_size(NARROW_DESKTOP)
    cases = busy_caseload(officer_user, manager_user)
    b.sign_in(officer_user)

    assert_fits(b, "/staff/")
    expect(page.locator(".app-reference").first).to_be_visible()
    assert_fits(b, "/staff/cases/")
    expect(page.get_by_role("table", name="Cases").locator(".app-reference")).to_have_count(24)
    assert_fits(b, "/staff/cases/?status=open_any&sort=received")
    assert_fits(b, f"/staff/cases/{cases[0].reference}/")
    assert_fits(b, f"/staff/lookup/?q={cases[1].reference}")
    expect(page.get_by_role("table").locator(".app-reference")).to_have_count(1)


def test_manager_pages_fit_a_1024px_screen(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    page.set_viewport_size(NARROW_DESKTOP)
    busy_caseload(officer_user, manager_user)
    b.sign_in(manager_user)

    for path in ("/staff/", "/staff/cases/", "/dashboard/", "/staff/surveys/", "/staff/closure-days/"):
        assert_fits(b, path)


def test_phone_report_history_fits_a_1024px_screen(browser_page, call_centre_user, officer_user, manager_user):
    """Earlier reports from the same address are listed with their references on one line each."""
    b, page = browser_page, browser_page.page
    page.set_viewport_size(NARROW_DESKTOP)
    busy_caseload(officer_user, manager_user)
    b.sign_in(call_centre_user, next_path="/staff/phone-report/")

    def section(legend):
        return page.get_by_role("group", name=legend, exact=True)

    section("Does the caller want to give their details?").get_by_label("Yes, give their details", exact=True).check()
    page.get_by_label("Full name", exact=True).fill("Margaret Ellis")
    page.get_by_label("Phone number (optional)", exact=True).fill("07700 900001")
    section("Which of these describes the caller best?").get_by_label("Resident: council tenant", exact=True).check()
    section("How would the caller like us to contact them?").get_by_label("Phone call", exact=True).check()
    section("What is happening?").get_by_label("Noise", exact=True).check()
    page.get_by_label("Address or street name (optional)", exact=True).fill(f"1 {LONG_ADDRESS}")
    page.get_by_label("Postcode (optional)", exact=True).fill("LE18 1AA")
    section("Is it still happening?").get_by_label("Yes, it keeps happening", exact=True).check()
    day = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    section("If it keeps happening, how often?").get_by_label("Every day or most days", exact=True).check()
    page.get_by_label("Describe what happened", exact=True).fill("Music again until 2am")
    section("Does the caller know who is responsible?").get_by_label(re.compile("not know who is responsible")).check()
    section("How is the caller involved?").get_by_label("It is happening to them (victim)", exact=True).check()
    section("Does the caller think it was motivated by hate?").get_by_label("No", exact=True).check()
    section("Can we share the caller's details with partner agencies?").get_by_label("Yes", exact=True).check()
    b.submit("Check history and save", expect_path="/staff/phone-report/")

    history = page.get_by_role("region", name="Important")
    expect(history).to_contain_text("This caller or address has reported before")
    assert history.locator(".app-reference").count() >= 2
    assert_page_fits(page, "/staff/phone-report/ with history")


def test_staff_header_content_and_footer_share_one_left_edge(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    busy_caseload(officer_user, manager_user)
    b.sign_in(manager_user)
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        for path in ("/staff/", "/staff/cases/", "/dashboard/"):
            b.visit(path)
            edges = {
                name: round(page.locator(selector).first.bounding_box()["x"])
                for name, selector in {
                    "council name": ".govuk-generic-header__logo",
                    "service name": ".govuk-service-navigation__service-name",
                    "beta banner": ".govuk-phase-banner",
                    "heading": "main h1",
                    "footer": ".govuk-footer__meta-item",
                }.items()
            }
            assert len(set(edges.values())) == 1, f"{path} at {width}px: left edges differ: {edges}"


def test_resident_pages_fit_a_1024px_screen(browser_page):
    """The resident's pages keep GOV.UK's centred column and never scroll sideways at 1024px."""
    b, page = browser_page, browser_page.page
    page.set_viewport_size(NARROW_DESKTOP)
    for path in ("/report/", "/report/step/category/", "/privacy/", "/accessibility/"):
        assert_fits(b, path)
    expect(page.locator("main")).to_be_visible()


def test_case_forms_keep_the_reference_on_one_line(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    page.set_viewport_size(NARROW_DESKTOP)
    cases = busy_caseload(officer_user, manager_user)
    b.sign_in(officer_user)
    for path in (f"/staff/cases/{cases[0].reference}/contact/", f"/staff/cases/{cases[0].reference}/note/"):
        assert_fits(b, path)
        expect(page.locator(".govuk-caption-l .app-reference")).to_have_text(cases[0].reference)
