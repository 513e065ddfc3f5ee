"""The service standard as stored obligations: first-contact and victim-update deadlines, their alerts,
and council closure days (which are not working days)."""

from django.db import models
from django.db.models import Q

from .core import Case, Party

OPEN = Q(met_at__isnull=True, cancelled_at__isnull=True)


class ClosureDay(models.Model):
    """A day the council is closed (not a working day). Managers edit these in the admin."""

    day = models.DateField(unique=True)
    reason = models.CharField(max_length=100)

    class Meta:
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%-d %B %Y}: {self.reason}"


class DeadlineKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", "First contact"
    VICTIM_UPDATE = "victim_update", "Update"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(OPEN)


class Deadline(models.Model):
    """One obligation to one person. Meeting it closes it (and opens the next update); closing the case cancels it."""

    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="deadlines")
    # When the clock started: the report's receipt, or the previous update. Due dates are worked out from it.
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Met late, or found overdue by the sweep.
    breached = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["due_at"], condition=OPEN, name="deadline_open_due_idx"),
            models.Index(fields=["case", "due_at"], name="deadline_case_idx"),
            # The dashboard's period figures: every deadline of a kind falling due in a date range.
            models.Index(fields=["kind", "due_at"], name="deadline_kind_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "party"], condition=OPEN, name="one_open_deadline_per_party_and_kind"),
        ]

    def __str__(self):
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
