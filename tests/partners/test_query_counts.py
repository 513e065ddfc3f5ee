"""Partner pages make a fixed number of SQL queries whatever the number of shared cases or the size of a case."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import (
    Evidence,
    PartyRole,
    Referral,
    SharedPerson,
    ShareScope,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.services.access_log import access_record

from ..cases.factories import CaseFactory, PartyFactory
from .helpers import partner, share

MAX_QUERIES = 10  # measured: list 7, access log 7, team 6
CASE_PAGE_MAX = 16  # measured 14: the case, share, agencies, people, entries, evidence, referrals, the access log row


def count(client, url):
    client.get(url)  # warm the session the way a second request finds it
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def shared_cases(world, n):
    for i in range(n):
        case = CaseFactory(officer=world.officer)
        share(case, world.police, scope=ShareScope.REFERENCE if i % 3 == 0 else ShareScope.TIMELINE, by=world.officer)
        Referral.objects.create(case=case, agency=world.police, reason="r", referred_on=timezone.localdate(), created_by=world.officer)


def test_the_shared_case_list_is_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.police_user)
    before = count(client, "/partners/")
    shared_cases(world, 59)  # 60 shared in all, more than a page
    after = count(client, "/partners/")
    assert before == after <= MAX_QUERIES, (before, after)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get("/partners/", {"q": "ASB", "page": "2"})


def grow(world, settings, tmp_path, n):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    now = timezone.now()
    for i in range(n):
        person = PartyFactory(case=world.case, role=PartyRole.WITNESS, full_name=f"Shared Witness {i}", staff_safety_warning=i % 2 == 0)
        SharedPerson.objects.create(share=world.share, party=person, basis="consent")
        PartyFactory(case=world.case, role=PartyRole.WITNESS, full_name=f"Withheld {i}")
        for visibility, agency in ((Visibility.PARTNERS, None), (Visibility.STAFF, world.police), (Visibility.STAFF, None)):
            TimelineEntry.objects.create(case=world.case, kind=TimelineKind.NOTE, summary=f"Entry {i}", visibility=visibility,
                                         agency=agency, actor=world.officer, occurred_at=now - timedelta(minutes=i))
        evidence = Evidence.objects.create(case=world.case, file=SimpleUploadedFile("e.png", b"x"), original_name="e.png",
                                           content_type="image/png", size=1, uploaded_at=now - timedelta(minutes=i))
        world.share.evidence.add(evidence)
        Referral.objects.create(case=world.case, agency=world.police, reason=f"r{i}", referred_on=timezone.localdate(),
                                created_by=world.officer)


def test_the_case_page_is_a_fixed_number_of_queries_whatever_its_size(client, world, settings, tmp_path, django_assert_max_num_queries):
    world.share.scope = ShareScope.EVIDENCE
    world.share.save()
    client.force_login(world.police_user)
    url = f"/partners/cases/{world.case.reference}/"
    grow(world, settings, tmp_path, 1)
    before = count(client, url)
    grow(world, settings, tmp_path, 30)
    after = count(client, url)
    assert before == after <= CASE_PAGE_MAX, (before, after)
    with django_assert_max_num_queries(CASE_PAGE_MAX):
        html = client.get(url).content.decode()
    assert "Shared Witness 29" in html and "Withheld" not in html


def test_the_access_log_is_a_fixed_number_of_queries(client, world):
    client.force_login(world.police_lead)
    access_record(user=world.police_user, event="case_view", case=world.case)
    before = count(client, "/partners/access-log/")
    for i in range(80):
        access_record(user=partner(f"p{i}", world.police) if i < 5 else world.police_user, event="case_view", case=world.case)
    after = count(client, f"/partners/access-log/?user={world.police_user.pk}&reference={world.case.reference}")
    assert before == after <= MAX_QUERIES, (before, after)


def test_the_team_page_is_a_fixed_number_of_queries(client, world):
    client.force_login(world.police_lead)
    url = f"/partners/agencies/{world.police.pk}/team/"
    before = count(client, url)
    for i in range(30):
        partner(f"member{i}", world.police, lead=i % 4 == 0)
    after = count(client, url)
    assert before == after <= MAX_QUERIES, (before, after)


@pytest.mark.parametrize("path", ["note/", "referrals/{referral}/"])
def test_the_forms_are_a_fixed_number_of_queries(client, world, path):
    referral = Referral.objects.create(case=world.case, agency=world.police, reason="r", referred_on=timezone.localdate(),
                                       created_by=world.officer)
    client.force_login(world.police_user)
    assert count(client, f"/partners/cases/{world.case.reference}/" + path.format(referral=referral.pk)) <= MAX_QUERIES
