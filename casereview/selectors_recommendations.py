"""Reads of Case Review recommendations for the partner screens, from the access policy only.

A partner user sees their own agency's recommendations (cases.policy.agency_scoped), and of each only what the
agency needs to act on it: the application's reference, the recommendation, its due date, status and progress, and
when the review was held. Never the applicant's or the victim's name or contact details; the council case only
when it is shared with the agency (then as a link to their case page). Rows are plain values, never models, so a
template cannot follow a relation to the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from cases.policy import Can, agency_scoped, cases_visible_to, object_or_404

from .models import Recommendation, Stage
from .services.recommendations import CLOSED_STATUSES, recommendation_token


def recommendations_visible_to(user) -> QuerySet[Recommendation]:
    """Every recommendation for the council's Case Review team; a partner's own agency's only; nobody else's."""
    return agency_scoped(user, Recommendation.objects.all(), agency_field="owner_agency", team=Can.SEE_CASE_REVIEWS,
                         partner=Can.READ_RECOMMENDATIONS)


@dataclass(frozen=True)
class RecommendationRow:
    id: int
    reference: str  # the application's (CR-2026-0001)
    text: str
    owner: str
    due_on: date
    status: str
    status_label: str
    progress: str
    meeting_held_on: date | None
    overdue: bool
    is_closed: bool
    token: str = ""
    case_reference: str = ""  # set only when the case is shared with the user's agency


def _row(r: Recommendation, *, today: date, case_reference: str = "") -> RecommendationRow:
    # Loaded by select_related (no query); none yet raises RelatedObjectDoesNotExist, an AttributeError.
    meeting = getattr(r.application, "meeting", None)
    closed = r.status in CLOSED_STATUSES
    return RecommendationRow(
        id=r.pk, reference=r.application.reference, text=r.text, owner=r.owner_agency.name if r.owner_agency_id else "The council",
        due_on=r.due_on, status=r.status, status_label=r.get_status_display(), progress=r.progress,
        meeting_held_on=meeting.held_on if meeting else None, overdue=not closed and r.due_on < today, is_closed=closed,
        token=recommendation_token(r), case_reference=case_reference,
    )


def _rows_queryset(user) -> QuerySet[Recommendation]:
    return (recommendations_visible_to(user)
            .select_related("application", "application__meeting", "owner_agency")
            .only("id", "text", "due_on", "status", "progress", "updated_at", "owner_agency__name", "owner_agency_id",
                  "application__reference", "application__case_id", "application__meeting__held_on"))


def recommendation_rows(user, *, status: str = "open") -> QuerySet[Recommendation]:
    """The user's agency's recommendations, soonest due first: open ones (not started or in progress), or all."""
    rows = _rows_queryset(user)
    if status == "open":
        # A withdrawn application's recommendations are no longer owed (their deadlines were cancelled).
        rows = rows.exclude(status__in=CLOSED_STATUSES).exclude(application__stage=Stage.WITHDRAWN)
    return rows.order_by("due_on", "id")


def rows_for(recommendations) -> list[RecommendationRow]:
    today = timezone.localdate()
    return [_row(r, today=today) for r in recommendations]


def recommendation_page(user, rec_id: int) -> RecommendationRow:
    """One recommendation the user's agency owns (404 otherwise), with its case reference if the case is shared."""
    found = object_or_404(_rows_queryset(user), pk=rec_id)
    case_reference = ""
    if found.application.case_id is not None:
        case_reference = cases_visible_to(user).filter(pk=found.application.case_id).values_list("reference", flat=True).first() or ""
    return _row(found, today=timezone.localdate(), case_reference=case_reference)


def recommendation_or_404(user, rec_id: int) -> Recommendation:
    return object_or_404(recommendations_visible_to(user), pk=rec_id)
