"""Actions between meetings: each agreed on an item, owned by a partner agency's user (or a council officer) with a
due date. Each open action is a cases.Deadline of kind JAG_ACTION due at the end of its due day (London), so the one
sweep reminds the owner and the owning agency's partner leads before it is due and alerts them and managers once it
is overdue, each exactly once. Done or dropped (with a reason) meets it; reopened, it is owed again."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import sla
from cases.models import AlertStage, Deadline, DeadlineAlert, DeadlineKind, PartnerAgency
from cases.policy import Can, agency_of, can, is_partner
from cases.services.deadlines import obligation_meet, obligation_open

from ..models import ActionStatus, AgendaItem, JagAction
from .history import event_record
from .meeting import JagError, StaleError, co_chair_require, meeting_lock

KIND = DeadlineKind.JAG_ACTION
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.DROPPED)
DUE_SOON_DAYS = 7


def _deadline_open(action: JagAction):
    meeting = action.meeting
    return obligation_open(
        kind=KIND, subject=action.subject, title=f"JAG action due: {meeting.group.name}, meeting of {meeting.held_on:%-d %B %Y}",
        path=f"/jag/actions/{action.pk}/", starts_at=timezone.now(), due_at=sla.end_of_day(action.due_on),
        owner=action.owner, agency=action.owner_agency,
    )


def _alerts_carry(action: JagAction, deadline) -> None:
    """Reopened, the action owes its deadline again (a new row, the same due time), but the alerts its earlier rows
    already sent are not sent again: a reminder or an overdue alert goes out once per action, however often it is
    marked done and reopened."""
    sent = set(DeadlineAlert.objects.filter(deadline__kind=KIND, deadline__subject=action.subject)
               .exclude(deadline_id=deadline.pk).values_list("stage", flat=True))
    if not sent:
        return
    DeadlineAlert.objects.bulk_create([DeadlineAlert(deadline_id=deadline.pk, stage=stage) for stage in sorted(sent)],
                                      ignore_conflicts=True)
    if AlertStage.BREACH in sent and deadline.due_at < timezone.now():
        # The sweep passes over an overdue deadline whose alert has gone: mark it missed here.
        Deadline.objects.filter(pk=deadline.pk).update(breached=True)


def _is_council_staff(user) -> bool:
    return not is_partner(user) and can(user, Can.SEE_JAG)


def _owner_check(*, owner, owner_agency: PartnerAgency | None) -> None:
    if owner is None or not owner.is_active:
        raise JagError("Choose who owns the action")
    if owner_agency is None:
        if not _is_council_staff(owner):
            raise JagError("Choose someone from the council, or the agency they work for")
        return
    if not owner_agency.is_active:
        raise JagError("Choose an agency that is still a partner, or the council")
    agency = agency_of(owner) if is_partner(owner) else None
    if agency is None or agency.pk != owner_agency.pk:
        raise JagError(f"Choose someone from {owner_agency.name}")


@transaction.atomic
def action_add(*, item: AgendaItem, text: str, owner_agency: PartnerAgency | None, owner, due_on: date, actor) -> JagAction:
    """Agree an action on an item in the meeting (a co-chair records it): its owner is a member of `owner_agency` (or
    council staff when None), it is due in the future, and its deadline opens."""
    meeting = meeting_lock(meeting=item.meeting)
    co_chair_require(meeting=meeting, actor=actor)
    if meeting.opened_at is None:
        raise JagError("Actions are agreed in the meeting")
    if meeting.minutes_locked:
        # Typed up straight after the meeting, yes; but once its minutes have been approved and locked the record of
        # the meeting does not grow actions the approved minutes do not have.
        raise JagError("Actions are agreed in the meeting: its minutes have been approved")
    locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if locked.removed_at is not None:
        raise JagError("This item was taken off the agenda")
    if not (text or "").strip():
        raise JagError("Enter the action")
    _owner_check(owner=owner, owner_agency=owner_agency)
    if due_on <= timezone.localdate():
        raise JagError("The due date must be in the future")
    # A double click or resubmit (two requests at once get past the page's one-time key): the meeting's row lock
    # serialises them, and the same action on the same item is the one already agreed.
    same = (JagAction.objects.filter(item=locked, text=text.strip(), owner_agency=owner_agency, owner=owner, due_on=due_on)
            .order_by("id").first())
    if same is not None:
        return same
    now = timezone.now()
    action = JagAction.objects.create(meeting=meeting, item=locked, text=text.strip(), owner_agency=owner_agency, owner=owner,
                                      due_on=due_on, created_by=actor, created_at=now)
    _deadline_open(action)
    who = action.owner_agency.name if action.owner_agency_id else "the council"
    event_record(meeting=meeting, kind="action.added", actor=actor, at=now, item=locked, action=action,
                 words=f"Action for {who} on item {locked.position}, due {due_on:%-d %B %Y}")
    return action


def action_may_update(action: JagAction, user) -> bool:
    """The owner, a user of the owning agency, or council staff (the council's own actions: council staff only)."""
    if user is None or not user.is_authenticated or not can(user, Can.SEE_JAG):
        return False
    if is_partner(user):
        # A partner acts for their agency as it is now: someone who moved to another agency leaves its actions behind
        # (the action list and page answer 404 to them too: jag.selectors.actions_visible_to).
        agency = agency_of(user)
        return agency is not None and action.owner_agency_id == agency.pk
    return True


@transaction.atomic
def action_update(*, action: JagAction, status: str, progress: str, actor, version: int | None) -> JagAction:
    """Report progress or change the status. Done or dropped meets the deadline (dropped needs a reason in
    `progress`); reopening owes it again (overdue at once if its due day has passed)."""
    locked = JagAction.objects.select_for_update(of=("self",)).select_related("meeting__group", "owner", "owner_agency").get(pk=action.pk)
    if not action_may_update(locked, actor):
        raise JagError("You cannot change this action")
    if version is None or locked.version != version:
        raise StaleError("Someone else has changed this action since you opened the page. Check it and try again")
    if status not in ActionStatus.values:
        raise JagError("Choose the status")
    progress = (progress or "").strip()
    if status == ActionStatus.DROPPED and not progress:
        raise JagError("Say why the action was dropped")
    if status == locked.status and progress == locked.progress:
        return locked
    now = timezone.now()
    was_closed = locked.status in CLOSED_STATUSES
    locked.status, locked.progress, locked.updated_by, locked.updated_at = status, progress, actor, now
    if status in CLOSED_STATUSES:
        locked.completed_at = locked.completed_at if was_closed else now
    else:
        locked.completed_at = None
    locked.version += 1
    locked.save(update_fields=["status", "progress", "updated_by", "updated_at", "completed_at", "version"])
    if status in CLOSED_STATUSES:
        obligation_meet(kind=KIND, subject=locked.subject, at=now)
    else:
        deadline = _deadline_open(locked)
        if was_closed:
            _alerts_carry(locked, deadline)
    event_record(meeting=locked.meeting, kind="action.updated", actor=actor, at=now, action=locked,
                 words=f"Action {ActionStatus(status).label.lower()}" if status != ActionStatus.OPEN or was_closed
                 else "Progress reported on an action")
    return locked


def action_status_words(action: JagAction, today: date) -> tuple[str, str]:
    """What to show on the action's GOV.UK tag, and the tag's colour (govuk-tag--<colour>)."""
    if action.status == ActionStatus.DONE:
        return "Done", "green"
    if action.status == ActionStatus.DROPPED:
        return "Dropped", "grey"
    if action.due_on < today:
        return "Overdue", "red"
    if (action.due_on - today).days <= DUE_SOON_DAYS:
        return "Due soon", "yellow"
    return "On track", "blue"


def actions_for_home(user, *, limit: int = 10) -> list[JagAction]:
    """The user's own open actions and, for a partner lead, their agency's, soonest due first (one query, plus the
    agency look-up once per request)."""
    if user is None or not user.is_authenticated or not can(user, Can.SEE_JAG):
        return []
    mine = Q(owner_id=user.pk)
    if is_partner(user):
        # Only their agency's as it is now (one who moved agency leaves the old agency's actions behind); a lead: all of it.
        agency = agency_of(user)
        if agency is None:
            return []
        mine = Q(owner_agency_id=agency.pk) if can(user, Can.MANAGE_AGENCY_USERS) else Q(owner_id=user.pk, owner_agency_id=agency.pk)
    return list(JagAction.objects.filter(mine, status=ActionStatus.OPEN)
                .select_related("meeting__group", "owner", "owner_agency").order_by("due_on", "id")[:limit])

