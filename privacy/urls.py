"""Privacy screens (/staff/privacy/): the retention schedule and runs, legal holds, rights requests."""

from django.urls import include, path

app_name = "privacy"

urlpatterns = [
    path("retention/", include("privacy.urls_retention")),
    path("requests/", include("privacy.urls_requests")),
]
