"""Letters and notices as HTML and PDF: the council's letterhead, then the wording with its placeholders filled in.

The wording is plain text, never a Django template (a manager's wording is data, not code): it is split into
paragraphs on blank lines, `{name}` is replaced by the value, and every piece of text and every value is
HTML-escaped, so a hostile value prints as the characters typed and cannot add markup.
"""

import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from asb_portal.pdf import pdf_from_html

from .fields import PLACEHOLDER_RE

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*(?:\r?\n[ \t]*)+")
TEMPLATE = "letters/pdf/document.html"


def _lines(text: str) -> str:
    """`text` escaped, its line breaks kept as <br>."""
    return "<br>".join(escape(line) for line in text.split("\n"))


def paragraphs(wording: str, values: dict) -> list[SafeString]:
    """The wording's paragraphs as safe HTML, each placeholder replaced by its escaped value."""
    text = (wording or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    result = []
    for block in PARAGRAPH_BREAK.split(text):
        block = block.strip()
        if not block:
            continue
        html, last = [], 0
        for match in PLACEHOLDER_RE.finditer(block):
            html.append(_lines(block[last:match.start()]))
            name = match.group(1)
            html.append(_lines(str(values.get(name) or "").replace("\r\n", "\n").strip()) if name in values
                        else escape(match.group(0)))
            last = match.end()
        html.append(_lines(block[last:]))
        joined = "".join(html)
        if joined.replace("<br>", "").strip():  # an optional placeholder left empty leaves no empty paragraph
            result.append(mark_safe(joined))  # noqa: S308 - every piece above is escaped
    return result


def wording_text(wording: str, values: dict) -> str:
    """The wording filled in as plain text (paragraphs separated by a blank line): for previews and tests."""
    text = (wording or "").replace("\r\n", "\n").strip()
    return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1)) or "") if m.group(1) in values else m.group(0), text)


def document_context(*, heading: str, wording: str, values: dict, number: str) -> dict:
    values = values or {}
    addressee = str(values.get("recipient_name") or values.get("applicant_name") or "").strip()
    return {
        "heading": heading,
        "number": number,
        "paragraphs": paragraphs(wording, values),
        "addressee": addressee,
        "address_lines": [line.strip() for line in str(values.get("recipient_address") or "").split(",") if line.strip()]
        if addressee else [],
        "case_reference": values.get("case_reference", ""),
        "date": values.get("today", ""),
        "officer_name": values.get("officer_name", ""),
        "letterhead": {
            "name": settings.COUNCIL_NAME,
            "address_lines": [line.strip() for line in settings.LETTERHEAD_ADDRESS.split(",") if line.strip()],
            "phone": values.get("team_phone") or settings.COUNCIL_PHONE,
            "website": settings.COUNCIL_WEBSITE,
            "colour": settings.COUNCIL_COLOUR,  # validated as #rrggbb in settings: safe inside <style>
        },
    }


def document_html(*, heading: str, wording: str, values: dict, number: str) -> str:
    """The letter or notice as a complete HTML document (letterhead and paragraphs, every value escaped)."""
    return render_to_string(TEMPLATE, document_context(heading=heading, wording=wording, values=values, number=number))


def document_pdf(*, heading: str, wording: str, values: dict, number: str) -> bytes:
    """The letter or notice as a PDF (WeasyPrint; fetches nothing)."""
    return pdf_from_html(document_html(heading=heading, wording=wording, values=values, number=number))
