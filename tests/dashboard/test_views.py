"""The dashboard page and its exports through Django's request stack."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db


def test_only_managers_see_the_dashboard(client, role_users):
    assert client.get("/dashboard/").status_code == 302
    for role, expected in (("call_centre", 404), ("officer", 404), ("manager", 200)):
        client.force_login(role_users[role])
        assert client.get("/dashboard/").status_code == expected, role
        assert client.get("/dashboard/export/reports.csv").status_code == expected, role


def test_the_dashboard_answers_with_a_fixed_number_of_queries(client, manager_user):
    client.force_login(manager_user)
    client.get("/dashboard/?period=12m")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/?period=12m").status_code == 200
        return len(captured)

    before = count()
    for n in range(20):
        submit_report(report_submission(phone=f"07700 9{n:05d}", email=f"p{n}@example.com"))
    # 25, plus the JAG panel (issue 14): jag.figures.last_twelve_months, four aggregates whatever the data size.
    assert count() == before <= 29, before


def test_the_page_shows_figures_targets_and_accessible_trends(client, manager_user):
    submit_report(report_submission())
    client.force_login(manager_user)
    page = client.get("/dashboard/?period=12m").content.decode()
    assert "Are we meeting the standard?" in page
    assert "Reports received" in page and "online 1, phone 0" in page
    assert "First contact within 3 working days" in page and "Target: 97%" in page and "Officer workload" in page
    assert '<svg role="img"' in page and "Month by month" in page  # chart with a data table


def test_bad_custom_dates_are_refused_with_an_error_summary(client, manager_user):
    client.force_login(manager_user)
    page = client.get("/dashboard/", {"period": "custom", "start_0": "1", "start_1": "2", "start_2": "2026",
                                      "end_0": "1", "end_1": "1", "end_2": "2026"}).content.decode()
    assert "There is a problem" in page and "The end date must be on or after the start date" in page


def test_csv_export_streams_the_rows_with_the_filters_in_its_name(client, manager_user):
    for n in range(3):
        submit_report(report_submission(phone=f"07700 9{n:05d}", email=f"p{n}@example.com"))
    client.force_login(manager_user)
    response = client.get("/dashboard/export/reports.csv", {"period": "12m", "channel": "online"})
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="asb-reports-') and "channel-online" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["reference", "received_at", "channel", "category", "officer"] and len(rows) == 4
    assert client.get("/dashboard/export/nonsense.csv").status_code == 404
