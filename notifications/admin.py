from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox, read only: messages are queued by the services and sent by the worker (which retries),
    and kept or purged by the retention settings, so nobody writes or deletes one by hand."""

    list_display = ["key", "channel", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["key", "to"]
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
