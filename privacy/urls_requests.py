from django.urls import path

from .views import requests

urlpatterns = [
    path("", requests.request_list, name="requests"),
]
