"""Anonymous evidence uploads are limited: per journey (files and bytes), per client address, and overall (issue 9)."""

import threading
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings

from cases.models import Evidence
from cases.services import evidence_stage

from ..cases.factories import submit_report
from ..cases.test_evidence import real_png
from .helpers import answers, post_step, step_url, walk
from .test_online_journey import walk_rest

pytestmark = pytest.mark.django_db

PNG = real_png()
# django-ratelimit counts in clock windows: the clock is frozen so no window ends mid-test.
AN_INSTANT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _evidence_store(settings, tmp_path):
    # Staged files go to a directory of this test's own, not the development evidence store.
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}


def upload(client, *names, button="upload", **extra):
    data = {"evidence-files": [SimpleUploadedFile(name, PNG) for name in names]}
    if button == "upload":
        data["upload"] = "1"
    return post_step(client, "evidence", data, **extra)


def stage(name="photo.png", *, key=None, address="192.0.2.10"):
    return evidence_stage(staging_key=key or uuid.uuid4(), uploaded=SimpleUploadedFile(name, PNG), client_address=address)


# --- per journey ----------------------------------------------------------------------------

@override_settings(EVIDENCE_MAX_FILES=2)
def test_the_service_refuses_more_files_than_a_report_may_have_whatever_the_form_said():
    key = uuid.uuid4()
    stage(key=key)
    stage(key=key)
    with pytest.raises(ValidationError, match="You can upload up to 2 files"):
        stage(key=key)
    assert Evidence.objects.count() == 2


@override_settings(EVIDENCE_MAX_FILES=2)
def test_continue_with_files_chosen_is_held_to_the_same_limit(client):
    walk(client, answers(), until="evidence")
    assert upload(client, "one.png", "two.png").status_code == 302
    page = upload(client, "three.png", button="continue").content.decode()
    assert "There is a problem" in page and "You can upload up to 2 files" in page
    assert Evidence.objects.count() == 2


def test_continue_with_files_chosen_stages_them_once_and_moves_on(client):
    walk(client, answers(), until="evidence")
    response = upload(client, "one.png", button="continue")
    assert response.status_code == 302 and response["Location"] == step_url("anonymous")
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["one.png"]


def test_a_journeys_files_are_limited_in_total_size_with_a_clear_message_and_answers_kept(client, settings):
    settings.EVIDENCE_SESSION_MAX_BYTES = 2 * len(PNG) + 10
    walk(client, answers(), until="evidence")
    assert upload(client, "one.png", "two.png").status_code == 302
    response = upload(client, "three.png")
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "The selected file three.png would take your files over" in page and 'href="#id_evidence-files"' in page
    assert Evidence.objects.count() == 2
    # The files already added, and every earlier answer, are still there.
    assert "one.png" in page and "two.png" in page
    assert post_step(client, "evidence", {}).status_code == 302
    check = walk_rest(client)
    assert "Loud music until 3am" in client.get(check).content.decode()


def test_starting_again_discards_the_files_of_the_journey_left_behind(client):
    walk(client, answers(), until="evidence")
    upload(client, "one.png", "two.png")
    stored = [e.file.name for e in Evidence.objects.all()]
    assert len(stored) == 2
    client.get("/report/begin/")  # "Start now" again: a new journey, a new staging key
    assert Evidence.objects.count() == 0
    from django.core.files.storage import default_storage

    assert not any(default_storage.exists(name) for name in stored)


def test_a_sent_report_keeps_its_files_when_the_next_journey_starts(client):
    walk(client, answers(), until="evidence")
    upload(client, "one.png")
    post_step(client, "evidence", {})
    assert walk_rest(client, until=None) == "/report/confirmation/"
    client.get("/report/begin/")
    evidence = Evidence.objects.get()
    assert evidence.case is not None and evidence.original_name == "one.png"


# --- per client address --------------------------------------------------------------------

@override_settings(EVIDENCE_UPLOAD_RATE="3/h")
def test_uploads_are_limited_per_client_address_across_sessions(client):
    with time_machine.travel(AN_INSTANT, tick=False):
        walk(client, answers(), until="evidence")
        assert upload(client, "one.png", "two.png", REMOTE_ADDR="203.0.113.5").status_code == 302
        # A new session (cookies dropped) from the same address shares the count.
        other = Client()
        walk(other, answers(), until="evidence")
        assert upload(other, "three.png", REMOTE_ADDR="203.0.113.5").status_code == 302
        response = upload(other, "four.png", REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 200
        assert "You have uploaded a lot of files in a short time" in response.content.decode()
        # Someone else, elsewhere, is not affected.
        elsewhere = Client()
        walk(elsewhere, answers(), until="evidence")
        assert upload(elsewhere, "five.png", REMOTE_ADDR="198.51.100.7").status_code == 302
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["five.png", "one.png", "three.png", "two.png"]


@override_settings(EVIDENCE_UPLOAD_RATE="1/h")
def test_the_address_limit_fails_open_when_redis_is_down(settings):
    dead_cache = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": dead_cache}), time_machine.travel(AN_INSTANT, tick=False):
        stage("one.png")
        stage("two.png")  # over "1/h", but with no count there is nothing to refuse on
    assert Evidence.objects.count() == 2


# --- all staged files together ---------------------------------------------------------------

def test_new_staging_pauses_when_staged_files_fill_the_store_with_a_friendly_message(client, settings):
    settings.EVIDENCE_STAGED_MAX_BYTES = 3 * len(PNG)
    stage("someone-elses.png", address="198.51.100.1")
    stage("another.png", address="198.51.100.2")
    walk(client, answers(), until="evidence")
    assert upload(client, "mine.png").status_code == 302  # exactly at the cap
    response = upload(client, "one-more.png")
    page = response.content.decode()
    assert response.status_code == 200 and "We cannot take files online at the moment" in page
    assert Evidence.objects.count() == 3
    # The resident can carry on without the file.
    assert post_step(client, "evidence", {})["Location"] == step_url("anonymous")


def test_files_already_sent_with_a_report_do_not_count_towards_the_staging_cap(settings):
    settings.EVIDENCE_STAGED_MAX_BYTES = 2 * len(PNG)
    key = uuid.uuid4()
    stage(key=key)
    stage(key=key)
    submit_report(staging_key=key)  # attached to a case: no longer staged
    stage("after.png")
    assert Evidence.objects.filter(case__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_uploads_cannot_both_pass_the_limits(settings):
    settings.EVIDENCE_MAX_FILES = 1
    key = uuid.uuid4()
    barrier = threading.Barrier(4)
    outcomes = []

    def one_upload(n):
        try:
            barrier.wait()
            stage(f"{n}.png", key=key)
            outcomes.append("staged")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=one_upload, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "refused", "refused", "staged"]
    assert Evidence.objects.filter(staging_key=key).count() == 1
