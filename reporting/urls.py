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
