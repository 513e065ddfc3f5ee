"""The one retry schedule: with the mail server down, attempts come at 0, 1, 3, 7 … minutes, 8 in all, then FAILED.

The mail server is a real refused SMTP connection; the clock is frozen and moved by hand. The task and the
relay are both called far more often than the schedule allows, as a worker and beat would be.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from notifications.models import Message, MessageStatus
from notifications.services import MAX_ATTEMPTS, OutgoingMessage, message_deliver, message_queue, messages_queue_many
from notifications.tasks import deliver_message, relay_pending_messages

from .test_delivery import SMTP_DOWN

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def _outage(*, minutes: int, step: timedelta, duplicate_tasks: bool) -> tuple[Message, list[float]]:
    """Queue a message at START, run its task, then the relay every `step` for `minutes`: the attempts' times."""
    with time_machine.travel(START, tick=False) as traveller:
        message = message_queue(channel="email", to="a@example.com", subject="Hello", body="Body", key="outage")
        deliver_message(message.pk)  # the task the queue hands to a worker after commit
        attempts_at = [0.0] * Message.objects.get(pk=message.pk).attempts
        elapsed = step
        while elapsed <= timedelta(minutes=minutes):
            traveller.move_to(START + elapsed)
            relay_pending_messages()
            if duplicate_tasks:
                deliver_message(message.pk)  # a task delivered twice (acks_late after a lost worker) adds nothing
            attempts = Message.objects.get(pk=message.pk).attempts
            attempts_at += [elapsed / timedelta(minutes=1)] * (attempts - len(attempts_at))
            elapsed += step
    message.refresh_from_db()
    return message, attempts_at


@override_settings(**SMTP_DOWN)
def test_a_ten_minute_outage_uses_four_attempts_at_0_1_3_and_7_minutes():
    message, attempts_at = _outage(minutes=10, step=timedelta(seconds=15), duplicate_tasks=True)
    assert attempts_at == [0, 1, 3, 7]
    assert message.status == MessageStatus.PENDING and "ConnectionRefused" in message.last_error
    assert message.next_attempt_at == START + timedelta(minutes=7 + 8)


@override_settings(**SMTP_DOWN)
def test_eight_attempts_backing_off_to_an_hour_then_the_message_fails_for_good():
    message, attempts_at = _outage(minutes=4 * 60, step=timedelta(minutes=1), duplicate_tasks=False)
    assert attempts_at == [0, 1, 3, 7, 15, 31, 63, 123]  # the waits: 1, 2, 4, 8, 16, 32, then 60 (capped)
    assert len(attempts_at) == MAX_ATTEMPTS
    assert message.status == MessageStatus.FAILED and message.attempts == MAX_ATTEMPTS


@override_settings(**SMTP_DOWN)
def test_delivery_before_the_next_attempt_time_does_nothing():
    with time_machine.travel(START, tick=False) as traveller:
        message = message_queue(channel="email", to="a@example.com", subject="Hello", body="Body", key="early")
        deliver_message(message.pk)
        traveller.move_to(START + timedelta(seconds=59))
        assert message_deliver(message_id=message.pk).attempts == 1  # refused: no attempt, no retry asked for
        traveller.move_to(START + timedelta(minutes=1))
        deliver_message(message.pk)
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at == START + timedelta(minutes=1 + 2)


def test_bulk_queued_messages_are_stamped_with_the_application_clock():
    # Not Postgres's now(): the relay compares created_at with Python's clock, which tests travel.
    with time_machine.travel(START, tick=False):
        [message_id] = messages_queue_many(
            [OutgoingMessage(channel="email", to="a@example.com", subject="s", body="b", key="bulk-1")]
        )
    assert Message.objects.get(pk=message_id).created_at == START
