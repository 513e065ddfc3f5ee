"""Retention reads: the schedule, legal holds, what has passed its date, and a run's review page.

The "what is due" querysets are shared by the beat job (privacy.services.retention.retention_list) and the
review page, so what a manager reviews is what the job lists. Rights-request reads live in selectors_requests.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Coalesce
from django.http import Http404

from cases import sla
from cases.models import AccessLogEntry, Case, CaseStatus, Evidence, Party, Report
from notifications.models import Message, MessageStatus
from surveys.models import Response

from .models import LegalHold, RecordClass, RetentionItem, RetentionRule, RetentionRun

# What anonymisation writes in place of free text. Comments become this rather than blank, so the survey
# figures that count "responses with a comment" stay the same after a run.
REMOVED = "[removed under the retention schedule]"
ANONYMISED_NAME = "Anonymised person"

# The order the schedule and a run's review list the classes in (and the order a run applies them).
CLASS_ORDER = [
    RecordClass.CASE_FILE, RecordClass.ANONYMOUS_REPORT, RecordClass.EVIDENCE,
    RecordClass.SURVEY_RESPONSE, RecordClass.MESSAGE_BODY, RecordClass.ACCESS_LOG,
]


# --- the schedule -----------------------------------------------------------------------------------------

def retention_schedule() -> list[RetentionRule]:
    rules = {r.record_class: r for r in RetentionRule.objects.select_related("updated_by")}
    return [rules[c] for c in CLASS_ORDER if c in rules]


def rule_or_404(record_class: str) -> RetentionRule:
    rule = RetentionRule.objects.filter(record_class=record_class).first()
    if rule is None:
        raise Http404
    return rule


def cutoff(today: date, keep_days: int) -> datetime:
    """Records whose event (closure, answer, delivery, access) happened before this instant have passed their date:
    an event on London day D is due on D + keep_days."""
    return datetime.combine(today - timedelta(days=keep_days - 1), time.min, tzinfo=sla.LONDON)


# --- legal holds ------------------------------------------------------------------------------------------

def holds_active() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True)


def held_cases() -> QuerySet[Case]:
    """Cases the schedule must not touch: a hold on the case, or on anyone on it."""
    active = holds_active()
    return Case.objects.filter(
        Exists(active.filter(case=OuterRef("pk")))
        | Exists(Party.objects.filter(case=OuterRef("pk"), person__in=active.filter(person__isnull=False).values("person")))
    )


def case_holds(case: Case) -> list[LegalHold]:
    """A case's holds (active first): its own and those on people on it."""
    people = Party.objects.filter(case=case, person__isnull=False).values("person")
    holds = LegalHold.objects.filter(Q(case=case) | Q(person__in=people)).select_related("placed_by", "lifted_by")
    return sorted(holds, key=lambda h: (h.lifted_at is not None, -h.placed_at.timestamp()))


def hold_or_404(hold_id: int) -> LegalHold:
    hold = LegalHold.objects.select_related("case", "person").filter(pk=hold_id).first()
    if hold is None:
        raise Http404
    return hold


def holds_page() -> list[LegalHold]:
    return list(holds_active().select_related("case", "person", "placed_by").order_by("-placed_at"))


# --- what has passed its date -------------------------------------------------------------------------------

def _claimed(record_class: str, ref) -> Exists:
    """Already handled by a run (done), or waiting in a run not yet finished (and not kept back by the manager)."""
    pending = Q(run__status__in=[RetentionRun.Status.LISTED, RetentionRun.Status.CONFIRMED], excluded=False)
    return Exists(RetentionItem.objects.filter(record_class=record_class, object_id=Cast(ref, CharField()))
                  .filter(Q(done_at__isnull=False) | pending))


def due_case_files(today: date, keep_days: int) -> QuerySet[Case]:
    return (Case.objects.filter(status=CaseStatus.CLOSED, closed_at__lt=cutoff(today, keep_days))
            .exclude(pk__in=held_cases().values("pk")).exclude(_claimed(RecordClass.CASE_FILE, OuterRef("pk"))))


def due_anonymous_reports(today: date, keep_days: int) -> QuerySet[Report]:
    return (Report.objects.filter(is_anonymous=True, case__status=CaseStatus.CLOSED, case__closed_at__lt=cutoff(today, keep_days))
            .exclude(description=REMOVED).exclude(case__in=held_cases().values("pk"))
            .exclude(_claimed(RecordClass.ANONYMOUS_REPORT, OuterRef("pk"))))


def due_evidence(today: date, keep_days: int) -> QuerySet[Evidence]:
    return (Evidence.objects.filter(case__status=CaseStatus.CLOSED, case__closed_at__lt=cutoff(today, keep_days))
            .exclude(file="").exclude(case__in=held_cases().values("pk"))
            .exclude(_claimed(RecordClass.EVIDENCE, OuterRef("pk"))))


def due_survey_responses(today: date, keep_days: int) -> QuerySet[Response]:
    return (Response.objects.filter(submitted_at__lt=cutoff(today, keep_days)).exclude(comments__in=["", REMOVED])
            .exclude(invitation__case__in=held_cases().values("pk"))
            .exclude(_claimed(RecordClass.SURVEY_RESPONSE, OuterRef("pk"))))


def case_message_keys(case_ids) -> Q:
    """The outbox rows about these cases, by their keys (notifications knows nothing of cases): acknowledgements
    of their reports, deadline alerts, share notices, survey invitations and reminders."""
    case_ids = list(case_ids)
    if not case_ids:
        return Q(pk__in=[])
    from cases.models import Deadline, TimelineEntry
    from surveys.models import Invitation

    reports = list(Report.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    deadlines = list(Deadline.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    shares = list(TimelineEntry.objects.filter(case_id__in=case_ids, kind="share").values_list("pk", flat=True))
    invitations = list(Invitation.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    keys = [f"report-ack:{n}" for n in reports] + [f"report-ack-sms:{n}" for n in reports]
    keys += [f"survey-invite:{n}" for n in invitations] + [f"survey-reminder:{n}" for n in invitations]
    found = Q(key__in=keys)
    # Deadline alerts are "deadline:<id>:<stage>:<user>", share notices "share:<entry>:<user>".
    for prefix, ids in (("deadline", deadlines), ("share", shares)):
        if ids:
            found |= Q(key__regex=rf"^{prefix}:({'|'.join(str(n) for n in ids)}):")
    return found


def due_message_bodies(today: date, keep_days: int) -> QuerySet[Message]:
    finished = Message.objects.filter(status__in=[MessageStatus.SENT, MessageStatus.FAILED])
    qs = (finished.annotate(delivered_at=Coalesce("sent_at", "created_at")).filter(delivered_at__lt=cutoff(today, keep_days))
          .filter(~Q(body="") | ~Q(to=""))
          .exclude(_claimed(RecordClass.MESSAGE_BODY, OuterRef("pk"))))
    held = list(held_cases().values_list("pk", flat=True))
    return qs.exclude(case_message_keys(held)) if held else qs


def access_log_before(today: date, keep_days: int) -> datetime:
    """Entries before this instant have passed their date, except that a legal hold keeps every entry from the
    held cases' oldest onwards (the purge deletes by age only; holds are few and short)."""
    before = cutoff(today, keep_days)
    oldest_held = (AccessLogEntry.objects.filter(case_id__in=held_cases().values("pk")).order_by("at")
                   .values_list("at", flat=True).first())
    return min(before, oldest_held) if oldest_held else before


# --- a run's review page ------------------------------------------------------------------------------------

@dataclass
class ClassRow:
    record_class: str
    label: str
    listed: int
    kept: int
    done: int

    @property
    def to_apply(self) -> int:
        return self.listed - self.kept


def runs_recent(limit: int = 20) -> list[RetentionRun]:
    return list(RetentionRun.objects.select_related("confirmed_by").annotate(n=Count("items"))[:limit])


def run_or_404(run_id: int) -> RetentionRun:
    run = RetentionRun.objects.select_related("confirmed_by").filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


def run_classes(run: RetentionRun) -> list[ClassRow]:
    """Per class: how many items the run lists, how many the manager kept back, how many are done."""
    counts = {
        row["record_class"]: row
        for row in run.items.values("record_class").annotate(
            listed=Count("id"), kept=Count("id", filter=Q(excluded=True)), done=Count("id", filter=Q(done_at__isnull=False))
        ).order_by()
    }
    return [
        ClassRow(c, RecordClass(c).label, counts[c]["listed"], counts[c]["kept"], counts[c]["done"])
        for c in CLASS_ORDER if c in counts
    ]


def run_items(run: RetentionRun, record_class: str) -> QuerySet[RetentionItem]:
    return run.items.filter(record_class=record_class).order_by("due_since", "id")


def item_or_404(run: RetentionRun, item_id: int) -> RetentionItem:
    item = run.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item
