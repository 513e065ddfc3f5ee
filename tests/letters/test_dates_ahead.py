"""A notice or contract never gives a date already past: a CPN's date to comply by, an ABC's review date."""

from datetime import date

import pytest
import time_machine

from letters.models import DeliveryMethod, Document, DocumentKind
from letters.services.documents import DocumentError, document_record_sent

from .test_documents_support import T0, letter_storage, letter_templates, letters_case, make  # noqa: F401 (fixtures)


def test_a_cpn_must_give_a_date_to_comply_by_after_today(letters_case, letter_templates, letter_storage, officer_user):  # noqa: F811
    x = letters_case
    with time_machine.travel(T0, tick=False) as clock:
        cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
        document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
        clock.move_to(T0.replace(day=20))
        for past in (date(2026, 11, 20), date(2026, 11, 1)):
            with pytest.raises(DocumentError, match="must be after today"):
                make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user, comply_by=past)
        assert not Document.objects.filter(kind=DocumentKind.CPN).exists()
        assert make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user,
                    comply_by=date(2026, 11, 21)).kind == DocumentKind.CPN


def test_an_abc_review_date_must_be_after_today(letters_case, letter_templates, letter_storage, officer_user):  # noqa: F811
    x = letters_case
    with time_machine.travel(T0, tick=False):
        with pytest.raises(DocumentError, match="review date must be after today"):
            make(DocumentKind.ABC, case=x["case"], recipient=x["kyle"], actor=officer_user, review_date=T0.date())
        assert make(DocumentKind.ABC, case=x["case"], recipient=x["kyle"], actor=officer_user).kind == DocumentKind.ABC


def test_served_in_the_minute_it_was_made_is_taken_as_when_it_was_made(letters_case, letter_templates, letter_storage, officer_user):  # noqa: F811
    """The form gives the time to the minute: a notice made at 10:00:05 and served "at 10:00" was served when made
    (a browser journey found the refusal when the clock ticked past the minute's start)."""
    from datetime import timedelta

    x = letters_case
    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
        sent = document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
        assert sent.sent_at == cpw.created_at == T0 + timedelta(seconds=5)
        other = make(DocumentKind.CPW, case=x["case"], recipient=x["dean"], actor=officer_user)
        with pytest.raises(DocumentError, match="before it was made"):
            document_record_sent(document=other, method=DeliveryMethod.HAND, sent_at=T0 - timedelta(seconds=1),
                                 actor=officer_user)
