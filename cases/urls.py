"""Staff URLs (/staff/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("evidence/<uuid:evidence_id>/", views.evidence_download, name="evidence"),
]
