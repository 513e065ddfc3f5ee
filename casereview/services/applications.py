"""Applications for an ASB Case Review: taking one in (online, phone, paper…), acknowledging it, the single point of
contact, linking it to the council's case and the victim's record, and withdrawing it."""

import re
import uuid
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import sla
from cases.contact_rules import message_channel_for
from cases.models import Case, DeadlineKind, Party, PartyRole, Person, PreferredContactMethod
from cases.policy import Can, users_who_can
from notifications.models import MessageChannel
from notifications.services import message_queue

from ..models import Application, Route, Stage, ThresholdFlag, Timescales, VictimKind
from .common import (
    MESSAGE_FAILED_HOOK,
    CaseReviewError,
    application_lock,
    application_reference_next,
    application_touch,
    event_add,
    stage_deadline_meet,
    stage_deadline_open,
    stage_deadlines_cancel,
    stage_deadlines_reassign,
)
from .flags import threshold_flag_close
from .recommendations import CLOSED_STATUSES as RECOMMENDATION_CLOSED
from .recommendations import recommendation_deadlines_cancel, recommendation_deadlines_reassign

# How a council case reference looks (cases.services.intake.case_reference_next): ASB-2026-00042.
CASE_REFERENCE = re.compile(r"\bASB-\d{4}-\d{5}\b", re.IGNORECASE)
REPORTED_TO = [("council", "The council"), ("police", "The police"), ("housing", "A housing provider or landlord"),
               ("other", "Someone else")]
# How the single point of contact records an acknowledgement they sent themselves.
ACKNOWLEDGE_METHODS = [("phone", "By phone"), ("letter", "By letter"), ("email", "By email"), ("text", "By text message"),
                       ("in_person", "In person")]
# The people on a case who can be the victim an application is about.
VICTIM_ROLES = (PartyRole.VICTIM, PartyRole.COMPLAINANT)


@dataclass
class ApplicationSubmission:
    """Everything an applicant tells us, whichever route it came by (the forms build it)."""

    applicant_name: str
    preferred_contact_method: str
    location: str
    description: str
    applicant_is_victim: bool = True
    relationship: str = ""
    victim_consents: bool | None = None
    victim_kind: str = VictimKind.INDIVIDUAL
    victim_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    support_needs: str = ""
    reported_to: list[str] = field(default_factory=list)
    case_references: str = ""
    first_reported_on: date | None = None
    last_reported_on: date | None = None
    impact: str = ""
    hate_related: bool = False


def _check(data: ApplicationSubmission, *, received_at: datetime) -> None:
    """The rules every route shares (the forms check the same first, to show them beside the field)."""
    from cases.validators import contact_method_problem

    if not data.applicant_name.strip():
        raise CaseReviewError("Enter the applicant's name")
    if not data.description.strip():
        raise CaseReviewError("Say what has been happening")
    if not data.location.strip():
        raise CaseReviewError("Say where the problem is")
    if not data.applicant_is_victim and data.victim_consents is not True:
        raise CaseReviewError("Someone applying on the victim's behalf needs the victim's agreement")
    if data.preferred_contact_method not in PreferredContactMethod.values:
        raise CaseReviewError("Choose how we should contact the applicant")
    problem = contact_method_problem(method=data.preferred_contact_method, email=data.email, phone=data.phone,
                                     address=data.address, postcode=data.postcode)
    if problem:
        raise CaseReviewError(problem)
    today = received_at.astimezone(sla.LONDON).date()
    for day in (data.first_reported_on, data.last_reported_on):
        if day and day > today:
            raise CaseReviewError("The dates it was reported must be today or in the past")


def _default_spoc():
    """The timescales' default single point of contact, if they may still do the work."""
    spoc = Timescales.current().default_spoc
    if spoc is not None and users_who_can(Can.WORK_CASE_REVIEWS).filter(pk=spoc.pk).exists():
        return spoc
    return None


def case_for_references(text: str) -> Case | None:
    """The first council case named exactly in what the applicant quoted ("ASB-2026-00042, and a police one")."""
    for found in CASE_REFERENCE.findall(text or ""):
        case = Case.objects.filter(reference=found.upper()).first()
        if case is not None:
            return case
    return None


def _applicant_on_case(application: Application, case: Case) -> bool:
    """Whether the applicant is a victim or complainant on the case (same email or phone number). Anyone can type a
    case reference (they are sequential), so only then does quoting one close its threshold flag."""
    from cases.validators import normalise_phone

    same = Q(pk__in=[])
    if application.email:
        same |= Q(email__iexact=application.email)
    if normalise_phone(application.phone):
        same |= Q(phone_normalised=normalise_phone(application.phone))
    return case.parties.filter(same, role__in=VICTIM_ROLES).exists()


def _flag_close_for(*, application: Application, case: Case, actor) -> None:
    """An application has been made: the case's open flag closes, and so do the flags the victim's record raised on
    her other cases (one person's reports meet the threshold on every case where she is the victim)."""
    whose = Q(case=case) | (Q(person_id=application.person_id) if application.person_id else Q(pk__in=[]))
    for flag in ThresholdFlag.objects.filter(whose, closed_at__isnull=True).order_by("pk"):
        threshold_flag_close(flag=flag, actor=actor, note=f"Application {application.reference} made")


def application_submit(*, data: ApplicationSubmission, route: str, submission_key: uuid.UUID, logged_by=None,
                       received_at: datetime | None = None) -> Application:
    """Take an application in. The same submission key twice (a double click, a refresh, a retry) returns the first
    application, never a second one.

    Opens the acknowledgement and decision stages (both from receipt); gives it the default single point of contact;
    links the council case the applicant quoted (closing its threshold flag); and acknowledges it at once by email or
    text when that is how the applicant asked to be contacted. A phone call or letter is the contact person's task.
    """
    existing = Application.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    if route not in Route.values:
        raise CaseReviewError("Choose how the application came in")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise CaseReviewError("The date received must be today or in the past")
    _check(data, received_at=received_at)
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values["applicant_name"] = data.applicant_name.strip()
    if data.applicant_is_victim:
        values.update(relationship="", victim_consents=None)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                reference=application_reference_next(year=received_at.astimezone(sla.LONDON).year),
                submission_key=submission_key, route=route, received_at=received_at, logged_by=logged_by,
                spoc=_default_spoc(), case=case_for_references(data.case_references), **values,
            )
            _after_receipt(application=application, actor=logged_by, now=now)
    except IntegrityError:
        # The same key committed by a concurrent request (two clicks at once): that one is the application.
        existing = Application.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing
    return application


def _after_receipt(*, application: Application, actor, now: datetime) -> None:
    how = application.get_route_display().lower()
    event_add(application=application, actor=actor, at=now,
              summary=f"Application received ({how})" + (f", logged by {actor.get_full_name() or actor.get_username()}" if actor else ""))
    stage_deadline_open(application=application, kind=DeadlineKind.CASE_REVIEW_ACKNOWLEDGE, starts_at=application.received_at)
    decision = stage_deadline_open(application=application, kind=DeadlineKind.CASE_REVIEW_DECISION, starts_at=application.received_at)
    if application.case_id:
        event_add(application=application, actor=actor, at=now, summary=f"Linked to case {application.case.reference}")
        if _applicant_on_case(application, application.case):
            _flag_close_for(application=application, case=application.case, actor=actor)
    if application.spoc_id is None:
        event_add(application=application, actor=actor, at=now, summary="No contact person yet: a manager assigns one")
    channel = message_channel_for(application)
    if channel is None:
        return  # phone or letter: the contact person acknowledges it and records it
    context = _message_context(application, decision_due=decision.due_at)
    if channel == "email":
        message_queue(channel=MessageChannel.EMAIL, to=application.email, key=f"cr-ack:{application.pk}",
                      subject=f"We have received your ASB Case Review application: {application.reference}",
                      body=render_to_string("casereview/emails/application_acknowledgement.txt", context),
                      on_failure=MESSAGE_FAILED_HOOK)
    else:
        message_queue(channel=MessageChannel.SMS, to=application.phone, key=f"cr-ack-sms:{application.pk}", subject="",
                      body=render_to_string("casereview/sms/application_acknowledgement.txt", context).strip(),
                      on_failure=MESSAGE_FAILED_HOOK)
    stage_deadline_meet(application=application, kind=DeadlineKind.CASE_REVIEW_ACKNOWLEDGE, at=now)
    application.stage, application.acknowledged_at, application.acknowledgement_method = Stage.ACKNOWLEDGED, now, channel
    application.save(update_fields=["stage", "acknowledged_at", "acknowledgement_method"])
    event_add(application=application, at=now, summary=f"Acknowledged automatically by {'email' if channel == 'email' else 'text message'}")


def _message_context(application: Application, *, decision_due: datetime | None = None) -> dict:
    spoc = application.spoc
    return {
        "application": application,
        "decision_due": decision_due,
        "spoc_name": (spoc.get_full_name() or spoc.get_username()) if spoc else "",
        "council_name": settings.COUNCIL_NAME,
        "council_phone": settings.COUNCIL_PHONE,
        "about_url": settings.SITE_URL.rstrip("/") + reverse("casereview:about"),
    }


@transaction.atomic
def application_acknowledge(*, application: Application, method: str, actor, version: int) -> Application:
    """The contact person records that they acknowledged it themselves (a phone call, a letter): meets the stage."""
    if method not in dict(ACKNOWLEDGE_METHODS):
        raise CaseReviewError("Choose how you acknowledged the application")
    locked = application_lock(application=application, version=version)
    if locked.acknowledged_at is not None:
        raise CaseReviewError("This application has already been acknowledged")
    if not locked.is_open:
        raise CaseReviewError("This application is closed")
    now = timezone.now()
    stage_deadline_meet(application=locked, kind=DeadlineKind.CASE_REVIEW_ACKNOWLEDGE, at=now)
    locked.acknowledged_at, locked.acknowledged_by, locked.acknowledgement_method = now, actor, method
    fields_changed = ["acknowledged_at", "acknowledged_by", "acknowledgement_method"]
    if locked.stage == Stage.RECEIVED:
        locked.stage = Stage.ACKNOWLEDGED
        fields_changed.append("stage")
    application_touch(locked, *fields_changed)
    event_add(application=locked, actor=actor, at=now, summary=f"Acknowledged {dict(ACKNOWLEDGE_METHODS)[method].lower()}")
    return locked


@transaction.atomic
def application_spoc_assign(*, application: Application, spoc, actor, version: int) -> Application:
    """A manager names the single point of contact: later reminders go to them, and the applicant is told who it is
    (by email or text when that is how they asked to be contacted; otherwise the new contact person tells them)."""
    if spoc is None or not users_who_can(Can.WORK_CASE_REVIEWS).filter(pk=spoc.pk).exists():
        raise CaseReviewError("Choose someone who works Case Reviews")
    locked = application_lock(application=application, version=version)
    # After the outcome its recommendations are still followed up (and reminded to the contact person).
    if not locked.is_open and not (locked.stage != Stage.WITHDRAWN and recommendations_followed_up(locked)):
        raise CaseReviewError("This application is closed")
    if locked.spoc_id == spoc.pk:
        return locked
    locked.spoc = spoc
    application_touch(locked, "spoc")
    stage_deadlines_reassign(application=locked)
    recommendation_deadlines_reassign(application=locked)
    name = spoc.get_full_name() or spoc.get_username()
    channel = message_channel_for(locked)
    told = ""
    if channel is not None:
        context = _message_context(locked)
        key = f"cr-spoc:{locked.pk}:{locked.version}"
        if channel == "email":
            message_queue(channel=MessageChannel.EMAIL, to=locked.email, key=key,
                          subject=f"Your contact for ASB Case Review {locked.reference}",
                          body=render_to_string("casereview/emails/application_contact_person.txt", context),
                          on_failure=MESSAGE_FAILED_HOOK)
            told = "; the applicant was emailed"
        else:
            message_queue(channel=MessageChannel.SMS, to=locked.phone, key=f"{key}:sms", subject="",
                          body=render_to_string("casereview/sms/application_contact_person.txt", context).strip(),
                          on_failure=MESSAGE_FAILED_HOOK)
            told = "; the applicant was sent a text message"
    else:
        told = f"; they tell the applicant by {locked.get_preferred_contact_method_display().lower()}"
    event_add(application=locked, actor=actor, summary=f"Contact person: {name}{told}")
    return locked


def recommendations_followed_up(application: Application) -> bool:
    """Whether any of its recommendations is still open or in progress (uses the prefetched ones if there are)."""
    return any(r.status not in RECOMMENDATION_CLOSED for r in application.recommendations.all())


def victims_on(case: Case) -> list[Party]:
    """The victims and complainants on a case who have a record in the register (the people an application can be about)."""
    return list(case.parties.filter(role__in=VICTIM_ROLES, person__isnull=False).select_related("person").order_by("full_name", "id"))


@transaction.atomic
def application_case_link(*, application: Application, case: Case, person: Person | None, actor, version: int) -> Application:
    """Link the application to a council case and (optionally) the victim's record in the register; the case's open
    threshold flag is closed (an application has been made)."""
    if person is not None and not case.parties.filter(role__in=VICTIM_ROLES, person=person).exists():
        raise CaseReviewError("Choose a victim or complainant on that case")
    locked = application_lock(application=application, version=version)
    if not locked.is_open:
        raise CaseReviewError("This application is closed")
    locked.case, locked.person = case, person
    application_touch(locked, "case", "person")
    who = f", victim {person.full_name}" if person else ""
    event_add(application=locked, actor=actor, summary=f"Linked to case {case.reference}{who}")
    _flag_close_for(application=locked, case=case, actor=actor)
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, reason: str, actor, version: int) -> Application:
    """The applicant withdrew (or cannot be reached after every effort): the stages stop, nothing more is owed."""
    if not reason.strip():
        raise CaseReviewError("Give the reason it was withdrawn")
    locked = application_lock(application=application, version=version)
    if not locked.is_open:
        raise CaseReviewError("This application is already closed")
    now = timezone.now()
    stage_deadlines_cancel(application=locked)
    recommendation_deadlines_cancel(application=locked)
    locked.stage, locked.withdrawn_reason, locked.closed_at = Stage.WITHDRAWN, reason.strip()[:300], now
    application_touch(locked, "stage", "withdrawn_reason", "closed_at")
    event_add(application=locked, actor=actor, at=now, summary=f"Withdrawn: {locked.withdrawn_reason}")
    return locked
