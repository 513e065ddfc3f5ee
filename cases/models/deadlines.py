"""The service standard as stored obligations: first-contact and victim-update deadlines, their alerts,
and council closure days (which are not working days)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .core import Case, Party

OPEN = Q(met_at__isnull=True, cancelled_at__isnull=True)
# Counted in the figures: not cancelled, or cancelled only after it fell due unmet (closing a case does not hide
# a deadline it had already missed). Only deadlines cancelled before they fell due drop out.
COUNTED = Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=F("due_at"))
# Met by its due time; anything else counted and already due was missed (met late, never met, or cancelled overdue).
MET_ON_TIME = Q(met_at__isnull=False, met_at__lte=F("due_at"))


class ClosureDay(models.Model):
    """A day the council is closed (not a working day). Managers edit these in the admin."""

    day = models.DateField(unique=True)
    reason = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    class Meta:
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%-d %B %Y}: {self.reason}"


class ClosureDayChange(models.Model):
    """Audit of the closure-day calendar (no case to hang a timeline entry on): who added or removed which day, and why."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    CHANGES = [(ADDED, "Added"), (CHANGED, "Reason changed"), (REMOVED, "Removed")]

    day = models.DateField()
    change = models.CharField(max_length=10, choices=CHANGES)
    reason = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(auto_now_add=True)
    # How many open first-contact deadlines moved as a result.
    deadlines_moved = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.day:%-d %B %Y} {self.change}"


class DeadlineKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", "First contact"
    VICTIM_UPDATE = "victim_update", "Update"
    # ASB Case Review stages (casereview/): obligations to an applicant, owned by the single point of contact.
    CASE_REVIEW_ACKNOWLEDGE = "cr_acknowledge", "Case Review: acknowledge the application"
    CASE_REVIEW_DECISION = "cr_decision", "Case Review: threshold decision"
    CASE_REVIEW_MEETING = "cr_meeting", "Case Review: hold the review meeting"
    CASE_REVIEW_OUTCOME = "cr_outcome", "Case Review: send the outcome"
    CASE_REVIEW_ESCALATION = "cr_escalation", "Case Review: decide the request to look again"
    # A review's recommendation, owned by an agency (its partner leads are reminded) or the council.
    CASE_REVIEW_RECOMMENDATION = "cr_recommendation", "Case Review: recommendation due"
    # A Joint Action Group action (jag/), owned by an agency and a person.
    JAG_ACTION = "jag_action", "JAG action due"


# The service standard's obligations to the people on a case: what the SLA figures and the case pages count.
CASE_DEADLINE_KINDS = (DeadlineKind.FIRST_CONTACT, DeadlineKind.VICTIM_UPDATE)


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(OPEN)

    def counted(self):
        """The deadlines every figure, trend and export counts (see COUNTED)."""
        return self.filter(COUNTED)


class Deadline(models.Model):
    """One obligation. Most are to one person on a case (first contact, updates): meeting one closes it (and opens
    the next update); closing the case cancels it. Apps above `cases` store theirs here too (Case Review stages)
    under a `subject` ("casereview.application:12") with no case or party, an `owner` who is reminded and an
    `agency` whose partner leads are; the one sweep reminds and alerts on all of them exactly once."""

    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    # An obligation of an app above cases: what it is about ("casereview.application:12"), its title in
    # alerts, and the path of the page where it is met.
    subject = models.CharField(max_length=80, blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    path = models.CharField(max_length=200, blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agency = models.ForeignKey("cases.PartnerAgency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Due at the end of the n-th working day after starts_at's London date: a closure day moves it (null: a
    # calendar-day deadline, or first contact, which has its own rule in cases.sla).
    working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # When the clock started: the report's receipt, or the previous update. Due dates are worked out from it.
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # The update interval in calendar days (7 high risk, 14 otherwise) when due_at was set; null for first contact.
    # The dashboard files updates by it: due_at - starts_at is not a whole number of days across a clock change.
    interval_days = models.PositiveSmallIntegerField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Met late, or found overdue by the sweep.
    breached = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # Open deadlines by due time (the sweep; overdue now): with the case, so counts never read the table.
            models.Index(fields=["due_at"], include=["case", "id"], condition=OPEN, name="deadline_open_due_idx"),
            models.Index(fields=["case", "due_at"], name="deadline_case_idx"),
            # The dashboard's period figures: every deadline of a kind falling due in a date range, with what the
            # figures read (index-only scans: the current month's ~50,000 deadlines at 1,000,000 cases).
            models.Index(fields=["kind", "due_at"], include=["met_at", "cancelled_at", "interval_days", "case", "id"],
                         name="deadline_kind_due_idx"),
            # The mean days between updates: victim updates given in a date range (dashboard; issue 16).
            models.Index(fields=["met_at"], include=["starts_at", "due_at", "cancelled_at", "case", "id"],
                         name="deadline_update_met_idx", condition=Q(kind="victim_update", met_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "party"], condition=OPEN, name="one_open_deadline_per_party_and_kind"),
            # Double clicks and retries never open a stage twice.
            models.UniqueConstraint(fields=["kind", "subject"], condition=OPEN & ~Q(subject=""),
                                    name="one_open_deadline_per_subject_and_kind"),
            models.CheckConstraint(name="deadline_on_a_party_or_a_subject",
                                   condition=Q(case__isnull=False, party__isnull=False) | ~Q(subject="")),
        ]

    def __str__(self):
        if self.subject:
            return f"{self.title or self.get_kind_display()} by {self.due_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} for {self.party} by {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


class AlertStage(models.TextChoices):
    REMINDER = "reminder", "Reminder before it falls due"
    BREACH = "breach", "Breached"
    UNASSIGNED = "unassigned", "Unassigned and due within a working day"


class DeadlineAlert(models.Model):
    """That an alert went out for a deadline at a stage. The unique constraint is what makes it at most once."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="alerts")
    stage = models.CharField(max_length=20, choices=AlertStage.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deadline", "stage"], name="one_alert_per_deadline_and_stage")]

    def __str__(self):
        return f"{self.deadline_id} {self.stage}"
