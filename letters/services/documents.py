"""Making, sending and withdrawing the letters and notices on a case. A document is kept exactly as made (the
database refuses changes: migration 0002); recording it as sent or served is written once."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cases.models import ActionType, ContactMethod, Direction, Party, PartyRole, TimelineKind, Visibility
from cases.services import action_record, contact_record
from cases.services.common import CaseError, case_lock, timeline_add
from cases.services.resident_links import link_url, resident_link_issue

from ..fields import entered_fields, missing_required, values_for
from ..models import DeliveryMethod, Document, DocumentKind, DocumentTemplate
from ..render import document_pdf
from ..rules import (
    ACTION_SLUGS,
    LONDON,
    RESIDENT_LETTER_KINDS,
    RESIDENT_ROLES,
    closure_hearing_refusal,
    comply_by_refusal,
    cpn_refusal,
    parse_day,
    recipient_refusal,
)
from ..selectors import case_review_application


class DocumentError(CaseError):
    """A letter or notice that cannot be made, sent or withdrawn as asked. The message is shown as it is."""


# Short names the timeline uses ("CPW served by hand on Kyle Hart").
SHORT_NAMES = {DocumentKind.CPW: "CPW", DocumentKind.CPN: "CPN", DocumentKind.ABC: "Acceptable Behaviour Contract"}
# Notices and contracts are served; letters are sent.
SERVED_KINDS = (DocumentKind.CPW, DocumentKind.CPN, DocumentKind.ABC, DocumentKind.CLOSURE_NOTICE)
# How a document went, as the contact the SLA engine reads (an update letter by post meets the update deadline).
CONTACT_METHODS = {DeliveryMethod.POST: ContactMethod.LETTER, DeliveryMethod.HAND: ContactMethod.IN_PERSON,
                   DeliveryMethod.EMAIL: ContactMethod.EMAIL}


def short_name(kind: str) -> str:
    return SHORT_NAMES.get(kind, DocumentKind(kind).label)


def document_number(case, kind: str, n: int) -> str:
    return f"{case.reference}/{kind.upper().replace('_', '-')}/{n}"


def _case_review_extra(case) -> tuple[dict, object]:
    application = case_review_application(case)
    if application is None:
        raise DocumentError("There is no Case Review application linked to this case, so there is no outcome to write")
    meeting = getattr(application, "meeting", None)  # RelatedObjectDoesNotExist is an AttributeError
    if meeting is None:
        # The letter tells the applicant what the review found: there is nothing to tell before it is held (a
        # threshold not met is told by the Case Review's own decision letter, not this one).
        raise DocumentError(f"The review meeting for Case Review {application.reference} has not been recorded: the "
                            "outcome letter can be made once the review has been held")
    recommendations = [r.text for r in application.recommendations.order_by("due_on", "id")]
    # The outcome is what the review found and its action plan (as the Case Review's own outcome letter says), not
    # the reasons for the threshold decision.
    outcome = "\n\n".join(part.strip() for part in (meeting.agency_summary, meeting.action_plan) if part and part.strip())
    extra = {
        "applicant_name": application.applicant_name,
        "application_reference": application.reference,
        "outcome": outcome,
        "recommendations": "\n".join(f"- {text}" for text in recommendations) or "No recommendations were made.",
    }
    return extra, application


def _address(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _clean_entered(kind: str, entered: dict) -> dict:
    """Only the fields the officer fills in for this kind; text trimmed."""
    names = {spec.name for spec in entered_fields(kind)}
    cleaned = {}
    for name in names:
        value = entered.get(name)
        cleaned[name] = value.strip() if isinstance(value, str) else value
    return cleaned


@transaction.atomic
def document_generate(
    *,
    case,
    kind: str,
    recipient: Party | None,
    entered: dict,
    delivery: str,
    actor,
    submission_key: uuid.UUID,
) -> Document:
    """Make a letter or notice from the kind's active template and the case, store its PDF, and say so on the
    timeline. Idempotent on `submission_key`: a second click returns the document the first one made."""
    if kind not in DocumentKind.values:
        raise DocumentError("Choose a kind of letter or notice")
    if delivery not in DeliveryMethod.values:
        raise DocumentError("Choose how it will be sent")
    case = case_lock(case=case, allow_closed=kind == DocumentKind.CASE_REVIEW_OUTCOME)
    existing = Document.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        if existing.case_id != case.pk:
            raise DocumentError("This form was already used for another case: start again")
        return existing
    template = DocumentTemplate.objects.filter(kind=kind, is_active=True).first()
    if template is None:
        raise DocumentError(f"There is no template for the {DocumentKind(kind).label.lower()}: ask a manager to set one up")
    now = timezone.now()
    if recipient is not None:
        recipient = Party.objects.filter(pk=recipient.pk, case=case).first()
        if recipient is None:
            raise DocumentError("Choose someone on this case")
    refusal = recipient_refusal(kind=kind, recipient=recipient, case=case, on=now)
    if refusal:
        raise DocumentError(refusal)
    entered = _clean_entered(kind, entered or {})

    extra: dict = {}
    application = None
    if kind == DocumentKind.CASE_REVIEW_OUTCOME:
        extra, application = _case_review_extra(case)
    refusal = comply_by_refusal(kind, entered.get("comply_by"), now, review=entered.get("review_date"))
    if refusal:
        raise DocumentError(refusal)
    if kind in RESIDENT_LETTER_KINDS and recipient is not None and recipient.role in RESIDENT_ROLES:
        link = resident_link_issue(case=case, party=recipient, actor=actor)
        extra["case_page_link"] = link_url(link)

    values = values_for(case=case, kind=kind, recipient=recipient, entered=entered, at=now, extra=extra or None)
    missing = missing_required(kind, values)
    if missing:
        raise DocumentError("The law requires these to be filled in before it can be made: " + ", ".join(missing))
    if kind == DocumentKind.CPN:
        refusal = cpn_refusal(case, recipient, now)
        if refusal:
            raise DocumentError(refusal)
    if kind == DocumentKind.CLOSURE_NOTICE:
        refusal = closure_hearing_refusal(entered.get("hearing_at"), now)
        if refusal:
            raise DocumentError(refusal)
    if delivery == DeliveryMethod.EMAIL and recipient is not None and not recipient.email:
        raise DocumentError(f"{recipient} has no email address on the case: choose post or by hand")

    if recipient is not None:
        recipient_name, recipient_address = recipient.full_name, _address(recipient.address, recipient.postcode)
    elif application is not None:
        recipient_name, recipient_address = application.applicant_name, _address(application.address, application.postcode)
    else:  # a closure notice on the premises
        recipient_name = "The occupier"
        recipient_address = values.get("premises") or _address(case.address, case.postcode)
    if delivery == DeliveryMethod.POST and not recipient_address.strip():
        raise DocumentError(f"There is no address for {recipient_name or 'the recipient'}: choose another way to send it")

    n = Document.objects.filter(case=case, kind=kind).count() + 1
    number = document_number(case, kind, n)
    pdf_bytes = document_pdf(heading=template.heading, wording=template.wording, values=values, number=number)
    document = Document(
        case=case, number=number, kind=kind, template=template, template_version=template.version,
        heading=template.heading, wording=template.wording, recipient=recipient, recipient_name=recipient_name[:200],
        recipient_address=recipient_address, values=values, delivery=delivery, sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        created_by=actor, created_at=now, submission_key=submission_key,
    )
    # Stored as made: the download serves these bytes, never a fresh rendering. If anything below fails, the
    # transaction rolls back and the file goes with it (no PDF left on disk for a document that does not exist).
    document.pdf.save(f"{number.replace('/', '-')}.pdf", ContentFile(pdf_bytes), save=False)
    try:
        with transaction.atomic():
            document.save(force_insert=True)
            timeline_add(
                case=case, actor=actor, kind=TimelineKind.DOCUMENT, visibility=Visibility.STAFF, occurred_at=now,
                summary=f"{DocumentKind(kind).label} made for {recipient_name}",
                changes={"document": str(document.pk), "number": number},
            )
    except BaseException:
        document.pdf.storage.delete(document.pdf.name)
        raise
    return document


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("case", "recipient").get(pk=document.pk)


def _action_details(document: Document) -> str:
    values = document.values or {}
    parts = [f"{short_name(document.kind)} {document.number}."]
    for key in ("conduct", "requirements", "behaviours", "comply_by", "premises", "hearing_at", "review_date"):
        if values.get(key):
            parts.append(f"{key.replace('_', ' ').capitalize()}: {values[key]}")
    return "\n".join(parts)


@transaction.atomic
def document_record_sent(*, document: Document, method: str, sent_at: datetime, actor) -> Document:
    """Record once that a document was sent or served, how and when. Serving a notice or contract records the
    action against the perpetrator; a first-contact or update letter to a resident is a contact that meets their
    deadline."""
    if method not in DeliveryMethod.values:
        raise DocumentError("Choose how it was sent")
    case_lock(case=document.case, allow_closed=document.kind == DocumentKind.CASE_REVIEW_OUTCOME)
    document = _locked(document)
    verb = "served" if document.kind in SERVED_KINDS else "sent"
    if document.withdrawn_at is not None:
        raise DocumentError(f"{document.number} was withdrawn, so it cannot be recorded as {verb}")
    if document.sent_at is not None:
        raise DocumentError(f"{document.number} was already recorded as {verb} on "
                            f"{document.sent_at.astimezone(LONDON):%-d %B %Y at %H:%M}")
    now = timezone.now()
    if sent_at > now:
        raise DocumentError(f"The date it was {verb} must be now or in the past")
    if document.created_at.replace(second=0, microsecond=0) <= sent_at < document.created_at:
        # The form gives a time to the minute: "10:00" for a document made at 10:00:05 means as soon as it was made.
        sent_at = document.created_at
    if sent_at < document.created_at:
        raise DocumentError(f"The date it was {verb} cannot be before it was made "
                            f"({document.created_at.astimezone(LONDON):%-d %B %Y at %H:%M})")
    if document.kind == DocumentKind.CLOSURE_NOTICE:
        refusal = closure_hearing_refusal((document.values or {}).get("hearing_at"), sent_at, served=True)
        if refusal:
            raise DocumentError(refusal)
    values = document.values or {}
    comply_by = parse_day(values.get("comply_by"))
    if document.kind == DocumentKind.CPW and comply_by is not None and comply_by <= sent_at.astimezone(LONDON).date():
        raise DocumentError(f"{document.number} gave until {comply_by:%-d %B %Y} to comply, so serving it now gives no "
                            "time to comply: withdraw it and make a new warning with a later date")
    document.sent_at = sent_at
    document.sent_method = method
    document.sent_by = actor
    recipient = document.recipient
    slug = ACTION_SLUGS.get(document.kind)
    if slug is not None:
        action_type = ActionType.objects.filter(slug=slug).first()
        if action_type is not None:
            perpetrator = recipient if recipient is not None and recipient.role == PartyRole.PERPETRATOR else None
            # The date to look again: an ABC's review date; a notice's date to comply by.
            review_on = parse_day(values.get("review_date") or values.get("comply_by"))
            served_on = sent_at.astimezone(LONDON).date()
            document.action = action_record(
                case=document.case, action_type=action_type, actor=actor, perpetrator=perpetrator,
                served_on=served_on, review_on=review_on if review_on and review_on >= served_on else None,
                details=_action_details(document),
            )
    document.save(update_fields=["sent_at", "sent_method", "sent_by", "action"])
    method_words = DeliveryMethod(method).label.lower()
    preposition = "on" if verb == "served" else "to"
    timeline_add(
        case=document.case, actor=actor, kind=TimelineKind.DOCUMENT, visibility=Visibility.STAFF, occurred_at=sent_at,
        summary=f"{short_name(document.kind)} {verb} {method_words} {preposition} {document.recipient_name}",
        changes={"document": str(document.pk), "number": document.number, "sent_method": method},
    )
    if (document.kind in RESIDENT_LETTER_KINDS and recipient is not None and recipient.role in RESIDENT_ROLES
            and not recipient.is_unknown):
        contact_record(
            case=document.case, party=recipient, method=CONTACT_METHODS[method], direction=Direction.OUT,
            successful=True, gave_update=True, occurred_at=sent_at, actor=actor,
            summary=f"{DocumentKind(document.kind).label} {document.number} {verb} {method_words}",
        )
        # Their case page shows what the letter told them (for them only), as it shows an update sent by email.
        told = (values.get("update_text") or values.get("message") or "").strip()
        if told:
            timeline_add(
                case=document.case, actor=actor, kind=TimelineKind.UPDATE, visibility=Visibility.RESIDENT,
                occurred_at=sent_at, for_party=recipient, body=told,
                summary=f"Letter update {verb} to {document.recipient_name}",
                changes={"document": str(document.pk), "party": recipient.pk},
            )
    return document


@transaction.atomic
def document_withdraw(*, document: Document, actor, reason: str) -> Document:
    """Withdraw a document made by mistake, before it is sent. It is kept, never sent, and never counts."""
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError("Say why it is being withdrawn")
    case_lock(case=document.case, allow_closed=True)
    document = _locked(document)
    if document.sent_at is not None:
        raise DocumentError(f"{document.number} has been recorded as sent, so it cannot be withdrawn")
    if document.withdrawn_at is not None:
        return document
    document.withdrawn_at = timezone.now()
    document.withdrawn_reason = reason[:300]
    document.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    timeline_add(
        case=document.case, actor=actor, kind=TimelineKind.DOCUMENT, visibility=Visibility.STAFF,
        summary=f"{short_name(document.kind)} {document.number} withdrawn", body=document.withdrawn_reason,
        changes={"document": str(document.pk), "withdrawn": True},
    )
    return document
