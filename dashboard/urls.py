from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("export/<slug:figure>.csv", views.export, name="export"),
]
