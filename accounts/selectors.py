"""What managers see on the security pages: locked accounts, the sign-in log, two-factor status per person."""

from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.roles import GROUP_NAMES

from .models import SignInEvent


def _cool_off_start() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def locked_accounts() -> list[dict]:
    """Usernames locked now: failures within the cool-off at or over the limit, with when each lock ends."""
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=_cool_off_start())
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username")
    )
    return [{**row, "until": row["last"] + settings.AXES_COOLOFF_TIME} for row in rows]


def lockout_ends(username: str) -> datetime | None:
    """When the lock on `username` ends by itself (the cool-off after the last failure), or None if not locked."""
    row = (
        AccessAttempt.objects.filter(username=username, attempt_time__gte=_cool_off_start())
        .aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    if not row["failures"] or row["failures"] < settings.AXES_FAILURE_LIMIT:
        return None
    return row["last"] + settings.AXES_COOLOFF_TIME


def sign_in_events(*, username: str = "") -> QuerySet[SignInEvent]:
    events = SignInEvent.objects.select_related("actor")
    if username:
        events = events.filter(username__iexact=username.strip())
    return events


def people_who_sign_in() -> QuerySet:
    """Staff and partner accounts (anyone with a role or admin access), with whether two-factor is set up."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    has_role = Q(groups__name__in=list(GROUP_NAMES.values())) | Q(is_staff=True) | Q(is_superuser=True)
    ids = get_user_model().objects.filter(has_role).values("pk")
    return (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(has_two_factor=Exists(confirmed))
        .prefetch_related("groups")
        .order_by("username")
    )


def person_who_signs_in(user_id: int):
    return people_who_sign_in().filter(pk=user_id).first()
