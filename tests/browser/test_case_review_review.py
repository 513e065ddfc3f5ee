"""The review in Chromium, axe-checked on every page: the manager decides the threshold is met (shown from the linked
case's reports); the officer records the meeting with a recommendation for the police and sends the outcome; a police
partner user signs in with their code, sees the recommendation (never the applicant's name) and reports progress."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casereview.models import Recommendation, RecommendationStatus, Stage
from notifications.models import Message

from ..accounts.helpers import current_code, totp_device_for
from ..casereview.factories import APPLICANT_NAME, application_make, fresh
from ..cases.factories import report_submission, submit_report
from ..partners.helpers import POLICE, agency, agreement, partner

pytestmark = pytest.mark.browser


def fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def yes(page, legend):
    page.get_by_role("group", name=legend).get_by_label("Yes", exact=True).check()


def test_decide_meet_recommend_send_and_the_police_report_progress(browser_page, manager_user, officer_user):
    b, page = browser_page, browser_page.page
    police = agency(POLICE)
    agreement(police)
    officer_user.first_name, officer_user.last_name = "Olivia", "Officer"
    officer_user.save()
    now = timezone.now()
    reports = [submit_report(report_submission(incident_date=(now - timedelta(days=d)).date()), received_at=now - timedelta(days=d))
               for d in (40, 20, 5)]
    application = application_make(case=reports[0].case, spoc=officer_user, received_at=now - timedelta(hours=1))
    detail = f"/staff/case-review/{application.reference}/"

    # The manager decides, seeing the rule met and the reports that met it.
    b.sign_in(manager_user)
    b.visit(detail)
    b.click_to(page.get_by_role("link", name="Decide whether the threshold is met"), expect_path=detail + "decision/")
    expect(page.get_by_text("3 separate incidents reported by one person within 6 months")).to_be_visible()
    expect(page.get_by_role("table", name="The qualifying reports").get_by_role("row")).to_have_count(4)
    b.submit("Record the decision")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether the threshold is met")
    yes(page, "Is the threshold met?")
    yes(page, "Will a review be held?")
    page.get_by_label("Reasons for the decision").fill("Three separate incidents reported by the victim in six months.")
    b.submit("Record the decision", expect_path=detail)
    expect(page.get_by_text("A review will be held", exact=True)).to_be_visible()

    # The officer records the meeting, a recommendation for the police, and sends the outcome.
    page.context.clear_cookies()
    b.sign_in(officer_user)
    b.visit(detail)
    b.click_to(page.get_by_role("link", name="Record the review meeting"), expect_path=detail + "meeting/")
    fill_date(page, "Date of the meeting", timezone.localdate())
    page.get_by_label("Who chaired it?").fill("Dr Harriet Oduya")
    yes(page, "Was the chair independent?")
    page.get_by_label(POLICE).check()
    page.get_by_label("Attended the meeting").check()
    page.get_by_label("What every agency did about the problem").fill("The council sent two warning letters; the police visited twice.")
    page.get_by_label("The action plan").fill("Noise monitoring for four weeks and a joint visit.")
    yes(page, "Was the victim consulted on the action plan?")
    b.submit("Save the meeting", expect_path=detail)
    expect(page.get_by_text("Dr Harriet Oduya (independent)")).to_be_visible()

    b.click_to(page.get_by_role("link", name="Add a recommendation"), expect_path=detail + "recommendations/add/")
    page.get_by_label("Recommendation", exact=True).fill("Patrol the close on Friday and Saturday nights for a month")
    page.get_by_role("group", name="Who owns it?").get_by_label(POLICE).check()
    fill_date(page, "Due date", timezone.localdate() + timedelta(days=30))
    b.submit("Add the recommendation", expect_path=detail)
    expect(page.get_by_role("cell", name="Patrol the close on Friday and Saturday nights for a month")).to_be_visible()

    b.click_to(page.get_by_role("link", name="Send the outcome"), expect_path=detail + "outcome/")
    letter = page.get_by_label("The outcome letter")
    expect(letter).to_contain_text("Patrol the close on Friday and Saturday nights for a month")
    expect(letter).to_contain_text("Olivia Officer")
    b.submit("Send the outcome", expect_path=detail)
    expect(page.get_by_text("Read the outcome letter")).to_be_visible()
    assert fresh(application).stage == Stage.OUTCOME_SENT
    assert Message.objects.filter(key=f"cr-outcome:{application.pk}", body__contains="Patrol the close").exists()

    # The police user sees the recommendation, not the applicant, and reports progress.
    page.context.clear_cookies()
    police_user = partner("pc-case-review", police, first_name="Pat", last_name="Constable")
    device = totp_device_for(police_user)
    b.sign_in(police_user)
    page.get_by_label("Code", exact=True).fill(current_code(device))
    b.submit("Continue", expect_path="/partners/")
    b.click_to(page.get_by_role("link", name="Recommendations", exact=True), expect_path="/partners/recommendations/")
    expect(page.get_by_text("Patrol the close on Friday and Saturday nights for a month")).to_be_visible()
    assert APPLICANT_NAME not in page.content()
    rec = Recommendation.objects.get()
    b.click_to(page.get_by_role("link", name=application.reference),
               expect_path=f"/partners/recommendations/{rec.pk}/")
    assert APPLICANT_NAME not in page.content()
    page.get_by_label("In progress").check()
    page.get_by_label("Progress", exact=True).fill("Patrols on the first two Fridays; nothing seen so far.")
    b.submit("Save progress", expect_path=f"/partners/recommendations/{rec.pk}/")
    expect(page.get_by_text("Progress saved")).to_be_visible()
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.IN_PROGRESS and rec.progress.startswith("Patrols on the first two Fridays")
