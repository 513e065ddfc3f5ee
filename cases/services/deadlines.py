"""Keeping the stored deadlines true: opened, met, recomputed and cancelled by the services that change
their inputs (reports, contacts, risk, closure days, people, closing and reopening)."""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, When
from django.utils import timezone

from .. import sla
from ..contact_rules import is_reachable
from ..models import Case, ClosureDay, ClosureDayChange, Contact, Deadline, DeadlineKind, Party, Report


def first_contact_deadline_open(*, report: Report, since: datetime | None = None) -> Deadline | None:
    """A named reporter is owed first contact by the end of the 3rd working day (none for anonymous reports).

    `since` (reopening): if the deadline from the report's receipt has already passed, that one was missed
    (and still counts as missed); the reporter is owed first contact again, counted from `since`.
    """
    party = report.reporter
    if party is None or Contact.objects.filter(party=party, is_first_contact=True).exists():
        return None
    if Deadline.objects.open().filter(kind=DeadlineKind.FIRST_CONTACT, party=party).exists():
        return None
    starts_at = report.received_at
    due_at = sla.first_contact_due(starts_at)
    if since is not None and due_at < since:
        starts_at, due_at = since, sla.first_contact_due(since)
    return Deadline.objects.create(
        kind=DeadlineKind.FIRST_CONTACT, case=report.case, party=party, starts_at=starts_at, due_at=due_at,
    )


def _meet(deadline: Deadline, at: datetime) -> None:
    deadline.met_at = at
    deadline.breached = deadline.breached or at > deadline.due_at
    deadline.save(update_fields=["met_at", "breached"])


def update_deadline_open(*, case: Case, party: Party, since: datetime) -> Deadline | None:
    if not (is_reachable(party) and case.is_open):
        return None
    if Deadline.objects.open().filter(kind=DeadlineKind.VICTIM_UPDATE, party=party).exists():
        return None
    return Deadline.objects.create(
        kind=DeadlineKind.VICTIM_UPDATE, case=case, party=party, starts_at=since, due_at=sla.update_due(since, case.risk_level),
        interval_days=sla.update_interval_days(case.risk_level),
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


def deadlines_on_party_changed(*, case: Case, party: Party) -> None:
    """Someone's role or contact details changed. Now owed updates and reachable (a witness who is a victim after
    all, a victim who gave a phone number): their update clock starts now, if the case has had first contact.
    No longer (a victim who is only a witness): their open update deadline is cancelled."""
    if is_reachable(party):
        deadlines_on_party_added(case=case, party=party)
    else:
        deadlines_cancel(case=case, party=party, kind=DeadlineKind.VICTIM_UPDATE)


def deadlines_recompute_for_risk(*, case: Case) -> int:
    """A change of risk level moves every open update deadline at once (7 days for high, 14 otherwise)."""
    interval = sla.update_interval_days(case.risk_level)
    changed = []
    for deadline in Deadline.objects.open().filter(case=case, kind=DeadlineKind.VICTIM_UPDATE):
        due = sla.update_due(deadline.starts_at, case.risk_level)
        if (due, interval) != (deadline.due_at, deadline.interval_days):
            deadline.due_at, deadline.interval_days = due, interval
            changed.append(deadline)
    Deadline.objects.bulk_update(changed, ["due_at", "interval_days"])
    return len(changed)


# --- Obligations of apps above cases (Case Review stages, recommendations) -----------------------------------

def obligation_open(
    *, kind: str, subject: str, title: str, path: str, starts_at: datetime, working_days: int | None = None,
    due_at: datetime | None = None, owner=None, agency=None,
) -> Deadline:
    """Open a deadline on `subject` ("casereview.application:12"), due `working_days` working days after
    `starts_at` (end of that London day) or at `due_at`. Idempotent: while one of this kind is open on the
    subject it is returned unchanged (a double click, a retry), also when two transactions race (the unique
    constraint decides; the loser reads the winner's row)."""
    if not subject:
        raise ValueError("an obligation needs a subject")
    if (working_days is None) == (due_at is None):
        raise ValueError("give working_days or due_at")
    existing = Deadline.objects.open().filter(kind=kind, subject=subject).first()
    if existing is not None:
        return existing
    if working_days is not None:
        due_at = sla.working_days_due(starts_at, working_days)
    try:
        with transaction.atomic():
            return Deadline.objects.create(
                kind=kind, subject=subject, title=title[:200], path=path[:200], starts_at=starts_at, due_at=due_at,
                working_days=working_days, owner=owner, agency=agency,
            )
    except IntegrityError:
        existing = Deadline.objects.open().filter(kind=kind, subject=subject).first()
        if existing is None:
            raise
        return existing


def obligation_meet(*, kind: str, subject: str, at: datetime | None = None) -> Deadline | None:
    """Meet the open deadline of `kind` on `subject` (late if after its due time); None when none is open."""
    at = at or timezone.now()
    deadline = Deadline.objects.open().select_for_update().filter(kind=kind, subject=subject).first()
    if deadline is not None:
        _meet(deadline, at)
    return deadline


def obligations_cancel(*, subject: str, kinds: Collection[str] | None = None) -> int:
    """Cancel a subject's open deadlines (an application withdrawn, a recommendation dropped). One already
    overdue is marked breached: it was missed."""
    now = timezone.now()
    deadlines = Deadline.objects.open().filter(subject=subject)
    if kinds is not None:
        deadlines = deadlines.filter(kind__in=list(kinds))
    return deadlines.update(
        cancelled_at=now, breached=models.Case(When(due_at__lt=now, then=True), default=F("breached"))
    )


def obligations_reassign(*, subject: str, owner=None, agency=None, kinds: Collection[str] | None = None) -> int:
    """A new owner (a new single point of contact) or agency for a subject's open deadlines: later reminders go
    to them."""
    deadlines = Deadline.objects.open().filter(subject=subject)
    if kinds is not None:
        deadlines = deadlines.filter(kind__in=list(kinds))
    return deadlines.update(owner=owner, agency=agency)


def deadlines_recompute_first_contact(*, day: date | None = None) -> int:
    """After a closure day changes: open first-contact deadlines from their report's receipt.

    A bounded number of queries however many deadlines move: one fetch of the deadlines, one of the closure
    days they span, one bulk update. Given `day`, only deadlines it can move are read: received before that
    day and due on or after it.
    """
    deadlines = Deadline.objects.open().filter(kind=DeadlineKind.FIRST_CONTACT)
    if day is not None:
        day_starts = datetime.combine(day, time.min, tzinfo=sla.LONDON)
        deadlines = deadlines.filter(starts_at__lt=day_starts, due_at__gte=day_starts)
    rows = list(deadlines.only("id", "starts_at", "due_at"))
    if not rows:
        return _recompute_working_day_obligations(day=day)
    received = [d.starts_at.astimezone(sla.LONDON).date() for d in rows]
    # The same generous window sla.add_working_days uses when it fetches closures itself.
    closures = sla.closure_days(min(received), max(received) + timedelta(days=sla.FIRST_CONTACT_WORKING_DAYS * 3 + 30))
    changed = []
    for deadline in rows:
        due = sla.first_contact_due(deadline.starts_at, closures)
        if due != deadline.due_at:
            deadline.due_at = due
            changed.append(deadline)
    Deadline.objects.bulk_update(changed, ["due_at"], batch_size=1000)
    return len(changed) + _recompute_working_day_obligations(day=day)


def _recompute_working_day_obligations(*, day: date | None) -> int:
    """The same for other working-day deadlines (Case Review stages): from starts_at and their working days."""
    deadlines = Deadline.objects.open().filter(working_days__isnull=False)
    if day is not None:
        day_starts = datetime.combine(day, time.min, tzinfo=sla.LONDON)
        deadlines = deadlines.filter(starts_at__lt=day_starts, due_at__gte=day_starts)
    rows = list(deadlines.only("id", "starts_at", "due_at", "working_days"))
    if not rows:
        return 0
    starts = [d.starts_at.astimezone(sla.LONDON).date() for d in rows]
    longest = max(d.working_days for d in rows)
    closures = sla.closure_days(min(starts), max(starts) + timedelta(days=longest * 3 + 30))
    changed = []
    for deadline in rows:
        due = sla.working_days_due(deadline.starts_at, deadline.working_days, closures)
        if due != deadline.due_at:
            deadline.due_at = due
            changed.append(deadline)
    Deadline.objects.bulk_update(changed, ["due_at"], batch_size=1000)
    return len(changed)


def deadlines_cancel(*, case: Case, party: Party | None = None, kind: str | None = None) -> int:
    """Cancel open deadlines (the case closed, or someone is no longer owed updates). One already overdue was
    missed: it is marked breached, and the dashboard still counts it (Deadline.objects.counted)."""
    now = timezone.now()
    deadlines = Deadline.objects.open().filter(case=case)
    if party is not None:
        deadlines = deadlines.filter(party=party)
    if kind is not None:
        deadlines = deadlines.filter(kind=kind)
    return deadlines.update(
        cancelled_at=now, breached=models.Case(When(due_at__lt=now, then=True), default=F("breached"))
    )


def deadlines_restart(*, case: Case) -> None:
    """A reopened case owes updates again, from now; a reporter never contacted is owed first contact again."""
    now = timezone.now()
    for report in case.reports.select_related("reporter", "case"):
        first_contact_deadline_open(report=report, since=now)
    for party in case.parties.annotate(contacted=Exists(Contact.objects.filter(party=OuterRef("pk"), is_first_contact=True))):
        if party.contacted or not Report.objects.filter(case=case, reporter=party).exists():
            update_deadline_open(case=case, party=party, since=now)


@transaction.atomic
def closure_day_add(*, day: date, reason: str, actor) -> ClosureDay:
    """A day the council is closed: no longer a working day; open first-contact deadlines move at once.
    Audited as a ClosureDayChange (who, when, which day, why)."""
    closure = ClosureDay.objects.select_for_update().filter(day=day).first()
    if closure is not None:
        if closure.reason == reason:
            return closure
        closure.reason = reason
        closure.save(update_fields=["reason"])
        ClosureDayChange.objects.create(day=day, change=ClosureDayChange.CHANGED, reason=reason, actor=actor)
        return closure
    closure = ClosureDay.objects.create(day=day, reason=reason, created_by=actor)
    moved = deadlines_recompute_first_contact(day=day)
    ClosureDayChange.objects.create(day=day, change=ClosureDayChange.ADDED, reason=reason, actor=actor, deadlines_moved=moved)
    return closure


@transaction.atomic
def closure_day_remove(*, day: date, actor, reason: str = "") -> bool:
    """The council is open that day after all: a working day again; open first-contact deadlines move back."""
    deleted, _ = ClosureDay.objects.filter(day=day).delete()
    if not deleted:
        return False
    moved = deadlines_recompute_first_contact(day=day)
    ClosureDayChange.objects.create(day=day, change=ClosureDayChange.REMOVED, reason=reason, actor=actor, deadlines_moved=moved)
    return True
