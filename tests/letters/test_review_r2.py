"""Review R2 (letters and notices): the law and the rules the first version got wrong, each found by a test here
that failed before its fix."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from cases.models import Action, Case, CaseStatus
from letters.models import DeliveryMethod, Document, DocumentKind
from letters.rules import closure_hearing_refusal, cpn_refusal
from letters.services import documents as document_services
from letters.services.documents import DocumentError, document_record_sent

from . import test_documents_support as support
from .test_documents_support import LONDON, T0, form_data, make, pdf_text

letter_storage = support.letter_storage
letter_templates = support.letter_templates
letters_case = support.letters_case

pytestmark = pytest.mark.usefixtures("letter_storage", "letter_templates")


def _close(case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)


# --- A closed case answers with a message, never a 500 -------------------------------------------------------------


def test_recording_a_letter_as_sent_on_a_closed_case_shows_the_reason_not_a_500(client, letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user, delivery="post")
        _close(x["case"])
        client.force_login(officer_user)
        ref = x["case"].reference
        response = client.post(reverse("letters:document_sent", args=[ref, cpw.pk]),
                               {"method": "hand", "sent_on_0": 2, "sent_on_1": 11, "sent_on_2": 2026})
        assert response.status_code == 200
        assert "is closed" in response.content.decode()
        response = client.post(reverse("letters:document_new", args=[ref, "warning"]),
                               form_data(DocumentKind.WARNING, recipient=x["kyle"]))
        assert response.status_code == 200
        assert "is closed" in response.content.decode()
        response = client.post(reverse("letters:print_queue"), {"document": str(cpw.pk)})
        assert response.status_code == 302
    cpw.refresh_from_db()
    assert cpw.sent_at is None
    assert Document.objects.count() == 1


# --- Closure notice: 48 hours from service, Christmas Day disregarded (s.80) ---------------------------------------


def test_closure_hearing_window_disregards_christmas_day():
    on = datetime(2026, 12, 24, 10, 0, tzinfo=LONDON)
    # 48 hours of time that is not Christmas Day end at 10:00 on 27 December.
    assert closure_hearing_refusal(datetime(2026, 12, 26, 14, 0, tzinfo=LONDON), on) is None
    assert closure_hearing_refusal(datetime(2026, 12, 27, 10, 0, tzinfo=LONDON), on) is None
    assert "within 48 hours" in closure_hearing_refusal(datetime(2026, 12, 27, 10, 1, tzinfo=LONDON), on)
    # Served on Christmas Day itself: the 48 hours start at midnight.
    assert closure_hearing_refusal(datetime(2026, 12, 27, 23, 30, tzinfo=LONDON),
                                   datetime(2026, 12, 25, 15, 0, tzinfo=LONDON)) is None
    # Nowhere near Christmas: plain 48 hours.
    assert "within 48 hours" in closure_hearing_refusal(datetime(2026, 11, 4, 10, 1, tzinfo=LONDON), T0)


def test_closure_notice_made_on_christmas_eve_with_a_hearing_on_boxing_day(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(datetime(2026, 12, 24, 10, 0, tzinfo=LONDON), tick=False):
        document = make(DocumentKind.CLOSURE_NOTICE, case=x["case"], recipient=None, actor=officer_user,
                        hearing_at=datetime(2026, 12, 26, 14, 0, tzinfo=LONDON))
    assert "14:00 on 26 December 2026" in pdf_text(document.pdf.open("rb").read())


def test_closure_notice_cannot_be_served_after_its_hearing_time(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False) as clock:
        # Hearing at 14:00 on 3 November.
        notice = make(DocumentKind.CLOSURE_NOTICE, case=x["case"], recipient=None, actor=officer_user)
        clock.move_to(datetime(2026, 11, 3, 16, 0, tzinfo=LONDON))
        with pytest.raises(DocumentError, match="hearing"):
            document_record_sent(document=notice, method=DeliveryMethod.HAND,
                                 sent_at=datetime(2026, 11, 3, 15, 0, tzinfo=LONDON), actor=officer_user)
        served = document_record_sent(document=notice, method=DeliveryMethod.HAND,
                                      sent_at=datetime(2026, 11, 3, 9, 0, tzinfo=LONDON), actor=officer_user)
    assert served.sent_at == datetime(2026, 11, 3, 9, 0, tzinfo=LONDON)


# --- CPW: the person must get time to comply before a CPN (s.43(5)) ------------------------------------------------


def test_cpw_with_a_comply_by_date_today_or_past_is_refused(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        for day in (date(2026, 11, 1), date(2026, 11, 2)):
            with pytest.raises(DocumentError, match="date to comply by"):
                make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user, comply_by=day)
    assert not Document.objects.exists()


def test_cpw_served_on_or_after_its_comply_by_date_is_refused_and_never_opens_the_way_to_a_cpn(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False) as clock:
        cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)  # comply by 9 November
        clock.move_to(datetime(2026, 11, 10, 12, 0, tzinfo=LONDON))
        with pytest.raises(DocumentError, match="comply"):
            document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=timezone_now(), actor=officer_user)
        # Even a CPW recorded as served late some other way (older data) gives no time to comply: no CPN.
        Document.objects.filter(pk=cpw.pk).update(sent_at=datetime(2026, 11, 9, 12, 0, tzinfo=LONDON), sent_method="hand")
        clock.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=LONDON))
        assert cpn_refusal(x["case"], x["kyle"], timezone_now()) is not None


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_cpn_appeal_paragraph_counts_21_days_beginning_with_the_day_it_was_given(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False) as clock:
        cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
        document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
        clock.move_to(datetime(2026, 11, 10, 10, 0, tzinfo=LONDON))
        cpn = make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user, comply_by=date(2026, 11, 24))
    text = pdf_text(cpn.pdf.open("rb").read())
    assert "within 21 days beginning with the day" in text


# --- Serving an ABC or a notice records its review date on the action ----------------------------------------------


def test_serving_an_abc_or_cpw_puts_its_review_date_on_the_action(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        abc = make(DocumentKind.ABC, case=x["case"], recipient=x["kyle"], actor=officer_user)
        abc = document_record_sent(document=abc, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
        cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["dean"], actor=officer_user)
        cpw = document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
    abc_action = Action.objects.get(pk=abc.action_id)
    assert abc_action.review_on == date(2027, 5, 2)
    assert "Review date: 2 May 2027" in abc_action.details
    assert Action.objects.get(pk=cpw.action_id).review_on == date(2026, 11, 9)


# --- A failed generation leaves no PDF behind ----------------------------------------------------------------------


def test_a_generation_that_fails_after_the_pdf_is_stored_leaves_no_file(letters_case, officer_user, letter_storage,
                                                                         monkeypatch):
    x = letters_case

    def broken(**kwargs):
        raise RuntimeError("timeline down")

    monkeypatch.setattr(document_services, "timeline_add", broken)
    with time_machine.travel(T0, tick=False), pytest.raises(RuntimeError):
        make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
    assert not Document.objects.exists()
    assert not [p for p in letter_storage.rglob("*") if p.is_file()] if letter_storage.exists() else True


# --- Case Review outcome letter: only once the review has been held ------------------------------------------------


def test_case_review_outcome_letter_refused_before_the_review_meeting(letters_case, officer_user, manager_user):
    from casereview.models import Application, Participation, ReviewMeeting, Stage

    x = letters_case
    with time_machine.travel(T0, tick=False):
        application = Application.objects.create(
            reference="CR-2026-0002", route="online", received_at=T0 - timedelta(days=30), applicant_name="Margaret Ellis",
            preferred_contact_method="letter", location="The Parade", description="Noise", case=x["case"],
            address="14 Bell Street, Oadby", postcode="LE18 1AA", decision_reasons="The threshold was not met.",
            stage=Stage.NOT_MET, threshold_met=False, proceeds=False)
        with pytest.raises(DocumentError, match="review meeting"):
            make(DocumentKind.CASE_REVIEW_OUTCOME, case=x["case"], recipient=None, actor=officer_user, delivery="post")
        Application.objects.filter(pk=application.pk).update(stage=Stage.MEETING_HELD, threshold_met=True, proceeds=True,
                                                             decision_reasons="Three reports in six months.")
        ReviewMeeting.objects.create(
            application=application, held_on=date(2026, 10, 30), chair_name="Chair", applicant_participation=list(Participation)[0],
            agency_summary="Police patrolled twice.", action_plan="Mediation between the neighbours by 1 December.",
            recorded_by=manager_user)
        document = make(DocumentKind.CASE_REVIEW_OUTCOME, case=x["case"], recipient=None, actor=officer_user, delivery="post")
    text = pdf_text(document.pdf.open("rb").read())
    assert "Mediation between the neighbours" in text


# --- An anonymised letter (its PDF deleted) leaves the print queue and never answers 500 ---------------------------


def test_anonymised_letter_leaves_the_print_queue_and_its_download_is_404(client, letters_case, officer_user):
    from letters.selectors import print_queue
    from privacy.services.anonymise import _letters_anonymise

    x = letters_case
    with time_machine.travel(T0, tick=False):
        gone = make(DocumentKind.WARNING, case=x["case"], recipient=x["kyle"], actor=officer_user, delivery="post")
        _letters_anonymise(x["case"])
        kept = make(DocumentKind.WARNING, case=x["case"], recipient=x["dean"], actor=officer_user, delivery="post")
        assert list(print_queue(officer_user)) == [kept]
        client.force_login(officer_user)
        response = client.get(reverse("letters:print_queue_pdf"))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        response = client.get(reverse("letters:document_pdf", args=[x["case"].reference, gone.pk]))
        assert response.status_code == 404
