"""A call added to an open case: the saved page and the resident's message say so, with no new promise (issue 10)."""

import uuid

import pytest
from django.utils import timezone

from cases.models import Channel, ContactMethod, Deadline, DeadlineKind, Direction
from cases.services import contact_record, report_submit
from cases.sla import LONDON
from notifications.models import Message

from ..cases.factories import report_submission
from .test_phone_report import URL, phone_form

pytestmark = pytest.mark.django_db


def earlier_report(**overrides):
    return report_submit(data=report_submission(**overrides), channel=Channel.ONLINE, submission_key=uuid.uuid4())


def first_contact(report, officer):
    contact_record(case=report.case, party=report.reporter, actor=officer, method=ContactMethod.PHONE, direction=Direction.OUT,
                   successful=True, summary="Spoke about the noise", occurred_at=timezone.now(), gave_update=False)


def call_added(client, user, earlier, **overrides):
    client.force_login(user)
    response = client.post(URL, phone_form(link_to=str(earlier.case.pk), **overrides))
    assert response.status_code == 302
    newest = earlier.case.reports.order_by("-received_at").first()
    assert newest.pk != earlier.pk
    return newest, client.get(response["Location"]).content.decode()


def test_saved_page_says_the_call_was_added_and_promises_no_new_first_contact_date(client, call_centre_user, officer_user):
    earlier = earlier_report()
    first_contact(earlier, officer_user)
    _, page = call_added(client, call_centre_user, earlier)
    assert "Call added to an open case" in page and "Phone report saved" not in page
    assert f"their call has been added to their open case, reference <strong>{earlier.case.reference}</strong>" in page
    assert "will contact them by" not in page and "within 3 working days" not in page
    assert "the officer on the case will be in touch" in page
    assert "to confirm the call was added" in page


def test_saved_page_gives_only_the_first_contact_date_already_owed(client, call_centre_user):
    earlier = earlier_report()
    owed = Deadline.objects.open().get(party=earlier.reporter, kind=DeadlineKind.FIRST_CONTACT)
    _, page = call_added(client, call_centre_user, earlier)
    assert "Call added to an open case" in page
    assert f"will contact them by <strong>{owed.due_at.astimezone(LONDON):%A %-d %B %Y}</strong>" in page
    assert Deadline.objects.filter(party=earlier.reporter, kind=DeadlineKind.FIRST_CONTACT).count() == 1


def test_resident_gets_an_added_to_your_report_email_not_a_second_acknowledgement(client, call_centre_user, officer_user):
    earlier = earlier_report()
    first_contact(earlier, officer_user)
    second, _ = call_added(client, call_centre_user, earlier)
    message = Message.objects.get(key=f"report-ack:{second.pk}")
    assert message.subject == f"We have added your call to your report: {earlier.case.reference}"
    assert f"We have added your call to your report {earlier.case.reference}" in message.body
    assert "Your officer will be in touch" in message.body
    assert "Thank you for reporting" not in message.body and "will contact you by" not in message.body
    assert Message.objects.filter(to="margaret@example.com").count() == 2  # the first report's, and this one


def test_resident_who_prefers_texts_gets_an_added_text(client, call_centre_user, officer_user):
    earlier = earlier_report(preferred_contact_method="text")
    first_contact(earlier, officer_user)
    second, _ = call_added(client, call_centre_user, earlier, **{"contact-preferences-preferred_contact_method": "text"})
    body = Message.objects.get(key=f"report-ack-sms:{second.pk}").body
    assert f"we have added your call to your report {earlier.case.reference}" in body
    assert "Your officer will be in touch" in body and "within 3 working days" not in body


def test_new_report_still_gets_the_usual_acknowledgement(client, call_centre_user):
    client.force_login(call_centre_user)
    client.post(URL, phone_form(**{"about-you-phone": "07700 900999", "about-you-email": "new@example.com",
                                   "location-address": "9 Other Road"}))
    message = Message.objects.get(to="new@example.com")
    assert message.subject.startswith("We have received your report: ") and "Thank you for reporting" in message.body
