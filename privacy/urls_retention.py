from django.urls import path

from .views import retention

urlpatterns = [
    path("", retention.schedule, name="retention"),
]
