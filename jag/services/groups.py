"""Setting up a JAG: the group (its rule, time, place, confidentiality statement, cut-offs) and its members (council
staff and partner users, each sitting for their own agency; co-chairs). Managers of JAG business only.

Changing the rule (the week or the weekday) re-plans the meetings still to come: those not yet opened with nothing
on them (no nomination, no item, not moved by hand) are replaced by the new rule's; if any has business already the
change is refused (move those meetings one by one instead). Changing the time or the place changes the meetings to
come that have not been moved by hand.
"""

from dataclasses import dataclass
from datetime import time

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from cases.policy import Can, agency_of, can, is_partner

from ..models import AgendaItem, JagGroup, JagMember, Meeting, MeetingStatus, Nomination
from .schedule import JagError, meetings_ensure

CO_CHAIRS_MAX = 2


@dataclass(frozen=True)
class GroupValues:
    name: str
    week: int
    weekday: int
    starts_at: time
    location: str
    confidentiality_statement: str
    nomination_cutoff_days: int = 2
    papers_cutoff_days: int = 1
    is_active: bool = True


def _manager_or_404(actor) -> None:
    if not can(actor, Can.MANAGE_JAG):
        raise Http404


def _checked(values: GroupValues) -> GroupValues:
    if not values.name.strip():
        raise JagError("Enter the group's name")
    if not 1 <= values.week <= 5 or not 0 <= values.weekday <= 4:
        raise JagError("Choose the week and the weekday the group meets")
    if not values.location.strip():
        raise JagError("Enter where the group meets")
    if not values.confidentiality_statement.strip():
        raise JagError("Enter the confidentiality statement members acknowledge at the start of each meeting")
    if not 1 <= values.nomination_cutoff_days <= 10 or not 0 <= values.papers_cutoff_days <= 10:
        raise JagError("Cut-offs are between 1 and 10 working days for nominations, 0 and 10 for papers")
    if values.papers_cutoff_days >= values.nomination_cutoff_days:
        raise JagError("The papers go out after nominations close: give the papers fewer working days before the meeting")
    return values


def _future(group: JagGroup):
    return Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED, opened_at__isnull=True,
                                  held_on__gte=timezone.localdate())


@transaction.atomic
def group_save(*, group: JagGroup | None, values: GroupValues, actor) -> JagGroup:
    """Create a group (group None) or change one, then make sure its next twelve meetings exist by its rule."""
    _manager_or_404(actor)
    values = _checked(values)
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.__dict__.items()}
    if JagGroup.objects.filter(name__iexact=fields["name"]).exclude(pk=group.pk if group else None).exists():
        raise JagError("There is already a group with that name")
    if group is None:
        try:
            with transaction.atomic():
                group = JagGroup.objects.create(**fields)
        except IntegrityError:
            raise JagError("There is already a group with that name") from None
    else:
        group = JagGroup.objects.select_for_update().get(pk=group.pk)
        rule_changed = (group.week, group.weekday) != (fields["week"], fields["weekday"])
        future = _future(group)
        if rule_changed:
            busy = future.filter(Q(Exists(Nomination.objects.filter(meeting=OuterRef("pk"))))
                                 | Q(Exists(AgendaItem.objects.filter(meeting=OuterRef("pk"))))
                                 | Q(moved_at__isnull=False) | Q(papers_sent_at__isnull=False))
            if busy.exists():
                raise JagError("Meetings to come already have nominations, items or were moved: move those meetings one "
                               "by one instead of changing the group's day")
            # Nothing references them (no nominations, items, attendance or actions): replaced by the new rule's.
            future.delete()
        elif (group.starts_at, group.location) != (fields["starts_at"], fields["location"]):
            future.filter(moved_at__isnull=True).update(starts_at=fields["starts_at"], location=fields["location"])
        for name, value in fields.items():
            setattr(group, name, value)
        group.save()
    meetings_ensure(group=group, today=timezone.localdate())
    return group


def _member_agency(user):
    """A partner sits for their own active agency; council staff for the council (None)."""
    if is_partner(user):
        agency = agency_of(user)
        if agency is None:
            raise JagError("That partner user has no active agency")
        return agency
    return None


def _co_chairs_checked(group: JagGroup, *, adding: bool, excluding: int | None = None) -> None:
    if not adding:
        return
    others = JagMember.objects.filter(group=group, is_co_chair=True, is_active=True).exclude(pk=excluding)
    if others.count() >= CO_CHAIRS_MAX:
        raise JagError(f"A group has at most {CO_CHAIRS_MAX} co-chairs: stand one down first")


@transaction.atomic
def member_add(*, group: JagGroup, user, is_co_chair: bool, actor) -> JagMember:
    """Add someone who may see JAG business (council staff or a partner user of an active agency), or bring back
    someone who left; adding someone already on the group changes nothing (a double click)."""
    _manager_or_404(actor)
    group = JagGroup.objects.select_for_update().get(pk=group.pk)
    if user is None or not user.is_active or not can(user, Can.SEE_JAG):
        raise JagError("Choose someone who can see JAG business")
    agency = _member_agency(user)
    existing = JagMember.objects.filter(group=group, user=user).first()
    if existing is not None and existing.is_active:
        return existing
    _co_chairs_checked(group, adding=is_co_chair, excluding=existing.pk if existing else None)
    if existing is not None:
        existing.is_active, existing.is_co_chair, existing.agency = True, is_co_chair, agency
        existing.save(update_fields=["is_active", "is_co_chair", "agency"])
        return existing
    return JagMember.objects.create(group=group, user=user, agency=agency, is_co_chair=is_co_chair)


@transaction.atomic
def member_update(*, member: JagMember, is_co_chair: bool, is_active: bool, actor) -> JagMember:
    """Make a member a co-chair or stand them down, or take them off the group (their attendance and actions stay on
    the record). A group keeps at least one active co-chair once it has one."""
    _manager_or_404(actor)
    JagGroup.objects.select_for_update().get(pk=member.group_id)
    locked = JagMember.objects.select_for_update().get(pk=member.pk)
    is_co_chair = is_co_chair and is_active
    _co_chairs_checked(locked.group, adding=is_co_chair and not (locked.is_co_chair and locked.is_active), excluding=locked.pk)
    if locked.is_co_chair and locked.is_active and not is_co_chair:
        others = JagMember.objects.filter(group_id=locked.group_id, is_co_chair=True, is_active=True).exclude(pk=locked.pk)
        if not others.exists():
            raise JagError("The group needs a co-chair: make someone else co-chair first")
    if is_active and not locked.is_active:
        # Brought back: as adding them again would (someone who can still see JAG business, sitting for their agency
        # as it is now, not the one they left).
        user = locked.user
        if not user.is_active or not can(user, Can.SEE_JAG):
            raise JagError("Choose someone who can see JAG business")
        locked.agency = _member_agency(user)
    locked.is_co_chair, locked.is_active = is_co_chair, is_active
    locked.save(update_fields=["is_co_chair", "is_active", "agency"])
    return locked
