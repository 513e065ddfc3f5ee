"""Satisfaction surveys: who was asked, how, what they answered, and what we did about it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Case, Party


class Purpose(models.TextChoices):
    CLOSURE = "closure", "At closure"
    MID_CASE = "mid_case", "Mid-case check"
    PHONE = "phone", "Taken by phone"


class SurveyChannel(models.TextChoices):
    EMAIL = "email", "Email link"
    SMS = "sms", "Text message link"
    PHONE = "phone", "Phone call by staff"


class Invitation(models.Model):
    """One person asked once. Email and text carry a signed, single-use, expiring link; phone is a staff task."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survey_invitations")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="survey_invitations")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=SurveyChannel.choices)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # Invited once at closure, whatever reopening and closing again happens.
            models.UniqueConstraint(fields=["case", "party"], condition=Q(purpose="closure"), name="one_closure_survey_per_person"),
        ]
        indexes = [models.Index(fields=["sent_at"], condition=Q(responded_at__isnull=True, reminded_at__isnull=True), name="survey_unreminded_idx")]

    def __str__(self):
        return f"{self.case} {self.party} ({self.purpose})"


class OptOut(models.Model):
    """Someone who asked not to be surveyed: never contacted again for surveys."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="survey_opt_out")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.party)


SCALE = [
    ("5", "Very satisfied"),
    ("4", "Satisfied"),
    ("3", "Neither satisfied nor dissatisfied"),
    ("2", "Dissatisfied"),
    ("1", "Very dissatisfied"),
]
AGREE = [("5", "Strongly agree"), ("4", "Agree"), ("3", "Neither agree nor disagree"), ("2", "Disagree"), ("1", "Strongly disagree")]


class Response(models.Model):
    """Answers, kept with what they are about (officer, category, channel) as they were when given."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    overall = models.PositiveSmallIntegerField(help_text="5 very satisfied … 1 very dissatisfied")
    treated_fairly = models.PositiveSmallIntegerField()
    listened_to = models.PositiveSmallIntegerField()
    kept_updated = models.PositiveSmallIntegerField()
    first_contact_speed = models.PositiveSmallIntegerField()
    staff_polite = models.PositiveSmallIntegerField()
    comments = models.TextField(blank=True)
    may_contact = models.BooleanField(default=False)
    taken_by_phone = models.BooleanField(default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category_name = models.CharField(max_length=100)
    report_channel = models.CharField(max_length=10)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["submitted_at"], name="survey_response_submitted_idx")]
        constraints = [
            models.CheckConstraint(
                name="survey_answers_on_scale",
                condition=Q(overall__range=(1, 5), treated_fairly__range=(1, 5), listened_to__range=(1, 5),
                            kept_updated__range=(1, 5), first_contact_speed__range=(1, 5), staff_polite__range=(1, 5)),
            )
        ]

    def __str__(self):
        return f"Response to {self.invitation}"

    @property
    def satisfied(self) -> bool:
        return self.overall >= 4


class CommentAction(models.Model):
    """You said, we did: what was done about a comment."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self):
        return self.text[:40]
