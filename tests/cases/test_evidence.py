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


# --- one type only: nothing of another type inside (issue 9) ----------------------------------
#
# Real, decodable files built here in bytes (both checked once in Chromium: a red and a grey pixel),
# then with programs, archives, documents and scripts appended or embedded.

import io  # noqa: E402
import random  # noqa: E402
import struct  # noqa: E402
import zipfile  # noqa: E402
import zlib  # noqa: E402


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def real_png(*extra_chunks: bytes) -> bytes:
    """A 1×1 red PNG, with any extra chunks before the image data."""
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(extra_chunks) + png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + png_chunk(b"IEND", b"")


def jpeg_segment(marker: int, data: bytes) -> bytes:
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data


def real_jpeg(scan: bytes = b"\x3f", *, app_segments: bytes = b"") -> bytes:
    """A 1×1 grey baseline JPEG: one-code Huffman tables, so the scan byte 0x3F is DC 0 then end of block."""
    one_code = bytes([1] + [0] * 15)
    return (
        b"\xff\xd8" + jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00") + app_segments
        + jpeg_segment(0xDB, b"\x00" + b"\x01" * 64) + jpeg_segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
        + jpeg_segment(0xC4, b"\x00" + one_code + b"\x00") + jpeg_segment(0xC4, b"\x10" + one_code + b"\x00")
        + jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + scan + b"\xff\xd9"
    )


def windows_program() -> bytes:
    """The headers of a Windows PE program: DOS header pointing (e_lfanew, offset 0x3C) at "PE\\0\\0"."""
    dos = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 0x7C)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    coff = struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 0xF0, 0x22)
    return bytes(dos) + b"PE\x00\x00" + coff + b"\x00" * 256


def linux_program() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + struct.pack("<HHI", 2, 0x3E, 1) + b"\x00" * 200


def zip_archive(name="invoice.exe", content=b"MZ not really", method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        archive.writestr(name, content)
    return out.getvalue()


def docx_like() -> bytes:
    """A Word document's package: a ZIP whose first entries are [Content_Types].xml and word/document.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>Noise diary</w:p></w:body></w:document>")
        archive.writestr("word/media/image1.png", real_png(), compress_type=zipfile.ZIP_STORED)
        archive.writestr("docProps/thumbnail.jpeg", real_jpeg(), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def mp4_clip() -> bytes:
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + b"\x00\x00\x00\x10mdat" + b"\x01" * 8


def check(name, content):
    return evidence_check(SimpleUploadedFile(name, content))


@pytest.mark.parametrize("name, content, mime", [
    ("red.png", real_png(), "image/png"),
    ("grey.jpg", real_jpeg(), "image/jpeg"),
    ("diary.docx", docx_like(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("letter.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n%PDF-1.4 quoted\ntrailer\n%%EOF\n", "application/pdf"),
    ("clip.mp4", mp4_clip(), "video/mp4"),
])
def test_plain_real_files_are_accepted(name, content, mime):
    assert check(name, content).content_type == mime


@pytest.mark.parametrize("payload, what", [
    (windows_program(), "Windows program"),
    (linux_program(), "Linux program"),
    (zip_archive(), "ZIP archive"),
    (b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n", "PDF"),
    (b"<script>fetch('/staff/')</script>", "script"),
    (b"<?php system($_GET['c']); ?>", "script"),
    (b"<html><body>hello</body></html>", "web page"),
    (b"#!/bin/sh\nrm -rf ~\n", "script"),
])
@pytest.mark.parametrize("image", ["png", "jpeg"])
def test_an_image_with_something_else_appended_is_refused(image, payload, what):
    content = (real_png() if image == "png" else real_jpeg()) + payload
    with pytest.raises(ValidationError, match="another kind of file hidden inside it") as refused:
        check(f"holiday.{image}", content)
    assert refused.value.code == "mixed_content"


def test_a_program_hidden_inside_a_png_chunk_is_refused():
    content = real_png(png_chunk(b"tEXt", b"Comment\x00" + windows_program()))
    with pytest.raises(ValidationError, match="hidden inside"):
        check("red.png", content)


def test_php_in_a_jpeg_comment_is_refused():
    content = real_jpeg(app_segments=jpeg_segment(0xFE, b"<?php eval($_POST['x']); ?>"))
    with pytest.raises(ValidationError, match="hidden inside"):
        check("grey.jpg", content)


def test_an_archive_in_the_middle_of_a_video_is_refused():
    content = mp4_clip() + b"\x00" * 5000 + zip_archive() + b"\x00" * 5000
    with pytest.raises(ValidationError, match="hidden inside"):
        check("clip.mp4", content)


def test_an_archive_after_a_jpeg_is_refused_even_when_unstructured():
    # After the image's end only the next file's magic number is needed: a bare "PK\x03\x04" or "MZ".
    for trailer in (b"PK\x03\x04" + b"\x00" * 40, b"MZ" + b"\x00" * 100):
        with pytest.raises(ValidationError, match="hidden inside"):
            check("grey.jpg", real_jpeg() + trailer)


def test_a_motion_photo_and_a_multi_picture_jpeg_are_accepted():
    # Phones append the clip of a "motion photo", and cameras a second picture, after the JPEG's end.
    assert check("motion.jpg", real_jpeg() + mp4_clip()).content_type == "image/jpeg"
    assert check("mpo.jpg", real_jpeg() + real_jpeg()).content_type == "image/jpeg"
    assert check("padded.jpg", real_jpeg() + b"\x00" * 300).content_type == "image/jpeg"


def test_chance_byte_patterns_in_compressed_data_are_not_mistaken_for_files():
    # A large JPEG scan of random bytes (0xFF stuffed as 0xFF00, as encoders do), sprinkled with the short
    # magic numbers that occur by chance in any compressed media: only structured signatures count.
    noise = random.Random(9).randbytes(3 * 1024 * 1024)
    for chance in (b"MZ\x00\x00", b"PK\x03\x04\xff\xff", b"\x7fELF\x09", b"PE\x00\x00", b"<scrip", b"#!/x", b"%PDF"):
        noise = noise[:1000] + chance + noise[1000:]
        noise = noise[: len(noise) // 2] + chance + noise[len(noise) // 2 :]
    scan = noise.replace(b"\xff", b"\xff\x00")
    assert check("big.jpg", real_jpeg(scan=scan)).content_type == "image/jpeg"
    assert check("big.mp4", mp4_clip() + noise).content_type == "video/mp4"


def test_a_signature_across_the_scanners_chunk_boundary_is_found():
    from cases import evidence

    for offset in (evidence._CHUNK - evidence._OVERLAP - 3, evidence._CHUNK - 2, evidence._CHUNK + 5):
        content = mp4_clip() + b"\x00" * (offset - len(mp4_clip())) + windows_program() + b"\x00" * 100_000
        with pytest.raises(ValidationError, match="hidden inside"):
            check("clip.mp4", content)


def test_every_allowed_type_has_a_download_extension():
    from cases.evidence import ALLOWED_TYPES, EXTENSIONS

    assert ALLOWED_TYPES <= EXTENSIONS.keys()
