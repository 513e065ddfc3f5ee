"""Celery entry points for surveys."""

from celery import shared_task

from .services import surveys_sweep


@shared_task
def survey_sweep() -> str:
    return str(surveys_sweep())
