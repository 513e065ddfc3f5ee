"""Public survey (/survey/) and staff survey screens (/staff/surveys/)."""

from django.urls import path

from . import views

public_patterns = [
    path("thanks/", views.thanks, name="thanks"),
    path("<str:token>/", views.survey, name="survey"),
    path("<str:token>/opt-out/", views.opt_out, name="opt_out"),
]

staff_patterns = [
    path("", views.results, name="results"),
    path("phone/", views.phone_list, name="phone_list"),
    path("phone/<int:invitation_id>/", views.phone_enter, name="phone_enter"),
    path("comments/<int:response_id>/", views.comment_action, name="comment_action"),
    path("case/<str:reference>/", views.case_survey, name="case_survey"),
]
