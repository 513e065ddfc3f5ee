# ruff: noqa: F811  (the shared fixtures are imported from test_actions and named as arguments)
"""The officer's side: the case's diary page and court-bundle PDF for every role (404 for anyone who may not work
cases, partners with a share included), marking a resident's request dealt with, and the officer's home list."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from cases.models import Case, CaseStatus, ResidentRequest, ShareScope
from cases.selectors_diary import resident_requests_for_home
from cases.services import case_assign
from cases.services.resident_actions import callback_request, problem_started_again

from ..cases.factories import report_submission, submit_report
from ..partners.helpers import POLICE, agency, agreement, partner, share
from .test_actions import NOW, add_entry, clock, margaret, media, png  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_user(margaret, officer_user):
    police = agency(POLICE)
    agreement(police)
    share(margaret.case, police, scope=ShareScope.EVIDENCE, people=[margaret.party], by=officer_user)
    return partner("police", police)


def urls(case, request_id=1):
    return {
        "diary": reverse("staff:diary", kwargs={"reference": case.reference}),
        "pdf": reverse("staff:diary_pdf", kwargs={"reference": case.reference}),
    }


@pytest.mark.parametrize("role, status", [("officer_user", 200), ("manager_user", 200), ("call_centre_user", 404),
                                          ("no_role_user", 404), ("police_user", 404)])
def test_the_diary_pages_for_every_role(margaret, client, request, role, status):
    add_entry(margaret, what_happened="Drilling at midnight")
    user = request.getfixturevalue(role)
    client.force_login(user)
    for name, url in urls(margaret.case).items():
        response = client.get(url)
        assert response.status_code == status, (role, name)
        if status == 404:
            assert b"Drilling at midnight" not in response.content


def test_signed_out_visitors_are_sent_to_sign_in(margaret, client):
    for url in urls(margaret.case).values():
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_diary_page_lists_entries_with_corrections_and_files(margaret, client, officer_user):
    first = add_entry(margaret, what_happened="Drilling at midnight", files=[png("drill.png")],
                      happened_at=NOW - timedelta(days=1))
    add_entry(margaret, what_happened="It was 1am", corrects=first)
    client.force_login(officer_user)
    page = client.get(urls(margaret.case)["diary"]).content.decode()
    assert "Drilling at midnight" in page and "It was 1am" in page and "Margaret Ellis (victim)" in page
    assert f'href="#entry-{first.pk}"' in page  # the correction links to what it corrects
    evidence = first.evidence.get()
    assert reverse("staff:evidence", kwargs={"evidence_id": evidence.pk}) in page and "drill.png" in page
    assert page.index("Drilling at midnight") < page.index("It was 1am")  # in the order they happened


def test_the_officer_marks_a_request_dealt_with(margaret, client, officer_user):
    request = callback_request(link=margaret, phone="07700 900456", submission_key=uuid.uuid4())
    url = reverse("staff:resident_request_done", kwargs={"reference": margaret.case.reference, "request_id": request.pk})
    client.force_login(officer_user)
    assert client.get(url).status_code == 405
    refused = client.post(url, {f"r{request.pk}-outcome": "   "})
    assert refused.status_code == 200 and "Say how it was dealt with" in refused.content.decode()
    assert "govuk-error-summary" in refused.content.decode()
    response = client.post(url, {f"r{request.pk}-outcome": "Called her back"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.outcome, request.dealt_with_by) == ("Called her back", officer_user)


def test_partners_and_other_cases_cannot_mark_a_request(margaret, client, police_user, officer_user):
    request = callback_request(link=margaret, phone="07700 900456", submission_key=uuid.uuid4())
    url = reverse("staff:resident_request_done", kwargs={"reference": margaret.case.reference, "request_id": request.pk})
    client.force_login(police_user)
    assert client.post(url, {f"r{request.pk}-outcome": "Done"}).status_code == 404
    other = submit_report(report_submission(full_name="Other Person", email="other@example.com", incident_date=None),
                          received_at=NOW - timedelta(days=1)).case
    client.force_login(officer_user)
    wrong = reverse("staff:resident_request_done", kwargs={"reference": other.reference, "request_id": request.pk})
    assert client.post(wrong, {f"r{request.pk}-outcome": "Done"}).status_code == 404
    assert ResidentRequest.objects.get(pk=request.pk).dealt_with_at is None


def test_started_again_offers_to_reopen_the_case(margaret, client, officer_user):
    Case.objects.filter(pk=margaret.case_id).update(status=CaseStatus.CLOSED, closed_at=NOW - timedelta(days=3))
    problem_started_again(link=margaret, details="Music is back", submission_key=uuid.uuid4())
    client.force_login(officer_user)
    page = client.get(urls(margaret.case)["diary"]).content.decode()
    assert "Reopen the case" in page and reverse("staff:status", kwargs={"reference": margaret.case.reference}) in page


def test_the_home_list_shows_open_requests_on_my_cases_and_unassigned_ones_to_managers(margaret, officer_user, manager_user):
    callback_request(link=margaret, phone="07700 900456", submission_key=uuid.uuid4())
    # Unassigned: the managers' to share out.
    assert resident_requests_for_home(officer_user) == []
    [row] = resident_requests_for_home(manager_user)
    assert (row.case_reference, row.kind, row.who) == (margaret.case.reference, "callback", "Margaret Ellis")
    case_assign(case=margaret.case, officer=officer_user, actor=manager_user)
    assert [r.case_reference for r in resident_requests_for_home(officer_user)] == [margaret.case.reference]
    assert resident_requests_for_home(manager_user) == []  # assigned to someone else now
    ResidentRequest.objects.update(dealt_with_at=NOW)
    assert resident_requests_for_home(officer_user) == []


def test_the_home_list_is_one_query(margaret, officer_user, manager_user, django_assert_num_queries):
    for _ in range(3):
        callback_request(link=margaret, phone="07700 900456", submission_key=uuid.uuid4())
    manager_user.is_superuser = False
    with django_assert_num_queries(2):  # the user's groups (capabilities), then the requests
        assert len(resident_requests_for_home(manager_user)) == 3


def _load(client, case, n):
    for i in range(n):
        add_entry(case, what_happened=f"Entry {i}", happened_at=NOW - timedelta(hours=i + 1), files=[png(f"p{i}.png")])
        callback_request(link=case, phone="07700 900456", submission_key=uuid.uuid4())


@pytest.mark.parametrize("n", [1, 8])
def test_the_diary_page_keeps_a_fixed_number_of_queries(margaret, client, officer_user, django_assert_max_num_queries, n):
    _load(client, margaret, n)
    client.force_login(officer_user)
    client.get(urls(margaret.case)["diary"])  # warm the session (8 queries at 1 entry and at 8: session, user, groups, case, entries, files, corrections, requests)
    with django_assert_max_num_queries(8):
        response = client.get(urls(margaret.case)["diary"])
    assert response.content.decode().count('id="entry-') == n
