"""The case file: cases, the reports that open them, the people involved, evidence, the timeline."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q


class AsbType(models.TextChoices):
    """National Standard for Incident Recording types."""

    PERSONAL = "personal", "Personal"
    NUISANCE = "nuisance", "Nuisance"
    ENVIRONMENTAL = "environmental", "Environmental"


class Category(models.Model):
    """What kind of behaviour was reported. Reference data, edited in the admin."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    hint = models.CharField(max_length=200, blank=True, help_text="Shown under the option on the public form.")
    asb_type = models.CharField(max_length=20, choices=AsbType.choices)
    display_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True, help_text="Inactive categories are not offered on new reports.")

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open (investigating)"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.MONITORING)

# Every allowed status move. cases.services.case_status_change refuses anything else.
STATUS_TRANSITIONS = {
    CaseStatus.NEW: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.OPEN: {CaseStatus.MONITORING, CaseStatus.CLOSED},
    CaseStatus.MONITORING: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.OPEN},  # reopening
}


class ClosureReason(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", "Insufficient evidence"
    REFERRED = "referred", "Referred to another agency"
    WITHDRAWN = "withdrawn", "Complainant withdrew"
    MERGED = "merged", "Merged duplicate"


class RiskLevel(models.TextChoices):
    # Until the first assessment a case has no risk level: it is owed updates as standard (14 days) but is shown
    # and counted apart, so nobody reads "standard" as a judgement that was never made.
    NOT_ASSESSED = "not_assessed", "Not assessed"
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    PHONE = "phone", "Phone (call centre)"


class CustomerGroup(models.TextChoices):
    OWNER_OCCUPIER = "owner_occupier", "Resident: owner-occupier"
    COUNCIL_TENANT = "council_tenant", "Resident: council tenant"
    PRIVATE_TENANT = "private_tenant", "Resident: private tenant"
    HOUSING_ASSOCIATION_TENANT = "ha_tenant", "Resident: housing association tenant"
    VISITOR = "visitor", "Visitor to the borough"
    BUSINESS = "business", "Business or employee of a business"


class PreferredContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    LETTER = "letter", "Letter"


class PartyRole(models.TextChoices):
    REPORTER = "reporter", "Reporter (on someone's behalf)"
    VICTIM = "victim", "Victim"
    COMPLAINANT = "complainant", "Complainant"
    WITNESS = "witness", "Witness"
    PERPETRATOR = "perpetrator", "Alleged perpetrator"


UPDATE_ROLES = (PartyRole.VICTIM, PartyRole.COMPLAINANT, PartyRole.REPORTER)


class Frequency(models.TextChoices):
    ONCE = "once", "It happened once"
    DAILY = "daily", "Every day or most days"
    WEEKLY = "weekly", "Once or twice a week"
    MONTHLY = "monthly", "A few times a month"
    OCCASIONALLY = "occasionally", "Now and then"


class Case(models.Model):
    """The file an officer works. One case can hold several reports about the same problem."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases")
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices, default=RiskLevel.NOT_ASSESSED)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # Where the problem is (copied from the first report; officers may correct it).
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    location_description = models.CharField(max_length=500, blank=True)
    hate_motivated = models.BooleanField(default=False)
    # When the first report came in (a phone report logged later still counts from the call).
    received_at = models.DateTimeField()
    closure_reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases")
    # Where it happens, in the place register (set by intake and when the address changes).
    place = models.ForeignKey("cases.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    # Locked down (sensitive): partners see only the reference, the agencies involved and the officer's
    # name until the officer widens a share's scope again.
    is_locked_down = models.BooleanField(default=False)
    # Bumped by every service that changes the case: a form posted with an older version is stale.
    version = models.PositiveIntegerField(default=1)
    # Reports' descriptions and impact, for full-text search; kept by cases.services.
    search_document = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="case_status_received_idx"),
            models.Index(fields=["-received_at"], name="case_open_received_idx", condition=~Q(status="closed")),
            models.Index(fields=["officer", "status"], name="case_officer_status_idx"),
            # The dashboard's "now" figures and workload read every open case: covered by this index alone (an
            # index-only scan of ~50,000 entries at 1,000,000 cases, not 50,000 heap pages).
            models.Index(fields=["risk_level", "received_at", "category", "officer"], include=["id"],
                         name="case_open_figures_idx", condition=Q(status__in=OPEN_STATUSES)),
            # The case list's default order, for all statuses (the first page without a sort).
            models.Index(fields=["-received_at", "-id"], name="case_received_idx"),
            GinIndex(fields=["search_document"], name="case_search_idx"),
            # Trigram (pg_trgm) indexes on UPPER(reference, address, location_description) for the case
            # list's "contains" search are created in migration 0011 with SQL (Django writes the opclass
            # inside the expression's parentheses, which PostgreSQL refuses).
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseReferenceCounter(models.Model):
    """Last case number issued per year; bumped atomically by cases.services.case_reference_next."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Party(models.Model):
    """A person (or an unknown person or group) and their part in one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    # The one record of this person across cases (cases.models.register); null for unknown people or groups.
    person = models.ForeignKey("cases.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="parties")
    # A known person…
    full_name = models.CharField(max_length=200, blank=True)
    # …or a description of unknown people or a group.
    is_unknown = models.BooleanField(default=False, help_text="Not a known person: unknown people or a group.")
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    # Digits only ("07700900123"), for matching repeat callers.
    phone_normalised = models.CharField(max_length=20, blank=True, editable=False)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    preferred_contact_method = models.CharField(max_length=10, choices=PreferredContactMethod.choices, blank=True)
    best_times = models.CharField(max_length=200, blank=True)
    customer_group = models.CharField(max_length=20, choices=CustomerGroup.choices, blank=True)
    support_needs = models.JSONField(default=list, blank=True)
    support_details = models.TextField(blank=True)
    consent_to_share = models.BooleanField(
        null=True, blank=True, help_text="Agreed we may share details with partner agencies (Police, NHS and others)."
    )
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    # Shown prominently to every officer: e.g. violent, dog on premises, visit in pairs.
    staff_safety_warning = models.BooleanField(default=False)
    staff_safety_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "parties"
        indexes = [
            models.Index(fields=["phone_normalised"], name="party_phone_idx", condition=~Q(phone_normalised="")),
            models.Index(fields=["email"], name="party_email_idx", condition=~Q(email="")),
            models.Index(fields=["postcode"], name="party_postcode_idx", condition=~Q(postcode="")),
            # Trigram indexes on UPPER(full_name) and UPPER(address): migration 0011, with SQL.
        ]
        constraints = [
            models.CheckConstraint(
                name="party_known_or_described",
                condition=Q(is_unknown=False) & ~Q(full_name="") | Q(is_unknown=True) & ~Q(description=""),
            )
        ]

    def __str__(self):
        return self.full_name or self.description[:40]

    @property
    def is_owed_updates(self) -> bool:
        """Victims and complainants (a reporter on someone's behalf complains for them) get updates."""
        return self.role in UPDATE_ROLES and not self.is_unknown


class Report(models.Model):
    """What came in: one report, online or by phone, attached to a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reports")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(db_index=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="logged_reports"
    )
    # Null when anonymous.
    reporter = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    reporter_role = models.CharField(max_length=20, choices=PartyRole.choices)
    # Reporting on someone's behalf: the victim it is for (null otherwise, and on reports made before this was kept).
    on_behalf_of = models.ForeignKey(Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_for_them")
    is_anonymous = models.BooleanField(default=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    # What else is happening besides the main category (noise and intimidation, say).
    other_categories = models.ManyToManyField(Category, blank=True, related_name="also_in_reports")
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    location_description = models.CharField(max_length=500, blank=True)
    is_ongoing = models.BooleanField(default=False)
    incident_date = models.DateField(null=True, blank=True)
    incident_time = models.TimeField(null=True, blank=True)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    description = models.TextField()
    impact = models.TextField(blank=True)
    hate_motivated = models.CharField(
        max_length=10, choices=[("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")], default="no"
    )
    hate_characteristics = models.JSONField(default=list, blank=True)
    # One per submission attempt: a refresh or a second click never makes a second report.
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                name="report_phone_has_logged_by",
                condition=~Q(channel="phone") | Q(logged_by__isnull=False),
            ),
            models.CheckConstraint(
                name="report_anonymous_has_no_reporter",
                condition=Q(is_anonymous=True, reporter__isnull=True) | Q(is_anonymous=False, reporter__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.case.reference} report {self.received_at:%Y-%m-%d}"


def evidence_upload_to(instance, filename):
    # A random name: the resident's file name is kept in original_name only.
    return f"{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file (photo, document, audio, video) attached to a case. Served only to staff."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set while a resident is still filling in the online form; cleared when the report is sent.
    staging_key = models.UUIDField(null=True, blank=True, db_index=True)
    # Sent with an entry in the resident's online diary (cases.DiaryEntry).
    diary_entry = models.ForeignKey("cases.DiaryEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    # Uploaded by the resident from their case page (uploaded_by is then empty).
    from_resident = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                name="evidence_attached_or_staged",
                condition=Q(case__isnull=False) | Q(staging_key__isnull=False),
            )
        ]

    def __str__(self):
        return self.original_name


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal"
    STAFF = "staff", "Staff"
    RESIDENT = "resident", "Shareable with the resident"
    PARTNERS = "partners", "Shared with partner agencies"


class TimelineKind(models.TextChoices):
    REPORT = "report", "Report"
    CONTACT = "contact", "Contact"
    NOTE = "note", "Note"
    RISK = "risk", "Risk assessment"
    ACTION = "action", "Action"
    BREACH = "breach", "Breach"
    REFERRAL = "referral", "Referral"
    STATUS = "status", "Status change"
    ASSIGNMENT = "assignment", "Assignment"
    EVIDENCE = "evidence", "Evidence"
    PARTY = "party", "People"
    EDIT = "edit", "Change"
    MERGE = "merge", "Merge"
    MESSAGE = "message", "Message"
    SHARE = "share", "Sharing"
    DIARY = "diary", "Diary entry"
    RESIDENT = "resident", "From the resident"
    UPDATE = "update", "Update to the resident"
    DOCUMENT = "document", "Letter or notice"


class TimelineEntry(models.Model):
    """One thing that happened on a case, who did it and when. Also the case's audit trail.

    Every service that changes a case writes one; `changes` holds old and new values.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=TimelineKind.choices)
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.STAFF)
    # Shareable with one person only (an update sent to them): their case page shows it, nobody else's does.
    for_party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Written by a partner agency's user: shown to the team marked as from that agency.
    agency = models.ForeignKey("cases.PartnerAgency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # When it happened (a diary entry can be written up later); created_at is when it was recorded.
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_at"], name="timeline_case_occurred_idx")]
        verbose_name_plural = "timeline entries"

    def __str__(self):
        return f"{self.case_id} {self.kind}: {self.summary}"
