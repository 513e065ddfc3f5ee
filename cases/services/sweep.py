"""The deadline sweep (Celery beat, every 5 minutes) and the officers' morning digest.

At most once per deadline and stage: an alert is a DeadlineAlert row, inserted with ON CONFLICT DO
NOTHING against a unique constraint; only the rows this sweep inserted send messages. Rows are
claimed with SELECT … FOR UPDATE SKIP LOCKED, so two sweeps at once share the work.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from notifications.models import MessageChannel
from notifications.services import OutgoingMessage, message_queue, messages_queue_many

from .. import sla
from ..models import Action, ActionStatus, AlertStage, CaseStatus, Deadline, DeadlineAlert, DeadlineKind
from ..policy import Can, users_who_can
from .intake import MESSAGE_FAILED_HOOK

# First-contact reminders go on the morning of the due day; update reminders 2 days before.
FIRST_CONTACT_REMINDER_AT = time(7, 0)
UPDATE_REMINDER_BEFORE = timedelta(days=2)
# Looking this far ahead covers the 2-day reminders and "due within a working day" over a long weekend.
HORIZON = timedelta(days=5)


@dataclass
class SweepResult:
    claimed: int = 0
    alerts: Counter = field(default_factory=Counter)
    messages: int = 0
    newly_breached: int = 0

    def __str__(self):
        alerts = ", ".join(f"{n} {AlertStage(stage).label.lower()}" for stage, n in sorted(self.alerts.items())) or "no new alerts"
        return (f"Checked {self.claimed} open deadlines due within {HORIZON.days} days: {alerts}; "
                f"{self.messages} messages queued; {self.newly_breached} newly breached.")


def _managers():
    # Whoever hands out the team's cases hears about deadlines at risk: they can give the case to someone else.
    return list(users_who_can(Can.ASSIGN_CASES).exclude(email=""))


def _reminder_due(deadline: Deadline, now: datetime) -> bool:
    if deadline.due_at <= now:
        return False
    if deadline.kind == DeadlineKind.FIRST_CONTACT:
        due_day = deadline.due_at.astimezone(sla.LONDON).date()
        return now >= datetime.combine(due_day, FIRST_CONTACT_REMINDER_AT, tzinfo=sla.LONDON)
    return now >= deadline.due_at - UPDATE_REMINDER_BEFORE


def _stages(deadline: Deadline, now: datetime, next_working_day_end: datetime) -> list[str]:
    if deadline.due_at < now:
        return [AlertStage.BREACH]
    stages = [AlertStage.REMINDER] if _reminder_due(deadline, now) else []
    if deadline.kind == DeadlineKind.FIRST_CONTACT and deadline.case.officer_id is None and deadline.due_at <= next_working_day_end:
        stages.append(AlertStage.UNASSIGNED)
    return stages


def _alerts_insert(wanted: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Insert alert rows; return only those this call inserted (the rest already existed)."""
    if not wanted:
        return set()
    placeholders = ", ".join(["(%s, %s, now())"] * len(wanted))
    params = [v for pair in wanted for v in pair]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_deadlinealert (deadline_id, stage, created_at) VALUES {placeholders} "
            "ON CONFLICT (deadline_id, stage) DO NOTHING RETURNING deadline_id, stage",
            params,
        )
        return {(row[0], row[1]) for row in cursor.fetchall()}


def _agency_leads(deadlines: list[Deadline]) -> dict[int, list]:
    """The partner leads of each agency that owns one of these deadlines (one query)."""
    agency_ids = {d.agency_id for d in deadlines if d.agency_id}
    if not agency_ids:
        return {}
    leads: dict[int, list] = {}
    users = (users_who_can(Can.MANAGE_AGENCY_USERS).exclude(email="")
             .filter(agency_membership__agency_id__in=agency_ids).annotate(member_of=F("agency_membership__agency_id")))
    for user in users:
        leads.setdefault(user.member_of, []).append(user)
    return leads


def _recipients(deadline: Deadline, stage: str, managers: list, leads: dict[int, list] | None = None) -> list:
    if deadline.case_id is None:
        # An obligation of an app above cases: its owner and its agency's partner leads; managers too once breached.
        owners = [deadline.owner] if deadline.owner_id and deadline.owner.is_active and deadline.owner.email else []
        owners += [u for u in (leads or {}).get(deadline.agency_id, []) if u not in owners]
        if stage == AlertStage.BREACH:
            owners += [m for m in managers if m not in owners]
        return owners
    officer = deadline.case.officer if deadline.case.officer and deadline.case.officer.email else None
    if stage == AlertStage.REMINDER:
        return [officer] if officer else []
    if stage == AlertStage.UNASSIGNED:
        return managers
    return ([officer] if officer else []) + [m for m in managers if m != officer]


def deadlines_sweep(*, now: datetime | None = None, limit: int = 5000) -> SweepResult:
    """Remind before deadlines fall due, alert when they are breached, warn managers about unassigned cases."""
    now = now or timezone.now()
    result = SweepResult()
    today = now.astimezone(sla.LONDON).date()
    next_working_day_end = sla.end_of_day(sla.add_working_days(today, 1))
    breach_sent = DeadlineAlert.objects.filter(deadline=OuterRef("pk"), stage=AlertStage.BREACH)
    with transaction.atomic():
        rows = list(
            Deadline.objects.open()
            .filter(due_at__lte=now + HORIZON)
            # An overdue deadline whose breach alert has gone out needs nothing more until it is met.
            .exclude(Q(due_at__lt=now) & Exists(breach_sent))
            .select_related("case", "case__officer", "case__category", "party", "owner", "agency")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at")[:limit]
        )
        result.claimed = len(rows)
        by_id = {d.pk: d for d in rows}
        wanted = [(d.pk, stage) for d in rows for stage in _stages(d, now, next_working_day_end)]
        inserted = _alerts_insert(wanted)
        overdue = [d.pk for d in rows if d.due_at < now and not d.breached]
        if overdue:
            result.newly_breached = Deadline.objects.filter(pk__in=overdue).update(breached=True)
        managers = _managers() if inserted else []
        leads = _agency_leads([by_id[i] for i, _ in inserted])
        outgoing = []
        subject_template = get_template("emails/deadline_alert_subject.txt")
        body_template = get_template("emails/deadline_alert.txt")
        for deadline_id, stage in sorted(inserted):
            deadline = by_id[deadline_id]
            result.alerts[stage] += 1
            for user in _recipients(deadline, stage, managers, leads):
                url = _case_url(deadline.case.reference) if deadline.case_id else _site_url(deadline.path)
                context = {"deadline": deadline, "stage": stage, "user": user, "case_url": url}
                outgoing.append(OutgoingMessage(
                    channel=MessageChannel.EMAIL,
                    to=user.email,
                    subject=subject_template.render(context).strip(),
                    body=body_template.render(context),
                    key=f"deadline:{deadline_id}:{stage}:{user.pk}",
                    on_failure=MESSAGE_FAILED_HOOK,
                ))
        # One insert per 500 messages (a sweep can raise a thousand alerts); unique keys keep it at most once.
        result.messages = len(messages_queue_many(outgoing))
    return result


def _case_url(reference: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/staff/cases/{reference}/"


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def officer_digests_send(*, today=None) -> int:
    """A weekday-morning email to each officer: deadlines due today, overdue ones, actions near review or expiry."""
    today = today or timezone.localdate()
    end_today = sla.end_of_day(today)
    soon = today + timedelta(days=7)
    # Only people who still work cases: an account whose role was taken away gets no case details by email.
    officers = users_who_can(Can.WORK_CASES).filter(
        cases__status__in=[CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.MONITORING]
    ).exclude(email="").distinct()
    sent = 0
    for officer in officers:
        deadlines = list(
            Deadline.objects.open().filter(case__officer=officer, due_at__lte=end_today).select_related("case", "party").order_by("due_at")
        )
        actions = list(
            Action.objects.filter(case__officer=officer, status__in=[ActionStatus.PLANNED, ActionStatus.IN_FORCE])
            .filter(Q(review_on__range=(today, soon)) | Q(expires_on__range=(today, soon)))
            .select_related("case", "action_type")
        )
        if not deadlines and not actions:
            continue
        now = timezone.now()
        context = {
            "officer": officer, "today": today, "overdue": [d for d in deadlines if d.due_at < now],
            "due_today": [d for d in deadlines if d.due_at >= now], "actions": actions, "site_url": settings.SITE_URL,
        }
        message_queue(
            channel=MessageChannel.EMAIL,
            to=officer.email,
            subject=f"Your ASB cases today, {today:%A %-d %B}",
            body=render_to_string("emails/officer_digest.txt", context),
            key=f"digest:{officer.pk}:{today.isoformat()}",
        )
        sent += 1
    return sent
