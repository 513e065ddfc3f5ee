"""The case list's received-date filters are GOV.UK date inputs (day, month, year) with errors in the summary (issue 10)."""

from datetime import datetime

import pytest
import time_machine

from cases import sla

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


@pytest.fixture
def three_reports():
    """Reports received on 2, 10 and 20 November 2026 (London dates), seen from 15 December."""
    with time_machine.travel(london(2026, 12, 15, 12), tick=False):
        cases = [
            submit_report(report_submission(phone=f"07700 900{n:03d}", email=f"p{n}@example.com", incident_date=at.date()),
                          received_at=at).case
            for n, at in enumerate((london(2026, 11, 2, 0, 30), london(2026, 11, 10, 9), london(2026, 11, 20, 23, 30)))
        ]
        yield cases


def dates(prefix, day, month, year):
    return {f"{prefix}_0": day, f"{prefix}_1": month, f"{prefix}_2": year}


def test_received_from_and_to_take_day_month_year_and_include_both_ends(client, officer_user, three_reports):
    first, middle, last = three_reports
    client.force_login(officer_user)
    page = client.get("/staff/cases/", {**dates("received_from", "2", "11", "2026"), **dates("received_to", "10", "11", "2026")})
    html = page.content.decode()
    assert page.status_code == 200 and "There is a problem" not in html
    assert first.reference in html and middle.reference in html and last.reference not in html
    # The boxes keep what was typed, so the filtered list can be bookmarked and read back.
    assert 'name="received_from_0" value="2"' in html and 'name="received_to_2" value="2026"' in html


def test_the_filters_are_govuk_date_inputs_not_browser_date_pickers(client, officer_user):
    client.force_login(officer_user)
    html = client.get("/staff/cases/").content.decode()
    assert 'type="date"' not in html
    for name in ("received_from", "received_to"):
        assert f'id="id_{name}"' in html and f'name="{name}_0"' in html and f'name="{name}_1"' in html and f'name="{name}_2"' in html
    assert html.count('class="govuk-date-input"') == 2 and "<legend" in html


@pytest.mark.parametrize("typed, message", [
    (("31", "2", "2026"), "Received from must be a real date, like 27 3 2026"),
    (("99999999999999999999", "1", "2026"), "Received from must be a real date, like 27 3 2026"),
    (("1", "x", "2026"), "Received from must be a real date, like 27 3 2026"),
    (("1", "1", "9999"), "Enter a year between 1900 and 2100"),
    (("1", "", "2026"), "Received from must include a month"),
])
def test_an_impossible_or_unfinished_date_is_a_govuk_error_linked_to_the_day_box(client, officer_user, typed, message):
    client.force_login(officer_user)
    page = client.get("/staff/cases/", dates("received_from", *typed))
    html = page.content.decode()
    assert page.status_code == 200 and page.context["filter"].form.errors
    summary = html[html.index('class="govuk-error-summary"'):html.index("</ul>", html.index('class="govuk-error-summary"'))]
    assert "There is a problem" in summary and message in summary and 'href="#id_received_from_0"' in summary
    assert html.count(message) >= 2  # in the summary and beside the date
    assert "<title>Error:" in html


def test_received_to_before_received_from_is_an_error(client, officer_user, three_reports):
    client.force_login(officer_user)
    html = client.get("/staff/cases/", {**dates("received_from", "10", "11", "2026"),
                                        **dates("received_to", "2", "11", "2026")}).content.decode()
    assert "There is a problem" in html and "Received to must be the same as or after received from" in html
    assert 'href="#id_received_to_0"' in html
