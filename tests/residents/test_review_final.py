# ruff: noqa: F811  (the shared fixtures are imported from test_actions and named as arguments)
"""Final review of issue 15 (residents): a regression test for each bug found, and hypothesis over the resident and
staff forms the earlier fuzz tests did not reach (tests/test_fuzz_forms.py's pattern: a valid post with fields
replaced, dropped or doubled by hostile values; never a 500, and a refusal saves nothing)."""

import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from hypothesis import given

from cases.models import DiaryEntry, ResidentLink, ResidentRequest, TimelineEntry
from cases.services.resident_actions import callback_request, diary_entry_add
from cases.services.resident_links import link_path, link_token, resident_link_issue
from notifications.models import Message

from ..cases.factories import report_submission, submit_report
from ..test_fuzz_forms import FUZZ, hostile
from .test_actions import NOW, anonymous_link, clock, diary_post, margaret, media  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def counts():
    return (DiaryEntry.objects.count(), ResidentRequest.objects.count(), TimelineEntry.objects.count(),
            ResidentLink.objects.count(), Message.objects.count())


def no_limits(settings):
    settings.RATELIMIT_ENABLE = False
    settings.RESIDENT_ACTION_RATE = "100000/h"
    settings.RESIDENT_LINK_MISS_RATE = "100000/h"


# --- bugs ---------------------------------------------------------------------------------------------------------------

def test_another_links_new_link_key_never_hands_over_that_persons_new_link(client, anonymous_link, media):
    """Failed before its fix: the new-link form's key answered with whatever link was made with it, for any link. A
    second resident posting the key of an anonymous reporter's "get a new link" form (it is in that page's HTML) was
    redirected to the anonymous reporter's new case page, token and all."""
    key = str(uuid.uuid4())
    first = client.post(link_path(anonymous_link) + "new-link/", {"submission_key": key})
    assert first.status_code == 302
    their_new = first["Location"]
    assert their_new.startswith("/my-case/") and their_new != link_path(anonymous_link)

    other = submit_report(report_submission(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method="",
                                            incident_date=date(2026, 11, 20)), received_at=NOW - timedelta(days=1))
    mine = resident_link_issue(case=other.case, report=other)
    stranger = client.__class__()
    response = stranger.post(link_path(mine) + "new-link/", {"submission_key": key})
    assert response.status_code < 500
    assert response.get("Location") != their_new
    assert their_new not in response.content.decode()
    mine.refresh_from_db()
    assert mine.is_live  # refused: nothing changed for them either
    assert ResidentRequest.objects.filter(report=other).count() == 0


# --- hypothesis: resident forms not fuzzed before -------------------------------------------------------------------------

def test_hostile_new_link_posts_never_make_a_server_error(client, settings, margaret):
    no_limits(settings)

    @FUZZ
    @given(data=hostile({"submission_key": str(uuid.uuid4())}))
    def post(data):
        before = counts()
        live = ResidentLink.objects.get(party=margaret.party, revoked_at__isnull=True)
        response = client.post(link_path(live) + "new-link/", data)
        assert response.status_code < 500
        if ResidentRequest.objects.count() == before[1]:
            assert counts() == before  # refused: no link made, no message sent

    post()


def test_hostile_diary_corrections_never_make_a_server_error(client, settings, margaret):
    no_limits(settings)
    original = diary_entry_add(link=margaret, happened_at=NOW - timedelta(hours=5), what_happened="Bass until 2am", files=[],
                               submission_key=uuid.uuid4())
    url = reverse("resident:diary_correct", kwargs={"token": link_token(margaret), "entry_id": original.pk})
    base = {**diary_post(what_happened="It was until 3am, not 2am"), "submission_key": str(uuid.uuid4())}

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        before = counts()
        response = client.post(url, data)
        assert response.status_code < 500
        if "govuk-panel--confirmation" not in response.content.decode():
            assert counts() == before  # refused: nothing saved
        else:
            assert DiaryEntry.objects.filter(corrects=original).exists()

    post()


# --- hypothesis: staff forms ------------------------------------------------------------------------------------------

def test_hostile_updates_never_make_a_server_error(client, settings, margaret, officer_user):
    no_limits(settings)
    client.force_login(officer_user)
    url = reverse("staff:resident_update", kwargs={"reference": margaret.case.reference, "party_id": margaret.party_id})

    @FUZZ
    @given(data=hostile({"text": "We have written to the landlord", "submission_key": str(uuid.uuid4())}))
    def post(data):
        before = counts()
        response = client.post(url, data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert counts() == before

    post()


def test_hostile_revokes_never_make_a_server_error(client, settings, margaret, officer_user):
    no_limits(settings)
    client.force_login(officer_user)
    url = reverse("staff:resident_link_revoke", kwargs={"reference": margaret.case.reference, "link_id": margaret.pk})

    @FUZZ
    @given(data=hostile({"reason": "She says her son saw it"}))
    def post(data):
        before = counts()
        live = ResidentLink.objects.get(pk=margaret.pk).is_live
        response = client.post(url, data)
        assert response.status_code < 500
        if response.status_code != 302 or not live:
            assert counts() == before  # refused (or already revoked): nothing saved
        if response.status_code == 302:  # start again from a live link
            ResidentLink.objects.filter(pk=margaret.pk).update(revoked_at=None, revoked_by=None, revoke_reason="")

    post()


def test_hostile_new_link_sends_never_make_a_server_error(client, settings, margaret, officer_user):
    no_limits(settings)
    client.force_login(officer_user)
    url = reverse("staff:resident_link_issue", kwargs={"reference": margaret.case.reference})

    @FUZZ
    @given(data=hostile({"party": str(margaret.party_id), "replaces": str(margaret.pk)}))
    def post(data):
        before = counts()
        response = client.post(url, data)
        assert response.status_code in (302, 404), response.status_code
        if counts() != before:  # only a valid post for Margaret makes a link (and one message)
            assert ResidentLink.objects.filter(party=margaret.party, revoked_at__isnull=True).count() == 1

    post()


def test_hostile_request_outcomes_never_make_a_server_error_and_a_refusal_saves_nothing(client, settings, margaret,
                                                                                         officer_user):
    no_limits(settings)
    request = callback_request(link=margaret, phone="07700 900456", submission_key=uuid.uuid4())
    url = reverse("staff:resident_request_done", kwargs={"reference": margaret.case.reference, "request_id": request.pk})
    client.force_login(officer_user)

    @FUZZ
    @given(data=hostile({f"r{request.pk}-outcome": "Called her back"}))
    def post(data):
        before = counts()
        response = client.post(url, data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert counts() == before  # refused: nothing saved

    post()
