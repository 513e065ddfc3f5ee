"""In the meeting (the co-chairs' pages): opening with attendance and the confidentiality statement, recording each item,
agreeing actions, closing. Every URL for every role (a refusal is 404), the journeys through the forms (errors, double
posts, stale pages), and what a police co-chair's page reveals of a case not shared with the police.

The `jag` fixture here is the world the other view tests (minutes, actions, fuzz, browser-free) share."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.shortcuts import resolve_url

from cases.models import CaseShare, Place, ShareScope
from cases.roles import Role
from cases.sla import LONDON
from jag.models import (
    AgendaItem,
    Attendance,
    ItemKind,
    ItemSource,
    JagAction,
    JagEvent,
    Meeting,
    MeetingStatus,
)
from jag.selectors import NOT_SHARED_LABEL
from jag.services.actions import action_add
from jag.services.meeting import AttendanceEntry, item_record, meeting_close, meeting_open

from ..casereview.factories import partner_user, staff
from ..cases.factories import CaseFactory
from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from .factories import group_make, meeting_make, member_make

pytestmark = pytest.mark.django_db
MEETING_DAY = date(2026, 12, 8)  # the second Tuesday of December 2026
NOW = datetime(2026, 12, 8, 10, 5, tzinfo=LONDON)
NEXT_DAY = date(2027, 1, 12)
DUE = date(2027, 1, 8)
ROLES = ["anonymous", "call_centre", "officer", "manager", "police", "police_lead", "housing", "chair", "police_chair"]
LOGIN, OK, NOT_FOUND = "login", 200, 404
SHARED_REF, UNSHARED_REF = "ASB-2026-SHARED", "ASB-2026-UNSHARED"
UNSHARED_WHY = "Threats to the Okonkwo-Bramwell family at number 7"
UNSHARED_NOTES = "Council tenancy team served a notice on the Fairweather household"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def fresh(meeting: Meeting) -> Meeting:
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def jag(users, agencies):  # noqa: F811 - the fixtures imported above
    """A group with a council co-chair, a police co-chair, a police officer and a council officer on it (Housing is not
    a member); today's meeting with a case shared with the police, a case not shared, a location and a theme; the
    next meeting in January."""
    police, housing = agencies["police"], agencies["housing"]
    people = dict(users)
    people["chair"] = staff("olivia", Role.OFFICER, first_name="Olivia", last_name="Chen")
    people["police_chair"] = partner_user("insp-khan", Role.PARTNER_LEAD, police)
    people["police_chair"].first_name, people["police_chair"].last_name = "Imran", "Khan"
    people["police_chair"].save()
    group = group_make()
    members = {
        "chair": member_make(group, people["chair"], co_chair=True),
        "police_chair": member_make(group, people["police_chair"], agency=police, co_chair=True),
        "police": member_make(group, people["police"], agency=police),
        "officer": member_make(group, people["officer"]),
    }
    meeting = meeting_make(group, MEETING_DAY)
    following = meeting_make(group, NEXT_DAY)
    shared = CaseFactory(reference=SHARED_REF)
    unshared = CaseFactory(reference=UNSHARED_REF)
    CaseShare.objects.create(case=shared, agency=police, reason="JAG", scope=ShareScope.SUMMARY, shared_by=people["officer"])
    place = Place.objects.create(address="Bell Street Car Park", postcode="LE18 2BB", key="BELLSTREETCARPARK|LE182BB")
    items = {
        "shared": AgendaItem.objects.create(meeting=meeting, position=1, kind=ItemKind.CASE, case=shared,
                                            source=ItemSource.NOMINATION, why="Repeat noise reported by the police"),
        "unshared": AgendaItem.objects.create(meeting=meeting, position=2, kind=ItemKind.CASE, case=unshared,
                                              source=ItemSource.NOMINATION, why=UNSHARED_WHY),
        "place": AgendaItem.objects.create(meeting=meeting, position=3, kind=ItemKind.LOCATION, place=place,
                                           source=ItemSource.NOMINATION, why="Youths gathering at night"),
        "theme": AgendaItem.objects.create(meeting=meeting, position=4, kind=ItemKind.THEME, theme="Off-road bikes",
                                           source=ItemSource.NOMINATION, why="Reports up across the borough"),
    }
    return {"people": people, "police": police, "housing": housing, "group": group, "members": members,
            "meeting": meeting, "following": following, "items": items, "shared_case": shared, "unshared_case": unshared,
            "place": place}


def attendance(jag) -> list[AttendanceEntry]:
    m = jag["members"]
    return [AttendanceEntry(member=m["chair"], status="present", acknowledged=True),
            AttendanceEntry(member=m["police_chair"], status="present", acknowledged=True),
            AttendanceEntry(member=m["police"], status="present", acknowledged=True),
            AttendanceEntry(member=m["officer"], status="apologies")]


def opened(jag, meeting=None) -> Meeting:
    meeting = fresh(meeting or jag["meeting"])
    return meeting_open(meeting=meeting, attendance=attendance(jag), actor=jag["people"]["chair"], version=meeting.version)


def with_actions(jag) -> dict:
    """The meeting opened, with an action for the police on the shared case, one for the council on the case not
    shared, and one for the police on the location."""
    opened(jag)
    p, items = jag["people"], jag["items"]
    return {
        "police_action": action_add(item=items["shared"], text="Patrol Bell Street on Friday nights", owner_agency=jag["police"],
                                    owner=p["police"], due_on=DUE, actor=p["chair"]),
        "council_action": action_add(item=items["unshared"], text=f"Serve the warning at {UNSHARED_REF}", owner_agency=None,
                                     owner=p["officer"], due_on=DUE, actor=p["chair"]),
        "place_action": action_add(item=items["place"], text="Ask for better lighting in the car park", owner_agency=jag["police"],
                                   owner=p["police_chair"], due_on=DUE + timedelta(days=20), actor=p["chair"]),
    }


def held(jag, outcome="keep") -> Meeting:
    meeting = fresh(jag["meeting"])
    if meeting.opened_at is None:
        meeting = opened(jag)
    notes = {"unshared": UNSHARED_NOTES}
    for key, item in jag["items"].items():
        item_record(item=item, notes=notes.get(key, f"Discussed {key}"), decisions="Agreed", outcome=outcome,
                    actor=jag["people"]["chair"])
    meeting = fresh(meeting)
    return meeting_close(meeting=meeting, actor=jag["people"]["chair"], version=meeting.version)


def get_as(client, jag, role, url):
    if role != "anonymous":
        client.force_login(jag["people"][role])
    return client.get(url)


def assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == expected


def co_chairs_only(**overrides):
    return {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "chair": OK, "police_chair": OK, **overrides}


MATRIX = [
    ("/jag/meetings/{meeting}/open/", co_chairs_only()),
    ("/jag/meetings/{following}/open/", co_chairs_only()),
    ("/jag/items/{shared}/", co_chairs_only()),
    ("/jag/items/{unshared}/", co_chairs_only()),  # the police co-chair: the page, not the record
    ("/jag/items/{shared}/actions/add/", co_chairs_only()),
    ("/jag/items/{unshared}/actions/add/", co_chairs_only(police_chair=NOT_FOUND)),
    ("/jag/items/999999/", co_chairs_only(chair=NOT_FOUND, police_chair=NOT_FOUND)),
    ("/jag/meetings/{meeting}/close/", co_chairs_only()),
    ("/jag/meetings/999999/close/", co_chairs_only(chair=NOT_FOUND, police_chair=NOT_FOUND)),
]


def ids(jag) -> dict:
    return {"meeting": jag["meeting"].pk, "following": jag["following"].pk,
            **{k: v.pk for k, v in jag["items"].items()}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, jag, role, url, expected):
    opened(jag)
    assert_status(get_as(client, jag, role, url.format(**ids(jag))), expected[role])


@pytest.mark.parametrize("role", ["call_centre", "officer", "manager", "police", "police_lead", "housing"])
def test_nobody_but_a_co_chair_can_post(client, jag, role):
    client.force_login(jag["people"][role])
    meeting, item = jag["meeting"], jag["items"]["shared"]
    posts = [
        (f"/jag/meetings/{meeting.pk}/open/", {f"status_{m.pk}": "present" for m in jag["members"].values()} | {"version": meeting.version}),
        (f"/jag/items/{item.pk}/", {"notes": "Posted by the wrong person", "outcome": "close"}),
        (f"/jag/items/{item.pk}/actions/add/", {"text": "Posted by the wrong person", "owner_agency": "council"}),
        (f"/jag/meetings/{meeting.pk}/close/", {"version": meeting.version}),
    ]
    before = (JagEvent.objects.count(), fresh(meeting).version, JagAction.objects.count(), Attendance.objects.count())
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert (JagEvent.objects.count(), fresh(meeting).version, JagAction.objects.count(), Attendance.objects.count()) == before


# --- opening ------------------------------------------------------------------------------------------------------

def open_data(jag, **overrides) -> dict:
    m, meeting = jag["members"], fresh(jag["meeting"])
    data = {f"status_{m['chair'].pk}": "present", f"ack_{m['chair'].pk}": "on",
            f"status_{m['police_chair'].pk}": "present", f"ack_{m['police_chair'].pk}": "on",
            f"status_{m['police'].pk}": "apologies", f"status_{m['officer'].pk}": "absent",
            "guest_0_name": "Rev. Ada Byrne", "guest_0_agency": "council", "guest_0_status": "present", "guest_0_ack": "on",
            "version": meeting.version}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_open_page_shows_the_confidentiality_statement_and_every_member(client, jag):
    client.force_login(jag["people"]["chair"])
    html = client.get(f"/jag/meetings/{jag['meeting'].pk}/open/").content.decode()
    assert jag["group"].confidentiality_statement in html
    assert "Olivia Chen (The council)" in html and "Imran Khan (Leicestershire Police)" in html
    assert html.count('type="radio"') == 3 * (len(jag["members"]) + 3)
    assert "confirms the confidentiality statement" in html


def test_opening_records_attendance_and_goes_to_the_meeting_page(client, jag):
    client.force_login(jag["people"]["chair"])
    url = f"/jag/meetings/{jag['meeting'].pk}/open/"
    response = client.post(url, open_data(jag))
    assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{jag['meeting'].pk}/"
    meeting = fresh(jag["meeting"])
    assert meeting.opened_at == NOW
    rows = {(a.name, a.status, a.confidentiality_acknowledged) for a in Attendance.objects.filter(meeting=meeting)}
    assert ("Olivia Chen", "present", True) in rows and ("Rev. Ada Byrne", "present", True) in rows
    assert len(rows) == 5
    # A double click: the second post finds the meeting open and goes to it, recording nothing again.
    again = client.post(url, open_data(jag, version=str(meeting.version - 1)))
    assert again.status_code == 302 and Attendance.objects.count() == 5
    assert JagEvent.objects.filter(kind="meeting.opened").count() == 1


def test_someone_present_must_confirm_the_confidentiality_statement(client, jag):
    client.force_login(jag["people"]["chair"])
    m = jag["members"]
    response = client.post(f"/jag/meetings/{jag['meeting'].pk}/open/", open_data(jag, **{f"ack_{m['police_chair'].pk}": None}))
    html = response.content.decode()
    assert response.status_code == 200 and "Imran Khan must confirm the confidentiality statement" in html
    assert "<title>Error:" in html and Attendance.objects.count() == 0 and fresh(jag["meeting"]).opened_at is None
    guest = client.post(f"/jag/meetings/{jag['meeting'].pk}/open/", open_data(jag, guest_0_ack=None))
    assert "Guest 1 must confirm the confidentiality statement" in guest.content.decode() and Attendance.objects.count() == 0


def test_a_guest_needs_a_name_and_a_status(client, jag):
    client.force_login(jag["people"]["chair"])
    html = client.post(f"/jag/meetings/{jag['meeting'].pk}/open/",
                       open_data(jag, guest_0_name="", guest_1_status="present")).content.decode()
    assert "Enter guest 2&#x27;s name" in html or "Enter guest 2's name" in html
    assert Attendance.objects.count() == 0


def test_opening_before_the_day_is_a_clear_error(client, jag):
    client.force_login(jag["people"]["chair"])
    following = jag["following"]
    page = client.get(f"/jag/meetings/{following.pk}/open/").content.decode()
    assert "can be opened on the day it is held" in page
    response = client.post(f"/jag/meetings/{following.pk}/open/", open_data(jag, version=following.version))
    assert response.status_code == 200
    assert "The meeting can be opened on the day it is held" in response.content.decode()
    assert fresh(following).opened_at is None and Attendance.objects.count() == 0


def test_a_stale_open_page_is_refused_with_a_message(client, jag):
    client.force_login(jag["people"]["chair"])
    Meeting.objects.filter(pk=jag["meeting"].pk).update(version=7)
    response = client.post(f"/jag/meetings/{jag['meeting'].pk}/open/", open_data(jag, version="3"))
    html = response.content.decode()
    assert response.status_code == 200 and "Someone else has changed this meeting" in html
    assert 'name="version" value="7"' in html and Attendance.objects.count() == 0


# --- items ---------------------------------------------------------------------------------------------------------

def test_the_co_chair_records_an_item_and_goes_to_the_next(client, jag):
    opened(jag)
    client.force_login(jag["people"]["chair"])
    item, following = jag["items"]["shared"], jag["items"]["unshared"]
    page = client.get(f"/jag/items/{item.pk}/").content.decode()
    assert SHARED_REF in page and "Repeat noise reported by the police" in page
    assert f'href="/jag/items/{following.pk}/"' in page and f'href="/jag/items/{item.pk}/actions/add/"' in page
    response = client.post(f"/jag/items/{item.pk}/", {"notes": "Noise most nights", "decisions": "Police to patrol",
                                                      "outcome": "keep", "next": "1"})
    assert response.status_code == 302 and response["Location"] == f"/jag/items/{following.pk}/"
    item.refresh_from_db()
    assert (item.notes, item.decisions, item.outcome) == ("Noise most nights", "Police to patrol", "keep")
    saved = client.post(f"/jag/items/{item.pk}/", {"notes": "Noise most nights", "decisions": "", "outcome": "close"})
    assert saved["Location"] == f"/jag/items/{item.pk}/"
    item.refresh_from_db()
    assert item.outcome == "close" and item.decisions == ""


def test_an_item_is_recorded_only_while_the_meeting_is_in_progress(client, jag):
    client.force_login(jag["people"]["chair"])
    item = jag["items"]["shared"]
    page = client.get(f"/jag/items/{item.pk}/").content.decode()
    assert "has not been opened yet" in page
    response = client.post(f"/jag/items/{item.pk}/", {"notes": "Too early", "outcome": "keep"})
    assert response.status_code == 200 and "The meeting is not in progress" in response.content.decode()
    item.refresh_from_db()
    assert item.notes == "" and item.outcome == ""


def test_the_police_co_chair_sees_nothing_of_a_case_not_shared_with_the_police(client, jag):
    opened(jag)
    AgendaItem.objects.filter(pk=jag["items"]["unshared"].pk).update(notes=UNSHARED_NOTES)
    client.force_login(jag["people"]["police_chair"])
    item = jag["items"]["unshared"]
    response = client.get(f"/jag/items/{item.pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and NOT_SHARED_LABEL in html
    assert UNSHARED_REF not in html and UNSHARED_WHY not in html and UNSHARED_NOTES not in html
    assert 'name="notes"' not in html and "A council co-chair records it" in html
    assert client.post(f"/jag/items/{item.pk}/", {"notes": "", "outcome": "close"}).status_code == 404
    item.refresh_from_db()
    assert item.notes == UNSHARED_NOTES and item.outcome == ""
    # The shared case is theirs to record.
    shared = client.get(f"/jag/items/{jag['items']['shared'].pk}/").content.decode()
    assert SHARED_REF in shared and 'name="notes"' in shared


def test_the_police_co_chair_sees_only_police_actions_on_an_item(client, jag):
    actions = with_actions(jag)
    action_add(item=jag["items"]["shared"], text="Council noise team to visit", owner_agency=None, owner=jag["people"]["officer"],
               due_on=DUE, actor=jag["people"]["chair"])
    client.force_login(jag["people"]["police_chair"])
    html = client.get(f"/jag/items/{jag['items']['shared'].pk}/").content.decode()
    assert actions["police_action"].text in html and "Council noise team to visit" not in html
    client.force_login(jag["people"]["chair"])
    html = client.get(f"/jag/items/{jag['items']['shared'].pk}/").content.decode()
    assert actions["police_action"].text in html and "Council noise team to visit" in html and "On track" in html


# --- actions -------------------------------------------------------------------------------------------------------

def action_data(jag, **overrides) -> dict:
    data = {"text": "Patrol the car park after 9pm", "owner_agency": str(jag["police"].pk), "owner": str(jag["people"]["police"].pk),
            "due_on_0": "8", "due_on_1": "1", "due_on_2": "2027", "key": "k-1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_owner_choices_are_the_groups_council_members_and_member_agencies_users(client, jag):
    opened(jag)
    client.force_login(jag["people"]["chair"])
    html = client.get(f"/jag/items/{jag['items']['place'].pk}/actions/add/").content.decode()
    people = jag["people"]
    for role in ("chair", "officer", "police", "police_lead", "police_chair"):
        assert f'value="{people[role].pk}"' in html, role
    assert f'value="{people["housing"].pk}"' not in html and f'value="{people["manager"].pk}"' not in html
    assert f'value="{jag["police"].pk}"' in html and f'value="{jag["housing"].pk}"' not in html
    assert 'name="key"' in html


def test_adding_an_action_and_a_double_post_makes_one(client, jag):
    opened(jag)
    client.force_login(jag["people"]["chair"])
    item = jag["items"]["place"]
    url = f"/jag/items/{item.pk}/actions/add/"
    first = client.post(url, action_data(jag))
    assert first.status_code == 302 and first["Location"] == f"/jag/items/{item.pk}/"
    second = client.post(url, action_data(jag))
    assert second.status_code == 302 and second["Location"] == f"/jag/items/{item.pk}/"
    action = JagAction.objects.get()
    assert (action.text, action.owner, action.owner_agency, action.due_on) == (
        "Patrol the car park after 9pm", jag["people"]["police"], jag["police"], date(2027, 1, 8))
    # Another form (a new key) is another action.
    client.post(url, action_data(jag, key="k-2", text="A second action"))
    assert JagAction.objects.count() == 2


def test_an_action_owner_must_work_for_the_owning_agency(client, jag):
    opened(jag)
    client.force_login(jag["people"]["chair"])
    url = f"/jag/items/{jag['items']['place'].pk}/actions/add/"
    response = client.post(url, action_data(jag, owner_agency="council"))
    assert response.status_code == 200 and "Choose someone from the council" in response.content.decode()
    response = client.post(url, action_data(jag, owner=str(jag["people"]["officer"].pk)))
    assert "Choose someone from Leicestershire Police" in response.content.decode()
    response = client.post(url, action_data(jag, owner=str(jag["people"]["housing"].pk)))
    assert "Choose who owns the action from the list" in response.content.decode()
    response = client.post(url, action_data(jag, due_on_0="8", due_on_1="12", due_on_2="2026"))
    assert "The due date must be in the future" in response.content.decode()
    assert JagAction.objects.count() == 0


def test_an_action_is_agreed_in_the_meeting(client, jag):
    client.force_login(jag["people"]["chair"])
    response = client.post(f"/jag/items/{jag['items']['place'].pk}/actions/add/", action_data(jag))
    assert response.status_code == 200 and "Actions are agreed in the meeting" in response.content.decode()
    assert JagAction.objects.count() == 0


# --- closing -------------------------------------------------------------------------------------------------------

def test_closing_lists_items_without_an_outcome_and_needs_one_for_each(client, jag):
    opened(jag)
    client.force_login(jag["people"]["chair"])
    item_record(item=jag["items"]["shared"], notes="", decisions="", outcome="close", actor=jag["people"]["chair"])
    url = f"/jag/meetings/{jag['meeting'].pk}/close/"
    html = client.get(url).content.decode()
    assert f'href="/jag/items/{jag["items"]["unshared"].pk}/"' in html
    assert f'href="/jag/items/{jag["items"]["shared"].pk}/"' not in html
    response = client.post(url, {"version": fresh(jag["meeting"]).version})
    assert response.status_code == 200 and "Record an outcome for every item" in response.content.decode()
    assert fresh(jag["meeting"]).status == MeetingStatus.SCHEDULED


def test_the_police_co_chair_sees_no_unshared_case_on_the_close_page(client, jag):
    opened(jag)
    client.force_login(jag["people"]["police_chair"])
    html = client.get(f"/jag/meetings/{jag['meeting'].pk}/close/").content.decode()
    assert NOT_SHARED_LABEL in html and UNSHARED_REF not in html and SHARED_REF in html


def test_closing_holds_the_meeting_and_a_second_click_changes_nothing(client, jag):
    opened(jag)
    for item in jag["items"].values():
        item_record(item=item, notes="", decisions="", outcome="keep", actor=jag["people"]["chair"])
    client.force_login(jag["people"]["chair"])
    url = f"/jag/meetings/{jag['meeting'].pk}/close/"
    version = fresh(jag["meeting"]).version
    response = client.post(url, {"version": version})
    assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{jag['meeting'].pk}/minutes/"
    meeting = fresh(jag["meeting"])
    assert meeting.status == MeetingStatus.HELD and meeting.closed_at == NOW
    again = client.post(url, {"version": version})
    assert again.status_code == 302 and JagEvent.objects.filter(kind="meeting.closed").count() == 1


def test_a_stale_close_is_refused_with_a_message(client, jag):
    opened(jag)
    for item in jag["items"].values():
        item_record(item=item, notes="", decisions="", outcome="keep", actor=jag["people"]["chair"])
    client.force_login(jag["people"]["chair"])
    response = client.post(f"/jag/meetings/{jag['meeting'].pk}/close/", {"version": "1"})
    assert response.status_code == 200 and "Someone else has changed this meeting" in response.content.decode()
    assert fresh(jag["meeting"]).status == MeetingStatus.SCHEDULED


def test_the_item_page_is_a_fixed_number_of_queries(client, jag, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    opened(jag)
    client.force_login(jag["people"]["chair"])
    url = f"/jag/items/{jag['items']['place'].pk}/"
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    for n in range(30):
        action_add(item=jag["items"]["place"], text=f"Action {n}", owner_agency=jag["police"], owner=jag["people"]["police"],
                   due_on=DUE, actor=jag["people"]["chair"])
        AgendaItem.objects.create(meeting=jag["meeting"], position=10 + n, kind=ItemKind.THEME, theme=f"Theme {n}",
                                  source=ItemSource.ADDED, why="Added")
    assert count() == before


def test_a_save_over_someone_elses_newer_notes_is_refused_then_made_knowingly(client, jag):
    """Two co-chairs on one item: the second, whose page was drawn before the first saved, is told and shown what is
    saved now; saving again (having read it) goes through. The same save twice (a double click) is no conflict."""
    import re

    from jag.models import AgendaItem

    meeting = opened(jag)
    item = meeting.items.filter(removed_at__isnull=True, kind="location").first()
    url = f"/jag/items/{item.pk}/"
    client.force_login(jag["people"]["chair"])
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', client.get(url).content.decode()).group(1)
    first = {"notes": "POLICE NOTES", "decisions": "", "outcome": "keep", "seen": seen}
    assert client.post(url, first).status_code == 302
    assert client.post(url, first).status_code == 302  # a double click
    mine = {"notes": "MY NOTES", "decisions": "", "outcome": "close", "seen": seen}
    refused = client.post(url, mine)
    page = refused.content.decode()
    assert refused.status_code == 200 and "Someone else has saved this item" in page and "POLICE NOTES" in page
    assert AgendaItem.objects.get(pk=item.pk).notes == "POLICE NOTES"
    fresh = re.search(r'name="seen" value="([0-9a-f]+)"', page).group(1)
    assert client.post(url, {**mine, "seen": fresh}).status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).notes == "MY NOTES"
