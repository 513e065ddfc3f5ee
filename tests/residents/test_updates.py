"""Sending a resident an update: the message (with their link and any status change), the deadline it meets,
what their page shows, double clicks, and people who prefer letters or phone calls."""

import html
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import ActionType, Contact, DeadlineKind, ResidentLink, TimelineEntry, TimelineKind
from cases.services import action_record, case_assign, contact_record
from cases.services.resident_links import link_path, link_token
from cases.services.resident_updates import resident_update_message, resident_update_send
from notifications.models import Message

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
RECEIVED = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)  # a Monday


def _case_with_first_contact(officer, **answers):
    with time_machine.travel(RECEIVED, tick=False):
        report = submit_report(report_submission(**answers))
        case_assign(case=report.case, officer=officer, actor=officer)
    with time_machine.travel(RECEIVED + timedelta(days=1), tick=False):
        contact_record(case=report.case, party=report.reporter, method="phone", direction="out", successful=True,
                       summary="First call", occurred_at=RECEIVED + timedelta(days=1), gave_update=True, actor=officer)
    return report.case, report.reporter


def _update_form_key(client, url, user):
    client.force_login(user)  # at the test's instant: a session from the real clock may have expired by then
    page = client.get(url).content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def test_an_update_meets_her_stored_deadline_opens_the_next_and_says_the_status_changed(client, officer_user):
    case, margaret = _case_with_first_contact(officer_user)
    due = margaret.deadlines.open().get(kind=DeadlineKind.VICTIM_UPDATE)
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/update/{margaret.pk}/"
    sent_at = RECEIVED + timedelta(days=8)
    with time_machine.travel(sent_at, tick=False):
        key = _update_form_key(client, url, officer_user)
        response = client.post(url, {"text": "We have written to the tenant at number 16.", "submission_key": key})
        assert response.status_code == 302
    due.refresh_from_db()
    assert due.met_at == sent_at and not due.breached
    following = margaret.deadlines.open().get(kind=DeadlineKind.VICTIM_UPDATE)
    assert following.starts_at == sent_at
    contact = Contact.objects.get(party=margaret, method="email")
    assert contact.is_update and contact.successful
    message = resident_update_message(submission_key=key)
    link = ResidentLink.objects.get(party=margaret, revoked_at__isnull=True)
    assert message.to == "margaret@example.com"
    assert "We have written to the tenant at number 16." in message.body
    assert link_token(link) in message.body
    assert "The status of your case has changed to: being looked at" in message.body
    link.refresh_from_db()
    assert link.status_told == "Being looked at"
    with time_machine.travel(sent_at + timedelta(minutes=5), tick=False):
        page = html.unescape(client.get(link_path(link)).content.decode())
    assert "We have written to the tenant at number 16." in page


def test_a_second_update_with_the_same_status_does_not_say_it_changed_and_a_new_status_does(officer_user):
    case, margaret = _case_with_first_contact(officer_user)
    with time_machine.travel(RECEIVED + timedelta(days=3), tick=False):
        resident_update_send(case=case, party=margaret, text="First update", actor=officer_user, submission_key=uuid.uuid4())
        key = uuid.uuid4()
        resident_update_send(case=case, party=margaret, text="Second update", actor=officer_user, submission_key=key)
        assert "has changed" not in resident_update_message(submission_key=key).body
        action_record(case=case, action_type=ActionType.objects.get(slug="cpw"), actor=officer_user)
        key = uuid.uuid4()
        resident_update_send(case=case, party=margaret, text="Third update", actor=officer_user, submission_key=key)
    assert "The status of your case has changed to: action being taken" in resident_update_message(submission_key=key).body


def test_a_text_message_preference_gets_a_text(officer_user):
    case, margaret = _case_with_first_contact(officer_user, preferred_contact_method="text")
    key = uuid.uuid4()
    with time_machine.travel(RECEIVED + timedelta(days=3), tick=False):
        resident_update_send(case=case, party=margaret, text="Short update", actor=officer_user, submission_key=key)
    message = resident_update_message(submission_key=key)
    assert message.channel == "sms" and message.to == margaret.phone and "/my-case/" in message.body
    assert Contact.objects.filter(party=margaret, method="text", is_update=True).count() == 1


def test_a_double_click_sends_one_update(client, officer_user):
    case, margaret = _case_with_first_contact(officer_user)
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/update/{margaret.pk}/"
    with time_machine.travel(RECEIVED + timedelta(days=4), tick=False):
        key = _update_form_key(client, url, officer_user)
        for _ in range(2):
            client.post(url, {"text": "Once only", "submission_key": key})
    assert Message.objects.filter(key__startswith="resident-update:").count() == 1
    assert Contact.objects.filter(party=margaret, method="email").count() == 1
    assert TimelineEntry.objects.filter(case=case, kind=TimelineKind.UPDATE).count() == 1


def test_the_update_shows_only_on_her_page(client, officer_user):
    case, margaret = _case_with_first_contact(officer_user)
    with time_machine.travel(RECEIVED + timedelta(days=2), tick=False):
        other = submit_report(report_submission(full_name="Olu Adebayo", email="olu@example.com", description="Also noise"),
                              existing_case=case).reporter
        resident_update_send(case=case, party=margaret, text="Only for Margaret", actor=officer_user, submission_key=uuid.uuid4())
        olu_page = client.get(link_path(ResidentLink.objects.get(party=other))).content.decode()
    assert "Only for Margaret" not in olu_page


def test_an_empty_update_is_refused_with_a_clear_error(client, officer_user):
    case, margaret = _case_with_first_contact(officer_user)
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/update/{margaret.pk}/"
    with time_machine.travel(RECEIVED + timedelta(days=2), tick=False):
        key = _update_form_key(client, url, officer_user)
        response = client.post(url, {"text": "   ", "submission_key": key})
    assert response.status_code == 400 and "Write the update" in response.content.decode()
    assert not Message.objects.filter(key__startswith="resident-update:").exists()


def test_a_letter_preference_is_pointed_to_letters_and_phone(client, officer_user):
    case, margaret = _case_with_first_contact(officer_user, preferred_contact_method="letter", reporter_address="14 Bell Street",
                                              reporter_postcode="LE18 1AA")
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/update/{margaret.pk}/"
    page = client.get(url).content.decode()
    assert f"/staff/letters/cases/{case.reference}/new/update/" in page
    assert f"/staff/cases/{case.reference}/contact/?party={margaret.pk}&amp;method=phone" in page
    assert 'name="text"' not in page
    assert client.post(url, {"text": "x", "submission_key": str(uuid.uuid4())}).status_code == 404


def test_a_perpetrator_cannot_be_sent_an_update(client, officer_user):
    case, _ = _case_with_first_contact(officer_user, perpetrator_known="named", perpetrator_name="Flat 3")
    perpetrator = case.parties.get(role="perpetrator")
    client.force_login(officer_user)
    assert client.get(f"/staff/cases/{case.reference}/update/{perpetrator.pk}/").status_code == 404
