"""Celery entry point for the rights-request deadlines. It calls the service."""

from celery import shared_task

from .services.rights import rights_requests_sweep


@shared_task
def rights_sweep() -> str:
    return str(rights_requests_sweep())
