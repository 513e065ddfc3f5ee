"""A posted update letter shows on its recipient's case page (what it told them), and on nobody else's."""

from datetime import date, timedelta

import time_machine

from cases.models import PartyRole, ResidentLink
from cases.services import party_add
from cases.services.resident_links import link_path, resident_link_issue
from letters.models import DeliveryMethod, DocumentKind
from letters.services.documents import document_record_sent

from ..cases.factories import report_submission, submit_report
from .test_documents_support import T0, letter_storage, letter_templates, make  # noqa: F401 (fixtures)

TOLD = "We have served a Community Protection Notice on the man you reported"


def test_a_posted_update_letter_is_on_her_page_only_once_posted(client, officer_user, letter_storage, letter_templates):  # noqa: F811
    with time_machine.travel(T0, tick=False) as clock:
        report = submit_report(report_submission(incident_date=date(2026, 10, 30), preferred_contact_method="letter",
                                                 reporter_address="14 Bell Street, Oadby", reporter_postcode="LE18 1AA"))
        case, victim = report.case, report.reporter
        neighbour = party_add(case=case, actor=officer_user, role=PartyRole.COMPLAINANT, full_name="Ann Other",
                              email="ann@example.com", preferred_contact_method="email")
        clock.shift(timedelta(hours=3))
        letter = make(DocumentKind.UPDATE, case=case, recipient=victim, actor=officer_user, delivery="post", update_text=TOLD)
        hers = link_path(ResidentLink.objects.get(party=victim))
        theirs = link_path(resident_link_issue(case=case, party=neighbour))
        assert TOLD not in client.get(hers).content.decode()  # made, not yet posted
        document_record_sent(document=letter, method=DeliveryMethod.POST, sent_at=T0 + timedelta(hours=3), actor=officer_user)
        assert TOLD in client.get(hers).content.decode()
        assert TOLD not in client.get(theirs).content.decode()
