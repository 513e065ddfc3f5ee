"""Signed-in users only: idle sessions end, and the second factor is asked for before anything else.

Neither touches a request without a signed-in session (the public report journey keeps SESSION_COOKIE_AGE:
a resident typing a long report is not cut off after SESSION_IDLE_MINUTES).
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse

from .models import SignInKind
from .services import confirmed_device, needs_two_factor, sign_in_event_record

LAST_SEEN = "accounts_last_seen"
NO_DEVICE = "accounts_no_device"
# The last-seen stamp is rewritten at most once a minute, so a page of requests saves the session once,
# not on every request; expiry is therefore exact to within this many seconds (earlier, never later).
STAMP_EVERY_SECONDS = 60


def idle_seconds() -> int:
    return settings.SESSION_IDLE_MINUTES * 60


def _signed_in_session(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session


def session_touch(request, *, force: bool = False) -> None:
    """Mark the session as used now.

    The stamp, not the cookie's age, ends an idle session: the session row outlives it (SESSION_COOKIE_AGE),
    so the next request finds it stale, records "timed out" and signs the user out.
    """
    now = int(time.time())
    last = request.session.get(LAST_SEEN)
    if force or last is None or now - last >= STAMP_EVERY_SECONDS:
        request.session[LAST_SEEN] = now


def seconds_left(request) -> int | None:
    """Seconds until the signed-in session ends for doing nothing, or None without one."""
    last = request.session.get(LAST_SEEN) if hasattr(request, "session") else None
    if last is None:
        return None
    return max(0, last + idle_seconds() - int(time.time()))


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in_session(request):
            last = request.session.get(LAST_SEEN)
            if last is not None and time.time() - last > idle_seconds():
                sign_in_event_record(kind=SignInKind.TIMED_OUT, request=request, user=request.user)
                # The sign-in cookie flag stays, so the sign-in page says why (views.SIGNED_IN_COOKIE).
                logout(request)
            else:
                session_touch(request)
        response = self.get_response(request)
        # Just signed in: the idle time counts from now.
        if SESSION_KEY in request.session and LAST_SEEN not in request.session:
            session_touch(request)
        return response


# Pages an unverified user may still reach: signing in, the code, setting up the app, signing out.
EXEMPT = {"login", "login_code", "logout", "two_factor", "keep_alive", "password_set", "password_set_done"}


class TwoFactorMiddleware:
    """A signed-in user who has not given a code goes to the code page if they have an authenticator app,
    or, when TWO_FACTOR_REQUIRED, to set one up. This also covers sign-ins that do not go through our
    two-step page (the Django admin's own login form, `force_login`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _signed_in_session(request):
            return None
        match = request.resolver_match
        if match is not None and match.namespace == "accounts" and match.url_name in EXEMPT:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        # "No device" is remembered in the session for a minute (not a query on every page); setting one up
        # verifies this session, and the user's other sessions are asked for a code within the minute.
        now = int(time.time())
        checked = request.session.get(NO_DEVICE)
        if checked and checked[0] == user.pk and now - checked[1] < STAMP_EVERY_SECONDS:
            has_device = False
        else:
            has_device = confirmed_device(user) is not None
            if not has_device:
                request.session[NO_DEVICE] = [user.pk, now]
        target = "accounts:login_code" if has_device else "accounts:two_factor"
        if not has_device and not (settings.TWO_FACTOR_REQUIRED and needs_two_factor(user)):
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
