"""What a resident does from their case page: each action's effects (a request for the officer, a staff timeline entry,
no deadline changed), its checks, its idempotency, the 28-day rule, and the pages themselves."""

import io
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse

from cases.models import (
    Case,
    CaseStatus,
    Deadline,
    DiaryEntry,
    Direction,
    Evidence,
    PartyRole,
    ResidentRequest,
    ResidentRequestKind,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.services import contact_record, party_add
from cases.services.common import CaseError
from cases.services.resident_actions import (
    ReopenWindowPassed,
    callback_request,
    contact_preference_change,
    diary_entry_add,
    problem_started_again,
    problem_stopped,
    resident_evidence_add,
    resident_request_done,
)
from cases.services.resident_links import link_token, resident_link_issue

from ..cases.factories import report_submission, submit_report
from ..cases.test_evidence import real_png

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def margaret(clock, media):
    """Margaret Ellis's noise report (received a week ago) and her live link."""
    report = submit_report(report_submission(incident_date=date(2026, 11, 15)), received_at=NOW - timedelta(days=7))
    return resident_link_issue(case=report.case, party=report.reporter)


@pytest.fixture
def anonymous_link(clock, media):
    report = submit_report(report_submission(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method=""),
                           received_at=NOW - timedelta(days=2))
    return resident_link_issue(case=report.case, report=report)


def deadlines(case):
    return sorted((d.kind, d.party_id, d.due_at, d.met_at, d.cancelled_at) for d in Deadline.objects.filter(case=case))


def png(name="photo.png"):
    return SimpleUploadedFile(name, real_png(), content_type="image/png")


def add_entry(link, **overrides):
    values = dict(link=link, happened_at=NOW - timedelta(hours=12), what_happened="Music until 3am again",
                  who_involved="Flat 2", how_affected="No sleep", files=[], submission_key=uuid.uuid4())
    values.update(overrides)
    return diary_entry_add(**values)


# --- the diary ------------------------------------------------------------------------------------------------------

def test_a_diary_entry_is_timestamped_on_receipt_and_reaches_the_officer_without_moving_a_deadline(margaret):
    before = deadlines(margaret.case)
    entry = add_entry(margaret, files=[png()])
    assert entry.received_at == NOW and entry.party == margaret.party and entry.case == margaret.case
    request = ResidentRequest.objects.get(case=margaret.case)
    assert request.kind == ResidentRequestKind.DIARY and request.data["diary_entry"] == str(entry.pk)
    assert request.dealt_with_at is None and request.party == margaret.party
    timeline = TimelineEntry.objects.get(case=margaret.case, kind=TimelineKind.DIARY)
    assert timeline.visibility == Visibility.STAFF and "Music until 3am again" in timeline.body and "photo.png" in timeline.body
    evidence = Evidence.objects.get(diary_entry=entry)
    assert evidence.from_resident and evidence.uploaded_by is None and evidence.case == margaret.case
    assert deadlines(margaret.case) == before


def test_the_same_diary_form_sent_twice_makes_one_entry(margaret):
    key = uuid.uuid4()
    first = add_entry(margaret, submission_key=key)
    again = add_entry(margaret, submission_key=key, what_happened="Something else")
    assert again.pk == first.pk
    assert (DiaryEntry.objects.count(), ResidentRequest.objects.count(),
            TimelineEntry.objects.filter(kind=TimelineKind.DIARY).count()) == (1, 1, 1)


@pytest.mark.parametrize("happened_at, message", [
    (NOW + timedelta(minutes=5), "must be in the past"),
    (NOW - timedelta(days=400), "within the last year"),
])
def test_a_diary_entry_in_the_future_or_absurdly_old_is_refused(margaret, happened_at, message):
    with pytest.raises(CaseError, match=message):
        add_entry(margaret, happened_at=happened_at)
    assert not DiaryEntry.objects.exists() and not ResidentRequest.objects.exists()


def test_a_diary_entry_needs_what_happened(margaret):
    with pytest.raises(CaseError, match="what happened"):
        add_entry(margaret, what_happened="   ")


def test_the_database_refuses_to_change_a_sent_entry(margaret):
    entry = add_entry(margaret)
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        DiaryEntry.objects.filter(pk=entry.pk).update(what_happened="Never happened")
    entry.refresh_from_db()
    assert entry.what_happened == "Music until 3am again"


def test_a_correction_is_a_new_entry_and_the_original_stays(margaret):
    original = add_entry(margaret)
    correction = add_entry(margaret, corrects=original, what_happened="It was until 4am")
    assert correction.pk != original.pk and correction.corrects == original
    original.refresh_from_db()
    assert original.what_happened == "Music until 3am again"
    assert ResidentRequest.objects.filter(kind=ResidentRequestKind.DIARY).count() == 2


def test_nobody_corrects_another_persons_entry(margaret, clock):
    other = party_add(case=margaret.case, actor=None, role=PartyRole.VICTIM, full_name="Neil Next-door", email="neil@example.com")
    theirs = add_entry(resident_link_issue(case=margaret.case, party=other))
    with pytest.raises(CaseError, match="your own"):
        add_entry(margaret, corrects=theirs)


def test_a_closed_case_takes_no_diary_entries(margaret):
    Case.objects.filter(pk=margaret.case_id).update(status=CaseStatus.CLOSED, closed_at=NOW - timedelta(days=1))
    with pytest.raises(CaseError, match="closed"):
        add_entry(margaret)


# --- evidence, call-back, contact -------------------------------------------------------------------------------------

def test_evidence_from_the_case_page_is_checked_like_the_report_form(margaret):
    before = deadlines(margaret.case)
    bad = SimpleUploadedFile("photo.jpg", b"MZ" + b"\x00" * 100, content_type="image/jpeg")
    with pytest.raises(Exception, match="photo.jpg"):
        resident_evidence_add(link=margaret, files=[bad], description="", submission_key=uuid.uuid4())
    assert not Evidence.objects.filter(from_resident=True).exists()
    key = uuid.uuid4()
    request = resident_evidence_add(link=margaret, files=[png("door.png")], description="The damage", submission_key=key)
    assert resident_evidence_add(link=margaret, files=[png("door.png")], description="", submission_key=key) == request
    assert request.kind == ResidentRequestKind.EVIDENCE and "door.png" in request.details
    assert Evidence.objects.filter(from_resident=True, case=margaret.case).count() == 1
    assert TimelineEntry.objects.filter(kind=TimelineKind.RESIDENT, visibility=Visibility.STAFF, summary__contains="door.png").exists()
    assert deadlines(margaret.case) == before


def test_too_many_files_are_refused(margaret, settings):
    settings.EVIDENCE_MAX_FILES = 2
    with pytest.raises(Exception, match="up to 2 files"):
        resident_evidence_add(link=margaret, files=[png(), png(), png()], description="", submission_key=uuid.uuid4())


def test_a_call_back_request_needs_a_real_phone_number(margaret):
    with pytest.raises(CaseError, match="phone number"):
        callback_request(link=margaret, phone="call me", best_time="", submission_key=uuid.uuid4())
    before = deadlines(margaret.case)
    request = callback_request(link=margaret, phone="07700 900456", best_time="weekday evenings", submission_key=uuid.uuid4())
    assert request.kind == ResidentRequestKind.CALLBACK and request.details == "Call 07700 900456, weekday evenings"
    assert TimelineEntry.objects.filter(kind=TimelineKind.RESIDENT, summary__contains="called back").exists()
    assert deadlines(margaret.case) == before


def test_a_contact_preference_goes_through_party_update(margaret):
    request = contact_preference_change(link=margaret, method="text", phone="07700 900999", submission_key=uuid.uuid4())
    margaret.party.refresh_from_db()
    assert (margaret.party.preferred_contact_method, margaret.party.phone) == ("text", "07700 900999")
    assert margaret.party.email == "margaret@example.com"  # left blank: kept
    assert request.kind == ResidentRequestKind.CONTACT_PREFERENCE and "text message" in request.details
    assert TimelineEntry.objects.filter(kind=TimelineKind.EDIT, summary__contains="Details of").exists()


def test_a_contact_preference_without_the_detail_it_needs_is_refused(margaret):
    with pytest.raises(CaseError, match="address and postcode"):
        contact_preference_change(link=margaret, method="letter", submission_key=uuid.uuid4())


def test_a_contact_preference_that_opens_a_deadline_says_so(margaret, officer_user):
    # First contact made; then a victim we could not reach gives an email address: their update clock starts.
    contact_record(case=margaret.case, party=margaret.party, method="phone", direction=Direction.OUT, successful=True,
                   summary="Spoke to Margaret", occurred_at=NOW - timedelta(days=1), gave_update=True, actor=officer_user)
    silent = party_add(case=margaret.case, actor=officer_user, role=PartyRole.VICTIM, full_name="Sam Upstairs")
    link = resident_link_issue(case=margaret.case, party=silent)
    assert not Deadline.objects.filter(party=silent).exists()
    request = contact_preference_change(link=link, method="email", email="sam@example.com", submission_key=uuid.uuid4())
    assert Deadline.objects.filter(party=silent, met_at__isnull=True).exists()
    assert "Update deadline opened: due" in request.details and request.data["deadlines"]


def test_an_anonymous_reporter_has_no_contact_preference(anonymous_link, client):
    with pytest.raises(CaseError):
        contact_preference_change(link=anonymous_link, method="email", email="x@example.com", submission_key=uuid.uuid4())
    url = reverse("resident:contact_preference", kwargs={"token": link_token(anonymous_link)})
    assert client.get(url).status_code == 404


# --- stopped, started again ----------------------------------------------------------------------------------------------

def test_the_problem_has_stopped_leaves_the_case_open(margaret):
    before = deadlines(margaret.case)
    request = problem_stopped(link=margaret, details="Since Friday", submission_key=uuid.uuid4())
    margaret.case.refresh_from_db()
    assert margaret.case.is_open and request.kind == ResidentRequestKind.STOPPED
    assert deadlines(margaret.case) == before


def test_stopped_is_for_open_cases_only(margaret):
    Case.objects.filter(pk=margaret.case_id).update(status=CaseStatus.CLOSED, closed_at=NOW - timedelta(days=1))
    with pytest.raises(CaseError, match="already closed"):
        problem_stopped(link=margaret, details="", submission_key=uuid.uuid4())


@pytest.mark.parametrize("closed_days_ago, allowed", [(27, True), (28, True), (29, False)])
def test_started_again_within_28_days_of_closure_only(margaret, closed_days_ago, allowed):
    Case.objects.filter(pk=margaret.case_id).update(status=CaseStatus.CLOSED, closed_at=NOW - timedelta(days=closed_days_ago))
    if allowed:
        request = problem_started_again(link=margaret, details="Music is back", submission_key=uuid.uuid4())
        assert request.kind == ResidentRequestKind.STARTED_AGAIN
    else:
        with pytest.raises(ReopenWindowPassed):
            problem_started_again(link=margaret, details="Music is back", submission_key=uuid.uuid4())
    margaret.case.refresh_from_db()
    assert margaret.case.status == CaseStatus.CLOSED  # the officer decides


def test_started_again_after_28_days_offers_a_new_report(margaret, client):
    Case.objects.filter(pk=margaret.case_id).update(status=CaseStatus.CLOSED, closed_at=NOW - timedelta(days=29))
    response = client.get(reverse("resident:started_again", kwargs={"token": link_token(margaret)}))
    assert response.status_code == 200 and reverse("reporting:start") in response.content.decode()
    assert "<textarea" not in response.content.decode()


def test_started_again_on_an_open_case_is_refused(margaret):
    with pytest.raises(CaseError, match="still open"):
        problem_started_again(link=margaret, details="Again", submission_key=uuid.uuid4())


def test_the_officer_marks_a_request_dealt_with_once(margaret, officer_user):
    request = callback_request(link=margaret, phone="07700 900456", submission_key=uuid.uuid4())
    with pytest.raises(CaseError, match="how it was dealt with"):
        resident_request_done(request=request, actor=officer_user, outcome="  ")
    done = resident_request_done(request=request, actor=officer_user, outcome="Called her back")
    assert (done.dealt_with_by, done.outcome, done.dealt_with_at) == (officer_user, "Called her back", NOW)
    again = resident_request_done(request=request, actor=officer_user, outcome="Something else")
    assert again.outcome == "Called her back"
    assert TimelineEntry.objects.filter(kind=TimelineKind.RESIDENT, summary__startswith="Dealt with").count() == 1


# --- the pages -------------------------------------------------------------------------------------------------------------

ACTIONS = ["diary_add", "evidence_add", "callback", "contact_preference", "stopped", "started_again", "diary_pdf"]


@pytest.mark.parametrize("name", ACTIONS)
def test_every_page_opens_for_a_live_link_and_is_404_for_any_other(margaret, client, name):
    good = client.get(reverse(f"resident:{name}", kwargs={"token": link_token(margaret)}))
    assert good.status_code == 200 and good["Cache-Control"].startswith(("max-age=0", "no-store", "no-cache")) or "no-cache" in good["Cache-Control"]
    assert client.get(reverse(f"resident:{name}", kwargs={"token": "x" * 43})).status_code == 404
    assert client.get(reverse(f"resident:{name}", kwargs={"token": "short"})).status_code == 404


def test_a_revoked_link_opens_nothing(margaret, client):
    from cases.services.resident_links import resident_link_revoke

    token = link_token(margaret)
    resident_link_revoke(link=margaret, actor=None, reason="")
    for name in ACTIONS:
        assert client.get(reverse(f"resident:{name}", kwargs={"token": token})).status_code == 404


def diary_post(key=None, **overrides):
    data = {"submission_key": str(key or uuid.uuid4()), "happened_on_0": "23", "happened_on_1": "11", "happened_on_2": "2026",
            "happened_time": "22:15", "what_happened": "Shouting in the stairwell", "who_involved": "", "how_affected": ""}
    data.update(overrides)
    return data


def test_a_resident_adds_a_diary_entry_with_a_photo_through_the_page(margaret, client):
    url = reverse("resident:diary_add", kwargs={"token": link_token(margaret)})
    page = client.get(url).content.decode()
    assert 'name="submission_key"' in page and 'enctype="multipart/form-data"' in page
    response = client.post(url, {**diary_post(), "files": png("stairs.png")})
    assert response.status_code == 200 and "Diary entry sent" in response.content.decode()
    entry = DiaryEntry.objects.get()
    assert entry.happened_at == datetime(2026, 11, 23, 22, 15, tzinfo=LONDON) and entry.received_at == NOW
    assert entry.evidence.get().original_name == "stairs.png"


def test_the_diary_page_shows_errors_in_a_summary(margaret, client):
    url = reverse("resident:diary_add", kwargs={"token": link_token(margaret)})
    response = client.post(url, diary_post(happened_on_0="25", what_happened=""))
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter what happened" in page and "must be in the past" in page
    assert not DiaryEntry.objects.exists()


def test_a_resident_corrects_only_their_own_entry_through_the_page(margaret, client):
    mine = add_entry(margaret)
    url = reverse("resident:diary_correct", kwargs={"token": link_token(margaret), "entry_id": mine.pk})
    assert "Music until 3am again" in client.get(url).content.decode()
    response = client.post(url, diary_post(what_happened="It was 4am"))
    assert "Correction sent" in response.content.decode()
    assert DiaryEntry.objects.get(corrects=mine).what_happened == "It was 4am"
    other = party_add(case=margaret.case, actor=None, role=PartyRole.VICTIM, full_name="Neil", email="neil@example.com")
    theirs = add_entry(resident_link_issue(case=margaret.case, party=other))
    assert client.get(reverse("resident:diary_correct", kwargs={"token": link_token(margaret), "entry_id": theirs.pk})).status_code == 404


def test_each_form_page_makes_its_request(margaret, client):
    token = link_token(margaret)
    posts = {
        "callback": {"phone": "07700 900456", "best_time": "mornings"},
        "contact_preference": {"method": "email", "email": "new@example.com"},
        "stopped": {"details": "All quiet"},
        "evidence_add": {"files": png("door.png"), "description": ""},
    }
    for name, data in posts.items():
        response = client.post(reverse(f"resident:{name}", kwargs={"token": token}), {"submission_key": str(uuid.uuid4()), **data})
        assert response.status_code == 200 and "govuk-panel--confirmation" in response.content.decode(), name
    assert sorted(ResidentRequest.objects.values_list("kind", flat=True)) == sorted(
        ["callback", "contact_preference", "stopped", "evidence"])


def test_posts_are_rate_limited_per_link(margaret, client, settings):
    url = reverse("resident:callback", kwargs={"token": link_token(margaret)})
    settings.RESIDENT_ACTION_RATE = "3/h"
    codes = [client.post(url, {"submission_key": str(uuid.uuid4()), "phone": "07700 900456"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert ResidentRequest.objects.count() == 3


def test_the_resident_pdf_is_a_pdf(margaret, client):
    add_entry(margaret)
    response = client.get(reverse("resident:diary_pdf", kwargs={"token": link_token(margaret)}))
    assert response["Content-Type"] == "application/pdf" and io.BytesIO(response.content).read(5) == b"%PDF-"
