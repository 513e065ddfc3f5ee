"""Celery entry points for message delivery. They take ids and call services."""

import logging

from celery import shared_task

from .services import TemporaryDeliveryError, message_deliver, messages_due_for_relay

logger = logging.getLogger(__name__)


@shared_task
def deliver_message(message_id: int) -> None:
    """The first attempt, right after the message is queued; Celery never retries it.

    A message that fails for now keeps its backoff time on the row and the relay retries it when due
    (the one schedule, in notifications.services.message_deliver).
    """
    try:
        message_deliver(message_id=message_id)
    except TemporaryDeliveryError:
        logger.info("Message %s failed for now; the relay will retry it after its backoff", message_id)


@shared_task
def deliver_messages(message_ids: list[int]) -> int:
    """A batch from a sweep. A message that fails for now keeps its backoff time; the relay retries it."""
    sent = 0
    for message_id in message_ids:
        try:
            message = message_deliver(message_id=message_id)
            sent += message is not None and message.status == "sent"
        except TemporaryDeliveryError:
            logger.info("Message %s failed for now; the relay will retry it after its backoff", message_id)
    return sent


@shared_task
def relay_pending_messages() -> int:
    """Every minute (beat): messages whose task was lost (Redis down), whose retry is due, or whose worker died."""
    sent = 0
    for message_id in messages_due_for_relay():
        try:
            message = message_deliver(message_id=message_id)
            sent += message is not None and message.status == "sent"
        except TemporaryDeliveryError:
            logger.info("Message %s still failing; will retry after backoff", message_id)
    return sent
