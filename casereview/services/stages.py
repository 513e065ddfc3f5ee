"""The review itself: the threshold decision with reasons, the review meeting, the outcome letter, and the request to
look again at the handling with its outcome. Each moves the application's stage, meets one stage deadline and opens
the next (cases.Deadline rows swept by the one deadline engine), writes the history, and tells the applicant by the
way they asked to be contacted (email or text from the outbox, with a unique key; a phone call or a letter is the
single point of contact's task, shown on the page)."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import sla
from cases.contact_rules import message_channel_for, task_method_for
from cases.models import DeadlineKind, PartnerAgency
from notifications.models import MessageChannel
from notifications.services import message_queue

from ..models import (
    Application,
    EscalationOutcome,
    EscalationRequest,
    Participation,
    ReviewMeeting,
    Route,
    Stage,
    Timescales,
)
from ..threshold import threshold_for_case
from .common import (
    MESSAGE_FAILED_HOOK,
    CaseReviewError,
    StaleError,
    application_lock,
    application_touch,
    event_add,
    stage_deadline_meet,
    stage_deadline_open,
)

DECIDABLE_STAGES = (Stage.RECEIVED, Stage.ACKNOWLEDGED)
# After these the applicant may ask for the handling to be looked at again (the decision not to hold a review, or
# the outcome of the review).
ESCALATABLE_STAGES = (Stage.NOT_MET, Stage.OUTCOME_SENT)
# A recommendation is made at the meeting and followed up after it (the outcome letter lists them).
RECOMMENDABLE_STAGES = (Stage.MEETING_HELD, Stage.OUTCOME_SENT, Stage.ESCALATED)
DEFAULT_ESCALATION_DECIDER = "Police and Crime Commissioner's office"


def _locked(application: Application, version: int | None) -> Application:
    """Every form here carries the version it was drawn from: none (a forged or broken post) is as stale as an old one."""
    if version is None:
        raise StaleError("Someone else has changed this application since you opened the page. Check it and try again")
    return application_lock(application=application, version=version)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- telling the applicant ----------------------------------------------------------------------------------

def delivery_method(application: Application) -> str:
    """How the applicant is told: "email" or "text" when they asked for it and we hold the detail (the outbox sends
    it); otherwise "phone" or "letter", which the single point of contact carries out: the one they asked for, or,
    when they asked for a message we cannot send, a call if we hold a number, else a letter (cases.contact_rules)."""
    return message_channel_for(application) or task_method_for(application)  # both: cases.contact_rules


def escalation_last_day(application: Application, *, since: datetime | None = None) -> date:
    """The last day the applicant may ask for the handling to be looked at again: escalation_request_days working
    days after the outcome was sent (or the decision not to hold a review), or after `since`."""
    if since is None and application.escalation_ask_by is not None:
        return application.escalation_ask_by  # what the applicant was told, whatever the period is now
    since = since or application.outcome_sent_at or application.decided_at or timezone.now()
    days = Timescales.current().escalation_request_days
    return sla.add_working_days(since.astimezone(sla.LONDON).date(), days)


def message_context(application: Application, **extra) -> dict:
    return {
        "application": application,
        "spoc_name": _name(application.spoc),
        "council_name": settings.COUNCIL_NAME,
        "council_phone": settings.COUNCIL_PHONE,
        "about_url": settings.SITE_URL.rstrip("/") + reverse("casereview:about"),
        **extra,
    }


def _tell(application: Application, *, key: str, subject: str, email_template: str, sms_template: str, context: dict,
          email_body: str | None = None) -> str:
    """Queue the message by the applicant's channel (at most once: `key` is unique in the outbox). Returns the
    method used, or the phone/letter task left for the single point of contact."""
    method = delivery_method(application)
    if method == "email":
        message_queue(channel=MessageChannel.EMAIL, to=application.email, key=key, subject=subject,
                      body=email_body if email_body is not None else render_to_string(email_template, context),
                      on_failure=MESSAGE_FAILED_HOOK)
    elif method == "text":
        message_queue(channel=MessageChannel.SMS, to=application.phone, key=f"{key}:sms", subject="",
                      body=render_to_string(sms_template, context).strip(), on_failure=MESSAGE_FAILED_HOOK)
    return method


def _told(method: str) -> str:
    return {"email": "emailed", "text": "sent a text message"}.get(method, f"to be told by {'phone' if method == 'phone' else 'letter'}")


# --- 1. the threshold decision --------------------------------------------------------------------------------

def decision_letter(application: Application) -> str:
    """The letter telling the applicant no review will be held, with reasons and how to ask for the handling to be
    looked at again and by when (the email as sent, or the text to print or read out)."""
    context = message_context(application, last_day=escalation_last_day(application))
    return render_to_string("casereview/emails/decision_not_met.txt", context)


@transaction.atomic
def application_decide(*, application: Application, threshold_met: bool, proceeds: bool, reasons: str, actor,
                       version: int | None) -> Application:
    """Decide whether the threshold is met and whether a review is held, with reasons.

    Below the threshold a review may still be held, with reasons (persistence, harm, the adequacy of the response:
    s.104(5)); met but no review is refused. Meets the decision stage (and the acknowledgement's: a decision
    acknowledges). A review: the meeting stage opens from now. No review: closed as not met, the applicant told
    with reasons and the last day to ask for the handling to be looked at again.
    """
    reasons = (reasons or "").strip()
    if not reasons:
        raise CaseReviewError("Give the reasons for the decision")
    if threshold_met and not proceeds:
        raise CaseReviewError("When the threshold is met a review must be held")
    locked = _locked(application, version)
    if locked.stage not in DECIDABLE_STAGES:
        raise CaseReviewError("The threshold decision has already been made, or the application is closed")
    now = timezone.now()
    rule = ""
    if threshold_met and locked.case_id is not None:
        found = threshold_for_case(locked.case, at=locked.received_at)
        rule = (found.rule or "")[:200] if found.met else ""
    locked.threshold_met, locked.proceeds, locked.decision_reasons = threshold_met, proceeds, reasons
    locked.threshold_rule, locked.decided_at, locked.decided_by = rule, now, actor
    changed = ["threshold_met", "proceeds", "decision_reasons", "threshold_rule", "decided_at", "decided_by", "stage"]
    stage_deadline_meet(application=locked, kind=DeadlineKind.CASE_REVIEW_DECISION, at=now)
    if locked.acknowledged_at is None:
        stage_deadline_meet(application=locked, kind=DeadlineKind.CASE_REVIEW_ACKNOWLEDGE, at=now)
        locked.acknowledged_at, locked.acknowledged_by = now, actor
        locked.acknowledgement_method = delivery_method(locked)[:10]
        changed += ["acknowledged_at", "acknowledged_by", "acknowledgement_method"]
    if proceeds:
        locked.stage = Stage.AWAITING_MEETING
        stage_deadline_open(application=locked, kind=DeadlineKind.CASE_REVIEW_MEETING, starts_at=now)
        method = _tell(locked, key=f"cr-decision:{locked.pk}", subject=f"Your ASB Case Review {locked.reference}: a review will be held",
                       email_template="casereview/emails/decision_proceeds.txt", sms_template="casereview/sms/decision_proceeds.txt",
                       context=message_context(locked))
        what = "threshold met" if threshold_met else "threshold not met, but a review will be held (s.104(5))"
    else:
        locked.stage, locked.closed_at = Stage.NOT_MET, now
        locked.escalation_ask_by = escalation_last_day(locked, since=now)
        changed += ["closed_at", "escalation_ask_by"]
        method = _tell(locked, key=f"cr-decision:{locked.pk}", subject=f"Your ASB Case Review {locked.reference}: our decision",
                       email_template="casereview/emails/decision_not_met.txt", sms_template="casereview/sms/decision_not_met.txt",
                       context=message_context(locked, last_day=locked.escalation_ask_by))
        what = "threshold not met, no review"
    application_touch(locked, *changed)
    event_add(application=locked, actor=actor, at=now, summary=f"Threshold decision: {what}; applicant {_told(method)}")
    return locked


# --- 2. the review meeting -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingRecord:
    held_on: date
    chair_name: str
    independent_chair: bool
    agencies_present: list[PartnerAgency]
    applicant_participation: str
    agency_summary: str
    action_plan: str
    victim_consulted: bool
    others_present: str = ""


@transaction.atomic
def meeting_record(*, application: Application, record: MeetingRecord, actor, version: int | None) -> ReviewMeeting:
    """Record the review meeting (one per application): meets the meeting stage as of the day it was held and opens
    the outcome stage, counted from that day."""
    chair, summary, plan = record.chair_name.strip(), record.agency_summary.strip(), record.action_plan.strip()
    if not chair:
        raise CaseReviewError("Enter the name of the chair")
    if not summary:
        raise CaseReviewError("Summarise what every agency did")
    if not plan:
        raise CaseReviewError("Enter the action plan")
    if record.applicant_participation not in Participation.values:
        raise CaseReviewError("Choose how the applicant took part")
    if any(not agency.is_active for agency in record.agencies_present):
        raise CaseReviewError("Choose agencies that are still partners")
    locked = _locked(application, version)
    if locked.stage != Stage.AWAITING_MEETING or ReviewMeeting.objects.filter(application=locked).exists():
        raise CaseReviewError("The review meeting has already been recorded, or no review is due")
    now = timezone.now()
    today = now.astimezone(sla.LONDON).date()
    if record.held_on > today:
        raise CaseReviewError("The meeting date must be today or in the past")
    if locked.decided_at is not None and record.held_on < locked.decided_at.astimezone(sla.LONDON).date():
        raise CaseReviewError("The meeting date must be on or after the threshold decision")
    meeting = ReviewMeeting.objects.create(
        application=locked, held_on=record.held_on, chair_name=chair[:200], independent_chair=record.independent_chair,
        others_present=record.others_present.strip()[:300], applicant_participation=record.applicant_participation,
        agency_summary=summary, action_plan=plan, victim_consulted=record.victim_consulted, recorded_by=actor,
    )
    meeting.agencies_present.set(record.agencies_present)
    # The stage is met the day the meeting was held (recorded later, it was still held on time or not).
    held_at = min(sla.end_of_day(record.held_on), now)
    stage_deadline_meet(application=locked, kind=DeadlineKind.CASE_REVIEW_MEETING, at=held_at)
    stage_deadline_open(application=locked, kind=DeadlineKind.CASE_REVIEW_OUTCOME, starts_at=held_at)
    locked.stage = Stage.MEETING_HELD
    application_touch(locked, "stage")
    chaired = "an independent chair" if record.independent_chair else "a chair from the partnership"
    event_add(application=locked, actor=actor, at=now,
              summary=f"Review meeting held on {record.held_on:%-d %B %Y} ({chaired}, {chair[:60]})")
    return meeting


# --- 5. the outcome letter -------------------------------------------------------------------------------------

def outcome_letter_draft(application: Application) -> str:
    """The letter as the single point of contact first sees it: the review's findings, the action plan, each
    recommendation with its owner and due date, who they are, and how and by when to ask for the handling to be
    looked at again (counted from today: the day it is sent)."""
    meeting = ReviewMeeting.objects.filter(application=application).first()
    recommendations = list(application.recommendations.select_related("owner_agency").order_by("due_on", "id"))
    context = message_context(application, meeting=meeting, recommendations=recommendations,
                              last_day=escalation_last_day(application, since=timezone.now()))
    return render_to_string("casereview/stages/outcome_letter.txt", context).strip() + "\n"


@transaction.atomic
def outcome_send(*, application: Application, letter: str, actor, version: int | None) -> Application:
    """Send the outcome letter (as the single point of contact edited it) by the applicant's method: the whole letter
    by email; by text a short message that it is on its way; by phone or letter recorded as the contact person's
    task. Meets the outcome stage. Never sent twice (the version, and a unique message key)."""
    letter = (letter or "").strip()
    if not letter:
        raise CaseReviewError("Write the outcome letter")
    locked = _locked(application, version)
    if locked.stage != Stage.MEETING_HELD:
        raise CaseReviewError("The outcome has already been sent, or the review meeting has not been recorded")
    now = timezone.now()
    method = delivery_method(locked)
    locked.escalation_ask_by = escalation_last_day(locked, since=now)
    context = message_context(locked, by_email=bool(locked.email), last_day=locked.escalation_ask_by)
    _tell(locked, key=f"cr-outcome:{locked.pk}", subject=f"The outcome of your ASB Case Review {locked.reference}",
          email_template="", sms_template="casereview/sms/outcome_sent.txt", context=context, email_body=letter + "\n")
    if method == "text" and locked.email:
        # The text says the letter is on its way by email: it is.
        message_queue(channel=MessageChannel.EMAIL, to=locked.email, key=f"cr-outcome:{locked.pk}",
                      subject=f"The outcome of your ASB Case Review {locked.reference}", body=letter + "\n",
                      on_failure=MESSAGE_FAILED_HOOK)
    stage_deadline_meet(application=locked, kind=DeadlineKind.CASE_REVIEW_OUTCOME, at=now)
    locked.outcome_letter, locked.outcome_sent_at, locked.outcome_method = letter, now, method[:10]
    locked.stage, locked.closed_at = Stage.OUTCOME_SENT, now
    application_touch(locked, "outcome_letter", "outcome_sent_at", "outcome_method", "stage", "closed_at", "escalation_ask_by")
    sent = {"email": "emailed", "text": "sent (text message" + (" and email)" if locked.email else "; the letter to post)"),
            "phone": "to be read out by phone", "letter": "to be posted"}.get(method, f"to be sent by {method}")
    event_add(application=locked, actor=actor, at=now, summary=f"Outcome letter {sent}")
    return locked


# --- 6. asking for the handling to be looked at again ------------------------------------------------------------

@dataclass(frozen=True)
class EscalationAsk:
    requested_on: date
    route: str
    reasons: str
    late_reason: str = ""


def escalation_in_time(application: Application, requested_on: date) -> bool:
    return requested_on <= escalation_last_day(application)


@transaction.atomic
def escalation_record(*, application: Application, ask: EscalationAsk, actor, version: int | None) -> EscalationRequest:
    """Record the applicant's request to look again at the handling (one per application). In time if made within the
    period after the outcome (or the decision not to hold a review); a late one is recorded and flagged, and needs a
    reason for accepting it. Opens the escalation stage from the day it was made."""
    reasons, late_reason = ask.reasons.strip(), ask.late_reason.strip()
    if not reasons:
        raise CaseReviewError("Give the applicant's reasons")
    if ask.route not in Route.values:
        raise CaseReviewError("Choose how the request came in")
    locked = _locked(application, version)
    if locked.stage not in ESCALATABLE_STAGES or EscalationRequest.objects.filter(application=locked).exists():
        raise CaseReviewError("A request to look again can follow only the outcome, or a decision not to hold a review, once")
    now = timezone.now()
    since = locked.outcome_sent_at or locked.decided_at
    if ask.requested_on > now.astimezone(sla.LONDON).date():
        raise CaseReviewError("The date of the request must be today or in the past")
    if since is not None and ask.requested_on < since.astimezone(sla.LONDON).date():
        raise CaseReviewError("The date of the request must be on or after the decision it is about")
    in_time = escalation_in_time(locked, ask.requested_on)
    if not in_time and not late_reason:
        raise CaseReviewError(f"The request is late (the last day was {escalation_last_day(locked):%-d %B %Y}): "
                              "give the reason for accepting it")
    requested_at = now if ask.requested_on == now.astimezone(sla.LONDON).date() else \
        datetime.combine(ask.requested_on, time(12, 0), tzinfo=sla.LONDON)
    stored_reasons = reasons if in_time else f"{reasons}\n\nAccepted late: {late_reason}"
    escalation = EscalationRequest.objects.create(
        application=locked, requested_at=requested_at, route=ask.route, reasons=stored_reasons, in_time=in_time,
        recorded_by=actor,
    )
    stage_deadline_open(application=locked, kind=DeadlineKind.CASE_REVIEW_ESCALATION, starts_at=requested_at)
    locked.stage, locked.closed_at = Stage.ESCALATED, None
    application_touch(locked, "stage", "closed_at")
    when = "in time" if in_time else f"late, accepted: {late_reason[:120]}"
    event_add(application=locked, actor=actor, at=now, summary=f"Asked to look again at the handling ({when})")
    return escalation


@transaction.atomic
def escalation_outcome_record(*, application: Application, outcome: str, summary: str, decided_by_name: str, actor,
                              version: int | None) -> EscalationRequest:
    """The outcome of the request to look again (who decided it, what and why): meets the escalation stage, closes the
    application and tells the applicant."""
    summary, decided_by_name = (summary or "").strip(), (decided_by_name or "").strip()
    if outcome not in EscalationOutcome.values:
        raise CaseReviewError("Choose the outcome")
    if not summary:
        raise CaseReviewError("Summarise the outcome and the reasons")
    if not decided_by_name:
        raise CaseReviewError("Say who decided it")
    locked = _locked(application, version)
    escalation = EscalationRequest.objects.select_for_update().filter(application=locked).first()
    if locked.stage != Stage.ESCALATED or escalation is None or escalation.outcome:
        raise CaseReviewError("There is no request to look again waiting for an outcome")
    now = timezone.now()
    escalation.outcome, escalation.outcome_summary = outcome, summary
    escalation.decided_by_name, escalation.decided_at = decided_by_name[:200], now
    escalation.save(update_fields=["outcome", "outcome_summary", "decided_by_name", "decided_at"])
    stage_deadline_meet(application=locked, kind=DeadlineKind.CASE_REVIEW_ESCALATION, at=now)
    locked.stage, locked.closed_at = Stage.CLOSED, now
    application_touch(locked, "stage", "closed_at")
    method = _tell(locked, key=f"cr-escalation-outcome:{locked.pk}",
                   subject=f"Your request to look again at ASB Case Review {locked.reference}",
                   email_template="casereview/emails/escalation_outcome.txt", sms_template="casereview/sms/escalation_outcome.txt",
                   context=message_context(locked, escalation=escalation))
    event_add(application=locked, actor=actor, at=now,
              summary=f"Request to look again decided by {decided_by_name[:80]}: {escalation.get_outcome_display()}; "
                      f"applicant {_told(method)}")
    return escalation
