"""Joint Action Group (JAG) business: the group and its members, the monthly meetings, nominations, the agenda,
attendance, actions between meetings, and the minutes with their amendments.

A JAG is the multi-agency problem-solving meeting (council and police co-chairs, reporting to the Community Safety
Partnership) that tables cases, locations and themes once a month. Terms of reference (ASB-REFERENCE.md): nominations
due two working days before; papers one working day before; urgent items on the day by exception; attendance and the
confidentiality statement recorded at the start; reasons for adding and removing each item; actions with an owner and
a due date, circulated straight after; the action plan reviewed at every meeting.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cases.models import Case, PartnerAgency, Place


class JagGroup(models.Model):
    """A JAG: who sits on it and when it meets (the `week`-th `weekday` of every month: the second Tuesday)."""

    name = models.CharField(max_length=100, unique=True)
    # 1-4: the first to fourth such weekday of the month; 5: the last.
    week = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1), MaxValueValidator(5)])
    weekday = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(4)])  # Monday 0 … Friday 4
    starts_at = models.TimeField()
    location = models.CharField(max_length=200)
    confidentiality_statement = models.TextField()
    # Working days before the meeting: nominations close at the end of the day this many working days before, and
    # papers go to members by the end of the day this many working days before.
    nomination_cutoff_days = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(10)])
    papers_cutoff_days = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(10)])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class JagMember(models.Model):
    """A person on the group: council staff (agency null) or a partner agency's user; co-chairs run the agenda."""

    group = models.ForeignKey(JagGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jag_memberships")
    # The agency they sit for (null: the council). A partner member's agency is their AgencyMember agency.
    agency = models.ForeignKey(PartnerAgency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_co_chair = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_co_chair", "agency__name", "user__last_name"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_jag_membership_per_user")]

    def __str__(self):
        return f"{self.user} on {self.group}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """One monthly meeting. `rule_date` is the day the group's rule gives (unique per group: the schedule is
    generated idempotently); `held_on` is the day it is actually held (the next working day when the rule's day is a
    bank holiday or closure day, or another day when moved with a reason)."""

    group = models.ForeignKey(JagGroup, on_delete=models.PROTECT, related_name="meetings")
    rule_date = models.DateField()
    held_on = models.DateField()
    starts_at = models.TimeField()
    location = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    moved_reason = models.CharField(max_length=300, blank=True)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(null=True, blank=True)
    # The meeting in progress: when it opened (attendance and confidentiality recorded), when it closed.
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    papers_sent_at = models.DateTimeField(null=True, blank=True)
    # Minutes: generated from the record, circulated, approved at the next meeting (then locked: later changes are
    # amendments with who and why).
    minutes = models.TextField(blank=True)
    minutes_circulated_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Bumped by every service that changes it: a form posted with an older version is stale.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["held_on", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "rule_date"], name="one_jag_meeting_per_group_and_month")]
        indexes = [models.Index(fields=["held_on"], name="jag_meeting_held_idx")]

    def __str__(self):
        return f"{self.group} {self.held_on:%-d %B %Y}"

    @property
    def minutes_locked(self) -> bool:
        return self.minutes_approved_at is not None


class ItemKind(models.TextChoices):
    CASE = "case", "A case"
    LOCATION = "location", "A location"
    THEME = "theme", "A theme"


class Nomination(models.Model):
    """Someone asks for a case, a location or a theme to be tabled, with a reason. After the cut-off it is urgent and
    needs a co-chair's acceptance."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="nominations")
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    theme = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(PartnerAgency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    is_urgent = models.BooleanField(default=False)  # made after the cut-off
    accepted = models.BooleanField(null=True, blank=True)  # urgent ones: a co-chair's decision; others: True
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(name="jag_nomination_names_its_subject", condition=(
                Q(kind="case", case__isnull=False) | Q(kind="location", place__isnull=False) | (Q(kind="theme") & ~Q(theme="")))),
            models.UniqueConstraint(fields=["meeting", "case"], condition=Q(case__isnull=False),
                                    name="one_jag_nomination_per_case_and_meeting"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.meeting}"


class ItemSource(models.TextChoices):
    NOMINATION = "nomination", "Nominated"
    CARRIED_OVER = "carried_over", "Carried over from the last meeting"
    HIGH_RISK = "high_risk", "High-risk case with a missed update"
    CASE_REVIEW = "case_review", "Case Review recommendation due"
    ADDED = "added", "Added by the chair"


class ItemOutcome(models.TextChoices):
    KEEP = "keep", "Keep on the agenda"
    CLOSE = "close", "Close"
    ESCALATE = "escalate", "Escalate to the Community Safety Partnership"


class AgendaItem(models.Model):
    """One item on a meeting's agenda, with why it is on; reordered, added and removed by a co-chair with a reason."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    theme = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=20, choices=ItemSource.choices)
    why = models.CharField(max_length=500)  # the reason it is on, in words
    nomination = models.ForeignKey(Nomination, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_reason = models.CharField(max_length=300, blank=True)
    # In the meeting.
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=ItemOutcome.choices, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], condition=Q(case__isnull=False, removed_at__isnull=True),
                                    name="one_jag_item_per_case_and_meeting"),
            models.UniqueConstraint(fields=["meeting", "place"], condition=Q(place__isnull=False, removed_at__isnull=True),
                                    name="one_jag_item_per_place_and_meeting"),
        ]
        indexes = [models.Index(fields=["case"], condition=Q(case__isnull=False), name="jag_item_case_idx")]

    def __str__(self):
        return f"{self.meeting}: {self.position}. {self.get_kind_display()}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    """Who came (or sent apologies), recorded at the start with the confidentiality statement acknowledged."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(JagMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)  # a guest has no membership
    agency = models.ForeignKey(PartnerAgency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    confidentiality_acknowledged = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], condition=Q(member__isnull=False),
                                    name="one_jag_attendance_per_member"),
            models.CheckConstraint(name="jag_present_acknowledged_confidentiality",
                                   condition=~Q(status="present") | Q(confidentiality_acknowledged=True)),
        ]

    def __str__(self):
        return f"{self.name}: {self.status}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped (reason given)"


class JagAction(models.Model):
    """An action agreed in the meeting on an item: an owner agency (null: the council) and person, a due date. Its
    deadline (cases.Deadline, kind jag_action, subject "jag.action:<id>") is swept by the one engine: reminders
    before it is due and an alert when overdue, exactly once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    text = models.TextField()
    owner_agency = models.ForeignKey(PartnerAgency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="jag_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    progress = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "due_on"], condition=Q(status="open"), name="jag_action_owner_open_idx"),
            models.Index(fields=["owner_agency", "due_on"], condition=Q(status="open"), name="jag_action_agency_open_idx"),
        ]

    def __str__(self):
        return f"{self.meeting}: {self.text[:40]}"

    @property
    def subject(self) -> str:
        return f"jag.action:{self.pk}"


class MinutesAmendment(models.Model):
    """A change to minutes already approved (locked): who, when, why, and the text before and after."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="amendments")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    before = models.TextField()
    after = models.TextField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.meeting} amended {self.changed_at:%Y-%m-%d}"


class JagEvent(models.Model):
    """The meeting's history: every service that changes a meeting, its agenda, its actions or its minutes writes one
    row in the same transaction (what happened in words, who, when), as the Case Review's history does."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)  # "meeting.moved", "nomination.made", "item.removed", "action.updated"…
    words = models.CharField(max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    action = models.ForeignKey(JagAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["meeting", "at"], name="jag_event_meeting_at_idx")]

    def __str__(self):
        return f"{self.meeting}: {self.kind}"
