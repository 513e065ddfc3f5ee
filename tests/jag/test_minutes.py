"""The minutes: generated from the record (and nothing about a case beyond its reference and what the record says),
circulated within a working day, approved at the next held meeting and then changed only by recorded amendments."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import ClosureDay
from jag.models import Meeting, MeetingStatus, MinutesAmendment
from jag.services.actions import action_add
from jag.services.meeting import JagError, item_record, meeting_close
from jag.services.minutes import minutes_amend, minutes_approve, minutes_circulate, minutes_due_at, minutes_generate

from . import test_meeting
from .factories import meeting_make
from .test_meeting import NOW, fresh, held, item_make, london, opened

pytestmark = pytest.mark.django_db
frozen, world = test_meeting.frozen, test_meeting.world  # the shared fixtures


def recorded(w) -> Meeting:
    """The December meeting as held: notes, decisions, outcomes, two actions."""
    meeting = opened(w)
    case_item, place_item, theme_item = w["items"]
    item_record(item=case_item, notes="Noise reported weekly; warning letter sent.", decisions="Joint visit by police and council",
                outcome="keep", actor=w["chair"])
    item_record(item=place_item, notes="Gatherings fewer since the lighting was fixed.", decisions="", outcome="close", actor=w["chair"])
    item_record(item=theme_item, notes="", decisions="Raise at the CSP", outcome="escalate", actor=w["chair"])
    action_add(item=case_item, text="Joint visit to the address.", owner_agency=w["police"], owner=w["pc"], due_on=date(2026, 12, 22),
               actor=w["chair"])
    action_add(item=theme_item, text="Paper for the CSP.", owner_agency=None, owner=w["officer"], due_on=date(2027, 1, 8), actor=w["chair"])
    meeting = fresh(meeting)
    return meeting_close(meeting=meeting, actor=w["chair"], version=meeting.version)


def test_the_minutes_say_what_the_record_says(world):
    text = minutes_generate(recorded(world))
    case = world["case"]
    assert text.startswith("Oadby and Wigston JAG: minutes of the meeting held on 8 December 2026 at 10:00\n")
    for expected in [
        "Present (3)", "- Olivia Chen, The council", "- Rev. Ada Byrne (guest)", "Apologies (1)", "Absent (2)",
        "- Omar Patel, The council", "Everyone present acknowledged the confidentiality statement.",
        f"1. Case {case.reference}", "Why it was on the agenda: Nominated by the police: repeat noise",
        "Notes: Noise reported weekly; warning letter sent.", "Decisions: Joint visit by police and council", "Outcome: Keep on the agenda",
        "2. Location: Bell Street Car Park, LE18 2BB", "Outcome: Close",
        "3. Theme: Off-road bikes", "Outcome: Escalate to the Community Safety Partnership",
        f"- Joint visit to the address. Owner: Leicestershire Police ({world['pc'].get_full_name()}). Due: 22 December 2026.",
        "- Paper for the CSP. Owner: The council (Omar Patel). Due: 8 January 2027.",
    ]:
        assert expected in text, expected
    # Nothing of the case beyond its reference: no address, postcode, description or names from the report.
    report = case.reports.first()
    for withheld in {case.address, case.postcode, case.location_description, report.description} - {""}:
        assert withheld not in text
    assert case.parties.exists() and report.description
    for party in case.parties.all():
        for value in {party.full_name, party.email, party.phone, party.description} - {""}:
            assert value not in text


def test_a_removed_item_is_not_in_the_minutes(world):
    world["items"][2].removed_at = NOW
    world["items"][2].save()
    text = minutes_generate(held(world))
    assert "Off-road bikes" not in text and "2. Location" in text


def test_generating_keeps_a_fixed_number_of_queries(world):
    meeting = recorded(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            minutes_generate(meeting)
        return len(ctx.captured_queries)

    small = count()
    for n in range(20):
        item = item_make(meeting, 10 + n, kind="theme", theme=f"Theme {n}", why="More", outcome="keep")
        for d in range(3):
            action_add(item=item, text=f"Action {n}.{d}", owner_agency=world["police"], owner=world["inspector"],
                       due_on=date(2027, 1, 10 + d), actor=world["chair"])
    assert count() == small


def test_the_minutes_are_due_by_the_end_of_the_next_working_day():
    assert minutes_due_at(Meeting(held_on=date(2026, 12, 8))) == london(2026, 12, 9, 23, 59, 59)
    assert minutes_due_at(Meeting(held_on=date(2026, 12, 24))) == london(2026, 12, 29, 23, 59, 59)  # Christmas, Boxing Day (Monday)
    assert minutes_due_at(Meeting(held_on=date(2027, 1, 15))) == london(2027, 1, 18, 23, 59, 59)  # a Friday: over the weekend
    assert minutes_due_at(Meeting(held_on=date(2027, 3, 25))) == london(2027, 3, 30, 23, 59, 59)  # Good Friday, Easter Monday


def test_a_closure_day_puts_the_minutes_back_a_day(world):
    ClosureDay.objects.create(day=date(2026, 12, 9), reason="Staff training", created_by=world["manager"])
    assert minutes_due_at(Meeting(held_on=date(2026, 12, 8))) == london(2026, 12, 10, 23, 59, 59)


def test_circulating_stores_the_generated_text_once(world):
    meeting = recorded(world)
    with pytest.raises(JagError, match="co-chair"):
        minutes_circulate(meeting=meeting, actor=world["pc"])
    # Not the police co-chair either: the minutes cover cases not shared with the police.
    with pytest.raises(JagError, match="council co-chair"):
        minutes_circulate(meeting=meeting, actor=world["inspector"])
    circulated = minutes_circulate(meeting=meeting, actor=world["chair"])
    assert circulated.minutes == minutes_generate(meeting) and circulated.minutes_circulated_at == NOW
    with time_machine.travel(london(2026, 12, 9, 9), tick=False):
        again = minutes_circulate(meeting=fresh(meeting), actor=world["chair"])
    assert again.minutes_circulated_at == NOW and again.version == circulated.version


def test_a_draft_edited_before_circulation_is_what_is_circulated(world):
    meeting = recorded(world)
    minutes_amend(meeting=meeting, text="Draft minutes, corrected.", reason="", actor=world["chair"])
    assert minutes_circulate(meeting=meeting, actor=world["chair"]).minutes == "Draft minutes, corrected."


def test_minutes_wait_for_the_meeting_to_be_held(world):
    meeting = opened(world)
    with pytest.raises(JagError, match="held"):
        minutes_circulate(meeting=meeting, actor=world["chair"])
    with pytest.raises(JagError, match="held"):
        minutes_amend(meeting=meeting, text="x", reason="", actor=world["chair"])


def january(w) -> Meeting:
    return meeting_make(w["group"], date(2027, 1, 12))


def test_approved_at_the_next_meeting_once_it_has_started_then_locked(world):
    december = recorded(world)
    jan = january(world)
    with pytest.raises(JagError, match="not been circulated"):
        minutes_approve(meeting=december, approved_at_meeting=jan, actor=world["chair"])
    minutes_circulate(meeting=december, actor=world["chair"])
    with pytest.raises(JagError, match="started"):
        minutes_approve(meeting=december, approved_at_meeting=jan, actor=world["chair"])
    with pytest.raises(JagError, match="next meeting"):
        minutes_approve(meeting=december, approved_at_meeting=december, actor=world["chair"])
    february = meeting_make(world["group"], date(2027, 2, 9))
    with time_machine.travel(london(2027, 1, 12, 10, 5), tick=False):
        opened(world, jan)
        with pytest.raises(JagError, match="next meeting"):
            minutes_approve(meeting=december, approved_at_meeting=february, actor=world["chair"])
        with pytest.raises(JagError, match="co-chair"):
            minutes_approve(meeting=december, approved_at_meeting=jan, actor=world["pc"])
        with pytest.raises(JagError, match="council co-chair"):
            minutes_approve(meeting=december, approved_at_meeting=jan, actor=world["inspector"])
        approved = minutes_approve(meeting=december, approved_at_meeting=jan, actor=world["chair"])
        assert (approved.minutes_approved_at, approved.minutes_approved_by, approved.minutes_locked) == (
            london(2027, 1, 12, 10, 5), world["chair"], True)
        with pytest.raises(JagError, match="already"):
            minutes_approve(meeting=december, approved_at_meeting=jan, actor=world["chair"])


def test_a_cancelled_meeting_is_skipped_when_finding_the_next(world):
    december = recorded(world)
    minutes_circulate(meeting=december, actor=world["chair"])
    Meeting.objects.filter(pk=january(world).pk).update(status=MeetingStatus.CANCELLED)
    february = meeting_make(world["group"], date(2027, 2, 9))
    with time_machine.travel(london(2027, 2, 9, 10, 5), tick=False):
        opened(world, february)
        assert minutes_approve(meeting=december, approved_at_meeting=february, actor=world["chair"]).minutes_locked


def approved(w) -> Meeting:
    december = recorded(w)
    minutes_circulate(meeting=december, actor=w["chair"])
    jan = january(w)
    with time_machine.travel(london(2027, 1, 12, 10, 5), tick=False):
        opened(w, jan)
        return minutes_approve(meeting=december, approved_at_meeting=jan, actor=w["chair"])


def test_before_approval_the_text_is_edited_without_an_amendment(world):
    meeting = recorded(world)
    minutes_circulate(meeting=meeting, actor=world["chair"])
    edited = minutes_amend(meeting=meeting, text="  Corrected minutes.  ", reason="", actor=world["chair"])
    assert edited.minutes == "Corrected minutes." and not MinutesAmendment.objects.exists()
    with pytest.raises(JagError, match="Enter the minutes"):
        minutes_amend(meeting=meeting, text="   ", reason="", actor=world["chair"])
    with pytest.raises(JagError, match="co-chair"):
        minutes_amend(meeting=meeting, text="Mine", reason="", actor=world["housing_user"])
    assert minutes_amend(meeting=meeting, text="By the manager.", reason="", actor=world["manager"]).minutes == "By the manager."


def test_after_approval_a_change_is_an_amendment_with_who_and_why(world):
    meeting = approved(world)
    before = meeting.minutes
    with pytest.raises(JagError, match="why"):
        minutes_amend(meeting=meeting, text="Changed.", reason="  ", actor=world["chair"])
    with pytest.raises(JagError, match="300 characters"):
        minutes_amend(meeting=meeting, text="Changed.", reason="x" * 301, actor=world["chair"])
    assert fresh(meeting).minutes == before and not MinutesAmendment.objects.exists()
    with time_machine.travel(london(2027, 1, 13, 9), tick=False):
        changed = minutes_amend(meeting=meeting, text=before + "Correction: the visit is by the police alone.",
                                reason="The police asked for a correction", actor=world["chair"])
    amendment = MinutesAmendment.objects.get()
    assert (amendment.meeting, amendment.changed_by, amendment.changed_at, amendment.reason) == (
        meeting, world["chair"], london(2027, 1, 13, 9), "The police asked for a correction")
    assert amendment.before == before and amendment.after == changed.minutes and changed.minutes_locked
    # The same text again is no change and no second amendment.
    minutes_amend(meeting=meeting, text=changed.minutes, reason="Again", actor=world["chair"])
    assert MinutesAmendment.objects.count() == 1
