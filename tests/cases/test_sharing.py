"""Sharing a case with a partner agency (cases.services.sharing): agreements, consent, scope, stopping, lock-down,
the timeline and the email the agency gets. The clock is frozen on 1 June 2026 (London)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import (
    AgencyMember,
    CaseShare,
    CaseStatus,
    LawfulBasis,
    PartnerAgency,
    PartyRole,
    PersonBasis,
    SharedPerson,
    ShareScope,
    SharingAgreement,
    TimelineKind,
    Visibility,
)
from cases.policy import cases_visible_to, evidence_visible_to, parties_visible_to, timeline_visible_to
from cases.roles import GROUP_NAMES, Role
from cases.services import (
    CaseError,
    agreement_end,
    agreement_record,
    case_lock_down,
    case_share,
    evidence_add,
    note_add,
    party_add,
    share_change,
    share_stop,
)
from notifications.models import Message

from .factories import UserFactory, report_submission, submit_report

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 6, 1)
POLICE = "Leicestershire Police"
HOUSING = "Housing providers"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _first_of_june():
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=LONDON), tick=False):
        yield


def agency(name=POLICE) -> PartnerAgency:
    return PartnerAgency.objects.get(name=name)


def agreement(agency_, *, signed_on=date(2026, 4, 1), review_by=date(2027, 3, 31), ended_on=None) -> SharingAgreement:
    return SharingAgreement.objects.create(
        agency=agency_, title=f"{agency_.name} information sharing", lawful_basis=LawfulBasis.CDA_S115,
        what_may_be_shared="Case summaries and the people involved", signed_on=signed_on, review_by=review_by, ended_on=ended_on,
    )


def partner(username, agency_, *, email=None, lead=False):
    user = UserFactory(username=username, email=email if email is not None else f"{username}@police.example")
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_LEAD if lead else Role.PARTNER_USER]))
    AgencyMember.objects.create(user=user, agency=agency_)
    return user


def shared_case(officer, *, consent=True):
    """Margaret Ellis's noise report (consent as given), with Kyle Mercer (perpetrator, not asked about consent)."""
    report = submit_report(report_submission(consent_to_share=consent, incident_date=TODAY - timedelta(days=3)))
    case = report.case
    perpetrator = party_add(case=case, actor=officer, role=PartyRole.PERPETRATOR, full_name="Kyle Mercer", phone="07700 900555",
                            address="16 Bell Street", postcode="LE18 1AA")
    case.refresh_from_db()
    return case, report.reporter, perpetrator


def share(case, officer, agency_, *, scope=ShareScope.SUMMARY, people=None, evidence_ids=(), ends_on=None, reason="Threats: police to visit"):
    return case_share(case=case, agency=agency_, reason=reason, scope=scope, people=people or {}, evidence_ids=list(evidence_ids),
                      ends_on=ends_on, actor=officer)


# --- agreements ------------------------------------------------------------------------------------------

def test_no_agreement_means_nothing_can_be_shared_and_says_why(officer_user):
    case, victim, _ = shared_case(officer_user)
    with pytest.raises(CaseError) as refused:
        share(case, officer_user, agency(), people={victim.pk: PersonBasis.CONSENT})
    assert str(refused.value) == (
        "Leicestershire Police has no information-sharing agreement in force (none has been recorded): "
        "a manager must record a new one before anything can be shared"
    )
    assert not CaseShare.objects.exists()


def test_a_lapsed_agreement_refuses_sharing_naming_the_day_it_lapsed(officer_user):
    agreement(agency(), signed_on=date(2025, 4, 1), review_by=date(2026, 3, 31))
    case, victim, _ = shared_case(officer_user)
    with pytest.raises(CaseError, match=r"\(the last one lapsed on 31 March 2026\): a manager must record a new one"):
        share(case, officer_user, agency())


def test_an_agreement_ended_early_refuses_sharing_from_that_day(officer_user, manager_user):
    police = agency()
    signed = agreement(police)
    case, _, _ = shared_case(officer_user)
    share(case, officer_user, police)  # in force: allowed
    agreement_end(agreement=signed, ended_on=TODAY, actor=manager_user)
    other, _, _ = shared_case(officer_user)
    with pytest.raises(CaseError, match=r"the last one was ended on 1 June 2026"):
        share(other, officer_user, police)


def test_an_inactive_agency_cannot_be_shared_with(officer_user):
    police = agency()
    agreement(police)
    police.is_active = False
    police.save()
    case, _, _ = shared_case(officer_user)
    with pytest.raises(CaseError, match="no longer an active partner agency"):
        share(case, officer_user, police)


def test_an_agreement_must_be_reviewed_on_or_after_signing(manager_user):
    with pytest.raises(CaseError, match="review date must be on or after"):
        agreement_record(agency=agency(), title="ISA", lawful_basis=LawfulBasis.CDA_S115, what_may_be_shared="Summaries",
                         signed_on=date(2026, 5, 1), review_by=date(2026, 4, 30), actor=manager_user)
    made = agreement_record(agency=agency(), title="ISA", lawful_basis=LawfulBasis.PUBLIC_TASK, what_may_be_shared="Summaries",
                            signed_on=date(2026, 5, 1), review_by=date(2027, 4, 30), actor=manager_user)
    assert made.in_force_on(TODAY) and made.recorded_by == manager_user


def test_an_agreement_cannot_be_ended_twice(manager_user):
    signed = agreement(agency())
    agreement_end(agreement=signed, ended_on=TODAY, actor=manager_user)
    with pytest.raises(CaseError, match="already ended on 1 June 2026"):
        agreement_end(agreement=signed, ended_on=TODAY, actor=manager_user)


# --- sharing -------------------------------------------------------------------------------------------------

def test_sharing_writes_a_staff_only_timeline_entry_naming_who_was_shared_and_withheld(officer_user):
    agreement(agency())
    case, victim, perpetrator = shared_case(officer_user)
    version = case.version
    made = share(case, officer_user, agency(), people={victim.pk: PersonBasis.CONSENT, perpetrator.pk: None})
    entry = case.timeline.get(kind=TimelineKind.SHARE)
    assert entry.summary == "Shared with Leicestershire Police (summary and people)"
    assert entry.visibility == Visibility.STAFF
    assert "Threats: police to visit" in entry.body
    assert "Margaret Ellis (victim): shared, they agreed" in entry.body
    assert "Kyle Mercer (alleged perpetrator): withheld" in entry.body
    assert made.shared_by == officer_user and made.scope == ShareScope.SUMMARY
    case.refresh_from_db()
    assert case.version > version


def test_a_person_without_consent_cannot_be_shared_on_consent_but_can_for_safeguarding(officer_user):
    agreement(agency())
    case, victim, perpetrator = shared_case(officer_user, consent=False)
    with pytest.raises(CaseError, match="Margaret Ellis has not agreed to their details being shared"):
        share(case, officer_user, agency(), people={victim.pk: PersonBasis.CONSENT})
    with pytest.raises(CaseError, match="Kyle Mercer has not agreed"):
        share(case, officer_user, agency(), people={perpetrator.pk: PersonBasis.CONSENT})  # not asked counts as no
    made = share(case, officer_user, agency(), people={victim.pk: PersonBasis.SAFEGUARDING, perpetrator.pk: PersonBasis.CRIME_PREVENTION})
    assert dict(SharedPerson.objects.filter(share=made).values_list("party_id", "basis")) == {
        victim.pk: PersonBasis.SAFEGUARDING, perpetrator.pk: PersonBasis.CRIME_PREVENTION,
    }


def test_a_withheld_person_is_not_seen_by_the_partner(officer_user):
    police = agency()
    agreement(police)
    case, victim, perpetrator = shared_case(officer_user)
    share(case, officer_user, police, people={victim.pk: PersonBasis.CONSENT, perpetrator.pk: None})
    constable = partner("pc", police)
    assert list(parties_visible_to(constable, case)) == [victim]


def test_a_reason_is_required_and_the_end_date_cannot_be_past(officer_user):
    agreement(agency())
    case, _, _ = shared_case(officer_user)
    with pytest.raises(CaseError, match="Give the reason for sharing"):
        share(case, officer_user, agency(), reason="   ")
    with pytest.raises(CaseError, match="end date must be today or later"):
        share(case, officer_user, agency(), ends_on=TODAY - timedelta(days=1))
    assert share(case, officer_user, agency(), ends_on=TODAY).ends_on == TODAY


def test_evidence_is_shared_only_at_the_evidence_scope_and_only_from_this_case(officer_user):
    police = agency()
    agreement(police)
    case, _, _ = shared_case(officer_user)
    photo = evidence_add(case=case, uploaded=SimpleUploadedFile("photo.png", PNG, content_type="image/png"), actor=officer_user)
    other, _, _ = shared_case(officer_user)
    elsewhere = evidence_add(case=other, uploaded=SimpleUploadedFile("other.png", PNG, content_type="image/png"), actor=officer_user)
    with pytest.raises(CaseError, match="only when the scope includes chosen evidence"):
        share(case, officer_user, police, scope=ShareScope.SUMMARY, evidence_ids=[photo.pk])
    with pytest.raises(CaseError, match="Choose evidence from this case"):
        share(case, officer_user, police, scope=ShareScope.EVIDENCE, evidence_ids=[elsewhere.pk])
    made = share(case, officer_user, police, scope=ShareScope.EVIDENCE, evidence_ids=[photo.pk])
    assert list(made.evidence.all()) == [photo]
    assert list(evidence_visible_to(partner("pc", police))) == [photo]


def test_a_closed_case_can_still_be_shared_for_court(officer_user):
    agreement(agency())
    case, _, _ = shared_case(officer_user)
    case.status = CaseStatus.CLOSED
    case.save()
    assert share(case, officer_user, agency()).pk


def test_a_second_share_with_the_same_agency_is_refused_while_the_first_is_live(officer_user):
    police = agency()
    agreement(police)
    case, _, _ = shared_case(officer_user)
    first = share(case, officer_user, police, ends_on=TODAY)
    with pytest.raises(CaseError, match="already shared with Leicestershire Police: change that share instead"):
        share(case, officer_user, police)
    with time_machine.travel(datetime(2026, 6, 3, 10, 0, tzinfo=LONDON), tick=False):  # the first ran out
        second = share(case, officer_user, police)
    first.refresh_from_db()
    assert first.stopped_at is not None and second.stopped_at is None


def test_a_locked_down_case_can_be_shared_wider_if_the_officer_chooses(officer_user):
    agreement(agency())
    case, _, _ = shared_case(officer_user)
    case_lock_down(case=case, locked=True, actor=officer_user)
    assert share(case, officer_user, agency(), scope=ShareScope.TIMELINE).scope == ShareScope.TIMELINE


# --- stopping, changing, lock-down -------------------------------------------------------------------------

def test_stopping_a_share_takes_effect_at_once(officer_user):
    police = agency()
    agreement(police)
    case, _, _ = shared_case(officer_user)
    made = share(case, officer_user, police)
    constable = partner("pc", police)
    assert list(cases_visible_to(constable)) == [case]
    share_stop(share=made, reason="Police investigation closed", actor=officer_user)
    assert list(cases_visible_to(constable)) == []
    entry = case.timeline.filter(kind=TimelineKind.SHARE).first()
    assert entry.summary == "Stopped sharing with Leicestershire Police" and entry.body == "Police investigation closed"
    with pytest.raises(CaseError, match="was stopped on 1 June 2026"):
        share_stop(share=made, reason="again", actor=officer_user)


def test_stopping_needs_a_reason(officer_user):
    agreement(agency())
    case, _, _ = shared_case(officer_user)
    made = share(case, officer_user, agency())
    with pytest.raises(CaseError, match="reason for stopping"):
        share_stop(share=made, reason="", actor=officer_user)


def test_changing_a_share_records_old_and_new_scope(officer_user):
    agreement(agency())
    case, victim, perpetrator = shared_case(officer_user)
    made = share(case, officer_user, agency(), people={victim.pk: PersonBasis.CONSENT})
    share_change(share=made, scope=ShareScope.REFERENCE, people={}, evidence_ids=[], ends_on=None, actor=officer_user)
    entry = case.timeline.filter(kind=TimelineKind.SHARE).first()
    assert entry.summary == "Sharing with Leicestershire Police changed: summary and people → reference only"
    assert entry.changes["scope"] == ["summary", "reference"]
    assert "Margaret Ellis (victim): withheld" in entry.body
    assert not SharedPerson.objects.filter(share=made).exists()


def test_widening_needs_an_agreement_in_force_but_narrowing_does_not(officer_user, manager_user):
    police = agency()
    signed = agreement(police)
    case, _, _ = shared_case(officer_user)
    made = share(case, officer_user, police)
    agreement_end(agreement=signed, ended_on=TODAY, actor=manager_user)
    with pytest.raises(CaseError, match="no information-sharing agreement in force"):
        share_change(share=made, scope=ShareScope.TIMELINE, people={}, evidence_ids=[], ends_on=None, actor=officer_user)
    narrowed = share_change(share=made, scope=ShareScope.REFERENCE, people={}, evidence_ids=[], ends_on=None, actor=officer_user)
    assert narrowed.scope == ShareScope.REFERENCE


def test_lock_down_narrows_every_live_share_to_the_reference_and_unlocking_leaves_them(officer_user):
    police, housing = agency(), agency(HOUSING)
    agreement(police)
    agreement(housing)
    case, _, _ = shared_case(officer_user)
    share(case, officer_user, police, scope=ShareScope.TIMELINE)
    share(case, officer_user, housing, scope=ShareScope.SUMMARY)
    case = case_lock_down(case=case, locked=True, actor=officer_user)
    assert case.is_locked_down
    assert set(CaseShare.objects.filter(case=case).values_list("scope", flat=True)) == {ShareScope.REFERENCE}
    entry = case.timeline.filter(kind=TimelineKind.SHARE).first()
    assert entry.summary.startswith("Locked down")
    assert "Leicestershire Police: summary, people and entries marked for partners → reference only" in entry.body
    with pytest.raises(CaseError, match="already locked down"):
        case_lock_down(case=case, locked=True, actor=officer_user)
    case = case_lock_down(case=case, locked=False, actor=officer_user)
    assert not case.is_locked_down
    assert set(CaseShare.objects.filter(case=case).values_list("scope", flat=True)) == {ShareScope.REFERENCE}


def test_partners_never_see_the_sharing_entries(officer_user):
    police = agency()
    agreement(police)
    case, _, _ = shared_case(officer_user)
    share(case, officer_user, police, scope=ShareScope.TIMELINE)
    note_add(case=case, text="Police may see this", visibility=Visibility.PARTNERS, actor=officer_user)
    seen = [e.summary for e in timeline_visible_to(partner("pc", police), case)]
    assert seen == ["Police may see this"]


# --- the email to the agency --------------------------------------------------------------------------------

def test_the_agency_is_told_by_email_with_only_the_reference_and_a_link(officer_user, settings):
    settings.SITE_URL = "https://asb.example.gov.uk"
    police = agency()
    agreement(police)
    partner("pc", police, email="pc@police.example")
    partner("sgt", police, email="sgt@police.example", lead=True)
    partner("nomail", police, email="")
    gone = partner("gone", police, email="gone@police.example")
    gone.is_active = False
    gone.save()
    partner("housing", agency(HOUSING), email="h@housing.example")
    case, victim, perpetrator = shared_case(officer_user)
    share(case, officer_user, police, people={victim.pk: PersonBasis.CONSENT, perpetrator.pk: PersonBasis.CRIME_PREVENTION})
    messages = list(Message.objects.filter(key__startswith="share:").order_by("to"))
    assert [m.to for m in messages] == ["pc@police.example", "sgt@police.example"]
    for message in messages:
        text = f"{message.subject}\n{message.body}"
        assert case.reference in message.subject
        assert f"A case has been shared with Leicestershire Police in ASB Portal: {case.reference}." in message.body
        assert f"https://asb.example.gov.uk/partners/cases/{case.reference}/" in message.body
        for secret in ("Margaret", "Ellis", "Kyle", "Mercer", "07700", "900123", "Bell Street", "LE18", "Music until 3am",
                       "Threats", "margaret@example.com"):
            assert secret.lower() not in text.lower(), secret


def test_a_referral_to_an_agency_that_can_see_the_case_is_emailed_to_it_with_only_the_reference(officer_user, settings):
    from cases.services import referral_make

    settings.SITE_URL = "https://asb.example.gov.uk"
    police, housing = agency(), agency(HOUSING)
    agreement(police)
    agreement(housing)
    partner("pc", police, email="pc@police.example")
    partner("h", housing, email="h@housing.example")
    case, victim, _ = shared_case(officer_user)
    share(case, officer_user, police, people={victim.pk: PersonBasis.CONSENT})
    referral = referral_make(case=case, agency=police, reason="Threats to Margaret Ellis", referred_on=date(2026, 6, 1),
                             actor=officer_user)
    sent = list(Message.objects.filter(key__startswith="referral:"))
    assert [m.to for m in sent] == ["pc@police.example"]
    assert case.reference in sent[0].subject and f"/partners/cases/{case.reference}/" in sent[0].body
    for secret in ("Margaret", "Ellis", "Threats", "Bell Street", "07700"):
        assert secret.lower() not in f"{sent[0].subject} {sent[0].body}".lower(), secret
    # Housing cannot see the case in ASB Portal: a referral to it sends nothing through the portal.
    referral_make(case=case, agency=housing, reason="Tenancy", referred_on=date(2026, 6, 1), actor=officer_user)
    assert Message.objects.filter(key__startswith="referral:").count() == 1
    assert referral.agency == police


def test_widening_tells_the_agency_again_and_narrowing_does_not(officer_user):
    police = agency()
    agreement(police)
    partner("pc", police)
    case, _, _ = shared_case(officer_user)
    to_agency = Message.objects.filter(key__startswith="share:")
    made = share(case, officer_user, police, scope=ShareScope.REFERENCE)
    assert to_agency.count() == 1
    share_change(share=made, scope=ShareScope.TIMELINE, people={}, evidence_ids=[], ends_on=None, actor=officer_user)
    assert to_agency.count() == 2
    share_change(share=made, scope=ShareScope.SUMMARY, people={}, evidence_ids=[], ends_on=None, actor=officer_user)
    assert to_agency.count() == 2
