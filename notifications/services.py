"""Queueing and delivering outbound messages (email now; text messages with GOV.UK Notify later)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Message, MessageChannel, MessageStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def message_queue(*, channel: str, to: str, subject: str, body: str, key: str) -> Message:
    """Write a message to the outbox and hand it to a worker once the caller's transaction commits.

    If the broker cannot be reached the message simply stays pending: the beat relay
    (`relay_pending_messages`) delivers it later. Queuing the same key twice returns the first.
    """
    try:
        with transaction.atomic():
            message = Message.objects.create(channel=channel, to=to, subject=subject, body=body, key=key)
    except IntegrityError:
        return Message.objects.get(key=key)
    transaction.on_commit(lambda: _dispatch(message.pk))
    return message


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
    """
    failure = None
    with transaction.atomic():
        message = Message.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None or message.status != MessageStatus.PENDING:
            # Sent already, failed for good, or another worker holds it right now.
            return message
        message.attempts += 1
        try:
            _send(message)
        except Exception as exc:  # noqa: BLE001 - every provider failure is recorded on the row
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
                logger.error("Message %s failed permanently: %s", message.pk, message.last_error)
            else:
                message.next_attempt_at = timezone.now() + _backoff(message.attempts)
                failure = exc
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    if failure is not None:
        # Raised after the commit, so the attempt and its error are recorded before the retry.
        raise TemporaryDeliveryError(str(failure)) from failure
    return message


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, 8 … minutes, capped at an hour.
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def _send(message: Message) -> None:
    if message.channel == MessageChannel.EMAIL:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to], fail_silently=False)
    else:
        raise NotImplementedError(f"No backend for channel {message.channel!r} yet")


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
