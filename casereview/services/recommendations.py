"""A review's recommendations: each owned by a partner agency (or the council) with a due date, a status and
progress. Each open one is a cases.Deadline of kind CASE_REVIEW_RECOMMENDATION due at the end of its due day, so the
one sweep reminds the single point of contact and the owning agency's partner leads, and alerts managers once it is
overdue, each exactly once. Done or not done meets it; a new due date or owner moves it."""

import hashlib
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import sla
from cases.models import DeadlineKind, PartnerAgency
from cases.policy import agency_of, is_partner
from cases.services.deadlines import obligation_meet, obligation_open, obligations_cancel, obligations_reassign

from ..models import Application, Recommendation, RecommendationStatus, Stage
from .common import CaseReviewError, StaleError, application_lock, application_touch, event_add
from .stages import RECOMMENDABLE_STAGES

CLOSED_STATUSES = (RecommendationStatus.DONE, RecommendationStatus.NOT_DONE)
KIND = DeadlineKind.CASE_REVIEW_RECOMMENDATION


def recommendation_token(recommendation: Recommendation) -> str:
    """The recommendation's version for forms (it has no version field): a digest of when it last changed and what
    it says, so a form drawn before any change is stale."""
    r = recommendation
    state = f"{r.updated_at.isoformat() if r.updated_at else ''}|{r.status}|{r.progress}|{r.text}|{r.due_on}|{r.owner_agency_id}"
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def owner_name(recommendation: Recommendation) -> str:
    return recommendation.owner_agency.name if recommendation.owner_agency_id else "The council"


def _deadline_open(recommendation: Recommendation, application: Application):
    """The recommendation's deadline (idempotent): its agency's partner leads hear about it; the council's own go
    to the staff page."""
    if recommendation.owner_agency_id:
        path = reverse("casereview_partner:detail", args=[recommendation.pk])
    else:
        path = reverse("casereview_staff:detail", args=[application.reference])
    return obligation_open(
        kind=KIND, subject=recommendation.subject, title=f"Case Review {application.reference}: recommendation due",
        path=path, starts_at=timezone.now(), due_at=sla.end_of_day(recommendation.due_on),
        agency=recommendation.owner_agency, owner=application.spoc,
    )


def _check(*, text: str, owner_agency: PartnerAgency | None, due_on: date, status: str, progress: str) -> None:
    if not text.strip():
        raise CaseReviewError("Enter the recommendation")
    if owner_agency is not None and not owner_agency.is_active:
        raise CaseReviewError("Choose an agency that is still a partner, or the council")
    if status not in RecommendationStatus.values:
        raise CaseReviewError("Choose the status")
    if status == RecommendationStatus.NOT_DONE and not progress.strip():
        raise CaseReviewError("Say why it was not done")


@transaction.atomic
def recommendation_add(*, application: Application, text: str, owner_agency: PartnerAgency | None, due_on: date,
                       actor, version: int | None, status: str = RecommendationStatus.OPEN, progress: str = "") -> Recommendation:
    """Add a recommendation of the review (after the meeting). Its due date is in the future; its deadline opens."""
    _check(text=text, owner_agency=owner_agency, due_on=due_on, status=status, progress=progress)
    if due_on <= timezone.localdate():
        raise CaseReviewError("The due date must be in the future")
    if version is None:
        raise StaleError("Someone else has changed this application since you opened the page. Check it and try again")
    locked = application_lock(application=application, version=version)
    # Only a review that was held has recommendations (not a request to look again at a decision not to hold one).
    if locked.stage not in RECOMMENDABLE_STAGES or not locked.proceeds:
        raise CaseReviewError("Recommendations are added once the review meeting has been recorded")
    now = timezone.now()
    recommendation = Recommendation.objects.create(
        application=locked, text=text.strip(), owner_agency=owner_agency, due_on=due_on, status=status,
        progress=progress.strip(), created_by=actor, updated_by=actor,
        completed_at=now if status in CLOSED_STATUSES else None,
    )
    if status not in CLOSED_STATUSES:
        _deadline_open(recommendation, locked)
    application_touch(locked)
    event_add(application=locked, actor=actor, at=now,
              summary=f"Recommendation for {owner_name(recommendation)}, due {due_on:%-d %B %Y}: {recommendation.text[:150]}")
    return recommendation


@transaction.atomic
def recommendation_update(*, recommendation: Recommendation, actor, token: str | None, status: str, progress: str,
                          text: str | None = None, owner_agency: PartnerAgency | None = None, due_on: date | None = None,
                          change_details: bool = False) -> Recommendation:
    """Change a recommendation: progress and status (the owning agency or the council), and, for the council's team,
    its text, owner and due date (`change_details`). Done or not done meets its deadline; reopened, it is owed again;
    a new due date or owner moves it (the old one is cancelled, a new one opens)."""
    locked = Recommendation.objects.select_for_update(of=("self",)).select_related("application", "application__spoc", "owner_agency").get(pk=recommendation.pk)
    if not token or token != recommendation_token(locked):
        raise StaleError("Someone else has changed this recommendation since you opened the page. Check it and try again")
    new_text = text if change_details and text is not None else locked.text
    new_owner = owner_agency if change_details else locked.owner_agency
    new_due = due_on if change_details and due_on is not None else locked.due_on
    progress = (progress or "").strip()
    _check(text=new_text, owner_agency=new_owner if new_owner != locked.owner_agency else None, due_on=new_due,
           status=status, progress=progress)
    if new_due != locked.due_on and new_due <= timezone.localdate():
        raise CaseReviewError("The due date must be in the future")
    now = timezone.now()
    moved = (new_due != locked.due_on) or (getattr(new_owner, "pk", None) != locked.owner_agency_id)
    was_closed = locked.status in CLOSED_STATUSES
    changes = []
    if new_text.strip() != locked.text:
        changes.append("text changed")
    if moved:
        changes.append(f"owner {owner_name(locked)} → {new_owner.name if new_owner else 'The council'}"
                       if getattr(new_owner, "pk", None) != locked.owner_agency_id else
                       f"due {locked.due_on:%-d %B %Y} → {new_due:%-d %B %Y}")
    if status != locked.status:
        changes.append(f"{locked.get_status_display()} → {RecommendationStatus(status).label}")
    if progress != locked.progress:
        changes.append("progress updated")
    if not changes:
        return locked
    locked.text, locked.owner_agency, locked.due_on = new_text.strip(), new_owner, new_due
    locked.status, locked.progress, locked.updated_by = status, progress, actor
    if status in CLOSED_STATUSES:
        locked.completed_at = locked.completed_at if was_closed else now
    else:
        locked.completed_at = None
    locked.save(update_fields=["text", "owner_agency", "due_on", "status", "progress", "updated_by", "completed_at", "updated_at"])
    application = locked.application
    if moved:
        obligations_cancel(subject=locked.subject, kinds=[KIND])
    if status in CLOSED_STATUSES:
        obligation_meet(kind=KIND, subject=locked.subject, at=now)
    elif application.stage != Stage.WITHDRAWN:  # withdrawn: nothing more is owed (its deadlines were cancelled)
        _deadline_open(locked, application)
    agency = agency_of(actor) if is_partner(actor) else None
    who = agency.name if agency is not None else _name(actor)
    event_add(application=application, actor=actor, at=now,
              summary=f"Recommendation for {owner_name(locked)} updated by {who}: {'; '.join(changes)}")
    return locked


def recommendation_deadlines_reassign(*, application: Application) -> int:
    """After the single point of contact changes: reminders about the review's recommendations go to the new one."""
    return sum(obligations_reassign(subject=r.subject, owner=application.spoc, agency=r.owner_agency, kinds=[KIND])
               for r in application.recommendations.select_related("owner_agency"))


def recommendation_deadlines_cancel(*, application: Application) -> int:
    """The application was withdrawn: nothing more is owed on its recommendations."""
    return sum(obligations_cancel(subject=r.subject, kinds=[KIND]) for r in application.recommendations.all())


def _name(user) -> str:
    return user.get_full_name() or user.get_username()
