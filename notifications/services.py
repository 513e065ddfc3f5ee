"""Queueing and delivering outbound messages (email and text messages) through a delivery backend."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .backends import PermanentDeliveryError, backend_for
from .models import OUTSTANDING_STATUSES, Message, MessageStatus

logger = logging.getLogger(__name__)


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
            # created_at from Python, not SQL now(): the same clock as every other timestamp (and tests' travel).
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, 'pending', 0, '', '', %s, %s)"] * len(chunk))
            created_at = timezone.now()
            params = [v for m in chunk for v in (m.channel, m.to, m.subject, m.body, m.key, m.on_failure, created_at)]
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
    """The provider failed in a way worth retrying; the row already holds the time of the next attempt."""


# --- Delivery: the one retry policy (message_deliver's docstring) ------------------------------
MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=1)
# How long a claim is a worker's own. Far longer than a provider call can take (EMAIL_TIMEOUT and
# NOTIFY_TIMEOUT_SECONDS are 10 s), so a live worker always records its result before anyone else claims.
LEASE = timedelta(minutes=5)


def message_deliver(*, message_id: int) -> Message | None:
    """Make one delivery attempt if the message is due; each claim sends at most once. The one retry policy:

    Attempt 1 is made when the message is queued (the deliver_message task, after commit). Each temporary
    failure sets next_attempt_at to 1, 2, 4, 8, 16, 32, then 60 minutes after it (doubling, capped at an
    hour), and the relay (beat, every minute) makes the next attempt once that time has come: attempts at
    0, 1, 3, 7, 15, 31, 63 and 123 minutes (each up to a minute later, as the relay runs once a minute).
    The 8th failure, or any permanent one, marks the message FAILED and sends its on_failure hook. Nothing
    else retries: the Celery tasks try once, and a call before next_attempt_at does nothing.

    1. A short transaction claims the row: PENDING and due, or SENDING with an expired lease (its worker
       died). It becomes SENDING with a fresh claim_token and a lease of LEASE, and attempts goes up by one.
    2. The provider is called with no transaction open and no row locked.
    3. A second short transaction records the result, only if the claim is still ours: a late finisher
       whose lease another worker has taken over leaves that worker's result alone.
    A worker killed between 1 and 3 leaves the row SENDING; the relay claims it again once the lease expires.
    Both transactions are durable: called inside a caller's transaction, the provider call would hold it open.

    Returns the row as it stands (None if there is no such message). Raises TemporaryDeliveryError after
    recording a failure worth retrying; a PermanentDeliveryError from the backend fails the message at once.
    """
    claim = _claim(message_id=message_id)
    if claim is None:
        # Not due yet, sent or failed already, or another worker holds a live claim.
        return Message.objects.filter(pk=message_id).first()
    try:
        provider_id = _send(claim)
    except Exception as exc:  # noqa: BLE001 - every provider failure is recorded on the row
        message, retry = _record_failure(claim=claim, exc=exc)
        if retry:
            # Raised after the commit, so the attempt, its error and the next attempt's time are recorded.
            raise TemporaryDeliveryError(str(exc)) from exc
        return message
    return _record_sent(claim=claim, provider_id=provider_id)


def _claimable(now) -> Q:
    """Rows a worker may claim now: pending and past any backoff, or sending with an expired lease."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (Q(status=MessageStatus.PENDING) & due) | Q(status=MessageStatus.SENDING, lease_expires_at__lte=now)


def _claim(*, message_id: int) -> Message | None:
    now = timezone.now()
    with transaction.atomic(durable=True):
        message = (
            Message.objects.select_for_update(skip_locked=True).filter(_claimable(now), pk=message_id).first()
        )
        if message is None:
            return None
        if message.status == MessageStatus.SENDING and message.attempts >= MAX_ATTEMPTS:
            # The worker died during the last attempt: give up as after any last failure, not try a ninth time.
            _fail(message, "WorkerLost: the last attempt's worker stopped before recording a result")
            message.save(update_fields=["status", "last_error", "lease_expires_at", "claim_token"])
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.claim_token = uuid.uuid4()
        message.lease_expires_at = now + LEASE
        message.save(update_fields=["status", "attempts", "claim_token", "lease_expires_at"])
    return message


def _claim_held(claim: Message) -> Message | None:
    """The row, locked, if `claim` is still its current claim; None if the lease was taken over meanwhile."""
    message = (
        Message.objects.select_for_update()
        .filter(pk=claim.pk, status=MessageStatus.SENDING, claim_token=claim.claim_token)
        .first()
    )
    if message is None:
        logger.warning(
            "Message %s: attempt %s finished after its lease was taken over; its result is dropped",
            claim.pk,
            claim.attempts,
        )
    return message


def _record_sent(*, claim: Message, provider_id: str | None) -> Message:
    with transaction.atomic(durable=True):
        message = _claim_held(claim)
        if message is None:
            return Message.objects.get(pk=claim.pk)
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.provider_id = provider_id or ""
        message.lease_expires_at = message.claim_token = None
        message.save(update_fields=["status", "sent_at", "last_error", "provider_id", "lease_expires_at", "claim_token"])
    return message


def _record_failure(*, claim: Message, exc: Exception) -> tuple[Message, bool]:
    """Record a failed attempt. Returns the row and whether it is to be retried."""
    with transaction.atomic(durable=True):
        message = _claim_held(claim)
        if message is None:
            return Message.objects.get(pk=claim.pk), False
        error = f"{type(exc).__name__}: {exc}"[:2000]
        retry = not isinstance(exc, PermanentDeliveryError) and message.attempts < MAX_ATTEMPTS
        if retry:
            message.status = MessageStatus.PENDING
            message.last_error = error
            message.next_attempt_at = timezone.now() + _backoff(message.attempts)
            message.lease_expires_at = message.claim_token = None
        else:
            _fail(message, error)
        message.save(update_fields=["status", "last_error", "next_attempt_at", "lease_expires_at", "claim_token"])
    return message, retry


def _fail(message: Message, error: str) -> None:
    """Mark a message failed for good (the caller saves it) and tell its sender after the commit."""
    message.status = MessageStatus.FAILED
    message.last_error = error
    message.lease_expires_at = message.claim_token = None
    logger.error("Message %s failed permanently: %s", message.pk, error)
    if message.on_failure:
        transaction.on_commit(partial(_failure_hook_send, message.pk, message.on_failure))


def _backoff(attempts: int) -> timedelta:
    """The wait after failed attempt number `attempts`: 1, 2, 4, 8 … minutes, capped at an hour."""
    return min(timedelta(minutes=2 ** (attempts - 1)), BACKOFF_CAP)


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
    """Ids of messages a worker should try now, oldest first.

    Never tried and queued more than RELAY_GRACE_SECONDS ago (its task was lost: Redis was down), past its
    backoff time, or SENDING with an expired lease (its worker died mid-send).
    """
    now = timezone.now()
    grace = now - timedelta(seconds=settings.RELAY_GRACE_SECONDS)
    never_tried = Q(status=MessageStatus.PENDING, attempts=0, created_at__lte=grace)
    backed_off = Q(status=MessageStatus.PENDING, next_attempt_at__lte=now)
    lease_expired = Q(status=MessageStatus.SENDING, lease_expires_at__lte=now)
    return list(
        # status__in repeats the partial index's condition so the planner uses it.
        Message.objects.filter(never_tried | backed_off | lease_expired, status__in=OUTSTANDING_STATUSES)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
