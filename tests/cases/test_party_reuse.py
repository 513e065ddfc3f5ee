"""A report added to a case names people already on it: one record per person, details filled in, never doubled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import (
    Channel,
    ClosureReason,
    ContactMethod,
    Deadline,
    DeadlineKind,
    Direction,
    Party,
    PartyRole,
    TimelineEntry,
    TimelineKind,
)
from cases.selectors import parties_missing_final_update
from cases.services import CaseError, case_close, contact_record
from cases.sla import LONDON
from notifications.models import Message
from surveys.models import Invitation
from surveys.services import surveys_sweep

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

PERPETRATOR = dict(perpetrator_known="named", perpetrator_name="Darren Pike", perpetrator_address="16 Bell Street")


def online_report(**overrides):
    return submit_report(report_submission(**{**PERPETRATOR, **overrides}), received_at=timezone.now() - timedelta(days=3))


def phone_report(case, user, **overrides):
    return submit_report(
        report_submission(**{**PERPETRATOR, **overrides}), channel=Channel.PHONE, logged_by=user, existing_case=case,
        received_at=timezone.now() - timedelta(days=1),
    )


def contact(case, party, actor, **overrides):
    values = dict(method=ContactMethod.PHONE, direction=Direction.OUT, successful=True, summary="Spoke about the noise",
                  occurred_at=timezone.now(), gave_update=False)
    return contact_record(case=case, party=party, actor=actor, **{**values, **overrides})


def people(case, role):
    return list(Party.objects.filter(case=case, role=role))


def test_online_then_phone_report_keeps_one_victim_one_perpetrator_one_final_update_one_survey(
    call_centre_user, officer_user
):
    first = online_report()
    case = first.case
    second = phone_report(case, call_centre_user, phone="07700 900 123", email="MARGARET@example.com")

    assert len(people(case, PartyRole.VICTIM)) == 1 and len(people(case, PartyRole.PERPETRATOR)) == 1
    assert second.reporter == first.reporter
    assert Deadline.objects.filter(case=case, kind=DeadlineKind.FIRST_CONTACT).count() == 1

    contact(case, first.reporter, officer_user)
    assert [p.full_name for p in parties_missing_final_update(case)] == ["Margaret Ellis"]
    contact(case, first.reporter, officer_user, gave_update=True, final_update=True, summary="Told her the case is closing")
    case_close(case=case, reason=ClosureReason.RESOLVED, actor=officer_user)

    assert surveys_sweep().invited == 1
    assert Invitation.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    "second, same",
    [
        # the same phone number written differently, nothing else in common but the name
        (dict(phone="07700-900-123", email="m.ellis@example.org"), True),
        (dict(phone="", email="MARGARET@EXAMPLE.COM", preferred_contact_method="email"), True),
        # name and address (first line and postcode), written differently
        (dict(phone="0116 2888 961", email="m.ellis@example.org", reporter_address="14  bell street, Oadby",
              reporter_postcode="LE181AA"), True),
        # how call-centre staff often write the name, with her phone number
        (dict(full_name="Mrs M Ellis", email="", preferred_contact_method="phone"), True),
        # a different person
        (dict(full_name="Tom Ellis", phone="07700 900456", email="tom@example.com"), False),
        # a household sharing a phone and an email address: two people
        (dict(full_name="Tom Ellis"), False),
        # the same name, nothing else in common: two people
        (dict(phone="0116 2888 961", email="m.ellis@example.org", reporter_address="2 Other Road",
              reporter_postcode="LE2 5BA"), False),
    ],
)
def test_the_reporter_is_recognised_by_phone_email_or_name_and_address(call_centre_user, second, same):
    first = online_report(reporter_address="14 Bell Street", reporter_postcode="le18 1aa")
    again = phone_report(first.case, call_centre_user, **second)
    assert (again.reporter == first.reporter) is same
    assert len(people(first.case, PartyRole.VICTIM)) == (1 if same else 2)


def test_details_she_did_not_give_before_are_added_and_the_ones_she_gave_are_kept(call_centre_user):
    first = online_report(phone="", email="margaret@example.com", best_times="evenings")
    phone_report(first.case, call_centre_user, phone="07700 900123", best_times="mornings", customer_group="visitor")

    reporter = Party.objects.get(pk=first.reporter.pk)
    assert reporter.phone == "07700 900123" and reporter.phone_normalised == "07700900123"
    assert reporter.best_times == "evenings" and reporter.customer_group == "council_tenant"
    entry = TimelineEntry.objects.get(case=first.case, kind=TimelineKind.EDIT)
    assert entry.changes == {"phone": ["", "07700 900123"]} and entry.actor == call_centre_user
    assert "Margaret Ellis" in entry.summary


def test_a_reporter_already_contacted_gets_no_new_deadlines(call_centre_user, officer_user):
    first = online_report()
    contact(first.case, first.reporter, officer_user)
    phone_report(first.case, call_centre_user)
    deadlines = Deadline.objects.filter(case=first.case)
    assert deadlines.filter(kind=DeadlineKind.FIRST_CONTACT).count() == 1
    assert deadlines.open().count() == 1 and deadlines.open().get().kind == DeadlineKind.VICTIM_UPDATE


def test_the_victim_reported_on_behalf_of_is_recognised_by_name(call_centre_user):
    first = online_report(reporter_role=PartyRole.REPORTER, on_behalf_of="Doris Ellis")
    phone_report(first.case, call_centre_user, full_name="Tom Ellis", phone="07700 900456", email="tom@example.com",
                 reporter_role=PartyRole.REPORTER, on_behalf_of="doris  ellis")
    assert [p.full_name for p in people(first.case, PartyRole.VICTIM)] == ["Doris Ellis"]
    assert len(people(first.case, PartyRole.REPORTER)) == 2


@pytest.mark.parametrize(
    "second, same",
    [
        (dict(perpetrator_name="darren pike", perpetrator_address=""), True),
        (dict(perpetrator_name="Darren Pike", perpetrator_address="16 Bell St"), False),
        (dict(perpetrator_name="Kyle Pike"), False),
        (dict(perpetrator_known="described", perpetrator_name="", perpetrator_description="Three teenagers on bikes"), False),
    ],
)
def test_the_named_perpetrator_is_recognised_by_name_and_address(call_centre_user, second, same):
    first = online_report()
    phone_report(first.case, call_centre_user, **second)
    assert len(people(first.case, PartyRole.PERPETRATOR)) == (1 if same else 2)


def test_a_described_group_is_recognised_by_the_same_description(call_centre_user):
    described = dict(perpetrator_known="described", perpetrator_name="", perpetrator_address="",
                     perpetrator_description="Three teenagers on bikes")
    first = online_report(**described)
    phone_report(first.case, call_centre_user, **{**described, "perpetrator_description": "three teenagers  on bikes"})
    phone_report(first.case, call_centre_user, **{**described, "perpetrator_description": "A man with a dog"})
    assert sorted(p.description for p in people(first.case, PartyRole.PERPETRATOR)) == [
        "A man with a dog", "Three teenagers on bikes"
    ]


def test_a_case_closing_with_two_people_still_asks_for_both_final_updates(call_centre_user, officer_user):
    first = online_report()
    phone_report(first.case, call_centre_user, full_name="Tom Ellis", phone="07700 900456", email="tom@example.com")
    contact(first.case, first.reporter, officer_user)
    with pytest.raises(CaseError, match="Margaret Ellis, Tom Ellis"):
        case_close(case=first.case, reason=ClosureReason.RESOLVED, actor=officer_user)


def test_someone_reporting_for_a_relative_of_the_same_name_stays_two_people(call_centre_user):
    on_behalf = dict(full_name="Colin Ingram", reporter_role=PartyRole.REPORTER, on_behalf_of="Colin Ingram")
    first = online_report(**on_behalf)
    phone_report(first.case, call_centre_user, **on_behalf)
    assert sorted(Party.objects.filter(case=first.case).exclude(role=PartyRole.PERPETRATOR).values_list("role", flat=True)) == [
        PartyRole.REPORTER, PartyRole.VICTIM
    ]


def test_her_second_acknowledgement_gives_the_first_contact_date_she_is_already_owed(call_centre_user):
    first = online_report()
    owed = Deadline.objects.open().get(party=first.reporter, kind=DeadlineKind.FIRST_CONTACT)
    second = phone_report(first.case, call_centre_user)
    body = Message.objects.get(key=f"report-ack:{second.pk}").body
    assert f"by {owed.due_at.astimezone(LONDON):%A %-d %B %Y}" in body


def test_merging_two_cases_about_the_same_people_keeps_one_record_each(officer_user):
    from cases.services import case_merge

    first = online_report()
    second = online_report(phone="07700 900 123")
    case_merge(duplicate=second.case, into=first.case, actor=officer_user)

    assert len(people(first.case, PartyRole.VICTIM)) == 1
    assert len(people(first.case, PartyRole.PERPETRATOR)) == 1
