import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cases.evidence import evidence_check

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


@pytest.mark.parametrize("name, content, mime", [("a.png", PNG, "image/png"), ("b.pdf", PDF, "application/pdf"), ("c.mp4", MP4, "video/mp4")])
def test_allowed_files_are_recognised_by_content(name, content, mime):
    assert evidence_check(SimpleUploadedFile(name, content)).content_type == mime


def test_a_renamed_executable_is_refused_whatever_its_name():
    with pytest.raises(ValidationError, match="must be a photo"):
        evidence_check(SimpleUploadedFile("holiday.jpg", b"MZ\x90\x00" + b"\x00" * 64))


def test_html_is_refused():
    with pytest.raises(ValidationError):
        evidence_check(SimpleUploadedFile("x.png", b"<html><script>alert(1)</script></html>"))


@override_settings(EVIDENCE_MAX_BYTES=100)
def test_oversize_file_is_refused_with_the_limit():
    with pytest.raises(ValidationError, match="smaller than 100"):
        evidence_check(SimpleUploadedFile("big.png", PNG + b"\x00" * 200))


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        evidence_check(SimpleUploadedFile("e.png", b""))
