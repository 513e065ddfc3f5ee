"""Issue 16: the case list counts at most CAP + 1 cases, pages stay within what it counted, and a search applies the
other filters inside its indexed branches with exactly the same result as plain filters."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Q, Value

from cases import paging
from cases.models import Case, CaseStatus, RiskLevel
from cases.roles import GROUP_NAMES, Role

from .factories import CaseFactory, PartyFactory, UserFactory, category

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def cases(n, **fields):
    return [CaseFactory(received_at=NOW - timedelta(hours=i + 1), **fields) for i in range(n)]


def status_line(client, **params):
    html = client.get("/staff/cases/", params).content.decode()
    start = html.index('role="status">') + len('role="status">')
    return html[start:html.index("</p>", start)].strip(), html


@pytest.mark.parametrize(("n", "expected"), [(2, "2 cases"), (1, "1 case"), (3, "3 cases, page 1 of 2"), (5, "5 cases, page 1 of 3"),
                                             (6, "More than 5 cases, page 1 of 3")])
def test_the_count_is_exact_up_to_the_cap_and_says_more_beyond_it(client, officer_user, monkeypatch, n, expected):
    monkeypatch.setattr(paging, "CAP", 5)
    monkeypatch.setattr("cases.views.pages.CASES_PER_PAGE", 2)
    cases(n)
    client.force_login(officer_user)
    assert status_line(client)[0] == expected


def test_pages_go_no_deeper_than_the_cap_and_the_last_one_says_to_narrow_the_search(client, officer_user, monkeypatch):
    monkeypatch.setattr(paging, "CAP", 4)
    monkeypatch.setattr("cases.views.pages.CASES_PER_PAGE", 2)
    made = cases(7)  # newest first: made[0] is the newest
    client.force_login(officer_user)
    line, first = status_line(client)
    assert line == "More than 4 cases, page 1 of 2" and 'rel="next"' in first and 'rel="prev"' not in first
    assert "Narrow the search" not in first
    line, second = status_line(client, page=2)
    assert line == "More than 4 cases, page 2 of 2" and 'rel="prev"' in second and 'rel="next"' not in second
    assert "Only the first 4 cases are shown in pages" in second
    assert [c.reference in second for c in made] == [False, False, True, True, False, False, False]
    assert 'aria-current="page">2<' in second and 'aria-label="Page 1"' in second


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", "", "99999999999999999999999", "２", "1e3", "%00", "3' OR 1=1"])
def test_a_hostile_or_mistyped_page_gives_a_page_never_an_error(client, officer_user, monkeypatch, page):
    monkeypatch.setattr("cases.views.pages.CASES_PER_PAGE", 2)
    made = cases(5)
    client.force_login(officer_user)
    response = client.get("/staff/cases/", {"page": page})
    assert response.status_code == 200
    html = response.content.decode()
    assert made[0].reference in html and made[1].reference in html  # the first page


def test_a_page_past_the_end_shows_the_last_page(client, officer_user, monkeypatch):
    monkeypatch.setattr("cases.views.pages.CASES_PER_PAGE", 2)
    made = cases(5)
    client.force_login(officer_user)
    line, html = status_line(client, page=40)
    assert line == "5 cases, page 3 of 3" and made[4].reference in html and made[3].reference not in html


def test_page_items_keep_first_last_and_neighbours_with_ellipses():
    page = paging.CappedPage(object_list=[], number=5, num_pages=40, count=1000, cap=1000, more=True)
    assert page.page_items == [1, None, 4, 5, 6, None, 40]
    assert paging.CappedPage(object_list=[], number=1, num_pages=2, count=30, cap=1000, more=False).page_items == [1, 2]


def test_the_count_reads_at_most_cap_plus_one_rows():
    cases(8)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        page = paging.capped_page(Case.objects.order_by("-received_at"), "1", per_page=2, cap=3)
    assert (page.count, page.more, page.num_pages) == (3, True, 2)
    assert len(captured) == 2 and "LIMIT 4" in captured[0]["sql"]


def world():
    """Cases across statuses, risks, officers and categories; some match "motorbike" by words, a name or the address."""
    officers = [UserFactory(first_name=f"Officer{i}") for i in range(2)]
    for officer in officers:  # the officer filter offers people who work cases
        officer.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICER]))
    made, i = [], 0
    for status in (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.CLOSED):
        for risk in (RiskLevel.HIGH, RiskLevel.STANDARD):
            for officer in (*officers, None):
                for slug in ("noise", "vehicle-nuisance"):
                    i += 1
                    address = f"{i} Motorbike Lane" if i % 5 == 0 else f"{i} Elm Road"
                    case = CaseFactory(status=status, risk_level=risk, officer=officer, category=category(slug),
                                       received_at=NOW - timedelta(days=i), address=address)
                    if i % 3 == 0:
                        PartyFactory(case=case, full_name="Ann Motorbike-Smith")
                    if i % 4 == 1:
                        Case.objects.filter(pk=case.pk).update(search_document=SearchVector(Value("kids on motorbikes"), config="english"))
                    made.append(case)
    return officers


def test_search_with_filters_finds_exactly_what_plain_filters_find(client, officer_user, monkeypatch):
    monkeypatch.setattr("cases.views.pages.CASES_PER_PAGE", 100)
    officers = world()
    client.force_login(officer_user)
    matches = (Q(address__icontains="motorbike") | Q(parties__full_name__icontains="motorbike")
               | Q(search_document=SearchQuery("motorbike", config="english", search_type="websearch")))
    noise = category("noise")
    combos = [
        ({}, Q()),
        ({"status": "open_any"}, ~Q(status=CaseStatus.CLOSED)),
        ({"status": "closed"}, Q(status=CaseStatus.CLOSED)),
        ({"status": "open_any", "risk_level": "high"}, ~Q(status=CaseStatus.CLOSED) & Q(risk_level=RiskLevel.HIGH)),
        ({"officer": officers[0].pk}, Q(officer=officers[0])),
        ({"officer": "null", "status": "new"}, Q(officer__isnull=True, status=CaseStatus.NEW)),
        ({"category": noise.pk, "status": "open_any", "sort": "-risk"}, Q(category=noise) & ~Q(status=CaseStatus.CLOSED)),
        ({"received_from_0": (NOW - timedelta(days=20)).day, "received_from_1": (NOW - timedelta(days=20)).month,
          "received_from_2": (NOW - timedelta(days=20)).year, "status": "open_any"},
         Q(received_at__date__gte=(NOW - timedelta(days=20)).date()) & ~Q(status=CaseStatus.CLOSED)),
    ]
    everything = set(Case.objects.values_list("reference", flat=True))
    for params, plain in combos:
        expected = set(Case.objects.filter(plain).filter(matches).values_list("reference", flat=True).distinct())
        response = client.get("/staff/cases/", {"q": "motorbike", **params})
        assert response.context["filter"].is_valid(), params  # a filter the form refuses would show everything
        line, html = status_line(client, q="motorbike", **params)
        shown = {ref for ref in everything if f">{ref}</a>" in html}
        assert shown == expected, params
        assert line.startswith(f"{len(expected)} case"), (params, line)
        assert expected or "No cases match" in html
        # The same filters without a search give the plain filter's cases (no branch is skipped by mistake).
        without = {ref for ref in everything if f">{ref}</a>" in status_line(client, **params)[1]}
        assert without == set(Case.objects.filter(plain).values_list("reference", flat=True)), params


def test_search_results_page_in_their_sort_order(client, officer_user, monkeypatch):
    monkeypatch.setattr("cases.views.pages.CASES_PER_PAGE", 3)
    world()
    client.force_login(officer_user)
    expected = list(Case.objects.filter(address__icontains="motorbike").order_by("-received_at").values_list("reference", flat=True))
    seen = []
    for page in (1, 2, 3):
        html = status_line(client, q="Motorbike Lane", page=page)[1]
        seen += sorted((html.index(f">{ref}</a>"), ref) for ref in expected if f">{ref}</a>" in html)
    assert [ref for _, ref in seen] == expected
