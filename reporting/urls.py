"""Public reporting URLs (/report/) and the call-centre phone report (/staff/phone-report/)."""

from django.urls import path

from . import views

online_report = views.OnlineReportWizard.as_view(url_name="reporting:step", done_step_name="sent")

public_patterns = [
    path("", views.start, name="start"),
    path("begin/", online_report, name="begin"),
    path("step/<slug:step>/", online_report, name="step"),
    path("confirmation/", views.confirmation, name="confirmation"),
]

phone_patterns = [
    path("", views.phone_report, name="new"),
    path("<str:reference>/", views.phone_done, name="done"),
]

# The resident's own case page (/my-case/<token>/): reporting.views_resident (the page, a new link) and
# reporting.views_resident_actions (what the resident can do from it).
from . import views_resident, views_resident_actions  # noqa: E402

mine = "<str:token>/"
resident_patterns = [
    path(mine, views_resident.case_page, name="case"),
    path(mine + "new-link/", views_resident.link_rotate, name="new_link"),
    path(mine + "diary/", views_resident_actions.diary_add, name="diary_add"),
    path(mine + "diary/<uuid:entry_id>/correct/", views_resident_actions.diary_correct, name="diary_correct"),
    path(mine + "diary.pdf", views_resident_actions.diary_pdf, name="diary_pdf"),
    path(mine + "evidence/", views_resident_actions.evidence_add, name="evidence_add"),
    path(mine + "call-back/", views_resident_actions.callback, name="callback"),
    path(mine + "contact/", views_resident_actions.contact_preference, name="contact_preference"),
    path(mine + "stopped/", views_resident_actions.stopped, name="stopped"),
    path(mine + "started-again/", views_resident_actions.started_again, name="started_again"),
]
