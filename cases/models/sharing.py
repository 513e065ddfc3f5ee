"""Working with partner agencies: who belongs to which agency, its sharing agreement, the cases shared
with it (and within what scope), and the access log of who opened what.

These live in `cases` because the access policy (`cases.policy`) reads them: a partner's querysets
are the shares of their agency.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone


class AgencyMember(models.Model):
    """A partner user's agency. A partner role without one sees nothing."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership")
    agency = models.ForeignKey("cases.PartnerAgency", on_delete=models.PROTECT, related_name="members")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user} ({self.agency})"


class LawfulBasis(models.TextChoices):
    CDA_S115 = "cda_s115", "Crime and Disorder Act 1998, section 115"
    PUBLIC_TASK = "public_task", "UK GDPR Article 6(1)(e): public task"
    CDA_S115_AND_PUBLIC_TASK = "s115_public_task", "Crime and Disorder Act 1998 s.115 with UK GDPR Article 6(1)(e)"
    LEGAL_OBLIGATION = "legal_obligation", "UK GDPR Article 6(1)(c): legal obligation"
    CONSENT = "consent", "UK GDPR Article 6(1)(a): consent"


class SharingAgreement(models.Model):
    """An information-sharing agreement with one agency. Without one in force nothing is shared with it."""

    agency = models.ForeignKey("cases.PartnerAgency", on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(max_length=200)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    what_may_be_shared = models.TextField()
    signed_on = models.DateField()
    # The agreement lapses after this day until it is reviewed and renewed (a new row).
    review_by = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="Ended early (the agency left the partnership).")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(name="agreement_review_after_signing", condition=Q(review_by__gte=models.F("signed_on"))),
        ]

    def __str__(self):
        return f"{self.title} ({self.agency})"

    def in_force_on(self, day) -> bool:
        return self.signed_on <= day <= self.review_by and (self.ended_on is None or day < self.ended_on)


class ShareScope(models.TextChoices):
    """What a share shows, each level adding to the one before. Ordered: compare with SCOPE_ORDER."""

    REFERENCE = "reference", "Reference only (locked down)"
    SUMMARY = "summary", "Summary and people"
    TIMELINE = "timeline", "Summary, people and entries marked for partners"
    EVIDENCE = "evidence", "Summary, people, entries marked for partners and chosen evidence"


SCOPE_ORDER = {scope: n for n, scope in enumerate(ShareScope.values)}


class CaseShare(models.Model):
    """A case shared with one agency, for a reason, within a scope, until it ends or is stopped."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey("cases.PartnerAgency", on_delete=models.PROTECT, related_name="shares")
    reason = models.TextField()
    scope = models.CharField(max_length=10, choices=ShareScope.choices, default=ShareScope.SUMMARY)
    ends_on = models.DateField(null=True, blank=True, help_text="Sharing stops at the end of this day.")
    evidence = models.ManyToManyField("cases.Evidence", blank=True, related_name="shares")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stop_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-shared_at", "-id"]
        constraints = [
            # One live share per case and agency: a second "share" changes the first.
            models.UniqueConstraint(fields=["case", "agency"], condition=Q(stopped_at__isnull=True), name="one_live_share_per_agency"),
        ]
        indexes = [
            # The partner's case list: live shares of one agency.
            models.Index(fields=["agency", "case"], name="share_agency_live_idx", condition=Q(stopped_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.case_id} shared with {self.agency_id}"


class PersonBasis(models.TextChoices):
    """Why a person's details may go to a partner."""

    CONSENT = "consent", "They agreed to sharing"
    SAFEGUARDING = "safeguarding", "Safeguarding (without consent)"
    CRIME_PREVENTION = "crime", "Prevention or detection of crime or disorder (without consent)"


class SharedPerson(models.Model):
    """A person whose details a share includes, and on what basis. People not listed are withheld."""

    share = models.ForeignKey(CaseShare, on_delete=models.CASCADE, related_name="people")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="shares")
    basis = models.CharField(max_length=20, choices=PersonBasis.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["share", "party"], name="shared_person_once")]

    def __str__(self):
        return f"{self.party_id} in share {self.share_id}"


class AccessEvent(models.TextChoices):
    CASE_VIEW = "case_view", "Opened the case"
    EVIDENCE = "evidence", "Downloaded evidence"
    EXPORT = "export", "Exported data"


class AccessLogEntry(models.Model):
    """Who saw what. Append-only: a database trigger (migration 0017) refuses UPDATE, and DELETE
    except by the retention purge (`cases.services.access_log.access_log_purge`, run by a confirmed
    retention run). Plain ids, not foreign keys, so the log outlives the case, user or agency it
    names; the names are copied for the same reason."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    username = models.CharField(max_length=150)
    agency = models.ForeignKey("cases.PartnerAgency", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    agency_name = models.CharField(max_length=150, blank=True)
    case = models.ForeignKey("cases.Case", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    case_reference = models.CharField(max_length=20, blank=True)
    event = models.CharField(max_length=20, choices=AccessEvent.choices)
    detail = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "access log entries"
        indexes = [
            models.Index(fields=["case", "-at"], name="accesslog_case_idx"),
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
            models.Index(fields=["agency", "-at"], name="accesslog_agency_idx"),
            models.Index(fields=["-at"], name="accesslog_at_idx"),
            # The access log's filters (case-insensitive, newest first): a county's log holds millions of rows.
            models.Index(Upper("username"), F("at").desc(), name="accesslog_username_upper_idx"),
            models.Index(Upper("case_reference"), F("at").desc(), name="accesslog_reference_upper_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.event} {self.case_reference}"
