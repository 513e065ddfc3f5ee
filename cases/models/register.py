"""The register: one record per person and per place across cases.

A `Party` is a person's part in one case (role, what they told us then); `Party.person` links it to
the one `Person` record that all their cases share. A `Place` is a normalised address that cases
happen at. Matching rules live in `cases.services.register`; merges keep their history
(`PersonMerge`) so they can be undone.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Person(models.Model):
    """Someone known to the service, across all their cases. Contact details are the latest known."""

    full_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    phone_normalised = models.CharField(max_length=20, blank=True, editable=False)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Set by staff (and kept across cases): a vulnerable victim is flagged wherever they appear.
    is_vulnerable = models.BooleanField(default=False)
    vulnerability_note = models.CharField(max_length=300, blank=True)
    # A merged record is retired, not deleted: its parties moved to `merged_into` (PersonMerge says which).
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_people")
    # Personal data removed by the retention schedule; the row stays so figures keep adding up.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["phone_normalised"], name="person_phone_idx", condition=~Q(phone_normalised="")),
            models.Index(fields=["email"], name="person_email_idx", condition=~Q(email="")),
            models.Index(fields=["postcode"], name="person_postcode_idx", condition=~Q(postcode="")),
            models.Index(fields=["date_of_birth"], name="person_dob_idx", condition=Q(date_of_birth__isnull=False)),
        ]

    def __str__(self):
        return self.full_name


class PersonMerge(models.Model):
    """Two person records found to be one: `merged` retired into `kept`. Undone by re-pointing `party_ids`."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_retired")
    party_ids = models.JSONField(default=list)  # the parties that moved from `merged` to `kept`
    reason = models.CharField(max_length=300, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self):
        return f"{self.merged_id} into {self.kept_id}"


class PossibleMatch(models.Model):
    """A weak match found on intake, left for staff to confirm or reject (never merged silently)."""

    class Decision(models.TextChoices):
        SAME = "same", "The same person"
        DIFFERENT = "different", "Not the same person"

    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="possible_matches")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="possible_matches")
    reasons = models.CharField(max_length=300)  # "same address; similar name"
    found_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "person"], name="possible_match_once")]

    def __str__(self):
        return f"party {self.party_id} may be person {self.person_id}"


class Place(models.Model):
    """An address problems happen at, normalised so the same door is one place (`key`)."""

    address = models.CharField(max_length=300)
    postcode = models.CharField(max_length=10, blank=True)
    # First address line and postcode, upper-cased without punctuation or spaces: "14BELLSTREET|LE181AA".
    key = models.CharField(max_length=320, unique=True)
    uprn = models.CharField("UPRN", max_length=12, blank=True, help_text="Unique Property Reference Number, if known.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["address"]

    def __str__(self):
        return f"{self.address}, {self.postcode}".strip(", ")


class RepeatRule(models.Model):
    """When someone counts as a repeat victim or repeat perpetrator: `cases` cases in `months` months.
    Data a manager edits (this council's default: 3 in 12 months)."""

    class Kind(models.TextChoices):
        VICTIM = "victim", "Repeat victim"
        PERPETRATOR = "perpetrator", "Repeat perpetrator"

    kind = models.CharField(max_length=12, choices=Kind.choices, unique=True)
    cases = models.PositiveSmallIntegerField(default=3)
    months = models.PositiveSmallIntegerField(default=12)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(name="repeat_rule_positive", condition=Q(cases__gte=2, months__gte=1))]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.cases} cases in {self.months} months"
