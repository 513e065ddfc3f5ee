"""The phone report's caller history reads the register for officers (a caller who changed phone is found by
their new number), never for the call centre; a perpetrator's number finds no case in the lookup."""

from datetime import timedelta

from django.utils import timezone

from cases.models import PartyRole
from cases.selectors import caller_history, case_status_lookup
from cases.services import party_add

from .factories import report_submission, submit_report


def test_an_officer_finds_a_caller_who_changed_phone_by_the_new_number_and_the_call_centre_does_not(
    officer_user, call_centre_user
):
    first = submit_report(report_submission(phone="07700 900111", incident_date=None), received_at=timezone.now() - timedelta(days=40))
    # Her second report gives a new number and the same email: the register links her (strong match) and
    # keeps the latest number on her record.
    second = submit_report(report_submission(phone="07700 900222", description="Shouting again", incident_date=None), received_at=timezone.now())
    assert first.reporter.person_id is not None
    second.reporter.refresh_from_db()
    assert second.case_id != first.case_id and second.reporter.person_id == first.reporter.person_id
    history = {row.reference for row in caller_history(officer_user, phone="07700 900222")}
    assert history == {first.case.reference, second.case.reference}
    # The call centre gets only what the number itself was given on: the register's latest details can come
    # from someone else reporting in her name, and they may be talking to him.
    assert {row.reference for row in caller_history(call_centre_user, phone="07700 900222")} == {second.case.reference}
    assert {row["reference"] for row in case_status_lookup(call_centre_user, query="07700900222")} == {second.case.reference}


def test_an_alleged_perpetrators_number_finds_no_case(call_centre_user, officer_user):
    report = submit_report()
    party_add(case=report.case, actor=officer_user, role=PartyRole.PERPETRATOR, full_name="Kyle Mercer", phone="07700 900555")
    assert case_status_lookup(call_centre_user, query="07700 900555") == []
    assert {r["reference"] for r in case_status_lookup(call_centre_user, query="07700 900123")} == {report.case.reference}
