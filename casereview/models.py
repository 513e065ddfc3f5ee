"""ASB Case Review (Anti-social Behaviour, Crime and Policing Act 2014 s.104 and Schedule 4).

Threshold rules as data, the cases whose victims have met the threshold, applications and their stages
(stored deadlines in cases.Deadline under the subject "casereview.application:<id>"), the review meeting,
recommendations owned by agencies, the request to look again at the handling, and the timescales.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cases.models import Case, PartnerAgency, Person, PreferredContactMethod


class RuleKind(models.TextChoices):
    # For each victim or complainant on the case (their one record in the register, so across cases): the
    # qualifying reports they made, or that someone made on their behalf.
    ONE_PERSON = "one_person", "Separate incidents reported by one person"
    # On the case (one problem): how many different people reported it.
    DIFFERENT_PEOPLE = "different_people", "Different people reporting the same problem"
    # On the case: how many qualifying reports, from more than one person.
    SEVERAL_REPORTS = "several_reports", "Reports about the same problem from more than one person"
    # Any qualifying report on the case that says it was motivated by hate.
    HATE = "hate", "A hate incident"


class ThresholdRule(models.Model):
    """One way the local threshold can be met. Any active rule met means the threshold is met. Edited by a manager;
    this council's three rules are the default (migration 0002)."""

    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    min_reports = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Reports (or, for different people, people) needed. A hate incident needs 1.",
    )
    window_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Counted back from the day the threshold is judged (the Act allows six months).",
    )
    # Whether an entry in a resident's online incident diary counts as a report under this rule (some councils
    # count only reports made to the council, not diary sheets: then switch it off).
    counts_diary_entries = models.BooleanField(
        default=True, help_text="Count each entry in a resident's online incident diary as a report under this rule.",
    )
    is_active = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=100)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_order", "id"]

    def __str__(self):
        return self.describe()

    def describe(self) -> str:
        """The rule in words, as the public page, the banner and the decision show it."""
        months = f"{self.window_months} month{'s' if self.window_months != 1 else ''}"
        n = self.min_reports
        if self.kind == RuleKind.ONE_PERSON:
            return f"{n} separate incident{'s' if n != 1 else ''} reported by one person within {months}"
        if self.kind == RuleKind.DIFFERENT_PEOPLE:
            return f"{n} different people reporting the same problem within {months}"
        if self.kind == RuleKind.SEVERAL_REPORTS:
            return f"{n} reports about the same problem from more than one person within {months}"
        return f"any hate incident reported within {months}"


class ThresholdFlag(models.Model):
    """That a case's victim met the threshold: the case page's banner and the manager's list read these rows
    (intake writes them; casereview.threshold decides). One open flag per case; it is closed when an application
    is made for the case or a manager records that it was dealt with."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(ThresholdRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule_text = models.CharField(max_length=200)  # the rule in words when it was met (rules change)
    report_ids = models.JSONField(default=list)  # the qualifying reports
    met_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-met_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(closed_at__isnull=True), name="one_open_threshold_flag_per_case"),
        ]
        indexes = [models.Index(fields=["-met_at"], condition=Q(closed_at__isnull=True), name="threshold_flag_open_idx")]

    def __str__(self):
        return f"{self.case_id}: {self.rule_text}"


class Route(models.TextChoices):
    ONLINE = "online", "Online form"
    PHONE = "phone", "Phone"
    PAPER = "paper", "Paper form or letter"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"


class VictimKind(models.TextChoices):
    INDIVIDUAL = "individual", "An individual"
    BUSINESS = "business", "A business"
    COMMUNITY_GROUP = "community_group", "A community group"


class Relationship(models.TextChoices):
    FAMILY = "family", "Family member or friend"
    CARER = "carer", "Carer"
    COUNCILLOR = "councillor", "Councillor"
    MP = "mp", "MP"
    PROFESSIONAL = "professional", "Professional (support worker, social worker, housing officer)"
    OTHER = "other", "Someone else"


class Stage(models.TextChoices):
    RECEIVED = "received", "Received: to acknowledge"
    ACKNOWLEDGED = "acknowledged", "Acknowledged: threshold decision due"
    NOT_MET = "not_met", "Closed: threshold not met"
    AWAITING_MEETING = "awaiting_meeting", "Threshold met: review meeting due"
    MEETING_HELD = "meeting_held", "Review held: outcome due"
    OUTCOME_SENT = "outcome_sent", "Outcome sent"
    ESCALATED = "escalated", "Asked to look again at the handling"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STAGES = (Stage.RECEIVED, Stage.ACKNOWLEDGED, Stage.AWAITING_MEETING, Stage.MEETING_HELD, Stage.ESCALATED)


class ApplicationCounter(models.Model):
    """Last application number per year (CR-2026-0001), bumped atomically like cases' reference counter."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Application(models.Model):
    """An application for an ASB Case Review, from the victim or someone acting with their consent, by any route."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    # One per submission attempt: a refresh or a second click never makes a second application.
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    route = models.CharField(max_length=10, choices=Route.choices)
    received_at = models.DateTimeField()
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.RECEIVED)

    # Who applies: the victim, or someone on their behalf with their consent.
    applicant_is_victim = models.BooleanField(default=True)
    applicant_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices, blank=True)
    victim_consents = models.BooleanField(null=True, blank=True, help_text="On someone's behalf: the victim agreed.")
    victim_kind = models.CharField(max_length=20, choices=VictimKind.choices, default=VictimKind.INDIVIDUAL)
    # The victim's (or business's, or group's) name when the applicant is someone else or an organisation.
    victim_name = models.CharField(max_length=200, blank=True)
    # How to reach the applicant.
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    preferred_contact_method = models.CharField(max_length=10, choices=PreferredContactMethod.choices)
    support_needs = models.TextField(blank=True)

    # The problem and what was done about it.
    location = models.CharField(max_length=300)
    description = models.TextField()
    reported_to = models.JSONField(default=list, blank=True)  # ["council", "police", "housing", "other"]
    case_references = models.CharField(max_length=300, blank=True)  # what the applicant quotes
    first_reported_on = models.DateField(null=True, blank=True)
    last_reported_on = models.DateField(null=True, blank=True)
    impact = models.TextField(blank=True)
    hate_related = models.BooleanField(default=False)

    # What staff link it to: the council case and the victim's record in the register.
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The single point of contact who keeps the applicant updated.
    spoc = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledgement_method = models.CharField(max_length=10, blank=True)  # email, text, phone, letter

    # The threshold decision, with reasons. `proceeds` is whether a review is held: the threshold was met, or
    # (below it) persistence, harm or the adequacy of the response justify one (s.104(5)).
    threshold_met = models.BooleanField(null=True, blank=True)
    threshold_rule = models.CharField(max_length=200, blank=True)  # the rule met, in words (from threshold_for_case)
    proceeds = models.BooleanField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # The outcome letter as sent.
    outcome_letter = models.TextField(blank=True)
    outcome_sent_at = models.DateTimeField(null=True, blank=True)
    outcome_method = models.CharField(max_length=10, blank=True)
    # The last day the applicant was told they may ask for the handling to be looked at again (set with the
    # outcome, or the decision not to hold a review): a later change of the period does not move it.
    escalation_ask_by = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    # Bumped by every service that changes it: a form posted with an older version is stale.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "-received_at"], name="cr_application_stage_idx"),
            models.Index(fields=["received_at"], name="cr_application_received_idx"),
            models.Index(fields=["decided_at"], name="cr_application_decided_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="cr_on_behalf_needs_consent",
                                   condition=Q(applicant_is_victim=True) | Q(victim_consents=True)),
        ]

    def __str__(self):
        return self.reference

    @property
    def subject(self) -> str:
        """The key of this application's stage deadlines in cases.Deadline."""
        return f"casereview.application:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class ApplicationEvent(models.Model):
    """The application's history: every service that changes it writes one (who, when, what)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    summary = models.CharField(max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.application_id}: {self.summary}"


class Participation(models.TextChoices):
    ATTENDED = "attended", "Attended the meeting"
    VIEWS_WRITTEN = "views_written", "Gave their views in writing"
    VIEWS_SPOKEN = "views_spoken", "Gave their views by phone or in person beforehand"
    REPRESENTED = "represented", "Was represented by someone else"
    DECLINED = "declined", "Chose not to take part"


class ReviewMeeting(models.Model):
    """The case review meeting: who chaired and came, what every agency had done, and the action plan."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="meeting")
    held_on = models.DateField()
    chair_name = models.CharField(max_length=200)
    independent_chair = models.BooleanField(default=False)
    agencies_present = models.ManyToManyField(PartnerAgency, blank=True, related_name="+")
    others_present = models.CharField(max_length=300, blank=True)
    applicant_participation = models.CharField(max_length=20, choices=Participation.choices)
    agency_summary = models.TextField(help_text="What every agency did about the problem.")
    action_plan = models.TextField()
    victim_consulted = models.BooleanField(default=False, help_text="The victim was consulted on the action plan.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["held_on"], name="cr_meeting_held_idx")]

    def __str__(self):
        return f"{self.application_id} meeting {self.held_on}"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done (reason given)"


class Recommendation(models.Model):
    """One recommendation of a review, owned by an agency (null: the council) with a due date. Partner users of
    the owning agency see it (no applicant details) and report progress; reminders come from the deadline sweep."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField()
    owner_agency = models.ForeignKey(PartnerAgency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN)
    progress = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner_agency", "due_on"], name="cr_recommendation_agency_idx")]

    def __str__(self):
        return f"{self.application_id}: {self.text[:40]}"

    @property
    def subject(self) -> str:
        return f"casereview.recommendation:{self.pk}"


class EscalationOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld: the review will be looked at again"
    PARTLY = "partly", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld: the handling was right"


class EscalationRequest(models.Model):
    """The applicant asks for the way their application was handled to be looked at again (Schedule 4; the
    Police and Crime Commissioner's office hears it under this council's procedure)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="escalation")
    requested_at = models.DateTimeField()
    route = models.CharField(max_length=10, choices=Route.choices)
    reasons = models.TextField()
    # Asked within the period after the outcome (or the decision not to hold a review).
    in_time = models.BooleanField()
    outcome = models.CharField(max_length=20, choices=EscalationOutcome.choices, blank=True)
    outcome_summary = models.TextField(blank=True)
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.application_id} escalation"


class Timescales(models.Model):
    """The local procedure's timescales in working days, editable by a manager. One row (pk=1)."""

    acknowledge_days = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(30)])
    decision_days = models.PositiveSmallIntegerField(default=10, validators=[MinValueValidator(1), MaxValueValidator(60)])
    meeting_days = models.PositiveSmallIntegerField(default=15, validators=[MinValueValidator(1), MaxValueValidator(60)])
    outcome_days = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(30)])
    escalation_request_days = models.PositiveSmallIntegerField(default=20, validators=[MinValueValidator(1), MaxValueValidator(60)])
    escalation_decision_days = models.PositiveSmallIntegerField(default=15, validators=[MinValueValidator(1), MaxValueValidator(60)])
    # New applications go to this person as single point of contact (a manager can change it per application).
    default_spoc = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "timescales"
        constraints = [models.CheckConstraint(name="cr_timescales_single_row", condition=Q(pk=1))]

    def __str__(self):
        return "Case Review timescales"

    @classmethod
    def current(cls) -> "Timescales":
        return cls.objects.select_related("default_spoc").get_or_create(pk=1)[0]


__all__ = [
    "Application", "ApplicationCounter", "ApplicationEvent", "EscalationOutcome", "EscalationRequest", "OPEN_STAGES", "Participation",
    "Recommendation", "RecommendationStatus", "Relationship", "ReviewMeeting", "Route", "RuleKind", "Stage",
    "ThresholdFlag", "ThresholdRule", "Timescales", "VictimKind",
]
