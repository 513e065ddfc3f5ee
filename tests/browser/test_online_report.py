"""A resident reports anti-social behaviour online, in Chromium, with axe-core on every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, Evidence

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REFERENCE = re.compile(r"ASB-\d{4}-\d{5}")


def step(name):
    return f"/report/step/{name}/"


def past_day():
    return timezone.localdate() - timedelta(days=3)


def fill_date(page, day):
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))


def start_journey(b):
    b.visit("/report/")
    expect(b.page.get_by_role("heading", level=1)).to_have_text("Report anti-social behaviour")
    b.click_to(b.page.get_by_role("button", name="Start now"), expect_path=step("category"))


def answer_up_to_when(b):
    page = b.page
    start_journey(b)
    expect(page.get_by_text("Loud music, shouting, barking, parties")).to_be_visible()  # each category's hint
    expect(page.locator(".govuk-radios__divider")).to_have_text("or")
    page.get_by_label("Noise", exact=True).check()
    b.submit(expect_path=step("other-categories"))
    # Optional, and the main problem is not offered again.
    expect(page.get_by_role("heading", level=1)).to_have_text("Is anything else happening? (optional)")
    expect(page.get_by_label("Noise", exact=True)).to_have_count(0)
    page.get_by_label("Intimidation or harassment", exact=True).check()
    b.submit(expect_path=step("location"))
    page.get_by_label("Address or street name (optional)", exact=True).fill("14 Bell Street")
    page.get_by_label("Postcode (optional)", exact=True).fill("le18 1aa")
    b.submit(expect_path=step("when"))


def answer_when_to_evidence(b, upload=None):
    page = b.page
    page.get_by_label("No, it happened once", exact=True).check()
    fill_date(page, past_day())
    page.get_by_label("Time (optional)", exact=True).fill("22:15")
    b.submit(expect_path=step("description"))
    page.get_by_label("Describe what happened", exact=True).fill("Loud music until 3am from the flat above")
    page.get_by_label("How is it affecting you or others? (optional)", exact=True).fill("I cannot sleep")
    b.submit(expect_path=step("people"))
    page.get_by_label("Yes, I know who it is", exact=True).check()
    page.get_by_label("If you know who it is: their name", exact=True).fill("Flat 3")
    b.submit(expect_path=step("your-part"))
    page.get_by_label("It is happening to me", exact=True).check()
    b.submit(expect_path=step("support"))
    page.get_by_role("group", name=re.compile("because of who you are")).get_by_label("No", exact=True).check()
    b.submit(expect_path=step("evidence"))
    if upload is not None:
        # The file goes up with "Continue" too, without pressing "Upload file" first.
        page.get_by_label("Upload a file", exact=True).set_input_files(upload)
    b.submit("Continue", expect_path=step("anonymous"))


def answer_about_you_to_check(b):
    page = b.page
    page.get_by_label("Yes, give my details", exact=True).check()
    b.submit(expect_path=step("about-you"))
    page.get_by_label("Full name", exact=True).fill("Margaret Ellis")
    page.get_by_label("Email address (optional)", exact=True).fill("margaret@example.com")
    b.submit(expect_path=step("customer-group"))
    page.get_by_label("Resident: council tenant", exact=True).check()
    b.submit(expect_path=step("contact-preferences"))
    page.get_by_label("Email", exact=True).check()
    b.submit(expect_path=step("consent"))
    page.get_by_label("Yes", exact=True).check()
    b.submit(expect_path=step("check"))


def answer_everything(b, upload=None):
    answer_up_to_when(b)
    answer_when_to_evidence(b, upload=upload)
    page = b.page
    answer_about_you_to_check(b)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your report")


def summary_value(page, key):
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(f"^{re.escape(key)}$"))
    )
    return row.locator(".govuk-summary-list__value")


def test_resident_reports_online_with_an_upload_and_gets_a_reference(browser_page, tmp_path, evidence_storage):
    b, page = browser_page, browser_page.page
    photo = tmp_path / "noise-photo.png"
    photo.write_bytes(PNG)

    answer_everything(b, upload=photo)

    # Check your answers shows what was given, and the uploaded file by its name.
    expect(summary_value(page, "What is happening")).to_have_text("Noise")
    expect(summary_value(page, "Also happening")).to_have_text("Intimidation or harassment")
    expect(summary_value(page, "Where")).to_have_text("14 Bell Street, LE18 1AA")
    expect(summary_value(page, "When")).to_have_text(f"{past_day():%-d %B %Y} at 22:15")
    expect(summary_value(page, "What happened")).to_have_text("Loud music until 3am from the flat above")
    expect(summary_value(page, "Who is responsible")).to_have_text("Flat 3")
    expect(summary_value(page, "Name")).to_have_text("Margaret Ellis")
    expect(summary_value(page, "Email")).to_have_text("margaret@example.com")
    expect(summary_value(page, "Contact me by")).to_have_text("Email")
    expect(summary_value(page, "Share with partner agencies")).to_have_text("Yes")
    expect(summary_value(page, "Files")).to_have_text("noise-photo.png")

    b.submit("Send report", expect_path="/report/confirmation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    panel = page.locator(".govuk-panel__body").inner_text()
    match = REFERENCE.search(panel)
    assert match, panel
    reference = match.group(0)
    expect(page.get_by_role("main")).to_contain_text("will contact you by")
    expect(page.get_by_role("main")).to_contain_text("by email as you asked")
    # Start, 14 questions, check your answers, confirmation: every one went through axe.
    assert len(b.checked) == 17, b.checked

    case = Case.objects.get(reference=reference)
    assert Case.objects.count() == 1
    evidence = Evidence.objects.get(case=case)
    assert evidence.original_name == "noise-photo.png" and evidence.staging_key is None
    assert evidence.file.path.startswith(str(evidence_storage)) and evidence.size == len(PNG)
    report = case.reports.get()
    assert report.reporter.full_name == "Margaret Ellis" and report.postcode == "LE18 1AA"


def test_resident_sees_error_summary_and_recovers(browser_page):
    b, page = browser_page, browser_page.page
    answer_up_to_when(b)

    # A date in the future is refused, with the GOV.UK error pattern.
    page.get_by_label("No, it happened once", exact=True).check()
    future = timezone.localdate() + timedelta(days=400)  # next year, or the one after from late November
    fill_date(page, future)
    b.submit(expect_path=step("when"))  # axe runs on the error page too
    assert page.title().startswith("Error:"), page.title()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary on load
    link = summary.get_by_role("link", name="The date must be today or in the past")
    expect(link).to_be_visible()
    expect(page.locator("#div_id_when-incident_date .govuk-error-message")).to_contain_text(
        "The date must be today or in the past"
    )
    expect(page.get_by_label("Year", exact=True)).to_have_value(str(future.year))  # what was typed is kept
    assert link.get_attribute("href") == "#id_when-incident_date_0"

    # Fixed, the journey carries on and the answers before it are kept.
    fill_date(page, past_day())
    b.submit(expect_path=step("description"))
    assert not page.title().startswith("Error:")
    answer_rest_to_anonymous(b)

    # A bad email address on "Your details".
    page.get_by_label("Yes, give my details", exact=True).check()
    b.submit(expect_path=step("about-you"))
    page.get_by_label("Full name", exact=True).fill("Margaret Ellis")
    page.get_by_label("Email address (optional)", exact=True).fill("not-an-email")
    b.submit(expect_path=step("about-you"))
    assert page.title().startswith("Error:"), page.title()
    message = "Enter an email address in the correct format, like name@example.com"
    link = page.locator(".govuk-error-summary").get_by_role("link", name=message)
    expect(link).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_about-you-email"
    expect(page.get_by_label("Email address (optional)", exact=True)).to_be_focused()
    expect(page.get_by_label("Full name", exact=True)).to_have_value("Margaret Ellis")  # what was typed is kept

    page.get_by_label("Email address (optional)", exact=True).fill("margaret@example.com")
    b.submit(expect_path=step("customer-group"))
    assert not page.title().startswith("Error:")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def answer_rest_to_anonymous(b):
    """From "What happened?" to the anonymous question, with ordinary answers and no upload."""
    page = b.page
    page.get_by_label("Describe what happened", exact=True).fill("Loud music until 3am")
    b.submit(expect_path=step("people"))
    page.get_by_label("I do not know who is responsible", exact=True).check()
    b.submit(expect_path=step("your-part"))
    page.get_by_label("I saw or heard it happen to someone else", exact=True).check()
    b.submit(expect_path=step("support"))
    page.get_by_role("group", name=re.compile("because of who you are")).get_by_label("No", exact=True).check()
    b.submit(expect_path=step("evidence"))
    b.submit("Continue", expect_path=step("anonymous"))


def test_check_answers_change_link_returns_to_check_page(browser_page):
    b, page = browser_page, browser_page.page
    answer_everything(b)
    expect(summary_value(page, "Where")).to_have_text("14 Bell Street, LE18 1AA")

    change = page.get_by_role("link", name="Change where", exact=True)
    b.click_to(change, expect_path=step("location") + "?change=1")
    expect(page.get_by_label("Address or street name (optional)", exact=True)).to_have_value("14 Bell Street")
    page.get_by_label("Address or street name (optional)", exact=True).fill("1 New Road")
    page.get_by_label("Postcode (optional)", exact=True).fill("LE2 5BA")
    b.submit(expect_path=step("check"))

    expect(summary_value(page, "Where")).to_have_text("1 New Road, LE2 5BA")
    # The other answers are untouched.
    expect(summary_value(page, "What is happening")).to_have_text("Noise")
    expect(summary_value(page, "Name")).to_have_text("Margaret Ellis")
    assert Case.objects.count() == 0


# --- The error summary's links must move focus to the field (GOV.UK error summary pattern) ----------
# Error summary links must land on something that takes focus: the Day input of a date, the
# first radio of a radios question (crispy-forms-gds numbers radios from _1).


def test_error_summary_link_focuses_the_day_input(browser_page):
    b, page = browser_page, browser_page.page
    answer_up_to_when(b)
    page.get_by_label("No, it happened once", exact=True).check()
    fill_date(page, timezone.localdate() + timedelta(days=400))
    b.submit(expect_path=step("when"))
    page.locator(".govuk-error-summary").get_by_role("link", name="The date must be today or in the past").click()
    expect(page.get_by_label("Day", exact=True)).to_be_focused(timeout=1000)
    assert page.evaluate("document.activeElement.id") == "id_when-incident_date_0"


def test_error_summary_link_focuses_the_first_radio(browser_page):
    b, page = browser_page, browser_page.page
    start_journey(b)
    b.submit(expect_path=step("category"))  # nothing chosen
    assert page.title().startswith("Error:"), page.title()
    page.locator(".govuk-error-summary").get_by_role("link", name="Select what is happening").click()
    first_radio = page.locator("input[name='category-category']").first
    expect(first_radio).to_be_focused(timeout=1000)
