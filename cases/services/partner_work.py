"""What partner agencies' users do: updates on shared cases, answers to referrals, their agency's users.

The views (`partners/`) have already found the case or referral through the access policy; these
services check again that the actor belongs to the agency concerned, so no other caller can skip it.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from notifications.models import MessageChannel
from notifications.services import message_queue

from ..models import (
    AgencyMember,
    Case,
    PartnerAgency,
    Referral,
    ReferralStatus,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from ..policy import Can, agency_of, can, share_for
from ..roles import GROUP_NAMES, Role
from .common import CaseError, case_lock, timeline_add

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 5000


class UsernameTakenError(CaseError):
    pass


def _partner_entry(*, case: Case, actor, agency: PartnerAgency, kind: str, summary: str, body: str = "", changes=None) -> TimelineEntry:
    # An entry from a partner carries its agency, so the team sees who it came from and the agency (through
    # the policy) sees its own entries. Visible to the team.
    return timeline_add(case=case, actor=actor, agency=agency, kind=kind, summary=summary, body=body, changes=changes,
                        visibility=Visibility.STAFF)


def _actor_agency(actor) -> PartnerAgency:
    agency = agency_of(actor)
    if agency is None:
        raise CaseError("Only a partner agency's users can do this")
    return agency


@transaction.atomic
def partner_note_add(*, case: Case, author, text: str) -> TimelineEntry:
    """An update from a partner on a case shared with their agency, at any scope (a locked-down case too:
    they may need to tell the officer something). Visible to the team, marked as from the agency.
    No deadline changes: an update from a partner is not a contact with a victim."""
    agency = _actor_agency(author)
    if not can(author, Can.ADD_PARTNER_NOTES) or share_for(author, case) is None:
        raise CaseError("This case is not shared with your agency")
    text = text.strip()
    if not text:
        raise CaseError("Enter your update")
    if len(text) > NOTE_MAX_LENGTH:
        raise CaseError(f"Your update must be {NOTE_MAX_LENGTH:,} characters or fewer")
    case = case_lock(case=case, allow_closed=True)
    return _partner_entry(case=case, actor=author, agency=agency, kind=TimelineKind.NOTE, summary=f"Update from {agency.name}", body=text)


def _referral_locked(referral: Referral, actor) -> Referral:
    """The referral's case and row, locked in that order (as referral_update does), after checking the agency."""
    agency = _actor_agency(actor)
    if referral.agency_id != agency.pk or not can(actor, Can.ANSWER_REFERRALS) or share_for(actor, referral.case) is None:
        raise CaseError("This referral was not sent to your agency")
    case_lock(case=referral.case, allow_closed=True)
    return Referral.objects.select_for_update().select_related("agency", "case").get(pk=referral.pk)


@transaction.atomic
def referral_answer(*, referral: Referral, accept: bool, reason: str, actor) -> Referral:
    """Accept a referral sent to the actor's agency, or decline it with a reason.

    Only a referral awaiting an answer can be answered. Sending the same answer twice (a double click,
    a resubmitted form) changes nothing; a different answer to one already given is refused.
    """
    reason = reason.strip()
    if not accept and not reason:
        raise CaseError("Give the reason for declining the referral")
    if len(reason) > NOTE_MAX_LENGTH:
        raise CaseError(f"The reason must be {NOTE_MAX_LENGTH:,} characters or fewer")
    referral = _referral_locked(referral, actor)
    wanted = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    if referral.status != ReferralStatus.SENT:
        if referral.status == wanted:
            return referral
        raise CaseError(f"This referral has already been answered: {ReferralStatus(referral.status).label.lower()}")
    referral.status = wanted
    referral.response = reason
    referral.responded_on = timezone.localdate()
    referral.responded_by = actor
    referral.save(update_fields=["status", "response", "responded_on", "responded_by"])
    verb = "accepted" if accept else "declined"
    _partner_entry(
        case=referral.case, actor=actor, agency=referral.agency, kind=TimelineKind.REFERRAL,
        summary=f"{referral.agency.name} {verb} the referral", body=reason,
        changes={"referral": referral.pk, "status": [ReferralStatus.SENT.label, wanted.label]},
    )
    return referral


@transaction.atomic
def referral_outcome_record(*, referral: Referral, outcome: str, actor) -> Referral:
    """Record what came of an accepted referral, which completes it. A repeat of the same outcome changes nothing."""
    outcome = outcome.strip()
    if not outcome:
        raise CaseError("Enter the outcome of the referral")
    if len(outcome) > NOTE_MAX_LENGTH:
        raise CaseError(f"The outcome must be {NOTE_MAX_LENGTH:,} characters or fewer")
    referral = _referral_locked(referral, actor)
    if referral.status == ReferralStatus.COMPLETED and referral.outcome == outcome:
        return referral
    if referral.status != ReferralStatus.ACCEPTED:
        if referral.status == ReferralStatus.COMPLETED:
            raise CaseError("The outcome of this referral has already been recorded")
        raise CaseError("Accept the referral before recording its outcome")
    referral.status = ReferralStatus.COMPLETED
    referral.outcome = outcome
    referral.save(update_fields=["status", "outcome"])
    _partner_entry(
        case=referral.case, actor=actor, agency=referral.agency, kind=TimelineKind.REFERRAL,
        summary=f"{referral.agency.name} completed the referral", body=outcome,
        changes={"referral": referral.pk, "status": [ReferralStatus.ACCEPTED.label, ReferralStatus.COMPLETED.label]},
    )
    return referral


# --- an agency's users ------------------------------------------------------------------------------
# Who added a user is kept on AgencyMember.added_by; activation and role changes are logged (below) but not
# stored as records: a user's groups and is_active say what holds now, and the sign-in log says who used it.


def _check_manages(actor, agency: PartnerAgency) -> None:
    if can(actor, Can.MANAGE_AGENCIES):
        return
    own = agency_of(actor)
    if not (can(actor, Can.MANAGE_AGENCY_USERS) and own is not None and own.pk == agency.pk):
        raise CaseError("You cannot manage this agency's users")


def _member(agency: PartnerAgency, user) -> AgencyMember:
    member = AgencyMember.objects.select_related("user").filter(agency=agency, user_id=user.pk).first()
    if member is None:
        raise CaseError("That person is not one of this agency's users")
    return member


def password_set_link(user) -> str:
    """The one-off link a new user follows to choose a password (the reset token: it dies once used)."""
    path = reverse("accounts:password_set", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                     "token": default_token_generator.make_token(user)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@transaction.atomic
def agency_user_add(*, agency: PartnerAgency, username: str, first_name: str, last_name: str, email: str, is_lead: bool, actor):
    """A new user of a partner agency, without a password: they are emailed a link to set one (no case data)."""
    _check_manages(actor, agency)
    username = username.strip()
    email = email.strip()
    if not username:
        raise CaseError("Enter a username")
    if not email:
        raise CaseError("Enter their email address")
    User = get_user_model()
    # Refused case-blind: "JSmith" beside "jsmith" would only confuse people signing in.
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTakenError(f"The username {username} is already taken. Choose a different one.")
    user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip(), email=email)
    user.set_unusable_password()
    try:
        with transaction.atomic():  # a savepoint: two leads adding the same username at once
            user.save()
    except IntegrityError:
        raise UsernameTakenError(f"The username {username} is already taken. Choose a different one.") from None
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_LEAD if is_lead else Role.PARTNER_USER]))
    AgencyMember.objects.create(user=user, agency=agency, added_by=actor)
    body = render_to_string("emails/partner_set_password.txt", {
        "user": user, "agency": agency, "link": password_set_link(user), "council_name": settings.COUNCIL_NAME,
    })
    message_queue(channel=MessageChannel.EMAIL, to=email, subject="Set your password for ASB Portal", body=body,
                  key=f"agency-user-welcome:{user.pk}")
    logger.info("Agency user %s added to %s by %s", user.username, agency.name, actor.get_username())
    return user


@transaction.atomic
def agency_user_set_active(*, agency: PartnerAgency, user, active: bool, actor):
    """Deactivate (they can no longer sign in) or reactivate one of the agency's users."""
    _check_manages(actor, agency)
    member = _member(agency, user)
    if member.user.pk == actor.pk and not active:
        raise CaseError("You cannot deactivate your own account. Ask another lead or the council's ASB team.")
    if member.user.is_active != active:
        member.user.is_active = active
        member.user.save(update_fields=["is_active"])
        logger.info("Agency user %s %s by %s", member.user.username, "reactivated" if active else "deactivated", actor.get_username())
    return member.user


@transaction.atomic
def agency_user_set_role(*, agency: PartnerAgency, user, is_lead: bool, actor):
    """Make one of the agency's users a lead (manages users, reads the access log) or an ordinary user."""
    _check_manages(actor, agency)
    member = _member(agency, user)
    if member.user.pk == actor.pk and not is_lead:
        raise CaseError("You cannot stop being a lead yourself. Ask another lead or the council's ASB team.")
    lead, plain = Group.objects.get(name=GROUP_NAMES[Role.PARTNER_LEAD]), Group.objects.get(name=GROUP_NAMES[Role.PARTNER_USER])
    member.user.groups.remove(plain if is_lead else lead)
    member.user.groups.add(lead if is_lead else plain)
    logger.info("Agency user %s made %s by %s", member.user.username, "lead" if is_lead else "user", actor.get_username())
    return member.user
