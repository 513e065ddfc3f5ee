"""Lockout by django-axes: across addresses, wrong codes count, cool-off, a manager unlocks; the security pages."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from accounts.models import SignInEvent, SignInKind

from ..conftest import PASSWORD
from .helpers import current_code, totp_device_for

pytestmark = pytest.mark.django_db

AN_INSTANT = datetime(2026, 11, 24, 10, 0, 15, tzinfo=UTC)  # 10:00 in London (GMT)
ADDRESSES = ["203.0.113.1", "203.0.113.2", "198.51.100.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"]


@pytest.fixture
def clock(settings):
    settings.AXES_FAILURE_LIMIT = 5
    # The rate limits (per address, per username from an address) are not what is tested here.
    settings.LOGIN_RATE = "100/m"
    settings.LOGIN_FAILURE_RATE = "100/m"
    with time_machine.travel(AN_INSTANT, tick=False) as traveller:
        yield traveller


def sign_in(username, password, address):
    return Client().post("/staff/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def lock(username):
    for address in ADDRESSES[:5]:
        sign_in(username, "wrong-password", address)


def test_five_failures_from_five_addresses_lock_the_account(officer_user, clock):
    for address in ADDRESSES[:4]:
        response = sign_in("officer", "wrong-password", address)
        assert response.status_code == 200 and "Enter a correct username and password" in response.content.decode()
    response = sign_in("officer", "wrong-password", ADDRESSES[4])
    assert response.status_code == 429
    html = response.content.decode()
    assert "This account is locked after too many wrong sign-ins. Try again after 10:30 or ask a manager to unlock it." in html
    # Now even the right password, from a new address, is refused.
    response = sign_in("officer", PASSWORD, ADDRESSES[5])
    assert response.status_code == 429 and "This account is locked" in response.content.decode()
    assert Client().get("/staff/").status_code == 302
    events = list(SignInEvent.objects.filter(username="officer").order_by("id").values_list("kind", flat=True))
    assert events.count(SignInKind.FAILED) == 6 and events.count(SignInKind.LOCKED) == 1
    assert SignInEvent.objects.filter(kind=SignInKind.FAILED, address="203.0.113.1").exists()


def test_others_are_not_locked(officer_user, manager_user, clock):
    lock("officer")
    assert sign_in("manager", PASSWORD, ADDRESSES[0]).status_code == 302


def test_cool_off_ends_the_lock_and_attempts_during_it_do_not_extend_it(officer_user, clock, settings):
    lock("officer")
    clock.shift(timedelta(minutes=20))
    assert sign_in("officer", "wrong-password", ADDRESSES[0]).status_code == 429
    clock.shift(timedelta(minutes=10, seconds=1))  # 30 minutes after the lock
    assert sign_in("officer", PASSWORD, ADDRESSES[0]).status_code == 302


def test_wrong_codes_count_towards_the_lock(officer_user, clock):
    device = totp_device_for(officer_user)
    client = Client()
    client.post("/staff/login/", {"username": "officer", "password": PASSWORD}, REMOTE_ADDR=ADDRESSES[0])
    wrong = f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post("/staff/login/code/", {"token": wrong}, REMOTE_ADDR=ADDRESSES[0]).status_code == 200
        clock.shift(20)  # past the TOTP throttle
    response = client.post("/staff/login/code/", {"token": wrong}, REMOTE_ADDR=ADDRESSES[0])
    assert response.status_code == 429 and "This account is locked" in response.content.decode()
    assert SignInEvent.objects.filter(username="officer", kind=SignInKind.TWO_FACTOR_FAILED).count() == 5
    assert SignInEvent.objects.filter(username="officer", kind=SignInKind.LOCKED).count() == 1
    # The half-finished sign-in is gone: the right code now does nothing.
    clock.shift(30)
    response = client.post("/staff/login/code/", {"token": current_code(device)}, REMOTE_ADDR=ADDRESSES[0])
    assert response.status_code == 302 and response["Location"] == "/staff/login/"


def test_manager_sees_and_unlocks_a_locked_account(client, officer_user, manager_user, clock):
    lock("officer")
    client.force_login(manager_user)
    page = client.get("/staff/security/")
    html = page.content.decode()
    assert page.status_code == 200 and "Locked accounts" in html and "Unlock<span class=\"govuk-visually-hidden\"> officer" in html
    response = client.post("/staff/security/unlock/", {"username": "officer"})
    assert response.status_code == 302
    assert "No accounts are locked" in client.get("/staff/security/").content.decode()
    assert sign_in("officer", PASSWORD, ADDRESSES[0]).status_code == 302
    unlocked = SignInEvent.objects.get(kind=SignInKind.UNLOCKED)
    assert unlocked.username == "officer" and unlocked.actor == manager_user and unlocked.user == officer_user


@pytest.mark.parametrize("who", ["officer_user", "call_centre_user", "no_role_user"])
def test_only_managers_reach_the_security_pages(client, who, request, officer_user):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/staff/security/").status_code == 404
    assert client.get("/staff/security/people/").status_code == 404
    assert client.post("/staff/security/unlock/", {"username": "officer"}).status_code == 404
    assert client.get(f"/staff/security/people/{officer_user.pk}/reset-two-factor/").status_code == 404


def test_security_page_needs_sign_in(client):
    response = client.get("/staff/security/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_sign_in_log_filters_by_username(client, officer_user, manager_user, clock):
    sign_in("officer", "wrong-password", ADDRESSES[0])
    sign_in("someone-else", "wrong-password", ADDRESSES[1])
    client.force_login(manager_user)
    html = client.get("/staff/security/", {"username": "Officer"}).content.decode()
    assert "Wrong username or password" in html and "someone-else" not in html
    assert "someone-else" in client.get("/staff/security/").content.decode()


def test_manager_resets_two_factor_with_a_reason(client, officer_user, manager_user):
    totp_device_for(officer_user)
    client.force_login(manager_user)
    people = client.get("/staff/security/people/").content.decode()
    assert "Reset two-factor<span class=\"govuk-visually-hidden\"> for officer" in people
    url = f"/staff/security/people/{officer_user.pk}/reset-two-factor/"
    response = client.post(url, {"reason": ""})
    assert "Enter why you are resetting" in response.content.decode()
    response = client.post(url, {"reason": "Lost phone"})
    assert response.status_code == 302
    assert not officer_user.totpdevice_set.exists()
    event = SignInEvent.objects.get(kind=SignInKind.TWO_FACTOR_RESET)
    assert event.user == officer_user and event.actor == manager_user and event.detail == "Lost phone"
    assert client.get(url).status_code == 404  # nothing left to reset


def test_security_pages_keep_a_fixed_query_count(client, manager_user, django_assert_max_num_queries, clock):
    from ..cases.factories import UserFactory

    for n in range(60):
        UserFactory(username=f"person{n}", is_staff=True)
        sign_in(f"person{n}", "wrong-password", ADDRESSES[n % 5])
    client.force_login(manager_user)
    client.get("/staff/security/")
    with django_assert_max_num_queries(8):
        assert client.get("/staff/security/", {"page": 2}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/staff/security/people/", {"page": 2}).status_code == 200


def test_test_client_login_needs_a_request_for_django_axes(client, officer_user):
    # django-axes watches every authenticate() and needs the request; the test client's login() passes none.
    # Tests use force_login, or pass a request as here.
    from axes.exceptions import AxesBackendRequestParameterRequired
    from django.http import HttpRequest

    with pytest.raises(AxesBackendRequestParameterRequired):
        client.login(username="officer", password=PASSWORD)
    assert client.login(request=HttpRequest(), username="officer", password=PASSWORD)
    assert client.get("/staff/").status_code == 200
