"""Residents' personal links to their case page: issuing, finding, revoking and rotating them.

A link's token is HMAC-SHA256(SECRET_KEY, nonce), base64url (43 characters, 256 bits): nothing in it comes from
the case reference, and the database keeps only the nonce and the token's SHA-256, so a copy of the database
alone opens nobody's case. Changing SECRET_KEY ends every link (README: "The resident's case page").
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Case, Party, Report, ResidentLink, TimelineKind, Visibility
from .common import CaseError, timeline_add

TOKEN_LENGTH = 43


def _token(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"cases.resident_link:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_token(link: ResidentLink) -> str:
    """The token in the link's address (worked out again each time; never stored)."""
    return _token(link.nonce)


def link_path(link: ResidentLink) -> str:
    return reverse("resident:case", kwargs={"token": link_token(link)})


def link_url(link: ResidentLink) -> str:
    """The whole address, for an email, a text message or a letter."""
    return settings.SITE_URL.rstrip("/") + link_path(link)


def link_for_token(token: str) -> ResidentLink | None:
    """The live link a token opens, or None (unknown, malformed or revoked: the caller answers 404 to all alike)."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    return (ResidentLink.objects.select_related("case", "party", "report")
            .filter(token_digest=_digest(token), revoked_at__isnull=True).first())


def _who(party: Party | None) -> str:
    return str(party) if party is not None else "the anonymous reporter"


def resident_link_issue(*, case: Case, party: Party | None = None, report: Report | None = None, actor=None) -> ResidentLink:
    """The person's live link on the case, made if they have none. Idempotent: two callers at once get one link."""
    if (party is None) == (report is None):
        raise ValueError("A link is for a person on the case or an anonymous reporter's report, not both")
    if party is not None and party.case_id != case.pk or report is not None and report.case_id != case.pk:
        raise ValueError("That person is not on this case")
    if report is not None and not report.is_anonymous:
        raise ValueError("A named reporter's link follows them (their party), not their report")
    owner = {"party": party} if party is not None else {"report": report}
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
