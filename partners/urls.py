"""Partner agencies' screens (/partners/): the cases shared with their agency, within scope."""

from django.urls import path

from . import views

app_name = "partners"

case = "cases/<str:reference>/"

urlpatterns = [
    path("", views.home, name="home"),
    path(case, views.case, name="case"),
    path(case + "note/", views.note_add, name="note_add"),
    path(case + "referrals/<int:referral_id>/", views.referral, name="referral"),
    path("evidence/<uuid:evidence_id>/", views.evidence, name="evidence"),
    path("team/", views.team, name="team"),
    path("agencies/<int:agency_id>/team/", views.agency_team, name="agency_team"),
    path("agencies/<int:agency_id>/team/add/", views.agency_user_new, name="agency_user_add"),
    path("agencies/<int:agency_id>/team/<int:user_id>/", views.agency_user_change, name="agency_user_change"),
    path("access-log/", views.access_log, name="access_log"),
]
