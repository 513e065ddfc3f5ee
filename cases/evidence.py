"""Checks on evidence files: type by content (not by name), and size."""

from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# Photos, documents, audio and video that residents and officers commonly send.
ALLOWED_TYPES = {
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/vnd.oasis.opendocument.text",
    "audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/m4a", "audio/x-wav", "audio/wav", "audio/ogg", "audio/amr",
    "video/mp4", "video/quicktime", "video/webm", "video/3gpp", "video/x-msvideo", "video/x-matroska",
}
ALLOWED_DESCRIPTION = "a photo (JPG, PNG, GIF, WebP, HEIC), a document (PDF, Word, ODT), audio (MP3, M4A, WAV, OGG) or video (MP4, MOV, WebM, 3GP, AVI)"


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int


def evidence_check(uploaded) -> CheckedFile:
    """Raise ValidationError (naming the file) unless it is an allowed type and within the size limit."""
    name = uploaded.name
    if uploaded.size == 0:
        raise ValidationError(f"The selected file {name} is empty", code="empty")
    if uploaded.size > settings.EVIDENCE_MAX_BYTES:
        limit = filesizeformat(settings.EVIDENCE_MAX_BYTES)
        raise ValidationError(f"The selected file {name} must be smaller than {limit}", code="too_big")
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(f"The selected file {name} must be {ALLOWED_DESCRIPTION}", code="bad_type")
    return CheckedFile(content_type=kind.mime, size=uploaded.size)
