"""Celery entry points of the Case Review."""

from celery import shared_task


@shared_task
def message_failed(message_id: int) -> bool:
    """notifications calls this (on_failure hook) when a message to an applicant fails for good."""
    from .services.messages import message_failure_record

    return message_failure_record(message_id=message_id)
