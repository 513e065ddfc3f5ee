"""Keeping the stored deadlines true: opened, met, recomputed and cancelled by the services that change
their inputs (reports, contacts, risk, closure days, people, closing and reopening)."""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import sla
from ..models import Case, ClosureDay, Contact, Deadline, DeadlineKind, Party, Report


def _reachable(party: Party) -> bool:
    return party.is_owed_updates and bool(party.phone or party.email or party.address)


def first_contact_deadline_open(*, report: Report) -> Deadline | None:
    """A named reporter is owed first contact by the end of the 3rd working day (none for anonymous reports)."""
    party = report.reporter
    if party is None or Contact.objects.filter(party=party, is_first_contact=True).exists():
        return None
    if Deadline.objects.open().filter(kind=DeadlineKind.FIRST_CONTACT, party=party).exists():
        return None
    return Deadline.objects.create(
        kind=DeadlineKind.FIRST_CONTACT, case=report.case, party=party, starts_at=report.received_at,
        due_at=sla.first_contact_due(report.received_at),
    )


def _meet(deadline: Deadline, at: datetime) -> None:
    deadline.met_at = at
    deadline.breached = deadline.breached or at > deadline.due_at
    deadline.save(update_fields=["met_at", "breached"])


def update_deadline_open(*, case: Case, party: Party, since: datetime) -> Deadline | None:
    if not (_reachable(party) and case.is_open):
        return None
    if Deadline.objects.open().filter(kind=DeadlineKind.VICTIM_UPDATE, party=party).exists():
        return None
    return Deadline.objects.create(
        kind=DeadlineKind.VICTIM_UPDATE, case=case, party=party, starts_at=since, due_at=sla.update_due(since, case.risk_level)
    )


def deadlines_on_contact(*, contact: Contact) -> None:
    """First contact meets its deadline and starts the update clock for everyone owed updates;
    an update meets that person's update deadline and opens the next."""
    case, party, at = contact.case, contact.party, contact.occurred_at
    if contact.is_first_contact:
        for deadline in Deadline.objects.open().filter(kind=DeadlineKind.FIRST_CONTACT, party=party):
            _meet(deadline, at)
        for other in case.parties.all():
            update_deadline_open(case=case, party=other, since=at)
    elif contact.is_update:
        # (A first contact is the first update: it starts the update clock rather than meeting it.)
        for deadline in Deadline.objects.open().filter(kind=DeadlineKind.VICTIM_UPDATE, party=party):
            if deadline.starts_at <= at:
                _meet(deadline, at)
        update_deadline_open(case=case, party=party, since=at)


def deadlines_on_party_added(*, case: Case, party: Party) -> None:
    """Someone owed updates joins a case that has had first contact: their update clock starts now."""
    if Contact.objects.filter(case=case, is_first_contact=True).exists():
        update_deadline_open(case=case, party=party, since=timezone.now())


def deadlines_recompute_for_risk(*, case: Case) -> int:
    """A change of risk level moves every open update deadline at once (7 days for high, 14 otherwise)."""
    changed = 0
    for deadline in Deadline.objects.open().filter(case=case, kind=DeadlineKind.VICTIM_UPDATE):
        due = sla.update_due(deadline.starts_at, case.risk_level)
        if due != deadline.due_at:
            deadline.due_at = due
            deadline.save(update_fields=["due_at"])
            changed += 1
    return changed


def deadlines_recompute_first_contact(*, since: datetime | None = None) -> int:
    """After a closure day changes: every open first-contact deadline from its report's receipt."""
    changed = 0
    deadlines = Deadline.objects.open().filter(kind=DeadlineKind.FIRST_CONTACT)
    if since is not None:
        deadlines = deadlines.filter(due_at__gte=since)
    for deadline in deadlines:
        due = sla.first_contact_due(deadline.starts_at)
        if due != deadline.due_at:
            deadline.due_at = due
            deadline.save(update_fields=["due_at"])
            changed += 1
    return changed


def deadlines_cancel(*, case: Case) -> int:
    return Deadline.objects.open().filter(case=case).update(cancelled_at=timezone.now())


def deadlines_restart(*, case: Case) -> None:
    """A reopened case owes updates again, from now; a reporter never contacted is owed first contact again."""
    now = timezone.now()
    for report in case.reports.select_related("reporter", "case"):
        first_contact_deadline_open(report=report)
    for party in case.parties.annotate(contacted=Exists(Contact.objects.filter(party=OuterRef("pk"), is_first_contact=True))):
        if party.contacted or not Report.objects.filter(case=case, reporter=party).exists():
            update_deadline_open(case=case, party=party, since=now)


def closure_day_add(*, day, reason: str, actor) -> ClosureDay:
    """A day the council is closed: no longer a working day; open first-contact deadlines move at once."""
    closure, _ = ClosureDay.objects.update_or_create(day=day, defaults={"reason": reason})
    deadlines_recompute_first_contact()
    return closure


def closure_day_remove(*, day, actor) -> None:
    ClosureDay.objects.filter(day=day).delete()
    deadlines_recompute_first_contact()
