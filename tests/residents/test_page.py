"""The resident's case page (/my-case/<token>/): what it shows, what it never shows, its status words, its cost."""

import html
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import (
    ActionType,
    CaseStatus,
    ClosureReason,
    DiaryEntry,
    PartnerAgency,
    PartyRole,
    ResidentLink,
    ResidentRequest,
    ResidentRequestKind,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.selectors_resident import resident_status
from cases.services import action_record, case_assign, case_close, contact_record, note_add, party_add
from cases.services.common import timeline_add
from cases.services.resident_links import link_path, resident_link_issue

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)

# Strings that must never reach Margaret's page.
PERPETRATOR_NAME, PERPETRATOR_ADDRESS, PERPETRATOR_PHONE = "Darren Hollingsworth", "16 Bell Street", "07700 900555"
OTHER_VICTIM, OTHER_PHONE, OTHER_EMAIL = "Bernadette Quinlan", "07700 900987", "bernadette@example.com"
OTHER_REPORT_TEXT = "Shouting at my window every evening, Bernadette's own words"
INTERNAL_NOTE, STAFF_NOTE, PARTNER_NOTE = "INTERNAL: manager suspects a relative", "STAFF: visited number 16", "PARTNER: patrols on Fridays"
AGENCY_ENTRY = "Police say the tenant is known to them"
OTHER_UPDATE = "Bernadette, we have spoken to your landlord"
OTHER_DIARY = "Bernadette's diary: loud bang at 2am"
OTHER_CALLBACK = "Bernadette wants a call"
SHARED_NOTE = "We have written to the landlord of the property"
OWN_UPDATE = "Margaret, we served a warning this week"
OWN_TEXT = "Music until 3am every night, Margaret's words"
NEVER = [PERPETRATOR_NAME, PERPETRATOR_ADDRESS, PERPETRATOR_PHONE, OTHER_VICTIM, OTHER_PHONE, OTHER_EMAIL, OTHER_REPORT_TEXT,
         INTERNAL_NOTE, STAFF_NOTE, PARTNER_NOTE, AGENCY_ENTRY, OTHER_UPDATE, OTHER_DIARY, OTHER_CALLBACK, "Bernadette"]


def leaky_case(officer):
    """A case holding every kind of thing Margaret's page must not show, and a few things it must."""
    report = submit_report(report_submission(description=OWN_TEXT, perpetrator_known="named", perpetrator_name=PERPETRATOR_NAME,
                                             perpetrator_address=PERPETRATOR_ADDRESS),
                           received_at=timezone.now() - timedelta(days=3))
    case, margaret = report.case, report.reporter
    case_assign(case=case, officer=officer, actor=officer)
    other = submit_report(report_submission(description=OTHER_REPORT_TEXT, full_name=OTHER_VICTIM, phone=OTHER_PHONE,
                                            email=OTHER_EMAIL), existing_case=case, received_at=timezone.now() - timedelta(days=2))
    bernadette = other.reporter
    perpetrator = case.parties.get(role=PartyRole.PERPETRATOR)
    perpetrator.phone = PERPETRATOR_PHONE
    perpetrator.save()
    contact_record(case=case, party=margaret, method="phone", direction="out", successful=True, summary="Spoke to Margaret",
                   occurred_at=timezone.now() - timedelta(days=1), gave_update=True, actor=officer)
    for text, visibility in [(INTERNAL_NOTE, Visibility.INTERNAL), (STAFF_NOTE, Visibility.STAFF), (PARTNER_NOTE, Visibility.PARTNERS),
                             (SHARED_NOTE, Visibility.RESIDENT)]:
        note_add(case=case, text=text, actor=officer, visibility=visibility)
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    # An agency's entry, even one wrongly marked for residents, never shows.
    timeline_add(case=case, actor=None, kind=TimelineKind.NOTE, summary=AGENCY_ENTRY, body=AGENCY_ENTRY,
                 visibility=Visibility.RESIDENT, agency=police)
    for party, body in [(bernadette, OTHER_UPDATE), (margaret, OWN_UPDATE)]:
        TimelineEntry.objects.create(case=case, kind=TimelineKind.UPDATE, summary=f"Update sent to {party}", body=body,
                                     visibility=Visibility.RESIDENT, for_party=party, occurred_at=timezone.now())
    DiaryEntry.objects.create(case=case, party=bernadette, happened_at=timezone.now() - timedelta(hours=5), what_happened=OTHER_DIARY,
                              received_at=timezone.now(), submission_key=uuid.uuid4())
    DiaryEntry.objects.create(case=case, party=margaret, happened_at=timezone.now() - timedelta(hours=6),
                              what_happened="Margaret's diary: music again", received_at=timezone.now(), submission_key=uuid.uuid4())
    ResidentRequest.objects.create(case=case, party=bernadette, kind=ResidentRequestKind.CALLBACK, details=OTHER_CALLBACK,
                                   created_at=timezone.now(), submission_key=uuid.uuid4())
    ResidentRequest.objects.create(case=case, party=margaret, kind=ResidentRequestKind.CALLBACK, details="Call me",
                                   created_at=timezone.now(), submission_key=uuid.uuid4())
    action_record(case=case, action_type=ActionType.objects.get(slug="cpw"), actor=officer, perpetrator=perpetrator,
                  details=f"CPW to {PERPETRATOR_NAME}")
    return case, margaret, bernadette


def _page(client, link):
    response = client.get(link_path(link))
    assert response.status_code == 200
    return response, html.unescape(response.content.decode())


def test_the_page_shows_her_case_and_never_anyone_elses_details(client, officer_user):
    officer_user.first_name, officer_user.last_name = "Priya", "Shackleton"
    officer_user.save()
    with time_machine.travel(NOW, tick=False):
        case, margaret, _ = leaky_case(officer_user)
        link = ResidentLink.objects.get(party=margaret, revoked_at__isnull=True)
        response, page = _page(client, link)
    for secret in NEVER:
        assert secret not in page, secret
    assert "Shackleton" not in page and "Priya" in page
    assert case.reference in page and "Noise" in page
    assert "Action being taken" in page
    for shown in [OWN_TEXT, OWN_UPDATE, SHARED_NOTE, "Margaret's diary: music again", "You asked us to call you back",
                  "Another report about this problem was added", "You reported the problem"]:
        assert shown in page, shown
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_other_victim_sees_her_own_report_and_update_but_not_margarets(client, officer_user):
    with time_machine.travel(NOW, tick=False):
        _case, _margaret, bernadette = leaky_case(officer_user)
        link = resident_link_issue(case=bernadette.case, party=bernadette)
        _response, page = _page(client, link)
    assert OTHER_REPORT_TEXT in page and OTHER_UPDATE in page
    assert OWN_TEXT not in page and OWN_UPDATE not in page and "Margaret" not in page


def test_the_next_update_date_is_her_stored_deadline(client, officer_user):
    with time_machine.travel(NOW, tick=False):
        _case, margaret, _ = leaky_case(officer_user)
        due = margaret.deadlines.open().get().due_at
        _response, page = _page(client, ResidentLink.objects.get(party=margaret, revoked_at__isnull=True))
    assert "Your next update" in page
    assert f"By {timezone.localtime(due):%A %-d %B %Y}" in page


def test_opening_records_last_opened_at_most_once_a_minute(client, officer_user):
    with time_machine.travel(NOW, tick=False):
        _case, margaret, _ = leaky_case(officer_user)
        link = ResidentLink.objects.get(party=margaret, revoked_at__isnull=True)
        _page(client, link)
    link.refresh_from_db()
    assert link.last_opened_at == NOW
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        _page(client, link)
    link.refresh_from_db()
    assert link.last_opened_at == NOW
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        _page(client, link)
    link.refresh_from_db()
    assert link.last_opened_at == NOW + timedelta(minutes=2)


@pytest.mark.parametrize("status, closure_reason, has_action, label", [
    (CaseStatus.NEW, "", False, "Received"),
    (CaseStatus.OPEN, "", False, "Being looked at"),
    (CaseStatus.OPEN, "", True, "Action being taken"),
    (CaseStatus.MONITORING, "", False, "Monitoring"),
    (CaseStatus.CLOSED, ClosureReason.RESOLVED, False, "Closed"),
])
def test_status_in_plain_words(status, closure_reason, has_action, label):
    from cases.models import Case

    status_words = resident_status(Case(status=status, closure_reason=closure_reason), has_action)
    assert status_words.label == label


def test_closed_is_not_fixed():
    from cases.models import Case

    for reason in ClosureReason.values:
        words = resident_status(Case(status=CaseStatus.CLOSED, closure_reason=reason), False)
        assert "fixed" not in words.explanation.lower() and "solved" not in words.explanation.lower()
        assert words.explanation.startswith(("We have closed", "Your case has been joined"))


def _closed_case(officer, days_ago):
    with time_machine.travel(NOW - timedelta(days=days_ago + 2), tick=False):
        report = submit_report(report_submission(incident_date=None), received_at=timezone.now())
        contact_record(case=report.case, party=report.reporter, method="phone", direction="out", successful=True,
                       summary="Final word", occurred_at=timezone.now(), gave_update=True, final_update=True, actor=officer)
    with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
        case_close(case=report.case, reason=ClosureReason.INSUFFICIENT_EVIDENCE, actor=officer)
    return report


@pytest.mark.parametrize("days_ago, started_again", [(27, True), (29, False)])
def test_started_again_is_offered_within_28_days_of_closure_then_a_new_report(client, officer_user, days_ago, started_again):
    report = _closed_case(officer_user, days_ago)
    with time_machine.travel(NOW, tick=False):
        link = ResidentLink.objects.get(party=report.reporter, revoked_at__isnull=True)
        _response, page = _page(client, link)
    assert "we do not have enough evidence" in page
    assert ("Tell us the problem has started again" in page) is started_again
    assert ("Make a new report" in page) is not started_again
    assert "Tell us the problem has stopped" not in page


def test_an_anonymous_reporter_gets_no_contact_preference_link(client):
    with time_machine.travel(NOW, tick=False):
        report = submit_report(report_submission(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method=""))
        link = resident_link_issue(case=report.case, report=report)
        _response, page = _page(client, link)
    assert "Change how we contact you" not in page
    assert "You reported the problem" in page and "Add a diary entry" in page


def _extra(case, margaret, officer, n):
    for i in range(n):
        note_add(case=case, text=f"Shared note {i}", actor=officer, visibility=Visibility.RESIDENT)
        note_add(case=case, text=f"Staff note {i}", actor=officer)
        DiaryEntry.objects.create(case=case, party=margaret, happened_at=timezone.now() - timedelta(hours=i + 1),
                                  what_happened=f"Diary {i}", received_at=timezone.now(), submission_key=uuid.uuid4())
        ResidentRequest.objects.create(case=case, party=margaret, kind=ResidentRequestKind.STOPPED, created_at=timezone.now(),
                                       submission_key=uuid.uuid4())
        party_add(case=case, actor=officer, role=PartyRole.WITNESS, full_name=f"Witness {i}")


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_page_makes_the_same_number_of_queries_whatever_the_case_holds(client, officer_user, anonymous):
    counts = []
    for n in (1, 12):
        with time_machine.travel(NOW - timedelta(minutes=n), tick=False):
            if anonymous:
                report = submit_report(report_submission(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method=""))
                case, link = report.case, resident_link_issue(case=report.case, report=report)
                margaret = None
                party = party_add(case=case, actor=officer_user, role=PartyRole.VICTIM, full_name="Someone")
            else:
                case, margaret, _ = leaky_case(officer_user)
                link = ResidentLink.objects.get(party=margaret, revoked_at__isnull=True)
                party = margaret
            _extra(case, party, officer_user, n)
            with CaptureQueriesContext(connection) as queries:
                _page(client, link)
            counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts
