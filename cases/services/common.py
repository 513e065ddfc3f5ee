"""What every case service shares: errors for the user, locking with a stale-edit check, the timeline."""

from datetime import datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from ..models import STATUS_TRANSITIONS, Case, CaseStatus, TimelineEntry, Visibility


class CaseError(Exception):
    """A change that cannot be made as asked. The message is shown to the user as it is."""


class CaseClosedError(CaseError):
    pass


class StaleEditError(CaseError):
    pass


STALE_MESSAGE = (
    "Someone else changed this case after you opened the page. Nothing was saved: "
    "check the case as it is now and make your change again."
)


def case_lock(*, case: Case, expected_version: int | None = None, allow_closed: bool = False) -> Case:
    """The case row, locked for this transaction. Refuses stale forms and (unless allowed) closed cases."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEditError(STALE_MESSAGE)
    if not allow_closed and not locked.is_open:
        raise CaseClosedError(f"Case {locked.reference} is closed. Reopen it before changing it.")
    return locked


def case_transition_allowed(case: Case, to_status: str) -> bool:
    """Whether the one transition map (cases.models.STATUS_TRANSITIONS) allows this move."""
    return to_status in STATUS_TRANSITIONS[case.status]


def case_transition_check(case: Case, to_status: str) -> None:
    """Refuse a status move the map does not allow, naming the moves it does."""
    if not case_transition_allowed(case, to_status):
        allowed = ", ".join(sorted(CaseStatus(s).label.lower() for s in STATUS_TRANSITIONS[case.status]))
        raise CaseError(
            f"A case that is {CaseStatus(case.status).label.lower()} cannot be moved to "
            f"{CaseStatus(to_status).label.lower()}. It can be moved to: {allowed}."
        )


def case_touch(case: Case, *fields: str) -> None:
    """Save changed fields and bump the version, so forms opened before this change become stale."""
    case.version = F("version") + 1
    case.save(update_fields=[*fields, "version", "updated_at"])
    case.refresh_from_db(fields=["version"])


def timeline_add(
    *,
    case: Case,
    actor,
    kind: str,
    summary: str,
    body: str = "",
    changes: dict | None = None,
    visibility: str = Visibility.STAFF,
    occurred_at: datetime | None = None,
    agency=None,
    for_party=None,
) -> TimelineEntry:
    """`agency`: the partner agency the entry comes from (shown to the team; the agency reads its own).
    `for_party`: a resident-visible entry for that one person's case page only (an update sent to them)."""
    return TimelineEntry.objects.create(
        case=case,
        actor=actor,
        agency=agency,
        for_party=for_party,
        kind=kind,
        summary=summary[:300],
        body=body,
        changes=changes or {},
        visibility=visibility,
        occurred_at=occurred_at or timezone.now(),
    )


def changes_between(before: dict, after: dict) -> dict:
    """{"field": [old, new]} for the fields whose value changed, as text for the audit trail."""
    return {k: [_text(before.get(k)), _text(v)] for k, v in after.items() if before.get(k) != v}


def _text(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def search_document_refresh(case_id: int) -> None:
    """Rebuild the case's full-text document from its reports' descriptions and impact."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE cases_case SET search_document = (
                SELECT to_tsvector('english', coalesce(string_agg(r.description || ' ' || r.impact, ' '), ''))
                FROM cases_report r WHERE r.case_id = %s
            ) WHERE id = %s
            """,
            [case_id, case_id],
        )
