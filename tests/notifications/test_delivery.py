"""The outbox: queue, deliver at most once, retry with backoff, fail for good, relay what is pending."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from notifications.models import Message, MessageStatus
from notifications.services import MAX_ATTEMPTS, TemporaryDeliveryError, message_deliver, message_queue
from notifications.tasks import relay_pending_messages

pytestmark = pytest.mark.django_db

# A real SMTP connection to a port nothing listens on: the provider is down.
SMTP_DOWN = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": 1, "EMAIL_TIMEOUT": 2}
START = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def queue(key="k1", to="a@example.com"):
    return message_queue(channel="email", to=to, subject="Hello", body="Body", key=key)


def test_queued_message_is_delivered_once():
    message = queue()
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sent_at is not None and message.attempts == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.com"]


def test_queueing_the_same_key_twice_keeps_one_message():
    first, second = queue(), queue()
    assert first.pk == second.pk and Message.objects.count() == 1


@override_settings(**SMTP_DOWN)
def test_mail_server_down_records_the_attempt_and_asks_for_a_retry_later():
    message = queue()
    with pytest.raises(TemporaryDeliveryError):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1 and "ConnectionRefused" in message.last_error
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)


@override_settings(**SMTP_DOWN)
def test_backoff_doubles_between_attempts():
    with time_machine.travel(START, tick=False) as traveller:
        message = queue()
        delays = []
        for _ in range(3):
            before = timezone.now()
            with pytest.raises(TemporaryDeliveryError):
                message_deliver(message_id=message.pk)
            message.refresh_from_db()
            delays.append((message.next_attempt_at - before) / timedelta(minutes=1))
            traveller.move_to(message.next_attempt_at)
    assert delays == [1, 2, 4]


@override_settings(**SMTP_DOWN)
def test_message_fails_for_good_after_the_last_attempt():
    message = queue()
    Message.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    message_deliver(message_id=message.pk)  # no retry asked for
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == MAX_ATTEMPTS


def test_relay_delivers_old_pending_messages_and_leaves_backed_off_ones():
    old = queue("old")
    queue("fresh")
    backing_off = queue("backing-off")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk__in=[old.pk, backing_off.pk]).update(created_at=an_hour_ago)
    Message.objects.filter(pk=backing_off.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert relay_pending_messages() == 1
    statuses = dict(Message.objects.values_list("key", "status"))
    assert statuses == {"old": "sent", "fresh": "pending", "backing-off": "pending"}
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


def test_queueing_many_skips_keys_already_queued_and_dispatches_after_commit(django_capture_on_commit_callbacks):
    from notifications.services import OutgoingMessage, messages_queue_many

    queue("k1")
    batch = [OutgoingMessage(channel="email", to=f"p{n}@example.com", subject="s", body="b", key=f"k{n}") for n in range(1, 4)]
    with django_capture_on_commit_callbacks() as callbacks:
        inserted = messages_queue_many(batch)
    assert len(inserted) == 2 and Message.objects.count() == 3
    assert sorted(Message.objects.filter(pk__in=inserted).values_list("key", flat=True)) == ["k2", "k3"]
    assert len(callbacks) == 1  # one batched hand-over to the workers, not one per message
    assert messages_queue_many(batch) == []
