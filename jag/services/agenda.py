"""The agenda: built by the system from what must be tabled, then shaped by a co-chair (add, remove, reorder, each
with a reason).

`agenda_build` adds, in this order, what is missing: accepted nominations; items carried over from the previous held
meeting whose outcome was "keep" or that still have open actions, and items of earlier held meetings whose actions are
still open; open high-risk cases whose victim update is
overdue; cases with a Case Review recommendation (not started or in progress) due on or before the meeting. Each item
says why it is on. It is idempotent and keeps a fixed number of queries whatever the data size; an item a co-chair
removed is never put back by a rebuild."""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from casereview.models import Recommendation, RecommendationStatus
from cases import sla
from cases.models import OPEN_STATUSES, Case, Deadline, DeadlineKind, Place, RiskLevel

from ..models import ActionStatus, AgendaItem, ItemKind, ItemOutcome, ItemSource, JagAction, Meeting, MeetingStatus
from .history import event_record
from .nominations import subject_clean
from .schedule import JagError, StaleError, co_chair_or_404, reason_clean

WHY_MAX = 500
OPEN_RECOMMENDATION = (RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS)


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _why(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= WHY_MAX else text[: WHY_MAX - 1] + "…"


def _key(kind: str, case_id: int | None, place_id: int | None, theme: str) -> tuple:
    """What an item is about: the case, the place, or the theme (in any case)."""
    if kind == ItemKind.CASE:
        return ("case", case_id)
    if kind == ItemKind.LOCATION:
        return ("place", place_id)
    return ("theme", theme.strip().casefold())


def _meeting_lock(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)
    if locked.status != MeetingStatus.SCHEDULED or locked.closed_at is not None:
        raise JagError("The agenda of a meeting that has been held or cancelled cannot change")
    return locked


def _previous_held(meeting: Meeting):
    return (Meeting.objects.filter(group_id=meeting.group_id, status=MeetingStatus.HELD, held_on__lt=meeting.held_on)
            .exclude(pk=meeting.pk).order_by("-held_on", "-id").first())


@transaction.atomic
def agenda_build(*, meeting: Meeting, at: datetime | None = None) -> list[AgendaItem]:
    """Add what is missing from the meeting's agenda (see the module's words), after the items already on it, and
    return the agenda (items not removed, in order). Nothing already there, or removed by a co-chair, is added twice:
    an item is keyed by its case, location or theme. Two builds at once are serialised on the meeting's row."""
    at = at or timezone.now()
    meeting = _meeting_lock(meeting)
    existing = list(meeting.items.all())
    taken = {_key(i.kind, i.case_id, i.place_id, i.theme) for i in existing}
    taken_nominations = {i.nomination_id for i in existing if i.nomination_id}
    taken_carried = {i.carried_from_id for i in existing if i.carried_from_id}
    position = max((i.position for i in existing), default=0)
    new: list[AgendaItem] = []

    def add(*, kind, case_id=None, place_id=None, theme="", source, why, nomination_id=None, carried_from_id=None):
        nonlocal position
        key = _key(kind, case_id, place_id, theme)
        if key in taken:
            return
        taken.add(key)
        position += 1
        new.append(AgendaItem(meeting=meeting, position=position, kind=kind, case_id=case_id, place_id=place_id,
                              theme=theme, source=source, why=_why(why), nomination_id=nomination_id,
                              carried_from_id=carried_from_id))

    # 1. Accepted nominations, oldest first.
    for n in meeting.nominations.filter(accepted=True).select_related("agency").order_by("created_at", "id"):
        if n.pk in taken_nominations:
            continue
        who = n.agency.name if n.agency_id else "the council"
        urgent = " (urgent, accepted by a co-chair)" if n.is_urgent else ""
        add(kind=n.kind, case_id=n.case_id, place_id=n.place_id, theme=n.theme, source=ItemSource.NOMINATION,
            nomination_id=n.pk, why=f"Nominated by {who}{urgent}: {n.reason}")

    # 2. Carried over from the previous held meeting: kept on, or with actions still open.
    previous = _previous_held(meeting)
    if previous is not None:
        carried = (previous.items.filter(removed_at__isnull=True)
                   .annotate(open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN)))
                   .filter(Q(outcome=ItemOutcome.KEEP) | Q(open_actions__gt=0)).order_by("position", "id"))
        for item in carried:
            if item.pk in taken_carried:
                continue
            reasons = []
            if item.outcome == ItemOutcome.KEEP:
                reasons.append("kept on the agenda")
            if item.open_actions:
                reasons.append(f"{item.open_actions} open action{'s' if item.open_actions != 1 else ''}")
            add(kind=item.kind, case_id=item.case_id, place_id=item.place_id, theme=item.theme,
                source=ItemSource.CARRIED_OVER, carried_from_id=item.pk,
                why=f"Carried over from the meeting on {_day(previous.held_on)}: {' and '.join(reasons)}")

    # 2b. Open actions agreed at an earlier held meeting on an item that has dropped off since (carried over once,
    #     then closed or escalated while its action stayed open): the action plan is reviewed at every meeting, so
    #     the item comes back until its actions are done or dropped. (One query; what step 2 carried is taken.)
    older = (JagAction.objects.filter(meeting__group_id=meeting.group_id, meeting__status=MeetingStatus.HELD,
                                      meeting__held_on__lt=meeting.held_on, status=ActionStatus.OPEN,
                                      item__removed_at__isnull=True)
             .values("item_id", "item__kind", "item__case_id", "item__place_id", "item__theme", "meeting__held_on")
             .annotate(open_actions=Count("id")).order_by("meeting__held_on", "item__position", "item_id"))
    for row in older:
        if row["item_id"] in taken_carried:
            continue
        n = row["open_actions"]
        add(kind=row["item__kind"], case_id=row["item__case_id"], place_id=row["item__place_id"], theme=row["item__theme"],
            source=ItemSource.CARRIED_OVER, carried_from_id=row["item_id"],
            why=f"Carried over from the meeting on {_day(row['meeting__held_on'])}: {n} open action{'s' if n != 1 else ''}")

    # 3. Open high-risk cases with a victim update overdue.
    overdue = (Deadline.objects.open().filter(case=OuterRef("pk"), kind=DeadlineKind.VICTIM_UPDATE, due_at__lt=at)
               .order_by("due_at").values("due_at")[:1])
    high_risk = (Case.objects.filter(status__in=OPEN_STATUSES, risk_level=RiskLevel.HIGH)
                 .annotate(first_due=Subquery(overdue)).filter(first_due__isnull=False)
                 .order_by("first_due", "id").values_list("pk", "first_due"))
    for case_id, first_due in high_risk:
        add(kind=ItemKind.CASE, case_id=case_id, source=ItemSource.HIGH_RISK,
            why=f"High-risk case: a victim update was due by {_day(first_due.astimezone(sla.LONDON).date())} and has "
                "not been given")

    # 4. Case Review recommendations not done, due on or before the meeting (the earliest per case).
    recommendations = (Recommendation.objects.filter(status__in=OPEN_RECOMMENDATION, due_on__lte=meeting.held_on,
                                                     application__case__isnull=False)
                       .values("application__case_id").annotate(first_due=Min("due_on"), count=Count("id"),
                                                                reference=Max("application__reference"))
                       .order_by("first_due", "application__case_id"))
    for row in recommendations:
        count = row["count"]
        what = "a recommendation" if count == 1 else f"{count} recommendations"
        add(kind=ItemKind.CASE, case_id=row["application__case_id"], source=ItemSource.CASE_REVIEW,
            why=f"Case Review {row['reference']}: {what} due by {_day(row['first_due'])} not yet done")

    if new:
        AgendaItem.objects.bulk_create(new)
        event_record(meeting=meeting, kind="agenda.built", at=at,
                     words=f"The agenda was built: {len(new)} item{'s' if len(new) != 1 else ''} added")
    return sorted([i for i in existing if i.removed_at is None] + new, key=lambda i: (i.position, i.pk))


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, kind: str, case: Case | None = None, place: Place | None = None,
                    theme: str = "", reason: str, actor) -> AgendaItem:
    """A co-chair adds an item, with the reason, at the end of the agenda. A case must be one the co-chair may see
    (else 404). Something already on the agenda is refused; something removed earlier may be added again."""
    co_chair_or_404(group=meeting.group, user=actor)
    case, place, theme = subject_clean(actor=actor, kind=kind, case=case, place=place, theme=theme)
    reason = reason_clean(reason, missing="Enter why it is being added")
    meeting = _meeting_lock(meeting)
    live = meeting.items.filter(removed_at__isnull=True)
    already = (live.filter(case=case) if case is not None else live.filter(place=place) if place is not None
               else live.filter(kind=ItemKind.THEME, theme__iexact=theme))
    if already.exists():
        raise JagError("That is already on the agenda")
    position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, position=position, kind=kind, case=case, place=place, theme=theme,
                                     source=ItemSource.ADDED, why=_why(f"Added by a co-chair: {reason}"), added_by=actor)
    event_record(meeting=meeting, kind="item.added", actor=actor, item=item,
                 words=f"Item {position} ({ItemKind(kind).label.lower()}) added: {reason}")
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, reason: str, actor) -> AgendaItem:
    """A co-chair takes an item off the agenda, with the reason (kept, with who and when; a rebuild does not put it
    back). Removing it again returns it unchanged."""
    meeting = Meeting.objects.select_related("group").get(pk=item.meeting_id)
    co_chair_or_404(group=meeting.group, user=actor)
    reason = reason_clean(reason, missing="Enter why it is being removed")
    _meeting_lock(meeting)
    locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if locked.removed_at is not None:
        return locked
    if locked.actions.exists():
        raise JagError("An item with actions stays on the record: record its outcome instead")
    locked.removed_at = timezone.now()
    locked.removed_by = actor
    locked.removed_reason = reason
    locked.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    event_record(meeting=meeting, kind="item.removed", actor=actor, item=locked,
                 words=f"Item {locked.position} ({ItemKind(locked.kind).label.lower()}) removed: {reason}")
    return locked


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, item_ids: list[int], actor) -> list[AgendaItem]:
    """A co-chair puts the agenda in a new order: `item_ids` lists every item on it, once, in the order wanted (an
    agenda that changed since the page was drawn is stale)."""
    co_chair_or_404(group=meeting.group, user=actor)
    meeting = _meeting_lock(meeting)
    items = {i.pk: i for i in meeting.items.select_for_update().filter(removed_at__isnull=True)}
    try:
        wanted = [int(i) for i in item_ids]
    except (TypeError, ValueError):
        raise JagError("The order is not valid") from None
    if len(wanted) != len(set(wanted)) or set(wanted) != set(items):
        raise StaleError("The agenda has changed since you opened the page. Check it and try again")
    ordered = []
    for position, pk in enumerate(wanted, start=1):
        items[pk].position = position
        ordered.append(items[pk])
    AgendaItem.objects.bulk_update(ordered, ["position"])
    event_record(meeting=meeting, kind="agenda.reordered", actor=actor, words="The agenda was put in a new order")
    return ordered
