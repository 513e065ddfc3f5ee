"""URL map: public reporting, staff screens, health check, admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from casereview.urls import partner_patterns as case_review_partner
from casereview.urls import public_patterns as case_review_public
from casereview.urls import staff_patterns as case_review_staff
from reporting.urls import phone_patterns, public_patterns, resident_patterns
from surveys.urls import public_patterns as survey_public
from surveys.urls import staff_patterns as survey_staff

from . import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reporting:start", permanent=False)),
    path("report/", include((public_patterns, "reporting"))),
    path("my-case/", include((resident_patterns, "resident"))),
    path("staff/phone-report/", include((phone_patterns, "phone"))),
    path("survey/", include((survey_public, "survey"))),
    path("staff/surveys/", include((survey_staff, "surveys"))),
    path("staff/privacy/", include("privacy.urls")),
    path("case-review/", include((case_review_public, "casereview"))),
    path("staff/case-review/", include((case_review_staff, "casereview_staff"))),
    path("partners/recommendations/", include((case_review_partner, "casereview_partner"))),
    path("staff/", include("accounts.urls")),
    path("staff/", include("cases.urls")),
    path("partners/", include("partners.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("jag/", include("jag.urls")),
    path("staff/letters/", include("letters.urls")),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

handler400 = "asb_portal.views.bad_request"
handler403 = "asb_portal.views.forbidden"
handler404 = "asb_portal.views.not_found"
handler500 = "asb_portal.views.server_error"
