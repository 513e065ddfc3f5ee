"""The register's screens (issue 12): a person's page, merging and unmerging, the vulnerable flag, deciding a possible
match, hotspots and a place's page, the repeat rules; the flags on the case page, the officer's home and the phone
report. Every URL for every role, what each page reveals, and fixed query counts."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import (
    ActionType,
    AgencyMember,
    Case,
    Channel,
    PartnerAgency,
    Party,
    PartyRole,
    Person,
    PersonMerge,
    PossibleMatch,
    RepeatRule,
)
from cases.roles import GROUP_NAMES, Role
from cases.services import action_record, case_assign, contact_record, party_add, report_submit
from cases.services.register import party_link, place_for

from ..conftest import PASSWORD
from ..reporting.test_phone_report import phone_form
from .factories import UserFactory, report_submission

pytestmark = pytest.mark.django_db

VICTIM, PERPETRATOR = "Margaret Hollingsworth", "Kyle Mercer"
ELM_ROAD = "75 Elm Road"


def case_for(officer, *, days_ago=10, name=VICTIM, phone="07700 900123", email="margaret@example.com", address=ELM_ROAD,
             postcode="LE18 1AA", perpetrator=PERPETRATOR, where="14 Bell Street"):
    """A report from `name` (linked to the register as intake would) with a named perpetrator, at `where`."""
    received = timezone.now() - timedelta(days=days_ago)
    report = report_submit(
        data=report_submission(incident_date=timezone.localdate(received), full_name=name, phone=phone, email=email, reporter_address=address, reporter_postcode=postcode,
                               address=where, postcode="LE18 1AA", description=f"Trouble {uuid.uuid4().hex[:6]}"),
        channel=Channel.ONLINE, submission_key=uuid.uuid4(), received_at=received,
    )
    case = report.case
    case_assign(case=case, officer=officer, actor=officer)
    party_link(party=report.reporter)
    if perpetrator:
        party_link(party=party_add(case=case, actor=officer, role=PartyRole.PERPETRATOR, full_name=perpetrator,
                                   address="16 Bell Street", postcode="LE18 1AA"))
    place = place_for(address=where, postcode="LE18 1AA")
    Case.objects.filter(pk=case.pk).update(place=place)
    case.refresh_from_db()
    return case


def person_on(case, role=PartyRole.VICTIM) -> Person:
    return case.parties.get(role=role).person


@pytest.fixture
def world(officer_user):
    """Margaret on three cases (a repeat victim) with Kyle on each (a repeat perpetrator); a fourth case whose victim
    has only the same name (a possible match waiting)."""
    cases = [case_for(officer_user, days_ago=d) for d in (5, 40, 90)]
    weak = case_for(officer_user, days_ago=2, phone="07700 900555", email="other@example.com", address="", postcode="", perpetrator="")
    return {"cases": cases, "weak": weak, "margaret": person_on(cases[0]), "kyle": person_on(cases[0], PartyRole.PERPETRATOR),
            "match": PossibleMatch.objects.get(party__case=weak)}


@pytest.fixture
def partner_user(db):
    user = UserFactory(username="pc", password=PASSWORD)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_USER]))
    AgencyMember.objects.create(user=user, agency=PartnerAgency.objects.get(name="Leicestershire Police"))
    return user


def urls(world):
    margaret, weak, match = world["margaret"], world["weak"], world["match"]
    merge = PersonMerge.objects.create(kept=margaret, merged=Person.objects.create(full_name="M Hollingsworth", merged_into=margaret),
                                       reason="Test")
    return {
        "person": f"/staff/people/{margaret.pk}/",
        "merge": f"/staff/people/{margaret.pk}/merge/",
        "vulnerable": f"/staff/people/{margaret.pk}/vulnerable/",
        "unmerge": f"/staff/people/merges/{merge.pk}/undo/",
        "match": f"/staff/cases/{weak.reference}/matches/{match.pk}/",
        "hotspots": "/staff/places/",
        "place": f"/staff/places/{weak.place_id}/",
        "rules": "/staff/repeat-rules/",
    }


EXPECTED = {
    "officer": {"rules": 404},
    "manager": {},
    "call_centre": dict.fromkeys(["person", "merge", "vulnerable", "unmerge", "match", "hotspots", "place", "rules"], 404),
    "partner": dict.fromkeys(["person", "merge", "vulnerable", "unmerge", "match", "hotspots", "place", "rules"], 404),
}


@pytest.mark.parametrize("role", ["anonymous", "call_centre", "partner", "officer", "manager"])
def test_every_register_url_for_every_role(client, world, role, request):
    found = urls(world)
    if role != "anonymous":
        user = request.getfixturevalue("partner_user" if role == "partner" else f"{role}_user")
        client.force_login(user)
    for name, url in found.items():
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response["Location"], name
        else:
            assert response.status_code == EXPECTED[role].get(name, 200), (role, name, response.status_code)


def test_person_page_shows_cases_roles_flags_contacts_and_actions(client, officer_user, world):
    case = world["cases"][0]
    victim = case.parties.get(role=PartyRole.VICTIM)
    contact_record(case=case, party=victim, method="phone", direction="out", successful=True, summary="Called back",
                   occurred_at=timezone.now() - timedelta(days=1), gave_update=True, actor=officer_user)
    client.force_login(officer_user)
    page = client.get(f"/staff/people/{world['margaret'].pk}/").content.decode()
    assert VICTIM in page and "07700 900123" in page and ELM_ROAD in page
    assert all(c.reference in page for c in world["cases"])
    assert "Repeat victim" in page and "3 cases as a victim or complainant in the last 12 months" in page
    assert "Repeat perpetrator" not in page
    assert "Phone (update)" in page  # the contact with her
    # The same-name victim on the fourth case is waiting for someone to decide.
    assert "Possible matches waiting" in page and f"/staff/cases/{world['weak'].reference}/matches/{world['match'].pk}/" in page
    kyle = client.get(f"/staff/people/{world['kyle'].pk}/").content.decode()
    assert "Repeat perpetrator" in kyle and "Alleged perpetrator" in kyle


def test_actions_against_a_perpetrator_show_on_their_page(client, officer_user, world):
    case = world["cases"][0]
    kyle = case.parties.get(role=PartyRole.PERPETRATOR)
    action_record(case=case, action_type=ActionType.objects.get(slug="cpw"), perpetrator=kyle, served_on=timezone.localdate(),
                  actor=officer_user)
    client.force_login(officer_user)
    page = client.get(f"/staff/people/{world['kyle'].pk}/").content.decode()
    assert ActionType.objects.get(slug="cpw").name in page


def test_a_merged_record_redirects_to_the_kept_one_with_a_note(client, officer_user, world):
    old = Person.objects.create(full_name="Maggie Hollingsworth")
    PersonMerge.objects.create(kept=world["margaret"], merged=old)
    Person.objects.filter(pk=old.pk).update(merged_into=world["margaret"])
    client.force_login(officer_user)
    response = client.get(f"/staff/people/{old.pk}/", follow=True)
    assert response.redirect_chain[-1][0] == f"/staff/people/{world['margaret'].pk}/"
    assert "That record was merged into this one" in response.content.decode()


def test_merge_and_undo_through_the_screens(client, officer_user, world):
    other = Person.objects.create(full_name="M. Hollingsworth", phone="07700 900123", phone_normalised="07700900123")
    stray = Party.objects.create(case=world["weak"], role=PartyRole.WITNESS, full_name="M. Hollingsworth", person=other)
    margaret = world["margaret"]
    client.force_login(officer_user)
    url = f"/staff/people/{margaret.pk}/merge/"
    empty = client.post(url, {}).content.decode()
    assert "Choose the record that is the same person, or type its record number" in empty and "Say why they are the same person" in empty
    itself = client.post(url, {"other_id": margaret.pk, "reason": "Same"}).content.decode()
    assert "That is this person&#x27;s own record" in itself
    confirm = client.post(url, {"other_id": other.pk, "reason": "Same phone, initial"})
    assert confirm.status_code == 200 and "Are these the same person?" in confirm.content.decode()
    assert Person.objects.get(pk=other.pk).merged_into_id is None  # nothing merged before confirming
    done = client.post(url, {"confirm": "1", "person_id": other.pk, "reason": "Same phone, initial"})
    assert done.status_code == 302 and done["Location"] == f"/staff/people/{margaret.pk}/"
    stray.refresh_from_db()
    assert stray.person_id == margaret.pk
    merge = PersonMerge.objects.get(merged=other)
    page = client.get(f"/staff/people/{margaret.pk}/").content.decode()
    assert f"Record {other.pk} (M. Hollingsworth) merged into this one" in page and "Undo" in page
    assert client.get(f"/staff/people/merges/{merge.pk}/undo/").status_code == 200
    undone = client.post(f"/staff/people/merges/{merge.pk}/undo/")
    assert undone.status_code == 302
    stray.refresh_from_db()
    merge.refresh_from_db()
    assert stray.person_id == other.pk and merge.undone_at is not None


def test_vulnerable_flag_needs_a_reason_and_shows_on_the_case_page(client, officer_user, world):
    margaret = world["margaret"]
    client.force_login(officer_user)
    url = f"/staff/people/{margaret.pk}/vulnerable/"
    assert "Say why this person is vulnerable" in client.post(url, {"vulnerable": "yes", "note": ""}).content.decode()
    assert client.post(url, {"vulnerable": "yes", "note": "Lives alone, hearing loss"}).status_code == 302
    margaret.refresh_from_db()
    assert margaret.is_vulnerable and margaret.vulnerability_note == "Lives alone, hearing loss"
    case_page = client.get(f"/staff/cases/{world['cases'][0].reference}/").content.decode()
    assert "Vulnerable" in case_page and f"/staff/people/{margaret.pk}/" in case_page


def test_case_page_flags_people_and_offers_a_waiting_match(client, officer_user, world):
    client.force_login(officer_user)
    page = client.get(f"/staff/cases/{world['cases'][0].reference}/").content.decode()
    assert "Repeat victim" in page and "Repeat perpetrator" in page
    weak_page = client.get(f"/staff/cases/{world['weak'].reference}/").content.decode()
    assert "Possible match: check" in weak_page and f"/matches/{world['match'].pk}/" in weak_page


def test_deciding_a_match_links_the_person_and_clears_the_prompt(client, officer_user, world):
    weak, match = world["weak"], world["match"]
    client.force_login(officer_user)
    url = f"/staff/cases/{weak.reference}/matches/{match.pk}/"
    page = client.get(url).content.decode()
    assert f"Is this the same {VICTIM}, {ELM_ROAD}?" in page
    assert "07700 900555" in page and "07700 900123" in page  # both records side by side
    assert "Select whether this is the same person" in client.post(url, {}).content.decode()
    assert client.post(url, {"same": "yes"}).status_code == 302
    match.refresh_from_db()
    assert match.decision == PossibleMatch.Decision.SAME
    assert weak.parties.get(role=PartyRole.VICTIM).person_id == world["margaret"].pk
    after = client.get(f"/staff/cases/{weak.reference}/").content.decode()
    assert "Possible match: check" not in after
    person_page = client.get(f"/staff/people/{world['margaret'].pk}/").content.decode()
    assert weak.reference in person_page and "4 cases as a victim or complainant" in person_page


def test_a_match_answered_no_is_recorded_and_not_offered_again(client, officer_user, world):
    weak, match = world["weak"], world["match"]
    client.force_login(officer_user)
    assert client.post(f"/staff/cases/{weak.reference}/matches/{match.pk}/", {"same": "no"}).status_code == 302
    match.refresh_from_db()
    assert match.decision == PossibleMatch.Decision.DIFFERENT
    assert weak.parties.get(role=PartyRole.VICTIM).person_id != world["margaret"].pk
    assert "Possible match: check" not in client.get(f"/staff/cases/{weak.reference}/").content.decode()


def test_a_match_on_another_case_is_404(client, officer_user, world):
    client.force_login(officer_user)
    assert client.get(f"/staff/cases/{world['cases'][0].reference}/matches/{world['match'].pk}/").status_code == 404


def test_officer_home_tags_cases_with_a_repeat_victim(client, officer_user, world):
    client.force_login(officer_user)
    page = client.get("/staff/").content.decode()
    assert "Repeat victim" in page


def test_hotspots_rank_places_by_reports_in_the_period_and_link_to_the_place(client, officer_user, world):
    case_for(officer_user, days_ago=200, where="3 Quiet Lane", perpetrator="")
    client.force_login(officer_user)
    month = client.get("/staff/places/").content.decode()
    assert "14 Bell Street" in month and "3 Quiet Lane" not in month
    year = client.get("/staff/places/", {"period": "12m"}).content.decode()
    assert "14 Bell Street" in year and "3 Quiet Lane" in year
    assert year.index("14 Bell Street") < year.index("3 Quiet Lane")  # more reports first
    place = client.get(f"/staff/places/{world['weak'].place_id}/").content.decode()
    assert all(c.reference in place for c in [*world["cases"], world["weak"]])


def test_repeat_rules_refuse_out_of_range_values_and_save(client, manager_user, world):
    client.force_login(manager_user)
    bad = client.post("/staff/repeat-rules/", {"victim_cases": "1", "victim_months": "37", "perpetrator_cases": "21",
                                               "perpetrator_months": "x"}).content.decode()
    assert "Victim: number of cases must be a whole number from 2 to 20" in bad
    assert "Victim: in how many months must be a whole number from 1 to 36" in bad
    assert "Perpetrator: number of cases must be a whole number from 2 to 20" in bad
    assert "Perpetrator: in how many months must be a whole number from 1 to 36" in bad
    ok = client.post("/staff/repeat-rules/", {"victim_cases": "4", "victim_months": "6", "perpetrator_cases": "2",
                                              "perpetrator_months": "24"})
    assert ok.status_code == 302
    rules = {r.kind: (r.cases, r.months) for r in RepeatRule.objects.all()}
    assert rules == {"victim": (4, 6), "perpetrator": (2, 24)}
    person = client.get(f"/staff/people/{world['margaret'].pk}/").content.decode()
    assert "Repeat victim" not in person  # 3 cases no longer make a repeat victim


# --- the phone report's prompt ----------------------------------------------------------------------------------

def _call(**overrides):
    return phone_form(**{"about-you-full_name": VICTIM, "about-you-phone": "07700 900888", "about-you-email": "new@example.com",
                         "about-you-reporter_address": ELM_ROAD, "about-you-reporter_postcode": "LE18 1AA",
                         "location-address": "9 Other Road", "people-perpetrator_known": "named",
                         "people-perpetrator_name": PERPETRATOR, "people-perpetrator_address": "16 Bell Street", **overrides})


def test_officer_taking_a_call_is_asked_whether_the_caller_is_a_register_person(client, officer_user, world):
    client.force_login(officer_user)
    page = client.post("/staff/phone-report/", _call()).content.decode()
    # The same name and address: intake will link her; the officer is told who she is.
    assert f"The caller is known to us: {VICTIM}, {ELM_ROAD}" in page and f"Is this the same {VICTIM}, {ELM_ROAD}?" not in page
    # The same name only (a new number, no address): a question, for the case page to settle.
    unsure = client.post("/staff/phone-report/", _call(**{"about-you-reporter_address": "", "about-you-reporter_postcode": ""}))
    assert f"Is this the same {VICTIM}, {ELM_ROAD}?" in unsure.content.decode()
    assert f"Named perpetrator: {PERPETRATOR}, 16 Bell Street is already on 3 other cases" in page
    assert "Repeat perpetrator" in page


def test_call_centre_never_sees_register_names_through_the_phone_report(client, call_centre_user, world):
    client.force_login(call_centre_user)
    response = client.post("/staff/phone-report/", _call())
    page = response.content.decode()
    assert "Already in the register" not in page and "Is this the same" not in page
    assert "Repeat" not in page and "other cases" not in page
    # The only names on the page are the ones the call handler typed (the form's own values).
    assert page.count(PERPETRATOR) == page.count(f'value="{PERPETRATOR}"')
    assert f"/staff/people/{world['kyle'].pk}/" not in page


def test_officer_saves_the_report_after_the_prompt(client, officer_user, world):
    client.force_login(officer_user)
    data = _call(**{"location-address": "99 Far Street", "about-you-reporter_address": "", "about-you-reporter_postcode": ""})
    first = client.post("/staff/phone-report/", data)
    assert first.status_code == 200
    second = client.post("/staff/phone-report/", {**data, "register_checked": "1"})
    assert second.status_code == 302


def test_phone_report_prompt_costs_a_fixed_number_of_queries(client, officer_user, call_centre_user, world):
    def count(user):
        client.force_login(user)
        client.post("/staff/phone-report/", _call())
        with CaptureQueriesContext(connection) as captured:
            client.post("/staff/phone-report/", _call())
        return len(captured)

    officer_before, cc_before = count(officer_user), count(call_centre_user)
    for d in range(6):
        case_for(officer_user, days_ago=100 + d)
    assert count(officer_user) == officer_before
    assert count(call_centre_user) == cc_before


def test_the_call_centre_phone_report_never_reads_the_register(client, call_centre_user, world):
    client.force_login(call_centre_user)
    with CaptureQueriesContext(connection) as captured:
        assert client.post("/staff/phone-report/", _call()).status_code == 200
    assert not [q["sql"] for q in captured if '"cases_person"' in q["sql"]]


# --- query counts -----------------------------------------------------------------------------------------------

PERSON_PAGE_MAX_QUERIES = 13  # measured: session, user, roles, person, the page's reads, flags


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_person_page_queries_are_fixed_at_1_and_20_cases(client, officer_user):
    first = case_for(officer_user, days_ago=1)
    client.force_login(officer_user)
    margaret = person_on(first)
    url = f"/staff/people/{margaret.pk}/"
    one = _queries(client, url)
    for d in range(19):
        case = case_for(officer_user, days_ago=2 + d)
        contact_record(case=case, party=case.parties.get(role=PartyRole.VICTIM), method="phone", direction="out", successful=True,
                       summary="Call", occurred_at=timezone.now() - timedelta(hours=d), gave_update=True, actor=officer_user)
    assert Party.objects.filter(person=margaret).count() == 20
    twenty = _queries(client, url)
    assert one == twenty <= PERSON_PAGE_MAX_QUERIES, (one, twenty)


def test_hotspots_and_place_page_queries_are_fixed(client, officer_user):
    case = case_for(officer_user, days_ago=1)
    client.force_login(officer_user)
    hot_before, place_before = _queries(client, "/staff/places/"), _queries(client, f"/staff/places/{case.place_id}/")
    for d in range(12):
        case_for(officer_user, days_ago=2 + d, where=f"{d} Other Street" if d % 2 else "14 Bell Street")
    assert _queries(client, "/staff/places/") == hot_before
    assert _queries(client, f"/staff/places/{case.place_id}/") == place_before
