"""Review r3 (domain and usability): the JAG journeys walked as their users, read from the rendered pages.

Each test proves one defect found in the review (see the docstrings)."""
# ruff: noqa: F811 - the fixtures imported from test_views_conduct

import html
import re
from datetime import datetime

import pytest
import time_machine
from django.template.loader import render_to_string

from cases.sla import LONDON
from jag.models import AgendaItem, Attendance, AttendanceStatus, JagAction, Nomination
from jag.selectors import pack_for
from jag.services.actions import action_update
from jag.services.agenda import agenda_build, agenda_item_remove
from jag.services.meeting import AttendanceEntry, item_record, meeting_close, meeting_open

from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from .factories import group_make, meeting_make, member_make
from .test_views_conduct import fresh, frozen, held, jag, open_data, opened, with_actions  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def title(response) -> str:
    return re.search(r"<title>([^<]*)</title>", response.content.decode()).group(1)


def test_an_error_page_title_says_error_once(client, jag):
    """base.html already prefixes "Error: " when the page's form has errors; the JAG templates that added their own
    prefix gave screen-reader users "Error: Error: …" (open, item, add an action, update an action, close, minutes)."""
    p, meeting = jag["people"], jag["meeting"]
    client.force_login(p["chair"])
    m = jag["members"]
    refused = client.post(f"/jag/meetings/{meeting.pk}/open/",
                          open_data(jag, **{f"ack_{m['police_chair'].pk}": None}))
    assert title(refused).startswith("Error: Open the meeting")
    actions = with_actions(jag)
    shared = jag["items"]["shared"]
    pages = [
        client.post(f"/jag/items/{shared.pk}/", {"notes": "x", "outcome": "nonsense"}),
        client.post(f"/jag/items/{shared.pk}/actions/add/", {"text": "", "owner_agency": "council"}),
    ]
    client.force_login(p["police"])
    pages.append(client.post(f"/jag/actions/{actions['police_action'].pk}/", {"status": "dropped", "progress": ""}))
    client.force_login(p["chair"])
    meeting = held(jag)
    pages.append(client.post(f"/jag/meetings/{meeting.pk}/minutes/edit/", {"text": "", "version": meeting.version}))
    for response in [refused, *pages]:
        assert response.status_code == 200
        assert title(response).startswith("Error: ") and "Error: Error:" not in title(response), title(response)


def test_members_not_marked_at_the_opening_are_recorded_absent(client, jag):
    """The open page tells the chair "Members you do not mark are recorded as absent", but every member's radios were
    required: leaving a member unmarked refused the whole form with "Choose present, apologies or absent for …"."""
    client.force_login(jag["people"]["chair"])
    page = re.sub(r"\s+", " ", client.get(f"/jag/meetings/{jag['meeting'].pk}/open/").content.decode())
    assert "Members you do not mark are recorded as absent" in page
    m = jag["members"]
    data = open_data(jag, **{f"status_{m['police'].pk}": None, f"status_{m['officer'].pk}": None})
    response = client.post(f"/jag/meetings/{jag['meeting'].pk}/open/", data)
    assert response.status_code == 302, re.findall(r'govuk-error-message[^>]*>(.*?)</p>', response.content.decode(), re.S)
    statuses = dict(Attendance.objects.filter(meeting=jag["meeting"], member__isnull=False).values_list("member_id", "status"))
    assert statuses[m["police"].pk] == AttendanceStatus.ABSENT and statuses[m["officer"].pk] == AttendanceStatus.ABSENT
    assert statuses[m["chair"].pk] == AttendanceStatus.PRESENT


def test_the_agenda_numbers_items_as_the_packs_and_item_pages_do(client, jag):
    """After an item is taken off, the agenda builder numbered the rest 1, 2, 3 (loop counter) while the packs, the
    item pages, the close page and the minutes kept each item's own number (1, 2, 4): the chair's "item 3" was
    everyone else's item 4."""
    p, items = jag["people"], jag["items"]
    agenda_item_remove(item=items["place"], reason="Dealt with by the CSP", actor=p["chair"])
    client.force_login(p["chair"])
    agenda = client.get(f"/jag/meetings/{jag['meeting'].pk}/agenda/").content.decode()
    rows = re.findall(r'<td class="govuk-table__cell">(\d+)<input type="hidden" name="item" value="(\d+)">', agenda)
    assert [(int(n), int(pk)) for n, pk in rows] == [(1, items["shared"].pk), (2, items["unshared"].pk), (4, items["theme"].pk)]
    meeting_page = client.get(f"/jag/meetings/{jag['meeting'].pk}/").content.decode()
    assert "4. Off-road bikes" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", meeting_page))


def test_the_agency_pack_preview_shows_the_previous_meetings_action_plan(client, jag):
    """The council's preview of an agency's pack says it is "exactly as" the agency will see it, but left out the
    actions agreed at the last meeting, which the agency's own pack (screen and PDF) holds: the action plan is
    reviewed at every meeting."""
    actions = with_actions(jag)
    meeting = fresh(jag["meeting"])
    for item in jag["items"].values():
        item_record(item=item, notes="", decisions="", outcome="keep", actor=jag["people"]["chair"])
    meeting_close(meeting=fresh(meeting), actor=jag["people"]["chair"], version=fresh(meeting).version)
    following = jag["following"]
    client.force_login(jag["people"]["police"])
    own = client.get(f"/jag/meetings/{following.pk}/").content.decode()
    assert "Actions agreed at the last meeting (8 December 2026)" in own and actions["police_action"].text in own
    client.force_login(jag["people"]["officer"])
    preview = client.get(f"/jag/meetings/{following.pk}/papers/{jag['police'].pk}/").content.decode()
    assert "Actions agreed at the last meeting (8 December 2026)" in preview
    assert actions["police_action"].text in preview and actions["place_action"].text in preview
    assert actions["council_action"].text not in preview  # the council's own action is not in the police's pack
    assert "On track" in preview.split("Actions agreed at the last meeting")[1]  # status in words (and colour)



def test_minutes_circulated_late_are_shown_as_late(client, jag):
    """The terms of reference promise minutes within one working day. Once circulated, the minutes page showed a
    green "Circulated" whatever the date: minutes circulated five weeks late looked exactly like minutes on time."""
    meeting = held(jag)
    with time_machine.travel(datetime(2026, 12, 9, 16, 0, tzinfo=LONDON), tick=False):  # the next working day: on time
        client.force_login(jag["people"]["chair"])
        client.post(f"/jag/meetings/{meeting.pk}/minutes/", {"what": "circulate", "version": fresh(meeting).version})
        on_time = text(client.get(f"/jag/meetings/{meeting.pk}/minutes/"))
    assert "Circulated 9 December 2026 at 16:00" in on_time and "Circulated late" not in on_time and "were due by" not in on_time
    other = held_other(jag)
    with time_machine.travel(datetime(2027, 1, 12, 9, 0, tzinfo=LONDON), tick=False):
        client.force_login(jag["people"]["chair"])
        client.post(f"/jag/meetings/{other.pk}/minutes/", {"what": "circulate", "version": fresh(other).version})
        late = text(client.get(f"/jag/meetings/{other.pk}/minutes/"))
    assert "Circulated late 12 January 2027 at 09:00: they were due by the end of Wednesday 9 December 2026" in late


def text(response) -> str:
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main))).replace(" :", ":")


def held_other(jag):
    """A second group's meeting held on the same day (its minutes not yet circulated)."""
    group = group_make(name="South Wigston JAG")
    chair = member_make(group, jag["people"]["chair"], co_chair=True)
    meeting = meeting_make(group, jag["meeting"].held_on)
    meeting_open(meeting=meeting, attendance=[AttendanceEntry(member=chair, status="present", acknowledged=True)], actor=jag["people"]["chair"], version=meeting.version)
    meeting = fresh(meeting)
    return meeting_close(meeting=meeting, actor=jag["people"]["chair"], version=meeting.version)


def test_declining_an_urgent_nomination_does_not_promise_a_later_meeting(client, jag):
    """The decision's radio said "Decline: it waits for a later meeting", but nothing carries a declined nomination
    forward: the next meeting's agenda never gets it. The chair (and the nominator, told it is waiting) were misled."""
    p = jag["people"]
    client.force_login(p["police"])
    client.post(f"/jag/meetings/{jag['meeting'].pk}/nominate/", {"kind": "theme", "theme": "Fireworks", "reason": "Bonfire night"})
    nomination = Nomination.objects.get(theme="Fireworks")
    assert nomination.is_urgent
    client.force_login(p["chair"])
    page = text(client.get(f"/jag/nominations/{nomination.pk}/decide/"))
    assert "waits for a later meeting" not in page and "It can be nominated again for the next meeting" in page
    client.post(f"/jag/nominations/{nomination.pk}/decide/", {"decision": "decline", "reason": "Not urgent enough"})
    assert agenda_build(meeting=fresh(jag["following"])) is not None
    assert not AgendaItem.objects.filter(meeting=jag["following"], theme="Fireworks").exists()


def test_the_printed_pack_reviews_the_action_plan_in_status_words(jag):
    """The printed pack's review of the last meeting's actions said "Open" for an action three days overdue: the
    status words (on track, due soon, overdue, done) were on screen only."""
    actions = with_actions(jag)
    meeting = fresh(jag["meeting"])
    for item in jag["items"].values():
        item_record(item=item, notes="", decisions="", outcome="keep", actor=jag["people"]["chair"])
    meeting_close(meeting=fresh(meeting), actor=jag["people"]["chair"], version=fresh(meeting).version)
    action_update(action=actions["place_action"], status="done", progress="Lights fixed", actor=jag["people"]["police_chair"],
                  version=fresh_action(actions["place_action"]).version)
    with time_machine.travel(datetime(2027, 1, 11, 9, 0, tzinfo=LONDON), tick=False):  # the police action due 8 January
        pack = pack_for(meeting=fresh(jag["following"]), viewer=jag["people"]["police"])
        page = re.sub(r"\s+", " ", render_to_string("jag/pdf/pack.html", {"pack": pack, "printed_at": datetime.now(LONDON)}))
    review = page.split("Actions from the meeting on 8 December 2026")[1]
    assert "<td>Overdue</td>" in review and "<td>Done: Lights fixed</td>" in review


def fresh_action(action) -> JagAction:
    return JagAction.objects.get(pk=action.pk)


def test_an_item_of_a_closed_meeting_is_shown_not_offered_for_editing(client, jag):
    """After the meeting closed, the item page still drew the notes, decisions and outcome as an editable form with
    "Save the item" (and "Save and go to the next item") buttons, every save refused: the record is shown instead."""
    meeting = held(jag)
    assert meeting.closed_at is not None
    client.force_login(jag["people"]["chair"])
    response = client.get(f"/jag/items/{jag['items']['shared'].pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and "The meeting has closed" in page
    assert "<textarea" not in page and "Save the item" not in page and "Save and go to the next item" not in page
    assert "Discussed shared" in text(response)  # the notes, read only
