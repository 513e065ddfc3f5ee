"""A message to a Case Review applicant that fails for good goes on the application's history, once."""

import pytest

from casereview.models import ApplicationEvent
from casereview.services.applications import ApplicationSubmission, application_submit
from casereview.services.messages import message_failure_record
from notifications.models import Message, MessageStatus
from notifications.services import message_deliver

from ..notifications.test_notify import eager_hooks, fake_notify  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _apply(**contact):
    import uuid

    data = ApplicationSubmission(applicant_name="Daniel Price", location="3 Moat Street, Wigston",
                                 description="Young people intimidate my staff every afternoon.", **contact)
    return application_submit(data=data, route="online", submission_key=uuid.uuid4())


def test_a_text_acknowledgement_that_fails_for_good_goes_on_the_applications_history_once(
        fake_notify, eager_hooks, django_capture_on_commit_callbacks):  # noqa: F811
    application = _apply(preferred_contact_method="text", phone="07700 900123")
    sms = Message.objects.get(key=f"cr-ack-sms:{application.pk}")
    assert sms.on_failure == "casereview.tasks.message_failed"
    fake_notify.fail_next(400)
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=sms.pk)  # a 400 from Notify is permanent
    sms.refresh_from_db()
    assert sms.status == MessageStatus.FAILED
    failed = ApplicationEvent.objects.filter(application=application, summary__contains="could not be delivered")
    assert [e.summary for e in failed] == [f"Text message to the applicant could not be delivered; reach them another way "
                                           f"(message {sms.pk})"]
    assert message_failure_record(message_id=sms.pk) is False  # a retried hook records nothing more
    assert failed.count() == 1


def test_a_message_that_was_delivered_or_is_not_an_applicants_records_nothing():
    application = _apply(preferred_contact_method="email", email="daniel.price@example.com")
    email = Message.objects.get(key=f"cr-ack:{application.pk}")
    assert message_failure_record(message_id=email.pk) is False  # not failed
    other = Message.objects.create(channel="email", to="x@example.com", subject="s", body="b", key="digest:1:2026-11-28",
                                   status=MessageStatus.FAILED)
    assert message_failure_record(message_id=other.pk) is False
    assert not ApplicationEvent.objects.filter(summary__contains="could not be delivered").exists()
