"""The person register in a browser, axe-checked: an officer opens a case with a possible match, confirms it, opens the
person's page and sees both cases and the repeat-victim flag; then the hotspot list and a place's page."""

import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Channel, PartyRole, PossibleMatch
from cases.services import case_assign, report_submit

from ..cases.factories import report_submission
from .test_staff import section

NAME = "Margaret Hollingsworth"


def _report(officer, *, days_ago, **details):
    received = timezone.now() - timedelta(days=days_ago)
    report = report_submit(
        data=report_submission(full_name=NAME, incident_date=timezone.localdate(received), address="14 Bell Street",
                               postcode="LE18 1AA", description=f"Music again {uuid.uuid4().hex[:6]}", **details),
        channel=Channel.ONLINE, submission_key=uuid.uuid4(), received_at=received,
    )
    case_assign(case=report.case, officer=officer, actor=officer)
    return report.case


def test_officer_confirms_a_match_and_sees_the_repeat_victim(browser_page, officer_user):
    b, page = browser_page, browser_page.page
    known = dict(phone="07700 900123", email="margaret@example.com", reporter_address="75 Elm Road", reporter_postcode="LE18 1AA")
    first = _report(officer_user, days_ago=60, **known)
    second = _report(officer_user, days_ago=30, **known)
    # The same name, but a new phone and email and no address: a weak match, for the officer to decide.
    third = _report(officer_user, days_ago=1, phone="07700 900555", email="m.h@example.net")
    match = PossibleMatch.objects.get(party__case=third)
    margaret = first.parties.get(role=PartyRole.VICTIM).person
    assert second.parties.get(role=PartyRole.VICTIM).person == margaret

    b.sign_in(officer_user)
    b.visit(f"/staff/cases/{third.reference}/")
    b.click_to(page.get_by_role("link", name="Possible match: check"),
               expect_path=f"/staff/cases/{third.reference}/matches/{match.pk}/")
    expect(page.get_by_text(f"Is this the same {NAME}, 75 Elm Road?")).to_be_visible()
    b.submit("Save")  # nothing chosen: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether this is the same person")
    page.get_by_label("Yes, the same person").check()
    b.submit("Save", expect_path=f"/staff/cases/{third.reference}/")
    expect(page.get_by_text("Possible match: check")).to_have_count(0)
    expect(page.get_by_role("region", name="People involved")).to_contain_text("Repeat victim")

    b.click_to(page.get_by_role("link", name=f"Person's page for {NAME}"), expect_path=f"/staff/people/{margaret.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    cases = page.get_by_role("region", name="Cases")
    for case in (first, second, third):
        expect(cases).to_contain_text(case.reference)
    expect(page.get_by_text("3 cases as a victim or complainant in the last 12 months")).to_be_visible()

    b.click_to(page.get_by_role("link", name="Places"), expect_path="/staff/places/")
    expect(page.get_by_role("region", name="Hotspots")).to_contain_text("14 Bell Street")
    page.get_by_label("Last 3 months").check()
    b.submit("Show")
    row = page.get_by_role("row", name="14 Bell Street")
    expect(row).to_contain_text("3")
    b.click_to(page.get_by_role("link", name="14 Bell Street"))
    expect(page.get_by_role("heading", level=1)).to_have_text("14 Bell Street")
    region = page.get_by_role("region", name="Cases at this place")
    for case in (first, second, third):
        expect(region).to_contain_text(case.reference)


def test_officer_flags_merges_and_undoes_and_sees_the_prompt_on_a_phone_call(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    known = dict(phone="07700 900123", email="margaret@example.com", reporter_address="75 Elm Road", reporter_postcode="LE18 1AA")
    first = _report(officer_user, days_ago=20, **known)
    other_case = _report(officer_user, days_ago=3, phone="07700 900555", email="m.h@example.net")
    margaret = first.parties.get(role=PartyRole.VICTIM).person
    other = other_case.parties.get(role=PartyRole.VICTIM).person
    assert other != margaret

    b.sign_in(officer_user)
    b.visit(f"/staff/people/{margaret.pk}/")
    b.click_to(page.get_by_role("link", name="Mark as vulnerable"))
    page.get_by_label("Yes").check()
    b.submit("Save")  # no reason: an error
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why this person is vulnerable")
    page.get_by_label("Why (optional)").fill("Lives alone, hearing loss")
    b.submit("Save", expect_path=f"/staff/people/{margaret.pk}/")
    expect(page.get_by_text("Lives alone, hearing loss").first).to_be_visible()

    b.click_to(page.get_by_role("link", name="Merge with another record"))
    page.get_by_label(NAME).check()
    page.get_by_label("Why are they the same person?").fill("Same name, she confirmed her new number by phone")
    b.submit("Continue")
    expect(page.get_by_role("heading", name="Are these the same person?")).to_be_visible()
    b.submit("Merge the records", expect_path=f"/staff/people/{margaret.pk}/")
    expect(page.get_by_role("region", name="Cases")).to_contain_text(other_case.reference)
    b.click_to(page.get_by_role("link", name=f"Undo the merge of record {other.pk}"))
    b.submit("Undo the merge", expect_path=f"/staff/people/{margaret.pk}/")
    expect(page.get_by_role("region", name="Cases")).not_to_contain_text(other_case.reference)

    # A call from a Margaret Hollingsworth on a new number: the officer is asked whether she is the register's Margaret.
    b.visit("/staff/phone-report/")
    _fill_phone_report(page)
    b.submit("Check history and save", expect_path="/staff/phone-report/")
    prompt = page.get_by_role("region", name="Already in the register")
    expect(prompt).to_contain_text(f"Is this the same {NAME}, 75 Elm Road?")
    expect(prompt).to_contain_text("Vulnerable")
    page.context.clear_cookies()

    b.sign_in(manager_user)
    b.visit("/staff/repeat-rules/")
    page.get_by_label("Victim: number of cases").fill("1")
    b.submit("Save the rules")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Victim: number of cases must be a whole number from 2 to 20")
    page.get_by_label("Victim: number of cases").fill("2")
    b.submit("Save the rules", expect_path="/staff/repeat-rules/")
    expect(page.get_by_label("Victim: number of cases")).to_have_value("2")


def _fill_phone_report(page):
    section(page, "Does the caller want to give their details?").get_by_label("Yes, give their details", exact=True).check()
    page.get_by_label("Full name", exact=True).fill(NAME)
    page.get_by_label("Phone number (optional)", exact=True).fill("07700 900999")
    section(page, "Which of these describes the caller best?").get_by_label("Resident: council tenant", exact=True).check()
    section(page, "How would the caller like us to contact them?").get_by_label("Phone call", exact=True).check()
    section(page, "What is happening?").get_by_label("Noise", exact=True).check()
    page.get_by_label("Address or street name (optional)", exact=True).fill("9 Far Street")
    section(page, "Is it still happening?").get_by_label("Yes, it keeps happening", exact=True).check()
    day = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    section(page, "If it keeps happening, how often?").get_by_label("Every day or most days", exact=True).check()
    page.get_by_label("Describe what happened", exact=True).fill("Shouting in the street at night")
    section(page, "Does the caller know who is responsible?").get_by_label("The caller does not know who is responsible", exact=True).check()
    section(page, "How is the caller involved?").get_by_label("It is happening to them (victim)", exact=True).check()
    section(page, "Does the caller think it was motivated by hate?").get_by_label("No", exact=True).check()
    section(page, "Can we share the caller's details with partner agencies?").get_by_label("Yes", exact=True).check()
