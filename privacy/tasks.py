"""Celery entry points for retention. They take ids and call privacy.services.retention."""

from celery import shared_task

from .models import RetentionRun
from .services import retention as service


@shared_task
def retention_list() -> str:
    """The daily job: finish any confirmed run left unfinished, then list what has passed its date since."""
    finished = service.retention_apply_confirmed()
    run = service.retention_list()
    listed = f"run {run.pk} lists {run.items.count()} items" if run else "nothing new listed"
    return f"{finished} confirmed runs applied; {listed}"


@shared_task
def retention_apply_run(run_id: int) -> str:
    run = RetentionRun.objects.filter(pk=run_id).first()
    if run is None:
        return "no such run"
    return str(service.retention_apply(run=run).counts)
