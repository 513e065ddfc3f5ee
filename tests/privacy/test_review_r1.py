"""Review R1 (security and leaks) of what issue 15 added to subject access and anonymisation: the person's diary,
requests, letters and case-page uploads in their bundle and nobody else's; the words, PDFs and links gone when the
case file (or an anonymous reporter's report) is anonymised. Each test marked "failed before its fix" did."""

import io
import json
import uuid
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import (
    Case,
    CaseStatus,
    DiaryEntry,
    Evidence,
    ResidentLink,
    ResidentRequest,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.services.casework import case_status_change
from cases.services.resident_actions import callback_request, diary_entry_add, resident_evidence_add
from cases.services.resident_links import link_for_token, link_token, resident_link_issue
from letters.models import Document, DocumentKind, DocumentTemplate, TemplateChange
from letters.services.documents import document_generate
from privacy.bundle import access_bundle_build
from privacy.models import RecordClass, RequestKind, RetentionItem, RetentionRun
from privacy.selectors import REMOVED
from privacy.services.anonymise import anonymous_reports, case_file_anonymise
from privacy.services.rights import rights_request_record

from ..cases.factories import report_submission, submit_report
from ..cases.test_evidence import real_png

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)

MARGARET_DIARY = "Bass through the wall until 2am, the whole flat shook"
MARGARET_UPDATE = "Margaret, we served a warning on the household"
BERNADETTE_UPDATE = "Bernadette, your landlord has agreed to move you"
BERNADETTE_WORDS = "My panic attacks are back since the shouting started"
BERNADETTE_DIARY = "Bernadette diary: they banged on my door"
STATUS_REASON = "The tenancy at number 16 is under review for rent arrears"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def world(clock, media, officer_user):
    from letters.builtin import templates_install

    templates_install(DocumentTemplate, TemplateChange)
    margaret_report = submit_report(report_submission(incident_date=date(2026, 11, 15), preferred_contact_method="letter",
                                                      reporter_address="14 Bell Street", reporter_postcode="LE18 1AA"),
                                    received_at=NOW - timedelta(days=9))
    case, margaret = margaret_report.case, margaret_report.reporter
    bernadette_report = submit_report(
        report_submission(incident_date=date(2026, 11, 16), description=BERNADETTE_WORDS, full_name="Bernadette Quinlan",
                          email="bq@example.com", phone="07700 900987", address="18 Bell Street"),
        existing_case=case, received_at=NOW - timedelta(days=8))
    bernadette = bernadette_report.reporter
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(officer=officer_user, status=CaseStatus.OPEN)
    case.refresh_from_db()
    link = resident_link_issue(case=case, party=margaret)
    their_link = resident_link_issue(case=case, party=bernadette)
    diary = diary_entry_add(link=link, happened_at=NOW - timedelta(days=1), what_happened=MARGARET_DIARY, who_involved="Number 16",
                            how_affected="No sleep", files=[], submission_key=uuid.uuid4())
    diary_entry_add(link=their_link, happened_at=NOW - timedelta(days=1), what_happened=BERNADETTE_DIARY, files=[],
                    submission_key=uuid.uuid4())
    upload = resident_evidence_add(link=link, files=[SimpleUploadedFile("hallway.png", real_png(), content_type="image/png")],
                                   description="The hallway after they left", submission_key=uuid.uuid4())
    callback_request(link=link, phone="07700 900123", best_time="Evenings", submission_key=uuid.uuid4())
    for party, body in [(margaret, MARGARET_UPDATE), (bernadette, BERNADETTE_UPDATE)]:
        TimelineEntry.objects.create(case=case, kind=TimelineKind.UPDATE, summary=f"Update sent to {party}", body=body,
                                     visibility=Visibility.RESIDENT, for_party=party, occurred_at=NOW - timedelta(hours=2))
    letter = document_generate(case=case, kind=DocumentKind.UPDATE, recipient=margaret,
                               entered={"update_text": "We visited the flat and gave a warning."}, delivery="post",
                               actor=officer_user, submission_key=uuid.uuid4())
    return {"case": case, "margaret": margaret, "bernadette": bernadette, "link": link, "their_link": their_link,
            "diary": diary, "upload": upload, "letter": letter}


def bundle_for(party, manager_user):
    request = rights_request_record(kind=RequestKind.ACCESS, received_on=NOW.date() - timedelta(days=1), person=party.person,
                                    actor=manager_user)
    with zipfile.ZipFile(io.BytesIO(access_bundle_build(request=request))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["data.json"]), files


# --- the access bundle ------------------------------------------------------------------------------------------------

def test_her_bundle_holds_her_diary_requests_and_letters(world, manager_user):
    data, files = bundle_for(world["margaret"], manager_user)
    [case] = data["cases"]
    assert [d["what_happened"] for d in case["diary"]] == [MARGARET_DIARY]
    assert {a["what"] for a in case["asked"]} >= {"Added a diary entry", "Uploaded evidence", "Asked to be called back"}
    assert [x["number"] for x in case["letters"]] == [world["letter"].number]
    assert MARGARET_UPDATE in [u["text"] for u in case["updates"]]


def test_her_bundle_holds_the_files_she_sent_from_her_case_page(world, manager_user):
    """Failed before its fix: a file uploaded from the case page (not with a report or a diary entry) is hers, found
    only through her request; the bundle left it out."""
    data, files = bundle_for(world["margaret"], manager_user)
    [case] = data["cases"]
    assert [e["sent_as"] for e in case["evidence"]] == ["hallway.png"]
    name = case["evidence"][0]["file"]
    assert files[name] == real_png()


def test_her_bundle_holds_nothing_another_resident_wrote_or_was_told(world, manager_user, officer_user):
    """Failed before its fix: the other reporter's own account of the problem (her report, shared on the timeline as
    a report entry) went into Margaret's bundle with only the names redacted, and so did the officer's reason for a
    status change (the case page never shows either). Her update and diary never did."""
    case_status_change(case=world["case"], to_status=CaseStatus.MONITORING, actor=officer_user, reason=STATUS_REASON)
    data, files = bundle_for(world["margaret"], manager_user)
    text = files["data.json"].decode() + files["index.html"].decode()
    for theirs in (BERNADETTE_WORDS, BERNADETTE_UPDATE, BERNADETTE_DIARY, "Bernadette", "bq@example.com", "900987", STATUS_REASON):
        assert theirs not in text, theirs
    # Her own report is in, and the other report is listed as withheld, not hidden.
    [case] = data["cases"]
    assert [r["what_happened"] for r in case["reports"]] == ["Music until 3am every night"]
    assert any(w["kind"] == "Report" for w in case["withheld"])


# --- anonymising the case file ----------------------------------------------------------------------------------------

def _run(manager_user) -> RetentionRun:
    return RetentionRun.objects.create(status=RetentionRun.Status.CONFIRMED, confirmed_by=manager_user, confirmed_at=NOW)


def test_anonymising_the_case_file_removes_diaries_letters_and_ends_links(world, manager_user):
    case, letter = world["case"], world["letter"]
    tokens = [link_token(world["link"]), link_token(world["their_link"])]
    pdf_name = letter.pdf.name
    upload_names = list(Evidence.objects.filter(case=case, from_resident=True).values_list("file", flat=True))
    assert default_storage.exists(pdf_name) and all(default_storage.exists(n) for n in upload_names)

    case_file_anonymise(case_id=case.pk, run=_run(manager_user))

    assert all(link_for_token(t) is None for t in tokens)
    assert not ResidentLink.objects.filter(case=case, revoked_at__isnull=True).exists()
    for entry in DiaryEntry.objects.filter(case=case):
        assert entry.what_happened == REMOVED and entry.who_involved == "" and entry.how_affected == ""
    assert not ResidentRequest.objects.filter(case=case).exclude(details=REMOVED).exists()
    letter = Document.objects.get(pk=letter.pk)
    assert not letter.pdf and letter.values == {} and letter.recipient_address == "" and "Margaret" not in letter.recipient_name
    assert not default_storage.exists(pdf_name)
    assert not any(default_storage.exists(n) for n in upload_names)
    assert not ResidentLink.objects.filter(case=case).exclude(revoke_reason="").exclude(
        revoke_reason="Ended when the case file was anonymised").exists()


def test_anonymising_an_anonymous_report_removes_their_diary_and_ends_their_link(clock, media, manager_user):
    """Failed before its fix: the anonymous-report class removed the report's words but kept the anonymous reporter's
    own diary (what they wrote on their case page, as identifying as the report) and their link kept working."""
    report = submit_report(report_submission(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method="",
                                             incident_date=date(2026, 9, 20)), received_at=NOW - timedelta(days=60))
    case = report.case
    link = resident_link_issue(case=case, report=report)
    token = link_token(link)
    diary_entry_add(link=link, happened_at=NOW - timedelta(days=50), what_happened="I live above them at flat 3", files=[],
                    submission_key=uuid.uuid4())
    callback_request(link=link, phone="07700 900444", best_time="", submission_key=uuid.uuid4())
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=NOW - timedelta(days=40))
    run = _run(manager_user)
    item = RetentionItem.objects.create(run=run, record_class=RecordClass.ANONYMOUS_REPORT, object_id=str(report.pk),
                                        due_since=(NOW - timedelta(days=1)).date())

    assert anonymous_reports([item], run) == set()

    assert DiaryEntry.objects.get(report=report).what_happened == REMOVED
    assert link_for_token(token) is None
    assert not ResidentRequest.objects.filter(report=report).exclude(details=REMOVED).exists()
    assert "07700 900444" not in json.dumps(list(ResidentRequest.objects.filter(report=report).values_list("data", flat=True)))
    for entry in TimelineEntry.objects.filter(case=case):
        seen = f"{entry.summary} {entry.body} {json.dumps(entry.changes)}"
        assert "flat 3" not in seen and "900444" not in seen, seen
