"""Partner agencies' screens (/partners/): the cases shared with their agency, within scope."""

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("access-log/", views.access_log, name="access_log"),
]
