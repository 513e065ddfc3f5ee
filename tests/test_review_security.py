"""Security review of issue 11's sign-in and partner screens: one test per problem found, plus checks of what was sound."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from axes.handlers.proxy import AxesProxyHandler
from django.test import Client

from .accounts.helpers import current_code, totp_device_for
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

AN_INSTANT = datetime(2026, 11, 24, 10, 0, 15, tzinfo=UTC)
ADDRESS = "198.51.100.40"


@pytest.fixture
def clock(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_RATE = "100/m"
    settings.LOGIN_FAILURE_RATE = "100/m"
    with time_machine.travel(AN_INSTANT, tick=False) as traveller:
        yield traveller


def _wrong(device) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def test_admin_login_form_does_not_reset_the_lockout_count_of_wrong_codes(settings, clock):
    """The Django admin's own form signs a user in on the password alone (the code is asked for next). That
    sign-in must not clear django-axes' count of wrong codes, or an attacker holding the password signs in
    there again every four guesses and is never locked out."""
    from .cases.factories import UserFactory

    settings.TWO_FACTOR_REQUIRED = True
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    device = totp_device_for(admin)
    credentials = {"username": "admin"}
    for _round in range(2):
        client = Client()
        client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR=ADDRESS)
        for _ in range(3):
            client.post("/staff/login/code/", {"token": _wrong(device)}, REMOTE_ADDR=ADDRESS)
            clock.shift(300)  # past django-otp's own throttle
    # Six wrong codes in all: over the limit of five.
    request = Client().get("/staff/login/").wsgi_request
    assert AxesProxyHandler.is_locked(request, credentials)
    # And the admin's form now refuses the right password too, until the cool-off ends or a manager unlocks.
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


# --- what was checked and found sound ------------------------------------------------------------------

def test_the_session_key_changes_at_the_password_and_at_the_code_step(officer_user, clock):
    device = totp_device_for(officer_user)
    client = Client()
    client.get("/staff/login/")
    client.session.save()
    first = client.cookies.get("sessionid").value if client.cookies.get("sessionid") else None
    client.post("/staff/login/", {"username": "officer", "password": PASSWORD}, REMOTE_ADDR=ADDRESS)
    pending = client.cookies["sessionid"].value
    client.post("/staff/login/code/", {"token": current_code(device)}, REMOTE_ADDR=ADDRESS)
    signed_in = client.cookies["sessionid"].value
    assert pending != first and signed_in != pending


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_next_never_leaves_the_site(officer_user, clock, target):
    device = totp_device_for(officer_user)
    client = Client()
    client.post(f"/staff/login/?next={target}", {"username": "officer", "password": PASSWORD, "next": target}, REMOTE_ADDR=ADDRESS)
    response = client.post(f"/staff/login/code/?next={target}", {"token": current_code(device), "next": target}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302 and response["Location"] == "/staff/"
    response = client.post("/staff/session/keep-alive/", {"next": target})
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_half_signed_in_user_reaches_no_page_and_keep_alive_does_not_extend_it(officer_user, clock, settings):
    totp_device_for(officer_user)
    client = Client()
    client.post("/staff/login/", {"username": "officer", "password": PASSWORD}, REMOTE_ADDR=ADDRESS)
    for url in ("/staff/", "/staff/two-factor/", "/staff/security/", "/partners/", "/admin/"):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert "/login" in response.get("Location", "/login"), url
    assert client.post("/staff/session/keep-alive/", HTTP_ACCEPT="application/json").status_code == 401
    clock.shift(settings.TWO_FACTOR_PENDING_SECONDS + 1)
    response = client.post("/staff/login/code/", {"token": "123456"}, REMOTE_ADDR=ADDRESS)
    assert response["Location"] == "/staff/login/"


def test_the_lockout_page_is_the_same_for_a_real_and_a_made_up_username(officer_user, clock):
    pages = {}
    for username in ("officer", "nobody-by-this-name"):
        for _ in range(5):
            Client().post("/staff/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ADDRESS)
        response = Client().post("/staff/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ADDRESS)
        pages[username] = (response.status_code, re.sub(r'nonce="[^"]*"', "", response.content.decode()).replace(username, "NAME"))
    assert pages["officer"][0] == pages["nobody-by-this-name"][0] == 429
    assert pages["officer"][1] == pages["nobody-by-this-name"][1]
