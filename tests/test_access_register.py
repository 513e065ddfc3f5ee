"""Every URL of the register, retention and rights requests (issue 12), for every role.

Officers work the register (a person's page, merge and unmerge, the vulnerable flag, a possible match, hotspots and
a place's page); managers also edit the repeat rules and run privacy (retention and rights requests). The call centre
and partner users get 404 on all of it, even a partner whose agency has a live share of the case the person is on;
anonymous users are sent to sign in. A refusal is 404, never 403, for a GET and for a POST alike.

What the pages reveal: the call centre's phone report may say a caller has reported before, but never names anyone
from the register; a partner's shared case page names the shared person but never links to the register.
"""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.shortcuts import resolve_url
from django.utils import timezone

from cases.models import (
    AgencyMember,
    Case,
    CaseShare,
    Channel,
    LawfulBasis,
    PartnerAgency,
    Party,
    PartyRole,
    Person,
    PersonBasis,
    PersonMerge,
    Place,
    PossibleMatch,
    SharedPerson,
    ShareScope,
    SharingAgreement,
)
from cases.roles import GROUP_NAMES, Role
from cases.services import party_add, report_submit
from privacy.models import LegalHold, RecordClass, RequestKind, RetentionRule, RetentionRun, RightsRequest, ThirdParty

from .cases.factories import UserFactory
from .cases.factories import report_submission as submission
from .conftest import PASSWORD
from .reporting.test_phone_report import phone_form

ROLES = ["anonymous", "call_centre", "officer", "manager", "police"]
OK, LOGIN, NOT_FOUND = 200, "login", 404

# Names only the register (and the team) may show: the victim on three cases, and the man she names.
VICTIM_NAME, VICTIM_PHONE = "Bernadette Quinlan-Hargreaves", "07700 900987"
PERPETRATOR_NAME = "Desmond Featherstonehaugh"
OTHER_NAME = "Bernadette Hargreaves"  # another person record at her address (the possible match)


def _register(url):
    """A register page: officers and managers."""
    return (url, {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": OK, "manager": OK, "police": NOT_FOUND})


def _managers(url):
    """Repeat rules and privacy: managers only."""
    return (url, {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK, "police": NOT_FOUND})


MATRIX = [
    _register("/staff/people/{person}/"),
    _register("/staff/people/{person}/merge/"),
    _register("/staff/people/merges/{merge}/undo/"),
    _register("/staff/people/{person}/vulnerable/"),
    _register("/staff/cases/{reference}/matches/{match}/"),
    _register("/staff/places/"),
    _register("/staff/places/{place}/"),
    _managers("/staff/repeat-rules/"),
    _managers("/staff/privacy/retention/"),
    _managers("/staff/privacy/retention/rules/{record_class}/"),
    _managers("/staff/privacy/retention/holds/add/?case={reference}"),
    _managers("/staff/privacy/retention/holds/add/?person={person}"),
    _managers("/staff/privacy/retention/holds/{hold}/lift/"),
    _managers("/staff/privacy/retention/runs/{run}/"),
    _managers("/staff/privacy/requests/"),
    _managers("/staff/privacy/requests/add/"),
    _managers("/staff/privacy/requests/{request}/"),
    _managers("/staff/privacy/requests/{request}/third-parties/{third_party}/"),
    _managers("/staff/privacy/requests/{request}/bundle.zip"),
    _managers("/staff/privacy/requests/{request}/release/"),
    _managers("/staff/privacy/requests/{request}/close/"),
    _managers("/staff/privacy/requests/{request}/extend/"),
]


def _partner(username, role, agency):
    user = UserFactory(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    AgencyMember.objects.create(user=user, agency=agency)
    return user


@pytest.fixture
def police(db):
    agency = PartnerAgency.objects.get(name="Leicestershire Police")
    today = timezone.localdate()
    SharingAgreement.objects.create(
        agency=agency, title="Agreement with the police", lawful_basis=LawfulBasis.CDA_S115_AND_PUBLIC_TASK,
        what_may_be_shared="Case summaries and people with consent", signed_on=today - timedelta(days=365),
        review_by=today + timedelta(days=365))
    return agency


@pytest.fixture
def users(role_users, police):
    return {**role_users, "police": _partner("pc-smith", Role.PARTNER_USER, police)}


def _report(days_ago, **overrides):
    values = dict(full_name=VICTIM_NAME, phone=VICTIM_PHONE, email="bqh@example.com", address="7 Moat Street",
                  postcode="LE18 2GE", incident_date=timezone.localdate() - timedelta(days=days_ago + 1),
                  perpetrator_known="named", perpetrator_name=PERPETRATOR_NAME, perpetrator_address="9 Moat Street")
    return report_submit(data=submission(**{**values, **overrides}), channel=Channel.ONLINE, submission_key=uuid.uuid4(),
                         received_at=timezone.now() - timedelta(days=days_ago))


def _person(party: Party, *, like: Person | None = None) -> Person:
    """The party's person record: intake's link if it made one (the register's rule), else made here; `like` joins
    the party to an existing person (what intake does for a strong match)."""
    party.refresh_from_db()
    if like is not None and party.person_id != like.pk:
        Party.objects.filter(pk=party.pk).update(person=like)
        return like
    if party.person_id:
        return party.person
    person = Person.objects.create(full_name=party.full_name, phone=party.phone, phone_normalised=party.phone_normalised,
                                   email=party.email, address=party.address, postcode=party.postcode)
    Party.objects.filter(pk=party.pk).update(person=person)
    return person


def _place(case: Case) -> Place:
    case.refresh_from_db()
    if case.place_id:
        return case.place
    place, _ = Place.objects.get_or_create(key="7MOATSTREET|LE182GE", defaults={"address": "7 Moat Street", "postcode": "LE18 2GE"})
    Case.objects.filter(pk=case.pk).update(place=place)
    return place


@pytest.fixture
def ids(users, police):
    """A repeat victim on three cases (the newest shared with the police, her details included), a possible match, a
    merge to undo, a place; a retention run, a hold, and her subject access request with one third party."""
    officer, manager = users["officer"], users["manager"]
    reports = [_report(days) for days in (200, 90, 5)]
    case = reports[-1].case
    person = _person(reports[0].reporter)
    for report in reports[1:]:
        _person(report.reporter, like=person)
    witness = party_add(case=case, actor=officer, role=PartyRole.WITNESS, full_name=OTHER_NAME, address="7 Moat Street",
                        postcode="LE18 2GE")
    other = Person.objects.create(full_name=OTHER_NAME, address="7 Moat Street", postcode="LE18 2GE")
    match = PossibleMatch.objects.create(party=witness, person=other, reasons="same address; similar name")
    retired = Person.objects.create(full_name="B Quinlan-Hargreaves", phone=VICTIM_PHONE, merged_into=person)
    merge = PersonMerge.objects.create(kept=person, merged=retired, party_ids=[], reason="Same phone and address",
                                       merged_by=officer)
    share = CaseShare.objects.create(case=case, agency=police, reason="Joint problem solving", scope=ShareScope.SUMMARY,
                                     shared_by=officer)
    SharedPerson.objects.create(share=share, party=reports[-1].reporter, basis=PersonBasis.CONSENT)
    RetentionRule.objects.get_or_create(record_class=RecordClass.CASE_FILE, defaults={"keep_days": 6 * 365})
    run = RetentionRun.objects.create()
    hold = LegalHold.objects.create(case=reports[0].case, reason="Court case pending", placed_by=manager)
    today = timezone.localdate()
    request = RightsRequest.objects.create(person=person, kind=RequestKind.ACCESS, received_on=today - timedelta(days=3),
                                           due_on=today + timedelta(days=27), recorded_by=manager)
    third_party = ThirdParty.objects.create(request=request, party=witness)
    return {"reference": case.reference, "person": person.pk, "person_name": person.full_name, "other": other.pk,
            "merge": merge.pk, "match": match.pk, "place": _place(case).pk, "record_class": RecordClass.CASE_FILE,
            "hold": hold.pk, "run": run.pk, "request": request.pk, "third_party": third_party.pk,
            "references": [r.case.reference for r in reports]}


def _login(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])


def _check(response, want):
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == want


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, users, ids, role, url, expected):
    _login(client, users, role)
    _check(client.get(url.format(**ids)), expected[role])


REFUSED = [(url, role, expected[role]) for url, expected in MATRIX for role in ROLES if expected[role] != OK]


@pytest.mark.parametrize("url, role, want", REFUSED, ids=[f"{url}-{role}" for url, role, _ in REFUSED])
def test_nobody_refused_a_page_can_post_to_it(client, users, ids, url, role, want):
    """A POST from a role refused the page answers the same as its GET and changes nothing (the screens' own tests post
    their forms as the roles allowed)."""
    _login(client, users, role)
    before = (Person.objects.filter(merged_into__isnull=True).count(), PersonMerge.objects.filter(undone_at__isnull=True).count(),
              PossibleMatch.objects.filter(decision="").count(), Person.objects.filter(is_vulnerable=True).count(),
              LegalHold.objects.filter(lifted_at__isnull=True).count(), RightsRequest.objects.filter(closed_at__isnull=True).count())
    data = {"decision": "same", "reason": "Posted by someone refused", "other": ids["other"], "is_vulnerable": "on",
            "note": "x", "keep_days": "1", "case": ids["reference"], "confirm": "yes"}
    _check(client.post(url.format(**ids), data), want)
    after = (Person.objects.filter(merged_into__isnull=True).count(), PersonMerge.objects.filter(undone_at__isnull=True).count(),
             PossibleMatch.objects.filter(decision="").count(), Person.objects.filter(is_vulnerable=True).count(),
             LegalHold.objects.filter(lifted_at__isnull=True).count(), RightsRequest.objects.filter(closed_at__isnull=True).count())
    assert after == before


# --- What the pages reveal ------------------------------------------------------------------------------------

def test_an_officer_sees_the_person_on_all_her_cases(client, users, ids):
    """The control for the tests below: the person page names her and lists her three cases."""
    client.force_login(users["officer"])
    page = client.get(f"/staff/people/{ids['person']}/").content.decode()
    assert VICTIM_NAME in page
    for reference in ids["references"]:
        assert reference in page


CALLER = {"about-you-full_name": "B Quinlan-Hargreaves", "about-you-phone": VICTIM_PHONE, "about-you-email": "caller@example.net",
          "location-address": "7 Moat Street", "location-postcode": "LE18 2GE"}


def test_an_officer_logging_the_call_is_asked_about_the_register_record(client, users, ids):
    """The control for the call centre's test: the same call logged by an officer names the register's record."""
    client.force_login(users["officer"])
    page = client.post("/staff/phone-report/", phone_form(**CALLER)).content.decode()
    assert "Already in the register" in page and VICTIM_NAME in page and f"/staff/people/{ids['person']}/" in page


def test_the_call_centre_phone_report_never_names_anyone_from_the_register(client, users, ids):
    """The caller gives her phone number and a shortened name: the call centre may learn she has reported before
    (and on which cases), never the register's name for her nor anyone else's on those cases."""
    client.force_login(users["call_centre"])
    response = client.post("/staff/phone-report/", phone_form(**CALLER))
    assert response.status_code == 200
    page = response.content.decode()
    assert "has reported before" in page and ids["reference"] in page  # the caller history is there
    for hidden in (VICTIM_NAME, PERPETRATOR_NAME, OTHER_NAME, "bqh@example.com", "Already in the register", "/staff/people/",
                   "/staff/places/"):
        assert hidden not in page, hidden
    for url in (f"/staff/lookup/?q={VICTIM_PHONE.replace(' ', '+')}", f"/staff/lookup/?q={ids['reference']}",
                f"/staff/phone-report/{ids['reference']}/"):
        page = client.get(url).content.decode()
        for hidden in (VICTIM_NAME, PERPETRATOR_NAME, "/staff/people/"):
            assert hidden not in page, (url, hidden)


def test_a_partner_never_reaches_the_register_even_for_a_person_shared_with_them(client, users, ids):
    client.force_login(users["police"])
    page = client.get(f"/partners/cases/{ids['reference']}/").content.decode()
    assert VICTIM_NAME in page  # shared with the police on her consent
    assert "/staff/people/" not in page and "/staff/places/" not in page
    for url in (f"/staff/people/{ids['person']}/", f"/staff/places/{ids['place']}/", "/staff/places/",
                f"/staff/cases/{ids['reference']}/matches/{ids['match']}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert VICTIM_NAME not in response.content.decode()
