"""Sign-in rate limits: guessing is slow, and nobody can lock a colleague out (issue 9)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client, override_settings

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/staff/login/"
ATTACKER, OFFICE, ELSEWHERE = "203.0.113.66", "198.51.100.20", "192.0.2.30"
# django-ratelimit counts in clock windows: the clock is frozen so no window ends mid-test.
AN_INSTANT = datetime(2026, 11, 24, 10, 0, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _rate_limits_only(settings):
    # These tests are about the per-address rate limits. django-axes' account lockout (AXES_FAILURE_LIMIT
    # failures from anywhere, for AXES_COOLOFF_MINUTES) is on top of them: tests/accounts/test_lockout.py.
    settings.AXES_FAILURE_LIMIT = 100


def sign_in(address, username, password, client=None):
    return (client or Client()).post(URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_ten_wrong_passwords_from_one_address_do_not_lock_the_officer_out(officer_user):
    with time_machine.travel(AN_INSTANT, tick=False):
        for _ in range(10):
            response = sign_in(ATTACKER, "officer", "wrong-password")
            assert response.status_code == 200 and "Enter a correct username and password" in response.content.decode()
        # The officer, at their own desk, signs in at once.
        response = sign_in(OFFICE, "officer", PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/staff/"
        # The 11th attempt from the guessing address is refused with the friendly page, right password or not.
        for password in ("wrong-password", PASSWORD):
            refused = sign_in(ATTACKER, "officer", password)
            assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()


@override_settings(LOGIN_RATE="30/m", LOGIN_FAILURE_RATE="10/m")
def test_failed_attempts_count_per_username_from_each_address(officer_user, manager_user):
    with time_machine.travel(AN_INSTANT, tick=False):
        for _ in range(10):
            assert sign_in(ATTACKER, "officer", "wrong-password").status_code == 200
        # That address may not try "officer" again, even with the right password (no confirming guesses)...
        assert sign_in(ATTACKER, "officer", PASSWORD).status_code == 429
        # ...while other people there, and the officer anywhere else, are not affected.
        assert sign_in(ATTACKER, "manager", PASSWORD).status_code == 302
        assert sign_in(OFFICE, "officer", PASSWORD).status_code == 302


@override_settings(LOGIN_RATE="30/m", LOGIN_FAILURE_RATE="3/m")
def test_successful_sign_ins_do_not_count_as_failures(officer_user):
    with time_machine.travel(AN_INSTANT, tick=False):
        for _ in range(5):
            assert sign_in(OFFICE, "officer", PASSWORD).status_code == 302


def test_sign_in_attempts_are_still_limited_per_address(officer_user):
    with time_machine.travel(AN_INSTANT, tick=False):
        for n in range(10):
            assert sign_in(ELSEWHERE, f"someone{n}", "wrong-password").status_code == 200
        refused = sign_in(ELSEWHERE, "officer", PASSWORD)
        assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
        assert sign_in(OFFICE, "officer", PASSWORD).status_code == 302
