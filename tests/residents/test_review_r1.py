"""Review R1 (security and leaks) of the resident's case page and links: each test failed before its fix."""

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import DiaryEntry, Party, PartyRole, ResidentLink, TimelineEntry, TimelineKind, Visibility
from cases.services import case_merge, contact_record, note_add
from cases.services.people import party_update
from cases.services.resident_actions import diary_entry_add
from cases.services.resident_links import link_path, resident_link_issue
from cases.services.resident_updates import resident_update_message, resident_update_send

from ..cases.factories import report_submission, submit_report
from ..reporting.helpers import answers, walk

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
URL = re.compile(r"https?://[^\s<\"]+/my-case/[A-Za-z0-9_-]{43}/")
SHARED_NOTE = "We have written to the landlord of number 16"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


# --- a link's holder who is no longer owed updates -----------------------------------------------------------------

def test_a_link_stops_opening_when_its_holder_is_recorded_as_the_alleged_perpetrator(client, clock, officer_user):
    """A counter-allegation: the "victim" turns out to be the alleged perpetrator. Their link must not keep showing
    them what the council shares with the people complaining about them, nor let them write to the case."""
    report = submit_report(report_submission(incident_date=date(2026, 11, 15)), received_at=NOW - timedelta(days=3))
    case, party = report.case, report.reporter
    note_add(case=case, text=SHARED_NOTE, actor=officer_user, visibility=Visibility.RESIDENT)
    path = link_path(ResidentLink.objects.get(party=party, revoked_at__isnull=True))
    assert SHARED_NOTE in client.get(path).content.decode()

    party_update(party=party, actor=officer_user, role=PartyRole.PERPETRATOR)

    page = client.get(path)
    assert page.status_code == 404 and SHARED_NOTE not in page.content.decode()
    assert client.get(path + "diary/").status_code == 404
    assert client.get(path + "diary.pdf").status_code == 404
    # Made a victim again, the same link works again (nothing was revoked behind the officer's back).
    party_update(party=party, actor=officer_user, role=PartyRole.VICTIM)
    assert client.get(path).status_code == 200


# --- the anonymous reporter's link on the confirmation page ----------------------------------------------------------

def test_the_confirmation_page_stops_showing_the_reporters_details_and_link_after_a_while(client):
    """A library computer: the next person to open /report/confirmation/ in the same browser session (8 hours) must
    not be handed the anonymous reporter's link to their case, nor a named reporter's email address."""
    with time_machine.travel(NOW, tick=False) as traveller:
        final = walk(client, answers(anonymous={"anonymous-anonymous": "yes"}))
        assert final == "/report/confirmation/"
        assert URL.search(client.get(final).content.decode())  # shown when the report is sent, and on a refresh soon after
        traveller.shift(timedelta(minutes=10))
        assert URL.search(client.get(final).content.decode())
        traveller.shift(timedelta(hours=1))
        later = client.get(final)
        assert later.status_code == 302 and later["Location"] == "/report/"
        assert not URL.search(client.get(final, follow=True).content.decode())
        assert ResidentLink.objects.get().is_live  # it still works for the reporter who kept it

        walk(client, answers())
        assert "margaret@example.com" in client.get(final).content.decode().lower()
        traveller.shift(timedelta(hours=1))
        assert "margaret@example.com" not in client.get(final, follow=True).content.decode().lower()


# --- updates: "the status has changed" only when it has -------------------------------------------------------------

def test_the_first_update_to_a_new_case_does_not_say_the_status_changed(clock, officer_user):
    """The acknowledgement told her we had received her report: a first update while the case is still "received"
    must not tell her that the status "has changed to: received"."""
    report = submit_report(report_submission(incident_date=date(2026, 11, 15)), received_at=NOW - timedelta(days=1))
    case, margaret = report.case, report.reporter
    assert case.status == "new"
    key = uuid.uuid4()
    entry = resident_update_send(case=case, party=margaret, text="We are reading your report today", actor=officer_user,
                                 submission_key=key)
    message = resident_update_message(submission_key=key)
    assert "has changed" not in message.body
    assert "status_told" not in entry.changes
    # Once first contact opens the case, the next update does say so.
    contact_record(case=case, party=margaret, method="phone", direction="out", successful=True, summary="Spoke to her",
                   occurred_at=NOW, gave_update=True, actor=officer_user)
    key = uuid.uuid4()
    resident_update_send(case=case, party=margaret, text="An officer is on it", actor=officer_user, submission_key=key)
    assert "has changed to: being looked at" in resident_update_message(submission_key=key).body


# --- a case merge where the same person wrote a diary ---------------------------------------------------------------

def test_merging_a_case_where_the_same_person_kept_a_diary_does_not_fail(clock, media, officer_user):
    first = submit_report(report_submission(incident_date=date(2026, 11, 15)), received_at=NOW - timedelta(days=9))
    second = submit_report(report_submission(incident_date=date(2026, 11, 18), description="Same music again"),
                           received_at=NOW - timedelta(days=5))
    assert first.case_id != second.case_id
    link = resident_link_issue(case=second.case, party=second.reporter)
    entry = diary_entry_add(link=link, happened_at=NOW - timedelta(hours=5), what_happened="Bass until 2am", files=[],
                            submission_key=uuid.uuid4())

    case_merge(duplicate=second.case, into=first.case, actor=officer_user)

    entry = DiaryEntry.objects.get(pk=entry.pk)
    assert entry.case_id == first.case_id and entry.what_happened == "Bass until 2am"
    assert Party.objects.filter(pk=entry.party_id, case=first.case).exists()
    assert TimelineEntry.objects.filter(case=first.case, kind=TimelineKind.MERGE).exists()
