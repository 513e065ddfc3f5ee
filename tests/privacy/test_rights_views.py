"""The rights-request screens: who may open them (managers; everyone else 404), recording a request with a register
search, deciding third parties, the bundle download (logged), release, extension, closing, and fixed query counts."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import AccessEvent, AccessLogEntry
from privacy.models import RequestKind, RightsRequest, ThirdParty
from privacy.services.rights import rights_request_record

from ..partners.helpers import agency, agreement, partner
from .rights_helpers import person, rights_world

pytestmark = pytest.mark.django_db
MAX_QUERIES = 15


@pytest.fixture
def world(officer_user):
    return rights_world(officer_user)


@pytest.fixture
def access_request(world, manager_user):
    return rights_request_record(kind=RequestKind.ACCESS, received_on=timezone.localdate() - timedelta(days=3), person=world.margaret,
                                 actor=manager_user)


def urls(access_request):
    pk = access_request.pk
    tp = ThirdParty.objects.filter(request=access_request).first().pk
    base = "/staff/privacy/requests/"
    return [base, f"{base}add/", f"{base}{pk}/", f"{base}{pk}/third-parties/{tp}/", f"{base}{pk}/bundle.zip",
            f"{base}{pk}/release/", f"{base}{pk}/close/", f"{base}{pk}/extend/"]


def test_every_screen_opens_for_a_manager_and_is_404_for_everyone_else(client, access_request, officer_user, call_centre_user):
    police = agency()
    agreement(police)
    constable = partner("pc", police)
    for user, expected in ((officer_user, 404), (call_centre_user, 404), (constable, 404)):
        client.force_login(user)
        for url in urls(access_request):
            assert client.get(url).status_code == expected, (user.username, url)
            assert client.post(url, {}).status_code == expected, (user.username, url)
    client.logout()
    for url in urls(access_request):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    client.force_login(access_request.recorded_by)
    for url in urls(access_request):
        assert client.get(url).status_code == 200, url
    assert client.get("/staff/privacy/requests/999999/").status_code == 404
    assert client.get(f"/staff/privacy/requests/{access_request.pk}/third-parties/999999/").status_code == 404


def test_the_list_shows_the_deadline_in_words(client, manager_user, world):
    today = timezone.localdate()
    overdue = RightsRequest.objects.create(kind=RequestKind.ERASURE, received_on=today - timedelta(days=40),
                                           due_on=today - timedelta(days=3), recorded_by=manager_user)
    soon = RightsRequest.objects.create(kind=RequestKind.ACCESS, received_on=today - timedelta(days=25), due_on=today + timedelta(days=5),
                                        person=world.margaret, recorded_by=manager_user)
    client.force_login(manager_user)
    html = client.get("/staff/privacy/requests/").content.decode()
    assert html.index(f"Request {overdue.pk}") < html.index(f"Request {soon.pk}")
    assert "govuk-tag--red\">Overdue by 3 days" in html and "govuk-tag--yellow\">Due in 5 days" in html
    assert "Margaret Ellis" in html and "No closed requests yet" in html


def test_recording_a_request_finds_the_person_by_name_phone_or_postcode(client, manager_user, world):
    person(full_name="Margaret Ellison", phone="07700 900999", postcode="LE2 5AA", merged_into=world.margaret)  # merged: never offered
    client.force_login(manager_user)
    for query in ("ellis", "07700 900123", "le18 1aa"):
        html = client.get("/staff/privacy/requests/add/", {"q": query}).content.decode()
        assert "Margaret Ellis" in html and "Margaret Ellison" not in html, query
    html = client.get("/staff/privacy/requests/add/", {"q": "nobody"}).content.decode()
    assert "Nobody in the register matches" in html

    day = timezone.localdate() - timedelta(days=1)
    response = client.post("/staff/privacy/requests/add/", {
        "q": "ellis", "kind": "access", "received_on_0": day.day, "received_on_1": day.month, "received_on_2": day.year,
        "person": str(world.margaret.pk), "details": "By email",
    })
    made = RightsRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/privacy/requests/{made.pk}/"
    assert (made.person, made.received_on, made.details) == (world.margaret, day, "By email")
    page = client.get(response["Location"]).content.decode()
    assert "Kyle Mercer" in page and "Not decided" in page and "Decide whether to redact or disclose 2 third parties" in page


def test_recording_refuses_a_future_date_and_a_person_not_found_by_the_search(client, manager_user, world):
    client.force_login(manager_user)
    tomorrow = timezone.localdate() + timedelta(days=1)
    html = client.post("/staff/privacy/requests/add/", {
        "q": "", "kind": "erasure", "received_on_0": tomorrow.day, "received_on_1": tomorrow.month, "received_on_2": tomorrow.year,
        "person": str(world.kyle.pk),
    }).content.decode()
    assert "The date received must be today or in the past" in html and "Choose the person" in html
    assert not RightsRequest.objects.exists()
    today = timezone.localdate()
    response = client.post("/staff/privacy/requests/add/", {
        "kind": "erasure", "received_on_0": today.day, "received_on_1": today.month, "received_on_2": today.year, "person": "none",
    })
    assert response.status_code == 302 and RightsRequest.objects.get().person is None


def test_decide_download_and_release(client, manager_user, access_request, world):
    client.force_login(manager_user)
    base = f"/staff/privacy/requests/{access_request.pk}/"
    first, second = ThirdParty.objects.filter(request=access_request).order_by("pk")
    html = client.post(f"{base}third-parties/{first.pk}/", {"decision": "disclose", "reason": ""}).content.decode()
    assert "Give the reason for disclosing them" in html
    assert client.post(f"{base}third-parties/{first.pk}/", {"decision": "redact"}).status_code == 302
    html = client.post(f"{base}release/", {"method": "Secure email"}).content.decode()
    assert "Decide whether to redact or disclose 1 third party" in html
    assert client.post(f"{base}third-parties/{second.pk}/", {"decision": "redact", "reason": ""}).status_code == 302

    response = client.get(f"{base}bundle.zip")
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        index = archive.read("index.html").decode()
    assert "Margaret Ellis" in index and "Mercer" not in index
    log = AccessLogEntry.objects.get()
    assert (log.event, log.user, log.detail.startswith(f"Subject access bundle for rights request {access_request.pk}")) == (
        AccessEvent.EXPORT, manager_user, True)

    response = client.post(f"{base}release/", {"method": "Secure email"})
    assert response.status_code == 302
    page = client.get(base).content.decode()
    assert "Released" in page and "secure email" in page and "Release the bundle" not in page
    assert client.get(f"{base}release/").status_code == 404  # closed: nothing more to release


def test_extend_then_close_an_erasure_refused_on_public_task(client, manager_user):
    erasure = rights_request_record(kind=RequestKind.ERASURE, received_on=timezone.localdate() - timedelta(days=2), actor=manager_user)
    client.force_login(manager_user)
    base = f"/staff/privacy/requests/{erasure.pk}/"
    assert "Give the reason for the extension" in client.post(f"{base}extend/", {"reason": ""}).content.decode()
    assert client.post(f"{base}extend/", {"reason": "Several linked requests"}).status_code == 302
    page = client.get(base).content.decode()
    assert "Extended by two months: Several linked requests" in page and f"{base}extend/" not in page
    html = client.get(f"{base}close/").content.decode()
    assert "Refused: needed for our public task" in html and "crime and taxation" not in html  # access only
    response = client.post(f"{base}close/", {"outcome_basis": "public_task", "outcome": "Needed to pursue the injunction"})
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert (erasure.status, erasure.outcome_basis, erasure.outcome) == ("refused", "public_task", "Needed to pursue the injunction")
    assert "Needed to pursue the injunction" in client.get(base).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_and_request_pages_make_a_fixed_number_of_queries(client, manager_user, officer_user, world, access_request):
    client.force_login(manager_user)
    detail = f"/staff/privacy/requests/{access_request.pk}/"
    client.get("/staff/privacy/requests/")
    list_before, detail_before = _queries(client, "/staff/privacy/requests/"), _queries(client, detail)
    more = rights_world(officer_user)
    for n in range(5):
        rights_request_record(kind=RequestKind.ACCESS, received_on=timezone.localdate() - timedelta(days=n), person=more.kyle,
                              actor=manager_user)
    from cases.services import party_add

    for n in range(4):
        party_add(case=world.case_a, actor=officer_user, role="witness", full_name=f"Witness {n}")
    from privacy.services.rights import third_parties_list

    third_parties_list(request=access_request)
    assert _queries(client, "/staff/privacy/requests/") == list_before <= MAX_QUERIES
    assert _queries(client, detail) == detail_before <= MAX_QUERIES


def test_a_request_recorded_before_the_person_was_identified_is_linked_later(client, manager_user, officer_user, world):
    unknown = rights_record_unidentified(manager_user)
    url = f"/staff/privacy/requests/{unknown.pk}/person/"
    client.force_login(officer_user)
    assert client.get(url, {"q": "ellis"}).status_code == 404
    client.force_login(manager_user)
    assert f'href="{url}"' in client.get(f"/staff/privacy/requests/{unknown.pk}/").content.decode()
    assert "Margaret Ellis" in client.get(url, {"q": "ellis"}).content.decode()
    assert "Choose the person" in client.post(url, {"q": "ellis"}).content.decode()
    assert client.post(url, {"q": "kyle", "person": str(world.margaret.pk)}).status_code == 200  # not among the people found
    response = client.post(url, {"q": "ellis", "person": str(world.margaret.pk)})
    assert response.status_code == 302
    unknown.refresh_from_db()
    assert unknown.person == world.margaret and unknown.third_parties.count() == 2
    assert client.get(url).status_code == 404  # identified: nothing more to do here


def rights_record_unidentified(actor):
    return rights_request_record(kind=RequestKind.ACCESS, received_on=timezone.localdate(), actor=actor)
