"""The dashboard's beat job: build closed months that are missing or marked stale (dashboard.services)."""

from celery import shared_task

from .services import dashboard_refresh


@shared_task(ignore_result=True)
def dashboard_refresh_months() -> int:
    """Returns how many months were (re)built."""
    return len(dashboard_refresh())
