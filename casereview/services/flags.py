"""Closing a threshold flag: the case leaves the manager's list (an application was made, or a manager records
how it was dealt with). The banner then says when and why."""

from django.db import transaction
from django.utils import timezone

from ..models import ThresholdFlag
from .common import CaseReviewError


@transaction.atomic
def threshold_flag_close(*, flag: ThresholdFlag, actor, note: str) -> ThresholdFlag:
    """Close an open flag with a note ("Application CR-2026-0003 made", "Explained by phone; she does not want
    a review"). Closing a flag already closed changes nothing (a double click)."""
    if not note.strip():
        raise CaseReviewError("Say how the threshold was dealt with")
    locked = ThresholdFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.closed_at is not None:
        return locked
    locked.closed_at, locked.closed_by, locked.closed_note = timezone.now(), actor, note.strip()[:300]
    locked.save(update_fields=["closed_at", "closed_by", "closed_note"])
    return locked
