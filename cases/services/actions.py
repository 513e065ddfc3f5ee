"""Actions against perpetrators (with breaches) and referrals to partner agencies."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from ..models import (
    ACTION_STATUS_TRANSITIONS,
    Action,
    ActionStatus,
    ActionType,
    Breach,
    PartnerAgency,
    PartyRole,
    Referral,
    ReferralStatus,
    TimelineKind,
)
from .common import CaseError, case_lock, case_touch, changes_between, timeline_add
from .sharing import referral_notify


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@transaction.atomic
def action_record(
    *,
    case,
    action_type: ActionType,
    actor,
    perpetrator=None,
    served_on: date | None = None,
    review_on: date | None = None,
    expires_on: date | None = None,
    details: str = "",
) -> Action:
    """Record an action. Expiry defaults from the type's duration; appeal-by from its appeal window."""
    case = case_lock(case=case)
    if perpetrator is not None and (perpetrator.case_id != case.pk or perpetrator.role != PartyRole.PERPETRATOR):
        raise CaseError("Choose an alleged perpetrator on this case")
    today = timezone.localdate()
    if served_on and served_on > today + timedelta(days=365):
        raise CaseError("The date served is too far ahead")
    if served_on and expires_on and expires_on < served_on:
        raise CaseError("The expiry date must be after the date served")
    if served_on and review_on and review_on < served_on:
        raise CaseError("The review date must be after the date served")
    if action_type.minimum_age and perpetrator is not None and perpetrator.date_of_birth:
        age = _age_on(perpetrator.date_of_birth, served_on or today)
        if age < action_type.minimum_age:
            raise CaseError(f"A {action_type.name} needs the person to be {action_type.minimum_age} or over; {perpetrator} is {age}")
    if served_on and not expires_on and action_type.default_duration_days:
        expires_on = served_on + timedelta(days=action_type.default_duration_days)
    # The last day to appeal: "within the period of N days beginning with the day" it was served (s.46 of the 2014 Act
    # for a CPN), so the day of service is the first of the N.
    appeal_by = served_on + timedelta(days=action_type.appeal_days - 1) if served_on and action_type.appeal_days else None
    action = Action.objects.create(
        case=case,
        action_type=action_type,
        perpetrator=perpetrator,
        status=ActionStatus.IN_FORCE if served_on and served_on <= today else ActionStatus.PLANNED,
        served_on=served_on,
        review_on=review_on,
        expires_on=expires_on,
        appeal_by=appeal_by,
        details=details,
        created_by=actor,
    )
    against = f" against {perpetrator}" if perpetrator else ""
    served = f", served {served_on:%-d %b %Y}" if served_on else ", planned"
    timeline_add(
        case=case, actor=actor, kind=TimelineKind.ACTION, summary=f"{action_type.name}{against}{served}",
        body=details, changes={"action": action.pk},
    )
    return action


def _check_action_transition(action: Action, to_status: str) -> None:
    if to_status == action.status:
        return
    allowed = ACTION_STATUS_TRANSITIONS[action.status]
    if to_status not in allowed:
        can = ", ".join(sorted(ActionStatus(s).label.lower() for s in allowed)) or "nothing: it is final"
        raise CaseError(
            f"A {action.action_type.name} that is {ActionStatus(action.status).label.lower()} cannot be marked "
            f"{ActionStatus(to_status).label.lower()}. It can be marked: {can}."
        )


@transaction.atomic
def action_update(*, action: Action, actor, **values) -> Action:
    """Change an action's status (along ACTION_STATUS_TRANSITIONS), outcome or dates; the timeline records old and
    new values and the case's version moves on."""
    allowed = {"status", "outcome", "review_on", "expires_on", "served_on"}
    if set(values) - allowed:
        raise ValueError("Not editable here")
    case = case_lock(case=action.case)
    action = Action.objects.select_for_update(of=("self",)).select_related("action_type").get(pk=action.pk)
    if "status" in values:
        if values["status"] not in ActionStatus.values:
            raise CaseError("Select the action's status")
        _check_action_transition(action, values["status"])
    served = values.get("served_on", action.served_on)
    for name, label in (("review_on", "review"), ("expires_on", "expiry")):
        day = values.get(name, getattr(action, name))
        if served and day and day < served:
            raise CaseError(f"The {label} date must be after the date served")
    before = {k: getattr(action, k) for k in values}
    changes = changes_between(before, values)
    if not changes:
        return action
    for k, v in values.items():
        setattr(action, k, v)
    action.save()
    case_touch(case)
    timeline_add(case=case, actor=actor, kind=TimelineKind.ACTION, summary=f"{action.action_type.name} updated",
                 body=values.get("outcome", ""), changes=changes)
    return action


@transaction.atomic
def breach_record(*, action: Action, occurred_on: date, description: str, actor) -> Breach:
    case_lock(case=action.case)
    action = Action.objects.select_for_update(of=("self",)).select_related("action_type", "case").get(pk=action.pk)
    if occurred_on > timezone.localdate():
        raise CaseError("The breach date must be today or in the past")
    if action.status == ActionStatus.PLANNED or not action.served_on:
        raise CaseError(f"The {action.action_type.name} has not been served, so it cannot be breached yet")
    if occurred_on < action.served_on:
        raise CaseError(f"The breach must be on or after the date served ({action.served_on:%-d %B %Y})")
    if not description.strip():
        raise CaseError("Describe the breach")
    breach = Breach.objects.create(action=action, occurred_on=occurred_on, description=description, recorded_by=actor)
    if action.status != ActionStatus.BREACHED and ActionStatus.BREACHED in ACTION_STATUS_TRANSITIONS[action.status]:
        # Through the one status path: transition map, audit of old → new, case version. (An ended action keeps
        # its status: the breach is still on record.)
        action_update(action=action, actor=actor, status=ActionStatus.BREACHED)
    timeline_add(
        case=action.case, actor=actor, kind=TimelineKind.BREACH,
        summary=f"Breach of {action.action_type.name} on {occurred_on:%-d %b %Y}", body=description,
    )
    return breach


@transaction.atomic
def referral_make(*, case, agency: PartnerAgency, reason: str, referred_on: date, actor) -> Referral:
    case = case_lock(case=case)
    if referred_on > timezone.localdate():
        raise CaseError("The referral date must be today or in the past")
    if not reason.strip():
        raise CaseError("Give the reason for the referral")
    referral = Referral.objects.create(case=case, agency=agency, reason=reason, referred_on=referred_on, created_by=actor)
    timeline_add(case=case, actor=actor, kind=TimelineKind.REFERRAL, summary=f"Referred to {agency.name}", body=reason,
                 changes={"referral": referral.pk})
    referral_notify(referral=referral)
    return referral


@transaction.atomic
def referral_update(*, referral: Referral, status: str, response: str, responded_on: date | None, actor) -> Referral:
    case_lock(case=referral.case)
    if status not in ReferralStatus.values:
        raise CaseError("Select the referral's status")
    if responded_on and responded_on > timezone.localdate():
        raise CaseError("The response date must be today or in the past")
    if responded_on and responded_on < referral.referred_on:
        raise CaseError("The response date must be on or after the date referred")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    values = {"status": status, "response": response, "responded_on": responded_on}
    changes = changes_between({k: getattr(referral, k) for k in values}, values)
    if not changes:
        return referral
    for k, v in values.items():
        setattr(referral, k, v)
    referral.save()
    timeline_add(case=referral.case, actor=actor, kind=TimelineKind.REFERRAL,
                 summary=f"Referral to {referral.agency.name}: {ReferralStatus(status).label.lower()}", body=response, changes=changes)
    return referral
