"""Asking for feedback and recording it. Tokens are signed, expire, and work once."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cases.contact_rules import how_to_reach
from cases.models import UPDATE_ROLES, Case, CaseStatus, ClosureReason, Party, Report
from notifications.models import MessageChannel
from notifications.services import message_queue

from .models import CommentAction, Invitation, OptOut, Purpose, Response, SurveyChannel

SALT = "surveys.invitation"
REMINDER_AFTER = timedelta(days=7)
QUESTIONS = ("overall", "treated_fairly", "listened_to", "kept_updated", "first_contact_speed", "staff_polite")


class SurveyError(Exception):
    """The message is for the person."""


class SurveyLinkError(SurveyError):
    """`reason` lets the page say one thing: "answered" thanks them; the others say nothing was recorded."""

    def __init__(self, message: str, *, reason: str = "invalid"):
        super().__init__(message)
        self.reason = reason


ANSWERED = "You have already answered this survey. Thank you."


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/survey/{invitation_token(invitation)}/"


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link is for, or SurveyLinkError: forged, expired, or already answered."""
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=settings.SURVEY_LINK_DAYS))
    except signing.SignatureExpired:
        raise SurveyLinkError("This survey link has expired.", reason="expired")
    except signing.BadSignature:
        raise SurveyLinkError("This survey link is not valid. Check you copied the whole link.")
    invitation = Invitation.objects.select_related("case", "party").filter(pk=data.get("i")).first()
    if invitation is None:
        raise SurveyLinkError("This survey link is not valid. Check you copied the whole link.")
    if invitation.responded_at is not None:
        raise SurveyLinkError(ANSWERED, reason="answered")
    if hasattr(invitation.party, "survey_opt_out"):
        raise SurveyLinkError("You asked us not to send you surveys, so this link no longer works.", reason="opted_out")
    return invitation


# A survey goes by email or text; a phone call or letter means staff take it (channel "phone").
_SURVEY_CHANNELS = {
    "email": SurveyChannel.EMAIL, "text": SurveyChannel.SMS, "phone": SurveyChannel.PHONE, "letter": SurveyChannel.PHONE,
}


def survey_channel_for(party: Party) -> str | None:
    # By their preference when we can use it; if not, what we have (cases.contact_rules.how_to_reach).
    reach = how_to_reach(party)
    return _SURVEY_CHANNELS[reach.method] if reach else None


def eligible_people(case: Case) -> list[Party]:
    """Victims, complainants and named reporters with contact details who have not opted out."""
    reporters = set(Report.objects.filter(case=case, reporter__isnull=False).values_list("reporter_id", flat=True))
    return [
        p
        for p in case.parties.select_related("survey_opt_out").order_by("id")
        if (p.role in UPDATE_ROLES or p.pk in reporters)
        and not p.is_unknown
        and not hasattr(p, "survey_opt_out")
        and survey_channel_for(p) is not None
    ]


def survey_invite(*, case: Case, party: Party, purpose: str, actor=None) -> Invitation | None:
    """Ask one person, by their preferred method. At closure each person is asked once (unique constraint)."""
    channel = survey_channel_for(party)
    if channel is None or hasattr(party, "survey_opt_out"):
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                case=case, party=party, purpose=purpose, channel=channel, sent_at=now,
                expires_at=now + timedelta(days=settings.SURVEY_LINK_DAYS), created_by=actor,
            )
    except IntegrityError:
        return None  # already invited at closure
    if channel != SurveyChannel.PHONE:
        _send(invitation, reminder=False)
    return invitation


def _send(invitation: Invitation, *, reminder: bool) -> None:
    context = {"invitation": invitation, "url": invitation_url(invitation), "council_name": settings.COUNCIL_NAME, "reminder": reminder}
    party = invitation.party
    key = f"survey-{'reminder' if reminder else 'invite'}:{invitation.pk}"
    if invitation.channel == SurveyChannel.EMAIL:
        message_queue(
            channel=MessageChannel.EMAIL, to=party.email, key=key,
            subject=f"{'Reminder: ' if reminder else ''}How did we do? Your anti-social behaviour report {invitation.case.reference}",
            body=render_to_string("emails/survey_invitation.txt", context),
        )
    elif invitation.channel == SurveyChannel.SMS:
        message_queue(channel=MessageChannel.SMS, to=party.phone, key=key, subject="",
                      body=render_to_string("sms/survey_invitation.txt", context).strip())


@dataclass
class SurveySweepResult:
    invited: int = 0
    reminded: int = 0

    def __str__(self):
        return f"{self.invited} survey invitations, {self.reminded} reminders"


def surveys_sweep(*, now=None) -> SurveySweepResult:
    """Invite everyone eligible on closed cases (once), and remind once after 7 days without an answer."""
    now = now or timezone.now()
    result = SurveySweepResult()
    closed = Case.objects.filter(status=CaseStatus.CLOSED).exclude(closure_reason=ClosureReason.MERGED)
    pending = closed.exclude(survey_invitations__purpose=Purpose.CLOSURE).filter(closed_at__gte=now - timedelta(days=settings.SURVEY_LINK_DAYS))
    for case in pending.order_by("closed_at")[:500]:
        for party in eligible_people(case):
            if survey_invite(case=case, party=party, purpose=Purpose.CLOSURE):
                result.invited += 1
    with transaction.atomic():
        due = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(responded_at__isnull=True, reminded_at__isnull=True, sent_at__lte=now - REMINDER_AFTER, expires_at__gt=now)
            .exclude(channel=SurveyChannel.PHONE)
            .exclude(party__survey_opt_out__isnull=False)
            .select_related("case", "party")
        )
        for invitation in due:
            invitation.reminded_at = now
            invitation.save(update_fields=["reminded_at"])
            _send(invitation, reminder=True)
            result.reminded += 1
    return result


def _answers(answers: dict) -> dict:
    values = {}
    for name in QUESTIONS:
        value = int(answers[name])
        if not 1 <= value <= 5:
            raise SurveyError("Choose an answer for every question")
        values[name] = value
    return values


@transaction.atomic
def survey_submit(*, token: str | None = None, invitation: Invitation | None = None, answers: dict, comments: str = "",
                  may_contact: bool = False, entered_by=None) -> Response:
    """Record answers once. From a link (token) or entered by staff after a phone call (invitation)."""
    if token is not None:
        invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("case", "case__category", "case__officer").get(pk=invitation.pk)
    if invitation.responded_at is not None:
        raise SurveyLinkError(ANSWERED, reason="answered")
    now = timezone.now()
    first_report = invitation.case.reports.order_by("received_at").first()
    response = Response.objects.create(
        invitation=invitation, comments=comments.strip(), may_contact=may_contact, taken_by_phone=entered_by is not None,
        entered_by=entered_by, officer=invitation.case.officer, category_name=invitation.case.category.name,
        report_channel=first_report.channel if first_report else "", submitted_at=now, **_answers(answers),
    )
    invitation.responded_at = now
    invitation.save(update_fields=["responded_at"])
    return response


def survey_opt_out(*, token: str) -> Party:
    """'Do not send me surveys': recorded for the person; works even if the survey was answered."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise SurveyLinkError("This link is not valid. Check you copied the whole link.")
    invitation = Invitation.objects.select_related("party").filter(pk=data.get("i")).first()
    if invitation is None:
        raise SurveyLinkError("This link is not valid. Check you copied the whole link.")
    OptOut.objects.get_or_create(party=invitation.party)
    return invitation.party


def phone_survey_start(*, case: Case, party: Party, actor) -> Invitation:
    """Staff take a survey on the phone: an invitation of channel phone, answered at once by survey_submit."""
    if party.case_id != case.pk:
        raise SurveyError("Choose someone on this case")
    now = timezone.now()
    return Invitation.objects.create(case=case, party=party, purpose=Purpose.PHONE, channel=SurveyChannel.PHONE,
                                     sent_at=now, expires_at=now + timedelta(days=1), created_by=actor)


def comment_action_record(*, response: Response, text: str, actor) -> CommentAction:
    if not text.strip():
        raise SurveyError("Say what was done about the comment")
    return CommentAction.objects.create(response=response, text=text.strip(), recorded_by=actor)
