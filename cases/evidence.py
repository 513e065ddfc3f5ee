"""Checks on evidence files: type by content (not by name), size, and nothing of another type inside."""

import logging
import re
import struct
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

logger = logging.getLogger(__name__)

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

# The extension a download gets, from the type found in the content (never from the uploader's file name).
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "image/heic": "heic",
    "image/heif": "heif", "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx", "application/msword": "doc",
    "application/vnd.oasis.opendocument.text": "odt", "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/x-m4a": "m4a",
    "audio/m4a": "m4a", "audio/x-wav": "wav", "audio/wav": "wav", "audio/ogg": "ogg", "audio/amr": "amr",
    "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/3gpp": "3gp", "video/x-msvideo": "avi",
    "video/x-matroska": "mkv",
}

# Word (.docx) and OpenDocument files are ZIP archives: ZIP headers inside them are their own.
ZIP_BASED_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int


def evidence_check(uploaded) -> CheckedFile:
    """Raise ValidationError (naming the file) unless it is an allowed type, within the size limit, and one type only."""
    name = uploaded.name
    if uploaded.size == 0:
        raise ValidationError(f"The selected file {name} is empty", code="empty")
    if uploaded.size > settings.EVIDENCE_MAX_BYTES:
        limit = filesizeformat(settings.EVIDENCE_MAX_BYTES)
        raise ValidationError(f"The selected file {name} must be smaller than {limit}", code="too_big")
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(f"The selected file {name} must be {ALLOWED_DESCRIPTION}", code="bad_type")
    try:
        foreign = foreign_content(uploaded, kind.mime)
    finally:
        uploaded.seek(0)
    if foreign:
        logger.warning("Evidence upload refused: a %s file containing %s", kind.mime, foreign)
        raise ValidationError(
            f"The selected file {name} has another kind of file hidden inside it, so we cannot accept it. "
            "Send the photo, video, audio or document on its own",
            code="mixed_content",
        )
    return CheckedFile(content_type=kind.mime, size=uploaded.size)


# --- one type only (see foreign_content) ---------------------------------------------------

_CHUNK = 1024 * 1024
_MAX_E_LFANEW = 0x10000
_OVERLAP = _MAX_E_LFANEW + 64  # the most we read past the start of a signature
_MAX_CANDIDATES = 100_000

# (kind, the bytes searched for). bytes.find runs at C speed; one regex with all of these in it
# was ten times slower (Python's re tries every alternative at every position).
_NEEDLES = [
    ("mz", b"MZ"),
    ("elf", b"\x7fELF"),
    ("macho_be", b"\xfe\xed\xfa"),
    ("macho_le", b"\xfa\xed\xfe"),
    ("zip", b"PK\x03\x04"),
    ("rar", b"Rar!\x1a\x07"),
    ("sevenzip", b"7z\xbc\xaf\x27\x1c"),
    ("cab", b"MSCF\x00\x00\x00\x00"),
    ("ole", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ("pdf", b"%PDF-"),
    ("shebang", b"#!/"),
]
_SCRIPT = re.compile(rb"<(?i:script[\s>/]|\?php\s|html[\s>]|iframe[\s>/]|object[\s>]|embed[\s>])")
_SHEBANG = re.compile(rb"#!/(?:usr/)?(?:local/)?bin/")
_PDF = re.compile(rb"%PDF-[12]\.[0-9]")
_MACHO_CPUS = {7, 0x01000007, 12, 0x0100000C, 18, 0x01000012}  # x86, x86-64, ARM, ARM64, PowerPC, PowerPC 64
_ZIP_METHODS = {0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 14, 18, 19, 93, 95, 96, 97, 98, 99}
_PRINTABLE_NAME = re.compile(rb"[\x20-\x7e\x80-\xff]+")
_DESCRIPTIONS = {
    "mz": "a Windows program", "elf": "a Linux program", "macho_be": "a macOS program", "macho_le": "a macOS program",
    "zip": "a ZIP archive", "rar": "a RAR archive", "sevenzip": "a 7-Zip archive", "cab": "a Cabinet archive",
    "ole": "an OLE2 document", "pdf": "a PDF", "script": "a script or web page", "shebang": "a script",
}


def _is_structured(kind: str, buf: bytes, at: int, mime: str) -> bool:
    """Whether the candidate signature at buf[at] is the real thing (see the notes above)."""
    if kind == "mz":
        if at + 0x40 > len(buf):
            return False
        e_lfanew = struct.unpack_from("<I", buf, at + 0x3C)[0]
        return 0x40 <= e_lfanew <= _MAX_E_LFANEW and buf[at + e_lfanew : at + e_lfanew + 4] == b"PE\x00\x00"
    if kind == "elf":
        ident = buf[at + 4 : at + 16]
        return len(ident) == 12 and ident[0] in (1, 2) and ident[1] in (1, 2) and ident[2] == 1 and ident[5:] == b"\x00" * 7
    if kind == "macho_be":  # FE ED FA CE/CF, then the CPU type big-endian
        return buf[at + 3 : at + 4] in (b"\xce", b"\xcf") and len(buf) >= at + 8 and (
            struct.unpack_from(">I", buf, at + 4)[0] in _MACHO_CPUS
        )
    if kind == "macho_le":  # CE/CF FA ED FE, then the CPU type little-endian
        return at >= 1 and buf[at - 1] in (0xCE, 0xCF) and len(buf) >= at + 7 and (
            struct.unpack_from("<I", buf, at + 3)[0] in _MACHO_CPUS
        )
    if kind == "zip":
        if mime in ZIP_BASED_TYPES or at + 30 > len(buf):
            return False
        version, _flags, method = struct.unpack_from("<HHH", buf, at + 4)
        name_length = struct.unpack_from("<H", buf, at + 26)[0]
        file_name = buf[at + 30 : at + 30 + name_length]
        return (
            version <= 63 and method in _ZIP_METHODS and 1 <= name_length <= 1024
            and len(file_name) == name_length and _PRINTABLE_NAME.fullmatch(file_name) is not None
        )
    if kind == "ole":
        return mime != "application/msword"
    if kind == "pdf":
        return mime != "application/pdf" and _PDF.match(buf, at) is not None
    if kind == "shebang":
        return _SHEBANG.match(buf, at) is not None
    return True  # archives with long magic numbers


def _signatures_in(buf: bytes, lo: int, hi: int, base: int, mime: str, budget: list[int]) -> str | None:
    """The first foreign signature starting in buf[lo:hi] (buf runs on past hi so its structure is in view)."""
    for kind, needle in _NEEDLES:
        if kind == "mz" and buf.find(b"PE\x00\x00", lo) == -1:
            continue  # no PE header anywhere ahead: no "MZ" can be a program's
        at = buf.find(needle, lo)
        while 0 <= at < hi:
            budget[0] -= 1
            if budget[0] < 0:
                return "more signature-like bytes than any photo, recording or document has"
            # The file's own signature at offset 0 was judged by filetype already.
            if not (base + at == 0 and kind in ("zip", "ole", "pdf")) and _is_structured(kind, buf, at, mime):
                return _DESCRIPTIONS[kind]
            at = buf.find(needle, at + 1)
    match = _SCRIPT.search(buf, lo)
    if match and match.start() < hi:
        return _DESCRIPTIONS["script"]
    return None


def _signatures_inside(uploaded, mime: str) -> str | None:
    uploaded.seek(0)
    buf, base, examined = b"", 0, 0  # base: the file offset of buf[0]; candidates before `examined` are done
    # Each candidate is checked in Python: a file made of "MZ" and "PE\0\0" must not cost minutes. Random
    # data of 20 MB has about 400 candidates; real media not many more.
    budget = [_MAX_CANDIDATES]
    while True:
        chunk = uploaded.read(_CHUNK)
        buf += chunk
        # Until the end, the last _OVERLAP bytes wait for the next round, so each candidate has its structure in view.
        hi = len(buf) - _OVERLAP if chunk else len(buf)
        lo = examined - base
        if hi > lo:
            if found := _signatures_in(buf, lo, hi, base, mime, budget):
                return found
            examined = base + hi
        if not chunk:
            return None
        keep_from = max(examined - base - 16, 0)  # a few bytes before, for signatures found by their middle
        base, buf = base + keep_from, buf[keep_from:]


def _jpeg_end(uploaded, size: int) -> int | None:
    """Offset just after the JPEG's EOI marker, following its segments and scans; None if it cannot be followed."""
    uploaded.seek(0)
    if uploaded.read(2) != b"\xff\xd8":
        return None
    pos = 2
    while pos < size:
        uploaded.seek(pos)
        head = uploaded.read(4)
        if len(head) < 2 or head[0] != 0xFF:
            return None
        marker = head[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        if len(head) < 4:
            return None
        length = struct.unpack_from(">H", head, 2)[0]
        if length < 2:
            return None
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next marker that is not a restart or 0xFF00
            pos = _next_marker(uploaded, pos)
            if pos is None:
                return None
    return None


_MARKER_AFTER_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _next_marker(uploaded, pos: int) -> int | None:
    uploaded.seek(pos)
    carry = b""
    while chunk := uploaded.read(_CHUNK):
        buf = carry + chunk
        if match := _MARKER_AFTER_SCAN.search(buf):
            return pos - len(carry) + match.start()
        pos += len(chunk)
        carry = buf[-1:]
    return None


def _png_end(uploaded, size: int) -> int | None:
    """Offset just after the IEND chunk, following the chunk lengths; None if the chunks cannot be followed."""
    pos = 8
    while pos + 12 <= size:
        uploaded.seek(pos)
        head = uploaded.read(8)
        length, chunk_type = struct.unpack(">I4s", head)
        if not chunk_type.isalpha():
            return None
        pos += 12 + length
        if chunk_type == b"IEND":
            return pos
    return None


def _after_the_end(uploaded, mime: str, size: int) -> str | None:
    """What is appended after a JPEG's or PNG's end, if it is not an image, audio or video."""
    end = _jpeg_end(uploaded, size) if mime == "image/jpeg" else _png_end(uploaded, size) if mime == "image/png" else None
    if end is None or end >= size:
        return None
    uploaded.seek(end)
    trailer = uploaded.read(8192).lstrip(b"\x00\xff")  # padding some cameras write
    kind = filetype.guess(trailer) if trailer else None
    if kind is not None and not kind.mime.startswith(("image/", "audio/", "video/")):
        return f"{kind.mime} after the end of the image"
    return None


def foreign_content(uploaded, mime: str) -> str | None:
    r"""What the file carries besides its own type (a short description for the log), or None.

    A file is refused when, besides its own type (recognised at the start by filetype), it carries the
    signature of something that does not belong in a photo, recording or document: a program, an
    archive, another document, or a script or web page. Such polyglots pass a check of the first bytes
    and are the classic way to smuggle an executable or a script past an upload filter.

    Compressed media is close to random, so a short magic number ("MZ", "PK") turns up by chance:
    "MZ" about 300 times in a 20 MB video, a 4-byte magic in 1 of 200 such files. Only *structured*
    signatures count, whose chance of appearing at random is far below one in a billion files:

    - Windows program: "MZ" whose e_lfanew field (offset 0x3C) points, within 64 KB, at "PE\0\0".
      Linkers put the PE header a few hundred bytes in; 64 KB bounds the look-back we keep in memory.
    - ELF program: "\x7fELF", a class and byte order of 1 or 2, version 1, and the zero padding.
    - Mach-O program: its magic followed by a known CPU type in the same byte order.
    - ZIP (also .jar, .apk, Office files): a local file header with a plausible version, a known
      compression method and a printable file name. Allowed inside .docx and .odt, which are ZIPs.
    - RAR, 7-Zip, Microsoft Cabinet, and OLE2 (old Office files, .msi; allowed in a .doc).
    - A PDF header ("%PDF-1.x") in anything but a PDF.
    - Scripts and web pages: "<script", "<?php", "<html", "<iframe", "<object", "<embed" followed by a
      delimiter, and "#!/bin/" style interpreter lines, in any file (6+ bytes: no chance hits).

    JPEG and PNG have a defined end (the EOI marker after the last scan; the IEND chunk). Data after
    it is also refused when its own first bytes are recognised as anything but an image, audio or
    video: appended archives and programs are caught even without the structure above, while a phone's
    "motion photo" (a JPEG followed by its MP4 clip) and multi-picture JPEGs are accepted.

    The file is read in 1 MB chunks with a 64 KB overlap, so a 20 MB upload is read once, never held
    in memory whole.
    """
    return _signatures_inside(uploaded, mime) or _after_the_end(uploaded, mime, uploaded.size)
