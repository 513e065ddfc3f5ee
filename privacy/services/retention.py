"""The retention schedule at work: rules, legal holds, the daily listing, a manager's confirmation, and the
anonymisation itself (privacy.services.anonymise).

A run lists records that passed their date (RetentionItem: class, id, a label that is not personal), a manager
reviews and confirms it, and a worker anonymises in batches. The run keeps counts only, never personal data.
"""

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case, Person, TimelineKind, Visibility
from cases.services import timeline_add

from .. import selectors
from ..models import LegalHold, RecordClass, RetentionItem, RetentionRule, RetentionRun
from . import anonymise

logger = logging.getLogger(__name__)

KEEP_DAYS_MAX = 36500  # a hundred years: anything longer is "keep for ever", which the schedule does not do

# The defaults (migration 0002 writes the same rows; the README documents them). Days, and why.
DEFAULT_RULES = {
    RecordClass.CASE_FILE: (2190, "Six years after closure, as Bury; long enough for complaints, ASB Case Reviews and "
                                  "claims (six years is the usual limitation period)."),
    RecordClass.ANONYMOUS_REPORT: (2190, "As the case file they belong to: six years after the case's closure."),
    RecordClass.EVIDENCE: (2190, "As the case file: evidence goes into court bundles (injunctions, closure orders, CPN "
                                 "appeals, breaches), and a breach can come to court years after the case closed."),
    RecordClass.SURVEY_RESPONSE: (730, "Two years after the answer: enough for two years of yearly satisfaction "
                                       "reporting; the scores stay, only the comments go."),
    RecordClass.MESSAGE_BODY: (90, "Ninety days after delivery: long enough to answer \"what did you send me?\"; "
                                   "the case file records what was said."),
    RecordClass.ACCESS_LOG: (2190, "Six years after the access: the log must outlive the case files it audits, so a "
                                   "complaint about who saw a file can still be answered."),
}

BATCH = 50  # records per transaction while anonymising


class RetentionError(Exception):
    """A change that cannot be made as asked. The message is shown to the user as it is."""


class _NothingDue(Exception):
    pass


# --- the schedule -----------------------------------------------------------------------------------------------

def retention_rules_ensure() -> dict[str, RetentionRule]:
    """Every class has a rule (the defaults for any missing, e.g. after a test truncated the table)."""
    rules = {r.record_class: r for r in RetentionRule.objects.all()}
    missing = [RetentionRule(record_class=c, keep_days=days, reason=reason)
               for c, (days, reason) in DEFAULT_RULES.items() if c not in rules]
    if missing:
        RetentionRule.objects.bulk_create(missing, ignore_conflicts=True)
        rules = {r.record_class: r for r in RetentionRule.objects.all()}
    return rules


@transaction.atomic
def retention_rule_update(*, rule: RetentionRule, keep_days: int, reason: str, actor) -> RetentionRule:
    if not 1 <= keep_days <= KEEP_DAYS_MAX:
        raise RetentionError(f"Enter a number of days between 1 and {KEEP_DAYS_MAX:,}")
    if not reason.strip():
        raise RetentionError("Give the reason for this period")
    rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    rule.keep_days, rule.reason, rule.updated_by = keep_days, reason.strip(), actor
    rule.save(update_fields=["keep_days", "reason", "updated_by", "updated_at"])
    return rule


# --- legal holds ----------------------------------------------------------------------------------------------------

def _hold_entry(case: Case, *, actor, summary: str, body: str, change: list) -> None:
    timeline_add(case=case, actor=actor, kind=TimelineKind.EDIT, summary=summary, body=body,
                 changes={"legal hold": change}, visibility=Visibility.STAFF)


@transaction.atomic
def legal_hold_place(*, case: Case | None = None, person: Person | None = None, reason: str, actor) -> LegalHold:
    """Stop the retention clock for a case, or for every case a person is on."""
    if (case is None) == (person is None):
        raise RetentionError("Choose a case or a person to hold")
    if not reason.strip():
        raise RetentionError("Give the reason for the legal hold")
    if person is not None:
        # The person's cases first (the order a batch locks in): a batch anonymising one of them finishes before the
        # hold exists, and a later batch sees it. Locking only the person let a batch that had already checked for
        # holds go on and anonymise a held person.
        list(Case.objects.select_for_update(of=("self",)).filter(parties__person=person).order_by("pk").values_list("pk", flat=True))
    target = Case.objects.select_for_update().get(pk=case.pk) if case else Person.objects.select_for_update().get(pk=person.pk)
    active = selectors.holds_active().filter(**({"case": target} if case else {"person": target}))
    if active.exists():
        raise RetentionError("There is already a legal hold on this " + ("case" if case else "person"))
    hold = LegalHold.objects.create(case=case, person=person, reason=reason.strip()[:300], placed_by=actor)
    if case is not None:
        _hold_entry(case, actor=actor, summary="Legal hold placed: the retention schedule will not anonymise this case",
                    body=hold.reason, change=["none", "placed"])
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, actor) -> LegalHold:
    hold = LegalHold.objects.select_for_update(of=("self",)).select_related("case").get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise RetentionError("This legal hold was already lifted")
    hold.lifted_at, hold.lifted_by = timezone.now(), actor
    hold.save(update_fields=["lifted_at", "lifted_by"])
    if hold.case is not None:
        _hold_entry(hold.case, actor=actor, summary="Legal hold lifted: the retention schedule applies again",
                    body="", change=["placed", "lifted"])
    return hold


# --- listing (the beat job) -----------------------------------------------------------------------------------------

def _items_for(run: RetentionRun, rules: dict[str, RetentionRule], today: date) -> list[RetentionItem]:
    items = []

    def add(record_class, object_id, label, due_since):
        items.append(RetentionItem(run=run, record_class=record_class, object_id=str(object_id), label=label[:100],
                                   due_since=due_since))

    def due(event, keep_days) -> date:
        return timezone.localtime(event).date() + timedelta(days=keep_days)

    days = {c: rules[c].keep_days for c in rules}
    for case in selectors.due_case_files(today, days[RecordClass.CASE_FILE]).only("pk", "reference", "closed_at").iterator():
        add(RecordClass.CASE_FILE, case.pk, case.reference, due(case.closed_at, days[RecordClass.CASE_FILE]))
    reports = selectors.due_anonymous_reports(today, days[RecordClass.ANONYMOUS_REPORT])
    for pk, reference, closed_at in reports.values_list("pk", "case__reference", "case__closed_at").iterator():
        add(RecordClass.ANONYMOUS_REPORT, pk, f"{reference}: anonymous report {pk}", due(closed_at, days[RecordClass.ANONYMOUS_REPORT]))
    files = selectors.due_evidence(today, days[RecordClass.EVIDENCE])
    for pk, reference, closed_at in files.values_list("pk", "case__reference", "case__closed_at").iterator():
        add(RecordClass.EVIDENCE, pk, f"{reference}: evidence file {str(pk)[:8]}", due(closed_at, days[RecordClass.EVIDENCE]))
    answers = selectors.due_survey_responses(today, days[RecordClass.SURVEY_RESPONSE])
    for pk, submitted_at in answers.values_list("pk", "submitted_at").iterator():
        add(RecordClass.SURVEY_RESPONSE, pk, f"survey response {pk}", due(submitted_at, days[RecordClass.SURVEY_RESPONSE]))
    messages = selectors.due_message_bodies(today, days[RecordClass.MESSAGE_BODY])
    for pk, delivered_at in messages.values_list("pk", "delivered_at").iterator():
        add(RecordClass.MESSAGE_BODY, pk, f"message {pk}", due(delivered_at, days[RecordClass.MESSAGE_BODY]))
    before = selectors.access_log_before(today, days[RecordClass.ACCESS_LOG])
    entries = anonymise.access_log_count(before=before)
    if entries:
        day = timezone.localtime(before).date()
        add(RecordClass.ACCESS_LOG, day.isoformat(), f"{entries:,} access log entries from before {day:%-d %B %Y}", day)
    return items


def retention_list(*, today: date | None = None) -> RetentionRun | None:
    """List everything past its date into one run waiting for review. Nothing when a run is already waiting (the
    unique constraint keeps one; two listings at once: the second waits for the first, then adds nothing) or when
    nothing is due."""
    today = today or timezone.localdate()
    rules = retention_rules_ensure()
    if RetentionRun.objects.filter(status=RetentionRun.Status.LISTED).exists():
        return None
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = RetentionRun.objects.create(status=RetentionRun.Status.LISTED)
            except IntegrityError:
                return None  # another listing holds the one waiting slot
            items = _items_for(run, rules, today)
            if not items:
                raise _NothingDue
            RetentionItem.objects.bulk_create(items, batch_size=1000)
    except _NothingDue:
        return None
    return run


# --- review ------------------------------------------------------------------------------------------------------------

def _listed(run: RetentionRun) -> RetentionRun:
    run = RetentionRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RetentionRun.Status.LISTED:
        raise RetentionError(f"This run is already {run.get_status_display().lower()}: it cannot be changed")
    return run


@transaction.atomic
def retention_item_keep(*, item: RetentionItem, keep: bool, actor) -> RetentionItem:
    """Take an item out of the run (keep the record this time) or put it back."""
    _listed(item.run)
    RetentionItem.objects.filter(pk=item.pk).update(excluded=keep)
    item.excluded = keep
    return item


@transaction.atomic
def retention_cancel(*, run: RetentionRun, actor) -> RetentionRun:
    """Nothing is anonymised; the next daily listing starts afresh."""
    run = _listed(run)
    run.status, run.finished_at = RetentionRun.Status.CANCELLED, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


@transaction.atomic
def retention_confirm(*, run: RetentionRun, actor) -> RetentionRun:
    """The manager's go-ahead: a worker anonymises the run's items once this commits."""
    run = _listed(run)
    if not run.items.filter(excluded=False).exists():
        raise RetentionError("Every item is kept back: cancel the run instead")
    run.status, run.confirmed_by, run.confirmed_at = RetentionRun.Status.CONFIRMED, actor, timezone.now()
    run.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    transaction.on_commit(lambda: _apply_later(run.pk))
    return run


def _apply_later(run_id: int) -> None:
    from ..tasks import retention_apply_run

    try:
        retention_apply_run.apply_async(args=[run_id], retry=False)
    except Exception:  # noqa: BLE001 - the daily job finishes confirmed runs the broker never got
        logger.warning("Broker unavailable; retention run %s is applied by the next daily job", run_id, exc_info=True)


# --- applying ------------------------------------------------------------------------------------------------------------

def retention_apply(*, run: RetentionRun) -> RetentionRun:
    """Anonymise a confirmed run's items, class by class, in batches of BATCH, each batch one transaction.

    Idempotent and safe to run twice at once: items are claimed with SKIP LOCKED and marked done in the batch's
    transaction; a record already anonymised is left as it is. An item whose case was put on hold since the listing
    is taken out of the run instead.
    """
    run = RetentionRun.objects.get(pk=run.pk)
    if run.status != RetentionRun.Status.CONFIRMED:
        return run
    for record_class in selectors.CLASS_ORDER:
        while _apply_batch(run, record_class):
            pass
    return _finish(run)


def _apply_batch(run: RetentionRun, record_class: str) -> bool:
    with transaction.atomic():
        items = list(
            run.items.filter(record_class=record_class, excluded=False, done_at__isnull=True)
            .select_for_update(skip_locked=True).order_by("id")[:BATCH]
        )
        if not items:
            return False
        held = anonymise.APPLY[record_class](items, run)
        if held:
            RetentionItem.objects.filter(pk__in=[i.pk for i in items if i.pk in held]).update(excluded=True)
        RetentionItem.objects.filter(pk__in=[i.pk for i in items if i.pk not in held]).update(done_at=timezone.now())
    return True


@transaction.atomic
def _finish(run: RetentionRun) -> RetentionRun:
    run = RetentionRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RetentionRun.Status.CONFIRMED:
        return run
    if run.items.filter(excluded=False, done_at__isnull=True).exists():
        return run  # another worker holds the rest and finishes the run
    counts = dict(run.counts)
    counts.update({row.record_class: row.done for row in selectors.run_classes(run)})
    run.counts = counts
    run.status, run.finished_at = RetentionRun.Status.DONE, timezone.now()
    run.save(update_fields=["counts", "status", "finished_at"])
    return run


def retention_apply_confirmed() -> int:
    """Finish any confirmed run left unfinished (the broker was down, a worker died). Returns how many."""
    n = 0
    for run in RetentionRun.objects.filter(status=RetentionRun.Status.CONFIRMED).order_by("id"):
        retention_apply(run=run)
        n += 1
    return n
