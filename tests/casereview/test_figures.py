"""The Case Review's yearly figures, counted from seeded rows at a frozen instant: reporting years run 1 April to
31 March in London time (rows either side of midnight on 31 March, in summer time), a fixed number of queries for all
years, the public page and its CSV (formula-safe), and the manager dashboard's panel (the year's four numbers, stage
timeliness from the stored deadlines, the Case Review explained at second reports)."""

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casereview.figures import (
    csv_safe,
    dashboard_panel,
    stage_timeliness,
    year_of,
    yearly_figures,
)
from casereview.models import Application, Recommendation, ReviewMeeting, Route, Stage
from casereview.services.applications import ApplicationSubmission, application_acknowledge, application_submit
from cases.models import ContactPrompt, DeadlineKind

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 5, 10, 12, 0, tzinfo=LONDON)  # a Monday in the 2027 reporting year
_numbers = iter(range(1, 10_000))


def application(received_at, *, decided_at=None, threshold_met=None, proceeds=None) -> Application:
    return Application.objects.create(
        reference=f"CR-T-{next(_numbers)}", route=Route.ONLINE, received_at=received_at, applicant_name="A", preferred_contact_method="phone",
        phone="07700 900123", location="Bell Street", description="Noise", decided_at=decided_at, threshold_met=threshold_met, proceeds=proceeds)


def meeting(held_on, user, *, recommendations=0) -> ReviewMeeting:
    app = application(datetime.combine(held_on, datetime.min.time(), tzinfo=LONDON) - timedelta(days=30))
    held = ReviewMeeting.objects.create(application=app, held_on=held_on, chair_name="Chair", applicant_participation="attended",
                                        agency_summary="All agencies", action_plan="Plan", recorded_by=user)
    for i in range(recommendations):
        Recommendation.objects.create(application=app, text=f"Do {i}", due_on=held_on + timedelta(days=30), created_by=user)
    return held


def seed(user, *, scale=1):
    """Rows in three reporting years; `scale` repeats them (the query count must not change)."""
    for _ in range(scale):
        # 31 March 2027 23:30 BST is 22:30 UTC: still April 2026 to March 2027. 1 April 00:30 BST is 31 March 23:30 UTC:
        # already the 2027 year (a count by UTC date would put it in the wrong year).
        application(datetime(2027, 3, 31, 23, 30, tzinfo=LONDON))
        application(datetime(2027, 4, 1, 0, 30, tzinfo=LONDON))
        application(datetime(2026, 4, 1, 9, 0, tzinfo=LONDON))
        application(datetime(2025, 6, 1, 9, 0, tzinfo=LONDON))
        # Threshold not met and no review (counted by the decision's day); not met but a review held anyway
        # (s.104(5)) is not counted; met is not counted.
        application(datetime(2027, 3, 20, 9, 0, tzinfo=LONDON), decided_at=datetime(2027, 4, 1, 0, 15, tzinfo=LONDON),
                    threshold_met=False, proceeds=False)
        application(datetime(2027, 3, 1, 9, 0, tzinfo=LONDON), decided_at=datetime(2027, 3, 31, 23, 45, tzinfo=LONDON),
                    threshold_met=False, proceeds=False)
        application(datetime(2027, 3, 1, 9, 0, tzinfo=LONDON), decided_at=datetime(2027, 3, 15, tzinfo=LONDON),
                    threshold_met=False, proceeds=True)
        application(datetime(2027, 3, 1, 9, 0, tzinfo=LONDON), decided_at=datetime(2027, 3, 15, tzinfo=LONDON),
                    threshold_met=True, proceeds=True)
        # Reviews by the day held: one on 31 March with two recommendations, one on 1 April with none.
        meeting(date(2027, 3, 31), user, recommendations=2)
        meeting(date(2027, 4, 1), user)
        meeting(date(2027, 4, 20), user, recommendations=1)


def test_the_reporting_year_starts_on_1_april():
    assert year_of(date(2027, 3, 31)) == 2026
    assert year_of(date(2027, 4, 1)) == 2027
    assert year_of(date(2026, 1, 1)) == 2025


def test_the_yearly_figures_from_seeded_rows(officer_user):
    with time_machine.travel(NOW, tick=False):
        seed(officer_user)
        years = {f.year: f for f in yearly_figures()}
    assert [f.year for f in yearly_figures()] == sorted(years, reverse=True)  # newest first
    y2027, y2026, y2025 = years[2027], years[2026], years[2025]
    assert y2027.label == "April 2027 to March 2028"
    # Received from 1 April 2027: only the one at 00:30 BST (the meetings' applications came in during March).
    assert y2027.received == 1
    assert (y2027.not_met, y2027.reviews, y2027.with_recommendations) == (1, 2, 1)
    assert (y2026.not_met, y2026.reviews, y2026.with_recommendations) == (1, 1, 1)
    assert y2026.received == Application.objects.filter(received_at__gte=datetime(2026, 4, 1, tzinfo=LONDON),
                                                        received_at__lt=datetime(2027, 4, 1, tzinfo=LONDON)).count()
    assert y2026.received == 1 + 1 + 4 + 3  # 31 March, 1 April 2026, four decided ones, three meetings' applications
    assert (y2025.received, y2025.not_met, y2025.reviews) == (1, 0, 0)


def test_all_years_take_the_same_three_queries_whatever_the_data(officer_user):
    with time_machine.travel(NOW, tick=False):
        seed(officer_user)
        with CaptureQueriesContext(connection) as small:
            yearly_figures()
        seed(officer_user, scale=4)
        application(datetime(2020, 5, 1, tzinfo=LONDON))
        with CaptureQueriesContext(connection) as large:
            years = yearly_figures()
    assert len(small) == len(large) == 3
    assert {f.year for f in years} >= {2020, 2025, 2026, 2027}


def test_the_public_page_and_csv_show_every_year(client, officer_user):
    with time_machine.travel(NOW, tick=False):
        seed(officer_user)
        page = client.get("/case-review/figures/")
        response = client.get("/case-review/figures.csv")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("April 2027 to March 2028") < html.index("April 2026 to March 2027") < html.index("April 2025 to March 2026")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["reporting_year", "from", "to", "applications_received", "threshold_not_met", "reviews_carried_out",
                       "reviews_with_recommendations"]
    assert rows[1] == ["April 2027 to March 2028", "2027-04-01", "2028-03-31", "1", "1", "2", "1"]
    assert [r[0] for r in rows[1:]] == ["April 2027 to March 2028", "April 2026 to March 2027", "April 2025 to March 2026"]


def test_the_public_page_with_no_applications_says_so(client):
    assert "not received any applications" in client.get("/case-review/figures/").content.decode()


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("April 2026 to March 2027", "April 2026 to March 2027"), (3, "3"), (date(2027, 4, 1), "2027-04-01"),
])
def test_csv_cells_are_never_formulas(value, expected):
    assert csv_safe(value) == expected


# --- the dashboard panel --------------------------------------------------------------------------------------


def _submit(at, method):
    with time_machine.travel(at, tick=False):
        return application_submit(
            data=ApplicationSubmission(applicant_name="A", preferred_contact_method=method, email="a@example.com", phone="07700 900123",
                                       location="Bell Street", description="Noise"),
            route=Route.ONLINE, submission_key=uuid.uuid4())


def test_stage_timeliness_counts_the_stored_deadlines_due_and_met_on_time(officer_user):
    start = datetime(2027, 5, 3, 9, 0, tzinfo=LONDON)  # Monday 3 May 2027 is a bank holiday: counts start Tuesday
    by_email = _submit(start, "email")  # acknowledged at once
    by_phone = _submit(start, "phone")  # acknowledged late, on Friday 7 May (due Thursday 6 May)
    late_phone = _submit(start, "phone")  # never acknowledged
    with time_machine.travel(datetime(2027, 5, 7, 10, 0, tzinfo=LONDON), tick=False):
        application_acknowledge(application=by_phone, method="phone", actor=officer_user, version=by_phone.version)
    period = (datetime(2027, 5, 1, tzinfo=LONDON), datetime(2027, 5, 31, 23, 59, 59, tzinfo=LONDON))
    stages = {s.kind: s for s in stage_timeliness(*period, now=NOW)}
    ack = stages[DeadlineKind.CASE_REVIEW_ACKNOWLEDGE]
    assert (ack.due, ack.on_time, ack.percent) == (3, 1, 33.3)
    # Decisions are due 17 May, after "now" (10 May): not yet counted.
    assert stages[DeadlineKind.CASE_REVIEW_DECISION].due == 0
    with CaptureQueriesContext(connection) as queries:
        stage_timeliness(*period, now=NOW)
    assert len(queries) == 1
    assert by_email.stage == Stage.ACKNOWLEDGED and late_phone.acknowledged_at is None


def test_the_panel_counts_the_case_review_explained_at_second_reports():
    with time_machine.travel(NOW - timedelta(days=20), tick=False):
        submit_report(report_submission(incident_date=(NOW - timedelta(days=21)).date()))
    with time_machine.travel(NOW - timedelta(days=5), tick=False):
        second = submit_report(report_submission(incident_date=(NOW - timedelta(days=6)).date()))
    prompt = ContactPrompt.objects.get(topic="case_review")
    assert prompt.report_id == second.pk
    ContactPrompt.objects.filter(pk=prompt.pk).update(answer=True, answered_at=NOW - timedelta(days=4))
    panel = dashboard_panel(start_at=datetime(2027, 5, 1, tzinfo=LONDON), end_at=datetime(2027, 5, 31, 23, 59, tzinfo=LONDON), now=NOW)
    assert panel.explained == {"raised": 1, "explained": 1, "not_explained": 0, "not_asked": 0}
    assert panel.year.year == 2027


def test_the_manager_dashboard_shows_the_case_review_panel(client, manager_user, officer_user):
    with time_machine.travel(NOW, tick=False):
        seed(officer_user)
        client.force_login(manager_user)
        html = client.get("/dashboard/").content.decode()
    panel = html[html.index('id="case-review"'):]
    assert "April 2027 to March 2028" in panel
    assert "Reviews carried out" in panel and "Stages due in the period, and on time" in panel and "Not yet asked" in panel
