"""Satisfaction surveys in Chromium: a resident answers by the emailed link; staff enter a survey taken
by phone and a manager reads the results and records "you said, we did"; axe-core on every page."""

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import ClosureReason, ContactMethod, Direction
from cases.services import case_assign, case_close, contact_record
from notifications.models import Message, MessageChannel
from surveys.models import Invitation, Purpose, Response, SurveyChannel
from surveys.services import surveys_sweep

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.browser

OVERALL = "Overall, how satisfied are you with how we handled your report?"
AGREE_QUESTIONS = (
    "We treated you fairly and with respect",
    "We listened to you",
    "We kept you up to date",
    "We contacted you quickly after your report",
    "Our staff were polite and knew what they were doing",
)
MAY_CONTACT = "May we contact you about your answers?"
COMMENTS = "What could we do better? (optional)"


# --- arranging with the ORM ------------------------------------------------------------------


def closed_case(officer, **overrides):
    """Margaret Ellis (victim) reported noise online; the officer took the case, called her, gave the
    final update in that call and closed the case as resolved."""
    values = dict(
        email="margaret@example.com",
        phone="07700 900123",
        preferred_contact_method="email",
        incident_date=timezone.localdate(),
    )
    values.update(overrides)
    report = submit_report(report_submission(**values))
    case, victim = report.case, report.reporter
    case_assign(case=case, officer=officer, actor=officer)
    contact_record(
        case=case,
        party=victim,
        method=ContactMethod.PHONE,
        direction=Direction.OUT,
        successful=True,
        summary="Told Mrs Ellis the music has stopped and the case is closing",
        occurred_at=timezone.now(),
        gave_update=True,
        final_update=True,
        actor=officer,
    )
    case.refresh_from_db()
    case = case_close(case=case, reason=ClosureReason.RESOLVED, actor=officer)
    return case, victim


# --- finding things on the page --------------------------------------------------------------


def group(page, legend):
    return page.get_by_role("group", name=legend, exact=True)


def error_summary(page):
    return page.locator(".govuk-error-summary")


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def answer_survey(page, *, overall, agree, comment, may_contact):
    group(page, OVERALL).get_by_label(overall, exact=True).check()
    for legend in AGREE_QUESTIONS:
        group(page, legend).get_by_label(agree, exact=True).check()
    page.get_by_label(COMMENTS, exact=True).fill(comment)
    group(page, MAY_CONTACT).get_by_label(may_contact, exact=True).check()


def visit_link_problem(b, path):
    """A survey link that no longer works answers 410 Gone: load it and axe-check it (visit() wants 2xx)."""
    response = b.page.goto(path)
    assert response is not None and response.status == 410, f"GET {path} answered {response and response.status}"
    b.check_axe()
    expect(b.page.get_by_role("heading", level=1)).to_have_text("This survey link does not work")
    expect(b.page).to_have_title(re.compile(r"^This survey link does not work – "))
    expect(b.page.get_by_role("main")).to_contain_text("Nothing has been recorded.")


def tampered(path):
    """The survey path with one character of the token's signature changed."""
    token = path.removeprefix("/survey/").removesuffix("/")
    last = token[-1]
    token = token[:-1] + ("A" if last != "A" else "B")
    return f"/survey/{token}/"


# --- the journeys ----------------------------------------------------------------------------


def test_resident_answers_the_survey_from_the_emailed_link(browser_page, officer_user):
    b, page = browser_page, browser_page.page
    case, victim = closed_case(officer_user, preferred_contact_method="email")

    # The sweep invites her by email, once, with a link to the survey.
    assert surveys_sweep().invited == 1
    invitation = Invitation.objects.get()
    assert (invitation.case, invitation.party, invitation.purpose, invitation.channel) == (
        case,
        victim,
        Purpose.CLOSURE,
        SurveyChannel.EMAIL,
    )
    emails = Message.objects.filter(key__startswith="survey-invite:")
    assert emails.count() == 1
    email = emails.get()
    assert (email.channel, email.to) == (MessageChannel.EMAIL, "margaret@example.com")
    assert case.reference in email.subject
    site = settings.SITE_URL.rstrip("/")
    links = [line.strip() for line in email.body.splitlines() if line.strip().startswith(site + "/survey/")]
    assert len(links) == 1, email.body
    path = links[0].removeprefix(site)
    assert surveys_sweep().invited == 0  # a second sweep asks nobody again

    # 1. The survey, from the link.
    b.visit(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how we did")
    expect(page.get_by_text(f"Your report {case.reference}")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Tell us how we did – "))

    # 2. Sent with nothing answered: the error summary, and "Error:" in the title.
    b.submit("Send your answers", expect_path=path)
    # Checked at the end, so a wrong title does not hide the rest of the journey.
    error_title = page.title()
    summary = error_summary(page)
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Select how satisfied you are overall", exact=True)).to_be_visible()
    expect(summary).to_contain_text("Select whether we may contact you about your answers")
    expect(group(page, OVERALL)).to_contain_text("Select how satisfied you are overall")
    assert Response.objects.count() == 0

    # 3. Answered: the thank-you page.
    answer_survey(
        page, overall="Satisfied", agree="Agree", comment="Tell us sooner what is happening", may_contact="No"
    )
    b.submit("Send your answers", expect_path="/survey/thanks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page).to_have_title(re.compile(r"^Thank you – "))
    response = Response.objects.get()
    assert (response.overall, response.treated_fairly, response.staff_polite) == (4, 4, 4)
    assert response.comments == "Tell us sooner what is happening"
    assert response.may_contact is False and response.taken_by_phone is False
    assert response.officer == officer_user and response.report_channel == "online"
    invitation.refresh_from_db()
    assert invitation.responded_at is not None

    # 4. The same link again: already answered, nothing more recorded.
    response = page.goto(path)
    assert response is not None and response.status == 410
    b.check_axe()
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey already answered")
    expect(page.get_by_role("main")).to_contain_text("You have already answered this survey. Thank you.")
    expect(page.get_by_role("main")).not_to_contain_text("Nothing has been recorded")
    assert Response.objects.count() == 1

    # 5. A link with one character changed: not valid.
    visit_link_problem(b, tampered(path))
    expect(page.get_by_role("main")).to_contain_text("This survey link is not valid")
    assert Response.objects.count() == 1

    # The page with errors says so once at the start of its title (GOV.UK pattern), not "Error: Error: ".
    assert re.match(r"^Error: Tell us how we did – ", error_title), error_title


def test_staff_enter_a_survey_taken_by_phone(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    case, victim = closed_case(officer_user, preferred_contact_method="phone")
    assert surveys_sweep().invited == 1
    invitation = Invitation.objects.get()
    assert invitation.channel == SurveyChannel.PHONE
    assert not Message.objects.filter(key__startswith="survey-").exists()  # a call, not a message

    # 1. The officer finds Mrs Ellis on the phone list.
    b.sign_in(officer_user, next_path="/staff/surveys/phone/")
    expect(page).to_have_url(b.base_url + "/staff/surveys/phone/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys to do by phone")
    table = page.get_by_role("table", name="Surveys to do by phone")
    row = table.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(case.reference)
    expect(row).to_contain_text("Margaret Ellis")
    expect(row).to_contain_text("07700 900123")

    # 2. Enter her answers.
    enter_path = f"/staff/surveys/phone/{invitation.pk}/"
    b.click_to(row.get_by_role("link", name="Enter answers from Margaret Ellis", exact=True), expect_path=enter_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey by phone: Margaret Ellis")
    answer_survey(
        page,
        overall="Very satisfied",
        agree="Strongly agree",
        comment="The officer could call back in the evening",
        may_contact="Yes",
    )
    b.submit("Save answers", expect_path="/staff/surveys/phone/")
    expect(success_banner(page)).to_contain_text("Survey answers from Margaret Ellis saved")
    expect(page.get_by_role("table", name="Surveys to do by phone")).to_have_count(0)
    expect(page.get_by_text("No surveys are waiting.")).to_be_visible()
    response = Response.objects.get()
    assert response.taken_by_phone and response.entered_by == officer_user
    assert (response.overall, response.listened_to, response.may_contact) == (5, 5, True)

    # 3. The manager reads the results.
    b.submit("Sign out", expect_path="/staff/login/")
    b.sign_in(manager_user, next_path="/staff/surveys/")
    expect(page).to_have_url(b.base_url + "/staff/surveys/")
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer satisfaction")
    overall = main.locator("p").filter(has_text="satisfied or very satisfied overall")
    expect(overall).to_contain_text("100.0%")
    expect(overall).to_contain_text("(1 of 1 responses)")
    expect(overall.locator(".govuk-tag")).to_have_text("Met")
    answered = main.locator("p").filter(has_text="you said, we did")
    expect(answered).to_contain_text("0.0%")
    expect(answered).to_contain_text("(0 of 1)")
    card = main.locator(".govuk-summary-card").filter(has_text=case.reference)
    expect(card).to_contain_text("“The officer could call back in the evening”")
    expect(card).to_contain_text("(happy to be contacted)")
    expect(card).to_contain_text("Nothing recorded yet.")

    # 4. You said, we did.
    b.click_to(
        card.get_by_role("link", name="Record what we did about this comment", exact=True),
        expect_path=f"/staff/surveys/comments/{response.pk}/",
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("You said, we did")
    page.get_by_label("What we did", exact=True).fill("Officers now offer evening call-backs")
    b.submit("Save", expect_path="/staff/surveys/")
    expect(success_banner(page)).to_contain_text("What was done has been recorded")
    answered = page.get_by_role("main").locator("p").filter(has_text="you said, we did")
    expect(answered).to_contain_text("100.0%")
    expect(answered).to_contain_text("(1 of 1)")
    card = page.get_by_role("main").locator(".govuk-summary-card").filter(has_text=case.reference)
    expect(card).to_contain_text("We did: Officers now offer evening call-backs")
