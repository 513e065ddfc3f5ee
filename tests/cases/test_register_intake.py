"""The register on intake and when staff add or change someone: one person across cases, never doubled on a case,
weak matches proposed (never merged), places for case addresses."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import (
    Case,
    Channel,
    Party,
    PartyRole,
    Person,
    PersonMerge,
    PossibleMatch,
    TimelineEntry,
    TimelineKind,
)
from cases.selectors_register import possible_matches_open
from cases.services import CaseError, case_update, party_add, party_update
from cases.services.register import person_unmerge, possible_match_decide

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

PERPETRATOR = dict(perpetrator_known="named", perpetrator_name="Darren Pike", perpetrator_address="16 Bell Street")
PHONE_URL = "/staff/phone-report/"


def online(**overrides):
    return submit_report(report_submission(**{**PERPETRATOR, **overrides}), received_at=timezone.now() - timedelta(days=3))


def roles(case):
    return sorted((p.role, p.full_name, p.person_id is not None) for p in Party.objects.filter(case=case))


def test_online_report_then_phone_call_on_the_same_case_lists_each_person_once(client, call_centre_user):
    """Through the real phone-report page: she reported online, then phoned; the call centre added the call."""
    from ..reporting.helpers import answers

    first = online()
    case = first.case
    data = {"submission_key": str(uuid.uuid4()), "link_to": str(case.pk)}
    for step, fields in answers(people={"people-perpetrator_known": "named", "people-perpetrator_name": "Darren Pike",
                                        "people-perpetrator_address": "16 Bell Street"}).items():
        data.update(fields)
    data["about-you-phone"] = "07700 900 123"
    client.force_login(call_centre_user)
    response = client.post(PHONE_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert case.reports.count() == 2 and Case.objects.count() == 1

    assert roles(case) == [("perpetrator", "Darren Pike", True), ("victim", "Margaret Ellis", True)]
    # The same woman reporting a new problem elsewhere: a new case, the same person on the register.
    other = submit_report(report_submission(address="3 Station Road", postcode="LE2 5AA", phone="07700900123"))
    assert other.case != case
    assert other.reporter.person_id == first.reporter.person_id
    assert Person.objects.filter(full_name="Margaret Ellis").count() == 1


def test_the_same_perpetrator_on_three_cases_is_one_person():
    reports = [online(address=f"{n} Bell Street") for n in (10, 12, 14)]
    perpetrators = Party.objects.filter(case__in=[r.case for r in reports], role=PartyRole.PERPETRATOR)
    assert len(perpetrators) == 3 and len({p.person_id for p in perpetrators}) == 1
    victims = {r.reporter.person_id for r in reports}
    assert len(victims) == 1 and None not in victims


def test_described_groups_and_anonymous_reports_get_no_person():
    report = online(perpetrator_known="described", perpetrator_name="", perpetrator_description="Teenagers on bikes",
                    is_anonymous=True, full_name="", email="", phone="")
    assert [p.person_id for p in report.case.parties.all()] == [None]
    assert Person.objects.count() == 0


def test_intake_puts_the_case_at_its_place():
    first, second = online(), online(address="14 BELL STREET", postcode="LE181AA")
    assert first.case.place is not None and first.case.place == second.case.place
    assert first.case.place.key == "14BELLSTREET|LE181AA"
    nowhere = online(address="", postcode="", location_description="The park by the shops")
    assert nowhere.case.place is None


def test_case_update_moves_the_case_to_its_new_place(officer_user):
    case = online().case
    old = case.place
    case = case_update(case=case, actor=officer_user, address="2 Mill Lane")
    case.refresh_from_db()
    assert case.place != old and case.place.key == "2MILLLANE|LE181AA"


def test_a_different_person_at_the_same_address_is_proposed_never_linked(officer_user):
    margaret = online(reporter_address="14 Bell Street", reporter_postcode="LE18 1AA").reporter
    case = online(full_name="Zoe Adams", email="zoe@example.com", phone="07700 900777").case
    tom = party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, full_name="Tom Ellis",
                    address="14 Bell Street", postcode="LE18 1AA")
    assert tom.person_id and tom.person_id != margaret.person_id
    [match] = possible_matches_open(case=case)
    assert (match.party, match.person_id) == (tom, margaret.person_id) and "same address" in match.reasons

    possible_match_decide(match=match, same=False, actor=officer_user)
    match.refresh_from_db()
    assert match.decision == "different" and match.decided_by == officer_user
    assert Party.objects.get(pk=tom.pk).person_id != margaret.person_id
    assert TimelineEntry.objects.filter(case=case, kind=TimelineKind.PARTY, summary__contains="not the same person").exists()
    with pytest.raises(CaseError, match="already decided"):
        possible_match_decide(match=match, same=True, actor=officer_user)


def test_confirming_a_possible_match_merges_with_history_and_can_be_undone(officer_user):
    margaret = online().reporter
    case = online(full_name="Zoe Adams", email="zoe@example.com", phone="07700 900777").case
    named = party_add(case=case, actor=officer_user, role=PartyRole.VICTIM, full_name="Margaret Ellis")  # the name alone
    own = named.person_id
    [match] = possible_matches_open(case=case)
    assert match.reasons == "same name"

    possible_match_decide(match=match, same=True, actor=officer_user)
    named.refresh_from_db()
    assert named.person_id == margaret.person_id
    merge = PersonMerge.objects.get(kept_id=margaret.person_id, merged_id=own)
    assert merge.party_ids == [named.pk]
    assert possible_matches_open(case=case) == []

    person_unmerge(merge=merge, actor=officer_user)
    named.refresh_from_db()
    assert named.person_id == own


def test_editing_someone_links_them_again(officer_user):
    margaret = online().reporter
    case = online(full_name="Zoe Adams", email="zoe@example.com", phone="07700 900777").case
    party = party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, full_name="M Ellis")
    assert party.person_id != margaret.person_id
    own = party.person_id

    # Staff add her phone number: now a strong match, so her own new record is merged into Margaret's (undoable).
    party = party_update(party=party, actor=officer_user, phone="07700 900123")
    assert Party.objects.get(pk=party.pk).person_id == margaret.person_id
    assert Person.objects.get(pk=own).merged_into_id == margaret.person_id

    # A correction of the name to someone else entirely: the party leaves Margaret's record.
    party = party_update(party=party, actor=officer_user, full_name="Tom Ellis")
    assert Party.objects.get(pk=party.pk).person_id not in (None, margaret.person_id)
    assert Party.objects.filter(person_id=margaret.person_id).count() == 1


def test_contact_details_on_the_register_are_the_latest_known():
    first = online()
    online(email="margaret.ellis@example.org")  # the same phone number: her new email address
    person = Person.objects.get(pk=first.reporter.person_id)
    assert (person.email, person.phone_normalised) == ("margaret.ellis@example.org", "07700900123")
    third = online(phone="07911 123456")  # her first email address (on the first case only): a new phone number
    person.refresh_from_db()
    assert third.reporter.person_id == person.pk
    assert (person.email, person.phone_normalised) == ("margaret@example.com", "07911123456")
    assert Party.objects.get(pk=first.reporter.pk).email == "margaret@example.com"  # the case keeps what it was told


def test_intake_match_query_count_does_not_grow_with_the_register():
    home = dict(reporter_address="14 Bell Street", reporter_postcode="LE18 1AA")

    def neighbours(numbers):
        for n in numbers:
            online(full_name=f"Neighbour{n} Ellis", email=f"n{n}@example.com", phone=f"07700 9002{n:02d}", **home)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            submit_report(report_submission(**PERPETRATOR, **home), channel=Channel.ONLINE)
        return len(captured)

    neighbours(range(2))
    queries()  # Margaret's first report: her person is made
    queries()  # her second in six months: the Case Review is explained and her officer prompted to explain it
    queries()  # her third: she meets the Case Review threshold, and her case is flagged
    few = queries()  # from now on each report takes the same path: compare like with like
    neighbours(range(2, 30))
    many = queries()
    assert few == many <= 38, (few, many)  # 38 since the Case Review (threshold and second-report checks, 6)
    # Her first report proposed the two neighbours then at her address; a strong link later proposes nothing more.
    assert PossibleMatch.objects.filter(party__full_name="Margaret Ellis").count() == 2
    assert set(Party.objects.filter(role=PartyRole.VICTIM, full_name="Margaret Ellis").values_list("person", flat=True)) != {None}
    assert Person.objects.filter(full_name="Margaret Ellis").count() == 1


def test_a_person_staff_said_is_someone_else_is_never_linked_automatically(officer_user):
    margaret = online(reporter_address="14 Bell Street", reporter_postcode="LE18 1AA").reporter
    case = online(full_name="Zoe Adams", email="zoe@example.com", phone="07700 900777").case
    party = party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, full_name="Margaret Ellis")
    [match] = possible_matches_open(case=case)
    possible_match_decide(match=match, same=False, actor=officer_user)
    # Her phone number added later would be a strong match, but staff have said she is another Margaret Ellis.
    party_update(party=party, actor=officer_user, phone="07700 900123")
    assert Party.objects.get(pk=party.pk).person_id != margaret.person_id
    assert not PersonMerge.objects.exists()
