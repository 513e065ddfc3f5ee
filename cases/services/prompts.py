"""Things to tell or ask a person at the next contact (cases.ContactPrompt), put there by apps above cases."""

from datetime import datetime

from django.utils import timezone

from ..models import Contact, ContactPrompt, Party, Report


def contact_prompt_open(*, party: Party, topic: str, guidance: str, question: str, report: Report | None = None,
                        at: datetime | None = None) -> None:
    """Open a prompt for `party` on `topic` unless one is open already: one INSERT … ON CONFLICT DO NOTHING against
    the one-open-prompt-per-person-and-topic constraint (also when two reports race)."""
    ContactPrompt.objects.bulk_create([ContactPrompt(
        case_id=party.case_id, party=party, report=report, topic=topic, guidance=guidance[:300], question=question[:200],
        created_at=at or timezone.now(),
    )], ignore_conflicts=True)


def contact_prompts_answer(*, contact: Contact, answers: dict[int, bool], actor) -> int:
    """Store the answers given when recording `contact` ({prompt id: yes/no}) on that person's open prompts."""
    if not answers:
        return 0
    prompts = ContactPrompt.objects.select_for_update().filter(
        pk__in=list(answers), party=contact.party, answered_at__isnull=True
    )
    answered = 0
    for prompt in prompts:
        prompt.answer = bool(answers[prompt.pk])
        prompt.answered_at = contact.occurred_at
        prompt.contact = contact
        prompt.answered_by = actor
        prompt.save(update_fields=["answer", "answered_at", "contact", "answered_by"])
        answered += 1
    return answered
