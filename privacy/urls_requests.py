"""Rights requests, under /staff/privacy/requests/ (namespace `privacy`)."""

from django.urls import path

from .views import requests

urlpatterns = [
    path("", requests.request_list, name="requests"),
    path("add/", requests.request_add, name="request_add"),
    path("<int:request_id>/", requests.request_detail, name="request"),
    path("<int:request_id>/person/", requests.request_person, name="request_person"),
    path("<int:request_id>/third-parties/<int:third_party_id>/", requests.third_party, name="third_party"),
    path("<int:request_id>/bundle.zip", requests.request_bundle, name="request_bundle"),
    path("<int:request_id>/release/", requests.request_release, name="request_release"),
    path("<int:request_id>/close/", requests.request_close, name="request_close"),
    path("<int:request_id>/extend/", requests.request_extend, name="request_extend"),
]
