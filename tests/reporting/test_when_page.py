"""The "When did it happen?" page: one radio size, and an error summary that reads in page order (issue 10)."""

import re

import pytest

from .helpers import answers, post_step, step_url, walk
from .test_phone_report import URL as PHONE_URL

pytestmark = pytest.mark.django_db


def summary_messages(page: str) -> list[str]:
    summary = page[page.index("govuk-error-summary__list"):]
    summary = summary[: summary.index("</ul>")]
    return re.findall(r'<a href="#[^"]+">([^<]+)</a>', summary)


def test_error_summary_lists_the_when_errors_in_the_order_the_page_asks(client):
    walk(client, answers(), until="when")
    page = post_step(client, "when", {"when-is_ongoing": "yes", "when-incident_time": "half nine"}).content.decode()
    asked = [m.start() for m in (re.search(r"If it keeps happening, how often\?", page), re.search(r"Date it happened", page),
                                  re.search(r"Time \(optional\)", page))]
    assert asked == sorted(asked)  # the page: how often, then the date, then the time
    assert summary_messages(page) == [
        "Select how often it happens", "Enter the date it happened", "Enter a time like 21:30 or 9:30pm",
    ]


def test_when_page_radios_are_one_size(client):
    walk(client, answers(), until="when")
    page = client.get(step_url("when")).content.decode()
    assert page.count('class="govuk-radios"') == 2 and "govuk-radios--small" not in page


def test_phone_report_when_radios_are_one_size(client, call_centre_user):
    client.force_login(call_centre_user)
    page = client.get(PHONE_URL).content.decode()
    section = page[page.index('name="when-is_ongoing"') - 600: page.index("when-incident_date")]
    assert section.count("govuk-radios govuk-radios--small") == 2
