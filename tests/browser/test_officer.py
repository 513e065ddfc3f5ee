"""An ASB officer works cases in Chromium: home, case list, casework forms, closure; axe-core on every page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    PartyRole,
    RiskLevel,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.reference_data import RISK_QUESTIONS

from ..cases.factories import category, report_submission, submit_report

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
VIOLENCE = "Has there been violence, or threats of violence?"


# --- arranging with the ORM ------------------------------------------------------------------


def new_online_report(**overrides):
    """Margaret Ellis (victim, phone and email, prefers email) reports noise from Flat 3; the case is new and unassigned."""
    values = dict(
        email="margaret@example.com",
        phone="07700 900123",
        preferred_contact_method="email",
        perpetrator_known="named",
        perpetrator_name="Flat 3",
        incident_date=timezone.localdate(),
    )
    values.update(overrides)
    return submit_report(report_submission(**values)).case


# --- finding things on the page --------------------------------------------------------------


def case_path(reference, suffix=""):
    return f"/staff/cases/{reference}/{suffix}"


def group(page, legend):
    """A fieldset (radios, checkboxes, a date) by its legend."""
    return page.get_by_role("group", name=legend, exact=True)


def after_heading(page, heading):
    """The element right after an <h2> of the case page (its table, list or "None.")."""
    return page.locator(f"xpath=//h2[normalize-space()='{heading}']/following-sibling::*[1]")


def case_buttons(page):
    return page.locator(".app-case-actions")


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def error_summary(page):
    return page.locator(".govuk-error-summary")


def fill_date(scope, day):
    scope.get_by_label("Day", exact=True).fill(str(day.day))
    scope.get_by_label("Month", exact=True).fill(str(day.month))
    scope.get_by_label("Year", exact=True).fill(str(day.year))


def table_references(table):
    """The case references in a table's rows, in order."""
    return table.locator("tbody tr td:first-child a").all_inner_texts()


# --- steps -----------------------------------------------------------------------------------


def open_case(b, reference):
    b.visit(case_path(reference))
    expect(b.page.get_by_role("heading", level=1)).to_contain_text(f"Case {reference}")


def press_case_button(b, reference, name, *, suffix):
    """One of the case page's action buttons (links styled as buttons), landing on its form."""
    b.click_to(
        case_buttons(b.page).get_by_role("link", name=name, exact=True), expect_path=case_path(reference, suffix)
    )


def save_form(b, reference, button):
    """Submit a casework form and come back to the case page."""
    b.submit(button, expect_path=case_path(reference))
    assert not b.page.title().startswith("Error:"), b.page.title()


def answer_risk(page, *, yes=frozenset()):
    """Answer every question of the risk assessment: yes to those in `yes`, no to the rest."""
    texts = [text for text, *_ in RISK_QUESTIONS]
    assert set(yes) <= set(texts), set(yes) - set(texts)
    for text in texts:
        group(page, text).get_by_label("Yes" if text in yes else "No", exact=True).check()


def record_contact(b, reference, *, who, how, successful=True, summary, progress=False, final=False):
    page = b.page
    press_case_button(b, reference, "Record a contact", suffix="contact/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
    group(page, "Who").get_by_label(who, exact=True).check()
    group(page, "How").get_by_label(how, exact=True).check()
    group(page, "Who made contact").get_by_label("We contacted them", exact=True).check()
    answer = "Yes" if successful else "No, it was an attempt (no answer, letter returned, nobody in)"
    group(page, "Did you speak to them or get the message to them?").get_by_label(answer, exact=True).check()
    if progress:
        page.get_by_label("They were told about progress on the case (counts as an update)", exact=True).check()
    if final:
        page.get_by_label("This is the final update before closing the case", exact=True).check()
    # The date is filled in with today already; set it anyway, as an officer writing it up would.
    fill_date(group(page, "Date of the contact"), timezone.localdate())
    page.get_by_label("Summary", exact=True).fill(summary)
    save_form(b, reference, "Save contact")
    expect(success_banner(page)).to_contain_text("Contact recorded")


# --- the journey -----------------------------------------------------------------------------


def test_officer_works_a_case_from_first_contact_to_closure(browser_page, officer_user, evidence_storage, tmp_path):
    b, page = browser_page, browser_page.page
    case = new_online_report()
    reference = case.reference
    assert case.status == CaseStatus.NEW and case.officer is None
    today = timezone.localdate()

    # 1. Home: the case waits for an officer; the officer takes it.
    b.sign_in(officer_user)
    expect(page).to_have_url(b.base_url + "/staff/")
    waiting = page.get_by_role("table", name="New unassigned cases, oldest first")
    assert table_references(waiting) == [reference]
    expect(page.get_by_text("You have no open cases.")).to_be_visible()
    b.submit(f"Take case {reference}", expect_path="/staff/")
    expect(success_banner(page)).to_contain_text(f"Case {reference} is now yours")
    mine = page.get_by_role("table", name="My open cases, overdue first")
    assert table_references(mine) == [reference]
    row = mine.locator("tbody tr").filter(has_text=reference)
    expect(row).to_contain_text("Noise")
    expect(row).to_contain_text("New")
    expect(row).to_contain_text("First contact")
    expect(page.get_by_role("table", name="New unassigned cases, oldest first")).to_have_count(0)
    expect(page.get_by_text("No new cases are waiting.")).to_be_visible()

    # 2. The case page; first contact by phone opens the investigation.
    b.click_to(mine.get_by_role("link", name=reference, exact=True), expect_path=case_path(reference))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("New")
    # Nobody has assessed the risk yet: the page says so and never calls it standard.
    expect(heading.locator(".govuk-tag--grey")).to_have_text("Not assessed for risk")
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Risk")).to_have_text(re.compile(r"^\s*Risk\s+Not assessed for risk\s*$"))
    expect(page.get_by_text("Standard")).to_have_count(0)
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Officer")).to_contain_text(
        officer_user.get_full_name()
    )
    record_contact(
        b,
        reference,
        who="Margaret Ellis (victim)",
        how="Phone",
        summary="Spoke to Mrs Ellis: music most nights until 3am",
    )
    expect(heading).to_contain_text("Open (investigating)")
    contacts = after_heading(page, "Contacts")
    expect(contacts).to_contain_text("Phone to Margaret Ellis (first contact)")

    # 3. Risk assessment: violence forces high risk.
    press_case_button(b, reference, "Risk assessment", suffix="risk/")
    group(page, "Who is this assessment for?").get_by_label("Margaret Ellis (victim)", exact=True).check()
    answer_risk(page, yes={VIOLENCE})
    page.get_by_label("Notes (optional)", exact=True).fill("Threatened on the stairs last week")
    save_form(b, reference, "Save risk assessment")
    expect(success_banner(page)).to_contain_text("Risk assessed as High: violence or threats reported (score 3)")
    expect(heading.locator(".govuk-tag--red")).to_have_text("High risk")
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Risk")).to_contain_text(
        "High risk score 3 (High: violence or threats reported)"
    )

    # 4. A Community Protection Warning against Flat 3, served today.
    press_case_button(b, reference, "Record an action", suffix="actions/add/")
    group(page, "Action").get_by_label("Community Protection Warning", exact=True).check()
    group(page, "Against").get_by_label("Flat 3 (alleged perpetrator)", exact=True).check()
    fill_date(group(page, "Date served or agreed"), today)
    page.get_by_label("Details", exact=True).fill("Warned about loud music at night")
    save_form(b, reference, "Save action")
    expect(success_banner(page)).to_contain_text("Community Protection Warning recorded")
    action_row = after_heading(page, "Actions against perpetrators").locator("tbody tr")
    expect(action_row).to_have_count(1)
    expect(action_row).to_contain_text("Community Protection Warning")
    expect(action_row).to_contain_text("Flat 3")
    expect(action_row).to_contain_text("In force")
    expect(action_row).to_contain_text(f"Served {today:%-d %b %Y}")

    # 5. A referral to the police.
    press_case_button(b, reference, "Refer to a partner", suffix="referrals/add/")
    group(page, "Partner agency").get_by_label("Leicestershire Police", exact=True).check()
    page.get_by_label("Reason for the referral", exact=True).fill("Threats of violence to the victim")
    save_form(b, reference, "Save referral")
    expect(success_banner(page)).to_contain_text("Referral to Leicestershire Police recorded")
    referral_row = after_heading(page, "Referrals to partners").locator("tbody tr")
    expect(referral_row).to_have_count(1)
    expect(referral_row).to_contain_text("Leicestershire Police")
    expect(referral_row).to_contain_text("Sent, awaiting response")

    # 6. An internal note.
    note = "Police know the flat: check with the beat officer before visiting"
    press_case_button(b, reference, "Add a note", suffix="note/")
    page.get_by_label("Note", exact=True).fill(note)
    group(page, "Who can see it").get_by_label("Internal: the ASB team only", exact=True).check()
    save_form(b, reference, "Save note")
    expect(success_banner(page)).to_contain_text("Note added")
    entry = page.locator(".app-timeline__item").filter(has_text=note)
    expect(entry).to_have_count(1)
    expect(entry.locator(".govuk-tag")).to_have_text("Internal")

    # 7. Evidence: uploaded, listed, downloaded intact.
    photo = tmp_path / "stairwell.png"
    photo.write_bytes(PNG)
    press_case_button(b, reference, "Add evidence", suffix="evidence/")
    page.get_by_label("File", exact=True).set_input_files(photo)
    page.get_by_label("What is it? (optional)", exact=True).fill("Photo of the stairwell")
    save_form(b, reference, "Upload")
    expect(success_banner(page)).to_contain_text("stairwell.png added")
    evidence = after_heading(page, "Evidence")
    link = evidence.get_by_role("link", name="stairwell.png", exact=True)
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    # Saved under the case reference and its number on the case, never the uploader's file name.
    assert download.suggested_filename == f"{reference}-evidence-1.png"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == PNG

    # 8. The final update, by email.
    record_contact(
        b,
        reference,
        who="Margaret Ellis (victim)",
        how="Email",
        progress=True,
        final=True,
        summary="Told Mrs Ellis the warning was served and the case is closing",
    )
    expect(contacts).to_contain_text("Email to Margaret Ellis (final update)")

    # 9. Closing: a reason is needed, then the case closes.
    press_case_button(b, reference, "Close case", suffix="close/")
    expect(page.locator(".govuk-inset-text")).to_have_count(0)  # nobody is waiting for a final update
    b.submit("Close case", expect_path=case_path(reference, "close/"))
    assert page.title().startswith("Error:"), page.title()
    expect(error_summary(page)).to_be_visible()
    expect(error_summary(page).get_by_role("link", name="Select why the case is closing", exact=True)).to_be_visible()
    group(page, "Why is the case closing?").get_by_label("Resolved", exact=True).check()
    page.get_by_label("Closing summary (optional)", exact=True).fill("Music stopped after the warning")
    save_form(b, reference, "Close case")
    expect(success_banner(page)).to_contain_text(f"Case {reference} closed")
    expect(heading).to_contain_text("Closed")
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Closed")).to_contain_text(
        f"{today:%-d %B %Y}: Resolved"
    )
    assert case_buttons(page).get_by_role("link").all_inner_texts() == ["Reopen the case"]
    expect(page.get_by_role("button", name="Take this case")).to_have_count(0)

    # What was stored.
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closure_reason == ClosureReason.RESOLVED
    assert case.risk_level == RiskLevel.HIGH
    assert case.officer == officer_user
    victim = case.parties.get(role=PartyRole.VICTIM)
    contacts = list(case.contacts.order_by("occurred_at", "id"))
    assert [(c.method, c.party, c.is_first_contact, c.is_final_update) for c in contacts] == [
        ("phone", victim, True, False),
        ("email", victim, False, True),
    ]
    assert all(c.recorded_by == officer_user for c in contacts)
    action = case.actions.get()
    assert action.action_type.name == "Community Protection Warning" and action.served_on == today
    assert action.perpetrator == case.parties.get(role=PartyRole.PERPETRATOR, full_name="Flat 3")
    referral = case.referrals.get()
    assert referral.agency.name == "Leicestershire Police" and referral.created_by == officer_user
    stored = case.evidence.get()
    assert stored.original_name == "stairwell.png" and stored.size == len(PNG) and stored.uploaded_by == officer_user
    assert stored.file.path.startswith(str(evidence_storage))
    assessment = case.risk_assessments.get()
    assert assessment.level == RiskLevel.HIGH and assessment.assessed_by == officer_user

    by_officer = TimelineEntry.objects.filter(case=case, actor=officer_user)
    kinds = sorted(by_officer.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            TimelineKind.ASSIGNMENT,
            TimelineKind.CONTACT,
            TimelineKind.STATUS,  # first contact opens the case
            TimelineKind.RISK,
            TimelineKind.ACTION,
            TimelineKind.REFERRAL,
            TimelineKind.NOTE,
            TimelineKind.EVIDENCE,
            TimelineKind.CONTACT,  # the final update
            TimelineKind.STATUS,  # closed
        ]
    ), kinds
    assert by_officer.get(kind=TimelineKind.NOTE).visibility == Visibility.INTERNAL
    assert set(by_officer.filter(kind=TimelineKind.STATUS).values_list("summary", flat=True)) == {
        "Status changed to open (investigating)",
        "Closed: resolved",
    }
    # The only entry not by the officer is the report itself.
    assert list(TimelineEntry.objects.filter(case=case).exclude(actor=officer_user).values_list("kind", flat=True)) == [
        TimelineKind.REPORT
    ]


# --- the case list ---------------------------------------------------------------------------


def apply_filters(b):
    b.submit("Apply")
    expect(b.page).to_have_url(re.compile(r"/staff/cases/\?"))


def shown_references(page):
    return table_references(page.get_by_role("table", name="Cases"))


def test_case_list_search_and_filters(browser_page, officer_user):
    b, page = browser_page, browser_page.page
    noise = new_online_report()  # LE18 1AA, music
    bikes = submit_report(
        report_submission(
            category=category("vehicle-nuisance"),
            description="Motorbikes racing round the playing field after dark",
            address="Brocks Hill Drive",
            postcode="LE2 5JJ",
            full_name="Dev Patel",
            email="dev@example.com",
            phone="07700 900456",
        )
    ).case
    graffiti = submit_report(
        report_submission(
            category=category("hate-motivated-incident"),
            description="Offensive slogans painted on the shop shutter",
            address="12 London Road",
            postcode="LE2 4NN",
            full_name="Amira Khan",
            email="amira@example.com",
            phone="07700 900789",
            hate_motivated="yes",
        )
    ).case
    Case.objects.filter(pk=bikes.pk).update(officer=officer_user, status=CaseStatus.OPEN)
    Case.objects.filter(pk=graffiti.pk).update(
        status=CaseStatus.CLOSED, closure_reason=ClosureReason.RESOLVED, closed_at=timezone.now()
    )

    b.sign_in(officer_user, next_path="/staff/cases/")
    expect(page).to_have_url(b.base_url + "/staff/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    # Newest first; the hate-motivated case is tagged.
    assert shown_references(page) == [graffiti.reference, bikes.reference, noise.reference]
    expect(page.get_by_role("status")).to_have_text("3 cases")
    graffiti_row = page.get_by_role("table", name="Cases").locator("tbody tr").filter(has_text=graffiti.reference)
    expect(graffiti_row.locator(".govuk-tag--red").filter(has_text="Hate")).to_be_visible()
    expect(graffiti_row).to_contain_text("Closed")

    search = page.get_by_label("Search", exact=True)

    # By postcode, typed without the space and in lower case.
    search.fill("le25jj")
    apply_filters(b)
    assert shown_references(page) == [bikes.reference]
    expect(page.get_by_role("status")).to_have_text("1 case")
    expect(search).to_have_value("le25jj")

    # By a word from the description (full text: "motorbike" finds "Motorbikes").
    search.fill("motorbike")
    apply_filters(b)
    assert shown_references(page) == [bikes.reference]

    search.fill("slogans")
    apply_filters(b)
    assert shown_references(page) == [graffiti.reference]

    # Nothing matches.
    search.fill("trampoline")
    apply_filters(b)
    expect(page.get_by_role("status")).to_have_text("0 cases")
    expect(page.get_by_text("No cases match. Try fewer filters or a different search.")).to_be_visible()

    # Any open status leaves out the closed case.
    search.fill("")
    page.get_by_label("Status", exact=True).select_option(label="Any open status")
    apply_filters(b)
    assert shown_references(page) == [bikes.reference, noise.reference]

    # And the officer's own cases.
    page.get_by_label("Officer", exact=True).select_option(label=officer_user.get_full_name())
    apply_filters(b)
    assert shown_references(page) == [bikes.reference]
    row = page.get_by_role("table", name="Cases").locator("tbody tr")
    expect(row).to_contain_text("Vehicle nuisance")
    expect(row).to_contain_text(officer_user.get_full_name())

    # Unassigned and open.
    page.get_by_label("Officer", exact=True).select_option(label="Unassigned")
    apply_filters(b)
    assert shown_references(page) == [noise.reference]

    # Clear goes back to every case.
    b.click_to(page.get_by_role("link", name="Clear", exact=True), expect_path="/staff/cases/")
    assert shown_references(page) == [graffiti.reference, bikes.reference, noise.reference]


# --- closing needs a final update --------------------------------------------------------------


def test_closing_without_final_update_is_refused_with_a_clear_message(browser_page, officer_user):
    b, page = browser_page, browser_page.page
    case = new_online_report()
    reference = case.reference

    b.sign_in(officer_user)
    open_case(b, reference)
    press_case_button(b, reference, "Close case", suffix="close/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the case")
    expect(page.locator(".govuk-inset-text")).to_have_text("Before closing, record a final update to: Margaret Ellis.")

    group(page, "Why is the case closing?").get_by_label("No further action", exact=True).check()
    b.submit("Close case", expect_path=case_path(reference, "close/"))
    assert page.title().startswith("Error:"), page.title()
    summary = error_summary(page)
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role(
        "link", name="Record a final update to Margaret Ellis before closing the case", exact=True
    )
    expect(link).to_be_visible()
    # The choice made is kept.
    expect(group(page, "Why is the case closing?").get_by_label("No further action", exact=True)).to_be_checked()

    case.refresh_from_db()
    assert case.status == CaseStatus.NEW and case.closure_reason == "" and case.closed_at is None
    assert not TimelineEntry.objects.filter(case=case, kind=TimelineKind.STATUS).exists()

    # Cancel goes back to the case, still open with every action.
    b.click_to(page.get_by_role("link", name="Cancel", exact=True), expect_path=case_path(reference))
    expect(page.get_by_role("heading", level=1)).to_contain_text("New")
    expect(case_buttons(page).get_by_role("link", name="Close case", exact=True)).to_be_visible()
