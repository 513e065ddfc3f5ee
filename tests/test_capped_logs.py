"""The logs that grow without bound (the access log, the sign-in log, a partner agency's access log) count at most
CAP + 1 rows: an exact count up to the cap, "More than …" beyond it, pages no deeper than the cap, any ?page= is a page.
The cap and the page size are made small here (5 rows, 2 a page) so a few rows cross them."""

import importlib
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import SignInEvent, SignInKind
from cases.models import AccessEvent
from cases.services.access_log import access_record

from .partners.helpers import POLICE, agency, agreement, partner

pytestmark = pytest.mark.django_db

AN_INSTANT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
HOSTILE_PAGES = ["0", "-1", "abc", "1e3", "2.5", "99999999999", "１", "' OR 1=1 --", "%00", ""]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(AN_INSTANT, tick=False):
        yield


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr("cases.paging.CAP", 5)
    monkeypatch.setattr("cases.views.sharing.LOG_PER_PAGE", 2)
    # accounts.views re-exports the view `security`, which hides the module of that name from a dotted path.
    monkeypatch.setattr(importlib.import_module("accounts.views.security"), "EVENTS_PER_PAGE", 2)
    monkeypatch.setattr("partners.views.LOG_PER_PAGE", 2)


@pytest.fixture
def police():
    police = agency(POLICE)
    agreement(police)
    return police


def _access_rows(user, n):
    """n access log rows by `user`, oldest first, each named "row NN" in its detail."""
    for i in range(1, n + 1):
        access_record(user=user, event=AccessEvent.CASE_VIEW, detail=f"row {i:02d}")


def _sign_in_rows(n, username="officer"):
    for i in range(1, n + 1):
        SignInEvent.objects.create(username=username, kind=SignInKind.FAILED, detail=f"row {i:02d}")


def _rows_on(html):
    return re.findall(r"row (\d\d)", html)


def _status(html):
    return re.search(r'role="status">(.*?)</p>', html, re.S).group(1).strip()


# Each page: its URL, who reads it, how rows are made, the filter that narrows it.
PAGES = {
    "staff access log": ("/staff/access-log/", {"username": "pc"}),
    "sign-in log": ("/staff/security/", {"username": "officer"}),
    "partner access log": ("/partners/access-log/", None),
}


@pytest.fixture
def log(request, client, manager_user, police):
    """(url, filter, make(n)) for the page named by the test's parameter, with the reader signed in."""
    url, filters = PAGES[request.param]
    constable = partner("pc", police)
    if request.param == "sign-in log":
        make = _sign_in_rows
    else:
        def make(n):
            _access_rows(constable, n)
    if request.param == "partner access log":
        client.force_login(partner("lead", police, lead=True))
        filters = {"user": constable.pk}
    else:
        client.force_login(manager_user)
    return url, filters, make


def _get(client, url, data=None):
    response = client.get(url, data or {})
    assert response.status_code == 200, (url, data)
    return response.content.decode()


@pytest.mark.parametrize("log", list(PAGES), indirect=True)
def test_a_short_log_says_exactly_how_many(client, log, small_cap):
    url, filters, make = log  # filtered: signing the reader in writes a sign-in event of theirs
    make(1)
    assert _status(_get(client, url, filters)) == ("1 entry" if "access" in url else "1 sign-in event")
    make(2)
    html = _get(client, url, filters)
    assert _status(html) == ("3 entries, page 1 of 2" if "access" in url else "3 sign-in events, page 1 of 2")
    assert _rows_on(html) == ["02", "01"]  # newest first (the first two rows are equal in time: id breaks the tie)
    assert "More than" not in html and "Only the first" not in html


@pytest.mark.parametrize("log", list(PAGES), indirect=True)
def test_a_log_past_the_cap_says_more_than_and_pages_to_the_cap(client, log, small_cap):
    url, _, make = log
    make(7)
    noun = "entries" if "access" in url else "sign-in events"
    first = _get(client, url)
    assert _status(first) == f"More than 5 {noun}, page 1 of 3"
    assert _rows_on(first) == ["07", "06"] and 'aria-label="Page 3"' in first and 'rel="next"' in first
    assert "Only the first" not in first
    second = _get(client, url, {"page": "2"})
    assert _rows_on(second) == ["05", "04"] and _status(second) == f"More than 5 {noun}, page 2 of 3"
    last = _get(client, url, {"page": "3"})
    assert _rows_on(last) == ["03", "02"] and 'rel="next"' not in last
    assert f"Only the first 5 {noun} are shown in pages" in last
    # Deeper than the cap is the last page we show, not row 01.
    assert _rows_on(_get(client, url, {"page": "4"})) == ["03", "02"]


@pytest.mark.parametrize("log", list(PAGES), indirect=True)
def test_the_pages_keep_the_filter(client, log, small_cap):
    url, filters, make = log
    make(3)
    html = _get(client, url, filters)
    key, value = next(iter(filters.items()))
    assert f"?{key}={value}&amp;page=2" in html and _rows_on(html) == ["03", "02"]
    assert _rows_on(_get(client, url, {**filters, "page": "2"})) == ["01"]


@pytest.mark.parametrize("log", list(PAGES), indirect=True)
def test_any_page_value_is_a_page(client, log, small_cap):
    url, _, make = log
    make(7)
    for value in HOSTILE_PAGES:
        html = _get(client, url, {"page": value})
        assert _rows_on(html) in (["07", "06"], ["03", "02"]), value  # page 1, or the last page for a huge number


@pytest.mark.parametrize("log", list(PAGES), indirect=True)
def test_the_count_stops_at_the_cap(client, log, small_cap):
    """No statement counts the whole log: every COUNT is over a LIMITed subquery (Django's Paginator counted all)."""
    url, _, make = log
    make(7)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 6" in sql for sql in counts), counts
