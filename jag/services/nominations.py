"""Nominations: an officer or a partner user asks for a case (one they may see), a location or a theme to be tabled
at a meeting, with a reason. Made by the cut-off it is accepted; made later it is urgent and waits for a co-chair's
decision (urgent items on the day by exception). One per case per meeting: a double click returns the first."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from cases.models import Case, Place
from cases.policy import Can, agency_of, can, cases_visible_to, is_partner

from ..models import ItemKind, Meeting, MeetingStatus, Nomination
from .history import event_record
from .schedule import JagError, co_chair_or_404, nominations_close_at, reason_clean

THEME_MAX = 200


def subject_clean(*, actor, kind: str, case: Case | None, place: Place | None, theme: str) -> tuple[Case | None, Place | None, str]:
    """What is tabled, checked against the kind and against what the actor may see: a case must be one of
    `cases_visible_to(actor)` (a partner: only a case shared with their agency), otherwise 404, as if it did not
    exist. Only the field the kind names is kept."""
    if kind not in ItemKind.values:
        raise JagError("Choose whether it is a case, a location or a theme")
    if kind == ItemKind.CASE:
        if case is None:
            raise JagError("Choose the case")
        if not cases_visible_to(actor).filter(pk=case.pk).exists():
            raise Http404
        return case, None, ""
    if kind == ItemKind.LOCATION:
        if place is None:
            raise JagError("Choose the location")
        return None, place, ""
    theme = (theme or "").strip()
    if not theme:
        raise JagError("Enter the theme")
    if len(theme) > THEME_MAX:
        raise JagError(f"The theme must be {THEME_MAX} characters or fewer")
    return None, None, theme


def _open_for_business(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED or meeting.closed_at is not None:
        raise JagError("This meeting has been held or cancelled: nominate for the next one")


def _same(meeting: Meeting, case: Case | None, place: Place | None, theme: str, actor) -> Nomination | None:
    if case is not None:
        return Nomination.objects.filter(meeting=meeting, case=case).first()
    if place is not None:
        return Nomination.objects.filter(meeting=meeting, place=place).first()
    return Nomination.objects.filter(meeting=meeting, kind=ItemKind.THEME, theme__iexact=theme, nominated_by=actor).first()


@transaction.atomic
def nomination_make(*, meeting: Meeting, kind: str, case: Case | None = None, place: Place | None = None, theme: str = "",
                    reason: str, actor, at: datetime | None = None) -> Nomination:
    """Nominate a case, a location or a theme for `meeting`, with a reason. The actor must hold NOMINATE_FOR_JAG and
    see the case (else 404). By the cut-off (`nominations_close_at`) it is accepted; after it, urgent with no
    decision until a co-chair makes one. The agency is the actor's (none for council staff). A case or location
    already nominated for the meeting (a double click, a colleague's) returns the first nomination unchanged, as does
    the same theme from the same person."""
    if not can(actor, Can.NOMINATE_FOR_JAG):
        raise Http404
    case, place, theme = subject_clean(actor=actor, kind=kind, case=case, place=place, theme=theme)
    reason = (reason or "").strip()
    if not reason:
        raise JagError("Enter why it should be discussed")
    # The meeting's row, locked: two nominations of one location or theme at once (no unique constraint covers them)
    # are made one after the other, so the second finds the first.
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    _open_for_business(meeting)
    existing = _same(meeting, case, place, theme, actor)
    if existing is not None:
        return existing
    at = at or timezone.now()
    urgent = at > nominations_close_at(meeting)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                meeting=meeting, kind=kind, case=case, place=place, theme=theme, reason=reason, nominated_by=actor,
                agency=agency_of(actor) if is_partner(actor) else None, created_at=at, is_urgent=urgent,
                accepted=None if urgent else True,
            )
            event_record(meeting=meeting, kind="nomination.made", actor=actor, at=at,
                         words=f"{ItemKind(kind).label} nominated{' after the cut-off (urgent)' if urgent else ''}")
            return nomination
    except IntegrityError:
        # Two clicks at once: the unique constraint let one through; return it.
        existing = _same(meeting, case, place, theme, actor)
        if existing is None:
            raise
        return existing


@transaction.atomic
def nomination_decide(*, nomination: Nomination, accept: bool, reason: str, actor) -> Nomination:
    """A co-chair accepts or declines an urgent nomination, with a reason (who and when are kept). Deciding again
    the same way returns it unchanged (a double click); a different decision once made is refused."""
    locked = Nomination.objects.select_for_update().select_related("meeting__group").get(pk=nomination.pk)
    co_chair_or_404(group=locked.meeting.group, user=actor)
    reason = reason_clean(reason, missing="Enter the reason for the decision")
    if not locked.is_urgent:
        raise JagError("Only a late (urgent) nomination needs a decision")
    if locked.accepted is not None:
        if locked.accepted == accept:
            return locked
        raise JagError("A co-chair has already decided this nomination")
    _open_for_business(locked.meeting)
    locked.accepted = accept
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.save(update_fields=["accepted", "decided_by", "decided_at", "decision_reason"])
    event_record(meeting=locked.meeting, kind="nomination.decided", actor=actor,
                 words=f"Urgent nomination {'accepted' if accept else 'declined'}: {reason}")
    return locked
