"""The print queue: letters to post, oldest first; recording one as posted clears it; "Print all" is one PDF of the
stored files; the page keeps a fixed number of queries."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from letters.models import Document, DocumentKind
from letters.services.documents import document_withdraw

from . import test_documents_support as support
from .test_documents_support import T0, make

# The shared fixtures, registered in this module.
letter_storage = support.letter_storage
letter_templates = support.letter_templates
letters_case = support.letters_case

pytestmark = pytest.mark.usefixtures("letter_storage", "letter_templates")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _queue(client) -> str:
    response = client.get(reverse("letters:print_queue"))
    assert response.status_code == 200
    return response.content.decode()


def test_queue_lists_unsent_post_documents_oldest_first_and_clears_when_posted(client, clock, letters_case, officer_user):
    x = letters_case
    oldest = make(DocumentKind.WARNING, case=x["case"], recipient=x["dean"], actor=officer_user, delivery="post")
    clock.shift(timedelta(minutes=5))
    newer = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user, delivery="post")
    by_hand = make(DocumentKind.WARNING, case=x["case"], recipient=x["kyle"], actor=officer_user, delivery="hand")
    withdrawn = make(DocumentKind.UPDATE, case=x["case"], recipient=x["victim"], actor=officer_user, delivery="post")
    document_withdraw(document=withdrawn, actor=officer_user, reason="Duplicate")
    client.force_login(officer_user)
    page = _queue(client)
    assert page.index(oldest.number) < page.index(newer.number)
    assert by_hand.number not in page and withdrawn.number not in page

    clock.shift(timedelta(minutes=5))
    response = client.post(reverse("letters:print_queue"), {"document": str(oldest.pk)})
    assert response.status_code == 302
    oldest.refresh_from_db()
    assert oldest.sent_method == "post" and oldest.sent_at == T0 + timedelta(minutes=10)
    page = _queue(client)
    assert f"{oldest.number} recorded as posted" in page  # the message
    assert f"{oldest.number}</span>" not in page and f"{newer.number}</span>" in page  # the table
    # Posting it again (a second click) finds it gone from the queue.
    assert client.post(reverse("letters:print_queue"), {"document": str(oldest.pk)}).status_code == 404
    assert client.post(reverse("letters:print_queue"), {"document": "not-a-uuid"}).status_code == 404


def test_print_all_is_the_stored_pdfs_one_after_another(client, clock, letters_case, officer_user):
    x = letters_case
    made = [make(DocumentKind.WARNING, case=x["case"], recipient=x["dean"], actor=officer_user, delivery="post")
            for _ in range(3)]
    client.force_login(officer_user)
    response = client.get(reverse("letters:print_queue_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    combined = PdfReader(BytesIO(b"".join(response)))
    expected = sum(len(PdfReader(d.pdf.open("rb")).pages) for d in made)
    assert len(combined.pages) == expected
    assert x["case"].reference + "/WARNING/1" in " ".join(p.extract_text() for p in combined.pages).replace("\n", " ") \
        or "Dean Roper" in combined.pages[0].extract_text()


def test_print_all_with_nothing_waiting_goes_back_to_the_queue(client, clock, officer_user, db):
    client.force_login(officer_user)
    response = client.get(reverse("letters:print_queue_pdf"))
    assert response.status_code == 302 and response["Location"] == reverse("letters:print_queue")


def test_queue_page_has_a_fixed_number_of_queries(client, clock, letters_case, officer_user, django_assert_max_num_queries):
    x = letters_case
    make(DocumentKind.WARNING, case=x["case"], recipient=x["dean"], actor=officer_user, delivery="post")
    client.force_login(officer_user)
    with CaptureQueriesContext(connection) as captured:
        _queue(client)
    small = len(captured)
    for _ in range(30):
        make(DocumentKind.WARNING, case=x["case"], recipient=x["dean"], actor=officer_user, delivery="post")
    with django_assert_max_num_queries(small):
        page = _queue(client)
    assert page.count("Record as posted") == 25  # one page of 25
    assert Document.objects.count() == 31
