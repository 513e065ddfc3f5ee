"""Sign-in services: the sign-in log, two-factor devices, unlocking accounts, set-password links.

Every change to how someone signs in goes through here and is written to the sign-in log
(`sign_in_event_record`), the one place the log is written.
"""

import base64

from axes.utils import reset as axes_reset
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.ratelimits import client_address

from .models import SignInEvent, SignInKind

DEVICE_NAME = "Authenticator app"


def request_address(request) -> str:
    """The client address as the rate limits read it (RATELIMIT_IP_META_KEY behind a proxy); django-axes uses it too."""
    try:
        return client_address(request) or ""
    except (KeyError, ValueError, AttributeError):  # a test request without REMOTE_ADDR
        return ""


def sign_in_event_record(
    *, kind: SignInKind, request=None, user=None, username: str = "", actor=None, detail: str = ""
) -> SignInEvent:
    """Write one entry to the sign-in log. `username` is what was typed; it defaults to the user's."""
    if not username and user is not None:
        username = user.get_username()
    return SignInEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or "")[:150],
        actor=actor,
        address=request_address(request)[:64] if request is not None else "",
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200] if request is not None else "",
        detail=detail[:300],
    )


# --- two factors -----------------------------------------------------------------------------------

def confirmed_device(user) -> TOTPDevice | None:
    """The user's authenticator app, once they have confirmed it with a code."""
    if user is None or not user.pk:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-id").first()


def needs_two_factor(user) -> bool:
    """Whether TWO_FACTOR_REQUIRED applies to this user: anyone with a role (staff or partner) or admin access."""
    from cases.roles import user_roles

    return bool(user_roles(user)) or user.is_staff or user.is_superuser


def two_factor_enrol_start(*, user) -> TOTPDevice:
    """The unconfirmed device being set up (the same secret until confirmed, so a reload shows the same QR code)."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def two_factor_enrol_confirm(*, user, device: TOTPDevice, token: str, request) -> bool:
    """Confirm the new device with a code from it; replaces any earlier device. False if the code is wrong."""
    if device.user_id != user.pk or device.confirmed:
        return False
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    sign_in_event_record(kind=SignInKind.TWO_FACTOR_ENROLLED, request=request, user=user)
    return True


@transaction.atomic
def two_factor_remove(*, user, device: TOTPDevice, token: str, request) -> bool:
    """The user removes their own device, proving they hold it with a current code. False if the code is wrong."""
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    sign_in_event_record(kind=SignInKind.TWO_FACTOR_REMOVED, request=request, user=user)
    return True


@transaction.atomic
def two_factor_reset(*, user, actor, reason: str, request=None) -> int:
    """A manager removes someone's device (lost phone): they set up a new one at their next sign-in."""
    deleted, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
    sign_in_event_record(kind=SignInKind.TWO_FACTOR_RESET, request=request, user=user, actor=actor, detail=reason)
    return deleted


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret key as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- lockout ---------------------------------------------------------------------------------------

@transaction.atomic
def account_unlock(*, username: str, actor, request=None) -> int:
    """Clear django-axes' failure count for `username` (a manager unlocking an account before the cool-off ends)."""
    from django.contrib.auth import get_user_model

    cleared = axes_reset(username=username)
    user = get_user_model().objects.filter(username=username).first()
    sign_in_event_record(kind=SignInKind.UNLOCKED, request=request, user=user, username=username, actor=actor)
    return cleared


# --- new users -------------------------------------------------------------------------------------

# The link itself is made by cases.services.partner_work.password_set_link (one rule; cases cannot import
# accounts), re-exported here for callers of the sign-in app.
from cases.services.partner_work import password_set_link  # noqa: E402,F401
