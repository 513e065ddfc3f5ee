"""Casework services against the real Postgres: contacts, risk, assignment, status, closure, merging,
edits, people, actions, referrals, notes and evidence. Each test is named after the rule it proves."""

import itertools
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import (
    STATUS_TRANSITIONS,
    Action,
    ActionStatus,
    ActionType,
    Breach,
    Case,
    CaseStatus,
    ClosureReason,
    Contact,
    ContactMethod,
    Direction,
    Evidence,
    PartnerAgency,
    Party,
    PartyRole,
    Referral,
    ReferralStatus,
    Report,
    RiskAssessment,
    RiskLevel,
    RiskQuestion,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.reference_data import RISK_BANDS, RISK_QUESTIONS
from cases.roles import GROUP_NAMES, Role
from cases.services import (
    CaseClosedError,
    CaseError,
    StaleEditError,
    action_record,
    action_update,
    breach_record,
    case_assign,
    case_close,
    case_merge,
    case_status_change,
    case_update,
    contact_record,
    evidence_add,
    note_add,
    party_add,
    party_update,
    referral_make,
    referral_update,
    risk_assess,
    risk_question_set_active,
)
from cases.services.common import STALE_MESSAGE

from .factories import CaseFactory, UserFactory, category, report_submission, submit_report

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def case_with_victim(**overrides) -> tuple[Case, Party]:
    """A NEW case reported online by its victim, Margaret Ellis (email and phone on file), three days ago."""
    report = submit_report(report_submission(**overrides), received_at=timezone.now() - timedelta(days=3))
    return report.case, report.reporter


def contact(case, party, actor, **overrides) -> Contact:
    """contact_record with everyday defaults: a successful phone call we made, just now."""
    values = dict(
        method=ContactMethod.PHONE,
        direction=Direction.OUT,
        successful=True,
        summary="Spoke about the noise and the next steps",
        occurred_at=timezone.now(),
        gave_update=False,
    )
    values.update(overrides)
    return contact_record(case=case, party=party, actor=actor, **values)


def final_update(case, party, actor) -> Contact:
    return contact(case, party, actor, gave_update=True, final_update=True, summary="Told them the case is closing")


def opened_case(actor) -> tuple[Case, Party]:
    """A case the officer has made first contact on (so it is OPEN)."""
    case, victim = case_with_victim()
    contact(case, victim, actor)
    return refreshed(case), victim


def closed_case(actor) -> tuple[Case, Party]:
    case, victim = opened_case(actor)
    final_update(case, victim, actor)
    return case_close(case=case, reason=ClosureReason.RESOLVED, actor=actor), victim


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def staff(username: str, role: Role):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


def add_party(case, actor, role=PartyRole.WITNESS, **values) -> Party:
    values.setdefault("full_name", f"A {role}")
    values.setdefault("phone", "0116 2888 961")
    return party_add(case=case, actor=actor, role=role, **values)


def perpetrator(case, actor, born: date | None = date(1990, 5, 1), **values) -> Party:
    return add_party(case, actor, role=PartyRole.PERPETRATOR, full_name="Dean Pollard", date_of_birth=born, **values)


def action_type(slug: str) -> ActionType:
    return ActionType.objects.get(slug=slug)


def police() -> PartnerAgency:
    return PartnerAgency.objects.get(name="Leicestershire Police")


def questions() -> list[RiskQuestion]:
    return list(risk_question_set_active().questions.all())


def answers(*yes: int) -> dict[int, bool]:
    """Answers to the default set: yes to the questions at these positions, no to the rest."""
    return {q.pk: i in yes for i, q in enumerate(questions())}


def timeline_count(case) -> int:
    return TimelineEntry.objects.filter(case=case).count()


def latest_entry(case, kind=None) -> TimelineEntry:
    entries = TimelineEntry.objects.filter(case=case)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-id").first()


def snapshot(case) -> tuple:
    """Everything a refused change must leave untouched."""
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.version,
        case.officer_id,
        case.risk_level,
        case.closure_reason,
        case.closed_at,
        case.reopened_at,
        case.address,
        timeline_count(case),
        Contact.objects.filter(case=case).count(),
        Party.objects.filter(case=case).count(),
        RiskAssessment.objects.filter(case=case).count(),
        Action.objects.filter(case=case).count(),
        Referral.objects.filter(case=case).count(),
    )


@pytest.fixture
def media(settings, tmp_path):
    """Evidence files go to a temporary folder, not var/evidence."""
    storages = {**settings.STORAGES}
    storages["default"] = {
        **storages["default"],
        "OPTIONS": {**storages["default"].get("OPTIONS", {}), "location": str(tmp_path)},
    }
    settings.STORAGES = storages
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def officer2(db):
    return staff("officer2", Role.OFFICER)


# ---------------------------------------------------------------------------------------------
# contact_record: first contact and updates
# ---------------------------------------------------------------------------------------------


def test_first_contact_with_the_reporter_is_flagged_and_only_the_first(officer_user):
    case, victim = case_with_victim()
    first = contact(case, victim, officer_user, occurred_at=timezone.now() - timedelta(hours=2))
    second = contact(case, victim, officer_user)
    assert refreshed(first).is_first_contact is True
    assert refreshed(second).is_first_contact is False
    assert Contact.objects.filter(party=victim, is_first_contact=True).count() == 1


def test_a_failed_attempt_to_reach_the_reporter_is_first_contact_but_not_an_update(officer_user):
    case, victim = case_with_victim()
    attempt = contact(case, victim, officer_user, successful=False, summary="No answer, left voicemail")
    later = contact(case, victim, officer_user)
    assert attempt.is_first_contact is True and attempt.is_update is False
    assert later.is_first_contact is False


def test_a_successful_first_contact_with_a_victim_reporter_is_also_an_update(officer_user):
    case, victim = case_with_victim()
    first = contact(case, victim, officer_user, gave_update=False)
    assert first.is_first_contact is True and first.is_update is True


def test_a_witness_reporters_first_contact_is_first_contact_but_not_an_update(officer_user):
    case, witness = case_with_victim(reporter_role=PartyRole.WITNESS)
    first = contact(case, witness, officer_user, gave_update=True)
    assert first.is_first_contact is True and first.is_update is False


def test_a_contact_with_someone_who_is_not_the_reporter_is_not_first_contact(officer_user):
    case, _ = case_with_victim()
    neighbour = add_party(case, officer_user, role=PartyRole.VICTIM, full_name="Ravi Patel")
    made = contact(case, neighbour, officer_user)
    assert made.is_first_contact is False and made.is_update is False
    assert refreshed(case).status == CaseStatus.NEW


@pytest.mark.parametrize(
    "role, is_update",
    [
        (PartyRole.VICTIM, True),
        (PartyRole.COMPLAINANT, True),
        (PartyRole.WITNESS, False),
        (PartyRole.PERPETRATOR, False),
    ],
)
def test_a_later_successful_contact_giving_an_update_counts_only_for_victims_and_complainants(
    officer_user, role, is_update
):
    case, victim = opened_case(officer_user)
    person = add_party(case, officer_user, role=role)
    made = contact(case, person, officer_user, gave_update=True)
    assert made.is_update is is_update
    assert made.is_first_contact is False


def test_a_later_contact_without_an_update_or_unsuccessful_is_not_an_update(officer_user):
    case, victim = opened_case(officer_user)
    assert contact(case, victim, officer_user, gave_update=False).is_update is False
    assert contact(case, victim, officer_user, gave_update=True, successful=False).is_update is False
    assert contact(case, victim, officer_user, gave_update=True).is_update is True


def test_first_contact_on_a_new_case_opens_it_with_a_status_entry(officer_user):
    case, victim = case_with_victim()
    version = case.version
    contact(case, victim, officer_user)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.version == version + 1
    entry = latest_entry(case, TimelineKind.STATUS)
    assert entry.changes == {"status": [CaseStatus.NEW, CaseStatus.OPEN]}
    assert entry.actor == officer_user
    assert entry.visibility == Visibility.RESIDENT
    contact_entry = latest_entry(case, TimelineKind.CONTACT)
    assert contact_entry.actor == officer_user and "first contact" in contact_entry.summary


def test_first_contact_on_a_monitoring_case_leaves_its_status_alone(officer_user):
    case, victim = opened_case(officer_user)
    case = case_status_change(case=case, to_status=CaseStatus.MONITORING, actor=officer_user)
    second = submit_report(report_submission(full_name="Tom Ellis"), existing_case=case)
    contact(case, second.reporter, officer_user)
    assert refreshed(case).status == CaseStatus.MONITORING


@pytest.mark.parametrize(
    "problem, message",
    [("future", "future"), ("other case", "someone on this case"), ("empty summary", "Summarise")],
)
def test_a_contact_that_cannot_be_right_is_refused_and_nothing_is_saved(officer_user, problem, message):
    case, victim = case_with_victim()
    kwargs = {}
    if problem == "future":
        kwargs["occurred_at"] = timezone.now() + timedelta(hours=1)
    elif problem == "other case":
        _, victim = case_with_victim(full_name="Someone Else")
    else:
        kwargs["summary"] = "   "
    before = snapshot(case)
    with pytest.raises(CaseError, match=message):
        contact(case, victim, officer_user, **kwargs)
    assert snapshot(case) == before
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("role, successful", [(PartyRole.VICTIM, False), (PartyRole.WITNESS, True)])
def test_a_final_update_must_be_an_update(officer_user, role, successful):
    case, _ = opened_case(officer_user)
    person = add_party(case, officer_user, role=role)
    before = snapshot(case)
    with pytest.raises(CaseError, match="final update"):
        contact(case, person, officer_user, successful=successful, gave_update=True, final_update=True)
    assert snapshot(case) == before


def test_a_final_update_to_a_victim_is_recorded_as_update_and_final(officer_user):
    case, victim = opened_case(officer_user)
    made = final_update(case, victim, officer_user)
    assert made.is_update is True and made.is_final_update is True
    assert "final update" in latest_entry(case, TimelineKind.CONTACT).summary


def test_a_contact_on_a_closed_case_is_refused(officer_user):
    case, victim = closed_case(officer_user)
    before = snapshot(case)
    with pytest.raises(CaseClosedError):
        contact(case, victim, officer_user)
    assert snapshot(case) == before


# ---------------------------------------------------------------------------------------------
# risk_assess
# ---------------------------------------------------------------------------------------------


def test_the_default_question_set_is_the_one_these_tests_score():
    active = risk_question_set_active()
    assert (active.medium_from, active.high_from) == (RISK_BANDS["medium_from"], RISK_BANDS["high_from"]) == (7, 14)
    assert [(q.weight, q.forces_high) for q in questions()] == [(w, f) for _, _, w, f in RISK_QUESTIONS]
    assert [q.weight for q in questions()] == [3, 2, 2, 3, 3, 1, 2, 2, 3, 3]
    assert [q.forces_high for q in questions()][-2:] == [True, True]


@pytest.mark.parametrize(
    "yes, score, level",
    [
        ((), 0, RiskLevel.STANDARD),
        ((0, 3), 6, RiskLevel.STANDARD),  # one below medium
        ((0, 1, 2), 7, RiskLevel.MEDIUM),  # exactly medium_from
        ((0, 1, 2, 3, 4), 13, RiskLevel.MEDIUM),  # one below high
        ((0, 1, 2, 3, 4, 5), 14, RiskLevel.HIGH),  # exactly high_from
        ((0, 1, 2, 3, 4, 5, 6, 7), 18, RiskLevel.HIGH),
    ],
)
def test_risk_is_scored_and_banded_with_the_default_set(officer_user, yes, score, level):
    case, victim = case_with_victim()
    assessment = risk_assess(case=case, answers=answers(*yes), actor=officer_user, party=victim)
    assert (assessment.score, assessment.level) == (score, level)
    assert refreshed(case).risk_level == level
    assert assessment.assessed_by == officer_user and assessment.party == victim


@pytest.mark.parametrize("forcing", [8, 9])
def test_a_forcing_question_makes_the_case_high_risk_whatever_the_score(officer_user, forcing):
    case, _ = case_with_victim()
    assessment = risk_assess(case=case, answers=answers(forcing), actor=officer_user)
    assert assessment.score == 3
    assert assessment.level == RiskLevel.HIGH
    assert refreshed(case).risk_level == RiskLevel.HIGH


def test_a_changed_risk_level_is_set_on_the_case_with_old_and_new_in_the_timeline(officer_user):
    case, _ = case_with_victim()
    version = case.version
    risk_assess(case=case, answers=answers(0, 1, 2), actor=officer_user)
    case.refresh_from_db()
    assert case.risk_level == RiskLevel.MEDIUM and case.version == version + 1
    entry = latest_entry(case, TimelineKind.RISK)
    assert entry.changes == {"risk_level": [RiskLevel.NOT_ASSESSED, RiskLevel.MEDIUM]}
    assert entry.actor == officer_user


def test_reassessment_keeps_the_history_and_the_latest_sets_the_level(officer_user):
    case, _ = case_with_victim()
    risk_assess(case=case, answers=answers(8), actor=officer_user)
    risk_assess(case=case, answers=answers(0), actor=officer_user, notes="Threats have stopped")
    assert RiskAssessment.objects.filter(case=case).count() == 2
    assert [a.level for a in RiskAssessment.objects.filter(case=case).order_by("id")] == [
        RiskLevel.HIGH,
        RiskLevel.STANDARD,
    ]
    assert refreshed(case).risk_level == RiskLevel.STANDARD
    entry = latest_entry(case, TimelineKind.RISK)
    assert entry.changes == {"risk_level": [RiskLevel.HIGH, RiskLevel.STANDARD]}
    assert entry.body == "Threats have stopped"


def test_a_reassessment_at_the_same_level_records_no_level_change(officer_user):
    case, _ = case_with_victim()
    risk_assess(case=case, answers=answers(0), actor=officer_user)
    risk_assess(case=case, answers=answers(0), actor=officer_user)
    entry = latest_entry(case, TimelineKind.RISK)
    assert entry.changes == {} and entry.actor == officer_user
    assert refreshed(case).risk_level == RiskLevel.STANDARD


def test_an_assessment_with_a_missing_answer_is_refused(officer_user):
    case, _ = case_with_victim()
    given = answers(8)
    del given[questions()[8].pk]
    before = snapshot(case)
    with pytest.raises(CaseError, match="Answer every question"):
        risk_assess(case=case, answers=given, actor=officer_user)
    assert snapshot(case) == before


def test_the_answers_keep_the_question_text_after_the_question_is_edited(officer_user):
    case, _ = case_with_victim()
    assessment = risk_assess(case=case, answers=answers(0), actor=officer_user)
    question = questions()[0]
    original = question.text
    question.text = "Reworded question"
    question.weight = 9
    question.save()
    stored = RiskAssessment.objects.get(pk=assessment.pk).answers
    assert stored[0] == {"question": original, "weight": 3, "answer": True}
    assert len(stored) == 10


def test_a_stale_risk_assessment_is_refused_and_changes_nothing(officer_user):
    case, _ = case_with_victim()
    opened_version = case.version
    case_update(case=case, actor=officer_user, address="16 Bell Street")  # someone else edits meanwhile
    before = snapshot(case)
    with pytest.raises(StaleEditError):
        risk_assess(case=case, answers=answers(8), actor=officer_user, expected_version=opened_version)
    assert snapshot(case) == before
    assert refreshed(case).risk_level == RiskLevel.NOT_ASSESSED


# ---------------------------------------------------------------------------------------------
# case_assign
# ---------------------------------------------------------------------------------------------


def test_a_manager_assigns_and_reassigns_with_old_and_new_officer_on_the_timeline(manager_user, officer_user, officer2):
    case, _ = case_with_victim()
    case_assign(case=case, officer=officer_user, actor=manager_user)
    assert refreshed(case).officer == officer_user
    entry = latest_entry(case, TimelineKind.ASSIGNMENT)
    assert entry.changes == {"officer": [None, officer_user.get_full_name()]}
    assert entry.actor == manager_user
    case_assign(case=case, officer=officer2, actor=manager_user)
    assert refreshed(case).officer == officer2
    entry = latest_entry(case, TimelineKind.ASSIGNMENT)
    assert entry.changes == {"officer": [officer_user.get_full_name(), officer2.get_full_name()]}


def test_an_officer_takes_an_unassigned_case(officer_user):
    case, _ = case_with_victim()
    case_assign(case=case, officer=officer_user, actor=officer_user)
    assert refreshed(case).officer == officer_user
    assert latest_entry(case, TimelineKind.ASSIGNMENT).actor == officer_user


def test_an_officer_cannot_take_a_case_assigned_to_someone_else(manager_user, officer_user, officer2):
    case, _ = case_with_victim()
    case_assign(case=case, officer=officer2, actor=manager_user)
    before = snapshot(case)
    with pytest.raises(CaseError, match="already assigned"):
        case_assign(case=case, officer=officer_user, actor=officer_user)
    assert snapshot(case) == before


def test_an_officer_cannot_assign_a_case_to_another_officer(officer_user, officer2):
    case, _ = case_with_victim()
    before = snapshot(case)
    with pytest.raises(CaseError, match="Only a manager"):
        case_assign(case=case, officer=officer2, actor=officer_user)
    assert snapshot(case) == before


def test_a_call_centre_user_cannot_be_assigned_a_case(manager_user, call_centre_user):
    case, _ = case_with_victim()
    before = snapshot(case)
    with pytest.raises(CaseError, match="not an ASB officer"):
        case_assign(case=case, officer=call_centre_user, actor=manager_user)
    assert snapshot(case) == before


def test_a_stale_assignment_is_refused(manager_user, officer_user, officer2):
    case, _ = case_with_victim()
    opened_version = case.version
    case_assign(case=case, officer=officer_user, actor=manager_user)
    before = snapshot(case)
    with pytest.raises(StaleEditError):
        case_assign(case=case, officer=officer2, actor=manager_user, expected_version=opened_version)
    assert snapshot(case) == before


# ---------------------------------------------------------------------------------------------
# case_status_change, case_close and reopening
# ---------------------------------------------------------------------------------------------


def _case_in(status: str) -> Case:
    if status == CaseStatus.CLOSED:
        return CaseFactory(status=status, closure_reason=ClosureReason.RESOLVED, closed_at=timezone.now())
    return CaseFactory(status=status)


def _move(case, to_status, actor):
    if to_status == CaseStatus.CLOSED:
        return case_close(case=case, reason=ClosureReason.RESOLVED, actor=actor)
    return case_status_change(case=case, to_status=to_status, actor=actor, reason="New reports from neighbours")


@pytest.mark.parametrize("from_status, to_status", list(itertools.product(CaseStatus.values, repeat=2)))
def test_only_the_moves_in_the_status_map_are_allowed(officer_user, from_status, to_status):
    case = _case_in(from_status)
    if to_status in STATUS_TRANSITIONS[from_status]:
        _move(case, to_status, officer_user)
        case.refresh_from_db()
        assert case.status == to_status
        entry = latest_entry(case, TimelineKind.STATUS)
        assert entry.changes["status"] == [from_status, to_status] and entry.actor == officer_user
    else:
        before = snapshot(case)
        with pytest.raises(CaseError) as refused:
            _move(case, to_status, officer_user)
        message = str(refused.value)
        if from_status == CaseStatus.CLOSED and to_status == CaseStatus.CLOSED:
            assert isinstance(refused.value, CaseClosedError) and "is closed" in message
        else:
            assert f"cannot be moved to {CaseStatus(to_status).label.lower()}" in message
            assert "It can be moved to:" in message
        assert snapshot(case) == before


def test_closing_through_a_status_change_is_refused_pointing_to_close_case(officer_user):
    case = _case_in(CaseStatus.OPEN)
    before = snapshot(case)
    with pytest.raises(CaseError, match="close case"):
        case_status_change(case=case, to_status=CaseStatus.CLOSED, actor=officer_user)
    assert snapshot(case) == before


@pytest.mark.parametrize("reason", ["", "nonsense", ClosureReason.MERGED])
def test_closing_needs_a_valid_reason_and_not_merged(officer_user, reason):
    case, victim = opened_case(officer_user)
    final_update(case, victim, officer_user)
    before = snapshot(case)
    with pytest.raises(CaseError, match="Select why"):
        case_close(case=case, reason=reason, actor=officer_user)
    assert snapshot(case) == before


def test_closing_needs_a_final_update_to_each_victim_with_contact_details(officer_user):
    case, victim = opened_case(officer_user)
    complainant = add_party(
        case, officer_user, role=PartyRole.COMPLAINANT, full_name="Ravi Patel", phone="", email="ravi@example.com"
    )
    add_party(case, officer_user, role=PartyRole.WITNESS, full_name="Wendy Shaw")  # witnesses are not owed updates
    perpetrator(case, officer_user)
    contact(case, victim, officer_user, gave_update=True)  # an ordinary update is not a final update
    before = snapshot(case)
    with pytest.raises(CaseError, match="Margaret Ellis, Ravi Patel"):
        case_close(case=case, reason=ClosureReason.RESOLVED, actor=officer_user)
    assert snapshot(case) == before
    final_update(case, victim, officer_user)
    with pytest.raises(CaseError, match="Ravi Patel"):
        case_close(case=case, reason=ClosureReason.RESOLVED, actor=officer_user)
    final_update(case, complainant, officer_user)
    case_close(case=case, reason=ClosureReason.RESOLVED, actor=officer_user, note="Music stopped")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason == ClosureReason.RESOLVED
    assert case.closed_at is not None
    entry = latest_entry(case, TimelineKind.STATUS)
    assert entry.actor == officer_user and entry.body == "Music stopped"
    assert entry.changes == {
        "status": [CaseStatus.OPEN, CaseStatus.CLOSED],
        "closure_reason": [None, ClosureReason.RESOLVED],
    }


def test_a_victim_known_only_by_name_needs_no_final_update(officer_user):
    case, reporter = case_with_victim(reporter_role=PartyRole.REPORTER, on_behalf_of="Doris Ellis")
    assert case.parties.filter(role=PartyRole.VICTIM, full_name="Doris Ellis").exists()
    contact(case, reporter, officer_user)
    final_update(case, reporter, officer_user)
    case_close(case=case, reason=ClosureReason.NO_FURTHER_ACTION, actor=officer_user)
    assert refreshed(case).status == CaseStatus.CLOSED


CLOSED_CASE_EDITS = {
    "note_add": lambda case, party, actor: note_add(case=case, text="Visited", actor=actor),
    "contact_record": lambda case, party, actor: contact(case, party, actor),
    "case_update": lambda case, party, actor: case_update(case=case, actor=actor, address="2 Bell Street"),
    "party_add": lambda case, party, actor: party_add(
        case=case, actor=actor, role=PartyRole.WITNESS, full_name="Wendy Shaw"
    ),
    "party_update": lambda case, party, actor: party_update(party=party, actor=actor, phone="0116 2888 000"),
    "risk_assess": lambda case, party, actor: risk_assess(case=case, answers=answers(), actor=actor),
    "action_record": lambda case, party, actor: action_record(
        case=case, action_type=action_type("warning-letter"), actor=actor
    ),
    "referral_make": lambda case, party, actor: referral_make(
        case=case, agency=police(), reason="Drug dealing", referred_on=timezone.localdate(), actor=actor
    ),
}


@pytest.mark.parametrize("edit", CLOSED_CASE_EDITS, ids=list(CLOSED_CASE_EDITS))
def test_a_closed_case_cannot_be_changed(officer_user, edit):
    case, victim = closed_case(officer_user)
    before = snapshot(case)
    with pytest.raises(CaseClosedError, match="closed"):
        CLOSED_CASE_EDITS[edit](case, victim, officer_user)
    assert snapshot(case) == before


def test_evidence_cannot_be_added_to_a_closed_case(officer_user, media):
    case, _ = closed_case(officer_user)
    with pytest.raises(CaseClosedError):
        evidence_add(case=case, uploaded=SimpleUploadedFile("photo.png", PNG), actor=officer_user)
    assert Evidence.objects.count() == 0


def test_reopening_needs_a_reason(officer_user):
    case, _ = closed_case(officer_user)
    before = snapshot(case)
    with pytest.raises(CaseError, match="reason for reopening"):
        case_status_change(case=case, to_status=CaseStatus.OPEN, actor=officer_user, reason="  ")
    assert snapshot(case) == before


def test_reopening_clears_the_closure_and_records_the_reason(officer_user):
    case, _ = closed_case(officer_user)
    case_status_change(case=case, to_status=CaseStatus.OPEN, actor=officer_user, reason="Music started again")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.closure_reason == "" and case.closed_at is None and case.reopened_at is not None
    entry = latest_entry(case, TimelineKind.STATUS)
    assert entry.summary == "Reopened" and entry.body == "Music started again" and entry.actor == officer_user
    assert entry.changes == {"status": [CaseStatus.CLOSED, CaseStatus.OPEN]}


def test_closing_again_after_reopening_needs_new_final_updates(officer_user):
    case, victim = closed_case(officer_user)
    case_status_change(case=case, to_status=CaseStatus.OPEN, actor=officer_user, reason="Music started again")
    with pytest.raises(CaseError, match="Margaret Ellis"):
        case_close(case=case, reason=ClosureReason.RESOLVED, actor=officer_user)
    assert refreshed(case).status == CaseStatus.OPEN
    final_update(case, victim, officer_user)
    case_close(case=case, reason=ClosureReason.RESOLVED, actor=officer_user)
    assert refreshed(case).status == CaseStatus.CLOSED


def test_a_merged_duplicate_cannot_be_reopened(officer_user):
    duplicate, _ = case_with_victim()
    target, _ = case_with_victim(full_name="Tom Ellis")
    case_merge(duplicate=duplicate, into=target, actor=officer_user)
    before = snapshot(duplicate)
    with pytest.raises(CaseError, match=f"merged into {target.reference}"):
        case_status_change(case=duplicate, to_status=CaseStatus.OPEN, actor=officer_user, reason="Mistake")
    assert snapshot(duplicate) == before


# ---------------------------------------------------------------------------------------------
# case_merge
# ---------------------------------------------------------------------------------------------


def test_merging_moves_everything_to_the_target_and_closes_the_duplicate(officer_user, media):
    target, _ = case_with_victim(description="Music until 3am every night")
    duplicate, victim = case_with_victim(full_name="Tom Ellis", description="Motorbikes revving in the car park")
    contact(duplicate, victim, officer_user)
    offender = perpetrator(duplicate, officer_user)
    evidence = evidence_add(case=duplicate, uploaded=SimpleUploadedFile("bike.png", PNG), actor=officer_user)
    risk_assess(case=duplicate, answers=answers(0), actor=officer_user)
    action_record(
        case=duplicate,
        action_type=action_type("warning-letter"),
        perpetrator=offender,
        actor=officer_user,
        served_on=timezone.localdate(),
    )
    referral_make(case=duplicate, agency=police(), reason="Bikes", referred_on=timezone.localdate(), actor=officer_user)
    note_add(case=duplicate, text="Spoke to the caretaker", actor=officer_user)
    moved_entries = set(TimelineEntry.objects.filter(case=duplicate).values_list("pk", flat=True))

    case_merge(duplicate=duplicate, into=target, actor=officer_user)

    for model in (Report, Party, Contact, Evidence, RiskAssessment, Action, Referral):
        assert not model.objects.filter(case=duplicate).exists(), model.__name__
    assert target.reports.count() == 2
    assert set(target.parties.values_list("full_name", flat=True)) == {"Margaret Ellis", "Tom Ellis", "Dean Pollard"}
    assert target.contacts.count() == 1 and target.risk_assessments.count() == 1
    assert target.actions.count() == 1 and target.referrals.count() == 1
    assert refreshed(evidence).case == target
    assert moved_entries <= set(TimelineEntry.objects.filter(case=target).values_list("pk", flat=True))

    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.CLOSED and duplicate.closure_reason == ClosureReason.MERGED
    assert duplicate.merged_into == target and duplicate.closed_at is not None
    closing = TimelineEntry.objects.get(case=duplicate)
    assert closing.kind == TimelineKind.STATUS and closing.actor == officer_user and target.reference in closing.body
    merge_entry = latest_entry(target, TimelineKind.MERGE)
    assert merge_entry.actor == officer_user
    assert merge_entry.changes == {"merged": [duplicate.reference, target.reference]}


def test_the_targets_search_covers_the_duplicates_reports(officer_user):
    target, _ = case_with_victim(description="Music until 3am every night")
    duplicate, _ = case_with_victim(full_name="Tom Ellis", description="Motorbikes revving in the car park")
    assert not Case.objects.filter(pk=target.pk, search_document=SearchQuery("motorbikes", config="english")).exists()
    case_merge(duplicate=duplicate, into=target, actor=officer_user)
    found = Case.objects.filter(search_document=SearchQuery("motorbikes", config="english"))
    assert list(found) == [target]
    assert list(Case.objects.filter(search_document=SearchQuery("music", config="english"))) == [target]


def test_merging_a_hate_motivated_duplicate_flags_the_target(officer_user):
    target, _ = case_with_victim()
    duplicate, _ = case_with_victim(full_name="Tom Ellis", hate_motivated="yes", hate_characteristics=["race"])
    case_merge(duplicate=duplicate, into=target, actor=officer_user)
    assert refreshed(target).hate_motivated is True


def test_a_case_cannot_be_merged_into_itself(officer_user):
    case, _ = case_with_victim()
    before = snapshot(case)
    with pytest.raises(CaseError, match="different case"):
        case_merge(duplicate=case, into=case, actor=officer_user)
    assert snapshot(case) == before


def test_a_stale_merge_is_refused_and_moves_nothing(officer_user):
    target, _ = case_with_victim()
    duplicate, _ = case_with_victim(full_name="Tom Ellis")
    opened_version = duplicate.version
    case_update(case=duplicate, actor=officer_user, address="2 Bell Street")
    before = (snapshot(duplicate), snapshot(target))
    with pytest.raises(StaleEditError):
        case_merge(duplicate=duplicate, into=target, actor=officer_user, expected_version=opened_version)
    assert (snapshot(duplicate), snapshot(target)) == before


def test_a_case_cannot_be_merged_into_a_closed_case(officer_user):
    target, _ = closed_case(officer_user)
    duplicate, _ = case_with_victim(full_name="Tom Ellis")
    before = (snapshot(duplicate), snapshot(target))
    with pytest.raises(CaseClosedError):
        case_merge(duplicate=duplicate, into=target, actor=officer_user)
    assert (snapshot(duplicate), snapshot(target)) == before


# ---------------------------------------------------------------------------------------------
# case_update
# ---------------------------------------------------------------------------------------------


def test_a_case_edit_records_old_and_new_values(officer_user):
    case, _ = case_with_victim()
    version = case.version
    case_update(
        case=case,
        actor=officer_user,
        address="16 Bell Street",
        postcode="le181ab",
        hate_motivated=True,
        category=category("vehicle-nuisance"),
    )
    case.refresh_from_db()
    assert (case.address, case.postcode, case.hate_motivated) == ("16 Bell Street", "LE18 1AB", True)
    assert case.category.slug == "vehicle-nuisance" and case.version == version + 1
    entry = latest_entry(case, TimelineKind.EDIT)
    assert entry.actor == officer_user
    assert entry.changes == {
        "address": ["14 Bell Street", "16 Bell Street"],
        "postcode": ["LE18 1AA", "LE18 1AB"],
        "hate_motivated": [False, True],
        "category": ["Noise", "Vehicle nuisance"],
    }


def test_a_case_edit_that_changes_nothing_writes_nothing(officer_user):
    case, _ = case_with_victim()
    before = snapshot(case)
    case_update(case=case, actor=officer_user, address="14 Bell Street", postcode="LE18 1AA", hate_motivated=False)
    assert snapshot(case) == before


def test_a_stale_case_edit_is_refused_with_the_stale_message(officer_user):
    case, _ = case_with_victim()
    opened_version = case.version
    case_update(case=case, actor=officer_user, address="16 Bell Street")
    before = snapshot(case)
    with pytest.raises(StaleEditError) as refused:
        case_update(case=case, actor=officer_user, expected_version=opened_version, address="18 Bell Street")
    assert str(refused.value) == STALE_MESSAGE
    assert snapshot(case) == before
    assert refreshed(case).address == "16 Bell Street"


# ---------------------------------------------------------------------------------------------
# party_add and party_update
# ---------------------------------------------------------------------------------------------


def test_a_victim_is_added_with_a_normalised_phone(officer_user):
    case, _ = case_with_victim()
    victim = party_add(
        case=case,
        actor=officer_user,
        role=PartyRole.VICTIM,
        full_name="Ravi Patel",
        phone="+44 116 2888 961",
        email=" Ravi@Example.com ",
        postcode="le181ab",
    )
    victim.refresh_from_db()
    assert victim.case == case and victim.role == PartyRole.VICTIM
    assert victim.phone_normalised == "01162888961"
    assert victim.email == "ravi@example.com" and victim.postcode == "LE18 1AB"
    entry = latest_entry(case, TimelineKind.PARTY)
    assert entry.actor == officer_user and entry.summary == "Added Ravi Patel as victim"


def test_an_unknown_group_is_added_with_its_description(officer_user):
    case, _ = case_with_victim()
    group = party_add(
        case=case,
        actor=officer_user,
        role=PartyRole.PERPETRATOR,
        is_unknown=True,
        description="Four teenagers on bikes",
    )
    assert group.is_unknown and group.full_name == "" and str(group) == "Four teenagers on bikes"


def test_an_unknown_group_needs_a_description(officer_user):
    case, _ = case_with_victim()
    before = snapshot(case)
    with pytest.raises(CaseError, match="Describe"):
        party_add(case=case, actor=officer_user, role=PartyRole.PERPETRATOR, is_unknown=True, description=" ")
    assert snapshot(case) == before


@pytest.mark.parametrize("values", [{"full_name": "  "}, {}], ids=["blank name", "no name given"])
def test_a_known_person_needs_a_name(officer_user, values):
    case, _ = case_with_victim()
    before = snapshot(case)
    with pytest.raises(CaseError, match="Enter their name"):
        party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, phone="0116 2888 961", **values)
    assert snapshot(case) == before


def test_a_perpetrator_with_date_of_birth_and_a_staff_safety_warning(officer_user):
    case, _ = case_with_victim()
    person = perpetrator(
        case,
        officer_user,
        born=date(2001, 2, 3),
        staff_safety_warning=True,
        staff_safety_note="Large dog; visit in pairs",
    )
    person.refresh_from_db()
    assert person.role == PartyRole.PERPETRATOR and person.date_of_birth == date(2001, 2, 3)
    assert person.staff_safety_warning is True
    warning = latest_entry(case, TimelineKind.PARTY)
    assert warning.summary == "Staff safety warning on Dean Pollard"
    assert warning.body == "Large dog; visit in pairs" and warning.visibility == Visibility.INTERNAL
    assert warning.actor == officer_user
    assert TimelineEntry.objects.filter(
        case=case, kind=TimelineKind.PARTY, summary="Added Dean Pollard as alleged perpetrator"
    ).exists()


def test_a_party_edit_records_old_and_new_values_and_normalises_the_phone(officer_user):
    case, victim = case_with_victim()
    version = refreshed(case).version
    party_update(party=victim, actor=officer_user, phone="0044 116 2888 961", best_times="Evenings")
    victim.refresh_from_db()
    assert victim.phone == "0044 116 2888 961" and victim.phone_normalised == "01162888961"
    entry = latest_entry(case, TimelineKind.EDIT)
    assert entry.actor == officer_user and entry.visibility == Visibility.STAFF
    assert entry.changes == {"phone": ["+44 7700 900123", "0044 116 2888 961"], "best_times": ["", "Evenings"]}
    assert refreshed(case).version == version + 1


def test_a_party_edit_that_changes_nothing_writes_nothing(officer_user):
    case, victim = case_with_victim()
    before = snapshot(case)
    party_update(party=victim, actor=officer_user, full_name="Margaret Ellis")
    assert snapshot(case) == before


def test_a_party_edit_cannot_blank_the_name(officer_user):
    case, victim = case_with_victim()
    before = snapshot(case)
    with pytest.raises(CaseError, match="Enter their name"):
        party_update(party=victim, actor=officer_user, full_name="")
    assert snapshot(case) == before
    assert refreshed(victim).full_name == "Margaret Ellis"


def test_an_unknown_group_can_have_its_description_edited(officer_user):
    case, _ = case_with_victim()
    group = party_add(
        case=case, actor=officer_user, role=PartyRole.PERPETRATOR, is_unknown=True, description="Teenagers"
    )
    party_update(party=group, actor=officer_user, description="Four teenagers on bikes")
    assert refreshed(group).description == "Four teenagers on bikes"
    assert latest_entry(case, TimelineKind.EDIT).changes == {"description": ["Teenagers", "Four teenagers on bikes"]}


def test_turning_an_unknown_group_into_a_known_person_needs_a_name(officer_user):
    case, _ = case_with_victim()
    group = party_add(
        case=case, actor=officer_user, role=PartyRole.PERPETRATOR, is_unknown=True, description="Teenagers"
    )
    before = snapshot(case)
    with pytest.raises(CaseError, match="Enter their name"):
        party_update(party=group, actor=officer_user, is_unknown=False)
    assert snapshot(case) == before
    assert refreshed(group).is_unknown is True


def test_a_staff_safety_note_change_is_internal(officer_user):
    case, _ = case_with_victim()
    person = perpetrator(case, officer_user)
    party_update(party=person, actor=officer_user, staff_safety_warning=True, staff_safety_note="Threatened staff")
    entry = latest_entry(case, TimelineKind.EDIT)
    assert entry.visibility == Visibility.INTERNAL
    assert entry.changes["staff_safety_note"] == ["", "Threatened staff"]


# ---------------------------------------------------------------------------------------------
# action_record, action_update, breach_record
# ---------------------------------------------------------------------------------------------


def test_a_cpn_gets_its_appeal_date_21_days_after_service(officer_user):
    case, _ = opened_case(officer_user)
    served = timezone.localdate() - timedelta(days=2)
    action = action_record(
        case=case,
        action_type=action_type("cpn"),
        perpetrator=perpetrator(case, officer_user),
        served_on=served,
        actor=officer_user,
    )
    # 21 days beginning with the day of service: the 21st is the day after 20 more.
    assert action.appeal_by == served + timedelta(days=20)
    assert action.status == ActionStatus.IN_FORCE and action.expires_on is None
    entry = latest_entry(case, TimelineKind.ACTION)
    assert entry.actor == officer_user and entry.summary.startswith("Community Protection Notice against Dean Pollard")


def test_an_abc_expires_183_days_after_service_unless_an_expiry_is_given(officer_user):
    case, _ = opened_case(officer_user)
    served = timezone.localdate()
    defaulted = action_record(case=case, action_type=action_type("abc"), served_on=served, actor=officer_user)
    assert defaulted.expires_on == served + timedelta(days=183) and defaulted.appeal_by is None
    given = action_record(
        case=case,
        action_type=action_type("abc"),
        served_on=served,
        expires_on=served + timedelta(days=90),
        actor=officer_user,
    )
    assert given.expires_on == served + timedelta(days=90)


SERVED = date(2025, 6, 10)  # a past day, so the action is in force and no leap day is involved


def test_a_cpw_against_someone_under_16_on_the_served_date_is_refused(officer_user):
    case, _ = opened_case(officer_user)
    young = perpetrator(case, officer_user, born=date(2009, 6, 11))  # 16 the day after it is served
    before = snapshot(case)
    with pytest.raises(CaseError, match="16 or over"):
        action_record(
            case=case, action_type=action_type("cpw"), perpetrator=young, served_on=SERVED, actor=officer_user
        )
    assert snapshot(case) == before


def test_a_cpw_on_the_sixteenth_birthday_is_allowed(officer_user):
    case, _ = opened_case(officer_user)
    person = perpetrator(case, officer_user, born=date(2009, 6, 10))
    action = action_record(
        case=case, action_type=action_type("cpw"), perpetrator=person, served_on=SERVED, actor=officer_user
    )
    assert action.status == ActionStatus.IN_FORCE


@pytest.mark.parametrize("who", ["victim", "perpetrator of another case"])
def test_the_action_must_be_against_a_perpetrator_on_this_case(officer_user, who):
    case, victim = opened_case(officer_user)
    if who == "victim":
        target = victim
    else:
        other, _ = case_with_victim(full_name="Someone Else")
        target = perpetrator(other, officer_user)
    before = snapshot(case)
    with pytest.raises(CaseError, match="perpetrator on this case"):
        action_record(
            case=case,
            action_type=action_type("warning-letter"),
            perpetrator=target,
            served_on=timezone.localdate(),
            actor=officer_user,
        )
    assert snapshot(case) == before


def test_an_expiry_before_the_served_date_is_refused(officer_user):
    case, _ = opened_case(officer_user)
    served = timezone.localdate()
    before = snapshot(case)
    with pytest.raises(CaseError, match="expiry date"):
        action_record(
            case=case,
            action_type=action_type("abc"),
            served_on=served,
            expires_on=served - timedelta(days=1),
            actor=officer_user,
        )
    assert snapshot(case) == before


def test_an_action_served_in_the_future_is_planned(officer_user):
    case, _ = opened_case(officer_user)
    action = action_record(
        case=case,
        action_type=action_type("injunction"),
        served_on=timezone.localdate() + timedelta(days=7),
        actor=officer_user,
    )
    assert action.status == ActionStatus.PLANNED


def test_a_breach_marks_the_action_breached_with_a_timeline_entry(officer_user):
    case, _ = opened_case(officer_user)
    action = action_record(
        case=case,
        action_type=action_type("cpn"),
        perpetrator=perpetrator(case, officer_user),
        served_on=timezone.localdate() - timedelta(days=10),
        actor=officer_user,
    )
    breach = breach_record(
        action=action,
        occurred_on=timezone.localdate() - timedelta(days=1),
        description="Music at 2am again",
        actor=officer_user,
    )
    assert breach.recorded_by == officer_user
    assert refreshed(action).status == ActionStatus.BREACHED
    entry = latest_entry(case, TimelineKind.BREACH)
    assert entry.actor == officer_user and entry.body == "Music at 2am again"


def test_a_breach_in_the_future_is_refused(officer_user):
    case, _ = opened_case(officer_user)
    action = action_record(
        case=case, action_type=action_type("cpn"), served_on=timezone.localdate(), actor=officer_user
    )
    before = snapshot(case)
    with pytest.raises(CaseError, match="today or in the past"):
        breach_record(
            action=action, occurred_on=timezone.localdate() + timedelta(days=1), description="x", actor=officer_user
        )
    assert snapshot(case) == before
    assert Breach.objects.count() == 0 and refreshed(action).status == ActionStatus.IN_FORCE


def test_an_action_update_records_old_and_new_values(officer_user):
    case, _ = opened_case(officer_user)
    action = action_record(
        case=case, action_type=action_type("abc"), served_on=timezone.localdate(), actor=officer_user
    )
    action_update(action=action, actor=officer_user, status=ActionStatus.COMPLIED, outcome="Kept to the contract")
    entry = latest_entry(case, TimelineKind.ACTION)
    assert entry.actor == officer_user
    assert entry.changes == {
        "status": [ActionStatus.IN_FORCE, ActionStatus.COMPLIED],
        "outcome": ["", "Kept to the contract"],
    }


# ---------------------------------------------------------------------------------------------
# referral_make and referral_update
# ---------------------------------------------------------------------------------------------


def test_a_referral_to_the_police_is_recorded_with_its_reason(officer_user):
    case, _ = opened_case(officer_user)
    referral = referral_make(
        case=case,
        agency=police(),
        reason="Suspected drug dealing from the flat",
        referred_on=timezone.localdate(),
        actor=officer_user,
    )
    assert referral.agency.name == "Leicestershire Police" and referral.status == ReferralStatus.SENT
    assert referral.created_by == officer_user
    entry = latest_entry(case, TimelineKind.REFERRAL)
    assert entry.summary == "Referred to Leicestershire Police" and entry.body == "Suspected drug dealing from the flat"
    assert entry.actor == officer_user


def test_a_referral_status_update_records_the_changes(officer_user):
    case, _ = opened_case(officer_user)
    referral = referral_make(
        case=case, agency=police(), reason="Drugs", referred_on=timezone.localdate(), actor=officer_user
    )
    answered = timezone.localdate()
    referral_update(
        referral=referral,
        status=ReferralStatus.ACCEPTED,
        response="Patrols added",
        responded_on=answered,
        actor=officer_user,
    )
    referral.refresh_from_db()
    assert (referral.status, referral.response, referral.responded_on) == (
        ReferralStatus.ACCEPTED,
        "Patrols added",
        answered,
    )
    entry = latest_entry(case, TimelineKind.REFERRAL)
    assert entry.actor == officer_user
    assert entry.changes == {
        "status": [ReferralStatus.SENT, ReferralStatus.ACCEPTED],
        "response": ["", "Patrols added"],
        "responded_on": [None, str(answered)],
    }


@pytest.mark.parametrize("problem", ["future date", "no reason"])
def test_a_referral_in_the_future_or_without_a_reason_is_refused(officer_user, problem):
    case, _ = opened_case(officer_user)
    day = timezone.localdate() + timedelta(days=1) if problem == "future date" else timezone.localdate()
    reason = "Drugs" if problem == "future date" else "  "
    before = snapshot(case)
    with pytest.raises(CaseError):
        referral_make(case=case, agency=police(), reason=reason, referred_on=day, actor=officer_user)
    assert snapshot(case) == before


def test_a_referral_response_dated_in_the_future_is_refused(officer_user):
    case, _ = opened_case(officer_user)
    referral = referral_make(
        case=case, agency=police(), reason="Drugs", referred_on=timezone.localdate(), actor=officer_user
    )
    before = snapshot(case)
    with pytest.raises(CaseError, match="today or in the past"):
        referral_update(
            referral=referral,
            status=ReferralStatus.ACCEPTED,
            response="",
            responded_on=timezone.localdate() + timedelta(days=1),
            actor=officer_user,
        )
    assert snapshot(case) == before
    assert refreshed(referral).status == ReferralStatus.SENT


# ---------------------------------------------------------------------------------------------
# note_add
# ---------------------------------------------------------------------------------------------


def test_a_diary_entry_is_placed_on_the_timeline_when_it_happened(officer_user):
    case, victim = case_with_victim()
    contact(case, victim, officer_user)  # today
    two_days_ago = timezone.now() - timedelta(days=2)
    note = note_add(
        case=case, text="Heard the music myself\nfrom the street at 1am", actor=officer_user, occurred_at=two_days_ago
    )
    assert note.occurred_at == two_days_ago and note.actor == officer_user
    assert note.summary == "Heard the music myself" and note.kind == TimelineKind.NOTE
    # Newest first: today's contact, then the diary entry, then the report received three days ago.
    assert [e.kind for e in case.timeline.all()][-2:] == [TimelineKind.NOTE, TimelineKind.REPORT]
    assert list(case.timeline.all())[-2] == note


def test_a_diary_entry_in_the_future_is_refused(officer_user):
    case, _ = case_with_victim()
    before = snapshot(case)
    with pytest.raises(CaseError, match="future"):
        note_add(case=case, text="Will visit", actor=officer_user, occurred_at=timezone.now() + timedelta(hours=1))
    assert snapshot(case) == before


def test_an_empty_note_is_refused(officer_user):
    case, _ = case_with_victim()
    before = snapshot(case)
    with pytest.raises(CaseError, match="Enter the note"):
        note_add(case=case, text=" \n ", actor=officer_user)
    assert snapshot(case) == before


# ---------------------------------------------------------------------------------------------
# evidence_add
# ---------------------------------------------------------------------------------------------


def test_a_photo_is_stored_on_the_case_with_who_uploaded_it(officer_user, media):
    case, _ = case_with_victim()
    evidence = evidence_add(
        case=case, uploaded=SimpleUploadedFile("doorway.png", PNG), actor=officer_user, description="Damage to the door"
    )
    evidence.refresh_from_db()
    assert evidence.case == case and evidence.uploaded_by == officer_user
    assert (evidence.original_name, evidence.content_type, evidence.size) == ("doorway.png", "image/png", len(PNG))
    stored = media / evidence.file.name
    assert stored.is_file() and stored.read_bytes() == PNG
    entry = latest_entry(case, TimelineKind.EVIDENCE)
    assert entry.actor == officer_user and entry.changes == {"evidence": str(evidence.pk)}


def test_a_renamed_executable_is_refused_and_nothing_is_saved(officer_user, media):
    case, _ = case_with_victim()
    before = snapshot(case)
    with pytest.raises(ValidationError, match="must be a photo"):
        evidence_add(case=case, uploaded=SimpleUploadedFile("holiday.jpg", EXE), actor=officer_user)
    assert Evidence.objects.count() == 0
    assert snapshot(case) == before
    assert not [p for p in media.rglob("*") if p.is_file()]


# ---------------------------------------------------------------------------------------------
# Every change writes a timeline entry with its actor
# ---------------------------------------------------------------------------------------------


def _every_change():
    """(name, change) pairs; each change gets (case, victim, actor, extra) and changes the case once."""
    today = timezone.localdate
    return {
        "case_assign": lambda c, v, a, x: case_assign(case=c, officer=a, actor=a),
        "case_status_change": lambda c, v, a, x: case_status_change(case=c, to_status=CaseStatus.MONITORING, actor=a),
        "case_close": lambda c, v, a, x: (
            final_update(c, v, a),
            case_close(case=c, reason=ClosureReason.RESOLVED, actor=a),
        ),
        "case_update": lambda c, v, a, x: case_update(case=c, actor=a, address="2 Bell Street"),
        "case_merge": lambda c, v, a, x: case_merge(duplicate=x["duplicate"], into=c, actor=a),
        "note_add": lambda c, v, a, x: note_add(case=c, text="Visited", actor=a),
        "evidence_add": lambda c, v, a, x: evidence_add(case=c, uploaded=SimpleUploadedFile("p.png", PNG), actor=a),
        "party_add": lambda c, v, a, x: party_add(case=c, actor=a, role=PartyRole.WITNESS, full_name="Wendy Shaw"),
        "party_update": lambda c, v, a, x: party_update(party=v, actor=a, best_times="Mornings"),
        "contact_record": lambda c, v, a, x: contact(c, v, a, gave_update=True),
        "risk_assess": lambda c, v, a, x: risk_assess(case=c, answers=answers(8), actor=a),
        "action_record": lambda c, v, a, x: action_record(case=c, action_type=action_type("mediation"), actor=a),
        "action_update": lambda c, v, a, x: action_update(action=x["action"], actor=a, outcome="Agreed"),
        "breach_record": lambda c, v, a, x: breach_record(
            action=x["action"], occurred_on=today(), description="Again", actor=a
        ),
        "referral_make": lambda c, v, a, x: referral_make(
            case=c, agency=police(), reason="Drugs", referred_on=today(), actor=a
        ),
        "referral_update": lambda c, v, a, x: referral_update(
            referral=x["referral"], status=ReferralStatus.DECLINED, response="", responded_on=None, actor=a
        ),
    }


@pytest.mark.parametrize("change", list(_every_change()))
def test_every_change_writes_a_timeline_entry_with_the_actor(officer_user, manager_user, media, change):
    case, victim = opened_case(officer_user)
    extra = {
        "action": action_record(
            case=case, action_type=action_type("abc"), served_on=timezone.localdate(), actor=manager_user
        ),
        "referral": referral_make(
            case=case, agency=police(), reason="Drugs", referred_on=timezone.localdate(), actor=manager_user
        ),
        "duplicate": case_with_victim(full_name="Tom Ellis")[0],
    }
    seen = set(TimelineEntry.objects.values_list("pk", flat=True))
    _every_change()[change](case, victim, officer_user, extra)
    new = TimelineEntry.objects.exclude(pk__in=seen).filter(case=case)
    assert new.exists()
    assert {e.actor for e in new} == {officer_user}


def test_merging_keeps_the_higher_risk_level(officer_user):
    from cases.models import RiskLevel
    from cases.services import case_merge

    keep = submit_report().case
    duplicate = submit_report(report_submission(phone="07700 900555", email="b@example.com")).case
    Case.objects.filter(pk=duplicate.pk).update(risk_level=RiskLevel.HIGH)
    duplicate.refresh_from_db()
    merged = case_merge(duplicate=duplicate, into=keep, actor=officer_user)
    merged.refresh_from_db()
    assert merged.risk_level == RiskLevel.HIGH
    assert merged.timeline.filter(kind="risk", changes__risk_level=["not_assessed", "high"]).exists()


def test_merging_an_assessed_case_into_an_unassessed_one_keeps_the_assessed_level(officer_user):
    from cases.models import RiskLevel
    from cases.services import case_merge

    keep = submit_report().case
    duplicate = submit_report(report_submission(phone="07700 900555", email="b@example.com")).case
    risk_assess(case=duplicate, answers=answers(0), actor=officer_user)  # standard
    merged = case_merge(duplicate=refreshed(duplicate), into=keep, actor=officer_user)
    merged.refresh_from_db()
    assert merged.risk_level == RiskLevel.STANDARD
    assert merged.timeline.filter(kind="risk", changes__risk_level=["not_assessed", "standard"]).exists()


# --- dates in order (found while building the demo data) -------------------------------------


def test_a_contact_before_the_case_was_received_is_refused(officer_user):
    from cases.services import CaseError, contact_record

    report = submit_report()
    with pytest.raises(CaseError, match="before the case was received"):
        contact_record(case=report.case, party=report.reporter, method="phone", direction="out", successful=True,
                       summary="x", occurred_at=report.case.received_at - timedelta(days=1), gave_update=False, actor=officer_user)


def test_a_planned_action_cannot_be_breached_and_a_breach_is_not_before_service(officer_user):
    from cases.models import ActionType
    from cases.services import CaseError, action_record, breach_record

    case = submit_report().case
    planned = action_record(case=case, action_type=ActionType.objects.get(slug="abc"), actor=officer_user)
    with pytest.raises(CaseError, match="has not been served"):
        breach_record(action=planned, occurred_on=timezone.localdate(), description="x", actor=officer_user)
    served = action_record(case=case, action_type=ActionType.objects.get(slug="abc"), served_on=timezone.localdate(), actor=officer_user)
    with pytest.raises(CaseError, match="on or after the date served"):
        breach_record(action=served, occurred_on=timezone.localdate() - timedelta(days=1), description="x", actor=officer_user)


def test_action_update_keeps_dates_after_service(officer_user):
    from cases.models import ActionType
    from cases.services import CaseError, action_record, action_update

    case = submit_report().case
    action = action_record(case=case, action_type=ActionType.objects.get(slug="abc"), served_on=timezone.localdate(), actor=officer_user)
    with pytest.raises(CaseError, match="expiry date must be after"):
        action_update(action=action, actor=officer_user, expires_on=timezone.localdate() - timedelta(days=1))


def test_a_referral_response_is_not_before_the_referral(officer_user):
    from cases.models import PartnerAgency
    from cases.services import CaseError, referral_make, referral_update

    case = submit_report().case
    referral = referral_make(case=case, agency=PartnerAgency.objects.first(), reason="x", referred_on=timezone.localdate(), actor=officer_user)
    with pytest.raises(CaseError, match="on or after the date referred"):
        referral_update(referral=referral, status="accepted", response="ok", responded_on=timezone.localdate() - timedelta(days=1), actor=officer_user)


def test_resending_an_accepted_submission_returns_it_even_if_rules_would_now_refuse_it():
    import uuid as _uuid

    key = _uuid.uuid4()
    first = submit_report(submission_key=key)
    again = submit_report(report_submission(incident_date=timezone.localdate() + timedelta(days=3)), submission_key=key)
    assert again.pk == first.pk
