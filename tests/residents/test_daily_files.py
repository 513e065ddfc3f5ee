"""Residents' files on one case are limited per day (a leaked link cannot fill the store), and a refusal keeps nothing."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Evidence, ResidentRequest
from cases.services.resident_actions import resident_evidence_add

from ..cases.test_evidence import real_png
from . import test_actions

NOW = test_actions.NOW
# The fixtures of test_actions, used here too.
clock, media, margaret = test_actions.clock, test_actions.media, test_actions.margaret

pytestmark = pytest.mark.django_db


def png(name):
    return SimpleUploadedFile(name, real_png(), content_type="image/png")


def test_a_days_files_are_capped_per_case_and_the_refused_upload_keeps_nothing(margaret, settings, media, clock):
    settings.EVIDENCE_MAX_FILES = 2  # so 6 files a day on the case
    for n in range(3):
        resident_evidence_add(link=margaret, files=[png(f"a{n}.png"), png(f"b{n}.png")], submission_key=uuid.uuid4())
    files_on_disk = sorted(p.name for p in media.rglob("*") if p.is_file())
    with pytest.raises(ValidationError, match="a lot of files today"):
        resident_evidence_add(link=margaret, files=[png("late.png")], submission_key=uuid.uuid4())
    assert Evidence.objects.filter(from_resident=True).count() == 6
    assert ResidentRequest.objects.count() == 3
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == files_on_disk
    # The next day there is room again.
    clock.move_to(NOW + timedelta(days=1, minutes=1))
    resident_evidence_add(link=margaret, files=[png("next-day.png")], submission_key=uuid.uuid4())
    assert Evidence.objects.filter(from_resident=True).count() == 7


def test_a_days_bytes_are_capped_per_case(margaret, settings):
    one = len(real_png())
    settings.EVIDENCE_SESSION_MAX_BYTES = one * 2
    resident_evidence_add(link=margaret, files=[png("a.png"), png("b.png")], submission_key=uuid.uuid4())
    with pytest.raises(ValidationError, match="a lot of files today"):
        resident_evidence_add(link=margaret, files=[png("c.png")], submission_key=uuid.uuid4())
