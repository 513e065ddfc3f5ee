"""Residents' personal links to their case page: issuing, finding, revoking and rotating them.

A link's token is HMAC-SHA256(SECRET_KEY, nonce), base64url (43 characters, 256 bits): nothing in it comes from
the case reference, and the links table keeps only the nonce and the token's SHA-256 (the whole link is only in what
carried it: an outbox message until retention empties it, a letter's PDF). Changing SECRET_KEY ends every link
(README: "The resident's case page").
"""

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.models import MessageChannel
from notifications.services import message_queue

from ..contact_rules import message_channel_for
from ..models import (
    Case,
    Party,
    PartyRole,
    Report,
    ResidentLink,
    ResidentRequest,
    ResidentRequestKind,
    TimelineKind,
    Visibility,
)
from .common import CaseError, timeline_add

TOKEN_LENGTH = 43


def _token(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"cases.resident_link:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_digest(nonce: str) -> str:
    """What a link made with `nonce` stores to be found again by its token (for bulk loaders: the demo's history)."""
    return _digest(_token(nonce))


def link_token(link: ResidentLink) -> str:
    """The token in the link's address (worked out again each time; never stored)."""
    return _token(link.nonce)


def link_path(link: ResidentLink) -> str:
    return reverse("resident:case", kwargs={"token": link_token(link)})


def link_url(link: ResidentLink) -> str:
    """The whole address, for an email, a text message or a letter."""
    return settings.SITE_URL.rstrip("/") + link_path(link)


# Whose link opens the page: an anonymous reporter's, or a person on the case who is not (or no longer) the alleged
# perpetrator. Someone re-recorded as the perpetrator (a counter-allegation) keeps no window on what the council
# shares with the people complaining about them; recorded as a victim again, the same link works again.
_HOLDER_MAY_OPEN = Q(party__isnull=True) | (Q(party__is_unknown=False) & ~Q(party__role=PartyRole.PERPETRATOR))


def link_for_token(token: str) -> ResidentLink | None:
    """The live link a token opens, or None (unknown, malformed, revoked, or its holder is now the alleged
    perpetrator: the caller answers 404 to all alike)."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    return (ResidentLink.objects.select_related("case", "case__category", "case__officer", "party", "report")
            .filter(_HOLDER_MAY_OPEN, token_digest=_digest(token), revoked_at__isnull=True).first())


def link_for_token_any(token: str) -> ResidentLink | None:
    """The link a token opened, live or not (a double click on "get a new link": the first click ended it)."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    return ResidentLink.objects.filter(token_digest=_digest(token)).first()


def _who(party: Party | None) -> str:
    return str(party) if party is not None else "the anonymous reporter"


def _who_capital(party: Party | None) -> str:
    who = _who(party)
    return who[:1].upper() + who[1:]


def resident_link_issue(*, case: Case, party: Party | None = None, report: Report | None = None, actor=None,
                        fresh: bool = False) -> ResidentLink:
    """The person's live link on the case, made if they have none. Idempotent: two callers at once get one link.

    `fresh`: the caller made this person in its own transaction just now (intake), so nobody else can hold a link
    for them: one INSERT, no look-up (intake's query budget)."""
    if (party is None) == (report is None):
        raise ValueError("A link is for a person on the case or an anonymous reporter's report, not both")
    if party is not None and party.case_id != case.pk or report is not None and report.case_id != case.pk:
        raise ValueError("That person is not on this case")
    if report is not None and not report.is_anonymous:
        raise ValueError("A named reporter's link follows them (their party), not their report")
    owner = {"party": party} if party is not None else {"report": report}
    if fresh:
        nonce = secrets.token_urlsafe(32)
        return ResidentLink.objects.create(case=case, nonce=nonce, token_digest=_digest(_token(nonce)), created_at=timezone.now(),
                                           created_by=actor, **owner)
    live = ResidentLink.objects.filter(revoked_at__isnull=True, **owner).first()
    if live is not None:
        return live
    nonce = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            return ResidentLink.objects.create(
                case=case, nonce=nonce, token_digest=_digest(_token(nonce)), created_at=timezone.now(), created_by=actor,
                **owner,
            )
    except IntegrityError:
        # Someone else made it first (one live link per person): theirs is the link.
        live = ResidentLink.objects.filter(revoked_at__isnull=True, **owner).first()
        if live is None:
            raise
        return live


@transaction.atomic
def resident_link_revoke(*, link: ResidentLink, actor, reason: str) -> ResidentLink:
    """End a link for good (staff: it was shared, lost or is no longer wanted). The page it opened answers 404."""
    link = ResidentLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is not None:
        return link
    if actor is not None and not reason.strip():
        raise CaseError("Say why the link is being revoked")
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.revoke_reason = reason.strip()[:300]
    link.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    timeline_add(
        case=link.case, actor=actor, kind=TimelineKind.RESIDENT,
        summary=f"Case page link for {_who(link.party)} revoked", body=link.revoke_reason,
        changes={"resident_link": link.pk, "revoked": True}, visibility=Visibility.STAFF,
    )
    return link


@transaction.atomic
def resident_link_rotate(*, link: ResidentLink, actor=None, reason: str = "") -> ResidentLink:
    """Revoke a link and issue its holder a new one (carrying what the old one had told them)."""
    old = resident_link_revoke(link=link, actor=actor, reason=reason or "A new link was issued")
    new = resident_link_issue(case=old.case, party=old.party, report=old.report, actor=actor)
    if old.status_told and not new.status_told:
        new.status_told = old.status_told
        new.save(update_fields=["status_told"])
    return new


# --- opened, and a new link on request ------------------------------------------------------------------

OPENED_EVERY = timedelta(minutes=1)


def resident_link_opened(*, link: ResidentLink) -> None:
    """Record that the page was opened: at most once a minute, one UPDATE (no read, no lock)."""
    now = timezone.now()
    if link.last_opened_at is not None and now - link.last_opened_at < OPENED_EVERY:
        return
    ResidentLink.objects.filter(pk=link.pk).filter(
        Q(last_opened_at__isnull=True) | Q(last_opened_at__lt=now - OPENED_EVERY)).update(last_opened_at=now)
    link.last_opened_at = now


MESSAGE_FAILED_HOOK = "cases.tasks.message_failed"


def _link_message_queue(*, link: ResidentLink, channel: str, because: str) -> None:
    """The new link by email or text message, once per link (key resident-link:<id>)."""
    party = link.party
    context = {"party": party, "case": link.case, "url": link_url(link), "because": because,
               "council_name": settings.COUNCIL_NAME, "council_phone": settings.COUNCIL_PHONE}
    if channel == "email":
        message_queue(channel=MessageChannel.EMAIL, to=party.email, subject=f"Your new link to follow case {link.case.reference}",
                      body=render_to_string("emails/resident_new_link.txt", context), key=f"resident-link:{link.pk}",
                      on_failure=MESSAGE_FAILED_HOOK)
    elif channel == "text":
        message_queue(channel=MessageChannel.SMS, to=party.phone, subject="",
                      body=render_to_string("sms/resident_new_link.txt", context).strip(), key=f"resident-link:{link.pk}",
                      on_failure=MESSAGE_FAILED_HOOK)


@dataclass(frozen=True)
class NewLink:
    link: ResidentLink
    sent_by: str | None  # "email" or "text"; None: shown on screen (we hold no way to send it)


def resident_request_write(*, link: ResidentLink, kind: str, details: str, data: dict, submission_key: uuid.UUID) -> ResidentRequest:
    """The row of something a resident asked for (until helper 2's resident_request_record is the one writer)."""
    return ResidentRequest.objects.create(
        case=link.case, party=link.party, report=link.report, link=link, kind=kind, details=details, data=data,
        created_at=timezone.now(), submission_key=submission_key,
    )


def resident_link_renew(*, link: ResidentLink, submission_key: uuid.UUID) -> NewLink:
    """The resident asked for a new link (the old one was shared or seen): the old one stops working, the new one
    goes to them by email or text when they prefer one we can send, else it is shown once on screen.
    Idempotent on `submission_key`: a double click makes one new link and sends one message. A key another link's
    form used is refused (CaseError): its answer is that person's new link."""
    earlier = resident_link_renewed(submission_key, old_link_id=link.pk)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            new = resident_link_rotate(link=link, actor=None, reason="Rotated at the resident's request")
            channel = message_channel_for(new.party) if new.party is not None else None
            resident_request_write(
                link=new, kind=ResidentRequestKind.NEW_LINK,
                details="Asked for a new link to their case page" + (f": sent by {'email' if channel == 'email' else 'text message'}" if channel else ": shown on screen"),
                data={"old_link": link.pk, "new_link": new.pk, "sent_by": channel or ""}, submission_key=submission_key,
            )
            timeline_add(
                case=new.case, actor=None, kind=TimelineKind.RESIDENT,
                summary=f"{_who_capital(new.party)} asked for a new case page link",
                body="The old link no longer works." + (f" The new one was sent by {'email' if channel == 'email' else 'text message'}." if channel else " The new one was shown on screen."),
                changes={"resident_link": new.pk, "replaces": link.pk}, visibility=Visibility.STAFF,
            )
            if channel:
                _link_message_queue(link=new, channel=channel, because="you asked for a new link")
    except IntegrityError:
        earlier = resident_link_renewed(submission_key, old_link_id=link.pk)
        if earlier is None:
            if ResidentRequest.objects.filter(submission_key=submission_key).exists():
                raise CaseError("This form was already used. Ask for a new link again") from None
            raise
        return earlier
    return NewLink(new, channel)


def resident_link_renewed(submission_key: uuid.UUID, *, old_link_id: int | None = None) -> NewLink | None:
    """What the new-link form with this key did (its new link), if it was sent already; with `old_link_id`, only
    when it replaced that link (a second click, answered as the first was)."""
    done = ResidentRequest.objects.filter(submission_key=submission_key, kind=ResidentRequestKind.NEW_LINK).first()
    if done is not None and old_link_id is not None and done.data.get("old_link") != old_link_id:
        return None
    if done is None or not isinstance(done.data, dict) or not done.data.get("new_link"):
        return None  # (an anonymised request keeps no link)
    new = ResidentLink.objects.select_related("case", "party", "report").get(pk=done.data["new_link"])
    return NewLink(new, done.data.get("sent_by") or None)


def resident_link_send(*, case: Case, party: Party, actor, replaces: int | None) -> ResidentLink:
    """Staff issue a person a new link and it is sent to them (email or text; staff never see the token).

    `replaces`: the live link the officer saw on the screen (None: none). A live link is replaced only while it is
    still that one, so a double click (or two officers at once) makes one new link and one message."""
    if party.case_id != case.pk or not party.is_owed_updates:
        raise CaseError("Choose a victim, complainant or reporter on this case")
    channel = message_channel_for(party)
    if channel is None:
        raise CaseError(f"{party} does not prefer email or text messages, so a link cannot be sent to them. "
                        "Record a phone contact or send a letter instead")
    with transaction.atomic():
        live = ResidentLink.objects.select_for_update().filter(party=party, revoked_at__isnull=True).first()
        if live is not None and live.pk != replaces:
            return live  # already replaced by the first click: that link was sent
        if live is not None:
            new = resident_link_rotate(link=live, actor=actor, reason="A new link was sent by staff")
        else:
            new = resident_link_issue(case=case, party=party, actor=actor)
        _link_message_queue(link=new, channel=channel, because="the team sent you a new link")
        timeline_add(
            case=case, actor=actor, kind=TimelineKind.RESIDENT,
            summary=f"New case page link sent to {party} by {'email' if channel == 'email' else 'text message'}",
            changes={"resident_link": new.pk, "replaces": live.pk if live else None}, visibility=Visibility.STAFF,
        )
    return new
