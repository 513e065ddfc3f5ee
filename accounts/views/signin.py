"""Signing in (password, then the code if the user has an authenticator app), out, staying in; set a password."""

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from cases.ratelimits import client_address, counter_over

from ..forms import CodeForm, NewPasswordForm, StaffLoginForm
from ..middleware import idle_seconds, session_touch
from ..models import SignInKind
from ..selectors import lockout_ends
from ..services import confirmed_device, sign_in_event_record
from ..signals import TWO_FACTOR_CREDENTIAL

# Not secret: set at sign-in, cleared at sign-out. Still there when an anonymous visitor reaches the sign-in
# page, it means their session ended for inactivity, which the page then says (works without JavaScript).
SIGNED_IN_COOKIE = "asb_signed_in"
SIGNED_IN_COOKIE_AGE = 12 * 60 * 60
# Half signed in: the password was right, the code is still to come. Nobody is logged in until it is.
PENDING = "accounts_pending"


def _signed_in(response):
    response.set_cookie(
        SIGNED_IN_COOKIE, "1", max_age=SIGNED_IN_COOKIE_AGE, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
    )
    return response


def _safe_next(request, value) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


def _login_rate_limited(request) -> bool:
    return is_ratelimited(request, group="login-address", key="ip", rate=settings.LOGIN_RATE, method="POST", increment=True)


class StaffLoginView(auth_views.LoginView):
    """Sign-in, rate-limited so that guessing is slow, with lockout across addresses by django-axes.

    Every attempt counts against the client address (LOGIN_RATE). Failed attempts also count against
    the username *from that address* (LOGIN_FAILURE_RATE). Both fail open without Redis. On top of them
    django-axes locks the account after AXES_FAILURE_LIMIT failures from anywhere (wrong codes included),
    for AXES_COOLOFF_MINUTES only, so a colleague cannot be kept out for good; a manager can unlock sooner.

    A right password for a user with an authenticator app signs nobody in yet: the user id waits in the
    session (PENDING, for TWO_FACTOR_PENDING_SECONDS) until `login_code` checks the code, so no page can be
    reached half signed in.
    """

    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if _login_rate_limited(request):
            raise Ratelimited  # the friendly 429 page (RATELIMIT_VIEW)
        if counter_over(group="login-failures", key=self._failure_key(), rate=settings.LOGIN_FAILURE_RATE, increment=False):
            raise Ratelimited
        return super().post(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self._timed_out():
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
        return response

    def form_valid(self, form):
        user = form.get_user()
        if confirmed_device(user) is None:
            axes_reset(username=user.get_username())  # fully signed in (AXES_RESET_ON_SUCCESS is off)
            return _signed_in(super().form_valid(form))
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "until": int(time.time()) + settings.TWO_FACTOR_PENDING_SECONDS,
            "next": self.get_redirect_url(),
        }
        return redirect("accounts:login_code")

    def form_invalid(self, form):
        counter_over(group="login-failures", key=self._failure_key(), rate=settings.LOGIN_FAILURE_RATE, increment=True)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, timed_out=self._timed_out(), idle_minutes=settings.SESSION_IDLE_MINUTES)

    def _timed_out(self) -> bool:
        return self.request.COOKIES.get(SIGNED_IN_COOKIE) == "1" and not self.request.user.is_authenticated

    def _failure_key(self) -> str:
        # Usernames are compared exactly at sign-in; counting them case-blind only merges an attacker's variants.
        return f"{self.request.POST.get('username', '').strip().lower()} from {client_address(self.request)}"


def _pending(request):
    """(user, backend, next) of a half-finished sign-in still in time, else (None, None, "")."""
    pending = request.session.get(PENDING)
    if not pending or pending.get("until", 0) < time.time():
        request.session.pop(PENDING, None)
        return None, None, ""
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending["backend"], pending.get("next") or ""


@never_cache
def login_code(request):
    """Second step: the 6-digit code. Also for someone signed in another way (the admin's form) without a code yet."""
    user, backend, next_url = _pending(request)
    signed_in = user is None and request.user.is_authenticated and not request.user.is_verified()
    if signed_in:
        user, next_url = request.user, _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    device = confirmed_device(user) if user is not None else None
    if device is None:
        request.session.pop(PENDING, None)
        if signed_in:  # no device after all (reset meanwhile): nothing to check here
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        if request.method == "POST":
            messages.info(request, "Your sign-in took too long. Sign in again.")
        return redirect("accounts:login")

    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _login_rate_limited(request):
            raise Ratelimited
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return _give_up(request, credentials, signed_in=signed_in)
        if form.is_valid():
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["token"]):
                if not signed_in:
                    request.session.pop(PENDING, None)
                    login(request, user, backend=backend)
                django_otp.login(request, device)
                axes_reset(username=user.get_username())  # only now: see AXES_RESET_ON_SUCCESS
                return _signed_in(redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL)))
            # A wrong code is a failed sign-in: django-axes counts it towards the lockout, the log records it.
            user_login_failed.send(sender=__name__, credentials={**credentials, TWO_FACTOR_CREDENTIAL: True}, request=request)
            if getattr(request, "axes_locked_out", False):
                return _give_up(request, credentials, signed_in=signed_in)
            if allowed:
                form.add_error("token", "The code is not right. Enter the code your authenticator app shows now")
            else:
                form.add_error("token", "You have entered too many wrong codes. Wait a minute, then enter the code your app shows")
    return render(request, "accounts/login_code.html", {"form": form, "next": next_url if signed_in else ""})


def _give_up(request, credentials, *, signed_in):
    request.session.pop(PENDING, None)
    if signed_in:
        logout(request)
    return locked_out(request, None, credentials)


def locked_out(request, response=None, credentials=None, *args):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): a GOV.UK page, not a bare 403."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = lockout_ends(username) if username else None
    return render(request, "accounts/locked.html", {"until": until}, status=429)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            sign_in_event_record(kind=SignInKind.SIGNED_OUT, request=request, user=request.user)
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
        return response


@require_POST
def keep_alive(request):
    """"Stay signed in" in the timeout warning: the session counts as used now."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse({"signed_in": False}, status=401)
        return redirect("accounts:login")
    session_touch(request, force=True)
    if wants_json:
        return JsonResponse({"signed_in": True, "seconds_left": idle_seconds()})
    return redirect(_safe_next(request, request.POST.get("next")) or resolve_url(settings.LOGIN_REDIRECT_URL))


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """A new (partner) user chooses their password from the link `services.password_set_link` makes."""

    template_name = "accounts/password_set.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        sign_in_event_record(kind=SignInKind.PASSWORD_SET, request=self.request, user=form.user)
        then = " Then set up an authenticator app on your phone." if settings.TWO_FACTOR_REQUIRED else ""
        messages.success(self.request, f"Your password is set. Sign in with your username and new password.{then}")
        return response
