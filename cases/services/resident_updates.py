"""Updates an officer sends a resident by email or text: the message (with their link), the contact it counts as,
and the entry their case page shows."""

import uuid

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Message, MessageChannel
from notifications.services import message_queue

from ..contact_rules import message_channel_for
from ..models import Case, CaseStatus, ContactMethod, Direction, Party, TimelineEntry, TimelineKind, Visibility
from ..selectors_resident import STATUS_WORDS, case_resident_status
from .common import CaseError, case_lock
from .people import contact_record
from .resident_links import MESSAGE_FAILED_HOOK, link_url, resident_link_issue

UPDATE_MAX_CHARS = 2000
RECEIVED = STATUS_WORDS[CaseStatus.NEW].label


def _key(link, submission_key: uuid.UUID) -> str:
    # By link first: the failure hook and the privacy service find the case (and the person) through it.
    return f"resident-update:{link.pk}:{submission_key}"


def _sent_earlier(case: Case, submission_key: uuid.UUID) -> TimelineEntry | None:
    return TimelineEntry.objects.filter(case=case, kind=TimelineKind.UPDATE, changes__submission_key=str(submission_key)).first()


@transaction.atomic
def resident_update_send(*, case: Case, party: Party, text: str, actor, submission_key: uuid.UUID) -> TimelineEntry:
    """Send a victim, complainant or reporter an update by email or text message, as they prefer.

    The message carries their personal link and, when the status in plain words differs from what we last told
    them, says so. The update is recorded as a successful contact that gave an update (so it meets their stored
    update deadline and opens the next), and as an entry their case page shows (for them only).
    Idempotent on `submission_key`: a double click sends one message and records one contact.
    """
    case = case_lock(case=case)  # two clicks queue here, then the second finds the first's entry
    earlier = _sent_earlier(case, submission_key)
    if earlier is not None:
        return earlier
    text = (text or "").strip()
    if party.case_id != case.pk or not party.is_owed_updates:
        raise CaseError("Choose a victim, complainant or reporter on this case")
    if not text:
        raise CaseError("Write the update")
    if len(text) > UPDATE_MAX_CHARS:
        raise CaseError(f"The update must be {UPDATE_MAX_CHARS} characters or fewer")
    channel = message_channel_for(party)
    if channel is None:
        raise CaseError(f"{party} does not prefer email or text messages: send a letter or record a phone call instead")
    link = resident_link_issue(case=case, party=party, actor=actor)
    status = case_resident_status(case)
    # Before any update, what they were told is that we received it (the acknowledgement, the confirmation page):
    # a first update to a case still "received" has no change of status to announce.
    changed = status.label != (link.status_told or RECEIVED)
    now = timezone.now()
    context = {
        "party": party, "case": case, "text": text, "url": link_url(link), "status": status, "status_changed": changed,
        "officer_first_name": (actor.first_name or "").strip() if actor is not None else "",
        "council_name": settings.COUNCIL_NAME, "council_phone": settings.COUNCIL_PHONE,
    }
    if channel == "email":
        message_queue(channel=MessageChannel.EMAIL, to=party.email, subject=f"An update on your case {case.reference}",
                      body=render_to_string("emails/resident_update.txt", context), key=_key(link, submission_key),
                      on_failure=MESSAGE_FAILED_HOOK)
    else:
        message_queue(channel=MessageChannel.SMS, to=party.phone, subject="",
                      body=render_to_string("sms/resident_update.txt", context).strip(), key=_key(link, submission_key),
                      on_failure=MESSAGE_FAILED_HOOK)
    how = "Email" if channel == "email" else "Text message"
    contact_record(
        case=case, party=party, method=ContactMethod.EMAIL if channel == "email" else ContactMethod.TEXT,
        direction=Direction.OUT, successful=True, summary=f"{how} update sent: {text}", occurred_at=now,
        gave_update=True, actor=actor,
    )
    entry = TimelineEntry.objects.create(
        case=case, actor=actor, kind=TimelineKind.UPDATE, summary=f"{how} update sent to {party}"[:300], body=text,
        changes={"submission_key": str(submission_key), "party": party.pk, "channel": channel,
                 **({"status_told": [link.status_told, status.label]} if changed else {})},
        visibility=Visibility.RESIDENT, for_party=party, occurred_at=now,
    )
    if changed:
        link.status_told = status.label
        link.save(update_fields=["status_told"])
    return entry


def resident_update_message(*, submission_key: uuid.UUID) -> Message | None:
    """The message an update queued (for the confirmation and tests)."""
    return Message.objects.filter(key__startswith="resident-update:", key__endswith=f":{submission_key}").first()
