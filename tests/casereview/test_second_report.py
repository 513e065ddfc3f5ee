"""A second report within six months (statutory guidance, 2025): the acknowledgement explains the ASB Case Review with
how to apply, the officer's first-contact task says to explain it, and recording the contact asks "Case Review
explained?" and stores the answer, which the timeline mentions and the threshold list reports."""

import threading
import uuid
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import given

from casereview.defaults import case_review_defaults_ensure
from casereview.intake import GUIDANCE, is_second_report_within_six_months
from cases.models import Channel, Contact, ContactPrompt, Party, PartyRole, TimelineEntry
from cases.services import contact_record, report_submit
from notifications.models import Message

from ..cases.factories import report_submission
from ..test_fuzz_forms import FUZZ, form_base, hostile

pytestmark = pytest.mark.django_db

MARGARET = {"full_name": "Margaret Ellis", "email": "margaret@example.com", "phone": "07700 900123"}
EXPLAINED = "Your right to an ASB Case Review"
SMS_EXPLAINED = "You can ask for an ASB Case Review"


def apply_url():
    return settings.SITE_URL.rstrip("/") + reverse("casereview:about")


def report(person=None, *, when, case=None, address="14 Bell Street", key=None, **overrides):
    """A report received at `when` (a timedelta before now, or a datetime) about an incident that day."""
    received_at = when if not isinstance(when, timedelta) else timezone.now() - when
    values = {**(person or MARGARET), **overrides}
    data = report_submission(address=address, postcode="LE18 1AA", incident_date=timezone.localtime(received_at).date(), **values)
    return report_submit(data=data, channel=Channel.ONLINE, submission_key=key or uuid.uuid4(), received_at=received_at,
                         existing_case=case)


def email_for(r):
    return Message.objects.get(key=f"report-ack:{r.pk}").body


@pytest.fixture(autouse=True)
def _rules(db):
    case_review_defaults_ensure()


def test_the_second_reports_acknowledgement_explains_the_case_review_with_how_to_apply():
    first = report(when=timedelta(days=40))
    assert EXPLAINED not in email_for(first) and apply_url() not in email_for(first)
    second = report(when=timedelta(days=1), case=first.case)
    body = email_for(second)
    assert EXPLAINED in body and apply_url() in body and "ask for an ASB Case Review" in body
    assert is_second_report_within_six_months(second) and not is_second_report_within_six_months(first)


def test_the_text_message_says_so_too():
    person = {**MARGARET, "preferred_contact_method": "text"}
    first = report(person, when=timedelta(days=40))
    second = report(person, when=timedelta(days=1), case=first.case)
    assert SMS_EXPLAINED not in Message.objects.get(key=f"report-ack-sms:{first.pk}").body
    sms = Message.objects.get(key=f"report-ack-sms:{second.pk}").body
    assert SMS_EXPLAINED in sms and apply_url() in sms


def test_a_witness_is_not_told_and_gets_no_prompt():
    first = report(when=timedelta(days=40))
    witness = report(when=timedelta(days=1), case=first.case, reporter_role=PartyRole.WITNESS)
    assert EXPLAINED not in email_for(witness)
    assert not ContactPrompt.objects.exists()


def test_statements_as_a_witness_do_not_make_a_later_report_a_second_one():
    first = report(when=timedelta(days=40), reporter_role=PartyRole.WITNESS)
    own = report(when=timedelta(days=1), address="3 Moat Street")
    assert Party.objects.get(pk=first.reporter_id).person_id == Party.objects.get(pk=own.reporter_id).person_id
    assert EXPLAINED not in email_for(own) and not ContactPrompt.objects.exists()


def test_a_report_seven_months_after_the_first_is_not_a_second_report():
    now = timezone.now()
    first = report(when=now - relativedelta(months=7))
    later = report(when=now - timedelta(minutes=5), case=first.case)
    assert EXPLAINED not in email_for(later) and not ContactPrompt.objects.exists()


def test_six_months_to_the_minute_is_still_within():
    now = timezone.now()
    first = report(when=timezone.localtime(now) - relativedelta(months=6))
    assert EXPLAINED in email_for(report(when=now, case=first.case))


def test_a_second_report_by_the_same_person_on_another_case_is_one_too():
    first = report(when=timedelta(days=90))
    other = report(when=timedelta(days=2), address="3 Moat Street")
    assert other.case_id != first.case_id
    assert Party.objects.get(pk=first.reporter_id).person_id == Party.objects.get(pk=other.reporter_id).person_id
    assert EXPLAINED in email_for(other)
    prompt = ContactPrompt.objects.get()
    assert (prompt.case_id, prompt.party_id, prompt.report_id, prompt.guidance) == (other.case_id, other.reporter_id, other.pk, GUIDANCE)


def test_someone_else_reporting_at_the_same_address_is_not_a_second_report():
    report(when=timedelta(days=30))
    neighbour = report({"full_name": "Arthur Pennington", "email": "arthur@example.com", "phone": "07700 900201"},
                       when=timedelta(days=1))
    assert EXPLAINED not in email_for(neighbour) and not ContactPrompt.objects.exists()


def test_the_prompt_is_opened_once_for_a_double_submit_and_a_third_report():
    first = report(when=timedelta(days=40))
    key = uuid.uuid4()
    second = report(when=timedelta(days=2), case=first.case, key=key)
    assert report(when=timedelta(days=2), case=first.case, key=key).pk == second.pk  # the same submission again
    report(when=timedelta(days=1), case=first.case)
    assert ContactPrompt.objects.count() == 1
    assert Message.objects.filter(key__startswith="report-ack:").count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_reports_at_once_open_one_prompt():
    case_review_defaults_ensure()
    first = report(when=timedelta(days=40))
    barrier, errors = threading.Barrier(2), []

    def submit():
        try:
            barrier.wait(timeout=10)
            report(when=timedelta(minutes=5), case=first.case)
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert ContactPrompt.objects.filter(answered_at__isnull=True).count() == 1


def _contact(prompt, answer, *, actor, when=None, successful=True):
    return contact_record(case=prompt.case, party=prompt.party, method="phone", direction="out", successful=successful,
                          summary="Called", occurred_at=when or timezone.now() - timedelta(minutes=30), gave_update=False,
                          actor=actor, prompt_answers={prompt.pk: answer})


def test_already_explained_in_the_last_six_months_is_not_asked_again(officer_user):
    first = report(when=timedelta(days=60))
    report(when=timedelta(days=50), case=first.case)
    _contact(ContactPrompt.objects.get(), True, actor=officer_user, when=timezone.now() - timedelta(days=49))
    third = report(when=timedelta(days=1), case=first.case)
    assert EXPLAINED in email_for(third)  # the acknowledgement still says it
    assert ContactPrompt.objects.count() == 1 and ContactPrompt.objects.get().answer is True


def test_not_explained_is_asked_again_at_the_next_second_report(officer_user):
    first = report(when=timedelta(days=60))
    report(when=timedelta(days=50), case=first.case)
    _contact(ContactPrompt.objects.get(), False, actor=officer_user, when=timezone.now() - timedelta(days=49))
    report(when=timedelta(days=1), case=first.case)
    assert list(ContactPrompt.objects.order_by("id").values_list("answer", flat=True)) == [False, None]


def test_an_unsuccessful_attempt_leaves_the_question_open(officer_user):
    first = report(when=timedelta(days=10))
    report(when=timedelta(days=2), case=first.case)
    _contact(ContactPrompt.objects.get(), True, actor=officer_user, successful=False)
    assert ContactPrompt.objects.get().answered_at is None


# --- on the case page, the officer's tasks and the contact form -------------------------------------------------

@pytest.fixture
def prompted(officer_user):
    """Margaret's second report (she prefers a phone call, so the first contact is a task on the officer's home)."""
    person = {**MARGARET, "preferred_contact_method": "phone"}
    first = report(person, when=timedelta(days=30))
    second = report(person, when=timedelta(days=8), address="3 Moat Street")  # its first contact is due within two days
    from cases.services import case_assign

    case_assign(case=second.case, officer=officer_user, actor=officer_user)
    return ContactPrompt.objects.get(party=second.reporter), first


def test_the_first_contact_task_says_to_explain_it(client, officer_user, prompted):
    prompt, first = prompted
    client.force_login(officer_user)
    case_page = client.get(f"/staff/cases/{prompt.case.reference}/").content.decode()
    assert GUIDANCE in case_page
    assert GUIDANCE not in client.get(f"/staff/cases/{first.case.reference}/").content.decode()
    home = client.get("/staff/").content.decode()
    assert f"Phone {prompt.party} to make first contact" in home and GUIDANCE in home


def test_recording_the_contact_asks_and_stores_the_answer(client, officer_user, prompted):
    prompt, _ = prompted
    client.force_login(officer_user)
    url = f"/staff/cases/{prompt.case.reference}/contact/"
    form = client.get(url).content.decode()
    assert "Case Review explained to Margaret Ellis?" in form
    base = {"party": prompt.party_id, "method": "phone", "direction": "out", "successful": "yes",
            "occurred_on_0": timezone.localdate().day, "occurred_on_1": timezone.localdate().month,
            "occurred_on_2": timezone.localdate().year, "occurred_time": "00:00", "summary": "Called her back"}
    missing = client.post(url, base)
    page = missing.content.decode()
    assert missing.status_code == 200 and "Select yes or no: Case Review explained to Margaret Ellis?" in page
    assert not Contact.objects.exists()
    response = client.post(url, {**base, f"prompt_{prompt.pk}": "yes"})
    assert response.status_code == 302
    prompt.refresh_from_db()
    contact = Contact.objects.get()
    assert (prompt.answer, prompt.contact, prompt.answered_by, prompt.answered_at) == (True, contact, officer_user, contact.occurred_at)
    entry = TimelineEntry.objects.get(kind="contact", case=prompt.case)
    assert "Case Review explained: yes" in entry.summary
    case_page = client.get(f"/staff/cases/{prompt.case.reference}/").content.decode()
    assert "Case Review explained: yes" in case_page and GUIDANCE not in case_page
    assert "Case Review explained to" not in client.get(url).content.decode()  # answered: not asked again


def test_an_attempt_does_not_need_the_answer(client, officer_user, prompted):
    prompt, _ = prompted
    client.force_login(officer_user)
    today = timezone.localdate()
    response = client.post(f"/staff/cases/{prompt.case.reference}/contact/", {
        "party": prompt.party_id, "method": "phone", "direction": "out", "successful": "no", "occurred_on_0": today.day,
        "occurred_on_1": today.month, "occurred_on_2": today.year, "occurred_time": "00:00", "summary": "No answer"})
    assert response.status_code == 302
    prompt.refresh_from_db()
    assert prompt.answered_at is None


def test_the_contact_form_with_a_question_survives_any_input(client, officer_user, prompted):
    prompt, _ = prompted
    client.force_login(officer_user)
    url = f"/staff/cases/{prompt.case.reference}/contact/"
    base = form_base(client.get(url).content.decode(), past=timezone.localdate() - timedelta(days=1))
    assert f"prompt_{prompt.pk}" in base

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        response = client.post(url, data)
        assert response.status_code < 500
        answered = ContactPrompt.objects.get(pk=prompt.pk)
        if answered.answered_at is not None:
            assert answered.contact is not None and answered.answer in (True, False)

    post()
