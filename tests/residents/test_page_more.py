"""The resident's page lists the newest 20 things and offers older ones: a case with years of updates costs what a new
one does (the same queries, a bounded page)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import ResidentLink, Visibility
from cases.services import note_add

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def case_with_notes(n, officer):
    report = submit_report(report_submission(incident_date=(NOW - timedelta(days=61)).date()), received_at=NOW - timedelta(days=60))
    for i in range(n):
        note_add(case=report.case, actor=officer, visibility=Visibility.RESIDENT, text=f"Shared note number {i:03d}",
                 occurred_at=NOW - timedelta(days=50) + timedelta(hours=i))
    return ResidentLink.objects.get(party=report.reporter)


def path(link):
    from cases.services.resident_links import link_path

    return link_path(link)


def test_the_newest_twenty_then_older_on_request(client, officer_user):
    with time_machine.travel(NOW, tick=False):
        link = case_with_notes(30, officer_user)
        page = client.get(path(link)).content.decode()
        assert "Shared note number 029" in page and "Shared note number 010" in page
        assert "Shared note number 009" not in page and "You reported the problem" not in page
        assert "Show older entries" in page and "?show=40" in page
        everything = client.get(path(link), {"show": "40"}).content.decode()
        assert all(f"Shared note number {i:03d}" in everything for i in range(30))
        assert "You reported the problem" in everything and "Show older entries" not in everything


@pytest.mark.parametrize("show", ["-5", "abc", "9" * 5000, "100000"])
def test_a_hostile_show_value_is_bounded(client, officer_user, show):
    with time_machine.travel(NOW, tick=False):
        link = case_with_notes(2, officer_user)
        response = client.get(path(link), {"show": show})
    assert response.status_code == 200 and "Shared note number 001" in response.content.decode()


def test_the_page_costs_the_same_for_a_long_case(client, officer_user):
    with time_machine.travel(NOW, tick=False):
        short, long = case_with_notes(1, officer_user), case_with_notes(60, officer_user)
        client.get(path(short)), client.get(path(long))  # each first opening records when (one UPDATE a minute)
        counts = []
        for link in (short, long):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path(link)).status_code == 200
            counts.append(len(captured))
    assert counts[0] == counts[1], counts
