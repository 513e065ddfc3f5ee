"""Celery entry points for the case file."""

from celery import shared_task

from .services import evidence_purge_abandoned


@shared_task
def purge_abandoned_uploads() -> int:
    return evidence_purge_abandoned()
