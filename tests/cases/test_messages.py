"""Messages to reporters follow their preferred method; a message that fails for good shows on the case."""

import pytest

from cases.models import TimelineKind
from notifications.models import Message, MessageStatus
from notifications.services import message_deliver

from ..notifications.test_notify import eager_hooks, fake_notify  # noqa: F401 - fixtures
from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db


def test_a_reporter_who_prefers_texts_gets_a_text_acknowledgement_with_the_date(fake_notify):  # noqa: F811
    report = submit_report(report_submission(preferred_contact_method="text", phone="07700 900123"))
    sms = Message.objects.get(key=f"report-ack-sms:{report.pk}")
    assert sms.channel == "sms" and report.case.reference in sms.body and "will contact you by" in sms.body
    message_deliver(message_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT
    (request,) = [r for r in fake_notify.requests if r.path.endswith("/sms")]
    assert request.body["phone_number"] == "07700 900123" and request.body["reference"] == sms.key


def test_a_reporter_who_prefers_email_gets_no_text():
    report = submit_report(report_submission(preferred_contact_method="email"))
    assert not Message.objects.filter(key=f"report-ack-sms:{report.pk}").exists()
    assert Message.objects.filter(key=f"report-ack:{report.pk}").exists()


def test_a_text_that_fails_for_good_goes_on_the_case_timeline(fake_notify, eager_hooks, django_capture_on_commit_callbacks):  # noqa: F811
    report = submit_report(report_submission(preferred_contact_method="text", phone="07700 900123"))
    sms = Message.objects.get(key=f"report-ack-sms:{report.pk}")
    fake_notify.fail_next(400)
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=sms.pk)  # a 400 from Notify is permanent: no retry is asked for
    sms.refresh_from_db()
    assert sms.status == MessageStatus.FAILED
    entry = report.case.timeline.get(kind=TimelineKind.MESSAGE)
    assert entry.summary == "Text message to 07700 900123 could not be delivered"
    assert entry.visibility == "staff"


@pytest.mark.parametrize("method", ["phone", "letter"])
def test_no_automatic_message_to_someone_who_prefers_a_call_or_a_letter(method):
    report = submit_report(report_submission(preferred_contact_method=method, reporter_address="14 Bell Street", reporter_postcode="LE18 1AA"))
    assert not Message.objects.filter(key__startswith="report-ack").exists()
    # Their first contact is an officer's task instead (a deadline on the officer's home page).
    assert report.case.deadlines.get().party == report.reporter
