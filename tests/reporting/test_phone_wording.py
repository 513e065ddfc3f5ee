"""The phone report speaks about "the caller": no first-person wording meant for residents (issue 10)."""

import html
import re
import uuid

import pytest

from .test_phone_report import URL, phone_form

pytestmark = pytest.mark.django_db

# Words a resident reads about themself; staff read "the caller". "We"/"us" (the council) are fine.
FIRST_PERSON = re.compile(r"\b(?i:you|your|yours|yourself|me|my|mine)\b|\bI\b")
# The text of every label, legend, hint and error message (and the error summary's links).
WORDING = re.compile(
    r'<(label|legend)\b[^>]*>(?P<a>.*?)</\1>'
    r'|<(?:div|span|p)\b[^>]*class="[^"]*govuk-(?:hint|error-message)[^"]*"[^>]*>(?P<b>.*?)</(?:div|span|p)>'
    r'|<a\b[^>]*href="#[^"]*"[^>]*>(?P<c>.*?)</a>',
    re.S,
)


def wording(page: str) -> list[str]:
    texts = []
    for match in WORDING.finditer(page):
        raw = match.group("a") or match.group("b") or match.group("c") or ""
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())
        if text:
            texts.append(text)
    return texts


def first_person(page: str) -> str:
    """The offending texts, one a line (empty when none), so a failure lists them all."""
    return "\n".join(text for text in wording(page) if FIRST_PERSON.search(text))


def test_phone_report_page_never_says_you_or_i(client, call_centre_user):
    client.force_login(call_centre_user)
    page = client.get(URL).content.decode()
    assert len(wording(page)) > 60  # the labels, legends, hints and choices were read
    assert first_person(page) == ""


def test_phone_report_errors_never_say_you_or_i(client, call_centre_user):
    client.force_login(call_centre_user)
    empty = client.post(URL, {"submission_key": str(uuid.uuid4())}).content.decode()
    assert "There is a problem" in empty
    assert first_person(empty) == ""
    # The errors that only follow from answers: a named person with no name, no way to contact the caller,
    # a contact method without its detail, "keeps happening" without how often.
    answered = client.post(URL, phone_form(**{
        "people-perpetrator_known": "named", "people-perpetrator_name": "",
        "about-you-email": "", "about-you-phone": "", "about-you-reporter_address": "",
        "when-is_ongoing": "yes",
    })).content.decode()
    assert "Enter their name" in answered and "Select how often it happens" in answered
    assert first_person(answered) == ""
    method = client.post(URL, phone_form(**{"contact-preferences-preferred_contact_method": "letter"})).content.decode()
    assert "or choose another way" in method
    assert first_person(method) == ""
