"""What residents do on their own case page: their personal links, their incident diary, what they ask of us."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from .core import Case, Party, Report


class ResidentLink(models.Model):
    """One person's personal link to their case page (a reporter, victim or complainant; or an anonymous reporter,
    through their report). At most one live link per person per case; revoking or rotating ends it for good.

    The token itself is never stored: it is an HMAC of `nonce` under SECRET_KEY (cases.services.resident_links),
    found again by its SHA-256 `token_digest`. A copy of the database alone opens nobody's case.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="resident_links")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="resident_links")
    # An anonymous reporter has no party: their link follows their report.
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="resident_links")
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # "Rotated at the resident's request", "Revoked by staff: <reason>".
    revoke_reason = models.CharField(max_length=300, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    # The plain-words status the last update message gave this person ("" before any): the next one says when it changed.
    status_told = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="resident_link_party_or_report",
                condition=Q(party__isnull=False, report__isnull=True) | Q(party__isnull=True, report__isnull=False),
            ),
            models.UniqueConstraint(fields=["party"], condition=Q(revoked_at__isnull=True, party__isnull=False),
                                    name="one_live_resident_link_per_party"),
            models.UniqueConstraint(fields=["report"], condition=Q(revoked_at__isnull=True, report__isnull=False),
                                    name="one_live_resident_link_per_report"),
        ]

    def __str__(self):
        return f"Link for {self.party or 'anonymous reporter'} on {self.case_id}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class DiaryEntry(models.Model):
    """One entry in a resident's online incident diary (the diary sheet, online). Immutable once sent: a
    correction is a new entry pointing at the one it corrects. The database refuses any change to a sent entry's
    words (a trigger, migration 0024), except the privacy service's erasure."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="diary_entries")
    # Who wrote it: a person on the case, or an anonymous reporter (through their report).
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="diary_entries")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="diary_entries")
    link = models.ForeignKey(ResidentLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="diary_entries")
    # When it happened, as the resident tells it (London time, stored in UTC).
    happened_at = models.DateTimeField()
    what_happened = models.TextField()
    who_involved = models.TextField(blank=True)
    how_affected = models.TextField(blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    # Timestamped on receipt (the server's clock, never the resident's).
    received_at = models.DateTimeField()
    # One per form: a double click or a refresh never makes a second entry.
    submission_key = models.UUIDField(unique=True, editable=False)

    class Meta:
        ordering = ["-happened_at", "-received_at"]
        verbose_name_plural = "diary entries"
        indexes = [models.Index(fields=["case", "-happened_at"], name="diary_case_happened_idx")]
        constraints = [
            models.CheckConstraint(
                name="diary_entry_party_or_report",
                condition=Q(party__isnull=False, report__isnull=True) | Q(party__isnull=True, report__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Diary entry on {self.case_id} for {self.happened_at:%Y-%m-%d %H:%M}"


class ResidentRequestKind(models.TextChoices):
    DIARY = "diary", "Added a diary entry"
    EVIDENCE = "evidence", "Uploaded evidence"
    CALLBACK = "callback", "Asked to be called back"
    CONTACT_PREFERENCE = "contact_preference", "Changed how we contact them"
    STOPPED = "stopped", "Says the problem has stopped"
    STARTED_AGAIN = "started_again", "Says the problem has started again"
    NEW_LINK = "new_link", "Asked for a new link"


class ResidentRequest(models.Model):
    """Something a resident did or asked for on their case page. Each reaches the officer's home (until the
    officer marks it dealt with) and the case timeline; none changes a deadline by itself."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="resident_requests")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="resident_requests")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="resident_requests")
    link = models.ForeignKey(ResidentLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    kind = models.CharField(max_length=20, choices=ResidentRequestKind.choices)
    # What they told us, in words for the officer ("Call 07700 900123, weekday evenings").
    details = models.TextField(blank=True)
    # Structured extras (the diary entry's id, the evidence ids, the old and new contact preference).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    submission_key = models.UUIDField(unique=True, editable=False)
    dealt_with_at = models.DateTimeField(null=True, blank=True)
    dealt_with_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="resident_req_open_idx", condition=Q(dealt_with_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                name="resident_request_party_or_report",
                condition=Q(party__isnull=False, report__isnull=True) | Q(party__isnull=True, report__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.case_id})"
