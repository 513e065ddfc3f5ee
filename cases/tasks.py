"""Celery entry points for the case file. They call services."""

from celery import shared_task

from .services import evidence_purge_abandoned
from .services.sweep import deadlines_sweep, officer_digests_send


@shared_task
def purge_abandoned_uploads() -> int:
    return evidence_purge_abandoned()


@shared_task
def sla_sweep() -> str:
    return str(deadlines_sweep())


@shared_task
def officer_digests() -> int:
    return officer_digests_send()


@shared_task
def message_failed(message_id: int) -> bool:
    """notifications calls this (on_failure hook) when a message about a case fails for good."""
    from .services.messages import message_failure_record

    return message_failure_record(message_id=message_id)
