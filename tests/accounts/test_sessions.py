"""Idle sessions end after SESSION_IDLE_MINUTES; keep-alive; the no-JavaScript message; sign-out; set a password."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import SignInEvent, SignInKind
from accounts.services import password_set_link

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

AN_INSTANT = datetime(2026, 11, 24, 10, 0, 15, tzinfo=UTC)


@pytest.fixture
def clock(settings):
    settings.SESSION_IDLE_MINUTES = 30
    with time_machine.travel(AN_INSTANT, tick=False) as traveller:
        yield traveller


def signed_in(username="officer"):
    client = Client()
    response = client.post("/staff/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_idle_session_ends_and_sign_in_page_says_why(officer_user, clock):
    client = signed_in()
    clock.shift(timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200  # activity: the 30 minutes start again
    clock.shift(timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200
    clock.shift(timedelta(minutes=31))
    response = client.get("/staff/cases/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/?next=/staff/cases/"
    page = client.get(response["Location"])
    assert "You were signed out because you did nothing for 30 minutes" in page.content.decode()
    assert SignInEvent.objects.filter(username="officer", kind=SignInKind.TIMED_OUT).count() == 1
    # Said once: the flag cookie is cleared.
    assert "You were signed out" not in client.get("/staff/login/").content.decode()


def test_idle_time_is_counted_from_sign_in(officer_user, clock):
    client = signed_in()
    clock.shift(timedelta(minutes=30, seconds=1))
    assert client.get("/staff/").status_code == 302


def test_keep_alive_touches_the_session(officer_user, clock):
    client = signed_in()
    client.get("/staff/")
    clock.shift(timedelta(minutes=28))
    response = client.post("/staff/session/keep-alive/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json() == {"signed_in": True, "seconds_left": 1800}
    clock.shift(timedelta(minutes=28))  # 56 minutes after the last page, 28 after "Stay signed in"
    assert client.get("/staff/").status_code == 200


def test_keep_alive_without_javascript_returns_to_the_page(officer_user, clock):
    client = signed_in()
    response = client.post("/staff/session/keep-alive/", {"next": "/staff/cases/"})
    assert response.status_code == 302 and response["Location"] == "/staff/cases/"
    response = client.post("/staff/session/keep-alive/", {"next": "https://evil.example/"})
    assert response["Location"] == "/staff/"


def test_keep_alive_after_the_session_ended(officer_user, clock):
    client = signed_in()
    clock.shift(timedelta(minutes=31))
    response = client.post("/staff/session/keep-alive/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401 and response.json() == {"signed_in": False}
    assert Client().get("/staff/session/keep-alive/").status_code == 405


def test_signed_in_pages_carry_the_timeout_dialog(officer_user, clock):
    client = signed_in()
    html = client.get("/staff/").content.decode()
    dialog = re.search(r'<dialog class="app-timeout"[^>]*>', html).group(0)
    assert 'role="alertdialog"' in dialog and 'data-seconds-left="1800"' in dialog
    assert "You will be signed out in 2 minutes. Any unsaved changes will be lost." in html
    assert re.search(r'<script type="module" src="/static/accounts/session-timeout.js" nonce="[^"]+"></script>', html)
    assert "<dialog" not in Client().get("/staff/login/").content.decode()


def test_a_residents_report_session_is_not_cut_to_the_idle_time(clock):
    client = Client()
    session = client.session
    session["report_wizard"] = {"step": "what"}  # half-way through a long report
    session.save()
    client.cookies["sessionid"] = session.session_key
    clock.shift(timedelta(minutes=45))
    client.get("/report/")
    assert client.session.get("report_wizard") == {"step": "what"}


def test_sign_out_is_logged_and_clears_the_flag(officer_user, clock):
    client = signed_in()
    response = client.post("/staff/logout/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/"
    assert client.cookies["asb_signed_in"].value == ""
    assert "You were signed out because" not in client.get("/staff/login/").content.decode()
    assert list(SignInEvent.objects.filter(username="officer").order_by("id").values_list("kind", flat=True)) == [
        SignInKind.SIGNED_IN,
        SignInKind.SIGNED_OUT,
    ]


def test_new_user_sets_a_password_from_the_link_then_signs_in(settings):
    from ..cases.factories import UserFactory

    settings.TWO_FACTOR_REQUIRED = True
    user = UserFactory(username="newpolice")
    user.set_unusable_password()
    user.save()
    link = password_set_link(user)
    assert link.startswith(settings.SITE_URL) and "/staff/password/set/" in link
    client = Client()
    response = client.get(link.removeprefix(settings.SITE_URL.rstrip("/")), follow=True)
    page = response.content.decode()
    assert "Choose your password" in page and "newpolice" in page
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in response.content.decode()
    new_password = "a-long-and-unusual-passphrase"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password}, follow=True)
    assert response.redirect_chain[-1][0] == "/staff/login/"
    assert "Your password is set" in response.content.decode()
    assert get_user_model().objects.get(username="newpolice").check_password(new_password)
    assert SignInEvent.objects.filter(username="newpolice", kind=SignInKind.PASSWORD_SET).exists()
    # Used once: the link no longer works.
    assert "This link does not work" in Client().get(link.removeprefix(settings.SITE_URL.rstrip("/")), follow=True).content.decode()


def test_a_new_user_signing_in_when_required_goes_on_to_set_up_two_factor(settings, client):
    from django.contrib.auth.models import Group

    from cases.roles import GROUP_NAMES, Role

    from ..cases.factories import UserFactory

    settings.TWO_FACTOR_REQUIRED = True
    user = UserFactory(username="newpolice")
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICER]))
    response = client.post("/staff/login/", {"username": "newpolice", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/staff/two-factor/")
    assert "Set up two-factor sign-in" in response.content.decode()
