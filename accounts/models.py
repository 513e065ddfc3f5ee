"""The sign-in log: every sign-in, failed sign-in, lock, unlock and two-factor change, for managers."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone


class SignInKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGNED_OUT = "signed_out", "Signed out"
    TIMED_OUT = "timed_out", "Signed out after doing nothing"
    FAILED = "failed", "Wrong username or password"
    LOCKED = "locked", "Account locked"
    UNLOCKED = "unlocked", "Account unlocked"
    TWO_FACTOR_FAILED = "two_factor_failed", "Wrong security code"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor set up"
    TWO_FACTOR_REMOVED = "two_factor_removed", "Two-factor removed"
    TWO_FACTOR_RESET = "two_factor_reset", "Two-factor reset by a manager"
    PASSWORD_SET = "password_set", "Password set"


class SignInEvent(models.Model):
    """One sign-in event. The username is copied as typed (a failed sign-in may name nobody), and the
    user is a plain id (no constraint), so the log outlives the account it names."""

    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=SignInKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    # Who unlocked or reset, for those events.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    # As the rate limits read it: an IPv6 client may be recorded as its /64 network.
    address = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at"], name="signin_at_idx"),
            models.Index(fields=["username", "-at"], name="signin_username_idx"),
            # The sign-in log's filter is case-insensitive (username__iexact).
            models.Index(Upper("username"), F("at").desc(), name="signin_username_upper_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.kind}"
