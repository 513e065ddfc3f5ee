"""The JAG figures page and its CSV (jag.views.figures): who may read them, the month filter (validated, 12 months by
default), the promise of one meeting a month in words, a formula-safe CSV, hostile input never a 500, a fixed number
of queries; and the panel on the manager dashboard."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jag.models import ActionStatus, AgendaItem, ItemKind, ItemOutcome, ItemSource, JagAction, MeetingStatus

from ..test_access_partners import ROLES, agencies, users  # noqa: F401 (fixtures)
from .factories import group_make, meeting_make

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
OK, LOGIN, NOT_FOUND = 200, "login", 404
EXPECTED = {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK, "police": NOT_FOUND,
            "police_lead": NOT_FOUND, "housing": NOT_FOUND}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data(users):  # noqa: F811
    officer = users["officer"]
    group = group_make(name="=HYPERLINK(\"http://x\")")
    held = meeting_make(group, date(2026, 2, 10), status=MeetingStatus.HELD)
    meeting_make(group, date(2026, 1, 13), status=MeetingStatus.CANCELLED)
    item = AgendaItem.objects.create(meeting=held, position=1, kind=ItemKind.THEME, theme="Bikes", source=ItemSource.ADDED,
                                     why="Why", outcome=ItemOutcome.CLOSE)
    JagAction.objects.create(meeting=held, item=item, text="Done on time", due_on=date(2026, 2, 20), status=ActionStatus.DONE,
                             completed_at=datetime(2026, 2, 19, 10, tzinfo=UTC), created_by=officer, created_at=NOW)
    JagAction.objects.create(meeting=held, item=item, text="Late", due_on=date(2026, 2, 21), created_by=officer,
                             created_at=NOW)
    return {"group": group, "held": held}


def _check(response, want):
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == want


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/jag/figures/", "/jag/figures.csv", "/jag/figures/?start=2025-01&end=2025-06"])
def test_every_url_for_every_role(client, users, role, url):  # noqa: F811
    if role != "anonymous":
        client.force_login(users[role])
    _check(client.get(url), EXPECTED[role])


@pytest.mark.django_db
def test_the_last_twelve_months_by_default_with_the_promise_in_words(client, users, data):  # noqa: F811
    client.force_login(users["manager"])
    page = client.get("/jag/figures/").content.decode()
    assert "from April 2025 to March 2026" in page
    assert page.count('<th scope="row" class="govuk-table__header">') == 13  # 12 months and the total
    assert "Met</strong>" in page and "Missed</strong> 0 held of 1 promised" in page
    assert "1 of 3" in page and "Met in 1 of 3 months" in page  # promised from the group's first meeting, January
    assert "1 (50%)" in page  # one of the two actions due in February done on time
    assert "/jag/figures.csv" in page


@pytest.mark.django_db
def test_a_chosen_range_and_group_and_a_safe_csv(client, users, data):  # noqa: F811
    client.force_login(users["manager"])
    query = f"?start=2026-01&end=2026-02&group={data['group'].pk}"
    page = client.get("/jag/figures/" + query).content.decode()
    assert "from January 2026 to February 2026" in page and page.count("Missed</strong>") == 1
    response = client.get("/jag/figures.csv" + query)
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    assert 'filename="jag-figures-2026-01-to-2026-02.csv"' in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("group,month,")
    assert lines[2].startswith("\"'=HYPERLINK") and ",2026-02,1,1,2,1,1,0" in lines[2]
    assert len(lines) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "error"), [
    ("?start=2026-13&end=2026-14", "Enter the first month as a year and month"),
    ("?start=2026-03&end=2026-01", "The last month must be the same as or after the first month"),
    ("?start=2010-01&end=2026-01", "Choose 60 months or fewer"),
    ("?group=99999", "Select a valid choice"),
])
def test_a_bad_filter_says_why_and_shows_the_default(client, users, query, error):  # noqa: F811
    client.force_login(users["manager"])
    response = client.get("/jag/figures/" + query)
    page = response.content.decode()
    assert response.status_code == 200 and error in page and "<title>Error:" in page and "govuk-error-summary" in page
    assert "from April 2025 to March 2026" in page
    assert client.get("/jag/figures.csv" + query).status_code == 200


@pytest.mark.django_db
def test_the_query_count_is_fixed_whatever_the_range_and_data(client, users, data):  # noqa: F811
    client.force_login(users["manager"])
    client.get("/jag/figures/")

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = count("/jag/figures/?start=2026-01&end=2026-02")
    for n in range(10):
        meeting_make(group_make(name=f"Group {n}"), date(2025, 6, 10) + timedelta(days=n), status=MeetingStatus.HELD)
    assert count("/jag/figures/?start=2021-04&end=2026-03") == small


MONTHS = st.one_of(st.text(max_size=12), st.sampled_from(["2026-02", "0000-00", "9999-99", "2026-2", " 2026-02 ", "2026-02\x00",
                                                          "-2026-01", "２０２６-０１", "1e9", "x" * 3000]))


@pytest.mark.django_db
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(start=MONTHS, end=MONTHS, group=st.one_of(st.text(max_size=25), st.integers().map(str),
                                                 st.sampled_from(["", "99999999999999999999", "\x00", "-1"])),
       extra=st.dictionaries(st.sampled_from(["start", "end", "group", "x"]), st.text(max_size=10), max_size=2))
def test_hostile_filters_never_make_a_server_error(client, users, start, end, group, extra):  # noqa: F811
    client.force_login(users["manager"])
    params = {"start": start, "end": end, "group": group, **extra}
    for url in ("/jag/figures/", "/jag/figures.csv"):
        # 400: the site's middleware refuses a NUL character in any request before the view.
        assert client.get(url, params).status_code in (200, 400)


@pytest.mark.django_db
def test_the_dashboard_shows_the_jag_panel(client, users, data):  # noqa: F811
    client.force_login(users["manager"])
    page = client.get("/dashboard/").content.decode()
    assert "Joint Action Group" in page and "April 2025 to March 2026" in page
    # The group's first meeting was in January 2026: three months promised (January to March), one kept.
    assert "1 of 3; the promise met in 1 of 3 months" in page and "1 of 2 (50%)" in page
    assert "/jag/figures/" in page and "/jag/figures.csv" in page
