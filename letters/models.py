"""Letters and notices: templates as data that managers edit, and the documents generated from them on a case.

A generated document is immutable: its wording, the values filled in and the PDF are kept as made, with who made
it and when. The database refuses a change to any of them (a trigger, migration 0001); only recording it as sent
or served (once) writes to the row afterwards.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Action, Case, Party


class DocumentKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", "First contact letter"
    UPDATE = "update", "Update letter"
    WARNING = "warning", "Warning letter"
    ABC = "abc", "Acceptable Behaviour Contract"
    CPW = "cpw", "Community Protection Warning"
    CPN = "cpn", "Community Protection Notice"
    CLOSURE_NOTICE = "closure_notice", "Closure notice"
    CASE_REVIEW_OUTCOME = "case_review_outcome", "Case Review outcome letter"


class DocumentTemplate(models.Model):
    """The wording of one kind of letter or notice, with placeholders from the case ({case_reference}, {conduct}).
    One per kind; a manager edits it. Each save bumps `version`; documents keep the wording they were made with."""

    kind = models.CharField(max_length=30, choices=DocumentKind.choices, unique=True)
    name = models.CharField(max_length=150)
    # The title printed at the top of the document ("Community Protection Warning").
    heading = models.CharField(max_length=150)
    # Paragraphs separated by a blank line; {placeholders} from letters.fields.
    wording = models.TextField()
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return self.name


class TemplateChange(models.Model):
    """Each saved version of a template's wording: who changed it, when, and what it said."""

    template = models.ForeignKey(DocumentTemplate, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    heading = models.CharField(max_length=150)
    wording = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["template", "version"], name="one_template_change_per_version")]

    def __str__(self):
        return f"{self.template} v{self.version}"


class DeliveryMethod(models.TextChoices):
    POST = "post", "By post"
    HAND = "hand", "By hand"
    EMAIL = "email", "By email"


def document_upload_to(instance, filename):
    # A random name; the document's own number is in the row.
    return f"documents/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """A letter or notice generated on a case, kept exactly as made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    # "ASB-2026-00042/CPW/1": the case, the kind, and how many of that kind the case has had.
    number = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    template = models.ForeignKey(DocumentTemplate, on_delete=models.PROTECT, related_name="documents")
    template_version = models.PositiveIntegerField()
    heading = models.CharField(max_length=150)
    wording = models.TextField()  # the template's wording when it was made
    # Who it is to (a person on the case; null for a Case Review applicant who is not one, or premises).
    recipient = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_address = models.TextField(blank=True)
    # Every value the placeholders took, as filled in ({"conduct": "...", "comply_by": "2026-12-14"}).
    values = models.JSONField(default=dict)
    # How the officer means to send it; the print queue lists those by post not yet recorded as posted.
    delivery = models.CharField(max_length=10, choices=DeliveryMethod.choices)
    pdf = models.FileField(upload_to=document_upload_to, max_length=200)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    submission_key = models.UUIDField(unique=True, editable=False)
    # Recorded once: sent (a letter) or served (a notice), how and when, and by whom.
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_method = models.CharField(max_length=10, choices=DeliveryMethod.choices, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The action against the perpetrator recorded when a notice or contract is served (cases.Action).
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    # Made and then withdrawn before it was sent (a mistake): kept, never sent, never counts.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="document_case_idx"),
            models.Index(fields=["created_at"], name="document_print_queue_idx",
                         condition=Q(delivery="post", sent_at__isnull=True, withdrawn_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                name="document_sent_recorded_whole",
                condition=Q(sent_at__isnull=True, sent_method="") | Q(sent_at__isnull=False) & ~Q(sent_method=""),
            ),
            models.CheckConstraint(name="document_not_sent_and_withdrawn",
                                   condition=Q(sent_at__isnull=True) | Q(withdrawn_at__isnull=True)),
        ]

    def __str__(self):
        return self.number

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
