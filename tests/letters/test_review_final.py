"""Final review of issue 15 (letters): hypothesis over the forms the earlier fuzz tests did not reach, "record as sent or
served", "withdraw" and the print queue's "record as posted" (tests/test_fuzz_forms.py's pattern: a valid post with
fields replaced, dropped or doubled by hostile values; never a 500, and a refusal saves nothing)."""

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given

from cases.models import Action, Contact, Deadline, TimelineEntry
from letters.models import Document, DocumentKind
from notifications.models import Message

from ..test_fuzz_forms import FUZZ, hostile
from . import test_documents_support as support
from .test_documents_support import T0, make

# The shared fixtures, registered in this module.
letter_storage = support.letter_storage
letter_templates = support.letter_templates
letters_case = support.letters_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letter_storage", "letter_templates")]


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def counts():
    return (Document.objects.count(), TimelineEntry.objects.count(), Action.objects.count(), Contact.objects.count(),
            Message.objects.count(), Deadline.objects.filter(met_at__isnull=False).count())


def state(document):
    document = Document.objects.get(pk=document.pk)
    return document.sent_at, document.sent_method, document.withdrawn_at, document.withdrawn_reason


def _document(kind, x, officer_user, delivery="hand"):
    recipient = x["victim"] if kind == DocumentKind.UPDATE else x["kyle"]
    return make(kind, case=x["case"], recipient=recipient, actor=officer_user, delivery=delivery)


SENT = {"method": "hand", "sent_on_0": "2", "sent_on_1": "11", "sent_on_2": "2026", "sent_time": "10:00"}


@pytest.mark.parametrize("kind", [DocumentKind.UPDATE, DocumentKind.CPW])
def test_hostile_record_as_sent_never_makes_a_server_error(client, clock, letters_case, officer_user, kind):
    client.force_login(officer_user)

    @FUZZ
    @given(data=hostile(SENT))
    def post(data):
        document = _document(kind, letters_case, officer_user)  # a fresh one: a sent document never changes again
        url = reverse("letters:document_sent", args=[letters_case["case"].reference, document.pk])
        before, was = counts(), state(document)
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code != 302:
            assert counts() == before and state(document) == was  # refused: nothing saved
        else:
            assert state(document)[0] is not None

    post()


def test_hostile_withdrawals_never_make_a_server_error(client, clock, letters_case, officer_user):
    client.force_login(officer_user)

    @FUZZ
    @given(data=hostile({"reason": "Made for the wrong person"}))
    def post(data):
        document = _document(DocumentKind.CPW, letters_case, officer_user)
        url = reverse("letters:document_withdraw", args=[letters_case["case"].reference, document.pk])
        before, was = counts(), state(document)
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code != 302:
            assert counts() == before and state(document) == was
        else:
            assert state(document)[2] is not None

    post()


def test_hostile_record_as_posted_never_makes_a_server_error(client, clock, letters_case, officer_user):
    client.force_login(officer_user)
    url = reverse("letters:print_queue")

    @FUZZ
    @given(data=hostile({"document": "DOCUMENT"}))
    def post(data):
        document = _document(DocumentKind.UPDATE, letters_case, officer_user, delivery="post")
        data = {k: ([str(document.pk) if x == "DOCUMENT" else x for x in v] if isinstance(v, list)
                    else str(document.pk) if v == "DOCUMENT" else v) for k, v in data.items()}
        before, was = counts(), state(document)
        response = client.post(url, data)
        assert response.status_code in (302, 404), response.status_code
        if state(document) == was:
            assert counts() == before  # not this document: nothing saved
        else:
            assert state(document)[1] == "post"

    post()


def test_record_as_posted_for_another_document_or_a_sent_one_answers_404(client, clock, letters_case, officer_user):
    client.force_login(officer_user)
    handed = _document(DocumentKind.UPDATE, letters_case, officer_user, delivery="hand")  # never in the queue
    before = counts()
    assert client.post(reverse("letters:print_queue"), {"document": str(handed.pk)}).status_code == 404
    assert counts() == before and state(handed)[0] is None
