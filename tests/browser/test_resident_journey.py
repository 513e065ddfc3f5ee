"""A resident follows their case from their personal link, on a phone-sized screen, in Chromium with axe-core on
every page (issue 15): they see the reference, the status in plain words, their officer's first name and when the
next update is due; they add a diary entry with a photo; the officer (signed in, in a browser of their own) sends
them an update from the case page, and the resident sees it, newest first. They ask to be called back; going back
and pressing the button again, or pressing it twice, makes one diary entry.

The clock is frozen (time_machine, ticking on) on Monday 23 November 2026: nothing depends on today's date.

These journeys found that with `Referrer-Policy: no-referrer` Chromium sends `Origin: null` with every form posted from
a resident page and Django's CSRF check refuses it (403); the pages now send `strict-origin`. The steps marked "POST
from a resident page" are the ones that would catch it again.
"""

import re
from datetime import date, datetime, time

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import (
    DiaryEntry,
    Evidence,
    ResidentLink,
    ResidentRequest,
    ResidentRequestKind,
    TimelineEntry,
    TimelineKind,
)
from cases.roles import Role
from cases.services import case_assign
from cases.services.resident_links import link_path
from cases.sla import LONDON

from ..casereview.factories import staff
from ..cases.factories import report_submission, submit_report
from ..cases.test_evidence import real_png
from .conftest import AXE_JS, Browser

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)  # a Monday
DIARY_TEXT = "Music and shouting from the flat above until 2am"
UPDATE_TEXT = "I visited the flat above on Friday and gave a verbal warning. I will check again next week."


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def world(clock):
    manager = staff("alison", Role.MANAGER, first_name="Alison", last_name="Grant")
    officer = staff("tom", Role.OFFICER, first_name="Tom", last_name="Okafor")
    report = submit_report(report_submission(full_name="Margaret Ellis", address="14 Bell Street", phone="07700 900123"))
    case = report.case
    case_assign(case=case, officer=officer, actor=manager)
    case.refresh_from_db()
    victim = report.reporter
    link = ResidentLink.objects.get(party=victim, revoked_at__isnull=True)
    return {"case": case, "officer": officer, "victim": victim, "link": link, "path": link_path(link)}


@pytest.fixture
def phone_page(browser_page):
    browser_page.page.set_viewport_size(PHONE)
    return browser_page


@pytest.fixture
def officer_browser(browser, browser_context_args, _axe_source, live_server):
    """A second browser (its own cookies) for the officer, desktop-sized, axe-checked like the resident's."""
    context = browser.new_context(**browser_context_args)
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(10_000)
    page = context.new_page()
    page.add_init_script(path=str(AXE_JS))
    yield Browser(page, _axe_source, live_server.url)
    context.close()


def fill_diary(page, *, day: date, at: str, text: str):
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Time it happened", exact=True).fill(at)
    page.get_by_label("What happened", exact=True).fill(text)


def summary_value(page, key):
    row = page.locator(".govuk-summary-list__row").filter(has=page.locator("dt", has_text=key))
    return row.locator(".govuk-summary-list__value")


def test_resident_adds_a_diary_entry_with_a_photo_and_sees_the_officers_update(
        phone_page, officer_browser, world, tmp_path, evidence_storage):
    b, page = phone_page, phone_page.page
    case, path = world["case"], world["path"]
    photo = tmp_path / "stairwell.png"
    photo.write_bytes(real_png())

    # The resident opens their link on a phone: the reference, the status in plain words, their officer, the next update.
    b.visit(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your case {case.reference}")
    expect(summary_value(page, "Reference")).to_have_text(case.reference)
    expect(summary_value(page, "Status")).to_contain_text("Received")  # assigned, not yet worked: "received"
    expect(summary_value(page, "Your officer")).to_contain_text("Tom")
    assert "Okafor" not in page.locator("main").inner_text()  # first name only
    expect(summary_value(page, "We will contact you")).to_contain_text("By ")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing runs off a phone screen

    # A diary entry with a photo.
    b.click_to(page.get_by_role("link", name="Add a diary entry"), expect_path=path + "diary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a diary entry")
    fill_diary(page, day=date(2026, 11, 22), at="21:30", text=DIARY_TEXT)
    page.get_by_label("Who was involved (optional)", exact=True).fill("The man from the flat above")
    page.get_by_label("Add photos, videos or documents (optional)", exact=True).set_input_files(photo)
    # POST from a resident page (see the module docstring)
    b.submit("Send diary entry", expect_path=path + "diary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Diary entry sent")
    entry = DiaryEntry.objects.get(case=case)
    assert entry.what_happened == DIARY_TEXT and entry.happened_at == _at(date(2026, 11, 22), 21, 30)
    evidence = Evidence.objects.get(case=case, diary_entry=entry)
    assert evidence.original_name == "stairwell.png" and evidence.file.path.startswith(str(evidence_storage))

    b.click_to(page.get_by_role("link", name="Back to your case"), expect_path=path)
    timeline = page.locator(".app-resident-timeline")
    expect(timeline).to_contain_text("Diary entry: 22 November 2026, 9:30pm")
    expect(timeline).to_contain_text(DIARY_TEXT)

    # Later that day the officer, signed in in a browser of their own, sends an update from the case page.
    clock_later = NOW.replace(hour=15)
    with time_machine.travel(clock_later, tick=True):
        o = officer_browser
        o.sign_in(world["officer"], next_path=f"/staff/cases/{case.reference}/")
        o.visit(f"/staff/cases/{case.reference}/")
        o.click_to(o.page.get_by_role("link", name="Send an update to Margaret Ellis"),
                   expect_path=f"/staff/cases/{case.reference}/update/{world['victim'].pk}/")
        expect(o.page.get_by_role("heading", level=1)).to_have_text("Send an update to Margaret Ellis")
        o.submit("Send update", expect_path=f"/staff/cases/{case.reference}/update/{world['victim'].pk}/")
        expect(o.page.locator(".govuk-error-summary")).to_contain_text("Write the update")  # empty: a clear error
        o.page.get_by_label("Your update", exact=True).fill(UPDATE_TEXT)
        o.submit("Send update", expect_path=f"/staff/cases/{case.reference}/")
        expect(o.page.get_by_text("Update sent to Margaret Ellis by email")).to_be_visible()
        # The diary entry is on the officer's dated list for the case, with the photo's request to deal with.
        o.visit(f"/staff/cases/{case.reference}/diary/")
        expect(o.page.get_by_role("heading", level=1)).to_have_text("Diary and resident requests")
        expect(o.page.get_by_role("main")).to_contain_text(DIARY_TEXT)
        assert TimelineEntry.objects.filter(case=case, kind=TimelineKind.UPDATE).count() == 1

        # The resident reloads: the officer's update, newest first, above their own diary entry.
        b.visit(path)
        items = page.locator(".app-resident-timeline > li")
        expect(items.first).to_contain_text("Update from your officer")
        expect(items.first).to_contain_text(UPDATE_TEXT)
        headings = items.locator("h3").all_inner_texts()
        assert headings.index("Update from your officer") < headings.index("Diary entry: 22 November 2026, 9:30pm"), headings
        assert "verbal warning" in page.locator("main").inner_text()


def test_resident_asks_to_be_called_back(phone_page, world):
    b, page = phone_page, phone_page.page
    path = world["path"]
    b.visit(path)
    b.click_to(page.get_by_role("link", name="Ask us to call you back"), expect_path=path + "call-back/")
    # POST from a resident page (see the module docstring)
    b.submit("Ask for a call back", expect_path=path + "call-back/")  # no number: a clear error
    assert page.title().startswith("Error:"), page.title()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a phone number")
    page.get_by_label("Phone number", exact=True).fill("07700 900123")
    page.get_by_label("When is the best time to call? (optional)", exact=True).fill("Weekday evenings")
    b.submit("Ask for a call back", expect_path=path + "call-back/")
    expect(page.get_by_role("heading", level=1)).to_have_text("We will call you back")
    request = ResidentRequest.objects.get(case=world["case"], kind=ResidentRequestKind.CALLBACK)
    assert "Weekday evenings" in (request.details + str(request.data))
    b.click_to(page.get_by_role("link", name="Back to your case"), expect_path=path)
    expect(page.locator(".app-resident-timeline")).to_contain_text("You asked us to call you back")


def test_back_button_and_double_click_make_one_diary_entry(phone_page, world):
    b, page = phone_page, phone_page.page
    case, path = world["case"], world["path"]
    b.visit(path + "diary/")
    fill_diary(page, day=date(2026, 11, 22), at="9:30pm", text=DIARY_TEXT)
    key = page.locator("input[name='submission_key']").input_value()
    csrf = page.locator("input[name='csrfmiddlewaretoken']").input_value()

    # POST from a resident page (see the module docstring)
    # Two quick presses of the button: one entry.
    with page.expect_navigation():
        page.get_by_role("button", name="Send diary entry", exact=True).dblclick()
    b.check_axe()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diary entry sent")
    assert DiaryEntry.objects.filter(case=case).count() == 1

    # Back to the form, and send it again: the browser's copy of the form carries the same key, so still one entry.
    page.go_back()
    b.check_axe()
    if page.locator("input[name='submission_key']").count() and page.locator(
            "input[name='submission_key']").input_value() == key:
        with page.expect_navigation():
            page.get_by_role("button", name="Send diary entry", exact=True).click()
        b.check_axe()
    # Whatever the browser kept, the same form sent again (same key) is answered without a second entry.
    response = page.request.post(path + "diary/", multipart={
        "csrfmiddlewaretoken": csrf, "submission_key": key, "happened_on_0": "22", "happened_on_1": "11",
        "happened_on_2": "2026", "happened_time": "9:30pm", "what_happened": DIARY_TEXT,
    }, headers={"Referer": b.base_url + path + "diary/"})
    assert response.ok, response.status
    assert DiaryEntry.objects.filter(case=case).count() == 1
    assert ResidentRequest.objects.filter(case=case, kind=ResidentRequestKind.DIARY).count() == 1
    b.visit(path)
    expect(page.locator(".app-resident-timeline").get_by_text(DIARY_TEXT)).to_have_count(1)


def test_every_resident_page_passes_axe_and_shows_errors_the_govuk_way(phone_page, world):
    """Each page a resident can reach from their case page, on a phone, and the error state of each form."""
    b, page = phone_page, phone_page.page
    path = world["path"]
    b.visit(path)
    pages = [
        ("Send us photos, videos or documents", "evidence/", "Upload", "Select a file to upload"),
        ("Change how we contact you", "contact/", "Save", "Select how you would like us to contact you"),
        ("Tell us the problem has stopped", "stopped/", None, None),
        ("Get a new link", "new-link/", None, None),
        ("Add a diary entry", "diary/", "Send diary entry", "Enter the date it happened"),
    ]
    for link_name, suffix, button, error in pages:
        b.visit(path)
        b.click_to(page.get_by_role("link", name=link_name, exact=True), expect_path=path + suffix)
        expect(page.get_by_role("link", name=re.compile("Back to your case|Cancel")).first).to_be_visible()
        if button:
            # POST from a resident page (see the module docstring)
            b.submit(button, expect_path=path + suffix)  # nothing filled in: the error summary, axe-checked
            assert page.title().startswith("Error:"), page.title()
            summary = page.locator(".govuk-error-summary")
            expect(summary).to_be_focused()
            expect(summary).to_contain_text(error)
    b.visit(path + "started-again/")  # an open case: a diary entry is offered instead
    expect(page.get_by_role("heading", level=1)).to_have_text("Your case is still open")
    assert not DiaryEntry.objects.filter(case=world["case"]).exists()
