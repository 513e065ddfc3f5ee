# ruff: noqa: F811  (the shared fixtures are imported from test_actions and named as arguments)
"""Review R3 (diary, resident actions, deadlines): each test failed before its fix."""

import uuid
from datetime import datetime

import pytest
from django.urls import reverse

from cases import hooks
from cases.models import Case, CaseStatus, DiaryEntry, Evidence, ResidentRequest
from cases.services import resident_actions
from cases.services.resident_actions import (
    ReopenWindowPassed,
    ResidentActionError,
    callback_request,
    problem_started_again,
    reopen_window_ends,
    resident_evidence_add,
)
from cases.services.resident_links import link_token

from .test_actions import LONDON, NOW, add_entry, clock, margaret, media, png  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _close(link, closed_at):
    Case.objects.filter(pk=link.case_id).update(status=CaseStatus.CLOSED, closed_at=closed_at)
    link.case.refresh_from_db()


def _stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


# --- "within 28 days of closure" counts London dates, as the page says ---------------------------------------------

def test_started_again_is_taken_all_day_on_the_last_date_the_page_gives(margaret, clock, client):
    # Closed at 09:00 on 3 November: the page says "until 1 December 2026"; at 15:00 that day it must still be taken.
    _close(margaret, datetime(2026, 11, 3, 9, 0, tzinfo=LONDON))
    clock.move_to(datetime(2026, 12, 1, 15, 0, tzinfo=LONDON), tick=False)
    response = client.get(reverse("resident:started_again", kwargs={"token": link_token(margaret)}))
    assert response.status_code == 200 and response.context["form"] is not None
    assert "until 1 December 2026" in response.content.decode()
    request = problem_started_again(link=margaret, details="Music is back", submission_key=uuid.uuid4())
    assert request.kind == "started_again"
    # The next day it is a new report.
    clock.move_to(datetime(2026, 12, 2, 0, 0, 1, tzinfo=LONDON), tick=False)
    with pytest.raises(ReopenWindowPassed):
        problem_started_again(link=margaret, details="Again", submission_key=uuid.uuid4())


def test_the_28_days_are_london_dates_across_the_clock_change(margaret, clock):
    # Closed 00:30 on 10 October (BST; 23:30 UTC on the 9th): the 28th day after is 7 November (GMT).
    _close(margaret, datetime(2026, 10, 10, 0, 30, tzinfo=LONDON))
    ends = reopen_window_ends(margaret.case)
    assert ends.astimezone(LONDON).date().isoformat() == "2026-11-07"
    clock.move_to(datetime(2026, 11, 7, 12, 0, tzinfo=LONDON), tick=False)
    problem_started_again(link=margaret, details="Music is back", submission_key=uuid.uuid4())


# --- files are never left on disk by a form that did not save --------------------------------------------------------

def test_a_double_clicked_upload_leaves_no_second_copy_of_the_files_on_disk(margaret, media, monkeypatch):
    key = uuid.uuid4()
    first = resident_evidence_add(link=margaret, files=[png("one.png")], submission_key=key)
    assert len(_stored_files(media)) == 1
    # The twin checked for the key before the first had committed (the race: both of its checks before taking the
    # link's lock found nothing), then waited on the lock.
    real = resident_actions._request_existing
    calls = []

    def not_yet(*args, **kwargs):
        calls.append(1)
        return None if len(calls) <= 2 else real(*args, **kwargs)

    monkeypatch.setattr(resident_actions, "_request_existing", not_yet)
    again = resident_evidence_add(link=margaret, files=[png("one.png")], submission_key=key)
    assert again.pk == first.pk
    assert Evidence.objects.count() == 1
    assert len(_stored_files(media)) == 1


def test_a_diary_entry_that_fails_after_its_files_were_stored_leaves_none_on_disk(margaret, media, monkeypatch):
    def broken(*, entry):
        raise RuntimeError("the threshold callback failed")

    monkeypatch.setattr(hooks, "_diary_entry_taken", [broken])
    with pytest.raises(RuntimeError):
        add_entry(margaret, files=[png("a.png"), png("b.png")])
    assert (DiaryEntry.objects.count(), Evidence.objects.count()) == (0, 0)
    assert _stored_files(media) == []


# --- a submission key from another form is bad input, never a 500 or someone else's result --------------------------

def test_a_diary_form_sent_with_another_forms_key_is_refused_not_a_500(margaret):
    key = uuid.uuid4()
    callback_request(link=margaret, phone="07700 900982", submission_key=key)
    with pytest.raises(ResidentActionError, match="Send the form again"):
        add_entry(margaret, submission_key=key)
    assert DiaryEntry.objects.count() == 0


def test_an_upload_sent_with_another_forms_key_does_not_pretend_the_files_were_taken(margaret, media):
    key = uuid.uuid4()
    callback_request(link=margaret, phone="07700 900982", submission_key=key)
    with pytest.raises(ResidentActionError, match="Send the form again"):
        resident_evidence_add(link=margaret, files=[png()], submission_key=key)
    assert ResidentRequest.objects.count() == 1 and Evidence.objects.count() == 0


def test_the_diary_page_shows_a_reused_key_as_an_error(margaret, client):
    key = uuid.uuid4()
    callback_request(link=margaret, phone="07700 900982", submission_key=key)
    response = client.post(reverse("resident:diary_add", kwargs={"token": link_token(margaret)}), {
        "submission_key": str(key), "happened_on_0": "23", "happened_on_1": "11", "happened_on_2": "2026",
        "happened_time": "21:30", "what_happened": "Music", "who_involved": "", "how_affected": "",
    })
    assert response.status_code == 200
    assert "Send the form again" in response.content.decode()


# --- Case Review: a diary kept for a victim counts like the reports made for them --------------------------------------

def test_a_diary_kept_by_someone_reporting_for_a_victim_counts_for_the_victim_like_their_reports(clock, media):
    from datetime import date, timedelta

    from casereview.threshold import threshold_for_case
    from cases.models import PartyRole
    from cases.services.resident_links import resident_link_issue

    from ..cases.factories import report_submission, submit_report

    # Dora reports for her mother Margaret (the victim); Dora keeps the diary on the link she was sent.
    report = submit_report(report_submission(incident_date=date(2026, 11, 15), reporter_role=PartyRole.REPORTER,
                                             on_behalf_of="Margaret Ellis", full_name="Dora Ellis",
                                             email="dora@example.com"), received_at=NOW - timedelta(days=7))
    victim = report.case.parties.get(role=PartyRole.VICTIM)
    assert report.reporter.role == PartyRole.REPORTER and victim.person_id is not None
    dora = resident_link_issue(case=report.case, party=report.reporter)
    assert not threshold_for_case(report.case, at=NOW).met
    add_entry(dora, happened_at=NOW - timedelta(days=4), what_happened="Music again")
    add_entry(dora, happened_at=NOW - timedelta(days=2), what_happened="And again")
    # Her report for Margaret counts as Margaret's complaint; so do the diary entries she keeps for her.
    result = threshold_for_case(report.case, at=NOW)
    assert result.met and result.person_id == victim.person_id
    assert sum(getattr(r, "is_diary_entry", False) for r in result.reports) == 2
