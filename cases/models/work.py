"""Working a case: contacts, risk assessments, actions against perpetrators, partner referrals."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .core import Case, Party, RiskLevel


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    LETTER = "letter", "Letter"
    VISIT = "visit", "Home visit"
    IN_PERSON = "in_person", "In person (office or elsewhere)"


class Direction(models.TextChoices):
    OUT = "out", "We contacted them"
    IN = "in", "They contacted us"


class Contact(models.Model):
    """A contact with a party. Stores the facts the SLA engine reads: first contact and updates."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="contacts")
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUT)
    successful = models.BooleanField(help_text="False for a documented attempt (no answer, returned letter).")
    summary = models.TextField()
    occurred_at = models.DateTimeField()
    # The first contact with a reporter (successful or a documented attempt) meets the 3-working-day promise.
    is_first_contact = models.BooleanField(default=False)
    # A contact that tells a victim or complainant about progress counts as an update.
    is_update = models.BooleanField(default=False)
    # The update given before the case closes; closing needs one for each victim and complainant.
    is_final_update = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="contact_case_idx"),
            models.Index(fields=["party", "-occurred_at"], name="contact_update_idx", condition=Q(is_update=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["party"], condition=Q(is_first_contact=True), name="one_first_contact_per_party"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} with {self.party} on {self.occurred_at:%Y-%m-%d}"


class ContactPrompt(models.Model):
    """Something to tell or ask a person at the next contact, put there by a rule (an app above cases registers
    it: "this is their second report in six months: explain the ASB Case Review"). The officer's first-contact
    task shows the guidance; recording a successful contact with the person asks the question, and the answer is
    stored here with the contact. One open prompt per person and topic."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="prompts")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="prompts")
    # Which report raised it (null when raised otherwise).
    report = models.ForeignKey("cases.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.CharField(max_length=40)  # "case_review"
    guidance = models.CharField(max_length=300)  # shown on the first-contact task
    question = models.CharField(max_length=200)  # asked when recording the contact: "Case Review explained?"
    created_at = models.DateTimeField()
    answer = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="prompt_answers")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["topic", "created_at"], name="prompt_topic_created_idx")]
        constraints = [
            models.UniqueConstraint(fields=["party", "topic"], condition=Q(answered_at__isnull=True),
                                    name="one_open_prompt_per_party_and_topic"),
            models.CheckConstraint(name="prompt_answer_with_time",
                                   condition=Q(answer__isnull=True, answered_at__isnull=True)
                                   | Q(answer__isnull=False, answered_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.topic} for {self.party}"


# An assessment always gives a level; "not assessed" belongs to a case that has none yet.
ASSESSED_LEVELS = [(value, label) for value, label in RiskLevel.choices if value != RiskLevel.NOT_ASSESSED]


class RiskQuestionSet(models.Model):
    """A risk assessment form, held as data. The active set is used for new assessments."""

    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    medium_from = models.PositiveSmallIntegerField(help_text="A score of this or more is medium risk.")
    high_from = models.PositiveSmallIntegerField(help_text="A score of this or more is high risk.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_risk_set"),
            models.CheckConstraint(condition=Q(high_from__gt=models.F("medium_from")), name="risk_bands_ordered"),
        ]

    def __str__(self):
        return self.name

    def level_for(self, score: int, *, forced_high: bool = False) -> str:
        if forced_high or score >= self.high_from:
            return RiskLevel.HIGH
        if score >= self.medium_from:
            return RiskLevel.MEDIUM
        return RiskLevel.STANDARD


class RiskQuestion(models.Model):
    question_set = models.ForeignKey(RiskQuestionSet, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    forces_high = models.BooleanField(default=False, help_text="A yes makes the assessment high risk whatever the score.")
    short_label = models.CharField(
        max_length=100, blank=True,
        help_text="A few words shown beside the score when a yes forces high risk, e.g. \"violence or threats reported\".",
    )
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["display_order", "id"]

    def __str__(self):
        return self.text


class RiskAssessment(models.Model):
    """One completed assessment. History is kept; the latest sets the case's risk level."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_assessments")
    question_set = models.ForeignKey(RiskQuestionSet, on_delete=models.PROTECT, related_name="+")
    # [{"question": text, "weight": n, "answer": bool}], a snapshot: later edits to questions do not rewrite history.
    answers = models.JSONField()
    score = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=ASSESSED_LEVELS)
    # Short labels of the yes answers that forced the band whatever the score (empty when the score set it).
    forced_by = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self):
        return f"{self.case_id} {self.level} ({self.score})"

    @property
    def band_reason(self) -> str:
        """"High: violence or threats reported" when an answer forced the band; empty when the score set it."""
        return f"{self.get_level_display()}: {', '.join(self.forced_by)}" if self.forced_by else ""


class ActionType(models.Model):
    """A kind of action against a perpetrator. Durations, appeal windows and ages are data, not code."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    formality = models.PositiveSmallIntegerField(default=10, help_text="Order from least to most formal.")
    description = models.CharField(max_length=300, blank=True)
    default_duration_days = models.PositiveIntegerField(null=True, blank=True, help_text="Sets the expiry date if none is given.")
    appeal_days = models.PositiveIntegerField(null=True, blank=True, help_text="Days after service to appeal, where the law gives one.")
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["formality", "name"]

    def __str__(self):
        return self.name


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_FORCE = "in_force", "In force"
    COMPLIED = "complied", "Complied"
    BREACHED = "breached", "Breached"
    ENDED = "ended", "Ended"


# Every allowed move of an action's status. cases.services.action_update refuses anything else.
# A breach can be recorded against an action marked complied (it happened before, or after, the outcome was
# written); a breached action may stay in force. Ended is final.
ACTION_STATUS_TRANSITIONS = {
    ActionStatus.PLANNED: {ActionStatus.IN_FORCE, ActionStatus.ENDED},
    ActionStatus.IN_FORCE: {ActionStatus.COMPLIED, ActionStatus.BREACHED, ActionStatus.ENDED},
    ActionStatus.COMPLIED: {ActionStatus.BREACHED, ActionStatus.ENDED},
    ActionStatus.BREACHED: {ActionStatus.IN_FORCE, ActionStatus.ENDED},
    ActionStatus.ENDED: set(),
}


class Action(models.Model):
    """An action against a perpetrator, with its dates and outcome."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    action_type = models.ForeignKey(ActionType, on_delete=models.PROTECT, related_name="actions")
    perpetrator = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.IN_FORCE)
    served_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    appeal_by = models.DateField(null=True, blank=True)
    details = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["review_on"], name="action_review_idx", condition=Q(status__in=["planned", "in_force"])),
            models.Index(fields=["expires_on"], name="action_expiry_idx", condition=Q(status__in=["planned", "in_force"])),
        ]

    def __str__(self):
        return f"{self.action_type} ({self.case_id})"


class Breach(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="breaches")
    occurred_on = models.DateField()
    description = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name_plural = "breaches"

    def __str__(self):
        return f"Breach of {self.action} on {self.occurred_on}"


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and Rescue"
    HEALTH = "health", "NHS"
    SOCIAL_CARE = "social_care", "Social Services"
    FAMILY = "family", "Children and Family Wellbeing"
    EDUCATION = "education", "Schools and colleges"
    HOUSING = "housing", "Housing provider"
    CSP = "csp", "Community Safety Partnership"
    OTHER = "other", "Other"


class PartnerAgency(models.Model):
    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices, default=AgencyKind.OTHER)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"

    def __str__(self):
        return self.name


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent, awaiting response"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    agency = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="referrals")
    reason = models.TextField()
    referred_on = models.DateField()
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    response = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    # Who answered: a partner user in ASB Portal, or the officer recording an answer given elsewhere.
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-id"]

    def __str__(self):
        return f"{self.agency} ({self.case_id})"
