"""Residents' personal links: in acknowledgements, on the anonymous confirmation page, revoked, rotated, guessed;
and the staff screen that lists, revokes and sends them (every role, partners included)."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group

from cases.models import AgencyMember, PartnerAgency, ResidentLink, ResidentRequest, ResidentRequestKind, TimelineEntry
from cases.roles import GROUP_NAMES, Role
from cases.services.resident_links import link_path, link_token, resident_link_issue, resident_link_revoke
from notifications.models import Message

from ..cases.factories import UserFactory, report_submission, submit_report
from ..conftest import PASSWORD
from ..reporting.helpers import answers, walk

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
URL = re.compile(r"https?://[^\s]+/my-case/[A-Za-z0-9_-]{43}/")


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_acknowledgement_email_carries_a_link_that_opens_the_case(client):
    with time_machine.travel(NOW, tick=False):
        report = submit_report()
        message = Message.objects.get(key=f"report-ack:{report.pk}")
        found = URL.search(message.body)
        assert found, message.body
        response = client.get(_path(found.group(0)))
    assert response.status_code == 200
    assert report.case.reference in response.content.decode()
    assert "keep it safe" in message.body


def test_the_acknowledgement_text_carries_the_link(client):
    with time_machine.travel(NOW, tick=False):
        report = submit_report(report_submission(preferred_contact_method="text"))
        message = Message.objects.get(key=f"report-ack-sms:{report.pk}")
    found = URL.search(message.body)
    assert found and client.get(_path(found.group(0))).status_code == 200


def test_a_report_added_to_the_case_reuses_the_persons_live_link():
    with time_machine.travel(NOW, tick=False):
        first = submit_report()
        second = submit_report(report_submission(description="Again last night"), existing_case=first.case)
        assert second.reporter == first.reporter
        added = Message.objects.get(key=f"report-ack:{second.pk}")
    link = ResidentLink.objects.get(party=first.reporter)
    assert link.is_live and link_token(link) in added.body


def test_a_phone_preference_still_gets_a_link_but_no_message():
    with time_machine.travel(NOW, tick=False):
        report = submit_report(report_submission(preferred_contact_method="phone"))
    assert ResidentLink.objects.filter(party=report.reporter, revoked_at__isnull=True).exists()
    assert not Message.objects.filter(key__startswith="report-ack").exists()


def test_an_anonymous_online_reporter_is_offered_a_link_that_works(client):
    with time_machine.travel(NOW, tick=False):
        steps = answers(anonymous={"anonymous-anonymous": "yes"})
        final = walk(client, steps)
        assert final == "/report/confirmation/"
        response = client.get(final)
        page = response.content.decode()
        assert "Follow your report" in page and "do not share it" in page
        assert response["Referrer-Policy"] == "strict-origin"
        found = URL.search(page)
        assert found, page
        other = client.__class__()
        opened = other.get(_path(found.group(0)))
    assert opened.status_code == 200
    link = ResidentLink.objects.get()
    assert link.report is not None and link.party is None and link.report.is_anonymous


def test_a_named_online_reporter_sees_no_link_on_the_confirmation_page(client):
    with time_machine.travel(NOW, tick=False):
        final = walk(client, answers())
        page = client.get(final).content.decode()
    assert "Follow your report" not in page and not URL.search(page)


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 44, "%00" * 5])
def test_unknown_and_malformed_tokens_answer_404(client, token):
    response = client.get(f"/my-case/{token}/")
    assert response.status_code == 404
    if "%" not in token:  # (NULs never reach the view)
        assert response["Referrer-Policy"] == "strict-origin"


def test_a_revoked_link_answers_404_like_an_unknown_one(client, officer_user):
    with time_machine.travel(NOW, tick=False):
        report = submit_report()
        link = ResidentLink.objects.get(party=report.reporter)
        path = link_path(link)
        assert client.get(path).status_code == 200
        resident_link_revoke(link=link, actor=officer_user, reason="Shared on Facebook")
        response = client.get(path)
    assert response.status_code == 404
    assert report.case.reference not in response.content.decode()


def test_guessing_is_limited_per_address_but_a_good_link_still_opens(client, settings):
    with time_machine.travel(NOW, tick=False):
        report = submit_report()
        good = link_path(ResidentLink.objects.get(party=report.reporter))
        limit = int(settings.RESIDENT_LINK_MISS_RATE.split("/")[0])
        for i in range(limit):
            assert client.get(f"/my-case/{'A' * 42}{i % 10}/").status_code == 404
        assert client.get(f"/my-case/{'B' * 43}/").status_code == 429
        # Someone guessing from the same address (a library, a mobile network) cannot lock the holder out.
        assert client.get(good).status_code == 200
        # Another address has its own count.
        assert client.get(f"/my-case/{'C' * 43}/", REMOTE_ADDR="192.0.2.99").status_code == 404


def _new_link_form(client, path):
    page = client.get(path + "new-link/").content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def test_asking_for_a_new_link_sends_it_by_email_and_ends_the_old_one(client):
    with time_machine.travel(NOW, tick=False):
        report = submit_report()
        old = ResidentLink.objects.get(party=report.reporter)
        path = link_path(old)
        key = _new_link_form(client, path)
        first = client.post(path + "new-link/", {"submission_key": key})
        second = client.post(path + "new-link/", {"submission_key": key})  # a double click
        assert first.status_code == second.status_code == 200
        assert "New link sent" in first.content.decode()
        new = ResidentLink.objects.get(party=report.reporter, revoked_at__isnull=True)
        message = Message.objects.get(key=f"resident-link:{new.pk}")
        assert link_token(new) in message.body and message.to == "margaret@example.com"
        assert client.get(path).status_code == 404
        assert client.get(link_path(new)).status_code == 200
    assert ResidentLink.objects.filter(party=report.reporter).count() == 2
    request = ResidentRequest.objects.get(kind=ResidentRequestKind.NEW_LINK)
    assert request.party == report.reporter and request.link == new
    staff_entry = TimelineEntry.objects.get(case=report.case, changes__resident_link=new.pk, changes__replaces=old.pk)
    assert staff_entry.visibility == "staff"
    assert link_token(new) not in first.content.decode()  # sent, not shown


def test_an_anonymous_reporter_gets_the_new_link_on_screen_once(client):
    with time_machine.travel(NOW, tick=False):
        report = submit_report(report_submission(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method=""))
        old = resident_link_issue(case=report.case, report=report)
        path = link_path(old)
        key = _new_link_form(client, path)
        response = client.post(path + "new-link/", {"submission_key": key}, follow=True)
        new = ResidentLink.objects.get(report=report, revoked_at__isnull=True)
        page = response.content.decode()
        assert response.status_code == 200 and f"{link_token(new)}/</strong>" in page and "we will not show it again" in page
        again = client.get(link_path(new)).content.decode()
        assert "we will not show it again" not in again  # once
        assert client.get(path).status_code == 404
    assert not Message.objects.filter(key__startswith="resident-link:").exists()


# --- staff -----------------------------------------------------------------------------------------

def _partner(username, role, agency):
    user = UserFactory(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    AgencyMember.objects.create(user=user, agency=agency)
    return user


@pytest.fixture
def world(role_users):
    with time_machine.travel(NOW, tick=False):
        report = submit_report()
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    users = {**role_users, "police": _partner("pc", Role.PARTNER_USER, police),
             "police_lead": _partner("insp", Role.PARTNER_LEAD, police)}
    return report, users


STAFF_PAGES = ["resident_links", "resident_update"]


@pytest.mark.parametrize("role, expected", [
    ("anonymous", "login"), ("call_centre", 404), ("officer", 200), ("manager", 200), ("police", 404), ("police_lead", 404),
])
def test_every_staff_url_for_every_role(client, world, role, expected):
    report, users = world
    case, party = report.case, report.reporter
    link = ResidentLink.objects.get(party=party)
    if role != "anonymous":
        client.force_login(users[role])
    gets = [f"/staff/cases/{case.reference}/residents/", f"/staff/cases/{case.reference}/update/{party.pk}/"]
    posts = [(f"/staff/cases/{case.reference}/residents/issue/", {"party": party.pk, "replaces": link.pk}),
             (f"/staff/cases/{case.reference}/residents/{link.pk}/revoke/", {"reason": "Lost phone"})]
    for url in gets:
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302 and "/login" in response["Location"], url
        else:
            assert response.status_code == expected, url
    for url, data in posts:
        response = client.post(url, data)
        if expected == "login":
            assert response.status_code == 302 and "/login" in response["Location"], url
        elif expected == 404:
            assert response.status_code == 404, url
    link.refresh_from_db()
    assert link.is_live is (expected != 200)  # only the team could revoke it


def test_staff_see_link_state_and_never_a_token(client, world, officer_user):
    report, _ = world
    link = ResidentLink.objects.get(party=report.reporter)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        client.get(link_path(link))
    client.force_login(officer_user)
    page = client.get(f"/staff/cases/{report.case.reference}/residents/").content.decode()
    assert "Margaret Ellis" in page and "Live" in page and "Last opened" in page
    assert link_token(link) not in page and "/my-case/" not in page


def test_staff_revoke_needs_a_reason_then_ends_the_link(client, world, officer_user):
    report, _ = world
    link = ResidentLink.objects.get(party=report.reporter)
    client.force_login(officer_user)
    url = f"/staff/cases/{report.case.reference}/residents/{link.pk}/revoke/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "Say why the link is being revoked" in refused.content.decode()
    link.refresh_from_db()
    assert link.is_live
    assert client.post(url, {"reason": "Her son has the phone"}).status_code == 302
    link.refresh_from_db()
    assert not link.is_live and link.revoked_by == officer_user and link.revoke_reason == "Her son has the phone"
    assert client.get(link_path(link)).status_code == 404
    page = client.get(f"/staff/cases/{report.case.reference}/residents/").content.decode()
    assert "Her son has the phone" in page and "No live link" in page


def test_staff_send_a_new_link_once_even_on_a_double_click(client, world, officer_user):
    report, _ = world
    old = ResidentLink.objects.get(party=report.reporter)
    url = f"/staff/cases/{report.case.reference}/residents/issue/"
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        client.force_login(officer_user)
        client.post(url, {"party": report.reporter.pk, "replaces": old.pk})
        client.post(url, {"party": report.reporter.pk, "replaces": old.pk})
    links = ResidentLink.objects.filter(party=report.reporter)
    assert links.count() == 2
    new = links.get(revoked_at__isnull=True)
    assert Message.objects.filter(key__startswith="resident-link:").count() == 1
    assert link_token(new) in Message.objects.get(key=f"resident-link:{new.pk}").body
    assert client.get(link_path(old)).status_code == 404


def test_staff_cannot_send_a_link_to_someone_who_prefers_letters(client, officer_user):
    with time_machine.travel(NOW, tick=False):
        report = submit_report(report_submission(preferred_contact_method="letter", reporter_address="14 Bell Street",
                                                 reporter_postcode="LE18 1AA"))
    client.force_login(officer_user)
    response = client.post(f"/staff/cases/{report.case.reference}/residents/issue/", {"party": report.reporter.pk, "replaces": ""},
                           follow=True)
    assert "cannot be sent" in response.content.decode()
    assert not Message.objects.filter(key__startswith="resident-link:").exists()


def test_staff_screens_404_for_a_case_that_does_not_exist(client, officer_user):
    client.force_login(officer_user)
    assert client.get("/staff/cases/ASB-1999-00001/residents/").status_code == 404
    assert client.get("/staff/cases/ASB-1999-00001/update/1/").status_code == 404


def test_a_resident_link_is_not_findable_from_its_id(world, client):
    report, _ = world
    link = ResidentLink.objects.get(party=report.reporter)
    assert client.get(f"/my-case/{link.pk}/").status_code == 404
    assert client.get(f"/my-case/{report.case.reference}/").status_code == 404


def test_uuid_double_click_keys_are_single_use(client):
    """A submission key from another person's form cannot reopen a revoked link."""
    with time_machine.travel(NOW, tick=False):
        a = submit_report()
        b = submit_report(report_submission(full_name="Olu Adebayo", email="olu@example.com", address="3 Mill Lane"))
        link_a = ResidentLink.objects.get(party=a.reporter)
        link_b = ResidentLink.objects.get(party=b.reporter)
        key = str(uuid.uuid4())
        client.post(link_path(link_a) + "new-link/", {"submission_key": key})
        resident_link_revoke(link=link_b, actor=None, reason="")
        response = client.post(link_path(link_b) + "new-link/", {"submission_key": key})
    assert response.status_code == 404
    assert ResidentLink.objects.filter(party=b.reporter, revoked_at__isnull=True).count() == 0


def test_the_staff_links_page_makes_the_same_number_of_queries_whatever_the_case_holds(client, officer_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 8):
        with time_machine.travel(NOW, tick=False):
            case = submit_report().case
            for i in range(n):
                person = submit_report(report_submission(full_name=f"Neighbour {i}", email=f"n{i}@example.com",
                                                         address=f"{i} Mill Lane", phone=f"07700 90{i:04d}"),
                                       existing_case=case).reporter
                resident_link_revoke(link=ResidentLink.objects.get(party=person), actor=officer_user, reason="Lost")
                resident_link_issue(case=case, party=person)
                anonymous = submit_report(report_submission(is_anonymous=True, full_name="", email="", phone="",
                                                            preferred_contact_method=""), existing_case=case)
                resident_link_issue(case=case, report=anonymous)
            client.force_login(officer_user)
            client.get(f"/staff/cases/{case.reference}/residents/")  # warm the per-process caches
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/staff/cases/{case.reference}/residents/")
            assert response.status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1], counts
