"""Claim with a lease: the provider is called outside any transaction, each claim sends at most once, and a
worker killed mid-send is retried once, only after its lease expires.

The mail server is tests/notifications/mail_backends.py's scripted backend; Postgres is real, and the tests
with threads are transactional so each thread's connection sees what the others commit.
"""

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, connections, transaction

from notifications.models import Message, MessageStatus
from notifications.services import LEASE, MAX_ATTEMPTS, message_deliver, message_queue
from notifications.tasks import deliver_message, relay_pending_messages

from . import mail_backends
from .mail_backends import WorkerKilled
from .test_notify import HOOK, eager_hooks  # noqa: F401 - fixture

START = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def mail_server(settings):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.ScriptedBackend"
    mail_backends.reset()
    yield mail_backends
    mail_backends.reset()


def queue(key="k1"):
    return message_queue(channel="email", to="a@example.com", subject=f"Hello {key}", body="Body", key=key)


def _in_another_thread(function):
    """Run `function` on a thread of its own, so on a database connection of its own; return what it returns."""
    result = []

    def run():
        try:
            result.append(function())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


@pytest.mark.django_db(transaction=True)
def test_the_provider_is_called_with_no_transaction_open_and_the_row_not_locked(mail_server):
    message = queue()
    seen = {}

    def probe(email):
        seen["in_atomic_block"] = connection.in_atomic_block

        def lock_from_another_connection():
            try:
                with transaction.atomic():
                    return Message.objects.select_for_update(nowait=True).get(subject=email.subject).status
            except DatabaseError as exc:  # "could not obtain lock on row": the sender still holds it
                return f"locked: {exc}"

        seen["other_connection_sees"] = _in_another_thread(lock_from_another_connection)

    mail_server.SCRIPT.append(probe)
    message_deliver(message_id=message.pk)
    assert seen == {"in_atomic_block": False, "other_connection_sees": MessageStatus.SENDING}
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.lease_expires_at is None
    assert len(mail_server.ACCEPTED) == 1


@pytest.mark.django_db
def test_a_worker_killed_after_the_server_accepted_is_retried_once_only_after_its_lease_expires(mail_server):
    def accepted_then_killed(email):
        mail_server.accept(email)
        raise WorkerKilled

    mail_server.SCRIPT.append(accepted_then_killed)
    with time_machine.travel(START, tick=False) as traveller:
        message = queue()
        with pytest.raises(WorkerKilled):
            deliver_message(message.pk)
        message.refresh_from_db()
        assert message.status == MessageStatus.SENDING and message.attempts == 1
        assert message.lease_expires_at == START + LEASE

        sends = []
        elapsed = timedelta(0)
        while elapsed <= LEASE + timedelta(minutes=10):
            traveller.move_to(START + elapsed)
            relay_pending_messages()
            deliver_message(message.pk)  # the task redelivered (acks_late) must wait for the lease too
            sends += [elapsed] * (len(mail_server.ACCEPTED) - 1 - len(sends))
            elapsed += timedelta(seconds=30)
    assert sends == [LEASE]  # the one retry, when the lease ran out; the server got the message twice
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2


@pytest.mark.django_db
def test_a_worker_killed_on_the_last_attempt_fails_the_message_when_its_lease_expires(
    mail_server, eager_hooks, django_capture_on_commit_callbacks  # noqa: F811 - fixture
):
    def killed(email):
        raise WorkerKilled

    mail_server.SCRIPT.append(killed)
    with time_machine.travel(START, tick=False) as traveller:
        message = queue()
        Message.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1, on_failure=HOOK)
        with pytest.raises(WorkerKilled):
            message_deliver(message_id=message.pk)
        traveller.move_to(START + LEASE - timedelta(seconds=1))
        relay_pending_messages()
        assert Message.objects.get(pk=message.pk).status == MessageStatus.SENDING
        traveller.move_to(START + LEASE)
        with django_capture_on_commit_callbacks(execute=True):
            relay_pending_messages()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == MAX_ATTEMPTS
    assert message.last_error.startswith("WorkerLost:") and mail_server.ACCEPTED == []
    assert eager_hooks == [message.pk]  # the sender is told, as after any last failure


@pytest.mark.django_db
def test_a_late_finisher_does_not_overwrite_the_result_of_the_claim_that_took_over(mail_server, caplog):
    with time_machine.travel(START, tick=False) as traveller:
        message = queue()

        def stalls_past_its_lease_then_fails(email):
            traveller.move_to(START + LEASE + timedelta(seconds=1))
            relay_pending_messages()  # takes the expired claim over and sends (the next step: accepted)
            raise ConnectionResetError("the first worker's connection finally drops")

        mail_server.SCRIPT.append(stalls_past_its_lease_then_fails)
        with caplog.at_level(logging.WARNING, logger="notifications.services"):
            returned = message_deliver(message_id=message.pk)  # no TemporaryDeliveryError: not its result now
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2 and message.last_error == ""
    assert returned.status == MessageStatus.SENT and len(mail_server.ACCEPTED) == 1
    assert "attempt 1 finished after its lease was taken over" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_two_workers_and_the_relay_at_once_send_a_message_once(mail_server, settings):
    settings.RELAY_GRACE_SECONDS = 0  # the relay may pick the message at once, racing the two tasks
    messages = []
    for n in range(5):
        message = queue(f"race-{n}")  # one outstanding message per round, so all three go for the same one
        messages.append(message)
        mail_server.SCRIPT.append(lambda email: threading.Event().wait(0.3))  # a slow server: the sends overlap
        start = threading.Barrier(3)

        def worker(job):
            start.wait()
            job()

        jobs = [lambda m=message: deliver_message(m.pk)] * 2 + [relay_pending_messages]
        threads = [threading.Thread(target=lambda j=job: (worker(j), connections.close_all())) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(email.subject for email in mail_server.ACCEPTED) == sorted(m.subject for m in messages)
    assert set(Message.objects.values_list("status", "attempts")) == {(MessageStatus.SENT, 1)}
