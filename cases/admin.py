from django.contrib import admin

from .models import AuditEntry, Case, Category, Evidence, Party, Report


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "asb_type", "display_order", "is_active"]
    list_editable = ["display_order", "is_active"]
    list_filter = ["asb_type", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


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
    list_display = ["reference", "status", "category", "risk_level", "officer", "created_at"]
    list_filter = ["status", "risk_level", "category"]
    search_fields = ["reference", "postcode", "address"]
    list_select_related = ["category", "officer"]
    readonly_fields = ["reference", "created_at", "updated_at"]
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


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["case", "action", "actor", "created_at"]
    list_select_related = ["case", "actor"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
