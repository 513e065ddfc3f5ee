"""Two factors: password then code, enrolment, removal, enforcement by TWO_FACTOR_REQUIRED, the admin."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInEvent, SignInKind

from ..conftest import PASSWORD
from .helpers import current_code, totp_device_for

pytestmark = pytest.mark.django_db

AN_INSTANT = datetime(2026, 11, 24, 10, 0, 15, tzinfo=UTC)
ADDRESS = "198.51.100.20"


@pytest.fixture
def clock():
    with time_machine.travel(AN_INSTANT, tick=False) as traveller:
        yield traveller


def password_step(client, username, password=PASSWORD, **extra):
    return client.post("/staff/login/", {"username": username, "password": password, **extra}, REMOTE_ADDR=ADDRESS)


def code_step(client, code, **extra):
    return client.post("/staff/login/code/", {"token": code, **extra}, REMOTE_ADDR=ADDRESS)


def kinds(username):
    return list(SignInEvent.objects.filter(username=username).order_by("at", "id").values_list("kind", flat=True))


def test_password_then_code_signs_in(client, officer_user, clock):
    device = totp_device_for(officer_user)
    response = password_step(client, "officer", next="/staff/cases/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/code/"
    # Half signed in: nothing but the code page is open yet.
    assert client.get("/staff/").status_code == 302
    page = client.get("/staff/login/code/")
    assert "Enter the 6-digit code from your authenticator app" in page.content.decode()

    response = code_step(client, current_code(device))
    assert response.status_code == 302 and response["Location"] == "/staff/cases/"
    assert client.get("/staff/").status_code == 200
    assert kinds("officer") == [SignInKind.SIGNED_IN]
    assert client.cookies["asb_signed_in"].value == "1"


def test_wrong_code_is_refused_and_logged(client, officer_user, clock):
    device = totp_device_for(officer_user)
    password_step(client, "officer")
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = code_step(client, wrong)
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert client.get("/staff/").status_code == 302  # still not signed in
    assert kinds("officer") == [SignInKind.TWO_FACTOR_FAILED]
    # TOTPDevice throttling: straight after a wrong code even the right one waits (1 s, then 2, 4...).
    response = code_step(client, current_code(device))
    assert "too many wrong codes" in response.content.decode()
    clock.shift(2)
    assert code_step(client, current_code(device)).status_code == 302
    assert kinds("officer")[-1] == SignInKind.SIGNED_IN


def test_a_code_is_not_accepted_twice(client, officer_user, clock):
    device = totp_device_for(officer_user)
    code = current_code(device)
    password_step(client, "officer")
    assert code_step(client, code).status_code == 302
    other = type(client)()
    password_step(other, "officer")
    assert code_step(other, code).status_code == 200  # replayed: refused


def test_code_must_be_six_digits(client, officer_user, clock):
    totp_device_for(officer_user)
    password_step(client, "officer")
    response = code_step(client, "12ab")
    assert "Enter the code as 6 digits" in response.content.decode()


def test_half_signed_in_state_expires(client, officer_user, clock, settings):
    device = totp_device_for(officer_user)
    password_step(client, "officer")
    clock.shift(settings.TWO_FACTOR_PENDING_SECONDS + 1)
    response = code_step(client, current_code(device))
    assert response.status_code == 302 and response["Location"] == "/staff/login/"
    assert client.get("/staff/").status_code == 302


def test_code_page_without_a_password_goes_to_sign_in(client):
    response = client.get("/staff/login/code/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/"


def test_not_required_password_alone_works_without_enrolment(client, officer_user, settings):
    settings.TWO_FACTOR_REQUIRED = False
    response = password_step(client, "officer")
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_required_sends_a_signed_in_user_without_an_app_to_set_one_up(client, officer_user, settings, clock):
    settings.TWO_FACTOR_REQUIRED = True
    password_step(client, "officer")
    response = client.get("/staff/cases/")
    assert response.status_code == 302 and response["Location"] == "/staff/two-factor/?next=%2Fstaff%2Fcases%2F"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Set up two-factor sign-in" in html and 'role="img"' in html and "<svg" in html
    device = TOTPDevice.objects.get(user=officer_user, confirmed=False)
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32 and all(len(group) == 4 for group in secret.split())

    response = client.post("/staff/two-factor/", {"token": "000000", "next": "/staff/cases/"})
    assert "The code is not right" in response.content.decode()
    clock.shift(2)  # past the throttle
    response = client.post("/staff/two-factor/", {"token": current_code(device), "next": "/staff/cases/"})
    assert response.status_code == 302 and response["Location"] == "/staff/cases/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/cases/").status_code == 200  # this session is verified by the confirming code
    assert SignInKind.TWO_FACTOR_ENROLLED in kinds("officer")


def test_required_sends_an_enrolled_but_unverified_session_to_the_code_page(client, officer_user, settings, clock):
    settings.TWO_FACTOR_REQUIRED = True
    device = totp_device_for(officer_user)
    client.force_login(officer_user)  # signed in some other way than the two-step page
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/code/?next=%2Fstaff%2F"
    response = client.post("/staff/login/code/", {"token": current_code(device), "next": "/staff/"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_enrolled_user_is_asked_for_the_code_even_when_not_required(client, officer_user, settings):
    settings.TWO_FACTOR_REQUIRED = False
    totp_device_for(officer_user)
    client.force_login(officer_user)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/code/")


def test_partner_and_call_centre_need_two_factor_but_a_resident_page_does_not(client, call_centre_user, settings):
    settings.TWO_FACTOR_REQUIRED = True
    client.force_login(call_centre_user)
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/two-factor/").status_code == 200
    anonymous = type(client)()
    assert anonymous.get("/report/").status_code in (200, 302)
    assert anonymous.get("/privacy/").status_code == 200


def test_admin_needs_the_second_factor_when_required(client, settings, clock):
    from ..cases.factories import UserFactory

    settings.TWO_FACTOR_REQUIRED = True
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/two-factor/")
    device = totp_device_for(admin)  # set up in another session
    clock.shift(60)  # "no device" is remembered for a minute
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/code/")
    client.post("/staff/login/code/", {"token": current_code(device)}, REMOTE_ADDR=ADDRESS)
    assert client.get("/admin/").status_code == 200


def test_admin_login_form_cannot_skip_the_code(client, settings, clock):
    from ..cases.factories import UserFactory

    settings.TWO_FACTOR_REQUIRED = True
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    totp_device_for(admin)
    client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR=ADDRESS)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/code/")


def test_user_removes_their_app_with_a_current_code(client, officer_user, clock):
    device = totp_device_for(officer_user)
    password_step(client, "officer")
    code_step(client, current_code(device))
    page = client.get("/staff/two-factor/")
    assert "Remove authenticator app" in page.content.decode()
    response = client.post("/staff/two-factor/remove/", {"token": current_code(device)})  # already used: refused
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    assert TOTPDevice.objects.filter(user=officer_user).exists()
    clock.shift(30)
    response = client.post("/staff/two-factor/remove/", {"token": current_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer_user).exists()
    assert SignInKind.TWO_FACTOR_REMOVED in kinds("officer")
    # Set up again straight away (replacing the phone).
    assert "Set up two-factor sign-in" in client.get("/staff/two-factor/").content.decode()


def test_two_factor_page_needs_sign_in(client):
    response = client.get("/staff/two-factor/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_police_user_signs_in_with_a_code_and_reaches_shared_cases(client, settings, clock):
    from django.contrib.auth.models import Group

    from cases.models import AgencyMember, PartnerAgency
    from cases.roles import GROUP_NAMES, Role

    from ..cases.factories import UserFactory

    settings.TWO_FACTOR_REQUIRED = True
    police = UserFactory(username="police")
    police.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_USER]))
    AgencyMember.objects.create(user=police, agency=PartnerAgency.objects.get(name="Leicestershire Police"))
    # Without an app the password alone leads only to setting one up.
    password_step(client, "police")
    assert client.get("/partners/").status_code == 302
    client.post("/staff/logout/")
    device = totp_device_for(police)
    assert password_step(client, "police")["Location"] == "/staff/login/code/"
    assert code_step(client, current_code(device))["Location"] == "/staff/"
    response = client.get("/staff/", follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0].startswith("/partners/")
