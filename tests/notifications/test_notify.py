"""GOV.UK Notify delivery: email and text messages, retries on provider trouble, permanent refusals, the failure hook.

Notify is a local fake speaking its API v2 over real HTTP (tests/notifications/fake_notify.py); the
real notifications-python-client signs and sends every request.
"""

import logging
import uuid

import pytest
import time_machine
from celery import shared_task
from django.core import mail

from asb_portal.celery import app as celery_app
from notifications.models import Message, MessageStatus
from notifications.services import MAX_ATTEMPTS, TemporaryDeliveryError, message_deliver, message_queue

from .fake_notify import FakeNotifyServer, make_api_key

pytestmark = pytest.mark.django_db

EMAIL_TEMPLATE_ID = str(uuid.uuid4())
SMS_TEMPLATE_ID = str(uuid.uuid4())
HOOK = "tests.notifications.test_notify.record_failed_message"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1

failed_message_ids: list[int] = []


@shared_task
def record_failed_message(message_id: int) -> None:
    """Stands in for the sender's hook (the cases app puts "message failed" on the case timeline)."""
    failed_message_ids.append(message_id)


def _set_broker(url):
    # As in tests/test_resilience.py: drop the cached connection and producer pools too.
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def fake_notify(settings):
    server = FakeNotifyServer()
    with server as fake:
        settings.NOTIFY_BASE_URL = server.url
        settings.NOTIFY_API_KEY = fake.api_key
        settings.NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE_ID
        settings.NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE_ID
        settings.NOTIFICATIONS_EMAIL_BACKEND = "notify"
        yield fake


@pytest.fixture
def eager_hooks():
    """Run the failure hook's task in this process (the configured Celery app ignores the settings fixture)."""
    original = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    failed_message_ids.clear()
    yield failed_message_ids
    celery_app.conf.task_always_eager = original
    failed_message_ids.clear()


def queue_sms(to="07700 900123", key="sms-1", on_failure=""):
    return message_queue(
        channel="sms", to=to, subject="", body="Your case ASB-1 has an update.", key=key, on_failure=on_failure
    )


def queue_email(key="email-1"):
    return message_queue(channel="email", to="resident@example.com", subject="Your report", body="We have it.", key=key)


def test_email_through_notify_is_sent_once_with_the_generic_template(fake_notify):
    message = queue_email()
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    [sent] = fake_notify.sent
    assert sent["path"] == "/v2/notifications/email"
    assert sent["template_id"] == EMAIL_TEMPLATE_ID and sent["email_address"] == "resident@example.com"
    assert sent["personalisation"] == {"subject": "Your report", "body": "We have it."}
    assert sent["reference"] == "email-1"
    assert message.provider_id == sent["id"]
    assert mail.outbox == []


def test_text_message_is_sent_through_notify_with_a_signed_token(fake_notify):
    message = queue_sms()
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.provider_id
    [sent] = fake_notify.sent
    assert sent["path"] == "/v2/notifications/sms"
    assert sent["template_id"] == SMS_TEMPLATE_ID and sent["phone_number"] == "07700 900123"
    assert sent["personalisation"] == {"body": "Your case ASB-1 has an update."}
    assert sent["reference"] == "sms-1"
    assert fake_notify.requests[0].claims["iss"] == fake_notify.service_id


def test_notify_server_error_is_retried_later_and_the_message_sent_once(fake_notify):
    fake_notify.fail_next(500)
    message = queue_sms()
    with pytest.raises(TemporaryDeliveryError):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at is not None and "500" in message.last_error

    message_deliver(message_id=message.pk)  # before its backoff: refused, nothing sent
    assert [r.status for r in fake_notify.requests] == [500]

    with time_machine.travel(message.next_attempt_at, tick=False):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2 and message.last_error == ""
    assert [r.status for r in fake_notify.requests] == [500, 201]
    assert len(fake_notify.sent) == 1


@pytest.mark.parametrize("status", [429, 403])
def test_rate_limit_and_refused_key_are_retried_not_failed(fake_notify, status):
    # 403 means our key is wrong: an operator fixes it, and the backed-off retries then go through.
    fake_notify.fail_next(status)
    message = queue_email()
    with pytest.raises(TemporaryDeliveryError):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.next_attempt_at is not None


def test_invalid_phone_number_fails_at_once_and_tells_the_sender(
    fake_notify, eager_hooks, django_capture_on_commit_callbacks
):
    message = queue_sms(to="01632 960000", on_failure=HOOK)  # a landline: Notify refuses it with a 400
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=message.pk)  # no TemporaryDeliveryError: nothing to retry
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert message.next_attempt_at is None
    assert (
        message.last_error
        == "PermanentDeliveryError: GOV.UK Notify refused the message: phone_number Not a UK mobile number"
    )
    assert eager_hooks == [message.pk]

    message_deliver(message_id=message.pk)  # a later relay or retry leaves it alone
    assert len(fake_notify.requests) == 1 and fake_notify.sent == []


def test_sender_is_told_when_retries_run_out(fake_notify, eager_hooks, django_capture_on_commit_callbacks):
    fake_notify.fail_next(500)
    message = queue_email()
    Message.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1, on_failure=HOOK)
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and eager_hooks == [message.pk]


def test_failure_hook_with_the_broker_down_only_logs(caplog, django_capture_on_commit_callbacks, settings):
    settings.NOTIFY_API_KEY = ""
    message = queue_sms(on_failure=HOOK)
    original = celery_app.conf.broker_url
    _set_broker(DEAD_REDIS)
    try:
        with caplog.at_level(logging.WARNING, logger="notifications.services"):
            with django_capture_on_commit_callbacks(execute=True):
                message_deliver(message_id=message.pk)
    finally:
        _set_broker(original)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "Could not send failure hook" in caplog.text


def test_queueing_with_an_unknown_failure_hook_is_refused_at_once():
    with pytest.raises(ImportError):
        queue_sms(on_failure="tests.notifications.test_notify.no_such_task")
    assert not Message.objects.exists()


def test_text_message_without_a_notify_key_fails_for_good_with_a_clear_message(settings):
    settings.NOTIFY_API_KEY = ""
    message = queue_sms()
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert message.last_error == "PermanentDeliveryError: Text messages need GOV.UK Notify: set NOTIFY_API_KEY"


def test_django_email_backend_still_sends_email_while_texts_go_to_notify(fake_notify, settings):
    settings.NOTIFICATIONS_EMAIL_BACKEND = "django"
    email = queue_email()
    message_deliver(message_id=email.pk)
    email.refresh_from_db()
    assert email.status == MessageStatus.SENT and email.provider_id == ""
    assert [m.to for m in mail.outbox] == [["resident@example.com"]] and mail.outbox[0].subject == "Your report"
    assert fake_notify.requests == []


def test_a_wrong_api_key_is_refused_by_the_fake_as_notify_would(fake_notify, settings):
    # Proves the fake checks the client's signed token rather than accepting anything.
    settings.NOTIFY_API_KEY = make_api_key()
    message = queue_email()
    with pytest.raises(TemporaryDeliveryError):
        message_deliver(message_id=message.pk)
    assert [r.status for r in fake_notify.requests] == [403] and fake_notify.requests[0].claims is None
