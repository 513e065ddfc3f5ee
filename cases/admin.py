"""Django admin: reference data managers edit (categories, risk questions, action types, partners).

The admin cannot bypass the workflow (issue 11): a case's status, risk level, officer, merge, closure
and lock-down, and every deadline, change only through the services, which write the timeline entry
and recalculate the deadlines. Records of what people did (timeline, contacts, shares, the access log)
are read here, never written.
"""

from django.contrib import admin

from .models import (
    AccessLogEntry,
    Action,
    ActionType,
    AgencyMember,
    Breach,
    Case,
    CaseShare,
    Category,
    ClosureDay,
    Contact,
    ContactPrompt,
    Deadline,
    DeadlineAlert,
    Evidence,
    PartnerAgency,
    Party,
    Referral,
    Report,
    RiskAssessment,
    RiskQuestion,
    RiskQuestionSet,
    SharedPerson,
    SharingAgreement,
    TimelineEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what people did: read in the admin, written only by the services (no add, change or delete)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """A case's people and reports, shown on the case: added, moved or removed only through the case screens."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "asb_type", "display_order", "is_active"]
    list_editable = ["display_order", "is_active"]
    list_filter = ["asb_type", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class RiskQuestionInline(admin.TabularInline):
    model = RiskQuestion
    extra = 1
    fields = ["display_order", "text", "hint", "weight", "forces_high", "short_label"]


@admin.register(RiskQuestionSet)
class RiskQuestionSetAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "medium_from", "high_from"]
    inlines = [RiskQuestionInline]


@admin.register(ActionType)
class ActionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "formality", "default_duration_days", "appeal_days", "minimum_age", "is_active"]
    list_editable = ["formality", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "is_active"]
    list_editable = ["is_active"]


class ReportInline(ReadOnlyInline):
    model = Report
    fields = ["channel", "received_at", "logged_by", "is_anonymous", "category"]
    readonly_fields = fields
    show_change_link = True


class PartyInline(ReadOnlyInline):
    # People are changed on the case page (cases.services.party_update), which records old and new values.
    model = Party
    fields = ["role", "full_name", "is_unknown", "description", "phone", "email", "preferred_contact_method"]
    readonly_fields = fields


# Set only by the services: assigning, risk assessment, status moves, merging, closing, reopening and
# lock-down each write a timeline entry and recalculate deadlines; received_at is where deadlines start.
CASE_WORKFLOW_FIELDS = [
    "status", "risk_level", "officer", "merged_into", "closure_reason", "closed_at", "reopened_at", "is_locked_down",
    "received_at",
]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "status", "category", "risk_level", "officer", "received_at"]
    list_filter = ["status", "risk_level", "category"]
    search_fields = ["reference", "postcode", "address"]
    list_select_related = ["category", "officer"]
    readonly_fields = ["reference", *CASE_WORKFLOW_FIELDS, "version", "created_at", "updated_at"]
    inlines = [PartyInline, ReportInline]

    def has_add_permission(self, request):
        return False  # a case starts from a report (online or by phone), which sets its deadlines

    def has_delete_permission(self, request, obj=None):
        return False  # cases are closed, merged or removed by retention, never deleted by hand


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["case", "channel", "received_at", "logged_by", "is_anonymous"]
    list_filter = ["channel", "is_anonymous"]
    list_select_related = ["case", "logged_by"]
    search_fields = ["case__reference"]
    # Which case a report belongs to, who made it and when it came in: set by intake and merging only.
    readonly_fields = ["case", "reporter", "channel", "received_at", "logged_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "case", "content_type", "size", "uploaded_at"]
    exclude = ["file"]
    readonly_fields = ["case", "report", "original_name", "content_type", "size", "uploaded_at", "uploaded_by", "staging_key"]

    def has_add_permission(self, request):
        return False  # files come in with a report or through the case page's upload, which checks them


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "summary", "actor", "occurred_at", "visibility"]
    list_filter = ["kind", "visibility"]
    list_select_related = ["case", "actor"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["case", "party", "method", "successful", "is_first_contact", "is_update", "occurred_at"]
    list_select_related = ["case", "party"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "level", "score", "assessed_by", "assessed_at"]
    list_select_related = ["case", "assessed_by"]


class BreachInline(admin.TabularInline):
    model = Breach
    extra = 0
    readonly_fields = ["occurred_on", "description", "recorded_by", "recorded_at"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["case", "action_type", "status", "served_on", "review_on", "expires_on"]
    list_select_related = ["case", "action_type"]
    inlines = [BreachInline]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["case", "agency", "status", "referred_on", "responded_on"]
    list_select_related = ["case", "agency"]


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    """Through the services, so open first-contact deadlines move when a closure day changes."""

    list_display = ["day", "reason"]

    def save_model(self, request, obj, form, change):
        from .services.deadlines import closure_day_add, closure_day_remove

        if change and "day" in form.changed_data:
            closure_day_remove(day=form.initial["day"], actor=request.user)
        closure_day_add(day=obj.day, reason=obj.reason, actor=request.user)

    def delete_model(self, request, obj):
        from .services.deadlines import closure_day_remove

        closure_day_remove(day=obj.day, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    """Deadlines are worked out by cases.services.deadlines (working days, closure days, risk level)."""

    list_display = ["case", "kind", "party", "title", "due_at", "met_at", "breached"]
    list_filter = ["kind", "breached"]
    list_select_related = ["case", "party"]
    search_fields = ["case__reference", "subject"]


@admin.register(ContactPrompt)
class ContactPromptAdmin(ReadOnlyAdmin):
    """Put there by rules (the Case Review at a second report); answered when a contact is recorded."""

    list_display = ["case", "party", "topic", "created_at", "answer", "answered_at"]
    list_filter = ["topic", "answer"]
    list_select_related = ["case", "party"]


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(ReadOnlyAdmin):
    list_display = ["deadline", "stage", "created_at"]
    list_select_related = ["deadline__case"]


# Sharing with partner agencies: read here; shared, widened, stopped and agreed only on the sharing and
# agency screens, which check the agreement and consent and write the timeline entry.
@admin.register(SharingAgreement)
class SharingAgreementAdmin(ReadOnlyAdmin):
    list_display = ["agency", "title", "lawful_basis", "signed_on", "review_by", "ended_on"]
    list_select_related = ["agency"]


@admin.register(AgencyMember)
class AgencyMemberAdmin(ReadOnlyAdmin):
    list_display = ["user", "agency", "added_by", "added_at"]
    list_select_related = ["user", "agency", "added_by"]


class SharedPersonInline(ReadOnlyInline):
    model = SharedPerson
    fields = ["party", "basis", "note"]
    readonly_fields = fields


@admin.register(CaseShare)
class CaseShareAdmin(ReadOnlyAdmin):
    list_display = ["case", "agency", "scope", "shared_by", "shared_at", "ends_on", "stopped_at"]
    list_filter = ["scope", "agency"]
    list_select_related = ["case", "agency", "shared_by"]
    search_fields = ["case__reference"]
    inlines = [SharedPersonInline]


@admin.register(SharedPerson)
class SharedPersonAdmin(ReadOnlyAdmin):
    list_display = ["share", "party", "basis"]
    list_select_related = ["share__case", "share__agency", "party"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    """Append-only (a database trigger refuses UPDATE and DELETE); managers read it on the access log screens too."""

    list_display = ["at", "username", "agency_name", "event", "case_reference", "detail", "address"]
    list_filter = ["event"]
    search_fields = ["username", "case_reference", "agency_name"]
    actions = None  # not even the bulk "delete selected"
