from django.urls import path

from .views import retention

run = "runs/<int:run_id>/"

urlpatterns = [
    path("", retention.schedule, name="retention"),
    path("rules/<str:record_class>/", retention.rule_edit, name="retention_rule"),
    path("holds/add/", retention.hold_add, name="hold_add"),
    path("holds/<int:hold_id>/lift/", retention.hold_lift, name="hold_lift"),
    path(run, retention.run_review, name="retention_run"),
    path(run + "items/<int:item_id>/", retention.item_keep, name="retention_item"),
    path(run + "confirm/", retention.run_confirm, name="retention_confirm"),
    path(run + "cancel/", retention.run_cancel, name="retention_cancel"),
]
