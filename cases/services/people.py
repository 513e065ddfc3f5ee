"""Contacts with the people on a case, and the people themselves."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import (
    CaseStatus,
    Contact,
    ContactMethod,
    ContactPrompt,
    Direction,
    Party,
    PartyRole,
    Report,
    TimelineKind,
    Visibility,
)
from ..validators import normalise_phone, normalise_postcode
from .common import CaseError, case_lock, case_touch, case_transition_allowed, changes_between, timeline_add
from .deadlines import deadlines_on_contact, deadlines_on_party_added, deadlines_on_party_changed
from .prompts import contact_prompts_answer
from .register import party_link


@transaction.atomic
def contact_record(
    *,
    case,
    party: Party,
    method: str,
    direction: str,
    successful: bool,
    summary: str,
    occurred_at: datetime,
    gave_update: bool,
    actor,
    final_update: bool = False,
    prompt_answers: dict[int, bool] | None = None,
) -> Contact:
    """Record a contact. Works out and stores whether it is the first contact and whether it is an update.

    `prompt_answers` ({ContactPrompt id: yes/no}) answer the person's open prompts ("Case Review explained?") with
    this contact, when it was a successful one; the timeline entry says what was answered.

    First contact: the first contact with a reporter of this case, successful or a documented attempt.
    Update: a successful contact that told a victim or complainant about progress (a successful
    first contact with them counts too). A final update is an update given before closing.
    """
    case = case_lock(case=case)
    if party.case_id != case.pk:
        raise CaseError("Choose someone on this case")
    if occurred_at > timezone.now():
        raise CaseError("The contact cannot be in the future")
    if occurred_at < case.received_at:
        raise CaseError(f"The contact cannot be before the case was received ({case.received_at:%-d %B %Y})")
    if not summary.strip():
        raise CaseError("Summarise the contact")
    is_reporter = Report.objects.filter(case=case, reporter=party).exists()
    is_first = is_reporter and not Contact.objects.filter(party=party, is_first_contact=True).exists()
    is_update = party.is_owed_updates and successful and (gave_update or is_first)
    if final_update and not is_update:
        raise CaseError("A final update must be a successful contact that tells a victim or complainant about the outcome")
    contact = Contact.objects.create(
        case=case,
        party=party,
        method=method,
        direction=direction,
        successful=successful,
        summary=summary,
        occurred_at=occurred_at,
        is_first_contact=is_first,
        is_update=is_update,
        is_final_update=final_update,
        recorded_by=actor,
    )
    deadlines_on_contact(contact=contact)
    answered = []
    if prompt_answers and successful and contact_prompts_answer(contact=contact, answers=prompt_answers, actor=actor):
        answered = [f"{p.question.rstrip('?').strip()}: {'yes' if p.answer else 'no'}"
                    for p in ContactPrompt.objects.filter(contact=contact).order_by("created_at", "id")]
    label = ContactMethod(method).label
    what = f"{label} {'to' if direction == Direction.OUT else 'from'} {party.full_name or party.description[:40]}"
    flags = [f for f, on in [("first contact", is_first), ("final update", final_update), ("update", is_update and not final_update), ("attempt, no contact made", not successful)] if on]
    flags += answered
    timeline_add(
        case=case,
        actor=actor,
        kind=TimelineKind.CONTACT,
        summary=what + (f" ({', '.join(flags)})" if flags else ""),
        body=summary,
        visibility=Visibility.STAFF,
        occurred_at=occurred_at,
        changes={"contact": contact.pk},
    )
    if is_first and case.status == CaseStatus.NEW and case_transition_allowed(case, CaseStatus.OPEN):
        # Making first contact starts the investigation (a move the transition map must allow).
        case.status = CaseStatus.OPEN
        case_touch(case, "status")
        timeline_add(
            case=case, actor=actor, kind=TimelineKind.STATUS, summary="Status changed to open (investigating)",
            changes={"status": [CaseStatus.NEW, CaseStatus.OPEN]}, visibility=Visibility.RESIDENT, occurred_at=occurred_at,
        )
    return contact


PARTY_FIELDS = (
    "role", "full_name", "is_unknown", "description", "email", "phone", "address", "postcode",
    "preferred_contact_method", "best_times", "customer_group", "support_needs", "support_details",
    "consent_to_share", "date_of_birth", "staff_safety_warning", "staff_safety_note",
)


# What decides whether someone is owed updates and can be reached (cases.contact_rules.is_reachable).
DEADLINE_INPUTS = {"role", "is_unknown", "email", "phone", "address"}
# What the register matches people on (cases.services.register): a change links them again.
REGISTER_INPUTS = {"full_name", "is_unknown", "email", "phone", "address", "postcode", "date_of_birth"}


def _clean_party_values(values: dict, *, current: Party | None = None) -> dict:
    """Normalise the new values and check the party as it will be after the change."""
    unknown = set(values) - set(PARTY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown party fields: {', '.join(sorted(unknown))}")
    values = dict(values)
    if "email" in values:
        values["email"] = (values["email"] or "").strip().lower()
    if "postcode" in values and values["postcode"]:
        values["postcode"] = normalise_postcode(values["postcode"])

    def final(name):
        return values[name] if name in values else getattr(current, name, "")

    if final("is_unknown"):
        if not (final("description") or "").strip():
            raise CaseError("Describe the unknown person or group")
    elif not (final("full_name") or "").strip():
        raise CaseError("Enter their name, or describe an unknown person or group")
    return values


@transaction.atomic
def party_add(*, case, actor, expected_version: int | None = None, **values) -> Party:
    case = case_lock(case=case, expected_version=expected_version)
    values = _clean_party_values(values)
    party = Party(case=case, **values)
    party.phone_normalised = normalise_phone(party.phone)
    party.save()
    party_link(party=party, actor=actor, fresh=True)
    role = PartyRole(party.role).label.lower()
    timeline_add(
        case=case, actor=actor, kind=TimelineKind.PARTY, summary=f"Added {party} as {role}",
        changes={"party": party.pk},
    )
    if party.staff_safety_warning:
        timeline_add(case=case, actor=actor, kind=TimelineKind.PARTY, summary=f"Staff safety warning on {party}",
                     body=party.staff_safety_note, visibility=Visibility.INTERNAL)
    deadlines_on_party_added(case=case, party=party)
    case_touch(case)
    return party


@transaction.atomic
def party_update(*, party: Party, actor, expected_version: int | None = None, **values) -> Party:
    """Edit someone on the case; the timeline keeps each old and new value."""
    case = case_lock(case=party.case, expected_version=expected_version)
    party = Party.objects.select_for_update().get(pk=party.pk, case=case)
    values = _clean_party_values(values, current=party)
    before = {k: getattr(party, k) for k in values}
    changes = changes_between(before, values)
    if not changes:
        return party
    for k, v in values.items():
        setattr(party, k, v)
    party.phone_normalised = normalise_phone(party.phone)
    party.save()
    if changes.keys() & DEADLINE_INPUTS:
        # Owed updates or not, reachable or not: open or cancel their update deadline.
        deadlines_on_party_changed(case=case, party=party)
    if changes.keys() & REGISTER_INPUTS:
        party_link(party=party, actor=actor)
    timeline_add(
        case=case, actor=actor, kind=TimelineKind.EDIT, summary=f"Details of {party} changed",
        changes=changes, visibility=Visibility.INTERNAL if "staff_safety_note" in changes else Visibility.STAFF,
    )
    case_touch(case)
    return party
