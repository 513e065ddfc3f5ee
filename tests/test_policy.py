"""Unit tests of the access policy (cases/policy.py): who can do what, and what each user's querysets hold.

Shares and agreements are made directly with the models here, so these tests say what the policy
answers for any row the sharing screens may write.
"""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import (
    AccessEvent,
    AccessLogEntry,
    AgencyMember,
    CaseShare,
    Deadline,
    DeadlineKind,
    Evidence,
    PartnerAgency,
    Referral,
    SharedPerson,
    ShareScope,
    SharingAgreement,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.policy import (
    Can,
    access_log_visible_to,
    agencies_visible_to,
    can,
    capabilities,
    cases_visible_to,
    evidence_visible_to,
    parties_visible_to,
    referrals_visible_to,
    scoped,
    timeline_visible_to,
    users_who_can,
)
from cases.roles import GROUP_NAMES, Role

from .cases.factories import CaseFactory, PartyFactory, UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Who holds each capability, written out by hand (not read from cases.policy), so a change to the
# policy's role table has to be made here too, on purpose.
CC, OFFICER, MANAGER, SUPERUSER, PARTNER, LEAD = "call_centre", "officer", "manager", "superuser", "partner_user", "partner_lead"
STAFF = {CC, OFFICER, MANAGER, SUPERUSER}
CASEWORK = {OFFICER, MANAGER, SUPERUSER}
MANAGERS = {MANAGER, SUPERUSER}
WHO_CAN = {
    Can.LOG_PHONE_REPORTS: STAFF,
    Can.SEE_CALLER_HISTORY: STAFF,
    Can.ENTER_PHONE_SURVEYS: STAFF,
    Can.WORK_CASES: CASEWORK,
    Can.SEE_PEOPLE: CASEWORK,
    Can.START_PHONE_SURVEYS: CASEWORK,
    Can.SHARE_CASES: CASEWORK,
    Can.ASSIGN_CASES: MANAGERS,
    Can.MERGE_CASES: MANAGERS,
    Can.MANAGE_CLOSURE_DAYS: MANAGERS,
    Can.READ_DASHBOARD: MANAGERS,
    Can.EXPORT_DATA: MANAGERS,
    Can.READ_SURVEY_RESULTS: MANAGERS,
    Can.MANAGE_AGENCIES: MANAGERS,
    Can.READ_ACCESS_LOG: MANAGERS,
    Can.MANAGE_SIGN_IN: MANAGERS,
    Can.SEE_REGISTER: CASEWORK,
    Can.MERGE_PEOPLE: CASEWORK,
    Can.EDIT_REPEAT_RULES: MANAGERS,
    Can.MANAGE_PRIVACY: MANAGERS,
    Can.LOG_CASE_REVIEW_APPLICATIONS: STAFF,
    Can.SEE_CASE_REVIEWS: CASEWORK,
    Can.WORK_CASE_REVIEWS: CASEWORK,
    Can.DECIDE_CASE_REVIEWS: MANAGERS,
    Can.SEE_JAG: CASEWORK | {PARTNER, LEAD},
    Can.NOMINATE_FOR_JAG: CASEWORK | {PARTNER, LEAD},
    Can.MANAGE_JAG: MANAGERS,
    Can.EDIT_LETTER_TEMPLATES: MANAGERS,
    Can.READ_SHARED_CASES: {PARTNER, LEAD},
    Can.ANSWER_REFERRALS: {PARTNER, LEAD},
    Can.ADD_PARTNER_NOTES: {PARTNER, LEAD},
    Can.MANAGE_AGENCY_USERS: {LEAD},
    Can.READ_AGENCY_ACCESS_LOG: {LEAD},
    Can.READ_RECOMMENDATIONS: {PARTNER, LEAD},
    Can.UPDATE_RECOMMENDATIONS: {PARTNER, LEAD},
}
WHO = [CC, OFFICER, MANAGER, SUPERUSER, PARTNER, LEAD, "no_role"]


def fresh(user):
    """The user as a new request would load it: the policy caches roles, agency and shares on the object."""
    return get_user_model().objects.get(pk=user.pk)


def person(username, *roles, agency=None, **extra):
    user = UserFactory(username=username, **extra)
    for role in roles:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    if agency is not None:
        AgencyMember.objects.create(user=user, agency=agency)
    return fresh(user)


def agreement(agency, *, signed=-30, review=300, ended=None):
    today = timezone.localdate()
    return SharingAgreement.objects.create(
        agency=agency, title=f"ISA {agency}", lawful_basis="cda_s115", what_may_be_shared="Case summaries",
        signed_on=today + timedelta(days=signed), review_by=today + timedelta(days=review),
        ended_on=None if ended is None else today + timedelta(days=ended),
    )


def share(case, agency, by, *, scope=ShareScope.SUMMARY, people=(), **extra):
    made = CaseShare.objects.create(case=case, agency=agency, reason="Joint problem-solving", scope=scope, shared_by=by, **extra)
    for party in people:
        SharedPerson.objects.create(share=made, party=party, basis="consent")
    return made


@pytest.fixture
def w(db, officer_user, manager_user, call_centre_user):
    """Two agencies with agreements in force; their users; a case shared with police only, and one not shared."""

    class World:
        pass

    x = World()
    x.officer, x.manager, x.cc = fresh(officer_user), fresh(manager_user), fresh(call_centre_user)
    x.police, x.housing = PartnerAgency.objects.create(name="Test Police"), PartnerAgency.objects.create(name="Test Housing")
    agreement(x.police)
    agreement(x.housing)
    x.pc = person("pc", Role.PARTNER_USER, agency=x.police)
    x.sergeant = person("sergeant", Role.PARTNER_LEAD, agency=x.police)
    x.housing_officer = person("ho", Role.PARTNER_USER, agency=x.housing)
    x.case = CaseFactory()
    x.victim = PartyFactory(case=x.case, full_name="Vera Victim")
    x.withheld = PartyFactory(case=x.case, full_name="Wendy Withheld")
    x.other_case = CaseFactory()
    x.share = share(x.case, x.police, x.officer, people=[x.victim])
    return x


def _users(w):
    return {CC: w.cc, OFFICER: w.officer, MANAGER: w.manager, PARTNER: w.pc, LEAD: w.sergeant,
            SUPERUSER: person("root", is_superuser=True), "no_role": person("nobody")}


# --- capabilities ----------------------------------------------------------------------------------

def test_the_table_names_every_capability():
    assert set(WHO_CAN) == set(Can)


@pytest.mark.parametrize("capability", list(Can), ids=str)
def test_capabilities_per_role(w, capability):
    users = _users(w)
    holders = {who for who in WHO if can(users[who], capability)}
    assert holders == WHO_CAN[capability]


def test_a_partner_role_without_an_agency_has_no_capabilities(db):
    for role in (Role.PARTNER_USER, Role.PARTNER_LEAD):
        assert capabilities(person(f"lone-{role}", role)) == frozenset()


def test_a_partner_of_an_inactive_agency_has_no_capabilities(w):
    PartnerAgency.objects.filter(pk=w.police.pk).update(is_active=False)
    assert capabilities(fresh(w.pc)) == frozenset() and capabilities(fresh(w.sergeant)) == frozenset()
    assert not cases_visible_to(fresh(w.pc)).exists()


@pytest.mark.parametrize("council", [Role.CALL_CENTRE, Role.OFFICER, Role.MANAGER])
def test_a_council_and_a_partner_role_on_one_account_have_none(w, council):
    both = person(f"both-{council}", council, Role.PARTNER_USER, agency=w.police)
    assert capabilities(both) == frozenset()
    assert not cases_visible_to(both).exists()
    superuser_partner = person(f"root-{council}", Role.PARTNER_LEAD, agency=w.housing, is_superuser=True)
    assert capabilities(superuser_partner) == frozenset()


def test_an_inactive_user_has_no_capabilities(w):
    get_user_model().objects.filter(pk=w.manager.pk).update(is_active=False)
    assert capabilities(fresh(w.manager)) == frozenset()


# --- users_who_can (the same answers, as a queryset) ----------------------------------------------------

@pytest.mark.parametrize("capability", list(Can), ids=str)
def test_users_who_can_agrees_with_can(w, capability):
    users = _users(w)
    both = person("both", Role.OFFICER, Role.PARTNER_USER, agency=w.police)
    lone = person("lone", Role.PARTNER_LEAD)
    retired = person("retired", Role.MANAGER, is_active=False)
    everyone = [*users.values(), both, lone, retired]
    expected = {u.pk for u in everyone if can(fresh(u), capability)}
    assert set(users_who_can(capability).filter(pk__in=[u.pk for u in everyone]).values_list("pk", flat=True)) == expected


# --- cases_visible_to ------------------------------------------------------------------------------

def visible(user, case) -> bool:
    return cases_visible_to(fresh(user)).filter(pk=case.pk).exists()


def test_the_team_sees_every_case_and_the_call_centre_none(w):
    assert visible(w.officer, w.case) and visible(w.officer, w.other_case) and visible(w.manager, w.other_case)
    assert not cases_visible_to(w.cc).exists()
    assert not cases_visible_to(person("nobody")).exists()


def test_a_partner_sees_a_case_shared_live_with_their_agency_under_an_agreement_in_force(w):
    assert list(cases_visible_to(w.pc)) == [w.case]
    assert list(cases_visible_to(w.sergeant)) == [w.case]
    assert not cases_visible_to(w.housing_officer).exists()  # shared with the police only


def test_a_stopped_share_shows_nothing_at_once(w):
    CaseShare.objects.filter(pk=w.share.pk).update(stopped_at=timezone.now(), stopped_by=w.officer)
    assert not visible(w.pc, w.case)


@pytest.mark.parametrize("ends_in, shown", [(-1, False), (0, True), (1, True)])
def test_a_share_shows_until_the_end_of_its_last_day(w, ends_in, shown):
    CaseShare.objects.filter(pk=w.share.pk).update(ends_on=timezone.localdate() + timedelta(days=ends_in))
    assert visible(w.pc, w.case) is shown


@pytest.mark.parametrize(
    "signed, review, ended, shown",
    [
        (-30, 300, None, True),
        (-30, 0, None, True),  # review day itself: still in force
        (-400, -1, None, False),  # past its review date
        (1, 300, None, False),  # not signed yet
        (-30, 300, 0, False),  # ended today
        (-30, 300, -5, False),  # ended
        (-30, 300, 1, True),  # ends tomorrow
    ],
)
def test_nothing_is_shown_without_an_agreement_in_force(w, signed, review, ended, shown):
    SharingAgreement.objects.filter(agency=w.police).delete()
    agreement(w.police, signed=signed, review=review, ended=ended)
    assert visible(w.pc, w.case) is shown
    # The referrals on the case follow the case.
    referral = Referral.objects.create(case=w.case, agency=w.police, reason="x", referred_on=timezone.localdate(), created_by=w.officer)
    assert referrals_visible_to(fresh(w.pc)).filter(pk=referral.pk).exists() is shown


def test_an_inactive_agency_sees_nothing(w):
    PartnerAgency.objects.filter(pk=w.police.pk).update(is_active=False)
    assert not visible(w.pc, w.case)


def test_another_agencys_share_shows_nothing_to_this_agency(w):
    share(w.other_case, w.housing, w.officer)
    assert list(cases_visible_to(fresh(w.housing_officer))) == [w.other_case]
    assert list(cases_visible_to(fresh(w.pc))) == [w.case]


# --- parties_visible_to ----------------------------------------------------------------------------

def test_the_team_sees_everyone_on_a_case(w):
    assert set(parties_visible_to(w.officer, w.case)) == {w.victim, w.withheld}
    assert not parties_visible_to(w.cc, w.case).exists()


def test_a_partner_sees_only_the_people_the_share_includes(w):
    assert list(parties_visible_to(fresh(w.pc), w.case)) == [w.victim]
    assert not parties_visible_to(fresh(w.housing_officer), w.case).exists()


def test_a_reference_only_share_shows_nobody(w):
    CaseShare.objects.filter(pk=w.share.pk).update(scope=ShareScope.REFERENCE)
    assert SharedPerson.objects.filter(share=w.share).exists()
    assert not parties_visible_to(fresh(w.pc), w.case).exists()


def test_people_of_a_stopped_share_are_hidden(w):
    CaseShare.objects.filter(pk=w.share.pk).update(stopped_at=timezone.now())
    assert not parties_visible_to(fresh(w.pc), w.case).exists()


# --- timeline_visible_to ---------------------------------------------------------------------------

def entry(case, visibility, agency=None, summary=""):
    return TimelineEntry.objects.create(case=case, kind=TimelineKind.NOTE, summary=summary or f"{visibility} {agency or ''}",
                                        visibility=visibility, agency=agency, occurred_at=timezone.now())


@pytest.fixture
def entries(w):
    return {
        "internal": entry(w.case, Visibility.INTERNAL),
        "staff": entry(w.case, Visibility.STAFF),
        "resident": entry(w.case, Visibility.RESIDENT),
        "partners": entry(w.case, Visibility.PARTNERS),
        "police": entry(w.case, Visibility.PARTNERS, agency=w.police),
        "housing": entry(w.case, Visibility.PARTNERS, agency=w.housing),
        "elsewhere": entry(w.other_case, Visibility.PARTNERS),
    }


def seen(user, case, entries) -> set[str]:
    pks = set(timeline_visible_to(fresh(user), case).values_list("pk", flat=True))
    return {name for name, e in entries.items() if e.pk in pks}


def test_the_team_reads_every_entry_of_the_case(w, entries):
    assert seen(w.officer, w.case, entries) == {"internal", "staff", "resident", "partners", "police", "housing"}
    assert seen(w.cc, w.case, entries) == set()


def test_a_partner_at_timeline_scope_reads_entries_for_partners_and_their_own_agencys(w, entries):
    CaseShare.objects.filter(pk=w.share.pk).update(scope=ShareScope.TIMELINE)
    assert seen(w.pc, w.case, entries) == {"partners", "police"}
    CaseShare.objects.filter(pk=w.share.pk).update(scope=ShareScope.EVIDENCE)
    assert seen(w.pc, w.case, entries) == {"partners", "police"}


def test_a_partner_below_timeline_scope_reads_only_their_own_agencys_entries(w, entries):
    assert seen(w.pc, w.case, entries) == {"police"}  # the fixture's share is at summary scope


def test_another_agency_reads_nothing_of_a_case_not_shared_with_it(w, entries):
    assert seen(w.housing_officer, w.case, entries) == set()


# --- evidence_visible_to ---------------------------------------------------------------------------

@pytest.fixture
def files(w, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}

    def evidence(case, name):
        return Evidence.objects.create(case=case, file=SimpleUploadedFile(name, PNG), original_name=name, content_type="image/png",
                                       size=len(PNG), uploaded_at=timezone.now())

    chosen, not_chosen, elsewhere = evidence(w.case, "chosen.png"), evidence(w.case, "other.png"), evidence(w.other_case, "x.png")
    staged = Evidence.objects.create(staging_key=uuid.uuid4(), file=SimpleUploadedFile("s.png", PNG), original_name="s.png", content_type="image/png",
                                     size=len(PNG), uploaded_at=timezone.now())
    w.share.evidence.add(chosen)
    return {"chosen": chosen, "not_chosen": not_chosen, "elsewhere": elsewhere, "staged": staged}


def downloads(user, files) -> set[str]:
    pks = set(evidence_visible_to(fresh(user)).values_list("pk", flat=True))
    return {name for name, e in files.items() if e.pk in pks}


def test_the_team_downloads_every_case_file_but_not_a_residents_unsent_upload(w, files):
    assert downloads(w.officer, files) == {"chosen", "not_chosen", "elsewhere"}
    assert downloads(w.cc, files) == set()


@pytest.mark.parametrize("scope, expected", [
    (ShareScope.REFERENCE, set()), (ShareScope.SUMMARY, set()), (ShareScope.TIMELINE, set()), (ShareScope.EVIDENCE, {"chosen"}),
])
def test_a_partner_downloads_only_chosen_evidence_at_evidence_scope(w, files, scope, expected):
    CaseShare.objects.filter(pk=w.share.pk).update(scope=scope)
    assert downloads(w.pc, files) == expected
    assert downloads(w.housing_officer, files) == set()


def test_chosen_evidence_is_hidden_once_the_share_stops(w, files):
    CaseShare.objects.filter(pk=w.share.pk).update(scope=ShareScope.EVIDENCE, stopped_at=timezone.now())
    assert downloads(w.pc, files) == set()


# --- referrals_visible_to --------------------------------------------------------------------------

def test_referrals_partners_see_only_their_agencys_on_cases_shared_with_it(w):
    def refer(case, agency):
        return Referral.objects.create(case=case, agency=agency, reason="x", referred_on=timezone.localdate(), created_by=w.officer)

    to_police = refer(w.case, w.police)
    to_housing_same_case = refer(w.case, w.housing)
    to_police_unshared_case = refer(w.other_case, w.police)
    assert set(referrals_visible_to(w.officer)) == {to_police, to_housing_same_case, to_police_unshared_case}
    assert list(referrals_visible_to(fresh(w.pc))) == [to_police]
    assert not referrals_visible_to(fresh(w.housing_officer)).exists()
    assert not referrals_visible_to(w.cc).exists()


# --- scoped, agencies, access log ------------------------------------------------------------------

def test_scoped_keeps_rows_of_other_apps_to_visible_cases(w):
    def deadline(case):
        party = PartyFactory(case=case)
        now = timezone.now()
        return Deadline.objects.create(kind=DeadlineKind.FIRST_CONTACT, case=case, party=party, starts_at=now, due_at=now)

    on_shared, on_other = deadline(w.case), deadline(w.other_case)
    rows = Deadline.objects.filter(pk__in=[on_shared.pk, on_other.pk])
    assert set(scoped(w.manager, rows)) == {on_shared, on_other}
    assert list(scoped(fresh(w.pc), rows)) == [on_shared]
    assert not scoped(w.cc, rows).exists()


def test_agencies_a_manager_sees_all_a_partner_only_their_own(w):
    assert set(agencies_visible_to(w.manager)) >= {w.police, w.housing}
    assert list(agencies_visible_to(fresh(w.pc))) == [w.police]
    assert not agencies_visible_to(w.officer).exists()


def test_the_access_log_managers_all_a_partner_lead_their_agencys_and_nobody_else_any(w):
    def logged(user, agency):
        return AccessLogEntry.objects.create(user=user, username=user.username, agency=agency, agency_name=str(agency or ""),
                                             case=w.case, case_reference=w.case.reference, event=AccessEvent.CASE_VIEW)

    police_view, housing_view, export = logged(w.pc, w.police), logged(w.housing_officer, w.housing), logged(w.manager, None)
    assert set(access_log_visible_to(w.manager)) >= {police_view, housing_view, export}
    assert list(access_log_visible_to(fresh(w.sergeant))) == [police_view]
    for nobody in (w.pc, w.housing_officer, w.officer, w.cc):
        assert not access_log_visible_to(fresh(nobody)).exists()


# --- lock-down ---------------------------------------------------------------------------------------

def test_locking_down_through_the_service_shows_partners_nobody_and_no_entries_or_evidence(w, files, entries):
    # The share's scope is the one rule: case_lock_down narrows every live share in the same transaction.
    from cases.services.sharing import case_lock_down

    CaseShare.objects.filter(pk=w.share.pk).update(scope=ShareScope.EVIDENCE)
    case_lock_down(case=w.case, locked=True, actor=w.share.shared_by)
    assert visible(w.pc, w.case)  # its reference, the agencies and the officer: still listed
    assert not parties_visible_to(fresh(w.pc), w.case).exists()
    assert seen(w.pc, w.case, entries) <= {"police"}
    assert downloads(w.pc, files) == set()


def test_a_locked_down_case_narrowed_to_reference_shows_partners_nobody(w, files, entries):
    # What cases.services.sharing does on lock-down: every live share narrowed to reference only.
    CaseShare.objects.filter(pk=w.share.pk).update(scope=ShareScope.REFERENCE)
    type(w.case).objects.filter(pk=w.case.pk).update(is_locked_down=True)
    assert visible(w.pc, w.case)
    assert not parties_visible_to(fresh(w.pc), w.case).exists()
    assert seen(w.pc, w.case, entries) == {"police"}
    assert downloads(w.pc, files) == set()
