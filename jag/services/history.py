"""The meeting's history (JagEvent): one function every JAG service calls, inside its own transaction, so a change
and its history row land together or not at all."""

from datetime import datetime

from django.utils import timezone

from ..models import AgendaItem, JagAction, JagEvent, Meeting

WORDS_MAX = 500


def event_record(*, meeting: Meeting | int, kind: str, words: str, actor=None, at: datetime | None = None,
                 item: AgendaItem | None = None, action: JagAction | None = None) -> JagEvent:
    """Record what happened to `meeting` in words (trimmed to fit), by whom (None: the system) and when."""
    words = " ".join((words or "").split())
    if len(words) > WORDS_MAX:
        words = words[: WORDS_MAX - 1] + "…"
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    return JagEvent.objects.create(meeting_id=meeting_id, kind=kind, words=words, actor=actor,
                                   at=at or timezone.now(), item=item, action=action)
