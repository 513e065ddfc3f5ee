"""Sign-in URLs, under /staff/ (before cases.urls)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
    path("password/set/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("security/", views.security, name="security"),
    path("security/unlock/", views.unlock, name="unlock"),
    path("security/people/", views.security_people, name="security_people"),
    path("security/people/<int:user_id>/reset-two-factor/", views.person_reset_two_factor, name="reset_two_factor"),
]
