"""The minutes pages: every URL for every role; a draft is read by co-chairs and JAG managers only (never a partner);
once circulated, council staff read the text and a partner reads only their agency's record (never a case not
shared with them); circulating, approving at the next meeting (then locked), editing and amending with a reason."""
# ruff: noqa: F811 - the fixtures imported from test_views_conduct

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jag.models import AgendaItem, ItemKind, ItemSource, JagEvent, Meeting, MinutesAmendment
from jag.services.actions import action_add
from jag.services.minutes import minutes_approve, minutes_circulate

from .test_views_conduct import (  # noqa: F401 - fixtures
    DUE,
    LOGIN,
    NOT_FOUND,
    OK,
    ROLES,
    SHARED_REF,
    UNSHARED_NOTES,
    UNSHARED_REF,
    UNSHARED_WHY,
    agencies,
    assert_status,
    fresh,
    frozen,
    get_as,
    held,
    jag,
    opened,
    users,
    with_actions,
)

pytestmark = pytest.mark.django_db
STATEMENT_LINE = "Everyone present acknowledged the confidentiality statement."


def circulated(jag) -> Meeting:
    meeting = held(jag)
    return minutes_circulate(meeting=meeting, actor=jag["people"]["chair"])


def readers(**overrides):
    return {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN, "call_centre": NOT_FOUND, "housing": NOT_FOUND, **overrides}


MATRIX = [
    ("/jag/meetings/{meeting}/minutes/", readers()),
    ("/jag/meetings/{following}/minutes/", readers()),
    ("/jag/meetings/999999/minutes/", readers(**dict.fromkeys(ROLES[1:], NOT_FOUND))),
    ("/jag/meetings/{meeting}/minutes/edit/", {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "chair": OK, "manager": OK}),
    ("/jag/meetings/{following}/minutes/edit/", {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "chair": OK, "manager": OK}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, jag, role, url, expected):
    held(jag)
    response = get_as(client, jag, role, url.format(meeting=jag["meeting"].pk, following=jag["following"].pk))
    assert_status(response, expected[role])


def page(client, jag, role) -> str:
    client.force_login(jag["people"][role])
    response = client.get(f"/jag/meetings/{jag['meeting'].pk}/minutes/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_draft_is_read_by_co_chairs_and_managers_only(client, jag):
    held(jag)
    for role in ("chair", "manager"):
        html = page(client, jag, role)
        assert "Draft minutes (not circulated)" in html and STATEMENT_LINE in html and UNSHARED_REF in html, role
        assert "Circulate the minutes" in html
    for role in ("officer", "police", "police_lead", "police_chair"):
        html = page(client, jag, role)
        assert "have not been circulated yet" in html, role
        assert STATEMENT_LINE not in html and UNSHARED_REF not in html and SHARED_REF not in html, role
        assert "Circulate the minutes" not in html and "/minutes.pdf" not in html, role


def test_the_minutes_are_due_within_one_working_day(client, jag):
    held(jag)
    html = page(client, jag, "chair")
    assert "within one working day" in html and "Wednesday 9 December 2026" in html


@pytest.mark.parametrize("role", ["officer", "police", "police_lead", "police_chair", "housing", "call_centre"])
def test_only_a_council_co_chair_or_a_manager_may_circulate_approve_or_edit(client, jag, role):
    held(jag)
    client.force_login(jag["people"][role])
    meeting = fresh(jag["meeting"])
    before = (JagEvent.objects.count(), meeting.version)
    assert client.post(f"/jag/meetings/{meeting.pk}/minutes/", {"what": "circulate", "version": meeting.version}).status_code == 404
    assert client.post(f"/jag/meetings/{meeting.pk}/minutes/edit/", {"text": "Rewritten", "version": meeting.version}).status_code == 404
    assert (JagEvent.objects.count(), fresh(meeting).version) == before and fresh(meeting).minutes_circulated_at is None


def test_circulating_shows_the_text_to_council_staff_and_the_agency_record_to_partners(client, jag):
    actions = with_actions(jag)
    held(jag)
    client.force_login(jag["people"]["chair"])
    response = client.post(f"/jag/meetings/{jag['meeting'].pk}/minutes/", {"what": "circulate", "version": fresh(jag["meeting"]).version})
    assert response.status_code == 302
    meeting = fresh(jag["meeting"])
    assert meeting.minutes_circulated_at is not None and STATEMENT_LINE in meeting.minutes
    # A second click changes nothing.
    client.post(f"/jag/meetings/{meeting.pk}/minutes/", {"what": "circulate", "version": meeting.version})
    assert JagEvent.objects.filter(kind="minutes.circulated").count() == 1

    html = page(client, jag, "officer")
    assert STATEMENT_LINE in html and UNSHARED_REF in html and "Draft" not in html and "/minutes.pdf" in html

    for role in ("police", "police_lead", "police_chair"):
        html = page(client, jag, role)
        assert STATEMENT_LINE not in html, role  # never the free text
        assert "The record for Leicestershire Police" in html
        assert SHARED_REF in html and "Bell Street Car Park" in html and "Off-road bikes" in html
        assert UNSHARED_REF not in html and UNSHARED_WHY not in html and UNSHARED_NOTES not in html
        assert actions["police_action"].text in html and actions["place_action"].text in html
        assert actions["council_action"].text not in html
        assert "A case not shared with your agency" in html


def test_housing_cannot_open_the_minutes_of_a_group_it_does_not_sit_on(client, jag):
    circulated(jag)
    client.force_login(jag["people"]["housing"])
    assert client.get(f"/jag/meetings/{jag['meeting'].pk}/minutes/").status_code == 404


def test_approving_at_the_next_meeting_once_it_has_started(client, jag):
    circulated(jag)
    client.force_login(jag["people"]["chair"])
    url = f"/jag/meetings/{jag['meeting'].pk}/minutes/"
    html = client.get(url).content.decode()
    assert "Approve at the meeting" not in html and "12 January 2027" in html
    response = client.post(url, {"what": "approve", "version": fresh(jag["meeting"]).version})
    assert response.status_code == 200 and "once it has started" in response.content.decode()
    assert fresh(jag["meeting"]).minutes_approved_at is None
    Meeting.objects.filter(pk=jag["following"].pk).update(opened_at=fresh(jag["meeting"]).closed_at)
    html = client.get(url).content.decode()
    assert "Approve at the meeting of 12 January 2027" in html
    response = client.post(url, {"what": "approve", "version": fresh(jag["meeting"]).version})
    assert response.status_code == 302
    meeting = fresh(jag["meeting"])
    assert meeting.minutes_locked and meeting.minutes_approved_by == jag["people"]["chair"]
    again = client.post(url, {"what": "approve", "version": meeting.version})
    assert again.status_code == 302 and JagEvent.objects.filter(kind="minutes.approved").count() == 1
    assert "Amend the minutes" in client.get(url).content.decode()


def test_editing_the_draft(client, jag):
    held(jag)
    client.force_login(jag["people"]["chair"])
    url = f"/jag/meetings/{jag['meeting'].pk}/minutes/edit/"
    html = client.get(url).content.decode()
    assert STATEMENT_LINE in html and 'name="reason"' not in html
    meeting = fresh(jag["meeting"])
    response = client.post(url, {"text": "Short minutes.", "version": meeting.version})
    assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{meeting.pk}/minutes/"
    assert fresh(meeting).minutes == "Short minutes." and MinutesAmendment.objects.count() == 0
    assert JagEvent.objects.filter(kind="minutes.edited").count() == 1
    stale = client.post(url, {"text": "Overwrites someone else's edit", "version": meeting.version})
    assert stale.status_code == 200 and "Someone else has changed this meeting" in stale.content.decode()
    assert fresh(meeting).minutes == "Short minutes."
    empty = client.post(url, {"text": "   ", "version": fresh(meeting).version})
    assert "Enter the minutes" in empty.content.decode()


def test_amending_approved_minutes_needs_a_reason_and_is_kept(client, jag):
    meeting = circulated(jag)
    Meeting.objects.filter(pk=jag["following"].pk).update(opened_at=fresh(meeting).closed_at)
    following = fresh(jag["following"])
    minutes_approve(meeting=fresh(meeting), approved_at_meeting=following, actor=jag["people"]["chair"])
    client.force_login(jag["people"]["manager"])
    url = f"/jag/meetings/{meeting.pk}/minutes/edit/"
    html = client.get(url).content.decode()
    assert 'name="reason"' in html and "Amend the approved minutes" in html
    before = fresh(meeting).minutes
    response = client.post(url, {"text": before + "\nCorrection: PC Smith gave apologies.", "version": fresh(meeting).version})
    assert response.status_code == 200 and "Say why the approved minutes are being changed" in response.content.decode()
    assert MinutesAmendment.objects.count() == 0
    response = client.post(url, {"text": before + "\nCorrection: PC Smith gave apologies.", "reason": "Attendance was wrong",
                                 "version": fresh(meeting).version})
    assert response.status_code == 302
    amendment = MinutesAmendment.objects.get()
    assert (amendment.changed_by, amendment.reason, amendment.before) == (jag["people"]["manager"], "Attendance was wrong", before)
    html = page(client, jag, "officer")
    assert "Amendments after approval" in html and "Attendance was wrong" in html and "Correction: PC Smith" in html
    html = page(client, jag, "police")
    assert "Attendance was wrong" not in html and "Correction: PC Smith" not in html


def test_the_minutes_page_is_a_fixed_number_of_queries(client, jag):
    with_actions(jag)
    extra = [AgendaItem.objects.create(meeting=jag["meeting"], position=10 + n, kind=ItemKind.THEME, theme=f"Theme {n}",
                                       source=ItemSource.ADDED, why="Added", outcome="keep") for n in range(2)]
    for item in extra:
        action_add(item=item, text="One", owner_agency=jag["police"], owner=jag["people"]["police"], due_on=DUE, actor=jag["people"]["chair"])
    circulated(jag)
    url = f"/jag/meetings/{jag['meeting'].pk}/minutes/"

    def count(role):
        client.force_login(jag["people"][role])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = {role: count(role) for role in ("officer", "police", "chair")}
    meeting = fresh(jag["meeting"])
    Meeting.objects.filter(pk=meeting.pk).update(status="scheduled", closed_at=None)
    more = [AgendaItem.objects.create(meeting=meeting, position=100 + n, kind=ItemKind.THEME, theme=f"More {n}",
                                      source=ItemSource.ADDED, why="Added", outcome="keep") for n in range(25)]
    for item in more:
        action_add(item=item, text="More", owner_agency=jag["police"], owner=jag["people"]["police"], due_on=DUE, actor=jag["people"]["chair"])
    Meeting.objects.filter(pk=meeting.pk).update(status="held", closed_at=meeting.closed_at)
    assert {role: count(role) for role in ("officer", "police", "chair")} == before
