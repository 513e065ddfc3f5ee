# ruff: noqa: F811  (the shared fixtures are imported from test_actions and named as arguments)
"""No hostile input to a resident's action pages (or the officer's "dealt with" form) makes a server error, and a
refused post saves nothing: hypothesis replaces, drops and doubles fields of a valid post (tests/test_fuzz_forms.py)."""

import uuid

import pytest
from django.urls import reverse
from hypothesis import given

from cases.models import DiaryEntry, ResidentRequest, TimelineEntry
from cases.services.resident_actions import callback_request
from cases.services.resident_links import link_token

from ..test_fuzz_forms import FUZZ, hostile
from .test_actions import clock, diary_post, margaret, media  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

BASES = {
    "diary_add": diary_post(),
    "callback": {"phone": "07700 900456", "best_time": "mornings"},
    "contact_preference": {"method": "email", "email": "new@example.com", "phone": "", "address": "", "postcode": ""},
    "stopped": {"details": "All quiet"},
    "started_again": {"details": "It is back"},
    "evidence_add": {"description": "The door"},
}


def counts():
    return DiaryEntry.objects.count(), ResidentRequest.objects.count(), TimelineEntry.objects.count()


@pytest.mark.parametrize("name", sorted(BASES))
def test_hostile_posts_to_resident_pages_never_make_a_server_error(margaret, client, settings, name):
    settings.RATELIMIT_ENABLE = False
    settings.RESIDENT_ACTION_RATE = "100000/h"
    url = reverse(f"resident:{name}", kwargs={"token": link_token(margaret)})
    base = {"submission_key": str(uuid.uuid4()), **BASES[name]}

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        before = counts()
        response = client.post(url, data)
        assert response.status_code < 500
        if "govuk-panel--confirmation" not in response.content.decode():
            assert counts() == before  # refused: nothing saved

    post()


def test_hostile_outcomes_never_make_a_server_error(margaret, client, officer_user):
    request = callback_request(link=margaret, phone="07700 900456", submission_key=uuid.uuid4())
    url = reverse("staff:resident_request_done", kwargs={"reference": margaret.case.reference, "request_id": request.pk})
    client.force_login(officer_user)

    @FUZZ
    @given(data=hostile({f"r{request.pk}-outcome": "Called her back"}))
    def post(data):
        response = client.post(url, data)
        assert response.status_code < 500

    post()


def test_a_nul_character_in_a_diary_entry_is_refused_or_cleaned_never_a_500(margaret, client):
    url = reverse("resident:diary_add", kwargs={"token": link_token(margaret)})
    response = client.post(url, diary_post(what_happened="a\x00b"))
    assert response.status_code < 500
