"""report_submit and friends, against the real Postgres."""

import threading
import uuid
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from cases.models import Case, CaseStatus, Channel, Evidence, Party, PartyRole, Report, TimelineEntry
from cases.services import ReportError, case_reference_next, evidence_stage
from cases.sla import LONDON
from notifications.models import Message, MessageStatus

from .factories import CaseFactory, report_submission, submit_report

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


submission = report_submission
submit = submit_report


@pytest.mark.django_db
def test_online_report_opens_a_new_case_with_reporter_and_reference():
    received = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    report = submit(received_at=received)
    case = report.case
    assert case.reference == "ASB-2026-00001"
    assert case.status == CaseStatus.NEW and case.is_open
    assert case.postcode == "LE18 1AA"
    assert report.channel == Channel.ONLINE and report.logged_by is None
    reporter = report.reporter
    assert reporter.role == PartyRole.VICTIM
    assert reporter.email == "margaret@example.com"
    assert reporter.phone_normalised == "07700900123"
    assert reporter.consent_to_share is True
    assert TimelineEntry.objects.filter(case=case, kind="report").count() == 1


@pytest.mark.django_db
def test_acknowledgement_email_is_queued_with_the_concrete_first_contact_date(django_capture_on_commit_callbacks):
    received = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)  # a Monday
    report = submit(received_at=received)
    message = Message.objects.get(key=f"report-ack:{report.pk}")
    assert message.status == MessageStatus.PENDING
    assert message.to == "margaret@example.com"
    assert report.case.reference in message.subject
    assert "Thursday 26 November 2026" in message.body
    assert "by email as you asked" in message.body


@pytest.mark.django_db
def test_anonymous_report_has_no_reporter_and_no_message():
    report = submit(submission(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method=""))
    assert report.is_anonymous and report.reporter is None
    assert not Party.objects.filter(case=report.case, role=PartyRole.VICTIM).exists()
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_same_submission_twice_makes_one_report():
    key = uuid.uuid4()
    first = submit(submission_key=key)
    second = submit(submission_key=key)
    assert first.pk == second.pk
    assert Report.objects.count() == 1 and Case.objects.count() == 1
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_phone_report_records_who_logged_it(call_centre_user):
    report = submit(channel=Channel.PHONE, logged_by=call_centre_user)
    assert report.channel == Channel.PHONE and report.logged_by == call_centre_user


@pytest.mark.django_db
def test_phone_report_without_logged_by_is_refused():
    with pytest.raises(ReportError):
        submit(channel=Channel.PHONE)
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_report_can_be_added_to_an_open_case(call_centre_user):
    first = submit()
    second = submit(channel=Channel.PHONE, logged_by=call_centre_user, existing_case=first.case)
    assert second.case == first.case
    assert first.case.reports.count() == 2
    assert TimelineEntry.objects.filter(case=first.case, kind="report", summary__endswith="added to this case").exists()


@pytest.mark.django_db
def test_report_cannot_be_added_to_a_closed_case():
    closed = CaseFactory(status=CaseStatus.CLOSED)
    with pytest.raises(ReportError, match="closed"):
        submit(existing_case=closed)
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_future_incident_date_is_refused():
    with pytest.raises(ReportError):
        submit(submission(incident_date=timezone.localdate() + timedelta(days=1)))
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_preferred_method_needs_matching_details():
    with pytest.raises(ReportError, match="mobile"):
        submit(submission(preferred_contact_method="text", phone="0116 2888 961"))


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_saved(monkeypatch):
    import cases.services.intake as services

    def boom(**kwargs):
        raise RuntimeError("mail template missing")

    monkeypatch.setattr(services, "_acknowledgement_queue", boom)
    with pytest.raises(RuntimeError):
        submit()
    assert (Case.objects.count(), Report.objects.count(), Party.objects.count(), Message.objects.count()) == (0, 0, 0, 0)
    monkeypatch.undo()
    # The reference number was not used up either.
    assert submit().case.reference.endswith("-00001")


@pytest.mark.django_db
def test_staged_evidence_is_attached_to_the_report():
    staging_key = uuid.uuid4()
    evidence_stage(staging_key=staging_key, uploaded=SimpleUploadedFile("photo.png", PNG), client_address="192.0.2.1")
    report = submit(staging_key=staging_key)
    item = Evidence.objects.get()
    assert item.case == report.case and item.report == report and item.staging_key is None
    assert item.content_type == "image/png" and item.original_name == "photo.png"


@pytest.mark.django_db
def test_hate_motivated_report_flags_the_case():
    report = submit(submission(hate_motivated="yes", hate_characteristics=["race"]))
    report.case.refresh_from_db()
    assert report.case.hate_motivated is True


@pytest.mark.django_db
def test_named_and_described_perpetrators_become_parties():
    named = submit(submission(perpetrator_known="named", perpetrator_name="Flat 3"))
    described = submit(submission(perpetrator_known="described", perpetrator_description="Three teenagers"))
    assert named.case.parties.get(role=PartyRole.PERPETRATOR).full_name == "Flat 3"
    group = described.case.parties.get(role=PartyRole.PERPETRATOR)
    assert group.is_unknown and group.description == "Three teenagers"


@pytest.mark.django_db
def test_reference_numbers_restart_each_year():
    assert case_reference_next(year=2026) == "ASB-2026-00001"
    assert case_reference_next(year=2026) == "ASB-2026-00002"
    assert case_reference_next(year=2027) == "ASB-2027-00001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_get_unique_references():
    """Eight submissions at once, each on its own connection: eight different references."""
    errors, references = [], []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            references.append(submit().case.reference)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(references) == [f"ASB-{timezone.localdate().year}-{n:05d}" for n in range(1, 9)]
