"""A survey link that no longer works says one thing, by reason: answered thanks them; expired or forged records nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from surveys.services import invitation_token, survey_submit

from .test_services import GOOD
from .test_views import invitation_for

pytestmark = pytest.mark.django_db


def test_an_answered_link_thanks_them_and_does_not_say_nothing_was_recorded(client, officer_user):
    token = invitation_token(invitation_for(officer_user))
    survey_submit(token=token, answers=GOOD)
    response = client.get(f"/survey/{token}/")
    page = response.content.decode()
    assert response.status_code == 410
    assert "You have already answered this survey. Thank you." in page
    assert "Nothing has been recorded" not in page and "does not work" not in page


def test_an_expired_link_says_nothing_was_recorded(client, officer_user, settings):
    token = invitation_token(invitation_for(officer_user))
    with time_machine.travel(timezone.now() + timedelta(days=settings.SURVEY_LINK_DAYS + 1)):
        page = client.get(f"/survey/{token}/").content.decode()
    assert "This survey link has expired." in page and "Nothing has been recorded" in page
    assert "already answered" not in page


def test_a_forged_link_says_nothing_was_recorded(client):
    page = client.get("/survey/nonsense/").content.decode()
    assert "This survey link is not valid" in page and "Nothing has been recorded" in page
