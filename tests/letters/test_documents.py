"""Making, sending and withdrawing letters and notices (letters.services.documents)."""

import uuid
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from cases.models import Action, Contact, Deadline, DeadlineKind, PartyRole, TimelineEntry, TimelineKind
from letters.fields import CLOSURE_OFFENCE, CPW_NOTICE_MAY_FOLLOW
from letters.models import DeliveryMethod, Document, DocumentKind
from letters.services.documents import DocumentError, document_record_sent, document_withdraw

from ..cases.factories import PartyFactory, report_submission, submit_report
from . import test_documents_support as support
from .test_documents_support import LONDON, T0, make, pdf_text, squash

# The shared fixtures, registered in this module.
letter_storage = support.letter_storage
letter_templates = support.letter_templates
letters_case = support.letters_case

pytestmark = pytest.mark.usefixtures("letter_storage", "letter_templates")


def test_required_field_refused_naming_its_label(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        with pytest.raises(DocumentError) as refused:
            make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user, conduct="  ", comply_by=None)
    message = str(refused.value)
    assert "The conduct" in message and "The date to comply by" in message
    assert "The requirements" not in message
    assert not Document.objects.exists()


def test_cpw_pdf_holds_the_values_and_the_statutory_paragraph(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        document = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
    assert document.number == f"{x['case'].reference}/CPW/1"
    text = pdf_text(document.pdf.open("rb").read())
    assert "Kyle Hart" in text
    assert "revving engines after 10pm" in text
    assert "9 November 2026" in text
    assert squash(CPW_NOTICE_MAY_FOLLOW)[:120] in text
    assert x["case"].reference in text
    with document.pdf.open("rb") as stored:
        import hashlib

        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256
    entry = TimelineEntry.objects.get(case=x["case"], kind=TimelineKind.DOCUMENT)
    assert entry.summary == "Community Protection Warning made for Kyle Hart"


def test_closure_notice_pdf_has_offence_and_hearing_and_hearing_within_48_hours(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        document = make(DocumentKind.CLOSURE_NOTICE, case=x["case"], recipient=None, actor=officer_user)
        with pytest.raises(DocumentError, match="within 48 hours"):
            make(DocumentKind.CLOSURE_NOTICE, case=x["case"], recipient=None, actor=officer_user,
                 hearing_at=T0 + timedelta(hours=49))
        with pytest.raises(DocumentError, match="in the future"):
            make(DocumentKind.CLOSURE_NOTICE, case=x["case"], recipient=None, actor=officer_user,
                 hearing_at=T0 - timedelta(hours=1))
    text = pdf_text(document.pdf.open("rb").read())
    assert "Flat 2, 7 The Parade" in text
    assert "14:00 on 3 November 2026" in text
    assert squash(CLOSURE_OFFENCE)[:100] in text
    assert document.recipient_name == "The occupier"


class TestCpwBeforeCpn:
    def test_no_cpw_at_all(self, letters_case, officer_user):
        x = letters_case
        with time_machine.travel(T0, tick=False), pytest.raises(DocumentError, match="there is none"):
            make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user)

    def test_cpw_made_but_not_served(self, letters_case, officer_user):
        x = letters_case
        with time_machine.travel(T0, tick=False):
            make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
        with time_machine.travel(T0 + timedelta(days=10), tick=False), pytest.raises(DocumentError, match="not been recorded as served"):
            make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user)

    def test_served_but_comply_by_not_passed_then_allowed_the_day_after(self, letters_case, officer_user):
        x = letters_case
        with time_machine.travel(T0, tick=False) as clock:
            cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
            clock.shift(timedelta(hours=1))
            document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=T0 + timedelta(minutes=30), actor=officer_user)
            with pytest.raises(DocumentError, match="still has time to comply"):
                make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user)
            # The comply-by day itself (London): still time.
            clock.move_to(datetime(2026, 11, 9, 23, 30, tzinfo=LONDON))
            with pytest.raises(DocumentError, match="still has time to comply"):
                make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user)
            clock.move_to(datetime(2026, 11, 10, 0, 5, tzinfo=LONDON))
            cpn = make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user,
                       comply_by=date(2026, 11, 24))
        assert cpn.number == f"{x['case'].reference}/CPN/1"
        text = pdf_text(cpn.pdf.open("rb").read())
        assert "magistrates' court within 21 days" in text
        assert "criminal offence" in text

    def test_cpw_on_another_person_does_not_count(self, letters_case, officer_user):
        x = letters_case
        with time_machine.travel(T0, tick=False) as clock:
            cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["dean"], actor=officer_user)
            document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
            clock.move_to(datetime(2026, 11, 20, 10, 0, tzinfo=LONDON))
            with pytest.raises(DocumentError, match="there is none"):
                make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user)
            assert make(DocumentKind.CPN, case=x["case"], recipient=x["dean"], actor=officer_user).kind == DocumentKind.CPN

    def test_withdrawn_cpw_does_not_count(self, letters_case, officer_user):
        x = letters_case
        with time_machine.travel(T0, tick=False) as clock:
            cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
            document_withdraw(document=cpw, actor=officer_user, reason="Wrong dates")
            clock.move_to(datetime(2026, 11, 20, 10, 0, tzinfo=LONDON))
            with pytest.raises(DocumentError, match="there is none"):
                make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user)

    def test_cpw_on_the_same_person_on_another_case_does_not_count(self, letters_case, officer_user):
        x = letters_case
        other = PartyFactory(role=PartyRole.PERPETRATOR, full_name="Kyle Hart", address="3 Mill Lane", date_of_birth=date(1998, 5, 1))
        other.case.received_at = datetime(2026, 10, 1, tzinfo=LONDON)
        other.case.save()
        with time_machine.travel(T0, tick=False) as clock:
            cpw = make(DocumentKind.CPW, case=other.case, recipient=other, actor=officer_user)
            document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
            clock.move_to(datetime(2026, 11, 20, 10, 0, tzinfo=LONDON))
            with pytest.raises(DocumentError, match="there is none"):
                make(DocumentKind.CPN, case=x["case"], recipient=x["kyle"], actor=officer_user)


def test_notice_recipient_must_be_a_named_perpetrator_with_an_address_aged_16_or_over(letters_case, officer_user):
    x = letters_case
    young = PartyFactory(case=x["case"], role=PartyRole.PERPETRATOR, full_name="Jay Young", address="1 Elm Road",
                         date_of_birth=date(2011, 1, 1))
    homeless = PartyFactory(case=x["case"], role=PartyRole.PERPETRATOR, full_name="No Address", address="")
    with time_machine.travel(T0, tick=False):
        with pytest.raises(DocumentError, match="alleged perpetrator"):
            make(DocumentKind.CPW, case=x["case"], recipient=x["victim"], actor=officer_user)
        with pytest.raises(DocumentError, match="16 or over; Jay Young is 15"):
            make(DocumentKind.CPW, case=x["case"], recipient=young, actor=officer_user)
        with pytest.raises(DocumentError, match="address"):
            make(DocumentKind.CPW, case=x["case"], recipient=homeless, actor=officer_user)
        with pytest.raises(DocumentError, match="victim, complainant or reporter"):
            make(DocumentKind.UPDATE, case=x["case"], recipient=x["kyle"], actor=officer_user)


def test_double_submit_makes_one_document(letters_case, officer_user):
    x = letters_case
    key = uuid.uuid4()
    with time_machine.travel(T0, tick=False):
        first = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user, key=key)
        second = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user, key=key)
    assert first.pk == second.pk
    assert Document.objects.count() == 1
    assert TimelineEntry.objects.filter(kind=TimelineKind.DOCUMENT).count() == 1


def test_database_refuses_changes_and_a_second_sending(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        document = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
        for change in ({"wording": "Something else"}, {"pdf": "documents/other.pdf"}, {"values": {}}):
            with pytest.raises(IntegrityError), transaction.atomic():
                Document.objects.filter(pk=document.pk).update(**change)
        document_record_sent(document=document, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
        with pytest.raises(DocumentError, match="already recorded as served"):
            document_record_sent(document=document, method=DeliveryMethod.POST, sent_at=T0, actor=officer_user)
        with pytest.raises(IntegrityError), transaction.atomic():
            Document.objects.filter(pk=document.pk).update(sent_method=DeliveryMethod.POST)
        with pytest.raises(DocumentError, match="cannot be withdrawn"):
            document_withdraw(document=document, actor=officer_user, reason="Oops")
    document.refresh_from_db()
    assert document.sent_method == DeliveryMethod.HAND


def test_serving_a_cpw_records_the_action_and_the_timeline_says_so(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        cpw = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user)
        cpw = document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=T0, actor=officer_user)
        with pytest.raises(DocumentError, match="now or in the past"):
            other = make(DocumentKind.CPW, case=x["case"], recipient=x["dean"], actor=officer_user)
            document_record_sent(document=other, method=DeliveryMethod.HAND, sent_at=T0 + timedelta(minutes=5), actor=officer_user)
    action = Action.objects.get(pk=cpw.action_id)
    assert action.action_type.slug == "cpw" and action.perpetrator == x["kyle"] and action.served_on == date(2026, 11, 2)
    assert TimelineEntry.objects.filter(case=x["case"], summary="CPW served by hand on Kyle Hart").exists()


def test_sent_before_it_was_made_is_refused(letters_case, officer_user):
    x = letters_case
    with time_machine.travel(T0, tick=False):
        document = make(DocumentKind.WARNING, case=x["case"], recipient=x["kyle"], actor=officer_user)
        with pytest.raises(DocumentError, match="before it was made"):
            document_record_sent(document=document, method=DeliveryMethod.HAND, sent_at=T0 - timedelta(hours=1), actor=officer_user)


def test_posted_update_letter_meets_the_stored_update_deadline(officer_user):
    with time_machine.travel(T0, tick=False) as clock:
        report = submit_report(report_submission(incident_date=date(2026, 10, 30), preferred_contact_method="letter",
                                                 reporter_address="14 Bell Street, Oadby", reporter_postcode="LE18 1AA"))
        case, victim = report.case, report.reporter
        clock.shift(timedelta(hours=2))
        first = make(DocumentKind.FIRST_CONTACT, case=case, recipient=victim, actor=officer_user, delivery="post")
        assert "/resident/" in first.values["case_page_link"] or first.values["case_page_link"].startswith("http")
        document_record_sent(document=first, method=DeliveryMethod.POST, sent_at=T0 + timedelta(hours=2), actor=officer_user)
        first_contact = Deadline.objects.get(party=victim, kind=DeadlineKind.FIRST_CONTACT)
        assert first_contact.met_at == T0 + timedelta(hours=2)
        update_due = Deadline.objects.get(party=victim, kind=DeadlineKind.VICTIM_UPDATE, met_at__isnull=True)
        clock.move_to(T0 + timedelta(days=9))
        letter = make(DocumentKind.UPDATE, case=case, recipient=victim, actor=officer_user, delivery="post")
        posted_at = T0 + timedelta(days=9)
        document_record_sent(document=letter, method=DeliveryMethod.POST, sent_at=posted_at, actor=officer_user)
    update_due.refresh_from_db()
    assert update_due.met_at == posted_at
    contact = Contact.objects.filter(party=victim).order_by("-occurred_at").first()
    assert contact.method == "letter" and contact.is_update
    assert Deadline.objects.filter(party=victim, kind=DeadlineKind.VICTIM_UPDATE, met_at__isnull=True,
                                   starts_at=posted_at).exists()


def test_case_review_outcome_needs_an_application(letters_case, officer_user, manager_user):
    from casereview.models import Application, Recommendation

    x = letters_case
    with time_machine.travel(T0, tick=False):
        with pytest.raises(DocumentError, match="no Case Review application"):
            make(DocumentKind.CASE_REVIEW_OUTCOME, case=x["case"], recipient=None, actor=officer_user)
        application = Application.objects.create(
            reference="CR-2026-0001", route="online", received_at=T0 - timedelta(days=30), applicant_name="Margaret Ellis",
            preferred_contact_method="letter", location="The Parade", description="Noise", case=x["case"],
            address="14 Bell Street, Oadby", postcode="LE18 1AA", decision_reasons="The threshold was met.")
        Recommendation.objects.create(application=application, text="Police to patrol The Parade on Friday nights",
                                      due_on=date(2026, 12, 1), created_by=manager_user)
        from casereview.models import Participation, ReviewMeeting
        ReviewMeeting.objects.create(application=application, held_on=date(2026, 10, 30), chair_name="Chair",
                                     applicant_participation=Participation.ATTENDED, agency_summary="Police patrolled twice.",
                                     action_plan="Patrols on Friday nights.", recorded_by=manager_user)
        document = make(DocumentKind.CASE_REVIEW_OUTCOME, case=x["case"], recipient=None, actor=officer_user, delivery="post")
    text = pdf_text(document.pdf.open("rb").read())
    assert "Margaret Ellis" in text and "patrol The Parade on Friday nights" in text
    assert document.recipient_name == "Margaret Ellis"
