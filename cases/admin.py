"""Django admin: reference data managers edit (categories, risk questions, action types, partners)."""

from django.contrib import admin

from .models import (
    Action,
    ActionType,
    Breach,
    Case,
    Category,
    ClosureDay,
    Contact,
    Evidence,
    PartnerAgency,
    Party,
    Referral,
    Report,
    RiskAssessment,
    RiskQuestion,
    RiskQuestionSet,
    TimelineEntry,
)


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


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    fields = ["channel", "received_at", "logged_by", "is_anonymous", "category"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    fields = ["role", "full_name", "is_unknown", "description", "phone", "email", "preferred_contact_method"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "status", "category", "risk_level", "officer", "received_at"]
    list_filter = ["status", "risk_level", "category"]
    search_fields = ["reference", "postcode", "address"]
    list_select_related = ["category", "officer"]
    readonly_fields = ["reference", "version", "created_at", "updated_at"]
    raw_id_fields = ["merged_into"]
    inlines = [PartyInline, ReportInline]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["case", "channel", "received_at", "logged_by", "is_anonymous"]
    list_filter = ["channel", "is_anonymous"]
    list_select_related = ["case", "logged_by"]
    search_fields = ["case__reference"]
    raw_id_fields = ["case", "reporter"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "case", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["case", "report"]
    exclude = ["file"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at", "uploaded_by", "staging_key"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what people did: read in the admin, written only by the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
