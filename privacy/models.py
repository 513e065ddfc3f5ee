"""Privacy: the retention schedule and its runs, legal holds, and people's rights requests (UK GDPR).

Depends on `cases` (people, cases) and `notifications`; `cases` never imports it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RecordClass(models.TextChoices):
    """What the schedule keeps for how long, each counted from its own event."""

    CASE_FILE = "case_file", "Case files (from closure)"
    ANONYMOUS_REPORT = "anonymous_report", "Anonymous reports (from the case's closure)"
    EVIDENCE = "evidence", "Evidence files (from the case's closure)"
    SURVEY_RESPONSE = "survey_response", "Survey responses (from the answer)"
    MESSAGE_BODY = "message_body", "Message bodies (from delivery)"
    ACCESS_LOG = "access_log", "Access log entries (from the access)"


class RetentionRule(models.Model):
    """How long one class of record is kept, editable by managers (defaults in the README)."""

    record_class = models.CharField(max_length=20, choices=RecordClass.choices, unique=True)
    keep_days = models.PositiveIntegerField()
    reason = models.CharField(max_length=300, blank=True, help_text="Why this period (the schedule's source).")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["record_class"]

    def __str__(self):
        return f"{self.get_record_class_display()}: {self.keep_days} days"


class LegalHold(models.Model):
    """Stops the retention clock for a case or a person (a court case, a complaint, an inquiry)."""

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="legal_holds")
    person = models.ForeignKey("cases.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                name="hold_on_case_or_person",
                condition=Q(case__isnull=False, person__isnull=True) | Q(case__isnull=True, person__isnull=False),
            )
        ]

    def __str__(self):
        return f"Hold on {'case ' + str(self.case_id) if self.case_id else 'person ' + str(self.person_id)}"


class RetentionRun(models.Model):
    """One pass of the schedule: listed by the beat job, reviewed and confirmed by a manager, then done.
    Holds counts and references only, never the personal data it removed."""

    class Status(models.TextChoices):
        LISTED = "listed", "Waiting for review"
        CONFIRMED = "confirmed", "Confirmed, anonymising"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LISTED)
    listed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # {"case_file": 12, "evidence": 30, ...}

    class Meta:
        ordering = ["-listed_at", "-id"]
        constraints = [
            # One run waiting for review at a time: the beat job never lists the same records twice.
            models.UniqueConstraint(fields=["status"], condition=Q(status="listed"), name="one_listed_retention_run"),
        ]

    def __str__(self):
        return f"Retention run {self.pk} ({self.status})"


class RetentionItem(models.Model):
    """One record a run lists: its class, id and a label that is not personal (a case reference)."""

    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="items")
    record_class = models.CharField(max_length=20, choices=RecordClass.choices)
    object_id = models.CharField(max_length=40)
    label = models.CharField(max_length=100)
    due_since = models.DateField()
    excluded = models.BooleanField(default=False)  # taken out at review (a manager keeps it)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["record_class", "due_since", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "record_class", "object_id"], name="retention_item_once")]

    def __str__(self):
        return f"{self.record_class} {self.label}"


class RequestKind(models.TextChoices):
    ACCESS = "access", "Access (subject access request)"
    ERASURE = "erasure", "Erasure"
    RECTIFICATION = "rectification", "Rectification"
    RESTRICTION = "restriction", "Restriction"


class RightsRequest(models.Model):
    """A person's request under UK GDPR: due one calendar month after receipt (the day of receipt is day 1),
    extendable by two months with a reason. `due_on` is stored and kept true by privacy.services."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        EXTENDED = "extended", "Open (extended)"
        RELEASED = "released", "Released"  # access: the bundle was sent
        DONE = "done", "Done"  # erasure, rectification, restriction: outcome recorded
        REFUSED = "refused", "Refused"

    person = models.ForeignKey("cases.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="rights_requests")
    kind = models.CharField(max_length=15, choices=RequestKind.choices)
    received_on = models.DateField()
    due_on = models.DateField()
    extended_reason = models.CharField(max_length=300, blank=True)
    details = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(blank=True)
    outcome_basis = models.CharField(max_length=100, blank=True)  # e.g. "public task", "legal claims"
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["due_on"], name="rights_open_due_idx", condition=Q(closed_at__isnull=True))]

    def __str__(self):
        return f"{self.get_kind_display()} request {self.pk}"


class RightsRequestAlert(models.Model):
    """A reminder or breach alert sent for a request: at most once per request, stage and due date."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="alerts")
    stage = models.CharField(max_length=10)  # "reminder", "breach"
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "stage", "due_on"], name="rights_alert_once")]

    def __str__(self):
        return f"{self.stage} for request {self.request_id}"


class ThirdParty(models.Model):
    """Someone else in the data an access request would release (a witness, a neighbour, a perpetrator),
    and staff's decision on redacting them before release."""

    class Decision(models.TextChoices):
        REDACT = "redact", "Redact"
        DISCLOSE = "disclose", "Disclose (consent, or reasonable to disclose)"

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="third_parties")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.REDACT)
    reason = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "party"], name="third_party_once")]

    def __str__(self):
        return f"{self.get_decision_display()}: party {self.party_id}"


class Release(models.Model):
    """An access bundle released to the requester: logged, with a digest of what was sent (not the data)."""

    request = models.ForeignKey(RightsRequest, on_delete=models.PROTECT, related_name="releases")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(default=timezone.now)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    method = models.CharField(max_length=100)  # "secure email", "post (encrypted USB)", ...

    def __str__(self):
        return f"Release of request {self.request_id} on {self.released_at:%Y-%m-%d}"
