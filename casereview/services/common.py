"""What every Case Review service shares: the application's lock and version, its history, its stage deadlines."""

from datetime import datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import Deadline, DeadlineKind
from cases.services.deadlines import obligation_meet, obligation_open, obligations_cancel, obligations_reassign

from ..models import Application, ApplicationEvent, Timescales

# notifications calls this when a message to an applicant fails for good: it goes on the application's history.
MESSAGE_FAILED_HOOK = "casereview.tasks.message_failed"


class CaseReviewError(Exception):
    """A change that cannot be made as asked (the message is for the user)."""


class StaleError(CaseReviewError):
    """Someone else changed the application since the form was opened."""


# Each stage: its deadline kind and how many working days it has (Timescales field), counted from when it starts.
STAGE_DAYS = {
    DeadlineKind.CASE_REVIEW_ACKNOWLEDGE: "acknowledge_days",  # from receipt
    DeadlineKind.CASE_REVIEW_DECISION: "decision_days",  # from receipt
    DeadlineKind.CASE_REVIEW_MEETING: "meeting_days",  # from the threshold decision
    DeadlineKind.CASE_REVIEW_OUTCOME: "outcome_days",  # from the meeting
    DeadlineKind.CASE_REVIEW_ESCALATION: "escalation_decision_days",  # from the request to look again
}
STAGE_TITLES = {
    DeadlineKind.CASE_REVIEW_ACKNOWLEDGE: "acknowledge the application",
    DeadlineKind.CASE_REVIEW_DECISION: "decide whether the threshold is met",
    DeadlineKind.CASE_REVIEW_MEETING: "hold the review meeting",
    DeadlineKind.CASE_REVIEW_OUTCOME: "send the outcome to the applicant",
    DeadlineKind.CASE_REVIEW_ESCALATION: "decide the request to look again at the handling",
}


def application_lock(*, application: Application, version: int | None = None) -> Application:
    """The application's row, locked for this transaction; StaleError when `version` is given and out of date."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if version is not None and locked.version != version:
        raise StaleError("Someone else has changed this application since you opened the page. Check it and try again")
    return locked


def application_touch(application: Application, *fields: str) -> None:
    """Save the changed fields and bump the version."""
    application.version += 1
    application.save(update_fields=["version", *fields])


def event_add(*, application: Application, summary: str, actor=None, at: datetime | None = None) -> ApplicationEvent:
    return ApplicationEvent.objects.create(application=application, summary=summary[:300], actor=actor,
                                           occurred_at=at or timezone.now())


def stage_deadline_open(*, application: Application, kind: str, starts_at: datetime) -> Deadline:
    """Open a stage's deadline (idempotent), due the stage's working days after `starts_at`, owned by the
    application's single point of contact."""
    days = getattr(Timescales.current(), STAGE_DAYS[kind])
    return obligation_open(
        kind=kind, subject=application.subject, title=f"Case Review {application.reference}: {STAGE_TITLES[kind]}",
        path=reverse("casereview_staff:detail", args=[application.reference]), starts_at=starts_at,
        working_days=days, owner=application.spoc,
    )


def stage_deadline_meet(*, application: Application, kind: str, at: datetime | None = None) -> Deadline | None:
    return obligation_meet(kind=kind, subject=application.subject, at=at)


def stage_deadlines_cancel(*, application: Application) -> int:
    return obligations_cancel(subject=application.subject)


def stage_deadlines_reassign(*, application: Application) -> int:
    """After the single point of contact changes: later reminders go to the new one."""
    return obligations_reassign(subject=application.subject, owner=application.spoc)


def application_reference_next(*, year: int) -> str:
    """CR-2026-0001: one atomic upsert, so concurrent applications never share a number."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO casereview_applicationcounter (year, last_number) VALUES (%s, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = casereview_applicationcounter.last_number + 1
            RETURNING last_number
            """,
            [year],
        )
        (number,) = cursor.fetchone()
    return f"CR-{year}-{number:04d}"
