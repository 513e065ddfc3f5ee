"""The register's rules: matching people across cases, merging and unmerging, repeat flags, places, the backfill."""

import importlib
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from cases.models import Party, PartyRole, Person, PersonMerge, Place, RepeatRule, TimelineEntry, TimelineKind
from cases.selectors_register import hotspots, person_cases, person_flags, place_cases, repeat_window
from cases.services import CaseError
from cases.services.register import (
    names_similar,
    party_link,
    person_candidates,
    person_merge,
    person_unmerge,
    person_vulnerable_set,
    place_for,
    place_key,
    register_rebuild,
    repeat_rule_update,
)
from cases.sla import LONDON

from .factories import CaseFactory, PartyFactory, ReportFactory

pytestmark = pytest.mark.django_db

MARGARET = dict(full_name="Margaret Ellis", phone="07700 900123", phone_normalised="07700900123",
                email="margaret@example.com", address="14 Bell Street, Oadby", postcode="LE18 1AA",
                date_of_birth=date(1951, 3, 2))


def person(**overrides) -> Person:
    return Person.objects.create(**{**MARGARET, **overrides})


# --- matching (table-driven) ---------------------------------------------------------------------------------------

# (what the new report says, the strength expected against Margaret's record or None, a reason expected)
MATCHING = [
    pytest.param(dict(full_name="Margaret Ellis", phone="07911 123456", email="MARGARET@example.com"),
                 "strong", "same email address", id="changed phone, same email"),
    pytest.param(dict(full_name="Margret Ellis", phone="+44 7700 900123"), "strong", "same phone number",
                 id="typo in first name, same phone"),
    pytest.param(dict(full_name="Mrs M Ellis", phone="07700-900-123"), "strong", "same phone number",
                 id="initial and title, same phone"),
    pytest.param(dict(full_name="Margaret Elis", email="margaret@example.com"), "strong", "same email address",
                 id="typo in surname, same email"),
    pytest.param(dict(full_name="Tom Ellis", phone="07700 900123"), None, None, id="shared family landline"),
    pytest.param(dict(full_name="Mark Ellis", phone="07700 900123"), None, None,
                 id="shared landline, same initial, different first name"),
    pytest.param(dict(full_name="Tom Ellis", phone="07700 900123", address="14 Bell Street", postcode="le18 1aa"),
                 "weak", "same address", id="shared landline and address: weak only"),
    pytest.param(dict(full_name="Tom Ellis", address="14, Bell Street", postcode="LE181AA"), "weak", "same address",
                 id="different person at the same address"),
    pytest.param(dict(full_name="Sunita Patel", address="14 Bell Street", postcode="LE18 1AA"), None, None,
                 id="lodger with another surname at the same address"),
    pytest.param(dict(full_name="margaret  ellis", date_of_birth=date(1951, 3, 2)), "strong",
                 "same name and date of birth", id="name and date of birth"),
    pytest.param(dict(full_name="Margaret Ellis"), "weak", "same name", id="the name alone"),
    pytest.param(dict(full_name="Margret Ellis", postcode="LE18 1AA"), "weak", "similar name and same postcode",
                 id="similar name, same postcode"),
    pytest.param(dict(full_name="Margaret Ellis", phone="07700 900123", date_of_birth=date(1980, 1, 1)), "weak",
                 "different date of birth", id="same phone and name but another date of birth"),
    pytest.param(dict(full_name="Margaret Ellis", address="14 Bell Street"), "strong", "same name and address",
                 id="same name and address (a perpetrator, no postcode)"),
    pytest.param(dict(full_name="Joan Smith", phone="07700 900123", email="margaret@example.com"), None, None,
                 id="someone else using her phone and email"),
]


@pytest.mark.parametrize("details, strength, reason", MATCHING)
def test_matching_rules(details, strength, reason):
    margaret = person()
    found = person_candidates(**details)
    if strength is None:
        assert found == []
        return
    assert [(c.person, c.strength) for c in found] == [(margaret, strength)]
    assert reason in found[0].reasons


@pytest.mark.parametrize("a, b, similar", [
    ("Margaret Ellis", "Margret Ellis", True),
    ("Margaret Ellis", "Mrs M. Ellis", True),
    ("Jon Ellis", "John Ellis", True),
    ("Steven Ellis", "Stephen Ellis", True),
    ("Tom Ellis", "Tim Ellis", False),
    ("Mark Ellis", "Margaret Ellis", False),
    ("Tom Ellis", "Margaret Ellis", False),
    ("Margaret Ellis", "Margaret Elis", True),
    ("Margaret Ellis", "Margaret Hollingsworth", False),
    ("Ellis", "Margaret Ellis", False),
])
def test_names_similar(a, b, similar):
    assert names_similar(a, b) is similar
    assert names_similar(b, a) is similar


def test_a_phone_number_she_has_since_changed_still_finds_her():
    margaret = person(phone="07911 123456", phone_normalised="07911123456", email="new@example.com")
    PartyFactory(person=margaret, full_name="Margaret Ellis", phone="07700 900123", phone_normalised="07700900123",
                 email="margaret@example.com")
    [found] = person_candidates(full_name="Margaret Ellis", phone="07700 900123")
    assert (found.person, found.strength, found.reasons) == (margaret, "strong", ("same phone number",))


def test_candidates_never_include_merged_or_anonymised_records():
    kept, retired, anonymised = person(), person(), person(anonymised_at=timezone.now())
    retired.merged_into = kept
    retired.save()
    assert [c.person for c in person_candidates(full_name="Margaret Ellis", phone="07700900123")] == [kept]
    assert person_candidates(full_name="Margaret Ellis", phone="07700900123", exclude_person_id=kept.pk) == []
    assert anonymised.pk not in {c.person.pk for c in person_candidates(full_name="Margaret Ellis")}


def test_strong_matches_come_first_and_the_limit_holds():
    strong = person()
    weak = [person(phone="", phone_normalised="", email="", date_of_birth=None, address="", postcode="") for _ in range(6)]
    found = person_candidates(full_name="Margaret Ellis", phone="07700 900123", limit=5)
    assert len(found) == 5 and found[0].person == strong and found[0].strength == "strong"
    assert {c.strength for c in found[1:]} == {"weak"} and {c.person for c in found[1:]} <= set(weak)


def test_candidate_lookup_is_two_queries_however_many_people(django_assert_num_queries):
    for n in range(30):
        someone = person(full_name=f"Person {n} Ellis", email=f"p{n}@example.com", date_of_birth=date(1951, 3, 2))
        PartyFactory(person=someone, full_name=someone.full_name, date_of_birth=someone.date_of_birth)
    with django_assert_num_queries(2):
        person_candidates(full_name="Margaret Ellis", date_of_birth=date(1951, 3, 2), email="m@example.com",
                          phone="07700 900123", address="14 Bell Street", postcode="LE18 1AA")


# --- linking a party ------------------------------------------------------------------------------------------------


def test_party_link_strong_links_and_takes_newer_contact_details():
    margaret = person(date_of_birth=None)
    party = PartyFactory(full_name="Margaret Ellis", email="margaret@example.com", phone="07911 123456",
                         phone_normalised="07911123456", date_of_birth=date(1951, 3, 2), address="", postcode="")
    assert party_link(party=party) == margaret
    party.refresh_from_db()
    margaret.refresh_from_db()
    assert party.person == margaret
    assert margaret.phone_normalised == "07911123456"  # the latest we heard
    assert margaret.date_of_birth == date(1951, 3, 2)  # a blank filled
    assert margaret.address == "14 Bell Street, Oadby"  # the party gave none: kept


def test_party_link_weak_match_makes_a_new_person_and_a_possible_match_only():
    margaret = person()
    tom = PartyFactory(full_name="Tom Ellis", phone="", phone_normalised="", email="", address="14 Bell Street",
                       postcode="LE18 1AA")
    linked = party_link(party=tom)
    assert linked != margaret and linked.full_name == "Tom Ellis"
    assert [(m.person, m.decision) for m in tom.possible_matches.all()] == [(margaret, "")]
    assert "same address" in tom.possible_matches.get().reasons


def test_party_link_gives_unknown_people_no_person():
    party = PartyFactory(full_name="", is_unknown=True, description="Three teenagers on bikes")
    assert party_link(party=party) is None
    assert Person.objects.count() == 0


def test_party_link_query_count_is_bounded(django_assert_max_num_queries):
    for n in range(20):
        person(full_name=f"Other {n} Ellis")
    party = PartyFactory(full_name="Tom Ellis", phone="", phone_normalised="", email="", address="14 Bell Street",
                         postcode="LE18 1AA")
    with django_assert_max_num_queries(8):
        party_link(party=party)


# --- merging and unmerging -----------------------------------------------------------------------------------------


def _on_case(who: Person, **overrides) -> Party:
    return PartyFactory(person=who, full_name=who.full_name, **overrides)


def test_merge_then_unmerge_restores_exactly(officer_user):
    kept = person(date_of_birth=None, is_vulnerable=False)
    merged = person(full_name="Mrs M Ellis", phone="", phone_normalised="", is_vulnerable=True,
                    vulnerability_note="Lives alone, hearing loss")
    kept_parties = [_on_case(kept), _on_case(kept)]
    merged_parties = [_on_case(merged), _on_case(merged)]

    merge = person_merge(kept=kept, merged=merged, reason="The same woman", actor=officer_user)

    kept.refresh_from_db()
    merged.refresh_from_db()
    assert merged.merged_into == kept
    assert sorted(merge.party_ids) == sorted(p.pk for p in merged_parties)
    assert set(Party.objects.filter(person=kept)) == set(kept_parties + merged_parties)
    assert kept.date_of_birth == date(1951, 3, 2) and kept.is_vulnerable  # blanks filled
    cases = {p.case_id for p in kept_parties + merged_parties}
    entries = TimelineEntry.objects.filter(kind=TimelineKind.PARTY, changes__person_merge=merge.pk)
    assert {e.case_id for e in entries} == cases and entries.first().visibility == "staff"
    assert len(person_cases(kept)) == 4

    person_unmerge(merge=merge, actor=officer_user)

    kept.refresh_from_db()
    merged.refresh_from_db()
    merge.refresh_from_db()
    assert merged.merged_into is None and merge.undone_by == officer_user and merge.undone_at
    assert set(Party.objects.filter(person=merged)) == set(merged_parties)
    assert set(Party.objects.filter(person=kept)) == set(kept_parties)
    assert kept.date_of_birth is None and not kept.is_vulnerable and kept.vulnerability_note == ""
    assert TimelineEntry.objects.filter(changes__person_unmerge=merge.pk).count() == len(cases)
    with pytest.raises(CaseError, match="already been undone"):
        person_unmerge(merge=merge, actor=officer_user)


def test_merging_twice_or_into_itself_or_anonymised_is_refused(officer_user):
    kept, merged, other = person(), person(), person()
    person_merge(kept=kept, merged=merged, reason="", actor=officer_user)
    with pytest.raises(CaseError, match="already been merged"):
        person_merge(kept=kept, merged=merged, reason="", actor=officer_user)
    with pytest.raises(CaseError, match="already been merged"):
        person_merge(kept=merged, merged=other, reason="", actor=officer_user)
    with pytest.raises(CaseError, match="different person"):
        person_merge(kept=kept, merged=kept, reason="", actor=officer_user)
    gone = person(anonymised_at=timezone.now())
    with pytest.raises(CaseError, match="anonymised"):
        person_merge(kept=kept, merged=gone, reason="", actor=officer_user)
    assert PersonMerge.objects.count() == 1


def test_unmerge_refused_while_a_later_merge_holds_the_kept_record(officer_user):
    a, b, c = person(), person(), person()
    _on_case(b)
    first = person_merge(kept=b, merged=a, reason="", actor=officer_user)
    second = person_merge(kept=c, merged=b, reason="", actor=officer_user)
    with pytest.raises(CaseError, match="undo that merge first"):
        person_unmerge(merge=first, actor=officer_user)
    person_unmerge(merge=second, actor=officer_user)
    person_unmerge(merge=first, actor=officer_user)
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_vulnerable_flag_needs_a_reason_and_shows_on_each_case(officer_user):
    margaret = person()
    parties = [_on_case(margaret), _on_case(margaret)]
    with pytest.raises(CaseError, match="why"):
        person_vulnerable_set(person=margaret, vulnerable=True, note=" ", actor=officer_user)
    person_vulnerable_set(person=margaret, vulnerable=True, note="Lives alone", actor=officer_user)
    assert person_flags([margaret.pk])[margaret.pk].vulnerable
    assert TimelineEntry.objects.filter(summary="Margaret Ellis marked as vulnerable").count() == len(parties)


# --- repeat flags -------------------------------------------------------------------------------------------------


def _case_with(who: Person, role: str, received_at: datetime) -> Party:
    case = CaseFactory(received_at=received_at)
    party = PartyFactory(case=case, person=who, role=role, full_name=who.full_name)
    ReportFactory(case=case, reporter=party, received_at=received_at)
    return party


def test_repeat_victim_counts_cases_within_the_window_edges():
    margaret = person()
    today = date(2026, 11, 28)
    start = datetime(2025, 11, 28, 0, 0, tzinfo=LONDON)  # twelve calendar months back, London midnight
    assert repeat_window(12, today=today)[0] == start
    _case_with(margaret, PartyRole.VICTIM, start)  # first instant of the window: counts
    _case_with(margaret, PartyRole.COMPLAINANT, datetime(2026, 11, 28, 23, 59, tzinfo=LONDON))  # today: counts
    _case_with(margaret, PartyRole.VICTIM, start - timedelta(minutes=1))  # just before: does not
    _case_with(margaret, PartyRole.WITNESS, datetime(2026, 6, 1, tzinfo=LONDON))  # a witness: does not
    flags = person_flags([margaret.pk], today=today)[margaret.pk]
    assert (flags.victim_cases, flags.repeat_victim) == (2, False)

    _case_with(margaret, PartyRole.REPORTER, datetime(2026, 3, 1, tzinfo=LONDON))
    assert person_flags([margaret.pk], today=today)[margaret.pk].repeat_victim
    # A day later the first case has left the window.
    assert not person_flags([margaret.pk], today=today + timedelta(days=1))[margaret.pk].repeat_victim


def test_repeat_flags_follow_the_clock_and_the_rule():
    darren = person(full_name="Darren Pike", phone="", phone_normalised="", email="", date_of_birth=None)
    with time_machine.travel(datetime(2026, 2, 10, 12, 0, tzinfo=LONDON), tick=False):
        for days in (1, 40, 200):
            _case_with(darren, PartyRole.PERPETRATOR, timezone.now() - timedelta(days=days))
        flags = person_flags([darren.pk])[darren.pk]
        assert (flags.perpetrator_cases, flags.repeat_perpetrator, flags.repeat_victim) == (3, True, False)
        repeat_rule_update(kind=RepeatRule.Kind.PERPETRATOR, cases=3, months=6, actor=None)
        assert person_flags([darren.pk])[darren.pk].perpetrator_cases == 2
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=LONDON), tick=False):
        assert person_flags([darren.pk])[darren.pk].perpetrator_cases == 0


def test_repeat_rule_update_refuses_nonsense():
    with pytest.raises(CaseError):
        repeat_rule_update(kind="victim", cases=1, months=12, actor=None)
    with pytest.raises(CaseError):
        repeat_rule_update(kind="victim", cases=3, months=0, actor=None)
    assert RepeatRule.objects.get(kind="victim").cases == 3


def test_person_flags_cost_two_queries_for_any_number_of_people(django_assert_num_queries):
    people = [person(full_name=f"Person {n}") for n in range(25)]
    for who in people[:5]:
        _case_with(who, PartyRole.VICTIM, timezone.now())
    with django_assert_num_queries(2):
        flags = person_flags([p.pk for p in people])
    assert len(flags) == 25 and flags[people[0].pk].victim_cases == 1 and flags[people[10].pk].victim_cases == 0


def test_person_cases_lists_each_case_and_role():
    margaret = person()
    older = _case_with(margaret, PartyRole.VICTIM, timezone.now() - timedelta(days=30))
    newer = _case_with(margaret, PartyRole.WITNESS, timezone.now() - timedelta(days=1))
    rows = person_cases(margaret)
    assert [(r.case, r.role_label) for r in rows] == [(newer.case, "Witness"), (older.case, "Victim")]


# --- places ---------------------------------------------------------------------------------------------------------


def test_place_key_normalises_the_first_line_and_postcode():
    assert place_key("14 Bell Street, Oadby", "le18 1aa") == "14BELLSTREET|LE181AA"
    assert place_key("14, bell street\nOadby", "LE181AA") == place_key("14  BELL STREET.", "LE18 1AA") == "14BELLSTREET|LE181AA"
    assert place_key("", "LE18 1AA") == ""
    assert place_for(address="", postcode="LE18 1AA") is None
    first = place_for(address="14 Bell Street, Oadby", postcode="le18 1aa")
    assert place_for(address="14 BELL STREET", postcode="LE181AA") == first and Place.objects.count() == 1


def test_hotspots_rank_places_by_reports_in_the_period():
    bell, park = place_for(address="14 Bell Street", postcode="LE18 1AA"), place_for(address="Victoria Park", postcode="")
    now = timezone.now()
    for place, ages in ((bell, (1, 2, 3)), (park, (1, 90))):
        for age in ages:
            ReportFactory(case=CaseFactory(place=place, received_at=now - timedelta(days=age)),
                          received_at=now - timedelta(days=age))
    rows = hotspots(start=now - timedelta(days=30), end=now)
    assert [(r.place, r.reports, r.open_cases) for r in rows] == [(bell, 3, 3), (park, 1, 2)]
    assert [c.place for c in place_cases(park)] == [park, park]


# --- the backfill ---------------------------------------------------------------------------------------------------


def _unlinked(**values) -> Party:
    values = {"phone": "", "email": "", "address": "", "postcode": "", **values}
    from cases.validators import normalise_phone

    return PartyFactory(phone_normalised=normalise_phone(values["phone"]), **values)


def test_backfill_groups_strong_matches_across_cases_and_is_idempotent():
    by_phone = _unlinked(full_name="Margaret Ellis", phone="07700 900123", email="margaret@example.com")
    by_email = _unlinked(full_name="Margaret Ellis", phone="07911 123456", email="MARGARET@example.com".lower())
    by_initial = _unlinked(full_name="Mrs M Ellis", phone="+44 7911 123456")
    tom = _unlinked(full_name="Tom Ellis", phone="07700 900123")
    dob_a = _unlinked(full_name="Darren Pike", date_of_birth=date(1990, 5, 5), role=PartyRole.PERPETRATOR)
    dob_b = _unlinked(full_name="darren pike", date_of_birth=date(1990, 5, 5), role=PartyRole.PERPETRATOR)
    other_dob = _unlinked(full_name="Darren Pike", date_of_birth=date(1970, 1, 1), role=PartyRole.PERPETRATOR)
    group = _unlinked(full_name="", is_unknown=True, description="Teenagers on bikes")
    CaseFactory(address="9 Elm Road", postcode="LE2 5AA")
    CaseFactory(address="9, ELM ROAD, Oadby", postcode="le25aa")
    CaseFactory(address="", postcode="LE2 5AA")

    migration = importlib.import_module("cases.migrations.0019_register_backfill")
    migration.backfill(django_apps, SimpleNamespace(connection=connection))

    def person_of(party):
        return Party.objects.get(pk=party.pk).person_id

    assert person_of(by_phone) == person_of(by_email) == person_of(by_initial) is not None
    assert len({person_of(by_phone), person_of(tom), person_of(dob_a), person_of(other_dob)}) == 4
    assert person_of(dob_a) == person_of(dob_b)
    assert person_of(group) is None
    margaret = Person.objects.get(pk=person_of(by_phone))
    assert margaret.full_name == "Margaret Ellis" and margaret.phone_normalised == "07911123456"  # the latest
    elm = Place.objects.get(key="9ELMROAD|LE25AA")
    assert elm.cases.count() == 2
    people, places = Person.objects.count(), Place.objects.count()

    again = register_rebuild()
    assert (again.parties_linked, again.people_created, again.cases_placed) == (0, 0, 0)
    assert (Person.objects.count(), Place.objects.count()) == (people, places)

    # A party added later without the register (bulk, say) joins the person already there.
    late = _unlinked(full_name="Margaret Ellis", email="margaret@example.com")
    assert str(register_rebuild(dry_run=True)).startswith("1 parties would be linked")
    assert person_of(late) is None
    register_rebuild()
    assert person_of(late) == margaret.pk and Person.objects.count() == people


def test_backfill_query_count_does_not_grow_with_the_data(django_assert_max_num_queries):
    for n in range(40):
        _unlinked(full_name=f"Person {n} Smith", phone=f"07700 9001{n:02d}", case=CaseFactory(address=f"{n} High St"))
    with django_assert_max_num_queries(20):
        result = register_rebuild()
    assert (result.people_created, result.parties_linked, result.cases_placed) == (40, 40, 40)
