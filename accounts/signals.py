"""The libraries' hooks, recorded in the sign-in log: Django's sign-in signals and django-axes' lockout."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .models import SignInKind
from .services import sign_in_event_record

# Sent with this key in `credentials` by the code page: a wrong security code is a failed sign-in too.
TWO_FACTOR_CREDENTIAL = "two_factor"


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def _signed_in(sender, request, user, **kwargs):
    sign_in_event_record(kind=SignInKind.SIGNED_IN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.failed")
def _failed(sender, credentials, request=None, **kwargs):
    two_factor = bool(credentials.get(TWO_FACTOR_CREDENTIAL))
    locked = bool(getattr(request, "axes_locked_out", False))
    sign_in_event_record(
        kind=SignInKind.TWO_FACTOR_FAILED if two_factor else SignInKind.FAILED,
        request=request,
        username=str(credentials.get("username") or ""),
        detail="Refused: the account is locked" if locked else "",
    )


@receiver(user_locked_out, dispatch_uid="accounts.locked")
def _locked(sender, request, username, **kwargs):
    # django-axes also sends this for each attempt while already locked; only the lock itself is logged.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    sign_in_event_record(kind=SignInKind.LOCKED, request=request, username=username or "", detail=f"After {request.axes_failures_since_start} failed sign-ins")
