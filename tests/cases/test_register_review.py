"""Review of the register: wrong links (a date of birth that differs), a merge racing intake, the backfill."""

from datetime import date

import pytest

from cases.models import Party, PartyRole, Person
from cases.services import party_update
from cases.services import register as register_module
from cases.services.register import party_link, person_candidates, person_merge, register_rebuild
from cases.validators import normalise_phone

from .factories import PartyFactory

pytestmark = pytest.mark.django_db

FATHER_DOB, SON_DOB = date(1960, 1, 1), date(1990, 6, 6)
BELL = dict(address="1 Bell Street", postcode="LE18 1AA")


def _party(**values) -> Party:
    values = {"phone": "", "email": "", "address": "", "postcode": "", **values}
    return PartyFactory(phone_normalised=normalise_phone(values["phone"]), **values)


def test_a_different_date_of_birth_is_never_strong_even_through_a_party_without_one():
    # John Smith senior: first named on a case without his date of birth, later with it.
    father = Person.objects.create(full_name="John Smith", date_of_birth=FATHER_DOB, **BELL)
    _party(full_name="John Smith", person=father, role=PartyRole.VICTIM, **BELL)
    found = person_candidates(full_name="John Smith", date_of_birth=SON_DOB, **BELL)
    assert [c.strength for c in found if c.person == father] == ["weak"]

    # The son, named with his date of birth, is not linked to his father's record.
    son = _party(full_name="John Smith", date_of_birth=SON_DOB, role=PartyRole.PERPETRATOR, **BELL)
    assert party_link(party=son, fresh=True) != father
    assert Party.objects.filter(person=father).count() == 1


def test_a_date_of_birth_corrected_on_a_shared_record_takes_the_party_off_it(officer_user):
    father = Person.objects.create(full_name="John Smith", date_of_birth=FATHER_DOB, **BELL)
    _party(full_name="John Smith", person=father, date_of_birth=FATHER_DOB, **BELL)
    other = _party(full_name="John Smith", person=father, **BELL)  # linked before we knew his age
    party_update(party=other, actor=officer_user, date_of_birth=SON_DOB)
    other.refresh_from_db()
    assert other.person_id != father.pk
    father.refresh_from_db()
    assert father.date_of_birth == FATHER_DOB


def test_a_person_merged_while_intake_links_is_not_linked_to_the_retired_record(officer_user, monkeypatch):
    kept = Person.objects.create(full_name="Margaret Ellis", email="margaret@example.com")
    retired = Person.objects.create(full_name="Margaret Ellis", phone="07700 900123", phone_normalised="07700900123")
    real = register_module.person_candidates

    def candidates_then_merge(**kwargs):
        found = real(**kwargs)
        # Another officer's merge commits between the candidate search and the link.
        person_merge(kept=kept, merged=retired, reason="The same woman", actor=officer_user)
        return found

    monkeypatch.setattr(register_module, "person_candidates", candidates_then_merge)
    party = _party(full_name="Margaret Ellis", phone="07700 900123")
    linked = party_link(party=party, fresh=True)
    party.refresh_from_db()
    assert party.person_id == linked.pk
    assert linked.merged_into_id is None and party.person_id == kept.pk


def test_backfill_never_joins_father_and_son_through_a_party_without_a_date_of_birth():
    undated = _party(full_name="John Smith", **BELL)
    father = _party(full_name="John Smith", date_of_birth=FATHER_DOB, **BELL)
    son = _party(full_name="John Smith", date_of_birth=SON_DOB, **BELL)
    register_rebuild()
    people = {p.pk: Party.objects.get(pk=p.pk).person_id for p in (undated, father, son)}
    assert people[father.pk] != people[son.pk]


@pytest.mark.parametrize("a, b", [("Paul Smith", "Paula Smith"), ("Louis Smith", "Louise Smith"),
                                  ("Daniel Smith", "Danielle Smith"), ("Michael Smith", "Michaela Smith")])
def test_father_and_daughter_sharing_a_family_email_are_never_linked_without_asking(a, b):
    father = Person.objects.create(full_name=a, email="smiths@example.com")
    daughter = _party(full_name=b, email="smiths@example.com", role=PartyRole.VICTIM)
    assert [c.strength for c in person_candidates(full_name=b, email="smiths@example.com")] != ["strong"]
    assert party_link(party=daughter, fresh=True) != father


@pytest.mark.parametrize("a, b", [("Jon Ellis", "John Ellis"), ("Margret Ellis", "Margaret Ellis"),
                                  ("Steven Ellis", "Stephen Ellis")])
def test_a_slip_in_a_first_name_still_finds_them(a, b):
    from cases.services.register import names_similar

    assert names_similar(a, b) and names_similar(b, a)


def test_someone_giving_her_name_and_address_with_his_phone_never_sees_her_cases_in_caller_history(call_centre_user):
    from datetime import timedelta

    from django.utils import timezone

    from cases.selectors import caller_history

    from .factories import report_submission, submit_report

    home = dict(full_name="Margaret Ellis", reporter_address="14 Bell Street", reporter_postcode="LE18 1AA")
    hers = submit_report(report_submission(**home, phone="07700 900123", email="margaret@example.com"),
                         received_at=timezone.now() - timedelta(days=3))
    # Her abuser reports in her name, at her address, from his own phone: the register links it to her record.
    submit_report(report_submission(**home, phone="07911 555666", email="", preferred_contact_method="phone"),
                  received_at=timezone.now() - timedelta(days=1))
    # He phones again: the call centre types in his number and must not be shown her cases.
    rows = caller_history(call_centre_user, phone="07911 555666")
    assert hers.case.reference not in [r.reference for r in rows]
