"""Cleaning up people already recorded twice on a case: the `parties_dedupe` command and migration 0013."""

import importlib
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cases.models import (
    Action,
    ActionType,
    Channel,
    Contact,
    ContactMethod,
    Deadline,
    DeadlineKind,
    Direction,
    Party,
    PartyRole,
    Report,
    RiskAssessment,
    TimelineEntry,
    TimelineKind,
)
from cases.services import action_record, contact_record, risk_assess
from cases.services.risk import risk_question_set_active
from surveys.models import Invitation, OptOut, Purpose
from surveys.services import survey_invite, survey_submit

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

migration = importlib.import_module("cases.migrations.0013_merge_duplicate_parties")
PERPETRATOR = dict(perpetrator_known="named", perpetrator_name="Darren Pike", perpetrator_address="16 Bell Street")
ANSWERS = dict(overall=5, treated_fairly=5, listened_to=4, kept_updated=4, first_contact_speed=5, staff_polite=5)


def run_command(*args) -> str:
    out = StringIO()
    call_command("parties_dedupe", *args, stdout=out)
    return out.getvalue()


def run_migration():
    migration.merge_duplicate_parties(apps, SimpleNamespace(connection=connection))


def margaret_twice_after_a_case_merge(officer):
    """Two cases about the same noise from the same woman, merged as merges were before they folded people
    together (rows moved as they were): she and the perpetrator are on it twice.
    The second record has her phone number, a first contact, an update clock, a risk assessment and an action."""
    online = submit_report(report_submission(phone="", **PERPETRATOR))
    phoned = submit_report(report_submission(phone="07700 900123", email="MARGARET@example.com", **PERPETRATOR),
                           channel=Channel.PHONE, logged_by=officer)
    contact_record(case=phoned.case, party=phoned.reporter, method=ContactMethod.PHONE, direction=Direction.OUT,
                   successful=True, summary="Spoke to her", occurred_at=timezone.now(), gave_update=False, actor=officer)
    questions = risk_question_set_active().questions.all()
    risk_assess(case=phoned.case, party=phoned.reporter, answers={q.pk: False for q in questions}, actor=officer)
    perpetrator = Party.objects.get(case=phoned.case, role=PartyRole.PERPETRATOR)
    action_record(case=phoned.case, action_type=ActionType.objects.order_by("formality").first(), actor=officer,
                  perpetrator=perpetrator)
    for model in (Report, Party, Contact, RiskAssessment, Action, TimelineEntry, Deadline):
        model.objects.filter(case=phoned.case).update(case=online.case)
    assert Party.objects.filter(case=online.case).count() == 4
    return online.case, online.reporter


@pytest.mark.parametrize("run", [lambda: run_command(), run_migration], ids=["command", "migration"])
def test_the_same_woman_and_the_same_perpetrator_are_merged_with_everything_pointing_at_them(officer_user, run):
    case, margaret = margaret_twice_after_a_case_merge(officer_user)

    run()

    assert list(Party.objects.filter(case=case).values_list("role", flat=True).order_by("role")) == [
        PartyRole.PERPETRATOR, PartyRole.VICTIM
    ]
    margaret.refresh_from_db()
    assert margaret.phone == "07700 900123" and margaret.phone_normalised == "07700900123"  # the blank filled in
    assert set(Report.objects.filter(case=case).values_list("reporter", flat=True)) == {margaret.pk}
    assert Contact.objects.get(case=case).party == margaret and Contact.objects.get(case=case).is_first_contact
    assert RiskAssessment.objects.get(case=case).party == margaret
    assert Action.objects.get(case=case).perpetrator == Party.objects.get(case=case, role=PartyRole.PERPETRATOR)
    # Her first-contact deadline is met by the first contact made with her other record; one update clock runs.
    deadlines = Deadline.objects.filter(party=margaret)
    assert deadlines.filter(kind=DeadlineKind.FIRST_CONTACT, met_at__isnull=False).count() == 2
    assert deadlines.open().count() == 1 and deadlines.open().get().kind == DeadlineKind.VICTIM_UPDATE
    merged = TimelineEntry.objects.filter(case=case, kind=TimelineKind.PARTY, summary__contains="merged")
    assert sorted(e.summary for e in merged) == [
        "Two records of Darren Pike merged: the same person", "Two records of Margaret Ellis merged: the same person"
    ]


def test_the_command_prints_each_merge_a_dry_run_changes_nothing_and_a_second_run_finds_nothing(officer_user):
    case, _ = margaret_twice_after_a_case_merge(officer_user)

    dry = run_command("--dry-run")
    assert "Margaret Ellis" in dry and "Darren Pike" in dry and "2 duplicate records would be merged" in dry
    assert Party.objects.filter(case=case).count() == 4

    assert "2 duplicate records merged" in run_command()
    assert run_command().strip() == "0 duplicate records merged"


def test_different_people_on_a_case_are_left_alone(officer_user):
    first = submit_report(report_submission(**PERPETRATOR))
    submit_report(report_submission(full_name="Tom Ellis", **PERPETRATOR), existing_case=first.case)
    Party.objects.create(case=first.case, role=PartyRole.PERPETRATOR, full_name="Darren Pike", address="3 Elm Road")
    # A son reporting for his father of the same name.
    son = submit_report(report_submission(full_name="Colin Ingram", reporter_role=PartyRole.REPORTER,
                                          on_behalf_of="Colin Ingram"))
    before = Party.objects.filter(case=first.case).count(), Party.objects.filter(case=son.case).count()
    assert run_command().strip() == "0 duplicate records merged"
    run_migration()
    assert (Party.objects.filter(case=first.case).count(), Party.objects.filter(case=son.case).count()) == before == (4, 2)


def old_style_duplicate(report) -> Party:
    """What intake did before it recognised people: a second record of the reporter on the same case."""
    first = report.reporter
    return Party.objects.create(case=report.case, role=first.role, full_name=first.full_name, email=first.email,
                                phone=first.phone, phone_normalised=first.phone_normalised,
                                preferred_contact_method=first.preferred_contact_method)


@pytest.mark.parametrize("run", [lambda: run_command(), run_migration], ids=["command", "migration"])
@pytest.mark.parametrize("answered", ["kept", "duplicate"])
def test_she_keeps_one_closure_survey_the_answered_one_and_her_opt_out(run, answered):
    report = submit_report()
    margaret, again = report.reporter, old_style_duplicate(report)
    invitations = {who: survey_invite(case=report.case, party=p, purpose=Purpose.CLOSURE)
                   for who, p in (("kept", margaret), ("duplicate", again))}
    survey_submit(invitation=invitations[answered], answers=ANSWERS)
    OptOut.objects.create(party=again)

    run()

    survey = Invitation.objects.get(case=report.case)
    assert survey.pk == invitations[answered].pk and survey.party == margaret and survey.responded_at is not None
    assert OptOut.objects.get().party == margaret
    assert Party.objects.filter(case=report.case).count() == 1


def test_two_open_update_clocks_become_one_the_earliest_due(officer_user):
    report = submit_report()
    margaret, again = report.reporter, old_style_duplicate(report)
    now = timezone.now()
    Deadline.objects.filter(party=margaret).delete()
    for party, days in ((margaret, 14), (again, 7)):
        Deadline.objects.create(kind=DeadlineKind.VICTIM_UPDATE, case=report.case, party=party, starts_at=now,
                                due_at=now + timedelta(days=days))

    run_command()

    kept = Deadline.objects.get(case=report.case)
    assert kept.party == margaret and kept.due_at == now + timedelta(days=7)
