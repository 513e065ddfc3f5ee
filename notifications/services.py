"""Queueing and delivering outbound messages (email and text messages) through a delivery backend."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .backends import PermanentDeliveryError, backend_for
from .models import Message, MessageStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def message_queue(*, channel: str, to: str, subject: str, body: str, key: str, on_failure: str = "") -> Message:
    """Write a message to the outbox and hand it to a worker once the caller's transaction commits.

    If the broker cannot be reached the message simply stays pending: the beat relay
    (`relay_pending_messages`) delivers it later. Queuing the same key twice returns the first.
    `on_failure` is the dotted path of a Celery task taking the message id, sent if delivery fails for good.
    """
    if on_failure:
        import_string(on_failure)  # a typo fails the caller now, not silently on some later failure
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel, to=to, subject=subject, body=body, key=key, on_failure=on_failure
            )
    except IntegrityError:
        return Message.objects.get(key=key)
    transaction.on_commit(lambda: _dispatch(message.pk))
    return message


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str
    to: str
    subject: str
    body: str
    key: str
    on_failure: str = ""


BULK_CHUNK = 500
DISPATCH_BATCH = 100


def messages_queue_many(messages: list[OutgoingMessage]) -> list[int]:
    """Queue many messages with one insert per chunk; a key already queued is skipped, not queued twice.

    For the sweeps, which can raise a thousand alerts at once. Returns the ids of the rows inserted;
    after the caller's transaction commits they go to workers in batches.
    """
    inserted = []
    with connection.cursor() as cursor:
        for start in range(0, len(messages), BULK_CHUNK):
            chunk = messages[start : start + BULK_CHUNK]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, 'pending', 0, '', '', %s, now())"] * len(chunk))
            params = [v for m in chunk for v in (m.channel, m.to, m.subject, m.body, m.key, m.on_failure)]
            cursor.execute(
                "INSERT INTO notifications_message (channel, \"to\", subject, body, key, status, attempts, last_error, "
                f"provider_id, on_failure, created_at) VALUES {placeholders} ON CONFLICT (key) DO NOTHING RETURNING id",
                params,
            )
            inserted += [row[0] for row in cursor.fetchall()]
    if inserted:
        transaction.on_commit(partial(_dispatch_many, inserted))
    return inserted


def _dispatch_many(message_ids: list[int]) -> None:
    from .tasks import deliver_messages

    for start in range(0, len(message_ids), DISPATCH_BATCH):
        batch = message_ids[start : start + DISPATCH_BATCH]
        try:
            deliver_messages.apply_async(args=[batch], retry=False)
        except Exception:  # noqa: BLE001 - any broker failure leaves the messages for the relay
            logger.warning("Broker unavailable; %d messages left pending for the relay", len(batch), exc_info=True)
            return


def _dispatch(message_id: int) -> None:
    from .tasks import deliver_message

    try:
        # retry=False: fail at once when Redis is down instead of blocking the resident's request.
        deliver_message.apply_async(args=[message_id], retry=False)
    except Exception:  # noqa: BLE001 - any broker failure leaves the message for the relay
        logger.warning("Broker unavailable; message %s left pending for the relay", message_id, exc_info=True)


class TemporaryDeliveryError(Exception):
    """The provider failed in a way worth retrying."""


def message_deliver(*, message_id: int) -> Message | None:
    """Send one pending message, at most once. Raises TemporaryDeliveryError to ask for a retry.

    The row is locked while sending, so two workers (a task and the relay) never send it twice.
    A PermanentDeliveryError from the backend fails the message at once, without a retry.
    """
    failure = None
    with transaction.atomic():
        message = Message.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None or message.status != MessageStatus.PENDING:
            # Sent already, failed for good, or another worker holds it right now.
            return message
        message.attempts += 1
        try:
            provider_id = _send(message)
        except Exception as exc:  # noqa: BLE001 - every provider failure is recorded on the row
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if isinstance(exc, PermanentDeliveryError) or message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
                logger.error("Message %s failed permanently: %s", message.pk, message.last_error)
                if message.on_failure:
                    transaction.on_commit(partial(_failure_hook_send, message.pk, message.on_failure))
            else:
                message.next_attempt_at = timezone.now() + _backoff(message.attempts)
                failure = exc
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.provider_id = provider_id or ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at", "provider_id"])
    if failure is not None:
        # Raised after the commit, so the attempt and its error are recorded before the retry.
        raise TemporaryDeliveryError(str(failure)) from failure
    return message


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, 8 … minutes, capped at an hour.
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def _send(message: Message) -> str | None:
    return backend_for(message.channel).send(message)


def _failure_hook_send(message_id: int, task_path: str) -> None:
    """Tell the sender's task that a message failed for good. Runs after the commit."""
    try:
        task = import_string(task_path)
        # retry=False: a dead broker fails at once instead of blocking the worker.
        task.apply_async(args=[message_id], retry=False)
    except Exception:  # noqa: BLE001 - the failure is on the message row; the hook is best effort
        logger.warning("Could not send failure hook %s for message %s", task_path, message_id, exc_info=True)


def messages_due_for_relay(*, limit: int = 200) -> list[int]:
    """Ids of pending messages a worker should (re)try now: queued a while ago, or past their backoff."""
    now = timezone.now()
    grace = now - timedelta(seconds=settings.RELAY_GRACE_SECONDS)
    return list(
        Message.objects.filter(status=MessageStatus.PENDING, created_at__lte=grace)
        .exclude(next_attempt_at__gt=now)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
