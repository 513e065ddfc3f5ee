"""Privacy records in the admin: read only. The schedule, holds, runs and rights requests change only through
the privacy screens and services (which keep the timeline, the deadlines and the audit)."""

from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from .models import (
    LegalHold,
    Release,
    RetentionItem,
    RetentionRule,
    RetentionRun,
    RightsRequest,
    RightsRequestAlert,
    ThirdParty,
)


@admin.register(RetentionRule)
class RetentionRuleAdmin(ReadOnlyAdmin):
    list_display = ("record_class", "keep_days", "updated_by", "updated_at")


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "reason", "placed_by", "placed_at", "lifted_at")
    list_filter = ("lifted_at",)


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "status", "listed_at", "confirmed_by", "confirmed_at", "finished_at", "counts")
    list_filter = ("status",)


@admin.register(RetentionItem)
class RetentionItemAdmin(ReadOnlyAdmin):
    list_display = ("run", "record_class", "label", "due_since", "excluded", "done_at")
    list_filter = ("record_class", "excluded")


@admin.register(RightsRequest)
class RightsRequestAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "status", "received_on", "due_on", "recorded_by")
    list_filter = ("kind", "status")


@admin.register(RightsRequestAlert)
class RightsRequestAlertAdmin(ReadOnlyAdmin):
    list_display = ("request", "stage", "due_on", "created_at")


@admin.register(ThirdParty)
class ThirdPartyAdmin(ReadOnlyAdmin):
    list_display = ("request", "party", "decision", "decided_by")


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ("request", "released_by", "released_at", "method", "size")
