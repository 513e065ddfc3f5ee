"""Deadlines in Chromium: an officer meets an overdue first contact from the To do list; a manager's
closure day moves a first-contact date and back. axe-core on every page."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cases import sla
from cases.models import PartyRole
from cases.services import case_assign

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.browser

MARGARET = "Margaret Ellis"
TASK = f"Phone {MARGARET} to make first contact"
# The due item for her next update.
UPDATE_DUE = f"Update to {MARGARET}"
TO_DO = "To do: people who prefer a phone call or a letter"


@pytest.fixture(autouse=True)
def _noon_today():
    # Each test reads "today" once and compares it with what the server shows a minute later: run at
    # 23:59 (pytest --at), midnight passed in between. Today's date is kept, the time of day is noon.
    with time_machine.travel(datetime.combine(timezone.localdate(), time(12, 0), tzinfo=sla.LONDON), tick=True):
        yield


# --- the calendar (bank holidays and weekends only: no closure days are stored yet) ----------


def working_days_before(day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        if sla.is_working_day(day, closures=frozenset()):
            n -= 1
    return day


def next_working_day(day: date) -> date:
    return sla.add_working_days(day, 1, closures=frozenset())


def london(day: date, at=time(10, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=sla.LONDON)


def short(day: date) -> str:
    """A date as the due items show it ("D j M" in Django: Mon 2 Mar)."""
    return f"{day:%a %-d %b}"


# --- arranging with the ORM ------------------------------------------------------------------


def new_report(*, received_on=None, **overrides):
    """A report from Margaret Ellis (victim, prefers email unless told) about noise; the case is new and unassigned."""
    received_at = london(received_on) if received_on else None
    incident_date = received_on or timezone.localdate()
    data = report_submission(incident_date=incident_date, **overrides)
    return submit_report(data, received_at=received_at).case


def assigned_to(case, officer):
    return case_assign(case=case, officer=officer, actor=officer)


# --- finding things on the page --------------------------------------------------------------


def case_path(reference, suffix=""):
    return f"/staff/cases/{reference}/{suffix}"


def nav_link(page, name):
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True)


def group(page, legend):
    return page.get_by_role("group", name=legend, exact=True)


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def error_summary(page):
    return page.locator(".govuk-error-summary")


def summary_row(page, key):
    """The value of a summary-list row of the case page, by its key."""
    return page.locator(f"xpath=//dt[normalize-space()='{key}']/following-sibling::dd[1]")


def due_next(page):
    return summary_row(page, "Due next")


def to_do_list(page):
    return page.locator(f"xpath=//h2[normalize-space()='{TO_DO}']/following-sibling::ul[1]")


def table_row(table, reference):
    return table.locator("tbody tr").filter(has=table.page.get_by_role("link", name=reference, exact=True))


def column(table, reference, header):
    """One cell of a table, by the row's case reference and the column's header."""
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    return table_row(table, reference).locator("td").nth(headers.index(header))


def table_references(table):
    return table.locator("tbody tr td:first-child a").all_inner_texts()


def fill_date(scope, day):
    scope.get_by_label("Day", exact=True).fill(str(day.day))
    scope.get_by_label("Month", exact=True).fill(str(day.month))
    scope.get_by_label("Year", exact=True).fill(str(day.year))


# --- steps -----------------------------------------------------------------------------------


def go_home(b):
    b.click_to(nav_link(b.page, "Home"), expect_path="/staff/")
    return b.page.get_by_role("table", name="My open cases, overdue first")


def open_case(b, reference):
    b.visit(case_path(reference))
    expect(b.page.get_by_role("heading", level=1)).to_contain_text(f"Case {reference}")


# --- the officer meets an overdue first contact ------------------------------------------------


def test_officer_sees_deadlines_and_a_phone_task_and_meets_it(browser_page, officer_user):
    b, page = browser_page, browser_page.page
    today = timezone.localdate()
    received_on = working_days_before(today, 6)
    late = new_report(received_on=received_on, preferred_contact_method="phone")
    fresh = new_report(full_name="Dev Patel", email="dev@example.com", phone="07700 900456")
    for case in (late, fresh):
        assigned_to(case, officer_user)
    margaret = late.parties.get(role=PartyRole.VICTIM)
    first_contact_due = sla.first_contact_due(late.received_at).date()
    days_late = (today - first_contact_due).days
    assert first_contact_due < today and days_late >= 3
    fresh_due = sla.first_contact_due(fresh.received_at).date()

    # 1. Home: the overdue case first, and a task to phone Mrs Ellis.
    b.sign_in(officer_user)
    expect(page).to_have_url(b.base_url + "/staff/")
    mine = page.get_by_role("table", name="My open cases, overdue first")
    assert table_references(mine) == [late.reference, fresh.reference]
    late_due = column(mine, late.reference, "Due next")
    expect(late_due.locator(".govuk-tag")).to_have_text("Overdue")
    expect(late_due).to_contain_text(f"First contact to {MARGARET}: {days_late} days late")
    expect(late_due).to_contain_text(short(first_contact_due))
    fresh_cell = column(mine, fresh.reference, "Due next")
    expect(fresh_cell).to_contain_text("First contact to Dev Patel: in ")
    expect(fresh_cell.locator(".govuk-tag")).to_have_count(0)

    tasks = to_do_list(page)
    expect(tasks.locator("li")).to_have_count(1)  # Dev Patel prefers email: no task
    task = tasks.locator("li")
    expect(task.locator(".govuk-tag")).to_have_text("Overdue")
    expect(task).to_contain_text(f"({late.reference}, due {short(first_contact_due)}")

    # 2. The task opens the contact form with Mrs Ellis and Phone chosen already.
    b.click_to(
        tasks.get_by_role("link", name=TASK, exact=True),
        expect_path=case_path(late.reference, f"contact/?party={margaret.pk}&method=phone"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
    expect(group(page, "Who").get_by_label(f"{MARGARET} (victim)", exact=True)).to_be_checked()
    expect(group(page, "How").get_by_label("Phone", exact=True)).to_be_checked()
    expect(group(page, "Who made contact").get_by_label("We contacted them", exact=True)).to_be_checked()
    group(page, "Did you speak to them or get the message to them?").get_by_label("Yes", exact=True).check()
    fill_date(group(page, "Date of the contact"), today)
    page.get_by_label("Summary", exact=True).fill("Phoned Mrs Ellis: music most nights until 3am")
    b.submit("Save contact", expect_path=case_path(late.reference))
    assert not page.title().startswith("Error:"), page.title()
    expect(success_banner(page)).to_contain_text("Contact recorded")

    # 3. First contact is met; the update clock runs: 14 days from today.
    update_due = today + timedelta(days=sla.DEFAULT_UPDATE_INTERVAL_DAYS)
    expect(due_next(page)).to_contain_text(f"{UPDATE_DUE}: in 14 days")
    expect(due_next(page)).to_contain_text(short(update_due))
    expect(due_next(page)).not_to_contain_text("First contact")
    expect(due_next(page).locator(".govuk-tag")).to_have_count(0)

    # 4. Home: the task is gone, and nothing is overdue.
    mine = go_home(b)
    expect(page.get_by_role("heading", name=TO_DO)).to_have_count(0)
    expect(page.get_by_role("link", name=TASK)).to_have_count(0)
    expect(mine.locator(".govuk-tag", has_text="Overdue")).to_have_count(0)
    expect(column(mine, late.reference, "Due next")).to_contain_text(f"{UPDATE_DUE}: in 14 days")

    # 5. The case list's Next deadline column.
    b.click_to(nav_link(page, "Cases"), expect_path="/staff/cases/")
    cases = page.get_by_role("table", name="Cases")
    expect(cases.get_by_role("columnheader", name="Next deadline", exact=True)).to_be_visible()
    expect(column(cases, late.reference, "Next deadline")).to_have_text(f"{update_due:%-d %b}")
    expect(column(cases, fresh.reference, "Next deadline")).to_have_text(f"{fresh_due:%-d %b}")


# --- the manager's closure day moves first contact ------------------------------------------------


def first_contact_shown(b, reference, due: date):
    open_case(b, reference)
    due_row = due_next(b.page)
    expect(due_row).to_contain_text(f"First contact to {MARGARET}: in {(due - timezone.localdate()).days} days")
    expect(due_row).to_contain_text(short(due))


def test_manager_adds_and_removes_a_closure_day(browser_page, manager_user):
    b, page = browser_page, browser_page.page
    today = timezone.localdate()
    case = new_report()
    due = sla.first_contact_due(case.received_at).date()
    closed_on = next_working_day(today)  # the 1st of the 3 working days
    assert today < closed_on < due
    later = next_working_day(due)

    # 1. The case page shows first contact due on the 3rd working day.
    b.sign_in(manager_user)
    first_contact_shown(b, case.reference, due)

    # 2. Closure days, from the navigation; an empty form is refused.
    b.click_to(nav_link(page, "Closure days"), expect_path="/staff/closure-days/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Council closure days")
    expect(page.get_by_text("No closure days are planned.")).to_be_visible()
    b.submit("Add closure day", expect_path="/staff/closure-days/")
    assert page.title().startswith("Error:"), page.title()
    summary = error_summary(page)
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Enter the date the council is closed", exact=True)).to_be_visible()
    expect(
        summary.get_by_role("link", name="Enter the reason, for example Staff training day", exact=True)
    ).to_be_visible()

    # 3. A closure day between today and the due date.
    fill_date(group(page, "Date the council is closed"), closed_on)
    page.get_by_label("Reason", exact=True).fill("Staff training day")
    b.submit("Add closure day", expect_path="/staff/closure-days/")
    assert not page.title().startswith("Error:"), page.title()
    expect(success_banner(page)).to_contain_text(
        f"{closed_on:%-d %B %Y} is now a closure day; first-contact deadlines have been recalculated"
    )
    coming_up = page.get_by_role("table", name="Coming up")
    expect(coming_up.locator("tbody tr")).to_have_count(1)
    expect(coming_up.locator("tbody tr")).to_contain_text(f"{closed_on:%A %-d %B %Y}")
    expect(coming_up.locator("tbody tr")).to_contain_text("Staff training day")

    # 4. First contact is now due one working day later.
    first_contact_shown(b, case.reference, later)

    # 5. Removing the closure day puts the date back.
    b.click_to(nav_link(page, "Closure days"), expect_path="/staff/closure-days/")
    b.submit(f"Remove {closed_on:%-d %B %Y}", expect_path="/staff/closure-days/")
    expect(success_banner(page)).to_contain_text(
        f"{closed_on:%-d %B %Y} is a working day again; first-contact deadlines have been recalculated"
    )
    expect(page.get_by_text("No closure days are planned.")).to_be_visible()
    first_contact_shown(b, case.reference, due)
