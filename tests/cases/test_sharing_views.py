"""The council's sharing screens: agencies and agreements, sharing a case, stopping, lock-down, the access log.
What each role may open (everyone else gets 404), what the pages say, and their query counts."""

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import (
    AccessEvent,
    AccessLogEntry,
    CaseShare,
    PersonBasis,
    Referral,
    ShareScope,
    SharingAgreement,
    TimelineKind,
)
from cases.policy import cases_visible_to
from cases.services import referral_make
from cases.services.access_log import access_record

from .test_sharing import HOUSING, LONDON, POLICE, TODAY, agency, agreement, partner, share, shared_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _first_of_june():
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world(officer_user):
    police, housing = agency(POLICE), agency(HOUSING)
    agreement(police)
    case, victim, perpetrator = shared_case(officer_user)  # victim agreed to sharing, perpetrator was not asked
    return {"police": police, "housing": housing, "case": case, "victim": victim, "perpetrator": perpetrator,
            "constable": partner("pc", police)}


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def share_post(world, **overrides):
    data = {"agency": str(world["police"].pk), "reason": "Threats of violence: police to visit", "scope": ShareScope.SUMMARY,
            f"person_{world['victim'].pk}": PersonBasis.CONSENT, f"person_{world['perpetrator'].pk}": "withhold",
            "ends_on_0": "", "ends_on_1": "", "ends_on_2": ""}
    data.update(overrides)
    return data


# --- who may open what ----------------------------------------------------------------------------------------

def _urls(world, officer):
    case, police = world["case"], world["police"]
    made = share(case, officer, police)
    signed = SharingAgreement.objects.get(agency=police)
    ref = case.reference
    case_urls = [f"/staff/cases/{ref}/share/", f"/staff/cases/{ref}/shares/{made.pk}/", f"/staff/cases/{ref}/shares/{made.pk}/stop/",
                 f"/staff/cases/{ref}/lock-down/"]
    manager_urls = ["/staff/partners/", f"/staff/partners/{police.pk}/", f"/staff/partners/{police.pk}/agreements/add/",
                    f"/staff/partners/{police.pk}/agreements/{signed.pk}/end/", f"/staff/cases/{ref}/access-log/", "/staff/access-log/"]
    return case_urls, manager_urls


def test_officers_share_cases_but_only_managers_manage_agencies_and_read_the_access_log(client, world, officer_user, manager_user):
    case_urls, manager_urls = _urls(world, officer_user)
    client.force_login(officer_user)
    assert [client.get(u).status_code for u in case_urls] == [200] * len(case_urls)
    assert [client.get(u).status_code for u in manager_urls] == [404] * len(manager_urls)
    client.force_login(manager_user)
    assert [client.get(u).status_code for u in case_urls + manager_urls] == [200] * (len(case_urls) + len(manager_urls))


@pytest.mark.parametrize("who", ["call_centre", "partner", "partner_lead"])
def test_the_call_centre_and_partners_get_404_on_every_sharing_url(client, world, officer_user, call_centre_user, who):
    case_urls, manager_urls = _urls(world, officer_user)
    user = {"call_centre": call_centre_user, "partner": world["constable"],
            "partner_lead": partner("lead", world["police"], lead=True)}[who]
    client.force_login(user)
    for url in case_urls + manager_urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    assert CaseShare.objects.get().stopped_at is None


def test_signed_out_people_are_sent_to_sign_in(client, world, officer_user):
    case_urls, manager_urls = _urls(world, officer_user)
    for url in case_urls + manager_urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


# --- sharing a case -------------------------------------------------------------------------------------------

def test_the_share_page_lists_agencies_without_an_agreement_with_the_reason(client, world, officer_user):
    body = page(client, officer_user, f"/staff/cases/{world['case'].reference}/share/")
    assert _values(body, "agency") == [str(world["police"].pk)]
    assert ("Housing providers has no information-sharing agreement in force (none has been recorded): "
            "a manager must record a new one before anything can be shared") in body


def test_people_default_to_shared_with_consent_and_withheld_without(client, world, officer_user):
    body = page(client, officer_user, f"/staff/cases/{world['case'].reference}/share/")
    victim, perpetrator = world["victim"].pk, world["perpetrator"].pk
    assert _checked(body, f"person_{victim}") == "consent"
    assert _checked(body, f"person_{perpetrator}") == "withhold"
    assert f'name="person_{perpetrator}"' in body and _values(body, f"person_{perpetrator}") == ["safeguarding", "crime", "withhold"]
    assert "Alleged perpetrator: Kyle Mercer (not asked about sharing)" in body
    assert "Victim: Margaret Ellis (agreed to sharing)" in body


def _inputs(body, name):
    return [tag for tag in re.findall(r"<input[^>]*>", body) if f'name="{name}"' in tag]


def _values(body, name):
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in _inputs(body, name)]


def _checked(body, name):
    found = [re.search(r'value="([^"]*)"', tag).group(1) for tag in _inputs(body, name) if "checked" in tag]
    return found[0] if found else None


def test_an_officer_shares_a_case_and_the_case_page_shows_it(client, world, officer_user):
    ref = world["case"].reference
    client.force_login(officer_user)
    response = client.post(f"/staff/cases/{ref}/share/", share_post(world))
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{ref}/"
    made = CaseShare.objects.get()
    assert (made.agency, made.scope, made.shared_by) == (world["police"], ShareScope.SUMMARY, officer_user)
    assert list(made.people.values_list("party_id", flat=True)) == [world["victim"].pk]
    body = page(client, officer_user, f"/staff/cases/{ref}/")
    assert "Partner agencies" in body and "Summary and people" in body
    assert f"/staff/cases/{ref}/shares/{made.pk}/stop/" in body
    assert "Shared with Leicestershire Police (summary and people)" in body  # the timeline
    assert world["case"] in cases_visible_to(world["constable"])


def test_sharing_without_consent_on_the_consent_basis_is_refused_on_the_page(client, world, officer_user):
    ref = world["case"].reference
    client.force_login(officer_user)
    forged = share_post(world, **{f"person_{world['perpetrator'].pk}": PersonBasis.CONSENT})
    body = client.post(f"/staff/cases/{ref}/share/", forged).content.decode()
    assert "There is a problem" in body and "Choose whether to share the details of Kyle Mercer" in body
    assert not CaseShare.objects.exists()
    ok = share_post(world, **{f"person_{world['perpetrator'].pk}": PersonBasis.SAFEGUARDING})
    assert client.post(f"/staff/cases/{ref}/share/", ok).status_code == 302


def test_an_agency_without_an_agreement_cannot_be_chosen_even_by_a_forged_post(client, world, officer_user):
    client.force_login(officer_user)
    body = client.post(f"/staff/cases/{world['case'].reference}/share/",
                       share_post(world, agency=str(world["housing"].pk))).content.decode()
    assert "There is a problem" in body and "Choose a partner agency with an agreement in force" in body
    assert "Housing providers has no information-sharing agreement in force" in body
    assert not CaseShare.objects.exists()


def test_an_agreement_that_lapsed_says_so_on_the_share_page(client, world, officer_user):
    agreement(world["housing"], signed_on=date(2025, 4, 1), review_by=date(2026, 3, 31))
    body = page(client, officer_user, f"/staff/cases/{world['case'].reference}/share/")
    assert "Housing providers has no information-sharing agreement in force (the last one lapsed on 31 March 2026)" in body


def test_an_end_date_in_the_past_is_an_error_on_the_page(client, world, officer_user):
    client.force_login(officer_user)
    past = TODAY - timedelta(days=1)
    data = share_post(world, ends_on_0=str(past.day), ends_on_1=str(past.month), ends_on_2=str(past.year))
    body = client.post(f"/staff/cases/{world['case'].reference}/share/", data).content.decode()
    assert "The end date must be today or later" in body and not CaseShare.objects.exists()


def test_changing_a_share_prefills_and_saves_a_narrower_scope(client, world, officer_user):
    made = share(world["case"], officer_user, world["police"], people={world["victim"].pk: PersonBasis.CONSENT})
    url = f"/staff/cases/{world['case'].reference}/shares/{made.pk}/"
    body = page(client, officer_user, url)
    assert _checked(body, "scope") == ShareScope.SUMMARY and _checked(body, f"person_{world['victim'].pk}") == "consent"
    data = {"scope": ShareScope.REFERENCE, f"person_{world['victim'].pk}": "withhold", f"person_{world['perpetrator'].pk}": "withhold"}
    assert client.post(url, data).status_code == 302
    made.refresh_from_db()
    assert made.scope == ShareScope.REFERENCE and not made.people.exists()


def test_stopping_a_share_from_its_page_takes_effect_at_once(client, world, officer_user):
    made = share(world["case"], officer_user, world["police"])
    url = f"/staff/cases/{world['case'].reference}/shares/{made.pk}/stop/"
    body = page(client, officer_user, url)
    assert "Stop sharing with Leicestershire Police" in body
    assert "There is a problem" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Investigation over"}).status_code == 302
    assert list(cases_visible_to(world["constable"])) == []
    assert client.get(url).status_code == 404  # a stopped share cannot be stopped or changed again
    body = page(client, officer_user, f"/staff/cases/{world['case'].reference}/")
    assert "Sharing that was stopped (1)" in body and "Investigation over" in body


def test_lock_down_from_the_case_page_narrows_shares_and_can_be_lifted(client, world, officer_user):
    share(world["case"], officer_user, world["police"], scope=ShareScope.TIMELINE)
    url = f"/staff/cases/{world['case'].reference}/lock-down/"
    assert "Lock the case down" in page(client, officer_user, url)
    assert client.post(url, {"version": world["case"].version}).status_code == 302
    assert CaseShare.objects.get().scope == ShareScope.REFERENCE
    body = page(client, officer_user, f"/staff/cases/{world['case'].reference}/")
    assert "Locked down" in body and "Lift the lock-down" in body
    body = page(client, officer_user, f"/staff/cases/{world['case'].reference}/share/")
    assert "This case is locked down" in body
    assert "Lift the lock-down" in page(client, officer_user, url)
    assert client.post(url).status_code == 302
    assert CaseShare.objects.get().scope == ShareScope.REFERENCE
    assert world["case"].timeline.filter(kind=TimelineKind.SHARE).count() == 3


def test_referral_rows_say_whether_the_agency_can_answer_in_asb_portal(client, world, officer_user):
    case = world["case"]
    referral_make(case=case, agency=world["police"], reason="Threats", referred_on=TODAY, actor=officer_user)
    referral_make(case=case, agency=world["housing"], reason="Tenancy", referred_on=TODAY, actor=officer_user)
    share(case, officer_user, world["police"])
    body = page(client, officer_user, f"/staff/cases/{case.reference}/")
    assert body.count("Can answer in ASB Portal") == 1 and body.count("Answers outside ASB Portal") == 1


def test_managers_get_the_access_log_link_on_the_case_page_and_officers_do_not(client, world, officer_user, manager_user):
    link = f"/staff/cases/{world['case'].reference}/access-log/"
    assert link not in page(client, officer_user, f"/staff/cases/{world['case'].reference}/")
    assert link in page(client, manager_user, f"/staff/cases/{world['case'].reference}/")


def test_the_case_page_query_count_does_not_grow_with_shares(client, world, officer_user):
    from .test_query_counts import CASE_PAGE_MAX_QUERIES

    url = f"/staff/cases/{world['case'].reference}/"
    page(client, officer_user, url)
    before = _queries(client, url)
    agreement(world["housing"])
    share(world["case"], officer_user, world["police"])
    share(world["case"], officer_user, agency(HOUSING))
    after = _queries(client, url)
    assert before == after <= CASE_PAGE_MAX_QUERIES, (before, after)


# --- agencies and agreements --------------------------------------------------------------------------------

def test_the_agencies_page_shows_each_agreement_in_words_and_response_times(client, world, officer_user, manager_user):
    agreement(world["housing"], signed_on=date(2025, 4, 1), review_by=date(2026, 3, 31))
    share(world["case"], officer_user, world["police"])
    for days in (2, 4, 9):
        referral = referral_make(case=world["case"], agency=world["police"], reason="Threats", referred_on=TODAY - timedelta(days=20),
                                 actor=officer_user)
        Referral.objects.filter(pk=referral.pk).update(responded_on=referral.referred_on + timedelta(days=days), status="accepted")
    body = page(client, manager_user, "/staff/partners/")
    row = _row(body, "Leicestershire Police")
    assert "In force until 31 March 2027" in row and "govuk-tag--green" in row
    assert [c for c in _cells(row)][3:] == ["1", "1", "3", "4"]  # live shares, users, answered, median days
    assert "Lapsed on 31 March 2026" in _row(body, "Housing providers")
    assert "No agreement" in body


def _row(body, name):
    start = body.index(f">{name}</a>")
    return body[start:body.index("</tr>", start)]


def _cells(row):
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + row, re.S)]


def test_a_manager_records_an_agreement_and_errors_are_summarised(client, world, manager_user):
    housing = world["housing"]
    url = f"/staff/partners/{housing.pk}/agreements/add/"
    client.force_login(manager_user)
    data = {"title": "Housing ISA", "lawful_basis": "cda_s115", "what_may_be_shared": "Summaries",
            "signed_on_0": "1", "signed_on_1": "5", "signed_on_2": "2026", "review_by_0": "30", "review_by_1": "4", "review_by_2": "2026"}
    body = client.post(url, data).content.decode()
    assert "There is a problem" in body and "The review date must be on or after the date it was signed" in body
    data.update(review_by_2="2027")
    assert client.post(url, data).status_code == 302
    body = page(client, manager_user, f"/staff/partners/{housing.pk}/")
    assert "Housing ISA" in body and "In force until 30 April 2027" in body


def test_a_manager_ends_an_agreement_and_the_agency_loses_its_cases(client, world, officer_user, manager_user):
    share(world["case"], officer_user, world["police"])
    signed = SharingAgreement.objects.get(agency=world["police"])
    client.force_login(manager_user)
    url = f"/staff/partners/{world['police'].pk}/agreements/{signed.pk}/end/"
    response = client.post(url, {"ended_on_0": str(TODAY.day), "ended_on_1": str(TODAY.month), "ended_on_2": str(TODAY.year)})
    assert response.status_code == 302
    assert list(cases_visible_to(world["constable"])) == []
    assert "Ended on 1 June 2026" in page(client, manager_user, "/staff/partners/")


def test_the_agency_page_lists_live_shares_and_links_to_its_users_and_log(client, world, officer_user, manager_user):
    share(world["case"], officer_user, world["police"])
    body = page(client, manager_user, f"/staff/partners/{world['police'].pk}/")
    assert world["case"].reference in body and "Summary and people" in body
    assert f"/staff/access-log/?agency={world['police'].pk}" in body
    assert f"/partners/agencies/{world['police'].pk}/team/" in body
    assert "Record an agreement" in body


def test_agencies_page_query_count_is_fixed(client, world, officer_user, manager_user):
    page(client, manager_user, "/staff/partners/")
    before = _queries(client, "/staff/partners/")
    agreement(world["housing"])
    partner("h1", world["housing"])
    share(world["case"], officer_user, world["police"])
    share(world["case"], officer_user, world["housing"])
    referral_make(case=world["case"], agency=world["police"], reason="Threats", referred_on=TODAY, actor=officer_user)
    after = _queries(client, "/staff/partners/")
    assert before == after <= 8, (before, after)


# --- the access log -----------------------------------------------------------------------------------------

def test_who_has_seen_this_case_lists_entries_newest_first(client, world, manager_user):
    case = world["case"]
    access_record(user=world["constable"], event=AccessEvent.CASE_VIEW, case=case)
    with time_machine.travel(datetime(2026, 6, 1, 11, 0, tzinfo=LONDON), tick=False):
        access_record(user=world["constable"], event=AccessEvent.EVIDENCE, case=case, detail="photo 1")
    body = page(client, manager_user, f"/staff/cases/{case.reference}/access-log/")
    assert body.index("Downloaded evidence") < body.index("Opened the case")
    assert "Leicestershire Police" in body and "pc" in body


def test_the_access_log_filters_by_user_agency_and_case(client, world, officer_user, manager_user):
    case = world["case"]
    other, _, _ = shared_case(officer_user)
    access_record(user=world["constable"], event=AccessEvent.CASE_VIEW, case=case)
    access_record(user=world["constable"], event=AccessEvent.CASE_VIEW, case=other)
    access_record(user=manager_user, event=AccessEvent.EXPORT, detail="reports.csv")
    client.force_login(manager_user)
    assert client.get("/staff/access-log/").content.decode().count("Opened the case") == 2
    body = client.get("/staff/access-log/", {"reference": other.reference}).content.decode()
    assert body.count("Opened the case") == 1 and "reports.csv" not in body
    body = client.get("/staff/access-log/", {"username": "manager"}).content.decode()
    assert "reports.csv" in body and "Opened the case" not in body
    body = client.get("/staff/access-log/", {"agency": world["police"].pk}).content.decode()
    assert body.count("Opened the case") == 2 and "reports.csv" not in body


def test_access_log_pages_have_fixed_query_counts(client, world, manager_user):
    case = world["case"]
    urls = ["/staff/access-log/", f"/staff/cases/{case.reference}/access-log/"]
    access_record(user=world["constable"], event=AccessEvent.CASE_VIEW, case=case)
    page(client, manager_user, urls[0])
    before = [_queries(client, u) for u in urls]
    for _ in range(60):  # past one page
        access_record(user=world["constable"], event=AccessEvent.CASE_VIEW, case=case)
    after = [_queries(client, u) for u in urls]
    assert before == after and max(after) <= 8, (before, after)
    assert "Next" in page(client, manager_user, urls[1])


def test_an_export_writes_an_access_log_row(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/dashboard/export/reports.csv", {"period": "this_month"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = AccessLogEntry.objects.get()
    assert (entry.event, entry.username, entry.case_id) == (AccessEvent.EXPORT, "manager", None)
    assert entry.detail.startswith("reports.csv, 1 Jun 2026 to")
    assert entry.address == "127.0.0.1"


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)
