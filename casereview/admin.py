"""Case Review records in the admin: read only. Applications, their stages, meetings, recommendations and the
rules change only through the Case Review screens and services (which keep the history and the stage deadlines)."""

from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from .models import (
    Application,
    ApplicationEvent,
    EscalationRequest,
    Recommendation,
    ReviewMeeting,
    ThresholdFlag,
    ThresholdRule,
    Timescales,
)


@admin.register(ThresholdRule)
class ThresholdRuleAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "min_reports", "window_months", "is_active", "updated_by", "updated_at")


@admin.register(ThresholdFlag)
class ThresholdFlagAdmin(ReadOnlyAdmin):
    list_display = ("case", "rule_text", "met_at", "closed_at")
    list_filter = ("closed_at",)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "route", "received_at", "stage", "spoc", "threshold_met", "proceeds")
    list_filter = ("stage", "route")
    search_fields = ("reference",)


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin):
    list_display = ("application", "summary", "actor", "occurred_at")


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(ReadOnlyAdmin):
    list_display = ("application", "held_on", "chair_name", "independent_chair", "applicant_participation")


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ("application", "owner_agency", "due_on", "status")
    list_filter = ("status",)


@admin.register(EscalationRequest)
class EscalationRequestAdmin(ReadOnlyAdmin):
    list_display = ("application", "requested_at", "in_time", "outcome", "decided_at")


@admin.register(Timescales)
class TimescalesAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "acknowledge_days", "decision_days", "meeting_days", "outcome_days",
                    "escalation_request_days", "escalation_decision_days", "default_spoc")
