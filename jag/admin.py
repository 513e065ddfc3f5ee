"""JAG records in the admin: read only (they change through the JAG services, which keep the history)."""

from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from .models import AgendaItem, Attendance, JagAction, JagGroup, JagMember, Meeting, MinutesAmendment, Nomination

for model in (JagGroup, JagMember, Meeting, Nomination, AgendaItem, Attendance, JagAction, MinutesAmendment):
    admin.site.register(model, ReadOnlyAdmin)
